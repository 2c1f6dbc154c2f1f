/*
 * Menu import: a file replaces the whole menu or changes nothing; lookups, listing and the period
 * filter. Every import goes into a real SQLite store on disk.
 */
#include "testutil.h"

#include "zc/menu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CSV_MAX = 64 * 1024, BASE_ITEMS = 4 };

#define HEADER "code,name,price_fen,periods\n"
#define S16 "abcdefghijklmnop"
#define S128 S16 S16 S16 S16 S16 S16 S16 S16

/* The menu every test starts from. */
static const char BASE[] = HEADER "B01,馒头+白粥,800,breakfast\n"
                                  "L01,两荤一素,1500,lunch|dinner\n"
                                  "D01,\"馄饨, 小碗\",1100,dinner\n"
                                  "A01,青菜汤面,800,\n";

typedef struct fixture {
    char dir[ZC_TEST_PATH_MAX];
    zc_store *store;
} fixture;

static zc_err import(fixture *f, const char *csv, zc_menu_import_stats *stats, zc_diag *diag)
{
    return zc_menu_import_csv(f->store, csv, strlen(csv), stats, diag);
}

static void import_ok(fixture *f, const char *csv, zc_menu_import_stats *stats)
{
    zc_diag diag = {{0}, 0};
    zc_menu_import_stats local;
    zc_err err = import(f, csv, stats ? stats : &local, &diag);
    if (err)
        fail_msg("import failed: %s (%s)", zc_err_str(err), diag.msg);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char path[ZC_TEST_PATH_MAX];
    zc_diag diag = {{0}, 0};
    assert_non_null(f);
    zt_mkdtemp(f->dir, sizeof f->dir);
    zt_join(path, sizeof path, f->dir, "kiosk.db");
    if (zc_store_open(path, NULL, &f->store, &diag))
        fail_msg("open: %s", diag.msg);
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

/* The menu as one line of text, "CODE=NAME/PRICE/PERIODS;..." in code order, for comparisons. */
static void snapshot(fixture *f, char *buf, size_t size)
{
    zc_menu_item *items;
    size_t n, used = 0;
    assert_int_equal(zc_menu_list(f->store, &items, &n, NULL), ZC_OK);
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(buf + used, size - used, "%s=%s/%lld/%s;", items[i].code, items[i].name,
                         (long long)items[i].price, items[i].periods);
        assert_true(w > 0 && (size_t)w < size - used);
        used += (size_t)w;
    }
    free(items);
}

static size_t count(fixture *f)
{
    zc_menu_item *items;
    size_t n;
    assert_int_equal(zc_menu_list(f->store, &items, &n, NULL), ZC_OK);
    free(items);
    return n;
}

static void test_import_get_list(void **state)
{
    fixture *f = *state;
    zc_menu_item item, *items;
    zc_menu_import_stats stats;
    zc_diag diag = {{0}, 0};
    size_t n;

    /* The same file again: every code known, nothing removed. */
    import_ok(f, BASE, &stats);
    assert_int_equal(stats.rows, BASE_ITEMS);
    assert_int_equal(stats.added, 0);
    assert_int_equal(stats.updated, BASE_ITEMS);
    assert_int_equal(stats.removed, 0);

    assert_int_equal(zc_menu_get(f->store, "D01", &item, &diag), ZC_OK);
    assert_string_equal(item.code, "D01");
    assert_string_equal(item.name, "馄饨, 小碗");
    assert_int_equal(item.price, 1100);
    assert_string_equal(item.periods, "dinner");
    assert_int_equal(zc_menu_get(f->store, "A01", &item, NULL), ZC_OK);
    assert_string_equal(item.periods, "");

    /* Codes are exact in lookups. */
    assert_int_equal(zc_menu_get(f->store, "d01", &item, &diag), ZC_ERR_NOT_FOUND);
    assert_string_equal(diag.msg, "no menu item d01");
    assert_int_equal(zc_menu_get(f->store, "X99", &item, &diag), ZC_ERR_NOT_FOUND);
    assert_string_equal(diag.msg, "no menu item X99");
    assert_int_equal(zc_menu_get(f->store, "", &item, &diag), ZC_ERR_NOT_FOUND);
    assert_int_equal(zc_menu_get(f->store, "B01 ", &item, &diag), ZC_ERR_NOT_FOUND);
    assert_int_equal(zc_menu_get(f->store, "B01' OR '1'='1", &item, &diag), ZC_ERR_NOT_FOUND);
    assert_int_equal(zc_menu_get(f->store, S128, &item, &diag), ZC_ERR_NOT_FOUND);
    assert_non_null(strstr(diag.msg, "no menu item with that code"));

    /* Listed in code order. */
    assert_int_equal(zc_menu_list(f->store, &items, &n, &diag), ZC_OK);
    assert_int_equal(n, BASE_ITEMS);
    assert_string_equal(items[0].code, "A01");
    assert_string_equal(items[1].code, "B01");
    assert_string_equal(items[2].code, "D01");
    assert_string_equal(items[3].code, "L01");
    assert_string_equal(items[3].name, "两荤一素");
    assert_int_equal(items[3].price, 1500);
    assert_string_equal(items[3].periods, "lunch|dinner");

    /* What the kiosk shows in each period. */
    static const struct {
        const char *period;
        const char *codes;
    } SHOWN[] = {
        {"breakfast", "A01 B01 "}, {"lunch", "A01 L01 "}, {"dinner", "A01 D01 L01 "},
        {"snack", "A01 "},         {"", "A01 "},
    };
    for (size_t p = 0; p < sizeof SHOWN / sizeof SHOWN[0]; p++) {
        char shown[CSV_MAX] = "";
        size_t used = 0;
        for (size_t i = 0; i < n; i++)
            if (zc_menu_item_in_period(&items[i], SHOWN[p].period))
                used += (size_t)snprintf(shown + used, sizeof shown - used, "%s ", items[i].code);
        assert_string_equal(shown, SHOWN[p].codes);
    }
    assert_true(zc_menu_item_in_period(&items[0], NULL));
    assert_false(zc_menu_item_in_period(&items[1], NULL));
    free(items);
}

static void test_reimport_replaces(void **state)
{
    fixture *f = *state;
    zc_menu_item item;
    zc_menu_import_stats stats;
    zc_diag diag = {{0}, 0};

    /* BOM, CRLF and a padded header; B01 changes, X01 is new, the others are gone. */
    import_ok(f,
              "\xEF\xBB\xBF code , name,price_fen, periods \r\n"
              "B01,馒头套餐,0900,breakfast|lunch\r\nX01,素三鲜饺子,1200,\r\n",
              &stats);
    assert_int_equal(stats.rows, 2);
    assert_int_equal(stats.added, 1);
    assert_int_equal(stats.updated, 1);
    assert_int_equal(stats.removed, 3);
    assert_int_equal(count(f), 2);
    assert_int_equal(zc_menu_get(f->store, "B01", &item, NULL), ZC_OK);
    assert_string_equal(item.name, "馒头套餐");
    assert_int_equal(item.price, 900);
    assert_string_equal(item.periods, "breakfast|lunch");
    assert_int_equal(zc_menu_get(f->store, "L01", &item, &diag), ZC_ERR_NOT_FOUND);
    assert_string_equal(diag.msg, "no menu item L01");
    assert_int_equal(zc_menu_get(f->store, "X01", &item, NULL), ZC_OK);

    /* Limits are inclusive: three distinct period ids of 63 letters each. */
    static const char letters[] = S128;
    char csv[CSV_MAX];
    snprintf(csv, sizeof csv,
             HEADER "%s,%.127s,100000000,%.63s|%.63s|%.63s|b\n"
                    "Zz_-0,\"名\"\"称\",0,\n",
             S16 S16, letters, letters, &letters[1], &letters[2]);
    import_ok(f, csv, &stats);
    assert_int_equal(stats.rows, 2);
    assert_int_equal(stats.removed, 2);
    assert_int_equal(zc_menu_get(f->store, S16 S16, &item, NULL), ZC_OK);
    assert_int_equal(strlen(item.name), ZC_MENU_NAME_MAX - 1);
    assert_int_equal(item.price, ZC_MENU_PRICE_MAX);
    assert_int_equal(strlen(item.periods), 3 * 64 + 1);
    assert_int_equal(zc_menu_get(f->store, "Zz_-0", &item, NULL), ZC_OK);
    assert_string_equal(item.name, "名\"称");
    assert_int_equal(item.price, 0);
}

static void test_header_only_empties(void **state)
{
    fixture *f = *state;
    zc_menu_import_stats stats;
    zc_menu_item sentinel, *items = &sentinel;
    size_t n = 1;
    import_ok(f, HEADER, &stats);
    assert_int_equal(stats.rows, 0);
    assert_int_equal(stats.removed, BASE_ITEMS);
    assert_int_equal(zc_menu_list(f->store, &items, &n, NULL), ZC_OK);
    assert_null(items);
    assert_int_equal(n, 0);
    import_ok(f, "code,name,price_fen,periods", &stats);
    assert_int_equal(stats.removed, 0);
}

static void test_item_limit(void **state)
{
    fixture *f = *state;
    char *csv = malloc(CSV_MAX);
    size_t used = 0;
    zc_diag diag = {{0}, 0};
    assert_non_null(csv);
    used += (size_t)snprintf(csv, CSV_MAX, HEADER);
    for (int i = 0; i < ZC_MENU_ITEMS_MAX; i++)
        used += (size_t)snprintf(csv + used, CSV_MAX - used, "I%04d,饭,%d,lunch\n", i, i);
    zc_menu_import_stats stats;
    assert_int_equal(zc_menu_import_csv(f->store, csv, used, &stats, &diag), ZC_OK);
    assert_int_equal(stats.rows, ZC_MENU_ITEMS_MAX);
    assert_int_equal(count(f), ZC_MENU_ITEMS_MAX);
    snprintf(csv + used, CSV_MAX - used, "I9999,饭,1,\n");
    assert_int_equal(import(f, csv, NULL, &diag), ZC_ERR_INVALID);
    assert_string_equal(diag.msg, "line 1002: a menu holds at most 1000 items");
    assert_int_equal(diag.line, 1002);
    assert_int_equal(count(f), ZC_MENU_ITEMS_MAX);
    free(csv);
}

/*
 * Every bad file starts with a new item (line 2) and a change to B01 (line 3): after the refusal
 * neither may show, and the menu must be exactly as before.
 */
typedef struct bad_case {
    const char *rows;
    long line;
    const char *msg; /* the message after "line N: " */
} bad_case;

#define PRELUDE HEADER "N01,新菜,1000,lunch\nB01,改名,1,\n"

static const bad_case BAD[] = {
    {"X01,饭,100\n", 4, "has 3 columns, expected 4"},
    {"X01,饭,100,,\n", 4, "has 5 columns, expected 4"},
    {"X01\n", 4, "has 1 columns, expected 4"},
    {",饭,100,\n", 4, "code: empty"},
    {S16 S16 "Q,饭,100,\n", 4, "code: longer than 32 characters"},
    {"X 01,饭,100,\n", 4, "code: \"X 01\" may hold only A-Z a-z 0-9 _ -"},
    {"X.01,饭,100,\n", 4, "code: \"X.01\" may hold only A-Z a-z 0-9 _ -"},
    {"菜1,饭,100,\n", 4, "code: \"菜1\" may hold only A-Z a-z 0-9 _ -"},
    {"X01,饭,100,\nX01,面,200,\n", 5, "code: same code as on line 4 (\"X01\")"},
    {"X01,饭,100,\nx01,面,200,\n", 5, "code: same code as on line 4 (\"X01\")"},
    {"n01,饭,100,\n", 4, "code: same code as on line 2 (\"N01\")"},
    {"X01,,100,\n", 4, "name: empty"},
    {"X01,   ,100,\n", 4, "name: blank"},
    {"X01," S128 ",100,\n", 4, "name: longer than 127 bytes"},
    {"X01,\"米\n饭\",100,\n", 4, "name: contains a control character"},
    {"X01,米\t饭,100,\n", 4, "name: contains a control character"},
    {"X01,米\xc2\x85饭,100,\n", 4, "name: contains a control character"},
    {"X01,米\x7f,100,\n", 4, "name: contains a control character"},
    {"X01,米\xff饭,100,\n", 4, "invalid UTF-8"},
    {"X01,饭,12.50,\n", 4,
     "price_fen: \"12.50\": price_fen is a whole number of fen, e.g. 1250 for ¥12.50"},
    {"X01,饭,,\n", 4, "price_fen: empty: price_fen is a whole number of fen, e.g. 1250 for ¥12.50"},
    {"X01,饭,¥12,\n", 4, "price_fen: \"¥12\": price_fen is a whole number of fen"},
    {"X01,饭,-100,\n", 4, "price_fen: \"-100\": price_fen is a whole number of fen"},
    {"X01,饭,+100,\n", 4, "price_fen: \"+100\": price_fen is a whole number of fen"},
    {"X01,饭, 100,\n", 4, "price_fen: \" 100\": price_fen is a whole number of fen"},
    {"X01,饭,\"1,250\",\n", 4, "price_fen: \"1,250\": price_fen is a whole number of fen"},
    {"X01,饭,1e3,\n", 4, "price_fen: \"1e3\": price_fen is a whole number of fen"},
    {"X01,饭,100000001,\n", 4, "price_fen: 100000001 is more than 100000000 (¥1000000.00)"},
    {"X01,饭,99999999999999999999999,\n", 4, "price_fen: 99999999999999999999999 is more than"},
    {"X01,饭,100,Lunch\n", 4,
     "periods: \"Lunch\" is not a period id (lower-case letters, digits, _)"},
    {"X01,饭,100,lunch dinner\n", 4, "periods: \"lunch dinner\" is not a period id"},
    {"X01,饭,100,lunch,dinner\n", 4, "has 5 columns, expected 4"},
    {"X01,饭,100,lunch||dinner\n", 4, "periods: empty period id (\"lunch||dinner\")"},
    {"X01,饭,100,|lunch\n", 4, "periods: empty period id"},
    {"X01,饭,100,lunch|\n", 4, "periods: empty period id"},
    {"X01,饭,100,lunch|dinner|lunch\n", 4, "periods: \"lunch\" is listed twice"},
    {"X01,饭,100," S16 S16 S16 S16 "\n", 4, "periods: a period id is longer than 63 bytes"},
    {"X01,饭,100," S128 "|" S128 "\n", 4, "periods: longer than 255 bytes"},
    /* The first bad line is reported; blank lines still count. */
    {"\n\nX01,饭,abc,\nX02,,100,\n", 6, "price_fen: \"abc\""},
    {"X01,饭,100,\nX01,饭,100,\nX02,,1,\n", 5, "code: same code as on line 4"},
    {"X01,饭,100,\nX01,饭,abc,\n", 5, "price_fen: \"abc\""}, /* its own fault first */
    /* CSV errors carry their own line, also after a field spanning lines. */
    {"X01,\"饭\",100,\nX02,\"open,100,\n", 5, "quoted field is never closed"},
    {"X01,\"饭\"菜,100,\n", 4, "text after the closing quote"},
};

static void test_bad_rows_refuse_file(void **state)
{
    fixture *f = *state;
    static char csv[CSV_MAX];
    char before[CSV_MAX], after[CSV_MAX];
    snapshot(f, before, sizeof before);
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        const bad_case *c = &BAD[i];
        zc_diag diag = {{0}, 0};
        zc_menu_import_stats stats = {-1, -1, -1, -1};
        char expect[ZC_DIAG_MAX];
        snprintf(csv, sizeof csv, "%s%s", PRELUDE, c->rows);
        snprintf(expect, sizeof expect, "line %ld: %s", c->line, c->msg);
        zc_err err = import(f, csv, &stats, &diag);
        if (err != ZC_ERR_INVALID || diag.line != c->line ||
            strncmp(diag.msg, expect, strlen(expect)) != 0)
            fail_msg("case %zu: got %s, line %ld, \"%s\"; expected \"%s\"", i, zc_err_str(err),
                     diag.line, diag.msg, expect);
        assert_int_equal(stats.rows, -1);
        snapshot(f, after, sizeof after);
        assert_string_equal(after, before);
        /* A NULL diag and NULL stats are allowed. */
        assert_int_equal(import(f, csv, NULL, NULL), ZC_ERR_INVALID);
    }
    /* The store is still usable after all those refusals. */
    import_ok(f, PRELUDE, NULL);
    assert_int_equal(count(f), 2);
}

typedef struct header_case {
    const char *csv;
    const char *msg;
} header_case;

static const header_case BAD_HEADERS[] = {
    {"", "line 1: header: missing; expected code,name,price_fen,periods"},
    {"\n\n", "line 1: header: missing"},
    {"code,name,price_fen\n", "line 1: header: expected code,name,price_fen,periods"},
    {"code,name,price_fen,periods,extra\n", "line 1: header: expected"},
    {"code,name,price,periods\n", "line 1: header: column 3 is \"price\", expected \"price_fen\""},
    {"Code,name,price_fen,periods\n", "line 1: header: column 1 is \"Code\", expected \"code\""},
    {"name,code,price_fen,periods\n", "line 1: header: column 1 is \"name\""},
    {"B01,馒头,800,breakfast\n", "line 1: header: column 1 is \"B01\""},
    {"\"code,name,price_fen,periods\n", "line 1: quoted field is never closed"},
    {"编码,名称,价格,时段\n", "line 1: header: column 1 is \"编码\""},
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
        assert_int_equal(count(f), BASE_ITEMS);
    }
}

typedef struct period_case {
    const char *periods;
    const char *period;
    bool served;
} period_case;

static const period_case PERIODS[] = {
    {"", "lunch", true},
    {"", "", true},
    {"", NULL, true},
    {"lunch", "lunch", true},
    {"lunch", "dinner", false},
    {"lunch", "", false},
    {"lunch", NULL, false},
    {"lunch", "lunc", false},
    {"lunch", "lunch_2", false},
    {"lunch_2|dinner", "lunch", false},
    {"lunch_2|dinner", "lunch_2", true},
    {"lunch_2|dinner", "dinner", true},
    {"breakfast|lunch|dinner", "lunch", true},
    {"breakfast|lunch|dinner", "lunch|dinner", false},
    {"breakfast|lunch|dinner", "breakfast|", false},
};

static void test_in_period(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof PERIODS / sizeof PERIODS[0]; i++) {
        zc_menu_item item;
        memset(&item, 0, sizeof item);
        snprintf(item.periods, sizeof item.periods, "%s", PERIODS[i].periods);
        if (zc_menu_item_in_period(&item, PERIODS[i].period) != PERIODS[i].served)
            fail_msg("periods \"%s\", period \"%s\": expected %s", PERIODS[i].periods,
                     PERIODS[i].period ? PERIODS[i].period : "(null)",
                     PERIODS[i].served ? "served" : "not served");
    }
}

/* The demo menu shipped in assets/ imports cleanly and covers every meal period. */
static void test_demo_menu(void **state)
{
    fixture *f = *state;
    char path[ZC_TEST_PATH_MAX];
    const char *tests_unit = strstr(__FILE__, "tests/unit/test_menu.c");
    if (!tests_unit) {
        skip();
        return;
    }
    snprintf(path, sizeof path, "%.*sassets/demo/menu.csv", (int)(tests_unit - __FILE__), __FILE__);
    size_t len;
    char *csv = zt_read_file(path, &len);
    zc_menu_import_stats stats;
    zc_diag diag = {{0}, 0};
    zc_menu_item *items;
    size_t n;
    if (zc_menu_import_csv(f->store, csv, len, &stats, &diag))
        fail_msg("%s: %s", path, diag.msg);
    free(csv);
    assert_in_range(stats.rows, 8, 12);
    assert_int_equal(zc_menu_list(f->store, &items, &n, NULL), ZC_OK);
    static const char *const MEALS[] = {"breakfast", "lunch", "dinner"};
    for (size_t m = 0; m < sizeof MEALS / sizeof MEALS[0]; m++) {
        size_t shown = 0;
        for (size_t i = 0; i < n; i++) {
            assert_in_range(items[i].price, 800, 2000);
            shown += zc_menu_item_in_period(&items[i], MEALS[m]);
        }
        assert_true(shown >= 3);
    }
    free(items);
}

/* ---- zc_menu_parse_csv and zc_menu_item_check: the import's checks without a store ---- */

static void test_parse_gives_items(void **state)
{
    zc_menu_item *items = NULL;
    size_t n = 0;
    zc_diag diag = {{0}, 0};
    (void)state;
    if (zc_menu_parse_csv(BASE, strlen(BASE), &items, &n, &diag))
        fail_msg("parse: %s", diag.msg);
    assert_int_equal(n, BASE_ITEMS);
    /* File order, as written. */
    assert_string_equal(items[0].code, "B01");
    assert_string_equal(items[0].name, "馒头+白粥");
    assert_int_equal(items[0].price, 800);
    assert_string_equal(items[1].periods, "lunch|dinner");
    assert_string_equal(items[2].name, "馄饨, 小碗");
    assert_string_equal(items[3].periods, "");
    assert_int_equal(zc_menu_items_check(items, n, &diag), ZC_OK);
    free(items);
    /* A header alone is an empty menu. */
    assert_int_equal(zc_menu_parse_csv(HEADER, strlen(HEADER), &items, &n, &diag), ZC_OK);
    assert_null(items);
    assert_int_equal(n, 0);
}

static void test_parse_same_errors_as_import(void **state)
{
    fixture *f = *state;
    static char csv[CSV_MAX];
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        zc_diag by_import = {{0}, 0}, by_parse = {{0}, 0};
        zc_menu_item *items = (zc_menu_item *)csv; /* must come back NULL */
        size_t n = 1;
        snprintf(csv, sizeof csv, "%s%s", PRELUDE, BAD[i].rows);
        assert_int_equal(import(f, csv, NULL, &by_import), ZC_ERR_INVALID);
        zc_err err = zc_menu_parse_csv(csv, strlen(csv), &items, &n, &by_parse);
        if (err != ZC_ERR_INVALID || by_parse.line != by_import.line ||
            strcmp(by_parse.msg, by_import.msg) != 0)
            fail_msg("case %zu: import \"%s\", parse \"%s\"", i, by_import.msg, by_parse.msg);
        assert_null(items);
        assert_int_equal(n, 0);
    }
    for (size_t i = 0; i < sizeof BAD_HEADERS / sizeof BAD_HEADERS[0]; i++) {
        zc_diag by_import = {{0}, 0}, by_parse = {{0}, 0};
        zc_menu_item *items;
        size_t n;
        const char *text = BAD_HEADERS[i].csv;
        assert_int_equal(import(f, text, NULL, &by_import), ZC_ERR_INVALID);
        assert_int_equal(zc_menu_parse_csv(text, strlen(text), &items, &n, &by_parse),
                         ZC_ERR_INVALID);
        assert_string_equal(by_parse.msg, by_import.msg);
    }
}

typedef struct item_case {
    zc_menu_item item;
    const char *msg; /* NULL: valid */
} item_case;

static const item_case ITEMS[] = {
    {{"L01", "两荤一素", 1500, "lunch|dinner"}, NULL},
    {{"a-_9", "面", 0, ""}, NULL},
    {{"X", "饭", ZC_MENU_PRICE_MAX, ""}, NULL},
    {{"", "饭", 100, ""}, "code: empty"},
    {{"X 01", "饭", 100, ""}, "code: \"X 01\" may hold only A-Z a-z 0-9 _ -"},
    {{"X01", "", 100, ""}, "name: empty"},
    {{"X01", "   ", 100, ""}, "name: blank"},
    {{"X01", "米\t饭", 100, ""}, "name: contains a control character"},
    {{"X01", "米\xc2\x85饭", 100, ""}, "name: contains a control character"},
    {{"X01", "饭", -1, ""}, "price: -1 is negative"},
    {{"X01", "饭", ZC_MENU_PRICE_MAX + 1, ""},
     "price: 100000001 is more than 100000000 (¥1000000.00)"},
    {{"X01", "饭", 100, "Lunch"}, "periods: \"Lunch\" is not a period id"},
    {{"X01", "饭", 100, "lunch|lunch"}, "periods: \"lunch\" is listed twice"},
    {{"X01", "饭", 100, "lunch|"}, "periods: empty period id"},
};

static void test_item_check(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof ITEMS / sizeof ITEMS[0]; i++) {
        zc_diag diag = {{0}, 0};
        zc_err err = zc_menu_item_check(&ITEMS[i].item, &diag);
        if (!ITEMS[i].msg) {
            if (err)
                fail_msg("item case %zu: refused \"%s\"", i, diag.msg);
            continue;
        }
        if (err != ZC_ERR_INVALID || strncmp(diag.msg, ITEMS[i].msg, strlen(ITEMS[i].msg)) != 0)
            fail_msg("item case %zu: got %s \"%s\", expected \"%s\"", i, zc_err_str(err), diag.msg,
                     ITEMS[i].msg);
    }
    /* A buffer without its NUL is refused, never read past. */
    zc_menu_item unterminated = {"X01", "饭", 100, ""};
    memset(unterminated.code, 'A', sizeof unterminated.code);
    assert_int_equal(zc_menu_item_check(&unterminated, NULL), ZC_ERR_INVALID);
}

static void test_items_check(void **state)
{
    zc_menu_item items[3] = {
        {"X01", "饭", 100, ""}, {"X02", "面", 100, ""}, {"x01", "汤", 100, ""}};
    zc_diag diag = {{0}, 0};
    (void)state;
    assert_int_equal(zc_menu_items_check(items, 2, &diag), ZC_OK);
    assert_int_equal(zc_menu_items_check(items, 3, &diag), ZC_ERR_INVALID);
    assert_string_equal(diag.msg, "items[2]: code: same code as items[0] (\"X01\")");
    items[1].price = -5;
    assert_int_equal(zc_menu_items_check(items, 2, &diag), ZC_ERR_INVALID);
    assert_string_equal(diag.msg, "items[1]: price: -5 is negative: price_fen is a whole number "
                                  "of fen, e.g. 1250 for ¥12.50");
    assert_int_equal(zc_menu_items_check(items, ZC_MENU_ITEMS_MAX + 1, &diag), ZC_ERR_INVALID);
    assert_int_equal(zc_menu_items_check(NULL, 0, &diag), ZC_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_import_get_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reimport_replaces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_only_empties, setup, teardown),
        cmocka_unit_test_setup_teardown(test_item_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_rows_refuse_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_headers, setup, teardown),
        cmocka_unit_test(test_in_period),
        cmocka_unit_test_setup_teardown(test_demo_menu, setup, teardown),
        cmocka_unit_test(test_parse_gives_items),
        cmocka_unit_test_setup_teardown(test_parse_same_errors_as_import, setup, teardown),
        cmocka_unit_test(test_item_check),
        cmocka_unit_test(test_items_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
