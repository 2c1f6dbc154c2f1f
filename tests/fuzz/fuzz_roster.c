/*
 * libFuzzer: roster import over any bytes, into an in-memory store holding a small roster so that
 * conflicts with existing elders are reached. Each input runs inside an outer transaction that is
 * rolled back, so every input sees the same roster; a refused file must leave it untouched.
 */
#include "zc/roster.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { KEY_BYTE = 0x5a };

static const char BASE[] = "id_number,name,birth_date,region,categories,status,qr_token,card_uid\n"
                           "11010119490101000X,张三华,,,dibao,active,ZCE1.AAAA,04A1B2C3\n"
                           "320202195005050017,欧阳娜娜,1950-05-06,3202,,suspended,,DEADBEEF\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static zc_store *open_store(const uint8_t *key, int64_t *base_count)
{
    zc_store *store;
    if (zc_store_open(":memory:", NULL, &store, NULL) ||
        zc_roster_import_csv(store, key, BASE, strlen(BASE), NULL, NULL) ||
        zc_roster_count(store, base_count, NULL))
        abort();
    return store;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* One store for the whole run: opening and migrating per input would dominate the time. */
    static zc_store *store;
    static int64_t base_count;
    uint8_t key[ZC_REGION_KEY_LEN];
    zc_roster_import_stats stats = {0, 0, 0};
    zc_diag diag = {{0}, 0};
    int64_t n;
    memset(key, KEY_BYTE, sizeof key);
    if (!store)
        store = open_store(key, &base_count);
    if (zc_store_begin(store, NULL))
        abort();
    zc_err err = zc_roster_import_csv(store, key, (const char *)data, size, &stats, &diag);
    if (zc_roster_count(store, &n, NULL))
        abort();
    if (err == ZC_OK &&
        (stats.added + stats.updated != stats.rows || n != base_count + stats.added))
        abort();
    if (err && (err != ZC_ERR_INVALID || diag.line < 1 || n != base_count ||
                strncmp(diag.msg, "line ", strlen("line ")) != 0))
        abort();
    zc_store_rollback(store);
    return 0;
}
