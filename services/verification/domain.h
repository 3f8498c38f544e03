/* domain.h - verification rules, pure: no I/O, no globals, no allocation.
 *
 * Dates are days since the Unix epoch (int32_t); times are Unix seconds
 * (int64_t). The caller owns every buffer; nothing is kept after a call. */
#ifndef VERIFICATION_DOMAIN_H
#define VERIFICATION_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A verification is valid until the end of the fiscal year or the earliest
 * expiry among the accepted documents, whichever comes first. Dates are days
 * since the Unix epoch; an expiry of 0 means the document does not expire. */
int32_t verification_valid_until(int32_t fiscal_year_end, const int32_t *expiries, size_t n);

/* ---- the case and its states ----
 *
 * A case opens when a company is submitted for verification. Its life:
 *
 *   OPENED          --AUTO_CHECKS_DONE------->  IN_REVIEW
 *   IN_REVIEW       --DOCUMENT_REJECTED------>  NEEDS_REVISION
 *   NEEDS_REVISION  --DOCUMENT_REJECTED------>  NEEDS_REVISION  (another document rejected)
 *   NEEDS_REVISION  --DOCUMENT_RESUBMITTED--->  IN_REVIEW
 *   IN_REVIEW       --DOCUMENT_RESUBMITTED--->  IN_REVIEW       (a second fix arrives)
 *   IN_REVIEW       --ALL_DOCUMENTS_ACCEPTED->  VISIT_PENDING
 *   VISIT_PENDING   --VISIT_RECORDED--------->  VISITED
 *   VISITED         --DECIDE_VERIFIED-------->  VERIFIED
 *   IN_REVIEW, NEEDS_REVISION, VISIT_PENDING, VISITED
 *                   --DECIDE_REJECTED-------->  REJECTED
 *   VERIFIED        --SUSPEND---------------->  SUSPENDED
 *
 * Everything else is refused. So a company is verified only after all its
 * documents were accepted and then the factual visit was recorded; documents
 * are judged only while in review (a problem found on the visit is a
 * rejection of the case); REJECTED and SUSPENDED are final, and VERIFIED
 * only leaves by SUSPEND. The caller sends ALL_DOCUMENTS_ACCEPTED only when
 * every required document is ACCEPTED and verification_auto_check() is
 * complete: the state machine does not see the documents.
 *
 * VISITED ("visit recorded, decision pending") is not in the list; it
 * is the state that remembers the visit between VISIT_PENDING and the
 * decision. It comes last so the other values keep their order. */
typedef enum verification_case_state {
    VERIFICATION_CASE_OPENED = 0,
    VERIFICATION_CASE_IN_REVIEW,
    VERIFICATION_CASE_NEEDS_REVISION,
    VERIFICATION_CASE_VISIT_PENDING,
    VERIFICATION_CASE_VERIFIED,
    VERIFICATION_CASE_REJECTED,
    VERIFICATION_CASE_SUSPENDED,
    VERIFICATION_CASE_VISITED,
} verification_case_state;

typedef enum verification_case_action {
    VERIFICATION_ACTION_AUTO_CHECKS_DONE = 0,
    VERIFICATION_ACTION_DOCUMENT_REJECTED,
    VERIFICATION_ACTION_DOCUMENT_RESUBMITTED,
    VERIFICATION_ACTION_ALL_DOCUMENTS_ACCEPTED,
    VERIFICATION_ACTION_VISIT_RECORDED,
    VERIFICATION_ACTION_DECIDE_VERIFIED,
    VERIFICATION_ACTION_DECIDE_REJECTED,
    VERIFICATION_ACTION_SUSPEND,
} verification_case_action;

/* Whether `action` is allowed in `state` (the table above). When it is, the
 * resulting state is written to `*next` (`next` may be NULL to only ask);
 * when it is not, or either value is not a known enumerator, returns false
 * and leaves `*next` untouched. */
bool verification_next_state(verification_case_state state, verification_case_action action,
                             verification_case_state *next);

/* Lower-case name for storage and the audit trail: "opened", "in_review",
 * "needs_revision", "visit_pending", "visited", "verified", "rejected",
 * "suspended"; NULL for a value that is not an enumerator. Static string. */
const char *verification_case_state_name(verification_case_state state);

/* ---- automatic checks against a requirement set ---- */

typedef enum verification_doc_status {
    VERIFICATION_DOC_MISSING = 0, /* a slot with nothing uploaded */
    VERIFICATION_DOC_SUBMITTED,
    VERIFICATION_DOC_ACCEPTED,
    VERIFICATION_DOC_REJECTED,
} verification_doc_status;

/* One current document of the company (the latest version of its type). */
typedef struct verification_doc {
    int type; /* document type, as in the requirement set */
    verification_doc_status status;
    int32_t expiry_day; /* last valid day; 0 = does not expire */
} verification_doc;

typedef enum verification_finding_code {
    VERIFICATION_FINDING_MISSING = 0, /* required type absent or only MISSING; blocks */
    VERIFICATION_FINDING_EXPIRED,     /* expiry_day < today; blocks */
    VERIFICATION_FINDING_EXPIRING,    /* today <= expiry_day <= today + warn_days; a warning */
    VERIFICATION_FINDING_REJECTED,    /* rejected and not yet resubmitted; blocks */
} verification_finding_code;

typedef struct verification_finding {
    verification_finding_code code;
    int type;    /* the document type concerned */
    int32_t day; /* the expiry day for EXPIRED and EXPIRING, 0 otherwise */
} verification_finding;

/* The automatic findings for a company's documents `docs[0..n_docs)` against
 * the required document types `required[0..n_required)`:
 *   - MISSING for each required type (counted once, however often it is
 *     listed) with no document of that type whose status is not MISSING;
 *   - for each document, in order: REJECTED if its status is REJECTED;
 *     otherwise, when SUBMITTED or ACCEPTED with an expiry, EXPIRED if
 *     expiry_day < today (a document is valid through its expiry day), else
 *     EXPIRING if verification_expiring_soon(expiry_day, today, warn_days).
 * Documents of types that are not required are judged the same way (an
 * expired optional certificate still blocks: remove or renew it).
 * MISSING findings come first, in the order of `required`, then the
 * documents' findings in the order of `docs`.
 *
 * Up to `cap` findings are written to `out` (which may be NULL when cap is
 * 0); `*n_out` receives the number of findings there are, which may be more
 * than `cap` (then the list was cut: call again with a larger buffer).
 * Returns true when the documents are complete: no blocking finding (MISSING,
 * EXPIRED, REJECTED), counting the ones that did not fit. Returns false, with
 * *n_out = 0, when `required` or `docs` is NULL with a non-zero count or
 * `n_out` is NULL. */
bool verification_auto_check(const int *required, size_t n_required, const verification_doc *docs,
                             size_t n_docs, int32_t today, int warn_days, verification_finding *out,
                             size_t cap, size_t *n_out);

/* Whether a document expiring on `expiry_day` is due for an expiry notice
 * on `today`: true when the expiry is within [today, today + days_ahead],
 * both ends included. False when expiry_day is 0 (never expires), already
 * past, or days_ahead is negative. It is true on every day of the window:
 * the scheduled job (days_ahead = 30) sends `verification.document.expiring`
 * once per document version by recording that it did. */
bool verification_expiring_soon(int32_t expiry_day, int32_t today, int days_ahead);

/* ---- four-eyes ----
 *
 * Nobody verifies a company they registered, and nobody accepts what they
 * supplied: a final decision (verified, rejected, suspended) takes effect
 * only when one person proposed it and a second, different person approved
 * it, neither of them the company's registrant nor the uploader of one of
 * the case's documents. Ids are compared exactly (byte for byte); a NULL or
 * "" id is unknown. Each rule answers with the first one broken, so the
 * handler names it in its refusal. */

typedef enum verification_four_eyes {
    VERIFICATION_FOUR_EYES_OK = 0,
    VERIFICATION_FOUR_EYES_UNKNOWN,      /* who acts (or who registered) is not known */
    VERIFICATION_FOUR_EYES_REGISTRANT,   /* registered the company */
    VERIFICATION_FOUR_EYES_SUPPLIER,     /* uploaded a document the decision accepts */
    VERIFICATION_FOUR_EYES_OWN_UPLOAD,   /* judges a document version they uploaded */
    VERIFICATION_FOUR_EYES_OWN_PROPOSAL, /* approves their own proposal */
    VERIFICATION_FOUR_EYES_TOOK_PART,    /* answers an objection to a decision they took part in */
} verification_four_eyes;

/* The rule's stable name for messages and the UI: "four_eyes.unknown",
 * "four_eyes.registrant", "four_eyes.supplier", "four_eyes.own_upload",
 * "four_eyes.own_proposal", "four_eyes.took_part"; "" for OK and NULL for a
 * value that is not an enumerator. Static string. */
const char *verification_four_eyes_code(verification_four_eyes rule);

/* Who a final decision must not come from: the company's registrant and
 * everyone who uploaded a current document version of the case (staff
 * uploading on the partner's behalf). `suppliers` may hold NULL or ""
 * entries (versions whose uploader was not recorded): they are skipped. */
typedef struct verification_parties {
    const char *registered_by;
    const char *const *suppliers;
    size_t n_suppliers;
} verification_parties;

/* Work on a case (judge documents, record the visit, send a proposal
 * back): not the registrant. UNKNOWN when either id is missing (a company
 * registered through the partner portal has the partner account as
 * registered_by, so it is always known). */
verification_four_eyes verification_may_work(const char *registered_by, const char *actor);

/* verification_may_work() == OK, for callers that only need yes or no. */
bool verification_four_eyes_ok(const char *registered_by, const char *verifier);

/* Judge (accept or reject) one document version: may_work, and not the
 * version's uploader. An unknown uploader (a version recorded before
 * uploaders were kept) does not refuse. */
verification_four_eyes verification_may_judge_document(const char *registered_by,
                                                       const char *uploaded_by, const char *actor);

/* Propose a final decision: not the registrant, not a supplier. UNKNOWN
 * for a NULL `p`. */
verification_four_eyes verification_may_propose(const verification_parties *p, const char *actor);

/* Approve a proposal so that it takes effect: the approver passes
 * verification_may_propose, is not the proposer (who must be known: UNKNOWN
 * otherwise), and the proposer still passes it too (they may have uploaded
 * a document after proposing). */
verification_four_eyes verification_may_approve(const verification_parties *p,
                                                const char *proposed_by, const char *actor);

/* Answer an objection: not anyone in deciders[0..n) (who proposed or
 * approved the decisions objected to; NULL or "" entries skipped), and not
 * the registrant. A NULL or "" registered_by means none is known (a company
 * that never had a case) and is skipped; the actor must be known. */
verification_four_eyes verification_may_answer_objection(const char *registered_by,
                                                         const char *const *deciders, size_t n,
                                                         const char *actor);

/* ---- proposals: the outcome a second person approves ---- */

typedef enum verification_outcome {
    VERIFICATION_OUTCOME_VERIFIED = 0,
    VERIFICATION_OUTCOME_REJECTED,
    VERIFICATION_OUTCOME_SUSPENDED,
} verification_outcome;

/* The case action an approved outcome is; false for a value that is not an
 * enumerator. A proposal is judged against the state machine twice: when
 * it is made and when it is approved (the case may have moved meanwhile). */
bool verification_outcome_action(verification_outcome outcome, verification_case_action *action);

/* "verified", "rejected", "suspended"; NULL for a value that is not an
 * enumerator. Static string. */
const char *verification_outcome_name(verification_outcome outcome);

/* Storage name -> outcome; false for anything else. */
bool verification_outcome_parse(const char *name, verification_outcome *outcome);

/* ---- bank accounts ---- */

/* Where a partner is paid. Strings may be NULL (= ""). */
typedef struct verification_bank {
    const char *bank_name, *account_number, *holder_name;
} verification_bank;

/* Whether `a` and `b` are the same account: bank and holder names equal
 * byte for byte, account numbers equal digit for digit (the separators
 * people type, ". - / space", do not count; other characters do). */
bool verification_bank_same(const verification_bank *a, const verification_bank *b);

/* ---- identity numbers of verified companies ---- */

/* The key under which a verified company holds an NPWP (`is_npwp`) or a NIK:
 * its digits, separators (". - / space") dropped; a 15-digit NPWP becomes
 * its 16-digit form, "0" and the 15 digits, so that both forms are one
 * taxpayer. False, with out = "", when `s` is not 15 or 16 digits (NPWP) or
 * 16 digits (NIK), or holds anything else. */
bool verification_identity_key(const char *s, bool is_npwp, char out[17]);

/* ---- the factual visit ---- */

/* A GPS point: latitude in [-90, 90], longitude in [-180, 180], both ends
 * included, and not exactly (0, 0) (what a device sends without a fix; -0.0
 * counts as 0). NaN is refused. */
bool verification_gps_valid(double lat, double lon);

/* A valid point inside Indonesia's bounding box: latitude [-11.5, 6.5],
 * longitude [94.5, 141.5], ends included. A box, not the border: it admits
 * some sea and neighbours, and catches swapped or sign-flipped coordinates. */
bool verification_gps_in_indonesia(double lat, double lon);

/* ---- announcement and objection (masa sanggah) ---- */

typedef struct verification_objection_window {
    int64_t announced_at;    /* results published; the window opens */
    int64_t objection_until; /* the window closes at this second (excluded) */
    bool finalized;          /* the list is final for the year */
} verification_objection_window;

/* Whether a company may object at `now`: the list is not final, the company
 * has not objected yet this year (`already_objected`), and
 * announced_at <= now < objection_until. False for a NULL window. */
bool verification_objection_allowed(const verification_objection_window *w, int64_t now,
                                    bool already_objected);

/* Whether the list may be finalized at `now`: it is not final yet, results
 * were announced (announced_at <= now), the window has closed
 * (now >= objection_until) and `open_objections` (objections without a staff
 * answer) is 0. At the second objection_until an objection is refused and
 * finalizing is allowed: the two never overlap. False for a NULL window. */
bool verification_can_finalize(const verification_objection_window *w, int64_t now,
                               size_t open_objections);

/* ---- calendar dates, times and number formats ----
 *
 * Dates are days since 1970-01-01 in the proleptic Gregorian calendar. */

/* The day number of year-month-day (no range check: the caller validated). */
int32_t verification_days_from_civil(int year, int month, int day);

/* "YYYY-MM-DD" of `days`, always 10 characters and a NUL. */
void verification_date_format(int32_t days, char out[11]);

/* Parse exactly "YYYY-MM-DD" (year 1900-9999, a real calendar day). */
bool verification_date_parse(const char *s, int32_t *days);

/* Parse an RFC 3339 time ("2027-06-15T10:00:00Z", fractions allowed, "Z" or
 * "+07:00"-style offsets) into Unix seconds; false for anything else,
 * including leap seconds (":60"), which PostgreSQL would not store. */
bool verification_time_parse(const char *s, int64_t *unix_s);

/* The number of digits in `s` when it holds only digits and the separators
 * people type in NPWP and NIB numbers (". - / space"); -1 otherwise, 0 for
 * NULL or "". NPWP is valid with 15 or 16, NIB with exactly 13 and no
 * separators, NIK with exactly 16 and none. */
int verification_digit_count(const char *s);

/* The KBLI code an outlet type needs (1 print 58130, 2 online 63122,
 * 3 radio 60102, 4 TV 60202, as seklik.registry.OutletType); NULL for any
 * other value. Static string. */
const char *verification_kbli_for_outlet(int outlet_type);

#endif
