#include "zc/rulebook.h"

#include <stdio.h>
#include <string.h>

static zc_err verified_rules(const char *text, size_t len, const uint8_t *pinned, zc_rules **out,
                             zc_diag *diag)
{
    zc_bundle *b;
    zc_err err = zc_bundle_parse(text, len, &b, diag);
    if (err)
        return err;
    if (!(err = zc_bundle_verify(b, pinned, diag)))
        err = zc_rules_parse(b->payload, b->len, NULL, out, diag);
    zc_bundle_free(b);
    return err;
}

zc_err zc_rulebook_latest(zc_store *store, int64_t *version, zc_diag *diag)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(zc_store_db(store),
                                "SELECT coalesce(max(version), 0) FROM rule_set", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        *version = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? ZC_OK : zc_store_fail(store, rc, "reading the rule book", diag);
}

static zc_err insert(zc_store *store, const zc_rules *rules, const char *text, size_t len,
                     zc_ms now, zc_diag *diag)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(zc_store_db(store),
                                "INSERT INTO rule_set(version, effective_from_ms, bundle, "
                                "installed_at_ms) VALUES (?1, ?2, ?3, ?4)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, rules->version);
        sqlite3_bind_int64(st, 2, rules->effective_from);
        sqlite3_bind_blob(st, 3, text, (int)len, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, now);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? ZC_OK : zc_store_fail(store, rc, "storing the rule set", diag);
}

zc_err zc_rulebook_install(zc_store *store, const uint8_t pinned[ZC_PUBKEY_LEN],
                           const char *bundle_text, size_t len, zc_ms now, int64_t *version,
                           zc_diag *diag)
{
    zc_rules *rules;
    zc_err err = verified_rules(bundle_text, len, pinned, &rules, diag);
    if (err)
        return err;
    int64_t latest = 0;
    if ((err = zc_store_begin(store, diag))) {
        zc_rules_free(rules);
        return err;
    }
    if (!(err = zc_rulebook_latest(store, &latest, diag)) && rules->version <= latest)
        err = zc_diag_set(diag, ZC_ERR_INVALID,
                          "version: %lld is not newer than the installed version %lld",
                          (long long)rules->version, (long long)latest);
    if (!err)
        err = insert(store, rules, bundle_text, len, now, diag);
    if (!err)
        err = zc_store_commit(store, diag);
    if (err)
        zc_store_rollback(store);
    else if (version)
        *version = rules->version;
    zc_rules_free(rules);
    return err;
}

zc_err zc_rulebook_version_at(zc_store *store, zc_ms at, int64_t *version, zc_diag *diag)
{
    sqlite3_stmt *st;
    /* Latest effective_from not after the sale; among equal dates the higher version wins. */
    int rc = sqlite3_prepare_v2(zc_store_db(store),
                                "SELECT version FROM rule_set WHERE effective_from_ms <= ?1 "
                                "ORDER BY effective_from_ms DESC, version DESC LIMIT 1",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(store, rc, "reading the rule book", diag);
    sqlite3_bind_int64(st, 1, at);
    rc = sqlite3_step(st);
    zc_err err = ZC_OK;
    if (rc == SQLITE_ROW)
        *version = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE)
        err = zc_diag_set(diag, ZC_ERR_NOT_FOUND, "no rule set is in force at that time");
    else
        err = zc_store_fail(store, rc, "reading the rule book", diag);
    sqlite3_finalize(st);
    return err;
}

zc_err zc_rulebook_load(zc_store *store, const uint8_t pinned[ZC_PUBKEY_LEN], int64_t version,
                        zc_rules **out, zc_diag *diag)
{
    *out = NULL;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(zc_store_db(store),
                                "SELECT bundle FROM rule_set WHERE version = ?1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(store, rc, "reading the rule book", diag);
    sqlite3_bind_int64(st, 1, version);
    rc = sqlite3_step(st);
    zc_err err;
    if (rc == SQLITE_ROW) {
        zc_diag inner = {{0}, 0};
        err = verified_rules(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
                             pinned, out, &inner);
        if (err)
            err = zc_diag_set(diag, ZC_ERR_BROKEN, "installed rule set %lld: %s",
                              (long long)version, inner.msg);
    } else if (rc == SQLITE_DONE) {
        err = zc_diag_set(diag, ZC_ERR_NOT_FOUND, "rule set %lld is not installed",
                          (long long)version);
    } else {
        err = zc_store_fail(store, rc, "reading the rule book", diag);
    }
    sqlite3_finalize(st);
    return err;
}
