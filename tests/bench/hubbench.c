/* What the hub and sync benchmarks share; see hubbench.h. */
#include "hubbench.h"

#include "zc/syncwire.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

enum {
    PG_NAME_MAX = 63,
    SQL_MAX = 256,
    HEADER_MAX = 160,
    BODY_START = 4096,
    BIRTH_YEAR_FIRST = 1930, /* every generated elder is 60 or older in 2026 */
    BIRTH_YEARS = 36,
    MONTHS = 12,
    BIRTH_DAYS = 28, /* days 1-28: valid in every month */
    ID_SEQ_SPAN = 1000,
    QR_EVERY = 2,         /* every other elder has a QR token, */
    CARD_EVERY = 5,       /* every fifth a meal card, */
    SUSPENDED_EVERY = 50, /* every fiftieth is suspended, */
    CATEGORY_EVERY = 10,  /* and three in ten hold a category */
    QR_DIGITS = 26,       /* base32 digits of a 128-bit token */
    BASE32_BITS = 5,
    ROW_MAX = 512,
    PERMILLE = 1000,
};

static const char *const REGIONS[] = {"320202", "320205", "320206", "320211"};
static const char *const SURNAMES[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵",
                                       "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"};
static const char *const GIVEN[] = {"秀英", "桂英", "秀兰", "玉兰", "建国", "建华", "国强",
                                    "德明", "淑珍", "凤英", "志强", "文华", "丽华", "永红"};
static const char *const CATEGORIES[] = {"dibao", "tekun", "shineng"};
static const char BASE32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
static const char HEADER[] =
    "id_number,name,birth_date,region,categories,status,qr_token,card_uid\n";

/* The design's example rule set (DESIGN.md), without the canteen override. */
static const char RULES[] =
    "{\"schema\": \"zhucan.rules/1\", \"version\": 1,"
    " \"effective_from\": \"2026-01-01T00:00:00+08:00\", \"timezone\": \"Asia/Shanghai\","
    " \"meal_periods\": [{\"id\": \"breakfast\", \"start\": \"06:30\", \"end\": \"09:00\"},"
    "  {\"id\": \"lunch\", \"start\": \"10:30\", \"end\": \"13:30\"},"
    "  {\"id\": \"dinner\", \"start\": \"16:30\", \"end\": \"19:00\"}],"
    " \"age_tiers\": [{\"id\": \"60-69\", \"min_age\": 60, \"max_age\": 69, \"subsidy\": 200},"
    "  {\"id\": \"70-79\", \"min_age\": 70, \"max_age\": 79, \"subsidy\": 300},"
    "  {\"id\": \"80+\", \"min_age\": 80, \"subsidy\": 500}],"
    " \"categories\": {\"tekun\": {\"subsidy\": 1000, \"waive_min_self_pay\": true},"
    "  \"dibao\": {\"subsidy\": 500}, \"shineng\": {\"subsidy\": 300}},"
    " \"stacking\": \"max\", \"per_meal_cap\": 1000, \"min_self_pay\": 100,"
    " \"limits\": {\"per_period\": 1, \"per_day\": 2, \"per_month\": 62},"
    " \"registered_only\": true, \"regions\": [\"3202\"]}";

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the hub ---- */

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static void pg_do(const char *prog, const char *admin, const char *sql)
{
    PGconn *pg = PQconnectdb(admin);
    if (PQstatus(pg) != CONNECTION_OK)
        bench_die(prog, admin, PQerrorMessage(pg));
    PQsetNoticeProcessor(pg, ignore_notice, NULL); /* "does not exist, skipping" */
    PGresult *res = PQexec(pg, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        bench_die(prog, sql, PQerrorMessage(pg));
    PQclear(res);
    PQfinish(pg);
}

/* Appends "key=value" to a URL's query, percent-encoding the value. */
static void add_param(const char *prog, char *url, size_t size, const char *key, const char *value)
{
    if (!value || !*value)
        return;
    size_t len = strlen(url);
    int n = snprintf(url + len, size - len, "%c%s=", strchr(url, '?') ? '&' : '?', key);
    for (const char *p = value; n > 0 && (size_t)n < size - len && *p; p++) {
        len += (size_t)n;
        unsigned char c = (unsigned char)*p;
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     strchr("-._~/", c);
        n = plain ? snprintf(url + len, size - len, "%c", c)
                  : snprintf(url + len, size - len, "%%%02X", c);
    }
    if (n < 0 || (size_t)n >= size - len)
        bench_die(prog, "database URL", "too long");
}

/* A new database named after tag on the server of admin, and its URL. */
static void pg_fresh(hb_hub *h, const char *admin, const char *tag)
{
    snprintf(h->pg_admin, sizeof h->pg_admin, "%s", admin);
    snprintf(h->pg_name, sizeof h->pg_name, "zc_bench_%.40s", tag);
    char sql[SQL_MAX];
    /* FORCE: a benchmark that died may have left connections to the old one. */
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", h->pg_name);
    pg_do(h->prog, admin, sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", h->pg_name);
    pg_do(h->prog, admin, sql);
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(admin, &err);
    if (!opts)
        bench_die(h->prog, admin, err ? err : "not a libpq URL");
    snprintf(h->db_url, sizeof h->db_url, "postgresql:///%s", h->pg_name);
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (strcmp(o->keyword, "dbname") != 0)
            add_param(h->prog, h->db_url, sizeof h->db_url, o->keyword, o->val);
    PQconninfoFree(opts);
    PQfreemem(err);
}

static void sqlite_fresh(hb_hub *h, const char *work, const char *tag)
{
    static const char *const SIDE_FILES[] = {"", "-wal", "-shm", "-journal"};
    char path[BENCH_PATH_MAX];
    snprintf(path, sizeof path, "%s/hub-%s.db", work, tag);
    for (size_t i = 0; i < COUNT(SIDE_FILES); i++) {
        char side[BENCH_PATH_MAX + 16];
        snprintf(side, sizeof side, "%s%s", path, SIDE_FILES[i]);
        unlink(side);
    }
    snprintf(h->db_url, sizeof h->db_url, "sqlite:%s", path);
}

void hb_hub_open(hb_hub *h, const char *prog, const char *work, const char *db, const char *tag,
                 int http_threads)
{
    memset(h, 0, sizeof *h);
    h->prog = prog;
    if (strcmp(db, "sqlite") == 0) {
        h->backend = "sqlite";
        sqlite_fresh(h, work, tag);
    } else if (strncmp(db, "postgres", strlen("postgres")) == 0) {
        h->backend = "postgres";
        pg_fresh(h, db, tag);
    } else {
        bench_die(prog, db, "the database must be \"sqlite\" or a postgresql:// URL");
    }
    zc_diag d = {{0}, 0};
    zc_hub_opts o = {.db_url = h->db_url};
    if (zc_hub_open(&o, &h->hub, &d))
        bench_die(prog, "opening the hub", d.msg);
    zc_hubhttp_opts ho = {.listen = "127.0.0.1:0", .threads = http_threads};
    if (zc_hubhttp_start(h->hub, &ho, &h->http, &d))
        bench_die(prog, "starting the hub's HTTP server", d.msg);
    snprintf(h->base, sizeof h->base, "http://127.0.0.1:%u", (unsigned)zc_hubhttp_port(h->http));
    int64_t version = 0;
    if (zc_hub_canteen_add(h->hub, HB_CANTEEN, "幸福食堂", HB_REGION, "Asia/Shanghai", &d) ||
        zc_hub_rules_publish(h->hub, RULES, strlen(RULES), -1, "bench", &version, NULL, &d))
        bench_die(prog, "setting up the canteen", d.msg);
    if (version != HB_RULES_VERSION)
        bench_die(prog, "publishing rules", "the hub gave another version");
}

void hb_hub_close(hb_hub *h)
{
    zc_hubhttp_stop(h->http);
    zc_hub_close(h->hub);
    if (*h->pg_name) {
        char sql[SQL_MAX];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", h->pg_name);
        pg_do(h->prog, h->pg_admin, sql);
    }
    memset(h, 0, sizeof *h);
}

static zc_hubdb_rows *run(hb_hub *h, const char *sql, bool query)
{
    zc_hubdb_conn *c = NULL;
    zc_hubdb_rows *rows = NULL;
    zc_diag d = {{0}, 0};
    zc_err err = zc_hubdb_acquire(zc_hub_db(h->hub), &c, &d);
    if (!err)
        err = query ? zc_hubdb_query(c, sql, NULL, 0, &rows, &d)
                    : zc_hubdb_exec(c, sql, NULL, 0, NULL, &d);
    if (c)
        zc_hubdb_release(c);
    if (err)
        bench_die(h->prog, sql, d.msg);
    return rows;
}

void hb_exec(hb_hub *h, const char *sql)
{
    run(h, sql, false);
}

int64_t hb_int(hb_hub *h, const char *sql)
{
    zc_hubdb_rows *rows = run(h, sql, true);
    int64_t v = zc_hubdb_rows_int(rows, 0, 0);
    zc_hubdb_rows_free(rows);
    return v;
}

/* ---- the roster ---- */

static uint64_t mix(uint64_t x)
{
    /* splitmix64's finaliser: unrelated-looking bits for neighbouring rows */
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

/* Region, birth date and sequence from i; distinct for every i below 4 * 12096 * 1000. */
static void birth_of(uint64_t i, const char **region, int *year, int *month, int *day, int *seq)
{
    uint64_t k = i / COUNT(REGIONS);
    *region = REGIONS[i % COUNT(REGIONS)];
    *year = BIRTH_YEAR_FIRST + (int)(k % BIRTH_YEARS);
    *month = 1 + (int)(k / BIRTH_YEARS % MONTHS);
    *day = 1 + (int)(k / (BIRTH_YEARS * MONTHS) % BIRTH_DAYS);
    *seq = (int)(k / (BIRTH_YEARS * MONTHS * BIRTH_DAYS) % ID_SEQ_SPAN);
}

void hb_roster_idnum(uint64_t i, char out[ZC_IDNUM_LEN + 1])
{
    const char *region;
    int year, month, day, seq;
    birth_of(i, &region, &year, &month, &day, &seq);
    snprintf(out, ZC_IDNUM_LEN + 1, "%s%04d%02d%02d%03d", region, year, month, day, seq);
    out[ZC_IDNUM_LEN - 1] = zc_idnum_check_char(out);
    out[ZC_IDNUM_LEN] = '\0';
}

static int roster_row(uint64_t i, int variant, char *buf, size_t size)
{
    const char *region;
    int year, month, day, seq;
    birth_of(i, &region, &year, &month, &day, &seq);
    char id[ZC_IDNUM_LEN + 1];
    hb_roster_idnum(i, id);
    uint64_t h = mix(i);
    char qr[sizeof "ZCE1." + QR_DIGITS] = "";
    if (i % QR_EVERY == 0) {
        /* 128 bits: the row number (so tokens are distinct) and a hash of it */
        size_t at = (size_t)snprintf(qr, sizeof qr, "ZCE1.");
        for (int b = 0; b < QR_DIGITS; b++) {
            int shift = b * BASE32_BITS;
            uint64_t word = shift < 64 ? i : h;
            qr[at++] = BASE32[(word >> (shift % 64)) & 31u];
        }
        qr[at] = '\0';
    }
    char card[2 * 16 + 1] = "";
    if (i % CARD_EVERY == 0)
        snprintf(card, sizeof card, "%08llX%08llX", (unsigned long long)(i & 0xffffffffu),
                 (unsigned long long)(h >> 32));
    const char *category =
        i % CATEGORY_EVERY < COUNT(CATEGORIES) ? CATEGORIES[i % CATEGORY_EVERY] : "";
    return snprintf(
        buf, size, "%s,%s%s,%04d-%02d-%02d,%s,%s,%s,%s,%s\n", id, SURNAMES[h % COUNT(SURNAMES)],
        GIVEN[(h / COUNT(SURNAMES) + (uint64_t)variant) % COUNT(GIVEN)], year, month, day, region,
        category, i % SUSPENDED_EVERY == 1 ? "suspended" : "active", qr, card);
}

char *hb_roster_csv(const char *prog, uint64_t first, uint64_t n, uint64_t step, int variant,
                    size_t *len)
{
    size_t cap = sizeof HEADER + (size_t)n * ROW_MAX;
    char *csv = malloc(cap);
    if (!csv)
        bench_die(prog, "roster", "out of memory");
    size_t at = (size_t)snprintf(csv, cap, "%s", HEADER);
    for (uint64_t r = 0; r < n; r++) {
        int w = roster_row(first + r * step, variant, csv + at, cap - at);
        if (w < 0 || (size_t)w >= cap - at)
            bench_die(prog, "roster", "a row longer than expected");
        at += (size_t)w;
    }
    *len = at;
    return csv;
}

/* ---- requests ---- */

struct curl_slist *hb_signed_headers(const char *prog, const zc_keypair *key, const char *device,
                                     int64_t time_ms, const char *method, const char *target,
                                     const void *body, size_t len)
{
    struct curl_slist *list = curl_slist_append(NULL, "Content-Type: application/json");
    /* libcurl sends "Expect: 100-continue" before large bodies and waits for it; kiosks don't. */
    list = curl_slist_append(list, "Expect:");
    if (key) {
        zc_syncwire_auth a;
        if (zc_syncwire_sign(key, device, method, target, time_ms, body, len, &a))
            bench_die(prog, "signing a request", target);
        const char *names[] = {ZC_SYNC_HDR_DEVICE, ZC_SYNC_HDR_TIME, ZC_SYNC_HDR_NONCE,
                               ZC_SYNC_HDR_SIGNATURE};
        const char *values[] = {a.device, a.time, a.nonce, a.signature};
        for (size_t i = 0; i < COUNT(names); i++) {
            char line[HEADER_MAX];
            snprintf(line, sizeof line, "%s: %s", names[i], values[i]);
            list = curl_slist_append(list, line);
        }
    }
    if (!list)
        bench_die(prog, "headers", "out of memory");
    return list;
}

size_t hb_client_on_body(char *data, size_t size, size_t count, void *ctx)
{
    hb_client *c = ctx;
    size_t n = size * count;
    if (c->len + n + 1 > c->cap) {
        size_t cap = c->cap ? c->cap : BODY_START;
        while (cap < c->len + n + 1)
            cap *= 2;
        char *grown = realloc(c->body, cap);
        if (!grown)
            return 0; /* libcurl fails the transfer */
        c->body = grown;
        c->cap = cap;
    }
    memcpy(c->body + c->len, data, n);
    c->len += n;
    c->body[c->len] = '\0';
    return n;
}

void hb_client_open(hb_client *c, const char *prog, const char *base)
{
    memset(c, 0, sizeof *c);
    c->prog = prog;
    snprintf(c->base, sizeof c->base, "%s", base);
    if (!(c->curl = curl_easy_init()))
        bench_die(prog, "libcurl", "cannot make a handle");
}

void hb_client_close(hb_client *c)
{
    curl_easy_cleanup(c->curl);
    free(c->body);
    memset(c, 0, sizeof *c);
}

void hb_client_request(hb_client *c, const zc_keypair *key, const char *device, int64_t time_ms,
                       const char *method, const char *target, const char *body, size_t len)
{
    char url[HB_URL_MAX];
    snprintf(url, sizeof url, "%s%s", c->base, target);
    struct curl_slist *headers =
        hb_signed_headers(c->prog, key, device, time_ms, method, target, body ? body : "", len);
    CURL *h = c->curl;
    c->len = 0;
    c->status = 0;
    if (c->body)
        c->body[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, hb_client_on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK)
        bench_die(c->prog, target, curl_easy_strerror(rc));
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->status);
    if (!c->body && !(c->body = calloc(1, 1))) /* an empty answer is "" too */
        bench_die(c->prog, target, "out of memory");
}

/* ---- figures ---- */

int64_t hb_percentile(const int64_t *sorted, size_t n, int permille)
{
    size_t rank = ((size_t)permille * n + PERMILLE - 1) / PERMILLE; /* nearest rank, 1-based */
    return sorted[rank > 0 ? rank - 1 : 0];
}

long hb_raise_nofile(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
        getrlimit(RLIMIT_NOFILE, &r);
    }
    return (long)r.rlim_cur;
}
