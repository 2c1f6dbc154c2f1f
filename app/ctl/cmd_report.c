/* zhucanctl report day: one local date's sales for reconciliation, as text, JSON or CSV. */
#include "ctl.h"

#include "zc/datadir.h"
#include "zc/report.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static zc_err render(const zc_report *r, const char *format, char **out)
{
    if (strcmp(format, "text") == 0)
        return zc_report_to_text(r, out);
    if (strcmp(format, "csv") == 0)
        return zc_report_to_csv(r, out);
    json_t *o;
    zc_err err = zc_report_to_json(r, &o);
    if (err)
        return err;
    *out = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return *out ? ZC_OK : ZC_ERR_NOMEM;
}

int ctl_report(int argc, char **argv)
{
    const char *cmd = "report day";
    if (argc < 1 || strcmp(argv[0], "day") != 0)
        return ctl_usage("report", "usage: zhucanctl report day --data DIR --date YYYY-MM-DD "
                                   "[--format text|json|csv]");
    const char *data = NULL, *date_text = NULL, *format = "text";
    ctl_opt opts[] = {{"data", &data, NULL, true},
                      {"date", &date_text, NULL, true},
                      {"format", &format, NULL, false},
                      {NULL, NULL, NULL, false}};
    if (!ctl_parse_options(cmd, argc - 1, argv + 1, opts))
        return CTL_EXIT_USAGE;
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0)
        return ctl_usage(cmd, "--format: '%s' is not text, json or csv", format);
    zc_diag diag = {0};
    zc_date date;
    zc_err err = zc_date_parse(date_text, strlen(date_text), &date, &diag);
    if (err)
        return ctl_usage(cmd, "--date: %s", diag.msg);
    zc_datadir *dd;
    if ((err = zc_datadir_open(data, &dd, &diag)))
        return ctl_fail(cmd, err, &diag);
    zc_report *r;
    err = zc_report_day(dd->store, date, &r, &diag);
    zc_datadir_close(dd);
    if (err)
        return ctl_fail(cmd, err, &diag);
    char *text = NULL;
    err = render(r, format, &text);
    zc_report_free(r);
    if (err)
        return ctl_fail(cmd, err, NULL);
    fputs(text, stdout);
    if (strcmp(format, "json") == 0)
        fputc('\n', stdout);
    free(text);
    return CTL_EXIT_OK;
}
