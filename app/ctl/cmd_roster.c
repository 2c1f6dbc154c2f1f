/* zhucanctl roster: import the elder roster from CSV, and look an elder up as staff do. */
#include "ctl.h"

#include "zc/datadir.h"
#include "zc/roster.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int import(int argc, char **argv)
{
    const char *cmd = "roster import";
    const char *data = NULL;
    ctl_opt opts[] = {{"data", &data, NULL, true}, {NULL, NULL, NULL, false}};
    ctl_args args;
    if (!ctl_parse(cmd, argc, argv, opts, &args))
        return CTL_EXIT_USAGE;
    if (args.npositional != 1)
        return ctl_usage(cmd, "give exactly one FILE.csv");
    const char *file = args.positional[0];
    zc_diag diag = {0};
    char *text;
    size_t len;
    zc_datadir *dd;
    int rc = ctl_open_with_file(cmd, data, file, &dd, &text, &len);
    if (rc)
        return rc;
    zc_roster_import_stats stats;
    int64_t total = 0;
    zc_err err = zc_roster_import_csv(dd->store, dd->region_key, text, len, &stats, &diag);
    if (!err)
        err = zc_roster_count(dd->store, &total, &diag);
    zc_datadir_close(dd);
    free(text);
    if (err) {
        zc_diag named = diag;
        snprintf(named.msg, sizeof named.msg, "%s: %.*s", file, (int)(sizeof diag.msg / 2),
                 diag.msg);
        return ctl_fail(cmd, err, &named);
    }
    return ctl_print_json(cmd, json_pack("{s:I,s:I,s:I,s:I}", "rows", (json_int_t)stats.rows,
                                         "added", (json_int_t)stats.added, "updated",
                                         (json_int_t)stats.updated, "elders", (json_int_t)total));
}

static int lookup(int argc, char **argv)
{
    const char *cmd = "roster lookup";
    const char *data = NULL, *id_number = NULL, *qr = NULL, *card = NULL;
    ctl_opt opts[] = {{"data", &data, NULL, true},
                      {"id-number", &id_number, NULL, false},
                      {"qr", &qr, NULL, false},
                      {"card", &card, NULL, false},
                      {NULL, NULL, NULL, false}};
    ctl_args args;
    if (!ctl_parse(cmd, argc, argv, opts, &args))
        return CTL_EXIT_USAGE;
    if (args.npositional || (!!id_number + !!qr + !!card) != 1)
        return ctl_usage(cmd, "give exactly one of --id-number, --qr, --card");
    zc_diag diag = {0};
    zc_datadir *dd;
    zc_err err = zc_datadir_open(data, &dd, &diag);
    if (err)
        return ctl_fail(cmd, err, &diag);
    zc_elder e;
    if (id_number)
        err = zc_roster_find_by_idnum(dd->store, dd->region_key, id_number, &e, &diag);
    else if (qr)
        err = zc_roster_find_by_qr(dd->store, qr, &e, &diag);
    else
        err = zc_roster_find_by_card(dd->store, card, &e, &diag);
    zc_datadir_close(dd);
    if (err)
        return ctl_fail(cmd, err, &diag);
    char masked[ZC_NAME_MAX], birth[ZC_DATE_TEXT_LEN + 1];
    zc_roster_mask_name(e.name, masked, sizeof masked);
    zc_date_format(e.birth, birth);
    return ctl_print_json(cmd, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)e.id,
                                         "name", e.name, "masked_name", masked, "birth_date", birth,
                                         "region", e.region, "categories", e.categories, "status",
                                         e.status == ZC_ELDER_ACTIVE ? "active" : "suspended"));
}

int ctl_roster(int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "import") == 0)
        return import(argc - 1, argv + 1);
    if (argc >= 1 && strcmp(argv[0], "lookup") == 0)
        return lookup(argc - 1, argv + 1);
    return ctl_usage("roster", "usage: zhucanctl roster import --data DIR FILE.csv | "
                               "roster lookup --data DIR (--id-number N | --qr TEXT | --card UID)");
}
