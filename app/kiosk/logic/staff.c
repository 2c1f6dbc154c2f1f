/*
 * Staff PINs (staff.h): hashed with libsodium's crypto_pwhash_str, checked with
 * crypto_pwhash_str_verify, which compares in constant time.
 */
#include "staff.h"

#include <sodium.h>
#include <string.h>

static const char *role_name(zc_role_staff r)
{
    return r == ZC_STAFF_MANAGER ? "manager" : "staff";
}

/*
 * Argon2id cost for PINs. libsodium's "interactive" level takes 64 MiB, the kiosk's whole memory
 * budget (DESIGN: under 64 MB with the CJK font). A PIN has only a few digits, so what protects it
 * is the lockout after wrong tries; the hash keeps PINs from being read off a stolen card. 16 MiB
 * and three passes keep that, and a check still takes well under a second on a small board.
 */
enum { PIN_HASH_OPSLIMIT = 3, PIN_HASH_MEMLIMIT = 16 * 1024 * 1024 };

static zc_err hash_pin(const char *pin, char out[crypto_pwhash_STRBYTES], zc_diag *diag)
{
    if (sodium_init() < 0)
        return zc_diag_set(diag, ZC_ERR_CRYPTO, "libsodium could not start");
    if (crypto_pwhash_str(out, pin, strlen(pin), PIN_HASH_OPSLIMIT, PIN_HASH_MEMLIMIT) != 0)
        return zc_diag_set(diag, ZC_ERR_NOMEM, "hashing a PIN: out of memory");
    return ZC_OK;
}

static zc_err insert(zc_store *store, const char *name, zc_role_staff role, const char *hash,
                     zc_ms now, zc_diag *diag)
{
    sqlite3_stmt *st;
    int rc =
        sqlite3_prepare_v2(zc_store_db(store),
                           "INSERT INTO staff(name, role, pin_hash, is_default, changed_at_ms) "
                           "VALUES (?1, ?2, ?3, 1, ?4)",
                           -1, &st, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(store, rc, "adding a staff account", diag);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, role_name(role), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? ZC_OK : zc_store_fail(store, rc, "adding a staff account", diag);
}

static zc_err count_accounts(zc_store *store, int64_t *n, zc_diag *diag)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(zc_store_db(store), "SELECT COUNT(*) FROM staff", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(store, rc, "counting staff accounts", diag);
    rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? ZC_OK : zc_store_fail(store, rc, "counting staff accounts", diag);
}

zc_err zc_staff_seed(zc_store *store, zc_ms now, bool *seeded, zc_diag *diag)
{
    if (seeded)
        *seeded = false;
    int64_t n = 0;
    zc_err err = count_accounts(store, &n, diag);
    if (err || n > 0)
        return err;
    /* Hash before taking the write lock: hashing is slow on purpose, and a sale may be waiting. */
    char clerk[crypto_pwhash_STRBYTES], manager[crypto_pwhash_STRBYTES];
    if ((err = hash_pin(ZC_STAFF_DEFAULT_PIN, clerk, diag)) ||
        (err = hash_pin(ZC_STAFF_DEFAULT_MANAGER_PIN, manager, diag)))
        return err;
    if ((err = zc_store_begin(store, diag)))
        return err;
    /* Someone else may have seeded in between: seed only a table that is still empty. */
    if (!(err = count_accounts(store, &n, diag)) && n == 0 &&
        !(err = insert(store, "staff", ZC_STAFF_CLERK, clerk, now, diag)) &&
        !(err = insert(store, "manager", ZC_STAFF_MANAGER, manager, now, diag)) && seeded)
        *seeded = true;
    if (!err)
        err = zc_store_commit(store, diag);
    if (err) {
        zc_store_rollback(store);
        if (seeded)
            *seeded = false;
    }
    return err;
}

zc_err zc_staff_check_pin(zc_store *store, const char *pin, zc_role_staff least,
                          zc_staff_check *out, zc_diag *diag)
{
    memset(out, 0, sizeof *out);
    if (sodium_init() < 0)
        return zc_diag_set(diag, ZC_ERR_CRYPTO, "libsodium could not start");
    sqlite3_stmt *st;
    /* Managers first: a manager's PIN logs in as manager even where a clerk's would do. */
    int rc = sqlite3_prepare_v2(zc_store_db(store),
                                "SELECT role, pin_hash, is_default FROM staff "
                                "WHERE ?1 = 0 OR role = 'manager' "
                                "ORDER BY role = 'manager' DESC, id",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(store, rc, "reading staff accounts", diag);
    sqlite3_bind_int(st, 1, least == ZC_STAFF_MANAGER);
    size_t len = strlen(pin);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *role = (const char *)sqlite3_column_text(st, 0);
        const char *hash = (const char *)sqlite3_column_text(st, 1);
        if (!role || !hash)
            continue;
        if (crypto_pwhash_str_verify(hash, pin, len) == 0) {
            out->ok = true;
            out->role = strcmp(role, "manager") == 0 ? ZC_STAFF_MANAGER : ZC_STAFF_CLERK;
            out->is_default = sqlite3_column_int(st, 2) != 0;
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? ZC_OK : zc_store_fail(store, rc, "reading staff accounts", diag);
}

zc_err zc_staff_set_pin(zc_store *store, zc_role_staff role, const char *pin, zc_ms now,
                        zc_diag *diag)
{
    size_t len = strlen(pin);
    if (len < ZC_MACHINE_PIN_MIN || len > ZC_MACHINE_PIN_MAX || strspn(pin, "0123456789") != len)
        return zc_diag_set(diag, ZC_ERR_INVALID, "a PIN is %d to %d digits", ZC_MACHINE_PIN_MIN,
                           ZC_MACHINE_PIN_MAX);
    if (role != ZC_STAFF_CLERK && role != ZC_STAFF_MANAGER)
        return zc_diag_set(diag, ZC_ERR_INVALID, "no such staff role");
    char hash[crypto_pwhash_STRBYTES];
    zc_err err = hash_pin(pin, hash, diag);
    if (err)
        return err;
    sqlite3_stmt *st;
    int rc =
        sqlite3_prepare_v2(zc_store_db(store),
                           "UPDATE staff SET pin_hash = ?1, is_default = 0, changed_at_ms = ?2 "
                           "WHERE role = ?3",
                           -1, &st, NULL);
    if (rc != SQLITE_OK) {
        sodium_memzero(hash, sizeof hash);
        return zc_store_fail(store, rc, "changing a PIN", diag);
    }
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_text(st, 3, role_name(role), -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    int changed = sqlite3_changes(zc_store_db(store));
    sqlite3_finalize(st);
    sodium_memzero(hash, sizeof hash);
    if (rc != SQLITE_DONE)
        return zc_store_fail(store, rc, "changing a PIN", diag);
    if (changed == 0)
        return zc_diag_set(diag, ZC_ERR_NOT_FOUND, "no %s account", role_name(role));
    return ZC_OK;
}
