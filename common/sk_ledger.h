/* sk_ledger.h - the accounting ledger's invariants, checked from outside the
 * accounting service (seklikctl check, integration tests).
 *
 * The checks live in the accounting schema as one read-only SQL function,
 * accounting.ledger_check() (services/accounting/migrations/0002_ledger.sql, 0003),
 * so they read one snapshot and need no service running. Each yields a named
 * verdict:
 *   ledger_balances_match_transfers   every account's debits/credits pending/
 *                                     posted equal the sums of its transfers
 *   ledger_debits_equal_credits       over the whole ledger, pending and posted
 *   ledger_limits_hold                no balance negative, no limit broken,
 *                                     every line account carries its limit
 *   ledger_pending_completed_once     a pending transfer is posted or voided at
 *                                     most once, by its own accounts and amount
 *   ledger_reservations_match_transfers  each reservation is its pending
 *                                     transfer, in the state its completion says
 *   ledger_lines_match_revisions      each line's pagu is its newest revision's,
 *                                     revisions chain, and each moved its difference
 *   ledger_payments_match_invoices    each invoice's gross is its orders', and its
 *                                     payment transfers are what its state and tax
 *                                     computation say (pending at SPM; posted, paid
 *                                     out of cash and every reservation posted once
 *                                     paid); no payment transfer without an invoice
 * (the seventh arrives with migration 0003_invoices.sql; docs/adr/0019). */
#ifndef SK_LEDGER_H
#define SK_LEDGER_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

/* Called once per check, in order; strings valid during the call only. */
typedef void (*sk_ledger_finding_fn)(void *arg, const char *check, bool ok, const char *detail);

/* Run the checks on `conn` (any search_path; in the caller's transaction if
 * one is open, e.g. seklikctl's READ ONLY snapshot). `fn` may be NULL.
 * Returns the number of checks that failed (0: the ledger is sound), or -1
 * when they could not run (no accounting schema yet, connection lost): the
 * server's message is then in `err` (`cap` bytes). */
int sk_ledger_check(PGconn *conn, sk_ledger_finding_fn fn, void *arg, char *err, size_t cap);

#endif
