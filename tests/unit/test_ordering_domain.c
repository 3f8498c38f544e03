/* test_ordering_domain.c - ordering's pure rules and its in-memory read
 * model (services/ordering/domain.h, mirror.h), with the edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ordering/domain.h"
#include "ordering/mirror.h"
#include "sk_err.h"

#define FMT ORDERING_DEFAULT_NUMBER_FORMAT

/* ---- numbers ---- */

static void number_is_padded_to_four_digits(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(ordering_format_number(out, sizeof(out), FMT, 1, 2027), 0);
    assert_string_equal(out, "MO/0001/DISKOMINFO/2027");
    assert_int_equal(ordering_format_number(out, sizeof(out), FMT, 42, 2027), 0);
    assert_string_equal(out, "MO/0042/DISKOMINFO/2027");
    assert_int_equal(ordering_format_number(out, sizeof(out), FMT, 9999, 2000), 0);
    assert_string_equal(out, "MO/9999/DISKOMINFO/2000");
}

static void number_grows_past_its_width(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(ordering_format_number(out, sizeof(out), FMT, 10000, 2027), 0);
    assert_string_equal(out, "MO/10000/DISKOMINFO/2027");
    assert_int_equal(ordering_format_number(out, sizeof(out), FMT, UINT32_MAX, 2027), 0);
    assert_string_equal(out, "MO/4294967295/DISKOMINFO/2027");
}

static void number_format_is_configurable(void **state)
{
    (void)state;
    char out[96];
    assert_int_equal(ordering_format_number(out, sizeof(out), "{year}-{seq}", 7, 2027), 0);
    assert_string_equal(out, "2027-7");
    assert_int_equal(
        ordering_format_number(out, sizeof(out), "027/{seq:3}/Diskominfo-OKI/{year}", 5, 2028), 0);
    assert_string_equal(out, "027/005/Diskominfo-OKI/2028");
    assert_int_equal(ordering_format_number(out, sizeof(out), "{seq:9}/{year}", 1, 2027), 0);
    assert_string_equal(out, "000000001/2027");
}

static void number_format_needs_one_seq_and_one_year(void **state)
{
    (void)state;
    assert_true(ordering_number_format_valid(FMT));
    assert_true(ordering_number_format_valid("{seq}{year}"));
    assert_false(ordering_number_format_valid("MO/{seq:4}/DISKOMINFO"));   /* repeats yearly */
    assert_false(ordering_number_format_valid("MO/DISKOMINFO/{year}"));    /* no running number */
    assert_false(ordering_number_format_valid("{seq}/{seq}/{year}"));
    assert_false(ordering_number_format_valid("{seq}/{year}/{year}"));
    assert_false(ordering_number_format_valid("{seq:0}/{year}"));          /* width 1..9 */
    assert_false(ordering_number_format_valid("{seq:10}/{year}"));
    assert_false(ordering_number_format_valid("{seq}/{year}/{month}"));    /* unknown placeholder */
    assert_false(ordering_number_format_valid("{seq}/{year}/}"));
    assert_false(ordering_number_format_valid("{seq}/{year}\n"));
    assert_false(ordering_number_format_valid("{seq}/{year}/\xc3\xa9")); /* ASCII only */
    assert_false(ordering_number_format_valid(""));
    assert_false(ordering_number_format_valid(NULL));
    char longest[ORDERING_NUMBER_FORMAT_MAX + 2];
    memset(longest, 'X', sizeof(longest));
    memcpy(longest, "{seq}{year}", 11);
    longest[ORDERING_NUMBER_FORMAT_MAX] = '\0';
    assert_true(ordering_number_format_valid(longest));
    longest[ORDERING_NUMBER_FORMAT_MAX] = 'X';
    longest[ORDERING_NUMBER_FORMAT_MAX + 1] = '\0';
    assert_false(ordering_number_format_valid(longest));
}

static void number_refuses_bad_inputs_and_short_buffers(void **state)
{
    (void)state;
    char out[24];
    assert_int_equal(ordering_format_number(out, sizeof(out), FMT, 0, 2027), -1);
    assert_int_equal(ordering_format_number(out, sizeof(out), FMT, 1, 1999), -1);
    assert_int_equal(ordering_format_number(out, sizeof(out), FMT, 1, 10000), -1);
    assert_int_equal(ordering_format_number(out, sizeof(out), "MO/{seq}", 1, 2027), -1);
    /* "MO/0001/DISKOMINFO/2027" is 23 characters: 24 bytes fit, 23 do not. */
    assert_int_equal(ordering_format_number(out, 24, FMT, 1, 2027), 0);
    assert_int_equal(ordering_format_number(out, 23, FMT, 1, 2027), -1);
    assert_int_equal(ordering_format_number(out, 0, FMT, 1, 2027), -1);
    assert_int_equal(ordering_format_number(NULL, 24, FMT, 1, 2027), -1);
}

/* ---- dates and times ---- */

static void dates_are_real_calendar_days(void **state)
{
    (void)state;
    int32_t d;
    assert_true(ordering_parse_date("1970-01-01", &d));
    assert_int_equal(d, 0);
    assert_true(ordering_parse_date("2027-03-05", &d));
    assert_int_equal(d, 20882);
    assert_true(ordering_parse_date("2028-02-29", NULL)); /* leap */
    assert_false(ordering_parse_date("2027-02-29", NULL));
    assert_false(ordering_parse_date("2100-02-29", NULL)); /* not leap */
    assert_false(ordering_parse_date("2027-13-01", NULL));
    assert_false(ordering_parse_date("2027-3-5", NULL));
    assert_false(ordering_parse_date("2027-03-05T00", NULL));
    assert_false(ordering_parse_date("", NULL));
    assert_false(ordering_parse_date(NULL, NULL));
}

static void times_are_rfc3339_with_offsets(void **state)
{
    (void)state;
    int64_t t;
    assert_true(ordering_parse_time("2027-03-05T10:00:00Z", &t));
    assert_int_equal(t, 20882LL * 86400 + 36000);
    int64_t wib;
    assert_true(ordering_parse_time("2027-03-05T17:00:00+07:00", &wib));
    assert_int_equal(wib, t);
    assert_true(ordering_parse_time("2027-03-05T10:00:00.123456Z", &wib));
    assert_int_equal(wib, t);
    assert_false(ordering_parse_time("2027-03-05 10:00:00Z", NULL));
    assert_false(ordering_parse_time("2027-03-05T10:00:00", NULL));  /* no zone */
    assert_false(ordering_parse_time("2027-03-05T24:00:00Z", NULL));
    assert_false(ordering_parse_time("2027-03-05T10:00:00+0700", NULL));
    assert_false(ordering_parse_time("2027-03-05T10:00:00.Z", NULL));
}

static void wib_day_turns_at_midnight_jakarta(void **state)
{
    (void)state;
    int64_t t;
    assert_true(ordering_parse_time("2027-03-05T16:59:59Z", &t)); /* 23:59:59 WIB */
    assert_int_equal(ordering_wib_day(t), 20882);
    assert_true(ordering_parse_time("2027-03-05T17:00:00Z", &t)); /* 00:00 WIB next day */
    assert_int_equal(ordering_wib_day(t), 20883);
    assert_int_equal(ordering_wib_day(-7 * 3600 - 1), -1);
}

/* ---- money ---- */

static void gross_is_price_times_quantity_within_bounds(void **state)
{
    (void)state;
    int64_t g;
    assert_true(ordering_gross(1000000, 1, &g));
    assert_int_equal(g, 1000000);
    assert_true(ordering_gross(900000, 24, &g));
    assert_int_equal(g, 21600000);
    assert_true(ordering_gross(ORDERING_MAX_MONEY, 1, &g));
    assert_false(ordering_gross(ORDERING_MAX_MONEY, 2, &g)); /* above the money bound */
    assert_false(ordering_gross(0, 1, &g));
    assert_false(ordering_gross(-1, 1, &g));
    assert_false(ordering_gross(1, 0, &g));
    assert_false(ordering_gross(1, ORDERING_MAX_QUANTITY + 1, &g));
    assert_false(ordering_gross(INT64_MAX, ORDERING_MAX_QUANTITY, &g));
}

/* ---- the order's states ---- */

static void the_party_that_did_not_offer_last_answers(void **state)
{
    (void)state;
    assert_true(ordering_may_answer(ORDERING_OFFERED, ORDERING_PARTNER));
    assert_false(ordering_may_answer(ORDERING_OFFERED, ORDERING_OFFICE));
    assert_true(ordering_may_answer(ORDERING_COUNTERED, ORDERING_OFFICE));
    assert_false(ordering_may_answer(ORDERING_COUNTERED, ORDERING_PARTNER));
    for (int s = ORDERING_DRAFT; s <= ORDERING_CANCELLED; s++)
        if (s != ORDERING_OFFERED && s != ORDERING_COUNTERED) {
            assert_false(ordering_may_answer(s, ORDERING_OFFICE));
            assert_false(ordering_may_answer(s, ORDERING_PARTNER));
        }
}

static void approval_above_the_threshold_only(void **state)
{
    (void)state;
    assert_int_equal(ordering_state_after_accept(5000000, 5000000), ORDERING_ACCEPTED);
    assert_int_equal(ordering_state_after_accept(5000001, 5000000), ORDERING_AWAITING_APPROVAL);
    assert_int_equal(ordering_state_after_accept(1, 0), ORDERING_AWAITING_APPROVAL);
    assert_true(ordering_issuable(ORDERING_ACCEPTED, false));
    assert_false(ordering_issuable(ORDERING_ACCEPTED, true));
    assert_true(ordering_issuable(ORDERING_APPROVED, true));
    assert_false(ordering_issuable(ORDERING_AWAITING_APPROVAL, true));
    assert_false(ordering_issuable(ORDERING_OFFERED, false));
    assert_false(ordering_issuable(ORDERING_ISSUED, false));
}

static void issued_orders_are_cancelled_by_the_head(void **state)
{
    (void)state;
    for (int s = ORDERING_DRAFT; s <= ORDERING_CANCELLED; s++) {
        bool issued = s >= ORDERING_ISSUED && s <= ORDERING_COMPLETED;
        assert_int_equal(ordering_issued(s), issued);
        assert_int_equal(ordering_cancel_needs_head(s), issued);
    }
    assert_true(ordering_cancellable(ORDERING_DRAFT));
    assert_true(ordering_cancellable(ORDERING_ISSUED));
    assert_true(ordering_cancellable(ORDERING_PROOF_REJECTED));
    assert_false(ordering_cancellable(ORDERING_ISSUING)); /* the saga finishes first */
    assert_false(ordering_cancellable(ORDERING_COMPLETED));
    assert_false(ordering_cancellable(ORDERING_REJECTED));
    assert_false(ordering_cancellable(ORDERING_CANCELLED));
    assert_string_equal(ordering_state_name(ORDERING_ISSUED), "issued");
    assert_string_equal(ordering_state_name(99), "?");
}

/* ---- proofs and performance ---- */

static void proof_is_late_after_the_grace_days(void **state)
{
    (void)state;
    const int32_t end = 20882; /* schedule ends 2027-03-05 */
    assert_false(ordering_proof_late(end, end, end, 3));
    assert_false(ordering_proof_late(end, end + 3, end, 3)); /* the last grace day */
    assert_true(ordering_proof_late(end, end + 4, end, 3));  /* the proof came late */
    assert_true(ordering_proof_late(end + 4, end + 4, end, 3));
    assert_true(ordering_proof_late(end + 1, end + 1, end, 0));
    assert_false(ordering_proof_late(end - 10, end, end, -5)); /* negative grace = none */
}

static void performance_rounds_half_up(void **state)
{
    (void)state;
    assert_int_equal(ordering_performance_percent(24, 24), 100);
    assert_int_equal(ordering_performance_percent(0, 24), 0);
    assert_int_equal(ordering_performance_percent(1, 8), 13);  /* 12.5 -> 13 */
    assert_int_equal(ordering_performance_percent(1, 3), 33);
    assert_int_equal(ordering_performance_percent(2, 3), 67);
    assert_int_equal(ordering_performance_percent(0, 0), 100); /* nothing was late */
    assert_int_equal(ordering_performance_percent(9, 3), 100);
}

/* ---- the mirror ---- */

static const char *const OUTLET = "0192f6c1-1b2c-7d3e-8f40-a1b2c3d4e5f6";
static const char *const COMPANY = "0192f6c1-0000-7000-8000-000000000001";

static void mirror_answers_ceilings_by_outlet_tier(void **state)
{
    (void)state;
    ordering_mirror *m = ordering_mirror_new();
    assert_non_null(m);
    ordering_outlet_view v = {.outlet_type = 2, .tier = 2};
    snprintf(v.company_id, sizeof(v.company_id), "%s", COMPANY);
    assert_int_equal(ordering_mirror_put_outlet(m, OUTLET, 2027, &v), SK_OK);
    ordering_ceiling_entry e[] = {{2, 1, 2, 1000000}, {2, 1, 3, 1500000}, {1, 1, 2, 700000}};
    assert_int_equal(ordering_mirror_set_ceilings(m, 2027, 1, e, 3), SK_OK);
    int64_t c;
    int version;
    ordering_outlet_view got;
    assert_int_equal(ordering_mirror_ceiling(m, OUTLET, 2027, 1, &c, &got, &version),
                     ORDERING_CEILING_OK);
    assert_int_equal(c, 1000000); /* siber x advertorial x B */
    assert_int_equal(version, 1);
    assert_string_equal(got.company_id, COMPANY);
    /* upper-case ids find the same outlet */
    assert_int_equal(ordering_mirror_ceiling(m, "0192F6C1-1B2C-7D3E-8F40-A1B2C3D4E5F6", 2027, 1,
                                             &c, NULL, NULL),
                     ORDERING_CEILING_OK);
    assert_int_equal(ordering_mirror_ceiling(m, OUTLET, 2027, 2, &c, NULL, NULL),
                     ORDERING_CEILING_NO_PRICE);
    assert_int_equal(ordering_mirror_ceiling(m, OUTLET, 2028, 1, &c, NULL, NULL),
                     ORDERING_CEILING_NO_OUTLET);
    assert_int_equal(ordering_mirror_ceiling(m, "not-a-uuid", 2027, 1, &c, NULL, NULL),
                     ORDERING_CEILING_NO_OUTLET);
    assert_int_equal(ordering_mirror_ceiling(m, OUTLET, 2027, 13, &c, NULL, NULL),
                     ORDERING_CEILING_NO_PRICE);
    /* re-tiered to A, then suspended, then below C */
    v.tier = 3;
    assert_int_equal(ordering_mirror_put_outlet(m, OUTLET, 2027, &v), SK_OK);
    assert_int_equal(ordering_mirror_ceiling(m, OUTLET, 2027, 1, &c, NULL, NULL),
                     ORDERING_CEILING_OK);
    assert_int_equal(c, 1500000);
    v.suspended = true;
    assert_int_equal(ordering_mirror_put_outlet(m, OUTLET, 2027, &v), SK_OK);
    assert_int_equal(ordering_mirror_ceiling(m, OUTLET, 2027, 1, &c, NULL, NULL),
                     ORDERING_CEILING_SUSPENDED);
    v.suspended = false;
    v.tier = 0;
    assert_int_equal(ordering_mirror_put_outlet(m, OUTLET, 2027, &v), SK_OK);
    assert_int_equal(ordering_mirror_ceiling(m, OUTLET, 2027, 1, &c, NULL, NULL),
                     ORDERING_CEILING_NO_TIER);
    assert_int_equal(ordering_mirror_outlets(m), 1);
    ordering_mirror_free(m);
}

static void mirror_keeps_the_newest_price_standard(void **state)
{
    (void)state;
    ordering_mirror *m = ordering_mirror_new();
    ordering_outlet_view v = {.outlet_type = 2, .tier = 2};
    snprintf(v.company_id, sizeof(v.company_id), "%s", COMPANY);
    ordering_mirror_put_outlet(m, OUTLET, 2027, &v);
    ordering_ceiling_entry v2[] = {{2, 1, 2, 1200000}}, v1[] = {{2, 1, 2, 1000000}, {2, 2, 2, 5}};
    assert_int_equal(ordering_mirror_set_ceilings(m, 2027, 2, v2, 1), SK_OK);
    assert_int_equal(ordering_mirror_set_ceilings(m, 2027, 1, v1, 2), SK_OK); /* late, older */
    int64_t c;
    assert_int_equal(ordering_mirror_ceiling(m, OUTLET, 2027, 1, &c, NULL, NULL),
                     ORDERING_CEILING_OK);
    assert_int_equal(c, 1200000);
    assert_int_equal(ordering_mirror_ceiling(m, OUTLET, 2027, 2, &c, NULL, NULL),
                     ORDERING_CEILING_NO_PRICE); /* v2 replaced the whole year */
    assert_int_equal(ordering_mirror_set_ceilings(m, 1999, 1, v1, 1), SK_EINVAL);
    ordering_ceiling_entry bad[] = {{5, 1, 2, 1}, {2, 0, 2, 1}, {2, 1, 4, 1}, {2, 1, 2, -1}};
    assert_int_equal(ordering_mirror_set_ceilings(m, 2027, 3, bad, 4), SK_OK);
    assert_int_equal(ordering_mirror_ceiling(m, OUTLET, 2027, 1, &c, NULL, NULL),
                     ORDERING_CEILING_NO_PRICE); /* out-of-range entries are skipped */
    ordering_mirror_free(m);
}

static void mirror_grows_and_keeps_every_outlet(void **state)
{
    (void)state;
    ordering_mirror *m = ordering_mirror_new();
    ordering_outlet_view v = {.outlet_type = 1, .tier = 1};
    snprintf(v.company_id, sizeof(v.company_id), "%s", COMPANY);
    char id[40];
    for (int i = 0; i < 5000; i++) {
        snprintf(id, sizeof(id), "0192f6c1-1b2c-7d3e-8f40-%012d", i);
        v.tier = 1 + i % 3;
        assert_int_equal(ordering_mirror_put_outlet(m, id, 2027 + i % 2, &v), SK_OK);
    }
    assert_int_equal(ordering_mirror_outlets(m), 5000);
    for (int i = 0; i < 5000; i++) {
        snprintf(id, sizeof(id), "0192f6c1-1b2c-7d3e-8f40-%012d", i);
        ordering_outlet_view got;
        assert_true(ordering_mirror_outlet(m, id, 2027 + i % 2, &got));
        assert_int_equal(got.tier, 1 + i % 3);
        assert_false(ordering_mirror_outlet(m, id, 2028 - i % 2, NULL));
    }
    assert_int_equal(ordering_mirror_put_outlet(m, "x", 2027, &v), SK_EINVAL);
    v.outlet_type = 5;
    assert_int_equal(ordering_mirror_put_outlet(m, id, 2027, &v), SK_EINVAL);
    ordering_mirror_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(number_is_padded_to_four_digits),
        cmocka_unit_test(number_grows_past_its_width),
        cmocka_unit_test(number_format_is_configurable),
        cmocka_unit_test(number_format_needs_one_seq_and_one_year),
        cmocka_unit_test(number_refuses_bad_inputs_and_short_buffers),
        cmocka_unit_test(dates_are_real_calendar_days),
        cmocka_unit_test(times_are_rfc3339_with_offsets),
        cmocka_unit_test(wib_day_turns_at_midnight_jakarta),
        cmocka_unit_test(gross_is_price_times_quantity_within_bounds),
        cmocka_unit_test(the_party_that_did_not_offer_last_answers),
        cmocka_unit_test(approval_above_the_threshold_only),
        cmocka_unit_test(issued_orders_are_cancelled_by_the_head),
        cmocka_unit_test(proof_is_late_after_the_grace_days),
        cmocka_unit_test(performance_rounds_half_up),
        cmocka_unit_test(mirror_answers_ceilings_by_outlet_tier),
        cmocka_unit_test(mirror_keeps_the_newest_price_standard),
        cmocka_unit_test(mirror_grows_and_keeps_every_outlet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
