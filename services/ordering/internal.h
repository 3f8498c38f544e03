/* internal.h - what handlers.c and events.c share. Not an API: one
 * service's insides.
 *
 * events.c owns the read model (scoring's tiers and ceilings, registry's
 * company names, the in-memory mirror), steps 2 and 3 of the issue saga and
 * the release of a cancelled order's reservation (both run by IssueOrder /
 * CancelOrder and by the re-drive job); handlers.c owns the RPC methods. */
#ifndef ORDERING_INTERNAL_H
#define ORDERING_INTERNAL_H

#include <stdbool.h>

#include "domain.h"
#include "mirror.h"
#include "seklik/bus.pb-c.h"
#include "seklik/ordering.pb-c.h"
#include "sk_inbox.h"
#include "sk_rpc.h"
#include "store.h"

/* Who ordering is when it calls accounting on its own behalf: a user id
 * and no role, as its subscribers sign their replays (sk_inbox.c). */
#define ORDERING_SYSTEM_USER "system:ordering"

typedef struct ordering_app {
    ordering_mirror *mirror;
    sk_rpc_client *accounting; /* opened at start */
    int call_timeout_ms;       /* SEKLIK_ORDERING_CALL_TIMEOUT_MS */
} ordering_app;

/* The actor ordering signs its own calls with (static). */
const Seklik__Bus__Actor *ordering_system_actor(void);

/* ---- read model ---- */

int ordering_apply_scoring(sk_event_ctx *ctx, const Seklik__Bus__Event *ev);
int ordering_apply_registry(sk_event_ctx *ctx, const Seklik__Bus__Event *ev);

/* Fill `m` from the read model's tables, under its write lock (see
 * ordering_mirror_exclusive): safe while events are being applied. */
int ordering_mirror_load(sk_db *db, ordering_mirror *m);

/* ---- the issue saga (docs/adr/0014-ordering.md) ---- */

typedef enum {
    ORDERING_SAGA_ISSUED,      /* numbered, money reserved */
    ORDERING_SAGA_REFUSED,     /* accounting refused: back to its state, refusal recorded */
    ORDERING_SAGA_PENDING,     /* accounting unreachable: still ISSUING, re-driven later */
    ORDERING_SAGA_NOT_ISSUING, /* someone else finished it first */
} ordering_saga_outcome;

/* Steps 2 and 3 for an order in ISSUING, outside any transaction on `db`,
 * with the order's saga lock held (ordering_store_saga_lock). On REFUSED
 * `why` holds accounting's message. `correlation` may be NULL. When `out`
 * is not NULL and step 3 ran (ISSUED or REFUSED), the order as committed
 * is loaded into it from `arena`. */
int ordering_issue_finish(sk_db *db, ordering_app *app, const char *order_id,
                          const char *correlation, ordering_saga_outcome *outcome, char *why,
                          size_t why_len, sk_arena *arena, Seklik__Ordering__Order *out);

/* Void the reservation of an order cancelled after issuing (idempotent)
 * and clear its release_pending mark. SK_OK when done (or there was none to
 * void), SK_EUNAVAIL when accounting could not be reached. */
int ordering_release_finish(sk_db *db, ordering_app *app, const char *order_id,
                            const char *reason);

/* The re-drive job (sk_job_def.run). */
int ordering_redrive(sk_db *db, void *app);

/* ---- orders as the API shows them ---- */

/* Row `i` of an ordering_store_order / _orders result into `out` (without
 * offers and proofs), strings from `arena`. */
int ordering_order_from_row(sk_arena *arena, const PGresult *res, int i,
                            Seklik__Ordering__Order *out);

/* The full Order `id` (offers and proofs included) into `out`, its memory
 * from `arena`. SK_ENOTFOUND when there is none. */
int ordering_order_load(sk_db *db, sk_arena *arena, const char *id,
                        Seklik__Ordering__Order *out);

/* Append ordering.order.<what> with the order as it now is. */
int ordering_emit_order(sk_db *db, const char *what, const Seklik__Ordering__Order *o,
                        const Seklik__Bus__Actor *actor, const char *correlation);

#endif
