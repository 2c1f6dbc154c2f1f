/*
 * libFuzzer: a pushed sale record as the hub receives it. Any bytes go through the JSON reader;
 * a record it accepts must survive a round trip through JSON unchanged, and its canon, sealed with
 * a fixed device key as the ledger would seal it, goes through the whole check: a record that
 * passes must carry its own seq and device, and one that fails must say why.
 */
#include "zc/syncwire.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char DEVICE[] = "ZK-0123456789ab";

static void same_or_abort(const zc_syncwire_sale *a, const zc_syncwire_sale *b)
{
    if (a->seq != b->seq || a->canon_len != b->canon_len ||
        memcmp(a->canon, b->canon, a->canon_len) != 0 ||
        memcmp(a->prev_hash, b->prev_hash, ZC_HASH_LEN) != 0 ||
        memcmp(a->hash, b->hash, ZC_HASH_LEN) != 0 || memcmp(a->sig, b->sig, ZC_SIG_LEN) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static zc_keypair key;
    static bool ready;
    if (!ready) {
        uint8_t seed[ZC_SEED_LEN] = {0};
        if (sodium_init() < 0 || crypto_sign_seed_keypair(key.pk, key.sk, seed) != 0)
            abort();
        ready = true;
    }
    json_t *o = json_loadb((const char *)data, size, 0, NULL);
    zc_syncwire_sale rec, back;
    zc_diag diag = {{0}, 0};
    if (!o)
        return 0;
    zc_err err = zc_syncwire_sale_from_json(o, &rec, &diag);
    json_decref(o);
    if (err) {
        if (err != ZC_ERR_INVALID || !diag.msg[0] || rec.canon)
            abort();
        return 0;
    }
    /* Whatever the record claims, the fixed key cannot have signed it. */
    if (zc_syncwire_sale_check(&rec, key.pk, DEVICE, NULL, &diag) == ZC_OK)
        abort();
    json_t *again = NULL;
    if (zc_syncwire_sale_to_json(&rec, &again) == ZC_OK) {
        if (zc_syncwire_sale_from_json(again, &back, NULL))
            abort();
        same_or_abort(&rec, &back);
        zc_syncwire_sale_clear(&back);
        json_decref(again);
    }
    /* Sealed properly, only the canon itself can be wrong. */
    zc_sale sale;
    zc_sale_chain_hash(rec.prev_hash, rec.canon, rec.canon_len, rec.hash);
    zc_keys_sign(&key, rec.hash, ZC_HASH_LEN, rec.sig);
    err = zc_syncwire_sale_check(&rec, key.pk, DEVICE, &sale, &diag);
    if (err == ZC_OK) {
        if (sale.seq != rec.seq || strcmp(sale.device_id, DEVICE) != 0)
            abort();
        json_decref(sale.detail);
    } else if (err == ZC_ERR_CRYPTO || !diag.msg[0] || sale.detail) {
        abort();
    }
    zc_syncwire_sale_clear(&rec);
    return 0;
}
