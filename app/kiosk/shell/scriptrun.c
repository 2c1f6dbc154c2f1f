/*
 * Playing a script: the script's clock is the app's clock. Before each action the app is ticked
 * through every deadline up to the action's time (a "back to idle after 30 s" happens exactly
 * when it would have), the action is done, and the frame it leads to is drawn and checked. Nothing
 * waits for real time, so a script of ten minutes runs in a second and draws the same pixels on
 * every run.
 */
#include "kiosk.h"
#include "screenshot.h"
#include "script.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

enum {
    EXIT_OK = 0,
    EXIT_FAILED = 1,
    DEADLINES_PER_STEP_MAX = 10000, /* an app whose deadline never moves must not hang the run */
};

typedef struct run {
    kiosk *k;
    const script *s;
    zc_ms base; /* the instant of script time 0 */
    zc_ms now;
} run;

/* After any app call: what it says, then what it shows. */
static void settle(run *r)
{
    kiosk_device_events(r->k); /* devices would be none; the queue may hold our own statuses */
    kiosk_outputs(r->k);
    kiosk_frame(r->k, false);
}

static void tick(run *r, zc_ms t)
{
    r->now = t;
    zc_app_tick(r->k->app, t);
    settle(r);
}

/* Moves the clock to t, stopping at each deadline on the way. */
static void advance(run *r, zc_ms t)
{
    for (int i = 0; i < DEADLINES_PER_STEP_MAX; i++) {
        zc_ms d = zc_app_next_deadline(r->k->app);
        if (!d || d > t || d <= r->now)
            break;
        tick(r, d);
    }
    tick(r, t);
}

/*
 * NAME.mask beside NAME.png: the regions whose pixels differ on every run by design (a receipt's
 * QR code carries a random sale id and a signature), which the golden comparison skips but checks
 * are not empty (tests/ui/compare.c).
 */
static bool write_mask(const kiosk *k, const char *dir, const char *name, char *err, size_t size)
{
    const layout *l = &k->layout;
    size_t n = 0;
    for (size_t i = 0; i < l->nops; i++)
        n += l->ops[i].kind == LAYOUT_QR;
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s.mask", dir, name) >= (int)sizeof path) {
        snprintf(err, size, "%s.mask: --screenshots path too long", name);
        return false;
    }
    if (!n) {
        remove(path); /* a mask from an earlier run of the same name would hide a change */
        return true;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, size, "%s.mask: cannot write in --screenshots", name);
        return false;
    }
    fprintf(f, "# QR codes: their content differs on every run\n");
    for (size_t i = 0; i < l->nops; i++)
        if (l->ops[i].kind == LAYOUT_QR)
            fprintf(f, "%d %d %d %d\n", l->ops[i].r.x, l->ops[i].r.y, l->ops[i].r.w, l->ops[i].r.h);
    return fclose(f) == 0;
}

static bool is_data(const hal_event *ev)
{
    return ev->kind == HAL_EVENT_ID_CARD || ev->kind == HAL_EVENT_QR ||
           ev->kind == HAL_EVENT_MEAL_CARD;
}

static int act(run *r, const script_action *a)
{
    kiosk *k = r->k;
    switch (a->verb) {
    case SCRIPT_CLOCK:
        r->base = a->clock - a->at;
        tick(r, a->clock);
        break;
    case SCRIPT_EVENT:
        devices_note(k->devices, &a->event);
        /* A disabled reader drops what it reads, as the real ones do (device.h). */
        if (!is_data(&a->event) || zc_app_readers_enabled(k->app))
            zc_app_device_event(k->app, &a->event);
        else
            printf("script: line %ld: readers are disabled; %s dropped\n", a->line,
                   a->event.device);
        settle(r);
        break;
    case SCRIPT_TAP: {
        const layout_hit *hit = layout_hit_find(&k->layout, a->arg);
        if (!hit) {
            fprintf(stderr, "%s:%ld: no element \"%s\" on screen %s\n", r->s->path, a->line, a->arg,
                    k->view.screen ? k->view.screen : "?");
            return EXIT_FAILED;
        }
        /* Through the hit test, as a finger would: what is drawn on top is what is pressed. */
        const layout_hit *top =
            layout_hit_at(&k->layout, hit->r.x + hit->r.w / 2, hit->r.y + hit->r.h / 2);
        zc_app_tap(k->app, top ? top->id : a->arg);
        settle(r);
        break;
    }
    case SCRIPT_SCREENSHOT: {
        char err[KIOSK_ERR_MAX];
        kiosk_frame(k, true); /* what is on screen now, drawn afresh into the target */
        if (!screenshot_save(k->renderer, k->opt.screenshots, a->arg, err, sizeof err) ||
            !write_mask(k, k->opt.screenshots, a->arg, err, sizeof err)) {
            fprintf(stderr, "%s:%ld: %s\n", r->s->path, a->line, err);
            return EXIT_FAILED;
        }
        break;
    }
    case SCRIPT_QUIT:
        break;
    }
    return EXIT_OK;
}

int kiosk_run_script(kiosk *k, const script *s, zc_ms start)
{
    run r = {k, s, start, start};
    settle(&r);
    for (size_t i = 0; i < s->n; i++) {
        const script_action *a = &s->v[i];
        if (a->verb != SCRIPT_CLOCK)
            advance(&r, r.base + a->at);
        int rc = act(&r, a);
        if (rc != EXIT_OK)
            return rc;
        if (a->verb == SCRIPT_QUIT)
            break;
    }
    if (k->layout_problems) {
        fprintf(stderr, "zhucan-kiosk: %lu layout problems\n", k->layout_problems);
        return EXIT_FAILED;
    }
    return EXIT_OK;
}
