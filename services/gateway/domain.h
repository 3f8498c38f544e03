/* domain.h - the gateway's rules for users and logins, pure: no I/O, no
 * globals, no allocation.
 *
 * Strings are NUL-terminated UTF-8; a NULL string is treated as missing and
 * never dereferenced. Every check returns a problem code; gw_problem_message
 * turns it into the message a user reads, Bahasa Indonesia first with the
 * English in parentheses. */
#ifndef GATEWAY_DOMAIN_H
#define GATEWAY_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_USERNAME_MIN 3
#define GW_USERNAME_MAX 64   /* bytes, ASCII only */
#define GW_DISPLAY_NAME_MAX 128 /* bytes */
#define GW_PASSWORD_MIN 10   /* characters (UTF-8 code points) */
#define GW_PASSWORD_MAX 256  /* bytes: Argon2 takes any length, a request body does not need more */
#define GW_ROLES_MAX 8

/* Failed logins one remote address may make, as a multiple of the per-user
 * limit: an office or a phone carrier puts many people behind one address,
 * and one person's typos must not lock out the rest. */
#define GW_LOGIN_ADDR_FACTOR 10

/* Failed logins for one username from all addresses together, as a multiple
 * of the limit: slows guessing spread over many addresses. It does not apply
 * from an address the user has logged in from before (see
 * gw_login_throttle), so a stranger cannot lock the owner out of the office. */
#define GW_LOGIN_USER_FACTOR 4

/* How long a successful login makes its address a known one for the user. */
#define GW_KNOWN_ADDR_DAYS 90

/* The sign-up window; the limits per address are configuration. */
#define GW_SIGNUP_WINDOW_S 3600

typedef enum {
    GW_OK = 0,
    GW_MISSING,            /* empty or only blanks */
    GW_USERNAME_LENGTH,    /* not 3..64 characters */
    GW_USERNAME_CHARS,     /* not [a-z0-9._@-], or not starting with a letter or digit */
    GW_DISPLAY_NAME_LENGTH,
    GW_DISPLAY_NAME_CHARS, /* control characters or invalid UTF-8 */
    GW_PASSWORD_SHORT,     /* fewer than 10 characters */
    GW_PASSWORD_LONG,      /* more than 256 bytes */
    GW_PASSWORD_USERNAME,  /* the username itself (any case) */
    GW_PASSWORD_COMMON,    /* on the denylist of common passwords */
    GW_PASSWORD_ENCODING,  /* not valid UTF-8 */
    GW_ROLE_UNKNOWN,       /* not one of sk_actor.h's roles */
    GW_ROLE_DUPLICATE,
    GW_ROLE_TOO_MANY,
    GW_ROLE_PARTNER_MIXED, /* partner together with any other role */
    GW_COMPANY_NOT_PARTNER, /* a company on a staff account */
    GW_LOCALE_UNKNOWN,     /* not "id" or "en" */
    GW_EMAIL_INVALID,      /* not an address SEKLIK can send to (sk_email.h) */
} gw_problem;

/* "username ... (English ...)": static text for `p`; "" for GW_OK. */
const char *gw_problem_message(gw_problem p);

/* ---- usernames ---- */

/* Copy `in` into `out` (capacity `cap`), trimmed of surrounding blanks and
 * lower-cased (ASCII), then check it: 3..64 characters of a-z, 0-9, '.',
 * '_', '-', '@', starting with a letter or digit. On any problem `out` is
 * still the normalised text (cut to fit) so the caller may log it. */
gw_problem gw_username_normalize(const char *in, char *out, size_t cap);

/* ---- display names ---- */

/* 1..128 bytes of valid UTF-8 without control characters, after trimming
 * (the caller stores the trimmed text: gw_trim_copy). */
gw_problem gw_display_name_check(const char *name);

/* Copy `in` without surrounding ASCII blanks into `out` (capacity `cap`,
 * cut at a UTF-8 character boundary when it does not fit). */
void gw_trim_copy(const char *in, char *out, size_t cap);

/* ---- passwords ---- */

/* The password policy: at least 10 characters, at most 256 bytes, valid
 * UTF-8, not the username (compared without case), not a well-known
 * password (compared without case). `username` may be NULL. */
gw_problem gw_password_check(const char *password, const char *username);

/* ---- roles ---- */

/* One of admin, verifier, partnership, pr, finance, head, partner (exact). */
bool gw_role_valid(const char *role);

/* A set of roles for one account: at least one, at most 8, each known and
 * once; `partner` alone or not at all. A staff account has no company
 * (`company_id` NULL or ""); a partner account may have one or none yet. On
 * a problem *bad (if not NULL) is the index of the offending role, or -1. */
gw_problem gw_roles_check(const char *const *roles, size_t n, const char *company_id, int *bad);

/* True when `roles` is exactly ["partner"]. */
bool gw_roles_is_partner(const char *const *roles, size_t n);

/* ---- locale ---- */

/* "id" or "en". "" or NULL is not a locale: callers default to "id". */
bool gw_locale_valid(const char *locale);

/* ---- e-mail addresses ---- */

#define GW_EMAIL_MAX 254

/* Copy `in` trimmed, its domain lower-cased, into `out` (capacity `cap`,
 * at least GW_EMAIL_MAX + 1), then check it with sk_email_valid. Blank is
 * no address: GW_OK with `out` "" (whether one is required is the caller's
 * rule). */
gw_problem gw_email_normalize(const char *in, char *out, size_t cap);

/* ---- password resets ---- */

/* What a reset token's row says when it is presented: */
typedef enum {
    GW_RESET_VALID = 0,
    GW_RESET_INVALID, /* unknown, for another user, or reaching no account */
    GW_RESET_USED,    /* it worked once already */
    GW_RESET_EXPIRED,
} gw_reset_verdict;

/* The verdict for a token row: `found` (a row with the token's hash),
 * `row_user` its user ("" when it reached no account), `given_user` the user
 * the link names, `used` and `expired` as stored. Unknown or for another
 * user is invalid before anything else is said: a token says it was used or
 * expired only to the one it was made for. */
gw_reset_verdict gw_reset_check(bool found, const char *row_user, const char *given_user,
                                bool used, bool expired);

/* "token.invalid", "token.used", "token.expired": the stable reason a
 * refused token gets; "" for GW_RESET_VALID. */
const char *gw_reset_verdict_code(gw_reset_verdict v);

/* ---- throttling ---- */

/* Failures counted in the window, the age of the oldest of them, the limit
 * and the window. Refuse (true) when failures >= max; *retry_after_s is then
 * the time until the oldest failure leaves the window, at least 1 s. */
bool gw_throttle_refuse(int64_t failures, int64_t oldest_age_s, int max, int window_s,
                        int *retry_after_s);

/* What the login throttle counts before a password check, within the window. */
typedef struct gw_login_counts {
    int64_t pair_failures;     /* this username from this address, since their last success */
    int64_t pair_oldest_age_s; /* age of the oldest of them */
    int64_t addr_failures;     /* any username from this address */
    int64_t addr_oldest_age_s;
    int64_t user_failures;     /* this username from anywhere, since its last success */
    int64_t user_oldest_age_s;
    bool known_addr; /* the user logged in from this address within GW_KNOWN_ADDR_DAYS */
} gw_login_counts;

typedef enum {
    GW_LOGIN_ALLOWED = 0,
    GW_LOGIN_REFUSED_PAIR, /* `max` failures for this username from this address */
    GW_LOGIN_REFUSED_ADDR, /* max * GW_LOGIN_ADDR_FACTOR from this address */
    GW_LOGIN_REFUSED_USER, /* max * GW_LOGIN_USER_FACTOR for the username, unknown address */
} gw_login_verdict;

/* May a password be checked? The strict limit is per (username, address),
 * so a stranger's guesses from elsewhere never lock the owner's address; the
 * address limit stops one address spraying many usernames; the username's
 * own limit stops guessing spread over many addresses but is waived for a
 * known address. On a refusal *retry_after_s is the longest wait of the
 * limits that refuse. "pair", "address" or "username" for a verdict:
 * gw_login_verdict_name. */
gw_login_verdict gw_login_throttle(const gw_login_counts *c, int max, int window_s,
                                   int *retry_after_s);

/* A wait of `seconds` as a person reads it: whole minutes, rounded up, at
 * least 1 (2788 s -> 47). */
int gw_wait_minutes(int seconds);
const char *gw_login_verdict_name(gw_login_verdict v);

/* The address failures are counted against: an IPv4 address as it is, an
 * IPv6 address as its /64 ("2001:db8:1:2::/64"), because one subscriber
 * holds a whole /64 and could otherwise change address on every guess.
 * IPv4-mapped IPv6 counts as IPv4. Anything else (a name, "") is used as it
 * is. Writes at most `cap` bytes into `out`, NUL-terminated. */
void gw_throttle_addr_key(const char *addr, char *out, size_t cap);

/* ---- sessions ---- */

/* Renew a session that has `remaining_s` seconds left of `ttl_s`? Only when
 * less than half is left, so a busy session writes at most twice per TTL,
 * and only when renewing moves the expiry: never once it has reached the
 * session's absolute end, `to_absolute_s` away (its maximum lifetime from
 * the login, whatever the use). */
bool gw_session_needs_renewal(int64_t remaining_s, int ttl_s, int64_t to_absolute_s);

/* ---- the audit viewer: one trail merged from every service's ---- */

/* The UTC time, in unix ms, at which WIB calendar day `date` ("YYYY-MM-DD",
 * years 2000-2100) begins. False for anything else. */
bool gw_wib_day_start_ms(const char *date, int64_t *ms);

/* A row's place in the merged trail, newest first: by time, then by the
 * service's rank (its index in the gateway's list), then by its id. The page
 * token is the key of the last row shown. */
typedef struct gw_audit_key {
    int64_t at_us;
    int rank;
    int64_t id;
} gw_audit_key;

#define GW_AUDIT_KEY_MAX 64 /* the token's text, NUL included */

/* "<at_us>.<rank>.<id>"; writes at most `cap` bytes. */
void gw_audit_key_format(const gw_audit_key *k, char *out, size_t cap);

/* The token's key; false for anything gw_audit_key_format did not write
 * (negative numbers, a rank beyond `ranks`, junk, overflow). */
bool gw_audit_key_parse(const char *s, int ranks, gw_audit_key *k);

/* True when `a` comes before `b` in the merged trail (is newer). */
bool gw_audit_key_newer(const gw_audit_key *a, const gw_audit_key *b);

/* Where the service of rank `rank` resumes after the row `k`: its rows
 * strictly older than (*before_us, *before_id) by its own (time, id) order
 * are the ones after `k` in the merged trail. */
void gw_audit_resume(const gw_audit_key *k, int rank, int64_t *before_us, int64_t *before_id);

#endif
