/* store.h - SQL for the registry schema; the only file that talks to it.
 * Statements are constants with $n parameters, never built from values.
 *
 * Enum-like columns hold the domain's lower-case names; the functions here
 * take and give the protobuf enum values, so handlers never see the text.
 * Loaders fill protobuf messages whose memory belongs to the call
 * (sk_call_alloc), so they live exactly as long as the response.
 * Errors: SK_ENOTFOUND for a missing row, SK_EEXISTS when a unique index
 * refused a row (a race the handler's own check lost), else the database's
 * code (the transaction is then aborted: the server rolls back). */
#ifndef REGISTRY_STORE_H
#define REGISTRY_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "seklik/registry.pb-c.h"
#include "sk_db.h"
#include "sk_rpc.h"
#include "domain.h"

/* "draft", "submitted", ... for a Seklik__Registry__CompanyStatus; NULL
 * outside the enum. */
const char *registry_store_status_name(int status);

/* Which company holds `digits` (normalised NPWP / NIK), other than
 * `except_company` (may be NULL); for a NIK, only within `only_company`
 * when that is not NULL. SK_OK with its id in `owner`, or SK_ENOTFOUND.
 * Several companies may hold one number (a partner is not told, see
 * 0004_partner_company_identity.sql): any of them is answered. */
int registry_store_npwp_owner(sk_db *db, const char *digits, const char *except_company,
                              char owner[37]);
int registry_store_nik_owner(sk_db *db, const char *digits, const char *only_company,
                             char owner[37]);

/* Rows (kind "npwp" | "nik", this company's person id or "", the other
 * company's id): the company's NPWP and NIKs held by other companies too,
 * at most 100. */
int registry_store_identity_clashes(sk_db *db, const char *company_id, PGresult **res);

/* Serialise the registrations of one partner account for the rest of the
 * transaction (an advisory lock on the user id). */
int registry_store_lock_partner(sk_db *db, const char *user_id);

/* The company registered by partner account `user_id`: SK_OK with its id,
 * or SK_ENOTFOUND. */
int registry_store_partner_company(sk_db *db, const char *user_id, char id[37]);

/* A company's values as they are stored: the request's input with its
 * numbers normalised. */
typedef struct registry_company_values {
    const Seklik__Registry__CompanyInput *in;
    const char *npwp; /* digits only */
    const char *nib;  /* digits only */
} registry_company_values;

/* Insert a new DRAFT company at version 1. `partner_user_id` is the
 * partner account registering its own company (NULL for staff); SK_EEXISTS
 * when that account has a company already. */
int registry_store_insert_company(sk_db *db, const char *id, const registry_company_values *v,
                                  const char *registered_by, const char *partner_user_id);

/* Replace the company's data and bump its version. */
int registry_store_update_company(sk_db *db, const char *id, const registry_company_values *v);

/* Lock the company row for the rest of the transaction (FOR UPDATE) and
 * read its status and version. SK_ENOTFOUND when there is none. */
int registry_store_lock_company(sk_db *db, const char *id, int *status, int64_t *version);

/* version = version + 1: every change to a company's outlets, people or
 * documents is a change of the company (optimistic concurrency for Update). */
int registry_store_bump_version(sk_db *db, const char *id);

int registry_store_insert_outlet(sk_db *db, const char *id, const char *company_id,
                                 const Seklik__Registry__OutletInput *in);
int registry_store_insert_person(sk_db *db, const char *id, const char *company_id,
                                 const Seklik__Registry__PersonInput *in, const char *nik);

/* Mark SUBMITTED for `fiscal_year` and bump the version. */
int registry_store_submit(sk_db *db, const char *id, int32_t fiscal_year);

/* The next version number of (type, person, outlet) in the company: 1 for
 * the first upload. person/outlet "" = none. */
int registry_store_next_document_version(sk_db *db, const char *company_id, int type,
                                         const char *person_id, const char *outlet_id,
                                         int32_t *version);

/* Insert a document's metadata (`d`, every field set; "" dates = none) and
 * its bytes. */
int registry_store_insert_document(sk_db *db, const char *company_id,
                                   const Seklik__Registry__Document *d, const uint8_t *content,
                                   size_t len);

/* Load one document's metadata into `d` (initialised by the caller), its
 * company into `company_id`, and, when `content` is not NULL, its bytes
 * (call memory). A deleted document is SK_ENOTFOUND. */
int registry_store_load_document(sk_call *call, const char *id, Seklik__Registry__Document *d,
                                 char company_id[37], ProtobufCBinaryData *content);

/* Whether document `id` of company `company_id` exists (*found) and was
 * deleted (*deleted), locking its row. */
int registry_store_lock_document(sk_db *db, const char *company_id, const char *id, bool *found,
                                 bool *deleted);

/* Mark document `id` deleted by `by` (it stays for the trail). */
int registry_store_delete_document(sk_db *db, const char *id, const char *by);

/* The newest version not deleted of the slot (type, person, outlet) that
 * document `id` belongs to, into `d` (initialised by the caller);
 * SK_ENOTFOUND when none is left. */
int registry_store_slot_current(sk_call *call, const char *id, Seklik__Registry__Document *d);

/* Load the whole company into `c` (initialised by the caller): data,
 * outlets and people in the order they were added, the newest version of
 * each document. Works outside and inside a transaction. */
int registry_store_load_company(sk_call *call, const char *id, Seklik__Registry__Company *c);

/* One page of ListCompanies. Strings may be NULL (= no filter). */
typedef struct registry_list_filter {
    const char *query;         /* substring of the legal or an outlet's name */
    int status;                /* 0 = any */
    int outlet_type;           /* 0 = any */
    const char *tier;          /* "A", "B", "C", "-" or NULL = any */
    const char *only_company;  /* a partner's own company */
    const char *after_name;    /* keyset: the last row of the previous page */
    const char *after_id;
    int limit;
} registry_list_filter;

/* Record `outlet_id`'s tier for `fiscal_year` unless a newer year's is
 * known. *found is false when the outlet is not (yet) in the registry. */
int registry_store_set_tier(sk_db *db, const char *outlet_id, int fiscal_year, const char *tier,
                            bool *found);

/* Fill `out->companies` with up to f->limit rows and `*more` with whether
 * another page follows. */
int registry_store_list(sk_call *call, const registry_list_filter *f,
                        Seklik__Registry__ListCompaniesResponse *out, bool *more);

/* The read model of verification: set status, verified_until ("" = none)
 * and reason, bumping the version, when anything differs. *changed says
 * whether it did; before/after receive the old and new status names
 * (32 bytes). SK_ENOTFOUND for an unknown company. */
int registry_store_set_verification(sk_db *db, const char *company_id, int status,
                                    const char *verified_until, const char *reason,
                                    bool *changed, char before[32]);

/* The read model of verification's per-outlet outcome: `status` is
 * "verified", "rejected" or "suspended" for `fiscal_year`; ignored when
 * the outlet already holds a newer year's. *changed when anything differs. */
int registry_store_set_outlet_verification(sk_db *db, const char *company_id, const char *outlet_id,
                                           int fiscal_year, const char *status,
                                           const char *verified_until, const char *reason,
                                           bool *changed);

/* The final partner list of `fiscal_year` names exactly these outlets. */
int registry_store_set_listed(sk_db *db, int fiscal_year, const char *const *outlet_ids, size_t n);

/* The year's registration window and CV rule (verification.year.opened);
 * a later event replaces them. Dates "YYYY-MM-DD". *changed when they are
 * new or differ (a replayed event changes nothing). */
int registry_store_put_year(sk_db *db, int fiscal_year, const char *opens_on, const char *closes_on,
                            bool cv_allowed, bool *changed);

/* The year's partner list is final. */
int registry_store_year_final(sk_db *db, int fiscal_year);

/* What the registry knows of `fiscal_year` (out->opened false when nothing). */
int registry_store_year(sk_db *db, int fiscal_year, registry_year_rules *out);

#endif
