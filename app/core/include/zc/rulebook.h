/*
 * The kiosk's rule book: every rule set it has accepted, kept as the signed bundle it came in.
 *
 * Installing verifies the bundle against the rules key pinned at init, parses and validates the
 * rule set, and refuses a version not newer than the newest installed; anything refused leaves the
 * book as it was. A sale uses the set whose effective_from is the latest not after the sale's time,
 * so a set published ahead of time takes over by itself at midnight.
 */
#ifndef ZC_RULEBOOK_H
#define ZC_RULEBOOK_H

#include "zc/bundle.h"
#include "zc/rules.h"
#include "zc/store.h"

/* Verifies, validates and stores a bundle; *version (optional) gets its version. */
zc_err zc_rulebook_install(zc_store *store, const uint8_t pinned[ZC_PUBKEY_LEN],
                           const char *bundle_text, size_t len, zc_ms now, int64_t *version,
                           zc_diag *diag);

/*
 * The version of the set in force at instant at: the latest effective_from not after it (the higher
 * version on a tie). ZC_ERR_NOT_FOUND when none is in force yet.
 */
zc_err zc_rulebook_version_at(zc_store *store, zc_ms at, int64_t *version, zc_diag *diag);

/*
 * Loads the installed set of this version, parsed (caller frees with zc_rules_free). The stored
 * bundle is verified again against pinned: a database edited behind the kiosk's back cannot change
 * what a sale is charged.
 */
zc_err zc_rulebook_load(zc_store *store, const uint8_t pinned[ZC_PUBKEY_LEN], int64_t version,
                        zc_rules **out, zc_diag *diag);

/* The newest installed version, 0 for none. */
zc_err zc_rulebook_latest(zc_store *store, int64_t *version, zc_diag *diag);

#endif
