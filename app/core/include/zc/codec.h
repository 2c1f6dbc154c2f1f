/*
 * Text encodings of bytes: lower-case hex for hashes people compare by eye, standard base64 for
 * keys and signatures that travel in files and JSON.
 */
#ifndef ZC_CODEC_H
#define ZC_CODEC_H

#include "zc/err.h"

#include <stddef.h>
#include <stdint.h>

/* Bytes of text (with the NUL) needed to encode n bytes. */
#define ZC_HEX_SIZE(n) ((n)*2 + 1)
#define ZC_B64_SIZE(n) ((((n) + 2) / 3) * 4 + 1)

/* Writes 2n hex digits and a NUL; out must hold ZC_HEX_SIZE(n). */
void zc_hex_encode(const uint8_t *bytes, size_t n, char *out);

/* Decodes exactly n bytes from 2n hex digits (either case); anything else is ZC_ERR_INVALID. */
zc_err zc_hex_decode(const char *text, size_t len, uint8_t *out, size_t n);

/* Writes base64 (with padding) and a NUL; out must hold ZC_B64_SIZE(n). */
void zc_b64_encode(const uint8_t *bytes, size_t n, char *out);

/* Decodes text that must yield exactly n bytes; surrounding white space is ignored. */
zc_err zc_b64_decode(const char *text, size_t len, uint8_t *out, size_t n);

#endif
