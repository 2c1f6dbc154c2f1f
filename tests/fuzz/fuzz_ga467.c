#include "hal/ga467.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The GA 467 decoder and reader state machine on arbitrary reader bytes. The first byte plans
 * how the rest is cut into chunks (a transport delivers whatever it got); the events must not
 * depend on the cuts, stay within HAL_EVENTS_MAX per call, and be well formed: NUL-terminated,
 * valid UTF-8 (the JSON encoder refuses anything else), cards with an 18-character ID number and
 * real dates. The state machine fed the frames must only ever ask for whole commands.
 */
enum {
    CUTS_MAX = 3,
    LOG_MAX = 64, /* events compared between the chunked and the whole feed */
    JSON_MAX = 4096,
    PLAN_CUT_BITS = 2,
    PLAN_CUT_MASK = (1 << PLAN_CUT_BITS) - 1,
    DATE_LEN = 10,
};

static const char DEV[] = "fuzz";
static const uint32_t SPREAD = 2654435761u; /* Knuth's multiplicative hash */

typedef struct log {
    size_t n; /* all events, even past LOG_MAX */
    size_t dropped;
    hal_event v[LOG_MAX];
} log;

static void check_string(const char *s, size_t size)
{
    if (!memchr(s, '\0', size))
        abort();
}

static void check_event(const hal_event *ev)
{
    check_string(ev->device, sizeof ev->device);
    if (strcmp(ev->device, DEV) != 0)
        abort();
    if (ev->kind == HAL_EVENT_ID_CARD) {
        const hal_id_card *c = &ev->u.id_card;
        check_string(c->name, sizeof c->name);
        check_string(c->sex, sizeof c->sex);
        check_string(c->nation, sizeof c->nation);
        check_string(c->birth_date, sizeof c->birth_date);
        check_string(c->address, sizeof c->address);
        check_string(c->id_number, sizeof c->id_number);
        check_string(c->authority, sizeof c->authority);
        check_string(c->valid_from, sizeof c->valid_from);
        check_string(c->valid_to, sizeof c->valid_to);
        if (c->name[0] == '\0' || strlen(c->id_number) != HAL_IDNUM_MAX - 1 ||
            strlen(c->birth_date) != DATE_LEN || strlen(c->valid_from) != DATE_LEN ||
            (strlen(c->valid_to) != DATE_LEN && strcmp(c->valid_to, HAL_GA467_NO_END_DATE) != 0))
            abort();
    } else if (ev->kind == HAL_EVENT_ERROR) {
        check_string(ev->u.error, sizeof ev->u.error);
        if (ev->u.error[0] == '\0')
            abort();
    } else {
        abort(); /* the decoder makes cards and errors only */
    }
    char json[JSON_MAX];
    if (hal_event_to_json(ev, json, sizeof json) <= 0)
        abort();
}

static void take(log *lg, const hal_events *out)
{
    if (out->n > HAL_EVENTS_MAX)
        abort();
    lg->dropped += out->dropped;
    for (size_t i = 0; i < out->n; i++) {
        check_event(&out->v[i]);
        if (lg->n < LOG_MAX)
            lg->v[lg->n] = out->v[i];
        lg->n++;
    }
}

/* Sorted cut points from the plan byte: 0 to 3 of them, anywhere in [0, n]. */
static size_t plan_cuts(uint8_t plan, size_t n, size_t cuts[CUTS_MAX])
{
    size_t k = plan & PLAN_CUT_MASK;
    for (size_t i = 0; i < k; i++)
        cuts[i] = (size_t)((uint32_t)(plan + 1) * (uint32_t)(i + 1) * SPREAD) % (n + 1);
    for (size_t i = 1; i < k; i++)
        for (size_t j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) {
            size_t t = cuts[j];
            cuts[j] = cuts[j - 1];
            cuts[j - 1] = t;
        }
    return k;
}

static void decode(const uint8_t *data, size_t size, const size_t *cuts, size_t k, log *lg)
{
    hal_ga467_decoder *dec = malloc(sizeof *dec);
    if (!dec)
        abort();
    hal_ga467_decoder_init(dec);
    size_t from = 0;
    for (size_t i = 0; i <= k; i++) {
        size_t to = i < k ? cuts[i] : size;
        hal_events out = {0};
        if (hal_ga467_feed(dec, DEV, data + from, to - from, &out) == HAL_ERR_INVALID)
            abort();
        take(lg, &out);
        from = to;
    }
    hal_events out = {0};
    hal_ga467_flush(dec, DEV, NULL, &out);
    take(lg, &out);
    if (dec->start != 0 || dec->len != 0)
        abort();
    free(dec);
}

static void check_action(const hal_ga467_action *act)
{
    if (act->cmd_len != 0 && act->cmd_len != HAL_GA467_COMMAND_LEN)
        abort();
    if (act->wait_ms != HAL_GA467_POLL_MS && act->wait_ms != HAL_GA467_REPLY_MS &&
        act->wait_ms != HAL_GA467_READ_MS)
        abort();
}

static void step_frames(hal_ga467_reader *reader, const hal_ga467_frames *frames,
                        hal_ga467_action *act, hal_events *out)
{
    if (frames->n > HAL_GA467_FRAMES_MAX)
        abort();
    for (size_t f = 0; f < frames->n; f++) {
        hal_ga467_reader_step(reader, DEV, &frames->v[f], act, out);
        check_action(act);
    }
}

/* The driver's loop: each chunk is what arrived before a wait ran out. */
static void drive(const uint8_t *data, size_t size, const size_t *cuts, size_t k)
{
    hal_ga467_decoder *dec = malloc(sizeof *dec);
    hal_ga467_frames *frames = malloc(sizeof *frames);
    if (!dec || !frames)
        abort();
    hal_ga467_decoder_init(dec);
    hal_ga467_reader reader;
    hal_ga467_reader_init(&reader);
    hal_ga467_action act;
    log *lg = calloc(1, sizeof *lg);
    if (!lg)
        abort();
    size_t from = 0;
    for (size_t i = 0; i <= k; i++) {
        size_t to = i < k ? cuts[i] : size;
        hal_events out = {0};
        memset(frames, 0, sizeof *frames);
        hal_ga467_feed_frames(dec, DEV, data + from, to - from, frames, &out);
        step_frames(&reader, frames, &act, &out);
        memset(frames, 0, sizeof *frames);
        hal_ga467_flush(dec, DEV, frames, &out);
        step_frames(&reader, frames, &act, &out);
        hal_ga467_reader_step(&reader, DEV, NULL, &act, &out);
        check_action(&act);
        if (act.cmd_len != HAL_GA467_COMMAND_LEN)
            abort(); /* a tick always polls */
        take(lg, &out);
        from = to;
    }
    free(lg);
    free(frames);
    free(dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t plan = data[0];
    data++;
    size--;
    size_t cuts[CUTS_MAX];
    size_t k = plan_cuts(plan, size, cuts);

    log *chunked = calloc(1, sizeof *chunked), *whole = calloc(1, sizeof *whole);
    if (!chunked || !whole)
        abort();
    decode(data, size, cuts, k, chunked);
    decode(data, size, cuts, 0, whole);
    /* The cuts change nothing (when no call overflowed its hal_events). */
    if (chunked->dropped == 0 && whole->dropped == 0) {
        if (chunked->n != whole->n)
            abort();
        size_t n = whole->n < LOG_MAX ? whole->n : LOG_MAX;
        for (size_t i = 0; i < n; i++)
            if (memcmp(&chunked->v[i], &whole->v[i], sizeof whole->v[i]) != 0)
                abort();
    }
    free(chunked);
    free(whole);

    drive(data, size, cuts, k);
    return 0;
}
