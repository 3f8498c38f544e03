/* sk_inbox.h - subscribing to another service's events, exactly once in
 * effect, in order, with nothing lost.
 *
 * NNG pub/sub is best-effort, so the live stream is only a hint. The
 * subscriber keeps (source, last_seq) in <schema>.inbox_offsets and moves it
 * in the same transaction as the event's effects. An event with seq <= last
 * is a duplicate and skipped; seq > last + 1 means frames were lost, and the
 * missing ones are fetched with bus.Replay from the source before going on.
 * It also replays on start-up and on a timer, which covers a lost tail.
 * One batch runs at a time per source, so events apply in order.
 *
 * Nothing is applied unless it carries its publisher's signature
 * (sk_sign_event, with `key`), and a live frame the stream's source too:
 * anything else is refused and counted (seklik_events_refused_total{reason}).
 * A refused live frame counts as lost, so the real event is replayed; a
 * refused replayed event fails the batch, retried on the next tick. */
#ifndef SK_INBOX_H
#define SK_INBOX_H

#include <stdbool.h>
#include <uv.h>

#include "seklik/bus.pb-c.h"
#include "sk_cache.h"
#include "sk_db.h"
#include "sk_defer.h"
#include "sk_metrics.h"
#include "sk_sign.h"

/* What an event applier works with, like sk_call for a handler. */
typedef struct sk_event_ctx {
    sk_db *db;        /* in the batch's open transaction */
    sk_cache *cache;  /* the service's cache; may be NULL */
    void *app;        /* the service's own context */
    sk_arena *arena;  /* memory that lives until the batch ends */
    sk_defer *after_commit; /* add with sk_event_after_commit */
} sk_event_ctx;

/* Run fn(arg) once the transaction holding this event has committed; never
 * if it rolls back. `arg` from ctx->arena. SK_OK or SK_ENOMEM. */
int sk_event_after_commit(sk_event_ctx *ctx, sk_defer_fn fn, void *arg);

/* Apply one event inside the open transaction on ctx->db. Returning anything
 * but SK_OK rolls the batch back; it is retried on the next replay tick. */
typedef int (*sk_event_fn)(sk_event_ctx *ctx, const Seklik__Bus__Event *ev);

typedef struct sk_subscriber_config {
    const char *service;           /* who subscribes (for the replay actor) */
    const char *source;            /* the publishing service, "registry" */
    const char *events_url;        /* its PUB socket */
    const char *rpc_url;           /* its REP socket, for bus.Replay */
    const char *const *prefixes;   /* NULL-terminated event type prefixes; NULL = all */
    sk_event_fn apply;
    void *app;
    sk_cache *cache;               /* handed to apply; may be NULL */
    const sk_sign_key *key;        /* signs bus.Replay calls, verifies events */
    sk_db_pool *db;
    sk_metrics *metrics;
    int replay_interval_ms;        /* periodic catch-up */
    int max_pending;               /* frames held; past it the oldest is dropped (a gap) */
    /* The effects live in this process (a cache to invalidate), so every
     * replica applies every event: the position is kept in memory, starting
     * at the source's head, and no transaction is opened for `apply` (ctx->db
     * is a plain pooled connection). The furthest position any replica
     * reached is written to inbox_offsets for check and status. */
    bool in_memory;
} sk_subscriber_config;

typedef struct sk_subscriber sk_subscriber;

/* Dial and start; the first catch-up runs at once. The config's strings
 * must outlive the subscriber. */
int sk_subscriber_start(uv_loop_t *loop, const sk_subscriber_config *cfg, sk_subscriber **out);

/* True while a batch is being applied. Loop thread. */
bool sk_subscriber_busy(const sk_subscriber *s);

/* Start shutting down (loop thread): no new batch starts, and a replay
 * waiting on an unreachable source fails at once instead of at its deadline. */
void sk_subscriber_drain(sk_subscriber *s);

/* Stop receiving (loop thread); free after uv_run returns. */
void sk_subscriber_close(sk_subscriber *s);
void sk_subscriber_free(sk_subscriber *s);

#endif
