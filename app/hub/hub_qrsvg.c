/*
 * QR codes as SVG for the console (enrolment codes, elders' cards): libqrencode gives the
 * modules, and each row's runs of dark modules become one <path>, so a browser prints them sharp
 * at any size without an image library.
 */
#include "hubapi.h"

#include <qrencode.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    QRSVG_QUIET = 4,      /* modules of white border the QR standard asks for */
    QRSVG_INITIAL = 4096, /* first allocation of the SVG text */
    QRSVG_PIECE_MAX = 96, /* longest piece appended at once */
    QR_MODULE_DARK = 1,   /* libqrencode's bit for a dark module */
};

typedef struct svgbuf {
    char *text;
    size_t len, cap;
    bool failed;
} svgbuf;

static void put(svgbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(svgbuf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    if (b->len + QRSVG_PIECE_MAX > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : QRSVG_INITIAL;
        char *t = realloc(b->text, cap);
        if (!t) {
            b->failed = true;
            return;
        }
        b->text = t;
        b->cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->text + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= b->cap - b->len)
        b->failed = true;
    else
        b->len += (size_t)n;
}

zc_err zc_qrsvg(const char *text, char **out, zc_diag *diag)
{
    *out = NULL;
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return zc_diag_set(diag, ZC_ERR_INVALID, "the text does not fit in a QR code");
    int size = qr->width + 2 * QRSVG_QUIET;
    svgbuf b = {0};
    put(&b,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
        "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
        "<path fill=\"#000\" d=\"",
        size, size, size, size);
    for (int y = 0; y < qr->width; y++) {
        const unsigned char *row = qr->data + (size_t)y * (size_t)qr->width;
        for (int x = 0; x < qr->width;) {
            if (!(row[x] & QR_MODULE_DARK)) {
                x++;
                continue;
            }
            int start = x;
            while (x < qr->width && (row[x] & QR_MODULE_DARK))
                x++;
            put(&b, "M%d %dh%dv1h-%dz", start + QRSVG_QUIET, y + QRSVG_QUIET, x - start, x - start);
        }
    }
    put(&b, "\"/></svg>");
    QRcode_free(qr);
    if (b.failed) {
        free(b.text);
        return ZC_ERR_NOMEM;
    }
    *out = b.text;
    return ZC_OK;
}
