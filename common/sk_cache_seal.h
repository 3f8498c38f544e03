/* sk_cache_seal.h - the sealed form of a cached value: Redis is not trusted.
 *
 * A value in Redis is
 *
 *     "SKC" 0x01 | expires (unix seconds, 8 bytes big-endian) | MAC (32) | payload
 *
 * MAC = HMAC-SHA256(cache key, header | name length (4 bytes big-endian) |
 * name | expires | payload), where `name` is the FULL Redis key
 * ("seklik:gateway:session:..."). So a value cannot be changed, made up,
 * moved to another key (or service) or kept past its expiry without the
 * cache key, which is derived from SEKLIK_HMAC_KEY and never sent to Redis.
 * Pure functions: no I/O, no allocation. */
#ifndef SK_CACHE_SEAL_H
#define SK_CACHE_SEAL_H

#include <stddef.h>
#include <stdint.h>

#define SK_CACHE_KEY_LEN 32
#define SK_CACHE_SEAL_HEADER_LEN 4
#define SK_CACHE_SEAL_OVERHEAD (SK_CACHE_SEAL_HEADER_LEN + 8 + 32)

typedef enum sk_cache_seal_status {
    SK_CACHE_SEAL_OK = 0,
    SK_CACHE_SEAL_MALFORMED, /* too short, or not this format and version (e.g. unsigned) */
    SK_CACHE_SEAL_FORGED,    /* the MAC does not match: changed, made up, or another key's */
    SK_CACHE_SEAL_EXPIRED,   /* genuine, but its sealed expiry has passed */
} sk_cache_seal_status;

/* The cache key for the shared secret `secret` (SEKLIK_HMAC_KEY, `len`
 * bytes): HMAC-SHA256(secret, "seklik/cache/v1"), so the key that signs bus
 * requests never MACs cache values itself. */
void sk_cache_derive_key(const uint8_t *secret, size_t len, uint8_t key[SK_CACHE_KEY_LEN]);

/* Seal `payload` (`len` bytes) for the Redis key `name`, valid until
 * `expires_unix_s`, into `out`, which holds len + SK_CACHE_SEAL_OVERHEAD bytes. */
void sk_cache_seal(const uint8_t key[SK_CACHE_KEY_LEN], const char *name, uint64_t expires_unix_s,
                   const uint8_t *payload, size_t len, uint8_t *out);

/* Check `sealed` (`len` bytes, as read from Redis key `name`) at time
 * `now_unix_s`. On SK_CACHE_SEAL_OK, *payload points into `sealed` and
 * *payload_len is its length; otherwise both are left alone. The MAC is
 * compared in constant time. */
sk_cache_seal_status sk_cache_unseal(const uint8_t key[SK_CACHE_KEY_LEN], const char *name,
                                     uint64_t now_unix_s, const uint8_t *sealed, size_t len,
                                     const uint8_t **payload, size_t *payload_len);

/* "ok", "malformed", "forged", "expired" (static). */
const char *sk_cache_seal_status_name(sk_cache_seal_status s);

#endif
