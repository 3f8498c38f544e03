#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_audit.h"
#include "sk_err.h"
#include "sk_id.h"
#include "sk_limits.h"
#include "sk_log.h"
#include "sk_loopq.h"
#include "sk_nng.h"
#include "sk_outbox.h"
#include "sk_rpc.h"
#include "sk_seen.h"
#include "sk_tls.h"

#define REPLAY_METHOD "bus.Replay"
/* Request ids remembered at most: past it, calls are refused until some
 * deadlines pass (~4,000 calls a second sustained over the horizon). */
#define SEEN_MAX 500000
#define CLOCK_SKEW_MS 5000

typedef struct rpc_slot {
    sk_loopq_item item; /* first: the queue hands us back this pointer */
    struct sk_rpc_server *srv;
    nng_ctx ctx;
    nng_aio *recv_aio;
    nng_aio *send_aio;
    nng_msg *msg;
    uv_work_t work;
} rpc_slot;

struct sk_rpc_server {
    sk_rpc_server_config cfg;
    uv_loop_t *loop;
    nng_socket sock;
    nng_listener listener;
    sk_loopq queue;
    rpc_slot *slots;
    int n_slots;
    int inflight;
    bool draining;
    sk_seen *seen;       /* request ids until their deadline */
    char short_name[64]; /* "Registry" */
};

void *sk_call_alloc(sk_call *call, size_t size)
{
    return sk_arena_alloc(&call->arena, size);
}

char *sk_call_strdup(sk_call *call, const char *s)
{
    return sk_arena_strdup(&call->arena, s);
}

bool sk_violation_code_valid(const char *code)
{
    if (!code || !code[0] || code[0] == '.' || strlen(code) > 64)
        return false;
    for (const char *p = code; *p; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
                  (*p == '.' && p[1] && p[1] != '.');
        if (!ok)
            return false;
    }
    return true;
}

int sk_call_violation_code(sk_call *call, const char *field, const char *code, const char *english)
{
    if (call->n_violations == call->cap_violations) {
        size_t cap = call->cap_violations ? call->cap_violations * 2 : 4;
        Seklik__Bus__FieldViolation **v = sk_call_alloc(call, cap * sizeof(*v));
        if (!v)
            return SK_EINVAL;
        if (call->n_violations)
            memcpy(v, call->violations, call->n_violations * sizeof(*v));
        call->violations = v;
        call->cap_violations = cap;
    }
    Seklik__Bus__FieldViolation *fv = sk_call_alloc(call, sizeof(*fv));
    if (!fv)
        return SK_EINVAL;
    seklik__bus__field_violation__init(fv);
    fv->field = sk_call_strdup(call, field);
    fv->description = sk_call_strdup(call, english);
    if (sk_violation_code_valid(code))
        fv->code = sk_call_strdup(call, code);
    if (!fv->field || !fv->description || !fv->code)
        return SK_EINVAL;
    call->violations[call->n_violations++] = fv;
    if (!call->message[0])
        snprintf(call->message, sizeof(call->message), "%s: %s", field, english);
    return SK_EINVAL;
}

int sk_call_violation(sk_call *call, const char *field, const char *description)
{
    return sk_call_violation_code(call, field, "", description);
}

int sk_call_after_commit(sk_call *call, sk_defer_fn fn, void *arg)
{
    return sk_defer_add(&call->after_commit, &call->arena, fn, arg);
}

int sk_call_fail(sk_call *call, int code, const char *message)
{
    snprintf(call->message, sizeof(call->message), "%s", message);
    return code;
}

/* ---- idempotency store: see migration bus_0001 in sk_outbox.c ---- */

static const char SQL_IDEM_LOCK[] = "SELECT pg_advisory_xact_lock(hashtext('seklik.idem.' || $1))";
/* A saga's lock spans its own transactions: held by the session. */
static const char SQL_IDEM_SESSION_LOCK[] =
    "SELECT pg_advisory_lock(hashtext('seklik.idem.' || $1))";
static const char SQL_IDEM_SESSION_UNLOCK[] =
    "SELECT pg_advisory_unlock(hashtext('seklik.idem.' || $1))";
static const char SQL_IDEM_GET[] =
    "SELECT method, request_hash, response FROM idempotency WHERE key = $1";
static const char SQL_IDEM_PUT[] =
    "INSERT INTO idempotency (key, method, request_hash, response) VALUES ($1, $2, $3, $4)";

static void request_hash(const Seklik__Bus__Request *req, uint8_t out[crypto_hash_sha256_BYTES])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)req->method, strlen(req->method) + 1);
    crypto_hash_sha256_update(&st, req->body.data, req->body.len);
    crypto_hash_sha256_final(&st, out);
}

/* Look the key up under `lock_sql` (a command's transaction lock, or a
 * saga's session lock). *stored is the packed first response (malloc'ed)
 * when the command already ran. */
static int idem_lookup(sk_call *call, const char *lock_sql, uint8_t **stored, size_t *stored_len)
{
    const Seklik__Bus__Request *req = call->req;
    *stored = NULL;
    SK_TRY(sk_db_exec(call->db, lock_sql, (sk_param[]){SK_TEXT(req->idempotency_key)}, 1));
    PGresult *r = NULL;
    SK_TRY(sk_db_query(call->db, SQL_IDEM_GET, (sk_param[]){SK_TEXT(req->idempotency_key)}, 1, &r));
    int rc = SK_OK;
    if (PQntuples(r) == 1) {
        uint8_t hash[crypto_hash_sha256_BYTES], *was = NULL;
        size_t was_len = 0;
        request_hash(req, hash);
        rc = sk_db_get_bytea(r, 0, 1, &was, &was_len);
        if (rc == SK_OK && (strcmp(PQgetvalue(r, 0, 0), req->method) != 0 ||
                            was_len != sizeof(hash) || memcmp(was, hash, sizeof(hash)) != 0))
            rc = sk_call_violation_code(call, "idempotencyKey", "idempotency_key.reused",
                                        "key already used for a different request");
        free(was);
        if (rc == SK_OK)
            rc = sk_db_get_bytea(r, 0, 2, stored, stored_len);
    }
    PQclear(r);
    return rc;
}

static int idem_store(sk_call *call, const uint8_t *resp, size_t len)
{
    uint8_t hash[crypto_hash_sha256_BYTES];
    request_hash(call->req, hash);
    sk_param p[] = {SK_TEXT(call->req->idempotency_key), SK_TEXT(call->req->method),
                    SK_BYTES(hash, sizeof(hash)), SK_BYTES(resp, len)};
    return sk_db_exec(call->db, SQL_IDEM_PUT, p, 4);
}

/* Pack `out` as the response's body and store the response the caller
 * will get under the request's idempotency key. */
static int store_response(sk_call *call, const ProtobufCMessage *out, Seklik__Bus__Response *resp)
{
    resp->body.len = protobuf_c_message_get_packed_size(out);
    resp->body.data = sk_call_alloc(call, resp->body.len + 1);
    if (!resp->body.data)
        return SK_ENOMEM;
    protobuf_c_message_pack(out, resp->body.data);
    size_t n = seklik__bus__response__get_packed_size(resp);
    uint8_t *packed = sk_call_alloc(call, n + 1);
    if (!packed)
        return SK_ENOMEM;
    seklik__bus__response__pack(resp, packed);
    return idem_store(call, packed, n);
}

/* ---- dispatch ---- */

/* What every server answers besides its own API, from common code. */
static const sk_rpc_method bus_methods[] = {
    {REPLAY_METHOD, sk_outbox_serve_replay, SK_RPC_QUERY},
    {"bus.ListAudit", sk_audit_serve_list, SK_RPC_QUERY},
};
static const ProtobufCMethodDescriptor bus_descriptors[] = {
    {"Replay", &seklik__bus__replay_request__descriptor,
     &seklik__bus__replay_response__descriptor},
    {"ListAudit", &seklik__bus__list_audit_request__descriptor,
     &seklik__bus__list_audit_response__descriptor},
};

/* Find the handler and message descriptors for "Short.Method". */
static const sk_rpc_method *find_method(sk_rpc_server *srv, const char *name,
                                        const ProtobufCMethodDescriptor **md)
{
    for (size_t i = 0; i < sizeof(bus_methods) / sizeof(bus_methods[0]); i++)
        if (strcmp(name, bus_methods[i].name) == 0) {
            *md = &bus_descriptors[i];
            return &bus_methods[i];
        }
    size_t sn = strlen(srv->short_name);
    if (strncmp(name, srv->short_name, sn) != 0 || name[sn] != '.')
        return NULL;
    const char *m = name + sn + 1;
    *md = protobuf_c_service_descriptor_get_method_by_name(srv->cfg.api, m);
    if (!*md)
        return NULL;
    for (size_t i = 0; i < srv->cfg.n_methods; i++)
        if (strcmp(srv->cfg.methods[i].name, m) == 0)
            return &srv->cfg.methods[i];
    return NULL;
}

/* Pack `resp` into a new nng message; NULL on OOM. */
static nng_msg *pack_response(const Seklik__Bus__Response *resp)
{
    size_t n = seklik__bus__response__get_packed_size(resp);
    nng_msg *m = NULL;
    if (nng_msg_alloc(&m, n) != 0)
        return NULL;
    seklik__bus__response__pack(resp, nng_msg_body(m));
    return m;
}

static nng_msg *packed_response_msg(const uint8_t *data, size_t len, bool replayed)
{
    Seklik__Bus__Response *resp = seklik__bus__response__unpack(NULL, len, data);
    if (!resp)
        return NULL;
    resp->replayed = replayed;
    nng_msg *m = pack_response(resp);
    seklik__bus__response__free_unpacked(resp, NULL);
    return m;
}

static void limits_violation(void *call, const char *field, const char *code, const char *english)
{
    sk_call_violation_code(call, field, code, english);
}

/* Run one decoded request; fills `resp` (body and violations point into
 * `call` memory). Returns the SK_* code. */
static int run_call(sk_rpc_server *srv, sk_call *call, Seklik__Bus__Response *resp,
                    uint8_t **first, size_t *first_len)
{
    const Seklik__Bus__Request *req = call->req;
    if (!sk_sign_verify(srv->cfg.key, req))
        return sk_call_fail(call, SK_EAUTH, "request signature missing or invalid");
    /* Once per request id, until its deadline: a captured request cannot be
     * sent again. The deadline check is the same step, on the same clock. */
    int seen = sk_seen_admit(srv->seen, req->request_id, req->deadline_unix_ms, sk_now_unix_ms());
    if (seen == SK_EINVAL)
        return sk_call_violation_code(call, "deadlineUnixMs", "deadline.invalid",
                                      "required, at most 120 s ahead");
    /* A second arrival answers UNAVAILABLE, not UNAUTHENTICATED: NNG 1.5
     * resends a request by itself when its connection breaks before the
     * reply, and that honest duplicate must read as "retry" (the caller's
     * retry carries a new request id and the same idempotency key), never as
     * "log in again". To a replaying attacker both answers give nothing. */
    if (seen == SK_EAUTH) {
        atomic_fetch_add(&srv->cfg.metrics->rpc_replays_refused, 1);
        return sk_call_fail(call, SK_EUNAVAIL,
                            "request id already received (a resend or a replay); retry");
    }
    if (seen != SK_OK)
        return sk_call_fail(call, seen,
                            seen == SK_ETIMEDOUT ? "deadline passed before the request was handled"
                                                 : "too many requests in flight; retry later");

    const ProtobufCMethodDescriptor *md = NULL;
    const sk_rpc_method *method = find_method(srv, req->method, &md);
    if (!method) {
        char why[200];
        snprintf(why, sizeof(why), "unknown method \"%.100s\"", req->method);
        return sk_call_fail(call, SK_EUNIMPL, why);
    }
    const ProtobufCMessageDescriptor *in_desc = md->input;
    const ProtobufCMessageDescriptor *out_desc = md->output;

    if (method->kind != SK_RPC_QUERY && (!req->idempotency_key || !req->idempotency_key[0]))
        return sk_call_violation_code(call, "idempotencyKey", "required", "required for commands");

    ProtobufCMessage *in = protobuf_c_message_unpack(in_desc, NULL, req->body.len, req->body.data);
    if (!in)
        return sk_call_violation_code(call, "body", "body.invalid", "not a valid message");
    if (sk_limits_check(in, limits_violation, call) > 0) { /* before anything is written */
        protobuf_c_message_free_unpacked(in, NULL);
        return SK_EINVAL;
    }
    ProtobufCMessage *out = sk_call_alloc(call, out_desc->sizeof_message);
    if (!out) {
        protobuf_c_message_free_unpacked(in, NULL);
        return SK_ENOMEM;
    }
    out_desc->message_init(out);

    int rc = sk_db_acquire(srv->cfg.db, &call->db);
    if (rc != SK_OK) {
        protobuf_c_message_free_unpacked(in, NULL);
        return sk_call_fail(call, SK_EUNAVAIL, "database unavailable");
    }
    if (method->kind == SK_RPC_COMMAND) {
        rc = sk_db_begin(call->db);
        if (rc == SK_OK)
            rc = idem_lookup(call, SQL_IDEM_LOCK, first, first_len);
        if (rc == SK_OK && !*first)
            rc = method->fn(call, in, out);
        if (rc == SK_OK && !*first) /* in the same transaction */
            rc = store_response(call, out, resp);
        if (rc == SK_OK)
            rc = sk_db_commit(call->db);
        if (rc == SK_OK) {
            sk_defer_run(&call->after_commit);
        } else {
            if (call->db->error[0] && (rc == SK_EDB || rc == SK_EUNAVAIL))
                sk_log_error("%s: %s", req->method, call->db->error);
            sk_db_rollback(call->db);
            sk_defer_drop(&call->after_commit);
            free(*first);
            *first = NULL;
        }
    } else if (method->kind == SK_RPC_SAGA) {
        sk_param key = SK_TEXT(req->idempotency_key);
        rc = idem_lookup(call, SQL_IDEM_SESSION_LOCK, first, first_len);
        if (rc == SK_OK && !*first) {
            rc = method->fn(call, in, out);
            if (call->db->in_tx) { /* a handler's bug: nothing half-done is kept */
                sk_db_rollback(call->db);
                rc = rc == SK_OK ? SK_EINTERNAL : rc;
            }
            /* Not worth an fsync of its own: if a crash loses it, a retry runs
             * the handler again, which every saga must allow anyway. */
            if (rc == SK_OK)
                rc = sk_db_begin(call->db);
            if (rc == SK_OK)
                rc = sk_db_exec(call->db, "SET LOCAL synchronous_commit TO off", NULL, 0);
            if (rc == SK_OK)
                rc = store_response(call, out, resp);
            if (rc == SK_OK)
                rc = sk_db_commit(call->db);
            if (call->db->in_tx)
                sk_db_rollback(call->db);
        }
        /* Released with the session anyway if this fails (connection reset). */
        sk_db_exec(call->db, SQL_IDEM_SESSION_UNLOCK, &key, 1);
        if (rc == SK_OK && !*first)
            sk_defer_run(&call->after_commit);
        else
            sk_defer_drop(&call->after_commit);
        if (rc != SK_OK) {
            if (call->db->error[0] && (rc == SK_EDB || rc == SK_EUNAVAIL))
                sk_log_error("%s: %s", req->method, call->db->error);
            free(*first);
            *first = NULL;
        }
    } else {
        rc = method->fn(call, in, out);
        if (rc == SK_OK)
            sk_defer_run(&call->after_commit);
        else
            sk_defer_drop(&call->after_commit);
        if (rc == SK_OK) {
            resp->body.len = protobuf_c_message_get_packed_size(out);
            resp->body.data = sk_call_alloc(call, resp->body.len + 1);
            if (!resp->body.data)
                rc = SK_ENOMEM;
            else
                protobuf_c_message_pack(out, resp->body.data);
        } else if (call->db->error[0] && (rc == SK_EDB || rc == SK_EUNAVAIL)) {
            sk_log_error("%s: %s", req->method, call->db->error);
        }
    }
    sk_db_release(call->db);
    call->db = NULL;
    protobuf_c_message_free_unpacked(in, NULL);
    return rc;
}

/* Decode, dispatch, encode: the whole request on a worker thread. */
static nng_msg *handle_request(sk_rpc_server *srv, nng_msg *msg, int *bus_code)
{
    Seklik__Bus__Response resp = SEKLIK__BUS__RESPONSE__INIT;
    Seklik__Bus__Actor empty_actor = SEKLIK__BUS__ACTOR__INIT;
    sk_call call = {.cache = srv->cfg.cache,
                    .app = srv->cfg.app,
                    .service = srv->cfg.service,
                    .health = srv->cfg.health,
                    .key = srv->cfg.key};
    uint8_t *first = NULL;
    size_t first_len = 0;
    int rc;

    Seklik__Bus__Request *req =
        seklik__bus__request__unpack(NULL, nng_msg_len(msg), nng_msg_body(msg));
    if (!req) {
        rc = sk_call_fail(&call, SK_EINVAL, "request envelope is not a valid seklik.bus.Request");
    } else {
        sk_log_set_correlation(req->request_id);
        call.req = req;
        call.actor = req->actor ? req->actor : &empty_actor;
        rc = run_call(srv, &call, &resp, &first, &first_len);
    }

    nng_msg *reply = NULL;
    if (first) {
        /* A retry: the first response, word for word. */
        reply = packed_response_msg(first, first_len, true);
        atomic_fetch_add(&srv->cfg.metrics->rpc_replayed, 1);
        free(first);
        rc = SK_OK;
    } else {
        resp.code = (Seklik__Bus__Code)sk_err_to_bus_code(rc);
        if (rc != SK_OK) {
            resp.body.len = 0;
            resp.body.data = NULL;
            if (!call.message[0])
                snprintf(call.message, sizeof(call.message), "%s", sk_strerror(rc));
        }
        resp.message = call.message;
        resp.n_violations = call.n_violations;
        resp.violations = call.violations;
        reply = pack_response(&resp);
    }
    if (rc != SK_OK && rc != SK_EINVAL && rc != SK_ENOTFOUND && rc != SK_EPERM && rc != SK_EAUTH)
        sk_log_warn("%s: %s", req ? req->method : "?", call.message[0] ? call.message : sk_strerror(rc));
    *bus_code = sk_err_to_bus_code(rc);
    sk_arena_free(&call.arena);
    if (req)
        seklik__bus__request__free_unpacked(req, NULL);
    sk_log_set_correlation(NULL);
    return reply;
}

static void on_work(uv_work_t *w)
{
    rpc_slot *slot = w->data;
    sk_rpc_server *srv = slot->srv;
    uint64_t t0 = sk_now_mono_ns();
    int code = 0;
    nng_msg *reply = handle_request(srv, slot->msg, &code);
    nng_msg_free(slot->msg);
    slot->msg = NULL;
    sk_metrics_observe_rpc(srv->cfg.metrics, code, (sk_now_mono_ns() - t0) / 1000);
    if (!reply)
        return; /* out of memory: the caller's deadline will tell it */
    nng_aio_set_msg(slot->send_aio, reply);
    nng_ctx_send(slot->ctx, slot->send_aio);
    nng_aio_wait(slot->send_aio);
    if (nng_aio_result(slot->send_aio) != 0)
        nng_msg_free(reply);
}

static void on_work_done(uv_work_t *w, int status)
{
    (void)status;
    rpc_slot *slot = w->data;
    sk_rpc_server *srv = slot->srv;
    srv->inflight--;
    if (!srv->draining)
        nng_ctx_recv(slot->ctx, slot->recv_aio);
}

/* NNG thread: never blocks, only queues. */
static void on_recv(void *arg)
{
    rpc_slot *slot = arg;
    sk_loopq_push(&slot->srv->queue, &slot->item);
}

static void on_drain_queue(sk_loopq *q, sk_loopq_item *items, void *arg)
{
    (void)q;
    sk_rpc_server *srv = arg;
    while (items) {
        rpc_slot *slot = (rpc_slot *)items;
        items = items->next;
        int rv = nng_aio_result(slot->recv_aio);
        if (rv != 0) {
            if (!srv->draining && rv != NNG_ECLOSED)
                nng_ctx_recv(slot->ctx, slot->recv_aio);
            continue;
        }
        slot->msg = nng_aio_get_msg(slot->recv_aio);
        if (srv->draining) {
            nng_msg_free(slot->msg);
            slot->msg = NULL;
            continue;
        }
        srv->inflight++;
        slot->work.data = slot;
        if (uv_queue_work(srv->loop, &slot->work, on_work, on_work_done) != 0) {
            srv->inflight--;
            nng_msg_free(slot->msg);
            slot->msg = NULL;
            nng_ctx_recv(slot->ctx, slot->recv_aio);
        }
    }
}

int sk_rpc_server_start(uv_loop_t *loop, const sk_rpc_server_config *cfg, sk_rpc_server **out)
{
    for (unsigned i = 0; i < cfg->api->n_methods; i++) {
        bool found = false;
        for (size_t j = 0; j < cfg->n_methods && !found; j++)
            found = strcmp(cfg->api->methods[i].name, cfg->methods[j].name) == 0;
        if (!found) {
            sk_log_error("rpc: method %s.%s has no handler", cfg->api->short_name,
                         cfg->api->methods[i].name);
            return SK_ECONFIG;
        }
    }
    sk_rpc_server *srv = calloc(1, sizeof(*srv));
    if (!srv)
        return SK_ENOMEM;
    srv->cfg = *cfg;
    srv->loop = loop;
    snprintf(srv->short_name, sizeof(srv->short_name), "%s", cfg->api->short_name);
    srv->n_slots = cfg->concurrency > 0 ? cfg->concurrency : 16;
    srv->slots = calloc((size_t)srv->n_slots, sizeof(rpc_slot));
    int rv = srv->slots && sk_seen_new(SK_RPC_MAX_DEADLINE_MS + CLOCK_SKEW_MS, SEEN_MAX,
                                       &srv->seen) == SK_OK
                 ? nng_rep0_open(&srv->sock)
                 : NNG_ENOMEM;
    if (rv != 0) {
        sk_seen_free(srv->seen);
        free(srv->slots);
        free(srv);
        return SK_ENOMEM;
    }
    rv = nng_socket_set_size(srv->sock, NNG_OPT_RECVMAXSZ, SK_RPC_MAX_MESSAGE);
    if (rv == 0)
        rv = sk_tls_listen(srv->sock, cfg->listen_url, &srv->listener);
    if (rv != 0) {
        sk_log_error("rpc: cannot listen on %s: %s", cfg->listen_url, nng_strerror(rv));
        nng_close(srv->sock);
        sk_seen_free(srv->seen);
        free(srv->slots);
        free(srv);
        return SK_EUNAVAIL;
    }
    if (sk_loopq_init(&srv->queue, loop, on_drain_queue, srv) != SK_OK) {
        nng_close(srv->sock);
        sk_seen_free(srv->seen);
        free(srv->slots);
        free(srv);
        return SK_EINTERNAL;
    }
    for (int i = 0; i < srv->n_slots; i++) {
        rpc_slot *s = &srv->slots[i];
        s->srv = srv;
        if (nng_ctx_open(&s->ctx, srv->sock) != 0 ||
            nng_aio_alloc(&s->recv_aio, on_recv, s) != 0 ||
            nng_aio_alloc(&s->send_aio, NULL, NULL) != 0) {
            sk_log_error("rpc: cannot allocate context %d", i);
            srv->n_slots = i;
            sk_rpc_server_close(srv);
            return SK_ENOMEM;
        }
        nng_aio_set_timeout(s->send_aio, 5000);
        nng_ctx_recv(s->ctx, s->recv_aio);
    }
    sk_log_info("rpc: listening on %s with %d contexts", cfg->listen_url, srv->n_slots);
    *out = srv;
    return SK_OK;
}

void sk_rpc_server_drain(sk_rpc_server *srv)
{
    srv->draining = true;
    /* Stop receiving; work in flight still answers. The listener stays open:
     * closing it would also close its connections, and with them the reply
     * the caller is waiting for. */
    for (int i = 0; i < srv->n_slots; i++)
        nng_aio_cancel(srv->slots[i].recv_aio);
}

int sk_rpc_server_inflight(const sk_rpc_server *srv)
{
    return srv->inflight;
}

void sk_rpc_server_close(sk_rpc_server *srv)
{
    if (!srv)
        return;
    srv->draining = true;
    for (int i = 0; i < srv->n_slots; i++) {
        if (srv->slots[i].recv_aio)
            nng_aio_stop(srv->slots[i].recv_aio);
        if (srv->slots[i].send_aio)
            nng_aio_stop(srv->slots[i].send_aio);
    }
    /* Requests received but not yet taken by the loop are freed here, while
     * their aio still exist (draining: on_drain_queue drops them). */
    sk_loopq_close(&srv->queue);
    sk_nng_close_bounded(srv->sock, SK_NNG_CLOSE_TIMEOUT_MS);
    for (int i = 0; i < srv->n_slots; i++) {
        if (srv->slots[i].recv_aio)
            nng_aio_free(srv->slots[i].recv_aio);
        if (srv->slots[i].send_aio)
            nng_aio_free(srv->slots[i].send_aio);
    }
    /* The async handle closes on the next loop turn; the struct is freed by
     * the service after uv_run returns (see sk_service.c). */
}

void sk_rpc_server_free(sk_rpc_server *srv)
{
    if (!srv)
        return;
    sk_seen_free(srv->seen);
    free(srv->slots);
    free(srv);
}
