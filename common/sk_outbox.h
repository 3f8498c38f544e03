/* sk_outbox.h - events written in the caller's transaction, published after
 * commit, and served again to anyone who missed them.
 *
 * Sequence numbers are gapless and in commit order: appending takes the row
 * lock of <schema>.outbox_head until commit, so a reader that sees seq N has
 * seen every seq below it, and a rolled-back transaction leaves no hole. That
 * is what lets a subscriber treat `seq > last + 1` as "I missed something".
 * The price: event-writing transactions of one service commit one at a time
 * from their first append on (docs/adr/0002). */
#ifndef SK_OUTBOX_H
#define SK_OUTBOX_H

#include <nng/nng.h>
#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "seklik/bus.pb-c.h"
#include "sk_db.h"
#include "sk_metrics.h"
#include "sk_rpc.h"

/* The tables every service has (outbox, outbox_head, inbox_offsets,
 * audit_log, idempotency), applied before the service's own migrations. */
extern const sk_migration sk_bus_migrations[];
extern const size_t sk_bus_migrations_count;

/* Append one event to the outbox inside the open transaction on `db`.
 * `body` is packed with its descriptor; `actor` may be NULL. *seq (if not
 * NULL) receives the event's sequence number. Returns SK_OK or the database
 * error (the transaction is then aborted: roll back). */
int sk_outbox_append(sk_db *db, const char *type, const ProtobufCMessage *body,
                     const Seklik__Bus__Actor *actor, const char *correlation_id, uint64_t *seq);

/* The same with an already packed body. */
int sk_outbox_append_bytes(sk_db *db, const char *type, const uint8_t *body, size_t len,
                           const Seklik__Bus__Actor *actor, const char *correlation_id,
                           uint64_t *seq);

/* One event of a batch: its type and packed body. */
typedef struct sk_outbox_event {
    const char *type;
    const uint8_t *body;
    size_t len;
} sk_outbox_event;

/* Append `n` events, in order, inside the open transaction on `db`, a few
 * statements for the lot instead of one per event (for work that emits
 * thousands at once, such as re-scoring a year). All share `actor` (may be
 * NULL) and `correlation_id`. Returns SK_OK or the database error (the
 * transaction is then aborted), SK_ENOMEM. */
int sk_outbox_append_batch(sk_db *db, const sk_outbox_event *events, size_t n,
                           const Seklik__Bus__Actor *actor, const char *correlation_id);

/* The newest committed sequence number. */
int sk_outbox_last_seq(sk_db *db, uint64_t *last);

/* The bus.Replay handler every RPC server answers (see sk_rpc.h). The rows
 * are stored unsigned; each event is signed with call->key as it is served. */
int sk_outbox_serve_replay(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);

/* Build the frame published for `ev`: topic, NUL, packed Event. The buffer
 * is malloc'ed and owned by the caller. */
int sk_event_frame(const Seklik__Bus__Event *ev, uint8_t **frame, size_t *len);

/* Split a received frame; *ev is unpacked (free with
 * seklik__bus__event__free_unpacked). SK_EINVAL for a malformed frame. */
int sk_event_parse(const uint8_t *frame, size_t len, Seklik__Bus__Event **ev);

/* ---- relay: publishes committed rows in seq order on the service's PUB socket ---- */

typedef struct sk_relay sk_relay;

/* Bind a PUB socket on `listen_url` (tls+tcp:// with the process's
 * certificates, see sk_tls.h) and start publishing what is committed after
 * start-up (what was committed before is served by Replay), each event signed
 * with `key` (which must outlive the relay). Woken by LISTEN/NOTIFY on a
 * connection of its own to `dsn`, and by a timer. */
int sk_relay_start(uv_loop_t *loop, sk_db_pool *db, const char *dsn, const char *source,
                   const char *listen_url, const sk_sign_key *key, sk_metrics *metrics,
                   sk_relay **out);

/* True while a batch is being published. Loop thread. */
bool sk_relay_busy(const sk_relay *relay);

/* Close handles and socket (loop thread); free after uv_run returns. */
void sk_relay_close(sk_relay *relay);
void sk_relay_free(sk_relay *relay);

#endif
