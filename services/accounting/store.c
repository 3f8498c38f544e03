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

/* ---- the tax table ---- */

#define LOCK_TAX_YEAR 7602

int accounting_store_lock_tax_year(sk_db *db, int year)
{
    char ns[16], y[16];
    snprintf(ns, sizeof(ns), "%d", LOCK_TAX_YEAR);
    snprintf(y, sizeof(y), "%d", year);
    sk_param p[] = {SK_TEXT(ns), SK_TEXT(y)};
    return sk_db_exec(db, "SELECT pg_advisory_xact_lock($1::int, $2::int)", p, 2);
}

#define TAX_COLUMNS                                                                                \
    "fiscal_year, version, state, pph23_bp, no_npwp_uplift_pct, ppn_bp, dpp_num, dpp_den,"        \
    " wapu_threshold, rounding, legal_basis, " SQL_TS("saved_at") ", saved_by, "                  \
    SQL_TS("published_at") ", coalesce(published_by, '')"

static int tax_state_number(const char *s)
{
    return strcmp(s, "draft") == 0 ? TAX_DRAFT : strcmp(s, "published") == 0 ? TAX_PUBLISHED
                                                                             : TAX_SUPERSEDED;
}

void accounting_store_tax_table_at(PGresult *res, int row, accounting_tax_table_row *out)
{
    memset(out, 0, sizeof(*out));
    out->t.fiscal_year = atoi(PQgetvalue(res, row, 0));
    out->version = atoi(PQgetvalue(res, row, 1));
    out->state = tax_state_number(PQgetvalue(res, row, 2));
    out->t.pph23_bp = atoi(PQgetvalue(res, row, 3));
    out->t.no_npwp_uplift_pct = atoi(PQgetvalue(res, row, 4));
    out->t.ppn_bp = atoi(PQgetvalue(res, row, 5));
    out->t.dpp_num = atoi(PQgetvalue(res, row, 6));
    out->t.dpp_den = atoi(PQgetvalue(res, row, 7));
    out->t.wapu_threshold = sk_db_get_int64(res, row, 8);
    out->t.rounding = accounting_rounding_parse(PQgetvalue(res, row, 9));
    copy(out->legal_basis, sizeof(out->legal_basis), PQgetvalue(res, row, 10));
    copy(out->saved_at, sizeof(out->saved_at), PQgetvalue(res, row, 11));
    copy(out->saved_by, sizeof(out->saved_by), PQgetvalue(res, row, 12));
    copy(out->published_at, sizeof(out->published_at), PQgetvalue(res, row, 13));
    copy(out->published_by, sizeof(out->published_by), PQgetvalue(res, row, 14));
}

static int one_tax_table(sk_db *db, const char *sql, const sk_param *p, int n,
                         accounting_tax_table_row *out)
{
    PGresult *res;
    SK_TRY(sk_db_query(db, sql, p, n, &res));
    int rc = SK_ENOTFOUND;
    if (PQntuples(res) == 1) {
        accounting_store_tax_table_at(res, 0, out);
        rc = SK_OK;
    }
    PQclear(res);
    return rc;
}

int accounting_store_tax_table(sk_db *db, int year, int state, int version,
                               accounting_tax_table_row *out)
{
    char y[16], v[16];
    snprintf(y, sizeof(y), "%d", year);
    snprintf(v, sizeof(v), "%d", version);
    sk_param p[] = {SK_TEXT(y), SK_TEXT(state == TAX_DRAFT ? "draft" : "published"), SK_TEXT(v)};
    return one_tax_table(db,
                         "SELECT " TAX_COLUMNS " FROM accounting.tax_table WHERE fiscal_year = $1"
                         " AND CASE WHEN $3::int > 0 THEN version = $3::int ELSE state = $2 END",
                         p, 3, out);
}

int accounting_store_tax_tables(sk_db *db, int year, PGresult **res)
{
    char y[16];
    snprintf(y, sizeof(y), "%d", year);
    return sk_db_query(db,
                       "SELECT " TAX_COLUMNS " FROM accounting.tax_table WHERE fiscal_year = $1"
                       " ORDER BY version DESC",
                       (sk_param[]){SK_TEXT(y)}, 1, res);
}

int accounting_store_save_tax_draft(sk_db *db, const accounting_tax_table *t, int version,
                                    const char *legal_basis, const char *by,
                                    accounting_tax_table_row *out)
{
    char y[16], v[16], a[16], b[16], c[16], d[16], e[16], w[24];
    snprintf(y, sizeof(y), "%d", t->fiscal_year);
    snprintf(v, sizeof(v), "%d", version);
    snprintf(a, sizeof(a), "%d", t->pph23_bp);
    snprintf(b, sizeof(b), "%d", t->no_npwp_uplift_pct);
    snprintf(c, sizeof(c), "%d", t->ppn_bp);
    snprintf(d, sizeof(d), "%d", t->dpp_num);
    snprintf(e, sizeof(e), "%d", t->dpp_den);
    i64(w, t->wapu_threshold);
    sk_param p[] = {SK_TEXT(y), SK_TEXT(v), SK_TEXT(a), SK_TEXT(b),
                    SK_TEXT(c), SK_TEXT(d), SK_TEXT(e), SK_TEXT(w),
                    SK_TEXT(accounting_rounding_name(t->rounding)), SK_TEXT(legal_basis),
                    SK_TEXT(by)};
    if (version > 0)
        return one_tax_table(
            db,
            "UPDATE accounting.tax_table SET pph23_bp = $3, no_npwp_uplift_pct = $4, ppn_bp = $5,"
            " dpp_num = $6, dpp_den = $7, wapu_threshold = $8, rounding = $9, legal_basis = $10,"
            " saved_at = now(), saved_by = $11"
            " WHERE fiscal_year = $1 AND version = $2 AND state = 'draft' RETURNING " TAX_COLUMNS,
            p, 11, out);
    return one_tax_table(
        db,
        "INSERT INTO accounting.tax_table (fiscal_year, version, state, pph23_bp,"
        " no_npwp_uplift_pct, ppn_bp, dpp_num, dpp_den, wapu_threshold, rounding, legal_basis,"
        " saved_by)"
        " SELECT $1, coalesce(max(version), 0) + 1 + 0 * $2::int, 'draft', $3, $4, $5, $6, $7, $8,"
        " $9, $10, $11 FROM accounting.tax_table WHERE fiscal_year = $1 RETURNING " TAX_COLUMNS,
        p, 11, out);
}

int accounting_store_publish_tax_table(sk_db *db, int year, int version, const char *by,
                                       accounting_tax_table_row *out)
{
    char y[16], v[16];
    snprintf(y, sizeof(y), "%d", year);
    snprintf(v, sizeof(v), "%d", version);
    sk_param p[] = {SK_TEXT(y), SK_TEXT(v), SK_TEXT(by)};
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "SELECT 1 FROM accounting.tax_table WHERE fiscal_year = $1 AND version = $2"
                       " AND state = 'draft'",
                       p, 2, &res));
    int found = PQntuples(res);
    PQclear(res);
    if (!found)
        return SK_ENOTFOUND;
    SK_TRY(sk_db_exec(db,
                      "UPDATE accounting.tax_table SET state = 'superseded'"
                      " WHERE fiscal_year = $1 AND state = 'published'",
                      p, 1));
    return one_tax_table(db,
                         "UPDATE accounting.tax_table SET state = 'published', published_at = now(),"
                         " published_by = $3 WHERE fiscal_year = $1 AND version = $2"
                         " RETURNING " TAX_COLUMNS,
                         p, 3, out);
}

/* ---- supporting documents by value ---- */

int accounting_store_document_rules(sk_db *db, int year, accounting_document_rules_row *out)
{
    memset(out, 0, sizeof(*out));
    char y[16];
    snprintf(y, sizeof(y), "%d", year);
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "SELECT kind, required, above, up_to, " SQL_TS("saved_at") ", saved_by"
                       " FROM accounting.document_rule WHERE fiscal_year = $1 ORDER BY kind",
                       (sk_param[]){SK_TEXT(y)}, 1, &res));
    int n = PQntuples(res);
    for (int i = 0; i < n && i < ACCOUNTING_DOC_KINDS; i++) {
        int kind = accounting_document_kind_parse(PQgetvalue(res, i, 0));
        if (!kind)
            continue;
        out->listed[kind] = true;
        if (PQgetvalue(res, i, 1)[0] == 't')
            out->rules[out->n++] = (accounting_document_rule){kind, sk_db_get_int64(res, i, 2),
                                                              sk_db_get_int64(res, i, 3)};
        copy(out->saved_at, sizeof(out->saved_at), PQgetvalue(res, i, 4));
        copy(out->saved_by, sizeof(out->saved_by), PQgetvalue(res, i, 5));
    }
    PQclear(res);
    out->saved = n > 0;
    if (!out->saved) {
        accounting_document_rules_default(out->rules);
        out->n = ACCOUNTING_DOC_KINDS;
        for (int k = 1; k <= ACCOUNTING_DOC_KINDS; k++)
            out->listed[k] = true;
    }
    return SK_OK;
}

int accounting_store_save_document_rules(sk_db *db, int year, const accounting_document_rule *rules,
                                         const bool *required, size_t n, const char *by)
{
    char y[16];
    snprintf(y, sizeof(y), "%d", year);
    SK_TRY(sk_db_exec(db, "DELETE FROM accounting.document_rule WHERE fiscal_year = $1",
                      (sk_param[]){SK_TEXT(y)}, 1));
    for (size_t i = 0; i < n; i++) {
        char above[24], up_to[24];
        i64(above, rules[i].above);
        i64(up_to, rules[i].up_to);
        sk_param p[] = {SK_TEXT(y), SK_TEXT(accounting_document_kind_name(rules[i].kind)),
                        SK_TEXT(required[i] ? "true" : "false"), SK_TEXT(above), SK_TEXT(up_to),
                        SK_TEXT(by)};
        SK_TRY(sk_db_exec(db,
                          "INSERT INTO accounting.document_rule (fiscal_year, kind, required, above,"
                          " up_to, saved_by) VALUES ($1, $2, $3, $4, $5, $6)",
                          p, 6));
    }
    return SK_OK;
}

/* ---- read models ---- */

int accounting_store_put_company(sk_db *db, const accounting_company_in *c)
{
    sk_param p[] = {SK_TEXT(c->id),        SK_TEXT(c->name),
                    SK_TEXT(c->npwp),      SK_TEXT(c->pkp ? "true" : "false"),
                    SK_TEXT(c->bank_name), SK_TEXT(c->account_number),
                    SK_TEXT(c->account_holder)};
    return sk_db_exec(db,
                      "INSERT INTO accounting.company_info (id, name, npwp, pkp, bank_name,"
                      " account_number, account_holder) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                      " ON CONFLICT (id) DO UPDATE SET name = $2, npwp = $3, pkp = $4,"
                      " bank_name = $5, account_number = $6, account_holder = $7, updated_at = now()",
                      p, 7);
}

int accounting_store_load_company(sk_db *db, const char *id, accounting_company_info *out)
{
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "SELECT name, npwp, pkp, bank_name, account_number, account_holder"
                       " FROM accounting.company_info WHERE id = $1",
                       (sk_param[]){SK_TEXT(id)}, 1, &res));
    int rc = SK_ENOTFOUND;
    if (PQntuples(res) == 1) {
        memset(out, 0, sizeof(*out));
        copy(out->name, sizeof(out->name), PQgetvalue(res, 0, 0));
        copy(out->npwp, sizeof(out->npwp), PQgetvalue(res, 0, 1));
        out->pkp = PQgetvalue(res, 0, 2)[0] == 't';
        copy(out->bank_name, sizeof(out->bank_name), PQgetvalue(res, 0, 3));
        copy(out->account_number, sizeof(out->account_number), PQgetvalue(res, 0, 4));
        copy(out->account_holder, sizeof(out->account_holder), PQgetvalue(res, 0, 5));
        rc = SK_OK;
    }
    PQclear(res);
    return rc;
}

int accounting_store_put_agreement(sk_db *db, const char *id, const char *company_id, int year,
                                   const char *number, const char *signed_on, bool has_document,
                                   int64_t version)
{
    char y[16], v[24];
    snprintf(y, sizeof(y), "%d", year);
    i64(v, version);
    sk_param p[] = {SK_TEXT(id),        SK_TEXT(company_id), SK_TEXT(y),
                    SK_TEXT(number),    SK_TEXT(signed_on),
                    SK_TEXT(has_document ? "true" : "false"), SK_TEXT(v)};
    return sk_db_exec(db,
                      "INSERT INTO accounting.agreement_info AS a (id, company_id, fiscal_year,"
                      " number, signed_on, has_document, version)"
                      " VALUES ($1, $2, $3, $4, $5::date, $6, $7)"
                      " ON CONFLICT (id) DO UPDATE SET company_id = $2, fiscal_year = $3,"
                      " number = $4, signed_on = $5::date, has_document = $6, version = $7,"
                      " updated_at = now() WHERE a.version <= $7",
                      p, 7);
}

int accounting_store_put_order(sk_db *db, const accounting_order_in *o)
{
    char y[16], g[24], v[24];
    snprintf(y, sizeof(y), "%d", o->fiscal_year);
    i64(g, o->gross);
    i64(v, o->version);
    sk_param p[] = {SK_TEXT(o->id),          SK_TEXT(o->company_id), SK_TEXT(y),
                    SK_TEXT(o->number),      SK_TEXT(o->state),      SK_TEXT(g),
                    SK_TEXT(o->title),       SK_TEXT(o->outlet_name), SK_TEXT(o->agreement_id),
                    SK_TEXT(o->issued_on),   SK_TEXT(o->proof_accepted_on), SK_TEXT(v)};
    return sk_db_exec(db,
                      "INSERT INTO accounting.order_info AS o (id, company_id, fiscal_year, number,"
                      " state, gross, title, outlet_name, agreement_id, issued_on,"
                      " proof_accepted_on, version)"
                      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::uuid, $10::date, $11::date, $12)"
                      " ON CONFLICT (id) DO UPDATE SET company_id = $2, fiscal_year = $3,"
                      " number = $4, state = $5, gross = $6, title = $7, outlet_name = $8,"
                      " agreement_id = $9::uuid, issued_on = $10::date,"
                      " proof_accepted_on = $11::date, version = $12, updated_at = now()"
                      " WHERE o.version <= $12",
                      p, 12);
}

/* ---- invoices ---- */

int accounting_store_orders_for_invoice(sk_db *db, const char *ids, PGresult **res)
{
    return sk_db_query(
        db,
        "SELECT x.id, coalesce(o.company_id::text, ''), coalesce(o.fiscal_year, 0), "
        " coalesce(o.number, ''), coalesce(o.state, ''), coalesce(o.gross, 0),"
        " coalesce(to_char(o.issued_on, 'YYYY-MM-DD'), ''), coalesce(r.state, ''),"
        " coalesce(r.amount, 0), coalesce(r.budget_line_id::text, ''),"
        " EXISTS (SELECT 1 FROM accounting.invoice_order io WHERE io.order_id = x.id AND io.live),"
        " o.id IS NOT NULL"
        " FROM unnest($1::uuid[]) WITH ORDINALITY AS x (id, n)"
        " LEFT JOIN accounting.order_info o ON o.id = x.id"
        " LEFT JOIN accounting.reservation r ON r.order_id = x.id ORDER BY x.n",
        (sk_param[]){SK_TEXT(ids)}, 1, res);
}

static void day_text(int32_t day, char out[11])
{
    if (day < 0)
        out[0] = '\0';
    else
        accounting_date_format(day, out);
}

static int32_t day_of(const char *s)
{
    int32_t d;
    return s && *s && accounting_date_parse(s, &d) ? d : -1;
}

int accounting_store_insert_invoice(sk_db *db, const accounting_invoice_row *r)
{
    char y[16], date[11], gross[24], on[11];
    snprintf(y, sizeof(y), "%d", r->fiscal_year);
    day_text(r->inv.date, date);
    day_text(r->submitted_on, on);
    i64(gross, r->gross);
    sk_param p[] = {SK_TEXT(r->id),
                    SK_TEXT(r->company_id),
                    SK_TEXT(y),
                    SK_TEXT(r->inv.number),
                    SK_TEXT(date),
                    SK_TEXT(r->inv.faktur_number),
                    SK_TEXT(r->inv.signatory),
                    SK_TEXT(r->inv.bank_branch),
                    SK_TEXT(r->company_name),
                    SK_TEXT(r->npwp),
                    SK_TEXT(r->pkp ? "true" : "false"),
                    SK_TEXT(r->bank_name),
                    SK_TEXT(r->account_number),
                    SK_TEXT(r->account_holder),
                    SK_TEXT(gross),
                    SK_TEXT(on),
                    SK_TEXT(r->submitted_by)};
    return sk_db_exec(db,
                      "INSERT INTO accounting.invoice (id, company_id, fiscal_year, number,"
                      " invoice_date, faktur_number, signatory, bank_branch, company_name, npwp,"
                      " pkp, bank_name, account_number, account_holder, gross, state,"
                      " submitted_on, submitted_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
                      " $10, $11, $12, $13, $14, $15, 'submitted', $16, $17)",
                      p, 17);
}

int accounting_store_insert_invoice_order(sk_db *db, const char *invoice_id, const char *order_id,
                                          const char *order_number, int64_t gross,
                                          const char *budget_line_id)
{
    char g[24];
    i64(g, gross);
    sk_param p[] = {SK_TEXT(invoice_id), SK_TEXT(order_id), SK_TEXT(order_number), SK_TEXT(g),
                    SK_TEXT(budget_line_id)};
    return sk_db_exec(db,
                      "INSERT INTO accounting.invoice_order (invoice_id, order_id, order_number,"
                      " gross, budget_line_id) VALUES ($1, $2, $3, $4, $5)",
                      p, 5);
}

#define INVOICE_COLUMNS                                                                            \
    "i.id, i.company_id, i.fiscal_year, i.number, to_char(i.invoice_date, 'YYYY-MM-DD'),"         \
    " i.faktur_number, i.signatory, i.bank_branch, i.company_name, i.npwp, i.pkp, i.bank_name,"   \
    " i.account_number, i.account_holder, i.gross, i.state, i.purpose, i.returned_reason, "       \
    SQL_TS("i.submitted_at") ", i.submitted_by, to_char(i.submitted_on, 'YYYY-MM-DD'), "          \
    SQL_TS("i.decided_at") ", coalesce(i.decided_by, ''),"                                         \
    " coalesce(i.tax_computation_id::text, ''), coalesce(to_char(i.paid_on, 'YYYY-MM-DD'), ''),"  \
    " i.slip_number, coalesce(to_char(i.slip_date, 'YYYY-MM-DD'), ''), i.version"

void accounting_store_invoice_at(PGresult *res, int row, accounting_invoice_row *out)
{
    memset(out, 0, sizeof(*out));
    int c = 0;
    copy(out->id, sizeof(out->id), PQgetvalue(res, row, c++));
    copy(out->company_id, sizeof(out->company_id), PQgetvalue(res, row, c++));
    out->fiscal_year = atoi(PQgetvalue(res, row, c++));
    copy(out->inv.number, sizeof(out->inv.number), PQgetvalue(res, row, c++));
    out->inv.date = day_of(PQgetvalue(res, row, c++));
    copy(out->inv.faktur_number, sizeof(out->inv.faktur_number), PQgetvalue(res, row, c++));
    copy(out->inv.signatory, sizeof(out->inv.signatory), PQgetvalue(res, row, c++));
    copy(out->inv.bank_branch, sizeof(out->inv.bank_branch), PQgetvalue(res, row, c++));
    copy(out->company_name, sizeof(out->company_name), PQgetvalue(res, row, c++));
    copy(out->npwp, sizeof(out->npwp), PQgetvalue(res, row, c++));
    out->pkp = PQgetvalue(res, row, c++)[0] == 't';
    copy(out->bank_name, sizeof(out->bank_name), PQgetvalue(res, row, c++));
    copy(out->account_number, sizeof(out->account_number), PQgetvalue(res, row, c++));
    copy(out->account_holder, sizeof(out->account_holder), PQgetvalue(res, row, c++));
    out->gross = sk_db_get_int64(res, row, c++);
    out->state = accounting_invoice_state_parse(PQgetvalue(res, row, c++));
    copy(out->purpose, sizeof(out->purpose), PQgetvalue(res, row, c++));
    copy(out->returned_reason, sizeof(out->returned_reason), PQgetvalue(res, row, c++));
    copy(out->submitted_at, sizeof(out->submitted_at), PQgetvalue(res, row, c++));
    copy(out->submitted_by, sizeof(out->submitted_by), PQgetvalue(res, row, c++));
    out->submitted_on = day_of(PQgetvalue(res, row, c++));
    copy(out->decided_at, sizeof(out->decided_at), PQgetvalue(res, row, c++));
    copy(out->decided_by, sizeof(out->decided_by), PQgetvalue(res, row, c++));
    copy(out->tax_computation_id, sizeof(out->tax_computation_id), PQgetvalue(res, row, c++));
    out->paid_on = day_of(PQgetvalue(res, row, c++));
    copy(out->slip_number, sizeof(out->slip_number), PQgetvalue(res, row, c++));
    out->slip_date = day_of(PQgetvalue(res, row, c++));
    out->version = sk_db_get_int64(res, row, c++);
}

int accounting_store_load_invoice(sk_db *db, const char *id, bool lock, accounting_invoice_row *out)
{
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       lock ? "SELECT " INVOICE_COLUMNS " FROM accounting.invoice i WHERE i.id = $1"
                              " FOR UPDATE"
                            : "SELECT " INVOICE_COLUMNS " FROM accounting.invoice i WHERE i.id = $1",
                       (sk_param[]){SK_TEXT(id)}, 1, &res));
    int rc = SK_ENOTFOUND;
    if (PQntuples(res) == 1) {
        accounting_store_invoice_at(res, 0, out);
        rc = SK_OK;
    }
    PQclear(res);
    return rc;
}

int accounting_store_list_invoices(sk_db *db, int year, const char *state, const char *company,
                                   const char *after, int limit, PGresult **res)
{
    char y[16], l[16];
    snprintf(y, sizeof(y), "%d", year);
    snprintf(l, sizeof(l), "%d", limit);
    sk_param p[] = {SK_TEXT(y), SK_TEXT(state), SK_TEXT(company),
                    SK_TEXT(after && *after ? after : NULL), SK_TEXT(l)};
    return sk_db_query(db,
                       "SELECT " INVOICE_COLUMNS " FROM accounting.invoice i"
                       " WHERE ($1::int = 0 OR i.fiscal_year = $1::int)"
                       " AND ($2::text IS NULL OR i.state = $2)"
                       " AND ($3::uuid IS NULL OR i.company_id = $3::uuid)"
                       " AND ($4::uuid IS NULL OR i.id < $4::uuid)"
                       " ORDER BY i.id DESC LIMIT $5::int",
                       p, 5, res);
}

static int one_row_changed(sk_db *db, const char *sql, const sk_param *p, int n)
{
    PGresult *res;
    SK_TRY(sk_db_query(db, sql, p, n, &res));
    int rc = PQntuples(res) == 1 ? SK_OK : SK_ENOTFOUND;
    PQclear(res);
    return rc;
}

int accounting_store_return_invoice(sk_db *db, const char *id, const char *reason, const char *by)
{
    sk_param p[] = {SK_TEXT(id), SK_TEXT(reason), SK_TEXT(by)};
    SK_TRY(one_row_changed(db,
                           "UPDATE accounting.invoice SET state = 'returned', returned_reason = $2,"
                           " decided_at = now(), decided_by = $3, version = version + 1"
                           " WHERE id = $1 RETURNING id",
                           p, 3));
    return sk_db_exec(db, "UPDATE accounting.invoice_order SET live = false WHERE invoice_id = $1",
                      p, 1);
}

int accounting_store_accept_invoice(sk_db *db, const char *id, const char *purpose,
                                    const char *tax_computation_id, const char *by)
{
    sk_param p[] = {SK_TEXT(id), SK_TEXT(purpose), SK_TEXT(tax_computation_id), SK_TEXT(by)};
    return one_row_changed(db,
                           "UPDATE accounting.invoice SET state = 'accepted', purpose = $2,"
                           " tax_computation_id = $3, decided_at = now(), decided_by = $4,"
                           " version = version + 1 WHERE id = $1 RETURNING id",
                           p, 4);
}

int accounting_store_move_invoice(sk_db *db, const char *id, int state, const char *paid_on)
{
    sk_param p[] = {SK_TEXT(id), SK_TEXT(accounting_invoice_state_name(state)), SK_TEXT(paid_on)};
    return one_row_changed(db,
                           "UPDATE accounting.invoice SET state = $2, paid_on = $3::date,"
                           " version = version + 1 WHERE id = $1 RETURNING id",
                           p, 3);
}

int accounting_store_set_slip(sk_db *db, const char *id, const char *number, const char *date,
                              const char *by)
{
    sk_param p[] = {SK_TEXT(id), SK_TEXT(number), SK_TEXT(date), SK_TEXT(by)};
    return one_row_changed(db,
                           "UPDATE accounting.invoice SET slip_number = $2, slip_date = $3::date,"
                           " slip_recorded_at = now(), slip_recorded_by = $4,"
                           " version = version + 1 WHERE id = $1 RETURNING id",
                           p, 4);
}

int accounting_store_invoice_orders(sk_db *db, const char *invoice_id, PGresult **res)
{
    return sk_db_query(
        db,
        "SELECT io.order_id, io.order_number, io.gross, io.budget_line_id,"
        " coalesce(o.title, ''), coalesce(o.outlet_name, ''),"
        " coalesce(to_char(o.issued_on, 'YYYY-MM-DD'), ''),"
        " coalesce(to_char(o.proof_accepted_on, 'YYYY-MM-DD'), ''), coalesce(r.state, ''),"
        " coalesce(o.agreement_id::text, '')"
        " FROM accounting.invoice_order io"
        " LEFT JOIN accounting.order_info o ON o.id = io.order_id"
        " LEFT JOIN accounting.reservation r ON r.order_id = io.order_id"
        " WHERE io.invoice_id = $1 ORDER BY io.order_number, io.order_id",
        (sk_param[]){SK_TEXT(invoice_id)}, 1, res);
}

int accounting_store_insert_document(sk_db *db, const accounting_document_in *d)
{
    char size[24];
    i64(size, (int64_t)d->size);
    sk_param p[] = {SK_TEXT(d->id),
                    SK_TEXT(d->invoice_id),
                    SK_TEXT(accounting_document_kind_name(d->kind)),
                    SK_TEXT(d->file_name),
                    SK_TEXT(d->content_type),
                    SK_TEXT(d->sha256),
                    SK_TEXT(size),
                    SK_BYTES(d->content, d->size),
                    SK_TEXT(d->by)};
    return sk_db_exec(db,
                      "INSERT INTO accounting.invoice_document (id, invoice_id, kind, file_name,"
                      " content_type, sha256, size, content, uploaded_by)"
                      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                      p, 9);
}

#define DOCUMENT_COLUMNS                                                                           \
    "id, kind, file_name, content_type, sha256, size, " SQL_TS("uploaded_at") ", uploaded_by"

int accounting_store_invoice_documents(sk_db *db, const char *invoice_id, PGresult **res)
{
    return sk_db_query(db,
                       "SELECT " DOCUMENT_COLUMNS " FROM accounting.invoice_document"
                       " WHERE invoice_id = $1 ORDER BY uploaded_at, id",
                       (sk_param[]){SK_TEXT(invoice_id)}, 1, res);
}

int accounting_store_invoice_document(sk_db *db, const char *invoice_id, const char *document_id,
                                      PGresult **res)
{
    sk_param p[] = {SK_TEXT(invoice_id), SK_TEXT(document_id)};
    SK_TRY(sk_db_query(db,
                       "SELECT " DOCUMENT_COLUMNS ", content FROM accounting.invoice_document"
                       " WHERE invoice_id = $1 AND id = $2",
                       p, 2, res));
    if (PQntuples(*res) == 1)
        return SK_OK;
    PQclear(*res);
    *res = NULL;
    return SK_ENOTFOUND;
}

int accounting_store_agreements_signed(sk_db *db, const char *invoice_id, bool *all_signed)
{
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "SELECT count(*) = count(a.id) FILTER (WHERE a.has_document)"
                       " AND count(*) > 0"
                       " FROM accounting.invoice_order io"
                       " JOIN accounting.order_info o ON o.id = io.order_id"
                       " LEFT JOIN accounting.agreement_info a ON a.id = o.agreement_id"
                       " WHERE io.invoice_id = $1",
                       (sk_param[]){SK_TEXT(invoice_id)}, 1, &res));
    *all_signed = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return SK_OK;
}

/* ---- tax computations ---- */

int accounting_store_insert_tax_computation(sk_db *db, const char *id, const char *invoice_id,
                                            const accounting_tax_table_row *table,
                                            const accounting_tax_input *in,
                                            const accounting_tax_lines *l, const char *by)
{
    char n[19][24];
    int k = 0;
    snprintf(n[k++], 24, "%d", table->t.fiscal_year);
    snprintf(n[k++], 24, "%d", table->version);
    snprintf(n[k++], 24, "%d", table->t.pph23_bp);
    snprintf(n[k++], 24, "%d", table->t.no_npwp_uplift_pct);
    snprintf(n[k++], 24, "%d", table->t.ppn_bp);
    snprintf(n[k++], 24, "%d", table->t.dpp_num);
    snprintf(n[k++], 24, "%d", table->t.dpp_den);
    i64(n[k++], table->t.wapu_threshold);
    i64(n[k++], l->gross);
    i64(n[k++], l->price_before_vat);
    i64(n[k++], l->dpp_other);
    i64(n[k++], l->ppn);
    i64(n[k++], l->ppn_collected);
    i64(n[k++], l->pph23_base);
    snprintf(n[k++], 24, "%d", l->pph23_bp);
    i64(n[k++], l->pph23);
    i64(n[k++], l->net);
    sk_param p[] = {SK_TEXT(id),    SK_TEXT(invoice_id), SK_TEXT(n[0]),  SK_TEXT(n[1]),
                    SK_TEXT(n[2]),  SK_TEXT(n[3]),       SK_TEXT(n[4]),  SK_TEXT(n[5]),
                    SK_TEXT(n[6]),  SK_TEXT(n[7]),
                    SK_TEXT(accounting_rounding_name(table->t.rounding)),
                    SK_TEXT(n[8]),  SK_TEXT(in->pkp ? "true" : "false"),
                    SK_TEXT(in->has_npwp ? "true" : "false"),
                    SK_TEXT(n[9]),  SK_TEXT(n[10]),      SK_TEXT(n[11]),
                    SK_TEXT(l->wapu ? "true" : "false"),
                    SK_TEXT(n[12]), SK_TEXT(n[13]),      SK_TEXT(n[14]), SK_TEXT(n[15]),
                    SK_TEXT(n[16]), SK_TEXT(by)};
    return sk_db_exec(db,
                      "INSERT INTO accounting.tax_computation (id, invoice_id, fiscal_year,"
                      " table_version, pph23_bp, no_npwp_uplift_pct, ppn_bp, dpp_num, dpp_den,"
                      " wapu_threshold, rounding, gross, pkp, has_npwp, price_before_vat,"
                      " dpp_other, ppn, wapu, ppn_collected, pph23_base, pph23_rate_bp, pph23, net,"
                      " computed_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
                      " $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)",
                      p, 24);
}

int accounting_store_load_tax_computation(sk_db *db, const char *id,
                                          accounting_tax_computation_row *out)
{
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "SELECT id, fiscal_year, table_version, pph23_bp, no_npwp_uplift_pct, ppn_bp,"
                       " dpp_num, dpp_den, wapu_threshold, rounding, gross, pkp, has_npwp,"
                       " price_before_vat, dpp_other, ppn, wapu, ppn_collected, pph23_base,"
                       " pph23_rate_bp, pph23, net, " SQL_TS("computed_at") ", computed_by"
                       " FROM accounting.tax_computation WHERE id = $1",
                       (sk_param[]){SK_TEXT(id)}, 1, &res));
    int rc = SK_ENOTFOUND;
    if (PQntuples(res) == 1) {
        memset(out, 0, sizeof(*out));
        int c = 0;
        copy(out->id, sizeof(out->id), PQgetvalue(res, 0, c++));
        out->t.fiscal_year = atoi(PQgetvalue(res, 0, c++));
        out->table_version = atoi(PQgetvalue(res, 0, c++));
        out->t.pph23_bp = atoi(PQgetvalue(res, 0, c++));
        out->t.no_npwp_uplift_pct = atoi(PQgetvalue(res, 0, c++));
        out->t.ppn_bp = atoi(PQgetvalue(res, 0, c++));
        out->t.dpp_num = atoi(PQgetvalue(res, 0, c++));
        out->t.dpp_den = atoi(PQgetvalue(res, 0, c++));
        out->t.wapu_threshold = sk_db_get_int64(res, 0, c++);
        out->t.rounding = accounting_rounding_parse(PQgetvalue(res, 0, c++));
        out->in.gross = out->l.gross = sk_db_get_int64(res, 0, c++);
        out->in.pkp = PQgetvalue(res, 0, c++)[0] == 't';
        out->in.has_npwp = PQgetvalue(res, 0, c++)[0] == 't';
        out->l.price_before_vat = sk_db_get_int64(res, 0, c++);
        out->l.dpp_other = sk_db_get_int64(res, 0, c++);
        out->l.ppn = sk_db_get_int64(res, 0, c++);
        out->l.wapu = PQgetvalue(res, 0, c++)[0] == 't';
        out->l.ppn_collected = sk_db_get_int64(res, 0, c++);
        out->l.pph23_base = sk_db_get_int64(res, 0, c++);
        out->l.pph23_bp = atoi(PQgetvalue(res, 0, c++));
        out->l.pph23 = sk_db_get_int64(res, 0, c++);
        out->l.net = sk_db_get_int64(res, 0, c++);
        copy(out->computed_at, sizeof(out->computed_at), PQgetvalue(res, 0, c++));
        copy(out->computed_by, sizeof(out->computed_by), PQgetvalue(res, 0, c++));
        rc = SK_OK;
    }
    PQclear(res);
    return rc;
}

/* ---- payment steps ---- */

int accounting_store_insert_step(sk_db *db, const char *invoice_id, int step, const char *number,
                                 const char *date, const char *by)
{
    char id[SK_UUID_STRLEN];
    sk_uuid7(id);
    sk_param p[] = {SK_TEXT(id),     SK_TEXT(invoice_id), SK_TEXT(accounting_step_name(step)),
                    SK_TEXT(number), SK_TEXT(date),       SK_TEXT(by)};
    return sk_db_exec(db,
                      "INSERT INTO accounting.payment_step (id, invoice_id, step, number, step_date,"
                      " recorded_by) VALUES ($1, $2, $3, $4, $5::date, $6)",
                      p, 6);
}

int accounting_store_cancel_step(sk_db *db, const char *invoice_id, int step, const char *reason,
                                 const char *by)
{
    sk_param p[] = {SK_TEXT(invoice_id), SK_TEXT(accounting_step_name(step)), SK_TEXT(reason),
                    SK_TEXT(by)};
    return one_row_changed(db,
                           "UPDATE accounting.payment_step SET cancelled_at = now(),"
                           " cancelled_by = $4, cancelled_reason = $3"
                           " WHERE invoice_id = $1 AND step = $2 AND cancelled_at IS NULL"
                           " RETURNING id",
                           p, 4);
}

int accounting_store_steps(sk_db *db, const char *invoice_id, PGresult **res)
{
    return sk_db_query(db,
                       "SELECT step, number, to_char(step_date, 'YYYY-MM-DD'), "
                       SQL_TS("recorded_at") ", recorded_by, " SQL_TS("cancelled_at")
                       ", coalesce(cancelled_by, ''), cancelled_reason"
                       " FROM accounting.payment_step WHERE invoice_id = $1"
                       " ORDER BY recorded_at, id",
                       (sk_param[]){SK_TEXT(invoice_id)}, 1, res);
}

/* ---- accounts ---- */

int accounting_store_office_account(sk_db *db, const char *code, char id[SK_UUID_STRLEN])
{
    PGresult *res;
    SK_TRY(sk_db_query(db, "SELECT id FROM accounting.account WHERE code = $1",
                       (sk_param[]){SK_TEXT(code)}, 1, &res));
    int rc = SK_ENOTFOUND;
    if (PQntuples(res) == 1) {
        copy(id, SK_UUID_STRLEN, PQgetvalue(res, 0, 0));
        rc = SK_OK;
    }
    PQclear(res);
    return rc;
}

int accounting_store_partner_payable(sk_db *db, const char *company_id, char id[SK_UUID_STRLEN])
{
    char fresh[SK_UUID_STRLEN];
    sk_uuid7(fresh);
    sk_param p[] = {SK_TEXT(fresh), SK_TEXT(company_id)};
    /* Nothing is paid out of it that was not owed first. */
    SK_TRY(sk_db_exec(db,
                      "INSERT INTO accounting.account (id, code, kind, company_id,"
                      " debits_must_not_exceed_credits)"
                      " VALUES ($1, 'partner:' || $2 || ':payable', 'partner_payable', $2::uuid, true)"
                      " ON CONFLICT DO NOTHING",
                      p, 2));
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "SELECT id FROM accounting.account WHERE company_id = $1"
                       " AND kind = 'partner_payable'",
                       (sk_param[]){SK_TEXT(company_id)}, 1, &res));
    int rc = SK_ENOTFOUND;
    if (PQntuples(res) == 1) {
        copy(id, SK_UUID_STRLEN, PQgetvalue(res, 0, 0));
        rc = SK_OK;
    }
    PQclear(res);
    return rc;
}

int accounting_store_open_payments(sk_db *db, const char *invoice_id, PGresult **res)
{
    return sk_db_query(db,
                       "SELECT t.id, t.code, t.amount FROM accounting.transfer t"
                       " WHERE t.reference = $1 AND t.kind = 'pending' AND t.code LIKE 'payment.%'"
                       " AND NOT EXISTS (SELECT 1 FROM accounting.transfer c"
                       "  WHERE c.pending_id = t.id) ORDER BY t.seq",
                       (sk_param[]){SK_TEXT(invoice_id)}, 1, res);
}

/* ---- the SIPD export ---- */

int accounting_store_spp_lines(sk_db *db, const char *invoice_id, PGresult **res)
{
    return sk_db_query(db,
                       "SELECT l.sub_activity_code, l.account_code, l.name, sum(io.gross)"
                       " FROM accounting.invoice_order io"
                       " JOIN accounting.budget_line l ON l.id = io.budget_line_id"
                       " WHERE io.invoice_id = $1"
                       " GROUP BY l.sub_activity_code, l.account_code, l.name"
                       " ORDER BY l.sub_activity_code, l.account_code",
                       (sk_param[]){SK_TEXT(invoice_id)}, 1, res);
}

int accounting_store_invoice_agreements(sk_db *db, const char *invoice_id, PGresult **res)
{
    return sk_db_query(db,
                       "SELECT DISTINCT a.number, coalesce(to_char(a.signed_on, 'YYYY-MM-DD'), '')"
                       " FROM accounting.invoice_order io"
                       " JOIN accounting.order_info o ON o.id = io.order_id"
                       " JOIN accounting.agreement_info a ON a.id = o.agreement_id"
                       " WHERE io.invoice_id = $1 ORDER BY 1, 2",
                       (sk_param[]){SK_TEXT(invoice_id)}, 1, res);
}

/* ---- reports ---- */

int accounting_store_tax_due(sk_db *db, int year, PGresult **res)
{
    char y[16];
    snprintf(y, sizeof(y), "%d", year);
    return sk_db_query(db,
                       "SELECT i.id, i.number, i.company_name, to_char(i.paid_on, 'YYYY-MM-DD'),"
                       " tc.pph23, tc.ppn_collected, i.slip_number,"
                       " coalesce(to_char(i.slip_date, 'YYYY-MM-DD'), '')"
                       " FROM accounting.invoice i"
                       " JOIN accounting.tax_computation tc ON tc.id = i.tax_computation_id"
                       " WHERE i.state = 'paid' AND i.fiscal_year = $1 ORDER BY i.paid_on, i.id",
                       (sk_param[]){SK_TEXT(y)}, 1, res);
}

int accounting_store_unpaid(sk_db *db, int year, PGresult **res)
{
    char y[16];
    snprintf(y, sizeof(y), "%d", year);
    return sk_db_query(db,
                       "SELECT id, state, gross, to_char(submitted_on, 'YYYY-MM-DD')"
                       " FROM accounting.invoice WHERE state NOT IN ('returned', 'paid')"
                       " AND ($1::int = 0 OR fiscal_year = $1::int) ORDER BY submitted_on, id",
                       (sk_param[]){SK_TEXT(y)}, 1, res);
}
