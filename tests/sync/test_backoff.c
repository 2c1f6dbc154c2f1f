/* zc_sync_backoff_ms: capped exponential backoff with full jitter (app/sync/backoff.c). */
#include "testutil.h"

#include "zc/sync.h"

#include <stdint.h>

enum { BASE = 2000, MAX = 600000, SAMPLES = 1000, SPREAD_BUCKETS = 10 };

typedef struct cap_case {
    int failures;
    int64_t base, max;
    int64_t cap; /* the wait with the largest random: base * 2^(failures-1), capped */
} cap_case;

static const cap_case CAP_CASES[] = {
    {1, BASE, MAX, 2000},          {2, BASE, MAX, 4000},   {3, BASE, MAX, 8000},
    {4, BASE, MAX, 16000},         {8, BASE, MAX, 256000}, {9, BASE, MAX, 512000},
    {10, BASE, MAX, MAX},                                  /* 1,024,000 capped */
    {11, BASE, MAX, MAX},          {1000, BASE, MAX, MAX}, /* no overflow however long the hub is
                                                              gone */
    {INT32_MAX, BASE, MAX, MAX},   {0, BASE, MAX, BASE},   /* nonsense counts behave like the first
                                                              failure */
    {-5, BASE, MAX, BASE},         {3, 0, MAX, 4},         /* base 0 is taken as 1 ms */
    {3, BASE, 1000, 1000},                                 /* max below base: max wins */
    {70, 1, INT64_MAX, INT64_MAX}, /* the widest range still multiplies without overflow */
};

static void test_cap(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof CAP_CASES / sizeof CAP_CASES[0]; i++) {
        const cap_case *c = &CAP_CASES[i];
        int64_t hi = zc_sync_backoff_ms(c->failures, UINT32_MAX, c->base, c->max);
        int64_t lo = zc_sync_backoff_ms(c->failures, 0, c->base, c->max);
        /* The largest random lands within one part in 2^32 of the cap, never above it. */
        assert_true(hi <= c->cap);
        assert_true(hi >= c->cap - c->cap / INT64_C(1000000) - 1);
        assert_int_equal(lo, 1); /* never 0: a retry is never immediate */
    }
}

static void test_never_zero_never_above_max(void **state)
{
    (void)state;
    static const uint32_t RANDOMS[] = {0, 1, 2, 12345, UINT32_MAX / 2, UINT32_MAX - 1, UINT32_MAX};
    for (int f = -1; f <= 40; f++)
        for (size_t i = 0; i < sizeof RANDOMS / sizeof RANDOMS[0]; i++) {
            int64_t w = zc_sync_backoff_ms(f, RANDOMS[i], BASE, MAX);
            assert_true(w >= 1);
            assert_true(w <= MAX);
        }
}

static void test_grows(void **state)
{
    (void)state;
    /* With the same random draw, each failure waits at least as long as the one before, and
     * strictly longer until the cap is reached. */
    static const uint32_t RANDOMS[] = {UINT32_MAX / 3, UINT32_MAX / 2, UINT32_MAX};
    for (size_t i = 0; i < sizeof RANDOMS / sizeof RANDOMS[0]; i++) {
        int64_t prev = 0;
        for (int f = 1; f <= 12; f++) {
            int64_t w = zc_sync_backoff_ms(f, RANDOMS[i], BASE, MAX);
            if (f <= 9)
                assert_true(w > prev);
            else
                assert_true(w >= prev);
            prev = w;
        }
    }
}

static void test_jitter_spread(void **state)
{
    (void)state;
    /* Evenly spread random draws give waits spread over the whole range (0, cap]: every tenth
     * of it is hit, so kiosks that failed together do not retry together. */
    int buckets[SPREAD_BUCKETS] = {0};
    const int64_t cap = 16000;
    for (int i = 0; i < SAMPLES; i++) {
        uint32_t r = (uint32_t)((uint64_t)i * UINT32_MAX / (SAMPLES - 1));
        int64_t w = zc_sync_backoff_ms(4, r, BASE, MAX);
        assert_true(w >= 1 && w <= cap);
        int b = (int)((w - 1) * SPREAD_BUCKETS / cap);
        buckets[b]++;
    }
    for (int b = 0; b < SPREAD_BUCKETS; b++) {
        assert_true(buckets[b] >= SAMPLES / SPREAD_BUCKETS / 2);
        assert_true(buckets[b] <= SAMPLES / SPREAD_BUCKETS * 2);
    }
    /* Two different draws give two different waits. */
    assert_true(zc_sync_backoff_ms(5, 1000000, BASE, MAX) !=
                zc_sync_backoff_ms(5, 3000000000u, BASE, MAX));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_never_zero_never_above_max),
        cmocka_unit_test(test_grows),
        cmocka_unit_test(test_jitter_spread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
