/*
 * Sync messages: request signatures and every way to tamper with one, sale records made by the
 * real ledger in a real kiosk directory and checked as the hub checks them, roster rows and menus
 * through JSON and into a real SQLite store.
 */
#include "testutil.h"

#include "zc/codec.h"
#include "zc/datadir.h"
#include "zc/sell.h"
#include "zc/syncwire.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SALES = 3, HASH_HEX = ZC_HASH_LEN * 2, ROWS_MAX = 4, SQL_TEXT_MAX = 256 };

#define NOW_MS INT64_C(1764000000000)
#define PATH "/v1/roster?after=&limit=1000"
#define BODY "{\"sales\":[]}"
/* SHA-256 of the empty string, as every GET signs it. */
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct fixture {
    char dir[ZC_TEST_PATH_MAX];
    char kiosk[ZC_TEST_PATH_MAX];
    zc_datadir *dd;
    zc_ledger *ledger;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char pub[ZC_TEST_PATH_MAX], sec[ZC_TEST_PATH_MAX];
    zc_keypair rules;
    zc_diag d = {{0}, 0};
    assert_non_null(f);
    zt_mkdtemp(f->dir, sizeof f->dir);
    zt_join(f->kiosk, sizeof f->kiosk, f->dir, "kiosk");
    zt_join(pub, sizeof pub, f->dir, "rules.pub");
    zt_join(sec, sizeof sec, f->dir, "rules.key");
    assert_int_equal(zc_keys_generate(&rules), ZC_OK);
    assert_int_equal(zc_keys_write(&rules, sec, pub, NULL), ZC_OK);
    zc_datadir_init_opts o = {.canteen = "C0107", .rules_pubkey = pub};
    if (zc_datadir_init(f->kiosk, &o, &d) || zc_datadir_open(f->kiosk, &f->dd, &d) ||
        zc_datadir_ledger(f->dd, &f->ledger, &d))
        fail_msg("kiosk: %s", d.msg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    zc_ledger_close(f->ledger);
    zc_datadir_close(f->dd);
    zt_rmtree(f->dir);
    free(f);
    return 0;
}

static zc_store *store_of(void **state)
{
    return ((fixture *)*state)->dd->store;
}

/* ---- request signing ---- */

static void test_sign_string(void **state)
{
    char *s;
    (void)state;
    assert_int_equal(zc_syncwire_sign_string("GET", PATH, NOW_MS,
                                             "00112233445566778899aabbccddeeff", NULL, 0, &s),
                     ZC_OK);
    assert_string_equal(s, "zhucan-sync/1\nGET\n" PATH "\n1764000000000\n"
                           "00112233445566778899aabbccddeeff\n" EMPTY_SHA256);
    free(s);
    /* Nothing may add a line of its own to the signed text. */
    assert_int_equal(zc_syncwire_sign_string("GET", "/v1\nX", NOW_MS, "00", NULL, 0, &s),
                     ZC_ERR_INVALID);
    assert_null(s);
    assert_int_equal(zc_syncwire_sign_string("GET\r", "/v1", NOW_MS, "00", NULL, 0, &s),
                     ZC_ERR_INVALID);
    assert_int_equal(zc_syncwire_sign_string(NULL, "/v1", NOW_MS, "00", NULL, 0, &s),
                     ZC_ERR_INVALID);
}

static void test_sign_verify_round_trip(void **state)
{
    zc_keypair key;
    zc_syncwire_auth a, b;
    int64_t t = 0;
    zc_diag d = {{0}, 0};
    (void)state;
    assert_int_equal(zc_keys_generate(&key), ZC_OK);
    assert_int_equal(
        zc_syncwire_sign(&key, "ZK-0123456789ab", "POST", "/v1/sales", NOW_MS, BODY, 12, &a),
        ZC_OK);
    assert_string_equal(a.device, "ZK-0123456789ab");
    assert_string_equal(a.time, "1764000000000");
    assert_int_equal(strlen(a.nonce), ZC_SYNC_NONCE_HEX);
    assert_int_equal(strlen(a.signature), ZC_SYNC_SIG_B64);
    if (zc_syncwire_verify(key.pk, "POST", "/v1/sales", a.time, a.nonce, a.signature, BODY, 12, &t,
                           &d))
        fail_msg("verify: %s", d.msg);
    assert_int_equal(t, NOW_MS);
    /* A fresh nonce every time. */
    assert_int_equal(zc_syncwire_sign(&key, "ZK-0123456789ab", "GET", PATH, NOW_MS, NULL, 0, &b),
                     ZC_OK);
    assert_string_not_equal(a.nonce, b.nonce);
    assert_int_equal(
        zc_syncwire_verify(key.pk, "GET", PATH, b.time, b.nonce, b.signature, NULL, 0, NULL, &d),
        ZC_OK);
    /* An empty body signs like no body. */
    assert_int_equal(
        zc_syncwire_verify(key.pk, "GET", PATH, b.time, b.nonce, b.signature, "", 0, NULL, &d),
        ZC_OK);
    /* A device id that does not fit is refused. */
    char long_id[ZC_ID_MAX + 1];
    memset(long_id, 'Z', ZC_ID_MAX);
    long_id[ZC_ID_MAX] = '\0';
    assert_int_equal(zc_syncwire_sign(&key, long_id, "GET", PATH, NOW_MS, NULL, 0, &b),
                     ZC_ERR_INVALID);
    assert_int_equal(zc_syncwire_sign(&key, "", "GET", PATH, NOW_MS, NULL, 0, &b), ZC_ERR_INVALID);
}

/* One changed part of a signed request; every one must fail as a bad signature. */
typedef struct tamper_case {
    const char *name;
    const char *method, *path, *time, *nonce, *body;
    bool other_key;
} tamper_case;

static const tamper_case TAMPER[] = {
    {"method", "PUT", NULL, NULL, NULL, NULL, false},
    {"method case", "post", NULL, NULL, NULL, NULL, false},
    {"path", NULL, "/v1/sales?x=1", NULL, NULL, NULL, false},
    {"path query", NULL, "/v1/sales?", NULL, NULL, NULL, false},
    {"time", NULL, NULL, "1764000000001", NULL, NULL, false},
    {"nonce", NULL, NULL, NULL, "ffffffffffffffffffffffffffffffff", NULL, false},
    {"body", NULL, NULL, NULL, NULL, "{\"sales\":[ ]}", false},
    {"empty body", NULL, NULL, NULL, NULL, "", false},
    {"device key", NULL, NULL, NULL, NULL, NULL, true},
};

static void test_verify_refuses_tampering(void **state)
{
    zc_keypair key, other;
    zc_syncwire_auth a;
    (void)state;
    assert_int_equal(zc_keys_generate(&key), ZC_OK);
    assert_int_equal(zc_keys_generate(&other), ZC_OK);
    assert_int_equal(
        zc_syncwire_sign(&key, "ZK-1", "POST", "/v1/sales", NOW_MS, BODY, strlen(BODY), &a), ZC_OK);
    for (size_t i = 0; i < sizeof TAMPER / sizeof TAMPER[0]; i++) {
        const tamper_case *c = &TAMPER[i];
        const char *body = c->body ? c->body : BODY;
        zc_diag d = {{0}, 0};
        int64_t t = -1;
        zc_err err = zc_syncwire_verify(
            c->other_key ? other.pk : key.pk, c->method ? c->method : "POST",
            c->path ? c->path : "/v1/sales", c->time ? c->time : a.time,
            c->nonce ? c->nonce : a.nonce, a.signature, body, strlen(body), &t, &d);
        if (err != ZC_ERR_CRYPTO || !strstr(d.msg, ZC_SYNC_HDR_SIGNATURE))
            fail_msg("tampered %s: got %s \"%s\"", c->name, zc_err_str(err), d.msg);
        assert_int_equal(t, -1);
    }
    /* A signature with one bit changed. */
    uint8_t sig[ZC_SIG_LEN];
    char text[ZC_B64_SIZE(ZC_SIG_LEN)];
    assert_int_equal(zc_b64_decode(a.signature, strlen(a.signature), sig, sizeof sig), ZC_OK);
    sig[0] ^= 1;
    zc_b64_encode(sig, sizeof sig, text);
    assert_int_equal(zc_syncwire_verify(key.pk, "POST", "/v1/sales", a.time, a.nonce, text, BODY,
                                        strlen(BODY), NULL, NULL),
                     ZC_ERR_CRYPTO);
}

typedef struct header_case {
    const char *time, *nonce, *signature; /* "@" stands for the good value */
    const char *msg;                      /* start of the diag */
} header_case;

static const header_case HEADERS[] = {
    {NULL, "@", "@", "missing header X-ZC-Time"},
    {"@", NULL, "@", "missing header X-ZC-Nonce"},
    {"@", "@", NULL, "missing header X-ZC-Signature"},
    {"", "@", "@", "X-ZC-Time: not epoch milliseconds"},
    {"abc", "@", "@", "X-ZC-Time: not epoch milliseconds"},
    {"-1764000000000", "@", "@", "X-ZC-Time: not epoch"},
    {"01764000000000", "@", "@", "X-ZC-Time: not epoch"},
    {"1764000000000 ", "@", "@", "X-ZC-Time: not epoch"},
    {"1.764e12", "@", "@", "X-ZC-Time: not epoch"},
    {"99999999999999999999", "@", "@", "X-ZC-Time: not epoch"},
    {"@", "", "@", "X-ZC-Nonce: not 32 hex digits"},
    {"@", "0011223344556677", "@", "X-ZC-Nonce: not 32 hex digits"},
    {"@", "00112233445566778899aabbccddeefg", "@", "X-ZC-Nonce: not 32 hex digits"},
    {"@", "00112233445566778899aabbccddeeff00", "@", "X-ZC-Nonce: not 32 hex"},
    {"@", "@", "", "X-ZC-Signature: not base64 of 64 bytes"},
    {"@", "@", "not base64!", "X-ZC-Signature: not base64"},
    {"@", "@", "AAAA", "X-ZC-Signature: not base64"},
};

static void test_verify_malformed_headers(void **state)
{
    zc_keypair key;
    zc_syncwire_auth a;
    (void)state;
    assert_int_equal(zc_keys_generate(&key), ZC_OK);
    assert_int_equal(zc_syncwire_sign(&key, "ZK-1", "GET", PATH, NOW_MS, NULL, 0, &a), ZC_OK);
    for (size_t i = 0; i < sizeof HEADERS / sizeof HEADERS[0]; i++) {
        const header_case *c = &HEADERS[i];
#define PICK(v, good) ((v) && strcmp((v), "@") == 0 ? (good) : (v))
        zc_diag d = {{0}, 0};
        zc_err err =
            zc_syncwire_verify(key.pk, "GET", PATH, PICK(c->time, a.time), PICK(c->nonce, a.nonce),
                               PICK(c->signature, a.signature), NULL, 0, NULL, &d);
#undef PICK
        if (err != ZC_ERR_INVALID || strncmp(d.msg, c->msg, strlen(c->msg)) != 0)
            fail_msg("header case %zu: got %s \"%s\", expected \"%s\"", i, zc_err_str(err), d.msg,
                     c->msg);
    }
    /* A path that spans lines cannot be signed, so it cannot verify either. */
    assert_int_equal(zc_syncwire_verify(key.pk, "GET", "/v1\n", a.time, a.nonce, a.signature, NULL,
                                        0, NULL, NULL),
                     ZC_ERR_INVALID);
}

/* ---- sale records ---- */

/* Three entries: two walk-in sales through zc_sell (with their detail objects) and a void. */
static void make_sales(fixture *f)
{
    zc_diag d = {{0}, 0};
    zc_sell_result r;
    zc_sale v;
    zc_sell_request req = {
        .ident = ZC_IDENT_QR, .credential = "ZCE1.NOBODY", .price = 1500, .at = NOW_MS};
    if (zc_sell(f->dd, f->ledger, &req, &r, &d))
        fail_msg("sell: %s", d.msg);
    req.at += ZC_MS_PER_SECOND;
    req.price = 800;
    if (zc_sell(f->dd, f->ledger, &req, &r, &d))
        fail_msg("sell: %s", d.msg);
    if (zc_sell_void(f->dd, f->ledger, 1, "打错了", req.at + ZC_MS_PER_SECOND, &v, &d))
        fail_msg("void: %s", d.msg);
}

static void read_all(fixture *f, zc_syncwire_sale **recs, size_t *n)
{
    zc_diag d = {{0}, 0};
    if (zc_syncwire_sales_read(f->dd->store, 0, ZC_SYNC_BATCH_MAX, recs, n, &d))
        fail_msg("sales_read: %s", d.msg);
}

static void test_sales_read_and_check(void **state)
{
    fixture *f = *state;
    zc_syncwire_sale *recs;
    size_t n;
    zc_diag d = {{0}, 0};
    make_sales(f);
    read_all(f, &recs, &n);
    assert_int_equal(n, SALES);
    uint8_t prev[ZC_HASH_LEN] = {0};
    for (size_t i = 0; i < n; i++) {
        zc_sale s;
        assert_int_equal(recs[i].seq, (int64_t)i + 1);
        assert_int_equal(strlen(recs[i].canon), recs[i].canon_len);
        assert_memory_equal(recs[i].prev_hash, prev, ZC_HASH_LEN); /* the chain links */
        memcpy(prev, recs[i].hash, ZC_HASH_LEN);
        if (zc_syncwire_sale_check(&recs[i], f->dd->device_key.pk, f->dd->device_id, &s, &d))
            fail_msg("check %zu: %s", i, d.msg);
        assert_int_equal(s.seq, recs[i].seq);
        assert_string_equal(s.device_id, f->dd->device_id);
        assert_string_equal(s.canteen, "C0107");
        assert_memory_equal(s.hash, recs[i].hash, ZC_HASH_LEN);
        assert_int_equal(s.kind, i == 2 ? ZC_ENTRY_VOID : ZC_ENTRY_SALE);
        if (i == 0)
            assert_int_equal(s.price, 1500);
        json_decref(s.detail);
        /* A NULL sale is fine when only the verdict matters. */
        assert_int_equal(
            zc_syncwire_sale_check(&recs[i], f->dd->device_key.pk, f->dd->device_id, NULL, NULL),
            ZC_OK);
    }
    zc_syncwire_sales_free(recs, n);
    /* After and max page through the ledger. */
    assert_int_equal(zc_syncwire_sales_read(f->dd->store, 1, 1, &recs, &n, &d), ZC_OK);
    assert_int_equal(n, 1);
    assert_int_equal(recs[0].seq, 2);
    zc_syncwire_sales_free(recs, n);
    assert_int_equal(zc_syncwire_sales_read(f->dd->store, SALES, 10, &recs, &n, &d), ZC_OK);
    assert_int_equal(n, 0);
    assert_null(recs);
    assert_int_equal(zc_syncwire_sales_read(f->dd->store, 0, 0, &recs, &n, &d), ZC_OK);
    assert_int_equal(n, 0);
}

static void test_sale_json_round_trip(void **state)
{
    fixture *f = *state;
    zc_syncwire_sale *recs;
    size_t n;
    make_sales(f);
    read_all(f, &recs, &n);
    for (size_t i = 0; i < n; i++) {
        json_t *o;
        zc_syncwire_sale back;
        zc_diag d = {{0}, 0};
        assert_int_equal(zc_syncwire_sale_to_json(&recs[i], &o), ZC_OK);
        /* Through text, as the wire carries it. */
        char *text = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        assert_non_null(text);
        o = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
        free(text);
        assert_non_null(o);
        assert_int_equal(json_string_length(json_object_get(o, "hash")), HASH_HEX);
        if (zc_syncwire_sale_from_json(o, &back, &d))
            fail_msg("from_json: %s", d.msg);
        json_decref(o);
        assert_int_equal(back.seq, recs[i].seq);
        assert_int_equal(back.canon_len, recs[i].canon_len);
        assert_memory_equal(back.canon, recs[i].canon, back.canon_len);
        assert_memory_equal(back.prev_hash, recs[i].prev_hash, ZC_HASH_LEN);
        assert_memory_equal(back.hash, recs[i].hash, ZC_HASH_LEN);
        assert_memory_equal(back.sig, recs[i].sig, ZC_SIG_LEN);
        assert_int_equal(
            zc_syncwire_sale_check(&back, f->dd->device_key.pk, f->dd->device_id, NULL, &d), ZC_OK);
        zc_syncwire_sale_clear(&back);
        assert_null(back.canon);
    }
    zc_syncwire_sales_free(recs, n);
}

typedef enum tamper {
    T_CANON,
    T_HASH,
    T_PREV,
    T_SIG,
    T_SEQ,
    T_DEVICE,
    T_KEY,
    T_RESIGNED_OTHER_KEY,
    T_SIGNED_GARBAGE,
} tamper;

typedef struct sale_tamper_case {
    tamper what;
    zc_err err;
    const char *msg; /* part of the diag */
} sale_tamper_case;

static const sale_tamper_case SALE_TAMPER[] = {
    {T_CANON, ZC_ERR_BROKEN, "hash is not SHA-256"},
    {T_HASH, ZC_ERR_BROKEN, "hash is not SHA-256"},
    {T_PREV, ZC_ERR_BROKEN, "hash is not SHA-256"},
    {T_SIG, ZC_ERR_CRYPTO, "signature does not verify"},
    {T_SEQ, ZC_ERR_BROKEN, "canon says seq 2"},
    {T_DEVICE, ZC_ERR_BROKEN, "canon is from device"},
    {T_KEY, ZC_ERR_CRYPTO, "signature does not verify"},
    {T_RESIGNED_OTHER_KEY, ZC_ERR_CRYPTO, "signature does not verify"},
    {T_SIGNED_GARBAGE, ZC_ERR_INVALID, "canonical entry"},
};

/* Rewrites canon (as the same length or as new text) and seals it with the given key. */
static void reseal(zc_syncwire_sale *rec, const char *canon, const zc_keypair *key)
{
    if (canon) {
        free(rec->canon);
        rec->canon = strdup(canon);
        assert_non_null(rec->canon);
        rec->canon_len = strlen(canon);
    }
    zc_sale_chain_hash(rec->prev_hash, rec->canon, rec->canon_len, rec->hash);
    zc_keys_sign(key, rec->hash, ZC_HASH_LEN, rec->sig);
}

static void test_sale_check_tampered(void **state)
{
    fixture *f = *state;
    zc_syncwire_sale *recs;
    size_t n;
    zc_keypair other;
    assert_int_equal(zc_keys_generate(&other), ZC_OK);
    make_sales(f);
    read_all(f, &recs, &n);
    for (size_t i = 0; i < sizeof SALE_TAMPER / sizeof SALE_TAMPER[0]; i++) {
        const sale_tamper_case *c = &SALE_TAMPER[i];
        zc_syncwire_sale rec = recs[1];
        const uint8_t *pk = f->dd->device_key.pk;
        const char *device = f->dd->device_id;
        zc_sale s;
        zc_diag d = {{0}, 0};
        rec.canon = strdup(recs[1].canon);
        assert_non_null(rec.canon);
        switch (c->what) {
        case T_CANON: {
            /* 800 fen becomes 890: same length, still valid JSON. */
            char *price = strstr(rec.canon, "\"price\":800");
            assert_non_null(price);
            price[9] = '9';
            break;
        }
        case T_HASH:
            rec.hash[ZC_HASH_LEN - 1] ^= 1;
            break;
        case T_PREV:
            rec.prev_hash[0] ^= 1;
            break;
        case T_SIG:
            rec.sig[ZC_SIG_LEN / 2] ^= 1;
            break;
        case T_SEQ:
            rec.seq = 5; /* the device's own signed canon says 2 */
            break;
        case T_DEVICE:
            device = "ZK-000000000000";
            break;
        case T_KEY:
            pk = other.pk;
            break;
        case T_RESIGNED_OTHER_KEY:
            reseal(&rec, NULL, &other); /* the same bytes, sealed by someone else */
            break;
        case T_SIGNED_GARBAGE:
            reseal(&rec, "{\"v\":1}", &f->dd->device_key);
            break;
        }
        memset(&s, 0xA5, sizeof s);
        zc_err err = zc_syncwire_sale_check(&rec, pk, device, &s, &d);
        if (err != c->err || !strstr(d.msg, c->msg))
            fail_msg("tamper case %zu: got %s \"%s\", expected %s \"%s\"", i, zc_err_str(err),
                     d.msg, zc_err_str(c->err), c->msg);
        assert_null(s.detail); /* nothing to release on failure */
        free(rec.canon);
    }
    zc_syncwire_sales_free(recs, n);
}

typedef struct sale_json_case {
    const char *json;
    const char *msg;
} sale_json_case;

#define H64 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define SIG88                                                                                      \
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="

static const sale_json_case SALE_JSON_BAD[] = {
    {"[]", "sale record: not a JSON object"},
    {"{\"canon\":\"{}\",\"prev_hash\":\"" H64 "\",\"hash\":\"" H64 "\",\"sig\":\"" SIG88 "\"}",
     "sale record: seq: missing"},
    {"{\"seq\":\"1\",\"canon\":\"{}\",\"prev_hash\":\"" H64 "\",\"hash\":\"" H64
     "\",\"sig\":\"" SIG88 "\"}",
     "sale record: seq: not an integer"},
    {"{\"seq\":0,\"canon\":\"{}\",\"prev_hash\":\"" H64 "\",\"hash\":\"" H64 "\",\"sig\":\"" SIG88
     "\"}",
     "sale record: seq: less than 1"},
    {"{\"seq\":1,\"prev_hash\":\"" H64 "\",\"hash\":\"" H64 "\",\"sig\":\"" SIG88 "\"}",
     "sale record: canon: missing"},
    {"{\"seq\":1,\"canon\":{},\"prev_hash\":\"" H64 "\",\"hash\":\"" H64 "\",\"sig\":\"" SIG88
     "\"}",
     "sale record: canon: not a non-empty string"},
    {"{\"seq\":1,\"canon\":\"\",\"prev_hash\":\"" H64 "\",\"hash\":\"" H64 "\",\"sig\":\"" SIG88
     "\"}",
     "sale record: canon: not a non-empty string"},
    {"{\"seq\":1,\"canon\":\"{}\",\"prev_hash\":\"00\",\"hash\":\"" H64 "\",\"sig\":\"" SIG88 "\"}",
     "sale record: prev_hash: not 64 hex digits"},
    {"{\"seq\":1,\"canon\":\"{}\",\"prev_hash\":\"" H64 "\",\"hash\":\"zz" H64 "\",\"sig\":\"" SIG88
     "\"}",
     "sale record: hash: not 64 hex digits"},
    {"{\"seq\":1,\"canon\":\"{}\",\"prev_hash\":\"" H64 "\",\"hash\":null,\"sig\":\"" SIG88 "\"}",
     "sale record: hash: not 64 hex digits"},
    {"{\"seq\":1,\"canon\":\"{}\",\"prev_hash\":\"" H64 "\",\"hash\":\"" H64 "\"}",
     "sale record: sig: missing"},
    {"{\"seq\":1,\"canon\":\"{}\",\"prev_hash\":\"" H64 "\",\"hash\":\"" H64 "\",\"sig\":\"AAAA\"}",
     "sale record: sig: not base64 of 64 bytes"},
};

static void test_sale_json_malformed(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof SALE_JSON_BAD / sizeof SALE_JSON_BAD[0]; i++) {
        json_t *o = json_loads(SALE_JSON_BAD[i].json, 0, NULL);
        zc_syncwire_sale rec;
        zc_diag d = {{0}, 0};
        if (!o)
            fail_msg("sale json case %zu does not parse", i);
        zc_err err = zc_syncwire_sale_from_json(o, &rec, &d);
        json_decref(o);
        if (err != ZC_ERR_INVALID || strcmp(d.msg, SALE_JSON_BAD[i].msg) != 0)
            fail_msg("sale json case %zu: got %s \"%s\", expected \"%s\"", i, zc_err_str(err),
                     d.msg, SALE_JSON_BAD[i].msg);
        assert_null(rec.canon);
    }
    /* Unknown keys are tolerated for forward compatibility. */
    json_t *o = json_loads("{\"seq\":1,\"canon\":\"{}\",\"prev_hash\":\"" H64 "\",\"hash\":\"" H64
                           "\",\"sig\":\"" SIG88 "\",\"later\":true}",
                           0, NULL);
    zc_syncwire_sale rec;
    assert_int_equal(zc_syncwire_sale_from_json(o, &rec, NULL), ZC_OK);
    assert_string_equal(rec.canon, "{}");
    zc_syncwire_sale_clear(&rec);
    json_decref(o);
}

/* ---- roster rows ---- */

static zc_syncwire_elder elder_row(int64_t id, int64_t version, const char *name, uint8_t hmac_byte)
{
    zc_syncwire_elder r;
    memset(&r, 0, sizeof r);
    r.id = id;
    r.version = version;
    memset(r.id_hmac, hmac_byte, sizeof r.id_hmac);
    snprintf(r.name, sizeof r.name, "%s", name);
    r.birth = (zc_date){1946, 5, 1};
    snprintf(r.region, sizeof r.region, "320202");
    snprintf(r.categories, sizeof r.categories, "dibao");
    r.status = ZC_ELDER_ACTIVE;
    return r;
}

static void expect_same_elder(const zc_syncwire_elder *a, const zc_syncwire_elder *b)
{
    assert_int_equal(a->id, b->id);
    assert_int_equal(a->version, b->version);
    assert_int_equal(a->deleted, b->deleted);
    if (a->deleted)
        return;
    assert_memory_equal(a->id_hmac, b->id_hmac, ZC_HASH_LEN);
    assert_string_equal(a->name, b->name);
    assert_int_equal(zc_date_compare(a->birth, b->birth), 0);
    assert_string_equal(a->region, b->region);
    assert_string_equal(a->categories, b->categories);
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->has_qr, b->has_qr);
    assert_int_equal(a->has_card, b->has_card);
    if (a->has_qr)
        assert_memory_equal(a->qr_hash, b->qr_hash, ZC_HASH_LEN);
    if (a->has_card)
        assert_memory_equal(a->card_hash, b->card_hash, ZC_HASH_LEN);
}

static void test_elder_json_round_trip(void **state)
{
    zc_syncwire_elder rows[3] = {elder_row(7, 12, "王秀英", 0x11),
                                 elder_row(8, 13, "李四", 0x22),
                                 {.id = 9, .version = 14, .deleted = true}};
    (void)state;
    rows[0].has_qr = true;
    zc_roster_qr_hash("ZCE1.AAAA", rows[0].qr_hash);
    rows[1].has_card = true;
    assert_int_equal(zc_roster_card_hash("04a1b2c3", rows[1].card_hash, NULL), ZC_OK);
    rows[1].status = ZC_ELDER_SUSPENDED;
    rows[1].categories[0] = '\0';
    for (size_t i = 0; i < 3; i++) {
        json_t *o;
        zc_syncwire_elder back;
        zc_diag d = {{0}, 0};
        assert_int_equal(zc_syncwire_elder_to_json(&rows[i], &o), ZC_OK);
        char *text = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        o = json_loads(text, 0, NULL);
        assert_non_null(o);
        if (i == 0) {
            assert_string_equal(json_string_value(json_object_get(o, "status")), "active");
            assert_string_equal(json_string_value(json_object_get(o, "birth_date")), "1946-05-01");
            assert_true(json_is_null(json_object_get(o, "card_hash")));
        }
        if (i == 2) /* a tombstone is three keys */
            assert_string_equal(text, "{\"id\":9,\"version\":14,\"deleted\":true}");
        free(text);
        if (zc_syncwire_elder_from_json(o, &back, &d))
            fail_msg("row %zu: %s", i, d.msg);
        json_decref(o);
        expect_same_elder(&rows[i], &back);
    }
}

typedef struct elder_bad_case {
    const char *key;
    const char *value; /* JSON text */
    const char *msg;   /* part of the diag */
} elder_bad_case;

#define N128                                                                                       \
    "\"abcdefghijklmnopabcdefghijklmnopabcdefghijklmnopabcdefghijklmnopabcdefghijklmnop"           \
    "abcdefghijklmnopabcdefghijklmnopabcdefghijklmnop\""

static const elder_bad_case ELDER_BAD[] = {
    {"id", "\"7\"", "roster row: id: not an integer"},
    {"id", "0", "roster row: id: less than 1"},
    {"id", NULL, "roster row: id: missing"},
    {"version", "1.5", "roster row: version: not an integer"},
    {"version", NULL, "roster row: version: missing"},
    {"deleted", "\"no\"", "deleted: not true or false"},
    {"deleted", NULL, "deleted: missing"},
    {"id_hmac", "\"" H64 "0\"", "roster row: id_hmac: not 64 hex digits"},
    {"id_hmac", "\"zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"",
     "id_hmac: not 64 hex digits"},
    {"id_hmac", "null", "id_hmac: not 64 hex digits"},
    {"name", "7", "roster row: name: not a string"},
    {"name", N128, "roster row: name: longer than 127 bytes"},
    {"name", "\"\"", "name: empty"},
    {"name", "\"王\\n五\"", "name: contains a control character"},
    {"name", "\"王\\u0000五\"", "name: contains a NUL character"},
    {"birth_date", "\"1950-02-30\"", "birth_date: "},
    {"birth_date", "19500203", "birth_date: not a string"},
    {"region", "\"32a2\"", "region: \"32a2\" is not 2 to 12 digits"},
    {"region", "\"\"", "region: \"\" is not"},
    {"categories", "\"Dibao\"", "categories: \"Dibao\" is not a category id"},
    {"categories", "[\"dibao\"]", "categories: not a string"},
    {"status", "\"deleted\"", "status: \"deleted\" is neither active nor suspended"},
    {"status", "true", "status: not a string"},
    {"qr_hash", "123", "qr_hash: not 64 hex digits or null"},
    {"qr_hash", NULL, "qr_hash: missing"},
    {"card_hash", "\"xyz\"", "card_hash: not 64 hex digits or null"},
};

static void test_elder_json_malformed(void **state)
{
    zc_syncwire_elder good = elder_row(7, 12, "王秀英", 0x11);
    json_t *base;
    (void)state;
    assert_int_equal(zc_syncwire_elder_to_json(&good, &base), ZC_OK);
    for (size_t i = 0; i < sizeof ELDER_BAD / sizeof ELDER_BAD[0]; i++) {
        const elder_bad_case *c = &ELDER_BAD[i];
        json_t *o = json_deep_copy(base);
        zc_syncwire_elder row;
        zc_diag d = {{0}, 0};
        if (c->value) {
            json_t *v = json_loads(c->value, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
            assert_non_null(v);
            json_object_set_new(o, c->key, v);
        } else {
            json_object_del(o, c->key);
        }
        zc_err err = zc_syncwire_elder_from_json(o, &row, &d);
        json_decref(o);
        if (err != ZC_ERR_INVALID || !strstr(d.msg, c->msg))
            fail_msg("elder case %zu (%s): got %s \"%s\", expected \"%s\"", i, c->key,
                     zc_err_str(err), d.msg, c->msg);
    }
    json_decref(base);
    /* A tombstone needs nothing else; a non-object is refused. */
    json_t *o = json_loads("{\"id\":3,\"version\":9,\"deleted\":true}", 0, NULL);
    zc_syncwire_elder row;
    assert_int_equal(zc_syncwire_elder_from_json(o, &row, NULL), ZC_OK);
    assert_true(row.deleted);
    json_decref(o);
    o = json_loads("[1]", 0, NULL);
    assert_int_equal(zc_syncwire_elder_from_json(o, &row, NULL), ZC_ERR_INVALID);
    json_decref(o);
}

static int64_t sql_int(zc_store *store, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    assert_int_equal(sqlite3_prepare_v2(zc_store_db(store), sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -2 : sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void expect_cursor(zc_store *store, const char *want)
{
    char got[ZC_META_VALUE_MAX];
    assert_int_equal(zc_store_meta_get(store, ZC_META_SYNC_CURSOR, got, sizeof got, NULL), ZC_OK);
    assert_string_equal(got, want);
}

static void apply_ok(zc_store *store, const zc_syncwire_elder *rows, size_t n, const char *cursor)
{
    zc_diag d = {{0}, 0};
    if (zc_syncwire_roster_apply(store, rows, n, cursor, &d))
        fail_msg("apply: %s", d.msg);
}

static void test_roster_apply(void **state)
{
    zc_store *store = store_of(state);
    zc_syncwire_elder page[ROWS_MAX];
    zc_elder e;
    int64_t count = -1;
    page[0] = elder_row(1, 5, "王秀英", 0x11);
    page[0].has_qr = true;
    zc_roster_qr_hash("ZCE1.AAAA", page[0].qr_hash);
    page[1] = elder_row(2, 6, "李四", 0x22);
    page[1].has_card = true;
    assert_int_equal(zc_roster_card_hash("deadbeef", page[1].card_hash, NULL), ZC_OK);
    apply_ok(store, page, 2, "v6");
    assert_int_equal(zc_roster_count(store, &count, NULL), ZC_OK);
    assert_int_equal(count, 2);
    expect_cursor(store, "v6");
    /* Found the way a sale finds them, under the hub's roster ids and row versions. */
    assert_int_equal(zc_roster_find_by_qr(store, "ZCE1.AAAA", &e, NULL), ZC_OK);
    assert_int_equal(e.id, 1);
    assert_string_equal(e.name, "王秀英");
    assert_int_equal(zc_roster_find_by_card(store, "DEADBEEF", &e, NULL), ZC_OK);
    assert_int_equal(e.id, 2);
    assert_int_equal(sql_int(store, "SELECT version FROM elder WHERE id = 2"), 6);

    /* An upsert replaces the row under its id. */
    page[0].version = 7;
    snprintf(page[0].name, sizeof page[0].name, "王秀英改");
    page[0].status = ZC_ELDER_SUSPENDED;
    apply_ok(store, page, 1, "v7");
    assert_int_equal(zc_roster_get(store, 1, &e, NULL), ZC_OK);
    assert_string_equal(e.name, "王秀英改");
    assert_int_equal(e.status, ZC_ELDER_SUSPENDED);
    assert_int_equal(sql_int(store, "SELECT version FROM elder WHERE id = 1"), 7);
    assert_int_equal(sql_int(store, "SELECT count(*) FROM elder"), 2);
    expect_cursor(store, "v7");

    /* The hub moved the QR code to elder 2: elder 1 no longer holds it. */
    page[1].version = 8;
    page[1].has_qr = true;
    memcpy(page[1].qr_hash, page[0].qr_hash, ZC_HASH_LEN);
    apply_ok(store, &page[1], 1, "v8");
    assert_int_equal(zc_roster_find_by_qr(store, "ZCE1.AAAA", &e, NULL), ZC_OK);
    assert_int_equal(e.id, 2);
    assert_int_equal(sql_int(store, "SELECT qr_hash FROM elder WHERE id = 1"), -2);

    /* And the card to a new elder 3, in the same page as a swap back of the QR code. */
    page[2] = elder_row(3, 9, "赵六", 0x33);
    page[2].has_card = true;
    memcpy(page[2].card_hash, page[1].card_hash, ZC_HASH_LEN);
    page[3] = page[0];
    page[3].version = 9;
    apply_ok(store, &page[2], 2, "v9");
    assert_int_equal(zc_roster_find_by_card(store, "deadbeef", &e, NULL), ZC_OK);
    assert_int_equal(e.id, 3);
    assert_int_equal(zc_roster_find_by_qr(store, "ZCE1.AAAA", &e, NULL), ZC_OK);
    assert_int_equal(e.id, 1);
    assert_int_equal(sql_int(store, "SELECT count(*) FROM elder WHERE qr_hash IS NOT NULL"), 1);

    /* An ID hash under a new roster id: the stale row goes. */
    zc_syncwire_elder moved = elder_row(4, 10, "赵六", 0x33);
    apply_ok(store, &moved, 1, "v10");
    assert_int_equal(zc_roster_get(store, 3, &e, NULL), ZC_ERR_NOT_FOUND);
    assert_int_equal(zc_roster_get(store, 4, &e, NULL), ZC_OK);

    /* Tombstones remove; one for an id never seen is harmless. */
    zc_syncwire_elder gone[2] = {{.id = 2, .version = 11, .deleted = true},
                                 {.id = 99, .version = 12, .deleted = true}};
    apply_ok(store, gone, 2, "v12");
    assert_int_equal(zc_roster_get(store, 2, &e, NULL), ZC_ERR_NOT_FOUND);
    assert_int_equal(sql_int(store, "SELECT count(*) FROM elder"), 2);
    expect_cursor(store, "v12");

    /* An empty page still moves the cursor. */
    apply_ok(store, NULL, 0, "v12b");
    expect_cursor(store, "v12b");
}

static void test_roster_apply_all_or_nothing(void **state)
{
    zc_store *store = store_of(state);
    zc_syncwire_elder page[3];
    zc_diag d = {{0}, 0};
    page[0] = elder_row(1, 1, "王秀英", 0x11);
    apply_ok(store, page, 1, "v1");

    /* A failure half way through the page (the database refuses row 3) leaves nothing. */
    page[0] = elder_row(1, 2, "改了", 0x11);
    page[1] = elder_row(2, 3, "新人", 0x22);
    page[2] = elder_row(3, 4, "出错", 0x33);
    assert_int_equal(zc_store_exec(store,
                                   "CREATE TEMP TRIGGER refuse_3 BEFORE INSERT ON elder"
                                   " WHEN new.id = 3 BEGIN SELECT RAISE(ABORT, 'no'); END",
                                   NULL),
                     ZC_OK);
    assert_int_not_equal(zc_syncwire_roster_apply(store, page, 3, "v4", &d), ZC_OK);
    assert_int_equal(zc_store_exec(store, "DROP TRIGGER refuse_3", NULL), ZC_OK);
    zc_elder e;
    assert_int_equal(zc_roster_get(store, 1, &e, NULL), ZC_OK);
    assert_string_equal(e.name, "王秀英");
    assert_int_equal(zc_roster_get(store, 2, &e, NULL), ZC_ERR_NOT_FOUND);
    expect_cursor(store, "v1");

    /* Rows that are bad in themselves, and a cursor that does not fit, are refused up front. */
    page[1].status = (zc_elder_status)7;
    assert_int_equal(zc_syncwire_roster_apply(store, page, 2, "v4", &d), ZC_ERR_INVALID);
    assert_non_null(strstr(d.msg, "status"));
    page[1] = elder_row(2, 3, "", 0x22);
    assert_int_equal(zc_syncwire_roster_apply(store, page, 2, "v4", &d), ZC_ERR_INVALID);
    assert_non_null(strstr(d.msg, "name: empty"));
    char cursor[ZC_SYNC_CURSOR_MAX + 1];
    memset(cursor, 'c', ZC_SYNC_CURSOR_MAX);
    cursor[ZC_SYNC_CURSOR_MAX] = '\0';
    assert_int_equal(zc_syncwire_roster_apply(store, page, 1, cursor, &d), ZC_ERR_INVALID);
    assert_int_equal(zc_syncwire_roster_apply(store, page, 1, NULL, &d), ZC_ERR_INVALID);
    assert_int_equal(zc_roster_get(store, 1, &e, NULL), ZC_OK);
    assert_string_equal(e.name, "王秀英");
    expect_cursor(store, "v1");
}

/* ---- menus ---- */

static const zc_menu_item MENU[] = {
    {"B01", "馒头+白粥", 800, "breakfast"},
    {"L01", "两荤一素", 1500, "lunch|dinner"},
    {"A01", "青菜汤面", 0, ""},
};

static void test_menu_json_round_trip(void **state)
{
    json_t *o;
    zc_menu_item *items;
    size_t n;
    int64_t version = -1;
    bool changed = false;
    zc_diag d = {{0}, 0};
    (void)state;
    assert_int_equal(zc_syncwire_menu_to_json(5, MENU, 3, &o), ZC_OK);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    o = json_loads(text, 0, NULL);
    free(text);
    if (zc_syncwire_menu_from_json(o, &version, &items, &n, &changed, &d))
        fail_msg("menu: %s", d.msg);
    json_decref(o);
    assert_int_equal(version, 5);
    assert_true(changed);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(items[i].code, MENU[i].code);
        assert_string_equal(items[i].name, MENU[i].name);
        assert_int_equal(items[i].price, MENU[i].price);
        assert_string_equal(items[i].periods, MENU[i].periods);
    }
    free(items);
    /* An empty menu is a change to nothing; null items is no change at all. */
    assert_int_equal(zc_syncwire_menu_to_json(6, NULL, 0, &o), ZC_OK);
    assert_int_equal(zc_syncwire_menu_from_json(o, &version, &items, &n, &changed, &d), ZC_OK);
    assert_true(changed);
    assert_int_equal(n, 0);
    free(items);
    json_decref(o);
    o = json_loads("{\"version\":6,\"items\":null,\"hub_time\":1}", 0, NULL);
    assert_int_equal(zc_syncwire_menu_from_json(o, &version, &items, &n, &changed, &d), ZC_OK);
    assert_false(changed);
    assert_null(items);
    assert_int_equal(version, 6);
    json_decref(o);
}

typedef struct menu_bad_case {
    const char *json;
    const char *msg; /* part of the diag */
} menu_bad_case;

static const menu_bad_case MENU_BAD[] = {
    {"[]", "menu: not a JSON object"},
    {"{\"items\":[]}", "menu: version: missing"},
    {"{\"version\":-1,\"items\":[]}", "menu: version: less than 0"},
    {"{\"version\":1}", "menu: items: missing"},
    {"{\"version\":1,\"items\":{}}", "menu: items: not an array or null"},
    {"{\"version\":1,\"items\":[7]}", "menu items[0]: not a JSON object"},
    {"{\"version\":1,\"items\":[{\"code\":\"A\",\"name\":\"饭\",\"price\":\"1\",\"periods\":\"\"}]"
     "}",
     "menu items[0]: price: not an integer"},
    {"{\"version\":1,\"items\":[{\"code\":\"A\",\"name\":\"饭\",\"price\":1}]}",
     "menu items[0]: periods: missing"},
    {"{\"version\":1,\"items\":[{\"code\":\"A B\",\"name\":\"饭\",\"price\":1,\"periods\":\"\"}]}",
     "menu: items[0]: code: \"A B\" may hold only"},
    {"{\"version\":1,\"items\":[{\"code\":\"A\",\"name\":\"\",\"price\":1,\"periods\":\"\"}]}",
     "menu: items[0]: name: empty"},
    {"{\"version\":1,\"items\":[{\"code\":\"A\",\"name\":\"饭\",\"price\":-1,\"periods\":\"\"}]}",
     "menu: items[0]: price: -1 is negative"},
    {"{\"version\":1,\"items\":[{\"code\":\"A\",\"name\":\"饭\",\"price\":100000001,"
     "\"periods\":\"\"}]}",
     "menu: items[0]: price: 100000001 is more than"},
    {"{\"version\":1,\"items\":[{\"code\":\"A\",\"name\":\"饭\",\"price\":1,\"periods\":"
     "\"Lunch\"}]}",
     "menu: items[0]: periods: \"Lunch\" is not a period id"},
    {"{\"version\":1,\"items\":[{\"code\":\"a1\",\"name\":\"饭\",\"price\":1,\"periods\":\"\"},"
     "{\"code\":\"A1\",\"name\":\"面\",\"price\":1,\"periods\":\"\"}]}",
     "menu: items[1]: code: same code as items[0]"},
    {"{\"version\":1,\"items\":[{\"code\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456\",\"name\":\"饭\","
     "\"price\":1,\"periods\":\"\"}]}",
     "menu items[0]: code: longer than 32 bytes"},
};

static void test_menu_json_malformed(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof MENU_BAD / sizeof MENU_BAD[0]; i++) {
        json_t *o = json_loads(MENU_BAD[i].json, 0, NULL);
        zc_menu_item *items = (zc_menu_item *)MENU; /* must come back NULL */
        size_t n = 1;
        int64_t version = 0;
        bool changed = true;
        zc_diag d = {{0}, 0};
        if (!o)
            fail_msg("menu case %zu does not parse", i);
        zc_err err = zc_syncwire_menu_from_json(o, &version, &items, &n, &changed, &d);
        json_decref(o);
        if (err != ZC_ERR_INVALID || !strstr(d.msg, MENU_BAD[i].msg))
            fail_msg("menu case %zu: got %s \"%s\", expected \"%s\"", i, zc_err_str(err), d.msg,
                     MENU_BAD[i].msg);
        assert_null(items);
        assert_int_equal(n, 0);
        assert_false(changed);
    }
}

static void test_menu_apply(void **state)
{
    zc_store *store = store_of(state);
    zc_menu_item *items;
    size_t n;
    char version[ZC_META_VALUE_MAX];
    zc_diag d = {{0}, 0};
    assert_int_equal(zc_syncwire_menu_apply(store, MENU, 3, 7, &d), ZC_OK);
    assert_int_equal(zc_menu_list(store, &items, &n, NULL), ZC_OK);
    assert_int_equal(n, 3);
    assert_string_equal(items[0].code, "A01"); /* code order */
    free(items);
    assert_int_equal(zc_store_meta_get(store, ZC_META_MENU_VERSION, version, sizeof version, NULL),
                     ZC_OK);
    assert_string_equal(version, "7");
    /* Replaced whole. */
    assert_int_equal(zc_syncwire_menu_apply(store, &MENU[1], 1, 8, &d), ZC_OK);
    zc_menu_item got;
    assert_int_equal(zc_menu_get(store, "B01", &got, NULL), ZC_ERR_NOT_FOUND);
    assert_int_equal(zc_menu_get(store, "L01", &got, NULL), ZC_OK);
    /* A bad menu changes nothing, version included. */
    zc_menu_item bad[2] = {MENU[0], MENU[0]};
    assert_int_equal(zc_syncwire_menu_apply(store, bad, 2, 9, &d), ZC_ERR_INVALID);
    assert_non_null(strstr(d.msg, "same code"));
    assert_int_equal(zc_syncwire_menu_apply(store, MENU, 3, -1, &d), ZC_ERR_INVALID);
    /* A failure inside the transaction too. */
    assert_int_equal(zc_store_exec(store,
                                   "CREATE TEMP TRIGGER refuse_a01 BEFORE INSERT ON menu_item"
                                   " WHEN new.code = 'A01' BEGIN SELECT RAISE(ABORT, 'no'); END",
                                   NULL),
                     ZC_OK);
    assert_int_not_equal(zc_syncwire_menu_apply(store, MENU, 3, 10, &d), ZC_OK);
    assert_int_equal(zc_store_exec(store, "DROP TRIGGER refuse_a01", NULL), ZC_OK);
    assert_int_equal(zc_menu_list(store, &items, &n, NULL), ZC_OK);
    assert_int_equal(n, 1);
    free(items);
    assert_int_equal(zc_store_meta_get(store, ZC_META_MENU_VERSION, version, sizeof version, NULL),
                     ZC_OK);
    assert_string_equal(version, "8");
    /* An empty menu is a menu. */
    assert_int_equal(zc_syncwire_menu_apply(store, NULL, 0, 11, &d), ZC_OK);
    assert_int_equal(zc_menu_list(store, &items, &n, NULL), ZC_OK);
    assert_int_equal(n, 0);
}

/* ---- enrolment hands the kiosk its region key ---- */

static void test_datadir_region_key(void **state)
{
    fixture *f = *state;
    char dir[ZC_TEST_PATH_MAX], pub[ZC_TEST_PATH_MAX];
    uint8_t key[ZC_REGION_KEY_LEN];
    zc_datadir *dd = NULL;
    zc_diag d = {{0}, 0};
    memset(key, 0x42, sizeof key);
    zt_join(dir, sizeof dir, f->dir, "enrolled");
    zt_join(pub, sizeof pub, f->dir, "rules.pub");
    /* The bytes win over a file, which is then not even read. */
    zc_datadir_init_opts o = {.canteen = "C0107",
                              .rules_pubkey = pub,
                              .region_key = key,
                              .region_key_file = "/nonexistent/region.key"};
    if (zc_datadir_init(dir, &o, &d) || zc_datadir_open(dir, &dd, &d))
        fail_msg("enrolled kiosk: %s", d.msg);
    assert_memory_equal(dd->region_key, key, sizeof key);
    assert_memory_not_equal(f->dd->region_key, key, sizeof key);
    zc_datadir_close(dd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_string),
        cmocka_unit_test(test_sign_verify_round_trip),
        cmocka_unit_test(test_verify_refuses_tampering),
        cmocka_unit_test(test_verify_malformed_headers),
        cmocka_unit_test_setup_teardown(test_sales_read_and_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sale_json_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sale_check_tampered, setup, teardown),
        cmocka_unit_test(test_sale_json_malformed),
        cmocka_unit_test(test_elder_json_round_trip),
        cmocka_unit_test(test_elder_json_malformed),
        cmocka_unit_test_setup_teardown(test_roster_apply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roster_apply_all_or_nothing, setup, teardown),
        cmocka_unit_test(test_menu_json_round_trip),
        cmocka_unit_test(test_menu_json_malformed),
        cmocka_unit_test_setup_teardown(test_menu_apply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_datadir_region_key, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
