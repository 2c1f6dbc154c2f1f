/*
 * Fuzzes the hub's HTTP request bodies and query strings, through the real server.
 *
 * A hub (SQLite in a scratch directory) serves on loopback inside this process, with a canteen, an
 * enrolled kiosk and a logged-in administrator. The first input byte picks a route; the rest is
 * the request body (or, for GET routes, the query string). The harness adds what a genuine client
 * would — the kiosk's signature over exactly these bytes, the session cookie and CSRF token — so
 * the input reaches every route's own parsing instead of stopping at authentication. Any answer
 * other than a 2xx or 4xx, or no answer at all, is a bug: bad input must get a 4xx.
 */
#include "zc/datadir.h"
#include "zc/hub.h"
#include "zc/hubhttp.h"
#include "zc/keys.h"
#include "zc/syncwire.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
    HEAD_MAX = 2048,
    TARGET_MAX = 4096,
    ANSWER_MAX = 1 << 20,
    ANSWER_WAIT_MS = 10000,
    HTTP_SERVER_ERROR = 500,
    HTTP_STATUS_AT = 9, /* "HTTP/1.1 " */
    ENROL_BODY_MAX = 256,
};

typedef enum route_auth { AUTH_NONE, AUTH_KIOSK, AUTH_CONSOLE } route_auth;

typedef struct route {
    const char *method;
    const char *path; /* GET routes take the input as their query string */
    route_auth auth;
} route;

static const route ROUTES[] = {
    {"POST", "/v1/enrol", AUTH_NONE},
    {"POST", "/v1/sales", AUTH_KIOSK},
    {"POST", "/v1/heartbeat", AUTH_KIOSK},
    {"GET", "/v1/roster", AUTH_KIOSK},
    {"GET", "/v1/rules", AUTH_KIOSK},
    {"GET", "/v1/menu", AUTH_KIOSK},
    {"POST", "/admin/api/login", AUTH_NONE},
    {"POST", "/admin/api/rules/check", AUTH_CONSOLE},
    {"POST", "/admin/api/rules/preview", AUTH_CONSOLE},
    {"POST", "/admin/api/roster/preview", AUTH_CONSOLE},
    {"POST", "/admin/api/roster/qr", AUTH_CONSOLE},
    {"POST", "/admin/api/menus/C0107", AUTH_CONSOLE},
    {"POST", "/admin/api/enrol-codes", AUTH_CONSOLE},
    {"POST", "/admin/api/canteens", AUTH_CONSOLE},
    {"GET", "/admin/api/reports/day", AUTH_CONSOLE},
    {"GET", "/admin/api/reports/month", AUTH_CONSOLE},
    {"GET", "/admin/api/roster", AUTH_CONSOLE},
    {"GET", "/admin/api/roster/cards", AUTH_CONSOLE},
    {"GET", "/admin/api/anomalies", AUTH_CONSOLE},
    {"GET", "/admin/api/settlement.csv", AUTH_CONSOLE},
};
#define N_ROUTES (sizeof ROUTES / sizeof ROUTES[0])

/* libFuzzer's entry points take no context: the harness is set up once by LLVMFuzzerInitialize
 * and only read afterwards (the answer buffer is reused by the one fuzzing thread). */
typedef struct harness {
    zc_hub *hub;
    zc_hubhttp *server;
    uint16_t port;
    zc_keypair kiosk;
    char device[ZC_ID_MAX];
    char session[ZC_HUB_TOKEN_HEX + 1];
    zc_hub_user admin;
    char *answer; /* ANSWER_MAX bytes */
    char dir[64]; /* the scratch directory of the hub's database */
} harness;

static harness H;

static void die(const char *what, const zc_diag *diag)
{
    fprintf(stderr, "fuzz_hub_http: %s: %s\n", what, diag ? diag->msg : "");
    abort();
}

static zc_ms now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (zc_ms)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* At exit: the server stopped, the scratch database removed. */
static void cleanup(void)
{
    zc_hubhttp_stop(H.server);
    zc_hub_close(H.hub);
    static const char *const FILES[] = {"hub.db", "hub.db-wal", "hub.db-shm"};
    char path[sizeof H.dir + 16];
    for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", H.dir, FILES[i]);
        unlink(path);
    }
    rmdir(H.dir);
}

/* Enrols H.kiosk with code as POST /v1/enrol does: the request signed by the key itself. */
static zc_err enrol_signed(const char *code, zc_hub_enrolment *enrolment, zc_diag *diag)
{
    static const char PATH[] = "/v1/enrol";
    char pk[ZC_PUBKEY_TEXT_SIZE], device[ZC_ID_MAX], body[ENROL_BODY_MAX];
    zc_keys_public_text(H.kiosk.pk, pk);
    zc_datadir_device_id(H.kiosk.pk, device);
    int len = snprintf(body, sizeof body, "{\"code\":\"%s\",\"public_key\":\"%s\"}", code, pk);
    zc_syncwire_auth auth;
    zc_err err =
        zc_syncwire_sign(&H.kiosk, device, "POST", PATH, now_ms(), body, (size_t)len, &auth);
    if (err)
        return err;
    zc_hub_request req = {.method = "POST",
                          .path = PATH,
                          .device = auth.device,
                          .time = auth.time,
                          .nonce = auth.nonce,
                          .signature = auth.signature,
                          .body = body,
                          .body_len = (size_t)len};
    return zc_hub_enrol(H.hub, &req, code, H.kiosk.pk, enrolment, diag);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    char url[sizeof H.dir + 32];
    snprintf(H.dir, sizeof H.dir, "%s", "/tmp/zc-fuzz-hub.XXXXXX");
    if (!mkdtemp(H.dir))
        die("mkdtemp", NULL);
    snprintf(url, sizeof url, "sqlite:%s/hub.db", H.dir);
    zc_diag diag = {{0}, 0};
    zc_hub_opts opts = {.db_url = url, .pool = 2};
    if (zc_hub_open(&opts, &H.hub, &diag) ||
        zc_hub_canteen_add(H.hub, "C0107", "fuzz canteen", "320202", "Asia/Shanghai", &diag))
        die("hub", &diag);
    char code[ZC_HUB_CODE_MAX];
    zc_ms expires;
    zc_hub_enrolment enrolment;
    if (zc_keys_generate(&H.kiosk) ||
        zc_hub_enrol_code_new(H.hub, "C0107", code, &expires, &diag) ||
        enrol_signed(code, &enrolment, &diag))
        die("enrol", &diag);
    snprintf(H.device, sizeof H.device, "%s", enrolment.device_id);
    if (zc_hub_user_add(H.hub, "fuzz", "admin", "fuzz-password", &diag) ||
        zc_hub_login(H.hub, "fuzz", "fuzz-password", H.session, &H.admin, &diag))
        die("console user", &diag);
    zc_hubhttp_opts http = {.listen = "127.0.0.1:0", .threads = 2};
    if (zc_hubhttp_start(H.hub, &http, &H.server, &diag))
        die("server", &diag);
    H.port = zc_hubhttp_port(H.server);
    if (!(H.answer = malloc(ANSWER_MAX)))
        die("malloc", NULL);
    atexit(cleanup);
    return 0;
}

/* Sends one request and returns the answer's status, or -1 for no (or no valid) answer. */
static int exchange(const char *head, size_t head_len, const uint8_t *body, size_t body_len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(H.port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0)
        die("connect", NULL);
    bool sent = send(fd, head, head_len, MSG_NOSIGNAL) == (ssize_t)head_len &&
                (body_len == 0 || send(fd, body, body_len, MSG_NOSIGNAL) == (ssize_t)body_len);
    char *answer = H.answer;
    size_t got = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (sent && got < ANSWER_MAX - 1 && poll(&p, 1, ANSWER_WAIT_MS) == 1) {
        ssize_t n = recv(fd, answer + got, ANSWER_MAX - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    answer[got] = '\0';
    if (got < HTTP_STATUS_AT + 3 || strncmp(answer, "HTTP/1.1 ", HTTP_STATUS_AT) != 0)
        return -1;
    return atoi(answer + HTTP_STATUS_AT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const route *r = &ROUTES[data[0] % N_ROUTES];
    const uint8_t *rest = data + 1;
    size_t rest_len = size - 1;
    bool get = strcmp(r->method, "GET") == 0;

    /* A GET carries the input as its query: bytes a request line cannot hold are escaped. */
    char target[TARGET_MAX];
    size_t t = (size_t)snprintf(target, sizeof target, "%s", r->path);
    if (get && rest_len > 0) {
        target[t++] = '?';
        static const char HEX[] = "0123456789ABCDEF";
        for (size_t i = 0; i < rest_len && t + 4 < sizeof target; i++) {
            uint8_t c = rest[i];
            if (c > ' ' && c < 0x7f && c != '#') {
                target[t++] = (char)c;
            } else {
                target[t++] = '%';
                target[t++] = HEX[c >> 4];
                target[t++] = HEX[c & 0xf];
            }
        }
        target[t] = '\0';
    }
    const uint8_t *body = get ? NULL : rest;
    size_t body_len = get ? 0 : rest_len;

    char auth[HEAD_MAX] = "";
    if (r->auth == AUTH_KIOSK) {
        zc_syncwire_auth a;
        zc_diag diag = {{0}, 0};
        if (zc_syncwire_sign(&H.kiosk, H.device, r->method, target, now_ms(), body, body_len, &a))
            die("sign", &diag);
        snprintf(auth, sizeof auth, "%s: %s\r\n%s: %s\r\n%s: %s\r\n%s: %s\r\n", ZC_SYNC_HDR_DEVICE,
                 a.device, ZC_SYNC_HDR_TIME, a.time, ZC_SYNC_HDR_NONCE, a.nonce,
                 ZC_SYNC_HDR_SIGNATURE, a.signature);
    } else if (r->auth == AUTH_CONSOLE) {
        snprintf(auth, sizeof auth, "Cookie: zc_session=%s\r\nX-CSRF-Token: %s\r\n", H.session,
                 H.admin.csrf);
    }
    char head[HEAD_MAX + TARGET_MAX];
    int head_len = snprintf(head, sizeof head,
                            "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                            "Content-Type: application/json\r\nContent-Length: %zu\r\n%s\r\n",
                            r->method, target, body_len, auth);
    int status = exchange(head, (size_t)head_len, body, body_len);
    if (status < 0 || status >= HTTP_SERVER_ERROR) {
        fprintf(stderr, "fuzz_hub_http: %s %s answered %d\n", r->method, r->path, status);
        abort();
    }
    return 0;
}
