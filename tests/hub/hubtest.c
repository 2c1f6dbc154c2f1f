#include "hubtest.h"

/* Filled in by the hub database work (issue 6). */
const char *const ZC_HUBTEST_BACKENDS[] = {"sqlite", "postgres", NULL};
