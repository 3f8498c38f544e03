/* bench_scoring - re-scoring a fiscal year and the ceiling hot path, with
 * references measured on the same servers in the same run.
 *
 * Seeding (not measured): N outlets of N verified companies are written
 * straight into scoring.outlet_input, company_input, company_proof and
 * outlet_standing with SQL, as the registry and verification events would
 * leave them, and the year is opened (a testpub stands in for verification)
 * and its drafted rule set and price standard published. Measured:
 * PublishRuleSet re-scoring all N in one transaction (goal < 1 s for
 * 10,000; each outlet is new, so each gets a score row and an event), and
 * GetCeiling p50/p99 over many cached calls (goal p99 < 1 ms). References:
 * a plain hiredis GET loop on the same Redis, and pgbench running a
 * primary-key SELECT on the same PostgreSQL. argv[4] = seklik-scoring. */
#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "../integration/it_common.h"
#include "seklik/scoring.pb-c.h"
#include "seklik/verification.pb-c.h"

#define YEAR 2027

static int n_outlets = 10000;
static int ceiling_calls = 5000;
static char dsn[512];

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static Seklik__Bus__Actor admin(void)
{
    return it_actor("bench-admin", "admin", NULL);
}

static void *rpc(sk_rpc_client *c, const char *method, bool command, const ProtobufCMessage *in,
                 const ProtobufCMessageDescriptor *out)
{
    char key[SK_UUID_STRLEN], why[256];
    sk_uuid7(key);
    Seklik__Bus__Actor a = admin();
    ProtobufCMessage *m = NULL;
    int rc = sk_rpc_call_decode(c, method, &a, command ? key : NULL, in, out, 120000, &m, why,
                                sizeof(why));
    if (rc != SK_OK)
        fprintf(stderr, "%s: %s\n", method, why);
    assert_int_equal(rc, SK_OK);
    return m;
}

/* The scoring service's own RPC latency histogram (server side: request in
 * to reply out, no transport), cumulative counts per bucket bound. */
static const char *const bucket_bounds[] = {"0.0001", "0.00025", "0.0005", "0.001", "0.0025",
                                            "0.005",  "0.01",    "0.025",  "0.05",  "0.1",
                                            "1",      "+Inf"};
#define N_BUCKETS (sizeof(bucket_bounds) / sizeof(bucket_bounds[0]))

static void server_histogram(const char *http, long long counts[N_BUCKETS])
{
    char url[128], body[65536];
    snprintf(url, sizeof(url), "%s/metrics", http);
    assert_int_equal(sk_test_http_get(url, body, sizeof(body)), 200);
    for (size_t i = 0; i < N_BUCKETS; i++) {
        char needle[96];
        snprintf(needle, sizeof(needle), "le=\"%s\"} ", bucket_bounds[i]);
        const char *at = strstr(body, needle);
        assert_non_null(at);
        counts[i] = strtoll(at + strlen(needle), NULL, 10);
    }
}

/* The smallest bucket bound (ms) holding `q` of the calls between two snapshots. */
static const char *server_quantile(const long long a[N_BUCKETS], const long long b[N_BUCKETS],
                                   double q, double *share_under_1ms)
{
    long long total = b[N_BUCKETS - 1] - a[N_BUCKETS - 1];
    *share_under_1ms = total ? (double)(b[3] - a[3]) / (double)total : 0;
    for (size_t i = 0; i < N_BUCKETS; i++)
        if (total && (double)(b[i] - a[i]) >= q * (double)total)
            return bucket_bounds[i];
    return "+Inf";
}

static void percentiles(double *v, int n, double *p50, double *p99)
{
    *p50 = it_quantile(v, (size_t)n, 0.5);
    *p99 = it_quantile(v, (size_t)n, 0.99);
}

/* Raw GET round trips on the same Redis: p50/p99 in ms. */
static void redis_get(double *p50, double *p99)
{
    redisContext *r = sk_test_redis_connect(0);
    assert_non_null(r);
    /* seklik:*: the only keys the fixture's user may touch */
    freeReplyObject(redisCommand(r, "SET seklik:bench:ref %b", "0123456789abcdef0123456789", (size_t)26));
    double *lat = calloc((size_t)ceiling_calls, sizeof(double));
    for (int i = 0; i < ceiling_calls; i++) {
        double t = now_ms();
        redisReply *rep = redisCommand(r, "GET seklik:bench:ref");
        lat[i] = now_ms() - t;
        assert_non_null(rep);
        freeReplyObject(rep);
    }
    percentiles(lat, ceiling_calls, p50, p99);
    free(lat);
    redisFree(r);
}

static void bench(void **state)
{
    (void)state;
    char log[512], sql[1024];
    assert_non_null(sk_test_create_db("bench_scoring", dsn, sizeof(dsn)));
    const char *redis_url = sk_test_env("SEKLIK_TEST_REDIS_URL");
    char ver_dsn[512];
    assert_non_null(sk_test_create_db("bench_scoring_verification", ver_dsn, sizeof(ver_dsn)));
    sk_test_peer ver;
    sk_test_peer_init(&ver, "testpub", ver_dsn, redis_url);
    assert_int_equal(sk_test_peer_start(&ver, it_pub_bin, it_log(log, sizeof(log), "bench", "verification")), 0);
    sk_test_peer svc;
    sk_test_peer_init(&svc, "scoring", dsn, redis_url);
    sk_test_peer_setenv(&svc, "SEKLIK_VERIFICATION_RPC", ver.rpc);
    sk_test_peer_setenv(&svc, "SEKLIK_VERIFICATION_EVENTS", ver.events);
    assert_int_equal(sk_test_peer_start(&svc, it_arg(4), it_log(log, sizeof(log), "bench", "scoring")), 0);
    sk_rpc_client *c = it_client(svc.rpc);

    /* seeding, not measuring: outlets, their companies' people and deeds,
     * what verification accepted (deed, Dewan Pers certificate, the chief
     * editor's UKW certificate), and each outlet verified */
    char n_text[16], year_text[16];
    snprintf(n_text, sizeof(n_text), "%d", n_outlets);
    snprintf(year_text, sizeof(year_text), "%d", YEAR);
    const char *n_only[] = {n_text};
    const char *n_year[] = {n_text, year_text};
    assert_int_equal(
        sk_test_sql_exec_params(
            dsn,
            "INSERT INTO scoring.outlet_input (outlet_id, company_id, outlet_name, outlet_type,"
            " reach_value) SELECT md5('o' || i)::uuid, md5('c' || i)::uuid, 'Media ' || i,"
            " 1 + i % 4, (i * 997) % 3000000 FROM generate_series(1, $1::int) i",
            1, n_only),
        0);
    assert_int_equal(
        sk_test_sql_exec_params(
            dsn,
            "INSERT INTO scoring.company_input (company_id, deed_date, dewan_pers_declared, people)"
            " SELECT md5('c' || i)::uuid, date '2010-01-01' + i % 6000, i % 3,"
            " jsonb_build_array(jsonb_build_object('id', md5('p' || i), 'chief', true,"
            " 'level', i % 4))"
            " FROM generate_series(1, $1::int) i",
            1, n_only),
        0);
    assert_int_equal(
        sk_test_sql_exec_params(
            dsn,
            "INSERT INTO scoring.company_proof (company_id, fiscal_year, documents)"
            " SELECT md5('c' || i)::uuid, $2::int, jsonb_build_array("
            " jsonb_build_object('type', 1, 'proof', 'accepted'),"
            " jsonb_build_object('type', 6, 'proof', 'accepted', 'level', i % 3),"
            " jsonb_build_object('type', 7, 'person_id', md5('p' || i), 'proof', 'accepted'))"
            " FROM generate_series(1, $1::int) i",
            2, n_year),
        0);
    assert_int_equal(
        sk_test_sql_exec_params(
            dsn,
            "INSERT INTO scoring.outlet_standing (outlet_id, company_id, fiscal_year, verified)"
            " SELECT md5('o' || i)::uuid, md5('c' || i)::uuid, $2::int, true"
            " FROM generate_series(1, $1::int) i",
            2, n_year),
        0);
    assert_int_equal(sk_test_sql_exec(dsn, "ANALYZE"), 0);

    /* the year opened: its price standard published as drafted, its rule
     * set edited (tier A from 75) and published: the measured re-scoring */
    Seklik__Verification__FiscalYear fy = SEKLIK__VERIFICATION__FISCAL_YEAR__INIT;
    fy.fiscal_year = YEAR;
    fy.registration_opens_on = "2000-01-01";
    fy.registration_closes_on = "2027-12-31";
    Seklik__Verification__YearOpened opened = SEKLIK__VERIFICATION__YEAR_OPENED__INIT;
    opened.year = &fy;
    it_inject(ver_dsn, "verification.year.opened", &opened.base);
    for (int i = 0; i < 600 && sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.price_standard") == 0; i++)
        sk_test_sleep_ms(50);
    Seklik__Scoring__PublishRequest first = SEKLIK__SCORING__PUBLISH_REQUEST__INIT;
    first.fiscal_year = YEAR;
    protobuf_c_message_free_unpacked(rpc(c, "Scoring.PublishPriceStandard", true, &first.base,
                                         &seklik__scoring__price_standard__descriptor),
                                     NULL);
    Seklik__Scoring__GetVersionRequest get = SEKLIK__SCORING__GET_VERSION_REQUEST__INIT;
    get.fiscal_year = YEAR;
    get.version = -1; /* the draft */
    Seklik__Scoring__RuleSet *rs =
        rpc(c, "Scoring.GetRuleSet", false, &get.base, &seklik__scoring__rule_set__descriptor);
    rs->tiers->a = 75;
    Seklik__Scoring__RuleSet *draft = rpc(c, "Scoring.SaveRuleSetDraft", true, &rs->base,
                                          &seklik__scoring__rule_set__descriptor);
    protobuf_c_message_free_unpacked(&draft->base, NULL);
    protobuf_c_message_free_unpacked(&rs->base, NULL);
    Seklik__Scoring__PublishRequest pub = SEKLIK__SCORING__PUBLISH_REQUEST__INIT;
    pub.fiscal_year = YEAR;
    double t0 = now_ms();
    Seklik__Scoring__RuleSet *published = rpc(c, "Scoring.PublishRuleSet", true, &pub.base,
                                              &seklik__scoring__rule_set__descriptor);
    double publish_ms = now_ms() - t0;
    protobuf_c_message_free_unpacked(&published->base, NULL);
    long long scored = sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.outlet_score");
    long long events = sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.outbox");
    assert_int_equal(scored, n_outlets);

    /* the hot path: one outlet with a paid tier, cached after the first call */
    char outlet[64];
    PGconn *pg = PQconnectdb(dsn);
    PGresult *r = PQexec(pg, "SELECT outlet_id FROM scoring.outlet_score o JOIN"
                             " scoring.outlet_input i USING (outlet_id)"
                             " WHERE tier > 0 AND i.outlet_type = 2 LIMIT 1");
    assert_int_equal(PQntuples(r), 1);
    snprintf(outlet, sizeof(outlet), "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    PQfinish(pg);
    Seklik__Scoring__GetCeilingRequest req = SEKLIK__SCORING__GET_CEILING_REQUEST__INIT;
    req.outlet_id = outlet;
    req.product = SEKLIK__SCORING__PRODUCT__PRODUCT_ONLINE_ADVERTORIAL;
    req.fiscal_year = YEAR;
    double *lat = calloc((size_t)ceiling_calls, sizeof(double));
    long long before[N_BUCKETS], after[N_BUCKETS];
    /* Publishing fenced the year's ceilings for 2 s: until then reads are
     * not stored (sk_cache_invalidate_prefix). */
    sk_test_sleep_ms(2100);
    for (int i = -100; i < ceiling_calls; i++) { /* 100 warm-up calls */
        if (i == 0)
            server_histogram(svc.http, before);
        double t = now_ms();
        Seklik__Scoring__Ceiling *ce =
            rpc(c, "Scoring.GetCeiling", false, &req.base, &seklik__scoring__ceiling__descriptor);
        if (i >= 0)
            lat[i] = now_ms() - t;
        protobuf_c_message_free_unpacked(&ce->base, NULL);
    }
    server_histogram(svc.http, after);
    double c50, c99, g50, g99, under_1ms = 0;
    const char *server_p99 = server_quantile(before, after, 0.99, &under_1ms);
    percentiles(lat, ceiling_calls, &c50, &c99);
    free(lat);
    redis_get(&g50, &g99);
    snprintf(sql, sizeof(sql),
             "SELECT tier FROM scoring.outlet_score WHERE outlet_id = '%s' AND fiscal_year = %d;\n",
             outlet, YEAR);
    double pg_ms = 0;
    it_pgbench("bench_scoring", sql, 3, &pg_ms);

    printf("bench_scoring: %d verified outlets\n", n_outlets);
    printf("  PublishRuleSet re-scoring all of them: %.0f ms (%lld scores, %lld events; goal < 1000 ms)\n",
           publish_ms, scored, events);
    printf("  GetCeiling cached, %d calls: p50 %.3f ms, p99 %.3f ms (goal p99 < 1 ms)\n",
           ceiling_calls, c50, c99);
    printf("  GetCeiling inside the service (request in to reply out, Redis hit): p99 <= %s s, "
           "%.1f%% of calls <= 1 ms\n", server_p99, under_1ms * 100);
    printf("  reference: hiredis GET round trip p50 %.3f ms, p99 %.3f ms\n", g50, g99);
    printf("  reference: pgbench primary-key SELECT, 1 client: average %.3f ms\n", pg_ms);
    printf("  ratio GetCeiling p50 / Redis GET p50 = %.1f; / pgbench SELECT = %.2f\n",
           g50 > 0 ? c50 / g50 : 0, pg_ms > 0 ? c50 / pg_ms : 0);

    sk_rpc_client_close(c);
    sk_proc_signal(&svc.proc, SIGTERM);
    assert_int_equal(sk_proc_wait(&svc.proc, 30000), 0);
    sk_proc_signal(&ver.proc, SIGTERM);
    assert_int_equal(sk_proc_wait(&ver.proc, 30000), 0);
}

int main(int argc, char **argv)
{
    const char *quick = getenv("SEKLIK_BENCH_QUICK");
    if (quick && *quick && strcmp(quick, "0") != 0) {
        n_outlets = 1000;
        ceiling_calls = 1000;
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(bench)};
    return it_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
