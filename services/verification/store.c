/* store.c - SQL for the verification schema (see store.h). */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"

/* Times as RFC 3339 UTC text, the same everywhere. */
#define TS(col) \
    "coalesce(to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"
#define DAY(col) "coalesce(to_char(" col ", 'YYYY-MM-DD'), '')"

static void int_text(char *buf, size_t cap, long long v)
{
    snprintf(buf, cap, "%lld", v);
}

/* Run a query expected to return at most one row: SK_ENOTFOUND on none. */
static int query_one(sk_db *db, const char *sql, const sk_param *p, int n, PGresult **res)
{
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, sql, p, n, &r));
    if (PQntuples(r) == 0) {
        PQclear(r);
        return SK_ENOTFOUND;
    }
    *res = r;
    return SK_OK;
}

/* ---- requirement sets ---- */

#define RS_COLS \
    "id, fiscal_year, outlet_type, version, requirements, " TS("published_at") ", published_by"

static const char SQL_PUBLISH_SET[] =
    "INSERT INTO requirement_set (id, fiscal_year, outlet_type, version, requirements, "
    "published_by) "
    "SELECT $1, $2, $3, coalesce(max(version), 0) + 1, $4::jsonb, $5 FROM requirement_set "
    "WHERE fiscal_year = $2 AND outlet_type = $3 RETURNING " RS_COLS;

int verification_store_publish_set(sk_db *db, const char *id, int fiscal_year, int outlet_type,
                                   const char *requirements_json, const char *published_by,
                                   PGresult **res)
{
    char fy[16], ot[16];
    int_text(fy, sizeof(fy), fiscal_year);
    int_text(ot, sizeof(ot), outlet_type);
    sk_param p[] = {SK_TEXT(id), SK_TEXT(fy), SK_TEXT(ot), SK_TEXT(requirements_json),
                    SK_TEXT(published_by)};
    return query_one(db, SQL_PUBLISH_SET, p, 5, res);
}

static const char SQL_NEWEST_SET[] = "SELECT " RS_COLS " FROM requirement_set "
                                     "WHERE fiscal_year = $1 AND outlet_type = $2 "
                                     "ORDER BY version DESC LIMIT 1";

int verification_store_newest_set(sk_db *db, int fiscal_year, int outlet_type, PGresult **res)
{
    char fy[16], ot[16];
    int_text(fy, sizeof(fy), fiscal_year);
    int_text(ot, sizeof(ot), outlet_type);
    return query_one(db, SQL_NEWEST_SET, (sk_param[]){SK_TEXT(fy), SK_TEXT(ot)}, 2, res);
}

#define DRAFT_COLS                                                                        \
    "'', fiscal_year, outlet_type, 0, requirements, " TS("saved_at") ", saved_by"

int verification_store_offer_draft(sk_db *db, int fiscal_year, int outlet_type,
                                   const char *requirements_json, const char *by, bool *saved)
{
    char fy[16], ot[16];
    int_text(fy, sizeof(fy), fiscal_year);
    int_text(ot, sizeof(ot), outlet_type);
    sk_param p[] = {SK_TEXT(fy), SK_TEXT(ot), SK_TEXT(requirements_json), SK_TEXT(by)};
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db,
                       "INSERT INTO requirement_set_draft (fiscal_year, outlet_type, requirements, "
                       "saved_by) SELECT $1::int, $2::int, $3::jsonb, $4 WHERE NOT EXISTS (SELECT 1 "
                       "FROM requirement_set WHERE fiscal_year = $1::int AND outlet_type = $2::int) "
                       "ON CONFLICT DO NOTHING RETURNING 1",
                       p, 4, &r));
    *saved = PQntuples(r) > 0;
    PQclear(r);
    return SK_OK;
}

int verification_store_load_draft(sk_db *db, int fiscal_year, int outlet_type, PGresult **res)
{
    char fy[16], ot[16];
    int_text(fy, sizeof(fy), fiscal_year);
    int_text(ot, sizeof(ot), outlet_type);
    return query_one(db,
                     "SELECT " DRAFT_COLS " FROM requirement_set_draft "
                     "WHERE fiscal_year = $1::int AND outlet_type = $2::int",
                     (sk_param[]){SK_TEXT(fy), SK_TEXT(ot)}, 2, res);
}

int verification_store_drop_draft(sk_db *db, int fiscal_year, int outlet_type)
{
    char fy[16], ot[16];
    int_text(fy, sizeof(fy), fiscal_year);
    int_text(ot, sizeof(ot), outlet_type);
    return sk_db_exec(db,
                      "DELETE FROM requirement_set_draft WHERE fiscal_year = $1::int "
                      "AND outlet_type = $2::int",
                      (sk_param[]){SK_TEXT(fy), SK_TEXT(ot)}, 2);
}

int verification_store_list_sets(sk_db *db, int fiscal_year, PGresult **res)
{
    char fy[16];
    int_text(fy, sizeof(fy), fiscal_year);
    return sk_db_query(
        db,
        "SELECT * FROM (SELECT DISTINCT ON (outlet_type) id::text, fiscal_year, outlet_type, "
        "version, requirements, " TS("published_at") ", published_by, false AS draft "
        "FROM requirement_set WHERE fiscal_year = $1::int ORDER BY outlet_type, version DESC) p "
        "UNION ALL SELECT " DRAFT_COLS ", true FROM requirement_set_draft "
        "WHERE fiscal_year = $1::int ORDER BY 3, 8",
        (sk_param[]){SK_TEXT(fy)}, 1, res);
}

/* ---- fiscal years ---- */

#define FY_COLS                                                                      \
    "fiscal_year, to_char(registration_opens_on, 'YYYY-MM-DD'), "                    \
    "to_char(registration_closes_on, 'YYYY-MM-DD'), cv_allowed, " TS("opened_at") \
    ", opened_by"

int verification_store_put_year(sk_db *db, int fiscal_year, const char *opens_on,
                                const char *closes_on, bool cv_allowed, const char *by,
                                bool *changed, PGresult **res)
{
    char fy[16];
    int_text(fy, sizeof(fy), fiscal_year);
    sk_param p[] = {SK_TEXT(fy), SK_TEXT(opens_on), SK_TEXT(closes_on),
                    SK_TEXT(cv_allowed ? "true" : "false"), SK_TEXT(by)};
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db,
                       "INSERT INTO fiscal_year (fiscal_year, registration_opens_on, "
                       "registration_closes_on, cv_allowed, opened_by) VALUES ($1::int, $2::date, "
                       "$3::date, $4::boolean, $5) ON CONFLICT (fiscal_year) DO UPDATE SET "
                       "registration_opens_on = EXCLUDED.registration_opens_on, "
                       "registration_closes_on = EXCLUDED.registration_closes_on, "
                       "cv_allowed = EXCLUDED.cv_allowed, updated_at = now() WHERE "
                       "(fiscal_year.registration_opens_on, fiscal_year.registration_closes_on, "
                       "fiscal_year.cv_allowed) IS DISTINCT FROM (EXCLUDED.registration_opens_on, "
                       "EXCLUDED.registration_closes_on, EXCLUDED.cv_allowed) RETURNING 1",
                       p, 5, &r));
    *changed = PQntuples(r) > 0;
    PQclear(r);
    return verification_store_load_year(db, fiscal_year, res);
}

int verification_store_load_year(sk_db *db, int fiscal_year, PGresult **res)
{
    char fy[16];
    int_text(fy, sizeof(fy), fiscal_year);
    return query_one(db, "SELECT " FY_COLS " FROM fiscal_year WHERE fiscal_year = $1::int",
                     (sk_param[]){SK_TEXT(fy)}, 1, res);
}

/* ---- cases ---- */

static const char *const STATE_NAMES[] = {
    [VERIFICATION_CASE_OPENED] = "opened",
    [VERIFICATION_CASE_IN_REVIEW] = "in_review",
    [VERIFICATION_CASE_NEEDS_REVISION] = "needs_revision",
    [VERIFICATION_CASE_VISIT_PENDING] = "visit_pending",
    [VERIFICATION_CASE_VERIFIED] = "verified",
    [VERIFICATION_CASE_REJECTED] = "rejected",
    [VERIFICATION_CASE_SUSPENDED] = "suspended",
    [VERIFICATION_CASE_VISITED] = "visited",
};

bool verification_store_state_parse(const char *name, verification_case_state *state)
{
    for (size_t i = 0; i < sizeof(STATE_NAMES) / sizeof(STATE_NAMES[0]); i++)
        if (STATE_NAMES[i] && strcmp(STATE_NAMES[i], name) == 0) {
            *state = (verification_case_state)i;
            return true;
        }
    return false;
}

/* The pending proposal's columns, by a subquery per column: cheap with
 * case_proposal_pending, and the same text for a single case and a page. */
#define PENDING(col)                                                                            \
    "coalesce((SELECT " col " FROM case_proposal p WHERE p.case_id = verification_case.id " \
    "AND p.status = 'pending'), '')"

#define CASE_COLS                                                                           \
    "id, company_id, company_name, fiscal_year, state, registered_by, " TS("opened_at") ", " \
    TS("decided_at") ", coalesce(decided_by, ''), " DAY("valid_until") ", "                 \
    "coalesce(reason, ''), coalesce(visit::text, ''), requirement_set_ids::text, "          \
    "outlet_types::text, coalesce(approved_by, ''), " TS("approved_at") ", "                \
    PENDING("p.id::text") ", " PENDING("p.outcome") ", " PENDING("p.proposed_by") ", "      \
    PENDING(TS("p.proposed_at")) ", " PENDING("p.reason") ", "                                  \
    PENDING("p.outlet_ids::text") ", " TS("reopened_at") ", legal_form"

void verification_store_case_at(PGresult *res, int i, verification_case_row *c)
{
    c->id = PQgetvalue(res, i, 0);
    c->company_id = PQgetvalue(res, i, 1);
    c->company_name = PQgetvalue(res, i, 2);
    c->fiscal_year = atoi(PQgetvalue(res, i, 3));
    if (!verification_store_state_parse(PQgetvalue(res, i, 4), &c->state))
        c->state = VERIFICATION_CASE_OPENED; /* the CHECK constraint makes this unreachable */
    c->registered_by = PQgetvalue(res, i, 5);
    c->opened_at = PQgetvalue(res, i, 6);
    c->decided_at = PQgetvalue(res, i, 7);
    c->decided_by = PQgetvalue(res, i, 8);
    c->valid_until = PQgetvalue(res, i, 9);
    c->reason = PQgetvalue(res, i, 10);
    c->visit_json = PQgetvalue(res, i, 11);
    c->requirement_set_ids_json = PQgetvalue(res, i, 12);
    c->outlet_types_json = PQgetvalue(res, i, 13);
    c->approved_by = PQgetvalue(res, i, 14);
    c->approved_at = PQgetvalue(res, i, 15);
    c->pending_id = PQgetvalue(res, i, 16);
    c->pending_outcome = PQgetvalue(res, i, 17);
    c->pending_by = PQgetvalue(res, i, 18);
    c->pending_at = PQgetvalue(res, i, 19);
    c->pending_reason = PQgetvalue(res, i, 20);
    c->pending_outlets_json = PQgetvalue(res, i, 21);
    c->reopened_at = PQgetvalue(res, i, 22);
    c->legal_form = atoi(PQgetvalue(res, i, 23));
}

void verification_store_case_free(verification_case_row *c)
{
    PQclear(c->res);
    PQclear(c->docs);
    PQclear(c->finds);
    PQclear(c->props);
    PQclear(c->outlets);
    PQclear(c->photos);
    memset(c, 0, sizeof(*c));
}

static const char SQL_CASE_DOCS[] =
    "SELECT document_id, type, version, number, " DAY("expires_on") ", decision, "
    "coalesce(reason, ''), coalesce(decided_by, ''), " TS("decided_at") ", slot, "
    "coalesce(uploaded_by, ''), coalesce(person_id, ''), coalesce(outlet_id, ''), "
    DAY("issued_on") ", dewan_pers_status, coalesce(in_force_document_id, ''), "
    DAY("in_force_expires_on") ", in_force_dewan_pers_status "
    "FROM case_document WHERE case_id = $1 ORDER BY type, slot";
static const char SQL_CASE_OUTLETS[] =
    "SELECT outlet_id, outlet_type, name, state, " DAY("valid_until") ", coalesce(reason, ''), "
    "coalesce(decided_by, ''), coalesce(approved_by, ''), " TS("decided_at")
    " FROM case_outlet WHERE case_id = $1 ORDER BY name, outlet_id";
static const char SQL_CASE_PHOTOS[] =
    "SELECT document_id, file_name, content_type, uploaded_by, " TS("uploaded_at")
    " FROM case_visit_photo WHERE case_id = $1 ORDER BY uploaded_at, document_id";
static const char SQL_CASE_FINDINGS[] =
    "SELECT code, document_type, message, blocking, origin, staff_only, detail FROM finding "
    "WHERE case_id = $1 ORDER BY id";
static const char SQL_CASE_PROPOSALS[] =
    "SELECT id, outcome, reason, proposed_by, " TS("proposed_at") ", status, "
    "coalesce(approved_by, ''), " TS("approved_at") ", coalesce(returned_by, ''), "
    TS("returned_at") ", coalesce(return_reason, ''), outlet_ids::text FROM case_proposal "
    "WHERE case_id = $1 ORDER BY proposed_at, id";

/* The case row is in c->res; add its documents and findings. */
static int load_details(sk_db *db, verification_case_row *c)
{
    verification_store_case_at(c->res, 0, c);
    sk_param p[] = {SK_TEXT(c->id)};
    int rc = sk_db_query(db, SQL_CASE_DOCS, p, 1, &c->docs);
    if (rc == SK_OK)
        rc = sk_db_query(db, SQL_CASE_FINDINGS, p, 1, &c->finds);
    if (rc == SK_OK)
        rc = sk_db_query(db, SQL_CASE_PROPOSALS, p, 1, &c->props);
    if (rc == SK_OK)
        rc = sk_db_query(db, SQL_CASE_OUTLETS, p, 1, &c->outlets);
    if (rc == SK_OK)
        rc = sk_db_query(db, SQL_CASE_PHOTOS, p, 1, &c->photos);
    if (rc != SK_OK)
        verification_store_case_free(c);
    return rc;
}

int verification_store_load_case(sk_db *db, const char *case_id, bool for_update,
                                 verification_case_row *c)
{
    static const char sql[] = "SELECT " CASE_COLS " FROM verification_case WHERE id = $1";
    static const char sql_lock[] =
        "SELECT " CASE_COLS " FROM verification_case WHERE id = $1 FOR UPDATE";
    memset(c, 0, sizeof(*c));
    SK_TRY(query_one(db, for_update ? sql_lock : sql, (sk_param[]){SK_TEXT(case_id)}, 1, &c->res));
    return load_details(db, c);
}

/* $3: a text[] of states, NULL = any; $2: fiscal year, 0 = any. */
static const char SQL_NEWEST_CASE[] =
    "SELECT " CASE_COLS " FROM verification_case WHERE company_id = $1 "
    "AND ($2::int = 0 OR fiscal_year = $2::int) AND ($3::text[] IS NULL OR state = "
    "ANY($3::text[])) "
    "ORDER BY id DESC LIMIT 1";

/* A text[] literal of plain lower-case names ("{in_review,needs_revision}"). */
static void names_array(char *buf, size_t cap, const char *const *names)
{
    size_t n = (size_t)snprintf(buf, cap, "{");
    for (size_t i = 0; names[i] && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? "," : "", names[i]);
    if (n < cap)
        snprintf(buf + n, cap - n, "}");
}

int verification_store_newest_case(sk_db *db, const char *company_id, int fiscal_year,
                                   const char *const *states, bool for_update,
                                   verification_case_row *c)
{
    char fy[16], list[256] = "";
    int_text(fy, sizeof(fy), fiscal_year);
    if (states)
        names_array(list, sizeof(list), states);
    char sql[sizeof(SQL_NEWEST_CASE) + 16];
    snprintf(sql, sizeof(sql), "%s%s", SQL_NEWEST_CASE, for_update ? " FOR UPDATE" : "");
    memset(c, 0, sizeof(*c));
    sk_param p[] = {SK_TEXT(company_id), SK_TEXT(fy), SK_TEXT(states ? list : NULL)};
    SK_TRY(query_one(db, sql, p, 3, &c->res));
    return load_details(db, c);
}

int verification_store_has_live_case(sk_db *db, const char *company_id, int fiscal_year,
                                     bool *exists)
{
    char fy[16];
    int_text(fy, sizeof(fy), fiscal_year);
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db,
                       "SELECT 1 FROM verification_case WHERE company_id = $1 AND fiscal_year = $2 "
                       "AND state NOT IN ('rejected', 'suspended') FOR UPDATE",
                       (sk_param[]){SK_TEXT(company_id), SK_TEXT(fy)}, 2, &r));
    *exists = PQntuples(r) > 0;
    PQclear(r);
    return SK_OK;
}

int verification_store_insert_case(sk_db *db, const char *id, const char *company_id,
                                   const char *company_name, int fiscal_year,
                                   const char *registered_by, const char *outlet_types_json,
                                   int legal_form, const uint8_t *snapshot, size_t snapshot_len)
{
    char fy[16], lf[16];
    int_text(fy, sizeof(fy), fiscal_year);
    int_text(lf, sizeof(lf), legal_form);
    sk_param p[] = {SK_TEXT(id),
                    SK_TEXT(company_id),
                    SK_TEXT(company_name),
                    SK_TEXT(fy),
                    SK_TEXT(registered_by),
                    SK_TEXT(outlet_types_json),
                    SK_BYTES(snapshot, snapshot_len),
                    SK_TEXT(lf)};
    return sk_db_exec(db,
                      "INSERT INTO verification_case (id, company_id, company_name, fiscal_year, "
                      "state, registered_by, outlet_types, snapshot, legal_form) "
                      "VALUES ($1, $2, $3, $4, 'opened', $5, $6::jsonb, $7, $8::int)",
                      p, 8);
}

int verification_store_set_legal_form(sk_db *db, const char *case_id, int legal_form)
{
    char lf[16];
    int_text(lf, sizeof(lf), legal_form);
    return sk_db_exec(db, "UPDATE verification_case SET legal_form = $2::int WHERE id = $1",
                      (sk_param[]){SK_TEXT(case_id), SK_TEXT(lf)}, 2);
}

int verification_store_remove_document(sk_db *db, const char *case_id, const char *document_id,
                                       bool *removed)
{
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db,
                       "DELETE FROM case_document WHERE case_id = $1 AND document_id = $2 "
                       "RETURNING 1",
                       (sk_param[]){SK_TEXT(case_id), SK_TEXT(document_id)}, 2, &r));
    *removed = PQntuples(r) > 0;
    PQclear(r);
    return SK_OK;
}

int verification_store_put_document(sk_db *db, const char *case_id, const verification_doc_row *d)
{
    char t[16], v[16], dp[16];
    int_text(t, sizeof(t), d->type);
    int_text(v, sizeof(v), d->version);
    int_text(dp, sizeof(dp), d->dewan_pers_status);
#define OPT(x) SK_TEXT((x) && (x)[0] ? (x) : NULL)
    sk_param p[] = {SK_TEXT(case_id),      SK_TEXT(d->slot),        SK_TEXT(d->document_id),
                    SK_TEXT(t),            SK_TEXT(v),              SK_TEXT(d->number ? d->number : ""),
                    OPT(d->expires_on),    OPT(d->uploaded_by),     OPT(d->person_id),
                    OPT(d->outlet_id),     OPT(d->issued_on),       SK_TEXT(dp)};
#undef OPT
    return sk_db_exec(
        db,
        "INSERT INTO case_document (case_id, slot, document_id, type, version, number, "
        "expires_on, uploaded_by, person_id, outlet_id, issued_on, dewan_pers_status) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8, $9, $10, $11::date, $12::int) "
        "ON CONFLICT (case_id, slot) DO UPDATE SET "
        "document_id = EXCLUDED.document_id, type = EXCLUDED.type, version = EXCLUDED.version, "
        "number = EXCLUDED.number, expires_on = EXCLUDED.expires_on, "
        "uploaded_by = EXCLUDED.uploaded_by, person_id = EXCLUDED.person_id, "
        "outlet_id = EXCLUDED.outlet_id, issued_on = EXCLUDED.issued_on, "
        "dewan_pers_status = EXCLUDED.dewan_pers_status, decision = 'pending', "
        "reason = NULL, decided_by = NULL, decided_at = NULL "
        "WHERE case_document.document_id <> EXCLUDED.document_id",
        p, 12);
}

int verification_store_decide_document(sk_db *db, const char *case_id, const char *document_id,
                                       const char *decision, const char *reason,
                                       const char *decided_by, int dewan_pers_status)
{
    PGresult *r = NULL;
    char dp[16];
    int_text(dp, sizeof(dp), dewan_pers_status);
    sk_param p[] = {SK_TEXT(case_id), SK_TEXT(document_id), SK_TEXT(decision),
                    SK_TEXT(reason && reason[0] ? reason : NULL), SK_TEXT(decided_by), SK_TEXT(dp)};
    SK_TRY(query_one(db,
                     "UPDATE case_document SET decision = $3, reason = $4, decided_by = $5, "
                     "decided_at = now(), "
                     "dewan_pers_status = CASE WHEN $3 = 'accepted' AND $6::int > 0 THEN $6::int "
                     "ELSE dewan_pers_status END, "
                     "in_force_document_id = CASE WHEN $3 = 'accepted' THEN document_id "
                     "ELSE in_force_document_id END, "
                     "in_force_expires_on = CASE WHEN $3 = 'accepted' THEN expires_on "
                     "ELSE in_force_expires_on END, "
                     "in_force_dewan_pers_status = CASE WHEN $3 = 'accepted' THEN "
                     "(CASE WHEN $6::int > 0 THEN $6::int ELSE dewan_pers_status END) "
                     "ELSE in_force_dewan_pers_status END "
                     "WHERE case_id = $1 AND document_id = $2 RETURNING 1",
                     p, 6, &r));
    PQclear(r);
    return SK_OK;
}

/* ---- outlets ---- */

int verification_store_put_outlet(sk_db *db, const char *case_id, const char *outlet_id, int type,
                                  const char *name)
{
    char t[16];
    int_text(t, sizeof(t), type);
    return sk_db_exec(db,
                      "INSERT INTO case_outlet (case_id, outlet_id, outlet_type, name) VALUES "
                      "($1, $2, $3::int, $4) ON CONFLICT (case_id, outlet_id) DO UPDATE SET "
                      "name = EXCLUDED.name, outlet_type = EXCLUDED.outlet_type",
                      (sk_param[]){SK_TEXT(case_id), SK_TEXT(outlet_id), SK_TEXT(t),
                                   SK_TEXT(name ? name : "")},
                      4);
}

int verification_store_set_outlet(sk_db *db, const char *case_id, const char *outlet_id,
                                  verification_outlet_state state, const char *valid_until,
                                  const char *reason, const char *decided_by,
                                  const char *approved_by)
{
    sk_param p[] = {SK_TEXT(case_id),
                    SK_TEXT(outlet_id),
                    SK_TEXT(verification_outlet_state_name(state)),
                    SK_TEXT(valid_until && valid_until[0] ? valid_until : NULL),
                    SK_TEXT(reason && reason[0] ? reason : NULL),
                    SK_TEXT(decided_by),
                    SK_TEXT(approved_by)};
    PGresult *r = NULL;
    SK_TRY(query_one(db,
                     "UPDATE case_outlet SET state = $3, valid_until = coalesce($4::date, "
                     "CASE WHEN $3 = 'suspended' THEN valid_until END), reason = $5, "
                     "decided_by = $6, approved_by = $7, decided_at = now() "
                     "WHERE case_id = $1 AND outlet_id = $2 RETURNING 1",
                     p, 7, &r));
    PQclear(r);
    return SK_OK;
}

int verification_store_set_outlet_until(sk_db *db, const char *case_id, const char *outlet_id,
                                        const char *valid_until)
{
    return sk_db_exec(db,
                      "UPDATE case_outlet SET valid_until = $3::date WHERE case_id = $1 "
                      "AND outlet_id = $2 AND state = 'verified'",
                      (sk_param[]){SK_TEXT(case_id), SK_TEXT(outlet_id), SK_TEXT(valid_until)}, 3);
}

int verification_store_sync_case_until(sk_db *db, const char *case_id)
{
    return sk_db_exec(db,
                      "UPDATE verification_case c SET valid_until = o.until FROM (SELECT "
                      "max(valid_until) AS until FROM case_outlet WHERE case_id = $1 "
                      "AND state = 'verified') o WHERE c.id = $1 AND o.until IS NOT NULL",
                      (sk_param[]){SK_TEXT(case_id)}, 1);
}

int verification_store_reopen(sk_db *db, const char *case_id)
{
    SK_TRY(sk_db_exec(db,
                      "UPDATE case_outlet SET state = 'pending', valid_until = NULL, reason = NULL, "
                      "decided_by = NULL, approved_by = NULL, decided_at = NULL "
                      "WHERE case_id = $1 AND state = 'rejected'",
                      (sk_param[]){SK_TEXT(case_id)}, 1));
    return sk_db_exec(db, "UPDATE verification_case SET reopened_at = now() WHERE id = $1",
                      (sk_param[]){SK_TEXT(case_id)}, 1);
}

int verification_store_reopened_undecided(sk_db *db, int fiscal_year, long long *count)
{
    char fy[16];
    int_text(fy, sizeof(fy), fiscal_year);
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db,
                       "SELECT count(*) FROM verification_case c WHERE c.fiscal_year = $1::int "
                       "AND c.reopened_at IS NOT NULL AND EXISTS (SELECT 1 FROM case_outlet o "
                       "WHERE o.case_id = c.id AND o.state = 'pending')",
                       (sk_param[]){SK_TEXT(fy)}, 1, &r));
    *count = sk_db_get_int64(r, 0, 0);
    PQclear(r);
    return SK_OK;
}

int verification_store_cases_without_outlets(sk_db *db, PGresult **res)
{
    return sk_db_query(db,
                       "SELECT id::text, state, " DAY("valid_until") ", coalesce(decided_by, ''), "
                       "coalesce(approved_by, ''), coalesce(reason, '') FROM verification_case c "
                       "WHERE snapshot IS NOT NULL AND NOT EXISTS (SELECT 1 FROM case_outlet o "
                       "WHERE o.case_id = c.id) ORDER BY id LIMIT 1000",
                       NULL, 0, res);
}

/* ---- visit photos ---- */

int verification_store_add_visit_photo(sk_db *db, const char *case_id, const char *document_id,
                                       const char *file_name, const char *content_type,
                                       const char *uploaded_by)
{
    return sk_db_exec(db,
                      "INSERT INTO case_visit_photo (case_id, document_id, file_name, content_type, "
                      "uploaded_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                      (sk_param[]){SK_TEXT(case_id), SK_TEXT(document_id),
                                   SK_TEXT(file_name ? file_name : ""), SK_TEXT(content_type),
                                   SK_TEXT(uploaded_by)},
                      5);
}

int verification_store_set_state(sk_db *db, const char *case_id, verification_case_state state)
{
    return sk_db_exec(db, "UPDATE verification_case SET state = $2 WHERE id = $1",
                      (sk_param[]){SK_TEXT(case_id), SK_TEXT(STATE_NAMES[state])}, 2);
}

int verification_store_set_requirement_sets(sk_db *db, const char *case_id, const char *ids_json)
{
    return sk_db_exec(db,
                      "UPDATE verification_case SET requirement_set_ids = $2::jsonb WHERE id = $1",
                      (sk_param[]){SK_TEXT(case_id), SK_TEXT(ids_json)}, 2);
}

int verification_store_record_visit(sk_db *db, const char *case_id, const char *visit_json,
                                    verification_case_state state)
{
    return sk_db_exec(
        db, "UPDATE verification_case SET visit = $2::jsonb, state = $3 WHERE id = $1",
        (sk_param[]){SK_TEXT(case_id), SK_TEXT(visit_json), SK_TEXT(STATE_NAMES[state])}, 3);
}

int verification_store_decide_case(sk_db *db, const char *case_id, verification_case_state state,
                                   const char *decided_by, const char *approved_by,
                                   const char *reason, const char *valid_until)
{
    sk_param p[] = {SK_TEXT(case_id), SK_TEXT(STATE_NAMES[state]), SK_TEXT(decided_by),
                    SK_TEXT(reason && reason[0] ? reason : NULL),
                    SK_TEXT(valid_until && valid_until[0] ? valid_until : NULL),
                    SK_TEXT(approved_by)};
    return sk_db_exec(
        db,
        "UPDATE verification_case SET state = $2, decided_by = $3, decided_at = now(), "
        "reason = $4, valid_until = $5::date, approved_by = $6, approved_at = now() "
        "WHERE id = $1",
        p, 6);
}

int verification_store_clear_findings(sk_db *db, const char *case_id, const char *origin)
{
    return sk_db_exec(db, "DELETE FROM finding WHERE case_id = $1 AND origin = $2",
                      (sk_param[]){SK_TEXT(case_id), SK_TEXT(origin)}, 2);
}

int verification_store_clear_findings_code(sk_db *db, const char *case_id, const char *code)
{
    return sk_db_exec(db, "DELETE FROM finding WHERE case_id = $1 AND code = $2",
                      (sk_param[]){SK_TEXT(case_id), SK_TEXT(code)}, 2);
}

int verification_store_add_staff_finding(sk_db *db, const char *case_id, const char *origin,
                                         const char *code, const char *message, const char *detail)
{
    sk_param p[] = {SK_TEXT(case_id), SK_TEXT(origin), SK_TEXT(code), SK_TEXT(message),
                    SK_TEXT(detail)};
    return sk_db_exec(db,
                      "INSERT INTO finding (case_id, origin, code, document_type, message, "
                      "blocking, staff_only, detail) VALUES ($1, $2, $3, 0, $4, false, true, $5)",
                      p, 5);
}

int verification_store_add_finding(sk_db *db, const char *case_id, const char *origin,
                                   const char *code, int document_type, const char *message,
                                   const char *detail, bool blocking)
{
    char t[16];
    int_text(t, sizeof(t), document_type);
    sk_param p[] = {SK_TEXT(case_id), SK_TEXT(origin),  SK_TEXT(code),
                    SK_TEXT(t),       SK_TEXT(message), SK_TEXT(blocking ? "true" : "false"),
                    SK_TEXT(detail)};
    return sk_db_exec(
        db,
        "INSERT INTO finding (case_id, origin, code, document_type, message, blocking, detail) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7)",
        p, 7);
}

int verification_store_list_cases(sk_db *db, const char *state, int fiscal_year, bool awaiting,
                                  const char *after_id, int limit, PGresult **res)
{
    char fy[16], lim[16];
    int_text(fy, sizeof(fy), fiscal_year);
    int_text(lim, sizeof(lim), limit);
    sk_param p[] = {SK_TEXT(state), SK_TEXT(fy), SK_TEXT(after_id && after_id[0] ? after_id : NULL),
                    SK_TEXT(lim), SK_TEXT(awaiting ? "true" : "false")};
    return sk_db_query(
        db,
        "SELECT " CASE_COLS " FROM verification_case "
        "WHERE ($1::text IS NULL OR state = $1) AND ($2::int = 0 OR fiscal_year = $2::int) "
        "AND ($3::uuid IS NULL OR id > $3::uuid) AND (NOT $5::boolean OR EXISTS (SELECT 1 "
        "FROM case_proposal p WHERE p.case_id = verification_case.id AND p.status = 'pending')) "
        "ORDER BY id LIMIT $4::int",
        p, 5, res);
}

/* ---- proposals ---- */

int verification_store_propose(sk_db *db, const char *id, const char *case_id,
                               verification_outcome outcome, const char *reason,
                               const char *proposed_by, const char *outlet_ids_json)
{
    sk_param p[] = {SK_TEXT(id), SK_TEXT(case_id), SK_TEXT(verification_outcome_name(outcome)),
                    SK_TEXT(reason ? reason : ""), SK_TEXT(proposed_by), SK_TEXT(outlet_ids_json)};
    return sk_db_exec(db,
                      "INSERT INTO case_proposal (id, case_id, outcome, reason, proposed_by, "
                      "outlet_ids) VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
                      p, 6);
}

static int settle(sk_db *db, const char *sql, const sk_param *p, int n)
{
    PGresult *r = NULL;
    SK_TRY(query_one(db, sql, p, n, &r));
    PQclear(r);
    return SK_OK;
}

int verification_store_approve_proposal(sk_db *db, const char *case_id, const char *id,
                                        const char *by)
{
    sk_param p[] = {SK_TEXT(case_id), SK_TEXT(id), SK_TEXT(by)};
    return settle(db,
                  "UPDATE case_proposal SET status = 'approved', approved_by = $3, "
                  "approved_at = now() WHERE case_id = $1 AND id = $2::uuid AND status = "
                  "'pending' RETURNING 1",
                  p, 3);
}

int verification_store_return_proposal(sk_db *db, const char *case_id, const char *id,
                                       const char *by, const char *reason)
{
    sk_param p[] = {SK_TEXT(case_id), SK_TEXT(id), SK_TEXT(by), SK_TEXT(reason)};
    return settle(db,
                  "UPDATE case_proposal SET status = 'returned', returned_by = $3, "
                  "returned_at = now(), return_reason = $4 WHERE case_id = $1 AND id = $2::uuid "
                  "AND status = 'pending' RETURNING 1",
                  p, 4);
}

int verification_store_deciders(sk_db *db, const char *company_id, int fiscal_year,
                                PGresult **res)
{
    char fy[16];
    int_text(fy, sizeof(fy), fiscal_year);
    return sk_db_query(db,
                       "SELECT who FROM case_proposal p JOIN verification_case c "
                       "ON c.id = p.case_id, LATERAL (VALUES (p.proposed_by), (p.approved_by)) "
                       "AS w (who) WHERE c.company_id = $1 AND c.fiscal_year = $2::int "
                       "AND p.status = 'approved' AND who IS NOT NULL GROUP BY who",
                       (sk_param[]){SK_TEXT(company_id), SK_TEXT(fy)}, 2, res);
}

/* ---- snapshot and identity numbers ---- */

int verification_store_snapshot(sk_db *db, const char *case_id, uint8_t **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    PGresult *r = NULL;
    SK_TRY(query_one(db, "SELECT snapshot FROM verification_case WHERE id = $1",
                     (sk_param[]){SK_TEXT(case_id)}, 1, &r));
    int rc = PQgetisnull(r, 0, 0) ? SK_OK : sk_db_get_bytea(r, 0, 0, data, len);
    PQclear(r);
    return rc;
}

int verification_store_set_snapshot(sk_db *db, const char *case_id, const uint8_t *data,
                                    size_t len)
{
    return sk_db_exec(db, "UPDATE verification_case SET snapshot = $2 WHERE id = $1",
                      (sk_param[]){SK_TEXT(case_id), SK_BYTES(data, len)}, 2);
}

int verification_store_claim_identity(sk_db *db, int fiscal_year, const char *kind,
                                      const char *digits, const char *company_id,
                                      const char *case_id, char other[37])
{
    char fy[16];
    int_text(fy, sizeof(fy), fiscal_year);
    other[0] = '\0';
    sk_param p[] = {SK_TEXT(fy), SK_TEXT(kind), SK_TEXT(digits), SK_TEXT(company_id),
                    SK_TEXT(case_id)};
    /* A concurrent claim waits on the key's row lock and then sees it. */
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db,
                       "INSERT INTO verified_identity (fiscal_year, kind, digits, company_id, "
                       "case_id) VALUES ($1::int, $2, $3, $4, $5) ON CONFLICT (fiscal_year, kind, "
                       "digits) DO UPDATE SET case_id = EXCLUDED.case_id "
                       "WHERE verified_identity.company_id = EXCLUDED.company_id RETURNING 1",
                       p, 5, &r));
    bool held = PQntuples(r) > 0;
    PQclear(r);
    if (held)
        return SK_OK;
    SK_TRY(query_one(db,
                     "SELECT company_id FROM verified_identity WHERE fiscal_year = $1::int "
                     "AND kind = $2 AND digits = $3",
                     p, 3, &r));
    snprintf(other, 37, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return SK_OK;
}

int verification_store_release_identities(sk_db *db, const char *company_id, int fiscal_year)
{
    char fy[16];
    int_text(fy, sizeof(fy), fiscal_year);
    return sk_db_exec(db,
                      "DELETE FROM verified_identity WHERE company_id = $1 AND fiscal_year = $2::int",
                      (sk_param[]){SK_TEXT(company_id), SK_TEXT(fy)}, 2);
}

/* ---- announcement and objections ---- */

#define ANN_COLS                                                            \
    "fiscal_year, " TS("announced_at") ", " TS("objection_until") ", " TS(  \
        "finalized_at") ", verified_company_ids::text, "                    \
                        "floor(extract(epoch FROM announced_at))::bigint, " \
                        "floor(extract(epoch FROM objection_until))::bigint, "   \
                        "entries::text, amendment"

/* The companies with a verified outlet for the year, as a JSON array. */
#define VERIFIED_IDS                                                                        \
    "(SELECT coalesce(jsonb_agg(DISTINCT c.company_id), '[]'::jsonb) FROM verification_case c " \
    "JOIN case_outlet o ON o.case_id = c.id WHERE c.fiscal_year = $1::int AND o.state = 'verified')"

/* The verified outlets of the year: the list's entries. */
#define VERIFIED_ENTRIES                                                                      \
    "(SELECT coalesce(jsonb_agg(jsonb_build_object('company_id', c.company_id, 'outlet_id', " \
    "o.outlet_id, 'company_name', c.company_name, 'outlet_name', o.name, 'state', o.state) " \
    "ORDER BY c.company_name, o.name, o.outlet_id), '[]'::jsonb) FROM verification_case c " \
    "JOIN case_outlet o ON o.case_id = c.id WHERE c.fiscal_year = $1::int AND o.state = 'verified')"

int verification_store_announce(sk_db *db, int fiscal_year, const char *objection_until,
                                const char *announced_by, PGresult **res)
{
    char fy[16];
    int_text(fy, sizeof(fy), fiscal_year);
    sk_param p[] = {SK_TEXT(fy), SK_TEXT(objection_until), SK_TEXT(announced_by)};
    return query_one(db,
                     "INSERT INTO announcement (fiscal_year, objection_until, announced_by, "
                     "verified_company_ids, entries) VALUES ($1::int, $2::timestamptz, $3, "
                     VERIFIED_IDS ", " VERIFIED_ENTRIES ") RETURNING " ANN_COLS,
                     p, 3, res);
}

int verification_store_load_announcement(sk_db *db, int fiscal_year, bool for_update,
                                         PGresult **res)
{
    char fy[16];
    int_text(fy, sizeof(fy), fiscal_year);
    static const char sql[] = "SELECT " ANN_COLS " FROM announcement WHERE fiscal_year = $1";
    static const char sql_lock[] =
        "SELECT " ANN_COLS " FROM announcement WHERE fiscal_year = $1 FOR UPDATE";
    return query_one(db, for_update ? sql_lock : sql, (sk_param[]){SK_TEXT(fy)}, 1, res);
}

int verification_store_finalize(sk_db *db, int fiscal_year, const char *finalized_by,
                                PGresult **res)
{
    char fy[16];
    int_text(fy, sizeof(fy), fiscal_year);
    return query_one(db,
                     "UPDATE announcement SET finalized_at = now(), finalized_by = $2, "
                     "verified_company_ids = " VERIFIED_IDS ", entries = " VERIFIED_ENTRIES
                     " WHERE fiscal_year = $1::int RETURNING " ANN_COLS,
                     (sk_param[]){SK_TEXT(fy), SK_TEXT(finalized_by)}, 2, res);
}

int verification_store_amend(sk_db *db, int fiscal_year, const char *outlet_ids_json,
                             const char *state, PGresult **res)
{
    char fy[16];
    int_text(fy, sizeof(fy), fiscal_year);
    return query_one(
        db,
        "UPDATE announcement SET amendment = amendment + 1, entries = (SELECT "
        "coalesce(jsonb_agg(CASE WHEN $2::jsonb ? (e->>'outlet_id') THEN "
        "jsonb_set(e, '{state}', to_jsonb($3::text)) ELSE e END ORDER BY ord), '[]'::jsonb) "
        "FROM jsonb_array_elements(entries) WITH ORDINALITY AS x (e, ord)) "
        "WHERE fiscal_year = $1::int AND finalized_at IS NOT NULL AND EXISTS (SELECT 1 FROM "
        "jsonb_array_elements(entries) e WHERE $2::jsonb ? (e->>'outlet_id') "
        "AND e->>'state' <> $3) RETURNING " ANN_COLS,
        (sk_param[]){SK_TEXT(fy), SK_TEXT(outlet_ids_json), SK_TEXT(state)}, 3, res);
}

int verification_store_year_final(sk_db *db, int fiscal_year, bool *final)
{
    char fy[16];
    int_text(fy, sizeof(fy), fiscal_year);
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db,
                       "SELECT 1 FROM announcement WHERE fiscal_year = $1::int "
                       "AND finalized_at IS NOT NULL",
                       (sk_param[]){SK_TEXT(fy)}, 1, &r));
    *final = PQntuples(r) > 0;
    PQclear(r);
    return SK_OK;
}

#define OBJ_COLS                                           \
    "id, fiscal_year, company_id, reason, " TS(            \
        "raised_at") ", raised_by, coalesce(answer, ''), " \
                     "upheld, " TS("answered_at") ", "     \
                                                  "coalesce(answered_by, '')"

int verification_store_has_objection(sk_db *db, int fiscal_year, const char *company_id,
                                     bool *exists)
{
    char fy[16];
    int_text(fy, sizeof(fy), fiscal_year);
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, "SELECT 1 FROM objection WHERE fiscal_year = $1 AND company_id = $2",
                       (sk_param[]){SK_TEXT(fy), SK_TEXT(company_id)}, 2, &r));
    *exists = PQntuples(r) > 0;
    PQclear(r);
    return SK_OK;
}

int verification_store_insert_objection(sk_db *db, const char *id, int fiscal_year,
                                        const char *company_id, const char *reason,
                                        const char *raised_by, PGresult **res)
{
    char fy[16];
    int_text(fy, sizeof(fy), fiscal_year);
    sk_param p[] = {SK_TEXT(id), SK_TEXT(fy), SK_TEXT(company_id), SK_TEXT(reason),
                    SK_TEXT(raised_by)};
    return query_one(db,
                     "INSERT INTO objection (id, fiscal_year, company_id, reason, raised_by) "
                     "VALUES ($1, $2, $3, $4, $5) RETURNING " OBJ_COLS,
                     p, 5, res);
}

int verification_store_load_objection(sk_db *db, const char *id, bool for_update, PGresult **res)
{
    static const char sql[] = "SELECT " OBJ_COLS " FROM objection WHERE id = $1";
    static const char sql_lock[] = "SELECT " OBJ_COLS " FROM objection WHERE id = $1 FOR UPDATE";
    return query_one(db, for_update ? sql_lock : sql, (sk_param[]){SK_TEXT(id)}, 1, res);
}

int verification_store_answer_objection(sk_db *db, const char *id, const char *answer, bool upheld,
                                        const char *answered_by, PGresult **res)
{
    sk_param p[] = {SK_TEXT(id), SK_TEXT(answer), SK_TEXT(upheld ? "true" : "false"),
                    SK_TEXT(answered_by)};
    return query_one(db,
                     "UPDATE objection SET answer = $2, upheld = $3, answered_by = $4, "
                     "answered_at = now() WHERE id = $1 RETURNING " OBJ_COLS,
                     p, 4, res);
}

int verification_store_list_objections(sk_db *db, int fiscal_year, const char *company_id,
                                       PGresult **res)
{
    char fy[16];
    int_text(fy, sizeof(fy), fiscal_year);
    return sk_db_query(db,
                       "SELECT " OBJ_COLS " FROM objection WHERE fiscal_year = $1::int "
                       "AND ($2::text IS NULL OR company_id::text = $2) ORDER BY raised_at, id",
                       (sk_param[]){SK_TEXT(fy), SK_TEXT(company_id)}, 2, res);
}

int verification_store_open_objections(sk_db *db, int fiscal_year, long long *count)
{
    char fy[16];
    int_text(fy, sizeof(fy), fiscal_year);
    PGresult *r = NULL;
    SK_TRY(sk_db_query(
        db, "SELECT count(*) FROM objection WHERE fiscal_year = $1 AND answered_at IS NULL",
        (sk_param[]){SK_TEXT(fy)}, 1, &r));
    *count = sk_db_get_int64(r, 0, 0);
    PQclear(r);
    return SK_OK;
}

/* ---- expiry notices ---- */

int verification_store_expiring(sk_db *db, const char *from, int days, PGresult **res)
{
    char d[16];
    int_text(d, sizeof(d), days);
    return sk_db_query(
        db,
        "SELECT d.in_force_document_id, c.company_id, d.type, " DAY("d.in_force_expires_on")
        " FROM case_document d JOIN verification_case c ON c.id = d.case_id "
        "WHERE EXISTS (SELECT 1 FROM case_outlet o WHERE o.case_id = c.id AND o.state = "
        "'verified') AND d.in_force_document_id IS NOT NULL "
        "AND d.in_force_expires_on BETWEEN $1::date AND $1::date + $2::int "
        "ORDER BY d.in_force_expires_on, d.in_force_document_id",
        (sk_param[]){SK_TEXT(from), SK_TEXT(d)}, 2, res);
}

int verification_store_add_notice(sk_db *db, const char *document_id, const char *expires_on,
                                  const char *company_id, bool *inserted)
{
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db,
                       "INSERT INTO expiry_notice (document_id, expires_on, company_id) "
                       "VALUES ($1, $2::date, $3) ON CONFLICT DO NOTHING RETURNING 1",
                       (sk_param[]){SK_TEXT(document_id), SK_TEXT(expires_on), SK_TEXT(company_id)},
                       3, &r));
    *inserted = PQntuples(r) > 0;
    PQclear(r);
    return SK_OK;
}
