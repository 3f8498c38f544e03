/* fuzz_cache_value.c - what Redis hands back: sk_cache_unseal; and the
 * Redis URL of the environment: sk_cache_check_url.
 *
 * The first byte chooses. Even: the rest is a value read under a fixed key
 * name; whatever opens must be exactly what sealing its payload again (same
 * name, same expiry) writes. Odd: the rest, up to a NUL, is a URL; it is
 * accepted or refused with a reason, nothing else. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sk_cache.h"
#include "sk_cache_seal.h"
#include "sk_err.h"

#define NAME "seklik:fuzz:key"
#define NOW 1700000000u
#define URL_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_key(uint8_t key[SK_CACHE_KEY_LEN])
{
    uint8_t secret[32];
    for (int i = 0; i < 32; i++)
        secret[i] = (uint8_t)(0x5a ^ i); /* make_corpus.py's KEY */
    sk_cache_derive_key(secret, sizeof(secret), key);
}

static void value(const uint8_t *v, size_t len)
{
    uint8_t key[SK_CACHE_KEY_LEN];
    fuzz_key(key);
    const uint8_t *p = NULL;
    size_t plen = 0;
    sk_cache_seal_status st = sk_cache_unseal(key, NAME, NOW, v, len, &p, &plen);
    if (st != SK_CACHE_SEAL_OK) {
        if (p != NULL || plen != 0 || st > SK_CACHE_SEAL_EXPIRED)
            abort();
        return;
    }
    if (len < SK_CACHE_SEAL_OVERHEAD || p != v + SK_CACHE_SEAL_OVERHEAD ||
        plen != len - SK_CACHE_SEAL_OVERHEAD)
        abort();
    uint64_t expires = 0;
    for (int i = 0; i < 8; i++)
        expires = expires << 8 | v[SK_CACHE_SEAL_HEADER_LEN + i];
    if (expires <= NOW)
        abort();
    uint8_t *again = malloc(len);
    if (!again)
        return;
    sk_cache_seal(key, NAME, expires, p, plen, again);
    if (memcmp(again, v, len) != 0)
        abort();
    free(again);
}

static void url(const uint8_t *d, size_t size)
{
    static char text[URL_MAX + 1];
    size_t n = 0;
    while (n < size && n < URL_MAX && d[n] != '\0') {
        text[n] = (char)d[n];
        n++;
    }
    text[n] = '\0';
    char why[256];
    why[0] = '\0';
    int rc = sk_cache_check_url(text, why, sizeof(why));
    if (rc != SK_OK && (rc != SK_EINVAL || why[0] == '\0'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] % 2 == 0)
        value(data + 1, size - 1);
    else
        url(data + 1, size - 1);
    return 0;
}
