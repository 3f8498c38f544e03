/* test_gateway_domain.c - the gateway's pure rules: usernames, passwords,
 * roles, locales, throttling and session renewal, with the edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "gateway/domain.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- usernames ---- */

static void username_is_trimmed_and_lower_cased(void **state)
{
    (void)state;
    char out[80];
    assert_int_equal(gw_username_normalize("  Siti.Aminah ", out, sizeof(out)), GW_OK);
    assert_string_equal(out, "siti.aminah");
    assert_int_equal(gw_username_normalize("humas@kominfo", out, sizeof(out)), GW_OK);
    assert_int_equal(gw_username_normalize("a_b-c", out, sizeof(out)), GW_OK);
}

static void username_length_and_characters(void **state)
{
    (void)state;
    char out[80];
    static const struct {
        const char *in;
        gw_problem want;
    } cases[] = {
        {NULL, GW_MISSING},
        {"", GW_MISSING},
        {"   ", GW_MISSING},
        {"ab", GW_USERNAME_LENGTH},                 /* 2 */
        {"abc", GW_OK},                             /* 3: the shortest */
        {"a234567890123456789012345678901234567890123456789012345678901234", GW_OK}, /* 64 */
        {"a2345678901234567890123456789012345678901234567890123456789012345",
         GW_USERNAME_LENGTH},                       /* 65 */
        {"siti aminah", GW_USERNAME_CHARS},         /* inner space */
        {".siti", GW_USERNAME_CHARS},               /* must start with a letter or digit */
        {"siti;drop", GW_USERNAME_CHARS},
        {"s\xc3\xaeti", GW_USERNAME_CHARS},         /* non-ASCII */
    };
    for (size_t i = 0; i < COUNT(cases); i++)
        assert_int_equal(gw_username_normalize(cases[i].in, out, sizeof(out)), cases[i].want);
}

/* ---- passwords ---- */

static void password_needs_ten_characters(void **state)
{
    (void)state;
    assert_int_equal(gw_password_check(NULL, "siti"), GW_MISSING);
    assert_int_equal(gw_password_check("", "siti"), GW_MISSING);
    assert_int_equal(gw_password_check("Kopi-Sus9", "siti"), GW_PASSWORD_SHORT);  /* 9 */
    assert_int_equal(gw_password_check("Kopi-Susu9", "siti"), GW_OK);            /* 10 */
    /* Characters, not bytes: nine 2-byte letters are still nine. */
    assert_int_equal(gw_password_check("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                                       "\xc3\xa9\xc3\xa9",
                                       "siti"),
                     GW_PASSWORD_SHORT);
    assert_int_equal(gw_password_check("\xff\xfe-not-utf8-at-all", "siti"), GW_PASSWORD_ENCODING);
    char long_pw[GW_PASSWORD_MAX + 2];
    memset(long_pw, 'x', sizeof(long_pw) - 1);
    long_pw[0] = 'y';
    long_pw[sizeof(long_pw) - 1] = '\0'; /* 257 bytes */
    assert_int_equal(gw_password_check(long_pw, "siti"), GW_PASSWORD_LONG);
    long_pw[GW_PASSWORD_MAX] = '\0'; /* 256 bytes */
    assert_int_equal(gw_password_check(long_pw, "siti"), GW_OK);
}

static void password_is_not_the_username_nor_common(void **state)
{
    (void)state;
    assert_int_equal(gw_password_check("siti.aminah", "siti.aminah"), GW_PASSWORD_USERNAME);
    assert_int_equal(gw_password_check("SITI.AMINAH", "siti.aminah"), GW_PASSWORD_USERNAME);
    assert_int_equal(gw_password_check("siti.aminah", NULL), GW_OK);
    assert_int_equal(gw_password_check("1234567890", "siti"), GW_PASSWORD_COMMON);
    assert_int_equal(gw_password_check("Password123", "siti"), GW_PASSWORD_COMMON);
    assert_int_equal(gw_password_check("qwertyuiop", "siti"), GW_PASSWORD_COMMON);
    assert_int_equal(gw_password_check("aaaaaaaaaaaa", "siti"), GW_PASSWORD_COMMON);
    assert_int_equal(gw_password_check("Indonesia123", "siti"), GW_PASSWORD_COMMON);
}

/* A problem's message is "<code>: <English>": the UI says the code's words in
 * the chosen language (web/src/i18n/codes.*.js), a CLI prints the English. */
static void messages_lead_with_their_code(void **state)
{
    (void)state;
    assert_string_equal(gw_problem_message(GW_OK), "");
    assert_string_equal(gw_problem_message(GW_PASSWORD_SHORT),
                        "password.too_short: a password needs at least 10 characters");
    for (int p = GW_MISSING; p <= GW_EMAIL_INVALID; p++) {
        const char *s = gw_problem_message((gw_problem)p);
        size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.");
        assert_true(n > 0);
        assert_memory_equal(s + n, ": ", 2);
        assert_true(strlen(s + n + 2) > 0);
        assert_null(strchr(s, '(')); /* one language, no "(English)" */
    }
}

/* ---- display names ---- */

static void display_name_rules(void **state)
{
    (void)state;
    char out[140];
    assert_int_equal(gw_display_name_check("Siti Aminah"), GW_OK);
    assert_int_equal(gw_display_name_check("Sri Wahyuni, S.Sos."), GW_OK);
    assert_int_equal(gw_display_name_check("  "), GW_MISSING);
    assert_int_equal(gw_display_name_check(NULL), GW_MISSING);
    assert_int_equal(gw_display_name_check("Siti\x01"), GW_DISPLAY_NAME_CHARS);
    assert_int_equal(gw_display_name_check("Siti\tAminah"), GW_DISPLAY_NAME_CHARS);
    assert_int_equal(gw_display_name_check("Siti Aminah \n"), GW_OK); /* trimmed */
    char name[GW_DISPLAY_NAME_MAX + 2];
    memset(name, 'a', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    assert_int_equal(gw_display_name_check(name), GW_DISPLAY_NAME_LENGTH);
    name[GW_DISPLAY_NAME_MAX] = '\0';
    assert_int_equal(gw_display_name_check(name), GW_OK);
    gw_trim_copy("  Budi Santoso\r\n", out, sizeof(out));
    assert_string_equal(out, "Budi Santoso");
    gw_trim_copy("ab\xc3\xa9", out, 4); /* "ab" and half an é does not fit: cut before it */
    assert_string_equal(out, "ab");
}

/* ---- roles ---- */

static void roles_are_the_known_seven(void **state)
{
    (void)state;
    static const char *const ok[] = {"admin", "verifier", "partnership", "pr",
                                     "finance", "head", "partner"};
    for (size_t i = 0; i < COUNT(ok); i++)
        assert_true(gw_role_valid(ok[i]));
    assert_false(gw_role_valid("Admin"));
    assert_false(gw_role_valid("viewer"));
    assert_false(gw_role_valid(""));
    assert_false(gw_role_valid(NULL));
}

static void partner_stands_alone(void **state)
{
    (void)state;
    const char *const company = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
    int bad;
    const char *partner[] = {"partner"};
    assert_int_equal(gw_roles_check(partner, 1, company, &bad), GW_OK);
    assert_int_equal(gw_roles_check(partner, 1, "", &bad), GW_OK); /* not bound yet */
    assert_true(gw_roles_is_partner(partner, 1));
    const char *mixed[] = {"verifier", "partner"};
    assert_int_equal(gw_roles_check(mixed, 2, NULL, &bad), GW_ROLE_PARTNER_MIXED);
    assert_false(gw_roles_is_partner(mixed, 2));
    const char *staff[] = {"verifier", "head"};
    assert_int_equal(gw_roles_check(staff, 2, NULL, &bad), GW_OK);
    assert_int_equal(gw_roles_check(staff, 2, company, &bad), GW_COMPANY_NOT_PARTNER);
    const char *unknown[] = {"verifier", "root"};
    assert_int_equal(gw_roles_check(unknown, 2, NULL, &bad), GW_ROLE_UNKNOWN);
    assert_int_equal(bad, 1);
    const char *twice[] = {"pr", "finance", "pr"};
    assert_int_equal(gw_roles_check(twice, 3, NULL, &bad), GW_ROLE_DUPLICATE);
    assert_int_equal(bad, 2);
    assert_int_equal(gw_roles_check(NULL, 0, NULL, &bad), GW_MISSING);
    const char *nine[] = {"admin", "verifier", "partnership", "pr", "finance",
                          "head", "admin", "pr", "head"};
    assert_int_equal(gw_roles_check(nine, 9, NULL, &bad), GW_ROLE_TOO_MANY);
}

/* ---- locale ---- */

static void locale_is_id_or_en(void **state)
{
    (void)state;
    assert_true(gw_locale_valid("id"));
    assert_true(gw_locale_valid("en"));
    assert_false(gw_locale_valid("ID"));
    assert_false(gw_locale_valid("en-US"));
    assert_false(gw_locale_valid(""));
    assert_false(gw_locale_valid(NULL));
}

/* ---- throttling ---- */

static void throttle_refuses_at_the_limit(void **state)
{
    (void)state;
    int retry = -1;
    /* 5 allowed in 900 s: the 4th failure still lets the next attempt through. */
    assert_false(gw_throttle_refuse(4, 100, 5, 900, &retry));
    assert_int_equal(retry, -1); /* untouched */
    assert_true(gw_throttle_refuse(5, 100, 5, 900, &retry));
    assert_int_equal(retry, 800); /* the oldest leaves the window 900 - 100 s from now */
    assert_true(gw_throttle_refuse(7, 899, 5, 900, &retry));
    assert_int_equal(retry, 1);
    assert_true(gw_throttle_refuse(5, 950, 5, 900, &retry)); /* already out: at least 1 s */
    assert_int_equal(retry, 1);
    assert_true(gw_throttle_refuse(5, -30, 5, 900, &retry)); /* clock skew: never past the window */
    assert_int_equal(retry, 900);
    assert_false(gw_throttle_refuse(100, 0, 0, 900, &retry)); /* no limit configured */
}

static void login_is_throttled_per_username_and_address(void **state)
{
    (void)state;
    int retry = -1;
    gw_login_counts c = {0};
    assert_int_equal(gw_login_throttle(&c, 5, 900, &retry), GW_LOGIN_ALLOWED);
    assert_int_equal(retry, -1);
    /* The pair: 5 from this address for this name. */
    c.pair_failures = 5;
    c.pair_oldest_age_s = 100;
    c.user_failures = 5;
    c.addr_failures = 5;
    assert_int_equal(gw_login_throttle(&c, 5, 900, &retry), GW_LOGIN_REFUSED_PAIR);
    assert_int_equal(retry, 800);
    /* The same failures seen from another address of the owner's: allowed. */
    c.pair_failures = 0;
    c.addr_failures = 0;
    assert_int_equal(gw_login_throttle(&c, 5, 900, &retry), GW_LOGIN_ALLOWED);
    /* One address spraying names: 10 x 5. */
    c.addr_failures = 49;
    assert_int_equal(gw_login_throttle(&c, 5, 900, &retry), GW_LOGIN_ALLOWED);
    c.addr_failures = 50;
    c.addr_oldest_age_s = 10;
    assert_int_equal(gw_login_throttle(&c, 5, 900, &retry), GW_LOGIN_REFUSED_ADDR);
    assert_int_equal(retry, 890);
    c.addr_failures = 0;
}

static void a_known_address_is_spared_the_usernames_own_limit(void **state)
{
    (void)state;
    int retry = -1;
    /* Guesses spread over many addresses: 4 x 5 for the name. */
    gw_login_counts c = {.user_failures = 19, .user_oldest_age_s = 300};
    assert_int_equal(gw_login_throttle(&c, 5, 900, &retry), GW_LOGIN_ALLOWED);
    c.user_failures = 20;
    assert_int_equal(gw_login_throttle(&c, 5, 900, &retry), GW_LOGIN_REFUSED_USER);
    assert_int_equal(retry, 600);
    assert_string_equal(gw_login_verdict_name(GW_LOGIN_REFUSED_USER), "username");
    /* The owner at an address they logged in from before is not locked out... */
    c.known_addr = true;
    assert_int_equal(gw_login_throttle(&c, 5, 900, &retry), GW_LOGIN_ALLOWED);
    /* ...but the strict limit of that pair still holds there. */
    c.pair_failures = 5;
    assert_int_equal(gw_login_throttle(&c, 5, 900, &retry), GW_LOGIN_REFUSED_PAIR);
    /* Several limits refusing: the longest wait is the answer. */
    c.known_addr = false;
    c.pair_oldest_age_s = 800; /* 100 s left */
    assert_int_equal(gw_login_throttle(&c, 5, 900, &retry), GW_LOGIN_REFUSED_USER);
    assert_int_equal(retry, 600);
}

/* ---- sessions ---- */

static void renew_when_less_than_half_is_left(void **state)
{
    (void)state;
    assert_false(gw_session_needs_renewal(28800, 28800, 43200));
    assert_false(gw_session_needs_renewal(14400, 28800, 43200)); /* exactly half */
    assert_true(gw_session_needs_renewal(14399, 28800, 43200));
    assert_true(gw_session_needs_renewal(0, 28800, 43200));
}

static void no_renewal_past_the_absolute_end(void **state)
{
    (void)state;
    /* The expiry already sits at the absolute end: renewing moves nothing. */
    assert_false(gw_session_needs_renewal(600, 28800, 600));
    assert_false(gw_session_needs_renewal(600, 28800, 300));
    assert_true(gw_session_needs_renewal(600, 28800, 601));
}

static void ipv6_guesses_count_per_slash_64(void **state)
{
    (void)state;
    char k[64];
    gw_throttle_addr_key("203.0.113.9", k, sizeof(k));
    assert_string_equal(k, "203.0.113.9");
    gw_throttle_addr_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd", k, sizeof(k));
    assert_string_equal(k, "2001:db8:1:2::/64");
    char other[64];
    gw_throttle_addr_key("2001:db8:1:2::1", other, sizeof(other));
    assert_string_equal(k, other); /* another address of the same subscriber */
    gw_throttle_addr_key("2001:db8:1:3::1", other, sizeof(other));
    assert_string_not_equal(k, other); /* the neighbour's /64 */
    gw_throttle_addr_key("::ffff:198.51.100.7", k, sizeof(k));
    assert_string_equal(k, "198.51.100.7");
    gw_throttle_addr_key("", k, sizeof(k));
    assert_string_equal(k, "");
    gw_throttle_addr_key(NULL, k, sizeof(k));
    assert_string_equal(k, "");
    gw_throttle_addr_key("not-an-address", k, sizeof(k));
    assert_string_equal(k, "not-an-address");
    gw_throttle_addr_key("2001:db8:1:2::1", k, 8); /* truncated, still terminated */
    assert_int_equal(strlen(k), 7);
}

/* ---- e-mail addresses and reset tokens ---- */

static void email_is_trimmed_its_domain_lowered_and_checked(void **state)
{
    (void)state;
    char out[GW_EMAIL_MAX + 1];
    assert_int_equal(gw_email_normalize("  Sari.Humas@Kominfo.GO.ID ", out, sizeof(out)), GW_OK);
    assert_string_equal(out, "Sari.Humas@kominfo.go.id");
    assert_int_equal(gw_email_normalize("", out, sizeof(out)), GW_OK);
    assert_string_equal(out, "");
    assert_int_equal(gw_email_normalize(NULL, out, sizeof(out)), GW_OK);
    const char *bad[] = {"sari", "sari@", "@kominfo.go.id", "sari@localhost", "a b@c.id",
                         "a@b.id\r\nRCPT TO:<x@y.id>", "a..b@c.id", "a@-b.id", "\"a\"@b.id"};
    for (size_t i = 0; i < COUNT(bad); i++)
        if (gw_email_normalize(bad[i], out, sizeof(out)) != GW_EMAIL_INVALID)
            fail_msg("accepted %s", bad[i]);
    char long_one[300];
    memset(long_one, 'a', sizeof(long_one));
    memcpy(long_one + 250, "@b.id", 6);
    assert_int_equal(gw_email_normalize(long_one, out, sizeof(out)), GW_EMAIL_INVALID);
    assert_string_not_equal(gw_problem_message(GW_EMAIL_INVALID), "");
}

static void a_token_speaks_only_to_its_own_user(void **state)
{
    (void)state;
    const char *me = "01890a5d-ac96-774b-bcce-b302099a8057";
    const char *other = "01890a5d-ac96-774b-bcce-b302099a8058";
    assert_int_equal(gw_reset_check(true, me, me, false, false), GW_RESET_VALID);
    assert_int_equal(gw_reset_check(true, me, "01890A5D-AC96-774B-BCCE-B302099A8057", false, false),
                     GW_RESET_VALID);
    assert_int_equal(gw_reset_check(true, me, me, true, false), GW_RESET_USED);
    assert_int_equal(gw_reset_check(true, me, me, true, true), GW_RESET_USED);
    assert_int_equal(gw_reset_check(true, me, me, false, true), GW_RESET_EXPIRED);
    /* for another user, or reaching no account: invalid, used or not */
    assert_int_equal(gw_reset_check(true, me, other, true, true), GW_RESET_INVALID);
    assert_int_equal(gw_reset_check(true, "", me, false, false), GW_RESET_INVALID);
    assert_int_equal(gw_reset_check(false, me, me, false, false), GW_RESET_INVALID);
    assert_string_equal(gw_reset_verdict_code(GW_RESET_USED), "token.used");
    assert_string_equal(gw_reset_verdict_code(GW_RESET_EXPIRED), "token.expired");
    assert_string_equal(gw_reset_verdict_code(GW_RESET_INVALID), "token.invalid");
}

/* The login throttle's wait, said in minutes: rounded up, never 0. */
static void waits_are_whole_minutes_rounded_up(void **state)
{
    (void)state;
    assert_int_equal(gw_wait_minutes(2788), 47);
    assert_int_equal(gw_wait_minutes(900), 15);
    assert_int_equal(gw_wait_minutes(901), 16);
    assert_int_equal(gw_wait_minutes(61), 2);
    assert_int_equal(gw_wait_minutes(60), 1);
    assert_int_equal(gw_wait_minutes(1), 1);
    assert_int_equal(gw_wait_minutes(0), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(username_is_trimmed_and_lower_cased),
        cmocka_unit_test(username_length_and_characters),
        cmocka_unit_test(password_needs_ten_characters),
        cmocka_unit_test(password_is_not_the_username_nor_common),
        cmocka_unit_test(messages_lead_with_their_code),
        cmocka_unit_test(display_name_rules),
        cmocka_unit_test(roles_are_the_known_seven),
        cmocka_unit_test(partner_stands_alone),
        cmocka_unit_test(locale_is_id_or_en),
        cmocka_unit_test(throttle_refuses_at_the_limit),
        cmocka_unit_test(login_is_throttled_per_username_and_address),
        cmocka_unit_test(a_known_address_is_spared_the_usernames_own_limit),
        cmocka_unit_test(no_renewal_past_the_absolute_end),
        cmocka_unit_test(renew_when_less_than_half_is_left),
        cmocka_unit_test(ipv6_guesses_count_per_slash_64),
        cmocka_unit_test(email_is_trimmed_its_domain_lowered_and_checked),
        cmocka_unit_test(a_token_speaks_only_to_its_own_user),
        cmocka_unit_test(waits_are_whole_minutes_rounded_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
