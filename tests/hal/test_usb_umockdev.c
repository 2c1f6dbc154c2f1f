/*
 * The libusb transport without hardware: umockdev builds a sysfs and /dev testbed with a USB HID
 * barcode scanner (0483:5750, one interrupt IN endpoint, 8-byte boot-keyboard reports) and
 * replays a recorded usbdevfs URB script for its device node, so the transport's asynchronous
 * interrupt transfers receive those reports. The test then unplugs the scanner (a "remove"
 * uevent) and plugs it back at a new address, and checks DISCONNECTED, CONNECTED and that
 * reports flow again. The same scanner in keyboard-wedge mode is also read through its evdev node
 * (umockdev replays recorded input events behind it), which is how DESIGN.md reads such scanners.
 *
 * umockdev works by preloading libumockdev-preload into the process (umockdev-wrapper), so this
 * test re-executes itself under umockdev-wrapper. libumockdev is opened with dlopen so that the
 * test builds with nothing but the HAL and cmocka; if umockdev is not installed the tests skip.
 *
 * What umockdev's replay imposes: a submitted URB matches a recorded one only with the same type,
 * endpoint and buffer length (reads use the recorded sizes: one 8-byte packet per transfer), the
 * recorded reports repeat for as long as the transport keeps reading, and only one URB may be in
 * flight, which is why the write path is tested only where it needs no URB.
 */
#include "../../hal/transport_impl.h" /* hal_monotonic_ms */
#include "testutil.h"
#include "transport_sink.h"

#include <dlfcn.h>
#include <limits.h>
#include <linux/input.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define USB_DATA ZC_HAL_DATA "/usb/"
#define SCANNER_SYSFS "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2"
#define SCANNER_IFACE_SYSFS SCANNER_SYSFS "/1-2:1.0"
#define SCANNER_NODE "/dev/bus/usb/001/005"
#define REPLUGGED_NODE "/dev/bus/usb/001/006"
#define SCANNER_SPEC "usb:0483:5750"
#define KBD_NODE "/dev/input/event9"
#define REEXEC_MARK "ZC_UMOCKDEV_REEXEC"
#define PRELOAD_NAME "libumockdev-preload"

enum {
    REPORT = 8,         /* a boot-keyboard input report, the endpoint's wMaxPacketSize */
    CYCLE = 8 * REPORT, /* scanner.ioctl: "ZC1" and Enter, each key pressed and released */
    ERRBUF = 256,
    QUIET_MS = 300, /* several event-loop ticks: long enough for stray reports to show */
    CLOSE_PROMPT_MS = 2000,
};

/* The reports in scanner.ioctl, in order. */
static const uint8_t SCANNED[CYCLE] = {
    0x02, 0, 0x1d, 0, 0, 0, 0, 0, /* shift + z: 'Z' */
    0x00, 0, 0x00, 0, 0, 0, 0, 0, /* released */
    0x02, 0, 0x06, 0, 0, 0, 0, 0, /* shift + c: 'C' */
    0x00, 0, 0x00, 0, 0, 0, 0, 0, /* */
    0x00, 0, 0x1e, 0, 0, 0, 0, 0, /* '1' */
    0x00, 0, 0x00, 0, 0, 0, 0, 0, /* */
    0x00, 0, 0x28, 0, 0, 0, 0, 0, /* Enter: the scanner's terminator */
    0x00, 0, 0x00, 0, 0, 0, 0, 0, /* */
};

/* ---- libumockdev, opened at run time ---- */

/* GLib's GError, whose layout is part of GLib's stable ABI. */
typedef struct gerror {
    uint32_t domain;
    int code;
    char *message;
} gerror;

typedef struct umockdev_api {
    void *lib;
    void *(*testbed_new)(void);
    int (*add_from_file)(void *testbed, const char *path, gerror **error);
    int (*load_ioctl)(void *testbed, const char *dev, const char *recordfile, gerror **error);
    void (*uevent)(void *testbed, const char *devpath, const char *action);
    void (*remove_device)(void *testbed, const char *syspath);
    int (*load_evemu_events)(void *testbed, const char *dev, const char *eventsfile,
                             gerror **error);
    void (*object_unref)(void *object);
    void (*error_free)(gerror *error);
} umockdev_api;

static umockdev_api api;

static bool umockdev_load(void)
{
    api.lib = dlopen("libumockdev.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!api.lib)
        return false;
    api.testbed_new = (void *(*)(void))dlsym(api.lib, "umockdev_testbed_new");
    api.add_from_file =
        (int (*)(void *, const char *, gerror **))dlsym(api.lib, "umockdev_testbed_add_from_file");
    api.load_ioctl = (int (*)(void *, const char *, const char *, gerror **))dlsym(
        api.lib, "umockdev_testbed_load_ioctl");
    api.uevent =
        (void (*)(void *, const char *, const char *))dlsym(api.lib, "umockdev_testbed_uevent");
    api.remove_device =
        (void (*)(void *, const char *))dlsym(api.lib, "umockdev_testbed_remove_device");
    api.load_evemu_events = (int (*)(void *, const char *, const char *, gerror **))dlsym(
        api.lib, "umockdev_testbed_load_evemu_events");
    /* libumockdev links GObject and GLib, so their symbols resolve through its handle. */
    api.object_unref = (void (*)(void *))dlsym(api.lib, "g_object_unref");
    api.error_free = (void (*)(gerror *))dlsym(api.lib, "g_error_free");
    return api.testbed_new && api.add_from_file && api.load_ioctl && api.uevent &&
           api.remove_device && api.load_evemu_events && api.object_unref && api.error_free;
}

static bool in_umockdev(void)
{
    const char *preload = getenv("LD_PRELOAD");
    return preload && strstr(preload, PRELOAD_NAME);
}

/*
 * umockdev only works from the start of a process, with its preload library loaded before libc
 * resolves open() and friends: run ourselves again under umockdev-wrapper, once.
 */
static void reexec_under_umockdev(int argc, char **argv)
{
    if (in_umockdev() || getenv(REEXEC_MARK))
        return;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return;
    self[n] = '\0';
    setenv(REEXEC_MARK, "1", 1);
    /* AddressSanitizer insists on being first in the library list; the preload comes first. */
    const char *asan = getenv("ASAN_OPTIONS");
    char options[1024];
    snprintf(options, sizeof options, "%s%sverify_asan_link_order=0", asan ? asan : "",
             asan && *asan ? ":" : "");
    setenv("ASAN_OPTIONS", options, 1);
    char **args = calloc((size_t)argc + 2, sizeof *args);
    if (!args)
        return;
    args[0] = "umockdev-wrapper";
    args[1] = self;
    for (int i = 1; i < argc; i++)
        args[i + 1] = argv[i];
    execvp(args[0], args);
    /* Not installed: run on, and the tests skip. */
    fprintf(stderr, "# umockdev-wrapper not runnable; umockdev tests skip\n");
    free(args);
}

static void check(int ok, gerror *error, const char *what)
{
    if (!ok) {
        char message[ERRBUF];
        snprintf(message, sizeof message, "%s", error ? error->message : "?");
        if (error)
            api.error_free(error);
        fail_msg("%s: %s", what, message);
    }
}

/*
 * Plugs the scanner in: the URB script behind its node first, so that nothing can open the node
 * before umockdev listens for its ioctls; then its sysfs devices and node, which sends their
 * "add" uevents.
 */
static void plug(void *tb, const char *description, const char *node)
{
    gerror *error = NULL;
    check(api.load_ioctl(tb, node, USB_DATA "scanner.ioctl", &error), error, "scanner.ioctl");
    check(api.add_from_file(tb, description, &error), error, description);
}

/* As the kernel does: "remove" for the interface, then the device. */
static void unplug_uevents(void *tb)
{
    api.uevent(tb, SCANNER_IFACE_SYSFS, "remove");
    api.uevent(tb, SCANNER_SYSFS, "remove");
}

/*
 * Then the sysfs entries, child first (umockdev keeps a child's bus link when only its parent is
 * removed). Only once the transport has let go: a real unplug completes the URBs in flight, but
 * umockdev's replay keeps one submitted URB per process and can only hand it back while the node
 * is still there.
 */
static void unplug_sysfs(void *tb)
{
    api.remove_device(tb, SCANNER_IFACE_SYSFS);
    api.remove_device(tb, SCANNER_SYSFS);
}

/* Every byte received is the recorded cycle of reports, from its start, whole reports only. */
static void assert_cycles(sink *s)
{
    pthread_mutex_lock(&s->lock);
    size_t n = s->n;
    bool ok = n >= CYCLE;
    for (size_t i = 0; ok && i < n - n % REPORT; i++)
        ok = s->bytes[i] == SCANNED[i % CYCLE];
    pthread_mutex_unlock(&s->lock);
    assert_true(ok);
}

static void sink_forget_bytes(sink *s)
{
    pthread_mutex_lock(&s->lock);
    s->n = 0;
    s->overflow = 0;
    pthread_mutex_unlock(&s->lock);
}

/* Each test's testbed, transport and sink; teardown releases them even after a failure. */
typedef struct fixture {
    void *tb;
    hal_transport *t;
    sink s;
    hal_transport_callbacks cb;
} fixture;

static int setup(void **state)
{
    if (!in_umockdev() || !umockdev_load()) {
        printf("# umockdev is not available (install umockdev, libumockdev0): skipping\n");
        *state = NULL;
        return 0;
    }
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->tb = api.testbed_new();
    sink_init(&f->s, &f->cb);
    *state = f;
    return f->tb ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (!f)
        return 0;
    hal_transport_close(f->t);
    if (f->tb)
        api.object_unref(f->tb);
    sink_destroy(&f->s);
    free(f);
    return 0;
}

static fixture *fixture_of(void **state)
{
    if (!*state)
        skip();
    return *state;
}

static void open_scanner(fixture *f, const char *spec)
{
    char err[ERRBUF] = "";
    hal_err rc = hal_transport_open(spec, &f->cb, &f->t, err, sizeof err);
    if (rc != HAL_OK)
        fail_msg("open %s: %s (%s)", spec, hal_err_str(rc), err);
    assert_int_equal(hal_transport_kind_of(f->t), HAL_TRANSPORT_USB);
}

static void close_promptly(fixture *f)
{
    uint64_t start = hal_monotonic_ms();
    hal_transport_close(f->t);
    f->t = NULL;
    assert_true(hal_monotonic_ms() - start < CLOSE_PROMPT_MS);
}

static void test_reports_unplug_replug(void **state)
{
    fixture *f = fixture_of(state);
    sink *s = &f->s;
    plug(f->tb, USB_DATA "scanner.umockdev", SCANNER_NODE);
    open_scanner(f, SCANNER_SPEC);
    assert_true(sink_wait_status(s, HAL_STATUS_CONNECTED, 1, SINK_WAIT_MS));
    assert_true(sink_wait_bytes(s, 2 * (size_t)CYCLE, SINK_WAIT_MS));
    assert_cycles(s);
    /* No OUT endpoint: nothing to write to. */
    assert_int_equal(hal_transport_write(f->t, (const uint8_t *)"x", 1), HAL_ERR_UNSUPPORTED);

    unplug_uevents(f->tb);
    assert_true(sink_wait_status(s, HAL_STATUS_DISCONNECTED, 1, SINK_WAIT_MS));
    unplug_sysfs(f->tb);
    size_t before = sink_bytes(s);
    usleep(QUIET_MS * 1000);
    assert_int_equal(sink_bytes(s), before); /* the handle is closed: nothing is read */
    assert_int_equal(hal_transport_write(f->t, (const uint8_t *)"x", 1), HAL_ERR_IO);
    assert_cycles(s);

    /* Plugged back in, at a new address as after a real replug. */
    sink_forget_bytes(s);
    plug(f->tb, USB_DATA "scanner-replugged.umockdev", REPLUGGED_NODE);
    assert_true(sink_wait_status(s, HAL_STATUS_CONNECTED, 2, SINK_WAIT_MS));
    assert_true(sink_wait_bytes(s, 2 * (size_t)CYCLE, SINK_WAIT_MS));
    assert_cycles(s);

    pthread_mutex_lock(&s->lock);
    size_t nstatus = s->nstatus;
    hal_status status[3] = {s->status[0], s->status[1], s->status[2]};
    char first[HAL_MESSAGE_MAX], second[HAL_MESSAGE_MAX];
    memcpy(first, s->message[0], sizeof first);
    memcpy(second, s->message[1], sizeof second);
    pthread_mutex_unlock(&s->lock);
    assert_int_equal(nstatus, 3);
    assert_int_equal(status[0], HAL_STATUS_CONNECTED);
    assert_int_equal(status[1], HAL_STATUS_DISCONNECTED);
    assert_int_equal(status[2], HAL_STATUS_CONNECTED);
    assert_non_null(strstr(first, "usb 0483:5750 interface 0: connected"));
    assert_non_null(strstr(second, "unplugged"));

    close_promptly(f); /* while a transfer is in flight: cancelled, released, closed */
}

static void test_absent_then_plugged(void **state)
{
    fixture *f = fixture_of(state);
    open_scanner(f, SCANNER_SPEC ":0"); /* not plugged in yet: not an error */
    assert_true(sink_wait_status(&f->s, HAL_STATUS_DISCONNECTED, 1, SINK_WAIT_MS));
    assert_non_null(strstr(f->s.message[0], "not present"));

    plug(f->tb, USB_DATA "scanner.umockdev", SCANNER_NODE);
    assert_true(sink_wait_status(&f->s, HAL_STATUS_CONNECTED, 1, SINK_WAIT_MS));
    assert_true(sink_wait_bytes(&f->s, CYCLE, SINK_WAIT_MS));
    assert_cycles(&f->s);
    close_promptly(f);
}

static void test_absent_close_while_waiting(void **state)
{
    fixture *f = fixture_of(state);
    open_scanner(f, "usb:1a86:e026");
    assert_true(sink_wait_status(&f->s, HAL_STATUS_DISCONNECTED, 1, SINK_WAIT_MS));
    close_promptly(f); /* the stop path while the thread waits for a hotplug arrival */
    assert_int_equal(f->s.nstatus, 1);
}

static void test_missing_interface(void **state)
{
    fixture *f = fixture_of(state);
    plug(f->tb, USB_DATA "scanner.umockdev", SCANNER_NODE);
    char err[ERRBUF] = "";
    /* There but unusable as configured: a configuration error, said at once. */
    assert_int_equal(hal_transport_open(SCANNER_SPEC ":1", &f->cb, &f->t, err, sizeof err),
                     HAL_ERR_NOT_FOUND);
    assert_null(f->t);
    assert_non_null(strstr(err, "interface 1 missing"));
    assert_int_equal(f->s.nstatus, 0);
}

/* scanner-kbd.evemu: "ZC1" and Enter as evdev reports them (type, code, value). */
static const struct {
    unsigned short type, code;
    int value;
} TYPED[] = {
    {EV_KEY, KEY_LEFTSHIFT, 1}, {EV_KEY, KEY_Z, 1},         {EV_SYN, SYN_REPORT, 0},
    {EV_KEY, KEY_Z, 0},         {EV_KEY, KEY_LEFTSHIFT, 0}, {EV_SYN, SYN_REPORT, 0},
    {EV_KEY, KEY_LEFTSHIFT, 1}, {EV_KEY, KEY_C, 1},         {EV_SYN, SYN_REPORT, 0},
    {EV_KEY, KEY_C, 0},         {EV_KEY, KEY_LEFTSHIFT, 0}, {EV_SYN, SYN_REPORT, 0},
    {EV_KEY, KEY_1, 1},         {EV_SYN, SYN_REPORT, 0},    {EV_KEY, KEY_1, 0},
    {EV_SYN, SYN_REPORT, 0},    {EV_KEY, KEY_ENTER, 1},     {EV_SYN, SYN_REPORT, 0},
    {EV_KEY, KEY_ENTER, 0},     {EV_SYN, SYN_REPORT, 0},
};

/*
 * evdev: open, grab (umockdev accepts EVIOCGRAB but cannot show that it is exclusive) and whole
 * struct input_event records in order, though umockdev feeds them through a pseudo-terminal, a
 * byte stream that may split a record anywhere.
 */
static void test_evdev_keyboard(void **state)
{
    fixture *f = fixture_of(state);
    gerror *error = NULL;
    check(api.load_ioctl(f->tb, KBD_NODE, USB_DATA "scanner-kbd.ioctl", &error), error,
          "scanner-kbd.ioctl");
    check(api.add_from_file(f->tb, USB_DATA "scanner-kbd.umockdev", &error), error,
          "scanner-kbd.umockdev");
    check(api.load_evemu_events(f->tb, KBD_NODE, USB_DATA "scanner-kbd.evemu", &error), error,
          "scanner-kbd.evemu");
    char err[ERRBUF] = "";
    hal_err rc = hal_transport_open("evdev:" KBD_NODE, &f->cb, &f->t, err, sizeof err);
    if (rc != HAL_OK)
        fail_msg("open: %s (%s)", hal_err_str(rc), err);
    assert_true(sink_wait_status(&f->s, HAL_STATUS_CONNECTED, 1, SINK_WAIT_MS));
    size_t n = sizeof TYPED / sizeof TYPED[0];
    assert_true(sink_wait_bytes(&f->s, n * sizeof(struct input_event), SINK_WAIT_MS));
    usleep(QUIET_MS * 1000);
    assert_int_equal(sink_bytes(&f->s), n * sizeof(struct input_event));
    struct input_event got[sizeof TYPED / sizeof TYPED[0]];
    pthread_mutex_lock(&f->s.lock);
    memcpy(got, f->s.bytes, sizeof got);
    pthread_mutex_unlock(&f->s.lock);
    for (size_t i = 0; i < n; i++) {
        const struct input_event ev = got[i];
        assert_int_equal(ev.type, TYPED[i].type);
        assert_int_equal(ev.code, TYPED[i].code);
        assert_int_equal(ev.value, TYPED[i].value);
    }
    assert_int_equal(hal_transport_write(f->t, (const uint8_t *)"x", 1), HAL_ERR_UNSUPPORTED);
    close_promptly(f);
}

int main(int argc, char **argv)
{
    reexec_under_umockdev(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reports_unplug_replug, setup, teardown),
        cmocka_unit_test_setup_teardown(test_absent_then_plugged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_absent_close_while_waiting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_interface, setup, teardown),
        cmocka_unit_test_setup_teardown(test_evdev_keyboard, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
