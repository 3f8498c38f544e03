#include "sk_inbox.h"

#include <nng/nng.h>
#include <nng/protocol/pubsub0/sub.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_id.h"
#include "sk_log.h"
#include "sk_loopq.h"
#include "sk_nng.h"
#include "sk_outbox.h"
#include "sk_rpc.h"
#include "sk_tls.h"

#define REPLAY_PAGE 500
#define REPLAY_TIMEOUT_MS 5000
#define REFUSAL_LOG_INTERVAL_NS (10ull * 1000000000)

typedef struct frame_node {
    sk_loopq_item item;
    nng_msg *msg;
} frame_node;

struct sk_subscriber {
    sk_subscriber_config cfg;
    uv_loop_t *loop;
    nng_socket sock;
    nng_aio *recv_aio;
    sk_loopq queue;
    uv_timer_t timer;
    uv_work_t work;
    sk_rpc_client *replay;
    Seklik__Bus__Actor actor;
    char actor_id[96];
    /* loop thread */
    frame_node *pending_head, *pending_tail;
    int n_pending;
    bool busy, catch_up, closing;
    /* handed to the worker */
    frame_node *batch;
    bool batch_catch_up;
    /* the worker's (one batch at a time): refusals not logged yet */
    uint64_t refused_logged_ns, refused_unlogged;
    /* the worker's, in_memory only: the position, and whether it is known */
    uint64_t mem_last;
    bool mem_known;
};

static const char SQL_OFFSET_ENSURE[] =
    "INSERT INTO inbox_offsets (source, last_seq) VALUES ($1, 0) ON CONFLICT (source) DO NOTHING";
static const char SQL_OFFSET_LOCK[] =
    "SELECT last_seq FROM inbox_offsets WHERE source = $1 FOR UPDATE";
static const char SQL_OFFSET_SET[] =
    "UPDATE inbox_offsets SET last_seq = $2, updated_at = now() WHERE source = $1";
/* in_memory: how far the furthest replica got, for check and status only. */
static const char SQL_OFFSET_REPORT[] =
    "INSERT INTO inbox_offsets (source, last_seq) VALUES ($1, $2) ON CONFLICT (source) DO "
    "UPDATE SET last_seq = GREATEST(inbox_offsets.last_seq, EXCLUDED.last_seq), "
    "updated_at = now() WHERE inbox_offsets.last_seq < EXCLUDED.last_seq";

static bool wanted(const sk_subscriber *s, const char *type)
{
    if (!s->cfg.prefixes)
        return true;
    for (const char *const *p = s->cfg.prefixes; *p; p++)
        if (strncmp(type, *p, strlen(*p)) == 0)
            return true;
    return false;
}

static int offset_begin(sk_subscriber *s, sk_db *db, uint64_t *last)
{
    if (s->cfg.in_memory) {
        *last = s->mem_last;
        return SK_OK;
    }
    sk_param src = SK_TEXT(s->cfg.source);
    SK_TRY(sk_db_exec(db, SQL_OFFSET_ENSURE, &src, 1));
    SK_TRY(sk_db_begin(db));
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL_OFFSET_LOCK, &src, 1, &r));
    *last = (uint64_t)sk_db_get_int64(r, 0, 0);
    PQclear(r);
    return SK_OK;
}

int sk_event_after_commit(sk_event_ctx *ctx, sk_defer_fn fn, void *arg)
{
    return sk_defer_add(&ctx->after_commit, ctx->arena, fn, arg);
}

/* Store the offset and commit; then what the applied events deferred runs. */
static int offset_commit(sk_subscriber *s, sk_event_ctx *ctx, uint64_t last)
{
    char v[24];
    snprintf(v, sizeof(v), "%llu", (unsigned long long)last);
    if (s->cfg.in_memory) {
        bool moved = last != s->mem_last;
        s->mem_last = last;
        sk_defer_run(&ctx->after_commit);
        /* A failed report costs nothing but a stale row. */
        if (moved)
            sk_db_exec(ctx->db, SQL_OFFSET_REPORT,
                       (sk_param[]){SK_TEXT(s->cfg.source), SK_TEXT(v)}, 2);
        return SK_OK;
    }
    SK_TRY(sk_db_exec(ctx->db, SQL_OFFSET_SET, (sk_param[]){SK_TEXT(s->cfg.source), SK_TEXT(v)},
                      2));
    SK_TRY(sk_db_commit(ctx->db));
    sk_defer_run(&ctx->after_commit);
    return SK_OK;
}

/* in_memory: start from the source's head (what came before concerns a
 * process that was not running), asked of the source once. */
static int mem_start(sk_subscriber *s)
{
    if (s->mem_known)
        return SK_OK;
    Seklik__Bus__ReplayRequest req = SEKLIK__BUS__REPLAY_REQUEST__INIT;
    req.after_seq = INT64_MAX; /* nothing after it: just the head */
    req.limit = 1;
    Seklik__Bus__ReplayResponse *page = NULL;
    char why[256];
    int rc = sk_rpc_call_decode(s->replay, "bus.Replay", &s->actor, NULL, &req.base,
                                &seklik__bus__replay_response__descriptor, REPLAY_TIMEOUT_MS,
                                (ProtobufCMessage **)&page, why, sizeof(why));
    if (rc != SK_OK) {
        sk_log_warn("inbox: %s's head not known yet: %s", s->cfg.source, why);
        return rc;
    }
    s->mem_last = page->last_seq;
    s->mem_known = true;
    protobuf_c_message_free_unpacked(&page->base, NULL);
    return SK_OK;
}

enum refusal { REFUSED_SIGNATURE, REFUSED_SOURCE, REFUSED_MALFORMED };

/* Why `ev` must not be applied, or -1 when it may: signed by a holder of the
 * key and, off the live stream, from the source this stream is for. A Replay
 * answer comes from the source's own RPC address, and the tests' stand-ins
 * serve another service's stream under their own name there. */
static int refusal_of(const sk_subscriber *s, const Seklik__Bus__Event *ev, bool live)
{
    if (!sk_sign_event_verify(s->cfg.key, ev))
        return REFUSED_SIGNATURE;
    if (live && strcmp(ev->source, s->cfg.source) != 0)
        return REFUSED_SOURCE;
    return -1;
}

/* Count a refused event (`ev` NULL when the frame did not parse); log it, but
 * at most once per interval with how many were refused meanwhile, so a flood
 * of forgeries cannot flood the log. */
static void refuse(sk_subscriber *s, int why, const Seklik__Bus__Event *ev, const char *how)
{
    static const char *const reasons[] = {"bad or missing signature", "another source",
                                          "malformed frame"};
    sk_metrics *m = s->cfg.metrics;
    atomic_fetch_add(why == REFUSED_SIGNATURE ? &m->events_refused_signature
                     : why == REFUSED_SOURCE  ? &m->events_refused_source
                                              : &m->events_refused_malformed,
                     1);
    s->refused_unlogged++;
    uint64_t now = sk_now_mono_ns();
    if (s->refused_logged_ns && now - s->refused_logged_ns < REFUSAL_LOG_INTERVAL_NS)
        return;
    sk_log_warn("inbox: %s event on %s's stream refused (%s): \"%.64s\" from \"%.32s\" seq %llu; "
                "%llu refused since the last report",
                how, s->cfg.source, reasons[why], ev ? ev->type : "", ev ? ev->source : "",
                ev ? (unsigned long long)ev->seq : 0ull, (unsigned long long)s->refused_unlogged);
    s->refused_logged_ns = now;
    s->refused_unlogged = 0;
}

/* Apply `ev`, which must be the next one (seq == *last + 1). */
static int apply_next(sk_subscriber *s, sk_event_ctx *ctx, const Seklik__Bus__Event *ev,
                      uint64_t *last)
{
    sk_db *db = ctx->db;
    if (wanted(s, ev->type)) {
        sk_log_set_correlation(ev->correlation_id);
        int rc = s->cfg.apply(ctx, ev);
        sk_log_set_correlation(NULL);
        if (rc != SK_OK) {
            atomic_fetch_add(&s->cfg.metrics->apply_errors, 1);
            sk_log_error("inbox: %s seq %llu (%s) not applied: %s%s%s", s->cfg.source,
                         (unsigned long long)ev->seq, ev->type, sk_strerror(rc),
                         db->error[0] ? ": " : "", db->error);
            return rc;
        }
        atomic_fetch_add(&s->cfg.metrics->events_applied, 1);
    }
    *last = ev->seq;
    return SK_OK;
}

/* Fetch and apply events after *last up to `until`, a page per transaction. */
static int replay_until(sk_subscriber *s, sk_event_ctx *ctx, uint64_t *last, uint64_t until)
{
    while (*last < until) {
        Seklik__Bus__ReplayRequest req = SEKLIK__BUS__REPLAY_REQUEST__INIT;
        req.after_seq = *last;
        req.limit = REPLAY_PAGE;
        Seklik__Bus__ReplayResponse *page = NULL;
        char why[256];
        int rc = sk_rpc_call_decode(s->replay, "bus.Replay", &s->actor, NULL, &req.base,
                                    &seklik__bus__replay_response__descriptor, REPLAY_TIMEOUT_MS,
                                    (ProtobufCMessage **)&page, why, sizeof(why));
        if (rc != SK_OK) {
            sk_log_warn("inbox: replay from %s after %llu failed: %s", s->cfg.source,
                        (unsigned long long)*last, why);
            return rc;
        }
        atomic_fetch_add(&s->cfg.metrics->events_replayed, page->n_events);
        /* The whole page is checked before any of it is applied; one bad
         * event fails the batch, and the next tick asks again. */
        for (size_t i = 0; rc == SK_OK && i < page->n_events; i++) {
            int why = refusal_of(s, page->events[i], false);
            if (why >= 0) {
                refuse(s, why, page->events[i], "replayed");
                rc = SK_EAUTH;
            }
        }
        for (size_t i = 0; rc == SK_OK && i < page->n_events && *last < until; i++) {
            if (page->events[i]->seq != *last + 1) {
                sk_log_error("inbox: %s replay returned seq %llu after %llu", s->cfg.source,
                             (unsigned long long)page->events[i]->seq,
                             (unsigned long long)*last);
                rc = SK_EINTERNAL;
                break;
            }
            rc = apply_next(s, ctx, page->events[i], last);
        }
        bool done = page->n_events < REPLAY_PAGE;
        protobuf_c_message_free_unpacked(&page->base, NULL);
        if (rc != SK_OK)
            return rc;
        /* Commit each page: a long catch-up is not one huge transaction. */
        SK_TRY(offset_commit(s, ctx, *last));
        SK_TRY(offset_begin(s, ctx->db, last));
        if (done)
            break;
    }
    return SK_OK;
}

static int process(sk_subscriber *s, sk_event_ctx *ctx, frame_node *batch, bool catch_up)
{
    sk_db *db = ctx->db;
    uint64_t last = 0;
    if (s->cfg.in_memory)
        SK_TRY(mem_start(s));
    SK_TRY(offset_begin(s, db, &last));
    int rc = SK_OK;
    for (frame_node *n = batch; n && rc == SK_OK; n = (frame_node *)n->item.next) {
        Seklik__Bus__Event *ev = NULL;
        if (sk_event_parse(nng_msg_body(n->msg), nng_msg_len(n->msg), &ev) != SK_OK) {
            refuse(s, REFUSED_MALFORMED, NULL, "live");
            continue;
        }
        int why = refusal_of(s, ev, true);
        if (why >= 0) {
            refuse(s, why, ev, "live"); /* as if lost: a later frame or the timer replays it */
        } else if (ev->seq <= last) {
            atomic_fetch_add(&s->cfg.metrics->events_duplicate, 1);
        } else {
            if (ev->seq > last + 1) {
                atomic_fetch_add(&s->cfg.metrics->events_gaps, 1);
                rc = replay_until(s, ctx, &last, ev->seq - 1);
            }
            if (rc == SK_OK && ev->seq == last + 1)
                rc = apply_next(s, ctx, ev, &last);
            else if (rc == SK_OK && ev->seq <= last)
                atomic_fetch_add(&s->cfg.metrics->events_duplicate, 1);
        }
        seklik__bus__event__free_unpacked(ev, NULL);
    }
    if (rc == SK_OK && catch_up)
        rc = replay_until(s, ctx, &last, UINT64_MAX);
    if (rc == SK_OK)
        rc = offset_commit(s, ctx, last);
    if (rc != SK_OK) {
        if (!s->cfg.in_memory)
            sk_db_rollback(db);
        sk_defer_drop(&ctx->after_commit);
    }
    return rc;
}

static void on_work(uv_work_t *w)
{
    sk_subscriber *s = w->data;
    sk_db *db = NULL;
    if (sk_db_acquire(s->cfg.db, &db) != SK_OK)
        return; /* the next tick tries again */
    sk_arena arena = SK_ARENA_INIT;
    sk_event_ctx ctx = {.db = db, .cache = s->cfg.cache, .app = s->cfg.app, .arena = &arena};
    process(s, &ctx, s->batch, s->batch_catch_up);
    sk_arena_free(&arena);
    sk_db_release(db);
}

static void kick(sk_subscriber *s);

static void on_work_done(uv_work_t *w, int status)
{
    (void)status;
    sk_subscriber *s = w->data;
    for (frame_node *n = s->batch; n;) {
        frame_node *next = (frame_node *)n->item.next;
        nng_msg_free(n->msg);
        free(n);
        n = next;
    }
    s->batch = NULL;
    s->busy = false;
    if (!s->closing && (s->pending_head || s->catch_up))
        kick(s);
}

static void kick(sk_subscriber *s)
{
    if (s->busy || s->closing)
        return;
    s->busy = true;
    s->batch = s->pending_head;
    s->batch_catch_up = s->catch_up;
    s->pending_head = s->pending_tail = NULL;
    s->n_pending = 0;
    s->catch_up = false;
    s->work.data = s;
    if (uv_queue_work(s->loop, &s->work, on_work, on_work_done) != 0) {
        s->busy = false;
        on_work_done(&s->work, 0);
    }
}

static void on_frames(sk_loopq *q, sk_loopq_item *items, void *arg)
{
    (void)q;
    sk_subscriber *s = arg;
    while (items) {
        frame_node *n = (frame_node *)items;
        items = items->next;
        n->item.next = NULL;
        if (s->closing) {
            nng_msg_free(n->msg);
            free(n);
            continue;
        }
        /* Bounded memory, dropping the OLDEST frame: the newest carries the
         * highest seq, which is what reveals how much to replay. A dropped
         * frame is just a gap. */
        if (s->n_pending >= s->cfg.max_pending) {
            frame_node *old = s->pending_head;
            s->pending_head = (frame_node *)old->item.next;
            if (!s->pending_head)
                s->pending_tail = NULL;
            s->n_pending--;
            nng_msg_free(old->msg);
            free(old);
        }
        if (s->pending_tail)
            s->pending_tail->item.next = &n->item;
        else
            s->pending_head = n;
        s->pending_tail = n;
        s->n_pending++;
    }
    kick(s);
}

/* NNG thread: hand the frame over and receive the next one. */
static void on_recv(void *arg)
{
    sk_subscriber *s = arg;
    if (nng_aio_result(s->recv_aio) != 0)
        return; /* closed or cancelled */
    frame_node *n = malloc(sizeof(*n));
    nng_msg *msg = nng_aio_get_msg(s->recv_aio);
    if (n) {
        n->msg = msg;
        sk_loopq_push(&s->queue, &n->item);
    } else {
        nng_msg_free(msg);
    }
    nng_recv_aio(s->sock, s->recv_aio);
}

static void on_tick(uv_timer_t *t)
{
    sk_subscriber *s = t->data;
    s->catch_up = true;
    kick(s);
}

int sk_subscriber_start(uv_loop_t *loop, const sk_subscriber_config *cfg, sk_subscriber **out)
{
    sk_subscriber *s = calloc(1, sizeof(*s));
    if (!s)
        return SK_ENOMEM;
    s->cfg = *cfg;
    if (s->cfg.max_pending <= 0)
        s->cfg.max_pending = 4096;
    if (s->cfg.replay_interval_ms <= 0)
        s->cfg.replay_interval_ms = 1000;
    s->loop = loop;
    seklik__bus__actor__init(&s->actor);
    snprintf(s->actor_id, sizeof(s->actor_id), "system:%s", cfg->service);
    s->actor.user_id = s->actor_id;

    int rc = sk_rpc_client_open(cfg->rpc_url, cfg->key, 0, &s->replay);
    if (rc != SK_OK) {
        free(s);
        return rc;
    }
    int rv = nng_sub0_open(&s->sock);
    if (rv == 0)
        rv = nng_socket_set(s->sock, NNG_OPT_SUB_SUBSCRIBE, "", 0);
    if (rv == 0)
        rv = nng_socket_set_int(s->sock, NNG_OPT_RECVBUF, 1024);
    if (rv == 0)
        rv = nng_socket_set_ms(s->sock, NNG_OPT_RECONNMINT, 20);
    if (rv == 0)
        rv = nng_socket_set_ms(s->sock, NNG_OPT_RECONNMAXT, 500);
    if (rv == 0)
        rv = sk_tls_dial(s->sock, cfg->events_url, NULL);
    if (rv == 0)
        rv = nng_aio_alloc(&s->recv_aio, on_recv, s);
    if (rv != 0 || sk_loopq_init(&s->queue, loop, on_frames, s) != SK_OK) {
        sk_log_error("inbox: cannot subscribe to %s at %s: %s", cfg->source, cfg->events_url,
                     nng_strerror(rv));
        nng_close(s->sock);
        sk_rpc_client_close(s->replay);
        free(s);
        return SK_EUNAVAIL;
    }
    uv_timer_init(loop, &s->timer);
    s->timer.data = s;
    uv_timer_start(&s->timer, on_tick, (uint64_t)s->cfg.replay_interval_ms,
                   (uint64_t)s->cfg.replay_interval_ms);
    nng_recv_aio(s->sock, s->recv_aio);
    s->catch_up = true;
    kick(s);
    sk_log_info("inbox: subscribed to %s at %s", cfg->source, cfg->events_url);
    *out = s;
    return SK_OK;
}

bool sk_subscriber_busy(const sk_subscriber *s)
{
    return s->busy;
}

void sk_subscriber_drain(sk_subscriber *s)
{
    if (!s)
        return;
    s->closing = true;
    sk_rpc_client_abort(s->replay);
}

void sk_subscriber_close(sk_subscriber *s)
{
    if (!s)
        return;
    s->closing = true;
    uv_timer_stop(&s->timer);
    uv_close((uv_handle_t *)&s->timer, NULL);
    nng_aio_stop(s->recv_aio);
    sk_nng_close_bounded(s->sock, SK_NNG_CLOSE_TIMEOUT_MS);
    nng_aio_free(s->recv_aio);
    s->recv_aio = NULL;
    sk_loopq_close(&s->queue);
}

void sk_subscriber_free(sk_subscriber *s)
{
    if (!s)
        return;
    for (frame_node *n = s->pending_head; n;) {
        frame_node *next = (frame_node *)n->item.next;
        nng_msg_free(n->msg);
        free(n);
        n = next;
    }
    sk_rpc_client_close(s->replay);
    free(s);
}
