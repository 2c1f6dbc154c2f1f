/*
 * Transports: the spec parser, dispatch to the kinds, and the file-descriptor reader thread that
 * serial, evdev and the simulated devices (fifo, file, stdin) share. The simulated devices are
 * defined here because they are nothing but that reader with an open function.
 */
#include "transport_impl.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
    HAL_HEX4 = 4,            /* a USB vendor or product id: exactly four hex digits */
    HAL_USB_IFACE_MAX = 255, /* bInterfaceNumber is one byte */
    HAL_DECIMAL_MAX = 9,     /* digits accepted for a baud rate or interface number */
    HAL_EXCERPT_MAX = 24,    /* how much of a bad spec an error message quotes */
    HAL_FIFO_MODE = 0600,    /* a FIFO the transport creates is for this user only */
};

/* ---- helpers shared by the transports ---- */

void hal_errf(char *errbuf, size_t errsize, const char *fmt, ...)
{
    if (!errbuf || errsize == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, errsize, fmt, ap);
    va_end(ap);
}

hal_err hal_err_from_errno(int err)
{
    switch (err) {
    case ENOENT:
    case ENODEV:
    case ENXIO:
        return HAL_ERR_NOT_FOUND;
    case EBUSY:
        return HAL_ERR_BUSY;
    case ENOMEM:
        return HAL_ERR_NOMEM;
    case ENOTTY:
    case EINVAL:
    case EISDIR:
        return HAL_ERR_INVALID;
    default:
        return HAL_ERR_IO;
    }
}

bool hal_errno_is_absent(int err)
{
    /* ENOENT: the node is gone; ENODEV/ENXIO: the node is there but nothing answers; EIO: a
       pseudo-terminal or tty whose other end went away. */
    return err == ENOENT || err == ENODEV || err == ENXIO || err == EIO;
}

int hal_thread_start(pthread_t *thread, void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(thread, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

uint64_t hal_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void hal_transport_init(hal_transport *t, hal_transport_kind kind, const hal_transport_ops *ops,
                        const hal_transport_callbacks *cb)
{
    t->kind = kind;
    t->ops = ops;
    t->cb = *cb;
}

void hal_transport_deliver(const hal_transport *t, const uint8_t *bytes, size_t n)
{
    if (n > 0 && t->cb.data)
        t->cb.data(t->cb.ctx, bytes, n);
}

void hal_transport_report(const hal_transport *t, hal_status status, const char *fmt, ...)
{
    if (!t->cb.status)
        return;
    char message[HAL_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    t->cb.status(t->cb.ctx, status, message);
}

/* ---- the spec parser ---- */

static const struct {
    const char *scheme;
    hal_transport_kind kind;
} SCHEMES[] = {
    {"usb", HAL_TRANSPORT_USB},   {"serial", HAL_TRANSPORT_SERIAL}, {"evdev", HAL_TRANSPORT_EVDEV},
    {"fifo", HAL_TRANSPORT_FIFO}, {"file", HAL_TRANSPORT_FILE},     {"stdin", HAL_TRANSPORT_STDIN},
};

/* A short, printable quote of untrusted text for an error message. */
static void excerpt(char *buf, size_t size, const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < size; i++) {
        if (i == HAL_EXCERPT_MAX) {
            snprintf(buf + n, size - n, "...");
            return;
        }
        unsigned char c = (unsigned char)s[i];
        char shown = '?';
        if (c >= 0x20 && c < 0x7f)
            shown = s[i];
        buf[n++] = shown;
    }
    buf[n] = '\0';
}

static bool all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return len > 0;
}

/* Exactly four hex digits: "0483". */
static bool parse_hex4(const char *s, size_t len, uint16_t *out)
{
    if (len != HAL_HEX4)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isxdigit(c))
            return false;
        v = v * 16u + (unsigned)(isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
    }
    *out = (uint16_t)v;
    return true;
}

/* A short decimal number: the caller has checked the digits. */
static unsigned parse_decimal(const char *s, size_t len)
{
    unsigned v = 0;
    for (size_t i = 0; i < len; i++)
        v = v * 10u + (unsigned)(s[i] - '0');
    return v;
}

static hal_err parse_path(const char *name, const char *s, size_t len, hal_transport_spec *out,
                          char *errbuf, size_t errsize)
{
    if (len == 0) {
        hal_errf(errbuf, errsize, "%s: path is empty", name);
        return HAL_ERR_INVALID;
    }
    if (len >= sizeof out->path) {
        hal_errf(errbuf, errsize, "%s: path is longer than %zu bytes", name, sizeof out->path - 1);
        return HAL_ERR_INVALID;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            hal_errf(errbuf, errsize, "%s: path contains a control character", name);
            return HAL_ERR_INVALID;
        }
    }
    memcpy(out->path, s, len);
    out->path[len] = '\0';
    return HAL_OK;
}

/* serial:PATH[@BAUD]: the last '@' starts the baud rate. */
static hal_err parse_serial(const char *rest, hal_transport_spec *out, char *errbuf, size_t errsize)
{
    const char *at = strrchr(rest, '@');
    size_t path_len = at ? (size_t)(at - rest) : strlen(rest);
    hal_err err = parse_path("serial", rest, path_len, out, errbuf, errsize);
    if (err != HAL_OK)
        return err;
    out->baud = HAL_SERIAL_DEFAULT_BAUD;
    if (!at)
        return HAL_OK;
    const char *baud = at + 1;
    size_t len = strlen(baud);
    char quoted[HAL_EXCERPT_MAX + 4];
    excerpt(quoted, sizeof quoted, baud, len);
    if (len == 0) {
        hal_errf(errbuf, errsize, "serial: baud rate missing after '@'");
        return HAL_ERR_INVALID;
    }
    if (!all_digits(baud, len)) {
        hal_errf(errbuf, errsize, "serial: baud must be a decimal number, not '%s'", quoted);
        return HAL_ERR_INVALID;
    }
    unsigned rate = len <= HAL_DECIMAL_MAX ? parse_decimal(baud, len) : 0;
    if (!hal_serial_baud_supported(rate)) {
        hal_errf(errbuf, errsize,
                 "serial: unsupported baud %s (standard rates 1200 to 921600 only)", quoted);
        return HAL_ERR_INVALID;
    }
    out->baud = rate;
    return HAL_OK;
}

/* usb:VID:PID[:INTERFACE] */
static hal_err parse_usb(const char *rest, hal_transport_spec *out, char *errbuf, size_t errsize)
{
    const char *c1 = strchr(rest, ':');
    size_t vid_len = c1 ? (size_t)(c1 - rest) : strlen(rest);
    if (!parse_hex4(rest, vid_len, &out->vid)) {
        hal_errf(errbuf, errsize, "usb: VID must be 4 hex digits (usb:VID:PID[:INTERFACE])");
        return HAL_ERR_INVALID;
    }
    if (!c1) {
        hal_errf(errbuf, errsize, "usb: PID missing (usb:VID:PID[:INTERFACE])");
        return HAL_ERR_INVALID;
    }
    const char *pid = c1 + 1;
    const char *c2 = strchr(pid, ':');
    if (!parse_hex4(pid, c2 ? (size_t)(c2 - pid) : strlen(pid), &out->pid)) {
        hal_errf(errbuf, errsize, "usb: PID must be 4 hex digits (usb:VID:PID[:INTERFACE])");
        return HAL_ERR_INVALID;
    }
    out->interface = HAL_USB_ANY_INTERFACE;
    if (!c2)
        return HAL_OK;
    const char *iface = c2 + 1;
    size_t len = strlen(iface);
    if (!all_digits(iface, len) || len > HAL_DECIMAL_MAX ||
        parse_decimal(iface, len) > HAL_USB_IFACE_MAX) {
        hal_errf(errbuf, errsize, "usb: INTERFACE must be a number from 0 to %d",
                 HAL_USB_IFACE_MAX);
        return HAL_ERR_INVALID;
    }
    out->interface = (int)parse_decimal(iface, len);
    return HAL_OK;
}

hal_err hal_transport_spec_parse(const char *spec, hal_transport_spec *out, char *errbuf,
                                 size_t errsize)
{
    if (!spec || !out) {
        hal_errf(errbuf, errsize, "transport spec missing");
        return HAL_ERR_INVALID;
    }
    memset(out, 0, sizeof *out);
    out->interface = HAL_USB_ANY_INTERFACE;
    const char *colon = strchr(spec, ':');
    size_t scheme_len = colon ? (size_t)(colon - spec) : strlen(spec);
    const char *rest = colon ? colon + 1 : "";
    for (size_t i = 0; i < sizeof SCHEMES / sizeof SCHEMES[0]; i++) {
        const char *name = SCHEMES[i].scheme;
        if (strlen(name) != scheme_len || strncmp(spec, name, scheme_len) != 0)
            continue;
        out->kind = SCHEMES[i].kind;
        if (out->kind == HAL_TRANSPORT_STDIN) {
            if (colon) {
                hal_errf(errbuf, errsize, "stdin: takes no argument (write just 'stdin')");
                return HAL_ERR_INVALID;
            }
            return HAL_OK;
        }
        if (!colon) {
            hal_errf(errbuf, errsize, "%s: missing ':' and argument", name);
            return HAL_ERR_INVALID;
        }
        switch (out->kind) {
        case HAL_TRANSPORT_USB:
            return parse_usb(rest, out, errbuf, errsize);
        case HAL_TRANSPORT_SERIAL:
            return parse_serial(rest, out, errbuf, errsize);
        default:
            return parse_path(name, rest, strlen(rest), out, errbuf, errsize);
        }
    }
    char quoted[HAL_EXCERPT_MAX + 4];
    excerpt(quoted, sizeof quoted, spec, scheme_len);
    hal_errf(errbuf, errsize,
             "unknown transport '%s' (expected usb:, serial:, evdev:, fifo:, file: or stdin)",
             quoted);
    return HAL_ERR_INVALID;
}

hal_err hal_transport_parse_spec(const char *spec, hal_transport_kind *kind, char *errbuf,
                                 size_t errsize)
{
    hal_transport_spec *parsed = malloc(sizeof *parsed);
    if (!parsed) {
        hal_errf(errbuf, errsize, "out of memory");
        return HAL_ERR_NOMEM;
    }
    hal_err err = hal_transport_spec_parse(spec, parsed, errbuf, errsize);
    if (err == HAL_OK && kind)
        *kind = parsed->kind;
    free(parsed);
    return err;
}

/* ---- the file-descriptor reader ---- */

static void fd_reader_close_fd(hal_fd_reader *r)
{
    pthread_mutex_lock(&r->lock);
    int fd = r->fd;
    r->fd = -1;
    pthread_mutex_unlock(&r->lock);
    if (fd < 0)
        return;
    if (r->fops->release)
        r->fops->release(r, fd);
    close(fd);
    /* A partial record from a device that went away is not the start of the next one. */
    r->npending = 0;
}

/* Delivers whole records only: a byte stream (a pty) may split them anywhere. */
static void fd_reader_deliver(hal_fd_reader *r, const uint8_t *bytes, size_t n)
{
    size_t rec = r->fops->record;
    if (rec <= 1) {
        hal_transport_deliver(&r->base, bytes, n);
        return;
    }
    if (r->npending > 0) {
        size_t take = rec - r->npending < n ? rec - r->npending : n;
        memcpy(r->pending + r->npending, bytes, take);
        r->npending += take;
        bytes += take;
        n -= take;
        if (r->npending < rec)
            return;
        hal_transport_deliver(&r->base, r->pending, rec);
        r->npending = 0;
    }
    size_t whole = n / rec * rec;
    hal_transport_deliver(&r->base, bytes, whole);
    memcpy(r->pending, bytes + whole, n - whole);
    r->npending = n - whole;
}

/* Reports a change of status (or a different fault), not every retry. */
static void fd_reader_status(hal_fd_reader *r, hal_status *last, hal_status status, const char *why)
{
    if (*last == status && (status != HAL_STATUS_FAULT || strcmp(r->why, why) == 0))
        return;
    *last = status;
    snprintf(r->why, sizeof r->why, "%s", why);
    if (status == HAL_STATUS_CONNECTED)
        hal_transport_report(&r->base, status, "%s %s: connected", r->fops->name, r->path);
    else if (status == HAL_STATUS_DISCONNECTED)
        hal_transport_report(&r->base, status, "%s; retrying", why);
    else
        hal_transport_report(&r->base, status, "%s", why);
}

static void fd_reader_try_open(hal_fd_reader *r, hal_status *last)
{
    char why[HAL_MESSAGE_MAX];
    int fd = r->fops->open(r, why, sizeof why);
    if (fd < 0) {
        int err = errno;
        fd_reader_status(
            r, last, hal_errno_is_absent(err) ? HAL_STATUS_DISCONNECTED : HAL_STATUS_FAULT, why);
        return;
    }
    pthread_mutex_lock(&r->lock);
    r->fd = fd;
    pthread_mutex_unlock(&r->lock);
    fd_reader_status(r, last, HAL_STATUS_CONNECTED, "");
}

/* End of input (err 0) or a read error: what that means depends on the kind. */
static void fd_reader_ended(hal_fd_reader *r, int err, hal_status *last)
{
    char why[HAL_MESSAGE_MAX];
    if (err)
        hal_errf(why, sizeof why, "%s %s: %s", r->fops->name, r->path, strerror(err));
    else
        hal_errf(why, sizeof why, "%s %s: end of input", r->fops->name, r->path);

    switch (r->fops->end) {
    case HAL_FD_END_IDLE:
        fd_reader_close_fd(r);
        if (err)
            fd_reader_status(r, last, HAL_STATUS_FAULT, why);
        return;
    case HAL_FD_END_REOPEN: {
        /* Open the next one before closing this one, so the FIFO always has a reader and a
           writer that comes in between neither blocks nor loses what it wrote. */
        char open_why[HAL_MESSAGE_MAX];
        int fd = r->fops->open(r, open_why, sizeof open_why);
        if (fd < 0) {
            fd_reader_close_fd(r);
            fd_reader_status(r, last, HAL_STATUS_FAULT, open_why);
            return;
        }
        pthread_mutex_lock(&r->lock);
        int old = r->fd;
        r->fd = fd;
        pthread_mutex_unlock(&r->lock);
        close(old);
        return;
    }
    case HAL_FD_END_UNPLUGGED:
        fd_reader_close_fd(r);
        fd_reader_status(r, last, HAL_STATUS_DISCONNECTED, why);
        return;
    }
}

static void *fd_reader_thread(void *arg)
{
    hal_fd_reader *r = arg;
    hal_status last = HAL_STATUS_FAULT; /* neither of the first two: the first report is a change */
    char why[HAL_MESSAGE_MAX];
    snprintf(why, sizeof why, "%s", r->why); /* why the first open failed, if it did */
    r->why[0] = '\0';
    if (r->fd >= 0)
        fd_reader_status(r, &last, HAL_STATUS_CONNECTED, "");
    else
        fd_reader_status(r, &last, HAL_STATUS_DISCONNECTED, why);

    uint8_t buf[HAL_FD_READ_MAX];
    for (;;) {
        /* Only this thread changes r->fd, so it reads it without the lock. */
        int fd = r->fd;
        struct pollfd p[2] = {{.fd = r->wake[0], .events = POLLIN}, {.fd = fd, .events = POLLIN}};
        bool retry = fd < 0 && r->fops->end != HAL_FD_END_IDLE;
        int rc = poll(p, fd >= 0 ? 2 : 1, retry ? HAL_REOPEN_INTERVAL_MS : -1);
        if (rc < 0)
            continue; /* EINTR, or ENOMEM: poll again */
        if (p[0].revents)
            return NULL; /* close() woke us */
        if (fd < 0) {
            if (retry)
                fd_reader_try_open(r, &last);
            continue;
        }
        if (!p[1].revents)
            continue;
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0)
            fd_reader_deliver(r, buf, (size_t)n);
        else if (n == 0)
            fd_reader_ended(r, 0, &last);
        else if (errno != EINTR && errno != EAGAIN)
            fd_reader_ended(r, errno, &last);
    }
}

static void fd_reader_cleanup(hal_fd_reader *r)
{
    fd_reader_close_fd(r);
    for (int i = 0; i < 2; i++)
        if (r->wake[i] >= 0)
            close(r->wake[i]);
    pthread_mutex_destroy(&r->lock);
}

hal_err hal_fd_reader_start(hal_fd_reader *r, hal_transport_kind kind,
                            const hal_fd_reader_ops *fops, const char *path,
                            const hal_transport_callbacks *cb, char *errbuf, size_t errsize)
{
    hal_transport_init(&r->base, kind, &hal_fd_reader_transport_ops, cb);
    r->fops = fops;
    snprintf(r->path, sizeof r->path, "%s", path);
    r->fd = -1;
    r->wake[0] = r->wake[1] = -1;
    r->npending = 0;
    pthread_mutex_init(&r->lock, NULL);
    if (pipe2(r->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        hal_errf(errbuf, errsize, "%s %s: cannot create a pipe: %s", fops->name, path,
                 strerror(errno));
        fd_reader_cleanup(r);
        return HAL_ERR_IO;
    }
    r->fd = fops->open(r, r->why, sizeof r->why);
    if (r->fd < 0) {
        int err = errno;
        if (fops->end != HAL_FD_END_UNPLUGGED || !hal_errno_is_absent(err)) {
            hal_errf(errbuf, errsize, "%s", r->why);
            fd_reader_cleanup(r);
            return hal_err_from_errno(err);
        }
    }
    if (hal_thread_start(&r->thread, fd_reader_thread, r) != 0) {
        hal_errf(errbuf, errsize, "%s %s: cannot start a thread", fops->name, path);
        fd_reader_cleanup(r);
        return HAL_ERR_NOMEM;
    }
    r->started = true;
    return HAL_OK;
}

static hal_err fd_reader_write(hal_transport *t, const uint8_t *bytes, size_t n)
{
    hal_fd_reader *r = (hal_fd_reader *)t;
    if (r->fops->write == HAL_FD_WRITE_DISCARD)
        return HAL_OK;
    if (r->fops->write == HAL_FD_WRITE_UNSUPPORTED)
        return HAL_ERR_UNSUPPORTED;
    hal_err err = HAL_OK;
    pthread_mutex_lock(&r->lock);
    size_t done = 0;
    while (done < n) {
        if (r->fd < 0) {
            err = HAL_ERR_IO; /* unplugged: the bytes cannot go anywhere */
            break;
        }
        ssize_t w = write(r->fd, bytes + done, n - done);
        if (w > 0) {
            done += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN) {
            /* The device is slower than us (a printer at 9600 baud): wait for room. */
            struct pollfd p = {.fd = r->fd, .events = POLLOUT};
            if (poll(&p, 1, HAL_WRITE_TIMEOUT_MS) > 0 && !(p.revents & (POLLERR | POLLHUP)))
                continue;
        }
        err = HAL_ERR_IO;
        break;
    }
    pthread_mutex_unlock(&r->lock);
    return err;
}

static void fd_reader_close(hal_transport *t)
{
    hal_fd_reader *r = (hal_fd_reader *)t;
    if (r->started) {
        static const char stop = 's';
        while (write(r->wake[1], &stop, 1) < 0 && errno == EINTR)
            ;
        pthread_join(r->thread, NULL);
    }
    fd_reader_cleanup(r);
    free(r); /* every kind allocates its struct with the reader first */
}

const hal_transport_ops hal_fd_reader_transport_ops = {
    .write = fd_reader_write,
    .close = fd_reader_close,
};

/* ---- simulated devices: file, fifo, stdin ---- */

static int file_open(hal_fd_reader *r, char *errbuf, size_t errsize)
{
    /* O_NONBLOCK so that a path naming a FIFO cannot hang the open. */
    int fd = open(r->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int err = errno;
        hal_errf(errbuf, errsize, "file %s: %s", r->path, strerror(err));
        errno = err;
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        hal_errf(errbuf, errsize, "file %s: is a directory", r->path);
        errno = EISDIR;
        return -1;
    }
    return fd;
}

static int fifo_open(hal_fd_reader *r, char *errbuf, size_t errsize)
{
    /* The demo and tests name a FIFO that need not exist yet: make it. */
    if (mkfifo(r->path, HAL_FIFO_MODE) != 0 && errno != EEXIST) {
        int err = errno;
        hal_errf(errbuf, errsize, "fifo %s: cannot create: %s", r->path, strerror(err));
        errno = err;
        return -1;
    }
    /* O_NONBLOCK: opening for reading must not wait for a writer. */
    int fd = open(r->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        hal_errf(errbuf, errsize, "fifo %s: %s", r->path, strerror(err));
        errno = err;
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
        close(fd);
        hal_errf(errbuf, errsize, "fifo %s: exists and is not a FIFO", r->path);
        errno = EINVAL;
        return -1;
    }
    return fd;
}

static int stdin_open(hal_fd_reader *r, char *errbuf, size_t errsize)
{
    (void)r;
    /* A duplicate, so that closing the transport leaves the process's stdin open. */
    int fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        int err = errno;
        hal_errf(errbuf, errsize, "stdin: %s", strerror(err));
        errno = err;
    }
    return fd;
}

static const hal_fd_reader_ops FILE_OPS = {
    .name = "file",
    .open = file_open,
    .end = HAL_FD_END_IDLE,
    .record = 1,
    .write = HAL_FD_WRITE_DISCARD,
};

static const hal_fd_reader_ops FIFO_OPS = {
    .name = "fifo",
    .open = fifo_open,
    .end = HAL_FD_END_REOPEN,
    .record = 1,
    .write = HAL_FD_WRITE_DISCARD,
};

static const hal_fd_reader_ops STDIN_OPS = {
    .name = "stdin",
    .open = stdin_open,
    .end = HAL_FD_END_IDLE,
    .record = 1,
    .write = HAL_FD_WRITE_DISCARD,
};

static hal_err sim_open(const hal_transport_spec *spec, const hal_fd_reader_ops *fops,
                        const hal_transport_callbacks *cb, hal_transport **out, char *errbuf,
                        size_t errsize)
{
    hal_fd_reader *r = calloc(1, sizeof *r);
    if (!r) {
        hal_errf(errbuf, errsize, "out of memory");
        return HAL_ERR_NOMEM;
    }
    const char *path = spec->kind == HAL_TRANSPORT_STDIN ? "stdin" : spec->path;
    hal_err err = hal_fd_reader_start(r, spec->kind, fops, path, cb, errbuf, errsize);
    if (err != HAL_OK) {
        free(r);
        return err;
    }
    *out = &r->base;
    return HAL_OK;
}

/* ---- the interface ---- */

hal_err hal_transport_open(const char *spec, const hal_transport_callbacks *cb, hal_transport **out,
                           char *errbuf, size_t errsize)
{
    if (!out || !cb) {
        hal_errf(errbuf, errsize, "transport: callbacks and result are required");
        return HAL_ERR_INVALID;
    }
    *out = NULL;
    hal_transport_spec *parsed = malloc(sizeof *parsed);
    if (!parsed) {
        hal_errf(errbuf, errsize, "out of memory");
        return HAL_ERR_NOMEM;
    }
    hal_err err = hal_transport_spec_parse(spec, parsed, errbuf, errsize);
    if (err == HAL_OK) {
        switch (parsed->kind) {
        case HAL_TRANSPORT_USB:
            err = hal_usb_open(parsed, cb, out, errbuf, errsize);
            break;
        case HAL_TRANSPORT_SERIAL:
            err = hal_serial_open(parsed, cb, out, errbuf, errsize);
            break;
        case HAL_TRANSPORT_EVDEV:
            err = hal_evdev_open(parsed, cb, out, errbuf, errsize);
            break;
        case HAL_TRANSPORT_FIFO:
            err = sim_open(parsed, &FIFO_OPS, cb, out, errbuf, errsize);
            break;
        case HAL_TRANSPORT_FILE:
            err = sim_open(parsed, &FILE_OPS, cb, out, errbuf, errsize);
            break;
        case HAL_TRANSPORT_STDIN:
            err = sim_open(parsed, &STDIN_OPS, cb, out, errbuf, errsize);
            break;
        }
    }
    free(parsed);
    return err;
}

hal_err hal_transport_write(hal_transport *t, const uint8_t *bytes, size_t n)
{
    if (!t || (!bytes && n > 0))
        return HAL_ERR_INVALID;
    if (n == 0)
        return HAL_OK;
    return t->ops->write(t, bytes, n);
}

hal_transport_kind hal_transport_kind_of(const hal_transport *t)
{
    return t->kind;
}

void hal_transport_close(hal_transport *t)
{
    if (t)
        t->ops->close(t);
}
