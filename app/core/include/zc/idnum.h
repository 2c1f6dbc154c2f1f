/*
 * Chinese resident identity numbers (GB 11643-1999): 18 characters, a 6-digit region code, the
 * birth date as YYYYMMDD, a 3-digit sequence (odd for men) and an ISO 7064 MOD 11-2 check
 * character (0-9 or X). The kiosk never stores an ID number: it keeps HMAC-SHA256(region key, ID).
 */
#ifndef ZC_IDNUM_H
#define ZC_IDNUM_H

#include "zc/date.h"
#include "zc/err.h"

#include <stddef.h>
#include <stdint.h>

enum {
    ZC_IDNUM_LEN = 18,
    ZC_IDNUM_LEGACY_LEN = 15,
    ZC_IDNUM_REGION_LEN = 6,
    ZC_REGION_KEY_LEN = 32,
    ZC_IDNUM_HMAC_LEN = 32,
};

typedef enum zc_sex { ZC_SEX_FEMALE = 0, ZC_SEX_MALE = 1 } zc_sex;

typedef struct zc_idnum {
    char text[ZC_IDNUM_LEN + 1];          /* normalised: check character upper-case */
    char region[ZC_IDNUM_REGION_LEN + 1]; /* first six digits */
    zc_date birth;
    zc_sex sex;
} zc_idnum;

/*
 * Validates and normalises len bytes of text. Refuses, each with its own message: a wrong length,
 * a 15-digit legacy number (asks for the 18-digit one), non-digits, an impossible birth date or one
 * before 1900, a wrong check character. A lower-case 'x' check character is accepted and
 * upper-cased.
 */
zc_err zc_idnum_parse(const char *text, size_t len, zc_idnum *out, zc_diag *diag);

/*
 * The ISO 7064 MOD 11-2 check character ('0'-'9' or 'X') for the first 17 digits; '\0' when one
 * of those 17 characters is not a digit.
 */
char zc_idnum_check_char(const char *first17);

/* HMAC-SHA256(region key, normalised ID number). */
void zc_idnum_hmac(const uint8_t key[ZC_REGION_KEY_LEN], const zc_idnum *id,
                   uint8_t out[ZC_IDNUM_HMAC_LEN]);

#endif
