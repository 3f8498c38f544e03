/* bench_bus - what the bus costs, against PostgreSQL measured in the same run.
 *
 * Starts seklik-testpub and seklik-testsub on the fixture's PostgreSQL, then:
 *  1. RPC round trips/s and p50/p99: TestPub.Echo (no database work), 1 and 8 clients;
 *  2. events/s from commit to subscriber-committed, one event per transaction,
 *     with p50/p99 latency (applied_at - occurred), and in batches of 1000;
 *  3. the reference: pgbench, one single-row INSERT per transaction, 1 client,
 *     on the same server.
 * Each figure is the median of `rounds` runs. Prints the ratios. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "../integration/it_common.h"

static int rounds = 3;
static int rpc_seconds = 3;
static int events_single = 3000;
static int events_batch = 20000;

static double median(double *v, int n)
{
    return it_quantile(v, (size_t)n, 0.5);
}

typedef struct rpc_worker {
    const char *url;
    double *lat_us;
    size_t n, cap;
    uint64_t until_ns;
} rpc_worker;

static void *rpc_loop(void *arg)
{
    rpc_worker *w = arg;
    sk_rpc_client *c = it_client(w->url);
    Seklik__Testbus__EchoMessage msg = SEKLIK__TESTBUS__ECHO_MESSAGE__INIT;
    uint8_t data[64] = {0};
    msg.data.data = data;
    msg.data.len = sizeof(data);
    while (sk_now_mono_ns() < w->until_ns && w->n < w->cap) {
        Seklik__Bus__Response *resp = NULL;
        uint64_t t0 = sk_now_mono_ns();
        if (sk_rpc_call(c, "TestPub.Echo", NULL, NULL, &msg.base, 5000, &resp) != SK_OK)
            break;
        w->lat_us[w->n++] = (double)(sk_now_mono_ns() - t0) / 1000.0;
        seklik__bus__response__free_unpacked(resp, NULL);
    }
    sk_rpc_client_close(c);
    return NULL;
}

/* One round of `clients` callers for rpc_seconds: calls/s, p50, p99 (µs). */
static void rpc_round(const char *url, int clients, double *rate, double *p50, double *p99)
{
    rpc_worker w[16];
    pthread_t t[16];
    uint64_t start = sk_now_mono_ns(), until = start + (uint64_t)rpc_seconds * 1000000000u;
    for (int i = 0; i < clients; i++) {
        w[i] = (rpc_worker){url, malloc(sizeof(double) * 2000000), 0, 2000000, until};
        pthread_create(&t[i], NULL, rpc_loop, &w[i]);
    }
    size_t total = 0;
    for (int i = 0; i < clients; i++) {
        pthread_join(t[i], NULL);
        total += w[i].n;
    }
    double secs = (double)(sk_now_mono_ns() - start) / 1e9;
    double *all = malloc(sizeof(double) * (total ? total : 1));
    size_t k = 0;
    for (int i = 0; i < clients; i++) {
        for (size_t j = 0; j < w[i].n; j++)
            all[k++] = w[i].lat_us[j];
        free(w[i].lat_us);
    }
    *rate = (double)total / secs;
    *p50 = it_quantile(all, total, 0.5);
    *p99 = it_quantile(all, total, 0.99);
    free(all);
}

/* Emit `count` events `per_tx` a transaction, wait until applied; events/s
 * end to end, and latency percentiles from the subscriber's own rows. */
static void events_round(sk_rpc_client *c, const char *dsn, int count, int per_tx, double *rate,
                         double *p50_ms, double *p99_ms)
{
    long long before = sk_test_sql_number(dsn, "SELECT count(*) FROM testsub.applied");
    long long first_id = sk_test_sql_number(dsn, "SELECT coalesce(max(id), 0) FROM testsub.applied");
    uint64_t t0 = sk_now_mono_ns();
    /* One event per command when per_tx is 1: each is its own commit. */
    if (per_tx == 1) {
        for (int i = 0; i < count; i++)
            assert_int_equal(it_emit(c, 1, 1, 10000, NULL), SK_OK);
    } else {
        assert_int_equal(it_emit(c, (uint32_t)count, (uint32_t)per_tx, 120000, NULL), SK_OK);
    }
    long long want = before + count;
    while (sk_test_sql_number(dsn, "SELECT count(*) FROM testsub.applied") < want)
        sk_test_sleep_ms(2);
    *rate = count / ((double)(sk_now_mono_ns() - t0) / 1e9);
    static const char pct_sql[] =
        "SELECT (percentile_cont($1::float8) WITHIN GROUP (ORDER BY "
        "extract(epoch FROM applied_at) * 1e6 - occurred_unix_us))::bigint "
        "FROM testsub.applied WHERE id > $2::bigint";
    char first[32];
    snprintf(first, sizeof(first), "%lld", first_id);
    const char *p50[] = {"0.5", first}, *p99[] = {"0.99", first};
    *p50_ms = (double)sk_test_sql_number_params(dsn, pct_sql, 2, p50) / 1000.0;
    *p99_ms = (double)sk_test_sql_number_params(dsn, pct_sql, 2, p99) / 1000.0;
}

/* pgbench on the same server: single-row INSERT, one per transaction. */
static double pgbench_inserts(const char *dsn, const char *db, int seconds)
{
    assert_int_equal(sk_test_sql_exec(dsn, "CREATE TABLE IF NOT EXISTS bench_ref "
                                           "(id bigserial PRIMARY KEY, v int)"),
                     0);
    return it_pgbench(db, "INSERT INTO bench_ref (v) VALUES (1);\n", seconds, NULL);
}

static void bench(void **state)
{
    (void)state;
    char dsn[512];
    sk_test_peer pub, sub;
    it_start_pair("bench_bus", "bench", dsn, sizeof(dsn), &pub, &sub, NULL);
    sk_rpc_client *c = it_client(pub.rpc);

    double r1[8], a1[8], b1[8], r8[8], a8[8], b8[8], es[8], esp50[8], esp99[8], eb[8],
        ebp50[8], ebp99[8], pg[8];
    for (int i = 0; i < rounds; i++) {
        rpc_round(pub.rpc, 1, &r1[i], &a1[i], &b1[i]);
        rpc_round(pub.rpc, 8, &r8[i], &a8[i], &b8[i]);
        events_round(c, dsn, events_single, 1, &es[i], &esp50[i], &esp99[i]);
        events_round(c, dsn, events_batch, 1000, &eb[i], &ebp50[i], &ebp99[i]);
        pg[i] = pgbench_inserts(dsn, "bench_bus", rpc_seconds);
    }
    double pgm = median(pg, rounds), esm = median(es, rounds);
    printf("\nbench_bus: medians of %d rounds (2 cores, fsync on)\n", rounds);
    printf("  rpc Echo, 1 client        %9.0f calls/s   p50 %7.0f us   p99 %7.0f us\n",
           median(r1, rounds), median(a1, rounds), median(b1, rounds));
    printf("  rpc Echo, 8 clients       %9.0f calls/s   p50 %7.0f us   p99 %7.0f us\n",
           median(r8, rounds), median(a8, rounds), median(b8, rounds));
    printf("  events, 1 per commit      %9.0f events/s  p50 %7.2f ms   p99 %7.2f ms  (commit -> applied)\n",
           esm, median(esp50, rounds), median(esp99, rounds));
    printf("  events, 1000 per commit   %9.0f events/s  p50 %7.2f ms   p99 %7.2f ms\n",
           median(eb, rounds), median(ebp50, rounds), median(ebp99, rounds));
    printf("  reference: pgbench 1-row INSERT, 1 client  %9.0f commits/s\n", pgm);
    printf("  ratio events(1 per commit)/pgbench inserts = %.2f\n", pgm > 0 ? esm / pgm : 0);
    assert_true(pgm > 0);
    assert_true(esm > 0);

    sk_rpc_client_close(c);
    it_stop((sk_test_peer *[]){&sub, &pub, NULL});
}

int main(int argc, char **argv)
{
    const char *quick = getenv("SEKLIK_BENCH_QUICK");
    if (quick && *quick == '1') {
        rounds = 1;
        rpc_seconds = 1;
        events_single = 500;
        events_batch = 5000;
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(bench)};
    return it_main(argc, argv, tests, 1);
}
