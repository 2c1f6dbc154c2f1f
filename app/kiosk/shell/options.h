/*
 * zhucan-kiosk's command line (DESIGN.md "Command line"):
 *
 *   zhucan-kiosk [--data DIR] [--windowed] [--size WxH] [--devices sim[:TRANSPORT]|auto|none]
 *                [--config FILE] [--lang zh|en] [--script FILE] [--screenshots DIR]
 */
#ifndef ZC_SHELL_OPTIONS_H
#define ZC_SHELL_OPTIONS_H

#include "devices.h"
#include "kiosk/app.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define OPTIONS_DEFAULT_DATA "/var/lib/zhucan"

enum {
    OPTIONS_OK = 0,
    OPTIONS_HELP = 1,
    OPTIONS_BAD = 2, /* exit status 2, DESIGN.md */
    OPTIONS_SIZE_MIN = 320,
    OPTIONS_SIZE_MAX = 8192,
};

typedef struct options {
    const char *data_dir;
    bool windowed;
    int width, height; /* 0: the display's own */
    devices_mode devices;
    const char *sim_transport; /* --devices sim:TRANSPORT; NULL: stdin */
    const char *config;
    zc_lang lang;
    const char *script;
    const char *screenshots;
} options;

/* OPTIONS_OK, OPTIONS_HELP (usage wanted) or OPTIONS_BAD with a reason in err. */
int options_parse(int argc, char **argv, options *o, char *err, size_t errsize);

void options_usage(FILE *to);

#endif
