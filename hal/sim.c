#include "hal/sim.h"

#include <stdio.h>
#include <string.h>

enum {
    IDNUM_LEN = 18,
    IDNUM_BIRTH_AT = 6,
    IDNUM_SEX_AT = 16,
    YEAR_LEN = 4,
    MONTH_LEN = 2,
};

void hal_sim_decoder_init(hal_sim_decoder *dec)
{
    memset(dec, 0, sizeof *dec);
}

/* Splits off the first word; returns the rest with leading blanks skipped. */
static const char *word(const char *s, char *buf, size_t size)
{
    size_t n = strcspn(s, " \t");
    snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), s);
    s += n;
    return s + strspn(s, " \t");
}

/* A simulated ID card: what a reader would deliver for this number and name. */
static void id_card(const char *device, const char *rest, hal_events *out)
{
    char number[HAL_TEXT_MAX];
    const char *name = word(rest, number, sizeof number);
    if (strlen(number) != IDNUM_LEN || strspn(number, "0123456789") < IDNUM_LEN - 1 || !*name) {
        hal_events_error(out, device, "sim: usage: id_card ID_NUMBER NAME");
        return;
    }
    hal_event *ev = hal_events_add(out, HAL_EVENT_ID_CARD, device);
    if (!ev)
        return;
    hal_id_card *c = &ev->u.id_card;
    const char *b = number + IDNUM_BIRTH_AT;
    snprintf(c->name, sizeof c->name, "%s", name);
    snprintf(c->sex, sizeof c->sex, "%s", (number[IDNUM_SEX_AT] - '0') % 2 ? "男" : "女");
    snprintf(c->nation, sizeof c->nation, "汉");
    snprintf(c->birth_date, sizeof c->birth_date, "%.4s-%.2s-%.2s", b, b + YEAR_LEN,
             b + YEAR_LEN + MONTH_LEN);
    snprintf(c->address, sizeof c->address, "模拟设备");
    memcpy(c->id_number, number, IDNUM_LEN + 1); /* its length was checked above */
    snprintf(c->authority, sizeof c->authority, "模拟设备");
    snprintf(c->valid_from, sizeof c->valid_from, "2016-01-01");
    snprintf(c->valid_to, sizeof c->valid_to, "长期");
}

static void text_event(const char *device, hal_event_kind kind, const char *text, hal_events *out)
{
    if (!*text) {
        hal_events_error(out, device, "sim: %s needs a value",
                         kind == HAL_EVENT_QR ? "qr" : "card");
        return;
    }
    hal_event *ev = hal_events_add(out, kind, device);
    if (ev)
        snprintf(ev->u.text, sizeof ev->u.text, "%s", text);
}

static void status_event(const char *device, hal_status status, const char *message,
                         hal_events *out)
{
    hal_event *ev = hal_events_add(out, HAL_EVENT_STATUS, device);
    if (!ev)
        return;
    ev->u.status.status = status;
    snprintf(ev->u.status.message, sizeof ev->u.status.message, "%s", message);
}

void hal_sim_line(const char *device, const char *line, hal_events *out)
{
    line += strspn(line, " \t");
    if (!*line || *line == '#')
        return;
    char verb[16];
    const char *rest = word(line, verb, sizeof verb);
    if (strcmp(verb, "qr") == 0)
        text_event(device, HAL_EVENT_QR, rest, out);
    else if (strcmp(verb, "card") == 0)
        text_event(device, HAL_EVENT_MEAL_CARD, rest, out);
    else if (strcmp(verb, "id_card") == 0)
        id_card(device, rest, out);
    else if (strcmp(verb, "unplug") == 0)
        status_event(device, HAL_STATUS_DISCONNECTED, "unplugged (simulated)", out);
    else if (strcmp(verb, "plug") == 0)
        status_event(device, HAL_STATUS_CONNECTED, "plugged in (simulated)", out);
    else
        hal_events_error(out, device,
                         "sim: unknown line \"%.40s\" (qr, card, id_card, unplug, plug)", line);
}

void hal_sim_feed(hal_sim_decoder *dec, const char *device, const uint8_t *bytes, size_t n,
                  hal_events *out)
{
    for (size_t i = 0; i < n; i++) {
        char c = (char)bytes[i];
        if (c == '\n') {
            if (dec->overlong)
                hal_events_error(out, device, "sim: line longer than %d bytes",
                                 HAL_SIM_LINE_MAX - 1);
            else {
                dec->line[dec->len] = '\0';
                if (dec->len && dec->line[dec->len - 1] == '\r')
                    dec->line[dec->len - 1] = '\0';
                hal_sim_line(device, dec->line, out);
            }
            dec->len = 0;
            dec->overlong = false;
        } else if (c != '\0' && dec->len + 1 < sizeof dec->line) {
            dec->line[dec->len++] = c;
        } else {
            /* Too long, or a NUL, which cannot be part of a text line: drop the line. */
            dec->overlong = true;
        }
    }
}
