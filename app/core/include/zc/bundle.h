/*
 * Signed rule bundles: how a rule set travels from the hub to kiosks.
 *
 * A bundle is a small JSON envelope around the rule set's exact bytes:
 *   {"bundle":"zhucan.bundle/1","signer":"<base64 public key>",
 *    "signature":"<base64 Ed25519 signature over the payload bytes>",
 *    "payload":"<base64 of the rule set's JSON, byte for byte>"}
 * The payload is carried as base64 so that no JSON re-encoding can change a byte of what was
 * signed: the kiosk verifies, and later re-reads, exactly what the administrator published.
 */
#ifndef ZC_BUNDLE_H
#define ZC_BUNDLE_H

#include "zc/err.h"
#include "zc/keys.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ZC_BUNDLE_FORMAT "zhucan.bundle/1"

enum { ZC_BUNDLE_MAX = 4 * 1024 * 1024 }; /* bytes of bundle text accepted */

typedef struct zc_bundle {
    uint8_t signer[ZC_PUBKEY_LEN];
    uint8_t signature[ZC_SIG_LEN];
    char *payload; /* the signed bytes, NUL-terminated for convenience */
    size_t len;    /* payload length, without the NUL */
} zc_bundle;

/* Signs payload with kp; *out is the bundle text (malloc'd, NUL-terminated, ends in newline). */
zc_err zc_bundle_sign(const zc_keypair *kp, const char *payload, size_t len, char **out,
                      zc_diag *diag);

/* True when text looks like a bundle envelope rather than a bare rule set. */
bool zc_bundle_is_bundle(const char *text, size_t len);

/* Reads the envelope (no signature check yet). */
zc_err zc_bundle_parse(const char *text, size_t len, zc_bundle **out, zc_diag *diag);
void zc_bundle_free(zc_bundle *bundle);

/*
 * Checks the signature. With pinned non-NULL the signer must be that key (how kiosks accept
 * rules); with NULL the bundle need only be signed by the key it names (`rules check`).
 */
zc_err zc_bundle_verify(const zc_bundle *bundle, const uint8_t *pinned, zc_diag *diag);

#endif
