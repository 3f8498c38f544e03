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

/* The Actor packed into `small` or a malloc'ed buffer (*out; free it when it
 * is not `small`). */
static int pack_actor(const Seklik__Bus__Actor *a, uint8_t *small, size_t cap, uint8_t **out,
                      size_t *len)
{
    *out = small;
    *len = 0;
    if (!a)
        return SK_OK;
    *len = seklik__bus__actor__get_packed_size(a);
    if (*len > cap && !(*out = malloc(*len)))
        return SK_ENOMEM;
    seklik__bus__actor__pack(a, *out);
    return SK_OK;
}

static void mac_u64(crypto_auth_hmacsha256_state *st, uint64_t v)
{
    uint8_t be[8];
    for (int i = 0; i < 8; i++)
        be[i] = (uint8_t)(v >> (56 - 8 * i));
    mac_field(st, be, sizeof(be));
}

int sk_sign_request(const sk_sign_key *key, const Seklik__Bus__Request *req,
                    uint8_t mac[SK_SIGN_LEN])
{
    uint8_t small[256], *actor = NULL;
    size_t actor_len = 0;
    SK_TRY(pack_actor(req->actor, small, sizeof(small), &actor, &actor_len));
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key->bytes, key->len);
    mac_str(&st, req->method);
    mac_str(&st, req->request_id);
    mac_str(&st, req->idempotency_key);
    mac_u64(&st, (uint64_t)req->deadline_unix_ms);
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

static const char EVENT_LABEL[] = "seklik.bus.Event/1";

int sk_sign_event(const sk_sign_key *key, const Seklik__Bus__Event *ev, uint8_t mac[SK_SIGN_LEN])
{
    uint8_t small[256], *actor = NULL;
    size_t actor_len = 0;
    SK_TRY(pack_actor(ev->actor, small, sizeof(small), &actor, &actor_len));
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key->bytes, key->len);
    mac_field(&st, EVENT_LABEL, sizeof(EVENT_LABEL) - 1);
    mac_str(&st, ev->id);
    mac_str(&st, ev->type);
    mac_str(&st, ev->source);
    mac_u64(&st, ev->seq);
    mac_u64(&st, (uint64_t)ev->occurred_unix_us);
    mac_str(&st, ev->correlation_id);
    mac_field(&st, actor, actor_len);
    mac_field(&st, ev->body.data, ev->body.len);
    crypto_auth_hmacsha256_final(&st, mac);
    if (actor != small)
        free(actor);
    return SK_OK;
}

bool sk_sign_event_verify(const sk_sign_key *key, const Seklik__Bus__Event *ev)
{
    if (ev->signature.len != SK_SIGN_LEN)
        return false;
    uint8_t mac[SK_SIGN_LEN];
    if (sk_sign_event(key, ev, mac) != SK_OK)
        return false;
    return sodium_memcmp(mac, ev->signature.data, SK_SIGN_LEN) == 0;
}
