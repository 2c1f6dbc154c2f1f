/*
 * ESC/POS receipts and printer status (escpos.h). Text is laid out on GB18030 bytes: in Chinese
 * mode the printer prints a single byte (ASCII) as a half-width cell of font A and every multi-byte
 * GB18030 character as one full-width cell, so "a multi-byte character is two columns" is exactly
 * how the paper fills up.
 */
#include "hal/escpos.h"

#include <errno.h>
#include <iconv.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Control codes and command bytes, named as in the ESC/POS reference. */
enum {
    CC_EOT = 0x04,
    CC_LF = 0x0A,
    CC_DLE = 0x10,
    CC_ESC = 0x1B,
    CC_FS = 0x1C,
    CC_GS = 0x1D,

    ESC_INIT = '@',       /* ESC @: initialise the printer */
    ESC_ALIGN = 'a',      /* ESC a n: justification, at the start of a line */
    ESC_BOLD = 'E',       /* ESC E n: emphasis on (1) or off (0) */
    ESC_FEED_LINES = 'd', /* ESC d n: print and feed n lines */
    FS_CHINESE_ON = '&',  /* FS &: Chinese (multi-byte) character mode */
    GS_CHAR_SIZE = '!',   /* GS ! n: width (high nibble) and height (low nibble) magnification */
    GS_CUT = 'V',         /* GS V m: cut */
    GS_2D = '(',          /* GS ( k: 2D symbols, with GS_2D_K */
    GS_2D_K = 'k',
    DLE_EOT_STATUS = CC_EOT, /* DLE EOT n: real-time status */

    ALIGN_LEFT = 0,
    ALIGN_CENTER = 1,
    ALIGN_RIGHT = 2,

    SIZE_NORMAL = 0x00,
    SIZE_DOUBLE_HEIGHT = 0x01,
    SIZE_DOUBLE = 0x11,

    CUT_PARTIAL = 1,

    /* GS ( k pL pH cn fn ...: cn 49 is QR Code. */
    QR_CN = 49,
    QR_FN_MODEL = 65,  /* function 165: select the model */
    QR_FN_MODULE = 67, /* function 167: module size in dots */
    QR_FN_EC = 69,     /* function 169: error correction level */
    QR_FN_STORE = 80,  /* function 180: store the data in the symbol area */
    QR_FN_PRINT = 81,  /* function 181: print the stored symbol */
    QR_MODEL_2 = 50,
    QR_EC_M = 49, /* 15 %: survives a smudge or a crease, still small enough for 58 mm */
    QR_M_SYMBOL = 48,
    QR_STORE_HEADER = 3,  /* cn fn m counted by pL pH before the data */
    QR_QUIET_MODULES = 8, /* the four-module quiet zone on each side */
    QR_MODULE_MIN = 3,    /* below 3 dots (0.375 mm) thermal QR codes stop scanning reliably */
    QR_MODULE_MAX = 8,    /* 1 mm a module at 203 dpi: bigger only wastes paper */

    /* DLE EOT n */
    STATUS_PRINTER = 1,
    STATUS_OFFLINE = 2,
    STATUS_ERROR = 3,
    STATUS_PAPER = 4,
    /* Every status byte has bit 1 and bit 4 set, bit 0 and bit 7 clear. */
    STATUS_FIXED_MASK = 0x93,
    STATUS_FIXED_BITS = 0x12,
    PRINTER_OFFLINE = 0x08,
    OFFLINE_COVER_OPEN = 0x04,
    OFFLINE_FEED_BUTTON = 0x08,
    OFFLINE_PAPER_END = 0x20,
    OFFLINE_ERROR = 0x40,
    ERROR_CUTTER = 0x08,
    ERROR_UNRECOVERABLE = 0x20,
    ERROR_AUTO_RECOVERABLE = 0x40,
    PAPER_NEAR_END = 0x0C, /* two sensor bits: some printers set only one */
    PAPER_END = 0x60,

    QR_MODULES_V1 = 21, /* a version-1 symbol is 21 modules square, each version adds 4 */
    QR_MODULES_PER_VERSION = 4,

    FEED_BEFORE_CUT = 4,  /* lines between the last print and the cutter blade */
    BUF_FIRST_CAP = 1024, /* a 58 mm receipt with a few items and its QR is about 700 bytes */
    SEQ_TEXT_MAX = 24,
    GB_CHAR_MAX = 4,
};

/* Not a code point: marks "not UTF-8" while decoding. */
static const uint32_t UTF8_INVALID = 0xFFFFFFFFu;
static const uint8_t REPLACEMENT = '?';
/* The yen sign U+00A5 is outside GB2312/GBK: printers' fonts reliably have only the full-width
 * ￥ (U+FFE5, GB A3A4), so that is what money prints with. */
static const uint32_t YEN_SIGN = 0xA5;
static const uint32_t FULLWIDTH_YEN_SIGN = 0xFFE5;

void hal_escpos_buf_init(hal_escpos_buf *buf)
{
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
}

void hal_escpos_buf_free(hal_escpos_buf *buf)
{
    free(buf->data);
    hal_escpos_buf_init(buf);
}

static hal_err buf_put(hal_escpos_buf *buf, const void *bytes, size_t n)
{
    if (n > SIZE_MAX - buf->len)
        return HAL_ERR_NOMEM;
    if (buf->len + n > buf->cap) {
        size_t cap = buf->cap ? buf->cap : BUF_FIRST_CAP;
        while (cap < buf->len + n)
            cap = cap > SIZE_MAX / 2 ? buf->len + n : cap * 2;
        uint8_t *p = realloc(buf->data, cap);
        if (!p)
            return HAL_ERR_NOMEM;
        buf->data = p;
        buf->cap = cap;
    }
    if (n)
        memcpy(buf->data + buf->len, bytes, n);
    buf->len += n;
    return HAL_OK;
}

int hal_escpos_paper_columns(hal_paper paper)
{
    switch (paper) {
    case HAL_PAPER_58MM:
        return HAL_ESCPOS_COLUMNS_58MM;
    case HAL_PAPER_80MM:
        return HAL_ESCPOS_COLUMNS_80MM;
    }
    return 0;
}

int hal_escpos_paper_dots(hal_paper paper)
{
    switch (paper) {
    case HAL_PAPER_58MM:
        return HAL_ESCPOS_DOTS_58MM;
    case HAL_PAPER_80MM:
        return HAL_ESCPOS_DOTS_80MM;
    }
    return 0;
}

int hal_escpos_format_fen(int64_t fen, char *buf, size_t size)
{
    /* Unsigned magnitude: -INT64_MIN does not fit an int64_t. */
    uint64_t mag = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    int n = snprintf(buf, size, "%s¥%" PRIu64 ".%02u", fen < 0 ? "-" : "", mag / 100,
                     (unsigned)(mag % 100));
    if (n < 0 || (size_t)n >= size)
        return -1;
    return n;
}

/* ---- text: UTF-8 in, GB18030 out ---- */

/* One UTF-8 scalar value from s[0..n): returns the bytes used; *cp is UTF8_INVALID (1 byte used)
 * for anything that is not well-formed UTF-8 (overlong forms, surrogates, beyond U+10FFFF). */
static size_t utf8_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
    *cp = UTF8_INVALID;
    uint8_t b = s[0];
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    size_t len;
    uint8_t lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    uint32_t v;
    if (b >= 0xC2 && b <= 0xDF) {
        len = 2;
        v = b & 0x1Fu;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
        v = b & 0x0Fu;
        if (b == 0xE0)
            lo = 0xA0;
        else if (b == 0xED)
            hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
        v = b & 0x07u;
        if (b == 0xF0)
            lo = 0x90;
        else if (b == 0xF4)
            hi = 0x8F;
    } else {
        return 1;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 1;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 1;
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    *cp = v;
    return len;
}

static size_t utf8_encode(uint32_t cp, uint8_t out[4])
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* Characters that must not reach the printer even though GB18030 can encode them: control codes
 * (C0, DEL, C1) would be taken as commands or swallowed; private-use and non-characters print as
 * whatever the printer's user-defined area happens to hold. */
static bool printable(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
        return false;
    if ((cp >= 0xE000 && cp <= 0xF8FF) || cp >= 0xF0000)
        return false;
    if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE)
        return false;
    return true;
}

/* The length of the GB18030 character starting at p (our own, already checked output). */
static size_t gb_len(const uint8_t *p)
{
    if (p[0] < 0x80)
        return 1;
    return p[1] >= 0x30 && p[1] <= 0x39 ? 4 : 2;
}

static int gb_width(const uint8_t *p)
{
    return p[0] < 0x80 ? 1 : 2;
}

/* Whether iconv's output is one well-formed GB18030 character of two or four bytes. */
static bool gb_well_formed(const uint8_t *p, size_t n)
{
    if (n == 2)
        return p[0] >= 0x81 && p[0] <= 0xFE && p[1] >= 0x40 && p[1] <= 0xFE && p[1] != 0x7F;
    if (n == 4)
        return p[0] >= 0x81 && p[0] <= 0xFE && p[1] >= 0x30 && p[1] <= 0x39 && p[2] >= 0x81 &&
               p[2] <= 0xFE && p[3] >= 0x30 && p[3] <= 0x39;
    return false;
}

typedef struct render {
    hal_escpos_buf *out;
    iconv_t cd;
    int cols;
    int dots;
    hal_err err; /* sticky: the first failure; later writes are skipped */
} render;

static void put(render *rd, const void *bytes, size_t n)
{
    if (rd->err == HAL_OK)
        rd->err = buf_put(rd->out, bytes, n);
}

static void put_cmd(render *rd, uint8_t a, uint8_t b, uint8_t n)
{
    const uint8_t cmd[] = {a, b, n};
    put(rd, cmd, sizeof cmd);
}

/*
 * UTF-8 to GB18030, one character at a time so that one bad character costs one '?' and never the
 * line. Appends to gb (not to the output).
 */
static void encode(render *rd, const char *utf8, hal_escpos_buf *gb)
{
    const uint8_t *s = (const uint8_t *)(utf8 ? utf8 : "");
    size_t n = strlen((const char *)s);
    while (n > 0 && rd->err == HAL_OK) {
        uint32_t cp;
        size_t used = utf8_decode(s, n, &cp);
        s += used;
        n -= used;
        if (cp == YEN_SIGN)
            cp = FULLWIDTH_YEN_SIGN;
        if (cp == UTF8_INVALID || !printable(cp)) {
            rd->err = buf_put(gb, &REPLACEMENT, 1);
            continue;
        }
        uint8_t u[4], g[GB_CHAR_MAX + 4];
        size_t ulen = utf8_encode(cp, u);
        if (ulen == 1) {
            rd->err = buf_put(gb, u, 1);
            continue;
        }
        char *in = (char *)u, *outp = (char *)g;
        size_t inleft = ulen, outleft = sizeof g;
        size_t rc = iconv(rd->cd, &in, &inleft, &outp, &outleft);
        size_t glen = sizeof g - outleft;
        if (rc == (size_t)-1 || inleft != 0 || !gb_well_formed(g, glen)) {
            iconv(rd->cd, NULL, NULL, NULL, NULL); /* back to the initial state after a failure */
            rd->err = buf_put(gb, &REPLACEMENT, 1);
            continue;
        }
        rd->err = buf_put(gb, g, glen);
    }
}

static int gb_text_width(const uint8_t *p, size_t n)
{
    int w = 0;
    for (size_t i = 0; i < n; i += gb_len(p + i))
        w += gb_width(p + i);
    return w;
}

/* Bytes of the longest prefix no wider than maxw, but at least one character (progress). */
static size_t gb_take(const uint8_t *p, size_t n, int maxw)
{
    size_t i = 0;
    int w = 0;
    while (i < n) {
        int cw = gb_width(p + i);
        if (w + cw > maxw && i > 0)
            break;
        w += cw;
        i += gb_len(p + i);
    }
    return i;
}

static void put_spaces(render *rd, int n)
{
    static const char SPACES[] = "                                                ";
    while (n > 0) {
        int k = n < (int)sizeof SPACES - 1 ? n : (int)sizeof SPACES - 1;
        put(rd, SPACES, (size_t)k);
        n -= k;
    }
}

static void put_lf(render *rd)
{
    const uint8_t lf = CC_LF;
    put(rd, &lf, 1);
}

static void set_align(render *rd, uint8_t align)
{
    put_cmd(rd, CC_ESC, ESC_ALIGN, align);
}

static void set_bold(render *rd, bool on)
{
    put_cmd(rd, CC_ESC, ESC_BOLD, on ? 1 : 0);
}

static void set_size(render *rd, uint8_t size)
{
    put_cmd(rd, CC_GS, GS_CHAR_SIZE, size);
}

/* Text wrapped into lines of at most `cols` columns under the given alignment. Empty: no line. */
static void put_wrapped(render *rd, const uint8_t *p, size_t n, int cols, uint8_t align)
{
    if (n == 0)
        return;
    if (align != ALIGN_LEFT)
        set_align(rd, align);
    while (n > 0) {
        size_t k = gb_take(p, n, cols);
        put(rd, p, k);
        put_lf(rd);
        p += k;
        n -= k;
    }
    if (align != ALIGN_LEFT)
        set_align(rd, ALIGN_LEFT);
}

static void put_text_wrapped(render *rd, const char *utf8, uint8_t align)
{
    hal_escpos_buf gb;
    hal_escpos_buf_init(&gb);
    encode(rd, utf8, &gb);
    put_wrapped(rd, gb.data, gb.len, rd->cols, align);
    hal_escpos_buf_free(&gb);
}

/* "label      value" on one line; a value too long for that goes under the label, right-aligned. */
static void put_pair_gb(render *rd, const char *label, const uint8_t *v, size_t vn)
{
    hal_escpos_buf gb;
    hal_escpos_buf_init(&gb);
    encode(rd, label, &gb);
    int lw = gb_text_width(gb.data, gb.len), vw = gb_text_width(v, vn);
    if (lw + 1 + vw <= rd->cols) {
        put(rd, gb.data, gb.len);
        put_spaces(rd, rd->cols - lw - vw);
        put(rd, v, vn);
        put_lf(rd);
    } else {
        put_wrapped(rd, gb.data, gb.len, rd->cols, ALIGN_LEFT);
        put_wrapped(rd, v, vn, rd->cols, ALIGN_RIGHT);
    }
    hal_escpos_buf_free(&gb);
}

static void put_pair(render *rd, const char *label, const char *value)
{
    hal_escpos_buf gb;
    hal_escpos_buf_init(&gb);
    encode(rd, value, &gb);
    put_pair_gb(rd, label, gb.data, gb.len);
    hal_escpos_buf_free(&gb);
}

static void put_money_pair(render *rd, const char *label, int64_t fen)
{
    char money[HAL_ESCPOS_MONEY_MAX];
    hal_escpos_format_fen(fen, money, sizeof money); /* always fits */
    put_pair(rd, label, money);
}

/* An item: the name in a column left of the price, wrapped within that column; the price on the
 * first line. Every amount stays in one right-hand column, so the eye can run down the prices. */
static void put_item(render *rd, const hal_escpos_item *item)
{
    char money[HAL_ESCPOS_MONEY_MAX];
    hal_escpos_format_fen(item->price, money, sizeof money);
    hal_escpos_buf name, price;
    hal_escpos_buf_init(&name);
    hal_escpos_buf_init(&price);
    encode(rd, item->name, &name);
    encode(rd, money, &price);
    int pw = gb_text_width(price.data, price.len);
    int namecols = rd->cols - pw - 1; /* >= 9: a money text is at most 22 columns */
    const uint8_t *p = name.data;
    size_t n = name.len;
    size_t k = gb_take(p, n, namecols);
    put(rd, p, k);
    put_spaces(rd, rd->cols - gb_text_width(p, k) - pw);
    put(rd, price.data, price.len);
    put_lf(rd);
    if (k < n) /* (an empty name has no bytes at all: p is NULL) */
        put_wrapped(rd, p + k, n - k, namecols, ALIGN_LEFT);
    hal_escpos_buf_free(&name);
    hal_escpos_buf_free(&price);
}

static void put_rule(render *rd)
{
    static const char DASHES[] = "------------------------------------------------";
    put(rd, DASHES, (size_t)rd->cols);
    put_lf(rd);
}

/* Centred, bold and as large as fits: double width and height, else double height only. */
static void put_big(render *rd, const char *utf8)
{
    hal_escpos_buf gb;
    hal_escpos_buf_init(&gb);
    encode(rd, utf8, &gb);
    int w = gb_text_width(gb.data, gb.len);
    set_bold(rd, true);
    if (w * 2 <= rd->cols) {
        set_size(rd, SIZE_DOUBLE);
        put_wrapped(rd, gb.data, gb.len, rd->cols / 2, ALIGN_CENTER);
    } else {
        set_size(rd, SIZE_DOUBLE_HEIGHT);
        put_wrapped(rd, gb.data, gb.len, rd->cols, ALIGN_CENTER);
    }
    set_size(rd, SIZE_NORMAL);
    set_bold(rd, false);
    hal_escpos_buf_free(&gb);
}

/* QR version (1..40) holding n bytes in byte mode at error correction M (ISO/IEC 18004 table 7):
 * the printer picks the smallest, and the module size must make that one fit the paper. */
static int qr_version(size_t n)
{
    static const uint16_t CAPACITY_M[] = {
        14,   26,   42,   62,   84,   106,  122,  152,  180,  213,  251,  287,  331,  362,
        412,  450,  504,  560,  624,  666,  711,  779,  857,  911,  997,  1059, 1125, 1190,
        1264, 1370, 1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099, 2213, 2331,
    };
    for (size_t v = 0; v < sizeof CAPACITY_M / sizeof CAPACITY_M[0]; v++)
        if (n <= CAPACITY_M[v])
            return (int)v + 1;
    return 0;
}

static int qr_module_size(size_t n, int dots)
{
    int version = qr_version(n);
    if (version == 0)
        return 0;
    int modules = QR_MODULES_V1 + QR_MODULES_PER_VERSION * (version - 1) + QR_QUIET_MODULES;
    int size = dots / modules;
    if (size < QR_MODULE_MIN)
        return 0;
    return size > QR_MODULE_MAX ? QR_MODULE_MAX : size;
}

static void put_qr(render *rd, const char *text, size_t n, int module)
{
    const uint8_t model[] = {CC_GS, GS_2D, GS_2D_K, 4, 0, QR_CN, QR_FN_MODEL, QR_MODEL_2, 0};
    const uint8_t size[] = {CC_GS, GS_2D, GS_2D_K, 3, 0, QR_CN, QR_FN_MODULE, (uint8_t)module};
    const uint8_t ec[] = {CC_GS, GS_2D, GS_2D_K, 3, 0, QR_CN, QR_FN_EC, QR_EC_M};
    size_t plen = n + QR_STORE_HEADER; /* n <= HAL_ESCPOS_QR_MAX: fits pL pH */
    const uint8_t store[] = {
        CC_GS, GS_2D,       GS_2D_K,    (uint8_t)(plen & 0xFF), (uint8_t)(plen >> 8),
        QR_CN, QR_FN_STORE, QR_M_SYMBOL};
    const uint8_t print[] = {CC_GS, GS_2D, GS_2D_K, 3, 0, QR_CN, QR_FN_PRINT, QR_M_SYMBOL};
    set_align(rd, ALIGN_CENTER);
    put(rd, model, sizeof model);
    put(rd, size, sizeof size);
    put(rd, ec, sizeof ec);
    put(rd, store, sizeof store);
    put(rd, text, n);
    put(rd, print, sizeof print);
    set_align(rd, ALIGN_LEFT);
}

static hal_err check_qr(const char *qr, int dots, size_t *len)
{
    size_t n = qr ? strlen(qr) : 0;
    if (n > HAL_ESCPOS_QR_MAX || (n > 0 && qr_module_size(n, dots) == 0))
        return HAL_ERR_INVALID;
    /* The QR is verified byte for byte (zhucanctl receipt verify): a replaced character would make
     * a genuine receipt fail, so refuse rather than repair. */
    for (size_t i = 0; i < n; i++)
        if (qr[i] < 0x20 || qr[i] > 0x7E)
            return HAL_ERR_INVALID;
    *len = n;
    return HAL_OK;
}

static void put_init(render *rd)
{
    const uint8_t init[] = {CC_ESC, ESC_INIT, CC_FS, FS_CHINESE_ON};
    put(rd, init, sizeof init);
}

static void put_cut(render *rd)
{
    put_cmd(rd, CC_ESC, ESC_FEED_LINES, FEED_BEFORE_CUT);
    const uint8_t cut[] = {CC_GS, GS_CUT, CUT_PARTIAL};
    put(rd, cut, sizeof cut);
}

/* The receipt itself, between the init and the cut (the test page prints one too). */
static void put_receipt(render *rd, const hal_escpos_receipt *r, size_t qrlen)
{
    put_big(rd, "助餐小票");
    put_text_wrapped(rd, r->canteen, ALIGN_CENTER);
    put_rule(rd);
    char seq[SEQ_TEXT_MAX];
    snprintf(seq, sizeof seq, "%" PRId64, r->seq);
    put_pair(rd, "设备", r->device);
    put_pair(rd, "流水号", seq);
    put_pair(rd, "时间", r->time_text);
    put_rule(rd);
    if (r->nitems > 0) {
        put_pair(rd, "菜品", "金额");
        for (size_t i = 0; i < r->nitems && rd->err == HAL_OK; i++)
            put_item(rd, &r->items[i]);
        put_rule(rd);
    }
    put_money_pair(rd, "原价", r->total);
    put_money_pair(rd, "政府补贴", r->subsidy);
    char money[HAL_ESCPOS_MONEY_MAX], due[HAL_ESCPOS_MONEY_MAX + 16];
    hal_escpos_format_fen(r->self_pay, money, sizeof money);
    snprintf(due, sizeof due, "应付 %s", money);
    put_big(rd, due);
    put_pair(rd, "支付方式", r->paid);
    if (qrlen > 0) {
        put_rule(rd);
        put_qr(rd, r->qr, qrlen, qr_module_size(qrlen, rd->dots));
    }
    if (r->footer && r->footer[0]) {
        put_rule(rd);
        put_text_wrapped(rd, r->footer, ALIGN_CENTER);
    }
}

static hal_err render_begin(render *rd, hal_paper paper, hal_escpos_buf *out)
{
    rd->out = out;
    rd->cols = hal_escpos_paper_columns(paper);
    rd->dots = hal_escpos_paper_dots(paper);
    rd->err = HAL_OK;
    if (rd->cols == 0)
        return HAL_ERR_INVALID;
    /* Opened per render and closed after: an iconv_t is not safe to share between threads, and a
     * receipt a minute does not need it cached. */
    rd->cd = iconv_open("GB18030", "UTF-8");
    if (rd->cd == (iconv_t)-1)
        return errno == ENOMEM ? HAL_ERR_NOMEM : HAL_ERR_UNSUPPORTED;
    return HAL_OK;
}

static hal_err render_end(render *rd, size_t start)
{
    iconv_close(rd->cd);
    if (rd->err != HAL_OK)
        rd->out->len = start;
    return rd->err;
}

hal_err hal_escpos_render(const hal_escpos_receipt *r, hal_paper paper, hal_escpos_buf *out)
{
    if (!r || !out || (r->nitems > 0 && !r->items))
        return HAL_ERR_INVALID;
    size_t qrlen = 0;
    hal_err err = check_qr(r->qr, hal_escpos_paper_dots(paper), &qrlen);
    if (err)
        return err;
    render rd;
    size_t start = out->len;
    err = render_begin(&rd, paper, out);
    if (err)
        return err;
    put_init(&rd);
    put_receipt(&rd, r, qrlen);
    put_cut(&rd);
    return render_end(&rd, start);
}

hal_err hal_escpos_test_page(hal_paper paper, const char *time_text, hal_escpos_buf *out)
{
    static const hal_escpos_item ITEMS[] = {
        {"红烧肉套餐（米饭、时蔬）", 1500},
        {"青菜豆腐汤", 300},
    };
    static const char QR[] = "ZCR1|TEST-PAGE|1|0|1800|500|1300|0000000000000000|TEST";
    const hal_escpos_receipt sample = {
        .canteen = "打印测试 · 社区长者食堂",
        .device = "TEST",
        .seq = 1,
        .time_text = time_text,
        .items = ITEMS,
        .nitems = sizeof ITEMS / sizeof ITEMS[0],
        .total = 1800,
        .subsidy = 500,
        .self_pay = 1300,
        .paid = "现金",
        .qr = QR,
        .footer = "打印正常：请核对上方刻度与二维码",
    };
    if (!out)
        return HAL_ERR_INVALID;
    render rd;
    size_t start = out->len;
    hal_err err = render_begin(&rd, paper, out);
    if (err)
        return err;
    put_init(&rd);
    put_big(&rd, "打印测试");
    /* The ruler: exactly one line wide, so a wrapped or short ruler shows a wrong paper setting. */
    char ruler[HAL_ESCPOS_COLUMNS_80MM + 1];
    for (int i = 0; i < rd.cols; i++)
        ruler[i] = (char)('0' + (i + 1) % 10);
    ruler[rd.cols] = '\0';
    put_text_wrapped(&rd, ruler, ALIGN_LEFT);
    put_text_wrapped(&rd, "中文：助餐小票 应付￥12.50", ALIGN_LEFT);
    put_rule(&rd);
    put_receipt(&rd, &sample, sizeof QR - 1);
    put_cut(&rd);
    return render_end(&rd, start);
}

/* ---- status ---- */

hal_err hal_escpos_status_request(hal_escpos_buf *out)
{
    if (!out)
        return HAL_ERR_INVALID;
    const uint8_t req[HAL_ESCPOS_STATUS_REQUEST_LEN] = {
        CC_DLE, DLE_EOT_STATUS, STATUS_PRINTER, CC_DLE, DLE_EOT_STATUS, STATUS_OFFLINE,
        CC_DLE, DLE_EOT_STATUS, STATUS_ERROR,   CC_DLE, DLE_EOT_STATUS, STATUS_PAPER,
    };
    return buf_put(out, req, sizeof req);
}

/* Appends "; what" (or "what" first) to the message being built. */
static void note(char *msg, size_t size, const char *what)
{
    if (!msg || size == 0)
        return;
    size_t len = strlen(msg);
    snprintf(msg + len, size - len, "%s%s", len ? "; " : "", what);
}

static void worst(hal_status *status, int *rank, hal_status s, int r)
{
    if (r > *rank) {
        *rank = r;
        *status = s;
    }
}

hal_err hal_escpos_status_parse(const uint8_t *reply, size_t n, hal_status *status, char *message,
                                size_t size)
{
    static const char *const NAMES[HAL_ESCPOS_STATUS_REPLY_LEN] = {"printer", "offline cause",
                                                                   "error cause", "paper sensor"};
    enum { RANK_OK, RANK_LOW, RANK_OUT, RANK_FAULT };
    if (message && size > 0)
        message[0] = '\0';
    if (!status || (n > 0 && !reply))
        return HAL_ERR_INVALID;
    if (n < HAL_ESCPOS_STATUS_REPLY_LEN)
        return HAL_ERR_AGAIN;
    if (n > HAL_ESCPOS_STATUS_REPLY_LEN) {
        if (message && size > 0)
            snprintf(message, size, "%zu bytes where %d status bytes were expected", n,
                     HAL_ESCPOS_STATUS_REPLY_LEN);
        return HAL_ERR_INVALID;
    }
    for (size_t i = 0; i < HAL_ESCPOS_STATUS_REPLY_LEN; i++) {
        if ((reply[i] & STATUS_FIXED_MASK) != STATUS_FIXED_BITS) {
            if (message && size > 0)
                snprintf(message, size, "status byte %zu (%s) is 0x%02X: not a status reply", i + 1,
                         NAMES[i], reply[i]);
            return HAL_ERR_INVALID;
        }
    }
    uint8_t printer = reply[0], offline = reply[1], error = reply[2], paper = reply[3];
    hal_status s = HAL_STATUS_CONNECTED;
    int rank = RANK_OK;
    bool cause_known = false;
    if (offline & OFFLINE_COVER_OPEN) {
        note(message, size, "cover open");
        worst(&s, &rank, HAL_STATUS_FAULT, RANK_FAULT);
        cause_known = true;
    }
    if (error & ERROR_CUTTER) {
        note(message, size, "cutter error");
        worst(&s, &rank, HAL_STATUS_FAULT, RANK_FAULT);
        cause_known = true;
    }
    if (error & ERROR_UNRECOVERABLE) {
        note(message, size, "unrecoverable error: switch the printer off and on");
        worst(&s, &rank, HAL_STATUS_FAULT, RANK_FAULT);
        cause_known = true;
    }
    if (error & ERROR_AUTO_RECOVERABLE) {
        note(message, size, "print head too hot: waiting");
        worst(&s, &rank, HAL_STATUS_FAULT, RANK_FAULT);
        cause_known = true;
    }
    if ((paper & PAPER_END) || (offline & OFFLINE_PAPER_END)) {
        note(message, size, "paper out");
        worst(&s, &rank, HAL_STATUS_PAPER_OUT, RANK_OUT);
        cause_known = true;
    } else if (paper & PAPER_NEAR_END) {
        note(message, size, "paper low");
        worst(&s, &rank, HAL_STATUS_PAPER_LOW, RANK_LOW);
    }
    if ((offline & OFFLINE_ERROR) && !cause_known) {
        note(message, size, "printer error");
        worst(&s, &rank, HAL_STATUS_FAULT, RANK_FAULT);
        cause_known = true;
    }
    /* Offline while the feed button is held is normal operation: the technician is feeding. */
    if (offline & OFFLINE_FEED_BUTTON) {
        note(message, size, "feeding paper");
        cause_known = true;
    }
    if ((printer & PRINTER_OFFLINE) && !cause_known) {
        note(message, size, "offline");
        worst(&s, &rank, HAL_STATUS_FAULT, RANK_FAULT);
    }
    if (rank == RANK_OK && message && size > 0 && message[0] == '\0')
        note(message, size, "ready");
    *status = s;
    return HAL_OK;
}
