/*
 * Enrolment: a kiosk joins a hub with a one-time code and takes on the hub's settings.
 *
 * The hub needs the device's public key before it says which canteen the kiosk is for, and a data
 * directory is only made with its keys, so a new kiosk is first set up with placeholder settings
 * and then takes the hub's, exactly as an existing kiosk with no sale yet does. A kiosk with sales
 * has signed them under its canteen and region: it keeps them, and may only re-enrol into the same
 * ones. Files are replaced by rename and settings written in one transaction, the hub URL last, so
 * an interrupted enrolment leaves a kiosk that is simply not enrolled yet.
 */
#include "sync_impl.h"

#include "zc/codec.h"
#include "zc/ledger.h"
#include "zc/roster.h"
#include "zc/rulebook.h"
#include "zc/syncwire.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The settings zc_datadir keeps in the store's meta table (datadir.c reads them at open). */
#define META_CANTEEN "canteen"
#define META_CANTEEN_REGION "canteen_region"
#define META_TIMEZONE "timezone"

/* A new kiosk's canteen until the hub's answer replaces it. */
#define PLACEHOLDER_CANTEEN "unenrolled"
#define TMP_SUFFIX ".new"

enum { DIR_MODE = 0700, INT_TEXT_MAX = 24 };

/* What the hub said in answer to an enrolment. */
typedef struct enrolment {
    char device_id[ZC_ID_MAX];
    char canteen[ZC_ID_MAX];
    char canteen_region[ZC_ID_MAX];
    char timezone[ZC_ID_MAX];
    uint8_t rules_pk[ZC_PUBKEY_LEN];
    uint8_t region_key[ZC_REGION_KEY_LEN];
    zc_ms hub_time;
} enrolment;

static zc_err join(char *buf, const char *dir, const char *name, zc_diag *diag)
{
    int n = snprintf(buf, ZC_DATADIR_PATH_MAX, "%s/%s", dir, name);
    if (n < 0 || n >= ZC_DATADIR_PATH_MAX)
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: path too long", dir);
    return ZC_OK;
}

static zc_err copy_field(const json_t *o, const char *key, char *buf, size_t size, bool may_empty,
                         zc_diag *diag)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s || (!may_empty && !*s) || strlen(s) >= size)
        return zc_diag_set(diag, ZC_ERR_INVALID, "hub: answer to POST /v1/enrol: %s: %s", key,
                           s ? "bad length" : "missing");
    snprintf(buf, size, "%s", s);
    return ZC_OK;
}

static zc_err parse_enrolment(const json_t *o, enrolment *e, zc_diag *diag)
{
    const char *rules = json_string_value(json_object_get(o, "rules_public_key"));
    const char *region = json_string_value(json_object_get(o, "region_key"));
    json_t *t = json_object_get(o, "hub_time");
    zc_err err;
    if ((err = copy_field(o, "device_id", e->device_id, sizeof e->device_id, false, diag)) ||
        (err = copy_field(o, "canteen", e->canteen, sizeof e->canteen, false, diag)) ||
        (err = copy_field(o, "canteen_region", e->canteen_region, sizeof e->canteen_region, true,
                          diag)) ||
        (err = copy_field(o, "timezone", e->timezone, sizeof e->timezone, false, diag)))
        return err;
    if (!rules || zc_b64_decode(rules, strlen(rules), e->rules_pk, sizeof e->rules_pk))
        return zc_diag_set(diag, ZC_ERR_INVALID,
                           "hub: answer to POST /v1/enrol: rules_public_key: not a key");
    if (!region || zc_b64_decode(region, strlen(region), e->region_key, sizeof e->region_key))
        return zc_diag_set(diag, ZC_ERR_INVALID,
                           "hub: answer to POST /v1/enrol: region_key: not %d bytes of base64",
                           ZC_REGION_KEY_LEN);
    e->hub_time = json_is_integer(t) ? json_integer_value(t) : 0;
    return ZC_OK;
}

/* POST /v1/enrol with the device's public key, signed with its secret half: the hub enrols only a
 * kiosk that holds the key, so nobody can move an enrolled kiosk by its (public) key alone. */
static zc_err ask_hub(const char *url, const char *code, const zc_datadir *dd, enrolment *e,
                      zc_ms *sent_at, zc_diag *diag)
{
    zc_sync_client *client;
    zc_err err = zc_sync_client_new(url, &client, diag);
    if (err)
        return err;
    char pk[ZC_PUBKEY_TEXT_SIZE];
    zc_keys_public_text(dd->device_key.pk, pk);
    json_t *body = json_pack("{s:s,s:s}", "code", code, "public_key", pk), *reply = NULL;
    *sent_at = zc_sync_clock_ms();
    if (!body)
        err = zc_diag_set(diag, ZC_ERR_NOMEM, "out of memory");
    else {
        zc_sync_client_identity(client, &dd->device_key, dd->device_id);
        err = zc_sync_client_call(client, "POST", "/v1/enrol", body, true, *sent_at, &reply, NULL,
                                  diag);
    }
    json_decref(body);
    zc_sync_client_free(client);
    if (!err)
        err = parse_enrolment(reply, e, diag);
    json_decref(reply);
    if (!err && strcmp(e->device_id, dd->device_id) != 0)
        err = zc_diag_set(diag, ZC_ERR_INVALID, "hub: enrolled device %s, but this kiosk is %s",
                          e->device_id, dd->device_id);
    return err;
}

/* A new kiosk with placeholder settings; *made_dir says whether dir itself was created. */
static zc_err init_placeholder(const char *dir, bool *made_dir, zc_diag *diag)
{
    struct stat st;
    *made_dir = stat(dir, &st) != 0;
    zc_keypair throwaway;
    zc_err err = zc_keys_generate(&throwaway);
    if (err)
        return zc_diag_set(diag, err, "could not make a key");
    char pk[ZC_PUBKEY_TEXT_SIZE];
    zc_keys_public_text(throwaway.pk, pk);
    sodium_memzero(&throwaway, sizeof throwaway);
    zc_datadir_init_opts o = {.canteen = PLACEHOLDER_CANTEEN, .rules_pubkey = pk};
    return zc_datadir_init(dir, &o, diag);
}

/* Takes a placeholder kiosk away again after a failed enrolment. */
static void remove_placeholder(const char *dir, bool made_dir)
{
    static const char *const FILES[] = {
        ZC_DATADIR_DB,         ZC_DATADIR_DB "-wal",
        ZC_DATADIR_DB "-shm",  ZC_DATADIR_DB "-journal",
        ZC_DATADIR_DEVICE_KEY, ZC_DATADIR_DEVICE_PUB,
        ZC_DATADIR_REGION_KEY, ZC_DATADIR_RULES_PUB,
    };
    char path[ZC_DATADIR_PATH_MAX];
    for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++)
        if (!join(path, dir, FILES[i], NULL))
            unlink(path);
    if (made_dir)
        rmdir(dir);
}

/* Replaces a key file by writing name.new and renaming it over name. */
static zc_err replace_key_file(const char *dir, const char *name, const uint8_t *bytes, size_t n,
                               bool secret, zc_diag *diag)
{
    char path[ZC_DATADIR_PATH_MAX], tmp[ZC_DATADIR_PATH_MAX], tmpname[ZC_DATADIR_PATH_MAX];
    snprintf(tmpname, sizeof tmpname, "%s%s", name, TMP_SUFFIX);
    zc_err err;
    if ((err = join(path, dir, name, diag)) || (err = join(tmp, dir, tmpname, diag)))
        return err;
    unlink(tmp); /* left over from an enrolment that was interrupted */
    err = secret ? zc_keys_write_secret_file(tmp, bytes, n, diag)
                 : zc_keys_write_public(bytes, tmp, diag);
    if (err)
        return err;
    if (rename(tmp, path) != 0) {
        err = zc_diag_set(diag, ZC_ERR_IO, "%s: %s", path, strerror(errno));
        unlink(tmp);
    }
    return err;
}

/* Why a kiosk cannot take the hub's settings, or ZC_OK. */
static zc_err check_adopt(zc_datadir *dd, const enrolment *e, zc_diag *diag)
{
    zc_ledger_head head;
    int64_t rules = 0, elders = 0;
    zc_err err;
    if ((err = zc_ledger_head_get(dd->store, &head, diag)) ||
        (err = zc_rulebook_latest(dd->store, &rules, diag)) ||
        (err = zc_roster_count(dd->store, &elders, diag)))
        return err;
    bool same_rules = sodium_memcmp(dd->rules_pk, e->rules_pk, ZC_PUBKEY_LEN) == 0;
    bool same_region = sodium_memcmp(dd->region_key, e->region_key, ZC_REGION_KEY_LEN) == 0 &&
                       strcmp(dd->canteen_region, e->canteen_region) == 0;
    if (head.seq > 0 && (strcmp(dd->canteen, e->canteen) != 0 || !same_region))
        return zc_diag_set(diag, ZC_ERR_EXISTS,
                           "%s: this kiosk has %" PRId64
                           " entries for canteen %s; the hub enrolled it for canteen %s%s: "
                           "nothing changed here (a kiosk keeps the canteen and region it sold "
                           "for: set up a new data directory)",
                           dd->path, head.seq, dd->canteen, e->canteen,
                           same_region ? "" : " in another region");
    /* Rule sets stay verified against the key they were installed under, and roster rows are
     * found by ID number hashed with the region key: neither key can change beneath them. */
    if (!same_rules && rules > 0)
        return zc_diag_set(diag, ZC_ERR_EXISTS,
                           "%s: rule sets signed by another key are installed; the hub's key "
                           "cannot be pinned (set up a new data directory)",
                           dd->path);
    if (sodium_memcmp(dd->region_key, e->region_key, ZC_REGION_KEY_LEN) != 0 && elders > 0)
        return zc_diag_set(diag, ZC_ERR_EXISTS,
                           "%s: a roster hashed with another region key is imported; the hub's "
                           "key cannot be taken (set up a new data directory)",
                           dd->path);
    if (head.seq > 0 && !same_rules)
        return zc_diag_set(diag, ZC_ERR_EXISTS,
                           "%s: this kiosk has sales and pins another rules key than the hub's",
                           dd->path);
    zc_tz *tz;
    if ((err = zc_tz_open(NULL, e->timezone, &tz, diag)))
        return err;
    zc_tz_free(tz);
    return ZC_OK;
}

static zc_err set_int(zc_store *store, const char *key, int64_t v, zc_diag *diag)
{
    char buf[INT_TEXT_MAX];
    snprintf(buf, sizeof buf, "%" PRId64, v);
    return zc_store_meta_set(store, key, buf, diag);
}

/* Writes the hub's settings: key files first, then the store's settings in one transaction. */
static zc_err adopt(zc_datadir *dd, const char *url, const enrolment *e, zc_ms sent_at,
                    zc_diag *diag)
{
    zc_err err = ZC_OK;
    if (sodium_memcmp(dd->rules_pk, e->rules_pk, ZC_PUBKEY_LEN) != 0)
        err = replace_key_file(dd->path, ZC_DATADIR_RULES_PUB, e->rules_pk, ZC_PUBKEY_LEN, false,
                               diag);
    if (!err && sodium_memcmp(dd->region_key, e->region_key, ZC_REGION_KEY_LEN) != 0)
        err = replace_key_file(dd->path, ZC_DATADIR_REGION_KEY, e->region_key, ZC_REGION_KEY_LEN,
                               true, diag);
    if (err)
        return err;
    char old_hub[ZC_META_VALUE_MAX] = "";
    zc_store *store = dd->store;
    zc_err got = zc_store_meta_get(store, ZC_META_SYNC_HUB, old_hub, sizeof old_hub, NULL);
    bool new_hub = got != ZC_OK || strcmp(old_hub, url) != 0;
    bool new_canteen = strcmp(dd->canteen, e->canteen) != 0;
    if ((err = zc_store_begin(store, diag)))
        return err;
    if ((err = zc_store_meta_set(store, META_CANTEEN, e->canteen, diag)) ||
        (err = zc_store_meta_set(store, META_CANTEEN_REGION, e->canteen_region, diag)) ||
        (err = zc_store_meta_set(store, META_TIMEZONE, e->timezone, diag)) ||
        (e->hub_time > 0 &&
         (err = set_int(store, ZC_META_SYNC_OFFSET, e->hub_time - sent_at, diag))) ||
        /* Another hub holds none of this kiosk's entries or roster yet: start from scratch
         * (pushing again is harmless: the hub stores each entry once). */
        (new_hub && (err = zc_store_meta_set(store, ZC_META_SYNC_ACKED, "0", diag))) ||
        (new_hub && (err = zc_store_meta_set(store, ZC_META_SYNC_CURSOR, "", diag))) ||
        /* Menus are per canteen: take the new canteen's whatever its version. */
        ((new_hub || new_canteen) &&
         (err = zc_store_meta_set(store, ZC_META_MENU_VERSION, "0", diag))) ||
        (err = zc_store_meta_set(store, ZC_META_SYNC_HUB, url, diag)) ||
        (err = zc_store_commit(store, diag)))
        zc_store_rollback(store);
    return err;
}

zc_err zc_sync_enrol(const char *dir, const char *hub_url, const char *code, zc_diag *diag)
{
    if (!code || !*code)
        return zc_diag_set(diag, ZC_ERR_INVALID, "--code: an enrolment code is required");
    zc_err err = zc_sync_check_url(hub_url, diag); /* before anything is made on disk */
    if (err)
        return err;

    char db[ZC_DATADIR_PATH_MAX];
    if ((err = join(db, dir, ZC_DATADIR_DB, diag)))
        return err;
    bool fresh = access(db, F_OK) != 0, made_dir = false;
    if (fresh && (err = init_placeholder(dir, &made_dir, diag)))
        return err;
    zc_datadir *dd;
    if ((err = zc_datadir_open(dir, &dd, diag))) {
        if (fresh)
            remove_placeholder(dir, made_dir);
        return err;
    }
    enrolment e;
    zc_ms sent_at = 0;
    if (!(err = ask_hub(hub_url, code, dd, &e, &sent_at, diag)) &&
        !(err = check_adopt(dd, &e, diag)))
        err = adopt(dd, hub_url, &e, sent_at, diag);
    zc_datadir_close(dd);
    sodium_memzero(&e, sizeof e);
    if (err && fresh)
        remove_placeholder(dir, made_dir);
    return err;
}
