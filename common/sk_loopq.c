#include "sk_loopq.h"

#include "sk_err.h"

static void on_async(uv_async_t *h)
{
    sk_loopq *q = h->data;
    pthread_mutex_lock(&q->lock);
    sk_loopq_item *items = q->head;
    q->head = q->tail = NULL;
    pthread_mutex_unlock(&q->lock);
    if (items)
        q->drain(q, items, q->arg);
}

int sk_loopq_init(sk_loopq *q, uv_loop_t *loop, sk_loopq_drain_fn drain, void *arg)
{
    q->head = q->tail = NULL;
    q->drain = drain;
    q->arg = arg;
    pthread_mutex_init(&q->lock, NULL);
    if (uv_async_init(loop, &q->async, on_async) != 0)
        return SK_EINTERNAL;
    q->async.data = q;
    return SK_OK;
}

void sk_loopq_push(sk_loopq *q, sk_loopq_item *item)
{
    item->next = NULL;
    pthread_mutex_lock(&q->lock);
    if (q->tail)
        q->tail->next = item;
    else
        q->head = item;
    q->tail = item;
    pthread_mutex_unlock(&q->lock);
    uv_async_send(&q->async);
}

void sk_loopq_close(sk_loopq *q)
{
    on_async(&q->async);
    uv_close((uv_handle_t *)&q->async, NULL);
}
