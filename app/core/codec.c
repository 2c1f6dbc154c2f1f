#include "zc/codec.h"

#include <sodium.h>

void zc_hex_encode(const uint8_t *bytes, size_t n, char *out)
{
    sodium_bin2hex(out, ZC_HEX_SIZE(n), bytes, n);
}

zc_err zc_hex_decode(const char *text, size_t len, uint8_t *out, size_t n)
{
    size_t got = 0;
    const char *end = NULL;
    if (len != n * 2 || sodium_hex2bin(out, n, text, len, NULL, &got, &end) != 0 || got != n)
        return ZC_ERR_INVALID;
    return ZC_OK;
}

void zc_b64_encode(const uint8_t *bytes, size_t n, char *out)
{
    sodium_bin2base64(out, ZC_B64_SIZE(n), bytes, n, sodium_base64_VARIANT_ORIGINAL);
}

zc_err zc_b64_decode(const char *text, size_t len, uint8_t *out, size_t n)
{
    while (len > 0 && (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')) {
        text++;
        len--;
    }
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n' ||
                       text[len - 1] == '\r'))
        len--;
    size_t got = 0;
    const char *end = NULL;
    if (len != ZC_B64_SIZE(n) - 1 ||
        sodium_base642bin(out, n, text, len, NULL, &got, &end, sodium_base64_VARIANT_ORIGINAL) !=
            0 ||
        got != n || end != text + len)
        return ZC_ERR_INVALID;
    return ZC_OK;
}
