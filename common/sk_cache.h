/* sk_cache.h - Redis as a read-through cache that nobody depends on.
 *
 * Values are bytes under seklik:SERVICE:KEY with a TTL. When Redis is
 * down or slow (100 ms budget) every call falls back to the loader, the
 * outage is logged once and counted, and reconnects are tried at most once a
 * second, so an outage costs a failed connect per second, not per call.
 * An invalidation that could not reach Redis marks the cache dirty: on
 * reconnect the service's whole prefix is dropped before anything is read,
 * so no stale value outlives an outage. Safe to use from many threads. */
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
} sk_cache_stats;

/* Fill *val and *len (malloc'ed; it becomes the caller's result) from the
 * source of truth. Returns SK_OK or an error passed up to the caller. */
typedef int (*sk_cache_loader)(void *arg, uint8_t **val, size_t *len);

/* Parse `url` (redis://host:port[/db]) and prepare; connects lazily, so this
 * succeeds while Redis is down. SK_EINVAL for a bad URL. Owned by caller. */
int sk_cache_open(const char *url, const char *service, sk_cache **out);
void sk_cache_close(sk_cache *cache);

/* Read `key`; on a miss (or Redis down) call `load`, store the result with
 * `ttl_s` and return it. *val is malloc'ed and owned by the caller. */
int sk_cache_get_or_load(sk_cache *cache, const char *key, int ttl_s, sk_cache_loader load,
                         void *arg, uint8_t **val, size_t *len);

/* Drop `key`. Returns SK_OK even when Redis is down (the cache is then
 * marked dirty, see above). */
int sk_cache_invalidate(sk_cache *cache, const char *key);

/* Drop every key that starts with `prefix` (SCAN + UNLINK; for rare, broad
 * changes such as a newly published price standard). Like invalidate, a
 * failure marks the cache dirty and returns SK_OK. */
int sk_cache_invalidate_prefix(sk_cache *cache, const char *prefix);

sk_cache_stats *sk_cache_get_stats(sk_cache *cache);

#endif
