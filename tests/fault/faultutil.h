/*
 * What the fault tests share: the seed and a small random number generator, a child process that
 * sells into the ledger and reports each sale once it is committed, and the parent's check of the
 * database after the child has died.
 *
 * The child talks to the parent through a pipe in fixed-size records (smaller than PIPE_BUF, so
 * each write is atomic): a record is either in the pipe whole or not at all, even when the child
 * is killed in the middle of its write() call.
 *
 * Code that runs in a child never uses cmocka: a failed assertion there would unwind into the
 * child's copy of the test runner. Children report failures on stderr and by exit status.
 */
#ifndef ZC_FAULTUTIL_H
#define ZC_FAULTUTIL_H

#include "zc/keys.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Exit status of a child that hit an error of its own (as opposed to being killed or cut). */
enum { FT_EXIT_CHILD_FAILED = 3 };

enum { FT_REPORT_SEQ = 1, FT_REPORT_CUT = 2, FT_REPORT_VALUES = 6 };

/* One message from the child: a committed sale (values[0] = seq) or a power cut (see test). */
typedef struct ft_report {
    int64_t kind;
    int64_t values[FT_REPORT_VALUES];
} ft_report;

typedef struct ft_rng {
    uint64_t state;
} ft_rng;

void ft_rng_seed(ft_rng *rng, uint64_t seed);
uint64_t ft_rng_next(ft_rng *rng);
/* A number in [0, n); n > 0. */
uint64_t ft_rng_below(ft_rng *rng, uint64_t n);

/* The run's seed: $ZC_FAULT_SEED if set, else fallback. Printed, with how to replay it. */
uint64_t ft_seed(const char *test, uint64_t fallback);

/* How many rounds to run: $ZC_FAULT_ROUNDS if set (for a longer soak), else fallback. */
int ft_rounds(const char *test, int fallback);

/* Seconds on a monotonic clock. */
double ft_now(void);

/* Sleeps for the given number of microseconds, resuming after signals. */
void ft_sleep_us(uint64_t us);

/* What a selling child does. */
typedef struct ft_child_opts {
    const char *path;       /* the database */
    const char *vfs;        /* NULL for the default VFS */
    const zc_keypair *key;  /* the device key, the same in every round */
    int fd;                 /* where to report */
    long cap;               /* stop after this many sales and close cleanly; <= 0 never */
    int wal_autocheckpoint; /* pages; 0 leaves SQLite's default */
} ft_child_opts;

/*
 * Opens the store and the ledger and appends sales, reporting each one's seq right after
 * zc_ledger_append returns, until cap. Returns the child's exit status: 0 or FT_EXIT_CHILD_FAILED.
 */
int ft_child_sell(const ft_child_opts *opts);

/* Writes one whole record; false when the pipe is gone. */
bool ft_report_write(int fd, const ft_report *report);

/*
 * Forks a child that runs fn(fd, arg) and _exit()s with what it returns; fd is the write end of
 * a pipe whose read end goes to *read_fd. The child dies with the parent.
 */
pid_t ft_spawn(int (*fn)(int fd, void *arg), void *arg, int *read_fd);

/* Waits for the child; returns its wait status. */
int ft_wait(pid_t pid);

/* Describes a wait status ("exit 3", "signal 9") into buf. */
const char *ft_status_text(int status, char *buf, size_t size);

/* Everything one child reported. */
typedef struct ft_reports {
    int64_t *seqs;
    size_t nseqs, cap;
    bool cut;                             /* a power-cut record came */
    int64_t cut_values[FT_REPORT_VALUES]; /* its values */
} ft_reports;

/* Reads records until the child's end of the pipe closes, then closes fd. */
void ft_reports_read(int fd, ft_reports *out);
void ft_reports_free(ft_reports *r);

/*
 * Opens the database with the default VFS, as the kiosk would after the crash, and checks it:
 * PRAGMA integrity_check, the whole chain and every signature (zc_ledger_verify, which also
 * requires sequence numbers 1..n without a gap), AUTOINCREMENT's high-water mark equal to the
 * head (else the next sale would leave a gap), nothing lost from before (*head does not go
 * down), and every reported sale present and whole, numbered on from the previous head.
 * label names the round in failure messages. *head is the previous head in, the new one out.
 */
void ft_check_db(const char *label, const char *path, const uint8_t pk[ZC_PUBKEY_LEN],
                 const ft_reports *reports, int64_t *head);

#endif
