/*
 * A configured device, with UnifiedPOS's life cycle:
 *
 *   open     check the configuration, make the driver; nothing touches hardware yet
 *   claim    take the device for this program: open and grab its transport, start its driver
 *   enable   deliver data events (cards, codes) to the queue; disabled, they are dropped (the
 *            kiosk disables readers while it shows a result, so a second tap does not queue)
 *   release  give the device back (ungrab, reattach the kernel driver)
 *   close    release and free
 *
 * Status and error events (connected, unplugged, fault, garbage) always reach the queue. Each
 * claimed device has a driver thread for what its protocol needs over time: polling an ID-card
 * reader, ending a keyboard-wedge scan after an idle gap, asking a printer for its status.
 */
#ifndef HAL_DEVICE_H
#define HAL_DEVICE_H

#include "hal/config.h"
#include "hal/escpos.h"
#include "hal/queue.h"

typedef struct hal_device hal_device;

enum {
    HAL_DEVICE_TICK_MS = 100,           /* driver thread's clock for idle checks */
    HAL_PRINTER_STATUS_EVERY_MS = 2000, /* how often a printer is asked for its status */
};

hal_err hal_device_open(const hal_device_config *cfg, hal_queue *queue, hal_device **out, char *err,
                        size_t errsize);
hal_err hal_device_claim(hal_device *d, char *err, size_t errsize);
void hal_device_enable(hal_device *d, bool enabled);
void hal_device_release(hal_device *d);
void hal_device_close(hal_device *d);

const char *hal_device_name(const hal_device *d);

/* Printers: renders and sends a receipt (HAL_ERR_UNSUPPORTED for other drivers). */
hal_err hal_device_print(hal_device *d, const hal_escpos_receipt *receipt);

/* Sends raw bytes to the device (print tests, technicians). */
hal_err hal_device_write(hal_device *d, const uint8_t *bytes, size_t n);

#endif
