/*
 * zhucan-kiosk: the SDL shell around the kiosk's logic (kiosk/app.h). See kiosk.h for the parts.
 * Exit status: 0 done, 1 failed (a device, the display, a script action, a layout rule), 2 bad
 * command line or script (DESIGN.md).
 */
#include "kiosk.h"
#include "script.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

int main(int argc, char **argv)
{
    Uint64 started = SDL_GetPerformanceCounter();
    options opt;
    char err[KIOSK_ERR_MAX];
    int rc = options_parse(argc, argv, &opt, err, sizeof err);
    if (rc == OPTIONS_HELP) {
        options_usage(stdout);
        return EXIT_OK;
    }
    if (rc != OPTIONS_OK) {
        fprintf(stderr, "zhucan-kiosk: %s\n", err);
        options_usage(stderr);
        return EXIT_USAGE;
    }
    struct stat st;
    if (stat(opt.data_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "zhucan-kiosk: --data %s: no such directory (zhucanctl init makes one)\n",
                opt.data_dir);
        return EXIT_USAGE;
    }
    script s = {0};
    if (opt.script && !script_load(opt.script, &s, err, sizeof err)) {
        fprintf(stderr, "zhucan-kiosk: %s\n", err);
        return EXIT_USAGE;
    }
    if (s.screenshots && !opt.screenshots) {
        fprintf(stderr, "zhucan-kiosk: %s takes screenshots: give --screenshots DIR\n", opt.script);
        script_free(&s);
        return EXIT_USAGE;
    }
    /* A script's clock starts where its first "clock" line puts it, so runs repeat exactly. */
    zc_ms start = kiosk_wall_ms();
    for (size_t i = 0; i < s.n; i++)
        if (s.v[i].verb == SCRIPT_CLOCK) {
            start = s.v[i].clock - s.v[i].at;
            break;
        }
    kiosk *k = calloc(1, sizeof *k);
    if (!k) {
        script_free(&s);
        return EXIT_FAILED;
    }
    k->opt = opt;
    k->trace.start = started;
    if (!kiosk_open(k, start, err, sizeof err)) {
        fprintf(stderr, "zhucan-kiosk: %s\n", err);
        rc = EXIT_FAILED;
    } else {
        rc = opt.script ? kiosk_run_script(k, &s, start) : kiosk_run_live(k);
    }
    kiosk_close(k);
    free(k);
    script_free(&s);
    return rc;
}
