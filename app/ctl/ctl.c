#include "ctl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum { NS_PER_MS = 1000000 };

static const ctl_opt *find_opt(const ctl_opt *opts, const char *name, size_t len)
{
    for (const ctl_opt *o = opts; o->name; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    return NULL;
}

bool ctl_parse(const char *cmd, int argc, char **argv, const ctl_opt *opts, ctl_args *args)
{
    args->npositional = 0;
    bool only_positional = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (only_positional || strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            if (!only_positional && strcmp(a, "--") == 0) {
                only_positional = true;
                continue;
            }
            if (args->npositional == CTL_MAX_POSITIONAL) {
                ctl_usage(cmd, "too many arguments");
                return false;
            }
            args->positional[args->npositional++] = a;
            continue;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const ctl_opt *o = find_opt(opts, name, len);
        if (!o) {
            ctl_usage(cmd, "unknown option --%.*s", (int)len, name);
            return false;
        }
        if (o->flag) {
            if (eq) {
                ctl_usage(cmd, "--%s takes no value", o->name);
                return false;
            }
            *o->flag = true;
        } else if (eq) {
            *o->value = eq + 1;
        } else if (i + 1 < argc) {
            *o->value = argv[++i];
        } else {
            ctl_usage(cmd, "--%s needs a value", o->name);
            return false;
        }
    }
    for (const ctl_opt *o = opts; o->name; o++)
        if (o->required && o->value && !*o->value) {
            ctl_usage(cmd, "--%s is required", o->name);
            return false;
        }
    return true;
}

bool ctl_parse_options(const char *cmd, int argc, char **argv, const ctl_opt *opts)
{
    ctl_args args;
    if (!ctl_parse(cmd, argc, argv, opts, &args))
        return false;
    if (args.npositional) {
        ctl_usage(cmd, "unexpected argument '%s'", args.positional[0]);
        return false;
    }
    return true;
}

int ctl_print_json(const char *cmd, json_t *o)
{
    if (!o || json_dumpf(o, stdout, JSON_COMPACT) != 0) {
        json_decref(o);
        return ctl_fail(cmd, ZC_ERR_NOMEM, NULL);
    }
    json_decref(o);
    fputc('\n', stdout);
    return CTL_EXIT_OK;
}

int ctl_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "zhucanctl: %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CTL_EXIT_USAGE;
}

int ctl_fail(const char *cmd, zc_err err, const zc_diag *diag)
{
    const char *msg = diag && diag->msg[0] ? diag->msg : zc_err_str(err);
    fprintf(stderr, "zhucanctl: %s: %s\n", cmd, msg);
    switch (err) {
    case ZC_OK:
        return CTL_EXIT_OK;
    case ZC_ERR_BROKEN:
    case ZC_ERR_NOMEM:
    case ZC_ERR_DB:
        return CTL_EXIT_FAILED;
    default:
        return CTL_EXIT_USAGE;
    }
}

int ctl_open_with_file(const char *cmd, const char *data, const char *file, zc_datadir **dd,
                       char **text, size_t *len)
{
    zc_diag diag = {{0}, 0};
    zc_err err = ctl_read_file(file, text, len, &diag);
    if (err)
        return ctl_fail(cmd, err, &diag);
    if ((err = zc_datadir_open(data, dd, &diag))) {
        free(*text);
        *text = NULL;
        return ctl_fail(cmd, err, &diag);
    }
    return CTL_EXIT_OK;
}

zc_ms ctl_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (zc_ms)ts.tv_sec * ZC_MS_PER_SECOND + ts.tv_nsec / NS_PER_MS;
}

zc_err ctl_read_file(const char *path, char **out, size_t *len, zc_diag *diag)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return zc_diag_set(diag, ZC_ERR_IO, "%s: %s", path, strerror(errno));
    struct stat st;
    char *buf = NULL;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return zc_diag_set(diag, ZC_ERR_IO, "%s: not a regular file", path);
    }
    buf = malloc((size_t)st.st_size + 1);
    size_t n = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    bool failed = !buf || ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return zc_diag_set(diag, buf ? ZC_ERR_IO : ZC_ERR_NOMEM, "%s: could not read", path);
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return ZC_OK;
}
