#include "zc/tz.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Instants around every region of a zone: before the table, inside it, after it (footer). */
static const zc_ms INSTANTS[] = {
    INT64_MIN,
    ZC_MS_MIN,
    INT64_C(-5000000000000),
    -1,
    0,
    INT64_C(1700000000000),
    INT64_C(2200000000000),
    INT64_C(4000000000000),
    ZC_MS_MAX,
    INT64_MAX,
};

/* More than any real zone's offset; the reader refuses files beyond RFC 8536's bounds. */
enum { OFFSET_LIMIT = 26 * ZC_SECONDS_PER_HOUR };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zc_tz *tz = NULL;
    zc_diag diag = {.msg = ""};
    if (zc_tz_parse(data, size, &tz, &diag) != ZC_OK) {
        if (tz || diag.msg[0] == '\0')
            abort();
        return 0;
    }
    for (size_t i = 0; i < sizeof INSTANTS / sizeof INSTANTS[0]; i++) {
        int32_t off = zc_tz_offset(tz, INSTANTS[i]);
        if (off <= -OFFSET_LIMIT || off >= OFFSET_LIMIT)
            abort();
        zc_local l;
        zc_tz_local(tz, INSTANTS[i], &l);
        if (!zc_date_valid(l.date) || l.second_of_day < 0 ||
            l.second_of_day >= ZC_SECONDS_PER_DAY || l.ms < 0 || l.ms >= ZC_MS_PER_SECOND)
            abort();
        zc_ms u = zc_tz_to_utc(tz, l.date, l.second_of_day);
        if (u < ZC_MS_MIN || u > ZC_MS_MAX)
            abort();
    }
    if (!zc_tz_name(tz)[0])
        abort();
    zc_tz_free(tz);
    return 0;
}
