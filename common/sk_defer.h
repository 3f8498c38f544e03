/* sk_defer.h - work to do after a transaction commits, and never if it
 * rolls back: dropping a cache entry, waking something up. Inside the
 * transaction it would be too early (a reader racing the commit could
 * re-cache the old value); after a rollback it would be wrong.
 *
 * Handlers add with sk_call_after_commit (sk_rpc.h), event appliers with
 * sk_event_after_commit (sk_inbox.h); the RPC server and the subscriber run
 * the list when their commit succeeded and discard it otherwise. */
#ifndef SK_DEFER_H
#define SK_DEFER_H

#include "sk_arena.h"

typedef void (*sk_defer_fn)(void *arg);

typedef struct sk_defer {
    sk_defer_fn fn;
    void *arg;
    struct sk_defer *next;
} sk_defer;

/* Append fn(arg) to `*list`, the node in `arena`; `arg` must live as long
 * (allocate it from the same arena). SK_OK or SK_ENOMEM. */
int sk_defer_add(sk_defer **list, sk_arena *arena, sk_defer_fn fn, void *arg);

/* Run the list in the order added, then empty it. */
void sk_defer_run(sk_defer **list);

/* Empty the list without running it (after a rollback). */
void sk_defer_drop(sk_defer **list);

#endif
