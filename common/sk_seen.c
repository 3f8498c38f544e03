#include "sk_seen.h"

#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"

#define KEY_LEN   16
#define FIRST_CAP 16

/* The ids whose deadline falls in one second: an open-addressing set of
 * keyed hashes (all-zero marks a free slot; hashes never are, see id_key). */
typedef struct bucket {
    int64_t second;
    uint8_t (*keys)[KEY_LEN];
    size_t n, cap;
} bucket;

struct sk_seen {
    pthread_mutex_t mu;
    int64_t horizon_ms;
    int64_t high_ms; /* the newest now_ms seen */
    size_t max, count;
    size_t n_buckets;
    bucket *buckets;
    uint8_t hash_key[crypto_generichash_KEYBYTES];
};

int sk_seen_new(int64_t horizon_ms, size_t max_entries, sk_seen **out)
{
    sk_seen *s = calloc(1, sizeof(*s));
    if (!s)
        return SK_ENOMEM;
    /* Live deadlines span at most horizon/1000 + 1 distinct seconds; more
     * buckets than that, so two live seconds never share one. */
    s->n_buckets = (size_t)(horizon_ms / 1000) + 3;
    s->buckets = calloc(s->n_buckets, sizeof(bucket));
    if (!s->buckets) {
        free(s);
        return SK_ENOMEM;
    }
    for (size_t i = 0; i < s->n_buckets; i++)
        s->buckets[i].second = INT64_MIN;
    s->horizon_ms = horizon_ms;
    s->max = max_entries;
    s->high_ms = INT64_MIN;
    randombytes_buf(s->hash_key, sizeof(s->hash_key));
    pthread_mutex_init(&s->mu, NULL);
    *out = s;
    return SK_OK;
}

void sk_seen_free(sk_seen *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_buckets; i++)
        free(s->buckets[i].keys);
    free(s->buckets);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static void bucket_clear(sk_seen *s, bucket *b, int64_t second)
{
    s->count -= b->n;
    b->n = 0;
    b->second = second;
    if (b->cap > FIRST_CAP * 4) {
        free(b->keys); /* a burst's table is not kept for good */
        b->keys = NULL;
        b->cap = 0;
    } else if (b->keys) {
        memset(b->keys, 0, b->cap * KEY_LEN);
    }
}

/* Empty every bucket whose second is over, as the clock moves from `from_s`
 * to `to_s`. */
static void sweep(sk_seen *s, int64_t from_s, int64_t to_s)
{
    if (from_s == INT64_MIN || to_s - from_s >= (int64_t)s->n_buckets)
        from_s = to_s - (int64_t)s->n_buckets;
    for (int64_t sec = from_s; sec < to_s; sec++) {
        bucket *b = &s->buckets[(uint64_t)sec % s->n_buckets];
        if (b->n && b->second < to_s)
            bucket_clear(s, b, INT64_MIN);
    }
}

static void id_key(const sk_seen *s, const char *id, uint8_t out[KEY_LEN])
{
    crypto_generichash(out, KEY_LEN, (const uint8_t *)id, strlen(id), s->hash_key,
                       sizeof(s->hash_key));
    out[0] |= 1; /* never all zero */
}

static size_t slot_of(const uint8_t key[KEY_LEN], size_t cap)
{
    uint64_t h;
    memcpy(&h, key + 8, sizeof(h));
    return (size_t)h & (cap - 1);
}

/* True when `key` is in `b`; else *slot is where it goes. */
static bool bucket_find(const bucket *b, const uint8_t key[KEY_LEN], size_t *slot)
{
    static const uint8_t empty[KEY_LEN];
    for (size_t i = slot_of(key, b->cap);; i = (i + 1) & (b->cap - 1)) {
        if (memcmp(b->keys[i], key, KEY_LEN) == 0)
            return true;
        if (memcmp(b->keys[i], empty, KEY_LEN) == 0) {
            *slot = i;
            return false;
        }
    }
}

static int bucket_grow(bucket *b)
{
    size_t cap = b->cap ? b->cap * 2 : FIRST_CAP;
    uint8_t(*keys)[KEY_LEN] = calloc(cap, KEY_LEN);
    if (!keys)
        return SK_ENOMEM;
    bucket bigger = {.second = b->second, .keys = keys, .n = b->n, .cap = cap};
    static const uint8_t empty[KEY_LEN];
    for (size_t i = 0; i < b->cap; i++) {
        size_t slot;
        if (memcmp(b->keys[i], empty, KEY_LEN) != 0 && !bucket_find(&bigger, b->keys[i], &slot))
            memcpy(bigger.keys[slot], b->keys[i], KEY_LEN);
    }
    free(b->keys);
    *b = bigger;
    return SK_OK;
}

int sk_seen_admit(sk_seen *s, const char *id, int64_t deadline_ms, int64_t now_ms)
{
    if (deadline_ms <= 0)
        return SK_EINVAL;
    uint8_t key[KEY_LEN];
    id_key(s, id, key);
    int rc = SK_OK;
    pthread_mutex_lock(&s->mu);
    if (now_ms > s->high_ms) {
        int64_t before = s->high_ms;
        s->high_ms = now_ms;
        sweep(s, before == INT64_MIN ? INT64_MIN : before / 1000, now_ms / 1000);
    }
    int64_t now = s->high_ms;
    if (now > deadline_ms) {
        rc = SK_ETIMEDOUT;
    } else if (deadline_ms - now > s->horizon_ms) {
        rc = SK_EINVAL;
    } else {
        int64_t second = deadline_ms / 1000;
        bucket *b = &s->buckets[(uint64_t)second % s->n_buckets];
        if (b->second != second)
            bucket_clear(s, b, second); /* it held a second that is over */
        size_t slot = 0;
        if (b->cap && bucket_find(b, key, &slot))
            rc = SK_EAUTH;
        else if (s->count >= s->max)
            rc = SK_EEXHAUSTED;
        else if ((b->n + 1) * 2 > b->cap && (rc = bucket_grow(b)) == SK_OK)
            bucket_find(b, key, &slot);
        if (rc == SK_OK) {
            memcpy(b->keys[slot], key, KEY_LEN);
            b->n++;
            s->count++;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

size_t sk_seen_count(sk_seen *s)
{
    pthread_mutex_lock(&s->mu);
    size_t n = s->count;
    pthread_mutex_unlock(&s->mu);
    return n;
}
