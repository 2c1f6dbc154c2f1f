#include "migrations.h"

/*
 * Version 1: settings, the roster and the ledger.
 *
 * sale is append-only: triggers refuse UPDATE and DELETE so that even a bug cannot rewrite
 * history. seq is INTEGER PRIMARY KEY AUTOINCREMENT: SQLite then never hands out a number twice,
 * even after the highest row is gone, which keeps the per-device sequence gap-free and unique.
 * canon holds the canonical bytes exactly as they were hashed and signed; the other columns are
 * an index over them that `verify` checks against the bytes.
 */
static const char MIGRATION_1[] =
    "CREATE TABLE meta ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ") WITHOUT ROWID;"

    "CREATE TABLE elder ("
    "  id INTEGER PRIMARY KEY,"
    "  id_hmac BLOB NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  birth_date TEXT NOT NULL,"
    "  region TEXT NOT NULL,"
    "  categories TEXT NOT NULL DEFAULT '',"
    "  status TEXT NOT NULL CHECK (status IN ('active', 'suspended')),"
    "  qr_hash BLOB UNIQUE,"
    "  card_hash BLOB UNIQUE,"
    "  version INTEGER NOT NULL DEFAULT 0"
    ");"

    "CREATE TABLE sale ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  uuid TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('sale', 'void')),"
    "  at_ms INTEGER NOT NULL,"
    "  local_date TEXT NOT NULL,"
    "  period TEXT,"
    "  elder_id INTEGER,"
    "  ident TEXT NOT NULL,"
    "  price INTEGER NOT NULL,"
    "  subsidy INTEGER NOT NULL,"
    "  self_pay INTEGER NOT NULL,"
    "  paid TEXT NOT NULL,"
    "  tier TEXT,"
    "  rules_version INTEGER NOT NULL,"
    "  voids_seq INTEGER UNIQUE REFERENCES sale(seq),"
    "  canon BLOB NOT NULL,"
    "  prev_hash BLOB NOT NULL,"
    "  hash BLOB NOT NULL,"
    "  sig BLOB NOT NULL"
    ");"
    "CREATE INDEX sale_by_date ON sale(local_date);"
    "CREATE INDEX sale_by_elder ON sale(elder_id, at_ms) WHERE elder_id IS NOT NULL;"
    "CREATE TRIGGER sale_no_update BEFORE UPDATE ON sale"
    "  BEGIN SELECT RAISE(ABORT, 'sales are append-only'); END;"
    "CREATE TRIGGER sale_no_delete BEFORE DELETE ON sale"
    "  BEGIN SELECT RAISE(ABORT, 'sales are append-only'); END;";

/*
 * Version 2: rule sets and the menu.
 *
 * Every rule set ever installed is kept as the signed bundle it arrived in (bytes as received), so
 * a sale can be re-explained later under the set it used. The menu is replaced whole on import.
 */
static const char MIGRATION_2[] =
    "CREATE TABLE rule_set ("
    "  version INTEGER PRIMARY KEY,"
    "  effective_from_ms INTEGER NOT NULL,"
    "  bundle BLOB NOT NULL,"
    "  installed_at_ms INTEGER NOT NULL"
    ");"
    "CREATE INDEX rule_set_by_effective ON rule_set(effective_from_ms);"

    "CREATE TABLE menu_item ("
    "  code TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  price INTEGER NOT NULL CHECK (price >= 0),"
    "  periods TEXT NOT NULL DEFAULT ''"
    ") WITHOUT ROWID;";

/*
 * Version 3: kiosk staff and settings.
 *
 * Staff PINs are kept only as libsodium crypto_pwhash_str strings (Argon2id, salted, with their
 * own parameters), one row per account; role 'manager' may also void. is_default marks a PIN the
 * kiosk seeded at first start, which the staff menu asks to change. Kiosk settings live in meta
 * under "kiosk." keys; the voice volume starts at 80 of 100.
 */
static const char MIGRATION_3[] =
    "CREATE TABLE staff ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  role TEXT NOT NULL CHECK (role IN ('staff', 'manager')),"
    "  pin_hash TEXT NOT NULL,"
    "  is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),"
    "  changed_at_ms INTEGER NOT NULL DEFAULT 0"
    ");"
    "INSERT OR IGNORE INTO meta(key, value) VALUES ('kiosk.volume', '80');";

static const zc_migration MIGRATIONS[] = {
    {"roster and ledger", MIGRATION_1},
    {"rule sets and menu", MIGRATION_2},
    {"kiosk staff and settings", MIGRATION_3},
};

const zc_migration *zc_migrations(size_t *count)
{
    *count = sizeof MIGRATIONS / sizeof MIGRATIONS[0];
    return MIGRATIONS;
}
