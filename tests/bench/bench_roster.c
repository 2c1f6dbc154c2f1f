/*
 * Roster at scale.
 *
 *   bench_roster gen FILE N      writes a valid N-row roster CSV, the same for the same N
 *   bench_roster import FILE     imports it into a fresh store next to FILE, prints rows/s
 *   bench_roster lookup DB N     lookup latency by ID number, QR token and card UID (p50, p99)
 *
 * Row i is a pure function of i, so lookup regenerates the keys that gen wrote instead of reading
 * them back: the store holds only their hashes.
 */
#include "benchutil.h"
#include "zc/roster.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    KEY_BYTE = 0x42,
    SEQ_PER_DAY = 1000, /* the three sequence digits of an ID number */
    BIRTH_FIRST_YEAR = 1925,
    BIRTH_YEARS = 40,
    PERCENT = 100,
    EXPLICIT_BIRTH_PCT = 30,
    EXPLICIT_REGION_PCT = 20,
    CATEGORIES_PCT = 30,
    SUSPENDED_PCT = 5,
    QR_PCT = 50,
    CARD_PCT = 50,
    LOWER_CASE_CARD_PCT = 10,
    CITY_DIGITS = 4,
    QR_RANDOM_CHARS = 26, /* 128 bits in base32 */
    BASE32_BITS = 5,
    CARD_UID_HEX = 14, /* 7-byte UIDs, as on DESFire cards */
    LOOKUPS = 20000,
    LOOKUP_P99_AT = LOOKUPS - LOOKUPS / PERCENT, /* an index into the sorted latencies */
    OUT_BUFFER = 1 << 20,
};

static const char PROG[] = "bench_roster";

#define SEED UINT64_C(0x7a6863616e2d3031)
#define GOLDEN UINT64_C(0x9e3779b97f4a7c15)
/* Prime, and no factor of the ID space, so i -> i * ID_STRIDE mod space is one-to-one. */
#define ID_STRIDE UINT64_C(2654435761)
#define CARD_MASK ((UINT64_C(1) << (4 * CARD_UID_HEX)) - 1)

static const char *const REGIONS[] = {"320202", "320205", "320206", "320211",
                                      "320213", "320214", "320281", "320282"};
static const char *const SURNAMES[] = {"王", "李", "张", "刘", "陈",   "杨",   "黄",   "赵",
                                       "吴", "周", "徐", "孙", "马",   "朱",   "胡",   "郭",
                                       "何", "林", "高", "罗", "郑",   "梁",   "谢",   "宋",
                                       "唐", "许", "韩", "冯", "欧阳", "司马", "诸葛", "上官"};
static const char *const GIVEN[] = {
    "秀", "英", "华", "兰", "芳", "玉", "珍", "明", "国", "建", "文", "德", "春", "金", "凤", "桂",
    "淑", "志", "海", "永", "福", "荣", "俊", "丽", "云", "梅", "杰", "军", "强", "平", "娜", "䶮"};
static const char *const CATEGORIES[] = {"dibao", "tekun", "shineng"};
static const char BASE32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct bench_row {
    char id[ZC_IDNUM_LEN + 1];
    char name[ZC_NAME_MAX];
    char birth[ZC_DATE_TEXT_LEN + 1];
    char region[ZC_REGION_MAX];
    char categories[ZC_CATEGORIES_MAX];
    const char *status;
    char qr[ZC_TOKEN_MAX];
    char card[ZC_TOKEN_MAX];
} bench_row;

/* splitmix64: a bijection of 64 bits with good mixing, so also usable as a unique-id scrambler. */
static uint64_t mix(uint64_t x)
{
    x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

static uint64_t next(uint64_t *state)
{
    *state += GOLDEN;
    return mix(*state);
}

static bool chance(uint64_t *state, unsigned pct)
{
    return next(state) % PERCENT < pct;
}

static int64_t first_day(void)
{
    return zc_date_to_days((zc_date){BIRTH_FIRST_YEAR, 1, 1});
}

static uint64_t id_space(void)
{
    zc_date last = {BIRTH_FIRST_YEAR + BIRTH_YEARS, 1, 1};
    uint64_t days = (uint64_t)(zc_date_to_days(last) - first_day());
    return COUNT(REGIONS) * days * SEQ_PER_DAY;
}

static void make_row(uint64_t i, bench_row *r)
{
    uint64_t rng = SEED ^ (i * GOLDEN);
    uint64_t slot = i * ID_STRIDE % id_space();
    unsigned seq = (unsigned)(slot % SEQ_PER_DAY);
    uint64_t day_region = slot / SEQ_PER_DAY;
    const char *region = REGIONS[day_region % COUNT(REGIONS)];
    zc_date birth = zc_date_from_days(first_day() + (int64_t)(day_region / COUNT(REGIONS)));
    char date8[ZC_DATE_TEXT_LEN + 1];

    zc_date_format(birth, r->birth);
    snprintf(date8, sizeof date8, "%04d%02d%02d", birth.year, birth.month, birth.day);
    snprintf(r->id, sizeof r->id, "%s%s%03u", region, date8, seq);
    r->id[ZC_IDNUM_LEN - 1] = zc_idnum_check_char(r->id);
    r->id[ZC_IDNUM_LEN] = '\0';
    if (!chance(&rng, EXPLICIT_BIRTH_PCT))
        r->birth[0] = '\0';
    snprintf(r->region, sizeof r->region, "%.*s",
             chance(&rng, EXPLICIT_REGION_PCT) ? CITY_DIGITS : 0, region);

    const char *surname = SURNAMES[next(&rng) % COUNT(SURNAMES)];
    const char *given1 = GIVEN[next(&rng) % COUNT(GIVEN)];
    const char *given2 = next(&rng) % 2 ? GIVEN[next(&rng) % COUNT(GIVEN)] : "";
    snprintf(r->name, sizeof r->name, "%s%s%s", surname, given1, given2);

    r->categories[0] = '\0';
    if (chance(&rng, CATEGORIES_PCT)) {
        size_t first = next(&rng) % COUNT(CATEGORIES);
        size_t second = (first + 1 + next(&rng) % (COUNT(CATEGORIES) - 1)) % COUNT(CATEGORIES);
        bool two = next(&rng) % 2;
        snprintf(r->categories, sizeof r->categories, "%s%s%s", CATEGORIES[first], two ? "|" : "",
                 two ? CATEGORIES[second] : "");
    }
    r->status = chance(&rng, SUSPENDED_PCT) ? "suspended" : "active";

    r->qr[0] = '\0';
    if (chance(&rng, QR_PCT)) {
        /* 128 bits, half of them a bijection of i so that no two rows share a token. */
        uint64_t bits[2] = {mix(i ^ SEED), next(&rng)};
        size_t n = (size_t)snprintf(r->qr, sizeof r->qr, "ZCE1.");
        for (int k = 0; k < QR_RANDOM_CHARS; k++) {
            int bit = k * BASE32_BITS;
            uint64_t word = bits[bit / 64];
            r->qr[n++] = BASE32[(word >> (bit % 64)) % (sizeof BASE32 - 1)];
        }
        r->qr[n] = '\0';
    }
    r->card[0] = '\0';
    if (chance(&rng, CARD_PCT)) {
        /* An odd multiplier permutes the 56-bit UIDs: unique for every i. */
        uint64_t uid = ((i + 1) * GOLDEN) & CARD_MASK;
        snprintf(r->card, sizeof r->card,
                 chance(&rng, LOWER_CASE_CARD_PCT) ? "%014" PRIx64 : "%014" PRIX64, uid);
    }
}

static int gen(const char *path, uint64_t n)
{
    if (n > id_space()) {
        fprintf(stderr, "at most %" PRIu64 " rows\n", id_space());
        return 2;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return 1;
    }
    setvbuf(f, NULL, _IOFBF, OUT_BUFFER);
    fputs("id_number,name,birth_date,region,categories,status,qr_token,card_uid\n", f);
    for (uint64_t i = 0; i < n; i++) {
        bench_row r;
        make_row(i, &r);
        fprintf(f, "%s,%s,%s,%s,%s,%s,%s,%s\n", r.id, r.name, r.birth, r.region, r.categories,
                r.status, r.qr, r.card);
    }
    if (fclose(f)) {
        perror(path);
        return 1;
    }
    return 0;
}

static void remove_db(const char *db)
{
    static const char *const SUFFIXES[] = {"", "-wal", "-shm"};
    char path[BENCH_PATH_MAX];
    for (size_t i = 0; i < COUNT(SUFFIXES); i++) {
        snprintf(path, sizeof path, "%s%s", db, SUFFIXES[i]);
        unlink(path);
    }
}

static int import(const char *csv_path)
{
    uint8_t key[ZC_REGION_KEY_LEN];
    char db[BENCH_PATH_MAX];
    const char *slash = strrchr(csv_path, '/');
    int dir_len = slash ? (int)(slash - csv_path) : 1;
    size_t len = 0;
    zc_store *store;
    zc_diag diag = {{0}, 0};
    zc_roster_import_stats stats;

    snprintf(db, sizeof db, "%.*s/bench_roster.db", dir_len, slash ? csv_path : ".");
    remove_db(db);
    char *data = bench_read_all(PROG, csv_path, &len);
    memset(key, KEY_BYTE, sizeof key);
    if (zc_store_open(db, NULL, &store, &diag)) {
        fprintf(stderr, "%s\n", diag.msg);
        free(data);
        return 1;
    }
    int64_t start = bench_now_ns();
    zc_err err = zc_roster_import_csv(store, key, data, len, &stats, &diag);
    double seconds = (double)(bench_now_ns() - start) / BENCH_NS_PER_S;
    zc_store_close(store);
    free(data);
    if (err) {
        fprintf(stderr, "%s: %s\n", csv_path, diag.msg);
        return 1;
    }
    printf("db %s\nrows %ld\nimport_seconds %.3f\nrows_per_second %.0f\n", db, stats.rows, seconds,
           (double)stats.rows / seconds);
    return 0;
}

typedef enum lookup_kind { BY_ID, BY_QR, BY_CARD, KINDS } lookup_kind;

static int lookup(const char *db, uint64_t n)
{
    static const char *const NAMES[KINDS] = {"id_number", "qr_token", "card_uid"};
    static int64_t ns[LOOKUPS];
    uint8_t key[ZC_REGION_KEY_LEN];
    zc_store *store;
    zc_diag diag = {{0}, 0};
    zc_store_opts opts = {NULL, true};
    uint64_t rng = SEED;

    memset(key, KEY_BYTE, sizeof key);
    if (n == 0 || zc_store_open(db, &opts, &store, &diag)) {
        fprintf(stderr, "%s: %s\n", db, n ? diag.msg : "N must be positive");
        return 1;
    }
    for (int kind = 0; kind < KINDS; kind++) {
        for (int k = 0; k < LOOKUPS; k++) {
            bench_row r;
            zc_elder e;
            zc_err err;
            do
                make_row(next(&rng) % n, &r);
            while ((kind == BY_QR && !r.qr[0]) || (kind == BY_CARD && !r.card[0]));
            int64_t start = bench_now_ns();
            if (kind == BY_ID)
                err = zc_roster_find_by_idnum(store, key, r.id, &e, &diag);
            else if (kind == BY_QR)
                err = zc_roster_find_by_qr(store, r.qr, &e, &diag);
            else
                err = zc_roster_find_by_card(store, r.card, &e, &diag);
            ns[k] = bench_now_ns() - start;
            if (err) {
                fprintf(stderr, "%s lookup: %s\n", NAMES[kind], diag.msg);
                zc_store_close(store);
                return 1;
            }
        }
        int64_t p50 = bench_median_i64(ns, LOOKUPS); /* and sorts them, for the p99 */
        printf("lookup_%s p50_us %.1f p99_us %.1f\n", NAMES[kind], (double)p50 / BENCH_NS_PER_US,
               (double)ns[LOOKUP_P99_AT] / BENCH_NS_PER_US);
    }
    zc_store_close(store);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "gen") == 0)
        return gen(argv[2], strtoull(argv[3], NULL, 10));
    if (argc == 3 && strcmp(argv[1], "import") == 0)
        return import(argv[2]);
    if (argc == 4 && strcmp(argv[1], "lookup") == 0)
        return lookup(argv[2], strtoull(argv[3], NULL, 10));
    fprintf(stderr, "usage: bench_roster gen FILE N | import FILE | lookup DB N\n");
    return 2;
}
