#include "qr.h"

#include <qrencode.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const Uint32 DARK = 0xFF000000, LIGHT = 0xFFFFFFFF; /* ARGB */

SDL_Texture *qr_texture(SDL_Renderer *renderer, const char *text, int *side)
{
    *side = 0;
    /* 8-bit mode, level M: receipts and enrolment codes are short, and M survives smudges. */
    QRcode *code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!code) {
        fprintf(stderr, "zhucan-kiosk: cannot encode a QR code of %zu bytes\n", strlen(text));
        return NULL;
    }
    int n = code->width + 2 * QR_QUIET_ZONE;
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, n, n, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Texture *tex = NULL;
    if (s) {
        for (int y = 0; y < n; y++) {
            Uint32 *row = (Uint32 *)((Uint8 *)s->pixels + y * s->pitch);
            for (int x = 0; x < n; x++) {
                int mx = x - QR_QUIET_ZONE, my = y - QR_QUIET_ZONE;
                bool in = mx >= 0 && my >= 0 && mx < code->width && my < code->width;
                row[x] = in && (code->data[my * code->width + mx] & 1) ? DARK : LIGHT;
            }
        }
        tex = SDL_CreateTextureFromSurface(renderer, s);
        SDL_FreeSurface(s);
    }
    if (tex) {
        SDL_SetTextureScaleMode(tex, SDL_ScaleModeNearest); /* modules stay sharp squares */
        *side = n;
    }
    QRcode_free(code);
    return tex;
}
