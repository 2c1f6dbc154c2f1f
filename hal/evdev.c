/*
 * The evdev transport: a keyboard-wedge scanner or card reader read through its input event
 * device. EVIOCGRAB makes the grab exclusive, so the scanned keystrokes reach only the kiosk and
 * never another window; the kernel drops the grab when the fd closes, including when the process
 * dies. The kernel also parses the device's HID report layout, whatever it is, which is why this
 * is the robust way to read such devices. Bytes delivered are whole struct input_event records.
 */
#include "transport_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

_Static_assert(sizeof(struct input_event) <= HAL_FD_RECORD_MAX,
               "the fd reader's record buffer holds one input_event");

static int evdev_open_fd(hal_fd_reader *r, char *errbuf, size_t errsize)
{
    int fd = open(r->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        hal_errf(errbuf, errsize, "evdev %s: %s", r->path, strerror(err));
        errno = err;
        return -1;
    }
    int version;
    if (ioctl(fd, EVIOCGVERSION, &version) != 0) {
        close(fd);
        hal_errf(errbuf, errsize, "evdev %s: not an input event device", r->path);
        errno = ENOTTY;
        return -1;
    }
    if (ioctl(fd, EVIOCGRAB, 1) != 0) {
        int err = errno;
        close(fd);
        if (err == EBUSY)
            hal_errf(errbuf, errsize, "evdev %s: grabbed by another program", r->path);
        else
            hal_errf(errbuf, errsize, "evdev %s: cannot grab: %s", r->path, strerror(err));
        errno = err;
        return -1;
    }
    return fd;
}

static void evdev_release(hal_fd_reader *r, int fd)
{
    (void)r;
    /* close() releases the grab too; saying so first is harmless and explicit. */
    ioctl(fd, EVIOCGRAB, 0);
}

static const hal_fd_reader_ops EVDEV_OPS = {
    .name = "evdev",
    .open = evdev_open_fd,
    .release = evdev_release,
    .end = HAL_FD_END_UNPLUGGED,
    .record = sizeof(struct input_event),
    .write = HAL_FD_WRITE_UNSUPPORTED,
};

hal_err hal_evdev_open(const hal_transport_spec *spec, const hal_transport_callbacks *cb,
                       hal_transport **out, char *errbuf, size_t errsize)
{
    hal_fd_reader *r = calloc(1, sizeof *r);
    if (!r) {
        hal_errf(errbuf, errsize, "out of memory");
        return HAL_ERR_NOMEM;
    }
    hal_err err =
        hal_fd_reader_start(r, HAL_TRANSPORT_EVDEV, &EVDEV_OPS, spec->path, cb, errbuf, errsize);
    if (err != HAL_OK) {
        free(r);
        return err;
    }
    *out = &r->base;
    return HAL_OK;
}
