/*
 * Quotes per second, and a whole sale (roster lookup, rule set, the elder's history, quote, durable
 * append) against its limit: a bare SQLite insert with the same pragmas, in the same run and
 * directory, alternating rounds so both see the same disk.
 * usage: bench_sell SOURCE_DIR WORK_DIR [SALES_PER_ROUND] [ROUNDS]
 */
#include "benchutil.h"
#include "zc/bundle.h"
#include "zc/rulebook.h"
#include "zc/sell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    DEFAULT_PER_ROUND = 200,
    DEFAULT_ROUNDS = 5,
    QUOTES = 200000,
    ROW_BLOB_BYTES = 900, /* about a sale's canonical bytes with its explanation */
    MINUTE_MS = 60000,
    ELDERS = 18,       /* rows of the demo roster */
    RULES_VERSION = 1, /* of assets/rules/default.json, the rules the kiosk sells under */
};

static const zc_ms START = 1772424000000LL; /* 2026-03-02T12:00:00+08:00 */
static const char PROG[] = "bench_sell";
static const char USAGE[] = "bench_sell SOURCE_DIR WORK_DIR [SALES_PER_ROUND] [ROUNDS]";

/* The limit: a row shaped like the sales this benchmark makes, on the day they are made. */
static const bench_bare_sale BARE_SALE = {.t0 = START,
                                          .local_date = "2026-03-02",
                                          .rules_version = RULES_VERSION,
                                          .blob_bytes = ROW_BLOB_BYTES};

/* The kiosk: the demo roster and the shipped default rules, signed with a fresh key. */
static zc_datadir *make_kiosk(const char *src, const char *work)
{
    char path[BENCH_PATH_MAX], pub[BENCH_PATH_MAX], sec[BENCH_PATH_MAX];
    zc_diag d = {{0}, 0};
    zc_keypair rules_key;
    snprintf(sec, sizeof sec, "%s/rules.key", work);
    snprintf(pub, sizeof pub, "%s/rules.pub", work);
    if (zc_keys_generate(&rules_key) || zc_keys_write(&rules_key, sec, pub, &d))
        bench_die(PROG, "keys", d.msg);
    snprintf(path, sizeof path, "%s/kiosk", work);
    zc_datadir_init_opts o = {.canteen = "C0001", .rules_pubkey = pub};
    zc_datadir *dd;
    if (zc_datadir_init(path, &o, &d) || zc_datadir_open(path, &dd, &d))
        bench_die(PROG, "kiosk", d.msg);
    size_t len;
    snprintf(path, sizeof path, "%s/assets/demo/roster.csv", src);
    char *text = bench_read_all(PROG, path, &len);
    if (zc_roster_import_csv(dd->store, dd->region_key, text, len, NULL, &d))
        bench_die(PROG, "roster", d.msg);
    free(text);
    snprintf(path, sizeof path, "%s/assets/rules/default.json", src);
    text = bench_read_all(PROG, path, &len);
    char *bundle;
    if (zc_bundle_sign(&rules_key, text, len, &bundle, &d) ||
        zc_rulebook_install(dd->store, dd->rules_pk, bundle, strlen(bundle), 0, NULL, &d))
        bench_die(PROG, "rules", d.msg);
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
    int64_t t0 = bench_now_ns();
    for (int i = 0; i < QUOTES; i++) {
        zc_quote_input in = {.elder = &e,
                             .price = 1500 + i % 7,
                             .at = START + (zc_ms)(i % 120) * MINUTE_MS,
                             .canteen = "C0001",
                             .history = history,
                             .nhistory = 3};
        if (zc_rules_quote(rules, &in, &q, &d))
            bench_die(PROG, "quote", d.msg);
    }
    double s = (double)(bench_now_ns() - t0) / BENCH_NS_PER_S;
    printf("quotes: %.0f per second (%d quotes, %.2f us each)\n", QUOTES / s, QUOTES,
           s * 1e6 / QUOTES);
}

static int64_t sell_round(zc_datadir *dd, zc_ledger *l, int n, const char *const *ids,
                          int64_t *count)
{
    int64_t t0 = bench_now_ns();
    for (int i = 0; i < n; i++) {
        ++*count;
        zc_sell_request req = {.ident = ZC_IDENT_ID_CARD,
                               .credential = ids[*count % ELDERS],
                               .price = 1500,
                               .at = START + *count * MINUTE_MS / 10};
        zc_sell_result r;
        zc_diag d = {{0}, 0};
        if (zc_sell(dd, l, &req, &r, &d))
            bench_die(PROG, "sell", d.msg);
    }
    return bench_now_ns() - t0;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        bench_die(PROG, "usage", USAGE);
    int per_round =
        argc > 3 ? bench_parse_count(PROG, USAGE, "SALES_PER_ROUND", argv[3]) : DEFAULT_PER_ROUND;
    int rounds = argc > 4 ? bench_parse_count(PROG, USAGE, "ROUNDS", argv[4]) : DEFAULT_ROUNDS;
    zc_datadir *dd = make_kiosk(argv[1], argv[2]);
    zc_ledger *l;
    zc_diag d = {{0}, 0};
    if (zc_datadir_ledger(dd, &l, &d))
        bench_die(PROG, "ledger", d.msg);

    int64_t version;
    zc_rules *rules;
    if (zc_rulebook_version_at(dd->store, START, &version, &d) ||
        zc_rulebook_load(dd->store, dd->rules_pk, version, &rules, &d))
        bench_die(PROG, "rules", d.msg);
    bench_quotes(rules);
    zc_rules_free(rules);

    /* The demo roster's ID numbers: the first column of each data row. */
    static char ids[ELDERS][ZC_IDNUM_LEN + 1];
    const char *IDS[ELDERS];
    char path[BENCH_PATH_MAX];
    size_t len;
    snprintf(path, sizeof path, "%s/assets/demo/roster.csv", argv[1]);
    char *csv = bench_read_all(PROG, path, &len);
    const char *line = strchr(csv, '\n');
    for (int i = 0; i < ELDERS; i++) {
        if (!line || strlen(line + 1) < ZC_IDNUM_LEN)
            bench_die(PROG, path, "fewer elders than expected");
        memcpy(ids[i], line + 1, ZC_IDNUM_LEN);
        IDS[i] = ids[i];
        line = strchr(line + 1, '\n');
    }
    free(csv);
    char bare_path[BENCH_PATH_MAX];
    snprintf(bare_path, sizeof bare_path, "%s/bare.db", argv[2]);
    zc_store *bare;
    if (zc_store_open(bare_path, NULL, &bare, &d))
        bench_die(PROG, "bare", d.msg);
    int64_t *ours = calloc((size_t)rounds, sizeof *ours);
    int64_t *limit = calloc((size_t)rounds, sizeof *limit);
    if (!ours || !limit)
        bench_die(PROG, "memory", "out of memory");
    int64_t count = 0, seq = 0;
    for (int r = 0; r < rounds; r++) {
        limit[r] = bench_bare_round(PROG, zc_store_db(bare), per_round, &seq, &BARE_SALE);
        ours[r] = sell_round(dd, l, per_round, IDS, &count);
    }
    double ours_us = (double)bench_median_i64(ours, (size_t)rounds) / per_round / BENCH_NS_PER_US;
    double limit_us = (double)bench_median_i64(limit, (size_t)rounds) / per_round / BENCH_NS_PER_US;
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
