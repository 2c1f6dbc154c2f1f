/*
 * Simulated devices, for development, tests and the demo: lines of text on stdin, a FIFO or a
 * file stand in for what real readers would deliver. The words match the kiosk's script actions:
 *
 *   qr TEXT                   a QR code scanned (TEXT runs to the end of the line)
 *   card UID                  a meal card tapped
 *   id_card ID_NUMBER NAME    an ID card read (birth date and sex taken from the number)
 *   unplug | plug             the device disconnected / reconnected
 *   # comment
 *
 * The decoder is pure: bytes in, events out, any chunking; a line it does not understand becomes
 * an error event naming it.
 */
#ifndef HAL_SIM_H
#define HAL_SIM_H

#include "hal/hal.h"

enum { HAL_SIM_LINE_MAX = 1024 };

typedef struct hal_sim_decoder {
    char line[HAL_SIM_LINE_MAX];
    size_t len;
    bool overlong; /* the current line outgrew the buffer or held a NUL: drop it */
} hal_sim_decoder;

void hal_sim_decoder_init(hal_sim_decoder *dec);

void hal_sim_feed(hal_sim_decoder *dec, const char *device, const uint8_t *bytes, size_t n,
                  hal_events *out);

/* Decodes one line (without its newline). */
void hal_sim_line(const char *device, const char *line, hal_events *out);

#endif
