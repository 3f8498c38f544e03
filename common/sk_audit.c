#include "sk_audit.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_actor.h"
#include "sk_err.h"

static const char SQL_AUDIT[] =
    "INSERT INTO audit_log (user_id, roles, company_id, remote_addr, action, entity_type,"
    " entity_id, before, after, correlation_id)"
    " VALUES ($1, $2::jsonb, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10)";

/* Newest first; (at, id) is the page key. Microseconds are exact both ways:
 * extract() answers numeric, and 2^53 us is beyond the year 2255. */
static const char SQL_LIST[] =
    "SELECT id, (extract(epoch FROM at) * 1000000)::bigint, user_id, roles::text,"
    " coalesce(company_id, ''), coalesce(remote_addr, ''), action, entity_type, entity_id,"
    " coalesce(before::text, ''), coalesce(after::text, ''), correlation_id"
    " FROM audit_log"
    " WHERE ($1 = '' OR user_id = $1)"
    " AND ($2 = '' OR company_id = $2)"
    " AND ($3 = '' OR left(action, length($3)) = $3)"
    " AND (jsonb_array_length($4::jsonb) = 0"
    "      OR entity_id IN (SELECT jsonb_array_elements_text($4::jsonb)))"
    " AND ($5::bigint = 0 OR at >= timestamptz 'epoch' + $5::bigint * interval '1 millisecond')"
    " AND ($6::bigint = 0 OR at < timestamptz 'epoch' + $6::bigint * interval '1 millisecond')"
    " AND ($7::bigint = 0 OR (at, id) < (timestamptz 'epoch' + $7::bigint * interval "
    "'1 microsecond', $8::bigint))"
    " ORDER BY at DESC, id DESC LIMIT $9";

enum { L_ID, L_AT, L_USER, L_ROLES, L_COMPANY, L_ADDR, L_ACTION, L_ETYPE, L_EID, L_BEFORE,
       L_AFTER, L_CORR };

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static bool json_ok(const char *s)
{
    if (!s)
        return true;
    cJSON *j = cJSON_Parse(s);
    cJSON_Delete(j);
    return j != NULL;
}

int sk_audit_append_about(sk_db *db, const Seklik__Bus__Actor *actor, const char *company_id,
                          const char *action, const char *entity_type, const char *entity_id,
                          const char *before, const char *after, const char *correlation_id)
{
    /* Reject what PostgreSQL would: better a clear code than an aborted transaction. */
    if (!json_ok(before) || !json_ok(after))
        return SK_EINVAL;

    cJSON *roles = cJSON_CreateArray();
    if (!roles)
        return SK_ENOMEM;
    for (size_t i = 0; actor && i < actor->n_roles; i++)
        cJSON_AddItemToArray(roles, cJSON_CreateString(or_empty(actor->roles[i])));
    char *roles_json = cJSON_PrintUnformatted(roles);
    cJSON_Delete(roles);
    if (!roles_json)
        return SK_ENOMEM;
    if (!company_id || !company_id[0])
        company_id = actor && actor->company_id && actor->company_id[0] ? actor->company_id : NULL;
    sk_param p[] = {
        SK_TEXT(actor ? or_empty(actor->user_id) : "system"),
        SK_TEXT(roles_json),
        SK_TEXT(company_id),
        SK_TEXT(actor && actor->remote_addr && actor->remote_addr[0] ? actor->remote_addr : NULL),
        SK_TEXT(action),
        SK_TEXT(entity_type),
        SK_TEXT(entity_id),
        SK_TEXT(before),
        SK_TEXT(after),
        SK_TEXT(or_empty(correlation_id)),
    };
    int rc = sk_db_exec(db, SQL_AUDIT, p, 10);
    cJSON_free(roles_json);
    return rc;
}

int sk_audit_append(sk_db *db, const Seklik__Bus__Actor *actor, const char *action,
                    const char *entity_type, const char *entity_id, const char *before,
                    const char *after, const char *correlation_id)
{
    return sk_audit_append_about(db, actor, NULL, action, entity_type, entity_id, before, after,
                                 correlation_id);
}

/* ---- reading ---- */

static char **roles_of(sk_call *call, const char *json, size_t *n)
{
    *n = 0;
    cJSON *a = cJSON_Parse(json);
    int count = cJSON_GetArraySize(a);
    char **out = sk_call_alloc(call, (size_t)(count > 0 ? count : 1) * sizeof(char *));
    for (int i = 0; out && i < count; i++) {
        const char *s = cJSON_GetStringValue(cJSON_GetArrayItem(a, i));
        if (s && (out[*n] = sk_call_strdup(call, s)))
            (*n)++;
    }
    cJSON_Delete(a);
    return out;
}

static Seklik__Bus__AuditEntry *entry_at(sk_call *call, const PGresult *r, int i)
{
    Seklik__Bus__AuditEntry *e = sk_call_alloc(call, sizeof(*e));
    if (!e)
        return NULL;
    seklik__bus__audit_entry__init(e);
    e->id = sk_db_get_int64(r, i, L_ID);
    e->at_unix_us = sk_db_get_int64(r, i, L_AT);
    e->user_id = sk_call_strdup(call, PQgetvalue(r, i, L_USER));
    e->roles = roles_of(call, PQgetvalue(r, i, L_ROLES), &e->n_roles);
    e->company_id = sk_call_strdup(call, PQgetvalue(r, i, L_COMPANY));
    e->remote_addr = sk_call_strdup(call, PQgetvalue(r, i, L_ADDR));
    e->action = sk_call_strdup(call, PQgetvalue(r, i, L_ACTION));
    e->entity_type = sk_call_strdup(call, PQgetvalue(r, i, L_ETYPE));
    e->entity_id = sk_call_strdup(call, PQgetvalue(r, i, L_EID));
    e->before = sk_call_strdup(call, PQgetvalue(r, i, L_BEFORE));
    e->after = sk_call_strdup(call, PQgetvalue(r, i, L_AFTER));
    e->correlation_id = sk_call_strdup(call, PQgetvalue(r, i, L_CORR));
    e->service = sk_call_strdup(call, or_empty(call->service));
    if (!e->user_id || !e->roles || !e->company_id || !e->remote_addr || !e->action ||
        !e->entity_type || !e->entity_id || !e->before || !e->after || !e->correlation_id ||
        !e->service)
        return NULL;
    return e;
}

int sk_audit_list(sk_call *call, const Seklik__Bus__ListAuditRequest *req,
                  Seklik__Bus__ListAuditResponse *out)
{
    if (req->from_unix_ms < 0)
        sk_call_violation_code(call, "fromUnixMs", "negative", "must not be negative");
    if (req->to_unix_ms < 0)
        sk_call_violation_code(call, "toUnixMs", "negative", "must not be negative");
    if (req->to_unix_ms && req->from_unix_ms >= req->to_unix_ms)
        sk_call_violation_code(call, "toUnixMs", "audit.range_empty", "must be after fromUnixMs");
    if (req->before_unix_us < 0 || req->before_id < 0)
        sk_call_violation_code(call, "beforeUnixUs", "negative", "must not be negative");
    if (call->n_violations)
        return SK_EINVAL;
    unsigned limit = req->limit == 0 ? SK_AUDIT_PAGE_DEFAULT
                     : req->limit > SK_AUDIT_PAGE_MAX ? SK_AUDIT_PAGE_MAX
                                                      : req->limit;

    cJSON *ids = cJSON_CreateArray();
    for (size_t i = 0; ids && i < req->n_entity_ids; i++)
        cJSON_AddItemToArray(ids, cJSON_CreateString(or_empty(req->entity_ids[i])));
    char *ids_json = ids ? cJSON_PrintUnformatted(ids) : NULL;
    cJSON_Delete(ids);
    if (!ids_json)
        return SK_ENOMEM;
    char from[24], to[24], before_us[24], before_id[24], lim[16];
    snprintf(from, sizeof(from), "%lld", (long long)req->from_unix_ms);
    snprintf(to, sizeof(to), "%lld", (long long)req->to_unix_ms);
    snprintf(before_us, sizeof(before_us), "%lld", (long long)req->before_unix_us);
    snprintf(before_id, sizeof(before_id), "%lld",
             (long long)(req->before_unix_us ? req->before_id : 0));
    snprintf(lim, sizeof(lim), "%u", limit + 1); /* one more tells whether there are more */
    sk_param p[] = {SK_TEXT(or_empty(req->user_id)), SK_TEXT(or_empty(req->company_id)),
                    SK_TEXT(or_empty(req->action)),  SK_TEXT(ids_json),
                    SK_TEXT(from),                   SK_TEXT(to),
                    SK_TEXT(before_us),              SK_TEXT(before_id),
                    SK_TEXT(lim)};
    PGresult *r = NULL;
    int rc = sk_db_query(call->db, SQL_LIST, p, 9, &r);
    cJSON_free(ids_json);
    if (rc != SK_OK)
        return rc;
    int n = PQntuples(r);
    out->more = n > (int)limit;
    if (out->more)
        n = (int)limit;
    out->entries = sk_call_alloc(call, (size_t)(n ? n : 1) * sizeof(*out->entries));
    rc = out->entries ? SK_OK : SK_ENOMEM;
    for (int i = 0; rc == SK_OK && i < n; i++) {
        out->entries[i] = entry_at(call, r, i);
        if (!out->entries[i])
            rc = SK_ENOMEM;
        else
            out->n_entries++;
    }
    PQclear(r);
    return rc;
}

int sk_audit_serve_list(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    static const char *const readers[] = {SK_ROLE_ADMIN, SK_ROLE_HEAD, NULL};
    /* A partner account never reads a trail, whatever else it holds. */
    if (!sk_actor_has_any_role(call->actor, readers) ||
        sk_actor_has_role(call->actor, SK_ROLE_PARTNER))
        return sk_call_fail(call, SK_EPERM,
                            "audit.readers_only: only admin and head read the audit trail");
    return sk_audit_list(call, (const Seklik__Bus__ListAuditRequest *)in,
                         (Seklik__Bus__ListAuditResponse *)out);
}
