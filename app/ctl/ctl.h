/*
 * Shared plumbing of zhucanctl's commands: option parsing, error reporting and exit codes.
 *
 * The command line is a stable contract (DESIGN.md): results on stdout, exit 0 on success, 2 on
 * bad input with one line on stderr naming what is wrong, 1 when verification finds the ledger
 * broken or the system itself fails.
 */
#ifndef ZC_CTL_H
#define ZC_CTL_H

#include "zc/datadir.h"
#include "zc/date.h"
#include "zc/err.h"

#include <jansson.h>

#include <stdbool.h>
#include <stddef.h>

enum { CTL_EXIT_OK = 0, CTL_EXIT_FAILED = 1, CTL_EXIT_USAGE = 2, CTL_MAX_POSITIONAL = 8 };

/* One --name option: flags take no value and set *flag; others store their value in *value. */
typedef struct ctl_opt {
    const char *name;
    const char **value;
    bool *flag;
    bool required;
} ctl_opt;

typedef struct ctl_args {
    const char *positional[CTL_MAX_POSITIONAL];
    size_t npositional;
} ctl_args;

/* Parses argv against opts (NULL-named terminator); prints the problem and returns false. */
bool ctl_parse(const char *cmd, int argc, char **argv, const ctl_opt *opts, ctl_args *args);

/* ctl_parse for commands that take options only: any other argument is a usage error. */
bool ctl_parse_options(const char *cmd, int argc, char **argv, const ctl_opt *opts);

/* Prints o as one line of compact JSON and releases it; NULL (a failed allocation) fails. */
int ctl_print_json(const char *cmd, json_t *o);

/* Prints "zhucanctl: <cmd>: <message>" and returns the exit code that err calls for. */
int ctl_fail(const char *cmd, zc_err err, const zc_diag *diag);

/* Prints a usage problem and returns CTL_EXIT_USAGE. */
int ctl_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * For commands that load a file into a kiosk: reads FILE, then opens the data directory. Returns
 * CTL_EXIT_OK with both ready (the caller frees *text and closes *dd), or the exit code after
 * reporting the failure.
 */
int ctl_open_with_file(const char *cmd, const char *data, const char *file, zc_datadir **dd,
                       char **text, size_t *len);

/* The wall clock, as UTC epoch milliseconds. */
zc_ms ctl_now_ms(void);

/* Reads a whole file (NUL-terminated; *len excludes the NUL). */
zc_err ctl_read_file(const char *path, char **out, size_t *len, zc_diag *diag);

int ctl_keys(int argc, char **argv);
int ctl_init(int argc, char **argv);
int ctl_device(int argc, char **argv);
int ctl_roster(int argc, char **argv);
int ctl_verify(int argc, char **argv);
int ctl_report(int argc, char **argv);
int ctl_rules(int argc, char **argv);
int ctl_quote(int argc, char **argv);
int ctl_sell(int argc, char **argv);
int ctl_void(int argc, char **argv);
int ctl_menu(int argc, char **argv);
int ctl_receipt(int argc, char **argv);
int ctl_enrol(int argc, char **argv);
int ctl_sync(int argc, char **argv);

#endif
