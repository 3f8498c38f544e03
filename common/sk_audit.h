/* sk_audit.h - the audit trail: who changed what, when, from where, before
 * and after. Every service has <schema>.audit_log (a bus migration); rows
 * are written in the caller's transaction, so a change and its audit record
 * commit together or not at all, and an idempotent retry adds no second row. */
#ifndef SK_AUDIT_H
#define SK_AUDIT_H

#include "seklik/bus.pb-c.h"
#include "sk_db.h"

/* Append one record inside the open transaction on `db`. `before` and
 * `after` are JSON texts (NULL = none, e.g. no "before" on creation);
 * `actor` may be NULL for the system's own changes. Returns SK_OK,
 * SK_EINVAL when before/after is not valid JSON, or the database error
 * (the transaction is then aborted). */
int sk_audit_append(sk_db *db, const Seklik__Bus__Actor *actor, const char *action,
                    const char *entity_type, const char *entity_id, const char *before,
                    const char *after, const char *correlation_id);

#endif
