/* A subscriber that is down while the publisher commits 10,000 events
 * applies all of them when it comes back: in order, exactly once. */
#include <signal.h>

#include "it_common.h"

static long long metric_of(const sk_test_peer *p, const char *name)
{
    char url[128], body[65536];
    snprintf(url, sizeof(url), "%s/metrics", p->http);
    if (sk_test_http_get(url, body, sizeof(body)) != 200)
        return -1;
    return sk_test_metric(body, name);
}

static void subscriber_down_then_catches_up_exactly_once(void **state)
{
    (void)state;
    char dsn[512], log[512];
    sk_test_peer pub, sub;
    it_start_pair("it_catchup", "catchup", dsn, sizeof(dsn), &pub, &sub, NULL);
    sk_rpc_client *c = it_client(pub.rpc);

    /* Live delivery first: the relay's frames are signed, none is refused. */
    assert_int_equal(it_emit(c, 10, 10, 10000, NULL), SK_OK);
    assert_int_equal(it_wait_applied(dsn, 10, 10000), 10);
    assert_int_equal(
        metric_of(&sub, "seklik_events_refused_total{service=\"testsub\",reason=\"signature\"}"),
        0);

    /* The subscriber dies without a chance to clean up. */
    sk_proc_signal(&sub.proc, SIGKILL);
    assert_int_equal(sk_proc_wait(&sub.proc, 5000), 128 + SIGKILL);

    uint64_t last = 0;
    assert_int_equal(it_emit(c, 10000, 100, 120000, &last), SK_OK);
    assert_int_equal(last, 10010);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM testsub.applied"), 10);

    /* Back up: it replays what it missed from the outbox. */
    assert_int_equal(sk_test_peer_start(&sub, it_sub_bin, it_log(log, sizeof(log), "catchup", "sub2")), 0);
    assert_int_equal(it_wait_applied(dsn, 10010, 120000), 10010);
    it_assert_exactly_once_in_order(dsn, 10010);

    sk_rpc_client_close(c);
    it_stop((sk_test_peer *[]){&sub, &pub, NULL});
}

/* Batch appends (one statement for many events) keep the same guarantee:
 * gapless, in order, interleaved correctly with single appends. */
static void batched_and_single_appends_apply_once_in_order(void **state)
{
    (void)state;
    char dsn[512];
    sk_test_peer pub, sub;
    it_start_pair("it_batch", "batch", dsn, sizeof(dsn), &pub, &sub, NULL);
    sk_rpc_client *c = it_client(pub.rpc);
    uint64_t last = 0;
    assert_int_equal(it_emit(c, 7, 7, 10000, &last), SK_OK);
    assert_int_equal(it_emit_batched(c, 2500, 1000, 60000, &last), SK_OK);
    assert_int_equal(last, 2507);
    assert_int_equal(it_emit(c, 3, 1, 10000, &last), SK_OK);
    assert_int_equal(it_emit_batched(c, 1, 1, 10000, &last), SK_OK);
    assert_int_equal(last, 2511);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM testpub.outbox"), 2511);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT max(seq) FROM testpub.outbox"), 2511);
    assert_int_equal(it_wait_applied(dsn, 2511, 60000), 2511);
    it_assert_exactly_once_in_order(dsn, 2511);
    sk_rpc_client_close(c);
    it_stop((sk_test_peer *[]){&sub, &pub, NULL});
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(subscriber_down_then_catches_up_exactly_once),
        cmocka_unit_test(batched_and_single_appends_apply_once_in_order),
    };
    return it_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
