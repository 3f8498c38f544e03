/* test_scoring_domain.c - the scoring service's pure rules, with the edges.
 *
 * Expected values are worked out by hand in the comments next to them, from
 * the default rule set documented in scoring/domain.h. Day numbers are days
 * since 1970-01-01: 2027-03-15 is 20892 (as in test_domain.c), so 2027-03-01 is
 * 20878 and 2027-02-28 is 20877; 2020-03-15 is 18336, so 2020-03-01 is 18322
 * and 2020-02-29 is 18321; 2028-03-01 is 20878 + 366 = 21244, so 2028-02-29 is
 * 21243. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "scoring/domain.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const scoring_line *line(const scoring_result *r, scoring_criterion_id id)
{
    return &r->lines[id];
}

/* ---- the golden path ---- */

static void golden_path_scores_78_tier_b(void **state)
{
    (void)state;
    const scoring_inputs *g = &scoring_golden_path_inputs;
    assert_int_equal(g->outlet_type, SCORING_OUTLET_SIBER);
    assert_false(g->suspended);
    assert_false(g->has_performance_history);

    scoring_result r;
    assert_true(scoring_compute(g, &scoring_default_rule_set, &r));
    assert_int_equal(r.total, 78); /* 30 + 8 + 8 + 10 + 17 + 5 */
    assert_int_equal(r.tier, SCORING_TIER_B);
    assert_string_equal(scoring_tier_name(r.tier), "B");

    static const struct {
        scoring_criterion_id id;
        int points, max;
        int64_t value, threshold;
        const char *rule;
    } want[] = {
        {SCORING_CRITERION_DEWAN_PERS, 30, 30, 2, 2, "Dewan Pers >= faktual -> 30"},
        {SCORING_CRITERION_CHIEF_EDITOR_UKW, 8, 15, 2, 2, "chief editor UKW >= Madya -> 8"},
        {SCORING_CRITERION_JOURNALIST_UKW_SHARE, 8, 15, 66, 50, "UKW share >= 50% -> 8"},
        {SCORING_CRITERION_COMPANY_AGE, 10, 10, 7, 5, "age >= 5 years -> 10"},
        {SCORING_CRITERION_REACH, 17, 20, 600000, 500000, "visitors >= 500000 -> 17"},
        {SCORING_CRITERION_PERFORMANCE, 5, 10, -1, -1, "no history: neutral -> 5"},
    };
    for (size_t i = 0; i < COUNT(want); i++) {
        const scoring_line *l = &r.lines[i];
        assert_int_equal(l->id, want[i].id);
        assert_int_equal(l->points, want[i].points);
        assert_int_equal(l->max, want[i].max);
        assert_int_equal(l->value, want[i].value);
        assert_int_equal(l->threshold, want[i].threshold);
        assert_string_equal(l->rule, want[i].rule);
    }
}

/* ---- what documents prove, for the year scored ---- */

static int32_t day(int y, int m, int d)
{
    char s[16];
    int32_t out = 0;
    snprintf(s, sizeof(s), "%04d-%02d-%02d", y, m, d);
    assert_true(scoring_parse_date(s, &out));
    return out;
}

#define ACCEPTED(exp, lvl) {SCORING_PROOF_ACCEPTED, (exp), (lvl)}
#define PROOF(p) {SCORING_PROOF_##p, 0, 0}

/* The golden path's company as documents prove it for 2027: an accepted
 * faktual certificate, a Madya chief editor with an accepted certificate,
 * two of three journalists proven, the deed of 2019-06-17 accepted. */
static const scoring_certificate GOLDEN_DP[] = {ACCEPTED(0, SCORING_DEWAN_PERS_FAKTUAL)};

static scoring_person_facts golden_people[4];

static scoring_facts golden_facts(void)
{
    const scoring_person_facts people[] = {
        {true, SCORING_UKW_MADYA, ACCEPTED(0, 0)},
        {false, SCORING_UKW_MUDA, ACCEPTED(0, 0)},
        {false, SCORING_UKW_MUDA, ACCEPTED(0, 0)},
        {false, SCORING_UKW_NONE, PROOF(MISSING)},
    };
    memcpy(golden_people, people, sizeof(people));
    return (scoring_facts){
        .declared_dewan_pers = SCORING_DEWAN_PERS_FAKTUAL,
        .dewan_pers = GOLDEN_DP,
        .n_dewan_pers = 1,
        .deed = ACCEPTED(0, 0),
        .deed_date_known = true,
        .deed_date = day(2019, 6, 17),
        .people = golden_people,
        .n_people = 4,
        .outlet_type = SCORING_OUTLET_SIBER,
        .reach_value = 600000,
    };
}

static void what_documents_prove_scores_the_golden_path_78(void **state)
{
    (void)state;
    scoring_facts f = golden_facts();
    scoring_inputs in;
    assert_true(scoring_assess(&f, 2027, &in));
    scoring_result r;
    assert_true(scoring_compute(&in, &scoring_default_rule_set, &r));
    assert_int_equal(r.total, 78);
    assert_int_equal(r.tier, SCORING_TIER_B);
    const char *const want[] = {"dewan_pers.faktual",   "chief_editor_ukw.certified",
                                "journalist_ukw_share.proven", "company_age.deed",
                                "reach.declared",       "performance.no_history"};
    for (size_t i = 0; i < COUNT(want); i++)
        assert_string_equal(r.lines[i].reason, want[i]);
    assert_int_equal(r.lines[SCORING_CRITERION_COMPANY_AGE].value, 7);
}

/* Points only for what an accepted document proves: a declared faktual
 * status earns nothing without its certificate, and the line says why. */
static void dewan_pers_counts_the_certificate_not_the_claim(void **state)
{
    (void)state;
    const int32_t dec31 = day(2027, 12, 31);
    const struct {
        scoring_certificate cert[2];
        size_t n;
        scoring_dewan_pers declared;
        int points;
        const char *reason;
    } cases[] = {
        {{PROOF(MISSING)}, 0, SCORING_DEWAN_PERS_FAKTUAL, 0, "dewan_pers.certificate_missing"},
        {{PROOF(MISSING)}, 0, SCORING_DEWAN_PERS_NONE, 0, "dewan_pers.none"},
        {{PROOF(PENDING)}, 1, SCORING_DEWAN_PERS_FAKTUAL, 0, "dewan_pers.certificate_pending"},
        {{PROOF(REJECTED)}, 1, SCORING_DEWAN_PERS_FAKTUAL, 0, "dewan_pers.certificate_rejected"},
        /* expires within the year: not through it */
        {{ACCEPTED(dec31 - 1, SCORING_DEWAN_PERS_FAKTUAL)}, 1, SCORING_DEWAN_PERS_FAKTUAL, 0,
         "dewan_pers.certificate_expires"},
        {{ACCEPTED(dec31, SCORING_DEWAN_PERS_FAKTUAL)}, 1, SCORING_DEWAN_PERS_FAKTUAL, 30,
         "dewan_pers.faktual"},
        /* the certificate says administratif, whatever was declared */
        {{ACCEPTED(0, SCORING_DEWAN_PERS_ADMINISTRATIF)}, 1, SCORING_DEWAN_PERS_FAKTUAL, 15,
         "dewan_pers.administratif"},
        {{ACCEPTED(0, SCORING_DEWAN_PERS_FAKTUAL)}, 1, SCORING_DEWAN_PERS_NONE, 30,
         "dewan_pers.faktual"},
        /* the best one that holds counts */
        {{ACCEPTED(0, SCORING_DEWAN_PERS_ADMINISTRATIF), ACCEPTED(0, SCORING_DEWAN_PERS_FAKTUAL)},
         2, SCORING_DEWAN_PERS_ADMINISTRATIF, 30, "dewan_pers.faktual"},
        {{PROOF(REJECTED), PROOF(PENDING)}, 2, SCORING_DEWAN_PERS_FAKTUAL, 0,
         "dewan_pers.certificate_pending"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        scoring_facts f = golden_facts();
        f.declared_dewan_pers = cases[i].declared;
        f.dewan_pers = cases[i].cert;
        f.n_dewan_pers = cases[i].n;
        scoring_inputs in;
        scoring_result r;
        assert_true(scoring_assess(&f, 2027, &in));
        assert_true(scoring_compute(&in, &scoring_default_rule_set, &r));
        const scoring_line *l = line(&r, SCORING_CRITERION_DEWAN_PERS);
        if (l->points != cases[i].points || strcmp(l->reason, cases[i].reason) != 0)
            fail_msg("case %zu: %d points, %s", i, l->points, l->reason);
    }
}

/* A UKW certificate counts when accepted and valid through the fiscal year
 * scored: one expiring before or during the year does not. */
static void ukw_certificates_count_through_the_year_scored(void **state)
{
    (void)state;
    const int32_t dec31 = day(2027, 12, 31);
    const struct {
        scoring_certificate chief, journalist;
        int chief_points, share;
        const char *chief_reason, *share_reason;
    } cases[] = {
        {ACCEPTED(dec31, 0), ACCEPTED(dec31, 0), 8, 100, "chief_editor_ukw.certified",
         "journalist_ukw_share.proven"},
        {ACCEPTED(dec31 - 1, 0), ACCEPTED(dec31 - 1, 0), 0, 0, "chief_editor_ukw.certificate_expires",
         "journalist_ukw_share.some_unproven"},
        {ACCEPTED(day(2026, 12, 31), 0), ACCEPTED(0, 0), 0, 100,
         "chief_editor_ukw.certificate_expires", "journalist_ukw_share.proven"},
        {PROOF(PENDING), PROOF(MISSING), 0, 0, "chief_editor_ukw.certificate_pending",
         "journalist_ukw_share.some_unproven"},
        {PROOF(REJECTED), PROOF(REJECTED), 0, 0, "chief_editor_ukw.certificate_rejected",
         "journalist_ukw_share.some_unproven"},
        {PROOF(MISSING), ACCEPTED(0, 0), 0, 100, "chief_editor_ukw.certificate_missing",
         "journalist_ukw_share.proven"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        scoring_person_facts people[] = {{true, SCORING_UKW_MADYA, cases[i].chief},
                                         {false, SCORING_UKW_MUDA, cases[i].journalist}};
        scoring_facts f = golden_facts();
        f.people = people;
        f.n_people = 2;
        scoring_inputs in;
        scoring_result r;
        assert_true(scoring_assess(&f, 2027, &in));
        assert_true(scoring_compute(&in, &scoring_default_rule_set, &r));
        const scoring_line *ce = line(&r, SCORING_CRITERION_CHIEF_EDITOR_UKW);
        const scoring_line *sh = line(&r, SCORING_CRITERION_JOURNALIST_UKW_SHARE);
        if (ce->points != cases[i].chief_points || sh->value != cases[i].share ||
            strcmp(ce->reason, cases[i].chief_reason) || strcmp(sh->reason, cases[i].share_reason))
            fail_msg("case %zu: chief %d %s, share %lld %s", i, ce->points, ce->reason,
                     (long long)sh->value, sh->reason);
    }
    /* No chief editor, no journalists; a chief editor without a level. */
    scoring_person_facts none[] = {{true, SCORING_UKW_NONE, PROOF(MISSING)}};
    scoring_facts f = golden_facts();
    scoring_inputs in;
    f.n_people = 0;
    assert_true(scoring_assess(&f, 2027, &in));
    assert_int_equal(in.reasons[SCORING_CRITERION_CHIEF_EDITOR_UKW], SCORING_REASON_CE_NO_CHIEF_EDITOR);
    assert_int_equal(in.reasons[SCORING_CRITERION_JOURNALIST_UKW_SHARE],
                     SCORING_REASON_SHARE_NO_JOURNALISTS);
    f.people = none;
    f.n_people = 1;
    assert_true(scoring_assess(&f, 2027, &in));
    assert_int_equal(in.reasons[SCORING_CRITERION_CHIEF_EDITOR_UKW], SCORING_REASON_CE_NONE);
    assert_int_equal(in.chief_editor_ukw, SCORING_UKW_NONE);
}

/* Company age from the deed date, on 1 January of the year scored, and only
 * with the deed accepted; a declared founding date never makes it older. */
static void company_age_comes_from_the_accepted_deed(void **state)
{
    (void)state;
    const struct {
        scoring_certificate deed;
        int32_t deed_date, founded; /* 0 = not declared */
        int age, points;
        const char *reason;
    } cases[] = {
        {ACCEPTED(0, 0), day(2022, 1, 1), 0, 5, 10, "company_age.deed"},
        {ACCEPTED(0, 0), day(2022, 1, 2), 0, 4, 5, "company_age.deed"},
        /* declared 2010, deed 2024: the deed counts */
        {ACCEPTED(0, 0), day(2024, 6, 1), day(2010, 1, 1), 2, 5, "company_age.deed"},
        /* declared later than the deed: the later date counts */
        {ACCEPTED(0, 0), day(2015, 1, 1), day(2025, 1, 1), 2, 5, "company_age.deed"},
        {PROOF(MISSING), day(2010, 1, 1), 0, 0, 0, "company_age.deed_missing"},
        {PROOF(PENDING), day(2010, 1, 1), 0, 0, 0, "company_age.deed_pending"},
        {PROOF(REJECTED), day(2010, 1, 1), 0, 0, 0, "company_age.deed_rejected"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        scoring_facts f = golden_facts();
        f.deed = cases[i].deed;
        f.deed_date = cases[i].deed_date;
        f.founded_known = cases[i].founded != 0;
        f.founded = cases[i].founded;
        scoring_inputs in;
        scoring_result r;
        assert_true(scoring_assess(&f, 2027, &in));
        assert_true(scoring_compute(&in, &scoring_default_rule_set, &r));
        const scoring_line *l = line(&r, SCORING_CRITERION_COMPANY_AGE);
        if (l->value != cases[i].age || l->points != cases[i].points || strcmp(l->reason, cases[i].reason))
            fail_msg("case %zu: age %lld, %d points, %s", i, (long long)l->value, l->points, l->reason);
    }
    scoring_facts f = golden_facts();
    f.deed_date_known = false; /* no deed date on record: no age */
    scoring_inputs in;
    assert_true(scoring_assess(&f, 2027, &in));
    assert_int_equal(in.company_age_years, 0);
    assert_false(scoring_assess(NULL, 2027, &in));
    f.people = NULL;
    assert_false(scoring_assess(&f, 2027, &in));
}

static void reason_codes_are_stable(void **state)
{
    (void)state;
    assert_string_equal(scoring_reason_code(SCORING_REASON_DP_CERT_MISSING),
                        "dewan_pers.certificate_missing");
    assert_string_equal(scoring_reason_code(SCORING_REASON_UNSET), "");
    assert_null(scoring_reason_code(SCORING_REASON_COUNT));
    for (int r = 1; r < SCORING_REASON_COUNT; r++) {
        const char *c = scoring_reason_code((scoring_reason)r);
        assert_non_null(c);
        assert_non_null(strchr(c, '.'));
        for (int q = 1; q < r; q++)
            assert_string_not_equal(c, scoring_reason_code((scoring_reason)q));
    }
}

/* ---- price standards ---- */

static void products_fit_their_outlet_types(void **state)
{
    (void)state;
    assert_true(scoring_product_fits(SCORING_OUTLET_RADIO, SCORING_PRODUCT_RADIO_SPOT_60S));
    assert_false(scoring_product_fits(SCORING_OUTLET_CETAK, SCORING_PRODUCT_RADIO_SPOT_60S));
    assert_false(scoring_product_fits(SCORING_OUTLET_SIBER, SCORING_PRODUCT_TV_SPOT));
    assert_false(scoring_product_fits(SCORING_OUTLET_RADIO, SCORING_PRODUCT_ONLINE_ADVERTORIAL));
    assert_true(scoring_product_fits(SCORING_OUTLET_CETAK, SCORING_PRODUCT_PHOTO_GALLERY));
    assert_false(scoring_product_fits(SCORING_OUTLET_TV, SCORING_PRODUCT_PHOTO_GALLERY));
    for (int t = 0; t < SCORING_OUTLET_COUNT; t++) {
        assert_true(scoring_product_fits((scoring_outlet_type)t, SCORING_PRODUCT_PUBLIC_SERVICE_AD));
        assert_true(scoring_product_fits((scoring_outlet_type)t, SCORING_PRODUCT_SOCIAL_MEDIA_POST));
        assert_true(scoring_product_fits((scoring_outlet_type)t, SCORING_PRODUCT_INFOTORIAL));
    }
    assert_false(scoring_product_fits(SCORING_OUTLET_COUNT, SCORING_PRODUCT_INFOTORIAL));
    assert_false(scoring_product_fits(SCORING_OUTLET_TV, SCORING_PRODUCT_COUNT));
    size_t at = 99;
    assert_int_equal(scoring_prices_check(scoring_default_prices, scoring_default_prices_count, &at),
                     SCORING_PRICE_OK);
}

static void ceilings_never_fall_as_the_tier_rises(void **state)
{
    (void)state;
    scoring_price_entry t[] = {
        {SCORING_OUTLET_SIBER, SCORING_PRODUCT_ONLINE_ADVERTORIAL, SCORING_TIER_C, 600000},
        {SCORING_OUTLET_SIBER, SCORING_PRODUCT_ONLINE_ADVERTORIAL, SCORING_TIER_A, 1500000},
        {SCORING_OUTLET_SIBER, SCORING_PRODUCT_ONLINE_ADVERTORIAL, SCORING_TIER_B, 1000000},
        {SCORING_OUTLET_CETAK, SCORING_PRODUCT_ONLINE_ADVERTORIAL + 4, SCORING_TIER_A, 100},
    };
    size_t at = 99;
    assert_int_equal(scoring_prices_check(t, 3, &at), SCORING_PRICE_OK);
    t[2].ceiling = 1500000; /* B equal to A: allowed */
    assert_int_equal(scoring_prices_check(t, 3, &at), SCORING_PRICE_OK);
    t[2].ceiling = 1500001; /* B above A */
    assert_int_equal(scoring_prices_check(t, 3, &at), SCORING_PRICE_NOT_MONOTONIC);
    assert_int_equal(at, 1); /* the A entry */
    t[2].ceiling = 599999; /* B below C */
    assert_int_equal(scoring_prices_check(t, 3, &at), SCORING_PRICE_NOT_MONOTONIC);
    assert_int_equal(at, 2);
    t[2].ceiling = 1000000;
    /* A print advertorial (index 4 past online advertorial) on print fits;
     * a radio spot there does not. */
    assert_int_equal(scoring_prices_check(t, 4, &at), SCORING_PRICE_OK);
    t[3].product = SCORING_PRODUCT_RADIO_SPOT_60S;
    assert_int_equal(scoring_prices_check(t, 4, &at), SCORING_PRICE_PRODUCT_TYPE);
    assert_int_equal(at, 3);
}

static void golden_path_ceiling_is_one_million(void **state)
{
    (void)state;
    scoring_result r;
    assert_true(scoring_compute(&scoring_golden_path_inputs, &scoring_default_rule_set, &r));
    int64_t ceiling = 0;
    assert_true(scoring_ceiling_lookup(scoring_default_prices, scoring_default_prices_count,
                                       SCORING_OUTLET_SIBER, SCORING_PRODUCT_ONLINE_ADVERTORIAL,
                                       r.tier, &ceiling));
    assert_int_equal(ceiling, 1000000);
}

/* ---- rule set defaults ---- */

static void default_rule_set_is_valid_and_matches_domain_md(void **state)
{
    (void)state;
    const scoring_rule_set *rs = &scoring_default_rule_set;
    scoring_problem p = {"x", "y"};
    assert_true(scoring_rule_set_valid(rs, &p));
    assert_string_equal(p.field, "");
    assert_string_equal(p.reason, "");
    assert_true(scoring_rule_set_valid(rs, NULL));

    assert_int_equal(rs->criteria[SCORING_CRITERION_DEWAN_PERS].max, 30);
    assert_int_equal(rs->criteria[SCORING_CRITERION_CHIEF_EDITOR_UKW].max, 15);
    assert_int_equal(rs->criteria[SCORING_CRITERION_JOURNALIST_UKW_SHARE].max, 15);
    assert_int_equal(rs->criteria[SCORING_CRITERION_COMPANY_AGE].max, 10);
    assert_int_equal(rs->criteria[SCORING_CRITERION_REACH].max, 20);
    assert_int_equal(rs->criteria[SCORING_CRITERION_PERFORMANCE].max, 10);
    assert_int_equal(rs->performance_neutral_points, 5);
    /* The same thresholds as scoring_default_thresholds. */
    assert_int_equal(rs->tiers.a, scoring_default_thresholds.a);
    assert_int_equal(rs->tiers.b, scoring_default_thresholds.b);
    assert_int_equal(rs->tiers.c, scoring_default_thresholds.c);
}

static void criterion_and_outlet_names(void **state)
{
    (void)state;
    assert_string_equal(scoring_criterion_name(SCORING_CRITERION_DEWAN_PERS), "dewan_pers");
    assert_string_equal(scoring_criterion_name(SCORING_CRITERION_CHIEF_EDITOR_UKW),
                        "chief_editor_ukw");
    assert_string_equal(scoring_criterion_name(SCORING_CRITERION_JOURNALIST_UKW_SHARE),
                        "journalist_ukw_share");
    assert_string_equal(scoring_criterion_name(SCORING_CRITERION_COMPANY_AGE), "company_age");
    assert_string_equal(scoring_criterion_name(SCORING_CRITERION_REACH), "reach");
    assert_string_equal(scoring_criterion_name(SCORING_CRITERION_PERFORMANCE), "performance");
    assert_null(scoring_criterion_name(SCORING_CRITERION_COUNT));
    assert_null(scoring_criterion_name((scoring_criterion_id)-1));
    assert_string_equal(scoring_outlet_type_name(SCORING_OUTLET_CETAK), "cetak");
    assert_string_equal(scoring_outlet_type_name(SCORING_OUTLET_SIBER), "siber");
    assert_string_equal(scoring_outlet_type_name(SCORING_OUTLET_RADIO), "radio");
    assert_string_equal(scoring_outlet_type_name(SCORING_OUTLET_TV), "tv");
    assert_null(scoring_outlet_type_name(SCORING_OUTLET_COUNT));
}

/* ---- band edges ---- */

/* Set the input that criterion `id` reads to `v` (share: as v of 100
 * journalists; performance: with history). */
static void set_input(scoring_inputs *in, scoring_criterion_id id, int64_t v)
{
    switch (id) {
    case SCORING_CRITERION_DEWAN_PERS: in->dewan_pers_status = (scoring_dewan_pers)v; break;
    case SCORING_CRITERION_CHIEF_EDITOR_UKW: in->chief_editor_ukw = (scoring_ukw)v; break;
    case SCORING_CRITERION_JOURNALIST_UKW_SHARE:
        in->journalists_total = 100;
        in->journalists_with_valid_ukw = (int)v;
        break;
    case SCORING_CRITERION_COMPANY_AGE: in->company_age_years = (int)v; break;
    case SCORING_CRITERION_REACH: in->reach_value = v; break;
    case SCORING_CRITERION_PERFORMANCE:
        in->has_performance_history = true;
        in->performance_percent = (int)v;
        break;
    default: fail_msg("no criterion %d", (int)id);
    }
}

static void every_band_edge(void **state)
{
    (void)state;
    /* The default bands, as documented in domain.h. */
    static const struct {
        scoring_criterion_id id;
        scoring_outlet_type type; /* for REACH */
        size_t n;
        int64_t threshold[6];
        int points[6];
    } edges[] = {
        {SCORING_CRITERION_DEWAN_PERS, SCORING_OUTLET_SIBER, 2, {1, 2}, {15, 30}},
        {SCORING_CRITERION_CHIEF_EDITOR_UKW, SCORING_OUTLET_SIBER, 2, {2, 3}, {8, 15}},
        {SCORING_CRITERION_JOURNALIST_UKW_SHARE,
         SCORING_OUTLET_SIBER,
         4,
         {25, 50, 75, 100},
         {4, 8, 12, 15}},
        {SCORING_CRITERION_COMPANY_AGE, SCORING_OUTLET_SIBER, 2, {2, 5}, {5, 10}},
        {SCORING_CRITERION_REACH,
         SCORING_OUTLET_CETAK,
         6,
         {1000, 3000, 5000, 10000, 20000, 50000},
         {4, 8, 12, 15, 17, 20}},
        {SCORING_CRITERION_REACH,
         SCORING_OUTLET_SIBER,
         6,
         {10000, 50000, 100000, 250000, 500000, 1000000},
         {4, 8, 12, 15, 17, 20}},
        {SCORING_CRITERION_REACH,
         SCORING_OUTLET_RADIO,
         6,
         {50000, 100000, 250000, 500000, 1000000, 2000000},
         {4, 8, 12, 15, 17, 20}},
        {SCORING_CRITERION_REACH,
         SCORING_OUTLET_TV,
         6,
         {100000, 250000, 500000, 1000000, 2500000, 5000000},
         {4, 8, 12, 15, 17, 20}},
        {SCORING_CRITERION_PERFORMANCE, SCORING_OUTLET_SIBER, 4, {50, 75, 90, 100}, {3, 6, 8, 10}},
    };
    for (size_t e = 0; e < COUNT(edges); e++) {
        for (size_t k = 0; k < edges[e].n; k++) {
            const int64_t t = edges[e].threshold[k];
            /* one below the threshold: the band before (or none), at it: this band */
            const int64_t values[2] = {t - 1, t};
            const int want_points[2] = {k ? edges[e].points[k - 1] : 0, edges[e].points[k]};
            const int64_t want_threshold[2] = {k ? edges[e].threshold[k - 1] : -1, t};
            for (int at = 0; at < 2; at++) {
                scoring_inputs in = scoring_golden_path_inputs;
                in.outlet_type = edges[e].type;
                set_input(&in, edges[e].id, values[at]);
                scoring_result r;
                if (!scoring_compute(&in, &scoring_default_rule_set, &r))
                    fail_msg("%s %lld: refused", scoring_criterion_name(edges[e].id),
                             (long long)values[at]);
                const scoring_line *l = line(&r, edges[e].id);
                if (l->points != want_points[at] || l->threshold != want_threshold[at] ||
                    l->value != values[at])
                    fail_msg("%s (%s) %lld: %d points at %lld, want %d at %lld",
                             scoring_criterion_name(edges[e].id),
                             scoring_outlet_type_name(edges[e].type), (long long)values[at],
                             l->points, (long long)l->threshold, want_points[at],
                             (long long)want_threshold[at]);
            }
        }
    }
}

static void rule_texts_name_the_band(void **state)
{
    (void)state;
    scoring_inputs in = scoring_golden_path_inputs;
    scoring_result r;

    in.dewan_pers_status = SCORING_DEWAN_PERS_NONE;
    in.chief_editor_ukw = SCORING_UKW_MUDA;
    in.company_age_years = 1;
    in.reach_value = 9999;
    in.has_performance_history = true;
    in.performance_percent = 49;
    assert_true(scoring_compute(&in, &scoring_default_rule_set, &r));
    assert_string_equal(line(&r, SCORING_CRITERION_DEWAN_PERS)->rule,
                        "Dewan Pers < administratif -> 0");
    assert_string_equal(line(&r, SCORING_CRITERION_CHIEF_EDITOR_UKW)->rule,
                        "chief editor UKW < Madya -> 0");
    assert_string_equal(line(&r, SCORING_CRITERION_COMPANY_AGE)->rule, "age < 2 years -> 0");
    assert_string_equal(line(&r, SCORING_CRITERION_REACH)->rule, "visitors < 10000 -> 0");
    assert_string_equal(line(&r, SCORING_CRITERION_PERFORMANCE)->rule, "on time < 50% -> 0");
    assert_int_equal(line(&r, SCORING_CRITERION_PERFORMANCE)->value, 49);

    in.dewan_pers_status = SCORING_DEWAN_PERS_ADMINISTRATIF;
    in.outlet_type = SCORING_OUTLET_CETAK;
    in.reach_value = 12000;
    in.performance_percent = 100;
    assert_true(scoring_compute(&in, &scoring_default_rule_set, &r));
    assert_string_equal(line(&r, SCORING_CRITERION_DEWAN_PERS)->rule,
                        "Dewan Pers >= administratif -> 15");
    assert_string_equal(line(&r, SCORING_CRITERION_REACH)->rule, "copies >= 10000 -> 15");
    assert_string_equal(line(&r, SCORING_CRITERION_PERFORMANCE)->rule, "on time >= 100% -> 10");

    in.outlet_type = SCORING_OUTLET_RADIO;
    assert_true(scoring_compute(&in, &scoring_default_rule_set, &r));
    assert_string_equal(line(&r, SCORING_CRITERION_REACH)->rule, "coverage < 50000 -> 0");
    in.outlet_type = SCORING_OUTLET_TV;
    in.reach_value = 5000000;
    assert_true(scoring_compute(&in, &scoring_default_rule_set, &r));
    assert_string_equal(line(&r, SCORING_CRITERION_REACH)->rule, "coverage >= 5000000 -> 20");
}

/* ---- tiers ---- */

/* Profiles whose default totals sit on the tier edges. */
typedef struct {
    int total;
    scoring_tier tier;
    scoring_inputs in;
} profile;

#define IN(dp, ce, total, valid, age, type, reach, hist, perf)         \
    {                                                                  \
        dp, ce, total, valid, age, type, reach, hist, perf, false, {0} \
    }

static const profile PROFILES[] = {
    /* 0: nothing reached, history of 0% */
    {0, SCORING_TIER_NONE,
     IN(SCORING_DEWAN_PERS_NONE, SCORING_UKW_NONE, 5, 0, 0, SCORING_OUTLET_SIBER, 0, true, 0)},
    /* 39 = 15 + 8 + 4 (1/3 = 33%) + 0 (1 year) + 12 (100.000 visitors) + 0 (0%) */
    {39, SCORING_TIER_NONE,
     IN(SCORING_DEWAN_PERS_ADMINISTRATIF, SCORING_UKW_MADYA, 3, 1, 1, SCORING_OUTLET_SIBER, 100000,
        true, 0)},
    /* 40 = 15 + 0 + 0 (no journalists) + 5 (3 years) + 17 (TV 2.500.000) + 3 (50%) */
    {40, SCORING_TIER_C,
     IN(SCORING_DEWAN_PERS_ADMINISTRATIF, SCORING_UKW_NONE, 0, 0, 3, SCORING_OUTLET_TV, 2500000,
        true, 50)},
    /* 59 = 30 + 8 + 4 (1/4 = 25%) + 5 (2 years) + 12 (radio 250.000) + 0 (49%) */
    {59, SCORING_TIER_C,
     IN(SCORING_DEWAN_PERS_FAKTUAL, SCORING_UKW_MADYA, 4, 1, 2, SCORING_OUTLET_RADIO, 250000, true,
        49)},
    /* 60 = 30 + 0 (Muda) + 8 (1/2 = 50%) + 10 (5 years) + 12 (5.000 copies) + 0 (0%) */
    {60, SCORING_TIER_B,
     IN(SCORING_DEWAN_PERS_FAKTUAL, SCORING_UKW_MUDA, 2, 1, 5, SCORING_OUTLET_CETAK, 5000, true,
        0)},
    /* 78: the golden path */
    {78, SCORING_TIER_B,
     IN(SCORING_DEWAN_PERS_FAKTUAL, SCORING_UKW_MADYA, 3, 2, 7, SCORING_OUTLET_SIBER, 600000, false,
        0)},
    /* 79 = 30 + 8 + 8 (2/3) + 10 + 20 (1.000.000 visitors) + 3 (50%) */
    {79, SCORING_TIER_B,
     IN(SCORING_DEWAN_PERS_FAKTUAL, SCORING_UKW_MADYA, 3, 2, 7, SCORING_OUTLET_SIBER, 1000000, true,
        50)},
    /* 80 = 30 + 8 + 12 (3/4 = 75%) + 10 + 15 (250.000 visitors) + 5 (neutral) */
    {80, SCORING_TIER_A,
     IN(SCORING_DEWAN_PERS_FAKTUAL, SCORING_UKW_MADYA, 4, 3, 7, SCORING_OUTLET_SIBER, 250000, false,
        0)},
    /* 100 = 30 + 15 + 15 (10/10) + 10 + 20 + 10 (100%) */
    {100, SCORING_TIER_A,
     IN(SCORING_DEWAN_PERS_FAKTUAL, SCORING_UKW_UTAMA, 10, 10, 5, SCORING_OUTLET_SIBER, 1000000,
        true, 100)},
};

static void tier_edges_39_40_59_60_79_80(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(PROFILES); i++) {
        scoring_result r;
        assert_true(scoring_compute(&PROFILES[i].in, &scoring_default_rule_set, &r));
        if (r.total != PROFILES[i].total || r.tier != PROFILES[i].tier)
            fail_msg("profile %zu: %d (%s), want %d (%s)", i, r.total, scoring_tier_name(r.tier),
                     PROFILES[i].total, scoring_tier_name(PROFILES[i].tier));
        int sum = 0;
        for (size_t k = 0; k < SCORING_CRITERION_COUNT; k++)
            sum += r.lines[k].points;
        assert_int_equal(sum, r.total);
    }
    /* The golden path's profile above is the published one. */
    const scoring_inputs *a = &PROFILES[5].in, *g = &scoring_golden_path_inputs;
    assert_int_equal(a->dewan_pers_status, g->dewan_pers_status);
    assert_int_equal(a->chief_editor_ukw, g->chief_editor_ukw);
    assert_int_equal(a->journalists_total, g->journalists_total);
    assert_int_equal(a->journalists_with_valid_ukw, g->journalists_with_valid_ukw);
    assert_int_equal(a->company_age_years, g->company_age_years);
    assert_int_equal(a->outlet_type, g->outlet_type);
    assert_int_equal(a->reach_value, g->reach_value);
    assert_int_equal(a->has_performance_history, g->has_performance_history);
    assert_int_equal(a->suspended, g->suspended);
}

static void suspended_scores_but_has_no_tier(void **state)
{
    (void)state;
    scoring_inputs in = scoring_golden_path_inputs;
    in.suspended = true;
    scoring_result r;
    assert_true(scoring_compute(&in, &scoring_default_rule_set, &r));
    assert_int_equal(r.total, 78); /* the points stay visible */
    assert_int_equal(r.tier, SCORING_TIER_NONE);
    assert_int_equal(line(&r, SCORING_CRITERION_DEWAN_PERS)->points, 30);

    in = PROFILES[8].in; /* 100 points */
    in.suspended = true;
    assert_true(scoring_compute(&in, &scoring_default_rule_set, &r));
    assert_int_equal(r.total, 100);
    assert_int_equal(r.tier, SCORING_TIER_NONE);

    /* and no ceiling for a tier of NONE */
    int64_t ceiling = -7;
    assert_false(scoring_ceiling_lookup(scoring_default_prices, scoring_default_prices_count,
                                        SCORING_OUTLET_SIBER, SCORING_PRODUCT_ONLINE_ADVERTORIAL,
                                        r.tier, &ceiling));
    assert_int_equal(ceiling, -7);
}

static void no_history_is_neutral(void **state)
{
    (void)state;
    scoring_inputs in = scoring_golden_path_inputs;
    scoring_result r;
    /* Without history the percent is ignored, even one out of range. */
    const int ignored[] = {0, 49, 100, -7, 1000};
    for (size_t i = 0; i < COUNT(ignored); i++) {
        in.performance_percent = ignored[i];
        assert_true(scoring_compute(&in, &scoring_default_rule_set, &r));
        assert_int_equal(line(&r, SCORING_CRITERION_PERFORMANCE)->points, 5);
        assert_int_equal(line(&r, SCORING_CRITERION_PERFORMANCE)->value, -1);
        assert_int_equal(line(&r, SCORING_CRITERION_PERFORMANCE)->threshold, -1);
        assert_int_equal(r.total, 78);
    }
    /* Neutral (5) sits between 50% (3) and 75% (6): with history of 74%, 3
     * points: 78 - 5 + 3 = 76. */
    in.has_performance_history = true;
    in.performance_percent = 74;
    assert_true(scoring_compute(&in, &scoring_default_rule_set, &r));
    assert_int_equal(r.total, 76);

    /* The neutral points are the rule set's: 0 makes the golden path 73. */
    scoring_rule_set rs = scoring_default_rule_set;
    rs.performance_neutral_points = 0;
    assert_true(scoring_compute(&scoring_golden_path_inputs, &rs, &r));
    assert_int_equal(line(&r, SCORING_CRITERION_PERFORMANCE)->points, 0);
    assert_string_equal(line(&r, SCORING_CRITERION_PERFORMANCE)->rule, "no history: neutral -> 0");
    assert_int_equal(r.total, 73);
    assert_int_equal(r.tier, SCORING_TIER_B);
}

/* ---- journalists and age ---- */

static void ukw_share_rounds_down(void **state)
{
    (void)state;
    assert_int_equal(scoring_ukw_share_percent(0, 0), 0);  /* no journalists: 0% */
    assert_int_equal(scoring_ukw_share_percent(2, 3), 66); /* 66,67 */
    assert_int_equal(scoring_ukw_share_percent(1, 3), 33);
    assert_int_equal(scoring_ukw_share_percent(3, 3), 100);
    assert_int_equal(scoring_ukw_share_percent(0, 7), 0);
    assert_int_equal(scoring_ukw_share_percent(199, 200), 99);             /* 99,5 */
    assert_int_equal(scoring_ukw_share_percent(INT_MAX - 1, INT_MAX), 99); /* no overflow */
    assert_int_equal(scoring_ukw_share_percent(4, 3), -1);
    assert_int_equal(scoring_ukw_share_percent(1, 0), -1);
    assert_int_equal(scoring_ukw_share_percent(-1, 3), -1);
    assert_int_equal(scoring_ukw_share_percent(0, -1), -1);
}

static void zero_journalists_earn_no_share_points(void **state)
{
    (void)state;
    scoring_inputs in = scoring_golden_path_inputs;
    in.journalists_total = 0;
    in.journalists_with_valid_ukw = 0;
    scoring_result r;
    assert_true(scoring_compute(&in, &scoring_default_rule_set, &r));
    const scoring_line *l = line(&r, SCORING_CRITERION_JOURNALIST_UKW_SHARE);
    assert_int_equal(l->value, 0);
    assert_int_equal(l->points, 0);
    assert_int_equal(l->threshold, -1);
    assert_string_equal(l->rule, "UKW share < 25% -> 0");
    assert_int_equal(r.total, 70); /* 78 - 8 */
    assert_int_equal(r.tier, SCORING_TIER_B);
}

enum {
    /* 1970-03-01 is 59; 1969-03-01 is 59 - 365 = -306; 1968-03-01 is -306 - 365 = -671 */
    D_1968_02_29 = -672,
    D_1969_02_28 = -307,
    D_2000_02_29 = 11016, /* 2000-03-01 = 10957 + 31 + 29 = 11017 */
    D_2019_12_31 = 18261,
    D_2020_02_29 = 18321,
    D_2020_03_15 = 18336,
    D_2021_02_28 = 18686, /* 2021-03-01 = 18322 + 365 = 18687 */
    D_2026_12_31 = 20818,
    D_2027_01_01 = 20819,
    D_2027_02_27 = 20876,
    D_2027_02_28 = 20877,
    D_2027_03_01 = 20878,
    D_2027_03_14 = 20891,
    D_2027_03_15 = 20892,
    D_2028_02_28 = 21242,
    D_2028_02_29 = 21243,
    D_2100_02_28 = 47540, /* 2100-03-01 = 2000-03-01 + 100 * 365 + 24 leap days = 47541 */
};

static void company_age_counts_whole_years_on_the_anniversary(void **state)
{
    (void)state;
    assert_int_equal(scoring_company_age_years(D_2020_03_15, D_2027_03_14), 6);
    assert_int_equal(scoring_company_age_years(D_2020_03_15, D_2027_03_15), 7);
    assert_int_equal(scoring_company_age_years(D_2020_03_15, D_2020_03_15), 0);
    assert_int_equal(scoring_company_age_years(D_2019_12_31, D_2026_12_31), 7);
    assert_int_equal(scoring_company_age_years(D_2019_12_31, D_2027_01_01), 7);
    assert_int_equal(scoring_company_age_years(D_2019_12_31, D_2027_01_01 - 2), 6);
    assert_int_equal(scoring_company_age_years(D_2020_03_15, D_2020_03_15 - 1), -1);
}

static void company_founded_on_29_february(void **state)
{
    (void)state;
    /* Non-leap years: the anniversary is 28 February. */
    assert_int_equal(scoring_company_age_years(D_2020_02_29, D_2021_02_28 - 1), 0);
    assert_int_equal(scoring_company_age_years(D_2020_02_29, D_2021_02_28), 1);
    assert_int_equal(scoring_company_age_years(D_2020_02_29, D_2027_02_27), 6);
    assert_int_equal(scoring_company_age_years(D_2020_02_29, D_2027_02_28), 7);
    assert_int_equal(scoring_company_age_years(D_2020_02_29, D_2027_03_01), 7);
    /* Leap years: 29 February itself. */
    assert_int_equal(scoring_company_age_years(D_2020_02_29, D_2028_02_28), 7);
    assert_int_equal(scoring_company_age_years(D_2020_02_29, D_2028_02_29), 8);
    /* 2100 is not a leap year; before the epoch works too. */
    assert_int_equal(scoring_company_age_years(D_2000_02_29, D_2100_02_28), 100);
    assert_int_equal(scoring_company_age_years(D_2000_02_29, D_2100_02_28 - 1), 99);
    assert_int_equal(scoring_company_age_years(D_1968_02_29, D_1969_02_28), 1);
    assert_int_equal(scoring_company_age_years(D_1968_02_29, D_1969_02_28 - 1), 0);
    /* A company founded 28 February is not older on 29 February. */
    assert_int_equal(scoring_company_age_years(D_2027_02_28, D_2028_02_28), 1);
    assert_int_equal(scoring_company_age_years(D_2027_02_28, D_2028_02_28 - 1), 0);
}

/* ---- invalid arguments ---- */

static void compute_refuses_bad_arguments(void **state)
{
    (void)state;
    scoring_result r, before;
    memset(&r, 0x5a, sizeof(r));
    memcpy(&before, &r, sizeof(r));
    const scoring_inputs *g = &scoring_golden_path_inputs;
    assert_false(scoring_compute(NULL, &scoring_default_rule_set, &r));
    assert_false(scoring_compute(g, NULL, &r));
    assert_false(scoring_compute(g, &scoring_default_rule_set, NULL));

    scoring_inputs bad[12];
    for (size_t i = 0; i < COUNT(bad); i++)
        bad[i] = *g;
    bad[0].dewan_pers_status = (scoring_dewan_pers)3;
    bad[1].dewan_pers_status = (scoring_dewan_pers)-1;
    bad[2].chief_editor_ukw = (scoring_ukw)4;
    bad[3].journalists_total = -1;
    bad[4].journalists_with_valid_ukw = 4; /* of 3 */
    bad[5].journalists_with_valid_ukw = -1;
    bad[6].company_age_years = -1;
    bad[7].outlet_type = SCORING_OUTLET_COUNT;
    bad[8].reach_value = -1;
    bad[9].has_performance_history = true;
    bad[9].performance_percent = 101;
    bad[10].has_performance_history = true;
    bad[10].performance_percent = -1;
    bad[11].outlet_type = (scoring_outlet_type)-1;
    for (size_t i = 0; i < COUNT(bad); i++)
        if (scoring_compute(&bad[i], &scoring_default_rule_set, &r))
            fail_msg("bad input %zu accepted", i);
    assert_memory_equal(&r, &before, sizeof(r)); /* untouched */
}

/* ---- rule set validation ---- */

#define EXPECT_INVALID(mutation, path)                                                  \
    do {                                                                                \
        scoring_rule_set rs = scoring_default_rule_set;                                 \
        mutation;                                                                       \
        scoring_problem p;                                                              \
        if (scoring_rule_set_valid(&rs, &p))                                            \
            fail_msg("%s: accepted", #mutation);                                        \
        if (strcmp(p.field, path) != 0)                                                 \
            fail_msg("%s: field %s (%s), want %s", #mutation, p.field, p.reason, path); \
        assert_true(p.reason[0] != '\0');                                               \
        assert_false(scoring_rule_set_valid(&rs, NULL));                                \
        scoring_result r;                                                               \
        assert_false(scoring_compute(&scoring_golden_path_inputs, &rs, &r));            \
    } while (0)

static void rule_set_problems_name_the_field(void **state)
{
    (void)state;
    EXPECT_INVALID(rs.criteria[2].id = SCORING_CRITERION_COMPANY_AGE, "criteria[2].id");
    EXPECT_INVALID(rs.criteria[1].max = -1, "criteria[1].max");
    EXPECT_INVALID(rs.criteria[1].max = 101, "criteria[1].max");
    /* Dewan Pers max 25 and age max 15 still sum to 100, but faktual's 30 is above 25. */
    EXPECT_INVALID((rs.criteria[0].max = 25, rs.criteria[3].max = 15),
                   "criteria[0].bands[1].points");
    EXPECT_INVALID(rs.criteria[3].bands.band[1].threshold = 2, "criteria[3].bands[1].threshold");
    EXPECT_INVALID(rs.criteria[2].bands.band[2].threshold = 40, "criteria[2].bands[2].threshold");
    EXPECT_INVALID(rs.criteria[3].bands.band[0].threshold = -1, "criteria[3].bands[0].threshold");
    EXPECT_INVALID(rs.criteria[2].bands.band[2].points = 7, "criteria[2].bands[2].points");
    EXPECT_INVALID(rs.criteria[5].bands.band[0].points = -1, "criteria[5].bands[0].points");
    EXPECT_INVALID(rs.criteria[5].bands.band[3].points = 11, "criteria[5].bands[3].points");
    EXPECT_INVALID(rs.criteria[5].bands.n = SCORING_MAX_BANDS + 1, "criteria[5].bands");
    EXPECT_INVALID((rs.criteria[4].bands.n = 1, rs.criteria[4].bands.band[0].threshold = 1,
                    rs.criteria[4].bands.band[0].points = 1),
                   "criteria[4].bands");
    EXPECT_INVALID(rs.reach[SCORING_OUTLET_SIBER].band[3].threshold = 100000,
                   "reach.siber.bands[3].threshold");
    EXPECT_INVALID(rs.reach[SCORING_OUTLET_CETAK].band[1].points = 3,
                   "reach.cetak.bands[1].points");
    EXPECT_INVALID(rs.reach[SCORING_OUTLET_RADIO].band[5].points = 21,
                   "reach.radio.bands[5].points");
    EXPECT_INVALID(rs.reach[SCORING_OUTLET_TV].n = SCORING_MAX_BANDS + 1, "reach.tv.bands");
    EXPECT_INVALID(rs.criteria[3].max = 15, "criteria");                   /* sum 105 */
    EXPECT_INVALID(rs.criteria[3].max = 9, "criteria[3].bands[1].points"); /* 10 > 9 first */
    EXPECT_INVALID(rs.performance_neutral_points = 11, "performance_neutral_points");
    EXPECT_INVALID(rs.performance_neutral_points = -1, "performance_neutral_points");
    EXPECT_INVALID(rs.tiers.a = 101, "tiers.a");
    EXPECT_INVALID(rs.tiers.b = 80, "tiers.b"); /* B not below A */
    EXPECT_INVALID(rs.tiers.c = 60, "tiers.c"); /* C not below B */
    EXPECT_INVALID(rs.tiers.c = 0, "tiers.c");  /* C must be above 0 */
    EXPECT_INVALID((rs.tiers = (scoring_thresholds){40, 60, 80}), "tiers.b");

    scoring_problem p;
    assert_false(scoring_rule_set_valid(NULL, &p));
    assert_string_equal(p.field, "rule_set");

    scoring_rule_set rs = scoring_default_rule_set;
    rs.criteria[3].max = 15;
    assert_false(scoring_rule_set_valid(&rs, &p));
    assert_string_equal(p.reason, "maxima sum to 105, not 100");
}

static void rule_set_edges_that_are_allowed(void **state)
{
    (void)state;
    scoring_result r;
    /* Equal points in consecutive bands (non-decreasing), the top band at the
     * maximum, 8 bands, tiers at 100 and 1, neutral at 0 and at the maximum. */
    scoring_rule_set rs = scoring_default_rule_set;
    rs.criteria[2].bands.band[2].points = 8; /* 75%: 8 like 50% */
    rs.tiers = (scoring_thresholds){100, 99, 1};
    rs.performance_neutral_points = 10;
    scoring_band_list *siber = &rs.reach[SCORING_OUTLET_SIBER];
    siber->n = SCORING_MAX_BANDS;
    for (size_t i = 0; i < SCORING_MAX_BANDS; i++)
        siber->band[i] = (scoring_band){(int64_t)(i + 1) * 100000, (int)(i + 1) * 2};
    assert_true(scoring_rule_set_valid(&rs, NULL));
    /* golden: 30 + 8 + 8 + 10 + 12 (600.000: the 6th band, 12) + 10 = 78 -> C */
    assert_true(scoring_compute(&scoring_golden_path_inputs, &rs, &r));
    assert_int_equal(line(&r, SCORING_CRITERION_REACH)->points, 12);
    assert_int_equal(line(&r, SCORING_CRITERION_REACH)->threshold, 600000);
    assert_int_equal(r.total, 78);
    assert_int_equal(r.tier, SCORING_TIER_C);

    /* A criterion without bands gives 0 to everyone (here, with max 0 and the
     * 10 points moved to company age). */
    rs = scoring_default_rule_set;
    rs.criteria[5].max = 0;
    rs.criteria[5].bands.n = 0;
    rs.performance_neutral_points = 0;
    rs.criteria[3].max = 20;
    assert_true(scoring_rule_set_valid(&rs, NULL));
    scoring_inputs in = scoring_golden_path_inputs;
    in.has_performance_history = true;
    in.performance_percent = 100;
    assert_true(scoring_compute(&in, &rs, &r));
    assert_int_equal(line(&r, SCORING_CRITERION_PERFORMANCE)->points, 0);
    assert_string_equal(line(&r, SCORING_CRITERION_PERFORMANCE)->rule, "on time: no bands -> 0");
    assert_int_equal(r.total, 73); /* 30 + 8 + 8 + 10 + 17 + 0 */
}

/* ---- a rule-set change re-tiers everyone ---- */

static void new_rule_set_re_tiers_everyone(void **state)
{
    (void)state;
    scoring_rule_set rs = scoring_default_rule_set;
    rs.tiers.a = 75; /* A from 75 */
    assert_true(scoring_rule_set_valid(&rs, NULL));
    scoring_result r;
    assert_true(scoring_compute(&scoring_golden_path_inputs, &rs, &r));
    assert_int_equal(r.total, 78);
    assert_int_equal(r.tier, SCORING_TIER_A);

    /* Every profile under A >= 75, B >= 60, C >= 40: totals unchanged; 78 and
     * 79 move from B to A. */
    static const scoring_tier want[COUNT(PROFILES)] = {
        SCORING_TIER_NONE, SCORING_TIER_NONE, SCORING_TIER_C, SCORING_TIER_C, SCORING_TIER_B,
        SCORING_TIER_A,    SCORING_TIER_A,    SCORING_TIER_A, SCORING_TIER_A,
    };
    for (size_t i = 0; i < COUNT(PROFILES); i++) {
        assert_true(scoring_compute(&PROFILES[i].in, &rs, &r));
        assert_int_equal(r.total, PROFILES[i].total);
        if (r.tier != want[i])
            fail_msg("profile %zu (%d): %s, want %s", i, r.total, scoring_tier_name(r.tier),
                     scoring_tier_name(want[i]));
    }

    /* A change of weights re-scores too: reach down to 15 (siber 500.000 worth
     * 12 instead of 17), the 5 points moved to the chief editor (Madya 13,
     * Utama 20): golden 30 + 13 + 8 + 10 + 12 + 5 = 78 again; the 80-profile
     * (250.000 visitors: 15 -> 12, Madya 8 -> 13) goes up to 82. */
    rs = scoring_default_rule_set;
    rs.criteria[SCORING_CRITERION_REACH].max = 15;
    rs.criteria[SCORING_CRITERION_CHIEF_EDITOR_UKW].max = 20;
    rs.criteria[SCORING_CRITERION_CHIEF_EDITOR_UKW].bands.band[0].points = 13;
    rs.criteria[SCORING_CRITERION_CHIEF_EDITOR_UKW].bands.band[1].points = 20;
    for (size_t t = 0; t < SCORING_OUTLET_COUNT; t++) {
        scoring_band_list *l = &rs.reach[t]; /* 4 8 12 15 17 20 -> 3 6 9 12 12 15 */
        static const int pts[6] = {3, 6, 9, 12, 12, 15};
        for (size_t i = 0; i < l->n; i++)
            l->band[i].points = pts[i];
    }
    assert_true(scoring_rule_set_valid(&rs, NULL));
    assert_true(scoring_compute(&scoring_golden_path_inputs, &rs, &r));
    assert_int_equal(line(&r, SCORING_CRITERION_REACH)->points, 12);
    assert_int_equal(line(&r, SCORING_CRITERION_CHIEF_EDITOR_UKW)->points, 13);
    assert_int_equal(r.total, 78);
    assert_true(scoring_compute(&PROFILES[7].in, &rs, &r));
    assert_int_equal(r.total, 82); /* 30 + 13 + 12 + 10 + 12 + 5 */
    assert_int_equal(r.tier, SCORING_TIER_A);
    /* The 40-profile (no chief editor, TV 2.500.000: 17 -> 12) drops to 35: no tier. */
    assert_true(scoring_compute(&PROFILES[2].in, &rs, &r));
    assert_int_equal(r.total, 35);
    assert_int_equal(r.tier, SCORING_TIER_NONE);
}

/* ---- price standards ---- */

static void ceiling_lookup_finds_the_tier_price(void **state)
{
    (void)state;
    const scoring_price_entry *t = scoring_default_prices;
    const size_t n = scoring_default_prices_count;
    int64_t c = 0;
    assert_true(scoring_ceiling_lookup(t, n, SCORING_OUTLET_SIBER,
                                       SCORING_PRODUCT_ONLINE_ADVERTORIAL, SCORING_TIER_A, &c));
    assert_int_equal(c, 1500000);
    assert_true(scoring_ceiling_lookup(t, n, SCORING_OUTLET_SIBER,
                                       SCORING_PRODUCT_ONLINE_ADVERTORIAL, SCORING_TIER_B, &c));
    assert_int_equal(c, 1000000);
    assert_true(scoring_ceiling_lookup(t, n, SCORING_OUTLET_SIBER,
                                       SCORING_PRODUCT_ONLINE_ADVERTORIAL, SCORING_TIER_C, &c));
    assert_int_equal(c, 600000);
    assert_true(scoring_ceiling_lookup(t, n, SCORING_OUTLET_SIBER,
                                       SCORING_PRODUCT_ONLINE_BANNER_MONTH, SCORING_TIER_B, &c));
    assert_int_equal(c, 1500000);
    assert_true(scoring_ceiling_lookup(t, n, SCORING_OUTLET_TV, SCORING_PRODUCT_TV_SPOT,
                                       SCORING_TIER_B, &c));
    assert_int_equal(c, 1000000);

    /* Every default entry has a tier and a positive ceiling. */
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        assert_true(t[i].tier != SCORING_TIER_NONE);
        assert_true(t[i].ceiling > 0);
    }
}

static void ceiling_lookup_not_found(void **state)
{
    (void)state;
    const scoring_price_entry *t = scoring_default_prices;
    const size_t n = scoring_default_prices_count;
    int64_t c = -7;
    /* no print price for an online product, no TV price for a print product */
    assert_false(scoring_ceiling_lookup(t, n, SCORING_OUTLET_CETAK,
                                        SCORING_PRODUCT_ONLINE_ADVERTORIAL, SCORING_TIER_B, &c));
    assert_false(scoring_ceiling_lookup(t, n, SCORING_OUTLET_TV, SCORING_PRODUCT_PRINT_ADVERTORIAL,
                                        SCORING_TIER_A, &c));
    assert_false(scoring_ceiling_lookup(t, 0, SCORING_OUTLET_SIBER,
                                        SCORING_PRODUCT_ONLINE_ADVERTORIAL, SCORING_TIER_B, &c));
    assert_false(scoring_ceiling_lookup(NULL, n, SCORING_OUTLET_SIBER,
                                        SCORING_PRODUCT_ONLINE_ADVERTORIAL, SCORING_TIER_B, &c));
    assert_false(scoring_ceiling_lookup(t, n, SCORING_OUTLET_SIBER,
                                        SCORING_PRODUCT_ONLINE_ADVERTORIAL, SCORING_TIER_B, NULL));
    assert_int_equal(c, -7); /* untouched */
}

static void ceiling_lookup_never_for_tier_none(void **state)
{
    (void)state;
    /* Even a table that names tier NONE gives it no ceiling; the first match wins. */
    const scoring_price_entry t[] = {
        {SCORING_OUTLET_SIBER, SCORING_PRODUCT_ONLINE_ADVERTORIAL, SCORING_TIER_NONE, 100000},
        {SCORING_OUTLET_SIBER, SCORING_PRODUCT_ONLINE_ADVERTORIAL, SCORING_TIER_C, 500000},
        {SCORING_OUTLET_SIBER, SCORING_PRODUCT_ONLINE_ADVERTORIAL, SCORING_TIER_C, 700000},
    };
    int64_t c = -7;
    assert_false(scoring_ceiling_lookup(t, COUNT(t), SCORING_OUTLET_SIBER,
                                        SCORING_PRODUCT_ONLINE_ADVERTORIAL, SCORING_TIER_NONE, &c));
    assert_int_equal(c, -7);
    assert_true(scoring_ceiling_lookup(t, COUNT(t), SCORING_OUTLET_SIBER,
                                       SCORING_PRODUCT_ONLINE_ADVERTORIAL, SCORING_TIER_C, &c));
    assert_int_equal(c, 500000);
    /* only the first n entries count */
    assert_false(scoring_ceiling_lookup(t, 1, SCORING_OUTLET_SIBER,
                                        SCORING_PRODUCT_ONLINE_ADVERTORIAL, SCORING_TIER_C, &c));
}

static void product_names_round_trip(void **state)
{
    (void)state;
    assert_string_equal(scoring_product_name(SCORING_PRODUCT_ONLINE_ADVERTORIAL),
                        "online_advertorial");
    assert_string_equal(scoring_product_name(SCORING_PRODUCT_ONLINE_BANNER_MONTH),
                        "online_banner_month");
    assert_string_equal(scoring_product_name(SCORING_PRODUCT_RADIO_SPOT_60S), "radio_spot_60s");
    assert_string_equal(scoring_product_name(SCORING_PRODUCT_PUBLIC_SERVICE_AD),
                        "public_service_ad");
    assert_string_equal(scoring_product_name(SCORING_PRODUCT_SOCIAL_MEDIA_POST),
                        "social_media_post");
    assert_null(scoring_product_name(SCORING_PRODUCT_COUNT));
    assert_null(scoring_product_name((scoring_product)-1));
    assert_int_equal(SCORING_PRODUCT_COUNT, 12); /* DOMAIN.md step 6 lists twelve */
    for (int i = 0; i < SCORING_PRODUCT_COUNT; i++) {
        scoring_product p = SCORING_PRODUCT_COUNT;
        const char *name = scoring_product_name((scoring_product)i);
        assert_non_null(name);
        assert_true(scoring_product_parse(name, &p));
        assert_int_equal(p, i);
    }
    scoring_product p = SCORING_PRODUCT_TV_SPOT;
    assert_false(scoring_product_parse("Online_Advertorial", &p));
    assert_false(scoring_product_parse("", &p));
    assert_false(scoring_product_parse(NULL, &p));
    assert_false(scoring_product_parse("online_advertorial", NULL));
    assert_int_equal(p, SCORING_PRODUCT_TV_SPOT);
}

static void dates_parse_strictly(void **state)
{
    (void)state;
    int32_t d = -1;
    assert_true(scoring_parse_date("1970-01-01", &d));
    assert_int_equal(d, 0);
    assert_true(scoring_parse_date("2027-01-01", &d));
    assert_int_equal(d, 20819);
    assert_true(scoring_parse_date("2024-02-29", NULL));
    assert_false(scoring_parse_date("2027-02-29", NULL)); /* not a leap year */
    assert_false(scoring_parse_date("2027-13-01", NULL));
    assert_false(scoring_parse_date("2027-1-01", NULL));
    assert_false(scoring_parse_date("2027-01-01T00", NULL));
    assert_false(scoring_parse_date("", NULL));
    assert_false(scoring_parse_date(NULL, NULL));
    /* the age rule on 1 January of the fiscal year */
    int32_t founded, jan1;
    assert_true(scoring_parse_date("2020-01-01", &founded));
    assert_true(scoring_parse_date("2027-01-01", &jan1));
    assert_int_equal(scoring_company_age_years(founded, jan1), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_path_scores_78_tier_b),
        cmocka_unit_test(golden_path_ceiling_is_one_million),
        cmocka_unit_test(what_documents_prove_scores_the_golden_path_78),
        cmocka_unit_test(dewan_pers_counts_the_certificate_not_the_claim),
        cmocka_unit_test(ukw_certificates_count_through_the_year_scored),
        cmocka_unit_test(company_age_comes_from_the_accepted_deed),
        cmocka_unit_test(reason_codes_are_stable),
        cmocka_unit_test(products_fit_their_outlet_types),
        cmocka_unit_test(ceilings_never_fall_as_the_tier_rises),
        cmocka_unit_test(default_rule_set_is_valid_and_matches_domain_md),
        cmocka_unit_test(criterion_and_outlet_names),
        cmocka_unit_test(every_band_edge),
        cmocka_unit_test(rule_texts_name_the_band),
        cmocka_unit_test(tier_edges_39_40_59_60_79_80),
        cmocka_unit_test(suspended_scores_but_has_no_tier),
        cmocka_unit_test(no_history_is_neutral),
        cmocka_unit_test(ukw_share_rounds_down),
        cmocka_unit_test(zero_journalists_earn_no_share_points),
        cmocka_unit_test(company_age_counts_whole_years_on_the_anniversary),
        cmocka_unit_test(company_founded_on_29_february),
        cmocka_unit_test(compute_refuses_bad_arguments),
        cmocka_unit_test(rule_set_problems_name_the_field),
        cmocka_unit_test(rule_set_edges_that_are_allowed),
        cmocka_unit_test(new_rule_set_re_tiers_everyone),
        cmocka_unit_test(ceiling_lookup_finds_the_tier_price),
        cmocka_unit_test(ceiling_lookup_not_found),
        cmocka_unit_test(ceiling_lookup_never_for_tier_none),
        cmocka_unit_test(product_names_round_trip),
        cmocka_unit_test(dates_parse_strictly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
