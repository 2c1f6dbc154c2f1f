/*
 * The receipt QR: what an elder takes home, and what anyone holding the device's public key can
 * check with `zhucanctl receipt verify`.
 *
 * The QR carries one line of printable ASCII (printers, scanners in keyboard mode and QR byte mode
 * all pass ASCII unchanged), nine fields separated by '|':
 *
 *     ZCR1|DEVICE|SEQ|AT|PRICE|SUBSIDY|SELF_PAY|HASH|SIGNATURE
 *
 *     ZCR1       format and version; a reader refuses any other version by name
 *     DEVICE     the device id, 1-16 of [A-Za-z0-9._-] ("ZK-" and 12 hex digits as enrolled)
 *     SEQ        the sale's per-device sequence number, 1..9999999999
 *     AT         when the sale was made, UTC epoch seconds, 0..9999999999 (until the year 2286)
 *     PRICE      fen, after any discount, 0..999999999
 *     SUBSIDY    fen, 0..999999999
 *     SELF_PAY   fen, 0..999999999: what the elder paid, with any delivery fee
 *     HASH       the first 8 bytes of the sale's chain hash, 16 lower-case hex digits: ties the
 *                receipt to one ledger entry, which an auditor holding the ledger can look up
 *     SIGNATURE  Ed25519 by the device key over every byte before the last '|' (from "ZCR1"
 *                to the end of HASH), 64 bytes as unpadded base64url: 86 characters
 *
 * e.g. ZCR1|ZK-3f9a0c12be77|1042|1767587400|1500|500|1000|9c1f4e0a5b7d2e31|<86 characters>
 *
 * Numbers are decimal digits without sign or leading zeros, so each receipt has exactly one text;
 * a parser refuses every other spelling. The signature is the device's own key over these bytes,
 * not the ledger's signature over the sale's canonical bytes, which the receipt does not carry.
 * The "ZCR1|" prefix also keeps a receipt signature from ever being mistaken for a signature over
 * canonical sale bytes (JSON, starting with '{').
 *
 * Length: 114 characters are fixed (prefix, separators, hash, signature); with the largest values
 * allowed above a receipt is ZC_RECEIPT_TEXT_MAX = 177 characters, and a usual one about 155. 177
 * bytes fit a QR code of version 9 at error correction M (53 x 53 modules, 180 bytes), which a
 * 384-dot 58 mm printer draws at 6 dots a module.
 *
 * No arithmetic is checked between the amounts beyond their ranges: SUBSIDY never exceeds PRICE
 * for a sale the rules priced, but SELF_PAY is PRICE - SUBSIDY plus a delivery fee less its own
 * subsidy, which the receipt does not itemise. The signature covers every number, so a receipt
 * that verifies says exactly what the device recorded.
 */
#ifndef ZC_RECEIPT_H
#define ZC_RECEIPT_H

#include "zc/err.h"
#include "zc/keys.h"
#include "zc/money.h"
#include "zc/sale.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define ZC_RECEIPT_PREFIX "ZCR1"

/* Field ranges, as documented above. */
#define ZC_RECEIPT_SEQ_MAX INT64_C(9999999999)
#define ZC_RECEIPT_AT_MAX INT64_C(9999999999)
#define ZC_RECEIPT_FEN_MAX INT64_C(999999999)

enum {
    ZC_RECEIPT_FIELDS = 9,
    ZC_RECEIPT_DEVICE_MAX = 16,                     /* characters of a device id */
    ZC_RECEIPT_HASH_PREFIX_LEN = 8,                 /* bytes of the chain hash */
    ZC_RECEIPT_SIG_TEXT_LEN = 86,                   /* unpadded base64url of ZC_SIG_LEN bytes */
    ZC_RECEIPT_TEXT_MAX = 177,                      /* characters of the longest receipt */
    ZC_RECEIPT_TEXT_SIZE = ZC_RECEIPT_TEXT_MAX + 1, /* a buffer for any receipt and its NUL */
};

/* A parsed receipt. at is in seconds, as the receipt has it, not zc_ms. */
typedef struct zc_receipt {
    char device[ZC_RECEIPT_DEVICE_MAX + 1];
    int64_t seq;
    int64_t at;
    zc_fen price;
    zc_fen subsidy;
    zc_fen self_pay;
    uint8_t hash_prefix[ZC_RECEIPT_HASH_PREFIX_LEN];
    uint8_t sig[ZC_SIG_LEN];
} zc_receipt;

/*
 * Writes the receipt text of a sale (its seq and device_id as the ledger filled them, hash its
 * chain hash) signed with the device key, and a NUL, into buf. A buffer of ZC_RECEIPT_TEXT_SIZE
 * bytes always suffices. ZC_ERR_INVALID when the sale is a void (a void has no receipt of its own:
 * the receipt format could not tell it from a sale), when a field is outside the ranges above
 * (milliseconds of at are dropped), or when buf is too small; buf then holds "".
 */
zc_err zc_receipt_text(const zc_sale *sale, const uint8_t hash[ZC_HASH_LEN], const zc_keypair *key,
                       char *buf, size_t size);

/*
 * Parses len bytes of receipt text (any bytes: it comes from a scanner). Strict: the prefix and
 * version, nine fields, the characters and ranges of each, nothing before or after. On error
 * ZC_ERR_INVALID and diag names the field. Parsing checks the form only; zc_receipt_verify decides
 * whether the receipt is genuine.
 */
zc_err zc_receipt_parse(const char *text, size_t len, zc_receipt *out, zc_diag *diag);

/*
 * Checks the signature against the device's public key: ZC_OK, or ZC_ERR_CRYPTO ("signature does
 * not match this device's key: not a genuine receipt") when the receipt was altered, forged or
 * made by another device. The signed bytes are rebuilt from r's fields, so changing any of them
 * after parsing also fails.
 */
zc_err zc_receipt_verify(const zc_receipt *r, const uint8_t pk[ZC_PUBKEY_LEN], zc_diag *diag);

/*
 * {"device","seq","at","price","subsidy","self_pay","hash_prefix"}: at as ISO 8601 UTC
 * ("2026-01-05T04:30:00Z"), amounts in fen, hash_prefix as hex. A new reference, NULL when out of
 * memory.
 */
json_t *zc_receipt_to_json(const zc_receipt *r);

#endif
