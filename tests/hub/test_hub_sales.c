/*
 * Pushing real kiosk sales to the hub, on both backends: all at once, twice, reversed, in halves
 * out of order, with a gap later filled; tampered, forged and foreign records quarantined and
 * counted while the queue behind them is acked; a double subsidy across two canteens raised (and
 * not when the first meal was voided); unknown elders; heartbeats and clock-skew anomalies.
 */
#include "hubtest.h"
#include "salestest.h"

#include "zc/codec.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SALES = 8, HALF = SALES / 2, GAP_AT = 5 };

#define BEAT_EVERY_MS INT64_C(600000) /* the test kiosks' heartbeats, on the hub's clock */

typedef struct fixture {
    zc_salestest_kiosk kiosk;
    zc_syncwire_sale *recs;
    size_t n;
} fixture;

/* Eight entries on one kiosk over two days: sales to three elders, one walk-in, one void. */
static int setup(void **state)
{
    static fixture f;
    zc_salestest_kiosk_new(&f.kiosk, "C0107", ZC_SALESTEST_RULES);
    zc_salestest_kiosk *k = &f.kiosk;
    zc_salestest_sell(k, ZC_SALESTEST_ELDER_80, 1500, "2026-03-02T11:00:00+08:00");
    zc_salestest_sell(k, ZC_SALESTEST_ELDER_DIBAO, 1200, "2026-03-02T11:05:00+08:00");
    zc_salestest_sell(k, ZC_SALESTEST_ELDER_66, 1000, "2026-03-02T11:10:00+08:00");
    zc_salestest_sell(k, ZC_SALESTEST_NOT_IN_ROSTER, 1500, "2026-03-02T11:20:00+08:00");
    zc_salestest_void(k, 3, "2026-03-02T11:30:00+08:00");
    zc_salestest_sell(k, ZC_SALESTEST_ELDER_80, 1500, "2026-03-02T17:00:00+08:00");
    zc_salestest_sell(k, ZC_SALESTEST_ELDER_80, 800, "2026-03-03T07:00:00+08:00");
    zc_salestest_sell(k, ZC_SALESTEST_ELDER_DIBAO, 1500, "2026-03-03T12:00:00+08:00");
    f.recs = zc_salestest_records(k, 0, &f.n);
    assert_int_equal(f.n, SALES);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    zc_syncwire_sales_free(f->recs, f->n);
    zc_salestest_kiosk_free(&f->kiosk);
    return 0;
}

static zc_hub *hub_with_kiosk(const char *backend, const char *tag, fixture *f)
{
    zc_hub *hub = zc_salestest_hub(backend, tag, NULL, NULL);
    zc_salestest_enrol(&f->kiosk, hub, "C0107");
    return hub;
}

static void expect(zc_hub_push_result r, int64_t acked, int64_t received, int64_t duplicates,
                   int64_t quarantined)
{
    assert_int_equal(r.acked, acked);
    assert_int_equal(r.received, received);
    assert_int_equal(r.duplicates, duplicates);
    assert_int_equal(r.quarantined, quarantined);
}

/* The device row's acked_seq and acked_hash, as the console and the next push see them. */
static void expect_device_acked(zc_hub *hub, const fixture *f, int64_t acked)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT acked_seq FROM device WHERE id = '%s'",
             f->kiosk.dd->device_id);
    assert_int_equal(zc_hubtest_int(zc_hub_db(hub), sql), acked);
    char hex[ZC_HEX_SIZE(ZC_HASH_LEN)];
    zc_hex_encode(f->recs[acked - 1].hash, ZC_HASH_LEN, hex);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM device WHERE id = '%s' AND acked_hash = '%s'",
             f->kiosk.dd->device_id, hex);
    assert_int_equal(zc_hubtest_int(zc_hub_db(hub), sql), 1);
}

static int64_t count(zc_hub *hub, const char *sql)
{
    return zc_hubtest_int(zc_hub_db(hub), sql);
}

static void test_all_at_once_then_twice(void **state)
{
    fixture *f = *state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hub *hub = hub_with_kiosk(*b, "sales_once", f);
        expect(zc_salestest_push(hub, &f->kiosk, f->recs, f->n), SALES, SALES, 0, 0);
        expect_device_acked(hub, f, SALES);
        assert_int_equal(count(hub, "SELECT COUNT(*) FROM sale WHERE status = 'ok'"), SALES);
        /* The canonical bytes are kept exactly as sent. */
        char sql[512];
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM sale WHERE seq = 1 AND length(canon) = %zu",
                 f->recs[0].canon_len);
        assert_int_equal(count(hub, sql), 1);
        /* The hub's roster is empty: every roster elder's meal is raised, the walk-in is not. */
        assert_int_equal(zc_salestest_anomalies(hub, "unknown_elder"), 6);
        assert_int_equal(zc_salestest_anomalies(hub, NULL), 6);

        /* Again: nothing new, nothing raised. */
        expect(zc_salestest_push(hub, &f->kiosk, f->recs, f->n), SALES, 0, SALES, 0);
        assert_int_equal(count(hub, "SELECT COUNT(*) FROM sale"), SALES);
        assert_int_equal(zc_salestest_anomalies(hub, NULL), 6);
        /* An empty push answers where the hub is. */
        expect(zc_salestest_push(hub, &f->kiosk, NULL, 0), SALES, 0, 0, 0);

        json_t *kiosks = NULL;
        assert_int_equal(zc_hub_kiosks(hub, "C0107", &kiosks, NULL), ZC_OK);
        assert_int_equal(
            json_integer_value(json_object_get(json_array_get(kiosks, 0), "acked_seq")), SALES);
        assert_true(json_integer_value(json_object_get(json_array_get(kiosks, 0), "last_seen_ms")) >
                    0);
        json_decref(kiosks);
        zc_hub_close(hub);
    }
}

typedef struct pusher {
    zc_hub *hub;
    const fixture *f;
    zc_hub_push_result r;
    zc_err err;
} pusher;

static void *push_all(void *arg)
{
    pusher *p = arg;
    p->err = zc_hub_push(p->hub, p->f->kiosk.dd->device_id, p->f->recs, p->f->n, &p->r, NULL);
    return NULL;
}

/* Two hubs on one database take the same batch at once: stored once, acked alike. */
static void test_two_hubs_push_at_once(void **state)
{
    fixture *f = *state;
    enum { HUBS = 2 };
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        char url[ZC_HUBTEST_URL_MAX];
        zc_hubtest_db_url(*b, "sales_race", url, sizeof url);
        pusher p[HUBS];
        pthread_t t[HUBS];
        for (int i = 0; i < HUBS; i++) {
            zc_hub_opts o = {.db_url = url};
            p[i] = (pusher){.f = f};
            assert_int_equal(zc_hub_open(&o, &p[i].hub, NULL), ZC_OK);
        }
        zc_salestest_enrol(&f->kiosk, p[0].hub, "C0107");
        for (int i = 0; i < HUBS; i++)
            assert_int_equal(pthread_create(&t[i], NULL, push_all, &p[i]), 0);
        for (int i = 0; i < HUBS; i++) {
            assert_int_equal(pthread_join(t[i], NULL), 0);
            assert_int_equal(p[i].err, ZC_OK);
            assert_int_equal(p[i].r.acked, SALES);
        }
        assert_int_equal(p[0].r.received + p[1].r.received, SALES);
        assert_int_equal(p[0].r.duplicates + p[1].r.duplicates, SALES);
        assert_int_equal(count(p[0].hub, "SELECT COUNT(*) FROM sale"), SALES);
        assert_int_equal(zc_salestest_anomalies(p[0].hub, "unknown_elder"), 6);
        for (int i = 0; i < HUBS; i++)
            zc_hub_close(p[i].hub);
    }
}

static void test_reversed_and_halves(void **state)
{
    fixture *f = *state;
    zc_syncwire_sale reversed[SALES];
    for (size_t i = 0; i < SALES; i++)
        reversed[i] = f->recs[SALES - 1 - i]; /* shallow: the canon stays f's */
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hub *hub = hub_with_kiosk(*b, "sales_reversed", f);
        expect(zc_salestest_push(hub, &f->kiosk, reversed, SALES), SALES, SALES, 0, 0);
        expect_device_acked(hub, f, SALES);
        zc_hub_close(hub);

        /* The second half first: held, but nothing acked until the first half comes. */
        hub = hub_with_kiosk(*b, "sales_halves", f);
        expect(zc_salestest_push(hub, &f->kiosk, f->recs + HALF, HALF), 0, HALF, 0, 0);
        expect(zc_salestest_push(hub, &f->kiosk, reversed + HALF, HALF), SALES, HALF, 0, 0);
        expect_device_acked(hub, f, SALES);
        assert_int_equal(zc_salestest_anomalies(hub, "broken_chain"), 0);
        zc_hub_close(hub);
    }
}

static void test_gap_then_filled(void **state)
{
    fixture *f = *state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hub *hub = hub_with_kiosk(*b, "sales_gap", f);
        zc_syncwire_sale without[SALES - 1];
        size_t n = 0;
        for (size_t i = 0; i < SALES; i++)
            if (f->recs[i].seq != GAP_AT)
                without[n++] = f->recs[i];
        expect(zc_salestest_push(hub, &f->kiosk, without, n), GAP_AT - 1, SALES - 1, 0, 0);
        expect_device_acked(hub, f, GAP_AT - 1);
        /* The missing one, with a repeat of its neighbours. */
        expect(zc_salestest_push(hub, &f->kiosk, f->recs + GAP_AT - 2, 3), SALES, 1, 2, 0);
        expect_device_acked(hub, f, SALES);
        zc_hub_close(hub);
    }
}

/* A copy of rec whose canon says another price: its hash no longer covers it. */
static zc_syncwire_sale tampered(const zc_syncwire_sale *rec, char **canon)
{
    zc_syncwire_sale t = *rec;
    *canon = strdup(rec->canon);
    char *price = strstr(*canon, "\"price\":");
    assert_non_null(price);
    price[strlen("\"price\":")] = '9';
    t.canon = *canon;
    return t;
}

static void test_tampered_quarantined_queue_moves_on(void **state)
{
    fixture *f = *state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hub *hub = hub_with_kiosk(*b, "sales_tampered", f);
        zc_syncwire_sale batch[SALES];
        memcpy(batch, f->recs, sizeof batch);
        char *canon;
        batch[2] = tampered(&f->recs[2], &canon);
        expect(zc_salestest_push(hub, &f->kiosk, batch, SALES), SALES, SALES, 0, 1);
        expect_device_acked(hub, f, SALES);
        assert_int_equal(count(hub, "SELECT COUNT(*) FROM sale WHERE status = 'quarantine'"), 1);
        assert_int_equal(count(hub, "SELECT seq FROM sale WHERE status = 'quarantine'"), 3);
        assert_int_equal(zc_salestest_anomalies(hub, "bad_signature"), 1);
        /* The genuine record later is a duplicate with other bytes: kept as first held, raised. */
        expect(zc_salestest_push(hub, &f->kiosk, f->recs + 2, 1), SALES, 0, 1, 0);
        assert_int_equal(zc_salestest_anomalies(hub, "conflicting_duplicate"), 1);
        assert_int_equal(count(hub, "SELECT COUNT(*) FROM sale WHERE status = 'quarantine'"), 1);
        free(canon);
        zc_hub_close(hub);
    }
}

/* rec re-hashed over prev and signed with the device's own key: genuine as far as keys go. */
static zc_syncwire_sale resigned(const fixture *f, const zc_syncwire_sale *rec,
                                 const uint8_t prev[ZC_HASH_LEN])
{
    zc_syncwire_sale t = *rec;
    memcpy(t.prev_hash, prev, ZC_HASH_LEN);
    zc_sale_chain_hash(t.prev_hash, t.canon, t.canon_len, t.hash);
    zc_keys_sign(&f->kiosk.dd->device_key, t.hash, ZC_HASH_LEN, t.sig);
    return t;
}

static void test_broken_chain_and_wrong_device(void **state)
{
    fixture *f = *state;
    uint8_t elsewhere[ZC_HASH_LEN];
    memset(elsewhere, 0xab, sizeof elsewhere);
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hub *hub = hub_with_kiosk(*b, "sales_chain", f);
        /* Entry 2 signed by the device but linked to something other than entry 1. */
        zc_syncwire_sale batch[2] = {f->recs[0], resigned(f, &f->recs[1], elsewhere)};
        expect(zc_salestest_push(hub, &f->kiosk, batch, 2), 2, 2, 0, 1);
        assert_int_equal(zc_salestest_anomalies(hub, "broken_chain"), 1);
        /* Entry 1 must start a chain. */
        zc_hub_close(hub);
        hub = hub_with_kiosk(*b, "sales_chain_first", f);
        batch[0] = resigned(f, &f->recs[0], elsewhere);
        expect(zc_salestest_push(hub, &f->kiosk, batch, 1), 1, 1, 0, 1);
        assert_int_equal(zc_salestest_anomalies(hub, "broken_chain"), 1);
        zc_hub_close(hub);

        /* Out of order: entry 4 is held first; a re-made entry 3 that 4 does not follow comes
         * after. The genuine 1 and 2 then complete what is acked. */
        hub = hub_with_kiosk(*b, "sales_chain_next", f);
        expect(zc_salestest_push(hub, &f->kiosk, f->recs + 3, 1), 0, 1, 0, 0);
        char *canon;
        zc_syncwire_sale changed = tampered(&f->recs[2], &canon);
        zc_syncwire_sale third = resigned(f, &changed, f->recs[2].prev_hash);
        expect(zc_salestest_push(hub, &f->kiosk, &third, 1), 0, 1, 0, 1);
        assert_int_equal(zc_salestest_anomalies(hub, "broken_chain"), 1);
        expect(zc_salestest_push(hub, &f->kiosk, f->recs, 2), 4, 2, 0, 0);
        free(canon);

        /* Another kiosk's entries pushed as this one's: quarantined as foreign. */
        zc_salestest_kiosk other;
        zc_salestest_kiosk_new(&other, "C0107", ZC_SALESTEST_RULES);
        zc_salestest_enrol(&other, hub, "C0107");
        expect(zc_salestest_push(hub, &other, f->recs + 4, 1), 0, 1, 0, 1);
        assert_int_equal(zc_salestest_anomalies(hub, "wrong_device"), 1);
        zc_salestest_kiosk_free(&other);

        /* A batch the protocol does not allow is refused whole, nothing stored. */
        zc_hub_push_result r;
        zc_diag d = {{0}, 0};
        zc_syncwire_sale bad = f->recs[5];
        bad.seq = 0;
        assert_int_equal(zc_hub_push(hub, f->kiosk.dd->device_id, &bad, 1, &r, &d), ZC_ERR_INVALID);
        assert_int_equal(zc_hub_push(hub, "ZK-000000000000", f->recs, 1, &r, &d), ZC_ERR_NOT_FOUND);
        assert_int_equal(count(hub, "SELECT COUNT(*) FROM sale"), 5);
        zc_hub_close(hub);
    }
}

static void test_malformed_canon_kept(void **state)
{
    fixture *f = *state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hub *hub = hub_with_kiosk(*b, "sales_malformed", f);
        /* Signed by the device but not an entry; then bytes no database text column holds. */
        static const char junk[] = "{\"not\":\"an entry\"}";
        static const char binary[] = "\xff\xfe\x00zz";
        zc_syncwire_sale one = f->recs[0], two = f->recs[1];
        one.canon = (char *)junk;
        one.canon_len = strlen(junk);
        zc_sale_chain_hash(one.prev_hash, one.canon, one.canon_len, one.hash);
        zc_keys_sign(&f->kiosk.dd->device_key, one.hash, ZC_HASH_LEN, one.sig);
        two.canon = (char *)binary;
        two.canon_len = sizeof binary - 1;
        zc_syncwire_sale batch[2] = {one, two};
        expect(zc_salestest_push(hub, &f->kiosk, batch, 2), 2, 2, 0, 2);
        assert_int_equal(zc_salestest_anomalies(hub, "malformed"), 2);
        assert_int_equal(count(hub, "SELECT COUNT(*) FROM sale WHERE canon LIKE 'hex:fffe00%'"), 1);
        zc_hub_close(hub);
    }
}

static void test_double_subsidy_across_canteens(void **state)
{
    (void)state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hub *hub = zc_salestest_hub(*b, "sales_double", NULL, NULL);
        zc_salestest_kiosk a, c;
        zc_salestest_kiosk_new(&a, "C0107", ZC_SALESTEST_RULES);
        zc_salestest_kiosk_new(&c, "C0108", ZC_SALESTEST_RULES);
        zc_salestest_enrol(&a, hub, "C0107");
        zc_salestest_enrol(&c, hub, "C0108");
        /* Each kiosk knows only its own ledger: both subsidise one elder's lunch. */
        zc_sale first =
            zc_salestest_sell(&a, ZC_SALESTEST_ELDER_80, 1500, "2026-03-02T11:00:00+08:00");
        zc_sale second =
            zc_salestest_sell(&c, ZC_SALESTEST_ELDER_80, 1500, "2026-03-02T12:00:00+08:00");
        assert_int_equal(first.subsidy, 500);
        assert_int_equal(second.subsidy, 500);
        /* Another elder's lunch at a, voided, then at c: no anomaly. */
        zc_salestest_sell(&a, ZC_SALESTEST_ELDER_DIBAO, 1500, "2026-03-02T11:30:00+08:00");
        zc_sale voided =
            zc_salestest_sell(&a, ZC_SALESTEST_ELDER_66, 1000, "2026-03-02T11:40:00+08:00");
        zc_salestest_void(&a, voided.seq, "2026-03-02T11:45:00+08:00");
        zc_salestest_sell(&c, ZC_SALESTEST_ELDER_66, 1000, "2026-03-02T12:30:00+08:00");
        /* Nor is dinner at the other canteen. */
        zc_salestest_sell(&c, ZC_SALESTEST_ELDER_80, 1500, "2026-03-02T17:00:00+08:00");
        size_t na, nc;
        zc_syncwire_sale *ra = zc_salestest_records(&a, 0, &na);
        zc_syncwire_sale *rc = zc_salestest_records(&c, 0, &nc);
        expect(zc_salestest_push(hub, &a, ra, na), 4, 4, 0, 0);
        expect(zc_salestest_push(hub, &c, rc, nc), 3, 3, 0, 0);
        assert_int_equal(zc_salestest_anomalies(hub, "double_subsidy"), 1);
        json_t *list = NULL;
        assert_int_equal(zc_hub_anomalies(hub, NULL, 0, &list, NULL), ZC_OK);
        json_t *found = NULL;
        size_t i;
        json_t *an;
        json_array_foreach(list, i, an)
        {
            if (strcmp(json_string_value(json_object_get(an, "kind")), "double_subsidy") == 0)
                found = an;
        }
        assert_non_null(found);
        assert_string_equal(json_string_value(json_object_get(found, "device")), c.dd->device_id);
        assert_int_equal(json_integer_value(json_object_get(found, "seq")), 1);
        assert_string_equal(json_string_value(json_object_get(found, "canteen")), "C0108");
        assert_int_equal(json_integer_value(json_object_get(found, "elder_id")), first.elder_id);
        assert_non_null(strstr(json_string_value(json_object_get(found, "detail")), "C0107"));
        json_decref(list);
        zc_syncwire_sales_free(ra, na);
        zc_syncwire_sales_free(rc, nc);
        zc_salestest_kiosk_free(&a);
        zc_salestest_kiosk_free(&c);
        zc_hub_close(hub);
    }
}

static void test_known_elder_not_raised(void **state)
{
    fixture *f = *state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hub *hub = hub_with_kiosk(*b, "sales_known", f);
        zc_sale s;
        memset(&s, 0, sizeof s);
        assert_int_equal(zc_sale_from_canon(f->recs[0].canon, f->recs[0].canon_len, &s, NULL),
                         ZC_OK);
        json_decref(s.detail);
        char sql[512];
        snprintf(sql, sizeof sql,
                 "INSERT INTO elder (id, id_hmac, name, birth_date, region, status, version)"
                 " VALUES (%lld, 'x', '王秀英', '1938-03-15', '320202', 'active', 1)",
                 (long long)s.elder_id);
        zc_hubtest_exec(zc_hub_db(hub), sql);
        expect(zc_salestest_push(hub, &f->kiosk, f->recs, f->n), SALES, SALES, 0, 0);
        /* Elder 1's three meals are not raised; the other two elders' three are. */
        assert_int_equal(zc_salestest_anomalies(hub, "unknown_elder"), 3);
        zc_hub_close(hub);
    }
}

/* A heartbeat signed at the kiosk's time sent. */
static zc_err beat_at(zc_hub *hub, const char *device, const char *body, zc_ms sent)
{
    json_t *o = json_loads(body, 0, NULL);
    assert_non_null(o);
    zc_diag d = {{0}, 0};
    zc_err err = zc_hub_heartbeat(hub, device, o, sent, &d);
    json_decref(o);
    return err;
}

/* The next heartbeat, BEAT_EVERY_MS after the last on the hub's clock, from a kiosk whose clock
 * is skew off the hub's: each is newer than the one before while the skew moves less than that. */
static zc_err beat(zc_hub *hub, zc_salestest_clock *clock, const char *device, const char *body,
                   int64_t skew)
{
    clock->now += BEAT_EVERY_MS;
    return beat_at(hub, device, body, clock->now + skew);
}

/* The device's column as the console sees it (zc_hub_kiosks). */
static int64_t kiosk_int(zc_hub *hub, const char *key)
{
    json_t *kiosks = NULL;
    assert_int_equal(zc_hub_kiosks(hub, NULL, &kiosks, NULL), ZC_OK);
    assert_int_equal(json_array_size(kiosks), 1);
    int64_t v = json_integer_value(json_object_get(json_array_get(kiosks, 0), key));
    json_decref(kiosks);
    return v;
}

static void test_heartbeat_and_clock_skew(void **state)
{
    fixture *f = *state;
    static const char BODY[] =
        "{\"clock_ms\":1,\"pending\":3,\"last_seq\":8,\"rules_version\":1,\"roster_cursor\":\"\","
        "\"menu_version\":0,\"faults\":[\"printer: paper out\"],\"version\":\"0.1.0\"}";
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_salestest_clock clock = {zc_salestest_at("2026-03-02T09:00:00+08:00")};
        zc_hub *hub = zc_salestest_hub(*b, "sales_heartbeat", zc_salestest_clock_read, &clock);
        zc_salestest_enrol(&f->kiosk, hub, "C0107");
        const char *id = f->kiosk.dd->device_id;
        assert_int_equal(beat(hub, &clock, id, BODY, 1000), ZC_OK);
        json_t *kiosks = NULL;
        assert_int_equal(zc_hub_kiosks(hub, NULL, &kiosks, NULL), ZC_OK);
        json_t *k = json_array_get(kiosks, 0);
        assert_int_equal(json_integer_value(json_object_get(k, "pending")), 3);
        assert_int_equal(json_integer_value(json_object_get(k, "clock_skew_ms")), 1000);
        assert_int_equal(json_integer_value(json_object_get(k, "last_seen_ms")), clock.now);
        assert_int_equal(json_integer_value(json_object_get(k, "rules_version")), 1);
        assert_string_equal(json_string_value(json_object_get(k, "app_version")), "0.1.0");
        assert_string_equal(json_string_value(json_array_get(json_object_get(k, "faults"), 0)),
                            "printer: paper out");
        json_decref(kiosks);
        assert_int_equal(zc_salestest_anomalies(hub, "clock_skew"), 0);

        /* Skewed: raised once while it stays skewed, again after it recovered and went wrong. */
        int64_t off = ZC_SYNC_SKEW_WARN_MS + 1;
        assert_int_equal(beat(hub, &clock, id, "{}", off), ZC_OK);
        assert_int_equal(beat(hub, &clock, id, "{}", -off), ZC_OK);
        assert_int_equal(zc_salestest_anomalies(hub, "clock_skew"), 1);
        assert_int_equal(beat(hub, &clock, id, "{}", 0), ZC_OK);
        assert_int_equal(beat(hub, &clock, id, "{}", off), ZC_OK);
        assert_int_equal(zc_salestest_anomalies(hub, "clock_skew"), 2);

        /* Bad bodies are refused and change nothing. */
        assert_int_equal(beat(hub, &clock, id, "{\"pending\":\"many\"}", 0), ZC_ERR_INVALID);
        assert_int_equal(beat(hub, &clock, id, "{\"faults\":[1]}", 0), ZC_ERR_INVALID);
        assert_int_equal(beat(hub, &clock, id, "{\"pending\":-1}", 0), ZC_ERR_INVALID);
        assert_int_equal(beat(hub, &clock, id, "[]", 0), ZC_ERR_INVALID);
        assert_int_equal(beat(hub, &clock, "ZK-000000000000", "{}", 0), ZC_ERR_NOT_FOUND);
        assert_int_equal(zc_hub_kiosks(hub, NULL, &kiosks, NULL), ZC_OK);
        k = json_array_get(kiosks, 0);
        assert_int_equal(json_integer_value(json_object_get(k, "pending")), 3);
        assert_int_equal(json_integer_value(json_object_get(k, "clock_skew_ms")), off);
        json_decref(kiosks);
        zc_hub_close(hub);
    }
}

/*
 * A heartbeat's nonce is forgotten after ten minutes and its time is not checked, so an old one
 * can be sent again: one from too far off the hub's clock records only the skew, and one not newer
 * than the newest of those records nothing, not even when its time has become the hub's.
 */
static void test_heartbeat_replay(void **state)
{
    fixture *f = *state;
    static const char FIRST[] = "{\"pending\":3,\"faults\":[],\"version\":\"0.1.0\"}";
    static const char STALE[] = "{\"pending\":9,\"faults\":[\"printer: paper out\"]}";
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_salestest_clock clock = {zc_salestest_at("2026-03-02T09:00:00+08:00")};
        zc_hub *hub = zc_salestest_hub(*b, "sales_beat_replay", zc_salestest_clock_read, &clock);
        zc_salestest_enrol(&f->kiosk, hub, "C0107");
        const char *id = f->kiosk.dd->device_id;
        assert_int_equal(beat(hub, &clock, id, FIRST, 0), ZC_OK);
        zc_ms seen = clock.now;
        assert_int_equal(kiosk_int(hub, "pending"), 3);

        /* Too far off (an old heartbeat sent again, or a clock gone wrong): the skew is raised
         * once, nothing else is taken from it. */
        zc_ms behind = clock.now - ZC_SYNC_SKEW_MAX_MS - 1;
        assert_int_equal(beat_at(hub, id, STALE, behind), ZC_OK);
        assert_int_equal(zc_salestest_anomalies(hub, "clock_skew"), 1);
        assert_int_equal(kiosk_int(hub, "clock_skew_ms"), -ZC_SYNC_SKEW_MAX_MS - 1);
        assert_int_equal(kiosk_int(hub, "pending"), 3);
        assert_int_equal(kiosk_int(hub, "last_seen_ms"), seen);
        json_t *kiosks = NULL;
        assert_int_equal(zc_hub_kiosks(hub, NULL, &kiosks, NULL), ZC_OK);
        assert_int_equal(json_array_size(json_object_get(json_array_get(kiosks, 0), "faults")), 0);
        json_decref(kiosks);

        /* The kiosk is right again; the skewed heartbeat, or an older one, sent again later
         * raises nothing and changes nothing. */
        assert_int_equal(beat(hub, &clock, id, FIRST, 0), ZC_OK);
        assert_int_equal(kiosk_int(hub, "clock_skew_ms"), 0);
        seen = clock.now;
        clock.now += BEAT_EVERY_MS;
        assert_int_equal(beat_at(hub, id, STALE, behind), ZC_OK);
        assert_int_equal(beat_at(hub, id, STALE, behind - 1), ZC_OK);
        assert_int_equal(zc_salestest_anomalies(hub, "clock_skew"), 1);
        assert_int_equal(kiosk_int(hub, "clock_skew_ms"), 0);
        assert_int_equal(kiosk_int(hub, "pending"), 3);
        assert_int_equal(kiosk_int(hub, "last_seen_ms"), seen);

        /* A clock that goes wrong again, newer than any seen: raised again. */
        zc_ms ahead = clock.now + ZC_SYNC_SKEW_MAX_MS + 1;
        assert_int_equal(beat_at(hub, id, FIRST, ahead), ZC_OK);
        assert_int_equal(zc_salestest_anomalies(hub, "clock_skew"), 2);
        /* That heartbeat sent again once the hub's clock has caught up with it: nothing. */
        clock.now = ahead;
        assert_int_equal(beat_at(hub, id, STALE, ahead), ZC_OK);
        assert_int_equal(kiosk_int(hub, "pending"), 3);
        assert_int_equal(kiosk_int(hub, "last_seen_ms"), seen);
        zc_hub_close(hub);
    }
}

/* Two canteens' kiosks each sold one elder a subsidised lunch, then a queue of walk-ins. */
typedef struct racing_kiosk {
    zc_salestest_kiosk kiosk;
    zc_syncwire_sale *recs;
    size_t n;
    zc_hub *hub;
    pthread_barrier_t *start;
    zc_err err;
} racing_kiosk;

static void *push_racing(void *arg)
{
    racing_kiosk *k = arg;
    zc_hub_push_result r;
    pthread_barrier_wait(k->start);
    k->err = zc_hub_push(k->hub, k->kiosk.dd->device_id, k->recs, k->n, &r, NULL);
    return NULL;
}

static void test_double_subsidy_pushed_at_once(void **state)
{
    (void)state;
    /* The lunch comes first in each batch and the walk-ins keep it open: without a lock both
     * batches check before either commits. */
    enum { KIOSKS = 2, WALK_INS = 30, ROUNDS = 4 };
    static const char *const CANTEENS[KIOSKS] = {"C0107", "C0108"};
    static const char *const LUNCH[KIOSKS] = {"2026-03-02T11:00:00+08:00",
                                              "2026-03-02T12:00:00+08:00"};
    racing_kiosk k[KIOSKS];
    for (int i = 0; i < KIOSKS; i++) {
        zc_salestest_kiosk_new(&k[i].kiosk, CANTEENS[i], ZC_SALESTEST_RULES);
        zc_salestest_sell(&k[i].kiosk, ZC_SALESTEST_ELDER_80, 1500, LUNCH[i]);
        for (int w = 0; w < WALK_INS; w++)
            zc_salestest_sell(&k[i].kiosk, ZC_SALESTEST_NOT_IN_ROSTER, 1500,
                              "2026-03-02T12:30:00+08:00");
        k[i].recs = zc_salestest_records(&k[i].kiosk, 0, &k[i].n);
    }
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        for (int round = 0; round < ROUNDS; round++) {
            zc_hub *hub = zc_salestest_hub(*b, "sales_double_race", NULL, NULL);
            pthread_barrier_t start;
            assert_int_equal(pthread_barrier_init(&start, NULL, KIOSKS), 0);
            pthread_t t[KIOSKS];
            for (int i = 0; i < KIOSKS; i++) {
                zc_salestest_enrol(&k[i].kiosk, hub, CANTEENS[i]);
                k[i].hub = hub;
                k[i].start = &start;
                k[i].err = ZC_ERR_BROKEN;
            }
            for (int i = 0; i < KIOSKS; i++)
                assert_int_equal(pthread_create(&t[i], NULL, push_racing, &k[i]), 0);
            for (int i = 0; i < KIOSKS; i++) {
                assert_int_equal(pthread_join(t[i], NULL), 0);
                assert_int_equal(k[i].err, ZC_OK);
            }
            pthread_barrier_destroy(&start);
            if (zc_salestest_anomalies(hub, "double_subsidy") != 1)
                fail_msg("%s, round %d: the double subsidy was raised %zu times", *b, round,
                         zc_salestest_anomalies(hub, "double_subsidy"));
            zc_hub_close(hub);
        }
    }
    for (int i = 0; i < KIOSKS; i++) {
        zc_syncwire_sales_free(k[i].recs, k[i].n);
        zc_salestest_kiosk_free(&k[i].kiosk);
    }
}

/* Entries whose canteen is not the device's: kept as sold, and raised. */
static void test_wrong_canteen(void **state)
{
    fixture *f = *state;
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hub *hub = zc_salestest_hub(*b, "sales_wrong_canteen", NULL, NULL);
        /* The fixture's kiosk sold as C0107; the hub enrolled it in C0108. */
        zc_salestest_enrol(&f->kiosk, hub, "C0108");
        expect(zc_salestest_push(hub, &f->kiosk, f->recs, f->n), SALES, SALES, 0, 0);
        assert_int_equal(count(hub, "SELECT COUNT(*) FROM sale WHERE status = 'ok'"), SALES);
        assert_int_equal(zc_salestest_anomalies(hub, "wrong_canteen"), SALES);
        /* Raised to the canteen the kiosk stands in, whose manager can see to it. */
        json_t *list = NULL;
        assert_int_equal(zc_hub_anomalies(hub, "C0108", 1, &list, NULL), ZC_OK);
        assert_int_equal(json_array_size(list), 1);
        json_t *a = json_array_get(list, 0);
        assert_string_equal(json_string_value(json_object_get(a, "kind")), "wrong_canteen");
        assert_non_null(strstr(json_string_value(json_object_get(a, "detail")), "C0107"));
        json_decref(list);
        zc_hub_close(hub);

        /* Where it belongs, nothing is raised. */
        hub = hub_with_kiosk(*b, "sales_right_canteen", f);
        expect(zc_salestest_push(hub, &f->kiosk, f->recs, f->n), SALES, SALES, 0, 0);
        assert_int_equal(zc_salestest_anomalies(hub, "wrong_canteen"), 0);
        zc_hub_close(hub);
    }
}

/* A seq past 2^53 is no kiosk's: refused whole, nothing stored, and nothing overflows. */
static void test_seq_bounds(void **state)
{
    fixture *f = *state;
    static const int64_t BAD[] = {ZC_HUB_SEQ_MAX + 1, INT64_MAX, 0, -1, INT64_MIN};
    for (const char *const *b = ZC_HUBTEST_BACKENDS; *b; b++) {
        zc_hub *hub = hub_with_kiosk(*b, "sales_seq_bounds", f);
        zc_syncwire_sale recs[2] = {f->recs[0], f->recs[1]}; /* shallow: the canon stays f's */
        zc_hub_push_result r;
        zc_diag d = {{0}, 0};
        for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
            recs[1].seq = BAD[i];
            assert_int_equal(zc_hub_push(hub, f->kiosk.dd->device_id, recs, 2, &r, &d),
                             ZC_ERR_INVALID);
            assert_non_null(strstr(d.msg, "sales[1].seq"));
        }
        assert_int_equal(count(hub, "SELECT COUNT(*) FROM sale"), 0);
        /* 2^53 itself is a number a ledger could reach: held, in quarantine (the canon says 2). */
        recs[1].seq = ZC_HUB_SEQ_MAX;
        expect(zc_salestest_push(hub, &f->kiosk, recs, 2), 1, 2, 0, 1);
        zc_hub_close(hub);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_at_once_then_twice),
        cmocka_unit_test(test_two_hubs_push_at_once),
        cmocka_unit_test(test_reversed_and_halves),
        cmocka_unit_test(test_gap_then_filled),
        cmocka_unit_test(test_tampered_quarantined_queue_moves_on),
        cmocka_unit_test(test_broken_chain_and_wrong_device),
        cmocka_unit_test(test_malformed_canon_kept),
        cmocka_unit_test(test_double_subsidy_across_canteens),
        cmocka_unit_test(test_known_elder_not_raised),
        cmocka_unit_test(test_heartbeat_and_clock_skew),
        cmocka_unit_test(test_heartbeat_replay),
        cmocka_unit_test(test_double_subsidy_pushed_at_once),
        cmocka_unit_test(test_wrong_canteen),
        cmocka_unit_test(test_seq_bounds),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
