/* seklik-gateway: config -> connect -> run, like every service, plus the HTTP
 * server (http.c) started, drained and stopped through sk_service_hooks. The
 * bus methods are the auth layer's (handlers.c); the events it subscribes to
 * only drop cached public profiles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "seklik/gateway.pb-c.h"
#include "seklik/registry.pb-c.h"
#include "seklik/scoring.pb-c.h"
#include "sk_err.h"
#include "sk_log.h"
#include "sk_service.h"

#ifndef SEKLIK_WEB_ROOT_DEFAULT
#define SEKLIK_WEB_ROOT_DEFAULT "/usr/share/seklik/web"
#endif
#define WEB_ROOT_INSTALLED "/usr/share/seklik/web"

extern const sk_rpc_method gateway_methods[];
extern const size_t gateway_n_methods;
extern const sk_job_def gateway_jobs[];
extern const size_t gateway_n_jobs;
extern const sk_migration gateway_migrations[];
extern const size_t gateway_migrations_count;

static gw_app app;

/* ---- configuration ---- */

static void configure(sk_config *cfg, void *appp)
{
    gw_app *a = appp;
    gw_config *c = &a->cfg;
    c->listen_url = sk_config_url(cfg, "SEKLIK_GATEWAY_LISTEN", "http://127.0.0.1:8080", "http");
    /* The build's UI output when this binary runs from its build tree, else
     * where a package installs it. */
    struct stat st;
    const char *web = stat(SEKLIK_WEB_ROOT_DEFAULT, &st) == 0 && S_ISDIR(st.st_mode)
                          ? SEKLIK_WEB_ROOT_DEFAULT
                          : WEB_ROOT_INSTALLED;
    c->web_root = sk_config_str(cfg, "SEKLIK_GATEWAY_WEB_ROOT", web, false);
    c->self_rpc_url = sk_config_url(cfg, "SEKLIK_GATEWAY_RPC",
                                    sk_service_default_url("gateway", 'r'), "tcp,ipc,tls+tcp");
    c->max_header_bytes =
        (size_t)sk_config_long(cfg, "SEKLIK_GATEWAY_MAX_HEADER_BYTES", 32768, 4096, 1048576);
    c->max_body_bytes = (size_t)sk_config_long(cfg, "SEKLIK_GATEWAY_MAX_BODY_BYTES",
                                               16L * 1024 * 1024, 1024, SK_RPC_MAX_MESSAGE);
    c->max_connections =
        (unsigned)sk_config_long(cfg, "SEKLIK_GATEWAY_MAX_CONNECTIONS", 1024, 1, 65536);
    /* An eighth of the table per address: an office behind one NAT gets
     * plenty, and five addresses fill at most five eighths of it. */
    long per_ip = c->max_connections / 8 > 0 ? c->max_connections / 8 : 1;
    c->per_ip_connections =
        (unsigned)sk_config_long(cfg, "SEKLIK_GATEWAY_PER_IP_CONNECTIONS", per_ip, 0, 65536);
    c->connection_timeout_s =
        (unsigned)sk_config_long(cfg, "SEKLIK_GATEWAY_CONNECTION_TIMEOUT_S", 30, 1, 3600);
    /* Total deadlines, whatever the client trickles: a browser sends its
     * headers in milliseconds; a 16 MiB body (the upload limit) takes about
     * 270 s on a 0.5 Mbit/s office uplink. */
    c->header_timeout_s =
        (unsigned)sk_config_long(cfg, "SEKLIK_GATEWAY_HEADER_TIMEOUT_S", 10, 1, 3600);
    c->body_timeout_s =
        (unsigned)sk_config_long(cfg, "SEKLIK_GATEWAY_BODY_TIMEOUT_S", 300, 1, 86400);
    if (c->body_timeout_s < c->header_timeout_s)
        sk_config_fail(cfg, "SEKLIK_GATEWAY_BODY_TIMEOUT_S",
                       "must not be shorter than SEKLIK_GATEWAY_HEADER_TIMEOUT_S (it includes "
                       "the headers)");
    c->workers = (unsigned)sk_config_long(cfg, "SEKLIK_GATEWAY_WORKERS", 2, 1, 64);
    c->call_timeout_ms = (int)sk_config_long(cfg, "SEKLIK_GATEWAY_CALL_TIMEOUT_MS", 10000, 10,
                                             SK_RPC_MAX_DEADLINE_MS);
    c->public_ttl_s = (int)sk_config_long(cfg, "SEKLIK_GATEWAY_PUBLIC_TTL_S", 300, 1, 86400);
    /* Behind an ingress every peer is the ingress: only its X-Forwarded-For
     * tells clients apart for the login throttle and the audit trail. */
    char why[256];
    const char *proxies = sk_config_str(cfg, "SEKLIK_GATEWAY_TRUSTED_PROXIES", "", false);
    if (!gw_proxies_parse(proxies, &c->proxies, why, sizeof(why)))
        sk_config_fail(cfg, "SEKLIK_GATEWAY_TRUSTED_PROXIES", why);
    /* Bus calls wait on the thread pool; libuv's default 4 threads would let
     * four slow calls stall every request. Read before the pool exists. */
    long threads = sk_config_long(cfg, "SEKLIK_GATEWAY_BUS_THREADS", 16, 1, 128);
    if (!getenv("UV_THREADPOOL_SIZE")) {
        char n[16];
        snprintf(n, sizeof(n), "%ld", threads);
        setenv("UV_THREADPOOL_SIZE", n, 0);
    }
    gw_auth_read_config(cfg, &c->auth);
    /* Logins waiting for Argon2 hold bus threads: leave half to the rest. */
    if ((long)(c->auth.hash_concurrency + c->auth.hash_queue) * 2 > threads)
        sk_config_fail(cfg, "SEKLIK_GATEWAY_HASH_QUEUE",
                       "SEKLIK_GATEWAY_HASH_CONCURRENCY + SEKLIK_GATEWAY_HASH_QUEUE must be at "
                       "most half of SEKLIK_GATEWAY_BUS_THREADS");
}

/* ---- the HTTP server's life ---- */

static int start(const sk_service_env *env, void *appp)
{
    gw_app *a = appp;
    a->loop = env->loop;
    a->key = env->key;
    a->cache = env->cache;
    a->health = env->health;
    a->metrics = env->metrics;
    SK_TRY(gw_auth_open(env->db, env->cache, &a->cfg.auth, &a->auth));
    const char *urls[GW_N_SERVICES] = {0};
    for (size_t i = 0; i < GW_N_SERVICES; i++) {
        if (strcmp(gw_services[i].name, "gateway") == 0) {
            urls[i] = a->cfg.self_rpc_url;
            continue;
        }
        for (size_t k = 0; k < env->n_peers; k++)
            if (strcmp(env->peer_names[k], gw_services[i].name) == 0)
                urls[i] = env->peer_rpc_urls[k];
    }
    SK_TRY(gw_api_open_clients(a, urls));
    SK_TRY(gw_auth_start_mailer(a->auth, gw_api_send_reset_mail, a));
    return gw_server_start(a, false);
}

static void drain(void *appp)
{
    gw_server_drain(appp);
}

static bool busy(void *appp)
{
    return gw_server_busy(appp);
}

static void close_ext(void *appp)
{
    gw_app *a = appp;
    if (gw_server_busy(a))
        gw_api_abort_clients(a); /* the drain timed out: fail what still waits */
    gw_server_close(a);
}

static void stop(void *appp)
{
    gw_app *a = appp;
    gw_auth_stop_mailer(a->auth); /* it calls the distribution client */
    gw_server_free(a);
    gw_api_close_clients(a);
    gw_auth_close(a->auth);
    a->auth = NULL;
}

/* ---- events: they only make cached public profiles stale ---- */

static int on_registry(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    Seklik__Registry__CompanyChanged *cc =
        seklik__registry__company_changed__unpack(NULL, ev->body.len, ev->body.data);
    if (!cc || !cc->company) {
        gw_public_invalidate(ctx->app, NULL);
    } else {
        for (size_t i = 0; i < cc->company->n_outlets; i++)
            if (cc->company->outlets[i]->id && cc->company->outlets[i]->id[0])
                gw_public_invalidate(ctx->app, cc->company->outlets[i]->id);
    }
    if (cc)
        seklik__registry__company_changed__free_unpacked(cc, NULL);
    return SK_OK;
}

static int on_scoring(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    Seklik__Scoring__OutletTiered *t =
        seklik__scoring__outlet_tiered__unpack(NULL, ev->body.len, ev->body.data);
    if (t && t->score && t->score->outlet_id && t->score->outlet_id[0])
        gw_public_invalidate(ctx->app, t->score->outlet_id);
    else
        gw_public_invalidate(ctx->app, NULL);
    if (t)
        seklik__scoring__outlet_tiered__free_unpacked(t, NULL);
    return SK_OK;
}

/* A company verified, rejected or suspended changes which outlets are public;
 * rare enough to drop them all. */
static int on_verification(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    (void)ev;
    gw_public_invalidate(ctx->app, NULL);
    return SK_OK;
}

static const char *const REGISTRY_PREFIXES[] = {"registry.company.", NULL};
static const char *const SCORING_PREFIXES[] = {"scoring.outlet.", NULL};
static const char *const VERIFICATION_PREFIXES[] = {"verification.company.", NULL};

/* Per process: each gateway replica holds its own cached profiles, so each one
 * must see every event (sk_service.h). */
static const sk_subscription_def subscriptions[] = {
    {"registry", REGISTRY_PREFIXES, on_registry},
    {"scoring", SCORING_PREFIXES, on_scoring},
    {"verification", VERIFICATION_PREFIXES, on_verification},
};

static const sk_service_hooks hooks = {
    .configure = configure,
    .start = start,
    .drain = drain,
    .busy = busy,
    .close = close_ext,
    .stop = stop,
};

int main(int argc, char **argv)
{
    /* Not a static initializer: the method and job counts live in handlers.c. */
    sk_service_def gateway_service = {
        .name = "gateway",
        .api = &seklik__gateway__gateway__descriptor,
        .methods = gateway_methods,
        .n_methods = gateway_n_methods,
        .migrations = gateway_migrations,
        .n_migrations = &gateway_migrations_count,
        .process_subscriptions = subscriptions,
        .n_process_subscriptions = sizeof(subscriptions) / sizeof(subscriptions[0]),
        .jobs = gateway_jobs,
        .n_jobs = gateway_n_jobs,
        .app = &app,
        .hooks = &hooks,
    };
    return sk_service_main(&gateway_service, argc, argv);
}
