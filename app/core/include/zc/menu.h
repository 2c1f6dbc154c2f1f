/*
 * The canteen's menu: the dishes the kiosk offers, with their prices and the meal periods they are
 * served in.
 *
 * The administrator keeps the menu as a CSV file (or on the hub, which sends the same rows), and
 * an import replaces the whole menu in one transaction: the file is the menu, items it does not
 * list are gone, and a file with any bad row changes nothing. Prices are whole fen. The kiosk
 * shows the items of the current meal period (zc_menu_item_in_period) and a sale records the
 * item's price.
 */
#ifndef ZC_MENU_H
#define ZC_MENU_H

#include "zc/err.h"
#include "zc/money.h"
#include "zc/store.h"

#include <stdbool.h>
#include <stddef.h>

/* The dearest item a menu may hold: ¥1,000,000.00, far above any meal, well inside a receipt. */
#define ZC_MENU_PRICE_MAX INT64_C(100000000)

enum {
    ZC_MENU_CODE_MAX = 33,      /* 1-32 of [A-Za-z0-9_-], with the NUL */
    ZC_MENU_NAME_MAX = 128,     /* bytes of UTF-8, with the NUL */
    ZC_MENU_PERIODS_MAX = 256,  /* '|'-separated period ids, with the NUL */
    ZC_MENU_PERIOD_ID_MAX = 63, /* bytes of one period id, as rule sets allow (ZC_ID_MAX - 1) */
    ZC_MENU_ITEMS_MAX = 1000,   /* items in one menu: a screen shows a few dozen at most */
};

typedef struct zc_menu_item {
    char code[ZC_MENU_CODE_MAX];
    char name[ZC_MENU_NAME_MAX];
    zc_fen price;
    char periods[ZC_MENU_PERIODS_MAX]; /* "breakfast|lunch"; "" for every period */
} zc_menu_item;

typedef struct zc_menu_import_stats {
    long rows;    /* items in the new menu */
    long added;   /* codes the old menu did not have */
    long updated; /* codes the old menu had (their name, price or periods may be unchanged) */
    long removed; /* codes of the old menu the file does not list */
} zc_menu_import_stats;

/*
 * Replaces the menu with CSV text whose header is exactly code,name,price_fen,periods (spaces
 * around the names tolerated; a byte-order mark and CRLF are fine). Each row:
 *   code       1-32 of [A-Za-z0-9_-], once in the file (ignoring case: staff type codes and
 *              scanners differ in case, so "a1" and "A1" would be one item to them)
 *   name       UTF-8 without control characters, not blank, at most 127 bytes
 *   price_fen  a whole number of fen, digits only: 1250 for ¥12.50; at most ZC_MENU_PRICE_MAX
 *   periods    meal period ids ([a-z0-9_]+) separated by '|', each once; empty: every period
 * Period ids are not checked against the rule set: rules change on their own schedule, and an
 * item whose period no rule set defines is simply never shown in a period.
 *
 * A header alone empties the menu (the kiosk then sells by amount only). At most
 * ZC_MENU_ITEMS_MAX rows. On any error nothing changes and diag says "line N: FIELD: reason" with
 * diag->line = N, for the first bad line of the file. stats may be NULL.
 */
zc_err zc_menu_import_csv(zc_store *store, const char *data, size_t len,
                          zc_menu_import_stats *stats, zc_diag *diag);

/*
 * Parses and checks menu CSV text exactly as zc_menu_import_csv does, without a store (for the
 * hub, which keeps each canteen's menu itself). *items is malloc'd (NULL for a header alone).
 */
zc_err zc_menu_parse_csv(const char *data, size_t len, zc_menu_item **items, size_t *n,
                         zc_diag *diag);

/* Checks one item as a CSV row would be checked (for items arriving as JSON); diag names the
 * field. */
zc_err zc_menu_item_check(const zc_menu_item *item, zc_diag *diag);

/*
 * Checks a whole menu that did not come from a CSV file: each item as zc_menu_item_check does, no
 * code twice (ignoring case), at most ZC_MENU_ITEMS_MAX items. diag says "items[I]: FIELD: reason".
 */
zc_err zc_menu_items_check(const zc_menu_item *items, size_t n, zc_diag *diag);

/* The item with exactly this code; ZC_ERR_NOT_FOUND "no menu item CODE" when there is none. */
zc_err zc_menu_get(zc_store *store, const char *code, zc_menu_item *out, zc_diag *diag);

/*
 * Every item, in code order (administrators order the screen by their codes: B01, B02, L01 ...).
 * *items is malloc'd and the caller frees it; an empty menu gives NULL and 0.
 */
zc_err zc_menu_list(zc_store *store, zc_menu_item **items, size_t *n, zc_diag *diag);

/*
 * Whether the item is served in the meal period with this id: always for an item with no periods,
 * else when the id is one of its periods. Outside every period (period NULL or "") only items with
 * no periods are served.
 */
bool zc_menu_item_in_period(const zc_menu_item *item, const char *period);

#endif
