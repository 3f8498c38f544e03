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

    for (size_t i = 0; i < SCORING_CRITERION_COUNT; i++)
        r.total += r.lines[i].points;
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
