/*
 * The hardware abstraction layer: one event model for every input device, and receipt printers.
 *
 * Modelled on UnifiedPOS: a device is opened from configuration, claimed (exclusive use), enabled
 * (it may now deliver data), and delivers data events (an ID card read, a QR code scanned, a meal
 * card tapped) and status events (connected, disconnected, fault) onto one queue that the kiosk
 * polls without blocking. Protocol decoders are pure functions of bytes, so they are tested on
 * recorded byte streams and fuzzed; transports (libusb, serial, evdev) and simulated devices only
 * move bytes. libzchal never includes app/core, and app/core never includes it.
 */
#ifndef HAL_HAL_H
#define HAL_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum hal_err {
    HAL_OK = 0,
    HAL_ERR_INVALID, /* malformed bytes, configuration or arguments */
    HAL_ERR_NOMEM,
    HAL_ERR_IO,        /* the device or file failed */
    HAL_ERR_NOT_FOUND, /* no such device, driver or file */
    HAL_ERR_BUSY,      /* claimed by someone else */
    HAL_ERR_AGAIN,     /* nothing yet: a poll with no event, a decoder wanting more bytes */
    HAL_ERR_UNSUPPORTED,
} hal_err;

const char *hal_err_str(hal_err err);

enum {
    HAL_DEVICE_NAME_MAX = 64,
    HAL_TEXT_MAX = 512,    /* a QR code's text or a card UID, bytes of UTF-8 with the NUL */
    HAL_MESSAGE_MAX = 160, /* an error or status message */
    HAL_FIELD_MAX = 192,   /* one ID card field in UTF-8 (an address is up to 70 characters) */
    HAL_IDNUM_MAX = 19,    /* 18 characters and the NUL */
    HAL_DATE_MAX = 11,     /* "YYYY-MM-DD" and the NUL; or "长期" (no end date) */
};

typedef enum hal_event_kind {
    HAL_EVENT_ID_CARD = 0,
    HAL_EVENT_QR,
    HAL_EVENT_MEAL_CARD,
    HAL_EVENT_STATUS,
    HAL_EVENT_ERROR, /* garbage from a device: the decoder resynchronised and goes on */
} hal_event_kind;

typedef enum hal_status {
    HAL_STATUS_CONNECTED = 0,
    HAL_STATUS_DISCONNECTED,
    HAL_STATUS_FAULT,
    HAL_STATUS_PAPER_OUT, /* printers */
    HAL_STATUS_PAPER_LOW,
} hal_status;

/* The text block of a second-generation resident ID card, decoded (GA 467). No photo. */
typedef struct hal_id_card {
    char name[HAL_FIELD_MAX];
    char sex[HAL_FIELD_MAX];    /* "男" / "女" */
    char nation[HAL_FIELD_MAX]; /* "汉" ... from the two-digit nation code */
    char birth_date[HAL_DATE_MAX];
    char address[HAL_FIELD_MAX];
    char id_number[HAL_IDNUM_MAX];
    char authority[HAL_FIELD_MAX];
    char valid_from[HAL_DATE_MAX];
    char valid_to[HAL_FIELD_MAX]; /* a date, or "长期" for no end date */
} hal_id_card;

typedef struct hal_event {
    hal_event_kind kind;
    char device[HAL_DEVICE_NAME_MAX]; /* the configured device name */
    union {
        hal_id_card id_card;
        char text[HAL_TEXT_MAX]; /* QR text or meal-card UID */
        struct {
            hal_status status;
            char message[HAL_MESSAGE_MAX];
        } status;
        char error[HAL_MESSAGE_MAX];
    } u;
} hal_event;

/*
 * Decoder output: a decoder appends the events it completes. Fixed capacity: a decoder never
 * allocates, so a flood of garbage cannot exhaust memory; events beyond it are dropped and counted.
 */
enum { HAL_EVENTS_MAX = 16 };

typedef struct hal_events {
    size_t n;
    size_t dropped;
    hal_event v[HAL_EVENTS_MAX];
} hal_events;

/* Appends an event (fills device from `device`); counts a drop when full. */
hal_event *hal_events_add(hal_events *out, hal_event_kind kind, const char *device);

/* Appends an error event with a formatted message. */
void hal_events_error(hal_events *out, const char *device, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One JSON line for an event, DESIGN.md's `zhucan-hal replay` format (no newline). */
int hal_event_to_json(const hal_event *ev, char *buf, size_t size);

#endif
