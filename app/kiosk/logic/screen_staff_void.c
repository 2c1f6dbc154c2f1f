/*
 * Voiding a sale: the sale's number (流水号, printed on its receipt), a reason chosen from a
 * short list (so reports can count them; the ledger records the reason's Chinese text), and a
 * manager's PIN every time, even when a manager is logged in: a void gives money back, and the
 * second PIN is the second pair of eyes. The void itself is a new ledger entry (zc_sell_void).
 */
#include "screen.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

enum { SEQ_DIGITS = 10 };

static void reason_key(int i, char *buf, size_t size)
{
    snprintf(buf, size, "void.reason.%d", i);
}

static void view(const zc_machine *m, zc_view *v)
{
    zc_m_view_begin(m, v, m->void_step == ZC_VOID_RESULT ? m->note_tone : ZC_TONE_CALM);
    zc_m_add(m, v, ZC_ROLE_TITLE, "", "staff.void.title");
    char seq[32], key[ZC_STRINGS_KEY_MAX];
    snprintf(seq, sizeof seq, "%" PRId64, m->void_seq);
    const char *args[] = {seq, ""};
    switch (m->void_step) {
    case ZC_VOID_SEQ: {
        const char *eargs[] = {m->entry};
        zc_m_addf(m, v, ZC_ROLE_BODY, "", "staff.void.seq", eargs, 1);
        if (m->note[0])
            zc_view_add(v, ZC_ROLE_HINT, "", m->note, NULL);
        zc_m_keypad(m, v, false);
        break;
    }
    case ZC_VOID_REASON:
        zc_m_addf(m, v, ZC_ROLE_BODY, "", "staff.void.which", args, 1);
        for (int i = 1; i <= ZC_VOID_REASONS; i++) {
            char id[ZC_VIEW_ID_MAX];
            snprintf(id, sizeof id, "reason:%d", i);
            reason_key(i, key, sizeof key);
            zc_m_add(m, v, ZC_ROLE_BUTTON, id, key);
        }
        break;
    case ZC_VOID_MANAGER: {
        reason_key(m->void_reason, key, sizeof key);
        args[1] = zc_m_text(m, key);
        zc_m_addf(m, v, ZC_ROLE_BODY, "", "staff.void.summary", args, 2);
        zc_m_add(m, v, ZC_ROLE_BODY, "", "staff.void.manager");
        char dots[ZC_VIEW_TEXT_MAX] = "";
        for (const char *p = m->entry; *p; p++)
            zc_strings_append(dots, sizeof dots, "\u25CF");
        if (dots[0])
            zc_view_add(v, ZC_ROLE_BIG_AMOUNT, "", dots, NULL);
        if (zc_m_pin_locked(m))
            zc_m_add(m, v, ZC_ROLE_HINT, "", "staff.pin.locked");
        else if (m->note[0])
            zc_view_add(v, ZC_ROLE_HINT, "", m->note, NULL);
        if (m->has_pending)
            zc_m_wait_hint(m, v);
        else if (!zc_m_pin_locked(m))
            zc_m_keypad(m, v, false);
        break;
    }
    case ZC_VOID_RESULT:
        zc_view_add(v, ZC_ROLE_BODY, "", m->note, NULL);
        break;
    }
    if (!m->has_pending)
        zc_m_add(m, v, ZC_ROLE_BUTTON, "back", "staff.back");
    zc_m_status(m, v);
}

static void enter(zc_machine *m, zc_effects *fx)
{
    (void)fx;
    m->void_step = ZC_VOID_SEQ;
    m->void_seq = 0;
    m->void_reason = 0;
}

static void answer(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    if (ev->kind == ZC_MEV_PIN_CHECKED) {
        if (ev->err == ZC_OK && ev->u.pin.ok && ev->u.pin.role == ZC_STAFF_MANAGER) {
            m->pin_failures = 0;
            char key[ZC_STRINGS_KEY_MAX];
            reason_key(m->void_reason, key, sizeof key);
            zc_fx *f = zc_m_request(m, fx, ZC_FX_VOID);
            if (f) {
                f->u.void_.seq = m->void_seq;
                zc_strings_copy(f->u.void_.reason, sizeof f->u.void_.reason, zc_m_text_zh(m, key));
            }
        } else if (ev->err) {
            zc_m_note(m, ZC_TONE_ERROR, "staff.pin.error", NULL, 0);
        } else {
            zc_m_pin_failed(m);
        }
        return;
    }
    /* ZC_MEV_VOIDED */
    char seq[32];
    snprintf(seq, sizeof seq, "%" PRId64, m->void_seq);
    const char *args[] = {seq};
    m->void_step = ZC_VOID_RESULT;
    if (ev->err == ZC_OK)
        zc_m_note(m, ZC_TONE_SUCCESS, "staff.void.done", args, 1);
    else if (ev->err == ZC_ERR_NOT_FOUND)
        zc_m_note(m, ZC_TONE_ERROR, "staff.void.not_found", args, 1);
    else if (ev->err == ZC_ERR_BUSY)
        zc_m_note(m, ZC_TONE_ERROR, "staff.void.busy", args, 1);
    else
        zc_m_note(m, ZC_TONE_ERROR, "staff.void.refused", args, 1);
}

static void step(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    if (ev->kind == ZC_MEV_PIN_CHECKED || ev->kind == ZC_MEV_VOIDED) {
        answer(m, ev, fx);
        return;
    }
    if (ev->kind != ZC_MEV_TAP)
        return;
    const char *id = ev->u.id;
    if (strcmp(id, "back") == 0) {
        zc_m_go(m, ZC_SCREEN_STAFF_MENU, fx);
        return;
    }
    switch (m->void_step) {
    case ZC_VOID_SEQ:
        if (zc_m_entry_edit(m, id, SEQ_DIGITS, false)) {
            m->note[0] = '\0';
        } else if (strcmp(id, "key:ok") == 0) {
            zc_fen seq = zc_m_entry_fen(m);
            if (seq <= 0) {
                zc_m_note(m, ZC_TONE_WARNING, "staff.void.need_seq", NULL, 0);
                return;
            }
            m->void_seq = seq;
            m->void_step = ZC_VOID_REASON;
            zc_m_entry_clear(m);
        }
        break;
    case ZC_VOID_REASON:
        if (strncmp(id, "reason:", 7) == 0 && id[7] >= '1' && id[7] < '1' + ZC_VOID_REASONS &&
            id[8] == '\0') {
            m->void_reason = id[7] - '0';
            m->void_step = ZC_VOID_MANAGER;
            m->note[0] = '\0';
        }
        break;
    case ZC_VOID_MANAGER:
        if (zc_m_entry_edit(m, id, ZC_MACHINE_PIN_MAX, false)) {
            m->note[0] = '\0';
        } else if (strcmp(id, "key:ok") == 0) {
            zc_m_submit_pin(m, fx, ZC_STAFF_MANAGER);
        }
        break;
    case ZC_VOID_RESULT:
        break;
    }
}

const zc_screen_ops zc_screen_staff_void = {
    .name = "staff_void",
    .staff = true,
    .timeout_ms = ZC_TIMEOUT_STAFF_MS,
    .enter = enter,
    .step = step,
    .view = view,
};
