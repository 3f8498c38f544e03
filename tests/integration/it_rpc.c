/* Commands over NNG req/rep: a retry with the same idempotency key has one
 * effect and gets the same reply; unsigned or forged actors are refused; a
 * captured request sent again, or one past its deadline, has no effect;
 * SIGTERM lets the request in flight finish and exits 0. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "it_common.h"

static const char *g_dsn;
static sk_test_peer g_pub;

static int start_pub(void **state)
{
    (void)state;
    static char dsn[512];
    char log[512];
    g_dsn = sk_test_create_db("it_rpc", dsn, sizeof(dsn));
    if (!g_dsn)
        return -1;
    sk_test_peer_init(&g_pub, "testpub", g_dsn, sk_test_env("SEKLIK_TEST_REDIS_URL"));
    return sk_test_peer_start(&g_pub, it_pub_bin, it_log(log, sizeof(log), "rpc", "pub"));
}

static int stop_pub(void **state)
{
    (void)state;
    if (g_pub.proc.pid > 0) {
        sk_proc_signal(&g_pub.proc, SIGTERM);
        sk_proc_wait(&g_pub.proc, 15000);
    }
    return 0;
}

static long long counter_total(void)
{
    return sk_test_sql_number(g_dsn, "SELECT total FROM testpub.counter");
}

static long long added_events(void)
{
    return sk_test_sql_number(g_dsn,
                              "SELECT count(*) FROM testpub.outbox WHERE type = 'testpub.added'");
}

static void retried_command_has_one_effect_and_the_same_reply(void **state)
{
    (void)state;
    sk_rpc_client *c = it_client(g_pub.rpc);
    long long before = counter_total(), events_before = added_events();
    int64_t total1 = 0, total2 = 0;
    bool replayed1 = true, replayed2 = false;
    assert_int_equal(it_add(c, "add-once-1", 5, &total1, &replayed1, NULL), SK_OK);
    assert_int_equal(it_add(c, "add-once-1", 5, &total2, &replayed2, NULL), SK_OK);
    assert_int_equal(total1, before + 5);
    assert_int_equal(total2, total1);
    assert_false(replayed1);
    assert_true(replayed2);
    assert_int_equal(counter_total(), before + 5);
    assert_int_equal(added_events(), events_before + 1);
    /* One audit record, with who did it and the before and after. */
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM testpub.audit_log a "
                                               "JOIN testpub.idempotency i ON i.key = 'add-once-1' "
                                               "WHERE a.action = 'counter.add' AND a.user_id = 'user-1' "
                                               "AND a.roles = '[\"partnership\"]'::jsonb "
                                               "AND (a.after->>'total')::bigint - (a.before->>'total')::bigint = 5 "
                                               "AND a.correlation_id <> ''"),
                     1);

    /* A new key is a new command. */
    assert_int_equal(it_add(c, "add-once-2", 5, &total1, NULL, NULL), SK_OK);
    assert_int_equal(total1, before + 10);
    sk_rpc_client_close(c);
}

typedef struct racer {
    const char *url;
    int rc;
    int64_t total;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    sk_rpc_client *c = it_client(r->url);
    r->rc = it_add(c, "add-race", 1, &r->total, NULL, NULL);
    sk_rpc_client_close(c);
    return NULL;
}

static void concurrent_retries_with_one_key_apply_once(void **state)
{
    (void)state;
    long long before = counter_total();
    racer rs[8];
    pthread_t t[8];
    for (int i = 0; i < 8; i++) {
        rs[i] = (racer){g_pub.rpc, -1, 0};
        pthread_create(&t[i], NULL, race, &rs[i]);
    }
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(rs[i].rc, SK_OK);
        assert_int_equal(rs[i].total, before + 1);
    }
    assert_int_equal(counter_total(), before + 1);
}

static void key_reused_for_another_request_is_refused(void **state)
{
    (void)state;
    sk_rpc_client *c = it_client(g_pub.rpc);
    assert_int_equal(it_add(c, "add-reuse", 2, NULL, NULL, NULL), SK_OK);
    long long before = counter_total();
    Seklik__Bus__Response *resp = NULL;
    assert_int_equal(it_add(c, "add-reuse", 3, NULL, NULL, &resp), SK_EINVAL);
    assert_int_equal(resp->n_violations, 1);
    assert_string_equal(resp->violations[0]->field, "idempotencyKey");
    assert_string_equal(resp->violations[0]->code, "idempotency_key.reused");
    assert_non_null(strstr(resp->violations[0]->description, "already used"));
    seklik__bus__response__free_unpacked(resp, NULL);

    /* A command without a key is refused, naming the field. */
    assert_int_equal(it_add(c, NULL, 3, NULL, NULL, &resp), SK_EINVAL);
    assert_string_equal(resp->violations[0]->field, "idempotencyKey");
    assert_string_equal(resp->violations[0]->code, "required");
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_int_equal(counter_total(), before);
    sk_rpc_client_close(c);
}

/* Build a signed Add request by hand (a fresh request id, a 10 s deadline),
 * then let the caller spoil it. */
static void make_add(Seklik__Bus__Request *req, Seklik__Bus__Actor *actor, uint8_t *body,
                     size_t *body_len, uint8_t mac[SK_SIGN_LEN], const sk_sign_key *key)
{
    static char request_id[SK_UUID_STRLEN];
    sk_uuid7(request_id);
    static char *roles[] = {"partner"};
    seklik__bus__actor__init(actor);
    actor->user_id = "partner-a";
    actor->company_id = "company-a";
    actor->roles = roles;
    actor->n_roles = 1;
    Seklik__Testbus__AddRequest add = SEKLIK__TESTBUS__ADD_REQUEST__INIT;
    add.amount = 100;
    *body_len = seklik__testbus__add_request__pack(&add, body);
    seklik__bus__request__init(req);
    req->method = "TestPub.Add";
    req->request_id = request_id;
    req->idempotency_key = "forge-key";
    req->deadline_unix_ms = sk_now_unix_ms() + 10000;
    req->actor = actor;
    req->body.data = body;
    req->body.len = *body_len;
    assert_int_equal(sk_sign_request(key, req, mac), SK_OK);
    req->signature.data = mac;
    req->signature.len = SK_SIGN_LEN;
}

static int send_raw(const Seklik__Bus__Request *req)
{
    sk_rpc_client *c = it_client(g_pub.rpc);
    Seklik__Bus__Response *resp = NULL;
    assert_int_equal(sk_rpc_call_raw(c, req, 5000, &resp), SK_OK);
    int code = resp->code;
    seklik__bus__response__free_unpacked(resp, NULL);
    sk_rpc_client_close(c);
    return code;
}

static void forged_or_missing_signature_is_refused(void **state)
{
    (void)state;
    sk_sign_key key, wrong;
    sk_test_key(&key);
    wrong = key;
    wrong.bytes[0] ^= 1;
    long long before = counter_total();
    Seklik__Bus__Request req;
    Seklik__Bus__Actor actor;
    uint8_t body[64], mac[SK_SIGN_LEN];
    size_t len;

    make_add(&req, &actor, body, &len, mac, &key);
    req.signature.len = 0;
    assert_int_equal(send_raw(&req), SEKLIK__BUS__CODE__UNAUTHENTICATED);

    make_add(&req, &actor, body, &len, mac, &wrong);
    assert_int_equal(send_raw(&req), SEKLIK__BUS__CODE__UNAUTHENTICATED);

    /* Signed as partner of company A, then changed to company B. */
    make_add(&req, &actor, body, &len, mac, &key);
    actor.company_id = "company-b";
    assert_int_equal(send_raw(&req), SEKLIK__BUS__CODE__UNAUTHENTICATED);

    /* The body changed after signing. */
    make_add(&req, &actor, body, &len, mac, &key);
    body[len - 1] ^= 0x01;
    assert_int_equal(send_raw(&req), SEKLIK__BUS__CODE__UNAUTHENTICATED);

    assert_int_equal(counter_total(), before);
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM testpub.idempotency "
                                               "WHERE key = 'forge-key'"),
                     0);

    /* The same request, properly signed, goes through. */
    make_add(&req, &actor, body, &len, mac, &key);
    assert_int_equal(send_raw(&req), SEKLIK__BUS__CODE__OK);
    assert_int_equal(counter_total(), before + 100);
}

static long long pub_metric(const char *name)
{
    char url[128], body[65536];
    snprintf(url, sizeof(url), "%s/metrics", g_pub.http);
    if (sk_test_http_get(url, body, sizeof(body)) != 200)
        return -1;
    return sk_test_metric(body, name);
}

/* Send what was captured off the wire, byte for byte; the Response's code. */
static int send_captured(const uint8_t *wire, size_t n, bool *replayed)
{
    Seklik__Bus__Request *req = seklik__bus__request__unpack(NULL, n, wire);
    assert_non_null(req);
    sk_rpc_client *c = it_client(g_pub.rpc);
    Seklik__Bus__Response *resp = NULL;
    assert_int_equal(sk_rpc_call_raw(c, req, 5000, &resp), SK_OK);
    int code = resp->code;
    if (replayed)
        *replayed = resp->replayed;
    seklik__bus__response__free_unpacked(resp, NULL);
    sk_rpc_client_close(c);
    seklik__bus__request__free_unpacked(req, NULL);
    return code;
}

static uint8_t *capture(const Seklik__Bus__Request *req, size_t *n)
{
    *n = seklik__bus__request__get_packed_size(req);
    uint8_t *wire = malloc(*n);
    assert_non_null(wire);
    seklik__bus__request__pack(req, wire);
    return wire;
}

/* A signed request captured on the wire and sent again before its deadline
 * is refused and changes nothing; a retry as callers make it (a new request
 * id, the same idempotency key) still gets the first answer. */
static void replayed_request_is_refused_and_has_no_effect(void **state)
{
    (void)state;
    sk_sign_key key;
    sk_test_key(&key);
    Seklik__Bus__Request req;
    Seklik__Bus__Actor actor;
    uint8_t body[64], mac[SK_SIGN_LEN];
    size_t len, n;
    make_add(&req, &actor, body, &len, mac, &key);
    req.idempotency_key = "replay-key";
    assert_int_equal(sk_sign_request(&key, &req, mac), SK_OK);
    uint8_t *wire = capture(&req, &n);

    long long before = counter_total(), events = added_events();
    long long refused = pub_metric("seklik_rpc_replays_refused_total");
    assert_true(refused >= 0);
    bool replayed = true;
    assert_int_equal(send_captured(wire, n, &replayed), SEKLIK__BUS__CODE__OK);
    assert_false(replayed);
    assert_int_equal(counter_total(), before + 100);
    assert_int_equal(send_captured(wire, n, &replayed), SEKLIK__BUS__CODE__UNAVAILABLE);
    assert_false(replayed); /* refused, not answered from the idempotency store */
    assert_int_equal(send_captured(wire, n, NULL), SEKLIK__BUS__CODE__UNAVAILABLE);
    assert_int_equal(counter_total(), before + 100);
    assert_int_equal(added_events(), events + 1);
    assert_int_equal(pub_metric("seklik_rpc_replays_refused_total"), refused + 2);
    free(wire);

    /* The caller's own retry: same key, new request id. */
    make_add(&req, &actor, body, &len, mac, &key);
    req.idempotency_key = "replay-key";
    assert_int_equal(sk_sign_request(&key, &req, mac), SK_OK);
    wire = capture(&req, &n);
    assert_int_equal(send_captured(wire, n, &replayed), SEKLIK__BUS__CODE__OK);
    assert_true(replayed);
    assert_int_equal(counter_total(), before + 100);
    free(wire);

    /* A query too: what it read is not handed out again. */
    Seklik__Testbus__GetRequest get = SEKLIK__TESTBUS__GET_REQUEST__INIT;
    uint8_t getbody[8];
    make_add(&req, &actor, body, &len, mac, &key);
    req.method = "TestPub.Get";
    req.idempotency_key = "";
    req.body.len = seklik__testbus__get_request__pack(&get, getbody);
    req.body.data = getbody;
    assert_int_equal(sk_sign_request(&key, &req, mac), SK_OK);
    wire = capture(&req, &n);
    assert_int_equal(send_captured(wire, n, NULL), SEKLIK__BUS__CODE__OK);
    assert_int_equal(send_captured(wire, n, NULL), SEKLIK__BUS__CODE__UNAVAILABLE);
    free(wire);
}

/* The server's deadline check: a request that arrives late, or has no
 * deadline, or one further ahead than any caller may ask, does nothing. */
static void request_past_or_without_a_deadline_has_no_effect(void **state)
{
    (void)state;
    sk_sign_key key;
    sk_test_key(&key);
    Seklik__Bus__Request req;
    Seklik__Bus__Actor actor;
    uint8_t body[64], mac[SK_SIGN_LEN];
    size_t len;
    long long before = counter_total(), events = added_events();
    static const char *const idem_rows =
        "SELECT count(*) FROM testpub.idempotency WHERE key = 'deadline-key'";

    make_add(&req, &actor, body, &len, mac, &key);
    req.idempotency_key = "deadline-key";
    req.deadline_unix_ms = sk_now_unix_ms() - 1000;
    assert_int_equal(sk_sign_request(&key, &req, mac), SK_OK);
    assert_int_equal(send_raw(&req), SEKLIK__BUS__CODE__DEADLINE_EXCEEDED);

    sk_rpc_client *c = it_client(g_pub.rpc);
    Seklik__Bus__Response *resp = NULL;
    int64_t bad_deadlines[] = {0, sk_now_unix_ms() + 3600 * 1000};
    for (size_t i = 0; i < 2; i++) {
        make_add(&req, &actor, body, &len, mac, &key);
        req.idempotency_key = "deadline-key";
        req.deadline_unix_ms = bad_deadlines[i];
        assert_int_equal(sk_sign_request(&key, &req, mac), SK_OK);
        assert_int_equal(sk_rpc_call_raw(c, &req, 5000, &resp), SK_OK);
        assert_int_equal(resp->code, SEKLIK__BUS__CODE__INVALID_ARGUMENT);
        assert_true(it_names_field(resp, "deadlineUnixMs"));
        seklik__bus__response__free_unpacked(resp, NULL);
    }
    sk_rpc_client_close(c);
    assert_int_equal(counter_total(), before);
    assert_int_equal(added_events(), events);
    assert_int_equal(sk_test_sql_number(g_dsn, idem_rows), 0);

    /* In time, the same command goes through. */
    make_add(&req, &actor, body, &len, mac, &key);
    req.idempotency_key = "deadline-key";
    assert_int_equal(sk_sign_request(&key, &req, mac), SK_OK);
    assert_int_equal(send_raw(&req), SEKLIK__BUS__CODE__OK);
    assert_int_equal(counter_total(), before + 100);
    assert_int_equal(sk_test_sql_number(g_dsn, idem_rows), 1);
}

static void unknown_method_and_bad_body_are_named(void **state)
{
    (void)state;
    sk_rpc_client *c = it_client(g_pub.rpc);
    Seklik__Bus__HealthRequest h = SEKLIK__BUS__HEALTH_REQUEST__INIT;
    Seklik__Bus__Response *resp = NULL;
    assert_int_equal(sk_rpc_call(c, "TestPub.Nope", NULL, NULL, &h.base, 5000, &resp), SK_OK);
    assert_int_equal(resp->code, SEKLIK__BUS__CODE__UNIMPLEMENTED);
    seklik__bus__response__free_unpacked(resp, NULL);

    /* A body that is not an AddRequest (field 1 as a length-delimited blob). */
    Seklik__Bus__Request req;
    Seklik__Bus__Actor actor;
    uint8_t body[64], mac[SK_SIGN_LEN];
    size_t len;
    sk_sign_key key;
    sk_test_key(&key);
    make_add(&req, &actor, body, &len, mac, &key);
    static uint8_t junk[] = {0x0a, 0x05, 0x01};
    req.body.data = junk;
    req.body.len = sizeof(junk);
    req.idempotency_key = "junk-key";
    assert_int_equal(sk_sign_request(&key, &req, mac), SK_OK);
    assert_int_equal(sk_rpc_call_raw(c, &req, 5000, &resp), SK_OK);
    assert_int_equal(resp->code, SEKLIK__BUS__CODE__INVALID_ARGUMENT);
    assert_string_equal(resp->violations[0]->field, "body");
    assert_string_equal(resp->violations[0]->code, "body.invalid");
    seklik__bus__response__free_unpacked(resp, NULL);
    sk_rpc_client_close(c);
}

typedef struct long_call {
    const char *url;
    int rc;
    uint64_t last;
} long_call;

static void *long_emit(void *arg)
{
    long_call *lc = arg;
    sk_rpc_client *c = it_client(lc->url);
    /* Long enough to be in flight at SIGTERM, well inside the 10 s drain cap
     * even under ASan on a loaded machine. */
    lc->rc = it_emit(c, 3000, 500, 30000, &lc->last);
    sk_rpc_client_close(c);
    return NULL;
}

static void sigterm_finishes_the_request_in_flight_and_exits_zero(void **state)
{
    (void)state;
    long long before = sk_test_sql_number(g_dsn, "SELECT last_seq FROM testpub.outbox_head");
    long_call lc = {g_pub.rpc, -1, 0};
    pthread_t t;
    pthread_create(&t, NULL, long_emit, &lc);
    /* In flight for sure once its first transaction committed (a TLS
     * handshake alone can outlast a fixed pause). */
    uint64_t until = sk_now_mono_ns() + 10000000000ull;
    while (sk_test_sql_number(g_dsn, "SELECT last_seq FROM testpub.outbox_head") == before &&
           sk_now_mono_ns() < until)
        sk_test_sleep_ms(5);
    sk_proc_signal(&g_pub.proc, SIGTERM);
    pthread_join(t, NULL);
    assert_int_equal(lc.rc, SK_OK);
    assert_int_equal((long long)lc.last, before + 3000);
    assert_int_equal(sk_proc_wait(&g_pub.proc, 15000), 0);
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT last_seq FROM testpub.outbox_head"),
                     before + 3000);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(retried_command_has_one_effect_and_the_same_reply),
        cmocka_unit_test(concurrent_retries_with_one_key_apply_once),
        cmocka_unit_test(key_reused_for_another_request_is_refused),
        cmocka_unit_test(forged_or_missing_signature_is_refused),
        cmocka_unit_test(replayed_request_is_refused_and_has_no_effect),
        cmocka_unit_test(request_past_or_without_a_deadline_has_no_effect),
        cmocka_unit_test(unknown_method_and_bad_body_are_named),
        /* last: it stops the publisher */
        cmocka_unit_test(sigterm_finishes_the_request_in_flight_and_exits_zero),
    };
    return it_main2(argc, argv, tests, sizeof(tests) / sizeof(tests[0]), start_pub, stop_pub);
}
