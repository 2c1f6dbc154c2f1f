/* zhucanctl menu import: the canteen's menu, replaced whole from a CSV file. */
#include "ctl.h"

#include "zc/datadir.h"
#include "zc/menu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ctl_menu(int argc, char **argv)
{
    const char *cmd = "menu import";
    if (argc < 1 || strcmp(argv[0], "import") != 0)
        return ctl_usage("menu", "usage: zhucanctl menu import --data DIR FILE.csv");
    const char *data = NULL;
    ctl_opt opts[] = {{"data", &data, NULL, true}, {NULL, NULL, NULL, false}};
    ctl_args args;
    if (!ctl_parse(cmd, argc - 1, argv + 1, opts, &args))
        return CTL_EXIT_USAGE;
    if (args.npositional != 1)
        return ctl_usage(cmd, "give exactly one FILE.csv");
    const char *file = args.positional[0];
    zc_diag diag = {{0}, 0}, inner = {{0}, 0};
    char *text;
    size_t len;
    zc_datadir *dd;
    int rc = ctl_open_with_file(cmd, data, file, &dd, &text, &len);
    if (rc)
        return rc;
    zc_menu_import_stats stats;
    zc_err err;
    if ((err = zc_menu_import_csv(dd->store, text, len, &stats, &inner)))
        zc_diag_set(&diag, err, "%s: %s", file, inner.msg);
    zc_datadir_close(dd);
    free(text);
    if (err)
        return ctl_fail(cmd, err, &diag);
    return ctl_print_json(cmd,
                          json_pack("{s:I,s:I,s:I,s:I}", "items", (json_int_t)stats.rows, "added",
                                    (json_int_t)stats.added, "updated", (json_int_t)stats.updated,
                                    "removed", (json_int_t)stats.removed));
}
