/* fuzz_event_frame.c - a frame off a SUB socket: sk_event_parse, then the
 * signature check a subscriber makes before applying (sk_sign_event_verify).
 *
 * Nothing may crash or leak; an accepted frame's topic is its event's type, and
 * framing the parsed event again (its known fields) gives a frame that parses.
 * Whatever the fields hold, an event signed with the key verifies after a trip
 * through the wire, and no longer verifies once its body or seq changed. The
 * key is the one make_corpus.py signs the seeds with (0x5a ^ i). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_outbox.h"
#include "sk_sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sk_sign_key fuzz_key(void)
{
    sk_sign_key key = {.len = 32};
    for (size_t i = 0; i < key.len; i++)
        key.bytes[i] = (uint8_t)(0x5a ^ i);
    return key;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Seklik__Bus__Event *ev = NULL;
    int rc = sk_event_parse(data, size, &ev);
    if (rc != SK_OK) {
        if (rc != SK_EINVAL || ev != NULL)
            abort();
        return 0;
    }
    size_t tlen = strlen(ev->type);
    if (tlen >= size || memcmp(data, ev->type, tlen) != 0 || data[tlen] != '\0')
        abort();

    /* Unknown fields are left out, the nested actor's too: protobuf-c keeps
     * them as read, and some it reads (a two-byte tag 0) it refuses when
     * packed again in canonical form. (SEKLIK never re-frames a received
     * event; this only makes the property testable.) */
    unsigned n_unknown = ev->base.n_unknown_fields;
    unsigned n_actor_unknown = ev->actor ? ev->actor->base.n_unknown_fields : 0;
    ev->base.n_unknown_fields = 0;
    if (ev->actor)
        ev->actor->base.n_unknown_fields = 0;
    sk_sign_key key = fuzz_key();
    bool was_signed = sk_sign_event_verify(&key, ev);
    uint8_t mac[SK_SIGN_LEN];
    ProtobufCBinaryData had = ev->signature;
    if (sk_sign_event(&key, ev, mac) != SK_OK)
        abort();
    if (was_signed != (had.len == SK_SIGN_LEN && memcmp(had.data, mac, SK_SIGN_LEN) == 0))
        abort();
    ev->signature.data = mac;
    ev->signature.len = sizeof(mac);
    uint8_t *frame = NULL;
    size_t len = 0;
    if (sk_event_frame(ev, &frame, &len) == SK_OK) {
        Seklik__Bus__Event *again = NULL;
        if (sk_event_parse(frame, len, &again) != SK_OK || again->seq != ev->seq ||
            strcmp(again->type, ev->type) != 0 || !sk_sign_event_verify(&key, again))
            abort();
        again->seq ^= 1;
        if (sk_sign_event_verify(&key, again))
            abort();
        again->seq ^= 1;
        if (again->body.len) {
            again->body.data[again->body.len - 1] ^= 0x01;
            if (sk_sign_event_verify(&key, again))
                abort();
        }
        seklik__bus__event__free_unpacked(again, NULL);
        free(frame);
    }
    ev->signature = had;
    ev->base.n_unknown_fields = n_unknown;
    if (ev->actor)
        ev->actor->base.n_unknown_fields = n_actor_unknown;
    seklik__bus__event__free_unpacked(ev, NULL);
    return 0;
}
