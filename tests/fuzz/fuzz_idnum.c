#include "zc/idnum.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * libFuzzer's buffer is exactly size bytes, so the parser is fed it directly: any read past len
 * is an ASan report. Accepted numbers must satisfy what the parser promises.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zc_idnum id;
    zc_diag diag = {.msg = ""};
    if (zc_idnum_parse((const char *)data, size, &id, &diag) != ZC_OK) {
        if (diag.msg[0] == '\0')
            abort();
        return 0;
    }
    if (strlen(id.text) != ZC_IDNUM_LEN || strlen(id.region) != ZC_IDNUM_REGION_LEN ||
        zc_idnum_check_char(id.text) != id.text[ZC_IDNUM_LEN - 1] || !zc_date_valid(id.birth))
        abort();
    zc_idnum again;
    if (zc_idnum_parse(id.text, ZC_IDNUM_LEN, &again, NULL) != ZC_OK ||
        memcmp(again.text, id.text, sizeof id.text) != 0)
        abort();
    static const uint8_t KEY[ZC_REGION_KEY_LEN] = {1, 2, 3};
    uint8_t a[ZC_IDNUM_HMAC_LEN], b[ZC_IDNUM_HMAC_LEN];
    zc_idnum_hmac(KEY, &id, a);
    zc_idnum_hmac(KEY, &again, b);
    if (memcmp(a, b, sizeof a) != 0)
        abort();
    return 0;
}
