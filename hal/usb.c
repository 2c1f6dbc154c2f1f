/*
 * The libusb transport: one device by VID:PID, one interface, its interrupt or bulk IN endpoint
 * read by an asynchronous transfer that is resubmitted as it completes, and its OUT endpoint (if
 * any) for write().
 *
 * Each transport has its own libusb context and one event thread, and once that thread runs,
 * every libusb call on the device happens on it: reopening, the transfer callbacks, the hotplug
 * callback, teardown, and the writes other threads ask for. That is what keeps an unplug in the
 * middle of a write or a close from racing with anything. (The first open happens in
 * hal_usb_open, before the thread starts, so that a misconfiguration fails the open.)
 *
 * An unplug shows up as a transfer completing with LIBUSB_TRANSFER_NO_DEVICE, or as a hotplug
 * "left" event (whichever comes first); the transport reports DISCONNECTED, releases the handle
 * and waits for the hotplug "arrived" event, or rescans periodically where libusb has no hotplug
 * support, then reopens and reports CONNECTED.
 */
#include "transport_impl.h"

#include <libusb.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    /* The event thread wakes at least this often to see the stop flag and retry deadlines. */
    HAL_USB_TICK_MS = 100,
    /* A bulk IN read: a multiple of every bulk packet size (64, 512, 1024). */
    HAL_USB_BULK_READ = 4096,
    /* Transfer errors in a row (not unplugs) before the device is reset by reopening it. */
    HAL_USB_ERRORS_MAX = 8,
    /* How long teardown waits for cancelled transfers to come back. */
    HAL_USB_DRAIN_MS = 1000,
    /* A device just plugged in may not be usable yet (udev is still setting permissions on its
       node): failures this soon after its arrival are retried without a FAULT report. */
    HAL_USB_SETTLE_MS = 2000,
    HAL_USB_ENDPOINT_DIR_IN = 0x80,
    HAL_USB_PACKET_SIZE_MASK = 0x7ff, /* wMaxPacketSize bits 10..0: bytes per packet */
    HAL_USB_PACKET_EXTRA_SHIFT = 11,  /* bits 12..11: extra packets per microframe */
    HAL_USB_PACKET_EXTRA_MASK = 0x3,
};

/* Why the connection ended, as seen by a transfer callback. */
typedef enum usb_lost {
    USB_LOST_NONE = 0,
    USB_LOST_UNPLUGGED,
    USB_LOST_ERRORS,
} usb_lost;

/* A write() waiting for the event thread. Lives on the writer's stack. */
typedef struct usb_write_req {
    const uint8_t *bytes;
    size_t n;
    bool done;
    hal_err result;
} usb_write_req;

typedef struct hal_usb {
    hal_transport base;
    /* Within each group, fields go from the largest alignment down: little padding. */
    libusb_context *ctx;
    pthread_t thread;
    libusb_hotplug_callback_handle hotplug;
    int want_interface; /* HAL_USB_ANY_INTERFACE or a bInterfaceNumber */
    uint16_t vid, pid;
    bool has_hotplug;
    bool started;
    atomic_bool stop;
    char name[HAL_MESSAGE_MAX / 2];

    /* Event-thread state: only the event thread touches these once it runs. */
    libusb_device *dev; /* referenced while open, to recognise its "left" event */
    libusb_device_handle *handle;
    struct libusb_transfer *in;
    uint8_t *in_buf;
    struct libusb_transfer *out;
    uint64_t retry_at_ms;  /* 0: wait for a hotplug arrival */
    uint64_t settle_at_ms; /* until then, the device that arrived may not be ready */
    int interface;
    int in_size;
    int errors;
    usb_lost lost;
    hal_status last_status;
    int last_error; /* the libusb error of the last failed open */
    bool detached;  /* we detached a kernel driver and reattach it on release */
    uint8_t ep_in, ep_out;
    uint8_t in_type, out_type; /* LIBUSB_TRANSFER_TYPE_INTERRUPT or _BULK */
    bool in_flight;
    bool out_flight;
    bool draining; /* teardown: what completes now is not resubmitted */
    bool stalled;
    bool arrived, left; /* set by the hotplug callback */
    bool reporting;     /* false until the thread runs: it reports the first open's outcome */
    char last_message[HAL_MESSAGE_MAX];

    /* write(): one at a time (wlock); the request is handed over under lock. */
    pthread_mutex_t wlock;
    pthread_mutex_t lock;
    pthread_cond_t written;
    usb_write_req *req;
} hal_usb;

static void usb_status(hal_usb *u, hal_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reports a change of status (or a different fault), not every retry. */
static void usb_status(hal_usb *u, hal_status status, const char *fmt, ...)
{
    char message[HAL_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    if (u->last_status == status &&
        (status != HAL_STATUS_FAULT || strcmp(u->last_message, message) == 0))
        return;
    u->last_status = status;
    snprintf(u->last_message, sizeof u->last_message, "%s", message);
    if (u->reporting)
        hal_transport_report(&u->base, status, "%s", message);
}

static int usb_packet_size(const struct libusb_endpoint_descriptor *ep)
{
    int size = ep->wMaxPacketSize & HAL_USB_PACKET_SIZE_MASK;
    int extra = (ep->wMaxPacketSize >> HAL_USB_PACKET_EXTRA_SHIFT) & HAL_USB_PACKET_EXTRA_MASK;
    return size * (1 + extra);
}

/* Picks the interface (the wanted one, or the first with an IN endpoint) and its endpoints. */
static bool usb_pick_endpoints(hal_usb *u, const struct libusb_config_descriptor *cfg)
{
    for (int i = 0; i < cfg->bNumInterfaces; i++) {
        if (cfg->interface[i].num_altsetting < 1)
            continue;
        const struct libusb_interface_descriptor *alt = &cfg->interface[i].altsetting[0];
        if (u->want_interface != HAL_USB_ANY_INTERFACE &&
            alt->bInterfaceNumber != u->want_interface)
            continue;
        u->ep_in = u->ep_out = 0;
        for (int e = 0; e < alt->bNumEndpoints; e++) {
            const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];
            uint8_t type = ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK;
            if (type != LIBUSB_TRANSFER_TYPE_INTERRUPT && type != LIBUSB_TRANSFER_TYPE_BULK)
                continue;
            if ((ep->bEndpointAddress & HAL_USB_ENDPOINT_DIR_IN) && !u->ep_in) {
                u->ep_in = ep->bEndpointAddress;
                u->in_type = type;
                /* An interrupt IN transfer is one report: exactly a packet, as recorded. */
                u->in_size = type == LIBUSB_TRANSFER_TYPE_INTERRUPT ? usb_packet_size(ep)
                                                                    : HAL_USB_BULK_READ;
            } else if (!(ep->bEndpointAddress & HAL_USB_ENDPOINT_DIR_IN) && !u->ep_out) {
                u->ep_out = ep->bEndpointAddress;
                u->out_type = type;
            }
        }
        if (u->ep_in && u->in_size > 0) {
            u->interface = alt->bInterfaceNumber;
            return true;
        }
    }
    return false;
}

static void LIBUSB_CALL usb_in_done(struct libusb_transfer *xfer);

static int usb_submit_in(hal_usb *u)
{
    if (u->in_type == LIBUSB_TRANSFER_TYPE_INTERRUPT)
        libusb_fill_interrupt_transfer(u->in, u->handle, u->ep_in, u->in_buf, u->in_size,
                                       usb_in_done, u, 0);
    else
        libusb_fill_bulk_transfer(u->in, u->handle, u->ep_in, u->in_buf, u->in_size, usb_in_done, u,
                                  0);
    int rc = libusb_submit_transfer(u->in);
    u->in_flight = rc == 0;
    return rc;
}

/* Runs on the event thread, inside libusb_handle_events. */
static void LIBUSB_CALL usb_in_done(struct libusb_transfer *xfer)
{
    hal_usb *u = xfer->user_data;
    u->in_flight = false;
    switch (xfer->status) {
    case LIBUSB_TRANSFER_COMPLETED:
        u->errors = 0;
        hal_transport_deliver(&u->base, xfer->buffer, (size_t)xfer->actual_length);
        break;
    case LIBUSB_TRANSFER_TIMED_OUT:
        break;
    case LIBUSB_TRANSFER_CANCELLED:
        return; /* teardown cancelled it */
    case LIBUSB_TRANSFER_STALL:
        u->stalled = true; /* cleared by the event loop: no synchronous calls in here */
        return;
    case LIBUSB_TRANSFER_NO_DEVICE:
        u->lost = USB_LOST_UNPLUGGED;
        return;
    case LIBUSB_TRANSFER_ERROR:
    case LIBUSB_TRANSFER_OVERFLOW:
        if (++u->errors >= HAL_USB_ERRORS_MAX) {
            u->lost = USB_LOST_ERRORS;
            return;
        }
        break;
    }
    if (atomic_load(&u->stop) || u->lost || u->draining)
        return;
    int rc = usb_submit_in(u);
    if (rc != 0)
        u->lost = rc == LIBUSB_ERROR_NO_DEVICE ? USB_LOST_UNPLUGGED : USB_LOST_ERRORS;
}

static void usb_finish_write(hal_usb *u, hal_err result)
{
    pthread_mutex_lock(&u->lock);
    if (u->req) {
        u->req->result = result;
        u->req->done = true;
        u->req = NULL;
        pthread_cond_broadcast(&u->written);
    }
    pthread_mutex_unlock(&u->lock);
}

static void LIBUSB_CALL usb_out_done(struct libusb_transfer *xfer)
{
    hal_usb *u = xfer->user_data;
    u->out_flight = false;
    free(xfer->buffer); /* usb_start_write's copy */
    xfer->buffer = NULL;
    bool ok = xfer->status == LIBUSB_TRANSFER_COMPLETED && xfer->actual_length == xfer->length;
    if (xfer->status == LIBUSB_TRANSFER_NO_DEVICE)
        u->lost = USB_LOST_UNPLUGGED;
    usb_finish_write(u, ok ? HAL_OK : HAL_ERR_IO);
}

/* Takes a waiting write() request and submits it. */
static void usb_start_write(hal_usb *u)
{
    pthread_mutex_lock(&u->lock);
    usb_write_req *req = u->req;
    pthread_mutex_unlock(&u->lock);
    if (!req || u->out_flight)
        return;
    if (!u->handle) {
        usb_finish_write(u, HAL_ERR_IO); /* unplugged: nowhere to send it */
        return;
    }
    if (!u->ep_out || req->n > INT32_MAX) {
        usb_finish_write(u, HAL_ERR_UNSUPPORTED);
        return;
    }
    /* libusb wants a mutable buffer: a copy, freed when the transfer completes. */
    uint8_t *copy = malloc(req->n);
    if (!copy) {
        usb_finish_write(u, HAL_ERR_NOMEM);
        return;
    }
    memcpy(copy, req->bytes, req->n);
    if (u->out_type == LIBUSB_TRANSFER_TYPE_INTERRUPT)
        libusb_fill_interrupt_transfer(u->out, u->handle, u->ep_out, copy, (int)req->n,
                                       usb_out_done, u, HAL_WRITE_TIMEOUT_MS);
    else
        libusb_fill_bulk_transfer(u->out, u->handle, u->ep_out, copy, (int)req->n, usb_out_done, u,
                                  HAL_WRITE_TIMEOUT_MS);
    int rc = libusb_submit_transfer(u->out);
    if (rc != 0) {
        free(copy);
        u->out->buffer = NULL;
        if (rc == LIBUSB_ERROR_NO_DEVICE)
            u->lost = USB_LOST_UNPLUGGED;
        usb_finish_write(u, HAL_ERR_IO);
        return;
    }
    u->out_flight = true;
}

/* Cancels what is in flight, waits for it to come back, releases and closes the device. */
static void usb_teardown(hal_usb *u)
{
    if (!u->handle)
        return;
    /* A cancel can fail (the URB completed meanwhile, or usbfs without DISCARDURB): then the
       transfer completes normally, and must not be resubmitted. */
    u->draining = true;
    if (u->in_flight)
        libusb_cancel_transfer(u->in);
    if (u->out_flight)
        libusb_cancel_transfer(u->out);
    uint64_t deadline = hal_monotonic_ms() + HAL_USB_DRAIN_MS;
    while ((u->in_flight || u->out_flight) && hal_monotonic_ms() < deadline) {
        struct timeval tv = {.tv_sec = 0, .tv_usec = HAL_USB_TICK_MS * 1000L};
        libusb_handle_events_timeout_completed(u->ctx, &tv, NULL);
    }
    libusb_release_interface(u->handle, u->interface);
    if (u->detached)
        libusb_attach_kernel_driver(u->handle, u->interface);
    libusb_close(u->handle);
    u->handle = NULL;
    u->detached = false;
    /* A transfer that never came back stays allocated: libusb may still write into it. */
    if (!u->in_flight) {
        libusb_free_transfer(u->in);
        free(u->in_buf);
    }
    if (!u->out_flight)
        libusb_free_transfer(u->out);
    u->in = u->out = NULL;
    u->in_buf = NULL;
    u->in_flight = u->out_flight = false;
    libusb_unref_device(u->dev);
    u->dev = NULL;
    u->lost = USB_LOST_NONE;
    u->draining = false;
    u->stalled = false;
    u->errors = 0;
}

static libusb_device *usb_find(hal_usb *u)
{
    libusb_device **list;
    ssize_t n = libusb_get_device_list(u->ctx, &list);
    libusb_device *found = NULL;
    for (ssize_t i = 0; i < n && !found; i++) {
        struct libusb_device_descriptor d;
        if (libusb_get_device_descriptor(list[i], &d) == 0 && d.idVendor == u->vid &&
            d.idProduct == u->pid)
            found = libusb_ref_device(list[i]);
    }
    if (n >= 0)
        libusb_free_device_list(list, 1);
    return found;
}

/* Claims the interface of an opened device and starts reading. Returns a libusb error. */
static int usb_claim_and_start(hal_usb *u, char *why, size_t size)
{
    struct libusb_config_descriptor *cfg;
    int rc = libusb_get_active_config_descriptor(u->dev, &cfg);
    if (rc != 0) {
        snprintf(why, size, "cannot read the configuration: %s", libusb_strerror(rc));
        return rc;
    }
    bool found = usb_pick_endpoints(u, cfg);
    libusb_free_config_descriptor(cfg);
    if (!found) {
        if (u->want_interface == HAL_USB_ANY_INTERFACE)
            snprintf(why, size, "no interface has an interrupt or bulk IN endpoint");
        else
            snprintf(why, size, "interface %d missing or without an interrupt or bulk IN endpoint",
                     u->want_interface);
        return LIBUSB_ERROR_NOT_FOUND;
    }
    /* Detach explicitly rather than with auto-detach, so that we know whether to reattach (and
       so that it also works where the DISCONNECT_CLAIM ioctl does not, as under umockdev). */
    if (libusb_kernel_driver_active(u->handle, u->interface) == 1) {
        rc = libusb_detach_kernel_driver(u->handle, u->interface);
        if (rc != 0 && rc != LIBUSB_ERROR_NOT_FOUND) {
            snprintf(why, size, "cannot detach the kernel driver: %s", libusb_strerror(rc));
            return rc;
        }
        u->detached = rc == 0;
    }
    rc = libusb_claim_interface(u->handle, u->interface);
    if (rc != 0) {
        snprintf(why, size, "cannot claim interface %d: %s", u->interface, libusb_strerror(rc));
        return rc;
    }
    u->in = libusb_alloc_transfer(0);
    u->out = libusb_alloc_transfer(0);
    u->in_buf = malloc((size_t)u->in_size);
    if (!u->in || !u->out || !u->in_buf) {
        snprintf(why, size, "out of memory");
        return LIBUSB_ERROR_NO_MEM;
    }
    rc = usb_submit_in(u);
    if (rc != 0)
        snprintf(why, size, "cannot start reading: %s", libusb_strerror(rc));
    return rc;
}

/* Opens the device if it is there. Event thread (or open(), before the thread starts). */
static void usb_try_open(hal_usb *u)
{
    u->dev = usb_find(u);
    if (!u->dev) {
        usb_status(u, HAL_STATUS_DISCONNECTED, "%s: not present; waiting for it", u->name);
        u->retry_at_ms = u->has_hotplug ? 0 : hal_monotonic_ms() + HAL_REOPEN_INTERVAL_MS;
        return;
    }
    char why[HAL_MESSAGE_MAX / 2];
    int rc = libusb_open(u->dev, &u->handle);
    if (rc != 0) {
        u->handle = NULL;
        snprintf(why, sizeof why, "cannot open: %s%s", libusb_strerror(rc),
                 rc == LIBUSB_ERROR_ACCESS ? " (udev rule missing?)" : "");
    } else {
        rc = usb_claim_and_start(u, why, sizeof why);
    }
    if (rc == 0) {
        usb_status(u, HAL_STATUS_CONNECTED, "%s interface %d: connected", u->name, u->interface);
        return;
    }
    if (u->handle) {
        usb_teardown(u);
    } else {
        libusb_unref_device(u->dev);
        u->dev = NULL;
    }
    /* The device is there but would not open: try again later, hotplug or not. */
    u->retry_at_ms = hal_monotonic_ms() + HAL_REOPEN_INTERVAL_MS;
    if (hal_monotonic_ms() < u->settle_at_ms)
        return;
    u->last_error = rc;
    usb_status(u, rc == LIBUSB_ERROR_NO_DEVICE ? HAL_STATUS_DISCONNECTED : HAL_STATUS_FAULT,
               "%s: %s", u->name, why);
}

/* Runs on the event thread, inside libusb_handle_events: only flags, no calls. */
static int LIBUSB_CALL usb_hotplug(libusb_context *ctx, libusb_device *dev,
                                   libusb_hotplug_event event, void *arg)
{
    (void)ctx;
    hal_usb *u = arg;
    if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED)
        u->arrived = true;
    else if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT && dev == u->dev)
        u->left = true;
    return 0; /* stay registered */
}

/* After each round of events: act on unplugs, arrivals, retries, stalls and writes. */
static void usb_service(hal_usb *u)
{
    if (u->handle && (u->left || u->lost)) {
        bool unplugged = u->left || u->lost == USB_LOST_UNPLUGGED;
        usb_teardown(u);
        usb_status(u, HAL_STATUS_DISCONNECTED, "%s: %s", u->name,
                   unplugged ? "unplugged; waiting for it" : "transfer errors; reopening");
        /* After errors the device is still there: no arrival event will come for it. */
        u->retry_at_ms =
            (unplugged && u->has_hotplug) ? 0 : hal_monotonic_ms() + HAL_REOPEN_INTERVAL_MS;
    }
    u->left = false;
    if (u->handle && u->stalled) {
        u->stalled = false;
        libusb_clear_halt(u->handle, u->ep_in);
        int rc = usb_submit_in(u);
        if (rc != 0)
            u->lost = rc == LIBUSB_ERROR_NO_DEVICE ? USB_LOST_UNPLUGGED : USB_LOST_ERRORS;
    }
    if (u->arrived && !u->handle)
        u->settle_at_ms = hal_monotonic_ms() + HAL_USB_SETTLE_MS;
    if (!u->handle && (u->arrived || (u->retry_at_ms != 0 && hal_monotonic_ms() >= u->retry_at_ms)))
        usb_try_open(u);
    u->arrived = false;
    usb_start_write(u);
}

static void *usb_thread(void *arg)
{
    hal_usb *u = arg;
    /* The first open happened in hal_usb_open; report its outcome from this thread. */
    u->reporting = true;
    hal_transport_report(&u->base, u->last_status, "%s", u->last_message);
    while (!atomic_load(&u->stop)) {
        struct timeval tv = {.tv_sec = 0, .tv_usec = HAL_USB_TICK_MS * 1000L};
        int rc = libusb_handle_events_timeout_completed(u->ctx, &tv, NULL);
        if (rc < 0 && rc != LIBUSB_ERROR_INTERRUPTED && rc != LIBUSB_ERROR_TIMEOUT) {
            /* A failing event source returns at once: do not let that become a busy loop. */
            struct timespec pause = {.tv_sec = 0, .tv_nsec = HAL_USB_TICK_MS * 1000000L};
            nanosleep(&pause, NULL);
        }
        if (!atomic_load(&u->stop))
            usb_service(u);
    }
    usb_teardown(u);
    usb_finish_write(u, HAL_ERR_IO); /* a write that raced with close() */
    return NULL;
}

static hal_err usb_write(hal_transport *t, const uint8_t *bytes, size_t n)
{
    hal_usb *u = (hal_usb *)t;
    usb_write_req req = {.bytes = bytes, .n = n, .result = HAL_ERR_IO};
    pthread_mutex_lock(&u->wlock);
    pthread_mutex_lock(&u->lock);
    u->req = &req;
    pthread_mutex_unlock(&u->lock);
    libusb_interrupt_event_handler(u->ctx); /* the event thread submits it now */
    pthread_mutex_lock(&u->lock);
    while (!req.done)
        pthread_cond_wait(&u->written, &u->lock);
    pthread_mutex_unlock(&u->lock);
    pthread_mutex_unlock(&u->wlock);
    return req.result;
}

static void usb_free(hal_usb *u)
{
    if (u->ctx) {
        if (u->has_hotplug)
            libusb_hotplug_deregister_callback(u->ctx, u->hotplug);
        libusb_exit(u->ctx);
    }
    pthread_cond_destroy(&u->written);
    pthread_mutex_destroy(&u->lock);
    pthread_mutex_destroy(&u->wlock);
    free(u);
}

static void usb_close(hal_transport *t)
{
    hal_usb *u = (hal_usb *)t;
    if (u->started) {
        atomic_store(&u->stop, true);
        libusb_interrupt_event_handler(u->ctx);
        pthread_join(u->thread, NULL);
    }
    usb_free(u);
}

static const hal_transport_ops USB_OPS = {
    .write = usb_write,
    .close = usb_close,
};

hal_err hal_usb_open(const hal_transport_spec *spec, const hal_transport_callbacks *cb,
                     hal_transport **out, char *errbuf, size_t errsize)
{
    hal_usb *u = calloc(1, sizeof *u);
    if (!u) {
        hal_errf(errbuf, errsize, "out of memory");
        return HAL_ERR_NOMEM;
    }
    hal_transport_init(&u->base, HAL_TRANSPORT_USB, &USB_OPS, cb);
    u->vid = spec->vid;
    u->pid = spec->pid;
    u->want_interface = spec->interface;
    snprintf(u->name, sizeof u->name, "usb %04x:%04x", u->vid, u->pid);
    atomic_init(&u->stop, false);
    pthread_mutex_init(&u->wlock, NULL);
    pthread_mutex_init(&u->lock, NULL);
    pthread_cond_init(&u->written, NULL);
    u->last_status = HAL_STATUS_FAULT;

    /* A context of our own: two transports, or a library in the same process, never share. */
    int rc = libusb_init(&u->ctx);
    if (rc != 0) {
        u->ctx = NULL;
        hal_errf(errbuf, errsize, "%s: libusb: %s", u->name, libusb_strerror(rc));
        usb_free(u);
        return HAL_ERR_IO;
    }
    if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
        rc = libusb_hotplug_register_callback(
            u->ctx, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, 0,
            u->vid, u->pid, LIBUSB_HOTPLUG_MATCH_ANY, usb_hotplug, u, &u->hotplug);
        u->has_hotplug = rc == LIBUSB_SUCCESS;
    }
    usb_try_open(u);
    /* A device that is there but cannot be used (permissions, claimed by another program,
       no such interface) is a configuration problem: say so now rather than retry forever. */
    if (u->last_status == HAL_STATUS_FAULT) {
        hal_errf(errbuf, errsize, "%s", u->last_message);
        int rc_open = u->last_error;
        usb_free(u);
        return rc_open == LIBUSB_ERROR_BUSY        ? HAL_ERR_BUSY
               : rc_open == LIBUSB_ERROR_NOT_FOUND ? HAL_ERR_NOT_FOUND
               : rc_open == LIBUSB_ERROR_NO_MEM    ? HAL_ERR_NOMEM
                                                   : HAL_ERR_IO;
    }
    if (hal_thread_start(&u->thread, usb_thread, u) != 0) {
        usb_teardown(u);
        hal_errf(errbuf, errsize, "%s: cannot start a thread", u->name);
        usb_free(u);
        return HAL_ERR_NOMEM;
    }
    u->started = true;
    *out = &u->base;
    return HAL_OK;
}
