#include "hal/device.h"

#include "hal/decoder.h"
#include "hal/transport.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { MS_PER_S = 1000, NS_PER_MS = 1000000, NS_PER_S = 1000000000, PAPER_80 = 80 };

struct hal_device {
    hal_device_config cfg;
    hal_driver driver;
    hal_queue *queue;
    hal_transport *transport;

    pthread_mutex_t lock; /* guards everything below; the transport thread feeds under it */
    pthread_cond_t wake;  /* a reply frame arrived, or stop */
    pthread_t thread;
    bool running, stop, enabled;
    int64_t last_data_ms;
    bool idle_flushed;
    hal_decoder dec;         /* every driver but ga467 */
    hal_ga467_decoder ga467; /* ga467: frames go to the reader state machine */
    hal_ga467_reader reader;
    hal_ga467_frames frames;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * MS_PER_S + ts.tv_nsec / NS_PER_MS;
}

static bool is_data(hal_event_kind kind)
{
    return kind == HAL_EVENT_ID_CARD || kind == HAL_EVENT_QR || kind == HAL_EVENT_MEAL_CARD;
}

/* Hands events to the queue; data events only while enabled. Called without the lock. */
static void deliver(hal_device *d, const hal_events *evs, bool enabled)
{
    for (size_t i = 0; i < evs->n; i++)
        if (enabled || !is_data(evs->v[i].kind))
            hal_queue_push(d->queue, &evs->v[i]);
    if (evs->dropped)
        for (size_t i = 0; i < evs->dropped; i++) {
            hal_events lost = {0};
            hal_events_error(&lost, d->cfg.name, "device sent more than %d events at once",
                             HAL_EVENTS_MAX);
            hal_queue_push(d->queue, &lost.v[0]);
        }
}

static void on_data(void *ctx, const uint8_t *bytes, size_t n)
{
    hal_device *d = ctx;
    hal_events evs = {0};
    pthread_mutex_lock(&d->lock);
    d->last_data_ms = now_ms();
    d->idle_flushed = false;
    if (d->driver == HAL_DRIVER_GA467) {
        hal_ga467_feed_frames(&d->ga467, d->cfg.name, bytes, n, &d->frames, &evs);
        if (d->frames.n)
            pthread_cond_signal(&d->wake);
    } else {
        hal_decoder_feed(&d->dec, d->cfg.name, bytes, n, &evs);
    }
    bool enabled = d->enabled;
    pthread_mutex_unlock(&d->lock);
    deliver(d, &evs, enabled);
}

static void on_status(void *ctx, hal_status status, const char *message)
{
    hal_device *d = ctx;
    hal_events evs = {0};
    hal_event *ev = hal_events_add(&evs, HAL_EVENT_STATUS, d->cfg.name);
    ev->u.status.status = status;
    snprintf(ev->u.status.message, sizeof ev->u.status.message, "%s", message ? message : "");
    pthread_mutex_lock(&d->lock);
    /* Half a frame from before an unplug must not be glued to what comes after. */
    if (status == HAL_STATUS_CONNECTED) {
        hal_ga467_decoder_reset(&d->ga467);
        hal_decoder_init(&d->dec, d->dec.driver, d->dec.framing);
    }
    pthread_mutex_unlock(&d->lock);
    deliver(d, &evs, false);
}

hal_err hal_device_open(const hal_device_config *cfg, hal_queue *queue, hal_device **out, char *err,
                        size_t errsize)
{
    *out = NULL;
    hal_driver driver;
    hal_transport_kind kind;
    if (hal_driver_parse(cfg->driver, &driver)) {
        snprintf(err, errsize, "%s: unknown driver \"%s\"", cfg->name, cfg->driver);
        return HAL_ERR_INVALID;
    }
    char why[HAL_CONFIG_ERR_MAX];
    if (hal_transport_parse_spec(cfg->transport, &kind, why, sizeof why)) {
        snprintf(err, errsize, "%s: %s", cfg->name, why);
        return HAL_ERR_INVALID;
    }
    hal_device *d = calloc(1, sizeof *d);
    if (!d)
        return HAL_ERR_NOMEM;
    d->cfg = *cfg;
    d->driver = driver;
    d->queue = queue;
    pthread_mutex_init(&d->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&d->wake, &attr);
    pthread_condattr_destroy(&attr);
    hal_decoder_init(&d->dec, driver,
                     kind == HAL_TRANSPORT_EVDEV ? HAL_FRAMING_EVDEV : HAL_FRAMING_BYTES);
    hal_ga467_decoder_init(&d->ga467);
    hal_ga467_reader_init(&d->reader);
    *out = d;
    return HAL_OK;
}

/* Waits on d->wake until ms have passed or stop; the lock is held. */
static void wait_locked(hal_device *d, unsigned ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += ms / MS_PER_S;
    deadline.tv_nsec += (long)(ms % MS_PER_S) * NS_PER_MS;
    if (deadline.tv_nsec >= NS_PER_S) {
        deadline.tv_sec++;
        deadline.tv_nsec -= NS_PER_S;
    }
    while (!d->stop && d->frames.n == 0)
        if (pthread_cond_timedwait(&d->wake, &d->lock, &deadline) == ETIMEDOUT)
            break;
}

/* The ID-card reader's polling loop: command, wait for the reply or the timeout, step. */
static void run_ga467(hal_device *d)
{
    hal_ga467_action action;
    hal_events evs = {0};
    pthread_mutex_lock(&d->lock);
    hal_ga467_reader_step(&d->reader, d->cfg.name, NULL, &action, &evs);
    while (!d->stop) {
        bool enabled = d->enabled;
        pthread_mutex_unlock(&d->lock);
        deliver(d, &evs, enabled);
        memset(&evs, 0, sizeof evs);
        if (action.cmd_len)
            hal_transport_write(d->transport, action.cmd, action.cmd_len);
        pthread_mutex_lock(&d->lock);
        wait_locked(d, action.wait_ms);
        if (d->stop)
            break;
        if (d->frames.n == 0) {
            hal_ga467_reader_step(&d->reader, d->cfg.name, NULL, &action, &evs);
            continue;
        }
        hal_ga467_frames frames = d->frames;
        memset(&d->frames, 0, sizeof d->frames);
        for (size_t i = 0; i < frames.n; i++)
            hal_ga467_reader_step(&d->reader, d->cfg.name, &frames.v[i], &action, &evs);
    }
    pthread_mutex_unlock(&d->lock);
}

/* Keyboard wedges end a scan after an idle gap; printers are asked for their status. */
static void run_ticks(hal_device *d)
{
    int64_t next_status = 0;
    pthread_mutex_lock(&d->lock);
    while (!d->stop) {
        hal_events evs = {0};
        int64_t now = now_ms();
        if ((d->driver == HAL_DRIVER_HID_SCANNER || d->driver == HAL_DRIVER_HID_CARDREADER) &&
            !d->idle_flushed && now - d->last_data_ms >= HAL_HIDKBD_IDLE_MS) {
            hal_decoder_flush(&d->dec, d->cfg.name, &evs);
            d->idle_flushed = true;
        }
        bool ask = d->driver == HAL_DRIVER_ESCPOS && now >= next_status;
        bool enabled = d->enabled;
        pthread_mutex_unlock(&d->lock);
        deliver(d, &evs, enabled);
        if (ask) {
            hal_escpos_buf req;
            hal_escpos_buf_init(&req);
            if (hal_escpos_status_request(&req) == HAL_OK)
                hal_transport_write(d->transport, req.data, req.len);
            hal_escpos_buf_free(&req);
            next_status = now + HAL_PRINTER_STATUS_EVERY_MS;
        }
        pthread_mutex_lock(&d->lock);
        wait_locked(d, HAL_DEVICE_TICK_MS);
    }
    pthread_mutex_unlock(&d->lock);
}

static void *driver_thread(void *arg)
{
    hal_device *d = arg;
    if (d->driver == HAL_DRIVER_GA467)
        run_ga467(d);
    else
        run_ticks(d);
    return NULL;
}

hal_err hal_device_claim(hal_device *d, char *err, size_t errsize)
{
    if (d->transport)
        return HAL_OK;
    hal_transport_callbacks cb = {.data = on_data, .status = on_status, .ctx = d};
    hal_err rc = hal_transport_open(d->cfg.transport, &cb, &d->transport, err, errsize);
    if (rc)
        return rc;
    d->stop = false;
    if (d->driver != HAL_DRIVER_SIM) {
        if (pthread_create(&d->thread, NULL, driver_thread, d) != 0) {
            hal_transport_close(d->transport);
            d->transport = NULL;
            snprintf(err, errsize, "%s: cannot start the driver thread", d->cfg.name);
            return HAL_ERR_NOMEM;
        }
        d->running = true;
    }
    return HAL_OK;
}

void hal_device_enable(hal_device *d, bool enabled)
{
    pthread_mutex_lock(&d->lock);
    d->enabled = enabled;
    pthread_mutex_unlock(&d->lock);
}

void hal_device_release(hal_device *d)
{
    if (d->running) {
        pthread_mutex_lock(&d->lock);
        d->stop = true;
        pthread_cond_signal(&d->wake);
        pthread_mutex_unlock(&d->lock);
        pthread_join(d->thread, NULL);
        d->running = false;
    }
    hal_transport_close(d->transport);
    d->transport = NULL;
}

void hal_device_close(hal_device *d)
{
    if (!d)
        return;
    hal_device_release(d);
    pthread_cond_destroy(&d->wake);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

const char *hal_device_name(const hal_device *d)
{
    return d->cfg.name;
}

hal_err hal_device_write(hal_device *d, const uint8_t *bytes, size_t n)
{
    return d->transport ? hal_transport_write(d->transport, bytes, n) : HAL_ERR_IO;
}

hal_err hal_device_print(hal_device *d, const hal_escpos_receipt *receipt)
{
    if (d->driver != HAL_DRIVER_ESCPOS)
        return HAL_ERR_UNSUPPORTED;
    hal_escpos_buf buf;
    hal_escpos_buf_init(&buf);
    hal_err rc = hal_escpos_render(
        receipt, d->cfg.paper_mm == PAPER_80 ? HAL_PAPER_80MM : HAL_PAPER_58MM, &buf);
    if (!rc)
        rc = hal_device_write(d, buf.data, buf.len);
    hal_escpos_buf_free(&buf);
    return rc;
}
