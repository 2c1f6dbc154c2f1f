/*
 * The kiosk showing its sync with the hub (app/kiosk/logic: zc_app_sync_status, the status strip,
 * the staff device screen) and adopting the hub's clock; an unenrolled kiosk looks as before.
 */
#include "testutil.h"

#include "viewcheck.h"

#include "../../app/kiosk/logic/machine.h"

#include "kiosk/app.h"
#include "zc/ledger.h"
#include "zc/sell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 INT64_C(1772424000000) /* 2026-03-02T12:00:00+08:00 */
#define NOT_IN_ROSTER "320202195003071236"

enum { MINUTE_MS = 60 * 1000, HOUR_MS = 60 * MINUTE_MS };

typedef struct fixture {
    char dir[ZC_TEST_PATH_MAX], kiosk[ZC_TEST_PATH_MAX], assets[ZC_TEST_PATH_MAX];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    char pub[ZC_TEST_PATH_MAX], sec[ZC_TEST_PATH_MAX];
    zt_mkdtemp(f->dir, sizeof f->dir);
    zt_join(f->kiosk, sizeof f->kiosk, f->dir, "kiosk");
    zt_join(pub, sizeof pub, f->dir, "rules.pub");
    zt_join(sec, sizeof sec, f->dir, "rules.key");
    snprintf(f->assets, sizeof f->assets, "%s/../../assets", ZC_SOURCE_DIR_TESTS);
    zc_keypair kp;
    assert_int_equal(zc_keys_generate(&kp), ZC_OK);
    assert_int_equal(zc_keys_write(&kp, sec, pub, NULL), ZC_OK);
    zc_datadir_init_opts o = {.canteen = "C0107", .rules_pubkey = pub};
    assert_int_equal(zc_datadir_init(f->kiosk, &o, NULL), ZC_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    zt_rmtree(f->dir);
    free(f);
    return 0;
}

static zc_app *open_app(fixture *f, zc_ms now)
{
    zc_app_opts o = {.data_dir = f->kiosk, .assets_dir = f->assets, .now = now};
    zc_app *app;
    zc_diag d = {{0}, 0};
    if (zc_app_open(&o, &app, &d))
        fail_msg("zc_app_open: %s", d.msg);
    return app;
}

/* A sale recorded at `at` (full price: nobody is in the roster, no rules installed). */
static void sell_at(fixture *f, zc_ms at)
{
    zc_datadir *dd;
    zc_ledger *ledger;
    assert_int_equal(zc_datadir_open(f->kiosk, &dd, NULL), ZC_OK);
    assert_int_equal(zc_datadir_ledger(dd, &ledger, NULL), ZC_OK);
    zc_sell_request req = {
        .ident = ZC_IDENT_ID_CARD, .credential = NOT_IN_ROSTER, .price = 1500, .at = at};
    zc_sell_result r;
    zc_diag d = {{0}, 0};
    if (zc_sell(dd, ledger, &req, &r, &d))
        fail_msg("sale: %s", d.msg);
    zc_ledger_close(ledger);
    zc_datadir_close(dd);
}

/* The ROW whose label is exactly label. */
static const zc_view_item *row(const zc_view *v, const char *label)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->items[i].role == ZC_ROLE_ROW && strcmp(v->items[i].text, label) == 0)
            return &v->items[i];
    return NULL;
}

static bool same_view(const zc_view *a, const zc_view *b)
{
    if (a->n != b->n || strcmp(a->screen, b->screen) != 0)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (a->items[i].role != b->items[i].role || strcmp(a->items[i].id, b->items[i].id) ||
            strcmp(a->items[i].text, b->items[i].text) ||
            strcmp(a->items[i].text2, b->items[i].text2))
            return false;
    return true;
}

static void test_unenrolled_looks_as_before(void **state)
{
    fixture *f = *state;
    zc_app *app = open_app(f, T0);
    zc_view before, after;
    zc_app_view(app, &before);
    zc_app_dirty(app);
    zc_sync_status s = {.enrolled = false, .pending = 4, .failures = 2};
    zc_app_sync_status(app, &s);
    zc_app_view(app, &after);
    assert_true(same_view(&before, &after));
    assert_false(zc_app_dirty(app));
    assert_false(zc_app_take_sync_poke(app));
    zc_app_close(app);
}

static void test_strip_shows_failing_sync(void **state)
{
    fixture *f = *state;
    zc_app *app = open_app(f, T0);
    zc_view v;
    zc_sync_status s = {.enrolled = true, .pending = 3, .last_ok_ms = T0 - HOUR_MS};
    zc_app_sync_status(app, &s);
    zc_app_view(app, &v);
    /* All well: the strip says nothing about sync. */
    assert_null(kt_find_text(&v, "连不上中心：3 笔交易待上传"));
    s.failures = 1;
    snprintf(s.last_error, sizeof s.last_error, "hub: cannot reach http://hub: refused");
    zc_app_sync_status(app, &s);
    assert_true(zc_app_dirty(app));
    zc_app_view(app, &v);
    kt_expect_screen(&v, "idle");
    kt_expect_text(&v, "连不上中心：3 笔交易待上传");
    zc_app_close(app);
}

static void test_adopts_hub_clock(void **state)
{
    fixture *f = *state;
    /* The last sale is an hour ahead of this board's clock (it lost its time). */
    sell_at(f, T0 + HOUR_MS);
    zc_app *app = open_app(f, T0);
    zc_view v;
    zc_app_view(app, &v);
    kt_expect_text(&v, "时间不对，请工作人员设置时间");
    /* A small offset is only noise: kept as it is. */
    zc_sync_status s = {.enrolled = true, .last_ok_ms = T0, .hub_offset_ms = MINUTE_MS};
    zc_app_sync_status(app, &s);
    zc_app_view(app, &v);
    kt_expect_text(&v, "时间不对，请工作人员设置时间");
    /* The hub says the board is two hours behind: its time wins, and staff are told. */
    s.hub_offset_ms = 2 * HOUR_MS;
    zc_app_sync_status(app, &s);
    zc_app_view(app, &v);
    assert_null(kt_find_text(&v, "时间不对，请工作人员设置时间"));
    kt_expect_text(&v, "本机时钟与中心不一致，请工作人员检查");
    zc_app_close(app);
}

static void test_faults_for_heartbeat(void **state)
{
    fixture *f = *state;
    zc_app *app = open_app(f, T0);
    char faults[4][ZC_APP_FAULT_MAX];
    assert_int_equal(zc_app_faults(app, faults, 4), 0);
    hal_event ev = {.kind = HAL_EVENT_STATUS};
    snprintf(ev.device, sizeof ev.device, "printer");
    ev.u.status.status = HAL_STATUS_PAPER_OUT;
    snprintf(ev.u.status.message, sizeof ev.u.status.message, "cover open");
    zc_app_device_event(app, &ev);
    assert_int_equal(zc_app_faults(app, faults, 4), 1);
    assert_string_equal(faults[0], "printer: paper out: cover open");
    zc_app_close(app);
}

/* The staff device screen, from the machine's state. */
static void test_device_screen_rows(void **state)
{
    fixture *f = *state;
    char path[ZC_TEST_PATH_MAX];
    zc_strings *zh;
    zt_join(path, sizeof path, f->assets, "i18n/zh-CN.txt");
    assert_int_equal(zc_strings_load(path, &zh, NULL), ZC_OK);
    zc_tz *tz;
    assert_int_equal(zc_tz_open(NULL, "Asia/Shanghai", &tz, NULL), ZC_OK);
    zc_machine_config cfg = {.strings = {zh, NULL}, .tz = tz, .now = T0};
    zc_machine m;
    zc_effects fx;
    memset(&fx, 0, sizeof fx);
    zc_machine_init(&m, &cfg, &fx);
    m.screen = ZC_SCREEN_STAFF_DEVICES;
    zc_view v;
    zc_machine_view(&m, &v);
    size_t rows_unenrolled = v.n;
    assert_null(row(&v, "待上传"));

    zc_mevent ev;
    zc_mevent_init(&ev, ZC_MEV_SYNC_STATUS);
    ev.u.sync = (zc_msync){.enrolled = true,
                           .failing = true,
                           .pending = 7,
                           .last_ok_ms = T0 - HOUR_MS,
                           .hub_offset_ms = -5 * MINUTE_MS};
    snprintf(ev.u.sync.error, sizeof ev.u.sync.error, "hub: 401 unauthorized: unknown device");
    memset(&fx, 0, sizeof fx);
    zc_machine_step(&m, &ev, &fx);
    zc_machine_view(&m, &v);
    assert_int_equal(v.n, rows_unenrolled + 4);
    const zc_view_item *it = row(&v, "待上传");
    assert_non_null(it);
    assert_string_equal(it->text2, "7 笔");
    it = row(&v, "上次同步成功");
    assert_non_null(it);
    assert_string_equal(it->text2, "2026-03-02 11:00");
    it = row(&v, "同步");
    assert_non_null(it);
    assert_string_equal(it->text2, "hub: 401 unauthorized: unknown device");
    it = row(&v, "与中心时钟");
    assert_non_null(it);
    assert_string_equal(it->text2, "快 5 分钟");

    ev.u.sync.last_ok_ms = 0;
    ev.u.sync.failing = false;
    ev.u.sync.hub_offset_ms = 0;
    zc_machine_step(&m, &ev, &fx);
    zc_machine_view(&m, &v);
    assert_int_equal(v.n, rows_unenrolled + 3);
    assert_string_equal(row(&v, "上次同步成功")->text2, "从未");
    assert_string_equal(row(&v, "同步")->text2, "正常");
    zc_tz_free(tz);
    zc_strings_free(zh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unenrolled_looks_as_before, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strip_shows_failing_sync, setup, teardown),
        cmocka_unit_test_setup_teardown(test_adopts_hub_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_faults_for_heartbeat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_screen_rows, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
