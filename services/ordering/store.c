/* store.c - SQL for the ordering schema (see store.h). */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "sk_err.h"

#define TS(col)                                                                                    \
    "coalesce(to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '')"

#define N(x) ((int)(sizeof(x) / sizeof((x)[0])))

static void itoa_(char *buf, size_t cap, long long v)
{
    snprintf(buf, cap, "%lld", v);
}

static const char *opt(const char *s)
{
    return s && *s ? s : NULL; /* "" -> SQL NULL */
}

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* Run a statement that must touch one row: SK_ENOTFOUND when it touched none. */
static int exec_one(sk_db *db, const char *sql, const sk_param *p, int n)
{
    PGresult *res;
    SK_TRY(sk_db_query(db, sql, p, n, &res));
    int rc = atoi(PQcmdTuples(res)) == 1 ? SK_OK : SK_ENOTFOUND;
    PQclear(res);
    return rc;
}

/* A query whose result must have at least one row. */
static int query_rows(sk_db *db, const char *sql, const sk_param *p, int n, PGresult **res)
{
    SK_TRY(sk_db_query(db, sql, p, n, res));
    if (PQntuples(*res) == 0) {
        PQclear(*res);
        *res = NULL;
        return SK_ENOTFOUND;
    }
    return SK_OK;
}

/* ---- settings ---- */

static const char SQL_SETTINGS[] =
    "SELECT approval_threshold, number_format, proof_grace_days,"
    " coalesce(default_budget_line_id::text, ''), closed, " TS("updated_at") ", updated_by"
    " FROM ordering.year_settings WHERE fiscal_year = $1";
static const char SQL_SETTINGS_LOCK[] =
    "SELECT approval_threshold, number_format, proof_grace_days,"
    " coalesce(default_budget_line_id::text, ''), closed, " TS("updated_at") ", updated_by"
    " FROM ordering.year_settings WHERE fiscal_year = $1 FOR UPDATE";

int ordering_store_settings(sk_db *db, int year, bool lock, ordering_settings *out)
{
    char y[24];
    itoa_(y, sizeof(y), year);
    memset(out, 0, sizeof(*out));
    out->fiscal_year = year;
    out->approval_threshold = ORDERING_DEFAULT_THRESHOLD;
    copy(out->number_format, sizeof(out->number_format), ORDERING_DEFAULT_NUMBER_FORMAT);
    out->proof_grace_days = ORDERING_DEFAULT_GRACE_DAYS;
    PGresult *res;
    SK_TRY(sk_db_query(db, lock ? SQL_SETTINGS_LOCK : SQL_SETTINGS, (sk_param[]){SK_TEXT(y)}, 1,
                       &res));
    if (PQntuples(res) == 1) {
        out->approval_threshold = sk_db_get_int64(res, 0, 0);
        copy(out->number_format, sizeof(out->number_format), PQgetvalue(res, 0, 1));
        out->proof_grace_days = atoi(PQgetvalue(res, 0, 2));
        copy(out->default_budget_line_id, sizeof(out->default_budget_line_id),
             PQgetvalue(res, 0, 3));
        out->closed = PQgetvalue(res, 0, 4)[0] == 't';
        copy(out->updated_at, sizeof(out->updated_at), PQgetvalue(res, 0, 5));
        copy(out->updated_by, sizeof(out->updated_by), PQgetvalue(res, 0, 6));
    }
    PQclear(res);
    return SK_OK;
}

int ordering_store_save_settings(sk_db *db, const ordering_settings *s, const char *by)
{
    char y[24], t[24], g[24];
    itoa_(y, sizeof(y), s->fiscal_year);
    itoa_(t, sizeof(t), s->approval_threshold);
    itoa_(g, sizeof(g), s->proof_grace_days);
    sk_param p[] = {SK_TEXT(y), SK_TEXT(t), SK_TEXT(s->number_format), SK_TEXT(g),
                    SK_TEXT(opt(s->default_budget_line_id)), SK_TEXT(by)};
    return sk_db_exec(db,
                      "INSERT INTO ordering.year_settings (fiscal_year, approval_threshold,"
                      " number_format, proof_grace_days, default_budget_line_id, updated_by)"
                      " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (fiscal_year) DO UPDATE SET"
                      " approval_threshold = $2, number_format = $3, proof_grace_days = $4,"
                      " default_budget_line_id = $5, updated_by = $6, updated_at = now()",
                      p, N(p));
}

int ordering_store_close_year(sk_db *db, int year, const char *by, bool *closed_now)
{
    char y[24], t[24], g[24];
    itoa_(y, sizeof(y), year);
    itoa_(t, sizeof(t), ORDERING_DEFAULT_THRESHOLD);
    itoa_(g, sizeof(g), ORDERING_DEFAULT_GRACE_DAYS);
    sk_param p[] = {SK_TEXT(y), SK_TEXT(t), SK_TEXT(ORDERING_DEFAULT_NUMBER_FORMAT), SK_TEXT(g),
                    SK_TEXT(by)};
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "INSERT INTO ordering.year_settings (fiscal_year, approval_threshold,"
                       " number_format, proof_grace_days, closed, updated_by)"
                       " VALUES ($1, $2, $3, $4, true, $5) ON CONFLICT (fiscal_year) DO UPDATE"
                       " SET closed = true, updated_by = $5, updated_at = now()"
                       " WHERE NOT ordering.year_settings.closed RETURNING 1",
                       p, N(p), &res));
    *closed_now = PQntuples(res) == 1;
    PQclear(res);
    return SK_OK;
}

int ordering_store_last_seq(sk_db *db, int year, int *last)
{
    char y[24];
    itoa_(y, sizeof(y), year);
    PGresult *res;
    SK_TRY(sk_db_query(db, "SELECT last_seq FROM ordering.number_counter WHERE fiscal_year = $1",
                       (sk_param[]){SK_TEXT(y)}, 1, &res));
    *last = PQntuples(res) == 1 ? atoi(PQgetvalue(res, 0, 0)) : 0;
    PQclear(res);
    return SK_OK;
}

int ordering_store_next_seq(sk_db *db, int year, int *seq)
{
    char y[24];
    itoa_(y, sizeof(y), year);
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "INSERT INTO ordering.number_counter (fiscal_year, last_seq) VALUES ($1, 1)"
                       " ON CONFLICT (fiscal_year) DO UPDATE SET last_seq ="
                       " ordering.number_counter.last_seq + 1 RETURNING last_seq",
                       (sk_param[]){SK_TEXT(y)}, 1, &res));
    *seq = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return SK_OK;
}

/* ---- read model ---- */

int ordering_store_upsert_outlet(sk_db *db, const char *outlet_id, int year,
                                 const char *company_id, const char *name, int type, int tier,
                                 int total, bool suspended)
{
    char y[24], ty[24], ti[24], to[24];
    itoa_(y, sizeof(y), year);
    itoa_(ty, sizeof(ty), type);
    itoa_(ti, sizeof(ti), tier);
    itoa_(to, sizeof(to), total);
    sk_param p[] = {SK_TEXT(outlet_id), SK_TEXT(y), SK_TEXT(company_id), SK_TEXT(name ? name : ""),
                    SK_TEXT(ty), SK_TEXT(ti), SK_TEXT(to), SK_TEXT(suspended ? "t" : "f")};
    return sk_db_exec(db,
                      "INSERT INTO ordering.outlet (outlet_id, fiscal_year, company_id,"
                      " outlet_name, outlet_type, tier, total, suspended) VALUES ($1, $2, $3, $4,"
                      " $5, $6, $7, $8) ON CONFLICT (outlet_id, fiscal_year) DO UPDATE SET"
                      " company_id = $3, outlet_name = $4, outlet_type = $5, tier = $6,"
                      " total = $7, suspended = $8",
                      p, N(p));
}

int ordering_store_replace_ceilings(sk_db *db, int year, const char *id, int version,
                                    const ordering_ceiling_entry *e, size_t n, bool *applied)
{
    char y[24], v[24];
    itoa_(y, sizeof(y), year);
    itoa_(v, sizeof(v), version);
    sk_param p[] = {SK_TEXT(y), SK_TEXT(id), SK_TEXT(v)};
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "INSERT INTO ordering.price_standard (fiscal_year, id, version)"
                       " VALUES ($1, $2, $3) ON CONFLICT (fiscal_year) DO UPDATE SET id = $2,"
                       " version = $3 WHERE ordering.price_standard.version < $3 RETURNING 1",
                       p, N(p), &res));
    *applied = PQntuples(res) == 1;
    PQclear(res);
    if (!*applied)
        return SK_OK;
    SK_TRY(sk_db_exec(db, "DELETE FROM ordering.ceiling WHERE fiscal_year = $1",
                      (sk_param[]){SK_TEXT(y)}, 1));
    for (size_t i = 0; i < n; i++) {
        char ty[24], pr[24], ti[24], c[24];
        itoa_(ty, sizeof(ty), e[i].outlet_type);
        itoa_(pr, sizeof(pr), e[i].product);
        itoa_(ti, sizeof(ti), e[i].tier);
        itoa_(c, sizeof(c), e[i].ceiling);
        sk_param q[] = {SK_TEXT(y), SK_TEXT(ty), SK_TEXT(pr), SK_TEXT(ti), SK_TEXT(c)};
        SK_TRY(sk_db_exec(db,
                          "INSERT INTO ordering.ceiling (fiscal_year, outlet_type, product, tier,"
                          " ceiling) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                          q, N(q)));
    }
    return SK_OK;
}

int ordering_store_upsert_company(sk_db *db, const char *company_id, const char *name)
{
    sk_param p[] = {SK_TEXT(company_id), SK_TEXT(name)};
    return sk_db_exec(db,
                      "INSERT INTO ordering.company (company_id, name) VALUES ($1, $2)"
                      " ON CONFLICT (company_id) DO UPDATE SET name = $2",
                      p, N(p));
}

int ordering_store_mirror_outlets(sk_db *db, PGresult **res)
{
    return sk_db_query(db,
                       "SELECT outlet_id, fiscal_year, company_id, outlet_type, tier, suspended"
                       " FROM ordering.outlet",
                       NULL, 0, res);
}

int ordering_store_mirror_ceilings(sk_db *db, PGresult **res)
{
    return sk_db_query(db,
                       "SELECT c.fiscal_year, p.version, c.outlet_type, c.product, c.tier,"
                       " c.ceiling FROM ordering.ceiling c JOIN ordering.price_standard p"
                       " USING (fiscal_year) ORDER BY c.fiscal_year",
                       NULL, 0, res);
}

int ordering_store_company_tiered(sk_db *db, const char *company_id, int year, bool *tiered)
{
    char y[24];
    itoa_(y, sizeof(y), year);
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "SELECT 1 FROM ordering.outlet WHERE company_id = $1 AND fiscal_year = $2"
                       " AND tier >= 1 AND NOT suspended LIMIT 1",
                       (sk_param[]){SK_TEXT(company_id), SK_TEXT(y)}, 2, &res));
    *tiered = PQntuples(res) == 1;
    PQclear(res);
    return SK_OK;
}

int ordering_store_company_name(sk_db *db, const char *company_id, char *out, size_t cap)
{
    PGresult *res;
    SK_TRY(sk_db_query(db, "SELECT name FROM ordering.company WHERE company_id = $1",
                       (sk_param[]){SK_TEXT(company_id)}, 1, &res));
    copy(out, cap, PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "");
    PQclear(res);
    return SK_OK;
}

int ordering_store_products(sk_db *db, int year, const char *company_id, const char *outlet_id,
                            PGresult **res)
{
    char y[24];
    itoa_(y, sizeof(y), year);
    sk_param p[] = {SK_TEXT(y), SK_TEXT(opt(company_id)), SK_TEXT(opt(outlet_id))};
    return sk_db_query(db,
                       "SELECT o.outlet_id, o.outlet_name, o.company_id, o.outlet_type, o.tier,"
                       " c.product, c.ceiling, p.version FROM ordering.outlet o"
                       " JOIN ordering.ceiling c ON c.fiscal_year = o.fiscal_year AND"
                       " c.outlet_type = o.outlet_type AND c.tier = o.tier"
                       " JOIN ordering.price_standard p ON p.fiscal_year = o.fiscal_year"
                       " WHERE o.fiscal_year = $1 AND o.tier >= 1 AND NOT o.suspended"
                       " AND ($2::uuid IS NULL OR o.company_id = $2)"
                       " AND ($3::uuid IS NULL OR o.outlet_id = $3)"
                       " ORDER BY o.outlet_name, o.outlet_id, c.product",
                       p, N(p), res);
}

/* ---- agreements ---- */

#define AGREEMENT_COLUMNS                                                                          \
    "a.id, a.company_id, a.fiscal_year, a.number, a.value, a.valid_from::text,"                   \
    " a.valid_until::text, coalesce(a.budget_line_id::text, ''), a.state, a.used_value,"          \
    " coalesce(a.signed_on::text, ''), coalesce(a.document_sha256, ''),"                          \
    " coalesce(a.document_file_name, ''), a.version, " TS("a.created_at") ", a.created_by,"       \
    " coalesce(c.name, ''), coalesce((SELECT string_agg(q.product || ':' || q.placements ||"      \
    " ':' || q.used, ',' ORDER BY q.product) FROM ordering.agreement_quota q WHERE"               \
    " q.agreement_id = a.id), '')"
#define AGREEMENT_FROM                                                                             \
    " FROM ordering.agreement a LEFT JOIN ordering.company c ON c.company_id = a.company_id"

int ordering_store_agreement(sk_db *db, const char *id, bool lock, PGresult **res)
{
    return query_rows(db,
                      lock ? "SELECT " AGREEMENT_COLUMNS AGREEMENT_FROM
                             " WHERE a.id = $1 FOR UPDATE OF a"
                           : "SELECT " AGREEMENT_COLUMNS AGREEMENT_FROM " WHERE a.id = $1",
                      (sk_param[]){SK_TEXT(id)}, 1, res);
}

size_t ordering_store_parse_quotas(const char *text, ordering_quota *q, size_t cap)
{
    size_t n = 0;
    for (const char *p = text; p && *p && n < cap;) {
        ordering_quota x;
        int used = 0;
        if (sscanf(p, "%d:%d:%d%n", &x.product, &x.placements, &x.used, &used) != 3)
            break;
        q[n++] = x;
        p += used;
        if (*p == ',')
            p++;
    }
    return n;
}

int ordering_store_agreement_insert(sk_db *db, const ordering_agreement_row *a, const char *by)
{
    char y[24], v[24];
    itoa_(y, sizeof(y), a->fiscal_year);
    itoa_(v, sizeof(v), a->value);
    sk_param p[] = {SK_TEXT(a->id),          SK_TEXT(a->company_id),  SK_TEXT(y),
                    SK_TEXT(a->number),      SK_TEXT(v),              SK_TEXT(a->valid_from),
                    SK_TEXT(a->valid_until), SK_TEXT(opt(a->budget_line_id)), SK_TEXT(by)};
    return sk_db_exec(db,
                      "INSERT INTO ordering.agreement (id, company_id, fiscal_year, number, value,"
                      " valid_from, valid_until, budget_line_id, state, created_by) VALUES ($1,"
                      " $2, $3, $4, $5, $6, $7, $8, 1, $9)",
                      p, N(p));
}

int ordering_store_agreement_update(sk_db *db, const ordering_agreement_row *a)
{
    char y[24], v[24];
    itoa_(y, sizeof(y), a->fiscal_year);
    itoa_(v, sizeof(v), a->value);
    sk_param p[] = {SK_TEXT(a->id),         SK_TEXT(a->company_id),  SK_TEXT(y),
                    SK_TEXT(a->number),     SK_TEXT(v),              SK_TEXT(a->valid_from),
                    SK_TEXT(a->valid_until), SK_TEXT(opt(a->budget_line_id))};
    return exec_one(db,
                    "UPDATE ordering.agreement SET company_id = $2, fiscal_year = $3, number = $4,"
                    " value = $5, valid_from = $6, valid_until = $7, budget_line_id = $8,"
                    " version = version + 1, updated_at = now() WHERE id = $1 AND state = 1",
                    p, N(p));
}

int ordering_store_agreement_set_quotas(sk_db *db, const char *id, const ordering_quota *q,
                                        size_t n)
{
    SK_TRY(sk_db_exec(db, "DELETE FROM ordering.agreement_quota WHERE agreement_id = $1",
                      (sk_param[]){SK_TEXT(id)}, 1));
    for (size_t i = 0; i < n; i++) {
        char pr[24], pl[24];
        itoa_(pr, sizeof(pr), q[i].product);
        itoa_(pl, sizeof(pl), q[i].placements);
        sk_param p[] = {SK_TEXT(id), SK_TEXT(pr), SK_TEXT(pl)};
        SK_TRY(sk_db_exec(db,
                          "INSERT INTO ordering.agreement_quota (agreement_id, product,"
                          " placements) VALUES ($1, $2, $3)",
                          p, N(p)));
    }
    return SK_OK;
}

int ordering_store_agreement_sign(sk_db *db, const char *id, const char *signed_on,
                                  const uint8_t *doc, size_t len, const char *sha256,
                                  const char *file_name)
{
    sk_param p[] = {SK_TEXT(id), SK_TEXT(signed_on), SK_BYTES(doc, len), SK_TEXT(sha256),
                    SK_TEXT(file_name ? file_name : "")};
    return exec_one(db,
                    "UPDATE ordering.agreement SET state = 2, signed_on = $2, document = $3,"
                    " document_sha256 = $4, document_file_name = $5, version = version + 1,"
                    " updated_at = now() WHERE id = $1 AND state = 1",
                    p, N(p));
}

int ordering_store_agreement_cancel(sk_db *db, const char *id, const char *reason)
{
    sk_param p[] = {SK_TEXT(id), SK_TEXT(reason)};
    return exec_one(db,
                    "UPDATE ordering.agreement SET state = 4, cancelled_reason = $2,"
                    " version = version + 1, updated_at = now() WHERE id = $1 AND state IN (1, 2)",
                    p, N(p));
}

int ordering_store_agreement_live_orders(sk_db *db, const char *id, int *count)
{
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "SELECT count(*) FROM ordering.orders WHERE agreement_id = $1 AND"
                       " state NOT IN (11, 12, 13)",
                       (sk_param[]){SK_TEXT(id)}, 1, &res));
    *count = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return SK_OK;
}

int ordering_store_agreement_document(sk_db *db, const char *id, PGresult **res)
{
    return query_rows(db,
                      "SELECT coalesce(document_file_name, ''), coalesce(document_sha256, ''),"
                      " document FROM ordering.agreement WHERE id = $1 AND document IS NOT NULL",
                      (sk_param[]){SK_TEXT(id)}, 1, res);
}

int ordering_store_agreements(sk_db *db, int year, const char *company_id, const char *after,
                              int limit, PGresult **res)
{
    char y[24], l[24];
    itoa_(y, sizeof(y), year);
    itoa_(l, sizeof(l), limit);
    sk_param p[] = {SK_TEXT(y), SK_TEXT(opt(company_id)), SK_TEXT(opt(after)), SK_TEXT(l)};
    return sk_db_query(db,
                       "SELECT " AGREEMENT_COLUMNS AGREEMENT_FROM
                       " WHERE ($1::int = 0 OR a.fiscal_year = $1)"
                       " AND ($2::uuid IS NULL OR a.company_id = $2)"
                       " AND ($3::uuid IS NULL OR a.id < $3) ORDER BY a.id DESC LIMIT $4",
                       p, N(p), res);
}

int ordering_store_hold_quota(sk_db *db, const char *agreement_id, int product, int quantity,
                              bool *fits)
{
    char pr[24], q[24];
    itoa_(pr, sizeof(pr), product);
    itoa_(q, sizeof(q), quantity);
    sk_param p[] = {SK_TEXT(agreement_id), SK_TEXT(pr), SK_TEXT(q)};
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "UPDATE ordering.agreement_quota SET used = used + $3 WHERE agreement_id ="
                       " $1 AND product = $2 AND used + $3 BETWEEN 0 AND placements RETURNING used",
                       p, N(p), &res));
    *fits = PQntuples(res) == 1;
    PQclear(res);
    return SK_OK;
}

int ordering_store_hold_value(sk_db *db, const char *agreement_id, int64_t gross, bool *fits)
{
    char g[24];
    itoa_(g, sizeof(g), gross);
    sk_param p[] = {SK_TEXT(agreement_id), SK_TEXT(g)};
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "UPDATE ordering.agreement SET used_value = used_value + $2 WHERE id = $1"
                       " AND used_value + $2 BETWEEN 0 AND value RETURNING used_value",
                       p, N(p), &res));
    *fits = PQntuples(res) == 1;
    PQclear(res);
    return SK_OK;
}

/* ---- orders ---- */

#define ORDER_COLUMNS                                                                              \
    "o.id, o.fiscal_year, o.agreement_id, o.company_id, o.outlet_id, o.product, o.quantity,"      \
    " o.schedule_from::text, o.schedule_to::text, o.title, o.brief,"                              \
    " coalesce(o.press_release_id::text, ''), coalesce(o.budget_line_id::text, ''), o.state,"     \
    " o.ceiling, o.unit_price, o.gross, o.needs_approval, coalesce(o.approved_by, ''), "          \
    TS("o.approved_at") ", coalesce(o.number, ''), " TS("o.issued_at") ","                        \
    " coalesce(o.issued_by, ''), coalesce(o.refusal_field, ''), coalesce(o.refusal_reason, ''),"  \
    " coalesce(o.cancelled_reason, ''), o.version, " TS("o.created_at") ", o.created_by,"         \
    " coalesce(c.name, ''), coalesce(ol.outlet_name, ''), o.held,"                                \
    " coalesce(o.reserve_line::text, ''), coalesce(o.resume_state, 0), o.release_pending,"        \
    " coalesce(o.issue_requested_by, ''), coalesce(o.seq, 0)"
#define ORDER_FROM                                                                                 \
    " FROM ordering.orders o LEFT JOIN ordering.company c ON c.company_id = o.company_id"         \
    " LEFT JOIN ordering.outlet ol ON ol.outlet_id = o.outlet_id AND"                             \
    " ol.fiscal_year = o.fiscal_year"

int ordering_store_order(sk_db *db, const char *id, bool lock, PGresult **res)
{
    return query_rows(db,
                      lock ? "SELECT " ORDER_COLUMNS ORDER_FROM " WHERE o.id = $1 FOR UPDATE OF o"
                           : "SELECT " ORDER_COLUMNS ORDER_FROM " WHERE o.id = $1",
                      (sk_param[]){SK_TEXT(id)}, 1, res);
}

int ordering_store_order_full(sk_db *db, const char *id, PGresult **res)
{
    return query_rows(
        db,
        "SELECT " ORDER_COLUMNS ", coalesce((SELECT json_agg(json_build_array(f.round, f.party,"
        " f.unit_price, f.gross, f.note, " TS("f.offered_at") ", f.offered_by) ORDER BY f.round)"
        " FROM ordering.offer f WHERE f.order_id = o.id), '[]'), coalesce((SELECT"
        " json_agg(json_build_array(p.version, p.kind, p.url, " TS("p.published_at") ","
        " p.file_name, p.content_type, p.sha256, " TS("p.submitted_at") ", p.submitted_by,"
        " p.decision, p.reason, " TS("p.decided_at") ", coalesce(p.decided_by, ''), p.late)"
        " ORDER BY p.version) FROM ordering.proof p WHERE p.order_id = o.id), '[]')"
        ORDER_FROM " WHERE o.id = $1",
        (sk_param[]){SK_TEXT(id)}, 1, res);
}

int ordering_store_order_insert(sk_db *db, const ordering_order_row *o, const char *by)
{
    char y[24], pr[24], q[24], st[24], ce[24], up[24], gr[24];
    itoa_(y, sizeof(y), o->fiscal_year);
    itoa_(pr, sizeof(pr), o->product);
    itoa_(q, sizeof(q), o->quantity);
    itoa_(st, sizeof(st), o->state);
    itoa_(ce, sizeof(ce), o->ceiling);
    itoa_(up, sizeof(up), o->unit_price);
    itoa_(gr, sizeof(gr), o->gross);
    sk_param p[] = {SK_TEXT(o->id),          SK_TEXT(y),
                    SK_TEXT(o->agreement_id), SK_TEXT(o->company_id),
                    SK_TEXT(o->outlet_id),   SK_TEXT(pr),
                    SK_TEXT(q),              SK_TEXT(o->schedule_from),
                    SK_TEXT(o->schedule_to), SK_TEXT(o->title),
                    SK_TEXT(o->brief ? o->brief : ""), SK_TEXT(opt(o->press_release_id)),
                    SK_TEXT(opt(o->budget_line_id)), SK_TEXT(st),
                    SK_TEXT(ce),             SK_TEXT(up),
                    SK_TEXT(gr),             SK_TEXT(by)};
    return sk_db_exec(db,
                      "INSERT INTO ordering.orders (id, fiscal_year, agreement_id, company_id,"
                      " outlet_id, product, quantity, schedule_from, schedule_to, title, brief,"
                      " press_release_id, budget_line_id, state, ceiling, unit_price, gross,"
                      " created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
                      " $13, $14, $15, $16, $17, $18)",
                      p, N(p));
}

int ordering_store_order_set_state(sk_db *db, const char *id, int state, int64_t ceiling,
                                   int64_t unit_price, int64_t gross, bool needs_approval)
{
    char st[24], ce[24], up[24], gr[24];
    itoa_(st, sizeof(st), state);
    itoa_(ce, sizeof(ce), ceiling);
    itoa_(up, sizeof(up), unit_price);
    itoa_(gr, sizeof(gr), gross);
    sk_param p[] = {SK_TEXT(id), SK_TEXT(st), SK_TEXT(ce), SK_TEXT(up), SK_TEXT(gr),
                    SK_TEXT(needs_approval ? "t" : "f")};
    return exec_one(db,
                    "UPDATE ordering.orders SET state = $2, ceiling = $3, unit_price = $4,"
                    " gross = $5, needs_approval = $6, version = version + 1, updated_at = now()"
                    " WHERE id = $1",
                    p, N(p));
}

int ordering_store_order_move(sk_db *db, const char *id, int state, const char *reason)
{
    char st[24];
    itoa_(st, sizeof(st), state);
    sk_param p[] = {SK_TEXT(id), SK_TEXT(st), SK_TEXT(reason)};
    return exec_one(db,
                    "UPDATE ordering.orders SET state = $2, cancelled_reason ="
                    " coalesce($3, cancelled_reason), version = version + 1, updated_at = now()"
                    " WHERE id = $1",
                    p, N(p));
}

int ordering_store_order_approve(sk_db *db, const char *id, const char *by)
{
    sk_param p[] = {SK_TEXT(id), SK_TEXT(by)};
    return exec_one(db,
                    "UPDATE ordering.orders SET state = 6, approved_by = $2, approved_at = now(),"
                    " version = version + 1, updated_at = now() WHERE id = $1 AND state = 5",
                    p, N(p));
}

int ordering_store_order_issuing(sk_db *db, const char *id, const char *line, int resume_state,
                                 const char *by)
{
    char rs[24];
    itoa_(rs, sizeof(rs), resume_state);
    sk_param p[] = {SK_TEXT(id), SK_TEXT(line), SK_TEXT(rs), SK_TEXT(by)};
    return exec_one(db,
                    "UPDATE ordering.orders SET state = 7, held = true, reserve_line = $2,"
                    " resume_state = $3, issue_requested_by = $4, refusal_field = NULL,"
                    " refusal_reason = NULL, version = version + 1, updated_at = now()"
                    " WHERE id = $1 AND NOT held",
                    p, N(p));
}

int ordering_store_order_issued(sk_db *db, const char *id, int seq, const char *number)
{
    char s[24];
    itoa_(s, sizeof(s), seq);
    sk_param p[] = {SK_TEXT(id), SK_TEXT(s), SK_TEXT(number)};
    return exec_one(db,
                    "UPDATE ordering.orders SET state = 8, seq = $2, number = $3,"
                    " issued_at = now(), issued_by = issue_requested_by, version = version + 1,"
                    " updated_at = now() WHERE id = $1 AND state = 7",
                    p, N(p));
}

int ordering_store_order_refused(sk_db *db, const char *id, const char *field,
                                 const char *reason)
{
    sk_param p[] = {SK_TEXT(id), SK_TEXT(field), SK_TEXT(reason)};
    return exec_one(db,
                    "UPDATE ordering.orders SET state = resume_state, held = false,"
                    " reserve_line = NULL, refusal_field = $2, refusal_reason = $3,"
                    " version = version + 1, updated_at = now() WHERE id = $1 AND state = 7",
                    p, N(p));
}

int ordering_store_order_cancel(sk_db *db, const char *id, const char *reason, const char *by,
                                bool release_pending)
{
    sk_param p[] = {SK_TEXT(id), SK_TEXT(reason), SK_TEXT(by), SK_TEXT(release_pending ? "t" : "f")};
    return exec_one(db,
                    "UPDATE ordering.orders SET state = 13, held = false, cancelled_reason = $2,"
                    " cancelled_by = $3, cancelled_at = now(), release_pending = $4,"
                    " version = version + 1, updated_at = now() WHERE id = $1",
                    p, N(p));
}

int ordering_store_order_released(sk_db *db, const char *id)
{
    return sk_db_exec(db,
                      "UPDATE ordering.orders SET release_pending = false WHERE id = $1",
                      (sk_param[]){SK_TEXT(id)}, 1);
}

int ordering_store_unfinished(sk_db *db, PGresult **res)
{
    return sk_db_query(db,
                       "SELECT id, state FROM ordering.orders WHERE state = 7 OR release_pending"
                       " ORDER BY id LIMIT 500",
                       NULL, 0, res);
}

int ordering_store_saga_lock(sk_db *db, const char *order_id, bool wait, bool *got)
{
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       wait ? "SELECT pg_advisory_lock(hashtext('ordering.issue.' || $1)), true"
                            : "SELECT 1, pg_try_advisory_lock(hashtext('ordering.issue.' || $1))",
                       (sk_param[]){SK_TEXT(order_id)}, 1, &res));
    *got = PQgetvalue(res, 0, 1)[0] == 't';
    PQclear(res);
    return SK_OK;
}

void ordering_store_saga_unlock(sk_db *db, const char *order_id)
{
    sk_db_exec(db, "SELECT pg_advisory_unlock(hashtext('ordering.issue.' || $1))",
               (sk_param[]){SK_TEXT(order_id)}, 1);
}

int ordering_store_orders(sk_db *db, const ordering_order_filter *f, PGresult **res)
{
    char y[24], st[24], l[24];
    itoa_(y, sizeof(y), f->year);
    itoa_(st, sizeof(st), f->state);
    itoa_(l, sizeof(l), f->limit);
    sk_param p[] = {SK_TEXT(y),
                    SK_TEXT(st),
                    SK_TEXT(opt(f->outlet_id)),
                    SK_TEXT(opt(f->company_id)),
                    SK_TEXT(opt(f->month_from)),
                    SK_TEXT(opt(f->month_to)),
                    SK_TEXT(f->hide_drafts ? "t" : "f"),
                    SK_TEXT(opt(f->after)),
                    SK_TEXT(l)};
    return sk_db_query(db,
                       "SELECT " ORDER_COLUMNS ORDER_FROM
                       " WHERE ($1::int = 0 OR o.fiscal_year = $1)"
                       " AND ($2::int = 0 OR o.state = $2)"
                       " AND ($3::uuid IS NULL OR o.outlet_id = $3)"
                       " AND ($4::uuid IS NULL OR o.company_id = $4)"
                       " AND ($5::date IS NULL OR o.schedule_to >= $5)"
                       " AND ($6::date IS NULL OR o.schedule_from <= $6)"
                       " AND (NOT $7::bool OR o.state <> 1)"
                       " AND ($8::uuid IS NULL OR o.id < $8)"
                       " ORDER BY o.id DESC LIMIT $9",
                       p, N(p), res);
}

/* ---- offers ---- */

int ordering_store_offer_add(sk_db *db, const char *order_id, int party, int64_t unit_price,
                             int64_t gross, const char *note, const char *by, int *round)
{
    char pa[24], up[24], gr[24];
    itoa_(pa, sizeof(pa), party);
    itoa_(up, sizeof(up), unit_price);
    itoa_(gr, sizeof(gr), gross);
    sk_param p[] = {SK_TEXT(order_id), SK_TEXT(pa), SK_TEXT(up), SK_TEXT(gr),
                    SK_TEXT(note ? note : ""), SK_TEXT(by)};
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "INSERT INTO ordering.offer (order_id, round, party, unit_price, gross,"
                       " note, offered_by) SELECT $1, coalesce(max(round), 0) + 1, $2, $3, $4,"
                       " $5, $6 FROM ordering.offer WHERE order_id = $1 RETURNING round",
                       p, N(p), &res));
    if (round)
        *round = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return SK_OK;
}

/* ---- proofs ---- */

#define PROOF_COLUMNS                                                                              \
    "version, kind, url, " TS("published_at") ", file_name, content_type, sha256, "               \
    TS("submitted_at") ", submitted_by, decision, reason, " TS("decided_at") ","                  \
    " coalesce(decided_by, ''), late"

int ordering_store_proof_file(sk_db *db, const char *order_id, int version, PGresult **res)
{
    char v[24];
    itoa_(v, sizeof(v), version);
    return query_rows(db,
                      "SELECT " PROOF_COLUMNS ", content FROM ordering.proof WHERE order_id = $1"
                      " AND version = $2",
                      (sk_param[]){SK_TEXT(order_id), SK_TEXT(v)}, 2, res);
}

int ordering_store_proof_add(sk_db *db, const char *order_id, const ordering_proof_row *p,
                             const char *by, int *version)
{
    char k[24];
    itoa_(k, sizeof(k), p->kind);
    sk_param q[] = {SK_TEXT(order_id),
                    SK_TEXT(k),
                    SK_TEXT(p->url ? p->url : ""),
                    SK_TEXT(p->published_at),
                    SK_TEXT(p->file_name ? p->file_name : ""),
                    SK_TEXT(p->content_type ? p->content_type : ""),
                    SK_TEXT(p->sha256 ? p->sha256 : ""),
                    p->len ? SK_BYTES(p->content, p->len) : SK_TEXT(NULL),
                    SK_TEXT(by),
                    SK_TEXT(p->late ? "t" : "f")};
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "INSERT INTO ordering.proof (order_id, version, kind, url, published_at,"
                       " file_name, content_type, sha256, content, submitted_by, late)"
                       " SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4, $5, $6, $7, $8,"
                       " $9, $10 FROM ordering.proof WHERE order_id = $1 RETURNING version",
                       q, N(q), &res));
    if (version)
        *version = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return SK_OK;
}

int ordering_store_proof_decide(sk_db *db, const char *order_id, int version, bool accept,
                                const char *reason, const char *by)
{
    char v[24];
    itoa_(v, sizeof(v), version);
    sk_param p[] = {SK_TEXT(order_id), SK_TEXT(v), SK_TEXT(accept ? "1" : "2"),
                    SK_TEXT(reason ? reason : ""), SK_TEXT(by)};
    return exec_one(db,
                    "UPDATE ordering.proof SET decision = $3, reason = $4, decided_at = now(),"
                    " decided_by = $5 WHERE order_id = $1 AND version = $2 AND decision = 0",
                    p, N(p));
}

/* ---- the year's end ---- */

int ordering_store_performance(sk_db *db, int year, PGresult **res)
{
    char y[24];
    itoa_(y, sizeof(y), year);
    return sk_db_query(db,
                       "SELECT o.company_id, sum(o.quantity), sum(o.quantity) FILTER (WHERE"
                       " o.state = 11 AND EXISTS (SELECT 1 FROM ordering.proof p WHERE"
                       " p.order_id = o.id AND p.decision = 1 AND NOT p.late))"
                       " FROM ordering.orders o WHERE o.fiscal_year = $1 AND o.state BETWEEN 8"
                       " AND 11 GROUP BY o.company_id ORDER BY o.company_id",
                       (sk_param[]){SK_TEXT(y)}, 1, res);
}

int ordering_store_issuing_count(sk_db *db, int year, int *count)
{
    char y[24];
    itoa_(y, sizeof(y), year);
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "SELECT count(*) FROM ordering.orders WHERE fiscal_year = $1 AND state = 7",
                       (sk_param[]){SK_TEXT(y)}, 1, &res));
    *count = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return SK_OK;
}
