/*
 * The staff menu: every staff task of DESIGN.md's table, one button each. Staff screens are not
 * bound by the elders' two-choice rule; the renderer lays the buttons out two to a row.
 */
#include "screen.h"

#include <string.h>

typedef struct task {
    const char *id;
    const char *key;
    zc_screen screen;
} task;

static const task TASKS[] = {
    {"sell_manual", "staff.menu.sell", ZC_SCREEN_STAFF_SELL},
    {"void", "staff.menu.void", ZC_SCREEN_STAFF_VOID},
    {"report", "staff.menu.report", ZC_SCREEN_STAFF_REPORT},
    {"cash", "staff.menu.cash", ZC_SCREEN_STAFF_CASH},
    {"close_day", "staff.menu.close", ZC_SCREEN_STAFF_CLOSE},
    {"devices", "staff.menu.devices", ZC_SCREEN_STAFF_DEVICES},
    {"clock", "staff.menu.clock", ZC_SCREEN_STAFF_CLOCK},
    {"settings", "staff.menu.settings", ZC_SCREEN_STAFF_SETTINGS},
    {"pin", "staff.menu.pin", ZC_SCREEN_STAFF_PINCHANGE},
};

static void view(const zc_machine *m, zc_view *v)
{
    zc_m_view_begin(m, v, m->staff_default_pin ? ZC_TONE_WARNING : ZC_TONE_CALM);
    zc_m_add(m, v, ZC_ROLE_TITLE, "",
             m->staff == ZC_STAFF_MANAGER ? "staff.menu.title_manager" : "staff.menu.title");
    if (m->staff_default_pin)
        zc_m_add(m, v, ZC_ROLE_BODY, "", "staff.menu.default_pin");
    if (m->clock_behind)
        zc_m_add(m, v, ZC_ROLE_BODY, "", "staff.menu.clock_behind");
    for (size_t i = 0; i < sizeof TASKS / sizeof TASKS[0]; i++)
        zc_m_add(m, v, ZC_ROLE_BUTTON, TASKS[i].id, TASKS[i].key);
    zc_m_add(m, v, ZC_ROLE_BUTTON_PRIMARY, "exit", "staff.menu.exit");
    zc_m_status(m, v);
}

static void step(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    if (ev->kind != ZC_MEV_TAP)
        return;
    if (strcmp(ev->u.id, "exit") == 0) {
        zc_m_to_idle(m, fx);
        return;
    }
    for (size_t i = 0; i < sizeof TASKS / sizeof TASKS[0]; i++)
        if (strcmp(ev->u.id, TASKS[i].id) == 0) {
            zc_m_go(m, TASKS[i].screen, fx);
            return;
        }
}

const zc_screen_ops zc_screen_staff_menu = {
    .name = "staff_menu",
    .staff = true,
    .timeout_ms = ZC_TIMEOUT_STAFF_MS,
    .enter = NULL,
    .step = step,
    .view = view,
};
