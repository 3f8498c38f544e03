/* auth.c - users, sessions, CSRF and login throttling (see auth.h and
 * docs/adr/0012).
 *
 * The order of a login: a place in the hashing gate (none free: 503 before
 * any database work), then one short transaction that counts the failures
 * and reserves this attempt as one under advisory locks (a throttled attempt
 * never reaches the password check), then the user's row, then Argon2 in
 * one of the gate's slots with no database connection held (tens of
 * milliseconds and 64 MiB each), then one transaction turning the
 * reservation into a success with the session and the audit row. An unknown
 * username is checked against a dummy hash, so its answer takes as long as a
 * wrong password's. */
#include "auth.h"

#include <arpa/inet.h>

#include <cjson/cJSON.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "domain.h"
#include "sk_actor.h"
#include "sk_audit.h"
#include "sk_err.h"
#include "sk_id.h"
#include "seklik/gateway.pb-c.h"
#include "sk_log.h"
#include "sk_outbox.h"
#include "store.h"

_Static_assert(GW_PASSWORD_HASH_CAP == crypto_pwhash_STRBYTES, "hash buffer size");
_Static_assert(GW_TOKEN_HASH_BYTES == crypto_hash_sha256_BYTES, "token hash size");

#define TOKEN_BYTES 32
#define TOKEN_B64_LEN 43 /* 32 bytes, base64url without padding */
#define CACHE_TTL_MAX_S 300 /* bounds how long a copy may outlive a missed invalidation */

/* Anonymous refusals counted between two writes: one per key. */
typedef struct tally {
    char action[32];
    char entity_type[16];
    char entity_id[96];
    char addr[INET6_ADDRSTRLEN + 4];
    char why[64];
    int64_t count;
    int64_t first_ms, last_ms;
} tally;

#define TALLY_SLOTS (2 * GW_AUDIT_KEYS) /* open addressing, at most half full */

struct gw_auth {
    sk_db_pool *db;
    sk_cache *cache;
    gw_auth_config cfg;
    char dummy_hash[crypto_pwhash_STRBYTES];
    /* The hashing gate: logins, sign-ups and password changes in it (at
     * most hash_concurrency + hash_queue), and of them those hashing. */
    pthread_mutex_t gate_lock;
    pthread_cond_t gate_turn;
    int gate_in, gate_hashing;
    /* Counted refusals and the thread that writes them. */
    pthread_mutex_t tally_lock;
    pthread_cond_t tally_wake; /* on CLOCK_MONOTONIC */
    tally *tallies;            /* TALLY_SLOTS; count 0 = free */
    size_t n_tallies;
    bool stopping;
    bool flushing; /* the thread runs */
    pthread_t flusher;
    /* Reset e-mails waiting for the mail thread (a ring), and the thread. */
    pthread_mutex_t mail_lock;
    pthread_cond_t mail_wake; /* on CLOCK_MONOTONIC */
    gw_reset_mail *mails;     /* GW_RESET_MAIL_QUEUE */
    size_t mail_head, mail_n;
    gw_reset_mail_fn mail_fn;
    void *mail_arg;
    bool mail_running, mail_stopping;
    pthread_t mailer;
};

/* ---- configuration ---- */

void gw_auth_read_config(sk_config *cfg, gw_auth_config *out)
{
    out->session_ttl_s =
        (int)sk_config_long(cfg, "SEKLIK_GATEWAY_SESSION_TTL_S", 8 * 3600, 60, 30 * 86400);
    out->session_max_s =
        (int)sk_config_long(cfg, "SEKLIK_GATEWAY_SESSION_MAX_S", 12 * 3600, 60, 90 * 86400);
    out->throttle_max_failures =
        (int)sk_config_long(cfg, "SEKLIK_GATEWAY_LOGIN_MAX_FAILURES", 5, 1, 1000);
    out->throttle_window_s = (int)sk_config_long(cfg, "SEKLIK_GATEWAY_LOGIN_WINDOW_S", 900, 10, 86400);
    out->audit_flush_s = (int)sk_config_long(cfg, "SEKLIK_GATEWAY_AUDIT_FLUSH_S", 5, 1, 300);
    /* Each Argon2 takes 64 MiB and a core for tens of ms; those waiting hold
     * bus threads (main.c keeps the two together under half of them). */
    out->hash_concurrency = (int)sk_config_long(cfg, "SEKLIK_GATEWAY_HASH_CONCURRENCY", 2, 1, 64);
    out->hash_queue = (int)sk_config_long(cfg, "SEKLIK_GATEWAY_HASH_QUEUE", 4, 0, 1024);
    /* Per address and hour: an office, or Diskominfo's own hall on a
     * registration day, signs several companies up behind one address. */
    out->signup_max = (int)sk_config_long(cfg, "SEKLIK_GATEWAY_SIGNUP_MAX_PER_ADDR", 20, 1, 10000);
    out->signup_taken_max =
        (int)sk_config_long(cfg, "SEKLIK_GATEWAY_SIGNUP_TAKEN_MAX_PER_ADDR", 50, 1, 10000);
    out->reset_ttl_s = (int)sk_config_long(cfg, "SEKLIK_GATEWAY_RESET_TTL_S", 1800, 60, 86400);
    out->reset_window_s =
        (int)sk_config_long(cfg, "SEKLIK_GATEWAY_RESET_WINDOW_S", 3600, 60, 7 * 86400);
    out->reset_max_per_addr =
        (int)sk_config_long(cfg, "SEKLIK_GATEWAY_RESET_MAX_PER_ADDR", 10, 1, 10000);
    out->reset_max_per_account =
        (int)sk_config_long(cfg, "SEKLIK_GATEWAY_RESET_MAX_PER_ACCOUNT", 3, 1, 100);
    const char *secure = sk_config_str(cfg, "SEKLIK_GATEWAY_COOKIE_SECURE", "false", false);
    if (strcasecmp(secure, "true") == 0 || strcmp(secure, "1") == 0) {
        out->cookie_secure = true;
    } else if (strcasecmp(secure, "false") == 0 || strcmp(secure, "0") == 0) {
        out->cookie_secure = false;
    } else {
        out->cookie_secure = false;
        sk_config_fail(cfg, "SEKLIK_GATEWAY_COOKIE_SECURE", "must be true or false");
    }
}

static void *flusher_main(void *arg);

/* The defaults of gw_auth_read_config for fields left 0. */
static void config_defaults(gw_auth_config *c)
{
    if (c->session_ttl_s <= 0)
        c->session_ttl_s = 8 * 3600;
    if (c->session_max_s <= 0)
        c->session_max_s = 12 * 3600;
    if (c->hash_concurrency <= 0)
        c->hash_concurrency = 2;
    if (c->hash_queue < 0)
        c->hash_queue = 0;
    if (c->signup_max <= 0)
        c->signup_max = 20;
    if (c->signup_taken_max <= 0)
        c->signup_taken_max = 50;
    if (c->throttle_max_failures <= 0)
        c->throttle_max_failures = 5;
    if (c->throttle_window_s <= 0)
        c->throttle_window_s = 900;
    if (c->audit_flush_s <= 0)
        c->audit_flush_s = 5;
    if (c->reset_ttl_s <= 0)
        c->reset_ttl_s = 1800;
    if (c->reset_window_s <= 0)
        c->reset_window_s = 3600;
    if (c->reset_max_per_addr <= 0)
        c->reset_max_per_addr = 10;
    if (c->reset_max_per_account <= 0)
        c->reset_max_per_account = 3;
}

int gw_auth_open(sk_db_pool *db, sk_cache *cache, const gw_auth_config *cfg, gw_auth **out)
{
    gw_auth *a = calloc(1, sizeof(*a));
    if (!a)
        return SK_ENOMEM;
    a->tallies = calloc(TALLY_SLOTS, sizeof(tally));
    if (!a->tallies) {
        free(a);
        return SK_ENOMEM;
    }
    a->db = db;
    a->cache = cache;
    a->cfg = *cfg;
    config_defaults(&a->cfg);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&a->tally_lock, NULL);
    pthread_cond_init(&a->tally_wake, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&a->gate_lock, NULL);
    pthread_cond_init(&a->gate_turn, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&a->mail_lock, NULL);
    pthread_cond_init(&a->mail_wake, &ca);
    pthread_condattr_destroy(&ca);
    /* A hash of a random password nobody knows: what unknown usernames are
     * checked against, with the same cost parameters as real ones. */
    unsigned char secret[32];
    char pw[65];
    randombytes_buf(secret, sizeof(secret));
    sodium_bin2hex(pw, sizeof(pw), secret, sizeof(secret));
    int rc = gw_password_hash(pw, a->dummy_hash);
    sodium_memzero(pw, sizeof(pw));
    if (rc == SK_OK && pthread_create(&a->flusher, NULL, flusher_main, a) != 0)
        rc = SK_ENOMEM;
    if (rc != SK_OK) {
        gw_auth_close(a);
        return rc;
    }
    a->flushing = true;
    *out = a;
    return SK_OK;
}

void gw_auth_close(gw_auth *a)
{
    if (!a)
        return;
    if (a->flushing) {
        pthread_mutex_lock(&a->tally_lock);
        a->stopping = true;
        pthread_cond_signal(&a->tally_wake);
        pthread_mutex_unlock(&a->tally_lock);
        pthread_join(a->flusher, NULL);
        int rc = gw_auth_flush_audit(a);
        if (rc != SK_OK)
            sk_log_warn("auth: %zu counted refusals not written: %s", a->n_tallies,
                        sk_strerror(rc));
    }
    pthread_cond_destroy(&a->tally_wake);
    pthread_mutex_destroy(&a->tally_lock);
    pthread_cond_destroy(&a->gate_turn);
    pthread_mutex_destroy(&a->gate_lock);
    gw_auth_stop_mailer(a);
    pthread_cond_destroy(&a->mail_wake);
    pthread_mutex_destroy(&a->mail_lock);
    free(a->tallies);
    free(a);
}

/* ---- passwords ---- */

int gw_password_hash(const char *password, char out[GW_PASSWORD_HASH_CAP])
{
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return SK_ENOMEM;
    return SK_OK;
}

bool gw_password_verify(const char *hash, const char *password)
{
    return hash && password && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* ---- the hashing gate ---- */

/* A place for one password operation, or false at once when every slot and
 * queue place is taken: nothing waits without bound, and a flood of logins
 * costs the bus threads and the memory of hash_concurrency + hash_queue. */
static bool gate_enter(gw_auth *a)
{
    pthread_mutex_lock(&a->gate_lock);
    bool in = a->gate_in < a->cfg.hash_concurrency + a->cfg.hash_queue;
    if (in)
        a->gate_in++;
    pthread_mutex_unlock(&a->gate_lock);
    return in;
}

static void gate_leave(gw_auth *a)
{
    pthread_mutex_lock(&a->gate_lock);
    a->gate_in--;
    pthread_mutex_unlock(&a->gate_lock);
}

/* Wait (inside the gate) for one of the hash_concurrency slots. */
static void hash_begin(gw_auth *a)
{
    pthread_mutex_lock(&a->gate_lock);
    while (a->gate_hashing >= a->cfg.hash_concurrency)
        pthread_cond_wait(&a->gate_turn, &a->gate_lock);
    a->gate_hashing++;
    pthread_mutex_unlock(&a->gate_lock);
}

static void hash_end(gw_auth *a)
{
    pthread_mutex_lock(&a->gate_lock);
    a->gate_hashing--;
    pthread_cond_signal(&a->gate_turn);
    pthread_mutex_unlock(&a->gate_lock);
}

static bool gated_verify(gw_auth *a, const char *hash, const char *password)
{
    hash_begin(a);
    bool ok = strlen(password) <= GW_PASSWORD_MAX && gw_password_verify(hash, password);
    hash_end(a);
    return ok;
}

static int gated_hash(gw_auth *a, const char *password, char out[GW_PASSWORD_HASH_CAP])
{
    hash_begin(a);
    int rc = gw_password_hash(password, out);
    hash_end(a);
    return rc;
}

/* ---- tokens ---- */

static void new_token(char *out, size_t cap)
{
    unsigned char bin[TOKEN_BYTES];
    randombytes_buf(bin, sizeof(bin));
    sodium_bin2base64(out, cap, bin, sizeof(bin), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(bin, sizeof(bin));
}

/* 43 characters of the base64url alphabet: anything else is no token of ours. */
static bool token_shape_ok(const char *t)
{
    return t && strlen(t) == TOKEN_B64_LEN &&
           strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
               TOKEN_B64_LEN;
}

static void token_hash(const char *token, uint8_t out[GW_TOKEN_HASH_BYTES])
{
    crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

static void cache_key(const uint8_t hash[GW_TOKEN_HASH_BYTES], char *out, size_t cap)
{
    char hex[2 * GW_TOKEN_HASH_BYTES + 1];
    sodium_bin2hex(hex, sizeof(hex), hash, GW_TOKEN_HASH_BYTES);
    snprintf(out, cap, "session:%s", hex);
}

void gw_auth_forget_sessions(sk_cache *cache, const uint8_t (*hashes)[32], size_t n)
{
    if (!cache)
        return;
    for (size_t i = 0; i < n; i++) {
        char key[96];
        cache_key(hashes[i], key, sizeof(key));
        sk_cache_invalidate(cache, key);
    }
}

static void forget_one(gw_auth *a, const uint8_t hash[GW_TOKEN_HASH_BYTES])
{
    const uint8_t(*h)[32] = (const uint8_t(*)[32])hash;
    gw_auth_forget_sessions(a->cache, h, 1);
}

/* Forget every cached session of `user_id` (after a change to the user has
 * committed). When the sessions cannot be listed (the database went away
 * right after the commit), every cached session is dropped instead: a stale
 * copy would otherwise carry the user's old roles or company for up to its
 * TTL. Nobody is logged out by that; sessions live in PostgreSQL. */
static void forget_user_sessions(gw_auth *a, sk_db *db, const char *user_id)
{
    if (!a->cache)
        return;
    uint8_t(*hashes)[GW_TOKEN_HASH_BYTES] = NULL;
    size_t n = 0;
    if (gw_store_user_sessions(db, user_id, false, &hashes, &n) == SK_OK) {
        gw_auth_forget_sessions(a->cache, (const uint8_t(*)[32])hashes, n);
    } else {
        sk_log_warn("gateway: cannot list the sessions of user %s; dropping every cached session",
                    user_id);
        sk_cache_invalidate_prefix(a->cache, "session:");
    }
    free(hashes);
}

/* ---- the Redis copy of a session: JSON without the token ---- */

static char *session_json(const gw_session *s)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "csrf", s->csrf_token);
    cJSON_AddStringToObject(o, "userId", s->user_id);
    cJSON_AddStringToObject(o, "username", s->username);
    cJSON_AddStringToObject(o, "displayName", s->display_name);
    cJSON_AddStringToObject(o, "companyId", s->company_id);
    cJSON *roles = cJSON_AddArrayToObject(o, "roles");
    for (size_t i = 0; roles && i < s->n_roles; i++)
        cJSON_AddItemToArray(roles, cJSON_CreateString(s->roles[i]));
    cJSON_AddStringToObject(o, "locale", s->locale);
    cJSON_AddNumberToObject(o, "expires", (double)s->expires_unix_ms);
    cJSON_AddNumberToObject(o, "absolute", (double)s->absolute_unix_ms);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

static bool json_str(const cJSON *o, const char *name, char *out, size_t cap)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsString(v))
        return false;
    snprintf(out, cap, "%s", v->valuestring);
    return true;
}

static bool session_parse(const uint8_t *val, size_t len, gw_session *s)
{
    cJSON *o = cJSON_ParseWithLength((const char *)val, len);
    if (!o)
        return false;
    memset(s, 0, sizeof(*s));
    bool ok = json_str(o, "csrf", s->csrf_token, sizeof(s->csrf_token)) &&
              json_str(o, "userId", s->user_id, sizeof(s->user_id)) &&
              json_str(o, "username", s->username, sizeof(s->username)) &&
              json_str(o, "displayName", s->display_name, sizeof(s->display_name)) &&
              json_str(o, "companyId", s->company_id, sizeof(s->company_id)) &&
              json_str(o, "locale", s->locale, sizeof(s->locale));
    const cJSON *roles = cJSON_GetObjectItemCaseSensitive(o, "roles");
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(o, "expires");
    const cJSON *abs = cJSON_GetObjectItemCaseSensitive(o, "absolute");
    ok = ok && cJSON_IsArray(roles) && cJSON_IsNumber(exp) && cJSON_IsNumber(abs);
    const cJSON *r;
    cJSON_ArrayForEach(r, roles)
    {
        if (!ok || !cJSON_IsString(r) || s->n_roles >= GW_MAX_ROLES) {
            ok = false;
            break;
        }
        snprintf(s->roles[s->n_roles++], sizeof(s->roles[0]), "%s", r->valuestring);
    }
    if (ok) {
        s->expires_unix_ms = (int64_t)exp->valuedouble;
        s->absolute_unix_ms = (int64_t)abs->valuedouble;
    }
    cJSON_Delete(o);
    return ok;
}

typedef struct load_ctx {
    gw_auth *a;
    const uint8_t *hash;
} load_ctx;

/* The cache's loader: the session from PostgreSQL, as the Redis value. */
static int load_session(void *arg, uint8_t **val, size_t *len)
{
    load_ctx *ctx = arg;
    sk_db *db = NULL;
    SK_TRY(sk_db_acquire(ctx->a->db, &db));
    gw_session s;
    int rc = gw_store_load_session(db, ctx->hash, ctx->a->cfg.session_max_s, &s);
    sk_db_release(db);
    if (rc != SK_OK)
        return rc;
    char *text = session_json(&s);
    sodium_memzero(&s, sizeof(s));
    if (!text)
        return SK_ENOMEM;
    *val = (uint8_t *)text;
    *len = strlen(text);
    return SK_OK;
}

/* ---- audit ---- */

/* The actor of an audit row written by the gateway itself. */
static void audit_actor(Seklik__Bus__Actor *actor, char **roles_buf, const gw_session *s,
                        const char *user_id, const char *remote_addr)
{
    gw_auth_actor(s, remote_addr, roles_buf, actor);
    if (!s)
        actor->user_id = (char *)(user_id && user_id[0] ? user_id : "anonymous");
}

static char *json_object(const char *k1, const char *v1, const char *k2, const char *v2)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    if (k1)
        cJSON_AddStringToObject(o, k1, v1 ? v1 : "");
    if (k2)
        cJSON_AddStringToObject(o, k2, v2 ? v2 : "");
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

static int audit(sk_db *db, const Seklik__Bus__Actor *actor, const char *action,
                 const char *entity_type, const char *entity_id, const char *before,
                 const char *after)
{
    return sk_audit_append(db, actor, action, entity_type, entity_id, before, after, NULL);
}

/* ---- refusals: one row each for a user, counted for anonymous ones ---- */

static uint64_t tally_hash(const tally *t)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a over the key fields */
    const char *fields[] = {t->action, t->entity_type, t->entity_id, t->addr, t->why};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        for (const unsigned char *p = (const unsigned char *)fields[i];; p++) {
            h = (h ^ *p) * 1099511628211ull;
            if (!*p)
                break;
        }
    return h;
}

static bool tally_same(const tally *x, const tally *y)
{
    return strcmp(x->action, y->action) == 0 && strcmp(x->entity_type, y->entity_type) == 0 &&
           strcmp(x->entity_id, y->entity_id) == 0 && strcmp(x->addr, y->addr) == 0 &&
           strcmp(x->why, y->why) == 0;
}

/* Add `t` (its count and times) to the table; tally_lock held. A key that
 * does not fit any more is counted under the address "(many)", for which
 * room is always kept. */
static void tally_add_locked(gw_auth *a, tally *t)
{
    for (int pass = 0; pass < 2; pass++) {
        size_t i = (size_t)(tally_hash(t) % TALLY_SLOTS);
        for (size_t probe = 0; probe < TALLY_SLOTS; probe++, i = (i + 1) % TALLY_SLOTS) {
            tally *slot = &a->tallies[i];
            if (slot->count == 0) {
                if (pass == 0 && a->n_tallies >= GW_AUDIT_KEYS)
                    break; /* full: fold into "(many)" */
                *slot = *t;
                a->n_tallies++;
                return;
            }
            if (tally_same(slot, t)) {
                slot->count += t->count;
                slot->first_ms = t->first_ms < slot->first_ms ? t->first_ms : slot->first_ms;
                slot->last_ms = t->last_ms > slot->last_ms ? t->last_ms : slot->last_ms;
                return;
            }
        }
        snprintf(t->addr, sizeof(t->addr), "(many)");
        snprintf(t->entity_id, sizeof(t->entity_id), "(many)");
    }
}

static void tally_note(gw_auth *a, const char *action, const char *entity_type,
                       const char *entity_id, const char *addr_key, const char *why)
{
    tally t;
    memset(&t, 0, sizeof(t));
    snprintf(t.action, sizeof(t.action), "%s", action);
    snprintf(t.entity_type, sizeof(t.entity_type), "%s", entity_type);
    snprintf(t.entity_id, sizeof(t.entity_id), "%s", entity_id ? entity_id : "");
    snprintf(t.addr, sizeof(t.addr), "%s", addr_key ? addr_key : "");
    snprintf(t.why, sizeof(t.why), "%s", why ? why : "");
    t.count = 1;
    t.first_ms = t.last_ms = sk_now_unix_ms();
    pthread_mutex_lock(&a->tally_lock);
    tally_add_locked(a, &t);
    pthread_mutex_unlock(&a->tally_lock);
}

static void iso_time(int64_t unix_ms, char *out, size_t cap)
{
    time_t t = (time_t)(unix_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char base[32];
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, cap, "%s.%03dZ", base, (int)(unix_ms % 1000));
}

static int write_tallies(gw_auth *a, const tally *t, size_t n)
{
    sk_db *db = NULL;
    SK_TRY(sk_db_acquire(a->db, &db));
    int rc = sk_db_begin(db);
    for (size_t i = 0; rc == SK_OK && i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        char first[40], last[40];
        iso_time(t[i].first_ms, first, sizeof(first));
        iso_time(t[i].last_ms, last, sizeof(last));
        if (o) {
            cJSON_AddStringToObject(o, "why", t[i].why);
            cJSON_AddNumberToObject(o, "count", (double)t[i].count);
            cJSON_AddStringToObject(o, "first", first);
            cJSON_AddStringToObject(o, "last", last);
        }
        char *after = o ? cJSON_PrintUnformatted(o) : NULL;
        cJSON_Delete(o);
        Seklik__Bus__Actor actor;
        char *roles[GW_MAX_ROLES];
        audit_actor(&actor, roles, NULL, NULL, t[i].addr);
        rc = after ? audit(db, &actor, t[i].action, t[i].entity_type, t[i].entity_id, NULL, after)
                   : SK_ENOMEM;
        cJSON_free(after);
    }
    if (rc == SK_OK)
        rc = sk_db_commit(db);
    else
        sk_db_rollback(db);
    sk_db_release(db);
    return rc;
}

int gw_auth_flush_audit(gw_auth *a)
{
    pthread_mutex_lock(&a->tally_lock);
    size_t n = 0;
    tally *taken = a->n_tallies ? malloc(a->n_tallies * sizeof(tally)) : NULL;
    if (taken) {
        for (size_t i = 0; i < TALLY_SLOTS; i++)
            if (a->tallies[i].count > 0) {
                taken[n++] = a->tallies[i];
                a->tallies[i].count = 0;
            }
        a->n_tallies = 0;
    }
    bool had = a->n_tallies > 0; /* only when the copy could not be made */
    pthread_mutex_unlock(&a->tally_lock);
    if (had)
        return SK_ENOMEM;
    if (n == 0)
        return SK_OK;
    int rc = write_tallies(a, taken, n);
    if (rc != SK_OK) {
        /* Kept for the next write: the database may be back by then. */
        pthread_mutex_lock(&a->tally_lock);
        for (size_t i = 0; i < n; i++)
            tally_add_locked(a, &taken[i]);
        pthread_mutex_unlock(&a->tally_lock);
    }
    free(taken);
    return rc;
}

static void *flusher_main(void *arg)
{
    gw_auth *a = arg;
    pthread_mutex_lock(&a->tally_lock);
    while (!a->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += a->cfg.audit_flush_s;
        pthread_cond_timedwait(&a->tally_wake, &a->tally_lock, &ts);
        if (a->stopping)
            break;
        pthread_mutex_unlock(&a->tally_lock);
        int rc = gw_auth_flush_audit(a);
        if (rc != SK_OK)
            sk_log_warn("auth: cannot write counted refusals (kept for the next try): %s",
                        sk_strerror(rc));
        pthread_mutex_lock(&a->tally_lock);
    }
    pthread_mutex_unlock(&a->tally_lock);
    return NULL;
}

int gw_auth_audit_refusal(gw_auth *a, const gw_session *s, const char *remote_addr,
                          const char *what, const char *why)
{
    if (!s) {
        char addr_key[INET6_ADDRSTRLEN + 4];
        gw_throttle_addr_key(remote_addr, addr_key, sizeof(addr_key));
        tally_note(a, "request.refused", "request", what ? what : "", addr_key, why);
        return SK_OK;
    }
    char *after = json_object("why", why, NULL, NULL);
    if (!after)
        return SK_ENOMEM;
    Seklik__Bus__Actor actor;
    char *roles[GW_MAX_ROLES];
    audit_actor(&actor, roles, s, NULL, remote_addr);
    sk_db *db = NULL;
    int rc = sk_db_acquire(a->db, &db);
    if (rc == SK_OK) {
        rc = audit(db, &actor, "request.refused", "request", what ? what : "", NULL, after);
        sk_db_release(db);
    }
    cJSON_free(after);
    return rc;
}

/* ---- errors ---- */

static int fail(gw_auth_error *err, int code, const char *field, const char *message)
{
    if (err) {
        snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
        snprintf(err->message, sizeof(err->message), "%s", message ? message : "");
    }
    return code;
}

/* The wait is said in whole minutes, rounded up (a person does not count
 * 2788 seconds); Retry-After keeps the seconds for programs. The leading code
 * is what the UI translates (web/src/codes.js). */
static int throttled(gw_auth_error *err, int retry_after_s)
{
    char msg[160];
    int minutes = gw_wait_minutes(retry_after_s);
    snprintf(msg, sizeof(msg), "auth.throttled: too many attempts; try again in %d minute%s",
             minutes, minutes == 1 ? "" : "s");
    if (err)
        err->retry_after_s = retry_after_s;
    return fail(err, SK_EEXHAUSTED, "", msg);
}

static const char WRONG_LOGIN[] = "auth.wrong_login: wrong username or password";

static int busy(gw_auth_error *err)
{
    if (err)
        err->retry_after_s = 1;
    return fail(err, SK_EUNAVAIL, "", "server.busy: the server is busy; try again shortly");
}

/* ---- sessions ---- */

static void session_from_user(const gw_user *u, gw_session *s)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->user_id, sizeof(s->user_id), "%s", u->id);
    snprintf(s->username, sizeof(s->username), "%s", u->username);
    snprintf(s->display_name, sizeof(s->display_name), "%s", u->display_name);
    snprintf(s->company_id, sizeof(s->company_id), "%s", u->company_id);
    for (size_t i = 0; i < u->n_roles && i < GW_MAX_ROLES; i++)
        snprintf(s->roles[i], sizeof(s->roles[i]), "%s", u->roles[i]);
    s->n_roles = u->n_roles < GW_MAX_ROLES ? u->n_roles : GW_MAX_ROLES;
    snprintf(s->locale, sizeof(s->locale), "%s", u->locale[0] ? u->locale : "id");
}

/* Insert a new session for `s`'s user inside the open transaction on `db`;
 * fills token, csrf_token and expiry. */
static int open_session(gw_auth *a, sk_db *db, const char *remote_addr, gw_session *s)
{
    new_token(s->token, sizeof(s->token));
    new_token(s->csrf_token, sizeof(s->csrf_token));
    uint8_t hash[GW_TOKEN_HASH_BYTES];
    token_hash(s->token, hash);
    return gw_store_insert_session(db, hash, s->csrf_token, s->user_id, a->cfg.session_ttl_s,
                                   a->cfg.session_max_s, remote_addr, s);
}

/* ---- login ---- */

static bool blank(const char *s)
{
    return !s || s[strspn(s, " \t\r\n")] == '\0';
}

/* Count the failures for `name` from `addr_key` and, unless throttled,
 * reserve this attempt as one more, as one step under the keys' advisory
 * locks. SK_OK with *id; SK_EEXHAUSTED (audited, counted) with `err` set. */
static int reserve_attempt(gw_auth *a, const char *name, const char *addr_key,
                           const char *action, int64_t *id, gw_auth_error *err)
{
    sk_db *db = NULL;
    SK_TRY(sk_db_acquire(a->db, &db));
    gw_login_counts c;
    int retry = 0;
    gw_login_verdict v = GW_LOGIN_ALLOWED;
    int rc = sk_db_begin(db);
    if (rc == SK_OK)
        rc = gw_store_lock_login(db, name, addr_key);
    if (rc == SK_OK)
        rc = gw_store_login_counts(db, name, addr_key, a->cfg.throttle_window_s, &c);
    if (rc == SK_OK) {
        v = gw_login_throttle(&c, a->cfg.throttle_max_failures, a->cfg.throttle_window_s, &retry);
        if (v == GW_LOGIN_ALLOWED)
            rc = gw_store_reserve_login(db, name, addr_key, id);
    }
    if (rc == SK_OK)
        rc = sk_db_commit(db);
    else
        sk_db_rollback(db);
    sk_db_release(db);
    if (rc != SK_OK)
        return rc;
    if (v == GW_LOGIN_ALLOWED)
        return SK_OK;
    tally_note(a, action, "user", name, addr_key, gw_login_verdict_name(v));
    return throttled(err, retry);
}

int gw_auth_login(gw_auth *a, const char *username, const char *password,
                  const char *remote_addr, gw_session *out, gw_auth_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
    if (blank(username))
        return fail(err, SK_EINVAL, "username", gw_problem_message(GW_MISSING));
    if (!password || !password[0])
        return fail(err, SK_EINVAL, "password", gw_problem_message(GW_MISSING));
    if (!remote_addr)
        remote_addr = "";
    /* A name that breaks the rules is simply one nobody has: same answer. */
    char name[GW_USERNAME_MAX + 8];
    gw_username_normalize(username, name, sizeof(name));
    char addr_key[INET6_ADDRSTRLEN + 4];
    gw_throttle_addr_key(remote_addr, addr_key, sizeof(addr_key));
    if (!gate_enter(a))
        return busy(err);

    int64_t attempt = 0;
    int rc = reserve_attempt(a, name, addr_key, "auth.login.throttled", &attempt, err);
    gw_user u;
    bool found = false;
    sk_db *db = NULL;
    if (rc == SK_OK)
        rc = sk_db_acquire(a->db, &db);
    if (rc == SK_OK) {
        rc = gw_store_user_by_username(db, name, &u);
        found = rc == SK_OK;
        if (rc == SK_ENOTFOUND)
            rc = SK_OK;
        sk_db_release(db);
    }
    if (rc != SK_OK) {
        gate_leave(a);
        return rc;
    }

    /* No connection held while Argon2 runs. */
    bool verified = gated_verify(a, found ? u.password_hash : a->dummy_hash, password);
    bool ok = found && verified && !u.disabled;

    rc = sk_db_acquire(a->db, &db);
    if (rc != SK_OK) {
        gate_leave(a);
        return rc;
    }
    rc = sk_db_begin(db);
    Seklik__Bus__Actor actor;
    char *roles[GW_MAX_ROLES];
    if (ok) {
        session_from_user(&u, out);
        audit_actor(&actor, roles, out, NULL, remote_addr);
        if (rc == SK_OK)
            rc = gw_store_login_succeeded(db, attempt, name, addr_key);
        if (rc == SK_OK)
            rc = gw_store_touch_login(db, u.id);
        if (rc == SK_OK)
            rc = open_session(a, db, remote_addr, out);
        if (rc == SK_OK)
            rc = audit(db, &actor, "auth.login", "user", u.id, NULL, NULL);
    } else {
        /* The reservation stays: it was counted as this failure already. */
        audit_actor(&actor, roles, NULL, NULL, remote_addr);
        const char *why = !found ? "unknown username" : !verified ? "wrong password" : "disabled";
        char *after = json_object("username", name, "why", why);
        if (rc == SK_OK)
            rc = after ? audit(db, &actor, "auth.login.failed", "user", found ? u.id : name, NULL,
                               after)
                       : SK_ENOMEM;
        cJSON_free(after);
    }
    if (rc == SK_OK)
        rc = sk_db_commit(db);
    else
        sk_db_rollback(db);

    /* Hashes made with weaker parameters than today's are replaced on the way. */
    if (rc == SK_OK && ok &&
        crypto_pwhash_str_needs_rehash(u.password_hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                       crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        char fresh[crypto_pwhash_STRBYTES];
        if (gated_hash(a, password, fresh) == SK_OK)
            gw_store_set_password(db, u.id, fresh);
    }
    sk_db_release(db);
    gate_leave(a);
    if (found)
        sodium_memzero(u.password_hash, sizeof(u.password_hash));
    if (rc != SK_OK) {
        if (ok)
            memset(out, 0, sizeof(*out));
        return rc;
    }
    return ok ? SK_OK : fail(err, SK_EAUTH, "", WRONG_LOGIN);
}

/* ---- sign-up ---- */

/* Under the address's lock: a taken name is answered (and counted as
 * taken) at once; a free one reserves a created account (*id). */
static int reserve_signup(gw_auth *a, const char *name, const char *addr_key, int64_t *id,
                          gw_auth_error *err)
{
    sk_db *db = NULL;
    SK_TRY(sk_db_acquire(a->db, &db));
    int64_t created = 0, created_age = 0, taken_n = 0, taken_age = 0;
    bool taken = false;
    int retry = 0, verdict = SK_OK;
    int rc = sk_db_begin(db);
    if (rc == SK_OK)
        rc = gw_store_lock_signup(db, addr_key);
    if (rc == SK_OK)
        rc = gw_store_signup_counts(db, addr_key, GW_SIGNUP_WINDOW_S, &created, &created_age,
                                    &taken_n, &taken_age);
    if (rc == SK_OK)
        rc = gw_store_username_taken(db, name, &taken);
    if (rc == SK_OK) {
        if (gw_throttle_refuse(taken ? taken_n : created, taken ? taken_age : created_age,
                               taken ? a->cfg.signup_taken_max : a->cfg.signup_max,
                               GW_SIGNUP_WINDOW_S, &retry))
            verdict = SK_EEXHAUSTED;
        else if (taken)
            verdict = SK_EEXISTS;
        if (verdict != SK_EEXHAUSTED)
            rc = gw_store_record_signup(db, addr_key, !taken, id);
    }
    if (rc == SK_OK)
        rc = sk_db_commit(db);
    else
        sk_db_rollback(db);
    sk_db_release(db);
    if (rc != SK_OK)
        return rc;
    if (verdict == SK_EEXHAUSTED) {
        tally_note(a, "auth.signup.throttled", "user", name, addr_key,
                   taken ? "taken names" : "accounts created");
        return throttled(err, retry);
    }
    if (verdict == SK_EEXISTS)
        return fail(err, SK_EEXISTS, "username", "username.taken: the username is already taken");
    return SK_OK;
}

/* A reserved sign-up that created nothing gives its place back. */
static void drop_signup(gw_auth *a, int64_t attempt)
{
    sk_db *db = NULL;
    if (sk_db_acquire(a->db, &db) != SK_OK)
        return;
    gw_store_signup_outcome(db, attempt, true);
    sk_db_release(db);
}

int gw_auth_signup(gw_auth *a, const char *username, const char *password,
                   const char *display_name, const char *remote_addr, gw_session *out,
                   gw_auth_error *err)
{
    return gw_auth_signup_email(a, username, password, display_name, NULL, remote_addr, out, err);
}

static const char EMAIL_TAKEN[] = "email.taken: the address belongs to another account";

int gw_auth_signup_email(gw_auth *a, const char *username, const char *password,
                         const char *display_name, const char *email, const char *remote_addr,
                         gw_session *out, gw_auth_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
    if (!remote_addr)
        remote_addr = "";
    gw_user u;
    memset(&u, 0, sizeof(u));
    gw_problem p = gw_username_normalize(username, u.username, sizeof(u.username));
    if (p != GW_OK)
        return fail(err, SK_EINVAL, "username", gw_problem_message(p));
    p = gw_display_name_check(display_name);
    if (p != GW_OK)
        return fail(err, SK_EINVAL, "displayName", gw_problem_message(p));
    p = gw_password_check(password, u.username);
    if (p != GW_OK)
        return fail(err, SK_EINVAL, "password", gw_problem_message(p));
    p = gw_email_normalize(email, u.email, sizeof(u.email));
    if (p != GW_OK)
        return fail(err, SK_EINVAL, "email", gw_problem_message(p));
    gw_trim_copy(display_name, u.display_name, sizeof(u.display_name));
    snprintf(u.roles[0], sizeof(u.roles[0]), "%s", SK_ROLE_PARTNER);
    u.n_roles = 1;
    snprintf(u.locale, sizeof(u.locale), "id");
    sk_uuid7(u.id);
    char addr_key[INET6_ADDRSTRLEN + 4];
    gw_throttle_addr_key(remote_addr, addr_key, sizeof(addr_key));
    if (!gate_enter(a))
        return busy(err);

    int64_t attempt = 0;
    int rc = reserve_signup(a, u.username, addr_key, &attempt, err);
    if (rc != SK_OK) {
        gate_leave(a);
        return rc;
    }
    rc = gated_hash(a, password, u.password_hash);
    gate_leave(a);
    sk_db *db = NULL;
    if (rc == SK_OK)
        rc = sk_db_acquire(a->db, &db);
    if (rc != SK_OK) {
        drop_signup(a, attempt);
        return rc;
    }
    rc = sk_db_begin(db);
    bool email_taken = false;
    if (rc == SK_OK && u.email[0])
        rc = gw_store_email_taken(db, u.email, "", &email_taken);
    if (rc == SK_OK && email_taken) {
        sk_db_rollback(db);
        gw_store_signup_outcome(db, attempt, true);
        sk_db_release(db);
        return fail(err, SK_EEXISTS, "email", EMAIL_TAKEN);
    }
    if (rc == SK_OK)
        rc = gw_store_insert_user(db, &u);
    if (rc == SK_EEXISTS) {
        /* Taken between the reservation and now: it counts as taken. */
        sk_db_rollback(db);
        gw_store_signup_outcome(db, attempt, false);
        sk_db_release(db);
        return fail(err, SK_EEXISTS, "username", "username.taken: the username is already taken");
    }
    session_from_user(&u, out);
    Seklik__Bus__Actor actor;
    char *roles[GW_MAX_ROLES];
    audit_actor(&actor, roles, out, NULL, remote_addr);
    char *after = rc == SK_OK ? gw_user_json(&u) : NULL;
    if (rc == SK_OK && !after)
        rc = SK_ENOMEM;
    if (rc == SK_OK)
        rc = gw_store_touch_login(db, u.id);
    if (rc == SK_OK)
        rc = gw_store_remember_address(db, u.username, addr_key);
    if (rc == SK_OK)
        rc = open_session(a, db, remote_addr, out);
    if (rc == SK_OK)
        rc = audit(db, &actor, "auth.signup", "user", u.id, NULL, after);
    if (rc == SK_OK)
        rc = gw_emit_user(db, "gateway.user.created", &u, &actor, NULL);
    cJSON_free(after);
    if (rc == SK_OK)
        rc = sk_db_commit(db);
    else
        sk_db_rollback(db);
    if (rc != SK_OK)
        gw_store_signup_outcome(db, attempt, true); /* nothing was created */
    sk_db_release(db);
    sodium_memzero(u.password_hash, sizeof(u.password_hash));
    if (rc != SK_OK) {
        memset(out, 0, sizeof(*out));
        return rc;
    }
    return SK_OK;
}

/* ---- resolve, logout ---- */

int gw_auth_resolve(gw_auth *a, const char *token, gw_session *out)
{
    if (!token_shape_ok(token))
        return SK_EAUTH;
    uint8_t hash[GW_TOKEN_HASH_BYTES];
    token_hash(token, hash);
    char key[96];
    cache_key(hash, key, sizeof(key));
    load_ctx ctx = {a, hash};
    int ttl = a->cfg.session_ttl_s < CACHE_TTL_MAX_S ? a->cfg.session_ttl_s : CACHE_TTL_MAX_S;

    uint8_t *val = NULL;
    size_t len = 0;
    int rc = a->cache ? sk_cache_get_or_load(a->cache, key, ttl, load_session, &ctx, &val, &len)
                      : load_session(&ctx, &val, &len);
    if (rc == SK_OK && !session_parse(val, len, out)) {
        /* Not a value this code wrote: drop it and ask PostgreSQL. */
        free(val);
        val = NULL;
        forget_one(a, hash);
        rc = load_session(&ctx, &val, &len);
        if (rc == SK_OK && !session_parse(val, len, out))
            rc = SK_EINTERNAL;
    }
    free(val);
    if (rc == SK_ENOTFOUND)
        return SK_EAUTH;
    if (rc != SK_OK)
        return rc;

    /* Idle or past its absolute end: a Redis copy is believed no further
     * than PostgreSQL would be. */
    int64_t now = sk_now_unix_ms();
    if (out->expires_unix_ms <= now || out->absolute_unix_ms <= now) {
        forget_one(a, hash);
        memset(out, 0, sizeof(*out));
        return SK_EAUTH;
    }
    out->renewed = false;
    if (gw_session_needs_renewal((out->expires_unix_ms - now) / 1000, a->cfg.session_ttl_s,
                                 (out->absolute_unix_ms - now) / 1000)) {
        sk_db *db = NULL;
        rc = sk_db_acquire(a->db, &db);
        if (rc == SK_OK) {
            rc = gw_store_renew_session(db, hash, a->cfg.session_ttl_s, a->cfg.session_max_s,
                                        &out->expires_unix_ms);
            sk_db_release(db);
        }
        forget_one(a, hash); /* the next read refills with the new expiry */
        if (rc == SK_ENOTFOUND) {
            memset(out, 0, sizeof(*out));
            return SK_EAUTH; /* logged out meanwhile */
        }
        if (rc != SK_OK) {
            memset(out, 0, sizeof(*out));
            return rc;
        }
        out->renewed = true;
    }
    snprintf(out->token, sizeof(out->token), "%s", token);
    return SK_OK;
}

int gw_auth_logout(gw_auth *a, const char *token)
{
    if (!token_shape_ok(token))
        return SK_OK; /* no such session: nothing to end */
    uint8_t hash[GW_TOKEN_HASH_BYTES];
    token_hash(token, hash);
    sk_db *db = NULL;
    SK_TRY(sk_db_acquire(a->db, &db));
    char user_id[40] = "";
    int rc = sk_db_begin(db);
    if (rc == SK_OK)
        rc = gw_store_delete_session(db, hash, user_id);
    if (rc == SK_OK) {
        Seklik__Bus__Actor actor;
        char *roles[GW_MAX_ROLES];
        audit_actor(&actor, roles, NULL, user_id, NULL);
        rc = audit(db, &actor, "auth.logout", "user", user_id, NULL, NULL);
    } else if (rc == SK_ENOTFOUND) {
        rc = SK_OK;
    }
    if (rc == SK_OK)
        rc = sk_db_commit(db);
    else
        sk_db_rollback(db);
    sk_db_release(db);
    forget_one(a, hash);
    return rc;
}

/* ---- a user's own password ---- */

int gw_auth_change_password(gw_auth *a, const gw_session *s, const char *current_password,
                            const char *new_password, const char *remote_addr,
                            gw_auth_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
    if (!s || !s->user_id[0])
        return SK_EAUTH;
    if (!current_password || !current_password[0])
        return fail(err, SK_EINVAL, "currentPassword", gw_problem_message(GW_MISSING));
    gw_problem p = gw_password_check(new_password, s->username);
    if (p != GW_OK)
        return fail(err, SK_EINVAL, "newPassword", gw_problem_message(p));
    if (strcmp(new_password, current_password) == 0)
        return fail(err, SK_EINVAL, "newPassword",
                    "password.unchanged: the new password must differ from the current one");
    if (!remote_addr)
        remote_addr = "";
    char addr_key[INET6_ADDRSTRLEN + 4];
    gw_throttle_addr_key(remote_addr, addr_key, sizeof(addr_key));
    if (!gate_enter(a))
        return busy(err);

    /* A wrong current password is a failed login of this username. */
    int64_t attempt = 0;
    int rc = reserve_attempt(a, s->username, addr_key, "user.change_password.throttled",
                             &attempt, err);
    gw_user u;
    bool found = false;
    sk_db *db = NULL;
    if (rc == SK_OK)
        rc = sk_db_acquire(a->db, &db);
    if (rc == SK_OK) {
        rc = gw_store_user_by_id(db, s->user_id, false, &u);
        found = rc == SK_OK;
        sk_db_release(db);
        db = NULL;
    }
    if (rc == SK_OK && u.disabled)
        rc = SK_EPERM;
    bool verified = rc == SK_OK && gated_verify(a, u.password_hash, current_password);
    char fresh[crypto_pwhash_STRBYTES];
    if (verified)
        rc = gated_hash(a, new_password, fresh);
    gate_leave(a);
    if (found)
        sodium_memzero(u.password_hash, sizeof(u.password_hash));
    if (rc != SK_OK)
        return rc == SK_ENOTFOUND ? SK_EAUTH : rc;

    uint8_t keep[GW_TOKEN_HASH_BYTES];
    token_hash(s->token, keep);
    uint8_t(*ended)[GW_TOKEN_HASH_BYTES] = NULL;
    size_t n_ended = 0;
    Seklik__Bus__Actor actor;
    char *roles[GW_MAX_ROLES];
    audit_actor(&actor, roles, s, NULL, remote_addr);
    SK_TRY(sk_db_acquire(a->db, &db));
    rc = sk_db_begin(db);
    if (verified) {
        if (rc == SK_OK)
            rc = gw_store_login_succeeded(db, attempt, s->username, addr_key);
        if (rc == SK_OK)
            rc = gw_store_set_password(db, s->user_id, fresh);
        /* Whoever else holds a session of this user is logged out; the
         * browser that changed the password stays in. */
        if (rc == SK_OK)
            rc = gw_store_end_other_sessions(db, s->user_id, s->token[0] ? keep : NULL, &ended,
                                             &n_ended);
        char count[24];
        snprintf(count, sizeof(count), "%zu", n_ended);
        char *after = json_object("otherSessionsEnded", count, NULL, NULL);
        if (rc == SK_OK)
            rc = after ? audit(db, &actor, "user.change_password", "user", s->user_id, NULL, after)
                       : SK_ENOMEM;
        cJSON_free(after);
    } else {
        /* The reservation stays as this failure. */
        char *after = json_object("why", "wrong current password", NULL, NULL);
        if (rc == SK_OK)
            rc = after ? audit(db, &actor, "user.change_password.failed", "user", s->user_id,
                               NULL, after)
                       : SK_ENOMEM;
        cJSON_free(after);
    }
    if (rc == SK_OK && verified) /* and again after the commit (sk_cache_invalidate) */
        gw_auth_forget_sessions(a->cache, (const uint8_t(*)[32])ended, n_ended);
    if (rc == SK_OK)
        rc = sk_db_commit(db);
    else
        sk_db_rollback(db);
    sk_db_release(db);
    sodium_memzero(fresh, sizeof(fresh));
    if (rc == SK_OK && verified)
        gw_auth_forget_sessions(a->cache, (const uint8_t(*)[32])ended, n_ended);
    free(ended);
    if (rc != SK_OK)
        return rc;
    return verified ? SK_OK
                    : fail(err, SK_EINVAL, "currentPassword",
                           "password.wrong: the current password is wrong");
}

bool gw_auth_csrf_ok(const gw_session *s, const char *header_value)
{
    if (!s || !header_value || !s->csrf_token[0])
        return false;
    size_t n = strlen(s->csrf_token);
    if (strlen(header_value) != n) /* the length is no secret: all tokens have one */
        return false;
    return sodium_memcmp(s->csrf_token, header_value, n) == 0;
}

/* ---- company binding ---- */

int gw_auth_bind_company(gw_auth *a, gw_session *s, const char *company_id)
{
    if (!s || !s->user_id[0])
        return SK_EAUTH;
    if (!company_id || !sk_uuid_valid(company_id))
        return SK_EINVAL;
    if (s->n_roles != 1 || strcmp(s->roles[0], SK_ROLE_PARTNER) != 0 || s->company_id[0])
        return SK_EPRECOND;
    char id[SK_UUID_STRLEN];
    snprintf(id, sizeof(id), "%s", company_id);
    for (char *p = id; *p; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');

    sk_db *db = NULL;
    SK_TRY(sk_db_acquire(a->db, &db));
    int rc = sk_db_begin(db);
    if (rc == SK_OK)
        rc = gw_store_bind_company(db, s->user_id, id);
    if (rc == SK_OK) {
        Seklik__Bus__Actor actor;
        char *roles[GW_MAX_ROLES];
        audit_actor(&actor, roles, s, NULL, NULL);
        char *before = json_object("companyId", "", NULL, NULL);
        char *after = json_object("companyId", id, NULL, NULL);
        rc = before && after
                 ? audit(db, &actor, "user.bind_company", "user", s->user_id, before, after)
                 : SK_ENOMEM;
        cJSON_free(before);
        cJSON_free(after);
        /* Which company's notices reach the account follows its binding. */
        gw_user u;
        if (rc == SK_OK)
            rc = gw_store_user_by_id(db, s->user_id, false, &u);
        if (rc == SK_OK) {
            sodium_memzero(u.password_hash, sizeof(u.password_hash));
            rc = gw_emit_user(db, "gateway.user.updated", &u, &actor, NULL);
        }
    }
    /* Before the commit as well: its fence covers a crash right after it. */
    if (rc == SK_OK)
        forget_user_sessions(a, db, s->user_id);
    if (rc == SK_OK)
        rc = sk_db_commit(db);
    else
        sk_db_rollback(db);
    if (rc == SK_OK)
        forget_user_sessions(a, db, s->user_id);
    sk_db_release(db);
    if (rc == SK_OK)
        snprintf(s->company_id, sizeof(s->company_id), "%s", id);
    return rc;
}

/* ---- the actor, the cookie, refusals ---- */

void gw_auth_actor(const gw_session *s, const char *remote_addr, char **roles_buf,
                   Seklik__Bus__Actor *actor)
{
    seklik__bus__actor__init(actor);
    if (s) {
        actor->user_id = (char *)s->user_id;
        size_t n = s->n_roles < GW_MAX_ROLES ? s->n_roles : GW_MAX_ROLES;
        for (size_t i = 0; i < n; i++)
            roles_buf[i] = (char *)s->roles[i];
        actor->roles = roles_buf;
        actor->n_roles = n;
        actor->company_id = (char *)s->company_id;
    }
    actor->remote_addr = (char *)(remote_addr ? remote_addr : "");
}

void gw_auth_cookie(const gw_auth *a, const gw_session *s, char *out, size_t cap)
{
    const char *secure = a->cfg.cookie_secure ? "; Secure" : "";
    /* The browser keeps it no longer than the server would. */
    int64_t max_age = a->cfg.session_ttl_s;
    if (s && s->absolute_unix_ms) {
        int64_t left = (s->absolute_unix_ms - sk_now_unix_ms()) / 1000;
        max_age = left < max_age ? (left > 0 ? left : 0) : max_age;
    }
    if (s)
        snprintf(out, cap, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
                 GW_SESSION_COOKIE, s->token, (long long)max_age, secure);
    else
        snprintf(out, cap, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
                 GW_SESSION_COOKIE, secure);
}

/* ---- admission ---- */

int gw_auth_admit(gw_auth *a, const gw_admission *q, gw_admitted *out)
{
    memset(out, 0, sizeof(*out));
    const char *what = q->what ? q->what : "request";
    int rc = q->cookie && q->cookie[0] ? gw_auth_resolve(a, q->cookie, &out->session) : SK_EAUTH;
    if (rc != SK_OK && rc != SK_EAUTH) {
        sk_log_warn("auth: cannot resolve a session: %s", sk_strerror(rc));
        memset(out, 0, sizeof(*out));
        return SK_EUNAVAIL;
    }
    if (rc == SK_EAUTH) {
        if (!q->quiet)
            gw_auth_audit_refusal(a, NULL, q->remote_addr, what, "unauthenticated");
        return SK_EAUTH;
    }
    gw_auth_actor(&out->session, q->remote_addr, out->roles, &out->actor);
    if (q->need_csrf && !gw_auth_csrf_ok(&out->session, q->csrf ? q->csrf : "")) {
        rc = gw_auth_audit_refusal(a, &out->session, q->remote_addr, what,
                                   "CSRF token missing or wrong");
        if (rc != SK_OK)
            sk_log_warn("auth: cannot audit the refusal of %s for %s: %s", what,
                        out->session.user_id, sk_strerror(rc));
        return SK_EPERM;
    }
    return SK_OK;
}

/* ---- events ---- */

int gw_emit_user(sk_db *db, const char *type, const struct gw_user *u,
                 const Seklik__Bus__Actor *actor, const char *correlation_id)
{
    Seklik__Gateway__User m = SEKLIK__GATEWAY__USER__INIT;
    char *roles[GW_MAX_ROLES];
    m.id = (char *)u->id;
    m.username = (char *)u->username;
    m.display_name = (char *)u->display_name;
    m.n_roles = u->n_roles < GW_MAX_ROLES ? u->n_roles : GW_MAX_ROLES;
    for (size_t i = 0; i < m.n_roles; i++)
        roles[i] = (char *)u->roles[i];
    m.roles = roles;
    m.company_id = (char *)u->company_id;
    m.disabled = u->disabled;
    m.locale = (char *)u->locale;
    m.created_unix_ms = u->created_unix_ms;
    m.last_login_unix_ms = u->last_login_unix_ms;
    m.version = u->version;
    m.email = (char *)u->email;
    SK_TRY(sk_outbox_append(db, type, &m.base, actor, correlation_id, NULL));
    return gw_store_mark_announced(db, u->id, u->version);
}

/* ---- the reset mail thread ---- */

static void *mailer_main(void *arg)
{
    gw_auth *a = arg;
    pthread_mutex_lock(&a->mail_lock);
    while (!a->mail_stopping) {
        if (a->mail_n == 0) {
            pthread_cond_wait(&a->mail_wake, &a->mail_lock);
            continue;
        }
        gw_reset_mail m = a->mails[a->mail_head];
        sodium_memzero(&a->mails[a->mail_head], sizeof(m));
        a->mail_head = (a->mail_head + 1) % GW_RESET_MAIL_QUEUE;
        a->mail_n--;
        int rc = SK_EUNAVAIL;
        /* 0, 1, 3, 7 s: a distribution restarting is back within that. */
        for (int t = 0; t < GW_RESET_MAIL_TRIES && !a->mail_stopping; t++) {
            if (t > 0) {
                struct timespec ts;
                clock_gettime(CLOCK_MONOTONIC, &ts);
                ts.tv_sec += 1 << (t - 1);
                while (!a->mail_stopping &&
                       pthread_cond_timedwait(&a->mail_wake, &a->mail_lock, &ts) == 0)
                    ;
                if (a->mail_stopping)
                    break;
            }
            pthread_mutex_unlock(&a->mail_lock);
            rc = a->mail_fn(a->mail_arg, &m);
            pthread_mutex_lock(&a->mail_lock);
            if (rc == SK_OK || rc == SK_EINVAL || rc == SK_EPERM)
                break; /* sent, or refused for good: trying again changes nothing */
        }
        if (rc != SK_OK)
            sk_log_warn("auth: the reset e-mail for user %s could not be queued: %s", m.user_id,
                        sk_strerror(rc));
        sodium_memzero(&m, sizeof(m));
    }
    pthread_mutex_unlock(&a->mail_lock);
    return NULL;
}

int gw_auth_start_mailer(gw_auth *a, gw_reset_mail_fn fn, void *arg)
{
    if (a->mail_running)
        return SK_OK;
    a->mails = calloc(GW_RESET_MAIL_QUEUE, sizeof(gw_reset_mail));
    if (!a->mails)
        return SK_ENOMEM;
    a->mail_fn = fn;
    a->mail_arg = arg;
    a->mail_stopping = false;
    if (pthread_create(&a->mailer, NULL, mailer_main, a) != 0) {
        free(a->mails);
        a->mails = NULL;
        return SK_ENOMEM;
    }
    a->mail_running = true;
    return SK_OK;
}

void gw_auth_stop_mailer(gw_auth *a)
{
    if (!a || !a->mail_running)
        return;
    pthread_mutex_lock(&a->mail_lock);
    a->mail_stopping = true;
    pthread_cond_broadcast(&a->mail_wake);
    pthread_mutex_unlock(&a->mail_lock);
    pthread_join(a->mailer, NULL);
    a->mail_running = false;
    if (a->mail_n)
        sk_log_warn("auth: %zu reset e-mails not queued at shutdown", a->mail_n);
    sodium_memzero(a->mails, GW_RESET_MAIL_QUEUE * sizeof(gw_reset_mail));
    free(a->mails);
    a->mails = NULL;
    a->mail_n = a->mail_head = 0;
}

/* Queue `m` for the thread; false when there is none or no room. */
static bool mail_enqueue(gw_auth *a, const gw_reset_mail *m)
{
    bool queued = false;
    pthread_mutex_lock(&a->mail_lock);
    if (a->mail_running && !a->mail_stopping && a->mail_n < GW_RESET_MAIL_QUEUE) {
        a->mails[(a->mail_head + a->mail_n) % GW_RESET_MAIL_QUEUE] = *m;
        a->mail_n++;
        queued = true;
        pthread_cond_signal(&a->mail_wake);
    }
    pthread_mutex_unlock(&a->mail_lock);
    return queued;
}

/* ---- password resets ---- */

int gw_auth_reset_request(gw_auth *a, const char *account, const char *remote_addr,
                          gw_auth_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
    if (blank(account))
        return fail(err, SK_EINVAL, "account", gw_problem_message(GW_MISSING));
    if (strlen(account) > GW_EMAIL_MAX + 8)
        return fail(err, SK_EINVAL, "account",
                    "account.too_long: too long for a username or an e-mail address");
    if (!remote_addr)
        remote_addr = "";
    /* Looked up as both: a username may hold '@', and either finds it. */
    char name[GW_USERNAME_MAX + 8], email[GW_EMAIL_MAX + 1];
    gw_username_normalize(account, name, sizeof(name));
    if (gw_email_normalize(account, email, sizeof(email)) != GW_OK)
        email[0] = '\0';
    char addr_key[INET6_ADDRSTRLEN + 4];
    gw_throttle_addr_key(remote_addr, addr_key, sizeof(addr_key));

    gw_reset_mail mail;
    memset(&mail, 0, sizeof(mail));
    uint8_t hash[GW_TOKEN_HASH_BYTES];
    new_token(mail.token, sizeof(mail.token));
    token_hash(mail.token, hash);

    sk_db *db = NULL;
    SK_TRY(sk_db_acquire(a->db, &db));
    gw_user u;
    bool found = false;
    int rc = sk_db_begin(db);
    if (rc == SK_OK) {
        rc = gw_store_user_by_account(db, name, email, &u);
        found = rc == SK_OK;
        if (rc == SK_ENOTFOUND)
            rc = SK_OK;
    }
    if (found)
        sodium_memzero(u.password_hash, sizeof(u.password_hash));
    /* The account's limit counts e-mails to the user whatever name was
     * typed; an unknown name counts under itself. */
    char account_key[96];
    snprintf(account_key, sizeof(account_key), "%s%s", found ? "user:" : "name:",
             found ? u.id : (email[0] ? email : name));
    int64_t addr_n = 0, addr_age = 0, acct_n = 0, acct_age = 0;
    if (rc == SK_OK)
        rc = gw_store_lock_reset(db, addr_key, account_key);
    if (rc == SK_OK)
        rc = gw_store_reset_counts(db, addr_key, account_key, a->cfg.reset_window_s, &addr_n,
                                   &addr_age, &acct_n, &acct_age);
    int retry = 0;
    bool addr_refused = rc == SK_OK && gw_throttle_refuse(addr_n, addr_age,
                                                          a->cfg.reset_max_per_addr,
                                                          a->cfg.reset_window_s, &retry);
    int ignored = 0;
    bool account_over = rc == SK_OK && gw_throttle_refuse(acct_n, acct_age,
                                                          a->cfg.reset_max_per_account,
                                                          a->cfg.reset_window_s, &ignored);
    bool reaches = found && !u.disabled && u.email[0] && !account_over;
    const char *why = !found ? "unknown account" : u.disabled ? "disabled" : !u.email[0]
                                                       ? "no e-mail address"
                                                       : account_over ? "account throttled"
                                                                      : "sent";
    if (rc == SK_OK && !addr_refused)
        rc = gw_store_insert_reset(db, hash, reaches ? u.id : NULL, account_key, addr_key,
                                   a->cfg.reset_ttl_s);
    if (rc == SK_OK && !addr_refused) {
        Seklik__Bus__Actor actor;
        char *roles[GW_MAX_ROLES];
        audit_actor(&actor, roles, NULL, NULL, remote_addr);
        char *after = json_object("account", found ? u.username : name, "outcome", why);
        rc = after ? audit(db, &actor, account_over ? "auth.reset.throttled" : "auth.reset.requested",
                           "user", found ? u.id : name, NULL, after)
                   : SK_ENOMEM;
        cJSON_free(after);
    }
    if (rc == SK_OK)
        rc = sk_db_commit(db);
    else
        sk_db_rollback(db);
    sk_db_release(db);
    if (rc == SK_OK && addr_refused) {
        tally_note(a, "auth.reset.throttled", "user", name, addr_key, "address");
        sodium_memzero(&mail, sizeof(mail));
        return throttled(err, retry);
    }
    if (rc == SK_OK && reaches) {
        snprintf(mail.user_id, sizeof(mail.user_id), "%s", u.id);
        snprintf(mail.email, sizeof(mail.email), "%s", u.email);
        snprintf(mail.name, sizeof(mail.name), "%s", u.display_name);
        snprintf(mail.locale, sizeof(mail.locale), "%s", u.locale);
        mail.minutes = (a->cfg.reset_ttl_s + 59) / 60;
        sk_uuid7(mail.key);
        if (!mail_enqueue(a, &mail))
            sk_log_warn("auth: no room for the reset e-mail of user %s; not sent", u.id);
    }
    sodium_memzero(&mail, sizeof(mail));
    return rc;
}

/* A refused token: the field "token" and its stable code first. */
static int token_refused(gw_auth_error *err, gw_reset_verdict v)
{
    static const char *const WHY[] = {
        [GW_RESET_INVALID] = "token.invalid: the link is not valid",
        [GW_RESET_USED] = "token.used: the link was used already; ask for a new one",
        [GW_RESET_EXPIRED] = "token.expired: the link has expired; ask for a new one",
    };
    return fail(err, SK_EINVAL, "token", WHY[v]);
}

int gw_auth_reset_confirm(gw_auth *a, const char *user_id, const char *token,
                          const char *new_password, const char *remote_addr, gw_auth_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
    if (!remote_addr)
        remote_addr = "";
    if (!token_shape_ok(token) || !user_id || !sk_uuid_valid(user_id))
        return token_refused(err, GW_RESET_INVALID);
    char uid[SK_UUID_STRLEN];
    snprintf(uid, sizeof(uid), "%s", user_id);
    for (char *p = uid; *p; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    uint8_t hash[GW_TOKEN_HASH_BYTES];
    token_hash(token, hash);

    /* A token nobody was given, or a user who cannot log in, goes no
     * further: nothing is hashed for them. Whether it is this user's, unused
     * and unexpired is decided below, by the statement that uses it. */
    sk_db *db = NULL;
    SK_TRY(sk_db_acquire(a->db, &db));
    bool found = false, used = false, expired = false;
    char row_user[40] = "";
    gw_user u;
    bool have_user = false;
    int rc = gw_store_reset_row(db, hash, &found, row_user, &used, &expired);
    if (rc == SK_OK && found) {
        rc = gw_store_user_by_id(db, uid, false, &u);
        have_user = rc == SK_OK;
        if (rc == SK_ENOTFOUND)
            rc = SK_OK;
    }
    sk_db_release(db);
    db = NULL;
    if (have_user)
        sodium_memzero(u.password_hash, sizeof(u.password_hash));
    if (rc != SK_OK)
        return rc;
    if (!found || !have_user || u.disabled)
        return token_refused(err, GW_RESET_INVALID);
    gw_problem p = gw_password_check(new_password, u.username);
    if (p != GW_OK)
        return fail(err, SK_EINVAL, "newPassword", gw_problem_message(p));

    if (!gate_enter(a))
        return busy(err);
    char fresh[crypto_pwhash_STRBYTES];
    rc = gated_hash(a, new_password, fresh);
    gate_leave(a);
    if (rc != SK_OK)
        return rc;

    uint8_t(*ended)[GW_TOKEN_HASH_BYTES] = NULL;
    size_t n_ended = 0;
    bool used_now = false;
    SK_TRY(sk_db_acquire(a->db, &db));
    rc = sk_db_begin(db);
    if (rc == SK_OK)
        rc = gw_store_use_reset(db, hash, uid, &used_now);
    if (rc == SK_OK && used_now) {
        rc = gw_store_set_password(db, uid, fresh);
        /* Whoever holds a session of this account is logged out: the reset
         * may be because someone else has the old password. */
        if (rc == SK_OK)
            rc = gw_store_user_sessions(db, uid, true, &ended, &n_ended);
        Seklik__Bus__Actor actor;
        char *roles[GW_MAX_ROLES];
        audit_actor(&actor, roles, NULL, uid, remote_addr);
        char count[24];
        snprintf(count, sizeof(count), "%zu", n_ended);
        char *after = json_object("sessionsEnded", count, NULL, NULL);
        if (rc == SK_OK)
            rc = after ? audit(db, &actor, "auth.reset.confirmed", "user", uid, NULL, after)
                       : SK_ENOMEM;
        cJSON_free(after);
    }
    if (rc == SK_OK && used_now) /* and again after the commit (sk_cache_invalidate) */
        gw_auth_forget_sessions(a->cache, (const uint8_t(*)[32])ended, n_ended);
    if (rc == SK_OK && used_now)
        rc = sk_db_commit(db);
    else
        sk_db_rollback(db);
    gw_reset_verdict v = GW_RESET_VALID;
    if (rc == SK_OK && !used_now) {
        /* Why not: said only to the user the token was made for. */
        rc = gw_store_reset_row(db, hash, &found, row_user, &used, &expired);
        v = gw_reset_check(found, row_user, uid, used, expired);
        if (v == GW_RESET_VALID)
            v = GW_RESET_USED; /* used by a request that won the race */
    }
    sk_db_release(db);
    sodium_memzero(fresh, sizeof(fresh));
    if (rc == SK_OK && used_now)
        gw_auth_forget_sessions(a->cache, (const uint8_t(*)[32])ended, n_ended);
    free(ended);
    if (rc != SK_OK)
        return rc;
    return used_now ? SK_OK : token_refused(err, v);
}
