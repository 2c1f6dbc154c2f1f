/*
 * The hub's numbered schema migrations, in SQLite's and PostgreSQL's dialects (internal to
 * app/hub; zc_hubdb_open applies them).
 */
#ifndef ZC_HUBSCHEMA_H
#define ZC_HUBSCHEMA_H

#include <stddef.h>

typedef struct zc_hubschema_migration {
    const char *name;
    const char *sqlite; /* several statements, run as one script */
    const char *postgres;
} zc_hubschema_migration;

/* Migration i brings the schema to version i + 1. */
const zc_hubschema_migration *zc_hubschema_migrations(size_t *count);

#endif
