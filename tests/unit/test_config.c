/* test_config.c - sk_config_*: configuration from environment variables.
 *
 * Every test uses variables of its own (SEKLIK_UT_*), sets or unsets them
 * itself, and checks the error text names the variable: that text is all an
 * operator sees when a service refuses to start. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_config.h"

/* 32 bytes 00 01 02 .. 1f as hex. */
static const char HEX32[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

static int setup(void **state)
{
    sk_config *cfg = malloc(sizeof(*cfg));
    if (!cfg)
        return -1;
    sk_config_init(cfg);
    *state = cfg;
    return 0;
}

static int teardown(void **state)
{
    sk_config_free(*state);
    free(*state);
    return 0;
}

/* The error names `name` first, as "NAME: why". */
static void assert_error_names(const sk_config *cfg, const char *name)
{
    assert_true(sk_config_failed(cfg));
    size_t n = strlen(name);
    assert_memory_equal(cfg->error, name, n);
    assert_int_equal(cfg->error[n], ':');
}

static void fresh_config_has_no_error(void **state)
{
    sk_config *cfg = *state;
    assert_false(sk_config_failed(cfg));
    assert_string_equal(cfg->error, "");
    assert_int_equal(cfg->n_names, 0);
}

static void str_returns_the_value_when_set(void **state)
{
    sk_config *cfg = *state;
    setenv("SEKLIK_UT_STR", "hello", 1);
    assert_string_equal(sk_config_str(cfg, "SEKLIK_UT_STR", "dflt", true), "hello");
    assert_false(sk_config_failed(cfg));
}

static void str_optional_missing_gives_default_without_error(void **state)
{
    sk_config *cfg = *state;
    unsetenv("SEKLIK_UT_OPT");
    assert_string_equal(sk_config_str(cfg, "SEKLIK_UT_OPT", "dflt", false), "dflt");
    setenv("SEKLIK_UT_OPT", "", 1); /* empty is the same as unset */
    assert_string_equal(sk_config_str(cfg, "SEKLIK_UT_OPT", "dflt", false), "dflt");
    assert_null(sk_config_str(cfg, "SEKLIK_UT_OPT", NULL, false));
    assert_false(sk_config_failed(cfg));
}

static void required_missing_names_the_variable(void **state)
{
    sk_config *cfg = *state;
    unsetenv("SEKLIK_UT_DSN");
    assert_null(sk_config_str(cfg, "SEKLIK_UT_DSN", NULL, true));
    assert_error_names(cfg, "SEKLIK_UT_DSN");
    assert_non_null(strstr(cfg->error, "required"));
}

static void required_empty_counts_as_missing(void **state)
{
    sk_config *cfg = *state;
    setenv("SEKLIK_UT_DSN", "", 1);
    sk_config_str(cfg, "SEKLIK_UT_DSN", NULL, true);
    assert_error_names(cfg, "SEKLIK_UT_DSN");
}

static void long_accepts_whole_numbers_in_range(void **state)
{
    sk_config *cfg = *state;
    setenv("SEKLIK_UT_N", "42", 1);
    assert_int_equal(sk_config_long(cfg, "SEKLIK_UT_N", 7, 1, 100), 42);
    setenv("SEKLIK_UT_N", "1", 1); /* both ends are inclusive */
    assert_int_equal(sk_config_long(cfg, "SEKLIK_UT_N", 7, 1, 100), 1);
    setenv("SEKLIK_UT_N", "100", 1);
    assert_int_equal(sk_config_long(cfg, "SEKLIK_UT_N", 7, 1, 100), 100);
    setenv("SEKLIK_UT_N", "-5", 1);
    assert_int_equal(sk_config_long(cfg, "SEKLIK_UT_N", 7, -10, 10), -5);
    unsetenv("SEKLIK_UT_N");
    assert_int_equal(sk_config_long(cfg, "SEKLIK_UT_N", 7, 1, 100), 7);
    assert_false(sk_config_failed(cfg));
}

static void long_not_a_number_names_the_variable(void **state)
{
    sk_config *cfg = *state;
    setenv("SEKLIK_UT_PORT", "80x", 1);
    assert_int_equal(sk_config_long(cfg, "SEKLIK_UT_PORT", 9090, 1, 65535), 9090);
    assert_error_names(cfg, "SEKLIK_UT_PORT");
    assert_non_null(strstr(cfg->error, "\"80x\"")); /* the bad value is quoted back */
}

static void long_rejects_each_kind_of_bad_value(void **state)
{
    sk_config *cfg = *state;
    const char *bad[] = {"abc", "1.5", "12 ", "0x10", "99999999999999999999999", "-"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sk_config c;
        sk_config_init(&c);
        setenv("SEKLIK_UT_N", bad[i], 1);
        assert_int_equal(sk_config_long(&c, "SEKLIK_UT_N", -3, -1000, 1000), -3);
        assert_error_names(&c, "SEKLIK_UT_N");
        sk_config_free(&c);
    }
    (void)cfg;
}

static void long_out_of_range_names_the_variable(void **state)
{
    sk_config *cfg = *state;
    setenv("SEKLIK_UT_PORT", "65536", 1);
    assert_int_equal(sk_config_long(cfg, "SEKLIK_UT_PORT", 9090, 1, 65535), 9090);
    assert_error_names(cfg, "SEKLIK_UT_PORT");
    assert_non_null(strstr(cfg->error, "1 to 65535"));

    sk_config low;
    sk_config_init(&low);
    setenv("SEKLIK_UT_PORT", "0", 1);
    assert_int_equal(sk_config_long(&low, "SEKLIK_UT_PORT", 9090, 1, 65535), 9090);
    assert_error_names(&low, "SEKLIK_UT_PORT");
    sk_config_free(&low);
}

static void url_accepts_each_listed_scheme(void **state)
{
    sk_config *cfg = *state;
    setenv("SEKLIK_UT_URL", "tcp://127.0.0.1:5555", 1);
    assert_string_equal(sk_config_url(cfg, "SEKLIK_UT_URL", NULL, "tcp,ipc"),
                        "tcp://127.0.0.1:5555");
    setenv("SEKLIK_UT_URL", "ipc:///run/seklik/registry.ipc", 1);
    assert_string_equal(sk_config_url(cfg, "SEKLIK_UT_URL", NULL, "tcp,ipc"),
                        "ipc:///run/seklik/registry.ipc");
    setenv("SEKLIK_UT_URL", "http://gateway:8080/", 1);
    assert_string_equal(sk_config_url(cfg, "SEKLIK_UT_URL", NULL, "http"), "http://gateway:8080/");
    setenv("SEKLIK_UT_URL", "redis://cache:6379/0", 1);
    assert_string_equal(sk_config_url(cfg, "SEKLIK_UT_URL", NULL, "redis"), "redis://cache:6379/0");
    assert_false(sk_config_failed(cfg));
}

static void url_unset_gives_default(void **state)
{
    sk_config *cfg = *state;
    unsetenv("SEKLIK_UT_URL");
    assert_string_equal(sk_config_url(cfg, "SEKLIK_UT_URL", "tcp://0.0.0.0:1", "tcp"),
                        "tcp://0.0.0.0:1");
    assert_false(sk_config_failed(cfg));
}

static void url_without_default_is_required(void **state)
{
    sk_config *cfg = *state;
    unsetenv("SEKLIK_UT_URL");
    assert_null(sk_config_url(cfg, "SEKLIK_UT_URL", NULL, "tcp"));
    assert_error_names(cfg, "SEKLIK_UT_URL");
}

static void url_wrong_scheme_names_the_variable(void **state)
{
    sk_config *cfg = *state;
    setenv("SEKLIK_UT_URL", "http://127.0.0.1:5555", 1);
    assert_string_equal(sk_config_url(cfg, "SEKLIK_UT_URL", "tcp://0.0.0.0:1", "tcp,ipc"),
                        "tcp://0.0.0.0:1");
    assert_error_names(cfg, "SEKLIK_UT_URL");
    assert_non_null(strstr(cfg->error, "tcp,ipc"));
}

static void url_rejects_near_misses(void **state)
{
    sk_config *cfg = *state;
    /* Prefixes and extensions of a scheme, the list itself, no scheme, nothing after it. */
    const struct {
        const char *value, *schemes;
    } bad[] = {
        {"tc://host:1", "tcp,ipc"},
        {"tcpx://host:1", "tcp,ipc"},
        {"ipcc://x", "tcp,ipc"},
        {"tcp,ipc://host:1", "tcp,ipc"},
        {"rediss://cache:6379", "redis"},
        {"https://gateway", "http"},
        {"host:5555", "tcp"},
        {"://host:5555", "tcp"},
        {"tcp://", "tcp"},
        {"tcp:/host:1", "tcp"},
        {"TCP://host:1", "tcp"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sk_config c;
        sk_config_init(&c);
        setenv("SEKLIK_UT_URL", bad[i].value, 1);
        const char *got = sk_config_url(&c, "SEKLIK_UT_URL", NULL, bad[i].schemes);
        if (!sk_config_failed(&c))
            fail_msg("accepted \"%s\" for schemes \"%s\"", bad[i].value, bad[i].schemes);
        assert_null(got);
        assert_error_names(&c, "SEKLIK_UT_URL");
        sk_config_free(&c);
    }
    (void)cfg;
}

static void hex_secret_decodes_the_bytes(void **state)
{
    sk_config *cfg = *state;
    unsigned char out[64];
    memset(out, 0xee, sizeof(out));
    setenv("SEKLIK_UT_KEY", HEX32, 1);
    assert_int_equal(sk_config_hex_secret(cfg, "SEKLIK_UT_KEY", out, sizeof(out), 32), 32);
    for (int i = 0; i < 32; i++)
        assert_int_equal(out[i], i);
    assert_int_equal(out[32], 0xee); /* nothing written past the secret */
    assert_false(sk_config_failed(cfg));
}

static void hex_secret_accepts_upper_case(void **state)
{
    sk_config *cfg = *state;
    unsigned char out[4];
    setenv("SEKLIK_UT_KEY", "DEADbeef", 1);
    assert_int_equal(sk_config_hex_secret(cfg, "SEKLIK_UT_KEY", out, sizeof(out), 4), 4);
    assert_int_equal(out[0], 0xde);
    assert_int_equal(out[1], 0xad);
    assert_int_equal(out[2], 0xbe);
    assert_int_equal(out[3], 0xef);
}

static void hex_secret_too_short_names_the_variable(void **state)
{
    sk_config *cfg = *state;
    unsigned char out[64];
    setenv("SEKLIK_UT_KEY", HEX32 + 2, 1); /* 31 bytes */
    assert_int_equal(sk_config_hex_secret(cfg, "SEKLIK_UT_KEY", out, sizeof(out), 32), 0);
    assert_error_names(cfg, "SEKLIK_UT_KEY");
}

static void hex_secret_too_long_is_refused(void **state)
{
    sk_config *cfg = *state;
    unsigned char out[31];
    setenv("SEKLIK_UT_KEY", HEX32, 1); /* 32 bytes into 31 */
    assert_int_equal(sk_config_hex_secret(cfg, "SEKLIK_UT_KEY", out, sizeof(out), 16), 0);
    assert_error_names(cfg, "SEKLIK_UT_KEY");
}

static void hex_secret_odd_length_names_the_variable(void **state)
{
    sk_config *cfg = *state;
    unsigned char out[64];
    char odd[sizeof(HEX32) + 1];
    snprintf(odd, sizeof(odd), "%s0", HEX32); /* 65 characters: 32 bytes and a half */
    setenv("SEKLIK_UT_KEY", odd, 1);
    assert_int_equal(sk_config_hex_secret(cfg, "SEKLIK_UT_KEY", out, sizeof(out), 32), 0);
    assert_error_names(cfg, "SEKLIK_UT_KEY");
}

static void hex_secret_non_hex_names_the_variable(void **state)
{
    sk_config *cfg = *state;
    unsigned char out[64];
    char bad[sizeof(HEX32)];
    memcpy(bad, HEX32, sizeof(HEX32));
    bad[63] = 'g'; /* the very last digit */
    setenv("SEKLIK_UT_KEY", bad, 1);
    assert_int_equal(sk_config_hex_secret(cfg, "SEKLIK_UT_KEY", out, sizeof(out), 32), 0);
    assert_error_names(cfg, "SEKLIK_UT_KEY");
    assert_non_null(strstr(cfg->error, "hex"));

    sk_config c;
    sk_config_init(&c);
    bad[63] = 'f';
    bad[0] = ' '; /* the very first */
    setenv("SEKLIK_UT_KEY", bad, 1);
    assert_int_equal(sk_config_hex_secret(&c, "SEKLIK_UT_KEY", out, sizeof(out), 32), 0);
    assert_error_names(&c, "SEKLIK_UT_KEY");
    sk_config_free(&c);
}

static void hex_secret_missing_is_required(void **state)
{
    sk_config *cfg = *state;
    unsigned char out[64];
    unsetenv("SEKLIK_UT_KEY");
    assert_int_equal(sk_config_hex_secret(cfg, "SEKLIK_UT_KEY", out, sizeof(out), 32), 0);
    assert_error_names(cfg, "SEKLIK_UT_KEY");
}

static void first_error_is_kept(void **state)
{
    sk_config *cfg = *state;
    setenv("SEKLIK_UT_FIRST", "nope", 1);
    setenv("SEKLIK_UT_SECOND", "ftp://x", 1);
    unsetenv("SEKLIK_UT_THIRD");
    sk_config_long(cfg, "SEKLIK_UT_FIRST", 1, 0, 10);
    sk_config_url(cfg, "SEKLIK_UT_SECOND", NULL, "tcp");
    sk_config_str(cfg, "SEKLIK_UT_THIRD", NULL, true);
    sk_config_fail(cfg, "SEKLIK_UT_FOURTH", "caller's own check");
    assert_error_names(cfg, "SEKLIK_UT_FIRST");
    assert_null(strstr(cfg->error, "SECOND"));
    assert_null(strstr(cfg->error, "THIRD"));
    assert_null(strstr(cfg->error, "FOURTH"));
}

static void fail_records_the_callers_reason(void **state)
{
    sk_config *cfg = *state;
    sk_config_fail(cfg, "SEKLIK_UT_MODE", "must be one of dev, prod");
    assert_string_equal(cfg->error, "SEKLIK_UT_MODE: must be one of dev, prod");
}

static bool has_name(const sk_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_names; i++)
        if (strcmp(cfg->names[i], name) == 0)
            return true;
    return false;
}

static void every_consulted_name_is_recorded_once(void **state)
{
    sk_config *cfg = *state;
    unsigned char key[64];
    setenv("SEKLIK_UT_A", "5", 1);
    unsetenv("SEKLIK_UT_B");
    setenv("SEKLIK_UT_C", "tcp://h:1", 1);
    setenv("SEKLIK_UT_D", "zz", 1);

    sk_config_long(cfg, "SEKLIK_UT_A", 0, 0, 10);
    sk_config_str(cfg, "SEKLIK_UT_B", "x", false); /* unset: still read, so still listed */
    sk_config_url(cfg, "SEKLIK_UT_C", NULL, "tcp");
    sk_config_hex_secret(cfg, "SEKLIK_UT_D", key, sizeof(key), 32); /* bad: still listed */
    sk_config_str(cfg, "SEKLIK_UT_A", NULL, false);
    sk_config_long(cfg, "SEKLIK_UT_B", 0, 0, 10);
    sk_config_url(cfg, "SEKLIK_UT_C", NULL, "tcp");

    assert_int_equal(cfg->n_names, 4);
    assert_string_equal(cfg->names[0], "SEKLIK_UT_A"); /* in the order first read */
    assert_string_equal(cfg->names[1], "SEKLIK_UT_B");
    assert_string_equal(cfg->names[2], "SEKLIK_UT_C");
    assert_string_equal(cfg->names[3], "SEKLIK_UT_D");
}

static void names_are_copies(void **state)
{
    sk_config *cfg = *state;
    char name[] = "SEKLIK_UT_COPY";
    sk_config_str(cfg, name, NULL, false);
    name[10] = 'X'; /* the caller's buffer changes; the record must not */
    assert_true(has_name(cfg, "SEKLIK_UT_COPY"));
    assert_false(has_name(cfg, name));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(fresh_config_has_no_error, setup, teardown),
        cmocka_unit_test_setup_teardown(str_returns_the_value_when_set, setup, teardown),
        cmocka_unit_test_setup_teardown(str_optional_missing_gives_default_without_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(required_missing_names_the_variable, setup, teardown),
        cmocka_unit_test_setup_teardown(required_empty_counts_as_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(long_accepts_whole_numbers_in_range, setup, teardown),
        cmocka_unit_test_setup_teardown(long_not_a_number_names_the_variable, setup, teardown),
        cmocka_unit_test_setup_teardown(long_rejects_each_kind_of_bad_value, setup, teardown),
        cmocka_unit_test_setup_teardown(long_out_of_range_names_the_variable, setup, teardown),
        cmocka_unit_test_setup_teardown(url_accepts_each_listed_scheme, setup, teardown),
        cmocka_unit_test_setup_teardown(url_unset_gives_default, setup, teardown),
        cmocka_unit_test_setup_teardown(url_without_default_is_required, setup, teardown),
        cmocka_unit_test_setup_teardown(url_wrong_scheme_names_the_variable, setup, teardown),
        cmocka_unit_test_setup_teardown(url_rejects_near_misses, setup, teardown),
        cmocka_unit_test_setup_teardown(hex_secret_decodes_the_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(hex_secret_accepts_upper_case, setup, teardown),
        cmocka_unit_test_setup_teardown(hex_secret_too_short_names_the_variable, setup, teardown),
        cmocka_unit_test_setup_teardown(hex_secret_too_long_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(hex_secret_odd_length_names_the_variable, setup, teardown),
        cmocka_unit_test_setup_teardown(hex_secret_non_hex_names_the_variable, setup, teardown),
        cmocka_unit_test_setup_teardown(hex_secret_missing_is_required, setup, teardown),
        cmocka_unit_test_setup_teardown(first_error_is_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(fail_records_the_callers_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(every_consulted_name_is_recorded_once, setup, teardown),
        cmocka_unit_test_setup_teardown(names_are_copies, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
