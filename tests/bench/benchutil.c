/* What the benchmarks share; see benchutil.h. */
#include "benchutil.h"

#include "zc/keys.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * BENCH_NS_PER_S + ts.tv_nsec;
}

_Noreturn void bench_die(const char *prog, const char *what, const char *detail)
{
    fprintf(stderr, "%s: %s: %s\n", prog, what, detail);
    exit(1);
}

int bench_parse_count(const char *prog, const char *usage, const char *name, const char *arg)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (end == arg || *end != '\0' || errno == ERANGE || v <= 0 || v > INT_MAX) {
        fprintf(stderr, "%s: %s must be a whole number from 1 to %d, not \"%s\"\n", prog, name,
                INT_MAX, arg);
        bench_die(prog, "usage", usage);
    }
    return (int)v;
}

char *bench_read_all(const char *prog, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        bench_die(prog, path, strerror(errno));
    char *buf = NULL;
    long size = 0;
    errno = 0;
    if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
        !(buf = malloc((size_t)size + 1)) || fread(buf, 1, (size_t)size, f) != (size_t)size)
        /* A short read need not set errno. */
        bench_die(prog, path, errno ? strerror(errno) : "could not read");
    fclose(f);
    buf[size] = '\0';
    *len = (size_t)size;
    return buf;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int64_t bench_median_i64(int64_t *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_i64);
    return v[n / 2]; /* an index: integer division meant */
}

int64_t bench_bare_round(const char *prog, sqlite3 *db, int n, int64_t *seq,
                         const bench_bare_sale *sale)
{
    /*
     * The date and rules version are written into the text, not bound, so that each benchmark
     * prepares, letter for letter, the statement it timed when it had its own copy of this.
     */
    char *sql = sqlite3_mprintf(
        "INSERT INTO sale(seq, uuid, kind, at_ms, local_date, period, elder_id, ident, price, "
        "subsidy, self_pay, paid, tier, rules_version, canon, prev_hash, hash, sig) VALUES "
        "(?1, hex(randomblob(16)), 'sale', ?2, %Q, 'lunch', 7, 'qr', 1500, 500, 1000, "
        "'cash', '80+', %d, randomblob(?3), randomblob(?4), randomblob(?4), randomblob(?5))",
        sale->local_date, sale->rules_version);
    if (!sql)
        bench_die(prog, "prepare", "out of memory");
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK)
        bench_die(prog, "prepare", sqlite3_errmsg(db));
    int64_t start = bench_now_ns();
    for (int i = 0; i < n; i++) {
        ++*seq;
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        sqlite3_bind_int64(st, 1, *seq);
        sqlite3_bind_int64(st, 2, sale->t0 + *seq);
        sqlite3_bind_int(st, 3, sale->blob_bytes);
        sqlite3_bind_int(st, 4, ZC_HASH_LEN);
        sqlite3_bind_int(st, 5, ZC_SIG_LEN);
        if (sqlite3_step(st) != SQLITE_DONE)
            bench_die(prog, "bare insert", sqlite3_errmsg(db));
        sqlite3_reset(st);
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            bench_die(prog, "bare commit", sqlite3_errmsg(db));
    }
    int64_t elapsed = bench_now_ns() - start;
    sqlite3_finalize(st);
    return elapsed;
}
