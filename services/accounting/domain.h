/* domain.h - accounting rules, pure: no I/O, no globals. Amounts are whole
 * rupiah in int64_t.
 *
 * Budget lines (DPA) are identified by SIPD's codes; their figures (pagu,
 * committed, realised, available) are never stored but derived from the
 * balances of the line's three ledger accounts (docs/adr/0013):
 *
 *   appropriation --(pagu set or raised)--> available --(reservation)--> realised
 *
 * so pagu = appropriation's net debit, committed = available's pending
 * debits, realised = realised's net posted credit, and available = what is
 * left of the pagu. Then the payment rules (issue 13): the tax engine of a
 * year's table, the faktur number, the invoice's fields, the order of SIPD's
 * payment documents, the supporting-document checklist by value, dates and
 * aging. Everything takes caller-owned structs and buffers and keeps no
 * pointer it was given. */
#ifndef ACCOUNTING_DOMAIN_H
#define ACCOUNTING_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest amount anywhere in accounting: Rp 10 triliun (the limits table's
 * MONEY). Sums of a few million such amounts stay inside int64_t. */
#define ACCOUNTING_MONEY_MAX 10000000000000LL

/* ---- field violations ---- */

#define ACCOUNTING_MAX_VIOLATIONS 8

/* What a handler turns into INVALID_ARGUMENT or FAILED_PRECONDITION: each bad
 * field named as the API names it ("line.accountCode", "newPagu"), with a
 * stable code ("required", "faktur.digits": the web UI's catalogues hold its
 * words) and an English description with the limit in it ("at most 2000
 * characters"). Lives on the caller's stack; start it as {0}. */
typedef struct accounting_violations {
    struct {
        char field[48];
        char code[48];
        char description[200];
    } items[ACCOUNTING_MAX_VIOLATIONS];
    size_t n;
} accounting_violations;

/* Record one violation (strings copied, cut to fit). Keeps the first
 * ACCOUNTING_MAX_VIOLATIONS; always returns false, so a rule can
 * `return accounting_violation(...)`. */
bool accounting_violation(accounting_violations *v, const char *field, const char *code,
                          const char *description);

/* ---- codes ---- */

/* "x.xx.xx.x.xx.xxxx" / "x.x.xx.xx.xx.xxxx" and a NUL. */
#define ACCOUNTING_CODE_SIZE 18

/* A sub-activity (sub kegiatan) code as SIPD writes it: 12 digits grouped
 * x.xx.xx.x.xx.xxxx ("2.16.02.1.01.0001"; urusan, bidang, program,
 * kegiatan, sub kegiatan). Accepts that form or the 12 digits without dots,
 * with blanks around; writes the dotted form to `out`. False for anything
 * else (out is then ""). */
bool accounting_sub_activity_code(const char *in, char out[ACCOUNTING_CODE_SIZE]);

/* A spending account (rekening belanja, Permendagri 90/2019): 12 digits
 * grouped x.x.xx.xx.xx.xxxx ("5.1.02.02.01.0029": akun 5 belanja, kelompok,
 * jenis, objek, rincian objek, sub rincian objek). Same forms as above; the
 * first digit must be 5, since a budget line pays for something. */
bool accounting_account_code(const char *in, char out[ACCOUNTING_CODE_SIZE]);

/* ---- text ---- */

/* Copy `in` without blanks around it to `out` (`cap` bytes) when it is
 * min..max characters (code points) long after trimming, valid UTF-8, and
 * has no control characters (line breaks and tabs allowed when `multiline`).
 * False otherwise (out is then ""). Limits are characters, as users see
 * them; ACCOUNTING_TEXT_SIZE(max) bytes hold any text within `max`. */
bool accounting_text(const char *in, size_t min, size_t max, bool multiline, char *out,
                     size_t cap);

/* The same, naming `field` in `v` when `in` is not acceptable: "required"
 * (blank, min > 0), "too_long" ("at most <max> characters") or
 * "text.invalid". */
bool accounting_text_check(const char *in, size_t min, size_t max, bool multiline, char *out,
                           size_t cap, const char *field, accounting_violations *v);

/* Bytes that hold `max` characters of UTF-8 and the terminating NUL. */
#define ACCOUNTING_TEXT_SIZE(max) (4 * (max) + 1)

/* Text limits, in characters. */
#define ACCOUNTING_NAME_MAX 250      /* a DPA line's name */
#define ACCOUNTING_DOCUMENT_MAX 100  /* a DPA/DPPA document number */
#define ACCOUNTING_REASON_MAX 2000   /* why a pagu changed or a reservation was released */
#define ACCOUNTING_ORDER_NUMBER_MAX 64

/* A budget line as a request gives it (the caller owns the strings). */
typedef struct accounting_line_input {
    int fiscal_year;
    const char *sub_activity_code;
    const char *account_code;
    const char *name;
} accounting_line_input;

/* The same, checked and normalised. */
typedef struct accounting_line {
    int fiscal_year;
    char sub_activity_code[ACCOUNTING_CODE_SIZE];
    char account_code[ACCOUNTING_CODE_SIZE];
    char name[ACCOUNTING_TEXT_SIZE(ACCOUNTING_NAME_MAX)];
} accounting_line;

/* Check a new line and its initial pagu; fields line.fiscalYear (2000..2100),
 * line.subActivityCode, line.accountCode, line.name (1..250 characters), pagu
 * (0..ACCOUNTING_MONEY_MAX) and documentNumber (optional, <= 100 characters; its
 * trimmed form goes to `document`, ACCOUNTING_TEXT_SIZE(ACCOUNTING_DOCUMENT_MAX) bytes). Every
 * bad field is named. True when none is. */
bool accounting_check_line(const accounting_line_input *in, int64_t pagu, const char *document_number,
                           accounting_line *out, char *document, accounting_violations *v);

/* ---- balances ---- */

/* One ledger account's four balances (all >= 0). */
typedef struct accounting_account_balances {
    int64_t debits_pending, debits_posted, credits_pending, credits_posted;
} accounting_account_balances;

/* A line's figures. */
typedef struct accounting_balances {
    int64_t pagu, committed, realised, available;
} accounting_balances;

/* Derive a line's figures from its three accounts (see the top of this
 * file). False when the balances cannot come from a sound ledger: a negative
 * balance, a pagu below zero, pending credits on the appropriation, or money
 * committed or realised beyond the pagu; `out` is then zero. */
bool accounting_line_balances(const accounting_account_balances *appropriation,
                              const accounting_account_balances *available,
                              const accounting_account_balances *realised,
                              accounting_balances *out);

/* Add `b` to `sum`; false (sum untouched) when a figure would overflow. */
bool accounting_balances_add(accounting_balances *sum, const accounting_balances *b);

/* "Rp 1.900.000.000" (and "-Rp 5" below zero), cut to `cap` bytes: the
 * amounts in a refusal's words. */
void accounting_rupiah(int64_t amount, char *out, size_t cap);

/* ---- revisions ---- */

typedef enum {
    ACCOUNTING_REVISION_INITIAL = 1,    /* the DPA as first set */
    ACCOUNTING_REVISION_PERGESERAN = 2, /* a shift between lines within the DPA */
    ACCOUNTING_REVISION_PERUBAHAN = 3,  /* the changed APBD (P-APBD) */
} accounting_revision_kind;

/* "initial", "pergeseran", "perubahan"; NULL outside the enum. */
const char *accounting_revision_kind_name(int kind);
/* The inverse; 0 for an unknown name. */
int accounting_revision_kind_parse(const char *name);

/* How a revision moves money: `amount` from appropriation to available when
 * `raise`, the other way when not. */
typedef struct accounting_pagu_move {
    bool raise;
    int64_t amount;
} accounting_pagu_move;

typedef enum {
    ACCOUNTING_REVISION_OK = 0,
    ACCOUNTING_REVISION_INVALID, /* the request itself is wrong: INVALID_ARGUMENT */
    ACCOUNTING_REVISION_REFUSED, /* well formed, but the line's figures forbid it */
} accounting_revision_verdict;

/* May a line with figures `now` get the pagu `new_pagu` by a revision of
 * `kind`? INVALID names kind (PERGESERAN or PERUBAHAN: the initial pagu comes
 * with the line), newPagu (0..ACCOUNTING_MONEY_MAX), reason (required, <= 2000
 * characters) and documentNumber (required, <= 100 characters). Only a well-formed
 * request is judged against the line: REFUSED names newPagu when it equals
 * the pagu or drops below committed + realised. On OK `move` says which way
 * the money goes, and the trimmed texts are in `reason_out` (TEXT_SIZE(REASON_MAX))
 * and `document_out` (TEXT_SIZE(DOCUMENT_MAX)). */
accounting_revision_verdict accounting_check_revision(int kind, int64_t new_pagu,
                                                      const char *reason,
                                                      const char *document_number,
                                                      const accounting_balances *now,
                                                      accounting_pagu_move *move,
                                                      char *reason_out, char *document_out,
                                                      accounting_violations *v);

/* ---- reservations ---- */

/* A reservation's amount is 1..ACCOUNTING_MONEY_MAX (field "amount"). */
bool accounting_check_amount(int64_t amount, accounting_violations *v);

/* ---- dates ---- */

/* "YYYY-MM-DD", a real calendar date in 2000..2100: its day number (days
 * since 1970-01-01) to *days. False for anything else. */
bool accounting_date_parse(const char *s, int32_t *days);

/* An RFC 3339 time ("2027-03-05T17:30:00Z", fractions and a +hh:mm offset
 * allowed) as the day it was in WIB (UTC+7): how ordering's times become
 * the dates an invoice is checked against. False when it is no such time. */
bool accounting_wib_day(const char *rfc3339, int32_t *day);

/* Day number -> "YYYY-MM-DD" (11 bytes with the NUL). */
void accounting_date_format(int32_t days, char out[11]);

/* The year of a day number. */
int accounting_date_year(int32_t days);

/* PPh 23 withheld on `paid` (a day number) is due by the 15th of the next
 * month (PMK 81/2024, as PMK 242/2014 before it): that day's number. */
int32_t accounting_pph23_due(int32_t paid);

/* ---- the tax table (one per fiscal year, draft -> published) ---- */

/* How an amount with a fraction of a rupiah becomes whole rupiah. Every
 * computation names the rule it used. */
typedef enum {
    ACCOUNTING_ROUND_HALF_UP = 1,   /* ,5 and above up */
    ACCOUNTING_ROUND_HALF_EVEN = 2, /* ,5 to the even rupiah (banker's) */
    ACCOUNTING_ROUND_DOWN = 3,      /* the fraction dropped */
} accounting_rounding;

/* "half_up", "half_even", "down"; NULL outside the enum. */
const char *accounting_rounding_name(int rule);
int accounting_rounding_parse(const char *name); /* 0 when unknown */

/* The year's rules. Rates are basis points (1/100 of a percent). PPN is
 * ppn_bp of a DPP of dpp_num/dpp_den of the price before VAT (PMK 131/2024:
 * 1200 bp of 11/12 since 2025; before, 1100 bp of 1/1): both give an
 * effective 11%, from which a VAT-inclusive price is split. */
typedef struct accounting_tax_table {
    int fiscal_year;
    int32_t pph23_bp;           /* 200: 2% (PMK 141/2015 art. 1(6) t and ae) */
    int32_t no_npwp_uplift_pct; /* 100: 100% higher without an NPWP (UU PPh art. 23(1a)) */
    int32_t ppn_bp;             /* 1200 */
    int32_t dpp_num, dpp_den;   /* 11, 12 */
    int64_t wapu_threshold;     /* 2.000.000: collected only above it, before VAT */
    int rounding;               /* accounting_rounding */
} accounting_tax_table;

/* What the regulations say for `year`: from 2025 PPN 12% of 11/12, before
 * 11% of 1/1; PPh 23 2%, 100% higher without NPWP; the WAPU threshold
 * Rp 2.000.000. No regulation fixes how a computed fraction of a rupiah
 * goes for a VAT-inclusive price: the default is half up (the split of
 * Rp 1.000.000 then adds up again); finance may choose otherwise. */
void accounting_tax_table_default(int year, accounting_tax_table *out);

/* Name every field out of range: table.fiscalYear (2000..2100),
 * table.pph23RateBp (0..10000), table.noNpwpUpliftPercent (0..1000, and the
 * uplifted rate at most 100%), table.ppnRateBp (0..10000),
 * table.dppFactorNumerator / Denominator (1..1000, numerator <= denominator),
 * table.wapuThreshold (0..ACCOUNTING_MONEY_MAX), table.rounding. */
bool accounting_check_tax_table(const accounting_tax_table *t, accounting_violations *v);

typedef struct accounting_tax_input {
    int64_t gross;  /* what the orders cost, VAT included: 0..ACCOUNTING_MONEY_MAX */
    bool pkp;       /* the partner is VAT-registered */
    bool has_npwp;
} accounting_tax_input;

/* One computation, every line of it. gross = net + pph23 + ppn_collected. */
typedef struct accounting_tax_lines {
    int64_t gross;
    int64_t price_before_vat; /* PKP: gross / (1 + ppn x dpp factor); else gross */
    int64_t dpp_other;        /* PKP: the DPP nilai lain, price x factor; else 0 */
    int64_t ppn;              /* PKP: ppn rate x DPP; else 0 */
    bool wapu;                /* the treasurer collects the PPN (price above the threshold) */
    int64_t ppn_collected;    /* ppn when wapu, else 0 (the partner remits it itself) */
    int64_t pph23_base;       /* the price before VAT */
    int32_t pph23_bp;         /* the rate applied, uplifted without NPWP (rounded to a bp) */
    int64_t pph23;            /* withheld */
    int64_t net;              /* transferred to the partner */
} accounting_tax_lines;

/* Compute with exact integer arithmetic (128-bit intermediates), rounding
 * each line to whole rupiah by the table's rule: the price before VAT, the
 * DPP, the PPN, PPh 23. Whether the PPN is collected is judged on the price
 * before VAT as rounded and printed: above the threshold, not at it. False
 * (out zeroed) for a table accounting_check_tax_table refuses, a gross out
 * of range, or (only with absurd tables) a negative net. */
bool accounting_compute_tax(const accounting_tax_table *t, const accounting_tax_input *in,
                            accounting_tax_lines *out);

/* ---- the faktur pajak number ---- */

/* 17 digits (Coretax, PER-11/PJ/2025 art. 37: transaction code 2, status 2,
 * serial 13 of which the first 2 are the year) or 16 (e-Faktur before 2025:
 * code 2, status 1, serial 13 as branch 3, year 2, number 8); dots, dashes
 * and blanks between digits are dropped. */
#define ACCOUNTING_FAKTUR_SIZE 18

typedef enum {
    ACCOUNTING_FAKTUR_OK = 0,
    ACCOUNTING_FAKTUR_SHAPE,  /* not 16 or 17 digits */
    ACCOUNTING_FAKTUR_CODE,   /* transaction code not 02 (to a government collector) */
    ACCOUNTING_FAKTUR_STATUS, /* status neither normal nor replacement */
    ACCOUNTING_FAKTUR_YEAR,   /* the serial's year is not the invoice's */
} accounting_faktur_verdict;

/* Judge `in` for an invoice dated in `year`: its digits to `out` when OK
 * ("" otherwise). 17 digits from 2025 on, 16 before. */
accounting_faktur_verdict accounting_faktur_number(const char *in, int year,
                                                   char out[ACCOUNTING_FAKTUR_SIZE]);

/* ---- invoices ---- */

#define ACCOUNTING_INVOICE_NUMBER_MAX 64
#define ACCOUNTING_PERSON_MAX 200     /* who signs the kuitansi: the company's head */
#define ACCOUNTING_BRANCH_MAX 100     /* the bank's branch */
#define ACCOUNTING_INVOICE_ORDERS_MAX 50
#define ACCOUNTING_FILE_MAX (10u * 1024 * 1024)
#define ACCOUNTING_FILE_NAME_MAX 200
#define ACCOUNTING_PURPOSE_MAX 500    /* the SPP's uraian */
#define ACCOUNTING_STEP_NUMBER_MAX 100

typedef enum {
    ACCOUNTING_INVOICE_SUBMITTED = 1,    /* waits for finance */
    ACCOUNTING_INVOICE_RETURNED = 2,     /* final: the orders may be invoiced again */
    ACCOUNTING_INVOICE_ACCEPTED = 3,     /* checked, taxes computed */
    ACCOUNTING_INVOICE_SPP = 4,          /* SPP-LS made by the bendahara pengeluaran */
    ACCOUNTING_INVOICE_SPP_VERIFIED = 5, /* checked by the PPK-SKPD */
    ACCOUNTING_INVOICE_SPM = 6,          /* SPM-LS issued by the PA/KPA */
    ACCOUNTING_INVOICE_PAID = 7,         /* SP2D issued by the Kuasa BUD: final */
} accounting_invoice_state;

typedef enum {
    ACCOUNTING_STEP_SPP = 1,
    ACCOUNTING_STEP_SPP_VERIFIED = 2,
    ACCOUNTING_STEP_SPM = 3,
    ACCOUNTING_STEP_SP2D = 4,
} accounting_payment_step;

const char *accounting_invoice_state_name(int state); /* "submitted", ...; NULL outside */
int accounting_invoice_state_parse(const char *name);
const char *accounting_step_name(int step);            /* "spp", "spp_verified", "spm", "sp2d" */
int accounting_step_parse(const char *name);

/* The state `step` moves an invoice to, when the invoice is in the state
 * right before it (ACCEPTED for SPP, SPP for its check, ...); 0 when the
 * step is not the next one: steps are never skipped or repeated. */
int accounting_step_next(int state, int step);

/* The step that put an invoice in `state` (the one a cancellation undoes)
 * and the state before it; 0 when there is none to undo (before SPP, and
 * after SP2D, which is final). */
int accounting_step_last(int state, int *previous_state);

/* A step's own input: SPP, SPM and SP2D carry SIPD's number (1..100 characters),
 * the PPK's check may; every step a date, not before `not_before` (the
 * previous step's, or the invoice's, day number) and not after `today`.
 * Names step, number, date. The trimmed number to number_out
 * (ACCOUNTING_TEXT_SIZE(ACCOUNTING_STEP_NUMBER_MAX)), the date's day number to *day. */
bool accounting_check_step(int step, const char *number, const char *date, int32_t not_before,
                           int32_t today, char *number_out, int32_t *day,
                           accounting_violations *v);

/* The purpose (uraian) finance gives when accepting an invoice, which the
 * SPP carries: 1..500 characters, one line; the trimmed text to `out`
 * (ACCOUNTING_TEXT_SIZE(ACCOUNTING_PURPOSE_MAX)). Names "purpose". */
bool accounting_check_purpose(const char *purpose, char *out, accounting_violations *v);

/* What a partner gives with an invoice (the caller owns the strings). */
typedef struct accounting_invoice_input {
    const char *number;        /* the partner's own invoice number */
    const char *date;          /* "YYYY-MM-DD" */
    const char *faktur_number; /* PKP only */
    const char *signatory;     /* who signs the kuitansi: the company's head */
    const char *bank_branch;   /* optional */
    const char *const *order_ids;
    size_t n_orders;
} accounting_invoice_input;

typedef struct accounting_invoice {
    char number[ACCOUNTING_TEXT_SIZE(ACCOUNTING_INVOICE_NUMBER_MAX)];
    int32_t date;
    char faktur_number[ACCOUNTING_FAKTUR_SIZE];
    char signatory[ACCOUNTING_TEXT_SIZE(ACCOUNTING_PERSON_MAX)];
    char bank_branch[ACCOUNTING_TEXT_SIZE(ACCOUNTING_BRANCH_MAX)];
} accounting_invoice;

/* Check the invoice's own fields for a partner that is (not) PKP, on
 * `today`: invoice.number, invoice.date (a date, not after today),
 * invoice.fakturNumber (required and well formed for a PKP partner, the
 * year of the invoice's date; empty otherwise), invoice.signatoryName,
 * invoice.bankBranch, invoice.orderIds (1..50, each a UUID — `uuid_ok`
 * judges — and each once). */
bool accounting_check_invoice(const accounting_invoice_input *in, bool pkp, int32_t today,
                              bool (*uuid_ok)(const char *), accounting_invoice *out,
                              accounting_violations *v);

/* ---- supporting documents by value ---- */

typedef enum {
    ACCOUNTING_DOC_PROOF_OF_PURCHASE = 1, /* bukti pembelian / nota */
    ACCOUNTING_DOC_KUITANSI = 2,
    ACCOUNTING_DOC_SPK = 3,               /* surat perintah kerja */
    ACCOUNTING_DOC_AGREEMENT = 4,         /* surat perjanjian */
} accounting_document_kind;
#define ACCOUNTING_DOC_KINDS 4

const char *accounting_document_kind_name(int kind); /* "proof_of_purchase", ... */
int accounting_document_kind_parse(const char *name);

/* A kind is required for an invoice whose gross is above `above` and at
 * most `up_to` (0: no upper bound). A kind without a rule is never
 * required. */
typedef struct accounting_document_rule {
    int kind;
    int64_t above;
    int64_t up_to;
} accounting_document_rule;

/* Perpres 16/2018 as amended by Perpres 12/2021, art. 27, read as a
 * checklist: proof of purchase up to Rp 10 juta, SPK above Rp 50 juta up to
 * Rp 200 juta, an agreement above Rp 200 juta; the kuitansi always (it is
 * what the treasurer pays against). Four rules to `out`. */
void accounting_document_rules_default(accounting_document_rule out[ACCOUNTING_DOC_KINDS]);

/* Each rule's kind known and once, 0 <= above < up_to (or up_to 0), amounts
 * within ACCOUNTING_MONEY_MAX: rules[i].kind / .above / .upTo named. */
bool accounting_check_document_rules(const accounting_document_rule *rules, size_t n,
                                     accounting_violations *v);

bool accounting_document_required(const accounting_document_rule *rules, size_t n, int kind,
                                  int64_t gross);

/* ---- aging ---- */

/* 0: 0-30 days, 1: 31-60, 2: 61-90, 3: more than 90 (negative days: 0). */
int accounting_aging_bucket(int32_t days);

#endif
