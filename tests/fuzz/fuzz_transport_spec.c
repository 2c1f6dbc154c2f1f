#include "../../hal/transport_impl.h" /* the parsed spec, to check a round trip */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { ERRBUF = 256, SPEC_MAX = HAL_SPEC_PATH_MAX + 32 };

/* The spec that says the same thing in the fewest words. */
static void canonical(const hal_transport_spec *s, char *buf, size_t size)
{
    switch (s->kind) {
    case HAL_TRANSPORT_USB:
        if (s->interface == HAL_USB_ANY_INTERFACE)
            snprintf(buf, size, "usb:%04x:%04x", s->vid, s->pid);
        else
            snprintf(buf, size, "usb:%04x:%04x:%d", s->vid, s->pid, s->interface);
        return;
    case HAL_TRANSPORT_SERIAL:
        snprintf(buf, size, "serial:%s@%u", s->path, s->baud);
        return;
    case HAL_TRANSPORT_EVDEV:
        snprintf(buf, size, "evdev:%s", s->path);
        return;
    case HAL_TRANSPORT_FIFO:
        snprintf(buf, size, "fifo:%s", s->path);
        return;
    case HAL_TRANSPORT_FILE:
        snprintf(buf, size, "file:%s", s->path);
        return;
    case HAL_TRANSPORT_STDIN:
        snprintf(buf, size, "stdin");
        return;
    }
    abort();
}

/*
 * The spec is a C string: the input is copied and terminated, so that a read past the NUL is an
 * ASan report. A rejected spec has a one-line message; an accepted one survives a round trip;
 * and a message never overruns the buffer it is given, however small.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *spec = malloc(size + 1);
    if (!spec)
        return 0;
    memcpy(spec, data, size);
    spec[size] = '\0';

    static hal_transport_spec parsed, again;
    char err[ERRBUF] = "";
    hal_err rc = hal_transport_spec_parse(spec, &parsed, err, sizeof err);
    hal_transport_kind kind;
    if (hal_transport_parse_spec(spec, &kind, NULL, 0) != rc)
        abort();
    if (rc != HAL_OK) {
        if (rc != HAL_ERR_INVALID || err[0] == '\0' || strchr(err, '\n'))
            abort();
    } else {
        if (kind != parsed.kind)
            abort();
        static char text[SPEC_MAX];
        canonical(&parsed, text, sizeof text);
        if (hal_transport_spec_parse(text, &again, NULL, 0) != HAL_OK ||
            memcmp(&parsed, &again, sizeof parsed) != 0)
            abort();
    }

    /* A small message buffer, exactly as large as said: ASan sees any overrun. */
    size_t small = size > 0 ? (size_t)data[0] % 16u + 1u : 1u;
    char *tiny = malloc(small);
    if (tiny) {
        if (hal_transport_parse_spec(spec, &kind, tiny, small) != rc ||
            (rc != HAL_OK && strnlen(tiny, small) == small))
            abort();
        free(tiny);
    }
    free(spec);
    return 0;
}
