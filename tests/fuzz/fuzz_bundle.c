/* libFuzzer: signed-bundle envelopes, as a kiosk receives them from the network. */
#include "zc/bundle.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zc_bundle *b;
    zc_diag diag;
    (void)zc_bundle_is_bundle((const char *)data, size);
    if (zc_bundle_parse((const char *)data, size, &b, &diag) == ZC_OK) {
        (void)zc_bundle_verify(b, NULL, &diag);
        zc_bundle_free(b);
    }
    return 0;
}
