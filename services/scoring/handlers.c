/* handlers.c - one function per RPC method of seklik.scoring.Scoring, and
 * the service definition: decode, authorize, call the domain, store, emit.
 *
 * Commands run inside the transaction the RPC server opened: a handler that
 * returns anything but SK_OK has everything it wrote rolled back, so a
 * refused rule set stores nothing. Events and recomputation live in
 * events.c (internal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "sk_actor.h"
#include "sk_audit.h"
#include "sk_err.h"
#include "sk_id.h"
#include "sk_log.h"
#include "sk_outbox.h"
#include "sk_service.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define CEILING_TTL_S 300
#define PAGE_SIZE_DEFAULT 50
#define PAGE_SIZE_MAX 500

/* Staff may read every score and the tier list; a partner only its own. */
static const char *const STAFF_ROLES[] = {SK_ROLE_ADMIN,   SK_ROLE_VERIFIER, SK_ROLE_PARTNERSHIP,
                                          SK_ROLE_PR,      SK_ROLE_FINANCE,  SK_ROLE_HEAD,
                                          NULL};

/* ---- small helpers ---- */

static int deny(sk_call *call, const char *what)
{
    char msg[200];
    snprintf(msg, sizeof(msg), "access.denied: not allowed: %s", what);
    return sk_call_fail(call, SK_EPERM, msg);
}

static bool signed_actor(const sk_call *call)
{
    return (call->actor->user_id && *call->actor->user_id) || call->actor->n_roles > 0;
}

static const char *actor_id(const sk_call *call)
{
    return call->actor->user_id ? call->actor->user_id : "";
}

static int check_year(sk_call *call, int year)
{
    if (year < 2000 || year > 2100)
        return sk_call_violation_code(call, "fiscalYear", "out_of_range",
                                      "must be between 2000 and 2100");
    return SK_OK;
}

/* `message` is "<code>: <English>", a literal where it is written (the web
 * UI's catalogue test reads it there). */
static int not_found(sk_call *call, const char *message)
{
    return sk_call_fail(call, SK_ENOTFOUND, message);
}

/* Protobuf memory from the call's arena: decoded bodies hang off `out`. */
static void *arena_alloc(void *data, size_t n)
{
    return sk_call_alloc(data, n);
}

static void arena_free(void *data, void *p)
{
    (void)data;
    (void)p;
}

static ProtobufCAllocator call_allocator(sk_call *call)
{
    return (ProtobufCAllocator){.alloc = arena_alloc, .free = arena_free, .allocator_data = call};
}

static int audit_set(sk_call *call, const char *action, const char *entity,
                     const scoring_set_row *row, int previous, int rescored)
{
    char before[64] = "", after[200];
    if (previous > 0)
        snprintf(before, sizeof(before), "{\"publishedVersion\":%d}", previous);
    snprintf(after, sizeof(after),
             "{\"fiscalYear\":%d,\"version\":%d,\"state\":\"%s\",\"rescored\":%d}",
             row->fiscal_year, row->version,
             row->state == 1 ? "draft" : row->state == 2 ? "published" : "superseded", rescored);
    return sk_audit_append(call->db, call->actor, action, entity, row->id,
                           previous > 0 ? before : NULL, after, call->req->request_id);
}

/* ---- rule sets ---- */

/* `out` <- the stored rule set `row` (rules from the body, the rest from columns). */
static int rule_set_reply(sk_call *call, const scoring_set_row *row, Seklik__Scoring__RuleSet *out)
{
    ProtobufCAllocator a = call_allocator(call);
    Seklik__Scoring__RuleSet *m = seklik__scoring__rule_set__unpack(&a, row->len, row->body);
    if (!m)
        return SK_EINTERNAL;
    *out = *m;
    out->id = sk_call_strdup(call, row->id);
    out->fiscal_year = row->fiscal_year;
    out->version = row->version;
    out->state = (Seklik__Scoring__SetState)row->state;
    out->published_at = sk_call_strdup(call, row->published_at);
    out->published_by = sk_call_strdup(call, row->published_by);
    return SK_OK;
}

/* The code of a rule-set problem, by the start of its English reason
 * (domain.c, events.c); the reason itself is the English text. */
static const struct {
    const char *reason, *code;
} RULE_PROBLEMS[] = {
    {"unknown criterion", SK_CODE("rule_set.criterion_unknown")},
    {"criterion listed twice", SK_CODE("rule_set.criterion_twice")},
    {"too many bands", SK_CODE("rule_set.too_many_bands")},
    {"more than 8 bands", SK_CODE("rule_set.too_many_bands")},
    {"every criterion must be listed once", SK_CODE("rule_set.criterion_missing")},
    {"unknown outlet type", SK_CODE("unknown_value")},
    {"outlet type listed twice", SK_CODE("rule_set.outlet_type_twice")},
    {"tier thresholds are required", SK_CODE("required")},
    {"no rule set", SK_CODE("required")},
    {"criteria must be in the order", SK_CODE("rule_set.criteria_order")},
    {"maximum outside 0..100", SK_CODE("rule_set.maximum_range")},
    {"reach is banded per outlet type", SK_CODE("rule_set.reach_bands")},
    {"threshold is negative", SK_CODE("negative")},
    {"threshold not above the previous", SK_CODE("rule_set.threshold_order")},
    {"points are negative", SK_CODE("negative")},
    {"points below the previous", SK_CODE("rule_set.points_order")},
    {"points above the criterion's maximum", SK_CODE("rule_set.points_above_max")},
    {"maxima sum to", SK_CODE("rule_set.maxima_sum")},
    {"neutral points outside", SK_CODE("rule_set.neutral_range")},
    {"tier A threshold above 100", SK_CODE("rule_set.tier_a_range")},
    {"tier B threshold not below", SK_CODE("rule_set.tier_order")},
    {"tier C threshold not below", SK_CODE("rule_set.tier_order")},
    {"tier C threshold not above 0", SK_CODE("rule_set.tier_c_range")},
};

static int rule_problem(sk_call *call, const char *field, const char *reason)
{
    const char *code = SK_CODE("rule_set.invalid");
    for (size_t i = 0; i < sizeof(RULE_PROBLEMS) / sizeof(RULE_PROBLEMS[0]); i++)
        if (strncmp(reason, RULE_PROBLEMS[i].reason, strlen(RULE_PROBLEMS[i].reason)) == 0) {
            code = RULE_PROBLEMS[i].code;
            break;
        }
    return sk_call_violation_code(call, field, code, reason);
}

/* Scoring.SaveRuleSetDraft (admin) */
static int save_rule_set_draft(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Scoring__RuleSet *req = (const Seklik__Scoring__RuleSet *)in;
    if (!sk_actor_has_role(call->actor, SK_ROLE_ADMIN))
        return deny(call, "rule set");
    SK_TRY(check_year(call, req->fiscal_year));
    scoring_rule_set rules;
    scoring_problem p;
    if (!scoring_rules_from_api(req, &rules, &p))
        return rule_problem(call, p.field, p.reason);
    if (!scoring_rule_set_valid(&rules, &p)) {
        char field[96];
        scoring_api_field(req, p.field, field, sizeof(field));
        return rule_problem(call, field, p.reason);
    }
    uint8_t *body;
    size_t len;
    SK_TRY(scoring_rules_pack(&rules, &body, &len));
    scoring_set_row row;
    bool replaced = false;
    int rc = scoring_store_set_save_draft(call->db, SCORING_SET_RULES, req->fiscal_year, body,
                                          len, actor_id(call), &replaced, &row);
    if (rc == SK_OK)
        rc = audit_set(call, replaced ? "rule_set.draft_replaced" : "rule_set.draft_saved",
                       "rule_set", &row, 0, 0);
    if (rc == SK_OK) {
        row.body = body;
        row.len = len;
        rc = rule_set_reply(call, &row, (Seklik__Scoring__RuleSet *)out);
    }
    free(body);
    return rc;
}

static int price_standard_reply(sk_call *call, const scoring_set_row *row,
                                Seklik__Scoring__PriceStandard *out);

/* A published kind of set: rule sets and price standards publish alike. */
typedef struct set_kind {
    scoring_set_kind kind;
    const char *what;     /* for messages: "rule set" */
    const char *entity;   /* audit entity: "rule_set" */
    const char *action;   /* audit action on publishing */
    const char *no_draft; /* FAILED_PRECONDITION message */
    const char *missing;  /* NOT_FOUND message */
    int (*reply)(sk_call *call, scoring_set_row *row, ProtobufCMessage *out);
    /* A draft that may not be published as it is: a refusal, else SK_OK. */
    int (*check_draft)(sk_call *call, const scoring_set_row *draft);
} set_kind;

static int reply_rules(sk_call *call, scoring_set_row *row, ProtobufCMessage *out)
{
    return rule_set_reply(call, row, (Seklik__Scoring__RuleSet *)out);
}

static int reply_prices(sk_call *call, scoring_set_row *row, ProtobufCMessage *out)
{
    return price_standard_reply(call, row, (Seklik__Scoring__PriceStandard *)out);
}

static int no_check(sk_call *call, const scoring_set_row *draft)
{
    (void)call;
    (void)draft;
    return SK_OK;
}

static int check_prices_draft(sk_call *call, const scoring_set_row *draft);

static const set_kind RULES = {
    .kind = SCORING_SET_RULES,
    .what = "rule set",
    .entity = "rule_set",
    .action = "rule_set.published",
    .no_draft = "rule_set.no_draft: no draft rule set to publish",
    .missing = "rule_set.not_found: no such rule set",
    .reply = reply_rules,
    .check_draft = no_check,
};
static const set_kind PRICES = {
    .kind = SCORING_SET_PRICES,
    .what = "price standard",
    .entity = "price_standard",
    .action = "price_standard.published",
    .no_draft = "price_standard.no_draft: no draft price standard to publish",
    .missing = "price_standard.not_found: no such price standard",
    .reply = reply_prices,
    .check_draft = check_prices_draft,
};

/* Publish the year's draft of `k` (admin). A rule set re-scores every
 * verified outlet of the year in this same transaction; a price standard
 * drops every cached ceiling of the year. */
static int publish_set(sk_call *call, const set_kind *k, const ProtobufCMessage *in,
                       ProtobufCMessage *out)
{
    const Seklik__Scoring__PublishRequest *req = (const Seklik__Scoring__PublishRequest *)in;
    if (!sk_actor_has_role(call->actor, SK_ROLE_ADMIN))
        return deny(call, k->what);
    SK_TRY(check_year(call, req->fiscal_year));
    scoring_set_row draft;
    int rc = scoring_store_set_load(call->db, k->kind, req->fiscal_year, -1, &draft);
    if (rc == SK_ENOTFOUND)
        return sk_call_fail(call, SK_EPRECOND, k->no_draft);
    SK_TRY(rc);
    rc = k->check_draft(call, &draft); /* a draft copied from last year was never checked */
    scoring_set_row_free(&draft);
    SK_TRY(rc);
    int previous = 0;
    rc = scoring_store_set_publish(call->db, k->kind, req->fiscal_year, actor_id(call), &previous);
    if (rc == SK_ENOTFOUND)
        return sk_call_fail(call, SK_EPRECOND, k->no_draft);
    SK_TRY(rc);
    int changed = 0;
    scoring_io io = {call->db, call->cache, &call->arena, &call->after_commit};
    if (k->kind == SCORING_SET_RULES)
        SK_TRY(scoring_recompute(&io, NULL, req->fiscal_year, call->actor, call->req->request_id,
                                 false, &changed));
    else
        scoring_invalidate_ceilings(&io, req->fiscal_year, NULL);
    scoring_set_row row;
    SK_TRY(scoring_store_set_load(call->db, k->kind, req->fiscal_year, 0, &row));
    rc = audit_set(call, k->action, k->entity, &row, previous, changed);
    if (rc == SK_OK && k->kind == SCORING_SET_PRICES)
        rc = scoring_emit_prices_published(call->db, &row, call->actor, call->req->request_id);
    if (rc == SK_OK)
        rc = k->reply(call, &row, out);
    sk_log_info("%s %d v%d published: %d outlets re-tiered", k->what, row.fiscal_year,
                row.version, changed);
    scoring_set_row_free(&row);
    return rc;
}

/* Scoring.PublishRuleSet */
static int publish_rule_set(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    return publish_set(call, &RULES, in, out);
}

/* A version of the year's set of kind `k` (0 = the published one), for any
 * signed actor: partners see the rules and prices that judged them. */
static int get_set(sk_call *call, const set_kind *k, const ProtobufCMessage *in,
                   ProtobufCMessage *out)
{
    const Seklik__Scoring__GetVersionRequest *req = (const Seklik__Scoring__GetVersionRequest *)in;
    if (!signed_actor(call))
        return deny(call, k->what);
    SK_TRY(check_year(call, req->fiscal_year));
    if (req->version < -1)
        return sk_call_violation_code(call, "version", "version.invalid",
                                      "must be -1 (the draft), 0 (the newest) or a version number");
    /* Drafts are the admin's to review; to anyone else there is none. */
    if (req->version == -1 && !sk_actor_has_role(call->actor, SK_ROLE_ADMIN))
        return not_found(call, k->missing);
    /* A year without a published set answers NOT_FOUND: a read never
     * publishes (Verification.OpenYear drafts the year's sets). */
    scoring_set_row row;
    int rc = scoring_store_set_load(call->db, k->kind, req->fiscal_year, req->version, &row);
    if (rc == SK_ENOTFOUND)
        return not_found(call, k->missing);
    SK_TRY(rc);
    rc = k->reply(call, &row, out);
    scoring_set_row_free(&row);
    return rc;
}

/* Scoring.GetRuleSet */
static int get_rule_set(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    return get_set(call, &RULES, in, out);
}

/* ---- price standards ---- */

static int price_standard_reply(sk_call *call, const scoring_set_row *row,
                                Seklik__Scoring__PriceStandard *out)
{
    ProtobufCAllocator a = call_allocator(call);
    Seklik__Scoring__PriceStandard *m =
        seklik__scoring__price_standard__unpack(&a, row->len, row->body);
    if (!m)
        return SK_EINTERNAL;
    *out = *m;
    out->id = sk_call_strdup(call, row->id);
    out->fiscal_year = row->fiscal_year;
    out->version = row->version;
    out->state = (Seklik__Scoring__SetState)row->state;
    out->published_at = sk_call_strdup(call, row->published_at);
    out->published_by = sk_call_strdup(call, row->published_by);
    return SK_OK;
}

/* Every entry names a known outlet type and product, a paid tier and a
 * positive ceiling, once per (type, product, tier). All problems are named. */
static bool price_entries_valid(sk_call *call, const Seklik__Scoring__PriceStandard *ps)
{
    char field[64];
    bool ok = true;
    if (ps->n_entries == 0) {
        sk_call_violation_code(call, "entries", "required", "no price entries");
        return false;
    }
    for (size_t i = 0; i < ps->n_entries; i++) {
        const Seklik__Scoring__PriceEntry *e = ps->entries[i];
        if (e->outlet_type < 1 || e->outlet_type > 4) {
            snprintf(field, sizeof(field), "entries[%zu].outletType", i);
            ok = sk_call_violation_code(call, field, "unknown_value", "unknown outlet type") &&
                 false;
        }
        if (e->product < 1 || (int)e->product > (int)SCORING_PRODUCT_COUNT) {
            snprintf(field, sizeof(field), "entries[%zu].product", i);
            ok = sk_call_violation_code(call, field, "unknown_value", "unknown product") && false;
        }
        if (e->tier < SEKLIK__SCORING__TIER__TIER_C || e->tier > SEKLIK__SCORING__TIER__TIER_A) {
            snprintf(field, sizeof(field), "entries[%zu].tier", i);
            ok = sk_call_violation_code(call, field, "price.tier_none",
                                        "tier must be A, B or C: tier NONE has no paid orders") &&
                 false;
        }
        if (e->ceiling <= 0) {
            snprintf(field, sizeof(field), "entries[%zu].ceiling", i);
            ok = sk_call_violation_code(call, field, "price.ceiling_not_positive",
                                        "the ceiling must be above 0") &&
                 false;
        }
        for (size_t j = 0; j < i; j++) {
            const Seklik__Scoring__PriceEntry *o = ps->entries[j];
            if (o->outlet_type == e->outlet_type && o->product == e->product &&
                o->tier == e->tier) {
                snprintf(field, sizeof(field), "entries[%zu]", i);
                ok = sk_call_violation_code(call, field, "price.duplicate",
                                            "the same outlet type, product and tier twice") &&
                     false;
                break;
            }
        }
    }
    return ok;
}

/* The domain's checks of a price standard's entries (products on their
 * outlet types, ceilings never falling as the tier rises): the first
 * problem, as a violation on entries[i] (`prefix` "" for a request) or a
 * refusal (a stored draft). The entries passed price_entries_valid. */
static int check_prices(sk_call *call, const Seklik__Scoring__PriceStandard *ps, bool stored)
{
    scoring_price_entry *t = ps->n_entries ? sk_call_alloc(call, ps->n_entries * sizeof(*t)) : NULL;
    if (ps->n_entries && !t)
        return SK_ENOMEM;
    for (size_t i = 0; i < ps->n_entries; i++)
        t[i] = (scoring_price_entry){(scoring_outlet_type)(ps->entries[i]->outlet_type - 1),
                                     (scoring_product)(ps->entries[i]->product - 1),
                                     (scoring_tier)ps->entries[i]->tier, ps->entries[i]->ceiling};
    size_t at = 0;
    scoring_price_problem p = scoring_prices_check(t, ps->n_entries, &at);
    if (p == SCORING_PRICE_OK)
        return SK_OK;
    bool product = p == SCORING_PRICE_PRODUCT_TYPE;
    const char *why = product ? "price.product_outlet_type: the product is not sold on this "
                                "outlet type"
                              : "price.tier_order: a higher tier's ceiling is below a lower "
                                "tier's";
    if (stored)
        return sk_call_fail(call, SK_EPRECOND, why);
    char field[64];
    snprintf(field, sizeof(field), "entries[%zu].%s", at, product ? "product" : "ceiling");
    return sk_call_violation_code(call, field,
                                  product ? "price.product_outlet_type" : "price.tier_order",
                                  strchr(why, ' ') + 1);
}

static int check_prices_draft(sk_call *call, const scoring_set_row *draft)
{
    ProtobufCAllocator a = call_allocator(call);
    Seklik__Scoring__PriceStandard *ps =
        seklik__scoring__price_standard__unpack(&a, draft->len, draft->body);
    if (!ps)
        return SK_EINTERNAL;
    return check_prices(call, ps, true);
}

/* Scoring.SavePriceStandardDraft (admin) */
static int save_price_standard_draft(sk_call *call, const ProtobufCMessage *in,
                                     ProtobufCMessage *out)
{
    const Seklik__Scoring__PriceStandard *req = (const Seklik__Scoring__PriceStandard *)in;
    if (!sk_actor_has_role(call->actor, SK_ROLE_ADMIN))
        return deny(call, "price standard");
    SK_TRY(check_year(call, req->fiscal_year));
    if (!price_entries_valid(call, req))
        return SK_EINVAL;
    SK_TRY(check_prices(call, req, false));
    Seklik__Scoring__PriceStandard body = SEKLIK__SCORING__PRICE_STANDARD__INIT;
    body.n_entries = req->n_entries;
    body.entries = req->entries;
    size_t len = seklik__scoring__price_standard__get_packed_size(&body);
    uint8_t *packed = malloc(len ? len : 1);
    if (!packed)
        return SK_ENOMEM;
    seklik__scoring__price_standard__pack(&body, packed);
    scoring_set_row row;
    bool replaced = false;
    int rc = scoring_store_set_save_draft(call->db, SCORING_SET_PRICES, req->fiscal_year, packed,
                                          len, actor_id(call), &replaced, &row);
    if (rc == SK_OK)
        rc = audit_set(call,
                       replaced ? "price_standard.draft_replaced" : "price_standard.draft_saved",
                       "price_standard", &row, 0, 0);
    if (rc == SK_OK) {
        row.body = packed;
        row.len = len;
        rc = price_standard_reply(call, &row, (Seklik__Scoring__PriceStandard *)out);
    }
    free(packed);
    return rc;
}

/* Scoring.PublishPriceStandard */
static int publish_price_standard(sk_call *call, const ProtobufCMessage *in,
                                  ProtobufCMessage *out)
{
    return publish_set(call, &PRICES, in, out);
}

/* Scoring.GetPriceStandard */
static int get_price_standard(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    return get_set(call, &PRICES, in, out);
}

/* ---- scores ---- */

/* `out` <- row `i` of a scoring_store_load_score / list_scores result. */
static int score_reply(sk_call *call, PGresult *res, int i, bool breakdown,
                       Seklik__Scoring__OutletScore *out)
{
    if (breakdown) {
        uint8_t *data;
        size_t len;
        SK_TRY(sk_db_get_bytea(res, i, SC_BREAKDOWN, &data, &len));
        ProtobufCAllocator a = call_allocator(call);
        Seklik__Scoring__OutletScore *m = seklik__scoring__outlet_score__unpack(&a, len, data);
        free(data);
        if (!m)
            return SK_EINTERNAL;
        out->n_breakdown = m->n_breakdown;
        out->breakdown = m->breakdown;
    }
    out->outlet_id = sk_call_strdup(call, PQgetvalue(res, i, SC_OUTLET_ID));
    out->company_id = sk_call_strdup(call, PQgetvalue(res, i, SC_COMPANY_ID));
    out->outlet_name = sk_call_strdup(call, PQgetvalue(res, i, SC_OUTLET_NAME));
    out->outlet_type = (Seklik__Registry__OutletType)atoi(PQgetvalue(res, i, SC_OUTLET_TYPE));
    out->fiscal_year = atoi(PQgetvalue(res, i, SC_YEAR));
    out->total = atoi(PQgetvalue(res, i, SC_TOTAL));
    out->tier = (Seklik__Scoring__Tier)atoi(PQgetvalue(res, i, SC_TIER));
    out->suspended = PQgetvalue(res, i, SC_SUSPENDED)[0] == 't';
    out->rule_set_id = sk_call_strdup(call, PQgetvalue(res, i, SC_RULE_SET_ID));
    out->rule_set_version = atoi(PQgetvalue(res, i, SC_RULE_SET_VERSION));
    out->computed_at = sk_call_strdup(call, PQgetvalue(res, i, SC_COMPUTED_AT));
    return SK_OK;
}

/* Scoring.GetScore (staff, or the partner of the outlet's company) */
static int get_score(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Scoring__GetScoreRequest *req = (const Seklik__Scoring__GetScoreRequest *)in;
    if (!sk_uuid_valid(req->outlet_id))
        return sk_call_violation_code(call, "outletId", "id.invalid", "outlet id is not valid");
    SK_TRY(check_year(call, req->fiscal_year));
    if (!sk_actor_has_any_role(call->actor, STAFF_ROLES) &&
        !sk_actor_has_role(call->actor, SK_ROLE_PARTNER))
        return deny(call, "score");
    PGresult *res;
    int rc = scoring_store_load_score(call->db, req->outlet_id, req->fiscal_year, &res);
    if (rc == SK_ENOTFOUND)
        return not_found(call, "score.not_found: no score for this outlet and year");
    SK_TRY(rc);
    /* Another company's outlet answers as an unknown one: the answer must
     * not tell a partner which outlet ids exist or have a score. */
    if (!sk_actor_may_act_for_company(call->actor, PQgetvalue(res, 0, SC_COMPANY_ID), STAFF_ROLES))
        rc = not_found(call, "score.not_found: no score for this outlet and year");
    else
        rc = score_reply(call, res, 0, true, (Seklik__Scoring__OutletScore *)out);
    PQclear(res);
    return rc;
}

/* Scoring.ListTiers (staff): keyset pages by outlet id. */
static int list_tiers(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Scoring__ListTiersRequest *req = (const Seklik__Scoring__ListTiersRequest *)in;
    Seklik__Scoring__ListTiersResponse *resp = (Seklik__Scoring__ListTiersResponse *)out;
    if (!sk_actor_has_any_role(call->actor, STAFF_ROLES))
        return deny(call, "tier list");
    SK_TRY(check_year(call, req->fiscal_year));
    if (req->tier < 0 || req->tier > SEKLIK__SCORING__TIER__TIER_A)
        return sk_call_violation_code(call, "tier", "unknown_value", "unknown tier");
    if (req->outlet_type < 0 || req->outlet_type > 4)
        return sk_call_violation_code(call, "outletType", "unknown_value", "unknown outlet type");
    const char *after = req->page_token ? req->page_token : "";
    if (*after && !sk_uuid_valid(after))
        return sk_call_violation_code(call, "pageToken", "page_token.invalid", "bad page token");
    int size = req->page_size == 0 ? PAGE_SIZE_DEFAULT
               : req->page_size > PAGE_SIZE_MAX ? PAGE_SIZE_MAX
                                                : (int)req->page_size;
    PGresult *res;
    SK_TRY(scoring_store_list_scores(call->db, req->fiscal_year,
                                     req->tier == SEKLIK__SCORING__TIER__TIER_NONE ? -1 : (int)req->tier,
                                     req->outlet_type, after, size + 1, &res));
    int n = PQntuples(res), rc = SK_OK;
    int shown = n > size ? size : n;
    resp->scores = sk_call_alloc(call, sizeof(*resp->scores) * (size_t)(shown ? shown : 1));
    for (int i = 0; i < shown && rc == SK_OK; i++) {
        Seklik__Scoring__OutletScore *s = sk_call_alloc(call, sizeof(*s));
        if (!s || !resp->scores) {
            rc = SK_ENOMEM;
            break;
        }
        seklik__scoring__outlet_score__init(s);
        rc = score_reply(call, res, i, false, s);
        resp->scores[resp->n_scores++] = s;
    }
    if (rc == SK_OK && n > size)
        resp->next_page_token = sk_call_strdup(call, PQgetvalue(res, shown - 1, SC_OUTLET_ID));
    PQclear(res);
    return rc;
}

/* ---- ceilings: the ordering service's hot path ---- */

typedef struct ceiling_load {
    sk_db *db;
    const char *outlet_id;
    int product, year;
    char why[160];
} ceiling_load;

/* sk_cache_loader: the packed Ceiling from PostgreSQL. Errors are not cached. */
static int load_ceiling(void *arg, uint8_t **val, size_t *len)
{
    ceiling_load *l = arg;
    PGresult *res;
    int rc = scoring_store_load_score(l->db, l->outlet_id, l->year, &res);
    if (rc == SK_ENOTFOUND)
        snprintf(l->why, sizeof(l->why), "score.not_found: the outlet has no score for %d",
                 l->year);
    SK_TRY(rc);
    int tier = atoi(PQgetvalue(res, 0, SC_TIER)), type = atoi(PQgetvalue(res, 0, SC_OUTLET_TYPE));
    PQclear(res);
    if (tier == SEKLIK__SCORING__TIER__TIER_NONE) {
        snprintf(l->why, sizeof(l->why), "outlet.below_tier_c: tier below C: no paid orders");
        return SK_EPRECOND;
    }
    scoring_set_row prices;
    rc = scoring_prices_for_year(l->db, l->year, &prices);
    if (rc == SK_ENOTFOUND) {
        snprintf(l->why, sizeof(l->why), "price.none_published: no price standard published for %d",
                 l->year);
        return SK_EPRECOND;
    }
    SK_TRY(rc);
    Seklik__Scoring__PriceStandard *ps =
        seklik__scoring__price_standard__unpack(NULL, prices.len, prices.body);
    rc = ps ? SK_ENOTFOUND : SK_EINTERNAL;
    Seklik__Scoring__Ceiling c = SEKLIK__SCORING__CEILING__INIT;
    for (size_t i = 0; ps && i < ps->n_entries; i++) {
        const Seklik__Scoring__PriceEntry *e = ps->entries[i];
        if ((int)e->outlet_type == type && (int)e->product == l->product && (int)e->tier == tier) {
            c.ceiling = e->ceiling;
            rc = SK_OK;
            break;
        }
    }
    if (rc == SK_ENOTFOUND)
        snprintf(l->why, sizeof(l->why), "price.no_ceiling: no ceiling for this product and tier");
    if (rc == SK_OK) {
        c.outlet_id = (char *)l->outlet_id;
        c.product = (Seklik__Scoring__Product)l->product;
        c.tier = (Seklik__Scoring__Tier)tier;
        c.price_standard_version = prices.version;
        c.fiscal_year = l->year;
        *len = seklik__scoring__ceiling__get_packed_size(&c);
        *val = malloc(*len ? *len : 1);
        if (*val)
            seklik__scoring__ceiling__pack(&c, *val);
        else
            rc = SK_ENOMEM;
    }
    if (ps)
        seklik__scoring__price_standard__free_unpacked(ps, NULL);
    scoring_set_row_free(&prices);
    return rc;
}

/* Scoring.GetCeiling (any signed actor: price standards and tiers are public) */
static int get_ceiling(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Scoring__GetCeilingRequest *req = (const Seklik__Scoring__GetCeilingRequest *)in;
    if (!signed_actor(call))
        return deny(call, "ceiling");
    if (!sk_uuid_valid(req->outlet_id))
        return sk_call_violation_code(call, "outletId", "id.invalid", "outlet id is not valid");
    if (req->product < 1 || (int)req->product > (int)SCORING_PRODUCT_COUNT)
        return sk_call_violation_code(call, "product", "unknown_value", "unknown product");
    SK_TRY(check_year(call, req->fiscal_year));
    ceiling_load l = {.db = call->db, .outlet_id = req->outlet_id, .product = req->product,
                      .year = req->fiscal_year};
    char key[128];
    snprintf(key, sizeof(key), "ceiling:%d:%s:%d", req->fiscal_year, req->outlet_id,
             req->product);
    uint8_t *val = NULL;
    size_t len = 0;
    int rc = call->cache ? sk_cache_get_or_load(call->cache, key, CEILING_TTL_S, load_ceiling, &l,
                                                &val, &len)
                         : load_ceiling(&l, &val, &len);
    if (rc != SK_OK) {
        free(val);
        return l.why[0] ? sk_call_fail(call, rc, l.why) : rc;
    }
    ProtobufCAllocator a = call_allocator(call);
    Seklik__Scoring__Ceiling *c = seklik__scoring__ceiling__unpack(&a, len, val);
    free(val);
    if (!c)
        return SK_EINTERNAL;
    *(Seklik__Scoring__Ceiling *)out = *c;
    return SK_OK;
}

/* ---- the service ---- */

static const sk_rpc_method methods[] = {
    {"Health", sk_service_health, SK_RPC_QUERY},
    {"SaveRuleSetDraft", save_rule_set_draft, SK_RPC_COMMAND},
    {"PublishRuleSet", publish_rule_set, SK_RPC_COMMAND},
    {"GetRuleSet", get_rule_set, SK_RPC_QUERY},
    {"SavePriceStandardDraft", save_price_standard_draft, SK_RPC_COMMAND},
    {"PublishPriceStandard", publish_price_standard, SK_RPC_COMMAND},
    {"GetPriceStandard", get_price_standard, SK_RPC_QUERY},
    {"GetScore", get_score, SK_RPC_QUERY},
    {"ListTiers", list_tiers, SK_RPC_QUERY},
    {"GetCeiling", get_ceiling, SK_RPC_QUERY},
};

static const char *const REGISTRY_EVENTS[] = {"registry.company.", NULL};
static const char *const VERIFICATION_EVENTS[] = {"verification.company.", "verification.case.",
                                                  "verification.list.", "verification.year.",
                                                  NULL};
static const char *const ORDERING_EVENTS[] = {"ordering.performance.recorded", NULL};

static const sk_subscription_def subscriptions[] = {
    {"registry", REGISTRY_EVENTS, scoring_apply_registry},
    {"verification", VERIFICATION_EVENTS, scoring_apply_verification},
    {"ordering", ORDERING_EVENTS, scoring_apply_ordering},
};

extern const sk_migration scoring_migrations[];
extern const size_t scoring_migrations_count;

const sk_service_def scoring_service = {
    .name = "scoring",
    .api = &seklik__scoring__scoring__descriptor,
    .methods = methods,
    .n_methods = COUNT(methods),
    .migrations = scoring_migrations,
    .n_migrations = &scoring_migrations_count,
    .subscriptions = subscriptions,
    .n_subscriptions = COUNT(subscriptions),
};
