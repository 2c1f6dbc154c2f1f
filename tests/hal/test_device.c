/*
 * Devices end to end through real transports: a simulated device on a file, a keyboard-wedge
 * scanner's recorded reports on a file, and an ID-card reader on a pseudo-terminal answered by a
 * thread playing the reader from recorded frames (find, select, read; then the card is lifted).
 */
#include "testutil.h"

#include "hal/device.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    WAIT_MS = 5000,
    QUIET_MS = 1500,
    COMMAND_LEN = 10,        /* preamble, length, cmd, para, checksum */
    CMD_AT = 7,              /* offset of the command byte */
    FINDS_WITH_CARD = 3,     /* the card stays on the reader for this many polls */
    READ_FRAME_AT = 15 + 19, /* read_zhangsanhua.bin: find and select replies, then the read */
};

static char *data_file(const char *name, size_t *len)
{
    char path[ZC_TEST_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", ZC_HAL_DATA, name);
    return zt_read_file(path, len);
}

static hal_device *device(hal_queue *q, const char *driver, const char *transport)
{
    hal_device_config cfg = {.paper_mm = 58};
    snprintf(cfg.name, sizeof cfg.name, "test-%s", driver);
    snprintf(cfg.driver, sizeof cfg.driver, "%s", driver);
    snprintf(cfg.transport, sizeof cfg.transport, "%s", transport);
    hal_device *d;
    char err[HAL_CONFIG_ERR_MAX] = "";
    if (hal_device_open(&cfg, q, &d, err, sizeof err))
        fail_msg("open: %s", err);
    return d;
}

static void claim(hal_device *d)
{
    char err[HAL_CONFIG_ERR_MAX] = "";
    if (hal_device_claim(d, err, sizeof err))
        fail_msg("claim: %s", err);
}

/* The next event that is not a status event. */
static bool next_data(hal_queue *q, hal_event *ev, int ms)
{
    while (hal_queue_wait(q, ev, ms) == HAL_OK)
        if (ev->kind != HAL_EVENT_STATUS)
            return true;
    return false;
}

static void test_sim_on_a_file(void **state)
{
    (void)state;
    char dir[ZC_TEST_PATH_MAX], path[ZC_TEST_PATH_MAX], spec[ZC_TEST_PATH_MAX + 8];
    zt_mkdtemp(dir, sizeof dir);
    zt_join(path, sizeof path, dir, "script");
    static const char SCRIPT[] = "qr ZCE1.TEST\ncard 0012345678\nbogus\n";
    zt_write_file(path, SCRIPT, sizeof SCRIPT - 1);
    snprintf(spec, sizeof spec, "file:%s", path);
    hal_queue *q;
    assert_int_equal(hal_queue_new(HAL_QUEUE_DEFAULT_CAPACITY, &q), HAL_OK);
    hal_device *d = device(q, "sim", spec);
    hal_device_enable(d, true);
    claim(d);
    hal_event ev;
    assert_true(next_data(q, &ev, WAIT_MS));
    assert_int_equal(ev.kind, HAL_EVENT_QR);
    assert_string_equal(ev.u.text, "ZCE1.TEST");
    assert_string_equal(ev.device, "test-sim");
    assert_true(next_data(q, &ev, WAIT_MS));
    assert_int_equal(ev.kind, HAL_EVENT_MEAL_CARD);
    assert_true(next_data(q, &ev, WAIT_MS));
    assert_int_equal(ev.kind, HAL_EVENT_ERROR); /* garbage is reported, and nothing stops */
    hal_device_close(d);
    hal_queue_free(q);
    zt_rmtree(dir);
}

static void test_disabled_device_drops_data(void **state)
{
    (void)state;
    char dir[ZC_TEST_PATH_MAX], path[ZC_TEST_PATH_MAX], spec[ZC_TEST_PATH_MAX + 8];
    zt_mkdtemp(dir, sizeof dir);
    zt_join(path, sizeof path, dir, "script");
    zt_write_file(path, "qr A\nnonsense\n", 14);
    snprintf(spec, sizeof spec, "file:%s", path);
    hal_queue *q;
    assert_int_equal(hal_queue_new(HAL_QUEUE_DEFAULT_CAPACITY, &q), HAL_OK);
    hal_device *d = device(q, "sim", spec);
    claim(d); /* not enabled: the kiosk is showing a result */
    hal_event ev;
    assert_true(next_data(q, &ev, WAIT_MS));
    assert_int_equal(ev.kind, HAL_EVENT_ERROR); /* errors still arrive; the QR code did not */
    hal_device_close(d);
    hal_queue_free(q);
    zt_rmtree(dir);
}

static void test_hid_scanner_reports(void **state)
{
    (void)state;
    char path[ZC_TEST_PATH_MAX], spec[ZC_TEST_PATH_MAX + 8];
    snprintf(path, sizeof path, "%s/hid/mealcard.bin", ZC_HAL_DATA);
    snprintf(spec, sizeof spec, "file:%s", path);
    hal_queue *q;
    assert_int_equal(hal_queue_new(HAL_QUEUE_DEFAULT_CAPACITY, &q), HAL_OK);
    hal_device *d = device(q, "hid-cardreader", spec);
    hal_device_enable(d, true);
    claim(d);
    hal_event ev;
    assert_true(next_data(q, &ev, WAIT_MS));
    assert_int_equal(ev.kind, HAL_EVENT_MEAL_CARD);
    assert_string_equal(ev.u.text, "0012345678");
    hal_device_close(d);
    hal_queue_free(q);
}

/* Plays a GA 467 reader on the master side of a pseudo-terminal. */
typedef struct fake_reader {
    int master;
    char *find_ok, *select_ok, *no_card, *session;
    size_t find_ok_len, select_ok_len, no_card_len, session_len;
    int finds, reads;
    volatile int stop;
} fake_reader;

static void *play_reader(void *arg)
{
    fake_reader *r = arg;
    uint8_t cmd[COMMAND_LEN];
    size_t have = 0;
    while (!r->stop) {
        ssize_t n = read(r->master, cmd + have, sizeof cmd - have);
        if (n <= 0) {
            usleep(1000);
            continue;
        }
        have += (size_t)n;
        if (have < COMMAND_LEN)
            continue;
        have = 0;
        const char *reply;
        size_t len;
        if (cmd[CMD_AT] == 0x20 && cmd[CMD_AT + 1] == 0x01) { /* find card */
            bool present = r->finds++ < FINDS_WITH_CARD;
            reply = present ? r->find_ok : r->no_card;
            len = present ? r->find_ok_len : r->no_card_len;
        } else if (cmd[CMD_AT] == 0x20) { /* select */
            reply = r->select_ok;
            len = r->select_ok_len;
        } else { /* read base info */
            r->reads++;
            reply = r->session + READ_FRAME_AT;
            len = r->session_len - READ_FRAME_AT;
        }
        if (write(r->master, reply, len) != (ssize_t)len)
            break;
    }
    return NULL;
}

static void test_id_card_reader_on_a_serial_line(void **state)
{
    (void)state;
    fake_reader r = {0};
    r.master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
    assert_true(r.master >= 0);
    assert_int_equal(grantpt(r.master), 0);
    assert_int_equal(unlockpt(r.master), 0);
    r.find_ok = data_file("ga467/find_ok.bin", &r.find_ok_len);
    r.select_ok = data_file("ga467/select_ok.bin", &r.select_ok_len);
    r.no_card = data_file("ga467/no_card.bin", &r.no_card_len);
    r.session = data_file("ga467/read_zhangsanhua.bin", &r.session_len);
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, play_reader, &r), 0);

    char spec[ZC_TEST_PATH_MAX];
    snprintf(spec, sizeof spec, "serial:%s@115200", ptsname(r.master));
    hal_queue *q;
    assert_int_equal(hal_queue_new(HAL_QUEUE_DEFAULT_CAPACITY, &q), HAL_OK);
    hal_device *d = device(q, "ga467", spec);
    hal_device_enable(d, true);
    claim(d);
    hal_event ev;
    assert_true(next_data(q, &ev, WAIT_MS));
    assert_int_equal(ev.kind, HAL_EVENT_ID_CARD);
    assert_string_equal(ev.u.id_card.id_number, "320202194605011236");
    assert_string_equal(ev.u.id_card.name, "张三华");
    /* The card stays on the reader for a few more polls and is then lifted: no second read. */
    assert_false(next_data(q, &ev, QUIET_MS));
    assert_int_equal(r.reads, 1);
    assert_true(r.finds > FINDS_WITH_CARD);
    hal_device_close(d);
    r.stop = 1;
    pthread_join(thread, NULL);
    close(r.master);
    hal_queue_free(q);
    free(r.find_ok);
    free(r.select_ok);
    free(r.no_card);
    free(r.session);
}

static void test_bad_configuration(void **state)
{
    (void)state;
    hal_queue *q;
    assert_int_equal(hal_queue_new(HAL_QUEUE_DEFAULT_CAPACITY, &q), HAL_OK);
    hal_device_config cfg = {.name = "x", .driver = "ga468", .transport = "stdin"};
    hal_device *d;
    char err[HAL_CONFIG_ERR_MAX] = "";
    assert_int_equal(hal_device_open(&cfg, q, &d, err, sizeof err), HAL_ERR_INVALID);
    assert_non_null(strstr(err, "unknown driver"));
    snprintf(cfg.driver, sizeof cfg.driver, "ga467");
    snprintf(cfg.transport, sizeof cfg.transport, "serial:/dev/zhucan-no-such-tty");
    assert_int_equal(hal_device_open(&cfg, q, &d, err, sizeof err), HAL_OK);
    hal_err rc = hal_device_claim(d, err, sizeof err);
    /* A missing reader is either refused at once or reported as disconnected and retried. */
    if (rc == HAL_OK) {
        hal_event ev;
        assert_int_equal(hal_queue_wait(q, &ev, WAIT_MS), HAL_OK);
        assert_int_equal(ev.kind, HAL_EVENT_STATUS);
        assert_int_not_equal(ev.u.status.status, HAL_STATUS_CONNECTED);
    }
    hal_device_close(d);
    hal_queue_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sim_on_a_file),
        cmocka_unit_test(test_disabled_device_drops_data),
        cmocka_unit_test(test_hid_scanner_reports),
        cmocka_unit_test(test_id_card_reader_on_a_serial_line),
        cmocka_unit_test(test_bad_configuration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
