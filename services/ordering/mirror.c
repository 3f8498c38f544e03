#include "mirror.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "sk_err.h"

#define YEARS (ORDERING_YEAR_MAX - ORDERING_YEAR_MIN + 1)
#define CELLS (ORDERING_OUTLET_TYPES * ORDERING_PRODUCT_COUNT * ORDERING_TIERS)

typedef struct slot {
    uint8_t key[16];
    uint8_t company[16];
    int16_t year; /* 0 = empty */
    uint8_t type, tier;
    bool suspended;
} slot;

struct ordering_mirror {
    pthread_rwlock_t lock;
    slot *slots;
    size_t cap, used; /* cap: a power of two */
    int64_t ceiling[YEARS][CELLS];
    int version[YEARS];
};

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

/* A UUID's 36-character text into 16 bytes. */
static bool uuid_bytes(const char *s, uint8_t out[16])
{
    if (!s)
        return false;
    int o = 0;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
            continue;
        }
        int hi = hexval(s[i]), lo = hi < 0 ? -1 : hexval(s[++i]);
        if (lo < 0)
            return false;
        out[o++] = (uint8_t)(hi << 4 | lo);
    }
    return s[36] == '\0';
}

static void uuid_text(const uint8_t b[16], char out[37])
{
    static const char hex[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = '\0';
}

/* FNV-1a over the key and year: UUIDv7 ids share their leading time bits. */
static size_t hash(const uint8_t key[16], int year)
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < 16; i++)
        h = (h ^ key[i]) * 1099511628211ULL;
    h = (h ^ (uint64_t)year) * 1099511628211ULL;
    return (size_t)(h ^ (h >> 29));
}

static slot *find(const ordering_mirror *m, const uint8_t key[16], int year)
{
    for (size_t i = hash(key, year) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        slot *s = &m->slots[i];
        if (s->year == 0 || (s->year == year && memcmp(s->key, key, 16) == 0))
            return s;
    }
}

static int grow(ordering_mirror *m)
{
    size_t cap = m->cap * 2;
    slot *old = m->slots, *fresh = calloc(cap, sizeof(*fresh));
    if (!fresh)
        return SK_ENOMEM;
    size_t old_cap = m->cap;
    m->slots = fresh;
    m->cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].year)
            *find(m, old[i].key, old[i].year) = old[i];
    free(old);
    return SK_OK;
}

ordering_mirror *ordering_mirror_new(void)
{
    ordering_mirror *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->cap = 1024;
    m->slots = calloc(m->cap, sizeof(*m->slots));
    if (!m->slots || pthread_rwlock_init(&m->lock, NULL) != 0) {
        free(m->slots);
        free(m);
        return NULL;
    }
    return m;
}

void ordering_mirror_free(ordering_mirror *m)
{
    if (!m)
        return;
    pthread_rwlock_destroy(&m->lock);
    free(m->slots);
    free(m);
}

int ordering_mirror_put_outlet_held(ordering_mirror *m, const char *outlet_id, int year,
                                    const ordering_outlet_view *v)
{
    uint8_t key[16], company[16];
    if (!uuid_bytes(outlet_id, key) || !uuid_bytes(v->company_id, company) ||
        year < ORDERING_YEAR_MIN || year > ORDERING_YEAR_MAX || v->outlet_type < 1 ||
        v->outlet_type > ORDERING_OUTLET_TYPES || v->tier < 0 || v->tier > ORDERING_TIERS)
        return SK_EINVAL;
    int rc = SK_OK;
    if ((m->used + 1) * 10 > m->cap * 7)
        rc = grow(m);
    if (rc == SK_OK) {
        slot *s = find(m, key, year);
        if (s->year == 0)
            m->used++;
        memcpy(s->key, key, 16);
        memcpy(s->company, company, 16);
        s->year = (int16_t)year;
        s->type = (uint8_t)v->outlet_type;
        s->tier = (uint8_t)v->tier;
        s->suspended = v->suspended;
    }
    return rc;
}

int ordering_mirror_put_outlet(ordering_mirror *m, const char *outlet_id, int year,
                               const ordering_outlet_view *v)
{
    pthread_rwlock_wrlock(&m->lock);
    int rc = ordering_mirror_put_outlet_held(m, outlet_id, year, v);
    pthread_rwlock_unlock(&m->lock);
    return rc;
}

static size_t cell(int type, int product, int tier)
{
    return ((size_t)(type - 1) * ORDERING_PRODUCT_COUNT + (size_t)(product - 1)) *
               ORDERING_TIERS +
           (size_t)(tier - 1);
}

int ordering_mirror_set_ceilings_held(ordering_mirror *m, int year, int version,
                                      const ordering_ceiling_entry *e, size_t n)
{
    if (year < ORDERING_YEAR_MIN || year > ORDERING_YEAR_MAX)
        return SK_EINVAL;
    int y = year - ORDERING_YEAR_MIN;
    if (version >= m->version[y]) {
        memset(m->ceiling[y], 0, sizeof(m->ceiling[y]));
        for (size_t i = 0; i < n; i++)
            if (e[i].outlet_type >= 1 && e[i].outlet_type <= ORDERING_OUTLET_TYPES &&
                e[i].product >= 1 && e[i].product <= ORDERING_PRODUCT_COUNT && e[i].tier >= 1 &&
                e[i].tier <= ORDERING_TIERS && e[i].ceiling > 0)
                m->ceiling[y][cell(e[i].outlet_type, e[i].product, e[i].tier)] = e[i].ceiling;
        m->version[y] = version;
    }
    return SK_OK;
}

int ordering_mirror_set_ceilings(ordering_mirror *m, int year, int version,
                                 const ordering_ceiling_entry *e, size_t n)
{
    pthread_rwlock_wrlock(&m->lock);
    int rc = ordering_mirror_set_ceilings_held(m, year, version, e, n);
    pthread_rwlock_unlock(&m->lock);
    return rc;
}

int ordering_mirror_exclusive(ordering_mirror *m, int (*fill)(ordering_mirror *m, void *arg),
                              void *arg)
{
    pthread_rwlock_wrlock(&m->lock);
    int rc = fill(m, arg);
    pthread_rwlock_unlock(&m->lock);
    return rc;
}

/* Under the read lock. */
static bool outlet_locked(const ordering_mirror *m, const uint8_t key[16], int year,
                          ordering_outlet_view *out)
{
    const slot *s = find(m, key, year);
    if (s->year == 0)
        return false;
    if (out) {
        uuid_text(s->company, out->company_id);
        out->outlet_type = s->type;
        out->tier = s->tier;
        out->suspended = s->suspended;
    }
    return true;
}

bool ordering_mirror_outlet(ordering_mirror *m, const char *outlet_id, int year,
                            ordering_outlet_view *out)
{
    uint8_t key[16];
    if (!uuid_bytes(outlet_id, key) || year < ORDERING_YEAR_MIN || year > ORDERING_YEAR_MAX)
        return false;
    pthread_rwlock_rdlock(&m->lock);
    bool found = outlet_locked(m, key, year, out);
    pthread_rwlock_unlock(&m->lock);
    return found;
}

ordering_ceiling_status ordering_mirror_ceiling(ordering_mirror *m, const char *outlet_id,
                                                int year, int product, int64_t *ceiling,
                                                ordering_outlet_view *outlet, int *version)
{
    uint8_t key[16];
    ordering_outlet_view v;
    *ceiling = 0;
    if (!uuid_bytes(outlet_id, key) || year < ORDERING_YEAR_MIN || year > ORDERING_YEAR_MAX)
        return ORDERING_CEILING_NO_OUTLET;
    ordering_ceiling_status st = ORDERING_CEILING_OK;
    pthread_rwlock_rdlock(&m->lock);
    if (!outlet_locked(m, key, year, &v))
        st = ORDERING_CEILING_NO_OUTLET;
    else if (v.tier < 1)
        st = ORDERING_CEILING_NO_TIER;
    else if (v.suspended)
        st = ORDERING_CEILING_SUSPENDED;
    else if (product < 1 || product > ORDERING_PRODUCT_COUNT ||
             (*ceiling = m->ceiling[year - ORDERING_YEAR_MIN][cell(v.outlet_type, product,
                                                                   v.tier)]) <= 0)
        st = ORDERING_CEILING_NO_PRICE;
    if (version)
        *version = m->version[year - ORDERING_YEAR_MIN];
    pthread_rwlock_unlock(&m->lock);
    if (outlet && st != ORDERING_CEILING_NO_OUTLET)
        *outlet = v;
    return st;
}

size_t ordering_mirror_outlets(ordering_mirror *m)
{
    pthread_rwlock_rdlock(&m->lock);
    size_t n = m->used;
    pthread_rwlock_unlock(&m->lock);
    return n;
}
