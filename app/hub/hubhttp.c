/*
 * The hub's HTTP server over libmicrohttpd: bounded body accumulation, routing to the kiosk and
 * console APIs, the console's static files, and one JSON error shape for every failure.
 *
 * The request-target is taken from libmicrohttpd's URI log callback, before anything is
 * unescaped, so the path a kiosk signed is the path the hub checks (PROTOCOL.md); the server
 * decodes the path and query itself, strictly.
 */
#include "zc/hubhttp.h"

#include "hubapi.h"

#include <microhttpd.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
    HTTP_THREADS_DEFAULT = 8,
    HTTP_CONNECTION_TIMEOUT_S = 60,
    /* Per-connection memory: headers and request line; the body is accumulated separately. */
    HTTP_CONNECTION_MEMORY = 64 * 1024,
    HTTP_TARGET_MAX = 8192,   /* longer request-targets are refused with 414 */
    HTTP_BODY_INITIAL = 4096, /* first allocation of a body buffer */
    HTTP_LOG_PATH_MAX = 200,  /* a logged path is cut here */
    HTTP_HOST_MAX = 256,      /* the HOST of --listen HOST:PORT */
    HTTP_NS_PER_MS = 1000000,
    HTTP_MS_PER_S = 1000,
    HTTP_MESSAGE_MAX = 2 * ZC_DIAG_MAX,
};

#define JSON_TYPE "application/json; charset=utf-8"
/* The console's scripts and styles are files of its own: nothing inline, nothing elsewhere. */
#define CSP_POLICY                                                                                 \
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "               \
    "form-action 'self'; frame-ancestors 'none'"

struct zc_hubhttp {
    zc_hub *hub;
    struct MHD_Daemon *daemon;
    char *web_dir; /* realpath of the console's directory, or NULL */
    FILE *log;
    uint16_t port;
    struct sockaddr_storage addr;
};

struct zc_hubapi_req {
    zc_hubhttp *server;
    struct MHD_Connection *conn;
    const char *method;
    char *target; /* as on the request line */
    char *path;   /* decoded, without the query; NULL until parsed */
    const char *query;
    char *body;
    size_t body_len, body_cap;
    bool started;   /* the handler has seen the headers */
    bool too_large; /* the body went over ZC_HUB_BODY_MAX: discarded, 413 */
    bool answered;
    int status;
    struct timespec start;
    char note[ZC_HUBAPI_NOTE_MAX];
};

/* ---- small pieces ---- */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Strict UTF-8 (no overlongs, no surrogates): what a database's TEXT column accepts. */
static bool utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        static const uint32_t min_of_len[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_of_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

/* Percent-decodes s[0..n) into a new string; refuses bad escapes, NUL bytes and bad UTF-8. */
static zc_err pct_decode(const char *s, size_t n, bool plus_is_space, char **out)
{
    char *buf = malloc(n + 1);
    if (!buf)
        return ZC_ERR_NOMEM;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n || hex_value(s[i + 1]) < 0 || hex_value(s[i + 2]) < 0) {
                free(buf);
                return ZC_ERR_INVALID;
            }
            c = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0') {
            free(buf);
            return ZC_ERR_INVALID;
        }
        buf[o++] = c;
    }
    buf[o] = '\0';
    if (!utf8_valid((const unsigned char *)buf, o)) {
        free(buf);
        return ZC_ERR_INVALID;
    }
    *out = buf;
    return ZC_OK;
}

static int64_t elapsed_ms(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)(now.tv_sec - start->tv_sec) * HTTP_MS_PER_S +
           (now.tv_nsec - start->tv_nsec) / HTTP_NS_PER_MS;
}

/* ---- what handlers read ---- */

zc_hub *zc_hubapi_hub(const zc_hubapi_req *req)
{
    return req->server->hub;
}

const char *zc_hubapi_method(const zc_hubapi_req *req)
{
    return req->method;
}

const char *zc_hubapi_target(const zc_hubapi_req *req)
{
    return req->target;
}

const char *zc_hubapi_path(const zc_hubapi_req *req)
{
    return req->path;
}

const void *zc_hubapi_body(const zc_hubapi_req *req, size_t *len)
{
    *len = req->body_len;
    return req->body ? req->body : "";
}

const char *zc_hubapi_header(const zc_hubapi_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *zc_hubapi_cookie(const zc_hubapi_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

zc_err zc_hubapi_query(const zc_hubapi_req *req, const char *name, char **out, zc_diag *diag)
{
    *out = NULL;
    size_t name_len = strlen(name);
    for (const char *p = req->query; p && *p;) {
        const char *end = strchr(p, '&');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        size_t key_len = eq ? (size_t)(eq - p) : n;
        char *key = NULL;
        if (pct_decode(p, key_len, true, &key) == ZC_OK) {
            bool match = strlen(key) == name_len && memcmp(key, name, name_len) == 0;
            free(key);
            if (match) {
                const char *v = eq ? eq + 1 : p + n;
                zc_err err = pct_decode(v, (size_t)(p + n - v), true, out);
                if (err == ZC_ERR_INVALID)
                    return zc_diag_set(diag, err, "%s: bad percent-escape, NUL or invalid UTF-8",
                                       name);
                return err;
            }
        }
        p = end ? end + 1 : p + n;
    }
    return ZC_OK;
}

bool zc_hubapi_body_object(const zc_hubapi_req *req, zc_hubapi_resp *resp, json_t **out)
{
    json_error_t jerr;
    *out = NULL;
    if (req->body_len == 0) {
        zc_hubapi_error(resp, ZC_HTTP_BAD_REQUEST, "bad_request", "body: a JSON object is needed");
        return false;
    }
    json_t *o = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!o) {
        zc_hubapi_error(resp, ZC_HTTP_BAD_REQUEST, "bad_request", "body: line %d, column %d: %s",
                        jerr.line, jerr.column, jerr.text);
        return false;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        zc_hubapi_error(resp, ZC_HTTP_BAD_REQUEST, "bad_request", "body: must be a JSON object");
        return false;
    }
    *out = o;
    return true;
}

/* ---- answers ---- */

static void resp_clear(zc_hubapi_resp *resp)
{
    json_decref(resp->json);
    free(resp->body);
    free(resp->set_cookie);
    free(resp->content_disposition);
    resp->json = NULL;
    resp->body = NULL;
    resp->len = 0;
    resp->set_cookie = NULL;
    resp->content_disposition = NULL;
}

void zc_hubapi_json(zc_hubapi_resp *resp, int status, json_t *o)
{
    json_decref(resp->json);
    free(resp->body);
    resp->body = NULL;
    resp->len = 0;
    if (!o) {
        zc_hubapi_error(resp, ZC_HTTP_INTERNAL, "internal", "out of memory");
        snprintf(resp->note, sizeof resp->note, "out of memory building an answer");
        return;
    }
    resp->status = status;
    resp->json = o;
}

void zc_hubapi_error(zc_hubapi_resp *resp, int status, const char *code, const char *fmt, ...)
{
    char msg[HTTP_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* A message quoting client input may hold anything; jansson needs UTF-8. */
    json_t *o = json_pack("{s:s,s:s?}", "error", code, "message",
                          utf8_valid((const unsigned char *)msg, strlen(msg)) ? msg : NULL);
    if (o && !json_object_get(o, "message"))
        json_object_set_new(o, "message", json_string("(message not printable)"));
    json_decref(resp->json);
    free(resp->body);
    resp->body = NULL;
    resp->len = 0;
    resp->status = status;
    resp->json = o;
}

void zc_hubapi_fail(zc_hubapi_resp *resp, zc_err err, const zc_diag *diag)
{
    const char *msg = diag && diag->msg[0] ? diag->msg : zc_err_str(err);
    switch (err) {
    case ZC_ERR_INVALID:
        zc_hubapi_error(resp, ZC_HTTP_BAD_REQUEST, "bad_request", "%s", msg);
        break;
    case ZC_ERR_CRYPTO:
        zc_hubapi_error(resp, ZC_HTTP_UNAUTHORIZED, "unauthorized", "%s", msg);
        break;
    case ZC_ERR_NOT_FOUND:
        zc_hubapi_error(resp, ZC_HTTP_NOT_FOUND, "not_found", "%s", msg);
        break;
    case ZC_ERR_EXISTS:
        zc_hubapi_error(resp, ZC_HTTP_CONFLICT, "conflict", "%s", msg);
        break;
    default:
        zc_hubapi_error(resp, ZC_HTTP_INTERNAL, "internal",
                        "the hub could not do this; see its log");
        snprintf(resp->note, sizeof resp->note, "%s: %s", zc_err_str(err), msg);
        break;
    }
}

/* ---- static files of the console ---- */

static const struct {
    const char *ext, *type;
} CONTENT_TYPES[] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".json", JSON_TYPE},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
    {".woff2", "font/woff2"},
};

static const char *content_type_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && !strchr(dot, '/'))
        for (size_t i = 0; i < sizeof CONTENT_TYPES / sizeof CONTENT_TYPES[0]; i++)
            if (strcmp(dot, CONTENT_TYPES[i].ext) == 0)
                return CONTENT_TYPES[i].type;
    return "application/octet-stream";
}

/* A decoded path names a file under the console's directory only if every segment is a plain
 * name: no empty segment, no "." or "..", nothing hidden, no backslash. */
static bool safe_static_path(const char *path)
{
    if (path[0] != '/' || strchr(path, '\\'))
        return false;
    for (const char *seg = path + 1;;) {
        const char *end = strchr(seg, '/');
        size_t n = end ? (size_t)(end - seg) : strlen(seg);
        if (n == 0 || seg[0] == '.')
            return false;
        if (!end)
            return true;
        seg = end + 1;
    }
}

/* Opens web_dir + rel if, symlinks resolved, it is a regular file inside web_dir. -1 otherwise. */
static int open_under(const char *web_dir, const char *rel, off_t *size)
{
    char joined[PATH_MAX], real[PATH_MAX];
    int n = snprintf(joined, sizeof joined, "%s%s", web_dir, rel);
    if (n < 0 || (size_t)n >= sizeof joined || !realpath(joined, real))
        return -1;
    size_t dl = strlen(web_dir);
    if (strncmp(real, web_dir, dl) != 0 || real[dl] != '/')
        return -1;
    int fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;
    }
    *size = st.st_size;
    return fd;
}

#define STATIC_PREFIX "/static/"

/* Serves a console file; returns the MHD response or NULL with resp filled with the error. */
static struct MHD_Response *serve_static(zc_hubhttp *s, const zc_hubapi_req *req,
                                         zc_hubapi_resp *resp)
{
    const char *path = strcmp(req->path, "/") == 0 ? "/index.html" : req->path;
    if (strcmp(req->method, MHD_HTTP_METHOD_GET) != 0 &&
        strcmp(req->method, MHD_HTTP_METHOD_HEAD) != 0) {
        zc_hubapi_error(resp, ZC_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                        "%s is not allowed here", req->method);
        return NULL;
    }
    off_t size = 0;
    int fd = -1;
    if (s->web_dir && safe_static_path(path)) {
        fd = open_under(s->web_dir, path, &size);
        /* The console links its files as /static/NAME; they may sit at the top of web_dir. */
        if (fd < 0 && strncmp(path, STATIC_PREFIX, strlen(STATIC_PREFIX)) == 0)
            fd = open_under(s->web_dir, path + strlen(STATIC_PREFIX) - 1, &size);
    }
    if (fd < 0) {
        zc_hubapi_error(resp, ZC_HTTP_NOT_FOUND, "not_found", "no such page");
        return NULL;
    }
    struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)size, fd);
    if (!r) {
        close(fd);
        zc_hubapi_error(resp, ZC_HTTP_INTERNAL, "internal", "out of memory");
        return NULL;
    }
    resp->status = ZC_HTTP_OK;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type_of(path));
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    return r;
}

/* ---- routing ---- */

static bool route_matches(const char *pattern, const char *path, const char **rest)
{
    size_t n = strlen(pattern);
    if (n && pattern[n - 1] == '*') {
        if (strncmp(pattern, path, n - 1) != 0 || path[n - 1] == '\0')
            return false;
        *rest = path + n - 1;
        return true;
    }
    *rest = "";
    return strcmp(pattern, path) == 0;
}

static void dispatch(const zc_hubapi_route *routes, zc_hubapi_req *req, zc_hubapi_resp *resp)
{
    bool path_known = false;
    for (const zc_hubapi_route *r = routes; r->pattern; r++) {
        const char *rest;
        if (!route_matches(r->pattern, req->path, &rest))
            continue;
        path_known = true;
        if (r->method && strcmp(r->method, req->method) != 0)
            continue;
        r->handler(req, rest, resp);
        return;
    }
    if (path_known)
        zc_hubapi_error(resp, ZC_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                        "%s is not allowed on %s", req->method, req->path);
    else
        zc_hubapi_error(resp, ZC_HTTP_NOT_FOUND, "not_found", "no such endpoint");
}

#define KIOSK_PREFIX "/v1/"
#define ADMIN_PREFIX "/admin/api/"

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Builds the MHD response of an API answer: JSON (with hub_time under /v1) or bytes. */
static struct MHD_Response *api_response(zc_hubhttp *s, const zc_hubapi_req *req,
                                         zc_hubapi_resp *resp)
{
    if (resp->json) {
        if (req->path && has_prefix(req->path, KIOSK_PREFIX) && json_is_object(resp->json))
            json_object_set_new(resp->json, "hub_time", json_integer(zc_hub_now(s->hub)));
        free(resp->body);
        resp->body = json_dumps(resp->json, JSON_COMPACT);
        resp->len = resp->body ? strlen(resp->body) : 0;
        resp->content_type = JSON_TYPE;
        if (!resp->body) {
            resp->status = ZC_HTTP_INTERNAL;
            snprintf(resp->note, sizeof resp->note, "out of memory serialising an answer");
        }
    }
    struct MHD_Response *r;
    if (resp->body) {
        r = MHD_create_response_from_buffer(resp->len, resp->body, MHD_RESPMEM_MUST_FREE);
        if (r)
            resp->body = NULL;
    } else {
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (!r)
        return NULL;
    if (resp->content_type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (resp->set_cookie)
        MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, resp->set_cookie);
    if (resp->content_disposition)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, resp->content_disposition);
    return r;
}

static void add_security_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Content-Security-Policy", CSP_POLICY);
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
}

static enum MHD_Result answer(zc_hubapi_req *req, struct MHD_Response *r, int status)
{
    add_security_headers(r);
    req->answered = true;
    req->status = status;
    enum MHD_Result ret = MHD_queue_response(req->conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Answers a JSON error straight from the server (no handler involved). */
static enum MHD_Result answer_error(zc_hubapi_req *req, int status, const char *code,
                                    const char *message)
{
    zc_hubapi_resp resp = {0};
    zc_hubapi_error(&resp, status, code, "%s", message);
    struct MHD_Response *r = api_response(req->server, req, &resp);
    resp_clear(&resp);
    if (!r)
        return MHD_NO;
    return answer(req, r, status);
}

static enum MHD_Result handle(zc_hubapi_req *req)
{
    zc_hubhttp *s = req->server;
    if (!req->target || strlen(req->target) > HTTP_TARGET_MAX)
        return answer_error(req, ZC_HTTP_URI_TOO_LONG, "too_large", "the URL is too long");
    const char *q = strchr(req->target, '?');
    size_t path_len = q ? (size_t)(q - req->target) : strlen(req->target);
    req->query = q ? q + 1 : "";
    if (req->target[0] != '/' || pct_decode(req->target, path_len, false, &req->path) != ZC_OK)
        return answer_error(req, ZC_HTTP_BAD_REQUEST, "bad_request",
                            "path: bad percent-escape, NUL or invalid UTF-8");
    if (req->too_large)
        return answer_error(req, ZC_HTTP_TOO_LARGE, "too_large", "the body is too large");

    zc_hubapi_resp resp = {0};
    struct MHD_Response *r = NULL;
    if (has_prefix(req->path, KIOSK_PREFIX))
        dispatch(ZC_HUBAPI_KIOSK_ROUTES, req, &resp);
    else if (has_prefix(req->path, ADMIN_PREFIX))
        dispatch(ZC_HUBAPI_ADMIN_ROUTES, req, &resp);
    else
        r = serve_static(s, req, &resp);
    if (!r)
        r = api_response(s, req, &resp);
    int status = resp.status ? resp.status : ZC_HTTP_INTERNAL;
    if (resp.note[0])
        snprintf(req->note, sizeof req->note, "%s", resp.note);
    resp_clear(&resp);
    if (!r)
        return MHD_NO;
    return answer(req, r, status);
}

/* Appends an upload chunk; false once the body is over the limit (the rest is discarded). */
static bool body_append(zc_hubapi_req *req, const char *data, size_t n)
{
    if (req->too_large || n > ZC_HUB_BODY_MAX - req->body_len) {
        req->too_large = true;
        free(req->body);
        req->body = NULL;
        req->body_len = req->body_cap = 0;
        return false;
    }
    if (req->body_len + n + 1 > req->body_cap) {
        size_t cap = req->body_cap ? req->body_cap : HTTP_BODY_INITIAL;
        while (cap < req->body_len + n + 1)
            cap *= 2;
        if (cap > (size_t)ZC_HUB_BODY_MAX + 1)
            cap = (size_t)ZC_HUB_BODY_MAX + 1;
        char *b = realloc(req->body, cap);
        if (!b)
            return false;
        req->body = b;
        req->body_cap = cap;
    }
    memcpy(req->body + req->body_len, data, n);
    req->body_len += n;
    req->body[req->body_len] = '\0';
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **ctx)
{
    (void)cls;
    (void)url;
    (void)version;
    zc_hubapi_req *req = *ctx;
    if (!req)
        return MHD_NO; /* the URI log callback failed to allocate */
    if (req->answered) {
        *upload_data_size = 0; /* an early 413 is queued: drop what still arrives */
        return MHD_YES;
    }
    if (!req->started) {
        req->started = true;
        req->conn = conn;
        req->method = method;
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl) {
            char *end;
            errno = 0;
            unsigned long long n = strtoull(cl, &end, 10);
            if (errno == ERANGE || n > ZC_HUB_BODY_MAX) {
                req->too_large = true;
                return answer_error(req, ZC_HTTP_TOO_LARGE, "too_large", "the body is too large");
            }
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (!body_append(req, upload_data, n)) {
            if (!req->too_large)
                return MHD_NO; /* out of memory: drop the connection */
            /* Answer now when libmicrohttpd lets us; otherwise discard until the end. */
            if (answer_error(req, ZC_HTTP_TOO_LARGE, "too_large", "the body is too large") !=
                MHD_YES)
                req->answered = false;
        }
        return MHD_YES;
    }
    return handle(req);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)conn;
    zc_hubapi_req *req = calloc(1, sizeof *req);
    if (!req)
        return NULL;
    req->server = cls;
    req->target = strdup(uri ? uri : "");
    clock_gettime(CLOCK_MONOTONIC, &req->start);
    return req;
}

/* One log line per request: method, path (no query: it may hold names), status, time. */
static void log_request(zc_hubhttp *s, const zc_hubapi_req *req)
{
    char path[HTTP_LOG_PATH_MAX + 1];
    size_t n = 0;
    for (const char *p = req->target; p && *p && *p != '?' && n < HTTP_LOG_PATH_MAX; p++)
        path[n++] = (*p > ' ' && *p < 0x7f) ? *p : '?';
    path[n] = '\0';
    fprintf(s->log, "%s %s %d %lldms%s%s\n", req->method ? req->method : "-", path, req->status,
            (long long)elapsed_ms(&req->start), req->note[0] ? " " : "", req->note);
    fflush(s->log);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **ctx,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    zc_hubhttp *s = cls;
    zc_hubapi_req *req = *ctx;
    if (!req)
        return;
    if (s->log && req->answered)
        log_request(s, req);
    free(req->target);
    free(req->path);
    free(req->body);
    free(req);
    *ctx = NULL;
}

/* ---- starting and stopping ---- */

static zc_err resolve_listen(const char *listen, struct sockaddr_storage *addr, bool *ipv6,
                             zc_diag *diag)
{
    const char *colon = listen ? strrchr(listen, ':') : NULL;
    if (!colon || colon == listen || colon[1] == '\0')
        return zc_diag_set(diag, ZC_ERR_INVALID, "listen: '%s' is not HOST:PORT",
                           listen ? listen : "");
    char host[HTTP_HOST_MAX];
    size_t hl = (size_t)(colon - listen);
    const char *h = listen;
    if (hl >= 2 && listen[0] == '[' && listen[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    if (hl >= sizeof host)
        return zc_diag_set(diag, ZC_ERR_INVALID, "listen: host name too long");
    memcpy(host, h, hl);
    host[hl] = '\0';
    const char *port = colon + 1;
    for (const char *p = port; *p; p++)
        if (*p < '0' || *p > '9')
            return zc_diag_set(diag, ZC_ERR_INVALID, "listen: port '%s' is not a number", port);
    if (strtol(port, NULL, 10) > UINT16_MAX)
        return zc_diag_set(diag, ZC_ERR_INVALID, "listen: port %s is out of range", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    int rc = getaddrinfo(host, port, &hints, &ai);
    if (rc != 0 || !ai)
        return zc_diag_set(diag, ZC_ERR_INVALID, "listen: %s: %s", host, gai_strerror(rc));
    memcpy(addr, ai->ai_addr, ai->ai_addrlen);
    *ipv6 = ai->ai_family == AF_INET6;
    freeaddrinfo(ai);
    return ZC_OK;
}

zc_err zc_hubhttp_start(zc_hub *hub, const zc_hubhttp_opts *opts, zc_hubhttp **out, zc_diag *diag)
{
    *out = NULL;
    zc_hubhttp *s = calloc(1, sizeof *s);
    if (!s)
        return ZC_ERR_NOMEM;
    s->hub = hub;
    s->log = opts->log;
    bool ipv6 = false;
    zc_err err = resolve_listen(opts->listen, &s->addr, &ipv6, diag);
    if (err) {
        free(s);
        return err;
    }
    if (opts->web_dir) {
        s->web_dir = realpath(opts->web_dir, NULL);
        struct stat st;
        if (!s->web_dir || stat(s->web_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            free(s->web_dir);
            free(s);
            return zc_diag_set(diag, ZC_ERR_INVALID, "web: %s is not a directory", opts->web_dir);
        }
    }
    unsigned threads = opts->threads > 0 ? (unsigned)opts->threads : HTTP_THREADS_DEFAULT;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | (ipv6 ? MHD_USE_IPv6 : 0);
    errno = 0;
    s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                                 (struct sockaddr *)&s->addr, MHD_OPTION_THREAD_POOL_SIZE, threads,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_CONNECTION_TIMEOUT_S,
                                 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONNECTION_MEMORY,
                                 MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    if (!s->daemon) {
        int e = errno;
        free(s->web_dir);
        free(s);
        return zc_diag_set(diag, ZC_ERR_IO, "cannot listen on %s: %s", opts->listen,
                           e ? strerror(e) : "libmicrohttpd refused to start");
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    *out = s;
    return ZC_OK;
}

uint16_t zc_hubhttp_port(const zc_hubhttp *server)
{
    return server->port;
}

void zc_hubhttp_stop(zc_hubhttp *server)
{
    if (!server)
        return;
    MHD_stop_daemon(server->daemon);
    free(server->web_dir);
    free(server);
}
