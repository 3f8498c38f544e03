/* store.h - SQL for the verification schema; the only file that talks to it.
 * Statements are constants with $n parameters, never built from values.
 *
 * Reads hand back PGresults (the caller PQclear()s them, or frees a
 * verification_case_row with verification_store_case_free); the accessors
 * below point into them, so their strings live as long as the result.
 * Times come back as RFC 3339 UTC text, dates as YYYY-MM-DD, NULL as "".
 * Every function returns SK_OK or the sk_db_query error; SK_ENOTFOUND when
 * the row it was asked for does not exist. */
#ifndef VERIFICATION_STORE_H
#define VERIFICATION_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain.h"
#include "sk_db.h"

/* ---- requirement sets ---- */

/* Columns of a requirement set result: */
enum {
    RS_ID,
    RS_FISCAL_YEAR,
    RS_OUTLET_TYPE,
    RS_VERSION,
    RS_REQUIREMENTS,
    RS_PUBLISHED_AT,
    RS_PUBLISHED_BY
};

/* Insert version max+1 of (fiscal_year, outlet_type); the new row in *res.
 * SK_EEXISTS when a concurrent publish took the same version. */
int verification_store_publish_set(sk_db *db, const char *id, int fiscal_year, int outlet_type,
                                   const char *requirements_json, const char *published_by,
                                   PGresult **res);

/* The newest version of (fiscal_year, outlet_type). */
int verification_store_newest_set(sk_db *db, int fiscal_year, int outlet_type, PGresult **res);

/* Drafts: the same columns, id "" and version 0. Save one unless the year
 * has a draft or a published set of that type (*saved says whether it did);
 * put one (replace); load it; drop it (on publishing). */
int verification_store_offer_draft(sk_db *db, int fiscal_year, int outlet_type,
                                   const char *requirements_json, const char *by, bool *saved);
int verification_store_load_draft(sk_db *db, int fiscal_year, int outlet_type, PGresult **res);
int verification_store_drop_draft(sk_db *db, int fiscal_year, int outlet_type);

/* Every set of the year: per outlet type the newest published one, then
 * the draft (RS_* columns, and RS_DRAFT "t"/"f"). */
enum { RS_DRAFT = RS_PUBLISHED_BY + 1 };
int verification_store_list_sets(sk_db *db, int fiscal_year, PGresult **res);

/* ---- fiscal years ---- */

enum { FY_YEAR, FY_OPENS_ON, FY_CLOSES_ON, FY_CV_ALLOWED, FY_OPENED_AT, FY_OPENED_BY };

/* Insert or replace the year's settings; *changed when new or different.
 * The row in *res. */
int verification_store_put_year(sk_db *db, int fiscal_year, const char *opens_on,
                                const char *closes_on, bool cv_allowed, const char *by,
                                bool *changed, PGresult **res);
int verification_store_load_year(sk_db *db, int fiscal_year, PGresult **res);

/* ---- cases ---- */

typedef struct verification_case_row {
    const char *id, *company_id, *company_name, *registered_by, *opened_at, *decided_at,
        *decided_by, *valid_until, *reason, *visit_json, *requirement_set_ids_json,
        *outlet_types_json, *approved_by, *approved_at;
    /* The proposal waiting for its second person ("" ids when none). */
    const char *pending_id, *pending_outcome, *pending_by, *pending_at, *pending_reason,
        *pending_outlets_json, *reopened_at;
    int fiscal_year;
    int legal_form; /* seklik.registry.LegalForm; 0 = not recorded */
    verification_case_state state;
    PGresult *res;     /* the case row */
    PGresult *docs;    /* its documents, see DOC_* */
    PGresult *finds;   /* its findings, see FIND_* */
    PGresult *props;   /* its proposals, oldest first, see PROP_* */
    PGresult *outlets; /* its outlets, see OUT_* */
    PGresult *photos;  /* its visit photos, see PHOTO_* */
} verification_case_row;

enum {
    DOC_DOCUMENT_ID,
    DOC_TYPE,
    DOC_VERSION,
    DOC_NUMBER,
    DOC_EXPIRES_ON,
    DOC_DECISION,
    DOC_REASON,
    DOC_DECIDED_BY,
    DOC_DECIDED_AT,
    DOC_SLOT,
    DOC_UPLOADED_BY, /* "" = not recorded */
    DOC_PERSON_ID,
    DOC_OUTLET_ID,
    DOC_ISSUED_ON,
    DOC_DEWAN_PERS,
    DOC_IN_FORCE_ID,
    DOC_IN_FORCE_EXPIRES_ON,
    DOC_IN_FORCE_DEWAN_PERS
};
enum {
    OUT_OUTLET_ID,
    OUT_TYPE,
    OUT_NAME,
    OUT_STATE,
    OUT_VALID_UNTIL,
    OUT_REASON,
    OUT_DECIDED_BY,
    OUT_APPROVED_BY,
    OUT_DECIDED_AT
};
enum { PHOTO_DOCUMENT_ID, PHOTO_FILE_NAME, PHOTO_CONTENT_TYPE, PHOTO_UPLOADED_BY, PHOTO_UPLOADED_AT };
enum { FIND_CODE, FIND_DOCUMENT_TYPE, FIND_MESSAGE, FIND_BLOCKING, FIND_ORIGIN, FIND_STAFF_ONLY, FIND_DETAIL };
enum {
    PROP_ID,
    PROP_OUTCOME,
    PROP_REASON,
    PROP_PROPOSED_BY,
    PROP_PROPOSED_AT,
    PROP_STATUS,
    PROP_APPROVED_BY,
    PROP_APPROVED_AT,
    PROP_RETURNED_BY,
    PROP_RETURNED_AT,
    PROP_RETURN_REASON,
    PROP_OUTLET_IDS /* JSON array text */
};

/* Storage name <-> state ("in_review"); false for an unknown name. */
bool verification_store_state_parse(const char *name, verification_case_state *state);

void verification_store_case_free(verification_case_row *c);

/* Load a case with its documents and findings; `for_update` locks the case
 * row for the rest of the transaction. */
int verification_store_load_case(sk_db *db, const char *case_id, bool for_update,
                                 verification_case_row *c);

/* The company's newest case (any state, or only those in `states`, a
 * NULL-terminated list of storage names, when not NULL). */
int verification_store_newest_case(sk_db *db, const char *company_id, int fiscal_year,
                                   const char *const *states, bool for_update,
                                   verification_case_row *c);

/* Whether the company has a live case (not rejected or suspended) for the year. */
int verification_store_has_live_case(sk_db *db, const char *company_id, int fiscal_year,
                                     bool *exists);

int verification_store_insert_case(sk_db *db, const char *id, const char *company_id,
                                   const char *company_name, int fiscal_year,
                                   const char *registered_by, const char *outlet_types_json,
                                   int legal_form, const uint8_t *snapshot, size_t snapshot_len);
/* Record the legal form of a case opened before it was kept. */
int verification_store_set_legal_form(sk_db *db, const char *case_id, int legal_form);

/* A document version as the case records it; strings "" = none. */
typedef struct verification_doc_row {
    const char *slot, *document_id, *number, *expires_on, *issued_on, *uploaded_by;
    const char *person_id, *outlet_id;
    int type, version, dewan_pers_status;
} verification_doc_row;

/* The newest version of a document slot: inserted, or replacing the one
 * there, decision back to pending. The accepted version in force (if any)
 * stays in force until the new one is accepted. */
int verification_store_put_document(sk_db *db, const char *case_id, const verification_doc_row *d);

/* Document `document_id` was deleted from the registry: its slot row goes
 * when it holds that version (*removed), and stays otherwise. */
int verification_store_remove_document(sk_db *db, const char *case_id, const char *document_id,
                                       bool *removed);

/* Record a decision on one document of the case. Accepting puts this
 * version in force, with `dewan_pers_status` (0 = the level it claims) as
 * its level; rejecting leaves the version in force as it was. */
int verification_store_decide_document(sk_db *db, const char *case_id, const char *document_id,
                                       const char *decision, const char *reason,
                                       const char *decided_by, int dewan_pers_status);

/* ---- outlets ---- */

/* Add an outlet to the case (pending) unless it is there. */
int verification_store_put_outlet(sk_db *db, const char *case_id, const char *outlet_id, int type,
                                  const char *name);
/* An outcome taking effect on one outlet: state and, when given, valid
 * until, reason, who proposed and approved it (now). */
int verification_store_set_outlet(sk_db *db, const char *case_id, const char *outlet_id,
                                  verification_outlet_state state, const char *valid_until,
                                  const char *reason, const char *decided_by,
                                  const char *approved_by);
/* A verified outlet's new end of validity (a renewal accepted). */
int verification_store_set_outlet_until(sk_db *db, const char *case_id, const char *outlet_id,
                                        const char *valid_until);
/* The case's valid_until: the latest of its verified outlets' (the company
 * is a partner while one is). Unchanged when none is verified. */
int verification_store_sync_case_until(sk_db *db, const char *case_id);
/* An upheld objection: the case's rejected outlets are pending again, and
 * the case is marked reopened. */
int verification_store_reopen(sk_db *db, const char *case_id);
/* Cases of the year an upheld objection reopened that still have an
 * undecided outlet. */
int verification_store_reopened_undecided(sk_db *db, int fiscal_year, long long *count);
/* Cases whose outlets are not recorded (opened before outlets were):
 * columns (id, state, valid_until, decided_by, approved_by, reason). */
int verification_store_cases_without_outlets(sk_db *db, PGresult **res);

/* ---- visit photos ---- */

int verification_store_add_visit_photo(sk_db *db, const char *case_id, const char *document_id,
                                       const char *file_name, const char *content_type,
                                       const char *uploaded_by);

int verification_store_set_state(sk_db *db, const char *case_id, verification_case_state state);
int verification_store_set_requirement_sets(sk_db *db, const char *case_id, const char *ids_json);
int verification_store_record_visit(sk_db *db, const char *case_id, const char *visit_json,
                                    verification_case_state state);

/* The outcome taking effect: state, who proposed it (decided_by) and who
 * approved it, when (now), reason ("" = none) and valid_until ("" = none). */
int verification_store_decide_case(sk_db *db, const char *case_id, verification_case_state state,
                                   const char *decided_by, const char *approved_by,
                                   const char *reason, const char *valid_until);

int verification_store_clear_findings(sk_db *db, const char *case_id, const char *origin);
/* Drop the findings of one code (of any origin). */
int verification_store_clear_findings_code(sk_db *db, const char *case_id, const char *code);
int verification_store_add_finding(sk_db *db, const char *case_id, const char *origin,
                                   const char *code, int document_type, const char *message,
                                   const char *detail, bool blocking);
/* The same, hidden from the partner. */
int verification_store_add_staff_finding(sk_db *db, const char *case_id, const char *origin,
                                         const char *code, const char *message, const char *detail);

/* A page of cases ordered by id (= opening time), after `after_id` ("" =
 * from the start); state NULL and fiscal_year 0 mean any; `awaiting` only
 * cases with a pending proposal. Rows as in verification_store_case_at. */
int verification_store_list_cases(sk_db *db, const char *state, int fiscal_year, bool awaiting,
                                  const char *after_id, int limit, PGresult **res);

/* ---- proposals (four-eyes) ---- */

/* Record a pending proposal for the outlets in `outlet_ids_json` (a JSON
 * array of ids). SK_EEXISTS when the case has one already. */
int verification_store_propose(sk_db *db, const char *id, const char *case_id,
                               verification_outcome outcome, const char *reason,
                               const char *proposed_by, const char *outlet_ids_json);

/* Settle the pending proposal `id` of `case_id`: approved by `by`, or
 * returned by `by` with `reason`. SK_ENOTFOUND when it is not pending. */
int verification_store_approve_proposal(sk_db *db, const char *case_id, const char *id,
                                        const char *by);
int verification_store_return_proposal(sk_db *db, const char *case_id, const char *id,
                                       const char *by, const char *reason);

/* Everyone who proposed or approved a decision that took effect on the
 * company's cases of `fiscal_year`: one id per row, column 0. */
int verification_store_deciders(sk_db *db, const char *company_id, int fiscal_year,
                                PGresult **res);

/* ---- the submitted company (snapshot) and identity numbers ---- */

/* The case's packed seklik.registry.Company in *data (malloc'ed; *len 0
 * and *data NULL when the case has none). */
int verification_store_snapshot(sk_db *db, const char *case_id, uint8_t **data, size_t *len);
int verification_store_set_snapshot(sk_db *db, const char *case_id, const uint8_t *data,
                                    size_t len);

/* Hold (fiscal_year, kind, digits) for the company's verified case. When
 * another company holds it, *other receives its id (37 bytes) and nothing
 * is written; "" when the company now holds it. */
int verification_store_claim_identity(sk_db *db, int fiscal_year, const char *kind,
                                      const char *digits, const char *company_id,
                                      const char *case_id, char other[37]);
/* Let go of everything the company holds for the year (suspended, or about
 * to claim its current numbers). */
int verification_store_release_identities(sk_db *db, const char *company_id, int fiscal_year);

/* Fill `c` (without documents and findings) from row `i` of a case result. */
void verification_store_case_at(PGresult *res, int i, verification_case_row *c);

/* ---- announcement and objections ---- */

enum {
    ANN_FISCAL_YEAR,
    ANN_ANNOUNCED_AT,
    ANN_OBJECTION_UNTIL,
    ANN_FINALIZED_AT,
    ANN_VERIFIED_IDS,
    ANN_ANNOUNCED_UNIX,
    ANN_UNTIL_UNIX,
    ANN_ENTRIES,  /* JSON array of {company_id, outlet_id, company_name, outlet_name, state} */
    ANN_AMENDMENT
};

/* Record the announcement with the companies verified that year now.
 * SK_EEXISTS when the year was announced already. */
int verification_store_announce(sk_db *db, int fiscal_year, const char *objection_until,
                                const char *announced_by, PGresult **res);
int verification_store_load_announcement(sk_db *db, int fiscal_year, bool for_update,
                                         PGresult **res);
/* Mark final, refreshing the verified list; the row in *res. */
int verification_store_finalize(sk_db *db, int fiscal_year, const char *finalized_by,
                                PGresult **res);
/* After the list is final: the listed outlets among `outlet_ids_json` take
 * `state` ("suspended") and the amendment count goes up; the row in *res.
 * SK_ENOTFOUND when the year's list is not final or names none of them
 * with another state (nothing to amend). */
int verification_store_amend(sk_db *db, int fiscal_year, const char *outlet_ids_json,
                             const char *state, PGresult **res);
/* Whether the year's list is final. */
int verification_store_year_final(sk_db *db, int fiscal_year, bool *final);

enum {
    OBJ_ID,
    OBJ_FISCAL_YEAR,
    OBJ_COMPANY_ID,
    OBJ_REASON,
    OBJ_RAISED_AT,
    OBJ_RAISED_BY,
    OBJ_ANSWER,
    OBJ_UPHELD,
    OBJ_ANSWERED_AT,
    OBJ_ANSWERED_BY
};

int verification_store_has_objection(sk_db *db, int fiscal_year, const char *company_id,
                                     bool *exists);
int verification_store_insert_objection(sk_db *db, const char *id, int fiscal_year,
                                        const char *company_id, const char *reason,
                                        const char *raised_by, PGresult **res);
int verification_store_load_objection(sk_db *db, const char *id, bool for_update, PGresult **res);
int verification_store_answer_objection(sk_db *db, const char *id, const char *answer, bool upheld,
                                        const char *answered_by, PGresult **res);
/* The year's objections, oldest first; only `company_id`'s when not NULL.
 * Rows as OBJ_* columns. */
int verification_store_list_objections(sk_db *db, int fiscal_year, const char *company_id,
                                       PGresult **res);
int verification_store_open_objections(sk_db *db, int fiscal_year, long long *count);

/* ---- expiry notices ---- */

enum { EXP_DOCUMENT_ID, EXP_COMPANY_ID, EXP_TYPE, EXP_EXPIRES_ON };

/* The accepted versions in force of cases with a verified outlet, expiring
 * in [from, from + days]. */
int verification_store_expiring(sk_db *db, const char *from, int days, PGresult **res);

/* Record a notice; *inserted is false when it was sent before. */
int verification_store_add_notice(sk_db *db, const char *document_id, const char *expires_on,
                                  const char *company_id, bool *inserted);

#endif
