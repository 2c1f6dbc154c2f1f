/*
 * The strict ESC/POS interpreter (escpos_interp.h). Built as an extra source of the tests that use
 * it (see tests/CMakeLists.txt and tests/fuzz/CMakeLists.txt). The byte values are written out
 * here on purpose, from the ESC/POS reference, not taken from hal/escpos.c: the point is to check
 * the encoder against the protocol, not against itself.
 */
#include "escpos_interp.h"

#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ei_state {
    ei_result *r;
    const uint8_t *p;
    size_t n;
    size_t pos;
    bool chinese;
    bool bold;
    int width_mag, height_mag;
    int align;
    /* the line being assembled */
    uint8_t *gb;
    size_t gblen, gbcap;
    int columns;
    bool line_bold;
    int line_wmag, line_hmag;
    bool commands_seen;
    iconv_t cd;
} ei_state;

__attribute__((format(printf, 2, 3))) static int ei_fail(ei_state *s, const char *fmt, ...)
{
    char msg[EI_ERROR_MAX - 32]; /* room for the offset */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(s->r->error, sizeof s->r->error, "offset %zu: %s", s->pos, msg);
    return -1;
}

static bool ei_mid_line(const ei_state *s)
{
    return s->gblen > 0;
}

static int ei_gb_put(ei_state *s, const uint8_t *b, size_t k)
{
    if (s->gblen + k > s->gbcap) {
        size_t cap = s->gbcap ? s->gbcap * 2 : 128;
        while (cap < s->gblen + k)
            cap *= 2;
        uint8_t *q = realloc(s->gb, cap);
        if (!q)
            return ei_fail(s, "out of memory");
        s->gb = q;
        s->gbcap = cap;
    }
    memcpy(s->gb + s->gblen, b, k);
    s->gblen += k;
    return 0;
}

/* LF (or ESC d): the assembled line goes onto the paper. */
static int ei_end_line(ei_state *s)
{
    ei_result *r = s->r;
    ei_line *lines = realloc(r->lines, (r->nlines + 1) * sizeof *lines);
    if (!lines)
        return ei_fail(s, "out of memory");
    r->lines = lines;
    /* GB18030 is at most 4 bytes a character, UTF-8 too: 4/1 covers an ASCII-only worst case. */
    size_t cap = s->gblen * 4 + 1;
    char *text = malloc(cap);
    if (!text)
        return ei_fail(s, "out of memory");
    char *in = (char *)s->gb, *out = text;
    size_t inleft = s->gblen, outleft = cap - 1;
    if (s->gblen > 0 && iconv(s->cd, &in, &inleft, &out, &outleft) == (size_t)-1) {
        free(text);
        iconv(s->cd, NULL, NULL, NULL, NULL);
        return ei_fail(s, "line is not GB18030");
    }
    *out = '\0';
    ei_line *l = &r->lines[r->nlines++];
    l->text = text;
    l->columns = s->columns;
    l->align = s->align;
    l->bold = s->line_bold;
    l->width_mag = s->line_wmag;
    l->height_mag = s->line_hmag;
    s->gblen = 0;
    s->columns = 0;
    s->line_bold = false;
    s->line_wmag = s->line_hmag = 1;
    return 0;
}

static bool ei_have(const ei_state *s, size_t k)
{
    return s->n - s->pos >= k;
}

static int ei_text(ei_state *s)
{
    const uint8_t *b = s->p + s->pos;
    size_t k;
    int w;
    if (b[0] >= 0x20 && b[0] < 0x7F) {
        k = 1;
        w = 1;
    } else if (b[0] >= 0x81 && b[0] <= 0xFE) {
        if (!s->chinese)
            return ei_fail(s, "byte 0x%02X outside Chinese mode", b[0]);
        if (!ei_have(s, 2))
            return ei_fail(s, "truncated GB18030 character");
        if (b[1] >= 0x30 && b[1] <= 0x39) {
            if (!ei_have(s, 4) || b[2] < 0x81 || b[2] > 0xFE || b[3] < 0x30 || b[3] > 0x39)
                return ei_fail(s, "bad four-byte GB18030 character");
            k = 4;
        } else if (b[1] >= 0x40 && b[1] <= 0xFE && b[1] != 0x7F) {
            k = 2;
        } else {
            return ei_fail(s, "bad GB18030 trail byte 0x%02X", b[1]);
        }
        w = 2;
    } else {
        return ei_fail(s, "unknown byte 0x%02X", b[0]);
    }
    if (ei_gb_put(s, b, k))
        return -1;
    s->columns += w * s->width_mag;
    s->line_bold |= s->bold;
    if (s->width_mag > s->line_wmag)
        s->line_wmag = s->width_mag;
    if (s->height_mag > s->line_hmag)
        s->line_hmag = s->height_mag;
    s->pos += k;
    return 0;
}

static int ei_align_arg(uint8_t n)
{
    if (n <= 2)
        return n;
    if (n >= '0' && n <= '2')
        return n - '0';
    return -1;
}

static int ei_esc(ei_state *s)
{
    if (!ei_have(s, 2))
        return ei_fail(s, "truncated ESC");
    uint8_t c = s->p[s->pos + 1];
    ei_result *r = s->r;
    if (c == '@') { /* ESC @ initialise: also leaves Chinese mode */
        if (ei_mid_line(s))
            return ei_fail(s, "ESC @ discards a half-built line");
        if (!s->commands_seen)
            r->init_first = true;
        r->inits++;
        s->chinese = false;
        s->bold = false;
        s->width_mag = s->height_mag = 1;
        s->align = EI_ALIGN_LEFT;
        s->pos += 2;
        return 0;
    }
    if (!ei_have(s, 3))
        return ei_fail(s, "truncated ESC %c", c);
    uint8_t n = s->p[s->pos + 2];
    switch (c) {
    case 'a': { /* ESC a n: justification, only at the start of a line */
        int a = ei_align_arg(n);
        if (a < 0)
            return ei_fail(s, "ESC a %u", n);
        if (ei_mid_line(s))
            return ei_fail(s, "ESC a in the middle of a line");
        s->align = a;
        r->align_changes++;
        break;
    }
    case 'E': /* ESC E n: emphasis */
        if (n > 1)
            return ei_fail(s, "ESC E %u", n);
        s->bold = n == 1;
        r->bold_changes++;
        break;
    case 'd': /* ESC d n: print and feed n lines */
        if (ei_mid_line(s) && ei_end_line(s))
            return -1;
        r->feed_lines += n;
        break;
    default:
        return ei_fail(s, "unknown command ESC 0x%02X", c);
    }
    s->pos += 3;
    return 0;
}

static int ei_fs(ei_state *s)
{
    if (!ei_have(s, 2))
        return ei_fail(s, "truncated FS");
    uint8_t c = s->p[s->pos + 1];
    if (c == '&')
        s->chinese = true;
    else if (c == '.')
        s->chinese = false;
    else
        return ei_fail(s, "unknown command FS 0x%02X", c);
    s->pos += 2;
    return 0;
}

/* GS ( k pL pH cn fn [args]: QR code functions only. */
static int ei_gs_2d(ei_state *s)
{
    ei_result *r = s->r;
    if (!ei_have(s, 5))
        return ei_fail(s, "truncated GS ( k");
    size_t plen = s->p[s->pos + 3] | (size_t)s->p[s->pos + 4] << 8;
    if (plen < 2 || !ei_have(s, 5 + plen))
        return ei_fail(s, "GS ( k parameter length %zu", plen);
    const uint8_t *a = s->p + s->pos + 5; /* cn fn ... */
    if (a[0] != 49)
        return ei_fail(s, "GS ( k symbol %u is not QR", a[0]);
    if (ei_mid_line(s))
        return ei_fail(s, "GS ( k in the middle of a line");
    switch (a[1]) {
    case 65: /* fn 165: model */
        if (plen != 4 || a[2] < 49 || a[2] > 51 || a[3] != 0)
            return ei_fail(s, "QR fn 165 malformed");
        r->qr_model = a[2];
        break;
    case 67: /* fn 167: module size */
        if (plen != 3 || a[2] < 1 || a[2] > 16)
            return ei_fail(s, "QR fn 167 malformed");
        r->qr_module = a[2];
        break;
    case 69: /* fn 169: error correction */
        if (plen != 3 || a[2] < 48 || a[2] > 51)
            return ei_fail(s, "QR fn 169 malformed");
        r->qr_ec = a[2];
        break;
    case 80: { /* fn 180: store data */
        if (plen < 4 || a[2] != 48)
            return ei_fail(s, "QR fn 180 malformed");
        size_t k = plen - 3;
        char *d = malloc(k + 1);
        if (!d)
            return ei_fail(s, "out of memory");
        memcpy(d, a + 3, k);
        d[k] = '\0';
        free(r->qr_stored);
        r->qr_stored = d;
        r->qr_stored_len = k;
        break;
    }
    case 81: /* fn 181: print the stored symbol */
        if (plen != 3 || a[2] != 48)
            return ei_fail(s, "QR fn 181 malformed");
        if (!r->qr_stored)
            return ei_fail(s, "QR printed with no data stored");
        r->qr_prints++;
        r->qr_line = r->nlines;
        break;
    default:
        return ei_fail(s, "QR function %u unknown", a[1] + 100);
    }
    s->pos += 5 + plen;
    return 0;
}

static int ei_gs(ei_state *s)
{
    ei_result *r = s->r;
    if (!ei_have(s, 2))
        return ei_fail(s, "truncated GS");
    uint8_t c = s->p[s->pos + 1];
    if (c == '(') {
        if (!ei_have(s, 3) || s->p[s->pos + 2] != 'k')
            return ei_fail(s, "GS ( other than k");
        return ei_gs_2d(s);
    }
    if (!ei_have(s, 3))
        return ei_fail(s, "truncated GS 0x%02X", c);
    uint8_t n = s->p[s->pos + 2];
    switch (c) {
    case '!': /* GS ! n: magnification 1..8 each way */
        if ((n >> 4) > 7 || (n & 0x0F) > 7)
            return ei_fail(s, "GS ! 0x%02X", n);
        s->width_mag = (n >> 4) + 1;
        s->height_mag = (n & 0x0F) + 1;
        r->size_changes++;
        s->pos += 3;
        return 0;
    case 'V': /* GS V m: cut (function A), GS V m n: feed and cut (function B) */
        if (ei_mid_line(s))
            return ei_fail(s, "GS V in the middle of a line");
        if (n == 0 || n == 1 || n == 48 || n == 49) {
            s->pos += 3;
        } else if (n == 65 || n == 66) {
            if (!ei_have(s, 4))
                return ei_fail(s, "truncated GS V %u", n);
            s->pos += 4;
        } else {
            return ei_fail(s, "GS V %u", n);
        }
        r->cuts++;
        r->cut_last = true;
        return 0;
    default:
        return ei_fail(s, "unknown command GS 0x%02X", c);
    }
}

int ei_parse(const uint8_t *bytes, size_t n, ei_result *r)
{
    memset(r, 0, sizeof *r);
    ei_state s;
    memset(&s, 0, sizeof s);
    s.r = r;
    s.p = bytes;
    s.n = n;
    s.width_mag = s.height_mag = 1;
    s.line_wmag = s.line_hmag = 1;
    s.cd = iconv_open("UTF-8", "GB18030");
    if (s.cd == (iconv_t)-1) {
        snprintf(r->error, sizeof r->error, "iconv has no GB18030");
        return -1;
    }
    int rc = 0;
    while (rc == 0 && s.pos < n) {
        uint8_t b = bytes[s.pos];
        r->cut_last = false; /* a cut sets it again */
        if (b >= 0x20 && b != 0x7F) {
            rc = ei_text(&s);
        } else if (b == 0x0A) {
            rc = ei_end_line(&s);
            s.pos++;
        } else if (b == 0x1B) {
            rc = ei_esc(&s);
        } else if (b == 0x1C) {
            rc = ei_fs(&s);
        } else if (b == 0x1D) {
            rc = ei_gs(&s);
        } else if (b == 0x10) { /* DLE EOT n: real-time status request */
            if (!ei_have(&s, 3) || bytes[s.pos + 1] != 0x04 || bytes[s.pos + 2] < 1 ||
                bytes[s.pos + 2] > 4) {
                rc = ei_fail(&s, "unknown command DLE");
            } else {
                if (r->status_requests < sizeof r->status_n)
                    r->status_n[r->status_requests] = bytes[s.pos + 2];
                r->status_requests++;
                s.pos += 3;
            }
        } else {
            rc = ei_fail(&s, "unknown control byte 0x%02X", b);
        }
        s.commands_seen = true;
    }
    if (rc == 0 && ei_mid_line(&s))
        rc = ei_fail(&s, "text left without a line feed");
    r->chinese_mode = s.chinese;
    free(s.gb);
    iconv_close(s.cd);
    return rc;
}

void ei_free(ei_result *r)
{
    for (size_t i = 0; i < r->nlines; i++)
        free(r->lines[i].text);
    free(r->lines);
    free(r->qr_stored);
    memset(r, 0, sizeof *r);
}

size_t ei_count_lines_with(const ei_result *r, const char *needle)
{
    size_t k = 0;
    for (size_t i = 0; i < r->nlines; i++)
        if (strstr(r->lines[i].text, needle))
            k++;
    return k;
}

const ei_line *ei_find_line(const ei_result *r, const char *needle)
{
    for (size_t i = 0; i < r->nlines; i++)
        if (strstr(r->lines[i].text, needle))
            return &r->lines[i];
    return NULL;
}
