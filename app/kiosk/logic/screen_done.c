/*
 * Done: the sale is recorded. What the elder paid, large; the receipt QR on screen whatever the
 * printer did (so an elder without a printed receipt still has one, and a photo of the screen
 * verifies); whether to take the receipt or to tell staff that none came out. Back to idle by
 * itself: after ZC_TIMEOUT_DONE_MS when the receipt printed, after the longer
 * ZC_TIMEOUT_DONE_NO_RECEIPT_MS when it did not.
 *
 * The speech waits for the printer's answer so the elder hears one complete sentence.
 */
#include "screen.h"

#include <stdio.h>
#include <string.h>

static bool paper_out(const zc_machine *m)
{
    for (size_t i = 0; i < m->ndevices; i++)
        if (m->devices[i].status == HAL_STATUS_PAPER_OUT)
            return true;
    return false;
}

static void view(const zc_machine *m, zc_view *v)
{
    bool failed = !m->printing && !m->printed;
    zc_m_view_begin(m, v, failed ? ZC_TONE_WARNING : ZC_TONE_SUCCESS);
    zc_m_add(m, v, ZC_ROLE_TITLE, "", "done.title");
    char money[ZC_MONEY_TEXT_MAX];
    zc_m_money(m->sold.self_pay, money);
    const char *args[] = {money};
    zc_m_addf(m, v, ZC_ROLE_BIG_AMOUNT, "", "done.paid", args, 1);
    zc_m_money(m->sold.subsidy, money);
    zc_view_add(v, ZC_ROLE_AMOUNT, "", zc_m_text(m, "confirm.subsidy"), money);
    if (m->printing) {
        zc_m_add(m, v, ZC_ROLE_BODY, "", "done.printing");
    } else if (m->printed) {
        zc_m_add(m, v, ZC_ROLE_BODY, "", "done.take_receipt");
    } else {
        zc_m_add(m, v, ZC_ROLE_BODY, "", m->no_printer ? "done.no_printer" : "done.no_receipt");
        if (!m->no_printer && paper_out(m))
            zc_m_add(m, v, ZC_ROLE_HINT, "", "done.paper_out");
        zc_m_add(m, v, ZC_ROLE_HINT, "", "done.show_qr");
    }
    if (m->receipt[0])
        zc_view_add(v, ZC_ROLE_QR, "", m->receipt, NULL);
    char seq[32];
    snprintf(seq, sizeof seq, "%lld", (long long)m->sale_seq);
    const char *sargs[] = {seq};
    zc_m_addf(m, v, ZC_ROLE_HINT, "", "done.seq", sargs, 1);
    if (!m->printing)
        zc_m_add(m, v, ZC_ROLE_BUTTON_PRIMARY, "ok", "done.ok");
    zc_m_status(m, v);
}

static void step(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    if (ev->kind == ZC_MEV_PRINTED) {
        m->printing = false;
        m->printed = ev->err == ZC_OK && ev->u.print.printed;
        m->no_printer = ev->u.print.no_printer;
        m->deadline = m->now + (m->printed ? ZC_TIMEOUT_DONE_MS : ZC_TIMEOUT_DONE_NO_RECEIPT_MS);
        char pay[ZC_VIEW_TEXT_MAX];
        zc_m_money_spoken(m, m->sold.self_pay, pay, sizeof pay);
        const char *args[] = {pay};
        zc_m_speak(m, fx,
                   m->printed      ? "speak.done"
                   : m->no_printer ? "speak.done_no_printer"
                                   : "speak.done_no_receipt",
                   args, 1);
        return;
    }
    if (ev->kind == ZC_MEV_TAP && strcmp(ev->u.id, "ok") == 0)
        zc_m_to_idle(m, fx);
}

const zc_screen_ops zc_screen_done = {
    .name = "done",
    .staff = false,
    .timeout_ms = ZC_TIMEOUT_DONE_MS,
    .enter = NULL,
    .step = step,
    .view = view,
};
