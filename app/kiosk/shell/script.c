#include "script.h"

#include "hal/sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

enum { VERB_MAX = 16, INITIAL_ACTIONS = 64 };

static const char BLANKS[] = " \t";

/* The first word of s into buf; returns what follows, blanks skipped. false if it is too long. */
static const char *word(const char *s, char *buf, size_t size, bool *ok)
{
    size_t n = strcspn(s, BLANKS);
    *ok = n < size;
    snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), s);
    s += n;
    return s + strspn(s, BLANKS);
}

/* Arguments of actions that take no free text may end with a "# comment". */
static void strip_comment(char *s)
{
    char *hash = strchr(s, '#');
    if (hash && (hash == s || hash[-1] == ' ' || hash[-1] == '\t'))
        *hash = '\0';
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
}

/* Element ids, device and screenshot names: printable ASCII without blanks or slashes. */
static bool plain(const char *s, bool allow_colon)
{
    if (!*s || *s == '.')
        return false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.' || (allow_colon && c == ':');
        if (!ok)
            return false;
    }
    return true;
}

static bool fail(char *err, size_t errsize, const char *msg)
{
    snprintf(err, errsize, "%s", msg);
    return false;
}

/* A device event through the sim decoder, which knows what a reader would deliver. */
static bool device_event(const char *device, const char *line, hal_event *out, char *err,
                         size_t errsize)
{
    hal_events evs = {0};
    hal_sim_line(device, line, &evs);
    if (evs.n != 1)
        return fail(err, errsize, "no event");
    if (evs.v[0].kind == HAL_EVENT_ERROR) {
        /* "sim: usage: id_card ..." reads well as it is, without the prefix */
        const char *msg = evs.v[0].u.error;
        if (strncmp(msg, "sim: ", 5) == 0)
            msg += 5;
        return fail(err, errsize, msg);
    }
    *out = evs.v[0];
    return true;
}

bool script_parse_line(const char *line, script_action *a, bool *skip, char *err, size_t errsize)
{
    memset(a, 0, sizeof *a);
    *skip = false;
    line += strspn(line, BLANKS);
    if (!*line || *line == '#') {
        *skip = true;
        return true;
    }
    char num[VERB_MAX * 2], verb[VERB_MAX];
    bool ok;
    const char *rest = word(line, num, sizeof num, &ok);
    char *end;
    errno = 0;
    long long at = strtoll(num, &end, 10);
    if (!ok || !num[0] || *end || num[0] == '-' || num[0] == '+' || errno)
        return fail(err, errsize, "expected TIME_MS (milliseconds, a whole number) first");
    a->at = at;
    rest = word(rest, verb, sizeof verb, &ok);
    if (!verb[0])
        return fail(err, errsize, "expected an action after the time");
    char args[SCRIPT_LINE_MAX];
    snprintf(args, sizeof args, "%s", rest);
    size_t n = strlen(args);
    while (n && (args[n - 1] == ' ' || args[n - 1] == '\t' || args[n - 1] == '\r'))
        args[--n] = '\0';

    if (strcmp(verb, "id_card") == 0 || strcmp(verb, "qr") == 0 || strcmp(verb, "card") == 0) {
        const char *device = verb[0] == 'i'   ? SCRIPT_DEVICE_IDCARD
                             : verb[0] == 'q' ? SCRIPT_DEVICE_SCANNER
                                              : SCRIPT_DEVICE_CARDREADER;
        if (n >= HAL_TEXT_MAX)
            return fail(err, errsize, "the text is too long for a device event");
        char sim[SCRIPT_LINE_MAX + VERB_MAX];
        snprintf(sim, sizeof sim, "%s %s", verb, args);
        a->verb = SCRIPT_EVENT;
        return device_event(device, sim, &a->event, err, errsize);
    }
    strip_comment(args);
    if (strcmp(verb, "unplug") == 0 || strcmp(verb, "plug") == 0) {
        if (!plain(args, false) || strlen(args) >= HAL_DEVICE_NAME_MAX)
            return fail(err, errsize, "expected a device name (letters, digits, _ - .)");
        a->verb = SCRIPT_EVENT;
        return device_event(args, verb, &a->event, err, errsize);
    }
    if (strcmp(verb, "clock") == 0) {
        zc_diag diag = {0};
        a->verb = SCRIPT_CLOCK;
        if (zc_time_parse_iso8601(args, &a->clock, &diag)) {
            snprintf(err, errsize, "clock: %s", diag.msg);
            return false;
        }
        return true;
    }
    if (strcmp(verb, "tap") == 0) {
        if (!plain(args, true) || strlen(args) >= ZC_VIEW_ID_MAX)
            return fail(err, errsize, "expected an element id (e.g. confirm, item:L01, key:7)");
        a->verb = SCRIPT_TAP;
        memcpy(a->arg, args, strlen(args) + 1); /* its length was checked above */
        return true;
    }
    if (strcmp(verb, "screenshot") == 0) {
        if (!plain(args, false) || strlen(args) >= SCRIPT_ARG_MAX - sizeof ".png")
            return fail(err, errsize, "expected a file name without .png (letters, digits, _ - .)");
        a->verb = SCRIPT_SCREENSHOT;
        memcpy(a->arg, args, strlen(args) + 1); /* its length was checked above */
        return true;
    }
    if (strcmp(verb, "quit") == 0) {
        if (args[0])
            return fail(err, errsize, "quit takes no arguments");
        a->verb = SCRIPT_QUIT;
        return true;
    }
    snprintf(err, errsize,
             "unknown action \"%.32s\" (clock, id_card, qr, card, tap, screenshot, unplug, plug, "
             "quit)",
             verb);
    return false;
}

static bool add(script *s, size_t *cap, const script_action *a)
{
    if (s->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : INITIAL_ACTIONS;
        script_action *v = realloc(s->v, ncap * sizeof *v);
        if (!v)
            return false;
        s->v = v;
        *cap = ncap;
    }
    s->v[s->n++] = *a;
    return true;
}

bool script_load(const char *path, script *out, char *err, size_t errsize)
{
    memset(out, 0, sizeof *out);
    snprintf(out->path, sizeof out->path, "%s", path);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        return false;
    }
    char *line = NULL;
    size_t linecap = 0, cap = 0;
    ssize_t len;
    long lineno = 0;
    int64_t last = 0;
    bool ok = true;
    script_action *a = malloc(sizeof *a);
    if (!a) {
        fclose(f);
        snprintf(err, errsize, "%s: out of memory", path);
        return false;
    }
    while (ok && (len = getline(&line, &linecap, f)) >= 0) {
        lineno++;
        char why[SCRIPT_ERR_MAX / 2];
        bool skip;
        if (len && line[len - 1] == '\n')
            line[--len] = '\0';
        if (len > SCRIPT_LINE_MAX) {
            snprintf(err, errsize, "%s:%ld: line longer than %d bytes", path, lineno,
                     SCRIPT_LINE_MAX);
            ok = false;
        } else if (strlen(line) != (size_t)len) {
            snprintf(err, errsize, "%s:%ld: a NUL byte", path, lineno);
            ok = false;
        } else if (!script_parse_line(line, a, &skip, why, sizeof why)) {
            snprintf(err, errsize, "%s:%ld: %s", path, lineno, why);
            ok = false;
        } else if (!skip) {
            a->line = lineno;
            if (a->at < last) {
                snprintf(err, errsize, "%s:%ld: time %lld is before the previous line's %lld", path,
                         lineno, (long long)a->at, (long long)last);
                ok = false;
            } else if (out->n == SCRIPT_ACTIONS_MAX) {
                snprintf(err, errsize, "%s:%ld: more than %d actions", path, lineno,
                         SCRIPT_ACTIONS_MAX);
                ok = false;
            } else if (!add(out, &cap, a)) {
                snprintf(err, errsize, "%s: out of memory", path);
                ok = false;
            } else {
                last = a->at;
                out->screenshots = out->screenshots || a->verb == SCRIPT_SCREENSHOT;
            }
        }
    }
    free(line);
    if (ok && ferror(f)) {
        snprintf(err, errsize, "%s: read error", path);
        ok = false;
    }
    free(a);
    fclose(f);
    if (!ok)
        script_free(out);
    return ok;
}

void script_free(script *s)
{
    free(s->v);
    s->v = NULL;
    s->n = 0;
}
