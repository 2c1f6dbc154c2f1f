/*
 * Today's report for staff: totals, then sales by meal period, by tier or category and by payment.
 * Staff screens may name categories (低保 ...): a category id from the report is shown through its
 * label in the strings (cat.dibao = 低保). Also the rows the cash count and the day close show.
 */
#include "screen.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Rows kept back for the buttons and status lines after the report. */
enum { VIEW_RESERVE = 6 };

static void money_row(const zc_machine *m, zc_view *v, const char *key, zc_fen fen)
{
    char money[ZC_MONEY_TEXT_MAX];
    zc_m_money(fen, money);
    zc_view_add(v, ZC_ROLE_ROW, "", zc_m_text(m, key), money);
}

static void count_row(const zc_machine *m, zc_view *v, const char *key, int64_t n)
{
    char num[32];
    snprintf(num, sizeof num, "%" PRId64, n);
    zc_view_add(v, ZC_ROLE_ROW, "", zc_m_text(m, key), num);
}

static const char *row_label(const zc_machine *m, const zc_mrow *r, char *buf, size_t size)
{
    if (strcmp(r->key, ZC_REPORT_NONE) == 0)
        return zc_m_label(m, "report.none",
                          strcmp(r->section, "by_period") == 0 ? "period" : "tier", buf, size);
    if (strcmp(r->section, "by_period") == 0)
        return zc_m_label(m, "period", r->key, buf, size);
    if (strcmp(r->section, "by_payment") == 0)
        return zc_m_label(m, "pay", r->key, buf, size);
    /* by_tier: a category's label when it is one, else the tier id ("80+") as it is. */
    return zc_m_label(m, "cat", r->key, buf, size);
}

void zc_m_report_totals(const zc_machine *m, zc_view *v)
{
    const zc_report_totals *t = &m->report.total;
    count_row(m, v, "staff.report.sales", t->sales);
    count_row(m, v, "staff.report.voids", t->voids);
    money_row(m, v, "staff.report.gross", t->gross);
    money_row(m, v, "staff.report.subsidy", t->subsidy);
    money_row(m, v, "staff.report.self_pay", t->self_pay);
}

void zc_m_report_breakdown(const zc_machine *m, zc_view *v)
{
    const char *section = "";
    for (size_t i = 0; i < m->report.nrows && v->n + VIEW_RESERVE < ZC_VIEW_ITEMS_MAX; i++) {
        const zc_mrow *r = &m->report.rows[i];
        if (strcmp(section, r->section) != 0) {
            section = r->section;
            char key[ZC_STRINGS_KEY_MAX + ZC_ID_MAX];
            snprintf(key, sizeof key, "staff.report.%s", section);
            zc_view_add(v, ZC_ROLE_ROW, "", zc_m_text(m, key), "");
        }
        char label[ZC_VIEW_TEXT_MAX], n[32], money[ZC_MONEY_TEXT_MAX], text2[ZC_VIEW_TEXT_MAX];
        row_label(m, r, label, sizeof label);
        snprintf(n, sizeof n, "%" PRId64, r->t.sales - r->t.voids);
        /* What each breakdown is for: periods by takings, tiers by subsidy, payment by cash in. */
        zc_fen amount = strcmp(section, "by_period") == 0 ? r->t.gross
                        : strcmp(section, "by_tier") == 0 ? r->t.subsidy
                                                          : r->t.self_pay;
        zc_m_money(amount, money);
        const char *args[] = {n, money};
        zc_m_format(m, "staff.report.row", args, 2, text2, sizeof text2);
        zc_view_add(v, ZC_ROLE_ROW, "", label, text2);
    }
}

void zc_m_report_title(const zc_machine *m, zc_view *v, const char *key)
{
    char date[ZC_DATE_TEXT_LEN + 1] = "";
    if (m->have_report)
        zc_date_format(m->report.date, date);
    const char *args[] = {date};
    zc_m_addf(m, v, ZC_ROLE_TITLE, "", key, args, 1);
}

void zc_m_report_request(zc_machine *m, zc_effects *fx)
{
    m->have_report = false;
    zc_m_request(m, fx, ZC_FX_REPORT);
}

bool zc_m_report_answer(zc_machine *m, const zc_mevent *ev)
{
    if (ev->kind != ZC_MEV_REPORTED)
        return false;
    if (ev->err) {
        zc_m_note(m, ZC_TONE_ERROR, "staff.report.error", NULL, 0);
        return true;
    }
    m->report = ev->u.report;
    if (m->report.nrows > ZC_MACHINE_ROWS_MAX)
        m->report.nrows = ZC_MACHINE_ROWS_MAX;
    m->have_report = true;
    return true;
}

static void view(const zc_machine *m, zc_view *v)
{
    zc_m_view_begin(m, v, ZC_TONE_CALM);
    zc_m_report_title(m, v, "staff.report.title");
    if (m->has_pending)
        zc_m_wait_hint(m, v);
    if (m->note[0])
        zc_view_add(v, ZC_ROLE_HINT, "", m->note, NULL);
    if (m->have_report) {
        zc_m_report_totals(m, v);
        zc_m_report_breakdown(m, v);
    }
    if (!m->has_pending)
        zc_m_add(m, v, ZC_ROLE_BUTTON, "back", "staff.back");
    zc_m_status(m, v);
}

static void step(zc_machine *m, const zc_mevent *ev, zc_effects *fx)
{
    if (zc_m_report_answer(m, ev))
        return;
    if (ev->kind == ZC_MEV_TAP && strcmp(ev->u.id, "back") == 0)
        zc_m_go(m, ZC_SCREEN_STAFF_MENU, fx);
}

const zc_screen_ops zc_screen_staff_report = {
    .name = "staff_report",
    .staff = true,
    .timeout_ms = ZC_TIMEOUT_STAFF_MS,
    .enter = zc_m_report_request,
    .step = step,
    .view = view,
};
