/*
 * libFuzzer: the ESC/POS printer status parser and the receipt renderer.
 *
 * Input layout (any bytes are fine; missing parts are zero or empty):
 *   byte 0       flags: bit 0 paper (0 = 58 mm, 1 = 80 mm); bit 1 fold the QR text into printable
 *                ASCII (so most inputs render instead of being refused for their QR)
 *   bytes 1..32  seq, total, subsidy, self-pay: four little-endian int64
 *   the rest     NUL-separated texts: canteen, device, time, paid, qr, footer, then item names
 * The first bytes also go to the status parser as a reply.
 *
 * A render that succeeds must read back through the strict interpreter (tests/hal) with nothing
 * it does not understand, every line within the paper, the QR payload intact and one cut at the
 * end; a render that fails must fail only for a QR text the API refuses, leaving the buffer as it
 * was. Any other outcome aborts.
 */
#include "../hal/escpos_interp.h"

#include "hal/escpos.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { FIELDS_FIXED = 6, ITEMS_MAX = 64, HEADER = 33 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_status(const uint8_t *data, size_t size)
{
    hal_status s = HAL_STATUS_DISCONNECTED;
    char msg[HAL_MESSAGE_MAX];
    size_t n = size < HAL_ESCPOS_STATUS_REPLY_LEN ? size : HAL_ESCPOS_STATUS_REPLY_LEN;
    hal_err err = hal_escpos_status_parse(data, n, &s, msg, sizeof msg);
    if (n < HAL_ESCPOS_STATUS_REPLY_LEN ? err != HAL_ERR_AGAIN
                                        : (err != HAL_OK && err != HAL_ERR_INVALID))
        abort();
    if (err == HAL_OK && (s > HAL_STATUS_PAPER_LOW || s == HAL_STATUS_DISCONNECTED || !msg[0]))
        abort();
    if (err == HAL_ERR_INVALID && !msg[0])
        abort();
    if (size > HAL_ESCPOS_STATUS_REPLY_LEN &&
        hal_escpos_status_parse(data, size, &s, msg, sizeof msg) != HAL_ERR_INVALID)
        abort();
}

static int64_t le64(const uint8_t *p, size_t avail)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 8 && i < avail; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return (int64_t)v;
}

static bool qr_acceptable(const char *qr)
{
    size_t n = strlen(qr);
    if (n > HAL_ESCPOS_QR_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (qr[i] < 0x20 || qr[i] > 0x7E)
            return false;
    return true;
}

static void check_render(const hal_escpos_receipt *r, hal_paper paper)
{
    hal_escpos_buf buf;
    hal_escpos_buf_init(&buf);
    static const uint8_t PREFIX[] = {0x1B, '@'};
    /* Something already in the buffer must survive either way. */
    if (hal_escpos_status_request(&buf) != HAL_OK)
        abort();
    size_t before = buf.len;
    hal_err err = hal_escpos_render(r, paper, &buf);
    const char *qr = r->qr ? r->qr : "";
    if (err != HAL_OK) {
        if (err != HAL_ERR_INVALID || qr_acceptable(qr) || buf.len != before)
            abort();
        hal_escpos_buf_free(&buf);
        return;
    }
    if (!qr_acceptable(qr) || buf.len <= before ||
        memcmp(buf.data + before, PREFIX, sizeof PREFIX) != 0)
        abort();
    ei_result res;
    if (ei_parse(buf.data + before, buf.len - before, &res) != 0)
        abort();
    int cols = hal_escpos_paper_columns(paper);
    if (!res.init_first || res.inits != 1 || res.cuts != 1 || !res.cut_last || !res.chinese_mode)
        abort();
    for (size_t i = 0; i < res.nlines; i++)
        if (res.lines[i].columns > cols)
            abort();
    size_t qlen = strlen(qr);
    if (qlen == 0 ? res.qr_prints != 0
                  : res.qr_prints != 1 || res.qr_stored_len != qlen ||
                        memcmp(res.qr_stored, qr, qlen) != 0 || res.qr_module < 3 ||
                        res.qr_module * (17 + 8) > hal_escpos_paper_dots(paper))
        abort();
    ei_free(&res);
    hal_escpos_buf_free(&buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_status(data, size);

    /* The interpreter itself on raw bytes: it must refuse garbage without leaking or crashing. */
    ei_result raw;
    ei_parse(data, size, &raw);
    ei_free(&raw);

    uint8_t flags = size > 0 ? data[0] : 0;
    const uint8_t *h = size > 1 ? data + 1 : data;
    size_t hn = size > 1 ? size - 1 : 0;
    hal_escpos_receipt r;
    memset(&r, 0, sizeof r);
    r.seq = le64(h, hn);
    r.total = hn > 8 ? le64(h + 8, hn - 8) : 0;
    r.subsidy = hn > 16 ? le64(h + 16, hn - 16) : 0;
    r.self_pay = hn > 24 ? le64(h + 24, hn - 24) : 0;

    /* The texts, NUL-terminated copies. */
    size_t rest = size > HEADER ? size - HEADER : 0;
    char *text = malloc(rest + 1);
    if (!text)
        return 0;
    if (rest)
        memcpy(text, data + HEADER, rest);
    text[rest] = '\0';
    const char *fields[FIELDS_FIXED + ITEMS_MAX];
    size_t nfields = 0;
    for (size_t at = 0; at <= rest && nfields < FIELDS_FIXED + ITEMS_MAX;) {
        fields[nfields++] = text + at;
        at += strlen(text + at) + 1;
    }
    for (size_t i = nfields; i < FIELDS_FIXED; i++)
        fields[i] = NULL; /* NULL texts print as empty */
    r.canteen = fields[0];
    r.device = fields[1];
    r.time_text = fields[2];
    r.paid = fields[3];
    r.qr = fields[4];
    r.footer = fields[5];
    char *qr = NULL;
    if ((flags & 2) && r.qr) {
        size_t n = strlen(r.qr);
        n = n > HAL_ESCPOS_QR_MAX ? HAL_ESCPOS_QR_MAX : n;
        qr = malloc(n + 1);
        if (!qr) {
            free(text);
            return 0;
        }
        for (size_t i = 0; i < n; i++)
            qr[i] = (char)(0x20 + (unsigned char)r.qr[i] % 95);
        qr[n] = '\0';
        r.qr = qr;
    }
    hal_escpos_item items[ITEMS_MAX];
    size_t nitems = nfields > FIELDS_FIXED ? nfields - FIELDS_FIXED : 0;
    for (size_t i = 0; i < nitems; i++) {
        items[i].name = fields[FIELDS_FIXED + i];
        items[i].price = r.total / (int64_t)(i + 2) - (int64_t)strlen(items[i].name);
    }
    r.items = nitems ? items : NULL;
    r.nitems = nitems;
    check_render(&r, (flags & 1) ? HAL_PAPER_80MM : HAL_PAPER_58MM);

    char money[HAL_ESCPOS_MONEY_MAX];
    if (hal_escpos_format_fen(r.subsidy, money, sizeof money) <= 0)
        abort();
    free(qr);
    free(text);
    return 0;
}
