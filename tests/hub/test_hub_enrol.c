/*
 * Enrolment and kiosk request authentication, on both backends: the hub's keys made once, codes
 * that work once and expire (on an injected clock), enrolment proving the key is held (a forged
 * one using up no code), re-enrolment moving a kiosk that has pushed nothing and refused for one
 * that has, and the refusals of signed requests (unknown device, bad signature, stale time,
 * replayed nonce) with the heartbeat's exemption from the clock check.
 */
#include "hubtest.h"
#include "salestest.h"

#include "zc/codec.h"
#include "zc/datadir.h"
#include "zc/hub.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char CODE_ALPHABET[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
static const char BODY[] = "{\"sales\":[]}";

enum { CODE_TEXT_LEN = 14, DASH_1 = 4, DASH_2 = 9 };

static void add_canteen(zc_hub *hub, const char *id, const char *region)
{
    zc_diag d = {{0}, 0};
    if (zc_hub_canteen_add(hub, id, "幸福食堂", region, "Asia/Shanghai", &d))
        fail_msg("canteen %s: %s", id, d.msg);
}

static void new_code(zc_hub *hub, const char *canteen, char code[ZC_HUB_CODE_MAX])
{
    zc_diag d = {{0}, 0};
    if (zc_hub_enrol_code_new(hub, canteen, code, NULL, &d))
        fail_msg("enrolment code: %s", d.msg);
}

static void test_keys_made_once(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        char url[ZC_HUBTEST_URL_MAX];
        zc_hubtest_db_url(*b, "enrol_keys", url, sizeof url);
        zc_salestest_clock clock = {zc_salestest_at("2026-03-02T09:00:00+08:00")};
        /* Two hubs on one new database agree on one key pair; a third, later, reads it too. */
        zc_hub *first = zc_salestest_hub_at(url, zc_salestest_clock_read, &clock),
               *second = zc_salestest_hub_at(url, zc_salestest_clock_read, &clock);
        uint8_t pk1[ZC_PUBKEY_LEN], pk2[ZC_PUBKEY_LEN], rk1[ZC_REGION_KEY_LEN],
            rk2[ZC_REGION_KEY_LEN], zero[ZC_REGION_KEY_LEN] = {0};
        zc_hub_rules_public_key(first, pk1);
        zc_hub_rules_public_key(second, pk2);
        zc_hub_region_key(first, rk1);
        zc_hub_region_key(second, rk2);
        assert_memory_equal(pk1, pk2, ZC_PUBKEY_LEN);
        assert_memory_equal(rk1, rk2, ZC_REGION_KEY_LEN);
        assert_memory_not_equal(rk1, zero, ZC_REGION_KEY_LEN);
        zc_hub_close(first);
        zc_hub_close(second);
        zc_hub *third = zc_salestest_hub_at(url, zc_salestest_clock_read, &clock);
        zc_hub_rules_public_key(third, pk2);
        zc_hub_region_key(third, rk2);
        assert_memory_equal(pk1, pk2, ZC_PUBKEY_LEN);
        assert_memory_equal(rk1, rk2, ZC_REGION_KEY_LEN);
        assert_int_equal(zc_hubtest_int(zc_hub_db(third), "SELECT COUNT(*) FROM hub_meta"), 2);
        zc_hub_close(third);
    }
}

static void test_code_works_once(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_salestest_clock clock = {zc_salestest_at("2026-03-02T09:00:00+08:00")};
        zc_hub *hub = zc_salestest_hub(*b, "enrol_once", zc_salestest_clock_read, &clock);
        add_canteen(hub, "C0107", "320202");
        char code[ZC_HUB_CODE_MAX];
        zc_ms expires = 0;
        zc_diag d = {{0}, 0};
        assert_int_equal(zc_hub_enrol_code_new(hub, "C0107", code, &expires, &d), ZC_OK);
        assert_int_equal(expires, clock.now + ZC_HUB_ENROL_CODE_MS);
        /* XXXX-XXXX-XXXX of symbols nobody misreads. */
        assert_int_equal(strlen(code), CODE_TEXT_LEN);
        for (int i = 0; i < CODE_TEXT_LEN; i++) {
            if (i == DASH_1 || i == DASH_2)
                assert_int_equal(code[i], '-');
            else
                assert_non_null(strchr(CODE_ALPHABET, code[i]));
        }
        /* Only the code's hash is stored. */
        assert_int_equal(zc_hubtest_int(zc_hub_db(hub), "SELECT COUNT(*) FROM enrol_code"), 1);
        char sql[ZC_HUBTEST_URL_MAX];
        snprintf(
            sql, sizeof sql,
            "SELECT COUNT(*) FROM enrol_code WHERE length(code_hash) = 64 AND code_hash <> '%s'"
            " AND used_by IS NULL",
            code);
        assert_int_equal(zc_hubtest_int(zc_hub_db(hub), sql), 1);

        zc_keypair kp, other;
        assert_int_equal(zc_keys_generate(&kp), ZC_OK);
        assert_int_equal(zc_keys_generate(&other), ZC_OK);
        zc_hub_enrolment e;
        if (zc_salestest_enrol_key(hub, code, kp.pk, &kp, &e, &d))
            fail_msg("%s: enrol: %s", *b, d.msg);
        char id[ZC_ID_MAX];
        zc_datadir_device_id(kp.pk, id);
        assert_string_equal(e.device_id, id);
        assert_string_equal(e.canteen, "C0107");
        assert_string_equal(e.canteen_region, "320202");
        assert_string_equal(e.timezone, "Asia/Shanghai");
        uint8_t pk[ZC_PUBKEY_LEN], rk[ZC_REGION_KEY_LEN];
        zc_hub_rules_public_key(hub, pk);
        zc_hub_region_key(hub, rk);
        assert_memory_equal(e.rules_pk, pk, ZC_PUBKEY_LEN);
        assert_memory_equal(e.region_key, rk, ZC_REGION_KEY_LEN);

        /* Used: refused, even for another kiosk. */
        assert_int_equal(zc_salestest_enrol_key(hub, code, other.pk, &other, &e, &d),
                         ZC_ERR_CRYPTO);
        assert_int_equal(zc_hubtest_int(zc_hub_db(hub), "SELECT COUNT(*) FROM device"), 1);
        /* Unknown, malformed: refused alike. */
        assert_int_equal(zc_salestest_enrol_key(hub, "ABCD-EFGH-JKLM", other.pk, &other, &e, &d),
                         ZC_ERR_CRYPTO);
        assert_int_equal(zc_salestest_enrol_key(hub, "", other.pk, &other, &e, &d), ZC_ERR_CRYPTO);
        assert_int_equal(zc_salestest_enrol_key(hub, "0O1I-0O1I-0O1I", other.pk, &other, &e, &d),
                         ZC_ERR_CRYPTO);
        /* Typed in lower case without dashes, a fresh code still works. */
        new_code(hub, "C0107", code);
        char typed[ZC_HUB_CODE_MAX];
        size_t n = 0;
        for (const char *p = code; *p; p++)
            if (*p != '-')
                typed[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        typed[n] = '\0';
        assert_int_equal(zc_salestest_enrol_key(hub, typed, other.pk, &other, &e, &d), ZC_OK);
        /* A code for a canteen that does not exist is not made. */
        assert_int_equal(zc_hub_enrol_code_new(hub, "C9999", code, NULL, &d), ZC_ERR_NOT_FOUND);
        zc_hub_close(hub);
    }
}

static void test_code_expires(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_salestest_clock clock = {zc_salestest_at("2026-03-02T09:00:00+08:00")};
        zc_hub *hub = zc_salestest_hub(*b, "enrol_expiry", zc_salestest_clock_read, &clock);
        add_canteen(hub, "C0107", "");
        char late[ZC_HUB_CODE_MAX], in_time[ZC_HUB_CODE_MAX];
        new_code(hub, "C0107", late);
        new_code(hub, "C0107", in_time);
        zc_keypair kp;
        assert_int_equal(zc_keys_generate(&kp), ZC_OK);
        zc_hub_enrolment e;
        zc_diag d = {{0}, 0};
        clock.now += ZC_HUB_ENROL_CODE_MS - 1;
        assert_int_equal(zc_salestest_enrol_key(hub, in_time, kp.pk, &kp, &e, &d), ZC_OK);
        clock.now += 1;
        assert_int_equal(zc_salestest_enrol_key(hub, late, kp.pk, &kp, &e, &d), ZC_ERR_CRYPTO);
        assert_non_null(strstr(d.msg, "expired"));
        zc_hub_close(hub);
    }
}

typedef struct racer {
    zc_hub *hub;
    const char *code;
    zc_keypair kp;
    zc_err err;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    zc_hub_enrolment e;
    r->err = zc_salestest_enrol_key(r->hub, r->code, r->kp.pk, &r->kp, &e, NULL);
    return NULL;
}

static void test_two_hubs_race_for_a_code(void **state)
{
    (void)state;
    enum { RACERS = 2, ROUNDS = 5 };
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        char url[ZC_HUBTEST_URL_MAX];
        zc_hubtest_db_url(*b, "enrol_race", url, sizeof url);
        zc_salestest_clock clock = {zc_salestest_at("2026-03-02T09:00:00+08:00")};
        zc_hub *hubs[RACERS] = {zc_salestest_hub_at(url, zc_salestest_clock_read, &clock),
                                zc_salestest_hub_at(url, zc_salestest_clock_read, &clock)};
        add_canteen(hubs[0], "C0107", "320202");
        for (int round = 0; round < ROUNDS; round++) {
            char code[ZC_HUB_CODE_MAX];
            new_code(hubs[0], "C0107", code);
            racer r[RACERS];
            pthread_t t[RACERS];
            for (int i = 0; i < RACERS; i++) {
                r[i] = (racer){.hub = hubs[i], .code = code};
                assert_int_equal(zc_keys_generate(&r[i].kp), ZC_OK);
                assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
            }
            int won = 0;
            for (int i = 0; i < RACERS; i++) {
                assert_int_equal(pthread_join(t[i], NULL), 0);
                if (r[i].err == ZC_OK)
                    won++;
                else
                    assert_int_equal(r[i].err, ZC_ERR_CRYPTO);
            }
            assert_int_equal(won, 1);
        }
        assert_int_equal(zc_hubtest_int(zc_hub_db(hubs[0]), "SELECT COUNT(*) FROM device"), ROUNDS);
        zc_hub_close(hubs[0]);
        zc_hub_close(hubs[1]);
    }
}

static void test_reenrol_moves_kiosk(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hub *hub = zc_salestest_hub(*b, "enrol_move", NULL, NULL);
        add_canteen(hub, "C0107", "320202");
        add_canteen(hub, "C0108", "320203");
        zc_keypair kp;
        assert_int_equal(zc_keys_generate(&kp), ZC_OK);
        char code[ZC_HUB_CODE_MAX];
        zc_hub_enrolment e;
        zc_diag d = {{0}, 0};
        new_code(hub, "C0107", code);
        assert_int_equal(zc_salestest_enrol_key(hub, code, kp.pk, &kp, &e, &d), ZC_OK);
        new_code(hub, "C0108", code);
        assert_int_equal(zc_salestest_enrol_key(hub, code, kp.pk, &kp, &e, &d), ZC_OK);
        assert_string_equal(e.canteen, "C0108");
        assert_string_equal(e.canteen_region, "320203");
        json_t *kiosks = NULL;
        assert_int_equal(zc_hub_kiosks(hub, NULL, &kiosks, &d), ZC_OK);
        assert_int_equal(json_array_size(kiosks), 1);
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(kiosks, 0), "canteen")), "C0108");
        json_decref(kiosks);
        assert_int_equal(zc_hub_kiosks(hub, "C0107", &kiosks, &d), ZC_OK);
        assert_int_equal(json_array_size(kiosks), 0);
        json_decref(kiosks);
        zc_hub_close(hub);
    }
}

/* How many codes are still unused. */
static int64_t codes_unused(zc_hub *hub)
{
    return zc_hubtest_int(zc_hub_db(hub), "SELECT COUNT(*) FROM enrol_code WHERE used_by IS NULL");
}

static void test_enrolment_proves_the_key(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hub *hub = zc_salestest_hub(*b, "enrol_possession", NULL, NULL);
        add_canteen(hub, "C0107", "320202");
        zc_keypair kp, thief;
        assert_int_equal(zc_keys_generate(&kp), ZC_OK);
        assert_int_equal(zc_keys_generate(&thief), ZC_OK);
        char code[ZC_HUB_CODE_MAX];
        new_code(hub, "C0107", code);
        zc_hub_enrolment e;
        zc_diag d = {{0}, 0};
        /* Unsigned, or signed by a key other than the one enrolled: refused, the code kept. */
        assert_int_equal(zc_salestest_enrol_key(hub, code, kp.pk, NULL, &e, &d), ZC_ERR_CRYPTO);
        assert_int_equal(zc_salestest_enrol_key(hub, code, kp.pk, &thief, &e, &d), ZC_ERR_CRYPTO);
        assert_int_equal(codes_unused(hub), 1);
        assert_int_equal(zc_hubtest_int(zc_hub_db(hub), "SELECT COUNT(*) FROM device"), 0);
        /* Signed as another device than the key's. */
        zc_hub_request req = {.method = "POST", .path = "/v1/enrol", .body = "{}", .body_len = 2};
        zc_syncwire_auth auth;
        char thief_id[ZC_ID_MAX];
        zc_datadir_device_id(thief.pk, thief_id);
        assert_int_equal(zc_syncwire_sign(&kp, thief_id, "POST", "/v1/enrol", 0, "{}", 2, &auth),
                         ZC_OK);
        req.device = auth.device;
        req.time = auth.time;
        req.nonce = auth.nonce;
        req.signature = auth.signature;
        assert_int_equal(zc_hub_enrol(hub, &req, code, kp.pk, &e, &d), ZC_ERR_CRYPTO);
        assert_int_equal(zc_hub_enrol(hub, NULL, code, kp.pk, &e, &d), ZC_ERR_CRYPTO);
        assert_int_equal(codes_unused(hub), 1);
        /* The holder of the key, its clock a day past 1970: enrolled with the same code. */
        assert_int_equal(zc_salestest_enrol_key(hub, code, kp.pk, &kp, &e, &d), ZC_OK);
        assert_int_equal(codes_unused(hub), 0);
        /* Nobody moves it by quoting its public key with a fresh code. */
        add_canteen(hub, "C0108", "320203");
        new_code(hub, "C0108", code);
        assert_int_equal(zc_salestest_enrol_key(hub, code, kp.pk, &thief, &e, &d), ZC_ERR_CRYPTO);
        json_t *kiosks = NULL;
        assert_int_equal(zc_hub_kiosks(hub, "C0107", &kiosks, &d), ZC_OK);
        assert_int_equal(json_array_size(kiosks), 1);
        json_decref(kiosks);
        assert_int_equal(codes_unused(hub), 1);
        zc_hub_close(hub);
    }
}

static void test_reenrol_after_sales_keeps_canteen(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hub *hub = zc_salestest_hub(*b, "enrol_keep", NULL, NULL);
        zc_salestest_kiosk k;
        zc_salestest_kiosk_new(&k, "C0107", ZC_SALESTEST_RULES);
        zc_salestest_enrol(&k, hub, "C0107");
        zc_salestest_sell(&k, ZC_SALESTEST_ELDER_80, 1500, "2026-03-02T11:00:00+08:00");
        size_t n;
        zc_syncwire_sale *recs = zc_salestest_records(&k, 0, &n);
        zc_salestest_push(hub, &k, recs, n);
        zc_syncwire_sales_free(recs, n);
        const zc_keypair *key = &k.dd->device_key;
        /* Another canteen: 409, the device where it was, the code unused. */
        add_canteen(hub, "C0108", "320203");
        char code[ZC_HUB_CODE_MAX];
        new_code(hub, "C0108", code);
        zc_hub_enrolment e;
        zc_diag d = {{0}, 0};
        assert_int_equal(zc_salestest_enrol_key(hub, code, key->pk, key, &e, &d), ZC_ERR_EXISTS);
        assert_non_null(strstr(d.msg, "C0107"));
        assert_int_equal(codes_unused(hub), 1);
        json_t *kiosks = NULL;
        assert_int_equal(zc_hub_kiosks(hub, "C0107", &kiosks, &d), ZC_OK);
        assert_int_equal(json_array_size(kiosks), 1);
        assert_int_equal(
            json_integer_value(json_object_get(json_array_get(kiosks, 0), "acked_seq")), 1);
        json_decref(kiosks);
        /* Its own canteen again is fine; the other code still works for a new kiosk. */
        char again[ZC_HUB_CODE_MAX];
        new_code(hub, "C0107", again);
        assert_int_equal(zc_salestest_enrol_key(hub, again, key->pk, key, &e, &d), ZC_OK);
        assert_string_equal(e.canteen, "C0107");
        zc_keypair fresh;
        assert_int_equal(zc_keys_generate(&fresh), ZC_OK);
        assert_int_equal(zc_salestest_enrol_key(hub, code, fresh.pk, &fresh, &e, &d), ZC_OK);
        assert_string_equal(e.canteen, "C0108");
        zc_salestest_kiosk_free(&k);
        zc_hub_close(hub);
    }
}

typedef struct signed_request {
    zc_syncwire_auth auth;
    zc_hub_request req;
} signed_request;

static void sign(signed_request *s, const zc_keypair *kp, const char *device, const char *path,
                 zc_ms at)
{
    assert_int_equal(zc_syncwire_sign(kp, device, "POST", path, at, BODY, strlen(BODY), &s->auth),
                     ZC_OK);
    s->req = (zc_hub_request){.method = "POST",
                              .path = path,
                              .device = s->auth.device,
                              .time = s->auth.time,
                              .nonce = s->auth.nonce,
                              .signature = s->auth.signature,
                              .body = BODY,
                              .body_len = strlen(BODY)};
}

static zc_err authenticate(zc_hub *hub, const signed_request *s, int64_t *skew, zc_diag *d)
{
    char device[ZC_ID_MAX];
    return zc_hub_authenticate(hub, &s->req, device, skew, d);
}

static void test_authentication(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_salestest_clock clock = {zc_salestest_at("2026-03-02T09:00:00+08:00")};
        zc_hub *hub = zc_salestest_hub(*b, "enrol_auth", zc_salestest_clock_read, &clock);
        add_canteen(hub, "C0107", "320202");
        zc_keypair kp, stranger;
        assert_int_equal(zc_keys_generate(&kp), ZC_OK);
        assert_int_equal(zc_keys_generate(&stranger), ZC_OK);
        char code[ZC_HUB_CODE_MAX], id[ZC_ID_MAX], stranger_id[ZC_ID_MAX];
        zc_hub_enrolment e;
        zc_diag d = {{0}, 0};
        new_code(hub, "C0107", code);
        assert_int_equal(zc_salestest_enrol_key(hub, code, kp.pk, &kp, &e, &d), ZC_OK);
        zc_datadir_device_id(kp.pk, id);
        zc_datadir_device_id(stranger.pk, stranger_id);

        signed_request s;
        int64_t skew = -1;
        char device[ZC_ID_MAX];
        sign(&s, &kp, id, "/v1/sales", clock.now + 1000);
        if (zc_hub_authenticate(hub, &s.req, device, &skew, &d))
            fail_msg("%s: a good request was refused: %s", *b, d.msg);
        assert_string_equal(device, id);
        assert_int_equal(skew, 1000);

        /* The same request again is a replay. */
        assert_int_equal(authenticate(hub, &s, &skew, &d), ZC_ERR_CRYPTO);
        assert_non_null(strstr(d.msg, "replay"));

        /* Unknown device: its own valid signature does not help. */
        sign(&s, &stranger, stranger_id, "/v1/sales", clock.now);
        assert_int_equal(authenticate(hub, &s, &skew, &d), ZC_ERR_CRYPTO);
        assert_non_null(strstr(d.msg, "not enrolled"));

        /* Bad signature: signed by another key, or the body changed after signing. */
        sign(&s, &stranger, id, "/v1/sales", clock.now);
        assert_int_equal(authenticate(hub, &s, &skew, &d), ZC_ERR_CRYPTO);
        sign(&s, &kp, id, "/v1/sales", clock.now);
        s.req.body = "{\"sales\":[1]}";
        assert_int_equal(authenticate(hub, &s, &skew, &d), ZC_ERR_CRYPTO);
        sign(&s, &kp, id, "/v1/sales", clock.now);
        s.req.path = "/v1/heartbeat";
        assert_int_equal(authenticate(hub, &s, &skew, &d), ZC_ERR_CRYPTO);

        /* Missing or malformed headers are refused the same way. */
        sign(&s, &kp, id, "/v1/sales", clock.now);
        s.req.signature = NULL;
        assert_int_equal(authenticate(hub, &s, &skew, &d), ZC_ERR_CRYPTO);
        sign(&s, &kp, id, "/v1/sales", clock.now);
        s.req.device = NULL;
        assert_int_equal(authenticate(hub, &s, &skew, &d), ZC_ERR_CRYPTO);
        sign(&s, &kp, id, "/v1/sales", clock.now);
        s.req.time = "soon";
        assert_int_equal(authenticate(hub, &s, &skew, &d), ZC_ERR_CRYPTO);
        sign(&s, &kp, id, "/v1/sales", clock.now);
        s.req.device = "\xff\xfe";
        assert_int_equal(authenticate(hub, &s, &skew, &d), ZC_ERR_CRYPTO);

        /* Stale or future time beyond the allowed skew; exactly at the bound still passes. */
        sign(&s, &kp, id, "/v1/sales", clock.now - ZC_SYNC_SKEW_MAX_MS - 1);
        assert_int_equal(authenticate(hub, &s, &skew, &d), ZC_ERR_CRYPTO);
        sign(&s, &kp, id, "/v1/sales", clock.now + ZC_SYNC_SKEW_MAX_MS + 1);
        assert_int_equal(authenticate(hub, &s, &skew, &d), ZC_ERR_CRYPTO);
        sign(&s, &kp, id, "/v1/sales", clock.now - ZC_SYNC_SKEW_MAX_MS);
        assert_int_equal(authenticate(hub, &s, &skew, &d), ZC_OK);

        /* A heartbeat from a kiosk whose clock drifted an hour is let in, to learn the time. */
        sign(&s, &kp, id, "/v1/heartbeat", clock.now - 3600000);
        s.req.heartbeat = true;
        assert_int_equal(authenticate(hub, &s, &skew, &d), ZC_OK);
        assert_int_equal(skew, -3600000);
        /* ... but not twice with one nonce. */
        assert_int_equal(authenticate(hub, &s, &skew, &d), ZC_ERR_CRYPTO);
        zc_hub_close(hub);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_made_once),
        cmocka_unit_test(test_code_works_once),
        cmocka_unit_test(test_code_expires),
        cmocka_unit_test(test_two_hubs_race_for_a_code),
        cmocka_unit_test(test_reenrol_moves_kiosk),
        cmocka_unit_test(test_authentication),
        cmocka_unit_test(test_enrolment_proves_the_key),
        cmocka_unit_test(test_reenrol_after_sales_keeps_canteen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
