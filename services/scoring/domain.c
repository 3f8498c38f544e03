#include "domain.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- tiers ---- */

const scoring_thresholds scoring_default_thresholds = {80, 60, 40};

scoring_tier scoring_tier_for(int score, const scoring_thresholds *t)
{
    if (score >= t->a)
        return SCORING_TIER_A;
    if (score >= t->b)
        return SCORING_TIER_B;
    if (score >= t->c)
        return SCORING_TIER_C;
    return SCORING_TIER_NONE;
}

const char *scoring_tier_name(scoring_tier tier)
{
    switch (tier) {
    case SCORING_TIER_A: return "A";
    case SCORING_TIER_B: return "B";
    case SCORING_TIER_C: return "C";
    default: return "-";
    }
}

/* ---- names ---- */

static const char *const OUTLET_NAMES[SCORING_OUTLET_COUNT] = {"cetak", "siber", "radio", "tv"};

const char *scoring_outlet_type_name(scoring_outlet_type t)
{
    return (unsigned)t < SCORING_OUTLET_COUNT ? OUTLET_NAMES[t] : NULL;
}

static const char *const CRITERION_NAMES[SCORING_CRITERION_COUNT] = {
    "dewan_pers", "chief_editor_ukw", "journalist_ukw_share", "company_age", "reach", "performance",
};

const char *scoring_criterion_name(scoring_criterion_id id)
{
    return (unsigned)id < SCORING_CRITERION_COUNT ? CRITERION_NAMES[id] : NULL;
}

static const char *const PRODUCT_NAMES[SCORING_PRODUCT_COUNT] = {
    "online_advertorial", "online_banner_month", "photo_gallery",
    "infotorial",         "print_advertorial",   "print_announcement",
    "radio_spot_60s",     "radio_talk_show",     "tv_spot",
    "tv_live_broadcast",  "public_service_ad",   "social_media_post",
};

const char *scoring_product_name(scoring_product p)
{
    return (unsigned)p < SCORING_PRODUCT_COUNT ? PRODUCT_NAMES[p] : NULL;
}

bool scoring_product_parse(const char *s, scoring_product *out)
{
    if (s == NULL || out == NULL)
        return false;
    for (size_t i = 0; i < SCORING_PRODUCT_COUNT; i++)
        if (strcmp(s, PRODUCT_NAMES[i]) == 0) {
            *out = (scoring_product)i;
            return true;
        }
    return false;
}

/* ---- inputs ---- */

_Static_assert(SCORING_CRITERION_COUNT == sizeof(((scoring_inputs *)0)->reasons) /
                                             sizeof(((scoring_inputs *)0)->reasons[0]),
               "one reason per criterion");

static const char *const REASON_CODES[SCORING_REASON_COUNT] = {
    [SCORING_REASON_UNSET] = "",
    [SCORING_REASON_DP_FAKTUAL] = "dewan_pers.faktual",
    [SCORING_REASON_DP_ADMINISTRATIF] = "dewan_pers.administratif",
    [SCORING_REASON_DP_NONE] = "dewan_pers.none",
    [SCORING_REASON_DP_CERT_MISSING] = "dewan_pers.certificate_missing",
    [SCORING_REASON_DP_CERT_PENDING] = "dewan_pers.certificate_pending",
    [SCORING_REASON_DP_CERT_REJECTED] = "dewan_pers.certificate_rejected",
    [SCORING_REASON_DP_CERT_EXPIRES] = "dewan_pers.certificate_expires",
    [SCORING_REASON_CE_CERTIFIED] = "chief_editor_ukw.certified",
    [SCORING_REASON_CE_NONE] = "chief_editor_ukw.none",
    [SCORING_REASON_CE_NO_CHIEF_EDITOR] = "chief_editor_ukw.no_chief_editor",
    [SCORING_REASON_CE_CERT_MISSING] = "chief_editor_ukw.certificate_missing",
    [SCORING_REASON_CE_CERT_PENDING] = "chief_editor_ukw.certificate_pending",
    [SCORING_REASON_CE_CERT_REJECTED] = "chief_editor_ukw.certificate_rejected",
    [SCORING_REASON_CE_CERT_EXPIRES] = "chief_editor_ukw.certificate_expires",
    [SCORING_REASON_SHARE_PROVEN] = "journalist_ukw_share.proven",
    [SCORING_REASON_SHARE_SOME_UNPROVEN] = "journalist_ukw_share.some_unproven",
    [SCORING_REASON_SHARE_NO_JOURNALISTS] = "journalist_ukw_share.no_journalists",
    [SCORING_REASON_AGE_DEED] = "company_age.deed",
    [SCORING_REASON_AGE_DEED_MISSING] = "company_age.deed_missing",
    [SCORING_REASON_AGE_DEED_PENDING] = "company_age.deed_pending",
    [SCORING_REASON_AGE_DEED_REJECTED] = "company_age.deed_rejected",
    [SCORING_REASON_REACH_DECLARED] = "reach.declared",
    [SCORING_REASON_PERFORMANCE_HISTORY] = "performance.history",
    [SCORING_REASON_PERFORMANCE_NO_HISTORY] = "performance.no_history",
};

const char *scoring_reason_code(scoring_reason r)
{
    return (unsigned)r < SCORING_REASON_COUNT ? REASON_CODES[r] : NULL;
}

int scoring_ukw_share_percent(int with_valid, int total)
{
    if (total < 0 || with_valid < 0 || with_valid > total)
        return -1;
    if (total == 0)
        return 0;
    return (int)((int64_t)with_valid * 100 / total); /* both >= 0: rounds down */
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
 * civil_from_days). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    const int64_t mp = (5 * doy + 2) / 153; /* [0, 11], March = 0 */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int scoring_company_age_years(int32_t founded, int32_t on)
{
    if (on < founded)
        return -1;
    int64_t fy, oy;
    int fm, fd, om, od;
    civil_from_days(founded, &fy, &fm, &fd);
    civil_from_days(on, &oy, &om, &od);
    /* The anniversary in year oy: the founding month and day, except that
     * 29 February falls on 28 February in a non-leap year. */
    int am = fm, ad = fd;
    if (fm == 2 && fd == 29 && !is_leap(oy))
        ad = 28;
    int64_t years = oy - fy;
    if (om < am || (om == am && od < ad))
        years--;
    return (int)years;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool scoring_parse_date(const char *s, int32_t *out)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int MDAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > MDAYS[m - 1] + (m == 2 && is_leap(y)))
        return false;
    if (out)
        *out = (int32_t)days_from_civil(y, m, d);
    return true;
}

/* ---- what documents prove ---- */

bool scoring_certificate_holds(const scoring_certificate *c, int fiscal_year)
{
    return c && c->proof == SCORING_PROOF_ACCEPTED &&
           (c->expires == 0 || c->expires >= (int32_t)days_from_civil(fiscal_year, 12, 31));
}

/* Which of the four reasons a certificate that does not hold gives, the
 * one a partner can act on first: pending, then expiring, then rejected,
 * then missing. `base` is the criterion's CERT_MISSING; the others follow
 * it in the enum in the order MISSING, PENDING, REJECTED, EXPIRES. */
static scoring_reason unproven(const scoring_certificate *c, int fiscal_year, scoring_reason base)
{
    (void)fiscal_year;
    switch (c->proof) {
    case SCORING_PROOF_PENDING: return (scoring_reason)(base + 1);
    case SCORING_PROOF_REJECTED: return (scoring_reason)(base + 2);
    case SCORING_PROOF_ACCEPTED: return (scoring_reason)(base + 3);
    case SCORING_PROOF_MISSING: break;
    }
    return base;
}

/* Order of preference among certificates that do not hold. */
static int rank(scoring_proof p)
{
    switch (p) {
    case SCORING_PROOF_PENDING: return 3;
    case SCORING_PROOF_ACCEPTED: return 2; /* accepted but not through the year */
    case SCORING_PROOF_REJECTED: return 1;
    case SCORING_PROOF_MISSING: break;
    }
    return 0;
}

static void assess_dewan_pers(const scoring_facts *f, int year, scoring_inputs *in)
{
    int best = -1;
    const scoring_certificate *closest = NULL;
    for (size_t i = 0; i < f->n_dewan_pers; i++) {
        const scoring_certificate *c = &f->dewan_pers[i];
        if (scoring_certificate_holds(c, year)) {
            if (c->level > best && c->level >= SCORING_DEWAN_PERS_NONE &&
                c->level <= SCORING_DEWAN_PERS_FAKTUAL)
                best = c->level;
        } else if (!closest || rank(c->proof) > rank(closest->proof)) {
            closest = c;
        }
    }
    scoring_reason *why = &in->reasons[SCORING_CRITERION_DEWAN_PERS];
    if (best > SCORING_DEWAN_PERS_NONE) {
        in->dewan_pers_status = (scoring_dewan_pers)best;
        *why = best == SCORING_DEWAN_PERS_FAKTUAL ? SCORING_REASON_DP_FAKTUAL
                                                  : SCORING_REASON_DP_ADMINISTRATIF;
        return;
    }
    in->dewan_pers_status = SCORING_DEWAN_PERS_NONE;
    if (closest && closest->proof != SCORING_PROOF_MISSING)
        *why = unproven(closest, year, SCORING_REASON_DP_CERT_MISSING);
    else if (best == SCORING_DEWAN_PERS_NONE || f->declared_dewan_pers == SCORING_DEWAN_PERS_NONE)
        *why = SCORING_REASON_DP_NONE;
    else
        *why = SCORING_REASON_DP_CERT_MISSING;
}

static void assess_people(const scoring_facts *f, int year, scoring_inputs *in)
{
    int chief = -1;
    const scoring_certificate *closest = NULL;
    bool any_chief = false, chief_declares = false, unproven_journalist = false;
    in->journalists_total = 0;
    in->journalists_with_valid_ukw = 0;
    for (size_t i = 0; i < f->n_people; i++) {
        const scoring_person_facts *p = &f->people[i];
        bool declared = p->level > SCORING_UKW_NONE && p->level <= SCORING_UKW_UTAMA;
        bool holds = declared && scoring_certificate_holds(&p->ukw, year);
        if (p->chief_editor) {
            any_chief = true;
            chief_declares = chief_declares || declared;
            if (holds && (int)p->level > chief)
                chief = (int)p->level;
            else if (declared && !holds &&
                     (!closest || rank(p->ukw.proof) > rank(closest->proof)))
                closest = &p->ukw;
            continue;
        }
        in->journalists_total++;
        if (holds)
            in->journalists_with_valid_ukw++;
        else if (declared)
            unproven_journalist = true;
    }
    scoring_reason *why = &in->reasons[SCORING_CRITERION_CHIEF_EDITOR_UKW];
    in->chief_editor_ukw = chief > 0 ? (scoring_ukw)chief : SCORING_UKW_NONE;
    if (chief > 0)
        *why = SCORING_REASON_CE_CERTIFIED;
    else if (!any_chief)
        *why = SCORING_REASON_CE_NO_CHIEF_EDITOR;
    else if (!chief_declares)
        *why = SCORING_REASON_CE_NONE;
    else
        *why = unproven(closest, year, SCORING_REASON_CE_CERT_MISSING);
    in->reasons[SCORING_CRITERION_JOURNALIST_UKW_SHARE] =
        in->journalists_total == 0 ? SCORING_REASON_SHARE_NO_JOURNALISTS
        : unproven_journalist      ? SCORING_REASON_SHARE_SOME_UNPROVEN
                                   : SCORING_REASON_SHARE_PROVEN;
}

static void assess_age(const scoring_facts *f, int year, scoring_inputs *in)
{
    scoring_reason *why = &in->reasons[SCORING_CRITERION_COMPANY_AGE];
    in->company_age_years = 0;
    if (f->deed.proof != SCORING_PROOF_ACCEPTED || !f->deed_date_known) {
        *why = f->deed.proof == SCORING_PROOF_PENDING    ? SCORING_REASON_AGE_DEED_PENDING
               : f->deed.proof == SCORING_PROOF_REJECTED ? SCORING_REASON_AGE_DEED_REJECTED
                                                         : SCORING_REASON_AGE_DEED_MISSING;
        return;
    }
    /* The deed founds the company: a declared founding date counts only
     * when it is later (it never makes the company older). */
    int32_t founded = f->deed_date;
    if (f->founded_known && f->founded > founded)
        founded = f->founded;
    int age = scoring_company_age_years(founded, (int32_t)days_from_civil(year, 1, 1));
    in->company_age_years = age < 0 ? 0 : age;
    *why = SCORING_REASON_AGE_DEED;
}

bool scoring_assess(const scoring_facts *f, int fiscal_year, scoring_inputs *in)
{
    if (!f || !in || (f->n_people > 0 && !f->people) ||
        (f->n_dewan_pers > 0 && !f->dewan_pers))
        return false;
    scoring_inputs out;
    memset(&out, 0, sizeof(out));
    assess_dewan_pers(f, fiscal_year, &out);
    assess_people(f, fiscal_year, &out);
    assess_age(f, fiscal_year, &out);
    out.outlet_type = f->outlet_type;
    out.reach_value = f->reach_value;
    out.reasons[SCORING_CRITERION_REACH] = SCORING_REASON_REACH_DECLARED;
    out.has_performance_history = f->has_performance_history;
    out.performance_percent = f->performance_percent;
    out.reasons[SCORING_CRITERION_PERFORMANCE] = f->has_performance_history
                                                     ? SCORING_REASON_PERFORMANCE_HISTORY
                                                     : SCORING_REASON_PERFORMANCE_NO_HISTORY;
    out.suspended = f->suspended;
    *in = out;
    return true;
}

/* ---- rule sets ---- */

#define BANDS(...)                                                                                 \
    {                                                                                              \
        .n = sizeof((scoring_band[]){__VA_ARGS__}) / sizeof(scoring_band), .band = { __VA_ARGS__ } \
    }

const scoring_rule_set scoring_default_rule_set = {
    .criteria =
        {
            [SCORING_CRITERION_DEWAN_PERS] = {SCORING_CRITERION_DEWAN_PERS, 30,
                                              BANDS({SCORING_DEWAN_PERS_ADMINISTRATIF, 15},
                                                    {SCORING_DEWAN_PERS_FAKTUAL, 30})},
            [SCORING_CRITERION_CHIEF_EDITOR_UKW] = {SCORING_CRITERION_CHIEF_EDITOR_UKW, 15,
                                                    BANDS({SCORING_UKW_MADYA, 8},
                                                          {SCORING_UKW_UTAMA, 15})},
            [SCORING_CRITERION_JOURNALIST_UKW_SHARE] = {SCORING_CRITERION_JOURNALIST_UKW_SHARE, 15,
                                                        BANDS({25, 4}, {50, 8}, {75, 12},
                                                              {100, 15})},
            [SCORING_CRITERION_COMPANY_AGE] = {SCORING_CRITERION_COMPANY_AGE, 10,
                                               BANDS({2, 5}, {5, 10})},
            [SCORING_CRITERION_REACH] = {SCORING_CRITERION_REACH, 20, {.n = 0}},
            [SCORING_CRITERION_PERFORMANCE] = {SCORING_CRITERION_PERFORMANCE, 10,
                                               BANDS({50, 3}, {75, 6}, {90, 8}, {100, 10})},
        },
    .reach =
        {
            [SCORING_OUTLET_CETAK] =
                BANDS({1000, 4}, {3000, 8}, {5000, 12}, {10000, 15}, {20000, 17}, {50000, 20}),
            [SCORING_OUTLET_SIBER] = BANDS({10000, 4}, {50000, 8}, {100000, 12}, {250000, 15},
                                           {500000, 17}, {1000000, 20}),
            [SCORING_OUTLET_RADIO] = BANDS({50000, 4}, {100000, 8}, {250000, 12}, {500000, 15},
                                           {1000000, 17}, {2000000, 20}),
            [SCORING_OUTLET_TV] = BANDS({100000, 4}, {250000, 8}, {500000, 12}, {1000000, 15},
                                        {2500000, 17}, {5000000, 20}),
        },
    .performance_neutral_points = 5,
    .tiers = {80, 60, 40},
};

/* Record a problem (when `out` is given) and return false. */
static bool problem(scoring_problem *out, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool problem(scoring_problem *out, const char *reason, const char *fmt, ...)
{
    if (out != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(out->field, sizeof(out->field), fmt, ap);
        va_end(ap);
        snprintf(out->reason, sizeof(out->reason), "%s", reason);
    }
    return false;
}

/* Check one band list against `max`. On a problem return false, with the band
 * in `*band` (SIZE_MAX for the list itself), the field ("bands", "threshold",
 * "points") in `*field` and the reason in `*reason`. Nothing is formatted
 * here: scoring_compute validates its rule set on every call. */
static bool bands_valid(const scoring_band_list *l, int max, size_t *band, const char **field,
                        const char **reason)
{
    *band = SIZE_MAX;
    if (l->n > SCORING_MAX_BANDS) {
        *field = "bands";
        *reason = "more than 8 bands";
        return false;
    }
    for (size_t i = 0; i < l->n; i++) {
        const scoring_band *b = &l->band[i];
        *band = i;
        *field = "threshold";
        if (b->threshold < 0) {
            *reason = "threshold is negative";
            return false;
        }
        if (i > 0 && b->threshold <= l->band[i - 1].threshold) {
            *reason = "threshold not above the previous band's";
            return false;
        }
        *field = "points";
        if (b->points < 0) {
            *reason = "points are negative";
            return false;
        }
        if (i > 0 && b->points < l->band[i - 1].points) {
            *reason = "points below the previous band's";
            return false;
        }
        if (b->points > max) {
            *reason = "points above the criterion's maximum";
            return false;
        }
    }
    return true;
}

/* Name a band problem: "<list>.bands" or "<list>.bands[i].<field>", where the
 * list is "criteria[i]" or "reach.<outlet type>". */
static bool band_problem(scoring_problem *out, bool reach, size_t list, size_t band,
                         const char *field, const char *reason)
{
    char prefix[32];
    if (reach)
        snprintf(prefix, sizeof(prefix), "reach.%s", OUTLET_NAMES[list]);
    else
        snprintf(prefix, sizeof(prefix), "criteria[%zu]", list);
    if (band == SIZE_MAX)
        return problem(out, reason, "%s.%s", prefix, field);
    return problem(out, reason, "%s.bands[%zu].%s", prefix, band, field);
}

bool scoring_rule_set_valid(const scoring_rule_set *rs, scoring_problem *out)
{
    if (out != NULL) {
        out->field[0] = '\0';
        out->reason[0] = '\0';
    }
    if (rs == NULL)
        return problem(out, "no rule set", "rule_set");

    int sum = 0;
    size_t band;
    const char *field, *reason;
    for (size_t i = 0; i < SCORING_CRITERION_COUNT; i++) {
        const scoring_criterion *c = &rs->criteria[i];
        if ((size_t)c->id != i)
            return problem(out, "criteria must be in the order of their ids", "criteria[%zu].id",
                           i);
        if (c->max < 0 || c->max > 100)
            return problem(out, "maximum outside 0..100", "criteria[%zu].max", i);
        sum += c->max;
        if (i == SCORING_CRITERION_REACH) {
            if (c->bands.n != 0)
                return problem(out, "reach is banded per outlet type in reach.<type>",
                               "criteria[%zu].bands", i);
            continue;
        }
        if (!bands_valid(&c->bands, c->max, &band, &field, &reason))
            return band_problem(out, false, i, band, field, reason);
    }
    for (size_t t = 0; t < SCORING_OUTLET_COUNT; t++)
        if (!bands_valid(&rs->reach[t], rs->criteria[SCORING_CRITERION_REACH].max, &band, &field,
                         &reason))
            return band_problem(out, true, t, band, field, reason);
    if (sum != 100) {
        if (out != NULL) {
            snprintf(out->field, sizeof(out->field), "criteria");
            snprintf(out->reason, sizeof(out->reason), "maxima sum to %d, not 100", sum);
        }
        return false;
    }
    const int pmax = rs->criteria[SCORING_CRITERION_PERFORMANCE].max;
    if (rs->performance_neutral_points < 0 || rs->performance_neutral_points > pmax)
        return problem(out, "neutral points outside 0..the performance maximum",
                       "performance_neutral_points");
    const scoring_thresholds *t = &rs->tiers;
    if (t->a > 100)
        return problem(out, "tier A threshold above 100", "tiers.a");
    if (t->b >= t->a)
        return problem(out, "tier B threshold not below tier A's", "tiers.b");
    if (t->c >= t->b)
        return problem(out, "tier C threshold not below tier B's", "tiers.c");
    if (t->c <= 0)
        return problem(out, "tier C threshold not above 0", "tiers.c");
    return true;
}

/* ---- scoring ---- */

/* How a criterion's input reads in a rule text: "visitors >= 500000 -> 17". */
typedef struct {
    const char *what;
    const char *unit;          /* after the number: "%", " years" */
    const char *const *levels; /* names for enum-coded inputs, or NULL */
    size_t n_levels;
} rule_words;

static const char *const DEWAN_PERS_LEVELS[] = {"none", "administratif", "faktual"};
static const char *const UKW_LEVELS[] = {"none", "Muda", "Madya", "Utama"};
static const char *const REACH_WHAT[SCORING_OUTLET_COUNT] = {"copies", "visitors", "coverage",
                                                             "coverage"};

static void format_threshold(char *buf, size_t cap, const rule_words *w, int64_t v)
{
    if (w->levels != NULL && v >= 0 && (uint64_t)v < w->n_levels)
        snprintf(buf, cap, "%s", w->levels[v]);
    else
        snprintf(buf, cap, "%lld%s", (long long)v, w->unit);
}

/* Apply `l` to `value` and fill `line` (points, threshold, rule). */
static void apply_bands(const scoring_band_list *l, int64_t value, const rule_words *w,
                        scoring_line *line)
{
    line->value = value;
    line->points = 0;
    line->threshold = -1;
    size_t reached = l->n;
    for (size_t i = 0; i < l->n; i++)
        if (value >= l->band[i].threshold)
            reached = i; /* thresholds increase: the last one reached is the highest */
    char num[32];
    if (reached < l->n) {
        line->points = l->band[reached].points;
        line->threshold = l->band[reached].threshold;
        format_threshold(num, sizeof(num), w, line->threshold);
        snprintf(line->rule, sizeof(line->rule), "%s >= %s -> %d", w->what, num, line->points);
    } else if (l->n > 0) {
        format_threshold(num, sizeof(num), w, l->band[0].threshold);
        snprintf(line->rule, sizeof(line->rule), "%s < %s -> 0", w->what, num);
    } else {
        snprintf(line->rule, sizeof(line->rule), "%s: no bands -> 0", w->what);
    }
}

static bool inputs_valid(const scoring_inputs *in)
{
    if (in->dewan_pers_status < SCORING_DEWAN_PERS_NONE ||
        in->dewan_pers_status > SCORING_DEWAN_PERS_FAKTUAL)
        return false;
    if (in->chief_editor_ukw < SCORING_UKW_NONE || in->chief_editor_ukw > SCORING_UKW_UTAMA)
        return false;
    if (scoring_ukw_share_percent(in->journalists_with_valid_ukw, in->journalists_total) < 0)
        return false;
    if (in->company_age_years < 0 || in->reach_value < 0)
        return false;
    if ((unsigned)in->outlet_type >= SCORING_OUTLET_COUNT)
        return false;
    if (in->has_performance_history &&
        (in->performance_percent < 0 || in->performance_percent > 100))
        return false;
    return true;
}

bool scoring_compute(const scoring_inputs *in, const scoring_rule_set *rs, scoring_result *out)
{
    if (in == NULL || rs == NULL || out == NULL)
        return false;
    if (!scoring_rule_set_valid(rs, NULL) || !inputs_valid(in))
        return false;

    static const rule_words W_DEWAN_PERS = {"Dewan Pers", "", DEWAN_PERS_LEVELS,
                                            COUNT(DEWAN_PERS_LEVELS)};
    static const rule_words W_UKW = {"chief editor UKW", "", UKW_LEVELS, COUNT(UKW_LEVELS)};
    static const rule_words W_SHARE = {"UKW share", "%", NULL, 0};
    static const rule_words W_AGE = {"age", " years", NULL, 0};
    static const rule_words W_PERF = {"on time", "%", NULL, 0};
    const rule_words w_reach = {REACH_WHAT[in->outlet_type], "", NULL, 0};

    scoring_result r;
    memset(&r, 0, sizeof(r));
    for (size_t i = 0; i < SCORING_CRITERION_COUNT; i++) {
        r.lines[i].id = (scoring_criterion_id)i;
        r.lines[i].max = rs->criteria[i].max;
    }
    const scoring_criterion *c = rs->criteria;
    apply_bands(&c[SCORING_CRITERION_DEWAN_PERS].bands, in->dewan_pers_status, &W_DEWAN_PERS,
                &r.lines[SCORING_CRITERION_DEWAN_PERS]);
    apply_bands(&c[SCORING_CRITERION_CHIEF_EDITOR_UKW].bands, in->chief_editor_ukw, &W_UKW,
                &r.lines[SCORING_CRITERION_CHIEF_EDITOR_UKW]);
    apply_bands(&c[SCORING_CRITERION_JOURNALIST_UKW_SHARE].bands,
                scoring_ukw_share_percent(in->journalists_with_valid_ukw, in->journalists_total),
                &W_SHARE, &r.lines[SCORING_CRITERION_JOURNALIST_UKW_SHARE]);
    apply_bands(&c[SCORING_CRITERION_COMPANY_AGE].bands, in->company_age_years, &W_AGE,
                &r.lines[SCORING_CRITERION_COMPANY_AGE]);
    apply_bands(&rs->reach[in->outlet_type], in->reach_value, &w_reach,
                &r.lines[SCORING_CRITERION_REACH]);
    scoring_line *perf = &r.lines[SCORING_CRITERION_PERFORMANCE];
    if (in->has_performance_history) {
        apply_bands(&c[SCORING_CRITERION_PERFORMANCE].bands, in->performance_percent, &W_PERF,
                    perf);
    } else {
        perf->value = -1;
        perf->threshold = -1;
        perf->points = rs->performance_neutral_points;
        snprintf(perf->rule, sizeof(perf->rule), "no history: neutral -> %d", perf->points);
    }

    for (size_t i = 0; i < SCORING_CRITERION_COUNT; i++) {
        r.total += r.lines[i].points;
        r.lines[i].reason = scoring_reason_code(in->reasons[i]);
        if (!r.lines[i].reason)
            r.lines[i].reason = "";
    }
    if (!r.lines[SCORING_CRITERION_REACH].reason[0])
        r.lines[SCORING_CRITERION_REACH].reason = scoring_reason_code(SCORING_REASON_REACH_DECLARED);
    if (!r.lines[SCORING_CRITERION_PERFORMANCE].reason[0])
        r.lines[SCORING_CRITERION_PERFORMANCE].reason =
            scoring_reason_code(in->has_performance_history ? SCORING_REASON_PERFORMANCE_HISTORY
                                                            : SCORING_REASON_PERFORMANCE_NO_HISTORY);
    r.tier = in->suspended ? SCORING_TIER_NONE : scoring_tier_for(r.total, &rs->tiers);
    *out = r;
    return true;
}

const scoring_inputs scoring_golden_path_inputs = {
    .dewan_pers_status = SCORING_DEWAN_PERS_FAKTUAL, /* 30 */
    .chief_editor_ukw = SCORING_UKW_MADYA,           /* 8 */
    .journalists_total = 3,                          /* 2 of 3 = 66% >= 50%: 8 */
    .journalists_with_valid_ukw = 2,
    .company_age_years = 7, /* >= 5 years: 10 */
    .outlet_type = SCORING_OUTLET_SIBER,
    .reach_value = 600000,            /* >= 500.000 visitors: 17 */
    .has_performance_history = false, /* neutral: 5 */
    .performance_percent = 0,
    .suspended = false,
    .reasons = {SCORING_REASON_DP_FAKTUAL, SCORING_REASON_CE_CERTIFIED,
                SCORING_REASON_SHARE_PROVEN, SCORING_REASON_AGE_DEED,
                SCORING_REASON_REACH_DECLARED, SCORING_REASON_PERFORMANCE_NO_HISTORY},
};

/* ---- price standards ---- */

#define PRICES(type, product, a, b, c)                                      \
    {type, product, SCORING_TIER_A, a}, {type, product, SCORING_TIER_B, b}, \
    {                                                                       \
        type, product, SCORING_TIER_C, c                                    \
    }

/* Examples, to be edited per fiscal year (whole rupiah, VAT included). */
const scoring_price_entry scoring_default_prices[] = {
    /* online */
    PRICES(SCORING_OUTLET_SIBER, SCORING_PRODUCT_ONLINE_ADVERTORIAL, 1500000, 1000000, 600000),
    PRICES(SCORING_OUTLET_SIBER, SCORING_PRODUCT_ONLINE_BANNER_MONTH, 2000000, 1500000, 1000000),
    PRICES(SCORING_OUTLET_SIBER, SCORING_PRODUCT_PHOTO_GALLERY, 750000, 500000, 300000),
    PRICES(SCORING_OUTLET_SIBER, SCORING_PRODUCT_INFOTORIAL, 1250000, 850000, 500000),
    PRICES(SCORING_OUTLET_SIBER, SCORING_PRODUCT_PUBLIC_SERVICE_AD, 1000000, 750000, 500000),
    PRICES(SCORING_OUTLET_SIBER, SCORING_PRODUCT_SOCIAL_MEDIA_POST, 500000, 350000, 200000),
    /* print */
    PRICES(SCORING_OUTLET_CETAK, SCORING_PRODUCT_PRINT_ADVERTORIAL, 5000000, 3500000, 2500000),
    PRICES(SCORING_OUTLET_CETAK, SCORING_PRODUCT_PRINT_ANNOUNCEMENT, 2000000, 1500000, 1000000),
    PRICES(SCORING_OUTLET_CETAK, SCORING_PRODUCT_INFOTORIAL, 4000000, 3000000, 2000000),
    /* radio */
    PRICES(SCORING_OUTLET_RADIO, SCORING_PRODUCT_RADIO_SPOT_60S, 250000, 175000, 100000),
    PRICES(SCORING_OUTLET_RADIO, SCORING_PRODUCT_RADIO_TALK_SHOW, 3000000, 2000000, 1500000),
    PRICES(SCORING_OUTLET_RADIO, SCORING_PRODUCT_PUBLIC_SERVICE_AD, 200000, 150000, 100000),
    /* TV */
    PRICES(SCORING_OUTLET_TV, SCORING_PRODUCT_TV_SPOT, 1500000, 1000000, 750000),
    PRICES(SCORING_OUTLET_TV, SCORING_PRODUCT_TV_LIVE_BROADCAST, 15000000, 10000000, 7500000),
    PRICES(SCORING_OUTLET_TV, SCORING_PRODUCT_PUBLIC_SERVICE_AD, 1250000, 900000, 600000),
};
const size_t scoring_default_prices_count = COUNT(scoring_default_prices);

bool scoring_product_fits(scoring_outlet_type t, scoring_product product)
{
    enum { CETAK = 1u << SCORING_OUTLET_CETAK, SIBER = 1u << SCORING_OUTLET_SIBER,
           RADIO = 1u << SCORING_OUTLET_RADIO, TV = 1u << SCORING_OUTLET_TV,
           ANY = CETAK | SIBER | RADIO | TV };
    static const unsigned FITS[SCORING_PRODUCT_COUNT] = {
        [SCORING_PRODUCT_ONLINE_ADVERTORIAL] = SIBER,
        [SCORING_PRODUCT_ONLINE_BANNER_MONTH] = SIBER,
        [SCORING_PRODUCT_PHOTO_GALLERY] = SIBER | CETAK,
        [SCORING_PRODUCT_INFOTORIAL] = ANY,
        [SCORING_PRODUCT_PRINT_ADVERTORIAL] = CETAK,
        [SCORING_PRODUCT_PRINT_ANNOUNCEMENT] = CETAK,
        [SCORING_PRODUCT_RADIO_SPOT_60S] = RADIO,
        [SCORING_PRODUCT_RADIO_TALK_SHOW] = RADIO,
        [SCORING_PRODUCT_TV_SPOT] = TV,
        [SCORING_PRODUCT_TV_LIVE_BROADCAST] = TV,
        [SCORING_PRODUCT_PUBLIC_SERVICE_AD] = ANY,
        [SCORING_PRODUCT_SOCIAL_MEDIA_POST] = ANY,
    };
    if ((unsigned)t >= SCORING_OUTLET_COUNT || (unsigned)product >= SCORING_PRODUCT_COUNT)
        return false;
    return (FITS[product] & (1u << t)) != 0;
}

scoring_price_problem scoring_prices_check(const scoring_price_entry *table, size_t n, size_t *at)
{
    for (size_t i = 0; i < n; i++) {
        const scoring_price_entry *e = &table[i];
        if (!scoring_product_fits(e->outlet_type, e->product)) {
            *at = i;
            return SCORING_PRICE_PRODUCT_TYPE;
        }
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            const scoring_price_entry *hi = &table[i], *lo = &table[j];
            if (hi->outlet_type == lo->outlet_type && hi->product == lo->product &&
                hi->tier > lo->tier && hi->ceiling < lo->ceiling) {
                *at = i;
                return SCORING_PRICE_NOT_MONOTONIC;
            }
        }
    return SCORING_PRICE_OK;
}

bool scoring_ceiling_lookup(const scoring_price_entry *table, size_t n,
                            scoring_outlet_type outlet_type, scoring_product product,
                            scoring_tier tier, int64_t *ceiling)
{
    if (table == NULL || ceiling == NULL || tier == SCORING_TIER_NONE)
        return false;
    for (size_t i = 0; i < n; i++)
        if (table[i].outlet_type == outlet_type && table[i].product == product &&
            table[i].tier == tier) {
            *ceiling = table[i].ceiling;
            return true;
        }
    return false;
}
