/*
 * The kiosk's logic through app.h, against a real data directory: the demo roster and menu, the
 * default rules signed with a fresh key and installed, a real ledger, real PIN hashes. The test
 * plays the shell: device events, taps, keys, ticks; it reads views, speech and what reached the
 * printer, and checks the ledger behind the app's back.
 *
 * After every input the view and any speech are checked: no elder screen, no utterance and no
 * receipt names a category, even for the dibao elder whose subsidy a category decides.
 */
#include "testutil.h"

#include "viewcheck.h"

#include "kiosk/app.h"
#include "zc/bundle.h"
#include "zc/datadir.h"
#include "zc/ledger.h"
#include "zc/menu.h"
#include "zc/receipt.h"
#include "zc/roster.h"
#include "zc/rulebook.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char ELDER_80[] = "320202193803151008";              /* 王秀英, 87 on T0 */
static const char DIBAO_QR[] = "ZCE1.2JHTLGMXGEDN73U55XTPLPFT7V"; /* 李桂兰, 83, dibao */
enum { PRINTS_MAX = 8, TEXT_MAX = 512 };

typedef struct printout {
    char qr[TEXT_MAX];
    char all[4 * TEXT_MAX]; /* every text field, for the privacy check */
    int64_t seq, total, subsidy, self_pay;
    size_t nitems;
} printout;

typedef struct fixture {
    char dir[ZC_TEST_PATH_MAX];
    char kiosk[ZC_TEST_PATH_MAX];
    char assets[ZC_TEST_PATH_MAX];
    zc_app *app;
    zc_ms now;
    hal_err print_result; /* what the printer answers */
    size_t nprints;
    printout prints[PRINTS_MAX];
    zc_view v;
} fixture;

static zc_ms at(const char *iso)
{
    zc_ms t;
    assert_int_equal(zc_time_parse_iso8601(iso, &t, NULL), ZC_OK);
    return t;
}

static hal_err print_cb(void *ctx, const hal_escpos_receipt *r, char *message, size_t size)
{
    fixture *f = ctx;
    assert_true(f->nprints < PRINTS_MAX);
    printout *p = &f->prints[f->nprints++];
    memset(p, 0, sizeof *p);
    snprintf(p->qr, sizeof p->qr, "%s", r->qr ? r->qr : "");
    int n = snprintf(p->all, sizeof p->all, "%s|%s|%s|%s|%s|%s", r->canteen ? r->canteen : "",
                     r->device ? r->device : "", r->time_text ? r->time_text : "",
                     r->paid ? r->paid : "", r->footer ? r->footer : "", r->qr ? r->qr : "");
    for (size_t i = 0; i < r->nitems && n > 0 && (size_t)n < sizeof p->all; i++)
        n += snprintf(p->all + n, sizeof p->all - (size_t)n, "|%s", r->items[i].name);
    p->seq = r->seq;
    p->total = r->total;
    p->subsidy = r->subsidy;
    p->self_pay = r->self_pay;
    p->nitems = r->nitems;
    if (f->print_result != HAL_OK)
        snprintf(message, size, "paper out");
    return f->print_result;
}

/* ---- checks after every input ---- */

static void check(fixture *f)
{
    zc_app_view(f->app, &f->v);
    int buttons = 0;
    for (size_t i = 0; i < f->v.n; i++) {
        const zc_view_item *it = &f->v.items[i];
        buttons += it->role == ZC_ROLE_BUTTON || it->role == ZC_ROLE_BUTTON_PRIMARY;
        if (!f->v.staff && (kt_names_category(it->text) || kt_names_category(it->text2)))
            fail_msg("elder screen %s names a category: %s", f->v.screen, it->text);
    }
    if (!f->v.staff && buttons > 2)
        fail_msg("elder screen %s has %d buttons", f->v.screen, buttons);
    for (size_t i = 0; i < f->nprints; i++)
        if (kt_names_category(f->prints[i].all))
            fail_msg("a receipt names a category: %s", f->prints[i].all);
}

static void tap(fixture *f, const char *id)
{
    zc_app_tap(f->app, id);
    check(f);
}

static void key(fixture *f, const char *k)
{
    zc_app_key(f->app, k);
    check(f);
}

static void keys(fixture *f, const char *digits)
{
    char k[2] = {0, 0};
    for (const char *p = digits; *p; p++) {
        k[0] = *p;
        key(f, k);
    }
}

static void tick(fixture *f, zc_ms now)
{
    f->now = now;
    zc_app_tick(f->app, now);
    check(f);
}

static void id_card(fixture *f, const char *number, const char *name)
{
    hal_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = HAL_EVENT_ID_CARD;
    snprintf(ev.device, sizeof ev.device, "idcard");
    snprintf(ev.u.id_card.id_number, sizeof ev.u.id_card.id_number, "%s", number);
    snprintf(ev.u.id_card.name, sizeof ev.u.id_card.name, "%s", name);
    zc_app_device_event(f->app, &ev);
    check(f);
}

static void text_event(fixture *f, hal_event_kind kind, const char *text)
{
    hal_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    snprintf(ev.device, sizeof ev.device, kind == HAL_EVENT_QR ? "scanner" : "cardreader");
    snprintf(ev.u.text, sizeof ev.u.text, "%s", text);
    zc_app_device_event(f->app, &ev);
    check(f);
}

static void status_event(fixture *f, const char *device, hal_status s)
{
    hal_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = HAL_EVENT_STATUS;
    snprintf(ev.device, sizeof ev.device, "%s", device);
    ev.u.status.status = s;
    zc_app_device_event(f->app, &ev);
    check(f);
}

/* Everything said since the last call, joined; checked for categories. */
static void speech(fixture *f, char *all, size_t size)
{
    char text[ZC_VIEW_TEXT_MAX * 2];
    all[0] = '\0';
    while (zc_app_take_speech(f->app, text, sizeof text)) {
        if (kt_names_category(text))
            fail_msg("said a category: %s", text);
        size_t n = strlen(all);
        snprintf(all + n, size - n, "%s", text);
    }
}

static void expect_screen(const fixture *f, const char *name)
{
    kt_expect_screen(&f->v, name);
}

static void expect_text(const fixture *f, const char *text)
{
    kt_expect_text(&f->v, text);
}

/* ---- the ledger, read behind the app's back ---- */

static zc_ledger_head head(const fixture *f)
{
    zc_datadir *dd;
    zc_ledger_head h;
    assert_int_equal(zc_datadir_open(f->kiosk, &dd, NULL), ZC_OK);
    assert_int_equal(zc_ledger_head_get(dd->store, &h, NULL), ZC_OK);
    zc_datadir_close(dd);
    return h;
}

static zc_sale entry(const fixture *f, int64_t seq)
{
    zc_datadir *dd;
    zc_sale s;
    assert_int_equal(zc_datadir_open(f->kiosk, &dd, NULL), ZC_OK);
    assert_int_equal(zc_ledger_get(dd->store, seq, &s, NULL), ZC_OK);
    zc_datadir_close(dd);
    return s;
}

/* ---- fixture ---- */

static void open_app(fixture *f)
{
    zc_app_opts o = {
        .data_dir = f->kiosk,
        .assets_dir = f->assets,
        .lang = ZC_LANG_ZH,
        .now = f->now,
        .print = print_cb,
        .print_ctx = f,
    };
    zc_diag d = {{0}, 0};
    if (zc_app_open(&o, &f->app, &d))
        fail_msg("zc_app_open: %s", d.msg);
    check(f);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    char pub[ZC_TEST_PATH_MAX], sec[ZC_TEST_PATH_MAX], path[ZC_TEST_PATH_MAX];
    zt_mkdtemp(f->dir, sizeof f->dir);
    zt_join(f->kiosk, sizeof f->kiosk, f->dir, "kiosk");
    zt_join(pub, sizeof pub, f->dir, "rules.pub");
    zt_join(sec, sizeof sec, f->dir, "rules.key");
    snprintf(f->assets, sizeof f->assets, "%s/../../assets", ZC_SOURCE_DIR_TESTS);
    zc_keypair kp;
    assert_int_equal(zc_keys_generate(&kp), ZC_OK);
    assert_int_equal(zc_keys_write(&kp, sec, pub, NULL), ZC_OK);
    zc_datadir_init_opts o = {.canteen = "C0107", .rules_pubkey = pub, .canteen_region = "320202"};
    zc_diag d = {{0}, 0};
    assert_int_equal(zc_datadir_init(f->kiosk, &o, &d), ZC_OK);
    zc_datadir *dd;
    assert_int_equal(zc_datadir_open(f->kiosk, &dd, &d), ZC_OK);

    size_t len;
    zt_join(path, sizeof path, f->assets, "demo/roster.csv");
    char *csv = zt_read_file(path, &len);
    assert_int_equal(zc_roster_import_csv(dd->store, dd->region_key, csv, len, NULL, &d), ZC_OK);
    free(csv);
    zt_join(path, sizeof path, f->assets, "demo/menu.csv");
    csv = zt_read_file(path, &len);
    assert_int_equal(zc_menu_import_csv(dd->store, csv, len, NULL, &d), ZC_OK);
    free(csv);
    zt_join(path, sizeof path, f->assets, "rules/default.json");
    char *rules = zt_read_file(path, &len);
    char *bundle;
    assert_int_equal(zc_bundle_sign(&kp, rules, len, &bundle, &d), ZC_OK);
    if (zc_rulebook_install(dd->store, dd->rules_pk, bundle, strlen(bundle), 0, NULL, &d))
        fail_msg("installing the default rules: %s", d.msg);
    free(bundle);
    free(rules);
    zc_datadir_close(dd);

    f->now = at("2026-03-02T12:00:00+08:00"); /* Monday lunch */
    f->print_result = HAL_OK;
    open_app(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    zc_app_close(f->app);
    zt_rmtree(f->dir);
    free(f);
    return 0;
}

/* Identified by ID card -> choose -> (A01, next) L01 (¥15.00) -> confirm. */
static void to_confirm(fixture *f, const char *number, const char *name)
{
    id_card(f, number, name);
    expect_screen(f, "identified");
    tap(f, "continue");
    expect_screen(f, "choose");
    tap(f, "next");
    tap(f, "item:L01");
    expect_screen(f, "confirm");
}

/* ---- tests ---- */

static void test_whole_sale_by_id_card(void **state)
{
    fixture *f = *state;
    char said[4096];
    expect_screen(f, "idle");
    assert_true(zc_app_readers_enabled(f->app));
    assert_true(zc_app_dirty(f->app));
    assert_false(zc_app_dirty(f->app));
    assert_int_equal(zc_app_next_deadline(f->app), 0);
    assert_int_equal(zc_app_volume(f->app), 80);

    id_card(f, ELDER_80, "王秀英");
    assert_true(zc_app_dirty(f->app));
    expect_screen(f, "identified");
    assert_false(zc_app_readers_enabled(f->app));
    expect_text(f, "您好，王*英");
    expect_text(f, "80至89岁");
    expect_text(f, "今天还可以享受 2 次助餐补贴");
    assert_null(kt_find_text(&f->v, "王秀英"));
    assert_null(kt_find_text(&f->v, ELDER_80));
    speech(f, said, sizeof said);
    assert_non_null(strstr(said, "今天还可以享受2次助餐补贴"));
    assert_true(zc_app_next_deadline(f->app) >= f->now + 20000);

    tap(f, "continue");
    expect_screen(f, "choose");
    /* Lunch: the lunch dishes and the all-day noodles, in code order. */
    assert_non_null(zc_view_find(&f->v, "item:A01"));
    expect_text(f, "第 1 个，共 6 个");
    for (int i = 0; i < 2; i++)
        tap(f, "next");
    assert_non_null(zc_view_find(&f->v, "item:L02"));
    tap(f, "next");
    tap(f, "next");
    tap(f, "next");
    tap(f, "next"); /* after L05, the first again */
    assert_non_null(zc_view_find(&f->v, "item:A01"));
    tap(f, "next");
    tap(f, "item:L01");
    expect_screen(f, "confirm");
    /* 80-89 gives ¥4.00 under the default rules. */
    assert_string_equal(kt_find_role(&f->v, ZC_ROLE_BIG_AMOUNT)->text, "您付 ¥11.00");
    expect_text(f, "¥15.00");
    expect_text(f, "¥4.00");
    speech(f, said, sizeof said);
    assert_non_null(strstr(said, "原价15元，政府补贴4元，您付11元"));

    tap(f, "confirm");
    expect_screen(f, "done");
    expect_text(f, "请取走收据");
    expect_text(f, "流水号 1");
    speech(f, said, sizeof said);
    assert_non_null(strstr(said, "已完成，您付11元。请取走收据。"));
    assert_false(zc_app_readers_enabled(f->app));

    /* The ledger has it. */
    zc_ledger_head h = head(f);
    assert_int_equal(h.seq, 1);
    zc_sale s = entry(f, 1);
    assert_int_equal(s.kind, ZC_ENTRY_SALE);
    assert_int_equal(s.ident, ZC_IDENT_ID_CARD);
    assert_int_equal(s.price, 1500);
    assert_int_equal(s.subsidy, 400);
    assert_int_equal(s.self_pay, 1100);
    assert_string_equal(s.period, "lunch");
    assert_int_equal(s.at, f->now);

    /* The printer got the receipt, with the QR the screen shows, and it verifies. */
    assert_int_equal(f->nprints, 1);
    const printout *p = &f->prints[0];
    assert_int_equal(p->seq, 1);
    assert_int_equal(p->total, 1500);
    assert_int_equal(p->subsidy, 400);
    assert_int_equal(p->self_pay, 1100);
    assert_non_null(strstr(p->all, "两荤一素套餐"));
    assert_string_equal(kt_find_role(&f->v, ZC_ROLE_QR)->text, p->qr);
    zc_receipt rec;
    zc_diag d = {{0}, 0};
    assert_int_equal(zc_receipt_parse(p->qr, strlen(p->qr), &rec, &d), ZC_OK);
    assert_int_equal(rec.seq, 1);
    assert_int_equal(rec.self_pay, 1100);
    zc_datadir *dd;
    assert_int_equal(zc_datadir_open(f->kiosk, &dd, NULL), ZC_OK);
    assert_int_equal(zc_receipt_verify(&rec, dd->device_key.pk, &d), ZC_OK);
    zc_datadir_close(dd);

    /* Back to idle by itself, readers on again. */
    zc_ms deadline = zc_app_next_deadline(f->app);
    assert_int_equal(deadline, f->now + 8000);
    tick(f, deadline - 1);
    expect_screen(f, "done");
    tick(f, deadline);
    expect_screen(f, "idle");
    assert_true(zc_app_readers_enabled(f->app));

    /* The same elder at the same lunch: the meal's subsidy is used. */
    id_card(f, ELDER_80, "王秀英");
    expect_screen(f, "error");
    expect_text(f, "补贴次数已经用完了");
    tap(f, "fullprice");
    tap(f, "item:A01");
    expect_text(f, "您付 ¥8.00");
    tap(f, "cancel");
}

static void test_dibao_elder_privacy(void **state)
{
    fixture *f = *state;
    text_event(f, HAL_EVENT_QR, DIBAO_QR);
    expect_screen(f, "identified");
    expect_text(f, "您好，李*兰");
    expect_text(f, "80至89岁");
    tap(f, "continue");
    tap(f, "next");
    tap(f, "item:L01");
    /* dibao gives ¥5.00, more than the 80-89 tier's ¥4.00: the amount shows, the reason not. */
    expect_text(f, "您付 ¥10.00");
    expect_text(f, "¥5.00");
    tap(f, "confirm");
    expect_screen(f, "done");
    char said[4096];
    speech(f, said, sizeof said);
    assert_int_equal(f->nprints, 1);
    assert_int_equal(f->prints[0].subsidy, 500);
    zc_sale s = entry(f, 1);
    assert_string_equal(s.tier, "dibao"); /* the ledger knows; nobody at the counter does */
    assert_int_equal(s.ident, ZC_IDENT_QR);
}

static void test_double_confirm(void **state)
{
    fixture *f = *state;
    to_confirm(f, ELDER_80, "王秀英");
    tap(f, "confirm");
    tap(f, "confirm");
    tap(f, "confirm");
    expect_screen(f, "done");
    assert_int_equal(head(f).seq, 1);
    assert_int_equal(f->nprints, 1);
    /* A second card on the done screen is ignored: the readers are off and the machine says no. */
    assert_false(zc_app_readers_enabled(f->app));
    text_event(f, HAL_EVENT_QR, DIBAO_QR);
    expect_screen(f, "done");
    expect_text(f, "流水号 1");
    /* Enter twice on a keyboard: the second acknowledges the done screen, it does not sell. */
    key(f, "Enter");
    expect_screen(f, "idle");
    assert_int_equal(head(f).seq, 1);
}

static void test_not_in_roster(void **state)
{
    fixture *f = *state;
    text_event(f, HAL_EVENT_MEAL_CARD, "DEADBEEF");
    expect_screen(f, "error");
    expect_text(f, "没有找到您的助餐登记");
    assert_true(zc_app_readers_enabled(f->app));
    tap(f, "fullprice");
    tap(f, "next");
    tap(f, "item:L01");
    expect_text(f, "您付 ¥15.00");
    expect_text(f, "按原价付款");
    tap(f, "confirm");
    expect_screen(f, "done");
    zc_sale s = entry(f, 1);
    assert_int_equal(s.elder_id, 0);
    assert_int_equal(s.subsidy, 0);
    assert_int_equal(s.ident, ZC_IDENT_MEAL_CARD);
}

static void test_suspended_and_outside_hours(void **state)
{
    fixture *f = *state;
    text_event(f, HAL_EVENT_MEAL_CARD, "D953EE26"); /* 周志刚, suspended */
    expect_text(f, "您的助餐补贴暂停了");
    tap(f, "cancel");
    tick(f, at("2026-03-02T15:00:00+08:00"));
    id_card(f, ELDER_80, "王秀英");
    expect_text(f, "现在不是供餐时间");
    tap(f, "fullprice");
    /* Between meals only the all-day dish is served. */
    assert_non_null(zc_view_find(&f->v, "item:A01"));
    assert_null(zc_view_find(&f->v, "next"));
    tap(f, "item:A01");
    tap(f, "confirm");
    assert_int_equal(entry(f, 1).subsidy, 0);
}

static void test_printer_out_of_paper(void **state)
{
    fixture *f = *state;
    status_event(f, "printer", HAL_STATUS_PAPER_OUT);
    expect_text(f, "printer：缺纸");
    f->print_result = HAL_ERR_IO;
    to_confirm(f, ELDER_80, "王秀英");
    tap(f, "confirm");
    expect_screen(f, "done");
    expect_text(f, "收据没有打印出来");
    expect_text(f, "打印机没有纸了");
    assert_non_null(kt_find_role(&f->v, ZC_ROLE_QR));
    char said[4096];
    speech(f, said, sizeof said);
    assert_non_null(strstr(said, "收据没有打印出来，请告诉工作人员"));
    assert_int_equal(head(f).seq, 1); /* the sale stands */
    assert_int_equal(zc_app_next_deadline(f->app), f->now + 30000);
}

static void test_no_printer(void **state)
{
    fixture *f = *state;
    zc_app_close(f->app);
    zc_app_opts o = {.data_dir = f->kiosk, .now = f->now}; /* default assets, no printer */
    assert_int_equal(zc_app_open(&o, &f->app, NULL), ZC_OK);
    check(f);
    to_confirm(f, ELDER_80, "王秀英");
    tap(f, "confirm");
    expect_text(f, "这台机器不打印收据");
    assert_non_null(kt_find_role(&f->v, ZC_ROLE_QR));
    assert_int_equal(f->nprints, 0);
}

static void test_database_busy(void **state)
{
    fixture *f = *state;
    to_confirm(f, ELDER_80, "王秀英");
    /* Another writer holds the lock longer than the store waits. */
    char path[ZC_TEST_PATH_MAX];
    zt_join(path, sizeof path, f->kiosk, ZC_DATADIR_DB);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    tap(f, "confirm");
    expect_screen(f, "error");
    expect_text(f, "系统忙");
    expect_text(f, "没有记账，也没有收费");
    assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    assert_int_equal(head(f).seq, 0);
    tap(f, "retry");
    expect_screen(f, "done");
    assert_int_equal(head(f).seq, 1);
    assert_int_equal(entry(f, 1).self_pay, 1100);
}

static void login(fixture *f, const char *pin)
{
    tap(f, "staff");
    expect_screen(f, "staff_pin");
    keys(f, pin);
    key(f, "Enter");
}

static void test_staff_void_with_manager_pin(void **state)
{
    fixture *f = *state;
    to_confirm(f, ELDER_80, "王秀英");
    tap(f, "confirm");
    tap(f, "ok");
    expect_screen(f, "idle");

    login(f, "1234");
    expect_screen(f, "staff_menu");
    expect_text(f, "密码还是出厂默认的");
    tap(f, "void");
    keys(f, "1");
    key(f, "Enter");
    tap(f, "reason:3");
    /* The staff PIN is not a manager's. */
    keys(f, "1234");
    key(f, "Enter");
    expect_text(f, "密码不对");
    assert_int_equal(head(f).seq, 1);
    keys(f, "9999");
    key(f, "Enter");
    expect_text(f, "第 1 笔已作废");
    zc_sale v = entry(f, 2);
    assert_int_equal(v.kind, ZC_ENTRY_VOID);
    assert_int_equal(v.voids_seq, 1);
    tap(f, "back");
    /* Voiding it again is refused. */
    tap(f, "void");
    keys(f, "1");
    key(f, "Enter");
    tap(f, "reason:1");
    keys(f, "9999");
    key(f, "Enter");
    expect_text(f, "第 1 笔不能作废");
    assert_int_equal(head(f).seq, 2);
    tap(f, "back");
    tap(f, "void");
    keys(f, "99");
    key(f, "Enter");
    tap(f, "reason:1");
    keys(f, "9999");
    key(f, "Enter");
    expect_text(f, "没有第 99 笔");

    /* The voided meal is given back: the elder is subsidised again at this lunch. */
    tap(f, "back");
    tap(f, "exit");
    id_card(f, ELDER_80, "王秀英");
    expect_screen(f, "identified");
}

static void test_report_rows(void **state)
{
    fixture *f = *state;
    to_confirm(f, ELDER_80, "王秀英");
    tap(f, "confirm");
    tap(f, "ok");
    text_event(f, HAL_EVENT_QR, DIBAO_QR);
    tap(f, "continue");
    tap(f, "next");
    tap(f, "item:L01");
    tap(f, "confirm");
    tap(f, "ok");
    text_event(f, HAL_EVENT_MEAL_CARD, "DEADBEEF");
    tap(f, "fullprice");
    tap(f, "item:A01");
    tap(f, "confirm");
    tap(f, "ok");

    login(f, "9999");
    expect_text(f, "工作人员（店长）");
    tap(f, "report");
    expect_screen(f, "staff_report");
    assert_true(f->v.staff);
    expect_text(f, "今日报表 2026-03-02");
    const zc_view_item *row = kt_find_text(&f->v, "笔数");
    assert_non_null(row);
    assert_int_equal(row->role, ZC_ROLE_ROW);
    assert_string_equal(row->text2, "3");
    assert_string_equal(kt_find_text(&f->v, "营业额")->text2, "¥38.00");
    assert_string_equal(kt_find_text(&f->v, "政府补贴")->text2, "¥9.00");
    assert_string_equal(kt_find_text(&f->v, "老人自付")->text2, "¥29.00");
    row = kt_find_text(&f->v, "午餐");
    assert_non_null(row);
    assert_string_equal(row->text2, "3 笔  ¥38.00");
    /* Staff see the category the subsidy came from. */
    row = kt_find_text(&f->v, "低保");
    assert_non_null(row);
    assert_string_equal(row->text2, "1 笔  ¥5.00");
    assert_string_equal(kt_find_text(&f->v, "80-89")->text2, "1 笔  ¥4.00");
    assert_string_equal(kt_find_text(&f->v, "无补贴")->text2, "1 笔  ¥0.00");
    assert_string_equal(kt_find_text(&f->v, "现金")->text2, "3 笔  ¥29.00");
    tap(f, "back");

    /* Cash count against the cash self-pay. */
    tap(f, "cash");
    expect_text(f, "¥29.00");
    keys(f, "2850");
    key(f, "Enter");
    assert_string_equal(kt_find_text(&f->v, "差额")->text2, "-¥0.50");
    tap(f, "back");

    /* Close the day: recorded, and the Z report printed without categories. */
    size_t before = f->nprints;
    tap(f, "close_day");
    expect_text(f, "日结 2026-03-02");
    tap(f, "close");
    expect_text(f, "已日结，报表已打印");
    assert_int_equal(f->nprints, before + 1);
    const printout *z = &f->prints[before];
    assert_int_equal(z->total, 3800);
    assert_int_equal(z->subsidy, 900);
    assert_non_null(strstr(z->all, "午餐 3笔"));
    assert_non_null(strstr(z->all, "日结报表"));
    zc_datadir *dd;
    char buf[ZC_META_VALUE_MAX];
    assert_int_equal(zc_datadir_open(f->kiosk, &dd, NULL), ZC_OK);
    assert_int_equal(zc_store_meta_get(dd->store, "kiosk.closed_date", buf, sizeof buf, NULL),
                     ZC_OK);
    assert_string_equal(buf, "2026-03-02");
    zc_datadir_close(dd);
}

static void test_manual_sale(void **state)
{
    fixture *f = *state;
    login(f, "1234");
    tap(f, "sell_manual");
    keys(f, "32020219400229103");
    key(f, "X");
    key(f, "Enter");
    expect_screen(f, "identified");
    assert_false(f->v.staff);
    expect_text(f, "您好，刘*珍");
    tap(f, "continue");
    tap(f, "next");
    tap(f, "item:L01");
    /* tekun waives the minimum self-pay, capped at ¥10.00: she pays ¥5.00. */
    expect_text(f, "您付 ¥5.00");
    tap(f, "confirm");
    zc_sale s = entry(f, 1);
    assert_int_equal(s.ident, ZC_IDENT_MANUAL);
    assert_int_equal(s.subsidy, 1000);
}

static void test_pins_and_settings_persist(void **state)
{
    fixture *f = *state;
    login(f, "1234");
    tap(f, "pin");
    keys(f, "2468");
    key(f, "Enter");
    keys(f, "2468");
    key(f, "Enter");
    expect_text(f, "密码已修改");
    tap(f, "back");
    assert_null(kt_find_text(&f->v, "出厂默认"));
    tap(f, "settings");
    tap(f, "vol_down");
    tap(f, "exit"); /* not on this screen: ignored */
    tap(f, "back");
    tap(f, "exit");
    assert_int_equal(zc_app_volume(f->app), 60);

    zc_app_close(f->app);
    open_app(f);
    assert_int_equal(zc_app_volume(f->app), 60);
    login(f, "1234");
    expect_text(f, "密码不对");
    keys(f, "2468");
    key(f, "Enter");
    expect_screen(f, "staff_menu");
    assert_null(kt_find_text(&f->v, "出厂默认"));
    /* Muted: nothing is queued to be said. */
    tap(f, "settings");
    tap(f, "mute");
    char said[4096];
    speech(f, said, sizeof said);
    tap(f, "back");
    tap(f, "exit");
    id_card(f, ELDER_80, "王秀英");
    speech(f, said, sizeof said);
    assert_string_equal(said, "");
}

static void test_clock(void **state)
{
    fixture *f = *state;
    to_confirm(f, ELDER_80, "王秀英");
    tap(f, "confirm");
    tap(f, "ok");
    login(f, "1234");
    tap(f, "clock");
    expect_text(f, "现在：2026-03-02 12:00");
    keys(f, "202603011200");
    key(f, "Enter");
    expect_text(f, "不能早于最后一笔交易");
    keys(f, "202603021300");
    key(f, "Enter");
    expect_text(f, "时间已设置");
    expect_text(f, "现在：2026-03-02 13:00");
    tap(f, "back");
    tap(f, "exit");
    /* The app's clock now runs an hour ahead of the shell's. */
    to_confirm(f, "320202194211081012", "李桂兰");
    tap(f, "confirm");
    assert_int_equal(entry(f, 2).at, at("2026-03-02T13:00:00+08:00"));
    tap(f, "ok");
    zc_ms d = zc_app_next_deadline(f->app);
    assert_int_equal(d, 0);

    /* A shell clock that falls behind the last sale: staff are told on every screen. */
    tick(f, at("2026-03-02T11:00:00+08:00"));
    expect_text(f, "时间不对");
    tick(f, at("2026-03-02T12:30:00+08:00"));
    assert_null(kt_find_text(&f->v, "时间不对"));
}

static void test_unplugged_reader(void **state)
{
    fixture *f = *state;
    to_confirm(f, ELDER_80, "王秀英");
    status_event(f, "idcard", HAL_STATUS_DISCONNECTED);
    expect_screen(f, "confirm");
    expect_text(f, "idcard：未连接");
    tap(f, "confirm");
    expect_screen(f, "done");
    assert_int_equal(head(f).seq, 1);
    /* An unreadable card on idle. */
    tap(f, "ok");
    hal_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = HAL_EVENT_ERROR;
    snprintf(ev.device, sizeof ev.device, "idcard");
    snprintf(ev.u.error, sizeof ev.u.error, "bad checksum");
    zc_app_device_event(f->app, &ev);
    check(f);
    expect_text(f, "没有读到卡");
    assert_true(zc_app_readers_enabled(f->app));
    /* A malformed ID number is a bad read, not a stranger. */
    id_card(f, "12345", "某某");
    expect_text(f, "没有读到卡");
}

static void test_open_errors(void **state)
{
    fixture *f = *state;
    zc_app *app;
    zc_diag d = {{0}, 0};
    char missing[ZC_TEST_PATH_MAX];
    zt_join(missing, sizeof missing, f->dir, "nowhere");
    zc_app_opts o = {.data_dir = missing, .assets_dir = f->assets, .now = f->now};
    assert_int_not_equal(zc_app_open(&o, &app, &d), ZC_OK);
    assert_null(app);
    o.data_dir = f->kiosk;
    o.assets_dir = f->dir; /* no i18n/ there */
    assert_int_equal(zc_app_open(&o, &app, &d), ZC_ERR_IO);
    assert_non_null(strstr(d.msg, "zh-CN.txt"));
    assert_int_equal(zc_app_open(NULL, &app, &d), ZC_ERR_INVALID);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_whole_sale_by_id_card),
        T(test_dibao_elder_privacy),
        T(test_double_confirm),
        T(test_not_in_roster),
        T(test_suspended_and_outside_hours),
        T(test_printer_out_of_paper),
        T(test_no_printer),
        T(test_database_busy),
        T(test_staff_void_with_manager_pin),
        T(test_report_rows),
        T(test_manual_sale),
        T(test_pins_and_settings_persist),
        T(test_clock),
        T(test_unplugged_reader),
        T(test_open_errors),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
