/* Data directories: init makes keys and the store, open loads them, nothing is replaced. */
#include "testutil.h"

#include "zc/datadir.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct fixture {
    char dir[ZC_TEST_PATH_MAX];
    char kiosk[ZC_TEST_PATH_MAX];
    char rules_pub[ZC_TEST_PATH_MAX];
} fixture;

static int setup(void **state)
{
    static fixture f;
    char sec[ZC_TEST_PATH_MAX];
    zt_mkdtemp(f.dir, sizeof f.dir);
    zt_join(f.kiosk, sizeof f.kiosk, f.dir, "kiosk");
    zt_join(sec, sizeof sec, f.dir, "rules.secret");
    zt_join(f.rules_pub, sizeof f.rules_pub, f.dir, "rules.public");
    zc_keypair kp;
    assert_int_equal(zc_keys_generate(&kp), ZC_OK);
    assert_int_equal(zc_keys_write(&kp, sec, f.rules_pub, NULL), ZC_OK);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    zt_rmtree(f->dir);
    return 0;
}

static void test_init_then_open(void **state)
{
    fixture *f = *state;
    zc_datadir_init_opts o = {.canteen = "C0107", .rules_pubkey = f->rules_pub};
    zc_diag d = {0};
    assert_int_equal(zc_datadir_init(f->kiosk, &o, &d), ZC_OK);
    char path[ZC_TEST_PATH_MAX];
    struct stat st;
    zt_join(path, sizeof path, f->kiosk, ZC_DATADIR_DEVICE_KEY);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    zt_join(path, sizeof path, f->kiosk, ZC_DATADIR_REGION_KEY);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    zc_datadir *dd;
    assert_int_equal(zc_datadir_open(f->kiosk, &dd, &d), ZC_OK);
    assert_string_equal(dd->canteen, "C0107");
    char expected_id[ZC_ID_MAX];
    zc_datadir_device_id(dd->device_key.pk, expected_id);
    assert_string_equal(dd->device_id, expected_id);
    assert_int_equal(strncmp(dd->device_id, "ZK-", 3), 0);
    uint8_t pinned[ZC_PUBKEY_LEN];
    assert_int_equal(zc_keys_load_public(f->rules_pub, pinned, NULL), ZC_OK);
    assert_memory_equal(dd->rules_pk, pinned, ZC_PUBKEY_LEN);
    assert_string_equal(zc_tz_name(dd->tz), ZC_TZ_DEFAULT);

    /* A kiosk signs with the key it was made with, across restarts. */
    zc_ledger *l;
    assert_int_equal(zc_datadir_ledger(dd, &l, &d), ZC_OK);
    zc_sale s;
    memset(&s, 0, sizeof s);
    s.at = 1767240000000LL;
    s.date = (zc_date){2026, 1, 1};
    s.price = s.self_pay = 1200;
    assert_int_equal(zc_ledger_append(l, &s, &d), ZC_OK);
    zc_ledger_close(l);
    zc_datadir_close(dd);
    assert_int_equal(zc_datadir_open(f->kiosk, &dd, &d), ZC_OK);
    zc_ledger_check check;
    assert_int_equal(zc_ledger_verify(dd->store, dd->device_key.pk, &check, &d), ZC_OK);
    assert_int_equal(check.entries, 1);
    zc_datadir_close(dd);
}

static void test_init_refuses_existing_kiosk(void **state)
{
    fixture *f = *state;
    zc_datadir_init_opts o = {.canteen = "C0107", .rules_pubkey = f->rules_pub};
    assert_int_equal(zc_datadir_init(f->kiosk, &o, NULL), ZC_OK);
    char path[ZC_TEST_PATH_MAX];
    zt_join(path, sizeof path, f->kiosk, ZC_DATADIR_DEVICE_KEY);
    size_t len;
    char *before = zt_read_file(path, &len);
    zc_diag d = {0};
    assert_int_equal(zc_datadir_init(f->kiosk, &o, &d), ZC_ERR_EXISTS);
    char *after = zt_read_file(path, NULL);
    assert_memory_equal(before, after, len); /* the device key is untouched */
    free(before);
    free(after);
}

static void test_shared_region_key(void **state)
{
    fixture *f = *state;
    char key_path[ZC_TEST_PATH_MAX], other[ZC_TEST_PATH_MAX];
    zt_join(key_path, sizeof key_path, f->dir, "region.key");
    zt_join(other, sizeof other, f->dir, "kiosk2");
    uint8_t key[ZC_REGION_KEY_LEN];
    memset(key, 0x5a, sizeof key);
    assert_int_equal(zc_keys_write_secret_file(key_path, key, sizeof key, NULL), ZC_OK);
    zc_datadir_init_opts o = {
        .canteen = "C1", .rules_pubkey = f->rules_pub, .region_key_file = key_path};
    assert_int_equal(zc_datadir_init(f->kiosk, &o, NULL), ZC_OK);
    assert_int_equal(zc_datadir_init(other, &o, NULL), ZC_OK);
    zc_datadir *a, *b;
    assert_int_equal(zc_datadir_open(f->kiosk, &a, NULL), ZC_OK);
    assert_int_equal(zc_datadir_open(other, &b, NULL), ZC_OK);
    assert_memory_equal(a->region_key, key, sizeof key);
    assert_memory_equal(a->region_key, b->region_key, sizeof key);
    assert_string_not_equal(a->device_id, b->device_id);
    zc_datadir_close(a);
    zc_datadir_close(b);
}

typedef struct bad_init {
    const char *what;
    const char *canteen;
    const char *rules_pubkey; /* NULL: the fixture's */
    const char *timezone;
} bad_init;

static const bad_init BAD_INITS[] = {
    {"no canteen", NULL, NULL, NULL},
    {"empty canteen", "", NULL, NULL},
    {"canteen with a slash", "C1/../x", NULL, NULL},
    {"canteen with a space", "C 1", NULL, NULL},
    {"malformed rules key", "C1", "not-a-key", NULL},
    {"unknown time zone", "C1", NULL, "Mars/Olympus"},
    {"time zone path trick", "C1", NULL, "../../etc/passwd"},
};

static void test_bad_init_leaves_nothing(void **state)
{
    fixture *f = *state;
    for (size_t i = 0; i < sizeof BAD_INITS / sizeof BAD_INITS[0]; i++) {
        const bad_init *c = &BAD_INITS[i];
        zc_datadir_init_opts o = {.canteen = c->canteen,
                                  .rules_pubkey = c->rules_pubkey ? c->rules_pubkey : f->rules_pub,
                                  .timezone = c->timezone};
        zc_diag d = {0};
        if (zc_datadir_init(f->kiosk, &o, &d) == ZC_OK)
            fail_msg("init with %s succeeded", c->what);
        if (!d.msg[0])
            fail_msg("init with %s gave no message", c->what);
        struct stat st;
        if (stat(f->kiosk, &st) == 0)
            fail_msg("init with %s left %s behind", c->what, f->kiosk);
    }
    zc_datadir *dd;
    zc_diag d = {0};
    assert_int_equal(zc_datadir_open(f->kiosk, &dd, &d), ZC_ERR_NOT_FOUND);
    assert_non_null(strstr(d.msg, "zhucanctl init"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init_then_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_refuses_existing_kiosk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_region_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_init_leaves_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
