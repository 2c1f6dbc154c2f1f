/*
 * Kiosk scripts (--script FILE, DESIGN.md "Command line"): one action a line,
 *
 *     TIME_MS ACTION ARGS        # whole-line comments start with '#'
 *
 *   clock ISO8601             the kiosk's clock reads this instant now
 *   id_card ID_NUMBER NAME    an ID card is read (device "idcard")
 *   qr TEXT                   a code is scanned (device "scanner"; TEXT runs to the line's end)
 *   card UID                  a meal card is tapped (device "cardreader")
 *   tap ELEMENT_ID            the element with this id is pressed
 *   screenshot NAME           the screen is written to NAME.png in --screenshots
 *   unplug DEVICE | plug DEVICE   a device goes away or comes back
 *   quit                      the run ends (as it does after the last line)
 *
 * Times are milliseconds of a virtual clock that only the script moves: the run does not sleep,
 * so it is fast and gives the same screens every time. The whole file is read and checked before
 * the kiosk starts; a bad line is "FILE:LINE: reason".
 */
#ifndef ZC_SHELL_SCRIPT_H
#define ZC_SHELL_SCRIPT_H

#include "hal/hal.h"
#include "kiosk/view.h"
#include "zc/date.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    SCRIPT_LINE_MAX = 4096,
    SCRIPT_ARG_MAX = 64,
    SCRIPT_ERR_MAX = 512,
    SCRIPT_ACTIONS_MAX = 100000,
};

/* Device names the script's events come from, as a kiosk's devices.conf would name them. */
#define SCRIPT_DEVICE_IDCARD "idcard"
#define SCRIPT_DEVICE_SCANNER "scanner"
#define SCRIPT_DEVICE_CARDREADER "cardreader"

typedef enum script_verb {
    SCRIPT_CLOCK = 0,
    SCRIPT_EVENT, /* id_card, qr, card, unplug, plug: a device event */
    SCRIPT_TAP,
    SCRIPT_SCREENSHOT,
    SCRIPT_QUIT,
} script_verb;

typedef struct script_action {
    long line;
    int64_t at; /* TIME_MS */
    script_verb verb;
    zc_ms clock;              /* SCRIPT_CLOCK */
    char arg[SCRIPT_ARG_MAX]; /* SCRIPT_TAP: the element id; SCRIPT_SCREENSHOT: the name */
    hal_event event;          /* SCRIPT_EVENT */
} script_action;

typedef struct script {
    char path[SCRIPT_ERR_MAX / 2];
    size_t n;
    script_action *v;
    bool screenshots; /* some action takes one */
} script;

/* Reads and checks a script; on error err holds "FILE:LINE: reason" (or "FILE: reason"). */
bool script_load(const char *path, script *out, char *err, size_t errsize);
void script_free(script *s);

/* Parses one line (no newline) into *a; false with a reason in err. Blank and comment lines give
 * true with *skip set. Exposed for tests. */
bool script_parse_line(const char *line, script_action *a, bool *skip, char *err, size_t errsize);

#endif
