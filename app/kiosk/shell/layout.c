#include "layout.h"

#include "theme.h"
#include "wrap.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum {
    WRAP_LINES_MAX = 8,
    SHRINK_STEPS = 10, /* text shrinks by SHRINK_PERCENT a step until it fits */
    SHRINK_PERCENT = 92,
    AIR_SHRINK_PERCENT = 70, /* the space between blocks shrinks faster than text */
    MENU_COLUMNS_WIDE = 3,   /* staff menus: buttons a row in landscape */
    MENU_COLUMNS_TALL = 2,   /* and in portrait */
    KEYPAD_COLUMNS = 3,      /* a telephone keypad */
    KEYPAD_COLUMNS_MANY = 4,
    KEYPAD_MANY = 12,      /* more keys than this get a fourth column */
    BUTTON_SEPARATION = 3, /* two buttons side by side are this many gaps apart: no slips */
    PERCENT = 100,
    PER_MILLE = 1000,
    LINE_PER_MILLE = 1100,         /* line pitch of body text, of the font's own height */
    TIGHT_LINES_STEP = 3,          /* from this shrinking step on, lines are set solid */
    BUTTON_SHRINK_STEPS = 4,       /* the bottom buttons give up this much before text is cut */
    BUTTON_PER_MILLE = 1500,       /* a button's height, of its label's line height */
    ROW_PER_MILLE = 1350,          /* a table row's height, of its text's line height */
    BILL_ROW_PER_MILLE = 1250,     /* a line of the bill */
    STRIP_PER_MILLE = 1500,        /* the status strip */
    MEDIA_MIN_DIV = 5,             /* a picture is at least 1/5 of the short side tall */
    MEDIA_MAX_PER_MILLE = 550,     /* and at most 55% of it */
    SINGLE_BUTTON_PER_MILLE = 600, /* a lone button: 60% of the short side wide at least */
    PAIR_BUTTON_PER_MILLE = 750,   /* each of two buttons: at most 75% of the short side */
    BILL_WIDE_PER_MILLE = 620,     /* the bill's width in landscape, of the window's */
    TABLE_LEAST_PER_MILLE = 500,   /* a table is at least half its column wide */
    TABLE_SPACE_EMS = 2,           /* and leaves this many ems between a label and its figure */
    ROW_FIGURE_LINES = 3,          /* a long figure (a device's message) wraps this far */
    SPLIT_SLACK_NUM = 1,           /* a section boundary within 1/4 of the rows of the middle */
    SPLIT_SLACK_DEN = 4,
    KEY_MAX_DIV = 5,              /* a key at most 1/5 of the short side tall */
    KEY_WIDE_PER_MILLE = 1300,    /* keys are wider than tall where room allows */
    KEY_LABEL_PER_MILLE = 500,    /* a key's label, of the key's height */
    KEYPAD_SHARE_PER_MILLE = 480, /* landscape: the keypad takes at most this of the width */
    SIDE_PER_MILLE = 360,         /* landscape: the side column for pictures, of the width */
    AMOUNT_SHRINK_LAG = 4,        /* amounts start shrinking this many steps after text */
    TITLE_SHRINK_LAG = 2,         /* titles this many */
    ONE_COLUMN_STEPS = 3,         /* a table shrinks this much before it splits in two */
    ROW_TIGHT_PER_MILLE = 1150,   /* a table row's height once lines are set solid */
    PX_STEP_DIV = 25,             /* shrinking to fit goes 4% a step */
    LABEL_ONE_LINE_PCT = 75,      /* a label shrinks this far on one line before it wraps */
};

typedef enum block_kind { BLOCK_TEXT, BLOCK_BILL, BLOCK_MEDIA, BLOCK_TABLE, BLOCK_MENU } block_kind;

typedef struct block {
    block_kind kind;
    size_t start, n; /* items: order[start .. start+n) */
    bool top;        /* titles stay at the top; the rest is centred below them */
    bool side;       /* pictures moved to the side column (landscape, when space is short) */
} block;

/* Text sizes for one attempt at fitting. */
typedef struct sizes {
    int title, body, hint, amount, big, label, row;
    int gap;      /* between blocks and inside the bill: air goes before text does */
    int pitch_pm; /* line pitch of wrapped text, per mille of the font's height */
    int row_pm;   /* a table row's height, per mille of its line's */
} sizes;

typedef struct lay {
    const zc_view *v;
    layout *out;
    const layout_metrics *m;
    int floor; /* the least text size: the elders' on their screens, the staff's on theirs */
    layout_measure_fn measure;
    void *mctx;
    size_t order[ZC_VIEW_ITEMS_MAX];
    size_t nblocks;
    block blocks[ZC_VIEW_ITEMS_MAX];
    size_t buttons[ZC_VIEW_ITEMS_MAX], nbuttons;
    size_t keys[ZC_VIEW_ITEMS_MAX], nkeys;
    size_t status[ZC_VIEW_ITEMS_MAX], nstatus;
} lay;

static int per_mille(int v, int pm)
{
    return (int)((long)v * pm / PER_MILLE);
}

static int ceil_div(int a, int b)
{
    return (a + b - 1) / b;
}

/* The next size down when text must shrink to fit: a few percent at a time, so a fitting loop
 * tries a dozen sizes rather than a hundred (each new size is a font instance to make). */
static int smaller(int px)
{
    return px - (px / PX_STEP_DIV > 1 ? px / PX_STEP_DIV : 1);
}

static int max_int(int a, int b)
{
    return a > b ? a : b;
}

static int min_int(int a, int b)
{
    return a < b ? a : b;
}

void layout_metrics_for(int w, int h, layout_metrics *m)
{
    memset(m, 0, sizeof *m);
    m->w = w;
    m->h = h;
    m->short_side = min_int(w, h);
    m->portrait = h > w;
    int s = m->short_side;
    m->text_min = ceil_div(h, THEME_TEXT_MIN_DIV);
    m->staff_min = ceil_div(h, THEME_STAFF_TEXT_MIN_DIV);
    m->body = max_int(m->text_min, h / THEME_BODY_DIV);
    m->title = max_int(m->body, h / THEME_TITLE_DIV);
    m->label = max_int(m->text_min, h / THEME_LABEL_DIV);
    m->amount = max_int(m->body + 1, h / THEME_AMOUNT_DIV);
    m->big = max_int(m->amount + 1, h * THEME_BIG_NUM / THEME_BIG_DEN);
    m->status = max_int(TEXT_PX_MIN, h / THEME_STATUS_DIV);
    m->target = ceil_div(s, THEME_TARGET_DIV);
    m->margin = s / THEME_MARGIN_DIV;
    m->gap = max_int(2, s / THEME_GAP_DIV);
    m->radius = s / THEME_RADIUS_DIV;
    m->edge = max_int(2, s / THEME_EDGE_DIV);
    m->band = max_int(4, h / THEME_BAND_DIV);
}

/* Sizes after `step` shrinking steps, none below `lo`. */
static sizes sizes_at(const layout_metrics *m, int step, int lo)
{
    int pct = PERCENT, amount_pct = PERCENT, title_pct = PERCENT;
    for (int i = 0; i < step; i++) {
        pct = pct * SHRINK_PERCENT / PERCENT;
        if (i >= TITLE_SHRINK_LAG) /* what happened stays larger than the explanation */
            title_pct = title_pct * SHRINK_PERCENT / PERCENT;
        if (i >= AMOUNT_SHRINK_LAG) /* what the elder pays stays large the longest */
            amount_pct = amount_pct * SHRINK_PERCENT / PERCENT;
    }
    sizes s;
    s.title = max_int(lo, m->title * title_pct / PERCENT);
    s.body = max_int(lo, m->body * pct / PERCENT);
    s.hint = max_int(lo, m->text_min * pct / PERCENT);
    s.amount = max_int(lo, m->amount * amount_pct / PERCENT);
    s.big = max_int(s.amount + 1, m->big * amount_pct / PERCENT);
    s.label = max_int(lo, m->label * pct / PERCENT);
    s.row = max_int(lo, m->body * pct / PERCENT);
    int air = PERCENT;
    for (int i = 0; i < step; i++)
        air = air * AIR_SHRINK_PERCENT / PERCENT;
    s.gap = max_int(m->gap / 2, 2 * m->gap * air / PERCENT);
    s.pitch_pm = step >= TIGHT_LINES_STEP ? PER_MILLE : LINE_PER_MILLE;
    s.row_pm = step >= TIGHT_LINES_STEP ? ROW_TIGHT_PER_MILLE : ROW_PER_MILLE;
    return s;
}

/* ---- measuring and wrapping ---- */

static int text_w(lay *L, const char *s, size_t len, int px, text_style style)
{
    int w = 0, h = 0, a = 0;
    if (len)
        L->measure(L->mctx, s, len, px, style, &w, &h, &a);
    return w;
}

static int line_h(lay *L, int px, text_style style)
{
    int w = 0, h = 0, a = 0;
    L->measure(L->mctx, "国", strlen("国"), px, style, &w, &h, &a);
    return h;
}

/* Where the baseline sits below a line's top: aligns text of different sizes on one line. */
static int text_ascent_of(lay *L, int px)
{
    int w = 0, h = 0, a = 0;
    L->measure(L->mctx, "国", strlen("国"), px, TEXT_BOLD, &w, &h, &a);
    return a;
}

/* Lines of text no wider than maxw, as even as they can be (wrap.c). */
static size_t wrap(lay *L, const char *s, int px, text_style style, int maxw, wrap_span *lines,
                   size_t max)
{
    wrap_font f = {L->measure, L->mctx, px, style};
    return wrap_even(&f, s, maxw, lines, max);
}

/* How many lines the plain greedy wrap needs (to decide a size). */
static size_t wrap_count(lay *L, const char *s, int px, text_style style, int maxw, size_t max)
{
    wrap_font f = {L->measure, L->mctx, px, style};
    wrap_span lines[WRAP_LINES_MAX];
    return wrap_greedy(&f, s, maxw, lines, max < WRAP_LINES_MAX ? max : WRAP_LINES_MAX);
}

/* ---- emitting operations ---- */

static layout_op *add_op(lay *L, layout_op_kind kind, SDL_Rect r, int item)
{
    layout *o = L->out;
    if (o->nops == LAYOUT_OPS_MAX) {
        o->ops_overflow = true;
        return NULL;
    }
    layout_op *op = &o->ops[o->nops++];
    memset(op, 0, sizeof *op);
    op->kind = kind;
    op->r = r;
    op->item = item;
    return op;
}

static void add_fill(lay *L, SDL_Rect r, SDL_Color fill, int radius, SDL_Color edge, int edge_px)
{
    layout_op *op = add_op(L, LAYOUT_FILL, r, -1);
    if (op) {
        op->color = fill;
        op->radius = radius;
        op->edge = edge;
        op->edge_px = edge_px;
    }
}

static void note_px(lay *L, int item, int px)
{
    if (item >= 0 && (L->out->min_px[item] == 0 || px < L->out->min_px[item]))
        L->out->min_px[item] = px;
}

/* One line of text at (x, y); returns its width. */
static int add_text(lay *L, int x, int y, const char *s, size_t len, int px, text_style style,
                    SDL_Color color, int item)
{
    int w = 0, h = 0, a = 0;
    if (!len)
        return 0;
    L->measure(L->mctx, s, len, px, style, &w, &h, &a);
    layout_op *op = add_op(L, LAYOUT_TEXT, (SDL_Rect){x, y, w, h}, item);
    if (op) {
        if (len >= sizeof op->text)
            len = sizeof op->text - 1;
        memcpy(op->text, s, len);
        op->text[len] = '\0';
        op->px = px;
        op->style = style;
        op->color = color;
    }
    note_px(L, item, px);
    return w;
}

static void add_hit(lay *L, size_t item, SDL_Rect r)
{
    const zc_view_item *it = &L->v->items[item];
    layout *o = L->out;
    if (!it->id[0] || o->nhits == ZC_VIEW_ITEMS_MAX)
        return;
    layout_hit *h = &o->hits[o->nhits++];
    snprintf(h->id, sizeof h->id, "%s", it->id);
    h->r = r;
    h->item = (int)item;
}

/* Wrapped lines centred in [x, x+w) from y; returns the height used. */
static int add_wrapped(lay *L, size_t item, const char *s, int x, int w, int y, int px,
                       int pitch_pm, text_style style, SDL_Color color, bool draw)
{
    wrap_span lines[WRAP_LINES_MAX];
    size_t n = wrap(L, s, px, style, w, lines, WRAP_LINES_MAX);
    int lh = line_h(L, px, style), pitch = per_mille(lh, pitch_pm);
    for (size_t i = 0; draw && i < n; i++) {
        int tw = text_w(L, s + lines[i].start, lines[i].len, px, style);
        add_text(L, x + (w - tw) / 2, y + (int)i * pitch, s + lines[i].start, lines[i].len, px,
                 style, color, (int)item);
    }
    return n ? (int)(n - 1) * pitch + lh : 0;
}

/* ---- sorting the view into regions and blocks ---- */

static bool is_button(zc_role r)
{
    return r == ZC_ROLE_BUTTON || r == ZC_ROLE_BUTTON_PRIMARY;
}

static block_kind kind_of(zc_role r)
{
    switch (r) {
    case ZC_ROLE_AMOUNT:
    case ZC_ROLE_BIG_AMOUNT:
        return BLOCK_BILL;
    case ZC_ROLE_PICTURE:
    case ZC_ROLE_QR:
        return BLOCK_MEDIA;
    case ZC_ROLE_ROW:
        return BLOCK_TABLE;
    default:
        return BLOCK_TEXT;
    }
}

static void sort_items(lay *L)
{
    const zc_view *v = L->v;
    size_t norder = 0;
    size_t n = v->n < ZC_VIEW_ITEMS_MAX ? v->n : ZC_VIEW_ITEMS_MAX;
    for (size_t i = 0; i < n; i++)
        if (is_button(v->items[i].role))
            L->buttons[L->nbuttons++] = i;
    bool menu = L->nbuttons > 2, menu_placed = false;
    for (size_t i = 0; i < n; i++) {
        zc_role role = v->items[i].role;
        if (role == ZC_ROLE_KEY) {
            L->keys[L->nkeys++] = i;
            continue;
        }
        if (role == ZC_ROLE_STATUS) {
            L->status[L->nstatus++] = i;
            continue;
        }
        if (is_button(role)) {
            if (menu && !menu_placed) { /* many buttons: a grid where the first one was */
                L->blocks[L->nblocks++] = (block){BLOCK_MENU, 0, L->nbuttons, false, false};
                menu_placed = true;
            }
            continue;
        }
        block_kind k = kind_of(role);
        block *last = L->nblocks ? &L->blocks[L->nblocks - 1] : NULL;
        L->order[norder] = i;
        /* Consecutive amounts form one bill, pictures one row, rows one table. */
        if (last && last->kind == k && k != BLOCK_TEXT && last->start + last->n == norder)
            last->n++;
        else
            L->blocks[L->nblocks++] = (block){k, norder, 1, role == ZC_ROLE_TITLE, false};
        norder++;
    }
    /* Only titles before anything else stay at the top. */
    for (size_t b = 0, leading = 1; b < L->nblocks; b++) {
        leading = leading && L->blocks[b].top;
        L->blocks[b].top = leading;
    }
}

/* ---- blocks: height at given sizes, and placing ---- */

typedef struct flow {
    int x, w;         /* the column the flow uses */
    int top_x, top_w; /* the titles at the top: across the whole region */
    int table_cols;   /* 1 or 2 */
    sizes sz;
} flow;

static int menu_cols(lay *L)
{
    int cols = L->m->portrait ? MENU_COLUMNS_TALL : MENU_COLUMNS_WIDE;
    return min_int(cols, (int)L->nbuttons);
}

/* A button's height: its lines (two for a dish and its price) and half a line of air. */
static int button_h(lay *L, int label_px, int lines)
{
    int lh = line_h(L, label_px, TEXT_BOLD);
    return max_int(L->m->target, (lines - 1) * lh + per_mille(lh, BUTTON_PER_MILLE));
}

/* The lines the buttons need: a dish's name may take two and its price one more. */
static int button_lines(const lay *L)
{
    for (size_t k = 0; k < L->nbuttons; k++)
        if (L->v->items[L->buttons[k]].text2[0])
            return 3;
    return 1;
}

static int bill_w(lay *L, const flow *f)
{
    return L->m->portrait ? f->w : min_int(f->w, per_mille(L->m->w, BILL_WIDE_PER_MILLE));
}

/*
 * How a BIG_AMOUNT is drawn: its label ("您付") and its number ("¥10.00") on one baseline when they
 * fit the bill's width, else the label above the number; a text without text2 is split at its
 * last space when it does not fit whole. The number shrinks only as a last resort, and never
 * below the other amounts.
 */
typedef struct big_plan {
    char label[ZC_VIEW_TEXT_MAX], num[ZC_VIEW_TEXT_MAX];
    int num_px;
    bool one_line, fits;
} big_plan;

static void plan_big(lay *L, const zc_view_item *it, const flow *f, int inner, big_plan *p)
{
    int gap = L->m->gap * 2;
    const char *text = it->text;
    snprintf(p->label, sizeof p->label, "%s", it->text2[0] ? text : "");
    snprintf(p->num, sizeof p->num, "%s", it->text2[0] ? it->text2 : text);
    p->num_px = f->sz.big;
    /* "您付 ¥10.00" splits at its space, "点算：¥10.00" after its colon. */
    const char *cut = strrchr(text, ' ');
    size_t label_len = cut ? (size_t)(cut - text) : 0, skip = 1;
    const char *colon = strstr(text, "：");
    if (!cut && colon) {
        cut = colon;
        label_len = (size_t)(colon - text) + strlen("：");
        skip = strlen("：");
    }
    if (!it->text2[0] && cut && cut != text && cut[skip] &&
        text_w(L, text, strlen(text), p->num_px, TEXT_BOLD) > inner) {
        snprintf(p->label, sizeof p->label, "%.*s", (int)label_len, text);
        snprintf(p->num, sizeof p->num, "%s", cut + skip);
    }
    /* Shrinking: down to the other amounts first, to the least text size if it must. */
    while (p->num_px > L->floor && text_w(L, p->num, strlen(p->num), p->num_px, TEXT_BOLD) > inner)
        p->num_px = max_int(L->floor, smaller(p->num_px));
    int wl = text_w(L, p->label, strlen(p->label), f->sz.amount, TEXT_REGULAR);
    int wn = text_w(L, p->num, strlen(p->num), p->num_px, TEXT_BOLD);
    p->one_line = !p->label[0] || wl + gap + wn <= inner;
    p->fits = wn <= inner && wl <= inner;
}

/* The bill's amounts share one size: the largest at which every "label ... figure" line fits. */
static void fit_amounts(lay *L, const block *b, flow *f, int inner)
{
    for (; f->sz.amount > L->floor; f->sz.amount = max_int(L->floor, smaller(f->sz.amount))) {
        bool fits = true;
        for (size_t k = 0; k < b->n && fits; k++) {
            const zc_view_item *it = &L->v->items[L->order[b->start + k]];
            if (it->role == ZC_ROLE_AMOUNT)
                fits = text_w(L, it->text, strlen(it->text), f->sz.amount, TEXT_REGULAR) +
                           L->m->gap +
                           text_w(L, it->text2, strlen(it->text2), f->sz.amount, TEXT_BOLD) <=
                       inner;
        }
        if (fits)
            break;
    }
    if (f->sz.big <= f->sz.amount)
        f->sz.big = f->sz.amount + 1;
}

/* An amount whose label and figure do not fit side by side even at the least size ("Government
 * subsidy" on a portrait screen): the figure goes under the label. */
static bool amount_stacked(lay *L, const zc_view_item *it, int px, int inner)
{
    return text_w(L, it->text, strlen(it->text), px, TEXT_REGULAR) + L->m->gap +
               text_w(L, it->text2, strlen(it->text2), px, TEXT_BOLD) >
           inner;
}

static int bill_row_h(lay *L, const zc_view_item *it, const flow *f, int inner)
{
    if (it->role == ZC_ROLE_AMOUNT)
        return per_mille(line_h(L, f->sz.amount, TEXT_REGULAR), BILL_ROW_PER_MILLE) *
               (amount_stacked(L, it, f->sz.amount, inner) ? 2 : 1);
    big_plan p;
    plan_big(L, it, f, inner, &p);
    int big = line_h(L, p.num_px, TEXT_BOLD);
    return p.one_line ? big : line_h(L, f->sz.amount, TEXT_BOLD) + big;
}

/* A row without a figure and without an id heads a section of a report ("按餐次"). */
static bool is_header(const zc_view_item *it)
{
    return !it->text2[0] && !it->id[0];
}

/* Where a two-column table continues in its second column: at the section heading nearest the
 * middle, so no section is cut in two, else at the middle. */
static size_t table_split(lay *L, const block *b, int cols)
{
    size_t mid = (b->n + 1) / 2;
    if (cols == 1)
        return b->n;
    size_t best = mid;
    long best_d = -1;
    for (size_t k = 1; k < b->n; k++) {
        if (!is_header(&L->v->items[L->order[b->start + k]]))
            continue;
        long d = (long)k > (long)mid ? (long)(k - mid) : (long)(mid - k);
        if (d * SPLIT_SLACK_DEN <= (long)b->n * SPLIT_SLACK_NUM && (best_d < 0 || d < best_d)) {
            best = k;
            best_d = d;
        }
    }
    return best;
}

/* A row whose label and figure do not fit side by side at px: the figure goes on a second line. */
static bool row_stacked(lay *L, const zc_view_item *it, int px, int width)
{
    int pad = L->m->gap;
    return text_w(L, it->text, strlen(it->text), px, TEXT_BOLD) +
               text_w(L, it->text2, strlen(it->text2), px, TEXT_BOLD) + 3 * pad >
           width;
}

/* A stacked row's figure, wrapped under its label (lines into `lines` when not NULL); 0 for a
 * row that is not stacked. */
static size_t figure_lines(lay *L, const zc_view_item *it, int px, int width, wrap_span *lines)
{
    wrap_span scratch[ROW_FIGURE_LINES];
    if (!row_stacked(L, it, px, width))
        return 0;
    return wrap(L, it->text2, px, TEXT_BOLD, width - 2 * L->m->gap, lines ? lines : scratch,
                ROW_FIGURE_LINES);
}

/* The table's text size: the block's, made smaller until every row fits its column side by side,
 * but not below the least size (rows that still do not fit are stacked). */
static int table_px(lay *L, const block *b, int px, int width)
{
    for (; px > L->floor; px = max_int(L->floor, smaller(px))) {
        bool fits = true;
        for (size_t k = 0; k < b->n && fits; k++)
            fits = !row_stacked(L, &L->v->items[L->order[b->start + k]], px, width);
        if (fits)
            break;
    }
    return px;
}

static int table_row_h(lay *L, const zc_view_item *it, int px, int width, int row_pm)
{
    int lh = line_h(L, px, TEXT_REGULAR);
    int h = per_mille(lh, row_pm) + (int)figure_lines(L, it, px, width, NULL) * lh;
    return it->id[0] ? max_int(h, L->m->target) : h;
}

static int text_px(const zc_view_item *it, const flow *f, text_style *style, SDL_Color *color)
{
    *style = TEXT_REGULAR;
    *color = THEME_TEXT;
    switch (it->role) {
    case ZC_ROLE_TITLE: /* large, not bold: a bold date beside plain Chinese would shout */
        return f->sz.title;
    case ZC_ROLE_HINT:
        *color = THEME_TEXT_SOFT;
        return f->sz.hint;
    default:
        return f->sz.body;
    }
}

static text_style label_style(const zc_view_item *it)
{
    /* Keys' digits are bold; words on buttons are plain (Chinese is never emboldened, and a
     * bold "English" beside plain "返回" would shout). A dish's price is bold (drawn apart). */
    return it->role == ZC_ROLE_KEY ? TEXT_BOLD : TEXT_REGULAR;
}

/* Whether a button's label fits at px on at most `most` lines (and its price on one more). */
static bool label_fits(lay *L, const zc_view_item *it, int w, int h, int px, int most)
{
    text_style st = label_style(it);
    int inner = w - 2 * L->m->gap;
    size_t len2 = strlen(it->text2);
    int rows = (h - L->m->edge * 2) / line_h(L, px, st) - (len2 ? 1 : 0);
    return wrap_count(L, it->text, px, st, inner, 3) <= (size_t)min_int(most, rows) &&
           text_w(L, it->text2, len2, px, TEXT_BOLD) <= inner;
}

/*
 * The size a button's label needs in a w x h button, from px0 down: on one line while that keeps
 * it at three quarters of its size or more; else on two lines (a dish's name may always take two:
 * its button is made for that), as large as they fit; else as small as it must be. A dish's price
 * has a line of its own.
 */
static int button_px(lay *L, size_t item, int w, int h, int px0)
{
    const zc_view_item *it = &L->v->items[item];
    int most = it->text2[0] ? 2 : 1;
    int one_line_least = max_int(L->floor, px0 * LABEL_ONE_LINE_PCT / PERCENT);
    int px;
    for (px = px0; px >= one_line_least; px = smaller(px))
        if (label_fits(L, it, w, h, px, most))
            return px;
    for (px = px0; px > L->floor; px = max_int(L->floor, smaller(px)))
        if (label_fits(L, it, w, h, px, 2))
            return px;
    return L->floor;
}

/* One label size for a row of buttons or a keypad: the smallest any of them needs, so that
 * buttons side by side speak at the same size. */
static int group_px(lay *L, const size_t *items, size_t n, int w, int h, int px0)
{
    int px = px0;
    for (size_t k = 0; k < n; k++)
        px = min_int(px, button_px(L, items[k], w, h, px0));
    return px;
}

/* A button: its face and its label centred at px (from button_px or group_px). */
static void draw_button(lay *L, size_t item, SDL_Rect r, int px)
{
    const layout_metrics *m = L->m;
    const zc_view_item *it = &L->v->items[item];
    bool primary = it->role == ZC_ROLE_BUTTON_PRIMARY;
    add_fill(L, r, primary ? THEME_PRIMARY : THEME_BUTTON, m->radius,
             primary ? THEME_PRIMARY : THEME_BUTTON_EDGE, m->edge);
    text_style st = label_style(it);
    int inner = r.w - 2 * m->gap;
    size_t len2 = strlen(it->text2);
    SDL_Color color = primary ? THEME_PRIMARY_TEXT : THEME_TEXT;
    wrap_span lines[3];
    size_t n = wrap(L, it->text, px, st, inner, lines, 2);
    if (len2)
        lines[n++] = (wrap_span){0, 0}; /* the price's line, drawn from text2 below */
    int lh = line_h(L, px, st);
    int y = r.y + (r.h - (int)n * lh) / 2;
    bool fits = n * (size_t)lh <= (size_t)r.h;
    for (size_t k = 0; k < n; k++) {
        bool price = len2 && k == n - 1;
        const char *s = price ? it->text2 : it->text + lines[k].start;
        size_t sl = price ? len2 : lines[k].len;
        text_style ls = price ? TEXT_BOLD : st;
        int w = text_w(L, s, sl, px, ls);
        fits = fits && w <= inner;
        add_text(L, r.x + (r.w - w) / 2, y + (int)k * lh, s, sl, px, ls, color, (int)item);
    }
    L->out->placed[item] = fits;
    add_hit(L, item, r);
}

/* The block's height; with draw, also its operations, from y. Media blocks take media_h. */
static int do_block(lay *L, const block *b, const flow *f, int y, int media_h, bool draw)
{
    const zc_view *v = L->v;
    const layout_metrics *m = L->m;
    switch (b->kind) {
    case BLOCK_TEXT: {
        size_t i = L->order[b->start];
        const zc_view_item *it = &v->items[i];
        text_style style;
        SDL_Color color;
        int px = text_px(it, f, &style, &color);
        int h = add_wrapped(L, i, it->text, f->x, f->w, y, px, f->sz.pitch_pm, style, color, draw);
        if (draw) {
            L->out->placed[i] = true;
            add_hit(L, i, (SDL_Rect){f->x, y, f->w, h});
        }
        return h;
    }
    case BLOCK_BILL: {
        int bw = bill_w(L, f), pad = max_int(m->gap, f->sz.gap), inner = bw - 2 * pad, h = pad;
        flow fitted = *f;
        fit_amounts(L, b, &fitted, inner);
        const flow *bf = &fitted;
        int bx = f->x + (f->w - bw) / 2;
        int rows_h = 0;
        for (size_t k = 0; k < b->n; k++)
            rows_h += bill_row_h(L, &v->items[L->order[b->start + k]], bf, inner);
        if (draw)
            add_fill(L, (SDL_Rect){bx, y, bw, rows_h + 2 * pad}, THEME_PANEL, m->radius, THEME_RULE,
                     m->edge);
        for (size_t k = 0; k < b->n; k++) {
            size_t i = L->order[b->start + k];
            const zc_view_item *it = &v->items[i];
            int rh = bill_row_h(L, it, bf, inner);
            if (draw && it->role == ZC_ROLE_BIG_AMOUNT && k > 0) /* a rule above the total */
                add_fill(L, (SDL_Rect){bx + pad, y + h, inner, m->edge}, THEME_RULE, 0, THEME_RULE,
                         0);
            if (draw && it->role == ZC_ROLE_AMOUNT) {
                bool stacked = amount_stacked(L, it, bf->sz.amount, inner);
                int lh = line_h(L, bf->sz.amount, TEXT_REGULAR);
                int ty = y + h + (rh - (stacked ? 2 : 1) * lh) / 2;
                int w1 = add_text(L, bx + pad, ty, it->text, strlen(it->text), bf->sz.amount,
                                  TEXT_REGULAR, THEME_TEXT, (int)i);
                int w2 = text_w(L, it->text2, strlen(it->text2), bf->sz.amount, TEXT_BOLD);
                add_text(L, bx + bw - pad - w2, ty + (stacked ? lh : 0), it->text2,
                         strlen(it->text2), bf->sz.amount, TEXT_BOLD, THEME_TEXT, (int)i);
                L->out->placed[i] = w1 <= inner && w2 <= inner;
            } else if (draw) {
                big_plan p;
                plan_big(L, it, bf, inner, &p);
                int wl = text_w(L, p.label, strlen(p.label), bf->sz.amount, TEXT_REGULAR);
                int wn = text_w(L, p.num, strlen(p.num), p.num_px, TEXT_BOLD);
                if (p.one_line) {
                    /* label and number on one baseline, centred together */
                    int total = wl + (p.label[0] ? m->gap * 2 : 0) + wn;
                    int x = bx + (bw - total) / 2;
                    int base = y + h + text_ascent_of(L, p.num_px);
                    add_text(L, x, base - text_ascent_of(L, bf->sz.amount), p.label,
                             strlen(p.label), bf->sz.amount, TEXT_REGULAR, THEME_TEXT, (int)i);
                    add_text(L, x + total - wn, y + h, p.num, strlen(p.num), p.num_px, TEXT_BOLD,
                             THEME_TEXT, (int)i);
                } else {
                    int la = line_h(L, bf->sz.amount, TEXT_BOLD);
                    add_text(L, bx + (bw - wl) / 2, y + h, p.label, strlen(p.label), bf->sz.amount,
                             TEXT_REGULAR, THEME_TEXT, (int)i);
                    add_text(L, bx + (bw - wn) / 2, y + h + la, p.num, strlen(p.num), p.num_px,
                             TEXT_BOLD, THEME_TEXT, (int)i);
                }
                L->out->placed[i] = p.fits;
            }
            if (draw)
                add_hit(L, i, (SDL_Rect){bx, y + h, bw, rh});
            h += rh;
        }
        return h + pad;
    }
    case BLOCK_MEDIA: {
        if (draw) {
            int gap = m->margin, n = (int)b->n;
            int cell = (f->w - (n - 1) * gap) / n; /* each fitted and centred in its cell */
            int x = f->x;
            for (int k = 0; k < n; k++, x += cell + gap) {
                size_t i = L->order[b->start + (size_t)k];
                const zc_view_item *it = &v->items[i];
                layout_op *op = add_op(L, it->role == ZC_ROLE_QR ? LAYOUT_QR : LAYOUT_PICTURE,
                                       (SDL_Rect){x, y, cell, media_h}, (int)i);
                if (op)
                    snprintf(op->text, sizeof op->text, "%s", it->text);
                L->out->placed[i] = op != NULL;
                add_hit(L, i, (SDL_Rect){x, y, cell, media_h});
            }
        }
        return media_h;
    }
    case BLOCK_TABLE: {
        int cols = f->table_cols, gap = m->margin, pad = m->gap;
        /* As wide as its widest row needs (a short table does not stretch its figures away from
         * their labels), at most the column's width. */
        int need = 0;
        for (size_t k = 0; k < b->n; k++) {
            const zc_view_item *it = &v->items[L->order[b->start + k]];
            need = max_int(need, text_w(L, it->text, strlen(it->text), f->sz.row, TEXT_BOLD) +
                                     text_w(L, it->text2, strlen(it->text2), f->sz.row, TEXT_BOLD));
        }
        need += 2 * pad + TABLE_SPACE_EMS * f->sz.row;
        int tw = min_int(
            f->w, max_int(cols * need + (cols - 1) * gap, per_mille(f->w, TABLE_LEAST_PER_MILLE)));
        int cw = (tw - (cols - 1) * gap) / cols;
        int x0 = f->x + (f->w - tw) / 2;
        int px = table_px(L, b, f->sz.row, cw);
        size_t split = table_split(L, b, cols);
        int tallest = 0;
        for (int c = 0; c < cols; c++) {
            int h = 0;
            size_t from = c ? split : 0, to = c || cols == 1 ? b->n : split;
            for (size_t k = from, zebra = 0; k < to; k++) {
                size_t i = L->order[b->start + k];
                const zc_view_item *it = &v->items[i];
                bool header = is_header(it);
                int rh = table_row_h(L, it, px, cw, f->sz.row_pm);
                zebra = header ? 0 : zebra + 1;
                if (draw) {
                    SDL_Rect r = {x0 + c * (cw + gap), y + h, cw, rh};
                    if (it->id[0]) /* a row to tap is drawn as a button */
                        add_fill(L, (SDL_Rect){r.x, r.y + m->edge, r.w, r.h - 2 * m->edge},
                                 THEME_BUTTON, m->radius, THEME_BUTTON_EDGE, m->edge);
                    else if (header) /* a section's heading: a rule under a bold label */
                        add_fill(L, (SDL_Rect){r.x, r.y + r.h - m->edge, r.w, m->edge}, THEME_RULE,
                                 0, THEME_RULE, 0);
                    else if (zebra % 2 == 0)
                        add_fill(L, r, THEME_ROW_ALT, 0, THEME_ROW_ALT, 0);
                    int lh = line_h(L, px, TEXT_REGULAR);
                    wrap_span fl[ROW_FIGURE_LINES];
                    size_t nf = figure_lines(L, it, px, cw, fl);
                    int ty = r.y + (rh - (int)(nf + 1) * lh) / 2;
                    int w1 = add_text(L, r.x + pad, ty, it->text, strlen(it->text), px,
                                      header ? TEXT_BOLD : TEXT_REGULAR, THEME_TEXT, (int)i);
                    bool fits = w1 + 2 * pad <= r.w;
                    if (!nf) { /* the figure on the label's line, to the right */
                        int w2 = text_w(L, it->text2, strlen(it->text2), px, TEXT_BOLD);
                        add_text(L, r.x + r.w - pad - w2, ty, it->text2, strlen(it->text2), px,
                                 TEXT_BOLD, THEME_TEXT, (int)i);
                    }
                    for (size_t q = 0; q < nf; q++) { /* below it, right-aligned */
                        const char *fs = it->text2 + fl[q].start;
                        int wq = text_w(L, fs, fl[q].len, px, TEXT_BOLD);
                        add_text(L, r.x + r.w - pad - wq, ty + (int)(q + 1) * lh, fs, fl[q].len, px,
                                 TEXT_BOLD, THEME_TEXT, (int)i);
                        fits = fits && wq + 2 * pad <= r.w;
                    }
                    L->out->placed[i] = fits;
                    add_hit(L, i, r);
                }
                h += rh;
            }
            tallest = max_int(tallest, h);
        }
        return tallest;
    }
    case BLOCK_MENU: {
        int cols = menu_cols(L), rows = ceil_div((int)L->nbuttons, cols);
        int bh = button_h(L, f->sz.label, button_lines(L));
        if (draw) {
            int gap = m->gap * 2;
            int bw = (f->w - (cols - 1) * gap) / cols;
            int last = (int)L->nbuttons % cols; /* buttons in an unfilled last row: centred */
            int px = group_px(L, L->buttons, L->nbuttons, bw, bh, f->sz.label);
            for (size_t k = 0; k < L->nbuttons; k++) {
                int c = (int)k % cols, r = (int)k / cols;
                int x0 = f->x + (last && r == rows - 1 ? (cols - last) * (bw + gap) / 2 : 0);
                SDL_Rect rect = {x0 + c * (bw + gap), y + r * (bh + gap), bw, bh};
                draw_button(L, L->buttons[k], rect, px);
            }
        }
        return rows * bh + (rows - 1) * m->gap * 2;
    }
    }
    return 0;
}

/* ---- regions ---- */

static const char *role_name(zc_role r)
{
    static const char *const names[] = {"title",          "body",    "hint", "amount",
                                        "big_amount",     "picture", "qr",   "button",
                                        "button_primary", "key",     "row",  "status"};
    return (size_t)r < sizeof names / sizeof names[0] ? names[r] : "?";
}

/* The status strip along the bottom edge; returns its height. */
static int place_status(lay *L)
{
    const layout_metrics *m = L->m;
    if (!L->nstatus)
        return 0;
    int px = m->status, sep = m->margin;
    int avail = m->w - 2 * m->margin;
    for (;; px = max_int(TEXT_PX_MIN, smaller(px))) {
        int total = 0;
        for (size_t k = 0; k < L->nstatus; k++) {
            const zc_view_item *it = &L->v->items[L->status[k]];
            total += text_w(L, it->text, strlen(it->text), px, TEXT_REGULAR) + (k ? sep : 0) +
                     (it->id[0] ? 2 * m->gap : 0);
        }
        if (total <= avail || px == TEXT_PX_MIN)
            break;
    }
    int lh = line_h(L, px, TEXT_REGULAR), sh = per_mille(lh, STRIP_PER_MILLE);
    add_fill(L, (SDL_Rect){0, m->h - sh, m->w, sh}, THEME_STRIP, 0, THEME_STRIP, 0);
    int x = m->margin, pad = m->gap;
    for (size_t k = 0; k < L->nstatus; k++) {
        size_t i = L->status[k];
        const zc_view_item *it = &L->v->items[i];
        int w = text_w(L, it->text, strlen(it->text), px, TEXT_REGULAR);
        SDL_Rect cell = {x, m->h - sh, w, sh};
        if (it->id[0]) { /* the staff's way in: a small button of its own, not a bare word */
            cell.w = w + 2 * pad;
            add_fill(L, (SDL_Rect){cell.x, cell.y + m->edge, cell.w, cell.h - 2 * m->edge},
                     THEME_BUTTON, m->radius, THEME_BUTTON_EDGE, m->edge);
        }
        add_text(L, cell.x + (cell.w - w) / 2, m->h - sh + (sh - lh) / 2, it->text,
                 strlen(it->text), px, TEXT_REGULAR, THEME_STRIP_TEXT, (int)i);
        L->out->placed[i] = cell.x + cell.w <= m->w - m->margin;
        add_hit(L, i, cell);
        x += cell.w + sep;
    }
    return sh;
}

typedef struct region {
    int x, y, w, h;
} region;

/* One or two buttons along the bottom of r (side by side, or stacked in portrait), their labels
 * `step` shrinking steps small (never below the least text size, nor the buttons below 1/8). */
static void place_buttons(lay *L, region *r, int step)
{
    const layout_metrics *m = L->m;
    if (!L->nbuttons || L->nbuttons > 2)
        return;
    sizes sz = sizes_at(m, step, L->floor);
    int bh = button_h(L, sz.label, button_lines(L)), gap = m->gap * BUTTON_SEPARATION;
    bool stacked = m->portrait && L->nbuttons == 2;
    int total_h = stacked ? 2 * bh + gap : bh;
    int y = r->y + r->h - total_h;
    if (stacked || L->nbuttons == 1) {
        int bw = r->w;
        if (!m->portrait) {
            const char *s = L->v->items[L->buttons[0]].text;
            int want = text_w(L, s, strlen(s), sz.label, TEXT_REGULAR) + 2 * sz.label;
            bw = min_int(r->w, max_int(per_mille(m->short_side, SINGLE_BUTTON_PER_MILLE), want));
        }
        int px = group_px(L, L->buttons, L->nbuttons, bw, bh, sz.label);
        for (size_t k = 0; k < L->nbuttons; k++)
            draw_button(L, L->buttons[k],
                        (SDL_Rect){r->x + (r->w - bw) / 2, y + (int)k * (bh + gap), bw, bh}, px);
    } else {
        int bw = min_int((r->w - gap) / 2, per_mille(m->short_side, PAIR_BUTTON_PER_MILLE));
        int x = r->x + (r->w - (2 * bw + gap)) / 2;
        int px = group_px(L, L->buttons, 2, bw, bh, sz.label);
        for (size_t k = 0; k < 2; k++)
            draw_button(L, L->buttons[k], (SDL_Rect){x + (int)k * (bw + gap), y, bw, bh}, px);
    }
    r->h -= total_h + m->margin;
}

/* The keypad: to the right of r in landscape, along its bottom in portrait; r shrinks. */
static void place_keys(lay *L, region *r)
{
    const layout_metrics *m = L->m;
    if (!L->nkeys)
        return;
    int cols = L->nkeys > KEYPAD_MANY ? KEYPAD_COLUMNS_MANY : KEYPAD_COLUMNS;
    int rows = ceil_div((int)L->nkeys, cols), gap = m->gap;
    int kmax = m->short_side / KEY_MAX_DIV;
    int kh, kw;
    region pad;
    if (!m->portrait) {
        kh = max_int(m->target, min_int(kmax, (r->h - (rows - 1) * gap) / rows));
        int share = per_mille(m->w, KEYPAD_SHARE_PER_MILLE);
        kw = max_int(m->target,
                     min_int(per_mille(kh, KEY_WIDE_PER_MILLE), (share - (cols - 1) * gap) / cols));
        pad.w = cols * kw + (cols - 1) * gap;
        pad.h = rows * kh + (rows - 1) * gap;
        pad.x = r->x + r->w - pad.w;
        pad.y = r->y + (r->h - pad.h) / 2;
        r->w -= pad.w + m->margin * 2;
    } else {
        kh = max_int(m->target, min_int(kmax, (r->h / 2 - (rows - 1) * gap) / rows));
        kw = min_int((r->w - (cols - 1) * gap) / cols, per_mille(kh, KEY_WIDE_PER_MILLE) * 3 / 2);
        pad.w = cols * kw + (cols - 1) * gap;
        pad.h = rows * kh + (rows - 1) * gap;
        pad.x = r->x + (r->w - pad.w) / 2;
        pad.y = r->y + r->h - pad.h;
        r->h -= pad.h + m->margin;
    }
    int px = group_px(L, L->keys, L->nkeys, kw, kh,
                      max_int(L->floor, min_int(m->label, per_mille(kh, KEY_LABEL_PER_MILLE))));
    int last = (int)L->nkeys % cols; /* keys in an unfilled last row: centred */
    for (size_t k = 0; k < L->nkeys; k++) {
        int c = (int)k % cols, row = (int)k / cols;
        int x0 = pad.x + (last && row == rows - 1 ? (cols - last) * (kw + gap) / 2 : 0);
        draw_button(L, L->keys[k],
                    (SDL_Rect){x0 + c * (kw + gap), pad.y + row * (kh + gap), kw, kh}, px);
    }
}

/* ---- the flow ---- */

static int media_min(const layout_metrics *m)
{
    return m->short_side / MEDIA_MIN_DIV;
}

static int media_max(const layout_metrics *m)
{
    return per_mille(m->short_side, MEDIA_MAX_PER_MILLE);
}

/* Heights of the top blocks (across the region) and of the rest (in the flow's column), media at
 * their least, gaps included; blocks moved to the side column do not count. */
static void flow_heights(lay *L, const flow *f, int *top, int *rest)
{
    *top = *rest = 0;
    int ntop = 0, nrest = 0;
    flow across = *f;
    across.x = f->top_x;
    across.w = f->top_w;
    for (size_t b = 0; b < L->nblocks; b++) {
        const block *bl = &L->blocks[b];
        if (bl->side)
            continue;
        int h = do_block(L, bl, bl->top ? &across : f, 0, media_min(L->m), false);
        if (bl->top)
            *top += h + (ntop++ ? f->sz.gap : 0);
        else
            *rest += h + (nrest++ ? f->sz.gap : 0);
    }
    if (ntop && nrest)
        *top += f->sz.gap;
}

static bool has_kind(const lay *L, block_kind k)
{
    for (size_t b = 0; b < L->nblocks; b++)
        if (L->blocks[b].kind == k)
            return true;
    return false;
}

/* Shrinks the text (and splits tables) until the flow fits in avail: returns the shrinking steps
 * that took, or -1 when nothing fits (f then holds the smallest sizes). */
static int fit(lay *L, flow *f, int avail, int *top, int *rest)
{
    int max_cols = has_kind(L, BLOCK_TABLE) && !L->m->portrait ? 2 : 1;
    f->table_cols = 1; /* a table in one column reads best: a little smaller is worth it */
    for (int step = 0; max_cols > 1 && step <= ONE_COLUMN_STEPS; step++) {
        f->sz = sizes_at(L->m, step, L->floor);
        flow_heights(L, f, top, rest);
        if (*top + *rest <= avail)
            return step;
    }
    for (int step = 0; step <= SHRINK_STEPS; step++) {
        f->sz = sizes_at(L->m, step, L->floor);
        for (int cols = 1; cols <= max_cols; cols++) {
            f->table_cols = cols;
            flow_heights(L, f, top, rest);
            if (*top + *rest <= avail)
                return step;
        }
    }
    return -1;
}

/* Marks the pictures and codes below the titles for the side column (or back). */
static int mark_side(lay *L, bool side)
{
    int n = 0;
    for (size_t b = 0; b < L->nblocks; b++)
        if (L->blocks[b].kind == BLOCK_MEDIA && !L->blocks[b].top) {
            L->blocks[b].side = side;
            n += (int)L->blocks[b].n;
        }
    return n;
}

/* The side column: its pictures and codes stacked and centred, each as large as fits. */
static void place_side(lay *L, int x, int y, int w, int h)
{
    int n = 0, gap = L->m->margin;
    for (size_t b = 0; b < L->nblocks; b++)
        n += L->blocks[b].side ? (int)L->blocks[b].n : 0;
    if (!n)
        return;
    int cell = min_int(w, (h - (n - 1) * gap) / n);
    y += (h - (n * cell + (n - 1) * gap)) / 2;
    for (size_t b = 0; b < L->nblocks; b++) {
        const block *bl = &L->blocks[b];
        for (size_t k = 0; bl->side && k < bl->n; k++, y += cell + gap) {
            size_t i = L->order[bl->start + k];
            const zc_view_item *it = &L->v->items[i];
            layout_op *op = add_op(L, it->role == ZC_ROLE_QR ? LAYOUT_QR : LAYOUT_PICTURE,
                                   (SDL_Rect){x, y, w, cell}, (int)i);
            if (op)
                snprintf(op->text, sizeof op->text, "%s", it->text);
            L->out->placed[i] = op != NULL;
            add_hit(L, i, (SDL_Rect){x, y, w, cell});
        }
    }
}

/*
 * The flow in its region: titles at the top, the rest centred below them. In landscape, when the
 * flow would have to shrink, its pictures and codes move to a column on the right instead (the
 * done screen: the bill on the left, the receipt's QR code on the right), which keeps the text
 * and the amounts large.
 */
static bool place_flow(lay *L, const region *r)
{
    const layout_metrics *m = L->m;
    flow f = {r->x, r->w, r->x, r->w, 1, sizes_at(m, 0, L->floor)};
    int top = 0, rest = 0;
    int step = fit(L, &f, r->h, &top, &rest);
    int side_w = 0;
    if (step != 0 && !m->portrait && mark_side(L, true)) {
        int col = min_int(per_mille(r->w, SIDE_PER_MILLE), r->h);
        flow g = f;
        g.w = r->w - col - 2 * m->margin;
        int gtop = 0, grest = 0;
        int gstep = fit(L, &g, r->h, &gtop, &grest);
        bool better = gstep >= 0 ? step < 0 || gstep < step : step < 0 && gtop + grest < top + rest;
        if (better) {
            f = g;
            top = gtop;
            rest = grest;
            side_w = col;
        } else {
            mark_side(L, false);
        }
    }
    int free_h = r->h - top - rest;
    int nmedia = 0;
    for (size_t b = 0; b < L->nblocks; b++)
        nmedia += L->blocks[b].kind == BLOCK_MEDIA && !L->blocks[b].top && !L->blocks[b].side;
    int media_h = media_min(m);
    if (nmedia && free_h > 0) {
        int extra = min_int(free_h / nmedia, media_max(m) - media_min(m));
        media_h += extra;
        free_h -= extra * nmedia;
    }
    flow across = f;
    across.x = f.top_x;
    across.w = f.top_w;
    int y = r->y, nplaced = 0;
    bool rest_started = false;
    for (size_t b = 0; b < L->nblocks; b++) {
        const block *bl = &L->blocks[b];
        if (bl->side)
            continue;
        if (!bl->top && !rest_started) {
            rest_started = true;
            if (nplaced)
                y += f.sz.gap;
            y += free_h > 0 ? free_h / 2 : 0;
        } else if (nplaced) {
            y += f.sz.gap;
        }
        y += do_block(L, bl, bl->top ? &across : &f, y, media_h, true);
        nplaced++;
    }
    if (side_w)
        place_side(L, r->x + r->w - side_w, r->y + top, side_w, r->h - top);
    /* Whatever ran past the flow's region was clipped by what lies below it. */
    for (size_t k = 0; k < L->out->nops; k++) {
        const layout_op *op = &L->out->ops[k];
        zc_role role = op->item >= 0 ? L->v->items[op->item].role : ZC_ROLE_STATUS;
        bool in_flow =
            op->item >= 0 && !is_button(role) && role != ZC_ROLE_KEY && role != ZC_ROLE_STATUS;
        if (in_flow &&
            (op->r.y + op->r.h > r->y + r->h || op->r.x < r->x || op->r.x + op->r.w > r->x + r->w))
            L->out->placed[op->item] = false;
    }
    return top + rest <= r->h;
}

void layout_view(const zc_view *v, int w, int h, layout_measure_fn measure, void *measure_ctx,
                 layout *out)
{
    memset(out, 0, sizeof *out);
    layout_metrics_for(w, h, &out->m);
    lay L;
    memset(&L, 0, sizeof L);
    L.v = v;
    L.out = out;
    L.m = &out->m;
    L.measure = measure;
    L.mctx = measure_ctx;
    L.floor = v->staff ? out->m.staff_min : out->m.text_min;
    sort_items(&L);
    const layout_metrics *m = &out->m;
    add_fill(&L, (SDL_Rect){0, 0, w, h}, THEME_BACKGROUND, 0, THEME_BACKGROUND, 0);
    add_fill(&L, (SDL_Rect){0, 0, w, m->band}, theme_tone(v->tone), 0, theme_tone(v->tone), 0);
    int strip = place_status(&L);
    /* When the flow does not fit, the bottom buttons give up their spare height first (they stay
     * at least 1/8 of the short side), then the flow shrinks its text: each try starts over. */
    size_t nops = out->nops, nhits = out->nhits;
    for (int step = 0; step <= BUTTON_SHRINK_STEPS; step++) {
        out->nops = nops;
        out->nhits = nhits;
        for (size_t i = 0; i < ZC_VIEW_ITEMS_MAX; i++)
            if (v->items[i].role != ZC_ROLE_STATUS) {
                out->placed[i] = false;
                out->min_px[i] = 0;
            }
        region r = {m->margin, m->band + m->margin, w - 2 * m->margin, 0};
        r.h = h - strip - m->margin - r.y;
        if (!m->portrait)
            place_keys(&L, &r);
        place_buttons(&L, &r, step);
        if (m->portrait)
            place_keys(&L, &r);
        if (place_flow(&L, &r) || L.nbuttons == 0 || L.nbuttons > 2)
            break;
    }
}

static bool inside(SDL_Rect r, int x, int y)
{
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

const layout_hit *layout_hit_at(const layout *l, int x, int y)
{
    for (size_t k = l->nhits; k-- > 0;)
        if (inside(l->hits[k].r, x, y))
            return &l->hits[k];
    return NULL;
}

const layout_hit *layout_hit_find(const layout *l, const char *id)
{
    for (size_t k = 0; k < l->nhits; k++)
        if (strcmp(l->hits[k].id, id) == 0)
            return &l->hits[k];
    return NULL;
}

static void problem(char problems[LAYOUT_PROBLEMS_MAX][LAYOUT_PROBLEM_MAX], size_t *n,
                    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void problem(char problems[LAYOUT_PROBLEMS_MAX][LAYOUT_PROBLEM_MAX], size_t *n,
                    const char *fmt, ...)
{
    if (*n < LAYOUT_PROBLEMS_MAX) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(problems[*n], LAYOUT_PROBLEM_MAX, fmt, ap);
        va_end(ap);
    }
    (*n)++;
}

size_t layout_check(const zc_view *v, const layout *l,
                    char problems[LAYOUT_PROBLEMS_MAX][LAYOUT_PROBLEM_MAX])
{
    const layout_metrics *m = &l->m;
    int floor = v->staff ? m->staff_min : m->text_min;
    size_t n = 0;
    if (l->ops_overflow)
        problem(problems, &n, "more than %d drawing operations", LAYOUT_OPS_MAX);
    size_t items = v->n < ZC_VIEW_ITEMS_MAX ? v->n : ZC_VIEW_ITEMS_MAX;
    for (size_t i = 0; i < items; i++) {
        const zc_view_item *it = &v->items[i];
        if (!l->placed[i])
            problem(problems, &n, "%s \"%.40s\" does not fit", role_name(it->role), it->text);
        if (it->role != ZC_ROLE_STATUS && l->min_px[i] && l->min_px[i] < floor)
            problem(problems, &n, "%s \"%.40s\" is %d px, less than the least text size (%d)",
                    role_name(it->role), it->text, l->min_px[i], floor);
    }
    size_t choices = 0;
    for (size_t k = 0; k < l->nhits; k++) {
        const layout_hit *a = &l->hits[k];
        zc_role role = v->items[a->item].role;
        if (role == ZC_ROLE_STATUS)
            continue;
        choices++;
        if (a->r.w < m->target || a->r.h < m->target)
            problem(problems, &n, "\"%s\" is %dx%d, less than 1/8 of the short side (%d)", a->id,
                    a->r.w, a->r.h, m->target);
        if (a->r.x < 0 || a->r.y < 0 || a->r.x + a->r.w > m->w || a->r.y + a->r.h > m->h)
            problem(problems, &n, "\"%s\" is off the screen", a->id);
        for (size_t j = k + 1; j < l->nhits; j++)
            if (SDL_HasIntersection(&a->r, &l->hits[j].r))
                problem(problems, &n, "\"%s\" and \"%s\" overlap", a->id, l->hits[j].id);
    }
    if (!v->staff && choices > 2)
        problem(problems, &n, "an elder's screen with %zu choices (at most two)", choices);
    return n;
}
