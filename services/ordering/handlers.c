/* handlers.c - one function per RPC method of seklik.ordering.Ordering, and
 * the service definition: decode, authorize, call the domain, store, emit.
 *
 * Every method checks the actor's role before it looks at the input, and a
 * partner only ever sees its own company's agreements and orders (never a
 * draft order). Commands run in the transaction the RPC server opened;
 * IssueOrder and CancelOrder are sagas (SK_RPC_SAGA) that commit in steps
 * around their calls to accounting (docs/adr/0014-ordering.md). Every change
 * is audited and announced through the outbox in its own transaction. */
#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "sk_actor.h"
#include "sk_audit.h"
#include "sk_config.h"
#include "sk_err.h"
#include "sk_file.h"
#include "sk_id.h"
#include "sk_log.h"
#include "sk_outbox.h"
#include "sk_service.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE_SIZE_DEFAULT 50
#define PAGE_SIZE_MAX 200
#define MAX_FILE_BYTES (10u * 1024 * 1024)
#define MAX_QUOTAS ORDERING_PRODUCT_COUNT

static const char *const STAFF_ROLES[] = {SK_ROLE_ADMIN,   SK_ROLE_VERIFIER, SK_ROLE_PARTNERSHIP,
                                          SK_ROLE_PR,      SK_ROLE_FINANCE,  SK_ROLE_HEAD,
                                          NULL};
static const char *const SETTINGS_ROLES[] = {SK_ROLE_ADMIN, SK_ROLE_HEAD, NULL};
static const char *const CANCEL_ROLES[] = {SK_ROLE_PARTNERSHIP, SK_ROLE_HEAD, NULL};
static const char *const PROOF_DECIDERS[] = {SK_ROLE_PARTNERSHIP, SK_ROLE_HEAD, NULL};

/* ---- small helpers ---- */

static int deny(sk_call *call, const char *what)
{
    char msg[200];
    snprintf(msg, sizeof(msg), "access.denied: not allowed: %s", what);
    return sk_call_fail(call, SK_EPERM, msg);
}

/* `message` is "<code>: <English>", a literal (the web UI's catalogue test
 * reads it at every call). */
static int not_found(sk_call *call, const char *message)
{
    return sk_call_fail(call, SK_ENOTFOUND, message);
}

/* FAILED_PRECONDITION naming `field`: what ran out or is not in the right
 * state. The message leads with the code, as the UI reads it. */
static int refuse(sk_call *call, const char *field, const char *code, const char *english)
{
    char why[400];
    snprintf(why, sizeof(why), "%s: %.320s", code, english);
    sk_call_violation_code(call, field, code, english);
    return sk_call_fail(call, SK_EPRECOND, why);
}

static int wrong_state(sk_call *call, const char *what, int state)
{
    char msg[200];
    snprintf(msg, sizeof(msg), "state.wrong: cannot %s in state %s", what,
             ordering_state_name(state));
    return sk_call_fail(call, SK_EPRECOND, msg);
}

static bool blank(const char *s)
{
    return !s || s[strspn(s, " \t\r\n")] == '\0';
}

/* A partner account holding a staff role too is still a partner: the
 * partner wall comes first. */
static bool partner_account(const sk_call *call)
{
    return sk_actor_has_role(call->actor, SK_ROLE_PARTNER) ||
           (call->actor->company_id && call->actor->company_id[0]);
}

static bool is_staff(const sk_call *call)
{
    return !partner_account(call) && sk_actor_has_any_role(call->actor, STAFF_ROLES);
}

/* A staff role, on a staff account. */
static bool staff_role(const sk_call *call, const char *role)
{
    return !partner_account(call) && sk_actor_has_role(call->actor, role);
}

static bool staff_any(const sk_call *call, const char *const *roles)
{
    return !partner_account(call) && sk_actor_has_any_role(call->actor, roles);
}

static bool is_partner(const sk_call *call)
{
    return sk_actor_has_role(call->actor, SK_ROLE_PARTNER) && call->actor->company_id &&
           sk_uuid_valid(call->actor->company_id);
}

static const char *actor_id(const sk_call *call)
{
    return call->actor->user_id ? call->actor->user_id : "";
}

/* The party an actor negotiates for: the office (partnership) or the
 * partner; 0 for anyone else. */
static int party_of(const sk_call *call)
{
    if (staff_role(call, SK_ROLE_PARTNERSHIP))
        return ORDERING_OFFICE;
    if (is_partner(call))
        return ORDERING_PARTNER;
    return 0;
}

static int check_year(sk_call *call, const char *field, int year)
{
    if (year < ORDERING_YEAR_MIN || year > ORDERING_YEAR_MAX)
        return sk_call_violation_code(call, field, "out_of_range", "must be between 2000 and 2100");
    return SK_OK;
}

static int check_uuid(sk_call *call, const char *field, const char *id)
{
    if (!sk_uuid_valid(id))
        return sk_call_violation_code(call, field, "id.invalid", "not a valid id");
    return SK_OK;
}

static int check_version(sk_call *call, int64_t expected, int64_t actual)
{
    if (expected != 0 && expected != actual) {
        char msg[160];
        snprintf(msg, sizeof(msg),
                 "version.changed: the data changed meanwhile (version %lld); reload",
                 (long long)actual);
        return sk_call_fail(call, SK_EPRECOND, msg);
    }
    return SK_OK;
}

static void sha256_hex(const uint8_t *data, size_t len, char hex[65])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, data, len);
    sodium_bin2hex(hex, 65, digest, sizeof(digest));
}

static int audit(sk_call *call, const char *action, const char *entity, const char *id,
                 const char *before, const char *after)
{
    return sk_audit_append(call->db, call->actor, action, entity, id, before, after,
                           call->req->request_id);
}

static ordering_app *app_of(const sk_call *call)
{
    return call->app;
}

/* ---- the year's settings ---- */

static void settings_reply(sk_call *call, const ordering_settings *s,
                           Seklik__Ordering__YearSettings *out)
{
    out->fiscal_year = s->fiscal_year;
    out->approval_threshold = s->approval_threshold;
    out->number_format = sk_call_strdup(call, s->number_format);
    out->proof_grace_days = s->proof_grace_days;
    out->default_budget_line_id = sk_call_strdup(call, s->default_budget_line_id);
    out->closed = s->closed;
    out->updated_at = sk_call_strdup(call, s->updated_at);
    out->updated_by = sk_call_strdup(call, s->updated_by);
}

/* Ordering.SaveYearSettings (admin, head) */
static int save_year_settings(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Ordering__YearSettings *req = (const Seklik__Ordering__YearSettings *)in;
    if (!staff_any(call, SETTINGS_ROLES))
        return deny(call, "year settings");
    check_year(call, "fiscalYear", req->fiscal_year);
    if (req->approval_threshold < 0 || req->approval_threshold > ORDERING_MAX_MONEY)
        sk_call_violation_code(call, "approvalThreshold", "negative",
                               "the threshold must be 0 or more");
    const char *format = blank(req->number_format) ? ORDERING_DEFAULT_NUMBER_FORMAT
                                                   : req->number_format;
    if (!ordering_number_format_valid(format))
        sk_call_violation_code(
            call, "numberFormat", "number_format.invalid",
            "the format needs one {seq} or {seq:N} and one {year}, printable ASCII");
    if (req->proof_grace_days < 0 || req->proof_grace_days > 365)
        sk_call_violation_code(call, "proofGraceDays", "out_of_range", "must be between 0 and 365");
    if (call->n_violations)
        return SK_EINVAL;
    ordering_settings before, s;
    SK_TRY(ordering_store_settings(call->db, req->fiscal_year, true, &before));
    if (before.closed)
        return refuse(call, "fiscalYear", "year.closed", "the year is closed");
    int last = 0;
    SK_TRY(ordering_store_last_seq(call->db, req->fiscal_year, &last));
    if (last > 0 && strcmp(format, before.number_format) != 0)
        return refuse(call, "numberFormat", "number_format.in_use",
                      "numbers were already issued this year in the old format");
    s = before;
    s.approval_threshold = req->approval_threshold;
    snprintf(s.number_format, sizeof(s.number_format), "%s", format);
    s.proof_grace_days = req->proof_grace_days;
    snprintf(s.default_budget_line_id, sizeof(s.default_budget_line_id), "%s",
             req->default_budget_line_id ? req->default_budget_line_id : "");
    SK_TRY(ordering_store_save_settings(call->db, &s, actor_id(call)));
    char b[256], a[256], year[16];
    snprintf(b, sizeof(b), "{\"approvalThreshold\":%lld,\"proofGraceDays\":%d}",
             (long long)before.approval_threshold, before.proof_grace_days);
    snprintf(a, sizeof(a), "{\"approvalThreshold\":%lld,\"proofGraceDays\":%d}",
             (long long)s.approval_threshold, s.proof_grace_days);
    snprintf(year, sizeof(year), "%d", s.fiscal_year);
    SK_TRY(audit(call, "year_settings.saved", "fiscal_year", year, b, a));
    SK_TRY(ordering_store_settings(call->db, req->fiscal_year, false, &s));
    settings_reply(call, &s, (Seklik__Ordering__YearSettings *)out);
    return SK_OK;
}

/* Ordering.GetYearSettings (any staff, partners: the grace days concern them) */
static int get_year_settings(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Ordering__GetYearSettingsRequest *req =
        (const Seklik__Ordering__GetYearSettingsRequest *)in;
    if (!is_staff(call) && !is_partner(call))
        return deny(call, "year settings");
    SK_TRY(check_year(call, "fiscalYear", req->fiscal_year));
    ordering_settings s;
    SK_TRY(ordering_store_settings(call->db, req->fiscal_year, false, &s));
    settings_reply(call, &s, (Seklik__Ordering__YearSettings *)out);
    return SK_OK;
}

/* ---- agreements ---- */

static int agreement_reply(sk_call *call, const PGresult *res, int i,
                           Seklik__Ordering__Agreement *out)
{
    Seklik__Ordering__AgreementInput *d = sk_call_alloc(call, sizeof(*d));
    ordering_quota q[MAX_QUOTAS];
    size_t n = ordering_store_parse_quotas(PQgetvalue(res, i, AG_QUOTAS), q, MAX_QUOTAS);
    Seklik__Ordering__Quota **qs = sk_call_alloc(call, sizeof(*qs) * (n + 1));
    if (!d || !qs)
        return SK_ENOMEM;
    seklik__ordering__agreement_input__init(d);
    for (size_t k = 0; k < n; k++) {
        qs[k] = sk_call_alloc(call, sizeof(**qs));
        if (!qs[k])
            return SK_ENOMEM;
        seklik__ordering__quota__init(qs[k]);
        qs[k]->product = (Seklik__Scoring__Product)q[k].product;
        qs[k]->placements = q[k].placements;
        qs[k]->used = q[k].used;
    }
    d->company_id = sk_call_strdup(call, PQgetvalue(res, i, AG_COMPANY_ID));
    d->fiscal_year = atoi(PQgetvalue(res, i, AG_YEAR));
    d->number = sk_call_strdup(call, PQgetvalue(res, i, AG_NUMBER));
    d->value = sk_db_get_int64(res, i, AG_VALUE);
    d->quotas = qs;
    d->n_quotas = n;
    d->valid_from = sk_call_strdup(call, PQgetvalue(res, i, AG_VALID_FROM));
    d->valid_until = sk_call_strdup(call, PQgetvalue(res, i, AG_VALID_UNTIL));
    d->budget_line_id = sk_call_strdup(call, PQgetvalue(res, i, AG_BUDGET_LINE));
    out->id = sk_call_strdup(call, PQgetvalue(res, i, AG_ID));
    out->data = d;
    out->state = (Seklik__Ordering__AgreementState)atoi(PQgetvalue(res, i, AG_STATE));
    out->company_name = sk_call_strdup(call, PQgetvalue(res, i, AG_COMPANY_NAME));
    out->used_value = sk_db_get_int64(res, i, AG_USED_VALUE);
    out->signed_on = sk_call_strdup(call, PQgetvalue(res, i, AG_SIGNED_ON));
    out->document_sha256 = sk_call_strdup(call, PQgetvalue(res, i, AG_SHA256));
    out->document_file_name = sk_call_strdup(call, PQgetvalue(res, i, AG_FILE_NAME));
    out->version = sk_db_get_int64(res, i, AG_VERSION);
    out->created_at = sk_call_strdup(call, PQgetvalue(res, i, AG_CREATED_AT));
    out->created_by = sk_call_strdup(call, PQgetvalue(res, i, AG_CREATED_BY));
    return out->created_by ? SK_OK : SK_ENOMEM;
}

/* Load an agreement and check the actor may see it (staff, or its partner). */
static int agreement_for(sk_call *call, const char *id, bool lock, PGresult **res)
{
    SK_TRY(check_uuid(call, "agreementId", id));
    int rc = ordering_store_agreement(call->db, id, lock, res);
    if (rc == SK_ENOTFOUND)
        return not_found(call, "agreement.not_found: no such agreement");
    SK_TRY(rc);
    if (!is_staff(call) &&
        !(is_partner(call) &&
          strcmp(PQgetvalue(*res, 0, AG_COMPANY_ID), call->actor->company_id) == 0)) {
        PQclear(*res);
        *res = NULL;
        return deny(call, "agreement of another company");
    }
    return SK_OK;
}

/* The agreement as it now is into `out`, announced as ordering.agreement.<what>. */
static int agreement_done(sk_call *call, const char *id, const char *what, const char *before,
                          Seklik__Ordering__Agreement *out)
{
    PGresult *res;
    SK_TRY(ordering_store_agreement(call->db, id, false, &res));
    int rc = agreement_reply(call, res, 0, out);
    PQclear(res);
    SK_TRY(rc);
    char type[64], action[64];
    snprintf(type, sizeof(type), "ordering.agreement.%s", what);
    snprintf(action, sizeof(action), "agreement.%s", what);
    /* The number is people's text: cJSON escapes it. */
    cJSON *j = cJSON_CreateObject();
    char *after = NULL;
    if (j && cJSON_AddNumberToObject(j, "state", (double)out->state) &&
        cJSON_AddStringToObject(j, "number", out->data->number) &&
        cJSON_AddNumberToObject(j, "value", (double)out->data->value) &&
        cJSON_AddNumberToObject(j, "version", (double)out->version))
        after = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!after)
        return SK_ENOMEM;
    Seklik__Ordering__AgreementChanged ev = SEKLIK__ORDERING__AGREEMENT_CHANGED__INIT;
    ev.agreement = out;
    rc = sk_outbox_append(call->db, type, &ev.base, call->actor, call->req->request_id, NULL);
    if (rc == SK_OK)
        rc = audit(call, action, "agreement", id, before, after);
    cJSON_free(after);
    return rc;
}

/* Check an AgreementInput; violations under "agreement.". */
static void check_agreement(sk_call *call, const Seklik__Ordering__AgreementInput *a,
                            ordering_quota *q, size_t *nq, int32_t *from, int32_t *until)
{
    *nq = 0;
    if (!a) {
        sk_call_violation_code(call, "agreement", "required", "required");
        return;
    }
    check_uuid(call, "agreement.companyId", a->company_id);
    check_year(call, "agreement.fiscalYear", a->fiscal_year);
    if (blank(a->number))
        sk_call_violation_code(call, "agreement.number", "required",
                               "the agreement number is required");
    if (a->value <= 0 || a->value > ORDERING_MAX_MONEY)
        sk_call_violation_code(call, "agreement.value", "amount.not_positive",
                               "the value must be above 0");
    bool from_ok = ordering_parse_date(a->valid_from, from);
    bool until_ok = ordering_parse_date(a->valid_until, until);
    if (!from_ok)
        sk_call_violation_code(call, "agreement.validFrom", "date.invalid", "a date YYYY-MM-DD");
    if (!until_ok)
        sk_call_violation_code(call, "agreement.validUntil", "date.invalid", "a date YYYY-MM-DD");
    char y1[16], y2[16];
    snprintf(y1, sizeof(y1), "%04d-01-01", a->fiscal_year);
    snprintf(y2, sizeof(y2), "%04d-12-31", a->fiscal_year);
    int32_t jan1 = 0, dec31 = 0;
    bool year_ok = ordering_parse_date(y1, &jan1) && ordering_parse_date(y2, &dec31);
    if (from_ok && until_ok && *until < *from)
        sk_call_violation_code(call, "agreement.validUntil", "date.before_start",
                               "must not be before validFrom");
    else if (year_ok && from_ok && until_ok && (*from < jan1 || *until > dec31))
        sk_call_violation_code(call, "agreement.validUntil", "date.outside_year",
                               "must lie within the fiscal year");
    if (a->n_quotas == 0)
        sk_call_violation_code(call, "agreement.quotas", "required",
                               "a quota of placements is required");
    char field[64];
    for (size_t i = 0; i < a->n_quotas && i < MAX_QUOTAS; i++) {
        const Seklik__Ordering__Quota *x = a->quotas[i];
        int product = x ? (int)x->product : 0;
        if (product < 1 || product > ORDERING_PRODUCT_COUNT) {
            snprintf(field, sizeof(field), "agreement.quotas[%zu].product", i);
            sk_call_violation_code(call, field, "unknown_value", "unknown product");
            continue;
        }
        for (size_t k = 0; k < *nq; k++)
            if (q[k].product == product) {
                snprintf(field, sizeof(field), "agreement.quotas[%zu].product", i);
                sk_call_violation_code(call, field, "agreement.product_twice",
                                       "product listed twice");
            }
        if (x->placements < 1 || x->placements > 1000000) {
            snprintf(field, sizeof(field), "agreement.quotas[%zu].placements", i);
            sk_call_violation_code(call, field, "out_of_range", "must be between 1 and 1000000");
        }
        q[(*nq)++] = (ordering_quota){product, x->placements, 0};
    }
    if (a->n_quotas > MAX_QUOTAS)
        sk_call_violation_code(call, "agreement.quotas", "too_many", "at most 12 entries");
}

/* Ordering.SaveAgreement (partnership): a new draft, or a draft changed. */
static int save_agreement(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Ordering__SaveAgreementRequest *req =
        (const Seklik__Ordering__SaveAgreementRequest *)in;
    if (!staff_role(call, SK_ROLE_PARTNERSHIP))
        return deny(call, "agreement");
    bool fresh = blank(req->agreement_id);
    if (!fresh)
        check_uuid(call, "agreementId", req->agreement_id);
    ordering_quota q[MAX_QUOTAS];
    size_t nq = 0;
    int32_t from = 0, until = 0;
    check_agreement(call, req->agreement, q, &nq, &from, &until);
    if (call->n_violations)
        return SK_EINVAL;
    const Seklik__Ordering__AgreementInput *a = req->agreement;
    bool tiered = false;
    SK_TRY(ordering_store_company_tiered(call->db, a->company_id, a->fiscal_year, &tiered));
    if (!tiered)
        return refuse(call, "agreement.companyId", "company.no_tiered_outlet",
                      "the company has no tiered outlet for this fiscal year");
    char id[SK_UUID_STRLEN], before[96] = "";
    ordering_agreement_row row = {.company_id = a->company_id,
                                  .number = a->number,
                                  .valid_from = a->valid_from,
                                  .valid_until = a->valid_until,
                                  .budget_line_id = a->budget_line_id,
                                  .fiscal_year = a->fiscal_year,
                                  .value = a->value};
    int rc;
    if (fresh) {
        sk_uuid7(id);
        row.id = id;
        rc = ordering_store_agreement_insert(call->db, &row, actor_id(call));
    } else {
        snprintf(id, sizeof(id), "%s", req->agreement_id);
        row.id = id;
        PGresult *res;
        SK_TRY(agreement_for(call, id, true, &res));
        int state = atoi(PQgetvalue(res, 0, AG_STATE));
        int64_t version = sk_db_get_int64(res, 0, AG_VERSION);
        snprintf(before, sizeof(before), "{\"value\":%lld,\"version\":%lld}",
                 (long long)sk_db_get_int64(res, 0, AG_VALUE), (long long)version);
        PQclear(res);
        if (state != SEKLIK__ORDERING__AGREEMENT_STATE__AGREEMENT_STATE_DRAFT)
            return sk_call_fail(call, SK_EPRECOND,
                                "agreement.not_draft: only a draft can be changed");
        SK_TRY(check_version(call, req->expected_version, version));
        rc = ordering_store_agreement_update(call->db, &row);
    }
    if (rc == SK_EEXISTS)
        return sk_call_fail(call, SK_EEXISTS,
                            "agreement.exists: the company already has an agreement this year, or "
                            "the number is taken");
    SK_TRY(rc);
    SK_TRY(ordering_store_agreement_set_quotas(call->db, id, q, nq));
    return agreement_done(call, id, "saved", fresh ? NULL : before,
                          (Seklik__Ordering__Agreement *)out);
}

/* Ordering.SignAgreement (partnership): the signed scan, a PDF by content. */
static int sign_agreement(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Ordering__SignAgreementRequest *req =
        (const Seklik__Ordering__SignAgreementRequest *)in;
    if (!staff_role(call, SK_ROLE_PARTNERSHIP))
        return deny(call, "agreement");
    check_uuid(call, "agreementId", req->agreement_id);
    if (!ordering_parse_date(req->signed_on, NULL))
        sk_call_violation_code(call, "signedOn", "date.invalid", "a date YYYY-MM-DD");
    if (!sk_file_size_ok(req->content.len, MAX_FILE_BYTES))
        sk_call_violation_code(call, "content", "file.size", "a file is required, at most 10 MiB");
    else if (sk_file_kind_sniff(req->content.data, req->content.len) != SK_FILE_PDF)
        sk_call_violation_code(call, "content", "file.pdf_required",
                               "the agreement must be a PDF by its content");
    if (call->n_violations)
        return SK_EINVAL;
    PGresult *res;
    SK_TRY(agreement_for(call, req->agreement_id, true, &res));
    int state = atoi(PQgetvalue(res, 0, AG_STATE));
    char company[SK_UUID_STRLEN];
    snprintf(company, sizeof(company), "%s", PQgetvalue(res, 0, AG_COMPANY_ID));
    int year = atoi(PQgetvalue(res, 0, AG_YEAR));
    PQclear(res);
    if (state != SEKLIK__ORDERING__AGREEMENT_STATE__AGREEMENT_STATE_DRAFT)
        return sk_call_fail(call, SK_EPRECOND, "agreement.not_draft: only a draft can be signed");
    bool tiered = false;
    SK_TRY(ordering_store_company_tiered(call->db, company, year, &tiered));
    if (!tiered)
        return refuse(call, "agreementId", "company.no_tiered_outlet",
                      "the company no longer has a tiered outlet");
    char hex[65];
    sha256_hex(req->content.data, req->content.len, hex);
    SK_TRY(ordering_store_agreement_sign(call->db, req->agreement_id, req->signed_on,
                                         req->content.data, req->content.len, hex,
                                         req->file_name));
    return agreement_done(call, req->agreement_id, "signed", "{\"state\":1}",
                          (Seklik__Ordering__Agreement *)out);
}

/* Ordering.CancelAgreement (partnership): only without live orders. */
static int cancel_agreement(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Ordering__AgreementRequest *req = (const Seklik__Ordering__AgreementRequest *)in;
    if (!staff_role(call, SK_ROLE_PARTNERSHIP))
        return deny(call, "agreement");
    check_uuid(call, "agreementId", req->agreement_id);
    if (blank(req->reason))
        sk_call_violation_code(call, "reason", "required", "a reason is required");
    if (call->n_violations)
        return SK_EINVAL;
    PGresult *res;
    SK_TRY(agreement_for(call, req->agreement_id, true, &res));
    int state = atoi(PQgetvalue(res, 0, AG_STATE));
    PQclear(res);
    int live = 0;
    SK_TRY(ordering_store_agreement_live_orders(call->db, req->agreement_id, &live));
    if (live > 0)
        return sk_call_fail(call, SK_EPRECOND,
                            "agreement.has_orders: the agreement still has live orders");
    int rc = ordering_store_agreement_cancel(call->db, req->agreement_id, req->reason);
    if (rc == SK_ENOTFOUND)
        return wrong_state(call, "cancel", state);
    SK_TRY(rc);
    char before[32];
    snprintf(before, sizeof(before), "{\"state\":%d}", state);
    return agreement_done(call, req->agreement_id, "cancelled", before,
                          (Seklik__Ordering__Agreement *)out);
}

/* Ordering.GetAgreement (staff, or the agreement's partner) */
static int get_agreement(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Ordering__AgreementRequest *req = (const Seklik__Ordering__AgreementRequest *)in;
    if (!is_staff(call) && !is_partner(call))
        return deny(call, "agreement");
    PGresult *res;
    SK_TRY(agreement_for(call, req->agreement_id, false, &res));
    int rc = agreement_reply(call, res, 0, (Seklik__Ordering__Agreement *)out);
    PQclear(res);
    return rc;
}

/* Ordering.GetAgreementDocument (staff, or the agreement's partner) */
static int get_agreement_document(sk_call *call, const ProtobufCMessage *in,
                                  ProtobufCMessage *out)
{
    const Seklik__Ordering__AgreementRequest *req = (const Seklik__Ordering__AgreementRequest *)in;
    Seklik__Ordering__AgreementDocument *doc = (Seklik__Ordering__AgreementDocument *)out;
    if (!is_staff(call) && !is_partner(call))
        return deny(call, "agreement");
    PGresult *res;
    SK_TRY(agreement_for(call, req->agreement_id, false, &res));
    PQclear(res);
    int rc = ordering_store_agreement_document(call->db, req->agreement_id, &res);
    if (rc == SK_ENOTFOUND)
        return not_found(call, "document.not_found: no such agreement document");
    SK_TRY(rc);
    uint8_t *data = NULL;
    size_t len = 0;
    rc = sk_db_get_bytea(res, 0, 2, &data, &len);
    if (rc == SK_OK) {
        doc->agreement_id = sk_call_strdup(call, req->agreement_id);
        doc->file_name = sk_call_strdup(call, PQgetvalue(res, 0, 0));
        doc->sha256 = sk_call_strdup(call, PQgetvalue(res, 0, 1));
        doc->content_type = "application/pdf";
        doc->content.data = sk_call_alloc(call, len + 1);
        if (doc->content.data) {
            memcpy(doc->content.data, data, len);
            doc->content.len = len;
        } else {
            rc = SK_ENOMEM;
        }
    }
    free(data);
    PQclear(res);
    return rc;
}

static int page_size(uint32_t asked)
{
    return asked == 0 ? PAGE_SIZE_DEFAULT : asked > PAGE_SIZE_MAX ? PAGE_SIZE_MAX : (int)asked;
}

/* The company a list is about: a partner's own, always. */
static int list_company(sk_call *call, const char *asked, const char **company)
{
    *company = asked ? asked : "";
    if (is_staff(call))
        return SK_OK;
    if (!is_partner(call))
        return deny(call, "list");
    if (**company && strcmp(*company, call->actor->company_id) != 0)
        return deny(call, "another company");
    *company = call->actor->company_id;
    return SK_OK;
}

/* Ordering.ListAgreements (staff; a partner its own) */
static int list_agreements(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Ordering__ListAgreementsRequest *req =
        (const Seklik__Ordering__ListAgreementsRequest *)in;
    Seklik__Ordering__ListAgreementsResponse *resp =
        (Seklik__Ordering__ListAgreementsResponse *)out;
    const char *company;
    SK_TRY(list_company(call, req->company_id, &company));
    if (req->fiscal_year != 0)
        check_year(call, "fiscalYear", req->fiscal_year);
    const char *after = req->page_token ? req->page_token : "";
    if (*after)
        check_uuid(call, "pageToken", after);
    if (call->n_violations)
        return SK_EINVAL;
    int size = page_size(req->page_size);
    PGresult *res;
    SK_TRY(ordering_store_agreements(call->db, req->fiscal_year, company, after, size + 1, &res));
    int n = PQntuples(res), shown = n > size ? size : n, rc = SK_OK;
    resp->agreements = sk_call_alloc(call, sizeof(*resp->agreements) * (size_t)(shown + 1));
    for (int i = 0; i < shown && rc == SK_OK; i++) {
        Seklik__Ordering__Agreement *a = sk_call_alloc(call, sizeof(*a));
        if (!a || !resp->agreements) {
            rc = SK_ENOMEM;
            break;
        }
        seklik__ordering__agreement__init(a);
        rc = agreement_reply(call, res, i, a);
        resp->agreements[resp->n_agreements++] = a;
    }
    if (rc == SK_OK && n > size)
        resp->next_page_token = sk_call_strdup(call, PQgetvalue(res, shown - 1, AG_ID));
    PQclear(res);
    return rc;
}

/* Ordering.ListProducts (staff; a partner its own outlets) */
static int list_products(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Ordering__ListProductsRequest *req =
        (const Seklik__Ordering__ListProductsRequest *)in;
    Seklik__Ordering__ListProductsResponse *resp = (Seklik__Ordering__ListProductsResponse *)out;
    if (!is_staff(call) && !is_partner(call))
        return deny(call, "products");
    check_year(call, "fiscalYear", req->fiscal_year);
    bool by_outlet = !blank(req->outlet_id), by_company = !blank(req->company_id);
    if (by_outlet)
        check_uuid(call, "outletId", req->outlet_id);
    if (by_company)
        check_uuid(call, "companyId", req->company_id);
    if (!by_outlet && !by_company)
        sk_call_violation_code(call, "companyId", "order.company_or_outlet",
                               "a company or an outlet is required");
    if (call->n_violations)
        return SK_EINVAL;
    const char *company = by_company ? req->company_id : "";
    if (!is_staff(call)) {
        if (by_company && strcmp(company, call->actor->company_id) != 0)
            return deny(call, "another company");
        company = call->actor->company_id; /* an outlet of another company lists nothing */
    }
    PGresult *res;
    SK_TRY(ordering_store_products(call->db, req->fiscal_year, company,
                                   by_outlet ? req->outlet_id : "", &res));
    int n = PQntuples(res);
    resp->products = sk_call_alloc(call, sizeof(*resp->products) * (size_t)(n + 1));
    if (!resp->products) {
        PQclear(res);
        return SK_ENOMEM;
    }
    for (int i = 0; i < n; i++) {
        Seklik__Ordering__OutletProduct *p = sk_call_alloc(call, sizeof(*p));
        if (!p)
            break;
        seklik__ordering__outlet_product__init(p);
        p->outlet_id = sk_call_strdup(call, PQgetvalue(res, i, PR_OUTLET_ID));
        p->outlet_name = sk_call_strdup(call, PQgetvalue(res, i, PR_OUTLET_NAME));
        p->company_id = sk_call_strdup(call, PQgetvalue(res, i, PR_COMPANY_ID));
        p->outlet_type = (Seklik__Registry__OutletType)atoi(PQgetvalue(res, i, PR_OUTLET_TYPE));
        p->tier = (Seklik__Scoring__Tier)atoi(PQgetvalue(res, i, PR_TIER));
        p->product = (Seklik__Scoring__Product)atoi(PQgetvalue(res, i, PR_PRODUCT));
        p->ceiling = sk_db_get_int64(res, i, PR_CEILING);
        p->price_standard_version = atoi(PQgetvalue(res, i, PR_VERSION));
        resp->products[resp->n_products++] = p;
    }
    PQclear(res);
    return SK_OK;
}

/* ---- orders ---- */

/* Load an order (locked when `lock`) and check the actor may see it: staff
 * any, a partner its company's once offered. */
static int order_for(sk_call *call, const char *id, bool lock, PGresult **res)
{
    SK_TRY(check_uuid(call, "orderId", id));
    int rc = ordering_store_order(call->db, id, lock, res);
    if (rc == SK_ENOTFOUND)
        return not_found(call, "order.not_found: no such order");
    SK_TRY(rc);
    bool ok = is_staff(call) ||
              (is_partner(call) &&
               strcmp(PQgetvalue(*res, 0, OR_COMPANY_ID), call->actor->company_id) == 0 &&
               atoi(PQgetvalue(*res, 0, OR_STATE)) != ORDERING_DRAFT);
    if (!ok) {
        PQclear(*res);
        *res = NULL;
        return deny(call, "order of another company");
    }
    return SK_OK;
}

/* The order as it now is into `out`; announced as ordering.order.<what> and
 * audited with the state before. */
static int order_done(sk_call *call, const char *id, const char *what, int before_state,
                      int64_t before_price, Seklik__Ordering__Order *out)
{
    SK_TRY(ordering_order_load(call->db, &call->arena, id, out));
    SK_TRY(ordering_emit_order(call->db, what, out, call->actor, call->req->request_id));
    char action[64], before[128], after[256];
    snprintf(action, sizeof(action), "order.%s", what);
    snprintf(before, sizeof(before), "{\"state\":\"%s\",\"unitPrice\":%lld}",
             ordering_state_name(before_state), (long long)before_price);
    snprintf(after, sizeof(after),
             "{\"state\":\"%s\",\"unitPrice\":%lld,\"gross\":%lld,\"version\":%lld}",
             ordering_state_name((int)out->state), (long long)out->unit_price,
             (long long)out->gross, (long long)out->version);
    return audit(call, action, "order", id, before_state ? before : NULL, after);
}

/* The ceiling of the order's outlet and product now. Violations name
 * `outlet_field` and `product_field`. */
static int ceiling_now(sk_call *call, const char *outlet_id, int year, int product,
                       const char *company_id, const char *outlet_field,
                       const char *product_field, int64_t *ceiling)
{
    ordering_outlet_view v;
    ordering_ceiling_status st = ordering_mirror_ceiling(app_of(call)->mirror, outlet_id, year,
                                                         product, ceiling, &v, NULL);
    switch (st) {
    case ORDERING_CEILING_NO_OUTLET:
        return refuse(call, outlet_field, "outlet.no_tier", "the outlet has no tier this year");
    case ORDERING_CEILING_NO_TIER:
        return refuse(call, outlet_field, "outlet.below_tier_c", "tier below C: no paid orders");
    case ORDERING_CEILING_SUSPENDED:
        return refuse(call, outlet_field, "company.suspended", "company suspended");
    case ORDERING_CEILING_NO_PRICE:
        return refuse(call, product_field, "price.no_ceiling",
                      "no ceiling for this product at this outlet's type and tier");
    case ORDERING_CEILING_OK:
        break;
    }
    if (company_id && strcmp(v.company_id, company_id) != 0)
        return refuse(call, outlet_field, "outlet.other_company",
                      "the outlet belongs to another company");
    return SK_OK;
}

/* unit_price x quantity within the ceiling; a violation naming `field`
 * (the request's own path to the price) otherwise. */
static int check_price(sk_call *call, const char *field, int64_t unit_price, int quantity,
                       int64_t ceiling, int64_t *gross)
{
    char msg[200];
    if (unit_price <= 0)
        return sk_call_violation_code(call, field, "amount.not_positive",
                                      "the price must be above 0");
    if (unit_price > ceiling) {
        snprintf(msg, sizeof(msg), "price above the ceiling of Rp %lld per unit",
                 (long long)ceiling);
        return sk_call_violation_code(call, field, "price.above_ceiling", msg);
    }
    if (!ordering_gross(unit_price, quantity, gross))
        return sk_call_violation_code(call, field, "amount.too_large", "amount too large");
    return SK_OK;
}

/* Ordering.CreateOrder (partnership): a draft, or offered at once. */
static int create_order(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Ordering__CreateOrderRequest *req =
        (const Seklik__Ordering__CreateOrderRequest *)in;
    if (!staff_role(call, SK_ROLE_PARTNERSHIP))
        return deny(call, "order");
    const Seklik__Ordering__OrderInput *o = req->order;
    if (!o)
        return sk_call_violation_code(call, "order", "required", "required");
    check_uuid(call, "order.agreementId", o->agreement_id);
    check_uuid(call, "order.outletId", o->outlet_id);
    if (o->product < 1 || o->product > ORDERING_PRODUCT_COUNT)
        sk_call_violation_code(call, "order.product", "unknown_value", "unknown product");
    if (o->quantity < 1 || o->quantity > ORDERING_MAX_QUANTITY)
        sk_call_violation_code(call, "order.quantity", "out_of_range",
                               "must be between 1 and 10000");
    int32_t from = 0, to = 0;
    bool from_ok = ordering_parse_date(o->schedule_from, &from);
    bool to_ok = ordering_parse_date(o->schedule_to, &to);
    if (!from_ok)
        sk_call_violation_code(call, "order.scheduleFrom", "date.invalid", "a date YYYY-MM-DD");
    if (!to_ok)
        sk_call_violation_code(call, "order.scheduleTo", "date.invalid", "a date YYYY-MM-DD");
    if (from_ok && to_ok && to < from)
        sk_call_violation_code(call, "order.scheduleTo", "date.before_start",
                               "must not be before scheduleFrom");
    if (blank(o->title))
        sk_call_violation_code(call, "order.title", "required", "a title is required");
    if (blank(o->brief) && blank(o->press_release_id))
        sk_call_violation_code(call, "order.brief", "order.brief_required",
                               "a brief or a press release is required");
    if (req->unit_price <= 0)
        sk_call_violation_code(call, "unitPrice", "amount.not_positive",
                               "the price must be above 0");
    if (call->n_violations)
        return SK_EINVAL;

    PGresult *ag;
    /* Not locked: orders of one agreement are made side by side, and issuing
     * checks the agreement again under its lock. */
    int rc = ordering_store_agreement(call->db, o->agreement_id, false, &ag);
    if (rc == SK_ENOTFOUND)
        return sk_call_violation_code(call, "order.agreementId", "agreement.not_found",
                                      "agreement not found");
    SK_TRY(rc);
    int ag_state = atoi(PQgetvalue(ag, 0, AG_STATE)), year = atoi(PQgetvalue(ag, 0, AG_YEAR));
    char company[SK_UUID_STRLEN];
    snprintf(company, sizeof(company), "%s", PQgetvalue(ag, 0, AG_COMPANY_ID));
    int32_t ag_from = 0, ag_until = 0;
    ordering_parse_date(PQgetvalue(ag, 0, AG_VALID_FROM), &ag_from);
    ordering_parse_date(PQgetvalue(ag, 0, AG_VALID_UNTIL), &ag_until);
    ordering_quota q[MAX_QUOTAS];
    size_t nq = ordering_store_parse_quotas(PQgetvalue(ag, 0, AG_QUOTAS), q, MAX_QUOTAS);
    PQclear(ag);
    if (ag_state != SEKLIK__ORDERING__AGREEMENT_STATE__AGREEMENT_STATE_DRAFT &&
        ag_state != SEKLIK__ORDERING__AGREEMENT_STATE__AGREEMENT_STATE_ACTIVE)
        return refuse(call, "order.agreementId", "agreement.not_in_force",
                      "the agreement is not in force");
    ordering_settings s;
    SK_TRY(ordering_store_settings(call->db, year, false, &s));
    if (s.closed)
        return refuse(call, "order.agreementId", "year.closed", "the year is closed");
    if (from < ag_from || from > ag_until)
        sk_call_violation_code(call, "order.scheduleFrom", "order.outside_agreement",
                               "outside the agreement's validity");
    if (to < ag_from || to > ag_until)
        sk_call_violation_code(call, "order.scheduleTo", "order.outside_agreement",
                               "outside the agreement's validity");
    bool quota = false;
    for (size_t i = 0; i < nq; i++)
        quota = quota || q[i].product == (int)o->product;
    if (!quota)
        sk_call_violation_code(call, "order.product", "order.no_quota",
                               "the agreement has no quota for this product");
    if (call->n_violations)
        return SK_EINVAL;
    int64_t ceiling = 0, gross = 0;
    SK_TRY(ceiling_now(call, o->outlet_id, year, o->product, company, "order.outletId",
                       "order.product", &ceiling));
    SK_TRY(check_price(call, "unitPrice", req->unit_price, o->quantity, ceiling, &gross));

    char id[SK_UUID_STRLEN];
    sk_uuid7(id);
    int state = req->offer_now ? ORDERING_OFFERED : ORDERING_DRAFT;
    ordering_order_row row = {.id = id,
                              .agreement_id = o->agreement_id,
                              .company_id = company,
                              .outlet_id = o->outlet_id,
                              .schedule_from = o->schedule_from,
                              .schedule_to = o->schedule_to,
                              .title = o->title,
                              .brief = o->brief,
                              .press_release_id = o->press_release_id,
                              .budget_line_id = o->budget_line_id,
                              .fiscal_year = year,
                              .product = o->product,
                              .quantity = o->quantity,
                              .state = state,
                              .ceiling = ceiling,
                              .unit_price = req->unit_price,
                              .gross = gross};
    SK_TRY(ordering_store_order_insert(call->db, &row, actor_id(call)));
    if (req->offer_now)
        SK_TRY(ordering_store_offer_add(call->db, id, ORDERING_OFFICE, req->unit_price, gross,
                                        req->note, actor_id(call), NULL));
    return order_done(call, id, req->offer_now ? "offered" : "created", 0, 0,
                      (Seklik__Ordering__Order *)out);
}

/* Ordering.OfferOrder (partnership): a draft goes to the partner. */
static int offer_order(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Ordering__OrderRequest *req = (const Seklik__Ordering__OrderRequest *)in;
    if (!staff_role(call, SK_ROLE_PARTNERSHIP))
        return deny(call, "order");
    PGresult *res;
    SK_TRY(order_for(call, req->order_id, true, &res));
    int state = atoi(PQgetvalue(res, 0, OR_STATE)), year = atoi(PQgetvalue(res, 0, OR_YEAR));
    int product = atoi(PQgetvalue(res, 0, OR_PRODUCT)), qty = atoi(PQgetvalue(res, 0, OR_QUANTITY));
    int64_t version = sk_db_get_int64(res, 0, OR_VERSION);
    int64_t price = sk_db_get_int64(res, 0, OR_UNIT_PRICE);
    char outlet[SK_UUID_STRLEN];
    snprintf(outlet, sizeof(outlet), "%s", PQgetvalue(res, 0, OR_OUTLET_ID));
    PQclear(res);
    SK_TRY(check_version(call, req->expected_version, version));
    if (state != ORDERING_DRAFT)
        return wrong_state(call, "offer", state);
    int64_t ceiling = 0, gross = 0;
    SK_TRY(ceiling_now(call, outlet, year, product, NULL, "outletId", "product", &ceiling));
    SK_TRY(check_price(call, "unitPrice", price, qty, ceiling, &gross));
    SK_TRY(ordering_store_order_set_state(call->db, req->order_id, ORDERING_OFFERED, ceiling,
                                          price, gross, false));
    SK_TRY(ordering_store_offer_add(call->db, req->order_id, ORDERING_OFFICE, price, gross, "",
                                    actor_id(call), NULL));
    return order_done(call, req->order_id, "offered", state, price,
                      (Seklik__Ordering__Order *)out);
}

/* Ordering.CounterOffer (the partner, or the office): a new price <= ceiling. */
static int counter_offer(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Ordering__OfferRequest *req = (const Seklik__Ordering__OfferRequest *)in;
    int party = party_of(call);
    if (!party)
        return deny(call, "offer");
    PGresult *res;
    SK_TRY(order_for(call, req->order_id, true, &res));
    int state = atoi(PQgetvalue(res, 0, OR_STATE)), year = atoi(PQgetvalue(res, 0, OR_YEAR));
    int product = atoi(PQgetvalue(res, 0, OR_PRODUCT)), qty = atoi(PQgetvalue(res, 0, OR_QUANTITY));
    int64_t version = sk_db_get_int64(res, 0, OR_VERSION);
    int64_t before_price = sk_db_get_int64(res, 0, OR_UNIT_PRICE);
    char outlet[SK_UUID_STRLEN];
    snprintf(outlet, sizeof(outlet), "%s", PQgetvalue(res, 0, OR_OUTLET_ID));
    PQclear(res);
    SK_TRY(check_version(call, req->expected_version, version));
    if (!ordering_may_answer(state, (ordering_party)party))
        return wrong_state(call, "counter", state);
    int64_t ceiling = 0, gross = 0;
    SK_TRY(ceiling_now(call, outlet, year, product, NULL, "outletId", "product", &ceiling));
    SK_TRY(check_price(call, "unitPrice", req->unit_price, qty, ceiling, &gross));
    int next = party == ORDERING_PARTNER ? ORDERING_COUNTERED : ORDERING_OFFERED;
    SK_TRY(ordering_store_order_set_state(call->db, req->order_id, next, ceiling, req->unit_price,
                                          gross, false));
    SK_TRY(ordering_store_offer_add(call->db, req->order_id, party, req->unit_price, gross,
                                    req->note, actor_id(call), NULL));
    return order_done(call, req->order_id, "countered", state, before_price,
                      (Seklik__Ordering__Order *)out);
}

/* Ordering.AcceptOffer: the party that did not make the last offer. */
static int accept_offer(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Ordering__OrderRequest *req = (const Seklik__Ordering__OrderRequest *)in;
    int party = party_of(call);
    if (!party)
        return deny(call, "offer");
    PGresult *res;
    SK_TRY(order_for(call, req->order_id, true, &res));
    int state = atoi(PQgetvalue(res, 0, OR_STATE)), year = atoi(PQgetvalue(res, 0, OR_YEAR));
    int product = atoi(PQgetvalue(res, 0, OR_PRODUCT));
    int64_t version = sk_db_get_int64(res, 0, OR_VERSION);
    int64_t price = sk_db_get_int64(res, 0, OR_UNIT_PRICE);
    int64_t gross = sk_db_get_int64(res, 0, OR_GROSS);
    char outlet[SK_UUID_STRLEN];
    snprintf(outlet, sizeof(outlet), "%s", PQgetvalue(res, 0, OR_OUTLET_ID));
    PQclear(res);
    SK_TRY(check_version(call, req->expected_version, version));
    if (!ordering_may_answer(state, (ordering_party)party))
        return wrong_state(call, "accept", state);
    int64_t ceiling = 0;
    SK_TRY(ceiling_now(call, outlet, year, product, NULL, "outletId", "product", &ceiling));
    if (price > ceiling)
        return refuse(call, "unitPrice", "price.ceiling_fell",
                      "the ceiling fell below this price: counter again");
    ordering_settings s;
    SK_TRY(ordering_store_settings(call->db, year, false, &s));
    int next = ordering_state_after_accept(gross, s.approval_threshold);
    SK_TRY(ordering_store_order_set_state(call->db, req->order_id, next, ceiling, price, gross,
                                          next == ORDERING_AWAITING_APPROVAL));
    return order_done(call, req->order_id, "accepted", state, price,
                      (Seklik__Ordering__Order *)out);
}

/* Ordering.RejectOffer (the partner): it declines the order. */
static int reject_offer(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Ordering__OrderRequest *req = (const Seklik__Ordering__OrderRequest *)in;
    if (!is_partner(call))
        return deny(call, "offer");
    PGresult *res;
    SK_TRY(order_for(call, req->order_id, true, &res));
    int state = atoi(PQgetvalue(res, 0, OR_STATE));
    int64_t version = sk_db_get_int64(res, 0, OR_VERSION);
    int64_t price = sk_db_get_int64(res, 0, OR_UNIT_PRICE);
    PQclear(res);
    SK_TRY(check_version(call, req->expected_version, version));
    if (!ordering_negotiating(state))
        return wrong_state(call, "reject", state);
    SK_TRY(ordering_store_order_move(call->db, req->order_id, ORDERING_REJECTED,
                                     blank(req->reason) ? NULL : req->reason));
    return order_done(call, req->order_id, "rejected", state, price,
                      (Seklik__Ordering__Order *)out);
}

/* Ordering.ApproveOrder (head, never the order's creator) */
static int approve_order(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Ordering__OrderRequest *req = (const Seklik__Ordering__OrderRequest *)in;
    if (!staff_role(call, SK_ROLE_HEAD))
        return deny(call, "approval");
    PGresult *res;
    SK_TRY(order_for(call, req->order_id, true, &res));
    int state = atoi(PQgetvalue(res, 0, OR_STATE));
    int64_t version = sk_db_get_int64(res, 0, OR_VERSION);
    int64_t price = sk_db_get_int64(res, 0, OR_UNIT_PRICE);
    bool own = strcmp(PQgetvalue(res, 0, OR_CREATED_BY), actor_id(call)) == 0;
    PQclear(res);
    if (own)
        return deny(call, "approving an order one created (four eyes)");
    SK_TRY(check_version(call, req->expected_version, version));
    if (state != ORDERING_AWAITING_APPROVAL)
        return wrong_state(call, "approve", state);
    SK_TRY(ordering_store_order_approve(call->db, req->order_id, actor_id(call)));
    return order_done(call, req->order_id, "approved", state, price,
                      (Seklik__Ordering__Order *)out);
}

/* IssueOrder step 1, in a transaction of its own: hold the agreement's
 * quota and value and move the order to ISSUING. *issuing says whether the
 * order is (now or already) ISSUING; an order already issued leaves it
 * false with SK_OK. */
static int issue_begin(sk_call *call, const Seklik__Ordering__OrderRequest *req, bool *issuing)
{
    *issuing = false;
    PGresult *res = NULL, *ag = NULL;
    SK_TRY(sk_db_begin(call->db));
    int rc = order_for(call, req->order_id, true, &res);
    if (rc != SK_OK)
        goto out;
    int state = atoi(PQgetvalue(res, 0, OR_STATE)), year = atoi(PQgetvalue(res, 0, OR_YEAR));
    int product = atoi(PQgetvalue(res, 0, OR_PRODUCT)), qty = atoi(PQgetvalue(res, 0, OR_QUANTITY));
    int64_t gross = sk_db_get_int64(res, 0, OR_GROSS);
    bool needs_approval = PQgetvalue(res, 0, OR_NEEDS_APPROVAL)[0] == 't';
    const char *agreement = PQgetvalue(res, 0, OR_AGREEMENT_ID);
    if (state == ORDERING_ISSUING || ordering_issued(state)) { /* a retry: finish or answer */
        *issuing = state == ORDERING_ISSUING;
        goto out;
    }
    if ((rc = check_version(call, req->expected_version, sk_db_get_int64(res, 0, OR_VERSION))))
        goto out;
    if (!ordering_issuable(state, needs_approval)) {
        rc = state == ORDERING_ACCEPTED
                 ? sk_call_fail(call, SK_EPRECOND,
                                "order.needs_approval: the order needs the head's approval")
                 : wrong_state(call, "issue", state);
        goto out;
    }
    ordering_settings s;
    if ((rc = ordering_store_settings(call->db, year, false, &s)))
        goto out;
    if (s.closed) {
        rc = refuse(call, "fiscalYear", "year.closed", "the year is closed");
        goto out;
    }
    if ((rc = ordering_store_agreement(call->db, agreement, true, &ag)))
        goto out;
    if (atoi(PQgetvalue(ag, 0, AG_STATE)) != SEKLIK__ORDERING__AGREEMENT_STATE__AGREEMENT_STATE_ACTIVE) {
        rc = refuse(call, "agreement", "agreement.not_in_force",
                    "the agreement is not signed or not in force");
        goto out;
    }
    int64_t ceiling = 0;
    if ((rc = ceiling_now(call, PQgetvalue(res, 0, OR_OUTLET_ID), year, product, NULL, "outletId",
                          "product", &ceiling)))
        goto out;
    const char *line = PQgetvalue(res, 0, OR_BUDGET_LINE);
    if (!*line)
        line = PQgetvalue(ag, 0, AG_BUDGET_LINE);
    if (!*line)
        line = s.default_budget_line_id;
    if (!*line) {
        rc = refuse(call, "budgetLine", "budget.no_line", "no budget line for this order");
        goto out;
    }
    bool fits = false;
    if ((rc = ordering_store_hold_quota(call->db, agreement, product, qty, &fits)))
        goto out;
    if (!fits) {
        rc = refuse(call, "agreement.quota", "agreement.quota_used_up",
                    "the agreement's quota for this product is used up");
        goto out;
    }
    if ((rc = ordering_store_hold_value(call->db, agreement, gross, &fits)))
        goto out;
    if (!fits) {
        rc = refuse(call, "agreement.value", "agreement.value_used_up",
                    "the agreement's value is used up");
        goto out;
    }
    if ((rc = ordering_store_order_issuing(call->db, req->order_id, line, state, actor_id(call))))
        goto out;
    char before[64], after[160];
    snprintf(before, sizeof(before), "{\"state\":\"%s\"}", ordering_state_name(state));
    snprintf(after, sizeof(after), "{\"state\":\"issuing\",\"budgetLine\":\"%s\",\"gross\":%lld}",
             line, (long long)gross);
    if ((rc = audit(call, "order.issuing", "order", req->order_id, before, after)))
        goto out;
    rc = sk_db_commit(call->db);
    *issuing = rc == SK_OK;
out:
    if (call->db->in_tx)
        sk_db_rollback(call->db);
    if (res)
        PQclear(res);
    if (ag)
        PQclear(ag);
    return rc;
}

/* Ordering.IssueOrder (partnership): the saga of ADR 0014. */
static int issue_order(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Ordering__OrderRequest *req = (const Seklik__Ordering__OrderRequest *)in;
    if (!staff_role(call, SK_ROLE_PARTNERSHIP))
        return deny(call, "issuing");
    SK_TRY(check_uuid(call, "orderId", req->order_id));
    bool got = false, issuing = false;
    SK_TRY(ordering_store_saga_lock(call->db, req->order_id, true, &got));
    int rc = issue_begin(call, req, &issuing);
    ordering_saga_outcome outcome = ORDERING_SAGA_NOT_ISSUING;
    char why[256] = "";
    Seklik__Ordering__Order *o = (Seklik__Ordering__Order *)out;
    if (rc == SK_OK && issuing)
        rc = ordering_issue_finish(call->db, app_of(call), req->order_id, call->req->request_id,
                                   &outcome, why, sizeof(why), &call->arena, o);
    ordering_store_saga_unlock(call->db, req->order_id);
    SK_TRY(rc);
    if (outcome == ORDERING_SAGA_PENDING)
        return sk_call_fail(call, SK_EUNAVAIL,
                            "order.issuing: accounting unreachable; the order is being issued and "
                            "will be finished");
    if (outcome == ORDERING_SAGA_REFUSED) {
        char msg[320];
        snprintf(msg, sizeof(msg), "budget line refused: %s", why);
        return refuse(call, "budgetLine", "budget.refused", msg);
    }
    if (outcome != ORDERING_SAGA_ISSUED) /* answered by another run: as it is now */
        SK_TRY(ordering_order_load(call->db, &call->arena, req->order_id, o));
    if (!ordering_issued((int)o->state))
        return wrong_state(call, "issue", (int)o->state);
    return SK_OK;
}

/* Ordering.CancelOrder (partnership; the head once issued): a saga too, as
 * an issued order's reservation is voided in accounting after the commit. */
static int cancel_order(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Ordering__OrderRequest *req = (const Seklik__Ordering__OrderRequest *)in;
    if (!staff_any(call, CANCEL_ROLES))
        return deny(call, "cancelling");
    check_uuid(call, "orderId", req->order_id);
    if (blank(req->reason))
        sk_call_violation_code(call, "reason", "required", "a reason is required");
    if (call->n_violations)
        return SK_EINVAL;
    PGresult *res = NULL;
    bool issued = false;
    SK_TRY(sk_db_begin(call->db));
    int rc = order_for(call, req->order_id, true, &res);
    if (rc != SK_OK)
        goto out;
    int state = atoi(PQgetvalue(res, 0, OR_STATE));
    int64_t price = sk_db_get_int64(res, 0, OR_UNIT_PRICE);
    if (state == ORDERING_CANCELLED) { /* a retry after the commit */
        sk_db_rollback(call->db);
        PQclear(res);
        return ordering_order_load(call->db, &call->arena, req->order_id,
                                   (Seklik__Ordering__Order *)out);
    }
    if ((rc = check_version(call, req->expected_version, sk_db_get_int64(res, 0, OR_VERSION))))
        goto out;
    if (!ordering_cancellable(state)) {
        rc = wrong_state(call, "cancel", state);
        goto out;
    }
    issued = ordering_issued(state);
    if (ordering_cancel_needs_head(state) && !staff_role(call, SK_ROLE_HEAD)) {
        rc = deny(call, "cancelling an issued order (the head does)");
        goto out;
    }
    if (issued) {
        bool fits = false;
        const char *agreement = PQgetvalue(res, 0, OR_AGREEMENT_ID);
        PGresult *ag = NULL;
        rc = ordering_store_agreement(call->db, agreement, true, &ag); /* before its quota */
        if (ag)
            PQclear(ag);
        if (rc == SK_OK)
            rc = ordering_store_hold_quota(call->db, agreement,
                                           atoi(PQgetvalue(res, 0, OR_PRODUCT)),
                                           -atoi(PQgetvalue(res, 0, OR_QUANTITY)), &fits);
        if (rc == SK_OK && fits)
            rc = ordering_store_hold_value(call->db, agreement,
                                           -sk_db_get_int64(res, 0, OR_GROSS), &fits);
        if (rc == SK_OK && !fits)
            rc = SK_EINTERNAL;
        if (rc)
            goto out;
    }
    if ((rc = ordering_store_order_cancel(call->db, req->order_id, req->reason, actor_id(call),
                                          issued)))
        goto out;
    if ((rc = order_done(call, req->order_id, "cancelled", state, price,
                         (Seklik__Ordering__Order *)out)))
        goto out;
    rc = sk_db_commit(call->db);
out:
    if (call->db->in_tx)
        sk_db_rollback(call->db);
    if (res)
        PQclear(res);
    /* The reservation is voided now, or by the re-drive job if accounting
     * cannot be reached: the cancellation stands either way. */
    if (rc == SK_OK && issued &&
        ordering_release_finish(call->db, app_of(call), req->order_id, req->reason) != SK_OK)
        sk_log_warn("order %s cancelled; its reservation is released later", req->order_id);
    return rc;
}

/* Ordering.GetOrder (staff; the partner its own, once offered) */
static int get_order(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Ordering__OrderRequest *req = (const Seklik__Ordering__OrderRequest *)in;
    if (!is_staff(call) && !is_partner(call))
        return deny(call, "order");
    PGresult *res;
    SK_TRY(order_for(call, req->order_id, false, &res));
    PQclear(res);
    return ordering_order_load(call->db, &call->arena, req->order_id,
                               (Seklik__Ordering__Order *)out);
}

/* Ordering.ListOrders (staff; a partner its own, drafts hidden) */
static int list_orders(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Ordering__ListOrdersRequest *req =
        (const Seklik__Ordering__ListOrdersRequest *)in;
    Seklik__Ordering__ListOrdersResponse *resp = (Seklik__Ordering__ListOrdersResponse *)out;
    const char *company;
    SK_TRY(list_company(call, req->company_id, &company));
    if (req->fiscal_year != 0)
        check_year(call, "fiscalYear", req->fiscal_year);
    if ((int)req->state < 0 || (int)req->state > ORDERING_CANCELLED)
        sk_call_violation_code(call, "state", "unknown_value", "unknown state");
    if (!blank(req->outlet_id))
        check_uuid(call, "outletId", req->outlet_id);
    char month_from[32] = "", month_to[32] = "";
    if (!blank(req->month)) {
        int32_t d;
        snprintf(month_from, sizeof(month_from), "%.7s-01", req->month);
        if (strlen(req->month) != 7 || !ordering_parse_date(month_from, &d)) {
            sk_call_violation_code(call, "month", "month.invalid", "a month YYYY-MM");
        } else {
            /* The month's last day: the day before the next month's first. */
            int y = atoi(req->month), m = atoi(req->month + 5);
            char next[40];
            snprintf(next, sizeof(next), "%04d-%02d-01", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1);
            int32_t n1 = 0;
            ordering_parse_date(next, &n1);
            time_t t = (time_t)(n1 - 1) * 86400;
            struct tm tm;
            gmtime_r(&t, &tm);
            strftime(month_to, sizeof(month_to), "%Y-%m-%d", &tm);
        }
    }
    const char *after = req->page_token ? req->page_token : "";
    if (*after)
        check_uuid(call, "pageToken", after);
    if (call->n_violations)
        return SK_EINVAL;
    int size = page_size(req->page_size);
    ordering_order_filter f = {.year = req->fiscal_year,
                               .state = req->state,
                               .outlet_id = req->outlet_id,
                               .company_id = company,
                               .month_from = month_from,
                               .month_to = month_to,
                               .hide_drafts = !is_staff(call),
                               .after = after,
                               .limit = size + 1};
    PGresult *res;
    SK_TRY(ordering_store_orders(call->db, &f, &res));
    int n = PQntuples(res), shown = n > size ? size : n, rc = SK_OK;
    resp->orders = sk_call_alloc(call, sizeof(*resp->orders) * (size_t)(shown + 1));
    for (int i = 0; i < shown && rc == SK_OK; i++) {
        Seklik__Ordering__Order *o = sk_call_alloc(call, sizeof(*o));
        if (!o || !resp->orders) {
            rc = SK_ENOMEM;
            break;
        }
        seklik__ordering__order__init(o);
        rc = ordering_order_from_row(&call->arena, res, i, o);
        resp->orders[resp->n_orders++] = o;
    }
    if (rc == SK_OK && n > size)
        resp->next_page_token = sk_call_strdup(call, PQgetvalue(res, shown - 1, OR_ID));
    PQclear(res);
    return rc;
}

/* ---- proofs ---- */

/* Ordering.SubmitProof (the partner; staff on its behalf) */
static int submit_proof(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Ordering__ProofInput *req = (const Seklik__Ordering__ProofInput *)in;
    if (!is_partner(call) && !staff_role(call, SK_ROLE_PARTNERSHIP))
        return deny(call, "proof");
    check_uuid(call, "orderId", req->order_id);
    bool file = req->kind == SEKLIK__ORDERING__PROOF_KIND__PROOF_KIND_SCREENSHOT ||
                req->kind == SEKLIK__ORDERING__PROOF_KIND__PROOF_KIND_SCAN ||
                req->kind == SEKLIK__ORDERING__PROOF_KIND__PROOF_KIND_BROADCAST_LOG;
    if (req->kind < SEKLIK__ORDERING__PROOF_KIND__PROOF_KIND_URL ||
        req->kind > SEKLIK__ORDERING__PROOF_KIND__PROOF_KIND_BROADCAST_LOG)
        sk_call_violation_code(call, "kind", "unknown_value", "unknown proof kind");
    if (req->kind == SEKLIK__ORDERING__PROOF_KIND__PROOF_KIND_URL &&
        (!req->url || (strncmp(req->url, "https://", 8) != 0 &&
                       strncmp(req->url, "http://", 7) != 0) ||
         strlen(req->url) < 11 || strpbrk(req->url, " \t\r\n")))
        sk_call_violation_code(call, "url", "proof.url_required", "an http(s) link is required");
    sk_file_kind fk = SK_FILE_UNKNOWN;
    if (file && !sk_file_size_ok(req->content.len, MAX_FILE_BYTES))
        sk_call_violation_code(call, "content", "file.size", "a file is required, at most 10 MiB");
    else if (file && (fk = sk_file_kind_sniff(req->content.data, req->content.len)) ==
                         SK_FILE_UNKNOWN)
        sk_call_violation_code(call, "content", "file.type",
                               "the file must be a PDF, JPEG or PNG by its content");
    int64_t published = 0;
    if (!ordering_parse_time(req->published_at, &published))
        sk_call_violation_code(call, "publishedAt", "time.invalid", "publication time, RFC 3339");
    else if (published > sk_now_unix_ms() / 1000 + 300)
        sk_call_violation_code(call, "publishedAt", "proof.published_future",
                               "publication time in the future");
    if (call->n_violations)
        return SK_EINVAL;
    PGresult *res;
    SK_TRY(order_for(call, req->order_id, true, &res));
    int state = atoi(PQgetvalue(res, 0, OR_STATE)), year = atoi(PQgetvalue(res, 0, OR_YEAR));
    int64_t price = sk_db_get_int64(res, 0, OR_UNIT_PRICE);
    int32_t schedule_to = 0;
    ordering_parse_date(PQgetvalue(res, 0, OR_SCHEDULE_TO), &schedule_to);
    PQclear(res);
    if (!ordering_proof_expected(state))
        return wrong_state(call, "submit a proof", state);
    ordering_settings s;
    SK_TRY(ordering_store_settings(call->db, year, false, &s));
    char hex[65] = "";
    if (file)
        sha256_hex(req->content.data, req->content.len, hex);
    ordering_proof_row p = {
        .kind = req->kind,
        .url = req->url,
        .published_at = req->published_at,
        .file_name = file ? req->file_name : "",
        .content_type = file ? sk_file_kind_mime(fk) : "",
        .sha256 = hex,
        .content = file ? req->content.data : NULL,
        .len = file ? req->content.len : 0,
        .late = ordering_proof_late(ordering_wib_day(published),
                                    ordering_wib_day(sk_now_unix_ms() / 1000), schedule_to,
                                    s.proof_grace_days),
    };
    SK_TRY(ordering_store_proof_add(call->db, req->order_id, &p, actor_id(call), NULL));
    SK_TRY(ordering_store_order_move(call->db, req->order_id, ORDERING_PROOF_SUBMITTED, NULL));
    return order_done(call, req->order_id, "proof_submitted", state, price,
                      (Seklik__Ordering__Order *)out);
}

/* Ordering.DecideProof (partnership or head, never the proof's submitter) */
static int decide_proof(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Ordering__ProofDecisionRequest *req =
        (const Seklik__Ordering__ProofDecisionRequest *)in;
    if (!staff_any(call, PROOF_DECIDERS))
        return deny(call, "proof decision");
    check_uuid(call, "orderId", req->order_id);
    if (req->proof_version < 1)
        sk_call_violation_code(call, "proofVersion", "required", "proof version required");
    if (!req->accept && blank(req->reason))
        sk_call_violation_code(call, "reason", "reason.required", "a reason is required to reject");
    if (call->n_violations)
        return SK_EINVAL;
    PGresult *res;
    SK_TRY(order_for(call, req->order_id, true, &res));
    int state = atoi(PQgetvalue(res, 0, OR_STATE));
    int64_t price = sk_db_get_int64(res, 0, OR_UNIT_PRICE);
    PQclear(res);
    if (state != ORDERING_PROOF_SUBMITTED)
        return wrong_state(call, "decide a proof", state);
    int rc = ordering_store_proof_file(call->db, req->order_id, req->proof_version, &res);
    if (rc == SK_ENOTFOUND)
        return sk_call_violation_code(call, "proofVersion", "proof.not_found", "no such proof");
    SK_TRY(rc);
    bool own = strcmp(PQgetvalue(res, 0, PF_SUBMITTED_BY), actor_id(call)) == 0;
    bool pending = atoi(PQgetvalue(res, 0, PF_DECISION)) == 0;
    PQclear(res);
    if (own)
        return deny(call, "deciding a proof one submitted (four eyes)");
    if (!pending)
        return refuse(call, "proofVersion", "proof.already_decided",
                      "this proof was already decided");
    SK_TRY(ordering_store_proof_decide(call->db, req->order_id, req->proof_version, req->accept,
                                       req->accept ? "" : req->reason, actor_id(call)));
    SK_TRY(ordering_store_order_move(call->db, req->order_id,
                                     req->accept ? ORDERING_COMPLETED : ORDERING_PROOF_REJECTED,
                                     NULL));
    return order_done(call, req->order_id, "proof_decided", state, price,
                      (Seklik__Ordering__Order *)out);
}

/* Ordering.GetProofFile (staff; the partner its own) */
static int get_proof_file(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Ordering__GetProofFileRequest *req =
        (const Seklik__Ordering__GetProofFileRequest *)in;
    Seklik__Ordering__ProofFile *pf = (Seklik__Ordering__ProofFile *)out;
    if (!is_staff(call) && !is_partner(call))
        return deny(call, "proof");
    PGresult *res;
    SK_TRY(order_for(call, req->order_id, false, &res));
    PQclear(res);
    int rc = ordering_store_proof_file(call->db, req->order_id, req->proof_version, &res);
    if (rc == SK_ENOTFOUND)
        return not_found(call, "proof.not_found: no such proof");
    SK_TRY(rc);
    /* The proof's metadata as GetOrder shows it, then its bytes. */
    Seklik__Ordering__Order o = SEKLIK__ORDERING__ORDER__INIT;
    rc = ordering_order_load(call->db, &call->arena, req->order_id, &o);
    for (size_t i = 0; rc == SK_OK && i < o.n_proofs; i++)
        if (o.proofs[i]->version == req->proof_version)
            pf->proof = o.proofs[i];
    uint8_t *data = NULL;
    size_t len = 0;
    if (rc == SK_OK && !PQgetisnull(res, 0, PF_LATE + 1))
        rc = sk_db_get_bytea(res, 0, PF_LATE + 1, &data, &len);
    if (rc == SK_OK && len) {
        pf->content.data = sk_call_alloc(call, len);
        if (pf->content.data) {
            memcpy(pf->content.data, data, len);
            pf->content.len = len;
        } else {
            rc = SK_ENOMEM;
        }
    }
    free(data);
    PQclear(res);
    return rc;
}

/* ---- the year's end ---- */

/* Ordering.CloseYear (admin or head): each partner's share of placements
 * with an accepted, on-time proof; ordering.performance.recorded each. */
static int close_year(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Ordering__CloseYearRequest *req = (const Seklik__Ordering__CloseYearRequest *)in;
    Seklik__Ordering__CloseYearResponse *resp = (Seklik__Ordering__CloseYearResponse *)out;
    if (!staff_any(call, SETTINGS_ROLES))
        return deny(call, "closing the year");
    SK_TRY(check_year(call, "fiscalYear", req->fiscal_year));
    bool closed_now = false;
    SK_TRY(ordering_store_close_year(call->db, req->fiscal_year, actor_id(call), &closed_now));
    if (!closed_now)
        return refuse(call, "fiscalYear", "year.closed", "the year is already closed");
    int issuing = 0;
    SK_TRY(ordering_store_issuing_count(call->db, req->fiscal_year, &issuing));
    if (issuing > 0)
        return refuse(call, "fiscalYear", "year.orders_issuing", "orders are being issued");
    PGresult *res;
    SK_TRY(ordering_store_performance(call->db, req->fiscal_year, &res));
    int n = PQntuples(res), rc = SK_OK;
    resp->fiscal_year = req->fiscal_year;
    resp->performance = sk_call_alloc(call, sizeof(*resp->performance) * (size_t)(n + 1));
    for (int i = 0; i < n && rc == SK_OK; i++) {
        Seklik__Ordering__PerformanceRecorded *p = sk_call_alloc(call, sizeof(*p));
        if (!p || !resp->performance) {
            rc = SK_ENOMEM;
            break;
        }
        seklik__ordering__performance_recorded__init(p);
        long long placements = atoll(PQgetvalue(res, i, PE_PLACEMENTS));
        long long on_time = atoll(PQgetvalue(res, i, PE_ON_TIME));
        p->company_id = sk_call_strdup(call, PQgetvalue(res, i, PE_COMPANY_ID));
        p->fiscal_year = req->fiscal_year;
        p->percent = ordering_performance_percent(on_time, placements);
        p->placements = placements > INT32_MAX ? INT32_MAX : (int32_t)placements;
        rc = sk_outbox_append(call->db, "ordering.performance.recorded", &p->base, call->actor,
                              call->req->request_id, NULL);
        resp->performance[resp->n_performance++] = p;
    }
    PQclear(res);
    SK_TRY(rc);
    char year[16], after[64];
    snprintf(year, sizeof(year), "%d", req->fiscal_year);
    snprintf(after, sizeof(after), "{\"closed\":true,\"companies\":%d}", n);
    return audit(call, "fiscal_year.closed", "fiscal_year", year, "{\"closed\":false}", after);
}

/* ---- the service ---- */

static const sk_rpc_method methods[] = {
    {"Health", sk_service_health, SK_RPC_QUERY},
    {"SaveYearSettings", save_year_settings, SK_RPC_COMMAND},
    {"GetYearSettings", get_year_settings, SK_RPC_QUERY},
    {"SaveAgreement", save_agreement, SK_RPC_COMMAND},
    {"SignAgreement", sign_agreement, SK_RPC_COMMAND},
    {"CancelAgreement", cancel_agreement, SK_RPC_COMMAND},
    {"GetAgreement", get_agreement, SK_RPC_QUERY},
    {"GetAgreementDocument", get_agreement_document, SK_RPC_QUERY},
    {"ListAgreements", list_agreements, SK_RPC_QUERY},
    {"ListProducts", list_products, SK_RPC_QUERY},
    {"CreateOrder", create_order, SK_RPC_COMMAND},
    {"OfferOrder", offer_order, SK_RPC_COMMAND},
    {"CounterOffer", counter_offer, SK_RPC_COMMAND},
    {"AcceptOffer", accept_offer, SK_RPC_COMMAND},
    {"RejectOffer", reject_offer, SK_RPC_COMMAND},
    {"ApproveOrder", approve_order, SK_RPC_COMMAND},
    {"IssueOrder", issue_order, SK_RPC_SAGA},
    {"CancelOrder", cancel_order, SK_RPC_SAGA},
    {"GetOrder", get_order, SK_RPC_QUERY},
    {"ListOrders", list_orders, SK_RPC_QUERY},
    {"SubmitProof", submit_proof, SK_RPC_COMMAND},
    {"DecideProof", decide_proof, SK_RPC_COMMAND},
    {"GetProofFile", get_proof_file, SK_RPC_QUERY},
    {"CloseYear", close_year, SK_RPC_COMMAND},
};

static const char *const SCORING_EVENTS[] = {"scoring.outlet.tiered",
                                             "scoring.price_standard.published", NULL};
static const char *const REGISTRY_EVENTS[] = {"registry.company.", NULL};

static const sk_subscription_def subscriptions[] = {
    {"scoring", SCORING_EVENTS, ordering_apply_scoring},
    {"registry", REGISTRY_EVENTS, ordering_apply_registry},
};

static ordering_app the_app;

/* Not const: its interval comes from the environment (configure). */
static sk_job_def jobs[] = {
    {"redrive", 5000, ordering_redrive},
};

static void configure(sk_config *cfg, void *arg)
{
    ordering_app *app = arg;
    app->call_timeout_ms =
        (int)sk_config_long(cfg, "SEKLIK_ORDERING_CALL_TIMEOUT_MS", 5000, 100, 60000);
    jobs[0].interval_ms =
        (int)sk_config_long(cfg, "SEKLIK_ORDERING_REDRIVE_INTERVAL_MS", 5000, 50, 3600000);
}

/* Before the loop runs: the accounting client and the mirror, loaded under
 * its lock (an event applied meanwhile lands after the load). */
static int start(const sk_service_env *env, void *arg)
{
    ordering_app *app = arg;
    const char *url = NULL;
    for (size_t i = 0; i < env->n_peers; i++)
        if (strcmp(env->peer_names[i], "accounting") == 0)
            url = env->peer_rpc_urls[i];
    if (!url)
        return SK_ECONFIG;
    SK_TRY(sk_rpc_client_open(url, env->key, 0, &app->accounting));
    sk_db *db;
    SK_TRY(sk_db_acquire(env->db, &db));
    int rc = ordering_mirror_load(db, app->mirror);
    sk_db_release(db);
    return rc;
}

static void drain(void *arg)
{
    (void)arg; /* in-flight calls to accounting end by their deadline */
}

static void stop(void *arg)
{
    ordering_app *app = arg;
    sk_rpc_client_close(app->accounting);
    app->accounting = NULL;
    ordering_mirror_free(app->mirror);
    app->mirror = NULL;
}

static const sk_service_hooks hooks = {
    .configure = configure,
    .start = start,
    .drain = drain,
    .stop = stop,
};

extern const sk_migration ordering_migrations[];
extern const size_t ordering_migrations_count;

const sk_service_def ordering_service = {
    .name = "ordering",
    .api = &seklik__ordering__ordering__descriptor,
    .methods = methods,
    .n_methods = COUNT(methods),
    .migrations = ordering_migrations,
    .n_migrations = &ordering_migrations_count,
    .subscriptions = subscriptions,
    .n_subscriptions = COUNT(subscriptions),
    .jobs = jobs,
    .n_jobs = COUNT(jobs),
    .app = &the_app,
    .hooks = &hooks,
};

/* The mirror exists before sk_service_main starts anything. */
int ordering_prepare(void)
{
    the_app.mirror = ordering_mirror_new();
    return the_app.mirror ? SK_OK : SK_ENOMEM;
}
