/* sk_loopq.h - hand work from NNG's threads to the libuv loop.
 *
 * NNG completes aio on its own threads, and those callbacks must not block
 * nor touch the loop. They push an item here (a mutex and a pointer) and the
 * loop wakes through uv_async_send; wake-ups coalesce, so the drain callback
 * receives every item pushed since the last drain, oldest first. */
#ifndef SK_LOOPQ_H
#define SK_LOOPQ_H

#include <pthread.h>
#include <uv.h>

typedef struct sk_loopq_item {
    struct sk_loopq_item *next;
} sk_loopq_item;

typedef struct sk_loopq sk_loopq;
typedef void (*sk_loopq_drain_fn)(sk_loopq *q, sk_loopq_item *items, void *arg);

struct sk_loopq {
    uv_async_t async;
    pthread_mutex_t lock;
    sk_loopq_item *head, *tail;
    sk_loopq_drain_fn drain;
    void *arg;
};

/* Bind to `loop` (loop thread only). Returns SK_OK or SK_EINTERNAL. */
int sk_loopq_init(sk_loopq *q, uv_loop_t *loop, sk_loopq_drain_fn drain, void *arg);

/* Push `item` (embedded in the caller's struct) from any thread. */
void sk_loopq_push(sk_loopq *q, sk_loopq_item *item);

/* Close the async handle (loop thread). Items pushed and not yet drained
 * go to the drain callback first, before this returns, so their owners free
 * what they hold (NNG messages received just before the close). Stop every
 * pusher before (nng_aio_stop): nothing may be pushed afterwards. */
void sk_loopq_close(sk_loopq *q);

#endif
