/* handlers.c - one function per RPC method and per subscribed event:
 * decode, authorize, call the domain, store, emit.
 *
 * Commands run inside the transaction the RPC server opened: a handler that
 * returns anything but SK_OK has everything it wrote rolled back, so
 * validation can collect every violation first and simply return SK_EINVAL. */
#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain.h"
#include "internal.h"
#include "seklik/registry.pb-c.h"
#include "seklik/verification.pb-c.h"
#include "sk_actor.h"
#include "sk_audit.h"
#include "sk_err.h"
#include "sk_file.h"
#include "sk_id.h"
#include "sk_limits.h"
#include "sk_log.h"
#include "sk_outbox.h"
#include "sk_pdf.h"
#include "sk_service.h"
#include "store.h"

typedef Seklik__Registry__Company Company;

#define MAX_DOCUMENT_BYTES (10u * 1024 * 1024)

/* Staff who may change any company, and staff who may read any. A partner
 * account acts only for its own company (sk_actor_may_act_for_company). */
static const char *const WRITE_ROLES[] = {SK_ROLE_ADMIN, SK_ROLE_PARTNERSHIP, SK_ROLE_VERIFIER,
                                          NULL};
static const char *const READ_ROLES[] = {SK_ROLE_ADMIN, SK_ROLE_VERIFIER, SK_ROLE_PARTNERSHIP,
                                         SK_ROLE_PR,    SK_ROLE_FINANCE,  SK_ROLE_HEAD,
                                         NULL};

/* ---- small helpers ---- */

/* Today's calendar date in WIB (UTC+7), days since 1970-01-01. */
static int32_t today(void)
{
    return (int32_t)((time(NULL) + 7 * 3600) / 86400);
}

static bool blank(const char *s)
{
    return !s || s[strspn(s, " \t\r\n")] == '\0';
}

/* Lower-case canonical UUID text, as ids are written everywhere: checked
 * before it reaches SQL, where a bad one would be a database error. */
/* A violation on "<prefix>.<field>" (or just `field` without a prefix). */
static void violation(sk_call *call, const char *prefix, const char *field, const char *code,
                      const char *english)
{
    char path[128];
    if (prefix && field)
        snprintf(path, sizeof(path), "%s.%s", prefix, field);
    else
        snprintf(path, sizeof(path), "%s", prefix ? prefix : field);
    sk_call_violation_code(call, path, code, english);
}

/* Move the domain's violations onto the call under `prefix`. The domain
 * names the account number "bankAccount.number"; the API says accountNumber. */
static void add_violations(sk_call *call, const char *prefix, const registry_violations *v)
{
    for (size_t i = 0; i < v->n; i++) {
        const char *field = v->items[i].field;
        if (strcmp(field, "bankAccount.number") == 0)
            field = "bankAccount.accountNumber";
        violation(call, prefix, field, v->items[i].code, v->items[i].description);
    }
}

static int deny(sk_call *call, const char *what)
{
    char msg[200];
    snprintf(msg, sizeof(msg), "access.denied: not allowed: %s", what);
    return sk_call_fail(call, SK_EPERM, msg);
}

/* The company id of a request, checked, then the actor's right to it. */
static int authorize(sk_call *call, const char *company_id, const char *const *roles,
                     const char *what)
{
    if (!sk_uuid_valid(company_id))
        return sk_call_violation_code(call, "companyId", "id.invalid",
                                      "company id is not a valid id");
    if (!sk_actor_may_act_for_company(call->actor, company_id, roles))
        return deny(call, what);
    return SK_OK;
}

/* `message` is "<code>: <English>", a literal (the web UI's catalogue test
 * reads it at every call). */
static int not_found(sk_call *call, const char *message)
{
    return sk_call_fail(call, SK_ENOTFOUND, message);
}

/* Company data may change only before verification has a say, or after it
 * sent the company back. */
static bool editable(int status)
{
    return status == SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_DRAFT ||
           status == SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_NEEDS_REVISION ||
           status == SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_REJECTED;
}

static int not_editable(sk_call *call, int status)
{
    char msg[200];
    snprintf(msg, sizeof(msg), "company.not_editable: the company cannot be changed in status %s",
             registry_store_status_name(status));
    return sk_call_fail(call, SK_EPRECOND, msg);
}

static const char *actor_id(const sk_call *call)
{
    return call->actor->user_id ? call->actor->user_id : "";
}

/* ---- audit and events ---- */

/* What an auditor needs to see of a company: its data, standing and parts. */
static char *company_json(const Company *c)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    const Seklik__Registry__CompanyInput *d = c->data;
    cJSON_AddStringToObject(o, "id", c->id);
    cJSON_AddStringToObject(o, "status", registry_store_status_name(c->status) ? registry_store_status_name(c->status) : "");
    cJSON_AddNumberToObject(o, "version", (double)c->version);
    if (d) {
        cJSON_AddStringToObject(o, "legalName", d->legal_name);
        cJSON_AddNumberToObject(o, "legalForm", d->legal_form);
        cJSON_AddStringToObject(o, "npwp", d->npwp);
        cJSON_AddStringToObject(o, "nib", d->nib);
        cJSON_AddItemToObject(o, "kbli", cJSON_CreateStringArray((const char *const *)d->kbli, (int)d->n_kbli));
        cJSON_AddBoolToObject(o, "pkp", d->pkp);
        cJSON_AddStringToObject(o, "address", d->address);
        cJSON_AddNumberToObject(o, "dewanPersStatus", d->dewan_pers_status);
        /* Payments follow it: every change shows in the trail. */
        cJSON *bank = cJSON_AddObjectToObject(o, "bankAccount");
        const Seklik__Registry__BankAccount *b = d->bank_account;
        cJSON_AddStringToObject(bank, "bankName", b && b->bank_name ? b->bank_name : "");
        cJSON_AddStringToObject(bank, "accountNumber",
                                b && b->account_number ? b->account_number : "");
        cJSON_AddStringToObject(bank, "holderName", b && b->holder_name ? b->holder_name : "");
    }
    cJSON *outlets = cJSON_AddArrayToObject(o, "outlets");
    for (size_t i = 0; i < c->n_outlets; i++)
        cJSON_AddItemToArray(outlets, cJSON_CreateString(c->outlets[i]->id));
    cJSON *people = cJSON_AddArrayToObject(o, "people");
    for (size_t i = 0; i < c->n_people; i++)
        cJSON_AddItemToArray(people, cJSON_CreateString(c->people[i]->id));
    cJSON_AddNumberToObject(o, "fiscalYear", c->fiscal_year);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static int audit_company(sk_call *call, const char *action, const Company *before,
                         const Company *after)
{
    char *b = before ? company_json(before) : NULL, *a = company_json(after);
    int rc = (before && !b) || !a ? SK_ENOMEM
                                  : sk_audit_append_about(call->db, call->actor, after->id, action,
                                                          "company", after->id, b, a,
                                                          call->req->request_id);
    cJSON_free(b);
    cJSON_free(a);
    return rc;
}

/* CompanyChanged with the whole company: subscribers need no call back. */
static int emit_company(sk_call *call, const char *type, Company *c)
{
    Seklik__Registry__CompanyChanged ev = SEKLIK__REGISTRY__COMPANY_CHANGED__INIT;
    ev.company = c;
    return sk_outbox_append(call->db, type, &ev.base, call->actor, call->req->request_id, NULL);
}

/* registry.company.submitted, with the NPWP and NIKs other companies hold
 * too: for the verifier's findings (the event never reaches a partner). */
static int emit_submitted(sk_call *call, Company *c)
{
    PGresult *r = NULL;
    SK_TRY(registry_store_identity_clashes(call->db, c->id, &r));
    int n = PQntuples(r), rc = SK_OK;
    Seklik__Registry__CompanyChanged ev = SEKLIK__REGISTRY__COMPANY_CHANGED__INIT;
    ev.company = c;
    ev.identity_clashes = n ? sk_call_alloc(call, (size_t)n * sizeof(*ev.identity_clashes)) : NULL;
    for (int i = 0; i < n && rc == SK_OK; i++) {
        Seklik__Registry__IdentityClash *k = sk_call_alloc(call, sizeof(*k));
        if (!k || !ev.identity_clashes) {
            rc = SK_ENOMEM;
            break;
        }
        seklik__registry__identity_clash__init(k);
        k->kind = sk_call_strdup(call, PQgetvalue(r, i, 0));
        k->person_id = sk_call_strdup(call, PQgetvalue(r, i, 1));
        k->other_company_id = sk_call_strdup(call, PQgetvalue(r, i, 2));
        ev.identity_clashes[ev.n_identity_clashes++] = k;
    }
    PQclear(r);
    if (rc == SK_OK)
        rc = sk_outbox_append(call->db, "registry.company.submitted", &ev.base, call->actor,
                              call->req->request_id, NULL);
    return rc;
}

/* Load `id` into a fresh message of the call's memory. */
static int load_company(sk_call *call, const char *id, Company **out)
{
    Company *c = sk_call_alloc(call, sizeof(*c));
    if (!c)
        return SK_ENOMEM;
    seklik__registry__company__init(c);
    SK_TRY(registry_store_load_company(call, id, c));
    *out = c;
    return SK_OK;
}

/* ---- validation of inputs ---- */

static const char *legal_form_text(int v)
{
    if (v == 0)
        return ""; /* missing */
    const char *s = registry_legal_form_name((registry_legal_form)(v - 1));
    return s ? s : "?"; /* outside the enum: the domain names it */
}

static void check_date_field(sk_call *call, const char *prefix, const char *field, const char *s,
                             bool not_future)
{
    int32_t d;
    if (blank(s))
        return;
    if (!registry_parse_date(s, &d))
        violation(call, prefix, field, "date.invalid", "must be a real date, YYYY-MM-DD");
    else if (not_future && d > today())
        violation(call, prefix, field, "date.future", "cannot be in the future");
}

/* Check a CompanyInput under `prefix` and write its normalised NPWP and NIB. */
static void check_company(sk_call *call, const char *prefix,
                          const Seklik__Registry__CompanyInput *in, char npwp[32], char nib[32])
{
    npwp[0] = nib[0] = '\0';
    if (!in) {
        violation(call, prefix, NULL, "required", "company data is required");
        return;
    }
    const Seklik__Registry__BankAccount *bank = in->bank_account;
    registry_company_input ci = {
        .legal_name = in->legal_name,
        .legal_form = legal_form_text(in->legal_form),
        .npwp = in->npwp,
        .nib = in->nib,
        .kbli = (const char *const *)in->kbli,
        .n_kbli = in->n_kbli,
        .pkp = in->pkp,
        .deed_number = in->deed_number,
        .deed_date = in->deed_date,
        .address = in->address,
        .bank_account_number = bank ? bank->account_number : NULL,
        .bank_holder_name = bank ? bank->holder_name : NULL,
        .sk_kemenkumham = in->sk_kemenkumham,
        .domicile_letter_number = in->domicile_letter_number,
    };
    registry_violations v = {0};
    registry_check_company(&ci, today(), true, &v);
    add_violations(call, prefix, &v);
    check_date_field(call, prefix, "establishedOn", in->established_on, true);
    if (in->dewan_pers_status < 0 ||
        in->dewan_pers_status > SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_FAKTUAL)
        violation(call, prefix, "dewanPersStatus", "unknown_value", "unknown Dewan Pers status");
    /* The certificate itself is a document (DEWAN_PERS) that verification
     * requires and judges; its number is not demanded here. */
    /* Stored and compared in its 16-digit form: one taxpayer, one number. */
    char digits[32];
    if (!registry_normalize_digits(in->npwp, digits, sizeof(digits)) ||
        !registry_npwp_canonical(digits, npwp))
        npwp[0] = '\0';
    if (!registry_normalize_digits(in->nib, nib, 32))
        nib[0] = '\0';
}

/* An outlet under `prefix`; the company's KBLI codes must cover its type,
 * and a mismatch is named on `kbli_field`. */
static void check_outlet(sk_call *call, const char *prefix, const Seklik__Registry__OutletInput *o,
                         char *const *kbli, size_t n_kbli, const char *kbli_field)
{
    if (!o) {
        violation(call, prefix, NULL, "required", "outlet data is required");
        return;
    }
    bool type_ok = o->type >= SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_CETAK &&
                   o->type <= SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_TV;
    if (!type_ok)
        violation(call, prefix, "type", "outlet.type_unknown",
                  "outlet type must be print, online, radio or TV");
    if (o->scale < SEKLIK__REGISTRY__OUTLET_SCALE__OUTLET_SCALE_LOKAL ||
        o->scale > SEKLIK__REGISTRY__OUTLET_SCALE__OUTLET_SCALE_NASIONAL)
        violation(call, prefix, "scale", "outlet.scale_unknown",
                  "scale must be local, regional or national");
    if (blank(o->name))
        violation(call, prefix, "name", "required", "outlet name is required");
    else if (sk_utf8_count(o->name, strlen(o->name)) > 200)
        violation(call, prefix, "name", "too_long", "at most 200 characters");
    if (o->type == SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_SIBER &&
        (!o->url || (strncmp(o->url, "https://", 8) != 0 && strncmp(o->url, "http://", 7) != 0) ||
         strlen(o->url) > 500))
        violation(call, prefix, "url", "outlet.url_required",
                  "an online outlet needs an http(s):// URL");
    if (o->circulation < 0)
        violation(call, prefix, "circulation", "negative", "cannot be negative");
    if (o->monthly_visitors < 0)
        violation(call, prefix, "monthlyVisitors", "negative", "cannot be negative");
    if (o->audience < 0)
        violation(call, prefix, "audience", "negative", "cannot be negative");

    registry_outlet_type t = (registry_outlet_type)(o->type - 1);
    if (type_ok && !registry_kbli_any_matches(t, (const char *const *)kbli, n_kbli)) {
        char why[200];
        snprintf(why, sizeof(why), "company KBLI must include %s for a %s outlet",
                 registry_kbli_for(t), registry_outlet_type_name(t));
        sk_call_violation_code(call, kbli_field, "kbli.outlet_mismatch", why);
    }
}

static const char *ukw_text(int v)
{
    if (v == SEKLIK__REGISTRY__UKW_LEVEL__UKW_LEVEL_NONE)
        return NULL;
    const char *s = registry_ukw_level_name((registry_ukw_level)v);
    return s ? s : "?";
}

/* A person under `prefix`; writes the normalised NIK. */
static void check_person(sk_call *call, const char *prefix, const Seklik__Registry__PersonInput *p,
                         char nik[32])
{
    nik[0] = '\0';
    if (!p) {
        violation(call, prefix, NULL, "required", "person data is required");
        return;
    }
    if (p->role != SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_CHIEF_EDITOR &&
        p->role != SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_JOURNALIST)
        violation(call, prefix, "role", "person.role_unknown",
                  "role must be chief editor or journalist");
    registry_violations v = {0};
    registry_check_journalist(p->nik, p->name, ukw_text(p->ukw_level), p->ukw_certificate_number,
                              p->ukw_certificate_expiry, today(), &v);
    add_violations(call, prefix, &v);
    if (p->press_card_number &&
        sk_utf8_count(p->press_card_number, strlen(p->press_card_number)) > 100)
        violation(call, prefix, "pressCardNumber", "too_long", "at most 100 characters");
    if (!registry_normalize_digits(p->nik, nik, 32))
        nik[0] = '\0';
}

/* Staff are told plainly that a number is registered already. A partner is
 * not: the answer would tell it which NPWPs and NIKs exist. Its duplicate
 * is accepted and reported to the verifier when the company is submitted
 * (IdentityClash), and verification keeps verified companies' numbers
 * unique. */
static bool told_of_duplicates(const sk_call *call)
{
    return sk_actor_has_any_role(call->actor, WRITE_ROLES);
}

/* One NPWP, one company. `self` is the company being changed (NULL = new). */
static int check_npwp_free(sk_call *call, const char *field, const char *npwp, const char *self)
{
    char owner[37];
    if (!npwp[0] || !told_of_duplicates(call))
        return SK_OK;
    int rc = registry_store_npwp_owner(call->db, npwp, self, owner);
    if (rc == SK_OK)
        violation(call, field, NULL, "npwp.taken", "NPWP is already registered to another company");
    return rc == SK_ENOTFOUND ? SK_OK : rc;
}

/* One NIK, one company: a journalist is never claimed twice, not even by
 * the same company. A partner is told only of its own company's people
 * (`company_id`; NULL while it registers). */
static int check_nik_free(sk_call *call, const char *field, const char *nik,
                          const char *company_id)
{
    char owner[37];
    bool staff = told_of_duplicates(call);
    if (!nik[0] || (!staff && !company_id))
        return SK_OK;
    int rc = registry_store_nik_owner(call->db, nik, staff ? NULL : company_id, owner);
    if (rc == SK_OK)
        violation(call, field, NULL, "nik.taken", "NIK is already claimed by a press company");
    return rc == SK_ENOTFOUND ? SK_OK : rc;
}

/* A unique index refused what our check let through (a concurrent request
 * won): the same answer the check would have given. */
static int unique_lost(sk_call *call, int rc, const char *field, const char *code,
                       const char *english)
{
    if (rc == SK_EEXISTS)
        return sk_call_violation_code(call, field, code, english);
    return rc;
}

/* ---- Registry.RegisterCompany ---- */

static bool may_register(const sk_call *call)
{
    const Seklik__Bus__Actor *a = call->actor;
    if (sk_actor_has_any_role(a, WRITE_ROLES))
        return true;
    /* self-registration: a partner account that has no company yet */
    return sk_actor_has_role(a, SK_ROLE_PARTNER) && blank(a->company_id);
}

static int validate_register(sk_call *call, const Seklik__Registry__RegisterRequest *req,
                             char npwp[32], char (*niks)[32])
{
    char nib[32], path[48];
    check_company(call, "company", req->company, npwp, nib);
    for (size_t i = 0; i < req->n_outlets; i++) {
        snprintf(path, sizeof(path), "outlets[%zu]", i);
        check_outlet(call, path, req->outlets[i], req->company ? req->company->kbli : NULL,
                     req->company ? req->company->n_kbli : 0, "company.kbli");
    }
    for (size_t i = 0; i < req->n_people; i++) {
        snprintf(path, sizeof(path), "people[%zu]", i);
        check_person(call, path, req->people[i], niks[i]);
        for (size_t j = 0; j < i; j++)
            if (niks[i][0] && strcmp(niks[i], niks[j]) == 0)
                violation(call, path, "nik", "nik.duplicate", "NIK appears twice in this request");
    }
    SK_TRY(check_npwp_free(call, "company.npwp", npwp, NULL));
    for (size_t i = 0; i < req->n_people; i++) {
        snprintf(path, sizeof(path), "people[%zu].nik", i);
        SK_TRY(check_nik_free(call, path, niks[i], NULL));
    }
    return call->n_violations ? SK_EINVAL : SK_OK;
}

static int register_company(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Registry__RegisterRequest *req = (const Seklik__Registry__RegisterRequest *)in;
    if (!may_register(call))
        return deny(call, "registering a company");
    if (req->n_people > 200 || req->n_outlets > 50)
        return sk_call_violation_code(call, "people", "too_many",
                                      "at most 200 people and 50 outlets");

    /* A partner account holds exactly one company. Its registrations run
     * one at a time, and every one after the first answers with the
     * company it made: a lost response, a double click or a retry under a
     * new key creates nothing, and the gateway binds the account to the
     * company it gets back (which also repairs a binding that was lost). */
    const char *partner = sk_actor_has_any_role(call->actor, WRITE_ROLES) ? NULL : actor_id(call);
    if (partner) {
        char existing[37];
        SK_TRY(registry_store_lock_partner(call->db, partner));
        int found = registry_store_partner_company(call->db, partner, existing);
        if (found == SK_OK)
            return registry_store_load_company(call, existing, (Company *)out);
        if (found != SK_ENOTFOUND)
            return found;
    }

    char npwp[32], nib[32], (*niks)[32] = sk_call_alloc(call, (req->n_people + 1) * 32);
    if (!niks)
        return SK_ENOMEM;
    SK_TRY(validate_register(call, req, npwp, niks));
    registry_normalize_digits(req->company->nib, nib, sizeof(nib));

    char id[SK_UUID_STRLEN];
    sk_uuid7(id);
    registry_company_values v = {req->company, npwp, nib};
    int rc = registry_store_insert_company(call->db, id, &v, actor_id(call), partner);
    if (rc == SK_EEXISTS) /* the lock makes this unreachable; the index is the backstop */
        return sk_call_fail(call, SK_EEXISTS,
                            "partner.has_company: this partner account already has a company");
    if (rc != SK_OK)
        return rc;
    for (size_t i = 0; i < req->n_outlets; i++) {
        char oid[SK_UUID_STRLEN];
        sk_uuid7(oid);
        SK_TRY(registry_store_insert_outlet(call->db, oid, id, req->outlets[i]));
    }
    for (size_t i = 0; i < req->n_people; i++) {
        char pid[SK_UUID_STRLEN], path[48];
        sk_uuid7(pid);
        snprintf(path, sizeof(path), "people[%zu].nik", i);
        rc = registry_store_insert_person(call->db, pid, id, req->people[i], niks[i]);
        if (rc != SK_OK)
            return unique_lost(call, rc, path, "nik.taken",
                               "NIK is already claimed by a press company");
    }

    Company *c = (Company *)out;
    SK_TRY(registry_store_load_company(call, id, c));
    SK_TRY(audit_company(call, "company.register", NULL, c));
    return emit_company(call, "registry.company.registered", c);
}

/* ---- Registry.Update ---- */

static registry_bank bank_of(const Seklik__Registry__CompanyInput *in)
{
    const Seklik__Registry__BankAccount *b = in ? in->bank_account : NULL;
    if (!b)
        return (registry_bank){NULL, NULL, NULL};
    return (registry_bank){b->bank_name, b->account_number, b->holder_name};
}

/* Payments follow the bank account: only the partner changes it (or the
 * registering staff member while the first draft is being entered). A staff
 * change is refused, not queued: no second person can be talked into
 * redirecting a partner's money, and a company without a partner account
 * gets one from the admin to change it. */
static int check_bank_change(sk_call *call, const Company *before,
                             const Seklik__Registry__CompanyInput *in)
{
    if (!in)
        return SK_OK; /* check_company names the missing data */
    registry_bank was = bank_of(before->data), now = bank_of(in);
    bool by_partner = !sk_actor_has_any_role(call->actor, WRITE_ROLES);
    bool first_draft = before->status == SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_DRAFT &&
                       before->fiscal_year == 0 && before->registered_by &&
                       strcmp(before->registered_by, actor_id(call)) == 0;
    if (registry_bank_change_allowed(&was, &now, by_partner, first_draft))
        return SK_OK;
    return sk_call_fail(call, SK_EPERM,
                        "bank.partner_only: only the partner changes its bank account");
}

static int update_company(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Registry__UpdateRequest *req = (const Seklik__Registry__UpdateRequest *)in;
    SK_TRY(authorize(call, req->company_id, WRITE_ROLES, "changing this company"));

    int status = 0;
    int64_t version = 0;
    int rc = registry_store_lock_company(call->db, req->company_id, &status, &version);
    if (rc == SK_ENOTFOUND)
        return not_found(call, "company.not_found: no such company");
    SK_TRY(rc);
    if (!editable(status))
        return not_editable(call, status);
    if (req->expected_version != 0 && req->expected_version != version) {
        char msg[160];
        snprintf(msg, sizeof(msg),
                 "version.changed: the company changed meanwhile (version %lld); reload",
                 (long long)version);
        return sk_call_fail(call, SK_EPRECOND, msg);
    }

    Company *before = NULL;
    SK_TRY(load_company(call, req->company_id, &before));
    SK_TRY(check_bank_change(call, before, req->company));
    char npwp[32], nib[32];
    check_company(call, "company", req->company, npwp, nib);
    for (size_t i = 0; req->company && i < before->n_outlets; i++)
        check_outlet(call, "company", before->outlets[i]->data, req->company->kbli,
                     req->company->n_kbli, "company.kbli");
    SK_TRY(check_npwp_free(call, "company.npwp", npwp, req->company_id));
    if (call->n_violations)
        return SK_EINVAL;

    registry_company_values v = {req->company, npwp, nib};
    rc = registry_store_update_company(call->db, req->company_id, &v);
    if (rc != SK_OK)
        return unique_lost(call, rc, "company.npwp", "npwp.taken",
                           "NPWP is already registered to another company");
    Company *after = (Company *)out;
    SK_TRY(registry_store_load_company(call, req->company_id, after));
    SK_TRY(audit_company(call, "company.update", before, after));
    return emit_company(call, "registry.company.updated", after);
}

/* Lock an editable company the actor may change; `before` is loaded. */
static int open_for_change(sk_call *call, const char *company_id, Company **before)
{
    SK_TRY(authorize(call, company_id, WRITE_ROLES, "changing this company"));
    int status = 0;
    int64_t version = 0;
    int rc = registry_store_lock_company(call->db, company_id, &status, &version);
    if (rc == SK_ENOTFOUND)
        return not_found(call, "company.not_found: no such company");
    SK_TRY(rc);
    if (!editable(status))
        return not_editable(call, status);
    return load_company(call, company_id, before);
}

/* After an outlet or a person was added: version, audit, event. */
static int finish_change(sk_call *call, const char *action, Company *before)
{
    SK_TRY(registry_store_bump_version(call->db, before->id));
    Company *after = NULL;
    SK_TRY(load_company(call, before->id, &after));
    SK_TRY(audit_company(call, action, before, after));
    return emit_company(call, "registry.company.updated", after);
}

/* ---- Registry.AddOutlet ---- */

static int add_outlet(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Registry__AddOutletRequest *req = (const Seklik__Registry__AddOutletRequest *)in;
    Company *before = NULL;
    SK_TRY(open_for_change(call, req->company_id, &before));
    check_outlet(call, "outlet", req->outlet, before->data->kbli, before->data->n_kbli,
                 "outlet.type");
    if (call->n_violations)
        return SK_EINVAL;

    char id[SK_UUID_STRLEN];
    sk_uuid7(id);
    SK_TRY(registry_store_insert_outlet(call->db, id, req->company_id, req->outlet));
    Seklik__Registry__Outlet *o = (Seklik__Registry__Outlet *)out;
    o->id = sk_call_strdup(call, id);
    o->data = req->outlet; /* `in` lives until the response is packed */
    return finish_change(call, "company.add_outlet", before);
}

/* ---- Registry.AddPerson ---- */

static int add_person(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Registry__AddPersonRequest *req = (const Seklik__Registry__AddPersonRequest *)in;
    Company *before = NULL;
    SK_TRY(open_for_change(call, req->company_id, &before));
    char nik[32];
    check_person(call, "person", req->person, nik);
    SK_TRY(check_nik_free(call, "person.nik", nik, req->company_id));
    if (call->n_violations)
        return SK_EINVAL;

    char id[SK_UUID_STRLEN];
    sk_uuid7(id);
    int rc = registry_store_insert_person(call->db, id, req->company_id, req->person, nik);
    if (rc != SK_OK)
        return unique_lost(call, rc, "person.nik", "nik.taken",
                           "NIK is already claimed by a press company");
    Seklik__Registry__Person *p = (Seklik__Registry__Person *)out;
    p->id = sk_call_strdup(call, id);
    p->data = req->person;
    return finish_change(call, "company.add_person", before);
}

/* ---- Registry.UploadDocument ---- */

static bool has_outlet(const Company *c, const char *id)
{
    for (size_t i = 0; i < c->n_outlets; i++)
        if (strcmp(c->outlets[i]->id, id) == 0)
            return true;
    return false;
}

static bool has_person(const Company *c, const char *id)
{
    for (size_t i = 0; i < c->n_people; i++)
        if (strcmp(c->people[i]->id, id) == 0)
            return true;
    return false;
}

static void check_document(sk_call *call, const Seklik__Registry__DocumentInput *d,
                           const Company *c, sk_file_kind *kind)
{
    *kind = SK_FILE_UNKNOWN;
    if (!d) {
        violation(call, "document", NULL, "required", "document is required");
        return;
    }
    if (d->type < SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_AKTA ||
        d->type > SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_OTHER)
        violation(call, "document", "type", "unknown_value", "unknown document type");

    if (!sk_file_size_ok(d->content.len, MAX_DOCUMENT_BYTES))
        violation(call, "document", "content", "file.size", "a file is required, at most 10 MiB");
    else if ((*kind = sk_file_kind_sniff(d->content.data, d->content.len)) ==
             SK_FILE_UNKNOWN)
        violation(call, "document", "content", "file.type",
                  "the file must be a PDF, JPEG or PNG by its content");
    else if (*kind == SK_FILE_PDF && !sk_pdf_opens(d->content.data, d->content.len))
        violation(call, "document", "content", "file.pdf_unreadable",
                  "the file starts like a PDF but does not open as one");
    if (d->file_name && sk_utf8_count(d->file_name, strlen(d->file_name)) > 255)
        violation(call, "document", "fileName", "too_long", "at most 255 characters");
    if (d->number && sk_utf8_count(d->number, strlen(d->number)) > 100)
        violation(call, "document", "number", "too_long", "at most 100 characters");

    int32_t issued = 0, expires = 0;
    bool issued_ok = blank(d->issued_on) || registry_parse_date(d->issued_on, &issued);
    bool expires_ok = blank(d->expires_on) || registry_parse_date(d->expires_on, &expires);
    if (!issued_ok)
        violation(call, "document", "issuedOn", "date.invalid", "must be a real date, YYYY-MM-DD");
    else if (!blank(d->issued_on) && issued > today())
        violation(call, "document", "issuedOn", "date.future", "cannot be in the future");
    if (!expires_ok)
        violation(call, "document", "expiresOn", "date.invalid", "must be a real date, YYYY-MM-DD");
    else if (issued_ok && !blank(d->issued_on) && !blank(d->expires_on) && expires <= issued)
        violation(call, "document", "expiresOn", "document.expiry_before_issue",
                  "expiry must be after the issue date");
    else if (!blank(d->expires_on) && registry_doc_expired(expires, today()))
        violation(call, "document", "expiresOn", "document.expired",
                  "the document has expired already; upload a valid one");
    registry_doc_type dt;
    const ProtobufCEnumValue *tv =
        protobuf_c_enum_descriptor_get_value(&seklik__registry__document_type__descriptor, d->type);
    if (tv && registry_doc_type_parse(tv->name + strlen("DOCUMENT_TYPE_"), &dt) &&
        registry_doc_needs_person(dt) && blank(d->person_id))
        violation(call, "document", "personId", "document.owner_required",
                  "a UKW certificate or press card names its journalist");

    if (d->dewan_pers_status < SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_NONE ||
        d->dewan_pers_status > SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_FAKTUAL)
        violation(call, "document", "dewanPersStatus", "unknown_value",
                  "unknown Dewan Pers status");
    else if (d->dewan_pers_status != SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_NONE &&
             d->type != SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_DEWAN_PERS)
        violation(call, "document", "dewanPersStatus",
                  "document.dewan_pers_level_not_a_certificate",
                  "only a Dewan Pers certificate states a level");
    if (!blank(d->person_id) && (!sk_uuid_valid(d->person_id) || !has_person(c, d->person_id)))
        violation(call, "document", "personId", "document.person_unknown",
                  "the person is not in this company");
    if (!blank(d->outlet_id) && (!sk_uuid_valid(d->outlet_id) || !has_outlet(c, d->outlet_id)))
        violation(call, "document", "outletId", "document.outlet_unknown",
                  "the outlet is not in this company");
}

static void sha256_hex(const uint8_t *data, size_t len, char hex[65])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, data, len);
    sodium_bin2hex(hex, 65, digest, sizeof(digest));
}

static int upload_document(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Registry__UploadDocumentRequest *req =
        (const Seklik__Registry__UploadDocumentRequest *)in;
    SK_TRY(authorize(call, req->company_id, WRITE_ROLES, "uploading to this company"));
    int status = 0;
    int64_t version = 0;
    int rc = registry_store_lock_company(call->db, req->company_id, &status, &version);
    if (rc == SK_ENOTFOUND)
        return not_found(call, "company.not_found: no such company");
    SK_TRY(rc);
    /* Documents are re-uploaded during review too; only a suspension stops it. */
    if (status == SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_SUSPENDED)
        return not_editable(call, status);
    Company *c = NULL;
    SK_TRY(load_company(call, req->company_id, &c));

    const Seklik__Registry__DocumentInput *d = req->document;
    sk_file_kind kind;
    check_document(call, d, c, &kind);
    if (call->n_violations)
        return SK_EINVAL;

    Seklik__Registry__Document doc = SEKLIK__REGISTRY__DOCUMENT__INIT;
    char id[SK_UUID_STRLEN], hex[65];
    sk_uuid7(id);
    sha256_hex(d->content.data, d->content.len, hex);
    doc.id = id;
    doc.type = d->type;
    doc.number = d->number;
    doc.issued_on = d->issued_on;
    doc.expires_on = d->expires_on;
    doc.file_name = d->file_name;
    doc.content_type = (char *)sk_file_kind_mime(kind);
    doc.size = (int64_t)d->content.len;
    doc.sha256 = hex;
    doc.uploaded_by = (char *)actor_id(call);
    doc.person_id = d->person_id;
    doc.outlet_id = d->outlet_id;
    /* A certificate that names no level claims the company's declared one;
     * the verifier confirms or corrects it (scoring counts only that). */
    doc.dewan_pers_status = d->dewan_pers_status;
    if (d->type == SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_DEWAN_PERS &&
        doc.dewan_pers_status == SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_NONE && c->data)
        doc.dewan_pers_status = c->data->dewan_pers_status;
    SK_TRY(registry_store_next_document_version(call->db, req->company_id, d->type, d->person_id,
                                                d->outlet_id, &doc.version));
    SK_TRY(registry_store_insert_document(call->db, req->company_id, &doc, d->content.data,
                                          d->content.len));
    SK_TRY(registry_store_bump_version(call->db, req->company_id));

    Seklik__Registry__Document *stored = (Seklik__Registry__Document *)out;
    char company_id[37];
    SK_TRY(registry_store_load_document(call, id, stored, company_id, NULL));

    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "id", id);
    cJSON_AddNumberToObject(a, "type", stored->type);
    cJSON_AddNumberToObject(a, "version", stored->version);
    cJSON_AddStringToObject(a, "sha256", hex);
    cJSON_AddNumberToObject(a, "size", (double)stored->size);
    cJSON_AddStringToObject(a, "fileName", stored->file_name);
    char *after = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    rc = after ? sk_audit_append_about(call->db, call->actor, req->company_id, "document.upload",
                                       "document", id, NULL, after, call->req->request_id)
               : SK_ENOMEM;
    cJSON_free(after);
    SK_TRY(rc);

    Seklik__Registry__DocumentUploaded ev = SEKLIK__REGISTRY__DOCUMENT_UPLOADED__INIT;
    ev.company_id = (char *)req->company_id;
    ev.document = stored;
    return sk_outbox_append(call->db, "registry.document.uploaded", &ev.base, call->actor,
                            call->req->request_id, NULL);
}

/* ---- Registry.DeleteDocument ---- */

static int delete_document(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Registry__DeleteDocumentRequest *req =
        (const Seklik__Registry__DeleteDocumentRequest *)in;
    SK_TRY(authorize(call, req->company_id, WRITE_ROLES, "deleting this company's documents"));
    if (!sk_uuid_valid(req->document_id))
        return sk_call_violation_code(call, "documentId", "id.invalid",
                                      "document id is not a valid id");
    int status = 0;
    int64_t version = 0;
    int rc = registry_store_lock_company(call->db, req->company_id, &status, &version);
    if (rc == SK_ENOTFOUND)
        return not_found(call, "company.not_found: no such company");
    SK_TRY(rc);
    bool found = false, deleted = false;
    SK_TRY(registry_store_lock_document(call->db, req->company_id, req->document_id, &found,
                                        &deleted));
    /* Another company's document answers as one that does not exist. */
    if (!found)
        return not_found(call, "document.not_found: no such document");
    Seklik__Registry__Document *doc = sk_call_alloc(call, sizeof(*doc));
    if (!doc)
        return SK_ENOMEM;
    seklik__registry__document__init(doc);
    char company_id[37];
    if (!deleted)
        SK_TRY(registry_store_load_document(call, req->document_id, doc, company_id, NULL));
    registry_delete_verdict v =
        registry_may_delete_document(editable(status), deleted, doc->uploaded_by, actor_id(call));
    if (v != REGISTRY_DELETE_OK) {
        static const char *const why[] = {
            [REGISTRY_DELETE_GONE] = "document.deleted: the document was deleted already",
            [REGISTRY_DELETE_NOT_EDITABLE] =
                "document.not_editable: the company is under review; its documents stay",
            [REGISTRY_DELETE_NOT_UPLOADER] =
                "document.not_uploader: only who uploaded a document deletes it",
        };
        return sk_call_fail(call, v == REGISTRY_DELETE_NOT_UPLOADER ? SK_EPERM : SK_EPRECOND,
                            why[v]);
    }

    SK_TRY(registry_store_delete_document(call->db, req->document_id, actor_id(call)));
    SK_TRY(registry_store_bump_version(call->db, req->company_id));
    Seklik__Registry__Document *current = sk_call_alloc(call, sizeof(*current));
    if (!current)
        return SK_ENOMEM;
    seklik__registry__document__init(current);
    rc = registry_store_slot_current(call, req->document_id, current);
    if (rc == SK_ENOTFOUND)
        current = NULL;
    else
        SK_TRY(rc);

    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "id", doc->id);
    cJSON_AddNumberToObject(b, "type", doc->type);
    cJSON_AddNumberToObject(b, "version", doc->version);
    cJSON_AddStringToObject(b, "sha256", doc->sha256);
    cJSON_AddStringToObject(b, "fileName", doc->file_name);
    char *bs = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    char after[120];
    snprintf(after, sizeof(after), "{\"deleted\":true,\"current\":\"%s\"}",
             current ? current->id : "");
    rc = bs ? sk_audit_append_about(call->db, call->actor, req->company_id, "document.delete",
                                    "document", req->document_id, bs, after,
                                    call->req->request_id)
            : SK_ENOMEM;
    cJSON_free(bs);
    SK_TRY(rc);

    Seklik__Registry__DocumentDeleted ev = SEKLIK__REGISTRY__DOCUMENT_DELETED__INIT;
    ev.company_id = (char *)req->company_id;
    ev.document = doc;
    ev.current = current;
    SK_TRY(sk_outbox_append(call->db, "registry.document.deleted", &ev.base, call->actor,
                            call->req->request_id, NULL));
    return registry_store_load_company(call, req->company_id, (Company *)out);
}

/* ---- Registry.Submit ---- */

/* The fiscal year, as verification opened it, takes this company now:
 * inside its registration window, its list not yet final, a CV only when
 * the year allows one. */
static int check_year_rules(sk_call *call, const Company *c, int fiscal_year)
{
    registry_year_rules y;
    SK_TRY(registry_store_year(call->db, fiscal_year, &y));
    registry_legal_form form = REGISTRY_LEGAL_FORM_PT;
    const char *name = legal_form_text(c->data ? c->data->legal_form : 0);
    if (!registry_legal_form_parse(name, &form))
        form = REGISTRY_LEGAL_FORM_PT; /* check_company refused it when it was stored */
    switch (registry_may_submit(&y, form, today())) {
    case REGISTRY_SUBMIT_OK: return SK_OK;
    case REGISTRY_SUBMIT_YEAR_NOT_OPEN:
        return sk_call_violation_code(call, "fiscalYear", "registration.year_not_open",
                                      "the fiscal year is not open for registration");
    case REGISTRY_SUBMIT_NOT_YET_OPEN:
        return sk_call_violation_code(call, "fiscalYear", "registration.not_yet_open",
                                      "the registration window has not opened yet");
    case REGISTRY_SUBMIT_CLOSED:
        return sk_call_violation_code(call, "fiscalYear", "registration.closed",
                                      "the registration window has closed");
    case REGISTRY_SUBMIT_YEAR_FINAL:
        return sk_call_violation_code(call, "fiscalYear", "registration.year_final",
                                      "the year's partner list is final");
    case REGISTRY_SUBMIT_CV_NOT_ALLOWED:
        return sk_call_violation_code(call, "fiscalYear", "legal_form.cv_not_allowed",
                                      "a CV may not register for this fiscal year");
    }
    return SK_EINTERNAL;
}

static bool has_chief_editor(const Company *c)
{
    for (size_t i = 0; i < c->n_people; i++)
        if (c->people[i]->data->role == SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_CHIEF_EDITOR)
            return true;
    return false;
}

static int submit(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Registry__SubmitRequest *req = (const Seklik__Registry__SubmitRequest *)in;
    SK_TRY(authorize(call, req->company_id, WRITE_ROLES, "submitting this company"));
    if (req->fiscal_year < 2000 || req->fiscal_year > 2100)
        return sk_call_violation_code(call, "fiscalYear", "out_of_range",
                                      "must be between 2000 and 2100");
    Company *before = NULL;
    SK_TRY(open_for_change(call, req->company_id, &before));
    if (before->n_outlets == 0 || !has_chief_editor(before))
        return sk_call_fail(
            call, SK_EPRECOND,
            "company.incomplete: a company needs an outlet and a chief editor to submit");
    SK_TRY(check_year_rules(call, before, req->fiscal_year));

    SK_TRY(registry_store_submit(call->db, req->company_id, req->fiscal_year));
    Company *after = (Company *)out;
    SK_TRY(registry_store_load_company(call, req->company_id, after));
    SK_TRY(audit_company(call, "company.submit", before, after));
    return emit_submitted(call, after);
}

/* ---- queries ---- */

static int get_company(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Registry__GetCompanyRequest *req = (const Seklik__Registry__GetCompanyRequest *)in;
    SK_TRY(authorize(call, req->company_id, READ_ROLES, "reading this company"));
    int rc = registry_store_load_company(call, req->company_id, (Company *)out);
    return rc == SK_ENOTFOUND ? not_found(call, "company.not_found: no such company") : rc;
}

/* Page tokens are the hex of the last row's key: its id (36 characters)
 * then its legal name. Opaque to clients, cheap to check. */
static char *page_token(sk_call *call, const char *id, const char *name)
{
    size_t n = strlen(id) + strlen(name);
    char *key = malloc(n + 1), *hex = sk_call_alloc(call, 2 * n + 1);
    if (!key || !hex) {
        free(key);
        return NULL;
    }
    snprintf(key, n + 1, "%s%s", id, name);
    sodium_bin2hex(hex, 2 * n + 1, (const unsigned char *)key, n);
    free(key);
    return hex;
}

static bool parse_page_token(sk_call *call, const char *token, char id[37], char **name)
{
    size_t hex_len = strlen(token);
    if (hex_len % 2 || hex_len / 2 <= 36 || hex_len > 2 * 512)
        return false;
    unsigned char *key = sk_call_alloc(call, hex_len / 2 + 1);
    size_t n = 0;
    if (!key || sodium_hex2bin(key, hex_len / 2, token, hex_len, NULL, &n, NULL) != 0 ||
        n != hex_len / 2)
        return false;
    memcpy(id, key, 36);
    id[36] = '\0';
    *name = (char *)key + 36;
    return sk_uuid_valid(id) && strlen(*name) == n - 36;
}

static int list_companies(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Registry__ListCompaniesRequest *req =
        (const Seklik__Registry__ListCompaniesRequest *)in;
    Seklik__Registry__ListCompaniesResponse *resp = (Seklik__Registry__ListCompaniesResponse *)out;
    registry_list_filter f = {.query = req->query, .status = req->status,
                              .outlet_type = req->outlet_type};

    if (!sk_actor_has_any_role(call->actor, READ_ROLES)) {
        if (!sk_actor_has_role(call->actor, SK_ROLE_PARTNER))
            return deny(call, "listing companies");
        if (blank(call->actor->company_id))
            return SK_OK; /* a partner without a company sees nothing */
        f.only_company = call->actor->company_id;
    }
    if (req->status < 0 || req->status > SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_SUSPENDED)
        sk_call_violation_code(call, "status", "unknown_value", "unknown status");
    if (req->outlet_type < 0 || req->outlet_type > SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_TV)
        sk_call_violation_code(call, "outletType", "unknown_value", "unknown outlet type");
    if (req->query && sk_utf8_count(req->query, strlen(req->query)) > 200)
        sk_call_violation_code(call, "query", "too_long", "at most 200 characters");
    if (!blank(req->tier)) {
        if (strcmp(req->tier, "A") && strcmp(req->tier, "B") && strcmp(req->tier, "C") &&
            strcmp(req->tier, "-"))
            sk_call_violation_code(call, "tier", "tier.unknown", "tier must be A, B, C or -");
        f.tier = req->tier;
    }
    char after_id[37];
    char *after_name = NULL;
    if (!blank(req->page_token)) {
        if (!parse_page_token(call, req->page_token, after_id, &after_name))
            sk_call_violation_code(call, "pageToken", "page_token.invalid", "invalid page token");
        f.after_id = after_id;
        f.after_name = after_name;
    }
    if (call->n_violations)
        return SK_EINVAL;
    f.limit = req->page_size == 0 ? 20 : req->page_size > 100 ? 100 : (int)req->page_size;

    bool more = false;
    SK_TRY(registry_store_list(call, &f, resp, &more));
    if (more && resp->n_companies > 0) {
        const Seklik__Registry__CompanySummary *last = resp->companies[resp->n_companies - 1];
        resp->next_page_token = page_token(call, last->id, last->legal_name);
        if (!resp->next_page_token)
            return SK_ENOMEM;
    }
    return SK_OK;
}

static int get_document_file(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Registry__GetDocumentFileRequest *req =
        (const Seklik__Registry__GetDocumentFileRequest *)in;
    Seklik__Registry__DocumentFile *file = (Seklik__Registry__DocumentFile *)out;
    if (!sk_uuid_valid(req->document_id))
        return sk_call_violation_code(call, "documentId", "id.invalid",
                                      "document id is not a valid id");
    Seklik__Registry__Document *d = sk_call_alloc(call, sizeof(*d));
    if (!d)
        return SK_ENOMEM;
    seklik__registry__document__init(d);
    char company_id[37];
    /* Metadata first: the bytes are read only for someone who may see them. */
    int rc = registry_store_load_document(call, req->document_id, d, company_id, NULL);
    if (rc == SK_ENOTFOUND)
        return not_found(call, "document.not_found: no such document");
    SK_TRY(rc);
    /* Another company's document answers as one that does not exist: the
     * answer must not tell a partner which document ids are real. */
    if (!sk_actor_may_act_for_company(call->actor, company_id, READ_ROLES))
        return not_found(call, "document.not_found: no such document");
    SK_TRY(registry_store_load_document(call, req->document_id, d, company_id, &file->content));
    file->document = d;
    return SK_OK;
}

/* Registry.GetYear: the rules Submit applies for a year, to any signed
 * actor (a partner sees when it may register). NOT_FOUND for a year the
 * registry has not heard opened. */
static int get_year(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Registry__GetYearRequest *req = (const Seklik__Registry__GetYearRequest *)in;
    if (blank(call->actor->user_id))
        return deny(call, "reading a fiscal year");
    registry_year_rules y;
    SK_TRY(registry_store_year(call->db, req->fiscal_year, &y));
    if (!y.opened)
        return not_found(call, "year.not_found: the fiscal year is not opened");
    Seklik__Registry__YearRules *r = (Seklik__Registry__YearRules *)out;
    char *opens = sk_call_alloc(call, 11), *closes = sk_call_alloc(call, 11);
    if (!opens || !closes)
        return SK_ENOMEM;
    registry_format_date(y.opens_on, opens);
    registry_format_date(y.closes_on, closes);
    r->fiscal_year = req->fiscal_year;
    r->registration_opens_on = opens;
    r->registration_closes_on = closes;
    r->cv_allowed = y.cv_allowed;
    r->final = y.final;
    return SK_OK;
}

/* ---- the service ---- */

static const sk_rpc_method methods[] = {
    {"Health", sk_service_health, SK_RPC_QUERY},
    {"RegisterCompany", register_company, SK_RPC_COMMAND},
    {"Update", update_company, SK_RPC_COMMAND},
    {"AddOutlet", add_outlet, SK_RPC_COMMAND},
    {"AddPerson", add_person, SK_RPC_COMMAND},
    {"UploadDocument", upload_document, SK_RPC_COMMAND},
    {"DeleteDocument", delete_document, SK_RPC_COMMAND},
    {"Submit", submit, SK_RPC_COMMAND},
    {"GetCompany", get_company, SK_RPC_QUERY},
    {"ListCompanies", list_companies, SK_RPC_QUERY},
    {"GetDocumentFile", get_document_file, SK_RPC_QUERY},
    {"GetYear", get_year, SK_RPC_QUERY},
};

static const char *const VERIFICATION_PREFIXES[] = {"verification.", NULL};
static const char *const SCORING_PREFIXES[] = {"scoring.outlet.tiered", NULL};

static const sk_subscription_def subscriptions[] = {
    {"verification", VERIFICATION_PREFIXES, registry_apply_verification},
    {"scoring", SCORING_PREFIXES, registry_apply_scoring},
};

extern const sk_migration registry_migrations[];
extern const size_t registry_migrations_count;

const sk_service_def registry_service = {
    .name = "registry",
    .api = &seklik__registry__registry__descriptor,
    .methods = methods,
    .n_methods = sizeof(methods) / sizeof(methods[0]),
    .migrations = registry_migrations,
    .n_migrations = &registry_migrations_count,
    .subscriptions = subscriptions,
    .n_subscriptions = sizeof(subscriptions) / sizeof(subscriptions[0]),
};
