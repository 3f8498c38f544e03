/* The subscriber's guarantees under faults: killed in the middle of applying,
 * an apply that fails, and a batch append larger than one chunk. Each test
 * checks what an auditor would: every event applied once, in order, with its
 * own body, and the offset equal to the publisher's last seq. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "it_common.h"

static long long metric_of(const sk_test_peer *p, const char *name)
{
    char url[128], body[65536];
    snprintf(url, sizeof(url), "%s/metrics", p->http);
    if (sk_test_http_get(url, body, sizeof(body)) != 200)
        return -1;
    return sk_test_metric(body, name);
}

/* Rows of `table` whose body does not start with their own seq in ten digits
 * (testpub writes the k-th event of an Emit with k there). */
#define BODY_NOT_SEQ          \
    " WHERE body IS NULL OR " \
    "substring(body FROM 1 FOR 10) <> convert_to(lpad(seq::text, 10, '0'), 'UTF8')"

static long long bodies_not_matching_seq(const char *dsn, const char *table)
{
    /* the table is an identifier: one fixed statement per table */
    if (strcmp(table, "testpub.outbox") == 0)
        return sk_test_sql_number(dsn, "SELECT count(*) FROM testpub.outbox" BODY_NOT_SEQ);
    if (strcmp(table, "testsub.applied") == 0)
        return sk_test_sql_number(dsn, "SELECT count(*) FROM testsub.applied" BODY_NOT_SEQ);
    fail_msg("bodies_not_matching_seq: unknown table %s", table);
    return -1;
}

typedef struct feeder {
    const char *url;
    atomic_bool stop;
    int rc;
} feeder;

/* Small transactions at a steady pace until told to stop. */
static void *feed(void *arg)
{
    feeder *f = arg;
    sk_rpc_client *c = it_client(f->url);
    while (!atomic_load(&f->stop)) {
        f->rc = it_emit(c, 20, 5, 10000, NULL);
        if (f->rc != SK_OK)
            break;
        sk_test_sleep_ms(15);
    }
    sk_rpc_client_close(c);
    return NULL;
}

/* What the subscriber's database session is doing right now: 'a' inside an
 * apply (its transaction open), 'o' writing its offset, '-' anything else. */
static char subscriber_doing(const char *dsn)
{
    static const char sql[] =
        "SELECT coalesce(max(CASE WHEN query LIKE 'UPDATE inbox_offsets%' THEN 2"
        " WHEN query LIKE 'INSERT INTO applied%' THEN 1 END), 0)"
        " FROM pg_stat_activity WHERE datname = current_database()"
        " AND state IN ('active', 'idle in transaction') AND backend_xid IS NOT NULL";
    long long v = sk_test_sql_number(dsn, sql);
    return v == 2 ? 'o' : v == 1 ? 'a' : '-';
}

/* Kills until each window was hit HITS times: at least MIN_KILLS, at most MAX_KILLS. */
#define MIN_KILLS 25
#define MAX_KILLS 80
#define HITS 3
#define AIM_MS 1500

/* After a random pause, watch the subscriber for up to AIM_MS until it is
 * doing `want`, and say what it was doing last. Aiming matters: a subscriber
 * that is catching up spends 300 ms applying a page for each 15 ms writing
 * its offset, so random kills alone can miss the offset window 80 times. */
static char subscriber_aim(const char *dsn, char want, unsigned *seed)
{
    sk_test_sleep_ms(80 + (int)(rand_r(seed) % 320));
    uint64_t until = sk_now_mono_ns() + AIM_MS * 1000000ull;
    char doing;
    do
        doing = subscriber_doing(dsn);
    while (doing != want && sk_now_mono_ns() < until);
    return doing;
}

/* The offset moves in the same transaction as the effects: killed while it
 * applies, or while it writes the offset, the subscriber loses nothing and
 * applies nothing twice. Slow applies and a slow offset write (knobs of
 * testsub) make the kills land inside a batch, not between batches; each
 * kill aims at whichever window was hit less so far. */
static void subscriber_killed_mid_apply_applies_each_event_once(void **state)
{
    (void)state;
    char dsn[512], log[512];
    sk_test_peer pub, sub;
    static const char *const slow[] = {"SEKLIK_TESTSUB_APPLY_DELAY_US", "300",
                                       "SEKLIK_TESTSUB_OFFSET_DELAY_MS", "15", NULL};
    it_start_pair("it_faults_kill", "faults-kill", dsn, sizeof(dsn), &pub, &sub, slow);
    it_log(log, sizeof(log), "faults-kill", "sub");

    feeder f = {.url = pub.rpc};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, feed, &f), 0);

    unsigned seed = (unsigned)time(NULL);
    print_message("kill timing seed %u\n", seed);
    int kills = 0, in_apply = 0, in_offset = 0;
    while (kills < MIN_KILLS || ((in_apply < HITS || in_offset < HITS) && kills < MAX_KILLS)) {
        kills++;
        char doing = subscriber_aim(dsn, in_offset < in_apply ? 'o' : 'a', &seed);
        sk_proc_signal(&sub.proc, SIGKILL);
        assert_int_equal(sk_proc_wait(&sub.proc, 5000), 128 + SIGKILL);
        in_apply += doing == 'a';
        in_offset += doing == 'o';
        assert_int_equal(sk_test_peer_start(&sub, it_sub_bin, log), 0);
    }
    atomic_store(&f.stop, true);
    pthread_join(t, NULL);
    assert_int_equal(f.rc, SK_OK);
    long long last = sk_test_sql_number(dsn, "SELECT last_seq FROM testpub.outbox_head");
    print_message("%d kills: %d inside an apply, %d writing the offset; %lld events\n", kills,
                  in_apply, in_offset, last);
    /* The kills must have hit both windows, or this test proves nothing. */
    assert_true(in_apply >= HITS);
    assert_true(in_offset >= HITS);
    assert_true(last >= 2000);

    assert_int_equal(it_wait_applied(dsn, last, 120000), last);
    it_assert_exactly_once_in_order(dsn, last);
    it_stop((sk_test_peer *[]){&sub, &pub, NULL});
}

/* SIGTERM while frames keep arriving: the subscriber stops cleanly (exit 0,
 * which in the sanitizer tree also means no leak: frames handed over by
 * NNG's threads but not yet taken by the loop are freed), then resumes
 * where it stopped. */
static void subscriber_stopped_while_frames_flow_exits_cleanly(void **state)
{
    (void)state;
    char dsn[512], log[512];
    sk_test_peer pub, sub;
    it_start_pair("it_faults_stop", "faults-stop", dsn, sizeof(dsn), &pub, &sub, NULL);
    it_log(log, sizeof(log), "faults-stop", "sub");
    feeder f = {.url = pub.rpc};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, feed, &f), 0);
    for (int i = 0; i < 5; i++) {
        sk_test_sleep_ms(300);
        it_stop((sk_test_peer *[]){&sub, NULL});
        assert_int_equal(sk_test_peer_start(&sub, it_sub_bin, log), 0);
    }
    atomic_store(&f.stop, true);
    pthread_join(t, NULL);
    assert_int_equal(f.rc, SK_OK);
    long long last = sk_test_sql_number(dsn, "SELECT last_seq FROM testpub.outbox_head");
    assert_int_equal(it_wait_applied(dsn, last, 60000), last);
    it_assert_exactly_once_in_order(dsn, last);
    it_stop((sk_test_peer *[]){&sub, &pub, NULL});
}

#define FAIL_SEQ 50
#define FAIL_TIMES 3
#define STR_(x) #x
#define STR(x) STR_(x)

/* An apply that fails is retried until it succeeds, and nothing after it is
 * applied first: the batch rolls back and the next tick replays it. */
static void failed_apply_is_retried_and_blocks_what_follows(void **state)
{
    (void)state;
    char dsn[512];
    sk_test_peer pub, sub;
    static const char *const failing[] = {"SEKLIK_TESTSUB_FAIL_SEQ", STR(FAIL_SEQ),
                                          "SEKLIK_TESTSUB_FAIL_TIMES", STR(FAIL_TIMES), NULL};
    it_start_pair("it_faults_retry", "faults-retry", dsn, sizeof(dsn), &pub, &sub, failing);
    sk_rpc_client *c = it_client(pub.rpc);
    uint64_t last = 0;
    assert_int_equal(it_emit(c, 100, 10, 10000, &last), SK_OK);
    assert_int_equal(last, 100);

    /* Rows from FAIL_SEQ on may exist only once its apply failed FAIL_TIMES
     * times (the count is read first, so the order of the reads is safe). */
    uint64_t until = sk_now_mono_ns() + 30000000000ull;
    long long later = 0, errors = 0;
    while (sk_now_mono_ns() < until) {
        later = sk_test_sql_number(dsn, "SELECT count(*) FROM testsub.applied WHERE seq >= " STR(FAIL_SEQ));
        errors = metric_of(&sub, "seklik_event_apply_errors_total");
        if (later > 0)
            assert_true(errors >= FAIL_TIMES);
        if (later == 100 - FAIL_SEQ + 1)
            break;
        sk_test_sleep_ms(20);
    }
    assert_int_equal(it_wait_applied(dsn, 100, 10000), 100);
    it_assert_exactly_once_in_order(dsn, 100);
    /* Retried, and once it succeeded never failed again. */
    assert_int_equal(metric_of(&sub, "seklik_event_apply_errors_total"), FAIL_TIMES);

    sk_rpc_client_close(c);
    it_stop((sk_test_peer *[]){&sub, &pub, NULL});
}

/* sk_outbox_append_batch splits a batch into chunks of 1,000 statements'
 * worth: 2,500 events in one call land as seq 1..2500, gapless, each event
 * at its own seq (its body says which it is), and are applied once each. */
static void batch_of_2500_in_one_append_keeps_seq_and_bodies(void **state)
{
    (void)state;
    char dsn[512];
    sk_test_peer pub, sub;
    it_start_pair("it_faults_batch", "faults-batch", dsn, sizeof(dsn), &pub, &sub, NULL);
    sk_rpc_client *c = it_client(pub.rpc);
    uint64_t last = 0;
    assert_int_equal(it_emit_batched(c, 2500, 0, 60000, &last), SK_OK);
    assert_int_equal(last, 2500);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM testpub.outbox"), 2500);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT max(seq) FROM testpub.outbox"), 2500);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT last_seq FROM testpub.outbox_head"), 2500);
    assert_int_equal(bodies_not_matching_seq(dsn, "testpub.outbox"), 0);

    assert_int_equal(it_wait_applied(dsn, 2500, 60000), 2500);
    it_assert_exactly_once_in_order(dsn, 2500);
    assert_int_equal(bodies_not_matching_seq(dsn, "testsub.applied"), 0);
    sk_rpc_client_close(c);
    it_stop((sk_test_peer *[]){&sub, &pub, NULL});
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(batch_of_2500_in_one_append_keeps_seq_and_bodies),
        cmocka_unit_test(failed_apply_is_retried_and_blocks_what_follows),
        cmocka_unit_test(subscriber_killed_mid_apply_applies_each_event_once),
        cmocka_unit_test(subscriber_stopped_while_frames_flow_exits_cleanly),
    };
    return it_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
