/*
 * What the hub's service files share (internal to app/hub): the zc_hub value and small helpers.
 */
#ifndef ZC_HUB_IMPL_H
#define ZC_HUB_IMPL_H

#include "zc/hub.h"

struct zc_hub {
    zc_hubdb *db;
    zc_hub_clock_fn clock;
    void *clock_ctx;
    zc_keypair rules_key; /* signs published rule sets; kiosks pin its public half */
    uint8_t region_key[ZC_REGION_KEY_LEN];
};

#endif
