/*
 * A sale, from credential to ledger: find the elder in the roster, take the rule set in force,
 * count the elder's earlier subsidised meals from the ledger, quote, and append the sale with its
 * explanation, all in one SQLite transaction. Either the elder's sale is wholly recorded, with the
 * subsidy the rules gave at that moment, or nothing is.
 */
#ifndef ZC_SELL_H
#define ZC_SELL_H

#include "zc/datadir.h"
#include "zc/ledger.h"
#include "zc/roster.h"
#include "zc/rules.h"

enum { ZC_SELL_HISTORY_DAYS = 40 }; /* covers the longest limit window (a month) with margin */

typedef struct zc_sell_request {
    zc_ident ident;         /* ZC_IDENT_ID_CARD and ZC_IDENT_MANUAL take an ID number */
    const char *credential; /* ID number, QR text or card UID */
    const char *item_code;  /* menu item, or NULL to sell `price` */
    zc_fen price;
    zc_ms at;
    zc_pay paid;
    bool delivered;
    zc_fen delivery_fee;
} zc_sell_request;

typedef struct zc_sell_result {
    zc_sale sale;   /* as recorded: seq, uuid, amounts, hash */
    zc_quote quote; /* the explanation */
    bool found;     /* the elder is in the roster */
    zc_elder elder; /* when found */
} zc_sell_result;

/*
 * Quotes and records one sale. An elder not in the roster pays full price with the reason; no
 * rule set in force means no subsidy, with that reason. Bad input (an ID number that is not one,
 * an unknown menu item, a time before the last sale) is refused and nothing is recorded.
 */
zc_err zc_sell(zc_datadir *dd, zc_ledger *ledger, const zc_sell_request *req, zc_sell_result *out,
               zc_diag *diag);

/*
 * Quotes without recording: what `sell` would charge now. Same inputs and lookups, read only.
 */
zc_err zc_sell_quote(zc_datadir *dd, const zc_sell_request *req, zc_sell_result *out,
                     zc_diag *diag);

/* Voids sale seq at `at` (its local date in the kiosk's zone), with a reason. */
zc_err zc_sell_void(zc_datadir *dd, zc_ledger *ledger, int64_t seq, const char *reason, zc_ms at,
                    zc_sale *out, zc_diag *diag);

#endif
