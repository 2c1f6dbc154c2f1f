/*
 * The state machine's common part: everything every screen does alike, before a screen's own step
 * sees an event (see machine.h for the rules that make double taps, late answers and stray cards
 * harmless), and the helpers the screens share (screen.h).
 */
#include "machine.h"

#include "screen.h"

#include "zc/syncwire.h"

#include <inttypes.h>

#include <stdio.h>
#include <string.h>

static const zc_screen_ops *const OPS[ZC_SCREEN_COUNT] = {
    [ZC_SCREEN_IDLE] = &zc_screen_idle,
    [ZC_SCREEN_IDENTIFIED] = &zc_screen_identified,
    [ZC_SCREEN_CHOOSE] = &zc_screen_choose,
    [ZC_SCREEN_AMOUNT] = &zc_screen_amount,
    [ZC_SCREEN_CONFIRM] = &zc_screen_confirm,
    [ZC_SCREEN_DONE] = &zc_screen_done,
    [ZC_SCREEN_ERROR] = &zc_screen_error,
    [ZC_SCREEN_STAFF_PIN] = &zc_screen_staff_pin,
    [ZC_SCREEN_STAFF_MENU] = &zc_screen_staff_menu,
    [ZC_SCREEN_STAFF_SELL] = &zc_screen_staff_sell,
    [ZC_SCREEN_STAFF_VOID] = &zc_screen_staff_void,
    [ZC_SCREEN_STAFF_REPORT] = &zc_screen_staff_report,
    [ZC_SCREEN_STAFF_CASH] = &zc_screen_staff_cash,
    [ZC_SCREEN_STAFF_CLOSE] = &zc_screen_staff_close,
    [ZC_SCREEN_STAFF_DEVICES] = &zc_screen_staff_devices,
    [ZC_SCREEN_STAFF_CLOCK] = &zc_screen_staff_clock,
    [ZC_SCREEN_STAFF_SETTINGS] = &zc_screen_staff_settings,
    [ZC_SCREEN_STAFF_PINCHANGE] = &zc_screen_staff_pinchange,
};

const zc_screen_ops *zc_screen_ops_of(zc_screen s)
{
    return (unsigned)s < ZC_SCREEN_COUNT ? OPS[s] : OPS[ZC_SCREEN_IDLE];
}

const char *zc_screen_name(zc_screen s)
{
    return zc_screen_ops_of(s)->name;
}

void zc_mevent_init(zc_mevent *ev, zc_mev_kind kind)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
}

/* ---- effects ---- */

zc_fx *zc_m_fx(zc_effects *fx, zc_fx_kind kind)
{
    if (fx->n >= ZC_FX_MAX) {
        fx->dropped++;
        return NULL;
    }
    zc_fx *f = &fx->v[fx->n++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    return f;
}

zc_fx *zc_m_request(zc_machine *m, zc_effects *fx, zc_fx_kind kind)
{
    zc_fx *f = zc_m_fx(fx, kind);
    if (f) {
        m->has_pending = true;
        m->pending = kind;
    }
    return f;
}

void zc_m_request_sale(zc_machine *m, zc_effects *fx, zc_fx_kind kind)
{
    zc_fx *f = zc_m_request(m, fx, kind);
    if (!f)
        return;
    f->u.sale.ident = m->ident;
    zc_strings_copy(f->u.sale.credential, sizeof f->u.sale.credential, m->credential);
    if (kind != ZC_FX_IDENTIFY) {
        zc_strings_copy(f->u.sale.item, sizeof f->u.sale.item, m->item);
        f->u.sale.price = m->item[0] ? 0 : m->keyed_price;
    }
}

void zc_m_speak(const zc_machine *m, zc_effects *fx, const char *key, const char *const *args,
                size_t nargs)
{
    zc_fx *f = zc_m_fx(fx, ZC_FX_SPEAK);
    if (f)
        zc_m_format(m, key, args, nargs, f->u.speech, sizeof f->u.speech);
}

/* ---- texts ---- */

const char *zc_m_text_zh(const zc_machine *m, const char *key)
{
    const char *t = zc_strings_get(m->strings[ZC_LANG_ZH], key);
    return t ? t : key;
}

const char *zc_m_text(const zc_machine *m, const char *key)
{
    const char *t = NULL;
    if ((unsigned)m->lang < ZC_LANG_COUNT)
        t = zc_strings_get(m->strings[m->lang], key);
    return t ? t : zc_m_text_zh(m, key);
}

void zc_m_format(const zc_machine *m, const char *key, const char *const *args, size_t nargs,
                 char *buf, size_t size)
{
    zc_strings_format(zc_m_text(m, key), args, nargs, buf, size);
}

void zc_m_money(zc_fen fen, char buf[ZC_MONEY_TEXT_MAX])
{
    zc_money_format(fen, buf, ZC_MONEY_TEXT_MAX);
}

void zc_m_money_spoken(const zc_machine *m, zc_fen fen, char *buf, size_t size)
{
    /* "12" or "12.50": a voice reads "¥" badly, so the language's own word for yuan follows. */
    char num[ZC_MONEY_TEXT_MAX];
    zc_fen a = fen < 0 ? -fen : fen;
    if (a % 100 == 0)
        snprintf(num, sizeof num, "%s%lld", fen < 0 ? "-" : "", (long long)(a / 100));
    else
        snprintf(num, sizeof num, "%s%lld.%02lld", fen < 0 ? "-" : "", (long long)(a / 100),
                 (long long)(a % 100));
    const char *args[] = {num};
    zc_m_format(m, "speak.money", args, 1, buf, size);
}

static bool key_safe(const char *id)
{
    if (!*id)
        return false;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return true;
}

const char *zc_m_label(const zc_machine *m, const char *prefix, const char *id, char *buf,
                       size_t size)
{
    char key[ZC_STRINGS_KEY_MAX];
    int n = snprintf(key, sizeof key, "%s.%s", prefix, id);
    const char *t = NULL;
    if (key_safe(id) && n > 0 && (size_t)n < sizeof key) {
        t = zc_strings_get(m->strings[m->lang], key);
        if (!t)
            t = zc_strings_get(m->strings[ZC_LANG_ZH], key);
    }
    zc_strings_copy(buf, size, t ? t : id);
    return buf;
}

/* ---- views ---- */

void zc_m_view_begin(const zc_machine *m, zc_view *v, zc_tone tone)
{
    const zc_screen_ops *ops = zc_screen_ops_of(m->screen);
    memset(v, 0, sizeof *v);
    v->screen = ops->name;
    v->staff = ops->staff;
    v->tone = tone;
}

zc_view_item *zc_m_add(const zc_machine *m, zc_view *v, zc_role role, const char *id,
                       const char *key)
{
    return zc_view_add(v, role, id, zc_m_text(m, key), NULL);
}

zc_view_item *zc_m_addf(const zc_machine *m, zc_view *v, zc_role role, const char *id,
                        const char *key, const char *const *args, size_t nargs)
{
    char buf[ZC_VIEW_TEXT_MAX];
    zc_m_format(m, key, args, nargs, buf, sizeof buf);
    return zc_view_add(v, role, id, buf, NULL);
}

const char *zc_m_status_key(hal_status s)
{
    switch (s) {
    case HAL_STATUS_CONNECTED:
        return "device.connected";
    case HAL_STATUS_DISCONNECTED:
        return "device.disconnected";
    case HAL_STATUS_FAULT:
        return "device.fault";
    case HAL_STATUS_PAPER_OUT:
        return "device.paper_out";
    case HAL_STATUS_PAPER_LOW:
        return "device.paper_low";
    }
    return "device.fault";
}

void zc_m_status(const zc_machine *m, zc_view *v)
{
    for (size_t i = 0; i < m->ndevices; i++) {
        const zc_mdevice *d = &m->devices[i];
        if (d->status == HAL_STATUS_CONNECTED)
            continue;
        const char *args[] = {d->name, zc_m_text(m, zc_m_status_key(d->status))};
        zc_m_addf(m, v, ZC_ROLE_STATUS, "", "status.device", args, 2);
    }
    if (m->clock_behind)
        zc_m_add(m, v, ZC_ROLE_STATUS, "", "status.clock");
    /* Sync shows only when something needs staff: all well, the strip stays as it was. */
    if (m->sync.enrolled && m->sync.failing) {
        char n[ZC_ID_MAX];
        snprintf(n, sizeof n, "%" PRId64, m->sync.pending);
        const char *args[] = {n};
        zc_m_addf(m, v, ZC_ROLE_STATUS, "", "status.sync_failing", args, 1);
    }
    if (zc_m_sync_skewed(m))
        zc_m_add(m, v, ZC_ROLE_STATUS, "", "status.sync_clock");
}

bool zc_m_sync_skewed(const zc_machine *m)
{
    int64_t off = m->sync.hub_offset_ms;
    return m->sync.enrolled && (off > ZC_SYNC_SKEW_WARN_MS || off < -ZC_SYNC_SKEW_WARN_MS);
}

void zc_m_keypad(const zc_machine *m, zc_view *v, bool with_x)
{
    static const char *const DIGITS[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9"};
    char id[ZC_VIEW_ID_MAX];
    for (size_t i = 0; i < sizeof DIGITS / sizeof DIGITS[0]; i++) {
        snprintf(id, sizeof id, "key:%s", DIGITS[i]);
        zc_view_add(v, ZC_ROLE_KEY, id, DIGITS[i], NULL);
    }
    if (with_x)
        zc_view_add(v, ZC_ROLE_KEY, "key:X", "X", NULL);
    zc_view_add(v, ZC_ROLE_KEY, "key:0", "0", NULL);
    zc_m_add(m, v, ZC_ROLE_KEY, "key:back", "key.back");
    zc_m_add(m, v, ZC_ROLE_KEY, "key:ok", "key.ok");
}

void zc_m_wait_hint(const zc_machine *m, zc_view *v)
{
    zc_m_add(m, v, ZC_ROLE_HINT, "", "common.wait");
}

/* ---- keypad entry ---- */

bool zc_m_entry_edit(zc_machine *m, const char *id, size_t max, bool allow_x)
{
    if (strncmp(id, "key:", 4) != 0)
        return false;
    const char *k = id + 4;
    size_t len = strlen(m->entry);
    if (strcmp(k, "back") == 0) {
        if (len > 0)
            m->entry[len - 1] = '\0';
        return true;
    }
    bool digit = k[0] >= '0' && k[0] <= '9' && k[1] == '\0';
    bool x = allow_x && strcmp(k, "X") == 0;
    if (!digit && !x)
        return false;
    if (len < max && len < ZC_MACHINE_ENTRY_MAX) {
        m->entry[len] = k[0];
        m->entry[len + 1] = '\0';
    }
    return true;
}

zc_fen zc_m_entry_fen(const zc_machine *m)
{
    if (!m->entry[0])
        return -1;
    zc_fen v = 0;
    for (const char *p = m->entry; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0'); /* at most ZC_MACHINE_ENTRY_MAX digits: fits int64 */
    }
    return v;
}

void zc_m_entry_clear(zc_machine *m)
{
    memset(m->entry, 0, sizeof m->entry);
    memset(m->entry2, 0, sizeof m->entry2);
}

bool zc_m_pin_locked(const zc_machine *m)
{
    return m->pin_locked_until != 0 && m->now < m->pin_locked_until;
}

void zc_m_pin_failed(zc_machine *m)
{
    if (++m->pin_failures >= ZC_PIN_ATTEMPTS_MAX) {
        m->pin_failures = 0;
        m->pin_locked_until = m->now + ZC_PIN_LOCKOUT_MS;
        zc_m_note(m, ZC_TONE_ERROR, "staff.pin.locked", NULL, 0);
    } else {
        zc_m_note(m, ZC_TONE_ERROR, "staff.pin.wrong", NULL, 0);
    }
}

void zc_m_submit_pin(zc_machine *m, zc_effects *fx, zc_role_staff role)
{
    if (strlen(m->entry) < ZC_MACHINE_PIN_MIN) {
        zc_m_note(m, ZC_TONE_WARNING, "staff.pin.short", NULL, 0);
        return;
    }
    zc_fx *f = zc_m_request(m, fx, ZC_FX_CHECK_PIN);
    if (f) {
        f->u.pin.role = role;
        zc_strings_copy(f->u.pin.pin, sizeof f->u.pin.pin, m->entry);
    }
    zc_m_entry_clear(m);
}

void zc_m_note(zc_machine *m, zc_tone tone, const char *key, const char *const *args, size_t nargs)
{
    m->note_tone = tone;
    zc_m_format(m, key, args, nargs, m->note, sizeof m->note);
}

/* ---- state changes ---- */

void zc_m_go(zc_machine *m, zc_screen s, zc_effects *fx)
{
    const zc_screen_ops *ops = zc_screen_ops_of(s);
    m->screen = s;
    m->deadline = ops->timeout_ms ? m->now + ops->timeout_ms : 0;
    m->note[0] = '\0';
    m->note_tone = ZC_TONE_CALM;
    zc_m_entry_clear(m);
    if (ops->enter)
        ops->enter(m, fx);
}

/* Forgets the elder: the credential may be an ID number, which must not outlive the sale. */
static void end_session(zc_machine *m)
{
    m->ident = ZC_IDENT_NONE;
    memset(m->credential, 0, sizeof m->credential);
    memset(m->card_name, 0, sizeof m->card_name);
    memset(&m->elder, 0, sizeof m->elder);
    m->full_price_accepted = false;
    m->page = 0;
    memset(m->item, 0, sizeof m->item);
    memset(m->item_name, 0, sizeof m->item_name);
    m->keyed_price = 0;
    memset(&m->quote, 0, sizeof m->quote);
    m->sale_seq = 0;
    memset(&m->sold, 0, sizeof m->sold);
    memset(m->receipt, 0, sizeof m->receipt);
    m->printing = m->printed = m->no_printer = false;
    m->problem = ZC_PROBLEM_NONE;
}

static void end_staff(zc_machine *m)
{
    m->staff = ZC_STAFF_NONE;
    m->void_step = ZC_VOID_SEQ;
    m->void_seq = 0;
    m->void_reason = 0;
    m->have_report = false;
    memset(&m->report, 0, sizeof m->report);
    m->cash_counted = false;
    m->cash_counted_fen = 0;
    m->day_closed = m->day_close_printed = false;
}

void zc_m_to_idle(zc_machine *m, zc_effects *fx)
{
    end_session(m);
    end_staff(m);
    zc_m_go(m, ZC_SCREEN_IDLE, fx);
}

void zc_m_problem(zc_machine *m, zc_problem p, zc_effects *fx)
{
    m->problem = p;
    zc_m_go(m, ZC_SCREEN_ERROR, fx);
}

void zc_flow_failed(zc_machine *m, const zc_mevent *ev, zc_fx_kind retry, zc_effects *fx)
{
    if (ev->err == ZC_ERR_BUSY) {
        m->retry = retry;
        zc_m_problem(m, ZC_PROBLEM_BUSY, fx);
    } else if (ev->err == ZC_ERR_INVALID && retry == ZC_FX_IDENTIFY) {
        /* An ID card read with a number that is not one: a bad read, not a bad elder. */
        zc_m_problem(m, ZC_PROBLEM_UNREADABLE, fx);
    } else {
        zc_m_problem(m, ZC_PROBLEM_FAULT, fx);
    }
}

/* ---- init, step, view ---- */

static bool readers_wanted(const zc_machine *m)
{
    if (m->has_pending)
        return false;
    if (m->screen == ZC_SCREEN_IDLE)
        return true;
    /* "Lift the card and present it again", or another card after "not in the roster". */
    return m->screen == ZC_SCREEN_ERROR &&
           (m->problem == ZC_PROBLEM_UNREADABLE || m->problem == ZC_PROBLEM_NOT_FOUND);
}

static void sync_readers(zc_machine *m, zc_effects *fx)
{
    bool want = readers_wanted(m);
    if (want == m->readers)
        return;
    m->readers = want;
    zc_fx *f = zc_m_fx(fx, ZC_FX_READERS);
    if (f)
        f->u.enabled = want;
}

void zc_machine_init(zc_machine *m, const zc_machine_config *cfg, zc_effects *fx)
{
    memset(m, 0, sizeof *m);
    for (int i = 0; i < ZC_LANG_COUNT; i++)
        m->strings[i] = cfg->strings[i];
    m->tz = cfg->tz;
    m->lang =
        (unsigned)cfg->lang < ZC_LANG_COUNT && cfg->strings[cfg->lang] ? cfg->lang : ZC_LANG_ZH;
    m->volume = cfg->volume < 0 ? 0 : cfg->volume > ZC_VOLUME_MAX ? ZC_VOLUME_MAX : cfg->volume;
    m->now = cfg->now;
    m->ident = ZC_IDENT_NONE;
    zc_m_to_idle(m, fx);
    sync_readers(m, fx);
}

static void update_device(zc_machine *m, const zc_mdevice *d)
{
    size_t i = 0;
    while (i < m->ndevices && strcmp(m->devices[i].name, d->name) != 0)
        i++;
    if (i == m->ndevices) {
        if (m->ndevices == ZC_MACHINE_DEVICES_MAX)
            return; /* more devices than a kiosk has: the first ones stay listed */
        m->ndevices++;
    }
    m->devices[i] = *d;
    m->devices[i].name[sizeof m->devices[i].name - 1] = '\0';
    m->devices[i].message[sizeof m->devices[i].message - 1] = '\0';
}

static void take_credential(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    end_session(m);
    end_staff(m);
    zc_m_go(m, ZC_SCREEN_IDLE, fx);
    if (!ev->u.credential.text[0]) {
        zc_m_problem(m, ZC_PROBLEM_UNREADABLE, fx);
        return;
    }
    m->ident = ev->u.credential.ident;
    zc_strings_copy_n(m->credential, sizeof m->credential, ev->u.credential.text,
                      sizeof ev->u.credential.text);
    if (ev->u.credential.name[0]) {
        char name[ZC_NAME_MAX];
        zc_strings_copy_n(name, sizeof name, ev->u.credential.name, sizeof ev->u.credential.name);
        zc_roster_mask_name(name, m->card_name, sizeof m->card_name);
    }
    zc_m_request_sale(m, fx, ZC_FX_IDENTIFY);
}

/* The element a key stands for on the current view. */
static void key_to_id(const zc_view *v, const char *key, char *id, size_t size)
{
    id[0] = '\0';
    if (key[0] >= '0' && key[0] <= '9' && key[1] == '\0') {
        snprintf(id, size, "key:%c", key[0]);
    } else if (strcmp(key, "X") == 0 || strcmp(key, "x") == 0) {
        snprintf(id, size, "key:X");
    } else if (strcmp(key, "Backspace") == 0 || strcmp(key, "\b") == 0 ||
               strcmp(key, "\x7f") == 0) {
        snprintf(id, size, "key:back");
    } else if (strcmp(key, "Enter") == 0 || strcmp(key, "Return") == 0 || strcmp(key, "\r") == 0 ||
               strcmp(key, "\n") == 0) {
        if (zc_view_find(v, "key:ok")) {
            snprintf(id, size, "key:ok");
        } else {
            for (size_t i = 0; i < v->n; i++)
                if (v->items[i].role == ZC_ROLE_BUTTON_PRIMARY) {
                    zc_strings_copy(id, size, v->items[i].id);
                    break;
                }
        }
    } else if (strcmp(key, "Escape") == 0 || strcmp(key, "\x1b") == 0) {
        zc_strings_copy(id, size, zc_view_find(v, "cancel") ? "cancel" : "back");
    }
}

static void tap(zc_machine *m, const char *id, bool is_key, zc_effects *fx)
{
    if (m->has_pending)
        return;
    zc_view v;
    zc_machine_view(m, &v);
    char mapped[ZC_VIEW_ID_MAX];
    if (is_key) {
        key_to_id(&v, id, mapped, sizeof mapped);
        id = mapped;
    }
    if (!zc_view_find(&v, id))
        return; /* not on this screen (any more): a second tap, a stale script, a stray key */
    const zc_screen_ops *ops = zc_screen_ops_of(m->screen);
    if (ops->timeout_ms)
        m->deadline = m->now + ops->timeout_ms; /* someone is there: give them the full time */
    zc_mevent ev;
    zc_mevent_init(&ev, ZC_MEV_TAP);
    zc_strings_copy(ev.u.id, sizeof ev.u.id, id);
    ops->step(m, &ev, fx);
}

static bool answers(zc_mev_kind ev, zc_fx_kind fx)
{
    switch (ev) {
    case ZC_MEV_IDENTIFIED:
        return fx == ZC_FX_IDENTIFY;
    case ZC_MEV_QUOTED:
        return fx == ZC_FX_QUOTE;
    case ZC_MEV_SOLD:
        return fx == ZC_FX_SELL;
    case ZC_MEV_PRINTED:
        return fx == ZC_FX_PRINT;
    case ZC_MEV_PIN_CHECKED:
        return fx == ZC_FX_CHECK_PIN;
    case ZC_MEV_PIN_CHANGED:
        return fx == ZC_FX_CHANGE_PIN;
    case ZC_MEV_VOIDED:
        return fx == ZC_FX_VOID;
    case ZC_MEV_REPORTED:
        return fx == ZC_FX_REPORT;
    case ZC_MEV_CLOCK_SET:
        return fx == ZC_FX_SET_CLOCK;
    case ZC_MEV_DAY_CLOSED:
        return fx == ZC_FX_CLOSE_DAY;
    case ZC_MEV_SETTINGS_SAVED:
        return fx == ZC_FX_SAVE_SETTINGS;
    default:
        return false;
    }
}

void zc_machine_step(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    switch (ev->kind) {
    case ZC_MEV_TICK:
        m->now = ev->now;
        if (!m->has_pending && m->deadline && m->now >= m->deadline)
            zc_m_to_idle(m, fx);
        break;
    case ZC_MEV_CREDENTIAL:
        if (m->readers)
            take_credential(m, ev, fx);
        break;
    case ZC_MEV_READ_ERROR:
        if (m->readers) {
            end_session(m);
            zc_m_problem(m, ZC_PROBLEM_UNREADABLE, fx);
        }
        break;
    case ZC_MEV_DEVICE_STATUS:
        update_device(m, &ev->u.device);
        break;
    case ZC_MEV_CLOCK_CHECK:
        m->clock_behind = ev->u.flag;
        break;
    case ZC_MEV_SYNC_STATUS:
        m->sync = ev->u.sync;
        break;
    case ZC_MEV_TAP:
    case ZC_MEV_KEY:
        tap(m, ev->u.id, ev->kind == ZC_MEV_KEY, fx);
        break;
    default:
        if (m->has_pending && answers(ev->kind, m->pending)) {
            m->has_pending = false;
            zc_screen_ops_of(m->screen)->step(m, ev, fx);
        }
        break;
    }
    sync_readers(m, fx);
}

void zc_machine_view(const zc_machine *m, zc_view *out)
{
    zc_screen_ops_of(m->screen)->view(m, out);
}

zc_ms zc_machine_deadline(const zc_machine *m)
{
    if (m->has_pending)
        return 0;
    zc_ms d = m->deadline;
    /* The keypad comes back when a PIN lockout ends: the screen must be drawn again then. */
    if (zc_m_pin_locked(m) && (d == 0 || m->pin_locked_until < d))
        d = m->pin_locked_until;
    return d;
}
