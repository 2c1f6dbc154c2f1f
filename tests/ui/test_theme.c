/* The kiosk's colours: every text colour on its background reaches 7:1 (DESIGN.md). */
#include "theme.h"

#include <stdio.h>

int main(void)
{
    size_t n;
    const theme_pair *pairs = theme_pairs(&n);
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        int c = theme_contrast_x100(pairs[i].text, pairs[i].background);
        printf("%-26s %d.%02d:1%s\n", pairs[i].name, c / 100, c % 100,
               c < THEME_MIN_CONTRAST_X100 ? "  BELOW 7:1" : "");
        failed += c < THEME_MIN_CONTRAST_X100;
    }
    /* The formula itself: black on white is 21:1, a colour on itself 1:1. */
    SDL_Color black = {0, 0, 0, 255}, white = {255, 255, 255, 255};
    if (theme_contrast_x100(black, white) != 2100 || theme_contrast_x100(white, white) != 100) {
        printf("contrast formula wrong\n");
        failed++;
    }
    return failed ? 1 : 0;
}
