#include "sk_health.h"

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_id.h"
#include "sk_log.h"

/* A loop that has not turned for this long is stuck: not live. */
#define STUCK_MS 10000

struct sk_health {
    nng_http_server *server;
    nng_url *url;
};

static void reply(nng_aio *aio, uint16_t status, const char *type, const char *body, size_t len)
{
    nng_http_res *res = NULL;
    if (nng_http_res_alloc(&res) != 0) {
        nng_aio_finish(aio, NNG_ENOMEM);
        return;
    }
    nng_http_res_set_status(res, status);
    nng_http_res_set_header(res, "Content-Type", type);
    nng_http_res_set_header(res, "Cache-Control", "no-store");
    if (nng_http_res_copy_data(res, body, len) != 0) {
        nng_http_res_free(res);
        nng_aio_finish(aio, NNG_ENOMEM);
        return;
    }
    nng_aio_set_output(aio, 0, res);
    nng_aio_finish(aio, 0);
}

static sk_health_state *state_of(nng_aio *aio)
{
    return nng_http_handler_get_data(nng_aio_get_input(aio, 1));
}

static void on_healthz(nng_aio *aio)
{
    sk_health_state *st = state_of(aio);
    int64_t age = (int64_t)(sk_now_mono_ns() / 1000000) - atomic_load(&st->heartbeat_ms);
    if (age > STUCK_MS)
        reply(aio, 503, "text/plain", "stuck\n", 6);
    else
        reply(aio, 200, "text/plain", "ok\n", 3);
}

static void on_readyz(nng_aio *aio)
{
    sk_health_state *st = state_of(aio);
    if (atomic_load(&st->ready))
        reply(aio, 200, "text/plain", "ready\n", 6);
    else
        reply(aio, 503, "text/plain", "not ready\n", 10);
}

static void on_metrics(nng_aio *aio)
{
    sk_health_state *st = state_of(aio);
    char *text = sk_metrics_render(st->metrics, st->service);
    if (!text) {
        nng_aio_finish(aio, NNG_ENOMEM);
        return;
    }
    reply(aio, 200, "text/plain; version=0.0.4", text, strlen(text));
    free(text);
}

int sk_health_start(const char *url, sk_health_state *state, sk_health **out)
{
    sk_health *h = calloc(1, sizeof(*h));
    if (!h)
        return SK_ENOMEM;
    if (nng_url_parse(&h->url, url) != 0) {
        free(h);
        return SK_EINVAL;
    }
    int rv = nng_http_server_hold(&h->server, h->url);
    static const struct {
        const char *path;
        void (*fn)(nng_aio *);
    } routes[] = {{"/healthz", on_healthz}, {"/readyz", on_readyz}, {"/metrics", on_metrics}};
    for (size_t i = 0; rv == 0 && i < sizeof(routes) / sizeof(routes[0]); i++) {
        nng_http_handler *hd = NULL;
        rv = nng_http_handler_alloc(&hd, routes[i].path, routes[i].fn);
        if (rv == 0)
            rv = nng_http_handler_set_method(hd, "GET");
        if (rv == 0)
            rv = nng_http_handler_set_data(hd, state, NULL);
        if (rv == 0)
            rv = nng_http_server_add_handler(h->server, hd);
        else if (hd)
            nng_http_handler_free(hd);
    }
    if (rv == 0)
        rv = nng_http_server_start(h->server);
    if (rv != 0) {
        sk_log_error("health: cannot serve on %s: %s", url, nng_strerror(rv));
        if (h->server)
            nng_http_server_release(h->server);
        nng_url_free(h->url);
        free(h);
        return SK_EUNAVAIL;
    }
    sk_log_info("health: serving /healthz /readyz /metrics on %s", url);
    *out = h;
    return SK_OK;
}

void sk_health_stop(sk_health *h)
{
    if (!h)
        return;
    nng_http_server_stop(h->server);
    nng_http_server_release(h->server);
    nng_url_free(h->url);
    free(h);
}
