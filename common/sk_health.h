/* sk_health.h - the small HTTP endpoint every service has, on NNG's HTTP
 * server: GET /healthz (the loop is turning), /readyz (database reachable and
 * migrations applied), /metrics (Prometheus text). Handlers run on NNG's
 * threads and only read atomics: they never touch the database. */
#ifndef SK_HEALTH_H
#define SK_HEALTH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "sk_metrics.h"

typedef struct sk_health_state {
    atomic_bool ready;
    atomic_int_fast64_t heartbeat_ms; /* last loop turn, monotonic ms */
    sk_metrics *metrics;
    const char *service;
} sk_health_state;

typedef struct sk_health sk_health;

/* Serve on `url` (http://host:port). SK_EUNAVAIL if it cannot bind,
 * SK_EINVAL for a bad URL. `state` must outlive the server. */
int sk_health_start(const char *url, sk_health_state *state, sk_health **out);
void sk_health_stop(sk_health *h);

#endif
