/* test_domain.c - every service's pure rules, with the edges.
 *
 * Expected values are worked out by hand in the comments next to them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "accounting/domain.h"
#include "distribution/domain.h"
#include "ordering/domain.h"
#include "registry/domain.h"
#include "scoring/domain.h"
#include "verification/domain.h"

/* ---- registry ---- */

static void npwp_accepts_15_and_16_digits(void **state)
{
    (void)state;
    assert_true(registry_npwp_valid("012345678901234"));  /* 15: old format */
    assert_true(registry_npwp_valid("0123456789012345")); /* 16: NIK-based */
    assert_true(registry_npwp_valid("000000000000000"));
    assert_false(registry_npwp_valid("01234567890123"));    /* 14 */
    assert_false(registry_npwp_valid("01234567890123456")); /* 17 */
}

static void npwp_refuses_anything_but_digits(void **state)
{
    (void)state;
    assert_false(registry_npwp_valid(NULL));
    assert_false(registry_npwp_valid(""));
    assert_false(registry_npwp_valid("01.234.567.8-901.234")); /* the caller strips punctuation */
    assert_false(registry_npwp_valid("01234567890123a"));      /* 15 characters, one a letter */
    assert_false(registry_npwp_valid(" 12345678901234"));
    assert_false(registry_npwp_valid("012345678901234 ")); /* 15 digits and a space */
    assert_false(registry_npwp_valid("-12345678901234"));
    assert_false(registry_npwp_valid("\xef\xbc\x90"
                                     "12345678901234")); /* full-width 0 */
}

static void nib_is_13_digits(void **state)
{
    (void)state;
    assert_true(registry_nib_valid("1234567890123"));
    assert_false(registry_nib_valid("123456789012"));   /* 12 */
    assert_false(registry_nib_valid("12345678901234")); /* 14 */
    assert_false(registry_nib_valid("123456789012x"));
    assert_false(registry_nib_valid("123-4567890123"));
    assert_false(registry_nib_valid(""));
    assert_false(registry_nib_valid(NULL));
}

static void nik_is_16_digits(void **state)
{
    (void)state;
    assert_true(registry_nik_valid("3171012345678901"));
    assert_false(registry_nik_valid("317101234567890"));   /* 15: an NPWP, not a NIK */
    assert_false(registry_nik_valid("31710123456789012")); /* 17 */
    assert_false(registry_nik_valid("3171.01.234567890"));
    assert_false(registry_nik_valid("317101234567890\n"));
    assert_false(registry_nik_valid(""));
    assert_false(registry_nik_valid(NULL));
}

/* ---- verification ---- */

/* Days since 1970-01-01. */
enum {
    D_2027_03_15 = 20892,
    D_2027_06_30 = 20999,
    D_2027_12_31 = 21183, /* fiscal year end */
    D_2028_06_30 = 21365,
};

static void valid_until_fiscal_year_end_without_expiries(void **state)
{
    (void)state;
    assert_int_equal(verification_valid_until(D_2027_12_31, NULL, 0), D_2027_12_31);
    const int32_t never[] = {0, 0, 0}; /* documents that do not expire */
    assert_int_equal(verification_valid_until(D_2027_12_31, never, 3), D_2027_12_31);
}

static void valid_until_earliest_expiry(void **state)
{
    (void)state;
    const int32_t e[] = {0, D_2027_06_30, D_2028_06_30, D_2027_03_15, 0};
    assert_int_equal(verification_valid_until(D_2027_12_31, e, 5), D_2027_03_15);
    /* Only the first n count. */
    assert_int_equal(verification_valid_until(D_2027_12_31, e, 3), D_2027_06_30);
}

static void expiry_after_fiscal_year_end_does_not_extend(void **state)
{
    (void)state;
    const int32_t later[] = {D_2028_06_30};
    assert_int_equal(verification_valid_until(D_2027_12_31, later, 1), D_2027_12_31);
    const int32_t same[] = {D_2027_12_31};
    assert_int_equal(verification_valid_until(D_2027_12_31, same, 1), D_2027_12_31);
    const int32_t day_before[] = {D_2027_12_31 - 1};
    assert_int_equal(verification_valid_until(D_2027_12_31, day_before, 1), D_2027_12_31 - 1);
}

/* ---- scoring ---- */

static void default_tiers_at_the_edges(void **state)
{
    (void)state;
    const scoring_thresholds *t = &scoring_default_thresholds;
    assert_int_equal(t->a, 80); /* DOMAIN.md */
    assert_int_equal(t->b, 60);
    assert_int_equal(t->c, 40);
    const struct {
        int score;
        scoring_tier tier;
    } cases[] = {
        {-1, SCORING_TIER_NONE}, {0, SCORING_TIER_NONE}, {39, SCORING_TIER_NONE},
        {40, SCORING_TIER_C},    {59, SCORING_TIER_C},   {60, SCORING_TIER_B},
        {78, SCORING_TIER_B}, /* the golden path's partner */
        {79, SCORING_TIER_B},    {80, SCORING_TIER_A},   {100, SCORING_TIER_A},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (scoring_tier_for(cases[i].score, t) != cases[i].tier)
            fail_msg("score %d: tier %s, want %s", cases[i].score,
                     scoring_tier_name(scoring_tier_for(cases[i].score, t)),
                     scoring_tier_name(cases[i].tier));
}

static void rule_set_thresholds_are_used(void **state)
{
    (void)state;
    const scoring_thresholds strict = {90, 75, 50};
    assert_int_equal(scoring_tier_for(89, &strict), SCORING_TIER_B);
    assert_int_equal(scoring_tier_for(90, &strict), SCORING_TIER_A);
    assert_int_equal(scoring_tier_for(74, &strict), SCORING_TIER_C);
    assert_int_equal(scoring_tier_for(49, &strict), SCORING_TIER_NONE);
}

static void tier_names(void **state)
{
    (void)state;
    assert_string_equal(scoring_tier_name(SCORING_TIER_A), "A");
    assert_string_equal(scoring_tier_name(SCORING_TIER_B), "B");
    assert_string_equal(scoring_tier_name(SCORING_TIER_C), "C");
    assert_string_equal(scoring_tier_name(SCORING_TIER_NONE), "-");
    assert_string_equal(scoring_tier_name((scoring_tier)42), "-");
    assert_string_equal(scoring_tier_name(scoring_tier_for(78, &scoring_default_thresholds)), "B");
}

/* ordering: tests/unit/test_ordering_domain.c */

/* ---- distribution ---- */

static void embargo_lifts_at_its_time(void **state)
{
    (void)state;
    const int64_t at = 1798761600; /* 2027-01-01T00:00:00Z */
    assert_false(distribution_embargo_lifted(at, at - 1));
    assert_true(distribution_embargo_lifted(at, at));
    assert_true(distribution_embargo_lifted(at, at + 1));
    assert_true(distribution_embargo_lifted(0, 0)); /* no embargo */
    assert_true(distribution_embargo_lifted(0, at));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(npwp_accepts_15_and_16_digits),
        cmocka_unit_test(npwp_refuses_anything_but_digits),
        cmocka_unit_test(nib_is_13_digits),
        cmocka_unit_test(nik_is_16_digits),
        cmocka_unit_test(valid_until_fiscal_year_end_without_expiries),
        cmocka_unit_test(valid_until_earliest_expiry),
        cmocka_unit_test(expiry_after_fiscal_year_end_does_not_extend),
        cmocka_unit_test(default_tiers_at_the_edges),
        cmocka_unit_test(rule_set_thresholds_are_used),
        cmocka_unit_test(tier_names),
        cmocka_unit_test(embargo_lifts_at_its_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
