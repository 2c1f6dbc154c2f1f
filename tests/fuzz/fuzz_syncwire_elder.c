/*
 * libFuzzer: one roster row as the hub sends it. A row the reader accepts must come back the same
 * through JSON and apply to an in-memory kiosk store (inside a transaction rolled back after each
 * input, so every input sees the same two elders); a refused row names its key.
 */
#include "zc/syncwire.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_or_abort(const zc_syncwire_elder *a, const zc_syncwire_elder *b)
{
    if (a->id != b->id || a->version != b->version || a->deleted != b->deleted)
        abort();
    if (a->deleted)
        return;
    if (memcmp(a->id_hmac, b->id_hmac, ZC_HASH_LEN) != 0 || strcmp(a->name, b->name) != 0 ||
        zc_date_compare(a->birth, b->birth) != 0 || strcmp(a->region, b->region) != 0 ||
        strcmp(a->categories, b->categories) != 0 || a->status != b->status ||
        a->has_qr != b->has_qr || a->has_card != b->has_card ||
        (a->has_qr && memcmp(a->qr_hash, b->qr_hash, ZC_HASH_LEN) != 0) ||
        (a->has_card && memcmp(a->card_hash, b->card_hash, ZC_HASH_LEN) != 0))
        abort();
}

static zc_store *base_store(void)
{
    zc_store *store;
    zc_syncwire_elder rows[2];
    if (zc_store_open(":memory:", NULL, &store, NULL))
        abort();
    for (int i = 0; i < 2; i++) {
        json_t *o =
            json_pack("{s:i,s:i,s:b,s:s,s:s,s:s,s:s,s:s,s:s,s:n,s:n}", "id", i + 1, "version", 1,
                      "deleted", 0, "id_hmac",
                      i ? "1111111111111111111111111111111111111111111111111111111111111111"
                        : "2222222222222222222222222222222222222222222222222222222222222222",
                      "name", "王秀英", "birth_date", "1938-03-15", "region", "320202",
                      "categories", "", "status", "active", "qr_hash", "card_hash");
        if (!o || zc_syncwire_elder_from_json(o, &rows[i], NULL))
            abort();
        json_decref(o);
    }
    if (zc_syncwire_roster_apply(store, rows, 2, "base", NULL))
        abort();
    return store;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static zc_store *store;
    zc_syncwire_elder row, back;
    zc_diag diag = {{0}, 0};
    if (!store)
        store = base_store();
    json_t *o = json_loadb((const char *)data, size, 0, NULL);
    if (!o)
        return 0;
    zc_err err = zc_syncwire_elder_from_json(o, &row, &diag);
    json_decref(o);
    if (err) {
        if (err != ZC_ERR_INVALID || !diag.msg[0])
            abort();
        return 0;
    }
    json_t *again;
    if (zc_syncwire_elder_to_json(&row, &again) || zc_syncwire_elder_from_json(again, &back, NULL))
        abort();
    json_decref(again);
    same_or_abort(&row, &back);
    if (zc_store_begin(store, NULL))
        abort();
    if (zc_syncwire_roster_apply(store, &row, 1, "cursor", &diag))
        abort();
    zc_elder e;
    err = zc_roster_get(store, row.id, &e, NULL);
    if (row.deleted ? err != ZC_ERR_NOT_FOUND : (err != ZC_OK || strcmp(e.name, row.name) != 0))
        abort();
    zc_store_rollback(store);
    return 0;
}
