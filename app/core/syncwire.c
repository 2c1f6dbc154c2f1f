#include "zc/syncwire.h"

#include "zc/codec.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    NONCE_BYTES = ZC_SYNC_NONCE_HEX / 2,
    SALES_INITIAL = 64,
    INT64_TEXT_MAX = 24,   /* an int64_t in decimal, its sign and a NUL */
    ELDER_DELETED_KEYS = 3 /* a tombstone: id, version, deleted */
};

static const char SIGN_PREFIX[] = "zhucan-sync/1";

/* ---- request signing ---- */

/* A header value or request line piece must not be able to add a line to the signed string. */
static bool one_line(const char *s)
{
    return s && !strchr(s, '\n') && !strchr(s, '\r');
}

zc_err zc_syncwire_sign_string(const char *method, const char *path, int64_t time_ms,
                               const char *nonce, const void *body, size_t body_len, char **out)
{
    uint8_t digest[crypto_hash_sha256_BYTES];
    char hex[ZC_HEX_SIZE(crypto_hash_sha256_BYTES)];
    *out = NULL;
    if (!one_line(method) || !one_line(path) || !one_line(nonce) || (!body && body_len))
        return ZC_ERR_INVALID;
    crypto_hash_sha256(digest, body ? body : (const void *)"", body_len);
    zc_hex_encode(digest, sizeof digest, hex);
    int n = snprintf(NULL, 0, "%s\n%s\n%s\n%" PRId64 "\n%s\n%s", SIGN_PREFIX, method, path, time_ms,
                     nonce, hex);
    if (n < 0)
        return ZC_ERR_INVALID;
    char *s = malloc((size_t)n + 1);
    if (!s)
        return ZC_ERR_NOMEM;
    snprintf(s, (size_t)n + 1, "%s\n%s\n%s\n%" PRId64 "\n%s\n%s", SIGN_PREFIX, method, path,
             time_ms, nonce, hex);
    *out = s;
    return ZC_OK;
}

zc_err zc_syncwire_sign(const zc_keypair *key, const char *device_id, const char *method,
                        const char *path, int64_t time_ms, const void *body, size_t body_len,
                        zc_syncwire_auth *out)
{
    uint8_t nonce[NONCE_BYTES], sig[ZC_SIG_LEN];
    char *text;
    memset(out, 0, sizeof *out);
    if (!device_id || !*device_id || strlen(device_id) >= sizeof out->device)
        return ZC_ERR_INVALID;
    if (sodium_init() < 0)
        return ZC_ERR_CRYPTO;
    randombytes_buf(nonce, sizeof nonce);
    zc_hex_encode(nonce, sizeof nonce, out->nonce);
    snprintf(out->time, sizeof out->time, "%" PRId64, time_ms);
    zc_err err = zc_syncwire_sign_string(method, path, time_ms, out->nonce, body, body_len, &text);
    if (err)
        return err;
    zc_keys_sign(key, (const uint8_t *)text, strlen(text), sig);
    free(text);
    zc_b64_encode(sig, sizeof sig, out->signature);
    memcpy(out->device, device_id, strlen(device_id) + 1);
    return ZC_OK;
}

/* Decimal epoch ms exactly as a kiosk writes it: no sign, no leading zero, no other text. */
static bool parse_time(const char *text, int64_t *out)
{
    size_t len = strlen(text);
    int64_t v = 0;
    if (len == 0 || len >= INT64_TEXT_MAX || (len > 1 && text[0] == '0'))
        return false;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9' || v > (INT64_MAX - (text[i] - '0')) / 10)
            return false;
        v = v * 10 + (text[i] - '0');
    }
    *out = v;
    return true;
}

static bool is_hex(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f') ||
              (text[i] >= 'A' && text[i] <= 'F')))
            return false;
    return true;
}

zc_err zc_syncwire_verify(const uint8_t pk[ZC_PUBKEY_LEN], const char *method, const char *path,
                          const char *time, const char *nonce, const char *signature,
                          const void *body, size_t body_len, int64_t *time_ms, zc_diag *diag)
{
    uint8_t sig[ZC_SIG_LEN];
    int64_t t = 0;
    char *text;
    if (!time)
        return zc_diag_set(diag, ZC_ERR_INVALID, "missing header %s", ZC_SYNC_HDR_TIME);
    if (!nonce)
        return zc_diag_set(diag, ZC_ERR_INVALID, "missing header %s", ZC_SYNC_HDR_NONCE);
    if (!signature)
        return zc_diag_set(diag, ZC_ERR_INVALID, "missing header %s", ZC_SYNC_HDR_SIGNATURE);
    if (!parse_time(time, &t))
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: not epoch milliseconds", ZC_SYNC_HDR_TIME);
    if (strlen(nonce) != ZC_SYNC_NONCE_HEX || !is_hex(nonce, ZC_SYNC_NONCE_HEX))
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: not %d hex digits", ZC_SYNC_HDR_NONCE,
                           ZC_SYNC_NONCE_HEX);
    if (zc_b64_decode(signature, strlen(signature), sig, sizeof sig))
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: not base64 of %d bytes",
                           ZC_SYNC_HDR_SIGNATURE, ZC_SIG_LEN);
    zc_err err = zc_syncwire_sign_string(method, path, t, nonce, body, body_len, &text);
    if (err == ZC_ERR_INVALID)
        return zc_diag_set(diag, err, "method or path missing or spans lines");
    if (err)
        return zc_diag_set(diag, err, "out of memory checking a request");
    err = zc_keys_verify(pk, (const uint8_t *)text, strlen(text), sig);
    free(text);
    if (err)
        return zc_diag_set(diag, ZC_ERR_CRYPTO, "%s does not verify", ZC_SYNC_HDR_SIGNATURE);
    if (time_ms)
        *time_ms = t;
    return ZC_OK;
}

/* ---- reading JSON values: each names its key (under `what`) when it is wrong or missing ---- */

static zc_err need_object(const json_t *o, const char *what, zc_diag *diag)
{
    return json_is_object(o) ? ZC_OK
                             : zc_diag_set(diag, ZC_ERR_INVALID, "%s: not a JSON object", what);
}

static zc_err get_int(const json_t *o, const char *what, const char *key, int64_t min, int64_t *out,
                      zc_diag *diag)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: %s: missing", what, key);
    if (!json_is_integer(v))
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: %s: not an integer", what, key);
    if (json_integer_value(v) < min)
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: %s: less than %" PRId64, what, key, min);
    *out = json_integer_value(v);
    return ZC_OK;
}

/* A string of at most size - 1 bytes without NULs, copied into buf. */
static zc_err get_str(const json_t *o, const char *what, const char *key, char *buf, size_t size,
                      zc_diag *diag)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: %s: missing", what, key);
    if (!json_is_string(v))
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: %s: not a string", what, key);
    size_t len = json_string_length(v);
    if (len >= size)
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: %s: longer than %zu bytes", what, key,
                           size - 1);
    if (memchr(json_string_value(v), '\0', len))
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: %s: contains a NUL character", what, key);
    memcpy(buf, json_string_value(v), len + 1);
    return ZC_OK;
}

/* Hex of exactly n bytes; with nullable, null gives *present = false. */
static zc_err get_hex(const json_t *o, const char *what, const char *key, uint8_t *out, size_t n,
                      bool *present, zc_diag *diag)
{
    json_t *v = json_object_get(o, key);
    if (present && json_is_null(v)) {
        *present = false;
        return ZC_OK;
    }
    if (!v)
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: %s: missing", what, key);
    if (!json_is_string(v) || zc_hex_decode(json_string_value(v), json_string_length(v), out, n))
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: %s: not %zu hex digits%s", what, key, n * 2,
                           present ? " or null" : "");
    if (present)
        *present = true;
    return ZC_OK;
}

static json_t *hex_value(const uint8_t bytes[ZC_HASH_LEN])
{
    char buf[ZC_HEX_SIZE(ZC_HASH_LEN)];
    zc_hex_encode(bytes, ZC_HASH_LEN, buf);
    return json_string(buf);
}

/*
 * Sets each key of o, which may be NULL when its allocation failed. json_object_set_new steals
 * its value whatever happens (NULL values and a NULL object included), so every value is
 * released or owned by o afterwards, and one failure fails the whole object.
 */
static zc_err set_all(json_t *o, const char *const *keys, json_t **values, size_t n)
{
    zc_err err = o ? ZC_OK : ZC_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (json_object_set_new(o, keys[i], values[i]) != 0)
            err = ZC_ERR_NOMEM;
    return err;
}

/* o with every key set, or NULL (and everything released). */
static zc_err object_of(const char *const *keys, json_t **values, size_t n, json_t **out)
{
    json_t *o = json_object();
    zc_err err = set_all(o, keys, values, n);
    if (err) {
        json_decref(o);
        return err;
    }
    *out = o;
    return ZC_OK;
}

/* ---- sale records ---- */

void zc_syncwire_sale_clear(zc_syncwire_sale *rec)
{
    if (!rec)
        return;
    free(rec->canon);
    rec->canon = NULL;
    rec->canon_len = 0;
}

zc_err zc_syncwire_sale_to_json(const zc_syncwire_sale *rec, json_t **out)
{
    static const char *const KEYS[] = {"seq", "canon", "prev_hash", "hash", "sig"};
    char sig[ZC_B64_SIZE(ZC_SIG_LEN)];
    *out = NULL;
    if (!rec->canon)
        return ZC_ERR_INVALID;
    zc_b64_encode(rec->sig, sizeof rec->sig, sig);
    json_t *canon = json_stringn(rec->canon, rec->canon_len);
    if (!canon) /* not UTF-8: no canonical bytes zc_sale_canon writes */
        return ZC_ERR_INVALID;
    json_t *values[] = {json_integer(rec->seq), canon, hex_value(rec->prev_hash),
                        hex_value(rec->hash), json_string(sig)};
    return object_of(KEYS, values, sizeof KEYS / sizeof KEYS[0], out);
}

zc_err zc_syncwire_sale_from_json(const json_t *o, zc_syncwire_sale *out, zc_diag *diag)
{
    static const char WHAT[] = "sale record";
    zc_err err;
    memset(out, 0, sizeof *out);
    if ((err = need_object(o, WHAT, diag)) || (err = get_int(o, WHAT, "seq", 1, &out->seq, diag)))
        return err;
    json_t *canon = json_object_get(o, "canon");
    if (!json_is_string(canon) || json_string_length(canon) == 0)
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: canon: %s", WHAT,
                           canon ? "not a non-empty string" : "missing");
    if ((err = get_hex(o, WHAT, "prev_hash", out->prev_hash, ZC_HASH_LEN, NULL, diag)) ||
        (err = get_hex(o, WHAT, "hash", out->hash, ZC_HASH_LEN, NULL, diag)))
        return err;
    json_t *sig = json_object_get(o, "sig");
    if (!json_is_string(sig) ||
        zc_b64_decode(json_string_value(sig), json_string_length(sig), out->sig, ZC_SIG_LEN))
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: sig: %s", WHAT,
                           sig ? "not base64 of 64 bytes" : "missing");
    size_t len = json_string_length(canon);
    if (!(out->canon = malloc(len + 1)))
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory reading a sale record");
    memcpy(out->canon, json_string_value(canon), len + 1);
    out->canon_len = len;
    return ZC_OK;
}

zc_err zc_syncwire_sale_check(const zc_syncwire_sale *rec, const uint8_t pk[ZC_PUBKEY_LEN],
                              const char *device_id, zc_sale *sale, zc_diag *diag)
{
    uint8_t hash[ZC_HASH_LEN];
    zc_sale local;
    zc_sale *s = sale ? sale : &local;
    memset(s, 0, sizeof *s);
    if (!rec->canon)
        return zc_diag_set(diag, ZC_ERR_INVALID, "sale %" PRId64 ": no canonical bytes", rec->seq);
    zc_sale_chain_hash(rec->prev_hash, rec->canon, rec->canon_len, hash);
    if (sodium_memcmp(hash, rec->hash, ZC_HASH_LEN) != 0)
        return zc_diag_set(diag, ZC_ERR_BROKEN,
                           "sale %" PRId64 ": hash is not SHA-256 of prev_hash and canon",
                           rec->seq);
    /* The ledger signs the chain hash, which covers canon and the link to the entry before. */
    if (zc_keys_verify(pk, rec->hash, ZC_HASH_LEN, rec->sig))
        return zc_diag_set(diag, ZC_ERR_CRYPTO,
                           "sale %" PRId64 ": signature does not verify with the device key",
                           rec->seq);
    zc_diag sub = {{0}, 0};
    zc_err err = zc_sale_from_canon(rec->canon, rec->canon_len, s, &sub);
    if (err)
        return zc_diag_set(diag, err, "sale %" PRId64 ": %s", rec->seq, sub.msg);
    if (s->seq != rec->seq)
        err = zc_diag_set(diag, ZC_ERR_BROKEN, "sale %" PRId64 ": canon says seq %" PRId64,
                          rec->seq, s->seq);
    else if (!device_id || strcmp(s->device_id, device_id) != 0)
        err = zc_diag_set(diag, ZC_ERR_BROKEN, "sale %" PRId64 ": canon is from device %s",
                          rec->seq, s->device_id);
    memcpy(s->hash, rec->hash, ZC_HASH_LEN);
    if (err || !sale) {
        json_decref(s->detail);
        s->detail = NULL;
    }
    return err;
}

void zc_syncwire_sales_free(zc_syncwire_sale *recs, size_t n)
{
    for (size_t i = 0; recs && i < n; i++)
        zc_syncwire_sale_clear(&recs[i]);
    free(recs);
}

static zc_err read_sale_row(sqlite3_stmt *st, zc_syncwire_sale *rec, zc_diag *diag)
{
    rec->seq = sqlite3_column_int64(st, 0);
    const void *canon = sqlite3_column_blob(st, 1);
    size_t len = (size_t)sqlite3_column_bytes(st, 1);
    if (sqlite3_column_bytes(st, 2) != ZC_HASH_LEN || sqlite3_column_bytes(st, 3) != ZC_HASH_LEN ||
        sqlite3_column_bytes(st, 4) != ZC_SIG_LEN || !canon)
        return zc_diag_set(diag, ZC_ERR_BROKEN, "sale %" PRId64 ": stored entry is malformed",
                           rec->seq);
    memcpy(rec->prev_hash, sqlite3_column_blob(st, 2), ZC_HASH_LEN);
    memcpy(rec->hash, sqlite3_column_blob(st, 3), ZC_HASH_LEN);
    memcpy(rec->sig, sqlite3_column_blob(st, 4), ZC_SIG_LEN);
    if (!(rec->canon = malloc(len + 1)))
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory reading the ledger");
    memcpy(rec->canon, canon, len);
    rec->canon[len] = '\0';
    rec->canon_len = len;
    return ZC_OK;
}

zc_err zc_syncwire_sales_read(zc_store *store, int64_t after, size_t max, zc_syncwire_sale **recs,
                              size_t *n, zc_diag *diag)
{
    sqlite3_stmt *st;
    zc_syncwire_sale *v = NULL;
    size_t count = 0;
    zc_err err = ZC_OK;
    *recs = NULL;
    *n = 0;
    if (max == 0)
        return ZC_OK;
    int rc = sqlite3_prepare_v2(zc_store_db(store),
                                "SELECT seq, canon, prev_hash, hash, sig FROM sale"
                                " WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(store, rc, "reading the ledger", diag);
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, max > (size_t)INT64_MAX ? INT64_MAX : (int64_t)max);
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            size_t grown = cap ? cap * 2 : SALES_INITIAL;
            zc_syncwire_sale *bigger = realloc(v, grown * sizeof *bigger);
            if (!bigger) {
                err = zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory reading the ledger");
                break;
            }
            v = bigger;
            cap = grown;
        }
        memset(&v[count], 0, sizeof v[count]);
        count++;
        if ((err = read_sale_row(st, &v[count - 1], diag)))
            break;
    }
    if (!err && rc != SQLITE_DONE)
        err = zc_store_fail(store, rc, "reading the ledger", diag);
    sqlite3_finalize(st);
    if (err) {
        zc_syncwire_sales_free(v, count);
        return err;
    }
    *recs = v;
    *n = count;
    return ZC_OK;
}

/* ---- roster rows ---- */

zc_err zc_syncwire_elder_to_json(const zc_syncwire_elder *row, json_t **out)
{
    static const char *const KEYS[] = {"id",     "version",    "deleted",  "id_hmac",
                                       "name",   "birth_date", "region",   "categories",
                                       "status", "qr_hash",    "card_hash"};
    char birth[ZC_DATE_TEXT_LEN + 1];
    *out = NULL;
    if (!row->deleted && !zc_date_valid(row->birth))
        return ZC_ERR_INVALID;
    zc_date_format(row->birth, birth);
    json_t *values[] = {
        json_integer(row->id),
        json_integer(row->version),
        json_boolean(row->deleted),
        hex_value(row->id_hmac),
        json_string(row->name),
        json_string(birth),
        json_string(row->region),
        json_string(row->categories),
        json_string(zc_roster_status_name(row->status)),
        row->has_qr ? hex_value(row->qr_hash) : json_null(),
        row->has_card ? hex_value(row->card_hash) : json_null(),
    };
    /* A tombstone carries only id, version and deleted. */
    size_t keys = row->deleted ? ELDER_DELETED_KEYS : sizeof KEYS / sizeof KEYS[0];
    for (size_t i = keys; i < sizeof values / sizeof values[0]; i++) {
        json_decref(values[i]);
        values[i] = NULL;
    }
    return object_of(KEYS, values, keys, out);
}

zc_err zc_syncwire_elder_from_json(const json_t *o, zc_syncwire_elder *out, zc_diag *diag)
{
    static const char WHAT[] = "roster row";
    char birth[ZC_DATE_TEXT_LEN + 1], status[ZC_NAME_MAX];
    zc_diag sub = {{0}, 0};
    zc_err err;
    memset(out, 0, sizeof *out);
    if ((err = need_object(o, WHAT, diag)) || (err = get_int(o, WHAT, "id", 1, &out->id, diag)) ||
        (err = get_int(o, WHAT, "version", 0, &out->version, diag)))
        return err;
    json_t *deleted = json_object_get(o, "deleted");
    if (!json_is_boolean(deleted))
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s %" PRId64 ": deleted: %s", WHAT, out->id,
                           deleted ? "not true or false" : "missing");
    out->deleted = json_is_true(deleted);
    if (out->deleted)
        return ZC_OK;
    if ((err = get_hex(o, WHAT, "id_hmac", out->id_hmac, ZC_HASH_LEN, NULL, diag)) ||
        (err = get_str(o, WHAT, "name", out->name, sizeof out->name, diag)) ||
        (err = get_str(o, WHAT, "birth_date", birth, sizeof birth, diag)) ||
        (err = get_str(o, WHAT, "region", out->region, sizeof out->region, diag)) ||
        (err = get_str(o, WHAT, "categories", out->categories, sizeof out->categories, diag)) ||
        (err = get_str(o, WHAT, "status", status, sizeof status, diag)) ||
        (err = get_hex(o, WHAT, "qr_hash", out->qr_hash, ZC_HASH_LEN, &out->has_qr, diag)) ||
        (err = get_hex(o, WHAT, "card_hash", out->card_hash, ZC_HASH_LEN, &out->has_card, diag)))
        return err;
    if (zc_date_parse(birth, strlen(birth), &out->birth, &sub))
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s %" PRId64 ": birth_date: %s", WHAT, out->id,
                           sub.msg);
    if (zc_roster_check_fields(out->name, out->region, out->categories, status, &out->status, &sub))
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s %" PRId64 ": %s", WHAT, out->id, sub.msg);
    return ZC_OK;
}

/* Runs sql with ?1 bound to id and ?2 to a hash (when given). */
static zc_err exec_id(zc_store *store, const char *sql, int64_t id, const uint8_t *hash,
                      const char *what, zc_diag *diag)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(zc_store_db(store), sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        if (hash)
            sqlite3_bind_blob(st, 2, hash, ZC_HASH_LEN, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? ZC_OK : zc_store_fail(store, rc, what, diag);
}

static zc_err upsert_elder(zc_store *store, const zc_syncwire_elder *r, zc_diag *diag)
{
    static const char UPSERT[] =
        "INSERT INTO elder(id, id_hmac, name, birth_date, region, categories, status, qr_hash,"
        " card_hash, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
        " ON CONFLICT(id) DO UPDATE SET id_hmac = excluded.id_hmac, name = excluded.name,"
        " birth_date = excluded.birth_date, region = excluded.region,"
        " categories = excluded.categories, status = excluded.status,"
        " qr_hash = excluded.qr_hash, card_hash = excluded.card_hash, version = excluded.version";
    char birth[ZC_DATE_TEXT_LEN + 1];
    zc_err err;
    /*
     * The hub's row is the truth: a token or ID hash another elder still holds here was moved by
     * the hub, and that elder's own new row follows in this page or a later one. An ID hash
     * cannot be cleared (it is NOT NULL), so its stale holder goes and comes back with its row.
     */
    if ((err = exec_id(store, "DELETE FROM elder WHERE id <> ?1 AND id_hmac = ?2", r->id,
                       r->id_hmac, "moving a roster ID", diag)) ||
        (r->has_qr && (err = exec_id(store,
                                     "UPDATE elder SET qr_hash = NULL WHERE id <> ?1"
                                     " AND qr_hash = ?2",
                                     r->id, r->qr_hash, "moving a QR code", diag))) ||
        (r->has_card && (err = exec_id(store,
                                       "UPDATE elder SET card_hash = NULL WHERE id <> ?1"
                                       " AND card_hash = ?2",
                                       r->id, r->card_hash, "moving a meal card", diag))))
        return err;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(zc_store_db(store), UPSERT, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(store, rc, "writing the roster", diag);
    zc_date_format(r->birth, birth);
    sqlite3_bind_int64(st, 1, r->id);
    sqlite3_bind_blob(st, 2, r->id_hmac, ZC_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, birth, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, r->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, r->categories, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, zc_roster_status_name(r->status), -1, SQLITE_STATIC);
    if (r->has_qr)
        sqlite3_bind_blob(st, 8, r->qr_hash, ZC_HASH_LEN, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 8);
    if (r->has_card)
        sqlite3_bind_blob(st, 9, r->card_hash, ZC_HASH_LEN, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 9);
    sqlite3_bind_int64(st, 10, r->version);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? ZC_OK : zc_store_fail(store, rc, "writing the roster", diag);
}

/* Rows are checked again here: a caller may build them without zc_syncwire_elder_from_json. */
static zc_err check_elder(const zc_syncwire_elder *r, size_t i, zc_diag *diag)
{
    zc_diag sub = {{0}, 0};
    if (r->id < 1)
        return zc_diag_set(diag, ZC_ERR_INVALID, "roster row %zu: id must be positive", i);
    if (r->deleted)
        return ZC_OK;
    /* The row's fixed buffers must hold their NULs before any check reads them as strings. */
    if (!memchr(r->name, '\0', sizeof r->name) || !memchr(r->region, '\0', sizeof r->region) ||
        !memchr(r->categories, '\0', sizeof r->categories))
        return zc_diag_set(diag, ZC_ERR_INVALID, "roster row %" PRId64 ": unterminated text",
                           r->id);
    if (!zc_date_valid(r->birth))
        return zc_diag_set(diag, ZC_ERR_INVALID, "roster row %" PRId64 ": birth_date: not a date",
                           r->id);
    if (r->status != ZC_ELDER_ACTIVE && r->status != ZC_ELDER_SUSPENDED)
        return zc_diag_set(diag, ZC_ERR_INVALID, "roster row %" PRId64 ": status: unknown", r->id);
    if (zc_roster_check_fields(r->name, r->region, r->categories, zc_roster_status_name(r->status),
                               NULL, &sub))
        return zc_diag_set(diag, ZC_ERR_INVALID, "roster row %" PRId64 ": %s", r->id, sub.msg);
    return ZC_OK;
}

zc_err zc_syncwire_roster_apply(zc_store *store, const zc_syncwire_elder *rows, size_t n,
                                const char *cursor, zc_diag *diag)
{
    zc_err err;
    if (!cursor || strlen(cursor) >= ZC_SYNC_CURSOR_MAX)
        return zc_diag_set(diag, ZC_ERR_INVALID, "roster cursor: missing or longer than %d bytes",
                           ZC_SYNC_CURSOR_MAX - 1);
    for (size_t i = 0; i < n; i++)
        if ((err = check_elder(&rows[i], i, diag)))
            return err;
    if ((err = zc_store_begin(store, diag)))
        return err;
    for (size_t i = 0; !err && i < n; i++)
        err = rows[i].deleted ? exec_id(store, "DELETE FROM elder WHERE id = ?1", rows[i].id, NULL,
                                        "removing a roster row", diag)
                              : upsert_elder(store, &rows[i], diag);
    if (!err)
        err = zc_store_meta_set(store, ZC_META_SYNC_CURSOR, cursor, diag);
    if (!err)
        err = zc_store_commit(store, diag);
    if (err)
        zc_store_rollback(store);
    return err;
}

/* ---- menus ---- */

static zc_err item_from_json(const json_t *o, size_t i, zc_menu_item *out, zc_diag *diag)
{
    char what[sizeof "menu items[1000]"];
    zc_err err;
    memset(out, 0, sizeof *out);
    snprintf(what, sizeof what, "menu items[%zu]", i);
    if ((err = need_object(o, what, diag)) ||
        (err = get_str(o, what, "code", out->code, sizeof out->code, diag)) ||
        (err = get_str(o, what, "name", out->name, sizeof out->name, diag)) ||
        (err = get_int(o, what, "price", INT64_MIN, &out->price, diag)) ||
        (err = get_str(o, what, "periods", out->periods, sizeof out->periods, diag)))
        return err;
    return ZC_OK;
}

zc_err zc_syncwire_menu_from_json(const json_t *o, int64_t *version, zc_menu_item **items,
                                  size_t *n, bool *changed, zc_diag *diag)
{
    static const char WHAT[] = "menu";
    zc_err err;
    *items = NULL;
    *n = 0;
    *changed = false;
    if ((err = need_object(o, WHAT, diag)) || (err = get_int(o, WHAT, "version", 0, version, diag)))
        return err;
    json_t *list = json_object_get(o, "items");
    if (json_is_null(list))
        return ZC_OK;
    if (!json_is_array(list))
        return zc_diag_set(diag, ZC_ERR_INVALID, "menu: items: %s",
                           list ? "not an array or null" : "missing");
    size_t count = json_array_size(list);
    if (count > ZC_MENU_ITEMS_MAX)
        return zc_diag_set(diag, ZC_ERR_INVALID, "menu: items: more than %d", ZC_MENU_ITEMS_MAX);
    /* One spare element so that an empty menu is an allocation too: NULL means "nothing newer". */
    zc_menu_item *v = calloc(count + 1, sizeof *v);
    if (!v)
        return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory reading the menu");
    for (size_t i = 0; !err && i < count; i++)
        err = item_from_json(json_array_get(list, i), i, &v[i], diag);
    zc_diag sub = {{0}, 0};
    if (!err && (err = zc_menu_items_check(v, count, &sub)))
        zc_diag_set(diag, err, "menu: %s", sub.msg);
    if (err) {
        free(v);
        return err;
    }
    *items = v;
    *n = count;
    *changed = true;
    return ZC_OK;
}

zc_err zc_syncwire_menu_to_json(int64_t version, const zc_menu_item *items, size_t n, json_t **out)
{
    *out = NULL;
    json_t *o = json_object(), *list = json_array();
    zc_err err = o && list ? ZC_OK : ZC_ERR_NOMEM;
    for (size_t i = 0; !err && i < n; i++) {
        json_t *item = json_pack("{s:s,s:s,s:I,s:s}", "code", items[i].code, "name", items[i].name,
                                 "price", (json_int_t)items[i].price, "periods", items[i].periods);
        if (!item || json_array_append_new(list, item))
            err = item ? ZC_ERR_NOMEM : ZC_ERR_INVALID;
    }
    if (!err) {
        /* Both steal their value, so list is o's (or gone) after the second. */
        if (json_object_set_new(o, "version", json_integer(version)))
            err = ZC_ERR_NOMEM;
        if (json_object_set_new(o, "items", list))
            err = ZC_ERR_NOMEM;
        list = NULL;
    }
    if (err) {
        json_decref(list);
        json_decref(o);
        return err;
    }
    *out = o;
    return ZC_OK;
}

zc_err zc_syncwire_menu_apply(zc_store *store, const zc_menu_item *items, size_t n, int64_t version,
                              zc_diag *diag)
{
    char text[INT64_TEXT_MAX];
    sqlite3_stmt *st = NULL;
    zc_err err;
    if (version < 0)
        return zc_diag_set(diag, ZC_ERR_INVALID, "menu: version must not be negative");
    if ((err = zc_menu_items_check(items, n, diag)) || (err = zc_store_begin(store, diag)))
        return err;
    int rc = SQLITE_OK;
    err = zc_store_exec(store, "DELETE FROM menu_item", diag);
    if (!err)
        rc = sqlite3_prepare_v2(zc_store_db(store),
                                "INSERT INTO menu_item(code, name, price, periods)"
                                " VALUES (?1, ?2, ?3, ?4)",
                                -1, &st, NULL);
    for (size_t i = 0; !err && rc == SQLITE_OK && i < n; i++) {
        sqlite3_bind_text(st, 1, items[i].code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, items[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, items[i].price);
        sqlite3_bind_text(st, 4, items[i].periods, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (!err && rc != SQLITE_OK)
        err = zc_store_fail(store, rc, "writing the menu", diag);
    snprintf(text, sizeof text, "%" PRId64, version);
    if (!err)
        err = zc_store_meta_set(store, ZC_META_MENU_VERSION, text, diag);
    if (!err)
        err = zc_store_commit(store, diag);
    if (err)
        zc_store_rollback(store);
    return err;
}
