/*
 * Money: int64_t fen (分, 1/100 yuan) everywhere, in storage, on the wire and in rules. No
 * floating point ever touches an amount. Display is "¥12.50".
 */
#ifndef ZC_MONEY_H
#define ZC_MONEY_H

#include "zc/err.h"

#include <stddef.h>
#include <stdint.h>

typedef int64_t zc_fen;

enum { ZC_MONEY_TEXT_MAX = 32 }; /* enough for "-¥92233720368547758.08" and a NUL */

/*
 * Parses a yuan amount: "12", "12.5", "12.50", "¥12.50", "￥12.50", "-3.00". At most two
 * decimals; no exponent, no thousands separators, no surrounding spaces; overflow refused.
 */
zc_err zc_money_parse(const char *text, zc_fen *out, zc_diag *diag);

/* Parses a whole number of fen ("1250"), as the command line takes prices. Non-negative only. */
zc_err zc_money_parse_fen(const char *text, zc_fen *out, zc_diag *diag);

/* "¥12.50", "-¥0.05"; buf of at least ZC_MONEY_TEXT_MAX bytes. */
void zc_money_format(zc_fen fen, char *buf, size_t size);

#endif
