/*
 * Ed25519 key pairs (libsodium) and their files.
 *
 * A key pair is two text files: secret.key (mode 0600, base64 of the 32-byte seed) and public.key
 * (base64 of the 32-byte public key). The public key's base64 text is also how it is shown and
 * passed on the command line. Devices sign their sales with theirs; the hub signs rule bundles.
 */
#ifndef ZC_KEYS_H
#define ZC_KEYS_H

#include "zc/err.h"

#include <stddef.h>
#include <stdint.h>

enum {
    ZC_PUBKEY_LEN = 32,
    ZC_SEED_LEN = 32,
    ZC_SECKEY_LEN = 64,
    ZC_SIG_LEN = 64,
    ZC_HASH_LEN = 32,
    ZC_PUBKEY_TEXT_SIZE = 45, /* base64 of 32 bytes and a NUL */
};

#define ZC_SECRET_KEY_FILE "secret.key"
#define ZC_PUBLIC_KEY_FILE "public.key"

typedef struct zc_keypair {
    uint8_t pk[ZC_PUBKEY_LEN];
    uint8_t sk[ZC_SECKEY_LEN];
} zc_keypair;

zc_err zc_keys_generate(zc_keypair *out);

/* Writes secret_path (0600, refusing to replace an existing file) and public_path. */
zc_err zc_keys_write(const zc_keypair *kp, const char *secret_path, const char *public_path,
                     zc_diag *diag);

/* Writes a public key file (0644), refusing to replace an existing file. */
zc_err zc_keys_write_public(const uint8_t pk[ZC_PUBKEY_LEN], const char *path, zc_diag *diag);

/* Reads a secret key file; a file others can read is refused, as ssh does. */
zc_err zc_keys_read_secret(const char *path, zc_keypair *out, zc_diag *diag);

/*
 * A secret of n bytes (at most ZC_SECKEY_LEN) as a base64 text file of mode 0600: how key seeds
 * and the region key are kept. write refuses to replace a file; read refuses one others can read.
 */
zc_err zc_keys_write_secret_file(const char *path, const uint8_t *bytes, size_t n, zc_diag *diag);
zc_err zc_keys_read_secret_file(const char *path, uint8_t *bytes, size_t n, zc_diag *diag);

/* Parses the base64 text of a public key. */
zc_err zc_keys_parse_public(const char *text, uint8_t pk[ZC_PUBKEY_LEN], zc_diag *diag);

/* Reads a public key from a public.key file, or takes `arg` itself as the key text. */
zc_err zc_keys_load_public(const char *arg, uint8_t pk[ZC_PUBKEY_LEN], zc_diag *diag);

/* The base64 text of a public key; buf of ZC_PUBKEY_TEXT_SIZE bytes. */
void zc_keys_public_text(const uint8_t pk[ZC_PUBKEY_LEN], char *buf);

void zc_keys_sign(const zc_keypair *kp, const uint8_t *msg, size_t len, uint8_t sig[ZC_SIG_LEN]);
zc_err zc_keys_verify(const uint8_t pk[ZC_PUBKEY_LEN], const uint8_t *msg, size_t len,
                      const uint8_t sig[ZC_SIG_LEN]);

#endif
