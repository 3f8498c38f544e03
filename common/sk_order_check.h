/* sk_order_check.h - the ordering invariants, checked from outside the
 * services (seklikctl check, integration tests), like sk_ledger.h.
 *
 * Ordering and accounting may keep their schemas in different databases, so
 * the check reads each over its own connection (one READ ONLY snapshot each)
 * and compares. An order in ISSUING, or cancelled with its release still
 * pending, is in the middle of its saga: it is skipped, so run the check on
 * a quiet system to see everything. Verdicts, in order:
 *   order_reservations_match   an issued order (issued, proof submitted or
 *                              rejected, completed) has a reservation of its
 *                              gross on the line it was issued on, pending or
 *                              posted; a cancelled, once issued order a voided
 *                              one; an order never issued none; and every
 *                              reservation belongs to an order: reservations
 *                              = issued - cancelled - posted, order by order
 *   order_quota_matches_issued each agreement's used quota per product and
 *                              used value equal the placements and gross of
 *                              its orders holding them (issued, not cancelled)
 *   order_numbers_gapless      each year's numbers are 1..N, once each, and N
 *                              is the year's counter */
#ifndef SK_ORDER_CHECK_H
#define SK_ORDER_CHECK_H

#include <libpq-fe.h>
#include <stddef.h>

#include "sk_ledger.h"

/* Run the checks; `fn` (may be NULL) gets each verdict. Returns the number
 * of checks that failed (0: sound), or -1 when they could not run (a schema
 * missing, connection lost), the server's message in `err`. */
int sk_order_check(PGconn *ordering, PGconn *accounting, sk_ledger_finding_fn fn, void *arg,
                   char *err, size_t cap);

#endif
