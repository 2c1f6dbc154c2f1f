/*
 * libFuzzer: request-signature headers as a client may send them. The input is split at NULs
 * into time, nonce, signature, method, path and body (missing parts are missing headers). No
 * input verifies against a key that never signed it, every refusal is a clear INVALID or CRYPTO,
 * and whatever method, path and body the input names, signing them and verifying round-trips.
 */
#include "zc/syncwire.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { PARTS = 6 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static zc_keypair key;
    static bool ready;
    char *part[PARTS] = {NULL};
    size_t body_len = 0;
    if (!ready) {
        uint8_t seed[ZC_SEED_LEN] = {1};
        if (sodium_init() < 0 || crypto_sign_seed_keypair(key.pk, key.sk, seed) != 0)
            abort();
        ready = true;
    }
    char *copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    /* The body is the rest of the input, NULs and all. */
    size_t at = 0;
    for (int i = 0; i < PARTS && at <= size; i++) {
        part[i] = copy + at;
        if (i == PARTS - 1) {
            body_len = size - at;
            break;
        }
        at += strlen(copy + at) + 1;
    }
    zc_diag diag = {{0}, 0};
    int64_t t = -1;
    const char *method = part[3] ? part[3] : "GET", *path = part[4] ? part[4] : "/v1/rules";
    zc_err err = zc_syncwire_verify(key.pk, method, path, part[0], part[1], part[2], part[5],
                                    body_len, &t, &diag);
    if (err == ZC_OK || (err != ZC_ERR_INVALID && err != ZC_ERR_CRYPTO) || !diag.msg[0] || t != -1)
        abort();
    zc_syncwire_auth auth;
    int64_t when = (int64_t)(size * 7919u);
    err = zc_syncwire_sign(&key, "ZK-0123456789ab", method, path, when, part[5], body_len, &auth);
    if (err == ZC_OK) {
        if (zc_syncwire_verify(key.pk, method, path, auth.time, auth.nonce, auth.signature, part[5],
                               body_len, &t, NULL) ||
            t != when)
            abort();
    } else if (err != ZC_ERR_INVALID ||
               (strchr(method, '\n') == NULL && strchr(path, '\n') == NULL &&
                strchr(method, '\r') == NULL && strchr(path, '\r') == NULL)) {
        abort();
    }
    free(copy);
    return 0;
}
