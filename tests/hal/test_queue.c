/* The event queue: order, capacity, dropping when full, waking a waiter from another thread. */
#include "testutil.h"

#include "hal/queue.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { SMALL = 4, PRODUCERS = 4, PER_PRODUCER = 500, WAIT_MS = 5000, SHORT_MS = 20 };

static hal_event qr(const char *device, const char *text)
{
    hal_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = HAL_EVENT_QR;
    snprintf(ev.device, sizeof ev.device, "%s", device);
    snprintf(ev.u.text, sizeof ev.u.text, "%s", text);
    return ev;
}

static void count_notify(void *ctx)
{
    ++*(int *)ctx;
}

static void test_fifo_and_full(void **state)
{
    (void)state;
    hal_queue *q;
    assert_int_equal(hal_queue_new(SMALL, &q), HAL_OK);
    int notified = 0;
    hal_queue_set_notify(q, count_notify, &notified);
    hal_event out;
    assert_int_equal(hal_queue_poll(q, &out), HAL_ERR_AGAIN);
    char text[8];
    for (int i = 0; i < SMALL + 2; i++) {
        snprintf(text, sizeof text, "%d", i);
        hal_event ev = qr("scanner", text);
        assert_int_equal(hal_queue_push(q, &ev), i < SMALL ? HAL_OK : HAL_ERR_BUSY);
    }
    assert_int_equal(notified, SMALL);
    assert_int_equal(hal_queue_dropped(q), 2);
    for (int i = 0; i < SMALL; i++) {
        assert_int_equal(hal_queue_poll(q, &out), HAL_OK);
        snprintf(text, sizeof text, "%d", i);
        assert_string_equal(out.u.text, text);
    }
    assert_int_equal(hal_queue_wait(q, &out, SHORT_MS), HAL_ERR_AGAIN); /* times out */
    hal_queue_free(q);
}

typedef struct producer {
    hal_queue *q;
    int id;
} producer;

static void *produce(void *arg)
{
    producer *p = arg;
    char device[16], text[16];
    snprintf(device, sizeof device, "dev%d", p->id);
    for (int i = 0; i < PER_PRODUCER; i++) {
        snprintf(text, sizeof text, "%d", i);
        hal_event ev = qr(device, text);
        while (hal_queue_push(p->q, &ev) == HAL_ERR_BUSY)
            usleep(100);
    }
    return NULL;
}

static void test_threads_keep_each_devices_order(void **state)
{
    (void)state;
    hal_queue *q;
    assert_int_equal(hal_queue_new(HAL_QUEUE_DEFAULT_CAPACITY, &q), HAL_OK);
    pthread_t threads[PRODUCERS];
    producer ps[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++) {
        ps[i] = (producer){q, i};
        assert_int_equal(pthread_create(&threads[i], NULL, produce, &ps[i]), 0);
    }
    int next[PRODUCERS] = {0};
    for (int n = 0; n < PRODUCERS * PER_PRODUCER; n++) {
        hal_event ev;
        assert_int_equal(hal_queue_wait(q, &ev, WAIT_MS), HAL_OK);
        int id = ev.device[3] - '0';
        char expect[16];
        snprintf(expect, sizeof expect, "%d", next[id]++);
        assert_string_equal(ev.u.text, expect);
    }
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(threads[i], NULL);
    hal_queue_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_and_full),
        cmocka_unit_test(test_threads_keep_each_devices_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
