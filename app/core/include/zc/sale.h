/*
 * A ledger entry: a sale or the void of one, and its canonical bytes.
 *
 * The canonical bytes are compact JSON with sorted keys, produced once when the entry is made. They
 * are what the hash chain covers and what the device signs; they are stored and sent exactly as
 * produced, and whoever checks them parses these bytes instead of re-serialising anything.
 */
#ifndef ZC_SALE_H
#define ZC_SALE_H

#include "zc/date.h"
#include "zc/err.h"
#include "zc/keys.h"
#include "zc/money.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

enum {
    ZC_UUID_TEXT_SIZE = 37, /* 8-4-4-4-12 and a NUL */
    ZC_ID_MAX = 64,         /* device, canteen, period and tier ids, with the NUL */
    ZC_REASON_MAX = 256,    /* a void's reason, bytes with the NUL */
};

typedef enum zc_entry_kind { ZC_ENTRY_SALE = 0, ZC_ENTRY_VOID = 1 } zc_entry_kind;

/* How the elder was identified. */
typedef enum zc_ident {
    ZC_IDENT_ID_CARD = 0,
    ZC_IDENT_QR,
    ZC_IDENT_MEAL_CARD,
    ZC_IDENT_MANUAL,
    ZC_IDENT_NONE, /* a walk-in at full price */
} zc_ident;

typedef enum zc_pay { ZC_PAY_CASH = 0, ZC_PAY_OTHER } zc_pay;

typedef struct zc_sale {
    /* Filled by the ledger when the entry is appended. */
    int64_t seq;
    char uuid[ZC_UUID_TEXT_SIZE];
    char device_id[ZC_ID_MAX];
    char canteen[ZC_ID_MAX];

    zc_entry_kind kind;
    zc_ms at;
    zc_date date;           /* local calendar date the entry belongs to */
    char period[ZC_ID_MAX]; /* meal period id, "" outside every period */
    int64_t elder_id;       /* roster id, 0 for nobody */
    zc_ident ident;
    zc_fen price; /* after any discount */
    zc_fen subsidy;
    zc_fen self_pay;
    zc_pay paid;
    char tier[ZC_ID_MAX];       /* tier or category that gave the subsidy, "" for none */
    int64_t rules_version;      /* 0 when no rule set was installed */
    int64_t voids_seq;          /* for a void: the sale it cancels */
    char reason[ZC_REASON_MAX]; /* for a void: why */
    json_t *detail;             /* items, explanation lines ...: an object or NULL (borrowed) */
    uint8_t hash[ZC_HASH_LEN];  /* filled by the ledger: this entry's chain hash */
} zc_sale;

const char *zc_ident_name(zc_ident ident);
zc_err zc_ident_parse(const char *text, zc_ident *out);
const char *zc_pay_name(zc_pay pay);
zc_err zc_pay_parse(const char *text, zc_pay *out);

/* The canonical bytes of a sale (malloc'd, not NUL-terminated in meaning; *len excludes it). */
zc_err zc_sale_canon(const zc_sale *sale, char **out, size_t *len);

/*
 * Reads canonical bytes back into a sale. detail, when present, is a new reference the caller
 * releases with json_decref. Unknown or missing keys, wrong types: ZC_ERR_INVALID naming the key.
 */
zc_err zc_sale_from_canon(const char *bytes, size_t len, zc_sale *out, zc_diag *diag);

/* hash = SHA-256(prev || canon). */
void zc_sale_chain_hash(const uint8_t prev[ZC_HASH_LEN], const char *canon, size_t len,
                        uint8_t hash[ZC_HASH_LEN]);

#endif
