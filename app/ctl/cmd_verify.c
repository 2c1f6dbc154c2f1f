/* zhucanctl verify: the hash chain, every device signature and SQLite's integrity check. */
#include "ctl.h"

#include "zc/codec.h"
#include "zc/datadir.h"

#include <jansson.h>
#include <stdio.h>

int ctl_verify(int argc, char **argv)
{
    const char *cmd = "verify";
    const char *data = NULL;
    ctl_opt opts[] = {{"data", &data, NULL, true}, {NULL, NULL, NULL, false}};
    if (!ctl_parse_options(cmd, argc, argv, opts))
        return CTL_EXIT_USAGE;
    zc_diag diag = {0};
    zc_datadir *dd;
    zc_err err = zc_datadir_open(data, &dd, &diag);
    if (err)
        return ctl_fail(cmd, err, &diag);

    zc_diag integrity = {0}, chain = {0};
    zc_err ierr = zc_store_integrity_check(dd->store, &integrity);
    zc_ledger_check check;
    zc_err cerr = zc_ledger_verify(dd->store, dd->device_key.pk, &check, &chain);
    zc_datadir_close(dd);

    char hex[ZC_HEX_SIZE(ZC_HASH_LEN)];
    zc_hex_encode(check.head.hash, ZC_HASH_LEN, hex);
    json_t *o = json_pack(
        "{s:b,s:I,s:s,s:o}", "ok", !ierr && !cerr, "entries", (json_int_t)check.entries,
        "integrity", ierr ? integrity.msg : "ok", "head",
        check.head.seq ? json_pack("{s:I,s:s}", "seq", (json_int_t)check.head.seq, "hash", hex)
                       : json_null());
    if (o && cerr) {
        json_object_set_new(o, "first_bad", json_integer(check.first_bad));
        json_object_set_new(o, "problem", json_string(chain.msg));
    }
    if (o) {
        json_dumpf(o, stdout, JSON_COMPACT);
        fputc('\n', stdout);
        fflush(stdout);
        json_decref(o);
    }
    if (cerr)
        return ctl_fail(cmd, cerr, &chain);
    if (ierr)
        return ctl_fail(cmd, ierr, &integrity);
    return o ? CTL_EXIT_OK : ctl_fail(cmd, ZC_ERR_NOMEM, NULL);
}
