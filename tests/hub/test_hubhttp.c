/*
 * The hub's HTTP server on both backends, over real HTTP on loopback: what hostile or broken
 * clients send is answered 4xx with a JSON error, nothing is stored, and the server goes on
 * serving; kiosk signatures and console sessions are enforced; and each route works once.
 */
#include "httptest.h"
#include "salestest.h"

#include "zc/syncwire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    NESTING = 10000,
    LONG_URL = 20000,
    MSG_MAX = 1024,
    HDR_MAX = 256,
    STALE_MS = 10 * 60 * 1000,
    BODY_MAX_PLUS_ONE = ZC_HUB_BODY_MAX + 1,
};

static const char *const SQL_TRICKS[] = {"'; DROP TABLE sale; --", "\" OR 1=1", NULL};

static void assert_contains(const char *haystack, const char *needle)
{
    if (!haystack || !strstr(haystack, needle))
        fail_msg("\"%s\" does not contain \"%s\"", haystack ? haystack : "(null)", needle);
}

/* The server still answers a plain request properly. */
static void assert_serving(const zt_hub *h)
{
    zt_resp r;
    zt_get(h, "/v1/rules", &r);
    zt_assert_error(&r, 401, "unauthorized", NULL, 0);
    zt_resp_free(&r);
}

static int64_t count(const zt_hub *h, const char *table)
{
    char sql[HDR_MAX];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
    return zc_hubtest_int(zc_hub_db(h->hub), sql);
}

/* ---- static files ---- */

static void make_web(char *dir, size_t size)
{
    zt_mkdtemp(dir, size);
    char path[ZC_TEST_PATH_MAX];
    static const struct {
        const char *name, *text;
    } FILES[] = {{"index.html", "<!doctype html><title>zhucan</title>"},
                 {"app.js", "console.log(1);"},
                 {"logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"},
                 {"logo.png", "\x89PNG\r\n"},
                 {".secret", "hidden"}};
    for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++) {
        zt_join(path, sizeof path, dir, FILES[i].name);
        zt_write_file(path, FILES[i].text, strlen(FILES[i].text));
    }
    zt_join(path, sizeof path, dir, "static");
    assert_int_equal(mkdir(path, 0755), 0);
    zt_join(path, sizeof path, dir, "static/app.css");
    zt_write_file(path, "body{}", 6);
    zt_join(path, sizeof path, dir, "passwd");
    assert_int_equal(symlink("/etc/passwd", path), 0);
}

static void test_static_files(void **state)
{
    (void)state;
    char web[ZC_TEST_PATH_MAX];
    make_web(web, sizeof web);
    static const struct {
        const char *target, *type, *body;
    } GOOD[] = {
        {"/", "text/html; charset=utf-8", "<!doctype html><title>zhucan</title>"},
        {"/index.html", "text/html; charset=utf-8", "<!doctype html><title>zhucan</title>"},
        {"/app.js", "text/javascript; charset=utf-8", "console.log(1);"},
        {"/static/app.js", "text/javascript; charset=utf-8", "console.log(1);"},
        {"/static/app.css", "text/css; charset=utf-8", "body{}"},
        {"/logo.svg", "image/svg+xml", NULL},
        {"/logo.png", "image/png", NULL},
    };
    static const struct {
        const char *target;
        long status;
        const char *code;
    } BAD[] = {
        {"/../etc/passwd", 404, "not_found"},
        {"/static/../../etc/passwd", 404, "not_found"},
        {"/%2e%2e/%2e%2e/etc/passwd", 404, "not_found"},
        {"/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", 404, "not_found"},
        {"/index.html%00.png", 400, "bad_request"},
        {"/%zz", 400, "bad_request"},
        {"/%ff%fe", 400, "bad_request"},
        {"//etc/passwd", 404, "not_found"},
        {"/passwd", 404, "not_found"},
        {"/.secret", 404, "not_found"},
        {"/static", 404, "not_found"},
        {"/static/", 404, "not_found"},
        {"/nothing.html", 404, "not_found"},
        {"/v1/nothing", 404, "not_found"},
        {"/admin/api/nothing", 404, "not_found"},
    };
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zt_hub h;
        zt_hub_start(&h, *b, "http_static", web);
        char hv[HDR_MAX];
        for (size_t i = 0; i < sizeof GOOD / sizeof GOOD[0]; i++) {
            zt_resp r;
            zt_get(&h, GOOD[i].target, &r);
            if (r.status != 200)
                fail_msg("%s: %ld", GOOD[i].target, r.status);
            assert_true(zt_resp_header(&r, "Content-Type", hv, sizeof hv));
            assert_string_equal(hv, GOOD[i].type);
            assert_true(zt_resp_header(&r, "X-Content-Type-Options", hv, sizeof hv));
            assert_string_equal(hv, "nosniff");
            assert_true(zt_resp_header(&r, "X-Frame-Options", hv, sizeof hv));
            assert_string_equal(hv, "DENY");
            assert_true(zt_resp_header(&r, "Content-Security-Policy", hv, sizeof hv));
            assert_contains(hv, "default-src 'self'");
            if (GOOD[i].body)
                assert_string_equal(r.body, GOOD[i].body);
            zt_resp_free(&r);
        }
        for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
            zt_resp r;
            zt_get(&h, BAD[i].target, &r);
            zt_assert_error(&r, BAD[i].status, BAD[i].code, NULL, 0);
            assert_true(strstr(r.body, "root:") == NULL);
            zt_resp_free(&r);
        }
        /* Raw request lines curl would not send. */
        static const char *const RAW[] = {
            "GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            "GET /static/..%2f..%2fetc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            "GET /static\\..\\..\\etc\\passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        };
        for (size_t i = 0; i < sizeof RAW / sizeof RAW[0]; i++) {
            zt_resp r;
            zt_raw(&h, RAW[i], strlen(RAW[i]), &r);
            assert_true(r.status >= 400 && r.status < 500);
            assert_true(strstr(r.body, "root:") == NULL);
            zt_resp_free(&r);
        }
        /* A very long URL. */
        char *target = malloc(LONG_URL + 2);
        assert_non_null(target);
        target[0] = '/';
        memset(target + 1, 'a', LONG_URL);
        target[LONG_URL + 1] = '\0';
        zt_resp r;
        zt_get(&h, target, &r);
        zt_assert_error(&r, 414, "too_large", NULL, 0);
        zt_resp_free(&r);
        free(target);
        /* Files are only read. */
        zt_post(&h, "/index.html", "{}", &r);
        zt_assert_error(&r, 405, "method_not_allowed", NULL, 0);
        zt_resp_free(&r);
        zt_get(&h, "/", &r);
        assert_int_equal(r.status, 200);
        zt_resp_free(&r);
        zt_hub_stop(&h);
    }
    zt_rmtree(web);
}

/* ---- bodies ---- */

/* Sends head and then body (in chunked encoding when asked) and expects a 413. */
static void over_limit(const zt_hub *h, const char *head, const char *body, size_t len,
                       bool chunked)
{
    size_t head_len = strlen(head);
    char *msg = malloc(head_len + len + HDR_MAX);
    assert_non_null(msg);
    memcpy(msg, head, head_len);
    size_t n = head_len;
    if (chunked)
        n += (size_t)sprintf(msg + n, "%zx\r\n", len);
    memcpy(msg + n, body, len);
    n += len;
    if (chunked)
        n += (size_t)sprintf(msg + n, "\r\n0\r\n\r\n");
    zt_resp r;
    zt_raw(h, msg, n, &r);
    free(msg);
    zt_assert_error(&r, 413, "too_large", NULL, 0);
    zt_resp_free(&r);
}

static void test_body_limits(void **state)
{
    (void)state;
    char *big = malloc(BODY_MAX_PLUS_ONE);
    assert_non_null(big);
    memset(big, ' ', BODY_MAX_PLUS_ONE);
    big[0] = '{';
    big[BODY_MAX_PLUS_ONE - 1] = '}';
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zt_hub h;
        zt_hub_start(&h, *b, "http_body", NULL);
        zt_resp r;
        /* One byte over, sent whole: refused by its Content-Length, before it is read. */
        char head[HDR_MAX];
        snprintf(head, sizeof head,
                 "POST /admin/api/login HTTP/1.1\r\nHost: x\r\nContent-Length: %u\r\n\r\n",
                 (unsigned)BODY_MAX_PLUS_ONE);
        over_limit(&h, head, big, BODY_MAX_PLUS_ONE, false);
        /* The same without a length (chunked): refused once the bytes pass the limit. */
        over_limit(&h, "POST /v1/sales HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                   big, BODY_MAX_PLUS_ONE, true);
        /* A Content-Length far larger than what follows. */
        static const char HUGE_CL[] = "POST /v1/enrol HTTP/1.1\r\nHost: x\r\n"
                                      "Content-Length: 99999999999\r\n\r\n{}";
        zt_raw(&h, HUGE_CL, strlen(HUGE_CL), &r);
        zt_assert_error(&r, 413, "too_large", NULL, 0);
        zt_resp_free(&r);
        /* A Content-Length shorter than the body: the hub reads what it was told, no more. */
        static const char SHORT_CL[] =
            "POST /admin/api/login HTTP/1.1\r\nHost: x\r\n"
            "Content-Length: 5\r\n\r\n{\"name\":\"a\",\"password\":\"b\"}";
        zt_raw(&h, SHORT_CL, strlen(SHORT_CL), &r);
        zt_assert_error(&r, 400, "bad_request", NULL, 0);
        zt_resp_free(&r);
        assert_serving(&h);
        zt_hub_stop(&h);
    }
    free(big);
}

static void test_malformed_json(void **state)
{
    (void)state;
    char *nested = malloc(2 * NESTING + 1);
    assert_non_null(nested);
    memset(nested, '[', NESTING);
    memset(nested + NESTING, ']', NESTING);
    nested[2 * NESTING] = '\0';
    static const char NUL_BODY[] = "{\"code\":\"AB\0CD\",\"public_key\":\"x\"}";
    const struct {
        const char *body;
        size_t len;
    } BODIES[] = {
        {"", 0},
        {"{\"sales\":[", 10},
        {"{\"code\":", 8},
        {"[1,2,3]", 7},
        {"\"a string\"", 10},
        {"42", 2},
        {"null", 4},
        {NUL_BODY, sizeof NUL_BODY - 1},
        {"{\"code\":\"\xff\xfe\",\"public_key\":\"\xc3\x28\"}", 31},
        {"{\"a\":1,\"a\":2}", 13},
        {nested, 2 * NESTING},
    };
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zt_hub h;
        zt_hub_start(&h, *b, "http_malformed", NULL);
        zc_keypair key;
        char device[ZC_ID_MAX];
        zt_enrol(&h, "C0107", &key, device);
        static const char *const UNSIGNED[] = {"/v1/enrol", "/admin/api/login"};
        static const char *const SIGNED[] = {"/v1/sales", "/v1/heartbeat"};
        for (size_t i = 0; i < sizeof BODIES / sizeof BODIES[0]; i++) {
            zt_resp r;
            for (size_t k = 0; k < 2; k++) {
                zt_request(&h, "POST", UNSIGNED[k], NULL, BODIES[i].body, BODIES[i].len, &r);
                zt_assert_error(&r, 400, "bad_request", NULL, 0);
                zt_resp_free(&r);
                zt_signed(&h, &key, device, "POST", SIGNED[k], BODIES[i].body, BODIES[i].len, 0,
                          &r);
                zt_assert_error(&r, 400, "bad_request", NULL, 0);
                zt_resp_free(&r);
            }
        }
        assert_int_equal(count(&h, "sale"), 0);
        assert_int_equal(count(&h, "app_user"), 0);
        assert_int_equal(count(&h, "device"), 1);
        assert_serving(&h);
        zt_hub_stop(&h);
    }
    free(nested);
}

/* ---- wrong types in every field of every /v1 body ---- */

typedef struct typed_case {
    const char *target;
    const char *body;
    const char *key; /* the message must name it */
} typed_case;

static const char PK_TEXT[] = "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"";
#define HEX64 "\"0000000000000000000000000000000000000000000000000000000000000000\""
#define SIG "\"" ZT_ZERO_SIG "\""
#define ZT_ZERO_SIG                                                                                \
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="

static void test_wrong_types(void **state)
{
    (void)state;
    static const char *const WRONG[] = {"1", "\"x\"", "true", "null", "[]", "{}", "-1", "1.5"};
    char body[MSG_MAX * 2];
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zt_hub h;
        zt_hub_start(&h, *b, "http_types", NULL);
        zc_keypair key;
        char device[ZC_ID_MAX];
        zt_enrol(&h, "C0107", &key, device);
        size_t checked = 0;
        for (size_t w = 0; w < sizeof WRONG / sizeof WRONG[0]; w++) {
            const char *v = WRONG[w];
            /* enrol: both keys are strings */
            zt_resp r;
            char msg[MSG_MAX];
            bool is_string = v[0] == '"';
            if (!is_string) {
                snprintf(body, sizeof body, "{\"code\":%s,\"public_key\":%s}", v, PK_TEXT);
                zt_post(&h, "/v1/enrol", body, &r);
                zt_assert_error(&r, 400, "bad_request", msg, sizeof msg);
                assert_contains(msg, "code");
                zt_resp_free(&r);
            }
            snprintf(body, sizeof body, "{\"code\":\"ABCD-EFGH-JKLM\",\"public_key\":%s}", v);
            zt_post(&h, "/v1/enrol", body, &r);
            zt_assert_error(&r, 400, "bad_request", msg, sizeof msg);
            assert_contains(msg, "public_key");
            zt_resp_free(&r);
            /* sales: the list, and each field of a record */
            snprintf(body, sizeof body, "{\"sales\":%s}", v);
            if (strcmp(v, "[]") != 0) {
                zt_signed(&h, &key, device, "POST", "/v1/sales", body, strlen(body), 0, &r);
                zt_assert_error(&r, 400, "bad_request", msg, sizeof msg);
                assert_contains(msg, "sales");
                zt_resp_free(&r);
            }
            static const char *const FIELDS[] = {"seq", "canon", "prev_hash", "hash", "sig"};
            for (size_t f = 0; f < 5; f++) {
                if ((f == 1 && is_string) || (f == 0 && strcmp(v, "1") == 0))
                    continue; /* a right type */
                const char *vals[5] = {"1", "\"{}\"", HEX64, HEX64, SIG};
                vals[f] = v;
                snprintf(body, sizeof body,
                         "{\"sales\":[{\"seq\":%s,\"canon\":%s,\"prev_hash\":%s,\"hash\":%s,"
                         "\"sig\":%s}]}",
                         vals[0], vals[1], vals[2], vals[3], vals[4]);
                zt_signed(&h, &key, device, "POST", "/v1/sales", body, strlen(body), 0, &r);
                zt_assert_error(&r, 400, "bad_request", msg, sizeof msg);
                assert_contains(msg, "sales[0]");
                if (f != 1) /* a bad canon may be named by what it lacks */
                    assert_contains(msg, FIELDS[f]);
                zt_resp_free(&r);
                checked++;
            }
            /* heartbeat: every key */
            static const char *const HB[] = {"clock_ms",      "pending",       "last_seq",
                                             "rules_version", "roster_cursor", "menu_version",
                                             "faults",        "version"};
            for (size_t k = 0; k < sizeof HB / sizeof HB[0]; k++) {
                bool text_key =
                    strcmp(HB[k], "roster_cursor") == 0 || strcmp(HB[k], "version") == 0;
                bool count_key = !text_key && strcmp(HB[k], "faults") != 0;
                if ((text_key && is_string) || (count_key && strcmp(v, "1") == 0) ||
                    (strcmp(HB[k], "faults") == 0 && strcmp(v, "[]") == 0) ||
                    (strcmp(HB[k], "clock_ms") == 0 && strcmp(v, "-1") == 0))
                    continue; /* a right type */
                snprintf(body, sizeof body, "{\"%s\":%s}", HB[k], v);
                zt_signed(&h, &key, device, "POST", "/v1/heartbeat", body, strlen(body), 0, &r);
                zt_assert_error(&r, 400, "bad_request", msg, sizeof msg);
                assert_contains(msg, HB[k]);
                zt_resp_free(&r);
                checked++;
            }
        }
        /* faults holding a non-string */
        zt_resp r;
        snprintf(body, sizeof body, "{\"faults\":[\"printer: paper out\", 7]}");
        zt_signed(&h, &key, device, "POST", "/v1/heartbeat", body, strlen(body), 0, &r);
        zt_assert_error(&r, 400, "bad_request", NULL, 0);
        zt_resp_free(&r);
        assert_true(checked > 50);
        assert_int_equal(count(&h, "sale"), 0);
        assert_serving(&h);
        zt_hub_stop(&h);
    }
}

/* ---- SQL metacharacters in every string field and query parameter ---- */

static void pct(const char *s, char *out, size_t size)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 4 < size; p++)
        n += (size_t)snprintf(out + n, size - n, "%%%02X", *p);
    out[n] = '\0';
}

static void test_sql_metacharacters(void **state)
{
    (void)state;
    char body[MSG_MAX * 2], target[MSG_MAX * 2], esc[MSG_MAX];
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zt_hub h;
        zt_hub_start(&h, *b, "http_sql", NULL);
        zc_keypair key;
        char device[ZC_ID_MAX];
        zt_enrol(&h, "C0107", &key, device);
        zt_session admin;
        zt_console_login(&h, "root", "admin", &admin);
        for (const char *const *t = SQL_TRICKS; *t; t++) {
            json_t *s = json_string(*t);
            char *js = json_dumps(s, JSON_ENCODE_ANY);
            json_decref(s);
            zt_resp r;
            snprintf(body, sizeof body, "{\"code\":%s,\"public_key\":%s}", js, PK_TEXT);
            zt_post(&h, "/v1/enrol", body, &r);
            zt_assert_error(&r, 401, "unauthorized", NULL, 0);
            zt_resp_free(&r);
            snprintf(body, sizeof body, "{\"code\":\"ABCD\",\"public_key\":%s}", js);
            zt_post(&h, "/v1/enrol", body, &r);
            zt_assert_error(&r, 400, "bad_request", NULL, 0);
            zt_resp_free(&r);
            /* A canon is any text to the wire format: the hub keeps it (in quarantine, as it
             * does not verify) byte for byte; in the other fields it is malformed. */
            for (size_t f = 1; f < 5; f++) {
                const char *v[5] = {"1", "\"{}\"", HEX64, HEX64, SIG};
                v[f] = js;
                snprintf(body, sizeof body,
                         "{\"sales\":[{\"seq\":%s,\"canon\":%s,\"prev_hash\":%s,\"hash\":%s,"
                         "\"sig\":%s}]}",
                         v[0], v[1], v[2], v[3], v[4]);
                zt_signed(&h, &key, device, "POST", "/v1/sales", body, strlen(body), 0, &r);
                if (f == 1)
                    assert_int_equal(r.status, 200);
                else
                    zt_assert_error(&r, 400, "bad_request", NULL, 0);
                zt_resp_free(&r);
            }
            /* Strings a heartbeat may carry are stored as text, harmlessly. */
            snprintf(body, sizeof body, "{\"roster_cursor\":%s,\"version\":%s,\"faults\":[%s]}", js,
                     js, js);
            zt_signed(&h, &key, device, "POST", "/v1/heartbeat", body, strlen(body), 0, &r);
            assert_int_equal(r.status, 200);
            zt_resp_free(&r);
            /* Query parameters */
            pct(*t, esc, sizeof esc);
            static const char *const SIGNED_Q[] = {
                "/v1/rules?after=", "/v1/roster?after=", "/v1/roster?limit=", "/v1/menu?after="};
            for (size_t q = 0; q < 4; q++) {
                snprintf(target, sizeof target, "%s%s", SIGNED_Q[q], esc);
                zt_signed(&h, &key, device, "GET", target, NULL, 0, 0, &r);
                zt_assert_error(&r, 400, "bad_request", NULL, 0);
                zt_resp_free(&r);
            }
            snprintf(target, sizeof target, "/admin/api/roster?q=%s", esc);
            zt_console(&h, &admin, false, "GET", target, NULL, &r);
            assert_int_equal(r.status, 200);
            json_t *o = zt_resp_json(&r);
            assert_int_equal(json_integer_value(json_object_get(o, "total")), 0);
            json_decref(o);
            zt_resp_free(&r);
            static const char *const CONSOLE_Q[] = {
                "/admin/api/reports/day?date=2026-01-05&canteen=",
                "/admin/api/reports/month?canteen=C0107&month=", "/admin/api/settlement.csv?month=",
                "/admin/api/anomalies?limit=", "/admin/api/roster/cards?ids="};
            for (size_t q = 0; q < sizeof CONSOLE_Q / sizeof CONSOLE_Q[0]; q++) {
                snprintf(target, sizeof target, "%s%s", CONSOLE_Q[q], esc);
                zt_console(&h, &admin, false, "GET", target, NULL, &r);
                zt_assert_error(&r, 400, "bad_request", NULL, 0);
                zt_resp_free(&r);
            }
            snprintf(body, sizeof body, "{\"name\":%s,\"password\":%s}", js, js);
            zt_post(&h, "/admin/api/login", body, &r);
            zt_assert_error(&r, 401, "unauthorized", NULL, 0);
            zt_resp_free(&r);
            free(js);
        }
        /* Everything is still there; the one record kept holds the first text exactly. */
        assert_int_equal(count(&h, "sale"), 1);
        zc_hubdb_conn *conn;
        zc_hubdb_rows *rows;
        assert_int_equal(zc_hubdb_acquire(zc_hub_db(h.hub), &conn, NULL), ZC_OK);
        const char *params[] = {SQL_TRICKS[0]};
        assert_int_equal(zc_hubdb_query(conn,
                                        "SELECT COUNT(*) FROM sale WHERE canon = $1 AND "
                                        "status = 'quarantine'",
                                        params, 1, &rows, NULL),
                         ZC_OK);
        assert_int_equal(zc_hubdb_rows_int(rows, 0, 0), 1);
        zc_hubdb_rows_free(rows);
        zc_hubdb_release(conn);
        assert_int_equal(count(&h, "device"), 1);
        assert_int_equal(count(&h, "app_user"), 1);
        assert_serving(&h);
        zt_hub_stop(&h);
    }
}

/* ---- kiosk authentication ---- */

static void test_kiosk_auth(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zt_hub h;
        zt_hub_start(&h, *b, "http_kiosk_auth", NULL);
        zc_keypair key, stranger;
        char device[ZC_ID_MAX];
        zt_enrol(&h, "C0107", &key, device);
        assert_int_equal(zc_keys_generate(&stranger), ZC_OK);
        zt_resp r;
        /* Unsigned, or some headers only. */
        zt_get(&h, "/v1/rules?after=0", &r);
        zt_assert_error(&r, 401, "unauthorized", NULL, 0);
        json_t *o = zt_resp_json(&r);
        assert_true(json_is_integer(json_object_get(o, "hub_time")));
        json_decref(o);
        zt_resp_free(&r);
        char dev_hdr[HDR_MAX];
        snprintf(dev_hdr, sizeof dev_hdr, "%s: %s", ZC_SYNC_HDR_DEVICE, device);
        const char *const partial[] = {dev_hdr, "X-ZC-Time: 1", NULL};
        zt_request(&h, "GET", "/v1/rules", partial, NULL, 0, &r);
        zt_assert_error(&r, 401, "unauthorized", NULL, 0);
        zt_resp_free(&r);
        /* An unknown device, and a known device id with the wrong key. */
        zt_signed(&h, &stranger, "ZK-000000000000", "GET", "/v1/rules", NULL, 0, 0, &r);
        zt_assert_error(&r, 401, "unauthorized", NULL, 0);
        zt_resp_free(&r);
        zt_signed(&h, &stranger, device, "GET", "/v1/rules", NULL, 0, 0, &r);
        zt_assert_error(&r, 401, "unauthorized", NULL, 0);
        zt_resp_free(&r);
        /* A garbage device header. */
        const char *const garbage[] = {"X-ZC-Device: '; DROP TABLE device; --", "X-ZC-Time: 1",
                                       "X-ZC-Nonce: 00", "X-ZC-Signature: AA==", NULL};
        zt_request(&h, "GET", "/v1/rules", garbage, NULL, 0, &r);
        zt_assert_error(&r, 401, "unauthorized", NULL, 0);
        zt_resp_free(&r);
        /* Signed for another path or another body. */
        zc_syncwire_auth auth;
        zc_ms now = zc_hub_now(h.hub);
        assert_int_equal(
            zc_syncwire_sign(&key, device, "GET", "/v1/rules?after=0", now, "", 0, &auth), ZC_OK);
        char hd[4][HDR_MAX];
        snprintf(hd[0], HDR_MAX, "%s: %s", ZC_SYNC_HDR_DEVICE, auth.device);
        snprintf(hd[1], HDR_MAX, "%s: %s", ZC_SYNC_HDR_TIME, auth.time);
        snprintf(hd[2], HDR_MAX, "%s: %s", ZC_SYNC_HDR_NONCE, auth.nonce);
        snprintf(hd[3], HDR_MAX, "%s: %s", ZC_SYNC_HDR_SIGNATURE, auth.signature);
        const char *const headers[] = {hd[0], hd[1], hd[2], hd[3], NULL};
        zt_request(&h, "GET", "/v1/rules?after=1", headers, NULL, 0, &r);
        zt_assert_error(&r, 401, "unauthorized", NULL, 0);
        zt_resp_free(&r);
        /* The query string as sent is what is signed: %-escapes are not undone first. */
        zt_request(&h, "GET", "/v1/rules?after=%30", headers, NULL, 0, &r);
        zt_assert_error(&r, 401, "unauthorized", NULL, 0);
        zt_resp_free(&r);
        /* The genuine request works once; replayed, it is refused. */
        zt_request(&h, "GET", "/v1/rules?after=0", headers, NULL, 0, &r);
        assert_int_equal(r.status, 200);
        zt_resp_free(&r);
        zt_request(&h, "GET", "/v1/rules?after=0", headers, NULL, 0, &r);
        zt_assert_error(&r, 401, "unauthorized", NULL, 0);
        zt_resp_free(&r);
        /* A body changed after signing. */
        static const char HB[] = "{\"pending\":0}";
        assert_int_equal(
            zc_syncwire_sign(&key, device, "POST", "/v1/heartbeat", now, HB, strlen(HB), &auth),
            ZC_OK);
        snprintf(hd[1], HDR_MAX, "%s: %s", ZC_SYNC_HDR_TIME, auth.time);
        snprintf(hd[2], HDR_MAX, "%s: %s", ZC_SYNC_HDR_NONCE, auth.nonce);
        snprintf(hd[3], HDR_MAX, "%s: %s", ZC_SYNC_HDR_SIGNATURE, auth.signature);
        zt_request(&h, "POST", "/v1/heartbeat", headers, "{\"pending\":1}", 13, &r);
        zt_assert_error(&r, 401, "unauthorized", NULL, 0);
        zt_resp_free(&r);
        /* A stale clock: refused, except for a heartbeat (which tells the kiosk the time). */
        zt_signed(&h, &key, device, "GET", "/v1/rules", NULL, 0, now - STALE_MS, &r);
        zt_assert_error(&r, 401, "unauthorized", NULL, 0);
        zt_resp_free(&r);
        zt_signed(&h, &key, device, "POST", "/v1/heartbeat", HB, strlen(HB), now - STALE_MS, &r);
        assert_int_equal(r.status, 200);
        o = zt_resp_json(&r);
        assert_true(json_integer_value(json_object_get(o, "hub_time")) >= now);
        json_decref(o);
        zt_resp_free(&r);
        assert_int_equal(count(&h, "sale"), 0);
        zt_hub_stop(&h);
    }
}

/* ---- console authentication and roles ---- */

static void test_console_auth(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zt_hub h;
        zt_hub_start(&h, *b, "http_console_auth", NULL);
        zc_diag diag = {{0}, 0};
        assert_int_equal(zc_hub_canteen_add(h.hub, "C1", "One", "320202", "Asia/Shanghai", &diag),
                         ZC_OK);
        assert_int_equal(zc_hub_canteen_add(h.hub, "C2", "Two", "320202", "Asia/Shanghai", &diag),
                         ZC_OK);
        zt_session admin, viewer, manager;
        zt_console_login(&h, "root", "admin", &admin);
        zt_console_login(&h, "vera", "viewer", &viewer);
        zt_console_login(&h, "mona", "canteen:C1", &manager);
        zt_resp r;
        /* No cookie, a forged cookie. */
        zt_get(&h, "/admin/api/me", &r);
        zt_assert_error(&r, 401, "unauthorized", NULL, 0);
        zt_resp_free(&r);
        const char *const forged[] = {"Cookie: zc_session=0000000000000000000000000000000000000"
                                      "000000000000000000000000000",
                                      NULL};
        zt_request(&h, "GET", "/admin/api/kiosks", forged, NULL, 0, &r);
        zt_assert_error(&r, 401, "unauthorized", NULL, 0);
        zt_resp_free(&r);
        zt_post(&h, "/admin/api/canteens", "{\"id\":\"C3\",\"name\":\"x\"}", &r);
        zt_assert_error(&r, 401, "unauthorized", NULL, 0);
        zt_resp_free(&r);
        /* Wrong password. */
        zt_post(&h, "/admin/api/login", "{\"name\":\"root\",\"password\":\"wrong password\"}", &r);
        zt_assert_error(&r, 401, "unauthorized", NULL, 0);
        assert_false(zt_resp_header(&r, "Set-Cookie", (char[HDR_MAX]){0}, HDR_MAX));
        zt_resp_free(&r);
        zt_post(&h, "/admin/api/login", "{\"name\":\"nobody\",\"password\":\"wrong password\"}",
                &r);
        zt_assert_error(&r, 401, "unauthorized", NULL, 0);
        zt_resp_free(&r);
        /* A POST without its CSRF token, or with another session's. */
        static const char NEW_CANTEEN[] = "{\"id\":\"C3\",\"name\":\"Three\"}";
        zt_console(&h, &admin, false, "POST", "/admin/api/canteens", NEW_CANTEEN, &r);
        zt_assert_error(&r, 403, "forbidden", NULL, 0);
        zt_resp_free(&r);
        zt_session mixed = admin;
        memcpy(mixed.csrf, viewer.csrf, sizeof mixed.csrf);
        zt_console(&h, &mixed, true, "POST", "/admin/api/canteens", NEW_CANTEEN, &r);
        zt_assert_error(&r, 403, "forbidden", NULL, 0);
        zt_resp_free(&r);
        /* A viewer reads but never writes. */
        zt_console(&h, &viewer, false, "GET", "/admin/api/canteens", NULL, &r);
        assert_int_equal(r.status, 200);
        zt_resp_free(&r);
        zt_console(&h, &viewer, true, "POST", "/admin/api/canteens", NEW_CANTEEN, &r);
        zt_assert_error(&r, 403, "forbidden", NULL, 0);
        zt_resp_free(&r);
        zt_console(&h, &viewer, true, "POST", "/admin/api/enrol-codes", "{\"canteen\":\"C1\"}", &r);
        zt_assert_error(&r, 403, "forbidden", NULL, 0);
        zt_resp_free(&r);
        /* A canteen manager: its own canteen only. */
        static const char MENU[] =
            "{\"csv\":\"code,name,price_fen,periods\\nL01,Rice,1500,lunch\\n\"}";
        zt_console(&h, &manager, true, "POST", "/admin/api/menus/C1", MENU, &r);
        assert_int_equal(r.status, 200);
        zt_resp_free(&r);
        zt_console(&h, &manager, true, "POST", "/admin/api/menus/C2", MENU, &r);
        zt_assert_error(&r, 403, "forbidden", NULL, 0);
        zt_resp_free(&r);
        zt_console(&h, &manager, true, "POST", "/admin/api/enrol-codes", "{\"canteen\":\"C2\"}",
                   &r);
        zt_assert_error(&r, 403, "forbidden", NULL, 0);
        zt_resp_free(&r);
        zt_console(&h, &manager, false, "GET", "/admin/api/reports/day?canteen=C2&date=2026-01-05",
                   NULL, &r);
        zt_assert_error(&r, 403, "forbidden", NULL, 0);
        zt_resp_free(&r);
        zt_console(&h, &manager, false, "GET", "/admin/api/menus/C2", NULL, &r);
        zt_assert_error(&r, 403, "forbidden", NULL, 0);
        zt_resp_free(&r);
        zt_console(&h, &manager, false, "GET", "/admin/api/settlement.csv?month=2026-01", NULL, &r);
        zt_assert_error(&r, 403, "forbidden", NULL, 0);
        zt_resp_free(&r);
        zt_console(&h, &manager, true, "POST", "/admin/api/rules/check", "{\"rules\":{}}", &r);
        zt_assert_error(&r, 403, "forbidden", NULL, 0);
        zt_resp_free(&r);
        /* Nothing was changed by any of those. */
        assert_int_equal(count(&h, "canteen"), 2);
        assert_int_equal(count(&h, "enrol_code"), 0);
        assert_int_equal(
            zc_hubtest_int(zc_hub_db(h.hub), "SELECT menu_version FROM canteen WHERE id = 'C2'"),
            0);
        /* Logging out ends the session. */
        zt_console(&h, &viewer, true, "POST", "/admin/api/logout", "{}", &r);
        assert_int_equal(r.status, 200);
        zt_resp_free(&r);
        zt_console(&h, &viewer, false, "GET", "/admin/api/me", NULL, &r);
        zt_assert_error(&r, 401, "unauthorized", NULL, 0);
        zt_resp_free(&r);
        zt_hub_stop(&h);
    }
}

/* Each role's reach, route by route (PROTOCOL.md, Console API). */
static void expect_status(const zt_hub *h, const zt_session *who, const char *method,
                          const char *target, const char *json, long status)
{
    zt_resp r;
    zt_console(h, who, strcmp(method, "POST") == 0, method, target, json, &r);
    if (r.status != status)
        fail_msg("%s %s: expected %ld, got %ld: %.300s", method, target, status, r.status, r.body);
    zt_resp_free(&r);
}

/* The canteen of every object of list[key] in the answer; fails unless each is canteen. */
static size_t all_of_canteen(const zt_hub *h, const zt_session *who, const char *target,
                             const char *key, const char *canteen)
{
    zt_resp r;
    zt_console(h, who, false, "GET", target, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *o = zt_resp_json(&r);
    json_t *list = json_object_get(o, key), *v;
    size_t i;
    json_array_foreach(list, i, v)
    {
        assert_string_equal(json_string_value(json_object_get(v, "canteen")), canteen);
    }
    size_t n = json_array_size(list);
    json_decref(o);
    zt_resp_free(&r);
    return n;
}

static void test_console_roles(void **state)
{
    (void)state;
    enum { OWN_ANOMALIES = 5, OTHER_ANOMALIES = 20 };
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zt_hub h;
        zt_hub_start(&h, *b, "http_roles", NULL);
        zc_keypair k1, k2;
        char d1[ZC_ID_MAX], d2[ZC_ID_MAX];
        zt_enrol(&h, "C1", &k1, d1);
        zt_enrol(&h, "C2", &k2, d2);
        /* C1's anomalies first, then more of C2's: newer, and more than a page of C1's. */
        char sql[MSG_MAX];
        for (int i = 0; i < OWN_ANOMALIES + OTHER_ANOMALIES; i++) {
            snprintf(sql, sizeof sql,
                     "INSERT INTO anomaly (at_ms, kind, device, canteen, detail)"
                     " VALUES (%d, 'clock_skew', '%s', '%s', 'test')",
                     i, i < OWN_ANOMALIES ? d1 : d2, i < OWN_ANOMALIES ? "C1" : "C2");
            zc_hubtest_exec(zc_hub_db(h.hub), sql);
        }
        zt_session admin, viewer, manager;
        zt_console_login(&h, "root", "admin", &admin);
        zt_console_login(&h, "vera", "viewer", &viewer);
        zt_console_login(&h, "mona", "canteen:C1", &manager);

        /* The roster: administrators and viewers; the cards (QR credentials): administrators. */
        expect_status(&h, &admin, "GET", "/admin/api/roster", NULL, 200);
        expect_status(&h, &viewer, "GET", "/admin/api/roster", NULL, 200);
        expect_status(&h, &manager, "GET", "/admin/api/roster", NULL, 403);
        expect_status(&h, &admin, "GET", "/admin/api/roster/cards?ids=1", NULL, 200);
        expect_status(&h, &viewer, "GET", "/admin/api/roster/cards?ids=1", NULL, 403);
        expect_status(&h, &manager, "GET", "/admin/api/roster/cards?ids=1", NULL, 403);
        expect_status(&h, &manager, "POST", "/admin/api/roster/preview", "{\"csv\":\"\"}", 403);
        expect_status(&h, &manager, "POST", "/admin/api/roster/qr", "{\"all_without\":true}", 403);
        /* Enrolment codes: administrators only, even for the manager's own canteen. */
        expect_status(&h, &manager, "POST", "/admin/api/enrol-codes", "{\"canteen\":\"C1\"}", 403);
        expect_status(&h, &viewer, "POST", "/admin/api/enrol-codes", "{\"canteen\":\"C1\"}", 403);
        assert_int_equal(count(&h, "enrol_code WHERE used_by IS NULL"), 0);
        expect_status(&h, &admin, "POST", "/admin/api/enrol-codes", "{\"canteen\":\"C1\"}", 200);
        /* A manager's own canteen only: kiosks, reports, menus, anomalies. */
        assert_int_equal(all_of_canteen(&h, &manager, "/admin/api/kiosks", "kiosks", "C1"), 1);
        expect_status(&h, &manager, "GET", "/admin/api/reports/day?canteen=C1&date=2026-01-05",
                      NULL, 200);
        expect_status(&h, &manager, "GET", "/admin/api/reports/day?canteen=C2&date=2026-01-05",
                      NULL, 403);
        expect_status(&h, &manager, "GET", "/admin/api/reports/month?canteen=C2&month=2026-01",
                      NULL, 403);
        expect_status(&h, &manager, "GET", "/admin/api/menus/C1", NULL, 200);
        expect_status(&h, &manager, "GET", "/admin/api/menus/C2", NULL, 403);
        expect_status(&h, &manager, "GET", "/admin/api/settlement.csv?month=2026-01", NULL, 403);
        /* The limit applies to the manager's own anomalies, not to everyone's. */
        assert_int_equal(
            all_of_canteen(&h, &manager, "/admin/api/anomalies?limit=5", "anomalies", "C1"),
            OWN_ANOMALIES);
        assert_int_equal(all_of_canteen(&h, &manager, "/admin/api/anomalies", "anomalies", "C1"),
                         OWN_ANOMALIES);
        zt_resp r;
        zt_console(&h, &admin, false, "GET", "/admin/api/anomalies?limit=1000", NULL, &r);
        json_t *o = zt_resp_json(&r);
        assert_int_equal(json_array_size(json_object_get(o, "anomalies")),
                         OWN_ANOMALIES + OTHER_ANOMALIES);
        json_decref(o);
        zt_resp_free(&r);
        /* Viewers read everything else. */
        expect_status(&h, &viewer, "GET", "/admin/api/kiosks", NULL, 200);
        expect_status(&h, &viewer, "GET", "/admin/api/reports/day?canteen=C2&date=2026-01-05", NULL,
                      200);
        expect_status(&h, &viewer, "GET", "/admin/api/settlement.csv?month=2026-01", NULL, 200);
        zt_hub_stop(&h);
    }
}

/* POST /v1/enrol over HTTP: signed by the new key, codes kept when refused, no moving a kiosk
 * that has pushed sales. */
static void test_enrol_over_http(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zt_hub h;
        zt_hub_start(&h, *b, "http_enrol", NULL);
        zc_salestest_kiosk k;
        zc_salestest_kiosk_new(&k, "C0107", ZC_SALESTEST_RULES);
        zc_salestest_enrol(&k, h.hub, "C0107");
        zc_salestest_sell(&k, ZC_SALESTEST_ELDER_80, 1500, "2026-03-02T11:00:00+08:00");
        size_t n;
        zc_syncwire_sale *recs = zc_salestest_records(&k, 0, &n);
        zc_salestest_push(h.hub, &k, recs, n);
        zc_syncwire_sales_free(recs, n);
        zc_diag diag = {{0}, 0};
        assert_int_equal(zc_hub_canteen_add(h.hub, "C0108", "Two", "320202", NULL, &diag), ZC_OK);
        char code[ZC_HUB_CODE_MAX], pk[ZC_PUBKEY_TEXT_SIZE], body[MSG_MAX];
        assert_int_equal(zc_hub_enrol_code_new(h.hub, "C0108", code, NULL, &diag), ZC_OK);
        zc_keys_public_text(k.dd->device_key.pk, pk);
        snprintf(body, sizeof body, "{\"code\":\"%s\",\"public_key\":\"%s\"}", code, pk);
        zc_keypair thief;
        assert_int_equal(zc_keys_generate(&thief), ZC_OK);
        zt_resp r;
        /* Quoting the kiosk's public key, unsigned or signed by another key: 401. */
        zt_post(&h, "/v1/enrol", body, &r);
        zt_assert_error(&r, 401, "unauthorized", NULL, 0);
        zt_resp_free(&r);
        zt_signed(&h, &thief, k.dd->device_id, "POST", "/v1/enrol", body, strlen(body), 0, &r);
        zt_assert_error(&r, 401, "unauthorized", NULL, 0);
        zt_resp_free(&r);
        /* The kiosk itself, to another canteen after pushing sales: 409. */
        zt_signed(&h, &k.dd->device_key, k.dd->device_id, "POST", "/v1/enrol", body, strlen(body),
                  0, &r);
        zt_assert_error(&r, 409, "conflict", NULL, 0);
        zt_resp_free(&r);
        assert_int_equal(count(&h, "enrol_code WHERE used_by IS NULL"), 1);
        assert_int_equal(count(&h, "device WHERE canteen = 'C0107'"), 1);
        /* A pushed seq past 2^53 is bad input. */
        static const char HUGE_SEQ[] =
            "{\"sales\":[{\"seq\":9007199254740993,\"canon\":\"{}\",\"prev_hash\":" HEX64
            ",\"hash\":" HEX64 ",\"sig\":" SIG "}]}";
        zt_signed(&h, &k.dd->device_key, k.dd->device_id, "POST", "/v1/sales", HUGE_SEQ,
                  strlen(HUGE_SEQ), 0, &r);
        zt_assert_error(&r, 400, "bad_request", NULL, 0);
        zt_resp_free(&r);
        assert_int_equal(count(&h, "sale"), 1);
        zc_salestest_kiosk_free(&k);
        zt_hub_stop(&h);
    }
}

/* ---- every route once ---- */

static json_t *ok_json(const zt_resp *r)
{
    if (r->status != 200)
        fail_msg("expected 200, got %ld: %.300s", r->status, r->body);
    return zt_resp_json(r);
}

static char *read_asset(const char *rel)
{
    const char *src = getenv("ZC_SOURCE_DIR");
    assert_non_null(src);
    char path[ZC_TEST_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", src, rel);
    size_t len;
    return zt_read_file(path, &len);
}

/* {"key": text} as a JSON body. */
static char *wrap(const char *key, const char *text)
{
    json_t *o = json_pack("{s:s}", key, text);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

static void console_happy(zt_hub *h, zt_session *admin)
{
    zt_resp r;
    json_t *o;
    zt_console(h, admin, false, "GET", "/admin/api/me", NULL, &r);
    o = ok_json(&r);
    assert_string_equal(json_string_value(json_object_get(o, "role")), "admin");
    json_decref(o);
    zt_resp_free(&r);
    char hv[HDR_MAX];

    zt_console(h, admin, true, "POST", "/admin/api/canteens",
               "{\"id\":\"C0107\",\"name\":\"Test\",\"region\":\"320202\"}", &r);
    o = ok_json(&r);
    assert_string_equal(json_string_value(json_object_get(o, "id")), "C0107");
    json_decref(o);
    zt_resp_free(&r);
    zt_console(h, admin, false, "GET", "/admin/api/canteens", NULL, &r);
    o = ok_json(&r);
    assert_int_equal(json_array_size(json_object_get(o, "canteens")), 1);
    json_decref(o);
    assert_true(zt_resp_header(&r, "Cache-Control", hv, sizeof hv));
    assert_string_equal(hv, "no-store");
    zt_resp_free(&r);

    /* rules: check, preview, publish, list */
    char *rules = read_asset("assets/rules/default.json");
    char *body = malloc(strlen(rules) + MSG_MAX);
    sprintf(body, "{\"rules\":%s}", rules);
    zt_console(h, admin, true, "POST", "/admin/api/rules/check", body, &r);
    o = ok_json(&r);
    assert_true(json_is_true(json_object_get(o, "ok")));
    json_decref(o);
    zt_resp_free(&r);
    zt_console(h, admin, true, "POST", "/admin/api/rules/check",
               "{\"rules\":{\"schema\":\"zhucan.rules/1\"}}", &r);
    zt_assert_error(&r, 400, "bad_request", NULL, 0);
    zt_resp_free(&r);
    sprintf(body,
            "{\"rules\":%s,\"elder\":{\"birth_date\":\"1940-05-01\",\"region\":\"320202\"},"
            "\"price\":1500,\"at\":\"2026-03-02T12:00:00+08:00\",\"canteen\":\"C0107\"}",
            rules);
    zt_console(h, admin, true, "POST", "/admin/api/rules/preview", body, &r);
    o = ok_json(&r);
    assert_true(json_is_integer(json_object_get(o, "subsidy")));
    assert_true(json_is_integer(json_object_get(o, "self_pay")));
    json_decref(o);
    zt_resp_free(&r);
    sprintf(body, "{\"rules\":%s}", rules);
    zt_console(h, admin, true, "POST", "/admin/api/rules/publish", body, &r);
    o = ok_json(&r);
    assert_true(json_integer_value(json_object_get(o, "version")) > 0);
    assert_true(json_is_string(json_object_get(o, "effective_from")));
    json_decref(o);
    zt_resp_free(&r);
    zt_console(h, admin, false, "GET", "/admin/api/rules", NULL, &r);
    o = ok_json(&r);
    assert_int_equal(json_array_size(json_object_get(o, "sets")), 1);
    json_decref(o);
    zt_resp_free(&r);
    free(body);
    free(rules);

    /* roster: preview, import, list, QR, cards */
    char *csv = read_asset("assets/demo/roster.csv");
    body = wrap("csv", csv);
    free(csv);
    zt_console(h, admin, true, "POST", "/admin/api/roster/preview", body, &r);
    o = ok_json(&r);
    json_int_t rows = json_integer_value(json_object_get(o, "rows"));
    assert_true(rows > 0);
    assert_int_equal(json_integer_value(json_object_get(o, "added")), rows);
    assert_true(json_is_array(json_object_get(o, "samples")));
    json_decref(o);
    zt_resp_free(&r);
    assert_int_equal(count(h, "elder"), 0);
    zt_console(h, admin, true, "POST", "/admin/api/roster/import", body, &r);
    o = ok_json(&r);
    assert_int_equal(json_integer_value(json_object_get(o, "added")), rows);
    json_decref(o);
    zt_resp_free(&r);
    free(body);
    assert_int_equal(count(h, "elder"), rows);
    body = wrap("csv", "id_number,name,birth_date,region,categories,status,qr_token,card_uid\n"
                       "123,x,,320202,,active,,\n");
    zt_console(h, admin, true, "POST", "/admin/api/roster/preview", body, &r);
    zt_assert_error(&r, 400, "bad_request", NULL, 0);
    o = zt_resp_json(&r);
    assert_int_equal(json_integer_value(json_object_get(o, "line")), 2);
    json_decref(o);
    zt_resp_free(&r);
    free(body);
    zt_console(h, admin, false, "GET", "/admin/api/roster?q=&offset=0&limit=5", NULL, &r);
    o = ok_json(&r);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), rows);
    assert_int_equal(json_array_size(json_object_get(o, "elders")), 5);
    json_decref(o);
    zt_resp_free(&r);
    zt_console(h, admin, true, "POST", "/admin/api/roster/qr", "{\"all_without\":true}", &r);
    o = ok_json(&r);
    assert_true(json_is_integer(json_object_get(o, "issued")));
    json_decref(o);
    zt_resp_free(&r);
    zt_console(h, admin, true, "POST", "/admin/api/roster/qr", "{\"ids\":[1]}", &r);
    o = ok_json(&r);
    assert_int_equal(json_integer_value(json_object_get(o, "issued")), 1);
    json_decref(o);
    zt_resp_free(&r);
    zt_console(h, admin, false, "GET", "/admin/api/roster/cards?ids=1,2", NULL, &r);
    o = ok_json(&r);
    json_t *cards = json_object_get(o, "cards");
    assert_int_equal(json_array_size(cards), 2);
    const char *svg = json_string_value(json_object_get(json_array_get(cards, 0), "qr_svg"));
    assert_non_null(svg);
    assert_true(strncmp(svg, "<svg", 4) == 0);
    assert_contains(svg, "<path");
    json_decref(o);
    zt_resp_free(&r);

    /* menus, enrolment codes */
    zt_console(h, admin, true, "POST", "/admin/api/menus/C0107",
               "{\"csv\":\"code,name,price_fen,periods\\nL01,Rice,1500,lunch\\n\"}", &r);
    o = ok_json(&r);
    assert_int_equal(json_integer_value(json_object_get(o, "rows")), 1);
    json_decref(o);
    zt_resp_free(&r);
    zt_console(h, admin, false, "GET", "/admin/api/menus/C0107", NULL, &r);
    o = ok_json(&r);
    assert_int_equal(json_array_size(json_object_get(o, "items")), 1);
    json_decref(o);
    zt_resp_free(&r);
    zt_console(h, admin, true, "POST", "/admin/api/enrol-codes", "{\"canteen\":\"C0107\"}", &r);
    o = ok_json(&r);
    assert_true(json_is_string(json_object_get(o, "code")));
    assert_true(json_integer_value(json_object_get(o, "expires_ms")) > zc_hub_now(h->hub));
    assert_contains(json_string_value(json_object_get(o, "qr_svg")), "<path");
    json_decref(o);
    zt_resp_free(&r);
}

static void test_happy_paths(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zt_hub h;
        zt_hub_start(&h, *b, "http_happy", NULL);
        zt_session admin;
        zt_console_login(&h, "root", "admin", &admin);
        console_happy(&h, &admin);

        /* A real kiosk: enrol, pull, push, heartbeat. */
        zc_salestest_kiosk k;
        zc_salestest_kiosk_new(&k, "C0107", ZC_SALESTEST_RULES);
        char code_body[MSG_MAX];
        char code[ZC_HUB_CODE_MAX];
        zc_ms expires;
        zc_diag diag = {{0}, 0};
        assert_int_equal(zc_hub_enrol_code_new(h.hub, "C0107", code, &expires, &diag), ZC_OK);
        char pk[ZC_PUBKEY_TEXT_SIZE];
        zc_keys_public_text(k.dd->device_key.pk, pk);
        snprintf(code_body, sizeof code_body, "{\"code\":\"%s\",\"public_key\":\"%s\"}", code, pk);
        zt_resp r;
        zt_signed(&h, &k.dd->device_key, k.dd->device_id, "POST", "/v1/enrol", code_body,
                  strlen(code_body), 0, &r);
        json_t *o = ok_json(&r);
        assert_string_equal(json_string_value(json_object_get(o, "canteen")), "C0107");
        assert_string_equal(json_string_value(json_object_get(o, "device_id")), k.dd->device_id);
        assert_true(json_is_string(json_object_get(o, "rules_public_key")));
        assert_true(json_is_string(json_object_get(o, "region_key")));
        assert_true(json_is_integer(json_object_get(o, "hub_time")));
        json_decref(o);
        zt_resp_free(&r);
        /* a code works once */
        zt_signed(&h, &k.dd->device_key, k.dd->device_id, "POST", "/v1/enrol", code_body,
                  strlen(code_body), 0, &r);
        zt_assert_error(&r, 401, "unauthorized", NULL, 0);
        zt_resp_free(&r);
        const zc_keypair *key = &k.dd->device_key;
        const char *device = k.dd->device_id;

        zt_signed(&h, key, device, "GET", "/v1/rules?after=0", NULL, 0, 0, &r);
        o = ok_json(&r);
        assert_int_equal(json_array_size(json_object_get(o, "bundles")), 1);
        json_decref(o);
        zt_resp_free(&r);
        zt_signed(&h, key, device, "GET", "/v1/roster?after=&limit=5", NULL, 0, 0, &r);
        o = ok_json(&r);
        assert_int_equal(json_array_size(json_object_get(o, "rows")), 5);
        assert_true(json_is_true(json_object_get(o, "more")));
        assert_true(json_is_string(json_object_get(o, "next")));
        json_decref(o);
        zt_resp_free(&r);
        zt_signed(&h, key, device, "GET", "/v1/menu?after=0", NULL, 0, 0, &r);
        o = ok_json(&r);
        json_int_t version = json_integer_value(json_object_get(o, "version"));
        assert_true(version > 0);
        assert_int_equal(json_array_size(json_object_get(o, "items")), 1);
        json_decref(o);
        zt_resp_free(&r);
        char target[HDR_MAX];
        snprintf(target, sizeof target, "/v1/menu?after=%lld", (long long)version);
        zt_signed(&h, key, device, "GET", target, NULL, 0, 0, &r);
        o = ok_json(&r);
        assert_true(json_is_null(json_object_get(o, "items")));
        json_decref(o);
        zt_resp_free(&r);

        zc_salestest_sell(&k, ZC_SALESTEST_ELDER_80, 1500, "2026-03-02T12:00:00+08:00");
        zc_salestest_sell(&k, ZC_SALESTEST_ELDER_66, 1200, "2026-03-02T12:05:00+08:00");
        size_t n;
        zc_syncwire_sale *recs = zc_salestest_records(&k, 0, &n);
        assert_int_equal(n, 2);
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *rec;
            assert_int_equal(zc_syncwire_sale_to_json(&recs[i], &rec), ZC_OK);
            json_array_append_new(arr, rec);
        }
        zc_syncwire_sales_free(recs, n);
        json_t *push = json_pack("{s:o}", "sales", arr);
        char *text = json_dumps(push, JSON_COMPACT);
        json_decref(push);
        for (int round = 0; round < 2; round++) {
            zt_signed(&h, key, device, "POST", "/v1/sales", text, strlen(text), 0, &r);
            o = ok_json(&r);
            assert_int_equal(json_integer_value(json_object_get(o, "acked")), 2);
            assert_int_equal(json_integer_value(json_object_get(o, "received")), round ? 0 : 2);
            assert_int_equal(json_integer_value(json_object_get(o, "duplicates")), round ? 2 : 0);
            assert_int_equal(json_integer_value(json_object_get(o, "quarantined")), 0);
            json_decref(o);
            zt_resp_free(&r);
        }
        free(text);
        assert_int_equal(count(&h, "sale"), 2);
        static const char HB[] = "{\"clock_ms\":1764000000000,\"pending\":0,\"last_seq\":2,"
                                 "\"rules_version\":12,\"roster_cursor\":\"\",\"menu_version\":1,"
                                 "\"faults\":[\"printer: paper out\"],\"version\":\"0.1.0\"}";
        zt_signed(&h, key, device, "POST", "/v1/heartbeat", HB, strlen(HB), 0, &r);
        o = ok_json(&r);
        assert_true(json_is_integer(json_object_get(o, "hub_time")));
        json_decref(o);
        zt_resp_free(&r);

        /* The console sees it. */
        zt_console(&h, &admin, false, "GET", "/admin/api/kiosks", NULL, &r);
        o = ok_json(&r);
        assert_int_equal(json_array_size(json_object_get(o, "kiosks")), 1);
        json_decref(o);
        zt_resp_free(&r);
        zt_console(&h, &admin, false, "GET", "/admin/api/reports/day?canteen=C0107&date=2026-03-02",
                   NULL, &r);
        o = ok_json(&r);
        assert_int_equal(json_integer_value(json_object_get(o, "sales")), 2);
        assert_int_equal(json_integer_value(json_object_get(o, "gross")), 2700);
        json_decref(o);
        zt_resp_free(&r);
        zt_console(&h, &admin, false, "GET", "/admin/api/reports/month?canteen=C0107&month=2026-03",
                   NULL, &r);
        o = ok_json(&r);
        assert_int_equal(json_array_size(json_object_get(o, "days")), 1);
        json_decref(o);
        zt_resp_free(&r);
        zt_console(&h, &admin, false, "GET", "/admin/api/settlement.csv?month=2026-03", NULL, &r);
        assert_int_equal(r.status, 200);
        char hv[HDR_MAX];
        assert_true(zt_resp_header(&r, "Content-Type", hv, sizeof hv));
        assert_string_equal(hv, "text/csv; charset=utf-8");
        assert_true(zt_resp_header(&r, "Content-Disposition", hv, sizeof hv));
        assert_string_equal(hv, "attachment; filename=\"settlement-2026-03.csv\"");
        assert_true(r.len > 3 && memcmp(r.body, "\xef\xbb\xbf", 3) == 0);
        zt_resp_free(&r);
        zt_console(&h, &admin, false, "GET", "/admin/api/anomalies?limit=10", NULL, &r);
        o = ok_json(&r);
        assert_true(json_is_array(json_object_get(o, "anomalies")));
        json_decref(o);
        zt_resp_free(&r);
        zc_salestest_kiosk_free(&k);
        zt_hub_stop(&h);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_static_files),       cmocka_unit_test(test_body_limits),
        cmocka_unit_test(test_malformed_json),     cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_sql_metacharacters), cmocka_unit_test(test_kiosk_auth),
        cmocka_unit_test(test_console_auth),       cmocka_unit_test(test_happy_paths),
        cmocka_unit_test(test_console_roles),      cmocka_unit_test(test_enrol_over_http),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
