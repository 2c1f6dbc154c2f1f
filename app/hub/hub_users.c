/*
 * Console accounts and their sessions. Passwords are kept as Argon2id strings; a session cookie
 * and the enrolment codes are kept only as their SHA-256, so a copy of the database logs nobody
 * in. Login answers alike, in what and in how long, for a wrong name and a wrong password.
 */
#include "hub_impl.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum {
    TOKEN_BYTES = ZC_HUB_TOKEN_HEX / 2,
    PASSWORD_MAX = 1024, /* bytes: long passphrases welcome, megabytes of input not */
};

#define ROLE_CANTEEN_PREFIX "canteen:"

/*
 * An Argon2id hash with the interactive limits of a password nobody has. Verifying it for an
 * unknown name costs what verifying a real user's does, so timing does not tell names apart.
 */
static const char DUMMY_HASH[crypto_pwhash_STRBYTES] =
    "$argon2id$v=19$m=65536,t=2,p=1$PUVobH8m58701L7VAkWGEw$8/Ci8ti7grIxGCzXN8h1GSO/"
    "c5p7+VnvkTkfzYENFyc";

static const char *const ROLE_NAMES[] = {
    [ZC_HUB_ADMIN] = "admin", [ZC_HUB_VIEWER] = "viewer", [ZC_HUB_CANTEEN] = "canteen"};

const char *zc_hub_role_name(zc_hub_role role)
{
    return (size_t)role < sizeof ROLE_NAMES / sizeof ROLE_NAMES[0] ? ROLE_NAMES[role] : "?";
}

static zc_err role_parse(const char *text, zc_hub_role *role, char canteen[ZC_ID_MAX],
                         zc_diag *diag)
{
    canteen[0] = '\0';
    if (strcmp(text, "admin") == 0) {
        *role = ZC_HUB_ADMIN;
    } else if (strcmp(text, "viewer") == 0) {
        *role = ZC_HUB_VIEWER;
    } else if (strncmp(text, ROLE_CANTEEN_PREFIX, strlen(ROLE_CANTEEN_PREFIX)) == 0 &&
               text[strlen(ROLE_CANTEEN_PREFIX)] &&
               strlen(text + strlen(ROLE_CANTEEN_PREFIX)) < ZC_ID_MAX) {
        *role = ZC_HUB_CANTEEN;
        snprintf(canteen, ZC_ID_MAX, "%s", text + strlen(ROLE_CANTEEN_PREFIX));
    } else {
        return zc_diag_set(diag, ZC_ERR_INVALID, "role: admin, viewer or canteen:ID");
    }
    return ZC_OK;
}

static zc_err role_from_text(const char *text, zc_hub_role *role)
{
    for (size_t i = 0; i < sizeof ROLE_NAMES / sizeof ROLE_NAMES[0]; i++)
        if (text && strcmp(text, ROLE_NAMES[i]) == 0) {
            *role = (zc_hub_role)i;
            return ZC_OK;
        }
    return ZC_ERR_BROKEN;
}

typedef struct new_user {
    const char *name;
    zc_hub_role role;
    const char *canteen;
    const char *pw_hash;
} new_user;

static zc_err insert_user(zc_hub *hub, zc_hubdb_conn *conn, void *ctx, zc_diag *diag)
{
    const new_user *u = ctx;
    zc_err err;
    if (u->role == ZC_HUB_CANTEEN &&
        (err = zc_hub_canteen_find(conn, u->canteen, NULL, NULL, diag)))
        return err == ZC_ERR_NOT_FOUND
                   ? zc_diag_set(diag, ZC_ERR_INVALID, "role: there is no canteen %s", u->canteen)
                   : err;
    char now[ZC_HUB_INT_TEXT];
    const char *params[] = {u->name, zc_hub_role_name(u->role),
                            u->role == ZC_HUB_CANTEEN ? u->canteen : NULL, u->pw_hash,
                            zc_hub_int_text(zc_hub_now(hub), now)};
    return zc_hub_insert_new(conn,
                             "INSERT INTO app_user (name, role, canteen, pw_hash, created_ms) "
                             "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING",
                             params, 5, "user", diag);
}

zc_err zc_hub_user_add(zc_hub *hub, const char *name, const char *role, const char *password,
                       zc_diag *diag)
{
    char canteen[ZC_ID_MAX];
    new_user u = {.name = name, .canteen = canteen};
    if (!name || !zc_hub_text_valid(name, ZC_HUB_NAME_MAX - 1))
        return zc_diag_set(diag, ZC_ERR_INVALID,
                           "name: 1-%d bytes of UTF-8 text without control characters",
                           ZC_HUB_NAME_MAX - 1);
    if (!role)
        return zc_diag_set(diag, ZC_ERR_INVALID, "role: admin, viewer or canteen:ID");
    zc_err err = role_parse(role, &u.role, canteen, diag);
    if (err)
        return err;
    size_t len = password ? strlen(password) : 0;
    if (len < ZC_HUB_PASSWORD_MIN || len > PASSWORD_MAX)
        return zc_diag_set(diag, ZC_ERR_INVALID, "password: %d-%d bytes", ZC_HUB_PASSWORD_MIN,
                           PASSWORD_MAX);
    char pw_hash[crypto_pwhash_STRBYTES];
    /* Hashing takes a moment and much memory: done before any transaction holds a lock. */
    if (crypto_pwhash_str(pw_hash, password, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return zc_diag_set(diag, ZC_ERR_NOMEM, "hashing the password: out of memory");
    u.pw_hash = pw_hash;
    return zc_hub_transact(hub, insert_user, &u, diag);
}

static void random_hex(char out[ZC_HUB_TOKEN_HEX + 1])
{
    uint8_t bytes[TOKEN_BYTES];
    randombytes_buf(bytes, sizeof bytes);
    zc_hex_encode(bytes, sizeof bytes, out);
    sodium_memzero(bytes, sizeof bytes);
}

static zc_err fill_user(const char *name, const char *role, const char *canteen, const char *csrf,
                        zc_hub_user *user, zc_diag *diag)
{
    memset(user, 0, sizeof *user);
    if (role_from_text(role, &user->role))
        return zc_diag_set(diag, ZC_ERR_BROKEN, "user %s has an unknown role", name);
    snprintf(user->name, sizeof user->name, "%s", name);
    snprintf(user->canteen, sizeof user->canteen, "%s", canteen ? canteen : "");
    snprintf(user->csrf, sizeof user->csrf, "%s", csrf);
    return ZC_OK;
}

static zc_err start_session(zc_hub *hub, zc_hubdb_conn *conn, const char *name,
                            char token[ZC_HUB_TOKEN_HEX + 1], const char *csrf, zc_diag *diag)
{
    char token_hash[ZC_HUB_SHA256_HEX], now_text[ZC_HUB_INT_TEXT], expires[ZC_HUB_INT_TEXT];
    zc_ms now = zc_hub_now(hub);
    random_hex(token);
    zc_hub_sha256_hex(token, ZC_HUB_TOKEN_HEX, token_hash);
    /* Logging in is when old sessions are swept: no timer needed, and the table stays small. */
    const char *prune[] = {zc_hub_int_text(now, now_text)};
    zc_err err =
        zc_hubdb_exec(conn, "DELETE FROM session WHERE expires_ms <= $1", prune, 1, NULL, diag);
    const char *params[] = {token_hash, name, csrf,
                            zc_hub_int_text(now + ZC_HUB_SESSION_MS, expires)};
    if (!err)
        err = zc_hubdb_exec(conn,
                            "INSERT INTO session (token_hash, user_name, csrf, expires_ms) "
                            "VALUES ($1, $2, $3, $4)",
                            params, 4, NULL, diag);
    return err;
}

zc_err zc_hub_login(zc_hub *hub, const char *name, const char *password,
                    char token[ZC_HUB_TOKEN_HEX + 1], zc_hub_user *user, zc_diag *diag)
{
    static const char REFUSED[] = "wrong user name or password";
    token[0] = '\0';
    size_t len = password ? strlen(password) : 0;
    if (!name || !password || len > PASSWORD_MAX || strlen(name) >= ZC_HUB_NAME_MAX)
        return zc_diag_set(diag, ZC_ERR_CRYPTO, "%s", REFUSED);
    zc_hubdb_rows *rows;
    const char *params[] = {name};
    /* The hash is read on a connection given back at once: Argon2 takes a while and much memory,
     * and a pool's connections are for queries, not for waiting on it. */
    zc_err err = zc_hub_query(hub, "SELECT pw_hash, role, canteen FROM app_user WHERE name = $1",
                              params, 1, &rows, diag);
    if (err)
        return err;
    bool known = zc_hubdb_rows_count(rows) == 1 && zc_hubdb_rows_text(rows, 0, 0);
    const char *hash = known ? zc_hubdb_rows_text(rows, 0, 0) : DUMMY_HASH;
    bool match = crypto_pwhash_str_verify(hash, password, len) == 0;
    char csrf[ZC_HUB_TOKEN_HEX + 1];
    random_hex(csrf);
    if (!known || !match)
        err = zc_diag_set(diag, ZC_ERR_CRYPTO, "%s", REFUSED);
    if (!err)
        err = fill_user(name, zc_hubdb_rows_text(rows, 0, 1), zc_hubdb_rows_text(rows, 0, 2), csrf,
                        user, diag);
    zc_hubdb_rows_free(rows);
    zc_hubdb_conn *conn = NULL;
    if (!err && !(err = zc_hubdb_acquire(hub->db, &conn, diag))) {
        err = start_session(hub, conn, name, token, csrf, diag);
        zc_hubdb_release(conn);
    }
    if (err)
        token[0] = '\0';
    return err;
}

/* A token is what login handed out: 64 lower-case hex digits. Anything else is nobody's. */
static bool token_shaped(const char *token)
{
    return token && strlen(token) == ZC_HUB_TOKEN_HEX &&
           strspn(token, "0123456789abcdef") == ZC_HUB_TOKEN_HEX;
}

zc_err zc_hub_session(zc_hub *hub, const char *token, zc_hub_user *user, zc_diag *diag)
{
    if (!token_shaped(token))
        return zc_diag_set(diag, ZC_ERR_CRYPTO, "no session: log in");
    char token_hash[ZC_HUB_SHA256_HEX], now[ZC_HUB_INT_TEXT];
    zc_hub_sha256_hex(token, ZC_HUB_TOKEN_HEX, token_hash);
    const char *params[] = {token_hash, zc_hub_int_text(zc_hub_now(hub), now)};
    zc_hubdb_rows *rows;
    zc_err err = zc_hub_query(hub,
                              "SELECT u.name, u.role, u.canteen, s.csrf FROM session s "
                              "JOIN app_user u ON u.name = s.user_name "
                              "WHERE s.token_hash = $1 AND s.expires_ms > $2",
                              params, 2, &rows, diag);
    if (err)
        return err;
    if (zc_hubdb_rows_count(rows) != 1)
        err = zc_diag_set(diag, ZC_ERR_CRYPTO, "the session has ended: log in again");
    else
        err = fill_user(zc_hubdb_rows_text(rows, 0, 0), zc_hubdb_rows_text(rows, 0, 1),
                        zc_hubdb_rows_text(rows, 0, 2), zc_hubdb_rows_text(rows, 0, 3), user, diag);
    zc_hubdb_rows_free(rows);
    return err;
}

zc_err zc_hub_logout(zc_hub *hub, const char *token, zc_diag *diag)
{
    /* Ending a session that is not there leaves the same state as ending one that is. */
    if (!token_shaped(token))
        return ZC_OK;
    char token_hash[ZC_HUB_SHA256_HEX];
    zc_hub_sha256_hex(token, ZC_HUB_TOKEN_HEX, token_hash);
    const char *params[] = {token_hash};
    zc_hubdb_conn *conn;
    zc_err err = zc_hubdb_acquire(hub->db, &conn, diag);
    if (err)
        return err;
    err = zc_hubdb_exec(conn, "DELETE FROM session WHERE token_hash = $1", params, 1, NULL, diag);
    zc_hubdb_release(conn);
    return err;
}
