/* http.c - the gateway's HTTP server on libmicrohttpd: limits, static
 * files, health, and the hand-over of bus work to the libuv loop. The pure
 * parts it uses are route.c (paths to routes and files) and proxies.c (the
 * client's address). See http.h for the threads and internal.h for the
 * request's life. */
#include "http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "sk_err.h"
#include "sk_id.h"
#include "sk_log.h"

/* A loop that has not turned for this long is stuck (as sk_health.c). */
#define STUCK_MS 10000
/* Past the body limit the rest is read and dropped, to answer 413 cleanly;
 * past this much more the connection is cut instead. */
#define BODY_DISCARD_SLACK ((size_t)1 << 20)

static const char CSP_APP[] = "default-src 'self'; img-src 'self' data: blob:; "
                              "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; "
                              "base-uri 'self'; form-action 'self'";
/* Uploaded documents are only PDF, JPEG or PNG (api.c's document_type), sent
 * with nosniff; the case review shows them in a same-origin frame. No
 * `sandbox`: Chromium refuses to render a PDF in a sandboxed document. */
static const char CSP_DOCUMENT[] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
                                   "frame-ancestors 'self'";

/* How often the sweeper looks for connections past their deadline: the
 * deadlines hold to within this. */
#define SWEEP_MS 250

/* ---- pure: total deadlines ---- */

bool gw_conn_overdue(gw_conn_phase phase, uint64_t age_ms, const gw_deadlines *d, unsigned open)
{
    uint64_t limit_ms;
    if (phase == GW_CONN_HEADERS) {
        limit_ms = (uint64_t)d->header_s * 1000;
        if (d->max_connections &&
            (uint64_t)open * 4 >= (uint64_t)d->max_connections * GW_CONN_PRESSURE_QUARTERS) {
            limit_ms /= 4;
            if (limit_ms < 1000)
                limit_ms = 1000;
        }
    } else if (phase == GW_CONN_BODY) {
        limit_ms = (uint64_t)d->body_s * 1000;
    } else {
        return false;
    }
    return limit_ms > 0 && age_ms >= limit_ms; /* 0: no deadline */
}

/* ---- the server ---- */

/* One open connection, from MHD's STARTED notification to its CLOSED one
 * (which MHD sends before it closes the socket, so `fd` is never a reused
 * number while the entry is listed). Fields under gw_http.lock. */
typedef struct gw_conn {
    struct gw_conn *prev, *next;
    struct gw_http *h;
    int fd;
    gw_conn_phase phase;
    uint64_t request_start_ns; /* connection start, or the previous request's end */
    uint64_t started_ns;       /* metrics: the current request line's arrival */
    bool cut;
} gw_conn;

struct gw_http {
    struct MHD_Daemon *daemon;
    gw_app *app;
    bool quiesced;
    gw_deadlines deadlines;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* on CLOCK_MONOTONIC */
    gw_conn *conns;      /* every open connection */
    unsigned n_conns;
    bool stopping;
    bool sweeping; /* the sweeper thread runs */
    pthread_t sweeper;
};

static gw_conn *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* Move `c`'s connection to `phase`; `restart` starts a new request's clock. */
static void conn_phase(struct MHD_Connection *c, gw_conn_phase phase, bool restart)
{
    gw_conn *cc = conn_of(c);
    if (!cc)
        return;
    pthread_mutex_lock(&cc->h->lock);
    cc->phase = phase;
    if (restart)
        cc->request_start_ns = sk_now_mono_ns();
    pthread_mutex_unlock(&cc->h->lock);
}

/* Cut every connection past its deadline. MHD sees the end of the stream
 * on its next read and closes the connection itself. */
static void sweep(gw_http *h)
{
    uint64_t now = sk_now_mono_ns();
    for (gw_conn *cc = h->conns; cc; cc = cc->next) {
        if (cc->cut || !gw_conn_overdue(cc->phase, (now - cc->request_start_ns) / 1000000,
                                        &h->deadlines, h->n_conns))
            continue;
        cc->cut = true;
        shutdown(cc->fd, SHUT_RDWR);
        sk_log_debug("http: cut a connection past its %s deadline",
                     cc->phase == GW_CONN_HEADERS ? "header" : "body");
    }
}

static void *sweeper_main(void *arg)
{
    gw_http *h = arg;
    pthread_mutex_lock(&h->lock);
    while (!h->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += SWEEP_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&h->wake, &h->lock, &ts);
        if (!h->stopping)
            sweep(h);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

static void add_common_headers(gw_app *app, struct MHD_Response *resp, bool document)
{
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", document ? "SAMEORIGIN" : "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "Content-Security-Policy", document ? CSP_DOCUMENT : CSP_APP);
    if (atomic_load(&app->draining))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
}

static enum MHD_Result queue(gw_app *app, struct MHD_Connection *c, unsigned status,
                             struct MHD_Response *resp, bool document)
{
    if (!resp)
        return MHD_NO;
    conn_phase(c, GW_CONN_BUSY, false);
    add_common_headers(app, resp, document);
    enum MHD_Result rv = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return rv;
}

/* Queue `rep` and take its body. */
static enum MHD_Result send_reply(gw_app *app, struct MHD_Connection *c, gw_reply *rep)
{
    struct MHD_Response *resp;
    if (rep->body && rep->len) {
        resp = MHD_create_response_from_buffer_with_free_callback(rep->len, rep->body, free);
        if (resp)
            rep->body = NULL;
    } else {
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            rep->content_type ? rep->content_type : "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (rep->set_cookie[0])
        MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, rep->set_cookie);
    if (rep->retry_after_s > 0) {
        char ra[16];
        snprintf(ra, sizeof(ra), "%d", rep->retry_after_s);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    if (rep->document && rep->disposition[0])
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, rep->disposition);
    return queue(app, c, rep->status ? rep->status : 500, resp, rep->document);
}

static enum MHD_Result send_error(gw_app *app, struct MHD_Connection *c, unsigned status, int code,
                                  const char *message, const char *allow)
{
    gw_reply rep = {0};
    gw_reply_error(&rep, status, code, message, NULL, NULL);
    struct MHD_Response *resp =
        rep.body ? MHD_create_response_from_buffer_with_free_callback(rep.len, rep.body, free)
                 : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(rep.body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    return queue(app, c, rep.status, resp, false);
}

static enum MHD_Result send_text(gw_app *app, struct MHD_Connection *c, unsigned status,
                                 const char *type, const char *text, size_t len, bool copy)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, (void *)text, copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    return queue(app, c, status, resp, false);
}

/* ---- health on the public port: the same answers as sk_health.c ---- */

static enum MHD_Result serve_health(gw_app *app, struct MHD_Connection *c, gw_route_kind kind)
{
    sk_health_state *st = app->health;
    if (kind == GW_ROUTE_HEALTHZ) {
        int64_t age =
            st ? (int64_t)(sk_now_mono_ns() / 1000000) - atomic_load(&st->heartbeat_ms) : 0;
        if (age > STUCK_MS)
            return send_text(app, c, 503, "text/plain", "stuck\n", 6, false);
        return send_text(app, c, 200, "text/plain", "ok\n", 3, false);
    }
    if (kind == GW_ROUTE_READYZ) {
        if (st && atomic_load(&st->ready) && !atomic_load(&app->draining))
            return send_text(app, c, 200, "text/plain", "ready\n", 6, false);
        return send_text(app, c, 503, "text/plain", "not ready\n", 10, false);
    }
    if (!app->metrics)
        return send_text(app, c, 200, "text/plain; version=0.0.4", "", 0, false);
    char *text = sk_metrics_render(app->metrics, "gateway");
    if (!text)
        return MHD_NO;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer_with_free_callback(strlen(text), text, free);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; version=0.0.4");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    return queue(app, c, 200, resp, false);
}

/* ---- static files ---- */

static enum MHD_Result not_found_text(gw_app *app, struct MHD_Connection *c)
{
    return send_text(app, c, 404, "text/plain; charset=utf-8", "not found\n", 10, false);
}

/* Open `rel` under the web root; -1 when missing, outside the root or not a
 * regular file. */
static int open_static(const gw_app *app, const char *rel, struct stat *st)
{
    char full[PATH_MAX + 64], real[PATH_MAX];
    int n = snprintf(full, sizeof(full), "%s/%s", app->web_root_real, rel);
    if (n < 0 || (size_t)n >= sizeof(full) || !realpath(full, real))
        return -1;
    size_t rn = strlen(app->web_root_real);
    if (strncmp(real, app->web_root_real, rn) != 0 || real[rn] != '/')
        return -1; /* a symbolic link out of the root */
    int fd = open(real, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        return -1;
    }
    return fd;
}

static enum MHD_Result serve_static(gw_app *app, struct MHD_Connection *c, const char *url)
{
    char rel[1024];
    if (!app->web_root_real[0] || !gw_static_path(url, rel, sizeof(rel)))
        return not_found_text(app, c);
    struct stat st;
    int fd = open_static(app, rel, &st);
    if (fd < 0) {
        /* The single-page app's own routes ("/companies/42") get its index;
         * a missing asset ("/assets/x.js") stays a 404. */
        if (gw_static_has_extension(rel))
            return not_found_text(app, c);
        snprintf(rel, sizeof(rel), "index.html");
        fd = open_static(app, rel, &st);
        if (fd < 0)
            return not_found_text(app, c);
    }
    char etag[64];
    snprintf(etag, sizeof(etag), "\"%llx-%llx\"", (unsigned long long)st.st_mtime,
             (unsigned long long)st.st_size);
    const char *inm =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    struct MHD_Response *resp;
    unsigned status = 200;
    if (inm && strcmp(inm, etag) == 0) {
        close(fd);
        status = 304;
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    } else {
        resp = MHD_create_response_from_fd((size_t)st.st_size, fd); /* owns fd */
        if (!resp)
            close(fd);
    }
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, gw_content_type(rel));
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, gw_cache_control(rel));
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    return queue(app, c, status, resp, false);
}

/* ---- requests that go to the thread pool ---- */

static char *dup_header(struct MHD_Connection *c, enum MHD_ValueKind kind, const char *name)
{
    const char *v = MHD_lookup_connection_value(c, kind, name);
    return v ? strdup(v) : NULL;
}

/* Does the media type `value` (a header, maybe with parameters) start with
 * `type`? */
static bool media_is(const char *value, const char *type)
{
    size_t n = strlen(type);
    if (strncasecmp(value, type, n) != 0)
        return false;
    return value[n] == '\0' || value[n] == ';' || value[n] == ' ' || value[n] == ',';
}

static void remote_of(struct MHD_Connection *c, char *out, size_t cap)
{
    snprintf(out, cap, "unknown");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)cap);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)cap);
}

typedef struct joined {
    char *p;
    size_t len;
} joined;

static enum MHD_Result join_xff(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    (void)kind;
    joined *j = cls;
    if (!key || !value || strcasecmp(key, "X-Forwarded-For") != 0)
        return MHD_YES;
    size_t n = strlen(value);
    char *p = realloc(j->p, j->len + n + 2);
    if (!p) {
        free(j->p);
        j->p = NULL;
        return MHD_NO;
    }
    j->p = p;
    if (j->len)
        j->p[j->len++] = ',';
    memcpy(j->p + j->len, value, n + 1);
    j->len += n;
    return MHD_YES;
}

/* Every X-Forwarded-For header, joined with commas in the order received: a
 * second header must not hide the proxy's. malloc'ed; NULL when there is
 * none (or no memory: the peer is then the client). */
static char *forwarded_for(struct MHD_Connection *c)
{
    joined j = {NULL, 0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, join_xff, &j);
    return j.p;
}

static void req_free(gw_req *r)
{
    free(r->cookie);
    free(r->csrf);
    free(r->idem_key);
    free(r->body);
    free(r->reply.body);
    free(r);
}

/* MHD closes a connection whose response was queued on the first call (the
 * request's body unread), so only refusals that should close it (413, 415,
 * unknown method) answer there; everything else answers on the next call.
 * A request with nothing to read holds this marker until then. */
static char ANSWER_NEXT;

static bool is_api(gw_route_kind k)
{
    return k != GW_ROUTE_STATIC && k != GW_ROUTE_HEALTHZ && k != GW_ROUTE_READYZ &&
           k != GW_ROUTE_METRICS;
}

static bool takes_body(const gw_route *route)
{
    return route->method_ok &&
           (route->kind == GW_ROUTE_RPC || route->kind == GW_ROUTE_LOGIN ||
            route->kind == GW_ROUTE_SIGNUP || route->kind == GW_ROUTE_LOGOUT ||
            route->kind == GW_ROUTE_RESET_REQUEST || route->kind == GW_ROUTE_RESET_CONFIRM);
}

static gw_req *req_new(gw_app *app, struct MHD_Connection *c, const gw_route *route,
                       bool body_protobuf, bool body_json)
{
    gw_req *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->app = app;
    r->conn = c;
    r->route = *route;
    r->body_protobuf = body_protobuf;
    r->body_json = body_json;
    const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
    r->want_protobuf = accept && strstr(accept, "application/x-protobuf") != NULL;
    remote_of(c, r->remote_addr, sizeof(r->remote_addr));
    if (gw_proxies_trust(&app->cfg.proxies, r->remote_addr)) {
        char peer[sizeof(r->remote_addr)], *xff = forwarded_for(c);
        memcpy(peer, r->remote_addr, sizeof(peer));
        gw_client_addr(&app->cfg.proxies, peer, xff, r->remote_addr, sizeof(r->remote_addr));
        free(xff);
    }
    r->cookie = dup_header(c, MHD_COOKIE_KIND, GW_SESSION_COOKIE);
    r->csrf = dup_header(c, MHD_HEADER_KIND, GW_CSRF_HEADER);
    r->idem_key = dup_header(c, MHD_HEADER_KIND, "Idempotency-Key");
    atomic_fetch_add(&app->inflight, 1);
    return r;
}

static enum MHD_Result suspend_for_pool(gw_app *app, struct MHD_Connection *c, gw_req *r)
{
    r->queued = true;
    conn_phase(c, GW_CONN_BUSY, false);
    MHD_suspend_connection(c);
    sk_loopq_push(&app->q, &r->item);
    return MHD_YES;
}

static enum MHD_Result answer(gw_app *app, struct MHD_Connection *c, const char *url,
                              const char *method, void **con_cls);

/* The first call: the request line and headers are in. */
static enum MHD_Result headers_in(gw_app *app, struct MHD_Connection *c, const char *url,
                                  const char *method, void **con_cls)
{
    gw_route route;
    gw_route_parse(method, url, &route);
    if (route.method_ok && !takes_body(&route)) {
        *con_cls = &ANSWER_NEXT;
        return MHD_YES;
    }
    if (!route.method_ok || route.kind == GW_ROUTE_API_UNKNOWN ||
        (route.kind == GW_ROUTE_RPC && !gw_api_find_method(route.service, route.method, NULL)))
        return answer(app, c, url, method, con_cls); /* refused at once; the body is not read */
    if (atomic_load(&app->draining))
        return send_error(app, c, 503, SK_EUNAVAIL, "server.stopping: the gateway is shutting down",
                          NULL);
    const char *ctype =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    bool body_protobuf = ctype && media_is(ctype, "application/x-protobuf");
    bool body_json = !ctype || media_is(ctype, "application/json");
    if (!body_protobuf && !body_json)
        return send_error(app, c, 415, SK_EINVAL,
                          "media_type.unsupported: Content-Type must be application/json or "
                          "application/x-protobuf",
                          NULL);
    if (body_protobuf && route.kind != GW_ROUTE_RPC)
        return send_error(app, c, 415, SK_EINVAL,
                          "media_type.unsupported: Content-Type must be application/json", NULL);
    const char *clen =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (clen) {
        errno = 0;
        char *end = NULL;
        unsigned long long n = strtoull(clen, &end, 10);
        if (errno == 0 && end != clen && n > app->cfg.max_body_bytes)
            return send_error(app, c, 413, SK_EEXHAUSTED,
                              "body.too_large: the request body is too large", NULL);
    }
    gw_req *r = req_new(app, c, &route, body_protobuf, body_json);
    if (!r)
        return MHD_NO;
    *con_cls = r;
    return MHD_YES;
}

/* The answer to a request without a body to keep (ANSWER_NEXT). */
static enum MHD_Result answer(gw_app *app, struct MHD_Connection *c, const char *url,
                              const char *method, void **con_cls)
{
    gw_route route;
    gw_route_parse(method, url, &route);
    if (!route.method_ok) {
        if (!is_api(route.kind)) {
            struct MHD_Response *resp = MHD_create_response_from_buffer(
                19, (void *)"method not allowed\n", MHD_RESPMEM_PERSISTENT);
            if (!resp)
                return MHD_NO;
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                    "text/plain; charset=utf-8");
            MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, route.allow);
            return queue(app, c, 405, resp, false);
        }
        return send_error(app, c, 405, SK_EUNIMPL, "method.not_allowed: HTTP method not allowed",
                          route.allow);
    }
    switch (route.kind) {
    case GW_ROUTE_STATIC: return serve_static(app, c, url);
    case GW_ROUTE_HEALTHZ:
    case GW_ROUTE_READYZ:
    case GW_ROUTE_METRICS: return serve_health(app, c, route.kind);
    case GW_ROUTE_OPENAPI:
        if (!app->openapi)
            return send_error(app, c, 503, SK_EUNAVAIL, "OpenAPI document unavailable", NULL);
        return send_text(app, c, 200, "application/json", app->openapi, app->openapi_len, false);
    case GW_ROUTE_RPC:
        return send_error(app, c, 404, SK_ENOTFOUND, "method.unknown: unknown service or method",
                          NULL);
    case GW_ROUTE_PUBLIC_OUTLET: {
        if (!sk_uuid_valid(route.id))
            return send_error(app, c, 404, SK_ENOTFOUND, "outlet.not_found: no such outlet", NULL);
        uint8_t *json = NULL;
        size_t len = 0;
        if (gw_public_get(app, route.id, &json, &len)) { /* the hot path: no bus, no database */
            struct MHD_Response *resp =
                MHD_create_response_from_buffer_with_free_callback(len, json, free);
            if (!resp) {
                free(json);
                return MHD_NO;
            }
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
            return queue(app, c, 200, resp, false);
        }
        break;
    }
    case GW_ROUTE_ME:
    case GW_ROUTE_FILE: break;
    default: return send_error(app, c, 404, SK_ENOTFOUND, "path.not_found: no such API path", NULL);
    }
    if (atomic_load(&app->draining))
        return send_error(app, c, 503, SK_EUNAVAIL, "server.stopping: the gateway is shutting down",
                          NULL);
    gw_req *r = req_new(app, c, &route, false, true);
    if (!r)
        return MHD_NO;
    *con_cls = r;
    return suspend_for_pool(app, c, r);
}

/* Keep up to the limit; count (and drop) the rest. False: cut the connection. */
static bool take_body(gw_app *app, gw_req *r, const char *data, size_t n)
{
    r->body_seen += n;
    if (r->too_large || r->body_seen > app->cfg.max_body_bytes) {
        if (!r->too_large) {
            r->too_large = true;
            free(r->body);
            r->body = NULL;
            r->body_len = r->body_cap = 0;
        }
        return r->body_seen <= app->cfg.max_body_bytes + BODY_DISCARD_SLACK;
    }
    if (r->body_len + n > r->body_cap) {
        size_t cap = r->body_cap ? r->body_cap : 4096;
        while (cap < r->body_len + n)
            cap *= 2;
        if (cap > app->cfg.max_body_bytes)
            cap = app->cfg.max_body_bytes;
        uint8_t *b = realloc(r->body, cap);
        if (!b)
            return false;
        r->body = b;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    gw_app *app = cls;
    if (!*con_cls) {
        conn_phase(c, GW_CONN_BODY, false);
        return headers_in(app, c, url, method, con_cls);
    }
    if (*con_cls == &ANSWER_NEXT) {
        if (*upload_data_size)
            return MHD_NO; /* a body on GET or HEAD: not read, the connection is cut */
        *con_cls = NULL;
        return answer(app, c, url, method, con_cls);
    }
    gw_req *r = *con_cls;
    if (*upload_data_size) {
        if (!take_body(app, r, upload_data, *upload_data_size))
            return MHD_NO;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->done)
        return send_reply(app, c, &r->reply);
    if (r->queued)
        return MHD_YES;
    if (r->too_large)
        return send_error(app, c, 413, SK_EEXHAUSTED,
                          "body.too_large: the request body is too large", NULL);
    return suspend_for_pool(app, c, r);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    gw_http *h = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fi =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        gw_conn *cc = calloc(1, sizeof(*cc));
        if (!cc) {
            /* A connection without a deadline is one slow client's to keep. */
            if (fi)
                shutdown(fi->connect_fd, SHUT_RDWR);
            return;
        }
        cc->h = h;
        cc->fd = fi ? fi->connect_fd : -1;
        cc->phase = GW_CONN_HEADERS;
        cc->request_start_ns = sk_now_mono_ns();
        pthread_mutex_lock(&h->lock);
        cc->next = h->conns;
        if (h->conns)
            h->conns->prev = cc;
        h->conns = cc;
        h->n_conns++;
        if (cc->fd < 0)
            cc->cut = true; /* nothing to cut with */
        pthread_mutex_unlock(&h->lock);
        *socket_context = cc;
        return;
    }
    gw_conn *cc = *socket_context;
    *socket_context = NULL;
    if (!cc)
        return;
    pthread_mutex_lock(&h->lock);
    if (cc->prev)
        cc->prev->next = cc->next;
    else
        h->conns = cc->next;
    if (cc->next)
        cc->next->prev = cc->prev;
    h->n_conns--;
    pthread_mutex_unlock(&h->lock);
    free(cc);
}

/* Once per request, as soon as its line is in (before the headers): start
 * the clock. NULL keeps *con_cls NULL for on_request's first call. */
static void *on_request_line(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)uri;
    gw_conn *cc = conn_of(c);
    if (cc)
        cc->started_ns = sk_now_mono_ns();
    return NULL;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    gw_app *app = cls;
    /* Every request MHD saw a line of, with the status queued for it: ours or
     * MHD's own (431, 400, ...). None queued (the client left): not counted. */
    gw_conn *cc = conn_of(c);
    const union MHD_ConnectionInfo *st =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS);
    if (app->metrics && cc && cc->started_ns && st)
        sk_metrics_observe_http(app->metrics, st->http_status,
                                (sk_now_mono_ns() - cc->started_ns) / 1000);
    /* Kept alive, the connection waits for its next request: a new clock. */
    conn_phase(c, GW_CONN_HEADERS, true);
    gw_req *r = *con_cls;
    *con_cls = NULL;
    if (!r || r == (gw_req *)(void *)&ANSWER_NEXT)
        return;
    req_free(r);
    atomic_fetch_sub(&app->inflight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[256];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    sk_log_debug("http: %s", msg);
}

/* ---- the loop side ---- */

static void work_run(uv_work_t *w)
{
    gw_req *r = w->data;
    gw_api_handle(r->app, r);
}

static void work_done(uv_work_t *w, int status)
{
    gw_req *r = w->data;
    if (status != 0 && !r->reply.status)
        gw_reply_error(&r->reply, 503, SK_EUNAVAIL, "request.cancelled: the request was cancelled",
                       NULL, NULL);
    r->done = true;
    MHD_resume_connection(r->conn);
}

static void on_queue(sk_loopq *q, sk_loopq_item *items, void *arg)
{
    (void)q;
    gw_app *app = arg;
    while (items) {
        gw_req *r = (gw_req *)items;
        items = items->next;
        r->work.data = r;
        if (uv_queue_work(app->loop, &r->work, work_run, work_done) != 0) {
            gw_reply_error(&r->reply, 503, SK_EUNAVAIL,
                           "server.busy: the server is busy; try again shortly", NULL, NULL);
            r->done = true;
            MHD_resume_connection(r->conn);
        }
    }
}

/* ---- start and stop ---- */

/* "http://host:port" into a socket address. */
static int parse_listen(const char *url, struct sockaddr_storage *ss, bool *v6)
{
    if (strncmp(url, "http://", 7) != 0)
        return SK_EINVAL;
    char host[256];
    const char *h = url + 7, *port;
    if (*h == '[') {
        const char *close_b = strchr(h, ']');
        if (!close_b || close_b[1] != ':' || (size_t)(close_b - h - 1) >= sizeof(host))
            return SK_EINVAL;
        memcpy(host, h + 1, (size_t)(close_b - h - 1));
        host[close_b - h - 1] = '\0';
        port = close_b + 2;
    } else {
        const char *colon = strrchr(h, ':');
        if (!colon || (size_t)(colon - h) >= sizeof(host))
            return SK_EINVAL;
        memcpy(host, h, (size_t)(colon - h));
        host[colon - h] = '\0';
        port = colon + 1;
    }
    char portbuf[8];
    size_t pn = strcspn(port, "/");
    if (pn == 0 || pn >= sizeof(portbuf))
        return SK_EINVAL;
    memcpy(portbuf, port, pn);
    portbuf[pn] = '\0';
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV | AI_PASSIVE};
    struct addrinfo *ai = NULL;
    if (getaddrinfo(host[0] ? host : NULL, portbuf, &hints, &ai) != 0 || !ai)
        return SK_EINVAL;
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    *v6 = ai->ai_family == AF_INET6;
    freeaddrinfo(ai);
    return SK_OK;
}

int gw_http_start(gw_app *app, bool no_listen, gw_http **out)
{
    struct sockaddr_storage ss;
    bool v6 = false;
    if (!no_listen && parse_listen(app->cfg.listen_url, &ss, &v6) != SK_OK) {
        sk_log_error("http: bad listen URL %s", app->cfg.listen_url);
        return SK_EINVAL;
    }
    gw_http *h = calloc(1, sizeof(*h));
    if (!h)
        return SK_ENOMEM;
    h->app = app;
    h->deadlines = (gw_deadlines){.header_s = app->cfg.header_timeout_s,
                                  .body_s = app->cfg.body_timeout_s,
                                  .max_connections = app->cfg.max_connections};
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->wake, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&h->sweeper, NULL, sweeper_main, h) != 0) {
        sk_log_error("http: cannot start the deadline sweeper");
        gw_http_stop(h);
        return SK_ENOMEM;
    }
    h->sweeping = true;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG;
    if (no_listen)
        flags |= MHD_USE_NO_LISTEN_SOCKET;
    if (v6)
        flags |= MHD_USE_IPv6;
    struct MHD_OptionItem opts[16];
    size_t n = 0;
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                                        (intptr_t)app->cfg.max_header_bytes, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT,
                                        (intptr_t)app->cfg.max_connections, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                                        (intptr_t)app->cfg.per_ip_connections, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT,
                                        (intptr_t)app->cfg.connection_timeout_s, NULL};
    if (app->cfg.workers > 1)
        opts[n++] =
            (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)app->cfg.workers, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, app};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, h};
    opts[n++] =
        (struct MHD_OptionItem){MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_request_line, app};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, app};
    if (!no_listen)
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &ss};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    h->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, app, MHD_OPTION_ARRAY, opts,
                                 MHD_OPTION_END);
    if (!h->daemon) {
        sk_log_error("http: cannot serve on %s", no_listen ? "(no listen)" : app->cfg.listen_url);
        gw_http_stop(h);
        return SK_EUNAVAIL;
    }
    *out = h;
    return SK_OK;
}

int gw_http_add_connection(gw_http *h, int fd)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(40000)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (MHD_add_connection(h->daemon, fd, (const struct sockaddr *)&sa, sizeof(sa)) != MHD_YES)
        return SK_EUNAVAIL; /* MHD closed fd */
    return SK_OK;
}

void gw_http_quiesce(gw_http *h)
{
    if (!h || h->quiesced)
        return;
    h->quiesced = true;
    MHD_socket fd = MHD_quiesce_daemon(h->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
}

void gw_http_stop(gw_http *h)
{
    if (!h)
        return;
    if (h->sweeping) {
        pthread_mutex_lock(&h->lock);
        h->stopping = true;
        pthread_cond_signal(&h->wake);
        pthread_mutex_unlock(&h->lock);
        pthread_join(h->sweeper, NULL);
    }
    if (h->daemon)
        MHD_stop_daemon(h->daemon); /* its CLOSED notifications still take the lock */
    pthread_cond_destroy(&h->wake);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

/* ---- the whole server's life ---- */

int gw_server_start(gw_app *app, bool no_listen)
{
    char real[PATH_MAX];
    if (app->cfg.web_root && realpath(app->cfg.web_root, real) &&
        strlen(real) < sizeof(app->web_root_real))
        snprintf(app->web_root_real, sizeof(app->web_root_real), "%s", real);
    else
        sk_log_warn("http: web root %s not found: static files answer 404",
                    app->cfg.web_root ? app->cfg.web_root : "(none)");
    if (strcmp(app->web_root_real, "/") == 0)
        app->web_root_real[0] = '\0'; /* never serve the whole file system */
    int rc = gw_openapi_build(&app->openapi, &app->openapi_len);
    if (rc == SK_OK)
        rc = gw_public_cache_open(4096, &app->pub);
    if (rc == SK_OK && sk_loopq_init(&app->q, app->loop, on_queue, app) == SK_OK)
        app->q_open = true;
    else if (rc == SK_OK)
        rc = SK_EINTERNAL;
    if (rc == SK_OK && app->metrics)
        atomic_store(&app->metrics->http_enabled, true);
    if (rc == SK_OK)
        rc = gw_http_start(app, no_listen, &app->http);
    if (rc != SK_OK)
        return rc;
    if (!no_listen)
        sk_log_info("http: serving %s (web root %s, body limit %zu bytes)", app->cfg.listen_url,
                    app->web_root_real[0] ? app->web_root_real : "none", app->cfg.max_body_bytes);
    return SK_OK;
}

void gw_server_drain(gw_app *app)
{
    atomic_store(&app->draining, true);
    gw_http_quiesce(app->http);
}

bool gw_server_busy(gw_app *app)
{
    return atomic_load(&app->inflight) > 0;
}

void gw_server_close(gw_app *app)
{
    if (app->q_open) {
        sk_loopq_close(&app->q);
        app->q_open = false;
    }
}

void gw_server_free(gw_app *app)
{
    gw_http_stop(app->http);
    app->http = NULL;
    gw_public_cache_close(app->pub);
    app->pub = NULL;
    free(app->openapi);
    app->openapi = NULL;
}
