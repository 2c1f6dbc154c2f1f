/*
 * The sync agent's HTTP client: one libcurl easy handle, signed requests, bounded answers, and
 * the hub's error bodies turned into diagnostics people can act on.
 */
#include "sync_impl.h"

#include "zc/store.h"
#include "zc/syncwire.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    NS_PER_MS = 1000000,
    HTTP_OK = 200,
    HTTP_BAD_REQUEST = 400,
    HTTP_UNAUTHORIZED = 401,
    HTTP_FORBIDDEN = 403,
    HTTP_NOT_FOUND = 404,
    HTTP_CONFLICT = 409,
    HTTP_TOO_LARGE = 413,
    HEADER_MAX = 160, /* one "Name: value" request header */
};

struct zc_sync_client {
    CURL *curl;
    char url[ZC_SYNC_URL_MAX];
    const zc_keypair *key;
    char device_id[ZC_ID_MAX];
    zc_sync_abort_fn abort_fn;
    void *abort_ctx;
    /* The answer being received. */
    char *buf;
    size_t len, cap;
    bool too_large;
};

zc_ms zc_sync_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (zc_ms)ts.tv_sec * ZC_MS_PER_SECOND + ts.tv_nsec / NS_PER_MS;
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

zc_err zc_sync_check_url(const char *url, zc_diag *diag)
{
    if (!url || !(has_prefix(url, "http://") || has_prefix(url, "https://")))
        return zc_diag_set(diag, ZC_ERR_INVALID,
                           "hub URL '%s': must start with http:// or https://", url ? url : "");
    size_t n = strlen(url);
    if (n >= ZC_SYNC_URL_MAX || n >= ZC_META_VALUE_MAX)
        return zc_diag_set(diag, ZC_ERR_INVALID, "hub URL: longer than %d bytes",
                           ZC_META_VALUE_MAX - 1);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)url[i] <= ' ' || url[i] == '?' || url[i] == '#')
            return zc_diag_set(diag, ZC_ERR_INVALID, "hub URL '%s': white space, '?' or '#' in it",
                               url);
    return ZC_OK;
}

zc_err zc_sync_client_new(const char *url, zc_sync_client **out, zc_diag *diag)
{
    *out = NULL;
    zc_err err = zc_sync_check_url(url, diag);
    if (err)
        return err;
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        n--;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return zc_diag_set(diag, ZC_ERR_IO, "libcurl failed to initialise");
    zc_sync_client *c = calloc(1, sizeof *c);
    if (!c || !(c->curl = curl_easy_init())) {
        free(c);
        curl_global_cleanup();
        return zc_diag_set(diag, ZC_ERR_NOMEM, "libcurl: out of memory");
    }
    memcpy(c->url, url, n);
    c->url[n] = '\0';
    *out = c;
    return ZC_OK;
}

void zc_sync_client_free(zc_sync_client *client)
{
    if (!client)
        return;
    curl_easy_cleanup(client->curl);
    free(client->buf);
    free(client);
    curl_global_cleanup();
}

const char *zc_sync_client_url(const zc_sync_client *client)
{
    return client->url;
}

void zc_sync_client_identity(zc_sync_client *client, const zc_keypair *key, const char *device_id)
{
    client->key = key;
    snprintf(client->device_id, sizeof client->device_id, "%s", device_id);
}

void zc_sync_client_on_abort(zc_sync_client *client, zc_sync_abort_fn fn, void *ctx)
{
    client->abort_fn = fn;
    client->abort_ctx = ctx;
}

static size_t on_data(char *data, size_t size, size_t nmemb, void *ctx)
{
    zc_sync_client *c = ctx;
    size_t n = size * nmemb;
    if (n > ZC_SYNC_REPLY_MAX - c->len) {
        c->too_large = true;
        return 0; /* libcurl fails the transfer with CURLE_WRITE_ERROR */
    }
    if (c->len + n + 1 > c->cap) {
        size_t cap = c->cap ? c->cap : 4096;
        while (cap < c->len + n + 1)
            cap *= 2;
        char *p = realloc(c->buf, cap);
        if (!p)
            return 0;
        c->buf = p;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, data, n);
    c->len += n;
    c->buf[c->len] = '\0';
    return n;
}

static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    zc_sync_client *c = ctx;
    return c->abort_fn && c->abort_fn(c->abort_ctx) ? 1 : 0;
}

static zc_err http_error(long status, json_t *reply, const char *method, const char *path,
                         zc_diag *diag)
{
    const char *code = NULL, *message = NULL;
    if (json_is_object(reply)) {
        code = json_string_value(json_object_get(reply, "error"));
        message = json_string_value(json_object_get(reply, "message"));
    }
    zc_err err = status == HTTP_UNAUTHORIZED || status == HTTP_FORBIDDEN  ? ZC_ERR_CRYPTO
                 : status == HTTP_BAD_REQUEST || status == HTTP_TOO_LARGE ? ZC_ERR_INVALID
                 : status == HTTP_NOT_FOUND                               ? ZC_ERR_NOT_FOUND
                 : status == HTTP_CONFLICT                                ? ZC_ERR_EXISTS
                                                                          : ZC_ERR_IO;
    if (code && message)
        return zc_diag_set(diag, err, "hub: %ld %s: %s", status, code, message);
    return zc_diag_set(diag, err, "hub: HTTP %ld for %s %s", status, method, path);
}

static bool add_header(struct curl_slist **list, const char *header)
{
    struct curl_slist *l = curl_slist_append(*list, header);
    if (l)
        *list = l;
    return l != NULL;
}

/* The X-ZC-* headers of a signed request, added to list. */
static zc_err sign_headers(zc_sync_client *c, const char *method, const char *path, zc_ms time_ms,
                           const char *body, size_t len, struct curl_slist **list, zc_diag *diag)
{
    if (!c->key)
        return zc_diag_set(diag, ZC_ERR_INVALID, "hub: a signed request needs the device key");
    zc_syncwire_auth auth;
    zc_err err = zc_syncwire_sign(c->key, c->device_id, method, path, time_ms, body, len, &auth);
    if (err)
        return zc_diag_set(diag, err, "could not sign the request to %s", path);
    const char *names[] = {ZC_SYNC_HDR_DEVICE, ZC_SYNC_HDR_TIME, ZC_SYNC_HDR_NONCE,
                           ZC_SYNC_HDR_SIGNATURE};
    const char *values[] = {auth.device, auth.time, auth.nonce, auth.signature};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char h[HEADER_MAX];
        snprintf(h, sizeof h, "%s: %s", names[i], values[i]);
        if (!add_header(list, h))
            return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory");
    }
    return ZC_OK;
}

static zc_err perform(zc_sync_client *c, const char *method, const char *path, const char *body,
                      size_t len, struct curl_slist *headers, long *status, zc_diag *diag)
{
    char url[ZC_SYNC_URL_MAX + ZC_SYNC_PATH_MAX];
    snprintf(url, sizeof url, "%s%s", c->url, path);
    CURL *h = c->curl;
    c->len = 0;
    c->too_large = false;
    curl_easy_setopt(h, CURLOPT_URL, url);
    /* The path is signed as sent (PROTOCOL.md): libcurl must not normalise it. */
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS timeouts */
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)ZC_SYNC_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)ZC_SYNC_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_ABORTED_BY_CALLBACK)
        return zc_diag_set(diag, ZC_ERR_IO, "hub: %s %s abandoned (stopping)", method, path);
    if (rc == CURLE_WRITE_ERROR && c->too_large)
        return zc_diag_set(diag, ZC_ERR_INVALID, "hub: answer to %s %s is larger than %d bytes",
                           method, path, ZC_SYNC_REPLY_MAX);
    if (rc != CURLE_OK)
        return zc_diag_set(diag, ZC_ERR_IO, "hub: cannot reach %s: %s", c->url,
                           curl_easy_strerror(rc));
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    return ZC_OK;
}

zc_err zc_sync_client_call(zc_sync_client *c, const char *method, const char *path,
                           const json_t *body, bool sign, zc_ms sign_time_ms, json_t **reply,
                           zc_ms *hub_time_ms, zc_diag *diag)
{
    *reply = NULL;
    if (hub_time_ms)
        *hub_time_ms = 0;
    char *text = NULL;
    size_t len = 0;
    if (body) {
        if (!(text = json_dumps(body, JSON_COMPACT)))
            return zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory");
        len = strlen(text);
    }
    struct curl_slist *headers = NULL;
    zc_err err = ZC_OK;
    /* An empty Expect: keeps libcurl from waiting for "100 Continue" before a large batch. */
    if (!add_header(&headers, "Expect:") || !add_header(&headers, "Content-Type: application/json"))
        err = zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory");
    if (!err && sign)
        err = sign_headers(c, method, path, sign_time_ms, text ? text : "", len, &headers, diag);
    long status = 0;
    if (!err)
        err = perform(c, method, path, text, len, headers, &status, diag);
    curl_slist_free_all(headers);
    free(text);
    if (err)
        return err;

    json_error_t jerr;
    json_t *o = c->len ? json_loadb(c->buf, c->len, 0, &jerr) : NULL;
    if (status != HTTP_OK) {
        err = http_error(status, o, method, path, diag);
        json_decref(o);
        return err;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        return zc_diag_set(diag, ZC_ERR_INVALID, "hub: answer to %s %s is not a JSON object",
                           method, path);
    }
    if (hub_time_ms) {
        json_t *t = json_object_get(o, "hub_time");
        *hub_time_ms = json_is_integer(t) ? json_integer_value(t) : 0;
    }
    *reply = o;
    return ZC_OK;
}
