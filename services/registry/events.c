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
    int rc = bs && as ? sk_audit_append_about(db, NULL, company_id, "company.verification",
                                              "company", company_id, bs, as, correlation)
                      : SK_ENOMEM;
    cJSON_free(bs);
    cJSON_free(as);
    return rc;
}

/* Each outlet's own outcome (verification decides per outlet). Undecided
 * outlets keep what they had: a decision of another year stays until this
 * year's is made. */
static int apply_outlets(sk_db *db, const Seklik__Verification__Case *vc, const char *correlation)
{
    static const char *const NAMES[] = {
        [SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_VERIFIED] = "verified",
        [SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_REJECTED] = "rejected",
        [SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_SUSPENDED] = "suspended",
    };
    for (size_t i = 0; i < vc->n_outlets; i++) {
        const Seklik__Verification__CaseOutlet *o = vc->outlets[i];
        if (!o || !sk_uuid_valid(o->outlet_id) ||
            o->state < SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_VERIFIED ||
            o->state > SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_SUSPENDED)
            continue;
        int32_t d;
        const char *until = o->state == SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_VERIFIED &&
                                    registry_parse_date(o->valid_until, &d)
                                ? o->valid_until
                                : "";
        bool changed = false;
        SK_TRY(registry_store_set_outlet_verification(db, vc->company_id, o->outlet_id,
                                                      vc->fiscal_year, NAMES[o->state], until,
                                                      o->reason ? o->reason : "", &changed));
        if (!changed)
            continue;
        char after[160];
        snprintf(after, sizeof(after), "{\"fiscalYear\":%d,\"status\":\"%s\",\"verifiedUntil\":\"%s\"}",
                 vc->fiscal_year, NAMES[o->state], until);
        SK_TRY(sk_audit_append_about(db, NULL, vc->company_id, "outlet.verification", "outlet",
                                     o->outlet_id, NULL, after, correlation));
    }
    return SK_OK;
}

/* verification.year.opened: who may submit for the year, and when. */
static int apply_year(sk_db *db, const Seklik__Bus__Event *ev)
{
    Seklik__Verification__YearOpened *m =
        seklik__verification__year_opened__unpack(NULL, ev->body.len, ev->body.data);
    const Seklik__Verification__FiscalYear *y = m ? m->year : NULL;
    int32_t from, to;
    int rc = SK_OK;
    if (!y || y->fiscal_year < 2000 || y->fiscal_year > 2100 ||
        !registry_parse_date(y->registration_opens_on, &from) ||
        !registry_parse_date(y->registration_closes_on, &to) || to < from) {
        sk_log_warn("%s seq %llu: no readable fiscal year, skipped", ev->type,
                    (unsigned long long)ev->seq);
    } else {
        bool changed = false;
        rc = registry_store_put_year(db, y->fiscal_year, y->registration_opens_on,
                                     y->registration_closes_on, y->cv_allowed, &changed);
        char after[160], id[16];
        snprintf(after, sizeof(after),
                 "{\"registrationOpensOn\":\"%s\",\"registrationClosesOn\":\"%s\",\"cvAllowed\":%s}",
                 y->registration_opens_on, y->registration_closes_on, y->cv_allowed ? "true" : "false");
        snprintf(id, sizeof(id), "%d", y->fiscal_year);
        if (rc == SK_OK && changed)
            rc = sk_audit_append(db, NULL, "fiscal_year.opened", "fiscal_year", id, NULL, after,
                                 ev->correlation_id);
    }
    if (m)
        seklik__verification__year_opened__free_unpacked(m, NULL);
    return rc;
}

/* verification.list.finalized / .amended: the year's partner list is final
 * and names exactly these outlets (the single truth for the year). */
static int apply_list(sk_db *db, const Seklik__Bus__Event *ev)
{
    Seklik__Verification__ListFinalized *m =
        seklik__verification__list_finalized__unpack(NULL, ev->body.len, ev->body.data);
    const Seklik__Verification__Announcement *a = m ? m->announcement : NULL;
    int rc = SK_OK;
    if (!a || a->fiscal_year < 2000 || a->fiscal_year > 2100) {
        sk_log_warn("%s seq %llu: no readable list, skipped", ev->type, (unsigned long long)ev->seq);
        goto done;
    }
    const char **ids = a->n_entries ? calloc(a->n_entries, sizeof(char *)) : NULL;
    size_t n = 0;
    if (a->n_entries && !ids) {
        rc = SK_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < a->n_entries; i++)
        if (a->entries[i] && sk_uuid_valid(a->entries[i]->outlet_id))
            ids[n++] = a->entries[i]->outlet_id;
    rc = registry_store_year_final(db, a->fiscal_year);
    if (rc == SK_OK)
        rc = registry_store_set_listed(db, a->fiscal_year, ids, n);
    free(ids);
done:
    if (m)
        seklik__verification__list_finalized__free_unpacked(m, NULL);
    return rc;
}

/* No event is emitted here: registry.company.updated would go back to
 * verification, which sent this one (no ping-pong). */
int registry_apply_verification(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    sk_db *db = ctx->db;
    void *app = ctx->app;
    (void)app;
    if (ev->type && strcmp(ev->type, "verification.year.opened") == 0)
        return apply_year(db, ev);
    if (ev->type && (strcmp(ev->type, "verification.list.finalized") == 0 ||
                     strcmp(ev->type, "verification.list.amended") == 0))
        return apply_list(db, ev);
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
    rc = apply_outlets(db, vc, ev->correlation_id);
    int status = status_of_case(vc->state);
    if (rc != SK_OK || !status)
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
