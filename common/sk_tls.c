#include "sk_tls.h"

#include <nng/supplemental/tls/tls.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_log.h"

#define PEM_MAX (1024 * 1024)

enum { V_CERT, V_KEY, V_CA, V_COUNT };
static const char *const var_names[V_COUNT] = {"SEKLIK_TLS_CERT", "SEKLIK_TLS_KEY",
                                               "SEKLIK_TLS_CA"};
static const char SERVER_NAME_VAR[] = "SEKLIK_TLS_SERVER_NAME";

/* The process's identity: PEM text kept in memory, so every listener and
 * dialer is configured from what was read once. */
static struct {
    pthread_mutex_t mu;
    bool tried; /* configured, or the environment was read */
    bool loaded;
    char *pem[V_COUNT];
    char *server_name; /* NULL: each URL's host */
    char error[400];   /* why not loaded, naming the variable */
} g = {.mu = PTHREAD_MUTEX_INITIALIZER};

bool sk_tls_url(const char *url)
{
    return url && strncmp(url, "tls+tcp://", 10) == 0;
}

/* The whole file as a NUL-terminated string; NULL with `why` set. */
static char *read_pem(const char *path, char *why, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, cap, "cannot read \"%.200s\"", path);
        return NULL;
    }
    char *buf = malloc(PEM_MAX + 2);
    size_t n = buf ? fread(buf, 1, PEM_MAX + 1, f) : 0;
    bool err = ferror(f) != 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    if (!buf || err || n == 0 || n > PEM_MAX || !strstr(buf, "-----BEGIN ")) {
        snprintf(why, cap, "\"%.200s\" is not a PEM file of at most 1 MiB", path);
        free(buf);
        return NULL;
    }
    return buf;
}

static void clear_locked(void)
{
    for (int i = 0; i < V_COUNT; i++) {
        free(g.pem[i]);
        g.pem[i] = NULL;
    }
    free(g.server_name);
    g.server_name = NULL;
    g.loaded = false;
}

/* A configuration for one listener (server) or dialer (client, checking
 * `server_name`); NULL on failure with *bad_var and `why`. Caller holds g.mu
 * and owns the result (nng_tls_config_free). */
static nng_tls_config *make_config(bool server, const char *server_name, const char **bad_var,
                                   char *why, size_t cap)
{
    nng_tls_config *c = NULL;
    int rv = nng_tls_config_alloc(&c, server ? NNG_TLS_MODE_SERVER : NNG_TLS_MODE_CLIENT);
    const char *what = "";
    *bad_var = var_names[V_CERT];
    if (rv != 0) {
        snprintf(why, cap, "TLS unavailable in this NNG build: %s", nng_strerror(rv));
        return NULL;
    }
    if ((rv = nng_tls_config_ca_chain(c, g.pem[V_CA], NULL)) != 0) {
        *bad_var = var_names[V_CA];
        what = "CA certificates";
    } else if ((rv = nng_tls_config_own_cert(c, g.pem[V_CERT], g.pem[V_KEY], NULL)) != 0) {
        what = "certificate or its key (SEKLIK_TLS_KEY)";
    } else if ((rv = nng_tls_config_auth_mode(c, NNG_TLS_AUTH_MODE_REQUIRED)) != 0) {
        what = "peer verification";
    } else if (!server && (rv = nng_tls_config_server_name(c, server_name)) != 0) {
        *bad_var = SERVER_NAME_VAR;
        what = "server name";
    }
    if (rv != 0) {
        snprintf(why, cap, "%s not usable: %s", what, nng_strerror(rv));
        nng_tls_config_free(c);
        return NULL;
    }
    return c;
}

/* Load from the three paths (any may be NULL: an error). Caller holds g.mu.
 * On failure *bad_var and `why` say which variable and what is wrong. */
static bool load_locked(const char *const paths[V_COUNT], const char *server_name,
                        const char **bad_var, char *why, size_t cap)
{
    clear_locked();
    g.tried = true;
    for (int i = 0; i < V_COUNT; i++) {
        if (!paths[i] || !paths[i][0]) {
            *bad_var = var_names[i];
            snprintf(why, cap, "is required for tls+tcp:// (a PEM file)");
            return false;
        }
        if (!(g.pem[i] = read_pem(paths[i], why, cap))) {
            *bad_var = var_names[i];
            clear_locked();
            return false;
        }
    }
    if (server_name && server_name[0] && !(g.server_name = strdup(server_name))) {
        *bad_var = SERVER_NAME_VAR;
        snprintf(why, cap, "out of memory");
        clear_locked();
        return false;
    }
    /* Parse once now, so a bad file is a start-up error and not a silent
     * handshake failure later. */
    nng_tls_config *c = make_config(true, NULL, bad_var, why, cap);
    if (!c) {
        clear_locked();
        return false;
    }
    nng_tls_config_free(c);
    g.loaded = true;
    return true;
}

void sk_tls_configure(sk_config *cfg, bool needed)
{
    const char *paths[V_COUNT];
    bool any = false;
    for (int i = 0; i < V_COUNT; i++) {
        paths[i] = sk_config_str(cfg, var_names[i], NULL, false);
        any = any || paths[i];
    }
    const char *server_name = sk_config_str(cfg, SERVER_NAME_VAR, NULL, false);
    if (!needed && !any)
        return;
    char why[300];
    const char *bad = NULL;
    pthread_mutex_lock(&g.mu);
    bool ok = load_locked(paths, server_name, &bad, why, sizeof(why));
    if (!ok)
        snprintf(g.error, sizeof(g.error), "%s: %.300s", bad, why);
    pthread_mutex_unlock(&g.mu);
    if (!ok)
        sk_config_fail(cfg, bad, why);
}

/* Caller holds g.mu. True when the material is there, read from the
 * environment on first use when sk_tls_configure never ran. */
static bool ensure_loaded_locked(void)
{
    if (!g.tried) {
        const char *paths[V_COUNT];
        for (int i = 0; i < V_COUNT; i++)
            paths[i] = getenv(var_names[i]);
        char why[300];
        const char *bad = NULL;
        if (!load_locked(paths, getenv(SERVER_NAME_VAR), &bad, why, sizeof(why)))
            snprintf(g.error, sizeof(g.error), "%s: %.300s", bad, why);
    }
    return g.loaded;
}

/* A TLS configuration for `url` (server or client side); NULL, logged, when
 * TLS is not configured. */
static nng_tls_config *config_for(const char *url, bool server)
{
    nng_tls_config *c = NULL;
    char why[300] = "";
    const char *bad = NULL;
    pthread_mutex_lock(&g.mu);
    if (!ensure_loaded_locked()) {
        snprintf(why, sizeof(why), "%.290s", g.error);
    } else if (server) {
        c = make_config(true, NULL, &bad, why, sizeof(why));
    } else {
        nng_url *u = NULL;
        if (nng_url_parse(&u, url) != 0) {
            snprintf(why, sizeof(why), "cannot parse the URL");
        } else {
            const char *name = g.server_name ? g.server_name : u->u_hostname;
            c = make_config(false, name, &bad, why, sizeof(why));
            nng_url_free(u);
        }
    }
    pthread_mutex_unlock(&g.mu);
    if (!c)
        sk_log_error("tls: %s: %s", url, why);
    return c;
}

int sk_tls_listen(nng_socket sock, const char *url, nng_listener *out)
{
    if (!sk_tls_url(url))
        return nng_listen(sock, url, out, 0);
    nng_tls_config *c = config_for(url, true);
    if (!c)
        return NNG_EINVAL;
    nng_listener l;
    int rv = nng_listener_create(&l, sock, url);
    if (rv == 0) {
        /* The listener holds its own reference to the configuration. */
        rv = nng_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, c);
        if (rv == 0)
            rv = nng_listener_start(l, 0);
        if (rv != 0)
            nng_listener_close(l);
    }
    nng_tls_config_free(c);
    if (rv == 0 && out)
        *out = l;
    return rv;
}

int sk_tls_dial(nng_socket sock, const char *url, nng_dialer *out)
{
    if (!sk_tls_url(url))
        return nng_dial(sock, url, out, NNG_FLAG_NONBLOCK);
    nng_tls_config *c = config_for(url, false);
    if (!c)
        return NNG_EINVAL;
    nng_dialer d;
    int rv = nng_dialer_create(&d, sock, url);
    if (rv == 0) {
        rv = nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, c);
        if (rv == 0)
            rv = nng_dialer_start(d, NNG_FLAG_NONBLOCK);
        if (rv != 0)
            nng_dialer_close(d);
    }
    nng_tls_config_free(c);
    if (rv == 0 && out)
        *out = d;
    return rv;
}
