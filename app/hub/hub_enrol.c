/*
 * Enrolment and kiosk request authentication.
 *
 * An enrolment code is read off a screen and typed on a kiosk's touch screen, so it is short and
 * has no characters people confuse (0/O, 1/I); 12 of 32 symbols still give 60 bits, plenty for a
 * code that works once and for a week. The hub keeps only its SHA-256. Using a code is a
 * conditional UPDATE, so of two hubs racing for one code exactly one wins. The enrolment request
 * is signed by the kiosk's new key (its time unchecked: a new board's clock may be anywhere), so a
 * code together with somebody else's public key moves nobody; the signature is checked before the
 * code is touched, so a forged request does not use a code up.
 *
 * After enrolment every kiosk request carries the device's signature over what it asks, a time
 * and a nonce; the nonce table turns a replay into a duplicate insert.
 */
#include "hub_impl.h"

#include "zc/datadir.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char CODE_ALPHABET[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

enum {
    CODE_SYMBOLS = 12,
    CODE_GROUP = 4,                  /* shown as XXXX-XXXX-XXXX */
    NONCE_PRUNE_ONE_IN = 32,         /* requests between sweeps of old nonces, on average */
    CODE_INPUT_MAX = ZC_HUB_CODE_MAX /* what is read of a typed code */
};

#define CODE_ALPHABET_LEN ((uint32_t)(sizeof CODE_ALPHABET - 1))

zc_err zc_hub_enrol_code_new(zc_hub *hub, const char *canteen, char code[ZC_HUB_CODE_MAX],
                             zc_ms *expires, zc_diag *diag)
{
    char symbols[CODE_SYMBOLS + 1];
    for (int i = 0; i < CODE_SYMBOLS; i++)
        symbols[i] = CODE_ALPHABET[randombytes_uniform(CODE_ALPHABET_LEN)];
    symbols[CODE_SYMBOLS] = '\0';
    char hash[ZC_HUB_SHA256_HEX], now_text[ZC_HUB_INT_TEXT], exp_text[ZC_HUB_INT_TEXT];
    zc_hub_sha256_hex(symbols, CODE_SYMBOLS, hash);
    zc_ms now = zc_hub_now(hub);
    const char *params[] = {hash, canteen, zc_hub_int_text(now, now_text),
                            zc_hub_int_text(now + ZC_HUB_ENROL_CODE_MS, exp_text)};
    zc_hubdb_conn *conn;
    zc_err err = zc_hub_canteen_acquire(hub, canteen, &conn, diag);
    if (err)
        return err;
    err = zc_hubdb_exec(conn,
                        "INSERT INTO enrol_code (code_hash, canteen, created_ms, expires_ms) "
                        "VALUES ($1, $2, $3, $4)",
                        params, 4, NULL, diag);
    zc_hubdb_release(conn);
    if (err)
        return err;
    snprintf(code, ZC_HUB_CODE_MAX, "%.*s-%.*s-%.*s", CODE_GROUP, symbols, CODE_GROUP,
             symbols + CODE_GROUP, CODE_GROUP, symbols + 2 * CODE_GROUP);
    if (expires)
        *expires = now + ZC_HUB_ENROL_CODE_MS;
    return ZC_OK;
}

/*
 * The 12 symbols of a code as typed: case, dashes and spaces do not matter. false for anything
 * that cannot be a code (such a code is simply unknown).
 */
static bool code_normalise(const char *typed, char out[CODE_SYMBOLS + 1])
{
    int n = 0;
    for (size_t i = 0; typed[i] && i < CODE_INPUT_MAX; i++) {
        char c = (char)toupper((unsigned char)typed[i]);
        if (c == '-' || c == ' ')
            continue;
        if (n == CODE_SYMBOLS || !strchr(CODE_ALPHABET, c))
            return false;
        out[n++] = c;
    }
    out[n] = '\0';
    return n == CODE_SYMBOLS && strlen(typed) < CODE_INPUT_MAX;
}

typedef struct enrol_job {
    const char *code_hash;
    const uint8_t *pk;
    zc_hub_enrolment *out;
} enrol_job;

static const char CODE_REFUSED[] = "the enrolment code is unknown, used or expired";

/* The request is signed by pk's secret half, as the device whose id pk gives. */
static zc_err check_possession(const zc_hub_request *req, const uint8_t pk[ZC_PUBKEY_LEN],
                               const char *device_id, zc_diag *diag)
{
    if (!req || !req->device || strcmp(req->device, device_id) != 0)
        return zc_diag_set(diag, ZC_ERR_CRYPTO,
                           "an enrolment must be signed with its key, as device %s", device_id);
    if (!req->method || !req->path)
        return zc_diag_set(diag, ZC_ERR_CRYPTO, "an enrolment needs its method and path");
    int64_t time_ms = 0;
    zc_err err = zc_syncwire_verify(pk, req->method, req->path, req->time, req->nonce,
                                    req->signature, req->body, req->body_len, &time_ms, diag);
    /* A malformed header is as unauthenticated as a wrong signature (PROTOCOL.md: 401). */
    return err == ZC_ERR_INVALID ? ZC_ERR_CRYPTO : err;
}

/* A device that has pushed sales keeps its canteen: its ledger names it in every entry. */
static zc_err check_move(zc_hubdb_conn *conn, const char *device, const char *canteen,
                         zc_diag *diag)
{
    const char *params[] = {device};
    zc_hubdb_rows *rows;
    zc_err err =
        zc_hubdb_query(conn, "SELECT canteen FROM device WHERE id = $1", params, 1, &rows, diag);
    if (err)
        return err;
    char held[ZC_ID_MAX] = "";
    if (zc_hubdb_rows_count(rows) == 1 && zc_hubdb_rows_text(rows, 0, 0))
        snprintf(held, sizeof held, "%s", zc_hubdb_rows_text(rows, 0, 0));
    zc_hubdb_rows_free(rows);
    if (!*held || strcmp(held, canteen) == 0)
        return ZC_OK;
    if ((err = zc_hubdb_query(conn, "SELECT 1 FROM sale WHERE device = $1 LIMIT 1", params, 1,
                              &rows, diag)))
        return err;
    bool pushed = zc_hubdb_rows_count(rows) > 0;
    zc_hubdb_rows_free(rows);
    if (pushed)
        return zc_diag_set(diag, ZC_ERR_EXISTS,
                           "device %s has pushed sales of canteen %s: it cannot move to %s", device,
                           held, canteen);
    return ZC_OK;
}

static zc_err use_code(zc_hub *hub, zc_hubdb_conn *conn, void *ctx, zc_diag *diag)
{
    enrol_job *job = ctx;
    zc_hub_enrolment *e = job->out;
    char now[ZC_HUB_INT_TEXT], pk_text[ZC_PUBKEY_TEXT_SIZE];
    zc_hub_int_text(zc_hub_now(hub), now);
    zc_keys_public_text(job->pk, pk_text);
    const char *use[] = {job->code_hash, e->device_id, now};
    const char *usable[] = {job->code_hash, now};
    zc_hubdb_rows *rows;
    zc_err err;
    if ((err = zc_hubdb_query(conn,
                              "SELECT canteen FROM enrol_code WHERE code_hash = $1"
                              " AND used_by IS NULL AND expires_ms > $2",
                              usable, 2, &rows, diag)))
        return err;
    bool found = zc_hubdb_rows_count(rows) == 1 && zc_hubdb_rows_text(rows, 0, 0);
    snprintf(e->canteen, sizeof e->canteen, "%s", found ? zc_hubdb_rows_text(rows, 0, 0) : "");
    zc_hubdb_rows_free(rows);
    if (!found)
        return zc_diag_set(diag, ZC_ERR_CRYPTO, "%s", CODE_REFUSED);
    /* Under the device's lock, so no push lands between the check and the move. */
    if ((err = zc_hub_lock_device(conn, e->device_id, diag)) ||
        (err = check_move(conn, e->device_id, e->canteen, diag)))
        return err;
    int64_t changes = 0;
    if ((err = zc_hubdb_exec(conn,
                             "UPDATE enrol_code SET used_by = $2, used_ms = $3 "
                             "WHERE code_hash = $1 AND used_by IS NULL AND expires_ms > $3",
                             use, 3, &changes, diag)))
        return err;
    /* Another hub sharing the database used it since it was read. */
    if (changes != 1)
        return zc_diag_set(diag, ZC_ERR_CRYPTO, "%s", CODE_REFUSED);
    if ((err = zc_hub_canteen_find(conn, e->canteen, e->canteen_region, e->timezone, diag)))
        return err;
    /* The id is the key's: enrolling the same key again moves the kiosk, keeping its history. */
    const char *device[] = {e->device_id, pk_text, e->canteen, now};
    return zc_hubdb_exec(conn,
                         "INSERT INTO device (id, public_key, canteen, enrolled_ms) "
                         "VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE "
                         "SET canteen = excluded.canteen, enrolled_ms = excluded.enrolled_ms",
                         device, 4, NULL, diag);
}

zc_err zc_hub_enrol(zc_hub *hub, const zc_hub_request *req, const char *code,
                    const uint8_t pk[ZC_PUBKEY_LEN], zc_hub_enrolment *out, zc_diag *diag)
{
    memset(out, 0, sizeof *out);
    char symbols[CODE_SYMBOLS + 1], hash[ZC_HUB_SHA256_HEX];
    if (!code || !code_normalise(code, symbols))
        return zc_diag_set(diag, ZC_ERR_CRYPTO, "%s", CODE_REFUSED);
    zc_hub_sha256_hex(symbols, CODE_SYMBOLS, hash);
    zc_datadir_device_id(pk, out->device_id);
    enrol_job job = {hash, pk, out};
    zc_err err = check_possession(req, pk, out->device_id, diag);
    if (!err)
        err = zc_hub_transact(hub, use_code, &job, diag);
    if (err) {
        memset(out, 0, sizeof *out);
        return err;
    }
    zc_hub_rules_public_key(hub, out->rules_pk);
    zc_hub_region_key(hub, out->region_key);
    return ZC_OK;
}

static zc_err device_key(zc_hubdb_conn *conn, const char *device, uint8_t pk[ZC_PUBKEY_LEN],
                         zc_diag *diag)
{
    const char *params[] = {device};
    zc_hubdb_rows *rows;
    zc_err err =
        zc_hubdb_query(conn, "SELECT public_key FROM device WHERE id = $1", params, 1, &rows, diag);
    if (err)
        return err;
    const char *text = zc_hubdb_rows_count(rows) == 1 ? zc_hubdb_rows_text(rows, 0, 0) : NULL;
    if (!text)
        err = zc_diag_set(diag, ZC_ERR_CRYPTO, "device %s is not enrolled", device);
    else if (zc_keys_parse_public(text, pk, NULL))
        err = zc_diag_set(diag, ZC_ERR_BROKEN, "device %s: its stored key is not a key", device);
    zc_hubdb_rows_free(rows);
    return err;
}

/* Remembers the nonce; one seen before is a replay. Old nonces are swept now and then. */
static zc_err record_nonce(zc_hub *hub, zc_hubdb_conn *conn, const char *device, const char *nonce,
                           zc_diag *diag)
{
    char now_text[ZC_HUB_INT_TEXT], cutoff[ZC_HUB_INT_TEXT];
    zc_ms now = zc_hub_now(hub);
    const char *params[] = {device, nonce, zc_hub_int_text(now, now_text)};
    int64_t changes = 0;
    zc_err err = zc_hubdb_exec(conn,
                               "INSERT INTO nonce (device, nonce, seen_ms) VALUES ($1, $2, $3) "
                               "ON CONFLICT (device, nonce) DO NOTHING",
                               params, 3, &changes, diag);
    if (err == ZC_ERR_EXISTS || (!err && changes == 0))
        return zc_diag_set(diag, ZC_ERR_CRYPTO, "replayed request: nonce %s was seen before",
                           nonce);
    if (!err && randombytes_uniform(NONCE_PRUNE_ONE_IN) == 0) {
        const char *old[] = {zc_hub_int_text(now - ZC_HUB_NONCE_KEEP_MS, cutoff)};
        err = zc_hubdb_exec(conn, "DELETE FROM nonce WHERE seen_ms < $1", old, 1, NULL, diag);
    }
    return err;
}

static int64_t abs64(int64_t v)
{
    return v < 0 ? -v : v;
}

zc_err zc_hub_authenticate(zc_hub *hub, const zc_hub_request *req, char device_id[ZC_ID_MAX],
                           int64_t *skew_ms, zc_diag *diag)
{
    device_id[0] = '\0';
    *skew_ms = 0;
    if (!req->device || !zc_hub_text_valid(req->device, ZC_ID_MAX - 1))
        return zc_diag_set(diag, ZC_ERR_CRYPTO, "missing or malformed %s header",
                           ZC_SYNC_HDR_DEVICE);
    if (!req->method || !req->path)
        return zc_diag_set(diag, ZC_ERR_INVALID, "a request needs its method and path");
    zc_hubdb_conn *conn;
    zc_err err = zc_hubdb_acquire(hub->db, &conn, diag);
    if (err)
        return err;
    uint8_t pk[ZC_PUBKEY_LEN];
    int64_t time_ms = 0;
    if (!(err = device_key(conn, req->device, pk, diag))) {
        err = zc_syncwire_verify(pk, req->method, req->path, req->time, req->nonce, req->signature,
                                 req->body, req->body_len, &time_ms, diag);
        /* A malformed header is as unauthenticated as a wrong signature (PROTOCOL.md: 401). */
        if (err == ZC_ERR_INVALID)
            err = ZC_ERR_CRYPTO;
        if (!err && (time_ms < ZC_MS_MIN || time_ms > ZC_MS_MAX))
            err = zc_diag_set(diag, ZC_ERR_CRYPTO, "%s is out of range", ZC_SYNC_HDR_TIME);
    }
    int64_t skew = time_ms - zc_hub_now(hub);
    if (!err && !req->heartbeat && abs64(skew) > ZC_SYNC_SKEW_MAX_MS)
        err = zc_diag_set(diag, ZC_ERR_CRYPTO,
                          "the request's time is %lld s from the hub's clock (at most %lld s)",
                          (long long)(skew / ZC_MS_PER_SECOND),
                          (long long)(ZC_SYNC_SKEW_MAX_MS / ZC_MS_PER_SECOND));
    if (!err)
        err = record_nonce(hub, conn, req->device, req->nonce, diag);
    zc_hubdb_release(conn);
    if (err)
        return err;
    snprintf(device_id, ZC_ID_MAX, "%s", req->device);
    *skew_ms = skew;
    return ZC_OK;
}
