/*
 * Speech: every result is also spoken (DESIGN.md), in Mandarin, by espeak-ng, through SDL audio.
 *
 * A worker thread owns espeak-ng: it starts the synthesiser (which takes a moment) after the
 * screen is up, synthesises each utterance and queues the samples to the audio device as they
 * come, scaled by the volume staff set. speech_say never waits: a newer utterance replaces one not
 * yet spoken and cuts off the one playing, so the voice always matches the screen. Without an audio
 * device (offscreen tests, a kiosk with no speaker) speech is skipped, never an error.
 */
#ifndef ZC_SHELL_SPEECH_H
#define ZC_SHELL_SPEECH_H

#include <stdbool.h>

typedef struct speech speech;

enum { SPEECH_TEXT_MAX = 512 };

/* Starts the worker; false only when no thread could be made. */
bool speech_open(speech **out);
void speech_close(speech *s);

/* Speaks text at volume 0..100 (0: silent). Returns at once. */
void speech_say(speech *s, const char *text, int volume);

#endif
