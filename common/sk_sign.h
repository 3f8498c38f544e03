/* sk_sign.h - the HMAC-SHA256 signature that binds an actor to a request.
 *
 * The caller (the gateway, or a service acting for itself) signs; the callee
 * verifies and refuses unsigned or forged requests with UNAUTHENTICATED. The
 * MAC covers, each as a 4-byte big-endian length and the bytes: method,
 * request_id, idempotency_key, deadline_unix_ms (8 bytes big-endian), the
 * packed Actor, and body — so no field can be moved into another or changed
 * without breaking it. */
#ifndef SK_SIGN_H
#define SK_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seklik/bus.pb-c.h"

#define SK_SIGN_KEY_MIN 32
#define SK_SIGN_KEY_MAX 64
#define SK_SIGN_LEN 32

typedef struct sk_sign_key {
    uint8_t bytes[SK_SIGN_KEY_MAX];
    size_t len;
} sk_sign_key;

/* Compute the MAC of `req` (its signature field ignored) into `mac`.
 * Returns SK_OK or SK_ENOMEM. */
int sk_sign_request(const sk_sign_key *key, const Seklik__Bus__Request *req,
                    uint8_t mac[SK_SIGN_LEN]);

/* True when `req` carries a signature made with `key` (constant time). */
bool sk_sign_verify(const sk_sign_key *key, const Seklik__Bus__Request *req);

#endif
