/*
 * libFuzzer: receipt QR text over any bytes, as a scanner may deliver them. A parsed receipt must
 * turn into JSON, verify without crashing (against a fixed key it was not signed with, so it must
 * fail), and have fields within the documented ranges.
 */
#include "zc/receipt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t PK[ZC_PUBKEY_LEN] = {1};
    zc_receipt r;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_receipt_parse((const char *)data, size, &r, &diag);
    if (err) {
        if (err != ZC_ERR_INVALID || diag.msg[0] == '\0')
            abort();
        return 0;
    }
    size_t device_len = strlen(r.device);
    if (size > ZC_RECEIPT_TEXT_MAX || device_len == 0 || device_len > ZC_RECEIPT_DEVICE_MAX ||
        r.seq < 1 || r.seq > ZC_RECEIPT_SEQ_MAX || r.at < 0 || r.at > ZC_RECEIPT_AT_MAX ||
        r.price < 0 || r.price > ZC_RECEIPT_FEN_MAX || r.subsidy < 0 ||
        r.subsidy > ZC_RECEIPT_FEN_MAX || r.self_pay < 0 || r.self_pay > ZC_RECEIPT_FEN_MAX)
        abort();
    json_t *j = zc_receipt_to_json(&r);
    if (!j)
        abort();
    json_decref(j);
    if (zc_receipt_verify(&r, PK, &diag) != ZC_ERR_CRYPTO)
        abort();
    return 0;
}
