/* store.c - SQL for the accounting schema (see store.h). */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"

#define SQL_TS(col)                                                                                \
    "coalesce(to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '')"

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static void i64(char out[24], int64_t v)
{
    snprintf(out, 24, "%lld", (long long)v);
}

/* ---- lines ---- */

#define ACCOUNT_COLUMNS(a)                                                                         \
    a ".id, " a ".debits_pending, " a ".debits_posted, " a ".credits_pending, " a ".credits_posted"

/* Columns: id, year, sub-activity, account code, name, version, created at,
 * by, then (id, dp, dpo, cp, cpo) of appropriation, available, realised. */
#define LINE_SELECT                                                                                \
    "SELECT l.id, l.fiscal_year, l.sub_activity_code, l.account_code, l.name, l.version, "        \
    SQL_TS("l.created_at") ", l.created_by, " ACCOUNT_COLUMNS("ap") ", " ACCOUNT_COLUMNS("av")     \
    ", " ACCOUNT_COLUMNS("re")                                                                     \
    " FROM accounting.budget_line l"                                                               \
    " JOIN accounting.account ap ON ap.budget_line_id = l.id AND ap.kind = 'appropriation'"       \
    " JOIN accounting.account av ON av.budget_line_id = l.id AND av.kind = 'available'"           \
    " JOIN accounting.account re ON re.budget_line_id = l.id AND re.kind = 'realised'"
enum { LN_ACCOUNTS = 8 };

void accounting_store_line_at(PGresult *res, int row, accounting_line_row *out)
{
    memset(out, 0, sizeof(*out));
    copy(out->id, sizeof(out->id), PQgetvalue(res, row, 0));
    out->line.fiscal_year = atoi(PQgetvalue(res, row, 1));
    copy(out->line.sub_activity_code, sizeof(out->line.sub_activity_code), PQgetvalue(res, row, 2));
    copy(out->line.account_code, sizeof(out->line.account_code), PQgetvalue(res, row, 3));
    copy(out->line.name, sizeof(out->line.name), PQgetvalue(res, row, 4));
    out->version = sk_db_get_int64(res, row, 5);
    copy(out->created_at, sizeof(out->created_at), PQgetvalue(res, row, 6));
    copy(out->created_by, sizeof(out->created_by), PQgetvalue(res, row, 7));
    for (int a = 0; a < ACCT_PER_LINE; a++) {
        int c = LN_ACCOUNTS + a * 5;
        copy(out->account_id[a], sizeof(out->account_id[a]), PQgetvalue(res, row, c));
        out->accounts[a].debits_pending = sk_db_get_int64(res, row, c + 1);
        out->accounts[a].debits_posted = sk_db_get_int64(res, row, c + 2);
        out->accounts[a].credits_pending = sk_db_get_int64(res, row, c + 3);
        out->accounts[a].credits_posted = sk_db_get_int64(res, row, c + 4);
    }
}

static const char SQL_INSERT_LINE[] =
    "INSERT INTO accounting.budget_line (id, fiscal_year, sub_activity_code, account_code, name,"
    " created_by) VALUES ($1, $2, $3, $4, $5, $6)";

/* The limits that make a line's figures sound (docs/adr/0013): pagu never
 * below zero, available never below zero (reservations count against it),
 * realised never below zero. */
static const char SQL_INSERT_LINE_ACCOUNTS[] =
    "INSERT INTO accounting.account (id, code, kind, budget_line_id,"
    " debits_must_not_exceed_credits, credits_must_not_exceed_debits)"
    " SELECT a.id::uuid, 'line:' || $1 || ':' || a.kind, a.kind, $1::uuid, a.dl, a.cl"
    " FROM (VALUES ($2, 'appropriation', false, true), ($3, 'available', true, false),"
    " ($4, 'realised', true, false)) AS a (id, kind, dl, cl)";

int accounting_store_insert_line(sk_db *db, const char *id, const accounting_line *line,
                                 const char *by, accounting_line_row *out)
{
    char year[16];
    snprintf(year, sizeof(year), "%d", line->fiscal_year);
    sk_param p[] = {SK_TEXT(id), SK_TEXT(year), SK_TEXT(line->sub_activity_code),
                    SK_TEXT(line->account_code), SK_TEXT(line->name), SK_TEXT(by)};
    SK_TRY(sk_db_exec(db, SQL_INSERT_LINE, p, 6));
    /* uuid7s made in this order sort in this order: apply_transfer locks
     * accounts in id order, available before realised. */
    char ids[ACCT_PER_LINE][SK_UUID_STRLEN];
    for (int a = 0; a < ACCT_PER_LINE; a++)
        sk_uuid7(ids[a]);
    sk_param q[] = {SK_TEXT(id), SK_TEXT(ids[0]), SK_TEXT(ids[1]), SK_TEXT(ids[2])};
    SK_TRY(sk_db_exec(db, SQL_INSERT_LINE_ACCOUNTS, q, 4));
    return accounting_store_load_line(db, id, false, out);
}

int accounting_store_load_line(sk_db *db, const char *id, bool lock, accounting_line_row *out)
{
    sk_param p[] = {SK_TEXT(id)};
    PGresult *res;
    /* Lock first, read after: a statement that waited for a row lock
     * re-reads only the locked rows, so one locking SELECT over the join
     * would pair the newest available account with an older realised one. */
    if (lock)
        SK_TRY(sk_db_exec(db,
                          "SELECT 1 FROM accounting.budget_line l JOIN accounting.account av"
                          " ON av.budget_line_id = l.id AND av.kind = 'available'"
                          " WHERE l.id = $1 FOR UPDATE OF l, av",
                          p, 1));
    SK_TRY(sk_db_query(db, LINE_SELECT " WHERE l.id = $1", p, 1, &res));
    int rc = SK_ENOTFOUND;
    if (PQntuples(res) == 1) {
        accounting_store_line_at(res, 0, out);
        rc = SK_OK;
    }
    PQclear(res);
    return rc;
}

int accounting_store_list_lines(sk_db *db, int year, PGresult **res)
{
    char y[16];
    snprintf(y, sizeof(y), "%d", year);
    sk_param p[] = {SK_TEXT(y)};
    return sk_db_query(db,
                       LINE_SELECT " WHERE l.fiscal_year = $1"
                                   " ORDER BY l.sub_activity_code, l.account_code, l.id",
                       p, 1, res);
}

int accounting_store_bump_version(sk_db *db, const char *line_id, int64_t *version)
{
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "UPDATE accounting.budget_line SET version = version + 1 WHERE id = $1"
                       " RETURNING version",
                       (sk_param[]){SK_TEXT(line_id)}, 1, &res));
    int rc = PQntuples(res) == 1 ? SK_OK : SK_ENOTFOUND;
    if (rc == SK_OK)
        *version = sk_db_get_int64(res, 0, 0);
    PQclear(res);
    return rc;
}

/* ---- revisions ---- */

int accounting_store_insert_revision(sk_db *db, const accounting_revision_in *r, char *revised_at)
{
    char seq[24], before[24], after[24];
    i64(seq, r->seq);
    i64(before, r->pagu_before);
    i64(after, r->pagu_after);
    sk_param p[] = {SK_TEXT(r->id),     SK_TEXT(r->budget_line_id),
                    SK_TEXT(seq),       SK_TEXT(accounting_revision_kind_name(r->kind)),
                    SK_TEXT(before),    SK_TEXT(after),
                    SK_TEXT(r->reason), SK_TEXT(r->document_number),
                    SK_TEXT(r->transfer_id), SK_TEXT(r->by)};
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "INSERT INTO accounting.revision (id, budget_line_id, seq, kind, pagu_before,"
                       " pagu_after, reason, document_number, transfer_id, revised_by)"
                       " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                       " RETURNING " SQL_TS("revised_at"),
                       p, 10, &res));
    copy(revised_at, 40, PQgetvalue(res, 0, 0));
    PQclear(res);
    return SK_OK;
}

int accounting_store_revisions(sk_db *db, const char *line_id, PGresult **res)
{
    return sk_db_query(db,
                       "SELECT id, budget_line_id, kind, pagu_before, pagu_after, reason,"
                       " document_number, " SQL_TS("revised_at") ", revised_by,"
                       " coalesce(transfer_id::text, '')"
                       " FROM accounting.revision WHERE budget_line_id = $1 ORDER BY seq",
                       (sk_param[]){SK_TEXT(line_id)}, 1, res);
}

/* ---- transfers ---- */

int accounting_store_apply(sk_db *db, const accounting_transfer_in *t, bool *replayed)
{
    char amount[24];
    i64(amount, t->amount);
    sk_param p[] = {SK_TEXT(t->id),         SK_TEXT(t->debit),   SK_TEXT(t->credit),
                    SK_TEXT(t->amount > 0 ? amount : NULL),
                    SK_TEXT(t->kind),       SK_TEXT(t->pending_id), SK_TEXT(t->code),
                    SK_TEXT(t->reference),  SK_TEXT(t->memo),    SK_TEXT(t->by)};
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "SELECT accounting.apply_transfer($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                       p, 10, &res));
    *replayed = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return SK_OK;
}

int accounting_store_list_transfers(sk_db *db, const char *line_id, const char *reference,
                                    int64_t after, int limit, PGresult **res)
{
    char a[24], l[16];
    i64(a, after);
    snprintf(l, sizeof(l), "%d", limit);
    sk_param p[] = {SK_TEXT(line_id), SK_TEXT(reference), SK_TEXT(a), SK_TEXT(l)};
    return sk_db_query(
        db,
        "SELECT t.id, t.debit_account_id, t.credit_account_id, t.amount, t.kind,"
        " coalesce(t.pending_id::text, ''), t.code, t.reference, t.memo, " SQL_TS("t.created_at")
        ", t.created_by, t.seq FROM accounting.transfer t"
        " WHERE t.seq > $3::bigint AND ($2::text IS NULL OR t.reference = $2)"
        " AND ($1::uuid IS NULL OR EXISTS (SELECT 1 FROM accounting.account a"
        "  WHERE a.budget_line_id = $1 AND a.id IN (t.debit_account_id, t.credit_account_id)))"
        " ORDER BY t.seq LIMIT $4::int",
        p, 4, res);
}

int accounting_store_accounts(sk_db *db, const char *line_id, const char *ids, PGresult **res)
{
    sk_param p[] = {SK_TEXT(line_id), SK_TEXT(ids)};
    return sk_db_query(
        db,
        "SELECT a.id, a.code, a.kind, coalesce(a.budget_line_id::text, ''),"
        " coalesce(a.company_id::text, ''), a.debits_pending, a.debits_posted, a.credits_pending,"
        " a.credits_posted, a.debits_must_not_exceed_credits, a.credits_must_not_exceed_debits"
        " FROM accounting.account a"
        " WHERE ($1::uuid IS NOT NULL AND a.budget_line_id = $1) OR a.id = ANY ($2::uuid[])"
        " ORDER BY a.code",
        p, 2, res);
}

/* ---- reservations ---- */

/* The two-key form keeps these apart from the RPC server's one-key locks. */
#define LOCK_ORDER 7601

int accounting_store_lock_order(sk_db *db, const char *order_id)
{
    char ns[16];
    snprintf(ns, sizeof(ns), "%d", LOCK_ORDER);
    sk_param p[] = {SK_TEXT(ns), SK_TEXT(order_id)};
    return sk_db_exec(db, "SELECT pg_advisory_xact_lock($1::int, hashtext($2))", p, 2);
}

static int state_number(const char *s)
{
    return strcmp(s, "pending") == 0 ? 1 : strcmp(s, "posted") == 0 ? 2 : 3;
}

int accounting_store_load_reservation(sk_db *db, const char *order_id,
                                      accounting_reservation_row *out)
{
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "SELECT order_id, budget_line_id, amount, order_number, state, transfer_id,"
                       " coalesce(completed_by_transfer_id::text, ''), reason, "
                       SQL_TS("created_at") ", " SQL_TS("completed_at")
                       " FROM accounting.reservation WHERE order_id = $1",
                       (sk_param[]){SK_TEXT(order_id)}, 1, &res));
    int rc = SK_ENOTFOUND;
    if (PQntuples(res) == 1) {
        memset(out, 0, sizeof(*out));
        copy(out->order_id, sizeof(out->order_id), PQgetvalue(res, 0, 0));
        copy(out->budget_line_id, sizeof(out->budget_line_id), PQgetvalue(res, 0, 1));
        out->amount = sk_db_get_int64(res, 0, 2);
        copy(out->order_number, sizeof(out->order_number), PQgetvalue(res, 0, 3));
        out->state = state_number(PQgetvalue(res, 0, 4));
        copy(out->transfer_id, sizeof(out->transfer_id), PQgetvalue(res, 0, 5));
        copy(out->completed_by_transfer_id, sizeof(out->completed_by_transfer_id),
             PQgetvalue(res, 0, 6));
        copy(out->reason, sizeof(out->reason), PQgetvalue(res, 0, 7));
        copy(out->created_at, sizeof(out->created_at), PQgetvalue(res, 0, 8));
        copy(out->completed_at, sizeof(out->completed_at), PQgetvalue(res, 0, 9));
        rc = SK_OK;
    }
    PQclear(res);
    return rc;
}

int accounting_store_insert_reservation(sk_db *db, const accounting_reservation_row *r,
                                        const char *by, char *created_at)
{
    char amount[24];
    i64(amount, r->amount);
    sk_param p[] = {SK_TEXT(r->order_id),     SK_TEXT(r->budget_line_id), SK_TEXT(amount),
                    SK_TEXT(r->order_number), SK_TEXT(r->transfer_id),    SK_TEXT(by)};
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "INSERT INTO accounting.reservation (order_id, budget_line_id, amount,"
                       " order_number, state, transfer_id, created_by)"
                       " VALUES ($1, $2, $3, $4, 'pending', $5, $6) RETURNING "
                       SQL_TS("created_at"),
                       p, 6, &res));
    copy(created_at, 40, PQgetvalue(res, 0, 0));
    PQclear(res);
    return SK_OK;
}

int accounting_store_complete_reservation(sk_db *db, const char *order_id, int state,
                                          const char *transfer_id, const char *reason,
                                          const char *by, char *completed_at)
{
    sk_param p[] = {SK_TEXT(order_id), SK_TEXT(state == 2 ? "posted" : "voided"),
                    SK_TEXT(transfer_id), SK_TEXT(reason), SK_TEXT(by)};
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "UPDATE accounting.reservation SET state = $2,"
                       " completed_by_transfer_id = $3, reason = $4, completed_at = now(),"
                       " completed_by = $5 WHERE order_id = $1 AND state = 'pending'"
                       " RETURNING " SQL_TS("completed_at"),
                       p, 5, &res));
    int rc = PQntuples(res) == 1 ? SK_OK : SK_EPRECOND;
    if (rc == SK_OK)
        copy(completed_at, 40, PQgetvalue(res, 0, 0));
    PQclear(res);
    return rc;
}
