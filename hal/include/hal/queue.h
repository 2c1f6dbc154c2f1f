/*
 * The event queue: where every device's thread puts its events and the kiosk's main loop takes
 * them, without blocking. A ring of fixed capacity: a jammed scanner cannot grow it without bound;
 * when it is full new events are dropped and counted, and the kiosk shows a device fault.
 */
#ifndef HAL_QUEUE_H
#define HAL_QUEUE_H

#include "hal/hal.h"

typedef struct hal_queue hal_queue;

enum { HAL_QUEUE_DEFAULT_CAPACITY = 256 };

/* Called after each push, on the pushing thread: e.g. SDL_PushEvent to wake the UI loop. */
typedef void (*hal_queue_notify_fn)(void *ctx);

hal_err hal_queue_new(size_t capacity, hal_queue **out);
void hal_queue_free(hal_queue *q);

void hal_queue_set_notify(hal_queue *q, hal_queue_notify_fn fn, void *ctx);

/* Thread-safe. HAL_ERR_BUSY (and the event is counted as dropped) when full. */
hal_err hal_queue_push(hal_queue *q, const hal_event *ev);

/* Takes the oldest event; HAL_ERR_AGAIN when there is none. Never blocks. */
hal_err hal_queue_poll(hal_queue *q, hal_event *out);

/* Waits up to timeout_ms (negative: forever) for an event; HAL_ERR_AGAIN on timeout. */
hal_err hal_queue_wait(hal_queue *q, hal_event *out, int timeout_ms);

/* Events dropped because the queue was full, since it was made. */
size_t hal_queue_dropped(hal_queue *q);

#endif
