/* events.c - what verification does by itself: opens and updates cases from
 * registry events, runs the automatic checks, sends expiry notices; plus the
 * message building handlers.c shares (see internal.h). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain.h"
#include "internal.h"
#include "seklik/registry.pb-c.h"
#include "sk_json.h"
#include "sk_actor.h"
#include "sk_audit.h"
#include "sk_err.h"
#include "sk_id.h"
#include "sk_log.h"
#include "sk_outbox.h"

/* ---- dates ---- */

int32_t vdate_today_wib(void)
{
    int64_t wib = sk_now_unix_ms() / 1000 + 7 * 3600;
    return (int32_t)(wib / 86400);
}

/* ---- Case messages ---- */

static Seklik__Verification__Visit *visit_to_pb(sk_arena *m, const char *json)
{
    cJSON *v = cJSON_Parse(json);
    if (!v)
        return NULL;
    Seklik__Verification__Visit *out = sk_arena_alloc(m, sizeof(*out));
    if (out) {
        seklik__verification__visit__init(out);
        out->visited_on =
            sk_arena_strdup(m, cJSON_GetStringValue(cJSON_GetObjectItem(v, "visited_on")));
        out->verifier_id =
            sk_arena_strdup(m, cJSON_GetStringValue(cJSON_GetObjectItem(v, "verifier_id")));
        out->findings = sk_arena_strdup(m, cJSON_GetStringValue(cJSON_GetObjectItem(v, "findings")));
        out->latitude = cJSON_GetNumberValue(cJSON_GetObjectItem(v, "latitude"));
        out->longitude = cJSON_GetNumberValue(cJSON_GetObjectItem(v, "longitude"));
        cJSON *photos = cJSON_GetObjectItem(v, "photo_document_ids");
        int n = cJSON_GetArraySize(photos);
        out->photo_document_ids = n > 0 ? sk_arena_alloc(m, (size_t)n * sizeof(char *)) : NULL;
        for (int i = 0; out->photo_document_ids && i < n; i++)
            out->photo_document_ids[out->n_photo_document_ids++] =
                sk_arena_strdup(m, cJSON_GetStringValue(cJSON_GetArrayItem(photos, i)));
    }
    cJSON_Delete(v);
    return out;
}

/* The set ids as one string: a company with several outlet types is judged
 * by the union of several sets (Case has one field for them). */
static char *set_ids_text(sk_arena *m, const char *json)
{
    char buf[512] = "";
    cJSON *a = cJSON_Parse(json);
    size_t n = 0;
    for (int i = 0; i < cJSON_GetArraySize(a) && n < sizeof(buf); i++) {
        const char *id = cJSON_GetStringValue(cJSON_GetArrayItem(a, i));
        if (id)
            n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? "," : "", id);
    }
    cJSON_Delete(a);
    return sk_arena_strdup(m, buf);
}

static int decision_from_text(const char *s)
{
    if (strcmp(s, "accepted") == 0)
        return SEKLIK__VERIFICATION__DECISION__DECISION_ACCEPTED;
    if (strcmp(s, "rejected") == 0)
        return SEKLIK__VERIFICATION__DECISION__DECISION_REJECTED;
    return SEKLIK__VERIFICATION__DECISION__DECISION_PENDING;
}

static bool add_documents(sk_arena *m, Seklik__Verification__Case *out, PGresult *docs)
{
    int n = PQntuples(docs);
    if (n == 0)
        return true;
    out->documents = sk_arena_alloc(m, (size_t)n * sizeof(*out->documents));
    if (!out->documents)
        return false;
    for (int i = 0; i < n; i++) {
        Seklik__Verification__CaseDocument *d = sk_arena_alloc(m, sizeof(*d));
        if (!d)
            return false;
        seklik__verification__case_document__init(d);
        d->document_id = sk_arena_strdup(m, PQgetvalue(docs, i, DOC_DOCUMENT_ID));
        d->type = atoi(PQgetvalue(docs, i, DOC_TYPE));
        d->version = atoi(PQgetvalue(docs, i, DOC_VERSION));
        d->number = sk_arena_strdup(m, PQgetvalue(docs, i, DOC_NUMBER));
        d->expires_on = sk_arena_strdup(m, PQgetvalue(docs, i, DOC_EXPIRES_ON));
        d->decision = decision_from_text(PQgetvalue(docs, i, DOC_DECISION));
        d->reason = sk_arena_strdup(m, PQgetvalue(docs, i, DOC_REASON));
        d->decided_by = sk_arena_strdup(m, PQgetvalue(docs, i, DOC_DECIDED_BY));
        d->decided_at = sk_arena_strdup(m, PQgetvalue(docs, i, DOC_DECIDED_AT));
        d->uploaded_by = sk_arena_strdup(m, PQgetvalue(docs, i, DOC_UPLOADED_BY));
        d->person_id = sk_arena_strdup(m, PQgetvalue(docs, i, DOC_PERSON_ID));
        d->outlet_id = sk_arena_strdup(m, PQgetvalue(docs, i, DOC_OUTLET_ID));
        d->issued_on = sk_arena_strdup(m, PQgetvalue(docs, i, DOC_ISSUED_ON));
        d->dewan_pers_status = atoi(PQgetvalue(docs, i, DOC_DEWAN_PERS));
        d->in_force_document_id = sk_arena_strdup(m, PQgetvalue(docs, i, DOC_IN_FORCE_ID));
        d->in_force_expires_on = sk_arena_strdup(m, PQgetvalue(docs, i, DOC_IN_FORCE_EXPIRES_ON));
        d->in_force_dewan_pers_status = atoi(PQgetvalue(docs, i, DOC_IN_FORCE_DEWAN_PERS));
        if (!d->in_force_expires_on)
            return false;
        out->documents[out->n_documents++] = d;
    }
    return true;
}

static bool add_findings(sk_arena *m, Seklik__Verification__Case *out, PGresult *finds)
{
    int n = PQntuples(finds);
    if (n == 0)
        return true;
    out->findings = sk_arena_alloc(m, (size_t)n * sizeof(*out->findings));
    if (!out->findings)
        return false;
    for (int i = 0; i < n; i++) {
        Seklik__Verification__Finding *f = sk_arena_alloc(m, sizeof(*f));
        if (!f)
            return false;
        seklik__verification__finding__init(f);
        f->code = sk_arena_strdup(m, PQgetvalue(finds, i, FIND_CODE));
        f->document_type = atoi(PQgetvalue(finds, i, FIND_DOCUMENT_TYPE));
        f->message = sk_arena_strdup(m, PQgetvalue(finds, i, FIND_MESSAGE));
        f->blocking = PQgetvalue(finds, i, FIND_BLOCKING)[0] == 't';
        f->staff_only = PQgetvalue(finds, i, FIND_STAFF_ONLY)[0] == 't';
        f->detail = sk_arena_strdup(m, PQgetvalue(finds, i, FIND_DETAIL));
        out->findings[out->n_findings++] = f;
    }
    return true;
}

static bool add_outlets(sk_arena *m, Seklik__Verification__Case *out, PGresult *r)
{
    int n = PQntuples(r);
    if (n == 0)
        return true;
    out->outlets = sk_arena_alloc(m, (size_t)n * sizeof(*out->outlets));
    if (!out->outlets)
        return false;
    for (int i = 0; i < n; i++) {
        Seklik__Verification__CaseOutlet *o = sk_arena_alloc(m, sizeof(*o));
        if (!o)
            return false;
        seklik__verification__case_outlet__init(o);
        verification_outlet_state st = VERIFICATION_OUTLET_PENDING;
        verification_outlet_state_parse(PQgetvalue(r, i, OUT_STATE), &st);
        o->outlet_id = sk_arena_strdup(m, PQgetvalue(r, i, OUT_OUTLET_ID));
        o->type = atoi(PQgetvalue(r, i, OUT_TYPE));
        o->name = sk_arena_strdup(m, PQgetvalue(r, i, OUT_NAME));
        /* The proto enum is the domain's shifted by one (0 is UNSPECIFIED there). */
        o->state = (Seklik__Verification__OutletState)(st + 1);
        o->valid_until = sk_arena_strdup(m, PQgetvalue(r, i, OUT_VALID_UNTIL));
        o->reason = sk_arena_strdup(m, PQgetvalue(r, i, OUT_REASON));
        o->decided_by = sk_arena_strdup(m, PQgetvalue(r, i, OUT_DECIDED_BY));
        o->approved_by = sk_arena_strdup(m, PQgetvalue(r, i, OUT_APPROVED_BY));
        o->decided_at = sk_arena_strdup(m, PQgetvalue(r, i, OUT_DECIDED_AT));
        if (!o->decided_at)
            return false;
        out->outlets[out->n_outlets++] = o;
    }
    return true;
}

static bool add_photos(sk_arena *m, Seklik__Verification__Case *out, PGresult *r)
{
    int n = PQntuples(r);
    if (n == 0)
        return true;
    out->visit_photos = sk_arena_alloc(m, (size_t)n * sizeof(*out->visit_photos));
    if (!out->visit_photos)
        return false;
    for (int i = 0; i < n; i++) {
        Seklik__Verification__VisitPhoto *p = sk_arena_alloc(m, sizeof(*p));
        if (!p)
            return false;
        seklik__verification__visit_photo__init(p);
        p->document_id = sk_arena_strdup(m, PQgetvalue(r, i, PHOTO_DOCUMENT_ID));
        p->file_name = sk_arena_strdup(m, PQgetvalue(r, i, PHOTO_FILE_NAME));
        p->content_type = sk_arena_strdup(m, PQgetvalue(r, i, PHOTO_CONTENT_TYPE));
        p->uploaded_by = sk_arena_strdup(m, PQgetvalue(r, i, PHOTO_UPLOADED_BY));
        p->uploaded_at = sk_arena_strdup(m, PQgetvalue(r, i, PHOTO_UPLOADED_AT));
        if (!p->uploaded_at)
            return false;
        out->visit_photos[out->n_visit_photos++] = p;
    }
    return true;
}

/* A JSON array of ids as a list of strings in the arena. */
bool vcase_ids_from_json(sk_arena *m, const char *json, char ***ids, size_t *n)
{
    cJSON *a = cJSON_Parse(json ? json : "[]");
    int k = cJSON_GetArraySize(a);
    *n = 0;
    *ids = k > 0 ? sk_arena_alloc(m, (size_t)k * sizeof(char *)) : NULL;
    bool ok = k == 0 || *ids;
    for (int i = 0; ok && i < k; i++) {
        const char *id = cJSON_GetStringValue(cJSON_GetArrayItem(a, i));
        if (id && !((*ids)[(*n)++] = sk_arena_strdup(m, id)))
            ok = false;
    }
    cJSON_Delete(a);
    return ok;
}

static Seklik__Verification__Outcome outcome_from_text(const char *s)
{
    verification_outcome o;
    if (!verification_outcome_parse(s, &o))
        return SEKLIK__VERIFICATION__OUTCOME__OUTCOME_UNSPECIFIED;
    /* The proto enum is the domain's shifted by one (0 is UNSPECIFIED there). */
    return (Seklik__Verification__Outcome)(o + 1);
}

static Seklik__Verification__ProposalStatus proposal_status(const char *s)
{
    if (strcmp(s, "pending") == 0)
        return SEKLIK__VERIFICATION__PROPOSAL_STATUS__PROPOSAL_STATUS_PENDING;
    if (strcmp(s, "approved") == 0)
        return SEKLIK__VERIFICATION__PROPOSAL_STATUS__PROPOSAL_STATUS_APPROVED;
    if (strcmp(s, "returned") == 0)
        return SEKLIK__VERIFICATION__PROPOSAL_STATUS__PROPOSAL_STATUS_RETURNED;
    return SEKLIK__VERIFICATION__PROPOSAL_STATUS__PROPOSAL_STATUS_UNSPECIFIED;
}

static Seklik__Verification__Proposal *proposal_at(sk_arena *m, PGresult *r, int i)
{
    Seklik__Verification__Proposal *p = sk_arena_alloc(m, sizeof(*p));
    if (!p)
        return NULL;
    seklik__verification__proposal__init(p);
    p->id = sk_arena_strdup(m, PQgetvalue(r, i, PROP_ID));
    p->outcome = outcome_from_text(PQgetvalue(r, i, PROP_OUTCOME));
    p->reason = sk_arena_strdup(m, PQgetvalue(r, i, PROP_REASON));
    p->proposed_by = sk_arena_strdup(m, PQgetvalue(r, i, PROP_PROPOSED_BY));
    p->proposed_at = sk_arena_strdup(m, PQgetvalue(r, i, PROP_PROPOSED_AT));
    p->status = proposal_status(PQgetvalue(r, i, PROP_STATUS));
    p->approved_by = sk_arena_strdup(m, PQgetvalue(r, i, PROP_APPROVED_BY));
    p->approved_at = sk_arena_strdup(m, PQgetvalue(r, i, PROP_APPROVED_AT));
    p->returned_by = sk_arena_strdup(m, PQgetvalue(r, i, PROP_RETURNED_BY));
    p->returned_at = sk_arena_strdup(m, PQgetvalue(r, i, PROP_RETURNED_AT));
    p->return_reason = sk_arena_strdup(m, PQgetvalue(r, i, PROP_RETURN_REASON));
    if (!vcase_ids_from_json(m, PQgetvalue(r, i, PROP_OUTLET_IDS), &p->outlet_ids, &p->n_outlet_ids))
        return NULL;
    return p->return_reason ? p : NULL;
}

static bool add_proposals(sk_arena *m, Seklik__Verification__Case *out, PGresult *props)
{
    int n = PQntuples(props);
    if (n == 0)
        return true;
    out->proposals = sk_arena_alloc(m, (size_t)n * sizeof(*out->proposals));
    if (!out->proposals)
        return false;
    for (int i = 0; i < n; i++) {
        Seklik__Verification__Proposal *p = proposal_at(m, props, i);
        if (!p)
            return false;
        out->proposals[out->n_proposals++] = p;
        if (p->status == SEKLIK__VERIFICATION__PROPOSAL_STATUS__PROPOSAL_STATUS_PENDING)
            out->pending_proposal = p;
    }
    return true;
}

/* The pending proposal from the case row itself (pages of cases carry no
 * proposal list). */
static Seklik__Verification__Proposal *pending_from_row(sk_arena *m,
                                                        const verification_case_row *c)
{
    Seklik__Verification__Proposal *p = sk_arena_alloc(m, sizeof(*p));
    if (!p)
        return NULL;
    seklik__verification__proposal__init(p);
    p->id = sk_arena_strdup(m, c->pending_id);
    p->outcome = outcome_from_text(c->pending_outcome);
    p->proposed_by = sk_arena_strdup(m, c->pending_by);
    p->proposed_at = sk_arena_strdup(m, c->pending_at);
    p->reason = sk_arena_strdup(m, c->pending_reason);
    p->status = SEKLIK__VERIFICATION__PROPOSAL_STATUS__PROPOSAL_STATUS_PENDING;
    if (!vcase_ids_from_json(m, c->pending_outlets_json, &p->outlet_ids, &p->n_outlet_ids))
        return NULL;
    return p->reason ? p : NULL;
}

void vcase_for_partner(Seklik__Verification__Case *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_findings; i++)
        if (!c->findings[i]->staff_only)
            c->findings[n++] = c->findings[i];
    c->n_findings = n;
    n = 0;
    for (size_t i = 0; i < c->n_proposals; i++)
        if (c->proposals[i]->status ==
            SEKLIK__VERIFICATION__PROPOSAL_STATUS__PROPOSAL_STATUS_APPROVED)
            c->proposals[n++] = c->proposals[i];
    c->n_proposals = n;
    c->pending_proposal = NULL;
}

Seklik__Verification__Case *vcase_to_pb(sk_arena *m, const verification_case_row *c, bool details)
{
    Seklik__Verification__Case *out = sk_arena_alloc(m, sizeof(*out));
    if (!out)
        return NULL;
    seklik__verification__case__init(out);
    out->id = sk_arena_strdup(m, c->id);
    out->company_id = sk_arena_strdup(m, c->company_id);
    out->company_name = sk_arena_strdup(m, c->company_name);
    out->fiscal_year = c->fiscal_year;
    /* The proto enum is the domain's shifted by one (0 is UNSPECIFIED there). */
    out->state = (Seklik__Verification__CaseState)(c->state + 1);
    out->registered_by = sk_arena_strdup(m, c->registered_by);
    out->opened_at = sk_arena_strdup(m, c->opened_at);
    out->decided_at = sk_arena_strdup(m, c->decided_at);
    out->decided_by = sk_arena_strdup(m, c->decided_by);
    out->valid_until = sk_arena_strdup(m, c->valid_until);
    out->reason = sk_arena_strdup(m, c->reason);
    out->requirement_set_id = set_ids_text(m, c->requirement_set_ids_json);
    out->approved_by = sk_arena_strdup(m, c->approved_by);
    out->approved_at = sk_arena_strdup(m, c->approved_at);
    if (c->visit_json && c->visit_json[0])
        out->visit = visit_to_pb(m, c->visit_json);
    if (details && c->docs && !add_documents(m, out, c->docs))
        return NULL;
    if (details && c->finds && !add_findings(m, out, c->finds))
        return NULL;
    if (details && c->props && !add_proposals(m, out, c->props))
        return NULL;
    if (details && c->outlets && !add_outlets(m, out, c->outlets))
        return NULL;
    if (details && c->photos && !add_photos(m, out, c->photos))
        return NULL;
    out->reopened_at = sk_arena_strdup(m, c->reopened_at ? c->reopened_at : "");
    if (!out->pending_proposal && c->pending_id && c->pending_id[0] &&
        !(out->pending_proposal = pending_from_row(m, c)))
        return NULL;
    if (!out->id || !out->requirement_set_id || !out->reason || !out->reopened_at)
        return NULL;
    return out;
}

int vcase_emit(sk_db *db, const char *type, const char *case_id, const Seklik__Bus__Actor *actor,
               const char *correlation_id)
{
    verification_case_row c;
    SK_TRY(verification_store_load_case(db, case_id, false, &c));
    sk_arena a = SK_ARENA_INIT;
    sk_arena *m = &a;
    int rc = SK_ENOMEM;
    Seklik__Verification__CaseChanged ev = SEKLIK__VERIFICATION__CASE_CHANGED__INIT;
    ev.verification_case = vcase_to_pb(m, &c, true);
    if (ev.verification_case)
        rc = sk_outbox_append(db, type, &ev.base, actor, correlation_id, NULL);
    sk_arena_free(&a);
    verification_store_case_free(&c);
    return rc;
}

char *vcase_audit_json(const verification_case_row *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "case_id", c->id);
    cJSON_AddStringToObject(o, "company_id", c->company_id);
    cJSON_AddStringToObject(o, "state", verification_case_state_name(c->state));
    cJSON_AddStringToObject(o, "valid_until", c->valid_until);
    cJSON_AddStringToObject(o, "reason", c->reason);
    cJSON_AddStringToObject(o, "decided_by", c->decided_by);
    cJSON_AddStringToObject(o, "approved_by", c->approved_by);
    if (c->pending_id && c->pending_id[0]) {
        cJSON *p = cJSON_AddObjectToObject(o, "pending_proposal");
        cJSON_AddStringToObject(p, "id", c->pending_id);
        cJSON_AddStringToObject(p, "outcome", c->pending_outcome);
        cJSON_AddStringToObject(p, "proposed_by", c->pending_by);
        cJSON_AddStringToObject(p, "reason", c->pending_reason);
    }
    cJSON *outlets = cJSON_AddArrayToObject(o, "outlets");
    for (int i = 0; c->outlets && i < PQntuples(c->outlets); i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "outlet_id", PQgetvalue(c->outlets, i, OUT_OUTLET_ID));
        cJSON_AddStringToObject(x, "state", PQgetvalue(c->outlets, i, OUT_STATE));
        cJSON_AddStringToObject(x, "valid_until", PQgetvalue(c->outlets, i, OUT_VALID_UNTIL));
        cJSON_AddItemToArray(outlets, x);
    }
    cJSON *docs = cJSON_AddArrayToObject(o, "documents");
    for (int i = 0; c->docs && i < PQntuples(c->docs); i++) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "document_id", PQgetvalue(c->docs, i, DOC_DOCUMENT_ID));
        cJSON_AddStringToObject(d, "decision", PQgetvalue(c->docs, i, DOC_DECISION));
        cJSON_AddStringToObject(d, "reason", PQgetvalue(c->docs, i, DOC_REASON));
        cJSON_AddStringToObject(d, "decided_by", PQgetvalue(c->docs, i, DOC_DECIDED_BY));
        cJSON_AddStringToObject(d, "uploaded_by", PQgetvalue(c->docs, i, DOC_UPLOADED_BY));
        cJSON_AddStringToObject(d, "in_force", PQgetvalue(c->docs, i, DOC_IN_FORCE_ID));
        cJSON_AddNumberToObject(d, "type", atoi(PQgetvalue(c->docs, i, DOC_TYPE)));
        cJSON_AddNumberToObject(d, "version", atoi(PQgetvalue(c->docs, i, DOC_VERSION)));
        cJSON_AddItemToArray(docs, d);
    }
    /* What a case's history tells of the visit and of the newest proposal
     * (a returned one is no longer pending, and its reason is only here). */
    if (c->visit_json && c->visit_json[0]) {
        cJSON *v = cJSON_Parse(c->visit_json);
        cJSON *visit = cJSON_AddObjectToObject(o, "visit");
        const char *on = cJSON_GetStringValue(cJSON_GetObjectItem(v, "visited_on"));
        const char *by = cJSON_GetStringValue(cJSON_GetObjectItem(v, "verifier_id"));
        cJSON_AddStringToObject(visit, "visited_on", on ? on : "");
        cJSON_AddStringToObject(visit, "verifier_id", by ? by : "");
        cJSON_Delete(v);
    }
    int np = c->props ? PQntuples(c->props) : 0;
    if (np > 0) {
        cJSON *p = cJSON_AddObjectToObject(o, "last_proposal");
        cJSON_AddStringToObject(p, "id", PQgetvalue(c->props, np - 1, PROP_ID));
        cJSON_AddStringToObject(p, "outcome", PQgetvalue(c->props, np - 1, PROP_OUTCOME));
        cJSON_AddStringToObject(p, "status", PQgetvalue(c->props, np - 1, PROP_STATUS));
        cJSON_AddStringToObject(p, "reason", PQgetvalue(c->props, np - 1, PROP_REASON));
        cJSON_AddStringToObject(p, "return_reason", PQgetvalue(c->props, np - 1, PROP_RETURN_REASON));
    }
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* ---- automatic checks ---- */

static const char *doc_type_name(int type)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&seklik__registry__document_type__descriptor, type);
    return v ? v->name + strlen("DOCUMENT_TYPE_") : "UNKNOWN";
}

/* A finding's message is English (`fmt` with `arg`); the UI words it by its
 * code, with the document type and `detail` (the value it is about). */
static int add_finding(sk_db *db, const char *case_id, const char *origin, const char *code,
                       int type, bool blocking, const char *detail, const char *fmt,
                       const char *arg)
{
    char msg[400];
    snprintf(msg, sizeof(msg), fmt, arg);
    return verification_store_add_finding(db, case_id, origin, code, type, msg, detail, blocking);
}

#define MAX_REQUIRED 64
#define MAX_DOCS     128

/* What the newest published set of (year, outlet type) asks, merged into
 * `req`: the types required, and those that must not be expired. Its id is
 * appended to `ids`; *found is false when the year has none for the type. */
typedef struct requirements {
    int required[MAX_REQUIRED];
    size_t n_required;
    bool not_expired[16]; /* by document type 1..12 */
} requirements;

static int collect_set(sk_db *db, int year, int outlet_type, requirements *req, cJSON *ids,
                       bool *found)
{
    PGresult *r = NULL;
    int rc = verification_store_newest_set(db, year, outlet_type, &r);
    *found = rc == SK_OK;
    if (rc == SK_ENOTFOUND)
        return SK_OK;
    SK_TRY(rc);
    cJSON_AddItemToArray(ids, cJSON_CreateString(PQgetvalue(r, 0, RS_ID)));
    cJSON *reqs = cJSON_Parse(PQgetvalue(r, 0, RS_REQUIREMENTS));
    PQclear(r);
    cJSON *it;
    cJSON_ArrayForEach(it, reqs)
    {
        int type = sk_json_int(cJSON_GetObjectItem(it, "type"), 0, 1000, 0);
        if (cJSON_IsTrue(cJSON_GetObjectItem(it, "required")) && req->n_required < MAX_REQUIRED)
            req->required[req->n_required++] = type;
        if (cJSON_IsTrue(cJSON_GetObjectItem(it, "must_not_be_expired")) && type > 0 && type < 16)
            req->not_expired[type] = true;
    }
    cJSON_Delete(reqs);
    return SK_OK;
}

static verification_doc_status doc_status(const char *decision)
{
    if (strcmp(decision, "accepted") == 0)
        return VERIFICATION_DOC_ACCEPTED;
    if (strcmp(decision, "rejected") == 0)
        return VERIFICATION_DOC_REJECTED;
    return VERIFICATION_DOC_SUBMITTED;
}

static const char *const FINDING_CODES[] = {
    [VERIFICATION_FINDING_MISSING] = "missing_document",
    [VERIFICATION_FINDING_EXPIRED] = "expired",
    [VERIFICATION_FINDING_EXPIRING] = "expiring_soon",
    [VERIFICATION_FINDING_REJECTED] = "document_rejected",
    [VERIFICATION_FINDING_EXPIRES_BEFORE_YEAR] = "expires_before_fiscal_year",
};
static const char *const FINDING_TEXTS[] = {
    [VERIFICATION_FINDING_MISSING] = "required document missing: %s",
    [VERIFICATION_FINDING_EXPIRED] = "document expired: %s",
    [VERIFICATION_FINDING_EXPIRING] = "document expires within 30 days: %s",
    [VERIFICATION_FINDING_REJECTED] = "document rejected, waiting for a replacement: %s",
    [VERIFICATION_FINDING_EXPIRES_BEFORE_YEAR] =
        "document expires before the fiscal year it is judged for: %s",
};

/* Whether an outlet's own document counts: the company's count always, an
 * outlet's while that outlet is not rejected. */
static bool document_counts(const verification_case_row *c, const char *outlet_id)
{
    if (!outlet_id || !outlet_id[0])
        return true;
    for (int i = 0; c->outlets && i < PQntuples(c->outlets); i++)
        if (strcmp(PQgetvalue(c->outlets, i, OUT_OUTLET_ID), outlet_id) == 0)
            return strcmp(PQgetvalue(c->outlets, i, OUT_STATE), "rejected") != 0;
    return true;
}

/* Run the domain's checks over the case's documents; findings stored. */
static int check_documents(sk_db *db, const verification_case_row *c, const requirements *req,
                           vcheck *out)
{
    verification_doc docs[MAX_DOCS];
    size_t n_docs = 0;
    int n_rows = PQntuples(c->docs);
    int32_t year_start = verification_days_from_civil(c->fiscal_year, 1, 1);
    out->all_accepted = false;
    bool all = true;
    for (int i = 0; i < n_rows && n_docs < MAX_DOCS; i++) {
        if (!document_counts(c, PQgetvalue(c->docs, i, DOC_OUTLET_ID)))
            continue;
        verification_doc *d = &docs[n_docs++];
        d->type = atoi(PQgetvalue(c->docs, i, DOC_TYPE));
        d->status = doc_status(PQgetvalue(c->docs, i, DOC_DECISION));
        if (!verification_date_parse(PQgetvalue(c->docs, i, DOC_EXPIRES_ON), &d->expiry_day))
            d->expiry_day = 0;
        d->valid_from_day = d->type > 0 && d->type < 16 && req->not_expired[d->type] ? year_start : 0;
        all = all && d->status == VERIFICATION_DOC_ACCEPTED;
        out->any_rejected = out->any_rejected || d->status == VERIFICATION_DOC_REJECTED;
    }
    out->all_accepted = n_docs > 0 && all;
    verification_finding found[MAX_REQUIRED + MAX_DOCS];
    size_t n_found = 0;
    out->complete = verification_auto_check(req->required, req->n_required, docs, n_docs,
                                            vdate_today_wib(), 30, found,
                                            MAX_REQUIRED + MAX_DOCS, &n_found);
    for (size_t i = 0; i < n_found && i < MAX_REQUIRED + MAX_DOCS; i++) {
        verification_finding_code code = found[i].code;
        SK_TRY(add_finding(db, c->id, "documents", FINDING_CODES[code], found[i].type,
                           code != VERIFICATION_FINDING_EXPIRING, "", FINDING_TEXTS[code],
                           doc_type_name(found[i].type)));
    }
    /* After the decision a replacement waits for review: shown, not
     * silently taken (the accepted version stays in force meanwhile). */
    if (c->state == VERIFICATION_CASE_VERIFIED)
        for (int i = 0; i < n_rows; i++)
            if (strcmp(PQgetvalue(c->docs, i, DOC_DECISION), "pending") == 0)
                SK_TRY(add_finding(db, c->id, "documents", "replacement_pending",
                                   atoi(PQgetvalue(c->docs, i, DOC_TYPE)), false, "",
                                   "a replacement waits for review (the accepted version "
                                   "stays in force): %s",
                                   doc_type_name(atoi(PQgetvalue(c->docs, i, DOC_TYPE)))));
    return SK_OK;
}

/* The outlet types the case's requirement sets come from: those of its
 * outlets not rejected (the registry's types when outlets are not yet
 * recorded). */
static int case_outlet_types(const verification_case_row *c, int types[8])
{
    int n = 0;
    bool seen[8] = {false};
    if (c->outlets && PQntuples(c->outlets) > 0) {
        for (int i = 0; i < PQntuples(c->outlets); i++) {
            int t = atoi(PQgetvalue(c->outlets, i, OUT_TYPE));
            if (t > 0 && t < 8 && !seen[t] &&
                strcmp(PQgetvalue(c->outlets, i, OUT_STATE), "rejected") != 0) {
                seen[t] = true;
                types[n++] = t;
            }
        }
        return n;
    }
    cJSON *a = cJSON_Parse(c->outlet_types_json), *it;
    cJSON_ArrayForEach(it, a)
    {
        int t = sk_json_int(it, 0, 1000, 0);
        if (t > 0 && t < 8 && !seen[t]) {
            seen[t] = true;
            types[n++] = t;
        }
    }
    cJSON_Delete(a);
    return n;
}

int vcheck_run(sk_db *db, const char *case_id, vcheck *out)
{
    memset(out, 0, sizeof(*out));
    verification_case_row c;
    SK_TRY(verification_store_load_case(db, case_id, false, &c));
    int rc = verification_store_clear_findings(db, case_id, "documents");
    requirements req;
    memset(&req, 0, sizeof(req));
    bool sets_complete = true;
    cJSON *ids = cJSON_CreateArray();
    int types[8];
    int n_types = case_outlet_types(&c, types);
    for (int i = 0; i < n_types && rc == SK_OK; i++) {
        bool found = false;
        rc = collect_set(db, c.fiscal_year, types[i], &req, ids, &found);
        if (rc == SK_OK && !found) {
            sets_complete = false;
            const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(
                &seklik__registry__outlet_type__descriptor, types[i]);
            rc = add_finding(db, case_id, "documents", "requirement_set_missing", 0, true,
                             v ? v->name : "", "no requirement set published for %s",
                             v ? v->name : "?");
        }
    }
    /* What the legal form needs whatever the sets say (a PT's decree). */
    req.n_required += verification_required_for_form(
        c.legal_form, req.required + req.n_required, MAX_REQUIRED - req.n_required);
    char *ids_text = cJSON_PrintUnformatted(ids);
    cJSON_Delete(ids);
    if (rc == SK_OK)
        rc = ids_text ? verification_store_set_requirement_sets(db, case_id, ids_text) : SK_ENOMEM;
    free(ids_text);
    if (rc == SK_OK)
        rc = check_documents(db, &c, &req, out);
    memcpy(out->not_expired, req.not_expired, sizeof(out->not_expired));
    out->complete = out->complete && sets_complete;
    verification_store_case_free(&c);
    if (rc != SK_OK)
        return rc;

    /* Blocking findings of any origin, the company's formats included. */
    SK_TRY(verification_store_load_case(db, case_id, false, &c));
    for (int i = 0; i < PQntuples(c.finds); i++)
        if (PQgetvalue(c.finds, i, FIND_BLOCKING)[0] == 't')
            out->any_blocking = true;
    verification_store_case_free(&c);
    return SK_OK;
}

int vcase_follow_documents(sk_db *db, const char *case_id, verification_case_state state,
                           const vcheck *chk, bool visit_recorded)
{
    verification_case_state next = state;
    bool ready = chk->all_accepted && chk->complete && !chk->any_blocking;
    /* A new version to judge takes a case back from the visit to review. */
    if (!ready && (state == VERIFICATION_CASE_VISIT_PENDING || state == VERIFICATION_CASE_VISITED))
        verification_next_state(next, VERIFICATION_ACTION_DOCUMENT_RESUBMITTED, &next);
    if (chk->any_rejected) {
        verification_next_state(next, VERIFICATION_ACTION_DOCUMENT_REJECTED, &next);
    } else {
        if (next == VERIFICATION_CASE_NEEDS_REVISION) /* nothing rejected left */
            verification_next_state(next, VERIFICATION_ACTION_DOCUMENT_RESUBMITTED, &next);
        if (ready && verification_next_state(next, VERIFICATION_ACTION_ALL_DOCUMENTS_ACCEPTED,
                                             &next) &&
            visit_recorded) /* the visit already took place: its decision is next */
            verification_next_state(next, VERIFICATION_ACTION_VISIT_RECORDED, &next);
    }
    return next == state ? SK_OK : verification_store_set_state(db, case_id, next);
}

/* ---- the company's own data (from the submitted snapshot) ---- */

static bool has_kbli(const Seklik__Registry__CompanyInput *d, const char *code)
{
    for (size_t i = 0; i < d->n_kbli; i++)
        if (strcmp(d->kbli[i], code) == 0)
            return true;
    return false;
}

/* Formats and KBLI: the registry validates them too; a case records what it
 * judged, so a rule tightened later shows on old cases as well. */
static int check_company(sk_db *db, const char *case_id, const Seklik__Registry__Company *co)
{
    const Seklik__Registry__CompanyInput *d = co->data;
    if (!d)
        return add_finding(db, case_id, "company", "company_data_missing", 0, true, "",
                           "company data missing%s", "");
    int n = verification_digit_count(d->npwp);
    if (n != 15 && n != 16)
        SK_TRY(add_finding(db, case_id, "company", "npwp_format", 0, true, d->npwp,
                           "NPWP must have 15 or 16 digits: \"%s\"", d->npwp));
    if (verification_digit_count(d->nib) != 13 || strlen(d->nib) != 13)
        SK_TRY(add_finding(db, case_id, "company", "nib_format", 0, true, d->nib,
                           "NIB must have 13 digits: \"%s\"", d->nib));
    for (size_t i = 0; i < co->n_people; i++) {
        const Seklik__Registry__PersonInput *p = co->people[i]->data;
        if (p && (verification_digit_count(p->nik) != 16 || strlen(p->nik) != 16))
            SK_TRY(add_finding(db, case_id, "company", "nik_format", 0, true, p->name,
                               "NIK must have 16 digits: %s", p->name));
    }
    for (size_t i = 0; i < co->n_outlets; i++) {
        const Seklik__Registry__OutletInput *o = co->outlets[i]->data;
        const char *code = o ? verification_kbli_for_outlet(o->type) : NULL;
        if (code && !has_kbli(d, code))
            SK_TRY(
                add_finding(db, case_id, "company", "kbli_mismatch", 0, true, code,
                            "KBLI %s is required for this outlet type", code));
    }
    return SK_OK;
}

/* ---- registry events ---- */

static void document_slot(const Seklik__Registry__Document *doc, char *buf, size_t cap)
{
    snprintf(buf, cap, "%d/%s/%s", (int)doc->type, doc->person_id ? doc->person_id : "",
             doc->outlet_id ? doc->outlet_id : "");
}

static int put_document(sk_db *db, const char *case_id, const Seklik__Registry__Document *doc)
{
    char slot[256];
    document_slot(doc, slot, sizeof(slot));
    verification_doc_row d = {
        .slot = slot,
        .document_id = doc->id,
        .number = doc->number,
        .expires_on = doc->expires_on,
        .issued_on = doc->issued_on,
        .uploaded_by = doc->uploaded_by,
        .person_id = doc->person_id,
        .outlet_id = doc->outlet_id,
        .type = doc->type,
        .version = doc->version,
        .dewan_pers_status = doc->dewan_pers_status,
    };
    return verification_store_put_document(db, case_id, &d);
}

/* The company's outlets become the case's (new ones pending; known ones
 * keep their outcome). */
static int put_outlets(sk_db *db, const char *case_id, const Seklik__Registry__Company *co)
{
    for (size_t i = 0; i < co->n_outlets; i++) {
        const Seklik__Registry__Outlet *o = co->outlets[i];
        if (!o || !o->data || !sk_uuid_valid(o->id) || o->data->type < 1 || o->data->type > 4)
            continue;
        SK_TRY(verification_store_put_outlet(db, case_id, o->id, (int)o->data->type,
                                             o->data->name));
    }
    return SK_OK;
}

static char *outlet_types_json(const Seklik__Registry__Company *co)
{
    cJSON *a = cJSON_CreateArray();
    bool seen[8] = {false};
    for (size_t i = 0; i < co->n_outlets; i++) {
        int t = co->outlets[i]->data ? (int)co->outlets[i]->data->type : 0;
        if (t > 0 && t < 8 && !seen[t]) {
            seen[t] = true;
            cJSON_AddItemToArray(a, cJSON_CreateNumber(t));
        }
    }
    char *s = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    return s;
}

static int audit_case(sk_db *db, const Seklik__Bus__Event *ev, const char *action,
                      const char *case_id, const char *before)
{
    verification_case_row c;
    SK_TRY(verification_store_load_case(db, case_id, false, &c));
    char *after = vcase_audit_json(&c);
    int rc = after ? sk_audit_append_about(db, ev->actor, c.company_id, action,
                                           "verification_case", case_id, before, after,
                                           ev->correlation_id)
                   : SK_ENOMEM;
    free(after);
    verification_store_case_free(&c);
    return rc;
}

static const char *person_name(const Seklik__Registry__Company *co, const char *person_id)
{
    for (size_t i = 0; person_id && i < co->n_people; i++)
        if (co->people[i]->id && strcmp(co->people[i]->id, person_id) == 0 && co->people[i]->data)
            return co->people[i]->data->name;
    return "?";
}

/* What the registry found when the company was submitted: the same NPWP or
 * NIK held by another company. For staff only: telling the partner would
 * tell it which numbers are registered. Not blocking: the verifier judges
 * who the number belongs to, and no two verified companies of a year share
 * one (claim_identities on approval). */
static int record_clashes(sk_db *db, const char *case_id, const Seklik__Registry__CompanyChanged *msg)
{
    for (size_t i = 0; i < msg->n_identity_clashes; i++) {
        const Seklik__Registry__IdentityClash *k = msg->identity_clashes[i];
        const char *other = k->other_company_id ? k->other_company_id : "?";
        char text[400];
        if (k->kind && strcmp(k->kind, "npwp") == 0) {
            snprintf(text, sizeof(text), "NPWP also registered by another company: %s", other);
            SK_TRY(verification_store_add_staff_finding(db, case_id, "company", "npwp_duplicate",
                                                        text, other));
        } else if (k->kind && strcmp(k->kind, "nik") == 0) {
            char who[300];
            snprintf(who, sizeof(who), "%s (%s)", person_name(msg->company, k->person_id), other);
            snprintf(text, sizeof(text), "NIK also claimed by another company: %s", who);
            SK_TRY(verification_store_add_staff_finding(db, case_id, "company", "nik_duplicate",
                                                        text, who));
        }
    }
    return SK_OK;
}

static int open_case(sk_db *db, const Seklik__Bus__Event *ev,
                     const Seklik__Registry__CompanyChanged *msg)
{
    const Seklik__Registry__Company *co = msg->company;
    char id[SK_UUID_STRLEN];
    sk_uuid7(id);
    size_t len = seklik__registry__company__get_packed_size(co);
    uint8_t *snapshot = malloc(len + 1);
    char *types = outlet_types_json(co);
    int rc = snapshot && types ? SK_OK : SK_ENOMEM;
    if (rc == SK_OK) {
        seklik__registry__company__pack(co, snapshot);
        rc = verification_store_insert_case(db, id, co->id, co->data ? co->data->legal_name : "",
                                            co->fiscal_year, co->registered_by, types,
                                            co->data ? (int)co->data->legal_form : 0, snapshot,
                                            len);
    }
    free(snapshot);
    free(types);
    if (rc == SK_OK)
        rc = put_outlets(db, id, co);
    for (size_t i = 0; rc == SK_OK && i < co->n_documents; i++)
        rc = put_document(db, id, co->documents[i]);
    if (rc == SK_OK)
        rc = check_company(db, id, co);
    if (rc == SK_OK)
        rc = record_clashes(db, id, msg);
    vcheck chk;
    if (rc == SK_OK)
        rc = vcheck_run(db, id, &chk);
    verification_case_state next;
    if (rc == SK_OK && verification_next_state(VERIFICATION_CASE_OPENED,
                                               VERIFICATION_ACTION_AUTO_CHECKS_DONE, &next))
        rc = verification_store_set_state(db, id, next);
    if (rc == SK_OK)
        rc = audit_case(db, ev, "case.open", id, NULL);
    if (rc == SK_OK)
        rc = vcase_emit(db, "verification.case.opened", id, ev->actor, ev->correlation_id);
    return rc;
}

static int on_submitted(sk_db *db, const Seklik__Bus__Event *ev)
{
    Seklik__Registry__CompanyChanged *msg =
        seklik__registry__company_changed__unpack(NULL, ev->body.len, ev->body.data);
    if (!msg || !msg->company || !msg->company->id || !msg->company->id[0] ||
        msg->company->fiscal_year <= 0) {
        /* Skipped, not retried: a malformed event would block the stream forever. */
        sk_log_error("event %s seq %llu: not a usable CompanyChanged, skipped", ev->type,
                     (unsigned long long)ev->seq);
        if (msg)
            seklik__registry__company_changed__free_unpacked(msg, NULL);
        return SK_OK;
    }
    bool live = false;
    int rc =
        verification_store_has_live_case(db, msg->company->id, msg->company->fiscal_year, &live);
    if (rc == SK_OK && !live)
        rc = open_case(db, ev, msg);
    seklik__registry__company_changed__free_unpacked(msg, NULL);
    return rc;
}

/* Cases that take a new document version: every one not yet final, and a
 * verified one (the replacement is judged before it counts). */
static const char *const LIVE_STATES[] = {"opened", "in_review", "needs_revision", "visit_pending",
                                          "visited", "verified", NULL};

/* A new version replaces its slot. In review the case follows its
 * documents; after the decision the replacement waits for review while the
 * accepted version stays in force (the case shows it pending). */
static int update_case(sk_db *db, const Seklik__Bus__Event *ev, verification_case_row *c,
                       const Seklik__Registry__Document *doc)
{
    char *before = vcase_audit_json(c);
    if (!before)
        return SK_ENOMEM;
    int rc = put_document(db, c->id, doc);
    vcheck chk;
    if (rc == SK_OK)
        rc = vcheck_run(db, c->id, &chk);
    if (rc == SK_OK)
        rc = vcase_follow_documents(db, c->id, c->state, &chk, c->visit_json[0] != '\0');
    if (rc == SK_OK)
        rc = audit_case(db, ev, "case.document_replaced", c->id, before);
    if (rc == SK_OK)
        rc = vcase_emit(db, "verification.case.updated", c->id, ev->actor, ev->correlation_id);
    free(before);
    return rc;
}

static bool uploaded_by_staff(const Seklik__Bus__Event *ev)
{
    static const char *const STAFF[] = {SK_ROLE_ADMIN, SK_ROLE_VERIFIER, SK_ROLE_HEAD, NULL};
    return ev->actor && sk_actor_has_any_role(ev->actor, STAFF);
}

/* A photo staff took at the factual visit: an office photo uploaded by
 * staff while the case waits for, or has, its visit. Kept as the case's
 * visit photo (the only images a visit may cite), never as a document the
 * partner supplied to be judged. */
static bool visit_photo(const Seklik__Bus__Event *ev, const verification_case_row *c,
                        const Seklik__Registry__Document *doc)
{
    return doc->type == SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_OFFICE_PHOTO &&
           uploaded_by_staff(ev) &&
           (c->state == VERIFICATION_CASE_VISIT_PENDING || c->state == VERIFICATION_CASE_VISITED);
}

static int add_visit_photo(sk_db *db, const Seklik__Bus__Event *ev, const verification_case_row *c,
                           const Seklik__Registry__Document *doc)
{
    if (!verification_visit_photo_type_ok(doc->content_type)) {
        sk_log_info("case %s: %s from %s is not an image, not a visit photo", c->id, doc->id,
                    doc->uploaded_by ? doc->uploaded_by : "?");
        return SK_OK;
    }
    SK_TRY(verification_store_add_visit_photo(db, c->id, doc->id, doc->file_name,
                                              doc->content_type,
                                              doc->uploaded_by ? doc->uploaded_by : ""));
    char after[160];
    snprintf(after, sizeof(after), "{\"visit_photo\":\"%s\"}", doc->id);
    SK_TRY(sk_audit_append_about(db, ev->actor, c->company_id, "case.visit_photo",
                                 "verification_case", c->id, NULL, after, ev->correlation_id));
    return vcase_emit(db, "verification.case.updated", c->id, ev->actor, ev->correlation_id);
}

static int on_uploaded(sk_db *db, const Seklik__Bus__Event *ev)
{
    Seklik__Registry__DocumentUploaded *msg =
        seklik__registry__document_uploaded__unpack(NULL, ev->body.len, ev->body.data);
    if (!msg || !msg->company_id || !msg->document || !msg->document->id) {
        sk_log_error("event %s seq %llu: not a usable DocumentUploaded, skipped", ev->type,
                     (unsigned long long)ev->seq);
        if (msg)
            seklik__registry__document_uploaded__free_unpacked(msg, NULL);
        return SK_OK;
    }
    verification_case_row c;
    int rc = verification_store_newest_case(db, msg->company_id, 0, LIVE_STATES, true, &c);
    if (rc == SK_OK) {
        rc = visit_photo(ev, &c, msg->document) ? add_visit_photo(db, ev, &c, msg->document)
                                                : update_case(db, ev, &c, msg->document);
        verification_store_case_free(&c);
    } else if (rc == SK_ENOTFOUND) {
        rc = SK_OK; /* no case open: the upload is judged when the company submits */
    }
    seklik__registry__document_uploaded__free_unpacked(msg, NULL);
    return rc;
}

/* A document deleted in the registry (its uploader's mistake, while the
 * company could still be changed): the case forgets that version. When an
 * older version of its slot remains, that one is the company's document
 * again and is judged afresh; the checks then run as after an upload. */
static int on_deleted(sk_db *db, const Seklik__Bus__Event *ev)
{
    Seklik__Registry__DocumentDeleted *msg =
        seklik__registry__document_deleted__unpack(NULL, ev->body.len, ev->body.data);
    if (!msg || !msg->company_id || !msg->document || !msg->document->id) {
        sk_log_error("event %s seq %llu: not a usable DocumentDeleted, skipped", ev->type,
                     (unsigned long long)ev->seq);
        if (msg)
            seklik__registry__document_deleted__free_unpacked(msg, NULL);
        return SK_OK;
    }
    verification_case_row c;
    int rc = verification_store_newest_case(db, msg->company_id, 0, LIVE_STATES, true, &c);
    if (rc == SK_OK) {
        char *before = vcase_audit_json(&c);
        bool removed = false;
        rc = before ? verification_store_remove_document(db, c.id, msg->document->id, &removed)
                    : SK_ENOMEM;
        if (rc == SK_OK && removed && msg->current && msg->current->id)
            rc = put_document(db, c.id, msg->current);
        vcheck chk;
        if (rc == SK_OK && removed)
            rc = vcheck_run(db, c.id, &chk);
        if (rc == SK_OK && removed)
            rc = vcase_follow_documents(db, c.id, c.state, &chk, c.visit_json[0] != '\0');
        if (rc == SK_OK && removed)
            rc = audit_case(db, ev, "case.document_deleted", c.id, before);
        if (rc == SK_OK && removed)
            rc = vcase_emit(db, "verification.case.updated", c.id, ev->actor, ev->correlation_id);
        free(before);
        verification_store_case_free(&c);
    } else if (rc == SK_ENOTFOUND) {
        rc = SK_OK; /* never submitted: nothing judged it */
    }
    seklik__registry__document_deleted__free_unpacked(msg, NULL);
    return rc;
}

/* ---- bank account changes ---- */

static const Seklik__Registry__BankAccount NO_BANK = SEKLIK__REGISTRY__BANK_ACCOUNT__INIT;

static verification_bank bank_of(const Seklik__Registry__Company *co)
{
    const Seklik__Registry__BankAccount *b =
        co && co->data && co->data->bank_account ? co->data->bank_account : &NO_BANK;
    return (verification_bank){b->bank_name, b->account_number, b->holder_name};
}

static char *bank_json(const verification_bank *b)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "bank_name", b->bank_name ? b->bank_name : "");
    cJSON_AddStringToObject(o, "account_number", b->account_number ? b->account_number : "");
    cJSON_AddStringToObject(o, "holder_name", b->holder_name ? b->holder_name : "");
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* The company changed after it was submitted. A new bank account must not
 * reach payments unseen: the case gets a finding naming old and new account
 * and who changed it, the audit trail a record, and an open case judges
 * the company's current data from now on. A decided case keeps the
 * snapshot it was decided on (the finding says what differs). */
static int update_snapshot(sk_db *db, const Seklik__Bus__Event *ev, verification_case_row *c,
                           const Seklik__Registry__Company *now)
{
    uint8_t *old_data = NULL;
    size_t old_len = 0;
    SK_TRY(verification_store_snapshot(db, c->id, &old_data, &old_len));
    Seklik__Registry__Company *then =
        old_data ? seklik__registry__company__unpack(NULL, old_len, old_data) : NULL;
    free(old_data);
    verification_bank before = bank_of(then), after = bank_of(now);
    bool open = c->state != VERIFICATION_CASE_VERIFIED && c->state != VERIFICATION_CASE_REJECTED &&
                c->state != VERIFICATION_CASE_SUSPENDED;
    int rc = SK_OK;
    if (!verification_bank_same(&before, &after)) {
        const char *who = ev->actor && ev->actor->user_id ? ev->actor->user_id : "?";
        char change[500], text[600];
        snprintf(change, sizeof(change), "%s %s (%s) → %s %s (%s)",
                 before.bank_name ? before.bank_name : "", before.account_number ? before.account_number : "",
                 before.holder_name ? before.holder_name : "", after.bank_name ? after.bank_name : "",
                 after.account_number ? after.account_number : "", after.holder_name ? after.holder_name : "");
        snprintf(text, sizeof(text), "bank account changed by %s after submission: %s", who, change);
        rc = verification_store_add_finding(db, c->id, "company", "bank_account_changed", 0, text,
                                            change, false);
        char *b = bank_json(&before), *a = bank_json(&after);
        if (rc == SK_OK)
            rc = b && a ? sk_audit_append_about(db, ev->actor, c->company_id, "case.bank_changed",
                                                "verification_case", c->id, b, a,
                                                ev->correlation_id)
                        : SK_ENOMEM;
        free(b);
        free(a);
        if (rc == SK_OK)
            rc = vcase_emit(db, "verification.case.updated", c->id, ev->actor, ev->correlation_id);
    }
    if (rc == SK_OK && open)
        rc = put_outlets(db, c->id, now); /* an outlet added while sent back */
    if (rc == SK_OK && open) {
        size_t len = seklik__registry__company__get_packed_size(now);
        uint8_t *packed = malloc(len + 1);
        rc = packed ? SK_OK : SK_ENOMEM;
        if (packed) {
            seklik__registry__company__pack(now, packed);
            rc = verification_store_set_snapshot(db, c->id, packed, len);
        }
        free(packed);
    }
    if (then)
        seklik__registry__company__free_unpacked(then, NULL);
    return rc;
}

static int on_updated(sk_db *db, const Seklik__Bus__Event *ev)
{
    Seklik__Registry__CompanyChanged *msg =
        seklik__registry__company_changed__unpack(NULL, ev->body.len, ev->body.data);
    if (!msg || !msg->company || !msg->company->id || !msg->company->id[0]) {
        sk_log_error("event %s seq %llu: not a usable CompanyChanged, skipped", ev->type,
                     (unsigned long long)ev->seq);
        if (msg)
            seklik__registry__company_changed__free_unpacked(msg, NULL);
        return SK_OK;
    }
    verification_case_row c;
    int rc = verification_store_newest_case(db, msg->company->id, 0, NULL, true, &c);
    if (rc == SK_OK) {
        rc = update_snapshot(db, ev, &c, msg->company);
        verification_store_case_free(&c);
    } else if (rc == SK_ENOTFOUND) {
        rc = SK_OK; /* never submitted: its first submission is what is judged */
    }
    seklik__registry__company_changed__free_unpacked(msg, NULL);
    return rc;
}

int vevents_apply(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    sk_db *db = ctx->db;
    void *app = ctx->app;
    (void)app;
    if (strcmp(ev->type, "registry.company.submitted") == 0)
        return on_submitted(db, ev);
    if (strcmp(ev->type, "registry.document.uploaded") == 0)
        return on_uploaded(db, ev);
    if (strcmp(ev->type, "registry.company.updated") == 0)
        return on_updated(db, ev);
    if (strcmp(ev->type, "registry.document.deleted") == 0)
        return on_deleted(db, ev);
    return SK_OK;
}

/* ---- cases opened before outcomes were per outlet ---- */

/* Give one such case its outlets from its snapshot, each with the case's
 * outcome (it was decided for the company as a whole), and its legal form. */
static int backfill_case(sk_db *db, PGresult *r, int i)
{
    const char *id = PQgetvalue(r, i, 0);
    uint8_t *data = NULL;
    size_t len = 0;
    SK_TRY(verification_store_snapshot(db, id, &data, &len));
    Seklik__Registry__Company *co = data ? seklik__registry__company__unpack(NULL, len, data) : NULL;
    free(data);
    if (!co)
        return SK_OK;
    int rc = put_outlets(db, id, co);
    if (rc == SK_OK && co->data)
        rc = verification_store_set_legal_form(db, id, (int)co->data->legal_form);
    verification_case_state state;
    verification_outlet_state os = VERIFICATION_OUTLET_PENDING;
    if (verification_store_state_parse(PQgetvalue(r, i, 1), &state))
        os = state == VERIFICATION_CASE_VERIFIED    ? VERIFICATION_OUTLET_VERIFIED
             : state == VERIFICATION_CASE_REJECTED  ? VERIFICATION_OUTLET_REJECTED
             : state == VERIFICATION_CASE_SUSPENDED ? VERIFICATION_OUTLET_SUSPENDED
                                                    : VERIFICATION_OUTLET_PENDING;
    for (size_t k = 0; rc == SK_OK && os != VERIFICATION_OUTLET_PENDING && k < co->n_outlets; k++) {
        const Seklik__Registry__Outlet *o = co->outlets[k];
        if (o && sk_uuid_valid(o->id) && o->data && o->data->type >= 1 && o->data->type <= 4)
            rc = verification_store_set_outlet(db, id, o->id, os, PQgetvalue(r, i, 2),
                                               PQgetvalue(r, i, 5), PQgetvalue(r, i, 3),
                                               PQgetvalue(r, i, 4));
    }
    seklik__registry__company__free_unpacked(co, NULL);
    return rc;
}

int vbackfill_job(sk_db *db, void *app)
{
    (void)app;
    SK_TRY(sk_db_begin(db));
    PGresult *r = NULL;
    int rc = verification_store_cases_without_outlets(db, &r);
    int n = rc == SK_OK ? PQntuples(r) : 0;
    for (int i = 0; rc == SK_OK && i < n; i++)
        rc = backfill_case(db, r, i);
    PQclear(r);
    if (rc == SK_OK)
        rc = sk_db_commit(db);
    if (rc != SK_OK)
        sk_db_rollback(db);
    else if (n > 0)
        sk_log_info("outlets recorded for %d cases opened before outcomes were per outlet", n);
    return rc;
}

/* ---- expiry notices ---- */

static int notice(sk_db *db, PGresult *r, int i, const Seklik__Bus__Actor *actor,
                  const char *correlation_id, int *notices)
{
    bool inserted = false;
    SK_TRY(verification_store_add_notice(db, PQgetvalue(r, i, EXP_DOCUMENT_ID),
                                         PQgetvalue(r, i, EXP_EXPIRES_ON),
                                         PQgetvalue(r, i, EXP_COMPANY_ID), &inserted));
    if (!inserted)
        return SK_OK; /* sent before for this (document, expiry) */
    Seklik__Verification__DocumentExpiring ev = SEKLIK__VERIFICATION__DOCUMENT_EXPIRING__INIT;
    ev.company_id = PQgetvalue(r, i, EXP_COMPANY_ID);
    ev.document_id = PQgetvalue(r, i, EXP_DOCUMENT_ID);
    ev.type = atoi(PQgetvalue(r, i, EXP_TYPE));
    ev.expires_on = PQgetvalue(r, i, EXP_EXPIRES_ON);
    SK_TRY(sk_outbox_append(db, "verification.document.expiring", &ev.base, actor, correlation_id,
                            NULL));
    (*notices)++;
    return SK_OK;
}

int vexpiry_check(sk_db *db, int32_t today, int days_ahead, const Seklik__Bus__Actor *actor,
                  const char *correlation_id, int *notices)
{
    char from[11];
    verification_date_format(today, from);
    *notices = 0;
    PGresult *r = NULL;
    SK_TRY(verification_store_expiring(db, from, days_ahead, &r));
    int rc = SK_OK;
    for (int i = 0; rc == SK_OK && i < PQntuples(r); i++)
        rc = notice(db, r, i, actor, correlation_id, notices);
    PQclear(r);
    return rc;
}

int vexpiry_job(sk_db *db, void *app)
{
    (void)app;
    int notices = 0;
    SK_TRY(sk_db_begin(db));
    int rc = vexpiry_check(db, vdate_today_wib(), 30, NULL, "", &notices);
    if (rc == SK_OK)
        rc = sk_db_commit(db);
    if (rc != SK_OK)
        sk_db_rollback(db);
    else if (notices > 0)
        sk_log_info("expiry check: %d notices", notices);
    return rc;
}
