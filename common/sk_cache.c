#include "sk_cache.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_id.h"
#include "sk_log.h"

#define CACHE_CONNS 4
#define RETRY_AFTER_NS 1000000000ull

struct sk_cache {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    char host[256];
    int port;
    int db;
    char prefix[96];
    redisContext *ctx[CACHE_CONNS];
    bool busy[CACHE_CONNS];
    uint64_t down_until_ns; /* no connect attempts before this */
    bool down_logged;
    bool dirty;             /* an invalidation was lost: flush on reconnect */
    sk_cache_stats stats;
};

int sk_cache_open(const char *url, const char *service, sk_cache **out)
{
    if (strncmp(url, "redis://", 8) != 0)
        return SK_EINVAL;
    sk_cache *c = calloc(1, sizeof(*c));
    if (!c)
        return SK_ENOMEM;
    const char *hp = url + 8;
    const char *colon = strchr(hp, ':');
    const char *slash = strchr(hp, '/');
    size_t hlen = colon ? (size_t)(colon - hp) : slash ? (size_t)(slash - hp) : strlen(hp);
    if (hlen == 0 || hlen >= sizeof(c->host)) {
        free(c);
        return SK_EINVAL;
    }
    memcpy(c->host, hp, hlen);
    c->port = colon ? atoi(colon + 1) : 6379;
    c->db = slash ? atoi(slash + 1) : 0;
    if (c->port <= 0 || c->port > 65535 || c->db < 0) {
        free(c);
        return SK_EINVAL;
    }
    snprintf(c->prefix, sizeof(c->prefix), "seklik:%s:", service);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->freed, NULL);
    *out = c;
    return SK_OK;
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
    free(c);
}

sk_cache_stats *sk_cache_get_stats(sk_cache *c)
{
    return &c->stats;
}

static void mark_down(sk_cache *c, const char *why)
{
    pthread_mutex_lock(&c->lock);
    c->down_until_ns = sk_now_mono_ns() + RETRY_AFTER_NS;
    bool first = !c->down_logged;
    c->down_logged = true;
    pthread_mutex_unlock(&c->lock);
    if (first)
        sk_log_warn("cache: redis unavailable (%s); serving from the database", why);
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
            if (!d) {
                freeReplyObject(r);
                return false;
            }
            freeReplyObject(d);
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
        struct timeval tv = {0, 100000};
        ctx = redisConnectWithTimeout(c->host, c->port, tv);
        if (!ctx || ctx->err) {
            char why[128];
            snprintf(why, sizeof(why), "%s", ctx ? ctx->errstr : "out of memory");
            if (ctx)
                redisFree(ctx);
            pthread_mutex_lock(&c->lock);
            c->busy[s] = false;
            pthread_cond_signal(&c->freed);
            pthread_mutex_unlock(&c->lock);
            mark_down(c, why);
            return NULL;
        }
        redisSetTimeout(ctx, tv);
        if (c->db != 0) {
            redisReply *r = redisCommand(ctx, "SELECT %d", c->db);
            if (r)
                freeReplyObject(r);
        }
        c->ctx[s] = ctx;
    }
    if (dirty) {
        if (!flush_prefix(c, ctx)) {
            redisFree(ctx);
            c->ctx[s] = NULL;
            pthread_mutex_lock(&c->lock);
            c->busy[s] = false;
            pthread_cond_signal(&c->freed);
            pthread_mutex_unlock(&c->lock);
            mark_down(c, "flush after outage failed");
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

/* Give the connection back; a failed one is closed and Redis marked down. */
static void checkin(sk_cache *c, int slot, bool failed, bool lost_invalidation)
{
    const char *why = NULL;
    char buf[128];
    if (failed && c->ctx[slot]) {
        snprintf(buf, sizeof(buf), "%s", c->ctx[slot]->err ? c->ctx[slot]->errstr : "bad reply");
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
        mark_down(c, why);
}

int sk_cache_get_or_load(sk_cache *c, const char *key, int ttl_s, sk_cache_loader load,
                         void *arg, uint8_t **val, size_t *len)
{
    int slot = -1;
    redisContext *ctx = checkout(c, &slot);
    if (ctx) {
        redisReply *r = redisCommand(ctx, "GET %s%s", c->prefix, key);
        bool failed = !r || r->type == REDIS_REPLY_ERROR;
        if (!failed && r->type == REDIS_REPLY_STRING) {
            uint8_t *copy = malloc(r->len ? r->len : 1);
            if (copy) {
                memcpy(copy, r->str, r->len);
                *val = copy;
                *len = r->len;
                freeReplyObject(r);
                checkin(c, slot, false, false);
                atomic_fetch_add(&c->stats.hits, 1);
                return SK_OK;
            }
        }
        if (r)
            freeReplyObject(r);
        checkin(c, slot, failed, false);
        if (failed)
            ctx = NULL;
    }
    if (ctx)
        atomic_fetch_add(&c->stats.misses, 1);
    else
        atomic_fetch_add(&c->stats.errors, 1);

    SK_TRY(load(arg, val, len));

    if (ctx && (ctx = checkout(c, &slot)) != NULL) {
        redisReply *r = redisCommand(ctx, "SET %s%s %b EX %d", c->prefix, key, *val, *len, ttl_s);
        bool failed = !r || r->type == REDIS_REPLY_ERROR;
        if (r)
            freeReplyObject(r);
        checkin(c, slot, failed, false);
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
    redisReply *r = redisCommand(ctx, "DEL %s%s", c->prefix, key);
    bool failed = !r || r->type == REDIS_REPLY_ERROR;
    if (r)
        freeReplyObject(r);
    checkin(c, slot, failed, failed);
    if (failed)
        atomic_fetch_add(&c->stats.errors, 1);
    return SK_OK;
}

int sk_cache_invalidate_prefix(sk_cache *c, const char *prefix)
{
    char pattern[256];
    /* Keys are ours, made by code; a glob character in them would widen the match. */
    if (strpbrk(prefix, "*?[]\\"))
        return SK_EINVAL;
    snprintf(pattern, sizeof(pattern), "%s%s*", c->prefix, prefix);
    int slot = -1;
    redisContext *ctx = checkout(c, &slot);
    bool ok = ctx && unlink_matching(ctx, pattern);
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
