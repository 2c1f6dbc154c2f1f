#include "hubschema.h"

/*
 * The hub's schema, one entry per version, in both dialects. Column types are those both engines
 * read alike: BIGINT and TEXT; hashes are lower-case hex, keys and signatures base64. Each
 * migration runs in one transaction.
 *
 * Version 1:
 *   hub_meta     the hub's own keys (rules signing key, region key), made on first open
 *   canteen      the canteens of the network, each with its menu (items as JSON) and menu version
 *   app_user     console accounts: role admin | viewer | canteen (with canteen id)
 *   session      console sessions by SHA-256 of the cookie token, with their CSRF token
 *   enrol_code   one-time enrolment codes by SHA-256 of the code
 *   device       enrolled kiosks, their push progress (acked_seq, acked_hash) and last heartbeat
 *   nonce        request nonces seen per device (replay refusal), pruned by age
 *   sale         every pushed entry once per (device, seq); status ok | quarantine
 *   anomaly      what the hub noticed: chain breaks, gaps, signatures, double subsidies, skew
 *   elder        the roster; version follows commit order (writers take lock "roster"); deleted
 *                rows stay as tombstones; qr_token is kept to print elder cards
 *   rule_set     published signed bundles
 *
 * Version 2:
 *   device.heartbeat_ms   the kiosk's time of the newest heartbeat it signed with its clock
 *                         too far off to be checked (NULL before one): no heartbeat at or
 *                         before it records anything, so such a heartbeat sent again is void
 *   anomaly_by_canteen    a canteen manager's anomalies, newest first, without a scan
 *
 * Each version's tables are written once for both dialects, which differ only in a key that numbers
 * its rows itself (SERIAL_PK): AUTOINCREMENT in SQLite, so that a number is never reused, and an
 * identity column in PostgreSQL.
 */
#define HUB_TABLES_1(SERIAL_PK)                                                                    \
    "CREATE TABLE hub_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"                           \
    "CREATE TABLE canteen (id TEXT PRIMARY KEY, name TEXT NOT NULL,"                               \
    "  region TEXT NOT NULL DEFAULT '', timezone TEXT NOT NULL DEFAULT 'Asia/Shanghai',"           \
    "  menu_version BIGINT NOT NULL DEFAULT 0, menu_items TEXT NOT NULL DEFAULT '[]',"             \
    "  created_ms BIGINT NOT NULL);"                                                               \
    "CREATE TABLE app_user (name TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN"              \
    "  ('admin','viewer','canteen')), canteen TEXT, pw_hash TEXT NOT NULL,"                        \
    "  created_ms BIGINT NOT NULL);"                                                               \
    "CREATE TABLE session (token_hash TEXT PRIMARY KEY, user_name TEXT NOT NULL,"                  \
    "  csrf TEXT NOT NULL, expires_ms BIGINT NOT NULL);"                                           \
    "CREATE TABLE enrol_code (code_hash TEXT PRIMARY KEY, canteen TEXT NOT NULL,"                  \
    "  created_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL, used_by TEXT, used_ms BIGINT);"     \
    "CREATE TABLE device (id TEXT PRIMARY KEY, public_key TEXT NOT NULL UNIQUE,"                   \
    "  canteen TEXT NOT NULL, enrolled_ms BIGINT NOT NULL, last_seen_ms BIGINT NOT NULL DEFAULT "  \
    "0,"                                                                                           \
    "  acked_seq BIGINT NOT NULL DEFAULT 0, acked_hash TEXT NOT NULL DEFAULT '',"                  \
    "  pending BIGINT NOT NULL DEFAULT 0, clock_skew_ms BIGINT NOT NULL DEFAULT 0,"                \
    "  faults TEXT NOT NULL DEFAULT '[]', rules_version BIGINT NOT NULL DEFAULT 0,"                \
    "  app_version TEXT NOT NULL DEFAULT '');"                                                     \
    "CREATE TABLE nonce (device TEXT NOT NULL, nonce TEXT NOT NULL, seen_ms BIGINT NOT NULL,"      \
    "  PRIMARY KEY (device, nonce));"                                                              \
    "CREATE INDEX nonce_by_age ON nonce(seen_ms);"                                                 \
    "CREATE TABLE sale (device TEXT NOT NULL, seq BIGINT NOT NULL, uuid TEXT NOT NULL,"            \
    "  kind TEXT NOT NULL, canteen TEXT NOT NULL, at_ms BIGINT NOT NULL,"                          \
    "  local_date TEXT NOT NULL, period TEXT, elder_id BIGINT, ident TEXT NOT NULL,"               \
    "  price BIGINT NOT NULL, subsidy BIGINT NOT NULL, self_pay BIGINT NOT NULL,"                  \
    "  paid TEXT NOT NULL, tier TEXT, rules_version BIGINT NOT NULL, voids_seq BIGINT,"            \
    "  canon TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, sig TEXT NOT NULL,"       \
    "  status TEXT NOT NULL CHECK (status IN ('ok','quarantine')), received_ms BIGINT NOT NULL,"   \
    "  PRIMARY KEY (device, seq));"                                                                \
    "CREATE INDEX sale_by_canteen_date ON sale(canteen, local_date);"                              \
    "CREATE INDEX sale_by_elder ON sale(elder_id, local_date);"                                    \
    "CREATE TABLE anomaly (id " SERIAL_PK ", at_ms BIGINT NOT NULL,"                               \
    "  kind TEXT NOT NULL, device TEXT, seq BIGINT, canteen TEXT, elder_id BIGINT,"                \
    "  detail TEXT NOT NULL DEFAULT '');"                                                          \
    "CREATE TABLE elder (id " SERIAL_PK ", id_hmac TEXT NOT NULL UNIQUE,"                          \
    "  name TEXT NOT NULL, birth_date TEXT NOT NULL, region TEXT NOT NULL,"                        \
    "  categories TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, qr_token TEXT UNIQUE,"           \
    "  qr_hash TEXT UNIQUE, card_uid TEXT UNIQUE, card_hash TEXT UNIQUE,"                          \
    "  version BIGINT NOT NULL, deleted BIGINT NOT NULL DEFAULT 0);"                               \
    "CREATE INDEX elder_by_version ON elder(version, id);"                                         \
    "CREATE TABLE rule_set (version BIGINT PRIMARY KEY, effective_from_ms BIGINT NOT NULL,"        \
    "  bundle TEXT NOT NULL, published_ms BIGINT NOT NULL, published_by TEXT NOT NULL);"

#define SQLITE_SERIAL_PK "INTEGER PRIMARY KEY AUTOINCREMENT"
#define POSTGRES_SERIAL_PK "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"

static const char SQLITE_1[] = HUB_TABLES_1(SQLITE_SERIAL_PK);
static const char POSTGRES_1[] = HUB_TABLES_1(POSTGRES_SERIAL_PK);

/* The same words in both dialects. */
static const char BOTH_2[] = "ALTER TABLE device ADD COLUMN heartbeat_ms BIGINT;"
                             "CREATE INDEX anomaly_by_canteen ON anomaly(canteen, id);";

static const zc_hubschema_migration MIGRATIONS[] = {
    {"hub tables", SQLITE_1, POSTGRES_1},
    {"heartbeat replay guard, anomalies by canteen", BOTH_2, BOTH_2},
};

const zc_hubschema_migration *zc_hubschema_migrations(size_t *count)
{
    *count = sizeof MIGRATIONS / sizeof MIGRATIONS[0];
    return MIGRATIONS;
}
