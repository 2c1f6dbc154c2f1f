/*
 * QR codes drawn on screen (libqrencode): one texel per module with the white quiet zone of four
 * modules the standard asks for, so the renderer scales it by a whole number and a phone or the
 * receipt checker reads it straight off the glass.
 */
#ifndef ZC_SHELL_QR_H
#define ZC_SHELL_QR_H

#include <SDL.h>

enum { QR_QUIET_ZONE = 4 /* modules of white around the code */ };

/* The code as a texture, its side in modules (quiet zone included) in *side; NULL when the text
 * cannot be encoded (too long). */
SDL_Texture *qr_texture(SDL_Renderer *renderer, const char *text, int *side);

#endif
