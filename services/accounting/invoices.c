/* invoices.c - the tax table, invoices and the regional payment documents
 * (issue 13; docs/adr/0019-invoices-taxes-payment.md).
 *
 * A partner invoices its accepted orders; finance checks the invoice, which
 * computes its taxes with the year's published table and stores every line;
 * then SIPD's documents are recorded in their order: SPP, the PPK's check,
 * SPM, SP2D. Money moves at two of them, inside the command's transaction:
 *
 *   SPM   pending  expense -> partner payable (net), -> tax:pph23, -> tax:ppn
 *   SP2D  each order's reservation posted (available -> realised), those
 *         pending transfers posted, and the net paid: payable -> cash
 *
 * Cancelling the SPM voids its pending transfers; the SP2D is final. Every
 * command locks the invoice row first, so its steps apply one at a time and
 * an invoice is paid once (a unique index on live steps says so too). */
#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "sk_actor.h"
#include "sk_audit.h"
#include "sk_err.h"
#include "sk_file.h"
#include "sk_id.h"
#include "sk_ledger.h"
#include "sk_log.h"
#include "sk_outbox.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE_SIZE_DEFAULT 50
#define PAGE_SIZE_MAX 200
#define RES_PENDING 1
#define RES_POSTED 2

int32_t acc_today_wib(void)
{
    return (int32_t)((time(NULL) + 7 * 3600) / 86400);
}

/* ---- who may ---- */

/* Finance keeps the tax table and the payments (DOMAIN.md, Roles). */
static bool may_finance(const sk_call *call)
{
    return !acc_is_partner(call) && sk_actor_has_role(call->actor, SK_ROLE_FINANCE);
}

/* The partner's own company, or NULL when the actor is no partner of one. */
static const char *partner_company(const sk_call *call)
{
    const char *c = call->actor->company_id;
    return sk_actor_has_role(call->actor, SK_ROLE_PARTNER) && c && sk_uuid_valid(c) ? c : NULL;
}

/* Staff, or a partner with its company. */
static bool may_read_invoices(const sk_call *call)
{
    return acc_is_partner(call) ? partner_company(call) != NULL : acc_may_read(call);
}

/* ---- small helpers ---- */

/* Name `field` with `code` and fail with `rc` and "<code>: <english>", the
 * message the UI words by its code. */
static int fail_named(sk_call *call, int rc, const char *field, const char *code,
                      const char *english)
{
    char msg[300];
    snprintf(msg, sizeof(msg), "%s: %s", code, english);
    sk_call_violation_code(call, field, code, english);
    return sk_call_fail(call, rc, msg);
}

static int precondition(sk_call *call, const char *field, const char *code, const char *english)
{
    return fail_named(call, SK_EPRECOND, field, code, english);
}

static char *day_str(sk_call *call, int32_t day)
{
    char d[11] = "";
    if (day >= 0)
        accounting_date_format(day, d);
    return sk_call_strdup(call, d);
}

static void sha256_hex(const uint8_t *data, size_t len, char hex[65])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, data, len);
    for (size_t i = 0; i < sizeof(digest); i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

static int stale_version(sk_call *call, int64_t now)
{
    char msg[200];
    snprintf(msg, sizeof(msg), "the invoice changed meanwhile: its version is now %lld",
             (long long)now);
    return precondition(call, "expectedVersion", "invoice.changed", msg);
}

/* ---- the tax table ---- */

static void table_from(const Seklik__Accounting__TaxTableInput *m, accounting_tax_table *t)
{
    memset(t, 0, sizeof(*t));
    t->fiscal_year = m->fiscal_year;
    t->pph23_bp = m->pph23_rate_bp;
    t->no_npwp_uplift_pct = m->no_npwp_uplift_percent;
    t->ppn_bp = m->ppn_rate_bp;
    t->dpp_num = m->dpp_factor_numerator;
    t->dpp_den = m->dpp_factor_denominator;
    t->wapu_threshold = m->wapu_threshold;
    t->rounding = (int)m->rounding;
}

static Seklik__Accounting__TaxTableInput *table_input_msg(sk_call *call,
                                                          const accounting_tax_table *t,
                                                          const char *legal_basis)
{
    Seklik__Accounting__TaxTableInput *m = sk_call_alloc(call, sizeof(*m));
    if (!m)
        return NULL;
    seklik__accounting__tax_table_input__init(m);
    m->fiscal_year = t->fiscal_year;
    m->pph23_rate_bp = t->pph23_bp;
    m->no_npwp_uplift_percent = t->no_npwp_uplift_pct;
    m->ppn_rate_bp = t->ppn_bp;
    m->dpp_factor_numerator = t->dpp_num;
    m->dpp_factor_denominator = t->dpp_den;
    m->wapu_threshold = t->wapu_threshold;
    m->rounding = (Seklik__Accounting__Rounding)t->rounding;
    m->legal_basis = sk_call_strdup(call, legal_basis ? legal_basis : "");
    return m;
}

static const char DEFAULT_LEGAL_BASIS[] =
    "PPh 23: PMK 141/2015 pasal 1 ayat (6) huruf t dan ae; UU PPh pasal 23 ayat (1a). "
    "PPN: UU HPP, PMK 131/2024 (DPP nilai lain 11/12). Pemungutan oleh bendahara: PMK 81/2024.";

static int tax_table_msg(sk_call *call, const accounting_tax_table_row *r,
                         Seklik__Accounting__TaxTable *out)
{
    out->data = table_input_msg(call, &r->t, r->legal_basis);
    out->version = r->version;
    out->state = (Seklik__Accounting__TaxTableState)r->state;
    out->saved_at = sk_call_strdup(call, r->saved_at);
    out->saved_by = sk_call_strdup(call, r->saved_by);
    out->published_at = sk_call_strdup(call, r->published_at);
    out->published_by = sk_call_strdup(call, r->published_by);
    return out->data ? SK_OK : SK_ENOMEM;
}

static void audit_table(cJSON *o, const accounting_tax_table_row *r)
{
    cJSON_AddNumberToObject(o, "fiscalYear", r->t.fiscal_year);
    cJSON_AddNumberToObject(o, "version", r->version);
    cJSON_AddNumberToObject(o, "pph23RateBp", r->t.pph23_bp);
    cJSON_AddNumberToObject(o, "noNpwpUpliftPercent", r->t.no_npwp_uplift_pct);
    cJSON_AddNumberToObject(o, "ppnRateBp", r->t.ppn_bp);
    cJSON_AddNumberToObject(o, "dppFactorNumerator", r->t.dpp_num);
    cJSON_AddNumberToObject(o, "dppFactorDenominator", r->t.dpp_den);
    acc_json_money(o, "wapuThreshold", r->t.wapu_threshold);
    cJSON_AddStringToObject(o, "rounding", accounting_rounding_name(r->t.rounding));
    cJSON_AddStringToObject(o, "legalBasis", r->legal_basis);
}

/* Accounting.SaveTaxTable (finance): the year's draft, made or changed. */
int acc_save_tax_table(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__SaveTaxTableRequest *req =
        (const Seklik__Accounting__SaveTaxTableRequest *)in;
    if (!may_finance(call))
        return acc_deny(call, "tax table");
    if (!req->table)
        return sk_call_violation_code(call, "table", "required", "required");
    accounting_tax_table t;
    table_from(req->table, &t);
    accounting_violations v = {0};
    char basis[ACCOUNTING_TEXT_SIZE(ACCOUNTING_LEGAL_BASIS_MAX)];
    accounting_check_tax_table(&t, &v);
    accounting_text_check(req->table->legal_basis, 0, ACCOUNTING_LEGAL_BASIS_MAX, true, basis,
                          sizeof(basis), "table.legalBasis", &v);
    if (req->expected_version < 0)
        accounting_violation(&v, "expectedVersion", "negative", "must be 0 or more");
    if (v.n)
        return acc_refuse(call, SK_EINVAL, &v);

    SK_TRY(accounting_store_lock_tax_year(call->db, t.fiscal_year));
    accounting_tax_table_row draft, saved;
    int rc = accounting_store_tax_table(call->db, t.fiscal_year, TAX_DRAFT, 0, &draft);
    if (rc != SK_OK && rc != SK_ENOTFOUND)
        return rc;
    bool have = rc == SK_OK;
    if (req->expected_version != 0 && (!have || draft.version != req->expected_version))
        return precondition(call, "expectedVersion", "tax_table.draft_changed",
                            "the draft changed or was published meanwhile");
    SK_TRY(accounting_store_save_tax_draft(call->db, &t, have ? draft.version : 0, basis,
                                           acc_actor_id(call), &saved));
    cJSON *after = cJSON_CreateObject();
    audit_table(after, &saved);
    char *before = NULL;
    if (have) {
        cJSON *b = cJSON_CreateObject();
        audit_table(b, &draft);
        before = acc_json_text(call, b);
    }
    SK_TRY(sk_audit_append(call->db, call->actor, "tax_table.saved", "tax_table",
                           sk_call_strdup(call, "draft"), before, acc_json_text(call, after),
                           call->req->request_id));
    return tax_table_msg(call, &saved, (Seklik__Accounting__TaxTable *)out);
}

/* Accounting.PublishTaxTable (finance): the draft becomes the year's table;
 * the one before is superseded (computations keep the version they used). */
int acc_publish_tax_table(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__TaxTableRequest *req =
        (const Seklik__Accounting__TaxTableRequest *)in;
    Seklik__Accounting__TaxTable *reply = (Seklik__Accounting__TaxTable *)out;
    if (!may_finance(call))
        return acc_deny(call, "tax table");
    int bad = SK_OK;
    if (req->fiscal_year < 2000 || req->fiscal_year > 2100)
        bad = sk_call_violation_code(call, "fiscalYear", "out_of_range",
                                     "must be between 2000 and 2100");
    if (req->version < 1)
        bad =
            sk_call_violation_code(call, "version", "required", "the draft's version is required");
    if (bad)
        return bad;
    SK_TRY(accounting_store_lock_tax_year(call->db, req->fiscal_year));
    accounting_tax_table_row r;
    int rc = accounting_store_publish_tax_table(call->db, req->fiscal_year, req->version,
                                                acc_actor_id(call), &r);
    if (rc == SK_ENOTFOUND)
        return precondition(call, "version", "tax_table.not_draft",
                            "this version is not the year's draft");
    SK_TRY(rc);
    cJSON *after = cJSON_CreateObject();
    audit_table(after, &r);
    cJSON_AddStringToObject(after, "state", "published");
    char entity[32];
    snprintf(entity, sizeof(entity), "%d/%d", r.t.fiscal_year, r.version);
    SK_TRY(sk_audit_append(call->db, call->actor, "tax_table.published", "tax_table", entity,
                           NULL, acc_json_text(call, after), call->req->request_id));
    SK_TRY(tax_table_msg(call, &r, reply));
    return sk_outbox_append(call->db, "accounting.tax_table.published", &reply->base, call->actor,
                            call->req->request_id, NULL);
}

/* Accounting.GetTaxTable (staff): a version, or the draft, else the
 * published table, else the regulations' defaults (version 0). */
int acc_get_tax_table(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__TaxTableRequest *req =
        (const Seklik__Accounting__TaxTableRequest *)in;
    if (!acc_may_read(call))
        return acc_deny(call, "tax table");
    if (req->fiscal_year < 2000 || req->fiscal_year > 2100)
        return sk_call_violation_code(call, "fiscalYear", "out_of_range",
                                      "must be between 2000 and 2100");
    accounting_tax_table_row r;
    int rc = accounting_store_tax_table(call->db, req->fiscal_year, TAX_DRAFT, req->version, &r);
    if (rc == SK_ENOTFOUND && req->version == 0)
        rc = accounting_store_tax_table(call->db, req->fiscal_year, TAX_PUBLISHED, 0, &r);
    if (rc == SK_ENOTFOUND && req->version != 0)
        return acc_not_found(call, "version", "tax_table.not_found", "no such tax table");
    if (rc == SK_ENOTFOUND) {
        memset(&r, 0, sizeof(r));
        accounting_tax_table_default(req->fiscal_year, &r.t);
        r.state = TAX_DRAFT;
        snprintf(r.legal_basis, sizeof(r.legal_basis), "%s", DEFAULT_LEGAL_BASIS);
        rc = SK_OK;
    }
    SK_TRY(rc);
    return tax_table_msg(call, &r, (Seklik__Accounting__TaxTable *)out);
}

/* Accounting.ListTaxTables (staff): every version of the year, newest first. */
int acc_list_tax_tables(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__ListTaxTablesRequest *req =
        (const Seklik__Accounting__ListTaxTablesRequest *)in;
    Seklik__Accounting__ListTaxTablesResponse *resp =
        (Seklik__Accounting__ListTaxTablesResponse *)out;
    if (!acc_may_read(call))
        return acc_deny(call, "tax tables");
    if (req->fiscal_year < 2000 || req->fiscal_year > 2100)
        return sk_call_violation_code(call, "fiscalYear", "out_of_range",
                                      "must be between 2000 and 2100");
    PGresult *res;
    SK_TRY(accounting_store_tax_tables(call->db, req->fiscal_year, &res));
    int n = PQntuples(res), rc = SK_OK;
    resp->tables = sk_call_alloc(call, sizeof(*resp->tables) * (size_t)(n ? n : 1));
    for (int i = 0; i < n && rc == SK_OK; i++) {
        Seklik__Accounting__TaxTable *m = sk_call_alloc(call, sizeof(*m));
        if (!m || !resp->tables) {
            rc = SK_ENOMEM;
            break;
        }
        seklik__accounting__tax_table__init(m);
        accounting_tax_table_row r;
        accounting_store_tax_table_at(res, i, &r);
        rc = tax_table_msg(call, &r, m);
        resp->tables[resp->n_tables++] = m;
    }
    PQclear(res);
    return rc;
}

static int computation_msg(sk_call *call, const char *id, const accounting_tax_table *t,
                           int table_version, const accounting_tax_input *in,
                           const accounting_tax_lines *l, const char *at, const char *by,
                           Seklik__Accounting__TaxComputation *out)
{
    out->id = sk_call_strdup(call, id ? id : "");
    out->fiscal_year = t->fiscal_year;
    out->table_version = table_version;
    out->table = table_input_msg(call, t, NULL);
    out->gross = l->gross;
    out->pkp = in->pkp;
    out->has_npwp = in->has_npwp;
    out->price_before_vat = l->price_before_vat;
    out->dpp_other = l->dpp_other;
    out->ppn = l->ppn;
    out->wapu = l->wapu;
    out->ppn_collected = l->ppn_collected;
    out->pph23_base = l->pph23_base;
    out->pph23_rate_bp = l->pph23_bp;
    out->pph23 = l->pph23;
    out->net = l->net;
    out->computed_at = sk_call_strdup(call, at ? at : "");
    out->computed_by = sk_call_strdup(call, by ? by : "");
    return out->table ? SK_OK : SK_ENOMEM;
}

/* Accounting.PreviewTax (staff): a computation with a given table, stored nowhere. */
int acc_preview_tax(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__PreviewTaxRequest *req =
        (const Seklik__Accounting__PreviewTaxRequest *)in;
    if (!acc_may_read(call))
        return acc_deny(call, "tax table");
    if (!req->table)
        return sk_call_violation_code(call, "table", "required", "required");
    accounting_tax_table t;
    table_from(req->table, &t);
    accounting_violations v = {0};
    accounting_check_tax_table(&t, &v);
    if (req->gross < 0 || req->gross > ACCOUNTING_MONEY_MAX)
        accounting_violation(&v, "gross", "money.out_of_range",
                             "must be between 0 and 10^13 rupiah");
    if (v.n)
        return acc_refuse(call, SK_EINVAL, &v);
    accounting_tax_input ti = {req->gross, req->pkp, req->has_npwp};
    accounting_tax_lines l;
    if (!accounting_compute_tax(&t, &ti, &l))
        return fail_named(call, SK_EINVAL, "table", "tax_table.cannot_compute",
                          "the table cannot compute this");
    return computation_msg(call, NULL, &t, 0, &ti, &l, NULL, NULL,
                           (Seklik__Accounting__TaxComputation *)out);
}

/* ---- supporting documents by value ---- */

static int rules_msg(sk_call *call, int year, const accounting_document_rules_row *r,
                     Seklik__Accounting__DocumentRules *out)
{
    out->fiscal_year = year;
    out->defaults = !r->saved;
    out->saved_at = sk_call_strdup(call, r->saved_at);
    out->saved_by = sk_call_strdup(call, r->saved_by);
    out->rules = sk_call_alloc(call, sizeof(*out->rules) * ACCOUNTING_DOC_KINDS);
    if (!out->rules)
        return SK_ENOMEM;
    for (int kind = 1; kind <= ACCOUNTING_DOC_KINDS; kind++) {
        if (!r->listed[kind])
            continue;
        Seklik__Accounting__DocumentRule *m = sk_call_alloc(call, sizeof(*m));
        if (!m)
            return SK_ENOMEM;
        seklik__accounting__document_rule__init(m);
        m->kind = (Seklik__Accounting__DocumentKind)kind;
        for (size_t i = 0; i < r->n; i++)
            if (r->rules[i].kind == kind) {
                m->required = true;
                m->above = r->rules[i].above;
                m->up_to = r->rules[i].up_to;
            }
        out->rules[out->n_rules++] = m;
    }
    return SK_OK;
}

static bool year_ok(int year)
{
    return year >= 2000 && year <= 2100;
}

/* Accounting.GetDocumentRules (everyone signed in, partners too: the
 * checklist is theirs to meet). */
int acc_get_document_rules(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__DocumentRulesRequest *req =
        (const Seklik__Accounting__DocumentRulesRequest *)in;
    if (!may_read_invoices(call))
        return acc_deny(call, "document rules");
    if (!year_ok(req->fiscal_year))
        return sk_call_violation_code(call, "fiscalYear", "out_of_range",
                                      "must be between 2000 and 2100");
    accounting_document_rules_row r;
    SK_TRY(accounting_store_document_rules(call->db, req->fiscal_year, &r));
    return rules_msg(call, req->fiscal_year, &r, (Seklik__Accounting__DocumentRules *)out);
}

/* Accounting.SaveDocumentRules (finance): the year's checklist by value. */
int acc_save_document_rules(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__DocumentRules *req = (const Seklik__Accounting__DocumentRules *)in;
    if (!may_finance(call))
        return acc_deny(call, "document rules");
    accounting_violations v = {0};
    if (!year_ok(req->fiscal_year))
        accounting_violation(&v, "fiscalYear", "out_of_range", "must be between 2000 and 2100");
    if (req->n_rules > ACCOUNTING_DOC_KINDS)
        return fail_named(call, SK_EINVAL, "rules", "too_many", "at most 4 entries");
    accounting_document_rule rules[ACCOUNTING_DOC_KINDS];
    bool required[ACCOUNTING_DOC_KINDS];
    for (size_t i = 0; i < req->n_rules; i++) {
        const Seklik__Accounting__DocumentRule *m = req->rules[i];
        rules[i] = (accounting_document_rule){(int)m->kind, m->required ? m->above : 0,
                                             m->required ? m->up_to : 0};
        required[i] = m->required;
    }
    accounting_check_document_rules(rules, req->n_rules, &v);
    if (v.n)
        return acc_refuse(call, SK_EINVAL, &v);
    SK_TRY(accounting_store_save_document_rules(call->db, req->fiscal_year, rules, required,
                                                req->n_rules, acc_actor_id(call)));
    accounting_document_rules_row r;
    SK_TRY(accounting_store_document_rules(call->db, req->fiscal_year, &r));
    cJSON *after = cJSON_CreateArray();
    for (size_t i = 0; i < req->n_rules; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "kind", accounting_document_kind_name(rules[i].kind));
        cJSON_AddBoolToObject(x, "required", required[i]);
        acc_json_money(x, "above", rules[i].above);
        acc_json_money(x, "upTo", rules[i].up_to);
        cJSON_AddItemToArray(after, x);
    }
    char entity[16];
    snprintf(entity, sizeof(entity), "%d", req->fiscal_year);
    SK_TRY(sk_audit_append(call->db, call->actor, "document_rules.saved", "document_rules",
                           entity, NULL, acc_json_text(call, after), call->req->request_id));
    return rules_msg(call, req->fiscal_year, &r, (Seklik__Accounting__DocumentRules *)out);
}

/* ---- an invoice as the API shows it ---- */

static const char *const RES_STATE_PAID = "posted";

/* The invoice's orders into `out` (and their gross to *sum). */
static int orders_msg(sk_call *call, const accounting_invoice_row *r,
                      Seklik__Accounting__Invoice *out)
{
    PGresult *res;
    SK_TRY(accounting_store_invoice_orders(call->db, r->id, &res));
    int n = PQntuples(res), rc = SK_OK;
    out->orders = sk_call_alloc(call, sizeof(*out->orders) * (size_t)(n ? n : 1));
    out->data->order_ids = sk_call_alloc(call, sizeof(char *) * (size_t)(n ? n : 1));
    for (int i = 0; i < n && rc == SK_OK; i++) {
        Seklik__Accounting__InvoiceOrder *o = sk_call_alloc(call, sizeof(*o));
        if (!o || !out->orders || !out->data->order_ids) {
            rc = SK_ENOMEM;
            break;
        }
        seklik__accounting__invoice_order__init(o);
        o->order_id = sk_call_strdup(call, PQgetvalue(res, i, IO_ORDER));
        o->number = sk_call_strdup(call, PQgetvalue(res, i, IO_NUMBER));
        o->gross = sk_db_get_int64(res, i, IO_GROSS);
        o->budget_line_id = sk_call_strdup(call, PQgetvalue(res, i, IO_LINE));
        o->title = sk_call_strdup(call, PQgetvalue(res, i, IO_TITLE));
        o->outlet_name = sk_call_strdup(call, PQgetvalue(res, i, IO_OUTLET));
        o->issued_on = sk_call_strdup(call, PQgetvalue(res, i, IO_ISSUED));
        o->proof_accepted_on = sk_call_strdup(call, PQgetvalue(res, i, IO_ACCEPTED));
        o->paid = strcmp(PQgetvalue(res, i, IO_RES_STATE), RES_STATE_PAID) == 0;
        out->orders[out->n_orders++] = o;
        out->data->order_ids[out->data->n_order_ids++] = o->order_id;
    }
    PQclear(res);
    return rc;
}

static int documents_msg(sk_call *call, const accounting_invoice_row *r,
                         Seklik__Accounting__Invoice *out, bool present[ACCOUNTING_DOC_KINDS + 1])
{
    PGresult *res;
    SK_TRY(accounting_store_invoice_documents(call->db, r->id, &res));
    int n = PQntuples(res), rc = SK_OK;
    out->documents = sk_call_alloc(call, sizeof(*out->documents) * (size_t)(n ? n : 1));
    for (int i = 0; i < n && rc == SK_OK; i++) {
        Seklik__Accounting__InvoiceDocument *d = sk_call_alloc(call, sizeof(*d));
        if (!d || !out->documents) {
            rc = SK_ENOMEM;
            break;
        }
        seklik__accounting__invoice_document__init(d);
        int kind = accounting_document_kind_parse(PQgetvalue(res, i, DOC_KIND));
        d->id = sk_call_strdup(call, PQgetvalue(res, i, DOC_ID));
        d->kind = (Seklik__Accounting__DocumentKind)kind;
        d->file_name = sk_call_strdup(call, PQgetvalue(res, i, DOC_NAME));
        d->content_type = sk_call_strdup(call, PQgetvalue(res, i, DOC_TYPE));
        d->sha256 = sk_call_strdup(call, PQgetvalue(res, i, DOC_SHA));
        d->size = sk_db_get_int64(res, i, DOC_SIZE);
        d->uploaded_at = sk_call_strdup(call, PQgetvalue(res, i, DOC_AT));
        d->uploaded_by = sk_call_strdup(call, PQgetvalue(res, i, DOC_BY));
        if (kind >= 1 && kind <= ACCOUNTING_DOC_KINDS)
            present[kind] = true;
        out->documents[out->n_documents++] = d;
    }
    PQclear(res);
    return rc;
}

/* What the year's rules require of this invoice and whether it is there:
 * an uploaded file of the kind, or for the agreement, the signed scan
 * ordering keeps for every order's agreement. The first missing kind to
 * *missing (0: none). */
static int checklist(sk_call *call, const accounting_invoice_row *r,
                     bool present[ACCOUNTING_DOC_KINDS + 1], Seklik__Accounting__Invoice *out,
                     int *missing)
{
    accounting_document_rules_row rules;
    SK_TRY(accounting_store_document_rules(call->db, r->fiscal_year, &rules));
    bool signed_ = false;
    SK_TRY(accounting_store_agreements_signed(call->db, r->id, &signed_));
    if (signed_)
        present[ACCOUNTING_DOC_AGREEMENT] = true;
    *missing = 0;
    if (out) {
        out->checklist = sk_call_alloc(call, sizeof(*out->checklist) * ACCOUNTING_DOC_KINDS);
        if (!out->checklist)
            return SK_ENOMEM;
    }
    for (int kind = 1; kind <= ACCOUNTING_DOC_KINDS; kind++) {
        bool required = accounting_document_required(rules.rules, rules.n, kind, r->gross);
        if (required && !present[kind] && !*missing)
            *missing = kind;
        if (!out)
            continue;
        Seklik__Accounting__ChecklistItem *c = sk_call_alloc(call, sizeof(*c));
        if (!c)
            return SK_ENOMEM;
        seklik__accounting__checklist_item__init(c);
        c->kind = (Seklik__Accounting__DocumentKind)kind;
        c->required = required;
        c->present = present[kind];
        out->checklist[out->n_checklist++] = c;
    }
    return SK_OK;
}

static int steps_msg(sk_call *call, const char *invoice_id, Seklik__Accounting__Invoice *out)
{
    PGresult *res;
    SK_TRY(accounting_store_steps(call->db, invoice_id, &res));
    int n = PQntuples(res), rc = SK_OK;
    out->steps = sk_call_alloc(call, sizeof(*out->steps) * (size_t)(n ? n : 1));
    for (int i = 0; i < n && rc == SK_OK; i++) {
        Seklik__Accounting__PaymentStepRecord *s = sk_call_alloc(call, sizeof(*s));
        if (!s || !out->steps) {
            rc = SK_ENOMEM;
            break;
        }
        seklik__accounting__payment_step_record__init(s);
        s->step = (Seklik__Accounting__PaymentStep)accounting_step_parse(
            PQgetvalue(res, i, ST_STEP));
        s->number = sk_call_strdup(call, PQgetvalue(res, i, ST_NUMBER));
        s->date = sk_call_strdup(call, PQgetvalue(res, i, ST_DATE));
        s->recorded_at = sk_call_strdup(call, PQgetvalue(res, i, ST_AT));
        s->recorded_by = sk_call_strdup(call, PQgetvalue(res, i, ST_BY));
        s->cancelled_at = sk_call_strdup(call, PQgetvalue(res, i, ST_CANCELLED_AT));
        s->cancelled = s->cancelled_at[0] != '\0';
        s->cancelled_by = sk_call_strdup(call, PQgetvalue(res, i, ST_CANCELLED_BY));
        s->cancelled_reason = sk_call_strdup(call, PQgetvalue(res, i, ST_REASON));
        out->steps[out->n_steps++] = s;
    }
    PQclear(res);
    return rc;
}

/* The invoice's taxes: the stored computation once accepted; before, what
 * the year's published table would give (id ""), or nothing without one. */
static int tax_msg(sk_call *call, const accounting_invoice_row *r, Seklik__Accounting__Invoice *out)
{
    Seklik__Accounting__TaxComputation *m = sk_call_alloc(call, sizeof(*m));
    if (!m)
        return SK_ENOMEM;
    seklik__accounting__tax_computation__init(m);
    if (r->tax_computation_id[0]) {
        accounting_tax_computation_row c;
        SK_TRY(accounting_store_load_tax_computation(call->db, r->tax_computation_id, &c));
        SK_TRY(computation_msg(call, c.id, &c.t, c.table_version, &c.in, &c.l, c.computed_at,
                               c.computed_by, m));
        out->tax = m;
        return SK_OK;
    }
    if (r->state == ACCOUNTING_INVOICE_RETURNED)
        return SK_OK;
    accounting_tax_table_row t;
    int rc = accounting_store_tax_table(call->db, r->fiscal_year, TAX_PUBLISHED, 0, &t);
    if (rc == SK_ENOTFOUND)
        return SK_OK;
    SK_TRY(rc);
    accounting_tax_input ti = {r->gross, r->pkp, r->npwp[0] != '\0'};
    accounting_tax_lines l;
    if (!accounting_compute_tax(&t.t, &ti, &l))
        return SK_OK;
    SK_TRY(computation_msg(call, NULL, &t.t, t.version, &ti, &l, NULL, NULL, m));
    out->tax = m;
    return SK_OK;
}

/* `out` <- the invoice; with `full` its documents, checklist and steps too. */
static int invoice_msg(sk_call *call, const accounting_invoice_row *r, bool full,
                       Seklik__Accounting__Invoice *out)
{
    Seklik__Accounting__InvoiceInput *d = sk_call_alloc(call, sizeof(*d));
    if (!d)
        return SK_ENOMEM;
    seklik__accounting__invoice_input__init(d);
    d->number = sk_call_strdup(call, r->inv.number);
    d->date = day_str(call, r->inv.date);
    d->faktur_number = sk_call_strdup(call, r->inv.faktur_number);
    d->signatory_name = sk_call_strdup(call, r->inv.signatory);
    d->bank_branch = sk_call_strdup(call, r->inv.bank_branch);
    out->data = d;
    out->id = sk_call_strdup(call, r->id);
    out->company_id = sk_call_strdup(call, r->company_id);
    out->company_name = sk_call_strdup(call, r->company_name);
    out->fiscal_year = r->fiscal_year;
    out->state = (Seklik__Accounting__InvoiceState)r->state;
    out->gross = r->gross;
    out->purpose = sk_call_strdup(call, r->purpose);
    out->returned_reason = sk_call_strdup(call, r->returned_reason);
    out->submitted_at = sk_call_strdup(call, r->submitted_at);
    out->submitted_by = sk_call_strdup(call, r->submitted_by);
    out->decided_at = sk_call_strdup(call, r->decided_at);
    out->decided_by = sk_call_strdup(call, r->decided_by);
    int32_t until = r->paid_on >= 0 ? r->paid_on : acc_today_wib();
    out->age_days = until > r->submitted_on ? until - r->submitted_on : 0;
    out->paid_on = day_str(call, r->paid_on);
    out->withholding_slip_number = sk_call_strdup(call, r->slip_number);
    out->withholding_slip_date = day_str(call, r->slip_date);
    out->pph23_due_on = day_str(call, r->paid_on >= 0 ? accounting_pph23_due(r->paid_on) : -1);
    out->pkp = r->pkp;
    out->npwp = sk_call_strdup(call, r->npwp);
    out->bank_name = sk_call_strdup(call, r->bank_name);
    out->account_number = sk_call_strdup(call, r->account_number);
    out->account_holder = sk_call_strdup(call, r->account_holder);
    out->version = r->version;
    SK_TRY(orders_msg(call, r, out));
    SK_TRY(tax_msg(call, r, out));
    if (!full)
        return SK_OK;
    bool present[ACCOUNTING_DOC_KINDS + 1] = {false};
    int missing;
    SK_TRY(documents_msg(call, r, out, present));
    SK_TRY(checklist(call, r, present, out, &missing));
    return steps_msg(call, r->id, out);
}

static int emit_invoice(sk_call *call, const char *type, Seklik__Accounting__Invoice *inv)
{
    Seklik__Accounting__InvoiceChanged ev = SEKLIK__ACCOUNTING__INVOICE_CHANGED__INIT;
    /* Events carry no document metadata: the files are the partner's. */
    Seklik__Accounting__Invoice copy = *inv;
    copy.n_documents = 0;
    copy.documents = NULL;
    ev.invoice = &copy;
    return sk_outbox_append(call->db, type, &ev.base, call->actor, call->req->request_id, NULL);
}

static cJSON *audit_invoice(const accounting_invoice_row *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "state", accounting_invoice_state_name(r->state));
    cJSON_AddNumberToObject(o, "version", (double)r->version);
    return o;
}

/* Load the invoice for `call`, locked when `lock`: NOT_FOUND, or
 * PERMISSION_DENIED for a partner asking about another company's. */
static int load_for(sk_call *call, const char *id, bool lock, accounting_invoice_row *r)
{
    int rc = accounting_store_load_invoice(call->db, id, lock, r);
    if (rc == SK_ENOTFOUND)
        return acc_not_found(call, "invoiceId", "invoice.not_found", "no such invoice");
    SK_TRY(rc);
    const char *own = partner_company(call);
    if (acc_is_partner(call) && (!own || strcmp(own, r->company_id) != 0))
        return acc_deny(call, "invoice");
    return SK_OK;
}

/* ---- submitting ---- */

/* A file to keep: its kind known, its name a name, its content PDF, JPEG or
 * PNG and 10 MiB at most. `field` is the path of the InvoiceFile. */
static bool file_ok(sk_call *call, const Seklik__Accounting__InvoiceFile *f, const char *field,
                    char *name, size_t cap, const char **mime)
{
    char path[64];
    bool ok = true;
    if (!accounting_document_kind_name((int)f->kind)) {
        snprintf(path, sizeof(path), "%s.kind", field);
        sk_call_violation_code(call, path, "unknown_value", "unknown document kind");
        ok = false;
    }
    snprintf(path, sizeof(path), "%s.fileName", field);
    accounting_violations v = {0};
    if (!accounting_text_check(f->file_name, 1, ACCOUNTING_FILE_NAME_MAX, false, name, cap, path,
                               &v)) {
        acc_name_violations(call, &v);
        ok = false;
    }
    *mime = sk_file_kind_mime(sk_file_kind_sniff(f->content.data, f->content.len));
    if (!*mime || !sk_file_size_ok(f->content.len, ACCOUNTING_FILE_MAX)) {
        snprintf(path, sizeof(path), "%s.content", field);
        sk_call_violation_code(call, path, "file.type_or_size",
                               "the file must be a PDF, JPEG or PNG of at most 10 MiB");
        ok = false;
    }
    return ok;
}

static int store_file(sk_call *call, const char *invoice_id,
                      const Seklik__Accounting__InvoiceFile *f, const char *name, const char *mime,
                      char id[SK_UUID_STRLEN])
{
    char sha[65];
    sha256_hex(f->content.data, f->content.len, sha);
    sk_uuid7(id);
    accounting_document_in d = {.id = id,
                                .invoice_id = invoice_id,
                                .kind = (int)f->kind,
                                .file_name = name,
                                .content_type = mime,
                                .sha256 = sha,
                                .content = f->content.data,
                                .size = f->content.len,
                                .by = acc_actor_id(call)};
    return accounting_store_insert_document(call->db, &d);
}

static bool uuid_ok(const char *s)
{
    return sk_uuid_valid(s);
}

/* Accounting.SubmitInvoice (a partner, for its own company): accepted
 * orders (proof accepted), not paid, not on another live invoice, of one
 * fiscal year, none issued after the invoice's date; the kuitansi with it. */
int acc_submit_invoice(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__SubmitInvoiceRequest *req =
        (const Seklik__Accounting__SubmitInvoiceRequest *)in;
    Seklik__Accounting__Invoice *reply = (Seklik__Accounting__Invoice *)out;
    const char *company = partner_company(call);
    if (!company)
        return acc_deny(call, "invoice (partners submit their own)");
    if (!req->invoice)
        return sk_call_violation_code(call, "invoice", "required", "required");
    accounting_company_info co;
    int rc = accounting_store_load_company(call->db, company, &co);
    if (rc == SK_ENOTFOUND)
        return precondition(call, "companyId", "company.unknown_yet",
                            "the company is not known here yet");
    SK_TRY(rc);

    /* The request's own fields, then its files. */
    const Seklik__Accounting__InvoiceInput *ii = req->invoice;
    accounting_invoice_input input = {ii->number, ii->date, ii->faktur_number, ii->signatory_name,
                                      ii->bank_branch, (const char *const *)ii->order_ids,
                                      ii->n_order_ids};
    accounting_invoice inv;
    accounting_violations v = {0};
    accounting_check_invoice(&input, co.pkp, acc_today_wib(), uuid_ok, &inv, &v);
    int bad = v.n ? SK_EINVAL : SK_OK;
    acc_name_violations(call, &v);
    char names[8][ACCOUNTING_TEXT_SIZE(ACCOUNTING_FILE_NAME_MAX)];
    const char *mimes[8] = {0};
    bool kuitansi = false;
    if (req->n_documents > 8)
        bad = sk_call_violation_code(call, "documents", "too_many", "at most 8 entries");
    for (size_t i = 0; i < req->n_documents && i < 8; i++) {
        char field[32];
        snprintf(field, sizeof(field), "documents[%zu]", i);
        if (!file_ok(call, req->documents[i], field, names[i], sizeof(names[i]), &mimes[i]))
            bad = SK_EINVAL;
        kuitansi = kuitansi || req->documents[i]->kind == SEKLIK__ACCOUNTING__DOCUMENT_KIND__DOCUMENT_KIND_KUITANSI;
    }
    if (!kuitansi)
        bad = sk_call_violation_code(call, "documents", "invoice.kuitansi_required",
                                     "the kuitansi is required");
    if (bad)
        return sk_call_fail(call, SK_EINVAL, "invoice.invalid: the invoice has invalid fields");

    /* The orders, as the read model and the ledger know them. */
    size_t cap = ii->n_order_ids * (SK_UUID_STRLEN + 1) + 3, at = 0;
    char *ids = sk_call_alloc(call, cap);
    if (!ids)
        return SK_ENOMEM;
    ids[at++] = '{';
    for (size_t i = 0; i < ii->n_order_ids; i++)
        at += (size_t)snprintf(ids + at, cap - at, "%s%s", i ? "," : "", ii->order_ids[i]);
    snprintf(ids + at, cap - at, "}");
    PGresult *res;
    SK_TRY(accounting_store_orders_for_invoice(call->db, ids, &res));
    int year = 0, code = SK_OK;
    int64_t gross = 0;
    char field[48], msg[240];
    for (int i = 0; i < PQntuples(res) && code == SK_OK; i++) {
        snprintf(field, sizeof(field), "invoice.orderIds[%d]", i);
        const char *number = PQgetvalue(res, i, OI_NUMBER);
        int32_t issued = -1;
        if (PQgetvalue(res, i, OI_KNOWN)[0] != 't' ||
            strcmp(PQgetvalue(res, i, OI_COMPANY), company) != 0)
            code = fail_named(call, SK_ENOTFOUND, field, "order.not_found",
                              "no such order of your company");
        else if (strcmp(PQgetvalue(res, i, OI_STATE), "completed") != 0)
            code = precondition(call, field, "order.proof_not_accepted",
                                "the order's proof is not accepted");
        else if (PQgetvalue(res, i, OI_INVOICED)[0] == 't')
            code = fail_named(call, SK_EEXISTS, field, "order.invoiced",
                              "the order is on another invoice");
        else if (strcmp(PQgetvalue(res, i, OI_RES_STATE), "pending") != 0) {
            bool posted = strcmp(PQgetvalue(res, i, OI_RES_STATE), "posted") == 0;
            code = precondition(call, field, posted ? "order.paid" : "order.not_reserved",
                                posted ? "the order is paid already"
                                       : "the order holds no reserved money");
        } else if (sk_db_get_int64(res, i, OI_RES_AMOUNT) != sk_db_get_int64(res, i, OI_GROSS))
            code = precondition(call, field, "order.gross_mismatch",
                                "the order's gross differs from its reservation");
        else if (year && atoi(PQgetvalue(res, i, OI_YEAR)) != year)
            code = fail_named(call, SK_EINVAL, "invoice.orderIds", "invoice.orders_one_year",
                              "all orders must be of one fiscal year");
        else if (accounting_date_parse(PQgetvalue(res, i, OI_ISSUED), &issued) &&
                 inv.date < issued) {
            snprintf(msg, sizeof(msg), "the invoice is dated before order %s was issued on %s",
                     number, PQgetvalue(res, i, OI_ISSUED));
            code = fail_named(call, SK_EINVAL, "invoice.date", "invoice.date_before_order", msg);
        } else {
            year = atoi(PQgetvalue(res, i, OI_YEAR));
            gross += sk_db_get_int64(res, i, OI_GROSS);
            if (gross > ACCOUNTING_MONEY_MAX)
                code = fail_named(call, SK_EINVAL, "invoice.orderIds", "invoice.total_too_large",
                                  "the invoice's total is too large");
        }
    }
    if (code != SK_OK) {
        PQclear(res);
        return code;
    }

    accounting_invoice_row r;
    memset(&r, 0, sizeof(r));
    sk_uuid7(r.id);
    snprintf(r.company_id, sizeof(r.company_id), "%s", company);
    r.fiscal_year = year;
    r.inv = inv;
    snprintf(r.company_name, sizeof(r.company_name), "%s", co.name);
    snprintf(r.npwp, sizeof(r.npwp), "%s", co.npwp);
    r.pkp = co.pkp;
    snprintf(r.bank_name, sizeof(r.bank_name), "%s", co.bank_name);
    snprintf(r.account_number, sizeof(r.account_number), "%s", co.account_number);
    snprintf(r.account_holder, sizeof(r.account_holder), "%s", co.account_holder);
    r.gross = gross;
    r.submitted_on = acc_today_wib();
    snprintf(r.submitted_by, sizeof(r.submitted_by), "%s", acc_actor_id(call));
    rc = accounting_store_insert_invoice(call->db, &r);
    if (rc == SK_EEXISTS) {
        PQclear(res);
        return fail_named(call, SK_EEXISTS, "invoice.number", "invoice.number_taken",
                          "this invoice number is taken");
    }
    for (int i = 0; i < PQntuples(res) && rc == SK_OK; i++) {
        rc = accounting_store_insert_invoice_order(
            call->db, r.id, PQgetvalue(res, i, OI_ID), PQgetvalue(res, i, OI_NUMBER),
            sk_db_get_int64(res, i, OI_GROSS), PQgetvalue(res, i, OI_RES_LINE));
        if (rc == SK_EEXISTS) { /* another invoice took it meanwhile */
            snprintf(field, sizeof(field), "invoice.orderIds[%d]", i);
            rc = fail_named(call, SK_EEXISTS, field, "order.invoiced",
                            "the order is on another invoice");
        }
    }
    PQclear(res);
    SK_TRY(rc);
    for (size_t i = 0; i < req->n_documents; i++) {
        char doc_id[SK_UUID_STRLEN];
        SK_TRY(store_file(call, r.id, req->documents[i], names[i], mimes[i], doc_id));
    }
    SK_TRY(accounting_store_load_invoice(call->db, r.id, false, &r));
    SK_TRY(invoice_msg(call, &r, true, reply));
    cJSON *after = audit_invoice(&r);
    cJSON_AddStringToObject(after, "number", r.inv.number);
    acc_json_money(after, "gross", r.gross);
    cJSON *orders = cJSON_AddArrayToObject(after, "orderIds");
    for (size_t i = 0; i < ii->n_order_ids; i++)
        cJSON_AddItemToArray(orders, cJSON_CreateString(ii->order_ids[i]));
    SK_TRY(sk_audit_append(call->db, call->actor, "invoice.submitted", "invoice", r.id, NULL,
                           acc_json_text(call, after), call->req->request_id));
    return emit_invoice(call, "accounting.invoice.submitted", reply);
}

/* Accounting.AddInvoiceDocument: the partner while the invoice waits for
 * finance; finance until it is paid. */
int acc_add_invoice_document(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__AddInvoiceDocumentRequest *req =
        (const Seklik__Accounting__AddInvoiceDocumentRequest *)in;
    if (!partner_company(call) && !may_finance(call))
        return acc_deny(call, "invoice document");
    SK_TRY(acc_bad_id(call, "invoiceId", req->invoice_id));
    if (!req->document)
        return sk_call_violation_code(call, "document", "required", "required");
    char name[ACCOUNTING_TEXT_SIZE(ACCOUNTING_FILE_NAME_MAX)];
    const char *mime;
    if (!file_ok(call, req->document, "document", name, sizeof(name), &mime))
        return sk_call_fail(call, SK_EINVAL, "document.invalid: the document is not acceptable");
    accounting_invoice_row r;
    SK_TRY(load_for(call, req->invoice_id, true, &r));
    bool open = acc_is_partner(call) ? r.state == ACCOUNTING_INVOICE_SUBMITTED
                                     : r.state != ACCOUNTING_INVOICE_RETURNED &&
                                           r.state != ACCOUNTING_INVOICE_PAID;
    if (!open)
        return precondition(call, "invoiceId", "invoice.documents_closed",
                            "the invoice takes no more documents");
    char doc_id[SK_UUID_STRLEN];
    SK_TRY(store_file(call, r.id, req->document, name, mime, doc_id));
    cJSON *after = cJSON_CreateObject();
    cJSON_AddStringToObject(after, "documentId", doc_id);
    cJSON_AddStringToObject(after, "kind", accounting_document_kind_name((int)req->document->kind));
    cJSON_AddStringToObject(after, "fileName", name);
    SK_TRY(sk_audit_append(call->db, call->actor, "invoice.document_added", "invoice", r.id, NULL,
                           acc_json_text(call, after), call->req->request_id));
    return invoice_msg(call, &r, true, (Seklik__Accounting__Invoice *)out);
}

/* Accounting.GetInvoice (staff; a partner its own). */
int acc_get_invoice(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__InvoiceRequest *req =
        (const Seklik__Accounting__InvoiceRequest *)in;
    if (!may_read_invoices(call))
        return acc_deny(call, "invoice");
    SK_TRY(acc_bad_id(call, "invoiceId", req->invoice_id));
    accounting_invoice_row r;
    SK_TRY(load_for(call, req->invoice_id, false, &r));
    return invoice_msg(call, &r, true, (Seklik__Accounting__Invoice *)out);
}

/* Accounting.ListInvoices (staff; a partner always its own), newest first. */
int acc_list_invoices(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__ListInvoicesRequest *req =
        (const Seklik__Accounting__ListInvoicesRequest *)in;
    Seklik__Accounting__ListInvoicesResponse *resp =
        (Seklik__Accounting__ListInvoicesResponse *)out;
    if (!may_read_invoices(call))
        return acc_deny(call, "invoices");
    const char *company = req->company_id && *req->company_id ? req->company_id : NULL;
    if (acc_is_partner(call)) {
        if (company && strcmp(company, partner_company(call)) != 0)
            return acc_deny(call, "another company's invoices");
        company = partner_company(call);
    }
    int bad = SK_OK;
    if (company)
        bad = acc_bad_id(call, "companyId", company);
    if (req->fiscal_year != 0 && !year_ok(req->fiscal_year))
        bad = sk_call_violation_code(call, "fiscalYear", "out_of_range",
                                     "must be between 2000 and 2100");
    const char *state = NULL;
    if (req->state != 0 && !(state = accounting_invoice_state_name((int)req->state)))
        bad = sk_call_violation_code(call, "state", "unknown_value", "unknown state");
    const char *token = req->page_token ? req->page_token : "";
    if (*token && !sk_uuid_valid(token))
        bad = sk_call_violation_code(call, "pageToken", "page_token.invalid", "bad page token");
    if (bad)
        return bad;
    int size = req->page_size == 0 ? PAGE_SIZE_DEFAULT
               : req->page_size > PAGE_SIZE_MAX ? PAGE_SIZE_MAX
                                                : (int)req->page_size;
    PGresult *res;
    SK_TRY(accounting_store_list_invoices(call->db, req->fiscal_year, state, company, token,
                                          size + 1, &res));
    int n = PQntuples(res), shown = n > size ? size : n, rc = SK_OK;
    resp->invoices = sk_call_alloc(call, sizeof(*resp->invoices) * (size_t)(shown ? shown : 1));
    for (int i = 0; i < shown && rc == SK_OK; i++) {
        Seklik__Accounting__Invoice *m = sk_call_alloc(call, sizeof(*m));
        if (!m || !resp->invoices) {
            rc = SK_ENOMEM;
            break;
        }
        seklik__accounting__invoice__init(m);
        accounting_invoice_row r;
        accounting_store_invoice_at(res, i, &r);
        rc = invoice_msg(call, &r, false, m);
        resp->invoices[resp->n_invoices++] = m;
    }
    if (rc == SK_OK && n > size)
        resp->next_page_token = sk_call_strdup(call, PQgetvalue(res, shown - 1, 0));
    PQclear(res);
    return rc;
}

/* Accounting.GetInvoiceDocument (staff; a partner its own). */
int acc_get_invoice_document(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__InvoiceDocumentRequest *req =
        (const Seklik__Accounting__InvoiceDocumentRequest *)in;
    Seklik__Accounting__InvoiceDocumentFile *reply = (Seklik__Accounting__InvoiceDocumentFile *)out;
    if (!may_read_invoices(call))
        return acc_deny(call, "invoice document");
    int bad = acc_bad_id(call, "invoiceId", req->invoice_id);
    bad |= acc_bad_id(call, "documentId", req->document_id);
    if (bad)
        return SK_EINVAL;
    accounting_invoice_row r;
    SK_TRY(load_for(call, req->invoice_id, false, &r));
    PGresult *res;
    int rc = accounting_store_invoice_document(call->db, r.id, req->document_id, &res);
    if (rc == SK_ENOTFOUND)
        return acc_not_found(call, "documentId", "document.not_found", "no such document");
    SK_TRY(rc);
    Seklik__Accounting__InvoiceDocument *d = sk_call_alloc(call, sizeof(*d));
    uint8_t *bytes = NULL;
    size_t len = 0;
    rc = d ? sk_db_get_bytea(res, 0, DOC_CONTENT, &bytes, &len) : SK_ENOMEM;
    if (rc == SK_OK) {
        seklik__accounting__invoice_document__init(d);
        d->id = sk_call_strdup(call, PQgetvalue(res, 0, DOC_ID));
        d->kind = (Seklik__Accounting__DocumentKind)accounting_document_kind_parse(
            PQgetvalue(res, 0, DOC_KIND));
        d->file_name = sk_call_strdup(call, PQgetvalue(res, 0, DOC_NAME));
        d->content_type = sk_call_strdup(call, PQgetvalue(res, 0, DOC_TYPE));
        d->sha256 = sk_call_strdup(call, PQgetvalue(res, 0, DOC_SHA));
        d->size = sk_db_get_int64(res, 0, DOC_SIZE);
        d->uploaded_at = sk_call_strdup(call, PQgetvalue(res, 0, DOC_AT));
        d->uploaded_by = sk_call_strdup(call, PQgetvalue(res, 0, DOC_BY));
        reply->document = d;
        reply->content.data = sk_call_alloc(call, len ? len : 1);
        if (!reply->content.data)
            rc = SK_ENOMEM;
        else {
            memcpy(reply->content.data, bytes, len);
            reply->content.len = len;
        }
    }
    free(bytes);
    PQclear(res);
    return rc;
}

/* ---- finance decides ---- */

/* Accounting.ReturnInvoice (finance): before the SPP, with a reason; its
 * orders may be invoiced again. */
int acc_return_invoice(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__ReturnInvoiceRequest *req =
        (const Seklik__Accounting__ReturnInvoiceRequest *)in;
    Seklik__Accounting__Invoice *reply = (Seklik__Accounting__Invoice *)out;
    if (!may_finance(call))
        return acc_deny(call, "invoice");
    char reason[ACCOUNTING_TEXT_SIZE(ACCOUNTING_REASON_MAX)];
    int bad = acc_bad_id(call, "invoiceId", req->invoice_id);
    if (!acc_text(call, req->reason, 1, ACCOUNTING_REASON_MAX, true, reason, sizeof(reason),
                  "reason"))
        bad = SK_EINVAL;
    if (req->expected_version < 0)
        bad = sk_call_violation_code(call, "expectedVersion", "negative", "must be 0 or more");
    if (bad)
        return SK_EINVAL;
    accounting_invoice_row r;
    SK_TRY(load_for(call, req->invoice_id, true, &r));
    if (req->expected_version && req->expected_version != r.version)
        return stale_version(call, r.version);
    if (r.state != ACCOUNTING_INVOICE_SUBMITTED && r.state != ACCOUNTING_INVOICE_ACCEPTED)
        return precondition(call, "invoiceId", "invoice.not_returnable",
                            "only an invoice without an SPP can be returned");
    cJSON *before = audit_invoice(&r);
    SK_TRY(accounting_store_return_invoice(call->db, r.id, reason, acc_actor_id(call)));
    SK_TRY(accounting_store_load_invoice(call->db, r.id, false, &r));
    SK_TRY(invoice_msg(call, &r, true, reply));
    cJSON *after = audit_invoice(&r);
    cJSON_AddStringToObject(after, "reason", reason);
    SK_TRY(sk_audit_append(call->db, call->actor, "invoice.returned", "invoice", r.id,
                           acc_json_text(call, before), acc_json_text(call, after),
                           call->req->request_id));
    return emit_invoice(call, "accounting.invoice.returned", reply);
}

/* Every order still accepted and its money still reserved, not spent. */
static int orders_still_payable(sk_call *call, const accounting_invoice_row *r)
{
    PGresult *res;
    SK_TRY(accounting_store_invoice_orders(call->db, r->id, &res));
    int rc = SK_OK;
    for (int i = 0; i < PQntuples(res) && rc == SK_OK; i++) {
        char field[48], msg[200];
        snprintf(field, sizeof(field), "invoice.orderIds[%d]", i);
        if (strcmp(PQgetvalue(res, i, IO_RES_STATE), "pending") != 0) {
            snprintf(msg, sizeof(msg), "the reservation of order %s is no longer pending (%s)",
                     PQgetvalue(res, i, IO_NUMBER), PQgetvalue(res, i, IO_RES_STATE));
            rc = precondition(call, field, "order.reservation_not_pending", msg);
        }
    }
    PQclear(res);
    return rc;
}

/* Accounting.AcceptInvoice (finance): checked against the orders and the
 * checklist, its taxes computed with the year's published table and stored
 * with every line. */
int acc_accept_invoice(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__AcceptInvoiceRequest *req =
        (const Seklik__Accounting__AcceptInvoiceRequest *)in;
    Seklik__Accounting__Invoice *reply = (Seklik__Accounting__Invoice *)out;
    if (!may_finance(call))
        return acc_deny(call, "invoice");
    char purpose[ACCOUNTING_TEXT_SIZE(ACCOUNTING_PURPOSE_MAX)];
    accounting_violations v = {0};
    int bad = acc_bad_id(call, "invoiceId", req->invoice_id);
    accounting_check_purpose(req->purpose, purpose, &v);
    if (req->expected_version < 0)
        accounting_violation(&v, "expectedVersion", "negative", "must be 0 or more");
    if (bad || v.n)
        return acc_refuse(call, SK_EINVAL, &v);
    accounting_invoice_row r;
    SK_TRY(load_for(call, req->invoice_id, true, &r));
    if (req->expected_version && req->expected_version != r.version)
        return stale_version(call, r.version);
    if (r.state != ACCOUNTING_INVOICE_SUBMITTED)
        return precondition(call, "invoiceId", "invoice.not_submitted",
                            "the invoice is not waiting for a decision");
    accounting_tax_table_row table;
    int rc = accounting_store_tax_table(call->db, r.fiscal_year, TAX_PUBLISHED, 0, &table);
    if (rc == SK_ENOTFOUND)
        return precondition(call, "taxTable", "tax_table.not_published",
                            "the year's tax table is not published");
    SK_TRY(rc);
    SK_TRY(orders_still_payable(call, &r));
    bool present[ACCOUNTING_DOC_KINDS + 1] = {false};
    int missing;
    Seklik__Accounting__Invoice scratch = SEKLIK__ACCOUNTING__INVOICE__INIT;
    SK_TRY(documents_msg(call, &r, &scratch, present));
    SK_TRY(checklist(call, &r, present, NULL, &missing));
    if (missing) {
        char field[48];
        snprintf(field, sizeof(field), "documents.%s", accounting_document_kind_name(missing));
        return precondition(call, field, "invoice.document_missing",
                            "a required supporting document is missing");
    }
    /* The partner as the registry knows it now; as it invoiced otherwise. */
    accounting_company_info co;
    bool pkp = r.pkp, npwp = r.npwp[0] != '\0';
    rc = accounting_store_load_company(call->db, r.company_id, &co);
    if (rc == SK_OK) {
        pkp = co.pkp;
        npwp = co.npwp[0] != '\0';
    } else if (rc != SK_ENOTFOUND) {
        return rc;
    }
    if (pkp && !r.inv.faktur_number[0])
        return precondition(call, "invoice.fakturNumber", "faktur.required_now_pkp",
                            "the partner is PKP now: the invoice needs a faktur pajak");
    accounting_tax_input ti = {r.gross, pkp, npwp};
    accounting_tax_lines l;
    if (!accounting_compute_tax(&table.t, &ti, &l)) {
        sk_log_error("invoice %s: the published tax table %d/%d cannot compute Rp %lld", r.id,
                     table.t.fiscal_year, table.version, (long long)r.gross);
        return SK_EINTERNAL;
    }
    char tax_id[SK_UUID_STRLEN];
    sk_uuid7(tax_id);
    SK_TRY(accounting_store_insert_tax_computation(call->db, tax_id, r.id, &table, &ti, &l,
                                                   acc_actor_id(call)));
    cJSON *before = audit_invoice(&r);
    SK_TRY(accounting_store_accept_invoice(call->db, r.id, purpose, tax_id, acc_actor_id(call)));
    SK_TRY(accounting_store_load_invoice(call->db, r.id, false, &r));
    SK_TRY(invoice_msg(call, &r, true, reply));
    cJSON *after = audit_invoice(&r);
    cJSON_AddStringToObject(after, "purpose", purpose);
    cJSON_AddStringToObject(after, "taxComputationId", tax_id);
    cJSON_AddNumberToObject(after, "taxTableVersion", table.version);
    acc_json_money(after, "gross", l.gross);
    acc_json_money(after, "pph23", l.pph23);
    acc_json_money(after, "ppnCollected", l.ppn_collected);
    acc_json_money(after, "net", l.net);
    SK_TRY(sk_audit_append(call->db, call->actor, "invoice.accepted", "invoice", r.id,
                           acc_json_text(call, before), acc_json_text(call, after),
                           call->req->request_id));
    return emit_invoice(call, "accounting.invoice.accepted", reply);
}

/* ---- the payment documents ---- */

/* The live step `step`'s number and date, if the invoice has one. */
static bool live_step(PGresult *steps, int step, const char **number, const char **date)
{
    for (int i = PQntuples(steps) - 1; i >= 0; i--)
        if (accounting_step_parse(PQgetvalue(steps, i, ST_STEP)) == step &&
            !PQgetvalue(steps, i, ST_CANCELLED_AT)[0]) {
            *number = PQgetvalue(steps, i, ST_NUMBER);
            *date = PQgetvalue(steps, i, ST_DATE);
            return true;
        }
    return false;
}

typedef struct payment_accounts {
    char expense[SK_UUID_STRLEN], cash[SK_UUID_STRLEN], pph23[SK_UUID_STRLEN],
        ppn[SK_UUID_STRLEN], payable[SK_UUID_STRLEN];
} payment_accounts;

static int accounts_of(sk_call *call, const char *company, payment_accounts *a)
{
    SK_TRY(accounting_store_office_account(call->db, "expense", a->expense));
    SK_TRY(accounting_store_office_account(call->db, "cash", a->cash));
    SK_TRY(accounting_store_office_account(call->db, "tax:pph23", a->pph23));
    SK_TRY(accounting_store_office_account(call->db, "tax:ppn", a->ppn));
    return accounting_store_partner_payable(call->db, company, a->payable);
}

static int apply(sk_call *call, const char *debit, const char *credit, int64_t amount,
                 const char *kind, const char *pending, const char *code,
                 const accounting_invoice_row *r, const char *memo)
{
    if (amount <= 0 && !pending)
        return SK_OK; /* nothing to move: no transfer of 0 */
    char id[SK_UUID_STRLEN];
    sk_uuid7(id);
    bool replayed;
    accounting_transfer_in t = {.id = id,
                                .debit = debit,
                                .credit = credit,
                                .amount = amount,
                                .kind = kind,
                                .pending_id = pending,
                                .code = code,
                                .reference = r->id,
                                .memo = memo,
                                .by = acc_actor_id(call)};
    int rc = accounting_store_apply(call->db, &t, &replayed);
    if (rc == SK_EPRECOND)
        sk_log_error("invoice %s: the ledger refused %s of Rp %lld (a balance limit)", r->id, code,
                     (long long)amount);
    return rc;
}

/* SPM: what is owed, pending until the SP2D. */
static int post_spm(sk_call *call, const accounting_invoice_row *r,
                    const accounting_tax_computation_row *c, const char *memo)
{
    payment_accounts a;
    SK_TRY(accounts_of(call, r->company_id, &a));
    SK_TRY(apply(call, a.expense, a.payable, c->l.net, "pending", NULL, "payment.partner", r, memo));
    SK_TRY(apply(call, a.expense, a.pph23, c->l.pph23, "pending", NULL, "payment.pph23", r, memo));
    return apply(call, a.expense, a.ppn, c->l.ppn_collected, "pending", NULL, "payment.ppn", r,
                 memo);
}

/* Post (or void) every payment transfer the SPM left pending. */
static int complete_spm(sk_call *call, const accounting_invoice_row *r, bool post, const char *memo)
{
    PGresult *res;
    SK_TRY(accounting_store_open_payments(call->db, r->id, &res));
    int rc = SK_OK;
    for (int i = 0; i < PQntuples(res) && rc == SK_OK; i++)
        rc = apply(call, NULL, NULL, 0, post ? "post_pending" : "void_pending",
                   PQgetvalue(res, i, PP_ID), PQgetvalue(res, i, PP_CODE), r, memo);
    PQclear(res);
    return rc;
}

/* SP2D: each order's reservation posted (the budget line's realisation),
 * the payables posted, the net paid out of cash. */
static int post_sp2d(sk_call *call, const accounting_invoice_row *r,
                     const accounting_tax_computation_row *c, const char *memo)
{
    PGresult *res;
    SK_TRY(accounting_store_invoice_orders(call->db, r->id, &res));
    int rc = SK_OK;
    for (int i = 0; i < PQntuples(res) && rc == SK_OK; i++) {
        if (strcmp(PQgetvalue(res, i, IO_RES_STATE), "pending") != 0) {
            char field[48];
            snprintf(field, sizeof(field), "invoice.orderIds[%d]", i);
            rc = precondition(call, field, "order.reservation_not_pending",
                              "the order's reservation is no longer pending");
            break;
        }
        Seklik__Accounting__Reservation *res_msg = sk_call_alloc(call, sizeof(*res_msg));
        if (!res_msg) {
            rc = SK_ENOMEM;
            break;
        }
        seklik__accounting__reservation__init(res_msg);
        rc = acc_complete_reservation(call, PQgetvalue(res, i, IO_ORDER), RES_POSTED, "", memo,
                                      res_msg);
    }
    PQclear(res);
    SK_TRY(rc);
    SK_TRY(complete_spm(call, r, true, memo));
    payment_accounts a;
    SK_TRY(accounts_of(call, r->company_id, &a));
    return apply(call, a.payable, a.cash, c->l.net, "single", NULL, "payment.cash", r, memo);
}

/* Accounting.RecordPaymentStep (finance): the next document only. The same
 * step again with the same number and date answers the invoice as it is. */
int acc_record_payment_step(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__RecordPaymentStepRequest *req =
        (const Seklik__Accounting__RecordPaymentStepRequest *)in;
    Seklik__Accounting__Invoice *reply = (Seklik__Accounting__Invoice *)out;
    if (!may_finance(call))
        return acc_deny(call, "payment step");
    int bad = acc_bad_id(call, "invoiceId", req->invoice_id);
    if (!accounting_step_name((int)req->step))
        bad = sk_call_violation_code(call, "step", "payment.step_unknown",
                                     "step must be SPP, SPP_VERIFIED, SPM or SP2D");
    if (req->expected_version < 0)
        bad = sk_call_violation_code(call, "expectedVersion", "negative", "must be 0 or more");
    int32_t unused;
    if (!accounting_date_parse(req->date, &unused))
        bad = sk_call_violation_code(call, "date", "date.invalid", "date must be YYYY-MM-DD");
    if (bad)
        return SK_EINVAL;
    accounting_invoice_row r;
    SK_TRY(load_for(call, req->invoice_id, true, &r));
    PGresult *steps;
    SK_TRY(accounting_store_steps(call->db, r.id, &steps));
    const char *number, *date;
    char num[ACCOUNTING_TEXT_SIZE(ACCOUNTING_STEP_NUMBER_MAX)];
    bool same = false;
    if (live_step(steps, (int)req->step, &number, &date)) {
        int32_t day;
        accounting_violations v = {0};
        same = accounting_check_step((int)req->step, req->number, req->date, 0, INT32_MAX, num,
                                     &day, &v) &&
               strcmp(num, number) == 0 && strcmp(req->date, date) == 0;
    }
    /* The day the step may not precede: the previous live step's, else the invoice's. */
    int32_t not_before = r.inv.date;
    for (int k = (int)req->step - 1; k >= 1; k--)
        if (live_step(steps, k, &number, &date)) {
            accounting_date_parse(date, &not_before);
            break;
        }
    PQclear(steps);
    if (same)
        return invoice_msg(call, &r, true, reply);
    if (req->expected_version && req->expected_version != r.version)
        return stale_version(call, r.version);
    int next = accounting_step_next(r.state, (int)req->step);
    if (!next) {
        char msg[240];
        int want = 0;
        for (int k = 1; k <= 4 && !want; k++)
            if (accounting_step_next(r.state, k))
                want = k;
        snprintf(msg, sizeof(msg), "out of order: the invoice is %s, the next step is %s",
                 accounting_invoice_state_name(r.state),
                 want ? accounting_step_name(want) : "none");
        return precondition(call, "step", "payment.step_order", msg);
    }
    int32_t day;
    accounting_violations v = {0};
    if (!accounting_check_step((int)req->step, req->number, req->date, not_before,
                               acc_today_wib(), num, &day, &v))
        return acc_refuse(call, SK_EINVAL, &v);
    int rc = accounting_store_insert_step(call->db, r.id, (int)req->step, num, req->date,
                                          acc_actor_id(call));
    if (rc == SK_EEXISTS)
        return fail_named(call, SK_EEXISTS, "number", "payment.number_taken",
                          "SIPD's number is on another invoice");
    SK_TRY(rc);
    accounting_tax_computation_row c;
    SK_TRY(accounting_store_load_tax_computation(call->db, r.tax_computation_id, &c));
    char memo[ACCOUNTING_TEXT_SIZE(ACCOUNTING_STEP_NUMBER_MAX) + 32];
    snprintf(memo, sizeof(memo), "%s %s", accounting_step_name((int)req->step), num);
    if (req->step == SEKLIK__ACCOUNTING__PAYMENT_STEP__PAYMENT_STEP_SPM)
        SK_TRY(post_spm(call, &r, &c, memo));
    else if (req->step == SEKLIK__ACCOUNTING__PAYMENT_STEP__PAYMENT_STEP_SP2D)
        SK_TRY(post_sp2d(call, &r, &c, memo));
    cJSON *before = audit_invoice(&r);
    bool paid = next == ACCOUNTING_INVOICE_PAID;
    SK_TRY(accounting_store_move_invoice(call->db, r.id, next, paid ? req->date : NULL));
    SK_TRY(accounting_store_load_invoice(call->db, r.id, false, &r));
    SK_TRY(invoice_msg(call, &r, true, reply));
    cJSON *after = audit_invoice(&r);
    cJSON_AddStringToObject(after, "step", accounting_step_name((int)req->step));
    cJSON_AddStringToObject(after, "number", num);
    cJSON_AddStringToObject(after, "date", req->date);
    SK_TRY(sk_audit_append(call->db, call->actor, "invoice.step_recorded", "invoice", r.id,
                           acc_json_text(call, before), acc_json_text(call, after),
                           call->req->request_id));
    return emit_invoice(call, paid ? "accounting.invoice.paid" : "accounting.invoice.step_recorded",
                        reply);
}

/* Accounting.CancelPaymentStep (finance): the last step before the SP2D
 * undone, with a reason; the SPM's pending transfers voided. */
int acc_cancel_payment_step(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__CancelPaymentStepRequest *req =
        (const Seklik__Accounting__CancelPaymentStepRequest *)in;
    Seklik__Accounting__Invoice *reply = (Seklik__Accounting__Invoice *)out;
    if (!may_finance(call))
        return acc_deny(call, "payment step");
    char reason[ACCOUNTING_TEXT_SIZE(ACCOUNTING_REASON_MAX)];
    int bad = acc_bad_id(call, "invoiceId", req->invoice_id);
    if (!accounting_step_name((int)req->step))
        bad = sk_call_violation_code(call, "step", "unknown_value", "unknown step");
    if (!acc_text(call, req->reason, 1, ACCOUNTING_REASON_MAX, true, reason, sizeof(reason),
                  "reason"))
        bad = SK_EINVAL;
    if (req->expected_version < 0)
        bad = sk_call_violation_code(call, "expectedVersion", "negative", "must be 0 or more");
    if (bad)
        return SK_EINVAL;
    accounting_invoice_row r;
    SK_TRY(load_for(call, req->invoice_id, true, &r));
    if (req->expected_version && req->expected_version != r.version)
        return stale_version(call, r.version);
    int previous;
    int last = accounting_step_last(r.state, &previous);
    if (!last || last != (int)req->step)
        return precondition(
            call, "step",
            r.state == ACCOUNTING_INVOICE_PAID ? "payment.sp2d_final" : "payment.not_last_step",
            r.state == ACCOUNTING_INVOICE_PAID ? "the SP2D is final"
                                               : "only the last step can be cancelled");
    SK_TRY(accounting_store_cancel_step(call->db, r.id, last, reason, acc_actor_id(call)));
    if (last == ACCOUNTING_STEP_SPM) {
        char memo[160];
        snprintf(memo, sizeof(memo), "spm cancelled: %.120s", reason);
        SK_TRY(complete_spm(call, &r, false, memo));
    }
    cJSON *before = audit_invoice(&r);
    SK_TRY(accounting_store_move_invoice(call->db, r.id, previous, NULL));
    SK_TRY(accounting_store_load_invoice(call->db, r.id, false, &r));
    SK_TRY(invoice_msg(call, &r, true, reply));
    cJSON *after = audit_invoice(&r);
    cJSON_AddStringToObject(after, "cancelledStep", accounting_step_name(last));
    cJSON_AddStringToObject(after, "reason", reason);
    SK_TRY(sk_audit_append(call->db, call->actor, "invoice.step_cancelled", "invoice", r.id,
                           acc_json_text(call, before), acc_json_text(call, after),
                           call->req->request_id));
    return emit_invoice(call, "accounting.invoice.step_cancelled", reply);
}

/* Accounting.RecordWithholdingSlip (finance): the bukti potong of a paid
 * invoice's PPh 23, once. */
int acc_record_withholding_slip(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__RecordWithholdingSlipRequest *req =
        (const Seklik__Accounting__RecordWithholdingSlipRequest *)in;
    Seklik__Accounting__Invoice *reply = (Seklik__Accounting__Invoice *)out;
    if (!may_finance(call))
        return acc_deny(call, "withholding slip");
    char number[ACCOUNTING_TEXT_SIZE(ACCOUNTING_STEP_NUMBER_MAX)];
    int32_t day = 0;
    int bad = acc_bad_id(call, "invoiceId", req->invoice_id);
    if (!acc_text(call, req->number, 1, ACCOUNTING_STEP_NUMBER_MAX, false, number, sizeof(number),
                  "number"))
        bad = SK_EINVAL;
    if (!accounting_date_parse(req->date, &day))
        bad = sk_call_violation_code(call, "date", "date.invalid", "date must be YYYY-MM-DD");
    if (bad)
        return SK_EINVAL;
    accounting_invoice_row r;
    SK_TRY(load_for(call, req->invoice_id, true, &r));
    if (r.state != ACCOUNTING_INVOICE_PAID)
        return precondition(call, "invoiceId", "withholding.before_sp2d",
                            "the slip follows the SP2D");
    if (r.slip_number[0])
        return precondition(call, "number", "withholding.recorded", "the slip is recorded already");
    if (day < r.paid_on || day > acc_today_wib())
        return fail_named(call, SK_EINVAL, "date", "withholding.date_range",
                          "the slip is dated between the SP2D and today");
    accounting_tax_computation_row c;
    SK_TRY(accounting_store_load_tax_computation(call->db, r.tax_computation_id, &c));
    if (c.l.pph23 == 0)
        return precondition(call, "invoiceId", "withholding.none", "no PPh 23 was withheld");
    SK_TRY(accounting_store_set_slip(call->db, r.id, number, req->date, acc_actor_id(call)));
    SK_TRY(accounting_store_load_invoice(call->db, r.id, false, &r));
    SK_TRY(invoice_msg(call, &r, true, reply));
    cJSON *after = cJSON_CreateObject();
    cJSON_AddStringToObject(after, "slipNumber", number);
    cJSON_AddStringToObject(after, "slipDate", req->date);
    acc_json_money(after, "pph23", c.l.pph23);
    SK_TRY(sk_audit_append(call->db, call->actor, "invoice.slip_recorded", "invoice", r.id, NULL,
                           acc_json_text(call, after), call->req->request_id));
    return emit_invoice(call, "accounting.invoice.slip_recorded", reply);
}

/* ---- the SIPD export ---- */

/* One CSV field, quoted when it must be (RFC 4180). */
static void csv_field(char **buf, size_t *len, size_t *cap, const char *s, bool last)
{
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    size_t need = strlen(s) * 2 + 4;
    if (*len + need >= *cap) {
        size_t ncap = (*cap + need) * 2;
        char *n = realloc(*buf, ncap);
        if (!n)
            return;
        *buf = n;
        *cap = ncap;
    }
    char *o = *buf + *len;
    if (quote)
        *o++ = '"';
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            *o++ = '"';
        *o++ = *p;
    }
    if (quote)
        *o++ = '"';
    *o++ = last ? '\n' : ',';
    *len = (size_t)(o - *buf);
}

static const char *const SPP_COLUMNS[] = {
    "invoice_id",        "invoice_number", "invoice_date",   "faktur_number",
    "sub_activity_code", "account_code",   "budget_line",    "amount",
    "vendor_name",       "head_name",      "npwp",           "bank_name",
    "bank_branch",       "account_number", "account_holder", "agreement_number",
    "agreement_date",    "purpose",        "invoice_gross",  "invoice_pph23",
    "invoice_ppn_collected", "invoice_net"};

/* Accounting.ExportSpp (staff): what SIPD needs to make the SPP-LS, as CSV
 * or JSON, once finance has accepted the invoice. */
int acc_export_spp(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__ExportSppRequest *req =
        (const Seklik__Accounting__ExportSppRequest *)in;
    Seklik__Accounting__SppExport *reply = (Seklik__Accounting__SppExport *)out;
    if (acc_is_partner(call) || !acc_may_read(call))
        return acc_deny(call, "SPP export");
    int bad = acc_bad_id(call, "invoiceId", req->invoice_id);
    const char *format = req->format && *req->format ? req->format : "csv";
    bool csv = strcmp(format, "csv") == 0;
    if (!csv && strcmp(format, "json") != 0)
        bad =
            sk_call_violation_code(call, "format", "format.unknown", "format must be csv or json");
    if (bad)
        return SK_EINVAL;
    accounting_invoice_row r;
    SK_TRY(load_for(call, req->invoice_id, false, &r));
    if (r.state == ACCOUNTING_INVOICE_SUBMITTED || r.state == ACCOUNTING_INVOICE_RETURNED)
        return precondition(call, "invoiceId", "export.not_accepted",
                            "the SPP export follows the invoice's acceptance");
    accounting_tax_computation_row c;
    SK_TRY(accounting_store_load_tax_computation(call->db, r.tax_computation_id, &c));
    /* The agreements, joined when the orders have several. */
    PGresult *ag;
    SK_TRY(accounting_store_invoice_agreements(call->db, r.id, &ag));
    char numbers[512] = "", dates[256] = "";
    for (int i = 0; i < PQntuples(ag); i++) {
        size_t a = strlen(numbers), b = strlen(dates);
        snprintf(numbers + a, sizeof(numbers) - a, "%s%s", i ? "; " : "", PQgetvalue(ag, i, AG_NUMBER));
        snprintf(dates + b, sizeof(dates) - b, "%s%s", i ? "; " : "", PQgetvalue(ag, i, AG_SIGNED));
    }
    PQclear(ag);
    PGresult *lines;
    SK_TRY(accounting_store_spp_lines(call->db, r.id, &lines));
    int n = PQntuples(lines), rc = SK_OK;
    reply->records = sk_call_alloc(call, sizeof(*reply->records) * (size_t)(n ? n : 1));
    char invoice_date[11];
    accounting_date_format(r.inv.date, invoice_date);
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    cJSON *arr = cJSON_CreateArray();
    if (!buf || !arr || !reply->records)
        rc = SK_ENOMEM;
    for (size_t k = 0; rc == SK_OK && csv && k < COUNT(SPP_COLUMNS); k++)
        csv_field(&buf, &len, &cap, SPP_COLUMNS[k], k + 1 == COUNT(SPP_COLUMNS));
    for (int i = 0; i < n && rc == SK_OK; i++) {
        Seklik__Accounting__SppRecord *s = sk_call_alloc(call, sizeof(*s));
        if (!s) {
            rc = SK_ENOMEM;
            break;
        }
        seklik__accounting__spp_record__init(s);
        s->invoice_id = sk_call_strdup(call, r.id);
        s->invoice_number = sk_call_strdup(call, r.inv.number);
        s->invoice_date = sk_call_strdup(call, invoice_date);
        s->faktur_number = sk_call_strdup(call, r.inv.faktur_number);
        s->sub_activity_code = sk_call_strdup(call, PQgetvalue(lines, i, SL_SUB));
        s->account_code = sk_call_strdup(call, PQgetvalue(lines, i, SL_ACCOUNT));
        s->budget_line_name = sk_call_strdup(call, PQgetvalue(lines, i, SL_NAME));
        s->amount = sk_db_get_int64(lines, i, SL_AMOUNT);
        s->vendor_name = sk_call_strdup(call, r.company_name);
        s->head_name = sk_call_strdup(call, r.inv.signatory);
        s->npwp = sk_call_strdup(call, r.npwp);
        s->bank_name = sk_call_strdup(call, r.bank_name);
        s->bank_branch = sk_call_strdup(call, r.inv.bank_branch);
        s->account_number = sk_call_strdup(call, r.account_number);
        s->account_holder = sk_call_strdup(call, r.account_holder);
        s->agreement_number = sk_call_strdup(call, numbers);
        s->agreement_date = sk_call_strdup(call, dates);
        s->purpose = sk_call_strdup(call, r.purpose);
        s->invoice_gross = c.l.gross;
        s->invoice_pph23 = c.l.pph23;
        s->invoice_ppn_collected = c.l.ppn_collected;
        s->invoice_net = c.l.net;
        reply->records[reply->n_records++] = s;
        char amount[24], g[24], p[24], v[24], net[24];
        snprintf(amount, sizeof(amount), "%lld", (long long)s->amount);
        snprintf(g, sizeof(g), "%lld", (long long)s->invoice_gross);
        snprintf(p, sizeof(p), "%lld", (long long)s->invoice_pph23);
        snprintf(v, sizeof(v), "%lld", (long long)s->invoice_ppn_collected);
        snprintf(net, sizeof(net), "%lld", (long long)s->invoice_net);
        const char *values[] = {s->invoice_id,     s->invoice_number, s->invoice_date,
                                s->faktur_number,  s->sub_activity_code, s->account_code,
                                s->budget_line_name, amount,          s->vendor_name,
                                s->head_name,      s->npwp,           s->bank_name,
                                s->bank_branch,    s->account_number, s->account_holder,
                                s->agreement_number, s->agreement_date, s->purpose,
                                g,                 p,                 v,
                                net};
        if (csv) {
            for (size_t k = 0; k < COUNT(values); k++)
                csv_field(&buf, &len, &cap, values[k], k + 1 == COUNT(values));
        } else {
            cJSON *o = cJSON_CreateObject();
            for (size_t k = 0; k < COUNT(values); k++)
                cJSON_AddStringToObject(o, SPP_COLUMNS[k], values[k]);
            cJSON_AddItemToArray(arr, o);
        }
    }
    PQclear(lines);
    if (rc == SK_OK && !csv) {
        char *text = cJSON_Print(arr);
        if (!text) {
            rc = SK_ENOMEM;
        } else {
            free(buf);
            buf = strdup(text);
            len = buf ? strlen(buf) : 0;
            cJSON_free(text);
            if (!buf)
                rc = SK_ENOMEM;
        }
    }
    cJSON_Delete(arr);
    if (rc == SK_OK) {
        reply->content.data = sk_call_alloc(call, len ? len : 1);
        if (!reply->content.data) {
            rc = SK_ENOMEM;
        } else {
            memcpy(reply->content.data, buf, len);
            reply->content.len = len;
        }
    }
    free(buf);
    SK_TRY(rc);
    /* A file name of the invoice number's safe characters. */
    char safe[ACCOUNTING_INVOICE_NUMBER_MAX + 1], name[128];
    size_t k = 0;
    for (const char *p = r.inv.number; *p && k + 1 < sizeof(safe); p++)
        safe[k++] = (*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
                            (*p >= 'a' && *p <= 'z') || *p == '-'
                        ? *p
                        : '_';
    safe[k] = '\0';
    snprintf(name, sizeof(name), "SPP-LS-%s.%s", safe, csv ? "csv" : "json");
    reply->file_name = sk_call_strdup(call, name);
    reply->content_type = sk_call_strdup(call, csv ? "text/csv; charset=utf-8"
                                                   : "application/json");
    return SK_OK;
}

/* ---- reports ---- */

/* Accounting.ListTaxDue (staff): PPh 23 withheld and PPN collected by the
 * month of their SP2D, due by the 15th of the next month, and the slips not
 * yet recorded. */
int acc_list_tax_due(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__TaxDueRequest *req = (const Seklik__Accounting__TaxDueRequest *)in;
    Seklik__Accounting__TaxDueResponse *resp = (Seklik__Accounting__TaxDueResponse *)out;
    if (acc_is_partner(call) || !acc_may_read(call))
        return acc_deny(call, "tax due");
    if (!year_ok(req->fiscal_year))
        return sk_call_violation_code(call, "fiscalYear", "out_of_range",
                                      "must be between 2000 and 2100");
    PGresult *res;
    SK_TRY(accounting_store_tax_due(call->db, req->fiscal_year, &res));
    int n = PQntuples(res), rc = SK_OK;
    resp->months = sk_call_alloc(call, sizeof(*resp->months) * 24);
    Seklik__Accounting__TaxDueMonth *m = NULL;
    for (int i = 0; i < n && rc == SK_OK; i++) {
        const char *paid = PQgetvalue(res, i, TD_PAID);
        if (!m || strncmp(m->month, paid, 7) != 0) {
            if (resp->n_months >= 24 || !resp->months) {
                rc = SK_EINTERNAL;
                break;
            }
            m = sk_call_alloc(call, sizeof(*m));
            int32_t day;
            if (!m || !accounting_date_parse(paid, &day)) {
                rc = SK_ENOMEM;
                break;
            }
            seklik__accounting__tax_due_month__init(m);
            char month[8];
            snprintf(month, sizeof(month), "%.7s", paid);
            m->month = sk_call_strdup(call, month);
            m->due_on = day_str(call, accounting_pph23_due(day));
            m->invoices = sk_call_alloc(call, sizeof(*m->invoices) * (size_t)n);
            resp->months[resp->n_months++] = m;
        }
        Seklik__Accounting__TaxDueInvoice *x = sk_call_alloc(call, sizeof(*x));
        if (!x || !m->invoices) {
            rc = SK_ENOMEM;
            break;
        }
        seklik__accounting__tax_due_invoice__init(x);
        x->invoice_id = sk_call_strdup(call, PQgetvalue(res, i, TD_ID));
        x->invoice_number = sk_call_strdup(call, PQgetvalue(res, i, TD_NUMBER));
        x->company_name = sk_call_strdup(call, PQgetvalue(res, i, TD_COMPANY));
        x->paid_on = sk_call_strdup(call, paid);
        x->pph23 = sk_db_get_int64(res, i, TD_PPH23);
        x->ppn_collected = sk_db_get_int64(res, i, TD_PPN);
        x->withholding_slip_number = sk_call_strdup(call, PQgetvalue(res, i, TD_SLIP));
        x->withholding_slip_date = sk_call_strdup(call, PQgetvalue(res, i, TD_SLIP_DATE));
        m->pph23 += x->pph23;
        m->ppn_collected += x->ppn_collected;
        if (x->pph23 > 0 && !x->withholding_slip_number[0])
            m->without_slip++;
        m->invoices[m->n_invoices++] = x;
    }
    PQclear(res);
    return rc;
}

/* Accounting.PaymentAging (staff): unpaid invoices by age since submission,
 * and where each waits. */
int acc_payment_aging(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__PaymentAgingRequest *req =
        (const Seklik__Accounting__PaymentAgingRequest *)in;
    Seklik__Accounting__PaymentAgingResponse *resp =
        (Seklik__Accounting__PaymentAgingResponse *)out;
    if (acc_is_partner(call) || !acc_may_read(call))
        return acc_deny(call, "payment aging");
    if (req->fiscal_year != 0 && !year_ok(req->fiscal_year))
        return sk_call_violation_code(call, "fiscalYear", "out_of_range",
                                      "must be between 2000 and 2100");
    static const char *const LABELS[] = {"0-30", "31-60", "61-90", ">90"};
    /* Where an unpaid invoice waits, in the order of the way to payment. */
    static const int WAITING[] = {ACCOUNTING_INVOICE_SUBMITTED, ACCOUNTING_INVOICE_ACCEPTED,
                                  ACCOUNTING_INVOICE_SPP, ACCOUNTING_INVOICE_SPP_VERIFIED,
                                  ACCOUNTING_INVOICE_SPM};
    resp->buckets = sk_call_alloc(call, sizeof(*resp->buckets) * 4);
    resp->steps = sk_call_alloc(call, sizeof(*resp->steps) * COUNT(WAITING));
    if (!resp->buckets || !resp->steps)
        return SK_ENOMEM;
    for (int b = 0; b < 4; b++) {
        Seklik__Accounting__AgingBucket *x = sk_call_alloc(call, sizeof(*x));
        if (!x)
            return SK_ENOMEM;
        seklik__accounting__aging_bucket__init(x);
        x->label = (char *)LABELS[b];
        resp->buckets[resp->n_buckets++] = x;
    }
    for (size_t s = 0; s < COUNT(WAITING); s++) {
        Seklik__Accounting__StuckAtStep *x = sk_call_alloc(call, sizeof(*x));
        if (!x)
            return SK_ENOMEM;
        seklik__accounting__stuck_at_step__init(x);
        x->invoice_ids = sk_call_alloc(call, sizeof(char *) * 20);
        if (!x->invoice_ids)
            return SK_ENOMEM;
        x->state = (Seklik__Accounting__InvoiceState)WAITING[s];
        resp->steps[resp->n_steps++] = x;
    }
    int32_t today = acc_today_wib();
    resp->today = day_str(call, today);
    PGresult *res;
    SK_TRY(accounting_store_unpaid(call->db, req->fiscal_year, &res));
    for (int i = 0; i < PQntuples(res); i++) {
        int32_t submitted = 0;
        accounting_date_parse(PQgetvalue(res, i, UP_SUBMITTED), &submitted);
        int32_t age = today > submitted ? today - submitted : 0;
        int64_t gross = sk_db_get_int64(res, i, UP_GROSS);
        Seklik__Accounting__AgingBucket *b = resp->buckets[accounting_aging_bucket(age)];
        b->invoices++;
        b->amount += gross;
        int state = accounting_invoice_state_parse(PQgetvalue(res, i, UP_STATE));
        for (size_t s = 0; s < COUNT(WAITING); s++) {
            if (WAITING[s] != state)
                continue;
            Seklik__Accounting__StuckAtStep *x = resp->steps[s];
            x->invoices++;
            x->amount += gross;
            if (age > x->oldest_days)
                x->oldest_days = age;
            if (x->n_invoice_ids < 20) /* the rows come oldest first */
                x->invoice_ids[x->n_invoice_ids++] =
                    sk_call_strdup(call, PQgetvalue(res, i, UP_ID));
        }
    }
    PQclear(res);
    return SK_OK;
}

/* ---- the ledger's invariants ---- */

typedef struct findings {
    sk_call *call;
    Seklik__Accounting__CheckLedgerResponse *resp;
    int rc;
} findings;

static void add_finding(void *arg, const char *check, bool ok, const char *detail)
{
    findings *f = arg;
    Seklik__Accounting__LedgerFinding *x = sk_call_alloc(f->call, sizeof(*x));
    if (!x || f->resp->n_findings >= 32) {
        f->rc = SK_ENOMEM;
        return;
    }
    seklik__accounting__ledger_finding__init(x);
    x->check_name = sk_call_strdup(f->call, check);
    x->ok = ok;
    x->detail = sk_call_strdup(f->call, detail ? detail : "");
    f->resp->findings[f->resp->n_findings++] = x;
}

/* Accounting.CheckLedger (staff): accounting.ledger_check(), as seklikctl
 * check runs it. */
int acc_check_ledger(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    (void)in;
    Seklik__Accounting__CheckLedgerResponse *resp = (Seklik__Accounting__CheckLedgerResponse *)out;
    if (acc_is_partner(call) || !acc_may_read(call))
        return acc_deny(call, "ledger check");
    resp->findings = sk_call_alloc(call, sizeof(*resp->findings) * 32);
    if (!resp->findings)
        return SK_ENOMEM;
    findings f = {call, resp, SK_OK};
    char err[512];
    int failed = sk_ledger_check(call->db->conn, add_finding, &f, err, sizeof(err));
    if (failed < 0) {
        sk_log_error("accounting.ledger_check() did not run: %s", err);
        return SK_EINTERNAL;
    }
    resp->ok = failed == 0;
    return f.rc;
}
