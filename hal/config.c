#include "hal/config.h"

#include "hal/decoder.h"
#include "hal/transport.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PAPER_58 = 58, PAPER_80 = 80, HEX_ID_DIGITS = 4, LINE_MAX_LEN = 1024 };

static bool driver_known(const char *name)
{
    hal_driver driver;
    return hal_driver_parse(name, &driver) == HAL_OK;
}

typedef enum section { SECTION_NONE, SECTION_DEVICE, SECTION_USB } section;

/* Parsing state: the copy being built, so that a bad file leaves the caller's config as it was. */
typedef struct parser {
    hal_config *cfg;
    const char *source;
    long line;
    section in;
    hal_device_config *device;
    hal_usb_match *usb;
    char *err;
    size_t errsize;
} parser;

__attribute__((format(printf, 2, 3))) static hal_err fail(parser *p, const char *fmt, ...)
{
    char why[HAL_CONFIG_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (p->err && p->errsize)
        snprintf(p->err, p->errsize, "%s:%ld: %s", p->source, p->line, why);
    return HAL_ERR_INVALID;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static bool parse_hex_id(const char *s, uint16_t *out)
{
    if (strlen(s) != HEX_ID_DIGITS || strspn(s, "0123456789abcdefABCDEF") != HEX_ID_DIGITS)
        return false;
    *out = (uint16_t)strtoul(s, NULL, 16);
    return true;
}

static bool device_name_ok(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n < HAL_DEVICE_NAME_MAX &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

static hal_err open_device(parser *p, const char *name)
{
    if (!device_name_ok(name))
        return fail(p, "device name \"%s\" must be letters, digits, '-' or '_'", name);
    if (hal_config_device(p->cfg, name))
        return fail(p, "device \"%s\" is configured twice", name);
    if (p->cfg->ndevices == HAL_CONFIG_MAX_DEVICES)
        return fail(p, "more than %d devices", HAL_CONFIG_MAX_DEVICES);
    p->device = &p->cfg->devices[p->cfg->ndevices++];
    memset(p->device, 0, sizeof *p->device);
    snprintf(p->device->name, sizeof p->device->name, "%s", name);
    p->device->paper_mm = PAPER_58;
    p->in = SECTION_DEVICE;
    return HAL_OK;
}

static hal_err open_usb(parser *p, char *id)
{
    char *colon = strchr(id, ':');
    hal_usb_match m = {0};
    if (!colon)
        return fail(p, "usb id \"%s\" must be VID:PID in hex, e.g. 1a86:7523", id);
    *colon = '\0';
    m.any_pid = strcmp(colon + 1, "*") == 0;
    if (!parse_hex_id(id, &m.vid) || (!m.any_pid && !parse_hex_id(colon + 1, &m.pid)))
        return fail(p, "usb id \"%s:%s\" must be VID:PID in hex, e.g. 1a86:7523", id, colon + 1);
    hal_usb_match *slot = NULL;
    for (size_t i = 0; i < p->cfg->nusb; i++)
        if (p->cfg->usb[i].vid == m.vid && p->cfg->usb[i].pid == m.pid &&
            p->cfg->usb[i].any_pid == m.any_pid)
            slot = &p->cfg->usb[i]; /* a later file overrides */
    if (!slot) {
        if (p->cfg->nusb == HAL_CONFIG_MAX_USB)
            return fail(p, "more than %d usb entries", HAL_CONFIG_MAX_USB);
        slot = &p->cfg->usb[p->cfg->nusb++];
    }
    *slot = m;
    p->usb = slot;
    p->in = SECTION_USB;
    return HAL_OK;
}

static hal_err section_header(parser *p, char *text)
{
    size_t n = strlen(text);
    if (text[n - 1] != ']')
        return fail(p, "section header must end with ']'");
    text[n - 1] = '\0';
    char *body = trim(text + 1);
    if (strncmp(body, "device ", strlen("device ")) == 0)
        return open_device(p, trim(body + strlen("device ")));
    if (strncmp(body, "usb ", strlen("usb ")) == 0)
        return open_usb(p, trim(body + strlen("usb ")));
    return fail(p, "unknown section [%s] (expected [device NAME] or [usb VID:PID])", body);
}

static hal_err copy_value(parser *p, char *dst, size_t size, const char *key, const char *value)
{
    if (strlen(value) >= size)
        return fail(p, "%s is longer than %zu characters", key, size - 1);
    memcpy(dst, value, strlen(value) + 1);
    return HAL_OK;
}

static hal_err device_key(parser *p, const char *key, const char *value)
{
    hal_device_config *d = p->device;
    if (strcmp(key, "driver") == 0) {
        if (!driver_known(value))
            return fail(p,
                        "driver \"%s\" is not one of ga467, hid-scanner, hid-cardreader, "
                        "escpos, sim",
                        value);
        return copy_value(p, d->driver, sizeof d->driver, key, value);
    }
    if (strcmp(key, "transport") == 0) {
        char why[HAL_CONFIG_ERR_MAX];
        hal_transport_kind kind;
        if (hal_transport_parse_spec(value, &kind, why, sizeof why))
            return fail(p, "transport: %s", why);
        return copy_value(p, d->transport, sizeof d->transport, key, value);
    }
    if (strcmp(key, "paper") == 0) {
        if (strcmp(value, "58") != 0 && strcmp(value, "80") != 0)
            return fail(p, "paper must be 58 or 80 (mm)");
        d->paper_mm = value[0] == '5' ? PAPER_58 : PAPER_80;
        return HAL_OK;
    }
    return fail(p, "unknown key \"%s\" in a device section", key);
}

static hal_err usb_key(parser *p, const char *key, const char *value)
{
    if (strcmp(key, "driver") == 0) {
        if (!driver_known(value))
            return fail(p, "driver \"%s\" is not a known driver", value);
        return copy_value(p, p->usb->driver, sizeof p->usb->driver, key, value);
    }
    if (strcmp(key, "description") == 0)
        return copy_value(p, p->usb->description, sizeof p->usb->description, key, value);
    return fail(p, "unknown key \"%s\" in a usb section", key);
}

static hal_err parse_line(parser *p, char *line)
{
    char *text = trim(line);
    if (*text == '\0' || *text == '#' || *text == ';')
        return HAL_OK;
    if (*text == '[')
        return section_header(p, text);
    char *eq = strchr(text, '=');
    if (!eq)
        return fail(p, "expected \"key = value\"");
    *eq = '\0';
    char *key = trim(text), *value = trim(eq + 1);
    if (p->in == SECTION_NONE)
        return fail(p, "\"%s\" outside any [device] or [usb] section", key);
    return p->in == SECTION_DEVICE ? device_key(p, key, value) : usb_key(p, key, value);
}

/* Each section must be complete once its last line is read. */
static hal_err check_complete(parser *p, const hal_config *cfg)
{
    for (size_t i = 0; i < cfg->ndevices; i++)
        if (!cfg->devices[i].driver[0] || !cfg->devices[i].transport[0])
            return fail(p, "device \"%s\" needs both driver and transport", cfg->devices[i].name);
    for (size_t i = 0; i < cfg->nusb; i++)
        if (!cfg->usb[i].driver[0])
            return fail(p, "usb entry %04x:%04x needs a driver", cfg->usb[i].vid, cfg->usb[i].pid);
    return HAL_OK;
}

hal_err hal_config_parse(hal_config *cfg, const char *source, const char *text, size_t len,
                         char *err, size_t errsize)
{
    hal_config *work = malloc(sizeof *work);
    if (!work)
        return HAL_ERR_NOMEM;
    *work = *cfg;
    parser p = {.cfg = work, .source = source ? source : "config", .errsize = errsize};
    p.err = err; /* fail() writes the message through it */
    hal_err rc = HAL_OK;
    char line[LINE_MAX_LEN];
    for (size_t at = 0; at < len && !rc;) {
        size_t end = at;
        while (end < len && text[end] != '\n')
            end++;
        p.line++;
        if (end - at >= sizeof line)
            rc = fail(&p, "line longer than %d bytes", LINE_MAX_LEN - 1);
        else if (memchr(text + at, '\0', end - at))
            rc = fail(&p, "contains a NUL byte");
        if (!rc) {
            memcpy(line, text + at, end - at);
            line[end - at] = '\0';
            rc = parse_line(&p, line);
        }
        at = end + 1;
    }
    if (!rc)
        rc = check_complete(&p, work);
    if (!rc)
        *cfg = *work;
    free(work);
    return rc;
}

hal_err hal_config_load(hal_config *cfg, const char *path, char *err, size_t errsize)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? HAL_ERR_NOT_FOUND : HAL_ERR_IO;
    }
    char *buf = malloc(HAL_CONFIG_FILE_MAX);
    size_t n = buf ? fread(buf, 1, HAL_CONFIG_FILE_MAX, f) : 0;
    bool too_big = buf && n == HAL_CONFIG_FILE_MAX;
    bool failed = !buf || ferror(f);
    fclose(f);
    hal_err rc;
    if (failed || too_big) {
        snprintf(err, errsize, "%s: %s", path, too_big ? "file too large" : "could not read");
        rc = buf ? HAL_ERR_IO : HAL_ERR_NOMEM;
    } else {
        rc = hal_config_parse(cfg, path, buf, n, err, errsize);
    }
    free(buf);
    return rc;
}

const hal_usb_match *hal_config_match_usb(const hal_config *cfg, uint16_t vid, uint16_t pid)
{
    const hal_usb_match *any = NULL;
    for (size_t i = 0; i < cfg->nusb; i++) {
        const hal_usb_match *m = &cfg->usb[i];
        if (m->vid == vid && !m->any_pid && m->pid == pid)
            return m;
        if (m->vid == vid && m->any_pid)
            any = m;
    }
    return any;
}

const hal_device_config *hal_config_device(const hal_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->ndevices; i++)
        if (strcmp(cfg->devices[i].name, name) == 0)
            return &cfg->devices[i];
    return NULL;
}
