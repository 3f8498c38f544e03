#include "sk_outbox.h"

#include <cjson/cJSON.h>
#include <nng/protocol/pubsub0/pub.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_id.h"
#include "sk_log.h"
#include "sk_nng.h"
#include "sk_tls.h"

static const char BUS_SQL[] =
    "CREATE TABLE outbox (\n"
    "  seq bigint PRIMARY KEY,\n"
    "  id uuid NOT NULL UNIQUE,\n"
    "  type text NOT NULL,\n"
    "  occurred_unix_us bigint NOT NULL,\n"
    "  committed_at timestamptz NOT NULL DEFAULT clock_timestamp(),\n"
    "  correlation_id text NOT NULL DEFAULT '',\n"
    "  actor bytea,\n"
    "  body bytea NOT NULL\n"
    ");\n"
    "CREATE TABLE outbox_head (\n"
    "  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),\n"
    "  last_seq bigint NOT NULL\n"
    ");\n"
    "INSERT INTO outbox_head (singleton, last_seq) VALUES (true, 0);\n"
    "CREATE TABLE inbox_offsets (\n"
    "  source text PRIMARY KEY,\n"
    "  last_seq bigint NOT NULL,\n"
    "  updated_at timestamptz NOT NULL DEFAULT now()\n"
    ");\n"
    "CREATE TABLE audit_log (\n"
    "  id bigserial PRIMARY KEY,\n"
    "  at timestamptz NOT NULL DEFAULT now(),\n"
    "  user_id text NOT NULL,\n"
    "  roles jsonb NOT NULL,\n"
    "  company_id text,\n"
    "  remote_addr text,\n"
    "  action text NOT NULL,\n"
    "  entity_type text NOT NULL,\n"
    "  entity_id text NOT NULL,\n"
    "  before jsonb,\n"
    "  after jsonb,\n"
    "  correlation_id text NOT NULL DEFAULT ''\n"
    ");\n"
    "CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, at);\n"
    "CREATE TABLE idempotency (\n"
    "  key text PRIMARY KEY,\n"
    "  method text NOT NULL,\n"
    "  request_hash bytea NOT NULL,\n"
    "  response bytea NOT NULL,\n"
    "  created_at timestamptz NOT NULL DEFAULT now()\n"
    ");\n";

/* The trail is read newest first, by company and by user (bus.ListAudit).
 * A partner's rows carry its company already; the rest name the company
 * they concern from now on (sk_audit_append_about). */
static const char BUS_AUDIT_SQL[] =
    "CREATE INDEX audit_log_at ON audit_log (at, id);\n"
    "CREATE INDEX audit_log_company ON audit_log (company_id, at) WHERE company_id IS NOT NULL;\n"
    "CREATE INDEX audit_log_user ON audit_log (user_id, at);\n";

const sk_migration sk_bus_migrations[] = {
    {"0000_bus.sql", BUS_SQL}, {"0000_bus_audit_lookup.sql", BUS_AUDIT_SQL}, {NULL, NULL}};
const size_t sk_bus_migrations_count = 2;

/* The notification is delivered at commit; identical ones in a transaction
 * fold into one. Folding it into the insert saves a round trip per event. */
static const char SQL_APPEND[] =
    "WITH head AS (UPDATE outbox_head SET last_seq = last_seq + 1 RETURNING last_seq), "
    "ins AS (INSERT INTO outbox (seq, id, type, occurred_unix_us, correlation_id, actor, body) "
    "SELECT last_seq, $1, $2, $3, $4, $5, $6 FROM head RETURNING seq) "
    "SELECT seq, pg_notify('seklik_outbox_' || current_schema(), '') FROM ins";
/* Events of a batch arrive as a JSON array (bodies in hex): still one
 * parameter, never SQL text built from values. Sequence numbers are the head
 * plus each event's position, so they stay gapless and in order. */
static const char SQL_APPEND_BATCH[] =
    "WITH head AS (UPDATE outbox_head SET last_seq = last_seq + $1::bigint "
    "RETURNING last_seq - $1::bigint AS base), "
    "ins AS (INSERT INTO outbox (seq, id, type, occurred_unix_us, correlation_id, actor, body) "
    "SELECT head.base + e.i, e.id::uuid, e.type, $3::bigint, $4, $5::bytea, "
    "decode(e.body, 'hex') FROM head, jsonb_to_recordset($2::jsonb) "
    "AS e(i bigint, id text, type text, body text) RETURNING 1) "
    "SELECT count(*), pg_notify('seklik_outbox_' || current_schema(), '') FROM ins";
#define BATCH_CHUNK 1000
static const char SQL_LAST[] = "SELECT last_seq FROM outbox_head";
static const char SQL_READ[] =
    "SELECT seq, id, type, occurred_unix_us, correlation_id, actor, body "
    "FROM outbox WHERE seq > $1 ORDER BY seq LIMIT $2";

#define REPLAY_MAX 1000

int sk_outbox_append_bytes(sk_db *db, const char *type, const uint8_t *body, size_t len,
                           const Seklik__Bus__Actor *actor, const char *correlation_id,
                           uint64_t *seq)
{
    char id[SK_UUID_STRLEN], when[24];
    sk_uuid7(id);
    snprintf(when, sizeof(when), "%lld", (long long)sk_now_unix_us());
    uint8_t small[256] = {0}, *packed_actor = NULL;
    size_t actor_len = 0;
    if (actor) {
        actor_len = seklik__bus__actor__get_packed_size(actor);
        packed_actor = actor_len <= sizeof(small) ? small : malloc(actor_len);
        if (!packed_actor)
            return SK_ENOMEM;
        seklik__bus__actor__pack(actor, packed_actor);
    }
    sk_param p[] = {SK_TEXT(id),
                    SK_TEXT(type),
                    SK_TEXT(when),
                    SK_TEXT(correlation_id ? correlation_id : ""),
                    actor ? SK_BYTES(packed_actor, actor_len) : SK_TEXT(NULL),
                    SK_BYTES(body ? body : (const uint8_t *)"", len)};
    PGresult *r = NULL;
    int rc = sk_db_query(db, SQL_APPEND, p, 6, &r);
    if (packed_actor && packed_actor != small)
        free(packed_actor);
    if (rc != SK_OK)
        return rc;
    if (seq)
        *seq = (uint64_t)sk_db_get_int64(r, 0, 0);
    PQclear(r);
    return SK_OK;
}

/* Append events [from, to) of `events` with one statement. */
static int append_chunk(sk_db *db, const sk_outbox_event *events, size_t from, size_t to,
                        const char *when, const uint8_t *actor, size_t actor_len,
                        const char *correlation_id)
{
    cJSON *arr = cJSON_CreateArray();
    if (!arr)
        return SK_ENOMEM;
    int rc = SK_OK;
    for (size_t k = from; k < to && rc == SK_OK; k++) {
        char id[SK_UUID_STRLEN];
        sk_uuid7(id);
        char *hex = malloc(events[k].len * 2 + 1);
        cJSON *o = cJSON_CreateObject();
        if (!hex || !o) {
            free(hex);
            cJSON_Delete(o);
            rc = SK_ENOMEM;
            break;
        }
        sodium_bin2hex(hex, events[k].len * 2 + 1, events[k].body, events[k].len);
        cJSON_AddNumberToObject(o, "i", (double)(k - from + 1));
        cJSON_AddStringToObject(o, "id", id);
        cJSON_AddStringToObject(o, "type", events[k].type);
        cJSON_AddStringToObject(o, "body", hex);
        cJSON_AddItemToArray(arr, o);
        free(hex);
    }
    char *json = rc == SK_OK ? cJSON_PrintUnformatted(arr) : NULL;
    cJSON_Delete(arr);
    if (rc == SK_OK && !json)
        rc = SK_ENOMEM;
    if (rc == SK_OK) {
        char count[24];
        snprintf(count, sizeof(count), "%zu", to - from);
        sk_param p[] = {SK_TEXT(count), SK_TEXT(json), SK_TEXT(when),
                        SK_TEXT(correlation_id ? correlation_id : ""),
                        actor ? SK_BYTES(actor, actor_len) : SK_TEXT(NULL)};
        rc = sk_db_exec(db, SQL_APPEND_BATCH, p, 5);
    }
    cJSON_free(json);
    return rc;
}

int sk_outbox_append_batch(sk_db *db, const sk_outbox_event *events, size_t n,
                           const Seklik__Bus__Actor *actor, const char *correlation_id)
{
    char when[24];
    snprintf(when, sizeof(when), "%lld", (long long)sk_now_unix_us());
    uint8_t *packed = NULL;
    size_t actor_len = 0;
    if (actor) {
        actor_len = seklik__bus__actor__get_packed_size(actor);
        if (!(packed = malloc(actor_len + 1)))
            return SK_ENOMEM;
        seklik__bus__actor__pack(actor, packed);
    }
    int rc = SK_OK;
    for (size_t from = 0; from < n && rc == SK_OK; from += BATCH_CHUNK) {
        size_t to = from + BATCH_CHUNK < n ? from + BATCH_CHUNK : n;
        rc = append_chunk(db, events, from, to, when, packed, actor_len, correlation_id);
    }
    free(packed);
    return rc;
}

int sk_outbox_append(sk_db *db, const char *type, const ProtobufCMessage *body,
                     const Seklik__Bus__Actor *actor, const char *correlation_id, uint64_t *seq)
{
    uint8_t small[1024] = {0};
    size_t n = body ? protobuf_c_message_get_packed_size(body) : 0;
    uint8_t *buf = n <= sizeof(small) ? small : malloc(n);
    if (!buf)
        return SK_ENOMEM;
    if (body)
        protobuf_c_message_pack(body, buf);
    int rc = sk_outbox_append_bytes(db, type, buf, n, actor, correlation_id, seq);
    if (buf != small)
        free(buf);
    return rc;
}

int sk_outbox_last_seq(sk_db *db, uint64_t *last)
{
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL_LAST, NULL, 0, &r));
    *last = (uint64_t)sk_db_get_int64(r, 0, 0);
    PQclear(r);
    return SK_OK;
}

/* Fill `ev` from row `i` of a SQL_READ result. Strings point into `r`;
 * bytes are malloc'ed into *actor_buf and *body_buf (caller frees). */
static int row_to_event(const PGresult *r, int i, const char *source, Seklik__Bus__Event *ev,
                        Seklik__Bus__Actor **actor, uint8_t **body_buf)
{
    seklik__bus__event__init(ev);
    ev->seq = (uint64_t)sk_db_get_int64(r, i, 0);
    ev->id = PQgetvalue(r, i, 1);
    ev->type = PQgetvalue(r, i, 2);
    ev->source = (char *)source;
    ev->occurred_unix_us = sk_db_get_int64(r, i, 3);
    ev->correlation_id = PQgetvalue(r, i, 4);
    uint8_t *a = NULL;
    size_t alen = 0, blen = 0;
    *actor = NULL;
    SK_TRY(sk_db_get_bytea(r, i, 5, &a, &alen));
    if (a) {
        *actor = seklik__bus__actor__unpack(NULL, alen, a);
        free(a);
    }
    ev->actor = *actor;
    int rc = sk_db_get_bytea(r, i, 6, body_buf, &blen);
    if (rc != SK_OK) {
        if (*actor)
            seklik__bus__actor__free_unpacked(*actor, NULL);
        *actor = NULL;
        return rc;
    }
    ev->body.data = *body_buf;
    ev->body.len = blen;
    return SK_OK;
}

int sk_outbox_serve_replay(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Bus__ReplayRequest *req = (const Seklik__Bus__ReplayRequest *)in;
    Seklik__Bus__ReplayResponse *resp = (Seklik__Bus__ReplayResponse *)out;
    unsigned limit = req->limit == 0 || req->limit > REPLAY_MAX ? REPLAY_MAX : req->limit;
    char after[24], lim[16];
    snprintf(after, sizeof(after), "%llu", (unsigned long long)req->after_seq);
    snprintf(lim, sizeof(lim), "%u", limit);

    uint64_t last = 0;
    SK_TRY(sk_outbox_last_seq(call->db, &last));
    PGresult *r = NULL;
    SK_TRY(sk_db_query(call->db, SQL_READ, (sk_param[]){SK_TEXT(after), SK_TEXT(lim)}, 2, &r));
    int n = PQntuples(r);
    resp->last_seq = last;
    resp->events = sk_call_alloc(call, (size_t)(n ? n : 1) * sizeof(*resp->events));
    int rc = resp->events ? SK_OK : SK_ENOMEM;
    for (int i = 0; rc == SK_OK && i < n; i++) {
        Seklik__Bus__Event tmp, *ev = sk_call_alloc(call, sizeof(*ev));
        Seklik__Bus__Actor *actor = NULL;
        uint8_t *body = NULL;
        if (!ev) {
            rc = SK_ENOMEM;
            break;
        }
        rc = row_to_event(r, i, call->service, &tmp, &actor, &body);
        bool had_actor = actor != NULL;
        if (rc != SK_OK)
            break;
        /* Copy into call memory: the result set is gone before packing. */
        *ev = tmp;
        ev->id = sk_call_strdup(call, tmp.id);
        ev->type = sk_call_strdup(call, tmp.type);
        ev->source = sk_call_strdup(call, call->service);
        ev->correlation_id = sk_call_strdup(call, tmp.correlation_id);
        ev->body.data = sk_call_alloc(call, tmp.body.len + 1);
        ev->actor = NULL;
        if (actor) {
            /* Re-home the actor's strings in call memory. */
            Seklik__Bus__Actor *copy = sk_call_alloc(call, sizeof(*copy));
            if (copy) {
                seklik__bus__actor__init(copy);
                copy->user_id = sk_call_strdup(call, actor->user_id);
                copy->company_id = sk_call_strdup(call, actor->company_id);
                copy->media_id = sk_call_strdup(call, actor->media_id);
                copy->remote_addr = sk_call_strdup(call, actor->remote_addr);
                copy->roles = sk_call_alloc(call, (actor->n_roles + 1) * sizeof(char *));
                for (size_t k = 0; copy->roles && k < actor->n_roles; k++)
                    copy->roles[k] = sk_call_strdup(call, actor->roles[k]);
                copy->n_roles = copy->roles ? actor->n_roles : 0;
                ev->actor = copy;
            }
            seklik__bus__actor__free_unpacked(actor, NULL);
            actor = NULL;
        }
        ev->signature.data = sk_call_alloc(call, SK_SIGN_LEN);
        ev->signature.len = SK_SIGN_LEN;
        if (!ev->id || !ev->type || !ev->source || !ev->correlation_id || !ev->body.data ||
            !ev->signature.data || (had_actor && !ev->actor))
            rc = SK_ENOMEM;
        else
            memcpy(ev->body.data, tmp.body.data, tmp.body.len);
        /* Signed here, as served: what a subscriber verifies is exactly this. */
        if (rc == SK_OK)
            rc = sk_sign_event(call->key, ev, ev->signature.data);
        free(body);
        resp->events[i] = ev;
        resp->n_events = (size_t)i + 1;
    }
    PQclear(r);
    return rc;
}

int sk_event_frame(const Seklik__Bus__Event *ev, uint8_t **frame, size_t *len)
{
    size_t tlen = strlen(ev->type);
    size_t n = seklik__bus__event__get_packed_size(ev);
    uint8_t *f = malloc(tlen + 1 + n);
    if (!f)
        return SK_ENOMEM;
    memcpy(f, ev->type, tlen);
    f[tlen] = '\0';
    seklik__bus__event__pack(ev, f + tlen + 1);
    *frame = f;
    *len = tlen + 1 + n;
    return SK_OK;
}

int sk_event_parse(const uint8_t *frame, size_t len, Seklik__Bus__Event **ev)
{
    const uint8_t *nul = memchr(frame, '\0', len);
    if (!nul)
        return SK_EINVAL;
    size_t off = (size_t)(nul - frame) + 1;
    Seklik__Bus__Event *e = seklik__bus__event__unpack(NULL, len - off, frame + off);
    if (!e)
        return SK_EINVAL;
    /* The topic must be the event's type: a frame is one thing, not two. */
    if (strlen(e->type) != off - 1 || memcmp(e->type, frame, off - 1) != 0) {
        seklik__bus__event__free_unpacked(e, NULL);
        return SK_EINVAL;
    }
    *ev = e;
    return SK_OK;
}

/* ---- relay ---- */

#define RELAY_BATCH 1000
#define RELAY_TICK_MS 250

struct sk_relay {
    uv_loop_t *loop;
    sk_db_pool *db;
    char *dsn;
    char source[64];
    const sk_sign_key *key;
    sk_metrics *metrics;
    nng_socket pub;
    PGconn *listen_conn;
    uv_poll_t poll;
    bool poll_active;
    uv_timer_t timer;
    uv_work_t work;
    bool busy, again, closing;
    uint64_t published;  /* loop thread */
    uint64_t batch_last; /* worker → loop */
    bool batch_full;
};

static void relay_kick(sk_relay *rl);

static void relay_work(uv_work_t *w)
{
    sk_relay *rl = w->data;
    sk_db *db = NULL;
    rl->batch_full = false;
    rl->batch_last = rl->published;
    if (sk_db_acquire(rl->db, &db) != SK_OK)
        return;
    uint64_t last = 0;
    if (sk_outbox_last_seq(db, &last) == SK_OK)
        atomic_store(&rl->metrics->outbox_last_seq, last);
    char after[24], lim[16];
    snprintf(after, sizeof(after), "%llu", (unsigned long long)rl->published);
    snprintf(lim, sizeof(lim), "%d", RELAY_BATCH);
    PGresult *r = NULL;
    if (last > rl->published &&
        sk_db_query(db, SQL_READ, (sk_param[]){SK_TEXT(after), SK_TEXT(lim)}, 2, &r) == SK_OK) {
        int n = PQntuples(r);
        for (int i = 0; i < n; i++) {
            Seklik__Bus__Event ev;
            Seklik__Bus__Actor *actor = NULL;
            uint8_t *body = NULL, *frame = NULL;
            size_t flen = 0;
            if (row_to_event(r, i, rl->source, &ev, &actor, &body) != SK_OK)
                break;
            uint8_t mac[SK_SIGN_LEN];
            int rc = sk_sign_event(rl->key, &ev, mac);
            ev.signature.data = mac;
            ev.signature.len = sizeof(mac);
            if (rc == SK_OK)
                rc = sk_event_frame(&ev, &frame, &flen);
            if (actor)
                seklik__bus__actor__free_unpacked(actor, NULL);
            free(body);
            if (rc != SK_OK)
                break;
            /* PUB never blocks: a slow subscriber loses frames and replays. */
            nng_send(rl->pub, frame, flen, NNG_FLAG_NONBLOCK);
            free(frame);
            rl->batch_last = ev.seq;
            atomic_fetch_add(&rl->metrics->events_published, 1);
        }
        rl->batch_full = n == RELAY_BATCH;
        PQclear(r);
    }
    sk_db_release(db);
}

static void relay_work_done(uv_work_t *w, int status)
{
    (void)status;
    sk_relay *rl = w->data;
    rl->busy = false;
    rl->published = rl->batch_last;
    atomic_store(&rl->metrics->outbox_published_seq, rl->published);
    if (rl->closing)
        return;
    if (rl->again || rl->batch_full) {
        rl->again = false;
        relay_kick(rl);
    }
}

static void relay_kick(sk_relay *rl)
{
    if (rl->closing)
        return;
    if (rl->busy) {
        rl->again = true;
        return;
    }
    rl->busy = true;
    rl->work.data = rl;
    if (uv_queue_work(rl->loop, &rl->work, relay_work, relay_work_done) != 0)
        rl->busy = false;
}

static void listen_close(sk_relay *rl)
{
    if (rl->poll_active) {
        uv_poll_stop(&rl->poll);
        uv_close((uv_handle_t *)&rl->poll, NULL);
        rl->poll_active = false;
    }
    if (rl->listen_conn) {
        PQfinish(rl->listen_conn);
        rl->listen_conn = NULL;
    }
}

static void on_listen_readable(uv_poll_t *h, int status, int events)
{
    (void)events;
    sk_relay *rl = h->data;
    if (status < 0 || !PQconsumeInput(rl->listen_conn)) {
        sk_log_warn("relay: notification connection lost; polling until it is back");
        /* The handle is closed on the loop; the timer reopens it. */
        listen_close(rl);
        return;
    }
    PGnotify *n;
    while ((n = PQnotifies(rl->listen_conn)) != NULL)
        PQfreemem(n);
    relay_kick(rl);
}

/* LISTEN on a dedicated connection. A failure is not fatal: the timer still
 * publishes, only later. */
static void listen_open(sk_relay *rl)
{
    PGconn *c = PQconnectdb(rl->dsn);
    if (PQstatus(c) != CONNECTION_OK) {
        PQfinish(c);
        return;
    }
    const char *schema = sk_db_pool_schema(rl->db);
    char chan[96];
    snprintf(chan, sizeof(chan), "seklik_outbox_%s", schema);
    char *ident = PQescapeIdentifier(c, chan, strlen(chan));
    if (!ident) {
        PQfinish(c);
        return;
    }
    char sql[160];
    snprintf(sql, sizeof(sql), "LISTEN %s", ident);
    PQfreemem(ident);
    PGresult *r = PQexec(c, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok || PQsetnonblocking(c, 1) != 0 ||
        uv_poll_init(rl->loop, &rl->poll, PQsocket(c)) != 0) {
        PQfinish(c);
        return;
    }
    rl->listen_conn = c;
    rl->poll.data = rl;
    rl->poll_active = true;
    uv_poll_start(&rl->poll, UV_READABLE, on_listen_readable);
}

static void on_relay_tick(uv_timer_t *t)
{
    sk_relay *rl = t->data;
    if (!rl->listen_conn && !rl->closing)
        listen_open(rl);
    relay_kick(rl);
}

int sk_relay_start(uv_loop_t *loop, sk_db_pool *db, const char *dsn, const char *source,
                   const char *listen_url, const sk_sign_key *key, sk_metrics *metrics,
                   sk_relay **out)
{
    sk_relay *rl = calloc(1, sizeof(*rl));
    if (!rl || !(rl->dsn = strdup(dsn))) {
        free(rl);
        return SK_ENOMEM;
    }
    rl->loop = loop;
    rl->db = db;
    rl->key = key;
    rl->metrics = metrics;
    snprintf(rl->source, sizeof(rl->source), "%s", source);

    sk_db *conn = NULL;
    int rc = sk_db_acquire(db, &conn);
    if (rc == SK_OK) {
        rc = sk_outbox_last_seq(conn, &rl->published);
        sk_db_release(conn);
    }
    if (rc != SK_OK) {
        free(rl->dsn);
        free(rl);
        return rc;
    }
    atomic_store(&metrics->outbox_last_seq, rl->published);
    atomic_store(&metrics->outbox_published_seq, rl->published);

    int rv = nng_pub0_open(&rl->pub);
    if (rv == 0)
        rv = sk_tls_listen(rl->pub, listen_url, NULL);
    if (rv != 0) {
        sk_log_error("relay: cannot publish on %s: %s", listen_url, nng_strerror(rv));
        nng_close(rl->pub);
        free(rl->dsn);
        free(rl);
        return SK_EUNAVAIL;
    }
    listen_open(rl);
    uv_timer_init(loop, &rl->timer);
    rl->timer.data = rl;
    uv_timer_start(&rl->timer, on_relay_tick, RELAY_TICK_MS, RELAY_TICK_MS);
    sk_log_info("relay: publishing on %s from seq %llu", listen_url,
                (unsigned long long)rl->published);
    *out = rl;
    return SK_OK;
}

bool sk_relay_busy(const sk_relay *rl)
{
    return rl->busy;
}

void sk_relay_close(sk_relay *rl)
{
    if (!rl)
        return;
    rl->closing = true;
    uv_timer_stop(&rl->timer);
    uv_close((uv_handle_t *)&rl->timer, NULL);
    listen_close(rl);
    sk_nng_close_bounded(rl->pub, SK_NNG_CLOSE_TIMEOUT_MS);
}

void sk_relay_free(sk_relay *rl)
{
    if (!rl)
        return;
    free(rl->dsn);
    free(rl);
}
