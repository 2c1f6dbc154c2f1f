/*
 * Canteens: the places kiosks sell for. Their ids travel in file names, URLs and kiosk settings,
 * their region decides home-district rules, their zone which local date a sale belongs to.
 */
#include "hub_impl.h"

#include "zc/roster.h"
#include "zc/tz.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum { REGION_DIGITS_MIN = 2, REGION_DIGITS_MAX = ZC_REGION_MAX - 1, CANTEEN_NAME_MAX = 128 };

static bool valid_canteen_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= ZC_ID_MAX)
        return false;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static bool valid_region(const char *s)
{
    size_t n = strlen(s);
    if (n == 0)
        return true;
    return n >= REGION_DIGITS_MIN && n <= REGION_DIGITS_MAX && strspn(s, "0123456789") == n;
}

static void copy_text(char *dst, const char *src)
{
    if (dst)
        snprintf(dst, ZC_ID_MAX, "%s", src ? src : "");
}

zc_err zc_hub_canteen_find(zc_hubdb_conn *conn, const char *id, char *region, char *timezone,
                           zc_diag *diag)
{
    if (!id || strlen(id) >= ZC_ID_MAX)
        return zc_diag_set(diag, ZC_ERR_INVALID, "canteen: not a canteen id");
    const char *params[] = {id};
    zc_hubdb_rows *rows;
    zc_err err = zc_hubdb_query(conn, "SELECT region, timezone FROM canteen WHERE id = $1", params,
                                1, &rows, diag);
    if (err)
        return err;
    if (zc_hubdb_rows_count(rows) == 0) {
        err = zc_diag_set(diag, ZC_ERR_NOT_FOUND, "there is no canteen %s", id);
    } else {
        copy_text(region, zc_hubdb_rows_text(rows, 0, 0));
        copy_text(timezone, zc_hubdb_rows_text(rows, 0, 1));
    }
    zc_hubdb_rows_free(rows);
    return err;
}

zc_err zc_hub_canteen_acquire(zc_hub *hub, const char *canteen, zc_hubdb_conn **conn, zc_diag *diag)
{
    zc_err err = zc_hubdb_acquire(hub->db, conn, diag);
    if (!err && (err = zc_hub_canteen_find(*conn, canteen, NULL, NULL, diag))) {
        zc_hubdb_release(*conn);
        *conn = NULL;
    }
    return err;
}

typedef struct canteen_row {
    const char *id, *name, *region, *timezone;
} canteen_row;

static zc_err insert_canteen(zc_hub *hub, zc_hubdb_conn *conn, void *ctx, zc_diag *diag)
{
    const canteen_row *c = ctx;
    char now[ZC_HUB_INT_TEXT];
    const char *params[] = {c->id, c->name, c->region, c->timezone,
                            zc_hub_int_text(zc_hub_now(hub), now)};
    return zc_hub_insert_new(conn,
                             "INSERT INTO canteen (id, name, region, timezone, created_ms) "
                             "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
                             params, 5, "canteen", diag);
}

zc_err zc_hub_canteen_add(zc_hub *hub, const char *id, const char *name, const char *region,
                          const char *timezone, zc_diag *diag)
{
    canteen_row c = {id, name, region ? region : "",
                     timezone && *timezone ? timezone : ZC_TZ_DEFAULT};
    if (!id || !valid_canteen_id(id))
        return zc_diag_set(diag, ZC_ERR_INVALID,
                           "id: a canteen id is 1-%d of A-Z, a-z, 0-9, '_' and '-'", ZC_ID_MAX - 1);
    if (!name || !zc_hub_text_valid(name, CANTEEN_NAME_MAX))
        return zc_diag_set(diag, ZC_ERR_INVALID,
                           "name: 1-%d bytes of UTF-8 text without control characters",
                           CANTEEN_NAME_MAX);
    if (!valid_region(c.region))
        return zc_diag_set(diag, ZC_ERR_INVALID, "region: %d-%d digits, or empty",
                           REGION_DIGITS_MIN, REGION_DIGITS_MAX);
    /* Kiosks keep the zone name in a ZC_ID_MAX field; the zone must also exist here. */
    zc_tz *tz = NULL;
    zc_diag tzd = {{0}, 0};
    if (strlen(c.timezone) >= ZC_ID_MAX || zc_tz_open(NULL, c.timezone, &tz, &tzd) != ZC_OK)
        return zc_diag_set(diag, ZC_ERR_INVALID, "timezone: %s is not a known zone (%s)",
                           strlen(c.timezone) < ZC_ID_MAX ? c.timezone : "a long name",
                           tzd.msg[0] ? tzd.msg : "name too long");
    zc_tz_free(tz);
    return zc_hub_transact(hub, insert_canteen, &c, diag);
}

static zc_err canteen_json(const zc_hubdb_rows *rows, size_t r, json_t **out, zc_diag *diag)
{
    (void)diag;
    *out = json_pack("{s:s?,s:s?,s:s?,s:s?,s:I}", "id", zc_hubdb_rows_text(rows, r, 0), "name",
                     zc_hubdb_rows_text(rows, r, 1), "region", zc_hubdb_rows_text(rows, r, 2),
                     "timezone", zc_hubdb_rows_text(rows, r, 3), "menu_version",
                     (json_int_t)zc_hubdb_rows_int(rows, r, 4));
    return ZC_OK;
}

zc_err zc_hub_canteens(zc_hub *hub, json_t **out, zc_diag *diag)
{
    return zc_hub_query_list(
        hub, "SELECT id, name, region, timezone, menu_version FROM canteen ORDER BY id", NULL, 0,
        canteen_json, out, diag);
}
