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
 * left of the pagu. Everything takes caller-owned structs and buffers and
 * keeps no pointer it was given. */
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
 * description in Bahasa Indonesia and English in parentheses. Lives on the
 * caller's stack; start it as {0}. */
typedef struct accounting_violations {
    struct {
        char field[48];
        char description[200];
    } items[ACCOUNTING_MAX_VIOLATIONS];
    size_t n;
} accounting_violations;

/* Record one violation (strings copied, cut to fit). Keeps the first
 * ACCOUNTING_MAX_VIOLATIONS; always returns false, so a rule can
 * `return accounting_violation(...)`. */
bool accounting_violation(accounting_violations *v, const char *field, const char *description);

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
 * min..max bytes long after trimming, valid UTF-8, and has no control
 * characters (line breaks and tabs allowed when `multiline`). False
 * otherwise (out is then ""). */
bool accounting_text(const char *in, size_t min, size_t max, bool multiline, char *out,
                     size_t cap);

#define ACCOUNTING_NAME_MAX 250      /* a DPA line's name, bytes */
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
    char name[ACCOUNTING_NAME_MAX + 1];
} accounting_line;

/* Check a new line and its initial pagu; fields line.fiscalYear (2000..2100),
 * line.subActivityCode, line.accountCode, line.name (1..250 bytes), pagu
 * (0..ACCOUNTING_MONEY_MAX) and documentNumber (optional, <= 100 bytes; its
 * trimmed form goes to `document`, ACCOUNTING_DOCUMENT_MAX + 1 bytes). Every
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
 * bytes) and documentNumber (required, <= 100 bytes). Only a well-formed
 * request is judged against the line: REFUSED names newPagu when it equals
 * the pagu or drops below committed + realised. On OK `move` says which way
 * the money goes, and the trimmed texts are in `reason_out` (REASON_MAX + 1)
 * and `document_out` (DOCUMENT_MAX + 1). */
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

/* ---- taxes (issue 13 builds on them) ---- */

/* Tax rates in basis points (1/100 of a percent): PPh 23 is 200, PPN 1100. */
typedef struct accounting_tax_rates {
    int32_t pph23_bp;
    int32_t ppn_bp;
} accounting_tax_rates;

typedef struct accounting_taxes {
    int64_t base;   /* dasar pengenaan pajak */
    int64_t ppn;    /* collected by the treasurer when the partner is PKP */
    int64_t pph23;  /* withheld */
    int64_t net;    /* paid to the partner: amount - ppn - pph23 */
} accounting_taxes;

/* Order prices include VAT: for a PKP partner the base is amount x 100/111
 * (with PPN at 11%), otherwise the amount itself. The base is rounded half up
 * to whole rupiah; PPN is the rest of the price (amount - base), so base and
 * PPN always add up to the price; PPh 23 is rounded half up from the base.
 * Returns false for a negative amount or rates out of range. */
bool accounting_compute_taxes(int64_t amount, bool pkp, const accounting_tax_rates *rates,
                              accounting_taxes *out);

#endif
