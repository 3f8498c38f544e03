/* sk_leader.h - one process of a service at a time does its background work.
 *
 * Replicas of a service share its schema. Commands and queries may go to any
 * of them, but the outbox relay, the subscribers that keep offsets and the
 * scheduled jobs run in one: the leader, the process holding the session
 * advisory lock (SK_LEADER_LOCK_NS, hashtext(service)) on a connection of its
 * own. PostgreSQL releases the lock when that session ends, so when the
 * leader dies (or its connection does) a follower takes it at its next try.
 *
 * Each try runs on libuv's thread pool every `interval_ms`: a follower tries
 * to take the lock, the leader checks its connection is alive. A check that
 * has not come back after three intervals (a hung network) counts as lost:
 * the process steps down at once, and drops that connection as soon as the
 * check returns, so the lock is freed. The lock connection has TCP keepalives
 * on both ends, so PostgreSQL frees the lock of a vanished leader within
 * about 15 s even when no FIN ever arrives. Between a leader losing its
 * session and noticing it (at most one interval), a follower may already
 * lead: what leaders do must be safe to do twice in that window (subscribers
 * serialise on their offset row; jobs run in transactions and are
 * idempotent). */
#ifndef SK_LEADER_H
#define SK_LEADER_H

#include <stdbool.h>
#include <uv.h>

/* The first key of the two-key advisory lock: apart from the one-key locks
 * on idempotency keys and migrations, and from scoring's 7301/7302. */
#define SK_LEADER_LOCK_NS 7001

typedef struct sk_leader sk_leader;

/* Called on the loop thread whenever this process becomes (true) or stops
 * being (false) the leader. */
typedef void (*sk_leader_fn)(void *arg, bool leading);

/* Start trying for the leadership of `service` (its schema name) with a
 * connection of its own to `dsn`; the first try runs at once. SK_OK, or
 * SK_ENOMEM. The strings must outlive the leader. */
int sk_leader_start(uv_loop_t *loop, const char *dsn, const char *service, int interval_ms,
                    sk_leader_fn on_change, void *arg, sk_leader **out);

/* True while this process leads. Loop thread. */
bool sk_leader_leading(const sk_leader *l);

/* Stop trying, step down (on_change(false) is not called) and release the
 * lock: its connection is closed once a try in flight returns. Loop thread.
 * Poll sk_leader_busy until false before freeing. */
void sk_leader_close(sk_leader *l);
bool sk_leader_busy(const sk_leader *l);
void sk_leader_free(sk_leader *l);

#endif
