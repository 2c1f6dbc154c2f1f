#include "zc/keys.h"

#include "zc/codec.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    KEY_FILE_MAX = 256, /* a key file is one short line; anything longer is not ours */
    SECRET_MODE = 0600,
    PUBLIC_MODE = 0644,
    OTHERS_ACCESS = 077,
};

zc_err zc_keys_generate(zc_keypair *out)
{
    if (sodium_init() < 0)
        return ZC_ERR_CRYPTO;
    crypto_sign_keypair(out->pk, out->sk);
    return ZC_OK;
}

/* Writes text and a newline to a new file of the given mode, durably. */
static zc_err write_line(const char *path, const char *text, mode_t mode, zc_diag *diag)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return zc_diag_set(diag, errno == EEXIST ? ZC_ERR_EXISTS : ZC_ERR_IO, "%s: %s", path,
                           errno == EEXIST ? "already exists, not replacing a key"
                                           : strerror(errno));
    int len = (int)strlen(text) + 1;
    /* fchmod because the umask may have narrowed or the file system widened the mode. */
    bool ok = fchmod(fd, mode) == 0 && dprintf(fd, "%s\n", text) == len && fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0)
        ok = false;
    if (!ok) {
        unlink(path);
        return zc_diag_set(diag, ZC_ERR_IO, "%s: %s", path, strerror(saved));
    }
    return ZC_OK;
}

zc_err zc_keys_write_secret_file(const char *path, const uint8_t *bytes, size_t n, zc_diag *diag)
{
    char text[ZC_B64_SIZE(ZC_SECKEY_LEN)];
    if (n > ZC_SECKEY_LEN)
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: secret too long", path);
    zc_b64_encode(bytes, n, text);
    zc_err err = write_line(path, text, SECRET_MODE, diag);
    sodium_memzero(text, sizeof text);
    return err;
}

zc_err zc_keys_write(const zc_keypair *kp, const char *secret_path, const char *public_path,
                     zc_diag *diag)
{
    /* libsodium's 64-byte secret key starts with the seed it was made from; the seed suffices. */
    zc_err err = zc_keys_write_secret_file(secret_path, kp->sk, ZC_SEED_LEN, diag);
    if (err)
        return err;
    if ((err = zc_keys_write_public(kp->pk, public_path, diag)))
        unlink(secret_path);
    return err;
}

zc_err zc_keys_write_public(const uint8_t pk[ZC_PUBKEY_LEN], const char *path, zc_diag *diag)
{
    char text[ZC_PUBKEY_TEXT_SIZE];
    zc_keys_public_text(pk, text);
    return write_line(path, text, PUBLIC_MODE, diag);
}

static zc_err read_small(const char *path, char *buf, size_t size, struct stat *st, zc_diag *diag)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return zc_diag_set(diag, ZC_ERR_IO, "%s: %s", path, strerror(errno));
    ssize_t n = -1;
    if (fstat(fd, st) == 0 && S_ISREG(st->st_mode))
        n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        return zc_diag_set(diag, ZC_ERR_IO, "%s: not a readable key file", path);
    if ((size_t)n == size - 1)
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: too long for a key file", path);
    buf[n] = '\0';
    return ZC_OK;
}

zc_err zc_keys_read_secret_file(const char *path, uint8_t *bytes, size_t n, zc_diag *diag)
{
    char text[KEY_FILE_MAX];
    struct stat st = {0};
    zc_err err = read_small(path, text, sizeof text, &st, diag);
    if (err)
        return err;
    if (st.st_mode & OTHERS_ACCESS) {
        sodium_memzero(text, sizeof text);
        return zc_diag_set(diag, ZC_ERR_CRYPTO,
                           "%s: secret is accessible by other users (mode %03o); chmod 600 it",
                           path, (unsigned)(st.st_mode & 0777));
    }
    err = zc_b64_decode(text, strlen(text), bytes, n);
    sodium_memzero(text, sizeof text);
    if (err)
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: not a zhucan secret (base64 of %zu bytes)",
                           path, n);
    return ZC_OK;
}

zc_err zc_keys_read_secret(const char *path, zc_keypair *out, zc_diag *diag)
{
    uint8_t seed[ZC_SEED_LEN];
    zc_err err = zc_keys_read_secret_file(path, seed, sizeof seed, diag);
    if (err)
        return err;
    if (sodium_init() < 0)
        return ZC_ERR_CRYPTO;
    crypto_sign_seed_keypair(out->pk, out->sk, seed);
    sodium_memzero(seed, sizeof seed);
    return ZC_OK;
}

zc_err zc_keys_parse_public(const char *text, uint8_t pk[ZC_PUBKEY_LEN], zc_diag *diag)
{
    if (zc_b64_decode(text, strlen(text), pk, ZC_PUBKEY_LEN))
        return zc_diag_set(diag, ZC_ERR_INVALID,
                           "public key: not 44 characters of base64 for 32 bytes");
    return ZC_OK;
}

zc_err zc_keys_load_public(const char *arg, uint8_t pk[ZC_PUBKEY_LEN], zc_diag *diag)
{
    struct stat st;
    if (stat(arg, &st) != 0)
        return zc_keys_parse_public(arg, pk, diag);
    char text[KEY_FILE_MAX];
    zc_err err = read_small(arg, text, sizeof text, &st, diag);
    if (err)
        return err;
    if (zc_b64_decode(text, strlen(text), pk, ZC_PUBKEY_LEN))
        return zc_diag_set(diag, ZC_ERR_INVALID, "%s: not a zhucan public key (base64)", arg);
    return ZC_OK;
}

void zc_keys_public_text(const uint8_t pk[ZC_PUBKEY_LEN], char *buf)
{
    zc_b64_encode(pk, ZC_PUBKEY_LEN, buf);
}

void zc_keys_sign(const zc_keypair *kp, const uint8_t *msg, size_t len, uint8_t sig[ZC_SIG_LEN])
{
    crypto_sign_detached(sig, NULL, msg, len, kp->sk);
}

zc_err zc_keys_verify(const uint8_t pk[ZC_PUBKEY_LEN], const uint8_t *msg, size_t len,
                      const uint8_t sig[ZC_SIG_LEN])
{
    return crypto_sign_verify_detached(sig, msg, len, pk) == 0 ? ZC_OK : ZC_ERR_CRYPTO;
}
