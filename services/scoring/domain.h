/* domain.h - scoring rules, pure: no I/O, no allocation, no globals but the
 * const default tables below.
 *
 * A rule set (one per fiscal year, versioned by the store) gives each criterion
 * a maximum in points and bands: an ordered list of (threshold, points) meaning
 * "input >= threshold earns points"; the highest band reached wins, no band
 * reached earns 0. Reach has one band list per outlet type, since print
 * circulation, online visitors and broadcast coverage are not comparable. The
 * maxima sum to 100, so a score is 0..100, and tier thresholds map it to A, B,
 * C or none (below C: press releases, but no paid orders).
 *
 * Everything takes caller-owned structs and buffers and keeps no pointer it
 * was given. Dates are days since the Unix epoch (1970-01-01 = 0), as in
 * registry/domain.h and verification/domain.h. Amounts are whole rupiah. */
#ifndef SCORING_DOMAIN_H
#define SCORING_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- tiers ---- */

typedef enum { SCORING_TIER_NONE = 0, SCORING_TIER_C, SCORING_TIER_B, SCORING_TIER_A } scoring_tier;

/* Tier thresholds of a rule set: a score >= a is A, >= b is B, >= c is C. */
typedef struct scoring_thresholds {
    int a, b, c;
} scoring_thresholds;

/* The DOMAIN.md default: A >= 80, B >= 60, C >= 40, below that no paid orders. */
extern const scoring_thresholds scoring_default_thresholds;

scoring_tier scoring_tier_for(int score, const scoring_thresholds *t);

/* "A", "B", "C" or "-". */
const char *scoring_tier_name(scoring_tier tier);

/* ---- inputs ---- */

/* Same order and names as registry_outlet_type. */
typedef enum {
    SCORING_OUTLET_CETAK, /* print: circulation in copies */
    SCORING_OUTLET_SIBER, /* online: monthly unique visitors */
    SCORING_OUTLET_RADIO, /* broadcast coverage in people */
    SCORING_OUTLET_TV,    /* broadcast coverage in people */
    SCORING_OUTLET_COUNT
} scoring_outlet_type;

/* "cetak", "siber", "radio", "tv"; NULL outside the enum. */
const char *scoring_outlet_type_name(scoring_outlet_type t);

/* Dewan Pers status; the number is what the DEWAN_PERS bands compare. */
typedef enum {
    SCORING_DEWAN_PERS_NONE = 0,
    SCORING_DEWAN_PERS_ADMINISTRATIF = 1,
    SCORING_DEWAN_PERS_FAKTUAL = 2,
} scoring_dewan_pers;

/* UKW (competency test) level of the chief editor; the number is what the
 * CHIEF_EDITOR_UKW bands compare. */
typedef enum {
    SCORING_UKW_NONE = 0,
    SCORING_UKW_MUDA = 1,
    SCORING_UKW_MADYA = 2,
    SCORING_UKW_UTAMA = 3,
} scoring_ukw;

/* Why a breakdown line got (or did not get) its points: a stable code the UI
 * translates (scoring_reason_code). UNSET gives "". */
typedef enum scoring_reason {
    SCORING_REASON_UNSET = 0,
    SCORING_REASON_DP_FAKTUAL,           /* an accepted certificate, terverifikasi faktual */
    SCORING_REASON_DP_ADMINISTRATIF,     /* an accepted certificate, terverifikasi administratif */
    SCORING_REASON_DP_NONE,              /* none declared, none proven */
    SCORING_REASON_DP_CERT_MISSING,      /* declared, but no certificate in the case */
    SCORING_REASON_DP_CERT_PENDING,      /* a certificate waits for the verifier */
    SCORING_REASON_DP_CERT_REJECTED,     /* the certificate was rejected */
    SCORING_REASON_DP_CERT_EXPIRES,      /* accepted, but not valid through the fiscal year */
    SCORING_REASON_CE_CERTIFIED,         /* the chief editor's accepted UKW certificate */
    SCORING_REASON_CE_NONE,              /* no UKW level declared */
    SCORING_REASON_CE_NO_CHIEF_EDITOR,
    SCORING_REASON_CE_CERT_MISSING,
    SCORING_REASON_CE_CERT_PENDING,
    SCORING_REASON_CE_CERT_REJECTED,
    SCORING_REASON_CE_CERT_EXPIRES,
    SCORING_REASON_SHARE_PROVEN,         /* every declared certificate is proven */
    SCORING_REASON_SHARE_SOME_UNPROVEN,  /* some journalists' certificates do not count */
    SCORING_REASON_SHARE_NO_JOURNALISTS,
    SCORING_REASON_AGE_DEED,             /* from the deed date, the deed accepted */
    SCORING_REASON_AGE_DEED_MISSING,
    SCORING_REASON_AGE_DEED_PENDING,
    SCORING_REASON_AGE_DEED_REJECTED,
    SCORING_REASON_REACH_DECLARED,       /* the outlet's own figures */
    SCORING_REASON_PERFORMANCE_HISTORY,
    SCORING_REASON_PERFORMANCE_NO_HISTORY,
    SCORING_REASON_COUNT
} scoring_reason;

/* "dewan_pers.faktual", "dewan_pers.administratif", "dewan_pers.none",
 * "dewan_pers.certificate_missing", "dewan_pers.certificate_pending",
 * "dewan_pers.certificate_rejected", "dewan_pers.certificate_expires",
 * "chief_editor_ukw.certified", "chief_editor_ukw.none",
 * "chief_editor_ukw.no_chief_editor", "chief_editor_ukw.certificate_missing",
 * ".certificate_pending", ".certificate_rejected", ".certificate_expires",
 * "journalist_ukw_share.proven", "journalist_ukw_share.some_unproven",
 * "journalist_ukw_share.no_journalists", "company_age.deed",
 * "company_age.deed_missing", "company_age.deed_pending",
 * "company_age.deed_rejected", "reach.declared", "performance.history",
 * "performance.no_history"; "" for UNSET, NULL outside the enum. */
const char *scoring_reason_code(scoring_reason r);

/* What one outlet is scored on. The store assembles it from registry,
 * verification and (later) ordering data. */
typedef struct scoring_inputs {
    scoring_dewan_pers dewan_pers_status;
    scoring_ukw chief_editor_ukw;
    int journalists_total;          /* >= 0 */
    int journalists_with_valid_ukw; /* 0..journalists_total */
    int company_age_years;          /* >= 0, see scoring_company_age_years */
    scoring_outlet_type outlet_type;
    int64_t reach_value; /* >= 0, in the unit of outlet_type */
    /* Last year's performance: percent 0..100 of placements published on time
     * with proofs accepted. Until the ordering service publishes it, and for a
     * partner without last year's placements, has_performance_history is false:
     * the partner counts as NEUTRAL and earns the rule set's
     * performance_neutral_points (default 5 of 10); performance_percent is then
     * ignored. */
    bool has_performance_history;
    int performance_percent;
    /* Suspended (verification.company.suspended): the points are still
     * computed and shown, but the tier is NONE ("suspended -> no tier"). */
    bool suspended;
    /* Why each criterion's input is what it is (scoring_assess); UNSET
     * lines get a default (reach: declared; performance: history or not). */
    scoring_reason reasons[6]; /* by scoring_criterion_id */
} scoring_inputs;

/* ---- what documents prove (verification's judgement) ---- */

/* A certificate as verification's case shows it: the accepted version in
 * force (ACCEPTED), or else the newest version's state. */
typedef enum scoring_proof {
    SCORING_PROOF_MISSING = 0, /* no such document in the case */
    SCORING_PROOF_PENDING,     /* uploaded, not judged yet (and none in force) */
    SCORING_PROOF_REJECTED,    /* rejected (and none in force) */
    SCORING_PROOF_ACCEPTED,    /* a version is in force */
} scoring_proof;

typedef struct scoring_certificate {
    scoring_proof proof;
    int32_t expires; /* of the version in force; 0 = does not expire */
    int level;       /* a Dewan Pers certificate: the scoring_dewan_pers the verifier read */
} scoring_certificate;

/* True when the certificate proves something for `fiscal_year`: accepted and
 * valid through the year's last day (not expiring within or before it). */
bool scoring_certificate_holds(const scoring_certificate *c, int fiscal_year);

typedef struct scoring_person_facts {
    bool chief_editor;       /* else a journalist */
    scoring_ukw level;       /* declared in the registry */
    scoring_certificate ukw; /* the person's UKW certificate document */
} scoring_person_facts;

/* What is known of one outlet for one fiscal year: the registry's data and
 * verification's judgement of the documents. */
typedef struct scoring_facts {
    scoring_dewan_pers declared_dewan_pers;
    /* The Dewan Pers certificates that speak for this outlet: the company's
     * and the outlet's own. The best one that holds counts. */
    const scoring_certificate *dewan_pers;
    size_t n_dewan_pers;
    scoring_certificate deed; /* the akta pendirian */
    bool deed_date_known;
    int32_t deed_date;        /* the registered deed date */
    bool founded_known;
    int32_t founded;          /* a self-declared founding date: never earlier than the deed */
    const scoring_person_facts *people;
    size_t n_people;
    scoring_outlet_type outlet_type;
    int64_t reach_value;
    bool has_performance_history;
    int performance_percent;
    bool suspended;
} scoring_facts;

/* The inputs of one outlet for `fiscal_year`, counting only what an
 * accepted document proves for that year, with the reason of each line:
 *   Dewan Pers: the level of an accepted certificate that holds (the
 *     verifier's reading, not the declared status);
 *   chief editor UKW: the declared level of a chief editor whose UKW
 *     certificate holds (the best such chief editor);
 *   journalists: those whose certificate holds count as certified;
 *   company age: whole years on 1 January of the year from the deed date,
 *     or from a declared founding date only when it is later than the deed,
 *     and only with the deed accepted;
 *   reach and performance as given.
 * False, `in` untouched, for a NULL argument or people without a list. */
bool scoring_assess(const scoring_facts *f, int fiscal_year, scoring_inputs *in);

/* Share of journalists with a valid UKW certificate, in percent, rounded down
 * (2 of 3 -> 66). 0 journalists -> 0. Returns -1 when a count is negative or
 * with_valid > total. */
int scoring_ukw_share_percent(int with_valid, int total);

/* Company age in whole years on day `on` for a company founded on day
 * `founded` (birthday rule: a year is complete on the anniversary, not the day
 * before). A company founded on 29 February has its anniversary on 28 February
 * in non-leap years (founded 2020-02-29: 7 years on 2027-02-28, 6 on
 * 2027-02-27). Returns -1 when on < founded. */
int scoring_company_age_years(int32_t founded, int32_t on);

/* "YYYY-MM-DD" (exactly; a real calendar date) as days since 1970-01-01 in
 * *out (when not NULL). False, *out untouched, for anything else. */
bool scoring_parse_date(const char *s, int32_t *out);

/* ---- rule sets ---- */

typedef enum {
    SCORING_CRITERION_DEWAN_PERS,           /* input: scoring_dewan_pers */
    SCORING_CRITERION_CHIEF_EDITOR_UKW,     /* input: scoring_ukw */
    SCORING_CRITERION_JOURNALIST_UKW_SHARE, /* input: percent 0..100 */
    SCORING_CRITERION_COMPANY_AGE,          /* input: whole years */
    SCORING_CRITERION_REACH,                /* input: reach_value, bands per outlet type */
    SCORING_CRITERION_PERFORMANCE,          /* input: percent 0..100, or neutral */
    SCORING_CRITERION_COUNT
} scoring_criterion_id;

/* "dewan_pers", "chief_editor_ukw", "journalist_ukw_share", "company_age",
 * "reach", "performance"; NULL outside the enum. */
const char *scoring_criterion_name(scoring_criterion_id id);

#define SCORING_MAX_BANDS 8

/* "input >= threshold earns points". */
typedef struct scoring_band {
    int64_t threshold;
    int points;
} scoring_band;

typedef struct scoring_band_list {
    size_t n; /* 0..SCORING_MAX_BANDS bands used, in increasing threshold */
    scoring_band band[SCORING_MAX_BANDS];
} scoring_band_list;

typedef struct scoring_criterion {
    scoring_criterion_id id;
    int max;                 /* weight: the most points this criterion can give */
    scoring_band_list bands; /* empty for REACH, which uses rule_set.reach */
} scoring_criterion;

typedef struct scoring_rule_set {
    scoring_criterion criteria[SCORING_CRITERION_COUNT]; /* criteria[i].id == i */
    scoring_band_list reach[SCORING_OUTLET_COUNT];       /* REACH bands per outlet type */
    int performance_neutral_points;                      /* no history: these points */
    scoring_thresholds tiers;
} scoring_rule_set;

/* The first problem found in a rule set: `field` is a path into
 * scoring_rule_set ("criteria[3].bands[1].threshold",
 * "reach.siber.bands[2].points", "tiers.b", "criteria" for the sum of maxima),
 * `reason` a short English sentence. */
typedef struct scoring_problem {
    char field[64];
    char reason[96];
} scoring_problem;

/* True when `rs` can score: criteria[i].id == i; each maximum 0..100 and the
 * maxima sum to 100; each band list has at most SCORING_MAX_BANDS bands,
 * thresholds >= 0 and strictly increasing, points >= 0, non-decreasing and
 * never above the criterion's maximum; REACH has no bands of its own (its per
 * outlet type lists are checked against its maximum); the neutral performance
 * points are 0..the performance maximum; 100 >= tiers.a > tiers.b > tiers.c > 0.
 * Otherwise false, and `out` (when not NULL) names the first problem; on
 * success `out` holds empty strings. */
bool scoring_rule_set_valid(const scoring_rule_set *rs, scoring_problem *out);

/* The DOMAIN.md default rule set, editable per year (points by band):
 *   Dewan Pers           max 30: administratif (1) 15, faktual (2) 30
 *   chief editor UKW     max 15: Madya (2) 8, Utama (3) 15 (Muda, none: 0)
 *   journalist UKW share max 15: >= 25% 4, >= 50% 8, >= 75% 12, 100% 15
 *   company age          max 10: >= 2 years 5, >= 5 years 10
 *   reach                max 20, 4/8/12/15/17/20 points at:
 *     cetak (copies):       1.000, 3.000, 5.000, 10.000, 20.000, 50.000
 *     siber (visitors):     10.000, 50.000, 100.000, 250.000, 500.000, 1.000.000
 *     radio (people):       50.000, 100.000, 250.000, 500.000, 1.000.000, 2.000.000
 *     tv (people):          100.000, 250.000, 500.000, 1.000.000, 2.500.000, 5.000.000
 *   performance          max 10: >= 50% 3, >= 75% 6, >= 90% 8, 100% 10;
 *                        no history: neutral 5 (half the maximum)
 *   tiers: A >= 80, B >= 60, C >= 40 (scoring_default_thresholds) */
extern const scoring_rule_set scoring_default_rule_set;

/* ---- scoring ---- */

/* One criterion's part of a score. */
typedef struct scoring_line {
    scoring_criterion_id id;
    int points;
    int max;
    int64_t value;     /* the input used (share: the percent); -1 for neutral performance */
    int64_t threshold; /* of the band reached, -1 for none (and for neutral) */
    char rule[64];     /* "visitors >= 500000 -> 17", "visitors < 10000 -> 0",
                          "no history: neutral -> 5" */
    const char *reason; /* scoring_reason_code of the line (static) */
} scoring_line;

typedef struct scoring_result {
    int total;                                   /* 0..100: the sum of the lines' points */
    scoring_tier tier;                           /* NONE when suspended, whatever the total */
    scoring_line lines[SCORING_CRITERION_COUNT]; /* lines[i].id == i */
} scoring_result;

/* Score `in` under `rs` into `out`. Returns false, leaving `out` untouched,
 * when an argument is NULL, `rs` is not valid (scoring_rule_set_valid) or an
 * input is out of range (an enum outside its values, a negative count, age or
 * reach, more certified journalists than journalists, a performance percent
 * outside 0..100 while has_performance_history). */
bool scoring_compute(const scoring_inputs *in, const scoring_rule_set *rs, scoring_result *out);

/* The golden path's outlet (DOMAIN.md): one online outlet, Dewan Pers faktual,
 * chief editor UKW Madya, 2 of 3 journalists certified, 7 years old, 600.000
 * monthly unique visitors, no performance history, not suspended. Under the
 * default rule set: 30 + 8 + 8 (66% >= 50%) + 10 (>= 5 years) + 17 (>= 500.000
 * visitors) + 5 (neutral) = 78 -> tier B. Integration and browser tests use
 * this same profile. */
extern const scoring_inputs scoring_golden_path_inputs;

/* ---- price standards ---- */

typedef enum {
    SCORING_PRODUCT_ONLINE_ADVERTORIAL,
    SCORING_PRODUCT_ONLINE_BANNER_MONTH, /* per month */
    SCORING_PRODUCT_PHOTO_GALLERY,
    SCORING_PRODUCT_INFOTORIAL,
    SCORING_PRODUCT_PRINT_ADVERTORIAL, /* per page fraction */
    SCORING_PRODUCT_PRINT_ANNOUNCEMENT,
    SCORING_PRODUCT_RADIO_SPOT_60S, /* per 60 s */
    SCORING_PRODUCT_RADIO_TALK_SHOW,
    SCORING_PRODUCT_TV_SPOT,
    SCORING_PRODUCT_TV_LIVE_BROADCAST,
    SCORING_PRODUCT_PUBLIC_SERVICE_AD, /* ILM (iklan layanan masyarakat) */
    SCORING_PRODUCT_SOCIAL_MEDIA_POST,
    SCORING_PRODUCT_COUNT
} scoring_product;

/* "online_advertorial", "online_banner_month", "photo_gallery", "infotorial",
 * "print_advertorial", "print_announcement", "radio_spot_60s",
 * "radio_talk_show", "tv_spot", "tv_live_broadcast", "public_service_ad",
 * "social_media_post"; NULL outside the enum. */
const char *scoring_product_name(scoring_product p);

/* The reverse of scoring_product_name (exact, lower case). False, `out`
 * untouched, for anything else. */
bool scoring_product_parse(const char *s, scoring_product *out);

/* One price standard: the ceiling, VAT included, for (outlet type, product,
 * tier) in one fiscal year. */
typedef struct scoring_price_entry {
    scoring_outlet_type outlet_type;
    scoring_product product;
    scoring_tier tier;
    int64_t ceiling; /* whole rupiah */
} scoring_price_entry;

/* Find the ceiling for (outlet_type, product, tier) among the first `n`
 * entries of `table`; the first match wins. False, `*ceiling` untouched, when
 * there is none, when an argument is NULL, and always for tier NONE (no paid
 * orders below C, whatever the table says). */
bool scoring_ceiling_lookup(const scoring_price_entry *table, size_t n,
                            scoring_outlet_type outlet_type, scoring_product product,
                            scoring_tier tier, int64_t *ceiling);

/* Whether `product` is sold on an outlet of type `t`: online products
 * online, print products in print, radio and TV their own; a photo gallery
 * online and in print; an infotorial, a public service ad and a social media
 * post on any. */
bool scoring_product_fits(scoring_outlet_type t, scoring_product product);

/* A problem in a price standard's entries, by entry index. */
typedef enum scoring_price_problem {
    SCORING_PRICE_OK = 0,
    SCORING_PRICE_PRODUCT_TYPE,    /* the product is not sold on that outlet type */
    SCORING_PRICE_NOT_MONOTONIC,   /* a higher tier's ceiling below a lower tier's */
} scoring_price_problem;

/* Check `table[0..n)`: every product fits its outlet type, and per (outlet
 * type, product) the ceilings never fall as the tier rises (A >= B >= C;
 * equal is allowed). On a problem returns it with the entry in *at (the
 * higher tier's entry for NOT_MONOTONIC); OK otherwise. Entries with tier
 * NONE or values outside the enums are the caller's to refuse first. */
scoring_price_problem scoring_prices_check(const scoring_price_entry *table, size_t n, size_t *at);

/* Default price standards: EXAMPLES to be edited per fiscal year, not
 * published rates. They hold the golden path's figure (siber online
 * advertorial, tier B: Rp 1.000.000) and plausible A/B/C ceilings for the
 * other online products and the main print, radio and TV products. */
extern const scoring_price_entry scoring_default_prices[];
extern const size_t scoring_default_prices_count;

#endif
