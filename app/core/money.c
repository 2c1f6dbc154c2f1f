#include "zc/money.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum { FEN_PER_YUAN = 100, DECIMAL_BASE = 10, MAX_DECIMALS = 2 };

/* Both the yen/yuan sign U+00A5 and its fullwidth form U+FFE5 appear in typed-in prices. */
static const char *const YUAN_SIGNS[] = {"\xC2\xA5", "\xEF\xBF\xA5"};

/* The magnitude of INT64_MIN, the largest a negative amount may reach. */
#define MAGNITUDE_NEG_MAX ((uint64_t)INT64_MAX + 1u)

static const char *skip_yuan_sign(const char *p)
{
    for (size_t i = 0; i < sizeof YUAN_SIGNS / sizeof YUAN_SIGNS[0]; i++) {
        size_t n = strlen(YUAN_SIGNS[i]);
        if (strncmp(p, YUAN_SIGNS[i], n) == 0)
            return p + n;
    }
    return p;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* acc = acc * 10 + digit, refusing to pass limit. */
static bool push_digit(uint64_t *acc, char c, uint64_t limit)
{
    uint64_t digit = (uint64_t)(c - '0');
    if (*acc > (limit - digit) / DECIMAL_BASE)
        return false;
    *acc = *acc * DECIMAL_BASE + digit;
    return true;
}

zc_err zc_money_parse(const char *text, zc_fen *out, zc_diag *diag)
{
    if (!text || !*text)
        return zc_diag_set(diag, ZC_ERR_INVALID, "amount is empty");
    const char *p = text;
    bool negative = *p == '-';
    if (negative)
        p++;
    p = skip_yuan_sign(p);
    if (!is_digit(*p))
        return zc_diag_set(diag, ZC_ERR_INVALID,
                           "amount must be a number of yuan such as 12.50 or ¥12.50");

    uint64_t limit = negative ? MAGNITUDE_NEG_MAX : (uint64_t)INT64_MAX;
    uint64_t fen = 0;
    for (; is_digit(*p); p++) {
        if (!push_digit(&fen, *p, limit / FEN_PER_YUAN))
            return zc_diag_set(diag, ZC_ERR_INVALID, "amount is too large");
    }
    fen *= FEN_PER_YUAN;

    if (*p == '.') {
        p++;
        if (!is_digit(*p))
            return zc_diag_set(diag, ZC_ERR_INVALID, "amount has no digits after the point");
        /* Place value of the next decimal: 10 fen, then 1 fen. */
        uint64_t place = FEN_PER_YUAN / DECIMAL_BASE;
        int decimals = 0;
        for (; is_digit(*p); p++, decimals++) {
            if (decimals == MAX_DECIMALS)
                return zc_diag_set(diag, ZC_ERR_INVALID,
                                   "amount has more than two decimals (fen is the smallest unit)");
            uint64_t add = (uint64_t)(*p - '0') * place;
            if (fen > limit - add)
                return zc_diag_set(diag, ZC_ERR_INVALID, "amount is too large");
            fen += add;
            place /= DECIMAL_BASE;
        }
    }
    if (*p)
        return zc_diag_set(diag, ZC_ERR_INVALID,
                           "amount has unexpected characters (no spaces, separators or exponents)");

    /* -(fen - 1) - 1 reaches INT64_MIN without overflowing on the way. */
    *out = negative && fen ? -(zc_fen)(fen - 1) - 1 : (zc_fen)fen;
    return ZC_OK;
}

zc_err zc_money_parse_fen(const char *text, zc_fen *out, zc_diag *diag)
{
    if (!text || !*text)
        return zc_diag_set(diag, ZC_ERR_INVALID, "amount in fen is empty");
    uint64_t fen = 0;
    for (const char *p = text; *p; p++) {
        if (!is_digit(*p))
            return zc_diag_set(diag, ZC_ERR_INVALID,
                               "amount in fen must be a whole non-negative number such as 1250");
        if (!push_digit(&fen, *p, (uint64_t)INT64_MAX))
            return zc_diag_set(diag, ZC_ERR_INVALID, "amount in fen is too large");
    }
    *out = (zc_fen)fen;
    return ZC_OK;
}

void zc_money_format(zc_fen fen, char *buf, size_t size)
{
    /* Work on the magnitude as unsigned so INT64_MIN has a representable absolute value. */
    uint64_t mag = fen < 0 ? (uint64_t)(-(fen + 1)) + 1u : (uint64_t)fen;
    snprintf(buf, size, "%s%s%" PRIu64 ".%02u", fen < 0 ? "-" : "", YUAN_SIGNS[0],
             mag / FEN_PER_YUAN, (unsigned)(mag % FEN_PER_YUAN));
}
