/* store.h - SQL for the gateway schema: users, sessions, login and sign-up
 * attempts. Every value is a parameter; nothing here decides a rule (that is
 * domain.c) or talks to Redis (auth.c).
 *
 * Functions take a checked-out connection and work inside whatever
 * transaction is open on it. They return SK_OK, SK_ENOTFOUND when the row
 * they need is not there, SK_EEXISTS on a duplicate username, or the
 * database's error (in a transaction: roll back). */
#ifndef GATEWAY_STORE_H
#define GATEWAY_STORE_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "domain.h"
#include "sk_db.h"

#define GW_TOKEN_HASH_BYTES 32 /* SHA-256 */

/* One account as stored. Plain values: copy freely. */
typedef struct gw_user {
    char id[40];
    char username[72];
    char display_name[136];
    char password_hash[crypto_pwhash_STRBYTES];
    char roles[GW_MAX_ROLES][16];
    size_t n_roles;
    char company_id[40]; /* "" when none */
    bool disabled;
    char locale[8];
    int64_t created_unix_ms;
    int64_t last_login_unix_ms; /* 0 = never */
    int64_t version;
    char email[GW_EMAIL_MAX + 1]; /* "" when none */
} gw_user;

/* The user's JSON for the audit trail (no password hash). malloc'ed; NULL
 * on OOM. */
char *gw_user_json(const gw_user *u);

/* ---- users ---- */

/* Load by normalised username, or by id (with `for_update`, the row is
 * locked until the transaction ends). */
int gw_store_user_by_username(sk_db *db, const char *username, gw_user *out);
int gw_store_user_by_id(sk_db *db, const char *id, bool for_update, gw_user *out);

/* The account a password reset names: the user whose username is `name`,
 * else the one whose e-mail address is `email` (compared without case; ""
 * matches nobody). One query either way. SK_ENOTFOUND when neither. */
int gw_store_user_by_account(sk_db *db, const char *name, const char *email, gw_user *out);

/* Does another user than `except_id` ("" = none) have address `email`? */
int gw_store_email_taken(sk_db *db, const char *email, const char *except_id, bool *taken);

/* Insert `u` (id, username, display_name, password_hash, roles, company_id,
 * disabled, locale, email); u->version, created and last login are filled
 * back. SK_EEXISTS when the username or the address is taken. */
int gw_store_insert_user(sk_db *db, gw_user *u);

/* Write display_name, roles, company_id, disabled, locale and email of `u`
 * and bump its version; u->version is filled back. SK_ENOTFOUND for an
 * unknown id, SK_EEXISTS when the address is another user's. */
int gw_store_update_user(sk_db *db, gw_user *u);

/* Replace the password hash (and bump the version). */
int gw_store_set_password(sk_db *db, const char *id, const char *hash);

/* Bind a partner without a company to `company_id`: SK_EPRECOND when the
 * user already has one or is not a partner, SK_ENOTFOUND when unknown. */
int gw_store_bind_company(sk_db *db, const char *user_id, const char *company_id);

/* Page through users by username: those after `after` ("" = from the
 * start), whose username or display name contains `query` (case-insensitive;
 * "" = all) and holding `role` ("" = any). Up to `limit` into `out`
 * (capacity `limit`); *n is how many. */
int gw_store_list_users(sk_db *db, const char *query, const char *role, const char *after,
                        int limit, gw_user *out, size_t *n);

/* The users whose ids `ids_json` (a JSON array of texts) lists, in no
 * particular order; ids that are no user's are left out. At most `limit`
 * into `out` (capacity `limit`); *n is how many. */
int gw_store_users_by_ids(sk_db *db, const char *ids_json, int limit, gw_user *out, size_t *n);

/* ---- login and sign-up attempts ---- */

/* Inside an open transaction: take the advisory locks (held to its end)
 * that make count-then-reserve one step for `username` and the address key
 * `addr`. Always the username's first, then the address's, so two
 * transactions never wait on each other in a circle. */
int gw_store_lock_login(sk_db *db, const char *username, const char *addr);

/* The failures in the window (domain.h's gw_login_counts), reserved
 * attempts included, and whether `addr` is known for `username`. */
int gw_store_login_counts(sk_db *db, const char *username, const char *addr, int window_s,
                          gw_login_counts *out);

/* Reserve an attempt: a failure until gw_store_login_succeeded. *id filled. */
int gw_store_reserve_login(sk_db *db, const char *username, const char *addr, int64_t *id);

/* The reserved attempt `id` passed its check: a success, and `addr` is a
 * known address of `username` from now on. */
int gw_store_login_succeeded(sk_db *db, int64_t id, const char *username, const char *addr);

/* `addr` is a known address of `username` from now on (a sign-up). */
int gw_store_remember_address(sk_db *db, const char *username, const char *addr);

/* On success, also stamp users.last_login_at. */
int gw_store_touch_login(sk_db *db, const char *user_id);

/* Sign-ups: the address's lock (as gw_store_lock_login), then the counts in
 * the window of accounts created (reservations included) and of attempts
 * that found the name taken, each with the age of its oldest. */
int gw_store_lock_signup(sk_db *db, const char *addr);
int gw_store_signup_counts(sk_db *db, const char *addr, int window_s, int64_t *created,
                           int64_t *created_oldest_s, int64_t *taken, int64_t *taken_oldest_s);

/* Record a sign-up attempt (`ok`: an account is being created; false: the
 * name was taken); *id (may be NULL) filled. */
int gw_store_record_signup(sk_db *db, const char *addr, bool ok, int64_t *id);

/* A reserved sign-up found the name taken after all (ok = false), or
 * failed for another reason (`drop`: the row goes). */
int gw_store_signup_outcome(sk_db *db, int64_t id, bool drop);

/* Is the (normalised) username taken? */
int gw_store_username_taken(sk_db *db, const char *username, bool *taken);

/* ---- telling the other services ---- */

/* The user's version `version` was told (gateway.user.* written). */
int gw_store_mark_announced(sk_db *db, const char *id, int64_t version);

/* Up to `limit` users changed since they were last told, locked (SKIP
 * LOCKED) for the open transaction; *n into `out` (capacity `limit`). */
int gw_store_unannounced(sk_db *db, int limit, gw_user *out, size_t *n);

/* ---- password resets ---- */

/* Inside an open transaction: the advisory locks that make count-then-insert
 * one step for the address key and the account key. */
int gw_store_lock_reset(sk_db *db, const char *addr, const char *account_key);

/* Requests in the last `window_s` from `addr` and for `account_key`, each
 * with the age of its oldest. */
int gw_store_reset_counts(sk_db *db, const char *addr, const char *account_key, int window_s,
                          int64_t *addr_n, int64_t *addr_oldest_s, int64_t *account_n,
                          int64_t *account_oldest_s);

/* Record a request: the token's hash, the user it opens (NULL or "": none),
 * expiring `ttl_s` from now. */
int gw_store_insert_reset(sk_db *db, const uint8_t hash[GW_TOKEN_HASH_BYTES], const char *user_id,
                          const char *account_key, const char *addr, int ttl_s);

/* The row of a presented token: *found, its user ("" when none; capacity
 * 40), whether it was used and whether it expired. */
int gw_store_reset_row(sk_db *db, const uint8_t hash[GW_TOKEN_HASH_BYTES], bool *found,
                       char *user_id, bool *used, bool *expired);

/* Use the token for `user_id`: one statement that succeeds (*used_now) only
 * when the row is that user's, unused and unexpired; then every other token
 * of the user expires. */
int gw_store_use_reset(sk_db *db, const uint8_t hash[GW_TOKEN_HASH_BYTES], const char *user_id,
                       bool *used_now);

/* ---- sessions ---- */

/* A new session expiring `ttl_s` from now, never past `max_s` from now (its
 * absolute end); s->expires_unix_ms and s->absolute_unix_ms filled back. */
int gw_store_insert_session(sk_db *db, const uint8_t hash[GW_TOKEN_HASH_BYTES], const char *csrf,
                            const char *user_id, int ttl_s, int max_s, const char *remote_addr,
                            gw_session *s);

/* The live session for `hash` with its user's current name, roles, company
 * and locale (token left empty). SK_ENOTFOUND when unknown, expired, older
 * than `max_s`, or the user is disabled. */
int gw_store_load_session(sk_db *db, const uint8_t hash[GW_TOKEN_HASH_BYTES], int max_s,
                          gw_session *out);

/* Push the expiry to `ttl_s` from now, but never past `max_s` after the
 * session began; SK_ENOTFOUND when it already ended. */
int gw_store_renew_session(sk_db *db, const uint8_t hash[GW_TOKEN_HASH_BYTES], int ttl_s,
                           int max_s, int64_t *expires_unix_ms);

/* Delete one session; its user's id into `user_id` (capacity 40) when
 * found. SK_ENOTFOUND when there was none. */
int gw_store_delete_session(sk_db *db, const uint8_t hash[GW_TOKEN_HASH_BYTES], char *user_id);

/* The hashes of every session of `user_id` (deleting them with `delete`):
 * malloc'ed array of *n hashes in *out, caller frees (NULL when none). */
int gw_store_user_sessions(sk_db *db, const char *user_id, bool delete,
                           uint8_t (**out)[GW_TOKEN_HASH_BYTES], size_t *n);

/* Delete every session of `user_id` but the one hashed `keep` (NULL: all),
 * their hashes returned as gw_store_user_sessions does. */
int gw_store_end_other_sessions(sk_db *db, const char *user_id,
                                const uint8_t keep[GW_TOKEN_HASH_BYTES],
                                uint8_t (**out)[GW_TOKEN_HASH_BYTES], size_t *n);

/* Drop sessions that ended more than a day ago, attempts older than a
 * week and addresses not used for GW_KNOWN_ADDR_DAYS; *n (if not NULL) is
 * how many rows went. */
int gw_store_prune(sk_db *db, int64_t *n);

#endif
