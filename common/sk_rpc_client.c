#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_id.h"
#include "sk_log.h"
#include "sk_rpc.h"
#include "sk_tls.h"

struct sk_rpc_client {
    nng_socket sock;
    const sk_sign_key *key;
};

int sk_rpc_client_open(const char *url, const sk_sign_key *key, int resend_ms,
                       sk_rpc_client **out)
{
    if (resend_ms != 0) {
        /* A resend carries the same request id, which the server refuses as
         * a replay (sk_rpc.h): retrying is the caller's job, with a new call. */
        sk_log_error("rpc client: %s: resend_ms must be 0, got %d", url, resend_ms);
        return SK_EINVAL;
    }
    sk_rpc_client *c = calloc(1, sizeof(*c));
    if (!c)
        return SK_ENOMEM;
    c->key = key;
    int rv = nng_req0_open(&c->sock);
    if (rv == 0)
        /* NNG's 60 s default would resend a command the callee may still be
         * running, and the server refuses a request id twice. */
        rv = nng_socket_set_ms(c->sock, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE);
    if (rv == 0)
        rv = nng_socket_set_size(c->sock, NNG_OPT_RECVMAXSZ, SK_RPC_MAX_MESSAGE);
    if (rv == 0)
        rv = nng_socket_set_ms(c->sock, NNG_OPT_RECONNMINT, 20);
    if (rv == 0)
        rv = nng_socket_set_ms(c->sock, NNG_OPT_RECONNMAXT, 500);
    if (rv == 0)
        rv = sk_tls_dial(c->sock, url, NULL);
    if (rv != 0) {
        sk_log_error("rpc client: cannot dial %s: %s", url, nng_strerror(rv));
        nng_close(c->sock);
        free(c);
        return rv == NNG_EADDRINVAL || rv == NNG_ENOTSUP ? SK_EINVAL
               : rv == NNG_EINVAL                       ? SK_ECONFIG
                                                        : SK_EUNAVAIL;
    }
    *out = c;
    return SK_OK;
}

void sk_rpc_client_close(sk_rpc_client *c)
{
    if (!c)
        return;
    nng_close(c->sock);
    free(c);
}

static void *close_socket(void *arg)
{
    nng_socket sock = *(nng_socket *)arg;
    free(arg);
    nng_close(sock); /* in-flight contexts complete with NNG_ECLOSED */
    return NULL;
}

void sk_rpc_client_abort(sk_rpc_client *c)
{
    if (!c)
        return;
    /* nng_close waits until nothing holds the socket, and NNG 1.5.2 was seen
     * to wait there for good while the peer had just stopped (a service's
     * SIGTERM drain, CI). Callers are event loops: close on a thread of its
     * own so the loop keeps turning; a later nng_close of the same socket
     * (sk_rpc_client_close) returns at once. */
    nng_socket *copy = malloc(sizeof(*copy));
    pthread_t thr;
    pthread_attr_t attr;
    bool started = false;
    if (copy && pthread_attr_init(&attr) == 0) {
        *copy = c->sock;
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        started = pthread_create(&thr, &attr, close_socket, copy) == 0;
        pthread_attr_destroy(&attr);
    }
    if (!started) {
        free(copy);
        nng_close(c->sock);
    }
}

int sk_rpc_call_raw(sk_rpc_client *c, const Seklik__Bus__Request *req, int timeout_ms,
                    Seklik__Bus__Response **resp)
{
    nng_ctx ctx;
    int orv = nng_ctx_open(&ctx, c->sock);
    if (orv != 0)
        return orv == NNG_ENOMEM ? SK_ENOMEM : SK_EUNAVAIL; /* closed: aborted */
    nng_ctx_set_ms(ctx, NNG_OPT_SENDTIMEO, timeout_ms);
    nng_ctx_set_ms(ctx, NNG_OPT_RECVTIMEO, timeout_ms);

    nng_aio *aio = NULL;
    nng_msg *msg = NULL;
    int rc = SK_OK;
    size_t n = seklik__bus__request__get_packed_size(req);
    if (nng_aio_alloc(&aio, NULL, NULL) != 0 || nng_msg_alloc(&msg, n) != 0) {
        rc = SK_ENOMEM;
        goto out;
    }
    seklik__bus__request__pack(req, nng_msg_body(msg));
    nng_aio_set_timeout(aio, timeout_ms);
    nng_aio_set_msg(aio, msg);
    nng_ctx_send(ctx, aio);
    nng_aio_wait(aio);
    int rv = nng_aio_result(aio);
    if (rv != 0) {
        nng_msg_free(msg);
        rc = rv == NNG_ETIMEDOUT ? SK_ETIMEDOUT : SK_EUNAVAIL;
        goto out;
    }
    nng_ctx_recv(ctx, aio);
    nng_aio_wait(aio);
    rv = nng_aio_result(aio);
    if (rv != 0) {
        rc = rv == NNG_ETIMEDOUT ? SK_ETIMEDOUT : SK_EUNAVAIL;
        goto out;
    }
    msg = nng_aio_get_msg(aio);
    *resp = seklik__bus__response__unpack(NULL, nng_msg_len(msg), nng_msg_body(msg));
    nng_msg_free(msg);
    if (!*resp)
        rc = SK_EINTERNAL;
out:
    if (aio)
        nng_aio_free(aio);
    nng_ctx_close(ctx);
    return rc;
}

int sk_rpc_call(sk_rpc_client *c, const char *method, const Seklik__Bus__Actor *actor,
                const char *idempotency_key, const ProtobufCMessage *in, int timeout_ms,
                Seklik__Bus__Response **resp)
{
    if (timeout_ms <= 0 || timeout_ms > SK_RPC_MAX_DEADLINE_MS) {
        sk_log_error("rpc client: %s: timeout %d ms is not 1 to %d", method, timeout_ms,
                     SK_RPC_MAX_DEADLINE_MS);
        return SK_EINVAL;
    }
    Seklik__Bus__Request req = SEKLIK__BUS__REQUEST__INIT;
    char request_id[SK_UUID_STRLEN];
    sk_uuid7(request_id);
    req.method = (char *)method;
    req.request_id = request_id;
    req.idempotency_key = (char *)(idempotency_key ? idempotency_key : "");
    req.deadline_unix_ms = sk_now_unix_ms() + timeout_ms;
    req.actor = (Seklik__Bus__Actor *)actor;

    uint8_t small[512];
    size_t n = protobuf_c_message_get_packed_size(in);
    uint8_t *body = n <= sizeof(small) ? small : malloc(n);
    if (!body)
        return SK_ENOMEM;
    protobuf_c_message_pack(in, body);
    req.body.data = body;
    req.body.len = n;

    uint8_t mac[SK_SIGN_LEN];
    int rc = sk_sign_request(c->key, &req, mac);
    if (rc == SK_OK) {
        req.signature.data = mac;
        req.signature.len = sizeof(mac);
        rc = sk_rpc_call_raw(c, &req, timeout_ms, resp);
    }
    if (body != small)
        free(body);
    return rc;
}

int sk_rpc_call_decode(sk_rpc_client *c, const char *method, const Seklik__Bus__Actor *actor,
                       const char *idempotency_key, const ProtobufCMessage *in,
                       const ProtobufCMessageDescriptor *out_desc, int timeout_ms,
                       ProtobufCMessage **out, char *why, size_t why_len)
{
    Seklik__Bus__Response *resp = NULL;
    *out = NULL;
    int rc = sk_rpc_call(c, method, actor, idempotency_key, in, timeout_ms, &resp);
    if (rc != SK_OK) {
        if (why)
            snprintf(why, why_len, "%s: %s", method, sk_strerror(rc));
        return rc;
    }
    rc = sk_err_from_bus_code(resp->code);
    if (rc == SK_OK) {
        *out = protobuf_c_message_unpack(out_desc, NULL, resp->body.len, resp->body.data);
        if (!*out)
            rc = SK_EINTERNAL;
    }
    if (rc != SK_OK && why)
        snprintf(why, why_len, "%s", resp->message ? resp->message : sk_strerror(rc));
    seklik__bus__response__free_unpacked(resp, NULL);
    return rc;
}
