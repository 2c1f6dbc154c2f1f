/*
 * Device configuration: which devices a kiosk has and how to reach them, and which driver a USB
 * device gets by its vendor and product id.
 *
 * One line-oriented format for both, easy to edit on a kiosk with nano:
 *
 *   # comments start with # or ;
 *   [device idcard]                 one device the kiosk opens
 *   driver = ga467                  ga467 | hid-scanner | hid-cardreader | escpos | sim
 *   transport = serial:/dev/ttyUSB0@115200   (see hal/transport.h)
 *   paper = 58                      printers: 58 or 80 mm
 *
 *   [usb 1a86:7523]                 a USB id and the driver it gets (pid "*" for any)
 *   driver = ga467
 *   description = CH340 USB-serial bridge in ID-card readers
 *
 * assets/hal/devices.conf ships the common Chinese readers, scanners and printers; a kiosk's own
 * /etc/zhucan/devices.conf is read after it, so its entries override the shipped ones.
 */
#ifndef HAL_CONFIG_H
#define HAL_CONFIG_H

#include "hal/hal.h"

enum {
    HAL_CONFIG_MAX_DEVICES = 16,
    HAL_CONFIG_MAX_USB = 128,
    HAL_DRIVER_NAME_MAX = 32,
    HAL_SPEC_MAX = 256,
    HAL_DESCRIPTION_MAX = 128,
    HAL_CONFIG_ERR_MAX = 256,
    HAL_CONFIG_FILE_MAX = 1024 * 1024,
};

typedef struct hal_device_config {
    char name[HAL_DEVICE_NAME_MAX];
    char driver[HAL_DRIVER_NAME_MAX];
    char transport[HAL_SPEC_MAX];
    int paper_mm; /* escpos: 58 (default) or 80 */
} hal_device_config;

typedef struct hal_usb_match {
    uint16_t vid, pid;
    bool any_pid;
    char driver[HAL_DRIVER_NAME_MAX];
    char description[HAL_DESCRIPTION_MAX];
} hal_usb_match;

typedef struct hal_config {
    size_t ndevices;
    hal_device_config devices[HAL_CONFIG_MAX_DEVICES];
    size_t nusb;
    hal_usb_match usb[HAL_CONFIG_MAX_USB];
} hal_config;

/*
 * Adds text's sections to cfg (start from a zeroed hal_config). A [usb] entry for an id already
 * present replaces it; a device name already present is an error. On error err holds
 * "SOURCE:LINE: reason" and cfg is unchanged.
 */
hal_err hal_config_parse(hal_config *cfg, const char *source, const char *text, size_t len,
                         char *err, size_t errsize);

/* Reads and parses a file; a missing file is HAL_ERR_NOT_FOUND (callers may treat as empty). */
hal_err hal_config_load(hal_config *cfg, const char *path, char *err, size_t errsize);

/* The entry for a USB id: an exact vid:pid first, then a vid:* entry; NULL if none. */
const hal_usb_match *hal_config_match_usb(const hal_config *cfg, uint16_t vid, uint16_t pid);

const hal_device_config *hal_config_device(const hal_config *cfg, const char *name);

#endif
