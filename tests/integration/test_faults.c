/*
 * Fault tests of kiosk-hub sync with real processes: the hub (zhucan-hub) down while a kiosk sells
 * thousands of sales, the hub killed with SIGKILL in the middle of a push and restarted, two hubs
 * on one PostgreSQL database with kiosks split across them, kiosks whose clocks are far off. After
 * each, every sale is on the hub exactly once, the hub's chain check raised nothing, and the hub's
 * day reports equal the kiosks'. The kiosks are libzccore data directories driven in-process
 * (zc_sell, zc_sync_round); the hubs are separate processes so they can be killed. usage:
 * test_faults ZHUCAN-HUB SOURCE_DIR
 */
#include "hubtest.h"
#include "testutil.h"

#include "zc/datadir.h"
#include "zc/hub.h"
#include "zc/report.h"
#include "zc/sell.h"
#include "zc/sync.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum {
    URL_MAX = 512,
    HUB_START_POLLS = 200, /* 20 s for a hub to listen */
    POLL_US = 100000,
    OFFLINE_SALES = 3000, /* "thousands of sales" while the hub is down */
    KILL_SALES = 4000,    /* eight full batches: the kill lands in the middle */
    SPLIT_KIOSKS = 4,
    SPLIT_SALES = 300,
    SALE_PRICE = 1500,
    SALE_STEP_MS = 20000, /* one sale every 20 s of kiosk time */
};

static const char *const ELDERS[] = {"32020219400229103X", "320202193803151008",
                                     "320202194211081012", "320203194506011026"};
#define N_ELDERS (sizeof ELDERS / sizeof ELDERS[0])

enum { LIVE_MAX = 8, LOG_TEXT_MAX = 65536 };

typedef struct fault_ctx {
    const char *hub_bin;
    const char *source_dir;
    pid_t live[LIVE_MAX]; /* hubs started and not yet stopped: the teardown stops them */
} fault_ctx;

typedef struct hubproc {
    pid_t pid;
    char url[URL_MAX];
    char log[ZC_TEST_PATH_MAX];
} hubproc;

static void live_set(fault_ctx *ctx, pid_t old, pid_t pid)
{
    for (int i = 0; i < LIVE_MAX; i++)
        if (ctx->live[i] == old) {
            ctx->live[i] = pid;
            return;
        }
    fail_msg("too many hubs at once");
}

/* Reads what the hub has logged so far (the file may not exist yet). */
static bool log_read(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
    return true;
}

/* Starts zhucan-hub on a free port and waits until its log names the address it listens on. */
static void hub_spawn(fault_ctx *ctx, const char *dir, const char *db_url, const char *tag,
                      hubproc *hp)
{
    snprintf(hp->log, sizeof hp->log, "%s/%s.log", dir, tag);
    hp->pid = fork();
    assert_true(hp->pid >= 0);
    if (hp->pid == 0) {
        /* A hub must not outlive a test that failed half way. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        FILE *f = freopen(hp->log, "w", stderr);
        (void)f;
        execl(ctx->hub_bin, ctx->hub_bin, "--db", db_url, "--listen", "127.0.0.1:0", (char *)NULL);
        _exit(127);
    }
    live_set(ctx, 0, hp->pid);
    char text[LOG_TEXT_MAX];
    for (int i = 0; i < HUB_START_POLLS; i++) {
        const char *at =
            log_read(hp->log, text, sizeof text) ? strstr(text, "listening on http://") : NULL;
        if (at) {
            at += strlen("listening on ");
            size_t n = strcspn(at, " \r\n");
            assert_true(n < sizeof hp->url);
            memcpy(hp->url, at, n);
            hp->url[n] = '\0';
            return;
        }
        usleep(POLL_US);
    }
    fail_msg("zhucan-hub did not start; see %s", hp->log);
}

static void hub_kill(fault_ctx *ctx, hubproc *hp, int sig)
{
    live_set(ctx, hp->pid, 0);
    kill(hp->pid, sig);
    int status = 0;
    waitpid(hp->pid, &status, 0);
    if (sig == SIGTERM)
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static char *slurp_source(fault_ctx *ctx, const char *rel, size_t *len)
{
    char path[ZC_TEST_PATH_MAX];
    zt_join(path, sizeof path, ctx->source_dir, rel);
    char *text = zt_read_file(path, len);
    assert_non_null(text);
    return text;
}

/* A hub database with two canteens, the default rules, the demo roster and a menu. */
static void hub_setup(fault_ctx *ctx, const char *db_url, zc_hub **out)
{
    zc_hub_opts opts = {.db_url = db_url};
    zc_diag diag = {{0}, 0};
    zc_hub *hub = NULL;
    assert_int_equal(zc_hub_open(&opts, &hub, &diag), ZC_OK);
    assert_int_equal(
        zc_hub_canteen_add(hub, "C0107", "崇安寺社区食堂", "320202", "Asia/Shanghai", &diag),
        ZC_OK);
    assert_int_equal(
        zc_hub_canteen_add(hub, "C0201", "梁溪区长者食堂", "320213", "Asia/Shanghai", &diag),
        ZC_OK);
    size_t len = 0;
    char *text = slurp_source(ctx, "assets/rules/default.json", &len);
    int64_t version = 0;
    zc_ms effective = 0;
    assert_int_equal(zc_hub_rules_publish(hub, text, len, -1, "test", &version, &effective, &diag),
                     ZC_OK);
    free(text);
    text = slurp_source(ctx, "assets/demo/roster.csv", &len);
    zc_hub_roster_stats stats;
    assert_int_equal(zc_hub_roster_import(hub, text, len, false, &stats, NULL, &diag), ZC_OK);
    free(text);
    *out = hub;
}

/* Enrols a new kiosk of canteen in dir/name and brings it in step with the hub. */
static zc_datadir *kiosk_new(zc_hub *hub, const char *dir, const char *name, const char *canteen,
                             const char *hub_url)
{
    char code[ZC_HUB_CODE_MAX];
    zc_ms expires = 0;
    zc_diag diag = {{0}, 0};
    assert_int_equal(zc_hub_enrol_code_new(hub, canteen, code, &expires, &diag), ZC_OK);
    char path[ZC_TEST_PATH_MAX];
    zt_join(path, sizeof path, dir, name);
    if (zc_sync_enrol(path, hub_url, code, &diag))
        fail_msg("enrol: %s", diag.msg);
    zc_datadir *dd = NULL;
    assert_int_equal(zc_datadir_open(path, &dd, &diag), ZC_OK);
    zc_sync_result res;
    if (zc_sync_round(dd, hub_url, &res, &diag))
        fail_msg("first round: %s", diag.msg);
    return dd;
}

/* Midnight, Shanghai time, `days` days ago, as epoch ms. */
static zc_ms days_ago(int days)
{
    const zc_ms day_ms = INT64_C(86400000), shanghai_offset_ms = INT64_C(28800000);
    zc_ms now = (zc_ms)time(NULL) * 1000;
    zc_ms local_midnight = (now + shanghai_offset_ms) / day_ms * day_ms - shanghai_offset_ms;
    return local_midnight - days * day_ms;
}

/* Sells n sales at increasing times from start (11:00 local onwards), cycling the elders. */
static zc_ms sell_many(zc_datadir *dd, int n, zc_ms start)
{
    const zc_ms eleven_ms = INT64_C(39600000);
    zc_diag diag = {{0}, 0};
    zc_ledger *ledger = NULL;
    assert_int_equal(zc_datadir_ledger(dd, &ledger, &diag), ZC_OK);
    zc_ms at = start + eleven_ms;
    for (int i = 0; i < n; i++) {
        zc_sell_request req = {.ident = ZC_IDENT_ID_CARD,
                               .credential = ELDERS[(size_t)i % N_ELDERS],
                               .price = SALE_PRICE,
                               .at = at,
                               .paid = ZC_PAY_CASH};
        zc_sell_result res;
        if (zc_sell(dd, ledger, &req, &res, &diag))
            fail_msg("sale %d: %s", i, diag.msg);
        at += SALE_STEP_MS;
    }
    zc_ledger_close(ledger);
    return at;
}

static int64_t hub_count(zc_hub *hub, const char *sql, const char *param)
{
    zc_hubdb_conn *conn = NULL;
    zc_diag diag = {{0}, 0};
    assert_int_equal(zc_hubdb_acquire(zc_hub_db(hub), &conn, &diag), ZC_OK);
    zc_hubdb_rows *rows = NULL;
    const char *params[] = {param};
    if (zc_hubdb_query(conn, sql, params, param ? 1 : 0, &rows, &diag))
        fail_msg("%s: %s", sql, diag.msg);
    int64_t n = zc_hubdb_rows_int(rows, 0, 0);
    zc_hubdb_rows_free(rows);
    zc_hubdb_release(conn);
    return n;
}

/* Every entry of the kiosk is on the hub exactly once, with no chain anomaly. */
static void assert_in_step(zc_hub *hub, zc_datadir *dd)
{
    zc_ledger_head head;
    zc_diag diag = {{0}, 0};
    assert_int_equal(zc_ledger_head_get(dd->store, &head, &diag), ZC_OK);
    assert_int_equal(hub_count(hub, "SELECT count(*) FROM sale WHERE device = $1 AND status = 'ok'",
                               dd->device_id),
                     head.seq);
    assert_int_equal(
        hub_count(hub, "SELECT count(DISTINCT seq) FROM sale WHERE device = $1", dd->device_id),
        head.seq);
    assert_int_equal(hub_count(hub, "SELECT max(seq) FROM sale WHERE device = $1", dd->device_id),
                     head.seq);
    assert_int_equal(hub_count(hub,
                               "SELECT count(*) FROM anomaly WHERE kind IN ('bad_signature', "
                               "'broken_chain', 'malformed', 'wrong_device', "
                               "'conflicting_duplicate') AND device = $1",
                               dd->device_id),
                     0);
    zc_ledger_check check;
    assert_int_equal(zc_ledger_verify(dd->store, dd->device_key.pk, &check, &diag), ZC_OK);
}

/* The hub's day report of the kiosk's canteen equals the kiosk's, for every day it sold on. */
static void assert_reports_equal(zc_hub *hub, zc_datadir *dd, zc_ms from, zc_ms to)
{
    const zc_ms day_ms = INT64_C(86400000);
    zc_diag diag = {{0}, 0};
    for (zc_ms at = from; at <= to; at += day_ms) {
        zc_local local;
        zc_tz_local(dd->tz, at, &local);
        zc_date date = local.date;
        zc_report *report = NULL;
        assert_int_equal(zc_report_day(dd->store, date, &report, &diag), ZC_OK);
        json_t *kiosk = NULL, *central = NULL;
        assert_int_equal(zc_report_to_json(report, &kiosk), ZC_OK);
        zc_report_free(report);
        assert_int_equal(zc_hub_report_day(hub, dd->canteen, date, &central, &diag), ZC_OK);
        char *a = json_dumps(kiosk, JSON_COMPACT | JSON_SORT_KEYS);
        char *b = json_dumps(central, JSON_COMPACT | JSON_SORT_KEYS);
        assert_string_equal(a, b);
        free(a);
        free(b);
        json_decref(kiosk);
        json_decref(central);
    }
}

typedef struct round_job {
    zc_datadir *dd;
    const char *url;
    zc_err err;
    zc_diag diag;
} round_job;

static void *round_thread(void *arg)
{
    round_job *job = arg;
    zc_sync_result res;
    job->err = zc_sync_round(job->dd, job->url, &res, &job->diag);
    return NULL;
}

static void run_backend(fault_ctx *ctx, const char *backend,
                        void (*scenario)(fault_ctx *, const char *, const char *))
{
    char dir[ZC_TEST_PATH_MAX], url[URL_MAX], tag[64];
    zt_mkdtemp(dir, sizeof dir);
    snprintf(tag, sizeof tag, "faults_%s_%d", backend, (int)getpid());
    zc_hubtest_db_url(backend, tag, url, sizeof url);
    scenario(ctx, dir, url);
    zt_rmtree(dir);
}

/* The hub is down while the kiosk sells thousands of sales; then it is up and one round
 * brings everything across. */
static void scenario_hub_down(fault_ctx *ctx, const char *dir, const char *db_url)
{
    zc_hub *hub = NULL;
    hub_setup(ctx, db_url, &hub);
    hubproc hp;
    hub_spawn(ctx, dir, db_url, "hub1", &hp);
    zc_datadir *dd = kiosk_new(hub, dir, "kiosk", "C0107", hp.url);
    hub_kill(ctx, &hp, SIGTERM);

    zc_ms start = days_ago(3);
    zc_ms end = sell_many(dd, OFFLINE_SALES, start);
    zc_sync_result res;
    zc_diag diag = {{0}, 0};
    assert_int_not_equal(zc_sync_round(dd, hp.url, &res, &diag), ZC_OK);

    hub_spawn(ctx, dir, db_url, "hub2", &hp);
    if (zc_sync_round(dd, hp.url, &res, &diag))
        fail_msg("round after the hub came back: %s", diag.msg);
    assert_int_equal(res.acked, OFFLINE_SALES);
    assert_int_equal(res.pending, 0);
    assert_in_step(hub, dd);
    assert_reports_equal(hub, dd, start, end);
    hub_kill(ctx, &hp, SIGTERM);
    zc_datadir_close(dd);
    zc_hub_close(hub);
}

/* The hub is killed with SIGKILL while a push is in flight, restarted, and the next round
 * completes: nothing lost, nothing twice. */
static void scenario_kill_mid_push(fault_ctx *ctx, const char *dir, const char *db_url)
{
    zc_hub *hub = NULL;
    hub_setup(ctx, db_url, &hub);
    hubproc hp;
    hub_spawn(ctx, dir, db_url, "hub1", &hp);
    zc_datadir *dd = kiosk_new(hub, dir, "kiosk", "C0107", hp.url);
    zc_ms start = days_ago(4);
    zc_ms end = sell_many(dd, KILL_SALES, start);

    round_job job = {.dd = dd, .url = hp.url};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, round_thread, &job), 0);
    /* Kill once part of the ledger has arrived, so the kill lands between or inside batches. */
    const char *count_sql = "SELECT count(*) FROM sale WHERE device = $1";
    int64_t held = 0;
    for (int i = 0; i < HUB_START_POLLS * 10 && held == 0; i++) {
        held = hub_count(hub, count_sql, dd->device_id);
        if (held == 0)
            usleep(POLL_US / 10);
    }
    hub_kill(ctx, &hp, SIGKILL);
    pthread_join(thread, NULL);
    held = hub_count(hub, count_sql, dd->device_id);
    assert_true(held > 0);
    assert_true(held < KILL_SALES); /* the kill did land in the middle */

    hub_spawn(ctx, dir, db_url, "hub2", &hp);
    zc_sync_result res;
    zc_diag diag = {{0}, 0};
    if (zc_sync_round(dd, hp.url, &res, &diag))
        fail_msg("round after the restart: %s", diag.msg);
    assert_int_equal(res.acked, KILL_SALES);
    assert_in_step(hub, dd);
    assert_reports_equal(hub, dd, start, end);
    hub_kill(ctx, &hp, SIGTERM);
    zc_datadir_close(dd);
    zc_hub_close(hub);
}

/* Two hubs share one database; kiosks sync through either, alternating. */
static void scenario_two_hubs(fault_ctx *ctx, const char *dir, const char *db_url)
{
    zc_hub *hub = NULL;
    hub_setup(ctx, db_url, &hub);
    hubproc a, b;
    hub_spawn(ctx, dir, db_url, "hubA", &a);
    hub_spawn(ctx, dir, db_url, "hubB", &b);
    zc_datadir *kiosks[SPLIT_KIOSKS];
    for (int k = 0; k < SPLIT_KIOSKS; k++) {
        char name[32];
        snprintf(name, sizeof name, "kiosk%d", k);
        kiosks[k] = kiosk_new(hub, dir, name, k % 2 ? "C0201" : "C0107", k % 2 ? b.url : a.url);
    }
    zc_ms start = days_ago(5), end = start;
    for (int round = 0; round < 3; round++) {
        round_job jobs[SPLIT_KIOSKS];
        pthread_t threads[SPLIT_KIOSKS];
        for (int k = 0; k < SPLIT_KIOSKS; k++) {
            zc_ms last = 0;
            zc_ledger_head head;
            assert_int_equal(zc_ledger_head_get(kiosks[k]->store, &head, NULL), ZC_OK);
            last = head.seq ? head.at + SALE_STEP_MS - INT64_C(39600000) : start;
            zc_ms e = sell_many(kiosks[k], SPLIT_SALES, last);
            end = e > end ? e : end;
            jobs[k] = (round_job){.dd = kiosks[k], .url = (k + round) % 2 ? b.url : a.url};
            assert_int_equal(pthread_create(&threads[k], NULL, round_thread, &jobs[k]), 0);
        }
        for (int k = 0; k < SPLIT_KIOSKS; k++) {
            pthread_join(threads[k], NULL);
            if (jobs[k].err)
                fail_msg("kiosk %d round %d: %s", k, round, jobs[k].diag.msg);
        }
    }
    for (int k = 0; k < SPLIT_KIOSKS; k++)
        assert_in_step(hub, kiosks[k]);
    /* Two kiosks per canteen: the hub's canteen report is the sum of both kiosks'. */
    assert_int_equal(hub_count(hub, "SELECT count(*) FROM sale WHERE canteen = $1", "C0107"),
                     2 * 3 * SPLIT_SALES);
    for (int k = 0; k < SPLIT_KIOSKS; k++)
        zc_datadir_close(kiosks[k]);
    hub_kill(ctx, &a, SIGTERM);
    hub_kill(ctx, &b, SIGTERM);
    (void)end;
    zc_hub_close(hub);
}

typedef struct skewed_clock {
    int64_t skew_ms;
} skewed_clock;

static zc_ms skewed_now(void *ctx)
{
    const skewed_clock *c = ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (zc_ms)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + c->skew_ms;
}

/* Kiosks whose clocks are off (an hour behind, three days ahead, a board that booted in 1970)
 * still sync: the hub answers their heartbeat with its time, they sign with it from then on, and
 * the hub raises the skew as an anomaly. */
static void scenario_clock_off(fault_ctx *ctx, const char *dir, const char *db_url)
{
    static const int64_t SKEWS_MS[] = {-INT64_C(3600000), INT64_C(3) * 86400000,
                                       -INT64_C(1700000000000)};
    const int64_t slack_ms = 5000;
    zc_hub *hub = NULL;
    hub_setup(ctx, db_url, &hub);
    hubproc hp;
    hub_spawn(ctx, dir, db_url, "hub1", &hp);
    for (size_t k = 0; k < sizeof SKEWS_MS / sizeof SKEWS_MS[0]; k++) {
        char name[32];
        snprintf(name, sizeof name, "kiosk%zu", k);
        zc_datadir *dd = kiosk_new(hub, dir, name, "C0107", hp.url);
        /* A day of its own for each kiosk: the canteen's day report is then this kiosk's. */
        zc_ms start = days_ago(2 + (int)k);
        zc_ms end = sell_many(dd, SPLIT_SALES, start);
        skewed_clock clock = {.skew_ms = SKEWS_MS[k]};
        zc_sync_round_opts opts = {.hub_url = hp.url, .clock = skewed_now, .clock_ctx = &clock};
        zc_sync_result res;
        zc_diag diag = {{0}, 0};
        if (zc_sync_round_with(dd, &opts, &res, &diag))
            fail_msg("kiosk %zu, clock off by %lld ms: %s", k, (long long)SKEWS_MS[k], diag.msg);
        assert_int_equal(res.acked, SPLIT_SALES);
        assert_true(llabs(res.hub_offset_ms + SKEWS_MS[k]) < slack_ms);
        assert_in_step(hub, dd);
        assert_reports_equal(hub, dd, start, end);
        assert_true(
            hub_count(hub, "SELECT count(*) FROM anomaly WHERE kind = 'clock_skew' AND device = $1",
                      dd->device_id) >= 1);
        zc_datadir_close(dd);
    }
    hub_kill(ctx, &hp, SIGTERM);
    zc_hub_close(hub);
}

static void test_clock_off(void **state)
{
    for (int i = 0; ZC_HUBTEST_BACKENDS[i]; i++)
        run_backend(*state, ZC_HUBTEST_BACKENDS[i], scenario_clock_off);
}

static void test_hub_down(void **state)
{
    for (int i = 0; ZC_HUBTEST_BACKENDS[i]; i++)
        run_backend(*state, ZC_HUBTEST_BACKENDS[i], scenario_hub_down);
}

static void test_kill_mid_push(void **state)
{
    for (int i = 0; ZC_HUBTEST_BACKENDS[i]; i++)
        run_backend(*state, ZC_HUBTEST_BACKENDS[i], scenario_kill_mid_push);
}

static void test_two_hubs_one_postgres(void **state)
{
    run_backend(*state, "postgres", scenario_two_hubs);
}

/* Stops the hubs a failed test left running. */
static int stop_live(void **state)
{
    fault_ctx *ctx = *state;
    for (int i = 0; i < LIVE_MAX; i++)
        if (ctx->live[i] > 0) {
            kill(ctx->live[i], SIGKILL);
            waitpid(ctx->live[i], NULL, 0);
            ctx->live[i] = 0;
        }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_faults ZHUCAN-HUB SOURCE_DIR\n");
        return 2;
    }
    fault_ctx ctx = {.hub_bin = argv[1], .source_dir = argv[2]};
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate_setup_teardown(test_hub_down, NULL, stop_live, &ctx),
        cmocka_unit_test_prestate_setup_teardown(test_kill_mid_push, NULL, stop_live, &ctx),
        cmocka_unit_test_prestate_setup_teardown(test_two_hubs_one_postgres, NULL, stop_live, &ctx),
        cmocka_unit_test_prestate_setup_teardown(test_clock_off, NULL, stop_live, &ctx),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
