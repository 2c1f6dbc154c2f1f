/*
 * Real kiosks for hub tests: a data directory with its own device key, the demo roster, signed
 * rules installed against the pinned key, and sales made by zc_sell, read back as the sync agent
 * pushes them. A hub's tests then see exactly the bytes a kiosk in a canteen would send.
 */
#ifndef ZC_SALESTEST_H
#define ZC_SALESTEST_H

#include "testutil.h"

#include "zc/datadir.h"
#include "zc/hub.h"
#include "zc/syncwire.h"

#include <stddef.h>

/* The design's example rule set (DESIGN.md), effective from 2026, without funders. */
extern const char ZC_SALESTEST_RULES[];
/* The same with funders: city pays 300 of each subsidy, the district the rest. */
extern const char ZC_SALESTEST_RULES_FUNDERS[];

/* Elders of the demo roster (assets/demo/roster.csv). */
#define ZC_SALESTEST_ELDER_80 "320202193803151008"      /* 80+: subsidy 500 */
#define ZC_SALESTEST_ELDER_DIBAO "320202194211081012"   /* 83 and dibao: 500 */
#define ZC_SALESTEST_ELDER_66 "320202196001011090"      /* 60-69: 200 */
#define ZC_SALESTEST_NOT_IN_ROSTER "320202195003071236" /* a valid ID number nobody registered */

typedef struct zc_salestest_kiosk {
    char dir[ZC_TEST_PATH_MAX];
    zc_datadir *dd;
    zc_ledger *ledger;
} zc_salestest_kiosk;

/* A new kiosk of canteen (region 320202) selling under rules (rule set JSON text). */
void zc_salestest_kiosk_new(zc_salestest_kiosk *k, const char *canteen, const char *rules);
void zc_salestest_kiosk_free(zc_salestest_kiosk *k);

/* Sells a meal of price fen to the elder with this ID number at an ISO 8601 time; the entry. */
zc_sale zc_salestest_sell(zc_salestest_kiosk *k, const char *id_number, zc_fen price,
                          const char *when);
/* Voids entry seq at when; the void's seq. */
int64_t zc_salestest_void(zc_salestest_kiosk *k, int64_t seq, const char *when);

/* The kiosk's entries after seq `after` as pushed; free with zc_syncwire_sales_free. */
zc_syncwire_sale *zc_salestest_records(zc_salestest_kiosk *k, int64_t after, size_t *n);

/* A clock a test sets by hand: zc_salestest_clock_read(&clock) is clock.now. */
typedef struct zc_salestest_clock {
    zc_ms now;
} zc_salestest_clock;
zc_ms zc_salestest_clock_read(void *clock);

/* Opens a hub on a fresh database of backend; clock may be NULL for the real one. */
zc_hub *zc_salestest_hub(const char *backend, const char *tag, zc_hub_clock_fn clock, void *ctx);
/* The same on the database at url, as it is (several hubs may share one). */
zc_hub *zc_salestest_hub_at(const char *url, zc_hub_clock_fn clock, void *ctx);

/*
 * zc_hub_enrol with code for the key pk, as POST /v1/enrol asks it: the body {"code",
 * "public_key"} signed by signer (NULL: not signed at all) as the device id pk gives, at a time
 * far from the hub's (enrolment does not check it).
 */
zc_err zc_salestest_enrol_key(zc_hub *hub, const char *code, const uint8_t pk[ZC_PUBKEY_LEN],
                              const zc_keypair *signer, zc_hub_enrolment *e, zc_diag *d);

/* Adds canteen (if new) to hub and enrols the kiosk's key with a fresh code for it. */
void zc_salestest_enrol(zc_salestest_kiosk *k, zc_hub *hub, const char *canteen);

/* Pushes n records as the kiosk's device and fails the test on any error; the result. */
zc_hub_push_result zc_salestest_push(zc_hub *hub, const zc_salestest_kiosk *k,
                                     const zc_syncwire_sale *recs, size_t n);

/* How many anomalies of kind the hub has raised (all of them when kind is NULL). */
size_t zc_salestest_anomalies(zc_hub *hub, const char *kind);

/* Milliseconds of an ISO 8601 instant. */
zc_ms zc_salestest_at(const char *iso);

#endif
