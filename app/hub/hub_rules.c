/*
 * The hub's subsidy rules: publishing a rule set as a signed bundle, and handing bundles out.
 *
 * A rule set is validated by the kiosk's own parser before anything is stored, so the hub never
 * publishes what a kiosk would refuse. The bundle signs the exact bytes published; the hub stores
 * the bundle text and sends it as it is, never re-encoded. Versions only grow: publishers take the
 * "rules" lock, so two hubs publishing at once cannot both take one version.
 */
#include "hub_impl.h"

#include "zc/bundle.h"
#include "zc/rules.h"
#include "zc/tz.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char MS_ZERO[] = ".000"; /* what zc_time_format_iso8601 writes for whole seconds */

static zc_err nomem(zc_diag *diag)
{
    return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory handling rules");
}

/*
 * "2026-01-01T00:00:00+08:00" in the rule set's own zone, as administrators write it (README in
 * assets/rules); whole seconds without the ".000".
 */
static void format_effective(const json_t *root, zc_ms at, char buf[ZC_ISO8601_MAX])
{
    const char *name = json_string_value(json_object_get(root, "timezone"));
    zc_tz *tz = NULL;
    int32_t offset = 0;
    /* A bad zone gets offset 0 here; the parser then refuses the set and names the zone. */
    if (zc_tz_open(NULL, name ? name : ZC_TZ_DEFAULT, &tz, NULL) == ZC_OK)
        offset = zc_tz_offset(tz, at);
    zc_tz_free(tz);
    zc_time_format_iso8601(at, offset, buf, ZC_ISO8601_MAX);
    char *frac = strstr(buf, MS_ZERO);
    if (frac)
        memmove(frac, frac + strlen(MS_ZERO), strlen(frac + strlen(MS_ZERO)) + 1);
}

/*
 * The rule set's text with effective_from replaced. Text that is not a JSON object is returned
 * as it is (*out NULL), so that the parser reports what is wrong with it.
 */
static zc_err override_effective(const char *text, size_t len, zc_ms at, char **out, zc_diag *diag)
{
    *out = NULL;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(root)) {
        json_decref(root);
        return ZC_OK;
    }
    char when[ZC_ISO8601_MAX];
    format_effective(root, at, when);
    zc_err err = ZC_OK;
    if (json_object_set_new(root, "effective_from", json_string(when)))
        err = nomem(diag);
    /* jansson keeps the keys in the order written, so the set still reads as its author wrote. */
    if (!err && !(*out = json_dumps(root, JSON_INDENT(2))))
        err = nomem(diag);
    json_decref(root);
    return err;
}

static zc_err latest_version(zc_hubdb_conn *conn, int64_t *out, zc_diag *diag)
{
    zc_hubdb_rows *rows;
    zc_err err = zc_hubdb_query(conn, "SELECT COALESCE(MAX(version), 0) FROM rule_set", NULL, 0,
                                &rows, diag);
    if (err)
        return err;
    *out = zc_hubdb_rows_int(rows, 0, 0);
    zc_hubdb_rows_free(rows);
    return ZC_OK;
}

static zc_err store_bundle(zc_hub *hub, const zc_rules *rules, const char *bundle, const char *by,
                           zc_diag *diag)
{
    zc_hubdb_conn *conn;
    zc_err err = zc_hubdb_acquire(hub->db, &conn, diag);
    if (err)
        return err;
    int64_t latest = 0;
    char version[ZC_HUB_INT_TEXT], effective[ZC_HUB_INT_TEXT], now[ZC_HUB_INT_TEXT];
    const char *params[] = {zc_hub_int_text(rules->version, version),
                            zc_hub_int_text(rules->effective_from, effective), bundle,
                            zc_hub_int_text(zc_hub_now(hub), now), by ? by : ""};
    if (!(err = zc_hubdb_begin(conn, diag)) && !(err = zc_hubdb_lock(conn, "rules", diag)) &&
        !(err = latest_version(conn, &latest, diag))) {
        if (rules->version <= latest)
            err =
                zc_diag_set(diag, ZC_ERR_INVALID,
                            "version: %" PRId64 " is not newer than the published version %" PRId64,
                            rules->version, latest);
        else if (!(err = zc_hubdb_exec(conn,
                                       "INSERT INTO rule_set (version, effective_from_ms, bundle,"
                                       " published_ms, published_by)"
                                       " VALUES (CAST($1 AS BIGINT), CAST($2 AS BIGINT), $3,"
                                       " CAST($4 AS BIGINT), $5)",
                                       params, 5, NULL, diag)))
            err = zc_hubdb_commit(conn, diag);
    }
    if (err)
        zc_hubdb_rollback(conn);
    zc_hubdb_release(conn);
    return err;
}

zc_err zc_hub_rules_publish(zc_hub *hub, const char *rules_text, size_t len, zc_ms effective_from,
                            const char *by, int64_t *version, zc_ms *effective, zc_diag *diag)
{
    char *rewritten = NULL, *bundle = NULL;
    zc_rules *rules = NULL;
    zc_err err = ZC_OK;
    if (!rules_text)
        return zc_diag_set(diag, ZC_ERR_INVALID, "rules: missing");
    if (effective_from >= 0 &&
        (err = override_effective(rules_text, len, effective_from, &rewritten, diag)))
        return err;
    const char *text = rewritten ? rewritten : rules_text;
    size_t text_len = rewritten ? strlen(rewritten) : len;
    if (!(err = zc_rules_parse(text, text_len, NULL, &rules, diag)) &&
        !(err = zc_bundle_sign(&hub->rules_key, text, text_len, &bundle, diag)) &&
        !(err = store_bundle(hub, rules, bundle, by, diag))) {
        if (version)
            *version = rules->version;
        if (effective)
            *effective = rules->effective_from;
    }
    zc_rules_free(rules);
    free(bundle);
    free(rewritten);
    return err;
}

/* The rule set inside a stored bundle, as JSON. */
static json_t *bundle_rules(const char *text)
{
    zc_bundle *b;
    if (!text || zc_bundle_parse(text, strlen(text), &b, NULL))
        return NULL;
    json_t *rules = json_loadb(b->payload, b->len, 0, NULL);
    zc_bundle_free(b);
    return rules;
}

static zc_err broken_bundle(const zc_hubdb_rows *rows, size_t r, zc_diag *diag)
{
    return zc_diag_set(diag, ZC_ERR_DB, "rule set %" PRId64 ": the stored bundle is broken",
                       zc_hubdb_rows_int(rows, r, 0));
}

/* A row of the console's list: version, effective_from_ms, published_ms, published_by, bundle. */
static zc_err set_json(const zc_hubdb_rows *rows, size_t r, json_t **out, zc_diag *diag)
{
    json_t *rules = bundle_rules(zc_hubdb_rows_text(rows, r, 4));
    if (!rules)
        return broken_bundle(rows, r, diag);
    *out = json_pack("{s:I,s:I,s:I,s:s?,s:o}", "version", (json_int_t)zc_hubdb_rows_int(rows, r, 0),
                     "effective_from_ms", (json_int_t)zc_hubdb_rows_int(rows, r, 1), "published_ms",
                     (json_int_t)zc_hubdb_rows_int(rows, r, 2), "published_by",
                     zc_hubdb_rows_text(rows, r, 3), "rules", rules);
    return ZC_OK;
}

zc_err zc_hub_rules_list(zc_hub *hub, json_t **out, zc_diag *diag)
{
    return zc_hub_query_list(hub,
                             "SELECT version, effective_from_ms, published_ms, published_by, bundle"
                             " FROM rule_set ORDER BY version DESC",
                             NULL, 0, set_json, out, diag);
}

/* A stored bundle (version, bundle) as the kiosks get it. */
static zc_err bundle_json(const zc_hubdb_rows *rows, size_t r, json_t **out, zc_diag *diag)
{
    const char *text = zc_hubdb_rows_text(rows, r, 1);
    *out = text ? json_loads(text, 0, NULL) : NULL;
    return *out ? ZC_OK : broken_bundle(rows, r, diag);
}

zc_err zc_hub_rules_after(zc_hub *hub, int64_t after, json_t **out, zc_diag *diag)
{
    char v[ZC_HUB_INT_TEXT];
    const char *params[] = {zc_hub_int_text(after, v)};
    return zc_hub_query_list(
        hub,
        "SELECT version, bundle FROM rule_set WHERE version > CAST($1 AS BIGINT)"
        " ORDER BY version",
        params, 1, bundle_json, out, diag);
}
