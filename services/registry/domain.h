/* domain.h - registry rules, pure: no I/O, no globals, no allocation.
 *
 * Everything here takes plain C values and caller-owned buffers; nothing keeps
 * a pointer it was given. Strings are NUL-terminated UTF-8 and a NULL string is
 * treated as missing (never dereferenced). Parsers return false and leave
 * `*out` untouched when the text is not one they know; enum names are matched
 * ASCII-case-insensitively and without surrounding blanks. Dates are days since
 * the Unix epoch (1970-01-01 = 0), as in verification/domain.h. */
#ifndef REGISTRY_DOMAIN_H
#define REGISTRY_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- identity numbers ---- */

/* NPWP: 15 digits (old format) or 16 digits (NIK-based, from 2024). The
 * caller strips punctuation first (registry_normalize_digits). */
bool registry_npwp_valid(const char *s);

/* One taxpayer, one NPWP: the 16-digit form of an old 15-digit NPWP is "0"
 * followed by the 15 digits (DJP, 2024), so both are the same number. Writes
 * the 16-digit form of `digits` (already normalised: digits only) to `out`.
 * False, with out = "", when `digits` is not a valid NPWP. */
bool registry_npwp_canonical(const char *digits, char out[17]);

/* NIB (Nomor Induk Berusaha): 13 digits. */
bool registry_nib_valid(const char *s);

/* NIK (national identity number): 16 digits. */
bool registry_nik_valid(const char *s);

/* Copy the digits of `in` to `out` (capacity `cap` bytes, NUL included),
 * dropping the separators people write: space, '.' and '-'
 * ("01.234.567.8-901.234" -> "012345678901234"). Returns false when `in` is
 * NULL, holds any other character, or the digits and the NUL do not fit in
 * `cap`; `out` is then the empty string (when cap > 0). Input with no digits
 * gives "" and true: the length rule of the number itself decides. */
bool registry_normalize_digits(const char *in, char *out, size_t cap);

/* ---- legal form of the company ---- */

typedef enum {
    REGISTRY_LEGAL_FORM_PT,
    REGISTRY_LEGAL_FORM_YAYASAN,
    REGISTRY_LEGAL_FORM_KOPERASI,
    REGISTRY_LEGAL_FORM_CV,
} registry_legal_form;

/* "PT", "Yayasan", "Koperasi", "CV" (any case). */
bool registry_legal_form_parse(const char *s, registry_legal_form *out);
/* "PT", "Yayasan", "Koperasi", "CV"; NULL for a value outside the enum. */
const char *registry_legal_form_name(registry_legal_form f);
/* PT, Yayasan and Koperasi always; CV only when the year's rule allows it.
 * False for a value outside the enum. */
bool registry_legal_form_allowed(registry_legal_form f, bool cv_allowed);

/* ---- outlets ---- */

typedef enum {
    REGISTRY_OUTLET_CETAK, /* print */
    REGISTRY_OUTLET_SIBER, /* online */
    REGISTRY_OUTLET_RADIO,
    REGISTRY_OUTLET_TV,
} registry_outlet_type;

/* "cetak", "siber", "radio", "tv" (any case). */
bool registry_outlet_type_parse(const char *s, registry_outlet_type *out);
/* "cetak", "siber", "radio", "tv"; NULL for a value outside the enum. */
const char *registry_outlet_type_name(registry_outlet_type t);

typedef enum {
    REGISTRY_SCALE_LOKAL,
    REGISTRY_SCALE_REGIONAL,
    REGISTRY_SCALE_NASIONAL,
} registry_scale;

/* "lokal", "regional", "nasional" (any case). */
bool registry_scale_parse(const char *s, registry_scale *out);
/* "lokal", "regional", "nasional"; NULL for a value outside the enum. */
const char *registry_scale_name(registry_scale s);

/* The KBLI code (5 digits) a company needs for an outlet of type `t`: 58130
 * print, 63122 online portal, 60102 radio, 60202 TV. NULL outside the enum. */
const char *registry_kbli_for(registry_outlet_type t);
/* True when `kbli` is exactly the code for `t` (no blanks, no punctuation).
 * False for NULL or a type outside the enum. */
bool registry_kbli_matches(registry_outlet_type t, const char *kbli);
/* True when any of the `n` codes matches `t`. NULL entries are skipped;
 * `codes` may be NULL only when n == 0 (then false). */
bool registry_kbli_any_matches(registry_outlet_type t, const char *const *codes, size_t n);

/* ---- people and press council ---- */

typedef enum {
    REGISTRY_UKW_NONE,
    REGISTRY_UKW_MUDA,
    REGISTRY_UKW_MADYA,
    REGISTRY_UKW_UTAMA,
} registry_ukw_level;

/* "none", "muda", "madya", "utama" (any case). */
bool registry_ukw_level_parse(const char *s, registry_ukw_level *out);
/* "none", "muda", "madya", "utama"; NULL for a value outside the enum. */
const char *registry_ukw_level_name(registry_ukw_level l);

typedef enum {
    REGISTRY_DEWAN_PERS_NONE,
    REGISTRY_DEWAN_PERS_ADMINISTRATIF, /* terverifikasi administratif */
    REGISTRY_DEWAN_PERS_FAKTUAL,       /* terverifikasi faktual */
} registry_dewan_pers_status;

/* "none", "administratif", "faktual" (any case). */
bool registry_dewan_pers_parse(const char *s, registry_dewan_pers_status *out);
/* "none", "administratif", "faktual"; NULL for a value outside the enum. */
const char *registry_dewan_pers_name(registry_dewan_pers_status s);

/* ---- dates ---- */

/* Parse exactly "YYYY-MM-DD" (10 characters, years 0001-9999, proleptic
 * Gregorian) into days since 1970-01-01. Refuses impossible dates
 * (2027-02-29, 2026-13-01, 2026-04-31), other layouts and trailing text. */
bool registry_parse_date(const char *s, int32_t *out);

/* Write `days` as "YYYY-MM-DD" into `out` (11 bytes with the NUL). Returns
 * false, leaving `out` empty, when the date is outside years 0001-9999. */
bool registry_format_date(int32_t days, char out[static 11]);

/* A document's dates make sense: issued no later than `today`, and its expiry
 * (0 = does not expire) strictly after its issue date. Whether it has expired
 * by now is a separate question (verification's). */
bool registry_dates_valid(int32_t issue, int32_t expiry, int32_t today);

/* Document files are judged by content with sk_file.h (common/). */

typedef enum {
    REGISTRY_DOC_AKTA,
    REGISTRY_DOC_SK_KEMENKUMHAM,
    REGISTRY_DOC_NIB,
    REGISTRY_DOC_NPWP,
    REGISTRY_DOC_DOMISILI,
    REGISTRY_DOC_DEWAN_PERS,
    REGISTRY_DOC_UKW,
    REGISTRY_DOC_PRESS_CARD,
    REGISTRY_DOC_OFFICE_PHOTO,
    REGISTRY_DOC_PAKTA_INTEGRITAS,
    REGISTRY_DOC_BANK_ACCOUNT,
    REGISTRY_DOC_OTHER,
} registry_doc_type;

/* The lower_snake names: "akta", "sk_kemenkumham", "nib", "npwp", "domisili",
 * "dewan_pers", "ukw", "press_card", "office_photo", "pakta_integritas",
 * "bank_account", "other" (any case). */
bool registry_doc_type_parse(const char *s, registry_doc_type *out);
/* The lower_snake name; NULL for a value outside the enum. */
const char *registry_doc_type_name(registry_doc_type t);

/* A UKW certificate and a press card are a journalist's: they name whose. */
bool registry_doc_needs_person(registry_doc_type t);

/* A document whose expiry (days since 1970-01-01; 0 = does not expire) is
 * before `today` is already expired: refused at upload, not stored to fail
 * its review later. A document valid through today is not. */
bool registry_doc_expired(int32_t expiry, int32_t today);

/* Deleting an uploaded document (one uploaded by mistake). Only whoever
 * uploaded it, only while the company is editable (a draft, or sent back
 * by verification), and once. The first rule broken wins, in enum order. */
typedef enum {
    REGISTRY_DELETE_OK = 0,
    REGISTRY_DELETE_GONE,         /* deleted already */
    REGISTRY_DELETE_NOT_EDITABLE, /* the company is under review or decided */
    REGISTRY_DELETE_NOT_UPLOADER, /* someone else's upload */
} registry_delete_verdict;

registry_delete_verdict registry_may_delete_document(bool company_editable, bool deleted,
                                                     const char *uploaded_by, const char *actor);

/* ---- bank account ---- */

/* Where a partner is paid. Strings may be NULL (= ""). */
typedef struct {
    const char *bank_name, *account_number, *holder_name;
} registry_bank;

/* The same account: bank and holder names equal byte for byte, account
 * numbers digit for digit (the separators space, '.' and '-' do not count;
 * anything else does). */
bool registry_bank_same(const registry_bank *a, const registry_bank *b);

/* Who changes a company's bank account. Payments follow it, so it is the
 * partner's own data: a change (registry_bank_same false) is allowed to the
 * company's partner account (`by_partner`), and to the staff member who
 * registered the company while it is still the first draft, never
 * submitted (`by_registrant_first_draft`: entering it is not changing a
 * partner's account). Staff are refused otherwise, whatever their role:
 * one person could else redirect a partner's payments. An unchanged
 * account is always allowed. */
bool registry_bank_change_allowed(const registry_bank *before, const registry_bank *after,
                                  bool by_partner, bool by_registrant_first_draft);

/* ---- field violations ---- */

#define REGISTRY_MAX_VIOLATIONS 16

/* What a handler turns into INVALID_ARGUMENT: each bad field named as the API
 * names it (lowerCamelCase, "bankAccount.holderName", "kbli[1]") with a
 * stable code ("required", "npwp.invalid": see sk_call_violation_code) and an
 * English description. Lives on the caller's stack; start it as {0}. */
typedef struct {
    struct {
        char field[64];
        char code[48];
        char description[160];
    } items[REGISTRY_MAX_VIOLATIONS];
    size_t n;
} registry_violations;

/* Record one violation; the strings are copied, cut to fit (at a UTF-8
 * character boundary). Keeps the first REGISTRY_MAX_VIOLATIONS and returns
 * false for any after them, or when `v` is NULL. A NULL string is taken as "". */
bool registry_violation_add(registry_violations *v, const char *field, const char *code,
                            const char *description);

/* A company as a request gives it: the caller owns every string and keeps them
 * alive during the call. Numbers may carry the usual separators. */
typedef struct {
    const char *legal_name;
    const char *legal_form;  /* "PT", "Yayasan", "Koperasi", "CV" */
    const char *npwp;        /* 15/16 digits, "01.234.567.8-901.234" accepted */
    const char *nib;         /* 13 digits */
    const char *const *kbli; /* n_kbli codes, 5 digits each */
    size_t n_kbli;
    bool pkp; /* VAT-registered; any value is valid */
    const char *deed_number;
    const char *deed_date; /* "YYYY-MM-DD" */
    const char *address;
    const char *bank_account_number; /* 6-20 digits, separators accepted */
    const char *bank_holder_name;
    const char *sk_kemenkumham;         /* required for a PT */
    const char *domicile_letter_number; /* required for a PT */
} registry_company_input;

/* Check a whole company and add one violation per bad field to `v` (fields:
 * legalName, legalForm, npwp, nib, kbli / kbli[i], deedNumber, deedDate,
 * address, bankAccount.accountNumber, bankAccount.holderName, and for a PT
 * skKemenkumham and domicileLetterNumber: a PT exists by its ministry decree
 * and has a domicile letter). NPWP, NIB and account
 * number are normalised before their length rule. KBLI: at least one code, each
 * 5 digits, and at least one of the four press codes (whether it matches a
 * given outlet is checked with the outlet). The deed is not dated after
 * `today`. Text fields are required, valid UTF-8 without control characters,
 * and bounded (name 200, deed number 100, address 500, holder 200 characters).
 * Returns true when nothing was added. */
bool registry_check_company(const registry_company_input *in, int32_t today, bool cv_allowed,
                            registry_violations *v);

/* Check a journalist (fields: nik, name, ukwLevel, ukwCertificateNumber,
 * ukwCertificateExpiry). `ukw_level` NULL or "" means none. A level other than
 * none needs a certificate number and an expiry that has not passed by `today`
 * (a certificate expiring today still counts); a certificate without a level is
 * refused on ukwLevel. Returns true when nothing was added to `v`. */
bool registry_check_journalist(const char *nik, const char *name, const char *ukw_level,
                               const char *cert_number, const char *cert_expiry, int32_t today,
                               registry_violations *v);

/* ---- submitting for a fiscal year ---- */

/* What the registry knows of a fiscal year from verification's events. */
typedef struct {
    bool opened;         /* verification.year.opened seen */
    int32_t opens_on;    /* registration window, both days included (WIB) */
    int32_t closes_on;
    bool cv_allowed;
    bool final;          /* the year's partner list is final */
} registry_year_rules;

typedef enum {
    REGISTRY_SUBMIT_OK = 0,
    REGISTRY_SUBMIT_YEAR_NOT_OPEN, /* the year was never opened */
    REGISTRY_SUBMIT_NOT_YET_OPEN,  /* before the window */
    REGISTRY_SUBMIT_CLOSED,        /* after the window */
    REGISTRY_SUBMIT_YEAR_FINAL,    /* the list is final: nobody joins it now */
    REGISTRY_SUBMIT_CV_NOT_ALLOWED,
} registry_submit_verdict;

/* Whether a company of legal form `form` may submit for the year on `today`
 * (days since 1970-01-01, WIB). The first rule broken wins, in the order of
 * the enum. NULL `y` is a year never opened. */
registry_submit_verdict registry_may_submit(const registry_year_rules *y, registry_legal_form form,
                                            int32_t today);

/* The verdict's stable code: "registration.year_not_open",
 * "registration.not_yet_open", "registration.closed", "registration.year_final",
 * "legal_form.cv_not_allowed"; "" for OK, NULL outside the enum. */
const char *registry_submit_code(registry_submit_verdict v);

#endif
