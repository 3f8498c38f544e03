/* test_registry_domain.c - the registry's pure rules, with the edges.
 *
 * Expected values are worked out by hand in the comments next to them. Day
 * numbers: 2000-01-01 is 946684800 s / 86400 = 10957; 2026-01-01 is 56 years of
 * 365 days plus 14 leap days (1972..2024) = 20454; 2026-06-15 is 20454 + 151
 * (Jan..May) + 14 = 20619. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "registry/domain.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define D_2026_01_01 20454
#define TODAY        20619 /* 2026-06-15 */

/* ---- digits ---- */

static void normalize_strips_spaces_dots_dashes(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        size_t cap;
        bool ok;
        const char *out;
    } cases[] = {
        {"01.234.567.8-901.234", 32, true, "012345678901234"}, /* NPWP as printed */
        {"0123 4567 8901 2345", 32, true, "0123456789012345"}, /* spaced groups */
        {"1234567890123", 32, true, "1234567890123"},          /* already clean */
        {"", 32, true, ""},                                    /* length rule decides */
        {" .-. ", 32, true, ""},                               /* only separators */
        {"1234", 5, true, "1234"},                             /* 4 digits + NUL = 5 */
        {"1.2-3 4", 5, true, "1234"},                          /* separators take no room */
        {"12345", 5, false, ""},                               /* no room for the NUL */
        {"12a4", 32, false, ""},                               /* a letter */
        {"12/34", 32, false, ""},                              /* other punctuation */
        {"12,34", 32, false, ""},                              /* comma */
        {"12\t34", 32, false, ""},                             /* a tab is not a space */
        {"+6281234", 32, false, ""},                           /* plus sign */
        {"\xef\xbc\x90"
         "123",
         32, false, ""}, /* full-width 0 */
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        char out[32] = "garbage";
        assert_true(cases[i].cap <= sizeof out);
        bool ok = registry_normalize_digits(cases[i].in, out, cases[i].cap);
        if (ok != cases[i].ok)
            fail_msg("case %zu (%s): expected %d", i, cases[i].in, cases[i].ok);
        assert_string_equal(out, cases[i].out);
    }
}

static void normalize_refuses_null_and_no_room(void **state)
{
    (void)state;
    char out[8] = "x";
    assert_false(registry_normalize_digits(NULL, out, sizeof out));
    assert_string_equal(out, "");
    assert_false(registry_normalize_digits("1", out, 0));
    assert_false(registry_normalize_digits("1", NULL, 8));
    out[0] = 'x';
    assert_false(registry_normalize_digits("1", out, 1)); /* room only for the NUL */
    assert_string_equal(out, "");
    assert_true(registry_normalize_digits("", out, 1)); /* nothing to copy: fits */
}

static void normalized_npwp_then_validates(void **state)
{
    (void)state;
    char out[32];
    assert_true(registry_normalize_digits("01.234.567.8-901.234", out, sizeof out));
    assert_true(registry_npwp_valid(out));
    assert_true(registry_normalize_digits("01.234.567.8-901.23", out, sizeof out));
    assert_false(registry_npwp_valid(out)); /* 14 digits */
    assert_true(registry_normalize_digits("1234-5678-9012-3", out, sizeof out));
    assert_true(registry_nib_valid(out)); /* 13 */
}

/* ---- legal form ---- */

static void legal_form_parses_any_case(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        registry_legal_form f;
    } ok[] = {
        {"PT", REGISTRY_LEGAL_FORM_PT},
        {"pt", REGISTRY_LEGAL_FORM_PT},
        {"Pt", REGISTRY_LEGAL_FORM_PT},
        {"Yayasan", REGISTRY_LEGAL_FORM_YAYASAN},
        {"YAYASAN", REGISTRY_LEGAL_FORM_YAYASAN},
        {"koperasi", REGISTRY_LEGAL_FORM_KOPERASI},
        {"KoPeRaSi", REGISTRY_LEGAL_FORM_KOPERASI},
        {"CV", REGISTRY_LEGAL_FORM_CV},
        {"cv", REGISTRY_LEGAL_FORM_CV},
    };
    for (size_t i = 0; i < COUNT(ok); i++) {
        registry_legal_form f = (registry_legal_form)99;
        assert_true(registry_legal_form_parse(ok[i].s, &f));
        assert_int_equal(f, ok[i].f);
    }
    static const char *const bad[] = {"PT.",   " PT", "PT ",      "P", "Perseroan Terbatas",
                                      "Firma", "",    "Yayasan\n"};
    for (size_t i = 0; i < COUNT(bad); i++) {
        registry_legal_form f = REGISTRY_LEGAL_FORM_KOPERASI;
        if (registry_legal_form_parse(bad[i], &f))
            fail_msg("parsed \"%s\"", bad[i]);
        assert_int_equal(f, REGISTRY_LEGAL_FORM_KOPERASI); /* untouched */
    }
    registry_legal_form f;
    assert_false(registry_legal_form_parse(NULL, &f));
    assert_false(registry_legal_form_parse("PT", NULL));
}

static void legal_form_names(void **state)
{
    (void)state;
    assert_string_equal(registry_legal_form_name(REGISTRY_LEGAL_FORM_PT), "PT");
    assert_string_equal(registry_legal_form_name(REGISTRY_LEGAL_FORM_YAYASAN), "Yayasan");
    assert_string_equal(registry_legal_form_name(REGISTRY_LEGAL_FORM_KOPERASI), "Koperasi");
    assert_string_equal(registry_legal_form_name(REGISTRY_LEGAL_FORM_CV), "CV");
    assert_null(registry_legal_form_name((registry_legal_form)4));
    assert_null(registry_legal_form_name((registry_legal_form)-1));
}

static void cv_only_when_the_rule_allows(void **state)
{
    (void)state;
    static const struct {
        registry_legal_form f;
        bool cv_allowed, allowed;
    } cases[] = {
        {REGISTRY_LEGAL_FORM_PT, false, true},       {REGISTRY_LEGAL_FORM_PT, true, true},
        {REGISTRY_LEGAL_FORM_YAYASAN, false, true},  {REGISTRY_LEGAL_FORM_YAYASAN, true, true},
        {REGISTRY_LEGAL_FORM_KOPERASI, false, true}, {REGISTRY_LEGAL_FORM_KOPERASI, true, true},
        {REGISTRY_LEGAL_FORM_CV, false, false},      {REGISTRY_LEGAL_FORM_CV, true, true},
        {(registry_legal_form)4, true, false},       {(registry_legal_form)-1, true, false},
    };
    for (size_t i = 0; i < COUNT(cases); i++)
        if (registry_legal_form_allowed(cases[i].f, cases[i].cv_allowed) != cases[i].allowed)
            fail_msg("case %zu", i);
}

/* ---- outlets ---- */

static void outlet_type_and_scale_parse(void **state)
{
    (void)state;
    registry_outlet_type t = (registry_outlet_type)99;
    assert_true(registry_outlet_type_parse("cetak", &t));
    assert_int_equal(t, REGISTRY_OUTLET_CETAK);
    assert_true(registry_outlet_type_parse("SIBER", &t));
    assert_int_equal(t, REGISTRY_OUTLET_SIBER);
    assert_true(registry_outlet_type_parse("Radio", &t));
    assert_int_equal(t, REGISTRY_OUTLET_RADIO);
    assert_true(registry_outlet_type_parse("TV", &t));
    assert_int_equal(t, REGISTRY_OUTLET_TV);
    static const char *const bad_types[] = {"online", "print", "televisi", "t", "", "siber "};
    for (size_t i = 0; i < COUNT(bad_types); i++)
        assert_false(registry_outlet_type_parse(bad_types[i], &t));
    assert_false(registry_outlet_type_parse(NULL, &t));
    assert_int_equal(t, REGISTRY_OUTLET_TV); /* untouched by the failures */

    registry_scale s = (registry_scale)99;
    assert_true(registry_scale_parse("lokal", &s));
    assert_int_equal(s, REGISTRY_SCALE_LOKAL);
    assert_true(registry_scale_parse("Regional", &s));
    assert_int_equal(s, REGISTRY_SCALE_REGIONAL);
    assert_true(registry_scale_parse("NASIONAL", &s));
    assert_int_equal(s, REGISTRY_SCALE_NASIONAL);
    static const char *const bad_scales[] = {"local", "national", "internasional", ""};
    for (size_t i = 0; i < COUNT(bad_scales); i++)
        assert_false(registry_scale_parse(bad_scales[i], &s));
    assert_int_equal(s, REGISTRY_SCALE_NASIONAL);

    assert_string_equal(registry_outlet_type_name(REGISTRY_OUTLET_SIBER), "siber");
    assert_string_equal(registry_outlet_type_name(REGISTRY_OUTLET_TV), "tv");
    assert_null(registry_outlet_type_name((registry_outlet_type)4));
    assert_string_equal(registry_scale_name(REGISTRY_SCALE_REGIONAL), "regional");
    assert_null(registry_scale_name((registry_scale)3));
}

static void kbli_matches_only_its_outlet_type(void **state)
{
    (void)state;
    static const char *const codes[] = {"58130", "63122", "60102", "60202"};
    static const registry_outlet_type types[] = {REGISTRY_OUTLET_CETAK, REGISTRY_OUTLET_SIBER,
                                                 REGISTRY_OUTLET_RADIO, REGISTRY_OUTLET_TV};
    /* print 58130, online 63122, radio 60102, TV 60202: only the diagonal */
    for (size_t t = 0; t < COUNT(types); t++)
        for (size_t c = 0; c < COUNT(codes); c++)
            if (registry_kbli_matches(types[t], codes[c]) != (t == c))
                fail_msg("type %zu code %s", t, codes[c]);

    static const char *const near_misses[] = {"5813",   "581300", " 58130", "58130 ",
                                              "58.130", "58131",  ""};
    for (size_t i = 0; i < COUNT(near_misses); i++)
        assert_false(registry_kbli_matches(REGISTRY_OUTLET_CETAK, near_misses[i]));
    assert_false(registry_kbli_matches(REGISTRY_OUTLET_CETAK, NULL));
    assert_false(registry_kbli_matches((registry_outlet_type)4, "58130"));

    assert_string_equal(registry_kbli_for(REGISTRY_OUTLET_RADIO), "60102");
    assert_null(registry_kbli_for((registry_outlet_type)-1));
}

static void kbli_any_of_a_companys_codes(void **state)
{
    (void)state;
    const char *const codes[] = {"47111", NULL, "63122", "73100"};
    assert_true(registry_kbli_any_matches(REGISTRY_OUTLET_SIBER, codes, 4));
    assert_false(registry_kbli_any_matches(REGISTRY_OUTLET_CETAK, codes, 4));
    assert_false(registry_kbli_any_matches(REGISTRY_OUTLET_SIBER, codes, 2)); /* 63122 is 3rd */
    assert_true(registry_kbli_any_matches(REGISTRY_OUTLET_SIBER, codes + 2, 1));
    assert_false(registry_kbli_any_matches(REGISTRY_OUTLET_SIBER, codes, 0));
    assert_false(registry_kbli_any_matches(REGISTRY_OUTLET_SIBER, NULL, 0));

    const char *const both[] = {"60102", "60202"}; /* a radio and TV broadcaster */
    assert_true(registry_kbli_any_matches(REGISTRY_OUTLET_RADIO, both, 2));
    assert_true(registry_kbli_any_matches(REGISTRY_OUTLET_TV, both, 2));
    assert_false(registry_kbli_any_matches(REGISTRY_OUTLET_SIBER, both, 2));
}

/* ---- people ---- */

static void ukw_and_dewan_pers_parse(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        registry_ukw_level l;
    } ukw[] = {
        {"none", REGISTRY_UKW_NONE},
        {"Muda", REGISTRY_UKW_MUDA},
        {"madya", REGISTRY_UKW_MADYA},
        {"UTAMA", REGISTRY_UKW_UTAMA},
    };
    for (size_t i = 0; i < COUNT(ukw); i++) {
        registry_ukw_level l = (registry_ukw_level)99;
        assert_true(registry_ukw_level_parse(ukw[i].s, &l));
        assert_int_equal(l, ukw[i].l);
    }
    registry_ukw_level l = REGISTRY_UKW_MADYA;
    static const char *const bad_ukw[] = {"", "muda ", "wartawan muda", "junior", "utama1"};
    for (size_t i = 0; i < COUNT(bad_ukw); i++)
        assert_false(registry_ukw_level_parse(bad_ukw[i], &l));
    assert_false(registry_ukw_level_parse(NULL, &l));
    assert_int_equal(l, REGISTRY_UKW_MADYA);
    assert_string_equal(registry_ukw_level_name(REGISTRY_UKW_NONE), "none");
    assert_string_equal(registry_ukw_level_name(REGISTRY_UKW_UTAMA), "utama");
    assert_null(registry_ukw_level_name((registry_ukw_level)4));

    registry_dewan_pers_status s = (registry_dewan_pers_status)99;
    assert_true(registry_dewan_pers_parse("none", &s));
    assert_int_equal(s, REGISTRY_DEWAN_PERS_NONE);
    assert_true(registry_dewan_pers_parse("Administratif", &s));
    assert_int_equal(s, REGISTRY_DEWAN_PERS_ADMINISTRATIF);
    assert_true(registry_dewan_pers_parse("FAKTUAL", &s));
    assert_int_equal(s, REGISTRY_DEWAN_PERS_FAKTUAL);
    static const char *const bad_dp[] = {"", "administrative", "factual", "terverifikasi"};
    for (size_t i = 0; i < COUNT(bad_dp); i++)
        assert_false(registry_dewan_pers_parse(bad_dp[i], &s));
    assert_int_equal(s, REGISTRY_DEWAN_PERS_FAKTUAL);
    assert_string_equal(registry_dewan_pers_name(REGISTRY_DEWAN_PERS_ADMINISTRATIF),
                        "administratif");
    assert_null(registry_dewan_pers_name((registry_dewan_pers_status)3));
}

/* ---- dates ---- */

static void parse_date_gives_days_since_epoch(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int32_t days;
    } cases[] = {
        {"1970-01-01", 0},
        {"1969-12-31", -1},
        {"1970-01-02", 1},
        {"2000-01-01", 10957},
        {"2000-02-29", 11016}, /* 2000 is a leap year (divisible by 400): 10957 + 31 + 28 */
        {"2024-02-29", 19782}, /* 2024-01-01 = 20454 - 365 - 366 = 19723; + 59 */
        {"2026-01-01", D_2026_01_01},
        {"2026-06-15", TODAY},
        {"2026-12-31", 20818},   /* 20454 + 364 */
        {"2027-01-01", 20819},   /* 20454 + 365 */
        {"0001-01-01", -719162}, /* 719162 days from year 1 to 1970 */
        {"9999-12-31", 2932896}, /* ordinal 3652059 - ordinal of 1970-01-01 719163 */
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        int32_t d = 12345;
        if (!registry_parse_date(cases[i].s, &d))
            fail_msg("refused %s", cases[i].s);
        if (d != cases[i].days)
            fail_msg("%s: got %d, expected %d", cases[i].s, (int)d, (int)cases[i].days);
    }
}

static void parse_date_refuses_impossible_dates_and_layouts(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "2027-02-29",       /* 2027 is not a leap year */
        "2100-02-29",       /* divisible by 100, not by 400 */
        "2026-13-01",       /* month 13 */
        "2026-00-10",       /* month 0 */
        "2026-04-31",       /* April has 30 days */
        "2026-06-31",       /* June too */
        "2026-01-00",       /* day 0 */
        "2026-01-32",       /* day 32 */
        "0000-01-01",       /* no year zero */
        "2026-6-15",        /* unpadded */
        "2026/06/15",       /* other separator */
        "20260615",         /* no separators */
        "15-06-2026",       /* Indonesian order */
        "2026-06-15T00:00", /* a timestamp */
        "2026-06-15 ",      /* trailing blank */
        " 2026-06-15",      /* leading blank */
        "2026-0a-15",       /* a letter */
        "+026-06-15",       /* a sign */
        "",
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        int32_t d = 777;
        if (registry_parse_date(bad[i], &d))
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(d, 777);
    }
    int32_t d;
    assert_false(registry_parse_date(NULL, &d));
    assert_false(registry_parse_date("2026-06-15", NULL));
}

static void format_date_is_the_inverse(void **state)
{
    (void)state;
    static const struct {
        int32_t days;
        const char *s;
    } cases[] = {
        {0, "1970-01-01"},     {-1, "1969-12-31"},      {TODAY, "2026-06-15"},
        {19782, "2024-02-29"}, {-719162, "0001-01-01"}, {2932896, "9999-12-31"},
    };
    char out[11];
    for (size_t i = 0; i < COUNT(cases); i++) {
        assert_true(registry_format_date(cases[i].days, out));
        assert_string_equal(out, cases[i].s);
    }
    assert_false(registry_format_date(-719163, out)); /* 0000-12-31 */
    assert_string_equal(out, "");
    assert_false(registry_format_date(2932897, out)); /* 10000-01-01 */
    assert_false(registry_format_date(INT32_MIN, out));
    assert_false(registry_format_date(INT32_MAX, out));

    /* the whole range, sampled: format then parse gives the day back */
    for (int32_t d = -719162; d <= 2932896; d += 997) {
        int32_t back = 0;
        assert_true(registry_format_date(d, out));
        assert_true(registry_parse_date(out, &back));
        assert_int_equal(back, d);
    }
}

static void document_dates_make_sense(void **state)
{
    (void)state;
    static const struct {
        int32_t issue, expiry;
        bool ok;
    } cases[] = {
        {TODAY, 0, true},      /* issued today, no expiry */
        {TODAY + 1, 0, false}, /* issued tomorrow */
        {TODAY + 1, TODAY + 400, false},
        {TODAY - 100, TODAY + 265, true},
        {TODAY - 100, TODAY - 99, true},   /* expired already: a fact, not a wrong date */
        {TODAY - 100, TODAY - 100, false}, /* expires the day it was issued */
        {TODAY - 100, TODAY - 101, false}, /* expires before it was issued */
        {-5000, 0, true},                  /* issued before 1970 */
        {-5000, -4000, true},
    };
    for (size_t i = 0; i < COUNT(cases); i++)
        if (registry_dates_valid(cases[i].issue, cases[i].expiry, TODAY) != cases[i].ok)
            fail_msg("case %zu", i);
}

static void document_types_by_name(void **state)
{
    (void)state;
    static const struct {
        registry_doc_type t;
        const char *name;
    } all[] = {
        {REGISTRY_DOC_AKTA, "akta"},
        {REGISTRY_DOC_SK_KEMENKUMHAM, "sk_kemenkumham"},
        {REGISTRY_DOC_NIB, "nib"},
        {REGISTRY_DOC_NPWP, "npwp"},
        {REGISTRY_DOC_DOMISILI, "domisili"},
        {REGISTRY_DOC_DEWAN_PERS, "dewan_pers"},
        {REGISTRY_DOC_UKW, "ukw"},
        {REGISTRY_DOC_PRESS_CARD, "press_card"},
        {REGISTRY_DOC_OFFICE_PHOTO, "office_photo"},
        {REGISTRY_DOC_PAKTA_INTEGRITAS, "pakta_integritas"},
        {REGISTRY_DOC_BANK_ACCOUNT, "bank_account"},
        {REGISTRY_DOC_OTHER, "other"},
    };
    for (size_t i = 0; i < COUNT(all); i++) {
        registry_doc_type t = (registry_doc_type)99;
        assert_string_equal(registry_doc_type_name(all[i].t), all[i].name);
        assert_true(registry_doc_type_parse(all[i].name, &t));
        assert_int_equal(t, all[i].t);
    }
    registry_doc_type t = REGISTRY_DOC_UKW;
    assert_true(registry_doc_type_parse("SK_KEMENKUMHAM", &t));
    assert_int_equal(t, REGISTRY_DOC_SK_KEMENKUMHAM);
    static const char *const bad[] = {"sk-kemenkumham", "skKemenkumham", "akta ",
                                      "photo",          "dewanpers",     ""};
    for (size_t i = 0; i < COUNT(bad); i++)
        assert_false(registry_doc_type_parse(bad[i], &t));
    assert_false(registry_doc_type_parse(NULL, &t));
    assert_int_equal(t, REGISTRY_DOC_SK_KEMENKUMHAM);
    assert_null(registry_doc_type_name((registry_doc_type)12));
    assert_null(registry_doc_type_name((registry_doc_type)-1));
}

/* ---- violations ---- */

/* The fields of `v`, comma-separated, for comparing with a case's list. */
static const char *fields_of(const registry_violations *v, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (size_t i = 0; i < v->n; i++) {
        if (i)
            strncat(buf, ",", cap - strlen(buf) - 1);
        strncat(buf, v->items[i].field, cap - strlen(buf) - 1);
    }
    return buf;
}

/* Every violation has a code the UI's catalogues can hold (dotted lower
 * case, whole) and an English description that is not cut. */
static void assert_descriptions_whole(const registry_violations *v)
{
    for (size_t i = 0; i < v->n; i++) {
        const char *d = v->items[i].description, *c = v->items[i].code;
        size_t n = strlen(d), k = strlen(c);
        if (n == 0 || n >= sizeof v->items[i].description - 1 || k == 0 ||
            k >= sizeof v->items[i].code - 1 ||
            strspn(c, "abcdefghijklmnopqrstuvwxyz0123456789_.") != k)
            fail_msg("%s: [%s] \"%s\"", v->items[i].field, c, d);
    }
}

static void violations_keep_the_first_sixteen(void **state)
{
    (void)state;
    registry_violations v = {0};
    for (int i = 0; i < 17; i++) {
        char field[8] = {'f', (char)('a' + i), '\0'};
        bool kept = registry_violation_add(&v, field, "x", "x");
        assert_int_equal(kept, i < 16);
    }
    assert_int_equal(v.n, 16);
    assert_string_equal(v.items[0].field, "fa");
    assert_string_equal(v.items[15].field, "fp"); /* 'a' + 15 */
    assert_false(registry_violation_add(NULL, "f", "c", "d"));
}

static void violations_cut_long_strings_at_a_character(void **state)
{
    (void)state;
    registry_violations v = {0};
    char field[101], desc[200];
    memset(field, 'x', 100);
    field[100] = '\0';
    /* 158 ASCII bytes then "é" (C3 A9): 160 bytes, one more than fits beside the NUL,
     * and the cut would fall between C3 and A9, so the whole "é" goes */
    memset(desc, 'a', 158);
    memcpy(desc + 158, "\xc3\xa9", 3);
    assert_true(registry_violation_add(&v, field, "too_long", desc));
    assert_int_equal(strlen(v.items[0].field), 63);
    assert_int_equal(strlen(v.items[0].description), 158);
    assert_int_equal(v.items[0].description[157], 'a');

    /* 157 + 2 = 159 bytes: fits exactly */
    memset(desc, 'a', 157);
    memcpy(desc + 157, "\xc3\xa9", 3);
    assert_true(registry_violation_add(&v, NULL, NULL, desc));
    assert_string_equal(v.items[1].code, "");
    assert_string_equal(v.items[1].field, "");
    assert_string_equal(v.items[1].description, desc);
    assert_true(registry_violation_add(&v, "f", "c", NULL));
    assert_string_equal(v.items[2].description, "");
    assert_int_equal(v.n, 3);
}

/* ---- whole company ---- */

static const char *const GOOD_KBLI[] = {"63122", "73100"};

static registry_company_input good_company(void)
{
    return (registry_company_input){
        .legal_name = "PT Kabar Komering Ilir",
        .legal_form = "PT",
        .npwp = "01.234.567.8-901.234",
        .nib = "1234567890123",
        .kbli = GOOD_KBLI,
        .n_kbli = 2,
        .pkp = false,
        .deed_number = "12",
        .deed_date = "2019-03-04",
        .address = "Jl. Letnan Muchtar Saleh No. 1, Kayuagung",
        .bank_account_number = "123-456-7890",
        .bank_holder_name = "PT Kabar Komering Ilir",
        .sk_kemenkumham = "AHU-0012345.AH.01.01.TAHUN 2019",
        .domicile_letter_number = "470/12/KYG/2026",
    };
}

static void good_company_passes(void **state)
{
    (void)state;
    registry_violations v = {0};
    registry_company_input in = good_company();
    assert_true(registry_check_company(&in, TODAY, false, &v));
    assert_int_equal(v.n, 0);
    in.pkp = true;
    in.legal_form = "yayasan";
    in.npwp = "0123456789012345";
    assert_true(registry_check_company(&in, TODAY, false, &v));
    assert_int_equal(v.n, 0);
    assert_true(registry_check_company(&in, TODAY, false, NULL)); /* no collector needed */
}

#define TEXT_FIELD(f) offsetof(registry_company_input, f)

static void each_bad_field_is_named(void **state)
{
    (void)state;
    char long_name[202];
    memset(long_name, 'n', 201);
    long_name[201] = '\0';
    static const char FORTY_DIGITS[] = "0123456789012345678901234567890123456789";
    const struct {
        size_t off;
        const char *value;
        bool cv_allowed;
        const char *fields; /* "" = valid */
    } cases[] = {
        {TEXT_FIELD(legal_name), NULL, false, "legalName"},
        {TEXT_FIELD(legal_name), "  \t ", false, "legalName"},
        {TEXT_FIELD(legal_name), long_name, false, "legalName"},                 /* 201 bytes */
        {TEXT_FIELD(legal_name), long_name + 1, false, ""},                      /* 200 bytes */
        {TEXT_FIELD(legal_name), "PT Kabar\x01", false, "legalName"},            /* control char */
        {TEXT_FIELD(legal_name), "PT Kabar \xc3", false, "legalName"},           /* cut UTF-8 */
        {TEXT_FIELD(legal_name), "PT Kabar \xc0\xaf", false, "legalName"},       /* overlong '/' */
        {TEXT_FIELD(legal_name), "PT Kabar Cahaya \xc3\x91usantara", false, ""}, /* Ñ */
        {TEXT_FIELD(legal_form), "CV", false, "legalForm"},
        {TEXT_FIELD(legal_form), "CV", true, ""},
        {TEXT_FIELD(legal_form), "Firma", true, "legalForm"},
        {TEXT_FIELD(legal_form), "", false, "legalForm"},
        {TEXT_FIELD(legal_form), NULL, false, "legalForm"},
        {TEXT_FIELD(npwp), "01.234.567.8-901.23", false, "npwp"},  /* 14 digits */
        {TEXT_FIELD(npwp), "01.234.567.8-901.2345", false, ""},    /* 16 digits */
        {TEXT_FIELD(npwp), "01.234.567.8/901.234", false, "npwp"}, /* slash */
        {TEXT_FIELD(npwp), FORTY_DIGITS, false, "npwp"},           /* longer than the buffer */
        {TEXT_FIELD(npwp), "", false, "npwp"},
        {TEXT_FIELD(npwp), NULL, false, "npwp"},
        {TEXT_FIELD(nib), "123456789012", false, "nib"},   /* 12 */
        {TEXT_FIELD(nib), "1234 5678 90123", false, ""},   /* 13 with spaces */
        {TEXT_FIELD(nib), "12345678901234", false, "nib"}, /* 14 */
        {TEXT_FIELD(deed_number), NULL, false, "deedNumber"},
        {TEXT_FIELD(deed_date), "2026-06-15", false, ""},         /* today */
        {TEXT_FIELD(deed_date), "2026-06-16", false, "deedDate"}, /* tomorrow */
        {TEXT_FIELD(deed_date), "2027-02-29", false, "deedDate"},
        {TEXT_FIELD(deed_date), "04-03-2019", false, "deedDate"},
        {TEXT_FIELD(deed_date), NULL, false, "deedDate"},
        {TEXT_FIELD(address), "", false, "address"},
        {TEXT_FIELD(bank_account_number), "12345", false, "bankAccount.accountNumber"}, /* 5 */
        {TEXT_FIELD(bank_account_number), "123456", false, ""},                         /* 6 */
        {TEXT_FIELD(bank_account_number), "1234 5678 9012 3456 7890", false, ""},       /* 20 */
        {TEXT_FIELD(bank_account_number), "1234 5678 9012 3456 78901", false,
         "bankAccount.accountNumber"}, /* 21 */
        {TEXT_FIELD(bank_account_number), "1234567890a", false, "bankAccount.accountNumber"},
        {TEXT_FIELD(bank_account_number), NULL, false, "bankAccount.accountNumber"},
        {TEXT_FIELD(bank_holder_name), "", false, "bankAccount.holderName"},
        /* A PT exists by its ministry decree and has a domicile letter... */
        {TEXT_FIELD(sk_kemenkumham), NULL, false, "skKemenkumham"},
        {TEXT_FIELD(sk_kemenkumham), "  ", false, "skKemenkumham"},
        {TEXT_FIELD(domicile_letter_number), "", false, "domicileLetterNumber"},
        {TEXT_FIELD(domicile_letter_number), long_name, false, "domicileLetterNumber"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        registry_company_input in = good_company();
        *(const char **)((char *)&in + cases[i].off) = cases[i].value;
        registry_violations v = {0};
        char got[1024];
        bool ok = registry_check_company(&in, TODAY, cases[i].cv_allowed, &v);
        fields_of(&v, got, sizeof got);
        if (ok != (cases[i].fields[0] == '\0') || strcmp(got, cases[i].fields) != 0)
            fail_msg("case %zu: got \"%s\", expected \"%s\"", i, got, cases[i].fields);
        assert_descriptions_whole(&v);
    }
}

static void kbli_of_the_company(void **state)
{
    (void)state;
    const char *const none_press[] = {"47111"};
    const char *const one_malformed[] = {"63122", "4711"};
    const char *const letter[] = {"6312a"};
    const char *const null_first[] = {NULL, "58130"};
    const char *const tv[] = {"60202"};
    const struct {
        const char *const *codes;
        size_t n;
        const char *fields;
    } cases[] = {
        {NULL, 0, "kbli"},
        {tv, 0, "kbli"},               /* n says none */
        {none_press, 1, "kbli"},       /* a shop, not a press company */
        {one_malformed, 2, "kbli[1]"}, /* the bad code is named; no second complaint */
        {letter, 1, "kbli[0]"},
        {null_first, 2, "kbli[0]"},
        {tv, 1, ""},
        {GOOD_KBLI, 2, ""},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        registry_company_input in = good_company();
        in.kbli = cases[i].codes;
        in.n_kbli = cases[i].n;
        registry_violations v = {0};
        char got[256];
        bool ok = registry_check_company(&in, TODAY, false, &v);
        fields_of(&v, got, sizeof got);
        if (ok != (cases[i].fields[0] == '\0') || strcmp(got, cases[i].fields) != 0)
            fail_msg("case %zu: got \"%s\", expected \"%s\"", i, got, cases[i].fields);
        assert_descriptions_whole(&v);
    }
}

static void empty_company_names_every_field(void **state)
{
    (void)state;
    registry_company_input in = {0};
    registry_violations v = {0};
    char got[1024];
    assert_false(registry_check_company(&in, TODAY, true, &v));
    /* No legal form: not known to be a PT, so its decree is not asked for. */
    assert_string_equal(fields_of(&v, got, sizeof got),
                        "legalName,legalForm,npwp,nib,kbli,deedNumber,deedDate,address,"
                        "bankAccount.accountNumber,bankAccount.holderName");
    assert_descriptions_whole(&v);
    assert_false(registry_check_company(&in, TODAY, true, NULL)); /* still invalid */

    registry_violations w = {0};
    assert_false(registry_check_company(NULL, TODAY, true, &w));
    assert_int_equal(w.n, 1);
    assert_string_equal(w.items[0].field, "company");
}

/* ...which a Yayasan, a Koperasi or a CV are not asked for. */
static void only_a_pt_needs_its_decree_and_domicile_letter(void **state)
{
    (void)state;
    const char *const forms[] = {"PT", "pt", "Yayasan", "Koperasi", "CV"};
    const char *const want[] = {"skKemenkumham,domicileLetterNumber",
                                "skKemenkumham,domicileLetterNumber", "", "", ""};
    for (size_t i = 0; i < COUNT(forms); i++) {
        registry_company_input in = good_company();
        in.legal_form = forms[i];
        in.sk_kemenkumham = NULL;
        in.domicile_letter_number = "";
        registry_violations v = {0};
        char got[256];
        registry_check_company(&in, TODAY, true, &v);
        if (strcmp(fields_of(&v, got, sizeof got), want[i]) != 0)
            fail_msg("%s: got \"%s\", expected \"%s\"", forms[i], got, want[i]);
        for (size_t k = 0; k < v.n; k++)
            assert_non_null(strstr(v.items[k].code, "legal_form.pt_needs_"));
    }
}

/* The 16-digit NPWP of an old 15-digit one is "0" and the 15 digits: both
 * are one taxpayer and come out as the same number. */
static void npwp_15_and_its_16_digit_form_are_one_number(void **state)
{
    (void)state;
    char a[17], b[17];
    assert_true(registry_npwp_canonical("012345678901234", a));
    assert_true(registry_npwp_canonical("0012345678901234", b));
    assert_string_equal(a, "0012345678901234");
    assert_string_equal(a, b);
    assert_true(registry_npwp_canonical("3201234567890001", b)); /* NIK-based: as it is */
    assert_string_equal(b, "3201234567890001");
    assert_true(registry_npwp_canonical("112345678901234", a));
    assert_string_equal(a, "0112345678901234");
    assert_false(registry_npwp_canonical("01234567890123", a)); /* 14 */
    assert_string_equal(a, "");
    assert_false(registry_npwp_canonical("01.234.567.8-901.234", a)); /* normalise first */
    assert_false(registry_npwp_canonical("01234567890123456", a));    /* 17 */
    assert_false(registry_npwp_canonical("", a));
}

/* Submit for a fiscal year: opened by verification, inside its window (both
 * days included), its list not final, a CV only when the year allows it. */
static void submit_only_inside_the_years_window(void **state)
{
    (void)state;
    int32_t opens, closes;
    assert_true(registry_parse_date("2026-10-01", &opens));
    assert_true(registry_parse_date("2027-03-31", &closes));
    registry_year_rules y = {.opened = true, .opens_on = opens, .closes_on = closes};
    const struct {
        int32_t day;
        registry_legal_form form;
        bool cv, final, opened;
        registry_submit_verdict want;
    } cases[] = {
        {opens - 1, REGISTRY_LEGAL_FORM_PT, false, false, true, REGISTRY_SUBMIT_NOT_YET_OPEN},
        {opens, REGISTRY_LEGAL_FORM_PT, false, false, true, REGISTRY_SUBMIT_OK},
        {closes, REGISTRY_LEGAL_FORM_PT, false, false, true, REGISTRY_SUBMIT_OK},
        {closes + 1, REGISTRY_LEGAL_FORM_PT, false, false, true, REGISTRY_SUBMIT_CLOSED},
        {opens, REGISTRY_LEGAL_FORM_CV, false, false, true, REGISTRY_SUBMIT_CV_NOT_ALLOWED},
        {opens, REGISTRY_LEGAL_FORM_CV, true, false, true, REGISTRY_SUBMIT_OK},
        {opens, REGISTRY_LEGAL_FORM_YAYASAN, false, false, true, REGISTRY_SUBMIT_OK},
        {opens, REGISTRY_LEGAL_FORM_PT, false, true, true, REGISTRY_SUBMIT_YEAR_FINAL},
        {opens, REGISTRY_LEGAL_FORM_PT, true, false, false, REGISTRY_SUBMIT_YEAR_NOT_OPEN},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        y.cv_allowed = cases[i].cv;
        y.final = cases[i].final;
        y.opened = cases[i].opened;
        registry_submit_verdict got = registry_may_submit(&y, cases[i].form, cases[i].day);
        if (got != cases[i].want)
            fail_msg("case %zu: got %d (%s), expected %d", i, got, registry_submit_code(got),
                     cases[i].want);
    }
    assert_int_equal(registry_may_submit(NULL, REGISTRY_LEGAL_FORM_PT, opens),
                     REGISTRY_SUBMIT_YEAR_NOT_OPEN);
    assert_string_equal(registry_submit_code(REGISTRY_SUBMIT_CLOSED), "registration.closed");
    assert_string_equal(registry_submit_code(REGISTRY_SUBMIT_CV_NOT_ALLOWED),
                        "legal_form.cv_not_allowed");
    assert_string_equal(registry_submit_code(REGISTRY_SUBMIT_OK), "");
    assert_null(registry_submit_code((registry_submit_verdict)99));
}

static void npwp_violation_has_its_code(void **state)
{
    (void)state;
    registry_company_input in = good_company();
    in.npwp = "123";
    registry_violations v = {0};
    assert_false(registry_check_company(&in, TODAY, false, &v));
    assert_int_equal(v.n, 1);
    assert_string_equal(v.items[0].field, "npwp");
    assert_string_equal(v.items[0].code, "npwp.invalid");
    assert_string_equal(v.items[0].description, "NPWP must be 15 or 16 digits");
}

/* Lengths are counted in characters, as the form counts them: 200 "é" (400
 * bytes) is a name, 201 is one too long, said with its limit. */
static void lengths_count_characters(void **state)
{
    (void)state;
    char name[2 * 201 + 1];
    for (int i = 0; i < 201; i++)
        memcpy(name + 2 * i, "\xc3\xa9", 2);
    name[2 * 200] = '\0';
    registry_company_input in = good_company();
    in.legal_name = name;
    registry_violations v = {0};
    assert_true(registry_check_company(&in, TODAY, false, &v));
    name[2 * 200] = '\xc3';
    name[2 * 201] = '\0';
    assert_false(registry_check_company(&in, TODAY, false, &v));
    assert_int_equal(v.n, 1);
    assert_string_equal(v.items[0].field, "legalName");
    assert_string_equal(v.items[0].code, "too_long");
    assert_string_equal(v.items[0].description, "at most 200 characters");
}

static void many_bad_codes_keep_sixteen(void **state)
{
    (void)state;
    const char *codes[20];
    for (size_t i = 0; i < 20; i++)
        codes[i] = "x";
    registry_company_input in = good_company();
    in.kbli = codes;
    in.n_kbli = 20;
    in.address = NULL; /* the 21st violation: dropped */
    registry_violations v = {0};
    assert_false(registry_check_company(&in, TODAY, false, &v));
    assert_int_equal(v.n, 16);
    assert_string_equal(v.items[0].field, "kbli[0]");
    assert_string_equal(v.items[15].field, "kbli[15]");
}

/* ---- journalist ---- */

static void journalist_rules(void **state)
{
    (void)state;
    static const struct {
        const char *nik, *name, *level, *number, *expiry;
        const char *fields; /* "" = valid */
    } cases[] = {
        {"3171012345678901", "Siti Aminah", "Madya", "123/UKW/PWI/2024", "2027-01-31", ""},
        {"3171012345678901", "Siti Aminah", NULL, NULL, NULL, ""}, /* no UKW */
        {"3171012345678901", "Siti Aminah", "", "", "", ""},       /* no UKW, empty strings */
        {"3171012345678901", "Siti Aminah", "none", NULL, NULL, ""},
        {"3171 0123 4567 8901", "Siti Aminah", NULL, NULL, NULL, ""},  /* spaced NIK */
        {"317101234567890", "Siti Aminah", NULL, NULL, NULL, "nik"},   /* 15 */
        {"31710123456789012", "Siti Aminah", NULL, NULL, NULL, "nik"}, /* 17 */
        {"3171O12345678901", "Siti Aminah", NULL, NULL, NULL, "nik"},  /* letter O */
        {NULL, "Siti Aminah", NULL, NULL, NULL, "nik"},
        {"3171012345678901", "", NULL, NULL, NULL, "name"},
        {"3171012345678901", NULL, NULL, NULL, NULL, "name"},
        {"3171012345678901", "Siti", "Senior", "123", "2027-01-31", "ukwLevel"},
        {"3171012345678901", "Siti", "Utama", NULL, NULL,
         "ukwCertificateNumber,ukwCertificateExpiry"},
        {"3171012345678901", "Siti", "Muda", "123", "2026-06-15", ""}, /* expires today */
        {"3171012345678901", "Siti", "Muda", "123", "2026-06-14", "ukwCertificateExpiry"},
        {"3171012345678901", "Siti", "Muda", "123", "2026-02-30", "ukwCertificateExpiry"},
        {"3171012345678901", "Siti", "Muda", "123", "31-01-2027", "ukwCertificateExpiry"},
        {"3171012345678901", "Siti", "Muda", " ", "2027-01-31", "ukwCertificateNumber"},
        {"3171012345678901", "Siti", NULL, "123", "2027-01-01", "ukwLevel"}, /* cert, no level */
        {"3171012345678901", "Siti", "none", NULL, "2027-01-01", "ukwLevel"},
        {"1", "", "Senior", NULL, "x", "nik,name,ukwLevel,ukwCertificateExpiry"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        registry_violations v = {0};
        char got[512];
        bool ok = registry_check_journalist(cases[i].nik, cases[i].name, cases[i].level,
                                            cases[i].number, cases[i].expiry, TODAY, &v);
        fields_of(&v, got, sizeof got);
        if (ok != (cases[i].fields[0] == '\0') || strcmp(got, cases[i].fields) != 0)
            fail_msg("case %zu: got \"%s\", expected \"%s\"", i, got, cases[i].fields);
        assert_descriptions_whole(&v);
    }
}

/* ---- bank account ---- */

static void bank_accounts_compare_by_names_and_digits(void **state)
{
    (void)state;
    const registry_bank base = {"Bank Sumsel Babel", "1234567890", "PT Kabar"};
    const struct {
        registry_bank other;
        bool same;
    } cases[] = {
        {{"Bank Sumsel Babel", "1234567890", "PT Kabar"}, true},
        {{"Bank Sumsel Babel", "12-3456 7890", "PT Kabar"}, true}, /* as typed */
        {{"Bank Sumsel Babel", "1.234.567.890", "PT Kabar"}, true},
        {{"Bank Sumsel Babel", "1234567891", "PT Kabar"}, false},  /* another account */
        {{"Bank Sumsel Babel", "12345678900", "PT Kabar"}, false}, /* one digit more */
        {{"Bank Sumsel Babel", "123456789", "PT Kabar"}, false},
        {{"Bank BRI", "1234567890", "PT Kabar"}, false},
        {{"Bank Sumsel Babel", "1234567890", "Orang Lain"}, false},
        {{"bank sumsel babel", "1234567890", "PT Kabar"}, false},  /* byte for byte */
        {{"Bank Sumsel Babel", "1234567890/", "PT Kabar"}, false}, /* '/' is not skipped here */
        {{NULL, NULL, NULL}, false},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        assert_int_equal(registry_bank_same(&base, &cases[i].other), cases[i].same);
        assert_int_equal(registry_bank_same(&cases[i].other, &base), cases[i].same);
    }
    const registry_bank none = {NULL, NULL, NULL}, empty = {"", "", ""};
    assert_true(registry_bank_same(&none, &empty));
}

static void only_the_partner_changes_the_bank_account(void **state)
{
    (void)state;
    const registry_bank was = {"Bank Sumsel Babel", "1234567890", "PT Kabar"};
    const registry_bank moved = {"Bank Sumsel Babel", "9999999999", "PT Kabar"};
    const registry_bank retyped = {"Bank Sumsel Babel", "12-3456-7890", "PT Kabar"};
    const struct {
        const registry_bank *after;
        bool partner, first_draft, ok;
    } cases[] = {
        {&moved, true, false, true},    /* the partner's own account */
        {&moved, false, false, false},  /* staff: refused */
        {&moved, false, true, true},    /* the registrant entering the first draft */
        {&moved, true, true, true},
        {&was, false, false, true},     /* unchanged: anyone */
        {&retyped, false, false, true}, /* the same account, typed differently */
    };
    for (size_t i = 0; i < COUNT(cases); i++)
        assert_int_equal(registry_bank_change_allowed(&was, cases[i].after, cases[i].partner,
                                                      cases[i].first_draft),
                         cases[i].ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bank_accounts_compare_by_names_and_digits),
        cmocka_unit_test(only_the_partner_changes_the_bank_account),
        cmocka_unit_test(normalize_strips_spaces_dots_dashes),
        cmocka_unit_test(normalize_refuses_null_and_no_room),
        cmocka_unit_test(normalized_npwp_then_validates),
        cmocka_unit_test(legal_form_parses_any_case),
        cmocka_unit_test(legal_form_names),
        cmocka_unit_test(cv_only_when_the_rule_allows),
        cmocka_unit_test(outlet_type_and_scale_parse),
        cmocka_unit_test(kbli_matches_only_its_outlet_type),
        cmocka_unit_test(kbli_any_of_a_companys_codes),
        cmocka_unit_test(ukw_and_dewan_pers_parse),
        cmocka_unit_test(parse_date_gives_days_since_epoch),
        cmocka_unit_test(parse_date_refuses_impossible_dates_and_layouts),
        cmocka_unit_test(format_date_is_the_inverse),
        cmocka_unit_test(document_dates_make_sense),
        cmocka_unit_test(document_types_by_name),
        cmocka_unit_test(violations_keep_the_first_sixteen),
        cmocka_unit_test(violations_cut_long_strings_at_a_character),
        cmocka_unit_test(good_company_passes),
        cmocka_unit_test(each_bad_field_is_named),
        cmocka_unit_test(kbli_of_the_company),
        cmocka_unit_test(empty_company_names_every_field),
        cmocka_unit_test(npwp_violation_has_its_code),
        cmocka_unit_test(lengths_count_characters),
        cmocka_unit_test(many_bad_codes_keep_sixteen),
        cmocka_unit_test(journalist_rules),
        cmocka_unit_test(only_a_pt_needs_its_decree_and_domicile_letter),
        cmocka_unit_test(npwp_15_and_its_16_digit_form_are_one_number),
        cmocka_unit_test(submit_only_inside_the_years_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
