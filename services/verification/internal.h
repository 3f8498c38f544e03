/* internal.h - what handlers.c and events.c share: building protobuf
 * messages from store rows (in an sk_arena: the call's, or the event's own),
 * emitting case events, re-running the automatic checks, dates, and the
 * expiry job. Not an API: one service's insides. */
#ifndef VERIFICATION_INTERNAL_H
#define VERIFICATION_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "seklik/verification.pb-c.h"
#include "sk_arena.h"
#include "sk_db.h"
#include "sk_inbox.h"
#include "sk_rpc.h"
#include "store.h"


/* The Case message of a loaded row; `details` adds documents and findings.
 * NULL on OOM. */
Seklik__Verification__Case *vcase_to_pb(sk_arena *m, const verification_case_row *c, bool details);

/* Strip what a partner does not see: staff-only findings, proposals that
 * have not taken effect (the pending one included). */
void vcase_for_partner(Seklik__Verification__Case *c);

/* Append `type` with body CaseChanged{case} to the outbox (case reloaded
 * from the database, so the event shows what was committed). */
int vcase_emit(sk_db *db, const char *type, const char *case_id, const Seklik__Bus__Actor *actor,
               const char *correlation_id);

/* A small JSON object of the case for the audit trail (malloc'ed text). */
char *vcase_audit_json(const verification_case_row *c);

/* What the automatic checks found about the case's documents. */
typedef struct vcheck {
    bool complete;     /* no blocking document finding (missing, expired, rejected, no set) */
    bool any_blocking; /* any blocking finding at all, including the company's */
    bool all_accepted; /* at least one document, and every one ACCEPTED */
    bool any_rejected;
} vcheck;

/* Recompute the case's document findings against the newest requirement
 * sets of its year and outlet types; stores them and the set ids. */
int vcheck_run(sk_db *db, const char *case_id, vcheck *out);

/* Today's date in WIB (UTC+7), the calendar the partners live by; dates
 * and formats are the domain's (verification_date_parse ...). */
int32_t vdate_today_wib(void);

/* ---- the expiry check (the CheckExpiries command and the daily job) ---- */

/* Inside the open transaction: notices for documents expiring within
 * [today, today + days_ahead]; *notices = events written. */
int vexpiry_check(sk_db *db, int32_t today, int days_ahead, const Seklik__Bus__Actor *actor,
                  const char *correlation_id, int *notices);

/* The daily job: its own transaction. */
int vexpiry_job(sk_db *db, void *app);

/* The registry event applier. */
int vevents_apply(sk_event_ctx *ctx, const Seklik__Bus__Event *ev);

#endif
