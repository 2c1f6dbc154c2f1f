#include "hal/hal.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *hal_err_str(hal_err err)
{
    switch (err) {
    case HAL_OK:
        return "ok";
    case HAL_ERR_INVALID:
        return "invalid";
    case HAL_ERR_NOMEM:
        return "out of memory";
    case HAL_ERR_IO:
        return "device input/output error";
    case HAL_ERR_NOT_FOUND:
        return "not found";
    case HAL_ERR_BUSY:
        return "device busy";
    case HAL_ERR_AGAIN:
        return "no data yet";
    case HAL_ERR_UNSUPPORTED:
        return "not supported";
    }
    return "unknown error";
}

hal_event *hal_events_add(hal_events *out, hal_event_kind kind, const char *device)
{
    if (out->n == HAL_EVENTS_MAX) {
        out->dropped++;
        return NULL;
    }
    hal_event *ev = &out->v[out->n++];
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    snprintf(ev->device, sizeof ev->device, "%s", device ? device : "");
    return ev;
}

void hal_events_error(hal_events *out, const char *device, const char *fmt, ...)
{
    hal_event *ev = hal_events_add(out, HAL_EVENT_ERROR, device);
    if (!ev)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ev->u.error, sizeof ev->u.error, fmt, ap);
    va_end(ap);
}

static const char *const STATUS_NAMES[] = {
    [HAL_STATUS_CONNECTED] = "connected", [HAL_STATUS_DISCONNECTED] = "disconnected",
    [HAL_STATUS_FAULT] = "fault",         [HAL_STATUS_PAPER_OUT] = "paper_out",
    [HAL_STATUS_PAPER_LOW] = "paper_low",
};

static json_t *event_json(const hal_event *ev)
{
    const hal_id_card *c = &ev->u.id_card;
    switch (ev->kind) {
    case HAL_EVENT_ID_CARD:
        return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "kind", "id_card", "name",
                         c->name, "sex", c->sex, "nation", c->nation, "birth_date", c->birth_date,
                         "address", c->address, "id_number", c->id_number, "authority",
                         c->authority, "valid_from", c->valid_from, "valid_to", c->valid_to);
    case HAL_EVENT_QR:
        return json_pack("{s:s,s:s}", "kind", "qr", "text", ev->u.text);
    case HAL_EVENT_MEAL_CARD:
        return json_pack("{s:s,s:s}", "kind", "meal_card", "uid", ev->u.text);
    case HAL_EVENT_STATUS:
        return json_pack("{s:s,s:s,s:s,s:s}", "kind", "status", "device", ev->device, "status",
                         STATUS_NAMES[ev->u.status.status], "message", ev->u.status.message);
    case HAL_EVENT_ERROR:
        return json_pack("{s:s,s:s}", "kind", "error", "message", ev->u.error);
    }
    return NULL;
}

int hal_event_to_json(const hal_event *ev, char *buf, size_t size)
{
    json_t *o = event_json(ev);
    /* A device's bytes may not be valid UTF-8 after all: say so rather than print nothing. */
    if (!o)
        o = json_pack("{s:s,s:s}", "kind", "error", "message", "event text is not valid UTF-8");
    size_t n =
        o ? json_dumpb(o, buf, size > 0 ? size - 1 : 0, JSON_COMPACT | JSON_PRESERVE_ORDER) : 0;
    json_decref(o);
    if (n == 0 || n >= size)
        return -1;
    buf[n] = '\0';
    return (int)n;
}
