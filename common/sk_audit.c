#include "sk_audit.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdlib.h>

#include "sk_err.h"

static const char SQL_AUDIT[] =
    "INSERT INTO audit_log (user_id, roles, company_id, remote_addr, action, entity_type,"
    " entity_id, before, after, correlation_id)"
    " VALUES ($1, $2::jsonb, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10)";

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

int sk_audit_append(sk_db *db, const Seklik__Bus__Actor *actor, const char *action,
                    const char *entity_type, const char *entity_id, const char *before,
                    const char *after, const char *correlation_id)
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
    sk_param p[] = {
        SK_TEXT(actor ? or_empty(actor->user_id) : "system"),
        SK_TEXT(roles_json),
        SK_TEXT(actor && actor->company_id && actor->company_id[0] ? actor->company_id : NULL),
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
