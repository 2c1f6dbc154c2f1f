/* Device configuration: the shipped USB table, kiosk overrides, and every malformed line. */
#include "testutil.h"

#include "hal/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_shipped_table(void **state)
{
    (void)state;
    char path[ZC_TEST_PATH_MAX], err[HAL_CONFIG_ERR_MAX] = "";
    snprintf(path, sizeof path, "%s/../../../assets/hal/devices.conf", ZC_HAL_DATA);
    hal_config *cfg = calloc(1, sizeof *cfg);
    assert_non_null(cfg);
    if (hal_config_load(cfg, path, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(cfg->ndevices, 0);
    const hal_usb_match *m = hal_config_match_usb(cfg, 0x1a86, 0x7523);
    assert_non_null(m);
    assert_string_equal(m->driver, "ga467");
    m = hal_config_match_usb(cfg, 0x0c2e, 0x0b61); /* any Honeywell product */
    assert_non_null(m);
    assert_string_equal(m->driver, "hid-scanner");
    assert_null(hal_config_match_usb(cfg, 0x1234, 0x5678));

    /* A kiosk's file: its own devices, and an exact id that beats the vendor-wide entry. */
    static const char KIOSK[] = "[device idcard]\n"
                                "driver = ga467\n"
                                "transport = serial:/dev/ttyUSB0@115200\n"
                                "\n"
                                "; the printer\n"
                                "[device printer]\r\n"
                                "  driver=escpos  \r\n"
                                "transport = usb:0416:5011\n"
                                "paper = 80\n"
                                "[usb 0c2e:0b61]\n"
                                "driver = hid-cardreader\n";
    assert_int_equal(hal_config_parse(cfg, "kiosk.conf", KIOSK, strlen(KIOSK), err, sizeof err),
                     HAL_OK);
    assert_int_equal(cfg->ndevices, 2);
    const hal_device_config *d = hal_config_device(cfg, "printer");
    assert_non_null(d);
    assert_string_equal(d->driver, "escpos");
    assert_int_equal(d->paper_mm, 80);
    assert_int_equal(hal_config_device(cfg, "idcard")->paper_mm, 58);
    assert_string_equal(hal_config_match_usb(cfg, 0x0c2e, 0x0b61)->driver, "hid-cardreader");
    assert_string_equal(hal_config_match_usb(cfg, 0x0c2e, 0x0001)->driver, "hid-scanner");
    free(cfg);
}

typedef struct bad_case {
    const char *text;
    const char *msg; /* after "bad.conf:" */
} bad_case;

static const bad_case BAD[] = {
    {"driver = ga467\n", "1: \"driver\" outside any"},
    {"[device]\n", "1: unknown section [device]"},
    {"[device id card]\ndriver = ga467\n", "1: device name \"id card\""},
    {"[device a\n", "1: section header must end"},
    {"[printer]\n", "1: unknown section [printer]"},
    {"[device a]\ndriver = ga468\n", "2: driver \"ga468\" is not one of"},
    {"[device a]\ndriver = ga467\ntransport = tcp:1.2.3.4\n", "3: transport: "},
    {"[device a]\ndriver = escpos\ntransport = usb:0416:5011\npaper = 57\n", "4: paper must be"},
    {"[device a]\ncolour = red\n", "2: unknown key \"colour\""},
    {"[device a]\ndriver ga467\n", "2: expected \"key = value\""},
    {"[device a]\ndriver = ga467\n", "2: device \"a\" needs both driver and transport"},
    {"[device a]\ndriver = sim\ntransport = stdin\n[device a]\n", "4: device \"a\" is configured"},
    {"[usb 1a86]\n", "1: usb id \"1a86\""},
    {"[usb 1a86:75230]\n", "1: usb id"},
    {"[usb zz86:7523]\n", "1: usb id"},
    {"[usb 1a86:7523]\ndescription = x\n", "2: usb entry 1a86:7523 needs a driver"},
    {"[usb 1a86:7523]\npaper = 58\n", "2: unknown key \"paper\" in a usb section"},
};

static void test_bad_lines(void **state)
{
    (void)state;
    hal_config *cfg = calloc(1, sizeof *cfg);
    assert_non_null(cfg);
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        char err[HAL_CONFIG_ERR_MAX] = "", expect[HAL_CONFIG_ERR_MAX];
        snprintf(expect, sizeof expect, "bad.conf:%s", BAD[i].msg);
        hal_err rc =
            hal_config_parse(cfg, "bad.conf", BAD[i].text, strlen(BAD[i].text), err, sizeof err);
        if (rc != HAL_ERR_INVALID || strncmp(err, expect, strlen(expect)) != 0)
            fail_msg("case %zu: %s \"%s\", expected \"%s\"", i, hal_err_str(rc), err, expect);
        assert_int_equal(cfg->ndevices, 0); /* a refused file changes nothing */
        assert_int_equal(cfg->nusb, 0);
    }
    static const char NUL[] = "[device a]\0\n";
    char err[HAL_CONFIG_ERR_MAX];
    assert_int_equal(hal_config_parse(cfg, "nul.conf", NUL, sizeof NUL - 1, err, sizeof err),
                     HAL_ERR_INVALID);
    assert_int_equal(hal_config_load(cfg, "/nonexistent/devices.conf", err, sizeof err),
                     HAL_ERR_NOT_FOUND);
    free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_table),
        cmocka_unit_test(test_bad_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
