/*
 * Screenshots: what the renderer's target holds, written to DIR/NAME.png (SDL2_image). Used by
 * scripts (the UI tests' goldens) and by nothing else: the kiosk never records an elder's screen
 * on its own.
 */
#ifndef ZC_SHELL_SCREENSHOT_H
#define ZC_SHELL_SCREENSHOT_H

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>

bool screenshot_save(SDL_Renderer *renderer, const char *dir, const char *name, char *err,
                     size_t errsize);

#endif
