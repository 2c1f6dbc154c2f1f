/* zhucanctl init and device: set up a kiosk's data directory and show who it is. */
#include "ctl.h"

#include "zc/datadir.h"

#include <jansson.h>
#include <stdio.h>

static int print_device(const char *cmd, zc_datadir *dd)
{
    char pk[ZC_PUBKEY_TEXT_SIZE];
    zc_keys_public_text(dd->device_key.pk, pk);
    return ctl_print_json(cmd,
                          json_pack("{s:s,s:s,s:s,s:s}", "device_id", dd->device_id, "canteen",
                                    dd->canteen, "public_key", pk, "timezone", zc_tz_name(dd->tz)));
}

static int open_and_print(const char *cmd, const char *data)
{
    zc_diag diag = {0};
    zc_datadir *dd;
    zc_err err = zc_datadir_open(data, &dd, &diag);
    if (err)
        return ctl_fail(cmd, err, &diag);
    int rc = print_device(cmd, dd);
    zc_datadir_close(dd);
    return rc;
}

int ctl_init(int argc, char **argv)
{
    const char *cmd = "init";
    const char *data = NULL;
    zc_datadir_init_opts o = {0};
    ctl_opt opts[] = {{"data", &data, NULL, true},
                      {"canteen", &o.canteen, NULL, true},
                      {"rules-pubkey", &o.rules_pubkey, NULL, true},
                      {"region-key", &o.region_key_file, NULL, false},
                      {"timezone", &o.timezone, NULL, false},
                      {"canteen-region", &o.canteen_region, NULL, false},
                      {NULL, NULL, NULL, false}};
    if (!ctl_parse_options(cmd, argc, argv, opts))
        return CTL_EXIT_USAGE;
    zc_diag diag = {0};
    zc_err err = zc_datadir_init(data, &o, &diag);
    if (err)
        return ctl_fail(cmd, err, &diag);
    return open_and_print(cmd, data);
}

int ctl_device(int argc, char **argv)
{
    const char *cmd = "device";
    const char *data = NULL;
    ctl_opt opts[] = {{"data", &data, NULL, true}, {NULL, NULL, NULL, false}};
    if (!ctl_parse_options(cmd, argc, argv, opts))
        return CTL_EXIT_USAGE;
    return open_and_print(cmd, data);
}
