/*
 * The elder roster: who may receive a subsidy, kept offline in the kiosk's store.
 *
 * An elder is found by ID number (through HMAC-SHA256 with the region key: the number itself is
 * never stored), by QR token or by meal-card UID (both through SHA-256). Importing a CSV file is
 * all or nothing: any bad row refuses the whole file, naming its line and the reason.
 */
#ifndef ZC_ROSTER_H
#define ZC_ROSTER_H

#include "zc/date.h"
#include "zc/err.h"
#include "zc/idnum.h"
#include "zc/keys.h"
#include "zc/store.h"

#include <stdbool.h>
#include <stdint.h>

enum {
    ZC_NAME_MAX = 128,       /* bytes of UTF-8, with the NUL */
    ZC_REGION_MAX = 13,      /* region codes are 2..12 digits */
    ZC_CATEGORIES_MAX = 256, /* '|'-separated category ids */
    ZC_CATEGORY_ID_MAX = 63, /* bytes of one category id: the rules' id limit */
    ZC_TOKEN_MAX = 128,      /* QR token or card UID, bytes */
};

typedef enum zc_elder_status { ZC_ELDER_ACTIVE = 0, ZC_ELDER_SUSPENDED = 1 } zc_elder_status;

typedef struct zc_elder {
    int64_t id; /* roster id: what sales reference */
    char name[ZC_NAME_MAX];
    zc_date birth;
    char region[ZC_REGION_MAX];
    char categories[ZC_CATEGORIES_MAX]; /* "dibao|shineng", "" for none */
    zc_elder_status status;
} zc_elder;

typedef struct zc_roster_import_stats {
    long rows;    /* data rows read */
    long added;   /* elders new to the roster */
    long updated; /* elders already known (same ID number), replaced by the file's row */
} zc_roster_import_stats;

/*
 * Imports CSV text with the header
 * id_number,name,birth_date,region,categories,status,qr_token,card_uid
 * (names exact, spaces around them tolerated). Rows are added or, for an ID number already in the
 * roster, updated; elders not in the file are kept. The file states the final roster of the elders
 * it lists, so QR tokens and card UIDs may move or swap between them in any row order; a token
 * held by an elder the file does not list is refused. Changed and new rows get the next roster
 * version, unchanged rows keep theirs (stats count them as updated).
 *
 * On any error nothing is changed and diag says "line N: FIELD: reason" with diag->line = N. The
 * whole file is checked before the store is touched, and the first line that is bad in itself or
 * repeats an earlier line is reported; only then are tokens checked against the stored roster
 * (earliest conflicting line reported), all in one transaction.
 */
zc_err zc_roster_import_csv(zc_store *store, const uint8_t region_key[ZC_REGION_KEY_LEN],
                            const char *data, size_t len, zc_roster_import_stats *stats,
                            zc_diag *diag);

/* One validated roster CSV row, as zc_roster_parse_csv hands it over. */
typedef struct zc_roster_entry {
    long line; /* its line in the file */
    uint8_t id_hmac[ZC_HASH_LEN];
    char name[ZC_NAME_MAX];
    zc_date birth;
    char region[ZC_REGION_MAX];
    char categories[ZC_CATEGORIES_MAX];
    zc_elder_status status;
    char qr_token[ZC_TOKEN_MAX]; /* as written, "" for none */
    char card_uid[ZC_TOKEN_MAX]; /* normalised, "" for none */
    bool has_qr, has_card;
    uint8_t qr_hash[ZC_HASH_LEN];   /* zc_roster_qr_hash of qr_token */
    uint8_t card_hash[ZC_HASH_LEN]; /* zc_roster_card_hash of card_uid */
} zc_roster_entry;

typedef zc_err (*zc_roster_entry_fn)(void *ctx, const zc_roster_entry *entry, zc_diag *diag);

/*
 * Parses and checks roster CSV text exactly as zc_roster_import_csv does (same messages, same
 * repeats check), without a store: for the hub, which keeps its own roster. The whole text is
 * checked first; only when every row is good is fn called for each row, in file order. An error
 * from fn stops the walk and is returned.
 */
zc_err zc_roster_parse_csv(const uint8_t region_key[ZC_REGION_KEY_LEN], const char *data,
                           size_t len, zc_roster_entry_fn fn, void *ctx, zc_diag *diag);

/* The hashes the roster keeps of a QR token and of a card UID (normalised first). */
void zc_roster_qr_hash(const char *token, uint8_t out[ZC_HASH_LEN]);
zc_err zc_roster_card_hash(const char *uid, uint8_t out[ZC_HASH_LEN], zc_diag *diag);

enum { ZC_ROSTER_QR_TOKEN_LEN = 31 }; /* "ZCE1." and 26 base32 digits of 128 random bits */

/* A new random elder QR token, "ZCE1.<base32>", NUL-terminated in buf. */
void zc_roster_qr_token_new(char buf[ZC_ROSTER_QR_TOKEN_LEN + 1]);

/* "active" or "suspended". */
const char *zc_roster_status_name(zc_elder_status status);

/*
 * Checks an elder's fields exactly as a roster CSV row's are checked, for rows that arrive as
 * JSON: name, region (2-12 digits; no ID number to take it from here), categories, and status as
 * text, parsed into *status_out (may be NULL). diag says "FIELD: reason".
 */
zc_err zc_roster_check_fields(const char *name, const char *region, const char *categories,
                              const char *status, zc_elder_status *status_out, zc_diag *diag);

/* Lookups: ZC_ERR_NOT_FOUND when nobody matches; a malformed ID number is ZC_ERR_INVALID. */
zc_err zc_roster_find_by_idnum(zc_store *store, const uint8_t region_key[ZC_REGION_KEY_LEN],
                               const char *id_number, zc_elder *out, zc_diag *diag);
zc_err zc_roster_find_by_qr(zc_store *store, const char *token, zc_elder *out, zc_diag *diag);
zc_err zc_roster_find_by_card(zc_store *store, const char *uid, zc_elder *out, zc_diag *diag);
zc_err zc_roster_get(zc_store *store, int64_t id, zc_elder *out, zc_diag *diag);

/* Number of elders in the roster. */
zc_err zc_roster_count(zc_store *store, int64_t *out, zc_diag *diag);

/* "张*华": first and last character kept, the middle masked; two characters: "张*". */
void zc_roster_mask_name(const char *name, char *buf, size_t size);

#endif
