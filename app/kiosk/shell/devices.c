#include "devices.h"

#include "hal/config.h"
#include "hal/device.h"
#include "hal/queue.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static const char KIOSK_CONFIG[] = "/etc/zhucan/devices.conf";
static const char SIM_NAME[] = "sim";

typedef struct slot {
    hal_device *dev;
    bool claimed;
    bool reader; /* delivers data (not a printer) */
    bool printer;
} slot;

typedef struct sim_printer {
    bool connected;
    unsigned long printed;
} sim_printer;

struct devices {
    devices_opts opts;
    hal_queue *queue;
    hal_config *cfg;
    size_t n;
    slot slots[HAL_CONFIG_MAX_DEVICES];
    slot *printer;
    sim_printer sim;
    bool has_sim_printer;
    bool readers_enabled;
    Uint64 next_retry;
    int wake_fd;                /* an eventfd written with each wake event (live.c sleeps on it) */
    atomic_bool wake_pending;   /* a wake event is on SDL's queue, not yet handled */
    atomic_uint_fast64_t first; /* performance counter of the first event since the last poll */
};

/* On a device's thread: wake the UI loop, once per batch it has not drained yet. */
static void notify(void *ctx)
{
    devices *d = ctx;
    uint_fast64_t zero = 0;
    atomic_compare_exchange_strong(&d->first, &zero, (uint_fast64_t)SDL_GetPerformanceCounter());
    if (atomic_exchange(&d->wake_pending, true))
        return;
    SDL_Event ev;
    SDL_zero(ev);
    ev.type = d->opts.wake_event;
    SDL_PushEvent(&ev);
    uint64_t one = 1;
    if (d->wake_fd >= 0 && write(d->wake_fd, &one, sizeof one) < 0) {
        /* full or closed: the SDL event above wakes the loop all the same */
    }
}

/* A status event of our own making, for a device that could not even be claimed. */
static void push_status(devices *d, const char *name, hal_status status, const char *message)
{
    hal_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = HAL_EVENT_STATUS;
    snprintf(ev.device, sizeof ev.device, "%s", name);
    ev.u.status.status = status;
    /* The reason is cut to what a status message holds (the device's name says which). */
    snprintf(ev.u.status.message, sizeof ev.u.status.message, "%.*s",
             (int)sizeof ev.u.status.message - 1, message);
    hal_queue_push(d->queue, &ev);
}

static void try_claim(devices *d, slot *s)
{
    char err[HAL_CONFIG_ERR_MAX];
    if (s->claimed)
        return;
    if (hal_device_claim(s->dev, err, sizeof err) == HAL_OK) {
        s->claimed = true;
        hal_device_enable(s->dev, s->printer || d->readers_enabled);
    } else {
        push_status(d, hal_device_name(s->dev), HAL_STATUS_DISCONNECTED, err);
    }
}

static bool add_device(devices *d, const hal_device_config *cfg, char *err, size_t errsize)
{
    slot *s = &d->slots[d->n];
    char why[HAL_CONFIG_ERR_MAX];
    if (hal_device_open(cfg, d->queue, &s->dev, why, sizeof why) != HAL_OK) {
        snprintf(err, errsize, "%s", why);
        return false;
    }
    d->n++;
    s->printer = strcmp(cfg->driver, "escpos") == 0;
    s->reader = !s->printer;
    if (s->printer && !d->printer)
        d->printer = s;
    try_claim(d, s);
    return true;
}

static bool load_configs(devices *d, char *err, size_t errsize)
{
    char why[HAL_CONFIG_ERR_MAX];
    if (d->opts.shipped) {
        hal_err rc = hal_config_load(d->cfg, d->opts.shipped, why, sizeof why);
        if (rc && rc != HAL_ERR_NOT_FOUND) {
            snprintf(err, errsize, "%s", why);
            return false;
        }
    }
    const char *own = d->opts.config ? d->opts.config : KIOSK_CONFIG;
    hal_err rc = hal_config_load(d->cfg, own, why, sizeof why);
    if (rc == HAL_ERR_NOT_FOUND && !d->opts.config) {
        fprintf(stderr, "zhucan-kiosk: no %s: no devices configured\n", KIOSK_CONFIG);
        return true;
    }
    if (rc) {
        snprintf(err, errsize, "%s", why);
        return false;
    }
    if (!d->cfg->ndevices)
        fprintf(stderr, "zhucan-kiosk: %s has no [device] sections: no devices\n", own);
    return true;
}

bool devices_open(const devices_opts *opts, devices **out, char *err, size_t errsize)
{
    *out = NULL;
    devices *d = calloc(1, sizeof *d);
    if (!d || !(d->cfg = calloc(1, sizeof *d->cfg)) ||
        hal_queue_new(HAL_QUEUE_DEFAULT_CAPACITY, &d->queue) != HAL_OK) {
        if (d)
            free(d->cfg);
        free(d);
        snprintf(err, errsize, "out of memory");
        return false;
    }
    d->opts = *opts;
    d->readers_enabled = true;
    d->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    atomic_init(&d->wake_pending, false);
    atomic_init(&d->first, 0);
    hal_queue_set_notify(d->queue, notify, d);
    *out = d;
    bool ok = true;
    if (opts->mode == DEVICES_SIM) {
        hal_device_config cfg;
        memset(&cfg, 0, sizeof cfg);
        snprintf(cfg.name, sizeof cfg.name, "%s", SIM_NAME);
        snprintf(cfg.driver, sizeof cfg.driver, "sim");
        snprintf(cfg.transport, sizeof cfg.transport, "%s",
                 opts->sim_transport ? opts->sim_transport : "stdin");
        ok = add_device(d, &cfg, err, errsize);
    } else if (opts->mode == DEVICES_AUTO) {
        ok = load_configs(d, err, errsize);
        for (size_t i = 0; ok && i < d->cfg->ndevices; i++)
            ok = add_device(d, &d->cfg->devices[i], err, errsize);
    }
    d->has_sim_printer =
        opts->mode == DEVICES_SIM || (opts->mode == DEVICES_NONE && opts->sim_printer);
    d->sim.connected = true;
    if (!ok) {
        devices_close(d);
        *out = NULL;
    }
    return ok;
}

void devices_close(devices *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        hal_device_close(d->slots[i].dev);
    hal_queue_free(d->queue);
    if (d->wake_fd >= 0)
        close(d->wake_fd);
    free(d->cfg);
    free(d);
}

int devices_wake_fd(devices *d)
{
    return d->wake_fd;
}

bool devices_poll(devices *d, hal_event *ev)
{
    /* Cleared before draining: an event pushed meanwhile brings a new wake event. */
    atomic_store(&d->wake_pending, false);
    atomic_store(&d->first, 0);
    return hal_queue_poll(d->queue, ev) == HAL_OK;
}

Uint64 devices_first_pending(devices *d)
{
    return (Uint64)atomic_load(&d->first);
}

void devices_note(devices *d, const hal_event *ev)
{
    if (ev->kind == HAL_EVENT_STATUS && strcmp(ev->device, DEVICES_SIM_PRINTER) == 0)
        d->sim.connected = ev->u.status.status == HAL_STATUS_CONNECTED;
}

void devices_enable_readers(devices *d, bool enabled)
{
    if (enabled == d->readers_enabled)
        return;
    d->readers_enabled = enabled;
    for (size_t i = 0; i < d->n; i++)
        if (d->slots[i].reader && d->slots[i].claimed)
            hal_device_enable(d->slots[i].dev, enabled);
}

Uint64 devices_retry(devices *d, Uint64 now_ticks)
{
    bool waiting = false;
    for (size_t i = 0; i < d->n; i++)
        waiting = waiting || !d->slots[i].claimed;
    if (!waiting)
        return 0;
    if (now_ticks >= d->next_retry) {
        if (d->next_retry)
            for (size_t i = 0; i < d->n; i++)
                try_claim(d, &d->slots[i]);
        d->next_retry = now_ticks + DEVICES_RETRY_MS;
    }
    return d->next_retry;
}

static hal_err print_real(void *ctx, const hal_escpos_receipt *receipt, char *message, size_t size)
{
    devices *d = ctx;
    hal_err rc = d->printer->claimed ? hal_device_print(d->printer->dev, receipt) : HAL_ERR_IO;
    if (rc)
        snprintf(message, size, "%s: %s", hal_device_name(d->printer->dev), hal_err_str(rc));
    return rc;
}

/* The simulated printer renders the receipt (so a receipt that would not print fails here too)
 * and logs one line where a technician watching the demo sees it. */
static hal_err print_sim(void *ctx, const hal_escpos_receipt *receipt, char *message, size_t size)
{
    devices *d = ctx;
    if (!d->sim.connected) {
        snprintf(message, size, "%s: unplugged", DEVICES_SIM_PRINTER);
        return HAL_ERR_IO;
    }
    hal_escpos_buf buf;
    hal_escpos_buf_init(&buf);
    hal_err rc = hal_escpos_render(receipt, HAL_PAPER_58MM, &buf);
    size_t bytes = buf.len;
    hal_escpos_buf_free(&buf);
    if (rc) {
        snprintf(message, size, "%s: %s", DEVICES_SIM_PRINTER, hal_err_str(rc));
        return rc;
    }
    char pay[HAL_ESCPOS_MONEY_MAX];
    hal_escpos_format_fen(receipt->self_pay, pay, sizeof pay);
    d->sim.printed++;
    printf("printer: receipt seq %lld, pays %s, %zu bytes\n", (long long)receipt->seq, pay, bytes);
    fflush(stdout);
    return HAL_OK;
}

zc_app_print_fn devices_printer(devices *d, void **ctx)
{
    *ctx = d;
    if (d->printer)
        return print_real;
    if (d->has_sim_printer)
        return print_sim;
    *ctx = NULL;
    return NULL;
}
