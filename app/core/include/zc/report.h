/*
 * Day reports: what a canteen sold on one local date, for staff reconciliation and the Z report.
 *
 * Every ledger entry counts on its own date: a sale adds, a void subtracts the sale it cancels on
 * the day the void was made, so a day once closed never changes afterwards. Totals are broken
 * down by meal period, by tier or category (whichever gave the subsidy) and by payment method.
 * The aggregation is separate from where entries come from, so the hub builds the same report,
 * with the same JSON shape, from what it received.
 */
#ifndef ZC_REPORT_H
#define ZC_REPORT_H

#include "zc/date.h"
#include "zc/keys.h"
#include "zc/sale.h"
#include "zc/store.h"

#include <jansson.h>

typedef struct zc_report zc_report;

/* Group key used for entries outside every meal period, or with no tier. */
#define ZC_REPORT_NONE "none"

typedef struct zc_report_totals {
    int64_t sales; /* sale entries */
    int64_t voids; /* void entries */
    zc_fen gross;  /* prices of sales less prices of voided sales */
    zc_fen subsidy;
    zc_fen self_pay;
} zc_report_totals;

zc_err zc_report_new(zc_date date, zc_report **out);
void zc_report_free(zc_report *report);

/* Adds one entry (of any date: entries of other dates are ignored). */
zc_err zc_report_add(zc_report *report, const zc_sale *entry);

/* Records the chain head: the last entry of the day and its hash. */
void zc_report_set_head(zc_report *report, int64_t seq, const uint8_t hash[ZC_HASH_LEN]);

const zc_report_totals *zc_report_totals_get(const zc_report *report);

/* Builds the report of `date` from the kiosk's ledger. */
zc_err zc_report_day(zc_store *store, zc_date date, zc_report **out, zc_diag *diag);

/*
 * {"date","sales","voids","gross","subsidy","self_pay","by_period":{KEY:TOTALS},"by_tier":{...},
 *  "by_payment":{...},"chain_head":{"seq":N,"hash":"hex"}|null}, TOTALS being an object with
 *  sales, voids, gross, subsidy and self_pay.
 */
zc_err zc_report_to_json(const zc_report *report, json_t **out);

/* A plain-text table for people, and CSV (section,key,sales,voids,gross,subsidy,self_pay) in fen.
 */
zc_err zc_report_to_text(const zc_report *report, char **out);
zc_err zc_report_to_csv(const zc_report *report, char **out);

#endif
