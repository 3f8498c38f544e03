#include "sk_service.h"

#include <ctype.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sk_cache.h"
#include "sk_config.h"
#include "sk_err.h"
#include "sk_health.h"
#include "sk_id.h"
#include "sk_leader.h"
#include "sk_log.h"
#include "sk_outbox.h"
#include "sk_tls.h"

#ifndef SEKLIK_VERSION
#define SEKLIK_VERSION "0.0.0"
#endif

#define DRAIN_TIMEOUT_MS 10000
#define BUS_SCHEMES "tcp,ipc,tls+tcp"

static const struct {
    const char *name;
    const char *rpc, *events, *http;
} known_services[] = {
    {"registry", "tcp://127.0.0.1:7101", "tcp://127.0.0.1:7201", "http://127.0.0.1:8101"},
    {"verification", "tcp://127.0.0.1:7102", "tcp://127.0.0.1:7202", "http://127.0.0.1:8102"},
    {"scoring", "tcp://127.0.0.1:7103", "tcp://127.0.0.1:7203", "http://127.0.0.1:8103"},
    {"ordering", "tcp://127.0.0.1:7104", "tcp://127.0.0.1:7204", "http://127.0.0.1:8104"},
    {"distribution", "tcp://127.0.0.1:7105", "tcp://127.0.0.1:7205", "http://127.0.0.1:8105"},
    {"accounting", "tcp://127.0.0.1:7106", "tcp://127.0.0.1:7206", "http://127.0.0.1:8106"},
    {"gateway", "tcp://127.0.0.1:7107", "tcp://127.0.0.1:7207", "http://127.0.0.1:8107"},
};

const char *sk_service_default_url(const char *name, char kind)
{
    for (size_t i = 0; i < sizeof(known_services) / sizeof(known_services[0]); i++)
        if (strcmp(known_services[i].name, name) == 0)
            return kind == 'r' ? known_services[i].rpc
                   : kind == 'e' ? known_services[i].events
                                 : known_services[i].http;
    return NULL;
}

#define N_KNOWN (sizeof(known_services) / sizeof(known_services[0]))
#define MAX_PEERS 16

typedef struct peer_cfg {
    const char *name, *rpc, *events;
} peer_cfg;

typedef struct service_cfg {
    const char *dsn, *redis_url, *redis_user, *redis_password, *rpc_listen, *events_listen,
        *http_listen;
    sk_sign_key key;
    int log_level, pool_size, concurrency, replay_interval_ms, max_pending, leader_interval_ms;
    peer_cfg peers[MAX_PEERS]; /* every known service, then other sources */
    size_t n_peers;
} service_cfg;

/* "SEKLIK_<NAME>_<what>" with NAME upper-cased. */
static void env_name(char *out, size_t cap, const char *svc, const char *what)
{
    int n = snprintf(out, cap, "SEKLIK_");
    for (const char *p = svc; *p && (size_t)n < cap - 1; p++)
        out[n++] = (char)toupper((unsigned char)*p);
    snprintf(out + n, cap - (size_t)n, "_%s", what);
}

static void read_config(const sk_service_def *def, sk_config *cfg, service_cfg *sc)
{
    char name[96];
    memset(sc, 0, sizeof(*sc));
    env_name(name, sizeof(name), def->name, "DB_DSN");
    const char *own_dsn = sk_config_str(cfg, name, NULL, false);
    const char *dsn = sk_config_str(cfg, "SEKLIK_DB_DSN", NULL, own_dsn == NULL);
    sc->dsn = own_dsn ? own_dsn : dsn;
    /* Checked by the cache's own parser: the error never echoes the value,
     * which may hold a password. */
    sc->redis_url = sk_config_str(cfg, "SEKLIK_REDIS_URL", "redis://127.0.0.1:6379/0", false);
    char why[200];
    if (sk_cache_check_url(sc->redis_url, why, sizeof(why)) != SK_OK)
        sk_config_fail(cfg, "SEKLIK_REDIS_URL", why);
    sc->redis_user = sk_config_str(cfg, "SEKLIK_REDIS_USER", NULL, false);
    sc->redis_password = sk_config_str(cfg, "SEKLIK_REDIS_PASSWORD", NULL, false);
    sc->key.len = sk_config_hex_secret(cfg, "SEKLIK_HMAC_KEY", sc->key.bytes, SK_SIGN_KEY_MAX,
                                       SK_SIGN_KEY_MIN);
    const char *level = sk_config_str(cfg, "SEKLIK_LOG_LEVEL", "info", false);
    sc->log_level = sk_log_level_parse(level);
    if (sc->log_level < 0) {
        sk_config_fail(cfg, "SEKLIK_LOG_LEVEL", "must be one of debug, info, warn, error");
        sc->log_level = SK_LOG_INFO;
    }
    sc->pool_size = (int)sk_config_long(cfg, "SEKLIK_DB_POOL_SIZE", 4, 1, 64);
    sc->concurrency = (int)sk_config_long(cfg, "SEKLIK_RPC_CONCURRENCY", 32, 1, 1024);
    sc->replay_interval_ms =
        (int)sk_config_long(cfg, "SEKLIK_REPLAY_INTERVAL_MS", 1000, 10, 3600000);
    sc->max_pending = (int)sk_config_long(cfg, "SEKLIK_INBOX_MAX_PENDING", 4096, 1, 1000000);
    sc->leader_interval_ms =
        (int)sk_config_long(cfg, "SEKLIK_LEADER_INTERVAL_MS", 1000, 100, 60000);

    /* Where we are reached; what we bind defaults to the same. */
    env_name(name, sizeof(name), def->name, "RPC");
    const char *rpc = sk_config_url(cfg, name, sk_service_default_url(def->name, 'r'), BUS_SCHEMES);
    env_name(name, sizeof(name), def->name, "EVENTS");
    const char *events =
        sk_config_url(cfg, name, sk_service_default_url(def->name, 'e'), BUS_SCHEMES);
    env_name(name, sizeof(name), def->name, "HTTP");
    const char *http = sk_config_url(cfg, name, sk_service_default_url(def->name, 'h'), "http");
    sc->rpc_listen = sk_config_url(cfg, "SEKLIK_RPC_LISTEN", rpc, BUS_SCHEMES);
    sc->events_listen = sk_config_url(cfg, "SEKLIK_EVENTS_LISTEN", events, BUS_SCHEMES);
    sc->http_listen = sk_config_url(cfg, "SEKLIK_HTTP_LISTEN", http, "http");

    /* Every peer's address is read, so any service may call any other. */
    for (size_t i = 0; i < N_KNOWN; i++)
        if (strcmp(known_services[i].name, def->name) != 0)
            sc->peers[sc->n_peers++].name = known_services[i].name;
    size_t n_all = def->n_subscriptions + def->n_process_subscriptions;
    for (size_t i = 0; i < n_all && sc->n_peers < MAX_PEERS; i++) {
        const char *source = i < def->n_subscriptions
                                 ? def->subscriptions[i].source
                                 : def->process_subscriptions[i - def->n_subscriptions].source;
        bool seen = false;
        for (size_t k = 0; k < sc->n_peers && !seen; k++)
            seen = strcmp(sc->peers[k].name, source) == 0;
        if (!seen)
            sc->peers[sc->n_peers++].name = source;
    }
    for (size_t i = 0; i < sc->n_peers; i++) {
        const char *src = sc->peers[i].name;
        env_name(name, sizeof(name), src, "RPC");
        sc->peers[i].rpc = sk_config_url(cfg, name, sk_service_default_url(src, 'r'), BUS_SCHEMES);
        env_name(name, sizeof(name), src, "EVENTS");
        sc->peers[i].events =
            sk_config_url(cfg, name, sk_service_default_url(src, 'e'), BUS_SCHEMES);
    }
    /* Certificates are required as soon as one bus URL is tls+tcp. */
    bool tls = sk_tls_url(sc->rpc_listen) || sk_tls_url(sc->events_listen);
    for (size_t i = 0; i < sc->n_peers; i++)
        tls = tls || sk_tls_url(sc->peers[i].rpc) || sk_tls_url(sc->peers[i].events);
    sk_tls_configure(cfg, tls);
}

static const peer_cfg *find_peer(const service_cfg *sc, const char *name)
{
    for (size_t i = 0; i < sc->n_peers; i++)
        if (strcmp(sc->peers[i].name, name) == 0)
            return &sc->peers[i];
    return NULL;
}

/* ---- the running process ---- */

#define MAX_JOBS 8

typedef struct job_rt {
    struct service_rt *rt;
    const sk_job_def *def;
    uv_timer_t timer;
    uv_work_t work;
    bool busy;
    int rc;
} job_rt;

typedef struct service_rt {
    const sk_service_def *def;
    service_cfg sc;
    uv_loop_t *loop;
    sk_db_pool *db;
    sk_cache *cache;
    sk_metrics metrics;
    sk_health_state health_state;
    sk_health *health;
    sk_rpc_server *rpc;
    /* The leader's work (sk_leader.h): relay, offset-keeping subscribers, jobs. */
    sk_leader *leader;
    bool leading_work;  /* started */
    bool stepping_down; /* stopping it: waiting for its work in flight */
    bool lead_again;    /* leadership came back meanwhile */
    uv_timer_t stepdown_timer;
    sk_relay *relay;
    sk_subscriber *subs[MAX_PEERS];
    size_t n_subs;
    /* Per-process subscriptions: every replica, from start to exit. */
    sk_subscriber *local_subs[MAX_PEERS];
    size_t n_local_subs;
    /* Closed when leadership was lost; freed after uv_run returns. */
    sk_subscriber **retired_subs;
    size_t n_retired_subs;
    sk_relay **retired_relays;
    size_t n_retired_relays;
    job_rt jobs[MAX_JOBS];
    size_t n_jobs;
    sk_migration *all_migrations;
    size_t n_all_migrations;
    uv_signal_t sigterm, sigint;
    uv_timer_t heartbeat, drain_timer;
    uv_work_t ready_work;
    bool ready_busy, ready_result, stopping;
    uint64_t drain_started_ns;
    const char *peer_names[MAX_PEERS], *peer_rpc_urls[MAX_PEERS];
    sk_service_env env;
    bool ext_started;
} service_rt;

int sk_service_health(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    (void)in;
    Seklik__Bus__HealthResponse *r = (Seklik__Bus__HealthResponse *)out;
    r->service = sk_call_strdup(call, call->service);
    r->version = sk_call_strdup(call, SEKLIK_VERSION);
    if (!r->service || !r->version)
        return SK_ENOMEM;
    r->ready = call->health && atomic_load(&((sk_health_state *)call->health)->ready);
    uint64_t last = 0;
    SK_TRY(sk_outbox_last_seq(call->db, &last));
    r->outbox_last_seq = last;
    if (call->health && call->health->metrics)
        r->outbox_published_seq = atomic_load(&call->health->metrics->outbox_published_seq);
    return SK_OK;
}

static void ready_check(uv_work_t *w)
{
    service_rt *rt = w->data;
    sk_db *db = NULL;
    bool done = false;
    rt->ready_result = false;
    if (sk_db_acquire(rt->db, &db) != SK_OK)
        return;
    if (sk_db_migrations_done(db, rt->all_migrations, rt->n_all_migrations, &done) == SK_OK)
        rt->ready_result = done;
    sk_db_release(db);
}

static void ready_check_done(uv_work_t *w, int status)
{
    (void)status;
    service_rt *rt = w->data;
    rt->ready_busy = false;
    if (rt->stopping)
        return;
    bool was = atomic_exchange(&rt->health_state.ready, rt->ready_result);
    if (was != rt->ready_result)
        sk_log_info(rt->ready_result ? "ready" : "not ready: database unreachable");
}

static void on_heartbeat(uv_timer_t *t)
{
    service_rt *rt = t->data;
    atomic_store(&rt->health_state.heartbeat_ms, (int64_t)(sk_now_mono_ns() / 1000000));
    if (!rt->ready_busy && !rt->stopping) {
        rt->ready_busy = true;
        rt->ready_work.data = rt;
        if (uv_queue_work(rt->loop, &rt->ready_work, ready_check, ready_check_done) != 0)
            rt->ready_busy = false;
    }
}

static void job_work(uv_work_t *w)
{
    job_rt *j = w->data;
    sk_db *db = NULL;
    j->rc = sk_db_acquire(j->rt->db, &db);
    if (j->rc != SK_OK)
        return;
    j->rc = j->def->run(db, j->rt->def->app);
    sk_db_rollback(db); /* a job commits what it means to keep */
    sk_db_release(db);
}

static void job_done(uv_work_t *w, int status)
{
    (void)status;
    job_rt *j = w->data;
    j->busy = false;
    if (j->rc != SK_OK)
        sk_log_warn("job %s: %s", j->def->name, sk_strerror(j->rc));
}

static void on_job_tick(uv_timer_t *t)
{
    job_rt *j = t->data;
    if (j->busy || j->rt->stopping || !j->rt->leading_work)
        return;
    j->busy = true;
    atomic_fetch_add(&j->rt->metrics.jobs_run, 1);
    j->work.data = j;
    if (uv_queue_work(j->rt->loop, &j->work, job_work, job_done) != 0)
        j->busy = false;
}

static bool work_in_flight(service_rt *rt)
{
    for (size_t i = 0; i < rt->n_jobs; i++)
        if (rt->jobs[i].busy)
            return true;
    if (rt->ext_started && rt->def->hooks->busy && rt->def->hooks->busy(rt->def->app))
        return true;
    if (rt->ready_busy || (rt->rpc && sk_rpc_server_inflight(rt->rpc) > 0) ||
        (rt->relay && sk_relay_busy(rt->relay)) || sk_leader_busy(rt->leader))
        return true;
    for (size_t i = 0; i < rt->n_subs; i++)
        if (sk_subscriber_busy(rt->subs[i]))
            return true;
    for (size_t i = 0; i < rt->n_local_subs; i++)
        if (sk_subscriber_busy(rt->local_subs[i]))
            return true;
    return false;
}

static void close_all(service_rt *rt)
{
    if (rt->ext_started && rt->def->hooks->close)
        rt->def->hooks->close(rt->def->app);
    for (size_t i = 0; i < rt->n_jobs; i++) {
        uv_timer_stop(&rt->jobs[i].timer);
        uv_close((uv_handle_t *)&rt->jobs[i].timer, NULL);
    }
    uv_timer_stop(&rt->drain_timer);
    uv_close((uv_handle_t *)&rt->drain_timer, NULL);
    uv_timer_stop(&rt->stepdown_timer);
    uv_close((uv_handle_t *)&rt->stepdown_timer, NULL);
    uv_close((uv_handle_t *)&rt->heartbeat, NULL);
    uv_close((uv_handle_t *)&rt->sigterm, NULL);
    uv_close((uv_handle_t *)&rt->sigint, NULL);
    /* The lock itself goes with its connection, when the leader is freed:
     * a follower leads once this process has stopped entirely. */
    sk_leader_close(rt->leader);
    for (size_t i = 0; i < rt->n_subs; i++)
        sk_subscriber_close(rt->subs[i]);
    for (size_t i = 0; i < rt->n_local_subs; i++)
        sk_subscriber_close(rt->local_subs[i]);
    sk_relay_close(rt->relay);
    sk_rpc_server_close(rt->rpc);
}

static void on_drain_tick(uv_timer_t *t)
{
    service_rt *rt = t->data;
    bool late = sk_now_mono_ns() - rt->drain_started_ns > (uint64_t)DRAIN_TIMEOUT_MS * 1000000;
    if (work_in_flight(rt) && !late)
        return;
    if (late)
        sk_log_warn("drain: gave up waiting for in-flight work after %d ms", DRAIN_TIMEOUT_MS);
    close_all(rt);
}

static void on_signal(uv_signal_t *h, int signum)
{
    service_rt *rt = h->data;
    if (rt->stopping)
        return;
    rt->stopping = true;
    sk_log_info("signal %d: draining", signum);
    atomic_store(&rt->health_state.ready, false);
    uv_timer_stop(&rt->heartbeat);
    sk_rpc_server_drain(rt->rpc);
    for (size_t i = 0; i < rt->n_subs; i++)
        sk_subscriber_drain(rt->subs[i]);
    for (size_t i = 0; i < rt->n_local_subs; i++)
        sk_subscriber_drain(rt->local_subs[i]);
    if (rt->ext_started && rt->def->hooks->drain)
        rt->def->hooks->drain(rt->def->app);
    rt->drain_started_ns = sk_now_mono_ns();
    uv_timer_start(&rt->drain_timer, on_drain_tick, 0, 20);
}

static int connect_db(service_rt *rt)
{
    /* The database may still be starting (compose, k8s): try for ~5 s. */
    int rc = SK_EUNAVAIL;
    for (int attempt = 0; attempt < 10; attempt++) {
        rc = sk_db_pool_open(rt->sc.dsn, rt->def->name, rt->sc.pool_size, &rt->db);
        if (rc != SK_EUNAVAIL)
            break;
        usleep(500000);
    }
    return rc;
}

static int migrate(service_rt *rt)
{
    size_t n = sk_bus_migrations_count + *rt->def->n_migrations;
    rt->all_migrations = calloc(n, sizeof(sk_migration));
    if (!rt->all_migrations)
        return SK_ENOMEM;
    memcpy(rt->all_migrations, sk_bus_migrations, sk_bus_migrations_count * sizeof(sk_migration));
    memcpy(rt->all_migrations + sk_bus_migrations_count, rt->def->migrations,
           *rt->def->n_migrations * sizeof(sk_migration));
    rt->n_all_migrations = n;
    return sk_db_migrate(rt->db, rt->all_migrations, n);
}

static int start_subscriber(service_rt *rt, const sk_subscription_def *d, bool per_process,
                            sk_subscriber **out)
{
    const peer_cfg *peer = find_peer(&rt->sc, d->source);
    if (!peer)
        return SK_ECONFIG;
    sk_subscriber_config sub = {
        .service = rt->def->name,
        .source = d->source,
        .events_url = peer->events,
        .rpc_url = peer->rpc,
        .prefixes = d->prefixes,
        .apply = d->apply,
        .app = rt->def->app,
        .cache = rt->cache,
        .key = &rt->sc.key,
        .db = rt->db,
        .metrics = &rt->metrics,
        .replay_interval_ms = rt->sc.replay_interval_ms,
        .max_pending = rt->sc.max_pending,
        .in_memory = per_process,
    };
    return sk_subscriber_start(rt->loop, &sub, out);
}

/* Became the leader: bind the PUB socket, relay, subscribe, run the jobs. */
static void lead_start(service_rt *rt)
{
    const sk_service_def *def = rt->def;
    int rc = sk_relay_start(rt->loop, rt->db, rt->sc.dsn, def->name, rt->sc.events_listen,
                            &rt->sc.key, &rt->metrics, &rt->relay);
    if (rc != SK_OK) {
        /* Subscribers still get every event, by replay on their timer. */
        sk_log_error("leader: the relay did not start on %s: %s", rt->sc.events_listen,
                     sk_strerror(rc));
        rt->relay = NULL;
    }
    rt->n_subs = 0;
    for (size_t i = 0; i < def->n_subscriptions && i < MAX_PEERS; i++) {
        rc = start_subscriber(rt, &def->subscriptions[i], false, &rt->subs[rt->n_subs]);
        if (rc == SK_OK)
            rt->n_subs++;
        else
            sk_log_error("leader: cannot subscribe to %s: %s", def->subscriptions[i].source,
                         sk_strerror(rc));
    }
    for (size_t i = 0; i < rt->n_jobs; i++)
        uv_timer_start(&rt->jobs[i].timer, on_job_tick, 0,
                       (uint64_t)rt->jobs[i].def->interval_ms);
    rt->leading_work = true;
}

static bool retire(void ***list, size_t *n, void *item)
{
    void **grown = realloc(*list, (*n + 1) * sizeof(**list));
    if (!grown)
        return false;
    grown[(*n)++] = item;
    *list = grown;
    return true;
}

static void on_stepdown_tick(uv_timer_t *t)
{
    service_rt *rt = t->data;
    bool busy = rt->relay && sk_relay_busy(rt->relay);
    for (size_t i = 0; i < rt->n_jobs; i++)
        busy |= rt->jobs[i].busy;
    for (size_t i = 0; i < rt->n_subs; i++)
        busy |= sk_subscriber_busy(rt->subs[i]);
    if (busy || rt->stopping)
        return; /* on stopping, close_all takes over */
    uv_timer_stop(&rt->stepdown_timer);
    for (size_t i = 0; i < rt->n_subs; i++) {
        sk_subscriber_close(rt->subs[i]);
        if (!retire((void ***)&rt->retired_subs, &rt->n_retired_subs, rt->subs[i]))
            sk_log_error("leader: out of memory retiring a subscriber (leaked)");
    }
    rt->n_subs = 0;
    if (rt->relay) {
        sk_relay_close(rt->relay);
        if (!retire((void ***)&rt->retired_relays, &rt->n_retired_relays, rt->relay))
            sk_log_error("leader: out of memory retiring the relay (leaked)");
        rt->relay = NULL;
    }
    rt->stepping_down = false;
    if (rt->lead_again && sk_leader_leading(rt->leader)) {
        rt->lead_again = false;
        lead_start(rt);
    }
}

/* Lost the leadership: no new batch, no new job run, then close the relay's
 * PUB socket and the subscribers once their work in flight has finished. */
static void lead_stop(service_rt *rt)
{
    rt->leading_work = false;
    rt->stepping_down = true;
    for (size_t i = 0; i < rt->n_jobs; i++)
        uv_timer_stop(&rt->jobs[i].timer);
    for (size_t i = 0; i < rt->n_subs; i++)
        sk_subscriber_drain(rt->subs[i]);
    uv_timer_start(&rt->stepdown_timer, on_stepdown_tick, 0, 20);
}

static void on_leader(void *arg, bool leading)
{
    service_rt *rt = arg;
    atomic_store(&rt->metrics.leader, leading ? 1 : 0);
    if (rt->stopping)
        return;
    if (!leading) {
        rt->lead_again = false;
        if (rt->leading_work)
            lead_stop(rt);
    } else if (rt->stepping_down) {
        rt->lead_again = true;
    } else if (!rt->leading_work) {
        lead_start(rt);
    }
}

static int start(service_rt *rt)
{
    const sk_service_def *def = rt->def;
    SK_TRY(sk_health_start(rt->sc.http_listen, &rt->health_state, &rt->health));
    sk_rpc_server_config rc = {
        .listen_url = rt->sc.rpc_listen,
        .concurrency = rt->sc.concurrency,
        .key = &rt->sc.key,
        .db = rt->db,
        .cache = rt->cache,
        .metrics = &rt->metrics,
        .service = def->name,
        .api = def->api,
        .methods = def->methods,
        .n_methods = def->n_methods,
        .app = def->app,
        .health = &rt->health_state,
    };
    SK_TRY(sk_rpc_server_start(rt->loop, &rc, &rt->rpc));
    for (size_t i = 0; i < def->n_process_subscriptions && i < MAX_PEERS; i++) {
        SK_TRY(start_subscriber(rt, &def->process_subscriptions[i], true,
                                &rt->local_subs[rt->n_local_subs]));
        rt->n_local_subs++;
    }
    for (size_t i = 0; i < def->n_jobs && i < MAX_JOBS; i++) {
        job_rt *j = &rt->jobs[rt->n_jobs++];
        j->rt = rt;
        j->def = &def->jobs[i];
        uv_timer_init(rt->loop, &j->timer);
        j->timer.data = j;
    }
    if (def->hooks && def->hooks->start) {
        for (size_t i = 0; i < rt->sc.n_peers; i++) {
            rt->peer_names[i] = rt->sc.peers[i].name;
            rt->peer_rpc_urls[i] = rt->sc.peers[i].rpc;
        }
        rt->env = (sk_service_env){
            .loop = rt->loop,
            .db = rt->db,
            .cache = rt->cache,
            .key = &rt->sc.key,
            .metrics = &rt->metrics,
            .health = &rt->health_state,
            .peer_names = rt->peer_names,
            .peer_rpc_urls = rt->peer_rpc_urls,
            .n_peers = rt->sc.n_peers,
        };
        SK_TRY(def->hooks->start(&rt->env, def->app));
        rt->ext_started = true;
    }
    return sk_leader_start(rt->loop, rt->sc.dsn, def->name, rt->sc.leader_interval_ms, on_leader,
                           rt, &rt->leader);
}

int sk_service_main(const sk_service_def *def, int argc, char **argv)
{
    sk_config cfg;
    sk_config_init(&cfg);
    service_rt *rt = calloc(1, sizeof(*rt));
    if (!rt)
        return 1;
    rt->def = def;
    read_config(def, &cfg, &rt->sc);
    if (def->hooks && def->hooks->configure)
        def->hooks->configure(&cfg, def->app);

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--print-env") == 0) {
            for (size_t k = 0; k < cfg.n_names; k++)
                printf("%s\n", cfg.names[k]);
            sk_config_free(&cfg);
            free(rt);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("seklik-%s %s\n", def->name, SEKLIK_VERSION);
            sk_config_free(&cfg);
            free(rt);
            return 0;
        }
        fprintf(stderr, "seklik-%s: unknown argument \"%s\" (use --print-env or --version)\n",
                def->name, argv[i]);
        sk_config_free(&cfg);
        free(rt);
        return 2;
    }
    if (sk_config_failed(&cfg)) {
        fprintf(stderr, "seklik-%s: configuration error: %s\n", def->name, cfg.error);
        sk_config_free(&cfg);
        free(rt);
        return 2;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "seklik-%s: libsodium failed to initialise\n", def->name);
        return 1;
    }
    sk_log_init(def->name, rt->sc.log_level);
    rt->health_state.metrics = &rt->metrics;
    rt->health_state.service = def->name;
    atomic_store(&rt->health_state.heartbeat_ms, (int64_t)(sk_now_mono_ns() / 1000000));
    signal(SIGPIPE, SIG_IGN);

    int rc = connect_db(rt);
    if (rc == SK_OK)
        rc = migrate(rt);
    sk_cache_options cache_opt = {.url = rt->sc.redis_url,
                                  .user = rt->sc.redis_user,
                                  .password = rt->sc.redis_password,
                                  .service = def->name,
                                  .secret = rt->sc.key.bytes,
                                  .secret_len = rt->sc.key.len};
    if (rc == SK_OK && sk_cache_open(&cache_opt, &rt->cache) != SK_OK)
        rc = SK_ECONFIG;
    if (rc != SK_OK) {
        sk_log_error("start-up failed: %s", sk_strerror(rc));
        sk_db_pool_close(rt->db);
        sk_config_free(&cfg);
        free(rt->all_migrations);
        free(rt);
        return 1;
    }
    rt->metrics.cache = sk_cache_get_stats(rt->cache);

    rt->loop = uv_default_loop();
    uv_signal_init(rt->loop, &rt->sigterm);
    uv_signal_init(rt->loop, &rt->sigint);
    rt->sigterm.data = rt->sigint.data = rt;
    uv_signal_start(&rt->sigterm, on_signal, SIGTERM);
    uv_signal_start(&rt->sigint, on_signal, SIGINT);
    uv_timer_init(rt->loop, &rt->heartbeat);
    uv_timer_init(rt->loop, &rt->drain_timer);
    uv_timer_init(rt->loop, &rt->stepdown_timer);
    rt->heartbeat.data = rt->drain_timer.data = rt->stepdown_timer.data = rt;

    rc = start(rt);
    if (rc != SK_OK) {
        sk_log_error("start-up failed: %s", sk_strerror(rc));
        rt->stopping = true;
        close_all(rt);
    } else {
        uv_timer_start(&rt->heartbeat, on_heartbeat, 0, 1000);
        sk_log_info("started: rpc %s, events %s, http %s", rt->sc.rpc_listen,
                    rt->sc.events_listen, rt->sc.http_listen);
    }
    uv_run(rt->loop, UV_RUN_DEFAULT);
    uv_loop_close(rt->loop);

    sk_health_stop(rt->health);
    if (rt->ext_started && def->hooks->stop)
        def->hooks->stop(def->app);
    sk_leader_free(rt->leader); /* ends its session: the lock is free for a follower */
    for (size_t i = 0; i < rt->n_subs; i++)
        sk_subscriber_free(rt->subs[i]);
    for (size_t i = 0; i < rt->n_local_subs; i++)
        sk_subscriber_free(rt->local_subs[i]);
    for (size_t i = 0; i < rt->n_retired_subs; i++)
        sk_subscriber_free(rt->retired_subs[i]);
    free(rt->retired_subs);
    sk_relay_free(rt->relay);
    for (size_t i = 0; i < rt->n_retired_relays; i++)
        sk_relay_free(rt->retired_relays[i]);
    free(rt->retired_relays);
    sk_rpc_server_free(rt->rpc);
    sk_cache_close(rt->cache);
    sk_db_pool_close(rt->db);
    free(rt->all_migrations);
    sk_config_free(&cfg);
    free(rt);
    if (rc == SK_OK)
        sk_log_info("stopped");
    return rc == SK_OK ? 0 : 1;
}
