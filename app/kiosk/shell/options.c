#include "options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void options_usage(FILE *to)
{
    fputs("usage: zhucan-kiosk [--data DIR] [--windowed] [--size WxH]\n"
          "                    [--devices sim[:stdin|:fifo:PATH]|auto|none] [--config FILE]\n"
          "                    [--lang zh|en] [--script FILE] [--screenshots DIR]\n"
          "  --data DIR         the kiosk's data directory (default " OPTIONS_DEFAULT_DATA ")\n"
          "  --windowed         a window instead of the full screen (development)\n"
          "  --size WxH         window size; full screen: the display mode to use\n"
          "  --devices MODE     auto: devices.conf (default); sim: a simulated reader on stdin\n"
          "                     or a FIFO; none: no devices (the default with --script)\n"
          "  --config FILE      devices.conf to use instead of /etc/zhucan/devices.conf\n"
          "  --lang zh|en       language of the screens and speech (default zh)\n"
          "  --script FILE      run a script (virtual time) instead of waiting for people\n"
          "  --screenshots DIR  where the script's screenshots go\n",
          to);
}

static bool parse_size(const char *s, int *w, int *h)
{
    char *end;
    long lw = strtol(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X'))
        return false;
    const char *hs = end + 1;
    long lh = strtol(hs, &end, 10);
    if (end == hs || *end)
        return false;
    if (lw < OPTIONS_SIZE_MIN || lh < OPTIONS_SIZE_MIN || lw > OPTIONS_SIZE_MAX ||
        lh > OPTIONS_SIZE_MAX)
        return false;
    *w = (int)lw;
    *h = (int)lh;
    return true;
}

int options_parse(int argc, char **argv, options *o, char *err, size_t errsize)
{
    memset(o, 0, sizeof *o);
    o->data_dir = OPTIONS_DEFAULT_DATA;
    bool devices_given = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return OPTIONS_HELP;
        if (strcmp(a, "--windowed") == 0) {
            o->windowed = true;
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            snprintf(err, errsize, "unexpected argument %s", a);
            return OPTIONS_BAD;
        }
        if (i + 1 >= argc) {
            snprintf(err, errsize, "%s needs a value", a);
            return OPTIONS_BAD;
        }
        const char *v = argv[++i];
        if (strcmp(a, "--data") == 0) {
            o->data_dir = v;
        } else if (strcmp(a, "--size") == 0) {
            if (!parse_size(v, &o->width, &o->height)) {
                snprintf(err, errsize, "--size %s: expected WxH, each %d..%d", v, OPTIONS_SIZE_MIN,
                         OPTIONS_SIZE_MAX);
                return OPTIONS_BAD;
            }
        } else if (strcmp(a, "--devices") == 0) {
            devices_given = true;
            if (strcmp(v, "auto") == 0)
                o->devices = DEVICES_AUTO;
            else if (strcmp(v, "none") == 0)
                o->devices = DEVICES_NONE;
            else if (strcmp(v, "sim") == 0)
                o->devices = DEVICES_SIM;
            else if (strncmp(v, "sim:", 4) == 0 && v[4]) {
                o->devices = DEVICES_SIM;
                o->sim_transport = v + 4;
            } else {
                snprintf(err, errsize, "--devices %s: expected sim, sim:fifo:PATH, auto or none",
                         v);
                return OPTIONS_BAD;
            }
        } else if (strcmp(a, "--config") == 0) {
            o->config = v;
        } else if (strcmp(a, "--lang") == 0) {
            if (strcmp(v, "zh") == 0)
                o->lang = ZC_LANG_ZH;
            else if (strcmp(v, "en") == 0)
                o->lang = ZC_LANG_EN;
            else {
                snprintf(err, errsize, "--lang %s: expected zh or en", v);
                return OPTIONS_BAD;
            }
        } else if (strcmp(a, "--script") == 0) {
            o->script = v;
        } else if (strcmp(a, "--screenshots") == 0) {
            o->screenshots = v;
        } else {
            snprintf(err, errsize, "unknown option %s", a);
            return OPTIONS_BAD;
        }
    }
    if (!devices_given)
        o->devices = o->script ? DEVICES_NONE : DEVICES_AUTO;
    if (o->screenshots && !o->script) {
        snprintf(err, errsize, "--screenshots needs --script");
        return OPTIONS_BAD;
    }
    return OPTIONS_OK;
}
