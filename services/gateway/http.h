/* http.h - the gateway's HTTP layer on libmicrohttpd (docs/adr/0008).
 *
 * Two halves. The pure half (routing, path checks, content types) takes
 * strings and fills caller-owned structs: no I/O, no allocation, unit-tested
 * directly. The server half runs MHD's own polling threads (epoll); work that
 * waits on the bus or the database never runs there: the connection is
 * suspended, the request goes to the libuv loop (sk_loopq) and from there to
 * the thread pool (api.c), and the connection is resumed with the reply.
 * Request bodies are counted while they stream in and refused with 413 past
 * the limit; header size, connections, connections per address and idle
 * clients are bounded by MHD's own options. No HTTP is parsed by hand. */
#ifndef GATEWAY_HTTP_H
#define GATEWAY_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* ---- pure: routing ---- */

typedef enum gw_route_kind {
    GW_ROUTE_STATIC = 0,    /* anything outside /api/ and the health paths */
    GW_ROUTE_RPC,           /* POST /api/v1/{service}.{Method} */
    GW_ROUTE_LOGIN,         /* POST /api/v1/auth/login */
    GW_ROUTE_SIGNUP,        /* POST /api/v1/auth/signup */
    GW_ROUTE_LOGOUT,        /* POST /api/v1/auth/logout */
    GW_ROUTE_ME,            /* GET  /api/v1/auth/me */
    GW_ROUTE_FILE,          /* GET  /api/v1/files/registry/documents/{id} */
    GW_ROUTE_PUBLIC_OUTLET, /* GET  /api/v1/public/outlets/{id} */
    GW_ROUTE_OPENAPI,       /* GET  /api/v1/openapi.json */
    GW_ROUTE_HEALTHZ,       /* GET  /healthz */
    GW_ROUTE_READYZ,        /* GET  /readyz */
    GW_ROUTE_METRICS,       /* GET  /metrics */
    GW_ROUTE_API_UNKNOWN,   /* any other /api/ path: 404 */
} gw_route_kind;

typedef struct gw_route {
    gw_route_kind kind;
    bool method_ok;    /* false: the path exists but not for this method (405) */
    const char *allow; /* the Allow header for a 405 ("POST", "GET, HEAD") */
    char service[16];  /* GW_ROUTE_RPC: "registry" */
    char method[64];   /* GW_ROUTE_RPC: "RegisterCompany" */
    char id[40];       /* GW_ROUTE_FILE, GW_ROUTE_PUBLIC_OUTLET: as given (check it) */
} gw_route;

/* Route `method` ("GET") and `path` (already percent-decoded, no query) into
 * *out. Never fails: an unknown API path is GW_ROUTE_API_UNKNOWN, and an RPC
 * path whose service or method is too long, empty, or has characters outside
 * [A-Za-z0-9_] is GW_ROUTE_API_UNKNOWN too. Whether the service and method
 * exist is the caller's check (gw_api_find_method). HEAD counts as GET. */
void gw_route_parse(const char *method, const char *path, gw_route *out);

/* ---- pure: static files ---- */

/* Check a request path for the static tree and copy it to `out` without its
 * leading slashes. Refuses (false) a path that is not absolute, holds a
 * ".." or "." segment, a backslash, a NUL-less control character, or does
 * not fit in `cap`. "/" and "" map to "index.html"; a trailing slash gets
 * "index.html" appended. Repeated slashes are collapsed. */
bool gw_static_path(const char *path, char *out, size_t cap);

/* True when the last segment of `path` has an extension ("app.js"): a
 * missing file with one is a 404, not the single-page app's index. */
bool gw_static_has_extension(const char *path);

/* The Content-Type for a file name by its extension; static string,
 * "application/octet-stream" when unknown. */
const char *gw_content_type(const char *name);

/* The Cache-Control for a static file name: "no-cache" for index.html and
 * unhashed names, a year and immutable for fingerprinted assets
 * ("assets/app-3f9a1c2b.js": a '-' or '.' then 8+ hex or base64url chars
 * before the extension). Static string. */
const char *gw_cache_control(const char *name);

/* ---- the server ---- */

struct gw_app;
typedef struct gw_http gw_http;

/* Start MHD on app->cfg.listen_url (or, with `no_listen`, without a listening
 * socket: connections come only from gw_http_add_connection, for the fuzz
 * target). Reads app->cfg limits; app must outlive the server. SK_OK,
 * SK_EINVAL (bad URL), SK_EUNAVAIL (cannot bind) or SK_ENOMEM. */
int gw_http_start(struct gw_app *app, bool no_listen, gw_http **out);

/* Hand an accepted socket to the server (it owns `fd` afterwards, even on
 * failure). SK_OK or SK_EUNAVAIL. */
int gw_http_add_connection(gw_http *h, int fd);

/* Stop accepting connections; requests in flight carry on. Any thread. */
void gw_http_quiesce(gw_http *h);

/* Stop the daemon (closes every connection) and free. Call once nothing is
 * suspended (gw_app.inflight == 0). NULL is fine. */
void gw_http_stop(gw_http *h);

#endif
