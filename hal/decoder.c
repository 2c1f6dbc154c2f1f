#include "hal/decoder.h"

#include <linux/input.h>
#include <stdio.h>
#include <string.h>

_Static_assert(sizeof(struct input_event) <= sizeof(((hal_decoder *)0)->record),
               "an evdev record fits the reassembly buffer");

static const char *const DRIVER_NAMES[] = {
    [HAL_DRIVER_GA467] = "ga467",
    [HAL_DRIVER_HID_SCANNER] = "hid-scanner",
    [HAL_DRIVER_HID_CARDREADER] = "hid-cardreader",
    [HAL_DRIVER_ESCPOS] = "escpos",
    [HAL_DRIVER_SIM] = "sim",
};

hal_err hal_driver_parse(const char *name, hal_driver *out)
{
    for (size_t i = 0; i < sizeof DRIVER_NAMES / sizeof DRIVER_NAMES[0]; i++)
        if (strcmp(name, DRIVER_NAMES[i]) == 0) {
            *out = (hal_driver)i;
            return HAL_OK;
        }
    return HAL_ERR_NOT_FOUND;
}

hal_err hal_decoder_init(hal_decoder *dec, hal_driver driver, hal_framing framing)
{
    memset(dec, 0, sizeof *dec);
    dec->driver = driver;
    dec->framing = framing;
    switch (driver) {
    case HAL_DRIVER_GA467:
        hal_ga467_decoder_init(&dec->u.ga467);
        return HAL_OK;
    case HAL_DRIVER_HID_SCANNER:
        return hal_hidkbd_init(&dec->u.hid, HAL_HIDKBD_SCANNER, HAL_HIDKBD_TERM_DEFAULT);
    case HAL_DRIVER_HID_CARDREADER:
        return hal_hidkbd_init(&dec->u.hid, HAL_HIDKBD_CARDREADER, HAL_HIDKBD_TERM_DEFAULT);
    case HAL_DRIVER_ESCPOS:
        return HAL_OK;
    case HAL_DRIVER_SIM:
        hal_sim_decoder_init(&dec->u.sim);
        return HAL_OK;
    }
    return HAL_ERR_INVALID;
}

/* evdev delivers whole records, but a replayed file or a short read may split them. */
static void feed_evdev(hal_decoder *dec, const char *device, const uint8_t *bytes, size_t n,
                       hal_events *out)
{
    const size_t size = sizeof(struct input_event);
    while (n > 0) {
        size_t take = size - dec->partial < n ? size - dec->partial : n;
        memcpy(dec->record + dec->partial, bytes, take);
        dec->partial += take;
        bytes += take;
        n -= take;
        if (dec->partial == size) {
            struct input_event ev;
            memcpy(&ev, dec->record, size);
            hal_hidkbd_feed_evdev(&dec->u.hid, device, ev.type, ev.code, ev.value, out);
            dec->partial = 0;
        }
    }
}

/* A printer answers status requests with one byte each; a full set becomes one status event. */
static void feed_escpos(hal_decoder *dec, const char *device, const uint8_t *bytes, size_t n,
                        hal_events *out)
{
    for (size_t i = 0; i < n; i++) {
        dec->u.escpos.reply[dec->u.escpos.n++] = bytes[i];
        if (dec->u.escpos.n < HAL_ESCPOS_STATUS_REPLY_LEN)
            continue;
        hal_status status;
        char message[HAL_MESSAGE_MAX];
        if (hal_escpos_status_parse(dec->u.escpos.reply, dec->u.escpos.n, &status, message,
                                    sizeof message) == HAL_OK) {
            hal_event *ev = hal_events_add(out, HAL_EVENT_STATUS, device);
            if (ev) {
                ev->u.status.status = status;
                snprintf(ev->u.status.message, sizeof ev->u.status.message, "%s", message);
            }
        } else {
            hal_events_error(out, device, "printer: %s", message);
        }
        dec->u.escpos.n = 0;
    }
}

void hal_decoder_feed(hal_decoder *dec, const char *device, const uint8_t *bytes, size_t n,
                      hal_events *out)
{
    switch (dec->driver) {
    case HAL_DRIVER_GA467:
        hal_ga467_feed(&dec->u.ga467, device, bytes, n, out);
        break;
    case HAL_DRIVER_HID_SCANNER:
    case HAL_DRIVER_HID_CARDREADER:
        if (dec->framing == HAL_FRAMING_EVDEV)
            feed_evdev(dec, device, bytes, n, out);
        else
            hal_hidkbd_feed(&dec->u.hid, device, bytes, n, out);
        break;
    case HAL_DRIVER_ESCPOS:
        feed_escpos(dec, device, bytes, n, out);
        break;
    case HAL_DRIVER_SIM:
        hal_sim_feed(&dec->u.sim, device, bytes, n, out);
        break;
    }
}

void hal_decoder_flush(hal_decoder *dec, const char *device, hal_events *out)
{
    switch (dec->driver) {
    case HAL_DRIVER_GA467:
        hal_ga467_flush(&dec->u.ga467, device, NULL, out);
        break;
    case HAL_DRIVER_HID_SCANNER:
    case HAL_DRIVER_HID_CARDREADER:
        hal_hidkbd_flush(&dec->u.hid, device, out);
        break;
    case HAL_DRIVER_ESCPOS:
    case HAL_DRIVER_SIM:
        break;
    }
}
