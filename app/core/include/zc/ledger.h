/*
 * The ledger: the kiosk's append-only record of sales and voids.
 *
 * Each entry gets the next per-device sequence number (gap-free from 1), is chained to the one
 * before it by SHA-256 and signed with the device's Ed25519 key, all in one SQLite transaction,
 * so an entry is either wholly on disk or not at all. Nothing is updated or deleted: a void is a
 * new entry naming the sale it cancels. Entry times never go backwards (the clock guard): a board
 * whose clock has lost power cannot record a sale before the last one.
 */
#ifndef ZC_LEDGER_H
#define ZC_LEDGER_H

#include "zc/keys.h"
#include "zc/sale.h"
#include "zc/store.h"

typedef struct zc_ledger zc_ledger;

/* The device identity entries are made under; strings are copied. */
zc_err zc_ledger_open(zc_store *store, const char *device_id, const char *canteen,
                      const zc_keypair *key, zc_ledger **out, zc_diag *diag);
void zc_ledger_close(zc_ledger *ledger);

/*
 * Appends sale (kind ZC_ENTRY_SALE) and fills its seq, uuid, device_id and canteen. Joins the
 * caller's transaction when one is open (see zc_store_begin), else runs in its own.
 */
zc_err zc_ledger_append(zc_ledger *ledger, zc_sale *sale, zc_diag *diag);

/*
 * Voids sale `seq` with a reason, as a new entry at `at` on local date `date`; the void copies the
 * sale's amounts so reports can take them back. A sale can be voided once; a void cannot be.
 */
zc_err zc_ledger_void(zc_ledger *ledger, int64_t seq, const char *reason, zc_ms at, zc_date date,
                      zc_sale *out, zc_diag *diag);

/* Reads entry seq (from its columns; detail is left NULL). */
zc_err zc_ledger_get(zc_store *store, int64_t seq, zc_sale *out, zc_diag *diag);

typedef struct zc_ledger_head {
    int64_t seq; /* 0 for an empty ledger */
    uint8_t hash[ZC_HASH_LEN];
    zc_ms at;
} zc_ledger_head;

zc_err zc_ledger_head_get(zc_store *store, zc_ledger_head *out, zc_diag *diag);

typedef struct zc_ledger_check {
    int64_t entries;   /* entries examined */
    int64_t first_bad; /* first broken sequence number, 0 when all is well */
    zc_ledger_head head;
} zc_ledger_check;

/*
 * Checks the whole chain: sequence numbers 1..n without gaps, each hash over the stored canonical
 * bytes and the previous hash, each signature against pk, and the columns against the canonical
 * bytes. ZC_ERR_BROKEN with first_bad and the reason in diag when anything fails.
 */
zc_err zc_ledger_verify(zc_store *store, const uint8_t pk[ZC_PUBKEY_LEN], zc_ledger_check *out,
                        zc_diag *diag);

#endif
