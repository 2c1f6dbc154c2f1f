#include "salestest.h"

#include "zc/bundle.h"
#include "zc/rulebook.h"
#include "zc/sell.h"

#include "hubtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { RECORDS_MAX = 100000 };

/*
 * Every test kiosk hashes ID numbers with this one region key, as the kiosks of one hub do, so
 * their rosters (imported in one order of hashes) give each elder the same roster id.
 */
static const uint8_t REGION_KEY[ZC_REGION_KEY_LEN] = {
    0x7a, 0x68, 0x75, 0x63, 0x61, 0x6e, 0x2d, 0x74, 0x65, 0x73, 0x74, 0x2d, 0x72, 0x65, 0x67, 0x69,
    0x6f, 0x6e, 0x2d, 0x6b, 0x65, 0x79, 0x2d, 0x66, 0x6f, 0x72, 0x2d, 0x68, 0x75, 0x62, 0x73, 0x21};

#define RULES_BODY                                                                                 \
    "\"schema\": \"zhucan.rules/1\", \"version\": 1,"                                              \
    " \"effective_from\": \"2026-01-01T00:00:00+08:00\", \"timezone\": \"Asia/Shanghai\","         \
    " \"meal_periods\": [{\"id\": \"breakfast\", \"start\": \"06:30\", \"end\": \"09:00\"},"       \
    "  {\"id\": \"lunch\", \"start\": \"10:30\", \"end\": \"13:30\"},"                             \
    "  {\"id\": \"dinner\", \"start\": \"16:30\", \"end\": \"19:00\"}],"                           \
    " \"age_tiers\": [{\"id\": \"60-69\", \"min_age\": 60, \"max_age\": 69, \"subsidy\": 200},"    \
    "  {\"id\": \"70-79\", \"min_age\": 70, \"max_age\": 79, \"subsidy\": 300},"                   \
    "  {\"id\": \"80+\", \"min_age\": 80, \"subsidy\": 500}],"                                     \
    " \"categories\": {\"tekun\": {\"subsidy\": 1000, \"waive_min_self_pay\": true},"              \
    "  \"dibao\": {\"subsidy\": 500}, \"shineng\": {\"subsidy\": 300}},"                           \
    " \"stacking\": \"max\", \"per_meal_cap\": 1000, \"min_self_pay\": 100,"                       \
    " \"limits\": {\"per_period\": 1, \"per_day\": 2, \"per_month\": 62},"                         \
    " \"registered_only\": true, \"regions\": [\"3202\"]"

const char ZC_SALESTEST_RULES[] = "{" RULES_BODY "}";
const char ZC_SALESTEST_RULES_FUNDERS[] =
    "{" RULES_BODY ", \"funders\": [{\"id\": \"city\", \"share\": 300},"
    " {\"id\": \"district\", \"rest\": true}]}";

zc_ms zc_salestest_at(const char *iso)
{
    zc_ms t = 0;
    assert_int_equal(zc_time_parse_iso8601(iso, &t, NULL), ZC_OK);
    return t;
}

void zc_salestest_kiosk_new(zc_salestest_kiosk *k, const char *canteen, const char *rules)
{
    char base[ZC_TEST_PATH_MAX], pub[ZC_TEST_PATH_MAX], sec[ZC_TEST_PATH_MAX],
        roster[ZC_TEST_PATH_MAX];
    memset(k, 0, sizeof *k);
    zt_mkdtemp(base, sizeof base);
    zt_join(k->dir, sizeof k->dir, base, "kiosk");
    zt_join(pub, sizeof pub, base, "rules.pub");
    zt_join(sec, sizeof sec, base, "rules.key");
    zc_keypair rules_key;
    assert_int_equal(zc_keys_generate(&rules_key), ZC_OK);
    assert_int_equal(zc_keys_write(&rules_key, sec, pub, NULL), ZC_OK);
    zc_datadir_init_opts o = {.canteen = canteen,
                              .rules_pubkey = pub,
                              .canteen_region = "320202",
                              .region_key = REGION_KEY};
    zc_diag d = {{0}, 0};
    if (zc_datadir_init(k->dir, &o, &d) || zc_datadir_open(k->dir, &k->dd, &d) ||
        zc_datadir_ledger(k->dd, &k->ledger, &d))
        fail_msg("making a kiosk: %s", d.msg);
    snprintf(roster, sizeof roster, "%s/../../assets/demo/roster.csv", ZC_SOURCE_DIR_TESTS);
    size_t len;
    char *csv = zt_read_file(roster, &len);
    if (zc_roster_import_csv(k->dd->store, k->dd->region_key, csv, len, NULL, &d))
        fail_msg("importing the demo roster: %s", d.msg);
    free(csv);
    char *bundle;
    assert_int_equal(zc_bundle_sign(&rules_key, rules, strlen(rules), &bundle, NULL), ZC_OK);
    if (zc_rulebook_install(k->dd->store, k->dd->rules_pk, bundle, strlen(bundle), 0, NULL, &d))
        fail_msg("installing rules: %s", d.msg);
    free(bundle);
}

void zc_salestest_kiosk_free(zc_salestest_kiosk *k)
{
    char base[ZC_TEST_PATH_MAX];
    zc_ledger_close(k->ledger);
    zc_datadir_close(k->dd);
    snprintf(base, sizeof base, "%s", k->dir);
    char *slash = strrchr(base, '/');
    if (slash)
        *slash = '\0';
    zt_rmtree(base);
    memset(k, 0, sizeof *k);
}

zc_sale zc_salestest_sell(zc_salestest_kiosk *k, const char *id_number, zc_fen price,
                          const char *when)
{
    zc_sell_request req = {.ident = ZC_IDENT_ID_CARD,
                           .credential = id_number,
                           .price = price,
                           .at = zc_salestest_at(when),
                           .paid = ZC_PAY_CASH};
    zc_sell_result r;
    zc_diag d = {{0}, 0};
    if (zc_sell(k->dd, k->ledger, &req, &r, &d))
        fail_msg("sale at %s: %s", when, d.msg);
    return r.sale;
}

int64_t zc_salestest_void(zc_salestest_kiosk *k, int64_t seq, const char *when)
{
    zc_sale v;
    zc_diag d = {{0}, 0};
    if (zc_sell_void(k->dd, k->ledger, seq, "wrong meal", zc_salestest_at(when), &v, &d))
        fail_msg("void of %lld: %s", (long long)seq, d.msg);
    return v.seq;
}

zc_syncwire_sale *zc_salestest_records(zc_salestest_kiosk *k, int64_t after, size_t *n)
{
    zc_syncwire_sale *recs = NULL;
    zc_diag d = {{0}, 0};
    if (zc_syncwire_sales_read(k->dd->store, after, RECORDS_MAX, &recs, n, &d))
        fail_msg("reading the kiosk's entries: %s", d.msg);
    return recs;
}

zc_ms zc_salestest_clock_read(void *clock)
{
    return ((const zc_salestest_clock *)clock)->now;
}

zc_hub *zc_salestest_hub_at(const char *url, zc_hub_clock_fn clock, void *ctx)
{
    zc_hub_opts o = {.db_url = url, .clock = clock, .clock_ctx = ctx};
    zc_hub *hub = NULL;
    zc_diag d = {{0}, 0};
    if (zc_hub_open(&o, &hub, &d))
        fail_msg("opening the hub on %s: %s", url, d.msg);
    return hub;
}

zc_hub *zc_salestest_hub(const char *backend, const char *tag, zc_hub_clock_fn clock, void *ctx)
{
    char url[ZC_HUBTEST_URL_MAX];
    zc_hubtest_db_url(backend, tag, url, sizeof url);
    return zc_salestest_hub_at(url, clock, ctx);
}

/* A new board's clock: enrolment signs with whatever time it has. */
#define ENROL_SIGNED_AT INT64_C(86400000)

zc_err zc_salestest_enrol_key(zc_hub *hub, const char *code, const uint8_t pk[ZC_PUBKEY_LEN],
                              const zc_keypair *signer, zc_hub_enrolment *e, zc_diag *d)
{
    static const char PATH[] = "/v1/enrol";
    char pk_text[ZC_PUBKEY_TEXT_SIZE], device[ZC_ID_MAX];
    zc_keys_public_text(pk, pk_text);
    zc_datadir_device_id(pk, device);
    json_t *o = json_pack("{s:s,s:s}", "code", code, "public_key", pk_text);
    char *body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    assert_non_null(body);
    zc_syncwire_auth auth;
    zc_hub_request req = {.method = "POST", .path = PATH, .body = body, .body_len = strlen(body)};
    if (signer) {
        assert_int_equal(zc_syncwire_sign(signer, device, "POST", PATH, ENROL_SIGNED_AT, body,
                                          strlen(body), &auth),
                         ZC_OK);
        req.device = auth.device;
        req.time = auth.time;
        req.nonce = auth.nonce;
        req.signature = auth.signature;
    }
    zc_err err = zc_hub_enrol(hub, &req, code, pk, e, d);
    free(body);
    return err;
}

void zc_salestest_enrol(zc_salestest_kiosk *k, zc_hub *hub, const char *canteen)
{
    zc_diag d = {{0}, 0};
    zc_err err = zc_hub_canteen_add(hub, canteen, "幸福食堂", "320202", NULL, &d);
    if (err && err != ZC_ERR_EXISTS)
        fail_msg("adding canteen %s: %s", canteen, d.msg);
    char code[ZC_HUB_CODE_MAX];
    zc_hub_enrolment e;
    if (zc_hub_enrol_code_new(hub, canteen, code, NULL, &d) ||
        zc_salestest_enrol_key(hub, code, k->dd->device_key.pk, &k->dd->device_key, &e, &d))
        fail_msg("enrolling a kiosk: %s", d.msg);
    assert_string_equal(e.device_id, k->dd->device_id);
}

zc_hub_push_result zc_salestest_push(zc_hub *hub, const zc_salestest_kiosk *k,
                                     const zc_syncwire_sale *recs, size_t n)
{
    zc_hub_push_result r;
    zc_diag d = {{0}, 0};
    if (zc_hub_push(hub, k->dd->device_id, recs, n, &r, &d))
        fail_msg("push: %s", d.msg);
    return r;
}

size_t zc_salestest_anomalies(zc_hub *hub, const char *kind)
{
    json_t *list = NULL;
    zc_diag d = {{0}, 0};
    if (zc_hub_anomalies(hub, NULL, 1000, &list, &d))
        fail_msg("anomalies: %s", d.msg);
    size_t count = 0, i;
    json_t *a;
    json_array_foreach(list, i, a)
    {
        if (!kind || strcmp(json_string_value(json_object_get(a, "kind")), kind) == 0)
            count++;
    }
    json_decref(list);
    return count;
}
