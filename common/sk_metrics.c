#include "sk_metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const uint64_t sk_metrics_bucket_us[SK_METRICS_BUCKETS] = {
    100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 1000000, UINT64_MAX};

static const char *const code_names[SK_METRICS_CODES] = {
    "OK",        "INVALID_ARGUMENT",  "NOT_FOUND",   "ALREADY_EXISTS",
    "FAILED_PRECONDITION", "PERMISSION_DENIED", "UNAUTHENTICATED", "UNAVAILABLE",
    "INTERNAL",  "DEADLINE_EXCEEDED", "UNIMPLEMENTED", "RESOURCE_EXHAUSTED"};

static void observe_latency(atomic_uint_fast64_t *buckets, atomic_uint_fast64_t *sum_us,
                            uint64_t micros)
{
    atomic_fetch_add(sum_us, micros);
    for (int i = 0; i < SK_METRICS_BUCKETS; i++)
        if (micros <= sk_metrics_bucket_us[i]) {
            atomic_fetch_add(&buckets[i], 1);
            break;
        }
}

void sk_metrics_observe_rpc(sk_metrics *m, int bus_code, uint64_t micros)
{
    if (bus_code < 0 || bus_code >= SK_METRICS_CODES)
        bus_code = 8; /* INTERNAL */
    atomic_fetch_add(&m->rpc_requests[bus_code], 1);
    observe_latency(m->rpc_latency_bucket, &m->rpc_latency_sum_us, micros);
}

void sk_metrics_observe_http(sk_metrics *m, unsigned status, uint64_t micros)
{
    if (status < 200 || status > 599)
        return;
    atomic_fetch_add(&m->http_requests[status / 100 - 2], 1);
    observe_latency(m->http_latency_bucket, &m->http_latency_sum_us, micros);
}

typedef struct buf {
    char *p;
    size_t len, cap;
    int failed;
} buf;

static void add(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(buf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = 1;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap * 2 + (size_t)n;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

#define LOAD(x) ((unsigned long long)atomic_load(&(x)))

static void counter(buf *b, const char *svc, const char *name, const char *help,
                    unsigned long long v)
{
    add(b, "# HELP seklik_%s %s\n# TYPE seklik_%s counter\nseklik_%s{service=\"%s\"} %llu\n",
        name, help, name, name, svc, v);
}

static void gauge(buf *b, const char *svc, const char *name, const char *help,
                  unsigned long long v)
{
    add(b, "# HELP seklik_%s %s\n# TYPE seklik_%s gauge\nseklik_%s{service=\"%s\"} %llu\n", name,
        help, name, name, svc, v);
}

/* A latency histogram in seconds from buckets in microseconds. */
static void histogram(buf *b, const char *svc, const char *name, const char *help,
                      atomic_uint_fast64_t *buckets, atomic_uint_fast64_t *sum_us)
{
    add(b, "# HELP seklik_%s %s\n# TYPE seklik_%s histogram\n", name, help, name);
    unsigned long long cum = 0;
    for (int i = 0; i < SK_METRICS_BUCKETS; i++) {
        cum += LOAD(buckets[i]);
        if (sk_metrics_bucket_us[i] == UINT64_MAX)
            add(b, "seklik_%s_bucket{service=\"%s\",le=\"+Inf\"} %llu\n", name, svc, cum);
        else
            add(b, "seklik_%s_bucket{service=\"%s\",le=\"%g\"} %llu\n", name, svc,
                (double)sk_metrics_bucket_us[i] / 1e6, cum);
    }
    add(b, "seklik_%s_sum{service=\"%s\"} %.6f\n", name, svc, (double)LOAD(*sum_us) / 1e6);
    add(b, "seklik_%s_count{service=\"%s\"} %llu\n", name, svc, cum);
}

char *sk_metrics_render(const sk_metrics *mc, const char *svc)
{
    sk_metrics *m = (sk_metrics *)mc; /* atomic_load wants non-const on older compilers */
    buf b = {.p = malloc(4096), .cap = 4096};
    if (!b.p)
        return NULL;
    b.p[0] = '\0';

    add(&b, "# HELP seklik_rpc_requests_total RPC requests answered, by status code.\n"
            "# TYPE seklik_rpc_requests_total counter\n");
    unsigned long long errors = 0;
    for (int i = 0; i < SK_METRICS_CODES; i++) {
        unsigned long long v = LOAD(m->rpc_requests[i]);
        if (i != 0)
            errors += v;
        add(&b, "seklik_rpc_requests_total{service=\"%s\",code=\"%s\"} %llu\n", svc,
            code_names[i], v);
    }
    counter(&b, svc, "rpc_errors_total", "RPC requests answered with a code other than OK.",
            errors);
    counter(&b, svc, "rpc_idempotent_replays_total",
            "Commands answered from the idempotency store (a retry).", LOAD(m->rpc_replayed));
    counter(&b, svc, "rpc_replays_refused_total",
            "Requests refused because their request id had arrived before (a replay).",
            LOAD(m->rpc_replays_refused));

    histogram(&b, svc, "rpc_latency_seconds", "RPC handling time.", m->rpc_latency_bucket,
              &m->rpc_latency_sum_us);

    if (atomic_load(&m->http_enabled)) {
        static const char *const classes[SK_METRICS_HTTP_CLASSES] = {"2xx", "3xx", "4xx", "5xx"};
        add(&b, "# HELP seklik_http_requests_total HTTP responses sent, by status class.\n"
                "# TYPE seklik_http_requests_total counter\n");
        for (int i = 0; i < SK_METRICS_HTTP_CLASSES; i++)
            add(&b, "seklik_http_requests_total{service=\"%s\",code=\"%s\"} %llu\n", svc,
                classes[i], LOAD(m->http_requests[i]));
        histogram(&b, svc, "http_latency_seconds",
                  "HTTP time from the request line to the response queued.", m->http_latency_bucket,
                  &m->http_latency_sum_us);
    }

    counter(&b, svc, "events_published_total", "Outbox events published on the PUB socket.",
            LOAD(m->events_published));
    counter(&b, svc, "events_applied_total", "Events applied by this service's subscribers.",
            LOAD(m->events_applied));
    counter(&b, svc, "events_duplicate_total", "Events received again and skipped.",
            LOAD(m->events_duplicate));
    counter(&b, svc, "events_gaps_total", "Gaps detected in a source's sequence.",
            LOAD(m->events_gaps));
    counter(&b, svc, "events_replayed_total", "Events fetched with bus.Replay.",
            LOAD(m->events_replayed));
    counter(&b, svc, "event_apply_errors_total", "Event batches rolled back by an apply error.",
            LOAD(m->apply_errors));
    add(&b, "# HELP seklik_events_refused_total Events refused before applying, by reason.\n"
            "# TYPE seklik_events_refused_total counter\n"
            "seklik_events_refused_total{service=\"%s\",reason=\"signature\"} %llu\n"
            "seklik_events_refused_total{service=\"%s\",reason=\"source\"} %llu\n"
            "seklik_events_refused_total{service=\"%s\",reason=\"malformed\"} %llu\n",
        svc, LOAD(m->events_refused_signature), svc, LOAD(m->events_refused_source), svc,
        LOAD(m->events_refused_malformed));
    unsigned long long last = LOAD(m->outbox_last_seq), pub = LOAD(m->outbox_published_seq);
    gauge(&b, svc, "outbox_last_seq", "Newest committed outbox sequence number.", last);
    gauge(&b, svc, "outbox_published_seq", "Newest outbox sequence number published.", pub);
    gauge(&b, svc, "outbox_lag", "Committed events not yet published.", last > pub ? last - pub : 0);
    counter(&b, svc, "jobs_run_total", "Scheduled job runs started (only the leader runs jobs).",
            LOAD(m->jobs_run));
    gauge(&b, svc, "leader",
          "1 while this process leads its service: runs the relay, the subscribers and the jobs.",
          LOAD(m->leader));
    if (m->cache) {
        counter(&b, svc, "cache_hits_total", "Cache reads served by Redis.", LOAD(m->cache->hits));
        counter(&b, svc, "cache_misses_total", "Cache reads loaded from the source.",
                LOAD(m->cache->misses));
        counter(&b, svc, "cache_errors_total",
                "Cache calls that fell back because Redis was unavailable.",
                LOAD(m->cache->errors));
        counter(&b, svc, "cache_forged_total",
                "Cache values refused by the seal check (forged, moved, expired or unsigned).",
                LOAD(m->cache->forged));
    }
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    return b.p;
}
