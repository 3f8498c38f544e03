/* internal.h - what main.c, http.c, api.c and openapi.c share: the gateway's
 * process context (gw_app, handed to the RPC handlers as sk_call.app too),
 * one HTTP request on its way through the bus, and the public-profile cache.
 *
 * Threads: MHD's polling threads own a request until it is suspended; the
 * libuv loop only queues it on the thread pool and resumes it; api.c fills
 * its reply on a pool thread. A request is touched by one thread at a time,
 * handed over through sk_loopq and MHD_resume_connection. */
#ifndef GATEWAY_INTERNAL_H
#define GATEWAY_INTERNAL_H

#include <protobuf-c/protobuf-c.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "auth.h"
#include "http.h"
#include "sk_cache.h"
#include "sk_health.h"
#include "sk_loopq.h"
#include "sk_metrics.h"
#include "sk_rpc.h"
#include "sk_service.h"
#include "sk_sign.h"

/* The services reachable as POST /api/v1/{name}.{Method}, in this order. */
#define GW_N_SERVICES 7

typedef struct gw_service {
    const char *name; /* "registry": the URL's and the peer's name */
    const ProtobufCServiceDescriptor *api;
} gw_service;

extern const gw_service gw_services[GW_N_SERVICES];

/* Configuration (main.c reads it from the environment; tests set it). The
 * strings belong to the environment or are literals. */
typedef struct gw_config {
    const char *listen_url;   /* http://host:port */
    const char *web_root;     /* directory of the built UI */
    const char *self_rpc_url; /* the gateway's own REP socket */
    size_t max_header_bytes;  /* MHD's per-connection memory: bounds the header */
    size_t max_body_bytes;    /* request bodies, counted as they stream in */
    unsigned max_connections;
    unsigned per_ip_connections;
    unsigned connection_timeout_s; /* idle (slow) clients are dropped after it */
    unsigned header_timeout_s;     /* request line + headers in, from the request's start */
    unsigned body_timeout_s;       /* the whole request in, from the same start */
    unsigned workers;              /* MHD polling threads */
    int call_timeout_ms;           /* deadline of one bus call */
    int public_ttl_s;              /* public profiles in Redis and in memory */
    gw_proxies proxies;            /* whose X-Forwarded-For is believed; empty: nobody's */
    gw_auth_config auth;
} gw_config;

typedef struct gw_public_cache gw_public_cache;

typedef struct gw_app {
    gw_config cfg;
    /* From sk_service_main (NULL in the fuzz target where noted). */
    uv_loop_t *loop;
    const sk_sign_key *key;
    sk_cache *cache;                       /* may be NULL */
    sk_health_state *health;               /* may be NULL: /readyz then says not ready */
    sk_metrics *metrics;                   /* may be NULL */
    gw_auth *auth;                         /* NULL: every session is refused, logins 503 */
    sk_rpc_client *clients[GW_N_SERVICES]; /* by gw_services index; NULL = unreachable */
    /* Owned. */
    char web_root_real[4096]; /* realpath of cfg.web_root, "" when missing */
    char *openapi;            /* generated at start */
    size_t openapi_len;
    gw_public_cache *pub;
    sk_loopq q;
    bool q_open;
    gw_http *http;
    atomic_int inflight; /* requests between their first byte and completion */
    atomic_bool draining;
} gw_app;

/* ---- one request handed to the thread pool ---- */

typedef struct gw_reply {
    unsigned status;
    const char *content_type; /* static string */
    uint8_t *body;            /* malloc'ed (or NULL); freed with the request */
    size_t len;
    char set_cookie[512];  /* "" = none */
    int retry_after_s;     /* > 0: a Retry-After header */
    bool document;         /* a user's file: inline, sandboxed */
    char disposition[200]; /* with `document` */
} gw_reply;

typedef struct gw_req {
    sk_loopq_item item; /* first: pushed onto app->q */
    uv_work_t work;
    gw_app *app;
    struct MHD_Connection *conn;
    gw_route route;
    /* Copied from the request on MHD's thread; malloc'ed or NULL. */
    char remote_addr[64];
    char *cookie;       /* the session cookie's value */
    char *csrf;         /* X-CSRF-Token */
    char *idem_key;     /* Idempotency-Key */
    bool body_protobuf; /* Content-Type application/x-protobuf */
    bool body_json;     /* application/json (or none given) */
    bool want_protobuf; /* Accept names application/x-protobuf */
    uint8_t *body;
    size_t body_len, body_cap;
    size_t body_seen; /* bytes received, kept or not */
    bool too_large;
    bool queued, done;
    gw_reply reply;
} gw_req;

/* ---- api.c ---- */

/* The method `method` of the service named `service`, or NULL. *svc gets the
 * service's entry. Pure. */
const ProtobufCMethodDescriptor *gw_api_find_method(const char *service, const char *method,
                                                    const gw_service **svc);

/* Dial one client per service (`urls` by gw_services index; NULL or "" leaves
 * it NULL). SK_OK or the first error. */
int gw_api_open_clients(gw_app *app, const char *const urls[GW_N_SERVICES]);
void gw_api_abort_clients(gw_app *app);
void gw_api_close_clients(gw_app *app);

/* Answer `r` (route, headers and body filled): runs on the thread pool and
 * may block on the bus and the database. Always fills r->reply. */
void gw_api_handle(gw_app *app, gw_req *r);

/* Hand a reset e-mail to the distribution service (gw_reset_mail_fn; `arg`
 * is the gw_app). */
int gw_api_send_reset_mail(void *arg, const gw_reset_mail *m);

/* An error reply: {"code":..,"message":..,"violations":[{field,description}]}
 * with the HTTP status of `code` (or `status` when not 0). `field` may be
 * NULL. On OOM the reply is a bare 500. */
void gw_reply_error(gw_reply *rep, unsigned status, int code, const char *message,
                    const char *field, const char *description);

/* Public outlet profiles: bounded in-process cache in front of Redis.
 * gw_public_get copies a fresh entry for `outlet_id` into a malloc'ed
 * buffer (true) or says it has none (false); any thread. */
int gw_public_cache_open(size_t slots, gw_public_cache **out);
void gw_public_cache_close(gw_public_cache *pc);
bool gw_public_get(gw_app *app, const char *outlet_id, uint8_t **json, size_t *len);

/* Drop one outlet's profile (outlet_id) or all of them (NULL), here and in
 * Redis. Any thread. */
void gw_public_invalidate(gw_app *app, const char *outlet_id);

/* ---- openapi.c ---- */

/* The OpenAPI 3.0 document for every service in gw_services and the HTTP-only
 * routes, as compact JSON. *out malloc'ed. SK_OK or SK_ENOMEM. */
int gw_openapi_build(char **out, size_t *len);

/* ---- http.c: the whole server's life ---- */

/* Open what the HTTP side needs (web root, OpenAPI document, public cache, the
 * loop queue on app->loop) and start serving. app->cfg, loop, key and
 * clients must be set. Loop thread. SK_OK or an error (logged). */
int gw_server_start(gw_app *app, bool no_listen);

/* SIGTERM: stop accepting, answer new requests on open connections with 503. */
void gw_server_drain(gw_app *app);

/* Requests in flight. */
bool gw_server_busy(gw_app *app);

/* Close the loop queue (loop thread), then, after uv_run returned, stop MHD
 * and free the rest (gw_server_free). */
void gw_server_close(gw_app *app);
void gw_server_free(gw_app *app);

#endif
