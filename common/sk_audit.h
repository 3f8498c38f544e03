/* sk_audit.h - the audit trail: who changed what, when, from where, before
 * and after. Every service has <schema>.audit_log (a bus migration); rows
 * are written in the caller's transaction, so a change and its audit record
 * commit together or not at all, and an idempotent retry adds no second row.
 *
 * A row's company_id names the company the change concerns: a partner's own
 * company for what a partner does (sk_audit_append), or the one a service
 * names (sk_audit_append_about), so a company's whole trail can be read. */
#ifndef SK_AUDIT_H
#define SK_AUDIT_H

#include "seklik/bus.pb-c.h"
#include "sk_db.h"
#include "sk_rpc.h"

/* Append one record inside the open transaction on `db`. `before` and
 * `after` are JSON texts (NULL = none, e.g. no "before" on creation);
 * `actor` may be NULL for the system's own changes. Returns SK_OK,
 * SK_EINVAL when before/after is not valid JSON, or the database error
 * (the transaction is then aborted). */
int sk_audit_append(sk_db *db, const Seklik__Bus__Actor *actor, const char *action,
                    const char *entity_type, const char *entity_id, const char *before,
                    const char *after, const char *correlation_id);

/* The same for a change that concerns company `company_id` (NULL or "" =
 * the actor's own company, as sk_audit_append). */
int sk_audit_append_about(sk_db *db, const Seklik__Bus__Actor *actor, const char *company_id,
                          const char *action, const char *entity_type, const char *entity_id,
                          const char *before, const char *after, const char *correlation_id);

/* Rows of this service's trail matching `req` (filters, keyset page and
 * limit as bus.proto's ListAuditRequest says), newest first, into `out` in
 * call memory. No role check: the caller decides who may read what.
 * SK_OK, a violation (SK_EINVAL) naming a bad filter, or the database error. */
int sk_audit_list(sk_call *call, const Seklik__Bus__ListAuditRequest *req,
                  Seklik__Bus__ListAuditResponse *out);

/* The bus.ListAudit handler every RPC server answers (sk_rpc.h): admin and
 * head only, everyone else PERMISSION_DENIED. */
int sk_audit_serve_list(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out);

/* Most rows one page holds, and a page's size when the request gives none. */
#define SK_AUDIT_PAGE_MAX 200
#define SK_AUDIT_PAGE_DEFAULT 50

#endif
