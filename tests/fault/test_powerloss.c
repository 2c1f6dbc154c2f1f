/*
 * Power cuts in the middle of selling, simulated by crashvfs.
 *
 * First the shim itself: passed straight through it must be invisible, and a cut must leave
 * files exactly as the model says (all of a file's unsynced changes undone, some made again,
 * writes torn on sector lines, synced data untouched).
 *
 * Then the ledger: round after round, a child registers crashvfs set to cut the power at a random
 * sync (1..40, counted over the database and its WAL) and sells through it, reporting each sale's
 * seq as soon as zc_ledger_append returns. When the cut comes the child's unsynced writes are
 * partly lost, partly torn, and it exits at once. The parent then opens the database with the
 * ordinary VFS and checks that every reported sale is there, that no sale is there in part (the
 * whole chain and every signature verify, columns agree with the signed bytes), that numbering
 * has no gap and that PRAGMA integrity_check is clean. Half the rounds checkpoint every few
 * pages so that cuts also fall on syncs of the database file, not only of the WAL. The database
 * carries over from round to round.
 *
 * ZC_FAULT_SEED replays a run: the crash points and which writes survive follow from the seed.
 */
#include "crashvfs.h"
#include "faultutil.h"
#include "testutil.h"

#include "zc/keys.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum {
    DEFAULT_ROUNDS = 60,
    CRASH_AT_MAX = 40,          /* the cut comes at sync 1..40 */
    SALES_CAP = 32,             /* a child that is never cut stops here and closes cleanly */
    SMALL_CHECKPOINT_PAGES = 4, /* about one sale's worth of WAL */
    SMALL_CHECKPOINT_PERCENT = 50,
    MIN_CUT_PERCENT = 75, /* rounds that must end in a cut for the run to count */
    PASSTHROUGH_SALES = 50,
    PERCENT = 100,
    LABEL_MAX = 160,
    STATUS_TEXT_MAX = 64,
};

/* What the cut record carries: crashvfs_cut's numbers, then which file was being synced. */
enum { CUT_SYNC, CUT_FILES, CUT_CHANGES, CUT_KEPT, CUT_TORN, CUT_SYNCING };
typedef enum synced_file { SYNCED_DB, SYNCED_WAL, SYNCED_OTHER, SYNCED_KINDS } synced_file;
static const char *const SYNCED_NAMES[SYNCED_KINDS] = {"database", "WAL", "other"};

#define DEFAULT_SEED UINT64_C(20260106)
#define CRASH_VFS "zc-crash"
#define DB_NAME "zhucan.db"

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The child's side of the cut: tell the parent what the power took, and during which sync. */
static void report_cut(const crashvfs_cut *cut, void *arg)
{
    int fd = *(const int *)arg;
    const char *p = cut->sync_path;
    synced_file syncing = !p                      ? SYNCED_OTHER
                          : ends_with(p, "-wal")  ? SYNCED_WAL
                          : ends_with(p, DB_NAME) ? SYNCED_DB
                                                  : SYNCED_OTHER;
    ft_report r = {
        .kind = FT_REPORT_CUT,
        .values = {cut->sync_number, cut->files, cut->changes, cut->kept, cut->torn, syncing}};
    ft_report_write(fd, &r);
}

/* ---- the shim on its own --------------------------------------------------------------- */

/* With no cut configured the shim must be invisible: the ledger works through it unchanged. */
static void test_passthrough(void **state)
{
    (void)state;
    char dir[ZC_TEST_PATH_MAX], path[ZC_TEST_PATH_MAX];
    zt_mkdtemp(dir, sizeof dir);
    zt_join(path, sizeof path, dir, DB_NAME);
    zc_keypair key;
    assert_int_equal(zc_keys_generate(&key), ZC_OK);

    crashvfs *cv;
    crashvfs_config config = {.name = CRASH_VFS,
                              .keep_percent = CRASHVFS_DEFAULT_KEEP_PERCENT,
                              .tear_percent = CRASHVFS_DEFAULT_TEAR_PERCENT};
    assert_int_equal(crashvfs_register(&config, &cv), SQLITE_OK);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    ft_child_opts opts = {.path = path,
                          .vfs = CRASH_VFS,
                          .key = &key,
                          .fd = fds[1],
                          .cap = PASSTHROUGH_SALES,
                          .wal_autocheckpoint = SMALL_CHECKPOINT_PAGES};
    /* A pipe holds far more than these reports, so selling in-process cannot block. */
    assert_int_equal(ft_child_sell(&opts), 0);
    close(fds[1]);
    assert_true(crashvfs_syncs(cv) > PASSTHROUGH_SALES);
    assert_int_equal(crashvfs_unregister(cv), SQLITE_OK);

    ft_reports r;
    ft_reports_read(fds[0], &r);
    assert_int_equal(r.nseqs, PASSTHROUGH_SALES);
    int64_t head = 0;
    ft_check_db("passthrough", path, key.pk, &r, &head);
    assert_int_equal(head, PASSTHROUGH_SALES);
    ft_reports_free(&r);
    zt_rmtree(dir);
}

/*
 * A fixed script of file operations, with a cut at its last sync. File "a" has a synced base of
 * BASE_LEN 'A's, then two unsynced writes: 'B's over the middle and 'C's from just inside the
 * end to past it, neither on sector lines. File "b" has a synced base of BASE_LEN 'D's, then an
 * unsynced truncate, and is closed before the cut. File "c" is written and deleted unsynced.
 */
enum {
    BASE_LEN = 8192,
    B_OFFSET = 1000,
    B_LEN = 3000,
    C_OFFSET = 8000,
    C_LEN = 5000,
    C_END = C_OFFSET + C_LEN,
    TRUNCATED_LEN = 1000,
    SCRIPT_SYNCS = 3, /* a, b, then the one on a that becomes the cut */
    SCRIPT_FILES = 2, /* c is deleted, so it has nothing left to lose */
    SCRIPT_CHANGES = 3,
    RANDOM_CUTS = 40,
};

typedef struct script {
    const char *dir;
    int keep_percent, tear_percent;
    uint64_t seed;
} script;

/* Child side; returns an exit status (never reached when the cut comes as it should). */
static int script_open(sqlite3_vfs *vfs, const char *dir, const char *name, sqlite3_file **out)
{
    /* The unix VFS reads URI parameters after a filename's NUL: keep a second NUL there. */
    char path[ZC_TEST_PATH_MAX + 2] = {0};
    snprintf(path, ZC_TEST_PATH_MAX, "%s/%s", dir, name);
    sqlite3_file *f = sqlite3_malloc(vfs->szOsFile);
    if (!f)
        return FT_EXIT_CHILD_FAILED;
    int flags = SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (vfs->xOpen(vfs, path, f, flags, &flags) != SQLITE_OK) {
        sqlite3_free(f);
        return FT_EXIT_CHILD_FAILED;
    }
    *out = f;
    return 0;
}

static int script_fill(sqlite3_file *f, char byte, int len, sqlite3_int64 offset)
{
    char *buf = malloc((size_t)len);
    if (!buf)
        return SQLITE_NOMEM;
    memset(buf, byte, (size_t)len);
    int rc = f->pMethods->xWrite(f, buf, len, offset);
    free(buf);
    return rc;
}

static int script_run(int fd, void *arg)
{
    const script *s = arg;
    crashvfs *cv;
    crashvfs_config config = {.name = CRASH_VFS,
                              .crash_at_sync = SCRIPT_SYNCS,
                              .seed = s->seed,
                              .keep_percent = s->keep_percent,
                              .tear_percent = s->tear_percent,
                              .on_cut = report_cut,
                              .on_cut_arg = &fd};
    if (crashvfs_register(&config, &cv) != SQLITE_OK)
        return FT_EXIT_CHILD_FAILED;
    sqlite3_vfs *vfs = sqlite3_vfs_find(CRASH_VFS);
    sqlite3_file *a, *b, *c;
    char cpath[ZC_TEST_PATH_MAX];
    snprintf(cpath, sizeof cpath, "%s/c", s->dir);
    if (script_open(vfs, s->dir, "a", &a) || script_open(vfs, s->dir, "b", &b) ||
        script_open(vfs, s->dir, "c", &c))
        return FT_EXIT_CHILD_FAILED;
    int rc = SQLITE_OK;
    if (!rc)
        rc = script_fill(a, 'A', BASE_LEN, 0);
    if (!rc)
        rc = a->pMethods->xSync(a, SQLITE_SYNC_FULL);
    if (!rc)
        rc = script_fill(b, 'D', BASE_LEN, 0);
    if (!rc)
        rc = b->pMethods->xSync(b, SQLITE_SYNC_FULL);
    if (!rc)
        rc = script_fill(a, 'B', B_LEN, B_OFFSET);
    if (!rc)
        rc = script_fill(a, 'C', C_LEN, C_OFFSET);
    if (!rc)
        rc = b->pMethods->xTruncate(b, TRUNCATED_LEN);
    if (!rc)
        rc = b->pMethods->xClose(b);
    if (!rc)
        rc = script_fill(c, 'E', BASE_LEN, 0);
    if (!rc)
        rc = c->pMethods->xClose(c);
    if (!rc)
        rc = vfs->xDelete(vfs, cpath, 0);
    if (!rc)
        a->pMethods->xSync(a, SQLITE_SYNC_FULL); /* the cut: does not return */
    fprintf(stderr, "script: no cut (rc %d)\n", rc);
    return FT_EXIT_CHILD_FAILED;
}

typedef struct script_result {
    char *a, *b;
    size_t a_len, b_len;
    int64_t cut[FT_REPORT_VALUES];
} script_result;

static void script_cut(const script *s, script_result *out)
{
    int fd;
    pid_t pid = ft_spawn(script_run, (void *)s, &fd);
    ft_reports r;
    ft_reports_read(fd, &r);
    int status = ft_wait(pid);
    char text[STATUS_TEXT_MAX];
    if (!WIFEXITED(status) || WEXITSTATUS(status) != CRASHVFS_EXIT_POWER_CUT)
        fail_msg("script child ended with %s", ft_status_text(status, text, sizeof text));
    assert_true(r.cut);
    memcpy(out->cut, r.cut_values, sizeof out->cut);
    assert_int_equal(out->cut[CUT_SYNC], SCRIPT_SYNCS);
    assert_int_equal(out->cut[CUT_FILES], SCRIPT_FILES);
    assert_int_equal(out->cut[CUT_CHANGES], SCRIPT_CHANGES);
    ft_reports_free(&r);

    char path[ZC_TEST_PATH_MAX];
    zt_join(path, sizeof path, s->dir, "a");
    out->a = zt_read_file(path, &out->a_len);
    zt_join(path, sizeof path, s->dir, "b");
    out->b = zt_read_file(path, &out->b_len);
    zt_join(path, sizeof path, s->dir, "c");
    struct stat st;
    assert_int_equal(stat(path, &st), -1); /* a delete is durable */
}

static void script_free(script_result *r)
{
    free(r->a);
    free(r->b);
}

/* How many bytes of [from, to) are `byte`, counting from `from` until the first other byte. */
static size_t run_of(const char *buf, size_t from, size_t to, char byte)
{
    size_t i = from;
    while (i < to && buf[i] == byte)
        i++;
    return i - from;
}

static bool all_of(const char *buf, size_t from, size_t to, char byte)
{
    return run_of(buf, from, to, byte) == to - from;
}

static void test_cut_loses_everything_unsynced(void **state)
{
    (void)state;
    char dir[ZC_TEST_PATH_MAX];
    zt_mkdtemp(dir, sizeof dir);
    script s = {.dir = dir, .keep_percent = 0, .tear_percent = 0, .seed = 1};
    script_result r;
    script_cut(&s, &r);
    assert_int_equal(r.cut[CUT_KEPT], 0);
    /* Both files exactly as last synced: the writes undone, the truncate too. */
    assert_int_equal(r.a_len, BASE_LEN);
    assert_true(all_of(r.a, 0, BASE_LEN, 'A'));
    assert_int_equal(r.b_len, BASE_LEN);
    assert_true(all_of(r.b, 0, BASE_LEN, 'D'));
    script_free(&r);
    zt_rmtree(dir);
}

static void test_cut_keeps_everything(void **state)
{
    (void)state;
    char dir[ZC_TEST_PATH_MAX];
    zt_mkdtemp(dir, sizeof dir);
    script s = {.dir = dir, .keep_percent = 100, .tear_percent = 0, .seed = 1};
    script_result r;
    script_cut(&s, &r);
    assert_int_equal(r.cut[CUT_KEPT], SCRIPT_CHANGES);
    assert_int_equal(r.cut[CUT_TORN], 0);
    assert_int_equal(r.a_len, C_END);
    assert_true(all_of(r.a, 0, B_OFFSET, 'A'));
    assert_true(all_of(r.a, B_OFFSET, B_OFFSET + B_LEN, 'B'));
    assert_true(all_of(r.a, B_OFFSET + B_LEN, C_OFFSET, 'A'));
    assert_true(all_of(r.a, C_OFFSET, C_END, 'C'));
    assert_int_equal(r.b_len, TRUNCATED_LEN); /* a kept truncate may shorten a synced file */
    assert_true(all_of(r.b, 0, TRUNCATED_LEN, 'D'));
    script_free(&r);
    zt_rmtree(dir);
}

/* Checks a write that was torn: a prefix of new bytes, then the old ones; returns the prefix. */
static size_t torn_prefix(const script_result *r, size_t offset, size_t len, char new_byte,
                          char old_byte, size_t old_end)
{
    size_t end = offset + len < r->a_len ? offset + len : r->a_len;
    size_t kept = run_of(r->a, offset, end, new_byte);
    size_t old_to = old_end < end ? old_end : end;
    if (offset + kept < old_to)
        assert_true(all_of(r->a, offset + kept, old_to, old_byte));
    return kept;
}

static void test_cut_tears_writes(void **state)
{
    (void)state;
    char dir[ZC_TEST_PATH_MAX];
    zt_mkdtemp(dir, sizeof dir);
    for (uint64_t seed = 1; seed <= RANDOM_CUTS; seed++) {
        script s = {.dir = dir, .keep_percent = 100, .tear_percent = 100, .seed = seed};
        script_result r;
        script_cut(&s, &r);
        assert_int_equal(r.cut[CUT_TORN], 2);
        /* Every torn write lost something; what came through is a prefix of it. */
        size_t b = torn_prefix(&r, B_OFFSET, B_LEN, 'B', 'A', BASE_LEN);
        assert_true(b < B_LEN);
        size_t c = torn_prefix(&r, C_OFFSET, C_LEN, 'C', 'A', BASE_LEN);
        assert_true(c < C_LEN);
        /* The file is as long as the part of C that came through makes it, or as synced. */
        assert_int_equal(r.a_len, C_OFFSET + c > BASE_LEN ? C_OFFSET + c : BASE_LEN);
        assert_true(all_of(r.a, 0, B_OFFSET, 'A'));
        assert_true(all_of(r.a, B_OFFSET + B_LEN, C_OFFSET, 'A'));
        script_free(&r);
        zt_rmtree(dir);
        assert_int_equal(mkdir(dir, 0700), 0);
    }
    zt_rmtree(dir);
}

/* With the usual odds, each outcome must be one the model allows, and more than one must occur. */
static void test_cut_random_subsets(void **state)
{
    (void)state;
    char dir[ZC_TEST_PATH_MAX];
    zt_mkdtemp(dir, sizeof dir);
    int a_base = 0, a_grown = 0, b_cut = 0, b_whole = 0;
    for (uint64_t seed = 1; seed <= RANDOM_CUTS; seed++) {
        script s = {.dir = dir,
                    .keep_percent = CRASHVFS_DEFAULT_KEEP_PERCENT,
                    .tear_percent = CRASHVFS_DEFAULT_TEAR_PERCENT,
                    .seed = seed};
        script_result r;
        script_cut(&s, &r);
        /* a: never shorter than synced, never longer than all writes; each byte old or new. */
        assert_true(r.a_len >= BASE_LEN && r.a_len <= C_END);
        assert_true(all_of(r.a, 0, B_OFFSET, 'A'));
        assert_true(all_of(r.a, B_OFFSET + B_LEN, C_OFFSET, 'A'));
        torn_prefix(&r, B_OFFSET, B_LEN, 'B', 'A', BASE_LEN);
        size_t c = torn_prefix(&r, C_OFFSET, C_LEN, 'C', 'A', BASE_LEN);
        assert_int_equal(r.a_len, C_OFFSET + c > BASE_LEN ? C_OFFSET + c : BASE_LEN);
        a_base += r.a_len == BASE_LEN && all_of(r.a, 0, BASE_LEN, 'A');
        a_grown += r.a_len > BASE_LEN;
        /* b: truncated or not, never anything else. */
        assert_true(r.b_len == TRUNCATED_LEN || r.b_len == BASE_LEN);
        assert_true(all_of(r.b, 0, r.b_len, 'D'));
        b_cut += r.b_len == TRUNCATED_LEN;
        b_whole += r.b_len == BASE_LEN;
        script_free(&r);
        zt_rmtree(dir);
        assert_int_equal(mkdir(dir, 0700), 0);
    }
    assert_true(a_base > 0 && a_grown > 0 && b_cut > 0 && b_whole > 0);
    zt_rmtree(dir);
}

/* ---- the ledger through power cuts ----------------------------------------------------- */

typedef struct round_plan {
    const char *path;
    const zc_keypair *key;
    int crash_at;
    int wal_autocheckpoint;
    uint64_t seed;
} round_plan;

static int sell_until_cut(int fd, void *arg)
{
    const round_plan *p = arg;
    crashvfs *cv;
    crashvfs_config config = {.name = CRASH_VFS,
                              .crash_at_sync = p->crash_at,
                              .seed = p->seed,
                              .keep_percent = CRASHVFS_DEFAULT_KEEP_PERCENT,
                              .tear_percent = CRASHVFS_DEFAULT_TEAR_PERCENT,
                              .on_cut = report_cut,
                              .on_cut_arg = &fd};
    if (crashvfs_register(&config, &cv) != SQLITE_OK) {
        fprintf(stderr, "cannot register crashvfs\n");
        return FT_EXIT_CHILD_FAILED;
    }
    ft_child_opts opts = {.path = p->path,
                          .vfs = CRASH_VFS,
                          .key = p->key,
                          .fd = fd,
                          .cap = SALES_CAP,
                          .wal_autocheckpoint = p->wal_autocheckpoint};
    int status = ft_child_sell(&opts);
    if (status == 0 && crashvfs_unregister(cv) != SQLITE_OK)
        status = FT_EXIT_CHILD_FAILED;
    return status;
}

static void test_powerloss_rounds(void **state)
{
    (void)state;
    uint64_t seed = ft_seed("test_powerloss", DEFAULT_SEED);
    int rounds = ft_rounds("test_powerloss", DEFAULT_ROUNDS);
    ft_rng rng;
    ft_rng_seed(&rng, seed);
    double start = ft_now();

    char dir[ZC_TEST_PATH_MAX], path[ZC_TEST_PATH_MAX];
    zt_mkdtemp(dir, sizeof dir);
    zt_join(path, sizeof path, dir, DB_NAME);
    zc_keypair key;
    assert_int_equal(zc_keys_generate(&key), ZC_OK);

    int cuts = 0, clean = 0;
    int64_t head = 0, reported = 0, checked_entries = 0;
    int64_t changes = 0, kept = 0, torn = 0, nothing_to_lose = 0;
    int cuts_during[SYNCED_KINDS] = {0};
    for (int round = 1; round <= rounds; round++) {
        round_plan plan = {
            .path = path,
            .key = &key,
            .crash_at = 1 + (int)ft_rng_below(&rng, CRASH_AT_MAX),
            .wal_autocheckpoint =
                ft_rng_below(&rng, PERCENT) < SMALL_CHECKPOINT_PERCENT ? SMALL_CHECKPOINT_PAGES : 0,
            .seed = ft_rng_next(&rng),
        };
        char label[LABEL_MAX], text[STATUS_TEXT_MAX];
        snprintf(label, sizeof label,
                 "round %d (cut at sync %d, wal_autocheckpoint %d, crashvfs seed %" PRIu64 ")",
                 round, plan.crash_at, plan.wal_autocheckpoint, plan.seed);
        int fd;
        pid_t pid = ft_spawn(sell_until_cut, &plan, &fd);
        ft_reports r;
        ft_reports_read(fd, &r);
        int status = ft_wait(pid);
        if (WIFEXITED(status) && WEXITSTATUS(status) == CRASHVFS_EXIT_POWER_CUT) {
            if (!r.cut || r.cut_values[CUT_SYNC] != plan.crash_at)
                fail_msg("%s: the child was cut without saying how", label);
            cuts++;
            changes += r.cut_values[CUT_CHANGES];
            kept += r.cut_values[CUT_KEPT];
            torn += r.cut_values[CUT_TORN];
            nothing_to_lose += r.cut_values[CUT_CHANGES] == 0;
            int64_t syncing = r.cut_values[CUT_SYNCING];
            assert_true(syncing >= 0 && syncing < SYNCED_KINDS);
            cuts_during[syncing]++;
        } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            if ((int64_t)r.nseqs != SALES_CAP)
                fail_msg("%s: the child finished after %zu sales", label, r.nseqs);
            clean++;
        } else {
            fail_msg("%s: child ended with %s", label, ft_status_text(status, text, sizeof text));
        }
        ft_check_db(label, path, key.pk, &r, &head);
        reported += (int64_t)r.nseqs;
        checked_entries += head;
        ft_reports_free(&r);
    }

    printf("test_powerloss: %d rounds, %d power cuts (during a sync of the %s %d, %s %d, "
           "%s %d; %" PRId64 " with nothing unsynced), %d ran to the cap; at the cuts %" PRId64
           " unsynced changes, %" PRId64 " kept, %" PRId64 " torn; %" PRId64
           " sales reported and found, ledger ends at %" PRId64 " entries, %" PRId64
           " entries verified in all, seed %" PRIu64 ", %.1f s\n",
           rounds, cuts, SYNCED_NAMES[SYNCED_DB], cuts_during[SYNCED_DB], SYNCED_NAMES[SYNCED_WAL],
           cuts_during[SYNCED_WAL], SYNCED_NAMES[SYNCED_OTHER], cuts_during[SYNCED_OTHER],
           nothing_to_lose, clean, changes, kept, torn, reported, head, checked_entries, seed,
           ft_now() - start);
    /* The test means nothing unless the power actually went out, and writes were lost. */
    assert_true(cuts * PERCENT >= rounds * MIN_CUT_PERCENT);
    assert_true(changes > kept && kept > 0 && torn > 0);
    assert_true(head > 0);
    zt_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_passthrough),
        cmocka_unit_test(test_cut_loses_everything_unsynced),
        cmocka_unit_test(test_cut_keeps_everything),
        cmocka_unit_test(test_cut_tears_writes),
        cmocka_unit_test(test_cut_random_subsets),
        cmocka_unit_test(test_powerloss_rounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
