/*
 * Quotes per second, and a whole sale (roster lookup, rule set, the elder's history, quote, durable
 * append) against its limit: a bare SQLite insert with the same pragmas, in the same run and
 * directory, alternating rounds so both see the same disk.
 * usage: bench_sell SOURCE_DIR WORK_DIR [SALES_PER_ROUND] [ROUNDS]
 */
#include "zc/bundle.h"
#include "zc/rulebook.h"
#include "zc/sell.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    DEFAULT_PER_ROUND = 200,
    DEFAULT_ROUNDS = 5,
    QUOTES = 200000,
    NS_PER_S = 1000000000,
    NS_PER_US = 1000,
    PATH_SIZE = 4096,
    ROW_BLOB_BYTES = 900, /* about a sale's canonical bytes with its explanation */
    SIG_BYTES = 64,
    HASH_BYTES = 32,
    MINUTE_MS = 60000,
    ELDERS = 18, /* rows of the demo roster */
};

static const zc_ms START = 1772424000000LL; /* 2026-03-02T12:00:00+08:00 */

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "bench_sell: %s: %s\n", what, detail);
    exit(1);
}

static int parse_count(const char *text, const char *what)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || *end || v <= 0 || v > INT32_MAX)
        die(what, "must be a whole number above 0");
    return (int)v;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die(path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
        die(path, "could not read");
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* The kiosk: the demo roster and the shipped default rules, signed with a fresh key. */
static zc_datadir *make_kiosk(const char *src, const char *work)
{
    char path[PATH_SIZE], pub[PATH_SIZE], sec[PATH_SIZE];
    zc_diag d = {{0}, 0};
    zc_keypair rules_key;
    snprintf(sec, sizeof sec, "%s/rules.key", work);
    snprintf(pub, sizeof pub, "%s/rules.pub", work);
    if (zc_keys_generate(&rules_key) || zc_keys_write(&rules_key, sec, pub, &d))
        die("keys", d.msg);
    snprintf(path, sizeof path, "%s/kiosk", work);
    zc_datadir_init_opts o = {.canteen = "C0001", .rules_pubkey = pub};
    zc_datadir *dd;
    if (zc_datadir_init(path, &o, &d) || zc_datadir_open(path, &dd, &d))
        die("kiosk", d.msg);
    size_t len;
    snprintf(path, sizeof path, "%s/assets/demo/roster.csv", src);
    char *text = read_all(path, &len);
    if (zc_roster_import_csv(dd->store, dd->region_key, text, len, NULL, &d))
        die("roster", d.msg);
    free(text);
    snprintf(path, sizeof path, "%s/assets/rules/default.json", src);
    text = read_all(path, &len);
    char *bundle;
    if (zc_bundle_sign(&rules_key, text, len, &bundle, &d) ||
        zc_rulebook_install(dd->store, dd->rules_pk, bundle, strlen(bundle), 0, NULL, &d))
        die("rules", d.msg);
    free(bundle);
    free(text);
    return dd;
}

static void bench_quotes(const zc_rules *rules)
{
    zc_quote_elder e = {.registered = true, .has_birth = true, .birth = {1940, 2, 29}};
    snprintf(e.region, sizeof e.region, "320202");
    e.ncategories = 1;
    snprintf(e.categories[0], sizeof e.categories[0], "dibao");
    zc_ms history[3] = {START - 86400000LL, START - 2 * 86400000LL, START - 3 * 86400000LL};
    zc_quote q;
    zc_diag d = {{0}, 0};
    int64_t t0 = now_ns();
    for (int i = 0; i < QUOTES; i++) {
        zc_quote_input in = {.elder = &e,
                             .price = 1500 + i % 7,
                             .at = START + (zc_ms)(i % 120) * MINUTE_MS,
                             .canteen = "C0001",
                             .history = history,
                             .nhistory = 3};
        if (zc_rules_quote(rules, &in, &q, &d))
            die("quote", d.msg);
    }
    double s = (double)(now_ns() - t0) / NS_PER_S;
    printf("quotes: %.0f per second (%d quotes, %.2f us each)\n", QUOTES / s, QUOTES,
           s * 1e6 / QUOTES);
}

static int64_t bare_round(sqlite3 *db, int n, int64_t *seq)
{
    static const char SQL[] =
        "INSERT INTO sale(seq, uuid, kind, at_ms, local_date, period, elder_id, ident, price, "
        "subsidy, self_pay, paid, tier, rules_version, canon, prev_hash, hash, sig) VALUES "
        "(?1, hex(randomblob(16)), 'sale', ?2, '2026-03-02', 'lunch', 7, 'qr', 1500, 500, 1000, "
        "'cash', '80+', 1, randomblob(?3), randomblob(?4), randomblob(?4), randomblob(?5))";
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, SQL, -1, &st, NULL) != SQLITE_OK)
        die("prepare", sqlite3_errmsg(db));
    int64_t t0 = now_ns();
    for (int i = 0; i < n; i++) {
        ++*seq;
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        sqlite3_bind_int64(st, 1, *seq);
        sqlite3_bind_int64(st, 2, START + *seq);
        sqlite3_bind_int(st, 3, ROW_BLOB_BYTES);
        sqlite3_bind_int(st, 4, HASH_BYTES);
        sqlite3_bind_int(st, 5, SIG_BYTES);
        if (sqlite3_step(st) != SQLITE_DONE)
            die("bare insert", sqlite3_errmsg(db));
        sqlite3_reset(st);
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            die("bare commit", sqlite3_errmsg(db));
    }
    int64_t elapsed = now_ns() - t0;
    sqlite3_finalize(st);
    return elapsed;
}

static int64_t sell_round(zc_datadir *dd, zc_ledger *l, int n, const char *const *ids,
                          int64_t *count)
{
    int64_t t0 = now_ns();
    for (int i = 0; i < n; i++) {
        ++*count;
        zc_sell_request req = {.ident = ZC_IDENT_ID_CARD,
                               .credential = ids[*count % ELDERS],
                               .price = 1500,
                               .at = START + *count * MINUTE_MS / 10};
        zc_sell_result r;
        zc_diag d = {{0}, 0};
        if (zc_sell(dd, l, &req, &r, &d))
            die("sell", d.msg);
    }
    return now_ns() - t0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        die("usage", "bench_sell SOURCE_DIR WORK_DIR [SALES_PER_ROUND] [ROUNDS]");
    int per_round = argc > 3 ? parse_count(argv[3], "SALES_PER_ROUND") : DEFAULT_PER_ROUND;
    int rounds = argc > 4 ? parse_count(argv[4], "ROUNDS") : DEFAULT_ROUNDS;
    zc_datadir *dd = make_kiosk(argv[1], argv[2]);
    zc_ledger *l;
    zc_diag d = {{0}, 0};
    if (zc_datadir_ledger(dd, &l, &d))
        die("ledger", d.msg);

    int64_t version;
    zc_rules *rules;
    if (zc_rulebook_version_at(dd->store, START, &version, &d) ||
        zc_rulebook_load(dd->store, dd->rules_pk, version, &rules, &d))
        die("rules", d.msg);
    bench_quotes(rules);
    zc_rules_free(rules);

    /* The demo roster's ID numbers: the first column of each data row. */
    static char ids[ELDERS][ZC_IDNUM_LEN + 1];
    const char *IDS[ELDERS];
    char path[PATH_SIZE];
    size_t len;
    snprintf(path, sizeof path, "%s/assets/demo/roster.csv", argv[1]);
    char *csv = read_all(path, &len);
    const char *line = strchr(csv, '\n');
    for (int i = 0; i < ELDERS; i++) {
        if (!line || strlen(line + 1) < ZC_IDNUM_LEN)
            die(path, "fewer elders than expected");
        memcpy(ids[i], line + 1, ZC_IDNUM_LEN);
        IDS[i] = ids[i];
        line = strchr(line + 1, '\n');
    }
    free(csv);
    char bare_path[PATH_SIZE];
    snprintf(bare_path, sizeof bare_path, "%s/bare.db", argv[2]);
    zc_store *bare;
    if (zc_store_open(bare_path, NULL, &bare, &d))
        die("bare", d.msg);
    int64_t *ours = calloc((size_t)rounds, sizeof *ours);
    int64_t *limit = calloc((size_t)rounds, sizeof *limit);
    if (!ours || !limit)
        die("memory", "out of memory");
    int64_t count = 0, seq = 0;
    for (int r = 0; r < rounds; r++) {
        limit[r] = bare_round(zc_store_db(bare), per_round, &seq);
        ours[r] = sell_round(dd, l, per_round, IDS, &count);
    }
    qsort(ours, (size_t)rounds, sizeof *ours, cmp_i64);
    qsort(limit, (size_t)rounds, sizeof *limit, cmp_i64);
    int median = rounds / 2;
    double ours_us = (double)ours[median] / per_round / NS_PER_US;
    double limit_us = (double)limit[median] / per_round / NS_PER_US;
    printf("whole sale (lookup, rules, history, quote, durable append): %.1f us (median of %d "
           "rounds of %d)\n",
           ours_us, rounds, per_round);
    printf("bare insert, same pragmas: %.1f us/row\n", limit_us);
    printf("ratio sale/bare: %.3f\n", ours_us / limit_us);
    free(ours);
    free(limit);
    zc_store_close(bare);
    zc_ledger_close(l);
    zc_datadir_close(dd);
    return 0;
}
