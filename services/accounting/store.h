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
    char order_number[ACCOUNTING_ORDER_NUMBER_MAX + 1];
    int state; /* seklik.accounting.ReservationState */
    char transfer_id[SK_UUID_STRLEN];
    char completed_by_transfer_id[SK_UUID_STRLEN];
    char reason[ACCOUNTING_REASON_MAX + 1];
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

#endif
