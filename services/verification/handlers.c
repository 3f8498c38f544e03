/* handlers.c - one function per RPC method: decode, authorize, call the
 * domain, store, emit. Registry events and the expiry job are in events.c.
 *
 * Error messages are Bahasa Indonesia first, English in parentheses. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "internal.h"
#include "seklik/registry.pb-c.h"
#include "seklik/verification.pb-c.h"
#include "sk_json.h"
#include "sk_actor.h"
#include "sk_audit.h"
#include "sk_err.h"
#include "sk_id.h"
#include "sk_outbox.h"
#include "sk_service.h"
#include "store.h"

typedef Seklik__Verification__Case vcase_pb;

static const char *const ROLES_ADMIN[] = {SK_ROLE_ADMIN, NULL};
static const char *const ROLES_VERIFIER[] = {SK_ROLE_VERIFIER, SK_ROLE_ADMIN, NULL};
static const char *const ROLES_SUSPEND[] = {SK_ROLE_VERIFIER, SK_ROLE_HEAD, SK_ROLE_ADMIN, NULL};
static const char *const ROLES_HEAD[] = {SK_ROLE_ADMIN, SK_ROLE_HEAD, NULL};
/* The second person of a decision: another verifier or the head. */
static const char *const ROLES_APPROVE[] = {SK_ROLE_VERIFIER, SK_ROLE_HEAD, SK_ROLE_ADMIN, NULL};
static const char *const ROLES_STAFF[] = {SK_ROLE_ADMIN, SK_ROLE_VERIFIER, SK_ROLE_PARTNERSHIP,
                                          SK_ROLE_PR,    SK_ROLE_FINANCE,  SK_ROLE_HEAD,
                                          NULL};
static const char *const ROLES_NONE[] = {NULL};

static int deny(sk_call *call, const char *who)
{
    char msg[200];
    snprintf(msg, sizeof(msg), "access.denied: only %s may do this", who);
    return sk_call_fail(call, SK_EPERM, msg);
}

static bool signed_in(const sk_call *call)
{
    return call->actor->user_id && call->actor->user_id[0];
}

static int wrong_state(sk_call *call, verification_case_state state, const char *what)
{
    char msg[256];
    snprintf(msg, sizeof(msg), "case.wrong_state: the case is %s; %s is not possible",
             verification_case_state_name(state), what);
    return sk_call_fail(call, SK_EPRECOND, msg);
}

static bool blank(const char *s)
{
    return !s || !*s;
}

/* ---- requirement sets ---- */

static Seklik__Verification__RequirementSet *set_to_pb_at(sk_arena *m, PGresult *r, int row,
                                                          bool draft)
{
    Seklik__Verification__RequirementSet *out = sk_arena_alloc(m, sizeof(*out));
    if (!out)
        return NULL;
    seklik__verification__requirement_set__init(out);
    out->id = sk_arena_strdup(m, PQgetvalue(r, row, RS_ID));
    out->fiscal_year = atoi(PQgetvalue(r, row, RS_FISCAL_YEAR));
    out->outlet_type = atoi(PQgetvalue(r, row, RS_OUTLET_TYPE));
    out->version = atoi(PQgetvalue(r, row, RS_VERSION));
    out->published_at = sk_arena_strdup(m, PQgetvalue(r, row, RS_PUBLISHED_AT));
    out->published_by = sk_arena_strdup(m, PQgetvalue(r, row, RS_PUBLISHED_BY));
    out->draft = draft;
    cJSON *reqs = cJSON_Parse(PQgetvalue(r, row, RS_REQUIREMENTS));
    int n = cJSON_GetArraySize(reqs);
    out->requirements = n > 0 ? sk_arena_alloc(m, (size_t)n * sizeof(*out->requirements)) : NULL;
    for (int i = 0; out->requirements && i < n; i++) {
        cJSON *it = cJSON_GetArrayItem(reqs, i);
        Seklik__Verification__Requirement *q = sk_arena_alloc(m, sizeof(*q));
        if (!q)
            break;
        seklik__verification__requirement__init(q);
        q->type = sk_json_int(cJSON_GetObjectItem(it, "type"), 0, 1000, 0);
        q->required = cJSON_IsTrue(cJSON_GetObjectItem(it, "required"));
        q->must_not_be_expired = cJSON_IsTrue(cJSON_GetObjectItem(it, "must_not_be_expired"));
        out->requirements[out->n_requirements++] = q;
    }
    cJSON_Delete(reqs);
    return out;
}

/* Copy the set's fields into the already initialised `out`. */
static int reply_set_of(sk_call *call, PGresult *r, Seklik__Verification__RequirementSet *out,
                        bool draft)
{
    sk_arena *m = &call->arena;
    Seklik__Verification__RequirementSet *s = set_to_pb_at(m, r, 0, draft);
    PQclear(r);
    if (!s)
        return SK_ENOMEM;
    *out = *s;
    return SK_OK;
}

static int reply_set(sk_call *call, PGresult *r, Seklik__Verification__RequirementSet *out)
{
    return reply_set_of(call, r, out, false);
}

static int check_requirements(sk_call *call,
                              const Seklik__Verification__PublishRequirementSetRequest *req)
{
    if (req->fiscal_year < 2000 || req->fiscal_year > 2100)
        sk_call_violation_code(call, "fiscalYear", "out_of_range", "must be between 2000 and 2100");
    if (req->outlet_type < 1 || req->outlet_type > 4)
        sk_call_violation_code(call, "outletType", "required", "outlet type required");
    if (req->n_requirements == 0 && !req->from_draft)
        sk_call_violation_code(call, "requirements", "requirement_set.empty",
                               "at least one document");
    if (req->n_requirements > 0 && req->from_draft)
        sk_call_violation_code(call, "requirements", "requirement_set.draft_or_list",
                               "publish either the draft or a list, not both");
    for (size_t i = 0; i < req->n_requirements; i++) {
        int t = req->requirements[i]->type;
        bool dup = false;
        for (size_t j = 0; j < i; j++)
            dup = dup || (int)req->requirements[j]->type == t;
        if (t < 1 || t > 12 || dup) {
            char field[48];
            snprintf(field, sizeof(field), "requirements[%zu].type", i);
            sk_call_violation_code(call, field,
                                   dup ? "requirement_set.duplicate_type" : "unknown_value",
                                   dup ? "duplicate document type" : "unknown document type");
        }
    }
    return call->n_violations ? SK_EINVAL : SK_OK;
}

static int publish_set(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__PublishRequirementSetRequest *req = (const void *)in;
    if (!sk_actor_has_any_role(call->actor, ROLES_ADMIN))
        return deny(call, "admin");
    SK_TRY(check_requirements(call, req));

    char *json = NULL;
    if (req->from_draft) {
        PGresult *d = NULL;
        int rc = verification_store_load_draft(call->db, req->fiscal_year, req->outlet_type, &d);
        if (rc == SK_ENOTFOUND)
            return sk_call_fail(call, SK_EPRECOND,
                                "requirement_set.no_draft: no draft requirement set to "
                                "publish");
        SK_TRY(rc);
        json = strdup(PQgetvalue(d, 0, RS_REQUIREMENTS));
        PQclear(d);
    } else {
        cJSON *a = cJSON_CreateArray();
        for (size_t i = 0; i < req->n_requirements; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "type", req->requirements[i]->type);
            cJSON_AddBoolToObject(o, "required", req->requirements[i]->required);
            cJSON_AddBoolToObject(o, "must_not_be_expired",
                                  req->requirements[i]->must_not_be_expired);
            cJSON_AddItemToArray(a, o);
        }
        json = cJSON_PrintUnformatted(a);
        cJSON_Delete(a);
    }
    if (!json)
        return SK_ENOMEM;
    /* What is published is no longer a draft to review. */
    int drc = verification_store_drop_draft(call->db, req->fiscal_year, req->outlet_type);
    if (drc != SK_OK) {
        free(json);
        return drc;
    }
    char id[SK_UUID_STRLEN];
    sk_uuid7(id);
    PGresult *r = NULL;
    int rc = verification_store_publish_set(call->db, id, req->fiscal_year, req->outlet_type, json,
                                            call->actor->user_id, &r);
    if (rc == SK_OK)
        rc = sk_audit_append(call->db, call->actor, "requirement_set.publish", "requirement_set",
                             id, NULL, json, call->req->request_id);
    free(json);
    if (rc != SK_OK) {
        PQclear(r);
        return rc;
    }
    return reply_set(call, r, (Seklik__Verification__RequirementSet *)out);
}

static int get_set(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__GetRequirementSetRequest *req = (const void *)in;
    /* Anyone signed in: partners must see the set that judges them. */
    if (!signed_in(call))
        return deny(call, "signed-in users");
    PGresult *r = NULL;
    if (req->draft) {
        if (!sk_actor_has_any_role(call->actor, ROLES_ADMIN))
            return deny(call, "admin");
        int rc = verification_store_load_draft(call->db, req->fiscal_year, req->outlet_type, &r);
        if (rc == SK_ENOTFOUND)
            return sk_call_fail(call, rc, "requirement_set.no_draft: no draft requirement set");
        SK_TRY(rc);
        return reply_set_of(call, r, (Seklik__Verification__RequirementSet *)out, true);
    }
    int rc = verification_store_newest_set(call->db, req->fiscal_year, req->outlet_type, &r);
    if (rc == SK_ENOTFOUND)
        return sk_call_fail(call, rc,
                            "requirement_set.not_published: no requirement set published");
    SK_TRY(rc);
    return reply_set(call, r, (Seklik__Verification__RequirementSet *)out);
}

/* Verification.ListRequirementSets: the year's published sets (newest of
 * each outlet type) and, for the admin, its drafts. */
static int list_sets(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__ListRequirementSetsRequest *req = (const void *)in;
    Seklik__Verification__ListRequirementSetsResponse *resp = (void *)out;
    if (!signed_in(call))
        return deny(call, "signed-in users");
    bool drafts = sk_actor_has_any_role(call->actor, ROLES_ADMIN);
    PGresult *r = NULL;
    SK_TRY(verification_store_list_sets(call->db, req->fiscal_year, &r));
    int n = PQntuples(r), rc = SK_OK;
    sk_arena *m = &call->arena;
    resp->sets = n ? sk_arena_alloc(m, (size_t)n * sizeof(*resp->sets)) : NULL;
    for (int i = 0; rc == SK_OK && i < n; i++) {
        bool draft = PQgetvalue(r, i, RS_DRAFT)[0] == 't';
        if (draft && !drafts)
            continue;
        Seklik__Verification__RequirementSet *set =
            resp->sets ? set_to_pb_at(m, r, i, draft) : NULL;
        if (!set)
            rc = SK_ENOMEM;
        else
            resp->sets[resp->n_sets++] = set;
    }
    PQclear(r);
    return rc;
}

/* ---- opening a fiscal year ---- */

static int reply_year(sk_call *call, PGresult *r, ProtobufCMessage *out)
{
    Seklik__Verification__FiscalYear *y = (void *)out;
    sk_arena *m = &call->arena;
    y->fiscal_year = atoi(PQgetvalue(r, 0, FY_YEAR));
    y->registration_opens_on = sk_arena_strdup(m, PQgetvalue(r, 0, FY_OPENS_ON));
    y->registration_closes_on = sk_arena_strdup(m, PQgetvalue(r, 0, FY_CLOSES_ON));
    y->cv_allowed = PQgetvalue(r, 0, FY_CV_ALLOWED)[0] == 't';
    y->opened_at = sk_arena_strdup(m, PQgetvalue(r, 0, FY_OPENED_AT));
    y->opened_by = sk_arena_strdup(m, PQgetvalue(r, 0, FY_OPENED_BY));
    return y->opened_by ? SK_OK : SK_ENOMEM;
}

/* The requirements of the year before for `type`, as JSON text (malloc'ed),
 * or the defaults when it has none. */
static int last_years_requirements(sk_db *db, int year, int type, char **json)
{
    PGresult *r = NULL;
    int rc = verification_store_newest_set(db, year - 1, type, &r);
    if (rc == SK_OK) {
        *json = strdup(PQgetvalue(r, 0, RS_REQUIREMENTS));
        PQclear(r);
        return *json ? SK_OK : SK_ENOMEM;
    }
    if (rc != SK_ENOTFOUND)
        return rc;
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < verification_default_requirements_count; i++) {
        const verification_requirement *q = &verification_default_requirements[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "type", q->type);
        cJSON_AddBoolToObject(o, "required", q->required);
        cJSON_AddBoolToObject(o, "must_not_be_expired", q->must_not_be_expired);
        cJSON_AddItemToArray(a, o);
    }
    *json = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    return *json ? SK_OK : SK_ENOMEM;
}

/* Verification.OpenYear (admin): the year's registration window and CV
 * rule, and drafts of its requirement sets; the event carries the year to
 * the registry (who may submit) and scoring (its own drafts). Idempotent:
 * drafts and published sets already there are kept, unchanged settings
 * write and send nothing. */
static int open_year(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__OpenYearRequest *req = (const void *)in;
    if (!sk_actor_has_any_role(call->actor, ROLES_ADMIN))
        return deny(call, "admin");
    int32_t opens = 0, closes = 0;
    bool year_ok = req->fiscal_year >= 2000 && req->fiscal_year <= 2100;
    if (!year_ok)
        sk_call_violation_code(call, "fiscalYear", "out_of_range", "must be between 2000 and 2100");
    bool dates = verification_date_parse(req->registration_opens_on, &opens);
    if (!dates)
        sk_call_violation_code(call, "registrationOpensOn", "date.invalid",
                               "a date YYYY-MM-DD is required");
    if (!verification_date_parse(req->registration_closes_on, &closes)) {
        dates = false;
        sk_call_violation_code(call, "registrationClosesOn", "date.invalid",
                               "a date YYYY-MM-DD is required");
    }
    if (year_ok && dates) {
        switch (verification_window_check(req->fiscal_year, opens, closes)) {
        case VERIFICATION_WINDOW_ORDER:
            sk_call_violation_code(call, "registrationClosesOn", "registration.window_order",
                                   "the window closes before it opens");
            break;
        case VERIFICATION_WINDOW_AFTER_YEAR:
            sk_call_violation_code(call, "registrationClosesOn", "registration.window_after_year",
                                   "the window closes within its fiscal year");
            break;
        case VERIFICATION_WINDOW_OK: break;
        }
    }
    if (call->n_violations)
        return SK_EINVAL;

    bool changed = false;
    PGresult *r = NULL;
    SK_TRY(verification_store_put_year(call->db, req->fiscal_year, req->registration_opens_on,
                                       req->registration_closes_on, req->cv_allowed,
                                       call->actor->user_id, &changed, &r));
    int rc = SK_OK;
    for (int type = 1; rc == SK_OK && type <= 4; type++) {
        char *json = NULL;
        bool saved = false;
        rc = last_years_requirements(call->db, req->fiscal_year, type, &json);
        if (rc == SK_OK)
            rc = verification_store_offer_draft(call->db, req->fiscal_year, type, json,
                                                call->actor->user_id, &saved);
        if (rc == SK_OK && saved) {
            char id[48];
            snprintf(id, sizeof(id), "%d/%d", req->fiscal_year, type);
            rc = sk_audit_append(call->db, call->actor, "requirement_set.draft", "requirement_set",
                                 id, NULL, json, call->req->request_id);
        }
        free(json);
    }
    if (rc == SK_OK)
        rc = reply_year(call, r, out);
    PQclear(r);
    if (rc == SK_OK && changed) {
        char id[16], after[200];
        Seklik__Verification__FiscalYear *y = (void *)out;
        snprintf(id, sizeof(id), "%d", req->fiscal_year);
        snprintf(after, sizeof(after),
                 "{\"registration_opens_on\":\"%s\",\"registration_closes_on\":\"%s\","
                 "\"cv_allowed\":%s}",
                 y->registration_opens_on, y->registration_closes_on,
                 y->cv_allowed ? "true" : "false");
        rc = sk_audit_append(call->db, call->actor, "fiscal_year.open", "fiscal_year", id, NULL,
                             after, call->req->request_id);
        Seklik__Verification__YearOpened ev = SEKLIK__VERIFICATION__YEAR_OPENED__INIT;
        ev.year = y;
        if (rc == SK_OK)
            rc = sk_outbox_append(call->db, "verification.year.opened", &ev.base, call->actor,
                                  call->req->request_id, NULL);
    }
    return rc;
}

/* Verification.GetYear: any signed actor (partners see when they may register). */
static int get_year(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__GetYearRequest *req = (const void *)in;
    if (!signed_in(call))
        return deny(call, "signed-in users");
    PGresult *r = NULL;
    int rc = verification_store_load_year(call->db, req->fiscal_year, &r);
    if (rc == SK_ENOTFOUND)
        return sk_call_fail(call, rc, "year.not_found: the fiscal year is not opened");
    SK_TRY(rc);
    rc = reply_year(call, r, out);
    PQclear(r);
    return rc;
}

/* ---- reading cases ---- */

/* Fill the initialised `out` with the case. */
static int reply_case(sk_call *call, const verification_case_row *c, ProtobufCMessage *out)
{
    sk_arena *m = &call->arena;
    vcase_pb *pb = vcase_to_pb(m, c, true);
    if (!pb)
        return SK_ENOMEM;
    *(vcase_pb *)out = *pb;
    return SK_OK;
}

static int not_found(sk_call *call)
{
    return sk_call_fail(call, SK_ENOTFOUND, "case.not_found: no such case");
}

static int get_case(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__GetCaseRequest *req = (const void *)in;
    verification_case_row c;
    int rc;
    if (!blank(req->case_id)) {
        if (!sk_uuid_valid(req->case_id))
            return sk_call_violation_code(call, "caseId", "id.invalid", "not a case id");
        rc = verification_store_load_case(call->db, req->case_id, false, &c);
    } else if (!blank(req->company_id)) {
        /* Checked before reading: a partner learns nothing of another company. */
        if (!sk_actor_may_act_for_company(call->actor, req->company_id, ROLES_STAFF))
            return deny(call, "staff or this company's partner");
        rc = verification_store_newest_case(call->db, req->company_id, 0, NULL, false, &c);
    } else {
        return sk_call_violation_code(call, "caseId", "required",
                                      "caseId or companyId is required");
    }
    if (rc == SK_ENOTFOUND)
        return not_found(call);
    SK_TRY(rc);
    if (!sk_actor_may_act_for_company(call->actor, c.company_id, ROLES_STAFF)) {
        /* Another company's case answers as one that does not exist: the
         * answer must not tell a partner which case ids are real. */
        verification_store_case_free(&c);
        return not_found(call);
    }
    rc = reply_case(call, &c, out);
    verification_store_case_free(&c);
    if (rc == SK_OK && !sk_actor_has_any_role(call->actor, ROLES_STAFF))
        vcase_for_partner((vcase_pb *)out);
    return rc;
}

/* ---- Verification.GetCaseHistory ---- */

#define HISTORY_MAX 1000

static int get_case_history(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__GetCaseHistoryRequest *req = (const void *)in;
    Seklik__Verification__CaseHistory *resp = (void *)out;
    /* The names of who decided, and their reasons before the partner sees
     * them: staff only. */
    if (!sk_actor_has_any_role(call->actor, ROLES_STAFF) ||
        sk_actor_has_role(call->actor, SK_ROLE_PARTNER))
        return deny(call, "staff");
    if (!sk_uuid_valid(req->case_id))
        return sk_call_violation_code(call, "caseId", "id.invalid", "not a case id");
    verification_case_row c;
    int rc = verification_store_load_case(call->db, req->case_id, false, &c);
    if (rc == SK_ENOTFOUND)
        return not_found(call);
    SK_TRY(rc);
    PGresult *objs = NULL;
    rc = verification_store_list_objections(call->db, c.fiscal_year, c.company_id, &objs);
    int n_objs = rc == SK_OK ? PQntuples(objs) : 0;
    char **ids = sk_call_alloc(call, (size_t)(n_objs + 1) * sizeof(char *));
    if (rc == SK_OK && !ids)
        rc = SK_ENOMEM;
    Seklik__Bus__ListAuditRequest q = SEKLIK__BUS__LIST_AUDIT_REQUEST__INIT;
    if (rc == SK_OK) {
        ids[0] = sk_call_strdup(call, c.id);
        for (int i = 0; i < n_objs; i++)
            ids[i + 1] = sk_call_strdup(call, PQgetvalue(objs, i, OBJ_ID));
        q.entity_ids = ids;
        q.n_entity_ids = (size_t)n_objs + 1;
        q.company_id = sk_call_strdup(call, c.company_id);
        q.limit = SK_AUDIT_PAGE_MAX;
    }
    PQclear(objs);
    verification_store_case_free(&c);
    SK_TRY(rc);
    /* Newest first, page by page; the answer reads oldest first. */
    Seklik__Bus__AuditEntry **all = sk_call_alloc(call, HISTORY_MAX * sizeof(*all));
    if (!all)
        return SK_ENOMEM;
    size_t n = 0;
    for (;;) {
        Seklik__Bus__ListAuditResponse page = SEKLIK__BUS__LIST_AUDIT_RESPONSE__INIT;
        SK_TRY(sk_audit_list(call, &q, &page));
        for (size_t i = 0; i < page.n_entries && n < HISTORY_MAX; i++)
            all[n++] = page.entries[i];
        if (!page.more || n >= HISTORY_MAX || page.n_entries == 0)
            break;
        q.before_unix_us = page.entries[page.n_entries - 1]->at_unix_us;
        q.before_id = page.entries[page.n_entries - 1]->id;
    }
    resp->entries = sk_call_alloc(call, (n ? n : 1) * sizeof(*resp->entries));
    if (!resp->entries)
        return SK_ENOMEM;
    for (size_t i = 0; i < n; i++)
        resp->entries[resp->n_entries++] = all[n - 1 - i];
    return SK_OK;
}

static int list_cases(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__ListCasesRequest *req = (const void *)in;
    Seklik__Verification__ListCasesResponse *resp = (void *)out;
    if (!sk_actor_has_any_role(call->actor, ROLES_STAFF))
        return deny(call, "staff");
    const char *state = NULL;
    if (req->state != SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_UNSPECIFIED) {
        state = verification_case_state_name((verification_case_state)(req->state - 1));
        if (!state)
            return sk_call_violation_code(call, "state", "unknown_value", "unknown state");
    }
    if (!blank(req->page_token) && !sk_uuid_valid(req->page_token))
        return sk_call_violation_code(call, "pageToken", "page_token.invalid",
                                      "invalid page token");
    int size = req->page_size == 0 ? 20 : req->page_size > 100 ? 100 : (int)req->page_size;
    PGresult *r = NULL;
    /* One more row than asked tells whether there is a next page. */
    SK_TRY(verification_store_list_cases(call->db, state, req->fiscal_year,
                                         req->awaiting_approval, req->page_token, size + 1, &r));
    int n = PQntuples(r) > size ? size : PQntuples(r);
    sk_arena *m = &call->arena;
    resp->cases = n ? sk_arena_alloc(m, (size_t)n * sizeof(*resp->cases)) : NULL;
    int rc = n && !resp->cases ? SK_ENOMEM : SK_OK;
    for (int i = 0; rc == SK_OK && i < n; i++) {
        verification_case_row c = {0};
        verification_store_case_at(r, i, &c);
        resp->cases[i] = vcase_to_pb(m, &c, false);
        rc = resp->cases[i] ? SK_OK : SK_ENOMEM;
        resp->n_cases = (size_t)i + 1;
    }
    if (rc == SK_OK && PQntuples(r) > size)
        resp->next_page_token = sk_arena_strdup(m, PQgetvalue(r, n - 1, 0));
    PQclear(r);
    return rc;
}

/* ---- decisions on a case ---- */

/* A four-eyes refusal: PERMISSION_DENIED naming the rule, nothing written. */
static int refuse(sk_call *call, verification_four_eyes rule)
{
    static const char *const why[] = {
        [VERIFICATION_FOUR_EYES_OK] = "",
        [VERIFICATION_FOUR_EYES_UNKNOWN] =
            "four_eyes.unknown: the acting user or the registrant is unknown",
        [VERIFICATION_FOUR_EYES_REGISTRANT] = "four_eyes.registrant: whoever registered the "
                                              "company may not verify it or decide on it",
        [VERIFICATION_FOUR_EYES_SUPPLIER] =
            "four_eyes.supplier: whoever uploaded one of its documents may not propose or approve "
            "the decision",
        [VERIFICATION_FOUR_EYES_OWN_UPLOAD] =
            "four_eyes.own_upload: nobody judges a document version they uploaded",
        [VERIFICATION_FOUR_EYES_OWN_PROPOSAL] =
            "four_eyes.own_proposal: nobody approves their own proposal",
        [VERIFICATION_FOUR_EYES_TOOK_PART] =
            "four_eyes.took_part: whoever took part in the decision may not answer the objection "
            "to it",
    };
    return sk_call_fail(call, SK_EPERM,
                        (size_t)rule < sizeof(why) / sizeof(why[0]) && why[rule][0]
                            ? why[rule]
                            : "four_eyes.unknown: the four-eyes rule refused");
}

/* First in every verifier command, before its input is judged: whoever may
 * not act learns only that. */
static int require_verifier(sk_call *call)
{
    if (!sk_actor_has_any_role(call->actor, ROLES_VERIFIER))
        return deny(call, "verifier or admin");
    return SK_OK;
}

/* Load and lock the case a verifier acts on, with four-eyes applied
 * (require_verifier has passed). */
static int load_for_verifier(sk_call *call, const char *case_id, verification_case_row *c)
{
    if (!sk_uuid_valid(case_id))
        return sk_call_violation_code(call, "caseId", "id.invalid", "a case id is required");
    int rc = verification_store_load_case(call->db, case_id, true, c);
    if (rc == SK_ENOTFOUND)
        return not_found(call);
    SK_TRY(rc);
    verification_four_eyes rule = verification_may_work(c->registered_by, call->actor->user_id);
    if (rule != VERIFICATION_FOUR_EYES_OK) {
        verification_store_case_free(c);
        return refuse(call, rule);
    }
    return SK_OK;
}

/* Who may not decide on the case: its registrant and the uploaders of its
 * current document versions. The ids point into c->docs. */
static int parties_of(sk_call *call, const verification_case_row *c, verification_parties *p)
{
    int n = PQntuples(c->docs);
    const char **ids = n ? sk_call_alloc(call, (size_t)n * sizeof(char *)) : NULL;
    if (n && !ids)
        return SK_ENOMEM;
    for (int i = 0; i < n; i++)
        ids[i] = PQgetvalue(c->docs, i, DOC_UPLOADED_BY);
    *p = (verification_parties){c->registered_by, ids, (size_t)n};
    return SK_OK;
}

/* Audit before -> after, emit `event`, and reply with the case as stored. */
static int finish(sk_call *call, const char *action, const char *event, const char *case_id,
                  const char *before, ProtobufCMessage *out)
{
    verification_case_row c;
    SK_TRY(verification_store_load_case(call->db, case_id, false, &c));
    char *after = vcase_audit_json(&c);
    int rc = after ? sk_audit_append_about(call->db, call->actor, c.company_id, action,
                                           "verification_case", case_id, before, after,
                                           call->req->request_id)
                   : SK_ENOMEM;
    free(after);
    if (rc == SK_OK)
        rc = vcase_emit(call->db, event, case_id, call->actor, call->req->request_id);
    if (rc == SK_OK)
        rc = reply_case(call, &c, out);
    verification_store_case_free(&c);
    return rc;
}

static int refresh_validity(sk_call *call, const verification_case_row *before, const vcheck *chk);

/* The row of `document_id` in c->docs, or -1. */
static int document_row(const verification_case_row *c, const char *document_id)
{
    for (int i = 0; i < PQntuples(c->docs); i++)
        if (strcmp(PQgetvalue(c->docs, i, DOC_DOCUMENT_ID), document_id) == 0)
            return i;
    return -1;
}

/* Who uploaded the version `document_id` of the case ("" = not recorded). */
static const char *uploader_of(const verification_case_row *c, const char *document_id)
{
    for (int i = 0; i < PQntuples(c->docs); i++)
        if (strcmp(PQgetvalue(c->docs, i, DOC_DOCUMENT_ID), document_id) == 0)
            return PQgetvalue(c->docs, i, DOC_UPLOADED_BY);
    return "";
}

static int decide_document(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__DecideDocumentRequest *req = (const void *)in;
    SK_TRY(require_verifier(call));
    bool accept = req->decision == SEKLIK__VERIFICATION__DECISION__DECISION_ACCEPTED;
    if (!accept && req->decision != SEKLIK__VERIFICATION__DECISION__DECISION_REJECTED)
        return sk_call_violation_code(call, "decision", "decision.required",
                                      "accepted or rejected");
    if (!accept && blank(req->reason))
        return sk_call_violation_code(call, "reason", "reason.required",
                                      "a rejection needs a reason");
    if (req->dewan_pers_status < SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_NONE ||
        req->dewan_pers_status > SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_FAKTUAL)
        return sk_call_violation_code(call, "dewanPersStatus", "unknown_value",
                                      "unknown Dewan Pers status");
    verification_case_row c;
    SK_TRY(load_for_verifier(call, req->case_id, &c));
    int rc = SK_OK;
    int row = blank(req->document_id) ? -1 : document_row(&c, req->document_id);
    /* Documents are judged while in review; a rejection may be revisited
     * while the company is fixing another one. After the decision only a
     * replacement waiting for review is judged (the case stays decided). */
    if (c.state != VERIFICATION_CASE_IN_REVIEW && c.state != VERIFICATION_CASE_NEEDS_REVISION &&
        !(c.state == VERIFICATION_CASE_VERIFIED && row >= 0 &&
          strcmp(PQgetvalue(c.docs, row, DOC_DECISION), "pending") == 0))
        rc = wrong_state(call, c.state, "document decision");
    else if (row < 0)
        rc = sk_call_violation_code(call, "documentId", "case.document_unknown",
                                    "not a document of this case");
    else if (req->dewan_pers_status != SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_NONE &&
             (!accept || atoi(PQgetvalue(c.docs, row, DOC_TYPE)) !=
                             SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_DEWAN_PERS))
        rc = sk_call_violation_code(call, "dewanPersStatus",
                                    "document.dewan_pers_level_not_a_certificate",
                                    "a level is read only off an accepted Dewan Pers certificate");
    verification_four_eyes rule = VERIFICATION_FOUR_EYES_OK;
    if (rc == SK_OK &&
        (rule = verification_may_judge_document(c.registered_by,
                                                uploader_of(&c, req->document_id),
                                                call->actor->user_id)) != VERIFICATION_FOUR_EYES_OK)
        rc = refuse(call, rule);
    char *before = rc == SK_OK ? vcase_audit_json(&c) : NULL;
    if (rc == SK_OK && !before)
        rc = SK_ENOMEM;
    if (rc == SK_OK)
        rc = verification_store_decide_document(call->db, c.id, req->document_id,
                                                accept ? "accepted" : "rejected", req->reason,
                                                call->actor->user_id, req->dewan_pers_status);
    vcheck chk;
    if (rc == SK_OK)
        rc = vcheck_run(call->db, c.id, &chk);
    if (rc == SK_OK)
        rc = vcase_follow_documents(call->db, c.id, c.state, &chk, c.visit_json[0] != '\0');
    if (rc == SK_OK && accept && c.state == VERIFICATION_CASE_VERIFIED)
        rc = refresh_validity(call, &c, &chk); /* a renewal may move the end of validity */
    if (rc == SK_OK)
        rc = finish(call, "case.decide_document", "verification.case.updated", c.id, before, out);
    free(before);
    verification_store_case_free(&c);
    return rc;
}

static char *visit_json(const Seklik__Verification__Visit *v, const char *verifier)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "visited_on", v->visited_on);
    cJSON_AddStringToObject(o, "verifier_id", verifier);
    cJSON_AddNumberToObject(o, "latitude", v->latitude);
    cJSON_AddNumberToObject(o, "longitude", v->longitude);
    cJSON_AddStringToObject(o, "findings", v->findings ? v->findings : "");
    cJSON *photos = cJSON_AddArrayToObject(o, "photo_document_ids");
    for (size_t i = 0; i < v->n_photo_document_ids; i++)
        cJSON_AddItemToArray(photos, cJSON_CreateString(v->photo_document_ids[i]));
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static int check_visit(sk_call *call, const Seklik__Verification__Visit *v)
{
    int32_t day;
    if (!v)
        return sk_call_violation_code(call, "visit", "required", "visit required");
    if (!verification_date_parse(v->visited_on, &day) || day > vdate_today_wib())
        sk_call_violation_code(call, "visit.visitedOn", "visit.date_invalid",
                               "a past date, YYYY-MM-DD");
    if (!verification_gps_in_indonesia(v->latitude, v->longitude))
        sk_call_violation_code(call, "visit.latitude", "visit.gps_outside_indonesia",
                               "the GPS point must be in Indonesia");
    if (blank(v->findings))
        sk_call_violation_code(call, "visit.findings", "required", "findings required");
    return call->n_violations ? SK_EINVAL : SK_OK;
}

/* A visit cites only images staff uploaded for this case's visit, never a
 * document the company supplied. */
static int check_visit_photos(sk_call *call, const verification_case_row *c,
                              const Seklik__Verification__Visit *v)
{
    for (size_t i = 0; i < v->n_photo_document_ids; i++) {
        bool ours = false;
        for (int k = 0; !ours && k < PQntuples(c->photos); k++)
            ours = strcmp(PQgetvalue(c->photos, k, PHOTO_DOCUMENT_ID), v->photo_document_ids[i]) == 0 &&
                   verification_visit_photo_type_ok(PQgetvalue(c->photos, k, PHOTO_CONTENT_TYPE));
        if (!ours) {
            char field[48];
            snprintf(field, sizeof(field), "visit.photoDocumentIds[%zu]", i);
            sk_call_violation_code(call, field, "visit.photo_not_of_case",
                                   "not an image uploaded for this case's visit");
        }
    }
    return call->n_violations ? SK_EINVAL : SK_OK;
}

/* RecordVisit: only in VISIT_PENDING (the domain's rule): the visit checks
 * the documents a verifier already accepted. */
static int record_visit(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__RecordVisitRequest *req = (const void *)in;
    SK_TRY(require_verifier(call));
    SK_TRY(check_visit(call, req->visit));
    verification_case_row c;
    SK_TRY(load_for_verifier(call, req->case_id, &c));
    verification_case_state next;
    int rc = SK_OK;
    if (!verification_next_state(c.state, VERIFICATION_ACTION_VISIT_RECORDED, &next))
        rc = wrong_state(call, c.state, "recording the visit");
    else
        rc = check_visit_photos(call, &c, req->visit);
    char *before = rc == SK_OK ? vcase_audit_json(&c) : NULL;
    char *json = rc == SK_OK ? visit_json(req->visit, call->actor->user_id) : NULL;
    if (rc == SK_OK && (!before || !json))
        rc = SK_ENOMEM;
    if (rc == SK_OK)
        rc = verification_store_record_visit(call->db, c.id, json, next);
    if (rc == SK_OK)
        rc = finish(call, "case.record_visit", "verification.case.updated", c.id, before, out);
    free(json);
    free(before);
    verification_store_case_free(&c);
    return rc;
}

/* The end of an outlet's verification: 31 December of the case's year, or
 * the earliest expiry among the accepted versions in force that count for
 * the outlet (the company's and its own) and whose requirement says "must
 * not be expired". False when one expires before the year begins. */
static bool outlet_until(const verification_case_row *c, const vcheck *chk, const char *outlet_id,
                         char out[11])
{
    int32_t expiries[128], until;
    size_t n = 0;
    for (int i = 0; i < PQntuples(c->docs) && n < 128; i++) {
        const char *own = PQgetvalue(c->docs, i, DOC_OUTLET_ID);
        int type = atoi(PQgetvalue(c->docs, i, DOC_TYPE));
        if (!PQgetvalue(c->docs, i, DOC_IN_FORCE_ID)[0] || (own[0] && strcmp(own, outlet_id) != 0) ||
            type <= 0 || type >= 16 || !chk->not_expired[type])
            continue;
        if (verification_date_parse(PQgetvalue(c->docs, i, DOC_IN_FORCE_EXPIRES_ON), &expiries[n]))
            n++;
    }
    if (!verification_validity(c->fiscal_year, expiries, n, &until))
        return false;
    verification_date_format(until, out);
    return true;
}

static int expires_before_year(sk_call *call)
{
    return sk_call_fail(call, SK_EPRECOND,
                        "validity.before_fiscal_year: an accepted document expires before the "
                        "fiscal year begins");
}

/* After a replacement was accepted on a verified case: each verified
 * outlet's end of validity again, from the versions now in force. */
static int refresh_validity(sk_call *call, const verification_case_row *before, const vcheck *chk)
{
    verification_case_row c;
    SK_TRY(verification_store_load_case(call->db, before->id, false, &c));
    int rc = SK_OK;
    for (int i = 0; rc == SK_OK && i < PQntuples(c.outlets); i++) {
        if (strcmp(PQgetvalue(c.outlets, i, OUT_STATE), "verified") != 0)
            continue;
        char until[11];
        const char *id = PQgetvalue(c.outlets, i, OUT_OUTLET_ID);
        if (!outlet_until(&c, chk, id, until))
            rc = expires_before_year(call);
        else if (strcmp(until, PQgetvalue(c.outlets, i, OUT_VALID_UNTIL)) != 0)
            rc = verification_store_set_outlet_until(call->db, c.id, id, until);
    }
    if (rc == SK_OK)
        rc = verification_store_sync_case_until(call->db, c.id);
    verification_store_case_free(&c);
    return rc;
}

/* The outlet row of `outlet_id` in c->outlets, or -1. */
static int outlet_row(const verification_case_row *c, const char *outlet_id)
{
    for (int i = 0; c->outlets && i < PQntuples(c->outlets); i++)
        if (strcmp(PQgetvalue(c->outlets, i, OUT_OUTLET_ID), outlet_id) == 0)
            return i;
    return -1;
}

static verification_outlet_state outlet_state_at(const verification_case_row *c, int row)
{
    verification_outlet_state st = VERIFICATION_OUTLET_PENDING;
    verification_outlet_state_parse(PQgetvalue(c->outlets, row, OUT_STATE), &st);
    return st;
}

/* The outlets a decision is for: those named (each must be the case's), or
 * when none is named, every outlet the outcome can apply to (pending ones
 * for verified or rejected, verified ones for a suspension). Ids point into
 * `given` or c->outlets. */
static int outlets_of_decision(sk_call *call, const verification_case_row *c,
                               verification_outcome outcome, char *const *given, size_t n_given,
                               const char ***ids, size_t *n)
{
    size_t cap = n_given ? n_given : (size_t)PQntuples(c->outlets);
    *ids = cap ? sk_call_alloc(call, cap * sizeof(char *)) : NULL;
    *n = 0;
    if (cap && !*ids)
        return SK_ENOMEM;
    for (size_t i = 0; i < n_given; i++) {
        char field[48];
        snprintf(field, sizeof(field), "outletIds[%zu]", i);
        bool twice = false;
        for (size_t j = 0; j < i; j++)
            twice = twice || strcmp(given[j], given[i]) == 0;
        if (outlet_row(c, given[i]) < 0 || twice)
            sk_call_violation_code(call, field,
                                   twice ? "decision.outlet_twice" : "decision.outlet_not_in_case",
                                   twice ? "outlet listed twice" : "not an outlet of this case");
        else
            (*ids)[(*n)++] = given[i];
    }
    if (call->n_violations)
        return SK_EINVAL;
    for (int i = 0; n_given == 0 && i < PQntuples(c->outlets); i++)
        if (verification_outlet_next(outlet_state_at(c, i), outcome, NULL))
            (*ids)[(*n)++] = PQgetvalue(c->outlets, i, OUT_OUTLET_ID);
    if (*n == 0)
        return sk_call_fail(call, SK_EPRECOND,
                            "decision.no_outlet: no outlet this outcome can apply to");
    return SK_OK;
}

/* Whether `outcome` may take effect on `outlets` of the case as it is now:
 * the case's state machine (verified after the visit, rejected during the
 * review; a suspension needs only verified outlets), each outlet's own
 * state, the year's final list, and for VERIFIED every document that counts
 * accepted, no blocking finding and the visit recorded. Asked when it is
 * proposed and again when it is approved (the case may have moved
 * meanwhile). `chk` receives the document check. */
static int outcome_allowed(sk_call *call, const verification_case_row *c,
                           verification_outcome outcome, const char *const *outlets, size_t n,
                           vcheck *chk)
{
    static const char *const what[] = {
        [VERIFICATION_OUTCOME_VERIFIED] = "deciding verified",
        [VERIFICATION_OUTCOME_REJECTED] = "rejecting",
        [VERIFICATION_OUTCOME_SUSPENDED] = "suspending",
    };
    verification_case_action action;
    if (!verification_outcome_action(outcome, &action))
        return SK_EINTERNAL;
    if (outcome != VERIFICATION_OUTCOME_SUSPENDED && !verification_next_state(c->state, action, NULL))
        return wrong_state(call, c->state, what[outcome]);
    for (size_t i = 0; i < n; i++) {
        int row = outlet_row(c, outlets[i]);
        if (row < 0 || !verification_outlet_next(outlet_state_at(c, row), outcome, NULL)) {
            char msg[300];
            snprintf(msg, sizeof(msg), "decision.outlet_state: outlet %s is %s; %s is not possible",
                     row < 0 ? outlets[i] : PQgetvalue(c->outlets, row, OUT_NAME),
                     row < 0 ? "?" : PQgetvalue(c->outlets, row, OUT_STATE), what[outcome]);
            return sk_call_fail(call, SK_EPRECOND, msg);
        }
    }
    bool final = false;
    SK_TRY(verification_store_year_final(call->db, c->fiscal_year, &final));
    if (!verification_outcome_after_final(outcome, final))
        return sk_call_fail(call, SK_EPRECOND,
                            "list.final: the year's partner list is final; nobody is verified "
                            "for it now");
    SK_TRY(vcheck_run(call->db, c->id, chk));
    if (outcome != VERIFICATION_OUTCOME_VERIFIED)
        return SK_OK;
    if (!chk->all_accepted || !chk->complete || chk->any_blocking || blank(c->visit_json))
        return sk_call_fail(call, SK_EPRECOND,
                            "case.incomplete: documents not all accepted, a blocking finding, or "
                            "no visit recorded");
    return SK_OK;
}

static const char *const PROPOSE_ACTIONS[] = {
    [VERIFICATION_OUTCOME_VERIFIED] = "case.propose_verified",
    [VERIFICATION_OUTCOME_REJECTED] = "case.propose_rejected",
    [VERIFICATION_OUTCOME_SUSPENDED] = "case.propose_suspended",
};

static char *ids_json(const char *const *ids, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(ids[i]));
    char *s = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    return s;
}

/* Record `outcome` for `outlets` as a proposal of the actor (whose right to
 * propose was checked); it changes nothing else until a second person
 * approves it. */
static int propose(sk_call *call, const verification_case_row *c, verification_outcome outcome,
                   const char *reason, const char *const *outlets, size_t n, ProtobufCMessage *out)
{
    static const char busy[] = "decision.pending: a decision is already waiting for "
                               "approval";
    if (c->pending_id[0])
        return sk_call_fail(call, SK_EPRECOND, busy);
    char *before = vcase_audit_json(c), *outlet_ids = ids_json(outlets, n);
    int rc = before && outlet_ids ? SK_OK : SK_ENOMEM;
    char id[SK_UUID_STRLEN];
    sk_uuid7(id);
    if (rc == SK_OK)
        rc = verification_store_propose(call->db, id, c->id, outcome, reason, call->actor->user_id,
                                        outlet_ids);
    if (rc == SK_EEXISTS)
        rc = sk_call_fail(call, SK_EPRECOND, busy);
    if (rc == SK_OK)
        rc = finish(call, PROPOSE_ACTIONS[outcome], "verification.case.updated", c->id, before, out);
    free(before);
    free(outlet_ids);
    return rc;
}

/* The proposer's right to propose on `c`, then the outcome against the case. */
static int may_propose(sk_call *call, const verification_case_row *c, verification_outcome outcome,
                       const char *const *outlets, size_t n)
{
    verification_parties parties;
    SK_TRY(parties_of(call, c, &parties));
    verification_four_eyes rule = verification_may_propose(&parties, call->actor->user_id);
    if (rule != VERIFICATION_FOUR_EYES_OK)
        return refuse(call, rule);
    vcheck chk;
    return outcome_allowed(call, c, outcome, outlets, n, &chk);
}

/* Verification.Decide: the deciding verifier proposes verified or
 * rejected for outlets of the case; ApproveDecision by someone else makes
 * it their outcome. */
static int decide(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__DecideRequest *req = (const void *)in;
    SK_TRY(require_verifier(call));
    bool verify = req->outcome == SEKLIK__VERIFICATION__OUTCOME__OUTCOME_VERIFIED;
    if (!verify && req->outcome != SEKLIK__VERIFICATION__OUTCOME__OUTCOME_REJECTED)
        return sk_call_violation_code(call, "outcome", "outcome.required", "verified or rejected");
    if (!verify && blank(req->reason))
        return sk_call_violation_code(call, "reason", "reason.required",
                                      "a rejection needs a reason");
    verification_case_row c;
    SK_TRY(load_for_verifier(call, req->case_id, &c));
    verification_outcome outcome =
        verify ? VERIFICATION_OUTCOME_VERIFIED : VERIFICATION_OUTCOME_REJECTED;
    const char **outlets = NULL;
    size_t n = 0;
    int rc = outlets_of_decision(call, &c, outcome, req->outlet_ids, req->n_outlet_ids, &outlets, &n);
    if (rc == SK_OK)
        rc = may_propose(call, &c, outcome, outlets, n);
    if (rc == SK_OK)
        rc = propose(call, &c, outcome, verify ? "" : req->reason, outlets, n, out);
    verification_store_case_free(&c);
    return rc;
}

/* Verification.Suspend: proposes suspending verified outlets of the
 * company's newest case; it takes effect when someone else approves it. */
static int suspend(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__SuspendRequest *req = (const void *)in;
    if (!sk_actor_has_any_role(call->actor, ROLES_SUSPEND))
        return deny(call, "verifier, head or admin");
    if (blank(req->company_id))
        return sk_call_violation_code(call, "companyId", "required", "required");
    if (blank(req->reason))
        return sk_call_violation_code(call, "reason", "required", "a suspension needs a reason");
    /* The company's newest case: a verified one further back does not count. */
    verification_case_row c;
    int rc = verification_store_newest_case(call->db, req->company_id, 0, NULL, true, &c);
    if (rc == SK_ENOTFOUND)
        return not_found(call);
    SK_TRY(rc);
    const char **outlets = NULL;
    size_t n = 0;
    rc = outlets_of_decision(call, &c, VERIFICATION_OUTCOME_SUSPENDED, req->outlet_ids,
                             req->n_outlet_ids, &outlets, &n);
    if (rc == SK_OK)
        rc = may_propose(call, &c, VERIFICATION_OUTCOME_SUSPENDED, outlets, n);
    if (rc == SK_OK)
        rc = propose(call, &c, VERIFICATION_OUTCOME_SUSPENDED, req->reason, outlets, n, out);
    verification_store_case_free(&c);
    return rc;
}

/* Load and lock the case of an approval, its pending proposal being
 * `proposal_id` (what the second person looked at). */
static int load_pending(sk_call *call, const char *case_id, const char *proposal_id,
                        verification_case_row *c)
{
    if (!sk_uuid_valid(case_id))
        return sk_call_violation_code(call, "caseId", "id.invalid", "a case id is required");
    if (!sk_uuid_valid(proposal_id))
        return sk_call_violation_code(call, "proposalId", "id.invalid",
                                      "a proposal id is required");
    int rc = verification_store_load_case(call->db, case_id, true, c);
    if (rc == SK_ENOTFOUND)
        return not_found(call);
    SK_TRY(rc);
    if (strcmp(c->pending_id, proposal_id) != 0) {
        verification_store_case_free(c);
        return sk_call_fail(call, SK_EPRECOND,
                            "proposal.not_pending: this proposal is not waiting for "
                            "approval");
    }
    return SK_OK;
}

/* No two companies verified for the same year hold one NPWP or NIK: the
 * company's numbers, as the case last saw them, are claimed for the year. */
static int claim_identities(sk_call *call, const verification_case_row *c)
{
    uint8_t *data = NULL;
    size_t len = 0;
    SK_TRY(verification_store_snapshot(call->db, c->id, &data, &len));
    Seklik__Registry__Company *co = data ? seklik__registry__company__unpack(NULL, len, data) : NULL;
    free(data);
    if (!co)
        return SK_OK; /* a case without a snapshot has no numbers to hold */
    int rc = verification_store_release_identities(call->db, c->company_id, c->fiscal_year);
    char key[17], other[37] = "";
    if (rc == SK_OK && co->data && verification_identity_key(co->data->npwp, true, key))
        rc = verification_store_claim_identity(call->db, c->fiscal_year, "npwp", key,
                                               c->company_id, c->id, other);
    const char *clash = other[0] ? "NPWP" : NULL;
    for (size_t i = 0; rc == SK_OK && !clash && i < co->n_people; i++) {
        const Seklik__Registry__PersonInput *p = co->people[i]->data;
        if (p && verification_identity_key(p->nik, false, key))
            rc = verification_store_claim_identity(call->db, c->fiscal_year, "nik", key,
                                                   c->company_id, c->id, other);
        if (other[0])
            clash = "NIK";
    }
    seklik__registry__company__free_unpacked(co, NULL);
    if (rc == SK_OK && clash) {
        char msg[300];
        snprintf(msg, sizeof(msg),
                 "identity.taken: the %s is held by another company verified this year (%s)", clash,
                 other);
        rc = sk_call_fail(call, SK_EPRECOND, msg);
    }
    return rc;
}

static const char *const OUTCOME_ACTIONS[] = {
    [VERIFICATION_OUTCOME_VERIFIED] = "case.verify",
    [VERIFICATION_OUTCOME_REJECTED] = "case.reject",
    [VERIFICATION_OUTCOME_SUSPENDED] = "case.suspend",
};
/* The event an approval sends says where the company stands now: a
 * partner while one of its outlets is verified; suspended when the verified
 * ones all are; rejected once every outlet is; else its case moved on
 * (outlets still to decide, none verified). Subscribers that follow the
 * company as a whole (distribution) read the type; those that follow each
 * outlet read the case's outlets. */
static const char *standing_event(const verification_outlet_state *states, size_t n)
{
    bool verified = false, suspended = false, pending = false;
    for (size_t i = 0; i < n; i++) {
        verified = verified || states[i] == VERIFICATION_OUTLET_VERIFIED;
        suspended = suspended || states[i] == VERIFICATION_OUTLET_SUSPENDED;
        pending = pending || states[i] == VERIFICATION_OUTLET_PENDING;
    }
    if (verified)
        return "verification.company.verified";
    if (suspended)
        return "verification.company.suspended";
    return pending || n == 0 ? "verification.case.updated" : "verification.company.rejected";
}

/* Each outlet of the approved proposal takes its outcome; a verified one
 * is valid until its documents say. */
static int apply_to_outlets(sk_call *call, const verification_case_row *c,
                            verification_outcome outcome, const char *const *outlets, size_t n,
                            const vcheck *chk, char until[11])
{
    until[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        verification_outlet_state next;
        int row = outlet_row(c, outlets[i]);
        if (row < 0 || !verification_outlet_next(outlet_state_at(c, row), outcome, &next))
            return SK_EINTERNAL; /* outcome_allowed said yes under the same lock */
        char mine[11] = "";
        if (outcome == VERIFICATION_OUTCOME_VERIFIED) {
            if (!outlet_until(c, chk, outlets[i], mine))
                return expires_before_year(call);
            if (!until[0] || strcmp(mine, until) > 0)
                snprintf(until, 11, "%s", mine);
        }
        SK_TRY(verification_store_set_outlet(call->db, c->id, outlets[i], next, mine,
                                             outcome == VERIFICATION_OUTCOME_VERIFIED
                                                 ? ""
                                                 : c->pending_reason,
                                             c->pending_by, call->actor->user_id));
    }
    return SK_OK;
}

/* The case's state once its outlets are as they now are, and the event
 * that says so. */
static int settled_state(sk_call *call, const char *case_id, verification_case_state state,
                         verification_case_state *next, const char **event)
{
    verification_case_row now;
    SK_TRY(verification_store_load_case(call->db, case_id, false, &now));
    int n = PQntuples(now.outlets);
    verification_outlet_state *states = n ? sk_call_alloc(call, (size_t)n * sizeof(*states)) : NULL;
    int rc = n && !states ? SK_ENOMEM : SK_OK;
    for (int i = 0; rc == SK_OK && i < n; i++)
        states[i] = outlet_state_at(&now, i);
    if (rc == SK_OK) {
        *next = verification_case_settle(state, states, (size_t)n);
        *event = standing_event(states, (size_t)n);
    }
    verification_store_case_free(&now);
    return rc;
}

/* A suspension after the year's list is final amends the list: audited,
 * counted, and sent as verification.list.amended (the list stays the
 * year's single truth). Nothing when none of the outlets is on it. */
static int amend_list(sk_call *call, int year, const char *const *outlets, size_t n);

/* Verification.ApproveDecision: the second person; the proposal becomes the
 * outcome of its outlets and only now is the outcome event emitted. */
static int approve_decision(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__ApproveDecisionRequest *req = (const void *)in;
    if (!sk_actor_has_any_role(call->actor, ROLES_APPROVE))
        return deny(call, "verifier, head or admin");
    verification_case_row c;
    SK_TRY(load_pending(call, req->case_id, req->proposal_id, &c));
    verification_parties parties;
    verification_outcome outcome;
    vcheck chk;
    int rc = parties_of(call, &c, &parties);
    verification_four_eyes rule = VERIFICATION_FOUR_EYES_OK;
    if (rc == SK_OK && (rule = verification_may_approve(&parties, c.pending_by,
                                                        call->actor->user_id)) !=
                           VERIFICATION_FOUR_EYES_OK)
        rc = refuse(call, rule);
    if (rc == SK_OK && !verification_outcome_parse(c.pending_outcome, &outcome))
        rc = SK_EINTERNAL; /* the CHECK constraint makes this unreachable */
    char **outlets = NULL;
    size_t n = 0;
    if (rc == SK_OK && !vcase_ids_from_json(&call->arena, c.pending_outlets_json, &outlets, &n))
        rc = SK_ENOMEM;
    /* A proposal made before outcomes were per outlet names none: it was
     * for every outlet it can apply to. */
    const char **every = NULL;
    if (rc == SK_OK && n == 0 &&
        (rc = outlets_of_decision(call, &c, outcome, NULL, 0, &every, &n)) == SK_OK)
        outlets = (char **)every;
    if (rc == SK_OK)
        rc = outcome_allowed(call, &c, outcome, (const char *const *)outlets, n, &chk);
    char *before = rc == SK_OK ? vcase_audit_json(&c) : NULL;
    if (rc == SK_OK && !before)
        rc = SK_ENOMEM;
    if (rc == SK_OK)
        rc = verification_store_approve_proposal(call->db, c.id, c.pending_id,
                                                 call->actor->user_id);
    char until[11] = "";
    if (rc == SK_OK)
        rc = apply_to_outlets(call, &c, outcome, (const char *const *)outlets, n, &chk, until);
    if (rc == SK_OK && outcome == VERIFICATION_OUTCOME_VERIFIED)
        rc = claim_identities(call, &c);
    verification_case_state next = c.state;
    const char *event = "verification.case.updated";
    if (rc == SK_OK)
        rc = settled_state(call, c.id, c.state, &next, &event);
    if (rc == SK_OK && next == VERIFICATION_CASE_SUSPENDED)
        rc = verification_store_release_identities(call->db, c.company_id, c.fiscal_year);
    if (rc == SK_OK && outcome != VERIFICATION_OUTCOME_VERIFIED)
        snprintf(until, sizeof(until), "%s", c.valid_until); /* what was verified stays as it was */
    if (rc == SK_OK)
        rc = verification_store_decide_case(call->db, c.id, next, c.pending_by,
                                            call->actor->user_id, c.pending_reason, until);
    if (rc == SK_OK && outcome == VERIFICATION_OUTCOME_VERIFIED)
        rc = verification_store_sync_case_until(call->db, c.id);
    /* A rejected outlet's own documents no longer hold the others back. */
    vcheck left;
    if (rc == SK_OK && outcome == VERIFICATION_OUTCOME_REJECTED && next == c.state)
        rc = vcheck_run(call->db, c.id, &left);
    if (rc == SK_OK && outcome == VERIFICATION_OUTCOME_REJECTED && next == c.state)
        rc = vcase_follow_documents(call->db, c.id, next, &left, c.visit_json[0] != '\0');
    if (rc == SK_OK)
        rc = finish(call, OUTCOME_ACTIONS[outcome], event, c.id, before, out);
    if (rc == SK_OK && outcome == VERIFICATION_OUTCOME_SUSPENDED)
        rc = amend_list(call, c.fiscal_year, (const char *const *)outlets, n);
    free(before);
    verification_store_case_free(&c);
    return rc;
}

/* Verification.ReturnDecision: the pending proposal goes back unapplied,
 * with a reason: sent back by a second person or withdrawn by its own
 * proposer. Not by the registrant. */
static int return_decision(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__ReturnDecisionRequest *req = (const void *)in;
    if (!sk_actor_has_any_role(call->actor, ROLES_APPROVE))
        return deny(call, "verifier, head or admin");
    if (blank(req->reason))
        return sk_call_violation_code(call, "reason", "required", "a reason is required");
    verification_case_row c;
    SK_TRY(load_pending(call, req->case_id, req->proposal_id, &c));
    int rc = SK_OK;
    verification_four_eyes rule = verification_may_work(c.registered_by, call->actor->user_id);
    if (rule != VERIFICATION_FOUR_EYES_OK)
        rc = refuse(call, rule);
    char *before = rc == SK_OK ? vcase_audit_json(&c) : NULL;
    if (rc == SK_OK && !before)
        rc = SK_ENOMEM;
    if (rc == SK_OK)
        rc = verification_store_return_proposal(call->db, c.id, c.pending_id, call->actor->user_id,
                                                req->reason);
    if (rc == SK_OK)
        rc = finish(call, "case.return_decision", "verification.case.updated", c.id, before, out);
    free(before);
    verification_store_case_free(&c);
    return rc;
}

/* ---- announcement and objections ---- */

static int reply_announcement(sk_call *call, PGresult *r, ProtobufCMessage *out)
{
    Seklik__Verification__Announcement *a = (void *)out;
    sk_arena *m = &call->arena;
    a->fiscal_year = atoi(PQgetvalue(r, 0, ANN_FISCAL_YEAR));
    a->announced_at = sk_arena_strdup(m, PQgetvalue(r, 0, ANN_ANNOUNCED_AT));
    a->objection_until = sk_arena_strdup(m, PQgetvalue(r, 0, ANN_OBJECTION_UNTIL));
    a->finalized_at = sk_arena_strdup(m, PQgetvalue(r, 0, ANN_FINALIZED_AT));
    a->finalized = a->finalized_at && a->finalized_at[0];
    cJSON *ids = cJSON_Parse(PQgetvalue(r, 0, ANN_VERIFIED_IDS));
    int n = cJSON_GetArraySize(ids);
    a->verified_company_ids = n ? sk_arena_alloc(m, (size_t)n * sizeof(char *)) : NULL;
    for (int i = 0; a->verified_company_ids && i < n; i++)
        a->verified_company_ids[a->n_verified_company_ids++] =
            sk_arena_strdup(m, cJSON_GetStringValue(cJSON_GetArrayItem(ids, i)));
    cJSON_Delete(ids);
    cJSON *entries = cJSON_Parse(PQgetvalue(r, 0, ANN_ENTRIES));
    n = cJSON_GetArraySize(entries);
    a->entries = n ? sk_arena_alloc(m, (size_t)n * sizeof(*a->entries)) : NULL;
    for (int i = 0; a->entries && i < n; i++) {
        cJSON *e = cJSON_GetArrayItem(entries, i);
        Seklik__Verification__ListEntry *le = sk_arena_alloc(m, sizeof(*le));
        if (!le)
            break;
        seklik__verification__list_entry__init(le);
        le->company_id = sk_arena_strdup(m, cJSON_GetStringValue(cJSON_GetObjectItem(e, "company_id")));
        le->outlet_id = sk_arena_strdup(m, cJSON_GetStringValue(cJSON_GetObjectItem(e, "outlet_id")));
        le->company_name =
            sk_arena_strdup(m, cJSON_GetStringValue(cJSON_GetObjectItem(e, "company_name")));
        le->outlet_name = sk_arena_strdup(m, cJSON_GetStringValue(cJSON_GetObjectItem(e, "outlet_name")));
        verification_outlet_state st = VERIFICATION_OUTLET_VERIFIED;
        verification_outlet_state_parse(cJSON_GetStringValue(cJSON_GetObjectItem(e, "state")), &st);
        le->state = (Seklik__Verification__OutletState)(st + 1);
        a->entries[a->n_entries++] = le;
    }
    cJSON_Delete(entries);
    a->amendment = atoi(PQgetvalue(r, 0, ANN_AMENDMENT));
    return a->objection_until && (n == 0 || a->entries) ? SK_OK : SK_ENOMEM;
}

static char *announcement_json(PGresult *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "objection_until", PQgetvalue(r, 0, ANN_OBJECTION_UNTIL));
    cJSON_AddStringToObject(o, "finalized_at", PQgetvalue(r, 0, ANN_FINALIZED_AT));
    cJSON_AddRawToObject(o, "verified_company_ids", PQgetvalue(r, 0, ANN_VERIFIED_IDS));
    cJSON_AddRawToObject(o, "entries", PQgetvalue(r, 0, ANN_ENTRIES));
    cJSON_AddNumberToObject(o, "amendment", atoi(PQgetvalue(r, 0, ANN_AMENDMENT)));
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static int audit_announcement(sk_call *call, const char *action, int year, const char *before,
                              PGresult *r)
{
    char id[16];
    snprintf(id, sizeof(id), "%d", year);
    char *after = announcement_json(r);
    int rc = after ? sk_audit_append(call->db, call->actor, action, "announcement", id, before,
                                     after, call->req->request_id)
                   : SK_ENOMEM;
    free(after);
    return rc;
}

static int announce(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__AnnounceRequest *req = (const void *)in;
    if (!sk_actor_has_any_role(call->actor, ROLES_HEAD))
        return deny(call, "admin or head");
    int64_t until;
    if (req->fiscal_year < 2000 || req->fiscal_year > 2100)
        sk_call_violation_code(call, "fiscalYear", "out_of_range", "must be between 2000 and 2100");
    if (!verification_time_parse(req->objection_until, &until) || until <= sk_now_unix_ms() / 1000)
        sk_call_violation_code(call, "objectionUntil", "time.not_future",
                               "an RFC 3339 time in the future");
    if (call->n_violations)
        return SK_EINVAL;
    PGresult *r = NULL;
    int rc = verification_store_announce(call->db, req->fiscal_year, req->objection_until,
                                         call->actor->user_id, &r);
    if (rc == SK_EEXISTS)
        return sk_call_fail(call, rc,
                            "announcement.exists: the year's results are announced already");
    SK_TRY(rc);
    rc = audit_announcement(call, "announcement.announce", req->fiscal_year, NULL, r);
    if (rc == SK_OK)
        rc = reply_announcement(call, r, out);
    PQclear(r);
    return rc;
}

/* The announcement of `year` as the domain's window; SK_ENOTFOUND named. */
static int load_window(sk_call *call, int year, bool lock, PGresult **r,
                       verification_objection_window *w)
{
    int rc = verification_store_load_announcement(call->db, year, lock, r);
    if (rc == SK_ENOTFOUND)
        return sk_call_fail(call, SK_EPRECOND,
                            "announcement.not_yet: the year's results are not announced yet");
    SK_TRY(rc);
    w->announced_at = sk_db_get_int64(*r, 0, ANN_ANNOUNCED_UNIX);
    w->objection_until = sk_db_get_int64(*r, 0, ANN_UNTIL_UNIX);
    w->finalized = PQgetvalue(*r, 0, ANN_FINALIZED_AT)[0] != '\0';
    return SK_OK;
}

static int fill_objection(sk_arena *m, PGresult *r, int row, Seklik__Verification__Objection *o)
{
    o->id = sk_arena_strdup(m, PQgetvalue(r, row, OBJ_ID));
    o->fiscal_year = atoi(PQgetvalue(r, row, OBJ_FISCAL_YEAR));
    o->company_id = sk_arena_strdup(m, PQgetvalue(r, row, OBJ_COMPANY_ID));
    o->reason = sk_arena_strdup(m, PQgetvalue(r, row, OBJ_REASON));
    o->raised_at = sk_arena_strdup(m, PQgetvalue(r, row, OBJ_RAISED_AT));
    o->raised_by = sk_arena_strdup(m, PQgetvalue(r, row, OBJ_RAISED_BY));
    o->answer = sk_arena_strdup(m, PQgetvalue(r, row, OBJ_ANSWER));
    o->upheld = PQgetvalue(r, row, OBJ_UPHELD)[0] == 't';
    o->answered_at = sk_arena_strdup(m, PQgetvalue(r, row, OBJ_ANSWERED_AT));
    o->answered_by = sk_arena_strdup(m, PQgetvalue(r, row, OBJ_ANSWERED_BY));
    return o->answered_by ? SK_OK : SK_ENOMEM;
}

static int reply_objection(sk_call *call, PGresult *r, ProtobufCMessage *out)
{
    return fill_objection(&call->arena, r, 0, (Seklik__Verification__Objection *)out);
}

static char *objection_json(PGresult *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "company_id", PQgetvalue(r, 0, OBJ_COMPANY_ID));
    cJSON_AddStringToObject(o, "reason", PQgetvalue(r, 0, OBJ_REASON));
    cJSON_AddStringToObject(o, "answer", PQgetvalue(r, 0, OBJ_ANSWER));
    cJSON_AddBoolToObject(o, "upheld", PQgetvalue(r, 0, OBJ_UPHELD)[0] == 't');
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static int audit_objection(sk_call *call, const char *action, const char *before, PGresult *r)
{
    char *after = objection_json(r);
    int rc = after ? sk_audit_append_about(call->db, call->actor, PQgetvalue(r, 0, OBJ_COMPANY_ID),
                                           action, "objection", PQgetvalue(r, 0, OBJ_ID), before,
                                           after, call->req->request_id)
                   : SK_ENOMEM;
    free(after);
    return rc;
}

static int object(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__ObjectRequest *req = (const void *)in;
    /* Only a partner, only for its own company: staff do not object. */
    if (blank(req->company_id) ||
        !sk_actor_may_act_for_company(call->actor, req->company_id, ROLES_NONE))
        return deny(call, "a partner, for its own company");
    if (blank(req->reason))
        return sk_call_violation_code(call, "reason", "required", "an objection needs a reason");
    PGresult *ann = NULL;
    verification_objection_window w = {0};
    SK_TRY(load_window(call, req->fiscal_year, true, &ann, &w));
    PQclear(ann);
    bool already = false;
    SK_TRY(verification_store_has_objection(call->db, req->fiscal_year, req->company_id, &already));
    if (already)
        return sk_call_fail(call, SK_EEXISTS, "objection.once: one objection per company per year");
    if (!verification_objection_allowed(&w, sk_now_unix_ms() / 1000, false))
        return sk_call_fail(call, SK_EPRECOND,
                            w.finalized ? "list.final: the year's partner list is final"
                                        : "objection.window_closed: the objection window closed");
    char id[SK_UUID_STRLEN];
    sk_uuid7(id);
    PGresult *r = NULL;
    int rc = verification_store_insert_objection(call->db, id, req->fiscal_year, req->company_id,
                                                 req->reason, call->actor->user_id, &r);
    if (rc == SK_EEXISTS)
        return sk_call_fail(call, rc, "objection.once: one objection per company per year");
    SK_TRY(rc);
    rc = audit_objection(call, "objection.raise", NULL, r);
    if (rc == SK_OK)
        rc = reply_objection(call, r, out);
    PQclear(r);
    return rc;
}

/* The answer to an objection comes from someone who took no part in the
 * decisions objected to: the company's decisions of that year, proposed or
 * approved, and its registration. */
static int may_answer(sk_call *call, const char *company_id, int fiscal_year)
{
    PGresult *r = NULL;
    SK_TRY(verification_store_deciders(call->db, company_id, fiscal_year, &r));
    int n = PQntuples(r);
    const char **who = n ? sk_call_alloc(call, (size_t)n * sizeof(char *)) : NULL;
    if (n && !who) {
        PQclear(r);
        return SK_ENOMEM;
    }
    for (int i = 0; i < n; i++)
        who[i] = PQgetvalue(r, i, 0);
    verification_case_row c;
    int rc = verification_store_newest_case(call->db, company_id, fiscal_year, NULL, false, &c);
    const char *registered_by = rc == SK_OK ? c.registered_by : "";
    if (rc == SK_ENOTFOUND)
        rc = SK_OK;
    verification_four_eyes rule = VERIFICATION_FOUR_EYES_OK;
    if (rc == SK_OK &&
        (rule = verification_may_answer_objection(registered_by, who, (size_t)n,
                                                  call->actor->user_id)) != VERIFICATION_FOUR_EYES_OK)
        rc = refuse(call, rule);
    verification_store_case_free(&c);
    PQclear(r);
    return rc;
}

/* An upheld objection reopens the company's case of the year: its rejected
 * outlets are pending again and its review resumes where its documents and
 * visit stand, to be decided again (four-eyes) before the list is final.
 * Verified outlets stay verified: the company's own objection does not
 * cost it what it has. */
static int reopen(sk_call *call, const char *company_id, int fiscal_year)
{
    verification_case_row c;
    int rc = verification_store_newest_case(call->db, company_id, fiscal_year, NULL, true, &c);
    if (rc == SK_ENOTFOUND)
        return SK_OK; /* an objection without a case: nothing to reopen */
    SK_TRY(rc);
    bool rejected_outlet = false;
    for (int i = 0; i < PQntuples(c.outlets); i++)
        rejected_outlet = rejected_outlet || outlet_state_at(&c, i) == VERIFICATION_OUTLET_REJECTED;
    char *before = vcase_audit_json(&c);
    rc = before ? verification_store_reopen(call->db, c.id) : SK_ENOMEM;
    vcheck chk;
    if (rc == SK_OK)
        rc = vcheck_run(call->db, c.id, &chk);
    /* With an outlet to decide again the review resumes, even for a case
     * whose other outlets stay verified (or suspended). */
    if (rc == SK_OK && rejected_outlet)
        rc = verification_store_set_state(
            call->db, c.id,
            verification_reopen_state(chk.all_accepted && chk.complete && !chk.any_blocking,
                                      chk.any_rejected, c.visit_json[0] != '\0'));
    if (rc == SK_OK) {
        verification_case_row after;
        rc = verification_store_load_case(call->db, c.id, false, &after);
        char *now = rc == SK_OK ? vcase_audit_json(&after) : NULL;
        if (rc == SK_OK)
            rc = now ? sk_audit_append_about(call->db, call->actor, c.company_id, "case.reopen",
                                             "verification_case", c.id, before, now,
                                             call->req->request_id)
                     : SK_ENOMEM;
        free(now);
        if (rc == SK_OK)
            verification_store_case_free(&after);
    }
    if (rc == SK_OK)
        rc = vcase_emit(call->db, "verification.case.updated", c.id, call->actor,
                        call->req->request_id);
    free(before);
    verification_store_case_free(&c);
    return rc;
}

static int answer_objection(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__AnswerObjectionRequest *req = (const void *)in;
    static const char *const roles[] = {SK_ROLE_ADMIN, SK_ROLE_HEAD, SK_ROLE_VERIFIER, NULL};
    if (!sk_actor_has_any_role(call->actor, roles))
        return deny(call, "admin, head or verifier");
    if (blank(req->answer))
        return sk_call_violation_code(call, "answer", "required", "answer required");
    if (!sk_uuid_valid(req->objection_id))
        return sk_call_violation_code(call, "objectionId", "id.invalid",
                                      "an objection id is required");
    PGresult *r = NULL;
    int rc = verification_store_load_objection(call->db, req->objection_id, true, &r);
    if (rc == SK_ENOTFOUND)
        return sk_call_fail(call, rc, "objection.not_found: no such objection");
    SK_TRY(rc);
    rc = may_answer(call, PQgetvalue(r, 0, OBJ_COMPANY_ID), atoi(PQgetvalue(r, 0, OBJ_FISCAL_YEAR)));
    if (rc != SK_OK) {
        PQclear(r);
        return rc;
    }
    PGresult *ann = NULL;
    verification_objection_window w = {0};
    rc = load_window(call, atoi(PQgetvalue(r, 0, OBJ_FISCAL_YEAR)), false, &ann, &w);
    PQclear(ann);
    if (rc == SK_OK && w.finalized)
        rc = sk_call_fail(call, SK_EPRECOND, "list.final: the year's partner list is final");
    else if (rc == SK_OK && PQgetvalue(r, 0, OBJ_ANSWERED_AT)[0])
        rc = sk_call_fail(call, SK_EPRECOND,
                          "objection.answered: the objection is answered already");
    char *before = rc == SK_OK ? objection_json(r) : NULL;
    PQclear(r);
    r = NULL;
    if (rc == SK_OK)
        rc = verification_store_answer_objection(call->db, req->objection_id, req->answer,
                                                 req->upheld, call->actor->user_id, &r);
    if (rc == SK_OK)
        rc = audit_objection(call, "objection.answer", before, r);
    if (rc == SK_OK && req->upheld)
        rc = reopen(call, PQgetvalue(r, 0, OBJ_COMPANY_ID), atoi(PQgetvalue(r, 0, OBJ_FISCAL_YEAR)));
    if (rc == SK_OK)
        rc = reply_objection(call, r, out);
    PQclear(r);
    free(before);
    return rc;
}

/* Verification.GetAnnouncement: the year's results are public information;
 * any signed actor may read them. */
static int get_announcement(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__GetAnnouncementRequest *req = (const void *)in;
    if (!signed_in(call))
        return deny(call, "signed-in users");
    PGresult *r = NULL;
    int rc = verification_store_load_announcement(call->db, req->fiscal_year, false, &r);
    if (rc == SK_ENOTFOUND)
        return sk_call_fail(call, SK_ENOTFOUND,
                            "announcement.not_yet: the year's results are not announced yet");
    SK_TRY(rc);
    rc = reply_announcement(call, r, out);
    PQclear(r);
    return rc;
}

/* Verification.ListObjections: staff see every objection of the year (they
 * answer them); a partner sees only its own company's. */
static int list_objections(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__ListObjectionsRequest *req = (const void *)in;
    Seklik__Verification__ListObjectionsResponse *resp = (void *)out;
    const char *only = NULL;
    if (!sk_actor_has_any_role(call->actor, ROLES_STAFF)) {
        if (!sk_actor_has_role(call->actor, SK_ROLE_PARTNER) || !call->actor->company_id ||
            !call->actor->company_id[0])
            return deny(call, "staff or partners");
        only = call->actor->company_id;
    }
    PGresult *r = NULL;
    SK_TRY(verification_store_list_objections(call->db, req->fiscal_year, only, &r));
    int n = PQntuples(r), rc = SK_OK;
    resp->objections = n ? sk_call_alloc(call, (size_t)n * sizeof(*resp->objections)) : NULL;
    for (int i = 0; rc == SK_OK && i < n; i++) {
        Seklik__Verification__Objection *o = sk_call_alloc(call, sizeof(*o));
        if (!o || !resp->objections) {
            rc = SK_ENOMEM;
            break;
        }
        seklik__verification__objection__init(o);
        rc = fill_objection(&call->arena, r, i, o);
        resp->objections[resp->n_objections++] = o;
    }
    PQclear(r);
    return rc;
}

static int finalize(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__FinalizeRequest *req = (const void *)in;
    if (!sk_actor_has_any_role(call->actor, ROLES_HEAD))
        return deny(call, "admin or head");
    PGresult *r = NULL;
    verification_objection_window w = {0};
    SK_TRY(load_window(call, req->fiscal_year, true, &r, &w));
    long long open = 0, reopened = 0;
    int rc = verification_store_open_objections(call->db, req->fiscal_year, &open);
    if (rc == SK_OK)
        rc = verification_store_reopened_undecided(call->db, req->fiscal_year, &reopened);
    int64_t now = sk_now_unix_ms() / 1000;
    if (rc == SK_OK && !verification_can_finalize(&w, now, (size_t)open, (size_t)reopened)) {
        char msg[200];
        if (w.finalized)
            snprintf(msg, sizeof(msg), "list.final: the year's partner list is final already");
        else if (reopened > 0)
            snprintf(msg, sizeof(msg),
                     "list.reopened_undecided: %lld cases reopened by objections are undecided",
                     reopened);
        else if (now < w.objection_until)
            snprintf(msg, sizeof(msg), "objection.window_open: objections are open until %s",
                     PQgetvalue(r, 0, ANN_OBJECTION_UNTIL));
        else
            snprintf(msg, sizeof(msg), "objection.unanswered: %lld objections are unanswered",
                     open);
        rc = sk_call_fail(call, SK_EPRECOND, msg);
    }
    char *before = rc == SK_OK ? announcement_json(r) : NULL;
    PQclear(r);
    r = NULL;
    if (rc == SK_OK)
        rc = verification_store_finalize(call->db, req->fiscal_year, call->actor->user_id, &r);
    if (rc == SK_OK)
        rc = audit_announcement(call, "announcement.finalize", req->fiscal_year, before, r);
    if (rc == SK_OK)
        rc = reply_announcement(call, r, out);
    if (rc == SK_OK) {
        Seklik__Verification__ListFinalized ev = SEKLIK__VERIFICATION__LIST_FINALIZED__INIT;
        ev.announcement = (Seklik__Verification__Announcement *)out;
        rc = sk_outbox_append(call->db, "verification.list.finalized", &ev.base, call->actor,
                              call->req->request_id, NULL);
    }
    PQclear(r);
    free(before);
    return rc;
}

static int amend_list(sk_call *call, int year, const char *const *outlets, size_t n)
{
    char *ids = ids_json(outlets, n);
    if (!ids)
        return SK_ENOMEM;
    PGresult *before = NULL, *r = NULL;
    int rc = verification_store_load_announcement(call->db, year, true, &before);
    if (rc == SK_ENOTFOUND) {
        free(ids);
        return SK_OK; /* never announced: nothing to amend */
    }
    if (rc == SK_OK)
        rc = verification_store_amend(call->db, year, ids, "suspended", &r);
    free(ids);
    if (rc == SK_ENOTFOUND) { /* not final, or none of them on it */
        PQclear(before);
        return SK_OK;
    }
    char *was = rc == SK_OK ? announcement_json(before) : NULL;
    PQclear(before);
    if (rc == SK_OK)
        rc = audit_announcement(call, "announcement.amend", year, was, r);
    free(was);
    Seklik__Verification__Announcement *a = sk_call_alloc(call, sizeof(*a));
    if (rc == SK_OK && !a)
        rc = SK_ENOMEM;
    if (rc == SK_OK) {
        seklik__verification__announcement__init(a);
        rc = reply_announcement(call, r, &a->base);
    }
    if (rc == SK_OK) {
        Seklik__Verification__ListFinalized ev = SEKLIK__VERIFICATION__LIST_FINALIZED__INIT;
        ev.announcement = a;
        rc = sk_outbox_append(call->db, "verification.list.amended", &ev.base, call->actor,
                              call->req->request_id, NULL);
    }
    PQclear(r);
    return rc;
}

/* ---- expiry notices ---- */

static int check_expiries(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__CheckExpiriesRequest *req = (const void *)in;
    static const char *const roles[] = {SK_ROLE_ADMIN, SK_ROLE_VERIFIER, SK_ROLE_HEAD, NULL};
    if (!sk_actor_has_any_role(call->actor, roles))
        return deny(call, "admin, verifier or head");
    int32_t today = vdate_today_wib();
    if (!blank(req->today) && !verification_date_parse(req->today, &today))
        sk_call_violation_code(call, "today", "date.invalid", "a date YYYY-MM-DD");
    int days = req->days_ahead == 0 ? 30 : req->days_ahead;
    if (days < 1 || days > 366)
        sk_call_violation_code(call, "daysAhead", "out_of_range", "must be between 1 and 366");
    if (call->n_violations)
        return SK_EINVAL;
    int notices = 0;
    SK_TRY(vexpiry_check(call->db, today, days, call->actor, call->req->request_id, &notices));
    ((Seklik__Verification__CheckExpiriesResponse *)out)->notices = notices;
    return SK_OK;
}

/* ---- the service ---- */

static const sk_rpc_method methods[] = {
    {"Health", sk_service_health, SK_RPC_QUERY},
    {"PublishRequirementSet", publish_set, SK_RPC_COMMAND},
    {"GetRequirementSet", get_set, SK_RPC_QUERY},
    {"ListRequirementSets", list_sets, SK_RPC_QUERY},
    {"OpenYear", open_year, SK_RPC_COMMAND},
    {"GetYear", get_year, SK_RPC_QUERY},
    {"GetCase", get_case, SK_RPC_QUERY},
    {"ListCases", list_cases, SK_RPC_QUERY},
    {"GetCaseHistory", get_case_history, SK_RPC_QUERY},
    {"DecideDocument", decide_document, SK_RPC_COMMAND},
    {"RecordVisit", record_visit, SK_RPC_COMMAND},
    {"Decide", decide, SK_RPC_COMMAND},
    {"Suspend", suspend, SK_RPC_COMMAND},
    {"ApproveDecision", approve_decision, SK_RPC_COMMAND},
    {"ReturnDecision", return_decision, SK_RPC_COMMAND},
    {"Announce", announce, SK_RPC_COMMAND},
    {"Object", object, SK_RPC_COMMAND},
    {"AnswerObjection", answer_objection, SK_RPC_COMMAND},
    {"GetAnnouncement", get_announcement, SK_RPC_QUERY},
    {"ListObjections", list_objections, SK_RPC_QUERY},
    {"Finalize", finalize, SK_RPC_COMMAND},
    {"CheckExpiries", check_expiries, SK_RPC_COMMAND},
};

static const char *const registry_prefixes[] = {
    "registry.company.submitted", "registry.company.updated", "registry.document.uploaded",
    "registry.document.deleted", NULL};

static const sk_subscription_def subscriptions[] = {
    {"registry", registry_prefixes, vevents_apply},
};

static const sk_job_def jobs[] = {
    {"expiry_check", 24 * 60 * 60 * 1000, vexpiry_job},
    {"outlet_backfill", 24 * 60 * 60 * 1000, vbackfill_job},
};

extern const sk_migration verification_migrations[];
extern const size_t verification_migrations_count;

const sk_service_def verification_service = {
    .name = "verification",
    .api = &seklik__verification__verification__descriptor,
    .methods = methods,
    .n_methods = sizeof(methods) / sizeof(methods[0]),
    .migrations = verification_migrations,
    .n_migrations = &verification_migrations_count,
    .subscriptions = subscriptions,
    .n_subscriptions = sizeof(subscriptions) / sizeof(subscriptions[0]),
    .jobs = jobs,
    .n_jobs = sizeof(jobs) / sizeof(jobs[0]),
};
