#include "domain.h"

#include <stdio.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool digits_exactly(const char *s, size_t n)
{
    return s && strspn(s, "0123456789") == n && s[n] == '\0';
}

bool registry_npwp_valid(const char *s)
{
    return digits_exactly(s, 15) || digits_exactly(s, 16);
}

bool registry_npwp_canonical(const char *digits, char out[17])
{
    out[0] = '\0';
    if (digits_exactly(digits, 15)) {
        out[0] = '0';
        memcpy(out + 1, digits, 16); /* 15 digits and the NUL */
        return true;
    }
    if (digits_exactly(digits, 16)) {
        memcpy(out, digits, 17);
        return true;
    }
    return false;
}

bool registry_nib_valid(const char *s)
{
    return digits_exactly(s, 13);
}

bool registry_nik_valid(const char *s)
{
    return digits_exactly(s, 16);
}

bool registry_normalize_digits(const char *in, char *out, size_t cap)
{
    if (!out || cap == 0)
        return false;
    out[0] = '\0';
    if (!in)
        return false;
    size_t n = 0;
    for (const char *p = in; *p; p++) {
        if (*p == ' ' || *p == '.' || *p == '-')
            continue;
        if (*p < '0' || *p > '9' || n + 1 >= cap) {
            out[0] = '\0';
            return false;
        }
        out[n++] = *p;
    }
    out[n] = '\0';
    return true;
}

/* ---- enums by name ---- */

static bool ascii_ieq(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return false;
        if (x == '\0')
            return true;
    }
}

/* Index of `s` in `names`, or -1. */
static int name_index(const char *s, const char *const *names, size_t n)
{
    if (!s)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (ascii_ieq(s, names[i]))
            return (int)i;
    return -1;
}

static const char *name_at(int i, const char *const *names, size_t n)
{
    return i >= 0 && (size_t)i < n ? names[i] : NULL;
}

static const char *const LEGAL_FORMS[] = {"PT", "Yayasan", "Koperasi", "CV"};
static const char *const OUTLET_TYPES[] = {"cetak", "siber", "radio", "tv"};
static const char *const OUTLET_KBLI[] = {"58130", "63122", "60102", "60202"};
static const char *const SCALES[] = {"lokal", "regional", "nasional"};
static const char *const UKW_LEVELS[] = {"none", "muda", "madya", "utama"};
static const char *const DEWAN_PERS[] = {"none", "administratif", "faktual"};
static const char *const DOC_TYPES[] = {
    "akta",         "sk_kemenkumham",   "nib",          "npwp",
    "domisili",     "dewan_pers",       "ukw",          "press_card",
    "office_photo", "pakta_integritas", "bank_account", "other",
};

_Static_assert(COUNT(LEGAL_FORMS) == REGISTRY_LEGAL_FORM_CV + 1, "legal form names");
_Static_assert(COUNT(OUTLET_TYPES) == REGISTRY_OUTLET_TV + 1, "outlet type names");
_Static_assert(COUNT(OUTLET_KBLI) == REGISTRY_OUTLET_TV + 1, "outlet KBLI codes");
_Static_assert(COUNT(SCALES) == REGISTRY_SCALE_NASIONAL + 1, "scale names");
_Static_assert(COUNT(UKW_LEVELS) == REGISTRY_UKW_UTAMA + 1, "UKW level names");
_Static_assert(COUNT(DEWAN_PERS) == REGISTRY_DEWAN_PERS_FAKTUAL + 1, "Dewan Pers names");
_Static_assert(COUNT(DOC_TYPES) == REGISTRY_DOC_OTHER + 1, "document type names");

/* One parse/name pair per enum, over its table. */
#define ENUM_BY_NAME(parse, name, type, table)       \
    bool parse(const char *s, type *out)             \
    {                                                \
        int i = name_index(s, table, COUNT(table));  \
        if (i < 0 || !out)                           \
            return false;                            \
        *out = (type)i;                              \
        return true;                                 \
    }                                                \
    const char *name(type x)                         \
    {                                                \
        return name_at((int)x, table, COUNT(table)); \
    }

ENUM_BY_NAME(registry_legal_form_parse, registry_legal_form_name, registry_legal_form, LEGAL_FORMS)
ENUM_BY_NAME(registry_outlet_type_parse, registry_outlet_type_name, registry_outlet_type,
             OUTLET_TYPES)
ENUM_BY_NAME(registry_scale_parse, registry_scale_name, registry_scale, SCALES)
ENUM_BY_NAME(registry_ukw_level_parse, registry_ukw_level_name, registry_ukw_level, UKW_LEVELS)
ENUM_BY_NAME(registry_dewan_pers_parse, registry_dewan_pers_name, registry_dewan_pers_status,
             DEWAN_PERS)
ENUM_BY_NAME(registry_doc_type_parse, registry_doc_type_name, registry_doc_type, DOC_TYPES)

bool registry_legal_form_allowed(registry_legal_form f, bool cv_allowed)
{
    switch (f) {
    case REGISTRY_LEGAL_FORM_PT:
    case REGISTRY_LEGAL_FORM_YAYASAN:
    case REGISTRY_LEGAL_FORM_KOPERASI: return true;
    case REGISTRY_LEGAL_FORM_CV: return cv_allowed;
    }
    return false;
}

/* ---- KBLI ---- */

const char *registry_kbli_for(registry_outlet_type t)
{
    return name_at((int)t, OUTLET_KBLI, COUNT(OUTLET_KBLI));
}

bool registry_kbli_matches(registry_outlet_type t, const char *kbli)
{
    const char *want = registry_kbli_for(t);
    return want && kbli && strcmp(want, kbli) == 0;
}

bool registry_kbli_any_matches(registry_outlet_type t, const char *const *codes, size_t n)
{
    if (!codes)
        return false;
    for (size_t i = 0; i < n; i++)
        if (registry_kbli_matches(t, codes[i]))
            return true;
    return false;
}

/* ---- dates ---- */

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (Howard Hinnant's
 * days_from_civil). */
static int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

static void civil_from_days(int32_t z, int *y, int *m, int *d)
{
    z += 719468;
    int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = (int)(z - era * 146097);
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400) + (*m <= 2);
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int DAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : DAYS[m - 1];
}

static bool take_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool registry_parse_date(const char *s, int32_t *out)
{
    int y, m, d;
    if (!s || !out || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    if (!take_digits(s, 4, &y) || !take_digits(s + 5, 2, &m) || !take_digits(s + 8, 2, &d))
        return false;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return false;
    *out = days_from_civil(y, m, d);
    return true;
}

#define DAYS_0001_01_01 (-719162)
#define DAYS_9999_12_31 2932896

bool registry_format_date(int32_t days, char out[static 11])
{
    out[0] = '\0';
    if (days < DAYS_0001_01_01 || days > DAYS_9999_12_31)
        return false;
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    const int parts[] = {y / 1000, y / 100 % 10, y / 10 % 10, y % 10, -1,
                         m / 10,   m % 10,       -1,          d / 10, d % 10};
    for (size_t i = 0; i < COUNT(parts); i++)
        out[i] = parts[i] < 0 ? '-' : (char)('0' + parts[i]);
    out[10] = '\0';
    return true;
}

bool registry_dates_valid(int32_t issue, int32_t expiry, int32_t today)
{
    return issue <= today && (expiry == 0 || expiry > issue);
}

/* ---- violations ---- */

/* Copy at most cap-1 bytes of `src`, backing off so that no UTF-8 sequence is
 * cut in two. */
static void copy_cut(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--; /* src[n] continues a sequence: drop the sequence it belongs to */
    }
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

bool registry_violation_add(registry_violations *v, const char *field, const char *code,
                            const char *description)
{
    if (!v || v->n >= REGISTRY_MAX_VIOLATIONS)
        return false;
    copy_cut(v->items[v->n].field, sizeof v->items[v->n].field, field);
    copy_cut(v->items[v->n].code, sizeof v->items[v->n].code, code);
    copy_cut(v->items[v->n].description, sizeof v->items[v->n].description, description);
    v->n++;
    return true;
}

/* ---- whole-record checks ---- */

/* Length of the valid UTF-8 sequence at `p` (1-4), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        return (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        unsigned lo = p[0] == 0xE0 ? 0xA0 : 0x80, hi = p[0] == 0xED ? 0x9F : 0xBF;
        return p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        unsigned lo = p[0] == 0xF0 ? 0x90 : 0x80, hi = p[0] == 0xF4 ? 0x8F : 0xBF;
        return p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80 ? 4 : 0;
    }
    return 0;
}

typedef enum { TEXT_OK, TEXT_MISSING, TEXT_TOO_LONG, TEXT_BAD } text_verdict;

/* Required free text: not NULL, not only blanks, at most `max` characters
 * (code points, as the user counts them), valid UTF-8 without control
 * characters. */
static text_verdict text_check(const char *s, size_t max)
{
    if (!s || s[strspn(s, " \t\r\n")] == '\0')
        return TEXT_MISSING;
    const unsigned char *p = (const unsigned char *)s;
    size_t chars = 0;
    while (*p) {
        if (*p < 0x20 || *p == 0x7F)
            return TEXT_BAD;
        size_t k = utf8_seq(p);
        if (k == 0)
            return TEXT_BAD;
        p += k;
        chars++;
    }
    return chars > max ? TEXT_TOO_LONG : TEXT_OK;
}

static bool blank(const char *s)
{
    return !s || s[strspn(s, " \t\r\n")] == '\0';
}

typedef struct {
    registry_violations *v;
    bool ok;
} checker;

static void fail(checker *c, const char *field, const char *code, const char *english)
{
    c->ok = false;
    registry_violation_add(c->v, field, code, english);
}

/* Required free text of at most `max` characters. */
static void check_text(checker *c, const char *field, const char *s, size_t max)
{
    char why[48];
    switch (text_check(s, max)) {
    case TEXT_OK: break;
    case TEXT_MISSING: fail(c, field, "required", "required"); break;
    case TEXT_TOO_LONG:
        snprintf(why, sizeof why, "at most %zu characters", max);
        fail(c, field, "too_long", why);
        break;
    case TEXT_BAD:
        fail(c, field, "text.invalid", "contains characters that are not allowed");
        break;
    }
}

/* A required number that may carry separators: normalised, then judged by
 * `rule`; `code` and `wrong` say what a number that breaks it is. */
static void check_number(checker *c, const char *field, const char *s, bool (*rule)(const char *),
                         const char *code, const char *wrong)
{
    char digits[32];
    if (blank(s))
        fail(c, field, "required", "required");
    else if (!registry_normalize_digits(s, digits, sizeof digits) || !rule(digits))
        fail(c, field, code, wrong);
}

static bool account_number_valid(const char *s)
{
    size_t n = strlen(s);
    return n >= 6 && n <= 20 && strspn(s, "0123456789") == n;
}

static bool kbli_code_valid(const char *s)
{
    return digits_exactly(s, 5);
}

static void check_kbli(checker *c, const char *const *codes, size_t n)
{
    if (n == 0 || !codes) {
        fail(c, "kbli", "required", "at least one KBLI code is required");
        return;
    }
    bool all_well_formed = true, press = false;
    for (size_t i = 0; i < n; i++) {
        if (!kbli_code_valid(codes[i])) {
            char field[32];
            snprintf(field, sizeof field, "kbli[%zu]", i);
            fail(c, field, "kbli.invalid", "a KBLI code is 5 digits");
            all_well_formed = false;
            continue;
        }
        for (int t = REGISTRY_OUTLET_CETAK; t <= REGISTRY_OUTLET_TV; t++)
            press = press || registry_kbli_matches((registry_outlet_type)t, codes[i]);
    }
    if (all_well_formed && !press)
        fail(c, "kbli", "kbli.no_press_code",
             "KBLI must include a press code: 58130, 63122, 60102 or 60202");
}

/* A date that is required, real, and not after `today`. */
static void check_past_date(checker *c, const char *field, const char *s, int32_t today)
{
    int32_t day;
    if (blank(s))
        fail(c, field, "required", "required");
    else if (!registry_parse_date(s, &day))
        fail(c, field, "date.invalid", "must be a real date, YYYY-MM-DD");
    else if (day > today)
        fail(c, field, "date.future", "cannot be in the future");
}

bool registry_check_company(const registry_company_input *in, int32_t today, bool cv_allowed,
                            registry_violations *v)
{
    checker c = {v, true};
    if (!in) {
        fail(&c, "company", "required", "company data is required");
        return false;
    }

    check_text(&c, "legalName", in->legal_name, 200);

    registry_legal_form form;
    if (blank(in->legal_form))
        fail(&c, "legalForm", "required", "required");
    else if (!registry_legal_form_parse(in->legal_form, &form))
        fail(&c, "legalForm", "legal_form.unknown", "must be PT, Yayasan, Koperasi or CV");
    else if (!registry_legal_form_allowed(form, cv_allowed))
        fail(&c, "legalForm", "legal_form.cv_not_allowed", "a CV may not register this year");

    check_number(&c, "npwp", in->npwp, registry_npwp_valid, "npwp.invalid",
                 "NPWP must be 15 or 16 digits");
    check_number(&c, "nib", in->nib, registry_nib_valid, "nib.invalid", "NIB must be 13 digits");
    check_kbli(&c, in->kbli, in->n_kbli);

    check_text(&c, "deedNumber", in->deed_number, 100);
    check_past_date(&c, "deedDate", in->deed_date, today);
    check_text(&c, "address", in->address, 500);

    check_number(&c, "bankAccount.accountNumber", in->bank_account_number, account_number_valid,
                 "bank_account.number_invalid", "account number must be 6 to 20 digits");
    check_text(&c, "bankAccount.holderName", in->bank_holder_name, 200);

    /* A PT exists by its ministry decree, and has a domicile letter. */
    registry_legal_form pt;
    if (registry_legal_form_parse(in->legal_form, &pt) && pt == REGISTRY_LEGAL_FORM_PT) {
        if (blank(in->sk_kemenkumham))
            fail(&c, "skKemenkumham", "legal_form.pt_needs_sk_kemenkumham",
                 "a PT needs its SK Kemenkumham number");
        else
            check_text(&c, "skKemenkumham", in->sk_kemenkumham, 100);
        if (blank(in->domicile_letter_number))
            fail(&c, "domicileLetterNumber", "legal_form.pt_needs_domicile_letter",
                 "a PT needs its domicile letter number");
        else
            check_text(&c, "domicileLetterNumber", in->domicile_letter_number, 100);
    }
    return c.ok;
}

bool registry_check_journalist(const char *nik, const char *name, const char *ukw_level,
                               const char *cert_number, const char *cert_expiry, int32_t today,
                               registry_violations *v)
{
    checker c = {v, true};
    check_number(&c, "nik", nik, registry_nik_valid, "nik.invalid", "NIK must be 16 digits");
    check_text(&c, "name", name, 200);

    registry_ukw_level level = REGISTRY_UKW_NONE;
    bool level_known = true;
    if (ukw_level && *ukw_level && !registry_ukw_level_parse(ukw_level, &level)) {
        level_known = false;
        fail(&c, "ukwLevel", "ukw.level_unknown", "UKW level must be Muda, Madya or Utama");
    }
    bool has_number = !blank(cert_number), has_expiry = !blank(cert_expiry);

    if (has_number)
        check_text(&c, "ukwCertificateNumber", cert_number, 100);
    else if (level_known && level != REGISTRY_UKW_NONE)
        fail(&c, "ukwCertificateNumber", "required", "required for a UKW level");

    int32_t expiry;
    if (has_expiry) {
        if (!registry_parse_date(cert_expiry, &expiry))
            fail(&c, "ukwCertificateExpiry", "date.invalid", "must be a real date, YYYY-MM-DD");
        else if (expiry < today)
            fail(&c, "ukwCertificateExpiry", "ukw.expired", "the UKW certificate has expired");
    } else if (level_known && level != REGISTRY_UKW_NONE) {
        fail(&c, "ukwCertificateExpiry", "required", "required for a UKW level");
    }

    if (level_known && level == REGISTRY_UKW_NONE && (has_number || has_expiry))
        fail(&c, "ukwLevel", "ukw.level_required", "required when a certificate is given");
    return c.ok;
}

/* ---- bank account ---- */

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static bool separator(char c)
{
    return c == ' ' || c == '.' || c == '-';
}

static bool same_digits(const char *a, const char *b)
{
    for (;;) {
        while (separator(*a))
            a++;
        while (separator(*b))
            b++;
        if (*a != *b)
            return false;
        if (!*a)
            return true;
        a++;
        b++;
    }
}

bool registry_bank_same(const registry_bank *a, const registry_bank *b)
{
    return strcmp(or_empty(a->bank_name), or_empty(b->bank_name)) == 0 &&
           strcmp(or_empty(a->holder_name), or_empty(b->holder_name)) == 0 &&
           same_digits(or_empty(a->account_number), or_empty(b->account_number));
}

bool registry_bank_change_allowed(const registry_bank *before, const registry_bank *after,
                                  bool by_partner, bool by_registrant_first_draft)
{
    return registry_bank_same(before, after) || by_partner || by_registrant_first_draft;
}

/* ---- submitting for a fiscal year ---- */

registry_submit_verdict registry_may_submit(const registry_year_rules *y, registry_legal_form form,
                                            int32_t today)
{
    if (!y || !y->opened)
        return REGISTRY_SUBMIT_YEAR_NOT_OPEN;
    if (today < y->opens_on)
        return REGISTRY_SUBMIT_NOT_YET_OPEN;
    if (today > y->closes_on)
        return REGISTRY_SUBMIT_CLOSED;
    if (y->final)
        return REGISTRY_SUBMIT_YEAR_FINAL;
    if (!registry_legal_form_allowed(form, y->cv_allowed))
        return REGISTRY_SUBMIT_CV_NOT_ALLOWED;
    return REGISTRY_SUBMIT_OK;
}

const char *registry_submit_code(registry_submit_verdict v)
{
    switch (v) {
    case REGISTRY_SUBMIT_OK: return "";
    case REGISTRY_SUBMIT_YEAR_NOT_OPEN: return "registration.year_not_open";
    case REGISTRY_SUBMIT_NOT_YET_OPEN: return "registration.not_yet_open";
    case REGISTRY_SUBMIT_CLOSED: return "registration.closed";
    case REGISTRY_SUBMIT_YEAR_FINAL: return "registration.year_final";
    case REGISTRY_SUBMIT_CV_NOT_ALLOWED: return "legal_form.cv_not_allowed";
    }
    return NULL;
}

/* ---- documents at upload and deletion ---- */

bool registry_doc_needs_person(registry_doc_type t)
{
    return t == REGISTRY_DOC_UKW || t == REGISTRY_DOC_PRESS_CARD;
}

bool registry_doc_expired(int32_t expiry, int32_t today)
{
    return expiry != 0 && expiry < today;
}

registry_delete_verdict registry_may_delete_document(bool company_editable, bool deleted,
                                                     const char *uploaded_by, const char *actor)
{
    if (deleted)
        return REGISTRY_DELETE_GONE;
    if (!company_editable)
        return REGISTRY_DELETE_NOT_EDITABLE;
    if (!uploaded_by || !uploaded_by[0] || !actor || strcmp(uploaded_by, actor) != 0)
        return REGISTRY_DELETE_NOT_UPLOADER;
    return REGISTRY_DELETE_OK;
}
