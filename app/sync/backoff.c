/*
 * Capped exponential backoff with full jitter: kiosks that lost the hub together (a network cut,
 * a hub restart) spread their retries out instead of returning as one wave.
 */
#include "zc/sync.h"

enum { RANDOM_BITS = 32 };

int64_t zc_sync_backoff_ms(int failures, uint32_t random, int64_t base_ms, int64_t max_ms)
{
    if (max_ms < 1)
        max_ms = 1;
    if (base_ms < 1)
        base_ms = 1;
    if (base_ms > max_ms) /* "never above max" wins over the base */
        base_ms = max_ms;
    int64_t cap = base_ms;
    for (int i = 1; i < failures && cap < max_ms; i++)
        cap = cap > max_ms / 2 ? max_ms : cap * 2;
    /* random / 2^32 scales the cap into [0, cap); one more keeps a retry from being immediate.
     * The cap is split in halves so that no product overflows 64 bits. */
    uint64_t c = (uint64_t)cap, hi = c >> RANDOM_BITS, lo = c & UINT32_MAX;
    return 1 + (int64_t)(hi * random + ((lo * random) >> RANDOM_BITS));
}
