/* route.c - pure: which route a method and path are, and how a path maps to
 * a file of the web UI (its content type and cache lifetime). No I/O. */
#include "http.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- pure: routing ---- */

static bool ident_ok(const char *s, size_t n, size_t cap)
{
    if (n == 0 || n >= cap)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return false;
    return true;
}

/* `rest` is "<id>" with no further slash and fits id[40]. */
/* Ids in paths are UUIDs, which are compared and cached as lower case (the
 * RPC server canonicalises ids in bodies the same way): an id typed in upper
 * case must not slip past a cache entry's invalidation. */
static bool take_id(const char *rest, gw_route *out)
{
    size_t n = strlen(rest);
    if (n == 0 || n >= sizeof(out->id) || strchr(rest, '/'))
        return false;
    for (size_t i = 0; i <= n; i++)
        out->id[i] = rest[i] >= 'A' && rest[i] <= 'F' ? (char)(rest[i] - 'A' + 'a') : rest[i];
    return true;
}

static void want(gw_route *out, gw_route_kind kind, bool is_get, bool is_post, bool post)
{
    out->kind = kind;
    out->method_ok = post ? is_post : is_get;
    out->allow = post ? "POST" : "GET, HEAD";
}

void gw_route_parse(const char *method, const char *path, gw_route *out)
{
    memset(out, 0, sizeof(*out));
    bool is_get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    bool is_post = strcmp(method, "POST") == 0;
    out->method_ok = true;

    if (strcmp(path, "/healthz") == 0)
        return want(out, GW_ROUTE_HEALTHZ, is_get, is_post, false);
    if (strcmp(path, "/readyz") == 0)
        return want(out, GW_ROUTE_READYZ, is_get, is_post, false);
    if (strcmp(path, "/metrics") == 0)
        return want(out, GW_ROUTE_METRICS, is_get, is_post, false);
    if (strcmp(path, "/api") != 0 && strncmp(path, "/api/", 5) != 0)
        return want(out, GW_ROUTE_STATIC, is_get, is_post, false);

    out->kind = GW_ROUTE_API_UNKNOWN;
    if (strncmp(path, "/api/v1/", 8) != 0)
        return;
    const char *rest = path + 8;
    if (strcmp(rest, "openapi.json") == 0)
        return want(out, GW_ROUTE_OPENAPI, is_get, is_post, false);
    if (strcmp(rest, "auth/login") == 0)
        return want(out, GW_ROUTE_LOGIN, is_get, is_post, true);
    if (strcmp(rest, "auth/signup") == 0)
        return want(out, GW_ROUTE_SIGNUP, is_get, is_post, true);
    if (strcmp(rest, "auth/reset/request") == 0)
        return want(out, GW_ROUTE_RESET_REQUEST, is_get, is_post, true);
    if (strcmp(rest, "auth/reset/confirm") == 0)
        return want(out, GW_ROUTE_RESET_CONFIRM, is_get, is_post, true);
    if (strcmp(rest, "auth/logout") == 0)
        return want(out, GW_ROUTE_LOGOUT, is_get, is_post, true);
    if (strcmp(rest, "auth/me") == 0)
        return want(out, GW_ROUTE_ME, is_get, is_post, false);
    static const char FILES[] = "files/registry/documents/";
    if (strncmp(rest, FILES, sizeof(FILES) - 1) == 0) {
        if (take_id(rest + sizeof(FILES) - 1, out))
            want(out, GW_ROUTE_FILE, is_get, is_post, false);
        return;
    }
    static const char OUTLETS[] = "public/outlets/";
    if (strncmp(rest, OUTLETS, sizeof(OUTLETS) - 1) == 0) {
        if (take_id(rest + sizeof(OUTLETS) - 1, out))
            want(out, GW_ROUTE_PUBLIC_OUTLET, is_get, is_post, false);
        return;
    }
    const char *dot = strchr(rest, '.');
    if (!dot || strchr(rest, '/'))
        return;
    size_t sn = (size_t)(dot - rest), mn = strlen(dot + 1);
    if (!ident_ok(rest, sn, sizeof(out->service)) || !ident_ok(dot + 1, mn, sizeof(out->method)))
        return;
    memcpy(out->service, rest, sn);
    out->service[sn] = '\0';
    memcpy(out->method, dot + 1, mn + 1);
    want(out, GW_ROUTE_RPC, is_get, is_post, true);
}

/* ---- pure: static files ---- */

bool gw_static_path(const char *path, char *out, size_t cap)
{
    static const char INDEX[] = "index.html";
    if (!path || path[0] != '/' || cap == 0)
        return false;
    size_t n = 0;
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *seg = p;
        while (*p && *p != '/')
            p++;
        size_t len = (size_t)(p - seg);
        if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
            return false;
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)seg[i];
            if (c < 0x20 || c == 0x7f || c == '\\')
                return false;
        }
        if (n + (n ? 1 : 0) + len >= cap)
            return false;
        if (n)
            out[n++] = '/';
        memcpy(out + n, seg, len);
        n += len;
    }
    if (n == 0 || path[strlen(path) - 1] == '/') {
        if (n + (n ? 1 : 0) + sizeof(INDEX) > cap)
            return false;
        if (n)
            out[n++] = '/';
        memcpy(out + n, INDEX, sizeof(INDEX));
        return true;
    }
    out[n] = '\0';
    return true;
}

static const char *last_segment(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

bool gw_static_has_extension(const char *path)
{
    const char *dot = strrchr(last_segment(path), '.');
    return dot && dot[1] != '\0';
}

const char *gw_content_type(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {"html", "text/html; charset=utf-8"},
        {"htm", "text/html; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"mjs", "text/javascript; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"json", "application/json"},
        {"map", "application/json"},
        {"webmanifest", "application/manifest+json"},
        {"svg", "image/svg+xml"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"gif", "image/gif"},
        {"webp", "image/webp"},
        {"avif", "image/avif"},
        {"ico", "image/x-icon"},
        {"woff", "font/woff"},
        {"woff2", "font/woff2"},
        {"ttf", "font/ttf"},
        {"otf", "font/otf"},
        {"txt", "text/plain; charset=utf-8"},
        {"wasm", "application/wasm"},
        {"pdf", "application/pdf"},
        {"xml", "application/xml"},
    };
    const char *dot = strrchr(last_segment(name), '.');
    if (dot)
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
            if (strcasecmp(dot + 1, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

const char *gw_cache_control(const char *name)
{
    static const char NO_CACHE[] = "no-cache";
    static const char FOREVER[] = "public, max-age=31536000, immutable";
    const char *seg = last_segment(name);
    const char *ext = strrchr(seg, '.');
    if (!ext || strcmp(seg, "index.html") == 0)
        return NO_CACHE;
    /* The fingerprint: the run of [A-Za-z0-9_] before the extension, after a
     * '-' or '.', at least 8 long and holding a digit. */
    const char *end = ext, *p = ext;
    bool digit = false;
    while (p > seg && (isalnum((unsigned char)p[-1]) || p[-1] == '_')) {
        p--;
        digit = digit || isdigit((unsigned char)*p);
    }
    if (p > seg && (p[-1] == '-' || p[-1] == '.') && end - p >= 8 && digit)
        return FOREVER;
    return NO_CACHE;
}
