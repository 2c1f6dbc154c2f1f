/*
 * The kiosk's link to the hub: a zc_sync_agent thread beside the UI, started only for a data
 * directory enrolled with a hub (meta sync.hub), and pumped once per turn of the live loop: a sale
 * pokes it, device faults go to its heartbeat, its status goes into the app for the staff screens
 * and the clock. An unenrolled kiosk has no agent and behaves exactly as before.
 */
#ifndef ZC_SHELL_HUBSYNC_H
#define ZC_SHELL_HUBSYNC_H

#include "kiosk/app.h"
#include "zc/sync.h"

/* The agent for data_dir, or NULL when it is not enrolled (or the agent cannot start: said on
 * stderr; the kiosk sells offline regardless). */
zc_sync_agent *hubsync_start(const char *data_dir);

/* Pokes the agent after a sale, hands it the device faults and the app its status. */
void hubsync_pump(zc_sync_agent *agent, zc_app *app);

#endif
