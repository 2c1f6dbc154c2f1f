/*
 * Staff accounts and their PINs, in the kiosk's store (table staff, migration 3).
 *
 * A PIN is kept only as a crypto_pwhash_str string (Argon2id with a random salt and the
 * interactive limits): a copied database does not give the PINs away cheaply, and checking one
 * costs a tenth of a second, which with the keypad's lockout (machine.h) makes guessing slow.
 *
 * First start: when the table is empty the kiosk seeds one staff account with PIN
 * ZC_STAFF_DEFAULT_PIN and one manager account with ZC_STAFF_DEFAULT_MANAGER_PIN, both marked
 * as defaults. The installer must change them (staff menu, "change PIN"); until then the staff
 * menu says so on every login.
 */
#ifndef ZC_KIOSK_STAFF_H
#define ZC_KIOSK_STAFF_H

#include "machine.h"
#include "zc/store.h"

#define ZC_STAFF_DEFAULT_PIN "1234"
#define ZC_STAFF_DEFAULT_MANAGER_PIN "9999"

typedef struct zc_staff_check {
    bool ok;
    zc_role_staff role;
    bool is_default;
} zc_staff_check;

/* Seeds the default accounts when there are none; *seeded (optional) says whether it did. */
zc_err zc_staff_seed(zc_store *store, zc_ms now, bool *seeded, zc_diag *diag);

/*
 * Checks a PIN against the accounts of at least role `least` (CLERK: any account; MANAGER:
 * managers only). A manager's PIN logs in as manager. A wrong PIN is ok = false, not an error.
 */
zc_err zc_staff_check_pin(zc_store *store, const char *pin, zc_role_staff least,
                          zc_staff_check *out, zc_diag *diag);

/* Replaces the PIN of every account with this role; clears the default mark. */
zc_err zc_staff_set_pin(zc_store *store, zc_role_staff role, const char *pin, zc_ms now,
                        zc_diag *diag);

#endif
