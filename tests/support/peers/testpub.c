/* seklik-testpub: a publisher for the bus tests. Emit appends events in
 * transactions of a chosen size, the k-th of a call with k in its body; Add is an idempotent command with an effect
 * (a counter) and an event; Get reads the counter through the Redis cache,
 * invalidated by Add. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seklik/testbus.pb-c.h"
#include "sk_audit.h"
#include "sk_cache.h"
#include "sk_err.h"
#include "sk_outbox.h"
#include "sk_service.h"

static const char MIGRATION[] =
    "CREATE TABLE counter (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),"
    " total bigint NOT NULL);"
    "INSERT INTO counter (singleton, total) VALUES (true, 0);";

static const sk_migration migrations[] = {{"0001_counter.sql", MIGRATION}, {NULL, NULL}};
static const size_t migrations_count = 1;

/* The body of the k-th event (from 1) of an Emit: k in ten digits, padded
 * with 'x' to `payload`, so a test can tell which event landed at which seq. */
static void fill_body(uint8_t *body, uint32_t payload, uint32_t k)
{
    char num[16];
    int n = snprintf(num, sizeof(num), "%010u", k);
    memset(body, 'x', payload);
    memcpy(body, num, (uint32_t)n < payload ? (size_t)n : payload);
}

static int emit(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Testbus__EmitRequest *req = (const Seklik__Testbus__EmitRequest *)in;
    Seklik__Testbus__EmitResponse *resp = (Seklik__Testbus__EmitResponse *)out;
    if (req->count == 0 || req->count > 1000000)
        return sk_call_violation(call, "count", "must be 1 to 1000000");
    uint32_t per_tx = req->per_tx ? req->per_tx : req->count;
    const char *type = req->type && req->type[0] ? req->type : "testpub.tick";
    int rc = SK_OK;
    if (req->batched) {
        /* One batch append per transaction; seqs are read back for the reply. */
        size_t stride = (size_t)req->payload + 1;
        sk_outbox_event *evs = calloc(per_tx, sizeof(*evs));
        uint8_t *bodies = calloc(per_tx, stride);
        uint64_t before = 0;
        rc = evs && bodies ? sk_outbox_last_seq(call->db, &before) : SK_ENOMEM;
        for (uint32_t done = 0; rc == SK_OK && done < req->count; done += per_tx) {
            uint32_t n = req->count - done < per_tx ? req->count - done : per_tx;
            for (uint32_t i = 0; i < n; i++) {
                fill_body(bodies + i * stride, req->payload, done + i + 1);
                evs[i] = (sk_outbox_event){type, bodies + i * stride, req->payload};
            }
            rc = sk_outbox_append_batch(call->db, evs, n, call->actor, call->req->request_id);
            if (rc == SK_OK && done + n < req->count) {
                rc = sk_db_commit(call->db);
                if (rc == SK_OK)
                    rc = sk_db_begin(call->db);
            }
        }
        resp->first_seq = before + 1;
        resp->last_seq = before + req->count;
        free(evs);
        free(bodies);
        return rc;
    }
    uint8_t *body = calloc(1, req->payload + 1);
    if (!body)
        return SK_ENOMEM;
    /* The call's own transaction holds the first batch; later batches commit
     * on their own, so a kill mid-call leaves some committed and some not. */
    for (uint32_t i = 0; rc == SK_OK && i < req->count; i++) {
        uint64_t seq = 0;
        fill_body(body, req->payload, i + 1);
        rc = sk_outbox_append_bytes(call->db, type, body, req->payload, call->actor,
                                    call->req->request_id, &seq);
        if (i == 0)
            resp->first_seq = seq;
        resp->last_seq = seq;
        if (rc == SK_OK && (i + 1) % per_tx == 0 && i + 1 < req->count) {
            rc = sk_db_commit(call->db);
            if (rc == SK_OK)
                rc = sk_db_begin(call->db);
        }
    }
    free(body);
    return rc;
}

static int add(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Testbus__AddRequest *req = (const Seklik__Testbus__AddRequest *)in;
    Seklik__Testbus__AddResponse *resp = (Seklik__Testbus__AddResponse *)out;
    char amount[24];
    snprintf(amount, sizeof(amount), "%lld", (long long)req->amount);
    PGresult *r = NULL;
    SK_TRY(sk_db_query(call->db, "UPDATE counter SET total = total + $1 RETURNING total",
                       (sk_param[]){SK_TEXT(amount)}, 1, &r));
    resp->total = sk_db_get_int64(r, 0, 0);
    PQclear(r);
    char before[40], after[40];
    snprintf(before, sizeof(before), "{\"total\":%lld}", (long long)(resp->total - req->amount));
    snprintf(after, sizeof(after), "{\"total\":%lld}", (long long)resp->total);
    SK_TRY(sk_audit_append(call->db, call->actor, "counter.add", "counter", "singleton", before,
                           after, call->req->request_id));
    SK_TRY(sk_outbox_append(call->db, "testpub.added", in, call->actor, call->req->request_id,
                            NULL));
    /* Invalidated inside the transaction: a reader racing the commit may
     * cache the old value again until the TTL; a failed invalidation never
     * leaves one behind (see sk_cache.h). */
    return call->cache ? sk_cache_invalidate(call->cache, "counter") : SK_OK;
}

static int load_counter(void *arg, uint8_t **val, size_t *len)
{
    sk_call *call = arg;
    PGresult *r = NULL;
    SK_TRY(sk_db_query(call->db, "SELECT total FROM counter", NULL, 0, &r));
    char *copy = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    if (!copy)
        return SK_ENOMEM;
    *val = (uint8_t *)copy;
    *len = strlen(copy);
    return SK_OK;
}

static int get(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    (void)in;
    Seklik__Testbus__GetResponse *resp = (Seklik__Testbus__GetResponse *)out;
    uint8_t *val = NULL;
    size_t len = 0;
    SK_TRY(sk_cache_get_or_load(call->cache, "counter", 60, load_counter, call, &val, &len));
    char text[32];
    snprintf(text, sizeof(text), "%.*s", (int)(len < 31 ? len : 31), (const char *)val);
    free(val);
    resp->total = strtoll(text, NULL, 10);
    return SK_OK;
}

static int echo(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    (void)call;
    ((Seklik__Testbus__EchoMessage *)out)->data = ((const Seklik__Testbus__EchoMessage *)in)->data;
    return SK_OK;
}

static const sk_rpc_method methods[] = {
    {"Echo", echo, SK_RPC_QUERY},
    {"Health", sk_service_health, SK_RPC_QUERY},
    {"Emit", emit, SK_RPC_COMMAND},
    {"Add", add, SK_RPC_COMMAND},
    {"Get", get, SK_RPC_QUERY},
};

static const sk_service_def testpub_service = {
    .name = "testpub",
    .api = &seklik__testbus__test_pub__descriptor,
    .methods = methods,
    .n_methods = sizeof(methods) / sizeof(methods[0]),
    .migrations = migrations,
    .n_migrations = &migrations_count,
};

int main(int argc, char **argv)
{
    return sk_service_main(&testpub_service, argc, argv);
}
