/*
 * The kiosk's pure state machine (app/kiosk/logic/machine.c and screen_*.c), driven with no data
 * directory, no SDL and no executor: the test plays the executor, answering each effect with the
 * event app.c would send, and checks the effects and the views.
 *
 * Every step is followed by checks that hold on every screen (step() below): no elder view and no
 * speech names a category; every text was found in the strings file (a missing key would show as
 * the key itself); an elder view offers at most two buttons; no effect was dropped.
 */
#include "testutil.h"

#include "viewcheck.h"

#include "../../app/kiosk/logic/machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 INT64_C(1772424000000) /* 2026-03-02T12:00:00+08:00, a Monday lunch time */

typedef struct harness {
    zc_strings *strings[ZC_LANG_COUNT];
    zc_tz *tz;
    zc_machine m;
    zc_effects fx;              /* the last step's effects */
    zc_view v;                  /* the view after the last step */
    int sells;                  /* SELL effects over the whole test */
    char speech[ZC_SPEECH_MAX]; /* the last thing said */
} harness;

static zc_strings *load(const char *name)
{
    char path[ZC_TEST_PATH_MAX];
    snprintf(path, sizeof path, "%s/../../assets/i18n/%s", ZC_SOURCE_DIR_TESTS, name);
    zc_strings *s;
    zc_diag d = {{0}, 0};
    if (zc_strings_load(path, &s, &d))
        fail_msg("%s", d.msg);
    return s;
}

/* A text that is only a strings key ("confirm.title"): the lookup failed. */
static bool looks_like_key(const char *t)
{
    if (!*t || !strchr(t, '.'))
        return false;
    bool letter = false;
    for (const char *p = t; *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            letter = true;
        else if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == '_'))
            return false;
    }
    return letter;
}

static void check(harness *h)
{
    assert_int_equal(h->fx.dropped, 0);
    zc_machine_view(&h->m, &h->v);
    assert_non_null(h->v.screen);
    assert_string_equal(h->v.screen, zc_screen_name(h->m.screen));
    int buttons = 0;
    for (size_t i = 0; i < h->v.n; i++) {
        const zc_view_item *it = &h->v.items[i];
        bool named = it->role == ZC_ROLE_PICTURE || it->role == ZC_ROLE_QR;
        if (!named && (looks_like_key(it->text) || looks_like_key(it->text2)))
            fail_msg("screen %s shows a strings key: '%s' '%s'", h->v.screen, it->text, it->text2);
        if (it->role == ZC_ROLE_BUTTON || it->role == ZC_ROLE_BUTTON_PRIMARY)
            buttons++;
        if (!h->v.staff && (kt_names_category(it->text) || kt_names_category(it->text2)))
            fail_msg("elder screen %s names a category: '%s'", h->v.screen, it->text);
    }
    if (!h->v.staff && buttons > 2)
        fail_msg("elder screen %s offers %d choices", h->v.screen, buttons);
    for (size_t i = 0; i < h->fx.n; i++) {
        const zc_fx *f = &h->fx.v[i];
        if (f->kind == ZC_FX_SELL)
            h->sells++;
        if (f->kind != ZC_FX_SPEAK)
            continue;
        assert_true(f->u.speech[0] != '\0');
        if (kt_names_category(f->u.speech) || looks_like_key(f->u.speech))
            fail_msg("speech: '%s'", f->u.speech);
        snprintf(h->speech, sizeof h->speech, "%s", f->u.speech);
    }
}

static void step(harness *h, const zc_mevent *ev)
{
    memset(&h->fx, 0, sizeof h->fx);
    zc_machine_step(&h->m, ev, &h->fx);
    check(h);
}

/* ---- events ---- */

static void tick(harness *h, zc_ms now)
{
    zc_mevent ev;
    zc_mevent_init(&ev, ZC_MEV_TICK);
    ev.now = now;
    step(h, &ev);
}

static void tap(harness *h, const char *id)
{
    zc_mevent ev;
    zc_mevent_init(&ev, ZC_MEV_TAP);
    snprintf(ev.u.id, sizeof ev.u.id, "%s", id);
    step(h, &ev);
}

static void key(harness *h, const char *k)
{
    zc_mevent ev;
    zc_mevent_init(&ev, ZC_MEV_KEY);
    snprintf(ev.u.id, sizeof ev.u.id, "%s", k);
    step(h, &ev);
}

static void keys(harness *h, const char *digits)
{
    char id[16];
    for (const char *p = digits; *p; p++) {
        snprintf(id, sizeof id, "key:%c", *p);
        tap(h, id);
    }
}

static void credential(harness *h, zc_ident ident, const char *text, const char *name)
{
    zc_mevent ev;
    zc_mevent_init(&ev, ZC_MEV_CREDENTIAL);
    ev.u.credential.ident = ident;
    snprintf(ev.u.credential.text, sizeof ev.u.credential.text, "%s", text);
    snprintf(ev.u.credential.name, sizeof ev.u.credential.name, "%s", name ? name : "");
    step(h, &ev);
}

static void device_status(harness *h, const char *device, hal_status s)
{
    zc_mevent ev;
    zc_mevent_init(&ev, ZC_MEV_DEVICE_STATUS);
    snprintf(ev.u.device.name, sizeof ev.u.device.name, "%s", device);
    ev.u.device.status = s;
    step(h, &ev);
}

static void add_item(zc_melder *e, const char *code, const char *name, zc_fen price)
{
    zc_mitem *it = &e->items[e->nitems++];
    snprintf(it->code, sizeof it->code, "%s", code);
    snprintf(it->name, sizeof it->name, "%s", name);
    it->price = price;
}

/* The usual answer: 张*华, 80 and over, two meals left, three dishes at lunch. */
static zc_mevent elder_event(zc_outcome outcome)
{
    zc_mevent ev;
    zc_mevent_init(&ev, ZC_MEV_IDENTIFIED);
    zc_melder *e = &ev.u.elder;
    e->outcome = outcome;
    snprintf(e->masked_name, sizeof e->masked_name, "张*华");
    e->has_band = true;
    e->band_min = 80;
    e->band_max = -1;
    e->remaining_today = 2;
    snprintf(e->period, sizeof e->period, "lunch");
    add_item(e, "L01", "两荤一素套餐", 1500);
    add_item(e, "L02", "一荤两素套餐", 1300);
    add_item(e, "A01", "青菜汤面", 800);
    return ev;
}

static void identified(harness *h, zc_outcome outcome)
{
    zc_mevent ev = elder_event(outcome);
    step(h, &ev);
}

static void answer_err(harness *h, zc_mev_kind kind, zc_err err)
{
    zc_mevent ev;
    zc_mevent_init(&ev, kind);
    ev.err = err;
    step(h, &ev);
}

static zc_mamounts amounts(zc_fen price, zc_fen subsidy)
{
    zc_mamounts a = {price, 0, subsidy, price - subsidy,
                     subsidy ? ZC_OUTCOME_OK : ZC_OUTCOME_LIMIT};
    return a;
}

static void quoted(harness *h, zc_fen price, zc_fen subsidy)
{
    zc_mevent ev;
    zc_mevent_init(&ev, ZC_MEV_QUOTED);
    ev.u.amounts = amounts(price, subsidy);
    step(h, &ev);
}

static void sold(harness *h, int64_t seq, zc_fen price, zc_fen subsidy)
{
    zc_mevent ev;
    zc_mevent_init(&ev, ZC_MEV_SOLD);
    ev.u.sale.seq = seq;
    ev.u.sale.amounts = amounts(price, subsidy);
    snprintf(ev.u.sale.receipt, sizeof ev.u.sale.receipt, "ZCR1|ZK-0123456789ab|%lld|1|2|3|4|x",
             (long long)seq);
    step(h, &ev);
}

static void printed(harness *h, bool ok, bool no_printer)
{
    zc_mevent ev;
    zc_mevent_init(&ev, ZC_MEV_PRINTED);
    ev.u.print.printed = ok;
    ev.u.print.no_printer = no_printer;
    step(h, &ev);
}

static void pin_checked(harness *h, bool ok, zc_role_staff role, bool is_default)
{
    zc_mevent ev;
    zc_mevent_init(&ev, ZC_MEV_PIN_CHECKED);
    ev.u.pin.ok = ok;
    ev.u.pin.role = ok ? role : ZC_STAFF_NONE;
    ev.u.pin.is_default = is_default;
    step(h, &ev);
}

/* ---- looking at effects and views ---- */

static const zc_fx *find_fx(const harness *h, zc_fx_kind kind)
{
    for (size_t i = 0; i < h->fx.n; i++)
        if (h->fx.v[i].kind == kind)
            return &h->fx.v[i];
    return NULL;
}

/* Effects other than speech: what the executor must act on. */
static size_t actions(const harness *h)
{
    size_t n = 0;
    for (size_t i = 0; i < h->fx.n; i++)
        n += h->fx.v[i].kind != ZC_FX_SPEAK;
    return n;
}

static void expect_screen(const harness *h, const char *name)
{
    kt_expect_screen(&h->v, name);
}

static void expect_text(const harness *h, const char *text)
{
    kt_expect_text(&h->v, text);
}

static void expect_said(const harness *h, const char *text)
{
    if (!strstr(h->speech, text))
        fail_msg("said '%s', wanted '%s' in it", h->speech, text);
}

/* ---- fixtures ---- */

static int setup(void **state)
{
    harness *h = calloc(1, sizeof *h);
    assert_non_null(h);
    h->strings[ZC_LANG_ZH] = load("zh-CN.txt");
    h->strings[ZC_LANG_EN] = load("en.txt");
    assert_int_equal(zc_tz_open(NULL, "Asia/Shanghai", &h->tz, NULL), ZC_OK);
    zc_machine_config cfg = {
        .strings = {h->strings[ZC_LANG_ZH], h->strings[ZC_LANG_EN]},
        .lang = ZC_LANG_ZH,
        .volume = ZC_VOLUME_DEFAULT,
        .tz = h->tz,
        .now = T0,
    };
    zc_machine_init(&h->m, &cfg, &h->fx);
    check(h);
    *state = h;
    return 0;
}

static int teardown(void **state)
{
    harness *h = *state;
    zc_strings_free(h->strings[ZC_LANG_ZH]);
    zc_strings_free(h->strings[ZC_LANG_EN]);
    zc_tz_free(h->tz);
    free(h);
    return 0;
}

/* Idle -> identified -> choose, with the usual elder. */
static void to_choose(harness *h)
{
    credential(h, ZC_IDENT_ID_CARD, "320202193803151008", "张建华");
    identified(h, ZC_OUTCOME_OK);
    tap(h, "continue");
    expect_screen(h, "choose");
}

/* ... -> confirm for L01 at ¥15.00 with ¥5.00 subsidy. */
static void to_confirm(harness *h)
{
    to_choose(h);
    tap(h, "item:L01");
    quoted(h, 1500, 500);
    expect_screen(h, "confirm");
}

/* ---- tests: the elder's flow ---- */

static void test_idle(void **state)
{
    harness *h = *state;
    const zc_fx *f = find_fx(h, ZC_FX_READERS);
    assert_non_null(f);
    assert_true(f->u.enabled);
    assert_true(h->m.readers);
    expect_screen(h, "idle");
    assert_false(h->v.staff);
    expect_text(h, "请刷身份证、扫码或刷卡");
    const zc_view_item *pic = kt_find_role(&h->v, ZC_ROLE_PICTURE);
    assert_non_null(pic);
    assert_string_equal(pic->text, "idle.png");
    /* The way to staff mode is in the status strip, not a third big choice. */
    const zc_view_item *staff = zc_view_find(&h->v, "staff");
    assert_non_null(staff);
    assert_int_equal(staff->role, ZC_ROLE_STATUS);
    assert_null(kt_find_role(&h->v, ZC_ROLE_BUTTON));
    assert_null(kt_find_role(&h->v, ZC_ROLE_BUTTON_PRIMARY));
    assert_int_equal(zc_machine_deadline(&h->m), 0);
}

static void test_whole_sale(void **state)
{
    harness *h = *state;
    credential(h, ZC_IDENT_ID_CARD, "320202193803151008", "张建华");
    const zc_fx *f = find_fx(h, ZC_FX_IDENTIFY);
    assert_non_null(f);
    assert_int_equal(f->u.sale.ident, ZC_IDENT_ID_CARD);
    assert_string_equal(f->u.sale.credential, "320202193803151008");
    f = find_fx(h, ZC_FX_READERS);
    assert_non_null(f);
    assert_false(f->u.enabled);
    expect_screen(h, "idle");
    expect_text(h, "正在查询");
    assert_null(zc_view_find(&h->v, "staff"));

    identified(h, ZC_OUTCOME_OK);
    expect_screen(h, "identified");
    expect_text(h, "您好，张*华");
    expect_text(h, "80岁以上");
    expect_text(h, "今天还可以享受 2 次助餐补贴");
    expect_said(h, "2次助餐补贴");
    assert_non_null(zc_view_find(&h->v, "continue"));
    assert_int_equal(zc_view_find(&h->v, "continue")->role, ZC_ROLE_BUTTON_PRIMARY);
    assert_non_null(zc_view_find(&h->v, "cancel"));
    /* An elder decides: the screen waits a full minute. */
    assert_int_equal(zc_machine_deadline(&h->m), T0 + ZC_TIMEOUT_DECIDE_MS);

    tap(h, "continue");
    expect_screen(h, "choose");
    expect_text(h, "两荤一素套餐");
    expect_said(h, "两荤一素套餐，15元");
    assert_non_null(zc_view_find(&h->v, "item:L01"));
    assert_string_equal(zc_view_find(&h->v, "item:L01")->text2, "¥15.00");
    assert_non_null(zc_view_find(&h->v, "next"));
    assert_null(zc_view_find(&h->v, "item:L02"));
    expect_text(h, "第 1 个，共 3 个");

    tap(h, "next");
    assert_non_null(zc_view_find(&h->v, "item:L02"));
    expect_said(h, "一荤两素套餐，13元");
    tap(h, "next");
    tap(h, "next"); /* after the last dish, the first again */
    assert_non_null(zc_view_find(&h->v, "item:L01"));
    tap(h, "next");
    /* A dish not on this page cannot be chosen by a stale tap. */
    tap(h, "item:L01");
    assert_int_equal(actions(h), 0);
    tap(h, "item:L02");
    f = find_fx(h, ZC_FX_QUOTE);
    assert_non_null(f);
    assert_string_equal(f->u.sale.item, "L02");
    assert_string_equal(f->u.sale.credential, "320202193803151008");

    quoted(h, 1300, 500);
    expect_screen(h, "confirm");
    const zc_view_item *big = kt_find_role(&h->v, ZC_ROLE_BIG_AMOUNT);
    assert_non_null(big);
    assert_string_equal(big->text, "您付 ¥8.00");
    expect_text(h, "原价");
    expect_text(h, "¥13.00");
    expect_text(h, "政府补贴");
    expect_text(h, "¥5.00");
    expect_said(h, "原价13元，政府补贴5元，您付8元");
    assert_int_equal(zc_view_find(&h->v, "confirm")->role, ZC_ROLE_BUTTON_PRIMARY);

    tap(h, "confirm");
    f = find_fx(h, ZC_FX_SELL);
    assert_non_null(f);
    assert_string_equal(f->u.sale.item, "L02");
    assert_null(zc_view_find(&h->v, "confirm"));
    expect_text(h, "请稍候");

    sold(h, 42, 1300, 500);
    expect_screen(h, "done");
    f = find_fx(h, ZC_FX_PRINT);
    assert_non_null(f);
    assert_int_equal(f->u.seq, 42);
    assert_string_equal(h->m.credential, ""); /* the ID number is gone once the sale is on disk */
    expect_text(h, "正在打印");

    printed(h, true, false);
    expect_text(h, "已完成");
    expect_text(h, "请取走收据");
    expect_text(h, "流水号 42");
    const zc_view_item *qr = kt_find_role(&h->v, ZC_ROLE_QR);
    assert_non_null(qr);
    assert_string_equal(qr->text, "ZCR1|ZK-0123456789ab|42|1|2|3|4|x");
    assert_string_equal(kt_find_role(&h->v, ZC_ROLE_BIG_AMOUNT)->text, "您付 ¥8.00");
    expect_said(h, "已完成，您付8元。请取走收据。");
    assert_int_equal(h->v.tone, ZC_TONE_SUCCESS);

    /* Back to idle by itself. */
    tick(h, T0 + ZC_TIMEOUT_DONE_MS - 1);
    expect_screen(h, "done");
    tick(h, T0 + ZC_TIMEOUT_DONE_MS);
    expect_screen(h, "idle");
    f = find_fx(h, ZC_FX_READERS);
    assert_non_null(f);
    assert_true(f->u.enabled);
    assert_int_equal(h->sells, 1);
}

static void test_cancel_paths(void **state)
{
    harness *h = *state;
    credential(h, ZC_IDENT_QR, "ZCE1.X", NULL);
    identified(h, ZC_OUTCOME_OK);
    tap(h, "cancel");
    expect_screen(h, "idle");
    assert_string_equal(h->m.credential, "");
    to_confirm(h);
    tap(h, "cancel");
    expect_screen(h, "idle");
    expect_said(h, "已取消");
    assert_int_equal(h->sells, 0);
}

typedef struct outcome_case {
    zc_outcome outcome;
    const char *screen;
    const char *title;
    const char *said;
} outcome_case;

static void test_outcomes(void **state)
{
    harness *h = *state;
    static const outcome_case CASES[] = {
        {ZC_OUTCOME_NOT_FOUND, "error", "没有找到您的助餐登记", "可以按原价买饭"},
        {ZC_OUTCOME_SUSPENDED, "error", "您的助餐补贴暂停了", "暂停"},
        {ZC_OUTCOME_LIMIT, "error", "补贴次数已经用完了", "已经用完了"},
        {ZC_OUTCOME_OUTSIDE_HOURS, "error", "现在不是供餐时间", "不是供餐时间"},
        {ZC_OUTCOME_NO_SERVICE, "error", "今天没有助餐补贴", "今天没有助餐补贴"},
        {ZC_OUTCOME_NOT_COVERED, "error", "不在您的补贴范围", "补贴范围"},
        {ZC_OUTCOME_NO_RULES, "identified", "您好，张*华", "现在没有补贴"},
        {ZC_OUTCOME_OK, "identified", "您好，张*华", "请选餐"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const outcome_case *c = &CASES[i];
        credential(h, ZC_IDENT_MEAL_CARD, "4A23D596", NULL);
        identified(h, c->outcome);
        expect_screen(h, c->screen);
        expect_text(h, c->title);
        expect_said(h, c->said);
        if (strcmp(c->screen, "error") == 0) {
            /* What to do next: pay full price, or cancel. */
            assert_int_equal(zc_view_find(&h->v, "fullprice")->role, ZC_ROLE_BUTTON_PRIMARY);
            assert_non_null(zc_view_find(&h->v, "cancel"));
            assert_int_equal(h->v.tone, ZC_TONE_WARNING);
            assert_true(zc_machine_deadline(&h->m) - h->m.now >= 20000);
            tap(h, "fullprice");
            expect_screen(h, "choose");
            tap(h, "item:L01");
            quoted(h, 1500, 0);
            expect_screen(h, "confirm");
            expect_text(h, "您付 ¥15.00");
            expect_said(h, "这一餐没有补贴，您付15元");
        } else {
            tap(h, "continue");
            expect_screen(h, "choose");
        }
        tap(h, "cancel");
        tick(h, h->m.now + ZC_TIMEOUT_DECIDE_MS);
        expect_screen(h, "idle");
    }
    assert_int_equal(h->sells, 0);
}

static void test_not_found_shows_card_name(void **state)
{
    harness *h = *state;
    credential(h, ZC_IDENT_ID_CARD, "110101195001011234", "欧阳秀兰");
    identified(h, ZC_OUTCOME_NOT_FOUND);
    expect_text(h, "欧**兰");
    assert_null(kt_find_text(&h->v, "欧阳秀兰"));
    /* Another card may be tried straight away. */
    assert_true(h->m.readers);
    credential(h, ZC_IDENT_QR, "ZCE1.OTHER", NULL);
    assert_non_null(find_fx(h, ZC_FX_IDENTIFY));
    expect_screen(h, "idle");
}

typedef struct failure_case {
    zc_err err;
    const char *title;
    const char *button;
} failure_case;

static void test_identify_failures(void **state)
{
    harness *h = *state;
    static const failure_case CASES[] = {
        {ZC_ERR_BUSY, "系统忙", "retry"},
        {ZC_ERR_INVALID, "没有读到卡", "cancel"},
        {ZC_ERR_DB, "机器出了问题", "ok"},
        {ZC_ERR_IO, "机器出了问题", "ok"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        credential(h, ZC_IDENT_ID_CARD, "320202193803151008", "张建华");
        answer_err(h, ZC_MEV_IDENTIFIED, CASES[i].err);
        expect_screen(h, "error");
        expect_text(h, CASES[i].title);
        assert_non_null(zc_view_find(&h->v, CASES[i].button));
        if (CASES[i].err == ZC_ERR_BUSY) {
            tap(h, "retry");
            const zc_fx *f = find_fx(h, ZC_FX_IDENTIFY);
            assert_non_null(f);
            assert_string_equal(f->u.sale.credential, "320202193803151008");
            identified(h, ZC_OUTCOME_OK);
            expect_screen(h, "identified");
            tap(h, "cancel");
        } else {
            tap(h, CASES[i].button);
        }
        expect_screen(h, "idle");
    }
}

static void test_unreadable_card(void **state)
{
    harness *h = *state;
    zc_mevent ev;
    zc_mevent_init(&ev, ZC_MEV_READ_ERROR);
    snprintf(ev.u.device.name, sizeof ev.u.device.name, "idcard");
    step(h, &ev);
    expect_screen(h, "error");
    expect_text(h, "没有读到卡");
    expect_text(h, "请把卡拿开，再重新放上去");
    assert_string_equal(kt_find_role(&h->v, ZC_ROLE_PICTURE)->text, "card_again.png");
    expect_said(h, "请把卡拿开");
    /* The readers stay on: presenting the card again just works. */
    assert_true(h->m.readers);
    credential(h, ZC_IDENT_ID_CARD, "320202193803151008", "张建华");
    assert_non_null(find_fx(h, ZC_FX_IDENTIFY));
    /* An empty read is unreadable too. */
    identified(h, ZC_OUTCOME_OK);
    tap(h, "cancel");
    credential(h, ZC_IDENT_QR, "", NULL);
    expect_screen(h, "error");
    assert_null(find_fx(h, ZC_FX_IDENTIFY));
}

static void test_amount_keyed_by_staff(void **state)
{
    harness *h = *state;
    to_choose(h);
    assert_int_equal(zc_view_find(&h->v, "amount")->role, ZC_ROLE_STATUS);
    tap(h, "amount");
    expect_screen(h, "amount");
    tap(h, "key:ok"); /* nothing keyed: nothing happens */
    assert_int_equal(actions(h), 0);
    keys(h, "1245");
    tap(h, "key:back");
    keys(h, "0");
    expect_text(h, "¥12.40");
    tap(h, "key:ok");
    /* The screen stands in front of the elder: only a staff PIN makes the amount count. */
    assert_null(find_fx(h, ZC_FX_QUOTE));
    expect_text(h, "请工作人员输入密码确认金额");
    expect_text(h, "¥12.40");
    keys(h, "0000");
    tap(h, "key:ok");
    const zc_fx *f = find_fx(h, ZC_FX_CHECK_PIN);
    assert_non_null(f);
    assert_string_equal(f->u.pin.pin, "0000");
    pin_checked(h, false, ZC_STAFF_NONE, false);
    assert_null(find_fx(h, ZC_FX_QUOTE)); /* a wrong PIN quotes nothing */
    keys(h, "1234");
    tap(h, "key:ok");
    pin_checked(h, true, ZC_STAFF_CLERK, false);
    f = find_fx(h, ZC_FX_QUOTE);
    assert_non_null(f);
    assert_string_equal(f->u.sale.item, "");
    assert_int_equal(f->u.sale.price, 1240);
    quoted(h, 1240, 500);
    expect_text(h, "餐费");
    expect_text(h, "您付 ¥7.40");
    tap(h, "confirm");
    f = find_fx(h, ZC_FX_SELL);
    assert_int_equal(f->u.sale.price, 1240);
    assert_string_equal(f->u.sale.item, "");
}

static void test_empty_menu_goes_to_amount(void **state)
{
    harness *h = *state;
    credential(h, ZC_IDENT_QR, "ZCE1.X", NULL);
    zc_mevent ev = elder_event(ZC_OUTCOME_OK);
    ev.u.elder.nitems = 0;
    step(h, &ev);
    tap(h, "continue");
    expect_screen(h, "amount");
    tap(h, "cancel");
    expect_screen(h, "idle");
}

static void test_single_dish(void **state)
{
    harness *h = *state;
    credential(h, ZC_IDENT_QR, "ZCE1.X", NULL);
    zc_mevent ev = elder_event(ZC_OUTCOME_OK);
    ev.u.elder.nitems = 1;
    step(h, &ev);
    tap(h, "continue");
    assert_non_null(zc_view_find(&h->v, "item:L01"));
    assert_null(zc_view_find(&h->v, "next"));
    assert_non_null(zc_view_find(&h->v, "cancel"));
}

/* ---- tests: robustness ---- */

static void test_reader_unplugged_mid_sale(void **state)
{
    harness *h = *state;
    to_confirm(h);
    device_status(h, "idcard", HAL_STATUS_DISCONNECTED);
    expect_screen(h, "confirm");
    const zc_view_item *st = kt_find_text(&h->v, "idcard：未连接");
    assert_non_null(st);
    assert_int_equal(st->role, ZC_ROLE_STATUS);
    assert_int_equal(actions(h), 0);
    tap(h, "confirm");
    assert_non_null(find_fx(h, ZC_FX_SELL));
    sold(h, 7, 1500, 500);
    printed(h, true, false);
    expect_text(h, "idcard：未连接");
    device_status(h, "idcard", HAL_STATUS_CONNECTED);
    assert_null(kt_find_text(&h->v, "未连接"));
}

static void test_second_card_ignored(void **state)
{
    harness *h = *state;
    to_confirm(h);
    assert_false(h->m.readers);
    credential(h, ZC_IDENT_ID_CARD, "320202194211081012", "李桂兰");
    expect_screen(h, "confirm");
    assert_int_equal(h->fx.n, 0);
    assert_string_equal(h->m.credential, "320202193803151008");
    zc_mevent ev;
    zc_mevent_init(&ev, ZC_MEV_READ_ERROR);
    step(h, &ev);
    expect_screen(h, "confirm");
    tap(h, "confirm");
    credential(h, ZC_IDENT_QR, "ZCE1.OTHER", NULL); /* while the sale is pending */
    assert_int_equal(h->fx.n, 0);
    sold(h, 1, 1500, 500);
    credential(h, ZC_IDENT_QR, "ZCE1.OTHER", NULL); /* while printing */
    assert_int_equal(h->fx.n, 0);
    printed(h, true, false);
    credential(h, ZC_IDENT_QR, "ZCE1.OTHER", NULL); /* on the done screen */
    expect_screen(h, "done");
    assert_int_equal(h->fx.n, 0);
    assert_int_equal(h->sells, 1);
}

static void test_confirm_twice(void **state)
{
    harness *h = *state;
    to_confirm(h);
    tap(h, "confirm");
    assert_int_equal(h->sells, 1);
    tap(h, "confirm"); /* while the sale is pending */
    key(h, "Enter");
    assert_int_equal(h->fx.n, 0);
    sold(h, 3, 1500, 500);
    tap(h, "confirm"); /* after it, while printing */
    printed(h, true, false);
    tap(h, "confirm"); /* on the done screen */
    expect_screen(h, "done");
    /* A late second answer to the sale changes nothing either. */
    sold(h, 4, 1500, 500);
    expect_text(h, "流水号 3");
    assert_int_equal(h->fx.n, 0);
    assert_int_equal(h->sells, 1);
}

static void test_printer_out_of_paper(void **state)
{
    harness *h = *state;
    device_status(h, "printer", HAL_STATUS_PAPER_OUT);
    expect_text(h, "printer：缺纸");
    to_confirm(h);
    tap(h, "confirm");
    sold(h, 9, 1500, 500);
    printed(h, false, false);
    expect_screen(h, "done");
    expect_text(h, "已完成");
    expect_text(h, "收据没有打印出来");
    expect_text(h, "打印机没有纸了");
    expect_text(h, "二维码就是您的收据");
    assert_non_null(kt_find_role(&h->v, ZC_ROLE_QR));
    expect_said(h, "收据没有打印出来，请告诉工作人员");
    assert_int_equal(h->v.tone, ZC_TONE_WARNING);
    /* Longer on screen: time to photograph the code and call staff. */
    assert_int_equal(zc_machine_deadline(&h->m), h->m.now + ZC_TIMEOUT_DONE_NO_RECEIPT_MS);
    tap(h, "ok");
    expect_screen(h, "idle");

    /* No printer configured at all. */
    to_confirm(h);
    tap(h, "confirm");
    sold(h, 10, 1500, 500);
    printed(h, false, true);
    expect_text(h, "这台机器不打印收据");
    assert_non_null(kt_find_role(&h->v, ZC_ROLE_QR));
}

static void test_database_busy(void **state)
{
    harness *h = *state;
    to_confirm(h);
    tap(h, "confirm");
    answer_err(h, ZC_MEV_SOLD, ZC_ERR_BUSY);
    expect_screen(h, "error");
    expect_text(h, "系统忙");
    expect_text(h, "没有记账，也没有收费");
    expect_said(h, "请按再试一次");
    assert_int_equal(zc_view_find(&h->v, "retry")->role, ZC_ROLE_BUTTON_PRIMARY);
    tap(h, "retry");
    const zc_fx *f = find_fx(h, ZC_FX_SELL);
    assert_non_null(f);
    assert_string_equal(f->u.sale.item, "L01");
    assert_string_equal(f->u.sale.credential, "320202193803151008");
    tap(h, "retry"); /* pending: ignored */
    assert_int_equal(h->fx.n, 0);
    sold(h, 5, 1500, 500);
    expect_screen(h, "done");
    assert_int_equal(h->sells, 2);

    /* Busy on a quote: retry quotes again. */
    printed(h, true, false);
    tap(h, "ok");
    to_choose(h);
    tap(h, "item:L01");
    answer_err(h, ZC_MEV_QUOTED, ZC_ERR_BUSY);
    tap(h, "retry");
    assert_non_null(find_fx(h, ZC_FX_QUOTE));
    quoted(h, 1500, 500);
    expect_screen(h, "confirm");

    /* Any other failure of the sale: a fault, ask staff. */
    tap(h, "confirm");
    answer_err(h, ZC_MEV_SOLD, ZC_ERR_CLOCK);
    expect_text(h, "机器出了问题");
    expect_text(h, "请找工作人员帮忙");
    tap(h, "ok");
    expect_screen(h, "idle");
}

static void test_stale_answers(void **state)
{
    harness *h = *state;
    quoted(h, 1500, 500);
    sold(h, 1, 1500, 500);
    printed(h, true, false);
    identified(h, ZC_OUTCOME_OK);
    pin_checked(h, true, ZC_STAFF_MANAGER, false);
    answer_err(h, ZC_MEV_VOIDED, ZC_OK);
    expect_screen(h, "idle");
    assert_int_equal(h->m.staff, ZC_STAFF_NONE);
    /* An answer of the wrong kind while another is awaited is dropped too. */
    credential(h, ZC_IDENT_QR, "ZCE1.X", NULL);
    sold(h, 1, 1500, 500);
    expect_screen(h, "idle");
    assert_true(h->m.has_pending);
    identified(h, ZC_OUTCOME_OK);
    expect_screen(h, "identified");
}

static void test_timeouts(void **state)
{
    harness *h = *state;
    /* Every screen where an elder decides waits at least 20 s, and a touch restarts the wait. */
    credential(h, ZC_IDENT_QR, "ZCE1.X", NULL);
    identified(h, ZC_OUTCOME_OK);
    assert_true(zc_machine_deadline(&h->m) - h->m.now >= 20000);
    tick(h, T0 + 30000);
    tap(h, "continue");
    assert_true(zc_machine_deadline(&h->m) - h->m.now >= 20000);
    tick(h, T0 + 60000);
    tap(h, "next");
    tick(h, T0 + 60000 + ZC_TIMEOUT_DECIDE_MS - 1);
    expect_screen(h, "choose");
    tick(h, T0 + 60000 + ZC_TIMEOUT_DECIDE_MS);
    expect_screen(h, "idle");
    assert_string_equal(h->m.credential, "");

    /* No timeout while an answer is awaited. */
    zc_ms t = h->m.now;
    to_confirm(h);
    tap(h, "confirm");
    assert_int_equal(zc_machine_deadline(&h->m), 0);
    tick(h, t + 10 * ZC_TIMEOUT_DECIDE_MS);
    expect_screen(h, "confirm");
    sold(h, 1, 1500, 500);
    expect_screen(h, "done");
}

static void test_keyboard(void **state)
{
    harness *h = *state;
    credential(h, ZC_IDENT_QR, "ZCE1.X", NULL);
    identified(h, ZC_OUTCOME_OK);
    key(h, "Enter"); /* the primary button: continue */
    expect_screen(h, "choose");
    key(h, "Escape"); /* nothing called cancel or back on this page: ignored */
    expect_screen(h, "choose");
    key(h, "Enter"); /* the dish */
    assert_non_null(find_fx(h, ZC_FX_QUOTE));
    quoted(h, 1500, 500);
    key(h, "Escape");
    expect_screen(h, "idle");
    key(h, "nonsense");
    expect_screen(h, "idle");
}

/* ---- tests: staff mode ---- */

static void login(harness *h, zc_role_staff role, bool is_default)
{
    tap(h, "staff");
    expect_screen(h, "staff_pin");
    assert_true(h->v.staff);
    keys(h, "1234");
    expect_text(h, "\u25CF\u25CF\u25CF\u25CF");
    assert_null(kt_find_text(&h->v, "1234"));
    tap(h, "key:ok");
    const zc_fx *f = find_fx(h, ZC_FX_CHECK_PIN);
    assert_non_null(f);
    assert_string_equal(f->u.pin.pin, "1234");
    assert_int_equal(f->u.pin.role, ZC_STAFF_CLERK);
    assert_string_equal(h->m.entry, ""); /* the digits do not linger */
    pin_checked(h, true, role, is_default);
    expect_screen(h, "staff_menu");
}

static void test_staff_login(void **state)
{
    harness *h = *state;
    assert_false(h->m.readers == false);
    login(h, ZC_STAFF_CLERK, true);
    assert_false(h->m.readers);
    expect_text(h, "密码还是出厂默认的");
    static const char *const TASKS[] = {"sell_manual", "void",  "report",   "cash", "close_day",
                                        "devices",     "clock", "settings", "pin",  "exit"};
    for (size_t i = 0; i < sizeof TASKS / sizeof TASKS[0]; i++)
        assert_non_null(zc_view_find(&h->v, TASKS[i]));
    tap(h, "exit");
    expect_screen(h, "idle");
    assert_int_equal(h->m.staff, ZC_STAFF_NONE);
    assert_true(h->m.readers);

    /* Staff mode logs itself out. */
    login(h, ZC_STAFF_MANAGER, false);
    expect_text(h, "店长");
    assert_null(kt_find_text(&h->v, "出厂默认"));
    tick(h, h->m.now + ZC_TIMEOUT_STAFF_MS);
    expect_screen(h, "idle");
    assert_int_equal(h->m.staff, ZC_STAFF_NONE);
}

static void test_pin_lockout(void **state)
{
    harness *h = *state;
    tap(h, "staff");
    keys(h, "12");
    tap(h, "key:ok");
    expect_text(h, "4 到 8 位");
    assert_null(find_fx(h, ZC_FX_CHECK_PIN));
    keys(h, "3456789"); /* at most 8 digits */
    assert_string_equal(h->m.entry, "12345678");
    tap(h, "key:back");
    assert_string_equal(h->m.entry, "1234567");
    tap(h, "cancel");
    tap(h, "staff");
    assert_string_equal(h->m.entry, "");
    for (int i = 0; i < ZC_PIN_ATTEMPTS_MAX; i++) {
        keys(h, "0000");
        key(h, "Enter");
        assert_non_null(find_fx(h, ZC_FX_CHECK_PIN));
        pin_checked(h, false, ZC_STAFF_NONE, false);
        expect_screen(h, "staff_pin");
    }
    expect_text(h, "一分钟后再试");
    assert_null(zc_view_find(&h->v, "key:1"));
    tap(h, "key:1");
    assert_int_equal(h->fx.n, 0);
    tick(h, h->m.now + ZC_PIN_LOCKOUT_MS);
    assert_non_null(zc_view_find(&h->v, "key:1"));
    keys(h, "1234");
    tap(h, "key:ok");
    pin_checked(h, true, ZC_STAFF_CLERK, false);
    expect_screen(h, "staff_menu");
}

static void test_staff_sell_manual(void **state)
{
    harness *h = *state;
    login(h, ZC_STAFF_CLERK, false);
    tap(h, "sell_manual");
    expect_screen(h, "staff_sell");
    assert_non_null(zc_view_find(&h->v, "key:X"));
    keys(h, "320202193803151009"); /* wrong check digit */
    tap(h, "key:ok");
    expect_text(h, "身份证号不对");
    assert_null(find_fx(h, ZC_FX_IDENTIFY));
    for (int i = 0; i < 18; i++)
        tap(h, "key:back");
    keys(h, "32020219400229103");
    key(h, "x");
    expect_text(h, "32020219400229103X");
    tap(h, "key:ok");
    const zc_fx *f = find_fx(h, ZC_FX_IDENTIFY);
    assert_non_null(f);
    assert_int_equal(f->u.sale.ident, ZC_IDENT_MANUAL);
    assert_string_equal(f->u.sale.credential, "32020219400229103X");
    identified(h, ZC_OUTCOME_OK);
    expect_screen(h, "identified");
    assert_false(h->v.staff);
    expect_text(h, "工作人员代为查询");
    assert_int_equal(h->m.staff, ZC_STAFF_NONE);
    tap(h, "continue");
    tap(h, "item:L01");
    assert_int_equal(find_fx(h, ZC_FX_QUOTE)->u.sale.ident, ZC_IDENT_MANUAL);
}

static void void_to_manager(harness *h)
{
    login(h, ZC_STAFF_CLERK, false);
    tap(h, "void");
    expect_screen(h, "staff_void");
    tap(h, "key:ok");
    expect_text(h, "请输入收据上的流水号");
    keys(h, "12");
    expect_text(h, "流水号：12");
    tap(h, "key:ok");
    expect_text(h, "作废第 12 笔，原因：");
    assert_non_null(zc_view_find(&h->v, "reason:1"));
    assert_non_null(zc_view_find(&h->v, "reason:4"));
    tap(h, "reason:2");
    expect_text(h, "作废第 12 笔：重复收费");
    expect_text(h, "请店长输入密码");
}

static void test_staff_void(void **state)
{
    harness *h = *state;
    void_to_manager(h);
    keys(h, "9999");
    tap(h, "key:ok");
    const zc_fx *f = find_fx(h, ZC_FX_CHECK_PIN);
    assert_non_null(f);
    assert_int_equal(f->u.pin.role, ZC_STAFF_MANAGER);
    assert_string_equal(f->u.pin.pin, "9999");
    /* A clerk's PIN is not a manager's: the executor answers "no". */
    pin_checked(h, false, ZC_STAFF_NONE, false);
    expect_text(h, "密码不对");
    assert_null(find_fx(h, ZC_FX_VOID));
    keys(h, "9999");
    tap(h, "key:ok");
    pin_checked(h, true, ZC_STAFF_MANAGER, false);
    f = find_fx(h, ZC_FX_VOID);
    assert_non_null(f);
    assert_int_equal(f->u.void_.seq, 12);
    assert_string_equal(f->u.void_.reason, "重复收费");
    answer_err(h, ZC_MEV_VOIDED, ZC_OK);
    expect_text(h, "第 12 笔已作废");
    assert_int_equal(h->v.tone, ZC_TONE_SUCCESS);
    tap(h, "back");
    expect_screen(h, "staff_menu");

    /* Voiding what cannot be voided says so. */
    tap(h, "void");
    keys(h, "12");
    tap(h, "key:ok");
    tap(h, "reason:1");
    keys(h, "9999");
    tap(h, "key:ok");
    pin_checked(h, true, ZC_STAFF_MANAGER, false);
    answer_err(h, ZC_MEV_VOIDED, ZC_ERR_INVALID);
    expect_text(h, "第 12 笔不能作废");
    assert_int_equal(h->v.tone, ZC_TONE_ERROR);
}

static zc_mevent report_event(void)
{
    zc_mevent ev;
    zc_mevent_init(&ev, ZC_MEV_REPORTED);
    zc_mreport *r = &ev.u.report;
    r->date = (zc_date){2026, 3, 2};
    r->total = (zc_report_totals){4, 1, 4300, 1500, 2800};
    r->cash_self_pay = 2800;
    static const struct {
        const char *section, *key;
        zc_report_totals t;
    } ROWS[] = {
        {"by_period", "lunch", {3, 1, 2800, 1000, 1800}},
        {"by_period", "none", {1, 0, 1500, 500, 1000}},
        {"by_tier", "80-89", {2, 1, 1500, 500, 1000}},
        {"by_tier", "dibao", {1, 0, 1300, 500, 800}},
        {"by_tier", "none", {1, 0, 1500, 0, 1500}},
        {"by_payment", "cash", {4, 1, 4300, 1500, 2800}},
    };
    for (size_t i = 0; i < sizeof ROWS / sizeof ROWS[0]; i++) {
        zc_mrow *row = &r->rows[r->nrows++];
        snprintf(row->section, sizeof row->section, "%s", ROWS[i].section);
        snprintf(row->key, sizeof row->key, "%s", ROWS[i].key);
        row->t = ROWS[i].t;
    }
    return ev;
}

static void test_staff_report(void **state)
{
    harness *h = *state;
    login(h, ZC_STAFF_CLERK, false);
    tap(h, "report");
    assert_non_null(find_fx(h, ZC_FX_REPORT));
    expect_text(h, "请稍候");
    zc_mevent ev = report_event();
    step(h, &ev);
    assert_true(h->v.staff);
    expect_text(h, "今日报表 2026-03-02");
    expect_text(h, "按餐次");
    expect_text(h, "午餐");
    expect_text(h, "2 笔  ¥28.00");
    expect_text(h, "非供餐时段");
    /* Staff may see categories: the dibao row is labelled. */
    expect_text(h, "低保");
    expect_text(h, "80-89");
    expect_text(h, "无补贴");
    expect_text(h, "现金");
    expect_text(h, "¥43.00");
    const zc_view_item *row = kt_find_text(&h->v, "营业额");
    assert_int_equal(row->role, ZC_ROLE_ROW);
    assert_string_equal(row->text2, "¥43.00");
    tap(h, "back");
    expect_screen(h, "staff_menu");

    /* A report that cannot be made says so. */
    tap(h, "report");
    answer_err(h, ZC_MEV_REPORTED, ZC_ERR_DB);
    expect_text(h, "报表生成失败");
}

static void test_staff_cash(void **state)
{
    harness *h = *state;
    login(h, ZC_STAFF_CLERK, false);
    tap(h, "cash");
    assert_non_null(find_fx(h, ZC_FX_REPORT));
    zc_mevent ev = report_event();
    step(h, &ev);
    expect_text(h, "应有现金");
    expect_text(h, "¥28.00");
    keys(h, "2700");
    expect_text(h, "点算：¥27.00");
    tap(h, "key:ok");
    const zc_view_item *row = kt_find_text(&h->v, "差额");
    assert_non_null(row);
    assert_string_equal(row->text2, "-¥1.00");
    expect_text(h, "现金少了");
    assert_int_equal(h->v.tone, ZC_TONE_WARNING);
    tap(h, "back");
    tap(h, "cash");
    step(h, &ev);
    keys(h, "2900");
    tap(h, "key:ok");
    assert_string_equal(kt_find_text(&h->v, "差额")->text2, "+¥1.00");
    expect_text(h, "现金多了");
    tap(h, "back");
    tap(h, "cash");
    step(h, &ev);
    keys(h, "2800");
    tap(h, "key:ok");
    expect_text(h, "账实相符");
    assert_int_equal(h->v.tone, ZC_TONE_CALM);
}

static void test_staff_close_day(void **state)
{
    harness *h = *state;
    login(h, ZC_STAFF_CLERK, false);
    tap(h, "close_day");
    zc_mevent ev = report_event();
    step(h, &ev);
    expect_text(h, "日结 2026-03-02");
    expect_text(h, "¥43.00");
    tap(h, "close");
    assert_non_null(find_fx(h, ZC_FX_CLOSE_DAY));
    zc_mevent done;
    zc_mevent_init(&done, ZC_MEV_DAY_CLOSED);
    done.u.flag = true;
    step(h, &done);
    expect_text(h, "已日结，报表已打印");
    assert_null(zc_view_find(&h->v, "close"));
    tap(h, "back");
    tap(h, "close_day");
    step(h, &ev);
    tap(h, "close");
    done.u.flag = false;
    step(h, &done);
    expect_text(h, "报表没有打印出来");
}

static void test_staff_devices(void **state)
{
    harness *h = *state;
    login(h, ZC_STAFF_CLERK, false);
    tap(h, "devices");
    expect_text(h, "还没有设备报告状态");
    device_status(h, "idcard", HAL_STATUS_CONNECTED);
    zc_mevent ev;
    zc_mevent_init(&ev, ZC_MEV_DEVICE_STATUS);
    snprintf(ev.u.device.name, sizeof ev.u.device.name, "printer");
    ev.u.device.status = HAL_STATUS_FAULT;
    snprintf(ev.u.device.message, sizeof ev.u.device.message, "cover open");
    step(h, &ev);
    const zc_view_item *row = kt_find_text(&h->v, "printer");
    assert_non_null(row);
    assert_int_equal(row->role, ZC_ROLE_ROW);
    assert_string_equal(row->text2, "故障：cover open");
    assert_string_equal(kt_find_text(&h->v, "idcard")->text2, "正常");
    device_status(h, "printer", HAL_STATUS_CONNECTED);
    assert_string_equal(kt_find_text(&h->v, "printer")->text2, "正常");
    expect_text(h, "时钟");
}

static void test_staff_clock(void **state)
{
    harness *h = *state;
    login(h, ZC_STAFF_CLERK, false);
    tap(h, "clock");
    expect_text(h, "现在：2026-03-02 12:00");
    expect_text(h, "____-__-__ __:__");
    keys(h, "20260230");
    expect_text(h, "2026-02-30 __:__");
    keys(h, "1200");
    tap(h, "key:ok");
    expect_text(h, "日期或时间不对");
    assert_null(find_fx(h, ZC_FX_SET_CLOCK));
    for (int i = 0; i < 12; i++)
        tap(h, "key:back");
    keys(h, "202603021330");
    tap(h, "key:ok");
    const zc_fx *f = find_fx(h, ZC_FX_SET_CLOCK);
    assert_non_null(f);
    zc_ms want;
    assert_int_equal(zc_time_parse_iso8601("2026-03-02T13:30:00+08:00", &want, NULL), ZC_OK);
    assert_int_equal(f->u.at, want);
    zc_mevent set;
    zc_mevent_init(&set, ZC_MEV_CLOCK_SET);
    set.now = want;
    step(h, &set);
    expect_text(h, "时间已设置");
    expect_text(h, "现在：2026-03-02 13:30");
    assert_int_equal(zc_machine_deadline(&h->m), want + ZC_TIMEOUT_STAFF_MS);
    keys(h, "202601010000");
    tap(h, "key:ok");
    answer_err(h, ZC_MEV_CLOCK_SET, ZC_ERR_CLOCK);
    expect_text(h, "不能早于最后一笔交易");

    /* A clock behind the last sale shows in the status strip, for elders and staff alike. */
    zc_mevent ev;
    zc_mevent_init(&ev, ZC_MEV_CLOCK_CHECK);
    ev.u.flag = true;
    step(h, &ev);
    expect_text(h, "时间不对");
    tap(h, "back");
    expect_text(h, "时间早于最后一笔交易");
}

static void test_staff_settings(void **state)
{
    harness *h = *state;
    login(h, ZC_STAFF_CLERK, false);
    tap(h, "settings");
    expect_text(h, "80%");
    tap(h, "vol_up");
    const zc_fx *f = find_fx(h, ZC_FX_SAVE_SETTINGS);
    assert_non_null(f);
    assert_int_equal(f->u.settings.volume, 100);
    expect_said(h, "音量已调整");
    tap(h, "vol_up"); /* pending: ignored */
    answer_err(h, ZC_MEV_SETTINGS_SAVED, ZC_OK);
    tap(h, "vol_up");
    assert_int_equal(find_fx(h, ZC_FX_SAVE_SETTINGS)->u.settings.volume, 100);
    answer_err(h, ZC_MEV_SETTINGS_SAVED, ZC_OK);
    tap(h, "mute");
    assert_int_equal(find_fx(h, ZC_FX_SAVE_SETTINGS)->u.settings.volume, 0);
    assert_null(find_fx(h, ZC_FX_SPEAK));
    answer_err(h, ZC_MEV_SETTINGS_SAVED, ZC_OK);
    expect_text(h, "静音");
    tap(h, "mute");
    answer_err(h, ZC_MEV_SETTINGS_SAVED, ZC_OK);
    assert_int_equal(h->m.volume, ZC_VOLUME_DEFAULT);
    for (int i = 0; i < 6; i++) {
        tap(h, "vol_down");
        answer_err(h, ZC_MEV_SETTINGS_SAVED, ZC_OK);
    }
    assert_int_equal(h->m.volume, 0);
    tap(h, "lang");
    assert_int_equal(find_fx(h, ZC_FX_SAVE_SETTINGS)->u.settings.lang, ZC_LANG_EN);
    answer_err(h, ZC_MEV_SETTINGS_SAVED, ZC_ERR_BUSY);
    expect_text(h, "The setting was not saved");
    tap(h, "back");
    tap(h, "exit");
    /* The elder's screens now speak English. */
    expect_text(h, "Tap your ID card, scan your code or tap your meal card");
    credential(h, ZC_IDENT_QR, "ZCE1.X", NULL);
    identified(h, ZC_OUTCOME_OK);
    expect_text(h, "Hello, 张*华");
    expect_text(h, "Aged 80 and over");
    expect_said(h, "Subsidised meals left today: 2");
    tap(h, "continue");
    tap(h, "item:L01");
    quoted(h, 1500, 500);
    expect_text(h, "You pay ¥10.00");
    expect_said(h, "you pay 10 yuan");
}

static void test_staff_pin_change(void **state)
{
    harness *h = *state;
    login(h, ZC_STAFF_MANAGER, true);
    tap(h, "pin");
    expect_text(h, "修改店长密码");
    keys(h, "5678");
    tap(h, "key:ok");
    expect_text(h, "请再输入一次");
    keys(h, "5679");
    tap(h, "key:ok");
    expect_text(h, "两次输入不一样");
    assert_null(find_fx(h, ZC_FX_CHANGE_PIN));
    keys(h, "567890");
    tap(h, "key:ok");
    keys(h, "567890");
    tap(h, "key:ok");
    const zc_fx *f = find_fx(h, ZC_FX_CHANGE_PIN);
    assert_non_null(f);
    assert_int_equal(f->u.pin.role, ZC_STAFF_MANAGER);
    assert_string_equal(f->u.pin.pin, "567890");
    answer_err(h, ZC_MEV_PIN_CHANGED, ZC_OK);
    expect_text(h, "密码已修改");
    tap(h, "back");
    assert_null(kt_find_text(&h->v, "出厂默认"));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_idle),
        T(test_whole_sale),
        T(test_cancel_paths),
        T(test_outcomes),
        T(test_not_found_shows_card_name),
        T(test_identify_failures),
        T(test_unreadable_card),
        T(test_amount_keyed_by_staff),
        T(test_empty_menu_goes_to_amount),
        T(test_single_dish),
        T(test_reader_unplugged_mid_sale),
        T(test_second_card_ignored),
        T(test_confirm_twice),
        T(test_printer_out_of_paper),
        T(test_database_busy),
        T(test_stale_answers),
        T(test_timeouts),
        T(test_keyboard),
        T(test_staff_login),
        T(test_pin_lockout),
        T(test_staff_sell_manual),
        T(test_staff_void),
        T(test_staff_report),
        T(test_staff_cash),
        T(test_staff_close_day),
        T(test_staff_devices),
        T(test_staff_clock),
        T(test_staff_settings),
        T(test_staff_pin_change),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
