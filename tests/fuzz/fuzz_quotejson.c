/* libFuzzer: the quote command's ELDER.json and HISTORY.json readers. */
#include "zc/quotejson.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zc_quote_elder elder;
    zc_ms *history;
    size_t n;
    zc_diag diag;
    (void)zc_quotejson_elder((const char *)data, size, &elder, &diag);
    if (zc_quotejson_history((const char *)data, size, NULL, &history, &n, &diag) == ZC_OK)
        free(history);
    return 0;
}
