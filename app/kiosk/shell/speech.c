#include "speech.h"

#include <SDL.h>
#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    AUDIO_BUFFER_SAMPLES = 1024, /* about 46 ms at 22050 Hz: prompt, not choppy */
    VOLUME_MAX = 100,
    SYNTH_CHUNK_MS = 100, /* espeak-ng hands samples over in pieces this long */
};

static const char VOICE_ZH[] = "cmn"; /* Mandarin; "zh" on older espeak-ng */
static const char VOICE_ZH_OLD[] = "zh";
static const char VOICE_EN[] = "en";

struct speech {
    SDL_Thread *thread;
    SDL_mutex *lock;
    SDL_cond *wake;
    /* Guarded by lock. */
    char pending[SPEECH_TEXT_MAX];
    int pending_volume;
    bool has_pending, quit;
    /* Bumped by every speech_say, read by the synthesis callback to stop a stale utterance. */
    SDL_atomic_t generation;
    /* The worker's own. */
    SDL_AudioDeviceID device;
    int volume, speaking_generation;
    bool first_chunk;
    bool engine; /* espeak-ng initialised: terminate it at the end, whatever else failed */
    const char *voice;
};

/* espeak-ng's callback, on the worker: scale and queue each piece as it is made. */
static int on_samples(short *wav, int n, espeak_EVENT *events)
{
    speech *s = events ? events->user_data : NULL;
    if (!s)
        return 0;
    if (SDL_AtomicGet(&s->generation) != s->speaking_generation)
        return 1; /* something newer to say: stop this one */
    if (!wav || n <= 0)
        return 0;
    for (int i = 0; i < n; i++)
        wav[i] = (short)(wav[i] * s->volume / VOLUME_MAX);
    if (s->first_chunk) {
        SDL_ClearQueuedAudio(s->device); /* cut off what is still playing */
        s->first_chunk = false;
    }
    SDL_QueueAudio(s->device, wav, (Uint32)n * sizeof *wav);
    return 0;
}

static bool start_engine(speech *s)
{
    espeak_ng_InitializePath(NULL);
    if (espeak_ng_Initialize(NULL) != ENS_OK ||
        espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, SYNTH_CHUNK_MS, NULL) != ENS_OK) {
        fprintf(stderr, "zhucan-kiosk: espeak-ng did not start; results are not spoken\n");
        return false;
    }
    s->engine = true;
    espeak_SetSynthCallback(on_samples);
    if (espeak_ng_SetVoiceByName(VOICE_ZH) != ENS_OK &&
        espeak_ng_SetVoiceByName(VOICE_ZH_OLD) != ENS_OK)
        fprintf(stderr, "zhucan-kiosk: espeak-ng has no Mandarin voice\n");
    s->voice = VOICE_ZH;
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
        fprintf(stderr, "zhucan-kiosk: no audio (%s); results are not spoken\n", SDL_GetError());
        return false;
    }
    const char *driver = SDL_GetCurrentAudioDriver();
    if (!driver || strcmp(driver, "dummy") == 0)
        return false; /* nobody would hear it ("disk" is kept: it is how speech is checked) */
    SDL_AudioSpec want = {0}, have;
    want.freq = espeak_ng_GetSampleRate();
    want.format = AUDIO_S16SYS;
    want.channels = 1;
    want.samples = AUDIO_BUFFER_SAMPLES;
    s->device = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
    if (!s->device) {
        fprintf(stderr, "zhucan-kiosk: no audio device (%s); results are not spoken\n",
                SDL_GetError());
        return false;
    }
    SDL_PauseAudioDevice(s->device, 0);
    return true;
}

/* Mandarin for anything with Chinese in it; English (the --lang en texts) otherwise. */
static const char *voice_for(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p >= 0x80)
            return VOICE_ZH;
    return VOICE_EN;
}

static int worker(void *arg)
{
    speech *s = arg;
    bool ready = start_engine(s);
    char text[SPEECH_TEXT_MAX];
    for (;;) {
        SDL_LockMutex(s->lock);
        while (!s->has_pending && !s->quit)
            SDL_CondWait(s->wake, s->lock);
        if (s->quit) {
            SDL_UnlockMutex(s->lock);
            break;
        }
        memcpy(text, s->pending, sizeof text);
        s->volume = s->pending_volume;
        s->has_pending = false;
        s->speaking_generation = SDL_AtomicGet(&s->generation);
        SDL_UnlockMutex(s->lock);
        if (!ready || s->volume <= 0)
            continue;
        const char *voice = voice_for(text);
        if (voice != s->voice && espeak_ng_SetVoiceByName(voice) == ENS_OK)
            s->voice = voice;
        s->first_chunk = true;
        espeak_ng_Synthesize(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL,
                             s);
    }
    if (s->device)
        SDL_CloseAudioDevice(s->device);
    if (s->engine)
        espeak_ng_Terminate();
    return 0;
}

bool speech_open(speech **out)
{
    *out = NULL;
    speech *s = calloc(1, sizeof *s);
    if (!s)
        return false;
    s->lock = SDL_CreateMutex();
    s->wake = SDL_CreateCond();
    if (s->lock && s->wake)
        s->thread = SDL_CreateThread(worker, "speech", s);
    if (!s->thread) {
        if (s->wake)
            SDL_DestroyCond(s->wake);
        if (s->lock)
            SDL_DestroyMutex(s->lock);
        free(s);
        return false;
    }
    *out = s;
    return true;
}

void speech_say(speech *s, const char *text, int volume)
{
    if (!s)
        return;
    SDL_LockMutex(s->lock);
    snprintf(s->pending, sizeof s->pending, "%s", text);
    s->pending_volume = volume < 0 ? 0 : volume > VOLUME_MAX ? VOLUME_MAX : volume;
    s->has_pending = true;
    SDL_AtomicAdd(&s->generation, 1);
    SDL_CondSignal(s->wake);
    SDL_UnlockMutex(s->lock);
}

void speech_close(speech *s)
{
    if (!s)
        return;
    SDL_LockMutex(s->lock);
    s->quit = true;
    SDL_AtomicAdd(&s->generation, 1); /* stops an utterance being made */
    SDL_CondSignal(s->wake);
    SDL_UnlockMutex(s->lock);
    SDL_WaitThread(s->thread, NULL);
    SDL_DestroyCond(s->wake);
    SDL_DestroyMutex(s->lock);
    free(s);
}
