/* store.h - SQL for the scoring schema; the only file that talks to it.
 * Statements are constants with $n parameters, never built from values.
 *
 * Rule sets and price standards are "sets": versioned per fiscal year, at
 * most one draft and one published each (partial unique indexes), the body
 * packed protobuf. Reads of several columns return the PGresult (caller
 * PQclear()s) with the columns named by the enums below. */
#ifndef SCORING_STORE_H
#define SCORING_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "sk_db.h"

typedef enum { SCORING_SET_RULES, SCORING_SET_PRICES } scoring_set_kind;

/* seklik.scoring.SetState numbers <-> the state column. */
int scoring_store_state_number(const char *state);

/* One set row; `body` is malloc'ed (scoring_set_row_free). */
typedef struct scoring_set_row {
    char id[40];
    int fiscal_year, version, state;
    uint8_t *body;
    size_t len;
    char published_at[40];
    char published_by[128];
} scoring_set_row;

void scoring_set_row_free(scoring_set_row *row);

/* version > 0: that published or superseded version; 0: the published one;
 * -1: the draft. SK_ENOTFOUND when there is none. */
int scoring_store_set_load(sk_db *db, scoring_set_kind kind, int year, int version,
                           scoring_set_row *out);

/* Create or replace the year's draft; its version is the next one. *replaced
 * says whether a draft existed; out->id and out->version are filled. */
int scoring_store_set_save_draft(sk_db *db, scoring_set_kind kind, int year, const uint8_t *body,
                                 size_t len, const char *by, bool *replaced, scoring_set_row *out);

/* Draft -> published (with the next version), the published one ->
 * superseded; *previous is its version (0: none). SK_ENOTFOUND without a draft. */
int scoring_store_set_publish(sk_db *db, scoring_set_kind kind, int year, const char *by,
                              int *previous);

/* Save `body` as the year's draft unless the year has a draft or a
 * published set already (opening a year twice changes nothing). *saved
 * says whether it did; out->id and out->version are filled when it did. */
int scoring_store_set_offer_draft(sk_db *db, scoring_set_kind kind, int year, const uint8_t *body,
                                  size_t len, const char *by, bool *saved, scoring_set_row *out);

/* ---- serialisation ----
 * Registry and verification events of one company are applied by two
 * subscribers at once; each stores its half and reads the other's, so under
 * READ COMMITTED both could miss each other (and no score appear). The
 * company lock makes the second wait for the first and then see its rows.
 * Recomputing a year takes the year's lock shared; publishing a rule set
 * takes it exclusive, so no event scores with the rules being replaced.
 * Both are transaction-scoped advisory locks. */
int scoring_store_lock_company(sk_db *db, const char *company_id);
int scoring_store_lock_year(sk_db *db, int year, bool exclusive);

/* ---- inputs ---- */

typedef struct scoring_outlet_row {
    const char *outlet_id, *company_id, *outlet_name;
    int outlet_type; /* seklik.registry.OutletType */
    int64_t reach_value;
} scoring_outlet_row;

int scoring_store_upsert_outlet(sk_db *db, const scoring_outlet_row *row);

/* The company's data from the registry (dates "YYYY-MM-DD" or NULL; people
 * a JSON array of {"id", "chief", "level"}). */
int scoring_store_put_company(sk_db *db, const char *company_id, const char *deed_date,
                              const char *established_on, int dewan_pers_declared,
                              const char *people_json);

/* What the company's case of `year` says of its documents (a JSON array,
 * see 0003_what_documents_prove.sql). */
int scoring_store_put_proof(sk_db *db, const char *company_id, int year, const char *documents_json);

/* One outlet's standing for `year`: *changed when new or different. */
int scoring_store_set_outlet_standing(sk_db *db, const char *outlet_id, const char *company_id,
                                      int year, bool verified, bool suspended, bool *changed);

/* Every known outlet of the company takes one standing (a case event that
 * names no outlets, from before outcomes were per outlet). */
int scoring_store_set_company_standing(sk_db *db, const char *company_id, int year, bool verified,
                                       bool suspended);

/* The year's final list: the outlets in `entries_json` ([{"outlet_id",
 * "company_id", "suspended"}]) stand verified (suspended as it says), every
 * other outlet of the year does not. */
int scoring_store_apply_list(sk_db *db, int year, const char *entries_json);

/* Fiscal years the company has a standing for: columns (fiscal_year). */
int scoring_store_company_years(sk_db *db, const char *company_id, PGresult **res);

/* What scoring needs for every verified outlet of `year` (one company's
 * when company_id is not NULL), ordered by outlet id: the outlet, the
 * company's data (deed and founding days since 1970-01-01 or "", declared
 * Dewan Pers, people JSON) and its documents' proof JSON. */
enum {
    IN_OUTLET_ID, IN_COMPANY_ID, IN_OUTLET_NAME, IN_OUTLET_TYPE, IN_REACH, IN_SUSPENDED,
    IN_PERFORMANCE, IN_PREV_TOTAL, IN_PREV_TIER, IN_DEED_DAYS, IN_FOUNDED_DAYS,
    IN_DEWAN_PERS_DECLARED, IN_PEOPLE, IN_DOCUMENTS
};
/* Record a company's performance for a fiscal year (0..100); a later
 * figure for the same year replaces it. */
int scoring_store_set_performance(sk_db *db, const char *company_id, int fiscal_year,
                                  int percent);

int scoring_store_inputs(sk_db *db, const char *company_id, int year, PGresult **res);

/* Upsert `rows_json`, a JSON array of {outlet_id, total, tier, suspended,
 * breakdown (hex of a packed OutletScore holding only its lines)}, for `year`
 * under one rule set, in one statement. */
int scoring_store_upsert_scores(sk_db *db, int year, const char *rows_json,
                                const char *rule_set_id, int rule_set_version);

/* Drop the scores of `year` of outlets not verified for it (one company's
 * when company_id is not NULL): columns (outlet_id). */
int scoring_store_delete_scores(sk_db *db, const char *company_id, int year, PGresult **res);

/* One score with its outlet: columns below, SK_ENOTFOUND when none. */
enum {
    SC_OUTLET_ID, SC_COMPANY_ID, SC_OUTLET_NAME, SC_OUTLET_TYPE, SC_YEAR, SC_TOTAL, SC_TIER,
    SC_SUSPENDED, SC_BREAKDOWN, SC_RULE_SET_ID, SC_RULE_SET_VERSION, SC_COMPUTED_AT
};
int scoring_store_load_score(sk_db *db, const char *outlet_id, int year, PGresult **res);

/* A page of scores of `year` after outlet id `after` ("" = from the start);
 * tier < 0 and outlet_type 0 mean any. Same columns as load_score. */
int scoring_store_list_scores(sk_db *db, int year, int tier, int outlet_type, const char *after,
                              int limit, PGresult **res);

#endif
