/*
 * ESC/POS receipt printers: what the kiosk sends them and what they answer.
 *
 * The kiosk prints one receipt per sale on a 58 mm or 80 mm thermal printer speaking ESC/POS, the
 * command language of practically every receipt printer sold in China. This module turns a receipt
 * (a plain struct of texts and fen amounts) into the exact bytes to send: initialise, Chinese
 * character mode, text in GB18030 laid out in columns (a Chinese character is two columns wide),
 * bold and double-size lines, the receipt QR code drawn by the printer itself (GS ( k), a feed and
 * a partial cut. It also builds the real-time status requests (DLE EOT) and parses the printer's
 * status bytes into a hal_status with a message, and renders the technician's test page.
 *
 * Everything here is pure: bytes out, bytes in, no device, no global state, so it is tested by
 * parsing the rendered bytes back (tests/hal/escpos_interp.c) and fuzzed. The transport that
 * carries the bytes is elsewhere (transport.h).
 *
 * Privacy at the counter (DESIGN.md): a receipt never shows an elder's category (低保, 特困, 失能).
 * hal_escpos_receipt therefore has no field for a category, an elder's name or an ID number: what
 * is not in the struct cannot be printed. The subsidy is printed as an amount only.
 */
#ifndef HAL_ESCPOS_H
#define HAL_ESCPOS_H

#include "hal/hal.h"

#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer the caller owns: init, pass to the renderers, free. */
typedef struct hal_escpos_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
} hal_escpos_buf;

void hal_escpos_buf_init(hal_escpos_buf *buf);
void hal_escpos_buf_free(hal_escpos_buf *buf);

typedef enum hal_paper {
    HAL_PAPER_58MM = 0, /* 32 columns of font A (12 dots), 384 dots */
    HAL_PAPER_80MM,     /* 48 columns, 576 dots */
} hal_paper;

enum {
    HAL_ESCPOS_COLUMNS_58MM = 32,
    HAL_ESCPOS_COLUMNS_80MM = 48,
    HAL_ESCPOS_DOTS_58MM = 384,
    HAL_ESCPOS_DOTS_80MM = 576,
    HAL_ESCPOS_QR_MAX = 512,   /* bytes of receipt QR text; fits either paper at 3 dots a module */
    HAL_ESCPOS_MONEY_MAX = 32, /* "-¥92233720368547758.08" and the NUL, with room */
};

/* Columns and printable dots of a paper width; 0 for a value outside hal_paper. */
int hal_escpos_paper_columns(hal_paper paper);
int hal_escpos_paper_dots(hal_paper paper);

typedef struct hal_escpos_item {
    const char *name; /* UTF-8; wrapped when longer than the line */
    int64_t price;    /* fen */
} hal_escpos_item;

/*
 * One sale's receipt. Texts are UTF-8; NULL prints as empty (a NULL footer or qr prints nothing).
 * Bytes that are not UTF-8, control characters and characters GB18030 printers cannot show print
 * as '?': a receipt is never refused for its text. Amounts are printed as given; hal does no
 * arithmetic on them. Deliberately no category, name or ID number field (see above).
 */
typedef struct hal_escpos_receipt {
    const char *canteen;   /* canteen name, centred under the title */
    const char *device;    /* kiosk device id */
    int64_t seq;           /* the sale's per-device sequence number (流水号) */
    const char *time_text; /* local time as the caller wants it shown, e.g. "2026-01-05 12:30" */
    const hal_escpos_item *items;
    size_t nitems;
    int64_t total;      /* 原价 */
    int64_t subsidy;    /* 政府补贴 */
    int64_t self_pay;   /* 应付: what the elder pays, printed large */
    const char *paid;   /* 支付方式, e.g. "现金" */
    const char *qr;     /* receipt QR text: printable ASCII, at most HAL_ESCPOS_QR_MAX bytes */
    const char *footer; /* one closing line, centred (wrapped if long) */
} hal_escpos_receipt;

/*
 * Appends the ESC/POS bytes of a receipt to `out`, ending with a feed and a partial cut. Money
 * prints as "￥12.50" with the full-width yen sign (GB2312 A3A4): U+00A5 is outside GBK, the only
 * Chinese font every receipt printer has, and so is any '¥' in the texts.
 * HAL_ERR_INVALID: NULL receipt or buffer, an unknown paper, nitems > 0 with NULL items, a QR text
 * that is not printable ASCII or is too long. HAL_ERR_UNSUPPORTED: iconv has no GB18030.
 * HAL_ERR_NOMEM. On any error `out` is left as it was.
 */
hal_err hal_escpos_render(const hal_escpos_receipt *r, hal_paper paper, hal_escpos_buf *out);

/*
 * The `zhucan-hal print-test` page: a ruler showing the column count, a line of Chinese text, a
 * sample receipt with its QR code, a cut. `time_text` (may be NULL) is printed as the sample's
 * time so the technician can tell pages apart. Errors as hal_escpos_render.
 */
hal_err hal_escpos_test_page(hal_paper paper, const char *time_text, hal_escpos_buf *out);

/* "¥12.50", "-¥0.05", "¥0.00" into buf (UTF-8). Returns the length, or -1 if it does not fit. */
int hal_escpos_format_fen(int64_t fen, char *buf, size_t size);

/*
 * Real-time status. hal_escpos_status_request appends four DLE EOT n requests, in this order:
 * n=1 printer status, n=2 offline cause, n=3 error cause (the only one that tells a cutter error),
 * n=4 paper roll sensor. The printer answers each with one byte, even while offline, so the reply
 * is HAL_ESCPOS_STATUS_REPLY_LEN bytes in the same order.
 */
enum {
    HAL_ESCPOS_STATUS_REQUEST_LEN = 12,
    HAL_ESCPOS_STATUS_REPLY_LEN = 4,
};

hal_err hal_escpos_status_request(hal_escpos_buf *out);

/*
 * Parses the reply bytes to hal_escpos_status_request. Worst first: fault (cover open, cutter
 * error, unrecoverable or auto-recoverable error, offline for no known reason) > paper out >
 * paper low > connected. `message` (may be NULL) gets a short English description for technicians
 * and the staff screen. HAL_ERR_AGAIN: fewer than HAL_ESCPOS_STATUS_REPLY_LEN bytes yet.
 * HAL_ERR_INVALID: too many bytes, or a byte whose fixed bits are wrong (not a status reply);
 * `message` then says which byte.
 */
hal_err hal_escpos_status_parse(const uint8_t *reply, size_t n, hal_status *status, char *message,
                                size_t size);

#endif
