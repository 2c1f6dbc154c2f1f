/*
 * GA 467 ID card reader: the stream decoder on recorded reader byte streams (written by
 * tests/hal/data/ga467/make.py), split in every way a transport could split them, and the
 * polling state machine on frames from those streams.
 */
#include "testutil.h"

#include "hal/ga467.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const char DEV[] = "idreader";

enum {
    LOG_MAX = 128,       /* events one test stream can produce */
    SESSION_FRAMES = 11, /* replies in session.bin */
    JSON_MAX = 2048,     /* one event as a JSON line */
    SPLIT_SEED = 467,
    RANDOM_SPLITS = 300,
    CHUNK_MAX = 64,
    STRESS_NOISE = 64 * 1024,
    FLOOD_HEADERS = 100,
};

static uint8_t *load(const char *name, size_t *len)
{
    char path[ZC_TEST_PATH_MAX];
    zt_join(path, sizeof path, ZC_HAL_DATA "/ga467", name);
    return (uint8_t *)zt_read_file(path, len);
}

/* Every event a stream produced, across feed calls. */
typedef struct log {
    size_t n;
    size_t dropped;
    hal_event v[LOG_MAX];
} log;

static log *log_new(void)
{
    log *lg = calloc(1, sizeof *lg);
    assert_non_null(lg);
    return lg;
}

static void log_take(log *lg, const hal_events *out)
{
    assert_true(out->n <= HAL_EVENTS_MAX);
    lg->dropped += out->dropped;
    for (size_t i = 0; i < out->n; i++) {
        assert_true(lg->n < LOG_MAX);
        lg->v[lg->n++] = out->v[i];
    }
}

/* Feeds data[from, to) in one call. */
static void feed_range(hal_ga467_decoder *dec, const uint8_t *data, size_t from, size_t to, log *lg)
{
    hal_events out = {0};
    hal_err err = hal_ga467_feed(dec, DEV, data + from, to - from, &out);
    assert_true(err == HAL_OK || err == HAL_ERR_AGAIN);
    if (out.n + out.dropped > 0)
        assert_int_equal(err, HAL_OK);
    log_take(lg, &out);
}

static void flush(hal_ga467_decoder *dec, log *lg)
{
    hal_events out = {0};
    hal_ga467_flush(dec, DEV, NULL, &out);
    log_take(lg, &out);
}

/* Feeds a stream in chunks of `chunk` bytes (0: at once), then flushes. */
static void run(const uint8_t *data, size_t n, size_t chunk, log *lg)
{
    hal_ga467_decoder dec;
    hal_ga467_decoder_init(&dec);
    size_t step = chunk ? chunk : (n ? n : 1);
    for (size_t at = 0; at < n; at += step)
        feed_range(&dec, data, at, at + step < n ? at + step : n, lg);
    flush(&dec, lg);
}

static void run_file(const char *name, size_t chunk, log *lg)
{
    size_t n;
    uint8_t *data = load(name, &n);
    run(data, n, chunk, lg);
    free(data);
}

static void assert_error(const hal_event *ev, const char *message)
{
    assert_int_equal(ev->kind, HAL_EVENT_ERROR);
    assert_string_equal(ev->device, DEV);
    assert_string_equal(ev->u.error, message);
}

/* The card in read_zhangsanhua.bin, as the kiosk must receive it. */
static void assert_zhang(const hal_event *ev)
{
    assert_int_equal(ev->kind, HAL_EVENT_ID_CARD);
    assert_string_equal(ev->device, DEV);
    const hal_id_card *c = &ev->u.id_card;
    assert_string_equal(c->name, "张三华");
    assert_string_equal(c->sex, "男");
    assert_string_equal(c->nation, "汉");
    assert_string_equal(c->birth_date, "1946-05-01");
    assert_string_equal(c->address, "江苏省无锡市梁溪区崇安寺街道中山路168号2幢301室");
    assert_string_equal(c->id_number, "320202194605011236");
    assert_string_equal(c->authority, "无锡市公安局梁溪分局");
    assert_string_equal(c->valid_from, "2016-05-01");
    assert_string_equal(c->valid_to, "长期");
}

/* --- Commands ------------------------------------------------------------------------------ */

static void test_commands(void **state)
{
    (void)state;
    static const struct {
        uint8_t cmd, para;
    } CASES[] = {
        {HAL_GA467_CMD_CARD, HAL_GA467_PARA_FIND},
        {HAL_GA467_CMD_CARD, HAL_GA467_PARA_SELECT},
        {HAL_GA467_CMD_READ, HAL_GA467_PARA_BASE_INFO},
    };
    size_t n;
    uint8_t *want = load("commands.bin", &n);
    assert_int_equal(n, N_ELEMS(CASES) * HAL_GA467_COMMAND_LEN);
    for (size_t i = 0; i < N_ELEMS(CASES); i++) {
        uint8_t buf[HAL_GA467_COMMAND_LEN + 1];
        size_t len = 0;
        assert_int_equal(hal_ga467_command(CASES[i].cmd, CASES[i].para, buf, sizeof buf, &len),
                         HAL_OK);
        assert_int_equal(len, HAL_GA467_COMMAND_LEN);
        assert_memory_equal(buf, want + i * HAL_GA467_COMMAND_LEN, HAL_GA467_COMMAND_LEN);
    }
    uint8_t small[HAL_GA467_COMMAND_LEN - 1];
    size_t len = 0;
    assert_int_equal(
        hal_ga467_command(HAL_GA467_CMD_CARD, HAL_GA467_PARA_FIND, small, sizeof small, &len),
        HAL_ERR_INVALID);
    assert_int_equal(hal_ga467_command(HAL_GA467_CMD_CARD, HAL_GA467_PARA_FIND, NULL, 0, &len),
                     HAL_ERR_INVALID);
    free(want);
}

/* --- Whole streams ------------------------------------------------------------------------- */

static void test_complete_read(void **state)
{
    (void)state;
    log *lg = log_new();
    run_file("read_zhangsanhua.bin", 0, lg);
    assert_int_equal(lg->n, 1);
    assert_int_equal(lg->dropped, 0);
    assert_zhang(&lg->v[0]);

    /* The replay tool's JSON line for it. */
    char json[JSON_MAX];
    assert_true(hal_event_to_json(&lg->v[0], json, sizeof json) > 0);
    assert_string_equal(json,
                        "{\"kind\":\"id_card\",\"name\":\"张三华\",\"sex\":\"男\",\"nation\":"
                        "\"汉\",\"birth_date\":\"1946-05-01\",\"address\":\"江苏省无锡市梁溪区"
                        "崇安寺街道中山路168号2幢301室\",\"id_number\":\"320202194605011236\","
                        "\"authority\":\"无锡市公安局梁溪分局\",\"valid_from\":\"2016-05-01\","
                        "\"valid_to\":\"长期\"}");
    free(lg);
}

static void test_long_term_valid_to(void **state)
{
    (void)state;
    log *lg = log_new();
    run_file("read_zhangsanhua.bin", 0, lg);
    assert_int_equal(lg->n, 1);
    assert_string_equal(lg->v[0].u.id_card.valid_to, HAL_GA467_NO_END_DATE);
    free(lg);
}

static void test_return_codes(void **state)
{
    (void)state;
    size_t n;
    uint8_t *data = load("no_card.bin", &n);
    hal_ga467_decoder dec;
    hal_ga467_decoder_init(&dec);
    hal_events out = {0};
    assert_int_equal(hal_ga467_feed(&dec, DEV, data, n - 1, &out), HAL_ERR_AGAIN);
    assert_int_equal(out.n, 0);
    assert_int_equal(hal_ga467_feed(&dec, DEV, data + n - 1, 1, &out), HAL_OK);
    assert_int_equal(out.n, 1);
    assert_error(&out.v[0], "no card on the reader");
    assert_int_equal(hal_ga467_feed(&dec, DEV, NULL, 0, &out), HAL_ERR_AGAIN);
    assert_int_equal(hal_ga467_feed(&dec, DEV, NULL, 1, &out), HAL_ERR_INVALID);
    assert_int_equal(hal_ga467_feed(NULL, DEV, data, n, &out), HAL_ERR_INVALID);
    assert_int_equal(hal_ga467_feed(&dec, DEV, data, n, NULL), HAL_ERR_INVALID);
    assert_int_equal(hal_ga467_feed_frames(&dec, DEV, data, n, NULL, &out), HAL_ERR_INVALID);
    assert_int_equal(hal_ga467_flush(&dec, DEV, NULL, &out), HAL_ERR_AGAIN);
    free(data);
}

/* A stream whose events must come out the same however a transport splits it. */
typedef struct split_case {
    const char *file;
} split_case;

static const split_case SPLIT_FILES[] = {
    {"read_zhangsanhua.bin"},      {"read_rare_name.bin"},
    {"noise_then_read.bin"},       {"bad_checksum_then_read.bin"},
    {"truncated_then_read.bin"},   {"truncated_then_no_card.bin"},
    {"bad_lengths_then_read.bin"}, {"session.bin"},
};

static void assert_same_log(const log *want, const log *got)
{
    assert_int_equal(got->n, want->n);
    assert_int_equal(got->dropped, 0);
    for (size_t i = 0; i < want->n; i++)
        assert_memory_equal(&got->v[i], &want->v[i], sizeof want->v[i]);
}

/* Cheap deterministic bytes and split points (xorshift32). */
static uint32_t next_random(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void test_split_everywhere(void **state)
{
    (void)state;
    log *want = log_new(), *got = log_new();
    uint32_t seed = SPLIT_SEED;
    for (size_t f = 0; f < N_ELEMS(SPLIT_FILES); f++) {
        size_t n;
        uint8_t *data = load(SPLIT_FILES[f].file, &n);
        memset(want, 0, sizeof *want);
        run(data, n, 0, want);
        assert_true(want->n > 0);
        assert_int_equal(want->dropped, 0);

        /* Two pieces, cut at every position. */
        for (size_t k = 0; k <= n; k++) {
            memset(got, 0, sizeof *got);
            hal_ga467_decoder dec;
            hal_ga467_decoder_init(&dec);
            feed_range(&dec, data, 0, k, got);
            feed_range(&dec, data, k, n, got);
            flush(&dec, got);
            assert_same_log(want, got);
        }
        /* Fixed-size chunks, one byte included. */
        for (size_t chunk = 1; chunk <= CHUNK_MAX; chunk++) {
            memset(got, 0, sizeof *got);
            run(data, n, chunk, got);
            assert_same_log(want, got);
        }
        /* Three pieces, cut at random. */
        for (size_t r = 0; r < RANDOM_SPLITS; r++) {
            size_t a = next_random(&seed) % (n + 1), b = next_random(&seed) % (n + 1);
            if (a > b) {
                size_t t = a;
                a = b;
                b = t;
            }
            memset(got, 0, sizeof *got);
            hal_ga467_decoder dec;
            hal_ga467_decoder_init(&dec);
            feed_range(&dec, data, 0, a, got);
            feed_range(&dec, data, a, b, got);
            feed_range(&dec, data, b, n, got);
            flush(&dec, got);
            assert_same_log(want, got);
        }
        free(data);
    }
    free(want);
    free(got);
}

/* --- Garbage and resync -------------------------------------------------------------------- */

typedef struct stream_case {
    const char *file;
    size_t n_errors;
    const char *errors[6]; /* the error events, in order, before the card */
    bool card;             /* ends with 张三华's card */
} stream_case;

static const stream_case STREAMS[] = {
    {"noise_then_read.bin", 0, {NULL}, true},
    {"bad_checksum_then_read.bin", 1, {"checksum error in reader response"}, true},
    {"truncated_then_read.bin", 1, {"checksum error in reader response"}, true},
    {"truncated_then_no_card.bin",
     2,
     {"reader response cut short: a 1295-byte frame never completed", "no card on the reader"},
     false},
    {"bad_lengths_then_read.bin",
     5,
     {"impossible length 0 in reader response", "impossible length 1 in reader response",
      "impossible length 3 in reader response", "impossible length 2315 in reader response",
      "impossible length 65535 in reader response"},
     true},
};

static void test_garbage_streams(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ELEMS(STREAMS); i++) {
        const stream_case *c = &STREAMS[i];
        log *lg = log_new();
        run_file(c->file, 0, lg);
        assert_int_equal(lg->n, c->n_errors + (c->card ? 1 : 0));
        for (size_t e = 0; e < c->n_errors; e++)
            assert_error(&lg->v[e], c->errors[e]);
        if (c->card)
            assert_zhang(&lg->v[c->n_errors]);
        free(lg);
    }
}

static void test_noise_is_counted(void **state)
{
    (void)state;
    size_t n, clean_len;
    uint8_t *data = load("noise_then_read.bin", &n);
    uint8_t *clean = load("read_zhangsanhua.bin", &clean_len);
    hal_ga467_decoder dec;
    hal_ga467_decoder_init(&dec);
    hal_events out = {0};
    hal_ga467_feed(&dec, DEV, data, n, &out);
    assert_int_equal(out.n, 1);
    assert_int_equal(dec.noise, n - clean_len);
    free(data);
    free(clean);
}

/* A cut-short reply with nothing behind it waits for bytes until the flush gives it up. */
static void test_truncated_needs_flush(void **state)
{
    (void)state;
    size_t n;
    uint8_t *data = load("truncated_then_no_card.bin", &n);
    hal_ga467_decoder dec;
    hal_ga467_decoder_init(&dec);
    hal_events out = {0};
    assert_int_equal(hal_ga467_feed(&dec, DEV, data, n, &out), HAL_ERR_AGAIN);
    assert_int_equal(out.n, 0);
    hal_ga467_frames frames = {0};
    assert_int_equal(hal_ga467_flush(&dec, DEV, &frames, &out), HAL_OK);
    assert_int_equal(out.n, 1);
    assert_error(&out.v[0], "reader response cut short: a 1295-byte frame never completed");
    assert_int_equal(frames.n, 1);
    assert_int_equal(frames.v[0].reply, HAL_GA467_REPLY_NO_CARD);
    assert_int_equal(dec.len - dec.start, 0);
    free(data);
}

/* Random bytes with preambles sprinkled in: the decoder keeps its footing and reads the card. */
static void test_never_stuck(void **state)
{
    (void)state;
    size_t clean_len;
    uint8_t *clean = load("read_zhangsanhua.bin", &clean_len);
    uint8_t *data = malloc(STRESS_NOISE + clean_len);
    assert_non_null(data);
    uint32_t seed = SPLIT_SEED;
    for (size_t i = 0; i < STRESS_NOISE; i++)
        data[i] = (uint8_t)next_random(&seed);
    static const uint8_t PRE[] = {0xAA, 0xAA, 0xAA, 0x96, 0x69};
    for (size_t i = 0; i + sizeof PRE + HAL_GA467_FRAME_MAX < STRESS_NOISE; i += 997)
        memcpy(data + i, PRE, sizeof PRE);
    memcpy(data + STRESS_NOISE, clean, clean_len);

    hal_ga467_decoder dec;
    hal_ga467_decoder_init(&dec);
    hal_event last = {0};
    size_t cards = 0;
    for (size_t at = 0; at < STRESS_NOISE + clean_len; at += CHUNK_MAX) {
        size_t len =
            STRESS_NOISE + clean_len - at < CHUNK_MAX ? STRESS_NOISE + clean_len - at : CHUNK_MAX;
        hal_events out = {0};
        hal_ga467_feed(&dec, DEV, data + at, len, &out);
        assert_true(out.n <= HAL_EVENTS_MAX);
        for (size_t e = 0; e < out.n; e++) {
            cards += out.v[e].kind == HAL_EVENT_ID_CARD;
            last = out.v[e];
        }
    }
    assert_int_equal(cards, 1);
    assert_zhang(&last);
    free(data);
    free(clean);
}

/* More errors than one hal_events holds: counted as dropped, and decoding goes on. */
static void test_event_flood(void **state)
{
    (void)state;
    static const uint8_t BAD[] = {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x00};
    uint8_t flood[FLOOD_HEADERS * sizeof BAD];
    for (size_t i = 0; i < FLOOD_HEADERS; i++)
        memcpy(flood + i * sizeof BAD, BAD, sizeof BAD);
    hal_ga467_decoder dec;
    hal_ga467_decoder_init(&dec);
    hal_events out = {0};
    assert_int_equal(hal_ga467_feed(&dec, DEV, flood, sizeof flood, &out), HAL_OK);
    assert_int_equal(out.n, HAL_EVENTS_MAX);
    assert_int_equal(out.dropped, FLOOD_HEADERS - HAL_EVENTS_MAX);

    log *lg = log_new();
    size_t n;
    uint8_t *data = load("read_zhangsanhua.bin", &n);
    feed_range(&dec, data, 0, n, lg);
    assert_int_equal(lg->n, 1);
    assert_zhang(&lg->v[0]);
    free(data);
    free(lg);
}

static void test_reset(void **state)
{
    (void)state;
    size_t n;
    uint8_t *data = load("read_zhangsanhua.bin", &n);
    hal_ga467_decoder dec;
    hal_ga467_decoder_init(&dec);
    log *lg = log_new();
    feed_range(&dec, data, 0, n / 2, lg);
    hal_ga467_decoder_reset(&dec);
    for (size_t i = 0; i < sizeof dec.buf; i++)
        assert_int_equal(dec.buf[i], 0);
    feed_range(&dec, data, n / 2, n, lg);
    assert_int_equal(lg->n, 0);
    feed_range(&dec, data, 0, n, lg);
    assert_int_equal(lg->n, 1);
    assert_zhang(&lg->v[0]);
    /* Consumed frames are wiped: no trace of the card or photo stays in the decoder. */
    for (size_t i = 0; i < sizeof dec.buf; i++)
        assert_int_equal(dec.buf[i], 0);
    free(data);
    free(lg);
}

/* --- Statuses ------------------------------------------------------------------------------ */

static const struct {
    uint8_t sw3;
    const char *message;
} STATUS_CASES[] = {
    /* The order of make.py's STATUSES. */
    {0x10, "the ID card reader got a command with a bad checksum"},
    {0x11, "the ID card reader got a command with a bad length"},
    {0x21, "the ID card reader rejected the command"},
    {0x23, "the ID card reader refused an operation it is not permitted"},
    {0x24, "the ID card reader reported an unrecognised error"},
    {0x31, "the card did not accept the reader: lift it and present it again"},
    {0x32, "the reader did not accept the card: lift it and present it again"},
    {0x33, "the card's information failed verification"},
    {0x40, "the card is not a resident ID card"},
    {0x41, "card could not be read: lift it and present it again"},
    {0x47, "card did not answer the reader's challenge: lift it and present it again"},
    {0x60, "the ID card reader's security module failed its self-test"},
    {0x66, "the ID card reader's security module is not authorised"},
    {0x80, "no card on the reader"},
    {0x81, "card could not be selected: lift it and present it again"},
    {0x91, "the card has no such information"},
    {0x55, "the ID card reader reported unknown status 0x55"},
};

static void test_status_messages(void **state)
{
    (void)state;
    log *lg = log_new();
    run_file("statuses.bin", 1, lg);
    assert_int_equal(lg->n, N_ELEMS(STATUS_CASES));
    for (size_t i = 0; i < N_ELEMS(STATUS_CASES); i++)
        assert_error(&lg->v[i], STATUS_CASES[i].message);
    free(lg);

    /* The same through the frame list: the reply kinds the state machine acts on. */
    size_t n;
    uint8_t *data = load("statuses.bin", &n);
    size_t frame_len = n / N_ELEMS(STATUS_CASES);
    for (size_t i = 0; i < N_ELEMS(STATUS_CASES); i++) {
        hal_ga467_frame f;
        assert_int_equal(hal_ga467_parse_frame(data + i * frame_len, frame_len, &f), HAL_OK);
        assert_int_equal(f.sw3, STATUS_CASES[i].sw3);
        assert_int_equal(f.reply, STATUS_CASES[i].sw3 == HAL_GA467_SW3_NO_CARD
                                      ? HAL_GA467_REPLY_NO_CARD
                                      : HAL_GA467_REPLY_FAILED);
    }
    assert_null(hal_ga467_status_message(HAL_GA467_SW3_OK));
    assert_null(hal_ga467_status_message(HAL_GA467_SW3_FOUND));
    assert_null(hal_ga467_status_message(0x55));
    free(data);
}

/* Find and select success are for the state machine only: no events. */
static void test_success_replies_are_silent(void **state)
{
    (void)state;
    static const char *const FILES[] = {"find_ok.bin", "select_ok.bin"};
    for (size_t i = 0; i < N_ELEMS(FILES); i++) {
        log *lg = log_new();
        run_file(FILES[i], 0, lg);
        assert_int_equal(lg->n, 0);
        free(lg);
    }
}

/* --- Text block ---------------------------------------------------------------------------- */

static void test_surrogate_pair_name(void **state)
{
    (void)state;
    log *lg = log_new();
    run_file("read_rare_name.bin", 0, lg);
    assert_int_equal(lg->n, 1);
    const hal_id_card *c = &lg->v[0].u.id_card;
    assert_string_equal(c->name, "郑\xF0\xA0\xAE\xB7英"); /* U+20BB7 */
    assert_string_equal(c->name, "郑𠮷英");
    assert_string_equal(c->sex, "女");
    assert_string_equal(c->nation, "回");
    assert_string_equal(c->birth_date, "1968-02-12");
    /* All 35 characters of the field. */
    assert_string_equal(c->address,
                        "江苏省无锡市滨湖区蠡湖街道湖滨路1888号蠡湖家园十二幢甲单元302室");
    assert_string_equal(c->id_number, "320211196802120429");
    assert_string_equal(c->authority, "无锡市公安局滨湖分局");
    assert_string_equal(c->valid_from, "2012-03-15");
    assert_string_equal(c->valid_to, "2032-03-15");
    char json[JSON_MAX];
    assert_true(hal_event_to_json(&lg->v[0], json, sizeof json) > 0);
    free(lg);
}

static void test_lone_surrogate(void **state)
{
    (void)state;
    log *lg = log_new();
    run_file("lone_surrogate.bin", 0, lg);
    assert_int_equal(lg->n, 1);
    assert_string_equal(lg->v[0].u.id_card.name, "李\xEF\xBF\xBD明"); /* U+FFFD */
    char json[JSON_MAX];
    assert_true(hal_event_to_json(&lg->v[0], json, sizeof json) > 0);
    free(lg);
}

static void test_nations(void **state)
{
    (void)state;
    static const char *const NATIONS[] = {
        "汉",       "蒙古",
        "回",       "藏",
        "维吾尔",   "苗",
        "彝",       "壮",
        "布依",     "朝鲜",
        "满",       "侗",
        "瑶",       "白",
        "土家",     "哈尼",
        "哈萨克",   "傣",
        "黎",       "傈僳",
        "佤",       "畲",
        "高山",     "拉祜",
        "水",       "东乡",
        "纳西",     "景颇",
        "柯尔克孜", "土",
        "达斡尔",   "仫佬",
        "羌",       "布朗",
        "撒拉",     "毛南",
        "仡佬",     "锡伯",
        "阿昌",     "普米",
        "塔吉克",   "怒",
        "乌孜别克", "俄罗斯",
        "鄂温克",   "德昂",
        "保安",     "裕固",
        "京",       "塔塔尔",
        "独龙",     "鄂伦春",
        "赫哲",     "门巴",
        "珞巴",     "基诺",
        "其他",     "外国血统中国籍人士",
        "99", /* unknown: kept as the card has it */
        "",   /* blank (a residence permit has no nation) */
    };
    log *lg = log_new();
    run_file("nations.bin", 1, lg);
    assert_int_equal(lg->n, N_ELEMS(NATIONS));
    for (size_t i = 0; i < N_ELEMS(NATIONS); i++) {
        assert_int_equal(lg->v[i].kind, HAL_EVENT_ID_CARD);
        assert_string_equal(lg->v[i].u.id_card.nation, NATIONS[i]);
        assert_string_equal(lg->v[i].u.id_card.name, "张三华");
    }
    free(lg);
}

static void test_sexes(void **state)
{
    (void)state;
    static const char *const SEXES[] = {"未知", "男", "女", "未说明", "5"};
    log *lg = log_new();
    run_file("sexes.bin", 1, lg);
    assert_int_equal(lg->n, N_ELEMS(SEXES));
    for (size_t i = 0; i < N_ELEMS(SEXES); i++)
        assert_string_equal(lg->v[i].u.id_card.sex, SEXES[i]);
    free(lg);
}

static void test_bad_text(void **state)
{
    (void)state;
    static const char *const MESSAGES[] = {
        /* The order of make.py's bad_text. */
        "malformed card data from the reader: its lengths do not add up",
        "malformed card data from the reader: its lengths do not add up",
        "foreign permanent resident ID cards are not supported",
        "card text is malformed: no name",
        "card text is malformed: the ID number is not 17 digits and a check character",
        "card text is malformed: the ID number is not 17 digits and a check character",
        "card text is malformed: the ID number is not 17 digits and a check character",
        "card text is malformed: the birth date is not a date",
        "card text is malformed: the valid-from date is not a date",
        "card text is malformed: the valid-to date is neither a date nor 长期",
    };
    log *lg = log_new();
    run_file("bad_text.bin", 1, lg);
    assert_int_equal(lg->n, N_ELEMS(MESSAGES));
    for (size_t i = 0; i < N_ELEMS(MESSAGES); i++)
        assert_error(&lg->v[i], MESSAGES[i]);
    free(lg);
}

/* --- Frames -------------------------------------------------------------------------------- */

static void test_frames(void **state)
{
    (void)state;
    size_t n;
    uint8_t *data = load("read_zhangsanhua.bin", &n);
    hal_ga467_decoder dec;
    hal_ga467_decoder_init(&dec);
    hal_ga467_frames *frames = calloc(1, sizeof *frames);
    assert_non_null(frames);
    hal_events out = {0};
    assert_int_equal(hal_ga467_feed_frames(&dec, DEV, data, n, frames, &out), HAL_OK);
    assert_int_equal(out.n, 0);
    assert_int_equal(frames->n, 3);
    assert_int_equal(frames->v[0].reply, HAL_GA467_REPLY_FOUND);
    assert_int_equal(frames->v[0].data_len, 4);
    assert_int_equal(frames->v[1].reply, HAL_GA467_REPLY_OK);
    assert_int_equal(frames->v[1].data_len, 8);
    assert_int_equal(frames->v[2].reply, HAL_GA467_REPLY_BASE_INFO);
    assert_int_equal(frames->v[2].sw3, HAL_GA467_SW3_OK);
    assert_int_equal(frames->v[2].data_len,
                     HAL_GA467_BASE_LENGTHS_LEN + HAL_GA467_TEXT_LEN + HAL_GA467_PHOTO_LEN);
    hal_ga467_frame_events(&frames->v[2], DEV, &out);
    assert_int_equal(out.n, 1);
    assert_zhang(&out.v[0]);

    /* More frames than the list holds are counted, not kept. */
    size_t sn;
    uint8_t *statuses = load("statuses.bin", &sn);
    memset(frames, 0, sizeof *frames);
    memset(&out, 0, sizeof out);
    assert_int_equal(hal_ga467_feed_frames(&dec, DEV, statuses, sn, frames, &out), HAL_OK);
    assert_int_equal(frames->n, HAL_GA467_FRAMES_MAX);
    assert_int_equal(frames->dropped, N_ELEMS(STATUS_CASES) - HAL_GA467_FRAMES_MAX);
    assert_int_equal(out.n, 0);
    free(statuses);
    free(frames);
    free(data);
}

static void test_parse_frame(void **state)
{
    (void)state;
    size_t n;
    uint8_t *data = load("find_ok.bin", &n);
    hal_ga467_frame f;
    assert_int_equal(hal_ga467_parse_frame(data, n, &f), HAL_OK);
    assert_int_equal(f.reply, HAL_GA467_REPLY_FOUND);
    assert_int_equal(hal_ga467_parse_frame(data, n - 1, &f), HAL_ERR_INVALID);
    assert_int_equal(hal_ga467_parse_frame(NULL, n, &f), HAL_ERR_INVALID);
    uint8_t copy[HAL_GA467_FRAME_MAX];
    memcpy(copy, data, n);
    copy[n] = 0;
    assert_int_equal(hal_ga467_parse_frame(copy, n + 1, &f), HAL_ERR_INVALID);
    copy[n - 1] ^= 1; /* checksum */
    assert_int_equal(hal_ga467_parse_frame(copy, n, &f), HAL_ERR_INVALID);
    memcpy(copy, data, n);
    copy[0] = 0xAB; /* preamble */
    assert_int_equal(hal_ga467_parse_frame(copy, n, &f), HAL_ERR_INVALID);
    free(data);
}

/* --- Reader state machine ------------------------------------------------------------------ */

/* Frames the state machine tests feed, taken from the recorded streams. */
enum {
    F_FOUND,
    F_SELECTED,
    F_NO_CARD,
    F_CARD,
    F_READ_FAILED,
    F_SELECT_FAILED,
    F_SELF_TEST,
    F_SAM_UNAUTHORISED,
    F_BAD_TEXT,
    F_COUNT,
    TICK = -1,
};

typedef struct bank {
    hal_ga467_frame frame[F_COUNT];
    uint8_t commands[3][HAL_GA467_COMMAND_LEN]; /* find, select, read: commands.bin */
} bank;

/* The i-th frame of a recorded stream. */
static void frame_of(const char *file, size_t index, hal_ga467_frame *f)
{
    size_t n;
    uint8_t *data = load(file, &n);
    hal_ga467_decoder dec;
    hal_ga467_decoder_init(&dec);
    hal_ga467_frames *frames = calloc(1, sizeof *frames);
    assert_non_null(frames);
    size_t seen = 0;
    bool found = false;
    for (size_t at = 0; at < n && !found; at++) {
        hal_events out = {0};
        frames->n = 0;
        hal_ga467_feed_frames(&dec, DEV, data + at, 1, frames, &out);
        assert_int_equal(out.n, 0);
        if (frames->n == 1 && seen++ == index) {
            *f = frames->v[0];
            found = true;
        }
    }
    assert_true(found);
    free(frames);
    free(data);
}

static size_t status_index(uint8_t sw3)
{
    for (size_t i = 0; i < N_ELEMS(STATUS_CASES); i++)
        if (STATUS_CASES[i].sw3 == sw3)
            return i;
    fail();
    return 0;
}

static int bank_setup(void **state)
{
    bank *b = calloc(1, sizeof *b);
    assert_non_null(b);
    frame_of("find_ok.bin", 0, &b->frame[F_FOUND]);
    frame_of("select_ok.bin", 0, &b->frame[F_SELECTED]);
    frame_of("no_card.bin", 0, &b->frame[F_NO_CARD]);
    frame_of("read_zhangsanhua.bin", 2, &b->frame[F_CARD]);
    frame_of("statuses.bin", status_index(HAL_GA467_SW3_READ_FAILED), &b->frame[F_READ_FAILED]);
    frame_of("statuses.bin", status_index(HAL_GA467_SW3_SELECT_FAILED), &b->frame[F_SELECT_FAILED]);
    frame_of("statuses.bin", status_index(HAL_GA467_SW3_SELF_TEST), &b->frame[F_SELF_TEST]);
    frame_of("statuses.bin", status_index(HAL_GA467_SW3_SAM_UNAUTHORISED),
             &b->frame[F_SAM_UNAUTHORISED]);
    frame_of("bad_text.bin", 3, &b->frame[F_BAD_TEXT]);
    assert_int_equal(b->frame[F_CARD].reply, HAL_GA467_REPLY_BASE_INFO);
    assert_int_equal(b->frame[F_BAD_TEXT].reply, HAL_GA467_REPLY_BAD_TEXT);
    size_t n;
    uint8_t *cmds = load("commands.bin", &n);
    assert_int_equal(n, sizeof b->commands);
    memcpy(b->commands, cmds, n);
    free(cmds);
    *state = b;
    return 0;
}

static int bank_teardown(void **state)
{
    free(*state);
    return 0;
}

enum { SEND_NONE = -1, SEND_FIND = 0, SEND_SELECT = 1, SEND_READ = 2 };

static const char CARD[] = "<card>";

typedef struct step {
    int input;         /* F_... or TICK */
    int send;          /* SEND_... */
    unsigned wait_ms;  /* what the driver waits next */
    const char *event; /* NULL: none; CARD: 张三华's card; else an error message */
} step;

#define FIND_WAIT HAL_GA467_REPLY_MS
#define POLL_WAIT HAL_GA467_POLL_MS
#define READ_WAIT HAL_GA467_READ_MS

/* Runs steps on a fresh reader; frames[] maps an input to its frame. Returns the cards seen. */
static size_t drive(const bank *b, const hal_ga467_frame *const *frames, const step *steps,
                    size_t n)
{
    hal_ga467_reader reader;
    hal_ga467_reader_init(&reader);
    size_t cards = 0;
    for (size_t i = 0; i < n; i++) {
        const step *s = &steps[i];
        hal_events out = {0};
        hal_ga467_action act;
        memset(&act, 0xEE, sizeof act);
        const hal_ga467_frame *reply = s->input == TICK ? NULL : frames[s->input];
        assert_int_equal(hal_ga467_reader_step(&reader, DEV, reply, &act, &out), HAL_OK);
        if (s->send == SEND_NONE) {
            assert_int_equal(act.cmd_len, 0);
        } else {
            assert_int_equal(act.cmd_len, HAL_GA467_COMMAND_LEN);
            assert_memory_equal(act.cmd, b->commands[s->send], HAL_GA467_COMMAND_LEN);
        }
        assert_int_equal(act.wait_ms, s->wait_ms);
        if (!s->event) {
            assert_int_equal(out.n, 0);
        } else if (s->event == CARD) {
            assert_int_equal(out.n, 1);
            assert_zhang(&out.v[0]);
            cards++;
        } else {
            assert_int_equal(out.n, 1);
            assert_error(&out.v[0], s->event);
        }
    }
    return cards;
}

static size_t drive_bank(const bank *b, const step *steps, size_t n)
{
    const hal_ga467_frame *frames[F_COUNT];
    for (size_t i = 0; i < F_COUNT; i++)
        frames[i] = &b->frame[i];
    return drive(b, frames, steps, n);
}

/* The recorded session: idle, a card read, left on the reader, lifted, presented again. */
static void test_reader_session(void **state)
{
    const bank *b = *state;
    hal_ga467_frame *session = calloc(SESSION_FRAMES, sizeof *session);
    assert_non_null(session);
    const hal_ga467_frame *frames[SESSION_FRAMES];
    for (size_t i = 0; i < SESSION_FRAMES; i++) {
        frame_of("session.bin", i, &session[i]);
        frames[i] = &session[i];
    }
    static const step STEPS[] = {
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {0, SEND_NONE, POLL_WAIT, NULL}, /* no card: idle, not an error */
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {1, SEND_NONE, POLL_WAIT, NULL},
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {2, SEND_SELECT, FIND_WAIT, NULL}, /* found */
        {3, SEND_READ, READ_WAIT, NULL},   /* selected */
        {4, SEND_NONE, POLL_WAIT, CARD},
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {5, SEND_NONE, POLL_WAIT, NULL}, /* still on the reader: not read again */
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {6, SEND_NONE, POLL_WAIT, NULL},
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {7, SEND_NONE, POLL_WAIT, NULL}, /* lifted */
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {8, SEND_SELECT, FIND_WAIT, NULL}, /* presented again */
        {9, SEND_READ, READ_WAIT, NULL},
        {10, SEND_NONE, POLL_WAIT, CARD},
    };
    assert_int_equal(drive(b, frames, STEPS, N_ELEMS(STEPS)), 2);
    free(session);
}

static void test_reader_failures(void **state)
{
    const bank *b = *state;
    static const step READ_FAILS[] = {
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {F_FOUND, SEND_SELECT, FIND_WAIT, NULL},
        {F_SELECTED, SEND_READ, READ_WAIT, NULL},
        {F_READ_FAILED, SEND_NONE, POLL_WAIT,
         "card could not be read: lift it and present it again"},
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {F_FOUND, SEND_NONE, POLL_WAIT, NULL}, /* not retried while it lies there */
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {F_NO_CARD, SEND_NONE, POLL_WAIT, NULL},
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {F_FOUND, SEND_SELECT, FIND_WAIT, NULL},
        {F_SELECTED, SEND_READ, READ_WAIT, NULL},
        {F_CARD, SEND_NONE, POLL_WAIT, CARD},
    };
    assert_int_equal(drive_bank(b, READ_FAILS, N_ELEMS(READ_FAILS)), 1);

    static const step SELECT_FAILS[] = {
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {F_FOUND, SEND_SELECT, FIND_WAIT, NULL},
        {F_SELECT_FAILED, SEND_NONE, POLL_WAIT,
         "card could not be selected: lift it and present it again"},
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {F_FOUND, SEND_NONE, POLL_WAIT, NULL},
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {F_NO_CARD, SEND_NONE, POLL_WAIT, NULL},
    };
    assert_int_equal(drive_bank(b, SELECT_FAILS, N_ELEMS(SELECT_FAILS)), 0);

    static const step TAKEN_AWAY[] = {
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {F_FOUND, SEND_SELECT, FIND_WAIT, NULL},
        {F_SELECTED, SEND_READ, READ_WAIT, NULL},
        {F_NO_CARD, SEND_NONE, POLL_WAIT,
         "card was taken away before it was read: present it again"},
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {F_FOUND, SEND_SELECT, FIND_WAIT, NULL}, /* gone already: no lift needed */
    };
    assert_int_equal(drive_bank(b, TAKEN_AWAY, N_ELEMS(TAKEN_AWAY)), 0);

    static const step BAD_TEXT[] = {
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {F_FOUND, SEND_SELECT, FIND_WAIT, NULL},
        {F_SELECTED, SEND_READ, READ_WAIT, NULL},
        {F_BAD_TEXT, SEND_NONE, POLL_WAIT, "card text is malformed: no name"},
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {F_FOUND, SEND_NONE, POLL_WAIT, NULL},
    };
    assert_int_equal(drive_bank(b, BAD_TEXT, N_ELEMS(BAD_TEXT)), 0);
}

static void test_reader_faults_reported_once(void **state)
{
    const bank *b = *state;
    static const step STEPS[] = {
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {F_SELF_TEST, SEND_NONE, POLL_WAIT,
         "the ID card reader's security module failed its self-test"},
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {F_SELF_TEST, SEND_NONE, POLL_WAIT, NULL}, /* the same fault: said already */
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {F_SAM_UNAUTHORISED, SEND_NONE, POLL_WAIT,
         "the ID card reader's security module is not authorised"},
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {F_NO_CARD, SEND_NONE, POLL_WAIT, NULL}, /* recovered */
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {F_SELF_TEST, SEND_NONE, POLL_WAIT,
         "the ID card reader's security module failed its self-test"},
    };
    assert_int_equal(drive_bank(b, STEPS, N_ELEMS(STEPS)), 0);
}

static void test_reader_timeouts(void **state)
{
    const bank *b = *state;
    static const step SILENT[] = {
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {TICK, SEND_FIND, FIND_WAIT, "the ID card reader does not answer"},
        {TICK, SEND_FIND, FIND_WAIT, NULL}, /* said once */
        {F_NO_CARD, SEND_NONE, POLL_WAIT, NULL},
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {TICK, SEND_FIND, FIND_WAIT, "the ID card reader does not answer"},
    };
    assert_int_equal(drive_bank(b, SILENT, N_ELEMS(SILENT)), 0);

    /* A read that never answers starts the card over from find. */
    static const step READ_LOST[] = {
        {TICK, SEND_FIND, FIND_WAIT, NULL},       {F_FOUND, SEND_SELECT, FIND_WAIT, NULL},
        {F_SELECTED, SEND_READ, READ_WAIT, NULL}, {TICK, SEND_FIND, FIND_WAIT, NULL},
        {F_FOUND, SEND_SELECT, FIND_WAIT, NULL},  {F_SELECTED, SEND_READ, READ_WAIT, NULL},
        {F_CARD, SEND_NONE, POLL_WAIT, CARD},
    };
    assert_int_equal(drive_bank(b, READ_LOST, N_ELEMS(READ_LOST)), 1);

    /* The read's answer comes late, after find was sent again: the card still counts, once. */
    static const step READ_LATE[] = {
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {F_FOUND, SEND_SELECT, FIND_WAIT, NULL},
        {F_SELECTED, SEND_READ, READ_WAIT, NULL},
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {F_CARD, SEND_NONE, FIND_WAIT, CARD},  /* find still outstanding */
        {F_FOUND, SEND_NONE, POLL_WAIT, NULL}, /* its answer: the card lies there */
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {F_CARD, SEND_NONE, FIND_WAIT, NULL}, /* a duplicate: ignored */
        {F_NO_CARD, SEND_NONE, POLL_WAIT, NULL},
    };
    assert_int_equal(drive_bank(b, READ_LATE, N_ELEMS(READ_LATE)), 1);

    /* Stale and unsolicited replies are ignored. */
    static const step STALE[] = {
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {F_SELECTED, SEND_NONE, FIND_WAIT, NULL}, /* a select answer while finding */
        {F_NO_CARD, SEND_NONE, POLL_WAIT, NULL},
        {F_NO_CARD, SEND_NONE, POLL_WAIT, NULL}, /* nothing was asked */
        {F_FOUND, SEND_NONE, POLL_WAIT, NULL},
        {TICK, SEND_FIND, FIND_WAIT, NULL},
        {F_FOUND, SEND_SELECT, FIND_WAIT, NULL},
    };
    assert_int_equal(drive_bank(b, STALE, N_ELEMS(STALE)), 0);
}

static void test_reader_arguments(void **state)
{
    (void)state;
    hal_ga467_reader reader;
    hal_ga467_reader_init(&reader);
    hal_ga467_action act;
    hal_events out = {0};
    assert_int_equal(hal_ga467_reader_step(NULL, DEV, NULL, &act, &out), HAL_ERR_INVALID);
    assert_int_equal(hal_ga467_reader_step(&reader, DEV, NULL, NULL, &out), HAL_ERR_INVALID);
    assert_int_equal(hal_ga467_reader_step(&reader, DEV, NULL, &act, NULL), HAL_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest decoder[] = {
        cmocka_unit_test(test_commands),
        cmocka_unit_test(test_complete_read),
        cmocka_unit_test(test_long_term_valid_to),
        cmocka_unit_test(test_return_codes),
        cmocka_unit_test(test_split_everywhere),
        cmocka_unit_test(test_garbage_streams),
        cmocka_unit_test(test_noise_is_counted),
        cmocka_unit_test(test_truncated_needs_flush),
        cmocka_unit_test(test_never_stuck),
        cmocka_unit_test(test_event_flood),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_status_messages),
        cmocka_unit_test(test_success_replies_are_silent),
        cmocka_unit_test(test_surrogate_pair_name),
        cmocka_unit_test(test_lone_surrogate),
        cmocka_unit_test(test_nations),
        cmocka_unit_test(test_sexes),
        cmocka_unit_test(test_bad_text),
        cmocka_unit_test(test_frames),
        cmocka_unit_test(test_parse_frame),
    };
    const struct CMUnitTest reader[] = {
        cmocka_unit_test(test_reader_session),
        cmocka_unit_test(test_reader_failures),
        cmocka_unit_test(test_reader_faults_reported_once),
        cmocka_unit_test(test_reader_timeouts),
        cmocka_unit_test(test_reader_arguments),
    };
    int failed = cmocka_run_group_tests_name("ga467 decoder", decoder, NULL, NULL);
    failed += cmocka_run_group_tests_name("ga467 reader", reader, bank_setup, bank_teardown);
    return failed;
}
