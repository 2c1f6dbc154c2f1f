/* zhucanctl sell and void: record a sale as the kiosk does, or cancel one. */
#include "ctl.h"

#include "zc/codec.h"
#include "zc/receipt.h"
#include "zc/sell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Opens the kiosk and its ledger, or reports why not. */
static int open_kiosk(const char *cmd, const char *data, zc_datadir **dd, zc_ledger **ledger)
{
    zc_diag diag = {{0}, 0};
    zc_err err = zc_datadir_open(data, dd, &diag);
    if (!err && (err = zc_datadir_ledger(*dd, ledger, &diag)))
        zc_datadir_close(*dd);
    return err ? ctl_fail(cmd, err, &diag) : CTL_EXIT_OK;
}

/* The instant given with --at (without an offset: the kiosk's local time), or now. */
static int when(const char *cmd, const zc_datadir *dd, const char *at_text, zc_ms *at)
{
    zc_diag diag = {{0}, 0};
    if (!at_text) {
        *at = ctl_now_ms();
        return CTL_EXIT_OK;
    }
    if (zc_tz_parse_time(dd->tz, at_text, at, &diag))
        return ctl_usage(cmd, "--at: %s", diag.msg);
    return CTL_EXIT_OK;
}

static void close_kiosk(zc_datadir *dd, zc_ledger *ledger)
{
    zc_ledger_close(ledger);
    zc_datadir_close(dd);
}

static json_t *sale_json(const zc_sell_result *r, const char *receipt)
{
    json_t *o = zc_quote_to_json(&r->quote);
    if (!o)
        return NULL;
    char hash[ZC_HEX_SIZE(ZC_HASH_LEN)];
    zc_hex_encode(r->sale.hash, ZC_HASH_LEN, hash);
    json_object_set_new(o, "seq", json_integer(r->sale.seq));
    json_object_set_new(o, "uuid", json_string(r->sale.uuid));
    json_object_set_new(o, "elder_id", r->found ? json_integer(r->elder.id) : json_null());
    json_object_set_new(o, "paid", json_string(zc_pay_name(r->sale.paid)));
    json_object_set_new(o, "hash", json_string(hash));
    json_object_set_new(o, "receipt", json_string(receipt));
    return o;
}

int ctl_sell(int argc, char **argv)
{
    const char *cmd = "sell";
    const char *data = NULL, *id_number = NULL, *qr = NULL, *card = NULL, *price_text = NULL;
    const char *item = NULL, *at_text = NULL, *paid = "cash", *fee_text = NULL;
    ctl_opt opts[] = {{"data", &data, NULL, true},
                      {"id-number", &id_number, NULL, false},
                      {"qr", &qr, NULL, false},
                      {"card", &card, NULL, false},
                      {"price", &price_text, NULL, false},
                      {"item", &item, NULL, false},
                      {"at", &at_text, NULL, false},
                      {"paid", &paid, NULL, false},
                      {"delivery-fee", &fee_text, NULL, false},
                      {NULL, NULL, NULL, false}};
    if (!ctl_parse_options(cmd, argc, argv, opts))
        return CTL_EXIT_USAGE;
    if (!!id_number + !!qr + !!card != 1)
        return ctl_usage(cmd, "give exactly one of --id-number, --qr, --card");
    if (!!price_text + !!item != 1)
        return ctl_usage(cmd, "give exactly one of --price, --item");
    zc_diag diag = {{0}, 0};
    zc_sell_request req = {
        .ident = id_number ? ZC_IDENT_ID_CARD
                 : qr      ? ZC_IDENT_QR
                           : ZC_IDENT_MEAL_CARD,
        .credential = id_number ? id_number
                      : qr      ? qr
                                : card,
        .item_code = item,
    };
    if (price_text && zc_money_parse_fen(price_text, &req.price, &diag))
        return ctl_usage(cmd, "--price: %s", diag.msg);
    if (zc_pay_parse(paid, &req.paid))
        return ctl_usage(cmd, "--paid: '%s' is not cash or other", paid);
    if (fee_text) {
        if (zc_money_parse_fen(fee_text, &req.delivery_fee, &diag))
            return ctl_usage(cmd, "--delivery-fee: %s", diag.msg);
        req.delivered = true;
    }
    zc_datadir *dd;
    zc_ledger *ledger;
    int rc = open_kiosk(cmd, data, &dd, &ledger);
    if (rc)
        return rc;
    if ((rc = when(cmd, dd, at_text, &req.at))) {
        close_kiosk(dd, ledger);
        return rc;
    }
    zc_sell_result r;
    char receipt[ZC_RECEIPT_TEXT_SIZE] = "";
    zc_err err = zc_sell(dd, ledger, &req, &r, &diag);
    if (!err)
        err = zc_receipt_text(&r.sale, r.sale.hash, &dd->device_key, receipt, sizeof receipt);
    close_kiosk(dd, ledger);
    if (err)
        return ctl_fail(cmd, err, &diag);
    return ctl_print_json(cmd, sale_json(&r, receipt));
}

int ctl_void(int argc, char **argv)
{
    const char *cmd = "void";
    const char *data = NULL, *seq_text = NULL, *reason = NULL, *at_text = NULL;
    ctl_opt opts[] = {{"data", &data, NULL, true},
                      {"seq", &seq_text, NULL, true},
                      {"reason", &reason, NULL, true},
                      {"at", &at_text, NULL, false},
                      {NULL, NULL, NULL, false}};
    if (!ctl_parse_options(cmd, argc, argv, opts))
        return CTL_EXIT_USAGE;
    char *end;
    long long seq = strtoll(seq_text, &end, 10);
    if (*seq_text < '0' || *seq_text > '9' || *end || seq <= 0)
        return ctl_usage(cmd, "--seq: '%s' is not a sale number", seq_text);
    zc_ms at;
    zc_datadir *dd;
    zc_ledger *ledger;
    int rc = open_kiosk(cmd, data, &dd, &ledger);
    if (rc)
        return rc;
    if ((rc = when(cmd, dd, at_text, &at))) {
        close_kiosk(dd, ledger);
        return rc;
    }
    zc_diag diag = {{0}, 0};
    zc_ledger_head head;
    zc_err err = zc_ledger_head_get(dd->store, &head, &diag);
    /* A void made now may follow sales recorded with later --at times: keep the chain's order. */
    if (!err && !at_text && at < head.at)
        at = head.at;
    zc_sale v;
    if (!err)
        err = zc_sell_void(dd, ledger, seq, reason, at, &v, &diag);
    close_kiosk(dd, ledger);
    if (err)
        return ctl_fail(cmd, err, &diag);
    return ctl_print_json(cmd, json_pack("{s:I,s:I,s:s,s:I,s:I,s:I}", "seq", (json_int_t)v.seq,
                                         "voids", (json_int_t)seq, "reason", reason, "price",
                                         (json_int_t)v.price, "subsidy", (json_int_t)v.subsidy,
                                         "self_pay", (json_int_t)v.self_pay));
}
