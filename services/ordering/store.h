/* store.h - SQL for the ordering schema; the only file that talks to it.
 * Statements are constants with $n parameters, never built from values.
 *
 * Functions return SK_OK, SK_ENOTFOUND when a row asked for is not there, or
 * the sk_db_query code (SK_EEXISTS on a unique violation, SK_EPRECOND on a
 * CHECK, SK_EDB ...; inside a transaction the caller must then roll back).
 * Results handed out as PGresult are the caller's to PQclear; their columns
 * are the enums below. Timestamps come back as RFC 3339 UTC text ("" for
 * none), dates as "YYYY-MM-DD". */
#ifndef ORDERING_STORE_H
#define ORDERING_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "mirror.h"
#include "sk_db.h"

/* ---- the year's settings ---- */

typedef struct ordering_settings {
    int fiscal_year;
    int64_t approval_threshold;
    char number_format[72];
    int proof_grace_days;
    char default_budget_line_id[40]; /* "" = none */
    bool closed;
    char updated_at[40];
    char updated_by[136];
} ordering_settings;

/* Defaults for a year without a row: threshold Rp 5.000.000, the default
 * number format, 3 grace days. */
#define ORDERING_DEFAULT_THRESHOLD 5000000
#define ORDERING_DEFAULT_GRACE_DAYS 3

/* The year's row, or the defaults (updated_by "") when it has none. `lock`
 * takes the row's lock when it exists (FOR UPDATE). */
int ordering_store_settings(sk_db *db, int year, bool lock, ordering_settings *out);
int ordering_store_save_settings(sk_db *db, const ordering_settings *s, const char *by);
/* Mark the year closed; *closed_now is false when it already was. The row's
 * lock, held until commit, makes two closes of one year one after the other. */
int ordering_store_close_year(sk_db *db, int year, const char *by, bool *closed_now);

/* Numbers given in the year so far (the counter's value, 0 without one). */
int ordering_store_last_seq(sk_db *db, int year, int *last);

/* The next number of the year: creates or moves the counter row, whose lock
 * is held until the transaction ends. */
int ordering_store_next_seq(sk_db *db, int year, int *seq);

/* ---- read model ---- */

int ordering_store_upsert_outlet(sk_db *db, const char *outlet_id, int year,
                                 const char *company_id, const char *name, int type, int tier,
                                 int total, bool suspended);

/* Replace the year's ceilings by version `version` when it is newer than the
 * stored one; *applied says whether it was. */
int ordering_store_replace_ceilings(sk_db *db, int year, const char *id, int version,
                                    const ordering_ceiling_entry *e, size_t n, bool *applied);

int ordering_store_upsert_company(sk_db *db, const char *company_id, const char *name);

/* Everything the mirror holds: outlets (outlet_id, fiscal_year, company_id,
 * outlet_type, tier, suspended), ceilings (fiscal_year, version,
 * outlet_type, product, tier, ceiling). */
int ordering_store_mirror_outlets(sk_db *db, PGresult **res);
int ordering_store_mirror_ceilings(sk_db *db, PGresult **res);

/* Does the company have an outlet with a paid tier (C or better), not
 * suspended, in `year`? */
int ordering_store_company_tiered(sk_db *db, const char *company_id, int year, bool *tiered);

/* The company's display name ("" when unknown). */
int ordering_store_company_name(sk_db *db, const char *company_id, char *out, size_t cap);

enum {
    PR_OUTLET_ID, PR_OUTLET_NAME, PR_COMPANY_ID, PR_OUTLET_TYPE, PR_TIER, PR_PRODUCT,
    PR_CEILING, PR_VERSION
};
/* What may be bought at the company's (or one outlet's) outlets in `year`,
 * with the ceilings: outlets with a paid tier, not suspended. */
int ordering_store_products(sk_db *db, int year, const char *company_id, const char *outlet_id,
                            PGresult **res);

/* ---- agreements ---- */

enum {
    AG_ID, AG_COMPANY_ID, AG_YEAR, AG_NUMBER, AG_VALUE, AG_VALID_FROM, AG_VALID_UNTIL,
    AG_BUDGET_LINE, AG_STATE, AG_USED_VALUE, AG_SIGNED_ON, AG_SHA256, AG_FILE_NAME,
    AG_VERSION, AG_CREATED_AT, AG_CREATED_BY, AG_COMPANY_NAME, AG_QUOTAS
};
/* AG_QUOTAS is "product:placements:used,..." ordered by product. */

int ordering_store_agreement(sk_db *db, const char *id, bool lock, PGresult **res);

typedef struct ordering_quota {
    int product, placements, used;
} ordering_quota;

/* Parse AG_QUOTAS into `q` (capacity `cap`); returns how many. */
size_t ordering_store_parse_quotas(const char *text, ordering_quota *q, size_t cap);

typedef struct ordering_agreement_row {
    const char *id, *company_id, *number, *valid_from, *valid_until, *budget_line_id;
    int fiscal_year;
    int64_t value;
} ordering_agreement_row;

int ordering_store_agreement_insert(sk_db *db, const ordering_agreement_row *a, const char *by);
int ordering_store_agreement_update(sk_db *db, const ordering_agreement_row *a);
int ordering_store_agreement_set_quotas(sk_db *db, const char *id, const ordering_quota *q,
                                        size_t n);
int ordering_store_agreement_sign(sk_db *db, const char *id, const char *signed_on,
                                  const uint8_t *doc, size_t len, const char *sha256,
                                  const char *file_name);
int ordering_store_agreement_cancel(sk_db *db, const char *id, const char *reason);

/* Orders of the agreement still alive (not rejected, cancelled or completed). */
int ordering_store_agreement_live_orders(sk_db *db, const char *id, int *count);

/* The signed scan: file name, sha256, content. */
int ordering_store_agreement_document(sk_db *db, const char *id, PGresult **res);

/* Keyset page by id: year (0 = any), company ("" = any), after id. */
int ordering_store_agreements(sk_db *db, int year, const char *company_id, const char *after,
                              int limit, PGresult **res);

/* Step 1 of issuing: hold `quantity` of the product's quota and `gross` of
 * the value, unless they do not fit (*fits false, nothing changed). A
 * negative quantity and gross give them back. */
int ordering_store_hold_quota(sk_db *db, const char *agreement_id, int product, int quantity,
                              bool *fits);
int ordering_store_hold_value(sk_db *db, const char *agreement_id, int64_t gross, bool *fits);

/* ---- orders ---- */

enum {
    OR_ID, OR_YEAR, OR_AGREEMENT_ID, OR_COMPANY_ID, OR_OUTLET_ID, OR_PRODUCT, OR_QUANTITY,
    OR_SCHEDULE_FROM, OR_SCHEDULE_TO, OR_TITLE, OR_BRIEF, OR_PRESS_RELEASE_ID, OR_BUDGET_LINE,
    OR_STATE, OR_CEILING, OR_UNIT_PRICE, OR_GROSS, OR_NEEDS_APPROVAL, OR_APPROVED_BY,
    OR_APPROVED_AT, OR_NUMBER, OR_ISSUED_AT, OR_ISSUED_BY, OR_REFUSAL_FIELD, OR_REFUSAL_REASON,
    OR_CANCELLED_REASON, OR_VERSION, OR_CREATED_AT, OR_CREATED_BY, OR_COMPANY_NAME,
    OR_OUTLET_NAME, OR_HELD, OR_RESERVE_LINE, OR_RESUME_STATE, OR_RELEASE_PENDING,
    OR_ISSUE_REQUESTED_BY, OR_SEQ
};

/* One order; `lock` locks its row (FOR UPDATE). */
int ordering_store_order(sk_db *db, const char *id, bool lock, PGresult **res);

/* One order with two more columns (OR_OFFERS_JSON, OR_PROOFS_JSON): its
 * offers and proofs (without contents) as JSON arrays of arrays, in the
 * OF_* and PF_* column order, oldest first. One round trip. */
enum { OR_OFFERS_JSON = OR_SEQ + 1, OR_PROOFS_JSON };
int ordering_store_order_full(sk_db *db, const char *id, PGresult **res);

typedef struct ordering_order_row {
    const char *id, *agreement_id, *company_id, *outlet_id, *schedule_from, *schedule_to,
        *title, *brief, *press_release_id, *budget_line_id;
    int fiscal_year, product, quantity, state;
    int64_t ceiling, unit_price, gross;
} ordering_order_row;

int ordering_store_order_insert(sk_db *db, const ordering_order_row *o, const char *by);

/* Move the order to `state` with the price in force, bumping its version. */
int ordering_store_order_set_state(sk_db *db, const char *id, int state, int64_t ceiling,
                                   int64_t unit_price, int64_t gross, bool needs_approval);
/* Move the order to `state` only; `reason` (may be NULL) is kept as the
 * rejection or cancellation reason. */
int ordering_store_order_move(sk_db *db, const char *id, int state, const char *reason);
int ordering_store_order_approve(sk_db *db, const char *id, const char *by);

/* Step 1 done: ISSUING, quota and value held, the line chosen. */
int ordering_store_order_issuing(sk_db *db, const char *id, const char *line, int resume_state,
                                 const char *by);
/* Step 3: ISSUED with its number, or back to resume_state with the refusal. */
int ordering_store_order_issued(sk_db *db, const char *id, int seq, const char *number);
int ordering_store_order_refused(sk_db *db, const char *id, const char *field,
                                 const char *reason);
int ordering_store_order_cancel(sk_db *db, const char *id, const char *reason, const char *by,
                                bool release_pending);
int ordering_store_order_released(sk_db *db, const char *id);

/* Orders the re-drive job finishes: ISSUING, or cancelled with the
 * reservation not yet released. Columns: id, state. */
int ordering_store_unfinished(sk_db *db, PGresult **res);

/* Take the per-order saga lock (session level: it spans the saga's
 * transactions). `wait` false: *got says whether it was free. */
int ordering_store_saga_lock(sk_db *db, const char *order_id, bool wait, bool *got);
void ordering_store_saga_unlock(sk_db *db, const char *order_id);

typedef struct ordering_order_filter {
    int year;              /* 0 = any */
    int state;             /* 0 = any */
    const char *outlet_id; /* "" = any */
    const char *company_id;
    const char *month_from, *month_to; /* "YYYY-MM-DD" or "": the schedule overlaps */
    bool hide_drafts;
    const char *after;     /* keyset: ids below this one ("" = from the newest) */
    int limit;
} ordering_order_filter;

int ordering_store_orders(sk_db *db, const ordering_order_filter *f, PGresult **res);

/* ---- offers ---- */

enum { OF_ROUND, OF_PARTY, OF_UNIT_PRICE, OF_GROSS, OF_NOTE, OF_AT, OF_BY };

/* The next round, or the round given; *round receives it. */
int ordering_store_offer_add(sk_db *db, const char *order_id, int party, int64_t unit_price,
                             int64_t gross, const char *note, const char *by, int *round);

/* ---- proofs ---- */

enum {
    PF_VERSION, PF_KIND, PF_URL, PF_PUBLISHED_AT, PF_FILE_NAME, PF_CONTENT_TYPE, PF_SHA256,
    PF_SUBMITTED_AT, PF_SUBMITTED_BY, PF_DECISION, PF_REASON, PF_DECIDED_AT, PF_DECIDED_BY,
    PF_LATE
};

/* One proof with its content in the column after PF_LATE. */
int ordering_store_proof_file(sk_db *db, const char *order_id, int version, PGresult **res);

typedef struct ordering_proof_row {
    int kind;
    const char *url, *published_at, *file_name, *content_type, *sha256;
    const uint8_t *content;
    size_t len;
    bool late;
} ordering_proof_row;

int ordering_store_proof_add(sk_db *db, const char *order_id, const ordering_proof_row *p,
                             const char *by, int *version);
int ordering_store_proof_decide(sk_db *db, const char *order_id, int version, bool accept,
                                const char *reason, const char *by);

/* ---- the year's end ---- */

enum { PE_COMPANY_ID, PE_PLACEMENTS, PE_ON_TIME };
/* Per company: placements of its issued orders (not cancelled) and those
 * with an accepted proof that was not late. */
int ordering_store_performance(sk_db *db, int year, PGresult **res);

/* Orders of the year in ISSUING. */
int ordering_store_issuing_count(sk_db *db, int year, int *count);

#endif
