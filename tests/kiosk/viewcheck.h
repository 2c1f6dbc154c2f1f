/*
 * What the kiosk tests ask of a view: is this text shown, on which screen are we, and does any
 * text name an elder's category (which no elder screen, utterance or receipt may ever do).
 */
#ifndef ZC_KIOSK_VIEWCHECK_H
#define ZC_KIOSK_VIEWCHECK_H

#include "kiosk/view.h"

#include <stdbool.h>

/* True when text names a category, in Chinese or as a rules id. NULL names nothing. */
bool kt_names_category(const char *text);

const zc_view_item *kt_find_text(const zc_view *v, const char *text);
const zc_view_item *kt_find_role(const zc_view *v, zc_role role);

/* Fail the test (listing the view) unless it is screen `name` / shows `text`. */
void kt_expect_screen(const zc_view *v, const char *name);
void kt_expect_text(const zc_view *v, const char *text);

#endif
