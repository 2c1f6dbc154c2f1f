/*
 * GA 467 ID card readers: stream decoder, text block decoding and the polling state machine.
 * See hal/ga467.h for what the module is for and how a driver uses it.
 */
#include "hal/ga467.h"

#include <stdio.h>
#include <string.h>

static const uint8_t PREAMBLE[HAL_GA467_PREAMBLE_LEN] = {0xAA, 0xAA, 0xAA, 0x96, 0x69};

/*
 * The text block of a resident ID card: fixed fields of UCS-2LE, padded with spaces. Sizes in
 * bytes, in card order.
 */
enum {
    NAME_LEN = 30,
    SEX_LEN = 2, /* one code character */
    NATION_LEN = 4,
    BIRTH_LEN = 16,
    ADDRESS_LEN = 70,
    IDNUM_LEN = 36,
    AUTHORITY_LEN = 30,
    VALID_FROM_LEN = 16,
    VALID_TO_LEN = 16,
    RESERVED_LEN = 36,

    NAME_OFF = 0,
    SEX_OFF = NAME_OFF + NAME_LEN,
    NATION_OFF = SEX_OFF + SEX_LEN,
    BIRTH_OFF = NATION_OFF + NATION_LEN,
    ADDRESS_OFF = BIRTH_OFF + BIRTH_LEN,
    IDNUM_OFF = ADDRESS_OFF + ADDRESS_LEN,
    AUTHORITY_OFF = IDNUM_OFF + IDNUM_LEN,
    VALID_FROM_OFF = AUTHORITY_OFF + AUTHORITY_LEN,
    VALID_TO_OFF = VALID_FROM_OFF + VALID_FROM_LEN,
    RESERVED_OFF = VALID_TO_OFF + VALID_TO_LEN,

    /* Cards of the 2017 layouts carry a type letter here, inside what resident cards reserve:
       'J' for the Hong Kong, Macao and Taiwan residents' permit (same fields as a resident
       card), 'I' for the foreign permanent resident card (an entirely different layout). */
    CARD_TYPE_OFF = 248,
    CARD_TYPE_FOREIGN = 'I',

    UCS2_UNIT = 2,
    IDNUM_CHARS = 18,
    DATE_DIGITS = 8, /* YYYYMMDD */
    NATION_DIGITS = 2,
    NATION_CODES = 100, /* every two-digit code, 00..99, indexes NATIONS */
};

_Static_assert(RESERVED_OFF + RESERVED_LEN == (int)HAL_GA467_TEXT_LEN, "text block is 256 bytes");
_Static_assert(CARD_TYPE_OFF >= RESERVED_OFF &&
                   CARD_TYPE_OFF + UCS2_UNIT <= (int)HAL_GA467_TEXT_LEN,
               "card type lies in the reserved bytes");
_Static_assert(IDNUM_CHARS < (int)HAL_IDNUM_MAX, "ID number fits with its NUL");

/* UTF-16 and Unicode code points. */
enum {
    UNIT_NUL = 0x0000,
    UNIT_SPACE = 0x0020,
    UNIT_DEL = 0x007F,
    HIGH_SURROGATE_FIRST = 0xD800,
    LOW_SURROGATE_FIRST = 0xDC00,
    SURROGATE_LAST = 0xDFFF,
    SURROGATE_BITS = 10,
    SUPPLEMENTARY_FIRST = 0x10000,
    REPLACEMENT_CHAR = 0xFFFD,
    UTF8_1_MAX = 0x7F,
    UTF8_2_MAX = 0x7FF,
    UTF8_3_MAX = 0xFFFF,
    UTF8_CONT = 0x80,
    UTF8_CONT_MASK = 0x3F,
    UTF8_LEAD_2 = 0xC0,
    UTF8_LEAD_3 = 0xE0,
    UTF8_LEAD_4 = 0xF0,
    UTF8_CONT_BITS = 6,
};

/* GB 3304 nation codes as printed on the card (without the trailing 族). */
static const char *const NATIONS[NATION_CODES] = {
    [1] = "汉",        [2] = "蒙古",
    [3] = "回",        [4] = "藏",
    [5] = "维吾尔",    [6] = "苗",
    [7] = "彝",        [8] = "壮",
    [9] = "布依",      [10] = "朝鲜",
    [11] = "满",       [12] = "侗",
    [13] = "瑶",       [14] = "白",
    [15] = "土家",     [16] = "哈尼",
    [17] = "哈萨克",   [18] = "傣",
    [19] = "黎",       [20] = "傈僳",
    [21] = "佤",       [22] = "畲",
    [23] = "高山",     [24] = "拉祜",
    [25] = "水",       [26] = "东乡",
    [27] = "纳西",     [28] = "景颇",
    [29] = "柯尔克孜", [30] = "土",
    [31] = "达斡尔",   [32] = "仫佬",
    [33] = "羌",       [34] = "布朗",
    [35] = "撒拉",     [36] = "毛南",
    [37] = "仡佬",     [38] = "锡伯",
    [39] = "阿昌",     [40] = "普米",
    [41] = "塔吉克",   [42] = "怒",
    [43] = "乌孜别克", [44] = "俄罗斯",
    [45] = "鄂温克",   [46] = "德昂",
    [47] = "保安",     [48] = "裕固",
    [49] = "京",       [50] = "塔塔尔",
    [51] = "独龙",     [52] = "鄂伦春",
    [53] = "赫哲",     [54] = "门巴",
    [55] = "珞巴",     [56] = "基诺",
    [97] = "其他",     [98] = "外国血统中国籍人士",
};

/* GB/T 2261.1 sex codes. */
static const struct {
    char code;
    const char *name;
} SEXES[] = {{'0', "未知"}, {'1', "男"}, {'2', "女"}, {'9', "未说明"}};

static const struct {
    uint8_t sw3;
    const char *message;
} STATUS_MESSAGES[] = {
    {HAL_GA467_SW3_CMD_CHECKSUM, "the ID card reader got a command with a bad checksum"},
    {HAL_GA467_SW3_CMD_LENGTH, "the ID card reader got a command with a bad length"},
    {HAL_GA467_SW3_CMD_INVALID, "the ID card reader rejected the command"},
    {HAL_GA467_SW3_UNAUTHORISED, "the ID card reader refused an operation it is not permitted"},
    {HAL_GA467_SW3_UNKNOWN_ERROR, "the ID card reader reported an unrecognised error"},
    {HAL_GA467_SW3_CARD_AUTH, "the card did not accept the reader: lift it and present it again"},
    {HAL_GA467_SW3_READER_AUTH, "the reader did not accept the card: lift it and present it again"},
    {HAL_GA467_SW3_VERIFY, "the card's information failed verification"},
    {HAL_GA467_SW3_CARD_TYPE, "the card is not a resident ID card"},
    {HAL_GA467_SW3_READ_FAILED, "card could not be read: lift it and present it again"},
    {HAL_GA467_SW3_RANDOM,
     "card did not answer the reader's challenge: lift it and present it again"},
    {HAL_GA467_SW3_SELF_TEST, "the ID card reader's security module failed its self-test"},
    {HAL_GA467_SW3_SAM_UNAUTHORISED, "the ID card reader's security module is not authorised"},
    {HAL_GA467_SW3_NO_CARD, "no card on the reader"},
    {HAL_GA467_SW3_SELECT_FAILED, "card could not be selected: lift it and present it again"},
    {HAL_GA467_SW3_NO_CONTENT, "the card has no such information"},
};

const char *hal_ga467_status_message(uint8_t sw3)
{
    for (size_t i = 0; i < sizeof STATUS_MESSAGES / sizeof STATUS_MESSAGES[0]; i++)
        if (STATUS_MESSAGES[i].sw3 == sw3)
            return STATUS_MESSAGES[i].message;
    return NULL;
}

static unsigned be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static uint8_t xor_sum(const uint8_t *p, size_t n)
{
    uint8_t x = 0;
    for (size_t i = 0; i < n; i++)
        x ^= p[i];
    return x;
}

hal_err hal_ga467_command(uint8_t cmd, uint8_t para, uint8_t *buf, size_t size, size_t *len)
{
    if (!buf || !len || size < HAL_GA467_COMMAND_LEN)
        return HAL_ERR_INVALID;
    const unsigned body = HAL_GA467_OPCODE_LEN + HAL_GA467_CHECKSUM_LEN;
    uint8_t *p = buf;
    memcpy(p, PREAMBLE, sizeof PREAMBLE);
    p += sizeof PREAMBLE;
    *p++ = (uint8_t)(body >> 8);
    *p++ = (uint8_t)(body & 0xFF);
    *p++ = cmd;
    *p++ = para;
    *p = xor_sum(buf + HAL_GA467_PREAMBLE_LEN, HAL_GA467_LENGTH_LEN + HAL_GA467_OPCODE_LEN);
    *len = HAL_GA467_COMMAND_LEN;
    return HAL_OK;
}

/* --- Text block --------------------------------------------------------------------------- */

static unsigned unit_at(const uint8_t *p, size_t i)
{
    return (unsigned)p[UCS2_UNIT * i] | (unsigned)p[UCS2_UNIT * i + 1] << 8;
}

/* Fields are padded with spaces; some readers pad with NULs instead. */
static bool is_padding(unsigned u)
{
    return u == UNIT_SPACE || u == UNIT_NUL;
}

/* Appends a code point as UTF-8 at *at; false when it and the NUL would not fit. */
static bool put_utf8(char *dst, size_t size, size_t *at, unsigned long cp)
{
    unsigned char b[4];
    size_t n;
    if (cp <= UTF8_1_MAX) {
        b[0] = (unsigned char)cp;
        n = 1;
    } else if (cp <= UTF8_2_MAX) {
        b[0] = (unsigned char)(UTF8_LEAD_2 | cp >> UTF8_CONT_BITS);
        n = 2;
    } else if (cp <= UTF8_3_MAX) {
        b[0] = (unsigned char)(UTF8_LEAD_3 | cp >> (2 * UTF8_CONT_BITS));
        n = 3;
    } else {
        b[0] = (unsigned char)(UTF8_LEAD_4 | cp >> (3 * UTF8_CONT_BITS));
        n = 4;
    }
    for (size_t i = 1; i < n; i++)
        b[i] = (unsigned char)(UTF8_CONT | (cp >> (UTF8_CONT_BITS * (n - 1 - i)) & UTF8_CONT_MASK));
    if (*at + n >= size)
        return false;
    memcpy(dst + *at, b, n);
    *at += n;
    return true;
}

/*
 * One field of UCS-2LE (in practice UTF-16: rare characters in names are outside the BMP and come
 * as surrogate pairs) to UTF-8 without the padding. A lone surrogate or a control character
 * becomes U+FFFD, so the result is always valid UTF-8 and never has an embedded NUL. False when
 * it does not fit in size bytes.
 */
static bool ucs2_to_utf8(const uint8_t *src, size_t nbytes, char *dst, size_t size)
{
    size_t end = nbytes / UCS2_UNIT, i = 0, at = 0;
    while (end > 0 && is_padding(unit_at(src, end - 1)))
        end--;
    while (i < end && is_padding(unit_at(src, i)))
        i++;
    for (; i < end; i++) {
        unsigned long cp = unit_at(src, i);
        if (cp >= HIGH_SURROGATE_FIRST && cp < LOW_SURROGATE_FIRST && i + 1 < end &&
            unit_at(src, i + 1) >= LOW_SURROGATE_FIRST && unit_at(src, i + 1) <= SURROGATE_LAST) {
            cp = SUPPLEMENTARY_FIRST + ((cp - HIGH_SURROGATE_FIRST) << SURROGATE_BITS) +
                 (unit_at(src, i + 1) - LOW_SURROGATE_FIRST);
            i++;
        } else if ((cp >= HIGH_SURROGATE_FIRST && cp <= SURROGATE_LAST) || cp < UNIT_SPACE ||
                   cp == UNIT_DEL) {
            cp = REPLACEMENT_CHAR;
        }
        if (!put_utf8(dst, size, &at, cp))
            return false;
    }
    dst[at] = '\0';
    return true;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static unsigned digits_value(const char *s, size_t n)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (unsigned)(s[i] - '0');
    return v;
}

enum { YEAR_DIGITS = 4, MONTH_DIGITS = 2, DAY_DIGITS = 2, MONTHS = 12, FEBRUARY = 2 };

static bool leap_year(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* "YYYYMMDD", a real calendar date, to "YYYY-MM-DD" in dst (HAL_DATE_MAX bytes). */
static bool format_date(const char *s, char dst[HAL_DATE_MAX])
{
    static const unsigned DAYS[MONTHS] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(s) != DATE_DIGITS || !all_digits(s, DATE_DIGITS))
        return false;
    unsigned y = digits_value(s, YEAR_DIGITS);
    unsigned m = digits_value(s + YEAR_DIGITS, MONTH_DIGITS);
    unsigned d = digits_value(s + YEAR_DIGITS + MONTH_DIGITS, DAY_DIGITS);
    if (m < 1 || m > MONTHS || d < 1)
        return false;
    if (d > DAYS[m - 1] + (m == FEBRUARY && leap_year(y) ? 1 : 0))
        return false;
    char *p = dst;
    memcpy(p, s, YEAR_DIGITS);
    p += YEAR_DIGITS;
    *p++ = '-';
    memcpy(p, s + YEAR_DIGITS, MONTH_DIGITS);
    p += MONTH_DIGITS;
    *p++ = '-';
    memcpy(p, s + YEAR_DIGITS + MONTH_DIGITS, DAY_DIGITS);
    p += DAY_DIGITS;
    *p = '\0';
    return true;
}

/* The name for a sex or nation code, or NULL for a code not in the tables. */
static const char *sex_name(const char *code)
{
    for (size_t i = 0; i < sizeof SEXES / sizeof SEXES[0]; i++)
        if (code[0] == SEXES[i].code && code[1] == '\0')
            return SEXES[i].name;
    return NULL;
}

static const char *nation_name(const char *code)
{
    if (strlen(code) != NATION_DIGITS || !all_digits(code, NATION_DIGITS))
        return NULL;
    return NATIONS[digits_value(code, NATION_DIGITS)];
}

/*
 * Decodes the text block into card. NULL on success, else why it cannot be used: a reader that
 * passed the checksum but hands over nonsense must not reach the kiosk as a person.
 */
static const char *decode_text(const uint8_t *text, hal_id_card *card)
{
    char tmp[HAL_FIELD_MAX];
    if (unit_at(text + CARD_TYPE_OFF, 0) == CARD_TYPE_FOREIGN)
        return "foreign permanent resident ID cards are not supported";

    if (!ucs2_to_utf8(text + NAME_OFF, NAME_LEN, card->name, sizeof card->name) ||
        !ucs2_to_utf8(text + ADDRESS_OFF, ADDRESS_LEN, card->address, sizeof card->address) ||
        !ucs2_to_utf8(text + AUTHORITY_OFF, AUTHORITY_LEN, card->authority, sizeof card->authority))
        return "card text is malformed: a field is too long";
    if (card->name[0] == '\0')
        return "card text is malformed: no name";

    /* Sex and nation are kept even when the code is unknown: neither decides anything here. */
    if (!ucs2_to_utf8(text + SEX_OFF, SEX_LEN, card->sex, sizeof card->sex) ||
        !ucs2_to_utf8(text + NATION_OFF, NATION_LEN, card->nation, sizeof card->nation))
        return "card text is malformed: a field is too long";
    const char *name = sex_name(card->sex);
    if (name)
        snprintf(card->sex, sizeof card->sex, "%s", name);
    name = nation_name(card->nation);
    if (name)
        snprintf(card->nation, sizeof card->nation, "%s", name);

    /* Only the format is checked here; the check character is the kiosk core's to verify. */
    if (!ucs2_to_utf8(text + IDNUM_OFF, IDNUM_LEN, tmp, sizeof tmp) || strlen(tmp) != IDNUM_CHARS ||
        !all_digits(tmp, IDNUM_CHARS - 1))
        return "card text is malformed: the ID number is not 17 digits and a check character";
    char *check = &tmp[IDNUM_CHARS - 1];
    if (*check == 'x')
        *check = 'X';
    if (!all_digits(check, 1) && *check != 'X')
        return "card text is malformed: the ID number is not 17 digits and a check character";
    memcpy(card->id_number, tmp, IDNUM_CHARS + 1);

    if (!ucs2_to_utf8(text + BIRTH_OFF, BIRTH_LEN, tmp, sizeof tmp) ||
        !format_date(tmp, card->birth_date))
        return "card text is malformed: the birth date is not a date";
    if (!ucs2_to_utf8(text + VALID_FROM_OFF, VALID_FROM_LEN, tmp, sizeof tmp) ||
        !format_date(tmp, card->valid_from))
        return "card text is malformed: the valid-from date is not a date";
    if (!ucs2_to_utf8(text + VALID_TO_OFF, VALID_TO_LEN, tmp, sizeof tmp))
        return "card text is malformed: the valid-to date is not a date";
    if (strcmp(tmp, HAL_GA467_NO_END_DATE) == 0)
        memcpy(card->valid_to, HAL_GA467_NO_END_DATE, sizeof HAL_GA467_NO_END_DATE);
    else if (!format_date(tmp, card->valid_to))
        return "card text is malformed: the valid-to date is neither a date "
               "nor " HAL_GA467_NO_END_DATE;
    return NULL;
}

/* Read base info's data: lengths, text, photo. The photo is skipped, not looked at. */
static const char *decode_base_info(const uint8_t *data, size_t n, hal_id_card *card)
{
    size_t text_len = be16(data);
    size_t photo_len = be16(data + HAL_GA467_PART_LENGTH_LEN);
    if (text_len != HAL_GA467_TEXT_LEN || HAL_GA467_BASE_LENGTHS_LEN + text_len + photo_len != n)
        return "malformed card data from the reader: its lengths do not add up";
    return decode_text(data + HAL_GA467_BASE_LENGTHS_LEN, card);
}

/* body: status, data, checksum (already checked). */
static void parse_reply(const uint8_t *body, size_t body_len, hal_ga467_frame *f)
{
    memset(f, 0, sizeof *f);
    f->sw1 = body[0];
    f->sw2 = body[1];
    f->sw3 = body[2];
    const uint8_t *data = body + HAL_GA467_STATUS_LEN;
    f->data_len = body_len - HAL_GA467_STATUS_LEN - HAL_GA467_CHECKSUM_LEN;
    switch (f->sw3) {
    case HAL_GA467_SW3_OK:
        /* Success carries no command code: a base-info reply is known by its size or its text
           length; select's data is 8 bytes of zeros. */
        if (f->data_len >= HAL_GA467_BASE_LENGTHS_LEN + HAL_GA467_TEXT_LEN ||
            (f->data_len >= HAL_GA467_BASE_LENGTHS_LEN && be16(data) == HAL_GA467_TEXT_LEN)) {
            f->message = decode_base_info(data, f->data_len, &f->card);
            f->reply = f->message ? HAL_GA467_REPLY_BAD_TEXT : HAL_GA467_REPLY_BASE_INFO;
            if (f->message)
                memset(&f->card, 0, sizeof f->card);
        } else {
            f->reply = HAL_GA467_REPLY_OK;
        }
        break;
    case HAL_GA467_SW3_FOUND:
        f->reply = HAL_GA467_REPLY_FOUND;
        break;
    case HAL_GA467_SW3_NO_CARD:
        f->reply = HAL_GA467_REPLY_NO_CARD;
        f->message = hal_ga467_status_message(f->sw3);
        break;
    default:
        f->reply = HAL_GA467_REPLY_FAILED;
        f->message = hal_ga467_status_message(f->sw3);
        break;
    }
}

hal_err hal_ga467_parse_frame(const uint8_t *bytes, size_t n, hal_ga467_frame *frame)
{
    if (!bytes || !frame || n < HAL_GA467_HEADER_LEN + HAL_GA467_REPLY_LEN_MIN ||
        memcmp(bytes, PREAMBLE, sizeof PREAMBLE) != 0)
        return HAL_ERR_INVALID;
    size_t body = be16(bytes + HAL_GA467_PREAMBLE_LEN);
    if (body > HAL_GA467_REPLY_LEN_MAX || n != HAL_GA467_HEADER_LEN + body ||
        xor_sum(bytes + HAL_GA467_PREAMBLE_LEN, HAL_GA467_LENGTH_LEN + body - 1) != bytes[n - 1])
        return HAL_ERR_INVALID;
    parse_reply(bytes + HAL_GA467_HEADER_LEN, body, frame);
    return HAL_OK;
}

static void frame_error(const hal_ga467_frame *f, const char *device, hal_events *out)
{
    if (f->message)
        hal_events_error(out, device, "%s", f->message);
    else
        hal_events_error(out, device, "the ID card reader reported unknown status 0x%02X", f->sw3);
}

static void emit_card(const hal_ga467_frame *f, const char *device, hal_events *out)
{
    hal_event *ev = hal_events_add(out, HAL_EVENT_ID_CARD, device);
    if (ev)
        ev->u.id_card = f->card;
}

void hal_ga467_frame_events(const hal_ga467_frame *frame, const char *device, hal_events *out)
{
    if (!frame || !out)
        return;
    switch (frame->reply) {
    case HAL_GA467_REPLY_OK:
    case HAL_GA467_REPLY_FOUND:
        break;
    case HAL_GA467_REPLY_BASE_INFO:
        emit_card(frame, device, out);
        break;
    case HAL_GA467_REPLY_NO_CARD:
    case HAL_GA467_REPLY_FAILED:
    case HAL_GA467_REPLY_BAD_TEXT:
        frame_error(frame, device, out);
        break;
    }
}

/* --- Stream decoder ----------------------------------------------------------------------- */

/* Where completed frames go during one call. */
typedef struct sink {
    const char *device;
    hal_ga467_frames *frames; /* NULL: frames become events */
    hal_events *out;
    bool progress; /* a frame or an error came out */
} sink;

static void deliver(sink *s, const uint8_t *body, size_t body_len)
{
    s->progress = true;
    if (s->frames) {
        if (s->frames->n == HAL_GA467_FRAMES_MAX) {
            s->frames->dropped++;
            return;
        }
        parse_reply(body, body_len, &s->frames->v[s->frames->n++]);
        return;
    }
    hal_ga467_frame f;
    parse_reply(body, body_len, &f);
    hal_ga467_frame_events(&f, s->device, s->out);
}

void hal_ga467_decoder_init(hal_ga467_decoder *dec)
{
    memset(dec, 0, sizeof *dec);
}

void hal_ga467_decoder_reset(hal_ga467_decoder *dec)
{
    hal_ga467_decoder_init(dec);
}

/* Consumed bytes are wiped: what remains of a card in memory is only what the events carry. */
static void consume(hal_ga467_decoder *dec, size_t n)
{
    memset(dec->buf + dec->start, 0, n);
    dec->start += n;
}

/* The first position where the preamble starts, or where a prefix of it ends the bytes. */
static size_t find_preamble(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t m = n - i < sizeof PREAMBLE ? n - i : sizeof PREAMBLE;
        if (p[i] == PREAMBLE[0] && memcmp(p + i, PREAMBLE, m) == 0)
            return i;
    }
    return n;
}

/*
 * Takes noise, bad headers and whole frames off the front of the buffer until it needs more
 * bytes. A bad header is dropped by its preamble only: the frame it claimed may have been cut
 * short, and the next good frame may start inside the bytes that claimed them.
 */
static void scan(hal_ga467_decoder *dec, sink *s)
{
    for (;;) {
        const uint8_t *p = dec->buf + dec->start;
        size_t avail = dec->len - dec->start;
        size_t skip = find_preamble(p, avail);
        if (skip > 0) {
            dec->noise += skip;
            consume(dec, skip);
            continue;
        }
        if (avail < HAL_GA467_HEADER_LEN)
            return;
        size_t body = be16(p + HAL_GA467_PREAMBLE_LEN);
        if (body < HAL_GA467_REPLY_LEN_MIN || body > HAL_GA467_REPLY_LEN_MAX) {
            hal_events_error(s->out, s->device, "impossible length %zu in reader response", body);
            s->progress = true;
            consume(dec, HAL_GA467_PREAMBLE_LEN);
            continue;
        }
        size_t frame_len = HAL_GA467_HEADER_LEN + body;
        if (avail < frame_len)
            return;
        if (xor_sum(p + HAL_GA467_PREAMBLE_LEN, HAL_GA467_LENGTH_LEN + body - 1) !=
            p[frame_len - 1]) {
            hal_events_error(s->out, s->device, "checksum error in reader response");
            s->progress = true;
            consume(dec, HAL_GA467_PREAMBLE_LEN);
            continue;
        }
        deliver(s, p + HAL_GA467_HEADER_LEN, body);
        consume(dec, frame_len);
    }
}

/* Moves the unconsumed bytes to the front, wiping the places they left. */
static void compact(hal_ga467_decoder *dec)
{
    if (dec->start == 0)
        return;
    size_t keep = dec->len - dec->start;
    memmove(dec->buf, dec->buf + dec->start, keep);
    memset(dec->buf + keep, 0, dec->len - keep);
    dec->start = 0;
    dec->len = keep;
}

static hal_err feed(hal_ga467_decoder *dec, sink *s, const uint8_t *bytes, size_t n)
{
    if (!dec || !s->out || (!bytes && n > 0))
        return HAL_ERR_INVALID;
    while (n > 0) {
        /* scan() leaves less than a whole frame, and the buffer holds the longest frame, so
           there is always room for at least one more byte. */
        compact(dec);
        size_t room = sizeof dec->buf - dec->len;
        size_t take = n < room ? n : room;
        memcpy(dec->buf + dec->len, bytes, take);
        dec->len += take;
        bytes += take;
        n -= take;
        scan(dec, s);
    }
    return s->progress ? HAL_OK : HAL_ERR_AGAIN;
}

hal_err hal_ga467_feed(hal_ga467_decoder *dec, const char *device, const uint8_t *bytes, size_t n,
                       hal_events *out)
{
    sink s = {.device = device, .frames = NULL, .out = out, .progress = false};
    return feed(dec, &s, bytes, n);
}

hal_err hal_ga467_feed_frames(hal_ga467_decoder *dec, const char *device, const uint8_t *bytes,
                              size_t n, hal_ga467_frames *frames, hal_events *out)
{
    if (!frames)
        return HAL_ERR_INVALID;
    sink s = {.device = device, .frames = frames, .out = out, .progress = false};
    return feed(dec, &s, bytes, n);
}

hal_err hal_ga467_flush(hal_ga467_decoder *dec, const char *device, hal_ga467_frames *frames,
                        hal_events *out)
{
    if (!dec || !out)
        return HAL_ERR_INVALID;
    sink s = {.device = device, .frames = frames, .out = out, .progress = false};
    /* After scan() the buffer holds at most one incomplete frame, at its start. */
    while (dec->len - dec->start >= HAL_GA467_PREAMBLE_LEN) {
        size_t avail = dec->len - dec->start;
        if (avail >= HAL_GA467_HEADER_LEN)
            hal_events_error(out, device,
                             "reader response cut short: a %zu-byte frame never completed",
                             (size_t)HAL_GA467_HEADER_LEN +
                                 be16(dec->buf + dec->start + HAL_GA467_PREAMBLE_LEN));
        else
            hal_events_error(out, device, "reader response cut short");
        s.progress = true;
        consume(dec, HAL_GA467_PREAMBLE_LEN);
        scan(dec, &s);
    }
    /* What is left is the start of a preamble that never came. */
    dec->noise += dec->len - dec->start;
    consume(dec, dec->len - dec->start);
    compact(dec);
    return s.progress ? HAL_OK : HAL_ERR_AGAIN;
}

/* --- Reader state machine ----------------------------------------------------------------- */

void hal_ga467_reader_init(hal_ga467_reader *reader)
{
    memset(reader, 0, sizeof *reader);
    reader->state = HAL_GA467_SEARCHING;
}

static void send_command(hal_ga467_reader *r, hal_ga467_action *a, uint8_t cmd, uint8_t para,
                         unsigned wait_ms)
{
    (void)hal_ga467_command(cmd, para, a->cmd, sizeof a->cmd, &a->cmd_len);
    a->wait_ms = wait_ms;
    r->pending = true;
}

static unsigned reply_wait(hal_ga467_reader_state state)
{
    return state == HAL_GA467_READING ? HAL_GA467_READ_MS : HAL_GA467_REPLY_MS;
}

/*
 * Whether a reply answers the command outstanding in this state. Anything else is a late answer
 * to a command given up on after a timeout, and is ignored. A failure can answer any command.
 */
static bool answers(hal_ga467_reader_state state, hal_ga467_reply reply)
{
    switch (reply) {
    case HAL_GA467_REPLY_FAILED:
    case HAL_GA467_REPLY_NO_CARD:
        return true;
    case HAL_GA467_REPLY_FOUND:
        return state == HAL_GA467_SEARCHING || state == HAL_GA467_WAITING_LIFT;
    case HAL_GA467_REPLY_OK:
        return state == HAL_GA467_SELECTING;
    case HAL_GA467_REPLY_BASE_INFO:
    case HAL_GA467_REPLY_BAD_TEXT:
        return state == HAL_GA467_READING;
    }
    return false;
}

static void tick(hal_ga467_reader *r, const char *device, hal_ga467_action *a, hal_events *out)
{
    if (r->pending) {
        if (++r->silent == HAL_GA467_SILENT_TICKS)
            hal_events_error(out, device, "the ID card reader does not answer");
        /* A card half way through is started over; one already read still needs lifting. */
        if (r->state == HAL_GA467_SELECTING || r->state == HAL_GA467_READING)
            r->state = HAL_GA467_SEARCHING;
    }
    send_command(r, a, HAL_GA467_CMD_CARD, HAL_GA467_PARA_FIND, HAL_GA467_REPLY_MS);
}

/* The answer to find card, while searching or waiting for the card to be lifted. */
static void on_find(hal_ga467_reader *r, const char *device, const hal_ga467_frame *f,
                    hal_ga467_action *a, hal_events *out)
{
    switch (f->reply) {
    case HAL_GA467_REPLY_FOUND:
        r->fault = 0;
        if (r->state == HAL_GA467_SEARCHING) {
            r->state = HAL_GA467_SELECTING;
            send_command(r, a, HAL_GA467_CMD_CARD, HAL_GA467_PARA_SELECT, HAL_GA467_REPLY_MS);
        }
        break;
    case HAL_GA467_REPLY_NO_CARD:
        /* The idle answer; after a read it means the card was lifted. */
        r->fault = 0;
        r->state = HAL_GA467_SEARCHING;
        break;
    default:
        /* A reader fault repeats on every poll; the kiosk hears of it once. */
        if (f->sw3 != r->fault)
            frame_error(f, device, out);
        r->fault = f->sw3;
        break;
    }
}

/* The answer to read base info, or a failed select: the end of this card's turn. */
static void on_card(hal_ga467_reader *r, const char *device, const hal_ga467_frame *f,
                    hal_events *out)
{
    if (f->reply == HAL_GA467_REPLY_BASE_INFO) {
        emit_card(f, device, out);
        r->state = HAL_GA467_WAITING_LIFT;
    } else if (f->reply == HAL_GA467_REPLY_NO_CARD) {
        hal_events_error(out, device, "card was taken away before it was read: present it again");
        r->state = HAL_GA467_SEARCHING;
    } else {
        /* Trying again at once fails the same way on most readers: the card must be lifted and
           presented again, and the error tells the person so. */
        frame_error(f, device, out);
        r->state = HAL_GA467_WAITING_LIFT;
    }
}

hal_err hal_ga467_reader_step(hal_ga467_reader *reader, const char *device,
                              const hal_ga467_frame *reply, hal_ga467_action *action,
                              hal_events *out)
{
    if (!reader || !action || !out)
        return HAL_ERR_INVALID;
    hal_ga467_reader *r = reader;
    action->cmd_len = 0;
    action->wait_ms = HAL_GA467_POLL_MS;
    if (!reply) {
        tick(r, device, action, out);
        return HAL_OK;
    }
    r->silent = 0;
    if (reply->reply == HAL_GA467_REPLY_BASE_INFO && r->state != HAL_GA467_READING &&
        r->state != HAL_GA467_WAITING_LIFT) {
        /* A late answer to a read given up on: still a card genuinely read. */
        emit_card(reply, device, out);
        r->state = HAL_GA467_WAITING_LIFT;
    }
    if (!r->pending || !answers(r->state, reply->reply)) {
        if (r->pending)
            action->wait_ms = reply_wait(r->state);
        return HAL_OK;
    }
    r->pending = false;
    switch (r->state) {
    case HAL_GA467_SEARCHING:
    case HAL_GA467_WAITING_LIFT:
        on_find(r, device, reply, action, out);
        break;
    case HAL_GA467_SELECTING:
        if (reply->reply == HAL_GA467_REPLY_OK) {
            r->state = HAL_GA467_READING;
            send_command(r, action, HAL_GA467_CMD_READ, HAL_GA467_PARA_BASE_INFO,
                         HAL_GA467_READ_MS);
        } else {
            on_card(r, device, reply, out);
        }
        break;
    case HAL_GA467_READING:
        on_card(r, device, reply, out);
        break;
    }
    return HAL_OK;
}
