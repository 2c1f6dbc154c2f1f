/*
 * The view model's two helpers (view.h). Texts longer than an item holds are cut at a UTF-8
 * character boundary, so a long dish name never ends in half a Chinese character.
 */
#include "kiosk/view.h"

#include "ui_strings.h"

#include <string.h>

zc_view_item *zc_view_add(zc_view *v, zc_role role, const char *id, const char *text,
                          const char *text2)
{
    if (!v || v->n >= ZC_VIEW_ITEMS_MAX)
        return NULL;
    zc_view_item *it = &v->items[v->n++];
    memset(it, 0, sizeof *it);
    it->role = role;
    zc_strings_append(it->id, sizeof it->id, id);
    zc_strings_append(it->text, sizeof it->text, text);
    zc_strings_append(it->text2, sizeof it->text2, text2);
    return it;
}

const zc_view_item *zc_view_find(const zc_view *v, const char *id)
{
    if (!v || !id || !*id)
        return NULL;
    for (size_t i = 0; i < v->n && i < ZC_VIEW_ITEMS_MAX; i++)
        if (strcmp(v->items[i].id, id) == 0)
            return &v->items[i];
    return NULL;
}
