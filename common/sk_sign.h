/* sk_sign.h - the HMAC-SHA256 signatures of the bus: one binds an actor to a
 * request, the other an event to the service that published it.
 *
 * Requests: the caller (the gateway, or a service acting for itself) signs;
 * the callee verifies and refuses unsigned or forged requests with
 * UNAUTHENTICATED. The MAC covers, each as a 4-byte big-endian length and the
 * bytes: method, request_id, idempotency_key, deadline_unix_ms (8 bytes
 * big-endian), the packed Actor, and body — so no field can be moved into
 * another or changed without breaking it.
 *
 * Events: the publishing service signs at send time (relay and bus.Replay);
 * a subscriber verifies before applying. The MAC covers, in the same framing,
 * the label "seklik.bus.Event/1", then id, type, source, seq (8 bytes),
 * occurred_unix_us (8 bytes), correlation_id, the packed Actor and body. The
 * label keeps the two MACs apart on purpose (a request's MAC is never an
 * event's), not by the accident of the two having different fields. */
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

/* Compute the MAC of `ev` (its signature field ignored) into `mac`.
 * Returns SK_OK or SK_ENOMEM. */
int sk_sign_event(const sk_sign_key *key, const Seklik__Bus__Event *ev, uint8_t mac[SK_SIGN_LEN]);

/* True when `ev` carries an event signature made with `key` (constant time);
 * a request's MAC never passes. */
bool sk_sign_event_verify(const sk_sign_key *key, const Seklik__Bus__Event *ev);

#endif
