/* notices.c - notices of what a user must act on, raised from other
 * services' events, and the accounts they reach (docs/adr/0017).
 *
 * gateway.user.* events keep distribution.account: each user's roles,
 * company binding, language and address. A notice is raised per account
 * when an event says something waits for it: the partner accounts bound to
 * the company concerned (a company's binding decides which companies'
 * notices reach an account), or the staff whose role may act. Each notice
 * has a key per user and matter, so replayed and repeated events raise
 * nothing twice; an account that chose e-mail for the kind gets one, queued
 * in the same transaction as the notice (the same queue as the releases).
 *
 * Sources plug in with a function that turns their event into a
 * dist_notice_spec: verification's cases here; ordering's orders
 * (ordering.order.offered/.countered/.proof_decided) and accounting's
 * invoices when those services publish them. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "seklik/gateway.pb-c.h"
#include "seklik/registry.pb-c.h"
#include "seklik/verification.pb-c.h"
#include "sk_err.h"
#include "sk_id.h"
#include "sk_log.h"

/* ---- accounts ---- */

int dist_apply_gateway(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    if (!ev->type || (strcmp(ev->type, "gateway.user.created") != 0 &&
                      strcmp(ev->type, "gateway.user.updated") != 0))
        return SK_OK;
    Seklik__Gateway__User *u = seklik__gateway__user__unpack(NULL, ev->body.len, ev->body.data);
    int rc = SK_OK;
    if (!u || !sk_uuid_valid(u->id)) {
        sk_log_warn("%s seq %llu: no readable user, skipped", ev->type,
                    (unsigned long long)ev->seq);
        goto done;
    }
    char roles[GW_ROLES_CSV_MAX] = "";
    size_t used = 0;
    for (size_t i = 0; i < u->n_roles && i < 8; i++) {
        const char *r = u->roles[i] ? u->roles[i] : "";
        if (strspn(r, "abcdefghijklmnopqrstuvwxyz") != strlen(r) || !*r)
            continue; /* role names are plain words; anything else is no role */
        int n = snprintf(roles + used, sizeof(roles) - used, "%s%s", used ? "," : "", r);
        if (n < 0 || (size_t)n >= sizeof(roles) - used)
            break;
        used += (size_t)n;
    }
    const char *company = u->company_id && sk_uuid_valid(u->company_id) ? u->company_id : NULL;
    /* An address distribution could not deliver to is no address here. */
    const char *email = u->email && dist_email_valid(u->email) ? u->email : "";
    const char *locale = u->locale && strcmp(u->locale, "en") == 0 ? "en" : "id";
    dist_account_row a = {
        .id = u->id, .username = u->username ? u->username : "",
        .display_name = u->display_name ? u->display_name : "", .roles_csv = roles,
        .company_id = company, .disabled = u->disabled, .locale = locale, .email = email,
        .version = u->version,
    };
    rc = dist_store_put_account(ctx->db, &a);
done:
    if (u)
        seklik__gateway__user__free_unpacked(u, NULL);
    return rc;
}

/* ---- raising ---- */

/* The e-mail of notice `spec` to one account, queued with the notice. */
static int mail_notice(sk_db *db, const dist_app *app, const dist_notice_spec *spec,
                       PGresult *aud, int i, const char *notice_id)
{
    const char *address = PQgetvalue(aud, i, AU_EMAIL), *user = PQgetvalue(aud, i, AU_ID);
    const char *locale = PQgetvalue(aud, i, AU_LOCALE);
    dist_kv values[DIST_NOTICE_PARAMS_MAX + 4];
    size_t n = 0;
    values[n++] = (dist_kv){"kind", dist_notice_kind_name(spec->kind)};
    values[n++] = (dist_kv){"link", spec->link};
    values[n++] = (dist_kv){"name", PQgetvalue(aud, i, AU_NAME)};
    if (spec->company_name && *spec->company_name)
        values[n++] = (dist_kv){"companyName", spec->company_name};
    /* The notice keeps every parameter; its e-mail says the ones the
     * template words. */
    static const char *const WORDED[] = {"documentType", "reason", "outcome", "number"};
    for (size_t k = 0; k < spec->n_params && n < sizeof(values) / sizeof(values[0]); k++)
        for (size_t w = 0; w < sizeof(WORDED) / sizeof(WORDED[0]); w++)
            if (strcmp(spec->params[k].key, WORDED[w]) == 0 && *spec->params[k].value)
                values[n++] = spec->params[k];
    dist_mail_context mc = {app->portal_url, app->sender_name};
    dist_message_text text;
    dist_violations v = {0};
    if (dist_compose_template("notice", locale, values, n, &mc, &text, &v) != 0) {
        if (v.n == 0)
            return SK_ENOMEM;
        /* A value the template refuses (a name with a control character):
         * the notice stands in the portal, without its e-mail. */
        sk_log_warn("notice %s: no e-mail: %s %s", notice_id, v.items[0].field, v.items[0].code);
        return SK_OK;
    }
    char message_id[SK_UUID_STRLEN];
    sk_uuid7(message_id);
    cJSON *to = cJSON_CreateArray();
    cJSON_AddItemToArray(to, cJSON_CreateString(address));
    char *to_json = cJSON_PrintUnformatted(to);
    cJSON_Delete(to);
    int rc = to_json ? dist_store_queue_personal(db, message_id, "notice", locale, text.subject,
                                                 text.text, text.html, to_json, user, NULL)
                     : SK_ENOMEM;
    cJSON_free(to_json);
    dist_message_text_free(&text);
    if (rc == SK_OK)
        rc = dist_store_notice_mailed(db, notice_id, message_id);
    return rc;
}

int dist_raise_notice(sk_db *db, const dist_app *app, const dist_notice_spec *spec)
{
    PGresult *aud;
    if (spec->company_id)
        SK_TRY(dist_store_audience_company(db, spec->company_id, spec->kind, &aud));
    else
        SK_TRY(dist_store_audience_roles(db, spec->roles_csv, spec->exclude_json, spec->kind,
                                         &aud));
    cJSON *params = cJSON_CreateObject();
    for (size_t k = 0; params && k < spec->n_params; k++)
        cJSON_AddStringToObject(params, spec->params[k].key, spec->params[k].value);
    char *params_json = params ? cJSON_PrintUnformatted(params) : NULL;
    cJSON_Delete(params);
    int rc = params_json ? SK_OK : SK_ENOMEM;
    int rows = PQntuples(aud), raised = 0, mailed = 0;
    for (int i = 0; rc == SK_OK && i < rows; i++) {
        char id[SK_UUID_STRLEN];
        sk_uuid7(id);
        dist_notice_row row = {
            .id = id, .user_id = PQgetvalue(aud, i, AU_ID), .kind = spec->kind,
            .dedupe_key = spec->dedupe_key, .company_id = spec->company_id,
            .company_name = spec->company_name, .subject_id = spec->subject_id,
            .link = spec->link, .params_json = params_json,
        };
        bool inserted = false;
        rc = dist_store_insert_notice(db, &row, &inserted);
        if (rc != SK_OK || !inserted)
            continue;
        raised++;
        if (PQgetvalue(aud, i, AU_WANTS_EMAIL)[0] == 't' && *PQgetvalue(aud, i, AU_EMAIL)) {
            rc = mail_notice(db, app, spec, aud, i, id);
            mailed += rc == SK_OK;
        }
    }
    if (rc == SK_OK && raised > 0)
        sk_log_info("notice %s (%s): %d accounts, %d e-mails", spec->dedupe_key,
                    dist_notice_kind_name(spec->kind), raised, mailed);
    cJSON_free(params_json);
    PQclear(aud);
    return rc;
}

/* ---- verification's cases ---- */

static const char *enum_name(const ProtobufCEnumDescriptor *d, int value)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(d, value);
    return v ? v->name : "";
}

static char *json_of_strings(char **items, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(items[i]));
    char *s = a ? cJSON_PrintUnformatted(a) : NULL;
    cJSON_Delete(a);
    return s;
}

/* Documents rejected in the case: one notice per document version and
 * decision to the company's partner accounts; those of documents no longer
 * rejected are settled. */
static int rejected_documents(sk_event_ctx *ctx, const Seklik__Verification__Case *vc, bool fresh)
{
    const dist_app *app = ctx->app;
    char **keys = calloc(vc->n_documents ? vc->n_documents : 1, sizeof(char *));
    size_t n_keys = 0;
    int rc = keys ? SK_OK : SK_ENOMEM;
    for (size_t i = 0; rc == SK_OK && i < vc->n_documents; i++) {
        const Seklik__Verification__CaseDocument *d = vc->documents[i];
        if (!d || d->decision != SEKLIK__VERIFICATION__DECISION__DECISION_REJECTED ||
            !sk_uuid_valid(d->document_id))
            continue;
        char key[200];
        snprintf(key, sizeof(key), "document_rejected:%s:%d:%s", d->document_id, d->version,
                 d->decided_at ? d->decided_at : "");
        if (!(keys[n_keys] = strdup(key))) {
            rc = SK_ENOMEM;
            break;
        }
        n_keys++;
        if (!fresh)
            continue;
        char version[16];
        snprintf(version, sizeof(version), "%d", d->version);
        dist_kv params[] = {
            {"documentType", enum_name(&seklik__registry__document_type__descriptor, d->type)},
            {"reason", d->reason ? d->reason : ""},
            {"version", version},
        };
        dist_notice_spec spec = {
            .kind = DIST_NOTICE_DOCUMENT_REJECTED, .dedupe_key = key,
            .company_id = vc->company_id, .company_name = vc->company_name,
            .subject_id = vc->id, .link = "/my", .params = params, .n_params = 3,
        };
        rc = dist_raise_notice(ctx->db, app, &spec);
    }
    char *keep = rc == SK_OK ? json_of_strings(keys, n_keys) : NULL;
    if (rc == SK_OK)
        rc = keep ? dist_store_resolve_notices(ctx->db, DIST_NOTICE_DOCUMENT_REJECTED, vc->id, keep)
                  : SK_ENOMEM;
    cJSON_free(keep);
    for (size_t i = 0; i < n_keys; i++)
        free(keys[i]);
    free(keys);
    return rc;
}

/* A proposal waiting for its second person: a notice to those who may
 * approve it (verifiers, heads, admins), not its proposer nor the company's
 * registrant; settled once it is approved or returned. */
static int waiting_decision(sk_event_ctx *ctx, const Seklik__Verification__Case *vc, bool fresh)
{
    const Seklik__Verification__Proposal *p = vc->pending_proposal;
    bool pending = p && p->status == SEKLIK__VERIFICATION__PROPOSAL_STATUS__PROPOSAL_STATUS_PENDING &&
                   p->id && *p->id && strlen(p->id) < 64;
    char key[96] = "";
    if (pending)
        snprintf(key, sizeof(key), "decision_awaiting:%s", p->id);
    int rc = SK_OK;
    if (pending && fresh) {
        char *exclude_items[2] = {p->proposed_by ? p->proposed_by : "",
                                  vc->registered_by ? vc->registered_by : ""};
        char *exclude = json_of_strings(exclude_items, 2);
        dist_kv params[] = {
            {"outcome", enum_name(&seklik__verification__outcome__descriptor, p->outcome)},
            {"reason", p->reason ? p->reason : ""},
        };
        char link[96];
        snprintf(link, sizeof(link), "/verification/%s", vc->id);
        dist_notice_spec spec = {
            .kind = DIST_NOTICE_DECISION_AWAITING, .dedupe_key = key,
            .roles_csv = DIST_APPROVER_ROLES, .exclude_json = exclude,
            .company_name = vc->company_name, .subject_id = vc->id, .link = link,
            .params = params, .n_params = p->reason && *p->reason ? 2 : 1,
        };
        rc = exclude ? dist_raise_notice(ctx->db, ctx->app, &spec) : SK_ENOMEM;
        cJSON_free(exclude);
    }
    char *keep_items[1] = {key};
    char *keep = rc == SK_OK ? json_of_strings(keep_items, pending ? 1 : 0) : NULL;
    if (rc == SK_OK)
        rc = keep ? dist_store_resolve_notices(ctx->db, DIST_NOTICE_DECISION_AWAITING, vc->id,
                                               keep)
                  : SK_ENOMEM;
    cJSON_free(keep);
    return rc;
}

int dist_notices_from_case(sk_event_ctx *ctx, const Seklik__Bus__Event *ev,
                           const Seklik__Verification__Case *vc)
{
    if (!vc || !sk_uuid_valid(vc->id) || !sk_uuid_valid(vc->company_id))
        return SK_OK;
    bool fresh = dist_notice_fresh(ev->occurred_unix_us / 1000000, (int64_t)time(NULL));
    SK_TRY(rejected_documents(ctx, vc, fresh));
    return waiting_decision(ctx, vc, fresh);
}
