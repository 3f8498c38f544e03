/* store.h - SQL for the accounting schema; the only file that talks to it.
 * Statements are constants with $n parameters, never built from values.
 *
 * Money moves only through accounting.apply_transfer (migration 0002), which
 * the database guards: balance limits are CHECK constraints, transfers are
 * immutable. Reads of several rows return the PGresult (caller PQclear()s)
 * with the columns named by the enums below. */
#ifndef ACCOUNTING_STORE_H
#define ACCOUNTING_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "domain.h"
#include "sk_db.h"
#include "sk_id.h"

/* A line's three accounts, in this order everywhere. */
enum { ACCT_APPROPRIATION, ACCT_AVAILABLE, ACCT_REALISED, ACCT_PER_LINE };

/* A budget line with the balances of its accounts. */
typedef struct accounting_line_row {
    char id[SK_UUID_STRLEN];
    accounting_line line;
    int64_t version;
    char created_at[40];
    char created_by[130];
    char account_id[ACCT_PER_LINE][SK_UUID_STRLEN];
    accounting_account_balances accounts[ACCT_PER_LINE];
} accounting_line_row;

/* Insert the line and its three accounts (ids chosen here; the limits of
 * each kind set). SK_EEXISTS when the year has a line with the same codes. */
int accounting_store_insert_line(sk_db *db, const char *id, const accounting_line *line,
                                 const char *by, accounting_line_row *out);

/* Load one line; with `lock`, the line's row and its available account are
 * locked to the end of the transaction: every change of a line's money
 * (revision, reservation, posting, voiding) takes this lock first, so they
 * apply one at a time and see each other's balances. SK_ENOTFOUND. */
int accounting_store_load_line(sk_db *db, const char *id, bool lock, accounting_line_row *out);

/* Every line of `year`, by codes: the rows for accounting_store_line_at. */
int accounting_store_list_lines(sk_db *db, int year, PGresult **res);
void accounting_store_line_at(PGresult *res, int row, accounting_line_row *out);

/* version + 1 of a locked line; the new version in *version. */
int accounting_store_bump_version(sk_db *db, const char *line_id, int64_t *version);

/* ---- revisions ---- */

typedef struct accounting_revision_in {
    const char *id, *budget_line_id;
    int64_t seq;
    int kind; /* accounting_revision_kind */
    int64_t pagu_before, pagu_after;
    const char *reason, *document_number;
    const char *transfer_id; /* NULL when no money moved */
    const char *by;
} accounting_revision_in;

/* Insert; the revision's time goes to `revised_at` (40 bytes). */
int accounting_store_insert_revision(sk_db *db, const accounting_revision_in *r, char *revised_at);

enum {
    RV_ID, RV_LINE, RV_KIND, RV_BEFORE, RV_AFTER, RV_REASON, RV_DOCUMENT, RV_AT, RV_BY,
    RV_TRANSFER
};
/* A line's revisions, oldest first. */
int accounting_store_revisions(sk_db *db, const char *line_id, PGresult **res);

/* ---- transfers ---- */

typedef struct accounting_transfer_in {
    const char *id;
    const char *debit, *credit; /* NULL for a post or void: the pending one's */
    int64_t amount;             /* 0 for a post or void: the pending one's */
    const char *kind;           /* "single", "pending", "post_pending", "void_pending" */
    const char *pending_id;     /* post and void only */
    const char *code, *reference, *memo, *by;
} accounting_transfer_in;

/* accounting.apply_transfer: *replayed when a transfer with this id and the
 * same fields was applied before (nothing changed). SK_EPRECOND when a
 * balance limit refuses it, SK_EEXISTS for the id with other fields or a
 * pending transfer completed already. */
int accounting_store_apply(sk_db *db, const accounting_transfer_in *t, bool *replayed);

enum {
    TR_ID, TR_DEBIT, TR_CREDIT, TR_AMOUNT, TR_KIND, TR_PENDING, TR_CODE, TR_REFERENCE, TR_MEMO,
    TR_AT, TR_BY, TR_SEQ
};
/* A page of transfers touching the line's accounts (line_id) or belonging
 * to `reference`, in the order applied, after seq `after`; up to `limit`. */
int accounting_store_list_transfers(sk_db *db, const char *line_id, const char *reference,
                                    int64_t after, int limit, PGresult **res);

enum {
    AC_ID, AC_CODE, AC_KIND, AC_LINE, AC_COMPANY, AC_DP, AC_DPO, AC_CP, AC_CPO, AC_DLIMIT,
    AC_CLIMIT
};
/* The accounts of a line (line_id, may be NULL) and those named in `ids`, a
 * PostgreSQL array literal of UUIDs ("{id,id}"), each once. */
int accounting_store_accounts(sk_db *db, const char *line_id, const char *ids, PGresult **res);

/* ---- reservations ---- */

/* Serialise every call about one order (a transaction-scoped advisory lock):
 * the second of two concurrent Reserve calls waits and sees the first. */
int accounting_store_lock_order(sk_db *db, const char *order_id);

typedef struct accounting_reservation_row {
    char order_id[SK_UUID_STRLEN];
    char budget_line_id[SK_UUID_STRLEN];
    int64_t amount;
    char order_number[ACCOUNTING_TEXT_SIZE(ACCOUNTING_ORDER_NUMBER_MAX)];
    int state; /* seklik.accounting.ReservationState */
    char transfer_id[SK_UUID_STRLEN];
    char completed_by_transfer_id[SK_UUID_STRLEN];
    char reason[ACCOUNTING_TEXT_SIZE(ACCOUNTING_REASON_MAX)];
    char created_at[40];
    char completed_at[40];
} accounting_reservation_row;

/* SK_ENOTFOUND when the order has none. */
int accounting_store_load_reservation(sk_db *db, const char *order_id,
                                      accounting_reservation_row *out);

int accounting_store_insert_reservation(sk_db *db, const accounting_reservation_row *r,
                                        const char *by, char *created_at);

/* pending -> `state` (2 posted, 3 voided) by `transfer_id`. */
int accounting_store_complete_reservation(sk_db *db, const char *order_id, int state,
                                          const char *transfer_id, const char *reason,
                                          const char *by, char *completed_at);

/* ---- the tax table (issue 13) ---- */

#define ACCOUNTING_LEGAL_BASIS_MAX 2000

enum { TAX_DRAFT = 1, TAX_PUBLISHED = 2, TAX_SUPERSEDED = 3 };

typedef struct accounting_tax_table_row {
    accounting_tax_table t;
    int version;
    int state; /* TAX_* */
    char legal_basis[ACCOUNTING_TEXT_SIZE(ACCOUNTING_LEGAL_BASIS_MAX)];
    char saved_at[40], saved_by[130], published_at[40], published_by[130];
} accounting_tax_table_row;

/* Serialise changes of one year's tables (a transaction-scoped advisory lock). */
int accounting_store_lock_tax_year(sk_db *db, int year);

/* The year's table in `state` (TAX_DRAFT or TAX_PUBLISHED), or version
 * `version` when it is > 0. SK_ENOTFOUND. */
int accounting_store_tax_table(sk_db *db, int year, int state, int version,
                               accounting_tax_table_row *out);

/* Every version of the year, newest first: rows for accounting_store_tax_table_at. */
int accounting_store_tax_tables(sk_db *db, int year, PGresult **res);
void accounting_store_tax_table_at(PGresult *res, int row, accounting_tax_table_row *out);

/* A new draft of t->fiscal_year, numbered after the year's highest version;
 * or the draft `version` changed (SK_ENOTFOUND when it is not the draft). */
int accounting_store_save_tax_draft(sk_db *db, const accounting_tax_table *t, int version,
                                    const char *legal_basis, const char *by,
                                    accounting_tax_table_row *out);

/* The year's published table (if any) superseded, the draft `version`
 * published. SK_ENOTFOUND when `version` is not the year's draft. */
int accounting_store_publish_tax_table(sk_db *db, int year, int version, const char *by,
                                       accounting_tax_table_row *out);

/* ---- supporting documents by value ---- */

typedef struct accounting_document_rules_row {
    accounting_document_rule rules[ACCOUNTING_DOC_KINDS]; /* the required ones */
    size_t n;
    bool listed[ACCOUNTING_DOC_KINDS + 1]; /* by kind: a row exists (required or not) */
    bool saved;                            /* false: the defaults */
    char saved_at[40], saved_by[130];
} accounting_document_rules_row;

/* The year's rules, or the defaults when none are saved. */
int accounting_store_document_rules(sk_db *db, int year, accounting_document_rules_row *out);

/* Replace the year's rules; `required[i]` false keeps rules[i].kind listed as
 * never required. */
int accounting_store_save_document_rules(sk_db *db, int year, const accounting_document_rule *rules,
                                         const bool *required, size_t n, const char *by);

/* ---- read models (events.c) ---- */

typedef struct accounting_company_in {
    const char *id, *name, *npwp; /* npwp: digits only, "" when none */
    bool pkp;
    const char *bank_name, *account_number, *account_holder;
} accounting_company_in;

int accounting_store_put_company(sk_db *db, const accounting_company_in *c);

typedef struct accounting_company_info {
    char name[256], npwp[33];
    bool pkp;
    char bank_name[256], account_number[64], account_holder[256];
} accounting_company_info;

/* SK_ENOTFOUND when no registry event told of it. */
int accounting_store_load_company(sk_db *db, const char *id, accounting_company_info *out);

/* Kept only when `version` is at least the stored one. signed_on may be NULL. */
int accounting_store_put_agreement(sk_db *db, const char *id, const char *company_id, int year,
                                   const char *number, const char *signed_on, bool has_document,
                                   int64_t version);

typedef struct accounting_order_in {
    const char *id, *company_id;
    int fiscal_year;
    const char *number, *state; /* state: "completed", "cancelled", ... */
    int64_t gross;
    const char *title, *outlet_name, *agreement_id; /* agreement_id may be NULL */
    const char *issued_on, *proof_accepted_on;      /* "YYYY-MM-DD" or NULL */
    int64_t version;
} accounting_order_in;

/* Kept only when `version` is at least the stored one. */
int accounting_store_put_order(sk_db *db, const accounting_order_in *o);

/* ---- invoices ---- */

enum {
    OI_ID, OI_COMPANY, OI_YEAR, OI_NUMBER, OI_STATE, OI_GROSS, OI_ISSUED, OI_RES_STATE,
    OI_RES_AMOUNT, OI_RES_LINE, OI_INVOICED, OI_KNOWN
};
/* For each id of `ids` (a PostgreSQL array literal, in that order): what
 * the read model knows of the order, its reservation, and whether a live
 * invoice holds it; OI_KNOWN 'f' (and the rest empty) for an unknown order. */
int accounting_store_orders_for_invoice(sk_db *db, const char *ids, PGresult **res);

typedef struct accounting_invoice_row {
    char id[SK_UUID_STRLEN], company_id[SK_UUID_STRLEN];
    int fiscal_year;
    accounting_invoice inv; /* number, date, faktur, signatory, branch */
    char company_name[256], npwp[33];
    bool pkp;
    char bank_name[256], account_number[64], account_holder[256];
    int64_t gross;
    int state; /* accounting_invoice_state */
    char purpose[ACCOUNTING_TEXT_SIZE(ACCOUNTING_PURPOSE_MAX)];
    char returned_reason[ACCOUNTING_TEXT_SIZE(ACCOUNTING_REASON_MAX)];
    char submitted_at[40], submitted_by[130];
    int32_t submitted_on;
    char decided_at[40], decided_by[130];
    char tax_computation_id[SK_UUID_STRLEN]; /* "" before acceptance */
    int32_t paid_on;                         /* -1 when not paid */
    char slip_number[ACCOUNTING_TEXT_SIZE(ACCOUNTING_STEP_NUMBER_MAX)];
    int32_t slip_date;                       /* -1 when none */
    int64_t version;
} accounting_invoice_row;

/* Insert the invoice (state submitted, version 1). SK_EEXISTS when the
 * company has a live invoice with this number. */
int accounting_store_insert_invoice(sk_db *db, const accounting_invoice_row *r);

/* SK_EEXISTS when a live invoice holds the order already. */
int accounting_store_insert_invoice_order(sk_db *db, const char *invoice_id, const char *order_id,
                                          const char *order_number, int64_t gross,
                                          const char *budget_line_id);

/* Load one; with `lock` its row is locked to the end of the transaction
 * (every change of an invoice takes it first). SK_ENOTFOUND. */
int accounting_store_load_invoice(sk_db *db, const char *id, bool lock, accounting_invoice_row *out);

/* A page of invoices, newest first, after id `after` ("" = from the top);
 * year 0, state NULL and company NULL mean any. */
int accounting_store_list_invoices(sk_db *db, int year, const char *state, const char *company,
                                   const char *after, int limit, PGresult **res);
void accounting_store_invoice_at(PGresult *res, int row, accounting_invoice_row *out);

/* The changes an invoice goes through; each bumps its version. */
int accounting_store_return_invoice(sk_db *db, const char *id, const char *reason, const char *by);
int accounting_store_accept_invoice(sk_db *db, const char *id, const char *purpose,
                                    const char *tax_computation_id, const char *by);
/* state -> `state`; paid_on ("YYYY-MM-DD") only with the SP2D. */
int accounting_store_move_invoice(sk_db *db, const char *id, int state, const char *paid_on);
int accounting_store_set_slip(sk_db *db, const char *id, const char *number, const char *date,
                              const char *by);

enum {
    IO_ORDER, IO_NUMBER, IO_GROSS, IO_LINE, IO_TITLE, IO_OUTLET, IO_ISSUED, IO_ACCEPTED,
    IO_RES_STATE, IO_AGREEMENT
};
/* The orders the invoice bills (a returned invoice's too), by order number. */
int accounting_store_invoice_orders(sk_db *db, const char *invoice_id, PGresult **res);

typedef struct accounting_document_in {
    const char *id, *invoice_id;
    int kind;
    const char *file_name, *content_type, *sha256;
    const uint8_t *content;
    size_t size;
    const char *by;
} accounting_document_in;

int accounting_store_insert_document(sk_db *db, const accounting_document_in *d);

enum { DOC_ID, DOC_KIND, DOC_NAME, DOC_TYPE, DOC_SHA, DOC_SIZE, DOC_AT, DOC_BY, DOC_CONTENT };
/* The invoice's documents (no content), oldest first. */
int accounting_store_invoice_documents(sk_db *db, const char *invoice_id, PGresult **res);
/* One document with its content (column DOC_CONTENT, bytea). SK_ENOTFOUND. */
int accounting_store_invoice_document(sk_db *db, const char *invoice_id, const char *document_id,
                                      PGresult **res);

/* Whether every agreement of the invoice's orders has its signed scan. */
int accounting_store_agreements_signed(sk_db *db, const char *invoice_id, bool *all_signed);

/* ---- tax computations ---- */

int accounting_store_insert_tax_computation(sk_db *db, const char *id, const char *invoice_id,
                                            const accounting_tax_table_row *table,
                                            const accounting_tax_input *in,
                                            const accounting_tax_lines *l, const char *by);

typedef struct accounting_tax_computation_row {
    char id[SK_UUID_STRLEN];
    accounting_tax_table t;
    int table_version;
    accounting_tax_input in;
    accounting_tax_lines l;
    char computed_at[40], computed_by[130];
} accounting_tax_computation_row;

int accounting_store_load_tax_computation(sk_db *db, const char *id,
                                          accounting_tax_computation_row *out);

/* ---- payment steps ---- */

/* SK_EEXISTS when SIPD's number is on another live step of the kind. */
int accounting_store_insert_step(sk_db *db, const char *invoice_id, int step, const char *number,
                                 const char *date, const char *by);
/* The live `step` of the invoice cancelled. */
int accounting_store_cancel_step(sk_db *db, const char *invoice_id, int step, const char *reason,
                                 const char *by);

enum {
    ST_STEP, ST_NUMBER, ST_DATE, ST_AT, ST_BY, ST_CANCELLED_AT, ST_CANCELLED_BY, ST_REASON
};
/* The invoice's steps, oldest first. */
int accounting_store_steps(sk_db *db, const char *invoice_id, PGresult **res);

/* ---- the accounts payments move ---- */

/* The office's account with `code` ("expense", "cash", "tax:pph23", "tax:ppn"). */
int accounting_store_office_account(sk_db *db, const char *code, char id[SK_UUID_STRLEN]);
/* The company's partner_payable account, made on first use. */
int accounting_store_partner_payable(sk_db *db, const char *company_id, char id[SK_UUID_STRLEN]);

enum { PP_ID, PP_CODE, PP_AMOUNT };
/* The invoice's payment transfers still pending (made at SPM). */
int accounting_store_open_payments(sk_db *db, const char *invoice_id, PGresult **res);

/* ---- the SIPD export ---- */

enum { SL_SUB, SL_ACCOUNT, SL_NAME, SL_AMOUNT };
/* The invoice's gross per budget line, by codes. */
int accounting_store_spp_lines(sk_db *db, const char *invoice_id, PGresult **res);
enum { AG_NUMBER, AG_SIGNED };
/* The agreements of the invoice's orders, by number. */
int accounting_store_invoice_agreements(sk_db *db, const char *invoice_id, PGresult **res);

/* ---- reports ---- */

enum { TD_ID, TD_NUMBER, TD_COMPANY, TD_PAID, TD_PPH23, TD_PPN, TD_SLIP, TD_SLIP_DATE };
/* The paid invoices of `year` with their withholdings, by SP2D date. */
int accounting_store_tax_due(sk_db *db, int year, PGresult **res);

enum { UP_ID, UP_STATE, UP_GROSS, UP_SUBMITTED };
/* The unpaid, not returned invoices (year 0: any), oldest first. */
int accounting_store_unpaid(sk_db *db, int year, PGresult **res);

#endif
