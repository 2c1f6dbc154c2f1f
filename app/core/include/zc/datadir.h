/*
 * A kiosk's data directory: everything one kiosk is, in one place.
 *
 *   kiosk.db     the store (roster, ledger, settings)
 *   device.key   the device's Ed25519 secret key (0600), made at init
 *   device.pub   its public key
 *   region.key   the region key that ID numbers are hashed with (0600)
 *   rules.pub    the rules-signing public key pinned at init
 *
 * zc_datadir_open loads all of it once, so commands and the kiosk work from one context value.
 */
#ifndef ZC_DATADIR_H
#define ZC_DATADIR_H

#include "zc/idnum.h"
#include "zc/keys.h"
#include "zc/ledger.h"
#include "zc/rules.h"
#include "zc/sale.h"
#include "zc/store.h"
#include "zc/tz.h"

#define ZC_DATADIR_DB "kiosk.db"
#define ZC_DATADIR_DEVICE_KEY "device.key"
#define ZC_DATADIR_DEVICE_PUB "device.pub"
#define ZC_DATADIR_REGION_KEY "region.key"
#define ZC_DATADIR_RULES_PUB "rules.pub"

enum { ZC_DATADIR_PATH_MAX = 4096 };

typedef struct zc_datadir {
    char path[ZC_DATADIR_PATH_MAX];
    zc_store *store;
    zc_keypair device_key;
    uint8_t region_key[ZC_REGION_KEY_LEN];
    uint8_t rules_pk[ZC_PUBKEY_LEN];
    char device_id[ZC_ID_MAX];
    char canteen[ZC_ID_MAX];
    char canteen_region[ZC_ID_MAX]; /* region code of the canteen, "" when not configured */
    zc_tz *tz;                      /* the kiosk's local zone (settings key "timezone") */
    /*
     * The rule set last used for a sale: verifying and parsing a bundle costs more than the rest
     * of a sale's work, and the set in force changes a few times a year. Rule sets are immutable
     * once installed, so a version number identifies one for good.
     */
    zc_rules *rules;
} zc_datadir;

typedef struct zc_datadir_init_opts {
    const char *canteen;         /* required: the canteen id this kiosk sells for */
    const char *rules_pubkey;    /* required: public.key file or key text to pin */
    const char *region_key_file; /* optional: 32-byte key shared with the hub; else a new one */
    const uint8_t *region_key;   /* optional: the key itself (enrolment); wins over the file */
    const char *timezone;        /* optional: default ZC_TZ_DEFAULT */
    const char *canteen_region;  /* optional: region code (digits) for home-district rules */
} zc_datadir_init_opts;

/*
 * Creates dir (if needed) and a new kiosk in it: keys, pinned rules key, database. Refuses a
 * directory that already holds a kiosk (ZC_ERR_EXISTS): its keys sign its ledger and must never be
 * replaced by accident.
 */
zc_err zc_datadir_init(const char *dir, const zc_datadir_init_opts *opts, zc_diag *diag);

/* Opens an initialised data directory. */
zc_err zc_datadir_open(const char *dir, zc_datadir **out, zc_diag *diag);
void zc_datadir_close(zc_datadir *dd);

/* A ledger under this kiosk's identity; the caller closes it. */
zc_err zc_datadir_ledger(zc_datadir *dd, zc_ledger **out, zc_diag *diag);

/* The device id derived from a public key: "ZK-" and 12 hex digits of its SHA-256. */
void zc_datadir_device_id(const uint8_t pk[ZC_PUBKEY_LEN], char out[ZC_ID_MAX]);

#endif
