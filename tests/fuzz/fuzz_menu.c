/*
 * libFuzzer: menu import over any bytes, into an in-memory store holding a small menu. Each input
 * runs inside an outer transaction that is rolled back, so every input sees the same menu; a
 * refused file must leave it untouched, an accepted one must be exactly what the stats say.
 */
#include "zc/menu.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char BASE[] = "code,name,price_fen,periods\n"
                           "B01,馒头+白粥,800,breakfast\n"
                           "L01,两荤一素,1500,lunch|dinner\n"
                           "A01,青菜汤面,800,\n";

enum { BASE_ITEMS = 3 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t count(zc_store *store, const char *period, size_t *served)
{
    zc_menu_item *items;
    size_t n;
    if (zc_menu_list(store, &items, &n, NULL))
        abort();
    *served = 0;
    for (size_t i = 0; i < n; i++) {
        zc_menu_item again;
        if (items[i].price < 0 || items[i].price > ZC_MENU_PRICE_MAX ||
            zc_menu_get(store, items[i].code, &again, NULL) ||
            strcmp(again.name, items[i].name) != 0)
            abort();
        *served += zc_menu_item_in_period(&items[i], period);
    }
    free(items);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* One store for the whole run: opening and migrating per input would dominate the time. */
    static zc_store *store;
    zc_menu_import_stats stats = {0, 0, 0, 0};
    zc_diag diag = {{0}, 0};
    size_t served;
    if (!store && (zc_store_open(":memory:", NULL, &store, NULL) ||
                   zc_menu_import_csv(store, BASE, strlen(BASE), NULL, NULL)))
        abort();
    if (zc_store_begin(store, NULL))
        abort();
    zc_err err = zc_menu_import_csv(store, (const char *)data, size, &stats, &diag);
    size_t n = count(store, "lunch", &served);
    if (err == ZC_OK && ((size_t)stats.rows != n || stats.added + stats.updated != stats.rows ||
                         stats.updated + stats.removed != BASE_ITEMS))
        abort();
    if (err && (err != ZC_ERR_INVALID || diag.line < 1 || n != BASE_ITEMS || served != 2 ||
                strncmp(diag.msg, "line ", strlen("line ")) != 0))
        abort();
    zc_store_rollback(store);
    return 0;
}
