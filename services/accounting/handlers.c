/* handlers.c - one function per RPC method of seklik.accounting.Accounting,
 * and the service definition: decode, authorize, call the domain, store, emit.
 *
 * Commands run inside the transaction the RPC server opened: a handler that
 * returns anything but SK_OK has everything it wrote rolled back, so a
 * refused revision or reservation stores nothing. Every change of a line's
 * money first locks the line (accounting_store_load_line with lock) and
 * reads its figures from the ledger, then applies one transfer: the
 * available account's balance limit refuses a reservation the line cannot
 * pay, in the same transaction; a revision is judged by the domain first, to
 * name the floor it may not go below. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "seklik/accounting.pb-c.h"
#include "sk_actor.h"
#include "sk_audit.h"
#include "sk_err.h"
#include "sk_id.h"
#include "sk_log.h"
#include "sk_outbox.h"
#include "sk_service.h"
#include "internal.h"
#include "store.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE_SIZE_DEFAULT 100
#define PAGE_SIZE_MAX 500

/* The actor the ordering service signs its calls with (as its subscribers
 * do, common/sk_inbox.c): its issuing saga reserves, its cancel releases. */
#define ORDERING_ACTOR "system:ordering"

static const char *const STAFF_ROLES[] = {SK_ROLE_ADMIN,   SK_ROLE_VERIFIER, SK_ROLE_PARTNERSHIP,
                                          SK_ROLE_PR,      SK_ROLE_FINANCE,  SK_ROLE_HEAD,
                                          NULL};
/* Budgets are finance's; admin opens the year (DOMAIN.md step 1). */
static const char *const BUDGET_ROLES[] = {SK_ROLE_FINANCE, SK_ROLE_ADMIN, NULL};

typedef enum { RES_PENDING = 1, RES_POSTED = 2, RES_VOIDED = 3 } reservation_state;

/* ---- who may ---- */

bool acc_is_ordering(const sk_call *call)
{
    const Seklik__Bus__Actor *a = call->actor;
    return a->user_id && strcmp(a->user_id, ORDERING_ACTOR) == 0 && a->n_roles == 0 &&
           (!a->company_id || !a->company_id[0]);
}

/* A partner holding a staff role too is still a partner: the partner wall
 * comes first. */
bool acc_is_partner(const sk_call *call)
{
    return sk_actor_has_role(call->actor, SK_ROLE_PARTNER) ||
           (call->actor->company_id && call->actor->company_id[0]);
}

bool acc_may_read(const sk_call *call)
{
    return acc_is_ordering(call) || (!acc_is_partner(call) && sk_actor_has_any_role(call->actor, STAFF_ROLES));
}

bool acc_may_budget(const sk_call *call)
{
    return !acc_is_partner(call) && sk_actor_has_any_role(call->actor, BUDGET_ROLES);
}

static bool may_reserve(const sk_call *call)
{
    return acc_is_ordering(call) || acc_may_budget(call);
}

int acc_deny(sk_call *call, const char *what)
{
    char msg[200];
    snprintf(msg, sizeof(msg), "access.denied: not allowed: %s", what);
    return sk_call_fail(call, SK_EPERM, msg);
}

/* ---- small helpers ---- */

const char *acc_actor_id(const sk_call *call)
{
    return call->actor->user_id && call->actor->user_id[0] ? call->actor->user_id : "system";
}

/* Fail with `rc` and "<code>: <english>", the message the UI words by its
 * code, naming `field` (when not NULL) with the same code. */
int acc_fail(sk_call *call, int rc, const char *field, const char *code, const char *english)
{
    char msg[300];
    snprintf(msg, sizeof(msg), "%s: %s", code, english);
    if (field)
        sk_call_violation_code(call, field, code, english);
    return sk_call_fail(call, rc, msg);
}

int acc_not_found(sk_call *call, const char *field, const char *code, const char *english)
{
    return acc_fail(call, SK_ENOTFOUND, field, code, english);
}

void acc_name_violations(sk_call *call, const accounting_violations *v)
{
    for (size_t i = 0; i < v->n; i++)
        sk_call_violation_code(call, v->items[i].field, v->items[i].code, v->items[i].description);
}

/* Name each violation of `v` and return `code` with the first one's code
 * and words ("pagu.unchanged: the new pagu equals the current one"). */
int acc_refuse(sk_call *call, int code, const accounting_violations *v)
{
    acc_name_violations(call, v);
    if (!v->n)
        return code;
    char msg[300];
    snprintf(msg, sizeof(msg), "%s: %s", v->items[0].code, v->items[0].description);
    return sk_call_fail(call, code, msg);
}

bool acc_text(sk_call *call, const char *in, size_t min, size_t max, bool multiline, char *out,
              size_t cap, const char *field)
{
    accounting_violations v = {0};
    if (accounting_text_check(in, min, max, multiline, out, cap, field, &v))
        return true;
    acc_name_violations(call, &v);
    return false;
}

int acc_bad_id(sk_call *call, const char *field, const char *id)
{
    if (id && sk_uuid_valid(id))
        return SK_OK;
    return sk_call_violation_code(call, field, id && *id ? "id.invalid" : "required",
                                  id && *id ? "not a valid id" : "required");
}

/* The line's figures, from its accounts. An unsound ledger is an internal
 * error, named in the log: the invariant check says where. */
int acc_line_balances(const accounting_line_row *row, accounting_balances *out)
{
    if (accounting_line_balances(&row->accounts[ACCT_APPROPRIATION],
                                 &row->accounts[ACCT_AVAILABLE], &row->accounts[ACCT_REALISED],
                                 out))
        return SK_OK;
    sk_log_error("budget line %s: its accounts' balances are unsound (run seklikctl check)",
                 row->id);
    return SK_EINTERNAL;
}

/* `o` as JSON text in the call's memory (for the audit trail); frees `o`. */
char *acc_json_text(sk_call *call, cJSON *o)
{
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    char *copy = s ? sk_call_strdup(call, s) : NULL;
    cJSON_free(s);
    return copy;
}

void acc_json_money(cJSON *o, const char *name, int64_t v)
{
    char s[24];
    snprintf(s, sizeof(s), "%lld", (long long)v); /* int64 as a string, as proto3 JSON does */
    cJSON_AddStringToObject(o, name, s);
}

/* ---- replies ---- */

Seklik__Accounting__Balances *acc_balances_msg(sk_call *call, const accounting_balances *b)
{
    Seklik__Accounting__Balances *m = sk_call_alloc(call, sizeof(*m));
    if (!m)
        return NULL;
    seklik__accounting__balances__init(m);
    m->pagu = b->pagu;
    m->committed = b->committed;
    m->realised = b->realised;
    m->available = b->available;
    return m;
}

/* `out` <- the line and its figures. */
static int line_msg(sk_call *call, const accounting_line_row *row,
                    Seklik__Accounting__BudgetLine *out)
{
    accounting_balances b;
    SK_TRY(acc_line_balances(row, &b));
    Seklik__Accounting__BudgetLineInput *d = sk_call_alloc(call, sizeof(*d));
    out->balances = acc_balances_msg(call, &b);
    if (!d || !out->balances)
        return SK_ENOMEM;
    seklik__accounting__budget_line_input__init(d);
    d->fiscal_year = row->line.fiscal_year;
    d->sub_activity_code = sk_call_strdup(call, row->line.sub_activity_code);
    d->account_code = sk_call_strdup(call, row->line.account_code);
    d->name = sk_call_strdup(call, row->line.name);
    out->id = sk_call_strdup(call, row->id);
    out->data = d;
    out->version = row->version;
    out->created_at = sk_call_strdup(call, row->created_at);
    out->created_by = sk_call_strdup(call, row->created_by);
    return SK_OK;
}

static Seklik__Accounting__Revision *revision_at(sk_call *call, PGresult *res, int i)
{
    Seklik__Accounting__Revision *r = sk_call_alloc(call, sizeof(*r));
    if (!r)
        return NULL;
    seklik__accounting__revision__init(r);
    r->id = sk_call_strdup(call, PQgetvalue(res, i, RV_ID));
    r->budget_line_id = sk_call_strdup(call, PQgetvalue(res, i, RV_LINE));
    r->kind = (Seklik__Accounting__RevisionKind)accounting_revision_kind_parse(
        PQgetvalue(res, i, RV_KIND));
    r->pagu_before = sk_db_get_int64(res, i, RV_BEFORE);
    r->pagu_after = sk_db_get_int64(res, i, RV_AFTER);
    r->reason = sk_call_strdup(call, PQgetvalue(res, i, RV_REASON));
    r->document_number = sk_call_strdup(call, PQgetvalue(res, i, RV_DOCUMENT));
    r->revised_at = sk_call_strdup(call, PQgetvalue(res, i, RV_AT));
    r->revised_by = sk_call_strdup(call, PQgetvalue(res, i, RV_BY));
    r->transfer_id = sk_call_strdup(call, PQgetvalue(res, i, RV_TRANSFER));
    return r;
}

/* `out` <- the line, its figures and its revisions (oldest first); the
 * newest revision also to *newest when not NULL. */
static int detail_msg(sk_call *call, const accounting_line_row *row,
                      Seklik__Accounting__BudgetLineDetail *out,
                      Seklik__Accounting__Revision **newest)
{
    Seklik__Accounting__BudgetLine *line = sk_call_alloc(call, sizeof(*line));
    if (!line)
        return SK_ENOMEM;
    seklik__accounting__budget_line__init(line);
    SK_TRY(line_msg(call, row, line));
    out->line = line;
    PGresult *res;
    SK_TRY(accounting_store_revisions(call->db, row->id, &res));
    int n = PQntuples(res), rc = SK_OK;
    out->revisions = sk_call_alloc(call, sizeof(*out->revisions) * (size_t)(n ? n : 1));
    for (int i = 0; i < n && rc == SK_OK; i++) {
        Seklik__Accounting__Revision *r = out->revisions ? revision_at(call, res, i) : NULL;
        if (!r)
            rc = SK_ENOMEM;
        else
            out->revisions[out->n_revisions++] = r;
    }
    PQclear(res);
    if (rc == SK_OK && newest)
        *newest = out->n_revisions ? out->revisions[out->n_revisions - 1] : NULL;
    return rc;
}

static const char *const STATE_NAMES[] = {"", "pending", "posted", "voided"};

static int reservation_msg(sk_call *call, const accounting_reservation_row *r,
                           const accounting_balances *line, Seklik__Accounting__Reservation *out)
{
    out->order_id = sk_call_strdup(call, r->order_id);
    out->budget_line_id = sk_call_strdup(call, r->budget_line_id);
    out->amount = r->amount;
    out->state = (Seklik__Accounting__ReservationState)r->state;
    out->transfer_id = sk_call_strdup(call, r->transfer_id);
    out->completed_by_transfer_id = sk_call_strdup(call, r->completed_by_transfer_id);
    out->line_balances = acc_balances_msg(call, line);
    out->order_number = sk_call_strdup(call, r->order_number);
    out->reason = sk_call_strdup(call, r->reason);
    out->created_at = sk_call_strdup(call, r->created_at);
    out->completed_at = sk_call_strdup(call, r->completed_at);
    return out->line_balances ? SK_OK : SK_ENOMEM;
}

/* ---- budget lines ---- */

static int emit_line(sk_call *call, const char *type, Seklik__Accounting__BudgetLine *line,
                     Seklik__Accounting__Revision *revision)
{
    Seklik__Accounting__BudgetLineChanged ev = SEKLIK__ACCOUNTING__BUDGET_LINE_CHANGED__INIT;
    ev.line = line;
    ev.revision = revision;
    return sk_outbox_append(call->db, type, &ev.base, call->actor, call->req->request_id, NULL);
}

/* Accounting.CreateBudgetLine (finance, admin): the line, its accounts, and
 * its initial pagu as a transfer appropriation -> available with the
 * initial revision. */
static int create_budget_line(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__CreateBudgetLineRequest *req =
        (const Seklik__Accounting__CreateBudgetLineRequest *)in;
    Seklik__Accounting__BudgetLine *reply = (Seklik__Accounting__BudgetLine *)out;
    if (!acc_may_budget(call))
        return acc_deny(call, "budget line");
    if (!req->line)
        return sk_call_violation_code(call, "line", "required", "required");
    accounting_line_input input = {req->line->fiscal_year, req->line->sub_activity_code,
                                   req->line->account_code, req->line->name};
    accounting_line line;
    char document[ACCOUNTING_TEXT_SIZE(ACCOUNTING_DOCUMENT_MAX)];
    accounting_violations v = {0};
    if (!accounting_check_line(&input, req->pagu, req->document_number, &line, document, &v))
        return acc_refuse(call, SK_EINVAL, &v);

    char id[SK_UUID_STRLEN], revision_id[SK_UUID_STRLEN], transfer_id[SK_UUID_STRLEN];
    sk_uuid7(id);
    sk_uuid7(revision_id);
    sk_uuid7(transfer_id);
    accounting_line_row row;
    int rc = accounting_store_insert_line(call->db, id, &line, acc_actor_id(call), &row);
    if (rc == SK_EEXISTS) {
        sk_call_violation_code(call, "line.accountCode", "budget.line_exists",
                               "the year has a line with these codes");
        return sk_call_fail(call, SK_EEXISTS,
                            "budget.line_exists: the year has a line with these codes");
    }
    SK_TRY(rc);
    if (req->pagu > 0) {
        bool replayed;
        accounting_transfer_in t = {.id = transfer_id,
                                    .debit = row.account_id[ACCT_APPROPRIATION],
                                    .credit = row.account_id[ACCT_AVAILABLE],
                                    .amount = req->pagu,
                                    .kind = "single",
                                    .code = "pagu.initial",
                                    .reference = revision_id,
                                    .memo = document,
                                    .by = acc_actor_id(call)};
        SK_TRY(accounting_store_apply(call->db, &t, &replayed));
    }
    char revised_at[40];
    accounting_revision_in r = {.id = revision_id, .budget_line_id = id, .seq = 1,
                                .kind = ACCOUNTING_REVISION_INITIAL, .pagu_before = 0,
                                .pagu_after = req->pagu, .reason = "", .document_number = document,
                                .transfer_id = req->pagu > 0 ? transfer_id : NULL,
                                .by = acc_actor_id(call)};
    SK_TRY(accounting_store_insert_revision(call->db, &r, revised_at));
    SK_TRY(accounting_store_load_line(call->db, id, false, &row));
    SK_TRY(line_msg(call, &row, reply));

    cJSON *after = cJSON_CreateObject();
    cJSON_AddNumberToObject(after, "fiscalYear", line.fiscal_year);
    cJSON_AddStringToObject(after, "subActivityCode", line.sub_activity_code);
    cJSON_AddStringToObject(after, "accountCode", line.account_code);
    cJSON_AddStringToObject(after, "name", line.name);
    acc_json_money(after, "pagu", req->pagu);
    cJSON_AddStringToObject(after, "documentNumber", document);
    SK_TRY(sk_audit_append(call->db, call->actor, "budget_line.created", "budget_line", id, NULL,
                           acc_json_text(call, after), call->req->request_id));

    Seklik__Accounting__BudgetLineDetail detail = SEKLIK__ACCOUNTING__BUDGET_LINE_DETAIL__INIT;
    Seklik__Accounting__Revision *initial = NULL;
    SK_TRY(detail_msg(call, &row, &detail, &initial));
    return emit_line(call, "accounting.budget_line.created", reply, initial);
}

/* Accounting.ReviseBudgetLine (finance, admin): a pergeseran or perubahan
 * moves the difference between appropriation and available; never below
 * what is committed and realised. */
static int revise_budget_line(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__ReviseBudgetLineRequest *req =
        (const Seklik__Accounting__ReviseBudgetLineRequest *)in;
    Seklik__Accounting__BudgetLineDetail *reply = (Seklik__Accounting__BudgetLineDetail *)out;
    if (!acc_may_budget(call))
        return acc_deny(call, "budget line");
    SK_TRY(acc_bad_id(call, "budgetLineId", req->budget_line_id));
    if (req->expected_version < 0)
        return sk_call_violation_code(call, "expectedVersion", "negative", "must be 0 or more");
    /* The request's own problems first, against an empty line... */
    accounting_balances zero = {0};
    accounting_pagu_move move;
    char reason[ACCOUNTING_TEXT_SIZE(ACCOUNTING_REASON_MAX)],
        document[ACCOUNTING_TEXT_SIZE(ACCOUNTING_DOCUMENT_MAX)];
    accounting_violations v = {0};
    zero.pagu = -1; /* never equal to a valid new pagu */
    if (accounting_check_revision(req->kind, req->new_pagu, req->reason, req->document_number,
                                  &zero, &move, reason, document, &v) == ACCOUNTING_REVISION_INVALID)
        return acc_refuse(call, SK_EINVAL, &v);

    accounting_line_row row;
    int rc = accounting_store_load_line(call->db, req->budget_line_id, true, &row);
    if (rc == SK_ENOTFOUND)
        return acc_not_found(call, "budgetLineId", "budget_line.not_found", "no such budget line");
    SK_TRY(rc);
    if (req->expected_version != 0 && req->expected_version != row.version) {
        char msg[200];
        snprintf(msg, sizeof(msg), "the line changed meanwhile: its version is now %lld",
                 (long long)row.version);
        return acc_fail(call, SK_EPRECOND, "expectedVersion", "budget.line_changed", msg);
    }
    /* ...then against the line's figures, read under its lock. */
    accounting_balances now;
    SK_TRY(acc_line_balances(&row, &now));
    if (accounting_check_revision(req->kind, req->new_pagu, req->reason, req->document_number,
                                  &now, &move, reason, document, &v) != ACCOUNTING_REVISION_OK)
        return acc_refuse(call, SK_EPRECOND, &v);

    int64_t version;
    SK_TRY(accounting_store_bump_version(call->db, row.id, &version));
    char revision_id[SK_UUID_STRLEN], transfer_id[SK_UUID_STRLEN];
    sk_uuid7(revision_id);
    sk_uuid7(transfer_id);
    const char *kind_name = accounting_revision_kind_name(req->kind);
    char code[32];
    snprintf(code, sizeof(code), "pagu.%s", kind_name);
    bool replayed;
    accounting_transfer_in t = {
        .id = transfer_id,
        .debit = row.account_id[move.raise ? ACCT_APPROPRIATION : ACCT_AVAILABLE],
        .credit = row.account_id[move.raise ? ACCT_AVAILABLE : ACCT_APPROPRIATION],
        .amount = move.amount,
        .kind = "single",
        .code = code,
        .reference = revision_id,
        .memo = document,
        .by = acc_actor_id(call)};
    rc = accounting_store_apply(call->db, &t, &replayed);
    if (rc == SK_EPRECOND) {
        sk_call_violation_code(call, "newPagu", "budget.pagu_below_committed",
                               "pagu cannot drop below committed + realised");
        return sk_call_fail(call, SK_EPRECOND,
                            "budget.pagu_below_committed: the ledger refused the lower pagu");
    }
    SK_TRY(rc);
    char revised_at[40];
    accounting_revision_in r = {.id = revision_id, .budget_line_id = row.id, .seq = version,
                                .kind = req->kind, .pagu_before = now.pagu,
                                .pagu_after = req->new_pagu, .reason = reason,
                                .document_number = document, .transfer_id = transfer_id,
                                .by = acc_actor_id(call)};
    SK_TRY(accounting_store_insert_revision(call->db, &r, revised_at));
    SK_TRY(accounting_store_load_line(call->db, row.id, false, &row));
    Seklik__Accounting__Revision *newest = NULL;
    SK_TRY(detail_msg(call, &row, reply, &newest));

    cJSON *before = cJSON_CreateObject(), *after = cJSON_CreateObject();
    acc_json_money(before, "pagu", now.pagu);
    cJSON_AddNumberToObject(before, "version", (double)(version - 1));
    acc_json_money(after, "pagu", req->new_pagu);
    cJSON_AddNumberToObject(after, "version", (double)version);
    cJSON_AddStringToObject(after, "kind", kind_name);
    cJSON_AddStringToObject(after, "reason", reason);
    cJSON_AddStringToObject(after, "documentNumber", document);
    SK_TRY(sk_audit_append(call->db, call->actor, "budget_line.revised", "budget_line", row.id,
                           acc_json_text(call, before), acc_json_text(call, after),
                           call->req->request_id));
    return emit_line(call, "accounting.budget_line.revised", reply->line, newest);
}

/* Accounting.GetBudgetLine (staff) */
static int get_budget_line(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__GetBudgetLineRequest *req =
        (const Seklik__Accounting__GetBudgetLineRequest *)in;
    if (!acc_may_read(call))
        return acc_deny(call, "budget line");
    SK_TRY(acc_bad_id(call, "budgetLineId", req->budget_line_id));
    accounting_line_row row;
    int rc = accounting_store_load_line(call->db, req->budget_line_id, false, &row);
    if (rc == SK_ENOTFOUND)
        return acc_not_found(call, "budgetLineId", "budget_line.not_found", "no such budget line");
    SK_TRY(rc);
    return detail_msg(call, &row, (Seklik__Accounting__BudgetLineDetail *)out, NULL);
}

/* Accounting.ListBudgetLines (staff): the year's lines and their sum. */
static int list_budget_lines(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__ListBudgetLinesRequest *req =
        (const Seklik__Accounting__ListBudgetLinesRequest *)in;
    Seklik__Accounting__ListBudgetLinesResponse *resp =
        (Seklik__Accounting__ListBudgetLinesResponse *)out;
    if (!acc_may_read(call))
        return acc_deny(call, "budget lines");
    if (req->fiscal_year < 2000 || req->fiscal_year > 2100)
        return sk_call_violation_code(call, "fiscalYear", "out_of_range",
                                      "must be between 2000 and 2100");
    PGresult *res;
    SK_TRY(accounting_store_list_lines(call->db, req->fiscal_year, &res));
    int n = PQntuples(res), rc = SK_OK;
    accounting_balances total = {0};
    resp->lines = sk_call_alloc(call, sizeof(*resp->lines) * (size_t)(n ? n : 1));
    for (int i = 0; i < n && rc == SK_OK; i++) {
        accounting_line_row row;
        accounting_store_line_at(res, i, &row);
        Seklik__Accounting__BudgetLine *m = sk_call_alloc(call, sizeof(*m));
        if (!m || !resp->lines) {
            rc = SK_ENOMEM;
            break;
        }
        seklik__accounting__budget_line__init(m);
        rc = line_msg(call, &row, m);
        if (rc == SK_OK) {
            accounting_balances b = {m->balances->pagu, m->balances->committed,
                                     m->balances->realised, m->balances->available};
            if (!accounting_balances_add(&total, &b))
                rc = SK_EINTERNAL;
            resp->lines[resp->n_lines++] = m;
        }
    }
    PQclear(res);
    SK_TRY(rc);
    resp->total = acc_balances_msg(call, &total);
    return resp->total ? SK_OK : SK_ENOMEM;
}

/* ---- the ledger ---- */

static const char *const ACCOUNT_KINDS[] = {"",        "appropriation", "available", "realised",
                                            "partner_payable", "tax_pph23", "tax_ppn", "cash",
                                            "expense"};
static const char *const TRANSFER_KINDS[] = {"", "single", "pending", "post_pending",
                                             "void_pending"};

static int name_index(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 1; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    return 0;
}

/* Accounting.ListTransfers (staff): a line's ledger entries, or one order's
 * or revision's, in the order applied, with the accounts they touch. */
static int list_transfers(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__ListTransfersRequest *req =
        (const Seklik__Accounting__ListTransfersRequest *)in;
    Seklik__Accounting__ListTransfersResponse *resp =
        (Seklik__Accounting__ListTransfersResponse *)out;
    if (!acc_may_read(call))
        return acc_deny(call, "ledger");
    const char *line_id = req->budget_line_id && *req->budget_line_id ? req->budget_line_id : NULL;
    const char *reference = req->reference && *req->reference ? req->reference : NULL;
    if (!line_id == !reference)
        return sk_call_violation_code(call, line_id ? "reference" : "budgetLineId",
                                      "ledger.line_or_reference",
                                      "give exactly one of budgetLineId and reference");
    if (line_id)
        SK_TRY(acc_bad_id(call, "budgetLineId", line_id));
    else
        SK_TRY(acc_bad_id(call, "reference", reference));
    int64_t after = 0;
    const char *token = req->page_token ? req->page_token : "";
    if (*token) {
        char *end = NULL;
        long long v = strtoll(token, &end, 10);
        if (!end || *end || v < 0 || token[strspn(token, "0123456789")] != '\0')
            return sk_call_violation_code(call, "pageToken", "page_token.invalid",
                                          "bad page token");
        after = v;
    }
    int size = req->page_size == 0 ? PAGE_SIZE_DEFAULT
               : req->page_size > PAGE_SIZE_MAX ? PAGE_SIZE_MAX
                                                : (int)req->page_size;
    if (line_id) {
        accounting_line_row row;
        int rc = accounting_store_load_line(call->db, line_id, false, &row);
        if (rc == SK_ENOTFOUND)
            return acc_not_found(call, "budgetLineId", "budget_line.not_found",
                                 "no such budget line");
        SK_TRY(rc);
    }
    PGresult *res;
    SK_TRY(accounting_store_list_transfers(call->db, line_id, reference, after, size + 1, &res));
    int n = PQntuples(res), shown = n > size ? size : n, rc = SK_OK;
    /* The accounts the page touches, as an array literal of their (UUID) ids. */
    char *ids = sk_call_alloc(call, (size_t)shown * 2 * (SK_UUID_STRLEN + 1) + 3);
    size_t at = 0;
    if (ids)
        ids[at++] = '{';
    for (int i = 0; ids && i < shown; i++)
        at += (size_t)sprintf(ids + at, "%s%s,%s", i ? "," : "", PQgetvalue(res, i, TR_DEBIT),
                              PQgetvalue(res, i, TR_CREDIT));
    if (ids)
        snprintf(ids + at, 2, "}");
    resp->transfers = sk_call_alloc(call, sizeof(*resp->transfers) * (size_t)(shown ? shown : 1));
    for (int i = 0; i < shown && rc == SK_OK; i++) {
        Seklik__Accounting__Transfer *t = sk_call_alloc(call, sizeof(*t));
        if (!t || !resp->transfers) {
            rc = SK_ENOMEM;
            break;
        }
        seklik__accounting__transfer__init(t);
        t->id = sk_call_strdup(call, PQgetvalue(res, i, TR_ID));
        t->debit_account_id = sk_call_strdup(call, PQgetvalue(res, i, TR_DEBIT));
        t->credit_account_id = sk_call_strdup(call, PQgetvalue(res, i, TR_CREDIT));
        t->amount = sk_db_get_int64(res, i, TR_AMOUNT);
        t->kind = (Seklik__Accounting__TransferKind)name_index(TRANSFER_KINDS, COUNT(TRANSFER_KINDS),
                                                               PQgetvalue(res, i, TR_KIND));
        t->pending_id = sk_call_strdup(call, PQgetvalue(res, i, TR_PENDING));
        t->code = sk_call_strdup(call, PQgetvalue(res, i, TR_CODE));
        t->reference = sk_call_strdup(call, PQgetvalue(res, i, TR_REFERENCE));
        t->memo = sk_call_strdup(call, PQgetvalue(res, i, TR_MEMO));
        t->created_at = sk_call_strdup(call, PQgetvalue(res, i, TR_AT));
        t->created_by = sk_call_strdup(call, PQgetvalue(res, i, TR_BY));
        resp->transfers[resp->n_transfers++] = t;
    }
    if (rc == SK_OK && n > size)
        resp->next_page_token = sk_call_strdup(call, PQgetvalue(res, shown - 1, TR_SEQ));
    PQclear(res);
    SK_TRY(rc);

    if (!ids)
        return SK_ENOMEM;
    SK_TRY(accounting_store_accounts(call->db, line_id, ids, &res));
    n = PQntuples(res);
    resp->accounts = sk_call_alloc(call, sizeof(*resp->accounts) * (size_t)(n ? n : 1));
    for (int i = 0; i < n && rc == SK_OK; i++) {
        Seklik__Accounting__Account *a = sk_call_alloc(call, sizeof(*a));
        if (!a || !resp->accounts) {
            rc = SK_ENOMEM;
            break;
        }
        seklik__accounting__account__init(a);
        a->id = sk_call_strdup(call, PQgetvalue(res, i, AC_ID));
        a->code = sk_call_strdup(call, PQgetvalue(res, i, AC_CODE));
        a->kind = (Seklik__Accounting__AccountKind)name_index(ACCOUNT_KINDS, COUNT(ACCOUNT_KINDS),
                                                              PQgetvalue(res, i, AC_KIND));
        a->budget_line_id = sk_call_strdup(call, PQgetvalue(res, i, AC_LINE));
        a->company_id = sk_call_strdup(call, PQgetvalue(res, i, AC_COMPANY));
        a->debits_pending = sk_db_get_int64(res, i, AC_DP);
        a->debits_posted = sk_db_get_int64(res, i, AC_DPO);
        a->credits_pending = sk_db_get_int64(res, i, AC_CP);
        a->credits_posted = sk_db_get_int64(res, i, AC_CPO);
        a->debits_must_not_exceed_credits = PQgetvalue(res, i, AC_DLIMIT)[0] == 't';
        a->credits_must_not_exceed_debits = PQgetvalue(res, i, AC_CLIMIT)[0] == 't';
        resp->accounts[resp->n_accounts++] = a;
    }
    PQclear(res);
    return rc;
}

/* ---- reservations ---- */

static int emit_reservation(sk_call *call, const char *type, Seklik__Accounting__Reservation *r)
{
    Seklik__Accounting__ReservationChanged ev = SEKLIK__ACCOUNTING__RESERVATION_CHANGED__INIT;
    ev.reservation = r;
    return sk_outbox_append(call->db, type, &ev.base, call->actor, call->req->request_id, NULL);
}

static int audit_reservation(sk_call *call, const char *action,
                             const accounting_reservation_row *r, const char *state_before)
{
    char *before = NULL;
    if (state_before) {
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "state", state_before);
        before = acc_json_text(call, b);
    }
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "budgetLineId", r->budget_line_id);
    acc_json_money(a, "amount", r->amount);
    cJSON_AddStringToObject(a, "state", STATE_NAMES[r->state]);
    cJSON_AddStringToObject(a, "orderNumber", r->order_number);
    cJSON_AddStringToObject(a, "transferId",
                            r->state == RES_PENDING ? r->transfer_id : r->completed_by_transfer_id);
    if (r->reason[0])
        cJSON_AddStringToObject(a, "reason", r->reason);
    return sk_audit_append(call->db, call->actor, action, "reservation", r->order_id, before,
                           acc_json_text(call, a), call->req->request_id);
}

/* The refusal ordering relays: FAILED_PRECONDITION naming budgetLine. */
static int no_money(sk_call *call, const accounting_balances *line, int64_t amount)
{
    char have[40], want[40], msg[160];
    accounting_rupiah(line->available, have, sizeof(have));
    accounting_rupiah(amount, want, sizeof(want));
    snprintf(msg, sizeof(msg), "the budget line has %s available, %s asked", have, want);
    return acc_fail(call, SK_EPRECOND, "budgetLine", "budget.insufficient", msg);
}

/* Accounting.Reserve (the ordering service, finance, admin): a pending
 * transfer available -> realised for the order, once per order, ever. A
 * repeated call for the same order, line and amount answers the reservation
 * as it is; another line or amount is refused. */
static int reserve(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__ReserveRequest *req = (const Seklik__Accounting__ReserveRequest *)in;
    Seklik__Accounting__Reservation *reply = (Seklik__Accounting__Reservation *)out;
    if (!may_reserve(call))
        return acc_deny(call, "reservation");
    accounting_violations v = {0};
    char order_number[ACCOUNTING_TEXT_SIZE(ACCOUNTING_ORDER_NUMBER_MAX)];
    int bad = acc_bad_id(call, "orderId", req->order_id);
    bad |= acc_bad_id(call, "budgetLineId", req->budget_line_id);
    accounting_check_amount(req->amount, &v);
    accounting_text_check(req->order_number, 0, ACCOUNTING_ORDER_NUMBER_MAX, false, order_number,
                          sizeof(order_number), "orderNumber", &v);
    if (bad || v.n)
        return acc_refuse(call, SK_EINVAL, &v);

    SK_TRY(accounting_store_lock_order(call->db, req->order_id));
    accounting_reservation_row r;
    int rc = accounting_store_load_reservation(call->db, req->order_id, &r);
    if (rc == SK_OK) {
        if (strcmp(r.budget_line_id, req->budget_line_id) != 0 || r.amount != req->amount) {
            sk_call_violation_code(
                call, "orderId", "reservation.other",
                "the order has a reservation on another line or of another amount");
            return sk_call_fail(call, SK_EEXISTS,
                                "reservation.other: the order has another reservation");
        }
        accounting_line_row row;
        accounting_balances b;
        SK_TRY(accounting_store_load_line(call->db, r.budget_line_id, false, &row));
        SK_TRY(acc_line_balances(&row, &b));
        return reservation_msg(call, &r, &b, reply);
    }
    if (rc != SK_ENOTFOUND)
        return rc;

    accounting_line_row row;
    rc = accounting_store_load_line(call->db, req->budget_line_id, true, &row);
    if (rc == SK_ENOTFOUND)
        return acc_not_found(call, "budgetLineId", "budget_line.not_found", "no such budget line");
    SK_TRY(rc);
    accounting_balances b; /* under the line's lock: what the refusal below states */
    SK_TRY(acc_line_balances(&row, &b));

    memset(&r, 0, sizeof(r));
    snprintf(r.order_id, sizeof(r.order_id), "%s", req->order_id);
    snprintf(r.budget_line_id, sizeof(r.budget_line_id), "%s", row.id);
    r.amount = req->amount;
    snprintf(r.order_number, sizeof(r.order_number), "%s", order_number);
    r.state = RES_PENDING;
    sk_uuid7(r.transfer_id);
    bool replayed;
    accounting_transfer_in t = {.id = r.transfer_id,
                                .debit = row.account_id[ACCT_AVAILABLE],
                                .credit = row.account_id[ACCT_REALISED],
                                .amount = r.amount,
                                .kind = "pending",
                                .code = "reservation",
                                .reference = r.order_id,
                                .memo = order_number,
                                .by = acc_actor_id(call)};
    rc = accounting_store_apply(call->db, &t, &replayed);
    if (rc == SK_EPRECOND) /* available's balance limit: the ledger decides */
        return no_money(call, &b, req->amount);
    SK_TRY(rc);
    SK_TRY(accounting_store_insert_reservation(call->db, &r, acc_actor_id(call), r.created_at));
    SK_TRY(accounting_store_load_line(call->db, row.id, false, &row));
    SK_TRY(acc_line_balances(&row, &b));
    SK_TRY(reservation_msg(call, &r, &b, reply));
    SK_TRY(audit_reservation(call, "reservation.made", &r, NULL));
    return emit_reservation(call, "accounting.reservation.made", reply);
}

int acc_complete_reservation(sk_call *call, const char *order_id, int target, const char *reason,
                             const char *memo, Seklik__Accounting__Reservation *reply)
{
    SK_TRY(accounting_store_lock_order(call->db, order_id));
    accounting_reservation_row r;
    int rc = accounting_store_load_reservation(call->db, order_id, &r);
    if (rc == SK_ENOTFOUND)
        return acc_not_found(call, "orderId", "reservation.not_found", "no such reservation");
    SK_TRY(rc);
    accounting_line_row row;
    accounting_balances b;
    if (r.state == target) {
        SK_TRY(accounting_store_load_line(call->db, r.budget_line_id, false, &row));
        SK_TRY(acc_line_balances(&row, &b));
        return reservation_msg(call, &r, &b, reply);
    }
    if (r.state != RES_PENDING) {
        char msg[200];
        snprintf(msg, sizeof(msg), "the reservation is %s already", STATE_NAMES[r.state]);
        return acc_fail(call, SK_EPRECOND, "orderId",
                        r.state == RES_POSTED ? "reservation.posted" : "reservation.released", msg);
    }
    SK_TRY(accounting_store_load_line(call->db, r.budget_line_id, true, &row));
    const bool post = target == RES_POSTED;
    char transfer_id[SK_UUID_STRLEN];
    sk_uuid7(transfer_id);
    bool replayed;
    accounting_transfer_in t = {.id = transfer_id,
                                .kind = post ? "post_pending" : "void_pending",
                                .pending_id = r.transfer_id,
                                .code = post ? "reservation.post" : "reservation.void",
                                .reference = r.order_id,
                                .memo = memo && *memo ? memo : r.order_number,
                                .by = acc_actor_id(call)};
    SK_TRY(accounting_store_apply(call->db, &t, &replayed));
    SK_TRY(accounting_store_complete_reservation(call->db, r.order_id, target, transfer_id, reason,
                                                 acc_actor_id(call), r.completed_at));
    r.state = target;
    snprintf(r.completed_by_transfer_id, sizeof(r.completed_by_transfer_id), "%s", transfer_id);
    snprintf(r.reason, sizeof(r.reason), "%s", reason);
    SK_TRY(accounting_store_load_line(call->db, row.id, false, &row));
    SK_TRY(acc_line_balances(&row, &b));
    SK_TRY(reservation_msg(call, &r, &b, reply));
    SK_TRY(audit_reservation(call, post ? "reservation.posted" : "reservation.released", &r,
                             "pending"));
    return emit_reservation(call,
                            post ? "accounting.reservation.posted" : "accounting.reservation.released",
                            reply);
}

/* Post (spent) or void (released) a pending reservation; the same call
 * again answers the reservation as it is. */
static int complete(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out,
                    reservation_state target)
{
    const Seklik__Accounting__ReservationRequest *req =
        (const Seklik__Accounting__ReservationRequest *)in;
    Seklik__Accounting__Reservation *reply = (Seklik__Accounting__Reservation *)out;
    if (!may_reserve(call))
        return acc_deny(call, "reservation");
    char reason[ACCOUNTING_TEXT_SIZE(ACCOUNTING_REASON_MAX)];
    int bad = acc_bad_id(call, "orderId", req->order_id);
    if (!acc_text(call, req->reason, 0, ACCOUNTING_REASON_MAX, true, reason, sizeof(reason),
                  "reason"))
        bad = SK_EINVAL;
    if (bad)
        return SK_EINVAL;
    return acc_complete_reservation(call, req->order_id, (int)target, reason, NULL, reply);
}

/* Accounting.ReleaseReservation: the order was cancelled. */
static int release_reservation(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    return complete(call, in, out, RES_VOIDED);
}

/* Accounting.PostReservation: the money is spent (issue 13: on SP2D). */
static int post_reservation(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    return complete(call, in, out, RES_POSTED);
}

/* Accounting.GetReservation (the ordering service, finance, admin) */
static int get_reservation(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Accounting__ReservationRequest *req =
        (const Seklik__Accounting__ReservationRequest *)in;
    if (!may_reserve(call))
        return acc_deny(call, "reservation");
    SK_TRY(acc_bad_id(call, "orderId", req->order_id));
    accounting_reservation_row r;
    int rc = accounting_store_load_reservation(call->db, req->order_id, &r);
    if (rc == SK_ENOTFOUND)
        return acc_not_found(call, "orderId", "reservation.not_found", "no such reservation");
    SK_TRY(rc);
    accounting_line_row row;
    accounting_balances b;
    SK_TRY(accounting_store_load_line(call->db, r.budget_line_id, false, &row));
    SK_TRY(acc_line_balances(&row, &b));
    return reservation_msg(call, &r, &b, (Seklik__Accounting__Reservation *)out);
}

/* ---- the service ---- */

static const sk_rpc_method methods[] = {
    {"Health", sk_service_health, SK_RPC_QUERY},
    {"CreateBudgetLine", create_budget_line, SK_RPC_COMMAND},
    {"ReviseBudgetLine", revise_budget_line, SK_RPC_COMMAND},
    {"GetBudgetLine", get_budget_line, SK_RPC_QUERY},
    {"ListBudgetLines", list_budget_lines, SK_RPC_QUERY},
    {"ListTransfers", list_transfers, SK_RPC_QUERY},
    {"Reserve", reserve, SK_RPC_COMMAND},
    {"ReleaseReservation", release_reservation, SK_RPC_COMMAND},
    {"PostReservation", post_reservation, SK_RPC_COMMAND},
    {"GetReservation", get_reservation, SK_RPC_QUERY},
    {"SaveTaxTable", acc_save_tax_table, SK_RPC_COMMAND},
    {"PublishTaxTable", acc_publish_tax_table, SK_RPC_COMMAND},
    {"GetTaxTable", acc_get_tax_table, SK_RPC_QUERY},
    {"ListTaxTables", acc_list_tax_tables, SK_RPC_QUERY},
    {"PreviewTax", acc_preview_tax, SK_RPC_QUERY},
    {"SaveDocumentRules", acc_save_document_rules, SK_RPC_COMMAND},
    {"GetDocumentRules", acc_get_document_rules, SK_RPC_QUERY},
    {"SubmitInvoice", acc_submit_invoice, SK_RPC_COMMAND},
    {"AddInvoiceDocument", acc_add_invoice_document, SK_RPC_COMMAND},
    {"GetInvoice", acc_get_invoice, SK_RPC_QUERY},
    {"ListInvoices", acc_list_invoices, SK_RPC_QUERY},
    {"GetInvoiceDocument", acc_get_invoice_document, SK_RPC_QUERY},
    {"ReturnInvoice", acc_return_invoice, SK_RPC_COMMAND},
    {"AcceptInvoice", acc_accept_invoice, SK_RPC_COMMAND},
    {"RecordPaymentStep", acc_record_payment_step, SK_RPC_COMMAND},
    {"CancelPaymentStep", acc_cancel_payment_step, SK_RPC_COMMAND},
    {"ExportSpp", acc_export_spp, SK_RPC_QUERY},
    {"RecordWithholdingSlip", acc_record_withholding_slip, SK_RPC_COMMAND},
    {"ListTaxDue", acc_list_tax_due, SK_RPC_QUERY},
    {"PaymentAging", acc_payment_aging, SK_RPC_QUERY},
    {"CheckLedger", acc_check_ledger, SK_RPC_QUERY},
};

static const char *const REGISTRY_EVENTS[] = {"registry.company.", NULL};
static const char *const ORDERING_EVENTS[] = {"ordering.order.", "ordering.agreement.", NULL};

static const sk_subscription_def subscriptions[] = {
    {"registry", REGISTRY_EVENTS, acc_apply_registry},
    {"ordering", ORDERING_EVENTS, acc_apply_ordering},
};

extern const sk_migration accounting_migrations[];
extern const size_t accounting_migrations_count;

const sk_service_def accounting_service = {
    .name = "accounting",
    .api = &seklik__accounting__accounting__descriptor,
    .methods = methods,
    .n_methods = COUNT(methods),
    .migrations = accounting_migrations,
    .n_migrations = &accounting_migrations_count,
    .subscriptions = subscriptions,
    .n_subscriptions = COUNT(subscriptions),
};
