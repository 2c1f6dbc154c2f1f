/*
 * The sync agent against a real hub on loopback (app/sync): enrolment, rounds that push every sale
 * and pull rules, roster and menu, a hub out of reach and back, and the agent's thread (poke,
 * status, stopping quickly whatever the network does). Every test runs on both hub backends.
 */
#include "testutil.h"

#include "hubtest.h"
#include "salestest.h"

#include "zc/hubhttp.h"
#include "zc/idnum.h"
#include "zc/ledger.h"
#include "zc/report.h"
#include "zc/roster.h"
#include "zc/rulebook.h"
#include "zc/sell.h"
#include "zc/sync.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CANTEEN "C0107"
#define OTHER_CANTEEN "C0200"
#define SALE_DAY "2026-03-02"
#define LUNCH SALE_DAY "T12:00:00+08:00"
#define DINNER SALE_DAY "T17:00:00+08:00"
#define RULES_V2                                                                                   \
    "{\"schema\": \"zhucan.rules/1\", \"version\": 2,"                                             \
    " \"effective_from\": \"2026-06-01T00:00:00+08:00\", \"timezone\": \"Asia/Shanghai\","         \
    " \"meal_periods\": [{\"id\": \"lunch\", \"start\": \"10:30\", \"end\": \"13:30\"}],"          \
    " \"age_tiers\": [{\"id\": \"60+\", \"min_age\": 60, \"subsidy\": 400}],"                      \
    " \"stacking\": \"max\", \"min_self_pay\": 100, \"registered_only\": true}"

enum {
    BIG_ROSTER = 10000,
    SMALL_PAGE = 700,
    WAIT_STEP_MS = 20,
    WAIT_MAX_MS = 20000,
    STOP_MAX_MS = 1000, /* zc_sync_agent_stop: "within a second" */
    MS_PER_S = 1000,
    NS_PER_MS = 1000000,
};

typedef struct env {
    const char *backend;
    zc_hub *hub;
    zc_hubhttp *http;
    char url[64];
    char base[ZC_TEST_PATH_MAX];
    char dir[ZC_TEST_PATH_MAX]; /* the kiosk */
} env;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * MS_PER_S + ts.tv_nsec / NS_PER_MS;
}

static char *demo_file(const char *name, size_t *len)
{
    char path[ZC_TEST_PATH_MAX];
    snprintf(path, sizeof path, "%s/../../assets/demo/%s", ZC_SOURCE_DIR_TESTS, name);
    return zt_read_file(path, len);
}

static size_t demo_roster_rows(void)
{
    size_t len, rows = 0;
    char *csv = demo_file("roster.csv", &len);
    for (size_t i = 0; i < len; i++)
        rows += csv[i] == '\n';
    if (len && csv[len - 1] != '\n')
        rows++;
    free(csv);
    return rows - 1; /* the header */
}

static void env_open(env *e, const char *backend, const char *tag)
{
    memset(e, 0, sizeof *e);
    e->backend = backend;
    e->hub = zc_salestest_hub(backend, tag, NULL, NULL);
    zc_hubhttp_opts o = {.listen = "127.0.0.1:0"};
    zc_diag d = {{0}, 0};
    if (zc_hubhttp_start(e->hub, &o, &e->http, &d))
        fail_msg("%s: starting the hub's HTTP server: %s", backend, d.msg);
    snprintf(e->url, sizeof e->url, "http://127.0.0.1:%u", (unsigned)zc_hubhttp_port(e->http));
    if (zc_hub_canteen_add(e->hub, CANTEEN, "幸福食堂", "320202", "Asia/Shanghai", &d))
        fail_msg("adding the canteen: %s", d.msg);
    zt_mkdtemp(e->base, sizeof e->base);
    zt_join(e->dir, sizeof e->dir, e->base, "kiosk");
}

static void env_close(env *e)
{
    zc_hubhttp_stop(e->http);
    zc_hub_close(e->hub);
    zt_rmtree(e->base);
}

static void new_code(env *e, const char *canteen, char code[ZC_HUB_CODE_MAX])
{
    zc_diag d = {{0}, 0};
    if (zc_hub_enrol_code_new(e->hub, canteen, code, NULL, &d))
        fail_msg("enrolment code: %s", d.msg);
}

static void enrol(env *e)
{
    char code[ZC_HUB_CODE_MAX];
    new_code(e, CANTEEN, code);
    zc_diag d = {{0}, 0};
    if (zc_sync_enrol(e->dir, e->url, code, &d))
        fail_msg("%s: enrol: %s", e->backend, d.msg);
}

static int64_t publish(env *e, const char *rules)
{
    int64_t version = 0;
    zc_ms eff;
    zc_diag d = {{0}, 0};
    if (zc_hub_rules_publish(e->hub, rules, strlen(rules), -1, "test", &version, &eff, &d))
        fail_msg("publishing rules: %s", d.msg);
    return version;
}

static void hub_roster(env *e, const char *csv, size_t len)
{
    zc_hub_roster_stats st;
    zc_diag d = {{0}, 0};
    if (zc_hub_roster_import(e->hub, csv, len, false, &st, NULL, &d))
        fail_msg("hub roster import: %s", d.msg);
}

/* The hub as a canteen starts: rules, the demo roster and menu. */
static void stock_hub(env *e)
{
    publish(e, ZC_SALESTEST_RULES);
    size_t len;
    char *csv = demo_file("roster.csv", &len);
    hub_roster(e, csv, len);
    free(csv);
    csv = demo_file("menu.csv", &len);
    int64_t version, rows;
    zc_diag d = {{0}, 0};
    if (zc_hub_menu_import(e->hub, CANTEEN, csv, len, &version, &rows, &d))
        fail_msg("hub menu import: %s", d.msg);
    free(csv);
}

static zc_datadir *open_kiosk(env *e)
{
    zc_datadir *dd;
    zc_diag d = {{0}, 0};
    if (zc_datadir_open(e->dir, &dd, &d))
        fail_msg("opening the kiosk: %s", d.msg);
    return dd;
}

static zc_err round_of(env *e, const char *url, int page, zc_sync_result *r, zc_diag *d)
{
    zc_datadir *dd = open_kiosk(e);
    zc_sync_round_opts o = {.hub_url = url, .roster_page = page};
    zc_err err = zc_sync_round_with(dd, &o, r, d);
    zc_datadir_close(dd);
    return err;
}

static zc_sync_result round_ok(env *e)
{
    zc_sync_result r;
    zc_diag d = {{0}, 0};
    if (round_of(e, NULL, 0, &r, &d))
        fail_msg("%s: round: %s", e->backend, d.msg);
    return r;
}

static int64_t sell(env *e, const char *id_number, zc_fen price, const char *when)
{
    zc_datadir *dd = open_kiosk(e);
    zc_ledger *ledger;
    zc_diag d = {{0}, 0};
    if (zc_datadir_ledger(dd, &ledger, &d))
        fail_msg("ledger: %s", d.msg);
    zc_sell_request req = {.ident = ZC_IDENT_ID_CARD,
                           .credential = id_number,
                           .price = price,
                           .at = zc_salestest_at(when),
                           .paid = ZC_PAY_CASH};
    zc_sell_result r;
    if (zc_sell(dd, ledger, &req, &r, &d))
        fail_msg("sale at %s: %s", when, d.msg);
    zc_ledger_close(ledger);
    zc_datadir_close(dd);
    return r.sale.seq;
}

static void void_sale(env *e, int64_t seq, const char *when)
{
    zc_datadir *dd = open_kiosk(e);
    zc_ledger *ledger;
    zc_sale v;
    zc_diag d = {{0}, 0};
    if (zc_datadir_ledger(dd, &ledger, &d) ||
        zc_sell_void(dd, ledger, seq, "wrong meal", zc_salestest_at(when), &v, &d))
        fail_msg("void: %s", d.msg);
    zc_ledger_close(ledger);
    zc_datadir_close(dd);
}

/* The kiosk's report of the day and the hub's, which must be equal. */
static void assert_reports_equal(env *e, const char *day)
{
    zc_date date;
    assert_int_equal(zc_date_parse(day, strlen(day), &date, NULL), ZC_OK);
    zc_datadir *dd = open_kiosk(e);
    zc_report *rep;
    json_t *kiosk, *hub;
    zc_diag d = {{0}, 0};
    assert_int_equal(zc_report_day(dd->store, date, &rep, &d), ZC_OK);
    assert_int_equal(zc_report_to_json(rep, &kiosk), ZC_OK);
    zc_report_free(rep);
    zc_datadir_close(dd);
    if (zc_hub_report_day(e->hub, CANTEEN, date, &hub, &d))
        fail_msg("hub report: %s", d.msg);
    /* The hub may leave the chain head out (a canteen can have several kiosks); one it gives is
     * this kiosk's. */
    json_t *head = json_object_get(hub, "chain_head");
    if (!json_is_null(head))
        assert_true(json_equal(head, json_object_get(kiosk, "chain_head")));
    json_object_del(kiosk, "chain_head");
    json_object_del(hub, "chain_head");
    if (!json_equal(kiosk, hub)) {
        char *a = json_dumps(kiosk, JSON_SORT_KEYS), *b = json_dumps(hub, JSON_SORT_KEYS);
        fprintf(stderr, "%s: reports differ:\nkiosk %s\nhub   %s\n", e->backend, a, b);
        free(a);
        free(b);
        fail();
    }
    json_decref(kiosk);
    json_decref(hub);
}

static int64_t meta_int(env *e, const char *key)
{
    zc_datadir *dd = open_kiosk(e);
    char buf[ZC_META_VALUE_MAX];
    zc_err err = zc_store_meta_get(dd->store, key, buf, sizeof buf, NULL);
    zc_datadir_close(dd);
    return err ? -1 : strtoll(buf, NULL, 10);
}

static void set_meta(env *e, const char *key, const char *value)
{
    zc_datadir *dd = open_kiosk(e);
    assert_int_equal(zc_store_meta_set(dd->store, key, value, NULL), ZC_OK);
    zc_datadir_close(dd);
}

/* A loopback port with nothing listening (bound, then closed). */
static void dead_url(char *url, size_t size)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    snprintf(url, size, "http://127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
}

/* A socket that accepts connections (the kernel's backlog) and never answers; *fd to close. */
static void silent_url(char *url, size_t size, int *fd)
{
    *fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(*fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(*fd, 8), 0);
    assert_int_equal(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
    snprintf(url, size, "http://127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
}

/* ---- enrolment ---- */

static void test_enrol(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        env e;
        env_open(&e, *b, "sync_enrol");
        zc_diag d = {{0}, 0};

        /* A code the hub never gave: refused in the hub's words, and no kiosk is left behind. */
        assert_int_equal(zc_sync_enrol(e.dir, e.url, "ABCD-EFGH-JKLM", &d), ZC_ERR_CRYPTO);
        assert_non_null(strstr(d.msg, "hub: 401 unauthorized: "));
        assert_int_equal(access(e.dir, F_OK), -1);
        /* Bad arguments are refused before anything is made. */
        assert_int_equal(zc_sync_enrol(e.dir, "ftp://x", "A", &d), ZC_ERR_INVALID);
        assert_int_equal(zc_sync_enrol(e.dir, e.url, "", &d), ZC_ERR_INVALID);
        assert_int_equal(access(e.dir, F_OK), -1);

        enrol(&e);
        zc_datadir *dd = open_kiosk(&e);
        assert_string_equal(dd->canteen, CANTEEN);
        assert_string_equal(dd->canteen_region, "320202");
        assert_string_equal(zc_tz_name(dd->tz), "Asia/Shanghai");
        uint8_t pk[ZC_PUBKEY_LEN], rk[ZC_REGION_KEY_LEN];
        zc_hub_rules_public_key(e.hub, pk);
        zc_hub_region_key(e.hub, rk);
        assert_memory_equal(dd->rules_pk, pk, sizeof pk);
        assert_memory_equal(dd->region_key, rk, sizeof rk);
        char hub[ZC_META_VALUE_MAX];
        assert_int_equal(zc_store_meta_get(dd->store, ZC_META_SYNC_HUB, hub, sizeof hub, NULL),
                         ZC_OK);
        assert_string_equal(hub, e.url);
        char device[ZC_ID_MAX];
        snprintf(device, sizeof device, "%s", dd->device_id);
        zc_datadir_close(dd);

        /* A code is good once. */
        char code[ZC_HUB_CODE_MAX];
        new_code(&e, CANTEEN, code);
        assert_int_equal(zc_sync_enrol(e.dir, e.url, code, &d), ZC_OK);
        assert_int_equal(zc_sync_enrol(e.dir, e.url, code, &d), ZC_ERR_CRYPTO);

        /* A kiosk with no sale yet follows the hub to another canteen, keeping its key. */
        assert_int_equal(
            zc_hub_canteen_add(e.hub, OTHER_CANTEEN, "二食堂", "320202", "Asia/Shanghai", &d),
            ZC_OK);
        new_code(&e, OTHER_CANTEEN, code);
        assert_int_equal(zc_sync_enrol(e.dir, e.url, code, &d), ZC_OK);
        dd = open_kiosk(&e);
        assert_string_equal(dd->canteen, OTHER_CANTEEN);
        assert_string_equal(dd->device_id, device);
        zc_datadir_close(dd);

        /* With sales it keeps its canteen. */
        stock_hub(&e);
        round_ok(&e);
        sell(&e, ZC_SALESTEST_ELDER_80, 1500, LUNCH);
        new_code(&e, CANTEEN, code);
        assert_int_equal(zc_sync_enrol(e.dir, e.url, code, &d), ZC_ERR_EXISTS);
        assert_non_null(strstr(d.msg, OTHER_CANTEEN));
        dd = open_kiosk(&e);
        assert_string_equal(dd->canteen, OTHER_CANTEEN);
        zc_datadir_close(dd);
        env_close(&e);
    }
}

/* ---- rounds ---- */

static void test_round_sales_rules_roster_menu(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        env e;
        env_open(&e, *b, "sync_round");
        stock_hub(&e);
        enrol(&e);

        zc_sync_result r = round_ok(&e);
        assert_int_equal(r.pushed, 0);
        assert_int_equal(r.pending, 0);
        assert_int_equal(r.rules_installed, 1);
        assert_int_equal(r.roster_rows, (int64_t)demo_roster_rows());
        assert_true(r.menu_changed);
        assert_true(meta_int(&e, ZC_META_SYNC_LAST_OK) > 0);

        /* Sales under the hub's rules and roster: the elder is found, the subsidy applies. */
        sell(&e, ZC_SALESTEST_ELDER_80, 1500, LUNCH);
        int64_t seq = sell(&e, ZC_SALESTEST_ELDER_DIBAO, 1200, LUNCH);
        sell(&e, ZC_SALESTEST_ELDER_66, 1500, DINNER);
        sell(&e, ZC_SALESTEST_NOT_IN_ROSTER, 1500, DINNER);
        void_sale(&e, seq, DINNER);
        r = round_ok(&e);
        assert_int_equal(r.pushed, 5);
        assert_int_equal(r.acked, 5);
        assert_int_equal(r.pending, 0);
        assert_int_equal(meta_int(&e, ZC_META_SYNC_ACKED), 5);
        assert_reports_equal(&e, SALE_DAY);

        /* In step: a second round changes nothing. */
        r = round_ok(&e);
        assert_int_equal(r.pushed, 0);
        assert_int_equal(r.acked, 5);
        assert_int_equal(r.rules_installed, 0);
        assert_int_equal(r.roster_rows, 0);
        assert_false(r.menu_changed);
        assert_true(r.hub_offset_ms > -MS_PER_S && r.hub_offset_ms < MS_PER_S);

        /* A rule set published later arrives in the next round. */
        int64_t v2 = publish(&e, RULES_V2);
        r = round_ok(&e);
        assert_int_equal(r.rules_installed, 1);
        zc_datadir *dd = open_kiosk(&e);
        int64_t latest = 0;
        assert_int_equal(zc_rulebook_latest(dd->store, &latest, NULL), ZC_OK);
        assert_int_equal(latest, v2);
        zc_datadir_close(dd);
        env_close(&e);
    }
}

/* A roster of BIG_ROSTER generated elders, with valid ID numbers. */
static char *big_roster(size_t *len)
{
    static const char *const SURNAMES[] = {"王", "李", "张", "刘", "陈",
                                           "杨", "赵", "黄", "周", "吴"};
    static const char *const GIVEN[] = {"秀", "桂", "建", "淑", "国", "玉", "德", "兰", "明", "芳"};
    size_t cap = (size_t)BIG_ROSTER * 80 + 128, n = 0;
    char *csv = malloc(cap);
    assert_non_null(csv);
    n += (size_t)snprintf(csv, cap,
                          "id_number,name,birth_date,region,categories,status,qr_token,card_uid\n");
    int64_t first = zc_date_to_days((zc_date){1930, 1, 1});
    for (int i = 0; i < BIG_ROSTER; i++) {
        zc_date born = zc_date_from_days(first + i);
        char id[19];
        snprintf(id, sizeof id, "320202%04d%02d%02d%03d", born.year, born.month, born.day,
                 100 + i % 800);
        id[17] = zc_idnum_check_char(id);
        id[18] = '\0';
        n += (size_t)snprintf(csv + n, cap - n, "%s,%s%s%s,,320202,,active,,\n", id,
                              SURNAMES[i % 10], GIVEN[i / 10 % 10], GIVEN[i / 100 % 10]);
    }
    *len = n;
    return csv;
}

static void test_big_roster_small_pages(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        env e;
        env_open(&e, *b, "sync_roster");
        size_t len;
        char *csv = big_roster(&len);
        hub_roster(&e, csv, len);
        free(csv);
        enrol(&e);
        zc_sync_result r;
        zc_diag d = {{0}, 0};
        if (round_of(&e, NULL, SMALL_PAGE, &r, &d))
            fail_msg("%s: round: %s", *b, d.msg);
        assert_int_equal(r.roster_rows, BIG_ROSTER);
        zc_datadir *dd = open_kiosk(&e);
        int64_t count = 0;
        assert_int_equal(zc_roster_count(dd->store, &count, NULL), ZC_OK);
        assert_int_equal(count, BIG_ROSTER);
        zc_datadir_close(dd);
        /* Nothing new: nothing pulled. */
        assert_int_equal(round_of(&e, NULL, SMALL_PAGE, &r, &d), ZC_OK);
        assert_int_equal(r.roster_rows, 0);
        env_close(&e);
    }
}

static void test_unreachable_then_recovery(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        env e;
        env_open(&e, *b, "sync_unreachable");
        stock_hub(&e);
        enrol(&e);
        round_ok(&e);
        sell(&e, ZC_SALESTEST_ELDER_80, 1500, LUNCH);
        sell(&e, ZC_SALESTEST_ELDER_66, 1500, DINNER);

        char dead[64];
        dead_url(dead, sizeof dead);
        zc_sync_result r;
        zc_diag d = {{0}, 0};
        assert_int_equal(round_of(&e, dead, 0, &r, &d), ZC_ERR_IO);
        assert_non_null(strstr(d.msg, "hub: cannot reach"));
        assert_int_equal(r.pending, 2);
        assert_int_equal(r.pushed, 0);
        assert_int_equal(meta_int(&e, ZC_META_SYNC_ACKED), 0);

        /* The hub back: everything goes, nothing twice. */
        r = round_ok(&e);
        assert_int_equal(r.pushed, 2);
        assert_int_equal(r.pending, 0);
        assert_reports_equal(&e, SALE_DAY);
        /* The mark lost (a restored kiosk database): sending everything again is harmless. */
        set_meta(&e, ZC_META_SYNC_ACKED, "0");
        r = round_ok(&e);
        assert_int_equal(r.pushed, 2);
        assert_int_equal(r.acked, 2);
        assert_reports_equal(&e, SALE_DAY);
        env_close(&e);
    }
}

/* ---- the agent's thread ---- */

static zc_sync_status wait_status(zc_sync_agent *a, bool (*done)(const zc_sync_status *))
{
    zc_sync_status s;
    int64_t until = mono_ms() + WAIT_MAX_MS;
    for (;;) {
        zc_sync_agent_status(a, &s);
        if (done(&s) || mono_ms() > until)
            return s;
        usleep(WAIT_STEP_MS * MS_PER_S);
    }
}

static bool synced(const zc_sync_status *s)
{
    return !s->running && s->last_ok_ms > 0 && s->pending == 0 && s->failures == 0;
}

static bool failed(const zc_sync_status *s)
{
    return s->failures > 0;
}

static int64_t timed_stop(zc_sync_agent *a)
{
    int64_t t0 = mono_ms();
    zc_sync_agent_stop(a);
    return mono_ms() - t0;
}

static void test_agent(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        env e;
        env_open(&e, *b, "sync_agent");
        stock_hub(&e);
        enrol(&e);
        sell(&e, ZC_SALESTEST_ELDER_80, 1500, LUNCH);

        zc_sync_agent *a;
        zc_diag d = {{0}, 0};
        zc_sync_agent_opts o = {.interval_ms = 60 * MS_PER_S};
        assert_int_equal(zc_sync_agent_start(e.dir, &o, &a, &d), ZC_OK);
        zc_sync_status s;
        zc_sync_agent_status(a, &s);
        assert_true(s.enrolled);
        s = wait_status(a, synced);
        assert_true(synced(&s));
        assert_string_equal(s.last_error, "");

        /* A sale and a poke: pushed long before the next interval. */
        sell(&e, ZC_SALESTEST_ELDER_66, 1500, DINNER);
        const char *faults[] = {"printer: paper out"};
        zc_sync_agent_set_faults(a, faults, 1);
        zc_sync_agent_poke(a);
        int64_t t0 = mono_ms();
        for (;;) {
            zc_sync_agent_status(a, &s);
            if ((synced(&s) && meta_int(&e, ZC_META_SYNC_ACKED) == 2) ||
                mono_ms() - t0 > WAIT_MAX_MS)
                break;
            usleep(WAIT_STEP_MS * MS_PER_S);
        }
        assert_int_equal(meta_int(&e, ZC_META_SYNC_ACKED), 2);
        assert_int_equal(s.pending, 0);
        assert_true(timed_stop(a) < STOP_MAX_MS);
        assert_reports_equal(&e, SALE_DAY);

        /* The heartbeat carried the fault to the hub's kiosk list. */
        json_t *kiosks;
        assert_int_equal(zc_hub_kiosks(e.hub, NULL, &kiosks, &d), ZC_OK);
        json_t *f = json_object_get(json_array_get(kiosks, 0), "faults");
        assert_string_equal(json_string_value(json_array_get(f, 0)), "printer: paper out");
        json_decref(kiosks);
        env_close(&e);
    }
}

static void test_agent_stops_without_hub(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        env e;
        env_open(&e, *b, "sync_agent_stop");
        enrol(&e);
        sell(&e, ZC_SALESTEST_NOT_IN_ROSTER, 1500, LUNCH);
        zc_sync_agent_opts o = {.backoff_base_ms = 50, .backoff_max_ms = 200};
        zc_sync_agent *a;
        zc_diag d = {{0}, 0};

        /* Nothing listening: rounds fail at once, retried with backoff; stop is immediate. */
        char url[64];
        dead_url(url, sizeof url);
        set_meta(&e, ZC_META_SYNC_HUB, url);
        assert_int_equal(zc_sync_agent_start(e.dir, &o, &a, &d), ZC_OK);
        zc_sync_status s = wait_status(a, failed);
        assert_true(s.failures > 0);
        assert_int_equal(s.pending, 1);
        assert_non_null(strstr(s.last_error, "cannot reach"));
        assert_true(timed_stop(a) < STOP_MAX_MS);

        /* A hub that takes the connection and never answers: the request is abandoned. */
        int fd;
        silent_url(url, sizeof url, &fd);
        set_meta(&e, ZC_META_SYNC_HUB, url);
        assert_int_equal(zc_sync_agent_start(e.dir, &o, &a, &d), ZC_OK);
        usleep(300 * MS_PER_S); /* well inside the request */
        zc_sync_agent_status(a, &s);
        assert_true(s.running);
        assert_true(timed_stop(a) < STOP_MAX_MS);
        close(fd);

        /* Back to the real hub: the agent catches up. */
        set_meta(&e, ZC_META_SYNC_HUB, e.url);
        assert_int_equal(zc_sync_agent_start(e.dir, &o, &a, &d), ZC_OK);
        s = wait_status(a, synced);
        assert_true(synced(&s));
        assert_true(timed_stop(a) < STOP_MAX_MS);
        env_close(&e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enrol),
        cmocka_unit_test(test_round_sales_rules_roster_menu),
        cmocka_unit_test(test_big_roster_small_pages),
        cmocka_unit_test(test_unreachable_then_recovery),
        cmocka_unit_test(test_agent),
        cmocka_unit_test(test_agent_stops_without_hub),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
