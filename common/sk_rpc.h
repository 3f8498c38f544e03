/* sk_rpc.h - commands and queries over NNG req/rep, with protobuf bodies.
 *
 * Server: one REP socket, N contexts receiving at once. A received request
 * goes to the libuv loop (sk_loopq) and from there to the thread pool, where
 * it is decoded, its actor signature verified, its deadline checked (every
 * request needs one, at most SK_RPC_MAX_DEADLINE_MS ahead), its request id
 * checked against those seen before that deadline (a captured request cannot
 * be replayed: the second arrival is refused with UNAUTHENTICATED), and the
 * method found by name in the service's protobuf service descriptor
 * ("Registry.Health"); "bus.Replay" is answered by every server from its
 * outbox, "bus.ListAudit" from its audit trail (sk_audit.h). Methods
 * flagged SK_RPC_COMMAND run inside a transaction the server opens, with
 * their idempotency key: the key, a hash of the request and the packed
 * response are stored in the same transaction, so a retry returns the first
 * response and changes nothing twice. Methods flagged SK_RPC_SAGA commit in
 * steps of their own (see below).
 *
 * Client: one REQ socket per peer; each call uses its own nng_ctx, so many
 * calls share the socket. Calls are synchronous (made from worker threads),
 * each with a new request id and a deadline, and never resent by NNG's timer.
 * (NNG 1.5 still resends a request whose connection broke before the reply;
 * the server then refuses the copy as a replay and the caller retries with a
 * new call, which for a command carries the same idempotency key.)
 * tls+tcp:// URLs use the process's certificates on both sides (sk_tls.h). */
#ifndef SK_RPC_H
#define SK_RPC_H

#include <nng/nng.h>
#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "seklik/bus.pb-c.h"
#include "sk_arena.h"
#include "sk_cache.h"
#include "sk_db.h"
#include "sk_defer.h"
#include "sk_metrics.h"
#include "sk_sign.h"

struct sk_health_state;

/* ---- server ---- */

typedef struct sk_call sk_call;

/* A method handler. `in` is the decoded input message; `out` an initialised
 * output message the handler fills. Everything the handler hangs off `out`
 * (strings, sub-messages, arrays) must come from sk_call_alloc/strdup: it is
 * freed with the call. Returns SK_OK or an SK_* code (plus violations added
 * with sk_call_violation) that becomes the Response. */
typedef int (*sk_rpc_fn)(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);

/* SK_RPC_SAGA: a command whose handler opens and commits its own
 * transactions on call->db (it calls other services between them, which no
 * transaction may span). The server holds a session advisory lock on the
 * idempotency key for the whole call, so retries of one key run one at a
 * time; answers a retry from the idempotency store, and stores the response
 * after the handler returned SK_OK (a refusal is not stored: the handler's
 * steps must be safe to run again), without waiting for its fsync. after_commit work runs when the handler
 * returned SK_OK. A crash between the handler's last commit and the store
 * makes a retry run the handler again, so every step must be idempotent. */
enum { SK_RPC_QUERY = 0, SK_RPC_COMMAND = 1, SK_RPC_SAGA = 2 };

/* Largest request or response on the bus: documents travel in requests. */
#define SK_RPC_MAX_MESSAGE (16u * 1024 * 1024)

/* The longest timeout a call may have: the server remembers each request id
 * until its deadline, so this bounds that memory. The server allows a few
 * seconds more for clocks that disagree between hosts. */
#define SK_RPC_MAX_DEADLINE_MS 120000

typedef struct sk_rpc_method {
    const char *name; /* the method's name in the .proto service ("Health") */
    sk_rpc_fn fn;
    int kind;         /* SK_RPC_QUERY, SK_RPC_COMMAND or SK_RPC_SAGA */
} sk_rpc_method;

struct sk_call {
    const Seklik__Bus__Request *req;
    const Seklik__Bus__Actor *actor; /* never NULL: an empty actor when none */
    sk_db *db;        /* a pooled connection; for commands, in the call's transaction;
                       * for sagas, outside any (the handler begins and commits) */
    sk_cache *cache;  /* may be NULL */
    void *app;        /* the service's own context (sk_service_def.app) */
    const char *service;
    const struct sk_health_state *health; /* readiness and metrics */
    const sk_sign_key *key; /* the service's key: signs the events Replay serves */
    sk_arena arena;   /* memory for `out`: freed when the response is sent */
    sk_defer *after_commit; /* add with sk_call_after_commit */
    /* private */
    Seklik__Bus__FieldViolation **violations;
    size_t n_violations, cap_violations;
    char message[256];
};

/* Memory that lives until the call's response is sent (from call->arena).
 * Zeroed; NULL on OOM. */
void *sk_call_alloc(sk_call *call, size_t size);
char *sk_call_strdup(sk_call *call, const char *s);

/* Name a bad field ("company.npwp") with a stable `code` and an English
 * description; returns SK_EINVAL so a handler can `return
 * sk_call_violation_code(...)`. Several may be added before returning.
 * `code` is dotted lower case ([a-z0-9_.], "required", "npwp.invalid"):
 * the web UI's catalogues (web/src/i18n) hold its words in each language,
 * and a test there fails when a code given here as a literal has none. The
 * English text is what logs and API users without a catalogue read; it may
 * carry numbers the catalogue's text shows ({n}, {m}: the first and second
 * number in it). A code that is not dotted lower case is sent as "". */
int sk_call_violation_code(sk_call *call, const char *field, const char *code, const char *english);

/* Marks a violation code kept in a table rather than passed to
 * sk_call_violation_code as a literal: the web UI's catalogue test reads
 * SK_CODE("...") literals too, so every code that can reach the UI is seen. */
#define SK_CODE(code) code

/* The same without a code, for call sites not yet converted: `description`
 * is "Bahasa Indonesia (English)". */
int sk_call_violation(sk_call *call, const char *field, const char *description);

/* Is `code` a violation code as sk_call_violation_code takes it? */
bool sk_violation_code_valid(const char *code);

/* Run fn(arg) once the command's transaction has committed; never if it
 * rolls back. `arg` from sk_call_alloc. In a query, after the handler
 * returned SK_OK. SK_OK or SK_ENOMEM. */
int sk_call_after_commit(sk_call *call, sk_defer_fn fn, void *arg);

/* Set the Response message for an error code; returns `code`. */
int sk_call_fail(sk_call *call, int code, const char *message);

typedef struct sk_rpc_server sk_rpc_server;

typedef struct sk_rpc_server_config {
    const char *listen_url;           /* tcp://host:port or ipc:///path */
    int concurrency;                  /* contexts receiving at once */
    const sk_sign_key *key;
    sk_db_pool *db;
    sk_cache *cache;                  /* may be NULL */
    sk_metrics *metrics;
    const char *service;              /* event source name for Replay */
    const ProtobufCServiceDescriptor *api;
    const sk_rpc_method *methods;
    size_t n_methods;
    void *app;
    const struct sk_health_state *health;
} sk_rpc_server_config;

/* Bind and start receiving on `loop`. Every method of `api` must have a
 * handler in `methods` (else SK_ECONFIG, naming the method in the log).
 * SK_EUNAVAIL when the address cannot be bound. */
int sk_rpc_server_start(uv_loop_t *loop, const sk_rpc_server_config *cfg, sk_rpc_server **out);

/* Stop taking new requests; in-flight ones finish. Loop thread. */
void sk_rpc_server_drain(sk_rpc_server *srv);

/* Requests received and not yet answered. Loop thread. */
int sk_rpc_server_inflight(const sk_rpc_server *srv);

/* Close the socket and the loop handle; call after the drain reached zero.
 * Free the struct with sk_rpc_server_free once uv_run has returned. */
void sk_rpc_server_close(sk_rpc_server *srv);
void sk_rpc_server_free(sk_rpc_server *srv);

/* ---- client ---- */

typedef struct sk_rpc_client sk_rpc_client;

/* Dial `url` (non-blocking: the socket reconnects by itself). `key` signs
 * every call and must outlive the client. `resend_ms` must be 0: a resent
 * request would be refused as a replay (SK_EINVAL otherwise). SK_ECONFIG for
 * a tls+tcp URL without certificates. */
int sk_rpc_client_open(const char *url, const sk_sign_key *key, int resend_ms,
                       sk_rpc_client **out);
void sk_rpc_client_close(sk_rpc_client *c);

/* Fail every call in flight on `c` (they return SK_EUNAVAIL) and every later
 * one; for shutting down. Returns at once: the socket is closed on a thread
 * of its own. `c` is still freed with sk_rpc_client_close. Any thread. */
void sk_rpc_client_abort(sk_rpc_client *c);

/* Call `method` with `in`, signed for `actor` (NULL = no actor). Commands
 * need an `idempotency_key`; queries pass NULL. `timeout_ms` is also the
 * request's deadline: 1 to SK_RPC_MAX_DEADLINE_MS. On SK_OK *resp holds the
 * Response, whatever its code; free it with seklik__bus__response__free_unpacked.
 * Transport failures return SK_EUNAVAIL, SK_ETIMEDOUT after `timeout_ms`. */
int sk_rpc_call(sk_rpc_client *c, const char *method, const Seklik__Bus__Actor *actor,
                const char *idempotency_key, const ProtobufCMessage *in, int timeout_ms,
                Seklik__Bus__Response **resp);

/* sk_rpc_call, then decode the body with `out_desc` into *out (caller frees
 * with protobuf_c_message_free_unpacked). Returns the Response's code as an
 * SK_* value; on failure the Response's message is copied into `why`. */
int sk_rpc_call_decode(sk_rpc_client *c, const char *method, const Seklik__Bus__Actor *actor,
                       const char *idempotency_key, const ProtobufCMessage *in,
                       const ProtobufCMessageDescriptor *out_desc, int timeout_ms,
                       ProtobufCMessage **out, char *why, size_t why_len);

/* Send `req` exactly as given (no signing): for tests of the refusal path. */
int sk_rpc_call_raw(sk_rpc_client *c, const Seklik__Bus__Request *req, int timeout_ms,
                    Seklik__Bus__Response **resp);

#endif
