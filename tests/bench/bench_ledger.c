/*
 * Durable sale append against its limit: a bare SQLite insert with the same pragmas
 * (WAL, synchronous=FULL), one transaction per row, into a table of the same shape, in the same
 * run and directory. Runs alternate in rounds so both see the same disk weather.
 * usage: bench_ledger [DIR] [SALES_PER_ROUND] [ROUNDS]
 */
#include "benchutil.h"
#include "zc/ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    DEFAULT_PER_ROUND = 300,
    DEFAULT_ROUNDS = 5,
    CANON_LIKE_BYTES = 420, /* about the size of a real sale's canonical bytes */
    RULES_VERSION = 12, /* arbitrary (no rules are installed); sales and bare rows carry the same */
};

static const zc_ms T0 = 1767240000000LL;
static const char PROG[] = "bench_ledger";
static const char USAGE[] = "bench_ledger [DIR] [SALES_PER_ROUND] [ROUNDS]";

/* The limit: the same columns, a blob as large as the canonical bytes, nothing else. */
static const bench_bare_sale BARE_SALE = {.t0 = T0,
                                          .local_date = "2026-01-01",
                                          .rules_version = RULES_VERSION,
                                          .blob_bytes = CANON_LIKE_BYTES};

static int64_t ledger_round(zc_ledger *l, int n, int64_t *count)
{
    json_t *detail = json_pack("{s:[{s:s,s:s,s:i,s:i}],s:[{s:s,s:i,s:s}]}", "items", "code", "A1",
                               "name", "红烧肉套餐", "qty", 1, "price", 1500, "lines", "rule",
                               "age_tiers[2] 80+", "amount", 500, "note", "age 86");
    int64_t start = bench_now_ns();
    for (int i = 0; i < n; i++) {
        zc_sale s;
        memset(&s, 0, sizeof s);
        s.at = T0 + ++*count;
        s.date = (zc_date){2026, 1, 1};
        snprintf(s.period, sizeof s.period, "lunch");
        snprintf(s.tier, sizeof s.tier, "80+");
        s.elder_id = 7;
        s.ident = ZC_IDENT_QR;
        s.price = 1500;
        s.subsidy = 500;
        s.self_pay = 1000;
        s.rules_version = RULES_VERSION;
        s.detail = detail;
        zc_diag d = {0};
        if (zc_ledger_append(l, &s, &d))
            bench_die(PROG, "append", d.msg);
    }
    int64_t elapsed = bench_now_ns() - start;
    json_decref(detail);
    return elapsed;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    int per_round =
        argc > 2 ? bench_parse_count(PROG, USAGE, "SALES_PER_ROUND", argv[2]) : DEFAULT_PER_ROUND;
    int rounds = argc > 3 ? bench_parse_count(PROG, USAGE, "ROUNDS", argv[3]) : DEFAULT_ROUNDS;
    char ours_path[BENCH_PATH_MAX], bare_path[BENCH_PATH_MAX];
    snprintf(ours_path, sizeof ours_path, "%s/bench-ledger-%d.db", dir, (int)getpid());
    snprintf(bare_path, sizeof bare_path, "%s/bench-bare-%d.db", dir, (int)getpid());

    zc_store *ours, *bare;
    zc_diag d = {0};
    if (zc_store_open(ours_path, NULL, &ours, &d) || zc_store_open(bare_path, NULL, &bare, &d))
        bench_die(PROG, "open", d.msg);
    zc_keypair key;
    zc_ledger *l;
    if (zc_keys_generate(&key) || zc_ledger_open(ours, "ZK-bench", "C1", &key, &l, &d))
        bench_die(PROG, "ledger", d.msg);

    int64_t *ours_ns = calloc((size_t)rounds, sizeof *ours_ns);
    int64_t *bare_ns = calloc((size_t)rounds, sizeof *bare_ns);
    if (!ours_ns || !bare_ns)
        bench_die(PROG, "calloc", "out of memory");
    int64_t count = 0, seq = 0;
    for (int r = 0; r < rounds; r++) {
        bare_ns[r] = bench_bare_round(PROG, zc_store_db(bare), per_round, &seq, &BARE_SALE);
        ours_ns[r] = ledger_round(l, per_round, &count);
    }
    double ours_us =
        (double)bench_median_i64(ours_ns, (size_t)rounds) / per_round / BENCH_NS_PER_US;
    double bare_us =
        (double)bench_median_i64(bare_ns, (size_t)rounds) / per_round / BENCH_NS_PER_US;
    printf("durable sale append: %.1f us/sale (median of %d rounds of %d)\n", ours_us, rounds,
           per_round);
    printf("bare insert, same pragmas: %.1f us/row\n", bare_us);
    printf("ratio ours/bare: %.3f\n", ours_us / bare_us);

    zc_ledger_check check;
    if (zc_ledger_verify(ours, key.pk, &check, &d))
        bench_die(PROG, "verify", d.msg);
    zc_ledger_close(l);
    zc_store_close(ours);
    zc_store_close(bare);
    free(ours_ns);
    free(bare_ns);
    for (const char *suffix = ""; suffix; suffix = *suffix ? NULL : "-wal") {
        char p[BENCH_PATH_MAX + 8];
        snprintf(p, sizeof p, "%s%s", ours_path, suffix);
        unlink(p);
        snprintf(p, sizeof p, "%s%s", bare_path, suffix);
        unlink(p);
    }
    return 0;
}
