/* test_errors_metrics.c - SK_* <-> seklik.bus.Code, and the /metrics text.
 *
 * Metrics are checked the way Prometheus reads them: one sample line at a
 * time, by its name and labels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seklik/bus.pb-c.h"
#include "sk_err.h"
#include "sk_metrics.h"

/* ---- error codes ---- */

/* Every SK_* code and the bus code it must travel as (bus.proto's comments in sk_err.h). */
static const struct {
    int sk, bus;
} code_map[] = {
    {SK_OK, SEKLIK__BUS__CODE__OK},
    {SK_EINVAL, SEKLIK__BUS__CODE__INVALID_ARGUMENT},
    {SK_ENOTFOUND, SEKLIK__BUS__CODE__NOT_FOUND},
    {SK_EEXISTS, SEKLIK__BUS__CODE__ALREADY_EXISTS},
    {SK_EPRECOND, SEKLIK__BUS__CODE__FAILED_PRECONDITION},
    {SK_EPERM, SEKLIK__BUS__CODE__PERMISSION_DENIED},
    {SK_EAUTH, SEKLIK__BUS__CODE__UNAUTHENTICATED},
    {SK_EUNAVAIL, SEKLIK__BUS__CODE__UNAVAILABLE},
    {SK_ETIMEDOUT, SEKLIK__BUS__CODE__DEADLINE_EXCEEDED},
    {SK_EDB, SEKLIK__BUS__CODE__INTERNAL},
    {SK_ENOMEM, SEKLIK__BUS__CODE__INTERNAL},
    {SK_EINTERNAL, SEKLIK__BUS__CODE__INTERNAL},
    {SK_ECONFIG, SEKLIK__BUS__CODE__INTERNAL},
    {SK_EUNIMPL, SEKLIK__BUS__CODE__UNIMPLEMENTED},
    {SK_EEXHAUSTED, SEKLIK__BUS__CODE__RESOURCE_EXHAUSTED},
};
#define N_CODES (sizeof(code_map) / sizeof(code_map[0]))

/* The gateway's one mapping: clients retry 429/503/504, fix 400s, re-login on 401. */
static void every_sk_code_has_an_http_status_and_proto_name(void **state)
{
    (void)state;
    static const struct {
        int sk, http;
        const char *name;
    } want[] = {
        {SK_OK, 200, "OK"},
        {SK_EINVAL, 400, "INVALID_ARGUMENT"},
        {SK_ENOTFOUND, 404, "NOT_FOUND"},
        {SK_EEXISTS, 409, "ALREADY_EXISTS"},
        {SK_EPRECOND, 400, "FAILED_PRECONDITION"},
        {SK_EPERM, 403, "PERMISSION_DENIED"},
        {SK_EAUTH, 401, "UNAUTHENTICATED"},
        {SK_EUNAVAIL, 503, "UNAVAILABLE"},
        {SK_ETIMEDOUT, 504, "DEADLINE_EXCEEDED"},
        {SK_EDB, 500, "INTERNAL"},
        {SK_ENOMEM, 500, "INTERNAL"},
        {SK_EINTERNAL, 500, "INTERNAL"},
        {SK_ECONFIG, 500, "INTERNAL"},
        {SK_EUNIMPL, 501, "UNIMPLEMENTED"},
        {SK_EEXHAUSTED, 429, "RESOURCE_EXHAUSTED"},
    };
    assert_int_equal(sizeof(want) / sizeof(want[0]), N_CODES);
    for (size_t i = 0; i < N_CODES; i++) {
        assert_int_equal(sk_err_http_status(want[i].sk), want[i].http);
        assert_string_equal(sk_err_code_name(want[i].sk), want[i].name);
    }
    assert_int_equal(sk_err_http_status(999), 500);
}

static void every_sk_code_maps_to_its_bus_code(void **state)
{
    (void)state;
    assert_int_equal(N_CODES, SK_EEXHAUSTED + 1); /* a new SK_* code needs a row here */
    for (size_t i = 0; i < N_CODES; i++)
        if (sk_err_to_bus_code(code_map[i].sk) != code_map[i].bus)
            fail_msg("%s: bus code %d, want %d", sk_strerror(code_map[i].sk),
                     sk_err_to_bus_code(code_map[i].sk), code_map[i].bus);
}

static void every_sk_code_round_trips_or_becomes_internal(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_CODES; i++) {
        int sk = code_map[i].sk;
        int back = sk_err_from_bus_code(sk_err_to_bus_code(sk));
        /* Four codes share INTERNAL on the wire and come back as SK_EINTERNAL. */
        int want = code_map[i].bus == SEKLIK__BUS__CODE__INTERNAL ? SK_EINTERNAL : sk;
        if (back != want)
            fail_msg("%s came back as %s", sk_strerror(sk), sk_strerror(back));
    }
}

static void every_bus_code_round_trips(void **state)
{
    (void)state;
    const ProtobufCEnumDescriptor *d = &seklik__bus__code__descriptor;
    assert_int_equal(d->n_values, 12);
    for (unsigned i = 0; i < d->n_values; i++) {
        int bus = d->values[i].value;
        if (sk_err_to_bus_code(sk_err_from_bus_code(bus)) != bus)
            fail_msg("bus code %s did not round trip", d->values[i].name);
    }
}

static void unknown_codes_become_internal(void **state)
{
    (void)state;
    assert_int_equal(sk_err_to_bus_code(-1), SEKLIK__BUS__CODE__INTERNAL);
    assert_int_equal(sk_err_to_bus_code(999), SEKLIK__BUS__CODE__INTERNAL);
    assert_int_equal(sk_err_from_bus_code(-1), SK_EINTERNAL);
    assert_int_equal(sk_err_from_bus_code(12), SK_EINTERNAL);
    assert_string_equal(sk_strerror(999), "unknown error");
}

static void every_sk_code_has_its_own_name(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_CODES; i++) {
        const char *a = sk_strerror(code_map[i].sk);
        assert_string_not_equal(a, "unknown error");
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(a, sk_strerror(code_map[j].sk));
    }
}

/* ---- metrics ---- */

static sk_metrics *new_metrics(void)
{
    sk_metrics *m = calloc(1, sizeof(*m));
    assert_non_null(m);
    return m;
}

/* The value of the sample line that starts with `series` followed by a space;
 * fails the test when there is not exactly one. */
static double sample(const char *text, const char *series)
{
    size_t n = strlen(series);
    const char *found = NULL;
    for (const char *line = text; *line;) {
        const char *eol = strchr(line, '\n');
        if (!eol)
            eol = line + strlen(line);
        if ((size_t)(eol - line) > n && strncmp(line, series, n) == 0 && line[n] == ' ') {
            if (found)
                fail_msg("%s appears twice", series);
            found = line + n + 1;
        }
        line = *eol ? eol + 1 : eol;
    }
    if (!found)
        fail_msg("no sample %s in:\n%s", series, text);
    char *end;
    double v = strtod(found, &end);
    if (end == found || (*end != '\n' && *end != '\0'))
        fail_msg("sample %s has no number", series);
    return v;
}

static char *render(const sk_metrics *m)
{
    char *text = sk_metrics_render(m, "registry");
    assert_non_null(text);
    return text;
}

static void requests_are_counted_by_code(void **state)
{
    (void)state;
    sk_metrics *m = new_metrics();
    sk_metrics_observe_rpc(m, SEKLIK__BUS__CODE__OK, 10);
    sk_metrics_observe_rpc(m, SEKLIK__BUS__CODE__OK, 10);
    sk_metrics_observe_rpc(m, SEKLIK__BUS__CODE__OK, 10);
    sk_metrics_observe_rpc(m, SEKLIK__BUS__CODE__NOT_FOUND, 10);
    sk_metrics_observe_rpc(m, SEKLIK__BUS__CODE__PERMISSION_DENIED, 10);
    sk_metrics_observe_rpc(m, SEKLIK__BUS__CODE__PERMISSION_DENIED, 10);
    sk_metrics_observe_rpc(m, SEKLIK__BUS__CODE__UNIMPLEMENTED, 10);
    char *t = render(m);
    assert_int_equal(sample(t, "seklik_rpc_requests_total{service=\"registry\",code=\"OK\"}"), 3);
    assert_int_equal(
        sample(t, "seklik_rpc_requests_total{service=\"registry\",code=\"NOT_FOUND\"}"), 1);
    assert_int_equal(
        sample(t, "seklik_rpc_requests_total{service=\"registry\",code=\"PERMISSION_DENIED\"}"), 2);
    assert_int_equal(
        sample(t, "seklik_rpc_requests_total{service=\"registry\",code=\"UNIMPLEMENTED\"}"), 1);
    assert_int_equal(sample(t, "seklik_rpc_requests_total{service=\"registry\",code=\"INTERNAL\"}"),
                     0);
    assert_int_equal(sample(t, "seklik_rpc_errors_total{service=\"registry\"}"), 4);
    free(t);
    free(m);
}

static void every_code_is_labelled_with_its_proto_name(void **state)
{
    /* The label for bus code N is bus.proto's name for N: count N+1 requests
     * with code N, then look each up by the descriptor's name. */
    (void)state;
    sk_metrics *m = new_metrics();
    const ProtobufCEnumDescriptor *d = &seklik__bus__code__descriptor;
    for (unsigned i = 0; i < d->n_values; i++)
        for (int k = 0; k <= d->values[i].value; k++)
            sk_metrics_observe_rpc(m, d->values[i].value, 1);
    char *t = render(m);
    for (unsigned i = 0; i < d->n_values; i++) {
        char series[160];
        snprintf(series, sizeof(series),
                 "seklik_rpc_requests_total{service=\"registry\",code=\"%s\"}", d->values[i].name);
        assert_int_equal(sample(t, series), d->values[i].value + 1);
    }
    free(t);
    free(m);
}

static void out_of_range_code_counts_as_internal(void **state)
{
    (void)state;
    sk_metrics *m = new_metrics();
    sk_metrics_observe_rpc(m, 99, 10);
    sk_metrics_observe_rpc(m, -1, 10);
    char *t = render(m);
    assert_int_equal(sample(t, "seklik_rpc_requests_total{service=\"registry\",code=\"INTERNAL\"}"),
                     2);
    free(t);
    free(m);
}

#define BUCKET(le) "seklik_rpc_latency_seconds_bucket{service=\"registry\",le=\"" le "\"}"

static void histogram_is_cumulative_and_counts_every_observation(void **state)
{
    (void)state;
    sk_metrics *m = new_metrics();
    /* 50 and 100 us fall in le=0.0001 (bounds are inclusive), 101 in 0.00025,
     * 1 s in le=1, 2 s only in +Inf. */
    const uint64_t us[] = {50, 100, 101, 1000000, 2000000};
    for (size_t i = 0; i < sizeof(us) / sizeof(us[0]); i++)
        sk_metrics_observe_rpc(m, SEKLIK__BUS__CODE__OK, us[i]);
    char *t = render(m);

    assert_int_equal(sample(t, BUCKET("0.0001")), 2);
    assert_int_equal(sample(t, BUCKET("0.00025")), 3);
    assert_int_equal(sample(t, BUCKET("0.0005")), 3);
    assert_int_equal(sample(t, BUCKET("0.001")), 3);
    assert_int_equal(sample(t, BUCKET("0.1")), 3);
    assert_int_equal(sample(t, BUCKET("1")), 4);
    assert_int_equal(sample(t, BUCKET("+Inf")), 5);
    assert_int_equal(sample(t, "seklik_rpc_latency_seconds_count{service=\"registry\"}"), 5);
    /* 50 + 100 + 101 + 1000000 + 2000000 us */
    double sum = sample(t, "seklik_rpc_latency_seconds_sum{service=\"registry\"}");
    assert_true(sum > 3.000250 && sum < 3.000252);

    /* Non-decreasing over the buckets in the order they are written. */
    double prev = -1;
    int buckets = 0;
    for (const char *p = strstr(t, "seklik_rpc_latency_seconds_bucket"); p;
         p = strstr(p + 1, "seklik_rpc_latency_seconds_bucket")) {
        double v = strtod(strchr(p, ' ') + 1, NULL);
        assert_true(v >= prev);
        prev = v;
        buckets++;
    }
    assert_int_equal(buckets, SK_METRICS_BUCKETS);
    free(t);
    free(m);
}

static void histogram_count_matches_requests(void **state)
{
    (void)state;
    sk_metrics *m = new_metrics();
    for (int i = 0; i < 37; i++)
        sk_metrics_observe_rpc(m, i % 3 ? SEKLIK__BUS__CODE__OK : SEKLIK__BUS__CODE__INTERNAL,
                               (uint64_t)i * 7919);
    char *t = render(m);
    assert_int_equal(sample(t, "seklik_rpc_latency_seconds_count{service=\"registry\"}"), 37);
    assert_int_equal(sample(t, BUCKET("+Inf")), 37);
    assert_int_equal(
        sample(t, "seklik_rpc_requests_total{service=\"registry\",code=\"OK\"}") +
            sample(t, "seklik_rpc_requests_total{service=\"registry\",code=\"INTERNAL\"}"),
        37);
    free(t);
    free(m);
}

static void outbox_lag_is_last_minus_published(void **state)
{
    (void)state;
    sk_metrics *m = new_metrics();
    atomic_store(&m->outbox_last_seq, 120);
    atomic_store(&m->outbox_published_seq, 97);
    char *t = render(m);
    assert_int_equal(sample(t, "seklik_outbox_last_seq{service=\"registry\"}"), 120);
    assert_int_equal(sample(t, "seklik_outbox_published_seq{service=\"registry\"}"), 97);
    assert_int_equal(sample(t, "seklik_outbox_lag{service=\"registry\"}"), 23);
    free(t);

    /* The relay may briefly be ahead of a stale last_seq: lag is 0, never a wrap. */
    atomic_store(&m->outbox_published_seq, 125);
    t = render(m);
    assert_int_equal(sample(t, "seklik_outbox_lag{service=\"registry\"}"), 0);
    free(t);
    free(m);
}

static void cache_counters_only_with_a_cache(void **state)
{
    (void)state;
    sk_metrics *m = new_metrics();
    char *t = render(m);
    assert_null(strstr(t, "seklik_cache_hits_total"));
    free(t);
    free(m);
}

#define HTTP(code)      "seklik_http_requests_total{service=\"gateway\",code=\"" code "\"}"
#define HTTP_BUCKET(le) "seklik_http_latency_seconds_bucket{service=\"gateway\",le=\"" le "\"}"

static void http_responses_are_counted_by_class_with_their_latency(void **state)
{
    (void)state;
    sk_metrics *m = new_metrics();
    atomic_store(&m->http_enabled, true);
    static const struct {
        unsigned status;
        uint64_t us;
    } seen[] = {{200, 80},
                {204, 300},
                {299, 300},
                {304, 90},
                {400, 1000},
                {404, 1000},
                {429, 2000},
                {431, 50},
                {500, 2000000},
                {503, 30000},
                {599, 1},
                /* not statuses a response has: not counted at all */
                {0, 5},
                {101, 5},
                {199, 5},
                {600, 5},
                {1000, 5}};
    for (size_t i = 0; i < sizeof(seen) / sizeof(seen[0]); i++)
        sk_metrics_observe_http(m, seen[i].status, seen[i].us);
    char *t = sk_metrics_render(m, "gateway");
    assert_non_null(t);
    assert_int_equal(sample(t, HTTP("2xx")), 3);
    assert_int_equal(sample(t, HTTP("3xx")), 1);
    assert_int_equal(sample(t, HTTP("4xx")), 4);
    assert_int_equal(sample(t, HTTP("5xx")), 3);
    assert_non_null(strstr(t, "# TYPE seklik_http_requests_total counter\n"));
    assert_non_null(strstr(t, "# TYPE seklik_http_latency_seconds histogram\n"));
    assert_int_equal(sample(t, HTTP_BUCKET("0.0001")), 4); /* 80, 90, 50, 1 us */
    assert_int_equal(sample(t, HTTP_BUCKET("0.0005")), 6);
    assert_int_equal(sample(t, HTTP_BUCKET("0.001")), 8);
    assert_int_equal(sample(t, HTTP_BUCKET("0.0025")), 9);
    assert_int_equal(sample(t, HTTP_BUCKET("0.05")), 10);
    assert_int_equal(sample(t, HTTP_BUCKET("1")), 10);
    assert_int_equal(sample(t, HTTP_BUCKET("+Inf")), 11); /* 2 s */
    assert_int_equal(sample(t, "seklik_http_latency_seconds_count{service=\"gateway\"}"), 11);
    double sum = sample(t, "seklik_http_latency_seconds_sum{service=\"gateway\"}");
    assert_true(sum > 2.034820 && sum < 2.034822); /* 2034821 us */
    /* The RPC histogram is its own. */
    assert_int_equal(sample(t, "seklik_rpc_latency_seconds_count{service=\"gateway\"}"), 0);
    free(t);
    free(m);
}

static void http_metrics_only_where_http_is_served(void **state)
{
    (void)state;
    sk_metrics *m = new_metrics();
    sk_metrics_observe_http(m, 200, 10);
    char *t = render(m);
    assert_null(strstr(t, "seklik_http_"));
    free(t);
    atomic_store(&m->http_enabled, true);
    t = render(m);
    assert_int_equal(sample(t, "seklik_http_requests_total{service=\"registry\",code=\"2xx\"}"), 1);
    free(t);
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_sk_code_maps_to_its_bus_code),
        cmocka_unit_test(every_sk_code_has_an_http_status_and_proto_name),
        cmocka_unit_test(every_sk_code_round_trips_or_becomes_internal),
        cmocka_unit_test(every_bus_code_round_trips),
        cmocka_unit_test(unknown_codes_become_internal),
        cmocka_unit_test(every_sk_code_has_its_own_name),
        cmocka_unit_test(requests_are_counted_by_code),
        cmocka_unit_test(every_code_is_labelled_with_its_proto_name),
        cmocka_unit_test(out_of_range_code_counts_as_internal),
        cmocka_unit_test(histogram_is_cumulative_and_counts_every_observation),
        cmocka_unit_test(histogram_count_matches_requests),
        cmocka_unit_test(outbox_lag_is_last_minus_published),
        cmocka_unit_test(cache_counters_only_with_a_cache),
        cmocka_unit_test(http_responses_are_counted_by_class_with_their_latency),
        cmocka_unit_test(http_metrics_only_where_http_is_served),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
