/*
 * Transports on real file descriptors: the spec parser, a file, a FIFO with two writers in turn,
 * stdin, a serial port on a pseudo-terminal pair (bytes both ways and the master closing as an
 * unplug), and evdev where this machine has something to read (a uinput device when /dev/uinput
 * is writable; otherwise only what needs no device). USB is in test_usb_umockdev.c.
 */
#include "../../hal/transport_impl.h" /* the parsed spec's fields: white-box parser tests */
#include "testutil.h"
#include "transport_sink.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <linux/uinput.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    ERRBUF = 256,
    FILE_BYTES = 10000, /* more than one read, not a multiple of a read */
    QUIET_MS = 100,     /* "nothing more arrives": how long we look */
    CLOSE_PROMPT_MS = 1000,
};

/* ---- the spec parser ---- */

typedef struct valid_case {
    const char *spec;
    const char *path;
    hal_transport_kind kind;
    unsigned baud;
    uint16_t vid, pid;
    int interface;
} valid_case;

static const valid_case VALID[] = {
    {"usb:0483:5750", "", HAL_TRANSPORT_USB, 0, 0x0483, 0x5750, HAL_USB_ANY_INTERFACE},
    {"usb:0483:5750:0", "", HAL_TRANSPORT_USB, 0, 0x0483, 0x5750, 0},
    {"usb:ABcd:eF01:255", "", HAL_TRANSPORT_USB, 0, 0xabcd, 0xef01, 255},
    {"serial:/dev/ttyACM0", "/dev/ttyACM0", HAL_TRANSPORT_SERIAL, 115200, 0, 0, -1},
    {"serial:/dev/ttyUSB0@9600", "/dev/ttyUSB0", HAL_TRANSPORT_SERIAL, 9600, 0, 0, -1},
    {"serial:/dev/serial/by-id/usb-1a86@x-port0@921600", "/dev/serial/by-id/usb-1a86@x-port0",
     HAL_TRANSPORT_SERIAL, 921600, 0, 0, -1},
    {"evdev:/dev/input/by-id/usb-scanner-event-kbd", "/dev/input/by-id/usb-scanner-event-kbd",
     HAL_TRANSPORT_EVDEV, 0, 0, 0, -1},
    {"fifo:/run/zhucan/scan.fifo", "/run/zhucan/scan.fifo", HAL_TRANSPORT_FIFO, 0, 0, 0, -1},
    {"file:demo scans.txt", "demo scans.txt", HAL_TRANSPORT_FILE, 0, 0, 0, -1},
    {"stdin", "", HAL_TRANSPORT_STDIN, 0, 0, 0, -1},
};

typedef struct invalid_case {
    const char *spec;
    const char *message; /* a substring of the error */
} invalid_case;

static const invalid_case INVALID[] = {
    {"", "unknown transport ''"},
    {"tcp:10.0.0.1:9100", "unknown transport 'tcp'"},
    {"USB:0483:5750", "unknown transport 'USB'"},
    {"usb", "usb: missing ':'"},
    {"usb:", "usb: VID must be 4 hex digits"},
    {"usb:483:5750", "usb: VID must be 4 hex digits"},
    {"usb:04830:5750", "usb: VID must be 4 hex digits"},
    {"usb:0x48:5750", "usb: VID must be 4 hex digits"},
    {"usb:0483", "usb: PID missing"},
    {"usb:0483:", "usb: PID must be 4 hex digits"},
    {"usb:0483:575g", "usb: PID must be 4 hex digits"},
    {"usb:0483:5750:", "usb: INTERFACE must be a number from 0 to 255"},
    {"usb:0483:5750:256", "usb: INTERFACE must be a number from 0 to 255"},
    {"usb:0483:5750:-1", "usb: INTERFACE must be a number"},
    {"usb:0483:5750:1:2", "usb: INTERFACE must be a number"},
    {"usb:0483:5750:99999999999", "usb: INTERFACE must be a number"},
    {"serial:", "serial: path is empty"},
    {"serial:@9600", "serial: path is empty"},
    {"serial:/dev/ttyS0@", "serial: baud rate missing"},
    {"serial:/dev/ttyS0@12345", "serial: unsupported baud 12345"},
    {"serial:/dev/ttyS0@0", "serial: unsupported baud 0"},
    {"serial:/dev/ttyS0@99999999999999999999", "serial: unsupported baud 9999"},
    {"serial:/dev/ttyS0@9600 ", "serial: baud must be a decimal number"},
    {"serial:/dev/ttyS0@-9600", "serial: baud must be a decimal number"},
    {"evdev", "evdev: missing ':'"},
    {"evdev:", "evdev: path is empty"},
    {"fifo:", "fifo: path is empty"},
    {"file:", "file: path is empty"},
    {"file:a\nb", "file: path contains a control character"},
    {"stdin:", "stdin: takes no argument"},
    {"stdin:/dev/tty", "stdin: takes no argument"},
};

static void test_parse_valid(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof VALID / sizeof VALID[0]; i++) {
        const valid_case *c = &VALID[i];
        hal_transport_spec spec;
        char err[ERRBUF] = "";
        hal_err rc = hal_transport_spec_parse(c->spec, &spec, err, sizeof err);
        if (rc != HAL_OK)
            fail_msg("'%s': %s", c->spec, err);
        assert_int_equal(spec.kind, c->kind);
        assert_string_equal(spec.path, c->path);
        if (c->kind == HAL_TRANSPORT_SERIAL)
            assert_int_equal(spec.baud, c->baud);
        if (c->kind == HAL_TRANSPORT_USB) {
            assert_int_equal(spec.vid, c->vid);
            assert_int_equal(spec.pid, c->pid);
            assert_int_equal(spec.interface, c->interface);
        }
        /* The public parser agrees. */
        hal_transport_kind kind = HAL_TRANSPORT_STDIN + 1;
        assert_int_equal(hal_transport_parse_spec(c->spec, &kind, NULL, 0), HAL_OK);
        assert_int_equal(kind, c->kind);
    }
}

static void test_parse_invalid(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof INVALID / sizeof INVALID[0]; i++) {
        const invalid_case *c = &INVALID[i];
        hal_transport_kind kind;
        char err[ERRBUF] = "";
        if (hal_transport_parse_spec(c->spec, &kind, err, sizeof err) != HAL_ERR_INVALID)
            fail_msg("'%s' parsed", c->spec);
        if (!strstr(err, c->message))
            fail_msg("'%s': got \"%s\", want \"%s\"", c->spec, err, c->message);
        assert_null(strchr(err, '\n')); /* one line, even for a spec with a newline */
    }
}

static void test_parse_edges(void **state)
{
    (void)state;
    char err[ERRBUF] = "";
    hal_transport_kind kind;
    assert_int_equal(hal_transport_parse_spec(NULL, &kind, err, sizeof err), HAL_ERR_INVALID);
    assert_int_equal(hal_transport_parse_spec("usb:1", &kind, NULL, 0), HAL_ERR_INVALID);
    assert_int_equal(hal_transport_parse_spec("usb:1", &kind, err, 1), HAL_ERR_INVALID);
    assert_string_equal(err, "");

    /* A path longer than any file name. */
    size_t len = HAL_SPEC_PATH_MAX + 16;
    char *spec = malloc(len + 1);
    assert_non_null(spec);
    memcpy(spec, "file:", 5);
    memset(spec + 5, 'a', len - 5);
    spec[len] = '\0';
    assert_int_equal(hal_transport_parse_spec(spec, &kind, err, sizeof err), HAL_ERR_INVALID);
    assert_non_null(strstr(err, "file: path is longer than"));
    /* An unknown scheme is quoted short and printable. */
    memcpy(spec, "\x01\x02zz", 4);
    assert_int_equal(hal_transport_parse_spec(spec, &kind, err, sizeof err), HAL_ERR_INVALID);
    assert_non_null(strstr(err, "unknown transport '??zz"));
    free(spec);
}

/* ---- helpers ---- */

static hal_transport *open_ok(const char *spec, hal_transport_callbacks *cb)
{
    hal_transport *t = NULL;
    char err[ERRBUF] = "";
    hal_err rc = hal_transport_open(spec, cb, &t, err, sizeof err);
    if (rc != HAL_OK)
        fail_msg("open '%s': %s (%s)", spec, hal_err_str(rc), err);
    return t;
}

static void close_promptly(hal_transport *t)
{
    uint64_t start = hal_monotonic_ms();
    hal_transport_close(t);
    assert_true(hal_monotonic_ms() - start < CLOSE_PROMPT_MS);
}

static void fill_pattern(uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)(i * 7u % 251u);
}

/* ---- file ---- */

static void test_file_delivers_exactly(void **state)
{
    (void)state;
    char dir[ZC_TEST_PATH_MAX], path[ZC_TEST_PATH_MAX], spec[ZC_TEST_PATH_MAX + 8];
    zt_mkdtemp(dir, sizeof dir);
    zt_join(path, sizeof path, dir, "scans.bin");
    uint8_t *want = malloc(FILE_BYTES);
    assert_non_null(want);
    fill_pattern(want, FILE_BYTES);
    zt_write_file(path, want, FILE_BYTES);
    snprintf(spec, sizeof spec, "file:%s", path);

    static sink s;
    hal_transport_callbacks cb;
    sink_init(&s, &cb);
    hal_transport *t = open_ok(spec, &cb);
    assert_int_equal(hal_transport_kind_of(t), HAL_TRANSPORT_FILE);
    assert_true(sink_wait_bytes(&s, FILE_BYTES, SINK_WAIT_MS));
    usleep(QUIET_MS * 1000);
    assert_int_equal(sink_bytes(&s), FILE_BYTES); /* the whole file, once, then idle */
    assert_memory_equal(s.bytes, want, FILE_BYTES);
    assert_int_equal(s.nstatus, 1);
    assert_int_equal(s.status[0], HAL_STATUS_CONNECTED);
    /* A simulated device takes commands and ignores them. */
    assert_int_equal(hal_transport_write(t, (const uint8_t *)"\x01", 1), HAL_OK);
    close_promptly(t);
    sink_destroy(&s);
    free(want);
    zt_rmtree(dir);
}

static void test_file_errors(void **state)
{
    (void)state;
    char dir[ZC_TEST_PATH_MAX], spec[ZC_TEST_PATH_MAX + 16];
    zt_mkdtemp(dir, sizeof dir);
    static sink s;
    hal_transport_callbacks cb;
    sink_init(&s, &cb);
    hal_transport *t = NULL;
    char err[ERRBUF] = "";

    snprintf(spec, sizeof spec, "file:%s/missing", dir);
    assert_int_equal(hal_transport_open(spec, &cb, &t, err, sizeof err), HAL_ERR_NOT_FOUND);
    assert_null(t);
    assert_non_null(strstr(err, "missing"));

    snprintf(spec, sizeof spec, "file:%s", dir);
    assert_int_equal(hal_transport_open(spec, &cb, &t, err, sizeof err), HAL_ERR_INVALID);
    assert_non_null(strstr(err, "is a directory"));

    assert_int_equal(hal_transport_open("file:", &cb, &t, err, sizeof err), HAL_ERR_INVALID);
    assert_int_equal(hal_transport_open("file:x", NULL, &t, err, sizeof err), HAL_ERR_INVALID);
    assert_int_equal(s.nstatus, 0);
    sink_destroy(&s);
    zt_rmtree(dir);
}

/* ---- fifo ---- */

/* Writes like `echo ... > fifo`: open, write, close. Retries while no reader has it open. */
static void fifo_write(const char *path, const char *text)
{
    int fd = -1;
    for (int i = 0; i < SINK_WAIT_MS && fd < 0; i++) {
        fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            assert_int_equal(errno, ENXIO); /* no reader this instant */
            usleep(1000);
        }
    }
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void test_fifo_two_writers(void **state)
{
    (void)state;
    char dir[ZC_TEST_PATH_MAX], path[ZC_TEST_PATH_MAX], spec[ZC_TEST_PATH_MAX + 8];
    zt_mkdtemp(dir, sizeof dir);
    zt_join(path, sizeof path, dir, "scan.fifo"); /* does not exist: the transport makes it */
    snprintf(spec, sizeof spec, "fifo:%s", path);
    static sink s;
    hal_transport_callbacks cb;
    sink_init(&s, &cb);
    hal_transport *t = open_ok(spec, &cb);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    assert_true(sink_wait_status(&s, HAL_STATUS_CONNECTED, 1, SINK_WAIT_MS));

    const char *first = "qr first\n", *second = "qr second\n", *third = "qr third\n";
    fifo_write(path, first);
    assert_true(sink_wait_bytes(&s, strlen(first), SINK_WAIT_MS));
    fifo_write(path, second); /* after the first writer closed: the FIFO was reopened */
    assert_true(sink_wait_bytes(&s, strlen(first) + strlen(second), SINK_WAIT_MS));
    fifo_write(path, third); /* and again, without waiting for the reader to see EOF */
    size_t total = strlen(first) + strlen(second) + strlen(third);
    assert_true(sink_wait_bytes(&s, total, SINK_WAIT_MS));
    usleep(QUIET_MS * 1000);
    assert_int_equal(sink_bytes(&s), total);
    assert_memory_equal(s.bytes, "qr first\nqr second\nqr third\n", total);
    assert_int_equal(s.nstatus, 1); /* a writer closing is not a disconnect */
    close_promptly(t);
    sink_destroy(&s);
    zt_rmtree(dir);
}

static void test_fifo_not_a_fifo(void **state)
{
    (void)state;
    char dir[ZC_TEST_PATH_MAX], path[ZC_TEST_PATH_MAX], spec[ZC_TEST_PATH_MAX + 8];
    zt_mkdtemp(dir, sizeof dir);
    zt_join(path, sizeof path, dir, "plain");
    zt_write_file(path, "x", 1);
    snprintf(spec, sizeof spec, "fifo:%s", path);
    static sink s;
    hal_transport_callbacks cb;
    sink_init(&s, &cb);
    hal_transport *t = NULL;
    char err[ERRBUF] = "";
    assert_int_equal(hal_transport_open(spec, &cb, &t, err, sizeof err), HAL_ERR_INVALID);
    assert_non_null(strstr(err, "is not a FIFO"));
    sink_destroy(&s);
    zt_rmtree(dir);
}

/* ---- stdin ---- */

static void test_stdin_reads_until_eof(void **state)
{
    (void)state;
    int saved = dup(STDIN_FILENO);
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
    close(p[0]);

    static sink s;
    hal_transport_callbacks cb;
    sink_init(&s, &cb);
    hal_transport *t = open_ok("stdin", &cb);
    assert_int_equal(write(p[1], "meal 0042\n", 10), 10);
    close(p[1]); /* end of input: the transport stays, idle */
    assert_true(sink_wait_bytes(&s, 10, SINK_WAIT_MS));
    assert_memory_equal(s.bytes, "meal 0042\n", 10);
    close_promptly(t);
    /* The process's stdin is still open: the transport read a duplicate. */
    assert_true(fcntl(STDIN_FILENO, F_GETFD) >= 0);

    assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
    close(saved);
    sink_destroy(&s);
}

/* ---- serial, over a pseudo-terminal pair ---- */

static int open_pty(char *slave, size_t size)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    assert_true(master >= 0);
    assert_int_equal(grantpt(master), 0);
    assert_int_equal(unlockpt(master), 0);
    assert_int_equal(ptsname_r(master, slave, size), 0);
    return master;
}

static void read_exactly(int fd, uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        assert_int_equal(poll(&p, 1, SINK_WAIT_MS), 1);
        ssize_t r = read(fd, buf + got, n - got);
        assert_true(r > 0);
        got += (size_t)r;
    }
}

static void test_serial_pty(void **state)
{
    (void)state;
    char dir[ZC_TEST_PATH_MAX], link[ZC_TEST_PATH_MAX], slave[ZC_TEST_PATH_MAX];
    char spec[ZC_TEST_PATH_MAX + 16];
    zt_mkdtemp(dir, sizeof dir);
    int master = open_pty(slave, sizeof slave);
    /* By a link, as /dev/serial/by-id/...: an unplug removes it, and a pseudo-terminal number
       freed by the unplug may go to another program's terminal meanwhile. */
    zt_join(link, sizeof link, dir, "reader");
    assert_int_equal(symlink(slave, link), 0);
    snprintf(spec, sizeof spec, "serial:%s@9600", link);

    static sink s;
    hal_transport_callbacks cb;
    sink_init(&s, &cb);
    hal_transport *t = open_ok(spec, &cb);
    assert_int_equal(hal_transport_kind_of(t), HAL_TRANSPORT_SERIAL);
    assert_true(sink_wait_status(&s, HAL_STATUS_CONNECTED, 1, SINK_WAIT_MS));

    /* Device to kiosk: raw mode, so every byte arrives as sent (no CR/LF mapping, no echo). */
    const uint8_t frame[] = {0xaa, 0xaa, 0xaa, 0x96, 0x69, 0x00, 0x04, 0x00,
                             0x00, '\r', '\n', 0x03, 0x7f, 0x11, 0x13};
    assert_int_equal(write(master, frame, sizeof frame), (ssize_t)sizeof frame);
    assert_true(sink_wait_bytes(&s, sizeof frame, SINK_WAIT_MS));
    assert_memory_equal(s.bytes, frame, sizeof frame);

    /* Kiosk to device. */
    const uint8_t cmd[] = {0xaa, 0xaa, 0xaa, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x22, '\n'};
    assert_int_equal(hal_transport_write(t, cmd, sizeof cmd), HAL_OK);
    uint8_t got[sizeof cmd];
    read_exactly(master, got, sizeof got);
    assert_memory_equal(got, cmd, sizeof cmd);
    assert_int_equal(hal_transport_write(t, cmd, 0), HAL_OK);
    assert_int_equal(hal_transport_write(t, NULL, 1), HAL_ERR_INVALID);

    /* The other end going away is an unplug; the transport keeps trying, and close stops it. */
    unlink(link);
    close(master);
    assert_true(sink_wait_status(&s, HAL_STATUS_DISCONNECTED, 1, SINK_WAIT_MS));
    assert_int_equal(hal_transport_write(t, cmd, sizeof cmd), HAL_ERR_IO);
    usleep(3 * HAL_REOPEN_INTERVAL_MS * 1000); /* a few retries: one report, not one each */
    assert_int_equal(sink_count_status(&s, HAL_STATUS_DISCONNECTED), 1);
    close_promptly(t);
    sink_destroy(&s);
    zt_rmtree(dir);
}

static void test_serial_absent_then_present(void **state)
{
    (void)state;
    char dir[ZC_TEST_PATH_MAX], link[ZC_TEST_PATH_MAX], slave[ZC_TEST_PATH_MAX];
    char spec[ZC_TEST_PATH_MAX + 16];
    zt_mkdtemp(dir, sizeof dir);
    /* Like /dev/serial/by-id/...: a link that appears when the reader is plugged in. */
    zt_join(link, sizeof link, dir, "reader");
    snprintf(spec, sizeof spec, "serial:%s", link);

    static sink s;
    hal_transport_callbacks cb;
    sink_init(&s, &cb);
    hal_transport *t = open_ok(spec, &cb); /* absent is not an error: it may be plugged later */
    assert_true(sink_wait_status(&s, HAL_STATUS_DISCONNECTED, 1, SINK_WAIT_MS));
    assert_int_equal(sink_count_status(&s, HAL_STATUS_CONNECTED), 0);

    int master = open_pty(slave, sizeof slave);
    assert_int_equal(symlink(slave, link), 0);
    assert_true(sink_wait_status(&s, HAL_STATUS_CONNECTED, 1, SINK_WAIT_MS));
    assert_int_equal(write(master, "ok", 2), 2);
    assert_true(sink_wait_bytes(&s, 2, SINK_WAIT_MS));
    close_promptly(t);
    close(master);
    sink_destroy(&s);
    zt_rmtree(dir);
}

static void test_serial_not_a_tty(void **state)
{
    (void)state;
    char dir[ZC_TEST_PATH_MAX], path[ZC_TEST_PATH_MAX], spec[ZC_TEST_PATH_MAX + 16];
    zt_mkdtemp(dir, sizeof dir);
    zt_join(path, sizeof path, dir, "plain");
    zt_write_file(path, "x", 1);
    snprintf(spec, sizeof spec, "serial:%s@115200", path);
    static sink s;
    hal_transport_callbacks cb;
    sink_init(&s, &cb);
    hal_transport *t = NULL;
    char err[ERRBUF] = "";
    assert_int_equal(hal_transport_open(spec, &cb, &t, err, sizeof err), HAL_ERR_INVALID);
    assert_non_null(strstr(err, "not a terminal"));
    assert_int_equal(hal_transport_open("serial:/dev/ttyS0@12345", &cb, &t, err, sizeof err),
                     HAL_ERR_INVALID);
    assert_non_null(strstr(err, "unsupported baud 12345"));
    sink_destroy(&s);
    zt_rmtree(dir);
}

/* ---- evdev ---- */

static void test_evdev_without_device(void **state)
{
    (void)state;
    char dir[ZC_TEST_PATH_MAX], path[ZC_TEST_PATH_MAX], spec[ZC_TEST_PATH_MAX + 16];
    zt_mkdtemp(dir, sizeof dir);
    zt_join(path, sizeof path, dir, "event-kbd");
    zt_write_file(path, "x", 1);
    snprintf(spec, sizeof spec, "evdev:%s", path);
    static sink s;
    hal_transport_callbacks cb;
    sink_init(&s, &cb);
    hal_transport *t = NULL;
    char err[ERRBUF] = "";
    assert_int_equal(hal_transport_open(spec, &cb, &t, err, sizeof err), HAL_ERR_INVALID);
    assert_non_null(strstr(err, "not an input event device"));

    /* Unplugged at start: disconnected, retrying; close stops the retries. */
    snprintf(spec, sizeof spec, "evdev:%s/absent", dir);
    t = open_ok(spec, &cb);
    assert_true(sink_wait_status(&s, HAL_STATUS_DISCONNECTED, 1, SINK_WAIT_MS));
    assert_int_equal(hal_transport_write(t, (const uint8_t *)"x", 1), HAL_ERR_UNSUPPORTED);
    close_promptly(t);
    sink_destroy(&s);
    zt_rmtree(dir);
}

/* The event node of a uinput device, from its sysfs name ("input17" -> /dev/input/eventN). */
static bool uinput_event_node(int ufd, char *path, size_t size)
{
    char name[64], dirpath[128];
    if (ioctl(ufd, UI_GET_SYSNAME(sizeof name), name) < 0)
        return false;
    snprintf(dirpath, sizeof dirpath, "/sys/devices/virtual/input/%s", name);
    DIR *d = opendir(dirpath);
    if (!d)
        return false;
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "event", 5) == 0) {
            snprintf(path, size, "/dev/input/%s", e->d_name);
            found = true;
        }
    }
    closedir(d);
    return found;
}

static void uinput_emit(int ufd, unsigned short type, unsigned short code, int value)
{
    struct input_event ev = {.type = type, .code = code, .value = value};
    assert_int_equal(write(ufd, &ev, sizeof ev), (ssize_t)sizeof ev);
}

static void test_evdev_uinput(void **state)
{
    (void)state;
    int ufd = open("/dev/uinput", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (ufd < 0) {
        printf("# skipped: /dev/uinput not writable here (%s)\n", strerror(errno));
        skip();
    }
    assert_int_equal(ioctl(ufd, UI_SET_EVBIT, EV_KEY), 0);
    assert_int_equal(ioctl(ufd, UI_SET_KEYBIT, KEY_A), 0);
    assert_int_equal(ioctl(ufd, UI_SET_KEYBIT, KEY_ENTER), 0);
    struct uinput_setup setup = {.id = {.bustype = BUS_USB, .vendor = 0x0483, .product = 0x5750}};
    snprintf(setup.name, sizeof setup.name, "zhucan test scanner");
    assert_int_equal(ioctl(ufd, UI_DEV_SETUP, &setup), 0);
    assert_int_equal(ioctl(ufd, UI_DEV_CREATE), 0);
    char node[ZC_TEST_PATH_MAX], spec[ZC_TEST_PATH_MAX + 16];
    assert_true(uinput_event_node(ufd, node, sizeof node));
    for (int i = 0; i < SINK_WAIT_MS && access(node, R_OK) != 0; i++)
        usleep(1000); /* devtmpfs or udev makes the node */
    snprintf(spec, sizeof spec, "evdev:%s", node);

    static sink s;
    hal_transport_callbacks cb;
    sink_init(&s, &cb);
    hal_transport *t = open_ok(spec, &cb);
    assert_true(sink_wait_status(&s, HAL_STATUS_CONNECTED, 1, SINK_WAIT_MS));

    /* Grabbed: nobody else gets the keystrokes. */
    int other = open(node, O_RDONLY | O_CLOEXEC);
    assert_true(other >= 0);
    assert_int_equal(ioctl(other, EVIOCGRAB, 1), -1);
    assert_int_equal(errno, EBUSY);
    close(other);

    uinput_emit(ufd, EV_KEY, KEY_A, 1);
    uinput_emit(ufd, EV_SYN, SYN_REPORT, 0);
    uinput_emit(ufd, EV_KEY, KEY_A, 0);
    uinput_emit(ufd, EV_SYN, SYN_REPORT, 0);
    assert_true(sink_wait_bytes(&s, 4 * sizeof(struct input_event), SINK_WAIT_MS));
    pthread_mutex_lock(&s.lock);
    size_t n = s.n;
    struct input_event first;
    memcpy(&first, s.bytes, sizeof first);
    pthread_mutex_unlock(&s.lock);
    assert_int_equal(n % sizeof(struct input_event), 0); /* whole records only */
    assert_int_equal(first.type, EV_KEY);
    assert_int_equal(first.code, KEY_A);
    assert_int_equal(first.value, 1);

    /* Unplug. */
    assert_int_equal(ioctl(ufd, UI_DEV_DESTROY), 0);
    assert_true(sink_wait_status(&s, HAL_STATUS_DISCONNECTED, 1, SINK_WAIT_MS));
    close_promptly(t);
    close(ufd);
    sink_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid),      cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_parse_edges),      cmocka_unit_test(test_file_delivers_exactly),
        cmocka_unit_test(test_file_errors),      cmocka_unit_test(test_fifo_two_writers),
        cmocka_unit_test(test_fifo_not_a_fifo),  cmocka_unit_test(test_stdin_reads_until_eof),
        cmocka_unit_test(test_serial_pty),       cmocka_unit_test(test_serial_absent_then_present),
        cmocka_unit_test(test_serial_not_a_tty), cmocka_unit_test(test_evdev_without_device),
        cmocka_unit_test(test_evdev_uinput),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
