/* events.c - the read model scores are computed from, the sets in force, and
 * recomputation.
 *
 * registry.company.* events bring each outlet's inputs; verification.company.*
 * events bring the company's standing per fiscal year. The two sources are
 * not ordered with respect to each other, so each event stores its half and
 * recomputes from whatever is stored: inputs without a standing score
 * nothing, a standing without inputs scores nothing, and the second to
 * arrive produces the score. Recomputing from the same rows gives the same
 * score, and no event is emitted for an unchanged one (idempotent).
 *
 * Choices (documented here and in the reply that introduced them):
 * - Points only for what a document proves and a verifier accepted, judged
 *   for the fiscal year scored (scoring_assess): the Dewan Pers level of an
 *   accepted certificate, UKW certificates accepted and valid through the
 *   year, company age from the accepted deed on 1 January of the year.
 *   verification.case.* events carry the documents' judgement.
 * - Verification decides per outlet; a year's final list (and its
 *   amendments) is the single truth of who is verified that year.
 * - Last year's performance is the row of fiscal_year - 1; no row = neutral.
 * - A year without a published rule set (price standard) scores nothing (and
 *   prices nothing): a read never publishes. verification.year.opened drafts
 *   last year's sets (or the DOMAIN.md defaults) for the admin to publish.
 * - Cached ceilings are dropped inside the transaction that changes a score;
 *   the subscriber and RPC APIs have no after-commit hook, so a read racing
 *   the commit can re-cache the old value for at most the TTL (300 s). */
#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "seklik/ordering.pb-c.h"
#include "seklik/registry.pb-c.h"
#include "seklik/verification.pb-c.h"
#include "sk_json.h"
#include "sk_audit.h"
#include "sk_err.h"
#include "sk_id.h"
#include "sk_log.h"
#include "sk_outbox.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- rule sets between the API and the domain ---- */

static bool structure_problem(scoring_problem *p, const char *reason, const char *fmt, size_t i)
{
    snprintf(p->field, sizeof(p->field), fmt, i);
    snprintf(p->reason, sizeof(p->reason), "%s", reason);
    return false;
}

static bool copy_bands(Seklik__Scoring__Band *const *in, size_t n, scoring_band_list *out)
{
    if (n > SCORING_MAX_BANDS)
        return false;
    out->n = n;
    for (size_t b = 0; b < n; b++) {
        out->band[b].threshold = in[b] ? in[b]->threshold : 0;
        out->band[b].points = in[b] ? in[b]->points : 0;
    }
    return true;
}

bool scoring_rules_from_api(const Seklik__Scoring__RuleSet *in, scoring_rule_set *out,
                            scoring_problem *p)
{
    memset(out, 0, sizeof(*out));
    memset(p, 0, sizeof(*p));
    bool seen[SCORING_CRITERION_COUNT] = {false};
    for (size_t j = 0; j < in->n_criteria; j++) {
        const Seklik__Scoring__CriterionRule *c = in->criteria[j];
        int id = c ? (int)c->criterion - 1 : -1;
        if (id < 0 || id >= SCORING_CRITERION_COUNT)
            return structure_problem(p, "unknown criterion", "criteria[%zu].criterion", j);
        if (seen[id])
            return structure_problem(p, "criterion listed twice", "criteria[%zu].criterion", j);
        seen[id] = true;
        out->criteria[id].id = (scoring_criterion_id)id;
        out->criteria[id].max = c->max_points;
        if (!copy_bands(c->bands, c->n_bands, &out->criteria[id].bands))
            return structure_problem(p, "too many bands (at most 8)", "criteria[%zu].bands", j);
    }
    for (size_t i = 0; i < SCORING_CRITERION_COUNT; i++)
        if (!seen[i])
            return structure_problem(p, "every criterion must be listed once", "criteria", i);
    bool seen_reach[SCORING_OUTLET_COUNT] = {false};
    for (size_t k = 0; k < in->n_reach; k++) {
        const Seklik__Scoring__ReachBands *r = in->reach[k];
        int t = r ? (int)r->outlet_type - 1 : -1;
        if (t < 0 || t >= SCORING_OUTLET_COUNT)
            return structure_problem(p, "unknown outlet type", "reach[%zu].outletType", k);
        if (seen_reach[t])
            return structure_problem(p, "outlet type listed twice", "reach[%zu].outletType", k);
        seen_reach[t] = true;
        if (!copy_bands(r->bands, r->n_bands, &out->reach[t]))
            return structure_problem(p, "too many bands (at most 8)", "reach[%zu].bands", k);
    }
    if (!in->tiers)
        return structure_problem(p, "tier thresholds are required", "tiers", 0);
    out->tiers.a = in->tiers->a;
    out->tiers.b = in->tiers->b;
    out->tiers.c = in->tiers->c;
    out->performance_neutral_points = in->performance_neutral_points;
    return true;
}

/* "performance_neutral_points" -> "performanceNeutralPoints" */
static void camel(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    for (bool up = false; *s && o + 1 < cap; s++) {
        if (*s == '_') {
            up = true;
            continue;
        }
        out[o++] = up && *s >= 'a' && *s <= 'z' ? (char)(*s - 'a' + 'A') : *s;
        up = false;
    }
    out[o] = '\0';
}

void scoring_api_field(const Seklik__Scoring__RuleSet *in, const char *f, char *out, size_t cap)
{
    char rest[64];
    size_t i;
    int used = 0;
    if (sscanf(f, "criteria[%zu]%n", &i, &used) == 1 && used > 0) {
        const char *tail = f + used;
        size_t j = i;
        for (size_t k = 0; k < in->n_criteria; k++)
            if (in->criteria[k] && (int)in->criteria[k]->criterion == (int)i + 1)
                j = k;
        if (strcmp(tail, ".max") == 0)
            tail = ".maxPoints";
        else if (strcmp(tail, ".id") == 0)
            tail = ".criterion";
        camel(tail, rest, sizeof(rest));
        snprintf(out, cap, "criteria[%zu]%s", j, rest);
        return;
    }
    if (strncmp(f, "reach.", 6) == 0) {
        const char *name = f + 6, *dot = strchr(name, '.');
        size_t n = dot ? (size_t)(dot - name) : strlen(name);
        for (int t = 0; t < SCORING_OUTLET_COUNT; t++) {
            const char *tn = scoring_outlet_type_name((scoring_outlet_type)t);
            if (strlen(tn) != n || strncmp(tn, name, n) != 0)
                continue;
            for (size_t k = 0; k < in->n_reach; k++)
                if (in->reach[k] && (int)in->reach[k]->outlet_type == t + 1) {
                    camel(dot ? dot : "", rest, sizeof(rest));
                    snprintf(out, cap, "reach[%zu]%s", k, rest);
                    return;
                }
        }
        snprintf(out, cap, "reach");
        return;
    }
    camel(f, out, cap);
}

int scoring_rules_pack(const scoring_rule_set *rs, uint8_t **body, size_t *len)
{
    Seklik__Scoring__Band bands[SCORING_CRITERION_COUNT + SCORING_OUTLET_COUNT][SCORING_MAX_BANDS];
    Seklik__Scoring__Band *band_ptrs[SCORING_CRITERION_COUNT + SCORING_OUTLET_COUNT]
                                    [SCORING_MAX_BANDS];
    Seklik__Scoring__CriterionRule crit[SCORING_CRITERION_COUNT], *crit_ptrs[SCORING_CRITERION_COUNT];
    Seklik__Scoring__ReachBands reach[SCORING_OUTLET_COUNT], *reach_ptrs[SCORING_OUTLET_COUNT];
    for (size_t l = 0; l < SCORING_CRITERION_COUNT + SCORING_OUTLET_COUNT; l++) {
        const scoring_band_list *src = l < SCORING_CRITERION_COUNT
                                           ? &rs->criteria[l].bands
                                           : &rs->reach[l - SCORING_CRITERION_COUNT];
        for (size_t b = 0; b < src->n; b++) {
            seklik__scoring__band__init(&bands[l][b]);
            bands[l][b].threshold = src->band[b].threshold;
            bands[l][b].points = src->band[b].points;
            band_ptrs[l][b] = &bands[l][b];
        }
        if (l < SCORING_CRITERION_COUNT) {
            seklik__scoring__criterion_rule__init(&crit[l]);
            crit[l].criterion = (Seklik__Scoring__Criterion)(l + 1);
            crit[l].max_points = rs->criteria[l].max;
            crit[l].n_bands = src->n;
            crit[l].bands = band_ptrs[l];
            crit_ptrs[l] = &crit[l];
        } else {
            size_t t = l - SCORING_CRITERION_COUNT;
            seklik__scoring__reach_bands__init(&reach[t]);
            reach[t].outlet_type = (Seklik__Registry__OutletType)(t + 1);
            reach[t].n_bands = src->n;
            reach[t].bands = band_ptrs[l];
            reach_ptrs[t] = &reach[t];
        }
    }
    Seklik__Scoring__TierThresholds tiers = SEKLIK__SCORING__TIER_THRESHOLDS__INIT;
    tiers.a = rs->tiers.a;
    tiers.b = rs->tiers.b;
    tiers.c = rs->tiers.c;
    Seklik__Scoring__RuleSet m = SEKLIK__SCORING__RULE_SET__INIT;
    m.n_criteria = SCORING_CRITERION_COUNT;
    m.criteria = crit_ptrs;
    m.n_reach = SCORING_OUTLET_COUNT;
    m.reach = reach_ptrs;
    m.performance_neutral_points = rs->performance_neutral_points;
    m.tiers = &tiers;
    *len = seklik__scoring__rule_set__get_packed_size(&m);
    *body = malloc(*len ? *len : 1);
    if (!*body)
        return SK_ENOMEM;
    seklik__scoring__rule_set__pack(&m, *body);
    return SK_OK;
}

static int prices_pack_default(uint8_t **body, size_t *len)
{
    size_t n = scoring_default_prices_count;
    Seklik__Scoring__PriceEntry *e = calloc(n, sizeof(*e));
    Seklik__Scoring__PriceEntry **ptrs = calloc(n, sizeof(*ptrs));
    int rc = SK_ENOMEM;
    if (!e || !ptrs)
        goto done;
    for (size_t i = 0; i < n; i++) {
        const scoring_price_entry *d = &scoring_default_prices[i];
        seklik__scoring__price_entry__init(&e[i]);
        e[i].outlet_type = (Seklik__Registry__OutletType)(d->outlet_type + 1);
        e[i].product = (Seklik__Scoring__Product)(d->product + 1);
        e[i].tier = (Seklik__Scoring__Tier)d->tier;
        e[i].ceiling = d->ceiling;
        ptrs[i] = &e[i];
    }
    Seklik__Scoring__PriceStandard m = SEKLIK__SCORING__PRICE_STANDARD__INIT;
    m.n_entries = n;
    m.entries = ptrs;
    *len = seklik__scoring__price_standard__get_packed_size(&m);
    *body = malloc(*len ? *len : 1);
    if (*body) {
        seklik__scoring__price_standard__pack(&m, *body);
        rc = SK_OK;
    }
done:
    free(e);
    free(ptrs);
    return rc;
}

/* ---- the sets in force ---- */

int scoring_rules_for_year(sk_db *db, int year, scoring_rules_in_force *out)
{
    scoring_set_row row;
    SK_TRY(scoring_store_set_load(db, SCORING_SET_RULES, year, 0, &row));
    Seklik__Scoring__RuleSet *m = seklik__scoring__rule_set__unpack(NULL, row.len, row.body);
    scoring_problem p;
    int rc = m && scoring_rules_from_api(m, &out->rules, &p) &&
                     scoring_rule_set_valid(&out->rules, &p)
                 ? SK_OK
                 : SK_EINTERNAL;
    if (rc != SK_OK)
        sk_log_error("published rule set %s of %d cannot score: %s %s", row.id, year,
                     m ? p.field : "unreadable", m ? p.reason : "");
    snprintf(out->id, sizeof(out->id), "%s", row.id);
    out->version = row.version;
    if (m)
        seklik__scoring__rule_set__free_unpacked(m, NULL);
    scoring_set_row_free(&row);
    return rc;
}

int scoring_prices_for_year(sk_db *db, int year, scoring_set_row *out)
{
    return scoring_store_set_load(db, SCORING_SET_PRICES, year, 0, out);
}

/* ---- opening a year: drafts to review and publish ---- */

/* The body of last year's published set of `kind`, or the DOMAIN.md
 * defaults when it has none (malloc'ed). */
static int last_years_body(sk_db *db, scoring_set_kind kind, int year, uint8_t **body, size_t *len)
{
    scoring_set_row row;
    int rc = scoring_store_set_load(db, kind, year - 1, 0, &row);
    if (rc == SK_OK) {
        *body = row.body;
        *len = row.len;
        return SK_OK;
    }
    if (rc != SK_ENOTFOUND)
        return rc;
    return kind == SCORING_SET_RULES ? scoring_rules_pack(&scoring_default_rule_set, body, len)
                                     : prices_pack_default(body, len);
}

static int offer_draft(sk_db *db, scoring_set_kind kind, int year, const Seklik__Bus__Event *ev)
{
    uint8_t *body = NULL;
    size_t len = 0;
    SK_TRY(last_years_body(db, kind, year, &body, &len));
    const char *by = ev->actor && ev->actor->user_id && *ev->actor->user_id
                         ? ev->actor->user_id
                         : SCORING_SYSTEM_ACTOR;
    bool saved = false;
    scoring_set_row row;
    int rc = scoring_store_set_offer_draft(db, kind, year, body, len, by, &saved, &row);
    free(body);
    if (rc != SK_OK || !saved)
        return rc;
    const char *entity = kind == SCORING_SET_RULES ? "rule_set" : "price_standard";
    char action[64], after[160];
    snprintf(action, sizeof(action), "%s.draft_saved", entity);
    snprintf(after, sizeof(after),
             "{\"fiscalYear\":%d,\"version\":%d,\"state\":\"draft\",\"openedYear\":true}", year,
             row.version);
    return sk_audit_append(db, ev->actor, action, entity, row.id, NULL, after, ev->correlation_id);
}

/* verification.year.opened: the year's rule set and price standard as
 * drafts (last year's, or the defaults) unless it has them already. */
static int apply_year_opened(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    Seklik__Verification__YearOpened *m =
        seklik__verification__year_opened__unpack(NULL, ev->body.len, ev->body.data);
    int rc = SK_OK;
    if (!m || !m->year || m->year->fiscal_year < 2000 || m->year->fiscal_year > 2100)
        sk_log_warn("%s seq %llu: no readable fiscal year, skipped", ev->type,
                    (unsigned long long)ev->seq);
    else if ((rc = offer_draft(ctx->db, SCORING_SET_RULES, m->year->fiscal_year, ev)) == SK_OK)
        rc = offer_draft(ctx->db, SCORING_SET_PRICES, m->year->fiscal_year, ev);
    if (m)
        seklik__verification__year_opened__free_unpacked(m, NULL);
    return rc;
}

/* ---- recomputation ---- */

static void ceiling_prefix(char *buf, size_t cap, int year, const char *outlet_id)
{
    if (outlet_id)
        snprintf(buf, cap, "ceiling:%d:%s:", year, outlet_id);
    else
        snprintf(buf, cap, "ceiling:%d:", year);
}

typedef struct ceiling_drop {
    sk_cache *cache;
    char prefix[96];
} ceiling_drop;

static void drop_after_commit(void *arg)
{
    ceiling_drop *d = arg;
    sk_cache_invalidate_prefix(d->cache, d->prefix);
}

void scoring_invalidate_ceilings(scoring_io *io, int year, const char *outlet_id)
{
    if (!io || !io->cache)
        return;
    ceiling_drop *d = sk_arena_alloc(io->arena, sizeof(*d));
    char prefix[96];
    ceiling_prefix(prefix, sizeof(prefix), year, outlet_id);
    sk_cache_invalidate_prefix(io->cache, prefix);
    if (!d || sk_defer_add(io->after_commit, io->arena, drop_after_commit, d) != SK_OK) {
        sk_log_warn("ceilings of %s: no memory to drop them after commit", prefix);
        return;
    }
    d->cache = io->cache;
    snprintf(d->prefix, sizeof(d->prefix), "%s", prefix);
}

static void now_iso(char out[40])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 40 - n, ".%06dZ", (int)(ts.tv_nsec / 1000) % 1000000);
}

static int audit_score(sk_db *db, const Seklik__Bus__Actor *actor, const char *correlation,
                       const Seklik__Scoring__OutletScore *s, bool had, int prev_total,
                       int prev_tier)
{
    char before[96], after[160];
    snprintf(before, sizeof(before), "{\"total\":%d,\"tier\":\"%s\"}", prev_total,
             scoring_tier_name((scoring_tier)prev_tier));
    snprintf(after, sizeof(after),
             "{\"fiscalYear\":%d,\"total\":%d,\"tier\":\"%s\",\"ruleSetVersion\":%d}",
             s->fiscal_year, s->total, scoring_tier_name((scoring_tier)s->tier),
             s->rule_set_version);
    return sk_audit_append(db, actor, "outlet_score.computed", "outlet", s->outlet_id,
                           had ? before : NULL, after, correlation);
}

/* Scores and events of a re-score, written a chunk at a time: one upsert and
 * one batch append per chunk instead of three statements per outlet. */
#define SCORE_CHUNK 500

typedef struct score_batch {
    cJSON *rows;
    sk_outbox_event events[SCORE_CHUNK];
    uint8_t *bodies[SCORE_CHUNK];
    size_t n_rows, n_events;
} score_batch;

static int batch_flush(sk_db *db, score_batch *b, int year, const scoring_rules_in_force *rif,
                       const Seklik__Bus__Actor *actor, const char *correlation)
{
    int rc = SK_OK;
    if (b->n_rows) {
        char *json = cJSON_PrintUnformatted(b->rows);
        rc = json ? scoring_store_upsert_scores(db, year, json, rif->id, rif->version) : SK_ENOMEM;
        cJSON_free(json);
    }
    if (rc == SK_OK && b->n_events)
        rc = sk_outbox_append_batch(db, b->events, b->n_events, actor, correlation);
    for (size_t i = 0; i < b->n_events; i++)
        free(b->bodies[i]);
    cJSON_Delete(b->rows);
    b->rows = NULL;
    b->n_rows = b->n_events = 0;
    return rc;
}

/* seklik.registry.DocumentType numbers scoring reads. */
enum { DOC_AKTA = 1, DOC_DEWAN_PERS = 6, DOC_UKW = 7 };

static scoring_proof proof_of(const char *s)
{
    if (!s)
        return SCORING_PROOF_MISSING;
    if (strcmp(s, "accepted") == 0)
        return SCORING_PROOF_ACCEPTED;
    if (strcmp(s, "pending") == 0)
        return SCORING_PROOF_PENDING;
    if (strcmp(s, "rejected") == 0)
        return SCORING_PROOF_REJECTED;
    return SCORING_PROOF_MISSING;
}

static scoring_certificate certificate_of(const cJSON *d)
{
    scoring_certificate c = {proof_of(cJSON_GetStringValue(cJSON_GetObjectItem(d, "proof"))), 0, 0};
    int32_t day;
    if (scoring_parse_date(cJSON_GetStringValue(cJSON_GetObjectItem(d, "expires")), &day))
        c.expires = day;
    c.level = sk_json_int(cJSON_GetObjectItem(d, "level"), 0, 100, 0);
    return c;
}

static const char *json_str(const cJSON *o, const char *key)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, key));
    return s ? s : "";
}

/* Of two judgements of one slot, the one that says more (accepted, then
 * pending, rejected, missing). */
static bool better_proof(scoring_proof a, scoring_proof b)
{
    static const int RANK[] = {[SCORING_PROOF_MISSING] = 0, [SCORING_PROOF_REJECTED] = 1,
                               [SCORING_PROOF_PENDING] = 2, [SCORING_PROOF_ACCEPTED] = 3};
    return RANK[a] > RANK[b];
}

/* The facts of row `i` of scoring_store_inputs: the registry's data and
 * the documents' proof. `people` and `dewan_pers` (malloc'ed, the caller
 * frees them) back the facts' arrays. */
static int facts_of_row(PGresult *res, int i, scoring_facts *f, scoring_person_facts **people,
                        scoring_certificate **dewan_pers)
{
    const char *outlet_id = PQgetvalue(res, i, IN_OUTLET_ID);
    cJSON *persons = cJSON_Parse(PQgetvalue(res, i, IN_PEOPLE));
    cJSON *docs = cJSON_Parse(PQgetvalue(res, i, IN_DOCUMENTS));
    int n_people = cJSON_GetArraySize(persons), n_docs = cJSON_GetArraySize(docs);
    *people = calloc((size_t)n_people + 1, sizeof(**people));
    *dewan_pers = calloc((size_t)n_docs + 1, sizeof(**dewan_pers));
    int rc = *people && *dewan_pers ? SK_OK : SK_ENOMEM;
    memset(f, 0, sizeof(*f));
    f->declared_dewan_pers = (scoring_dewan_pers)atoi(PQgetvalue(res, i, IN_DEWAN_PERS_DECLARED));
    const char *deed = PQgetvalue(res, i, IN_DEED_DAYS), *founded = PQgetvalue(res, i, IN_FOUNDED_DAYS);
    f->deed_date_known = *deed != '\0';
    f->deed_date = (int32_t)atol(deed);
    f->founded_known = *founded != '\0';
    f->founded = (int32_t)atol(founded);
    const cJSON *d;
    for (int k = 0; rc == SK_OK && k < n_docs; k++) {
        d = cJSON_GetArrayItem(docs, k);
        int type = sk_json_int(cJSON_GetObjectItem(d, "type"), 0, 1000, 0);
        const char *own = json_str(d, "outlet_id");
        scoring_certificate c = certificate_of(d);
        if (type == DOC_DEWAN_PERS && (!*own || strcmp(own, outlet_id) == 0))
            (*dewan_pers)[f->n_dewan_pers++] = c;
        else if (type == DOC_AKTA && better_proof(c.proof, f->deed.proof))
            f->deed = c;
    }
    for (int k = 0; rc == SK_OK && k < n_people; k++) {
        const cJSON *p = cJSON_GetArrayItem(persons, k);
        scoring_person_facts *pf = &(*people)[f->n_people++];
        pf->chief_editor = cJSON_IsTrue(cJSON_GetObjectItem(p, "chief"));
        pf->level = (scoring_ukw)sk_json_int(cJSON_GetObjectItem(p, "level"), SCORING_UKW_NONE,
                                             SCORING_UKW_UTAMA, SCORING_UKW_NONE);
        const char *id = json_str(p, "id");
        cJSON_ArrayForEach(d, docs)
        {
            if (sk_json_int(cJSON_GetObjectItem(d, "type"), 0, 1000, 0) == DOC_UKW && *id &&
                strcmp(json_str(d, "person_id"), id) == 0) {
                scoring_certificate c = certificate_of(d);
                if (better_proof(c.proof, pf->ukw.proof))
                    pf->ukw = c;
            }
        }
    }
    f->people = *people;
    f->dewan_pers = *dewan_pers;
    cJSON_Delete(persons);
    cJSON_Delete(docs);
    return rc;
}

/* Score one row of scoring_store_inputs into the batch; an event when changed. */
static int score_row(sk_db *db, scoring_io *per_outlet, score_batch *b, PGresult *res, int i, int year,
                     const scoring_rules_in_force *rif,
                     const Seklik__Bus__Actor *actor, const char *correlation, bool audit,
                     int *changed)
{
    const char *outlet_id = PQgetvalue(res, i, IN_OUTLET_ID);
    int type = atoi(PQgetvalue(res, i, IN_OUTLET_TYPE));
    scoring_facts f;
    scoring_person_facts *people = NULL;
    scoring_certificate *dewan_pers = NULL;
    int frc = facts_of_row(res, i, &f, &people, &dewan_pers);
    f.outlet_type = (scoring_outlet_type)(type - 1);
    f.reach_value = sk_db_get_int64(res, i, IN_REACH);
    const char *perf = PQgetvalue(res, i, IN_PERFORMANCE);
    f.has_performance_history = *perf != '\0';
    f.performance_percent = atoi(perf);
    f.suspended = PQgetvalue(res, i, IN_SUSPENDED)[0] == 't';
    scoring_inputs in;
    bool assessed = frc == SK_OK && scoring_assess(&f, year, &in);
    free(people);
    free(dewan_pers);
    if (frc != SK_OK)
        return frc;

    scoring_result r;
    if (type < 1 || type > SCORING_OUTLET_COUNT || !assessed ||
        !scoring_compute(&in, &rif->rules, &r)) {
        sk_log_warn("outlet %s: inputs out of range, not scored", outlet_id);
        return SK_OK;
    }

    Seklik__Scoring__BreakdownLine lines[SCORING_CRITERION_COUNT], *line_ptrs[SCORING_CRITERION_COUNT];
    for (size_t c = 0; c < SCORING_CRITERION_COUNT; c++) {
        seklik__scoring__breakdown_line__init(&lines[c]);
        lines[c].criterion = (Seklik__Scoring__Criterion)(r.lines[c].id + 1);
        lines[c].points = r.lines[c].points;
        lines[c].max_points = r.lines[c].max;
        lines[c].input_value = r.lines[c].value;
        lines[c].threshold = r.lines[c].threshold;
        lines[c].rule = r.lines[c].rule;
        lines[c].reason = (char *)r.lines[c].reason;
        line_ptrs[c] = &lines[c];
    }
    char computed_at[40];
    now_iso(computed_at);
    Seklik__Scoring__OutletScore s = SEKLIK__SCORING__OUTLET_SCORE__INIT;
    s.outlet_id = (char *)outlet_id;
    s.company_id = PQgetvalue(res, i, IN_COMPANY_ID);
    s.outlet_name = PQgetvalue(res, i, IN_OUTLET_NAME);
    s.outlet_type = (Seklik__Registry__OutletType)type;
    s.fiscal_year = year;
    s.total = r.total;
    s.tier = (Seklik__Scoring__Tier)r.tier;
    s.n_breakdown = SCORING_CRITERION_COUNT;
    s.breakdown = line_ptrs;
    s.rule_set_id = (char *)rif->id;
    s.rule_set_version = rif->version;
    s.computed_at = computed_at;
    s.suspended = in.suspended;

    /* The stored breakdown is an OutletScore holding only its lines. */
    Seklik__Scoring__OutletScore only = SEKLIK__SCORING__OUTLET_SCORE__INIT;
    only.n_breakdown = s.n_breakdown;
    only.breakdown = s.breakdown;
    uint8_t packed[2048];
    size_t len = seklik__scoring__outlet_score__get_packed_size(&only);
    if (len > sizeof(packed))
        return SK_EINTERNAL;
    seklik__scoring__outlet_score__pack(&only, packed);
    char hex[sizeof(packed) * 2 + 1];
    sodium_bin2hex(hex, sizeof(hex), packed, len);
    if (!b->rows && !(b->rows = cJSON_CreateArray()))
        return SK_ENOMEM;
    cJSON *row = cJSON_CreateObject();
    if (!row)
        return SK_ENOMEM;
    cJSON_AddStringToObject(row, "outlet_id", outlet_id);
    cJSON_AddNumberToObject(row, "total", r.total);
    cJSON_AddNumberToObject(row, "tier", r.tier);
    cJSON_AddBoolToObject(row, "suspended", in.suspended);
    cJSON_AddStringToObject(row, "breakdown", hex);
    cJSON_AddItemToArray(b->rows, row);
    b->n_rows++;

    const char *prev = PQgetvalue(res, i, IN_PREV_TOTAL);
    bool had = *prev != '\0';
    int prev_total = had ? atoi(prev) : 0, prev_tier = atoi(PQgetvalue(res, i, IN_PREV_TIER));
    if (had && prev_total == r.total && prev_tier == (int)r.tier)
        return SK_OK;
    Seklik__Scoring__OutletTiered ev = SEKLIK__SCORING__OUTLET_TIERED__INIT;
    ev.score = &s;
    ev.previous_tier = (Seklik__Scoring__Tier)prev_tier;
    ev.previous_total = prev_total;
    size_t n = seklik__scoring__outlet_tiered__get_packed_size(&ev);
    uint8_t *body = malloc(n + 1);
    if (!body)
        return SK_ENOMEM;
    seklik__scoring__outlet_tiered__pack(&ev, body);
    b->bodies[b->n_events] = body;
    b->events[b->n_events++] = (sk_outbox_event){"scoring.outlet.tiered", body, n};
    if (audit)
        SK_TRY(audit_score(db, actor, correlation, &s, had, prev_total, prev_tier));
    scoring_invalidate_ceilings(per_outlet, year, outlet_id);
    (*changed)++;
    return SK_OK;
}

static int drop_scores(scoring_io *io, const char *company_id, int year,
                       const Seklik__Bus__Actor *actor, const char *correlation)
{
    PGresult *res;
    sk_db *db = io->db;
    SK_TRY(scoring_store_delete_scores(db, company_id, year, &res));
    int rc = SK_OK;
    for (int i = 0; i < PQntuples(res) && rc == SK_OK; i++) {
        const char *outlet_id = PQgetvalue(res, i, 0);
        char after[64];
        snprintf(after, sizeof(after), "{\"fiscalYear\":%d,\"removed\":true}", year);
        rc = sk_audit_append(db, actor, "outlet_score.removed", "outlet", outlet_id, NULL, after,
                             correlation);
        scoring_invalidate_ceilings(io, year, outlet_id);
    }
    PQclear(res);
    return rc;
}

int scoring_recompute(scoring_io *io, const char *company_id, int year,
                      const Seklik__Bus__Actor *actor, const char *correlation, bool audit,
                      int *changed)
{
    sk_db *db = io->db;
    int n = 0;
    if (!changed)
        changed = &n;
    SK_TRY(scoring_store_lock_year(db, year, company_id == NULL));
    /* Scores of outlets not verified for the year are not kept. */
    SK_TRY(drop_scores(io, company_id, year, actor, correlation));
    scoring_rules_in_force rif;
    int found = scoring_rules_for_year(db, year, &rif);
    if (found == SK_ENOTFOUND) {
        sk_log_info("fiscal year %d has no published rule set: nothing scored", year);
        return SK_OK;
    }
    SK_TRY(found);
    if (year < 2000 || year > 2100)
        return SK_EINVAL;
    PGresult *res;
    SK_TRY(scoring_store_inputs(db, company_id, year, &res));
    /* A whole year re-scored drops the year's ceilings once, not per outlet
     * (each prefix drop is a SCAN). */
    scoring_io *per_outlet = company_id ? io : NULL;
    int rc = SK_OK, before = *changed;
    score_batch *b = calloc(1, sizeof(*b));
    if (!b) {
        PQclear(res);
        return SK_ENOMEM;
    }
    for (int i = 0; i < PQntuples(res) && rc == SK_OK; i++) {
        rc = score_row(db, per_outlet, b, res, i, year, &rif, actor, correlation, audit,
                       changed);
        if (rc == SK_OK && (b->n_rows == SCORE_CHUNK || b->n_events == SCORE_CHUNK))
            rc = batch_flush(db, b, year, &rif, actor, correlation);
    }
    int frc = batch_flush(db, b, year, &rif, actor, correlation);
    if (rc == SK_OK)
        rc = frc;
    free(b);
    PQclear(res);
    if (rc == SK_OK && !company_id && *changed > before)
        scoring_invalidate_ceilings(io, year, NULL);
    return rc;
}

/* ---- registry.company.*: the outlets' inputs ---- */

static int64_t reach_of(const Seklik__Registry__OutletInput *o)
{
    switch (o->type) {
    case SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_SIBER:
        return o->monthly_visitors;
    case SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_CETAK:
        return o->circulation;
    default:
        return o->audience;
    }
}

/* The company's people as scoring reads them: [{"id", "chief", "level"}]. */
static char *people_json(const Seklik__Registry__Company *c)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < c->n_people; i++) {
        const Seklik__Registry__Person *p = c->people[i];
        if (!p || !p->data)
            continue;
        int level = p->data->ukw_level >= SEKLIK__REGISTRY__UKW_LEVEL__UKW_LEVEL_NONE &&
                            p->data->ukw_level <= SEKLIK__REGISTRY__UKW_LEVEL__UKW_LEVEL_UTAMA
                        ? (int)p->data->ukw_level
                        : 0;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", p->id ? p->id : "");
        cJSON_AddBoolToObject(o, "chief",
                              p->data->role == SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_CHIEF_EDITOR);
        cJSON_AddNumberToObject(o, "level", level);
        cJSON_AddItemToArray(a, o);
    }
    char *s = a ? cJSON_PrintUnformatted(a) : NULL;
    cJSON_Delete(a);
    return s;
}

int scoring_apply_registry(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    sk_db *db = ctx->db;
    Seklik__Registry__CompanyChanged *cc =
        seklik__registry__company_changed__unpack(NULL, ev->body.len, ev->body.data);
    const Seklik__Registry__Company *c = cc ? cc->company : NULL;
    int rc = SK_OK;
    /* An unreadable body would block the stream forever: logged, skipped. */
    if (!c || !sk_uuid_valid(c->id)) {
        sk_log_warn("%s seq %llu: no readable company, skipped", ev->type,
                    (unsigned long long)ev->seq);
        goto done;
    }
    rc = scoring_store_lock_company(db, c->id);
    if (rc != SK_OK)
        goto done;
    const Seklik__Registry__CompanyInput *d = c->data;
    int dewan = d && d->dewan_pers_status >= 0 && d->dewan_pers_status <= 2
                    ? (int)d->dewan_pers_status
                    : 0;
    const char *deed = d && scoring_parse_date(d->deed_date, NULL) ? d->deed_date : NULL;
    const char *established =
        d && scoring_parse_date(d->established_on, NULL) ? d->established_on : NULL;
    char *people = people_json(c);
    rc = people ? scoring_store_put_company(db, c->id, deed, established, dewan, people) : SK_ENOMEM;
    cJSON_free(people);
    for (size_t i = 0; i < c->n_outlets && rc == SK_OK; i++) {
        const Seklik__Registry__Outlet *o = c->outlets[i];
        if (!o || !o->data || !sk_uuid_valid(o->id) || o->data->type < 1 || o->data->type > 4) {
            sk_log_warn("%s: company %s has an outlet without id or type, skipped", ev->type,
                        c->id);
            continue;
        }
        int64_t reach = reach_of(o->data);
        scoring_outlet_row row = {
            .outlet_id = o->id,
            .company_id = c->id,
            .outlet_name = o->data->name,
            .outlet_type = (int)o->data->type,
            .reach_value = reach < 0 ? 0 : reach,
        };
        rc = scoring_store_upsert_outlet(db, &row);
    }
    PGresult *years = NULL;
    if (rc == SK_OK)
        rc = scoring_store_company_years(db, c->id, &years);
    scoring_io io = {db, ctx->cache, ctx->arena, &ctx->after_commit};
    for (int i = 0; rc == SK_OK && i < PQntuples(years); i++)
        rc = scoring_recompute(&io, c->id, atoi(PQgetvalue(years, i, 0)), ev->actor,
                               ev->correlation_id, true, NULL);
    if (years)
        PQclear(years);
done:
    if (cc)
        seklik__registry__company_changed__free_unpacked(cc, NULL);
    return rc;
}

/* ---- verification.*: standing per outlet, the documents' proof ---- */

/* What the case says of the company's documents, as scoring keeps it: the
 * accepted version in force, else the newest version's state. */
static char *documents_json(const Seklik__Verification__Case *vc)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < vc->n_documents; i++) {
        const Seklik__Verification__CaseDocument *d = vc->documents[i];
        if (!d)
            continue;
        const char *proof = "pending", *expires = d->expires_on;
        int level = d->dewan_pers_status;
        if (d->in_force_document_id && *d->in_force_document_id) {
            proof = "accepted";
            expires = d->in_force_expires_on;
            level = d->in_force_dewan_pers_status;
        } else if (d->decision == SEKLIK__VERIFICATION__DECISION__DECISION_ACCEPTED) {
            proof = "accepted"; /* a case from before versions in force were kept */
        } else if (d->decision == SEKLIK__VERIFICATION__DECISION__DECISION_REJECTED) {
            proof = "rejected";
        }
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "type", d->type);
        cJSON_AddStringToObject(o, "person_id", d->person_id ? d->person_id : "");
        cJSON_AddStringToObject(o, "outlet_id", d->outlet_id ? d->outlet_id : "");
        cJSON_AddStringToObject(o, "proof", proof);
        cJSON_AddStringToObject(o, "expires", expires ? expires : "");
        cJSON_AddNumberToObject(o, "level", level);
        cJSON_AddItemToArray(a, o);
    }
    char *s = a ? cJSON_PrintUnformatted(a) : NULL;
    cJSON_Delete(a);
    return s;
}

static int audit_standing(sk_db *db, const Seklik__Bus__Event *ev, const char *outlet_id, int year,
                          bool verified, bool suspended)
{
    char after[128];
    snprintf(after, sizeof(after), "{\"fiscalYear\":%d,\"verified\":%s,\"suspended\":%s}", year,
             verified ? "true" : "false", suspended ? "true" : "false");
    return sk_audit_append(db, ev->actor, "outlet_standing.changed", "outlet", outlet_id, NULL,
                           after, ev->correlation_id);
}

/* A case event: each outlet's standing and the documents' proof of the
 * company for the year, then the company's outlets re-scored. */
static int apply_case(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    sk_db *db = ctx->db;
    Seklik__Verification__CaseChanged *cc =
        seklik__verification__case_changed__unpack(NULL, ev->body.len, ev->body.data);
    const Seklik__Verification__Case *vc = cc ? cc->verification_case : NULL;
    int rc = SK_OK;
    if (!vc || !sk_uuid_valid(vc->company_id) || vc->fiscal_year < 2000 ||
        vc->fiscal_year > 2100) {
        sk_log_warn("%s seq %llu: no readable case, skipped", ev->type,
                    (unsigned long long)ev->seq);
        goto done;
    }
    rc = scoring_store_lock_company(db, vc->company_id);
    char *docs = rc == SK_OK ? documents_json(vc) : NULL;
    if (rc == SK_OK)
        rc = docs ? scoring_store_put_proof(db, vc->company_id, vc->fiscal_year, docs) : SK_ENOMEM;
    cJSON_free(docs);
    for (size_t i = 0; rc == SK_OK && i < vc->n_outlets; i++) {
        const Seklik__Verification__CaseOutlet *o = vc->outlets[i];
        if (!o || !sk_uuid_valid(o->outlet_id))
            continue;
        bool suspended = o->state == SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_SUSPENDED;
        bool verified =
            suspended || o->state == SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_VERIFIED;
        bool changed = false;
        rc = scoring_store_set_outlet_standing(db, o->outlet_id, vc->company_id, vc->fiscal_year,
                                               verified, suspended, &changed);
        if (rc == SK_OK && changed)
            rc = audit_standing(db, ev, o->outlet_id, vc->fiscal_year, verified, suspended);
    }
    /* A case from before outcomes were per outlet speaks for the company. */
    if (rc == SK_OK && vc->n_outlets == 0 &&
        (vc->state == SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VERIFIED ||
         vc->state == SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_SUSPENDED ||
         vc->state == SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_REJECTED))
        rc = scoring_store_set_company_standing(
            db, vc->company_id, vc->fiscal_year,
            vc->state != SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_REJECTED,
            vc->state == SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_SUSPENDED);
    if (rc == SK_OK) {
        scoring_io io = {db, ctx->cache, ctx->arena, &ctx->after_commit};
        rc = scoring_recompute(&io, vc->company_id, vc->fiscal_year, ev->actor,
                               ev->correlation_id, true, NULL);
    }
done:
    if (cc)
        seklik__verification__case_changed__free_unpacked(cc, NULL);
    return rc;
}

/* verification.list.finalized / .amended: the year's list is its single
 * truth; every outlet of the year stands as it says, and the year is
 * re-scored. */
static int apply_list(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    Seklik__Verification__ListFinalized *m =
        seklik__verification__list_finalized__unpack(NULL, ev->body.len, ev->body.data);
    const Seklik__Verification__Announcement *a = m ? m->announcement : NULL;
    int rc = SK_OK;
    if (!a || a->fiscal_year < 2000 || a->fiscal_year > 2100) {
        sk_log_warn("%s seq %llu: no readable list, skipped", ev->type, (unsigned long long)ev->seq);
        goto done;
    }
    cJSON *entries = cJSON_CreateArray();
    for (size_t i = 0; entries && i < a->n_entries; i++) {
        const Seklik__Verification__ListEntry *e = a->entries[i];
        if (!e || !sk_uuid_valid(e->outlet_id) || !sk_uuid_valid(e->company_id))
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "outlet_id", e->outlet_id);
        cJSON_AddStringToObject(o, "company_id", e->company_id);
        cJSON_AddBoolToObject(o, "suspended",
                              e->state == SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_SUSPENDED);
        cJSON_AddItemToArray(entries, o);
    }
    char *json = entries ? cJSON_PrintUnformatted(entries) : NULL;
    cJSON_Delete(entries);
    rc = json ? scoring_store_lock_year(ctx->db, a->fiscal_year, true) : SK_ENOMEM;
    if (rc == SK_OK)
        rc = scoring_store_apply_list(ctx->db, a->fiscal_year, json);
    cJSON_free(json);
    if (rc == SK_OK) {
        char after[96], id[16];
        snprintf(after, sizeof(after), "{\"fiscalYear\":%d,\"entries\":%zu,\"amendment\":%d}",
                 a->fiscal_year, a->n_entries, a->amendment);
        snprintf(id, sizeof(id), "%d", a->fiscal_year);
        rc = sk_audit_append(ctx->db, ev->actor, "partner_list.applied", "fiscal_year", id, NULL,
                             after, ev->correlation_id);
    }
    if (rc == SK_OK) {
        scoring_io io = {ctx->db, ctx->cache, ctx->arena, &ctx->after_commit};
        rc = scoring_recompute(&io, NULL, a->fiscal_year, ev->actor, ev->correlation_id, true,
                               NULL);
    }
done:
    if (m)
        seklik__verification__list_finalized__free_unpacked(m, NULL);
    return rc;
}

int scoring_apply_verification(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    const char *t = ev->type ? ev->type : "";
    if (strcmp(t, "verification.year.opened") == 0)
        return apply_year_opened(ctx, ev);
    if (strcmp(t, "verification.list.finalized") == 0 ||
        strcmp(t, "verification.list.amended") == 0)
        return apply_list(ctx, ev);
    if (strncmp(t, "verification.case.", 18) == 0 || strncmp(t, "verification.company.", 21) == 0)
        return apply_case(ctx, ev);
    return SK_OK;
}

/* ---- ordering.performance.recorded: last year's performance ---- */

/* A year's performance counts in the next year's score: record it and
 * re-score the company for fiscal_year + 1. */
int scoring_apply_ordering(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    Seklik__Ordering__PerformanceRecorded *p =
        seklik__ordering__performance_recorded__unpack(NULL, ev->body.len, ev->body.data);
    if (!p || !sk_uuid_valid(p->company_id) || p->percent < 0 || p->percent > 100 ||
        p->fiscal_year < 2000 || p->fiscal_year > 2100) {
        /* Skipped, not retried: a malformed event would block the stream. */
        sk_log_warn("ordering event seq %llu unreadable or out of range, skipped",
                    (unsigned long long)ev->seq);
        if (p)
            seklik__ordering__performance_recorded__free_unpacked(p, NULL);
        return SK_OK;
    }
    int rc = scoring_store_set_performance(ctx->db, p->company_id, p->fiscal_year, p->percent);
    if (rc == SK_OK) {
        scoring_io io = {ctx->db, ctx->cache, ctx->arena, &ctx->after_commit};
        rc = scoring_recompute(&io, p->company_id, p->fiscal_year + 1, ev->actor,
                               ev->correlation_id, true, NULL);
    }
    seklik__ordering__performance_recorded__free_unpacked(p, NULL);
    return rc;
}
