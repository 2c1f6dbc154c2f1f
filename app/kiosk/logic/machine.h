/*
 * The kiosk's screens as a pure state machine (DESIGN.md, "The kiosk program"):
 *
 *     zc_machine_step(machine, event, effects)   state + event -> new state + effects
 *     zc_machine_view(machine, view)             rendering is a function of the state
 *
 * Nothing here touches a file, a device, the clock or SDL. Everything from outside arrives as an
 * event: the clock (tick), a credential from a reader, a tap or key, a device's status, and the
 * result of an effect the machine asked for. Everything the machine wants done leaves as an
 * effect: look an elder up, quote, sell, print, speak, switch the readers, check a PIN, void, build
 * a report, set the clock, close the day, save settings. app.c carries the effects out against the
 * data directory and feeds their results back in; tests drive the machine with no executor at all.
 *
 * One rule keeps the robustness cases simple: at most one effect with a result is outstanding at a
 * time (m->pending). While one is, taps and keys are ignored and no timeout fires; a result that
 * does not answer the pending effect is dropped. A tap whose id the current view does not show is
 * ignored too, so a second "confirm" (the button is gone once the sale is under way) cannot sell
 * twice, and a credential is only taken while the machine has the readers switched on.
 *
 * Privacy by construction: the events the elder screens are built from carry no roster category
 * (the identify result has a masked name, an age band, counts and amounts only), so no elder
 * screen and no speech can show one. Staff screens get categories only from the day report.
 */
#ifndef ZC_KIOSK_MACHINE_H
#define ZC_KIOSK_MACHINE_H

#include "kiosk/app.h"
#include "kiosk/view.h"
#include "ui_strings.h"
#include "zc/date.h"
#include "zc/menu.h"
#include "zc/money.h"
#include "zc/receipt.h"
#include "zc/report.h"
#include "zc/roster.h"
#include "zc/sale.h"
#include "zc/tz.h"

#include <stdbool.h>
#include <stdint.h>

/* Timeouts, in milliseconds of kiosk time. */
enum {
    /* While an elder decides (identified, choose, confirm, error): never shorter than 20 s. */
    ZC_TIMEOUT_DECIDE_MS = 60 * 1000,
    /* After a sale with its receipt printed, back to idle by itself. */
    ZC_TIMEOUT_DONE_MS = 8 * 1000,
    /* After a sale without a printed receipt: time to photograph the QR and call staff. */
    ZC_TIMEOUT_DONE_NO_RECEIPT_MS = 30 * 1000,
    /* Staff mode logs itself out when nobody touches it (a kiosk left in staff mode is open). */
    ZC_TIMEOUT_STAFF_MS = 2 * 60 * 1000,
    /* Wrong PINs before the keypad locks, and for how long. */
    ZC_PIN_ATTEMPTS_MAX = 5,
    ZC_PIN_LOCKOUT_MS = 60 * 1000,
};

enum {
    ZC_LANG_COUNT = 2,
    ZC_MACHINE_MENU_MAX = 32,   /* dishes of one meal period kept for the choose screen */
    ZC_MACHINE_DEVICES_MAX = 8, /* devices whose last status is remembered */
    ZC_MACHINE_ENTRY_MAX = 20,  /* keypad entry: an ID number (18) is the longest */
    ZC_MACHINE_PIN_MIN = 4,     /* digits of a PIN */
    ZC_MACHINE_PIN_MAX = 8,
    ZC_MACHINE_AMOUNT_DIGITS = 7, /* keyed amounts in fen: up to ¥99,999.99 */
    ZC_MACHINE_ROWS_MAX = 32,     /* report breakdown rows */
    ZC_MACHINE_MESSAGE_MAX = 160,
    ZC_FX_MAX = 8,           /* effects of one step */
    ZC_SPEECH_MAX = 512,     /* bytes of one utterance */
    ZC_CREDENTIAL_MAX = 512, /* a QR text or card UID (HAL_TEXT_MAX) */
    ZC_VOID_REASONS = 4,     /* reasons staff choose from */
    ZC_VOLUME_STEP = 20,
    ZC_VOLUME_MAX = 100,
    ZC_VOLUME_DEFAULT = 80,
};

typedef enum zc_screen {
    ZC_SCREEN_IDLE = 0,
    ZC_SCREEN_IDENTIFIED,
    ZC_SCREEN_CHOOSE,
    ZC_SCREEN_AMOUNT, /* a staff-keyed price within the elder's sale */
    ZC_SCREEN_CONFIRM,
    ZC_SCREEN_DONE,
    ZC_SCREEN_ERROR,
    ZC_SCREEN_STAFF_PIN,
    ZC_SCREEN_STAFF_MENU,
    ZC_SCREEN_STAFF_SELL, /* ID number keyed for an elder whose card fails */
    ZC_SCREEN_STAFF_VOID,
    ZC_SCREEN_STAFF_REPORT,
    ZC_SCREEN_STAFF_CASH,
    ZC_SCREEN_STAFF_CLOSE,
    ZC_SCREEN_STAFF_DEVICES,
    ZC_SCREEN_STAFF_CLOCK,
    ZC_SCREEN_STAFF_SETTINGS,
    ZC_SCREEN_STAFF_PINCHANGE,
    ZC_SCREEN_COUNT
} zc_screen;

/* What went wrong, for the error screen: each has its own words and its own next step. */
typedef enum zc_problem {
    ZC_PROBLEM_NONE = 0,
    ZC_PROBLEM_NOT_FOUND,     /* not in the roster: full price, or ask staff */
    ZC_PROBLEM_SUSPENDED,     /* roster entry suspended: full price, or ask staff */
    ZC_PROBLEM_LIMIT,         /* today's subsidised meals used up: full price or cancel */
    ZC_PROBLEM_OUTSIDE_HOURS, /* outside every meal period: no subsidy now */
    ZC_PROBLEM_NO_SERVICE,    /* no subsidy on this day (service_days) */
    ZC_PROBLEM_NOT_COVERED,   /* the elder's region is not covered here */
    ZC_PROBLEM_UNREADABLE,    /* card could not be read: lift and present again */
    ZC_PROBLEM_BUSY,          /* database busy: nothing recorded, try again */
    ZC_PROBLEM_FAULT,         /* anything else: ask staff */
} zc_problem;

/* The outcome of looking an elder up, as the executor classifies the quote. */
typedef enum zc_outcome {
    ZC_OUTCOME_OK = 0, /* identified; a subsidy may apply */
    ZC_OUTCOME_NOT_FOUND,
    ZC_OUTCOME_SUSPENDED,
    ZC_OUTCOME_LIMIT,
    ZC_OUTCOME_OUTSIDE_HOURS,
    ZC_OUTCOME_NO_SERVICE,
    ZC_OUTCOME_NOT_COVERED,
    ZC_OUTCOME_NO_RULES, /* no rule set in force: full price, no explanation for the elder */
} zc_outcome;

typedef enum zc_role_staff { ZC_STAFF_NONE = 0, ZC_STAFF_CLERK, ZC_STAFF_MANAGER } zc_role_staff;

/* A dish as the choose screen needs it. */
typedef struct zc_mitem {
    char code[ZC_MENU_CODE_MAX];
    char name[ZC_MENU_NAME_MAX];
    zc_fen price;
} zc_mitem;

/* A device's last known status. */
typedef struct zc_mdevice {
    char name[HAL_DEVICE_NAME_MAX];
    hal_status status;
    char message[HAL_MESSAGE_MAX];
} zc_mdevice;

/* The identify result. No category, no ID number: see the privacy note above. */
typedef struct zc_melder {
    zc_outcome outcome;
    char masked_name[ZC_NAME_MAX]; /* "张*华"; "" when nobody is known */
    bool has_band;                 /* the age band (tier bounds) the elder falls in */
    int band_min, band_max;        /* band_max -1: no upper bound */
    int remaining_today;           /* subsidised meals left today, -1 when no daily limit */
    char period[ZC_ID_MAX];        /* the meal period now, "" outside every period */
    size_t nitems;
    zc_mitem items[ZC_MACHINE_MENU_MAX]; /* dishes served now */
} zc_melder;

/* What a meal costs this elder now (quote) or cost (sale). */
typedef struct zc_mamounts {
    zc_fen price; /* menu price */
    zc_fen discount;
    zc_fen subsidy;
    zc_fen self_pay;
    zc_outcome outcome; /* why no subsidy, when none */
} zc_mamounts;

typedef struct zc_mrow {
    char section[ZC_ID_MAX]; /* "by_period", "by_tier", "by_payment" */
    char key[ZC_ID_MAX];
    zc_report_totals t;
} zc_mrow;

typedef struct zc_mreport {
    zc_date date;
    zc_report_totals total;
    zc_fen cash_self_pay; /* what the cash drawer should hold from today's sales */
    int64_t head_seq;
    size_t nrows;
    zc_mrow rows[ZC_MACHINE_ROWS_MAX];
} zc_mreport;

/* The sync agent's state as staff see it; the shell passes it in (the machine knows no agent). */
typedef struct zc_msync {
    bool enrolled;         /* false: no hub, nothing about sync is shown */
    bool failing;          /* the last round failed: error says why */
    int64_t pending;       /* entries the hub does not hold yet */
    zc_ms last_ok_ms;      /* 0: never */
    int64_t hub_offset_ms; /* hub clock minus kiosk clock; 0 before the first answer */
    char error[ZC_MACHINE_MESSAGE_MAX];
} zc_msync;

typedef enum zc_mev_kind {
    ZC_MEV_TICK = 0,      /* now */
    ZC_MEV_CREDENTIAL,    /* u.credential */
    ZC_MEV_READ_ERROR,    /* a reader sent something it could not decode: u.device */
    ZC_MEV_DEVICE_STATUS, /* u.device */
    ZC_MEV_TAP,           /* u.id */
    ZC_MEV_KEY,           /* u.id: "0".."9", "X", "Enter", "Escape", "Backspace" */
    ZC_MEV_CLOCK_CHECK,   /* u.flag: the clock is earlier than the last recorded sale */
    ZC_MEV_SYNC_STATUS,   /* u.sync: the sync agent's news */
    /* Results of effects; err is ZC_OK or why the effect failed (message says more, staff only). */
    ZC_MEV_IDENTIFIED,  /* u.elder */
    ZC_MEV_QUOTED,      /* u.amounts */
    ZC_MEV_SOLD,        /* u.sale */
    ZC_MEV_PRINTED,     /* u.print */
    ZC_MEV_PIN_CHECKED, /* u.pin */
    ZC_MEV_PIN_CHANGED,
    ZC_MEV_VOIDED,     /* u.seq */
    ZC_MEV_REPORTED,   /* u.report */
    ZC_MEV_CLOCK_SET,  /* now: the time as set */
    ZC_MEV_DAY_CLOSED, /* u.flag: the Z report was printed */
    ZC_MEV_SETTINGS_SAVED,
} zc_mev_kind;

typedef struct zc_mevent {
    zc_mev_kind kind;
    zc_ms now;  /* TICK; CLOCK_SET: the new time */
    zc_err err; /* results */
    char message[ZC_MACHINE_MESSAGE_MAX];
    union {
        struct {
            zc_ident ident;
            char text[ZC_CREDENTIAL_MAX];
            char name[ZC_NAME_MAX]; /* the name an ID card carries; "" otherwise */
        } credential;
        zc_mdevice device;
        char id[ZC_VIEW_ID_MAX];
        bool flag;
        zc_melder elder;
        zc_mamounts amounts;
        struct {
            int64_t seq;
            zc_mamounts amounts;
            char receipt[ZC_RECEIPT_TEXT_SIZE];
        } sale;
        struct {
            bool printed;
            bool no_printer;
        } print;
        struct {
            bool ok;
            zc_role_staff role;
            bool is_default; /* the PIN is the installer's default and must be changed */
        } pin;
        int64_t seq;
        zc_mreport report;
        zc_msync sync;
    } u;
} zc_mevent;

typedef enum zc_fx_kind {
    ZC_FX_IDENTIFY = 0,  /* u.sale (ident, credential): answer ZC_MEV_IDENTIFIED */
    ZC_FX_QUOTE,         /* u.sale: answer ZC_MEV_QUOTED */
    ZC_FX_SELL,          /* u.sale: answer ZC_MEV_SOLD */
    ZC_FX_PRINT,         /* u.seq (the sale just made): answer ZC_MEV_PRINTED */
    ZC_FX_SPEAK,         /* u.speech; no answer */
    ZC_FX_READERS,       /* u.enabled; no answer */
    ZC_FX_CHECK_PIN,     /* u.pin: answer ZC_MEV_PIN_CHECKED */
    ZC_FX_CHANGE_PIN,    /* u.pin: answer ZC_MEV_PIN_CHANGED */
    ZC_FX_VOID,          /* u.void_: answer ZC_MEV_VOIDED */
    ZC_FX_REPORT,        /* today's report: answer ZC_MEV_REPORTED */
    ZC_FX_SET_CLOCK,     /* u.at: answer ZC_MEV_CLOCK_SET */
    ZC_FX_CLOSE_DAY,     /* Z report, recorded and printed: answer ZC_MEV_DAY_CLOSED */
    ZC_FX_SAVE_SETTINGS, /* u.settings: answer ZC_MEV_SETTINGS_SAVED */
} zc_fx_kind;

typedef struct zc_fx {
    zc_fx_kind kind;
    union {
        struct {
            zc_ident ident;
            char credential[ZC_CREDENTIAL_MAX];
            char item[ZC_MENU_CODE_MAX]; /* "" to sell `price` */
            zc_fen price;
        } sale;
        int64_t seq;
        char speech[ZC_SPEECH_MAX];
        bool enabled;
        struct {
            zc_role_staff role; /* CHECK_PIN: the least role that passes; CHANGE_PIN: whose */
            char pin[ZC_MACHINE_PIN_MAX + 1];
        } pin;
        struct {
            int64_t seq;
            char reason[ZC_STRINGS_TEXT_MAX];
        } void_;
        zc_ms at;
        struct {
            int volume;
            zc_lang lang;
        } settings;
    } u;
} zc_fx;

typedef struct zc_effects {
    size_t n;
    size_t dropped; /* effects beyond ZC_FX_MAX (a bug: tests assert it stays 0) */
    zc_fx v[ZC_FX_MAX];
} zc_effects;

typedef struct zc_machine_config {
    const zc_strings *strings[ZC_LANG_COUNT]; /* [ZC_LANG_ZH] required; the other may be NULL */
    zc_lang lang;
    int volume;
    const zc_tz *tz; /* the kiosk's zone, for the clock screen; NULL: UTC */
    zc_ms now;
} zc_machine_config;

/* Where a staff void stands. */
typedef enum zc_void_step {
    ZC_VOID_SEQ = 0,
    ZC_VOID_REASON,
    ZC_VOID_MANAGER,
    ZC_VOID_RESULT,
} zc_void_step;

typedef struct zc_machine {
    /* Configuration (read only after init). */
    const zc_strings *strings[ZC_LANG_COUNT];
    const zc_tz *tz;

    /* Settings. */
    zc_lang lang;
    int volume;

    zc_ms now;
    zc_screen screen;
    zc_ms deadline;     /* back to idle (or the staff menu) at this time; 0: none */
    zc_fx_kind pending; /* the effect whose answer is awaited, when has_pending */
    bool has_pending;
    bool readers;      /* readers switched on: credentials are taken */
    bool clock_behind; /* the clock is earlier than the last sale: staff must set it */
    zc_msync sync;     /* the hub connection, for staff */

    /* Devices' last status. */
    size_t ndevices;
    zc_mdevice devices[ZC_MACHINE_DEVICES_MAX];

    /* The elder's session: cleared when it ends (the credential is an ID number). */
    zc_ident ident;
    char credential[ZC_CREDENTIAL_MAX];
    char card_name[ZC_NAME_MAX]; /* the ID card's name, masked, for someone not in the roster */
    zc_melder elder;
    bool full_price_accepted; /* the elder chose to go on at full price from an error screen */
    size_t page;              /* choose screen: which dish is shown */
    char item[ZC_MENU_CODE_MAX];
    char item_name[ZC_MENU_NAME_MAX];
    zc_fen keyed_price;    /* amount screen result; used when item is "" */
    bool amount_needs_pin; /* amount keyed: a staff PIN must confirm it before the quote */
    zc_mamounts quote;
    int64_t sale_seq;
    zc_mamounts sold;
    char receipt[ZC_RECEIPT_TEXT_SIZE];
    bool printing, printed, no_printer;

    /* Error screen. */
    zc_problem problem;
    zc_fx_kind retry;  /* BUSY: the effect "retry" repeats */
    zc_screen back_to; /* BUSY cancel / NO_ITEMS: where to go */

    /* Staff mode. */
    zc_role_staff staff;
    bool staff_default_pin;
    int pin_failures;
    zc_ms pin_locked_until;
    char entry[ZC_MACHINE_ENTRY_MAX + 1];  /* keypad digits */
    char entry2[ZC_MACHINE_ENTRY_MAX + 1]; /* a PIN's first entry, while it is typed again */
    char note[ZC_STRINGS_TEXT_MAX];        /* a staff screen's line of feedback (localised) */
    zc_tone note_tone;
    zc_void_step void_step;
    int64_t void_seq;
    int void_reason; /* 1..ZC_VOID_REASONS */
    bool have_report;
    zc_mreport report;
    bool cash_counted;
    zc_fen cash_counted_fen;
    bool day_closed, day_close_printed;
} zc_machine;

/* Sets the machine up on the idle screen; fx gets the first effects (readers on). */
void zc_machine_init(zc_machine *m, const zc_machine_config *cfg, zc_effects *fx);

/* One step. fx is appended to (the caller zeroes it). */
void zc_machine_step(zc_machine *m, const zc_mevent *ev, zc_effects *fx);

/* The screen as data. */
void zc_machine_view(const zc_machine *m, zc_view *out);

/* When a tick matters next (a timeout), 0 for never. */
zc_ms zc_machine_deadline(const zc_machine *m);

/* The screen's name ("idle", "confirm" ...). */
const char *zc_screen_name(zc_screen s);

/* Event constructors for the executor and tests (zeroed, kind set). */
void zc_mevent_init(zc_mevent *ev, zc_mev_kind kind);

#endif
