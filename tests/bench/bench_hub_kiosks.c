/*
 * Many kiosks syncing at once against one hub over HTTP: each simulated kiosk has its own Ed25519
 * key, enrols (POST /v1/enrol with a one-time code), pushes a batch of signed sales (POST
 * /v1/sales), sends a heartbeat and asks for rules (GET /v1/rules), one request after another;
 * all kiosks start together, on one libcurl multi handle in this process (one connection each).
 * Prints latency p50, p99 and max per kind of request and the errors (anything but a 200 with the
 * expected answer). Exit status 1 when there was any error.
 *
 * The sales are a valid chain per device made as the ledger makes one (canonical bytes, SHA-256
 * chain, Ed25519 signature), of distinct elders in the hub's roster, so the hub checks and keeps
 * every one and raises no anomaly.
 * usage: bench_hub_kiosks WORK_DIR DB [KIOSKS] [SALES_PER_KIOSK]
 */
#include "hubbench.h"

#include "zc/codec.h"
#include "zc/datadir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    DEFAULT_KIOSKS = 1000,
    DEFAULT_SALES = 20,
    PRICE = 1500,
    SUBSIDY = 500,
    SALE_GAP_MS = 1000,
    POLL_MS = 1000,
    HTTP_OK = 200,
    FD_PER_KIOSK = 2, /* the kiosk's socket and the hub's end of it, both in this process */
    FD_SPARE = 256,   /* database, epoll, log ... */
    ERRORS_SHOWN = 5,
    PERMILLE_P50 = 500,
    PERMILLE_P99 = 990,
    NS_PER_MS = 1000000,
};

static const zc_ms START = 1772424000000LL; /* 2026-03-02T12:00:00+08:00 */
static const zc_date SALE_DATE = {2026, 3, 2};
static const char PROG[] = "bench_hub_kiosks";
static const char USAGE[] = "bench_hub_kiosks WORK_DIR DB [KIOSKS] [SALES_PER_KIOSK]";

typedef enum stage { ENROL, PUSH, HEARTBEAT, RULES, DONE } stage;
static const char *const STAGE_NAMES[DONE] = {"enrol", "push", "heartbeat", "rules"};
static const char *const STAGE_TARGETS[DONE] = {"/v1/enrol", "/v1/sales", "/v1/heartbeat",
                                                "/v1/rules?after=0"};

typedef struct kiosk {
    zc_keypair key;
    char device[ZC_ID_MAX];
    char *enrol_body, *push_body;
    size_t enrol_len, push_len;
    stage at;
    CURL *curl;
    struct curl_slist *headers;
    hb_client answer; /* only its body buffer is used */
    int64_t started;
} kiosk;

typedef struct run {
    hb_hub *hub;
    kiosk *kiosks;
    int n, sales;
    int64_t *latency[DONE]; /* ns, n of each */
    size_t count[DONE];
    int errors[DONE];
    int shown;
} run;

/* A valid chain of `sales` entries of this kiosk, to elders first_elder, first_elder + 1, ... */
static char *sales_body(const kiosk *k, int sales, int64_t first_elder, size_t *len)
{
    uint8_t prev[ZC_HASH_LEN] = {0};
    json_t *arr = json_array();
    for (int j = 1; j <= sales; j++) {
        zc_sale s;
        memset(&s, 0, sizeof s);
        s.seq = j;
        uint8_t id[16];
        memcpy(id, k->key.pk, sizeof id);
        snprintf(s.uuid, sizeof s.uuid, "%02x%02x%02x%02x-%02x%02x-4%03x-8%03x-%012x", id[0], id[1],
                 id[2], id[3], id[4], id[5], (unsigned)id[6] & 0xfffu, (unsigned)id[7] & 0xfffu,
                 (unsigned)j);
        snprintf(s.device_id, sizeof s.device_id, "%s", k->device);
        snprintf(s.canteen, sizeof s.canteen, "%s", HB_CANTEEN);
        s.kind = ZC_ENTRY_SALE;
        s.at = START + (zc_ms)j * SALE_GAP_MS;
        s.date = SALE_DATE;
        snprintf(s.period, sizeof s.period, "lunch");
        s.elder_id = first_elder + j - 1;
        s.ident = ZC_IDENT_QR;
        s.price = PRICE;
        s.subsidy = SUBSIDY;
        s.self_pay = PRICE - SUBSIDY;
        s.paid = ZC_PAY_CASH;
        snprintf(s.tier, sizeof s.tier, "80+");
        s.rules_version = HB_RULES_VERSION;
        zc_syncwire_sale rec;
        memset(&rec, 0, sizeof rec);
        rec.seq = j;
        if (zc_sale_canon(&s, &rec.canon, &rec.canon_len))
            bench_die(PROG, "canonical bytes", "could not make them");
        memcpy(rec.prev_hash, prev, ZC_HASH_LEN);
        zc_sale_chain_hash(prev, rec.canon, rec.canon_len, rec.hash);
        zc_keys_sign(&k->key, rec.hash, ZC_HASH_LEN, rec.sig);
        memcpy(prev, rec.hash, ZC_HASH_LEN);
        json_t *o;
        if (zc_syncwire_sale_to_json(&rec, &o) || json_array_append_new(arr, o))
            bench_die(PROG, "push body", "could not build it");
        zc_syncwire_sale_clear(&rec);
    }
    json_t *body = json_pack("{s:o}", "sales", arr);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text)
        bench_die(PROG, "push body", "out of memory");
    *len = strlen(text);
    return text;
}

static char *dumps(json_t *o, size_t *len)
{
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!text)
        bench_die(PROG, "request body", "out of memory");
    *len = strlen(text);
    return text;
}

static void kiosk_make(kiosk *k, hb_hub *h, int index, int sales)
{
    memset(k, 0, sizeof *k);
    zc_diag d = {{0}, 0};
    char code[ZC_HUB_CODE_MAX], pk[ZC_PUBKEY_TEXT_SIZE];
    if (zc_keys_generate(&k->key) || zc_hub_enrol_code_new(h->hub, HB_CANTEEN, code, NULL, &d))
        bench_die(PROG, "making a kiosk", d.msg);
    zc_datadir_device_id(k->key.pk, k->device);
    zc_keys_public_text(k->key.pk, pk);
    k->enrol_body = dumps(json_pack("{s:s, s:s}", "code", code, "public_key", pk), &k->enrol_len);
    k->push_body = sales_body(k, sales, (int64_t)index * sales + 1, &k->push_len);
    k->answer.prog = PROG;
}

static void kiosk_free(kiosk *k)
{
    if (k->curl)
        curl_easy_cleanup(k->curl);
    free(k->answer.body);
    curl_slist_free_all(k->headers);
    free(k->enrol_body);
    free(k->push_body);
}

static void start(run *r, CURLM *multi, kiosk *k)
{
    char url[HB_URL_MAX];
    const char *target = STAGE_TARGETS[k->at];
    snprintf(url, sizeof url, "%s%s", r->hub->base, target);
    char heartbeat[HB_BASE_MAX * 4];
    const char *body = NULL;
    size_t len = 0;
    if (k->at == ENROL) {
        body = k->enrol_body;
        len = k->enrol_len;
    } else if (k->at == PUSH) {
        body = k->push_body;
        len = k->push_len;
    } else if (k->at == HEARTBEAT) {
        snprintf(heartbeat, sizeof heartbeat,
                 "{\"clock_ms\":%lld,\"pending\":0,\"last_seq\":%d,\"rules_version\":0,"
                 "\"roster_cursor\":\"\",\"menu_version\":0,\"faults\":[],\"version\":\"0.1.0\"}",
                 (long long)zc_hub_now(r->hub->hub), r->sales);
        body = heartbeat;
        len = strlen(heartbeat);
    }
    curl_slist_free_all(k->headers);
    /* Signed at the moment of sending, as a kiosk does (enrolment too: by the key it enrols). */
    k->headers = hb_signed_headers(PROG, &k->key, k->device, zc_hub_now(r->hub->hub),
                                   body ? "POST" : "GET", target, body ? body : "", len);
    CURL *h = k->curl;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, hb_client_on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &k->answer);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, k->headers);
    curl_easy_setopt(h, CURLOPT_PRIVATE, k);
    if (body) {
        /* COPYPOSTFIELDS: the heartbeat's text lives on this stack frame only. */
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, body);
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    k->answer.len = 0;
    if (k->answer.body)
        k->answer.body[0] = '\0';
    k->started = bench_now_ns();
    if (curl_multi_add_handle(multi, h) != CURLM_OK)
        bench_die(PROG, "libcurl", "cannot add a transfer");
}

/* Whether the answer is the one this stage expects of a sound request. */
static bool answer_ok(const run *r, const kiosk *k, long status)
{
    if (status != HTTP_OK || !k->answer.body)
        return false;
    json_t *o = json_loads(k->answer.body, 0, NULL);
    bool ok = o != NULL;
    if (ok && k->at == ENROL) {
        const char *device = json_string_value(json_object_get(o, "device_id"));
        ok = device && strcmp(device, k->device) == 0;
    } else if (ok && k->at == PUSH) {
        ok = json_integer_value(json_object_get(o, "acked")) == r->sales &&
             json_integer_value(json_object_get(o, "quarantined")) == 0;
    } else if (ok && k->at == RULES) {
        ok = json_array_size(json_object_get(o, "bundles")) == 1;
    }
    json_decref(o);
    return ok;
}

static void finish(run *r, CURLM *multi, CURL *h, CURLcode result)
{
    kiosk *k = NULL;
    curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&k);
    int64_t elapsed = bench_now_ns() - k->started;
    curl_multi_remove_handle(multi, h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    stage s = k->at;
    r->latency[s][r->count[s]++] = elapsed;
    if (result != CURLE_OK || !answer_ok(r, k, status)) {
        r->errors[s]++;
        if (r->shown++ < ERRORS_SHOWN)
            fprintf(stderr, "%s: %s of %s: %s, HTTP %ld: %.200s\n", PROG, STAGE_NAMES[s], k->device,
                    curl_easy_strerror(result), status, k->answer.body ? k->answer.body : "");
        k->at = DONE; /* a kiosk that failed stops, as it would until its next round */
        return;
    }
    k->at = (stage)(s + 1);
    if (k->at != DONE)
        start(r, multi, k);
}

static void print_kind(const char *backend, const run *r, stage s)
{
    size_t n = r->count[s];
    if (n == 0) {
        printf("%s %-9s no requests\n", backend, STAGE_NAMES[s]);
        return;
    }
    int64_t *v = r->latency[s];
    double p50 = (double)bench_median_i64(v, n) / NS_PER_MS;
    double p99 = (double)hb_percentile(v, n, PERMILLE_P99) / NS_PER_MS;
    double max = (double)v[n - 1] / NS_PER_MS;
    printf("%s %-9s n=%zu  p50 %.1f ms  p99 %.1f ms  max %.1f ms  errors %d\n", backend,
           STAGE_NAMES[s], n, p50, p99, max, r->errors[s]);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        bench_die(PROG, "usage", USAGE);
    int n = argc > 3 ? bench_parse_count(PROG, USAGE, "KIOSKS", argv[3]) : DEFAULT_KIOSKS;
    int sales =
        argc > 4 ? bench_parse_count(PROG, USAGE, "SALES_PER_KIOSK", argv[4]) : DEFAULT_SALES;
    if (sales > ZC_SYNC_BATCH_MAX)
        bench_die(PROG, "SALES_PER_KIOSK", "more than one push may carry");
    long files = hb_raise_nofile();
    if (files < (long)n * FD_PER_KIOSK + FD_SPARE)
        bench_die(PROG, "open files", "the limit (ulimit -n) is too low for this many kiosks");
    if (curl_global_init(CURL_GLOBAL_DEFAULT))
        bench_die(PROG, "libcurl", "cannot initialise");
    hb_hub h;
    hb_hub_open(&h, PROG, argv[1], argv[2], "kiosks", 0);
    zc_diag d = {{0}, 0};
    size_t len;
    char *csv = hb_roster_csv(PROG, 0, (uint64_t)n * (uint64_t)sales, 1, 0, &len);
    zc_hub_roster_stats st;
    if (zc_hub_roster_import(h.hub, csv, len, false, &st, NULL, &d))
        bench_die(PROG, "roster import", d.msg);
    free(csv);

    run r;
    memset(&r, 0, sizeof r);
    r.hub = &h;
    r.n = n;
    r.sales = sales;
    if (!(r.kiosks = calloc((size_t)n, sizeof *r.kiosks)))
        bench_die(PROG, "memory", "out of memory");
    for (int s = 0; s < DONE; s++)
        if (!(r.latency[s] = calloc((size_t)n, sizeof *r.latency[s])))
            bench_die(PROG, "memory", "out of memory");
    for (int i = 0; i < n; i++)
        kiosk_make(&r.kiosks[i], &h, i, sales);

    CURLM *multi = curl_multi_init();
    if (!multi)
        bench_die(PROG, "libcurl", "cannot make a multi handle");
    int64_t t0 = bench_now_ns();
    for (int i = 0; i < n; i++) {
        if (!(r.kiosks[i].curl = curl_easy_init()))
            bench_die(PROG, "libcurl", "cannot make a handle");
        start(&r, multi, &r.kiosks[i]);
    }
    int running = 1;
    while (running) {
        if (curl_multi_perform(multi, &running) != CURLM_OK)
            bench_die(PROG, "libcurl", "the multi handle failed");
        bool finished = false;
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(multi, &left)))
            if (msg->msg == CURLMSG_DONE) {
                finish(&r, multi, msg->easy_handle, msg->data.result);
                finished = true;
            }
        if (finished) {
            running = 1; /* the kiosks' next requests: start them now, not after a poll */
            continue;
        }
        if (running && curl_multi_poll(multi, NULL, 0, POLL_MS, NULL) != CURLM_OK)
            bench_die(PROG, "libcurl", "the multi handle failed");
    }
    double wall = (double)(bench_now_ns() - t0) / BENCH_NS_PER_S;

    int errors = 0;
    size_t requests = 0;
    for (int s = 0; s < DONE; s++) {
        errors += r.errors[s];
        requests += r.count[s];
    }
    int64_t held = hb_int(&h, "SELECT count(*) FROM sale WHERE status = 'ok'");
    int64_t anomalies = hb_int(&h, "SELECT count(*) FROM anomaly");
    printf("%s: %d kiosks at once, each enrol + push of %d sales + heartbeat + rules; %zu "
           "requests in %.2f s (%.0f/s); open-file limit %ld\n",
           h.backend, n, sales, requests, wall, (double)requests / wall, files);
    for (int s = 0; s < DONE; s++)
        print_kind(h.backend, &r, (stage)s);
    printf("%s errors %d; sales held %lld of %lld; anomalies %lld\n", h.backend, errors,
           (long long)held, (long long)n * sales, (long long)anomalies);
    bool sound = errors == 0 && held == (int64_t)n * sales && anomalies == 0;

    curl_multi_cleanup(multi);
    for (int i = 0; i < n; i++)
        kiosk_free(&r.kiosks[i]);
    for (int s = 0; s < DONE; s++)
        free(r.latency[s]);
    free(r.kiosks);
    hb_hub_close(&h);
    curl_global_cleanup();
    return sound ? 0 : 1;
}
