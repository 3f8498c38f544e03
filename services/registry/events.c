/* events.c - what the registry does with other services' events: it keeps
 * the company's verification status as a read model of verification's
 * events, and emits nothing for it (no events bouncing between services). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "internal.h"
#include "seklik/registry.pb-c.h"
#include "seklik/scoring.pb-c.h"
#include "seklik/verification.pb-c.h"
#include "sk_audit.h"
#include "sk_err.h"
#include "sk_id.h"
#include "sk_log.h"
#include "store.h"

/* ---- the read model of verification ---- */

static const char *const CASE_EVENTS[] = {
    "verification.case.opened",       "verification.case.updated",
    "verification.company.verified",  "verification.company.rejected",
    "verification.company.suspended", NULL,
};

static bool case_event(const char *type)
{
    for (const char *const *t = CASE_EVENTS; *t; t++)
        if (strcmp(*t, type) == 0)
            return true;
    return false;
}

/* The company status a case state means; 0 = none (leave the company be). */
static int status_of_case(int state)
{
    switch (state) {
    case SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_OPENED:
    case SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_IN_REVIEW:
    case SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VISIT_PENDING:
    case SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VISITED:
        return SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_IN_REVIEW;
    case SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_NEEDS_REVISION:
        return SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_NEEDS_REVISION;
    case SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VERIFIED:
        return SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_VERIFIED;
    case SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_REJECTED:
        return SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_REJECTED;
    case SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_SUSPENDED:
        return SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_SUSPENDED;
    default:
        return 0;
    }
}

static int audit_status(sk_db *db, const char *company_id, const char *before, int status,
                        const char *until, const char *reason, const char *correlation)
{
    cJSON *b = cJSON_CreateObject(), *a = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "status", before);
    cJSON_AddStringToObject(a, "status", registry_store_status_name(status));
    cJSON_AddStringToObject(a, "verifiedUntil", until);
    cJSON_AddStringToObject(a, "statusReason", reason);
    char *bs = cJSON_PrintUnformatted(b), *as = cJSON_PrintUnformatted(a);
    cJSON_Delete(b);
    cJSON_Delete(a);
    int rc = bs && as ? sk_audit_append(db, NULL, "company.verification", "company", company_id,
                                        bs, as, correlation)
                      : SK_ENOMEM;
    cJSON_free(bs);
    cJSON_free(as);
    return rc;
}

/* No event is emitted here: registry.company.updated would go back to
 * verification, which sent this one (no ping-pong). */
int registry_apply_verification(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    sk_db *db = ctx->db;
    void *app = ctx->app;
    (void)app;
    if (!ev->type || !case_event(ev->type))
        return SK_OK;
    Seklik__Verification__CaseChanged *cc =
        seklik__verification__case_changed__unpack(NULL, ev->body.len, ev->body.data);
    const Seklik__Verification__Case *vc = cc ? cc->verification_case : NULL;
    int rc = SK_OK;
    /* A body we cannot read would block the stream forever if we failed on
     * it; it is logged and skipped instead. */
    if (!vc || !sk_uuid_valid(vc->company_id)) {
        sk_log_warn("%s seq %llu: no readable case, skipped", ev->type, (unsigned long long)ev->seq);
        goto done;
    }
    int status = status_of_case(vc->state);
    if (!status)
        goto done;
    int32_t d;
    const char *until = status == SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_VERIFIED &&
                                registry_parse_date(vc->valid_until, &d)
                            ? vc->valid_until
                            : "";
    const char *reason = status == SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_REJECTED ||
                                 status == SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_SUSPENDED
                             ? (vc->reason ? vc->reason : "")
                             : "";
    bool changed = false;
    char before[32];
    rc = registry_store_set_verification(db, vc->company_id, status, until, reason, &changed,
                                         before);
    if (rc == SK_ENOTFOUND) {
        sk_log_warn("%s: unknown company %s, skipped", ev->type, vc->company_id);
        rc = SK_OK;
    } else if (rc == SK_OK && changed) {
        rc = audit_status(db, vc->company_id, before, status, until, reason, ev->correlation_id);
    }
done:
    if (cc)
        seklik__verification__case_changed__free_unpacked(cc, NULL);
    return rc;
}


/* ---- the read model of scoring ---- */

int registry_apply_scoring(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    sk_db *db = ctx->db;
    void *app = ctx->app;
    (void)app;
    Seklik__Scoring__OutletTiered *t =
        seklik__scoring__outlet_tiered__unpack(NULL, ev->body.len, ev->body.data);
    if (!t || !t->score || !sk_uuid_valid(t->score->outlet_id)) {
        /* Skipped, not retried: a malformed event would block the stream. */
        sk_log_warn("scoring event seq %llu unreadable, skipped", (unsigned long long)ev->seq);
        if (t)
            seklik__scoring__outlet_tiered__free_unpacked(t, NULL);
        return SK_OK;
    }
    static const char *const names[] = {"-", "C", "B", "A"};
    int tier = t->score->tier;
    bool found = false;
    int rc = registry_store_set_tier(db, t->score->outlet_id, t->score->fiscal_year,
                                     tier >= 0 && tier <= 3 ? names[tier] : "-", &found);
    if (rc == SK_OK && !found)
        sk_log_info("tier for unknown or older outlet %s ignored", t->score->outlet_id);
    seklik__scoring__outlet_tiered__free_unpacked(t, NULL);
    return rc;
}
