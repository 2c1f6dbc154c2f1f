/*
 * Durable sale append against its limit: a bare SQLite insert with the same pragmas
 * (WAL, synchronous=FULL), one transaction per row, into a table of the same shape, in the same
 * run and directory. Runs alternate in rounds so both see the same disk weather.
 * usage: bench_ledger [DIR] [SALES_PER_ROUND] [ROUNDS]
 */
#include "zc/ledger.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
    DEFAULT_PER_ROUND = 300,
    DEFAULT_ROUNDS = 5,
    NS_PER_S = 1000000000,
    NS_PER_US = 1000,
    PATH_SIZE = 4096,
    CANON_LIKE_BYTES = 420, /* about the size of a real sale's canonical bytes */
    SIG_BYTES = 64,
    HASH_BYTES = 32,
};

static const zc_ms T0 = 1767240000000LL;
static const char USAGE[] = "bench_ledger [DIR] [SALES_PER_ROUND] [ROUNDS]";

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "bench_ledger: %s: %s\n", what, detail);
    exit(1);
}

/* A count given on the command line: a whole number from 1 to INT_MAX, or a usage error. */
static int parse_count(const char *name, const char *arg)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (end == arg || *end != '\0' || errno == ERANGE || v <= 0 || v > INT_MAX) {
        fprintf(stderr, "bench_ledger: %s must be a whole number from 1 to %d, not \"%s\"\n", name,
                INT_MAX, arg);
        die("usage", USAGE);
    }
    return (int)v;
}

/* The limit: the same columns, a blob as large as the canonical bytes, nothing else. */
static int64_t bare_round(sqlite3 *db, int n, int64_t *seq)
{
    static const char SQL[] =
        "INSERT INTO sale(seq, uuid, kind, at_ms, local_date, period, elder_id, ident, price, "
        "subsidy, self_pay, paid, tier, rules_version, canon, prev_hash, hash, sig) VALUES "
        "(?1, hex(randomblob(16)), 'sale', ?2, '2026-01-01', 'lunch', 7, 'qr', 1500, 500, 1000, "
        "'cash', '80+', 12, randomblob(?3), randomblob(?4), randomblob(?4), randomblob(?5))";
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, SQL, -1, &st, NULL) != SQLITE_OK)
        die("prepare", sqlite3_errmsg(db));
    int64_t start = now_ns();
    for (int i = 0; i < n; i++) {
        ++*seq;
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        sqlite3_bind_int64(st, 1, *seq);
        sqlite3_bind_int64(st, 2, T0 + *seq);
        sqlite3_bind_int(st, 3, CANON_LIKE_BYTES);
        sqlite3_bind_int(st, 4, HASH_BYTES);
        sqlite3_bind_int(st, 5, SIG_BYTES);
        if (sqlite3_step(st) != SQLITE_DONE)
            die("bare insert", sqlite3_errmsg(db));
        sqlite3_reset(st);
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            die("bare commit", sqlite3_errmsg(db));
    }
    int64_t elapsed = now_ns() - start;
    sqlite3_finalize(st);
    return elapsed;
}

static int64_t ledger_round(zc_ledger *l, int n, int64_t *count)
{
    json_t *detail = json_pack("{s:[{s:s,s:s,s:i,s:i}],s:[{s:s,s:i,s:s}]}", "items", "code", "A1",
                               "name", "红烧肉套餐", "qty", 1, "price", 1500, "lines", "rule",
                               "age_tiers[2] 80+", "amount", 500, "note", "age 86");
    int64_t start = now_ns();
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
        s.rules_version = 12;
        s.detail = detail;
        zc_diag d = {0};
        if (zc_ledger_append(l, &s, &d))
            die("append", d.msg);
    }
    int64_t elapsed = now_ns() - start;
    json_decref(detail);
    return elapsed;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    int per_round = argc > 2 ? parse_count("SALES_PER_ROUND", argv[2]) : DEFAULT_PER_ROUND;
    int rounds = argc > 3 ? parse_count("ROUNDS", argv[3]) : DEFAULT_ROUNDS;
    char ours_path[PATH_SIZE], bare_path[PATH_SIZE];
    snprintf(ours_path, sizeof ours_path, "%s/bench-ledger-%d.db", dir, (int)getpid());
    snprintf(bare_path, sizeof bare_path, "%s/bench-bare-%d.db", dir, (int)getpid());

    zc_store *ours, *bare;
    zc_diag d = {0};
    if (zc_store_open(ours_path, NULL, &ours, &d) || zc_store_open(bare_path, NULL, &bare, &d))
        die("open", d.msg);
    zc_keypair key;
    zc_ledger *l;
    if (zc_keys_generate(&key) || zc_ledger_open(ours, "ZK-bench", "C1", &key, &l, &d))
        die("ledger", d.msg);

    int64_t *ours_ns = calloc((size_t)rounds, sizeof *ours_ns);
    int64_t *bare_ns = calloc((size_t)rounds, sizeof *bare_ns);
    if (!ours_ns || !bare_ns)
        die("calloc", "out of memory");
    int64_t count = 0, seq = 0;
    for (int r = 0; r < rounds; r++) {
        bare_ns[r] = bare_round(zc_store_db(bare), per_round, &seq);
        ours_ns[r] = ledger_round(l, per_round, &count);
    }
    qsort(ours_ns, (size_t)rounds, sizeof *ours_ns, cmp_i64);
    qsort(bare_ns, (size_t)rounds, sizeof *bare_ns, cmp_i64);
    int median = rounds / 2; /* an index: integer division meant */
    double ours_us = (double)ours_ns[median] / per_round / NS_PER_US;
    double bare_us = (double)bare_ns[median] / per_round / NS_PER_US;
    printf("durable sale append: %.1f us/sale (median of %d rounds of %d)\n", ours_us, rounds,
           per_round);
    printf("bare insert, same pragmas: %.1f us/row\n", bare_us);
    printf("ratio ours/bare: %.3f\n", ours_us / bare_us);

    zc_ledger_check check;
    if (zc_ledger_verify(ours, key.pk, &check, &d))
        die("verify", d.msg);
    zc_ledger_close(l);
    zc_store_close(ours);
    zc_store_close(bare);
    free(ours_ns);
    free(bare_ns);
    for (const char *suffix = ""; suffix; suffix = *suffix ? NULL : "-wal") {
        char p[PATH_SIZE + 8];
        snprintf(p, sizeof p, "%s%s", ours_path, suffix);
        unlink(p);
        snprintf(p, sizeof p, "%s%s", bare_path, suffix);
        unlink(p);
    }
    return 0;
}
