#include "testutil.h"

#include "zc/roster.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Rosters are written as templates: "@1".."@5" and "@9" stand for valid ID numbers made with the
 * check-character function ("@9" ends in X, "@x" is the same number with a lower-case x), "@b" is
 * "@3" with a wrong check character. Every import goes into a real SQLite store on disk.
 */
enum {
    IDS = 10,
    ID_X = 9,
    CSV_MAX = 8192,
    KEY_BYTE = 0x5a,
    SEQ_MAX = 1000,
};

#define HEADER "id_number,name,birth_date,region,categories,status,qr_token,card_uid\n"
#define S16 "abcdefghijklmnop"
#define S64 S16 S16 S16 S16
#define S128 S64 S64

/* Three elders every test starts from. */
static const char BASE[] = HEADER "@1,张三华,,,dibao,active,ZCE1.AAAA,04a1b2c3\n"
                                  "@2,李四,1950-02-03,3202,,suspended,ZCE1.CCCC,\n"
                                  "@9,欧阳娜娜,,,tekun|shineng,active,,DEADBEEF\n";

typedef struct fixture {
    char dir[ZC_TEST_PATH_MAX];
    zc_store *store;
    uint8_t key[ZC_REGION_KEY_LEN];
    char ids[IDS][ZC_IDNUM_LEN + 1];
    char id_lower_x[ZC_IDNUM_LEN + 1];
    char id_bad[ZC_IDNUM_LEN + 1];
} fixture;

/* An ID number with the given region and birth date whose check character is (or is not) X. */
static void make_id(char *out, const char *region, const char *birth, bool want_x)
{
    for (int seq = 0; seq < SEQ_MAX; seq++) {
        snprintf(out, ZC_IDNUM_LEN + 1, "%s%s%03d", region, birth, seq);
        char check = zc_idnum_check_char(out);
        if ((check == 'X') == want_x) {
            out[ZC_IDNUM_LEN - 1] = check;
            out[ZC_IDNUM_LEN] = '\0';
            return;
        }
    }
    fail_msg("no ID number for %s %s", region, birth);
}

static void expand(const fixture *f, const char *tmpl, char *out, size_t size)
{
    size_t used = 0;
    for (const char *p = tmpl; *p; p++) {
        const char *sub = NULL;
        if (p[0] == '@' && p[1] >= '1' && p[1] <= '9')
            sub = f->ids[p[1] - '0'];
        else if (p[0] == '@' && p[1] == 'x')
            sub = f->id_lower_x;
        else if (p[0] == '@' && p[1] == 'b')
            sub = f->id_bad;
        size_t n = sub ? strlen(sub) : 1;
        assert_true(used + n < size);
        memcpy(out + used, sub ? sub : p, n);
        used += n;
        p += sub ? 1 : 0;
    }
    out[used] = '\0';
}

static zc_err import(fixture *f, const char *tmpl, zc_roster_import_stats *stats, zc_diag *diag)
{
    static char csv[CSV_MAX];
    expand(f, tmpl, csv, sizeof csv);
    return zc_roster_import_csv(f->store, f->key, csv, strlen(csv), stats, diag);
}

static void import_ok(fixture *f, const char *tmpl, zc_roster_import_stats *stats)
{
    zc_diag diag = {{0}, 0};
    zc_roster_import_stats local;
    zc_err err = import(f, tmpl, stats ? stats : &local, &diag);
    if (err)
        fail_msg("import failed: %s (%s)", zc_err_str(err), diag.msg);
}

static int64_t count(fixture *f)
{
    int64_t n = -1;
    assert_int_equal(zc_roster_count(f->store, &n, NULL), ZC_OK);
    return n;
}

static int setup(void **state)
{
    static const char *const BIRTHS[IDS] = {"19450101", "19460501", "19470202", "19550710",
                                            "19600101", "19401231", "19410101", "19420101",
                                            "19430101", "19440229"};
    fixture *f = calloc(1, sizeof *f);
    char path[ZC_TEST_PATH_MAX];
    zc_diag diag = {{0}, 0};
    assert_non_null(f);
    zt_mkdtemp(f->dir, sizeof f->dir);
    zt_join(path, sizeof path, f->dir, "kiosk.db");
    if (zc_store_open(path, NULL, &f->store, &diag))
        fail_msg("open: %s", diag.msg);
    memset(f->key, KEY_BYTE, sizeof f->key);
    for (int i = 0; i < IDS; i++)
        make_id(f->ids[i], "320202", BIRTHS[i], i == ID_X);
    memcpy(f->id_lower_x, f->ids[ID_X], sizeof f->id_lower_x);
    f->id_lower_x[ZC_IDNUM_LEN - 1] = 'x';
    memcpy(f->id_bad, f->ids[3], sizeof f->id_bad);
    f->id_bad[ZC_IDNUM_LEN - 1] = f->id_bad[ZC_IDNUM_LEN - 1] == '0' ? '1' : '0';
    import_ok(f, BASE, NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    zc_store_close(f->store);
    zt_rmtree(f->dir);
    free(f);
    return 0;
}

static void expect_elder(fixture *f, const zc_elder *e, const char *name, const char *birth,
                         const char *region, const char *categories, zc_elder_status status)
{
    char text[ZC_DATE_TEXT_LEN + 1];
    zc_elder again;
    (void)f;
    assert_string_equal(e->name, name);
    zc_date_format(e->birth, text);
    assert_string_equal(text, birth);
    assert_string_equal(e->region, region);
    assert_string_equal(e->categories, categories);
    assert_int_equal(e->status, status);
    assert_int_equal(zc_roster_get(f->store, e->id, &again, NULL), ZC_OK);
    assert_string_equal(again.name, name);
}

static void test_import_and_lookups(void **state)
{
    fixture *f = *state;
    zc_elder e, by_qr, by_card;
    zc_diag diag = {{0}, 0};
    assert_int_equal(count(f), 3);

    assert_int_equal(zc_roster_find_by_idnum(f->store, f->key, f->ids[1], &e, NULL), ZC_OK);
    expect_elder(f, &e, "张三华", "1946-05-01", "320202", "dibao", ZC_ELDER_ACTIVE);
    assert_int_equal(zc_roster_find_by_qr(f->store, "ZCE1.AAAA", &by_qr, NULL), ZC_OK);
    assert_int_equal(by_qr.id, e.id);
    assert_int_equal(zc_roster_find_by_card(f->store, "04A1B2C3", &by_card, NULL), ZC_OK);
    assert_int_equal(by_card.id, e.id);
    assert_int_equal(zc_roster_find_by_card(f->store, "04a1B2c3", &by_card, NULL), ZC_OK);
    assert_int_equal(by_card.id, e.id);

    /* An explicit birth date and region win over the ID number's. */
    assert_int_equal(zc_roster_find_by_idnum(f->store, f->key, f->ids[2], &e, NULL), ZC_OK);
    expect_elder(f, &e, "李四", "1950-02-03", "3202", "", ZC_ELDER_SUSPENDED);

    /* A lower-case x finds the elder imported with X, and the other way round. */
    assert_int_equal(zc_roster_find_by_idnum(f->store, f->key, f->id_lower_x, &e, NULL), ZC_OK);
    expect_elder(f, &e, "欧阳娜娜", "1944-02-29", "320202", "tekun|shineng", ZC_ELDER_ACTIVE);
    assert_int_equal(zc_roster_find_by_card(f->store, "deadbeef", &by_card, NULL), ZC_OK);
    assert_int_equal(by_card.id, e.id);

    /* Tokens are exact; unknown keys are not found; a malformed ID number is invalid. */
    assert_int_equal(zc_roster_find_by_qr(f->store, "zce1.aaaa", &e, &diag), ZC_ERR_NOT_FOUND);
    assert_int_equal(zc_roster_find_by_qr(f->store, "", &e, NULL), ZC_ERR_NOT_FOUND);
    assert_int_equal(zc_roster_find_by_card(f->store, "04A1B2C4", &e, NULL), ZC_ERR_NOT_FOUND);
    assert_int_equal(zc_roster_find_by_card(f->store, "", &e, NULL), ZC_ERR_NOT_FOUND);
    assert_int_equal(zc_roster_find_by_card(f->store, S128, &e, NULL), ZC_ERR_NOT_FOUND);
    assert_int_equal(zc_roster_find_by_idnum(f->store, f->key, f->ids[3], &e, NULL),
                     ZC_ERR_NOT_FOUND);
    assert_int_equal(zc_roster_find_by_idnum(f->store, f->key, f->id_bad, &e, &diag),
                     ZC_ERR_INVALID);
    assert_non_null(strstr(diag.msg, "check digit"));
    assert_int_equal(zc_roster_get(f->store, INT64_MAX, &e, NULL), ZC_ERR_NOT_FOUND);

    /* Another region key gives other hashes: nobody is found. */
    uint8_t other[ZC_REGION_KEY_LEN] = {0};
    assert_int_equal(zc_roster_find_by_idnum(f->store, other, f->ids[1], &e, NULL),
                     ZC_ERR_NOT_FOUND);
}

static int64_t max_version(fixture *f)
{
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(zc_store_db(f->store), "SELECT max(version) FROM elder", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void test_reimport_updates(void **state)
{
    fixture *f = *state;
    zc_roster_import_stats stats;
    zc_elder e;
    int64_t version = max_version(f);

    /* The same file again changes nothing, not even a version. */
    import_ok(f, BASE, &stats);
    assert_int_equal(stats.rows, 3);
    assert_int_equal(stats.added, 0);
    assert_int_equal(stats.updated, 3);
    assert_int_equal(max_version(f), version);

    /* Padded header, BOM and CRLF are fine; one elder changes, one is new, others are kept. */
    import_ok(
        f,
        "\xEF\xBB\xBF id_number , name,birth_date,region,categories,status,qr_token, card_uid"
        "\r\n@1,张三丰,1946-05-02,320203,,suspended,,ffee\r\n@3,王五,,,,active,ZCE1.BBBB,\r\n",
        &stats);
    assert_int_equal(stats.rows, 2);
    assert_int_equal(stats.added, 1);
    assert_int_equal(stats.updated, 1);
    assert_int_equal(count(f), 4);
    assert_true(max_version(f) > version);
    assert_int_equal(zc_roster_find_by_idnum(f->store, f->key, f->ids[1], &e, NULL), ZC_OK);
    expect_elder(f, &e, "张三丰", "1946-05-02", "320203", "", ZC_ELDER_SUSPENDED);
    assert_int_equal(zc_roster_find_by_qr(f->store, "ZCE1.AAAA", &e, NULL), ZC_ERR_NOT_FOUND);
    assert_int_equal(zc_roster_find_by_card(f->store, "04A1B2C3", &e, NULL), ZC_ERR_NOT_FOUND);
    assert_int_equal(zc_roster_find_by_card(f->store, "FFEE", &e, NULL), ZC_OK);
    assert_string_equal(e.name, "张三丰");
    assert_int_equal(zc_roster_find_by_qr(f->store, "ZCE1.BBBB", &e, NULL), ZC_OK);
    expect_elder(f, &e, "王五", "1955-07-10", "320202", "", ZC_ELDER_ACTIVE);
    assert_int_equal(zc_roster_find_by_idnum(f->store, f->key, f->ids[2], &e, NULL), ZC_OK);

    /* A token freed earlier in the file can go to someone else further down. */
    import_ok(f, HEADER "@3,王五,,,,active,,\n@4,赵六,,,,active,ZCE1.BBBB,\n", &stats);
    assert_int_equal(zc_roster_find_by_qr(f->store, "ZCE1.BBBB", &e, NULL), ZC_OK);
    assert_string_equal(e.name, "赵六");
}

static int64_t version_of(fixture *f, int64_t id)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(zc_store_db(f->store),
                                        "SELECT version FROM elder WHERE id = ?1", -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, id);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The file states the final roster: tokens move and swap between its elders in any row order. */
static void test_tokens_move_and_swap(void **state)
{
    fixture *f = *state;
    zc_elder e, holder;
    zc_roster_import_stats stats;

    import_ok(f,
              HEADER "@1,张三华,,,dibao,active,ZCE1.CCCC,04a1b2c3\n"
                     "@2,李四,1950-02-03,3202,,suspended,ZCE1.AAAA,\n",
              &stats);
    assert_int_equal(zc_roster_find_by_qr(f->store, "ZCE1.AAAA", &e, NULL), ZC_OK);
    assert_string_equal(e.name, "李四");
    assert_int_equal(zc_roster_find_by_qr(f->store, "ZCE1.CCCC", &e, NULL), ZC_OK);
    assert_string_equal(e.name, "张三华");

    /* The new holder comes first in the file, the old one gives the card up further down. */
    assert_int_equal(zc_roster_find_by_card(f->store, "DEADBEEF", &holder, NULL), ZC_OK);
    import_ok(f, HEADER "@3,王五,,,,active,,deadbeef\n@9,欧阳娜娜,,,tekun|shineng,active,,\n",
              &stats);
    assert_int_equal(stats.added, 1);
    assert_int_equal(zc_roster_find_by_card(f->store, "DEADBEEF", &e, NULL), ZC_OK);
    assert_string_equal(e.name, "王五");
    assert_int_equal(version_of(f, holder.id), max_version(f));
    assert_int_equal(zc_roster_get(f->store, holder.id, &e, NULL), ZC_OK);
    assert_string_equal(e.name, "欧阳娜娜");
    assert_int_equal(count(f), 4);
}

static void test_header_only(void **state)
{
    fixture *f = *state;
    zc_roster_import_stats stats;
    /* A header alone is an empty import. */
    import_ok(f, HEADER, &stats);
    assert_int_equal(stats.rows, 0);
}

/*
 * Every bad file starts with a new elder (line 2) and a change to @1 (line 3): after the refusal
 * neither may show, and the roster must be exactly as before.
 */
typedef struct bad_case {
    const char *rows;
    long line;
    const char *msg; /* start of the message, after "line N: " */
} bad_case;

#define PRELUDE HEADER "@5,新人,,,,active,ZCE1.NEW,\n@1,改名,,,,active,,\n"

static const bad_case BAD[] = {
    {"@3,王五,,,,active,\n", 4, "has 7 columns, expected 8"},
    {"@3,王五,,,,active,,,\n", 4, "has 9 columns, expected 8"},
    {"@b,王五,,,,active,,\n", 4, "id_number: ID number check digit is wrong (expected"},
    {"320202194601013,王五,,,,active,,\n", 4, "id_number: 15-digit"},
    {",王五,,,,active,,\n", 4, "id_number: ID number must be 18"},
    {"3.20202E+17,王五,,,,active,,\n", 4, "id_number: ID number must be 18"},
    {"@3,,,,,active,,\n", 4, "name: empty"},
    {"@3," S128 ",,,,active,,\n", 4, "name: longer than 127 bytes"},
    {"@3,\"王\n五\",,,,active,,\n", 4, "name: contains a control character"},
    {"@3,王\xff五,,,,active,,\n", 4, "invalid UTF-8"},
    {"@3,王五,1950-02-30,,,active,,\n", 4, "birth_date: "},
    {"@3,王五,19500203,,,active,,\n", 4, "birth_date: "},
    {"@3,王五,,1,,active,,\n", 4, "region: \"1\" is not 2 to 12 digits"},
    {"@3,王五,,3202020000001,,active,,\n", 4, "region: "},
    {"@3,王五,,32a2,,active,,\n", 4, "region: "},
    {"@3,王五,,,Dibao,active,,\n", 4, "categories: \"Dibao\" is not a category id"},
    {"@3,王五,,,dibao||tekun,active,,\n", 4, "categories: empty category id"},
    {"@3,王五,,,dibao|,active,,\n", 4, "categories: empty category id"},
    {"@3,王五,,,di bao,active,,\n", 4, "categories: \"di bao\" is not"},
    {"@3,王五,,,dibao|tekun|dibao,active,,\n", 4, "categories: \"dibao\" is listed twice"},
    {"@3,王五,,,dibao|" S64 ",active,,\n", 4, "categories: a category id is longer than 63"},
    {"@3,王五,,,,Active,,\n", 4, "status: \"Active\" is neither"},
    {"@3,王五,,,,,,\n", 4, "status: \"\" is neither"},
    {"\n\n@3,王五,,,,deleted,,\n", 6, "status: \"deleted\""},
    {"@3,\"王五\",,,,\"active\",\"ZCE1 X\",\n", 4, "qr_token: only printable ASCII"},
    {"@3,王五,,,,active," S128 ",\n", 4, "qr_token: longer than 127 bytes"},
    {"@3,王五,,,,active,,卡1\n", 4, "card_uid: only printable ASCII"},
    {"@3,王五,,,,active,,\n@3,王五,,,,active,,\n", 5, "id_number: same ID number as on line 4"},
    {"@9,甲,,,,active,,\n@x,乙,,,,active,,\n", 5, "id_number: same ID number as on line 4"},
    {"@3,甲,,,,active,ZCE1.Q,\n@4,乙,,,,active,ZCE1.Q,\n", 5,
     "qr_token: same QR token as on line 4"},
    {"@3,甲,,,,active,,abc\n@4,乙,,,,active,,ABC\n", 5, "card_uid: same card UID as on line 4"},
    {"@3,甲,,,,active,,\n@4,乙,,,,active,ZCE1.NEW,\n", 5, "qr_token: same QR token as on line 2"},
    {"@3,王五,,,,active,ZCE1.CCCC,\n", 4, "qr_token: already belongs to another elder"},
    {"@3,王五,,,,active,,DeadBeef\n", 4, "card_uid: already belongs to another elder"},
    /* A holder the file does not mention keeps the token, wherever the taker is in the file. */
    {"@3,甲,,,,active,,\n@4,乙,,,,active,,\n@6,丙,,,,active,ZCE1.CCCC,\n", 6,
     "qr_token: already belongs"},
    {"@3,甲,,,,active,,deadbeef\n@4,乙,,,,active,ZCE1.CCCC,\n", 4, "card_uid: already belongs"},
    {"@3,甲,,,,active,ZCE1.CCCC,\n@4,乙,,,,active,,deadbeef\n", 4, "qr_token: already belongs"},
    /* The first bad line is reported, whichever check finds it. */
    {"@3,甲,,,,active,,\n@3,甲,,,,active,,\n@4,乙,,,,bad,,\n", 5, "id_number: same ID number"},
    {"@3,甲,,,,bad,,\n@1,甲,,,,active,,\n", 4, "status: "},
    /* CSV errors carry their own line, also after a field spanning lines. */
    {"@3,\"王五\",,,,active,,\n@4,\"open,,,,active,,\n", 5, "quoted field is never closed"},
    {"@3,\"王\"五,,,,active,,\n", 4, "text after the closing quote"},
};

static void test_bad_rows_refuse_file(void **state)
{
    fixture *f = *state;
    static char tmpl[CSV_MAX];
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        const bad_case *c = &BAD[i];
        zc_diag diag = {{0}, 0};
        zc_roster_import_stats stats = {0, 0, 0};
        zc_elder e;
        char expect[ZC_DIAG_MAX];
        snprintf(tmpl, sizeof tmpl, "%s%s", PRELUDE, c->rows);
        snprintf(expect, sizeof expect, "line %ld: %s", c->line, c->msg);
        zc_err err = import(f, tmpl, &stats, &diag);
        if (err != ZC_ERR_INVALID || diag.line != c->line ||
            strncmp(diag.msg, expect, strlen(expect)) != 0)
            fail_msg("case %zu: got %s, line %ld, \"%s\"; expected \"%s\"", i, zc_err_str(err),
                     diag.line, diag.msg, expect);
        assert_int_equal(count(f), 3);
        assert_int_equal(zc_roster_find_by_qr(f->store, "ZCE1.NEW", &e, NULL), ZC_ERR_NOT_FOUND);
        assert_int_equal(zc_roster_find_by_idnum(f->store, f->key, f->ids[1], &e, NULL), ZC_OK);
        assert_string_equal(e.name, "张三华");
    }
    /* The store is still usable after all those rollbacks. */
    import_ok(f, PRELUDE, NULL);
    assert_int_equal(count(f), 4);
}

static void test_excel_number_advice(void **state)
{
    fixture *f = *state;
    zc_diag diag = {{0}, 0};
    assert_int_equal(import(f, HEADER "3.20202E+17,王五,,,,active,,\n", NULL, &diag),
                     ZC_ERR_INVALID);
    assert_non_null(strstr(diag.msg, "format the column as text"));
    assert_int_equal(import(f, HEADER "12345,王五,,,,active,,\n", NULL, &diag), ZC_ERR_INVALID);
    assert_null(strstr(diag.msg, "format the column as text"));
}

typedef struct header_case {
    const char *csv;
    const char *msg;
} header_case;

static const header_case BAD_HEADERS[] = {
    {"", "line 1: header: missing; expected id_number,name,"},
    {"\n\n", "line 1: header: missing"},
    {"id_number,name,birth_date,region,categories,status,qr_token\n", "line 1: header: expected"},
    {"ID_NUMBER,name,birth_date,region,categories,status,qr_token,card_uid\n",
     "line 1: header: column 1 is \"ID_NUMBER\", expected \"id_number\""},
    {"id_number,name,birth,region,categories,status,qr_token,card_uid\n",
     "line 1: header: column 3 is \"birth\""},
    {"@1,张三华,,,dibao,active,ZCE1.AAAA,04a1b2c3\n", "line 1: header: column 1"},
    {"\"id_number,name,birth_date\n", "line 1: quoted field is never closed"},
};

static void test_bad_headers(void **state)
{
    fixture *f = *state;
    for (size_t i = 0; i < sizeof BAD_HEADERS / sizeof BAD_HEADERS[0]; i++) {
        zc_diag diag = {{0}, 0};
        zc_err err = import(f, BAD_HEADERS[i].csv, NULL, &diag);
        if (err != ZC_ERR_INVALID || diag.line != 1 ||
            strncmp(diag.msg, BAD_HEADERS[i].msg, strlen(BAD_HEADERS[i].msg)) != 0)
            fail_msg("header case %zu: got %s \"%s\"", i, zc_err_str(err), diag.msg);
        assert_int_equal(count(f), 3);
    }
    /* A NULL diag is allowed. */
    assert_int_equal(import(f, "", NULL, NULL), ZC_ERR_INVALID);
}

typedef struct mask_case {
    const char *name;
    const char *masked;
} mask_case;

static const mask_case MASKS[] = {
    {"", ""},
    {"张", "张"},
    {"张三", "张*"},
    {"张三华", "张*华"},
    {"欧阳娜娜", "欧**娜"},
    {"买买提·艾力", "买****力"},
    {"Li", "L*"},
    {"Wang Fang", "W*******g"},
    {"𠀀𠀁𠀂", "𠀀*𠀂"},
    {"\xff\xfe", "\xff*"},
    {"张\xe4", "张*"},
};

static void test_mask_name(void **state)
{
    (void)state;
    char buf[ZC_NAME_MAX];
    for (size_t i = 0; i < sizeof MASKS / sizeof MASKS[0]; i++) {
        zc_roster_mask_name(MASKS[i].name, buf, sizeof buf);
        if (strcmp(buf, MASKS[i].masked) != 0)
            fail_msg("mask \"%s\": \"%s\", expected \"%s\"", MASKS[i].name, buf, MASKS[i].masked);
    }
    /* A small buffer cuts between characters, never inside one. */
    char small[5];
    zc_roster_mask_name("张三华", small, sizeof small);
    assert_string_equal(small, "张*");
    zc_roster_mask_name("张三华", small, 3);
    assert_string_equal(small, "");
    zc_roster_mask_name("张三华", small, 0);
}

/* ---- zc_roster_parse_csv: the import's checks without a store ---- */

typedef struct collected {
    zc_roster_entry v[IDS];
    size_t n;
    size_t stop_at; /* refuse the entry with this index (SIZE_MAX: none) */
} collected;

static zc_err collect(void *ctx, const zc_roster_entry *e, zc_diag *diag)
{
    collected *c = ctx;
    if (c->n == c->stop_at)
        return zc_diag_set(diag, ZC_ERR_EXISTS, "stopped at line %ld", e->line);
    assert_true(c->n < IDS);
    c->v[c->n++] = *e;
    return ZC_OK;
}

static zc_err parse(fixture *f, const char *tmpl, collected *c, zc_diag *diag)
{
    static char csv[CSV_MAX];
    expand(f, tmpl, csv, sizeof csv);
    return zc_roster_parse_csv(f->key, csv, strlen(csv), collect, c, diag);
}

static void test_parse_gives_entries(void **state)
{
    fixture *f = *state;
    collected c = {.stop_at = SIZE_MAX};
    zc_diag diag = {{0}, 0};
    uint8_t hash[ZC_HASH_LEN];
    zc_elder e;
    char birth[ZC_DATE_TEXT_LEN + 1];
    if (parse(f, BASE, &c, &diag))
        fail_msg("parse: %s", diag.msg);
    assert_int_equal(c.n, 3);
    /* File order, lines, and the same values the import stored. */
    assert_int_equal(c.v[0].line, 2);
    assert_int_equal(c.v[2].line, 4);
    assert_string_equal(c.v[0].name, "张三华");
    assert_string_equal(c.v[0].region, "320202");
    assert_string_equal(c.v[0].categories, "dibao");
    assert_int_equal(c.v[1].status, ZC_ELDER_SUSPENDED);
    zc_date_format(c.v[1].birth, birth);
    assert_string_equal(birth, "1950-02-03");
    assert_string_equal(c.v[1].region, "3202");
    assert_true(c.v[0].has_qr && c.v[0].has_card);
    assert_string_equal(c.v[0].qr_token, "ZCE1.AAAA");
    assert_string_equal(c.v[0].card_uid, "04A1B2C3"); /* normalised */
    assert_false(c.v[2].has_qr);
    assert_string_equal(c.v[2].qr_token, "");
    zc_roster_qr_hash("ZCE1.AAAA", hash);
    assert_memory_equal(c.v[0].qr_hash, hash, ZC_HASH_LEN);
    assert_int_equal(zc_roster_card_hash("deadbeef", hash, NULL), ZC_OK);
    assert_memory_equal(c.v[2].card_hash, hash, ZC_HASH_LEN);
    /* The HMAC finds the imported elder. */
    assert_int_equal(zc_roster_find_by_idnum(f->store, f->key, f->ids[9], &e, NULL), ZC_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(zc_store_db(f->store),
                                        "SELECT count(*) FROM elder WHERE id_hmac = ?1", -1, &st,
                                        NULL),
                     SQLITE_OK);
    sqlite3_bind_blob(st, 1, c.v[2].id_hmac, ZC_HASH_LEN, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    /* The callback's error stops the walk and comes back as it was. */
    collected stop = {.stop_at = 1};
    assert_int_equal(parse(f, BASE, &stop, &diag), ZC_ERR_EXISTS);
    assert_int_equal(stop.n, 1);
    assert_string_equal(diag.msg, "stopped at line 3");
}

/* Every bad file the import refuses, parse refuses with the same words, save the store's own. */
static void test_parse_same_errors_as_import(void **state)
{
    fixture *f = *state;
    static char tmpl[CSV_MAX];
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        zc_diag by_import = {{0}, 0}, by_parse = {{0}, 0};
        collected c = {.stop_at = SIZE_MAX};
        snprintf(tmpl, sizeof tmpl, "%s%s", PRELUDE, BAD[i].rows);
        zc_err import_err = import(f, tmpl, NULL, &by_import);
        zc_err parse_err = parse(f, tmpl, &c, &by_parse);
        assert_int_equal(import_err, ZC_ERR_INVALID);
        if (strstr(by_import.msg, "already belongs")) {
            /* Only the stored roster makes these wrong; parse has none. */
            if (parse_err)
                fail_msg("case %zu: parse refused \"%s\"", i, by_parse.msg);
            continue;
        }
        if (parse_err != ZC_ERR_INVALID || by_parse.line != by_import.line ||
            strcmp(by_parse.msg, by_import.msg) != 0)
            fail_msg("case %zu: import \"%s\", parse \"%s\"", i, by_import.msg, by_parse.msg);
        assert_int_equal(c.n, 0); /* nothing handed over from a bad file */
    }
    for (size_t i = 0; i < sizeof BAD_HEADERS / sizeof BAD_HEADERS[0]; i++) {
        zc_diag by_import = {{0}, 0}, by_parse = {{0}, 0};
        collected c = {.stop_at = SIZE_MAX};
        assert_int_equal(import(f, BAD_HEADERS[i].csv, NULL, &by_import), ZC_ERR_INVALID);
        assert_int_equal(parse(f, BAD_HEADERS[i].csv, &c, &by_parse), ZC_ERR_INVALID);
        assert_string_equal(by_parse.msg, by_import.msg);
    }
}

static void test_qr_token_format(void **state)
{
    char a[ZC_ROSTER_QR_TOKEN_LEN + 1], b[ZC_ROSTER_QR_TOKEN_LEN + 1];
    (void)state;
    zc_roster_qr_token_new(a);
    zc_roster_qr_token_new(b);
    assert_int_equal(strlen(a), ZC_ROSTER_QR_TOKEN_LEN);
    assert_memory_equal(a, "ZCE1.", 5);
    for (size_t i = 5; i < ZC_ROSTER_QR_TOKEN_LEN; i++)
        if (!((a[i] >= 'A' && a[i] <= 'Z') || (a[i] >= '2' && a[i] <= '7')))
            fail_msg("token %s: '%c' is not RFC 4648 base32", a, a[i]);
    /* 128 bits in 26 digits leave 2 bits of padding: the last digit's low bits are zero. */
    assert_int_equal((strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", a[ZC_ROSTER_QR_TOKEN_LEN - 1]) -
                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") &
                         0x3,
                     0);
    assert_string_not_equal(a, b);
}

typedef struct card_case {
    const char *uid;
    zc_err err;
    const char *same_as; /* a UID that must hash the same, or NULL */
} card_case;

static const card_case CARDS[] = {
    {"04a1b2c3", ZC_OK, "04A1B2C3"},
    {"DeadBeef", ZC_OK, "DEADBEEF"},
    {"", ZC_ERR_INVALID, NULL},
    {S128, ZC_ERR_INVALID, NULL},
};

static void test_token_hashes(void **state)
{
    uint8_t got[ZC_HASH_LEN], want[ZC_HASH_LEN];
    (void)state;
    /* A QR token is hashed as written, with SHA-256. */
    zc_roster_qr_hash("ZCE1.AAAA", got);
    crypto_hash_sha256(want, (const unsigned char *)"ZCE1.AAAA", 9);
    assert_memory_equal(got, want, ZC_HASH_LEN);
    zc_roster_qr_hash("zce1.aaaa", want);
    assert_memory_not_equal(got, want, ZC_HASH_LEN);
    for (size_t i = 0; i < sizeof CARDS / sizeof CARDS[0]; i++) {
        zc_diag diag = {{0}, 0};
        assert_int_equal(zc_roster_card_hash(CARDS[i].uid, got, &diag), CARDS[i].err);
        if (!CARDS[i].same_as)
            continue;
        crypto_hash_sha256(want, (const unsigned char *)CARDS[i].same_as, strlen(CARDS[i].same_as));
        assert_memory_equal(got, want, ZC_HASH_LEN);
    }
}

typedef struct fields_case {
    const char *name, *region, *categories, *status;
    const char *msg; /* NULL: valid */
} fields_case;

static const fields_case FIELDS[] = {
    {"张三", "320202", "dibao|tekun", "active", NULL},
    {"张三", "32", "", "suspended", NULL},
    {"", "320202", "", "active", "name: empty"},
    {S128, "320202", "", "active", "name: longer than 127 bytes"},
    {"张\t三", "320202", "", "active", "name: contains a control character"},
    {"张三", "", "", "active", "region: \"\" is not 2 to 12 digits"},
    {"张三", "32a2", "", "active", "region: \"32a2\" is not"},
    {"张三", "320202", "Dibao", "active", "categories: \"Dibao\" is not a category id"},
    {"张三", "320202", "dibao|dibao", "active", "categories: \"dibao\" is listed twice"},
    {"张三", "320202", "", "deleted", "status: \"deleted\" is neither active nor suspended"},
};

/* The checks JSON rows get are the CSV rows' checks, without the line. */
static void test_check_fields(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof FIELDS / sizeof FIELDS[0]; i++) {
        const fields_case *c = &FIELDS[i];
        zc_diag diag = {{0}, 0};
        zc_elder_status status = ZC_ELDER_ACTIVE;
        zc_err err =
            zc_roster_check_fields(c->name, c->region, c->categories, c->status, &status, &diag);
        if (!c->msg) {
            assert_int_equal(err, ZC_OK);
            assert_string_equal(zc_roster_status_name(status), c->status);
            continue;
        }
        if (err != ZC_ERR_INVALID || strncmp(diag.msg, c->msg, strlen(c->msg)) != 0)
            fail_msg("fields case %zu: got %s \"%s\", expected \"%s\"", i, zc_err_str(err),
                     diag.msg, c->msg);
        assert_int_equal(diag.line, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_import_and_lookups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reimport_updates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens_move_and_swap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_rows_refuse_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_excel_number_advice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_headers, setup, teardown),
        cmocka_unit_test(test_mask_name),
        cmocka_unit_test_setup_teardown(test_parse_gives_entries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_same_errors_as_import, setup, teardown),
        cmocka_unit_test(test_qr_token_format),
        cmocka_unit_test(test_token_hashes),
        cmocka_unit_test(test_check_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
