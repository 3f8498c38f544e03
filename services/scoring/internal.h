/* internal.h - what handlers.c and events.c share. Not an API: one
 * service's insides.
 *
 * events.c owns the read model (inputs, per-outlet standing, the documents'
 * proof), the recomputation of scores, the sets in force and the drafts a
 * newly opened year gets; handlers.c owns the RPC methods. */
#ifndef SCORING_INTERNAL_H
#define SCORING_INTERNAL_H

#include <stdbool.h>

#include "domain.h"
#include "seklik/bus.pb-c.h"
#include "seklik/scoring.pb-c.h"
#include "sk_cache.h"
#include "sk_db.h"
#include "sk_inbox.h"
#include "store.h"

/* Who saved a year's drafts when the event that opened it names nobody. */
#define SCORING_SYSTEM_ACTOR "system"

/* Subscriptions (sk_event_fn). */
int scoring_apply_registry(sk_event_ctx *ctx, const Seklik__Bus__Event *ev);
int scoring_apply_verification(sk_event_ctx *ctx, const Seklik__Bus__Event *ev);
int scoring_apply_ordering(sk_event_ctx *ctx, const Seklik__Bus__Event *ev);

/* ---- rule sets between the API and the domain ---- */

/* Convert the rules of `in` into `out`. On a structural problem (a criterion
 * missing, twice or unknown, too many bands, a reach list for an unknown or
 * repeated outlet type) returns false with the API field in `p`. The domain's
 * own check (scoring_rule_set_valid) is separate: see scoring_api_field. */
bool scoring_rules_from_api(const Seklik__Scoring__RuleSet *in, scoring_rule_set *out,
                            scoring_problem *p);

/* Rewrite a domain field path ("criteria[3].max", "reach.siber.bands[1]...",
 * "performance_neutral_points") into the API's ("criteria[j].maxPoints",
 * "reach[k].bands[1]...", "performanceNeutralPoints") for the request `in`
 * it came from. */
void scoring_api_field(const Seklik__Scoring__RuleSet *in, const char *domain_field, char *out,
                       size_t cap);

/* Pack the API form of a domain rule set (malloc'ed). */
int scoring_rules_pack(const scoring_rule_set *rs, uint8_t **body, size_t *len);

/* ---- the sets in force ---- */

/* The published rule set of `year`, decoded; SK_ENOTFOUND when the year has
 * none (nothing is published behind anyone's back: see Verification.OpenYear). */
typedef struct scoring_rules_in_force {
    char id[40];
    int version;
    scoring_rule_set rules;
} scoring_rules_in_force;

int scoring_rules_for_year(sk_db *db, int year, scoring_rules_in_force *out);

/* The published price standard of `year` (row.body is packed PriceStandard);
 * SK_ENOTFOUND when there is none. */
int scoring_prices_for_year(sk_db *db, int year, scoring_set_row *out);

/* Append scoring.price_standard.published (body: the PriceStandard of `row`,
 * a published set) in the open transaction: the ordering service keeps its
 * ceilings from it. */
int scoring_emit_prices_published(sk_db *db, const scoring_set_row *row,
                                  const Seklik__Bus__Actor *actor, const char *correlation);

/* ---- recomputation ---- */

/* Where a handler or an event applier writes, and where its after-commit
 * work goes (sk_call or sk_event_ctx: db, cache, arena, after_commit). */
typedef struct scoring_io {
    sk_db *db;
    sk_cache *cache;         /* may be NULL */
    sk_arena *arena;
    sk_defer **after_commit;
} scoring_io;

/* Score every outlet of the verified companies of `year` (one company when
 * company_id is not NULL) with the published rules, store the scores, and
 * for each changed total or tier append scoring.outlet.tiered and drop the
 * outlet's cached ceilings. Drops the scores of the company's outlets when
 * it is not verified (company_id given). `audit` records each change (the
 * event path; a publication audits once for all). *changed counts events. */
int scoring_recompute(scoring_io *io, const char *company_id, int year,
                      const Seklik__Bus__Actor *actor, const char *correlation, bool audit,
                      int *changed);

/* Drop `year`'s cached ceilings (one outlet's, or all when outlet_id is
 * NULL) now, and again once the transaction has committed: a read racing
 * the commit could otherwise cache the old value until its TTL. */
void scoring_invalidate_ceilings(scoring_io *io, int year, const char *outlet_id);

#endif
