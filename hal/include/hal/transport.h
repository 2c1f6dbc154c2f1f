/*
 * Transports: how bytes get to and from a device. A transport knows nothing of protocols; it
 * delivers what the device sent, from its own thread, to a callback, and reports connection
 * changes. Drivers (device.c) put a protocol decoder on top.
 *
 * A transport is named by a spec string:
 *   usb:VID:PID[:INTERFACE]   libusb: hotplug, kernel driver detached, interrupt/bulk IN endpoint
 *                             read on the transport's thread, reopened after an unplug
 *   serial:PATH[@BAUD]        termios raw mode (CDC-ACM, CH340, CP210x, PL2303), default 115200
 *   evdev:PATH                a keyboard-wedge device grabbed with EVIOCGRAB; delivers raw
 *                             struct input_event records
 *   fifo:PATH | file:PATH | stdin   simulated devices (development, tests, the demo)
 */
#ifndef HAL_TRANSPORT_H
#define HAL_TRANSPORT_H

#include "hal/hal.h"

typedef struct hal_transport hal_transport;

typedef enum hal_transport_kind {
    HAL_TRANSPORT_USB = 0,
    HAL_TRANSPORT_SERIAL,
    HAL_TRANSPORT_EVDEV,
    HAL_TRANSPORT_FIFO,
    HAL_TRANSPORT_FILE,
    HAL_TRANSPORT_STDIN,
} hal_transport_kind;

typedef struct hal_transport_callbacks {
    /* Bytes the device sent. Called on the transport's thread; must not block for long. */
    void (*data)(void *ctx, const uint8_t *bytes, size_t n);
    /* Connected, disconnected (unplugged: the transport keeps trying), fault. */
    void (*status)(void *ctx, hal_status status, const char *message);
    void *ctx;
} hal_transport_callbacks;

/* Parses a spec without opening anything (for configuration checks). */
hal_err hal_transport_parse_spec(const char *spec, hal_transport_kind *kind, char *errbuf,
                                 size_t errsize);

/* Opens the transport and starts its reader thread; errbuf gets a one-line reason on failure. */
hal_err hal_transport_open(const char *spec, const hal_transport_callbacks *cb, hal_transport **out,
                           char *errbuf, size_t errsize);

/* Sends bytes to the device (ID reader commands, printer output). */
hal_err hal_transport_write(hal_transport *t, const uint8_t *bytes, size_t n);

hal_transport_kind hal_transport_kind_of(const hal_transport *t);

/* Stops the thread, releases the device (ungrabs, reattaches the kernel driver) and frees. */
void hal_transport_close(hal_transport *t);

#endif
