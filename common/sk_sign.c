#include "sk_sign.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"

static void mac_field(crypto_auth_hmacsha256_state *st, const void *p, size_t len)
{
    uint8_t be[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
                     (uint8_t)len};
    crypto_auth_hmacsha256_update(st, be, sizeof(be));
    if (len)
        crypto_auth_hmacsha256_update(st, p, len);
}

static void mac_str(crypto_auth_hmacsha256_state *st, const char *s)
{
    mac_field(st, s, s ? strlen(s) : 0);
}

int sk_sign_request(const sk_sign_key *key, const Seklik__Bus__Request *req,
                    uint8_t mac[SK_SIGN_LEN])
{
    uint8_t small[256];
    uint8_t *actor = small;
    size_t actor_len = 0;
    if (req->actor) {
        actor_len = seklik__bus__actor__get_packed_size(req->actor);
        if (actor_len > sizeof(small) && !(actor = malloc(actor_len)))
            return SK_ENOMEM;
        seklik__bus__actor__pack(req->actor, actor);
    }
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key->bytes, key->len);
    mac_str(&st, req->method);
    mac_str(&st, req->request_id);
    mac_str(&st, req->idempotency_key);
    uint8_t deadline[8];
    for (int i = 0; i < 8; i++)
        deadline[i] = (uint8_t)((uint64_t)req->deadline_unix_ms >> (56 - 8 * i));
    mac_field(&st, deadline, sizeof(deadline));
    mac_field(&st, actor, actor_len);
    mac_field(&st, req->body.data, req->body.len);
    crypto_auth_hmacsha256_final(&st, mac);
    if (actor != small)
        free(actor);
    return SK_OK;
}

bool sk_sign_verify(const sk_sign_key *key, const Seklik__Bus__Request *req)
{
    if (req->signature.len != SK_SIGN_LEN)
        return false;
    uint8_t mac[SK_SIGN_LEN];
    if (sk_sign_request(key, req, mac) != SK_OK)
        return false;
    return sodium_memcmp(mac, req->signature.data, SK_SIGN_LEN) == 0;
}
