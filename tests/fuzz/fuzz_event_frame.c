/* fuzz_event_frame.c - a frame off a SUB socket: sk_event_parse.
 *
 * Nothing may crash or leak; an accepted frame's topic is its event's type, and
 * framing the parsed event again (its known fields) gives a frame that parses. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_outbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    uint8_t *frame = NULL;
    size_t len = 0;
    if (sk_event_frame(ev, &frame, &len) == SK_OK) {
        Seklik__Bus__Event *again = NULL;
        if (sk_event_parse(frame, len, &again) != SK_OK || again->seq != ev->seq ||
            strcmp(again->type, ev->type) != 0)
            abort();
        seklik__bus__event__free_unpacked(again, NULL);
        free(frame);
    }
    ev->base.n_unknown_fields = n_unknown;
    if (ev->actor)
        ev->actor->base.n_unknown_fields = n_actor_unknown;
    seklik__bus__event__free_unpacked(ev, NULL);
    return 0;
}
