#include "zc/bundle.h"

#include "zc/codec.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

enum { ENVELOPE_KEYS = 4 };

zc_err zc_bundle_sign(const zc_keypair *kp, const char *payload, size_t len, char **out,
                      zc_diag *diag)
{
    *out = NULL;
    if (len > ZC_BUNDLE_MAX)
        return zc_diag_set(diag, ZC_ERR_INVALID, "rule set is larger than %d bytes", ZC_BUNDLE_MAX);
    uint8_t sig[ZC_SIG_LEN];
    zc_keys_sign(kp, (const uint8_t *)payload, len, sig);
    char signer[ZC_PUBKEY_TEXT_SIZE], sig_text[ZC_B64_SIZE(ZC_SIG_LEN)];
    zc_keys_public_text(kp->pk, signer);
    zc_b64_encode(sig, sizeof sig, sig_text);
    char *body = malloc(ZC_B64_SIZE(len));
    if (!body)
        return ZC_ERR_NOMEM;
    zc_b64_encode((const uint8_t *)payload, len, body);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "bundle", ZC_BUNDLE_FORMAT, "signer", signer,
                          "signature", sig_text, "payload", body);
    free(body);
    char *text = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!text)
        return ZC_ERR_NOMEM;
    size_t n = strlen(text);
    char *with_newline = realloc(text, n + 2);
    if (!with_newline) {
        free(text);
        return ZC_ERR_NOMEM;
    }
    memcpy(with_newline + n, "\n", 2);
    *out = with_newline;
    return ZC_OK;
}

bool zc_bundle_is_bundle(const char *text, size_t len)
{
    json_t *o = json_loadb(text, len, 0, NULL);
    bool is = json_is_object(o) && json_object_get(o, "bundle") != NULL;
    json_decref(o);
    return is;
}

static zc_err b64_field(json_t *o, const char *key, uint8_t *out, size_t n, zc_diag *diag)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v) || zc_b64_decode(json_string_value(v), json_string_length(v), out, n))
        return zc_diag_set(diag, ZC_ERR_INVALID, "bundle: %s must be base64 of %zu bytes", key, n);
    return ZC_OK;
}

static zc_err read_envelope(json_t *o, zc_bundle *b, zc_diag *diag)
{
    json_t *format = json_object_get(o, "bundle");
    if (!json_is_string(format) || strcmp(json_string_value(format), ZC_BUNDLE_FORMAT) != 0)
        return zc_diag_set(diag, ZC_ERR_INVALID, "bundle: format must be \"%s\"", ZC_BUNDLE_FORMAT);
    zc_err err;
    if ((err = b64_field(o, "signer", b->signer, sizeof b->signer, diag)) ||
        (err = b64_field(o, "signature", b->signature, sizeof b->signature, diag)))
        return err;
    json_t *payload = json_object_get(o, "payload");
    if (!json_is_string(payload))
        return zc_diag_set(diag, ZC_ERR_INVALID, "bundle: payload must be a base64 string");
    if (json_object_size(o) != ENVELOPE_KEYS)
        return zc_diag_set(diag, ZC_ERR_INVALID,
                           "bundle: unknown keys (expected bundle, signer, signature, payload)");
    const char *text = json_string_value(payload);
    size_t text_len = json_string_length(payload);
    size_t cap = text_len / 4 * 3 + 1;
    if (!(b->payload = malloc(cap)))
        return ZC_ERR_NOMEM;
    const char *end = NULL;
    if (sodium_base642bin((unsigned char *)b->payload, cap, text, text_len, NULL, &b->len, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != text + text_len)
        return zc_diag_set(diag, ZC_ERR_INVALID, "bundle: payload is not valid base64");
    b->payload[b->len] = '\0';
    if (strlen(b->payload) != b->len)
        return zc_diag_set(diag, ZC_ERR_INVALID, "bundle: payload contains a NUL byte");
    return ZC_OK;
}

zc_err zc_bundle_parse(const char *text, size_t len, zc_bundle **out, zc_diag *diag)
{
    *out = NULL;
    if (len > ZC_BUNDLE_MAX * 2)
        return zc_diag_set(diag, ZC_ERR_INVALID, "bundle: larger than %d bytes", ZC_BUNDLE_MAX * 2);
    json_error_t jerr;
    json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!o)
        return zc_diag_set(diag, ZC_ERR_INVALID, "bundle: line %d, column %d: %s", jerr.line,
                           jerr.column, jerr.text);
    zc_bundle *b = calloc(1, sizeof *b);
    zc_err err = !b ? ZC_ERR_NOMEM
                 : json_is_object(o)
                     ? read_envelope(o, b, diag)
                     : zc_diag_set(diag, ZC_ERR_INVALID, "bundle: not a JSON object");
    json_decref(o);
    if (err) {
        zc_bundle_free(b);
        return err;
    }
    *out = b;
    return ZC_OK;
}

void zc_bundle_free(zc_bundle *bundle)
{
    if (!bundle)
        return;
    free(bundle->payload);
    free(bundle);
}

zc_err zc_bundle_verify(const zc_bundle *bundle, const uint8_t *pinned, zc_diag *diag)
{
    if (pinned && sodium_memcmp(pinned, bundle->signer, ZC_PUBKEY_LEN) != 0)
        return zc_diag_set(diag, ZC_ERR_CRYPTO,
                           "bundle: signed by a key other than the pinned rules key");
    if (zc_keys_verify(bundle->signer, (const uint8_t *)bundle->payload, bundle->len,
                       bundle->signature))
        return zc_diag_set(diag, ZC_ERR_CRYPTO,
                           "bundle: signature does not match the payload (tampered or corrupt)");
    return ZC_OK;
}
