#include "zc/idnum.h"

#include <sodium.h>
#include <string.h>

enum {
    IDNUM_BODY_LEN = ZC_IDNUM_LEN - 1, /* the digits the check character covers */
    IDNUM_BIRTH_AT = ZC_IDNUM_REGION_LEN,
    IDNUM_BIRTH_LEN = 8, /* YYYYMMDD */
    YEAR_DIGITS = 4,
    MONTH_DIGITS = 2,
    DAY_DIGITS = 2,
    IDNUM_SEX_AT = 16, /* last digit of the sequence: odd for men */
    IDNUM_YEAR_MIN = 1900,
    MOD11 = 11,
};

_Static_assert(ZC_REGION_KEY_LEN == crypto_auth_hmacsha256_KEYBYTES, "region key is an HMAC key");
_Static_assert(ZC_IDNUM_HMAC_LEN == crypto_auth_hmacsha256_BYTES, "HMAC-SHA256 output size");

/* ISO 7064 MOD 11-2: weight i is 2^(17 - i) mod 11; the check value maps through this table. */
static const int WEIGHTS[IDNUM_BODY_LEN] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
static const char CHECK_CHARS[MOD11 + 1] = "10X98765432";

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int digits_value(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

char zc_idnum_check_char(const char *first17)
{
    int sum = 0;
    for (int i = 0; i < IDNUM_BODY_LEN; i++) {
        if (!is_digit(first17[i]))
            return '\0';
        sum += (first17[i] - '0') * WEIGHTS[i];
    }
    return CHECK_CHARS[sum % MOD11];
}

zc_err zc_idnum_parse(const char *text, size_t len, zc_idnum *out, zc_diag *diag)
{
    if (len == ZC_IDNUM_LEGACY_LEN)
        return zc_diag_set(diag, ZC_ERR_INVALID,
                           "15-digit ID numbers are no longer accepted; please give the 18-digit "
                           "number on the current resident identity card");
    if (len != ZC_IDNUM_LEN)
        return zc_diag_set(diag, ZC_ERR_INVALID, "ID number must be 18 characters, not %zu", len);
    for (int i = 0; i < IDNUM_BODY_LEN; i++) {
        if (!is_digit(text[i]))
            return zc_diag_set(diag, ZC_ERR_INVALID,
                               "ID number character %d must be a digit (only the last may be X)",
                               i + 1);
    }
    const char last = (char)(text[IDNUM_BODY_LEN] == 'x' ? 'X' : text[IDNUM_BODY_LEN]);
    if (!is_digit(last) && last != 'X')
        return zc_diag_set(diag, ZC_ERR_INVALID, "ID number must end in a digit or X");

    const char *b = text + IDNUM_BIRTH_AT;
    zc_date birth = {.year = digits_value(b, YEAR_DIGITS),
                     .month = digits_value(b + YEAR_DIGITS, MONTH_DIGITS),
                     .day = digits_value(b + YEAR_DIGITS + MONTH_DIGITS, DAY_DIGITS)};
    if (!zc_date_valid(birth))
        return zc_diag_set(diag, ZC_ERR_INVALID,
                           "ID number birth date %.*s (characters 7-14) is not a real date",
                           IDNUM_BIRTH_LEN, b);
    if (birth.year < IDNUM_YEAR_MIN)
        return zc_diag_set(diag, ZC_ERR_INVALID, "ID number birth year %d is before %d", birth.year,
                           IDNUM_YEAR_MIN);

    char expected = zc_idnum_check_char(text);
    if (last != expected)
        return zc_diag_set(diag, ZC_ERR_INVALID, "ID number check digit is wrong (expected %c)",
                           expected);

    memcpy(out->text, text, IDNUM_BODY_LEN);
    out->text[IDNUM_BODY_LEN] = last;
    out->text[ZC_IDNUM_LEN] = '\0';
    memcpy(out->region, text, ZC_IDNUM_REGION_LEN);
    out->region[ZC_IDNUM_REGION_LEN] = '\0';
    out->birth = birth;
    out->sex = (text[IDNUM_SEX_AT] - '0') % 2 ? ZC_SEX_MALE : ZC_SEX_FEMALE;
    return ZC_OK;
}

void zc_idnum_hmac(const uint8_t key[ZC_REGION_KEY_LEN], const zc_idnum *id,
                   uint8_t out[ZC_IDNUM_HMAC_LEN])
{
    crypto_auth_hmacsha256(out, (const unsigned char *)id->text, ZC_IDNUM_LEN, key);
}
