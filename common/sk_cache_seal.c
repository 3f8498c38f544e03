#include "sk_cache_seal.h"

#include <sodium.h>
#include <string.h>

static const uint8_t HEADER[SK_CACHE_SEAL_HEADER_LEN] = {'S', 'K', 'C', 1};
static const char KDF_LABEL[] = "seklik/cache/v1";

#define EXPIRES_AT SK_CACHE_SEAL_HEADER_LEN
#define MAC_AT (EXPIRES_AT + 8)
#define PAYLOAD_AT (MAC_AT + 32)

_Static_assert(PAYLOAD_AT == SK_CACHE_SEAL_OVERHEAD, "layout");

void sk_cache_derive_key(const uint8_t *secret, size_t len, uint8_t key[SK_CACHE_KEY_LEN])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, secret, len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)KDF_LABEL, sizeof(KDF_LABEL) - 1);
    crypto_auth_hmacsha256_final(&st, key);
    sodium_memzero(&st, sizeof(st));
}

static void put_be(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--) {
        p[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

static void compute_mac(const uint8_t key[SK_CACHE_KEY_LEN], const char *name,
                        const uint8_t expires[8], const uint8_t *payload, size_t len,
                        uint8_t mac[32])
{
    size_t name_len = strlen(name);
    uint8_t nl[4];
    put_be(nl, (uint64_t)name_len, 4);
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, SK_CACHE_KEY_LEN);
    crypto_auth_hmacsha256_update(&st, HEADER, sizeof(HEADER));
    crypto_auth_hmacsha256_update(&st, nl, sizeof(nl));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)name, name_len);
    crypto_auth_hmacsha256_update(&st, expires, 8);
    crypto_auth_hmacsha256_update(&st, payload, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(&st, sizeof(st));
}

void sk_cache_seal(const uint8_t key[SK_CACHE_KEY_LEN], const char *name, uint64_t expires_unix_s,
                   const uint8_t *payload, size_t len, uint8_t *out)
{
    memcpy(out, HEADER, sizeof(HEADER));
    put_be(out + EXPIRES_AT, expires_unix_s, 8);
    if (len)
        memmove(out + PAYLOAD_AT, payload, len);
    compute_mac(key, name, out + EXPIRES_AT, out + PAYLOAD_AT, len, out + MAC_AT);
}

sk_cache_seal_status sk_cache_unseal(const uint8_t key[SK_CACHE_KEY_LEN], const char *name,
                                     uint64_t now_unix_s, const uint8_t *sealed, size_t len,
                                     const uint8_t **payload, size_t *payload_len)
{
    if (len < SK_CACHE_SEAL_OVERHEAD || memcmp(sealed, HEADER, sizeof(HEADER)) != 0)
        return SK_CACHE_SEAL_MALFORMED;
    uint8_t mac[32];
    compute_mac(key, name, sealed + EXPIRES_AT, sealed + PAYLOAD_AT, len - PAYLOAD_AT, mac);
    int same = sodium_memcmp(mac, sealed + MAC_AT, sizeof(mac));
    sodium_memzero(mac, sizeof(mac));
    if (same != 0)
        return SK_CACHE_SEAL_FORGED;
    uint64_t expires = 0;
    for (int i = 0; i < 8; i++)
        expires = expires << 8 | sealed[EXPIRES_AT + i];
    if (now_unix_s >= expires)
        return SK_CACHE_SEAL_EXPIRED;
    *payload = sealed + PAYLOAD_AT;
    *payload_len = len - PAYLOAD_AT;
    return SK_CACHE_SEAL_OK;
}

const char *sk_cache_seal_status_name(sk_cache_seal_status s)
{
    switch (s) {
    case SK_CACHE_SEAL_OK:
        return "ok";
    case SK_CACHE_SEAL_MALFORMED:
        return "malformed";
    case SK_CACHE_SEAL_FORGED:
        return "forged";
    case SK_CACHE_SEAL_EXPIRED:
        return "expired";
    }
    return "unknown";
}
