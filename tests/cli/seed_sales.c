/*
 * Test helper: appends N sales to a kiosk's ledger through the library, so the command-line tests
 * can exercise verify and report before zhucanctl has a sell command of its own.
 * usage: seed_sales DATA_DIR N YYYY-MM-DD
 */
#include "zc/datadir.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ARGS = 4, MINUTE_MS = 60000, PRICE = 1500, SUBSIDY = 500, LUNCH_OFFSET_MS = 11 * 3600000 };

int main(int argc, char **argv)
{
    if (argc != ARGS) {
        fprintf(stderr, "usage: seed_sales DATA_DIR N YYYY-MM-DD\n");
        return 2;
    }
    char *end;
    errno = 0;
    long n = strtol(argv[2], &end, 10);
    if (end == argv[2] || *end != '\0' || errno == ERANGE || n < 0 || n > INT_MAX) {
        fprintf(stderr, "seed_sales: N must be a whole number from 0 to %d, not \"%s\"\n", INT_MAX,
                argv[2]);
        return 2;
    }
    zc_diag d = {0};
    zc_date date;
    zc_datadir *dd;
    zc_ledger *l;
    if (zc_date_parse(argv[3], strlen(argv[3]), &date, &d) || zc_datadir_open(argv[1], &dd, &d)) {
        fprintf(stderr, "seed_sales: %s\n", d.msg);
        return 2;
    }
    if (zc_datadir_ledger(dd, &l, &d)) {
        fprintf(stderr, "seed_sales: %s\n", d.msg);
        zc_datadir_close(dd);
        return 1;
    }
    zc_ms start = zc_tz_to_utc(dd->tz, date, LUNCH_OFFSET_MS / 1000);
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        zc_sale s;
        memset(&s, 0, sizeof s);
        s.at = start + (zc_ms)i * MINUTE_MS;
        s.date = date;
        snprintf(s.period, sizeof s.period, "lunch");
        snprintf(s.tier, sizeof s.tier, i % 2 ? "80+" : "70-79");
        s.ident = ZC_IDENT_QR;
        s.paid = i % 3 ? ZC_PAY_CASH : ZC_PAY_OTHER;
        s.price = PRICE;
        s.subsidy = SUBSIDY;
        s.self_pay = PRICE - SUBSIDY;
        if (zc_ledger_append(l, &s, &d)) {
            fprintf(stderr, "seed_sales: %s\n", d.msg);
            rc = 1;
        }
    }
    zc_ledger_close(l);
    zc_datadir_close(dd);
    return rc;
}
