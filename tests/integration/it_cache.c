/* Redis is a cache nobody depends on: with Redis hung or gone, reads are
 * served from PostgreSQL, and after an outage no stale value is served.
 * Credentials reach it from the URL or the environment, over TCP or a unix
 * socket; a wrong or missing password is said plainly, never echoed, and
 * costs only the cache. */
#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdlib.h>

#include "it_common.h"
#include "sk_cache.h"

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

/* After a change the key is fenced for 2 s (sk_cache_invalidate): read
 * until a read is a cache hit again, each answering `want`. */
static void cached_again(sk_rpc_client *c, const sk_test_peer *p, int64_t want)
{
    for (int waited = 0; waited <= 5000; waited += 100) {
        long long hits = metric(p, "seklik_cache_hits_total");
        assert_int_equal(get_total(c), want);
        if (metric(p, "seklik_cache_hits_total") > hits)
            return;
        sk_test_sleep_ms(100);
    }
    fail_msg("no cache hit within 5 s of a change");
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
    assert_int_equal(get_total(c), 3); /* miss, loaded */
    cached_again(c, &pub, 3);

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

/* The whole of `path`, or "" (static buffer). */
static const char *slurp(const char *path)
{
    static char text[1 << 16];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
    text[n] = '\0';
    if (f)
        fclose(f);
    return text;
}

/* A service whose Redis refuses it (wrong password, or none given) starts,
 * says why once at start-up, names no password, and answers from PostgreSQL. */
static void refused_credentials_are_logged_and_reads_come_from_the_database(void **state)
{
    (void)state;
    static const char SECRET[] = "Wr0ngButSecret9";
    static const struct {
        const char *name, *password, *says;
    } cases[] = {
        {"wrong_password", SECRET, "WRONGPASS"},
        {"no_password", NULL, "NOAUTH"},
    };
    const char *port = sk_test_env("SEKLIK_TEST_REDIS_PORT");
    assert_non_null(port);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char db[64], dsn[512], log[512], url[160];
        snprintf(db, sizeof(db), "it_cache_%s", cases[i].name);
        assert_non_null(sk_test_create_db(db, dsn, sizeof(dsn)));
        if (cases[i].password)
            snprintf(url, sizeof(url), "redis://seklik:%s@127.0.0.1:%s/0", cases[i].password,
                     port);
        else
            snprintf(url, sizeof(url), "redis://127.0.0.1:%s/0", port);
        sk_test_peer pub;
        sk_test_peer_init(&pub, "testpub", dsn, url);
        it_log(log, sizeof(log), "cache", cases[i].name);
        remove(log);
        assert_int_equal(sk_test_peer_start(&pub, it_pub_bin, log), 0);
        sk_rpc_client *c = it_client(pub.rpc);
        assert_int_equal(it_add(c, "refused-1", 5, NULL, NULL, NULL), SK_OK);
        for (int k = 0; k < 3; k++)
            assert_int_equal(get_total(c), 5);
        assert_int_equal(metric(&pub, "seklik_cache_hits_total"), 0);
        assert_true(metric(&pub, "seklik_cache_errors_total") >= 1);
        sk_rpc_client_close(c);
        sk_proc_signal(&pub.proc, SIGTERM);
        assert_int_equal(sk_proc_wait(&pub.proc, 15000), 0);

        const char *text = slurp(log);
        const char *line = strstr(text, "cache: redis at 127.0.0.1");
        if (!line || !strstr(line, "refused us") || !strstr(line, cases[i].says))
            fail_msg("%s: no clear log line:\n%s", cases[i].name, text);
        assert_null(strstr(line + 1, "cache: redis at 127.0.0.1")); /* once */
        assert_null(strstr(text, SECRET));
    }
}

/* As under scripts/up: a unix socket, a database other than 0, the user
 * and password from SEKLIK_REDIS_USER / SEKLIK_REDIS_PASSWORD. */
static void unix_socket_with_credentials_from_the_environment(void **state)
{
    (void)state;
    char dsn[512], log[512], sock[200], url[256];
    assert_non_null(sk_test_create_db("it_cache_unix", dsn, sizeof(dsn)));
    sk_proc redis;
    assert_int_equal(sk_test_redis_start_unix(&redis, it_logdir, sock, sizeof(sock)), 0);
    snprintf(url, sizeof(url), "unix://%s?db=3", sock);
    sk_test_peer pub;
    sk_test_peer_init(&pub, "testpub", dsn, url);
    sk_test_peer_setenv(&pub, "SEKLIK_REDIS_USER", sk_test_env("SEKLIK_TEST_REDIS_USER"));
    sk_test_peer_setenv(&pub, "SEKLIK_REDIS_PASSWORD", sk_test_env("SEKLIK_TEST_REDIS_PASSWORD"));
    assert_int_equal(sk_test_peer_start(&pub, it_pub_bin, it_log(log, sizeof(log), "cache", "unix")),
                     0);
    sk_rpc_client *c = it_client(pub.rpc);
    assert_int_equal(it_add(c, "unix-1", 2, NULL, NULL, NULL), SK_OK);
    assert_int_equal(get_total(c), 2);
    cached_again(c, &pub, 2);
    assert_int_equal(metric(&pub, "seklik_cache_errors_total"), 0);

    /* The value is in database 3, sealed. */
    redisContext *r = redisConnectUnix(sock);
    assert_true(r && !r->err);
    redisReply *x = redisCommand(r, "AUTH %s %s", sk_test_env("SEKLIK_TEST_REDIS_USER"),
                                 sk_test_env("SEKLIK_TEST_REDIS_PASSWORD"));
    assert_int_equal(x->type, REDIS_REPLY_STATUS);
    freeReplyObject(x);
    x = redisCommand(r, "SELECT 3");
    freeReplyObject(x);
    x = redisCommand(r, "GET seklik:testpub:counter");
    assert_int_equal(x->type, REDIS_REPLY_STRING);
    assert_memory_equal(x->str, "SKC\x01", 4);
    freeReplyObject(x);
    redisFree(r);

    sk_rpc_client_close(c);
    sk_proc_signal(&pub.proc, SIGTERM);
    assert_int_equal(sk_proc_wait(&pub.proc, 15000), 0);
    sk_proc_signal(&redis, SIGTERM);
    sk_proc_wait(&redis, 5000);
}

/* A load that read the database before a change and stores after it. The
 * loader plays that race: it returns `value` after invalidating (through
 * `other`, a second replica of the service) either `key_fence` or the
 * prefix `prefix_fence`, then takes `slow_ms` more. */
typedef struct racing_load {
    sk_cache *other;
    const char *key_fence, *prefix_fence;
    const char *value;
    int slow_ms;
    int calls;
} racing_load;

static int racing_loader(void *arg, uint8_t **val, size_t *len)
{
    racing_load *l = arg;
    l->calls++;
    if (l->key_fence)
        assert_int_equal(sk_cache_invalidate(l->other, l->key_fence), SK_OK);
    if (l->prefix_fence)
        assert_int_equal(sk_cache_invalidate_prefix(l->other, l->prefix_fence), SK_OK);
    if (l->slow_ms)
        sk_test_sleep_ms(l->slow_ms);
    *len = strlen(l->value);
    *val = (uint8_t *)strdup(l->value);
    return *val ? SK_OK : SK_ENOMEM;
}

/* Read `key` with a loader answering `value`; true when the loader ran
 * (a miss), and the answer is checked either way. */
static bool read_through(sk_cache *c, const char *key, const char *value, const char *want)
{
    racing_load l = {.value = value};
    uint8_t *v = NULL;
    size_t n = 0;
    assert_int_equal(sk_cache_get_or_load(c, key, 60, racing_loader, &l, &v, &n), SK_OK);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(v, want, n);
    free(v);
    return l.calls == 1;
}

/* An invalidation made while a load is under way, by this replica or
 * another, wins: the stale result is answered once but never stored. For a
 * prefix, the fence covers every key below it and nothing else. */
static void a_load_overtaken_by_an_invalidation_is_not_stored(void **state)
{
    (void)state;
    char url[160];
    int port = sk_test_free_port();
    sk_proc redis;
    assert_int_equal(sk_test_redis_start(&redis, port, it_logdir, url, sizeof(url)), 0);
    static const uint8_t secret[32] = "it_cache: 32 bytes of a secret.";
    sk_cache_options o = {.url = url, .service = "race", .secret = secret,
                          .secret_len = sizeof(secret)};
    sk_cache *a = NULL, *b = NULL;
    assert_int_equal(sk_cache_open(&o, &a), SK_OK);
    assert_int_equal(sk_cache_open(&o, &b), SK_OK);

    /* The whole year's ceilings change while replica a loads one of them. */
    const char *key = "ceiling:2027:outlet-1:advertorial:";
    racing_load l = {.other = b, .prefix_fence = "ceiling:2027:", .value = "old"};
    uint8_t *v = NULL;
    size_t n = 0;
    assert_int_equal(sk_cache_get_or_load(a, key, 60, racing_loader, &l, &v, &n), SK_OK);
    free(v);
    assert_true(read_through(a, key, "new", "new")); /* "old" was not stored */
    /* Outside the prefix, values are stored as ever, fence or not. */
    assert_true(read_through(a, "ceiling:2028:outlet-1:advertorial:", "kept", "kept"));
    assert_false(read_through(b, "ceiling:2028:outlet-1:advertorial:", "x", "kept"));

    /* One key changes while it loads. */
    racing_load k = {.other = b, .key_fence = "session:abc", .value = "old"};
    assert_int_equal(sk_cache_get_or_load(a, "session:abc", 60, racing_loader, &k, &v, &n), SK_OK);
    free(v);
    assert_true(read_through(a, "session:abc", "new", "new"));

    /* Once the fences are down, values are cached again. */
    sk_test_sleep_ms(2300);
    assert_true(read_through(a, key, "new", "new"));
    assert_false(read_through(b, key, "x", "new"));
    assert_true(read_through(b, "session:abc", "new", "new"));
    assert_false(read_through(a, "session:abc", "x", "new"));

    /* A load that outlives the fence of the change it missed (a stalled
     * thread, a slow database) is answered but not stored. */
    racing_load slow = {.other = b, .key_fence = "session:slow", .value = "old", .slow_ms = 2300};
    assert_int_equal(sk_cache_get_or_load(a, "session:slow", 60, racing_loader, &slow, &v, &n),
                     SK_OK);
    free(v);
    assert_true(read_through(a, "session:slow", "new", "new"));

    /* A key deeper than the fences a store checks is never cached. */
    const char *deep = "a:b:c:d:e:f:g:h:i:j";
    assert_true(read_through(a, deep, "v", "v"));
    assert_true(read_through(a, deep, "v", "v"));

    /* Fences cover whole segments: a prefix must end with one. */
    assert_int_equal(sk_cache_invalidate_prefix(a, "ceiling:2027"), SK_EINVAL);
    assert_int_equal(sk_cache_invalidate_prefix(a, ""), SK_EINVAL);
    assert_int_equal(sk_cache_get_stats(a)->errors, 0);
    assert_int_equal(sk_cache_get_stats(b)->errors, 0);

    sk_cache_close(a);
    sk_cache_close(b);
    sk_proc_signal(&redis, SIGKILL);
    sk_proc_wait(&redis, 5000);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_survive_redis_outage_and_nothing_stale_after),
        cmocka_unit_test(refused_credentials_are_logged_and_reads_come_from_the_database),
        cmocka_unit_test(unix_socket_with_credentials_from_the_environment),
        cmocka_unit_test(a_load_overtaken_by_an_invalidation_is_not_stored),
    };
    return it_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
