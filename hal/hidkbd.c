/*
 * Keyboard-wedge decoder: HID boot-keyboard reports or evdev key events -> scans -> events.
 *
 * Both feeds are reduced to the same thing, a key press named by its HID usage id with the
 * modifiers held at that moment, so there is one character table (US layout, by usage id) and
 * one scan state machine; evdev key codes are first mapped to usage ids with the inverse of the
 * kernel's own HID keyboard table (drivers/hid/hid-input.c).
 */
#include "hal/hidkbd.h"

#include <linux/input-event-codes.h>
#include <string.h>

/* HID usage ids, Keyboard/Keypad page (0x07), the ones this decoder gives a meaning. */
enum {
    HID_USAGE_ERR_ROLLOVER = 0x01, /* 0x01-0x03 fill every slot when the state is unknown */
    HID_USAGE_ERR_UNDEFINED = 0x03,
    HID_USAGE_A = 0x04,
    HID_USAGE_Z = 0x1D,
    HID_USAGE_1 = 0x1E,
    HID_USAGE_0 = 0x27,
    HID_USAGE_ENTER = 0x28,
    HID_USAGE_TAB = 0x2B,
    HID_USAGE_SPACE = 0x2C,
    HID_USAGE_MINUS = 0x2D,
    HID_USAGE_EQUAL = 0x2E,
    HID_USAGE_LEFT_BRACKET = 0x2F,
    HID_USAGE_RIGHT_BRACKET = 0x30,
    HID_USAGE_BACKSLASH = 0x31,
    HID_USAGE_NON_US_HASH = 0x32, /* the kernel maps it to KEY_BACKSLASH: same on US layout */
    HID_USAGE_SEMICOLON = 0x33,
    HID_USAGE_APOSTROPHE = 0x34,
    HID_USAGE_GRAVE = 0x35,
    HID_USAGE_COMMA = 0x36,
    HID_USAGE_DOT = 0x37,
    HID_USAGE_SLASH = 0x38,
    HID_USAGE_CAPS_LOCK = 0x39,
    HID_USAGE_KP_SLASH = 0x54,
    HID_USAGE_KP_ASTERISK = 0x55,
    HID_USAGE_KP_MINUS = 0x56,
    HID_USAGE_KP_PLUS = 0x57,
    HID_USAGE_KP_ENTER = 0x58,
    HID_USAGE_KP_1 = 0x59,
    HID_USAGE_KP_9 = 0x61,
    HID_USAGE_KP_0 = 0x62,
    HID_USAGE_KP_DOT = 0x63,
    HID_USAGE_TABLE_END = 0x64, /* no ASCII character from here up */
    HID_USAGE_LEFT_CTRL = 0xE0, /* 0xE0-0xE7: the modifiers, in modifier-bit order */
    HID_USAGE_RIGHT_GUI = 0xE7,
};

/* The report's modifier byte; bit n is usage 0xE0 + n. */
enum {
    HID_MOD_LEFT_CTRL = 1u << 0,
    HID_MOD_LEFT_SHIFT = 1u << 1,
    HID_MOD_LEFT_ALT = 1u << 2,
    HID_MOD_LEFT_GUI = 1u << 3,
    HID_MOD_RIGHT_CTRL = 1u << 4,
    HID_MOD_RIGHT_SHIFT = 1u << 5,
    HID_MOD_RIGHT_ALT = 1u << 6,
    HID_MOD_RIGHT_GUI = 1u << 7,
    HID_MOD_SHIFT = HID_MOD_LEFT_SHIFT | HID_MOD_RIGHT_SHIFT,
    /* With one of these held a key is a shortcut, not text. */
    HID_MOD_NOT_TEXT = HID_MOD_LEFT_CTRL | HID_MOD_LEFT_ALT | HID_MOD_LEFT_GUI |
                       HID_MOD_RIGHT_CTRL | HID_MOD_RIGHT_ALT | HID_MOD_RIGHT_GUI,
};

/* Report layout. */
enum { HID_REPORT_MODS = 0, HID_REPORT_KEYS = 2 };

/* US layout: {unshifted, shifted} by usage id; {0, 0} has no character. */
static const char USAGE_CHARS[HID_USAGE_TABLE_END][2] = {
    [0x04] = {'a', 'A'},
    [0x05] = {'b', 'B'},
    [0x06] = {'c', 'C'},
    [0x07] = {'d', 'D'},
    [0x08] = {'e', 'E'},
    [0x09] = {'f', 'F'},
    [0x0A] = {'g', 'G'},
    [0x0B] = {'h', 'H'},
    [0x0C] = {'i', 'I'},
    [0x0D] = {'j', 'J'},
    [0x0E] = {'k', 'K'},
    [0x0F] = {'l', 'L'},
    [0x10] = {'m', 'M'},
    [0x11] = {'n', 'N'},
    [0x12] = {'o', 'O'},
    [0x13] = {'p', 'P'},
    [0x14] = {'q', 'Q'},
    [0x15] = {'r', 'R'},
    [0x16] = {'s', 'S'},
    [0x17] = {'t', 'T'},
    [0x18] = {'u', 'U'},
    [0x19] = {'v', 'V'},
    [0x1A] = {'w', 'W'},
    [0x1B] = {'x', 'X'},
    [0x1C] = {'y', 'Y'},
    [0x1D] = {'z', 'Z'},
    [0x1E] = {'1', '!'},
    [0x1F] = {'2', '@'},
    [0x20] = {'3', '#'},
    [0x21] = {'4', '$'},
    [0x22] = {'5', '%'},
    [0x23] = {'6', '^'},
    [0x24] = {'7', '&'},
    [0x25] = {'8', '*'},
    [0x26] = {'9', '('},
    [0x27] = {'0', ')'},
    [HID_USAGE_SPACE] = {' ', ' '},
    [HID_USAGE_MINUS] = {'-', '_'},
    [HID_USAGE_EQUAL] = {'=', '+'},
    [HID_USAGE_LEFT_BRACKET] = {'[', '{'},
    [HID_USAGE_RIGHT_BRACKET] = {']', '}'},
    [HID_USAGE_BACKSLASH] = {'\\', '|'},
    [HID_USAGE_NON_US_HASH] = {'\\', '|'},
    [HID_USAGE_SEMICOLON] = {';', ':'},
    [HID_USAGE_APOSTROPHE] = {'\'', '"'},
    [HID_USAGE_GRAVE] = {'`', '~'},
    [HID_USAGE_COMMA] = {',', '<'},
    [HID_USAGE_DOT] = {'.', '>'},
    [HID_USAGE_SLASH] = {'/', '?'},
    /* Keypad: its characters whatever shift says. Num lock is the host's business, and a scanner
       that types keypad digits means digits. */
    [HID_USAGE_KP_SLASH] = {'/', '/'},
    [HID_USAGE_KP_ASTERISK] = {'*', '*'},
    [HID_USAGE_KP_MINUS] = {'-', '-'},
    [HID_USAGE_KP_PLUS] = {'+', '+'},
    [0x59] = {'1', '1'},
    [0x5A] = {'2', '2'},
    [0x5B] = {'3', '3'},
    [0x5C] = {'4', '4'},
    [0x5D] = {'5', '5'},
    [0x5E] = {'6', '6'},
    [0x5F] = {'7', '7'},
    [0x60] = {'8', '8'},
    [0x61] = {'9', '9'},
    [HID_USAGE_KP_0] = {'0', '0'},
    [HID_USAGE_KP_DOT] = {'.', '.'},
};

/* evdev key code -> HID usage id: the inverse of the kernel's hid_keyboard[] for the keys above,
   the terminators, caps lock and the modifiers. 0 = not a key this decoder uses. */
enum { EVDEV_TABLE_END = KEY_RIGHTMETA + 1 };

static const uint8_t EVDEV_USAGE[EVDEV_TABLE_END] = {
    [KEY_A] = 0x04,
    [KEY_B] = 0x05,
    [KEY_C] = 0x06,
    [KEY_D] = 0x07,
    [KEY_E] = 0x08,
    [KEY_F] = 0x09,
    [KEY_G] = 0x0A,
    [KEY_H] = 0x0B,
    [KEY_I] = 0x0C,
    [KEY_J] = 0x0D,
    [KEY_K] = 0x0E,
    [KEY_L] = 0x0F,
    [KEY_M] = 0x10,
    [KEY_N] = 0x11,
    [KEY_O] = 0x12,
    [KEY_P] = 0x13,
    [KEY_Q] = 0x14,
    [KEY_R] = 0x15,
    [KEY_S] = 0x16,
    [KEY_T] = 0x17,
    [KEY_U] = 0x18,
    [KEY_V] = 0x19,
    [KEY_W] = 0x1A,
    [KEY_X] = 0x1B,
    [KEY_Y] = 0x1C,
    [KEY_Z] = 0x1D,
    [KEY_1] = 0x1E,
    [KEY_2] = 0x1F,
    [KEY_3] = 0x20,
    [KEY_4] = 0x21,
    [KEY_5] = 0x22,
    [KEY_6] = 0x23,
    [KEY_7] = 0x24,
    [KEY_8] = 0x25,
    [KEY_9] = 0x26,
    [KEY_0] = 0x27,
    [KEY_ENTER] = HID_USAGE_ENTER,
    [KEY_TAB] = HID_USAGE_TAB,
    [KEY_SPACE] = HID_USAGE_SPACE,
    [KEY_MINUS] = HID_USAGE_MINUS,
    [KEY_EQUAL] = HID_USAGE_EQUAL,
    [KEY_LEFTBRACE] = HID_USAGE_LEFT_BRACKET,
    [KEY_RIGHTBRACE] = HID_USAGE_RIGHT_BRACKET,
    [KEY_BACKSLASH] = HID_USAGE_BACKSLASH,
    [KEY_SEMICOLON] = HID_USAGE_SEMICOLON,
    [KEY_APOSTROPHE] = HID_USAGE_APOSTROPHE,
    [KEY_GRAVE] = HID_USAGE_GRAVE,
    [KEY_COMMA] = HID_USAGE_COMMA,
    [KEY_DOT] = HID_USAGE_DOT,
    [KEY_SLASH] = HID_USAGE_SLASH,
    [KEY_CAPSLOCK] = HID_USAGE_CAPS_LOCK,
    [KEY_KPSLASH] = HID_USAGE_KP_SLASH,
    [KEY_KPASTERISK] = HID_USAGE_KP_ASTERISK,
    [KEY_KPMINUS] = HID_USAGE_KP_MINUS,
    [KEY_KPPLUS] = HID_USAGE_KP_PLUS,
    [KEY_KPENTER] = HID_USAGE_KP_ENTER,
    [KEY_KP1] = 0x59,
    [KEY_KP2] = 0x5A,
    [KEY_KP3] = 0x5B,
    [KEY_KP4] = 0x5C,
    [KEY_KP5] = 0x5D,
    [KEY_KP6] = 0x5E,
    [KEY_KP7] = 0x5F,
    [KEY_KP8] = 0x60,
    [KEY_KP9] = 0x61,
    [KEY_KP0] = HID_USAGE_KP_0,
    [KEY_KPDOT] = HID_USAGE_KP_DOT,
    [KEY_LEFTCTRL] = 0xE0,
    [KEY_LEFTSHIFT] = 0xE1,
    [KEY_LEFTALT] = 0xE2,
    [KEY_LEFTMETA] = 0xE3,
    [KEY_RIGHTCTRL] = 0xE4,
    [KEY_RIGHTSHIFT] = 0xE5,
    [KEY_RIGHTALT] = 0xE6,
    [KEY_RIGHTMETA] = 0xE7,
};

/* evdev key values. */
enum { EVDEV_RELEASE = 0, EVDEV_PRESS = 1, EVDEV_AUTOREPEAT = 2 };

static bool is_modifier(uint8_t usage)
{
    return usage >= HID_USAGE_LEFT_CTRL && usage <= HID_USAGE_RIGHT_GUI;
}

static uint8_t modifier_bit(uint8_t usage)
{
    return (uint8_t)(1u << (usage - HID_USAGE_LEFT_CTRL));
}

static const char *scan_name(const hal_hidkbd *dec)
{
    return dec->mode == HAL_HIDKBD_CARDREADER ? "card UID" : "scan";
}

hal_err hal_hidkbd_init(hal_hidkbd *dec, hal_hidkbd_mode mode, unsigned terminators)
{
    if (!dec || (mode != HAL_HIDKBD_SCANNER && mode != HAL_HIDKBD_CARDREADER) ||
        (terminators & ~(unsigned)HAL_HIDKBD_TERM_ALL))
        return HAL_ERR_INVALID;
    memset(dec, 0, sizeof *dec);
    dec->mode = mode;
    dec->terminators = terminators;
    return HAL_OK;
}

void hal_hidkbd_reset(hal_hidkbd *dec)
{
    if (dec)
        (void)hal_hidkbd_init(dec, dec->mode, dec->terminators);
}

static bool is_terminator(const hal_hidkbd *dec, uint8_t usage)
{
    if (usage == HID_USAGE_ENTER || usage == HID_USAGE_KP_ENTER)
        return (dec->terminators & HAL_HIDKBD_TERM_ENTER) != 0;
    if (usage == HID_USAGE_TAB)
        return (dec->terminators & HAL_HIDKBD_TERM_TAB) != 0;
    return false;
}

/* The scan ends: deliver it, unless it was discarded or is empty. */
static void end_scan(hal_hidkbd *dec, const char *device, hal_events *out)
{
    size_t start = 0, end = dec->len;
    bool deliver = !dec->discarding;
    dec->discarding = false;
    dec->len = 0;
    if (!deliver)
        return;
    hal_event_kind kind = HAL_EVENT_QR;
    if (dec->mode == HAL_HIDKBD_CARDREADER) {
        /* Readers pad UIDs to a fixed width or add a prefix space; the UID itself has none. */
        kind = HAL_EVENT_MEAL_CARD;
        while (start < end && dec->text[start] == ' ')
            start++;
        while (end > start && dec->text[end - 1] == ' ')
            end--;
    }
    if (start == end)
        return; /* a stray terminator: nothing was read */
    hal_event *ev = hal_events_add(out, kind, device);
    if (ev)
        memcpy(ev->u.text, dec->text + start, end - start); /* NUL: the event is zeroed */
}

static void append(hal_hidkbd *dec, const char *device, char c, hal_events *out)
{
    if (dec->discarding)
        return;
    if (dec->len == HAL_TEXT_MAX - 1) {
        /* Not a code anyone issued: say so once, then wait for the end of it so that its tail
           is not taken for the next scan. */
        hal_events_error(out, device, "%s longer than %d characters: discarded", scan_name(dec),
                         HAL_TEXT_MAX - 1);
        dec->discarding = true;
        dec->len = 0;
        return;
    }
    dec->text[dec->len++] = c;
}

/* One key press, from either feed; mods are HID modifier bits. */
static void press(hal_hidkbd *dec, const char *device, uint8_t usage, uint8_t mods, hal_events *out)
{
    if (usage == HID_USAGE_CAPS_LOCK) {
        /* The host toggles caps lock whatever else is held; so does the decoder. */
        dec->caps_lock = !dec->caps_lock;
        return;
    }
    if (mods & HID_MOD_NOT_TEXT)
        return;
    if (is_terminator(dec, usage)) {
        end_scan(dec, device, out);
        return;
    }
    if (usage >= HID_USAGE_TABLE_END || USAGE_CHARS[usage][0] == '\0')
        return;
    bool shift = (mods & HID_MOD_SHIFT) != 0;
    if (usage >= HID_USAGE_A && usage <= HID_USAGE_Z && dec->caps_lock)
        shift = !shift; /* caps lock affects letters only; shift inverts it */
    append(dec, device, USAGE_CHARS[usage][shift ? 1 : 0], out);
}

static bool is_error_report(const uint8_t *keys)
{
    for (size_t i = 0; i < HAL_HIDKBD_REPORT_KEYS; i++)
        if (keys[i] >= HID_USAGE_ERR_ROLLOVER && keys[i] <= HID_USAGE_ERR_UNDEFINED)
            return true;
    return false;
}

static bool contains(const uint8_t *keys, size_t n, uint8_t usage)
{
    for (size_t i = 0; i < n; i++)
        if (keys[i] == usage)
            return true;
    return false;
}

static void report(hal_hidkbd *dec, const char *device, const uint8_t *r, hal_events *out)
{
    const uint8_t *keys = r + HID_REPORT_KEYS;
    /* Rollover: the device cannot say which keys are down. Keeping the previous report as the
       reference means keys held through it are not pressed twice and new ones still count. */
    if (is_error_report(keys))
        return;
    uint8_t mods = r[HID_REPORT_MODS];
    /* Some devices put modifiers in the key slots instead of (or as well as) the modifier byte. */
    for (size_t i = 0; i < HAL_HIDKBD_REPORT_KEYS; i++)
        if (is_modifier(keys[i]))
            mods |= modifier_bit(keys[i]);
    /* New usages, in slot order; a usage repeated within one report counts once. */
    for (size_t i = 0; i < HAL_HIDKBD_REPORT_KEYS; i++)
        if (keys[i] != 0 && !contains(dec->held, HAL_HIDKBD_REPORT_KEYS, keys[i]) &&
            !contains(keys, i, keys[i]))
            press(dec, device, keys[i], mods, out);
    memcpy(dec->held, keys, HAL_HIDKBD_REPORT_KEYS);
}

hal_err hal_hidkbd_feed(hal_hidkbd *dec, const char *device, const uint8_t *bytes, size_t n,
                        hal_events *out)
{
    if (!dec || !out || (!bytes && n > 0))
        return HAL_ERR_INVALID;
    while (n > 0) {
        if (dec->npending == 0 && n >= HAL_HIDKBD_REPORT_LEN) {
            report(dec, device, bytes, out);
            bytes += HAL_HIDKBD_REPORT_LEN;
            n -= HAL_HIDKBD_REPORT_LEN;
            continue;
        }
        size_t take = HAL_HIDKBD_REPORT_LEN - dec->npending;
        if (take > n)
            take = n;
        memcpy(dec->pending + dec->npending, bytes, take);
        dec->npending += take;
        bytes += take;
        n -= take;
        if (dec->npending == HAL_HIDKBD_REPORT_LEN) {
            dec->npending = 0;
            report(dec, device, dec->pending, out);
        }
    }
    return HAL_OK;
}

hal_err hal_hidkbd_feed_evdev(hal_hidkbd *dec, const char *device, uint16_t type, uint16_t code,
                              int32_t value, hal_events *out)
{
    if (!dec || !out)
        return HAL_ERR_INVALID;
    if (type == EV_SYN && code == SYN_DROPPED) {
        /* The kernel's buffer overflows only in a burst, so the lost key events belong to a
           scan (this one or the next) that is no longer what was typed: discard it up to its
           terminator or the idle flush rather than deliver a truncated code. Releases may be
           lost too; a scanner holds shift only around one character, so assume none is held. */
        hal_events_error(out, device, "input events lost: %s discarded", scan_name(dec));
        dec->discarding = true;
        dec->len = 0;
        dec->evdev_mods = 0;
        dec->evdev_lost = true;
        return HAL_OK;
    }
    if (type == EV_SYN && code == SYN_REPORT) {
        dec->evdev_lost = false;
        return HAL_OK;
    }
    if (type != EV_KEY || dec->evdev_lost || code >= EVDEV_TABLE_END)
        return HAL_OK;
    uint8_t usage = EVDEV_USAGE[code];
    if (usage == 0)
        return HAL_OK;
    if (is_modifier(usage)) {
        if (value == EVDEV_PRESS)
            dec->evdev_mods |= modifier_bit(usage);
        else if (value == EVDEV_RELEASE)
            dec->evdev_mods &= (uint8_t)~modifier_bit(usage);
        return HAL_OK;
    }
    if (value == EVDEV_PRESS)
        press(dec, device, usage, dec->evdev_mods, out);
    return HAL_OK;
}

hal_err hal_hidkbd_flush(hal_hidkbd *dec, const char *device, hal_events *out)
{
    if (!dec || !out)
        return HAL_ERR_INVALID;
    if (dec->npending > 0) {
        hal_events_error(out, device, "truncated report: %zu of %d bytes discarded", dec->npending,
                         HAL_HIDKBD_REPORT_LEN);
        dec->npending = 0;
    }
    end_scan(dec, device, out);
    return HAL_OK;
}
