/*
 * The serial transport: a tty in raw mode, 8N1, no flow control. ID-card readers, USB-COM
 * scanners (CDC-ACM) and USB-serial adapters (CH340, CP210x, PL2303) all look like this. The
 * shared fd reader does the rest: a thread polls the tty and a wake pipe, a read error or hang-up
 * is an unplug (DISCONNECTED), and the tty is reopened when it comes back.
 */
#include "transport_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

typedef struct hal_serial {
    hal_fd_reader reader; /* first: the fd reader frees the struct through it */
    speed_t speed;
} hal_serial;

/* The standard rates; readers and printers use 9600 or 115200. */
static const struct {
    unsigned baud;
    speed_t speed;
} BAUDS[] = {
    {1200, B1200},     {2400, B2400},     {4800, B4800},     {9600, B9600},
    {19200, B19200},   {38400, B38400},   {57600, B57600},   {115200, B115200},
    {230400, B230400}, {460800, B460800}, {921600, B921600},
};

static bool baud_speed(unsigned baud, speed_t *speed)
{
    for (size_t i = 0; i < sizeof BAUDS / sizeof BAUDS[0]; i++) {
        if (BAUDS[i].baud == baud) {
            *speed = BAUDS[i].speed;
            return true;
        }
    }
    return false;
}

bool hal_serial_baud_supported(unsigned baud)
{
    speed_t speed;
    return baud_speed(baud, &speed);
}

/* Raw 8N1 at the configured speed, no flow control, no echo, no line editing. */
static int serial_configure(int fd, speed_t speed)
{
    struct termios tio;
    if (tcgetattr(fd, &tio) != 0)
        return -1;
    cfmakeraw(&tio);
    tio.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CRTSCTS | CSIZE);
    tio.c_cflag |= CS8 | CREAD | CLOCAL; /* CLOCAL: a reader has no modem lines to wait for */
    tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
    /* The thread polls before it reads, so a read returns what has arrived, at least a byte. */
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    if (cfsetispeed(&tio, speed) != 0 || cfsetospeed(&tio, speed) != 0)
        return -1;
    if (tcsetattr(fd, TCSANOW, &tio) != 0)
        return -1;
    /* Bytes that arrived before we opened belong to no request of ours. */
    tcflush(fd, TCIFLUSH);
    return 0;
}

static int serial_open_fd(hal_fd_reader *r, char *errbuf, size_t errsize)
{
    const hal_serial *s = (const hal_serial *)r;
    /* O_NOCTTY: a reader must never become the kiosk's controlling terminal. */
    int fd = open(r->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        hal_errf(errbuf, errsize, "serial %s: %s", r->path, strerror(err));
        errno = err;
        return -1;
    }
    if (serial_configure(fd, s->speed) != 0) {
        int err = errno;
        close(fd);
        if (err == ENOTTY || err == EINVAL)
            hal_errf(errbuf, errsize, "serial %s: not a terminal device", r->path);
        else
            hal_errf(errbuf, errsize, "serial %s: cannot configure: %s", r->path, strerror(err));
        errno = err;
        return -1;
    }
    /* Exclusive use (UnifiedPOS "claim"): a second program opening the reader gets EBUSY. */
    ioctl(fd, TIOCEXCL);
    return fd;
}

static void serial_release(hal_fd_reader *r, int fd)
{
    (void)r;
    ioctl(fd, TIOCNXCL);
}

static const hal_fd_reader_ops SERIAL_OPS = {
    .name = "serial",
    .open = serial_open_fd,
    .release = serial_release,
    .end = HAL_FD_END_UNPLUGGED,
    .record = 1,
    .write = HAL_FD_WRITE_DEVICE,
};

hal_err hal_serial_open(const hal_transport_spec *spec, const hal_transport_callbacks *cb,
                        hal_transport **out, char *errbuf, size_t errsize)
{
    hal_serial *s = calloc(1, sizeof *s);
    if (!s) {
        hal_errf(errbuf, errsize, "out of memory");
        return HAL_ERR_NOMEM;
    }
    if (!baud_speed(spec->baud, &s->speed)) {
        hal_errf(errbuf, errsize, "serial: unsupported baud %u", spec->baud);
        free(s);
        return HAL_ERR_INVALID;
    }
    hal_err err = hal_fd_reader_start(&s->reader, HAL_TRANSPORT_SERIAL, &SERIAL_OPS, spec->path, cb,
                                      errbuf, errsize);
    if (err != HAL_OK) {
        free(s);
        return err;
    }
    *out = &s->reader.base;
    return HAL_OK;
}
