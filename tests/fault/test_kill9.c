/*
 * kill -9 in the middle of selling.
 *
 * Round after round, a child process opens the store and the ledger on one database and sells
 * as fast as it can, telling the parent each sale's seq the moment zc_ledger_append returns. The
 * parent SIGKILLs it after a random 0-50 ms, which lands anywhere: inside a transaction, between
 * the WAL write and the commit, during a checkpoint, before the store is even open. Then the
 * parent opens the database as the kiosk would after a restart and checks that every sale the
 * child saw committed is there, whole, signed and chained, with no gap in the numbering and a
 * clean PRAGMA integrity_check. The database carries over from round to round, so the chain grows
 * and each round starts from whatever the last kill left.
 *
 * A killed process loses nothing the kernel already has, so this tests atomicity and recovery,
 * not durability; test_powerloss covers what a power cut takes away.
 *
 * ZC_FAULT_SEED replays the choice of delays (the timing itself is up to the machine).
 */
#include "faultutil.h"
#include "testutil.h"

#include "zc/keys.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

enum {
    DEFAULT_ROUNDS = 40,
    KILL_DELAY_MAX_US = 50000,  /* 50 ms: from before the store is open to dozens of sales */
    SMALL_CHECKPOINT_PAGES = 4, /* about one sale's worth of WAL: a checkpoint after each sale */
    SMALL_CHECKPOINT_PERCENT = 50,
    PERCENT = 100,
    LABEL_MAX = 96,
    STATUS_TEXT_MAX = 64,
};

#define DEFAULT_SEED UINT64_C(20260105)

typedef struct kill9_child {
    const char *path;
    const zc_keypair *key;
    int wal_autocheckpoint;
} kill9_child;

static int sell_until_killed(int fd, void *arg)
{
    const kill9_child *c = arg;
    ft_child_opts opts = {.path = c->path,
                          .key = c->key,
                          .fd = fd,
                          .cap = 0,
                          .wal_autocheckpoint = c->wal_autocheckpoint};
    return ft_child_sell(&opts);
}

static void test_kill9_rounds(void **state)
{
    (void)state;
    uint64_t seed = ft_seed("test_kill9", DEFAULT_SEED);
    int rounds = ft_rounds("test_kill9", DEFAULT_ROUNDS);
    ft_rng rng;
    ft_rng_seed(&rng, seed);
    double start = ft_now();

    char dir[ZC_TEST_PATH_MAX], path[ZC_TEST_PATH_MAX];
    zt_mkdtemp(dir, sizeof dir);
    zt_join(path, sizeof path, dir, "zhucan.db");
    /* One device key for every round: the chain must verify under it from the first entry. */
    zc_keypair key;
    assert_int_equal(zc_keys_generate(&key), ZC_OK);
    kill9_child child = {.path = path, .key = &key, .wal_autocheckpoint = 0};

    int64_t head = 0, reported = 0, checked_entries = 0, max_round = 0;
    int before_any_sale = 0;
    for (int round = 1; round <= rounds; round++) {
        uint64_t delay_us = ft_rng_below(&rng, KILL_DELAY_MAX_US + 1);
        /* Half the rounds checkpoint after every sale, so kills also land inside checkpoints. */
        child.wal_autocheckpoint =
            ft_rng_below(&rng, PERCENT) < SMALL_CHECKPOINT_PERCENT ? SMALL_CHECKPOINT_PAGES : 0;
        int fd;
        pid_t pid = ft_spawn(sell_until_killed, &child, &fd);
        ft_sleep_us(delay_us);
        assert_int_equal(kill(pid, SIGKILL), 0);
        ft_reports r;
        ft_reports_read(fd, &r);
        int status = ft_wait(pid);

        char label[LABEL_MAX], text[STATUS_TEXT_MAX];
        snprintf(label, sizeof label, "round %d (kill after %" PRIu64 " us, wal_autocheckpoint %d)",
                 round, delay_us, child.wal_autocheckpoint);
        /* The child sells until it is killed: any other end is a failure of its own. */
        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
            fail_msg("%s: child ended with %s, not by the kill", label,
                     ft_status_text(status, text, sizeof text));
        ft_check_db(label, path, key.pk, &r, &head);
        reported += (int64_t)r.nseqs;
        checked_entries += head;
        before_any_sale += r.nseqs == 0;
        if ((int64_t)r.nseqs > max_round)
            max_round = (int64_t)r.nseqs;
        ft_reports_free(&r);
    }

    printf("test_kill9: %d rounds, %d kills (%d before any sale was reported), %" PRId64
           " sales reported and found (up to %" PRId64 " in a round), ledger ends at %" PRId64
           " entries, %" PRId64 " entries verified in all, seed %" PRIu64 ", %.1f s\n",
           rounds, rounds, before_any_sale, reported, max_round, head, checked_entries, seed,
           ft_now() - start);
    /* Kills that all land before the first sale would have checked nothing. */
    assert_true(reported > 0 && before_any_sale < rounds);
    zt_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill9_rounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
