#include "zc/date.h"
#include "zc/money.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whatever a parser accepts must print back to text it reads as the same value. */
static void check_instant(const char *text)
{
    static const int32_t OFFSETS[] = {0, 8 * ZC_SECONDS_PER_HOUR,
                                      -(3 * ZC_SECONDS_PER_HOUR + 1800)};
    zc_ms t;
    zc_diag diag = {.msg = ""};
    if (zc_time_parse_iso8601(text, &t, &diag) != ZC_OK) {
        if (diag.msg[0] == '\0')
            abort();
        return;
    }
    for (size_t i = 0; i < sizeof OFFSETS / sizeof OFFSETS[0]; i++) {
        char buf[ZC_ISO8601_MAX];
        zc_ms back;
        zc_time_format_iso8601(t, OFFSETS[i], buf, sizeof buf);
        if (zc_time_parse_iso8601(buf, &back, NULL) != ZC_OK || back != t)
            abort();
    }
}

static void check_date(const uint8_t *data, size_t size)
{
    zc_date d;
    if (zc_date_parse((const char *)data, size, &d, NULL) != ZC_OK)
        return;
    char buf[ZC_DATE_TEXT_LEN + 1];
    zc_date_format(d, buf);
    if (memcmp(buf, data, ZC_DATE_TEXT_LEN) != 0 ||
        zc_date_from_days(zc_date_to_days(d)).day != d.day)
        abort();
}

static void check_money(const char *text)
{
    zc_fen fen, back;
    char buf[ZC_MONEY_TEXT_MAX];
    if (zc_money_parse(text, &fen, NULL) == ZC_OK) {
        zc_money_format(fen, buf, sizeof buf);
        if (zc_money_parse(buf, &back, NULL) != ZC_OK || back != fen)
            abort();
    }
    if (zc_money_parse_fen(text, &fen, NULL) == ZC_OK && fen < 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    check_instant(text);
    check_date(data, size);
    check_money(text);
    free(text);
    return 0;
}
