/*
 * zhucanctl: the command line for staff, administrators and technicians. Each command lives in
 * its own file; this one only dispatches.
 */
#include "ctl.h"

#include <stdio.h>
#include <string.h>

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
} command;

static const command COMMANDS[] = {
    {"keys", ctl_keys, "keys new --out DIR"},
    {"init", ctl_init,
     "init --data DIR --canteen ID --rules-pubkey PUBLIC.key "
     "[--region-key FILE] [--timezone ZONE] [--canteen-region CODE]"},
    {"device", ctl_device, "device --data DIR"},
    {"roster", ctl_roster, "roster import --data DIR FILE.csv"},
    {"verify", ctl_verify, "verify --data DIR"},
    {"report", ctl_report, "report day --data DIR --date YYYY-MM-DD [--format text|json|csv]"},
    {"rules", ctl_rules,
     "rules check FILE | rules sign --key SECRET.key RULES.json | "
     "rules show BUNDLE | rules install --data DIR BUNDLE"},
    {"quote", ctl_quote,
     "quote --rules RULES.json --elder ELDER.json --price FEN --at ISO8601 "
     "[--canteen ID] [--canteen-region CODE] [--delivery-fee FEN] "
     "[--history HISTORY.json]"},
    {"sell", ctl_sell,
     "sell --data DIR (--id-number N | --qr TEXT | --card UID) "
     "(--price FEN | --item CODE) [--at ISO8601] [--paid cash|other] "
     "[--delivery-fee FEN]"},
    {"void", ctl_void, "void --data DIR --seq N --reason TEXT [--at ISO8601]"},
    {"menu", ctl_menu, "menu import --data DIR FILE.csv"},
    {"receipt", ctl_receipt, "receipt verify TEXT --pubkey KEY"},
    {"enrol", ctl_enrol, "enrol --data DIR --hub URL --code CODE"},
    {"sync", ctl_sync, "sync --data DIR [--hub URL]"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage:\n");
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        fprintf(f, "  zhucanctl %s\n", COMMANDS[i].usage);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CTL_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CTL_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (strcmp(argv[1], COMMANDS[i].name) == 0)
            return COMMANDS[i].run(argc - 2, argv + 2);
    fprintf(stderr, "zhucanctl: unknown command '%s' (try zhucanctl --help)\n", argv[1]);
    return CTL_EXIT_USAGE;
}
