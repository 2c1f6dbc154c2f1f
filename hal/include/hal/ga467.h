/*
 * GA 467 resident-ID-card readers: the frame protocol every SAM-based reader speaks (serial or
 * USB), turned into ID card events, and the polling loop that drives the reader.
 *
 * The reader answers commands with frames `AA AA AA 96 69`, a big-endian length, three status
 * bytes, data and an XOR checksum. This module has two pure parts and no I/O:
 *
 *  - The decoder takes the reader's bytes in whatever chunks the transport delivers, finds frames,
 *    checks them and decodes a read-base-info reply's UCS-2LE text block into a hal_id_card. It
 *    keeps one fixed buffer, never allocates, and treats garbage the way DESIGN.md asks of every
 *    decoder: an error event, a resync, never a crash. The photo passes through the buffer
 *    undecoded and is wiped with the rest of each consumed frame.
 *  - The reader state machine decides what to send next: find card, select card, read base info,
 *    and then nothing more for that card until a find fails, because an ID card must be lifted and
 *    presented again before it is read again. Ticks stand in for time, so it is tested without a
 *    clock.
 *
 * A driver's loop: hal_ga467_reader_step(NULL) gives the first command; send it and wait up to
 * action.wait_ms for bytes. Bytes go to hal_ga467_feed_frames, and each frame it completes to
 * hal_ga467_reader_step. When the wait runs out, hal_ga467_flush (a reply cut short is given up)
 * and hal_ga467_reader_step(NULL). `zhucan-hal replay --driver ga467` uses hal_ga467_feed alone,
 * which turns every frame into events without a state machine.
 */
#ifndef HAL_GA467_H
#define HAL_GA467_H

#include "hal/hal.h"

/* Frame layout: preamble, length, then (replies) SW1 SW2 SW3 data checksum. */
enum {
    HAL_GA467_PREAMBLE_LEN = 5, /* AA AA AA 96 69: three sync bytes, then the frame start */
    HAL_GA467_LENGTH_LEN = 2,   /* big-endian count of every byte after it, the checksum too */
    HAL_GA467_HEADER_LEN = HAL_GA467_PREAMBLE_LEN + HAL_GA467_LENGTH_LEN,
    HAL_GA467_STATUS_LEN = 3,   /* SW1 SW2 relayed from the card, SW3 the reader's own status */
    HAL_GA467_OPCODE_LEN = 2,   /* CMD PARA, in commands */
    HAL_GA467_CHECKSUM_LEN = 1, /* XOR of the length bytes through the data */

    /* Read base info's data: text length, photo length (big-endian), text, photo. */
    HAL_GA467_PART_LENGTH_LEN = 2,
    HAL_GA467_BASE_LENGTHS_LEN = 2 * HAL_GA467_PART_LENGTH_LEN,
    HAL_GA467_TEXT_LEN = 256, /* the UCS-2LE text block */
    HAL_GA467_PHOTO_LEN = 1024,
    HAL_GA467_FINGERPRINT_LEN = 1024,

    /* Shortest reply: status and checksum. Longest: base info with fingerprints, whose data
       has a third length field; anything longer cannot be a reply and is rejected at once. */
    HAL_GA467_REPLY_LEN_MIN = HAL_GA467_STATUS_LEN + HAL_GA467_CHECKSUM_LEN,
    HAL_GA467_REPLY_LEN_MAX = HAL_GA467_STATUS_LEN + HAL_GA467_BASE_LENGTHS_LEN +
                              HAL_GA467_PART_LENGTH_LEN + HAL_GA467_TEXT_LEN + HAL_GA467_PHOTO_LEN +
                              HAL_GA467_FINGERPRINT_LEN + HAL_GA467_CHECKSUM_LEN,
    HAL_GA467_FRAME_MAX = HAL_GA467_HEADER_LEN + HAL_GA467_REPLY_LEN_MAX,

    /* A command without data, which is every command this module sends. */
    HAL_GA467_COMMAND_LEN = HAL_GA467_HEADER_LEN + HAL_GA467_OPCODE_LEN + HAL_GA467_CHECKSUM_LEN,
};

/* Commands (CMD, PARA). */
enum {
    HAL_GA467_CMD_CARD = 0x20,
    HAL_GA467_PARA_FIND = 0x01,   /* find card: is one on the reader? */
    HAL_GA467_PARA_SELECT = 0x02, /* select card: mutual authentication with it */
    HAL_GA467_CMD_READ = 0x30,
    HAL_GA467_PARA_BASE_INFO = 0x01, /* read base info: text block and photo */
};

/* SW3, the reader's status byte. */
enum {
    HAL_GA467_SW3_OK = 0x90,
    HAL_GA467_SW3_FOUND = 0x9F,            /* find card succeeded */
    HAL_GA467_SW3_CMD_CHECKSUM = 0x10,     /* the reader got a command with a bad checksum */
    HAL_GA467_SW3_CMD_LENGTH = 0x11,       /* ... with a bad length */
    HAL_GA467_SW3_CMD_INVALID = 0x21,      /* ... with a bad command or parameter */
    HAL_GA467_SW3_UNAUTHORISED = 0x23,     /* operation not permitted */
    HAL_GA467_SW3_UNKNOWN_ERROR = 0x24,    /* the reader's own "unrecognised error" */
    HAL_GA467_SW3_CARD_AUTH = 0x31,        /* the card did not authenticate the reader */
    HAL_GA467_SW3_READER_AUTH = 0x32,      /* the reader did not authenticate the card */
    HAL_GA467_SW3_VERIFY = 0x33,           /* the card's information failed verification */
    HAL_GA467_SW3_CARD_TYPE = 0x40,        /* not a card the reader knows */
    HAL_GA467_SW3_READ_FAILED = 0x41,      /* reading the card failed (moved, faded, damaged) */
    HAL_GA467_SW3_RANDOM = 0x47,           /* getting a random number from the card failed */
    HAL_GA467_SW3_SELF_TEST = 0x60,        /* the SAM failed its self-test; it accepts nothing */
    HAL_GA467_SW3_SAM_UNAUTHORISED = 0x66, /* the SAM is not authorised for use */
    HAL_GA467_SW3_NO_CARD = 0x80,          /* find card failed: nothing on the reader */
    HAL_GA467_SW3_SELECT_FAILED = 0x81,
    HAL_GA467_SW3_NO_CONTENT = 0x91, /* the card has no such item (e.g. no appended address) */
};

/* valid_to of a card without an end date, as the card spells it; most elders' cards. */
#define HAL_GA467_NO_END_DATE "长期"

/* What a reply means, from its status and its shape; the reader state machine acts on this. */
typedef enum hal_ga467_reply {
    HAL_GA467_REPLY_OK = 0,    /* success with nothing to decode (select card, others) */
    HAL_GA467_REPLY_FOUND,     /* find card: a card is on the reader */
    HAL_GA467_REPLY_BASE_INFO, /* read base info: frame.card holds the decoded text */
    HAL_GA467_REPLY_NO_CARD,   /* find card failed */
    HAL_GA467_REPLY_FAILED,    /* any other failure status; frame.message says which */
    HAL_GA467_REPLY_BAD_TEXT,  /* base info that does not decode; frame.message says why */
} hal_ga467_reply;

/* One checked reply frame. The photo is not part of it. */
typedef struct hal_ga467_frame {
    hal_ga467_reply reply;
    uint8_t sw1, sw2, sw3;
    size_t data_len;
    /* For NO_CARD, FAILED and BAD_TEXT: a static English sentence; NULL for a status this
       module does not know (hal_ga467_frame_events then names the code). */
    const char *message;
    hal_id_card card; /* BASE_INFO only */
} hal_ga467_frame;

/* Frames completed by one feed. Fixed capacity like hal_events: extra frames are counted. */
enum { HAL_GA467_FRAMES_MAX = 4 };

typedef struct hal_ga467_frames {
    size_t n;
    size_t dropped;
    hal_ga467_frame v[HAL_GA467_FRAMES_MAX];
} hal_ga467_frames;

/* The stream decoder. Plain data: may live on the stack or inside a driver, no cleanup. */
typedef struct hal_ga467_decoder {
    size_t start;   /* first unconsumed byte of buf */
    size_t len;     /* end of the buffered bytes */
    uint64_t noise; /* bytes skipped outside any frame, for diagnostics */
    uint8_t buf[HAL_GA467_FRAME_MAX];
} hal_ga467_decoder;

void hal_ga467_decoder_init(hal_ga467_decoder *dec);

/* Forgets (and wipes) buffered bytes, e.g. after the transport reconnects. */
void hal_ga467_decoder_reset(hal_ga467_decoder *dec);

/*
 * Feeds bytes from the reader; every frame completed becomes events (hal_ga467_frame_events),
 * every framing error an error event. HAL_OK when the call completed a frame or reported an
 * error, HAL_ERR_AGAIN when it only buffered, HAL_ERR_INVALID for bad arguments.
 */
hal_err hal_ga467_feed(hal_ga467_decoder *dec, const char *device, const uint8_t *bytes, size_t n,
                       hal_events *out);

/* The same, but completed frames go to `frames` for the reader state machine; only framing
   errors become events. */
hal_err hal_ga467_feed_frames(hal_ga467_decoder *dec, const char *device, const uint8_t *bytes,
                              size_t n, hal_ga467_frames *frames, hal_events *out);

/*
 * The stream paused (reply timeout, end of a replay file): a frame still incomplete is given up
 * with an error event and the bytes after its preamble are scanned again, so a whole frame hiding
 * behind a cut-short one is delivered. `frames` may be NULL: frames then become events.
 */
hal_err hal_ga467_flush(hal_ga467_decoder *dec, const char *device, hal_ga467_frames *frames,
                        hal_events *out);

/* Checks and parses exactly one whole reply frame (preamble to checksum). */
hal_err hal_ga467_parse_frame(const uint8_t *bytes, size_t n, hal_ga467_frame *frame);

/* The events a frame stands for on its own: a card for base info, an error for a failure, none
   for find or select success. */
void hal_ga467_frame_events(const hal_ga467_frame *frame, const char *device, hal_events *out);

/* An English sentence for a failure status; NULL for success statuses and unknown codes. */
const char *hal_ga467_status_message(uint8_t sw3);

/* Builds a command without data into buf; *len gets its length (HAL_GA467_COMMAND_LEN). */
hal_err hal_ga467_command(uint8_t cmd, uint8_t para, uint8_t *buf, size_t size, size_t *len);

/* The reader's polling loop. Timing in milliseconds, for the driver's waits. */
enum {
    HAL_GA467_POLL_MS = 300,   /* between find-card polls: a card feels read at once */
    HAL_GA467_REPLY_MS = 1000, /* find and select answer in tens of milliseconds */
    /* Reading moves ~1.3 KB over the card's 106 kbit/s link after mutual authentication, and
       over a 9600 baud serial line the reply alone takes 1.35 s. */
    HAL_GA467_READ_MS = 3000,
    HAL_GA467_SILENT_TICKS = 3, /* unanswered commands in a row before "does not answer" */
};

typedef enum hal_ga467_reader_state {
    HAL_GA467_SEARCHING = 0, /* polling find card */
    HAL_GA467_SELECTING,     /* a card was found; select sent */
    HAL_GA467_READING,       /* selected; read base info sent */
    HAL_GA467_WAITING_LIFT,  /* read (or failed): polling find until it fails */
} hal_ga467_reader_state;

typedef struct hal_ga467_reader {
    hal_ga467_reader_state state;
    bool pending;    /* a command is out and not yet answered */
    unsigned silent; /* ticks in a row with a command unanswered */
    uint8_t fault;   /* SW3 of the reader fault last reported, 0 for none: report once */
} hal_ga467_reader;

/* What the driver does next: send cmd (when cmd_len > 0), then wait up to wait_ms for a reply
   before stepping again with NULL. */
typedef struct hal_ga467_action {
    uint8_t cmd[HAL_GA467_COMMAND_LEN];
    size_t cmd_len;
    unsigned wait_ms;
} hal_ga467_action;

void hal_ga467_reader_init(hal_ga467_reader *reader);

/*
 * One step: `reply` is a frame from the decoder, or NULL when the wait ran out (a tick). Emits
 * the card after a successful read, errors for a failed select or read and for reader faults
 * (each fault once, not every poll), and "does not answer" once after HAL_GA467_SILENT_TICKS.
 * No card on the reader is the idle state, not an error.
 */
hal_err hal_ga467_reader_step(hal_ga467_reader *reader, const char *device,
                              const hal_ga467_frame *reply, hal_ga467_action *action,
                              hal_events *out);

#endif
