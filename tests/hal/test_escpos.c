/*
 * ESC/POS receipts, read back by a strict interpreter (escpos_interp.c): the printed lines, their
 * widths at 58 and 80 mm, the large self-pay line, the QR payload, one cut at the end; text repair
 * (bad UTF-8, control bytes); the money format; printer status bytes; the test page.
 */
#include "testutil.h"

#include "escpos_interp.h"

#include "hal/escpos.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LINE_MAX = 256 };

static const char QR180[] =
    "ZCR1|ZK-3f9a0c12be77|1042|1767587400|1500|500|1000|9c9d9e9fa0a1a2a3|"
    "ZldaQ3tfhO7Q6tyZsoyY2d89b40XKFrnADibzuQnCz6njJDJB0dqex04M4qXXGxlU96nydGHqutTiUG-H29nAQ"
    "01234567890123456789012345";

/* Columns a UTF-8 text takes on paper: 1 for ASCII, 2 for anything else (full-width in Chinese
 * mode). Written independently of the encoder on purpose. */
static int cols_of(const char *s)
{
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x80)
            w += 1;
        else if (*p >= 0xC0)
            w += 2;
    }
    return w;
}

/* "label<spaces>value" exactly `cols` wide. */
static void pair_line(char *buf, size_t size, const char *label, const char *value, int cols)
{
    int pad = cols - cols_of(label) - cols_of(value);
    assert_true(pad >= 1);
    snprintf(buf, size, "%s%*s%s", label, pad, "", value);
}

static int paper_cols(hal_paper paper)
{
    return paper == HAL_PAPER_58MM ? 32 : 48;
}

static int paper_dots(hal_paper paper)
{
    return paper == HAL_PAPER_58MM ? 384 : 576;
}

static void render_ok(const hal_escpos_receipt *r, hal_paper paper, ei_result *res)
{
    hal_escpos_buf buf;
    hal_escpos_buf_init(&buf);
    assert_int_equal(hal_escpos_render(r, paper, &buf), HAL_OK);
    int rc = ei_parse(buf.data, buf.len, res);
    if (rc != 0)
        fail_msg("interpreter: %s", res->error);
    hal_escpos_buf_free(&buf);
}

/* What every printout must be: init first, Chinese mode, nothing wider than the paper, one cut as
 * the very last command, no category word anywhere. */
static void check_frame(const ei_result *res, hal_paper paper)
{
    assert_true(res->init_first);
    assert_int_equal(res->inits, 1);
    assert_true(res->chinese_mode);
    assert_int_equal(res->cuts, 1);
    assert_true(res->cut_last);
    assert_true(res->feed_lines >= 1);
    for (size_t i = 0; i < res->nlines; i++) {
        if (res->lines[i].columns > paper_cols(paper))
            fail_msg("line %zu is %d columns: \"%s\"", i, res->lines[i].columns,
                     res->lines[i].text);
    }
    static const char *const CATEGORY_WORDS[] = {"低保", "特困", "失能"};
    for (size_t i = 0; i < sizeof CATEGORY_WORDS / sizeof CATEGORY_WORDS[0]; i++)
        assert_int_equal(ei_count_lines_with(res, CATEGORY_WORDS[i]), 0);
}

/* The QR: exactly the receipt's text, model 2, level M, a module size that fits the paper. */
static void check_qr(const ei_result *res, const char *qr, hal_paper paper)
{
    if (!qr || !qr[0]) {
        assert_int_equal(res->qr_prints, 0);
        assert_null(res->qr_stored);
        return;
    }
    assert_int_equal(res->qr_prints, 1);
    assert_non_null(res->qr_stored);
    assert_int_equal(res->qr_stored_len, strlen(qr));
    assert_memory_equal(res->qr_stored, qr, strlen(qr));
    assert_int_equal(res->qr_model, 50);
    assert_int_equal(res->qr_ec, 49);
    /* Byte-mode capacity at level M of versions 1..18 (ISO/IEC 18004); 4 + 4 quiet modules. */
    static const int CAPACITY_M[] = {14,  26,  42,  62,  84,  106, 122, 152, 180,
                                     213, 251, 287, 331, 362, 412, 450, 504, 560};
    int version = 1;
    while (CAPACITY_M[version - 1] < (int)strlen(qr))
        version++;
    int modules = 17 + 4 * version + 8;
    assert_true(res->qr_module >= 3);
    assert_true(res->qr_module * modules <= paper_dots(paper));
}

/* ---- table of receipts ---- */

enum expect_kind { EXPECT_END = 0, EXPECT_TEXT, EXPECT_PAIR };

typedef struct expect {
    enum expect_kind kind;
    const char *a; /* the exact line, or the label */
    const char *b; /* the value, right-aligned */
} expect;

typedef struct receipt_case {
    const char *what;
    hal_escpos_receipt r;
    const char *due;  /* the large self-pay line */
    expect lines[12]; /* lines that must appear, in this order (others may come between) */
} receipt_case;

static const hal_escpos_item LUNCH[] = {
    {"红烧肉", 1250},
    {"米饭", 100},
};

static const hal_escpos_item ODD[] = {
    {"bad\xff\xfe名字\xe4\xb8", 100}, /* not UTF-8, and a truncated character */
    {"A\x1b@B\x1dV\x01"
     "C\n\t\x7f",
     200},                                     /* control bytes must not become commands */
    {"\xc2\x85\xee\x80\x80\xef\xbf\xbf", 300}, /* C1 control, private use, a non-character */
    {"¥ sign", 400},
    {"\xf0\xa0\x80\x80鲜", 500}, /* CJK extension B: a four-byte GB18030 character */
    {"", 600},
};

static const receipt_case RECEIPTS[] = {
    {"lunch",
     {.canteen = "梁溪区社区长者食堂",
      .device = "ZK-3f9a0c12be77",
      .seq = 1042,
      .time_text = "2026-01-05 12:30",
      .items = LUNCH,
      .nitems = 2,
      .total = 1350,
      .subsidy = 300,
      .self_pay = 1050,
      .paid = "现金",
      .qr = QR180,
      .footer = "谢谢惠顾 请保留小票"},
     "应付 ￥10.50",
     {{EXPECT_TEXT, "助餐小票", NULL},
      {EXPECT_TEXT, "梁溪区社区长者食堂", NULL},
      {EXPECT_PAIR, "设备", "ZK-3f9a0c12be77"},
      {EXPECT_PAIR, "流水号", "1042"},
      {EXPECT_PAIR, "时间", "2026-01-05 12:30"},
      {EXPECT_PAIR, "菜品", "金额"},
      {EXPECT_PAIR, "红烧肉", "￥12.50"},
      {EXPECT_PAIR, "米饭", "￥1.00"},
      {EXPECT_PAIR, "原价", "￥13.50"},
      {EXPECT_PAIR, "政府补贴", "￥3.00"},
      {EXPECT_TEXT, "应付 ￥10.50", NULL},
      {EXPECT_PAIR, "支付方式", "现金"}}},
    {"no items, no QR, no footer, NULL texts",
     {.seq = 1, .total = 0, .subsidy = 0, .self_pay = 0},
     "应付 ￥0.00",
     {{EXPECT_TEXT, "助餐小票", NULL},
      {EXPECT_PAIR, "流水号", "1"},
      {EXPECT_PAIR, "原价", "￥0.00"},
      {EXPECT_PAIR, "政府补贴", "￥0.00"},
      {EXPECT_TEXT, "应付 ￥0.00", NULL}}},
    {"odd text is repaired, never refused",
     {.canteen = "食堂\x1b",
      .device = "D\xff",
      .seq = 7,
      .time_text = "12:30",
      .items = ODD,
      .nitems = 6,
      .total = 1500,
      .subsidy = 0,
      .self_pay = 1500,
      .paid = "other",
      .qr = "ZCR1|X",
      .footer = "x"},
     "应付 ￥15.00",
     {{EXPECT_TEXT, "食堂?", NULL},
      {EXPECT_PAIR, "设备", "D?"},
      {EXPECT_PAIR, "bad??名字??", "￥1.00"},
      {EXPECT_PAIR, "A?@B?V?C???", "￥2.00"},
      {EXPECT_PAIR, "???", "￥3.00"},
      {EXPECT_PAIR, "￥ sign", "￥4.00"},
      {EXPECT_PAIR, "\xf0\xa0\x80\x80鲜", "￥5.00"},
      {EXPECT_PAIR, "", "￥6.00"},
      {EXPECT_TEXT, "x", NULL}}},
    {"extreme amounts",
     {.seq = INT64_MAX, .total = INT64_MAX, .subsidy = INT64_MIN, .self_pay = INT64_MAX, .qr = "Q"},
     "应付 ￥92233720368547758.07",
     {{EXPECT_PAIR, "流水号", "9223372036854775807"},
      {EXPECT_PAIR, "原价", "￥92233720368547758.07"},
      {EXPECT_PAIR, "政府补贴", "-￥92233720368547758.08"}}},
};

static void check_lines(const ei_result *res, const receipt_case *c, int cols)
{
    size_t at = 0;
    for (const expect *e = c->lines; e < c->lines + 12 && e->kind != EXPECT_END; e++) {
        char want[LINE_MAX];
        if (e->kind == EXPECT_PAIR)
            pair_line(want, sizeof want, e->a, e->b, cols);
        else
            snprintf(want, sizeof want, "%s", e->a);
        while (at < res->nlines && strcmp(res->lines[at].text, want) != 0)
            at++;
        if (at == res->nlines)
            fail_msg("%s at %d columns: no line \"%s\" (in order)", c->what, cols, want);
        at++;
    }
}

static void test_receipts(void **state)
{
    (void)state;
    assert_int_equal(strlen(QR180), 180);
    static const hal_paper PAPERS[] = {HAL_PAPER_58MM, HAL_PAPER_80MM};
    for (size_t i = 0; i < sizeof RECEIPTS / sizeof RECEIPTS[0]; i++) {
        const receipt_case *c = &RECEIPTS[i];
        for (size_t j = 0; j < 2; j++) {
            hal_paper paper = PAPERS[j];
            ei_result res;
            render_ok(&c->r, paper, &res);
            check_frame(&res, paper);
            check_lines(&res, c, paper_cols(paper));
            check_qr(&res, c->r.qr, paper);
            /* The title first, large; the self-pay line large, bold and centred. */
            assert_true(res.nlines > 0);
            assert_string_equal(res.lines[0].text, "助餐小票");
            assert_int_equal(res.lines[0].width_mag, 2);
            const ei_line *due = ei_find_line(&res, c->due);
            assert_non_null(due);
            assert_string_equal(due->text, c->due);
            assert_true(due->bold);
            assert_int_equal(due->align, EI_ALIGN_CENTER);
            assert_int_equal(due->height_mag, 2);
            assert_int_equal(due->width_mag, cols_of(c->due) * 2 <= paper_cols(paper) ? 2 : 1);
            /* Everything else at normal size and weight. */
            for (size_t k = 1; k < res.nlines; k++) {
                if (&res.lines[k] == due)
                    continue;
                assert_false(res.lines[k].bold);
                assert_int_equal(res.lines[k].width_mag, 1);
            }
            if (c->r.qr)
                assert_true(res.qr_line > (size_t)(due - res.lines)); /* QR under the amounts */
            ei_free(&res);
        }
    }
}

/* A long item name wraps inside the name column; the price stays on its first line. */
static void test_long_names_wrap(void **state)
{
    (void)state;
    static const char *const NAMES[] = {
        "特制秘制红烧狮子头配有机时令蔬菜和五常大米饭套餐加一份例汤",
        "Braised pork with seasonal vegetables, rice and soup of the day (large)",
        "混合 mixed 中英文 text 菜名 that goes on and on 还有更多",
    };
    static const hal_paper PAPERS[] = {HAL_PAPER_58MM, HAL_PAPER_80MM};
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
        for (size_t j = 0; j < 2; j++) {
            hal_escpos_item item = {NAMES[i], 2350};
            hal_escpos_receipt r = {.seq = 3, .items = &item, .nitems = 1, .total = 2350};
            ei_result res;
            render_ok(&r, PAPERS[j], &res);
            check_frame(&res, PAPERS[j]);
            int cols = paper_cols(PAPERS[j]);
            int namecols = cols - cols_of("￥23.50") - 1;
            /* The expected chunks: greedy, whole characters, each at most namecols wide. */
            char chunks[8][LINE_MAX];
            size_t nchunks = 0, len = 0;
            int w = 0;
            chunks[0][0] = '\0';
            for (const char *p = NAMES[i]; *p;) {
                size_t k = 1;
                while ((p[k] & 0xC0) == 0x80)
                    k++;
                int cw = (unsigned char)*p < 0x80 ? 1 : 2;
                if (w + cw > namecols) {
                    chunks[++nchunks][0] = '\0';
                    len = 0;
                    w = 0;
                }
                memcpy(chunks[nchunks] + len, p, k);
                chunks[nchunks][len += k] = '\0';
                w += cw;
                p += k;
            }
            nchunks++;
            assert_true(nchunks >= 2);
            const ei_line *hdr = ei_find_line(&res, "菜品");
            assert_non_null(hdr);
            char want[LINE_MAX];
            pair_line(want, sizeof want, chunks[0], "￥23.50", cols);
            assert_string_equal(hdr[1].text, want);
            for (size_t k = 1; k < nchunks; k++) {
                assert_string_equal(hdr[1 + k].text, chunks[k]);
                assert_true(hdr[1 + k].columns <= namecols);
            }
            assert_true(hdr[1 + nchunks].text[0] == '-'); /* then the rule */
            ei_free(&res);
        }
    }
}

typedef struct bad_case {
    const char *what;
    hal_escpos_receipt r;
    int paper;
} bad_case;

static const char QR_NON_ASCII[] = "ZCR1|助";
static const char QR_CONTROL[] = "ZCR1|\x1d";

static void test_refused(void **state)
{
    (void)state;
    static char too_long[HAL_ESCPOS_QR_MAX + 2];
    memset(too_long, 'A', HAL_ESCPOS_QR_MAX + 1);
    const bad_case BAD[] = {
        {"QR not ASCII", {.qr = QR_NON_ASCII}, HAL_PAPER_58MM},
        {"QR with a control byte", {.qr = QR_CONTROL}, HAL_PAPER_80MM},
        {"QR too long", {.qr = too_long}, HAL_PAPER_80MM},
        {"items missing", {.nitems = 1}, HAL_PAPER_58MM},
        {"unknown paper", {.seq = 1}, 7},
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        hal_escpos_buf buf;
        hal_escpos_buf_init(&buf);
        assert_int_equal(hal_escpos_status_request(&buf), HAL_OK);
        size_t before = buf.len;
        if (hal_escpos_render(&BAD[i].r, (hal_paper)BAD[i].paper, &buf) != HAL_ERR_INVALID)
            fail_msg("%s: not refused", BAD[i].what);
        assert_int_equal(buf.len, before); /* nothing half-written */
        hal_escpos_buf_free(&buf);
    }
    hal_escpos_buf buf;
    hal_escpos_buf_init(&buf);
    hal_escpos_receipt r = {.seq = 1};
    assert_int_equal(hal_escpos_render(NULL, HAL_PAPER_58MM, &buf), HAL_ERR_INVALID);
    assert_int_equal(hal_escpos_render(&r, HAL_PAPER_58MM, NULL), HAL_ERR_INVALID);
    assert_int_equal(hal_escpos_test_page(HAL_PAPER_58MM, NULL, NULL), HAL_ERR_INVALID);
    assert_int_equal(hal_escpos_test_page((hal_paper)9, NULL, &buf), HAL_ERR_INVALID);
    assert_int_equal(hal_escpos_status_request(NULL), HAL_ERR_INVALID);
    hal_escpos_buf_free(&buf);

    /* The longest QR text accepted still fits 58 mm paper. */
    too_long[HAL_ESCPOS_QR_MAX] = '\0';
    r.qr = too_long;
    ei_result res;
    render_ok(&r, HAL_PAPER_58MM, &res);
    check_qr(&res, too_long, HAL_PAPER_58MM);
    ei_free(&res);
}

/* Rendering appends: a status request already in the buffer stays in front. */
static void test_appends(void **state)
{
    (void)state;
    hal_escpos_buf buf;
    hal_escpos_buf_init(&buf);
    assert_int_equal(hal_escpos_render(&RECEIPTS[0].r, HAL_PAPER_58MM, &buf), HAL_OK);
    size_t one = buf.len;
    assert_int_equal(hal_escpos_render(&RECEIPTS[0].r, HAL_PAPER_58MM, &buf), HAL_OK);
    assert_int_equal(buf.len, 2 * one);
    assert_memory_equal(buf.data, buf.data + one, one); /* and renders the same bytes each time */
    ei_result res;
    assert_int_equal(ei_parse(buf.data, buf.len, &res), 0);
    assert_int_equal(res.cuts, 2);
    assert_int_equal(res.inits, 2);
    ei_free(&res);
    hal_escpos_buf_free(&buf);
}

/* The structure carries no category, so none can be printed (DESIGN.md, privacy at the counter).
 * This tripwire fails when a field is added: whoever adds one must re-read that rule. */
static void test_no_category_field(void **state)
{
    (void)state;
    size_t known = 6 * sizeof(const char *) + sizeof(const hal_escpos_item *) + sizeof(size_t) +
                   4 * sizeof(int64_t);
    assert_int_equal(sizeof(hal_escpos_receipt), known);
    assert_int_equal(offsetof(hal_escpos_receipt, footer) + sizeof(const char *), known);
    /* A full receipt says the subsidy as an amount only. */
    ei_result res;
    render_ok(&RECEIPTS[0].r, HAL_PAPER_80MM, &res);
    assert_non_null(ei_find_line(&res, "政府补贴"));
    check_frame(&res, HAL_PAPER_80MM);
    ei_free(&res);
}

typedef struct fen_case {
    int64_t fen;
    const char *text;
} fen_case;

static void test_format_fen(void **state)
{
    (void)state;
    static const fen_case CASES[] = {
        {0, "¥0.00"},
        {5, "¥0.05"},
        {50, "¥0.50"},
        {1250, "¥12.50"},
        {100000, "¥1000.00"},
        {-5, "-¥0.05"},
        {-1250, "-¥12.50"},
        {INT64_MAX, "¥92233720368547758.07"},
        {INT64_MIN, "-¥92233720368547758.08"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        char buf[HAL_ESCPOS_MONEY_MAX];
        int n = hal_escpos_format_fen(CASES[i].fen, buf, sizeof buf);
        assert_int_equal(n, (int)strlen(CASES[i].text));
        assert_string_equal(buf, CASES[i].text);
    }
    char small[6];
    assert_int_equal(hal_escpos_format_fen(1250, small, sizeof small), -1);
    assert_int_equal(hal_escpos_format_fen(1250, NULL, 0), -1);
}

typedef struct status_case {
    uint8_t reply[4]; /* DLE EOT 1, 2, 3, 4 */
    hal_status status;
    const char *message; /* a substring */
} status_case;

static void test_status(void **state)
{
    (void)state;
    static const status_case CASES[] = {
        {{0x12, 0x12, 0x12, 0x12}, HAL_STATUS_CONNECTED, "ready"},
        {{0x16, 0x12, 0x12, 0x12}, HAL_STATUS_CONNECTED, "ready"}, /* drawer pin: not ours */
        {{0x12, 0x12, 0x12, 0x1E}, HAL_STATUS_PAPER_LOW, "paper low"},
        {{0x12, 0x12, 0x12, 0x16}, HAL_STATUS_PAPER_LOW, "paper low"}, /* one sensor bit */
        {{0x1A, 0x32, 0x12, 0x72}, HAL_STATUS_PAPER_OUT, "paper out"},
        {{0x1A, 0x32, 0x12, 0x7E}, HAL_STATUS_PAPER_OUT, "paper out"}, /* out beats low */
        {{0x12, 0x12, 0x12, 0x52}, HAL_STATUS_PAPER_OUT, "paper out"},
        {{0x1A, 0x16, 0x12, 0x12}, HAL_STATUS_FAULT, "cover open"},
        {{0x1A, 0x76, 0x12, 0x72}, HAL_STATUS_FAULT, "cover open; paper out"}, /* fault first */
        {{0x1A, 0x52, 0x1A, 0x12}, HAL_STATUS_FAULT, "cutter error"},
        {{0x1A, 0x52, 0x32, 0x12}, HAL_STATUS_FAULT, "unrecoverable"},
        {{0x1A, 0x52, 0x52, 0x12}, HAL_STATUS_FAULT, "too hot"},
        {{0x1A, 0x52, 0x12, 0x12}, HAL_STATUS_FAULT, "printer error"},
        {{0x1A, 0x12, 0x12, 0x12}, HAL_STATUS_FAULT, "offline"},
        {{0x1A, 0x1A, 0x12, 0x12}, HAL_STATUS_CONNECTED, "feeding paper"},
        {{0x1A, 0x1A, 0x12, 0x1E}, HAL_STATUS_PAPER_LOW, "paper low; feeding paper"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        hal_status s = HAL_STATUS_DISCONNECTED;
        char msg[HAL_MESSAGE_MAX];
        assert_int_equal(hal_escpos_status_parse(CASES[i].reply, 4, &s, msg, sizeof msg), HAL_OK);
        if (s != CASES[i].status || !strstr(msg, CASES[i].message))
            fail_msg("case %zu: status %d \"%s\", want %d \"%s\"", i, (int)s, msg,
                     (int)CASES[i].status, CASES[i].message);
    }
}

static void test_status_bad_replies(void **state)
{
    (void)state;
    static const uint8_t GOOD[5] = {0x12, 0x12, 0x12, 0x12, 0x12};
    static const uint8_t NOT_STATUS[][4] = {
        {0x13, 0x12, 0x12, 0x12}, /* bit 0 set */
        {0x12, 0x10, 0x12, 0x12}, /* bit 1 clear */
        {0x12, 0x12, 0x02, 0x12}, /* bit 4 clear */
        {0x12, 0x12, 0x12, 0x92}, /* bit 7 set */
        {0x00, 0x00, 0x00, 0x00}, {0xFF, 0xFF, 0xFF, 0xFF},
    };
    hal_status s;
    char msg[HAL_MESSAGE_MAX];
    for (size_t n = 0; n < 4; n++)
        assert_int_equal(hal_escpos_status_parse(GOOD, n, &s, msg, sizeof msg), HAL_ERR_AGAIN);
    assert_int_equal(hal_escpos_status_parse(GOOD, 5, &s, msg, sizeof msg), HAL_ERR_INVALID);
    assert_non_null(strstr(msg, "5 bytes"));
    for (size_t i = 0; i < sizeof NOT_STATUS / sizeof NOT_STATUS[0]; i++) {
        assert_int_equal(hal_escpos_status_parse(NOT_STATUS[i], 4, &s, msg, sizeof msg),
                         HAL_ERR_INVALID);
        assert_non_null(strstr(msg, "not a status reply"));
    }
    assert_int_equal(hal_escpos_status_parse(NOT_STATUS[3], 4, &s, msg, sizeof msg),
                     HAL_ERR_INVALID);
    assert_non_null(strstr(msg, "byte 4 (paper sensor)"));
    /* No message buffer, a tiny one: still parsed. */
    assert_int_equal(hal_escpos_status_parse(GOOD, 4, &s, NULL, 0), HAL_OK);
    assert_int_equal(s, HAL_STATUS_CONNECTED);
    char tiny[4];
    static const uint8_t MANY[4] = {0x1A, 0x76, 0x7A, 0x7E};
    assert_int_equal(hal_escpos_status_parse(MANY, 4, &s, tiny, sizeof tiny), HAL_OK);
    assert_int_equal(s, HAL_STATUS_FAULT);
    assert_int_equal(strlen(tiny), 3);
    assert_int_equal(hal_escpos_status_parse(NULL, 4, &s, msg, sizeof msg), HAL_ERR_INVALID);
    assert_int_equal(hal_escpos_status_parse(GOOD, 4, NULL, msg, sizeof msg), HAL_ERR_INVALID);
}

static void test_status_request(void **state)
{
    (void)state;
    static const uint8_t WANT[HAL_ESCPOS_STATUS_REQUEST_LEN] = {
        0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 3, 0x10, 0x04, 4,
    };
    hal_escpos_buf buf;
    hal_escpos_buf_init(&buf);
    assert_int_equal(hal_escpos_status_request(&buf), HAL_OK);
    assert_int_equal(buf.len, sizeof WANT);
    assert_memory_equal(buf.data, WANT, sizeof WANT);
    ei_result res;
    assert_int_equal(ei_parse(buf.data, buf.len, &res), 0);
    assert_int_equal(res.status_requests, 4);
    assert_int_equal(res.nlines, 0);
    ei_free(&res);
    hal_escpos_buf_free(&buf);
}

static void test_test_page(void **state)
{
    (void)state;
    static const hal_paper PAPERS[] = {HAL_PAPER_58MM, HAL_PAPER_80MM};
    for (size_t j = 0; j < 2; j++) {
        hal_escpos_buf buf;
        hal_escpos_buf_init(&buf);
        assert_int_equal(hal_escpos_test_page(PAPERS[j], "2026-01-05 09:00:00", &buf), HAL_OK);
        ei_result res;
        if (ei_parse(buf.data, buf.len, &res) != 0)
            fail_msg("interpreter: %s", res.error);
        check_frame(&res, PAPERS[j]);
        int cols = paper_cols(PAPERS[j]);
        assert_true(res.nlines >= 2);
        assert_string_equal(res.lines[0].text, "打印测试");
        assert_int_equal(res.lines[1].columns, cols); /* the ruler: exactly one line */
        assert_int_equal((int)strlen(res.lines[1].text), cols);
        assert_non_null(ei_find_line(&res, "中文：助餐小票 应付￥12.50"));
        char want[LINE_MAX];
        pair_line(want, sizeof want, "时间", "2026-01-05 09:00:00", cols);
        assert_non_null(ei_find_line(&res, want));
        assert_non_null(ei_find_line(&res, "应付 ￥13.00"));
        assert_int_equal(res.qr_prints, 1);
        assert_non_null(res.qr_stored);
        assert_true(strncmp(res.qr_stored, "ZCR1|", 5) == 0);
        ei_free(&res);
        hal_escpos_buf_free(&buf);
    }
}

/* The interpreter must bite: streams a printer could misread are refused. */
static void test_interpreter_refuses(void **state)
{
    (void)state;
    typedef struct raw {
        const char *what;
        const char *bytes;
        size_t n;
    } raw;
#define RAW(what, lit)                                                                             \
    {                                                                                              \
        (what), (lit), sizeof(lit) - 1                                                             \
    }
    static const raw BAD[] = {
        RAW("bell", "\x1b@\x07\n"),
        RAW("unknown ESC", "\x1b@\x1bt\x00"),
        RAW("text without LF", "\x1b@abc"),
        RAW("GB18030 outside Chinese mode", "\x1b@\xd6\xfa\n"),
        RAW("Chinese mode cleared by ESC @", "\x1b@\x1c&\x1b@\xd6\xfa\n"),
        RAW("bad trail byte", "\x1b@\x1c&\xd6\x20\n"),
        RAW("ESC a mid-line", "\x1b@a\x1b\x61\x01\n"),
        RAW("cut mid-line", "\x1b@a\x1dV\x01\n"),
        RAW("QR print with nothing stored", "\x1b@\x1d(k\x03\x00\x31\x51\x30"),
        RAW("PDF417, not QR", "\x1b@\x1d(k\x03\x00\x30\x51\x30"),
        RAW("truncated QR store", "\x1b@\x1d(k\x10\x00\x31\x50\x30"
                                  "ab"),
        RAW("DEL", "\x1b@\x7f\n"),
        RAW("GS ! too big", "\x1b@\x1d!\x88"),
        RAW("DLE other than EOT", "\x1b@\x10\x14\x01"),
    };
#undef RAW
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        ei_result res;
        if (ei_parse((const uint8_t *)BAD[i].bytes, BAD[i].n, &res) == 0)
            fail_msg("%s: accepted", BAD[i].what);
        assert_true(res.error[0] != '\0');
        ei_free(&res);
    }
    /* And a good one, to show the refusals are not everything. */
    static const char GOOD[] = "\x1b@\x1c&\xd6\xfa\xb2\xcd\n\x1d(k\x04\x00\x31\x41\x32\x00"
                               "\x1d(k\x05\x00\x31\x50\x30hi\x1d(k\x03\x00\x31\x51\x30\x1dV\x01";
    ei_result res;
    assert_int_equal(ei_parse((const uint8_t *)GOOD, sizeof GOOD - 1, &res), 0);
    assert_int_equal(res.nlines, 1);
    assert_string_equal(res.lines[0].text, "助餐");
    assert_int_equal(res.lines[0].columns, 4);
    assert_string_equal(res.qr_stored, "hi");
    assert_int_equal(res.qr_prints, 1);
    assert_true(res.cut_last);
    ei_free(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_receipts),
        cmocka_unit_test(test_long_names_wrap),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_appends),
        cmocka_unit_test(test_no_category_field),
        cmocka_unit_test(test_format_fen),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_status_bad_replies),
        cmocka_unit_test(test_status_request),
        cmocka_unit_test(test_test_page),
        cmocka_unit_test(test_interpreter_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
