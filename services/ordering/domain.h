/* domain.h - ordering rules, pure: no I/O, no globals, no allocation.
 *
 * Orders move through the states of seklik.ordering.OrderState (the numbers
 * here are the proto's); who may do what in which state is decided here, the
 * handlers only ask. Dates are days since 1970-01-01 (WIB calendar days);
 * amounts are whole rupiah, VAT included. */
#ifndef ORDERING_DOMAIN_H
#define ORDERING_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- numbers ---- */

/* The default number format: "MO/0001/DISKOMINFO/2027". */
#define ORDERING_DEFAULT_NUMBER_FORMAT "MO/{seq:4}/DISKOMINFO/{year}"
#define ORDERING_NUMBER_FORMAT_MAX 64 /* bytes of a format */
#define ORDERING_NUMBER_MAX 96        /* bytes of a number, NUL included */

/* A format holds exactly one "{seq}" or "{seq:N}" (N = 1..9: zero-padded to
 * at least N digits) and exactly one "{year}" - so numbers never repeat,
 * within a year or across years - and otherwise printable ASCII without
 * braces, at most ORDERING_NUMBER_FORMAT_MAX bytes. */
bool ordering_number_format_valid(const char *format);

/* Number `seq` (>= 1) of `fiscal_year` (2000..9999) in `format` into `out`
 * (capacity `cap`). Returns 0, or -1 when the format is not valid, an input
 * is out of range, or the number does not fit. */
int ordering_format_number(char *out, size_t cap, const char *format, uint32_t seq,
                           int fiscal_year);

/* ---- dates ---- */

/* "YYYY-MM-DD" of a real calendar date into days since 1970-01-01. */
bool ordering_parse_date(const char *s, int32_t *days);

/* An RFC 3339 time ("2027-03-05T10:00:00Z", "...+07:00", fractions allowed)
 * into seconds since the epoch. */
bool ordering_parse_time(const char *s, int64_t *unix_s);

/* The WIB (UTC+7) calendar day of an instant. */
int32_t ordering_wib_day(int64_t unix_s);

/* ---- products and money ---- */

#define ORDERING_PRODUCT_COUNT 12 /* seklik.scoring.Product 1..12 */
#define ORDERING_MAX_QUANTITY 10000
#define ORDERING_MAX_MONEY 10000000000000LL /* Rp 10 triliun: sk_limits_table's MONEY */

/* unit_price x quantity into *gross when both are in range (unit price
 * 1..ORDERING_MAX_MONEY, quantity 1..ORDERING_MAX_QUANTITY) and the product
 * is at most ORDERING_MAX_MONEY. */
bool ordering_gross(int64_t unit_price, int32_t quantity, int64_t *gross);

/* ---- orders ---- */

typedef enum {
    ORDERING_DRAFT = 1,
    ORDERING_OFFERED = 2,
    ORDERING_COUNTERED = 3,
    ORDERING_ACCEPTED = 4,
    ORDERING_AWAITING_APPROVAL = 5,
    ORDERING_APPROVED = 6,
    ORDERING_ISSUING = 7,
    ORDERING_ISSUED = 8,
    ORDERING_PROOF_SUBMITTED = 9,
    ORDERING_PROOF_REJECTED = 10,
    ORDERING_COMPLETED = 11,
    ORDERING_REJECTED = 12,
    ORDERING_CANCELLED = 13,
} ordering_state;

typedef enum { ORDERING_OFFICE = 1, ORDERING_PARTNER = 2 } ordering_party;

/* "draft", "offered", ... (the proto's names, lower case); "?" otherwise. */
const char *ordering_state_name(int state);

/* Still under negotiation: an offer is waiting for one of the parties. */
bool ordering_negotiating(int state);

/* May `party` counter or accept now? The party that did not make the last
 * offer answers it: the partner an OFFERED order, the office a COUNTERED one. */
bool ordering_may_answer(int state, ordering_party party);

/* The state after both agreed on `gross`: AWAITING_APPROVAL above the
 * year's threshold, ACCEPTED otherwise. */
int ordering_state_after_accept(int64_t gross, int64_t approval_threshold);

/* May the order be issued from `state`? ACCEPTED (not needing approval) or
 * APPROVED. */
bool ordering_issuable(int state, bool needs_approval);

/* Issued and not cancelled: numbered, money reserved, quota used. */
bool ordering_issued(int state);

/* May it still be cancelled, and does cancelling need the head? Everything
 * not yet final may be; an issued order only by the head. */
bool ordering_cancellable(int state);
bool ordering_cancel_needs_head(int state);

/* ---- proofs ---- */

/* May the partner submit a proof now? After issuing, and again after a
 * rejection. */
bool ordering_proof_expected(int state);

/* A proof is late when the work appeared, or the proof came in, after the
 * schedule's last day plus the grace days. */
bool ordering_proof_late(int32_t published_day, int32_t submitted_day, int32_t schedule_to,
                         int grace_days);

/* A year's performance: the share of placements whose proof was accepted
 * and on time, rounded half up; 0 placements -> 100 (nothing was late). */
int ordering_performance_percent(int64_t on_time_placements, int64_t placements);

#endif
