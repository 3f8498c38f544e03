/* sk_cache.h - Redis as a read-through cache that nobody depends on or trusts.
 *
 * Values are bytes under seklik:SERVICE:KEY with a TTL. When Redis is
 * down or slow (100 ms budget) every call falls back to the loader, the
 * outage is logged once and counted, and reconnects are tried at most once a
 * second, so an outage costs a failed connect per second, not per call.
 * An invalidation that could not reach Redis marks the cache dirty: on
 * reconnect the service's whole prefix is dropped before anything is read,
 * so no stale value outlives an outage. Safe to use from many threads.
 *
 * Trust model (docs/adr/0010-redis-is-untrusted.md): Redis asks for a
 * password (AUTH as an ACL user), but whoever gets in anyway must not gain
 * anything. Every value is sealed (sk_cache_seal.h) with a key derived from
 * SEKLIK_HMAC_KEY that Redis never sees; the MAC covers the full Redis key
 * name and an expiry. A value that fails the check - changed, made up,
 * copied from another key, past its expiry, or unsigned - is a miss: it is
 * deleted, counted (stats.forged), logged at most once a second, and the
 * loader answers. So a value read from the cache grants at most what the
 * service itself cached for that very key within its TTL. A wrong password
 * is logged and the cache then behaves as if Redis were down. */
#ifndef SK_CACHE_H
#define SK_CACHE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sk_cache sk_cache;

typedef struct sk_cache_stats {
    atomic_uint_fast64_t hits;
    atomic_uint_fast64_t misses;
    atomic_uint_fast64_t errors; /* calls that fell back because Redis failed */
    atomic_uint_fast64_t forged; /* values refused by the seal check (also misses) */
} sk_cache_stats;

/* Fill *val and *len (malloc'ed; it becomes the caller's result) from the
 * source of truth. Returns SK_OK or an error passed up to the caller. */
typedef int (*sk_cache_loader)(void *arg, uint8_t **val, size_t *len);

typedef struct sk_cache_options {
    /* redis://[user:password@]host[:port][/db] (user and password
     * percent-decoded) or unix:///path/to/redis.sock[?db=N]. */
    const char *url;
    /* SEKLIK_REDIS_USER / SEKLIK_REDIS_PASSWORD: override the URL's when
     * not NULL or "". With a password, every connection starts with AUTH
     * (`AUTH user password`, or `AUTH password` without a user). */
    const char *user;
    const char *password;
    const char *service; /* keys live under seklik:<service>: */
    /* The shared secret (SEKLIK_HMAC_KEY, at least 32 bytes) the sealing
     * key is derived from; copied. */
    const uint8_t *secret;
    size_t secret_len;
} sk_cache_options;

/* Check `url` the way sk_cache_open parses it, without connecting. SK_OK,
 * or SK_EINVAL with the reason in `why` (which never quotes the URL, as it
 * may hold a password). */
int sk_cache_check_url(const char *url, char *why, size_t cap);

/* Parse and prepare, then try one connection so a wrong password or an
 * unreachable Redis is logged at start-up; the cache works (from the
 * loader) while Redis is down or refuses us. SK_EINVAL for a bad URL, a
 * too long user or password, or a secret under 32 bytes; SK_ENOMEM.
 * Passwords are never logged. The cache is the caller's (sk_cache_close). */
int sk_cache_open(const sk_cache_options *opt, sk_cache **out);
void sk_cache_close(sk_cache *cache);

/* Read `key`; on a miss, a refused value (see above) or Redis down, call
 * `load`, seal and store the result with `ttl_s` and return it. *val is
 * malloc'ed and owned by the caller. */
int sk_cache_get_or_load(sk_cache *cache, const char *key, int ttl_s, sk_cache_loader load,
                         void *arg, uint8_t **val, size_t *len);

/* Drop `key` and fence it for 2 s: meanwhile reads of it come from the
 * loader and are not stored, so a load that began before the change cannot
 * store its stale result after this call. Call it before the change commits
 * and again after: the first covers a crash between the commit and the
 * second. Returns SK_OK even when Redis is down (the cache is then marked
 * dirty, see above). */
int sk_cache_invalidate(sk_cache *cache, const char *key);

/* Drop every key that starts with `prefix` (SCAN + UNLINK; for rare, broad
 * changes such as a newly published price standard) and fence the prefix
 * for 2 s like a key: a load of any key below it, in this process or
 * another, that began before this call cannot store its result. `prefix` is
 * whole segments, ending in ':' ("ceiling:2027:"); SK_EINVAL otherwise.
 * Like invalidate, a failure marks the cache dirty and returns SK_OK. */
int sk_cache_invalidate_prefix(sk_cache *cache, const char *prefix);

sk_cache_stats *sk_cache_get_stats(sk_cache *cache);

#endif
