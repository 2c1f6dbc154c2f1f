/*
 * libFuzzer: a menu as the hub sends it. A menu the reader accepts passes the menu checks, comes
 * back the same through JSON and applies to an in-memory kiosk store as exactly its items (inside
 * a transaction rolled back after each input); a refused one names its key and hands nothing over.
 */
#include "zc/syncwire.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_or_abort(const zc_menu_item *a, const zc_menu_item *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(a[i].code, b[i].code) != 0 || strcmp(a[i].name, b[i].name) != 0 ||
            a[i].price != b[i].price || strcmp(a[i].periods, b[i].periods) != 0)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static zc_store *store;
    zc_menu_item *items, *back, *listed;
    size_t n, back_n, listed_n;
    int64_t version, back_version;
    bool changed, back_changed;
    zc_diag diag = {{0}, 0};
    if (!store && zc_store_open(":memory:", NULL, &store, NULL))
        abort();
    json_t *o = json_loadb((const char *)data, size, 0, NULL);
    if (!o)
        return 0;
    zc_err err = zc_syncwire_menu_from_json(o, &version, &items, &n, &changed, &diag);
    json_decref(o);
    if (err) {
        if (err != ZC_ERR_INVALID || !diag.msg[0] || items || n || changed)
            abort();
        return 0;
    }
    if (!changed) {
        if (items || n)
            abort();
        return 0;
    }
    json_t *again;
    if (zc_menu_items_check(items, n, NULL) ||
        zc_syncwire_menu_to_json(version, items, n, &again) ||
        zc_syncwire_menu_from_json(again, &back_version, &back, &back_n, &back_changed, NULL) ||
        back_version != version || back_n != n || !back_changed)
        abort();
    json_decref(again);
    same_or_abort(items, back, n);
    free(back);
    if (zc_store_begin(store, NULL) || zc_syncwire_menu_apply(store, items, n, version, &diag) ||
        zc_menu_list(store, &listed, &listed_n, NULL) || listed_n != n)
        abort();
    free(listed);
    zc_store_rollback(store);
    free(items);
    return 0;
}
