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
 * dist_notice_spec: verification's cases, ordering's orders and
 * accounting's invoices. Each event carries the whole case, order or
 * invoice, so what is raised and settled follows its state, not the event's
 * name: a replay, or an event that changed something else, finds the same
 * keys and raises nothing new. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "seklik/accounting.pb-c.h"
#include "seklik/gateway.pb-c.h"
#include "seklik/ordering.pb-c.h"
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

/* ---- ordering's orders ---- */

/* What names an order in a notice: its number once issued, else its title. */
static const char *order_label(const Seklik__Ordering__Order *o)
{
    if (o->number && *o->number)
        return o->number;
    return o->data && o->data->title ? o->data->title : "";
}

/* The offer in force waits for an answer: the office's offer (state
 * offered) for the company's partner accounts, the partner's counter-offer
 * (countered) for partnership staff. One notice per offer round; settled
 * when the order is answered, countered or cancelled. */
static int waiting_offer(sk_event_ctx *ctx, const Seklik__Ordering__Order *o, bool fresh,
                         const char *link)
{
    bool to_partner = o->state == SEKLIK__ORDERING__ORDER_STATE__ORDER_STATE_OFFERED;
    bool to_staff = o->state == SEKLIK__ORDERING__ORDER_STATE__ORDER_STATE_COUNTERED;
    const Seklik__Ordering__Offer *last = o->n_offers ? o->offers[o->n_offers - 1] : NULL;
    int round = last && last->round > 0 ? last->round : (int)o->n_offers;
    char key[96] = "";
    if (to_partner || to_staff)
        snprintf(key, sizeof(key), "%s:%s:%d", to_partner ? "offer_waiting" : "offer_countered",
                 o->id, round);
    int rc = SK_OK;
    if ((to_partner || to_staff) && fresh) {
        dist_kv params[] = {{"number", order_label(o)}};
        dist_notice_spec spec = {
            .kind = DIST_NOTICE_OFFER_WAITING, .dedupe_key = key,
            .company_id = to_partner ? o->company_id : NULL,
            .roles_csv = to_partner ? NULL : "partnership", .exclude_json = "[]",
            .company_name = o->company_name, .subject_id = o->id, .link = link,
            .params = params, .n_params = 1,
        };
        rc = dist_raise_notice(ctx->db, ctx->app, &spec);
    }
    char *keep_items[1] = {key};
    char *keep = rc == SK_OK ? json_of_strings(keep_items, *key ? 1 : 0) : NULL;
    if (rc == SK_OK)
        rc = keep ? dist_store_resolve_notices(ctx->db, DIST_NOTICE_OFFER_WAITING, o->id, keep)
                  : SK_ENOMEM;
    cJSON_free(keep);
    return rc;
}

/* The last proof rejected (state proof_rejected): the company's partner
 * accounts, with the reason; settled once a new proof is submitted (or the
 * order leaves that state otherwise). */
static int rejected_proof(sk_event_ctx *ctx, const Seklik__Ordering__Order *o, bool fresh,
                          const char *link)
{
    const Seklik__Ordering__Proof *p = o->n_proofs ? o->proofs[o->n_proofs - 1] : NULL;
    bool rejected = o->state == SEKLIK__ORDERING__ORDER_STATE__ORDER_STATE_PROOF_REJECTED && p &&
                    p->rejected;
    char key[96] = "";
    if (rejected)
        snprintf(key, sizeof(key), "proof_rejected:%s:%d", o->id, p->version);
    int rc = SK_OK;
    if (rejected && fresh) {
        dist_kv params[] = {{"number", order_label(o)}, {"reason", p->reason ? p->reason : ""}};
        dist_notice_spec spec = {
            .kind = DIST_NOTICE_PROOF_REJECTED, .dedupe_key = key, .company_id = o->company_id,
            .company_name = o->company_name, .subject_id = o->id, .link = link,
            .params = params, .n_params = 2,
        };
        rc = dist_raise_notice(ctx->db, ctx->app, &spec);
    }
    char *keep_items[1] = {key};
    char *keep = rc == SK_OK ? json_of_strings(keep_items, *key ? 1 : 0) : NULL;
    if (rc == SK_OK)
        rc = keep ? dist_store_resolve_notices(ctx->db, DIST_NOTICE_PROOF_REJECTED, o->id, keep)
                  : SK_ENOMEM;
    cJSON_free(keep);
    return rc;
}

int dist_apply_ordering(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    if (!ev->type || strncmp(ev->type, "ordering.order.", 15) != 0)
        return SK_OK;
    Seklik__Ordering__OrderChanged *oc =
        seklik__ordering__order_changed__unpack(NULL, ev->body.len, ev->body.data);
    const Seklik__Ordering__Order *o = oc ? oc->order : NULL;
    int rc = SK_OK;
    if (!o || !sk_uuid_valid(o->id) || !sk_uuid_valid(o->company_id)) {
        sk_log_warn("%s seq %llu: no readable order, skipped", ev->type,
                    (unsigned long long)ev->seq);
        goto done;
    }
    bool fresh = dist_notice_fresh(ev->occurred_unix_us / 1000000, (int64_t)time(NULL));
    char link[64];
    snprintf(link, sizeof(link), "/orders/%s", o->id);
    rc = waiting_offer(ctx, o, fresh, link);
    if (rc == SK_OK)
        rc = rejected_proof(ctx, o, fresh, link);
done:
    if (oc)
        seklik__ordering__order_changed__free_unpacked(oc, NULL);
    return rc;
}

/* ---- accounting's invoices ---- */

/* An invoice returned (with its reason) or paid (SP2D): the company's
 * partner accounts, once per invoice. Both states are final, so nothing
 * settles them but the partner reading them. */
int dist_apply_accounting(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    if (!ev->type || strncmp(ev->type, "accounting.invoice.", 19) != 0)
        return SK_OK;
    Seklik__Accounting__InvoiceChanged *ic =
        seklik__accounting__invoice_changed__unpack(NULL, ev->body.len, ev->body.data);
    const Seklik__Accounting__Invoice *inv = ic ? ic->invoice : NULL;
    int rc = SK_OK;
    if (!inv || !sk_uuid_valid(inv->id) || !sk_uuid_valid(inv->company_id)) {
        sk_log_warn("%s seq %llu: no readable invoice, skipped", ev->type,
                    (unsigned long long)ev->seq);
        goto done;
    }
    bool returned = inv->state == SEKLIK__ACCOUNTING__INVOICE_STATE__INVOICE_STATE_RETURNED;
    bool paid = inv->state == SEKLIK__ACCOUNTING__INVOICE_STATE__INVOICE_STATE_PAID;
    if ((!returned && !paid) ||
        !dist_notice_fresh(ev->occurred_unix_us / 1000000, (int64_t)time(NULL)))
        goto done;
    char key[96], link[64];
    snprintf(key, sizeof(key), "%s:%s", returned ? "invoice_returned" : "invoice_paid", inv->id);
    snprintf(link, sizeof(link), "/invoices/%s", inv->id);
    dist_kv params[] = {
        {"number", inv->data && inv->data->number ? inv->data->number : ""},
        {returned ? "reason" : "paidOn",
         returned ? (inv->returned_reason ? inv->returned_reason : "")
                  : (inv->paid_on ? inv->paid_on : "")},
    };
    dist_notice_spec spec = {
        .kind = returned ? DIST_NOTICE_INVOICE_RETURNED : DIST_NOTICE_INVOICE_PAID,
        .dedupe_key = key, .company_id = inv->company_id, .company_name = inv->company_name,
        .subject_id = inv->id, .link = link, .params = params, .n_params = 2,
    };
    rc = dist_raise_notice(ctx->db, ctx->app, &spec);
done:
    if (ic)
        seklik__accounting__invoice_changed__free_unpacked(ic, NULL);
    return rc;
}
