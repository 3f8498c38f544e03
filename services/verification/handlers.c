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
    snprintf(msg, sizeof(msg), "Akses ditolak: hanya %s (permission denied)", who);
    return sk_call_fail(call, SK_EPERM, msg);
}

static bool signed_in(const sk_call *call)
{
    return call->actor->user_id && call->actor->user_id[0];
}

static int wrong_state(sk_call *call, verification_case_state state, const char *what)
{
    char msg[256];
    snprintf(msg, sizeof(msg), "Kasus berstatus %s: %s tidak dapat dilakukan (case is %s)",
             verification_case_state_name(state), what, verification_case_state_name(state));
    return sk_call_fail(call, SK_EPRECOND, msg);
}

static bool blank(const char *s)
{
    return !s || !*s;
}

/* ---- requirement sets ---- */

static Seklik__Verification__RequirementSet *set_to_pb(sk_arena *m, PGresult *r)
{
    Seklik__Verification__RequirementSet *out = sk_arena_alloc(m, sizeof(*out));
    if (!out)
        return NULL;
    seklik__verification__requirement_set__init(out);
    out->id = sk_arena_strdup(m, PQgetvalue(r, 0, RS_ID));
    out->fiscal_year = atoi(PQgetvalue(r, 0, RS_FISCAL_YEAR));
    out->outlet_type = atoi(PQgetvalue(r, 0, RS_OUTLET_TYPE));
    out->version = atoi(PQgetvalue(r, 0, RS_VERSION));
    out->published_at = sk_arena_strdup(m, PQgetvalue(r, 0, RS_PUBLISHED_AT));
    out->published_by = sk_arena_strdup(m, PQgetvalue(r, 0, RS_PUBLISHED_BY));
    cJSON *reqs = cJSON_Parse(PQgetvalue(r, 0, RS_REQUIREMENTS));
    int n = cJSON_GetArraySize(reqs);
    out->requirements = n > 0 ? sk_arena_alloc(m, (size_t)n * sizeof(*out->requirements)) : NULL;
    for (int i = 0; out->requirements && i < n; i++) {
        cJSON *it = cJSON_GetArrayItem(reqs, i);
        Seklik__Verification__Requirement *q = sk_arena_alloc(m, sizeof(*q));
        if (!q)
            break;
        seklik__verification__requirement__init(q);
        q->type = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(it, "type"));
        q->required = cJSON_IsTrue(cJSON_GetObjectItem(it, "required"));
        q->must_not_be_expired = cJSON_IsTrue(cJSON_GetObjectItem(it, "must_not_be_expired"));
        out->requirements[out->n_requirements++] = q;
    }
    cJSON_Delete(reqs);
    return out;
}

/* Copy the set's fields into the already initialised `out`. */
static int reply_set(sk_call *call, PGresult *r, Seklik__Verification__RequirementSet *out)
{
    sk_arena *m = &call->arena;
    Seklik__Verification__RequirementSet *s = set_to_pb(m, r);
    PQclear(r);
    if (!s)
        return SK_ENOMEM;
    *out = *s;
    return SK_OK;
}

static int check_requirements(sk_call *call,
                              const Seklik__Verification__PublishRequirementSetRequest *req)
{
    if (req->fiscal_year < 2000 || req->fiscal_year > 2100)
        sk_call_violation(call, "fiscalYear", "tahun anggaran 2000-2100 (fiscal year 2000-2100)");
    if (req->outlet_type < 1 || req->outlet_type > 4)
        sk_call_violation(call, "outletType", "jenis media wajib diisi (outlet type required)");
    if (req->n_requirements == 0)
        sk_call_violation(call, "requirements", "minimal satu dokumen (at least one document)");
    for (size_t i = 0; i < req->n_requirements; i++) {
        int t = req->requirements[i]->type;
        bool dup = false;
        for (size_t j = 0; j < i; j++)
            dup = dup || (int)req->requirements[j]->type == t;
        if (t < 1 || t > 12 || dup) {
            char field[48];
            snprintf(field, sizeof(field), "requirements[%zu].type", i);
            sk_call_violation(call, field,
                              dup ? "jenis dokumen ganda (duplicate document type)"
                                  : "jenis dokumen tidak dikenal (unknown document type)");
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

    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < req->n_requirements; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "type", req->requirements[i]->type);
        cJSON_AddBoolToObject(o, "required", req->requirements[i]->required);
        cJSON_AddBoolToObject(o, "must_not_be_expired", req->requirements[i]->must_not_be_expired);
        cJSON_AddItemToArray(a, o);
    }
    char *json = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    if (!json)
        return SK_ENOMEM;
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
        return deny(call, "pengguna yang masuk (signed-in users)");
    PGresult *r = NULL;
    int rc = verification_store_newest_set(call->db, req->fiscal_year, req->outlet_type, &r);
    if (rc == SK_ENOTFOUND)
        return sk_call_fail(call, rc,
                            "Persyaratan belum diterbitkan (no requirement set published)");
    SK_TRY(rc);
    return reply_set(call, r, (Seklik__Verification__RequirementSet *)out);
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
    return sk_call_fail(call, SK_ENOTFOUND, "Kasus tidak ditemukan (case not found)");
}

static int get_case(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__GetCaseRequest *req = (const void *)in;
    verification_case_row c;
    int rc;
    if (!blank(req->case_id)) {
        if (!sk_uuid_valid(req->case_id))
            return sk_call_violation(call, "caseId", "bukan id kasus (not a case id)");
        rc = verification_store_load_case(call->db, req->case_id, false, &c);
    } else if (!blank(req->company_id)) {
        /* Checked before reading: a partner learns nothing of another company. */
        if (!sk_actor_may_act_for_company(call->actor, req->company_id, ROLES_STAFF))
            return deny(call, "staf atau mitra perusahaan ini (staff or this company's partner)");
        rc = verification_store_newest_case(call->db, req->company_id, 0, NULL, false, &c);
    } else {
        return sk_call_violation(call, "caseId", "caseId atau companyId wajib diisi (required)");
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

static int list_cases(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__ListCasesRequest *req = (const void *)in;
    Seklik__Verification__ListCasesResponse *resp = (void *)out;
    if (!sk_actor_has_any_role(call->actor, ROLES_STAFF))
        return deny(call, "staf (staff)");
    const char *state = NULL;
    if (req->state != SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_UNSPECIFIED) {
        state = verification_case_state_name((verification_case_state)(req->state - 1));
        if (!state)
            return sk_call_violation(call, "state", "status tidak dikenal (unknown state)");
    }
    if (!blank(req->page_token) && !sk_uuid_valid(req->page_token))
        return sk_call_violation(call, "pageToken", "token halaman tidak sah (invalid page token)");
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
            "pengguna atau pendaftar tidak dikenal (the acting user or the registrant is unknown)",
        [VERIFICATION_FOUR_EYES_REGISTRANT] =
            "pendaftar perusahaan tidak boleh memverifikasi atau memutuskannya (whoever registered "
            "the company may not verify it or decide on it)",
        [VERIFICATION_FOUR_EYES_SUPPLIER] =
            "pengunggah dokumen perusahaan ini tidak boleh mengusulkan atau menyetujui keputusan "
            "(whoever uploaded one of its documents may not propose or approve the decision)",
        [VERIFICATION_FOUR_EYES_OWN_UPLOAD] =
            "dokumen yang Anda unggah harus diperiksa orang lain (nobody judges a document "
            "version they uploaded)",
        [VERIFICATION_FOUR_EYES_OWN_PROPOSAL] =
            "usulan Anda sendiri harus disetujui orang lain (nobody approves their own proposal)",
        [VERIFICATION_FOUR_EYES_TOOK_PART] =
            "yang ikut memutuskan tidak menjawab sanggahan atas keputusan itu (whoever took part "
            "in the decision may not answer the objection to it)",
    };
    const char *code = verification_four_eyes_code(rule);
    char msg[400];
    snprintf(msg, sizeof(msg), "Prinsip empat mata %s: %s", code ? code : "?",
             code && (size_t)rule < sizeof(why) / sizeof(why[0]) ? why[rule] : "");
    return sk_call_fail(call, SK_EPERM, msg);
}

/* First in every verifier command, before its input is judged: whoever may
 * not act learns only that. */
static int require_verifier(sk_call *call)
{
    if (!sk_actor_has_any_role(call->actor, ROLES_VERIFIER))
        return deny(call, "verifikator atau admin (verifier or admin)");
    return SK_OK;
}

/* Load and lock the case a verifier acts on, with four-eyes applied
 * (require_verifier has passed). */
static int load_for_verifier(sk_call *call, const char *case_id, verification_case_row *c)
{
    if (!sk_uuid_valid(case_id))
        return sk_call_violation(call, "caseId", "id kasus wajib diisi (a case id is required)");
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
    int rc = after ? sk_audit_append(call->db, call->actor, action, "verification_case", case_id,
                                     before, after, call->req->request_id)
                   : SK_ENOMEM;
    free(after);
    if (rc == SK_OK)
        rc = vcase_emit(call->db, event, case_id, call->actor, call->req->request_id);
    if (rc == SK_OK)
        rc = reply_case(call, &c, out);
    verification_store_case_free(&c);
    return rc;
}

/* Where the documents' state takes the case after a decision on one. */
static int move_after_documents(sk_db *db, const char *case_id, verification_case_state state,
                                const vcheck *chk)
{
    verification_case_state next = state;
    if (chk->any_rejected) {
        verification_next_state(state, VERIFICATION_ACTION_DOCUMENT_REJECTED, &next);
    } else {
        if (state == VERIFICATION_CASE_NEEDS_REVISION) /* a rejection was taken back */
            verification_next_state(state, VERIFICATION_ACTION_DOCUMENT_RESUBMITTED, &next);
        if (chk->all_accepted && chk->complete && !chk->any_blocking)
            verification_next_state(next, VERIFICATION_ACTION_ALL_DOCUMENTS_ACCEPTED, &next);
    }
    return next == state ? SK_OK : verification_store_set_state(db, case_id, next);
}

static bool has_document(const verification_case_row *c, const char *document_id)
{
    for (int i = 0; i < PQntuples(c->docs); i++)
        if (strcmp(PQgetvalue(c->docs, i, DOC_DOCUMENT_ID), document_id) == 0)
            return true;
    return false;
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
        return sk_call_violation(call, "decision", "ACCEPTED atau REJECTED (accepted or rejected)");
    if (!accept && blank(req->reason))
        return sk_call_violation(call, "reason",
                                 "alasan penolakan wajib diisi (a rejection needs a reason)");
    verification_case_row c;
    SK_TRY(load_for_verifier(call, req->case_id, &c));
    int rc = SK_OK;
    /* Documents are judged while in review; a rejection may be revisited
     * while the company is fixing another one. */
    if (c.state != VERIFICATION_CASE_IN_REVIEW && c.state != VERIFICATION_CASE_NEEDS_REVISION)
        rc = wrong_state(call, c.state, "keputusan dokumen (document decision)");
    else if (blank(req->document_id) || !has_document(&c, req->document_id))
        rc = sk_call_violation(call, "documentId",
                               "dokumen bukan bagian dari kasus ini (not a document of this case)");
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
                                                call->actor->user_id);
    vcheck chk;
    if (rc == SK_OK)
        rc = vcheck_run(call->db, c.id, &chk);
    if (rc == SK_OK)
        rc = move_after_documents(call->db, c.id, c.state, &chk);
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
        return sk_call_violation(call, "visit", "data kunjungan wajib diisi (visit required)");
    if (!verification_date_parse(v->visited_on, &day) || day > vdate_today_wib())
        sk_call_violation(call, "visit.visitedOn",
                          "tanggal kunjungan YYYY-MM-DD, tidak di masa depan (a past date)");
    if (!verification_gps_in_indonesia(v->latitude, v->longitude))
        sk_call_violation(call, "visit.latitude",
                          "titik GPS harus di wilayah Indonesia (GPS point must be in Indonesia)");
    if (blank(v->findings))
        sk_call_violation(call, "visit.findings",
                          "temuan kunjungan wajib diisi (findings required)");
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
        rc = wrong_state(call, c.state, "pencatatan kunjungan (recording the visit)");
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

/* End of the fiscal year or the earliest accepted document's expiry. */
static void valid_until_of(const verification_case_row *c, char out[11])
{
    int32_t expiries[128];
    size_t n = 0;
    for (int i = 0; i < PQntuples(c->docs) && n < 128; i++)
        if (strcmp(PQgetvalue(c->docs, i, DOC_DECISION), "accepted") == 0 &&
            verification_date_parse(PQgetvalue(c->docs, i, DOC_EXPIRES_ON), &expiries[n]))
            n++;
    int32_t end = verification_days_from_civil(c->fiscal_year, 12, 31);
    verification_date_format(verification_valid_until(end, expiries, n), out);
}

/* Whether `outcome` may take effect on the case as it is now: the state
 * machine, and for VERIFIED every document accepted, no blocking finding
 * and the visit recorded. Asked when it is proposed and again when it is
 * approved (documents may have moved meanwhile). */
static int outcome_allowed(sk_call *call, const verification_case_row *c,
                           verification_outcome outcome, verification_case_state *next)
{
    static const char *const what[] = {
        [VERIFICATION_OUTCOME_VERIFIED] = "keputusan terverifikasi (deciding verified)",
        [VERIFICATION_OUTCOME_REJECTED] = "penolakan (rejecting)",
        [VERIFICATION_OUTCOME_SUSPENDED] = "pembekuan (suspension)",
    };
    verification_case_action action;
    if (!verification_outcome_action(outcome, &action))
        return SK_EINTERNAL;
    if (!verification_next_state(c->state, action, next))
        return wrong_state(call, c->state, what[outcome]);
    if (outcome != VERIFICATION_OUTCOME_VERIFIED)
        return SK_OK;
    vcheck chk;
    SK_TRY(vcheck_run(call->db, c->id, &chk));
    if (!chk.all_accepted || !chk.complete || chk.any_blocking || blank(c->visit_json))
        return sk_call_fail(call, SK_EPRECOND,
                            "Belum semua dokumen diterima, ada temuan yang menghalangi, atau "
                            "kunjungan belum dicatat (documents, findings or visit incomplete)");
    return SK_OK;
}

static const char *const PROPOSE_ACTIONS[] = {
    [VERIFICATION_OUTCOME_VERIFIED] = "case.propose_verified",
    [VERIFICATION_OUTCOME_REJECTED] = "case.propose_rejected",
    [VERIFICATION_OUTCOME_SUSPENDED] = "case.propose_suspended",
};

/* Record `outcome` as a proposal of the actor (whose right to propose was
 * checked); it changes nothing else until a second person approves it. */
static int propose(sk_call *call, const verification_case_row *c, verification_outcome outcome,
                   const char *reason, ProtobufCMessage *out)
{
    static const char busy[] = "Sudah ada keputusan yang menunggu persetujuan (a decision is "
                               "already waiting for approval)";
    if (c->pending_id[0])
        return sk_call_fail(call, SK_EPRECOND, busy);
    char *before = vcase_audit_json(c);
    if (!before)
        return SK_ENOMEM;
    char id[SK_UUID_STRLEN];
    sk_uuid7(id);
    int rc = verification_store_propose(call->db, id, c->id, outcome, reason, call->actor->user_id);
    if (rc == SK_EEXISTS)
        rc = sk_call_fail(call, SK_EPRECOND, busy);
    if (rc == SK_OK)
        rc = finish(call, PROPOSE_ACTIONS[outcome], "verification.case.updated", c->id, before, out);
    free(before);
    return rc;
}

/* The proposer's right to propose on `c`, then the outcome against the case. */
static int may_propose(sk_call *call, const verification_case_row *c, verification_outcome outcome)
{
    verification_parties parties;
    SK_TRY(parties_of(call, c, &parties));
    verification_four_eyes rule = verification_may_propose(&parties, call->actor->user_id);
    if (rule != VERIFICATION_FOUR_EYES_OK)
        return refuse(call, rule);
    verification_case_state next;
    return outcome_allowed(call, c, outcome, &next);
}

/* Verification.Decide: the deciding verifier proposes verified or
 * rejected; ApproveDecision by someone else makes it the outcome. */
static int decide(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__DecideRequest *req = (const void *)in;
    SK_TRY(require_verifier(call));
    bool verify = req->outcome == SEKLIK__VERIFICATION__OUTCOME__OUTCOME_VERIFIED;
    if (!verify && req->outcome != SEKLIK__VERIFICATION__OUTCOME__OUTCOME_REJECTED)
        return sk_call_violation(call, "outcome", "VERIFIED atau REJECTED (verified or rejected)");
    if (!verify && blank(req->reason))
        return sk_call_violation(call, "reason",
                                 "alasan penolakan wajib diisi (a rejection needs a reason)");
    verification_case_row c;
    SK_TRY(load_for_verifier(call, req->case_id, &c));
    verification_outcome outcome =
        verify ? VERIFICATION_OUTCOME_VERIFIED : VERIFICATION_OUTCOME_REJECTED;
    int rc = may_propose(call, &c, outcome);
    if (rc == SK_OK)
        rc = propose(call, &c, outcome, verify ? "" : req->reason, out);
    verification_store_case_free(&c);
    return rc;
}

/* Verification.Suspend: proposes suspending the company's verified case;
 * it takes effect when someone else approves it. */
static int suspend(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__SuspendRequest *req = (const void *)in;
    if (!sk_actor_has_any_role(call->actor, ROLES_SUSPEND))
        return deny(call, "verifikator, kepala atau admin (verifier, head or admin)");
    if (blank(req->company_id))
        return sk_call_violation(call, "companyId", "wajib diisi (required)");
    if (blank(req->reason))
        return sk_call_violation(call, "reason", "alasan pembekuan wajib diisi (reason required)");
    /* The company's newest case: a verified one further back does not count. */
    verification_case_row c;
    int rc = verification_store_newest_case(call->db, req->company_id, 0, NULL, true, &c);
    if (rc == SK_ENOTFOUND)
        return not_found(call);
    SK_TRY(rc);
    rc = may_propose(call, &c, VERIFICATION_OUTCOME_SUSPENDED);
    if (rc == SK_OK)
        rc = propose(call, &c, VERIFICATION_OUTCOME_SUSPENDED, req->reason, out);
    verification_store_case_free(&c);
    return rc;
}

/* Load and lock the case of an approval, its pending proposal being
 * `proposal_id` (what the second person looked at). */
static int load_pending(sk_call *call, const char *case_id, const char *proposal_id,
                        verification_case_row *c)
{
    if (!sk_uuid_valid(case_id))
        return sk_call_violation(call, "caseId", "id kasus wajib diisi (a case id is required)");
    if (!sk_uuid_valid(proposal_id))
        return sk_call_violation(call, "proposalId",
                                 "id usulan wajib diisi (a proposal id is required)");
    int rc = verification_store_load_case(call->db, case_id, true, c);
    if (rc == SK_ENOTFOUND)
        return not_found(call);
    SK_TRY(rc);
    if (strcmp(c->pending_id, proposal_id) != 0) {
        verification_store_case_free(c);
        return sk_call_fail(call, SK_EPRECOND,
                            "Usulan ini tidak lagi menunggu persetujuan (this proposal is not "
                            "waiting for approval)");
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
                 "%s sudah dimiliki perusahaan lain yang terverifikasi tahun ini: %s (%s held by "
                 "another company verified this year)",
                 clash, other, clash);
        rc = sk_call_fail(call, SK_EPRECOND, msg);
    }
    return rc;
}

static const char *const OUTCOME_ACTIONS[] = {
    [VERIFICATION_OUTCOME_VERIFIED] = "case.verify",
    [VERIFICATION_OUTCOME_REJECTED] = "case.reject",
    [VERIFICATION_OUTCOME_SUSPENDED] = "case.suspend",
};
static const char *const OUTCOME_EVENTS[] = {
    [VERIFICATION_OUTCOME_VERIFIED] = "verification.company.verified",
    [VERIFICATION_OUTCOME_REJECTED] = "verification.company.rejected",
    [VERIFICATION_OUTCOME_SUSPENDED] = "verification.company.suspended",
};

/* Verification.ApproveDecision: the second person; the proposal becomes the
 * case's outcome and only now is the outcome event emitted. */
static int approve_decision(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__ApproveDecisionRequest *req = (const void *)in;
    if (!sk_actor_has_any_role(call->actor, ROLES_APPROVE))
        return deny(call, "verifikator, kepala atau admin (verifier, head or admin)");
    verification_case_row c;
    SK_TRY(load_pending(call, req->case_id, req->proposal_id, &c));
    verification_parties parties;
    verification_outcome outcome;
    verification_case_state next;
    int rc = parties_of(call, &c, &parties);
    verification_four_eyes rule = VERIFICATION_FOUR_EYES_OK;
    if (rc == SK_OK && (rule = verification_may_approve(&parties, c.pending_by,
                                                        call->actor->user_id)) !=
                           VERIFICATION_FOUR_EYES_OK)
        rc = refuse(call, rule);
    if (rc == SK_OK && !verification_outcome_parse(c.pending_outcome, &outcome))
        rc = SK_EINTERNAL; /* the CHECK constraint makes this unreachable */
    if (rc == SK_OK)
        rc = outcome_allowed(call, &c, outcome, &next);
    char *before = rc == SK_OK ? vcase_audit_json(&c) : NULL;
    if (rc == SK_OK && !before)
        rc = SK_ENOMEM;
    if (rc == SK_OK)
        rc = verification_store_approve_proposal(call->db, c.id, c.pending_id,
                                                 call->actor->user_id);
    char until[11] = "";
    if (rc == SK_OK && outcome == VERIFICATION_OUTCOME_VERIFIED) {
        rc = claim_identities(call, &c);
        valid_until_of(&c, until);
    } else if (rc == SK_OK && outcome == VERIFICATION_OUTCOME_SUSPENDED) {
        rc = verification_store_release_identities(call->db, c.company_id, c.fiscal_year);
        snprintf(until, sizeof(until), "%s", c.valid_until);
    }
    if (rc == SK_OK)
        rc = verification_store_decide_case(call->db, c.id, next, c.pending_by,
                                            call->actor->user_id, c.pending_reason, until);
    if (rc == SK_OK)
        rc = finish(call, OUTCOME_ACTIONS[outcome], OUTCOME_EVENTS[outcome], c.id, before, out);
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
        return deny(call, "verifikator, kepala atau admin (verifier, head or admin)");
    if (blank(req->reason))
        return sk_call_violation(call, "reason",
                                 "alasan pengembalian wajib diisi (a reason is required)");
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
    return a->objection_until ? SK_OK : SK_ENOMEM;
}

static char *announcement_json(PGresult *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "objection_until", PQgetvalue(r, 0, ANN_OBJECTION_UNTIL));
    cJSON_AddStringToObject(o, "finalized_at", PQgetvalue(r, 0, ANN_FINALIZED_AT));
    cJSON_AddRawToObject(o, "verified_company_ids", PQgetvalue(r, 0, ANN_VERIFIED_IDS));
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
        return deny(call, "admin atau kepala (admin or head)");
    int64_t until;
    if (req->fiscal_year < 2000 || req->fiscal_year > 2100)
        sk_call_violation(call, "fiscalYear", "tahun anggaran 2000-2100 (fiscal year 2000-2100)");
    if (!verification_time_parse(req->objection_until, &until) || until <= sk_now_unix_ms() / 1000)
        sk_call_violation(call, "objectionUntil",
                          "waktu RFC 3339 di masa depan (an RFC 3339 time in the future)");
    if (call->n_violations)
        return SK_EINVAL;
    PGresult *r = NULL;
    int rc = verification_store_announce(call->db, req->fiscal_year, req->objection_until,
                                         call->actor->user_id, &r);
    if (rc == SK_EEXISTS)
        return sk_call_fail(call, rc, "Hasil tahun ini sudah diumumkan (already announced)");
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
                            "Hasil tahun ini belum diumumkan (results not announced yet)");
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
    int rc = after ? sk_audit_append(call->db, call->actor, action, "objection",
                                     PQgetvalue(r, 0, OBJ_ID), before, after, call->req->request_id)
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
        return deny(call, "mitra untuk perusahaannya sendiri (a partner, for its own company)");
    if (blank(req->reason))
        return sk_call_violation(call, "reason", "alasan sanggahan wajib diisi (reason required)");
    PGresult *ann = NULL;
    verification_objection_window w = {0};
    SK_TRY(load_window(call, req->fiscal_year, true, &ann, &w));
    PQclear(ann);
    bool already = false;
    SK_TRY(verification_store_has_objection(call->db, req->fiscal_year, req->company_id, &already));
    if (already)
        return sk_call_fail(
            call, SK_EEXISTS,
            "Sanggahan hanya sekali per tahun (one objection per company per year)");
    if (!verification_objection_allowed(&w, sk_now_unix_ms() / 1000, false))
        return sk_call_fail(call, SK_EPRECOND,
                            w.finalized ? "Daftar sudah final (the list is final)"
                                        : "Masa sanggah sudah berakhir (objection window closed)");
    char id[SK_UUID_STRLEN];
    sk_uuid7(id);
    PGresult *r = NULL;
    int rc = verification_store_insert_objection(call->db, id, req->fiscal_year, req->company_id,
                                                 req->reason, call->actor->user_id, &r);
    if (rc == SK_EEXISTS)
        return sk_call_fail(call, rc, "Sanggahan hanya sekali per tahun (one objection per year)");
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

static int answer_objection(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__AnswerObjectionRequest *req = (const void *)in;
    static const char *const roles[] = {SK_ROLE_ADMIN, SK_ROLE_HEAD, SK_ROLE_VERIFIER, NULL};
    if (!sk_actor_has_any_role(call->actor, roles))
        return deny(call, "admin, kepala atau verifikator (admin, head or verifier)");
    if (blank(req->answer))
        return sk_call_violation(call, "answer", "jawaban wajib diisi (answer required)");
    if (!sk_uuid_valid(req->objection_id))
        return sk_call_violation(call, "objectionId", "id sanggahan wajib diisi (required)");
    PGresult *r = NULL;
    int rc = verification_store_load_objection(call->db, req->objection_id, true, &r);
    if (rc == SK_ENOTFOUND)
        return sk_call_fail(call, rc, "Sanggahan tidak ditemukan (objection not found)");
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
        rc = sk_call_fail(call, SK_EPRECOND, "Daftar sudah final (the list is final)");
    else if (rc == SK_OK && PQgetvalue(r, 0, OBJ_ANSWERED_AT)[0])
        rc = sk_call_fail(call, SK_EPRECOND, "Sanggahan sudah dijawab (already answered)");
    char *before = rc == SK_OK ? objection_json(r) : NULL;
    PQclear(r);
    r = NULL;
    if (rc == SK_OK)
        rc = verification_store_answer_objection(call->db, req->objection_id, req->answer,
                                                 req->upheld, call->actor->user_id, &r);
    if (rc == SK_OK)
        rc = audit_objection(call, "objection.answer", before, r);
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
        return deny(call, "pengguna terdaftar (signed-in users)");
    PGresult *r = NULL;
    int rc = verification_store_load_announcement(call->db, req->fiscal_year, false, &r);
    if (rc == SK_ENOTFOUND)
        return sk_call_fail(call, SK_ENOTFOUND,
                            "Hasil tahun ini belum diumumkan (results not announced yet)");
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
            return deny(call, "staf atau mitra (staff or partners)");
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
        return deny(call, "admin atau kepala (admin or head)");
    PGresult *r = NULL;
    verification_objection_window w = {0};
    SK_TRY(load_window(call, req->fiscal_year, true, &r, &w));
    long long open = 0;
    int rc = verification_store_open_objections(call->db, req->fiscal_year, &open);
    int64_t now = sk_now_unix_ms() / 1000;
    if (rc == SK_OK && !verification_can_finalize(&w, now, (size_t)open)) {
        char msg[200];
        if (w.finalized)
            snprintf(msg, sizeof(msg), "Daftar sudah final (the list is final already)");
        else if (now < w.objection_until)
            snprintf(msg, sizeof(msg),
                     "Masa sanggah belum berakhir sampai %s (objection window open)",
                     PQgetvalue(r, 0, ANN_OBJECTION_UNTIL));
        else
            snprintf(msg, sizeof(msg), "%lld sanggahan belum dijawab (objections unanswered)",
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

/* ---- expiry notices ---- */

static int check_expiries(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Verification__CheckExpiriesRequest *req = (const void *)in;
    static const char *const roles[] = {SK_ROLE_ADMIN, SK_ROLE_VERIFIER, SK_ROLE_HEAD, NULL};
    if (!sk_actor_has_any_role(call->actor, roles))
        return deny(call, "admin, verifikator atau kepala (admin, verifier or head)");
    int32_t today = vdate_today_wib();
    if (!blank(req->today) && !verification_date_parse(req->today, &today))
        sk_call_violation(call, "today", "tanggal YYYY-MM-DD (a date)");
    int days = req->days_ahead == 0 ? 30 : req->days_ahead;
    if (days < 1 || days > 366)
        sk_call_violation(call, "daysAhead", "1 sampai 366 hari (1 to 366 days)");
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
    {"GetCase", get_case, SK_RPC_QUERY},
    {"ListCases", list_cases, SK_RPC_QUERY},
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
    "registry.company.submitted", "registry.company.updated", "registry.document.uploaded", NULL};

static const sk_subscription_def subscriptions[] = {
    {"registry", registry_prefixes, vevents_apply},
};

static const sk_job_def jobs[] = {
    {"expiry_check", 24 * 60 * 60 * 1000, vexpiry_job},
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
