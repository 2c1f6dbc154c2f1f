/*
 * Keyboard-wedge decoding: QR/barcode scanners and meal-card readers that pretend to be a USB
 * keyboard and "type" what they read, one key press per character, then a terminator key.
 *
 * A hal_hidkbd decoder turns key presses back into text and delivers one event per scan:
 * HAL_EVENT_QR with the text (driver `hid-scanner`) or HAL_EVENT_MEAL_CARD with the UID (driver
 * `hid-cardreader`), chosen by the mode at init. It is pure (no I/O, no allocation, no globals)
 * and takes key presses from either of two sources, decoded with one US-layout table:
 *
 *   - HID boot-keyboard reports (hal_hidkbd_feed): 8 bytes each, modifier byte, reserved byte,
 *     six key usage ids. This is what libusb reads from the interrupt endpoint and what
 *     `zhucan-hal replay` reads from a file (the concatenated reports).
 *   - evdev key events (hal_hidkbd_feed_evdev): Linux input key codes from a grabbed
 *     (EVIOCGRAB) /dev/input/eventN, the robust way in the field: the kernel parses any report
 *     layout, and a crash releases the grab.
 *
 * Keyboard mode only carries US-layout printable ASCII (0x20-0x7E); content that is Chinese or
 * binary needs the scanner in USB-COM (CDC-ACM) mode and another decoder.
 *
 * How a HID report stream becomes key presses: a key is pressed when its usage is present in a
 * report and was absent from the previous report. So
 *   - a device repeating an identical report produces nothing more ([a] [a] is one "a": the
 *     protocol cannot tell a held key from a repeated report, and scanners never hold keys);
 *   - a key released and pressed again ([a] [] [a]) is two "a";
 *   - a lost release report still yields every key: [a] [a,b] and [a] [b] are both "ab".
 * Error-rollover reports (usages 0x01-0x03 in the key slots: too many keys or a keyboard fault)
 * are ignored and the previous report stays the reference, so nothing is repeated or lost.
 * Shift is either shift key (modifier bits or usages 0xE1/0xE5 in a key slot); caps lock toggles
 * the case of letters and shift inverts it; keypad digits and operators are their characters.
 * A key pressed while Ctrl, Alt or GUI is held is a shortcut, not text, and is ignored; so are
 * keys with no ASCII character (function keys, arrows, Escape, Backspace).
 *
 * Scans end at a terminator key (Enter, keypad Enter, Tab: configurable) or when the driver calls
 * hal_hidkbd_flush after HAL_HIDKBD_IDLE_MS without input, for scanners configured with no
 * terminator. An empty scan (a stray Enter) is dropped silently. A scan longer than
 * HAL_TEXT_MAX - 1 characters gets one HAL_EVENT_ERROR and the rest of it is discarded up to the
 * next terminator or flush (resync); the next scan decodes normally.
 *
 * Meal-card mode trims surrounding spaces from the UID and otherwise keeps it exactly as typed
 * (hex case included: the roster normalises). QR mode keeps the text exactly, spaces included.
 *
 * Feed functions append to a hal_events (HAL_EVENTS_MAX): each new key press yields at most one
 * event, so a report yields at most HAL_HIDKBD_REPORT_KEYS; feed a long recording a report or a
 * few at a time (the driver feeds what each interrupt transfer delivers) or check `dropped`.
 */
#ifndef HAL_HIDKBD_H
#define HAL_HIDKBD_H

#include "hal/hal.h"

enum {
    HAL_HIDKBD_REPORT_LEN = 8,  /* a boot-keyboard input report */
    HAL_HIDKBD_REPORT_KEYS = 6, /* key usage slots in it */
    /* Idle time after which the driver calls hal_hidkbd_flush. Scanners type a whole code in a
       burst (a few ms per key); 300 ms is far above the gaps inside a scan and far below the time
       between two people presenting codes. */
    HAL_HIDKBD_IDLE_MS = 300,
};

typedef enum hal_hidkbd_mode {
    HAL_HIDKBD_SCANNER = 0, /* scans become HAL_EVENT_QR */
    HAL_HIDKBD_CARDREADER,  /* scans become HAL_EVENT_MEAL_CARD, spaces trimmed */
} hal_hidkbd_mode;

/* Terminator keys, a bit set; 0 means no terminator (scans end at hal_hidkbd_flush only). */
enum {
    HAL_HIDKBD_TERM_ENTER = 1u << 0, /* Enter and keypad Enter */
    HAL_HIDKBD_TERM_TAB = 1u << 1,
    HAL_HIDKBD_TERM_DEFAULT = HAL_HIDKBD_TERM_ENTER | HAL_HIDKBD_TERM_TAB,
    HAL_HIDKBD_TERM_ALL = HAL_HIDKBD_TERM_ENTER | HAL_HIDKBD_TERM_TAB,
};

/*
 * Decoder state. Public so that a driver embeds it without allocating; the fields are private to
 * hidkbd.c.
 */
typedef struct hal_hidkbd {
    hal_hidkbd_mode mode;
    unsigned terminators;
    uint8_t pending[HAL_HIDKBD_REPORT_LEN]; /* a partial report awaiting its remaining bytes */
    size_t npending;
    uint8_t held[HAL_HIDKBD_REPORT_KEYS]; /* key usages of the last accepted report */
    uint8_t evdev_mods;                   /* modifiers held, as HID modifier bits (evdev feed) */
    bool evdev_lost;                      /* between SYN_DROPPED and the next SYN_REPORT */
    bool caps_lock;
    bool discarding; /* the current scan overflowed or lost input: drop up to its end */
    size_t len;
    char text[HAL_TEXT_MAX];
} hal_hidkbd;

/*
 * Initialises a decoder: mode, and terminators (HAL_HIDKBD_TERM_* bits, usually
 * HAL_HIDKBD_TERM_DEFAULT). HAL_ERR_INVALID for a NULL decoder, an unknown mode or unknown bits.
 */
hal_err hal_hidkbd_init(hal_hidkbd *dec, hal_hidkbd_mode mode, unsigned terminators);

/*
 * Forgets everything but the configuration: the partial scan, a partial report, the keys held,
 * caps lock. The driver calls it when the device reconnects (its state started afresh).
 */
void hal_hidkbd_reset(hal_hidkbd *dec);

/*
 * Feeds bytes of a boot-keyboard report stream: concatenated 8-byte reports, cut anywhere (a
 * trailing partial report stays buffered until its remaining bytes arrive). Appends the events
 * completed to out; `device` names them. HAL_OK, or HAL_ERR_INVALID for NULL arguments.
 */
hal_err hal_hidkbd_feed(hal_hidkbd *dec, const char *device, const uint8_t *bytes, size_t n,
                        hal_events *out);

/*
 * Feeds one evdev event (the type, code and value of a struct input_event). EV_KEY: value 1 is a
 * press, 0 a release, 2 autorepeat (ignored: a scanner never holds a key, so a repeat would
 * duplicate a character). EV_SYN SYN_DROPPED (the kernel's buffer overflowed) discards the scan
 * in progress with an error event, and events up to the next SYN_REPORT, as the evdev protocol
 * asks. Other types are ignored. HAL_OK, or HAL_ERR_INVALID for NULL arguments.
 */
hal_err hal_hidkbd_feed_evdev(hal_hidkbd *dec, const char *device, uint16_t type, uint16_t code,
                              int32_t value, hal_events *out);

/*
 * Ends the scan in progress as a terminator would: the driver calls it after HAL_HIDKBD_IDLE_MS
 * with no input, and `zhucan-hal replay` at the end of a file, so a scanner configured without a
 * terminator still delivers. It also ends a discarded scan (resync), and drops a buffered partial
 * report with an error event: after that long, its remaining bytes were lost, and dropping it
 * realigns the stream on the next report. Idempotent. HAL_OK, or HAL_ERR_INVALID for NULL args.
 */
hal_err hal_hidkbd_flush(hal_hidkbd *dec, const char *device, hal_events *out);

#endif
