/*
 * What the hub's HTTP files share (internal to app/hub): one request as the route handlers see
 * it, the answer they build, and the helpers that keep every answer in PROTOCOL.md's shape.
 *
 * hubhttp.c owns libmicrohttpd: it accumulates the body (bounded), takes the request-target
 * exactly as the client sent it, and turns a zc_hubapi_resp into bytes with the security headers.
 * The route files (hub_api_kiosk.c, hub_api_admin.c) never see libmicrohttpd's types, so a route
 * is a plain function from request to answer.
 */
#ifndef ZC_HUBAPI_H
#define ZC_HUBAPI_H

#include "zc/hub.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct zc_hubapi_req zc_hubapi_req;

enum { ZC_HUBAPI_NOTE_MAX = ZC_DIAG_MAX + 64 };

/* The answer a handler builds: a JSON value, or other bytes (body, malloc'd). The server frees
 * both, and adds "hub_time" to every JSON object answered under /v1. */
typedef struct zc_hubapi_resp {
    int status;
    json_t *json;
    char *body;
    size_t len;
    const char *content_type;      /* static string */
    char *set_cookie;              /* malloc'd Set-Cookie value, or NULL */
    char *content_disposition;     /* malloc'd, or NULL */
    char note[ZC_HUBAPI_NOTE_MAX]; /* why a 500 happened: logged, never sent */
} zc_hubapi_resp;

/* The parts of a request the handlers read. */
zc_hub *zc_hubapi_hub(const zc_hubapi_req *req);
const char *zc_hubapi_method(const zc_hubapi_req *req);
/* The request-target exactly as on the request line: path and query, nothing unescaped. */
const char *zc_hubapi_target(const zc_hubapi_req *req);
/* The percent-decoded path without its query. */
const char *zc_hubapi_path(const zc_hubapi_req *req);
const void *zc_hubapi_body(const zc_hubapi_req *req, size_t *len);
/* A request header, NULL when missing. */
const char *zc_hubapi_header(const zc_hubapi_req *req, const char *name);
/* A cookie's value, NULL when missing. */
const char *zc_hubapi_cookie(const zc_hubapi_req *req, const char *name);

/*
 * The first query parameter called name, percent-decoded ('+' is a space), malloc'd into *out;
 * *out NULL when absent. ZC_ERR_INVALID (diag names it) for a bad escape or a NUL byte.
 */
zc_err zc_hubapi_query(const zc_hubapi_req *req, const char *name, char **out, zc_diag *diag);

/* Parses the body as a JSON object; on failure answers 400 naming where, and returns false. */
bool zc_hubapi_body_object(const zc_hubapi_req *req, zc_hubapi_resp *resp, json_t **out);

/* The query parameter zc_hubapi_query reads (*out NULL when absent); answers 400 for a bad one. */
bool zc_hubapi_query_text(const zc_hubapi_req *req, zc_hubapi_resp *resp, const char *name,
                          char **out);

/* A query parameter as a whole number in [min, max], dflt when absent; answers 400 otherwise. */
bool zc_hubapi_query_int(const zc_hubapi_req *req, zc_hubapi_resp *resp, const char *name,
                         int64_t dflt, int64_t min, int64_t max, int64_t *out);

/* An id of a canteen or device as it may stand in a URL or a header: 1-63 of [A-Za-z0-9_-]. */
bool zc_hubapi_id_valid(const char *s);

/* "YYYY-MM" (years 1-9999), as the console's and the command line's month arguments. */
bool zc_hubapi_month_parse(const char *text, int *year, int *month);

/* Answers 400 bad_request "key: what". */
void zc_hubapi_bad_request(zc_hubapi_resp *resp, const char *key, const char *what);

/* Answers status with o as compact JSON (takes the reference; NULL answers 500). */
void zc_hubapi_json(zc_hubapi_resp *resp, int status, json_t *o);
/* Answers {"error":code,"message":...}. */
void zc_hubapi_error(zc_hubapi_resp *resp, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Answers the error a service call returned: INVALID 400, CRYPTO 401, NOT_FOUND 404,
 * EXISTS 409, anything else 500 (the detail logged, not shown). */
void zc_hubapi_fail(zc_hubapi_resp *resp, zc_err err, const zc_diag *diag);
/* A service call's outcome: 200 with o when err is ZC_OK, else zc_hubapi_fail (o is dropped). */
void zc_hubapi_answer(zc_hubapi_resp *resp, zc_err err, const zc_diag *diag, json_t *o);
/* The same for a list the call made: 200 with {key: list}. */
void zc_hubapi_answer_list(zc_hubapi_resp *resp, zc_err err, const zc_diag *diag, const char *key,
                           json_t *list);

enum {
    ZC_HTTP_OK = 200,
    ZC_HTTP_BAD_REQUEST = 400,
    ZC_HTTP_UNAUTHORIZED = 401,
    ZC_HTTP_FORBIDDEN = 403,
    ZC_HTTP_NOT_FOUND = 404,
    ZC_HTTP_METHOD_NOT_ALLOWED = 405,
    ZC_HTTP_CONFLICT = 409,
    ZC_HTTP_TOO_LARGE = 413,
    ZC_HTTP_URI_TOO_LONG = 414,
    ZC_HTTP_INTERNAL = 500,
};

/*
 * A route: an exact path, or a prefix when the pattern ends in '*' (the rest is the handler's
 * argument, e.g. the canteen of /admin/api/menus/C0107). method NULL matches any method.
 */
typedef void (*zc_hubapi_handler)(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp);
typedef struct zc_hubapi_route {
    const char *method;
    const char *pattern;
    zc_hubapi_handler handler;
} zc_hubapi_route;

/* The route tables of the two APIs, each ending with a NULL pattern. */
extern const zc_hubapi_route ZC_HUBAPI_KIOSK_ROUTES[];
extern const zc_hubapi_route ZC_HUBAPI_ADMIN_ROUTES[];

/*
 * A QR code of text (ECC level M) as a standalone SVG: one <path> of the dark modules, a quiet
 * zone of four modules. *out malloc'd. ZC_ERR_INVALID when text does not fit a QR code.
 */
zc_err zc_qrsvg(const char *text, char **out, zc_diag *diag);

#endif
