/*
 * What the benchmarks in tests/bench share, so that each bench_X.c holds only what it measures.
 *
 * A monotonic clock, one way to fail (a benchmark has nothing to recover: it names itself, says
 * what went wrong and exits 1), counts from the command line, whole-file reads, and the median of
 * timed rounds. And the limit the sale benchmarks are measured against: a bare SQLite durable
 * insert of a sale-shaped row, one transaction per row, into a store opened with the same pragmas.
 * Keeping one copy of that limit keeps every "ours/bare" ratio measured against the same thing.
 *
 * Functions that can fail take the program's name first, for bench_die's message.
 */
#ifndef ZC_BENCHUTIL_H
#define ZC_BENCHUTIL_H

#include "zc/date.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

enum {
    BENCH_NS_PER_S = 1000000000,
    BENCH_NS_PER_US = 1000,
    BENCH_PATH_MAX = 4096, /* room for any path a benchmark builds under its work directory */
};

/* Nanoseconds on CLOCK_MONOTONIC: only differences mean anything. */
int64_t bench_now_ns(void);

/* Prints "PROG: WHAT: DETAIL" to stderr and exits 1. */
_Noreturn void bench_die(const char *prog, const char *what, const char *detail);

/*
 * The count in arg, a whole number from 1 to INT_MAX. Anything else is a usage error: says which
 * argument (name) was wrong and why, then dies with usage.
 */
int bench_parse_count(const char *prog, const char *usage, const char *name, const char *arg);

/* The whole of a file, NUL-terminated, its length in *len; the caller frees. Dies if unreadable. */
char *bench_read_all(const char *prog, const char *path, size_t *len);

/*
 * Sorts v[0..n) in place, so the caller may read other percentiles from it, and returns v[n / 2]:
 * the median, the upper of the middle two when n is even. n must be at least 1.
 */
int64_t bench_median_i64(int64_t *v, size_t n);

/* The columns in which one benchmark's bare rows differ from another's: as its own sales are. */
typedef struct bench_bare_sale {
    zc_ms t0;               /* row seq is stamped at t0 + seq */
    const char *local_date; /* YYYY-MM-DD */
    int rules_version;
    int blob_bytes; /* the size of the canonical bytes the benchmark's sales carry */
} bench_bare_sale;

/*
 * The limit: n rows into db's sale table, each in its own BEGIN IMMEDIATE .. COMMIT, with the
 * same columns as a real sale and random blobs as large as its canonical bytes, hashes and
 * signature, and nothing else. *seq is the last seq written and advances by n. Returns the
 * nanoseconds the n rows took, preparing the statement excluded.
 */
int64_t bench_bare_round(const char *prog, sqlite3 *db, int n, int64_t *seq,
                         const bench_bare_sale *sale);

#endif
