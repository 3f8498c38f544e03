/* sk_metrics.h - the counters a service exposes on /metrics (Prometheus
 * text format). Plain atomics: bumped from any thread, read by the HTTP
 * thread without locks. */
#ifndef SK_METRICS_H
#define SK_METRICS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sk_cache.h"

#define SK_METRICS_CODES 12
#define SK_METRICS_BUCKETS 12
#define SK_METRICS_HTTP_CLASSES 4 /* 2xx, 3xx, 4xx, 5xx */

typedef struct sk_metrics {
    atomic_uint_fast64_t rpc_requests[SK_METRICS_CODES]; /* by seklik.bus.Code */
    atomic_uint_fast64_t rpc_replayed;                    /* served from the idempotency store */
    atomic_uint_fast64_t rpc_replays_refused;             /* a request id seen before its deadline */
    atomic_uint_fast64_t rpc_latency_bucket[SK_METRICS_BUCKETS]; /* cumulative on render */
    atomic_uint_fast64_t rpc_latency_sum_us;
    atomic_uint_fast64_t events_published;
    atomic_uint_fast64_t events_applied;
    atomic_uint_fast64_t events_duplicate; /* received again, skipped */
    atomic_uint_fast64_t events_gaps;      /* gaps detected on the live stream */
    atomic_uint_fast64_t events_replayed;  /* events fetched by Replay */
    atomic_uint_fast64_t apply_errors;
    atomic_uint_fast64_t events_refused_signature; /* bad or missing signature: never applied */
    atomic_uint_fast64_t events_refused_source;    /* another source on a source's stream */
    atomic_uint_fast64_t events_refused_malformed; /* a frame that is not topic NUL Event */
    atomic_uint_fast64_t outbox_last_seq;
    atomic_uint_fast64_t outbox_published_seq;
    atomic_uint_fast64_t leader; /* 1 while this process leads its service (sk_leader.h) */
    atomic_uint_fast64_t jobs_run; /* scheduled job runs started (the leader's) */
    sk_cache_stats *cache; /* may be NULL */
    /* HTTP answered by the service itself (the gateway's API), not /healthz
     * on the health port. Rendered only once http_enabled is set. */
    atomic_bool http_enabled;
    atomic_uint_fast64_t http_requests[SK_METRICS_HTTP_CLASSES];
    atomic_uint_fast64_t http_latency_bucket[SK_METRICS_BUCKETS];
    atomic_uint_fast64_t http_latency_sum_us;
} sk_metrics;

/* Upper bounds of the latency buckets, in microseconds (the last is +Inf). */
extern const uint64_t sk_metrics_bucket_us[SK_METRICS_BUCKETS];

void sk_metrics_observe_rpc(sk_metrics *m, int bus_code, uint64_t micros);

/* One HTTP response with `status`, sent `micros` after its request line came
 * in. Statuses outside 200..599 are not counted. Any thread. */
void sk_metrics_observe_http(sk_metrics *m, unsigned status, uint64_t micros);

/* Render all metrics for `service`; the text is malloc'ed, caller frees.
 * NULL on out of memory. */
char *sk_metrics_render(const sk_metrics *m, const char *service);

#endif
