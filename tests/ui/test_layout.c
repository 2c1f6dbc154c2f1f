/*
 * The layout against hand-built views (no app, no fonts: a measuring function with fixed
 * advances), at the three screen sizes DESIGN.md names: every view must pass layout_check (text
 * large enough, targets large enough and apart, nothing cut off), presses must land on what is
 * drawn, and the same view must lay out the same way twice.
 */
#include "layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                            \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

/* A font where Latin is 0.55 em wide and everything else 1 em; lines 1.2 em. */
static void measure(void *ctx, const char *s, size_t len, int px, text_style style, int *w, int *h,
                    int *ascent)
{
    (void)ctx;
    (void)style;
    long width = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80)
            width += px * 55 / 100;
        else if ((c & 0xC0) != 0x80)
            width += px;
    }
    *w = (int)width;
    *h = px * 6 / 5;
    *ascent = px * 19 / 20;
}

zc_view_item *zc_view_add(zc_view *v, zc_role role, const char *id, const char *text,
                          const char *text2)
{
    if (v->n >= ZC_VIEW_ITEMS_MAX)
        return NULL;
    zc_view_item *it = &v->items[v->n++];
    memset(it, 0, sizeof *it);
    it->role = role;
    snprintf(it->id, sizeof it->id, "%s", id ? id : "");
    snprintf(it->text, sizeof it->text, "%s", text ? text : "");
    snprintf(it->text2, sizeof it->text2, "%s", text2 ? text2 : "");
    return it;
}

static void idle(zc_view *v)
{
    v->screen = "idle";
    zc_view_add(v, ZC_ROLE_TITLE, "", "请刷身份证、扫码或刷卡", NULL);
    zc_view_add(v, ZC_ROLE_PICTURE, "", "idle.png", NULL);
    zc_view_add(v, ZC_ROLE_BODY, "", "把身份证放在读卡区，或出示助餐二维码、刷助餐卡", NULL);
    zc_view_add(v, ZC_ROLE_STATUS, "", "打印机：缺纸", NULL);
    zc_view_add(v, ZC_ROLE_STATUS, "staff", "工作人员", NULL);
}

static void confirm(zc_view *v)
{
    v->screen = "confirm";
    zc_view_add(v, ZC_ROLE_TITLE, "", "请确认", NULL);
    zc_view_add(v, ZC_ROLE_BODY, "", "两荤一素套餐（米饭、例汤）", NULL);
    zc_view_add(v, ZC_ROLE_AMOUNT, "", "原价", "¥15.00");
    zc_view_add(v, ZC_ROLE_AMOUNT, "", "政府补贴", "¥4.00");
    zc_view_add(v, ZC_ROLE_BIG_AMOUNT, "", "您付 ¥11.00", NULL);
    zc_view_add(v, ZC_ROLE_BUTTON_PRIMARY, "confirm", "确认", NULL);
    zc_view_add(v, ZC_ROLE_BUTTON, "cancel", "取消", NULL);
}

static void done(zc_view *v)
{
    v->screen = "done";
    v->tone = ZC_TONE_WARNING;
    zc_view_add(v, ZC_ROLE_TITLE, "", "已完成", NULL);
    zc_view_add(v, ZC_ROLE_BIG_AMOUNT, "", "您付 ¥5.00", NULL);
    zc_view_add(v, ZC_ROLE_AMOUNT, "", "政府补贴", "¥3.00");
    zc_view_add(v, ZC_ROLE_BODY, "", "收据没有打印出来，但已经记录好了", NULL);
    zc_view_add(v, ZC_ROLE_HINT, "", "屏幕上的二维码就是您的收据，请告诉工作人员", NULL);
    zc_view_add(v, ZC_ROLE_QR, "", "ZCR1|ZK-3850cb7a5276|2|1767603607|800|300|500|ab12cd34|sig",
                NULL);
    zc_view_add(v, ZC_ROLE_HINT, "", "流水号 2", NULL);
    zc_view_add(v, ZC_ROLE_BUTTON_PRIMARY, "ok", "好的", NULL);
    zc_view_add(v, ZC_ROLE_STATUS, "", "printer：未连接", NULL);
}

static void choose(zc_view *v)
{
    v->screen = "choose";
    zc_view_add(v, ZC_ROLE_TITLE, "", "请选择餐品", NULL);
    zc_view_add(v, ZC_ROLE_HINT, "", "第 2 个，共 6 个", NULL);
    zc_view_add(v, ZC_ROLE_BUTTON_PRIMARY, "item:L01", "两荤一素套餐（米饭、例汤）", "¥15.00");
    zc_view_add(v, ZC_ROLE_BUTTON, "next", "看下一个", NULL);
    zc_view_add(v, ZC_ROLE_STATUS, "amount", "工作人员输入金额", NULL);
}

static void pin(zc_view *v)
{
    static const char *const keys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "0"};
    v->screen = "staff_pin";
    v->staff = true;
    zc_view_add(v, ZC_ROLE_TITLE, "", "工作人员密码", NULL);
    zc_view_add(v, ZC_ROLE_BIG_AMOUNT, "", "●●●●", NULL);
    for (size_t i = 0; i < 10; i++) {
        char id[ZC_VIEW_ID_MAX];
        snprintf(id, sizeof id, "key:%s", keys[i]);
        zc_view_add(v, ZC_ROLE_KEY, id, keys[i], NULL);
    }
    zc_view_add(v, ZC_ROLE_KEY, "key:back", "删除", NULL);
    zc_view_add(v, ZC_ROLE_KEY, "key:ok", "确定", NULL);
    zc_view_add(v, ZC_ROLE_BUTTON, "cancel", "取消", NULL);
}

static void menu(zc_view *v)
{
    static const char *const tasks[] = {"代老人下单", "作废一笔", "今日报表",   "点算现金", "日结",
                                        "设备状态",   "设置时间", "音量和语言", "修改密码"};
    v->screen = "staff_menu";
    v->staff = true;
    zc_view_add(v, ZC_ROLE_TITLE, "", "工作人员", NULL);
    zc_view_add(v, ZC_ROLE_BODY, "", "密码还是出厂默认的，请先修改密码", NULL);
    for (size_t i = 0; i < sizeof tasks / sizeof tasks[0]; i++) {
        char id[ZC_VIEW_ID_MAX];
        snprintf(id, sizeof id, "task:%zu", i);
        zc_view_add(v, ZC_ROLE_BUTTON, id, tasks[i], NULL);
    }
    zc_view_add(v, ZC_ROLE_BUTTON_PRIMARY, "exit", "退出", NULL);
}

static void report(zc_view *v)
{
    static const char *const rows[][2] = {
        {"笔数", "42"},
        {"作废", "1"},
        {"营业额", "¥630.00"},
        {"政府补贴", "¥210.00"},
        {"老人自付", "¥420.00"},
        {"按餐次", ""},
        {"早餐", "3 笔 ¥60.00"},
        {"午餐", "30 笔 ¥450.00"},
        {"晚餐", "9 笔 ¥120.00"},
        {"按补贴档次或类别", ""},
        {"80-89", "20 笔 ¥80.00"},
        {"按支付方式", ""},
        {"现金", "40 笔 ¥400.00"},
        {"idcard", "正常：plugged in (simulated), a long status message"}};
    v->screen = "staff_report";
    v->staff = true;
    zc_view_add(v, ZC_ROLE_TITLE, "", "今日报表 2026-01-05", NULL);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        zc_view_add(v, ZC_ROLE_ROW, "", rows[i][0], rows[i][1]);
    zc_view_add(v, ZC_ROLE_BUTTON, "back", "返回", NULL);
}

typedef void (*view_fn)(zc_view *v);

static const struct {
    const char *name;
    view_fn make;
    const char *tap; /* an element a press must find */
} VIEWS[] = {
    {"idle", idle, "staff"},        {"confirm", confirm, "confirm"}, {"done", done, "ok"},
    {"choose", choose, "item:L01"}, {"pin", pin, "key:5"},           {"menu", menu, "exit"},
    {"report", report, "back"},
};

static const int SIZES[][2] = {{1920, 1080}, {1280, 800}, {1080, 1920}};

int main(void)
{
    layout *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    if (!a || !b)
        return 1;
    for (size_t s = 0; s < sizeof SIZES / sizeof SIZES[0]; s++)
        for (size_t i = 0; i < sizeof VIEWS / sizeof VIEWS[0]; i++) {
            int w = SIZES[s][0], h = SIZES[s][1];
            zc_view v;
            memset(&v, 0, sizeof v);
            VIEWS[i].make(&v);
            layout_view(&v, w, h, measure, NULL, a);
            char problems[LAYOUT_PROBLEMS_MAX][LAYOUT_PROBLEM_MAX];
            size_t n = layout_check(&v, a, problems);
            for (size_t k = 0; k < n && k < LAYOUT_PROBLEMS_MAX; k++)
                printf("  %s %dx%d: %s\n", VIEWS[i].name, w, h, problems[k]);
            CHECK(n == 0, "%s at %dx%d: %zu layout problems", VIEWS[i].name, w, h, n);
            const layout_hit *hit = layout_hit_find(a, VIEWS[i].tap);
            CHECK(hit != NULL, "%s at %dx%d: no %s", VIEWS[i].name, w, h, VIEWS[i].tap);
            if (hit) {
                const layout_hit *at =
                    layout_hit_at(a, hit->r.x + hit->r.w / 2, hit->r.y + hit->r.h / 2);
                CHECK(at && strcmp(at->id, VIEWS[i].tap) == 0, "%s: a press on %s misses",
                      VIEWS[i].name, VIEWS[i].tap);
            }
            CHECK(layout_hit_at(a, -1, -1) == NULL, "a press off the screen hits something");
            layout_view(&v, w, h, measure, NULL, b);
            CHECK(a->nops == b->nops && memcmp(a->ops, b->ops, a->nops * sizeof a->ops[0]) == 0,
                  "%s at %dx%d: two layouts differ", VIEWS[i].name, w, h);
        }
    /* A full view on a tiny screen: problems reported, nothing drawn outside the arrays. */
    zc_view v;
    memset(&v, 0, sizeof v);
    while (v.n < ZC_VIEW_ITEMS_MAX)
        zc_view_add(&v, (zc_role)(v.n % (ZC_ROLE_STATUS + 1)), v.n % 3 ? "" : "x",
                    "一段很长很长的文字，用来看放不下的时候会怎样", "¥1.00");
    v.screen = "overfull";
    layout_view(&v, 320, 240, measure, NULL, a);
    char problems[LAYOUT_PROBLEMS_MAX][LAYOUT_PROBLEM_MAX];
    CHECK(layout_check(&v, a, problems) > 0, "an overfull tiny screen reports no problem");
    free(a);
    free(b);
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
