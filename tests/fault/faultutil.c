#include "faultutil.h"

#include "testutil.h"

#include "zc/ledger.h"
#include "zc/store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

_Static_assert(sizeof(ft_report) <= PIPE_BUF, "a report must be written atomically");

#define FT_SEED_ENV "ZC_FAULT_SEED"
#define FT_ROUNDS_ENV "ZC_FAULT_ROUNDS"

static const char DEVICE_ID[] = "fault-kiosk-01";
static const char CANTEEN[] = "fault-canteen";
static const char PERIOD[] = "lunch";

/* Sales start at 2026-01-05T03:00:00Z and come 37 s apart (any increasing times would do). */
#define FT_FIRST_SALE_AT INT64_C(1767582000000)
enum {
    SALE_STEP_MS = 37 * ZC_MS_PER_SECOND,
    PRICE_BASE_FEN = 800, /* 8 yuan */
    PRICE_SPREAD_FEN = 1200,
    SUBSIDY_FEN = 300,
    RULES_VERSION = 1,
    NS_PER_US = 1000,
    US_PER_S = 1000000,
    INITIAL_SEQS = 64,
    PRAGMA_SQL_MAX = 64,
};

void ft_rng_seed(ft_rng *rng, uint64_t seed)
{
    rng->state = seed;
}

/* splitmix64 */
uint64_t ft_rng_next(ft_rng *rng)
{
    uint64_t z = (rng->state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

uint64_t ft_rng_below(ft_rng *rng, uint64_t n)
{
    return ft_rng_next(rng) % n;
}

uint64_t ft_seed(const char *test, uint64_t fallback)
{
    uint64_t seed = fallback;
    const char *env = getenv(FT_SEED_ENV);
    if (env && *env) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(env, &end, 0);
        if (errno || *end) {
            fprintf(stderr, "%s: %s=%s is not a number\n", test, FT_SEED_ENV, env);
            exit(EXIT_FAILURE);
        }
        seed = (uint64_t)v;
    }
    printf("%s: seed %" PRIu64 " (replay with %s=%" PRIu64 ")\n", test, seed, FT_SEED_ENV, seed);
    fflush(stdout);
    return seed;
}

int ft_rounds(const char *test, int fallback)
{
    const char *env = getenv(FT_ROUNDS_ENV);
    if (!env || !*env)
        return fallback;
    char *end;
    errno = 0;
    long v = strtol(env, &end, 10);
    if (errno || *end || v < 1 || v > INT_MAX) {
        fprintf(stderr, "%s: %s=%s is not a positive number\n", test, FT_ROUNDS_ENV, env);
        exit(EXIT_FAILURE);
    }
    return (int)v;
}

double ft_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void ft_sleep_us(uint64_t us)
{
    struct timespec left = {.tv_sec = (time_t)(us / US_PER_S),
                            .tv_nsec = (long)(us % US_PER_S) * NS_PER_US};
    while (nanosleep(&left, &left) != 0 && errno == EINTR)
        ;
}

/* ---- the child ------------------------------------------------------------------------- */

/* The amounts follow from the time, so a reader can tell a sale was stored whole. */
static void make_sale(zc_sale *s, zc_ms at)
{
    memset(s, 0, sizeof *s);
    s->kind = ZC_ENTRY_SALE;
    s->at = at;
    s->date = zc_date_from_days(at / ((zc_ms)ZC_SECONDS_PER_DAY * ZC_MS_PER_SECOND));
    snprintf(s->period, sizeof s->period, "%s", PERIOD);
    s->ident = ZC_IDENT_NONE;
    s->price = PRICE_BASE_FEN + (at / SALE_STEP_MS) % PRICE_SPREAD_FEN;
    s->subsidy = SUBSIDY_FEN;
    s->self_pay = s->price - s->subsidy;
    s->paid = ZC_PAY_CASH;
    s->rules_version = RULES_VERSION;
}

bool ft_report_write(int fd, const ft_report *report)
{
    ssize_t n;
    do
        n = write(fd, report, sizeof *report);
    while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof *report;
}

static int child_fail(const char *what, zc_err err, const zc_diag *diag)
{
    fprintf(stderr, "fault child %d: %s: %s: %s\n", (int)getpid(), what, zc_err_str(err),
            diag->msg);
    return FT_EXIT_CHILD_FAILED;
}

int ft_child_sell(const ft_child_opts *opts)
{
    zc_diag diag = {{0}, 0};
    zc_store *store = NULL;
    zc_ledger *ledger = NULL;
    zc_store_opts store_opts = {.vfs = opts->vfs, .read_only = false};
    zc_err err = zc_store_open(opts->path, &store_opts, &store, &diag);
    if (err)
        return child_fail("opening the store", err, &diag);
    if (opts->wal_autocheckpoint > 0) {
        /* Smaller checkpoints bring database-file syncs, not only WAL syncs, into reach. */
        char sql[PRAGMA_SQL_MAX];
        snprintf(sql, sizeof sql, "PRAGMA wal_autocheckpoint=%d", opts->wal_autocheckpoint);
        if ((err = zc_store_exec(store, sql, &diag))) {
            zc_store_close(store);
            return child_fail("setting wal_autocheckpoint", err, &diag);
        }
    }
    if ((err = zc_ledger_open(store, DEVICE_ID, CANTEEN, opts->key, &ledger, &diag))) {
        zc_store_close(store);
        return child_fail("opening the ledger", err, &diag);
    }
    zc_ledger_head head;
    if ((err = zc_ledger_head_get(store, &head, &diag))) {
        zc_ledger_close(ledger);
        zc_store_close(store);
        return child_fail("reading the head", err, &diag);
    }
    zc_ms at = head.at > FT_FIRST_SALE_AT ? head.at : FT_FIRST_SALE_AT;
    for (long i = 0; opts->cap <= 0 || i < opts->cap; i++) {
        zc_sale sale;
        at += SALE_STEP_MS;
        make_sale(&sale, at);
        if ((err = zc_ledger_append(ledger, &sale, &diag))) {
            zc_ledger_close(ledger);
            zc_store_close(store);
            return child_fail("appending a sale", err, &diag);
        }
        ft_report r = {.kind = FT_REPORT_SEQ, .values = {sale.seq}};
        if (!ft_report_write(opts->fd, &r))
            break; /* the parent is gone */
    }
    zc_ledger_close(ledger);
    zc_store_close(store);
    return 0;
}

pid_t ft_spawn(int (*fn)(int fd, void *arg), void *arg, int *read_fd)
{
    int fds[2];
    assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
    /* Whatever stdio holds now would otherwise be written twice, once by each process. */
    fflush(stdout);
    fflush(stderr);
    pid_t parent = getpid();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(FT_EXIT_CHILD_FAILED);
        _exit(fn(fds[1], arg));
    }
    close(fds[1]);
    *read_fd = fds[0];
    return pid;
}

int ft_wait(pid_t pid)
{
    int status;
    pid_t r;
    do
        r = waitpid(pid, &status, 0);
    while (r < 0 && errno == EINTR);
    assert_int_equal(r, pid);
    return status;
}

const char *ft_status_text(int status, char *buf, size_t size)
{
    if (WIFEXITED(status))
        snprintf(buf, size, "exit %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, size, "signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(buf, size, "status %#x", (unsigned)status);
    return buf;
}

/* ---- the parent ------------------------------------------------------------------------ */

void ft_reports_read(int fd, ft_reports *out)
{
    memset(out, 0, sizeof *out);
    for (;;) {
        ft_report r;
        size_t got = 0;
        while (got < sizeof r) {
            ssize_t n = read(fd, (char *)&r + got, sizeof r - got);
            if (n < 0 && errno == EINTR)
                continue;
            assert_true(n >= 0);
            if (n == 0)
                break;
            got += (size_t)n;
        }
        if (got == 0)
            break;
        if (got != sizeof r)
            fail_msg("the child's report pipe ended inside a record (%zu bytes)", got);
        if (r.kind == FT_REPORT_SEQ) {
            if (out->nseqs == out->cap) {
                out->cap = out->cap ? out->cap * 2 : INITIAL_SEQS;
                out->seqs = realloc(out->seqs, out->cap * sizeof *out->seqs);
                assert_non_null(out->seqs);
            }
            out->seqs[out->nseqs++] = r.values[0];
        } else if (r.kind == FT_REPORT_CUT) {
            out->cut = true;
            memcpy(out->cut_values, r.values, sizeof out->cut_values);
        } else {
            fail_msg("unknown report kind %" PRId64, r.kind);
        }
    }
    close(fd);
}

void ft_reports_free(ft_reports *r)
{
    free(r->seqs);
    memset(r, 0, sizeof *r);
}

static int64_t query_int(const char *label, zc_store *store, const char *sql)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(zc_store_db(store), sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s: %s", label, sql, sqlite3_errmsg(zc_store_db(store)));
    rc = sqlite3_step(st);
    int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        fail_msg("%s: %s: %s", label, sql, sqlite3_errstr(rc));
    return v;
}

void ft_check_db(const char *label, const char *path, const uint8_t pk[ZC_PUBKEY_LEN],
                 const ft_reports *reports, int64_t *head)
{
    zc_diag diag = {{0}, 0};
    zc_store *store;
    if (zc_store_open(path, NULL, &store, &diag))
        fail_msg("%s: reopening the database: %s", label, diag.msg);
    if (zc_store_integrity_check(store, &diag))
        fail_msg("%s: %s", label, diag.msg);
    zc_ledger_check check;
    if (zc_ledger_verify(store, pk, &check, &diag))
        fail_msg("%s: ledger does not verify (first bad entry %" PRId64 "): %s", label,
                 check.first_bad, diag.msg);
    int64_t now = check.head.seq;
    if (check.entries != now)
        fail_msg("%s: %" PRId64 " entries but head %" PRId64, label, check.entries, now);
    if (now < *head)
        fail_msg("%s: the ledger went back from %" PRId64 " to %" PRId64 " entries", label, *head,
                 now);
    int64_t high = query_int(label, store, "SELECT seq FROM sqlite_sequence WHERE name = 'sale'");
    if (high != now)
        fail_msg("%s: AUTOINCREMENT high-water mark %" PRId64 " but head %" PRId64
                 " (the next sale would leave a gap)",
                 label, high, now);

    for (size_t i = 0; i < reports->nseqs; i++) {
        int64_t seq = reports->seqs[i];
        /* The child appends right after the head it found, which is the head checked last. */
        int64_t expected = *head + 1 + (int64_t)i;
        if (seq != expected)
            fail_msg("%s: report %zu is seq %" PRId64 ", expected %" PRId64, label, i, seq,
                     expected);
        if (seq > now)
            fail_msg("%s: sale %" PRId64 " was committed and reported but is not on disk "
                     "(ledger ends at %" PRId64 ")",
                     label, seq, now);
        zc_sale sale;
        if (zc_ledger_get(store, seq, &sale, &diag))
            fail_msg("%s: reported sale %" PRId64 ": %s", label, seq, diag.msg);
        if (sale.kind != ZC_ENTRY_SALE || sale.price != sale.subsidy + sale.self_pay ||
            sale.subsidy != SUBSIDY_FEN)
            fail_msg("%s: sale %" PRId64 " came back with other amounts", label, seq);
    }
    zc_store_close(store);
    *head = now;
}
