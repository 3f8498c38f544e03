/* Redis is a cache nobody depends on: with Redis hung or gone, reads are
 * served from PostgreSQL, and after an outage no stale value is served. */
#include <signal.h>

#include "it_common.h"

static int64_t get_total(sk_rpc_client *c)
{
    Seklik__Testbus__GetRequest req = SEKLIK__TESTBUS__GET_REQUEST__INIT;
    Seklik__Testbus__GetResponse *resp = NULL;
    char why[256];
    assert_int_equal(sk_rpc_call_decode(c, "TestPub.Get", NULL, NULL, &req.base,
                                        &seklik__testbus__get_response__descriptor, 5000,
                                        (ProtobufCMessage **)&resp, why, sizeof(why)),
                     SK_OK);
    int64_t t = resp->total;
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    return t;
}

static long long metric(const sk_test_peer *p, const char *name)
{
    char url[128], body[65536];
    snprintf(url, sizeof(url), "%s/metrics", p->http);
    assert_int_equal(sk_test_http_get(url, body, sizeof(body)), 200);
    return sk_test_metric(body, name);
}

static void reads_survive_redis_outage_and_nothing_stale_after(void **state)
{
    (void)state;
    char dsn[512], log[512], redis_url[160];
    assert_non_null(sk_test_create_db("it_cache", dsn, sizeof(dsn)));
    int port = sk_test_free_port();
    sk_proc redis;
    assert_int_equal(sk_test_redis_start(&redis, port, it_logdir, redis_url, sizeof(redis_url)), 0);

    sk_test_peer pub;
    sk_test_peer_init(&pub, "testpub", dsn, redis_url);
    assert_int_equal(sk_test_peer_start(&pub, it_pub_bin, it_log(log, sizeof(log), "cache", "pub")), 0);
    sk_rpc_client *c = it_client(pub.rpc);

    assert_int_equal(it_add(c, "cache-1", 3, NULL, NULL, NULL), SK_OK);
    assert_int_equal(get_total(c), 3); /* miss, loaded, cached */
    assert_int_equal(get_total(c), 3); /* hit */
    assert_true(metric(&pub, "seklik_cache_hits_total") >= 1);

    /* Redis hangs: commands time out; the invalidation of this Add is lost. */
    sk_proc_signal(&redis, SIGSTOP);
    assert_int_equal(it_add(c, "cache-2", 4, NULL, NULL, NULL), SK_OK);
    assert_int_equal(get_total(c), 7);
    assert_true(metric(&pub, "seklik_cache_errors_total") >= 1);

    /* Redis is back, still holding the old 3: it must not be served. */
    sk_proc_signal(&redis, SIGCONT);
    sk_test_sleep_ms(1200); /* past the reconnect back-off */
    assert_int_equal(get_total(c), 7);
    assert_int_equal(get_total(c), 7);

    /* Redis gone for good: everything still answers from PostgreSQL. */
    sk_proc_signal(&redis, SIGKILL);
    sk_proc_wait(&redis, 5000);
    assert_int_equal(it_add(c, "cache-3", 1, NULL, NULL, NULL), SK_OK);
    for (int i = 0; i < 20; i++)
        assert_int_equal(get_total(c), 8);

    sk_rpc_client_close(c);
    sk_proc_signal(&pub.proc, SIGTERM);
    assert_int_equal(sk_proc_wait(&pub.proc, 15000), 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_survive_redis_outage_and_nothing_stale_after),
    };
    return it_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
