#include "hubsync.h"

#include <stdio.h>

enum { FAULTS_MAX = 8 };

zc_sync_agent *hubsync_start(const char *data_dir)
{
    zc_sync_agent *agent;
    zc_diag diag = {{0}, 0};
    if (zc_sync_agent_start(data_dir, NULL, &agent, &diag) != ZC_OK) {
        fprintf(stderr, "zhucan-kiosk: sync agent: %s\n", diag.msg);
        return NULL;
    }
    zc_sync_status s;
    zc_sync_agent_status(agent, &s);
    if (!s.enrolled) {
        zc_sync_agent_stop(agent);
        return NULL;
    }
    return agent;
}

void hubsync_pump(zc_sync_agent *agent, zc_app *app)
{
    if (!agent)
        return;
    if (zc_app_take_sync_poke(app))
        zc_sync_agent_poke(agent);
    char faults[FAULTS_MAX][ZC_APP_FAULT_MAX];
    const char *ptrs[FAULTS_MAX];
    size_t n = zc_app_faults(app, faults, FAULTS_MAX);
    for (size_t i = 0; i < n; i++)
        ptrs[i] = faults[i];
    zc_sync_agent_set_faults(agent, ptrs, n);
    zc_sync_status s;
    zc_sync_agent_status(agent, &s);
    zc_app_sync_status(app, &s);
}
