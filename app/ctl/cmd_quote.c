/* zhucanctl quote: what an elder would pay under a rule set, with the explanation. */
#include "ctl.h"

#include "zc/bundle.h"
#include "zc/quotejson.h"
#include "zc/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each loader reports a problem as "FILE: message". A bundle's signature is checked as made. */
static zc_err load_rules(const char *file, zc_rules **out, zc_diag *diag)
{
    char *text;
    size_t len;
    zc_err err = ctl_read_file(file, &text, &len, diag);
    if (err)
        return err;
    zc_diag inner = {{0}, 0};
    zc_bundle *b = NULL;
    const char *payload = text;
    size_t plen = len;
    if (zc_bundle_is_bundle(text, len)) {
        if (!(err = zc_bundle_parse(text, len, &b, &inner)) &&
            !(err = zc_bundle_verify(b, NULL, &inner))) {
            payload = b->payload;
            plen = b->len;
        }
    }
    if (!err)
        err = zc_rules_parse(payload, plen, NULL, out, &inner);
    if (err)
        zc_diag_set(diag, err, "%s: %s", file, inner.msg);
    zc_bundle_free(b);
    free(text);
    return err;
}

static zc_err load_elder(const char *file, zc_quote_elder *out, zc_diag *diag)
{
    char *text;
    size_t len;
    zc_err err = ctl_read_file(file, &text, &len, diag);
    if (err)
        return err;
    zc_diag inner = {{0}, 0};
    if ((err = zc_quotejson_elder(text, len, out, &inner)))
        zc_diag_set(diag, err, "%s: %s", file, inner.msg);
    free(text);
    return err;
}

static zc_err load_history(const char *file, const zc_tz *tz, zc_ms **out, size_t *n, zc_diag *diag)
{
    *out = NULL;
    *n = 0;
    if (!file)
        return ZC_OK;
    char *text;
    size_t len;
    zc_err err = ctl_read_file(file, &text, &len, diag);
    if (err)
        return err;
    zc_diag inner = {{0}, 0};
    if ((err = zc_quotejson_history(text, len, tz, out, n, &inner)))
        zc_diag_set(diag, err, "%s: %s", file, inner.msg);
    free(text);
    return err;
}

int ctl_quote(int argc, char **argv)
{
    const char *cmd = "quote";
    const char *rules_file = NULL, *elder_file = NULL, *price_text = NULL, *at_text = NULL;
    const char *canteen = NULL, *region = NULL, *fee_text = NULL, *history_file = NULL;
    ctl_opt opts[] = {{"rules", &rules_file, NULL, true},
                      {"elder", &elder_file, NULL, true},
                      {"price", &price_text, NULL, true},
                      {"at", &at_text, NULL, true},
                      {"canteen", &canteen, NULL, false},
                      {"canteen-region", &region, NULL, false},
                      {"delivery-fee", &fee_text, NULL, false},
                      {"history", &history_file, NULL, false},
                      {NULL, NULL, NULL, false}};
    if (!ctl_parse_options(cmd, argc, argv, opts))
        return CTL_EXIT_USAGE;
    zc_diag diag = {{0}, 0};
    zc_quote_input in = {.canteen = canteen, .canteen_region = region};
    if (zc_money_parse_fen(price_text, &in.price, &diag))
        return ctl_usage(cmd, "--price: %s", diag.msg);
    if (fee_text) {
        if (zc_money_parse_fen(fee_text, &in.delivery_fee, &diag))
            return ctl_usage(cmd, "--delivery-fee: %s", diag.msg);
        in.delivered = true;
    }
    zc_rules *rules = NULL;
    zc_quote_elder elder;
    zc_ms *history = NULL;
    zc_err err;
    if ((err = load_rules(rules_file, &rules, &diag)))
        return ctl_fail(cmd, err, &diag);
    /* A time without an offset is local time where the rules apply. */
    if (zc_tz_parse_time(rules->tz, at_text, &in.at, &diag)) {
        zc_rules_free(rules);
        return ctl_usage(cmd, "--at: %s", diag.msg);
    }
    if ((err = load_elder(elder_file, &elder, &diag)) ||
        (err = load_history(history_file, rules->tz, &history, &in.nhistory, &diag))) {
        zc_rules_free(rules);
        return ctl_fail(cmd, err, &diag);
    }
    in.elder = &elder;
    in.history = history;
    zc_quote q;
    err = zc_rules_quote(rules, &in, &q, &diag);
    zc_rules_free(rules);
    free(history);
    if (err)
        return ctl_fail(cmd, err, &diag);
    return ctl_print_json(cmd, zc_quote_to_json(&q));
}
