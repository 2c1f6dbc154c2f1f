/*
 * Hub ingest: real kiosk sales stored by the hub in batches of 500, directly (zc_hub_push) and over
 * HTTP (signed POST /v1/sales to the hub's own server on loopback), against the limit: a bare
 * INSERT of the same rows, same columns and indexes, same batch size, one transaction per batch,
 * in the same database (so the same engine and durability). Batches of the three alternate, so all
 * see the same tables grow on the same disk.
 *
 * The sales are made by two kiosks (one per way in) that enrolled and pulled rules and a roster
 * from this hub with zc_sync_round, then sold with zc_sell: the bytes are what a canteen sends.
 * usage: bench_hub_ingest WORK_DIR DB [SALES]   (DB: sqlite, or a PostgreSQL maintenance URL)
 */
#include "hubbench.h"

#include "zc/codec.h"
#include "zc/sell.h"
#include "zc/sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    DEFAULT_SALES = 5000,
    ELDERS = 1000,
    BATCH = ZC_SYNC_BATCH_MAX,
    SALE_GAP_MS = 6000, /* a sale every 6 s: a busy counter through lunch and beyond */
    PRICE = 1500,
    COLUMNS = 23, /* of the hub's sale table */
    WAYS = 3,
    HTTP_OK = 200,
};

static const zc_ms START = 1772424000000LL; /* 2026-03-02T12:00:00+08:00 */
static const char PROG[] = "bench_hub_ingest";
static const char USAGE[] = "bench_hub_ingest WORK_DIR DB [SALES]";

/* The hub's sale table (app/hub/hubschema.c), under another name: the same in both engines. */
static const char *const BARE_DDL[] = {
    "CREATE TABLE bare_sale (device TEXT NOT NULL, seq BIGINT NOT NULL, uuid TEXT NOT NULL,"
    "  kind TEXT NOT NULL, canteen TEXT NOT NULL, at_ms BIGINT NOT NULL, local_date TEXT NOT NULL,"
    "  period TEXT, elder_id BIGINT, ident TEXT NOT NULL, price BIGINT NOT NULL,"
    "  subsidy BIGINT NOT NULL, self_pay BIGINT NOT NULL, paid TEXT NOT NULL, tier TEXT,"
    "  rules_version BIGINT NOT NULL, voids_seq BIGINT, canon TEXT NOT NULL,"
    "  prev_hash TEXT NOT NULL, hash TEXT NOT NULL, sig TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('ok','quarantine')), received_ms BIGINT NOT NULL,"
    "  PRIMARY KEY (device, seq))",
    "CREATE INDEX bare_sale_by_canteen_date ON bare_sale(canteen, local_date)",
    "CREATE INDEX bare_sale_by_elder ON bare_sale(elder_id, local_date)",
};

static const char BARE_INSERT[] =
    "INSERT INTO bare_sale (device, seq, uuid, kind, canteen, at_ms, local_date, period, elder_id,"
    " ident, price, subsidy, self_pay, paid, tier, rules_version, voids_seq, canon, prev_hash,"
    " hash, sig, status, received_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
    " $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)";

typedef struct kiosk {
    char dir[BENCH_PATH_MAX];
    zc_datadir *dd;
    zc_syncwire_sale *recs;
    size_t n;
} kiosk;

/* A kiosk enrolled with the hub, in step with it, that has sold `sales` meals. */
static void kiosk_make(kiosk *k, hb_hub *h, const char *work, const char *name, int sales)
{
    zc_diag d = {{0}, 0};
    char code[ZC_HUB_CODE_MAX];
    zc_sync_result r;
    snprintf(k->dir, sizeof k->dir, "%s/%s-XXXXXX", work, name);
    if (!mkdtemp(k->dir))
        bench_die(PROG, k->dir, "cannot make the kiosk's directory");
    if (zc_hub_enrol_code_new(h->hub, HB_CANTEEN, code, NULL, &d) ||
        zc_sync_enrol(k->dir, h->base, code, &d) || zc_datadir_open(k->dir, &k->dd, &d) ||
        zc_sync_round(k->dd, NULL, &r, &d))
        bench_die(PROG, "making a kiosk", d.msg);
    if (r.roster_rows != ELDERS || r.rules_installed != 1)
        bench_die(PROG, "making a kiosk", "the first sync did not bring the roster and rules");
    zc_ledger *l;
    if (zc_datadir_ledger(k->dd, &l, &d))
        bench_die(PROG, "ledger", d.msg);
    for (int s = 0; s < sales; s++) {
        char id[ZC_IDNUM_LEN + 1];
        hb_roster_idnum((uint64_t)(s % ELDERS), id);
        zc_sell_request req = {.ident = ZC_IDENT_ID_CARD,
                               .credential = id,
                               .price = PRICE,
                               .at = START + (zc_ms)s * SALE_GAP_MS,
                               .paid = ZC_PAY_CASH};
        zc_sell_result sr;
        if (zc_sell(k->dd, l, &req, &sr, &d))
            bench_die(PROG, "sell", d.msg);
    }
    zc_ledger_close(l);
    if (zc_syncwire_sales_read(k->dd->store, 0, (size_t)sales, &k->recs, &k->n, &d))
        bench_die(PROG, "reading the sales", d.msg);
    if (k->n != (size_t)sales)
        bench_die(PROG, "reading the sales", "fewer entries than sold");
}

static char *dup_int(int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    return strdup(buf);
}

/* The row the hub would store for rec, as the text parameters of BARE_INSERT (NULLs as NULL). */
static void bare_row(const char *device, const zc_syncwire_sale *rec, zc_ms now, char **p)
{
    zc_sale s;
    zc_diag d = {{0}, 0};
    if (zc_sale_from_canon(rec->canon, rec->canon_len, &s, &d))
        bench_die(PROG, "canon", d.msg);
    json_decref(s.detail);
    char date[ZC_DATE_TEXT_LEN + 1], hex[ZC_HEX_SIZE(ZC_HASH_LEN)], sig[ZC_B64_SIZE(ZC_SIG_LEN)];
    zc_date_format(s.date, date);
    int c = 0;
    p[c++] = strdup(device);
    p[c++] = dup_int(rec->seq);
    p[c++] = strdup(s.uuid);
    p[c++] = strdup(s.kind == ZC_ENTRY_VOID ? "void" : "sale");
    p[c++] = strdup(s.canteen);
    p[c++] = dup_int(s.at);
    p[c++] = strdup(date);
    p[c++] = *s.period ? strdup(s.period) : NULL;
    p[c++] = s.elder_id ? dup_int(s.elder_id) : NULL;
    p[c++] = strdup(zc_ident_name(s.ident));
    p[c++] = dup_int(s.price);
    p[c++] = dup_int(s.subsidy);
    p[c++] = dup_int(s.self_pay);
    p[c++] = strdup(zc_pay_name(s.paid));
    p[c++] = *s.tier ? strdup(s.tier) : NULL;
    p[c++] = dup_int(s.rules_version);
    p[c++] = s.kind == ZC_ENTRY_VOID ? dup_int(s.voids_seq) : NULL;
    p[c++] = strdup(rec->canon);
    zc_hex_encode(rec->prev_hash, ZC_HASH_LEN, hex);
    p[c++] = strdup(hex);
    zc_hex_encode(rec->hash, ZC_HASH_LEN, hex);
    p[c++] = strdup(hex);
    zc_b64_encode(rec->sig, ZC_SIG_LEN, sig);
    p[c++] = strdup(sig);
    p[c++] = strdup("ok");
    p[c++] = dup_int(now);
}

static int64_t bare_batch(hb_hub *h, char **params, size_t n)
{
    zc_diag d = {{0}, 0};
    zc_hubdb_conn *c = NULL;
    int64_t t0 = bench_now_ns();
    zc_err err = zc_hubdb_acquire(zc_hub_db(h->hub), &c, &d);
    if (!err)
        err = zc_hubdb_begin(c, &d);
    for (size_t i = 0; i < n && !err; i++)
        err = zc_hubdb_exec(c, BARE_INSERT, (const char *const *)params + i * COLUMNS, COLUMNS,
                            NULL, &d);
    if (!err)
        err = zc_hubdb_commit(c, &d);
    if (c)
        zc_hubdb_release(c);
    if (err)
        bench_die(PROG, "bare insert", d.msg);
    return bench_now_ns() - t0;
}

static int64_t push_batch(hb_hub *h, const kiosk *k, size_t from, size_t n, int64_t *acked)
{
    zc_hub_push_result r;
    zc_diag d = {{0}, 0};
    int64_t t0 = bench_now_ns();
    if (zc_hub_push(h->hub, k->dd->device_id, k->recs + from, n, &r, &d))
        bench_die(PROG, "zc_hub_push", d.msg);
    int64_t elapsed = bench_now_ns() - t0;
    if (r.received != (int64_t)n || r.quarantined != 0)
        bench_die(PROG, "zc_hub_push", "the hub did not take every record as sound");
    *acked = r.acked;
    return elapsed;
}

/* {"sales":[...]} of recs[from, from + n) */
static char *push_body(const kiosk *k, size_t from, size_t n, size_t *len)
{
    json_t *arr = json_array();
    for (size_t i = from; i < from + n; i++) {
        json_t *o;
        if (zc_syncwire_sale_to_json(&k->recs[i], &o) || json_array_append_new(arr, o))
            bench_die(PROG, "push body", "could not build it");
    }
    json_t *body = json_pack("{s:o}", "sales", arr);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text)
        bench_die(PROG, "push body", "out of memory");
    *len = strlen(text);
    return text;
}

static int64_t http_batch(hb_hub *h, hb_client *c, const kiosk *k, const char *body, size_t len,
                          size_t n, int64_t *acked)
{
    int64_t t0 = bench_now_ns();
    hb_client_request(c, &k->dd->device_key, k->dd->device_id, zc_hub_now(h->hub), "POST",
                      "/v1/sales", body, len);
    int64_t elapsed = bench_now_ns() - t0;
    json_t *answer = json_loads(c->body, 0, NULL);
    json_int_t received = -1, quarantined = -1, held = -1;
    if (c->status != HTTP_OK || !answer ||
        json_unpack(answer, "{s:I, s:I, s:I}", "received", &received, "quarantined", &quarantined,
                    "acked", &held) ||
        received != (json_int_t)n || quarantined != 0) {
        fprintf(stderr, "%s: HTTP %ld: %s\n", PROG, c->status, c->body);
        bench_die(PROG, "POST /v1/sales", "the hub did not take every record as sound");
    }
    json_decref(answer);
    *acked = held;
    return elapsed;
}

static void report(const char *backend, const char *way, int64_t total_ns, int64_t *batch_ns,
                   size_t batches, int sales, int64_t bare_ns)
{
    double s = (double)total_ns / BENCH_NS_PER_S;
    double median_ms = (double)bench_median_i64(batch_ns, batches) / (BENCH_NS_PER_S / 1000);
    printf("%s %-8s %9.0f sales/s  (%d sales in %.2f s, median batch of %d %.1f ms)", backend, way,
           sales / s, sales, s, BATCH, median_ms);
    if (bare_ns)
        printf("  ratio to bare %.2f", (double)total_ns / (double)bare_ns);
    printf("\n");
}

int main(int argc, char **argv)
{
    if (argc < 3)
        bench_die(PROG, "usage", USAGE);
    const char *work = argv[1];
    int sales = argc > 3 ? bench_parse_count(PROG, USAGE, "SALES", argv[3]) : DEFAULT_SALES;
    if (curl_global_init(CURL_GLOBAL_DEFAULT))
        bench_die(PROG, "libcurl", "cannot initialise");
    hb_hub h;
    hb_hub_open(&h, PROG, work, argv[2], "ingest", 0);
    zc_diag d = {{0}, 0};
    size_t len;
    char *csv = hb_roster_csv(PROG, 0, ELDERS, 1, 0, &len);
    zc_hub_roster_stats st;
    if (zc_hub_roster_import(h.hub, csv, len, false, &st, NULL, &d))
        bench_die(PROG, "roster import", d.msg);
    free(csv);

    kiosk direct, http;
    memset(&direct, 0, sizeof direct);
    memset(&http, 0, sizeof http);
    kiosk_make(&direct, &h, work, "kiosk-direct", sales);
    kiosk_make(&http, &h, work, "kiosk-http", sales);

    for (size_t i = 0; i < sizeof BARE_DDL / sizeof BARE_DDL[0]; i++)
        hb_exec(&h, BARE_DDL[i]);
    /* The bare rows are the direct kiosk's, as the hub would store them. */
    char **params = calloc((size_t)sales * COLUMNS, sizeof *params);
    if (!params)
        bench_die(PROG, "memory", "out of memory");
    for (int i = 0; i < sales; i++)
        bare_row(direct.dd->device_id, &direct.recs[i], zc_hub_now(h.hub), params + i * COLUMNS);

    size_t batches = ((size_t)sales + BATCH - 1) / BATCH;
    int64_t *times[WAYS], total[WAYS] = {0};
    for (int w = 0; w < WAYS; w++)
        if (!(times[w] = calloc(batches, sizeof *times[w])))
            bench_die(PROG, "memory", "out of memory");
    hb_client client;
    hb_client_open(&client, PROG, h.base);
    int64_t acked_direct = 0, acked_http = 0;
    for (size_t b = 0; b < batches; b++) {
        size_t from = b * BATCH, n = (size_t)sales - from < BATCH ? (size_t)sales - from : BATCH;
        size_t body_len;
        char *body = push_body(&http, from, n, &body_len);
        /* A different way goes first in each batch, so none always meets a just-written disk. */
        for (int k = 0; k < WAYS; k++) {
            int w = (int)((b + (size_t)k) % WAYS);
            int64_t ns = w == 0   ? bare_batch(&h, params + from * COLUMNS, n)
                         : w == 1 ? push_batch(&h, &direct, from, n, &acked_direct)
                                  : http_batch(&h, &client, &http, body, body_len, n, &acked_http);
            times[w][b] = ns;
            total[w] += ns;
        }
        free(body);
    }
    hb_client_close(&client);
    if (acked_direct != sales || acked_http != sales ||
        hb_int(&h, "SELECT count(*) FROM bare_sale") != sales ||
        hb_int(&h, "SELECT count(*) FROM sale WHERE status = 'ok'") != 2 * (int64_t)sales)
        bench_die(PROG, "check", "the hub does not hold every sale once");

    printf("%s: %d kiosk sales each way, batches of %d, %d elders in the roster\n", h.backend,
           sales, BATCH, ELDERS);
    report(h.backend, "bare", total[0], times[0], batches, sales, 0);
    report(h.backend, "push", total[1], times[1], batches, sales, total[0]);
    report(h.backend, "http", total[2], times[2], batches, sales, total[0]);

    for (int w = 0; w < WAYS; w++)
        free(times[w]);
    for (size_t i = 0; i < (size_t)sales * COLUMNS; i++)
        free(params[i]);
    free(params);
    zc_syncwire_sales_free(direct.recs, direct.n);
    zc_syncwire_sales_free(http.recs, http.n);
    zc_datadir_close(direct.dd);
    zc_datadir_close(http.dd);
    hb_hub_close(&h);
    curl_global_cleanup();
    return 0;
}
