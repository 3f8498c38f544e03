/* Forged events are refused, counted and never applied; the real ones still
 * arrive exactly once, in order.
 *
 * The test plays the attacker who can reach a subscriber: it binds its own
 * PUB socket where testsub dials testpub's events, and (second test) sits
 * between testsub and testpub's bus.Replay. It holds no key but the wrong
 * one; what it publishes is built from real signed events, changed. */
#include <nng/nng.h>
#include <nng/protocol/pubsub0/pub.h>
#include <nng/protocol/reqrep0/rep.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "it_common.h"
#include "sk_outbox.h"
#include "sk_tls.h"

#define REFUSED_SIGNATURE "seklik_events_refused_total{service=\"testsub\",reason=\"signature\"}"
#define REFUSED_SOURCE    "seklik_events_refused_total{service=\"testsub\",reason=\"source\"}"
#define REFUSED_MALFORMED "seklik_events_refused_total{service=\"testsub\",reason=\"malformed\"}"

static long long metric_of(const sk_test_peer *p, const char *name)
{
    char url[128], body[65536];
    snprintf(url, sizeof(url), "%s/metrics", p->http);
    if (sk_test_http_get(url, body, sizeof(body)) != 200)
        return -1;
    return sk_test_metric(body, name);
}

/* Wait until the metric reaches `want` (10 s); its value. */
static long long wait_metric(const sk_test_peer *p, const char *name, long long want)
{
    long long v = -1;
    uint64_t until = sk_now_mono_ns() + 10000000000ull;
    while ((v = metric_of(p, name)) < want && sk_now_mono_ns() < until)
        sk_test_sleep_ms(20);
    return v;
}

static long long applied(const char *dsn)
{
    return sk_test_sql_number(dsn, "SELECT count(*) FROM testsub.applied");
}

/* What testsub applied is what testpub committed, field for field. */
static void assert_applied_matches_outbox(const char *dsn, long long n)
{
    it_assert_exactly_once_in_order(dsn, n);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM testsub.applied a "
                                             "JOIN testpub.outbox o ON o.seq = a.seq "
                                             "WHERE a.type = o.type AND a.source = 'testpub' "
                                             "AND a.occurred_unix_us = o.occurred_unix_us "
                                             "AND a.body = o.body"),
                     n);
}

/* An address for the test's own socket, in the peers' scheme. */
static void own_url(char *url, size_t cap)
{
    snprintf(url, cap, "%s://127.0.0.1:%d", sk_test_bus_scheme(), sk_test_free_port());
}

static void add(sk_rpc_client *c, int64_t amount)
{
    char key[SK_UUID_STRLEN];
    sk_uuid7(key);
    assert_int_equal(it_add(c, key, amount, NULL, NULL, NULL), SK_OK);
}

/* ---- a PUB socket of the test's own ---- */

static atomic_int g_subscribers;

static void on_pipe(nng_pipe p, nng_pipe_ev ev, void *arg)
{
    (void)p;
    (void)arg;
    atomic_fetch_add(&g_subscribers, ev == NNG_PIPE_EV_ADD_POST ? 1 : -1);
}

static void publish(nng_socket pub, const Seklik__Bus__Event *ev)
{
    uint8_t *frame = NULL;
    size_t len = 0;
    assert_int_equal(sk_event_frame(ev, &frame, &len), SK_OK);
    assert_int_equal(nng_send(pub, frame, len, 0), 0);
    free(frame);
}

/* Publish `ev` and wait until the subscriber counted it under `metric` as
 * the `nth` refusal; nothing may have been applied meanwhile. */
static void publish_refused(nng_socket pub, const Seklik__Bus__Event *ev, const sk_test_peer *sub,
                            const char *metric, long long nth, const char *dsn, long long was)
{
    publish(pub, ev);
    assert_int_equal(wait_metric(sub, metric, nth), nth);
    assert_int_equal(applied(dsn), was);
}

static void forged_live_frames_are_refused_counted_and_never_applied(void **state)
{
    (void)state;
    char dsn[512], fake[64];
    sk_test_peer pub, sub;
    sk_sign_key key, wrong;
    sk_test_key(&key);
    wrong = key;
    wrong.bytes[5] ^= 0x20;

    nng_socket fake_pub;
    assert_int_equal(nng_pub0_open(&fake_pub), 0);
    atomic_store(&g_subscribers, 0);
    nng_pipe_notify(fake_pub, NNG_PIPE_EV_ADD_POST, on_pipe, NULL);
    nng_pipe_notify(fake_pub, NNG_PIPE_EV_REM_POST, on_pipe, NULL);
    own_url(fake, sizeof(fake));
    assert_int_equal(sk_tls_listen(fake_pub, fake, NULL), 0);

    /* testsub hears only the test's PUB; its replays go to the real testpub.
     * No timer: a frame is applied live or through the gap it reveals. */
    const char *const env[] = {"SEKLIK_TESTPUB_EVENTS", fake, "SEKLIK_REPLAY_INTERVAL_MS", "600000",
                               NULL};
    it_start_pair("it_forgery_live", "forgery-live", dsn, sizeof(dsn), &pub, &sub, env);
    for (int i = 0; i < 500 && atomic_load(&g_subscribers) < 1; i++)
        sk_test_sleep_ms(20);
    assert_int_equal(atomic_load(&g_subscribers), 1);

    /* Not an event at all. */
    static const char junk[] = "testpub.added\0\xff\xff\xff";
    assert_int_equal(nng_send(fake_pub, (void *)junk, sizeof(junk), 0), 0);
    assert_int_equal(wait_metric(&sub, REFUSED_MALFORMED, 1), 1);

    /* Unsigned, then signed with a wrong key: seq 1, as the next event
     * would be. The second is handled in a batch after the first, so
     * testsub's start-up catch-up is over once both are counted. */
    Seklik__Bus__Actor nobody = SEKLIK__BUS__ACTOR__INIT;
    Seklik__Bus__Event forged = SEKLIK__BUS__EVENT__INIT;
    char id[SK_UUID_STRLEN];
    sk_uuid7(id);
    forged.id = id;
    forged.type = "testpub.added";
    forged.source = "testpub";
    forged.seq = 1;
    forged.occurred_unix_us = sk_now_unix_us();
    forged.actor = &nobody;
    Seklik__Testbus__AddRequest amount = SEKLIK__TESTBUS__ADD_REQUEST__INIT;
    amount.amount = 1000000;
    uint8_t body[32], mac[SK_SIGN_LEN];
    forged.body.len = seklik__testbus__add_request__pack(&amount, body);
    forged.body.data = body;
    publish_refused(fake_pub, &forged, &sub, REFUSED_SIGNATURE, 1, dsn, 0);
    assert_int_equal(sk_sign_event(&wrong, &forged, mac), SK_OK);
    forged.signature.data = mac;
    forged.signature.len = SK_SIGN_LEN;
    publish_refused(fake_pub, &forged, &sub, REFUSED_SIGNATURE, 2, dsn, 0);

    /* Three real events; testsub does not know of them yet. */
    sk_rpc_client *c = it_client(pub.rpc);
    add(c, 7);
    add(c, 8);
    add(c, 9);
    Seklik__Bus__ReplayRequest rr = SEKLIK__BUS__REPLAY_REQUEST__INIT;
    rr.limit = 10;
    Seklik__Bus__ReplayResponse *real = NULL;
    char why[128];
    assert_int_equal(sk_rpc_call_decode(c, "bus.Replay", NULL, NULL, &rr.base,
                                        &seklik__bus__replay_response__descriptor, 5000,
                                        (ProtobufCMessage **)&real, why, sizeof(why)),
                     SK_OK);
    assert_int_equal(real->n_events, 3);
    assert_int_equal(applied(dsn), 0);

    /* Real event 1 with its signature, but the body changed. */
    Seklik__Bus__Event ev = *real->events[0];
    ev.body = forged.body;
    publish_refused(fake_pub, &ev, &sub, REFUSED_SIGNATURE, 3, dsn, 0);

    /* Real event 2 with its signature, passed off as seq 1. */
    ev = *real->events[1];
    ev.seq = 1;
    publish_refused(fake_pub, &ev, &sub, REFUSED_SIGNATURE, 4, dsn, 0);

    /* Real event 1 carrying a request's MAC over the same values. */
    ev = *real->events[0];
    Seklik__Bus__Request req = SEKLIK__BUS__REQUEST__INIT;
    req.method = ev.type;
    req.request_id = ev.id;
    req.idempotency_key = ev.source;
    req.deadline_unix_ms = (int64_t)ev.seq;
    req.actor = ev.actor;
    req.body = ev.body;
    assert_int_equal(sk_sign_request(&key, &req, mac), SK_OK);
    ev.signature.data = mac;
    ev.signature.len = SK_SIGN_LEN;
    publish_refused(fake_pub, &ev, &sub, REFUSED_SIGNATURE, 5, dsn, 0);

    /* Signed with the right key (another service holds it too), but claiming
     * to come from another source. */
    ev = *real->events[0];
    ev.source = "registry";
    assert_int_equal(sk_sign_event(&key, &ev, mac), SK_OK);
    ev.signature.data = mac;
    publish_refused(fake_pub, &ev, &sub, REFUSED_SOURCE, 1, dsn, 0);

    /* The real frames pass: event 1 live, then event 3, whose gap brings
     * event 2 from testpub's Replay. */
    publish(fake_pub, real->events[0]);
    assert_int_equal(it_wait_applied(dsn, 1, 10000), 1);
    publish(fake_pub, real->events[2]);
    assert_int_equal(it_wait_applied(dsn, 3, 10000), 3);
    assert_applied_matches_outbox(dsn, 3);
    assert_int_equal(metric_of(&sub, REFUSED_SIGNATURE), 5);
    assert_int_equal(metric_of(&sub, REFUSED_SOURCE), 1);
    assert_int_equal(metric_of(&sub, REFUSED_MALFORMED), 1);
    assert_true(metric_of(&sub, "seklik_events_gaps_total") >= 1);

    protobuf_c_message_free_unpacked(&real->base, NULL);
    sk_rpc_client_close(c);
    nng_close(fake_pub);
    it_stop((sk_test_peer *[]){&sub, &pub, NULL});
}

/* ---- between testsub and testpub's bus.Replay ---- */

typedef struct proxy {
    char url[64];
    const char *upstream;
    nng_socket rep;
    pthread_t thread;
    atomic_bool tamper, stop;
    atomic_int tampered;
} proxy;

/* Change one byte of the third event's body in every Replay page that has
 * one; pass everything else on untouched. */
static void tamper_page(proxy *px, Seklik__Bus__Response *resp, uint8_t **repacked)
{
    Seklik__Bus__ReplayResponse *page =
        seklik__bus__replay_response__unpack(NULL, resp->body.len, resp->body.data);
    if (!page)
        return;
    if (page->n_events >= 3 && page->events[2]->body.len) {
        page->events[2]->body.data[0] ^= 0x01;
        size_t n = seklik__bus__replay_response__get_packed_size(page);
        *repacked = malloc(n);
        if (*repacked) {
            seklik__bus__replay_response__pack(page, *repacked);
            resp->body.data = *repacked;
            resp->body.len = n;
            atomic_fetch_add(&px->tampered, 1);
        }
    }
    seklik__bus__replay_response__free_unpacked(page, NULL);
}

static void *proxy_run(void *arg)
{
    proxy *px = arg;
    sk_rpc_client *up = it_client(px->upstream);
    while (!atomic_load(&px->stop)) {
        nng_msg *msg = NULL;
        if (nng_recvmsg(px->rep, &msg, 0) != 0)
            continue; /* the receive timeout: look at `stop` again */
        Seklik__Bus__Request *req =
            seklik__bus__request__unpack(NULL, nng_msg_len(msg), nng_msg_body(msg));
        nng_msg_free(msg);
        Seklik__Bus__Response *resp = NULL;
        if (!req || sk_rpc_call_raw(up, req, 5000, &resp) != SK_OK) {
            if (req)
                seklik__bus__request__free_unpacked(req, NULL);
            continue; /* the caller times out, as with a lost reply */
        }
        ProtobufCBinaryData body = resp->body;
        uint8_t *repacked = NULL;
        if (atomic_load(&px->tamper) && strcmp(req->method, "bus.Replay") == 0 &&
            resp->code == SEKLIK__BUS__CODE__OK)
            tamper_page(px, resp, &repacked);
        size_t n = seklik__bus__response__get_packed_size(resp);
        uint8_t *out = malloc(n + 1);
        if (out) {
            seklik__bus__response__pack(resp, out);
            nng_send(px->rep, out, n, 0);
            free(out);
        }
        resp->body = body;
        free(repacked);
        seklik__bus__response__free_unpacked(resp, NULL);
        seklik__bus__request__free_unpacked(req, NULL);
    }
    sk_rpc_client_close(up);
    return NULL;
}

static void forged_replayed_event_fails_the_batch_and_is_retried(void **state)
{
    (void)state;
    char dsn[512], nowhere[64];
    sk_test_peer pub, sub;
    static proxy px;
    memset(&px, 0, sizeof(px));
    own_url(px.url, sizeof(px.url));
    own_url(nowhere, sizeof(nowhere));
    assert_int_equal(nng_rep0_open(&px.rep), 0);
    assert_int_equal(nng_socket_set_ms(px.rep, NNG_OPT_RECVTIMEO, 100), 0);
    assert_int_equal(sk_tls_listen(px.rep, px.url, NULL), 0);
    atomic_store(&px.tamper, true);

    /* No live stream at all: everything comes through Replay, on the timer. */
    const char *const env[] = {"SEKLIK_TESTPUB_RPC",
                               px.url,
                               "SEKLIK_TESTPUB_EVENTS",
                               nowhere,
                               "SEKLIK_REPLAY_INTERVAL_MS",
                               "200",
                               NULL};
    char log[512];
    assert_non_null(sk_test_create_db("it_forgery_replay", dsn, sizeof(dsn)));
    const char *redis = sk_test_env("SEKLIK_TEST_REDIS_URL");
    sk_test_peer_init(&pub, "testpub", dsn, redis);
    sk_test_peer_init(&sub, "testsub", dsn, redis);
    sk_test_peer_link(&sub, &pub);
    for (const char *const *e = env; e[0]; e += 2)
        sk_test_peer_setenv(&sub, e[0], e[1]);
    assert_int_equal(
        sk_test_peer_start(&pub, it_pub_bin, it_log(log, sizeof(log), "forgery-replay", "pub")), 0);
    /* All five exist before the subscriber asks: a page it reads while they
     * were still being added could hold only two, nothing to forge. */
    sk_rpc_client *c = it_client(pub.rpc);
    for (int i = 1; i <= 5; i++)
        add(c, i);
    px.upstream = pub.rpc;
    assert_int_equal(pthread_create(&px.thread, NULL, proxy_run, &px), 0);
    assert_int_equal(
        sk_test_peer_start(&sub, it_sub_bin, it_log(log, sizeof(log), "forgery-replay", "sub")), 0);

    /* Two pages refused in a row: the third event is forged in each, so none
     * of the page is applied, not even the two real events before it. */
    assert_true(wait_metric(&sub, REFUSED_SIGNATURE, 2) >= 2);
    assert_true(atomic_load(&px.tampered) >= 2);
    assert_int_equal(applied(dsn), 0);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT coalesce(max(last_seq), 0) "
                                             "FROM testsub.inbox_offsets"),
                     0);

    /* The next honest page is applied whole. */
    atomic_store(&px.tamper, false);
    assert_int_equal(it_wait_applied(dsn, 5, 20000), 5);
    assert_applied_matches_outbox(dsn, 5);
    assert_int_equal(metric_of(&sub, REFUSED_SOURCE), 0);

    sk_rpc_client_close(c);
    it_stop((sk_test_peer *[]){&sub, &pub, NULL});
    atomic_store(&px.stop, true);
    pthread_join(px.thread, NULL);
    nng_close(px.rep);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(forged_live_frames_are_refused_counted_and_never_applied),
        cmocka_unit_test(forged_replayed_event_fails_the_batch_and_is_retried),
    };
    return it_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
