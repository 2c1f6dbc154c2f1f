/*
 * Canteen menus on the hub: an administrator's CSV replaces a canteen's menu, and kiosks pull it.
 *
 * The menu is checked by the kiosk's own CSV reader and stored as the JSON items the kiosks
 * receive, so what a kiosk gets is exactly what was checked. Each import bumps the canteen's menu
 * version, which is how a kiosk knows its copy is old.
 */
#include "hub_impl.h"

#include "zc/menu.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static zc_err nomem(zc_diag *diag)
{
    return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory handling a menu");
}

/* The items as zc_syncwire_menu_to_json writes them, as compact JSON text. */
static zc_err items_text(const zc_menu_item *items, size_t n, char **out, zc_diag *diag)
{
    json_t *menu;
    zc_err err = zc_syncwire_menu_to_json(0, items, n, &menu);
    if (err)
        return zc_diag_set(diag, err, "menu: %s", zc_err_str(err));
    json_t *list = json_object_get(menu, "items");
    *out = json_is_array(list) ? json_dumps(list, JSON_COMPACT) : NULL;
    json_decref(menu);
    return *out ? ZC_OK : nomem(diag);
}

zc_err zc_hub_menu_import(zc_hub *hub, const char *canteen, const char *csv, size_t len,
                          int64_t *version, int64_t *rows, zc_diag *diag)
{
    zc_menu_item *items = NULL;
    size_t n = 0;
    char *text = NULL;
    zc_err err = zc_menu_parse_csv(csv, len, &items, &n, diag);
    if (!err)
        err = items_text(items, n, &text, diag);
    free(items);
    if (err)
        return err;
    zc_hubdb_conn *conn;
    zc_hubdb_rows *res = NULL;
    const char *params[] = {text, canteen ? canteen : ""};
    if (!(err = zc_hubdb_acquire(hub->db, &conn, diag))) {
        /* One statement: the new items and the next version go in together. */
        err = zc_hubdb_query(conn,
                             "UPDATE canteen SET menu_items = $1, menu_version = menu_version + 1"
                             " WHERE id = $2 RETURNING menu_version",
                             params, 2, &res, diag);
        zc_hubdb_release(conn);
    }
    free(text);
    if (!err && zc_hubdb_rows_count(res) == 0)
        err = zc_diag_set(diag, ZC_ERR_NOT_FOUND, "canteen: no canteen %.64s",
                          canteen ? canteen : "");
    if (!err) {
        if (version)
            *version = zc_hubdb_rows_int(res, 0, 0);
        if (rows)
            *rows = (int64_t)n;
    }
    zc_hubdb_rows_free(res);
    return err;
}

zc_err zc_hub_menu_get(zc_hub *hub, const char *canteen, int64_t *version, json_t **items,
                       zc_diag *diag)
{
    zc_hubdb_conn *conn;
    zc_hubdb_rows *res = NULL;
    const char *params[] = {canteen ? canteen : ""};
    zc_err err = zc_hubdb_acquire(hub->db, &conn, diag);
    if (err)
        return err;
    err = zc_hubdb_query(conn, "SELECT menu_version, menu_items FROM canteen WHERE id = $1", params,
                         1, &res, diag);
    zc_hubdb_release(conn);
    if (err)
        return err;
    if (zc_hubdb_rows_count(res) == 0) {
        zc_hubdb_rows_free(res);
        return zc_diag_set(diag, ZC_ERR_NOT_FOUND, "canteen: no canteen %.64s",
                           canteen ? canteen : "");
    }
    const char *text = zc_hubdb_rows_text(res, 0, 1);
    json_t *list = text ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_array(list)) {
        json_decref(list);
        err = zc_diag_set(diag, ZC_ERR_DB, "canteen %.64s: the stored menu is broken", canteen);
    } else {
        if (version)
            *version = zc_hubdb_rows_int(res, 0, 0);
        *items = list;
    }
    zc_hubdb_rows_free(res);
    return err;
}
