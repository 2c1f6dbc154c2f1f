/* The ledger: sequence, hash chain, signatures, voids, the clock guard and tamper detection. */
#include "testutil.h"

#include "zc/ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const zc_ms T0 = 1767240000000LL; /* 2026-01-01T12:00:00+08:00 */
static const zc_ms MINUTE_MS = 60000;

typedef struct fixture {
    char dir[ZC_TEST_PATH_MAX];
    zc_store *store;
    zc_keypair key;
    zc_ledger *ledger;
} fixture;

static int setup(void **state)
{
    static fixture f;
    char db[ZC_TEST_PATH_MAX];
    zt_mkdtemp(f.dir, sizeof f.dir);
    zt_join(db, sizeof db, f.dir, "kiosk.db");
    assert_int_equal(zc_store_open(db, NULL, &f.store, NULL), ZC_OK);
    assert_int_equal(zc_keys_generate(&f.key), ZC_OK);
    assert_int_equal(zc_ledger_open(f.store, "ZK-test", "C0107", &f.key, &f.ledger, NULL), ZC_OK);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    zc_ledger_close(f->ledger);
    zc_store_close(f->store);
    zt_rmtree(f->dir);
    return 0;
}

static zc_sale make_sale(zc_ms at, zc_fen price, zc_fen subsidy)
{
    zc_sale s;
    memset(&s, 0, sizeof s);
    s.kind = ZC_ENTRY_SALE;
    s.at = at;
    s.date = (zc_date){2026, 1, 1};
    snprintf(s.period, sizeof s.period, "lunch");
    snprintf(s.tier, sizeof s.tier, "80+");
    s.elder_id = 7;
    s.ident = ZC_IDENT_ID_CARD;
    s.price = price;
    s.subsidy = subsidy;
    s.self_pay = price - subsidy;
    s.paid = ZC_PAY_CASH;
    s.rules_version = 12;
    return s;
}

static void append_n(fixture *f, int n)
{
    for (int i = 0; i < n; i++) {
        zc_sale s = make_sale(T0 + i * MINUTE_MS, 1500, 500);
        zc_diag d = {0};
        assert_int_equal(zc_ledger_append(f->ledger, &s, &d), ZC_OK);
    }
}

static void test_sequence_and_chain(void **state)
{
    fixture *f = *state;
    char first_uuid[ZC_UUID_TEXT_SIZE] = "";
    for (int i = 1; i <= 5; i++) {
        zc_sale s = make_sale(T0 + i * MINUTE_MS, 1500, 500);
        assert_int_equal(zc_ledger_append(f->ledger, &s, NULL), ZC_OK);
        assert_int_equal(s.seq, i);
        assert_string_equal(s.device_id, "ZK-test");
        assert_string_equal(s.canteen, "C0107");
        assert_int_equal(strlen(s.uuid), ZC_UUID_TEXT_SIZE - 1);
        if (i == 1)
            memcpy(first_uuid, s.uuid, sizeof first_uuid);
        else
            assert_string_not_equal(s.uuid, first_uuid);
    }
    zc_ledger_check check;
    zc_diag d = {0};
    assert_int_equal(zc_ledger_verify(f->store, f->key.pk, &check, &d), ZC_OK);
    assert_int_equal(check.entries, 5);
    assert_int_equal(check.first_bad, 0);
    zc_ledger_head head;
    assert_int_equal(zc_ledger_head_get(f->store, &head, NULL), ZC_OK);
    assert_int_equal(head.seq, 5);
    assert_memory_equal(head.hash, check.head.hash, ZC_HASH_LEN);

    zc_sale got;
    assert_int_equal(zc_ledger_get(f->store, 3, &got, NULL), ZC_OK);
    assert_int_equal(got.price, 1500);
    assert_int_equal(got.subsidy, 500);
    assert_string_equal(got.period, "lunch");
    assert_int_equal(zc_ledger_get(f->store, 99, &got, &d), ZC_ERR_NOT_FOUND);
}

static void test_clock_guard(void **state)
{
    fixture *f = *state;
    append_n(f, 2);
    zc_sale s = make_sale(T0 - MINUTE_MS, 1500, 500); /* a board that booted in the past */
    zc_diag d = {0};
    assert_int_equal(zc_ledger_append(f->ledger, &s, &d), ZC_ERR_CLOCK);
    assert_non_null(strstr(d.msg, "earlier than the last recorded sale"));
    zc_ledger_head head;
    assert_int_equal(zc_ledger_head_get(f->store, &head, NULL), ZC_OK);
    assert_int_equal(head.seq, 2);
    s = make_sale(T0 + MINUTE_MS, 1500, 500); /* same time as the last one is fine */
    assert_int_equal(zc_ledger_append(f->ledger, &s, NULL), ZC_OK);
    assert_int_equal(s.seq, 3);
}

typedef struct bad_sale_case {
    const char *what;
    zc_fen price, subsidy, self_pay;
} bad_sale_case;

static const bad_sale_case BAD_SALES[] = {
    {"negative price", -1, 0, 0},
    {"negative subsidy", 1000, -5, 1005},
    {"negative self-pay", 1000, 0, -1},
    {"subsidy above price", 1000, 1200, 0},
};

static void test_bad_amounts_refused(void **state)
{
    fixture *f = *state;
    for (size_t i = 0; i < sizeof BAD_SALES / sizeof BAD_SALES[0]; i++) {
        zc_sale s = make_sale(T0, 0, 0);
        s.price = BAD_SALES[i].price;
        s.subsidy = BAD_SALES[i].subsidy;
        s.self_pay = BAD_SALES[i].self_pay;
        zc_diag d = {0};
        if (zc_ledger_append(f->ledger, &s, &d) != ZC_ERR_INVALID)
            fail_msg("%s was accepted", BAD_SALES[i].what);
    }
    zc_ledger_head head;
    assert_int_equal(zc_ledger_head_get(f->store, &head, NULL), ZC_OK);
    assert_int_equal(head.seq, 0);
}

static void test_void(void **state)
{
    fixture *f = *state;
    append_n(f, 3);
    zc_sale v;
    zc_diag d = {0};
    zc_date day = {2026, 1, 1};
    assert_int_equal(zc_ledger_void(f->ledger, 2, "wrong meal", T0 + 10 * MINUTE_MS, day, &v, &d),
                     ZC_OK);
    assert_int_equal(v.seq, 4);
    assert_int_equal(v.kind, ZC_ENTRY_VOID);
    assert_int_equal(v.voids_seq, 2);
    assert_int_equal(v.price, 1500);

    zc_sale got;
    assert_int_equal(zc_ledger_get(f->store, 4, &got, NULL), ZC_OK);
    assert_string_equal(got.reason, "wrong meal");
    assert_int_equal(got.voids_seq, 2);

    assert_int_equal(zc_ledger_void(f->ledger, 2, "again", T0 + 11 * MINUTE_MS, day, NULL, &d),
                     ZC_ERR_INVALID);
    assert_non_null(strstr(d.msg, "already voided"));
    assert_int_equal(
        zc_ledger_void(f->ledger, 4, "void a void", T0 + 11 * MINUTE_MS, day, NULL, &d),
        ZC_ERR_INVALID);
    assert_int_equal(zc_ledger_void(f->ledger, 42, "missing", T0 + 11 * MINUTE_MS, day, NULL, &d),
                     ZC_ERR_NOT_FOUND);
    assert_int_equal(zc_ledger_void(f->ledger, 1, "", T0 + 11 * MINUTE_MS, day, NULL, &d),
                     ZC_ERR_INVALID);

    zc_ledger_check check;
    assert_int_equal(zc_ledger_verify(f->store, f->key.pk, &check, &d), ZC_OK);
    assert_int_equal(check.entries, 4); /* refused voids left no trace */
}

static void test_rolled_back_append_leaves_no_gap(void **state)
{
    fixture *f = *state;
    append_n(f, 1);
    assert_int_equal(zc_store_begin(f->store, NULL), ZC_OK);
    zc_sale s = make_sale(T0 + MINUTE_MS, 900, 0);
    assert_int_equal(zc_ledger_append(f->ledger, &s, NULL), ZC_OK);
    assert_int_equal(s.seq, 2);
    zc_store_rollback(f->store); /* the caller's sale failed later: nothing is kept */
    s = make_sale(T0 + 2 * MINUTE_MS, 900, 0);
    assert_int_equal(zc_ledger_append(f->ledger, &s, NULL), ZC_OK);
    assert_int_equal(s.seq, 2);
    zc_ledger_check check;
    assert_int_equal(zc_ledger_verify(f->store, f->key.pk, &check, NULL), ZC_OK);
}

static void test_canon_round_trip(void **state)
{
    (void)state;
    zc_sale s = make_sale(T0, 1500, 500);
    s.seq = 9;
    snprintf(s.uuid, sizeof s.uuid, "00000000-0000-4000-8000-000000000000");
    snprintf(s.device_id, sizeof s.device_id, "ZK-1");
    snprintf(s.canteen, sizeof s.canteen, "C1");
    s.detail = json_pack("{s:[{s:s,s:i}]}", "items", "code", "A1", "price", 1500);
    char *canon;
    size_t len;
    assert_int_equal(zc_sale_canon(&s, &canon, &len), ZC_OK);
    zc_sale back;
    zc_diag d = {0};
    assert_int_equal(zc_sale_from_canon(canon, len, &back, &d), ZC_OK);
    assert_int_equal(back.seq, 9);
    assert_int_equal(back.at, T0);
    assert_string_equal(back.tier, "80+");
    assert_true(json_equal(back.detail, s.detail));
    char *again;
    size_t again_len;
    assert_int_equal(zc_sale_canon(&back, &again, &again_len), ZC_OK);
    assert_int_equal(again_len, len);
    assert_memory_equal(again, canon, len); /* canonical: one sale, one byte string */
    json_decref(back.detail);
    json_decref(s.detail);
    free(canon);
    free(again);
}

/* Each way of altering a recorded sale behind the ledger's back, and the first seq it breaks. */
typedef struct tamper_case {
    const char *what;
    const char *sql;
    int64_t first_bad;
} tamper_case;

static const tamper_case TAMPERS[] = {
    {"price column", "UPDATE sale SET price = 1 WHERE seq = 3", 3},
    {"canonical bytes", "UPDATE sale SET canon = replace(canon, '1500', '1501') WHERE seq = 2", 2},
    {"signature", "UPDATE sale SET sig = zeroblob(64) WHERE seq = 4", 4},
    {"previous hash", "UPDATE sale SET prev_hash = zeroblob(32) WHERE seq = 5", 5},
    {"missing entry", "DELETE FROM sale WHERE seq = 3", 3},
    {"removed head", "DELETE FROM sale WHERE seq = 1", 1},
};

static void test_tampering_detected(void **state)
{
    for (size_t i = 0; i < sizeof TAMPERS / sizeof TAMPERS[0]; i++) {
        teardown(state);
        setup(state);
        fixture *f = *state;
        append_n(f, 5);
        assert_int_equal(zc_store_exec(f->store,
                                       "DROP TRIGGER sale_no_update; DROP TRIGGER sale_no_delete",
                                       NULL),
                         ZC_OK);
        assert_int_equal(zc_store_exec(f->store, TAMPERS[i].sql, NULL), ZC_OK);
        zc_ledger_check check;
        zc_diag d = {0};
        if (zc_ledger_verify(f->store, f->key.pk, &check, &d) != ZC_ERR_BROKEN)
            fail_msg("tampered %s was not detected", TAMPERS[i].what);
        if (check.first_bad != TAMPERS[i].first_bad)
            fail_msg("tampered %s: first bad %lld, expected %lld (%s)", TAMPERS[i].what,
                     (long long)check.first_bad, (long long)TAMPERS[i].first_bad, d.msg);
    }
}

static void test_wrong_key_detected(void **state)
{
    fixture *f = *state;
    append_n(f, 2);
    zc_keypair other;
    assert_int_equal(zc_keys_generate(&other), ZC_OK);
    zc_ledger_check check;
    zc_diag d = {0};
    assert_int_equal(zc_ledger_verify(f->store, other.pk, &check, &d), ZC_ERR_BROKEN);
    assert_int_equal(check.first_bad, 1);
    assert_non_null(strstr(d.msg, "signature"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sequence_and_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clock_guard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_amounts_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_void, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rolled_back_append_leaves_no_gap, setup, teardown),
        cmocka_unit_test(test_canon_round_trip),
        cmocka_unit_test_setup_teardown(test_tampering_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_key_detected, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
