#include "zc/ledger.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct zc_ledger {
    zc_store *store;
    zc_keypair key;
    char device_id[ZC_ID_MAX];
    char canteen[ZC_ID_MAX];
    /* Prepared once: a sale's own work is small next to the fsync, so overheads show. */
    sqlite3_stmt *insert;
    sqlite3_stmt *head;
    sqlite3_stmt *next_seq;
};

/* UUID version 4 bits (RFC 4122 section 4.4). */
enum { UUID_BYTES = 16, UUID_VERSION_BYTE = 6, UUID_VARIANT_BYTE = 8 };

static const char INSERT_SQL[] =
    "INSERT INTO sale(seq, uuid, kind, at_ms, local_date, period, elder_id, ident, price, "
    "subsidy, self_pay, paid, tier, rules_version, voids_seq, canon, prev_hash, hash, sig) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)";

static const char HEAD_SQL[] = "SELECT seq, hash, at_ms FROM sale ORDER BY seq DESC LIMIT 1";

/*
 * AUTOINCREMENT's high-water mark: the next number must be above every number ever handed out,
 * not just above the rows that are there now.
 */
static const char NEXT_SEQ_SQL[] =
    "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'sale'), 0) + 1";

static const char GET_SQL[] =
    "SELECT seq, uuid, kind, at_ms, local_date, period, elder_id, ident, price, subsidy, "
    "self_pay, paid, tier, rules_version, voids_seq, canon, hash FROM sale WHERE seq = ?1";

static void copy_id(char *dst, const char *src)
{
    snprintf(dst, ZC_ID_MAX, "%s", src);
}

zc_err zc_ledger_open(zc_store *store, const char *device_id, const char *canteen,
                      const zc_keypair *key, zc_ledger **out, zc_diag *diag)
{
    *out = NULL;
    if (strlen(device_id) >= ZC_ID_MAX || strlen(canteen) >= ZC_ID_MAX || !*device_id || !*canteen)
        return zc_diag_set(diag, ZC_ERR_INVALID, "device id and canteen must be 1-%d bytes",
                           ZC_ID_MAX - 1);
    if (sodium_init() < 0)
        return zc_diag_set(diag, ZC_ERR_CRYPTO, "libsodium failed to initialise");
    zc_ledger *l = calloc(1, sizeof *l);
    if (!l)
        return ZC_ERR_NOMEM;
    l->store = store;
    l->key = *key;
    copy_id(l->device_id, device_id);
    copy_id(l->canteen, canteen);
    sqlite3 *db = zc_store_db(store);
    int rc = sqlite3_prepare_v3(db, INSERT_SQL, -1, SQLITE_PREPARE_PERSISTENT, &l->insert, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v3(db, HEAD_SQL, -1, SQLITE_PREPARE_PERSISTENT, &l->head, NULL);
    if (rc == SQLITE_OK)
        rc =
            sqlite3_prepare_v3(db, NEXT_SEQ_SQL, -1, SQLITE_PREPARE_PERSISTENT, &l->next_seq, NULL);
    if (rc != SQLITE_OK) {
        zc_err err = zc_store_fail(store, rc, "preparing the ledger", diag);
        zc_ledger_close(l);
        return err;
    }
    *out = l;
    return ZC_OK;
}

void zc_ledger_close(zc_ledger *ledger)
{
    if (!ledger)
        return;
    sqlite3_finalize(ledger->insert);
    sqlite3_finalize(ledger->head);
    sqlite3_finalize(ledger->next_seq);
    sodium_memzero(&ledger->key, sizeof ledger->key);
    free(ledger);
}

static void new_uuid(char out[ZC_UUID_TEXT_SIZE])
{
    uint8_t b[UUID_BYTES];
    randombytes_buf(b, sizeof b);
    b[UUID_VERSION_BYTE] = (uint8_t)((b[UUID_VERSION_BYTE] & 0x0f) | 0x40);
    b[UUID_VARIANT_BYTE] = (uint8_t)((b[UUID_VARIANT_BYTE] & 0x3f) | 0x80);
    snprintf(out, ZC_UUID_TEXT_SIZE,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

static zc_err step_int(zc_store *store, sqlite3_stmt *st, int64_t *out, zc_diag *diag)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? ZC_OK : zc_store_fail(store, rc, "reading the ledger", diag);
}

/* Reads the last entry with st (HEAD_SQL); an empty ledger gives seq 0 and a zero hash. */
static zc_err read_head(zc_store *store, sqlite3_stmt *st, zc_ledger_head *out, zc_diag *diag)
{
    memset(out, 0, sizeof *out);
    int rc = sqlite3_step(st);
    zc_err err = ZC_OK;
    if (rc == SQLITE_ROW) {
        out->seq = sqlite3_column_int64(st, 0);
        if (sqlite3_column_bytes(st, 1) == ZC_HASH_LEN)
            memcpy(out->hash, sqlite3_column_blob(st, 1), ZC_HASH_LEN);
        else
            err = zc_diag_set(diag, ZC_ERR_BROKEN, "sale %lld: stored hash has the wrong size",
                              (long long)out->seq);
        out->at = sqlite3_column_int64(st, 2);
    } else if (rc != SQLITE_DONE) {
        err = zc_store_fail(store, rc, "reading the ledger head", diag);
    }
    sqlite3_reset(st);
    return err;
}

zc_err zc_ledger_head_get(zc_store *store, zc_ledger_head *out, zc_diag *diag)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(zc_store_db(store), HEAD_SQL, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        memset(out, 0, sizeof *out);
        return zc_store_fail(store, rc, "reading the ledger head", diag);
    }
    zc_err err = read_head(store, st, out, diag);
    sqlite3_finalize(st);
    return err;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    if (*s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static zc_err insert_entry(zc_ledger *l, zc_sale *s, zc_diag *diag)
{
    zc_store *store = l->store;
    zc_ledger_head head;
    int64_t next = 0;
    zc_err err = read_head(store, l->head, &head, diag);
    if (err)
        return err;
    if (s->at < head.at)
        return zc_diag_set(diag, ZC_ERR_CLOCK,
                           "the time %lld ms is earlier than the last recorded sale (%lld ms): "
                           "the clock must be set before selling",
                           (long long)s->at, (long long)head.at);
    if ((err = step_int(store, l->next_seq, &next, diag)))
        return err;
    s->seq = next;
    new_uuid(s->uuid);
    copy_id(s->device_id, l->device_id);
    copy_id(s->canteen, l->canteen);

    char *canon;
    size_t len;
    if ((err = zc_sale_canon(s, &canon, &len)))
        return zc_diag_set(diag, err, "could not encode the sale");
    uint8_t hash[ZC_HASH_LEN], sig[ZC_SIG_LEN];
    zc_sale_chain_hash(head.hash, canon, len, hash);
    zc_keys_sign(&l->key, hash, sizeof hash, sig);
    memcpy(s->hash, hash, ZC_HASH_LEN);

    char date[ZC_DATE_TEXT_LEN + 1];
    zc_date_format(s->date, date);
    sqlite3_stmt *st = l->insert;
    sqlite3_bind_int64(st, 1, s->seq);
    sqlite3_bind_text(st, 2, s->uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, s->kind == ZC_ENTRY_VOID ? "void" : "sale", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, s->at);
    sqlite3_bind_text(st, 5, date, -1, SQLITE_STATIC);
    bind_text_or_null(st, 6, s->period);
    if (s->elder_id)
        sqlite3_bind_int64(st, 7, s->elder_id);
    else
        sqlite3_bind_null(st, 7);
    sqlite3_bind_text(st, 8, zc_ident_name(s->ident), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, s->price);
    sqlite3_bind_int64(st, 10, s->subsidy);
    sqlite3_bind_int64(st, 11, s->self_pay);
    sqlite3_bind_text(st, 12, zc_pay_name(s->paid), -1, SQLITE_STATIC);
    bind_text_or_null(st, 13, s->tier);
    sqlite3_bind_int64(st, 14, s->rules_version);
    if (s->kind == ZC_ENTRY_VOID)
        sqlite3_bind_int64(st, 15, s->voids_seq);
    else
        sqlite3_bind_null(st, 15);
    sqlite3_bind_blob(st, 16, canon, (int)len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 17, head.hash, ZC_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 18, hash, ZC_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 19, sig, ZC_SIG_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    free(canon);
    return rc == SQLITE_DONE ? ZC_OK : zc_store_fail(store, rc, "recording the sale", diag);
}

static zc_err check_amounts(const zc_sale *s, zc_diag *diag)
{
    if (s->price < 0 || s->subsidy < 0 || s->self_pay < 0)
        return zc_diag_set(diag, ZC_ERR_INVALID, "amounts must not be negative");
    if (s->subsidy > s->price)
        return zc_diag_set(diag, ZC_ERR_INVALID, "subsidy exceeds the price");
    if (s->detail && !json_is_object(s->detail))
        return zc_diag_set(diag, ZC_ERR_INVALID, "sale detail must be a JSON object");
    if (!zc_date_valid(s->date))
        return zc_diag_set(diag, ZC_ERR_INVALID, "sale date is not a valid date");
    return ZC_OK;
}

/* Runs insert_entry in a transaction of its own or as part of the caller's. */
static zc_err append_atomic(zc_ledger *l, zc_sale *s, zc_diag *diag)
{
    zc_err err = zc_store_begin(l->store, diag);
    if (err)
        return err;
    if ((err = insert_entry(l, s, diag)) || (err = zc_store_commit(l->store, diag))) {
        zc_store_rollback(l->store);
        return err;
    }
    return ZC_OK;
}

zc_err zc_ledger_append(zc_ledger *ledger, zc_sale *sale, zc_diag *diag)
{
    if (sale->kind != ZC_ENTRY_SALE)
        return zc_diag_set(diag, ZC_ERR_INVALID, "use zc_ledger_void to void a sale");
    zc_err err = check_amounts(sale, diag);
    return err ? err : append_atomic(ledger, sale, diag);
}

static void column_text(sqlite3_stmt *st, int i, char *buf, size_t size)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(buf, size, "%s", t ? (const char *)t : "");
}

static zc_err read_row(sqlite3_stmt *st, zc_sale *out, zc_diag *diag)
{
    char text[ZC_ID_MAX];
    memset(out, 0, sizeof *out);
    out->seq = sqlite3_column_int64(st, 0);
    column_text(st, 1, out->uuid, sizeof out->uuid);
    column_text(st, 2, text, sizeof text);
    out->kind = strcmp(text, "void") == 0 ? ZC_ENTRY_VOID : ZC_ENTRY_SALE;
    out->at = sqlite3_column_int64(st, 3);
    column_text(st, 4, text, sizeof text);
    if (zc_date_parse(text, strlen(text), &out->date, NULL))
        return zc_diag_set(diag, ZC_ERR_BROKEN, "sale %lld: bad date", (long long)out->seq);
    column_text(st, 5, out->period, sizeof out->period);
    out->elder_id = sqlite3_column_int64(st, 6);
    column_text(st, 7, text, sizeof text);
    if (zc_ident_parse(text, &out->ident))
        return zc_diag_set(diag, ZC_ERR_BROKEN, "sale %lld: bad ident", (long long)out->seq);
    out->price = sqlite3_column_int64(st, 8);
    out->subsidy = sqlite3_column_int64(st, 9);
    out->self_pay = sqlite3_column_int64(st, 10);
    column_text(st, 11, text, sizeof text);
    if (zc_pay_parse(text, &out->paid))
        return zc_diag_set(diag, ZC_ERR_BROKEN, "sale %lld: bad payment", (long long)out->seq);
    column_text(st, 12, out->tier, sizeof out->tier);
    out->rules_version = sqlite3_column_int64(st, 13);
    out->voids_seq = sqlite3_column_int64(st, 14);
    return ZC_OK;
}

/* Reads entry seq's columns, and its reason from the canonical bytes for a void. */
zc_err zc_ledger_get(zc_store *store, int64_t seq, zc_sale *out, zc_diag *diag)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(zc_store_db(store), GET_SQL, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(store, rc, "reading the ledger", diag);
    sqlite3_bind_int64(st, 1, seq);
    rc = sqlite3_step(st);
    zc_err err;
    if (rc == SQLITE_ROW) {
        err = read_row(st, out, diag);
        if (!err && sqlite3_column_bytes(st, 16) == ZC_HASH_LEN)
            memcpy(out->hash, sqlite3_column_blob(st, 16), ZC_HASH_LEN);
        zc_sale canon;
        if (!err && out->kind == ZC_ENTRY_VOID &&
            zc_sale_from_canon(sqlite3_column_blob(st, 15), (size_t)sqlite3_column_bytes(st, 15),
                               &canon, NULL) == ZC_OK) {
            memcpy(out->reason, canon.reason, sizeof out->reason);
            json_decref(canon.detail);
        }
    } else if (rc == SQLITE_DONE) {
        err = zc_diag_set(diag, ZC_ERR_NOT_FOUND, "there is no sale %lld", (long long)seq);
    } else {
        err = zc_store_fail(store, rc, "reading the ledger", diag);
    }
    sqlite3_finalize(st);
    return err;
}

static zc_err voided_by(zc_store *store, int64_t seq, int64_t *by, zc_diag *diag)
{
    sqlite3_stmt *st;
    *by = 0;
    int rc = sqlite3_prepare_v2(zc_store_db(store), "SELECT seq FROM sale WHERE voids_seq = ?1", -1,
                                &st, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(store, rc, "reading the ledger", diag);
    sqlite3_bind_int64(st, 1, seq);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *by = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? ZC_OK
               : zc_store_fail(store, rc, "reading the ledger", diag);
}

zc_err zc_ledger_void(zc_ledger *ledger, int64_t seq, const char *reason, zc_ms at, zc_date date,
                      zc_sale *out, zc_diag *diag)
{
    size_t reason_len = strlen(reason);
    if (reason_len == 0 || reason_len >= ZC_REASON_MAX)
        return zc_diag_set(diag, ZC_ERR_INVALID, "a void needs a reason of 1-%d bytes",
                           ZC_REASON_MAX - 1);
    zc_err err = zc_store_begin(ledger->store, diag);
    if (err)
        return err;
    zc_sale target = {0};
    int64_t by;
    if ((err = zc_ledger_get(ledger->store, seq, &target, diag)))
        goto fail;
    if (target.kind == ZC_ENTRY_VOID) {
        err = zc_diag_set(diag, ZC_ERR_INVALID, "entry %lld is itself a void", (long long)seq);
        goto fail;
    }
    if ((err = voided_by(ledger->store, seq, &by, diag)))
        goto fail;
    if (by) {
        err = zc_diag_set(diag, ZC_ERR_INVALID, "sale %lld was already voided by entry %lld",
                          (long long)seq, (long long)by);
        goto fail;
    }
    /* The void repeats what it cancels so a report needs no second lookup to subtract it. */
    zc_sale v = target;
    v.kind = ZC_ENTRY_VOID;
    v.voids_seq = seq;
    v.at = at;
    v.date = date;
    v.detail = NULL;
    memcpy(v.reason, reason, reason_len + 1);
    if ((err = insert_entry(ledger, &v, diag)) || (err = zc_store_commit(ledger->store, diag)))
        goto fail;
    if (out)
        *out = v;
    return ZC_OK;
fail:
    zc_store_rollback(ledger->store);
    return err;
}

/* The columns are an index over the canonical bytes; they must say the same thing. */
static bool columns_match(const zc_sale *col, const zc_sale *canon)
{
    return col->seq == canon->seq && strcmp(col->uuid, canon->uuid) == 0 &&
           col->kind == canon->kind && col->at == canon->at &&
           zc_date_compare(col->date, canon->date) == 0 &&
           strcmp(col->period, canon->period) == 0 && col->elder_id == canon->elder_id &&
           col->ident == canon->ident && col->price == canon->price &&
           col->subsidy == canon->subsidy && col->self_pay == canon->self_pay &&
           col->paid == canon->paid && strcmp(col->tier, canon->tier) == 0 &&
           col->rules_version == canon->rules_version && col->voids_seq == canon->voids_seq;
}

static zc_err verify_row(sqlite3_stmt *st, const uint8_t pk[ZC_PUBKEY_LEN], int64_t expected_seq,
                         uint8_t prev[ZC_HASH_LEN], zc_diag *diag)
{
    zc_sale col, canon;
    zc_err err = read_row(st, &col, diag);
    if (err)
        return err;
    if (col.seq != expected_seq)
        return zc_diag_set(diag, ZC_ERR_BROKEN, "sequence gap: expected %lld, found %lld",
                           (long long)expected_seq, (long long)col.seq);
    const char *bytes = sqlite3_column_blob(st, 15);
    size_t len = (size_t)sqlite3_column_bytes(st, 15);
    const void *stored_prev = sqlite3_column_blob(st, 16);
    const void *stored_hash = sqlite3_column_blob(st, 17);
    const void *sig = sqlite3_column_blob(st, 18);
    if (sqlite3_column_bytes(st, 16) != ZC_HASH_LEN ||
        sqlite3_column_bytes(st, 17) != ZC_HASH_LEN || sqlite3_column_bytes(st, 18) != ZC_SIG_LEN)
        return zc_diag_set(diag, ZC_ERR_BROKEN, "hash or signature has the wrong size");
    if (memcmp(stored_prev, prev, ZC_HASH_LEN) != 0)
        return zc_diag_set(diag, ZC_ERR_BROKEN, "previous hash does not match entry %lld",
                           (long long)expected_seq - 1);
    uint8_t hash[ZC_HASH_LEN];
    zc_sale_chain_hash(prev, bytes ? bytes : "", len, hash);
    if (memcmp(hash, stored_hash, ZC_HASH_LEN) != 0)
        return zc_diag_set(diag, ZC_ERR_BROKEN, "hash does not match the recorded bytes");
    if (zc_keys_verify(pk, hash, sizeof hash, sig))
        return zc_diag_set(diag, ZC_ERR_BROKEN, "device signature is not valid");
    zc_diag inner;
    if (zc_sale_from_canon(bytes ? bytes : "", len, &canon, &inner))
        return zc_diag_set(diag, ZC_ERR_BROKEN, "%s", inner.msg);
    json_decref(canon.detail);
    if (!columns_match(&col, &canon))
        return zc_diag_set(diag, ZC_ERR_BROKEN, "stored columns differ from the signed bytes");
    memcpy(prev, hash, ZC_HASH_LEN);
    return ZC_OK;
}

zc_err zc_ledger_verify(zc_store *store, const uint8_t pk[ZC_PUBKEY_LEN], zc_ledger_check *out,
                        zc_diag *diag)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(zc_store_db(store),
                                "SELECT seq, uuid, kind, at_ms, local_date, period, elder_id, "
                                "ident, price, subsidy, self_pay, paid, tier, rules_version, "
                                "voids_seq, canon, prev_hash, hash, sig FROM sale ORDER BY seq",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return zc_store_fail(store, rc, "reading the ledger", diag);
    uint8_t prev[ZC_HASH_LEN] = {0};
    zc_err err = ZC_OK;
    zc_ms last_at = INT64_MIN;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t expected = out->entries + 1;
        zc_diag inner;
        err = verify_row(st, pk, expected, prev, &inner);
        if (!err && sqlite3_column_int64(st, 3) < last_at)
            err = zc_diag_set(&inner, ZC_ERR_BROKEN, "time is earlier than the entry before");
        if (err) {
            out->first_bad = expected;
            err = zc_diag_set(diag, ZC_ERR_BROKEN, "sale %lld: %s", (long long)expected, inner.msg);
            break;
        }
        last_at = sqlite3_column_int64(st, 3);
        out->entries = expected;
        out->head.seq = expected;
        out->head.at = last_at;
        memcpy(out->head.hash, prev, ZC_HASH_LEN);
    }
    if (!err && rc != SQLITE_DONE)
        err = zc_store_fail(store, rc, "reading the ledger", diag);
    sqlite3_finalize(st);
    return err;
}
