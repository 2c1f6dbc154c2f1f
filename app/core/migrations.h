/*
 * The numbered schema migrations of the kiosk store. Migration n brings user_version from n-1 to
 * n. A migration, once released, is never edited: a change is a new migration at the end.
 */
#ifndef ZC_MIGRATIONS_H
#define ZC_MIGRATIONS_H

#include <stddef.h>

typedef struct zc_migration {
    const char *name;
    const char *sql;
} zc_migration;

/* The migrations in order; element i is schema version i + 1. */
const zc_migration *zc_migrations(size_t *count);

#endif
