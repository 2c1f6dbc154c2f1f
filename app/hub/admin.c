/*
 * zhucan-hub admin: what an administrator scripts against the hub's database: users, canteens,
 * enrolment codes, rules, roster, menus, reports, settlement and anomalies. Each command is one
 * zc_hub_* call, the same one the console's API makes.
 */
#include "hubadmin.h"
#include "hubapi.h"

#include "zc/hub.h"
#include "zc/money.h"
#include "zc/rules.h"
#include "zc/tz.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum {
    ADMIN_POSITIONAL_MAX = 4,
    ADMIN_PASSWORD_MAX = 1024, /* one line of stdin */
    ADMIN_ANOMALIES_DEFAULT = 100,
    ADMIN_INT_TEXT_MAX = 18,
};

typedef struct admin_opt {
    const char *name;
    const char **value;
    bool required;
} admin_opt;

typedef struct admin_cmd {
    const char *name; /* e.g. "user add" */
    const char *db;
    zc_hub *hub; /* opened once the arguments are known good */
    const char *pos[ADMIN_POSITIONAL_MAX];
    int npos;
} admin_cmd;

static int usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "zhucan-hub: admin %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return HUB_EXIT_USAGE;
}

/* Reports a failure; bad input exits 2, the hub's own failure 1. */
static int fail(const char *cmd, zc_err err, const zc_diag *diag)
{
    const char *msg = diag && diag->msg[0] ? diag->msg : zc_err_str(err);
    fprintf(stderr, "zhucan-hub: admin %s: %s\n", cmd, msg);
    switch (err) {
    case ZC_OK:
        return HUB_EXIT_OK;
    case ZC_ERR_NOMEM:
    case ZC_ERR_DB:
    case ZC_ERR_BROKEN:
    case ZC_ERR_VERSION:
    case ZC_ERR_BUSY:
        return HUB_EXIT_FAILED;
    default:
        return HUB_EXIT_USAGE;
    }
}

/* Parses --name VALUE / --name=VALUE options and exactly npos positional arguments. */
static bool parse(admin_cmd *c, int argc, char **argv, const admin_opt *opts, int npos)
{
    c->npos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            if (c->npos == npos) {
                usage(c->name, "unexpected argument '%s'", a);
                return false;
            }
            c->pos[c->npos++] = a;
            continue;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const admin_opt *o = opts;
        while (o->name && !(strlen(o->name) == len && strncmp(o->name, name, len) == 0))
            o++;
        if (!o->name) {
            usage(c->name, "unknown option --%.*s", (int)len, name);
            return false;
        }
        if (eq) {
            *o->value = eq + 1;
        } else if (i + 1 < argc) {
            *o->value = argv[++i];
        } else {
            usage(c->name, "--%s needs a value", o->name);
            return false;
        }
    }
    for (const admin_opt *o = opts; o->name; o++)
        if (o->required && !*o->value) {
            usage(c->name, "--%s is required", o->name);
            return false;
        }
    if (c->npos != npos) {
        usage(c->name, "expected %d argument%s", npos, npos == 1 ? "" : "s");
        return false;
    }
    return true;
}

/* A command's outcome: o printed as JSON when err is ZC_OK, else the failure (o is dropped). */
static int answer(const char *cmd, zc_err err, const zc_diag *diag, json_t *o)
{
    if (err) {
        json_decref(o);
        return fail(cmd, err, diag);
    }
    if (!o || json_dumpf(o, stdout, JSON_COMPACT) != 0) {
        json_decref(o);
        return fail(cmd, ZC_ERR_NOMEM, NULL);
    }
    json_decref(o);
    fputc('\n', stdout);
    return HUB_EXIT_OK;
}

/* Opens the hub's database (creating it on first use) into c->hub; the exit code of a failure. */
static int open_hub(admin_cmd *c)
{
    zc_hub_opts opts = {.db_url = c->db, .pool = 1};
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_open(&opts, &c->hub, &diag);
    if (err) {
        c->hub = NULL;
        return fail(c->name, err, &diag);
    }
    return HUB_EXIT_OK;
}

static zc_err read_file(const char *path, char **out, size_t *len, zc_diag *diag)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return zc_diag_set(diag, ZC_ERR_IO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return zc_diag_set(diag, ZC_ERR_IO, "%s: not a regular file", path);
    }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t n = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    bool failed = !buf || ferror(f);
    fclose(f);
    if (failed) {
        zc_err err = buf ? ZC_ERR_IO : ZC_ERR_NOMEM;
        free(buf);
        return zc_diag_set(diag, err, "%s: could not read", path);
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return ZC_OK;
}

/*
 * The file a command names (its one argument) read whole, then the hub opened; the exit code of a
 * failure (then *text is NULL).
 */
static int read_then_open(admin_cmd *c, char **text, size_t *len)
{
    zc_diag diag = {{0}, 0};
    zc_err err = read_file(c->pos[0], text, len, &diag);
    if (err)
        return fail(c->name, err, &diag);
    int rc = open_hub(c);
    if (rc != HUB_EXIT_OK) {
        free(*text);
        *text = NULL;
    }
    return rc;
}

/* ---- the commands; each opens the hub once its arguments are known good ---- */

static int user_add(admin_cmd *c, int argc, char **argv)
{
    const char *role = NULL;
    admin_opt opts[] = {{"role", &role, true}, {NULL, NULL, false}};
    if (!parse(c, argc, argv, opts, 1))
        return HUB_EXIT_USAGE;
    char password[ADMIN_PASSWORD_MAX];
    if (!fgets(password, sizeof password, stdin))
        return usage(c->name, "the password is read from stdin, one line");
    password[strcspn(password, "\r\n")] = '\0';
    int rc = open_hub(c);
    zc_diag diag = {{0}, 0};
    zc_err err = ZC_OK;
    if (rc == HUB_EXIT_OK)
        err = zc_hub_user_add(c->hub, c->pos[0], role, password, &diag);
    memset(password, 0, sizeof password);
    if (rc != HUB_EXIT_OK)
        return rc;
    return answer(c->name, err, &diag, json_pack("{s:s,s:s}", "name", c->pos[0], "role", role));
}

static int canteen_add(admin_cmd *c, int argc, char **argv)
{
    const char *region = "", *timezone = ZC_TZ_DEFAULT;
    admin_opt opts[] = {
        {"region", &region, false}, {"timezone", &timezone, false}, {NULL, NULL, false}};
    if (!parse(c, argc, argv, opts, 2))
        return HUB_EXIT_USAGE;
    int rc = open_hub(c);
    if (rc != HUB_EXIT_OK)
        return rc;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_canteen_add(c->hub, c->pos[0], c->pos[1], region, timezone, &diag);
    return answer(c->name, err, &diag,
                  json_pack("{s:s,s:s,s:s,s:s}", "id", c->pos[0], "name", c->pos[1], "region",
                            region, "timezone", timezone));
}

static int enrol_code(admin_cmd *c, int argc, char **argv)
{
    const char *canteen = NULL;
    admin_opt opts[] = {{"canteen", &canteen, true}, {NULL, NULL, false}};
    if (!parse(c, argc, argv, opts, 0))
        return HUB_EXIT_USAGE;
    int rc = open_hub(c);
    if (rc != HUB_EXIT_OK)
        return rc;
    char code[ZC_HUB_CODE_MAX];
    zc_ms expires;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_enrol_code_new(c->hub, canteen, code, &expires, &diag);
    if (err)
        return fail(c->name, err, &diag);
    printf("%s\n", code);
    return HUB_EXIT_OK;
}

static int rules_publish(admin_cmd *c, int argc, char **argv)
{
    const char *from_text = NULL;
    admin_opt opts[] = {{"effective-from", &from_text, false}, {NULL, NULL, false}};
    if (!parse(c, argc, argv, opts, 1))
        return HUB_EXIT_USAGE;
    char *text = NULL;
    size_t len = 0;
    zc_diag diag = {{0}, 0}, inner = {{0}, 0};
    zc_err err = read_file(c->pos[0], &text, &len, &diag);
    if (err)
        return fail(c->name, err, &diag);
    /* Parsed here first for its zone: an --effective-from without offset is local there. */
    zc_rules *rules = NULL;
    if ((err = zc_rules_parse(text, len, NULL, &rules, &inner))) {
        free(text);
        zc_diag_set(&diag, err, "%s: %s", c->pos[0], inner.msg);
        return fail(c->name, err, &diag);
    }
    zc_ms from = -1;
    int rc = HUB_EXIT_OK;
    if (from_text && zc_tz_parse_time(rules->tz, from_text, &from, &inner))
        rc = usage(c->name, "--effective-from: %s", inner.msg);
    else
        rc = open_hub(c);
    int64_t version = 0;
    zc_ms effective = 0;
    if (rc == HUB_EXIT_OK)
        err = zc_hub_rules_publish(c->hub, text, len, from, "admin", &version, &effective, &diag);
    free(text);
    char iso[ZC_ISO8601_MAX] = "";
    if (rc == HUB_EXIT_OK && !err)
        zc_time_format_iso8601(effective, zc_tz_offset(rules->tz, effective), iso, sizeof iso);
    zc_rules_free(rules);
    if (rc != HUB_EXIT_OK)
        return rc;
    return answer(c->name, err, &diag,
                  json_pack("{s:I,s:s}", "version", (json_int_t)version, "effective_from", iso));
}

static int roster_import(admin_cmd *c, int argc, char **argv)
{
    admin_opt opts[] = {{NULL, NULL, false}};
    if (!parse(c, argc, argv, opts, 1))
        return HUB_EXIT_USAGE;
    char *text = NULL;
    size_t len = 0;
    int rc = read_then_open(c, &text, &len);
    if (rc != HUB_EXIT_OK)
        return rc;
    zc_hub_roster_stats st = {0};
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_roster_import(c->hub, text, len, false, &st, NULL, &diag);
    free(text);
    return answer(c->name, err, &diag,
                  json_pack("{s:I,s:I,s:I,s:I,s:I}", "rows", (json_int_t)st.rows, "added",
                            (json_int_t)st.added, "updated", (json_int_t)st.updated, "unchanged",
                            (json_int_t)st.unchanged, "version", (json_int_t)st.version));
}

static int menu_import(admin_cmd *c, int argc, char **argv)
{
    const char *canteen = NULL;
    admin_opt opts[] = {{"canteen", &canteen, true}, {NULL, NULL, false}};
    if (!parse(c, argc, argv, opts, 1))
        return HUB_EXIT_USAGE;
    char *text = NULL;
    size_t len = 0;
    int rc = read_then_open(c, &text, &len);
    if (rc != HUB_EXIT_OK)
        return rc;
    int64_t version = 0, rows = 0;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_menu_import(c->hub, canteen, text, len, &version, &rows, &diag);
    free(text);
    return answer(c->name, err, &diag,
                  json_pack("{s:I,s:I}", "version", (json_int_t)version, "rows", (json_int_t)rows));
}

/* ---- report day as text or CSV, from the hub's JSON (the kiosk's formats) ---- */

static const char *const REPORT_SECTIONS[] = {"by_period", "by_tier", "by_payment"};
static const char *const REPORT_TITLES[] = {"By meal period", "By tier or category", "By payment"};
enum { REPORT_SECTION_COUNT = 3 };

static long long total_of(const json_t *t, const char *key)
{
    return (long long)json_integer_value(json_object_get(t, key));
}

static void text_row(const char *label, const json_t *t)
{
    char gross[ZC_MONEY_TEXT_MAX], subsidy[ZC_MONEY_TEXT_MAX], self_pay[ZC_MONEY_TEXT_MAX];
    zc_money_format(total_of(t, "gross"), gross, sizeof gross);
    zc_money_format(total_of(t, "subsidy"), subsidy, sizeof subsidy);
    zc_money_format(total_of(t, "self_pay"), self_pay, sizeof self_pay);
    printf("  %-16s %6lld %6lld %14s %14s %14s\n", label, total_of(t, "sales"),
           total_of(t, "voids"), gross, subsidy, self_pay);
}

static void csv_row(const char *section, const char *key, const json_t *t)
{
    printf("%s,\"", section);
    for (const char *p = key; *p; p++) {
        if (*p == '"')
            putchar('"');
        putchar(*p);
    }
    printf("\",%lld,%lld,%lld,%lld,%lld\r\n", total_of(t, "sales"), total_of(t, "voids"),
           total_of(t, "gross"), total_of(t, "subsidy"), total_of(t, "self_pay"));
}

static void print_report(const json_t *r, bool csv)
{
    const char *day = json_string_value(json_object_get(r, "date"));
    if (csv) {
        printf("section,key,sales,voids,gross,subsidy,self_pay\r\n");
        csv_row("total", day ? day : "", r);
    } else {
        printf("Day report %s\n\n", day ? day : "");
        printf("  %-16s %6s %6s %14s %14s %14s\n", "", "sales", "voids", "gross", "subsidy",
               "self-pay");
        text_row("Total", r);
    }
    for (int s = 0; s < REPORT_SECTION_COUNT; s++) {
        if (!csv)
            printf("\n%s\n", REPORT_TITLES[s]);
        const char *key;
        json_t *t;
        json_object_foreach(json_object_get(r, REPORT_SECTIONS[s]), key, t)
        {
            if (csv)
                csv_row(REPORT_SECTIONS[s] + strlen("by_"), key, t);
            else
                text_row(key, t);
        }
    }
    if (!csv)
        printf("\nChain head: none (a canteen's kiosks each keep their own chain)\n");
}

static int report_day(admin_cmd *c, int argc, char **argv)
{
    const char *canteen = NULL, *date_text = NULL, *format = "json";
    admin_opt opts[] = {{"canteen", &canteen, true},
                        {"date", &date_text, true},
                        {"format", &format, false},
                        {NULL, NULL, false}};
    if (!parse(c, argc, argv, opts, 0))
        return HUB_EXIT_USAGE;
    if (strcmp(format, "json") != 0 && strcmp(format, "text") != 0 && strcmp(format, "csv") != 0)
        return usage(c->name, "--format: '%s' is not json, text or csv", format);
    zc_date date;
    zc_diag diag = {{0}, 0};
    if (zc_date_parse(date_text, strlen(date_text), &date, &diag))
        return usage(c->name, "--date: %s", diag.msg);
    int rc = open_hub(c);
    if (rc != HUB_EXIT_OK)
        return rc;
    json_t *r = NULL;
    zc_err err = zc_hub_report_day(c->hub, canteen, date, &r, &diag);
    if (err || strcmp(format, "json") == 0)
        return answer(c->name, err, &diag, r);
    print_report(r, strcmp(format, "csv") == 0);
    json_decref(r);
    return HUB_EXIT_OK;
}

static int settlement(admin_cmd *c, int argc, char **argv)
{
    const char *month_text = NULL;
    admin_opt opts[] = {{"month", &month_text, true}, {NULL, NULL, false}};
    if (!parse(c, argc, argv, opts, 0))
        return HUB_EXIT_USAGE;
    int year, month;
    if (!zc_hubapi_month_parse(month_text, &year, &month))
        return usage(c->name, "--month: '%s' is not YYYY-MM", month_text);
    int rc = open_hub(c);
    if (rc != HUB_EXIT_OK)
        return rc;
    char *csv = NULL;
    size_t len = 0;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_settlement_csv(c->hub, year, month, &csv, &len, &diag);
    if (err)
        return fail(c->name, err, &diag);
    fwrite(csv, 1, len, stdout);
    free(csv);
    return HUB_EXIT_OK;
}

static int anomalies(admin_cmd *c, int argc, char **argv)
{
    const char *limit_text = NULL;
    admin_opt opts[] = {{"limit", &limit_text, false}, {NULL, NULL, false}};
    if (!parse(c, argc, argv, opts, 0))
        return HUB_EXIT_USAGE;
    long long limit = ADMIN_ANOMALIES_DEFAULT;
    if (limit_text) {
        char *end;
        errno = 0;
        limit = strtoll(limit_text, &end, 10);
        if (errno || *end || end == limit_text || limit < 1 ||
            strlen(limit_text) > ADMIN_INT_TEXT_MAX)
            return usage(c->name, "--limit: '%s' is not a positive number", limit_text);
    }
    int rc = open_hub(c);
    if (rc != HUB_EXIT_OK)
        return rc;
    json_t *list = NULL;
    zc_diag diag = {{0}, 0};
    zc_err err = zc_hub_anomalies(c->hub, NULL, limit, &list, &diag);
    return answer(c->name, err, &diag, json_pack("{s:o}", "anomalies", list));
}

typedef struct admin_command {
    const char *word1, *word2; /* word2 NULL: a one-word command */
    const char *name;
    int (*run)(admin_cmd *c, int argc, char **argv);
    const char *usage;
} admin_command;

static const admin_command COMMANDS[] = {
    {"user", "add", "user add", user_add, "user add NAME --role admin|viewer|canteen:ID"},
    {"canteen", "add", "canteen add", canteen_add,
     "canteen add ID NAME [--region CODE] [--timezone TZ]"},
    {"enrol-code", NULL, "enrol-code", enrol_code, "enrol-code --canteen ID"},
    {"rules", "publish", "rules publish", rules_publish,
     "rules publish RULES.json [--effective-from ISO8601]"},
    {"roster", "import", "roster import", roster_import, "roster import FILE.csv"},
    {"menu", "import", "menu import", menu_import, "menu import --canteen ID FILE.csv"},
    {"report", "day", "report day", report_day,
     "report day --canteen ID --date YYYY-MM-DD [--format json|text|csv]"},
    {"settlement", NULL, "settlement", settlement, "settlement --month YYYY-MM"},
    {"anomalies", NULL, "anomalies", anomalies, "anomalies [--limit N]"},
};
enum { COMMAND_COUNT = sizeof COMMANDS / sizeof COMMANDS[0] };

static void print_usage(FILE *f)
{
    fprintf(f, "usage:\n");
    for (int i = 0; i < COMMAND_COUNT; i++)
        fprintf(f, "  zhucan-hub admin --db DB %s\n", COMMANDS[i].usage);
}

int zc_hubadmin_main(int argc, char **argv)
{
    const char *db = NULL;
    int i = 1;
    /* --db DB comes before the command. */
    while (i < argc && strncmp(argv[i], "--", 2) == 0) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[i + 1];
            i += 2;
        } else if (strncmp(argv[i], "--db=", 5) == 0) {
            db = argv[i] + 5;
            i++;
        } else if (strcmp(argv[i], "--help") == 0) {
            print_usage(stdout);
            return HUB_EXIT_OK;
        } else {
            fprintf(stderr, "zhucan-hub: admin: unknown option %s\n", argv[i]);
            return HUB_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        print_usage(stderr);
        return HUB_EXIT_USAGE;
    }
    const admin_command *cmd = NULL;
    for (int k = 0; k < COMMAND_COUNT && !cmd; k++) {
        const admin_command *m = &COMMANDS[k];
        if (strcmp(argv[i], m->word1) == 0 &&
            (!m->word2 || (i + 1 < argc && strcmp(argv[i + 1], m->word2) == 0)))
            cmd = m;
    }
    if (!cmd) {
        fprintf(stderr, "zhucan-hub: admin: unknown command '%s' (try zhucan-hub admin --help)\n",
                argv[i]);
        return HUB_EXIT_USAGE;
    }
    i += cmd->word2 ? 2 : 1;
    if (!db)
        return usage(cmd->name, "--db is required");
    admin_cmd c = {.name = cmd->name, .db = db};
    int rc = cmd->run(&c, argc - i, argv + i);
    if (c.hub)
        zc_hub_close(c.hub);
    if (fflush(stdout) != 0 && rc == HUB_EXIT_OK)
        rc = fail(cmd->name, ZC_ERR_IO, NULL);
    return rc;
}
