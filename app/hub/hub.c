#include "hub_impl.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * The hub's own keys live in hub_meta as base64: the rules-signing key by its seed (as a kiosk's
 * secret.key holds one), the region key as it is. They are made by whichever hub first opens a
 * new database; every other hub reads the same ones.
 */
#define META_RULES_SEED "rules_seed"
#define META_REGION_KEY "region_key"
#define KEYS_LOCK "keys"

enum { NS_PER_MS = 1000000 };

const char *zc_hub_int_text(int64_t v, char buf[ZC_HUB_INT_TEXT])
{
    snprintf(buf, ZC_HUB_INT_TEXT, "%" PRId64, v);
    return buf;
}

void zc_hub_sha256_hex(const void *bytes, size_t len, char out[ZC_HUB_SHA256_HEX])
{
    uint8_t digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, bytes, len);
    zc_hex_encode(digest, sizeof digest, out);
}

zc_err zc_hub_transact(zc_hub *hub, zc_hub_tx_fn fn, void *ctx, zc_diag *diag)
{
    zc_hubdb_conn *conn;
    zc_err err = zc_hubdb_acquire(hub->db, &conn, diag);
    if (err)
        return err;
    if (!(err = zc_hubdb_begin(conn, diag))) {
        if ((err = fn(hub, conn, ctx, diag)) || (err = zc_hubdb_commit(conn, diag)))
            zc_hubdb_rollback(conn);
    }
    zc_hubdb_release(conn);
    return err;
}

zc_err zc_hub_query(zc_hub *hub, const char *sql, const char *const *params, int n,
                    zc_hubdb_rows **rows, zc_diag *diag)
{
    zc_hubdb_conn *conn;
    zc_err err = zc_hubdb_acquire(hub->db, &conn, diag);
    if (err)
        return err;
    err = zc_hubdb_query(conn, sql, params, n, rows, diag);
    zc_hubdb_release(conn);
    return err;
}

zc_err zc_hub_query_list(zc_hub *hub, const char *sql, const char *const *params, int n,
                         zc_hub_row_json_fn row_json, json_t **out, zc_diag *diag)
{
    *out = NULL;
    zc_hubdb_rows *rows;
    zc_err err = zc_hub_query(hub, sql, params, n, &rows, diag);
    if (err)
        return err;
    json_t *list = json_array();
    if (!list)
        err = zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory listing");
    for (size_t r = 0; !err && r < zc_hubdb_rows_count(rows); r++) {
        json_t *o = NULL;
        if (!(err = row_json(rows, r, &o, diag)) && (!o || json_array_append_new(list, o)))
            err = zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory listing");
    }
    zc_hubdb_rows_free(rows);
    if (err) {
        json_decref(list);
        return err;
    }
    *out = list;
    return ZC_OK;
}

zc_err zc_hub_insert_new(zc_hubdb_conn *conn, const char *sql, const char *const *params, int n,
                         const char *what, zc_diag *diag)
{
    int64_t changes = 0;
    zc_err err = zc_hubdb_exec(conn, sql, params, n, &changes, diag);
    if (!err && changes == 0)
        err = zc_diag_set(diag, ZC_ERR_EXISTS, "%s %s exists already", what, params[0]);
    return err;
}

/* Offers a freshly made value for key; the first one stored wins and every hub reads that one. */
static zc_err offer_secret(zc_hubdb_conn *conn, const char *key, const uint8_t *fresh, size_t n,
                           uint8_t *out, zc_diag *diag)
{
    char b64[ZC_B64_SIZE(ZC_SECKEY_LEN)];
    zc_b64_encode(fresh, n, b64);
    const char *params[] = {key, b64};
    zc_err err = zc_hubdb_exec(conn,
                               "INSERT INTO hub_meta (key, value) VALUES ($1, $2) "
                               "ON CONFLICT (key) DO NOTHING",
                               params, 2, NULL, diag);
    sodium_memzero(b64, sizeof b64);
    if (err)
        return err;
    zc_hubdb_rows *rows;
    if ((err = zc_hubdb_query(conn, "SELECT value FROM hub_meta WHERE key = $1", params, 1, &rows,
                              diag)))
        return err;
    const char *text = zc_hubdb_rows_count(rows) == 1 ? zc_hubdb_rows_text(rows, 0, 0) : NULL;
    if (!text || zc_b64_decode(text, strlen(text), out, n))
        err = zc_diag_set(diag, ZC_ERR_BROKEN, "hub_meta %s is not a base64 key of %zu bytes", key,
                          n);
    zc_hubdb_rows_free(rows);
    return err;
}

static zc_err load_keys(zc_hub *hub, zc_hubdb_conn *conn, void *ctx, zc_diag *diag)
{
    (void)ctx;
    zc_keypair fresh;
    uint8_t seed[ZC_SEED_LEN], region[ZC_REGION_KEY_LEN];
    zc_err err = zc_hubdb_lock(conn, KEYS_LOCK, diag);
    if (!err && (err = zc_keys_generate(&fresh)))
        zc_diag_set(diag, err, "making the rules signing key");
    if (!err) {
        crypto_sign_ed25519_sk_to_seed(seed, fresh.sk);
        randombytes_buf(region, sizeof region);
        err = offer_secret(conn, META_RULES_SEED, seed, sizeof seed, seed, diag);
    }
    if (!err)
        err = offer_secret(conn, META_REGION_KEY, region, sizeof region, hub->region_key, diag);
    if (!err && crypto_sign_seed_keypair(hub->rules_key.pk, hub->rules_key.sk, seed) != 0)
        err = zc_diag_set(diag, ZC_ERR_CRYPTO, "deriving the rules signing key");
    sodium_memzero(&fresh, sizeof fresh);
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(region, sizeof region);
    return err;
}

zc_err zc_hub_open(const zc_hub_opts *opts, zc_hub **out, zc_diag *diag)
{
    *out = NULL;
    if (!opts || !opts->db_url)
        return zc_diag_set(diag, ZC_ERR_INVALID, "no database URL given");
    if (sodium_init() < 0)
        return zc_diag_set(diag, ZC_ERR_CRYPTO, "libsodium could not start");
    zc_hub *hub = calloc(1, sizeof *hub);
    if (!hub)
        return ZC_ERR_NOMEM;
    hub->clock = opts->clock;
    hub->clock_ctx = opts->clock_ctx;
    zc_err err = zc_hubdb_open(opts->db_url, opts->pool, &hub->db, diag);
    if (!err)
        err = zc_hub_transact(hub, load_keys, NULL, diag);
    if (err) {
        zc_hub_close(hub);
        return err;
    }
    *out = hub;
    return ZC_OK;
}

void zc_hub_close(zc_hub *hub)
{
    if (!hub)
        return;
    zc_hubdb_close(hub->db);
    sodium_memzero(hub, sizeof *hub);
    free(hub);
}

zc_ms zc_hub_now(zc_hub *hub)
{
    if (hub->clock)
        return hub->clock(hub->clock_ctx);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (zc_ms)ts.tv_sec * ZC_MS_PER_SECOND + ts.tv_nsec / NS_PER_MS;
}

zc_hubdb *zc_hub_db(zc_hub *hub)
{
    return hub->db;
}

void zc_hub_rules_public_key(const zc_hub *hub, uint8_t pk[ZC_PUBKEY_LEN])
{
    memcpy(pk, hub->rules_key.pk, ZC_PUBKEY_LEN);
}

void zc_hub_region_key(const zc_hub *hub, uint8_t key[ZC_REGION_KEY_LEN])
{
    memcpy(key, hub->region_key, ZC_REGION_KEY_LEN);
}

/* Bytes of a sequence led by b, or 0 for a byte that cannot lead one. */
static int utf8_lead_len(unsigned char b)
{
    if (b < 0x80)
        return 1;
    if (b >= 0xc2 && b <= 0xdf)
        return 2;
    if (b >= 0xe0 && b <= 0xef)
        return 3;
    if (b >= 0xf0 && b <= 0xf4)
        return 4;
    return 0;
}

bool zc_hub_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        int n = utf8_lead_len(p[i]);
        if (n == 0 || p[i] == 0 || i + (size_t)n > len)
            return false;
        for (int k = 1; k < n; k++)
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
        /* Overlong three- and four-byte forms, surrogates and code points past U+10FFFF. */
        if ((p[i] == 0xe0 && p[i + 1] < 0xa0) || (p[i] == 0xed && p[i + 1] >= 0xa0) ||
            (p[i] == 0xf0 && p[i + 1] < 0x90) || (p[i] == 0xf4 && p[i + 1] >= 0x90))
            return false;
        i += (size_t)n;
    }
    return true;
}

bool zc_hub_text_valid(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max || !zc_hub_utf8_valid(s, n))
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}
