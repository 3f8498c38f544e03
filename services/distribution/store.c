/* store.c - SQL for the distribution schema (see store.h). */
#include "store.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"

#define SQL_TS(col)                                                                                \
    "coalesce(to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '')"

static void num(char *buf, size_t cap, long long v)
{
    snprintf(buf, cap, "%lld", v);
}

/* ---- read model ---- */

static const char SQL_PUT_COMPANY[] =
    "INSERT INTO distribution.company (id, legal_name, emails)"
    " VALUES ($1, $2, ARRAY(SELECT jsonb_array_elements_text($3::jsonb)))"
    " ON CONFLICT (id) DO UPDATE SET legal_name = excluded.legal_name, emails = excluded.emails,"
    " updated_at = now()";
static const char SQL_DROP_OUTLETS[] =
    "DELETE FROM distribution.outlet WHERE company_id = $1 AND id NOT IN"
    " (SELECT (x->>'id')::uuid FROM jsonb_array_elements($2::jsonb) x)";
static const char SQL_PUT_OUTLETS[] =
    "INSERT INTO distribution.outlet (id, company_id, name, type)"
    " SELECT (x->>'id')::uuid, $1, x->>'name', (x->>'type')::smallint"
    " FROM jsonb_array_elements($2::jsonb) x"
    " ON CONFLICT (id) DO UPDATE SET company_id = excluded.company_id, name = excluded.name,"
    " type = excluded.type";

int dist_store_put_company(sk_db *db, const char *id, const char *legal_name,
                           const char *emails_json, const char *outlets_json)
{
    sk_param c[] = {SK_TEXT(id), SK_TEXT(legal_name), SK_TEXT(emails_json)};
    SK_TRY(sk_db_exec(db, SQL_PUT_COMPANY, c, 3));
    sk_param o[] = {SK_TEXT(id), SK_TEXT(outlets_json)};
    SK_TRY(sk_db_exec(db, SQL_DROP_OUTLETS, o, 2));
    return sk_db_exec(db, SQL_PUT_OUTLETS, o, 2);
}

static const char SQL_SET_STANDING[] =
    "INSERT INTO distribution.company (id, verified, suspended, valid_until)"
    " VALUES ($1, $2::boolean, $3::boolean, $4::date)"
    " ON CONFLICT (id) DO UPDATE SET verified = excluded.verified,"
    " suspended = excluded.suspended, valid_until = excluded.valid_until, updated_at = now()"
    " WHERE (company.verified, company.suspended, company.valid_until) IS DISTINCT FROM"
    " (excluded.verified, excluded.suspended, excluded.valid_until)"
    " RETURNING id";

int dist_store_set_standing(sk_db *db, const char *company_id, bool verified, bool suspended,
                            const char *valid_until, bool *changed)
{
    sk_param p[] = {SK_TEXT(company_id), SK_TEXT(verified ? "t" : "f"),
                    SK_TEXT(suspended ? "t" : "f"), SK_TEXT(valid_until)};
    PGresult *res;
    SK_TRY(sk_db_query(db, SQL_SET_STANDING, p, 4, &res));
    if (changed)
        *changed = PQntuples(res) > 0;
    PQclear(res);
    return SK_OK;
}

static const char SQL_SET_TIER[] =
    "INSERT INTO distribution.outlet_tier (outlet_id, fiscal_year, tier) VALUES ($1, $2, $3)"
    " ON CONFLICT (outlet_id, fiscal_year) DO UPDATE SET tier = excluded.tier";

int dist_store_set_tier(sk_db *db, const char *outlet_id, int fiscal_year, int tier)
{
    char y[16], t[16];
    num(y, sizeof(y), fiscal_year);
    num(t, sizeof(t), tier);
    sk_param p[] = {SK_TEXT(outlet_id), SK_TEXT(y), SK_TEXT(t)};
    return sk_db_exec(db, SQL_SET_TIER, p, 3);
}

static const char SQL_PARTNER_FACTS[] =
    "SELECT c.id, c.legal_name, to_jsonb(c.emails)::text, c.verified, c.suspended,"
    " coalesce((c.valid_until - date '1970-01-01')::text, ''),"
    " o.id, o.name, o.type, t.tier"
    " FROM distribution.company c"
    " LEFT JOIN distribution.outlet o ON o.company_id = c.id"
    " LEFT JOIN distribution.outlet_tier t ON t.outlet_id = o.id AND t.fiscal_year = $1"
    " ORDER BY c.legal_name, c.id, o.name, o.id";

int dist_store_partner_facts(sk_db *db, int fiscal_year, PGresult **res)
{
    char y[16];
    num(y, sizeof(y), fiscal_year);
    sk_param p[] = {SK_TEXT(y)};
    return sk_db_query(db, SQL_PARTNER_FACTS, p, 1, res);
}

/* ---- releases ---- */

int dist_store_insert_release(sk_db *db, const char *id, const uint8_t *selection, size_t len,
                              const char *by)
{
    sk_param p[] = {SK_TEXT(id), SK_BYTES(selection, len), SK_TEXT(by)};
    return sk_db_exec(db,
                      "INSERT INTO distribution.release (id, state, selection, created_by)"
                      " VALUES ($1, 'draft', $2, $3)",
                      p, 3);
}

static const char SQL_PUT_VERSION[] =
    "INSERT INTO distribution.release_version (release_id, version, title, lead, body_md,"
    " body_html, category, contact_name, contact_role, contact_phone, contact_email,"
    " agenda_title, agenda_starts_at, agenda_place, note, created_by)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::timestamptz, $14, $15, $16)"
    " ON CONFLICT (release_id, version) DO UPDATE SET title = excluded.title,"
    " lead = excluded.lead, body_md = excluded.body_md, body_html = excluded.body_html,"
    " category = excluded.category, contact_name = excluded.contact_name,"
    " contact_role = excluded.contact_role, contact_phone = excluded.contact_phone,"
    " contact_email = excluded.contact_email, agenda_title = excluded.agenda_title,"
    " agenda_starts_at = excluded.agenda_starts_at, agenda_place = excluded.agenda_place,"
    " note = excluded.note, created_at = now(), created_by = excluded.created_by";

static const char *nz(const char *s)
{
    return s ? s : "";
}

int dist_store_put_version(sk_db *db, const char *release_id, int version,
                           const dist_version_row *v, const char *by)
{
    char ver[16], cat[16];
    num(ver, sizeof(ver), version);
    num(cat, sizeof(cat), v->category);
    sk_param p[] = {
        SK_TEXT(release_id),        SK_TEXT(ver),
        SK_TEXT(nz(v->title)),      SK_TEXT(nz(v->lead)),
        SK_TEXT(nz(v->body_md)),    SK_TEXT(nz(v->body_html)),
        SK_TEXT(cat),               SK_TEXT(nz(v->contact_name)),
        SK_TEXT(nz(v->contact_role)), SK_TEXT(nz(v->contact_phone)),
        SK_TEXT(nz(v->contact_email)), SK_TEXT(nz(v->agenda_title)),
        SK_TEXT(v->agenda_starts_at && *v->agenda_starts_at ? v->agenda_starts_at : NULL),
        SK_TEXT(nz(v->agenda_place)), SK_TEXT(nz(v->note)),
        SK_TEXT(by),
    };
    return sk_db_exec(db, SQL_PUT_VERSION, p, 16);
}

static int one_row(sk_db *db, const char *sql, const sk_param *p, int n, PGresult **res)
{
    SK_TRY(sk_db_query(db, sql, p, n, res));
    if (PQntuples(*res) == 0) {
        PQclear(*res);
        *res = NULL;
        return SK_ENOTFOUND;
    }
    return SK_OK;
}

int dist_store_lock_release(sk_db *db, const char *id, PGresult **res)
{
    sk_param p[] = {SK_TEXT(id)};
    return one_row(db,
                   "SELECT state, version, revision, selection,"
                   " coalesce(extract(epoch FROM embargo_until)::bigint, 0), " SQL_TS("sent_at")
                   " FROM distribution.release WHERE id = $1 FOR UPDATE",
                   p, 1, res);
}

int dist_store_touch_release(sk_db *db, const char *id, const uint8_t *selection, size_t len)
{
    sk_param p[] = {SK_TEXT(id), selection ? SK_BYTES(selection, len) : SK_TEXT(NULL)};
    return sk_db_exec(db,
                      "UPDATE distribution.release SET revision = revision + 1, updated_at = now(),"
                      " selection = coalesce($2, selection) WHERE id = $1",
                      p, 2);
}

int dist_store_schedule(sk_db *db, const char *id, const char *embargo_until, const char *by)
{
    sk_param p[] = {SK_TEXT(id), SK_TEXT(embargo_until), SK_TEXT(by)};
    return sk_db_exec(db,
                      "UPDATE distribution.release SET state = 'scheduled',"
                      " embargo_until = $2::timestamptz, scheduled_at = now(), scheduled_by = $3,"
                      " revision = revision + 1, updated_at = now()"
                      " WHERE id = $1 AND state = 'draft'",
                      p, 3);
}

int dist_store_unschedule(sk_db *db, const char *id)
{
    sk_param p[] = {SK_TEXT(id)};
    return sk_db_exec(db,
                      "UPDATE distribution.release SET state = 'draft', embargo_until = NULL,"
                      " scheduled_at = NULL, scheduled_by = NULL, revision = revision + 1,"
                      " updated_at = now() WHERE id = $1 AND state = 'scheduled'",
                      p, 1);
}

int dist_store_set_version(sk_db *db, const char *id, int version)
{
    char v[16];
    num(v, sizeof(v), version);
    sk_param p[] = {SK_TEXT(id), SK_TEXT(v)};
    return sk_db_exec(db,
                      "UPDATE distribution.release SET version = $2, revision = revision + 1,"
                      " updated_at = now() WHERE id = $1",
                      p, 2);
}

static const char SQL_LOAD_RELEASE[] =
    "SELECT r.id, r.state, r.version, r.selection, " SQL_TS("r.embargo_until") ", "
    SQL_TS("r.scheduled_at") ", coalesce(r.scheduled_by, ''), " SQL_TS("r.sent_at") ", "
    SQL_TS("r.created_at") ", r.created_by, " SQL_TS("r.updated_at") ", r.revision,"
    " v.title, v.lead, v.body_md, v.body_html, v.category, v.contact_name, v.contact_role,"
    " v.contact_phone, v.contact_email, v.agenda_title, " SQL_TS("v.agenda_starts_at") ","
    " v.agenda_place, v.note, v.version,"
    " coalesce(extract(epoch FROM r.embargo_until)::bigint, 0)"
    " FROM distribution.release r JOIN distribution.release_version v ON v.release_id = r.id"
    " AND v.version = CASE WHEN $2::int = 0 THEN r.version ELSE $2::int END"
    " WHERE r.id = $1";

int dist_store_load_release(sk_db *db, const char *id, int version, PGresult **res)
{
    char v[16];
    num(v, sizeof(v), version);
    sk_param p[] = {SK_TEXT(id), SK_TEXT(v)};
    return one_row(db, SQL_LOAD_RELEASE, p, 2, res);
}

int dist_store_versions(sk_db *db, const char *release_id, PGresult **res)
{
    sk_param p[] = {SK_TEXT(release_id)};
    return sk_db_query(db,
                       "SELECT version, note, " SQL_TS("created_at") ", created_by"
                       " FROM distribution.release_version WHERE release_id = $1 ORDER BY version",
                       p, 1, res);
}

/* Counts over every message of a release; `read` and `picked up` count
 * recipients (companies), `pickups` the reports. */
static const char SQL_SUMMARIES[] =
    "SELECT r.id, r.state, r.version, v.title, v.category, " SQL_TS("r.embargo_until") ", "
    SQL_TS("r.sent_at") ", " SQL_TS("r.updated_at") ","
    " (SELECT count(*) FROM distribution.recipient x WHERE x.release_id = r.id),"
    " coalesce(d.queued, 0), coalesce(d.sent, 0), coalesce(d.failed, 0), coalesce(d.bounced, 0),"
    " (SELECT count(DISTINCT company_id) FROM distribution.inbox_read i WHERE i.release_id = r.id),"
    " (SELECT count(DISTINCT company_id) FROM distribution.pickup p WHERE p.release_id = r.id),"
    " (SELECT count(*) FROM distribution.pickup p WHERE p.release_id = r.id),"
    " coalesce(r.scheduled_by, '')"
    " FROM distribution.release r"
    " JOIN distribution.release_version v ON v.release_id = r.id AND v.version = r.version"
    " LEFT JOIN LATERAL (SELECT"
    "   count(*) FILTER (WHERE md.state IN ('queued', 'attempting')) AS queued,"
    "   count(*) FILTER (WHERE md.state = 'sent') AS sent,"
    "   count(*) FILTER (WHERE md.state = 'failed') AS failed,"
    "   count(*) FILTER (WHERE md.state = 'bounced') AS bounced"
    "   FROM distribution.mail_message mm JOIN distribution.mail_delivery md"
    "   ON md.message_id = mm.id WHERE mm.release_id = r.id) d ON true"
    " WHERE ($1::uuid IS NULL OR r.id = $1::uuid)"
    " AND ($2 = '' OR r.state = $2)"
    " AND ($3::uuid IS NULL OR r.id < $3::uuid)"
    " ORDER BY r.id DESC LIMIT $4";

int dist_store_summaries(sk_db *db, const char *id, const char *state, const char *after,
                         int limit, PGresult **res)
{
    char l[16];
    num(l, sizeof(l), limit);
    sk_param p[] = {SK_TEXT(id), SK_TEXT(nz(state)), SK_TEXT(after && *after ? after : NULL),
                    SK_TEXT(l)};
    return sk_db_query(db, SQL_SUMMARIES, p, 4, res);
}

/* ---- files ---- */

#define FILE_COLS                                                                                  \
    "id, kind, file_name, content_type, size, sha256, width, height, caption"

int dist_store_files(sk_db *db, const char *release_id, bool with_content, PGresult **res)
{
    sk_param p[] = {SK_TEXT(release_id)};
    return sk_db_query(db,
                       with_content ? "SELECT " FILE_COLS ", content FROM distribution.file"
                                      " WHERE release_id = $1 ORDER BY created_at, id"
                                    : "SELECT " FILE_COLS " FROM distribution.file"
                                      " WHERE release_id = $1 ORDER BY created_at, id",
                       p, 1, res);
}

int dist_store_file(sk_db *db, const char *release_id, const char *file_id, PGresult **res)
{
    sk_param p[] = {SK_TEXT(release_id), SK_TEXT(file_id)};
    return one_row(db,
                   "SELECT " FILE_COLS ", content FROM distribution.file"
                   " WHERE release_id = $1 AND id = $2",
                   p, 2, res);
}

int dist_store_insert_file(sk_db *db, const dist_file_row *f)
{
    char size[24], w[16], h[16];
    num(size, sizeof(size), f->size);
    num(w, sizeof(w), f->width);
    num(h, sizeof(h), f->height);
    sk_param p[] = {SK_TEXT(f->id),          SK_TEXT(f->release_id), SK_TEXT(f->kind),
                    SK_TEXT(f->file_name),   SK_TEXT(f->content_type), SK_TEXT(size),
                    SK_TEXT(f->sha256),      SK_TEXT(w),             SK_TEXT(h),
                    SK_TEXT(nz(f->caption)), SK_BYTES(f->content, (size_t)f->size),
                    SK_TEXT(f->by)};
    return sk_db_exec(db,
                      "INSERT INTO distribution.file (id, release_id, kind, file_name,"
                      " content_type, size, sha256, width, height, caption, content, created_by)"
                      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                      p, 12);
}

int dist_store_file_totals(sk_db *db, const char *release_id, int *count, int64_t *bytes)
{
    sk_param p[] = {SK_TEXT(release_id)};
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "SELECT count(*), coalesce(sum(size), 0) FROM distribution.file"
                       " WHERE release_id = $1",
                       p, 1, &res));
    *count = atoi(PQgetvalue(res, 0, 0));
    *bytes = sk_db_get_int64(res, 0, 1);
    PQclear(res);
    return SK_OK;
}

int dist_store_delete_file(sk_db *db, const char *release_id, const char *file_id)
{
    sk_param p[] = {SK_TEXT(release_id), SK_TEXT(file_id)};
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "DELETE FROM distribution.file WHERE release_id = $1 AND id = $2"
                       " RETURNING id",
                       p, 2, &res));
    int rc = PQntuples(res) ? SK_OK : SK_ENOTFOUND;
    PQclear(res);
    return rc;
}

/* ---- sending ---- */

static const char SQL_FREEZE[] =
    "WITH r AS (INSERT INTO distribution.recipient (release_id, company_id, company_name,"
    "  addresses)"
    "  SELECT $1, (x->>'id')::uuid, x->>'name',"
    "   ARRAY(SELECT jsonb_array_elements_text(x->'emails'))"
    "  FROM jsonb_array_elements($2::jsonb) x RETURNING company_id)"
    " INSERT INTO distribution.recipient_outlet (release_id, company_id, outlet_id, name, type,"
    "  tier)"
    " SELECT $1, (x->>'id')::uuid, (o->>'id')::uuid, o->>'name', (o->>'type')::smallint,"
    "  (o->>'tier')::smallint"
    " FROM jsonb_array_elements($2::jsonb) x, jsonb_array_elements(x->'outlets') o"
    " WHERE (x->>'id')::uuid IN (SELECT company_id FROM r)";

int dist_store_freeze_recipients(sk_db *db, const char *release_id, const char *json)
{
    sk_param p[] = {SK_TEXT(release_id), SK_TEXT(json)};
    return sk_db_exec(db, SQL_FREEZE, p, 2);
}

int dist_store_mark_sent(sk_db *db, const char *release_id)
{
    sk_param p[] = {SK_TEXT(release_id)};
    return sk_db_exec(db,
                      "UPDATE distribution.release SET state = 'sent', sent_at = now(),"
                      " revision = revision + 1, updated_at = now()"
                      " WHERE id = $1 AND state = 'scheduled'",
                      p, 1);
}

/* The embargo test is here, in the one query that lets a release go. */
int dist_store_due_releases(sk_db *db, int limit, PGresult **res)
{
    char l[16];
    num(l, sizeof(l), limit);
    sk_param p[] = {SK_TEXT(l)};
    return sk_db_query(db,
                       "SELECT id FROM distribution.release WHERE state = 'scheduled'"
                       " AND (embargo_until IS NULL OR embargo_until <= now())"
                       " ORDER BY coalesce(embargo_until, scheduled_at), id LIMIT $1"
                       " FOR UPDATE SKIP LOCKED",
                       p, 1, res);
}

int dist_store_recipient_ids(sk_db *db, const char *release_id, PGresult **res)
{
    sk_param p[] = {SK_TEXT(release_id)};
    return sk_db_query(db,
                       "SELECT company_id FROM distribution.recipient WHERE release_id = $1"
                       " ORDER BY company_id",
                       p, 1, res);
}

static const char SQL_QUEUE_MESSAGE[] =
    "INSERT INTO distribution.mail_message (id, kind, release_id, release_version, subject,"
    " text_body, html_body) VALUES ($1, $2, $3, $4, $5, $6, $7)";
static const char SQL_QUEUE_FILES[] =
    "INSERT INTO distribution.mail_message_file (message_id, file_id, position)"
    " SELECT $1, id, row_number() OVER (ORDER BY created_at, id) FROM distribution.file"
    " WHERE release_id = $2";
static const char SQL_QUEUE_DELIVERIES[] =
    "INSERT INTO distribution.mail_delivery (id, message_id, address, company_id)"
    " SELECT gen_random_uuid(), $1, a.address, r.company_id"
    " FROM distribution.recipient r, unnest(r.addresses) AS a(address)"
    " WHERE r.release_id = $2 ON CONFLICT (message_id, address) DO NOTHING";

int dist_store_queue_message(sk_db *db, const char *message_id, const char *kind,
                             const char *release_id, int version, const char *subject,
                             const char *text, const char *html, int *queued)
{
    char v[16];
    num(v, sizeof(v), version);
    sk_param m[] = {SK_TEXT(message_id), SK_TEXT(kind), SK_TEXT(release_id), SK_TEXT(v),
                    SK_TEXT(subject),    SK_TEXT(text), SK_TEXT(html)};
    SK_TRY(sk_db_exec(db, SQL_QUEUE_MESSAGE, m, 7));
    sk_param f[] = {SK_TEXT(message_id), SK_TEXT(release_id)};
    SK_TRY(sk_db_exec(db, SQL_QUEUE_FILES, f, 2));
    PGresult *res;
    SK_TRY(sk_db_query(db, SQL_QUEUE_DELIVERIES, f, 2, &res));
    if (queued)
        *queued = atoi(PQcmdTuples(res));
    PQclear(res);
    return SK_OK;
}

int dist_store_requeue_failed(sk_db *db, const char *release_id, int *n)
{
    sk_param p[] = {SK_TEXT(release_id)};
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "UPDATE distribution.mail_delivery d SET state = 'queued', attempts = 0,"
                       " next_attempt_at = now(), last_reply = 'queued again by staff'"
                       " FROM distribution.mail_message m WHERE d.message_id = m.id"
                       " AND m.release_id = $1 AND d.state = 'failed'",
                       p, 1, &res));
    *n = atoi(PQcmdTuples(res));
    PQclear(res);
    return SK_OK;
}

/* ---- the mail queue ---- */

/* The claim names its session (pid and start time): when that session is
 * gone, so is whoever claimed, and the row can be settled (store.h). */
static const char SQL_CLAIM[] =
    "WITH due AS (SELECT id FROM distribution.mail_delivery"
    "  WHERE state = 'queued' AND next_attempt_at <= now()"
    "  ORDER BY priority, next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED),"
    " me AS (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()),"
    " claimed AS (UPDATE distribution.mail_delivery d SET state = 'attempting',"
    "  claimed_at = now(), claim_pid = pg_backend_pid(),"
    "  claim_backend_start = (SELECT backend_start FROM me), handed_at = NULL"
    "  FROM due WHERE d.id = due.id RETURNING d.id, d.message_id, d.address, d.attempts)"
    " SELECT id, message_id, address, attempts FROM claimed ORDER BY message_id, address";

int dist_store_claim(sk_db *db, int limit, PGresult **res)
{
    char l[16];
    num(l, sizeof(l), limit);
    sk_param p[] = {SK_TEXT(l)};
    return sk_db_query(db, SQL_CLAIM, p, 1, res);
}

int dist_store_message(sk_db *db, const char *message_id, PGresult **msg, PGresult **files)
{
    sk_param p[] = {SK_TEXT(message_id)};
    SK_TRY(one_row(db,
                   "SELECT subject, text_body, html_body,"
                   " extract(epoch FROM created_at)::bigint"
                   " FROM distribution.mail_message WHERE id = $1",
                   p, 1, msg));
    int rc = sk_db_query(db,
                         "SELECT f.id, f.kind, f.file_name, f.content_type, f.size, f.sha256,"
                         " f.width, f.height, f.caption, f.content"
                         " FROM distribution.mail_message_file mf"
                         " JOIN distribution.file f ON f.id = mf.file_id"
                         " WHERE mf.message_id = $1 ORDER BY mf.position",
                         p, 1, files);
    if (rc != SK_OK) {
        PQclear(*msg);
        *msg = NULL;
    }
    return rc;
}

static const char SQL_MARK_HANDED[] =
    "UPDATE distribution.mail_delivery SET handed_at = clock_timestamp()"
    " WHERE id = $1 AND state = 'attempting' AND claim_pid = pg_backend_pid()";

int dist_store_mark_handed_send(sk_db *db, const char *delivery_id)
{
    const char *values[] = {delivery_id};
    if (!PQsendQueryParams(db->conn, SQL_MARK_HANDED, 1, NULL, values, NULL, NULL, 0)) {
        snprintf(db->error, sizeof(db->error), "%s", PQerrorMessage(db->conn));
        return PQstatus(db->conn) == CONNECTION_OK ? SK_EDB : SK_EUNAVAIL;
    }
    return SK_OK;
}

int dist_store_mark_handed_finish(sk_db *db, bool *marked)
{
    int rc = SK_OK;
    *marked = false;
    PGresult *r;
    while ((r = PQgetResult(db->conn)) != NULL) {
        if (PQresultStatus(r) == PGRES_COMMAND_OK)
            *marked = atoi(PQcmdTuples(r)) == 1;
        else if (rc == SK_OK) {
            snprintf(db->error, sizeof(db->error), "%s", PQresultErrorMessage(r));
            rc = PQstatus(db->conn) == CONNECTION_OK ? SK_EDB : SK_EUNAVAIL;
        }
        PQclear(r);
    }
    return rc;
}

static const char SQL_RECORD_MANY[] =
    "UPDATE distribution.mail_delivery d SET attempts = d.attempts + 1, state = o.state,"
    " sent_at = CASE WHEN o.state = 'sent' THEN now() END, confirmed = (o.state = 'sent'),"
    " next_attempt_at = CASE WHEN o.state = 'queued' THEN now() + make_interval(secs => o.delay)"
    "  ELSE d.next_attempt_at END,"
    " last_reply = o.reply, claim_pid = NULL, claim_backend_start = NULL"
    " FROM jsonb_to_recordset($1::jsonb) AS o(id uuid, state text, delay bigint, reply text)"
    " WHERE d.id = o.id AND d.state = 'attempting' AND d.claim_pid = pg_backend_pid()";

int dist_store_record_many(sk_db *db, const char *json, int *updated)
{
    sk_param p[] = {SK_TEXT(json)};
    PGresult *res;
    SK_TRY(sk_db_query(db, SQL_RECORD_MANY, p, 1, &res));
    *updated = atoi(PQcmdTuples(res));
    PQclear(res);
    return SK_OK;
}

int dist_store_release_claims(sk_db *db, const char *const *ids, size_t n, int64_t delay_s)
{
    if (n == 0)
        return SK_OK;
    /* {id,id,...}: ids are ours (uuid text from a claim), never outside input */
    size_t cap = n * 40 + 3;
    char *arr = malloc(cap), d[24];
    if (!arr)
        return SK_ENOMEM;
    size_t o = 0;
    arr[o++] = '{';
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(arr + o, cap - o, "%s%s", i ? "," : "", ids[i]);
    snprintf(arr + o, cap - o, "}");
    num(d, sizeof(d), delay_s);
    sk_param p[] = {SK_TEXT(arr), SK_TEXT(d)};
    int rc = sk_db_exec(db,
                        "UPDATE distribution.mail_delivery SET state = 'queued',"
                        " next_attempt_at = now() + make_interval(secs => $2::bigint),"
                        " claim_pid = NULL, claim_backend_start = NULL"
                        " WHERE id = ANY($1::uuid[]) AND state = 'attempting'"
                        " AND claim_pid = pg_backend_pid()",
                        p, 2);
    free(arr);
    return rc;
}

static const char SQL_ORPHANS[] =
    "SELECT d.id, d.attempts, d.handed_at IS NOT NULL FROM distribution.mail_delivery d"
    " WHERE d.state = 'attempting' AND (d.claimed_at < now() - make_interval(secs => $1::int)"
    " OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = d.claim_pid"
    "  AND a.backend_start = d.claim_backend_start))"
    " ORDER BY d.id LIMIT 1000 FOR UPDATE SKIP LOCKED";

int dist_store_orphans(sk_db *db, int lease_s, PGresult **res)
{
    char l[16];
    num(l, sizeof(l), lease_s);
    sk_param p[] = {SK_TEXT(l)};
    return sk_db_query(db, SQL_ORPHANS, p, 1, res);
}

int dist_store_settle_orphan(sk_db *db, const char *id, const char *state, const char *reply)
{
    sk_param p[] = {SK_TEXT(id), SK_TEXT(state), SK_TEXT(reply)};
    return sk_db_exec(db,
                      "UPDATE distribution.mail_delivery SET state = $2,"
                      " attempts = attempts + CASE WHEN $2 = 'sent' THEN 0 ELSE 1 END,"
                      " sent_at = CASE WHEN $2 = 'sent' THEN handed_at END, confirmed = false,"
                      " next_attempt_at = now(), last_reply = $3, claim_pid = NULL,"
                      " claim_backend_start = NULL WHERE id = $1 AND state = 'attempting'",
                      p, 3);
}

/* ---- proof, inbox, pick-ups ---- */

int dist_store_recipients(sk_db *db, const char *release_id, const char *company_id,
                          PGresult **res)
{
    sk_param p[] = {SK_TEXT(release_id), SK_TEXT(company_id)};
    return sk_db_query(db,
                       "SELECT company_id, company_name, to_jsonb(addresses)::text"
                       " FROM distribution.recipient WHERE release_id = $1"
                       " AND ($2::uuid IS NULL OR company_id = $2::uuid)"
                       " ORDER BY company_name, company_id",
                       p, 2, res);
}

int dist_store_recipient_outlets(sk_db *db, const char *release_id, const char *company_id,
                                 PGresult **res)
{
    sk_param p[] = {SK_TEXT(release_id), SK_TEXT(company_id)};
    return sk_db_query(db,
                       "SELECT company_id, outlet_id, name, type, coalesce(tier::text, '')"
                       " FROM distribution.recipient_outlet WHERE release_id = $1"
                       " AND ($2::uuid IS NULL OR company_id = $2::uuid)"
                       " ORDER BY company_id, name, outlet_id",
                       p, 2, res);
}

int dist_store_deliveries(sk_db *db, const char *release_id, PGresult **res)
{
    sk_param p[] = {SK_TEXT(release_id)};
    return sk_db_query(db,
                       "SELECT d.company_id, d.address, m.release_version, m.kind, d.state,"
                       " d.attempts, " SQL_TS("d.next_attempt_at") ", " SQL_TS("d.sent_at") ","
                       " d.confirmed, d.last_reply, d.id"
                       " FROM distribution.mail_delivery d"
                       " JOIN distribution.mail_message m ON m.id = d.message_id"
                       " WHERE m.release_id = $1 ORDER BY d.company_id, m.release_version, d.address",
                       p, 1, res);
}

int dist_store_reads(sk_db *db, const char *release_id, const char *company_id, PGresult **res)
{
    sk_param p[] = {SK_TEXT(release_id), SK_TEXT(company_id)};
    return sk_db_query(db,
                       "SELECT company_id, version, " SQL_TS("read_at") ", read_by"
                       " FROM distribution.inbox_read WHERE release_id = $1"
                       " AND ($2::uuid IS NULL OR company_id = $2::uuid)"
                       " ORDER BY company_id, version",
                       p, 2, res);
}

#define PICKUP_COLS                                                                                \
    "id, release_id, company_id, coalesce(outlet_id::text, ''), outlet_name, url, "               \
    SQL_TS("published_at") ", " SQL_TS("reported_at") ", reported_by, by_staff"

int dist_store_pickups(sk_db *db, const char *release_id, const char *company_id,
                       PGresult **res)
{
    sk_param p[] = {SK_TEXT(release_id), SK_TEXT(company_id)};
    return sk_db_query(db,
                       "SELECT " PICKUP_COLS " FROM distribution.pickup WHERE release_id = $1"
                       " AND ($2::uuid IS NULL OR company_id = $2::uuid)"
                       " ORDER BY company_id, reported_at, id",
                       p, 2, res);
}

int dist_store_pickup(sk_db *db, const char *id, PGresult **res)
{
    sk_param p[] = {SK_TEXT(id)};
    return one_row(db, "SELECT " PICKUP_COLS " FROM distribution.pickup WHERE id = $1", p, 1, res);
}

/* The inbox's visibility rule: the company is a frozen recipient, the
 * release is sent, and its embargo (if any) has passed. */
#define INBOX_VISIBLE                                                                              \
    " r.state = 'sent' AND (r.embargo_until IS NULL OR r.embargo_until <= now())"

int dist_store_inbox_visible(sk_db *db, const char *release_id, const char *company_id,
                             bool *visible, int64_t *embargo_epoch, bool *sent)
{
    sk_param p[] = {SK_TEXT(release_id), SK_TEXT(company_id)};
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "SELECT " INBOX_VISIBLE ", coalesce(extract(epoch FROM r.embargo_until)"
                       "::bigint, 0), r.state = 'sent'"
                       " FROM distribution.release r JOIN distribution.recipient x"
                       " ON x.release_id = r.id AND x.company_id = $2 WHERE r.id = $1",
                       p, 2, &res));
    *visible = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
    *embargo_epoch = PQntuples(res) == 1 ? sk_db_get_int64(res, 0, 1) : 0;
    *sent = PQntuples(res) == 1 && PQgetvalue(res, 0, 2)[0] == 't';
    PQclear(res);
    return SK_OK;
}

static const char SQL_INBOX[] =
    "SELECT r.id, v.title, v.lead, v.category, r.version, " SQL_TS("r.embargo_until") ", "
    SQL_TS("r.sent_at") ", " SQL_TS("i.read_at") ","
    " (SELECT count(*) FROM distribution.pickup p WHERE p.release_id = r.id"
    "  AND p.company_id = x.company_id)"
    " FROM distribution.recipient x JOIN distribution.release r ON r.id = x.release_id"
    " JOIN distribution.release_version v ON v.release_id = r.id AND v.version = r.version"
    " LEFT JOIN distribution.inbox_read i ON i.release_id = r.id"
    "  AND i.company_id = x.company_id AND i.version = r.version"
    " WHERE x.company_id = $1 AND" INBOX_VISIBLE
    " AND ($2::uuid IS NULL OR r.id = $2::uuid) AND (NOT $3::boolean OR i.read_at IS NULL)"
    " AND ($4::uuid IS NULL OR (r.sent_at, r.id) < (SELECT sent_at, id FROM distribution.release"
    "  WHERE id = $4::uuid))"
    " ORDER BY r.sent_at DESC, r.id DESC LIMIT $5";

int dist_store_inbox(sk_db *db, const char *company_id, const char *release_id, bool unread_only,
                     const char *after, int limit, PGresult **res)
{
    char l[16];
    num(l, sizeof(l), limit);
    sk_param p[] = {SK_TEXT(company_id), SK_TEXT(release_id), SK_TEXT(unread_only ? "t" : "f"),
                    SK_TEXT(after && *after ? after : NULL), SK_TEXT(l)};
    return sk_db_query(db, SQL_INBOX, p, 5, res);
}

int dist_store_inbox_unread(sk_db *db, const char *company_id, int *n)
{
    sk_param p[] = {SK_TEXT(company_id)};
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "SELECT count(*) FROM distribution.recipient x"
                       " JOIN distribution.release r ON r.id = x.release_id"
                       " WHERE x.company_id = $1 AND" INBOX_VISIBLE
                       " AND NOT EXISTS (SELECT 1 FROM distribution.inbox_read i"
                       "  WHERE i.release_id = r.id AND i.company_id = x.company_id"
                       "  AND i.version = r.version)",
                       p, 1, &res));
    *n = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return SK_OK;
}

int dist_store_mark_read(sk_db *db, const char *release_id, const char *company_id,
                         const char *by, bool *first)
{
    sk_param p[] = {SK_TEXT(release_id), SK_TEXT(company_id), SK_TEXT(by)};
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "INSERT INTO distribution.inbox_read (release_id, company_id, version,"
                       " read_by) SELECT $1, $2, version, $3 FROM distribution.release"
                       " WHERE id = $1 ON CONFLICT DO NOTHING RETURNING version",
                       p, 3, &res));
    *first = PQntuples(res) == 1;
    PQclear(res);
    return SK_OK;
}

int dist_store_company_outlet(sk_db *db, const char *company_id, const char *outlet_id,
                              char *name, size_t cap)
{
    sk_param p[] = {SK_TEXT(company_id), SK_TEXT(outlet_id)};
    PGresult *res;
    SK_TRY(one_row(db,
                   "SELECT name FROM distribution.outlet WHERE company_id = $1 AND id = $2",
                   p, 2, &res));
    snprintf(name, cap, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return SK_OK;
}

int dist_store_insert_pickup(sk_db *db, const dist_pickup_row *x)
{
    sk_param p[] = {SK_TEXT(x->id),
                    SK_TEXT(x->release_id),
                    SK_TEXT(x->company_id),
                    SK_TEXT(x->outlet_id && *x->outlet_id ? x->outlet_id : NULL),
                    SK_TEXT(nz(x->outlet_name)),
                    SK_TEXT(x->url),
                    SK_TEXT(x->published_at && *x->published_at ? x->published_at : NULL),
                    SK_TEXT(x->by),
                    SK_TEXT(x->by_staff ? "t" : "f")};
    return sk_db_exec(db,
                      "INSERT INTO distribution.pickup (id, release_id, company_id, outlet_id,"
                      " outlet_name, url, published_at, reported_by, by_staff)"
                      " VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8, $9::boolean)",
                      p, 9);
}

int dist_store_now(sk_db *db, int64_t *now)
{
    PGresult *res;
    SK_TRY(sk_db_query(db, "SELECT extract(epoch FROM now())::bigint", NULL, 0, &res));
    *now = sk_db_get_int64(res, 0, 0);
    PQclear(res);
    return SK_OK;
}

/* ---- accounts (gateway.user.*) ---- */

static const char SQL_PUT_ACCOUNT[] =
    "INSERT INTO distribution.account (id, username, display_name, roles, company_id, disabled,"
    " locale, email, version) VALUES ($1, $2, $3, string_to_array($4, ','), $5::uuid,"
    " $6::boolean, $7, $8, $9::bigint)"
    " ON CONFLICT (id) DO UPDATE SET username = excluded.username,"
    " display_name = excluded.display_name, roles = excluded.roles,"
    " company_id = excluded.company_id, disabled = excluded.disabled, locale = excluded.locale,"
    " email = excluded.email, version = excluded.version, updated_at = now()"
    " WHERE account.version <= excluded.version";

int dist_store_put_account(sk_db *db, const dist_account_row *a)
{
    char v[24];
    num(v, sizeof(v), (long long)a->version);
    sk_param p[] = {SK_TEXT(a->id),     SK_TEXT(a->username),
                    SK_TEXT(a->display_name), SK_TEXT(a->roles_csv),
                    SK_TEXT(a->company_id && *a->company_id ? a->company_id : NULL),
                    SK_TEXT(a->disabled ? "t" : "f"), SK_TEXT(a->locale),
                    SK_TEXT(a->email), SK_TEXT(v)};
    return sk_db_exec(db, SQL_PUT_ACCOUNT, p, 9);
}

int dist_store_account(sk_db *db, const char *id, PGresult **res)
{
    sk_param p[] = {SK_TEXT(id)};
    SK_TRY(sk_db_query(db,
                       "SELECT array_to_string(roles, ','), coalesce(company_id::text, ''),"
                       " locale, email, display_name, disabled"
                       " FROM distribution.account WHERE id = $1::uuid",
                       p, 1, res));
    if (PQntuples(*res) == 0) {
        PQclear(*res);
        *res = NULL;
        return SK_ENOTFOUND;
    }
    return SK_OK;
}

/* ---- notices ---- */

#define AUDIENCE_COLS                                                                              \
    "a.id::text, a.display_name, a.locale, a.email, coalesce(p.email, false)"

int dist_store_audience_company(sk_db *db, const char *company_id, int kind, PGresult **res)
{
    char k[16];
    num(k, sizeof(k), kind);
    sk_param p[] = {SK_TEXT(company_id), SK_TEXT(k)};
    return sk_db_query(db,
                       "SELECT " AUDIENCE_COLS " FROM distribution.account a"
                       " LEFT JOIN distribution.notice_preference p ON p.user_id = a.id"
                       " AND p.kind = $2::smallint"
                       " WHERE a.company_id = $1::uuid AND 'partner' = ANY (a.roles)"
                       " AND NOT a.disabled ORDER BY a.id",
                       p, 2, res);
}

int dist_store_audience_roles(sk_db *db, const char *roles_csv, const char *exclude_json, int kind,
                              PGresult **res)
{
    char k[16];
    num(k, sizeof(k), kind);
    sk_param p[] = {SK_TEXT(roles_csv), SK_TEXT(exclude_json), SK_TEXT(k)};
    return sk_db_query(db,
                       "SELECT " AUDIENCE_COLS " FROM distribution.account a"
                       " LEFT JOIN distribution.notice_preference p ON p.user_id = a.id"
                       " AND p.kind = $3::smallint"
                       " WHERE a.roles && string_to_array($1, ',') AND NOT 'partner' = ANY (a.roles)"
                       " AND NOT a.disabled AND a.id::text NOT IN"
                       " (SELECT jsonb_array_elements_text($2::jsonb)) ORDER BY a.id",
                       p, 3, res);
}

int dist_store_insert_notice(sk_db *db, const dist_notice_row *n, bool *inserted)
{
    char k[16];
    num(k, sizeof(k), n->kind);
    sk_param p[] = {SK_TEXT(n->id),          SK_TEXT(n->user_id),
                    SK_TEXT(k),              SK_TEXT(n->dedupe_key),
                    SK_TEXT(n->company_id && *n->company_id ? n->company_id : NULL),
                    SK_TEXT(n->company_name ? n->company_name : ""),
                    SK_TEXT(n->subject_id ? n->subject_id : ""), SK_TEXT(n->link ? n->link : ""),
                    SK_TEXT(n->params_json ? n->params_json : "{}")};
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "INSERT INTO distribution.notice (id, user_id, kind, dedupe_key, company_id,"
                       " company_name, subject_id, link, params) VALUES ($1, $2::uuid,"
                       " $3::smallint, $4, $5::uuid, $6, $7, $8, $9::jsonb)"
                       " ON CONFLICT (user_id, dedupe_key) DO NOTHING RETURNING id",
                       p, 9, &res));
    *inserted = PQntuples(res) == 1;
    PQclear(res);
    return SK_OK;
}

int dist_store_notice_mailed(sk_db *db, const char *notice_id, const char *message_id)
{
    sk_param p[] = {SK_TEXT(notice_id), SK_TEXT(message_id)};
    return sk_db_exec(db,
                      "UPDATE distribution.notice SET mail_message_id = $2::uuid WHERE id = $1::uuid",
                      p, 2);
}

int dist_store_resolve_notices(sk_db *db, int kind, const char *subject_id, const char *keep_json)
{
    char k[16];
    num(k, sizeof(k), kind);
    sk_param p[] = {SK_TEXT(k), SK_TEXT(subject_id), SK_TEXT(keep_json)};
    return sk_db_exec(db,
                      "UPDATE distribution.notice SET resolved_at = now()"
                      " WHERE kind = $1::smallint AND subject_id = $2 AND resolved_at IS NULL"
                      " AND dedupe_key NOT IN (SELECT jsonb_array_elements_text($3::jsonb))",
                      p, 3);
}

/* A partner's view is narrowed to its company as the signed actor says it
 * ($2): a notice raised while the account belonged to another company stays
 * out of sight. Staff pass NULL. */
#define NOTICE_OWNER " n.user_id = $1::uuid AND ($2::uuid IS NULL OR n.company_id = $2::uuid)"

int dist_store_notices(sk_db *db, const char *user_id, const char *company_id, bool unread_only,
                       const char *after, int limit, PGresult **res)
{
    char l[16];
    num(l, sizeof(l), limit);
    sk_param p[] = {SK_TEXT(user_id), SK_TEXT(company_id), SK_TEXT(unread_only ? "t" : "f"),
                    SK_TEXT(after && *after ? after : NULL), SK_TEXT(l)};
    return sk_db_query(
        db,
        "SELECT n.id::text, n.kind, " SQL_TS("n.created_at") ", " SQL_TS("n.read_at") ", "
        SQL_TS("n.resolved_at") ", coalesce(n.company_id::text, ''), n.company_name, n.subject_id,"
        " n.link, n.params::text, n.mail_message_id IS NOT NULL"
        " FROM distribution.notice n WHERE" NOTICE_OWNER
        " AND (NOT $3::boolean OR n.read_at IS NULL)"
        " AND ($4::uuid IS NULL OR (n.created_at, n.id) < (SELECT created_at, id FROM"
        " distribution.notice WHERE id = $4::uuid))"
        " ORDER BY n.created_at DESC, n.id DESC LIMIT $5::int",
        p, 5, res);
}

int dist_store_notices_unread(sk_db *db, const char *user_id, const char *company_id, int *n)
{
    sk_param p[] = {SK_TEXT(user_id), SK_TEXT(company_id)};
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "SELECT count(*) FROM distribution.notice n WHERE" NOTICE_OWNER
                       " AND n.read_at IS NULL",
                       p, 2, &res));
    *n = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return SK_OK;
}

int dist_store_mark_notices_read(sk_db *db, const char *user_id, const char *company_id,
                                 const char *ids_json, int *marked)
{
    sk_param p[] = {SK_TEXT(user_id), SK_TEXT(company_id), SK_TEXT(ids_json)};
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "UPDATE distribution.notice n SET read_at = now() WHERE" NOTICE_OWNER
                       " AND n.read_at IS NULL AND ($3::jsonb IS NULL OR n.id::text IN"
                       " (SELECT lower(jsonb_array_elements_text($3::jsonb))))",
                       p, 3, &res));
    *marked = atoi(PQcmdTuples(res));
    PQclear(res);
    return SK_OK;
}

int dist_store_notice_prefs(sk_db *db, const char *user_id, PGresult **res)
{
    sk_param p[] = {SK_TEXT(user_id)};
    return sk_db_query(db,
                       "SELECT kind, email FROM distribution.notice_preference"
                       " WHERE user_id = $1::uuid ORDER BY kind",
                       p, 1, res);
}

int dist_store_set_notice_pref(sk_db *db, const char *user_id, int kind, bool email)
{
    char k[16];
    num(k, sizeof(k), kind);
    sk_param p[] = {SK_TEXT(user_id), SK_TEXT(k), SK_TEXT(email ? "t" : "f")};
    return sk_db_exec(db,
                      "INSERT INTO distribution.notice_preference (user_id, kind, email)"
                      " VALUES ($1::uuid, $2::smallint, $3::boolean)"
                      " ON CONFLICT (user_id, kind) DO UPDATE SET email = excluded.email,"
                      " updated_at = now()",
                      p, 3);
}

/* ---- personal mail ---- */

int dist_store_wipe_secrets(sk_db *db, int *n)
{
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "UPDATE distribution.mail_message m SET text_body = '', html_body = ''"
                       " WHERE m.kind = 'password_reset' AND m.text_body <> '' AND NOT EXISTS"
                       " (SELECT 1 FROM distribution.mail_delivery d WHERE d.message_id = m.id"
                       " AND d.state IN ('queued', 'attempting'))",
                       NULL, 0, &res));
    *n = atoi(PQcmdTuples(res));
    PQclear(res);
    return SK_OK;
}

int dist_store_queue_personal(sk_db *db, const char *message_id, const char *kind,
                              const char *locale, const char *subject, const char *text,
                              const char *html, const char *addresses_json, const char *user_id,
                              int *queued)
{
    sk_param m[] = {SK_TEXT(message_id), SK_TEXT(kind),  SK_TEXT(locale),
                    SK_TEXT(subject),    SK_TEXT(text),  SK_TEXT(html)};
    SK_TRY(sk_db_exec(db,
                      "INSERT INTO distribution.mail_message (id, kind, locale, subject,"
                      " text_body, html_body) VALUES ($1, $2, $3, $4, $5, $6)",
                      m, 6));
    sk_param d[] = {SK_TEXT(message_id), SK_TEXT(addresses_json), SK_TEXT(user_id)};
    PGresult *res;
    SK_TRY(sk_db_query(db,
                       "INSERT INTO distribution.mail_delivery (id, message_id, address, user_id,"
                       " priority) SELECT gen_random_uuid(), $1, a, $3::uuid, 0"
                       " FROM jsonb_array_elements_text($2::jsonb) a"
                       " ON CONFLICT (message_id, address) DO NOTHING",
                       d, 3, &res));
    if (queued)
        *queued = atoi(PQcmdTuples(res));
    PQclear(res);
    return SK_OK;
}
