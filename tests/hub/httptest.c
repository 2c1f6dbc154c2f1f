#include "httptest.h"

#include "zc/datadir.h"
#include "zc/syncwire.h"

#include <curl/curl.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
    ZT_TIMEOUT_MS = 30000,
    ZT_RAW_QUIET_MS = 1000, /* a raw exchange ends when the server says nothing for this long */
    ZT_RAW_CHUNK = 65536,
    ZT_HEADER_LINE_MAX = 512,
    ZT_NS_PER_MS = 1000000,
    ZT_MS_PER_S = 1000,
    ZT_HTTP_OK = 200,
};

typedef struct growbuf {
    char *data;
    size_t len;
} growbuf;

static void grow_append(growbuf *b, const void *data, size_t n)
{
    char *d = realloc(b->data, b->len + n + 1);
    assert_non_null(d);
    memcpy(d + b->len, data, n);
    b->data = d;
    b->len += n;
    b->data[b->len] = '\0';
}

static size_t on_data(char *ptr, size_t size, size_t n, void *ctx)
{
    grow_append(ctx, ptr, size * n);
    return size * n;
}

void zt_hub_start(zt_hub *h, const char *backend, const char *tag, const char *web_dir)
{
    memset(h, 0, sizeof *h);
    zc_hubtest_db_url(backend, tag, h->db_url, sizeof h->db_url);
    zc_hub_opts hopts = {.db_url = h->db_url};
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_open(&hopts, &h->hub, &diag);
    if (err)
        fail_msg("zc_hub_open %s: %s", h->db_url, diag.msg);
    zc_hubhttp_opts opts = {.listen = "127.0.0.1:0", .web_dir = web_dir, .threads = 4};
    if ((err = zc_hubhttp_start(h->hub, &opts, &h->http, &diag)))
        fail_msg("zc_hubhttp_start: %s", diag.msg);
    h->port = zc_hubhttp_port(h->http);
    assert_true(h->port > 0);
    snprintf(h->base, sizeof h->base, "http://127.0.0.1:%u", (unsigned)h->port);
}

void zt_hub_stop(zt_hub *h)
{
    zc_hubhttp_stop(h->http);
    zc_hub_close(h->hub);
    memset(h, 0, sizeof *h);
}

void zt_resp_free(zt_resp *r)
{
    free(r->body);
    free(r->headers);
    memset(r, 0, sizeof *r);
}

bool zt_resp_header(const zt_resp *r, const char *name, char *buf, size_t size)
{
    size_t n = strlen(name);
    for (const char *line = r->headers; line && *line;) {
        const char *end = strstr(line, "\r\n");
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > n && line[n] == ':' && strncasecmp(line, name, n) == 0) {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            size_t vl = (size_t)(line + len - v);
            if (vl >= size)
                vl = size - 1;
            memcpy(buf, v, vl);
            buf[vl] = '\0';
            return true;
        }
        line = end ? end + 2 : line + len;
    }
    return false;
}

json_t *zt_resp_json(const zt_resp *r)
{
    json_error_t jerr;
    json_t *o = r->body ? json_loadb(r->body, r->len, 0, &jerr) : NULL;
    if (!o)
        fail_msg("status %ld, body is not JSON: %.300s", r->status, r->body ? r->body : "(none)");
    return o;
}

void zt_assert_error(const zt_resp *r, long status, const char *code, char *buf, size_t size)
{
    if (r->status != status)
        fail_msg("status %ld, expected %ld: %.300s", r->status, status, r->body);
    json_t *o = zt_resp_json(r);
    const char *got = json_string_value(json_object_get(o, "error"));
    const char *msg = json_string_value(json_object_get(o, "message"));
    if (!got || strcmp(got, code) != 0 || !msg || !*msg)
        fail_msg("expected error %s with a message: %.300s", code, r->body);
    if (buf)
        snprintf(buf, size, "%s", msg);
    json_decref(o);
}

void zt_request(const zt_hub *h, const char *method, const char *target, const char *const *headers,
                const void *body, size_t len, zt_resp *out)
{
    memset(out, 0, sizeof *out);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    size_t url_len = strlen(h->base) + strlen(target) + 1;
    char *url = malloc(url_len);
    assert_non_null(url);
    snprintf(url, url_len, "%s%s", h->base, target);
    growbuf b = {0}, hd = {0};
    struct curl_slist *list = NULL;
    for (const char *const *p = headers; p && *p; p++)
        list = curl_slist_append(list, *p);
    /* No "Expect: 100-continue" round trip; no content type claims: the hub trusts neither. */
    list = curl_slist_append(list, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &hd);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)ZT_TIMEOUT_MS);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        fail_msg("%s %s: %s", method, target, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    free(url);
    if (!b.data)
        grow_append(&b, "", 0);
    out->body = b.data;
    out->len = b.len;
    out->headers = hd.data;
}

void zt_get(const zt_hub *h, const char *target, zt_resp *out)
{
    zt_request(h, "GET", target, NULL, NULL, 0, out);
}

void zt_post(const zt_hub *h, const char *target, const char *json, zt_resp *out)
{
    zt_request(h, "POST", target, NULL, json, strlen(json), out);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * ZT_MS_PER_S + ts.tv_nsec / ZT_NS_PER_MS;
}

void zt_signed(const zt_hub *h, const zc_keypair *key, const char *device, const char *method,
               const char *target, const void *body, size_t len, int64_t time_ms, zt_resp *out)
{
    zc_syncwire_auth auth;
    if (!body)
        body = "";
    assert_int_equal(zc_syncwire_sign(key, device, method, target, time_ms ? time_ms : now_ms(),
                                      body, len, &auth),
                     ZC_OK);
    char hd[4][ZT_HEADER_LINE_MAX];
    snprintf(hd[0], sizeof hd[0], "%s: %s", ZC_SYNC_HDR_DEVICE, auth.device);
    snprintf(hd[1], sizeof hd[1], "%s: %s", ZC_SYNC_HDR_TIME, auth.time);
    snprintf(hd[2], sizeof hd[2], "%s: %s", ZC_SYNC_HDR_NONCE, auth.nonce);
    snprintf(hd[3], sizeof hd[3], "%s: %s", ZC_SYNC_HDR_SIGNATURE, auth.signature);
    const char *const headers[] = {hd[0], hd[1], hd[2], hd[3], NULL};
    zt_request(h, method, target, headers, strcmp(method, "GET") == 0 ? NULL : body, len, out);
}

/* POSTs {k1: v1, k2: v2} to target and fails the test unless the answer is 200 (what names it). */
static void post_pair(const zt_hub *h, const char *target, const char *k1, const char *v1,
                      const char *k2, const char *v2, const char *what, zt_resp *r)
{
    json_t *req = json_pack("{s:s,s:s}", k1, v1, k2, v2);
    char *text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    assert_non_null(text);
    zt_post(h, target, text, r);
    free(text);
    if (r->status != ZT_HTTP_OK)
        fail_msg("%s: %ld %s", what, r->status, r->body);
}

void zt_enrol(const zt_hub *h, const char *canteen, zc_keypair *key, char device[ZC_ID_MAX])
{
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_canteen_add(h->hub, canteen, canteen, "320202", "Asia/Shanghai", &diag);
    assert_true(err == ZC_OK || err == ZC_ERR_EXISTS);
    char code[ZC_HUB_CODE_MAX];
    zc_ms expires;
    assert_int_equal(zc_hub_enrol_code_new(h->hub, canteen, code, &expires, &diag), ZC_OK);
    assert_int_equal(zc_keys_generate(key), ZC_OK);
    char pk[ZC_PUBKEY_TEXT_SIZE], id[ZC_ID_MAX];
    zc_keys_public_text(key->pk, pk);
    zc_datadir_device_id(key->pk, id);
    /* Signed by the new key itself, as the kiosk's agent does (PROTOCOL.md, POST /v1/enrol). */
    json_t *req = json_pack("{s:s,s:s}", "code", code, "public_key", pk);
    char *text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    assert_non_null(text);
    zt_resp r;
    zt_signed(h, key, id, "POST", "/v1/enrol", text, strlen(text), 0, &r);
    free(text);
    if (r.status != ZT_HTTP_OK)
        fail_msg("enrol: %ld %s", r.status, r.body);
    json_t *o = zt_resp_json(&r);
    const char *given = json_string_value(json_object_get(o, "device_id"));
    assert_non_null(given);
    assert_string_equal(given, id);
    strcpy(device, given);
    json_decref(o);
    zt_resp_free(&r);
}

void zt_console_login(const zt_hub *h, const char *name, const char *role, zt_session *out)
{
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_user_add(h->hub, name, role, ZT_PASSWORD, &diag);
    if (err && err != ZC_ERR_EXISTS)
        fail_msg("user add %s %s: %s", name, role, diag.msg);
    zt_resp r;
    post_pair(h, "/admin/api/login", "name", name, "password", ZT_PASSWORD, "login", &r);
    char set_cookie[ZT_TOKEN_MAX * 2];
    assert_true(zt_resp_header(&r, "Set-Cookie", set_cookie, sizeof set_cookie));
    set_cookie[strcspn(set_cookie, ";")] = '\0';
    snprintf(out->cookie, sizeof out->cookie, "Cookie: %.100s", set_cookie);
    json_t *o = zt_resp_json(&r);
    const char *csrf = json_string_value(json_object_get(o, "csrf"));
    assert_non_null(csrf);
    snprintf(out->csrf, sizeof out->csrf, "X-CSRF-Token: %s", csrf);
    json_decref(o);
    zt_resp_free(&r);
}

void zt_console(const zt_hub *h, const zt_session *c, bool csrf, const char *method,
                const char *target, const char *json, zt_resp *out)
{
    const char *const headers[] = {c->cookie, csrf ? c->csrf : NULL, NULL};
    zt_request(h, method, target, headers, json, json ? strlen(json) : 0, out);
}

void zt_raw(const zt_hub *h, const void *bytes, size_t len, zt_resp *out)
{
    memset(out, 0, sizeof *out);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(h->port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    /* The server may answer (and close) before it has read everything, as it does for a body
     * over the limit: sending stops as soon as there is something to read. */
    for (size_t off = 0; off < len;) {
        struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT};
        if (poll(&p, 1, ZT_TIMEOUT_MS) <= 0 || (p.revents & (POLLIN | POLLERR | POLLHUP)))
            break;
        size_t piece = len - off < ZT_RAW_CHUNK ? len - off : ZT_RAW_CHUNK;
        ssize_t n = send(fd, (const char *)bytes + off, piece, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    growbuf b = {0};
    char *chunk = malloc(ZT_RAW_CHUNK);
    assert_non_null(chunk);
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, ZT_RAW_QUIET_MS) <= 0)
            break;
        ssize_t n = recv(fd, chunk, ZT_RAW_CHUNK, 0);
        if (n <= 0)
            break;
        grow_append(&b, chunk, (size_t)n);
    }
    free(chunk);
    close(fd);
    if (!b.data)
        grow_append(&b, "", 0);
    long status = 0;
    sscanf(b.data, "HTTP/1.%*c %ld", &status);
    out->status = status;
    /* Headers and body split at the first blank line. */
    char *sep = strstr(b.data, "\r\n\r\n");
    if (sep) {
        size_t hl = (size_t)(sep - b.data) + 2;
        out->headers = strndup(b.data, hl);
        out->body = strdup(sep + 4);
        out->len = strlen(out->body);
        char cl[ZT_BASE_MAX];
        /* Only this answer's body: a second answer may follow on the same connection. */
        if (zt_resp_header(out, "Content-Length", cl, sizeof cl) &&
            strtoul(cl, NULL, 10) < out->len) {
            out->len = strtoul(cl, NULL, 10);
            out->body[out->len] = '\0';
        }
        free(b.data);
    } else {
        out->body = b.data;
        out->len = b.len;
    }
}
