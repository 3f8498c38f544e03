/* auth.h - users, sessions, CSRF and login throttling for the gateway.
 *
 * HTTP-agnostic: the HTTP layer (http.c, api.c) parses requests and cookies
 * and calls these; this file's implementation (auth.c over store.c and the
 * pure rules in domain.c) owns the gateway schema's users, sessions and
 * login_attempts tables. Sessions live in PostgreSQL with a hot copy in Redis
 * (key "gateway:session:<sha256(token) hex>"), so a gateway restart or a
 * Redis flush logs nobody out and a logout is seen by every replica.
 *
 * Every function may be called from any thread; each takes a pooled
 * connection itself. */
#ifndef GATEWAY_AUTH_H
#define GATEWAY_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seklik/bus.pb-c.h"
#include "sk_cache.h"
#include "sk_config.h"
#include "sk_db.h"

#define GW_SESSION_COOKIE "seklik_session"
#define GW_CSRF_HEADER "X-CSRF-Token"
#define GW_MAX_ROLES 8

/* A logged-in user's session, as the HTTP layer needs it. Plain values, no
 * pointers: copy freely. `token` is the cookie value (32 random bytes,
 * base64url); only its SHA-256 is stored. */
typedef struct gw_session {
    char token[64];
    char csrf_token[64];
    char user_id[40];
    char username[72];
    char display_name[136];
    char company_id[40]; /* "" unless a partner bound to a company */
    char roles[GW_MAX_ROLES][16];
    size_t n_roles;
    char locale[8];
    int64_t expires_unix_ms;  /* the idle end, moved by renewals ... */
    int64_t absolute_unix_ms; /* ... never past this: the login plus session_max_s */
    bool renewed; /* gw_auth_resolve moved the expiry: send the cookie again */
} gw_session;

/* 0 in a field of this struct takes its default (see gw_auth_read_config). */
typedef struct gw_auth_config {
    int session_ttl_s;          /* idle lifetime; renewed on use ... */
    int session_max_s;          /* ... up to this long after the login, whatever the use */
    int throttle_max_failures;  /* failures per (username, address) ... */
    int throttle_window_s;      /* ... within this window before refusing (domain.h) */
    bool cookie_secure;         /* behind TLS: add Secure to the cookie */
    int audit_flush_s;          /* anonymous refusals are written once per key this often */
    int hash_concurrency;       /* Argon2 computations at once ... */
    int hash_queue;             /* ... and logins waiting for one; past both: 503 at once */
    int signup_max;             /* accounts created per address per hour ... */
    int signup_taken_max;       /* ... and sign-ups that found the name taken */
    int reset_ttl_s;            /* a reset link's life */
    int reset_window_s;         /* the window of the reset limits ... */
    int reset_max_per_addr;     /* ... requests from one address (refused: 429) ... */
    int reset_max_per_account;  /* ... and e-mails to one account (past it: no e-mail, same answer) */
} gw_auth_config;

typedef struct gw_auth gw_auth;

/* Read SEKLIK_GATEWAY_SESSION_TTL_S (8 h), SEKLIK_GATEWAY_SESSION_MAX_S
 * (12 h), SEKLIK_GATEWAY_LOGIN_MAX_FAILURES (5), SEKLIK_GATEWAY_LOGIN_WINDOW_S
 * (900 s), SEKLIK_GATEWAY_COOKIE_SECURE (false), SEKLIK_GATEWAY_AUDIT_FLUSH_S
 * (5 s), SEKLIK_GATEWAY_HASH_CONCURRENCY (2), SEKLIK_GATEWAY_HASH_QUEUE (4),
 * SEKLIK_GATEWAY_SIGNUP_MAX_PER_ADDR (20) and
 * SEKLIK_GATEWAY_SIGNUP_TAKEN_MAX_PER_ADDR (50), SEKLIK_GATEWAY_RESET_TTL_S
 * (1800 s), SEKLIK_GATEWAY_RESET_WINDOW_S (3600 s),
 * SEKLIK_GATEWAY_RESET_MAX_PER_ADDR (10) and
 * SEKLIK_GATEWAY_RESET_MAX_PER_ACCOUNT (3) into *out; a bad value fails
 * `cfg` naming it. */
void gw_auth_read_config(sk_config *cfg, gw_auth_config *out);

/* `db` and `cache` (may be NULL) must outlive the auth. *out owned by caller,
 * freed with gw_auth_close (which writes the refusals still counted). Starts
 * a thread that writes counted refusals. SK_OK or SK_ENOMEM. */
int gw_auth_open(sk_db_pool *db, sk_cache *cache, const gw_auth_config *cfg, gw_auth **out);
void gw_auth_close(gw_auth *a);

/* Why a login or sign-up failed, for the JSON error body: `field` names the
 * input ("password"), `message` is Bahasa Indonesia first. */
typedef struct gw_auth_error {
    char field[32];
    char message[160];
    int retry_after_s; /* set with SK_EEXHAUSTED */
} gw_auth_error;

/* Check a username and password and open a session. SK_OK (*out filled);
 * SK_EINVAL (a field missing); SK_EAUTH (wrong username or password, or a
 * disabled account: one message for all, so accounts cannot be probed);
 * SK_EEXHAUSTED (too many failures, gw_login_throttle: refused without
 * checking the password); SK_EUNAVAIL (every Argon2 slot and queue place is
 * taken: refused before touching the database, err->retry_after_s set).
 * The attempt is reserved as a failure before the password is checked, under
 * a lock, so N concurrent attempts get at most the limit's checks.
 * Successes and failures are audited with `remote_addr` (throttled ones
 * counted like anonymous refusals). */
int gw_auth_login(gw_auth *a, const char *username, const char *password,
                  const char *remote_addr, gw_session *out, gw_auth_error *err);

/* A press company's self sign-up: a new `partner` user with no company yet,
 * logged in at once. SK_EINVAL names the field; SK_EEXISTS when the username
 * is taken; SK_EEXHAUSTED when the address created signup_max accounts in
 * the hour, or found signup_taken_max names taken (counted apart, so a
 * colleague's taken name does not use up a new user's place); SK_EUNAVAIL
 * as gw_auth_login. */
int gw_auth_signup(gw_auth *a, const char *username, const char *password,
                   const char *display_name, const char *remote_addr, gw_session *out,
                   gw_auth_error *err);

/* The same with the account's e-mail address (`email` may be NULL or "":
 * none); SK_EINVAL naming "email" when it is not an address, SK_EEXISTS
 * naming it when another account has it. */
int gw_auth_signup_email(gw_auth *a, const char *username, const char *password,
                         const char *display_name, const char *email, const char *remote_addr,
                         gw_session *out, gw_auth_error *err);

/* ---- password resets by e-mail (docs/adr/0017) ---- */

/* One reset e-mail to hand to the distribution service. The token exists
 * in clear only here, in memory, until it is handed over. */
typedef struct gw_reset_mail {
    char user_id[40];
    char email[256];
    char name[136];
    char locale[8];
    char token[64];
    int minutes;
    char key[48]; /* the call's idempotency key: the same on every try */
} gw_reset_mail;

/* Hands one reset e-mail over (api.c: Distribution.QueueMail as
 * "system:gateway"); SK_OK, or an error after which it is tried again. */
typedef int (*gw_reset_mail_fn)(void *arg, const gw_reset_mail *m);

/* Start the thread that hands reset e-mails to `fn`, off the requests' path
 * (an answer must not wait on the bus for a known account only). Without
 * it requests are answered and recorded and no e-mail leaves. A mail is
 * tried GW_RESET_MAIL_TRIES times, a second apart and then longer; waiting
 * ones beyond GW_RESET_MAIL_QUEUE are dropped (the person asks again).
 * SK_OK or SK_ENOMEM. */
#define GW_RESET_MAIL_TRIES 4
#define GW_RESET_MAIL_QUEUE 64
int gw_auth_start_mailer(gw_auth *a, gw_reset_mail_fn fn, void *arg);

/* Stop the thread (waiting mails are dropped; their tokens wiped). Call it
 * before whatever `fn` uses goes away. Idempotent. */
void gw_auth_stop_mailer(gw_auth *a);

/* "Forgot my password": `account` is a username or an e-mail address. The
 * answer is the same whether it names an account or not (SK_OK), and so is
 * the work: one lookup, one recorded request with a fresh token's SHA-256,
 * one audit row. When it names an enabled account with an address that is
 * under its limit, the token opens that account (for reset_ttl_s) and its
 * e-mail is queued for the mail thread. SK_EINVAL ("account" missing or
 * too long); SK_EEXHAUSTED when `remote_addr` made reset_max_per_addr
 * requests in the window (err->retry_after_s). Past reset_max_per_account
 * for one account the answer stays SK_OK but no e-mail goes (audited as
 * throttled): the answer tells nobody which names exist. */
int gw_auth_reset_request(gw_auth *a, const char *account, const char *remote_addr,
                          gw_auth_error *err);

/* Choose a new password with the token of a reset e-mail for `user_id`:
 * the token is used once, before its expiry, for its own user only (one
 * statement checks all three as it uses it); the password follows the
 * policy; every session of the user ends (PostgreSQL and Redis) and every
 * other token of the user expires; audited. SK_OK; SK_EINVAL with
 * err->field "token" and a message starting with gw_reset_verdict_code's
 * code ("token.used: ..."), or err->field "newPassword"; SK_EUNAVAIL as
 * gw_auth_login. */
int gw_auth_reset_confirm(gw_auth *a, const char *user_id, const char *token,
                          const char *new_password, const char *remote_addr, gw_auth_error *err);

/* ---- admission: the one step every route that needs a session takes ---- */

typedef struct gw_admission {
    const char *cookie;      /* the session cookie's value; NULL when none */
    const char *csrf;        /* the X-CSRF-Token header; NULL when none */
    const char *remote_addr; /* the client, for the actor and the audit trail */
    const char *what;        /* the request in the audit trail ("registry.GetCompany") */
    bool need_csrf;          /* state-changing: the session's CSRF token is required */
    bool quiet;              /* a missing session is an answer, not a refusal (GET /auth/me) */
} gw_admission;

/* A request let in: its session and the actor to sign for the bus. The
 * actor points into this struct: use it in place, never copy it. */
typedef struct gw_admitted {
    gw_session session;
    char *roles[GW_MAX_ROLES];
    Seklik__Bus__Actor actor;
} gw_admitted;

/* Let a request in, or refuse it with the refusal already audited (one row
 * per refusal of a logged-in user; anonymous ones counted, see
 * gw_auth_audit_refusal). SK_OK: *out is filled (session.renewed says the
 * cookie must be sent again). SK_EAUTH: no live session (401). SK_EPERM:
 * the CSRF token is missing or wrong (403). SK_EUNAVAIL: the session store
 * cannot answer (503: not the user's fault). */
int gw_auth_admit(gw_auth *a, const gw_admission *req, gw_admitted *out);

/* The session for a cookie value, renewing its expiry. SK_OK or SK_EAUTH
 * (unknown, expired, or its user disabled). */
int gw_auth_resolve(gw_auth *a, const char *token, gw_session *out);

/* End the session (idempotent). SK_OK or a database error. */
int gw_auth_logout(gw_auth *a, const char *token);

/* The logged-in user of `s` changes their password: the current one is
 * checked like a login (reserved and throttled per username and address,
 * gated by the Argon2 queue), every other session of the user ends (in
 * PostgreSQL and Redis), `s` stays, and it is audited. SK_OK; SK_EINVAL
 * (err->field "currentPassword" or "newPassword"); SK_EEXHAUSTED,
 * SK_EUNAVAIL as gw_auth_login; SK_EPERM when the account is disabled. */
int gw_auth_change_password(gw_auth *a, const gw_session *s, const char *current_password,
                            const char *new_password, const char *remote_addr,
                            gw_auth_error *err);

/* Constant-time check of the X-CSRF-Token header against the session's. */
bool gw_auth_csrf_ok(const gw_session *s, const char *header_value);

/* A partner user without a company has just registered one (the response of
 * registry.RegisterCompany): bind the user to it, in the store and in the
 * session `s` (updated in place). SK_EPRECOND when already bound. */
int gw_auth_bind_company(gw_auth *a, gw_session *s, const char *company_id);

/* Fill `actor` for a bus request on behalf of `s` (NULL = anonymous). The
 * actor's strings point into `s` and `roles_buf` (GW_MAX_ROLES entries),
 * which must outlive it. */
void gw_auth_actor(const gw_session *s, const char *remote_addr, char **roles_buf,
                   Seklik__Bus__Actor *actor);

/* The Set-Cookie value for `s` (or, with s == NULL, one that clears the
 * cookie) into `out`. */
void gw_auth_cookie(const gw_auth *a, const gw_session *s, char *out, size_t cap);

/* Audit a refused request (bad CSRF token, role refused by a service,
 * unauthenticated call) in gateway.audit_log, outside any transaction. A
 * logged-in user's refusal (`s`) is one row at once. An anonymous one
 * (s == NULL) is counted in memory per (address key, what, why) and written
 * as one row with its count every audit_flush_s ({"why", "count", "first",
 * "last"} in `after`), so a scanner costs a bounded number of writes; past
 * GW_AUDIT_KEYS keys the rest are counted under the address "(many)". */
int gw_auth_audit_refusal(gw_auth *a, const gw_session *s, const char *remote_addr,
                          const char *what, const char *why);

#define GW_AUDIT_KEYS 1024

/* Write the counted refusals now (tests; gw_auth_close does it too).
 * SK_OK or the database's error (the counts are then kept for the next try). */
int gw_auth_flush_audit(gw_auth *a);

/* ---- shared with handlers.c and seklikctl.c ---- */

#define GW_PASSWORD_HASH_CAP 128 /* crypto_pwhash_STRBYTES */

/* Argon2id (crypto_pwhash_str, OPSLIMIT/MEMLIMIT_INTERACTIVE) of
 * `password` into `out`. SK_OK or SK_ENOMEM (the hash ran out of memory). */
int gw_password_hash(const char *password, char out[GW_PASSWORD_HASH_CAP]);

/* Constant-time check of `password` against a stored hash. */
bool gw_password_verify(const char *hash, const char *password);

struct gw_user;
/* Append gateway.user.<what> (a seklik.gateway.User of `u`, never its
 * password hash) to the outbox in the open transaction on `db`, and mark
 * its version told: distribution keeps accounts from these. */
int gw_emit_user(sk_db *db, const char *type, const struct gw_user *u,
                 const Seklik__Bus__Actor *actor, const char *correlation_id);

/* Drop the Redis copies of sessions whose SHA-256s are `hashes` (after the
 * transaction that deleted or changed them committed). `cache` may be NULL. */
void gw_auth_forget_sessions(sk_cache *cache, const uint8_t (*hashes)[32], size_t n);

#endif
