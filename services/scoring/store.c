/* store.c - SQL for the scoring schema (see store.h). */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_id.h"

#define SQL_TS(col)                                                                                \
    "coalesce(to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '')"

/* The same statements for both kinds of set: only the table differs. */
#define SET_SQL(T)                                                                                 \
    {                                                                                              \
        .load = "SELECT id, fiscal_year, version, state, body, " SQL_TS("published_at")           \
                ", coalesce(published_by, '') FROM scoring." T " WHERE fiscal_year = $1 AND"       \
                " ((($2)::int > 0 AND version = $2 AND state <> 'draft') OR"                       \
                " (($2)::int = 0 AND state = 'published') OR (($2)::int < 0 AND state = 'draft'))",  \
        .save_draft =                                                                              \
            "INSERT INTO scoring." T " (id, fiscal_year, version, state, body, saved_by)"          \
            " SELECT $1::uuid, $2::int, coalesce(max(version), 0) + 1, 'draft', $3::bytea, $4::text"            \
            " FROM scoring." T       \
            " WHERE fiscal_year = $2 AND state <> 'draft'"                                         \
            " ON CONFLICT (fiscal_year) WHERE state = 'draft' DO UPDATE SET body = excluded.body," \
            " saved_by = excluded.saved_by, saved_at = now(), version = excluded.version"          \
            " RETURNING id, version, (xmax <> 0)",                                                 \
        .supersede = "UPDATE scoring." T " SET state = 'superseded' WHERE fiscal_year = $1 AND"    \
                     " state = 'published' RETURNING version",                                     \
        .publish = "UPDATE scoring." T " SET state = 'published', published_at = now(),"           \
                   " published_by = $2, version = (SELECT coalesce(max(version), 0) + 1 FROM"      \
                   " scoring." T " WHERE fiscal_year = $1 AND state <> 'draft')"                   \
                   " WHERE fiscal_year = $1 AND state = 'draft' RETURNING id",                     \
        .offer_draft =                                                                             \
            "INSERT INTO scoring." T " (id, fiscal_year, version, state, body, saved_by)"          \
            " SELECT $1::uuid, $2::int, 1, 'draft', $3::bytea, $4::text"                           \
            " WHERE NOT EXISTS (SELECT 1 FROM scoring." T " WHERE fiscal_year = $2::int)"          \
            " ON CONFLICT DO NOTHING RETURNING id, version",                                       \
    }

static const struct {
    const char *load, *save_draft, *supersede, *publish, *offer_draft;
} SET_SQL_OF[] = {[SCORING_SET_RULES] = SET_SQL("rule_set"),
                  [SCORING_SET_PRICES] = SET_SQL("price_standard")};

int scoring_store_state_number(const char *state)
{
    if (strcmp(state, "draft") == 0)
        return 1;
    if (strcmp(state, "published") == 0)
        return 2;
    if (strcmp(state, "superseded") == 0)
        return 3;
    return 0;
}

void scoring_set_row_free(scoring_set_row *row)
{
    free(row->body);
    row->body = NULL;
}

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

int scoring_store_set_load(sk_db *db, scoring_set_kind kind, int year, int version,
                           scoring_set_row *out)
{
    char y[16], v[16];
    snprintf(y, sizeof(y), "%d", year);
    snprintf(v, sizeof(v), "%d", version);
    sk_param p[] = {SK_TEXT(y), SK_TEXT(v)};
    PGresult *res;
    SK_TRY(sk_db_query(db, SET_SQL_OF[kind].load, p, 2, &res));
    int rc = SK_ENOTFOUND;
    if (PQntuples(res) == 1) {
        memset(out, 0, sizeof(*out));
        copy(out->id, sizeof(out->id), PQgetvalue(res, 0, 0));
        out->fiscal_year = atoi(PQgetvalue(res, 0, 1));
        out->version = atoi(PQgetvalue(res, 0, 2));
        out->state = scoring_store_state_number(PQgetvalue(res, 0, 3));
        copy(out->published_at, sizeof(out->published_at), PQgetvalue(res, 0, 5));
        copy(out->published_by, sizeof(out->published_by), PQgetvalue(res, 0, 6));
        rc = sk_db_get_bytea(res, 0, 4, &out->body, &out->len);
    }
    PQclear(res);
    return rc;
}

int scoring_store_set_save_draft(sk_db *db, scoring_set_kind kind, int year, const uint8_t *body,
                                 size_t len, const char *by, bool *replaced, scoring_set_row *out)
{
    char id[40], y[16];
    sk_uuid7(id);
    snprintf(y, sizeof(y), "%d", year);
    sk_param p[] = {SK_TEXT(id), SK_TEXT(y), SK_BYTES(body, len), SK_TEXT(by)};
    PGresult *res;
    SK_TRY(sk_db_query(db, SET_SQL_OF[kind].save_draft, p, 4, &res));
    memset(out, 0, sizeof(*out));
    copy(out->id, sizeof(out->id), PQgetvalue(res, 0, 0));
    out->version = atoi(PQgetvalue(res, 0, 1));
    out->fiscal_year = year;
    out->state = 1;
    *replaced = PQgetvalue(res, 0, 2)[0] == 't';
    PQclear(res);
    return SK_OK;
}

int scoring_store_set_publish(sk_db *db, scoring_set_kind kind, int year, const char *by,
                              int *previous)
{
    char y[16];
    snprintf(y, sizeof(y), "%d", year);
    sk_param p[] = {SK_TEXT(y), SK_TEXT(by)};
    PGresult *res;
    SK_TRY(sk_db_query(db, SET_SQL_OF[kind].supersede, p, 1, &res));
    *previous = PQntuples(res) ? atoi(PQgetvalue(res, 0, 0)) : 0;
    PQclear(res);
    SK_TRY(sk_db_query(db, SET_SQL_OF[kind].publish, p, 2, &res));
    int rc = PQntuples(res) == 1 ? SK_OK : SK_ENOTFOUND;
    PQclear(res);
    return rc;
}

int scoring_store_set_offer_draft(sk_db *db, scoring_set_kind kind, int year, const uint8_t *body,
                                  size_t len, const char *by, bool *saved, scoring_set_row *out)
{
    char id[40], y[16];
    sk_uuid7(id);
    snprintf(y, sizeof(y), "%d", year);
    sk_param p[] = {SK_TEXT(id), SK_TEXT(y), SK_BYTES(body, len), SK_TEXT(by)};
    PGresult *res;
    SK_TRY(sk_db_query(db, SET_SQL_OF[kind].offer_draft, p, 4, &res));
    *saved = PQntuples(res) == 1;
    memset(out, 0, sizeof(*out));
    if (*saved) {
        copy(out->id, sizeof(out->id), PQgetvalue(res, 0, 0));
        out->version = atoi(PQgetvalue(res, 0, 1));
        out->fiscal_year = year;
        out->state = 1;
    }
    PQclear(res);
    return SK_OK;
}

/* ---- serialisation ---- */

/* The two-key form keeps scoring's locks apart from the one-key locks the
 * RPC server takes on idempotency keys. */
#define LOCK_COMPANY 7301
#define LOCK_YEAR 7302

int scoring_store_lock_company(sk_db *db, const char *company_id)
{
    char ns[16];
    snprintf(ns, sizeof(ns), "%d", LOCK_COMPANY);
    sk_param p[] = {SK_TEXT(ns), SK_TEXT(company_id)};
    return sk_db_exec(db, "SELECT pg_advisory_xact_lock($1::int, hashtext($2))", p, 2);
}

int scoring_store_lock_year(sk_db *db, int year, bool exclusive)
{
    char ns[16], y[16];
    snprintf(ns, sizeof(ns), "%d", LOCK_YEAR);
    snprintf(y, sizeof(y), "%d", year);
    sk_param p[] = {SK_TEXT(ns), SK_TEXT(y)};
    return sk_db_exec(db,
                      exclusive ? "SELECT pg_advisory_xact_lock($1::int, $2::int)"
                                : "SELECT pg_advisory_xact_lock_shared($1::int, $2::int)",
                      p, 2);
}

/* ---- inputs ---- */

static const char SQL_UPSERT_OUTLET[] =
    "INSERT INTO scoring.outlet_input (outlet_id, company_id, outlet_name, outlet_type,"
    " reach_value) VALUES ($1, $2, $3, $4, $5)"
    " ON CONFLICT (outlet_id) DO UPDATE SET company_id = excluded.company_id,"
    " outlet_name = excluded.outlet_name, outlet_type = excluded.outlet_type,"
    " reach_value = excluded.reach_value, updated_at = now()";

int scoring_store_upsert_outlet(sk_db *db, const scoring_outlet_row *r)
{
    char type[16], reach[32];
    snprintf(type, sizeof(type), "%d", r->outlet_type);
    snprintf(reach, sizeof(reach), "%lld", (long long)r->reach_value);
    sk_param p[] = {SK_TEXT(r->outlet_id), SK_TEXT(r->company_id), SK_TEXT(r->outlet_name),
                    SK_TEXT(type), SK_TEXT(reach)};
    return sk_db_exec(db, SQL_UPSERT_OUTLET, p, 5);
}

int scoring_store_put_company(sk_db *db, const char *company_id, const char *deed_date,
                              const char *established_on, int dewan_pers_declared,
                              const char *people_json)
{
    char dp[16];
    snprintf(dp, sizeof(dp), "%d", dewan_pers_declared);
    sk_param p[] = {SK_TEXT(company_id), SK_TEXT(deed_date), SK_TEXT(established_on), SK_TEXT(dp),
                    SK_TEXT(people_json)};
    return sk_db_exec(db,
                      "INSERT INTO scoring.company_input (company_id, deed_date, established_on,"
                      " dewan_pers_declared, people) VALUES ($1, $2::date, $3::date, $4::int,"
                      " $5::jsonb) ON CONFLICT (company_id) DO UPDATE SET deed_date ="
                      " excluded.deed_date, established_on = excluded.established_on,"
                      " dewan_pers_declared = excluded.dewan_pers_declared, people ="
                      " excluded.people, updated_at = now()",
                      p, 5);
}

int scoring_store_put_proof(sk_db *db, const char *company_id, int year, const char *documents_json)
{
    char y[16];
    snprintf(y, sizeof(y), "%d", year);
    sk_param p[] = {SK_TEXT(company_id), SK_TEXT(y), SK_TEXT(documents_json)};
    return sk_db_exec(db,
                      "INSERT INTO scoring.company_proof (company_id, fiscal_year, documents)"
                      " VALUES ($1, $2::int, $3::jsonb) ON CONFLICT (company_id, fiscal_year) DO"
                      " UPDATE SET documents = excluded.documents, updated_at = now()",
                      p, 3);
}

static const char SQL_SET_STANDING[] =
    "WITH old AS (SELECT verified, suspended FROM scoring.outlet_standing"
    " WHERE outlet_id = $1 AND fiscal_year = $3)"
    " , up AS (INSERT INTO scoring.outlet_standing (outlet_id, company_id, fiscal_year, verified,"
    " suspended) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (outlet_id, fiscal_year) DO UPDATE SET"
    " company_id = excluded.company_id, verified = excluded.verified,"
    " suspended = excluded.suspended, updated_at = now())"
    " SELECT NOT EXISTS (SELECT 1 FROM old WHERE verified = $4 AND suspended = $5)";

int scoring_store_set_outlet_standing(sk_db *db, const char *outlet_id, const char *company_id,
                                      int year, bool verified, bool suspended, bool *changed)
{
    char y[16];
    snprintf(y, sizeof(y), "%d", year);
    sk_param p[] = {SK_TEXT(outlet_id), SK_TEXT(company_id), SK_TEXT(y),
                    SK_TEXT(verified ? "true" : "false"), SK_TEXT(suspended ? "true" : "false")};
    PGresult *res;
    SK_TRY(sk_db_query(db, SQL_SET_STANDING, p, 5, &res));
    *changed = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return SK_OK;
}

int scoring_store_set_company_standing(sk_db *db, const char *company_id, int year, bool verified,
                                       bool suspended)
{
    char y[16];
    snprintf(y, sizeof(y), "%d", year);
    sk_param p[] = {SK_TEXT(company_id), SK_TEXT(y), SK_TEXT(verified ? "true" : "false"),
                    SK_TEXT(suspended ? "true" : "false")};
    return sk_db_exec(db,
                      "INSERT INTO scoring.outlet_standing (outlet_id, company_id, fiscal_year,"
                      " verified, suspended) SELECT outlet_id, company_id, $2::int, $3::bool,"
                      " $4::bool FROM scoring.outlet_input WHERE company_id = $1"
                      " ON CONFLICT (outlet_id, fiscal_year) DO UPDATE SET verified ="
                      " excluded.verified, suspended = excluded.suspended, updated_at = now()",
                      p, 4);
}

int scoring_store_apply_list(sk_db *db, int year, const char *entries_json)
{
    char y[16];
    snprintf(y, sizeof(y), "%d", year);
    sk_param p[] = {SK_TEXT(y), SK_TEXT(entries_json)};
    SK_TRY(sk_db_exec(db,
                      "UPDATE scoring.outlet_standing s SET verified = false, suspended = false,"
                      " updated_at = now() WHERE s.fiscal_year = $1::int AND s.verified AND NOT"
                      " EXISTS (SELECT 1 FROM jsonb_to_recordset($2::jsonb) AS e(outlet_id text)"
                      " WHERE e.outlet_id = s.outlet_id::text)",
                      p, 2));
    return sk_db_exec(db,
                      "INSERT INTO scoring.outlet_standing (outlet_id, company_id, fiscal_year,"
                      " verified, suspended) SELECT e.outlet_id::uuid, e.company_id::uuid,"
                      " $1::int, true, e.suspended FROM jsonb_to_recordset($2::jsonb) AS"
                      " e(outlet_id text, company_id text, suspended bool)"
                      " ON CONFLICT (outlet_id, fiscal_year) DO UPDATE SET verified = true,"
                      " suspended = excluded.suspended, updated_at = now()",
                      p, 2);
}

int scoring_store_company_years(sk_db *db, const char *company_id, PGresult **res)
{
    sk_param p[] = {SK_TEXT(company_id)};
    return sk_db_query(db,
                       "SELECT DISTINCT fiscal_year FROM scoring.outlet_standing"
                       " WHERE company_id = $1 ORDER BY fiscal_year",
                       p, 1, res);
}

int scoring_store_set_performance(sk_db *db, const char *company_id, int fiscal_year,
                                  int percent)
{
    char y[16], pc[16];
    snprintf(y, sizeof(y), "%d", fiscal_year);
    snprintf(pc, sizeof(pc), "%d", percent);
    return sk_db_exec(db,
                      "INSERT INTO scoring.performance (company_id, fiscal_year, percent)"
                      " VALUES ($1::uuid, $2::int, $3::int) ON CONFLICT (company_id, fiscal_year)"
                      " DO UPDATE SET percent = excluded.percent",
                      (sk_param[]){SK_TEXT(company_id), SK_TEXT(y), SK_TEXT(pc)}, 3);
}

static const char SQL_INPUTS[] =
    "SELECT o.outlet_id, o.company_id, o.outlet_name, o.outlet_type, o.reach_value,"
    " s.suspended, coalesce(p.percent::text, ''), coalesce(sc.total::text, ''),"
    " coalesce(sc.tier, 0), coalesce((c.deed_date - date '1970-01-01')::text, ''),"
    " coalesce((c.established_on - date '1970-01-01')::text, ''),"
    " coalesce(c.dewan_pers_declared, 0), coalesce(c.people, '[]')::text,"
    " coalesce(d.documents, '[]')::text"
    " FROM scoring.outlet_standing s"
    " JOIN scoring.outlet_input o ON o.outlet_id = s.outlet_id"
    " LEFT JOIN scoring.company_input c ON c.company_id = o.company_id"
    " LEFT JOIN scoring.company_proof d ON d.company_id = o.company_id"
    "  AND d.fiscal_year = s.fiscal_year"
    " LEFT JOIN scoring.performance p ON p.company_id = o.company_id"
    "  AND p.fiscal_year = s.fiscal_year - 1"
    " LEFT JOIN scoring.outlet_score sc ON sc.outlet_id = o.outlet_id"
    "  AND sc.fiscal_year = s.fiscal_year"
    " WHERE s.fiscal_year = $1 AND s.verified AND ($2::uuid IS NULL OR o.company_id = $2)"
    " ORDER BY o.outlet_id";

int scoring_store_inputs(sk_db *db, const char *company_id, int year, PGresult **res)
{
    char y[16];
    snprintf(y, sizeof(y), "%d", year);
    sk_param p[] = {SK_TEXT(y), SK_TEXT(company_id)};
    return sk_db_query(db, SQL_INPUTS, p, 2, res);
}

/* Many scores in one statement: the rows arrive as one JSON parameter
 * (breakdowns in hex), never as SQL text. */
static const char SQL_UPSERT_SCORES[] =
    "INSERT INTO scoring.outlet_score (outlet_id, fiscal_year, total, tier, suspended,"
    " breakdown, rule_set_id, rule_set_version)"
    " SELECT r.outlet_id::uuid, $1::int, r.total, r.tier, r.suspended, decode(r.breakdown, 'hex'),"
    " $3::uuid, $4::int FROM jsonb_to_recordset($2::jsonb)"
    " AS r(outlet_id text, total int, tier int, suspended bool, breakdown text)"
    " ON CONFLICT (outlet_id, fiscal_year) DO UPDATE SET total = excluded.total,"
    " tier = excluded.tier, suspended = excluded.suspended, breakdown = excluded.breakdown,"
    " rule_set_id = excluded.rule_set_id, rule_set_version = excluded.rule_set_version,"
    " computed_at = now()";

int scoring_store_upsert_scores(sk_db *db, int year, const char *rows_json,
                                const char *rule_set_id, int rule_set_version)
{
    char y[16], v[16];
    snprintf(y, sizeof(y), "%d", year);
    snprintf(v, sizeof(v), "%d", rule_set_version);
    sk_param p[] = {SK_TEXT(y), SK_TEXT(rows_json), SK_TEXT(rule_set_id), SK_TEXT(v)};
    return sk_db_exec(db, SQL_UPSERT_SCORES, p, 4);
}

int scoring_store_delete_scores(sk_db *db, const char *company_id, int year, PGresult **res)
{
    char y[16];
    snprintf(y, sizeof(y), "%d", year);
    sk_param p[] = {SK_TEXT(company_id), SK_TEXT(y)};
    return sk_db_query(db,
                       "DELETE FROM scoring.outlet_score sc USING scoring.outlet_input o"
                       " WHERE o.outlet_id = sc.outlet_id AND ($1::uuid IS NULL OR"
                       " o.company_id = $1) AND sc.fiscal_year = $2 AND NOT EXISTS (SELECT 1"
                       " FROM scoring.outlet_standing s WHERE s.outlet_id = sc.outlet_id AND"
                       " s.fiscal_year = $2 AND s.verified) RETURNING sc.outlet_id",
                       p, 2, res);
}

#define SCORE_COLUMNS                                                                              \
    "SELECT sc.outlet_id, o.company_id, o.outlet_name, o.outlet_type, sc.fiscal_year, sc.total," \
    " sc.tier, sc.suspended, sc.breakdown, sc.rule_set_id, sc.rule_set_version, "                \
    SQL_TS("sc.computed_at")                                                                       \
    " FROM scoring.outlet_score sc JOIN scoring.outlet_input o ON o.outlet_id = sc.outlet_id"

int scoring_store_load_score(sk_db *db, const char *outlet_id, int year, PGresult **res)
{
    char y[16];
    snprintf(y, sizeof(y), "%d", year);
    sk_param p[] = {SK_TEXT(outlet_id), SK_TEXT(y)};
    SK_TRY(sk_db_query(db, SCORE_COLUMNS " WHERE sc.outlet_id = $1 AND sc.fiscal_year = $2", p, 2,
                       res));
    if (PQntuples(*res) == 0) {
        PQclear(*res);
        *res = NULL;
        return SK_ENOTFOUND;
    }
    return SK_OK;
}

int scoring_store_list_scores(sk_db *db, int year, int tier, int outlet_type, const char *after,
                              int limit, PGresult **res)
{
    char y[16], t[16], ot[16], l[16];
    snprintf(y, sizeof(y), "%d", year);
    snprintf(t, sizeof(t), "%d", tier);
    snprintf(ot, sizeof(ot), "%d", outlet_type);
    snprintf(l, sizeof(l), "%d", limit);
    sk_param p[] = {SK_TEXT(y), SK_TEXT(t), SK_TEXT(ot), SK_TEXT(after && *after ? after : NULL),
                    SK_TEXT(l)};
    return sk_db_query(db,
                       SCORE_COLUMNS " WHERE sc.fiscal_year = $1 AND ($2::int < 0 OR sc.tier = $2)"
                                     " AND ($3::int = 0 OR o.outlet_type = $3)"
                                     " AND ($4::uuid IS NULL OR sc.outlet_id > $4)"
                                     " ORDER BY sc.outlet_id LIMIT $5",
                       p, 5, res);
}
