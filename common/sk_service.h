/* sk_service.h - one SEKLIK service process: config -> connect -> run.
 *
 * A service describes itself in an sk_service_def (its name, protobuf API and
 * handlers, migrations, subscriptions) and its main() is one call:
 *
 *     int main(int argc, char **argv) { return sk_service_main(&registry_service, argc, argv); }
 *
 * sk_service_main reads the configuration (exit 2 naming the variable on a
 * bad value), connects to PostgreSQL, applies the bus tables and the
 * service's migrations, binds its REP and HTTP sockets, and runs the libuv
 * loop until SIGTERM or SIGINT, then drains in-flight work and returns 0.
 *
 * Replicas: any number of processes of a service may share its schema. Each
 * answers commands and queries. One of them, the leader (sk_leader.h: a
 * PostgreSQL advisory lock, taken over when the leader dies), binds the PUB
 * socket and runs the outbox relay, the subscribers that keep offsets and the
 * scheduled jobs; a follower's events port is closed, so a subscriber dialling
 * the service through a load balancer ends up on the leader.
 * SEKLIK_LEADER_INTERVAL_MS (1000) is how often a follower tries to lead and
 * the leader checks it still does.
 *
 * Environment (SVC is the upper-cased name):
 *   SEKLIK_DB_DSN / SEKLIK_<SVC>_DB_DSN   libpq connection string (required)
 *   SEKLIK_REDIS_URL                      redis://[user:password@]host:port[/db]
 *                                         or unix:///path/redis.sock[?db=N]
 *   SEKLIK_REDIS_USER, SEKLIK_REDIS_PASSWORD  override the URL's (see sk_cache.h)
 *   SEKLIK_HMAC_KEY                       hex, 32-64 bytes (required)
 *   SEKLIK_LOG_LEVEL                      debug | info | warn | error
 *   SEKLIK_DB_POOL_SIZE, SEKLIK_RPC_CONCURRENCY, SEKLIK_REPLAY_INTERVAL_MS,
 *   SEKLIK_INBOX_MAX_PENDING (event frames held before dropping; a drop replays)
 *   SEKLIK_<SVC>_RPC, SEKLIK_<SVC>_EVENTS, SEKLIK_<SVC>_HTTP   where it is reached
 *   SEKLIK_RPC_LISTEN, SEKLIK_EVENTS_LISTEN, SEKLIK_HTTP_LISTEN  what it binds
 *   SEKLIK_<SRC>_RPC, SEKLIK_<SRC>_EVENTS for every source it subscribes to
 *   (bus URLs are tcp://, ipc:// or tls+tcp://; the last needs the
 *   certificates SEKLIK_TLS_CERT, SEKLIK_TLS_KEY, SEKLIK_TLS_CA, sk_tls.h)
 * `--print-env` prints every name it reads and exits 0. */
#ifndef SK_SERVICE_H
#define SK_SERVICE_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "sk_config.h"
#include "sk_db.h"
#include "sk_inbox.h"
#include "sk_rpc.h"

typedef struct sk_subscription_def {
    const char *source;          /* "registry" */
    const char *const *prefixes; /* NULL-terminated event type prefixes; NULL = all */
    sk_event_fn apply;
} sk_subscription_def;

/* A job the service runs by itself every `interval_ms` (and once when the
 * process becomes the leader), on the thread pool with a pooled connection;
 * only the leader runs jobs, never two runs at once. Its return code is
 * logged when not SK_OK. */
typedef struct sk_job_def {
    const char *name;
    int interval_ms;
    int (*run)(sk_db *db, void *app);
} sk_job_def;

/* What a service's own extension (the gateway's HTTP server) is handed at
 * start: everything sk_service_main opened. All of it outlives the extension. */
typedef struct sk_service_env {
    uv_loop_t *loop;
    sk_db_pool *db;
    sk_cache *cache;             /* may be NULL when Redis is not configured */
    const sk_sign_key *key;      /* signs bus requests */
    sk_metrics *metrics;
    struct sk_health_state *health;
    /* Every peer service's RPC URL, by name ("registry" -> "tcp://..."). */
    const char *const *peer_names;
    const char *const *peer_rpc_urls;
    size_t n_peers;
} sk_service_env;

/* Hooks for a service that does more than the bus (the gateway). All run on
 * the loop thread; any may be NULL. `configure` reads extra variables (so
 * --print-env lists them) before anything starts; `start` runs after the RPC
 * server, relay and subscribers are up; on SIGTERM `drain` stops new work,
 * `busy` is polled until false (or the drain times out), then `close` closes
 * the extension's loop handles. `stop` frees what remains after uv_run
 * returned. */
typedef struct sk_service_hooks {
    void (*configure)(sk_config *cfg, void *app);
    int (*start)(const sk_service_env *env, void *app);
    void (*drain)(void *app);
    bool (*busy)(void *app);
    void (*close)(void *app);
    void (*stop)(void *app);
} sk_service_hooks;

typedef struct sk_service_def {
    const char *name; /* also the schema, the log's service and the event source */
    const ProtobufCServiceDescriptor *api;
    const sk_rpc_method *methods;
    size_t n_methods;
    const sk_migration *migrations;
    const size_t *n_migrations;
    /* Effects in the schema, exactly once: only the leader applies them,
     * keeping its offset in <schema>.inbox_offsets (sk_leader.h). */
    const sk_subscription_def *subscriptions;
    size_t n_subscriptions;
    /* Effects in this process's memory (a cache to invalidate): every replica
     * applies every event, from the source's head at start on
     * (sk_subscriber_config.in_memory). */
    const sk_subscription_def *process_subscriptions;
    size_t n_process_subscriptions;
    const sk_job_def *jobs;
    size_t n_jobs;
    void *app; /* handed to handlers (sk_call.app) and event appliers */
    const sk_service_hooks *hooks; /* NULL for a bus-only service */
} sk_service_def;

int sk_service_main(const sk_service_def *def, int argc, char **argv);

/* The Health method every service's API has: name, version, readiness and
 * its outbox position. */
int sk_service_health(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);

/* Default URLs of the well-known services ("tcp://127.0.0.1:7101" ...):
 * kind is 'r' (RPC), 'e' (events) or 'h' (HTTP). NULL for an unknown name.
 * The string is static. */
const char *sk_service_default_url(const char *name, char kind);

#endif
