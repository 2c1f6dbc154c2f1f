#include "viewcheck.h"

#include "testutil.h"

#include <string.h>

static const char *const CATEGORY_WORDS[] = {"低保", "特困",  "失能",  "优抚",
                                             "计生", "dibao", "tekun", "shineng"};

bool kt_names_category(const char *text)
{
    for (size_t i = 0; text && i < sizeof CATEGORY_WORDS / sizeof CATEGORY_WORDS[0]; i++)
        if (strstr(text, CATEGORY_WORDS[i]))
            return true;
    return false;
}

const zc_view_item *kt_find_text(const zc_view *v, const char *text)
{
    for (size_t i = 0; i < v->n; i++)
        if (strstr(v->items[i].text, text) || strstr(v->items[i].text2, text))
            return &v->items[i];
    return NULL;
}

const zc_view_item *kt_find_role(const zc_view *v, zc_role role)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->items[i].role == role)
            return &v->items[i];
    return NULL;
}

void kt_expect_screen(const zc_view *v, const char *name)
{
    if (strcmp(v->screen, name) != 0)
        fail_msg("on screen %s, wanted %s", v->screen, name);
}

void kt_expect_text(const zc_view *v, const char *text)
{
    if (kt_find_text(v, text))
        return;
    for (size_t i = 0; i < v->n; i++)
        print_message("  [%d] %s | %s | %s\n", v->items[i].role, v->items[i].id, v->items[i].text,
                      v->items[i].text2);
    fail_msg("screen %s does not show '%s'", v->screen, text);
}
