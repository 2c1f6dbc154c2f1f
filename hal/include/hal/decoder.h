/*
 * One decoder for any driver: the byte stream a device sends, turned into events, whichever
 * protocol the configured driver speaks. `zhucan-hal replay` runs a recorded file through it, and
 * every live device runs its transport's bytes through it, so what a replay shows is what the
 * kiosk would have seen.
 */
#ifndef HAL_DECODER_H
#define HAL_DECODER_H

#include "hal/escpos.h"
#include "hal/ga467.h"
#include "hal/hal.h"
#include "hal/hidkbd.h"
#include "hal/sim.h"

typedef enum hal_driver {
    HAL_DRIVER_GA467 = 0,
    HAL_DRIVER_HID_SCANNER,
    HAL_DRIVER_HID_CARDREADER,
    HAL_DRIVER_ESCPOS,
    HAL_DRIVER_SIM,
} hal_driver;

/* What the bytes are: HID boot reports from USB, or struct input_event records from evdev. */
typedef enum hal_framing { HAL_FRAMING_BYTES = 0, HAL_FRAMING_EVDEV } hal_framing;

enum { HAL_ESCPOS_REPLY_BUF = 4 };

typedef struct hal_decoder {
    hal_driver driver;
    hal_framing framing;
    size_t partial; /* evdev: bytes of an input_event record still awaited */
    uint8_t record[32];
    union {
        hal_ga467_decoder ga467;
        hal_hidkbd hid;
        hal_sim_decoder sim;
        struct {
            uint8_t reply[HAL_ESCPOS_REPLY_BUF];
            size_t n;
        } escpos;
    } u;
} hal_decoder;

/* The driver for a DESIGN.md driver name: ga467, hid-scanner, hid-cardreader, escpos, sim. */
hal_err hal_driver_parse(const char *name, hal_driver *out);

hal_err hal_decoder_init(hal_decoder *dec, hal_driver driver, hal_framing framing);

/* Decodes bytes in any chunking; completed events are appended to out. */
void hal_decoder_feed(hal_decoder *dec, const char *device, const uint8_t *bytes, size_t n,
                      hal_events *out);

/* The input paused (idle timeout, end of a replay file): complete what can be completed. */
void hal_decoder_flush(hal_decoder *dec, const char *device, hal_events *out);

#endif
