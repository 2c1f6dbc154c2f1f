/*
 * libFuzzer: the kiosk's UI strings parser over any bytes. A file that parses must give back every
 * key it lists, texts within their size, valid for zc_strings_format with any arguments; a refused
 * file must say which line ("line N: ..." with diag.line = N) unless it is refused as a whole
 * (too large). The parser is compiled in here from its source: it depends on nothing but libc and
 * zc/err.h, and the fuzz targets link only the core and hal libraries.
 */
#include "../../app/kiosk/logic/ui_strings.c"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zc_strings *s = NULL;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_strings_parse((const char *)data, size, &s, &diag);
    if (err) {
        if (s)
            abort();
        if (err == ZC_ERR_INVALID && size <= ZC_STRINGS_FILE_MAX &&
            (diag.line < 1 || strncmp(diag.msg, "line ", strlen("line ")) != 0))
            abort();
        return 0;
    }
    static const char *const ARGS[] = {"张*华", "¥10.00", "",  "x", "汉字汉字汉字",
                                       "9",     "8",      "7", "6"};
    char out[ZC_STRINGS_TEXT_MAX];
    const char *prev = NULL;
    for (size_t i = 0; i < zc_strings_count(s); i++) {
        const char *key = zc_strings_key_at(s, i);
        const char *text = zc_strings_get(s, key);
        if (!key || !text || !*text || strlen(key) >= ZC_STRINGS_KEY_MAX ||
            strlen(text) >= ZC_STRINGS_TEXT_MAX || (prev && strcmp(prev, key) >= 0))
            abort();
        size_t n = zc_strings_format(text, ARGS, sizeof ARGS / sizeof ARGS[0], out, sizeof out);
        if (n != strlen(out) || n >= sizeof out)
            abort();
        prev = key;
    }
    zc_strings_free(s);
    return 0;
}
