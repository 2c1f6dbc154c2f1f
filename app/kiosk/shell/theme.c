#include "theme.h"

SDL_Color theme_tone(zc_tone tone)
{
    switch (tone) {
    case ZC_TONE_SUCCESS:
        return THEME_TONE_SUCCESS;
    case ZC_TONE_WARNING:
        return THEME_TONE_WARNING;
    case ZC_TONE_ERROR:
        return THEME_TONE_ERROR;
    case ZC_TONE_CALM:
    default:
        return THEME_TONE_CALM;
    }
}

/* sRGB channel to linear light, as WCAG 2 defines relative luminance. */
static double linear(Uint8 c)
{
    double v = c / 255.0;
    return v <= 0.03928 ? v / 12.92 : SDL_pow((v + 0.055) / 1.055, 2.4);
}

static double luminance(SDL_Color c)
{
    return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b);
}

int theme_contrast_x100(SDL_Color a, SDL_Color b)
{
    double la = luminance(a), lb = luminance(b);
    double hi = la > lb ? la : lb, lo = la > lb ? lb : la;
    return (int)SDL_floor((hi + 0.05) / (lo + 0.05) * 100.0);
}

static const theme_pair PAIRS[] = {
    {"text on background", THEME_TEXT, THEME_BACKGROUND},
    {"hint on background", THEME_TEXT_SOFT, THEME_BACKGROUND},
    {"text on button", THEME_TEXT, THEME_BUTTON},
    {"text on primary button", THEME_PRIMARY_TEXT, THEME_PRIMARY},
    {"text on alternate row", THEME_TEXT, THEME_ROW_ALT},
    {"text on panel", THEME_TEXT, THEME_PANEL},
    {"status text on strip", THEME_STRIP_TEXT, THEME_STRIP},
};

const theme_pair *theme_pairs(size_t *n)
{
    *n = sizeof PAIRS / sizeof PAIRS[0];
    return PAIRS;
}
