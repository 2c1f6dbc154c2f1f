#include "zc/datadir.h"

#include "zc/codec.h"

#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { DIR_MODE = 0700, DEVICE_ID_HASH_BYTES = 6 };

#define META_DEVICE_ID "device_id"
#define META_CANTEEN "canteen"
#define META_TIMEZONE "timezone"
#define META_CANTEEN_REGION "canteen_region"
#define REGION_DIGITS_MAX 12

static zc_err join(char *buf, const char *dir, const char *name, zc_diag *diag)
{
    int n = snprintf(buf, ZC_DATADIR_PATH_MAX, "%s/%s", dir, name);
    if (n < 0 || n >= ZC_DATADIR_PATH_MAX)
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: path too long", dir);
    return ZC_OK;
}

void zc_datadir_device_id(const uint8_t pk[ZC_PUBKEY_LEN], char out[ZC_ID_MAX])
{
    uint8_t digest[crypto_hash_sha256_BYTES];
    char hex[ZC_HEX_SIZE(DEVICE_ID_HASH_BYTES)];
    crypto_hash_sha256(digest, pk, ZC_PUBKEY_LEN);
    zc_hex_encode(digest, DEVICE_ID_HASH_BYTES, hex);
    snprintf(out, ZC_ID_MAX, "ZK-%s", hex);
}

/* Canteen ids appear in file names, URLs and reports: keep them plain. */
static bool valid_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= ZC_ID_MAX)
        return false;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '.'))
            return false;
    return true;
}

static bool valid_region(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > REGION_DIGITS_MAX)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static zc_err init_store(const char *db_path, const char *device_id, const zc_datadir_init_opts *o,
                         zc_diag *diag)
{
    zc_store *store;
    zc_err err = zc_store_open(db_path, NULL, &store, diag);
    if (err)
        return err;
    if (!(err = zc_store_begin(store, diag))) {
        if ((err = zc_store_meta_set(store, META_DEVICE_ID, device_id, diag)) ||
            (err = zc_store_meta_set(store, META_CANTEEN, o->canteen, diag)) ||
            (err = zc_store_meta_set(store, META_CANTEEN_REGION,
                                     o->canteen_region ? o->canteen_region : "", diag)) ||
            (err = zc_store_meta_set(store, META_TIMEZONE,
                                     o->timezone ? o->timezone : ZC_TZ_DEFAULT, diag)) ||
            (err = zc_store_commit(store, diag)))
            zc_store_rollback(store);
    }
    zc_store_close(store);
    return err;
}

zc_err zc_datadir_init(const char *dir, const zc_datadir_init_opts *o, zc_diag *diag)
{
    char path[ZC_DATADIR_PATH_MAX], pub[ZC_DATADIR_PATH_MAX];
    zc_err err;
    if (!o->canteen || !valid_id(o->canteen))
        return zc_diag_set(diag, ZC_ERR_INVALID,
                           "--canteen: must be 1-%d letters, digits, '-', '_' or '.'",
                           ZC_ID_MAX - 1);
    if (o->canteen_region && !valid_region(o->canteen_region))
        return zc_diag_set(diag, ZC_ERR_INVALID, "--canteen-region: must be 2-%d digits",
                           REGION_DIGITS_MAX);
    uint8_t rules_pk[ZC_PUBKEY_LEN];
    if (!o->rules_pubkey)
        return zc_diag_set(diag, ZC_ERR_INVALID, "--rules-pubkey: required");
    if ((err = zc_keys_load_public(o->rules_pubkey, rules_pk, diag)))
        return err;
    if (o->timezone) {
        zc_tz *tz;
        if ((err = zc_tz_open(NULL, o->timezone, &tz, diag)))
            return err;
        zc_tz_free(tz);
    }
    uint8_t region_key[ZC_REGION_KEY_LEN];
    /* The hub hands an enrolling kiosk the region's key itself: that beats any file named too. */
    if (o->region_key)
        memcpy(region_key, o->region_key, sizeof region_key);
    else if (o->region_key_file) {
        if ((err =
                 zc_keys_read_secret_file(o->region_key_file, region_key, sizeof region_key, diag)))
            return err;
    } else {
        randombytes_buf(region_key, sizeof region_key);
    }

    if (mkdir(dir, DIR_MODE) != 0 && errno != EEXIST)
        return zc_diag_set(diag, ZC_ERR_IO, "%s: %s", dir, strerror(errno));
    if ((err = join(path, dir, ZC_DATADIR_DB, diag)))
        return err;
    if (access(path, F_OK) == 0)
        return zc_diag_set(diag, ZC_ERR_EXISTS, "%s: a kiosk is already set up here", dir);

    zc_keypair kp;
    char device_id[ZC_ID_MAX];
    if ((err = zc_keys_generate(&kp)))
        return zc_diag_set(diag, err, "could not make the device key");
    zc_datadir_device_id(kp.pk, device_id);
    if (!(err = join(path, dir, ZC_DATADIR_DEVICE_KEY, diag)) &&
        !(err = join(pub, dir, ZC_DATADIR_DEVICE_PUB, diag)))
        err = zc_keys_write(&kp, path, pub, diag);
    sodium_memzero(&kp, sizeof kp);
    if (err)
        return err;
    if (!(err = join(path, dir, ZC_DATADIR_REGION_KEY, diag)))
        err = zc_keys_write_secret_file(path, region_key, sizeof region_key, diag);
    sodium_memzero(region_key, sizeof region_key);
    if (err)
        return err;
    if ((err = join(path, dir, ZC_DATADIR_RULES_PUB, diag)) ||
        (err = zc_keys_write_public(rules_pk, path, diag)))
        return err;
    /* The database last: its presence is what marks the directory as a kiosk. */
    if ((err = join(path, dir, ZC_DATADIR_DB, diag)))
        return err;
    return init_store(path, device_id, o, diag);
}

/* A setting later versions added: absent in an older kiosk's database means "not configured". */
static zc_err meta_optional(zc_store *store, const char *key, char *buf, size_t size, zc_diag *diag)
{
    zc_err err = zc_store_meta_get(store, key, buf, size, diag);
    if (err == ZC_ERR_NOT_FOUND) {
        buf[0] = '\0';
        return ZC_OK;
    }
    return err;
}

zc_err zc_datadir_open(const char *dir, zc_datadir **out, zc_diag *diag)
{
    *out = NULL;
    char path[ZC_DATADIR_PATH_MAX], tzname[ZC_META_VALUE_MAX];
    zc_err err = join(path, dir, ZC_DATADIR_DB, diag);
    if (err)
        return err;
    if (access(path, F_OK) != 0)
        return zc_diag_set(diag, ZC_ERR_NOT_FOUND,
                           "%s: no kiosk here (run `zhucanctl init --data %s ...` first)", dir,
                           dir);
    if (sodium_init() < 0)
        return zc_diag_set(diag, ZC_ERR_CRYPTO, "libsodium failed to initialise");
    zc_datadir *dd = calloc(1, sizeof *dd);
    if (!dd)
        return ZC_ERR_NOMEM;
    snprintf(dd->path, sizeof dd->path, "%s", dir);
    if ((err = zc_store_open(path, NULL, &dd->store, diag)) ||
        (err = zc_store_meta_get(dd->store, META_DEVICE_ID, dd->device_id, sizeof dd->device_id,
                                 diag)) ||
        (err = zc_store_meta_get(dd->store, META_CANTEEN, dd->canteen, sizeof dd->canteen, diag)) ||
        (err = meta_optional(dd->store, META_CANTEEN_REGION, dd->canteen_region,
                             sizeof dd->canteen_region, diag)) ||
        (err = zc_store_meta_get(dd->store, META_TIMEZONE, tzname, sizeof tzname, diag)) ||
        (err = zc_tz_open(NULL, tzname, &dd->tz, diag)) ||
        (err = join(path, dir, ZC_DATADIR_DEVICE_KEY, diag)) ||
        (err = zc_keys_read_secret(path, &dd->device_key, diag)) ||
        (err = join(path, dir, ZC_DATADIR_REGION_KEY, diag)) ||
        (err = zc_keys_read_secret_file(path, dd->region_key, sizeof dd->region_key, diag)) ||
        (err = join(path, dir, ZC_DATADIR_RULES_PUB, diag)) ||
        (err = zc_keys_load_public(path, dd->rules_pk, diag))) {
        zc_datadir_close(dd);
        return err;
    }
    *out = dd;
    return ZC_OK;
}

void zc_datadir_close(zc_datadir *dd)
{
    if (!dd)
        return;
    zc_store_close(dd->store);
    zc_tz_free(dd->tz);
    zc_rules_free(dd->rules);
    sodium_memzero(dd, sizeof *dd);
    free(dd);
}

zc_err zc_datadir_ledger(zc_datadir *dd, zc_ledger **out, zc_diag *diag)
{
    return zc_ledger_open(dd->store, dd->device_id, dd->canteen, &dd->device_key, out, diag);
}
