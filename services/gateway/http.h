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
 * clients are bounded by MHD's own options. MHD's timeout is an idle one (a
 * byte every few seconds resets it), so a sweeper thread of our own cuts
 * (shutdown(2)) connections past a total deadline for the request line and
 * headers and for the body (gw_conn_overdue). No HTTP is parsed by hand. */
#ifndef GATEWAY_HTTP_H
#define GATEWAY_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- pure: routing ---- */

typedef enum gw_route_kind {
    GW_ROUTE_STATIC = 0,    /* anything outside /api/ and the health paths */
    GW_ROUTE_RPC,           /* POST /api/v1/{service}.{Method} */
    GW_ROUTE_LOGIN,         /* POST /api/v1/auth/login */
    GW_ROUTE_SIGNUP,        /* POST /api/v1/auth/signup */
    GW_ROUTE_RESET_REQUEST, /* POST /api/v1/auth/reset/request */
    GW_ROUTE_RESET_CONFIRM, /* POST /api/v1/auth/reset/confirm */
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

/* ---- pure: the client's address behind trusted proxies ---- */

#define GW_PROXIES_MAX 32
#define GW_ADDR_CAP    46 /* INET6_ADDRSTRLEN */

/* One trusted network: `bits` leading bits of `addr` (4 bytes for AF_INET,
 * 16 for AF_INET6). */
typedef struct gw_net {
    int family;
    unsigned char addr[16];
    unsigned bits;
} gw_net;

typedef struct gw_proxies {
    gw_net nets[GW_PROXIES_MAX];
    size_t n; /* 0: nobody is trusted and X-Forwarded-For is ignored */
} gw_proxies;

/* Parse `list`, comma-separated IPv4 or IPv6 addresses and CIDRs
 * ("10.0.0.0/8, fd00::/8, 192.0.2.1"), blanks around entries allowed. NULL
 * or blank is the empty list. False on an empty or bad entry, a prefix
 * longer than the family's, bits set past the prefix, or more than
 * GW_PROXIES_MAX entries: `why` (capacity `cap`) names the entry and the
 * reason, and *out is left empty. An IPv4-mapped IPv6 address
 * ("::ffff:10.0.0.1") is its IPv4 address. */
bool gw_proxies_parse(const char *list, gw_proxies *out, char *why, size_t cap);

/* Is `addr` (text, as inet_ntop writes it) inside one of the networks?
 * False for text that is no address. */
bool gw_proxies_trust(const gw_proxies *p, const char *addr);

/* The client's address for a request whose TCP peer is `peer` and whose
 * X-Forwarded-For headers, joined with commas in the order received, are
 * `xff` (NULL when there is none), into `out` (capacity `cap`, at least
 * GW_ADDR_CAP; not `peer` itself). An untrusted peer or no header: `peer` itself. Otherwise the
 * entries are read from the right: the first one not trusted is the client;
 * an entry that is no address (a port, a name, an empty one) ends the walk
 * and the last trusted hop read is taken; when every entry is trusted, the
 * left-most. A chosen entry is rewritten in inet_ntop's form, so one address
 * has one spelling in throttles and audit rows. */
void gw_client_addr(const gw_proxies *p, const char *peer, const char *xff, char *out, size_t cap);

/* ---- pure: total deadlines of a connection ---- */

/* Where a connection is in its current request. A kept-alive connection
 * waiting for its next request is in GW_CONN_HEADERS again, its clock
 * restarted when the previous request completed. */
typedef enum gw_conn_phase {
    GW_CONN_HEADERS = 0, /* the request line and headers are coming in */
    GW_CONN_BODY,        /* the headers are in, the body is coming in */
    GW_CONN_BUSY,        /* the gateway is answering: no deadline of ours */
} gw_conn_phase;

typedef struct gw_deadlines {
    unsigned header_s;        /* request line + headers, from the request's start */
    unsigned body_s;          /* the whole request with its body, from the same start */
    unsigned max_connections; /* the table; 0 = never under pressure */
} gw_deadlines;

/* A table at least this full (in quarters) is under pressure: the header
 * deadline shrinks to a quarter (at least 1 s), so idle and slow connections
 * give their places to clients that send a request at once. */
#define GW_CONN_PRESSURE_QUARTERS 3

/* Is a connection in `phase`, whose request started `age_ms` ago, past its
 * deadline while `open` connections are open? Never for GW_CONN_BUSY. */
bool gw_conn_overdue(gw_conn_phase phase, uint64_t age_ms, const gw_deadlines *d, unsigned open);

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
