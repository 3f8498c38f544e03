/* test_loopq.c - sk_loopq: what NNG's threads push reaches the loop once,
 * in order, including what is still queued when the queue closes (those
 * items hold NNG messages; dropping them leaked at every stop). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sk_err.h"
#include "sk_loopq.h"

typedef struct node {
    sk_loopq_item item;
    int n;
} node;

typedef struct seen {
    int n[16];
    int count;
} seen;

static void on_drain(sk_loopq *q, sk_loopq_item *items, void *arg)
{
    (void)q;
    seen *s = arg;
    for (; items; items = items->next)
        s->n[s->count++] = ((node *)items)->n;
}

static void undrained_items_reach_the_drain_at_close(void **state)
{
    (void)state;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    seen s = {0};
    sk_loopq q;
    assert_int_equal(sk_loopq_init(&q, &loop, on_drain, &s), SK_OK);
    node nodes[5];
    for (int i = 0; i < 5; i++)
        nodes[i].n = i + 1;

    for (int i = 0; i < 3; i++)
        sk_loopq_push(&q, &nodes[i].item);
    uv_run(&loop, UV_RUN_NOWAIT);
    assert_int_equal(s.count, 3);

    /* Pushed, and the loop has not turned since. */
    sk_loopq_push(&q, &nodes[3].item);
    sk_loopq_push(&q, &nodes[4].item);
    sk_loopq_close(&q);
    assert_int_equal(s.count, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(s.n[i], i + 1);

    uv_run(&loop, UV_RUN_DEFAULT); /* the handle closes; nothing comes twice */
    assert_int_equal(s.count, 5);
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(undrained_items_reach_the_drain_at_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
