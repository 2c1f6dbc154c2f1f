#include "zc/receipt.h"

#include "zc/codec.h"
#include "zc/date.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum {
    SEP = '|',
    PREFIX_LEN = sizeof ZC_RECEIPT_PREFIX - 1,
    VERSION_AT = PREFIX_LEN - 1, /* where the version digits start in "ZCR1" */
    HASH_TEXT_LEN = 2 * ZC_RECEIPT_HASH_PREFIX_LEN,
    NUMBERS = 5,         /* seq, at, price, subsidy, self_pay */
    INT64_TEXT_MAX = 20, /* "-9223372036854775808" */
    /* Everything before the last '|': the receipt less the signature and its separator. */
    SIGNED_MAX = ZC_RECEIPT_TEXT_MAX - ZC_RECEIPT_SIG_TEXT_LEN - 1,
    /*
     * Room for the signed part built from any zc_receipt, even one whose numbers a caller has set
     * outside the ranges (verify must fail on it, not overflow), and its NUL.
     */
    SIGNED_BUF = PREFIX_LEN + 1 + ZC_RECEIPT_DEVICE_MAX + 1 + NUMBERS * (INT64_TEXT_MAX + 1) +
                 HASH_TEXT_LEN + 1,
    QUOTE_MAX = 24, /* characters of a bad field echoed back */
    ISO_UTC_SIZE = sizeof "YYYY-MM-DDTHH:MM:SSZ",
};

/* The fields in order, as messages name them. */
typedef enum field {
    F_PREFIX,
    F_DEVICE,
    F_SEQ,
    F_AT,
    F_PRICE,
    F_SUBSIDY,
    F_SELF_PAY,
    F_HASH,
    F_SIG,
} field;

static const char *const FIELD_NAMES[ZC_RECEIPT_FIELDS] = {
    "prefix", "device", "seq", "at", "price", "subsidy", "self_pay", "hash", "signature",
};

static const char GENUINE_FAIL[] = "signature does not match this device's key: not a genuine "
                                   "receipt";

static bool device_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

static bool device_valid(const char *id, size_t len)
{
    if (len == 0 || len > ZC_RECEIPT_DEVICE_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!device_char(id[i]))
            return false;
    return true;
}

/*
 * The signed part, "ZCR1|DEVICE|SEQ|AT|PRICE|SUBSIDY|SELF_PAY|HASH", into buf of SIGNED_BUF
 * bytes. One function for writing and verifying, so both always agree on the bytes.
 */
static size_t signed_part(const char *device, size_t device_len, int64_t seq, int64_t at,
                          zc_fen price, zc_fen subsidy, zc_fen self_pay,
                          const uint8_t prefix[ZC_RECEIPT_HASH_PREFIX_LEN], char *buf)
{
    char hex[ZC_HEX_SIZE(ZC_RECEIPT_HASH_PREFIX_LEN)];
    zc_hex_encode(prefix, ZC_RECEIPT_HASH_PREFIX_LEN, hex);
    int n = snprintf(buf, SIGNED_BUF,
                     ZC_RECEIPT_PREFIX "|%.*s|%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64
                                       "|%" PRId64 "|%s",
                     (int)device_len, device, seq, at, price, subsidy, self_pay, hex);
    /* Cannot be cut: SIGNED_BUF holds the widest values of every field. */
    return n < 0 ? 0 : (size_t)n;
}

static bool fen_in_range(zc_fen fen)
{
    return fen >= 0 && fen <= ZC_RECEIPT_FEN_MAX;
}

zc_err zc_receipt_text(const zc_sale *sale, const uint8_t hash[ZC_HASH_LEN], const zc_keypair *key,
                       char *buf, size_t size)
{
    char text[SIGNED_BUF];
    uint8_t sig[ZC_SIG_LEN];
    size_t device_len = strnlen(sale->device_id, sizeof sale->device_id);
    if (size > 0)
        buf[0] = '\0';
    if (sale->kind != ZC_ENTRY_SALE || !device_valid(sale->device_id, device_len) ||
        sale->seq < 1 || sale->seq > ZC_RECEIPT_SEQ_MAX || sale->at < 0 ||
        sale->at / ZC_MS_PER_SECOND > ZC_RECEIPT_AT_MAX || !fen_in_range(sale->price) ||
        !fen_in_range(sale->subsidy) || !fen_in_range(sale->self_pay))
        return ZC_ERR_INVALID;
    size_t len = signed_part(sale->device_id, device_len, sale->seq, sale->at / ZC_MS_PER_SECOND,
                             sale->price, sale->subsidy, sale->self_pay, hash, text);
    /* The separator, the signature and the NUL. */
    if (len == 0 || len > SIGNED_MAX || size < len + 1 + ZC_RECEIPT_SIG_TEXT_LEN + 1)
        return ZC_ERR_INVALID;
    zc_keys_sign(key, (const uint8_t *)text, len, sig);
    memcpy(buf, text, len);
    buf[len] = SEP;
    sodium_bin2base64(buf + len + 1, ZC_RECEIPT_SIG_TEXT_LEN + 1, sig, sizeof sig,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return ZC_OK;
}

/* ---- parsing ---- */

static int quote_len(size_t len)
{
    return (int)(len < QUOTE_MAX ? len : QUOTE_MAX);
}

static zc_err field_fail(zc_diag *diag, field f, const char *text, size_t len, const char *why)
{
    return zc_diag_set(diag, ZC_ERR_INVALID, "receipt %s \"%.*s%s\" %s", FIELD_NAMES[f],
                       quote_len(len), text, len > QUOTE_MAX ? "..." : "", why);
}

/* "ZCR1", or a message naming what the text is instead. */
static zc_err check_prefix(const char *text, size_t len, zc_diag *diag)
{
    static const char ZCR[] = "ZCR";
    size_t end = 0;
    while (end < len && text[end] != SEP)
        end++;
    if (end == PREFIX_LEN && memcmp(text, ZC_RECEIPT_PREFIX, PREFIX_LEN) == 0)
        return ZC_OK;
    if (end > VERSION_AT && end <= VERSION_AT + QUOTE_MAX && memcmp(text, ZCR, VERSION_AT) == 0) {
        bool digits = true;
        for (size_t i = VERSION_AT; i < end; i++)
            digits = digits && text[i] >= '0' && text[i] <= '9';
        if (digits)
            return zc_diag_set(diag, ZC_ERR_INVALID,
                               "receipt format %.*s is not supported: this build reads "
                               "%s",
                               (int)end, text, ZC_RECEIPT_PREFIX);
    }
    return zc_diag_set(diag, ZC_ERR_INVALID,
                       "not a zhucan receipt: it does not start with \"" ZC_RECEIPT_PREFIX "|\"");
}

/* Decimal digits without sign or leading zero, in [min, max]. */
static zc_err parse_number(field f, const char *text, size_t len, int64_t min, int64_t max,
                           int64_t *out, zc_diag *diag)
{
    int64_t v = 0;
    if (len == 0)
        return zc_diag_set(diag, ZC_ERR_INVALID, "receipt %s is empty", FIELD_NAMES[f]);
    for (size_t i = 0; i < len; i++)
        if (text[i] < '0' || text[i] > '9')
            return field_fail(diag, f, text, len, "is not a whole number (digits only)");
    if (len > 1 && text[0] == '0')
        return field_fail(diag, f, text, len, "has a leading zero");
    for (size_t i = 0; i < len; i++) {
        int d = text[i] - '0';
        if (v > (max - d) / 10)
            return field_fail(diag, f, text, len, "is out of range");
        v = v * 10 + d;
    }
    if (v < min)
        return field_fail(diag, f, text, len, "is out of range");
    *out = v;
    return ZC_OK;
}

static zc_err parse_hash(const char *text, size_t len, uint8_t out[ZC_RECEIPT_HASH_PREFIX_LEN],
                         zc_diag *diag)
{
    /* Lower case only: the writer emits it, and one receipt must have one text. */
    bool ok = len == HASH_TEXT_LEN;
    for (size_t i = 0; ok && i < len; i++)
        ok = (text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f');
    if (!ok || zc_hex_decode(text, len, out, ZC_RECEIPT_HASH_PREFIX_LEN))
        return field_fail(diag, F_HASH, text, len, "is not 16 lower-case hex digits");
    return ZC_OK;
}

static zc_err parse_sig(const char *text, size_t len, uint8_t out[ZC_SIG_LEN], zc_diag *diag)
{
    size_t got = 0;
    const char *end = NULL;
    bool ok = len == ZC_RECEIPT_SIG_TEXT_LEN;
    for (size_t i = 0; ok && i < len; i++)
        ok = device_char(text[i]) && text[i] != '.';
    /* libsodium also refuses non-zero bits after the last byte: one text per signature. */
    if (!ok ||
        sodium_base642bin(out, ZC_SIG_LEN, text, len, NULL, &got, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        got != ZC_SIG_LEN || end != text + len)
        return field_fail(diag, F_SIG, text, len, "is not 86 characters of unpadded base64url");
    return ZC_OK;
}

zc_err zc_receipt_parse(const char *text, size_t len, zc_receipt *out, zc_diag *diag)
{
    const char *start[ZC_RECEIPT_FIELDS];
    size_t lens[ZC_RECEIPT_FIELDS];
    size_t nfields = 0;
    zc_receipt r;
    zc_err err;
    memset(&r, 0, sizeof r);
    if (len == 0)
        return zc_diag_set(diag, ZC_ERR_INVALID, "not a zhucan receipt: the text is empty");
    if ((err = check_prefix(text, len, diag)))
        return err;
    if (len > ZC_RECEIPT_TEXT_MAX)
        return zc_diag_set(diag, ZC_ERR_INVALID,
                           "receipt is %zu bytes long, longer than any receipt (%d)", len,
                           (int)ZC_RECEIPT_TEXT_MAX);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] <= ' ' || (unsigned char)text[i] > '~')
            return zc_diag_set(diag, ZC_ERR_INVALID,
                               "receipt has byte 0x%02x at position %zu: only printable ASCII "
                               "without spaces is allowed",
                               (unsigned char)text[i], i + 1);
    for (size_t i = 0, from = 0; i <= len; i++) {
        if (i < len && text[i] != SEP)
            continue;
        if (nfields < ZC_RECEIPT_FIELDS) {
            start[nfields] = text + from;
            lens[nfields] = i - from;
        }
        nfields++;
        from = i + 1;
    }
    if (nfields != ZC_RECEIPT_FIELDS)
        return zc_diag_set(diag, ZC_ERR_INVALID, "receipt has %zu fields, expected %d", nfields,
                           (int)ZC_RECEIPT_FIELDS);
    if (!device_valid(start[F_DEVICE], lens[F_DEVICE]))
        return field_fail(diag, F_DEVICE, start[F_DEVICE], lens[F_DEVICE],
                          "is not a device id (1-16 of A-Z a-z 0-9 . _ -)");
    memcpy(r.device, start[F_DEVICE], lens[F_DEVICE]);
    int64_t *numbers[] = {&r.seq, &r.at, &r.price, &r.subsidy, &r.self_pay};
    const int64_t mins[] = {1, 0, 0, 0, 0};
    const int64_t maxes[] = {ZC_RECEIPT_SEQ_MAX, ZC_RECEIPT_AT_MAX, ZC_RECEIPT_FEN_MAX,
                             ZC_RECEIPT_FEN_MAX, ZC_RECEIPT_FEN_MAX};
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        field f = (field)(F_SEQ + i);
        if ((err = parse_number(f, start[f], lens[f], mins[i], maxes[i], numbers[i], diag)))
            return err;
    }
    if ((err = parse_hash(start[F_HASH], lens[F_HASH], r.hash_prefix, diag)) ||
        (err = parse_sig(start[F_SIG], lens[F_SIG], r.sig, diag)))
        return err;
    *out = r;
    return ZC_OK;
}

zc_err zc_receipt_verify(const zc_receipt *r, const uint8_t pk[ZC_PUBKEY_LEN], zc_diag *diag)
{
    char text[SIGNED_BUF];
    size_t len = signed_part(r->device, strnlen(r->device, sizeof r->device), r->seq, r->at,
                             r->price, r->subsidy, r->self_pay, r->hash_prefix, text);
    if (len == 0 || zc_keys_verify(pk, (const uint8_t *)text, len, r->sig))
        return zc_diag_set(diag, ZC_ERR_CRYPTO, "%s", GENUINE_FAIL);
    return ZC_OK;
}

/* "YYYY-MM-DDTHH:MM:SSZ": the receipt has whole seconds, so no fraction is shown. */
static void format_utc(int64_t at, char buf[ISO_UTC_SIZE])
{
    int64_t days = at / ZC_SECONDS_PER_DAY, secs = at % ZC_SECONDS_PER_DAY;
    if (secs < 0) {
        secs += ZC_SECONDS_PER_DAY;
        days--;
    }
    zc_date d = zc_date_from_days(days);
    snprintf(buf, ISO_UTC_SIZE, "%04d-%02d-%02dT%02d:%02d:%02dZ", d.year, d.month, d.day,
             (int)(secs / ZC_SECONDS_PER_HOUR),
             (int)(secs % ZC_SECONDS_PER_HOUR / ZC_SECONDS_PER_MINUTE),
             (int)(secs % ZC_SECONDS_PER_MINUTE));
}

json_t *zc_receipt_to_json(const zc_receipt *r)
{
    char at[ISO_UTC_SIZE];
    char hex[ZC_HEX_SIZE(ZC_RECEIPT_HASH_PREFIX_LEN)];
    format_utc(r->at, at);
    zc_hex_encode(r->hash_prefix, sizeof r->hash_prefix, hex);
    return json_pack("{s:s%,s:I,s:s,s:I,s:I,s:I,s:s}", "device", r->device,
                     strnlen(r->device, sizeof r->device), "seq", (json_int_t)r->seq, "at", at,
                     "price", (json_int_t)r->price, "subsidy", (json_int_t)r->subsidy, "self_pay",
                     (json_int_t)r->self_pay, "hash_prefix", hex);
}
