/*
 * A strict ESC/POS interpreter for the tests: it reads what hal_escpos_render sent to the printer
 * and says what would come out: the printed lines as UTF-8 (GB18030 decoded with iconv) with their
 * width in columns, alignment, emphasis and magnification, the QR code stored and printed, feeds,
 * cuts and status requests.
 *
 * It knows only the commands the encoder is allowed to emit, and only in the forms the ESC/POS
 * reference gives them; any other byte sequence, a multi-byte character outside Chinese mode, a
 * command that only works at the start of a line given in the middle of one, or text left without
 * a line feed, fails the parse with the offset. So a test that parses a receipt proves the encoder
 * sent nothing a printer could misread (a control byte from an item name, say).
 */
#ifndef ZT_ESCPOS_INTERP_H
#define ZT_ESCPOS_INTERP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { EI_ALIGN_LEFT = 0, EI_ALIGN_CENTER = 1, EI_ALIGN_RIGHT = 2, EI_ERROR_MAX = 160 };

typedef struct ei_line {
    char *text;     /* UTF-8, NUL-terminated */
    int columns;    /* paper used, in font-A columns: 1 per ASCII, 2 per multi-byte, x width */
    int align;      /* EI_ALIGN_* in force for the line */
    bool bold;      /* some character printed emphasised */
    int width_mag;  /* largest GS ! width magnification on the line (1 = normal) */
    int height_mag; /* largest height magnification */
} ei_line;

typedef struct ei_result {
    ei_line *lines;
    size_t nlines;
    size_t inits;         /* ESC @ */
    bool init_first;      /* the very first command was ESC @ */
    bool chinese_mode;    /* FS & was in force at the end */
    size_t cuts;          /* GS V */
    bool cut_last;        /* the last command was a cut */
    size_t feed_lines;    /* lines fed by ESC d */
    size_t bold_changes;  /* ESC E */
    size_t size_changes;  /* GS ! */
    size_t align_changes; /* ESC a */
    /* QR code (GS ( k, cn 49) */
    int qr_model;           /* fn 165: 49 model 1, 50 model 2, 51 micro; 0 unset */
    int qr_module;          /* fn 167: dots */
    int qr_ec;              /* fn 169: 48 L, 49 M, 50 Q, 51 H */
    char *qr_stored;        /* fn 180 data, NUL-terminated (NULL: none) */
    size_t qr_stored_len;   /* bytes of it */
    size_t qr_prints;       /* fn 181 with data stored */
    size_t qr_line;         /* lines printed before the (last) QR */
    size_t status_requests; /* DLE EOT n */
    uint8_t status_n[8];    /* the first n values asked for */
    char error[EI_ERROR_MAX];
} ei_result;

/* Parses bytes; 0 when every byte was understood, -1 with r->error (and r filled so far) if not.
 * Always call ei_free afterwards. */
int ei_parse(const uint8_t *bytes, size_t n, ei_result *r);
void ei_free(ei_result *r);

/* The number of lines whose text contains `needle`. */
size_t ei_count_lines_with(const ei_result *r, const char *needle);

/* The first line whose text contains `needle`, or NULL. */
const ei_line *ei_find_line(const ei_result *r, const char *needle);

#endif
