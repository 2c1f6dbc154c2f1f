/*
 * Pushed sales, heartbeats and what the hub notices about kiosks (DESIGN.md "Sync", PROTOCOL.md
 * POST /v1/sales and /v1/heartbeat).
 *
 * A batch is one transaction under the device's writer lock, so two hubs sharing one database never
 * interleave one device's chain, and a batch that fails half way leaves nothing behind. Each
 * (device, seq) is stored once, with its canonical bytes as received. Nothing that arrives is
 * dropped: a record that fails a check is stored in quarantine and raised as an anomaly, and still
 * counts as received so the kiosk's queue behind it moves on. What the hub answers as acked is the
 * highest seq it holds with none missing below, in whatever order the records came.
 *
 * Two canteens' kiosks may sell one elder a subsidised meal each and push at the same moment.
 * Each batch's check for the other meal must see the other batch's insert, so a batch first takes
 * a lock per (elder, local date) of its subsidised sales, in sorted order so that two batches
 * never wait for each other in a circle (the device lock always comes first, and one device's
 * batches are serialised by it).
 */
#include "hub_impl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    ACK_PAGE = 1000, /* held records read at a time while advancing acked */
    FAULTS_MAX = 32, /* faults one heartbeat may report */
    FAULT_MAX = 256, /* bytes of one fault's text */
    APP_VERSION_MAX = ZC_ID_MAX - 1,
    ANOMALIES_DEFAULT = 100,
    ANOMALIES_MAX = 1000,
    HASH_HEX = ZC_HEX_SIZE(ZC_HASH_LEN),
    SIG_B64 = ZC_B64_SIZE(ZC_SIG_LEN),
    /* "subsidy:", an elder id, ':' and a date, with the NUL */
    SUBSIDY_LOCK_MAX = 8 + ZC_HUB_INT_TEXT + 1 + ZC_DATE_TEXT_LEN + 1,
};

#define DEVICE_LOCK_PREFIX "device:"
#define SUBSIDY_LOCK_PREFIX "subsidy:"
#define HEX_PREFIX "hex:" /* canonical bytes that are not UTF-8 text are kept in hex */

/* Anomaly kinds (PROTOCOL.md, GET /admin/api/anomalies). */
#define ANOMALY_BAD_SIGNATURE "bad_signature"
#define ANOMALY_BROKEN_CHAIN "broken_chain"
#define ANOMALY_MALFORMED "malformed"
#define ANOMALY_WRONG_DEVICE "wrong_device"
#define ANOMALY_CONFLICT "conflicting_duplicate"
#define ANOMALY_UNKNOWN_ELDER "unknown_elder"
#define ANOMALY_DOUBLE_SUBSIDY "double_subsidy"
#define ANOMALY_CLOCK_SKEW "clock_skew"
#define ANOMALY_WRONG_CANTEEN "wrong_canteen"

static const uint8_t GENESIS[ZC_HASH_LEN]; /* the prev_hash of every device's first entry */

static const char *text_or_null(const char *s)
{
    return s && *s ? s : NULL;
}

zc_err zc_hub_anomaly_add(zc_hub *hub, zc_hubdb_conn *conn, const char *kind, const char *device,
                          int64_t seq, const char *canteen, int64_t elder_id, const char *detail,
                          zc_diag *diag)
{
    /* A message cut to fit its buffer may end inside a character; the database wants UTF-8. */
    char text[ZC_DIAG_MAX];
    snprintf(text, sizeof text, "%s", detail ? detail : "");
    size_t len = strlen(text);
    while (len > 0 && !zc_hub_utf8_valid(text, len))
        text[--len] = '\0';
    char at[ZC_HUB_INT_TEXT], seq_text[ZC_HUB_INT_TEXT], elder[ZC_HUB_INT_TEXT];
    const char *params[] = {zc_hub_int_text(zc_hub_now(hub), at),
                            kind,
                            text_or_null(device),
                            seq ? zc_hub_int_text(seq, seq_text) : NULL,
                            text_or_null(canteen),
                            elder_id ? zc_hub_int_text(elder_id, elder) : NULL,
                            text};
    return zc_hubdb_exec(
        conn,
        "INSERT INTO anomaly (at_ms, kind, device, seq, canteen, elder_id, detail) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7)",
        params, 7, NULL, diag);
}

/* ---- push ---- */

typedef struct device_state {
    uint8_t pk[ZC_PUBKEY_LEN];
    char canteen[ZC_ID_MAX];
    int64_t acked;
    char acked_hash[HASH_HEX];
} device_state;

typedef struct push_job {
    const char *device;
    const zc_syncwire_sale **recs; /* sorted by seq */
    size_t n;
    zc_hub_push_result *out;
    device_state dev;
} push_job;

/* One record's verdict: stored ok, or in quarantine for the reason kind names. */
typedef struct verdict {
    const char *anomaly; /* NULL: the record is sound */
    char detail[ZC_DIAG_MAX];
    bool parsed; /* sale holds the canon's fields */
    zc_sale sale;
} verdict;

static zc_err read_device(zc_hubdb_conn *conn, const char *device, device_state *dev, zc_diag *diag)
{
    const char *params[] = {device};
    zc_hubdb_rows *rows;
    zc_err err = zc_hubdb_query(
        conn, "SELECT public_key, canteen, acked_seq, acked_hash FROM device WHERE id = $1", params,
        1, &rows, diag);
    if (err)
        return err;
    if (zc_hubdb_rows_count(rows) != 1) {
        err = zc_diag_set(diag, ZC_ERR_NOT_FOUND, "device %s is not enrolled", device);
    } else {
        const char *pk = zc_hubdb_rows_text(rows, 0, 0);
        if (!pk || zc_keys_parse_public(pk, dev->pk, NULL))
            err =
                zc_diag_set(diag, ZC_ERR_BROKEN, "device %s: its stored key is not a key", device);
        snprintf(dev->canteen, sizeof dev->canteen, "%s",
                 zc_hubdb_rows_text(rows, 0, 1) ? zc_hubdb_rows_text(rows, 0, 1) : "");
        dev->acked = zc_hubdb_rows_int(rows, 0, 2);
        snprintf(dev->acked_hash, sizeof dev->acked_hash, "%s",
                 zc_hubdb_rows_text(rows, 0, 3) ? zc_hubdb_rows_text(rows, 0, 3) : "");
    }
    zc_hubdb_rows_free(rows);
    return err;
}

zc_err zc_hub_lock_device(zc_hubdb_conn *conn, const char *device, zc_diag *diag)
{
    char name[ZC_HUB_DEVICE_LOCK_MAX];
    snprintf(name, sizeof name, "%s%s", DEVICE_LOCK_PREFIX, device);
    return zc_hubdb_lock(conn, name, diag);
}

/* Canonical bytes the database can hold as text: UTF-8 without NUL bytes. */
static bool canon_is_text(const zc_syncwire_sale *rec)
{
    return strlen(rec->canon) == rec->canon_len && zc_hub_utf8_valid(rec->canon, rec->canon_len);
}

/* Checks a record on its own: the canon's shape, whose it is, its hash and signature. */
static void check_record(const push_job *job, const zc_syncwire_sale *rec, verdict *v)
{
    zc_diag d = {{0}, 0};
    if (!canon_is_text(rec)) {
        v->anomaly = ANOMALY_MALFORMED;
        snprintf(v->detail, sizeof v->detail, "canonical bytes are not UTF-8 text");
        return;
    }
    if (zc_sale_from_canon(rec->canon, rec->canon_len, &v->sale, &d)) {
        v->anomaly = ANOMALY_MALFORMED;
        snprintf(v->detail, sizeof v->detail, "%s", d.msg);
        return;
    }
    v->parsed = true;
    if (strcmp(v->sale.device_id, job->device) != 0) {
        v->anomaly = ANOMALY_WRONG_DEVICE;
        snprintf(v->detail, sizeof v->detail, "the entry is device %s's", v->sale.device_id);
        return;
    }
    if (v->sale.seq != rec->seq) {
        v->anomaly = ANOMALY_MALFORMED;
        snprintf(v->detail, sizeof v->detail, "pushed as seq %lld, the entry says %lld",
                 (long long)rec->seq, (long long)v->sale.seq);
        return;
    }
    zc_sale checked;
    memset(&checked, 0, sizeof checked);
    zc_err err = zc_syncwire_sale_check(rec, job->dev.pk, job->device, &checked, &d);
    json_decref(checked.detail);
    if (err) {
        v->anomaly = err == ZC_ERR_INVALID ? ANOMALY_MALFORMED : ANOMALY_BAD_SIGNATURE;
        snprintf(v->detail, sizeof v->detail, "%s", d.msg);
    }
}

/* The hex text of column col of the record held at (device, seq), into out; "" when not held. */
static zc_err held_hex(zc_hubdb_conn *conn, const char *device, int64_t seq, const char *sql,
                       char out[HASH_HEX], zc_diag *diag)
{
    char seq_text[ZC_HUB_INT_TEXT];
    const char *params[] = {device, zc_hub_int_text(seq, seq_text)};
    zc_hubdb_rows *rows;
    out[0] = '\0';
    zc_err err = zc_hubdb_query(conn, sql, params, 2, &rows, diag);
    if (err)
        return err;
    if (zc_hubdb_rows_count(rows) == 1 && zc_hubdb_rows_text(rows, 0, 0))
        snprintf(out, HASH_HEX, "%s", zc_hubdb_rows_text(rows, 0, 0));
    zc_hubdb_rows_free(rows);
    return ZC_OK;
}

/*
 * Checks that a sound record links to its neighbours the hub holds: prev_hash is the hash held
 * for seq - 1 (or the genesis for seq 1), and the held seq + 1 names this hash as its prev_hash
 * (records may arrive in any order).
 */
static zc_err check_chain(zc_hubdb_conn *conn, const push_job *job, const zc_syncwire_sale *rec,
                          verdict *v, zc_diag *diag)
{
    char prev[HASH_HEX], hash[HASH_HEX], held[HASH_HEX];
    zc_hex_encode(rec->prev_hash, ZC_HASH_LEN, prev);
    zc_hex_encode(rec->hash, ZC_HASH_LEN, hash);
    zc_err err;
    if (rec->seq == 1) {
        if (memcmp(rec->prev_hash, GENESIS, ZC_HASH_LEN) != 0) {
            v->anomaly = ANOMALY_BROKEN_CHAIN;
            snprintf(v->detail, sizeof v->detail, "entry 1 does not start a chain");
            return ZC_OK;
        }
    } else {
        if ((err = held_hex(conn, job->device, rec->seq - 1,
                            "SELECT hash FROM sale WHERE device = $1 AND seq = $2", held, diag)))
            return err;
        if (*held && strcmp(held, prev) != 0) {
            v->anomaly = ANOMALY_BROKEN_CHAIN;
            snprintf(v->detail, sizeof v->detail,
                     "prev_hash %.16s... is not the hash %.16s... held for entry %lld", prev, held,
                     (long long)(rec->seq - 1));
            return ZC_OK;
        }
    }
    if ((err = held_hex(conn, job->device, rec->seq + 1,
                        "SELECT prev_hash FROM sale WHERE device = $1 AND seq = $2", held, diag)))
        return err;
    if (*held && strcmp(held, hash) != 0) {
        v->anomaly = ANOMALY_BROKEN_CHAIN;
        snprintf(v->detail, sizeof v->detail,
                 "hash %.16s... is not the prev_hash %.16s... of entry %lld held", hash, held,
                 (long long)(rec->seq + 1));
    }
    return ZC_OK;
}

/* The canon as stored: as received, or hex when it is not text the database can hold. */
static char *canon_for_storage(const zc_syncwire_sale *rec)
{
    if (canon_is_text(rec))
        return strdup(rec->canon);
    char *hex = malloc(sizeof HEX_PREFIX - 1 + ZC_HEX_SIZE(rec->canon_len));
    if (hex) {
        memcpy(hex, HEX_PREFIX, sizeof HEX_PREFIX - 1);
        zc_hex_encode((const uint8_t *)rec->canon, rec->canon_len, hex + sizeof HEX_PREFIX - 1);
    }
    return hex;
}

static zc_err insert_record(zc_hub *hub, zc_hubdb_conn *conn, const push_job *job,
                            const zc_syncwire_sale *rec, const verdict *v, zc_diag *diag)
{
    const zc_sale *s = &v->sale;
    char seq[ZC_HUB_INT_TEXT], at[ZC_HUB_INT_TEXT], elder[ZC_HUB_INT_TEXT], price[ZC_HUB_INT_TEXT],
        subsidy[ZC_HUB_INT_TEXT], self_pay[ZC_HUB_INT_TEXT], rules[ZC_HUB_INT_TEXT],
        voids[ZC_HUB_INT_TEXT], now[ZC_HUB_INT_TEXT], date[ZC_DATE_TEXT_LEN + 1] = "";
    char prev[HASH_HEX], hash[HASH_HEX], sig[SIG_B64];
    zc_hex_encode(rec->prev_hash, ZC_HASH_LEN, prev);
    zc_hex_encode(rec->hash, ZC_HASH_LEN, hash);
    zc_b64_encode(rec->sig, ZC_SIG_LEN, sig);
    if (v->parsed)
        zc_date_format(s->date, date);
    char *canon = canon_for_storage(rec);
    if (!canon)
        return ZC_ERR_NOMEM;
    /* A record that did not parse keeps its bytes; its columns stay empty. */
    const char *params[] = {
        job->device,
        zc_hub_int_text(rec->seq, seq),
        v->parsed ? s->uuid : "",
        v->parsed && s->kind == ZC_ENTRY_VOID ? "void" : "sale",
        v->parsed ? s->canteen : job->dev.canteen,
        zc_hub_int_text(v->parsed ? s->at : 0, at),
        date,
        v->parsed ? text_or_null(s->period) : NULL,
        v->parsed && s->elder_id ? zc_hub_int_text(s->elder_id, elder) : NULL,
        v->parsed ? zc_ident_name(s->ident) : "",
        zc_hub_int_text(v->parsed ? s->price : 0, price),
        zc_hub_int_text(v->parsed ? s->subsidy : 0, subsidy),
        zc_hub_int_text(v->parsed ? s->self_pay : 0, self_pay),
        v->parsed ? zc_pay_name(s->paid) : "",
        v->parsed ? text_or_null(s->tier) : NULL,
        zc_hub_int_text(v->parsed ? s->rules_version : 0, rules),
        v->parsed && s->kind == ZC_ENTRY_VOID ? zc_hub_int_text(s->voids_seq, voids) : NULL,
        canon,
        prev,
        hash,
        sig,
        v->anomaly ? "quarantine" : "ok",
        zc_hub_int_text(zc_hub_now(hub), now),
    };
    zc_err err = zc_hubdb_exec(
        conn,
        "INSERT INTO sale (device, seq, uuid, kind, canteen, at_ms, local_date, period, elder_id,"
        " ident, price, subsidy, self_pay, paid, tier, rules_version, voids_seq, canon, prev_hash,"
        " hash, sig, status, received_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
        " $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)",
        params, (int)(sizeof params / sizeof params[0]), NULL, diag);
    free(canon);
    return err;
}

/* A record already held: a duplicate, and an anomaly when its bytes differ from what is held. */
static zc_err check_duplicate(zc_hub *hub, zc_hubdb_conn *conn, const push_job *job,
                              const zc_syncwire_sale *rec, const zc_hubdb_rows *held, zc_diag *diag)
{
    char prev[HASH_HEX], hash[HASH_HEX], sig[SIG_B64];
    zc_hex_encode(rec->prev_hash, ZC_HASH_LEN, prev);
    zc_hex_encode(rec->hash, ZC_HASH_LEN, hash);
    zc_b64_encode(rec->sig, ZC_SIG_LEN, sig);
    char *canon = canon_for_storage(rec);
    if (!canon)
        return ZC_ERR_NOMEM;
    const char *mine[] = {canon, prev, hash, sig};
    bool same = true;
    for (int c = 0; c < 4; c++) {
        const char *theirs = zc_hubdb_rows_text(held, 0, c);
        same = same && theirs && strcmp(theirs, mine[c]) == 0;
    }
    free(canon);
    job->out->duplicates++;
    if (same)
        return ZC_OK;
    char detail[ZC_DIAG_MAX];
    snprintf(detail, sizeof detail,
             "entry %lld came again with other bytes (hash %.16s...); the first is kept",
             (long long)rec->seq, hash);
    return zc_hub_anomaly_add(hub, conn, ANOMALY_CONFLICT, job->device, rec->seq, job->dev.canteen,
                              0, detail, diag);
}

static zc_err check_elder(zc_hub *hub, zc_hubdb_conn *conn, const push_job *job, const zc_sale *s,
                          zc_diag *diag)
{
    char elder[ZC_HUB_INT_TEXT];
    const char *params[] = {zc_hub_int_text(s->elder_id, elder)};
    zc_hubdb_rows *rows;
    zc_err err = zc_hubdb_query(conn, "SELECT 1 FROM elder WHERE id = $1", params, 1, &rows, diag);
    if (err)
        return err;
    bool known = zc_hubdb_rows_count(rows) > 0;
    zc_hubdb_rows_free(rows);
    if (known)
        return ZC_OK;
    char detail[ZC_DIAG_MAX];
    snprintf(detail, sizeof detail, "entry %lld sold to elder %lld, who is not in the roster",
             (long long)s->seq, (long long)s->elder_id);
    return zc_hub_anomaly_add(hub, conn, ANOMALY_UNKNOWN_ELDER, job->device, s->seq, s->canteen,
                              s->elder_id, detail, diag);
}

/* A subsidised meal of an elder who had one already in this period of this day elsewhere. */
static zc_err check_double_subsidy(zc_hub *hub, zc_hubdb_conn *conn, const push_job *job,
                                   const zc_sale *s, zc_diag *diag)
{
    char elder[ZC_HUB_INT_TEXT], date[ZC_DATE_TEXT_LEN + 1];
    zc_date_format(s->date, date);
    const char *params[] = {zc_hub_int_text(s->elder_id, elder), date, s->period, s->canteen};
    zc_hubdb_rows *rows;
    zc_err err =
        zc_hubdb_query(conn,
                       "SELECT s.canteen, s.device, s.seq FROM sale s WHERE s.elder_id = $1"
                       " AND s.local_date = $2 AND COALESCE(s.period, '') = $3 AND s.canteen <> $4"
                       " AND s.kind = 'sale' AND s.status = 'ok' AND s.subsidy > 0 AND NOT EXISTS"
                       " (SELECT 1 FROM sale v WHERE v.device = s.device AND v.kind = 'void'"
                       "  AND v.status = 'ok' AND v.voids_seq = s.seq)"
                       " ORDER BY s.received_ms, s.device, s.seq LIMIT 1",
                       params, 4, &rows, diag);
    if (err)
        return err;
    char detail[ZC_DIAG_MAX] = "";
    if (zc_hubdb_rows_count(rows) > 0)
        snprintf(detail, sizeof detail,
                 "elder %lld had a subsidised %s on %s at canteen %s already (%s entry %s)",
                 (long long)s->elder_id, *s->period ? s->period : "meal", date,
                 zc_hubdb_rows_text(rows, 0, 0), zc_hubdb_rows_text(rows, 0, 1),
                 zc_hubdb_rows_text(rows, 0, 2));
    zc_hubdb_rows_free(rows);
    if (!*detail)
        return ZC_OK;
    return zc_hub_anomaly_add(hub, conn, ANOMALY_DOUBLE_SUBSIDY, job->device, s->seq, s->canteen,
                              s->elder_id, detail, diag);
}

/* An entry made under another canteen than the one the device is enrolled in. */
static zc_err check_canteen(zc_hub *hub, zc_hubdb_conn *conn, const push_job *job, const zc_sale *s,
                            zc_diag *diag)
{
    if (strcmp(s->canteen, job->dev.canteen) == 0)
        return ZC_OK;
    char detail[ZC_DIAG_MAX];
    snprintf(detail, sizeof detail,
             "entry %lld was made at canteen %s; device %s is enrolled in %s", (long long)s->seq,
             s->canteen, job->device, job->dev.canteen);
    /* Raised to the kiosk's own canteen: its manager is who can put it right. */
    return zc_hub_anomaly_add(hub, conn, ANOMALY_WRONG_CANTEEN, job->device, s->seq,
                              job->dev.canteen, s->elder_id, detail, diag);
}

static zc_err store_one(zc_hub *hub, zc_hubdb_conn *conn, push_job *job,
                        const zc_syncwire_sale *rec, zc_diag *diag)
{
    char seq[ZC_HUB_INT_TEXT];
    const char *key[] = {job->device, zc_hub_int_text(rec->seq, seq)};
    zc_hubdb_rows *held;
    zc_err err = zc_hubdb_query(
        conn, "SELECT canon, prev_hash, hash, sig FROM sale WHERE device = $1 AND seq = $2", key, 2,
        &held, diag);
    if (err)
        return err;
    if (zc_hubdb_rows_count(held) > 0) {
        err = check_duplicate(hub, conn, job, rec, held, diag);
        zc_hubdb_rows_free(held);
        return err;
    }
    zc_hubdb_rows_free(held);

    verdict v;
    memset(&v, 0, sizeof v);
    check_record(job, rec, &v);
    if (!v.anomaly)
        err = check_chain(conn, job, rec, &v, diag);
    if (!err)
        err = insert_record(hub, conn, job, rec, &v, diag);
    if (!err) {
        job->out->received++;
        if (v.anomaly) {
            job->out->quarantined++;
            err = zc_hub_anomaly_add(hub, conn, v.anomaly, job->device, rec->seq, job->dev.canteen,
                                     v.parsed ? v.sale.elder_id : 0, v.detail, diag);
        } else {
            err = check_canteen(hub, conn, job, &v.sale, diag);
            /* Voids repeat their sale's elder: one anomaly per meal is enough. */
            if (!err && v.sale.kind == ZC_ENTRY_SALE && v.sale.elder_id) {
                err = check_elder(hub, conn, job, &v.sale, diag);
                if (!err && v.sale.subsidy > 0)
                    err = check_double_subsidy(hub, conn, job, &v.sale, diag);
            }
        }
    }
    json_decref(v.sale.detail);
    return err;
}

/* Moves acked up over every record now held without a gap, and records it with the device. */
static zc_err advance_acked(zc_hub *hub, zc_hubdb_conn *conn, push_job *job, zc_diag *diag)
{
    device_state *dev = &job->dev;
    bool gap = false;
    zc_err err = ZC_OK;
    while (!err && !gap) {
        char after[ZC_HUB_INT_TEXT], limit[ZC_HUB_INT_TEXT];
        const char *params[] = {job->device, zc_hub_int_text(dev->acked, after),
                                zc_hub_int_text(ACK_PAGE, limit)};
        zc_hubdb_rows *rows;
        if ((err = zc_hubdb_query(conn,
                                  "SELECT seq, hash FROM sale WHERE device = $1 AND seq > $2 "
                                  "ORDER BY seq LIMIT $3",
                                  params, 3, &rows, diag)))
            break;
        size_t count = zc_hubdb_rows_count(rows);
        for (size_t r = 0; r < count && !gap; r++) {
            if (zc_hubdb_rows_int(rows, r, 0) != dev->acked + 1) {
                gap = true;
            } else {
                dev->acked++;
                snprintf(dev->acked_hash, sizeof dev->acked_hash, "%s",
                         zc_hubdb_rows_text(rows, r, 1) ? zc_hubdb_rows_text(rows, r, 1) : "");
            }
        }
        zc_hubdb_rows_free(rows);
        gap = gap || count < ACK_PAGE;
    }
    if (err)
        return err;
    char acked[ZC_HUB_INT_TEXT], now[ZC_HUB_INT_TEXT];
    const char *params[] = {job->device, zc_hub_int_text(dev->acked, acked), dev->acked_hash,
                            zc_hub_int_text(zc_hub_now(hub), now)};
    job->out->acked = dev->acked;
    return zc_hubdb_exec(conn,
                         "UPDATE device SET acked_seq = $2, acked_hash = $3, last_seen_ms = $4 "
                         "WHERE id = $1",
                         params, 4, NULL, diag);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Takes the lock of every (elder, local date) the batch's subsidised sales claim, each once, in
 * sorted order. A record whose canon does not parse claims nothing (it goes to quarantine).
 */
static zc_err lock_subsidies(zc_hubdb_conn *conn, const push_job *job, zc_diag *diag)
{
    char(*names)[SUBSIDY_LOCK_MAX] = calloc(job->n ? job->n : 1, sizeof *names);
    const char **sorted = calloc(job->n ? job->n : 1, sizeof *sorted);
    zc_err err = names && sorted ? ZC_OK : ZC_ERR_NOMEM;
    size_t count = 0;
    for (size_t i = 0; !err && i < job->n; i++) {
        const zc_syncwire_sale *rec = job->recs[i];
        zc_sale s;
        memset(&s, 0, sizeof s);
        if (zc_sale_from_canon(rec->canon, rec->canon_len, &s, NULL) == ZC_OK &&
            s.kind == ZC_ENTRY_SALE && s.elder_id && s.subsidy > 0) {
            char date[ZC_DATE_TEXT_LEN + 1];
            zc_date_format(s.date, date);
            snprintf(names[count], sizeof names[count], SUBSIDY_LOCK_PREFIX "%" PRId64 ":%s",
                     s.elder_id, date);
            sorted[count] = names[count];
            count++;
        }
        json_decref(s.detail);
    }
    if (!err)
        qsort(sorted, count, sizeof *sorted, by_name);
    for (size_t i = 0; !err && i < count; i++)
        if (i == 0 || strcmp(sorted[i], sorted[i - 1]) != 0)
            err = zc_hubdb_lock(conn, sorted[i], diag);
    free(sorted);
    free(names);
    return err;
}

static zc_err push_batch(zc_hub *hub, zc_hubdb_conn *conn, void *ctx, zc_diag *diag)
{
    push_job *job = ctx;
    zc_err err;
    if ((err = zc_hub_lock_device(conn, job->device, diag)) ||
        (err = lock_subsidies(conn, job, diag)) ||
        (err = read_device(conn, job->device, &job->dev, diag)))
        return err;
    for (size_t i = 0; i < job->n && !err; i++)
        err = store_one(hub, conn, job, job->recs[i], diag);
    if (!err)
        err = advance_acked(hub, conn, job, diag);
    return err;
}

static int by_seq(const void *a, const void *b)
{
    const zc_syncwire_sale *x = *(const zc_syncwire_sale *const *)a;
    const zc_syncwire_sale *y = *(const zc_syncwire_sale *const *)b;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

zc_err zc_hub_push(zc_hub *hub, const char *device_id, const zc_syncwire_sale *recs, size_t n,
                   zc_hub_push_result *out, zc_diag *diag)
{
    memset(out, 0, sizeof *out);
    if (!device_id || !zc_hub_text_valid(device_id, ZC_ID_MAX - 1))
        return zc_diag_set(diag, ZC_ERR_INVALID, "device: not a device id");
    if (n > ZC_SYNC_BATCH_MAX)
        return zc_diag_set(diag, ZC_ERR_INVALID, "sales: at most %d in one push",
                           ZC_SYNC_BATCH_MAX);
    for (size_t i = 0; i < n; i++) {
        /* Kiosks number entries from 1; anything else is no ledger's and has no place to go. */
        if (recs[i].seq < 1 || recs[i].seq > ZC_HUB_SEQ_MAX)
            return zc_diag_set(diag, ZC_ERR_INVALID, "sales[%zu].seq: must be 1 to %" PRId64, i,
                               (int64_t)ZC_HUB_SEQ_MAX);
        if (!recs[i].canon)
            return zc_diag_set(diag, ZC_ERR_INVALID, "sales[%zu].canon: missing", i);
    }
    push_job job = {.device = device_id, .n = n, .out = out};
    job.recs = malloc((n ? n : 1) * sizeof *job.recs);
    if (!job.recs)
        return ZC_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        job.recs[i] = &recs[i];
    qsort(job.recs, n, sizeof *job.recs, by_seq);
    zc_err err = zc_hub_transact(hub, push_batch, &job, diag);
    free(job.recs);
    if (err)
        memset(out, 0, sizeof *out);
    return err;
}

/* ---- heartbeat ---- */

typedef struct heartbeat {
    const char *device;
    zc_ms sent;   /* the kiosk's clock, as it signed the heartbeat */
    int64_t skew; /* sent - the hub's clock */
    const char *pending, *rules_version, *faults, *version; /* NULL: not reported */
} heartbeat;

static int64_t abs64(int64_t v)
{
    return v < 0 ? -v : v;
}

static zc_err record_heartbeat(zc_hub *hub, zc_hubdb_conn *conn, void *ctx, zc_diag *diag)
{
    const heartbeat *hb = ctx;
    zc_err err;
    if ((err = zc_hub_lock_device(conn, hb->device, diag)))
        return err;
    const char *id[] = {hb->device};
    zc_hubdb_rows *rows;
    if ((err = zc_hubdb_query(
             conn, "SELECT clock_skew_ms, canteen, heartbeat_ms FROM device WHERE id = $1", id, 1,
             &rows, diag)))
        return err;
    bool known = zc_hubdb_rows_count(rows) == 1;
    int64_t before = known ? zc_hubdb_rows_int(rows, 0, 0) : 0;
    bool skewed_before = known && zc_hubdb_rows_text(rows, 0, 2);
    zc_ms newest_skewed = skewed_before ? zc_hubdb_rows_int(rows, 0, 2) : 0;
    char canteen[ZC_ID_MAX];
    snprintf(canteen, sizeof canteen, "%s",
             known && zc_hubdb_rows_text(rows, 0, 1) ? zc_hubdb_rows_text(rows, 0, 1) : "");
    zc_hubdb_rows_free(rows);
    if (!known)
        return zc_diag_set(diag, ZC_ERR_NOT_FOUND, "device %s is not enrolled", hb->device);
    /*
     * A heartbeat may come with any time (PROTOCOL.md) and its nonce is forgotten after ten
     * minutes, so one signed with the clock off may be sent again much later. Kiosk clocks run
     * forwards: a heartbeat not newer than the newest taken with the clock off is such an old
     * one sent again (even when its time has become the hub's), and says nothing. Only those are
     * remembered: within the skew a replay reuses a nonce still kept, and a kiosk whose clock
     * was right and then falls behind must still have its drift raised.
     */
    if (skewed_before && hb->sent <= newest_skewed)
        return ZC_OK;
    /* Raised when the clock goes wrong, not at every beat while it stays wrong. */
    if (abs64(hb->skew) > ZC_SYNC_SKEW_WARN_MS && abs64(before) <= ZC_SYNC_SKEW_WARN_MS) {
        char detail[ZC_DIAG_MAX];
        snprintf(detail, sizeof detail, "the kiosk's clock is %+lld s from the hub's",
                 (long long)(hb->skew / ZC_MS_PER_SECOND));
        if ((err = zc_hub_anomaly_add(hub, conn, ANOMALY_CLOCK_SKEW, hb->device, 0, canteen, 0,
                                      detail, diag)))
            return err;
    }
    char now[ZC_HUB_INT_TEXT], skew[ZC_HUB_INT_TEXT], sent[ZC_HUB_INT_TEXT];
    zc_hub_int_text(hb->sent, sent);
    zc_hub_int_text(hb->skew, skew);
    /* Past the skew a request is otherwise refused: only the clock it shows is worth keeping. */
    if (abs64(hb->skew) > ZC_SYNC_SKEW_MAX_MS) {
        const char *clock[] = {hb->device, sent, skew};
        return zc_hubdb_exec(
            conn, "UPDATE device SET heartbeat_ms = $2, clock_skew_ms = $3 WHERE id = $1", clock, 3,
            NULL, diag);
    }
    const char *params[] = {hb->device,  zc_hub_int_text(zc_hub_now(hub), now),
                            hb->pending, skew,
                            hb->faults,  hb->rules_version,
                            hb->version};
    return zc_hubdb_exec(conn,
                         "UPDATE device SET last_seen_ms = $2, pending = COALESCE($3, pending),"
                         " clock_skew_ms = $4, faults = COALESCE($5, faults),"
                         " rules_version = COALESCE($6, rules_version),"
                         " app_version = COALESCE($7, app_version) WHERE id = $1",
                         params, 7, NULL, diag);
}

/* An optional non-negative integer member as text; *text NULL when absent. */
static zc_err count_member(const json_t *body, const char *key, char buf[ZC_HUB_INT_TEXT],
                           const char **text, zc_diag *diag)
{
    json_t *v = json_object_get(body, key);
    *text = NULL;
    if (!v)
        return ZC_OK;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: must be a whole number, 0 or more", key);
    *text = zc_hub_int_text(json_integer_value(v), buf);
    return ZC_OK;
}

static zc_err check_faults(const json_t *faults, zc_diag *diag)
{
    if (!json_is_array(faults) || json_array_size(faults) > FAULTS_MAX)
        return zc_diag_set(diag, ZC_ERR_INVALID, "faults: an array of at most %d strings",
                           FAULTS_MAX);
    size_t i;
    json_t *f;
    json_array_foreach(faults, i, f)
    {
        if (!json_is_string(f) || json_string_length(f) > FAULT_MAX ||
            strlen(json_string_value(f)) != json_string_length(f))
            return zc_diag_set(diag, ZC_ERR_INVALID, "faults[%zu]: a string of at most %d bytes", i,
                               FAULT_MAX);
    }
    return ZC_OK;
}

zc_err zc_hub_heartbeat(zc_hub *hub, const char *device_id, const json_t *body, zc_ms sent_ms,
                        zc_diag *diag)
{
    if (!device_id || !zc_hub_text_valid(device_id, ZC_ID_MAX - 1))
        return zc_diag_set(diag, ZC_ERR_INVALID, "device: not a device id");
    if (!json_is_object(body))
        return zc_diag_set(diag, ZC_ERR_INVALID, "a heartbeat is a JSON object");
    if (sent_ms < ZC_MS_MIN || sent_ms > ZC_MS_MAX)
        return zc_diag_set(diag, ZC_ERR_INVALID, "the heartbeat's time is out of range");
    heartbeat hb = {.device = device_id, .sent = sent_ms, .skew = sent_ms - zc_hub_now(hub)};
    char pending[ZC_HUB_INT_TEXT], rules[ZC_HUB_INT_TEXT];
    zc_err err;
    if ((err = count_member(body, "pending", pending, &hb.pending, diag)) ||
        (err = count_member(body, "rules_version", rules, &hb.rules_version, diag)))
        return err;
    json_t *version = json_object_get(body, "version");
    if (version) {
        if (!json_is_string(version) ||
            !zc_hub_text_valid(json_string_value(version), APP_VERSION_MAX))
            return zc_diag_set(diag, ZC_ERR_INVALID, "version: a string of 1-%d bytes",
                               APP_VERSION_MAX);
        hb.version = json_string_value(version);
    }
    char *faults = NULL;
    json_t *list = json_object_get(body, "faults");
    if (list) {
        if ((err = check_faults(list, diag)))
            return err;
        if (!(faults = json_dumps(list, JSON_COMPACT)))
            return ZC_ERR_NOMEM;
        hb.faults = faults;
    }
    err = zc_hub_transact(hub, record_heartbeat, &hb, diag);
    free(faults);
    return err;
}

/* ---- what the console shows ---- */

#define KIOSKS_SQL                                                                                 \
    "SELECT id, canteen, enrolled_ms, last_seen_ms, acked_seq, pending, clock_skew_ms, faults,"    \
    " rules_version, app_version FROM device"

static zc_err kiosk_json(const zc_hubdb_rows *rows, size_t r, json_t **out, zc_diag *diag)
{
    (void)diag;
    const char *text = zc_hubdb_rows_text(rows, r, 7);
    json_t *faults = text ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_array(faults)) {
        json_decref(faults);
        faults = json_array();
    }
    *out = json_pack("{s:s?,s:s?,s:I,s:I,s:I,s:I,s:I,s:o?,s:I,s:s?}", "device_id",
                     zc_hubdb_rows_text(rows, r, 0), "canteen", zc_hubdb_rows_text(rows, r, 1),
                     "enrolled_ms", (json_int_t)zc_hubdb_rows_int(rows, r, 2), "last_seen_ms",
                     (json_int_t)zc_hubdb_rows_int(rows, r, 3), "acked_seq",
                     (json_int_t)zc_hubdb_rows_int(rows, r, 4), "pending",
                     (json_int_t)zc_hubdb_rows_int(rows, r, 5), "clock_skew_ms",
                     (json_int_t)zc_hubdb_rows_int(rows, r, 6), "faults", faults, "rules_version",
                     (json_int_t)zc_hubdb_rows_int(rows, r, 8), "app_version",
                     zc_hubdb_rows_text(rows, r, 9));
    return ZC_OK;
}

zc_err zc_hub_kiosks(zc_hub *hub, const char *canteen, json_t **out, zc_diag *diag)
{
    const char *params[] = {canteen};
    /* Two statements, not "$1 IS NULL OR ...": PostgreSQL must know each parameter's type. */
    return canteen
               ? zc_hub_query_list(hub, KIOSKS_SQL " WHERE canteen = $1 ORDER BY id", params, 1,
                                   kiosk_json, out, diag)
               : zc_hub_query_list(hub, KIOSKS_SQL " ORDER BY id", NULL, 0, kiosk_json, out, diag);
}

/* A column that may be NULL as a JSON integer or null. */
static json_t *int_or_null(const zc_hubdb_rows *rows, size_t r, int c)
{
    return zc_hubdb_rows_text(rows, r, c) ? json_integer(zc_hubdb_rows_int(rows, r, c))
                                          : json_null();
}

static zc_err anomaly_json(const zc_hubdb_rows *rows, size_t r, json_t **out, zc_diag *diag)
{
    (void)diag;
    *out = json_pack("{s:I,s:I,s:s?,s:s?,s:o,s:s?,s:o,s:s?}", "id",
                     (json_int_t)zc_hubdb_rows_int(rows, r, 0), "at_ms",
                     (json_int_t)zc_hubdb_rows_int(rows, r, 1), "kind",
                     zc_hubdb_rows_text(rows, r, 2), "device", zc_hubdb_rows_text(rows, r, 3),
                     "seq", int_or_null(rows, r, 4), "canteen", zc_hubdb_rows_text(rows, r, 5),
                     "elder_id", int_or_null(rows, r, 6), "detail", zc_hubdb_rows_text(rows, r, 7));
    return ZC_OK;
}

#define ANOMALIES_SQL "SELECT id, at_ms, kind, device, seq, canteen, elder_id, detail FROM anomaly"

zc_err zc_hub_anomalies(zc_hub *hub, const char *canteen, int64_t limit, json_t **out,
                        zc_diag *diag)
{
    if (limit <= 0)
        limit = ANOMALIES_DEFAULT;
    if (limit > ANOMALIES_MAX)
        limit = ANOMALIES_MAX;
    char limit_text[ZC_HUB_INT_TEXT];
    const char *params[] = {zc_hub_int_text(limit, limit_text), canteen};
    /* Filtered before the limit, so a manager's page is full of its own canteen's. */
    return canteen
               ? zc_hub_query_list(hub,
                                   ANOMALIES_SQL " WHERE canteen = $2 ORDER BY id DESC LIMIT $1",
                                   params, 2, anomaly_json, out, diag)
               : zc_hub_query_list(hub, ANOMALIES_SQL " ORDER BY id DESC LIMIT $1", params, 1,
                                   anomaly_json, out, diag);
}
