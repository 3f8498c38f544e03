/* events.c - the read model (scoring's tiers and ceilings, registry's company
 * names) and its in-memory mirror; steps 2 and 3 of the issue saga and the
 * release of a cancelled order's reservation; the re-drive job.
 *
 * The mirror is written only after the inbox transaction that changed the
 * tables committed (sk_event_after_commit), so it never holds what a
 * rollback took back; at start it is loaded from the tables before the loop
 * runs (main.c), so nothing is applied twice or missed. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "seklik/accounting.pb-c.h"
#include "seklik/registry.pb-c.h"
#include "seklik/scoring.pb-c.h"
#include "sk_audit.h"
#include "sk_err.h"
#include "sk_id.h"
#include "sk_log.h"
#include "sk_outbox.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const Seklik__Bus__Actor *ordering_system_actor(void)
{
    static const Seklik__Bus__Actor actor = {
        PROTOBUF_C_MESSAGE_INIT(&seklik__bus__actor__descriptor),
        .user_id = ORDERING_SYSTEM_USER,
        .n_roles = 0,
        .roles = NULL,
        .company_id = "",
        .media_id = "",
        .remote_addr = "",
    };
    return &actor;
}

/* ---- read model ---- */

typedef struct outlet_put {
    ordering_mirror *mirror;
    char outlet_id[SK_UUID_STRLEN];
    int year;
    ordering_outlet_view view;
} outlet_put;

static void put_outlet_after_commit(void *arg)
{
    outlet_put *p = arg;
    if (ordering_mirror_put_outlet(p->mirror, p->outlet_id, p->year, &p->view) != SK_OK)
        sk_log_warn("outlet %s: not mirrored (out of memory)", p->outlet_id);
}

typedef struct ceilings_put {
    ordering_mirror *mirror;
    int year, version;
    size_t n;
    ordering_ceiling_entry *e;
} ceilings_put;

static void put_ceilings_after_commit(void *arg)
{
    ceilings_put *p = arg;
    ordering_mirror_set_ceilings(p->mirror, p->year, p->version, p->e, p->n);
}

static int apply_tiered(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    ordering_app *app = ctx->app;
    Seklik__Scoring__OutletTiered *t =
        seklik__scoring__outlet_tiered__unpack(NULL, ev->body.len, ev->body.data);
    const Seklik__Scoring__OutletScore *s = t ? t->score : NULL;
    int rc = SK_OK;
    /* Unreadable events are skipped, not retried: they would block the stream. */
    if (!s || !sk_uuid_valid(s->outlet_id) || !sk_uuid_valid(s->company_id) ||
        s->fiscal_year < ORDERING_YEAR_MIN || s->fiscal_year > ORDERING_YEAR_MAX ||
        s->outlet_type < 1 || s->outlet_type > ORDERING_OUTLET_TYPES || s->tier < 0 ||
        s->tier > ORDERING_TIERS) {
        sk_log_warn("%s seq %llu: no readable score, skipped", ev->type,
                    (unsigned long long)ev->seq);
        goto done;
    }
    rc = ordering_store_upsert_outlet(ctx->db, s->outlet_id, s->fiscal_year, s->company_id,
                                      s->outlet_name, s->outlet_type, s->tier, s->total,
                                      s->suspended);
    outlet_put *p = rc == SK_OK ? sk_arena_alloc(ctx->arena, sizeof(*p)) : NULL;
    if (rc == SK_OK && !p)
        rc = SK_ENOMEM;
    if (rc == SK_OK) {
        p->mirror = app->mirror;
        snprintf(p->outlet_id, sizeof(p->outlet_id), "%s", s->outlet_id);
        p->year = s->fiscal_year;
        snprintf(p->view.company_id, sizeof(p->view.company_id), "%s", s->company_id);
        p->view.outlet_type = s->outlet_type;
        p->view.tier = s->tier;
        p->view.suspended = s->suspended;
        rc = sk_event_after_commit(ctx, put_outlet_after_commit, p);
    }
done:
    if (t)
        seklik__scoring__outlet_tiered__free_unpacked(t, NULL);
    return rc;
}

static int apply_prices(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    ordering_app *app = ctx->app;
    Seklik__Scoring__PriceStandard *ps =
        seklik__scoring__price_standard__unpack(NULL, ev->body.len, ev->body.data);
    int rc = SK_OK;
    if (!ps || !sk_uuid_valid(ps->id) || ps->version < 1 ||
        ps->fiscal_year < ORDERING_YEAR_MIN || ps->fiscal_year > ORDERING_YEAR_MAX) {
        sk_log_warn("%s seq %llu: no readable price standard, skipped", ev->type,
                    (unsigned long long)ev->seq);
        goto done;
    }
    ceilings_put *p = sk_arena_alloc(ctx->arena, sizeof(*p));
    if (!p || !(p->e = sk_arena_alloc(ctx->arena, sizeof(*p->e) * (ps->n_entries + 1)))) {
        rc = SK_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < ps->n_entries; i++) {
        const Seklik__Scoring__PriceEntry *e = ps->entries[i];
        if (!e || e->outlet_type < 1 || e->outlet_type > ORDERING_OUTLET_TYPES || e->product < 1 ||
            e->product > ORDERING_PRODUCT_COUNT || e->tier < 1 || e->tier > ORDERING_TIERS ||
            e->ceiling <= 0)
            continue;
        p->e[p->n++] = (ordering_ceiling_entry){(int)e->outlet_type, (int)e->product,
                                                (int)e->tier, e->ceiling};
    }
    bool applied = false;
    rc = ordering_store_replace_ceilings(ctx->db, ps->fiscal_year, ps->id, ps->version, p->e,
                                         p->n, &applied);
    if (rc == SK_OK && applied) {
        p->mirror = app->mirror;
        p->year = ps->fiscal_year;
        p->version = ps->version;
        rc = sk_event_after_commit(ctx, put_ceilings_after_commit, p);
    }
done:
    if (ps)
        seklik__scoring__price_standard__free_unpacked(ps, NULL);
    return rc;
}

int ordering_apply_scoring(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    if (ev->type && strcmp(ev->type, "scoring.outlet.tiered") == 0)
        return apply_tiered(ctx, ev);
    if (ev->type && strcmp(ev->type, "scoring.price_standard.published") == 0)
        return apply_prices(ctx, ev);
    return SK_OK;
}

/* Company names, for agreements and orders as people read them. */
int ordering_apply_registry(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    Seklik__Registry__CompanyChanged *cc =
        seklik__registry__company_changed__unpack(NULL, ev->body.len, ev->body.data);
    const Seklik__Registry__Company *c = cc ? cc->company : NULL;
    int rc = SK_OK;
    if (c && sk_uuid_valid(c->id) && c->data && c->data->legal_name && c->data->legal_name[0])
        rc = ordering_store_upsert_company(ctx->db, c->id, c->data->legal_name);
    else
        sk_log_warn("%s seq %llu: no readable company, skipped", ev->type ? ev->type : "?",
                    (unsigned long long)ev->seq);
    if (cc)
        seklik__registry__company_changed__free_unpacked(cc, NULL);
    return rc;
}

static int load_held(ordering_mirror *m, void *arg)
{
    sk_db *db = arg;
    PGresult *res;
    SK_TRY(ordering_store_mirror_outlets(db, &res));
    int rc = SK_OK;
    for (int i = 0; i < PQntuples(res) && rc == SK_OK; i++) {
        ordering_outlet_view v = {.outlet_type = atoi(PQgetvalue(res, i, 3)),
                                  .tier = atoi(PQgetvalue(res, i, 4)),
                                  .suspended = PQgetvalue(res, i, 5)[0] == 't'};
        snprintf(v.company_id, sizeof(v.company_id), "%s", PQgetvalue(res, i, 2));
        rc = ordering_mirror_put_outlet_held(m, PQgetvalue(res, i, 0), atoi(PQgetvalue(res, i, 1)),
                                             &v);
    }
    size_t outlets = (size_t)PQntuples(res);
    PQclear(res);
    SK_TRY(rc);
    SK_TRY(ordering_store_mirror_ceilings(db, &res));
    int n = PQntuples(res);
    ordering_ceiling_entry *e = calloc((size_t)n + 1, sizeof(*e));
    if (!e) {
        PQclear(res);
        return SK_ENOMEM;
    }
    /* Rows come ordered by year: one set_ceilings per year. */
    for (int i = 0, start = 0; i <= n; i++) {
        if (i < n && atoi(PQgetvalue(res, i, 0)) == atoi(PQgetvalue(res, start, 0))) {
            e[i - start] = (ordering_ceiling_entry){
                atoi(PQgetvalue(res, i, 2)), atoi(PQgetvalue(res, i, 3)),
                atoi(PQgetvalue(res, i, 4)), sk_db_get_int64(res, i, 5)};
            continue;
        }
        if (i > start)
            ordering_mirror_set_ceilings_held(m, atoi(PQgetvalue(res, start, 0)),
                                         atoi(PQgetvalue(res, start, 1)), e, (size_t)(i - start));
        if (i < n) {
            start = i;
            e[0] = (ordering_ceiling_entry){atoi(PQgetvalue(res, i, 2)), atoi(PQgetvalue(res, i, 3)),
                                            atoi(PQgetvalue(res, i, 4)),
                                            sk_db_get_int64(res, i, 5)};
        }
    }
    free(e);
    PQclear(res);
    sk_log_info("read model loaded: %zu outlets, %d ceilings", outlets, n);
    return SK_OK;
}

int ordering_mirror_load(sk_db *db, ordering_mirror *m)
{
    return ordering_mirror_exclusive(m, load_held, db);
}

/* ---- orders as the API shows them ---- */

static char *col_dup(sk_arena *a, const PGresult *res, int i, int col)
{
    return sk_arena_strdup(a, PQgetvalue(res, i, col));
}

int ordering_order_from_row(sk_arena *a, const PGresult *res, int i, Seklik__Ordering__Order *o)
{
    Seklik__Ordering__OrderInput *d = sk_arena_alloc(a, sizeof(*d));
    if (!d)
        return SK_ENOMEM;
    seklik__ordering__order_input__init(d);
    d->agreement_id = col_dup(a, res, i, OR_AGREEMENT_ID);
    d->outlet_id = col_dup(a, res, i, OR_OUTLET_ID);
    d->product = (Seklik__Scoring__Product)atoi(PQgetvalue(res, i, OR_PRODUCT));
    d->quantity = atoi(PQgetvalue(res, i, OR_QUANTITY));
    d->schedule_from = col_dup(a, res, i, OR_SCHEDULE_FROM);
    d->schedule_to = col_dup(a, res, i, OR_SCHEDULE_TO);
    d->brief = col_dup(a, res, i, OR_BRIEF);
    d->press_release_id = col_dup(a, res, i, OR_PRESS_RELEASE_ID);
    d->budget_line_id = col_dup(a, res, i, OR_BUDGET_LINE);
    d->title = col_dup(a, res, i, OR_TITLE);
    o->id = col_dup(a, res, i, OR_ID);
    o->fiscal_year = atoi(PQgetvalue(res, i, OR_YEAR));
    o->data = d;
    o->state = (Seklik__Ordering__OrderState)atoi(PQgetvalue(res, i, OR_STATE));
    o->number = col_dup(a, res, i, OR_NUMBER);
    o->company_id = col_dup(a, res, i, OR_COMPANY_ID);
    o->company_name = col_dup(a, res, i, OR_COMPANY_NAME);
    o->outlet_name = col_dup(a, res, i, OR_OUTLET_NAME);
    o->ceiling = sk_db_get_int64(res, i, OR_CEILING);
    o->unit_price = sk_db_get_int64(res, i, OR_UNIT_PRICE);
    o->gross = sk_db_get_int64(res, i, OR_GROSS);
    o->needs_approval = PQgetvalue(res, i, OR_NEEDS_APPROVAL)[0] == 't';
    o->approved_by = col_dup(a, res, i, OR_APPROVED_BY);
    o->approved_at = col_dup(a, res, i, OR_APPROVED_AT);
    o->issued_at = col_dup(a, res, i, OR_ISSUED_AT);
    o->issued_by = col_dup(a, res, i, OR_ISSUED_BY);
    o->refusal_field = col_dup(a, res, i, OR_REFUSAL_FIELD);
    o->refusal_reason = col_dup(a, res, i, OR_REFUSAL_REASON);
    o->cancelled_reason = col_dup(a, res, i, OR_CANCELLED_REASON);
    o->version = sk_db_get_int64(res, i, OR_VERSION);
    o->created_at = col_dup(a, res, i, OR_CREATED_AT);
    o->created_by = col_dup(a, res, i, OR_CREATED_BY);
    return o->id && o->created_by ? SK_OK : SK_ENOMEM;
}

/* Element `k` of a JSON row array as text or number. */
static const char *jstr(sk_arena *a, const cJSON *row, int k)
{
    const cJSON *v = cJSON_GetArrayItem(row, k);
    return sk_arena_strdup(a, cJSON_IsString(v) ? v->valuestring : "");
}

static int64_t jnum(const cJSON *row, int k)
{
    const cJSON *v = cJSON_GetArrayItem(row, k);
    return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

static bool jbool(const cJSON *row, int k)
{
    return cJSON_IsTrue(cJSON_GetArrayItem(row, k));
}

static int offers_into(sk_arena *a, const char *json, Seklik__Ordering__Order *o)
{
    cJSON *rows = cJSON_Parse(json);
    int n = cJSON_GetArraySize(rows);
    o->offers = sk_arena_alloc(a, sizeof(*o->offers) * (size_t)(n + 1));
    int rc = rows && o->offers ? SK_OK : SK_ENOMEM;
    for (int i = 0; i < n && rc == SK_OK; i++) {
        const cJSON *r = cJSON_GetArrayItem(rows, i);
        Seklik__Ordering__Offer *f = sk_arena_alloc(a, sizeof(*f));
        if (!f) {
            rc = SK_ENOMEM;
            break;
        }
        seklik__ordering__offer__init(f);
        f->round = (int32_t)jnum(r, OF_ROUND);
        f->party = (Seklik__Ordering__Party)jnum(r, OF_PARTY);
        f->unit_price = jnum(r, OF_UNIT_PRICE);
        f->gross = jnum(r, OF_GROSS);
        f->note = (char *)jstr(a, r, OF_NOTE);
        f->offered_at = (char *)jstr(a, r, OF_AT);
        f->offered_by = (char *)jstr(a, r, OF_BY);
        o->offers[o->n_offers++] = f;
    }
    cJSON_Delete(rows);
    return rc;
}

static int proofs_into(sk_arena *a, const char *json, Seklik__Ordering__Order *o)
{
    cJSON *rows = cJSON_Parse(json);
    int n = cJSON_GetArraySize(rows);
    o->proofs = sk_arena_alloc(a, sizeof(*o->proofs) * (size_t)(n + 1));
    int rc = rows && o->proofs ? SK_OK : SK_ENOMEM;
    for (int i = 0; i < n && rc == SK_OK; i++) {
        const cJSON *r = cJSON_GetArrayItem(rows, i);
        Seklik__Ordering__Proof *p = sk_arena_alloc(a, sizeof(*p));
        if (!p) {
            rc = SK_ENOMEM;
            break;
        }
        seklik__ordering__proof__init(p);
        p->version = (int32_t)jnum(r, PF_VERSION);
        p->kind = (Seklik__Ordering__ProofKind)jnum(r, PF_KIND);
        p->url = (char *)jstr(a, r, PF_URL);
        p->published_at = (char *)jstr(a, r, PF_PUBLISHED_AT);
        p->file_name = (char *)jstr(a, r, PF_FILE_NAME);
        p->content_type = (char *)jstr(a, r, PF_CONTENT_TYPE);
        p->sha256 = (char *)jstr(a, r, PF_SHA256);
        p->submitted_at = (char *)jstr(a, r, PF_SUBMITTED_AT);
        p->submitted_by = (char *)jstr(a, r, PF_SUBMITTED_BY);
        int decision = (int)jnum(r, PF_DECISION);
        p->accepted = decision == 1;
        p->rejected = decision == 2;
        p->reason = (char *)jstr(a, r, PF_REASON);
        p->decided_at = (char *)jstr(a, r, PF_DECIDED_AT);
        p->decided_by = (char *)jstr(a, r, PF_DECIDED_BY);
        p->late = jbool(r, PF_LATE);
        o->proofs[o->n_proofs++] = p;
    }
    cJSON_Delete(rows);
    return rc;
}

int ordering_order_load(sk_db *db, sk_arena *a, const char *id, Seklik__Ordering__Order *out)
{
    PGresult *res;
    SK_TRY(ordering_store_order_full(db, id, &res));
    int rc = ordering_order_from_row(a, res, 0, out);
    if (rc == SK_OK)
        rc = offers_into(a, PQgetvalue(res, 0, OR_OFFERS_JSON), out);
    if (rc == SK_OK)
        rc = proofs_into(a, PQgetvalue(res, 0, OR_PROOFS_JSON), out);
    PQclear(res);
    return rc;
}

int ordering_emit_order(sk_db *db, const char *what, const Seklik__Ordering__Order *o,
                        const Seklik__Bus__Actor *actor, const char *correlation)
{
    char type[64];
    snprintf(type, sizeof(type), "ordering.order.%s", what);
    Seklik__Ordering__OrderChanged ev = SEKLIK__ORDERING__ORDER_CHANGED__INIT;
    ev.order = (Seklik__Ordering__Order *)o;
    return sk_outbox_append(db, type, &ev.base, actor, correlation, NULL);
}

/* ---- the issue saga: steps 2 and 3 ---- */

/* The audit record of a saga step, as the system (the order's requester is
 * in the row). */
static int audit_order(sk_db *db, const char *action, const Seklik__Ordering__Order *o,
                       int before_state, const char *correlation)
{
    char before[64];
    snprintf(before, sizeof(before), "{\"state\":\"%s\"}", ordering_state_name(before_state));
    /* The number follows the year's format, which an admin typed: escaped. */
    cJSON *j = cJSON_CreateObject();
    char *after = NULL;
    if (j && cJSON_AddStringToObject(j, "state", ordering_state_name((int)o->state)) &&
        cJSON_AddStringToObject(j, "number", o->number ? o->number : "") &&
        cJSON_AddNumberToObject(j, "gross", (double)o->gross) &&
        cJSON_AddStringToObject(j, "refusalField", o->refusal_field ? o->refusal_field : ""))
        after = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!after)
        return SK_ENOMEM;
    int rc = sk_audit_append(db, ordering_system_actor(), action, "order", o->id, before, after,
                             correlation);
    cJSON_free(after);
    return rc;
}

/* Is an error from accounting worth retrying (the order stays ISSUING)? */
static bool transient(int code)
{
    return code == SK_EUNAVAIL || code == SK_ETIMEDOUT || code == SK_EDB ||
           code == SK_EINTERNAL || code == SK_ENOMEM || code == SK_EEXHAUSTED;
}

/* Step 3: one transaction, with the order locked and still ISSUING. */
static int issue_commit(sk_db *db, const char *order_id, bool reserved, const char *why,
                        const char *correlation, ordering_saga_outcome *outcome,
                        sk_arena *out_arena, Seklik__Ordering__Order *out)
{
    sk_arena arena = SK_ARENA_INIT;
    Seklik__Ordering__Order local = SEKLIK__ORDERING__ORDER__INIT, *o = out ? out : &local;
    PGresult *res = NULL;
    int rc = sk_db_begin(db);
    if (rc == SK_OK)
        rc = ordering_store_order(db, order_id, true, &res);
    if (rc != SK_OK)
        goto out;
    if (atoi(PQgetvalue(res, 0, OR_STATE)) != ORDERING_ISSUING) {
        *outcome = ORDERING_SAGA_NOT_ISSUING;
        goto out;
    }
    int year = atoi(PQgetvalue(res, 0, OR_YEAR));
    const char *what;
    if (reserved) {
        ordering_settings s;
        int seq = 0;
        char number[ORDERING_NUMBER_MAX];
        rc = ordering_store_settings(db, year, false, &s);
        if (rc == SK_OK)
            rc = ordering_store_next_seq(db, year, &seq);
        if (rc == SK_OK && ordering_format_number(number, sizeof(number), s.number_format,
                                                  (uint32_t)seq, year) != 0) {
            sk_log_error("year %d: number format \"%s\" cannot number %d", year, s.number_format,
                         seq);
            rc = SK_EINTERNAL;
        }
        if (rc == SK_OK)
            rc = ordering_store_order_issued(db, order_id, seq, number);
        what = "issued";
        *outcome = ORDERING_SAGA_ISSUED;
    } else {
        const char *agreement = PQgetvalue(res, 0, OR_AGREEMENT_ID);
        int product = atoi(PQgetvalue(res, 0, OR_PRODUCT));
        int qty = atoi(PQgetvalue(res, 0, OR_QUANTITY));
        int64_t gross = sk_db_get_int64(res, 0, OR_GROSS);
        bool fits = false;
        PGresult *ag = NULL;
        /* Locks in one order everywhere: order, agreement, quota, counter. */
        rc = ordering_store_agreement(db, agreement, true, &ag);
        if (ag)
            PQclear(ag);
        if (rc == SK_OK)
            rc = ordering_store_hold_quota(db, agreement, product, -qty, &fits);
        if (rc == SK_OK && fits)
            rc = ordering_store_hold_value(db, agreement, -gross, &fits);
        if (rc == SK_OK && !fits) /* what was held is always there to give back */
            rc = SK_EINTERNAL;
        if (rc == SK_OK)
            rc = ordering_store_order_refused(db, order_id, "budgetLine", why);
        what = "issue_refused";
        *outcome = ORDERING_SAGA_REFUSED;
    }
    if (rc == SK_OK)
        rc = ordering_order_load(db, out ? out_arena : &arena, order_id, o);
    if (rc == SK_OK)
        rc = ordering_emit_order(db, what, o, ordering_system_actor(), correlation);
    if (rc == SK_OK)
        rc = audit_order(db, reserved ? "order.issued" : "order.issue_refused", o,
                         ORDERING_ISSUING, correlation);
    if (rc == SK_OK)
        rc = sk_db_commit(db);
out:
    if (db->in_tx)
        sk_db_rollback(db);
    if (res)
        PQclear(res);
    sk_arena_free(&arena);
    return rc;
}

int ordering_issue_finish(sk_db *db, ordering_app *app, const char *order_id,
                          const char *correlation, ordering_saga_outcome *outcome, char *why,
                          size_t why_len, sk_arena *arena, Seklik__Ordering__Order *out)
{
    PGresult *res;
    *outcome = ORDERING_SAGA_NOT_ISSUING;
    snprintf(why, why_len, "%s", "");
    SK_TRY(ordering_store_order(db, order_id, false, &res));
    if (atoi(PQgetvalue(res, 0, OR_STATE)) != ORDERING_ISSUING) {
        PQclear(res);
        return SK_OK;
    }
    /* Step 2: reserve, idempotent by order id in accounting and by key here. */
    Seklik__Accounting__ReserveRequest rr = SEKLIK__ACCOUNTING__RESERVE_REQUEST__INIT;
    rr.order_id = (char *)order_id;
    rr.budget_line_id = PQgetvalue(res, 0, OR_RESERVE_LINE);
    rr.amount = sk_db_get_int64(res, 0, OR_GROSS);
    rr.order_number = "";
    char key[80];
    snprintf(key, sizeof(key), "ordering.reserve:%s", order_id);
    Seklik__Bus__Response *resp = NULL;
    int rc = app->accounting ? sk_rpc_call(app->accounting, "Accounting.Reserve",
                                           ordering_system_actor(), key, &rr.base,
                                           app->call_timeout_ms, &resp)
                             : SK_EUNAVAIL;
    PQclear(res);
    int code = rc == SK_OK ? sk_err_from_bus_code(resp->code) : rc;
    if (resp && code != SK_OK)
        snprintf(why, why_len, "%s", resp->message ? resp->message : "");
    if (code == SK_OK) { /* a reservation already voided or posted does not issue */
        Seklik__Accounting__Reservation *r =
            seklik__accounting__reservation__unpack(NULL, resp->body.len, resp->body.data);
        if (!r || r->state != SEKLIK__ACCOUNTING__RESERVATION_STATE__RESERVATION_STATE_PENDING) {
            code = r ? SK_EPRECOND : SK_EINTERNAL;
            snprintf(why, why_len, "%s", r ? "the order's reservation is no longer pending"
                                           : "unreadable reservation");
        }
        if (r)
            seklik__accounting__reservation__free_unpacked(r, NULL);
    }
    if (resp)
        seklik__bus__response__free_unpacked(resp, NULL);
    if (transient(code)) {
        sk_log_warn("order %s: accounting did not answer the reservation (%s); still issuing",
                    order_id, sk_strerror(code));
        *outcome = ORDERING_SAGA_PENDING;
        return SK_OK;
    }
    if (code != SK_OK && !why[0])
        snprintf(why, why_len, "%s", sk_strerror(code));
    return issue_commit(db, order_id, code == SK_OK, why, correlation, outcome, arena, out);
}

int ordering_release_finish(sk_db *db, ordering_app *app, const char *order_id,
                            const char *reason)
{
    Seklik__Accounting__ReservationRequest rr = SEKLIK__ACCOUNTING__RESERVATION_REQUEST__INIT;
    rr.order_id = (char *)order_id;
    rr.reason = (char *)(reason ? reason : "");
    char key[80];
    snprintf(key, sizeof(key), "ordering.release:%s", order_id);
    Seklik__Bus__Response *resp = NULL;
    int rc = app->accounting ? sk_rpc_call(app->accounting, "Accounting.ReleaseReservation",
                                           ordering_system_actor(), key, &rr.base,
                                           app->call_timeout_ms, &resp)
                             : SK_EUNAVAIL;
    int code = rc == SK_OK ? sk_err_from_bus_code(resp->code) : rc;
    if (resp && code != SK_OK && code != SK_ENOTFOUND)
        sk_log_warn("order %s: releasing its reservation: %s", order_id,
                    resp->message ? resp->message : sk_strerror(code));
    if (resp)
        seklik__bus__response__free_unpacked(resp, NULL);
    if (code != SK_OK && code != SK_ENOTFOUND) /* none to release is released */
        return transient(code) ? SK_EUNAVAIL : code;
    return ordering_store_order_released(db, order_id);
}

/* ---- the re-drive job ---- */

int ordering_redrive(sk_db *db, void *arg)
{
    ordering_app *app = arg;
    PGresult *res;
    SK_TRY(ordering_store_unfinished(db, &res));
    int rc = SK_OK;
    for (int i = 0; i < PQntuples(res); i++) {
        const char *id = PQgetvalue(res, i, 0);
        bool got = false;
        if (ordering_store_saga_lock(db, id, false, &got) != SK_OK || !got)
            continue; /* a call is finishing it right now */
        char why[256];
        ordering_saga_outcome outcome;
        int r = atoi(PQgetvalue(res, i, 1)) == ORDERING_ISSUING
                    ? ordering_issue_finish(db, app, id, NULL, &outcome, why, sizeof(why),
                                            NULL, NULL)
                    : ordering_release_finish(db, app, id, "order cancelled");
        ordering_store_saga_unlock(db, id);
        if (r != SK_OK)
            rc = r;
        else if (atoi(PQgetvalue(res, i, 1)) == ORDERING_ISSUING)
            sk_log_info("order %s re-driven: %s", id,
                        outcome == ORDERING_SAGA_ISSUED      ? "issued"
                        : outcome == ORDERING_SAGA_REFUSED   ? "refused"
                        : outcome == ORDERING_SAGA_PENDING   ? "still waiting for accounting"
                                                             : "finished elsewhere");
    }
    PQclear(res);
    return rc;
}
