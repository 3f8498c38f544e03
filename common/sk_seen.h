/* sk_seen.h - the request ids an RPC server has accepted, each remembered
 * until its deadline, so a captured signed request cannot be replayed.
 *
 * A request is admitted once: its deadline must be set, not passed, and at
 * most `horizon_ms` ahead; its id must not have been admitted before. Ids
 * are kept as 16-byte keyed hashes in one bucket per deadline second, and a
 * bucket whose second has passed is emptied whole, so memory holds what
 * arrived within one horizon and never more than `max_entries` ids.
 *
 * Time is passed in. It never goes back here: the newest `now_ms` seen is
 * used for every check, so a wall clock stepping back cannot bring a request
 * whose id was already forgotten back to life. Thread-safe. */
#ifndef SK_SEEN_H
#define SK_SEEN_H

#include <stddef.h>
#include <stdint.h>

typedef struct sk_seen sk_seen;

/* Returns SK_OK or SK_ENOMEM; free with sk_seen_free. */
int sk_seen_new(int64_t horizon_ms, size_t max_entries, sk_seen **out);
void sk_seen_free(sk_seen *s);

/* Admit request `id` (NUL-terminated) with `deadline_ms` at `now_ms`, both
 * Unix milliseconds. Returns:
 *   SK_OK          first arrival: remembered until its deadline
 *   SK_EINVAL      no deadline (<= 0), or one more than the horizon ahead
 *   SK_ETIMEDOUT   the deadline has passed
 *   SK_EAUTH       admitted before: a replay
 *   SK_EEXHAUSTED  max_entries ids are remembered already; retry later
 *   SK_ENOMEM */
int sk_seen_admit(sk_seen *s, const char *id, int64_t deadline_ms, int64_t now_ms);

/* Ids remembered now. */
size_t sk_seen_count(sk_seen *s);

#endif
