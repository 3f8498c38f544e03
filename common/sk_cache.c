#include "sk_cache.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "sk_cache_seal.h"
#include "sk_err.h"
#include "sk_id.h"
#include "sk_log.h"

#define CACHE_CONNS 4
#define RETRY_AFTER_NS 1000000000ull
#define FORGED_LOG_EVERY_NS 1000000000ull
#define NAME_MAX_LEN 512
#define USER_MAX 128
#define PASSWORD_MAX 512
#define DB_MAX 1000000
#define SECRET_MIN 32

typedef struct redis_target {
    char host[256];
    int port;
    char unix_path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* "" for TCP */
    int db;
    char user[USER_MAX];
    char password[PASSWORD_MAX];
} redis_target;

struct sk_cache {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    redis_target to;
    uint8_t mac_key[SK_CACHE_KEY_LEN];
    char prefix[96];
    redisContext *ctx[CACHE_CONNS];
    bool busy[CACHE_CONNS];
    uint64_t down_until_ns; /* no connect attempts before this */
    bool down_logged;
    bool dirty;             /* an invalidation was lost: flush on reconnect */
    atomic_uint_fast64_t forged_logged_ns;
    sk_cache_stats stats;
};

/* ---- the URL ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decode s[0..n) into `out` (capacity cap). False when malformed,
 * holding a NUL, or too long. */
static bool pct_decode(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '%') {
            if (n - i < 3 || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
                return false;
            ch = (char)(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
            i += 2;
        }
        if (ch == '\0' || o + 1 >= cap)
            return false;
        out[o++] = ch;
    }
    out[o] = '\0';
    return true;
}

/* s[0..n) as a decimal number in [min, max]; false otherwise. */
static bool parse_int(const char *s, size_t n, long min, long max, int *out)
{
    if (n == 0 || n > 9)
        return false;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v < min || v > max)
        return false;
    *out = (int)v;
    return true;
}

static int bad_url(char *why, size_t cap, const char *reason)
{
    snprintf(why, cap, "%s (expected redis://[user:password@]host:port[/db] or "
                       "unix:///path/to/redis.sock[?db=N])",
             reason);
    return SK_EINVAL;
}

/* Never copies any part of `url` into `why`: it may hold a password. */
static int parse_url(const char *url, redis_target *t, char *why, size_t cap)
{
    memset(t, 0, sizeof(*t));
    t->port = 6379;
    if (strncmp(url, "unix://", 7) == 0) {
        const char *path = url + 7;
        if (path[0] != '/')
            return bad_url(why, cap, "a unix URL needs an absolute path");
        size_t plen = strcspn(path, "?");
        if (plen >= sizeof(t->unix_path))
            return bad_url(why, cap, "the socket path is too long");
        memcpy(t->unix_path, path, plen);
        const char *q = path + plen;
        if (*q == '?') {
            if (strncmp(q, "?db=", 4) != 0 || !parse_int(q + 4, strlen(q + 4), 0, DB_MAX, &t->db))
                return bad_url(why, cap, "the only query is ?db=N");
        }
        return SK_OK;
    }
    if (strncmp(url, "redis://", 8) != 0)
        return bad_url(why, cap, "unknown scheme");
    const char *rest = url + 8;
    /* The last '@' ends the credentials, so a password may hold '@' or '/'. */
    const char *at = strrchr(rest, '@');
    if (at) {
        const char *colon = memchr(rest, ':', (size_t)(at - rest));
        size_t ulen = colon ? (size_t)(colon - rest) : (size_t)(at - rest);
        if (!pct_decode(rest, ulen, t->user, sizeof(t->user)))
            return bad_url(why, cap, "the user name is malformed or too long");
        if (colon && !pct_decode(colon + 1, (size_t)(at - colon - 1), t->password,
                                 sizeof(t->password)))
            return bad_url(why, cap, "the password is malformed or too long");
        rest = at + 1;
    }
    size_t hplen = strcspn(rest, "/?");
    const char *hp_end = rest + hplen;
    const char *port = NULL;
    size_t hlen;
    if (rest[0] == '[') { /* [IPv6]:port */
        const char *close = memchr(rest, ']', hplen);
        if (!close)
            return bad_url(why, cap, "unclosed '[' in the host");
        hlen = (size_t)(close - rest - 1);
        if (hlen == 0 || hlen >= sizeof(t->host))
            return bad_url(why, cap, "bad host");
        memcpy(t->host, rest + 1, hlen);
        if (close + 1 < hp_end) {
            if (close[1] != ':')
                return bad_url(why, cap, "bad host");
            port = close + 2;
        }
    } else {
        const char *colon = memchr(rest, ':', hplen);
        hlen = colon ? (size_t)(colon - rest) : hplen;
        if (hlen == 0 || hlen >= sizeof(t->host))
            return bad_url(why, cap, "bad host");
        memcpy(t->host, rest, hlen);
        if (colon)
            port = colon + 1;
    }
    if (port && !parse_int(port, (size_t)(hp_end - port), 1, 65535, &t->port))
        return bad_url(why, cap, "the port must be 1 to 65535");
    if (*hp_end == '?')
        return bad_url(why, cap, "a redis URL takes no query");
    if (*hp_end == '/' && hp_end[1] != '\0' &&
        !parse_int(hp_end + 1, strlen(hp_end + 1), 0, DB_MAX, &t->db))
        return bad_url(why, cap, "the database must be a number");
    return SK_OK;
}

int sk_cache_check_url(const char *url, char *why, size_t cap)
{
    redis_target t;
    int rc = parse_url(url, &t, why, cap);
    sodium_memzero(&t, sizeof(t));
    return rc;
}

/* ---- connections ---- */

/* Where Redis is, without credentials, for logs. */
static void describe(const sk_cache *c, char *out, size_t cap)
{
    const redis_target *t = &c->to;
    if (t->unix_path[0])
        snprintf(out, cap, "unix:%s db %d", t->unix_path, t->db);
    else
        snprintf(out, cap, "%s:%d db %d", t->host, t->port, t->db);
}

void sk_cache_close(sk_cache *c)
{
    if (!c)
        return;
    for (int i = 0; i < CACHE_CONNS; i++)
        if (c->ctx[i])
            redisFree(c->ctx[i]);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->freed);
    sodium_memzero(c, sizeof(*c));
    free(c);
}

sk_cache_stats *sk_cache_get_stats(sk_cache *c)
{
    return &c->stats;
}

/* `refused`: Redis answered but would not let us in (a configuration
 * error, logged as one); otherwise it could not be reached. */
static void mark_down(sk_cache *c, const char *why, bool refused)
{
    pthread_mutex_lock(&c->lock);
    c->down_until_ns = sk_now_mono_ns() + RETRY_AFTER_NS;
    bool first = !c->down_logged;
    c->down_logged = true;
    pthread_mutex_unlock(&c->lock);
    if (!first)
        return;
    char where[320];
    describe(c, where, sizeof(where));
    if (refused)
        sk_log_error("cache: redis at %s refused us (%s); check SEKLIK_REDIS_URL, "
                     "SEKLIK_REDIS_USER and SEKLIK_REDIS_PASSWORD; serving from the database",
                     where, why);
    else
        sk_log_warn("cache: redis at %s unavailable (%s); serving from the database", where, why);
}

/* A new connection, authenticated and on its database; NULL with the reason
 * in `why` (*refused when Redis answered with an error). */
static redisContext *connect_one(const sk_cache *c, char *why, size_t cap, bool *refused)
{
    const redis_target *t = &c->to;
    struct timeval tv = {0, 100000};
    *refused = false;
    redisContext *ctx = t->unix_path[0] ? redisConnectUnixWithTimeout(t->unix_path, tv)
                                        : redisConnectWithTimeout(t->host, t->port, tv);
    if (!ctx || ctx->err) {
        snprintf(why, cap, "%s", ctx ? ctx->errstr : "out of memory");
        if (ctx)
            redisFree(ctx);
        return NULL;
    }
    redisSetTimeout(ctx, tv);
    redisReply *r;
    const char *step;
    if (t->password[0] && t->user[0]) {
        r = redisCommand(ctx, "AUTH %s %s", t->user, t->password);
        step = "AUTH as the configured user";
    } else if (t->password[0]) {
        r = redisCommand(ctx, "AUTH %s", t->password);
        step = "AUTH with a password and no user";
    } else {
        r = redisCommand(ctx, "PING"); /* a Redis that wants a password says NOAUTH here */
        step = "no password configured";
    }
    if (r && r->type != REDIS_REPLY_ERROR && t->db != 0) {
        freeReplyObject(r);
        r = redisCommand(ctx, "SELECT %d", t->db);
        step = "SELECT";
    }
    if (!r || r->type == REDIS_REPLY_ERROR) {
        *refused = r != NULL;
        if (r)
            snprintf(why, cap, "%s: %.*s", step, (int)(r->len < 160 ? r->len : 160), r->str);
        else
            snprintf(why, cap, "%s", ctx->err ? ctx->errstr : "no reply");
        if (r)
            freeReplyObject(r);
        redisFree(ctx);
        return NULL;
    }
    freeReplyObject(r);
    return ctx;
}

/* UNLINK every key matching `pattern`. False when Redis failed. */
static bool unlink_matching(redisContext *ctx, const char *pattern)
{
    char cursor[32] = "0";
    do {
        redisReply *r = redisCommand(ctx, "SCAN %s MATCH %s COUNT 1000", cursor, pattern);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
            if (r)
                freeReplyObject(r);
            return false;
        }
        snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
        redisReply *keys = r->element[1];
        for (size_t i = 0; i < keys->elements; i++) {
            redisReply *d = redisCommand(ctx, "UNLINK %b", keys->element[i]->str,
                                         (size_t)keys->element[i]->len);
            bool failed = !d || d->type == REDIS_REPLY_ERROR;
            if (d)
                freeReplyObject(d);
            if (failed) {
                freeReplyObject(r);
                return false;
            }
        }
        freeReplyObject(r);
    } while (strcmp(cursor, "0") != 0);
    return true;
}

static bool flush_prefix(sk_cache *c, redisContext *ctx)
{
    char pattern[128];
    snprintf(pattern, sizeof(pattern), "%s*", c->prefix);
    return unlink_matching(ctx, pattern);
}

static void release_slot(sk_cache *c, int s)
{
    pthread_mutex_lock(&c->lock);
    c->busy[s] = false;
    pthread_cond_signal(&c->freed);
    pthread_mutex_unlock(&c->lock);
}

/* Check out a live connection, or NULL when Redis is (recently) down. */
static redisContext *checkout(sk_cache *c, int *slot)
{
    pthread_mutex_lock(&c->lock);
    if (sk_now_mono_ns() < c->down_until_ns) {
        pthread_mutex_unlock(&c->lock);
        return NULL;
    }
    int s = -1;
    while (s < 0) {
        for (int i = 0; i < CACHE_CONNS && s < 0; i++)
            if (!c->busy[i])
                s = i;
        if (s < 0)
            pthread_cond_wait(&c->freed, &c->lock);
    }
    c->busy[s] = true;
    bool dirty = c->dirty;
    pthread_mutex_unlock(&c->lock);

    redisContext *ctx = c->ctx[s];
    if (!ctx) {
        char why[256];
        bool refused = false;
        ctx = connect_one(c, why, sizeof(why), &refused);
        if (!ctx) {
            release_slot(c, s);
            mark_down(c, why, refused);
            return NULL;
        }
        c->ctx[s] = ctx;
    }
    if (dirty) {
        if (!flush_prefix(c, ctx)) {
            redisFree(ctx);
            c->ctx[s] = NULL;
            release_slot(c, s);
            mark_down(c, "flush after outage failed", false);
            return NULL;
        }
        pthread_mutex_lock(&c->lock);
        c->dirty = false;
        pthread_mutex_unlock(&c->lock);
        sk_log_info("cache: redis back; dropped entries that may have missed invalidation");
    }
    pthread_mutex_lock(&c->lock);
    if (c->down_logged) {
        c->down_logged = false;
        sk_log_info("cache: redis reachable again");
    }
    pthread_mutex_unlock(&c->lock);
    *slot = s;
    return ctx;
}

/* Give the connection back; a failed one is closed and Redis marked down.
 * `r` is the failed call's reply, if any (an error reply says why). */
static void checkin_reply(sk_cache *c, int slot, bool failed, bool lost_invalidation,
                          const redisReply *r)
{
    const char *why = NULL;
    char buf[200];
    if (failed && c->ctx[slot]) {
        if (c->ctx[slot]->err)
            snprintf(buf, sizeof(buf), "%s", c->ctx[slot]->errstr);
        else if (r && r->type == REDIS_REPLY_ERROR)
            snprintf(buf, sizeof(buf), "%.*s", (int)(r->len < 160 ? r->len : 160), r->str);
        else
            snprintf(buf, sizeof(buf), "bad reply");
        why = buf;
        redisFree(c->ctx[slot]);
        c->ctx[slot] = NULL;
    }
    pthread_mutex_lock(&c->lock);
    c->busy[slot] = false;
    if (lost_invalidation)
        c->dirty = true;
    pthread_cond_signal(&c->freed);
    pthread_mutex_unlock(&c->lock);
    if (why)
        mark_down(c, why, false);
}

static void checkin(sk_cache *c, int slot, bool failed, bool lost_invalidation)
{
    checkin_reply(c, slot, failed, lost_invalidation, NULL);
}

int sk_cache_open(const sk_cache_options *opt, sk_cache **out)
{
    if (!opt->url || !opt->service || !opt->secret || opt->secret_len < SECRET_MIN)
        return SK_EINVAL;
    sk_cache *c = calloc(1, sizeof(*c));
    if (!c)
        return SK_ENOMEM;
    char why[200];
    int rc = parse_url(opt->url, &c->to, why, sizeof(why));
    if (rc == SK_OK && opt->user && opt->user[0] &&
        (size_t)snprintf(c->to.user, sizeof(c->to.user), "%s", opt->user) >= sizeof(c->to.user))
        rc = SK_EINVAL;
    if (rc == SK_OK && opt->password && opt->password[0] &&
        (size_t)snprintf(c->to.password, sizeof(c->to.password), "%s", opt->password) >=
            sizeof(c->to.password))
        rc = SK_EINVAL;
    if (rc != SK_OK) {
        sodium_memzero(c, sizeof(*c));
        free(c);
        return rc;
    }
    sk_cache_derive_key(opt->secret, opt->secret_len, c->mac_key);
    snprintf(c->prefix, sizeof(c->prefix), "seklik:%s:", opt->service);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->freed, NULL);

    /* One connection now, so a refused password is a start-up log line. */
    int slot = -1;
    if (checkout(c, &slot)) {
        checkin(c, slot, false, false);
        char where[320];
        describe(c, where, sizeof(where));
        sk_log_info("cache: redis at %s, %s", where,
                    c->to.password[0] ? "authenticated" : "without a password");
    }
    *out = c;
    return SK_OK;
}

/* ---- reads and writes ---- */

/* What an invalidation leaves under a key: not a value, a fence. While it
 * stands, reads go to the loader and nothing is stored, so a load that read
 * the database before the change cannot put its stale copy back after the
 * invalidation, and an invalidation made before a commit also covers a crash
 * between the commit and the one made after it. 2 s is far longer than a
 * key's load (one indexed read) or the commit that follows the first call,
 * and short enough that a changed key is soon cached again. */
static const char FENCE[] = "seklik:fence";
#define FENCE_MS 2000
/* How fresh a loaded value must be to be stored (see sk_cache_get_or_load). */
#define STORE_WITHIN_NS ((uint64_t)FENCE_MS * 1000000 / 2)
_Static_assert(RETRY_AFTER_NS >= STORE_WITHIN_NS, "an outage must outlast a storable load");

/* A prefix invalidation fences the prefix itself: beside the keys, under
 * the service prefix + PREFIX_FENCE_MARK + prefix, for FENCE_MS. Keys never
 * hold the mark, so the prefix's own UNLINK pattern does not match its
 * fence. A key "a:b:c" can be covered by the fences of "a:" and "a:b:". */
#define PREFIX_FENCE_MARK "~"
#define FENCE_LEVELS 8

/* Store a loaded value unless a fence covers its key, as one step: a fence
 * set between a separate check and the SET would not stop it. KEYS[1] is
 * the value's name, KEYS[2..] the prefix fences that could cover it, ARGV
 * the sealed value and its TTL. NX keeps the key's own fence (and a value
 * another load stored meanwhile). GET, not EXISTS, so the ACL needs only
 * +eval beyond what the cache already uses. */
static const char STORE_SCRIPT[] =
    "for i = 2, #KEYS do if redis.call('GET', KEYS[i]) then return 0 end end "
    "return redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2], 'NX')";

static bool is_fence(const redisReply *r)
{
    return r->len == sizeof(FENCE) - 1 && memcmp(r->str, FENCE, sizeof(FENCE) - 1) == 0;
}

static uint64_t now_unix_s(void)
{
    return (uint64_t)(sk_now_unix_ms() / 1000);
}

/* A value under `name` failed the seal check: count it, say so (at most
 * once a second) and delete it. False when the delete failed on the wire. */
static bool refuse_value(sk_cache *c, redisContext *ctx, const char *name,
                         sk_cache_seal_status st)
{
    uint64_t n = atomic_fetch_add(&c->stats.forged, 1) + 1;
    uint64_t now = sk_now_mono_ns(), last = atomic_load(&c->forged_logged_ns);
    if ((last == 0 || now - last >= FORGED_LOG_EVERY_NS) &&
        atomic_compare_exchange_strong(&c->forged_logged_ns, &last, now))
        sk_log_warn("cache: refused a %s value under %s (%llu refused so far); deleted it and "
                    "answered from the database",
                    sk_cache_seal_status_name(st), name, (unsigned long long)n);
    redisReply *d = redisCommand(ctx, "DEL %s", name);
    bool ok = d && d->type != REDIS_REPLY_ERROR;
    if (d)
        freeReplyObject(d);
    return ok;
}

/* Whether `key` can be cached: no fences' mark in it, and no more levels
 * than a store checks fences for. */
static bool cacheable(const char *key)
{
    int levels = 0;
    for (const char *p = strchr(key, ':'); p; p = strchr(p + 1, ':'))
        levels++;
    return levels <= FENCE_LEVELS && !strstr(key, PREFIX_FENCE_MARK);
}

/* Run STORE_SCRIPT for a cacheable `key` (stored under `name`). The reply
 * is the caller's; NULL when Redis failed. */
static redisReply *store_unless_fenced(sk_cache *c, redisContext *ctx, const char *key,
                                       const char *name, const uint8_t *sealed, size_t slen,
                                       int ttl_s)
{
    char fences[FENCE_LEVELS][NAME_MAX_LEN + sizeof(PREFIX_FENCE_MARK)];
    char nkeys[16], ttl[16];
    const char *argv[4 + FENCE_LEVELS + 2];
    size_t lens[4 + FENCE_LEVELS + 2];
    int argc = 0, levels = 0;
    for (const char *p = strchr(key, ':'); p; p = strchr(p + 1, ':'), levels++)
        snprintf(fences[levels], sizeof(fences[levels]), "%s" PREFIX_FENCE_MARK "%.*s",
                 c->prefix, (int)(p - key + 1), key);
    snprintf(nkeys, sizeof(nkeys), "%d", 1 + levels);
    snprintf(ttl, sizeof(ttl), "%d", ttl_s);
    argv[argc++] = "EVAL";
    argv[argc++] = STORE_SCRIPT;
    argv[argc++] = nkeys;
    argv[argc++] = name;
    for (int i = 0; i < levels; i++)
        argv[argc++] = fences[i];
    for (int i = 0; i < argc; i++)
        lens[i] = strlen(argv[i]);
    argv[argc] = (const char *)sealed;
    lens[argc++] = slen;
    argv[argc] = ttl;
    lens[argc] = strlen(ttl);
    argc++;
    return redisCommandArgv(ctx, argc, argv, lens);
}

int sk_cache_get_or_load(sk_cache *c, const char *key, int ttl_s, sk_cache_loader load,
                         void *arg, uint8_t **val, size_t *len)
{
    char name[NAME_MAX_LEN];
    /* Longer or deeper than any key the services make: not cached. */
    if ((size_t)snprintf(name, sizeof(name), "%s%s", c->prefix, key) >= sizeof(name) ||
        !cacheable(key))
        return load(arg, val, len);

    int slot = -1;
    bool fenced = false;
    redisContext *ctx = checkout(c, &slot);
    if (ctx) {
        redisReply *r = redisCommand(ctx, "GET %s", name);
        bool failed = !r || r->type == REDIS_REPLY_ERROR;
        fenced = !failed && r->type == REDIS_REPLY_STRING && is_fence(r);
        if (!failed && !fenced && r->type == REDIS_REPLY_STRING) {
            const uint8_t *payload = NULL;
            size_t plen = 0;
            sk_cache_seal_status st = sk_cache_unseal(c->mac_key, name, now_unix_s(),
                                                      (const uint8_t *)r->str, r->len, &payload,
                                                      &plen);
            uint8_t *copy = st == SK_CACHE_SEAL_OK ? malloc(plen ? plen : 1) : NULL;
            if (copy) {
                memcpy(copy, payload, plen);
                *val = copy;
                *len = plen;
                freeReplyObject(r);
                checkin(c, slot, false, false);
                atomic_fetch_add(&c->stats.hits, 1);
                return SK_OK;
            }
            if (st != SK_CACHE_SEAL_OK)
                failed = !refuse_value(c, ctx, name, st);
        }
        checkin_reply(c, slot, failed, false, r);
        if (r)
            freeReplyObject(r);
        if (failed)
            ctx = NULL;
    }
    if (ctx)
        atomic_fetch_add(&c->stats.misses, 1);
    else
        atomic_fetch_add(&c->stats.errors, 1);

    /* A fence refuses a stale store only while it lasts: a load slower than
     * half a fence (a stalled thread, a slow database) answers its value
     * without storing it. An outage this process notices during a load keeps
     * it off Redis for longer than that, so such a load never stores either. */
    uint64_t started_ns = sk_now_mono_ns();
    SK_TRY(load(arg, val, len));
    bool fresh = sk_now_mono_ns() - started_ns < STORE_WITHIN_NS;

    if (ctx && !fenced && fresh && ttl_s > 0 && (ctx = checkout(c, &slot)) != NULL) {
        size_t slen = *len + SK_CACHE_SEAL_OVERHEAD;
        uint8_t *sealed = malloc(slen);
        if (sealed) {
            /* A second past Redis's own expiry: Redis drops a genuine value first. */
            sk_cache_seal(c->mac_key, name, now_unix_s() + (uint64_t)ttl_s + 1, *val, *len,
                          sealed);
            redisReply *r = store_unless_fenced(c, ctx, key, name, sealed, slen, ttl_s);
            bool failed = !r || r->type == REDIS_REPLY_ERROR;
            checkin_reply(c, slot, failed, false, r);
            if (r)
                freeReplyObject(r);
            free(sealed);
        } else {
            checkin(c, slot, false, false);
        }
    }
    return SK_OK;
}

int sk_cache_invalidate(sk_cache *c, const char *key)
{
    int slot = -1;
    redisContext *ctx = checkout(c, &slot);
    if (!ctx) {
        pthread_mutex_lock(&c->lock);
        c->dirty = true;
        pthread_mutex_unlock(&c->lock);
        atomic_fetch_add(&c->stats.errors, 1);
        return SK_OK;
    }
    redisReply *r = redisCommand(ctx, "SET %s%s %s PX %d", c->prefix, key, FENCE, FENCE_MS);
    bool failed = !r || r->type == REDIS_REPLY_ERROR;
    checkin_reply(c, slot, failed, failed, r);
    if (r)
        freeReplyObject(r);
    if (failed)
        atomic_fetch_add(&c->stats.errors, 1);
    return SK_OK;
}

static bool set_prefix_fence(sk_cache *c, redisContext *ctx, const char *prefix)
{
    redisReply *r = redisCommand(ctx, "SET %s" PREFIX_FENCE_MARK "%s %s PX %d", c->prefix, prefix,
                                 FENCE, FENCE_MS);
    bool ok = r && r->type != REDIS_REPLY_ERROR;
    if (r)
        freeReplyObject(r);
    return ok;
}

int sk_cache_invalidate_prefix(sk_cache *c, const char *prefix)
{
    char pattern[256];
    size_t n = strlen(prefix);
    /* Keys are ours, made by code; a glob character in them would widen the
     * match. Whole segments only, as fences cover a key's ':' prefixes. */
    if (n == 0 || prefix[n - 1] != ':' || strpbrk(prefix, "*?[]\\" PREFIX_FENCE_MARK))
        return SK_EINVAL;
    if ((size_t)snprintf(pattern, sizeof(pattern), "%s%s*", c->prefix, prefix) >= sizeof(pattern))
        return SK_EINVAL;
    int slot = -1;
    redisContext *ctx = checkout(c, &slot);
    /* The fence first: a load that stores between the UNLINK and a later
     * fence would outlive the invalidation. */
    bool ok = ctx && set_prefix_fence(c, ctx, prefix) && unlink_matching(ctx, pattern);
    if (ctx)
        checkin(c, slot, !ok, !ok);
    if (!ok) {
        pthread_mutex_lock(&c->lock);
        c->dirty = true;
        pthread_mutex_unlock(&c->lock);
        atomic_fetch_add(&c->stats.errors, 1);
    }
    return SK_OK;
}
