/* zhucanctl enrol and sync: join a kiosk to a hub, and run one sync round by hand. */
#include "ctl.h"

#include "zc/sync.h"
#include "zc/syncwire.h"

#include <stdio.h>

int ctl_enrol(int argc, char **argv)
{
    const char *cmd = "enrol";
    const char *data = NULL, *hub = NULL, *code = NULL;
    ctl_opt opts[] = {{"data", &data, NULL, true},
                      {"hub", &hub, NULL, true},
                      {"code", &code, NULL, true},
                      {NULL, NULL, NULL, false}};
    if (!ctl_parse_options(cmd, argc, argv, opts))
        return CTL_EXIT_USAGE;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_sync_enrol(data, hub, code, &diag);
    if (err == ZC_ERR_IO || err == ZC_ERR_CRYPTO) {
        fprintf(stderr, "zhucanctl: %s: %s\n", cmd, diag.msg[0] ? diag.msg : zc_err_str(err));
        return CTL_EXIT_FAILED;
    }
    if (err)
        return ctl_fail(cmd, err, &diag);
    zc_datadir *dd;
    if ((err = zc_datadir_open(data, &dd, &diag)))
        return ctl_fail(cmd, err, &diag);
    int rc = ctl_print_json(cmd, json_pack("{s:s,s:s,s:s}", "device_id", dd->device_id, "canteen",
                                           dd->canteen, "hub", hub));
    zc_datadir_close(dd);
    return rc;
}

static json_t *result_json(const zc_sync_result *r)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:b,s:I}", "pushed", (json_int_t)r->pushed, "acked",
                     (json_int_t)r->acked, "pending", (json_int_t)r->pending, "rules_installed",
                     (json_int_t)r->rules_installed, "roster_rows", (json_int_t)r->roster_rows,
                     "menu_changed", r->menu_changed, "hub_offset_ms",
                     (json_int_t)r->hub_offset_ms);
}

int ctl_sync(int argc, char **argv)
{
    const char *cmd = "sync";
    const char *data = NULL, *hub = NULL;
    ctl_opt opts[] = {
        {"data", &data, NULL, true}, {"hub", &hub, NULL, false}, {NULL, NULL, NULL, false}};
    if (!ctl_parse_options(cmd, argc, argv, opts))
        return CTL_EXIT_USAGE;
    zc_diag diag = {{0}, 0};
    zc_err err;
    if (hub && (err = zc_sync_check_url(hub, &diag)))
        return ctl_usage(cmd, "--hub: %s", diag.msg);
    zc_datadir *dd;
    if ((err = zc_datadir_open(data, &dd, &diag)))
        return ctl_fail(cmd, err, &diag);
    char enrolled[ZC_META_VALUE_MAX];
    if (!hub && zc_store_meta_get(dd->store, ZC_META_SYNC_HUB, enrolled, sizeof enrolled, NULL)) {
        zc_datadir_close(dd);
        return ctl_usage(cmd, "%s: not enrolled with a hub: give --hub or run `zhucanctl enrol`",
                         data);
    }
    zc_sync_result r;
    err = zc_sync_round(dd, hub, &r, &diag);
    zc_datadir_close(dd);
    /* Past the arguments, a failure is the hub's: out of reach, or refusing. */
    if (err) {
        fprintf(stderr, "zhucanctl: %s: %s\n", cmd, diag.msg[0] ? diag.msg : zc_err_str(err));
        return CTL_EXIT_FAILED;
    }
    return ctl_print_json(cmd, result_json(&r));
}
