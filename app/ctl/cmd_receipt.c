/* zhucanctl receipt verify: is a printed receipt's QR text genuine, and which sale is it? */
#include "ctl.h"

#include "zc/keys.h"
#include "zc/receipt.h"

#include <string.h>

int ctl_receipt(int argc, char **argv)
{
    const char *cmd = "receipt verify";
    if (argc < 1 || strcmp(argv[0], "verify") != 0)
        return ctl_usage("receipt", "usage: zhucanctl receipt verify TEXT --pubkey KEY");
    const char *pubkey = NULL;
    ctl_opt opts[] = {{"pubkey", &pubkey, NULL, true}, {NULL, NULL, NULL, false}};
    ctl_args args;
    if (!ctl_parse(cmd, argc - 1, argv + 1, opts, &args))
        return CTL_EXIT_USAGE;
    if (args.npositional != 1)
        return ctl_usage(cmd, "give exactly one receipt TEXT (quote it)");
    const char *text = args.positional[0];
    zc_diag diag = {{0}, 0};
    uint8_t pk[ZC_PUBKEY_LEN];
    zc_receipt r;
    zc_err err;
    if ((err = zc_keys_load_public(pubkey, pk, &diag)) ||
        (err = zc_receipt_parse(text, strlen(text), &r, &diag)) ||
        (err = zc_receipt_verify(&r, pk, &diag)))
        return ctl_fail(cmd, err, &diag);
    json_t *o = zc_receipt_to_json(&r);
    if (o)
        json_object_set_new(o, "genuine", json_true());
    return ctl_print_json(cmd, o);
}
