#include "zc/sale.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bumped only if the meaning of the canonical bytes changes; old entries keep their own. */
enum { CANON_FORMAT = 1 };

static const char *const IDENT_NAMES[] = {
    [ZC_IDENT_ID_CARD] = "id_card", [ZC_IDENT_QR] = "qr",     [ZC_IDENT_MEAL_CARD] = "meal_card",
    [ZC_IDENT_MANUAL] = "manual",   [ZC_IDENT_NONE] = "none",
};
static const char *const PAY_NAMES[] = {[ZC_PAY_CASH] = "cash", [ZC_PAY_OTHER] = "other"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Index of text in a table of names, or -1. */
static int name_index(const char *const *names, size_t n, const char *text)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(text, names[i]) == 0)
            return (int)i;
    return -1;
}

const char *zc_ident_name(zc_ident ident)
{
    return (size_t)ident < COUNT(IDENT_NAMES) ? IDENT_NAMES[ident] : "?";
}

zc_err zc_ident_parse(const char *text, zc_ident *out)
{
    int i = name_index(IDENT_NAMES, COUNT(IDENT_NAMES), text);
    if (i < 0)
        return ZC_ERR_INVALID;
    *out = (zc_ident)i;
    return ZC_OK;
}

const char *zc_pay_name(zc_pay pay)
{
    return (size_t)pay < COUNT(PAY_NAMES) ? PAY_NAMES[pay] : "?";
}

zc_err zc_pay_parse(const char *text, zc_pay *out)
{
    int i = name_index(PAY_NAMES, COUNT(PAY_NAMES), text);
    if (i < 0)
        return ZC_ERR_INVALID;
    *out = (zc_pay)i;
    return ZC_OK;
}

static json_t *string_or_null(const char *s)
{
    return *s ? json_string(s) : json_null();
}

zc_err zc_sale_canon(const zc_sale *sale, char **out, size_t *len)
{
    char date[ZC_DATE_TEXT_LEN + 1];
    zc_date_format(sale->date, date);
    bool is_void = sale->kind == ZC_ENTRY_VOID;
    json_t *o = json_object();
    if (!o)
        return ZC_ERR_NOMEM;
    /* _new steals each value; a failed allocation leaves a key out, caught by the count below. */
    json_object_set_new(o, "v", json_integer(CANON_FORMAT));
    json_object_set_new(o, "kind", json_string(is_void ? "void" : "sale"));
    json_object_set_new(o, "seq", json_integer(sale->seq));
    json_object_set_new(o, "uuid", json_string(sale->uuid));
    json_object_set_new(o, "device", json_string(sale->device_id));
    json_object_set_new(o, "canteen", json_string(sale->canteen));
    json_object_set_new(o, "at", json_integer(sale->at));
    json_object_set_new(o, "date", json_string(date));
    json_object_set_new(o, "period", string_or_null(sale->period));
    json_object_set_new(o, "elder", sale->elder_id ? json_integer(sale->elder_id) : json_null());
    json_object_set_new(o, "ident", json_string(zc_ident_name(sale->ident)));
    json_object_set_new(o, "price", json_integer(sale->price));
    json_object_set_new(o, "subsidy", json_integer(sale->subsidy));
    json_object_set_new(o, "self_pay", json_integer(sale->self_pay));
    json_object_set_new(o, "paid", json_string(zc_pay_name(sale->paid)));
    json_object_set_new(o, "tier", string_or_null(sale->tier));
    json_object_set_new(o, "rules_version", json_integer(sale->rules_version));
    size_t expected = 17;
    if (is_void) {
        json_object_set_new(o, "voids", json_integer(sale->voids_seq));
        json_object_set_new(o, "reason", json_string(sale->reason));
        expected += 2;
    }
    if (sale->detail) {
        json_object_set(o, "detail", sale->detail);
        expected++;
    }
    char *text =
        json_object_size(o) == expected ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    if (!text)
        return ZC_ERR_NOMEM;
    *out = text;
    *len = strlen(text);
    return ZC_OK;
}

static zc_err take_int(json_t *o, const char *key, int64_t *out, zc_diag *diag)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        return zc_diag_set(diag, ZC_ERR_INVALID, "canonical entry: %s is not an integer", key);
    *out = json_integer_value(v);
    return ZC_OK;
}

/* Copies a string value, or "" for null when allow_null. */
static zc_err take_str(json_t *o, const char *key, bool allow_null, char *buf, size_t size,
                       zc_diag *diag)
{
    json_t *v = json_object_get(o, key);
    if (allow_null && json_is_null(v)) {
        buf[0] = '\0';
        return ZC_OK;
    }
    if (!json_is_string(v) || json_string_length(v) >= size ||
        strlen(json_string_value(v)) != json_string_length(v))
        return zc_diag_set(diag, ZC_ERR_INVALID, "canonical entry: %s is not a valid string", key);
    memcpy(buf, json_string_value(v), json_string_length(v) + 1);
    return ZC_OK;
}

static zc_err read_fields(json_t *o, zc_sale *s, zc_diag *diag)
{
    char text[ZC_ID_MAX] = "";
    int64_t format = 0, elder = 0;
    zc_err err;
    if ((err = take_int(o, "v", &format, diag)))
        return err;
    if (format != CANON_FORMAT)
        return zc_diag_set(diag, ZC_ERR_VERSION, "canonical entry: format %lld is unknown",
                           (long long)format);
    if ((err = take_str(o, "kind", false, text, sizeof text, diag)))
        return err;
    if (strcmp(text, "sale") != 0 && strcmp(text, "void") != 0)
        return zc_diag_set(diag, ZC_ERR_INVALID, "canonical entry: kind %s is unknown", text);
    s->kind = text[0] == 'v' ? ZC_ENTRY_VOID : ZC_ENTRY_SALE;
    if ((err = take_int(o, "seq", &s->seq, diag)) ||
        (err = take_str(o, "uuid", false, s->uuid, sizeof s->uuid, diag)) ||
        (err = take_str(o, "device", false, s->device_id, sizeof s->device_id, diag)) ||
        (err = take_str(o, "canteen", false, s->canteen, sizeof s->canteen, diag)) ||
        (err = take_int(o, "at", &s->at, diag)) ||
        (err = take_str(o, "date", false, text, sizeof text, diag)))
        return err;
    if (zc_date_parse(text, strlen(text), &s->date, NULL))
        return zc_diag_set(diag, ZC_ERR_INVALID, "canonical entry: date %s is not a date", text);
    if ((err = take_str(o, "period", true, s->period, sizeof s->period, diag)))
        return err;
    json_t *e = json_object_get(o, "elder");
    if (json_is_null(e))
        elder = 0;
    else if ((err = take_int(o, "elder", &elder, diag)))
        return err;
    s->elder_id = elder;
    if ((err = take_str(o, "ident", false, text, sizeof text, diag)))
        return err;
    if (zc_ident_parse(text, &s->ident))
        return zc_diag_set(diag, ZC_ERR_INVALID, "canonical entry: ident %s is unknown", text);
    if ((err = take_int(o, "price", &s->price, diag)) ||
        (err = take_int(o, "subsidy", &s->subsidy, diag)) ||
        (err = take_int(o, "self_pay", &s->self_pay, diag)) ||
        (err = take_str(o, "paid", false, text, sizeof text, diag)))
        return err;
    if (zc_pay_parse(text, &s->paid))
        return zc_diag_set(diag, ZC_ERR_INVALID, "canonical entry: paid %s is unknown", text);
    if ((err = take_str(o, "tier", true, s->tier, sizeof s->tier, diag)) ||
        (err = take_int(o, "rules_version", &s->rules_version, diag)))
        return err;
    size_t expected = 17;
    if (s->kind == ZC_ENTRY_VOID) {
        if ((err = take_int(o, "voids", &s->voids_seq, diag)) ||
            (err = take_str(o, "reason", false, s->reason, sizeof s->reason, diag)))
            return err;
        expected += 2;
    }
    json_t *detail = json_object_get(o, "detail");
    if (detail) {
        if (!json_is_object(detail))
            return zc_diag_set(diag, ZC_ERR_INVALID, "canonical entry: detail is not an object");
        s->detail = json_incref(detail);
        expected++;
    }
    if (json_object_size(o) != expected) {
        json_decref(s->detail);
        s->detail = NULL;
        return zc_diag_set(diag, ZC_ERR_INVALID, "canonical entry: unexpected keys");
    }
    return ZC_OK;
}

zc_err zc_sale_from_canon(const char *bytes, size_t len, zc_sale *out, zc_diag *diag)
{
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    json_t *o = json_loadb(bytes, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!o)
        return zc_diag_set(diag, ZC_ERR_INVALID, "canonical entry: %s", jerr.text);
    zc_err err = json_is_object(o)
                     ? read_fields(o, out, diag)
                     : zc_diag_set(diag, ZC_ERR_INVALID, "canonical entry: not an object");
    json_decref(o);
    return err;
}

void zc_sale_chain_hash(const uint8_t prev[ZC_HASH_LEN], const char *canon, size_t len,
                        uint8_t hash[ZC_HASH_LEN])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, prev, ZC_HASH_LEN);
    crypto_hash_sha256_update(&st, (const unsigned char *)canon, len);
    crypto_hash_sha256_final(&st, hash);
}
