/*
 * libFuzzer: the keyboard-wedge decoder over any input, through either feed.
 *
 * Byte 0 picks the configuration: bit 0 the mode (scanner / card reader), bits 1-2 the
 * terminator set, bit 3 the feed (HID reports / evdev events), bits 4-7 the HID chunk size - 1.
 * The rest is a HID report stream, or evdev events of 4 bytes each (see evdev_event).
 *
 * Every event must keep the header's promises: the right kind for the mode, printable ASCII text
 * of fewer than HAL_TEXT_MAX bytes, never empty, a UID without surrounding spaces, and no events
 * dropped when the caller follows the documented chunking. HID streams are decoded twice, in
 * the fuzzed chunk size and report by report, and must give the same events: how transfers cut
 * a stream never changes what was typed.
 */
#include "hal/hidkbd.h"

#include <linux/input-event-codes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
    SEL_CARDREADER = 1u << 0,
    SEL_TERMS_SHIFT = 1,
    SEL_TERMS_MASK = 3u,
    SEL_EVDEV = 1u << 3,
    SEL_CHUNK_SHIFT = 4,
    EVDEV_RECORD = 4,
    FNV_OFFSET = 2166136261u,
    FNV_PRIME = 16777619u,
};

static const char DEVICE[] = "fuzz0";

static uint32_t hash_bytes(uint32_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * FNV_PRIME;
    return h;
}

/* Checks each event and folds it into *h; aborts on a broken promise. */
static void check(const hal_hidkbd *dec, const hal_events *evs, size_t max, uint32_t *h)
{
    if (evs->dropped != 0 || evs->n > max)
        abort();
    for (size_t i = 0; i < evs->n; i++) {
        const hal_event *ev = &evs->v[i];
        if (strcmp(ev->device, DEVICE) != 0)
            abort();
        if (ev->kind == HAL_EVENT_ERROR) {
            if (ev->u.error[0] == '\0' || !memchr(ev->u.error, '\0', sizeof ev->u.error))
                abort();
            *h = hash_bytes(*h, ev->u.error, strlen(ev->u.error) + 1);
            continue;
        }
        hal_event_kind want =
            dec->mode == HAL_HIDKBD_CARDREADER ? HAL_EVENT_MEAL_CARD : HAL_EVENT_QR;
        const char *end = memchr(ev->u.text, '\0', sizeof ev->u.text);
        if (ev->kind != want || !end || end == ev->u.text)
            abort();
        for (const char *c = ev->u.text; c < end; c++)
            if (*c < 0x20 || *c > 0x7E)
                abort();
        if (want == HAL_EVENT_MEAL_CARD && (ev->u.text[0] == ' ' || end[-1] == ' '))
            abort();
        *h = hash_bytes(*h, &ev->kind, sizeof ev->kind);
        *h = hash_bytes(*h, ev->u.text, (size_t)(end - ev->u.text) + 1);
    }
}

/* A report yields at most three events (one per terminator usage: a character overflowing needs
   HAL_TEXT_MAX - 1 before it), a flush at most two; the bound below is what the fuzzer holds the
   decoder to. */
enum { EVENTS_PER_REPORT = 3, EVENTS_PER_FLUSH = 2 };

static uint32_t run_hid(hal_hidkbd *dec, const uint8_t *data, size_t size, size_t chunk)
{
    uint32_t h = FNV_OFFSET;
    for (size_t at = 0; at < size; at += chunk) {
        size_t n = size - at < chunk ? size - at : chunk;
        hal_events evs = {0};
        if (hal_hidkbd_feed(dec, DEVICE, data + at, n, &evs) != HAL_OK)
            abort();
        /* n bytes complete at most n / 8 + 1 reports (one finished from the buffer). */
        check(dec, &evs, (n / HAL_HIDKBD_REPORT_LEN + 1) * EVENTS_PER_REPORT, &h);
    }
    hal_events evs = {0};
    if (hal_hidkbd_flush(dec, DEVICE, &evs) != HAL_OK)
        abort();
    check(dec, &evs, EVENTS_PER_FLUSH, &h);
    return h;
}

/*
 * One evdev event from 4 bytes b0..b3. Mostly key events with codes from 0-255 (where every key
 * the decoder knows lives) and values 0-2; sometimes sync events (SYN_DROPPED included), and
 * sometimes anything at all.
 */
static void evdev_event(const uint8_t *b, uint16_t *type, uint16_t *code, int32_t *value)
{
    switch (b[0] & 7u) {
    case 0:
        *type = EV_SYN;
        *code = b[1] & 3u; /* SYN_REPORT, SYN_CONFIG, SYN_MT_REPORT, SYN_DROPPED */
        *value = 0;
        break;
    case 7:
        *type = (uint16_t)(b[1] | (b[2] << 8));
        *code = b[3];
        *value = (int32_t)(int8_t)b[0];
        break;
    default:
        *type = EV_KEY;
        *code = (b[0] & 0x80u) ? (uint16_t)(b[1] | (b[3] << 8)) : b[1];
        *value = (b[0] & 0x40u) ? (int32_t)(int8_t)b[2] : b[2] % 3;
        break;
    }
}

static void run_evdev(hal_hidkbd *dec, const uint8_t *data, size_t size)
{
    uint32_t h = FNV_OFFSET;
    for (size_t at = 0; at + EVDEV_RECORD <= size; at += EVDEV_RECORD) {
        uint16_t type, code;
        int32_t value;
        evdev_event(data + at, &type, &code, &value);
        hal_events evs = {0};
        if (hal_hidkbd_feed_evdev(dec, DEVICE, type, code, value, &evs) != HAL_OK)
            abort();
        check(dec, &evs, 1, &h);
    }
    hal_events evs = {0};
    if (hal_hidkbd_flush(dec, DEVICE, &evs) != HAL_OK)
        abort();
    check(dec, &evs, EVENTS_PER_FLUSH, &h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    unsigned sel = data[0];
    hal_hidkbd_mode mode = (sel & SEL_CARDREADER) ? HAL_HIDKBD_CARDREADER : HAL_HIDKBD_SCANNER;
    unsigned terms = (sel >> SEL_TERMS_SHIFT) & SEL_TERMS_MASK;
    size_t chunk = (sel >> SEL_CHUNK_SHIFT) + 1;
    data++;
    size--;
    hal_hidkbd dec;
    if (hal_hidkbd_init(&dec, mode, terms) != HAL_OK)
        abort();
    if (sel & SEL_EVDEV) {
        run_evdev(&dec, data, size);
        return 0;
    }
    uint32_t a = run_hid(&dec, data, size, chunk);
    hal_hidkbd whole;
    if (hal_hidkbd_init(&whole, mode, terms) != HAL_OK)
        abort();
    if (run_hid(&whole, data, size, HAL_HIDKBD_REPORT_LEN) != a)
        abort();
    return 0;
}
