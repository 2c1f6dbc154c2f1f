/*
 * Private to the transports (transport.c, serial.c, evdev.c, usb.c): the parsed spec, the header
 * every transport struct starts with, and the reader thread that the file-descriptor transports
 * (serial, evdev, fifo, file, stdin) share. Nothing here is part of libzchal's interface.
 */
#ifndef HAL_TRANSPORT_IMPL_H
#define HAL_TRANSPORT_IMPL_H

#include "hal/transport.h"

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

enum {
    HAL_SPEC_PATH_MAX = PATH_MAX,
    HAL_SERIAL_DEFAULT_BAUD = 115200,
    HAL_USB_ANY_INTERFACE = -1, /* usb:VID:PID without :INTERFACE: first with an IN endpoint */
    /* How often a transport whose device is absent tries again (serial, evdev, usb rescans). */
    HAL_REOPEN_INTERVAL_MS = 250,
    /* How long write() waits for a slow device to take more bytes before it gives up. */
    HAL_WRITE_TIMEOUT_MS = 2000,
    /* Bytes per read(); whole evdev records fit many times. */
    HAL_FD_READ_MAX = 4096,
    /* The largest record a reader frames (struct input_event is 24 bytes on 64-bit Linux). */
    HAL_FD_RECORD_MAX = 64,
};

/* A spec string, parsed: the fields that matter for its kind. */
typedef struct hal_transport_spec {
    hal_transport_kind kind;
    char path[HAL_SPEC_PATH_MAX]; /* serial, evdev, fifo, file */
    unsigned baud;                /* serial */
    uint16_t vid, pid;            /* usb */
    int interface;                /* usb: bInterfaceNumber, or HAL_USB_ANY_INTERFACE */
} hal_transport_spec;

hal_err hal_transport_spec_parse(const char *spec, hal_transport_spec *out, char *errbuf,
                                 size_t errsize);

/* Every transport struct begins with this header, so a hal_transport * is also its own kind. */
typedef struct hal_transport_ops {
    hal_err (*write)(hal_transport *t, const uint8_t *bytes, size_t n);
    void (*close)(hal_transport *t); /* stops the thread, releases the device, frees */
} hal_transport_ops;

struct hal_transport {
    hal_transport_kind kind;
    const hal_transport_ops *ops;
    hal_transport_callbacks cb;
};

void hal_transport_init(hal_transport *t, hal_transport_kind kind, const hal_transport_ops *ops,
                        const hal_transport_callbacks *cb);
void hal_transport_deliver(const hal_transport *t, const uint8_t *bytes, size_t n);
void hal_transport_report(const hal_transport *t, hal_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* snprintf into an errbuf that may be NULL or empty. */
void hal_errf(char *errbuf, size_t errsize, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* An errno from opening a device, as a hal_err. */
hal_err hal_err_from_errno(int err);

/* True when errno means "the device is not there (yet)": unplugged rather than misconfigured. */
bool hal_errno_is_absent(int err);

/* Starts a thread with every signal blocked, so signals go to the program's own threads. */
int hal_thread_start(pthread_t *thread, void *(*fn)(void *), void *arg);

uint64_t hal_monotonic_ms(void);

/*
 * The file-descriptor reader: a thread polls the device and a wake pipe, delivers what it reads,
 * and on end of input does what the kind needs. A kind embeds hal_fd_reader as its first member.
 */
typedef struct hal_fd_reader hal_fd_reader;

typedef enum hal_fd_end {
    HAL_FD_END_IDLE,      /* file, stdin: everything was delivered; deliver nothing more */
    HAL_FD_END_REOPEN,    /* fifo: the writer closed; reopen for the next one */
    HAL_FD_END_UNPLUGGED, /* serial, evdev: the device went away; report it and keep trying */
} hal_fd_end;

/* What write() does on an fd reader. */
typedef enum hal_fd_write {
    HAL_FD_WRITE_DEVICE,      /* serial: the bytes go to the device */
    HAL_FD_WRITE_DISCARD,     /* fifo, file, stdin: a simulated device ignores commands */
    HAL_FD_WRITE_UNSUPPORTED, /* evdev: an input device takes no bytes */
} hal_fd_write;

typedef struct hal_fd_reader_ops {
    const char *name; /* "serial", "evdev", ... in messages */
    /* Opens and prepares the device: an fd, or -1 with errno set and errbuf saying why. */
    int (*open)(hal_fd_reader *r, char *errbuf, size_t errsize);
    /* Releases the device before the fd is closed (evdev ungrabs); may be NULL. */
    void (*release)(hal_fd_reader *r, int fd);
    hal_fd_end end;
    size_t record; /* deliver whole records of this many bytes (evdev); 1 for a byte stream */
    hal_fd_write write;
} hal_fd_reader_ops;

struct hal_fd_reader {
    hal_transport base;
    const hal_fd_reader_ops *fops;
    char path[HAL_SPEC_PATH_MAX];
    pthread_mutex_t lock; /* guards fd against write() from other threads */
    int fd;               /* -1 while the device is absent or after end of input */
    int wake[2];          /* close() writes a byte to wake[1]; the thread polls wake[0] */
    pthread_t thread;
    bool started;
    char why[HAL_MESSAGE_MAX]; /* the last open failure, for the status message */
    size_t npending;           /* bytes of a partial record */
    uint8_t pending[HAL_FD_RECORD_MAX];
};

/*
 * Opens the device and starts the thread. A device that is absent (hal_errno_is_absent) starts
 * the transport disconnected when the kind reconnects; any other failure fails the open. On
 * failure the caller still owns r and frees it.
 */
hal_err hal_fd_reader_start(hal_fd_reader *r, hal_transport_kind kind,
                            const hal_fd_reader_ops *fops, const char *path,
                            const hal_transport_callbacks *cb, char *errbuf, size_t errsize);

/* The hal_transport_ops of every fd reader: write to the device, or stop, release and free. */
extern const hal_transport_ops hal_fd_reader_transport_ops;

/* Whether serial.c has a termios speed for this baud rate (the spec parser asks). */
bool hal_serial_baud_supported(unsigned baud);

hal_err hal_serial_open(const hal_transport_spec *spec, const hal_transport_callbacks *cb,
                        hal_transport **out, char *errbuf, size_t errsize);
hal_err hal_evdev_open(const hal_transport_spec *spec, const hal_transport_callbacks *cb,
                       hal_transport **out, char *errbuf, size_t errsize);
hal_err hal_usb_open(const hal_transport_spec *spec, const hal_transport_callbacks *cb,
                     hal_transport **out, char *errbuf, size_t errsize);

#endif
