/*
 * `zhucan-hub admin`: the hub's command line for administrators (DESIGN.md, "Command line"). The
 * same operations as the console, over zc_hub directly, with zhucanctl's contract: results on
 * stdout, exit 0 on success, 2 on bad input with one line on stderr naming what is wrong, 1 when
 * the hub itself fails.
 */
#ifndef ZC_HUBADMIN_H
#define ZC_HUBADMIN_H

enum { HUB_EXIT_OK = 0, HUB_EXIT_FAILED = 1, HUB_EXIT_USAGE = 2 };

/* argv[0] is "admin". */
int zc_hubadmin_main(int argc, char **argv);

#endif
