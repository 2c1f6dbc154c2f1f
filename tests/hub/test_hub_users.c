/*
 * Canteens, console accounts and sessions, on both backends: what a canteen and a user must look
 * like, login answering alike for a wrong name and a wrong password, sessions kept by hash only,
 * expiring (on an injected clock) and ended by logout; the password check holding no database
 * connection while Argon2 works.
 */
#include "hubtest.h"
#include "salestest.h"

#include "zc/hub.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char PASSWORD[] = "correct horse battery";

static void test_canteens(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hub *hub = zc_salestest_hub(*b, "users_canteens", NULL, NULL);
        zc_diag d = {{0}, 0};
        assert_int_equal(
            zc_hub_canteen_add(hub, "C0107", "幸福食堂", "320202", "Asia/Shanghai", &d), ZC_OK);
        assert_int_equal(zc_hub_canteen_add(hub, "C0108", "长寿食堂", "", NULL, &d), ZC_OK);
        assert_int_equal(zc_hub_canteen_add(hub, "C0107", "again", "", NULL, &d), ZC_ERR_EXISTS);
        /* Refused, each naming its field. */
        static const struct {
            const char *id, *name, *region, *tz, *field;
        } BAD[] = {
            {"", "x", "", NULL, "id"},
            {"C 01", "x", "", NULL, "id"},
            {"C/01", "x", "", NULL, "id"},
            {"C0109", "", "", NULL, "name"},
            {"C0109", "line\nbreak", "", NULL, "name"},
            {"C0109", "\xff", "", NULL, "name"},
            {"C0109", "x", "3", NULL, "region"},
            {"C0109", "x", "32020a", NULL, "region"},
            {"C0109", "x", "3202023202023", NULL, "region"},
            {"C0109", "x", "", "Mars/Olympus", "timezone"},
            {"C0109", "x", "", "../etc/passwd", "timezone"},
        };
        for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
            assert_int_equal(
                zc_hub_canteen_add(hub, BAD[i].id, BAD[i].name, BAD[i].region, BAD[i].tz, &d),
                ZC_ERR_INVALID);
            assert_non_null(strstr(d.msg, BAD[i].field));
        }
        json_t *list = NULL;
        assert_int_equal(zc_hub_canteens(hub, &list, &d), ZC_OK);
        assert_int_equal(json_array_size(list), 2);
        json_t *c = json_array_get(list, 0);
        assert_string_equal(json_string_value(json_object_get(c, "id")), "C0107");
        assert_string_equal(json_string_value(json_object_get(c, "name")), "幸福食堂");
        assert_string_equal(json_string_value(json_object_get(c, "region")), "320202");
        assert_string_equal(json_string_value(json_object_get(c, "timezone")), "Asia/Shanghai");
        assert_int_equal(json_integer_value(json_object_get(c, "menu_version")), 0);
        c = json_array_get(list, 1);
        assert_string_equal(json_string_value(json_object_get(c, "timezone")), "Asia/Shanghai");
        json_decref(list);
        zc_hub_close(hub);
    }
}

static void test_users_and_sessions(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_salestest_clock clock = {zc_salestest_at("2026-03-02T09:00:00+08:00")};
        zc_hub *hub = zc_salestest_hub(*b, "users_sessions", zc_salestest_clock_read, &clock);
        zc_diag d = {{0}, 0};
        assert_int_equal(zc_hub_canteen_add(hub, "C0107", "幸福食堂", "320202", NULL, &d), ZC_OK);
        assert_int_equal(zc_hub_user_add(hub, "admin", "admin", PASSWORD, &d), ZC_OK);
        assert_int_equal(zc_hub_user_add(hub, "王经理", "canteen:C0107", PASSWORD, &d), ZC_OK);
        assert_int_equal(zc_hub_user_add(hub, "admin", "viewer", PASSWORD, &d), ZC_ERR_EXISTS);
        assert_int_equal(zc_hub_user_add(hub, "v", "auditor", PASSWORD, &d), ZC_ERR_INVALID);
        assert_int_equal(zc_hub_user_add(hub, "v", "canteen:", PASSWORD, &d), ZC_ERR_INVALID);
        assert_int_equal(zc_hub_user_add(hub, "v", "canteen:C9999", PASSWORD, &d), ZC_ERR_INVALID);
        assert_non_null(strstr(d.msg, "C9999"));
        assert_int_equal(zc_hub_user_add(hub, "v", "viewer", "short", &d), ZC_ERR_INVALID);
        assert_int_equal(zc_hub_user_add(hub, "", "viewer", PASSWORD, &d), ZC_ERR_INVALID);
        assert_int_equal(zc_hubtest_int(zc_hub_db(hub), "SELECT COUNT(*) FROM app_user"), 2);
        assert_int_equal(zc_hubtest_int(zc_hub_db(hub), "SELECT COUNT(*) FROM app_user WHERE "
                                                        "pw_hash LIKE '$argon2id$%'"),
                         2);

        /* A wrong password and an unknown name: the same error, the same words. */
        char token[ZC_HUB_TOKEN_HEX + 1];
        zc_hub_user user;
        zc_diag wrong = {{0}, 0}, unknown = {{0}, 0};
        assert_int_equal(zc_hub_login(hub, "admin", "not the password", token, &user, &wrong),
                         ZC_ERR_CRYPTO);
        assert_int_equal(zc_hub_login(hub, "nobody", PASSWORD, token, &user, &unknown),
                         ZC_ERR_CRYPTO);
        assert_string_equal(wrong.msg, unknown.msg);
        assert_string_equal(token, "");

        assert_int_equal(zc_hub_login(hub, "王经理", PASSWORD, token, &user, &d), ZC_OK);
        assert_int_equal(strlen(token), ZC_HUB_TOKEN_HEX);
        assert_int_equal(strlen(user.csrf), ZC_HUB_TOKEN_HEX);
        assert_string_not_equal(token, user.csrf);
        assert_string_equal(user.name, "王经理");
        assert_int_equal(user.role, ZC_HUB_CANTEEN);
        assert_string_equal(user.canteen, "C0107");
        assert_string_equal(zc_hub_role_name(user.role), "canteen");
        /* Only the token's hash is stored. */
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM session WHERE token_hash = '%s'", token);
        assert_int_equal(zc_hubtest_int(zc_hub_db(hub), sql), 0);

        zc_hub_user seen;
        assert_int_equal(zc_hub_session(hub, token, &seen, &d), ZC_OK);
        assert_string_equal(seen.name, "王经理");
        assert_string_equal(seen.csrf, user.csrf);
        assert_int_equal(zc_hub_session(hub, "", &seen, &d), ZC_ERR_CRYPTO);
        assert_int_equal(zc_hub_session(hub, "zz", &seen, &d), ZC_ERR_CRYPTO);
        char forged[ZC_HUB_TOKEN_HEX + 1];
        memcpy(forged, token, sizeof forged);
        forged[0] = forged[0] == 'a' ? 'b' : 'a';
        assert_int_equal(zc_hub_session(hub, forged, &seen, &d), ZC_ERR_CRYPTO);

        /* Sessions end after eight hours ... */
        clock.now += ZC_HUB_SESSION_MS - 1;
        assert_int_equal(zc_hub_session(hub, token, &seen, &d), ZC_OK);
        clock.now += 1;
        assert_int_equal(zc_hub_session(hub, token, &seen, &d), ZC_ERR_CRYPTO);
        /* ... or at logout; the next login sweeps the expired ones. */
        assert_int_equal(zc_hub_login(hub, "admin", PASSWORD, token, &user, &d), ZC_OK);
        assert_int_equal(user.role, ZC_HUB_ADMIN);
        assert_string_equal(user.canteen, "");
        assert_int_equal(zc_hubtest_int(zc_hub_db(hub), "SELECT COUNT(*) FROM session"), 1);
        assert_int_equal(zc_hub_logout(hub, token, &d), ZC_OK);
        assert_int_equal(zc_hub_session(hub, token, &seen, &d), ZC_ERR_CRYPTO);
        assert_int_equal(zc_hub_logout(hub, token, &d), ZC_OK);
        zc_hub_close(hub);
    }
}

static int64_t monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

typedef struct login_run {
    zc_hub *hub;
    atomic_bool started, done;
    int64_t took_us;
    zc_err err;
} login_run;

static void *log_in(void *arg)
{
    login_run *run = arg;
    char token[ZC_HUB_TOKEN_HEX + 1];
    zc_hub_user user;
    atomic_store(&run->started, true);
    int64_t t0 = monotonic_us();
    run->err = zc_hub_login(run->hub, "admin", PASSWORD, token, &user, NULL);
    run->took_us = monotonic_us() - t0;
    atomic_store(&run->done, true);
    return NULL;
}

/*
 * With a pool of one connection, another request keeps getting it while a login verifies its
 * password: the longest wait for it is a query's, far below what the login took (Argon2's).
 */
static void test_login_frees_connection_while_verifying(void **state)
{
    (void)state;
    enum { POLL_PAUSE_US = 500 };
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        char url[ZC_HUBTEST_URL_MAX];
        zc_hubtest_db_url(*b, "users_login_pool", url, sizeof url);
        zc_hub_opts o = {.db_url = url, .pool = 1};
        zc_hub *hub = NULL;
        zc_diag d = {{0}, 0};
        if (zc_hub_open(&o, &hub, &d))
            fail_msg("opening the hub: %s", d.msg);
        assert_int_equal(zc_hub_user_add(hub, "admin", "admin", PASSWORD, &d), ZC_OK);
        login_run run = {.hub = hub, .err = ZC_ERR_BROKEN};
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, log_in, &run), 0);
        while (!atomic_load(&run.started))
            ;
        int64_t longest_us = 0;
        while (!atomic_load(&run.done)) {
            int64_t t0 = monotonic_us();
            zc_hubdb_conn *conn;
            assert_int_equal(zc_hubdb_acquire(zc_hub_db(hub), &conn, NULL), ZC_OK);
            int64_t waited = monotonic_us() - t0;
            zc_hubdb_release(conn);
            if (waited > longest_us)
                longest_us = waited;
            nanosleep(&(struct timespec){0, POLL_PAUSE_US * 1000}, NULL);
        }
        assert_int_equal(pthread_join(t, NULL), 0);
        assert_int_equal(run.err, ZC_OK);
        if (longest_us * 2 > run.took_us)
            fail_msg("%s: waited %lld us for the connection during a login of %lld us", *b,
                     (long long)longest_us, (long long)run.took_us);
        zc_hub_close(hub);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canteens),
        cmocka_unit_test(test_users_and_sessions),
        cmocka_unit_test(test_login_frees_connection_while_verifying),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
