/*
 * Keyboard-wedge decoding: recorded HID boot-keyboard streams (the .bin files in
 * tests/hal/data/hid, written by make.py there) and evdev key sequences become the scans that were
 * typed, whatever the stream's irregularities and however it is cut.
 */
#include "testutil.h"

#include "hal/hidkbd.h"

#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { RENDER_MAX = 8192 };

#define DEVICE "scanner0"

/* Events as text, one a line: "qr TEXT", "card UID", "error MESSAGE". */
static void render(const hal_events *evs, char *buf, size_t size)
{
    assert_int_equal(evs->dropped, 0);
    for (size_t i = 0; i < evs->n; i++) {
        const hal_event *ev = &evs->v[i];
        assert_string_equal(ev->device, DEVICE);
        size_t len = strlen(buf);
        const char *kind = ev->kind == HAL_EVENT_QR          ? "qr"
                           : ev->kind == HAL_EVENT_MEAL_CARD ? "card"
                           : ev->kind == HAL_EVENT_ERROR     ? "error"
                                                             : "?";
        const char *text = ev->kind == HAL_EVENT_ERROR ? ev->u.error : ev->u.text;
        int n = snprintf(buf + len, size - len, "%s %s\n", kind, text);
        assert_true(n > 0 && (size_t)n < size - len);
    }
}

static uint8_t *load(const char *name, size_t *len)
{
    char path[ZC_TEST_PATH_MAX];
    snprintf(path, sizeof path, "%s/hid/%s", ZC_HAL_DATA, name);
    uint8_t *data = (uint8_t *)zt_read_file(path, len);
    if (!data)
        fail_msg("cannot read %s (run tests/hal/data/hid/make.py)", path);
    return data;
}

/* Decodes data cut into pieces at the given positions (ascending, within n). */
static void decode_cut(hal_hidkbd_mode mode, unsigned terms, bool flush, const uint8_t *data,
                       size_t n, const size_t *cuts, size_t ncuts, char *buf, size_t size)
{
    hal_hidkbd dec;
    assert_int_equal(hal_hidkbd_init(&dec, mode, terms), HAL_OK);
    buf[0] = '\0';
    size_t at = 0;
    for (size_t i = 0; i <= ncuts; i++) {
        size_t end = i < ncuts ? cuts[i] : n;
        hal_events evs = {0};
        assert_int_equal(hal_hidkbd_feed(&dec, DEVICE, data + at, end - at, &evs), HAL_OK);
        render(&evs, buf, size);
        at = end;
    }
    if (flush) {
        hal_events evs = {0};
        assert_int_equal(hal_hidkbd_flush(&dec, DEVICE, &evs), HAL_OK);
        render(&evs, buf, size);
    }
}

typedef struct stream_case {
    const char *file;
    hal_hidkbd_mode mode;
    unsigned terms;
    bool flush; /* the driver's idle flush after the stream */
    const char *expect;
} stream_case;

#define SCAN HAL_HIDKBD_SCANNER
#define CARD HAL_HIDKBD_CARDREADER
#define TERMS HAL_HIDKBD_TERM_DEFAULT
#define OVERLONG "error scan longer than 511 characters: discarded\n"

static const stream_case STREAMS[] = {
    {"qr_zce1.bin", SCAN, TERMS, false, "qr ZCE1.ABCDEFGHIJKLMNOPQRSTUVWXYZ\n"},
    {"url.bin", SCAN, TERMS, false,
     "qr https://zhucan.example/q?t=ZCE1.Ab-9_x&n=%20~;'\"[]{}|\\`<>,*()\n"},
    {"repeats.bin", SCAN, TERMS, false, "qr AAB\nqr 0011\n"},
    {"repeated_reports.bin", SCAN, TERMS, false, "qr AAB0011\n"},
    {"lost_release.bin", SCAN, TERMS, false, "qr ab\nqr cd\nqr e\nqr FGh\nqr x\n"},
    {"shifts.bin", SCAN, TERMS, false, "qr HeWo!@ST\n"},
    {"capslock.bin", SCAN, TERMS, false, "qr ABCa1!dE\n"},
    {"tab.bin", SCAN, TERMS, false, "qr AB12\nqr CD\n"},
    {"tab.bin", SCAN, HAL_HIDKBD_TERM_ENTER, false, "qr AB12CD\n"},
    {"tab.bin", SCAN, HAL_HIDKBD_TERM_TAB, false, "qr AB12\n"},
    {"tab.bin", SCAN, HAL_HIDKBD_TERM_TAB, true, "qr AB12\nqr CD\n"},
    {"tab.bin", SCAN, 0, false, ""},
    {"tab.bin", SCAN, 0, true, "qr AB12CD\n"},
    {"keypad.bin", SCAN, TERMS, false, "qr 0123456789/*-+.5\n"},
    {"keypad.bin", SCAN, HAL_HIDKBD_TERM_TAB, true, "qr 0123456789/*-+.5\n"},
    {"mealcard.bin", CARD, TERMS, false, "card 0012345678\n"},
    {"mealcard.bin", SCAN, TERMS, false, "qr 0012345678\n"},
    {"mealcard_spaces.bin", CARD, TERMS, false, "card 04a1B2c3\n"},
    {"mealcard_spaces.bin", SCAN, TERMS, false, "qr   04a1B2c3 \n"},
    {"stray_enter.bin", CARD, TERMS, true, "card 0012345678\n"},
    {"stray_enter.bin", SCAN, TERMS, true, "qr 0012345678\nqr    \n"},
    {"overlong.bin", SCAN, TERMS, false, OVERLONG "qr GOOD\n"},
    {"overlong.bin", CARD, TERMS, false,
     "error card UID longer than 511 characters: discarded\ncard GOOD\n"},
    {"rollover.bin", SCAN, TERMS, false, "qr ABcd\n"},
    {"noise.bin", SCAN, TERMS, false, "qr a1\n"},
    {"noterm.bin", SCAN, TERMS, false, ""},
    {"noterm.bin", SCAN, TERMS, true, "qr ABC\n"},
    {"noterm.bin", CARD, TERMS, true, "card ABC\n"},
    {"partial.bin", SCAN, TERMS, false, "qr OK\n"},
    {"partial.bin", SCAN, TERMS, true, "qr OK\nerror truncated report: 3 of 8 bytes discarded\n"},
};

static void test_recorded_streams(void **state)
{
    (void)state;
    char got[RENDER_MAX];
    for (size_t i = 0; i < sizeof STREAMS / sizeof STREAMS[0]; i++) {
        const stream_case *c = &STREAMS[i];
        size_t n;
        uint8_t *data = load(c->file, &n);
        decode_cut(c->mode, c->terms, c->flush, data, n, NULL, 0, got, sizeof got);
        free(data);
        if (strcmp(got, c->expect) != 0)
            fail_msg("case %zu (%s): got\n%s\nexpected\n%s", i, c->file, got, c->expect);
    }
}

/* Transfers may split reports anywhere: every cut, and byte by byte, decodes the same. */
static void test_split_everywhere(void **state)
{
    (void)state;
    char whole[RENDER_MAX], got[RENDER_MAX];
    for (size_t i = 0; i < sizeof STREAMS / sizeof STREAMS[0]; i++) {
        const stream_case *c = &STREAMS[i];
        size_t n;
        uint8_t *data = load(c->file, &n);
        decode_cut(c->mode, c->terms, c->flush, data, n, NULL, 0, whole, sizeof whole);
        for (size_t cut = 0; cut <= n; cut++) {
            decode_cut(c->mode, c->terms, c->flush, data, n, &cut, 1, got, sizeof got);
            if (strcmp(got, whole) != 0)
                fail_msg("%s cut at %zu: got\n%s\nexpected\n%s", c->file, cut, got, whole);
        }
        size_t *cuts = malloc((n + 1) * sizeof *cuts);
        assert_non_null(cuts);
        for (size_t k = 0; k < n; k++)
            cuts[k] = k;
        decode_cut(c->mode, c->terms, c->flush, data, n, cuts, n, got, sizeof got);
        assert_string_equal(got, whole);
        free(cuts);
        free(data);
    }
}

/* Reports built here, for cases where the exact count matters more than a recording. */
static const size_t KEY_BYTES = 2 * (size_t)HAL_HIDKBD_REPORT_LEN; /* a press and a release */

static size_t put_key(uint8_t *buf, uint8_t mods, uint8_t usage)
{
    const uint8_t press[HAL_HIDKBD_REPORT_LEN] = {mods, 0, usage, 0, 0, 0, 0, 0};
    memcpy(buf, press, sizeof press);
    memset(buf + HAL_HIDKBD_REPORT_LEN, 0, HAL_HIDKBD_REPORT_LEN);
    return KEY_BYTES;
}

/* Appends s to the string in buf, which must have room for it. */
static void append(char *buf, size_t size, const char *s)
{
    size_t used = strlen(buf);
    assert_true(used + strlen(s) < size);
    snprintf(buf + used, size - used, "%s", s);
}

enum { USAGE_A = 0x04, USAGE_ENTER = 0x28, USAGE_1 = 0x1E };

static void feed_ok(hal_hidkbd *dec, const uint8_t *data, size_t n, char *buf, size_t size)
{
    hal_events evs = {0};
    assert_int_equal(hal_hidkbd_feed(dec, DEVICE, data, n, &evs), HAL_OK);
    render(&evs, buf, size);
}

/* HAL_TEXT_MAX - 1 characters fit exactly; one more is an error, and the next scan is clean. */
static void test_length_limit(void **state)
{
    (void)state;
    uint8_t *buf = malloc((HAL_TEXT_MAX + 4) * KEY_BYTES);
    assert_non_null(buf);
    char *got = malloc(RENDER_MAX), *expect = malloc(RENDER_MAX);
    assert_true(got && expect);
    for (size_t len = HAL_TEXT_MAX - 2; len <= HAL_TEXT_MAX + 1; len++) {
        size_t n = 0;
        for (size_t k = 0; k < len; k++)
            n += put_key(buf + n, 0, k % 2 ? USAGE_A : USAGE_1);
        n += put_key(buf + n, 0, USAGE_ENTER);
        hal_hidkbd dec;
        assert_int_equal(hal_hidkbd_init(&dec, HAL_HIDKBD_SCANNER, HAL_HIDKBD_TERM_DEFAULT),
                         HAL_OK);
        got[0] = '\0';
        for (size_t at = 0; at < n; at += KEY_BYTES)
            feed_ok(&dec, buf + at, KEY_BYTES, got, RENDER_MAX);
        if (len <= HAL_TEXT_MAX - 1) {
            expect[0] = '\0';
            append(expect, RENDER_MAX, "qr ");
            for (size_t k = 0; k < len; k++)
                append(expect, RENDER_MAX, k % 2 ? "a" : "1");
            append(expect, RENDER_MAX, "\n");
        } else {
            snprintf(expect, RENDER_MAX, "%s", OVERLONG);
        }
        assert_string_equal(got, expect);
        /* The decoder is back in step. */
        size_t m = put_key(buf, 0, USAGE_A);
        m += put_key(buf + m, 0, USAGE_ENTER);
        got[0] = '\0';
        feed_ok(&dec, buf, m, got, RENDER_MAX);
        assert_string_equal(got, "qr a\n");
    }
    free(buf);
    free(got);
    free(expect);
}

/* The idle flush delivers an unterminated scan, ends a discarded one, and does nothing twice. */
static void test_flush(void **state)
{
    (void)state;
    hal_hidkbd dec;
    assert_int_equal(hal_hidkbd_init(&dec, HAL_HIDKBD_SCANNER, 0), HAL_OK);
    uint8_t buf[(HAL_TEXT_MAX + 2) * 2 * HAL_HIDKBD_REPORT_LEN];
    char got[RENDER_MAX] = "";
    hal_events evs = {0};
    assert_int_equal(hal_hidkbd_flush(&dec, DEVICE, &evs), HAL_OK);
    assert_int_equal(evs.n, 0);

    size_t n = 0;
    for (size_t k = 0; k < HAL_TEXT_MAX; k++)
        n += put_key(buf + n, 0, USAGE_A);
    for (size_t at = 0; at < n; at += KEY_BYTES)
        feed_ok(&dec, buf + at, KEY_BYTES, got, sizeof got);
    assert_string_equal(got, OVERLONG);
    /* The overlong scan's tail is still coming; then the scanner goes quiet: resync. */
    n = put_key(buf, 0, USAGE_A);
    feed_ok(&dec, buf, n, got, sizeof got);
    evs = (hal_events){0};
    assert_int_equal(hal_hidkbd_flush(&dec, DEVICE, &evs), HAL_OK);
    assert_int_equal(evs.n, 0);

    n = put_key(buf, 0, USAGE_1);
    n += put_key(buf + n, 0x02, USAGE_A);
    got[0] = '\0';
    feed_ok(&dec, buf, n, got, sizeof got);
    assert_string_equal(got, "");
    for (int k = 0; k < 2; k++) {
        evs = (hal_events){0};
        assert_int_equal(hal_hidkbd_flush(&dec, DEVICE, &evs), HAL_OK);
        render(&evs, got, sizeof got);
    }
    assert_string_equal(got, "qr 1A\n");

    /* Bytes of a report lost: the flush drops the partial one and the stream is aligned again. */
    assert_int_equal(hal_hidkbd_init(&dec, HAL_HIDKBD_SCANNER, HAL_HIDKBD_TERM_DEFAULT), HAL_OK);
    n = put_key(buf, 0, USAGE_1);
    got[0] = '\0';
    feed_ok(&dec, buf + 5, n - 5, got, sizeof got);
    for (int k = 0; k < 2; k++) {
        evs = (hal_events){0};
        assert_int_equal(hal_hidkbd_flush(&dec, DEVICE, &evs), HAL_OK);
        render(&evs, got, sizeof got);
    }
    n = put_key(buf, 0, USAGE_A);
    n += put_key(buf + n, 0, USAGE_ENTER);
    feed_ok(&dec, buf, n, got, sizeof got);
    assert_string_equal(got, "error truncated report: 3 of 8 bytes discarded\nqr a\n");
}

/* Reset forgets the scan, a partial report, keys held and caps lock; not the configuration. */
static void test_reset(void **state)
{
    (void)state;
    hal_hidkbd dec;
    assert_int_equal(hal_hidkbd_init(&dec, HAL_HIDKBD_CARDREADER, HAL_HIDKBD_TERM_TAB), HAL_OK);
    uint8_t buf[8 * HAL_HIDKBD_REPORT_LEN] = {0};
    size_t n = put_key(buf, 0, 0x39); /* caps lock */
    n += put_key(buf + n, 0, USAGE_1);
    const uint8_t held[HAL_HIDKBD_REPORT_LEN] = {0, 0, USAGE_A, 0, 0, 0, 0, 0};
    memcpy(buf + n, held, sizeof held);
    n += sizeof held;
    char got[RENDER_MAX] = "";
    feed_ok(&dec, buf, n + 3, got, sizeof got);
    hal_hidkbd_reset(&dec);
    hal_hidkbd_reset(NULL);
    /* "a" still down at the reset: after it, the same report is a fresh press, lower case. */
    n = 0;
    memcpy(buf, held, sizeof held);
    n += sizeof held;
    memset(buf + n, 0, HAL_HIDKBD_REPORT_LEN);
    n += HAL_HIDKBD_REPORT_LEN;
    n += put_key(buf + n, 0, 0x2B); /* Tab: still the terminator */
    feed_ok(&dec, buf, n, got, sizeof got);
    assert_string_equal(got, "card a\n");
}

/* More scans in one feed than a hal_events holds: the rest are counted, nothing overflows. */
static void test_events_full(void **state)
{
    (void)state;
    enum { SCANS = HAL_EVENTS_MAX + 5 };
    uint8_t buf[SCANS * 4 * HAL_HIDKBD_REPORT_LEN];
    size_t n = 0;
    for (size_t k = 0; k < SCANS; k++) {
        n += put_key(buf + n, 0, USAGE_1);
        n += put_key(buf + n, 0, USAGE_ENTER);
    }
    hal_hidkbd dec;
    assert_int_equal(hal_hidkbd_init(&dec, HAL_HIDKBD_SCANNER, HAL_HIDKBD_TERM_DEFAULT), HAL_OK);
    hal_events evs = {0};
    assert_int_equal(hal_hidkbd_feed(&dec, DEVICE, buf, n, &evs), HAL_OK);
    assert_int_equal(evs.n, HAL_EVENTS_MAX);
    assert_int_equal(evs.dropped, SCANS - HAL_EVENTS_MAX);
    for (size_t k = 0; k < evs.n; k++)
        assert_string_equal(evs.v[k].u.text, "1");
}

static void test_bad_arguments(void **state)
{
    (void)state;
    hal_hidkbd dec;
    hal_events evs = {0};
    uint8_t byte = 0;
    assert_int_equal(hal_hidkbd_init(NULL, HAL_HIDKBD_SCANNER, 0), HAL_ERR_INVALID);
    assert_int_equal(hal_hidkbd_init(&dec, (hal_hidkbd_mode)7, 0), HAL_ERR_INVALID);
    assert_int_equal(hal_hidkbd_init(&dec, HAL_HIDKBD_SCANNER, 1u << 5), HAL_ERR_INVALID);
    assert_int_equal(hal_hidkbd_init(&dec, HAL_HIDKBD_SCANNER, HAL_HIDKBD_TERM_ALL), HAL_OK);
    assert_int_equal(hal_hidkbd_feed(NULL, DEVICE, &byte, 1, &evs), HAL_ERR_INVALID);
    assert_int_equal(hal_hidkbd_feed(&dec, DEVICE, NULL, 1, &evs), HAL_ERR_INVALID);
    assert_int_equal(hal_hidkbd_feed(&dec, DEVICE, &byte, 1, NULL), HAL_ERR_INVALID);
    assert_int_equal(hal_hidkbd_feed(&dec, DEVICE, NULL, 0, &evs), HAL_OK);
    assert_int_equal(hal_hidkbd_feed_evdev(NULL, DEVICE, EV_KEY, KEY_A, 1, &evs), HAL_ERR_INVALID);
    assert_int_equal(hal_hidkbd_feed_evdev(&dec, DEVICE, EV_KEY, KEY_A, 1, NULL), HAL_ERR_INVALID);
    assert_int_equal(hal_hidkbd_flush(NULL, DEVICE, &evs), HAL_ERR_INVALID);
    assert_int_equal(hal_hidkbd_flush(&dec, DEVICE, NULL), HAL_ERR_INVALID);
    assert_int_equal(evs.n, 0);
}

/* evdev: {type, code, value} as read from a grabbed /dev/input/eventN. */
typedef struct evdev_ev {
    uint16_t type, code;
    int32_t value;
} evdev_ev;

enum { EVDEV_SEQ_MAX = 128 };

typedef struct evdev_case {
    const char *what;
    hal_hidkbd_mode mode;
    unsigned terms;
    evdev_ev seq[EVDEV_SEQ_MAX];
    const char *expect;
} evdev_case;

#define SYN                                                                                        \
    {                                                                                              \
        EV_SYN, SYN_REPORT, 0                                                                      \
    }
#define MSC(scan)                                                                                  \
    {                                                                                              \
        EV_MSC, MSC_SCAN, scan                                                                     \
    }
#define DOWN(k)                                                                                    \
    {                                                                                              \
        EV_KEY, KEY_##k, 1                                                                         \
    }
#define UP(k)                                                                                      \
    {                                                                                              \
        EV_KEY, KEY_##k, 0                                                                         \
    }
#define REPEAT(k)                                                                                  \
    {                                                                                              \
        EV_KEY, KEY_##k, 2                                                                         \
    }
/* What the kernel sends for one key typed: scan code, key down, sync, key up, sync. */
#define TYPE(k) MSC(0x70004), DOWN(k), SYN, MSC(0x70004), UP(k), SYN
#define SHIFTED(s, k) DOWN(s), SYN, TYPE(k), UP(s), SYN
#define END                                                                                        \
    {                                                                                              \
        0xFFFF, 0, 0                                                                               \
    }

static const evdev_case EVDEV[] = {
    {"typed with both shifts",
     SCAN,
     TERMS,
     {SHIFTED(LEFTSHIFT, Z), TYPE(C), SHIFTED(RIGHTSHIFT, E), TYPE(1), TYPE(DOT),
      SHIFTED(LEFTSHIFT, SEMICOLON), TYPE(SLASH), SHIFTED(RIGHTSHIFT, 9), TYPE(ENTER), END},
     "qr ZcE1.:/(\n"},
    {"autorepeat ignored",
     SCAN,
     TERMS,
     {DOWN(A), SYN, REPEAT(A), SYN, REPEAT(A), SYN, UP(A), SYN, TYPE(A), DOWN(B), REPEAT(B), UP(B),
      TYPE(ENTER), END},
     "qr aab\n"},
    {"shift held across keys, autorepeat of shift",
     SCAN,
     TERMS,
     {DOWN(LEFTSHIFT), REPEAT(LEFTSHIFT), TYPE(A), REPEAT(LEFTSHIFT), TYPE(B), UP(LEFTSHIFT),
      TYPE(C), TYPE(ENTER), END},
     "qr ABc\n"},
    {"one shift released, the other still held",
     SCAN,
     TERMS,
     {DOWN(LEFTSHIFT), DOWN(RIGHTSHIFT), TYPE(A), UP(LEFTSHIFT), TYPE(B), UP(RIGHTSHIFT), TYPE(C),
      TYPE(ENTER), END},
     "qr ABc\n"},
    {"caps lock on and off",
     SCAN,
     TERMS,
     {TYPE(CAPSLOCK), TYPE(A), SHIFTED(LEFTSHIFT, B), TYPE(2), SHIFTED(LEFTSHIFT, 2),
      TYPE(CAPSLOCK), TYPE(C), TYPE(KPENTER), END},
     "qr Ab2@c\n"},
    {"keypad",
     SCAN,
     TERMS,
     {TYPE(KP0), TYPE(KP1), TYPE(KP2), TYPE(KP3), TYPE(KP4), TYPE(KP5), TYPE(KP6), TYPE(KP7),
      TYPE(KP8), TYPE(KP9), TYPE(KPDOT), TYPE(KPSLASH), TYPE(KPASTERISK), TYPE(KPMINUS),
      TYPE(KPPLUS), TYPE(KPENTER), END},
     "qr 0123456789./*-+\n"},
    {"tab terminator",
     SCAN,
     TERMS,
     {TYPE(A), TYPE(TAB), TYPE(B), TYPE(ENTER), END},
     "qr a\nqr b\n"},
    {"tab not a terminator",
     SCAN,
     HAL_HIDKBD_TERM_ENTER,
     {TYPE(A), TYPE(TAB), TYPE(B), TYPE(ENTER), END},
     "qr ab\n"},
    {"meal card",
     CARD,
     TERMS,
     {TYPE(ENTER), TYPE(SPACE), TYPE(0), TYPE(0), TYPE(1), TYPE(2), TYPE(3), TYPE(4), TYPE(5),
      TYPE(6), TYPE(7), TYPE(8), TYPE(SPACE), TYPE(ENTER), TYPE(KPENTER), END},
     "card 0012345678\n"},
    {"shortcuts and keys without characters",
     SCAN,
     TERMS,
     {DOWN(LEFTCTRL), TYPE(C), TYPE(ENTER), UP(LEFTCTRL), DOWN(RIGHTALT), TYPE(X), UP(RIGHTALT),
      DOWN(LEFTMETA), TYPE(R), UP(LEFTMETA), TYPE(F1), TYPE(ESC), TYPE(BACKSPACE), TYPE(LEFT),
      TYPE(102ND), TYPE(D), TYPE(ENTER), END},
     "qr d\n"},
    {"other event types and odd values ignored",
     SCAN,
     TERMS,
     {{EV_REL, REL_X, 1},
      {EV_LED, LED_CAPSL, 1},
      {EV_KEY, KEY_A, 7},
      {EV_KEY, KEY_A, -1},
      {EV_KEY, 0x2FF, 1},
      {EV_KEY, KEY_MAX, 1},
      TYPE(E),
      TYPE(ENTER),
      END},
     "qr e\n"},
    {"SYN_DROPPED discards the scan and the rest of its frame",
     SCAN,
     TERMS,
     {TYPE(A),
      DOWN(LEFTSHIFT),
      {EV_SYN, SYN_DROPPED, 0},
      TYPE(B),
      TYPE(C),
      TYPE(ENTER),
      TYPE(D),
      TYPE(ENTER),
      END},
     "error input events lost: scan discarded\nqr d\n"},
    {"SYN_DROPPED mid-frame: events up to SYN_REPORT ignored",
     CARD,
     TERMS,
     {{EV_SYN, SYN_DROPPED, 0},
      DOWN(ENTER),
      SYN,
      UP(ENTER),
      SYN,
      TYPE(A),
      TYPE(ENTER),
      TYPE(B),
      TYPE(ENTER),
      END},
     "error input events lost: card UID discarded\ncard b\n"},
};

static void decode_evdev(const evdev_case *c, char *buf, size_t size)
{
    hal_hidkbd dec;
    assert_int_equal(hal_hidkbd_init(&dec, c->mode, c->terms), HAL_OK);
    buf[0] = '\0';
    for (size_t i = 0; i < EVDEV_SEQ_MAX && c->seq[i].type != 0xFFFF; i++) {
        hal_events evs = {0};
        assert_int_equal(hal_hidkbd_feed_evdev(&dec, DEVICE, c->seq[i].type, c->seq[i].code,
                                               c->seq[i].value, &evs),
                         HAL_OK);
        render(&evs, buf, size);
    }
}

static void test_evdev_sequences(void **state)
{
    (void)state;
    char got[RENDER_MAX];
    for (size_t i = 0; i < sizeof EVDEV / sizeof EVDEV[0]; i++) {
        decode_evdev(&EVDEV[i], got, sizeof got);
        if (strcmp(got, EVDEV[i].expect) != 0)
            fail_msg("%s: got\n%s\nexpected\n%s", EVDEV[i].what, got, EVDEV[i].expect);
    }
}

/*
 * The kernel's own HID usage -> key code table (drivers/hid/hid-input.c, hid_keyboard[]) for
 * usages 0x00-0x63 and the modifiers: a key typed through HID and the same key typed through
 * evdev must give the same result, under every shift and caps lock combination.
 */
static const uint16_t KERNEL_KEYCODE[0x64] = {
    0,   0,   0,   0,  30, 48, 46, 32, 18,  33,  34,  35,  23,  36,  37,  38,  /* 0x00 */
    50,  49,  24,  25, 16, 19, 31, 20, 22,  47,  17,  45,  21,  44,  2,   3,   /* 0x10 */
    4,   5,   6,   7,  8,  9,  10, 11, 28,  1,   14,  15,  57,  12,  13,  26,  /* 0x20 */
    27,  43,  43,  39, 40, 41, 51, 52, 53,  58,  59,  60,  61,  62,  63,  64,  /* 0x30 */
    65,  66,  67,  68, 87, 88, 99, 70, 119, 110, 102, 104, 111, 107, 109, 106, /* 0x40 */
    105, 108, 103, 69, 98, 55, 74, 78, 96,  79,  80,  81,  75,  76,  77,  71,  /* 0x50 */
    72,  73,  82,  83,                                                         /* 0x60 */
};
static const uint16_t KERNEL_MODIFIER[8] = {KEY_LEFTCTRL, KEY_LEFTSHIFT, KEY_LEFTALT,
                                            KEY_LEFTMETA, KEY_RIGHTCTRL, KEY_RIGHTSHIFT,
                                            KEY_RIGHTALT, KEY_RIGHTMETA};

static void hid_one(uint8_t usage, uint8_t mods, bool caps, char *buf, size_t size)
{
    hal_hidkbd dec;
    assert_int_equal(hal_hidkbd_init(&dec, HAL_HIDKBD_SCANNER, HAL_HIDKBD_TERM_DEFAULT), HAL_OK);
    uint8_t r[4 * 2 * HAL_HIDKBD_REPORT_LEN];
    size_t n = 0;
    if (caps)
        n += put_key(r + n, 0, 0x39);
    n += put_key(r + n, mods, usage);
    n += put_key(r + n, 0, USAGE_1); /* a marker, and a scan that is never empty */
    n += put_key(r + n, 0, USAGE_ENTER);
    buf[0] = '\0';
    feed_ok(&dec, r, n, buf, size);
}

static void evdev_one(uint16_t code, uint8_t mods, bool caps, char *buf, size_t size)
{
    hal_hidkbd dec;
    assert_int_equal(hal_hidkbd_init(&dec, HAL_HIDKBD_SCANNER, HAL_HIDKBD_TERM_DEFAULT), HAL_OK);
    buf[0] = '\0';
    const evdev_ev seq[] = {
        {EV_KEY, KEY_CAPSLOCK, 1}, {EV_KEY, KEY_CAPSLOCK, 0}, {EV_KEY, code, 1},
        {EV_KEY, code, 0},         {EV_KEY, KEY_1, 1},        {EV_KEY, KEY_1, 0},
        {EV_KEY, KEY_ENTER, 1},    {EV_KEY, KEY_ENTER, 0},
    };
    hal_events evs = {0};
    for (size_t i = caps ? 0 : 2; i < sizeof seq / sizeof seq[0]; i++) {
        if (i == 2)
            for (unsigned b = 0; b < 8; b++)
                if (mods & (1u << b))
                    assert_int_equal(
                        hal_hidkbd_feed_evdev(&dec, DEVICE, EV_KEY, KERNEL_MODIFIER[b], 1, &evs),
                        HAL_OK);
        assert_int_equal(
            hal_hidkbd_feed_evdev(&dec, DEVICE, seq[i].type, seq[i].code, seq[i].value, &evs),
            HAL_OK);
        if (i == 3)
            for (unsigned b = 0; b < 8; b++)
                if (mods & (1u << b))
                    assert_int_equal(
                        hal_hidkbd_feed_evdev(&dec, DEVICE, EV_KEY, KERNEL_MODIFIER[b], 0, &evs),
                        HAL_OK);
    }
    render(&evs, buf, size);
}

static void test_hid_and_evdev_agree(void **state)
{
    (void)state;
    static const uint8_t MODS[] = {0, 0x02, 0x20, 0x22, 0x01, 0x04, 0x08, 0x10, 0x40, 0x80};
    char a[RENDER_MAX], b[RENDER_MAX];
    size_t printable = 0;
    for (uint8_t usage = 0x04; usage < 0x64; usage++) {
        if (usage == 0x39) /* caps lock: a toggle, covered by the sequences */
            continue;
        for (size_t m = 0; m < sizeof MODS; m++)
            for (int caps = 0; caps < 2; caps++) {
                hid_one(usage, MODS[m], caps, a, sizeof a);
                evdev_one(KERNEL_KEYCODE[usage], MODS[m], caps, b, sizeof b);
                if (strcmp(a, b) != 0)
                    fail_msg("usage 0x%02x mods 0x%02x caps %d: hid\n%sevdev\n%s", usage, MODS[m],
                             caps, a, b);
                if (MODS[m] == 0 && !caps && strlen(a) == strlen("qr x1\n"))
                    printable++;
            }
    }
    /* 26 letters, 10 digits, space, 12 punctuation usages (0x32 types as 0x31), 15 keypad. */
    assert_int_equal(printable, 26 + 10 + 1 + 12 + 15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recorded_streams),
        cmocka_unit_test(test_split_everywhere),
        cmocka_unit_test(test_length_limit),
        cmocka_unit_test(test_flush),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_events_full),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_evdev_sequences),
        cmocka_unit_test(test_hid_and_evdev_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
