/* Simulated devices: the line words, chunking, and garbage. */
#include "testutil.h"

#include "hal/sim.h"

#include <string.h>

typedef struct sim_case {
    const char *line;
    hal_event_kind kind;
    const char *text; /* QR text, UID, ID number, or the start of an error */
} sim_case;

static const sim_case CASES[] = {
    {"qr ZCE1.ABCDEFGH", HAL_EVENT_QR, "ZCE1.ABCDEFGH"},
    {"qr   https://example.cn/a b", HAL_EVENT_QR, "https://example.cn/a b"},
    {"card 0012345678", HAL_EVENT_MEAL_CARD, "0012345678"},
    {"id_card 320202194605011236 张三华", HAL_EVENT_ID_CARD, "320202194605011236"},
    {"unplug", HAL_EVENT_STATUS, NULL},
    {"qr", HAL_EVENT_ERROR, "sim: qr needs a value"},
    {"id_card 3202 张三", HAL_EVENT_ERROR, "sim: usage: id_card"},
    {"id_card 320202194605011236", HAL_EVENT_ERROR, "sim: usage: id_card"},
    {"scan x", HAL_EVENT_ERROR, "sim: unknown line"},
};

static void test_lines(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        hal_events out = {0};
        hal_sim_line("sim", CASES[i].line, &out);
        assert_int_equal(out.n, 1);
        const hal_event *ev = &out.v[0];
        if (ev->kind != CASES[i].kind)
            fail_msg("case %zu: kind %d", i, ev->kind);
        const char *got = ev->kind == HAL_EVENT_ID_CARD ? ev->u.id_card.id_number
                          : ev->kind == HAL_EVENT_ERROR ? ev->u.error
                                                        : ev->u.text;
        if (CASES[i].text && strncmp(got, CASES[i].text, strlen(CASES[i].text)) != 0)
            fail_msg("case %zu: \"%s\"", i, got);
    }
    hal_events out = {0};
    hal_sim_line("sim", "id_card 320202194605011236 张三华", &out);
    assert_string_equal(out.v[0].u.id_card.birth_date, "1946-05-01");
    assert_string_equal(out.v[0].u.id_card.sex, "男");
    assert_string_equal(out.v[0].u.id_card.name, "张三华");
    hal_sim_line("sim", "# a comment", &out);
    hal_sim_line("sim", "   ", &out);
    assert_int_equal(out.n, 1);
}

static void test_chunks_and_garbage(void **state)
{
    (void)state;
    static const char STREAM[] = "qr A1\r\ncard 42\nqr B\0C\nqr D\n";
    for (size_t split = 0; split <= sizeof STREAM - 1; split++) {
        hal_sim_decoder dec;
        hal_sim_decoder_init(&dec);
        hal_events out = {0};
        hal_sim_feed(&dec, "sim", (const uint8_t *)STREAM, split, &out);
        hal_sim_feed(&dec, "sim", (const uint8_t *)STREAM + split, sizeof STREAM - 1 - split, &out);
        assert_int_equal(out.n, 4);
        assert_string_equal(out.v[0].u.text, "A1");
        assert_string_equal(out.v[1].u.text, "42");
        assert_int_equal(out.v[2].kind, HAL_EVENT_ERROR); /* the line with a NUL is dropped */
        assert_string_equal(out.v[3].u.text, "D");
    }
    hal_sim_decoder dec;
    hal_sim_decoder_init(&dec);
    hal_events out = {0};
    uint8_t big[HAL_SIM_LINE_MAX * 2];
    memset(big, 'x', sizeof big);
    hal_sim_feed(&dec, "sim", big, sizeof big, &out);
    hal_sim_feed(&dec, "sim", (const uint8_t *)"\nqr ok\n", 7, &out);
    assert_int_equal(out.n, 2);
    assert_int_equal(out.v[0].kind, HAL_EVENT_ERROR);
    assert_string_equal(out.v[1].u.text, "ok");
}

static void test_json(void **state)
{
    (void)state;
    hal_events out = {0};
    hal_sim_line("sim", "qr say \"hi\"", &out);
    char buf[HAL_TEXT_MAX * 2];
    assert_true(hal_event_to_json(&out.v[0], buf, sizeof buf) > 0);
    assert_string_equal(buf, "{\"kind\":\"qr\",\"text\":\"say \\\"hi\\\"\"}");
    char tiny[8];
    assert_int_equal(hal_event_to_json(&out.v[0], tiny, sizeof tiny), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_chunks_and_garbage),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
