/* The bus over tls+tcp:// with mutual certificates: only a holder of a
 * certificate from the CA can call a service or hear its events, a service is
 * trusted only with a certificate from the CA for the name it is dialled by,
 * and a tls+tcp URL without certificates stops a service at start.
 *
 * The outsiders are raw NNG sockets of the test's own, configured with other
 * identities; each is first shown to work with the right one, so a refusal
 * is the certificate's doing and not a broken probe. */
#include <nng/nng.h>
#include <nng/protocol/pubsub0/sub.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/tls/tls.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "it_common.h"
#include "sk_tls.h"

#define REFUSED_MS 2000 /* long enough for a handshake here, many times over */

static const char *g_dir;

static char *slurp(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", g_dir, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 65536);
    assert_non_null(buf);
    size_t n = fread(buf, 1, 65535, f);
    fclose(f);
    assert_true(n > 0);
    return buf;
}

/* An identity for a raw socket: trusting ca.pem, presenting `who`.pem (NULL:
 * no certificate). A server requires client certificates unless `open`. */
static nng_tls_config *identity(bool server, const char *who, bool open)
{
    nng_tls_config *c = NULL;
    assert_int_equal(nng_tls_config_alloc(&c, server ? NNG_TLS_MODE_SERVER : NNG_TLS_MODE_CLIENT),
                     0);
    char *ca = slurp("ca.pem");
    assert_int_equal(nng_tls_config_ca_chain(c, ca, NULL), 0);
    free(ca);
    if (who) {
        char name[64];
        snprintf(name, sizeof(name), "%s.pem", who);
        char *cert = slurp(name);
        snprintf(name, sizeof(name), "%s.key", who);
        char *key = slurp(name);
        assert_int_equal(nng_tls_config_own_cert(c, cert, key, NULL), 0);
        free(cert);
        free(key);
    }
    assert_int_equal(
        nng_tls_config_auth_mode(c, open ? NNG_TLS_AUTH_MODE_NONE : NNG_TLS_AUTH_MODE_REQUIRED), 0);
    if (!server)
        assert_int_equal(nng_tls_config_server_name(c, "127.0.0.1"), 0);
    return c;
}

static void raw_dial(nng_socket s, const char *url, nng_tls_config *c)
{
    nng_dialer d;
    assert_int_equal(nng_dialer_create(&d, s, url), 0);
    assert_int_equal(nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, c), 0);
    assert_int_equal(nng_dialer_start(d, NNG_FLAG_NONBLOCK), 0);
    nng_tls_config_free(c);
}

/* Can a REQ presenting `who` get testpub's answer to a signed bus.Replay? */
static bool can_call(const char *url, const char *who, int ms)
{
    nng_socket s;
    assert_int_equal(nng_req0_open(&s), 0);
    nng_socket_set_ms(s, NNG_OPT_SENDTIMEO, ms);
    nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, ms);
    raw_dial(s, url, identity(false, who, false));

    sk_sign_key key;
    sk_test_key(&key);
    Seklik__Bus__ReplayRequest rr = SEKLIK__BUS__REPLAY_REQUEST__INIT;
    rr.limit = 1;
    uint8_t body[16], mac[SK_SIGN_LEN];
    char id[SK_UUID_STRLEN];
    sk_uuid7(id);
    Seklik__Bus__Request req = SEKLIK__BUS__REQUEST__INIT;
    req.method = "bus.Replay";
    req.request_id = id;
    req.idempotency_key = "";
    req.deadline_unix_ms = sk_now_unix_ms() + ms + 5000;
    req.body.len = seklik__bus__replay_request__pack(&rr, body);
    req.body.data = body;
    assert_int_equal(sk_sign_request(&key, &req, mac), SK_OK);
    req.signature.data = mac;
    req.signature.len = SK_SIGN_LEN;
    uint8_t wire[256];
    size_t n = seklik__bus__request__pack(&req, wire);

    bool answered = false;
    char *reply = NULL;
    size_t len = 0;
    if (nng_send(s, wire, n, 0) == 0 && nng_recv(s, &reply, &len, NNG_FLAG_ALLOC) == 0) {
        Seklik__Bus__Response *resp = seklik__bus__response__unpack(NULL, len, (uint8_t *)reply);
        answered = resp && resp->code == SEKLIK__BUS__CODE__OK;
        if (resp)
            seklik__bus__response__free_unpacked(resp, NULL);
        nng_free(reply, len);
    }
    nng_close(s);
    return answered;
}

static atomic_int g_pipes;

static void on_pipe(nng_pipe p, nng_pipe_ev ev, void *arg)
{
    (void)p;
    (void)arg;
    atomic_fetch_add(&g_pipes, ev == NNG_PIPE_EV_ADD_POST ? 1 : -1);
}

/* Can a SUB presenting `who` hear the events testpub publishes? */
static bool can_subscribe(const sk_test_peer *pub, sk_rpc_client *c, const char *who, int ms)
{
    nng_socket s;
    assert_int_equal(nng_sub0_open(&s), 0);
    assert_int_equal(nng_socket_set(s, NNG_OPT_SUB_SUBSCRIBE, "", 0), 0);
    nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, ms);
    atomic_store(&g_pipes, 0);
    nng_pipe_notify(s, NNG_PIPE_EV_ADD_POST, on_pipe, NULL);
    raw_dial(s, pub->events, identity(false, who, false));
    for (int waited = 0; waited < ms && atomic_load(&g_pipes) < 1; waited += 20)
        sk_test_sleep_ms(20);
    /* Published either way: a refused subscriber must hear nothing. */
    assert_int_equal(it_emit(c, 3, 3, 10000, NULL), SK_OK);
    char *frame = NULL;
    size_t len = 0;
    bool heard = nng_recv(s, &frame, &len, NNG_FLAG_ALLOC) == 0;
    if (heard)
        nng_free(frame, len);
    nng_close(s);
    return heard;
}

static void only_a_certificate_from_the_ca_can_call_or_subscribe(void **state)
{
    (void)state;
    char dsn[512], log[512];
    sk_test_peer pub;
    assert_non_null(sk_test_create_db("it_tls_clients", dsn, sizeof(dsn)));
    sk_test_peer_init(&pub, "testpub", dsn, sk_test_env("SEKLIK_TEST_REDIS_URL"));
    assert_true(sk_tls_url(pub.rpc) && sk_tls_url(pub.events));
    assert_int_equal(sk_test_peer_start(&pub, it_pub_bin, it_log(log, sizeof(log), "tls", "pub")),
                     0);
    sk_rpc_client *c = it_client(pub.rpc);

    assert_true(can_call(pub.rpc, "node", 10000));
    assert_true(can_subscribe(&pub, c, "node", 10000));

    assert_false(can_call(pub.rpc, NULL, REFUSED_MS));
    assert_false(can_subscribe(&pub, c, NULL, REFUSED_MS));
    assert_false(can_call(pub.rpc, "rogue", REFUSED_MS));
    assert_false(can_subscribe(&pub, c, "rogue", REFUSED_MS));

    sk_rpc_client_close(c);
    it_stop((sk_test_peer *[]){&pub, NULL});
}

/* ---- a server of the test's own, with a chosen certificate ---- */

typedef struct fake_server {
    nng_socket rep;
    pthread_t thread;
    atomic_bool stop;
    atomic_int answered;
} fake_server;

/* Answer every request OK. */
static void *serve(void *arg)
{
    fake_server *fs = arg;
    while (!atomic_load(&fs->stop)) {
        nng_msg *msg = NULL;
        if (nng_recvmsg(fs->rep, &msg, 0) != 0)
            continue;
        nng_msg_free(msg);
        Seklik__Bus__Response resp = SEKLIK__BUS__RESPONSE__INIT;
        uint8_t out[16];
        size_t n = seklik__bus__response__pack(&resp, out);
        if (nng_send(fs->rep, out, n, 0) == 0)
            atomic_fetch_add(&fs->answered, 1);
    }
    return NULL;
}

/* Does a service's client (this process's identity) accept a server that
 * presents `who` and asks nothing of its clients? */
static bool client_trusts(const char *who, int ms)
{
    char url[64];
    snprintf(url, sizeof(url), "tls+tcp://127.0.0.1:%d", sk_test_free_port());
    static fake_server fs;
    memset(&fs, 0, sizeof(fs));
    assert_int_equal(nng_rep0_open(&fs.rep), 0);
    assert_int_equal(nng_socket_set_ms(fs.rep, NNG_OPT_RECVTIMEO, 50), 0);
    nng_listener l;
    nng_tls_config *c = identity(true, who, true);
    assert_int_equal(nng_listener_create(&l, fs.rep, url), 0);
    assert_int_equal(nng_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, c), 0);
    assert_int_equal(nng_listener_start(l, 0), 0);
    nng_tls_config_free(c);
    assert_int_equal(pthread_create(&fs.thread, NULL, serve, &fs), 0);

    sk_rpc_client *client = it_client(url);
    Seklik__Bus__HealthRequest h = SEKLIK__BUS__HEALTH_REQUEST__INIT;
    Seklik__Bus__Response *resp = NULL;
    int rc = sk_rpc_call(client, "TestPub.Health", NULL, NULL, &h.base, ms, &resp);
    if (resp)
        seklik__bus__response__free_unpacked(resp, NULL);
    sk_rpc_client_close(client);
    atomic_store(&fs.stop, true);
    pthread_join(fs.thread, NULL);
    nng_close(fs.rep);
    assert_true(rc == SK_OK || rc == SK_ETIMEDOUT);
    assert_int_equal(atomic_load(&fs.answered), rc == SK_OK ? 1 : 0);
    return rc == SK_OK;
}

static void a_server_is_trusted_only_with_the_cas_certificate_for_its_name(void **state)
{
    (void)state;
    assert_true(client_trusts("node", 10000));
    assert_false(client_trusts("rogue", REFUSED_MS));     /* another CA */
    assert_false(client_trusts("wrongname", REFUSED_MS)); /* the CA, not this name */
}

/* The gateway reads its own RPC address a second time, for its clients: it
 * must take tls+tcp:// there too, and answer over it. */
static void gateway_starts_and_answers_over_tls(void **state)
{
    (void)state;
    const char *gateway_bin = it_arg(4);
    assert_non_null(gateway_bin);
    char dsn[512], log[512], web[64];
    sk_test_peer gw;
    assert_non_null(sk_test_create_db("it_tls_gateway", dsn, sizeof(dsn)));
    sk_test_peer_init(&gw, "gateway", dsn, sk_test_env("SEKLIK_TEST_REDIS_URL"));
    snprintf(web, sizeof(web), "http://127.0.0.1:%d", sk_test_free_port());
    sk_test_peer_setenv(&gw, "SEKLIK_GATEWAY_LISTEN", web);
    assert_true(sk_tls_url(gw.rpc));
    assert_int_equal(
        sk_test_peer_start(&gw, gateway_bin, it_log(log, sizeof(log), "tls", "gateway")), 0);
    it_stop((sk_test_peer *[]){&gw, NULL});
}

/* A service told to use tls+tcp:// without its certificates does not start. */
static void tls_url_without_certificates_stops_the_service_at_start(void **state)
{
    (void)state;
    char log[512];
    char not_pem[256], not_a_key[256];
    snprintf(not_pem, sizeof(not_pem), "%s/node.ext", g_dir);
    snprintf(not_a_key, sizeof(not_a_key), "%s/ca.pem", g_dir);
    const struct {
        const char *var, *value;
    } cases[] = {
        {"SEKLIK_TLS_CERT", ""},     {"SEKLIK_TLS_KEY", ""},
        {"SEKLIK_TLS_CA", ""},       {"SEKLIK_TLS_CA", "/nonexistent/ca.pem"},
        {"SEKLIK_TLS_KEY", not_pem}, {"SEKLIK_TLS_KEY", not_a_key},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sk_test_peer p;
        sk_test_peer_init(&p, "testpub", "host=127.0.0.1 port=1 dbname=none",
                          "redis://127.0.0.1:1/0");
        sk_test_peer_setenv(&p, cases[i].var, cases[i].value);
        char name[32];
        snprintf(name, sizeof(name), "config-%zu", i);
        it_log(log, sizeof(log), "tls", name);
        remove(log);
        assert_int_equal(sk_proc_start(&p.proc, it_pub_bin, p.envp, log), 0);
        assert_int_equal(sk_proc_wait(&p.proc, 10000), 2);
        FILE *f = fopen(log, "r");
        assert_non_null(f);
        char text[4096] = "";
        size_t n = fread(text, 1, sizeof(text) - 1, f);
        text[n] = '\0';
        fclose(f);
        if (!strstr(text, cases[i].var))
            fail_msg("case %zu: \"%s\" does not name %s", i, text, cases[i].var);
    }
}

int main(int argc, char **argv)
{
    /* This test is about TLS whatever the variant. */
    setenv("SEKLIK_TEST_TLS", "1", 1);
    if (strcmp(sk_test_bus_scheme(), "tls+tcp") != 0 || !(g_dir = sk_test_tls_dir()))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(only_a_certificate_from_the_ca_can_call_or_subscribe),
        cmocka_unit_test(a_server_is_trusted_only_with_the_cas_certificate_for_its_name),
        cmocka_unit_test(gateway_starts_and_answers_over_tls),
        cmocka_unit_test(tls_url_without_certificates_stops_the_service_at_start),
    };
    return it_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
