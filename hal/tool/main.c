/*
 * zhucan-hal: what a technician needs at a kiosk.
 *
 *   zhucan-hal list [--config FILE]...                  attached USB devices and their driver
 *   zhucan-hal watch [--config FILE]...                 events of the configured devices, live
 *   zhucan-hal watch --driver NAME --transport SPEC     events of one device, live
 *   zhucan-hal replay --driver NAME FILE                a recorded byte stream, decoded
 *   zhucan-hal print-test (--transport SPEC | --out FILE) [--paper 58|80]
 *
 * Events are printed as one JSON line each (DESIGN.md). Exit 0 on success, 2 on bad input.
 */
#include "hal/config.h"
#include "hal/decoder.h"
#include "hal/device.h"
#include "hal/escpos.h"
#include "hal/transport.h"

#include <errno.h>
#include <libusb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

enum {
    EXIT_OK = 0,
    EXIT_FAILED = 1,
    EXIT_USAGE = 2,
    MAX_CONFIGS = 8,
    JSON_MAX = 4096,
    WATCH_POLL_MS = 200,
    REPLAY_MAX = 64 * 1024 * 1024,
    USB_STRING_MAX = 128,
    TIME_TEXT_MAX = 32,
};

/* Shipped first, then the kiosk's own, so the kiosk's entries win. */
static const char *const DEFAULT_CONFIGS[] = {"/usr/share/zhucan/devices.conf",
                                              "/etc/zhucan/devices.conf"};
static const char DEV_TREE_CONFIG[] = "assets/hal/devices.conf";

typedef struct options {
    const char *configs[MAX_CONFIGS];
    size_t nconfigs;
    const char *driver, *transport, *out, *paper;
    const char *positional;
} options;

__attribute__((format(printf, 1, 2))) static int usage(const char *fmt, ...)
{
    va_list ap;
    fputs("zhucan-hal: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nusage: zhucan-hal list | watch | replay --driver NAME FILE | print-test "
          "(--transport SPEC | --out FILE) [--paper 58|80]\n",
          stderr);
    return EXIT_USAGE;
}

static int parse_options(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (strcmp(a, "--driver") == 0)
            slot = &o->driver;
        else if (strcmp(a, "--transport") == 0)
            slot = &o->transport;
        else if (strcmp(a, "--out") == 0)
            slot = &o->out;
        else if (strcmp(a, "--paper") == 0)
            slot = &o->paper;
        else if (strcmp(a, "--config") == 0) {
            if (o->nconfigs == MAX_CONFIGS)
                return usage("too many --config files");
            slot = &o->configs[o->nconfigs++];
        } else if (strncmp(a, "--", 2) == 0)
            return usage("unknown option %s", a);
        else if (!o->positional) {
            o->positional = a;
            continue;
        } else
            return usage("unexpected argument %s", a);
        if (i + 1 >= argc)
            return usage("%s needs a value", a);
        *slot = argv[++i];
    }
    return EXIT_OK;
}

/* The configuration files given, else the installed ones, else the source tree's. */
static int load_config(const options *o, hal_config *cfg)
{
    char err[HAL_CONFIG_ERR_MAX];
    memset(cfg, 0, sizeof *cfg);
    if (o->nconfigs) {
        for (size_t i = 0; i < o->nconfigs; i++)
            if (hal_config_load(cfg, o->configs[i], err, sizeof err)) {
                fprintf(stderr, "zhucan-hal: %s\n", err);
                return EXIT_USAGE;
            }
        return EXIT_OK;
    }
    bool any = false;
    for (size_t i = 0; i < sizeof DEFAULT_CONFIGS / sizeof DEFAULT_CONFIGS[0]; i++) {
        hal_err rc = hal_config_load(cfg, DEFAULT_CONFIGS[i], err, sizeof err);
        if (rc && rc != HAL_ERR_NOT_FOUND) {
            fprintf(stderr, "zhucan-hal: %s\n", err);
            return EXIT_USAGE;
        }
        any = any || rc == HAL_OK;
    }
    if (!any && hal_config_load(cfg, DEV_TREE_CONFIG, err, sizeof err) == HAL_ERR_INVALID) {
        fprintf(stderr, "zhucan-hal: %s\n", err);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static void print_event(const hal_event *ev)
{
    char json[JSON_MAX];
    if (hal_event_to_json(ev, json, sizeof json) > 0)
        printf("%s\n", json);
    fflush(stdout);
}

static void usb_product(libusb_device *dev, const struct libusb_device_descriptor *desc, char *buf,
                        size_t size)
{
    libusb_device_handle *h;
    buf[0] = '\0';
    /* Reading strings needs the device opened, which may need permissions: skip quietly. */
    if (desc->iProduct && libusb_open(dev, &h) == 0) {
        libusb_get_string_descriptor_ascii(h, desc->iProduct, (unsigned char *)buf, (int)size);
        libusb_close(h);
    }
}

static int cmd_list(const options *o)
{
    hal_config *cfg = malloc(sizeof *cfg);
    if (!cfg)
        return EXIT_FAILED;
    int rc = load_config(o, cfg);
    libusb_context *usb = NULL;
    libusb_device **list = NULL;
    ssize_t n = rc ? 0 : libusb_init(&usb) == 0 ? libusb_get_device_list(usb, &list) : -1;
    if (n < 0)
        printf("usb: not available here (%s)\n", libusb_strerror((int)n));
    else if (n == 0 && !rc)
        printf("usb: no devices attached\n");
    for (ssize_t i = 0; i < n; i++) {
        struct libusb_device_descriptor desc;
        if (libusb_get_device_descriptor(list[i], &desc) != 0)
            continue;
        const hal_usb_match *m = hal_config_match_usb(cfg, desc.idVendor, desc.idProduct);
        char product[USB_STRING_MAX];
        usb_product(list[i], &desc, product, sizeof product);
        printf("usb %04x:%04x bus %03u device %03u  %-15s %s\n", desc.idVendor, desc.idProduct,
               libusb_get_bus_number(list[i]), libusb_get_device_address(list[i]),
               m ? m->driver : "-", m && m->description[0] ? m->description : product);
    }
    if (list)
        libusb_free_device_list(list, 1);
    if (usb)
        libusb_exit(usb);
    for (size_t i = 0; !rc && i < cfg->ndevices; i++)
        printf("configured %-12s %-15s %s\n", cfg->devices[i].name, cfg->devices[i].driver,
               cfg->devices[i].transport);
    free(cfg);
    return rc;
}

/* SIGINT and SIGTERM become readable on a descriptor, so watch can stop cleanly. */
static int stop_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    return signalfd(-1, &set, SFD_CLOEXEC);
}

static int cmd_watch(const options *o)
{
    hal_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return EXIT_FAILED;
    int rc = EXIT_OK;
    if (o->driver || o->transport) {
        if (!o->driver || !o->transport) {
            free(cfg);
            return usage("watch needs both --driver and --transport");
        }
        hal_device_config *d = &cfg->devices[cfg->ndevices++];
        snprintf(d->name, sizeof d->name, "%s", o->driver);
        snprintf(d->driver, sizeof d->driver, "%s", o->driver);
        snprintf(d->transport, sizeof d->transport, "%s", o->transport);
        d->paper_mm = o->paper && strcmp(o->paper, "80") == 0 ? 80 : 58;
    } else if ((rc = load_config(o, cfg)) == EXIT_OK && cfg->ndevices == 0) {
        rc = usage("no [device] sections configured; give --driver and --transport");
    }
    hal_queue *q = NULL;
    hal_device *devs[HAL_CONFIG_MAX_DEVICES] = {0};
    char err[HAL_CONFIG_ERR_MAX];
    if (!rc && hal_queue_new(HAL_QUEUE_DEFAULT_CAPACITY, &q))
        rc = EXIT_FAILED;
    for (size_t i = 0; !rc && i < cfg->ndevices; i++) {
        if (hal_device_open(&cfg->devices[i], q, &devs[i], err, sizeof err) ||
            hal_device_claim(devs[i], err, sizeof err)) {
            fprintf(stderr, "zhucan-hal: %s\n", err);
            rc = EXIT_USAGE;
            break;
        }
        hal_device_enable(devs[i], true);
    }
    int sfd = rc ? -1 : stop_signals();
    while (!rc) {
        hal_event ev;
        if (hal_queue_wait(q, &ev, WATCH_POLL_MS) == HAL_OK)
            print_event(&ev);
        struct pollfd p = {.fd = sfd, .events = POLLIN};
        if (sfd < 0 || poll(&p, 1, 0) > 0)
            break;
    }
    for (size_t i = 0; i < cfg->ndevices; i++)
        hal_device_close(devs[i]);
    hal_queue_free(q);
    if (sfd >= 0)
        close(sfd);
    free(cfg);
    return rc;
}

static int cmd_replay(const options *o)
{
    hal_driver driver;
    if (!o->driver || !o->positional)
        return usage("replay needs --driver NAME and a FILE");
    if (hal_driver_parse(o->driver, &driver))
        return usage("unknown driver %s (ga467, hid-scanner, hid-cardreader, escpos, sim)",
                     o->driver);
    FILE *f = strcmp(o->positional, "-") == 0 ? stdin : fopen(o->positional, "rb");
    if (!f) {
        fprintf(stderr, "zhucan-hal: %s: %s\n", o->positional, strerror(errno));
        return EXIT_USAGE;
    }
    uint8_t *bytes = malloc(REPLAY_MAX);
    size_t n = bytes ? fread(bytes, 1, REPLAY_MAX, f) : 0;
    if (f != stdin)
        fclose(f);
    if (!bytes)
        return EXIT_FAILED;
    hal_decoder dec;
    hal_decoder_init(&dec, driver, HAL_FRAMING_BYTES);
    /* Fed in small pieces, as a device would send them, so every batch of events fits. */
    enum { CHUNK = 64 };
    for (size_t at = 0; at <= n; at += CHUNK) {
        hal_events evs = {0};
        size_t len = n - at < CHUNK ? n - at : CHUNK;
        hal_decoder_feed(&dec, "replay", bytes + at, len, &evs);
        if (len < CHUNK)
            hal_decoder_flush(&dec, "replay", &evs); /* the end of the recording */
        for (size_t i = 0; i < evs.n; i++)
            print_event(&evs.v[i]);
    }
    free(bytes);
    return EXIT_OK;
}

static int cmd_print_test(const options *o)
{
    hal_paper paper = HAL_PAPER_58MM;
    if (o->paper && strcmp(o->paper, "58") != 0 && strcmp(o->paper, "80") != 0)
        return usage("--paper must be 58 or 80, not %s", o->paper);
    if (o->paper && strcmp(o->paper, "80") == 0)
        paper = HAL_PAPER_80MM;
    if (!o->transport == !o->out)
        return usage("print-test needs one of --transport SPEC or --out FILE");
    char when[TIME_TEXT_MAX];
    time_t now = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", localtime(&now));
    hal_escpos_buf buf;
    hal_escpos_buf_init(&buf);
    int rc = EXIT_OK;
    char err[HAL_CONFIG_ERR_MAX];
    if (hal_escpos_test_page(paper, when, &buf)) {
        rc = EXIT_FAILED;
    } else if (o->out) {
        FILE *f = strcmp(o->out, "-") == 0 ? stdout : fopen(o->out, "wb");
        if (!f || fwrite(buf.data, 1, buf.len, f) != buf.len) {
            fprintf(stderr, "zhucan-hal: %s: %s\n", o->out, strerror(errno));
            rc = EXIT_USAGE;
        }
        if (f && f != stdout)
            fclose(f);
    } else {
        hal_transport *t;
        hal_transport_callbacks cb = {0};
        if (hal_transport_open(o->transport, &cb, &t, err, sizeof err)) {
            fprintf(stderr, "zhucan-hal: %s\n", err);
            rc = EXIT_USAGE;
        } else {
            if (hal_transport_write(t, buf.data, buf.len))
                rc = EXIT_FAILED;
            hal_transport_close(t);
        }
    }
    if (!rc)
        fprintf(stderr, "zhucan-hal: test page sent (%zu bytes)\n", buf.len);
    hal_escpos_buf_free(&buf);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage("no command");
    options o;
    int rc = parse_options(argc - 2, argv + 2, &o);
    if (rc)
        return rc;
    const char *cmd = argv[1];
    if (strcmp(cmd, "list") == 0)
        return cmd_list(&o);
    if (strcmp(cmd, "watch") == 0)
        return cmd_watch(&o);
    if (strcmp(cmd, "replay") == 0)
        return cmd_replay(&o);
    if (strcmp(cmd, "print-test") == 0)
        return cmd_print_test(&o);
    return usage("unknown command %s", cmd);
}
