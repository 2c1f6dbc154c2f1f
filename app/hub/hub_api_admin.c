/*
 * The administrators' console API (/admin/api, PROTOCOL.md): a session cookie, a CSRF token on
 * every POST, and roles. admin: everything. viewer: every GET but the elder cards (their QR text
 * is a credential). canteen manager: its own canteen's kiosks, reports, menu and anomalies, and
 * the canteens and rules everyone reads; never the roster (names and birth dates of every
 * elder), enrolment codes (a code gives the region key), the settlement (every canteen) or
 * another canteen. Every route is the HTTP face of one zc_hub_* operation, so the console and
 * `zhucan-hub admin` always do the same thing.
 */
#include "hubapi.h"

#include "zc/quotejson.h"
#include "zc/rules.h"
#include "zc/tz.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_COOKIE "zc_session"
#define CSRF_HEADER "X-CSRF-Token"
#define COOKIE_ATTRS "HttpOnly; SameSite=Strict; Path=/"

enum {
    ADMIN_LIST_DEFAULT = 50, /* roster rows per page by default */
    ADMIN_LIST_MAX = 1000,   /* roster rows or anomalies in one answer */
    ADMIN_ANOMALIES_DEFAULT = 100,
    ADMIN_IDS_MAX = 10000,   /* elders named in one QR or cards request */
    ADMIN_IDS_TEXT_MAX = 19, /* digits of one elder id */
    ADMIN_COOKIE_MAX = 160,
    ADMIN_DISPOSITION_MAX = 80,
};

/* "canteen" of a permission check that spans every canteen (settlement): managers may not. */
static const char ALL_CANTEENS[] = "";

/* ---- session, CSRF and roles ---- */

static bool is_post(const zc_hubapi_req *req)
{
    return strcmp(zc_hubapi_method(req), "POST") == 0;
}

static bool hex_token(const char *s)
{
    if (!s || strlen(s) != ZC_HUB_TOKEN_HEX)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')))
            return false;
    return true;
}

/* The session's user and, for a POST, its CSRF token; answers 401 or 403 otherwise. */
static bool session_check(const zc_hubapi_req *req, zc_hubapi_resp *resp, zc_hub_user *user,
                          char token[ZC_HUB_TOKEN_HEX + 1])
{
    const char *cookie = zc_hubapi_cookie(req, SESSION_COOKIE);
    zc_diag diag = {{0}, 0};
    if (!hex_token(cookie) || zc_hub_session(zc_hubapi_hub(req), cookie, user, &diag)) {
        zc_hubapi_error(resp, ZC_HTTP_UNAUTHORIZED, "unauthorized", "please log in");
        return false;
    }
    if (token)
        memcpy(token, cookie, ZC_HUB_TOKEN_HEX + 1);
    if (is_post(req)) {
        const char *csrf = zc_hubapi_header(req, CSRF_HEADER);
        if (!csrf || strlen(csrf) != strlen(user->csrf) ||
            sodium_memcmp(csrf, user->csrf, strlen(csrf)) != 0) {
            zc_hubapi_error(resp, ZC_HTTP_FORBIDDEN, "forbidden",
                            "the " CSRF_HEADER " header is missing or wrong");
            return false;
        }
    }
    return true;
}

/*
 * Whether the user's role allows this request. canteen: NULL when the request concerns no one
 * canteen, ALL_CANTEENS when it concerns every one of them. Answers 403 when not.
 */
static bool role_allows(const zc_hubapi_req *req, zc_hubapi_resp *resp, const zc_hub_user *user,
                        const char *canteen)
{
    bool write = is_post(req), allowed;
    switch (user->role) {
    case ZC_HUB_ADMIN:
        allowed = true;
        break;
    case ZC_HUB_VIEWER:
        allowed = !write;
        break;
    default:
        allowed = canteen ? strcmp(canteen, user->canteen) == 0 : !write;
        break;
    }
    if (!allowed)
        zc_hubapi_error(resp, ZC_HTTP_FORBIDDEN, "forbidden", "%s %s may not do this",
                        zc_hub_role_name(user->role), user->name);
    return allowed;
}

static bool enter(const zc_hubapi_req *req, zc_hubapi_resp *resp, const char *canteen,
                  zc_hub_user *user)
{
    return session_check(req, resp, user, NULL) && role_allows(req, resp, user, canteen);
}

/* Roles as a set, for the routes only some of them may use whatever the canteen. */
enum { ROLE_ADMIN = 1 << ZC_HUB_ADMIN, ROLE_VIEWER = 1 << ZC_HUB_VIEWER };

/* A session whose role is one of roles (and which role_allows); answers 401 or 403 otherwise. */
static bool enter_as(const zc_hubapi_req *req, zc_hubapi_resp *resp, unsigned roles,
                     zc_hub_user *user)
{
    if (!session_check(req, resp, user, NULL))
        return false;
    if (!(roles & (1u << user->role))) {
        zc_hubapi_error(resp, ZC_HTTP_FORBIDDEN, "forbidden", "%s %s may not do this",
                        zc_hub_role_name(user->role), user->name);
        return false;
    }
    return role_allows(req, resp, user, NULL);
}

static json_t *user_json(const zc_hub_user *u)
{
    return json_pack("{s:s,s:s,s:s?,s:s}", "name", u->name, "role", zc_hub_role_name(u->role),
                     "canteen", u->role == ZC_HUB_CANTEEN ? u->canteen : NULL, "csrf", u->csrf);
}

/* ---- reading requests ---- */

/* A string member: required, or optional (then *out stays dflt). NUL bytes are refused. */
static bool body_string(const json_t *body, const char *key, bool required, const char *dflt,
                        const char **out, zc_hubapi_resp *resp)
{
    json_t *v = json_object_get(body, key);
    *out = dflt;
    if (!v && !required)
        return true;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
        zc_hubapi_bad_request(resp, key, "must be a string");
        return false;
    }
    *out = json_string_value(v);
    return true;
}

/* A required query parameter; *out malloc'd. */
static bool query_required(const zc_hubapi_req *req, zc_hubapi_resp *resp, const char *name,
                           char **out)
{
    if (!zc_hubapi_query_text(req, resp, name, out))
        return false;
    if (!*out) {
        zc_hubapi_bad_request(resp, name, "is required");
        return false;
    }
    return true;
}

/* A required canteen id query parameter, checked for shape. */
static bool query_canteen(const zc_hubapi_req *req, zc_hubapi_resp *resp, char id[ZC_ID_MAX])
{
    char *text;
    if (!query_required(req, resp, "canteen", &text))
        return false;
    bool ok = zc_hubapi_id_valid(text);
    if (ok)
        memcpy(id, text, strlen(text) + 1);
    else
        zc_hubapi_bad_request(resp, "canteen", "must be a canteen id ([A-Za-z0-9_-], at most 63)");
    free(text);
    return ok;
}

static bool query_month(const zc_hubapi_req *req, zc_hubapi_resp *resp, int *year, int *month)
{
    char *text;
    if (!query_required(req, resp, "month", &text))
        return false;
    bool ok = zc_hubapi_month_parse(text, year, month);
    free(text);
    if (!ok)
        zc_hubapi_bad_request(resp, "month", "must be YYYY-MM");
    return ok;
}

/* The JSON text of a member (rules, elder) as the core parsers take it; *out malloc'd. */
static bool member_text(const json_t *body, const char *key, char **out, zc_hubapi_resp *resp)
{
    json_t *v = json_object_get(body, key);
    if (!json_is_object(v)) {
        zc_hubapi_bad_request(resp, key, "must be a JSON object");
        return false;
    }
    *out = json_dumps(v, JSON_COMPACT);
    if (!*out)
        zc_hubapi_fail(resp, ZC_ERR_NOMEM, NULL);
    return *out != NULL;
}

/* ---- session routes ---- */

static void set_cookie(zc_hubapi_resp *resp, const char *value, long max_age)
{
    resp->set_cookie = malloc(ADMIN_COOKIE_MAX);
    if (resp->set_cookie)
        snprintf(resp->set_cookie, ADMIN_COOKIE_MAX,
                 SESSION_COOKIE "=%s; " COOKIE_ATTRS "; Max-Age=%ld", value, max_age);
}

static void login(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    json_t *body;
    if (!zc_hubapi_body_object(req, resp, &body))
        return;
    const char *name, *password;
    if (body_string(body, "name", true, NULL, &name, resp) &&
        body_string(body, "password", true, NULL, &password, resp)) {
        char token[ZC_HUB_TOKEN_HEX + 1];
        zc_hub_user user;
        zc_diag diag = {{0}, 0};
        zc_err err = zc_hub_login(zc_hubapi_hub(req), name, password, token, &user, &diag);
        if (err == ZC_ERR_CRYPTO || err == ZC_ERR_INVALID || err == ZC_ERR_NOT_FOUND) {
            zc_hubapi_error(resp, ZC_HTTP_UNAUTHORIZED, "unauthorized", "wrong name or password");
        } else if (err) {
            zc_hubapi_fail(resp, err, &diag);
        } else {
            zc_hubapi_json(resp, ZC_HTTP_OK, user_json(&user));
            set_cookie(resp, token, (long)(ZC_HUB_SESSION_MS / ZC_MS_PER_SECOND));
        }
        sodium_memzero(token, sizeof token);
    }
    json_decref(body);
}

static void logout(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    zc_hub_user user;
    char token[ZC_HUB_TOKEN_HEX + 1];
    /* Anyone may end their own session, whatever their role. */
    if (!session_check(req, resp, &user, token))
        return;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_logout(zc_hubapi_hub(req), token, &diag);
    if (err) {
        zc_hubapi_fail(resp, err, &diag);
        return;
    }
    zc_hubapi_json(resp, ZC_HTTP_OK, json_pack("{s:b}", "ok", 1));
    set_cookie(resp, "", 0);
}

static void me(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    zc_hub_user user;
    if (enter(req, resp, NULL, &user))
        zc_hubapi_json(resp, ZC_HTTP_OK, user_json(&user));
}

static void kiosks(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    zc_hub_user user;
    if (!enter(req, resp, NULL, &user))
        return;
    json_t *list = NULL;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_kiosks(zc_hubapi_hub(req),
                               user.role == ZC_HUB_CANTEEN ? user.canteen : NULL, &list, &diag);
    zc_hubapi_answer_list(resp, err, &diag, "kiosks", list);
}

/* ---- canteens ---- */

static void canteens_get(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    zc_hub_user user;
    if (!enter(req, resp, NULL, &user))
        return;
    json_t *list = NULL;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_canteens(zc_hubapi_hub(req), &list, &diag);
    zc_hubapi_answer_list(resp, err, &diag, "canteens", list);
}

static void canteens_post(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    zc_hub_user user;
    json_t *body;
    if (!enter(req, resp, NULL, &user) || !zc_hubapi_body_object(req, resp, &body))
        return;
    const char *id, *name, *region, *timezone;
    if (body_string(body, "id", true, NULL, &id, resp) &&
        body_string(body, "name", true, NULL, &name, resp) &&
        body_string(body, "region", false, "", &region, resp) &&
        body_string(body, "timezone", false, ZC_TZ_DEFAULT, &timezone, resp)) {
        zc_diag diag = {{0}, 0};
        zc_err err = zc_hub_canteen_add(zc_hubapi_hub(req), id, name, region, timezone, &diag);
        zc_hubapi_answer(resp, err, &diag,
                         json_pack("{s:s,s:s,s:s,s:s,s:i}", "id", id, "name", name, "region",
                                   region, "timezone", timezone, "menu_version", 0));
    }
    json_decref(body);
}

/* The region of a canteen, "" when unknown. */
static void canteen_region(zc_hub *hub, const char *canteen, char region[ZC_ID_MAX])
{
    region[0] = '\0';
    json_t *list = NULL;
    if (!canteen || zc_hub_canteens(hub, &list, NULL))
        return;
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c)
    {
        const char *id = json_string_value(json_object_get(c, "id"));
        const char *r = json_string_value(json_object_get(c, "region"));
        if (id && r && strcmp(id, canteen) == 0 && strlen(r) < ZC_ID_MAX) {
            memcpy(region, r, strlen(r) + 1);
            break;
        }
    }
    json_decref(list);
}

/* ---- rules ---- */

/* An instant as ISO 8601 in the zone a rule set names (UTC when it names none we know). */
static json_t *iso_time(zc_ms t, const char *zone)
{
    zc_tz *tz = NULL;
    int32_t offset = 0;
    if (zone && zc_tz_open(NULL, zone, &tz, NULL) == ZC_OK) {
        offset = zc_tz_offset(tz, t);
        zc_tz_free(tz);
    }
    char buf[ZC_ISO8601_MAX];
    zc_time_format_iso8601(t, offset, buf, sizeof buf);
    return json_string(buf);
}

static void rules_get(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    zc_hub_user user;
    if (!enter(req, resp, NULL, &user))
        return;
    json_t *sets = NULL;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_rules_list(zc_hubapi_hub(req), &sets, &diag);
    if (err) {
        zc_hubapi_fail(resp, err, &diag);
        return;
    }
    size_t i;
    json_t *s;
    json_array_foreach(sets, i, s)
    {
        json_t *ms = json_object_get(s, "effective_from_ms");
        const char *zone =
            json_string_value(json_object_get(json_object_get(s, "rules"), "timezone"));
        if (json_is_integer(ms) && !json_object_get(s, "effective_from"))
            json_object_set_new(s, "effective_from", iso_time(json_integer_value(ms), zone));
    }
    zc_hubapi_json(resp, ZC_HTTP_OK, json_pack("{s:o}", "sets", sets));
}

/* What a rules route does with a rule set that parsed: text is body.rules as JSON text. */
typedef void (*rules_fn)(const zc_hubapi_req *req, const zc_hub_user *user, const json_t *body,
                         const char *text, const zc_rules *rules, zc_hubapi_resp *resp);

/*
 * The rules routes (administrators only): body.rules is parsed by the kiosk's own parser before fn
 * sees it, and a set that does not parse is answered 400 with the path-named violation.
 */
static void with_rules(const zc_hubapi_req *req, zc_hubapi_resp *resp, rules_fn fn)
{
    zc_hub_user user;
    json_t *body;
    if (!enter(req, resp, NULL, &user) || !zc_hubapi_body_object(req, resp, &body))
        return;
    char *text = NULL;
    zc_rules *rules = NULL;
    zc_diag diag = {{0}, 0};
    if (member_text(body, "rules", &text, resp)) {
        if (zc_rules_parse(text, strlen(text), NULL, &rules, &diag))
            zc_hubapi_error(resp, ZC_HTTP_BAD_REQUEST, "bad_request", "rules: %s", diag.msg);
        else
            fn(req, &user, body, text, rules, resp);
    }
    zc_rules_free(rules);
    free(text);
    json_decref(body);
}

static void check(const zc_hubapi_req *req, const zc_hub_user *user, const json_t *body,
                  const char *text, const zc_rules *rules, zc_hubapi_resp *resp)
{
    (void)req;
    (void)user;
    (void)body;
    (void)text;
    (void)rules;
    zc_hubapi_json(resp, ZC_HTTP_OK, json_pack("{s:b}", "ok", 1));
}

static void rules_check(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    with_rules(req, resp, check);
}

/* What rules/preview reads besides the rules: the elder, the price, the time and the canteen. */
static bool preview_input(const json_t *body, const zc_rules *rules, zc_quote_elder *elder,
                          zc_quote_input *in, zc_hubapi_resp *resp)
{
    char *elder_text;
    if (!member_text(body, "elder", &elder_text, resp))
        return false;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_quotejson_elder(elder_text, strlen(elder_text), elder, &diag);
    free(elder_text);
    if (err) {
        zc_hubapi_error(resp, ZC_HTTP_BAD_REQUEST, "bad_request", "%s", diag.msg);
        return false;
    }
    json_t *price = json_object_get(body, "price");
    if (!json_is_integer(price) || json_integer_value(price) < 0) {
        zc_hubapi_bad_request(resp, "price", "must be a whole number of fen, 0 or more");
        return false;
    }
    const char *at, *canteen;
    if (!body_string(body, "at", true, NULL, &at, resp) ||
        !body_string(body, "canteen", false, NULL, &canteen, resp))
        return false;
    if (zc_tz_parse_time(rules->tz, at, &in->at, &diag)) {
        zc_hubapi_error(resp, ZC_HTTP_BAD_REQUEST, "bad_request", "at: %s", diag.msg);
        return false;
    }
    in->elder = elder;
    in->price = json_integer_value(price);
    in->canteen = canteen;
    return true;
}

static void preview(const zc_hubapi_req *req, const zc_hub_user *user, const json_t *body,
                    const char *text, const zc_rules *rules, zc_hubapi_resp *resp)
{
    (void)user;
    (void)text;
    zc_quote_elder elder;
    zc_quote_input in = {0};
    char region[ZC_ID_MAX];
    if (!preview_input(body, rules, &elder, &in, resp))
        return;
    canteen_region(zc_hubapi_hub(req), in.canteen, region);
    in.canteen_region = region;
    zc_quote q;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_rules_quote(rules, &in, &q, &diag);
    if (err)
        zc_hubapi_fail(resp, err, &diag);
    else
        zc_hubapi_json(resp, ZC_HTTP_OK, zc_quote_to_json(&q));
}

static void rules_preview(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    with_rules(req, resp, preview);
}

static void publish(const zc_hubapi_req *req, const zc_hub_user *user, const json_t *body,
                    const char *text, const zc_rules *rules, zc_hubapi_resp *resp)
{
    const char *from_text;
    zc_ms from = -1;
    zc_diag diag = {{0}, 0};
    if (!body_string(body, "effective_from", false, NULL, &from_text, resp))
        return;
    if (from_text && zc_tz_parse_time(rules->tz, from_text, &from, &diag)) {
        zc_hubapi_error(resp, ZC_HTTP_BAD_REQUEST, "bad_request", "effective_from: %s", diag.msg);
        return;
    }
    int64_t version = 0;
    zc_ms effective = 0;
    zc_err err = zc_hub_rules_publish(zc_hubapi_hub(req), text, strlen(text), from, user->name,
                                      &version, &effective, &diag);
    zc_hubapi_answer(resp, err, &diag,
                     json_pack("{s:I,s:o}", "version", (json_int_t)version, "effective_from",
                               iso_time(effective, rules->timezone)));
}

static void rules_publish(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    with_rules(req, resp, publish);
}

/* ---- roster ---- */

/* body.csv, the text of an upload; answers 400 unless it is a string. */
static bool body_csv(const json_t *body, zc_hubapi_resp *resp, const char **text, size_t *len)
{
    json_t *csv = json_object_get(body, "csv");
    if (!json_is_string(csv)) {
        zc_hubapi_bad_request(resp, "csv", "must be a string");
        return false;
    }
    *text = json_string_value(csv);
    *len = json_string_length(csv);
    return true;
}

/* Answers a failed upload, with the line of the file that was wrong when there is one. */
static void fail_upload(zc_hubapi_resp *resp, zc_err err, const zc_diag *diag)
{
    zc_hubapi_fail(resp, err, diag);
    if (err == ZC_ERR_INVALID && diag->line > 0 && resp->json)
        json_object_set_new(resp->json, "line", json_integer(diag->line));
}

static void roster_upload(const zc_hubapi_req *req, zc_hubapi_resp *resp, bool dry_run)
{
    zc_hub_user user;
    json_t *body;
    if (!enter(req, resp, NULL, &user) || !zc_hubapi_body_object(req, resp, &body))
        return;
    const char *csv;
    size_t len;
    if (!body_csv(body, resp, &csv, &len)) {
        json_decref(body);
        return;
    }
    zc_hub_roster_stats st = {0};
    json_t *samples = NULL;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_roster_import(zc_hubapi_hub(req), csv, len, dry_run, &st,
                                      dry_run ? &samples : NULL, &diag);
    if (err) {
        fail_upload(resp, err, &diag);
    } else if (dry_run) {
        zc_hubapi_json(resp, ZC_HTTP_OK,
                       json_pack("{s:I,s:I,s:I,s:I,s:i,s:o}", "rows", (json_int_t)st.rows, "added",
                                 (json_int_t)st.added, "updated", (json_int_t)st.updated,
                                 "unchanged", (json_int_t)st.unchanged, "removed", 0, "samples",
                                 samples ? samples : json_array()));
    } else {
        zc_hubapi_json(resp, ZC_HTTP_OK,
                       json_pack("{s:I,s:I,s:I,s:I,s:I}", "rows", (json_int_t)st.rows, "added",
                                 (json_int_t)st.added, "updated", (json_int_t)st.updated,
                                 "unchanged", (json_int_t)st.unchanged, "version",
                                 (json_int_t)st.version));
    }
    json_decref(body);
}

static void roster_preview(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    roster_upload(req, resp, true);
}

static void roster_import(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    roster_upload(req, resp, false);
}

static void roster_get(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    zc_hub_user user;
    int64_t offset, limit;
    if (!enter_as(req, resp, ROLE_ADMIN | ROLE_VIEWER, &user) ||
        !zc_hubapi_query_int(req, resp, "offset", 0, 0, INT64_MAX, &offset) ||
        !zc_hubapi_query_int(req, resp, "limit", ADMIN_LIST_DEFAULT, 1, ADMIN_LIST_MAX, &limit))
        return;
    char *q = NULL;
    if (!zc_hubapi_query_text(req, resp, "q", &q))
        return;
    json_t *out = NULL;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_roster_list(zc_hubapi_hub(req), q ? q : "", offset, limit, &out, &diag);
    free(q);
    zc_hubapi_answer(resp, err, &diag, out);
}

static void roster_qr(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    zc_hub_user user;
    json_t *body;
    if (!enter(req, resp, NULL, &user) || !zc_hubapi_body_object(req, resp, &body))
        return;
    json_t *ids = json_object_get(body, "ids"), *all = json_object_get(body, "all_without");
    int64_t *list = NULL;
    size_t n = 0;
    bool ok = true;
    if (all && !json_is_boolean(all)) {
        zc_hubapi_bad_request(resp, "all_without", "must be true or false");
        ok = false;
    } else if (!json_is_true(all)) {
        if (!json_is_array(ids) || json_array_size(ids) == 0 ||
            json_array_size(ids) > ADMIN_IDS_MAX) {
            zc_hubapi_bad_request(resp, "ids", "must be an array of 1 to 10000 elder ids");
            ok = false;
        } else if (!(list = calloc(json_array_size(ids), sizeof *list))) {
            zc_hubapi_fail(resp, ZC_ERR_NOMEM, NULL);
            ok = false;
        } else {
            size_t i;
            json_t *v;
            json_array_foreach(ids, i, v)
            {
                if (!json_is_integer(v) || json_integer_value(v) <= 0) {
                    zc_hubapi_error(resp, ZC_HTTP_BAD_REQUEST, "bad_request",
                                    "ids[%zu]: must be an elder id", i);
                    ok = false;
                    break;
                }
                list[n++] = json_integer_value(v);
            }
        }
    }
    if (ok) {
        int64_t issued = 0;
        zc_diag diag = {{0}, 0};
        zc_err err =
            zc_hub_roster_issue_qr(zc_hubapi_hub(req), list, n, json_is_true(all), &issued, &diag);
        zc_hubapi_answer(resp, err, &diag, json_pack("{s:I}", "issued", (json_int_t)issued));
    }
    free(list);
    json_decref(body);
}

/* "1,2,3" into a malloc'd array. */
static bool parse_ids(const char *text, int64_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t max = 1;
    for (const char *p = text; *p; p++)
        max += *p == ',';
    if (max > ADMIN_IDS_MAX || !(*out = calloc(max, sizeof **out)))
        return false;
    for (const char *p = text;;) {
        size_t len = 0;
        while (p[len] >= '0' && p[len] <= '9')
            len++;
        if (len == 0 || len > ADMIN_IDS_TEXT_MAX || (p[len] != ',' && p[len] != '\0'))
            break;
        long long v = strtoll(p, NULL, 10);
        if (v <= 0)
            break;
        (*out)[(*n)++] = v;
        if (p[len] == '\0')
            return true;
        p += len + 1;
    }
    free(*out);
    *out = NULL;
    *n = 0;
    return false;
}

static void roster_cards(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    zc_hub_user user;
    char *text;
    if (!enter_as(req, resp, ROLE_ADMIN, &user) || !query_required(req, resp, "ids", &text))
        return;
    int64_t *ids;
    size_t n;
    bool ok = parse_ids(text, &ids, &n);
    free(text);
    if (!ok) {
        zc_hubapi_bad_request(resp, "ids", "must be elder ids separated by commas");
        return;
    }
    json_t *cards = NULL;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_roster_cards(zc_hubapi_hub(req), ids, n, &cards, &diag);
    free(ids);
    size_t i;
    json_t *c;
    json_array_foreach(err ? NULL : cards, i, c)
    {
        char *svg = NULL;
        const char *qr = json_string_value(json_object_get(c, "qr_text"));
        if (qr && (err = zc_qrsvg(qr, &svg, &diag)) == ZC_OK)
            json_object_set_new(c, "qr_svg", json_string(svg));
        free(svg);
        if (err)
            break;
    }
    if (err)
        json_decref(cards);
    zc_hubapi_answer_list(resp, err, &diag, "cards", cards);
}

/* ---- menus, enrolment codes ---- */

/* A request about the canteen its path names: an id of the wrong shape is no canteen (404). */
static bool enter_canteen(const zc_hubapi_req *req, zc_hubapi_resp *resp, const char *canteen,
                          zc_hub_user *user)
{
    if (!session_check(req, resp, user, NULL))
        return false;
    if (!zc_hubapi_id_valid(canteen)) {
        zc_hubapi_error(resp, ZC_HTTP_NOT_FOUND, "not_found", "no such canteen");
        return false;
    }
    return role_allows(req, resp, user, canteen);
}

static void menus_get(const zc_hubapi_req *req, const char *canteen, zc_hubapi_resp *resp)
{
    zc_hub_user user;
    if (!enter_canteen(req, resp, canteen, &user))
        return;
    int64_t version = 0;
    json_t *items = NULL;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_menu_get(zc_hubapi_hub(req), canteen, &version, &items, &diag);
    zc_hubapi_answer(resp, err, &diag,
                     json_pack("{s:I,s:o}", "version", (json_int_t)version, "items", items));
}

static void menus_post(const zc_hubapi_req *req, const char *canteen, zc_hubapi_resp *resp)
{
    zc_hub_user user;
    json_t *body;
    if (!enter_canteen(req, resp, canteen, &user) || !zc_hubapi_body_object(req, resp, &body))
        return;
    const char *csv;
    size_t len;
    if (body_csv(body, resp, &csv, &len)) {
        int64_t version = 0, rows = 0;
        zc_diag diag = {{0}, 0};
        zc_err err =
            zc_hub_menu_import(zc_hubapi_hub(req), canteen, csv, len, &version, &rows, &diag);
        if (err)
            fail_upload(resp, err, &diag);
        else
            zc_hubapi_json(
                resp, ZC_HTTP_OK,
                json_pack("{s:I,s:I}", "version", (json_int_t)version, "rows", (json_int_t)rows));
    }
    json_decref(body);
}

static void enrol_codes(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    zc_hub_user user;
    json_t *body;
    if (!enter_as(req, resp, ROLE_ADMIN, &user) || !zc_hubapi_body_object(req, resp, &body))
        return;
    const char *canteen = NULL;
    if (body_string(body, "canteen", true, NULL, &canteen, resp)) {
        char code[ZC_HUB_CODE_MAX] = "";
        zc_ms expires = 0;
        char *svg = NULL;
        zc_diag diag = {{0}, 0};
        zc_err err = zc_hub_enrol_code_new(zc_hubapi_hub(req), canteen, code, &expires, &diag);
        if (!err)
            err = zc_qrsvg(code, &svg, &diag);
        zc_hubapi_answer(resp, err, &diag,
                         json_pack("{s:s,s:I,s:s}", "code", code, "expires_ms", (json_int_t)expires,
                                   "qr_svg", svg));
        free(svg);
    }
    json_decref(body);
}

/* ---- reports, settlement, anomalies ---- */

/* A report request: the canteen in the query, which the user must be allowed to see. */
static bool enter_report(const zc_hubapi_req *req, zc_hubapi_resp *resp, zc_hub_user *user,
                         char canteen[ZC_ID_MAX])
{
    return session_check(req, resp, user, NULL) && query_canteen(req, resp, canteen) &&
           role_allows(req, resp, user, canteen);
}

static void report_day(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    zc_hub_user user;
    char canteen[ZC_ID_MAX], *date_text;
    if (!enter_report(req, resp, &user, canteen) || !query_required(req, resp, "date", &date_text))
        return;
    zc_date date;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_date_parse(date_text, strlen(date_text), &date, &diag);
    free(date_text);
    if (err) {
        zc_hubapi_error(resp, ZC_HTTP_BAD_REQUEST, "bad_request", "date: %s", diag.msg);
        return;
    }
    json_t *out = NULL;
    err = zc_hub_report_day(zc_hubapi_hub(req), canteen, date, &out, &diag);
    zc_hubapi_answer(resp, err, &diag, out);
}

static void report_month(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    zc_hub_user user;
    char canteen[ZC_ID_MAX];
    int year, month;
    if (!enter_report(req, resp, &user, canteen) || !query_month(req, resp, &year, &month))
        return;
    json_t *out = NULL;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_report_month(zc_hubapi_hub(req), canteen, year, month, &out, &diag);
    zc_hubapi_answer(resp, err, &diag, out);
}

static void settlement(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    zc_hub_user user;
    int year, month;
    if (!enter(req, resp, ALL_CANTEENS, &user) || !query_month(req, resp, &year, &month))
        return;
    char *csv = NULL;
    size_t len = 0;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_settlement_csv(zc_hubapi_hub(req), year, month, &csv, &len, &diag);
    if (err) {
        zc_hubapi_fail(resp, err, &diag);
        return;
    }
    resp->status = ZC_HTTP_OK;
    resp->body = csv;
    resp->len = len;
    resp->content_type = "text/csv; charset=utf-8";
    resp->content_disposition = malloc(ADMIN_DISPOSITION_MAX);
    if (resp->content_disposition)
        snprintf(resp->content_disposition, ADMIN_DISPOSITION_MAX,
                 "attachment; filename=\"settlement-%04d-%02d.csv\"", year, month);
}

static void anomalies(const zc_hubapi_req *req, const char *rest, zc_hubapi_resp *resp)
{
    (void)rest;
    zc_hub_user user;
    int64_t limit;
    if (!enter(req, resp, NULL, &user) ||
        !zc_hubapi_query_int(req, resp, "limit", ADMIN_ANOMALIES_DEFAULT, 1, ADMIN_LIST_MAX,
                             &limit))
        return;
    json_t *list = NULL;
    zc_diag diag = {{0}, 0};
    /* A canteen manager sees the anomalies of its own canteen. */
    zc_err err = zc_hub_anomalies(
        zc_hubapi_hub(req), user.role == ZC_HUB_CANTEEN ? user.canteen : NULL, limit, &list, &diag);
    zc_hubapi_answer_list(resp, err, &diag, "anomalies", list);
}

const zc_hubapi_route ZC_HUBAPI_ADMIN_ROUTES[] = {
    {"POST", "/admin/api/login", login},
    {"POST", "/admin/api/logout", logout},
    {"GET", "/admin/api/me", me},
    {"GET", "/admin/api/kiosks", kiosks},
    {"GET", "/admin/api/canteens", canteens_get},
    {"POST", "/admin/api/canteens", canteens_post},
    {"GET", "/admin/api/rules", rules_get},
    {"POST", "/admin/api/rules/check", rules_check},
    {"POST", "/admin/api/rules/preview", rules_preview},
    {"POST", "/admin/api/rules/publish", rules_publish},
    {"POST", "/admin/api/roster/preview", roster_preview},
    {"POST", "/admin/api/roster/import", roster_import},
    {"GET", "/admin/api/roster", roster_get},
    {"POST", "/admin/api/roster/qr", roster_qr},
    {"GET", "/admin/api/roster/cards", roster_cards},
    {"GET", "/admin/api/menus/*", menus_get},
    {"POST", "/admin/api/menus/*", menus_post},
    {"POST", "/admin/api/enrol-codes", enrol_codes},
    {"GET", "/admin/api/reports/day", report_day},
    {"GET", "/admin/api/reports/month", report_month},
    {"GET", "/admin/api/settlement.csv", settlement},
    {"GET", "/admin/api/anomalies", anomalies},
    {NULL, NULL, NULL},
};
