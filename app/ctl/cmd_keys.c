/* zhucanctl keys new --out DIR: an Ed25519 key pair for signing rules or for tests. */
#include "ctl.h"

#include "zc/keys.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

enum { KEY_DIR_MODE = 0700, PATH_SIZE = 4096 };

int ctl_keys(int argc, char **argv)
{
    const char *cmd = "keys new";
    if (argc < 1 || strcmp(argv[0], "new") != 0)
        return ctl_usage("keys", "usage: zhucanctl keys new --out DIR");
    const char *out = NULL;
    ctl_opt opts[] = {{"out", &out, NULL, true}, {NULL, NULL, NULL, false}};
    if (!ctl_parse_options(cmd, argc - 1, argv + 1, opts))
        return CTL_EXIT_USAGE;
    zc_diag diag = {0};
    if (mkdir(out, KEY_DIR_MODE) != 0 && errno != EEXIST) {
        zc_diag_set(&diag, ZC_ERR_IO, "%s: %s", out, strerror(errno));
        return ctl_fail(cmd, ZC_ERR_IO, &diag);
    }
    char secret[PATH_SIZE], public[PATH_SIZE];
    snprintf(secret, sizeof secret, "%s/%s", out, ZC_SECRET_KEY_FILE);
    snprintf(public, sizeof public, "%s/%s", out, ZC_PUBLIC_KEY_FILE);
    zc_keypair kp;
    zc_err err = zc_keys_generate(&kp);
    if (!err)
        err = zc_keys_write(&kp, secret, public, &diag);
    if (err) {
        sodium_memzero(&kp, sizeof kp);
        return ctl_fail(cmd, err, &diag);
    }
    char text[ZC_PUBKEY_TEXT_SIZE];
    zc_keys_public_text(kp.pk, text);
    sodium_memzero(&kp, sizeof kp);
    return ctl_print_json(cmd, json_pack("{s:s,s:s,s:s}", "public_key", text, "secret_key_file",
                                         secret, "public_key_file", public));
}
