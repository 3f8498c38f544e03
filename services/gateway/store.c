/* store.c - SQL for the gateway schema (see store.h). */
#include "store.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"

#define MS(col) "(extract(epoch FROM " col ") * 1000)::bigint"

/* Roles travel as one comma separated parameter: role names are a fixed set
 * of plain words (the table's CHECK holds them to it), so no escaping. */
#define USER_COLS                                                                                  \
    "id::text, username, display_name, password_hash, array_to_string(roles, ','), "               \
    "coalesce(company_id::text, ''), disabled, locale, " MS("created_at") ", "                     \
    "coalesce(" MS("last_login_at") ", 0), version, email"

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* "a,b,c" into roles[]; unknown lengths cut to fit. */
static size_t split_roles(const char *s, char roles[][16], size_t max)
{
    size_t n = 0;
    while (*s && n < max) {
        size_t len = strcspn(s, ",");
        snprintf(roles[n++], 16, "%.*s", (int)(len < 15 ? len : 15), s);
        s += len;
        if (*s == ',')
            s++;
    }
    return n;
}

static void join_roles(char roles[][16], size_t n, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used < cap; i++)
        used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? "," : "", roles[i]);
}

static void read_user(const PGresult *r, int row, gw_user *u)
{
    memset(u, 0, sizeof(*u));
    copy(u->id, sizeof(u->id), PQgetvalue(r, row, 0));
    copy(u->username, sizeof(u->username), PQgetvalue(r, row, 1));
    copy(u->display_name, sizeof(u->display_name), PQgetvalue(r, row, 2));
    copy(u->password_hash, sizeof(u->password_hash), PQgetvalue(r, row, 3));
    u->n_roles = split_roles(PQgetvalue(r, row, 4), u->roles, GW_MAX_ROLES);
    copy(u->company_id, sizeof(u->company_id), PQgetvalue(r, row, 5));
    u->disabled = PQgetvalue(r, row, 6)[0] == 't';
    copy(u->locale, sizeof(u->locale), PQgetvalue(r, row, 7));
    u->created_unix_ms = sk_db_get_int64(r, row, 8);
    u->last_login_unix_ms = sk_db_get_int64(r, row, 9);
    u->version = sk_db_get_int64(r, row, 10);
    copy(u->email, sizeof(u->email), PQgetvalue(r, row, 11));
}

char *gw_user_json(const gw_user *u)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "id", u->id);
    cJSON_AddStringToObject(o, "username", u->username);
    cJSON_AddStringToObject(o, "displayName", u->display_name);
    cJSON *roles = cJSON_AddArrayToObject(o, "roles");
    for (size_t i = 0; roles && i < u->n_roles; i++)
        cJSON_AddItemToArray(roles, cJSON_CreateString(u->roles[i]));
    cJSON_AddStringToObject(o, "companyId", u->company_id);
    cJSON_AddBoolToObject(o, "disabled", u->disabled);
    cJSON_AddStringToObject(o, "locale", u->locale);
    cJSON_AddStringToObject(o, "email", u->email);
    cJSON_AddNumberToObject(o, "version", (double)u->version);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* ---- users ---- */

static int exec_one_row(sk_db *db, const char *sql, const sk_param *p, int n);

static int one_user(sk_db *db, const char *sql, const sk_param *p, int n, gw_user *out)
{
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, sql, p, n, &r));
    int rc = SK_ENOTFOUND;
    if (PQntuples(r) > 0) {
        read_user(r, 0, out);
        rc = SK_OK;
    }
    PQclear(r);
    return rc;
}

int gw_store_user_by_username(sk_db *db, const char *username, gw_user *out)
{
    static const char SQL[] = "SELECT " USER_COLS " FROM users WHERE username = $1";
    sk_param p[] = {SK_TEXT(username)};
    return one_user(db, SQL, p, 1, out);
}

int gw_store_user_by_id(sk_db *db, const char *id, bool for_update, gw_user *out)
{
    static const char SQL[] = "SELECT " USER_COLS " FROM users WHERE id = $1::uuid";
    static const char SQL_LOCK[] = "SELECT " USER_COLS " FROM users WHERE id = $1::uuid FOR UPDATE";
    sk_param p[] = {SK_TEXT(id)};
    return one_user(db, for_update ? SQL_LOCK : SQL, p, 1, out);
}

int gw_store_user_by_account(sk_db *db, const char *name, const char *email, gw_user *out)
{
    /* The username wins when a name is both someone's username and another's address. */
    static const char SQL[] =
        "SELECT " USER_COLS " FROM users WHERE username = $1 OR ($2 <> '' AND email <> '' AND "
        "lower(email) = lower($2)) ORDER BY (username = $1) DESC LIMIT 1";
    sk_param p[] = {SK_TEXT(name ? name : ""), SK_TEXT(email ? email : "")};
    return one_user(db, SQL, p, 2, out);
}

int gw_store_email_taken(sk_db *db, const char *email, const char *except_id, bool *taken)
{
    static const char SQL[] = "SELECT 1 FROM users WHERE email <> '' AND lower(email) = lower($1) "
                              "AND ($2 = '' OR id <> $2::uuid)";
    sk_param p[] = {SK_TEXT(email), SK_TEXT(except_id ? except_id : "")};
    int rc = exec_one_row(db, SQL, p, 2);
    if (rc != SK_OK && rc != SK_ENOTFOUND)
        return rc;
    *taken = rc == SK_OK;
    return SK_OK;
}

int gw_store_insert_user(sk_db *db, gw_user *u)
{
    static const char SQL[] =
        "INSERT INTO users (id, username, display_name, password_hash, roles, company_id, "
        "disabled, locale, email) VALUES ($1::uuid, $2, $3, $4, string_to_array($5, ','), "
        "nullif($6, '')::uuid, $7::boolean, $8, $9) RETURNING version, " MS("created_at");
    char roles[GW_MAX_ROLES * 17];
    join_roles(u->roles, u->n_roles, roles, sizeof(roles));
    sk_param p[] = {SK_TEXT(u->id),       SK_TEXT(u->username),
                    SK_TEXT(u->display_name), SK_TEXT(u->password_hash),
                    SK_TEXT(roles),       SK_TEXT(u->company_id),
                    SK_TEXT(u->disabled ? "true" : "false"),
                    SK_TEXT(u->locale[0] ? u->locale : "id"), SK_TEXT(u->email)};
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, p, 9, &r));
    u->version = sk_db_get_int64(r, 0, 0);
    u->created_unix_ms = sk_db_get_int64(r, 0, 1);
    u->last_login_unix_ms = 0;
    PQclear(r);
    return SK_OK;
}

int gw_store_update_user(sk_db *db, gw_user *u)
{
    static const char SQL[] =
        "UPDATE users SET display_name = $2, roles = string_to_array($3, ','), "
        "company_id = nullif($4, '')::uuid, disabled = $5::boolean, locale = $6, email = $7, "
        "version = version + 1, updated_at = now() WHERE id = $1::uuid RETURNING version";
    char roles[GW_MAX_ROLES * 17];
    join_roles(u->roles, u->n_roles, roles, sizeof(roles));
    sk_param p[] = {SK_TEXT(u->id),         SK_TEXT(u->display_name),
                    SK_TEXT(roles),         SK_TEXT(u->company_id),
                    SK_TEXT(u->disabled ? "true" : "false"), SK_TEXT(u->locale),
                    SK_TEXT(u->email)};
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, p, 7, &r));
    int rc = SK_ENOTFOUND;
    if (PQntuples(r) > 0) {
        u->version = sk_db_get_int64(r, 0, 0);
        rc = SK_OK;
    }
    PQclear(r);
    return rc;
}

static int exec_one_row(sk_db *db, const char *sql, const sk_param *p, int n)
{
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, sql, p, n, &r));
    int rc = PQntuples(r) > 0 ? SK_OK : SK_ENOTFOUND;
    PQclear(r);
    return rc;
}

int gw_store_set_password(sk_db *db, const char *id, const char *hash)
{
    static const char SQL[] = "UPDATE users SET password_hash = $2, version = version + 1, "
                              "updated_at = now() WHERE id = $1::uuid RETURNING 1";
    sk_param p[] = {SK_TEXT(id), SK_TEXT(hash)};
    return exec_one_row(db, SQL, p, 2);
}

int gw_store_bind_company(sk_db *db, const char *user_id, const char *company_id)
{
    static const char SQL[] =
        "UPDATE users SET company_id = $2::uuid, version = version + 1, updated_at = now() "
        "WHERE id = $1::uuid AND company_id IS NULL AND roles = ARRAY['partner']::text[] "
        "RETURNING 1";
    static const char SQL_EXISTS[] = "SELECT 1 FROM users WHERE id = $1::uuid";
    sk_param p[] = {SK_TEXT(user_id), SK_TEXT(company_id)};
    int rc = exec_one_row(db, SQL, p, 2);
    if (rc != SK_ENOTFOUND)
        return rc;
    rc = exec_one_row(db, SQL_EXISTS, p, 1);
    return rc == SK_OK ? SK_EPRECOND : rc;
}

int gw_store_list_users(sk_db *db, const char *query, const char *role, const char *after,
                        int limit, gw_user *out, size_t *n)
{
    /* The query text is a parameter matched with strpos: no LIKE wildcards to escape. */
    static const char SQL[] =
        "SELECT " USER_COLS " FROM users WHERE username > $1 "
        "AND ($2 = '' OR strpos(lower(username), lower($2)) > 0 "
        "     OR strpos(lower(display_name), lower($2)) > 0) "
        "AND ($3 = '' OR $3 = ANY (roles)) ORDER BY username LIMIT $4::int";
    char lim[16];
    snprintf(lim, sizeof(lim), "%d", limit);
    sk_param p[] = {SK_TEXT(after ? after : ""), SK_TEXT(query ? query : ""),
                    SK_TEXT(role ? role : ""), SK_TEXT(lim)};
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, p, 4, &r));
    size_t rows = (size_t)PQntuples(r);
    for (size_t i = 0; i < rows && i < (size_t)limit; i++)
        read_user(r, (int)i, &out[i]);
    *n = rows < (size_t)limit ? rows : (size_t)limit;
    PQclear(r);
    return SK_OK;
}

int gw_store_users_by_ids(sk_db *db, const char *ids_json, int limit, gw_user *out, size_t *n)
{
    /* Ids that are not UUIDs ("system", "seklikctl") match nothing, not an error. */
    static const char SQL[] =
        "SELECT " USER_COLS " FROM users WHERE id::text IN "
        "(SELECT lower(jsonb_array_elements_text($1::jsonb))) ORDER BY username LIMIT $2::int";
    char lim[16];
    snprintf(lim, sizeof(lim), "%d", limit);
    sk_param p[] = {SK_TEXT(ids_json), SK_TEXT(lim)};
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, p, 2, &r));
    size_t rows = (size_t)PQntuples(r);
    for (size_t i = 0; i < rows && i < (size_t)limit; i++)
        read_user(r, (int)i, &out[i]);
    *n = rows < (size_t)limit ? rows : (size_t)limit;
    PQclear(r);
    return SK_OK;
}

/* ---- login and sign-up attempts ---- */

/* hashtextextended is PostgreSQL's own string hash (11+); a collision only
 * makes two keys wait for each other. */
static int advisory_lock(sk_db *db, const char *ns, const char *key)
{
    static const char SQL[] = "SELECT pg_advisory_xact_lock(hashtextextended($1 || $2, 0))";
    sk_param p[] = {SK_TEXT(ns), SK_TEXT(key ? key : "")};
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, p, 2, &r));
    PQclear(r);
    return SK_OK;
}

int gw_store_lock_login(sk_db *db, const char *username, const char *addr)
{
    SK_TRY(advisory_lock(db, "gateway.login.user:", username));
    return advisory_lock(db, "gateway.login.addr:", addr);
}

int gw_store_login_counts(sk_db *db, const char *username, const char *addr, int window_s,
                          gw_login_counts *out)
{
    /* Failures after the last success of the same key, in the window. */
    static const char SQL[] =
        "WITH w AS (SELECT now() - make_interval(secs => $3::int) AS since), "
        "p AS (SELECT count(*) AS n, coalesce(extract(epoch FROM now() - min(at)), 0)::bigint AS "
        "age FROM login_attempts, w WHERE username = $1 AND remote_addr = $2 AND NOT ok "
        "AND at > w.since AND at > coalesce((SELECT max(at) FROM login_attempts WHERE "
        "username = $1 AND remote_addr = $2 AND ok), '-infinity')), "
        "u AS (SELECT count(*) AS n, coalesce(extract(epoch FROM now() - min(at)), 0)::bigint AS "
        "age FROM login_attempts, w WHERE username = $1 AND NOT ok AND at > w.since "
        "AND at > coalesce((SELECT max(at) FROM login_attempts WHERE username = $1 AND ok), "
        "'-infinity')), "
        "a AS (SELECT count(*) AS n, coalesce(extract(epoch FROM now() - min(at)), 0)::bigint AS "
        "age FROM login_attempts, w WHERE remote_addr = $2 AND NOT ok AND at > w.since), "
        "k AS (SELECT count(*) > 0 AS known FROM known_addresses WHERE username = $1 AND "
        "remote_addr = $2 AND last_ok_at > now() - make_interval(days => $4::int)) "
        "SELECT p.n, p.age, a.n, a.age, u.n, u.age, k.known FROM p, a, u, k";
    char win[16], days[16];
    snprintf(win, sizeof(win), "%d", window_s);
    snprintf(days, sizeof(days), "%d", GW_KNOWN_ADDR_DAYS);
    sk_param p[] = {SK_TEXT(username), SK_TEXT(addr ? addr : ""), SK_TEXT(win), SK_TEXT(days)};
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, p, 4, &r));
    out->pair_failures = sk_db_get_int64(r, 0, 0);
    out->pair_oldest_age_s = sk_db_get_int64(r, 0, 1);
    out->addr_failures = sk_db_get_int64(r, 0, 2);
    out->addr_oldest_age_s = sk_db_get_int64(r, 0, 3);
    out->user_failures = sk_db_get_int64(r, 0, 4);
    out->user_oldest_age_s = sk_db_get_int64(r, 0, 5);
    out->known_addr = PQgetvalue(r, 0, 6)[0] == 't';
    PQclear(r);
    return SK_OK;
}

int gw_store_reserve_login(sk_db *db, const char *username, const char *addr, int64_t *id)
{
    static const char SQL[] = "INSERT INTO login_attempts (username, remote_addr, ok) "
                              "VALUES ($1, $2, false) RETURNING id";
    sk_param p[] = {SK_TEXT(username), SK_TEXT(addr ? addr : "")};
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, p, 2, &r));
    *id = sk_db_get_int64(r, 0, 0);
    PQclear(r);
    return SK_OK;
}

int gw_store_remember_address(sk_db *db, const char *username, const char *addr)
{
    static const char SQL[] =
        "INSERT INTO known_addresses (username, remote_addr) VALUES ($1, $2) "
        "ON CONFLICT (username, remote_addr) DO UPDATE SET last_ok_at = now()";
    sk_param p[] = {SK_TEXT(username), SK_TEXT(addr ? addr : "")};
    return sk_db_exec(db, SQL, p, 2);
}

int gw_store_login_succeeded(sk_db *db, int64_t id, const char *username, const char *addr)
{
    static const char SQL[] = "UPDATE login_attempts SET ok = true WHERE id = $1::bigint";
    char idt[24];
    snprintf(idt, sizeof(idt), "%lld", (long long)id);
    sk_param p[] = {SK_TEXT(idt)};
    SK_TRY(sk_db_exec(db, SQL, p, 1));
    return gw_store_remember_address(db, username, addr);
}

int gw_store_touch_login(sk_db *db, const char *user_id)
{
    static const char SQL[] = "UPDATE users SET last_login_at = now() WHERE id = $1::uuid";
    sk_param p[] = {SK_TEXT(user_id)};
    return sk_db_exec(db, SQL, p, 1);
}

int gw_store_lock_signup(sk_db *db, const char *addr)
{
    return advisory_lock(db, "gateway.signup.addr:", addr);
}

int gw_store_signup_counts(sk_db *db, const char *addr, int window_s, int64_t *created,
                           int64_t *created_oldest_s, int64_t *taken, int64_t *taken_oldest_s)
{
    static const char SQL[] =
        "SELECT count(*) FILTER (WHERE ok), "
        "coalesce(extract(epoch FROM now() - min(at) FILTER (WHERE ok)), 0)::bigint, "
        "count(*) FILTER (WHERE NOT ok), "
        "coalesce(extract(epoch FROM now() - min(at) FILTER (WHERE NOT ok)), 0)::bigint "
        "FROM signup_attempts WHERE remote_addr = $1 AND at > now() - make_interval(secs => $2::int)";
    char win[16];
    snprintf(win, sizeof(win), "%d", window_s);
    sk_param p[] = {SK_TEXT(addr ? addr : ""), SK_TEXT(win)};
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, p, 2, &r));
    *created = sk_db_get_int64(r, 0, 0);
    *created_oldest_s = sk_db_get_int64(r, 0, 1);
    *taken = sk_db_get_int64(r, 0, 2);
    *taken_oldest_s = sk_db_get_int64(r, 0, 3);
    PQclear(r);
    return SK_OK;
}

int gw_store_record_signup(sk_db *db, const char *addr, bool ok, int64_t *id)
{
    static const char SQL[] =
        "INSERT INTO signup_attempts (remote_addr, ok) VALUES ($1, $2::boolean) RETURNING id";
    sk_param p[] = {SK_TEXT(addr ? addr : ""), SK_TEXT(ok ? "true" : "false")};
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, p, 2, &r));
    if (id)
        *id = sk_db_get_int64(r, 0, 0);
    PQclear(r);
    return SK_OK;
}

int gw_store_signup_outcome(sk_db *db, int64_t id, bool drop)
{
    static const char SQL_TAKEN[] = "UPDATE signup_attempts SET ok = false WHERE id = $1::bigint";
    static const char SQL_DROP[] = "DELETE FROM signup_attempts WHERE id = $1::bigint";
    char idt[24];
    snprintf(idt, sizeof(idt), "%lld", (long long)id);
    sk_param p[] = {SK_TEXT(idt)};
    return sk_db_exec(db, drop ? SQL_DROP : SQL_TAKEN, p, 1);
}

int gw_store_username_taken(sk_db *db, const char *username, bool *taken)
{
    static const char SQL[] = "SELECT 1 FROM users WHERE username = $1";
    sk_param p[] = {SK_TEXT(username)};
    int rc = exec_one_row(db, SQL, p, 1);
    if (rc != SK_OK && rc != SK_ENOTFOUND)
        return rc;
    *taken = rc == SK_OK;
    return SK_OK;
}

/* ---- telling the other services ---- */

int gw_store_mark_announced(sk_db *db, const char *id, int64_t version)
{
    static const char SQL[] = "UPDATE users SET announced_version = $2::bigint WHERE id = "
                              "$1::uuid AND announced_version < $2::bigint";
    char v[24];
    snprintf(v, sizeof(v), "%lld", (long long)version);
    sk_param p[] = {SK_TEXT(id), SK_TEXT(v)};
    return sk_db_exec(db, SQL, p, 2);
}

int gw_store_unannounced(sk_db *db, int limit, gw_user *out, size_t *n)
{
    static const char SQL[] = "SELECT " USER_COLS " FROM users WHERE announced_version < version "
                              "ORDER BY id LIMIT $1::int FOR UPDATE SKIP LOCKED";
    char lim[16];
    snprintf(lim, sizeof(lim), "%d", limit);
    sk_param p[] = {SK_TEXT(lim)};
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, p, 1, &r));
    size_t rows = (size_t)PQntuples(r);
    for (size_t i = 0; i < rows && i < (size_t)limit; i++)
        read_user(r, (int)i, &out[i]);
    *n = rows < (size_t)limit ? rows : (size_t)limit;
    PQclear(r);
    return SK_OK;
}

/* ---- password resets ---- */

int gw_store_lock_reset(sk_db *db, const char *addr, const char *account_key)
{
    SK_TRY(advisory_lock(db, "gateway.reset.account:", account_key));
    return advisory_lock(db, "gateway.reset.addr:", addr);
}

int gw_store_reset_counts(sk_db *db, const char *addr, const char *account_key, int window_s,
                          int64_t *addr_n, int64_t *addr_oldest_s, int64_t *account_n,
                          int64_t *account_oldest_s)
{
    static const char SQL[] =
        "WITH w AS (SELECT * FROM password_resets WHERE created_at > now() - "
        "make_interval(secs => $3::int) AND (remote_addr = $1 OR account_key = $2)) "
        "SELECT count(*) FILTER (WHERE remote_addr = $1), "
        "coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE remote_addr = $1)), "
        "0)::bigint, count(*) FILTER (WHERE account_key = $2), "
        "coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE account_key = $2)), "
        "0)::bigint FROM w";
    char win[16];
    snprintf(win, sizeof(win), "%d", window_s);
    sk_param p[] = {SK_TEXT(addr ? addr : ""), SK_TEXT(account_key), SK_TEXT(win)};
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, p, 3, &r));
    *addr_n = sk_db_get_int64(r, 0, 0);
    *addr_oldest_s = sk_db_get_int64(r, 0, 1);
    *account_n = sk_db_get_int64(r, 0, 2);
    *account_oldest_s = sk_db_get_int64(r, 0, 3);
    PQclear(r);
    return SK_OK;
}

int gw_store_insert_reset(sk_db *db, const uint8_t hash[GW_TOKEN_HASH_BYTES], const char *user_id,
                          const char *account_key, const char *addr, int ttl_s)
{
    static const char SQL[] =
        "INSERT INTO password_resets (token_hash, user_id, account_key, remote_addr, expires_at) "
        "VALUES ($1, nullif($2, '')::uuid, $3, $4, now() + make_interval(secs => $5::int))";
    char ttl[16];
    snprintf(ttl, sizeof(ttl), "%d", ttl_s);
    sk_param p[] = {SK_BYTES(hash, GW_TOKEN_HASH_BYTES), SK_TEXT(user_id ? user_id : ""),
                    SK_TEXT(account_key), SK_TEXT(addr ? addr : ""), SK_TEXT(ttl)};
    return sk_db_exec(db, SQL, p, 5);
}

int gw_store_reset_row(sk_db *db, const uint8_t hash[GW_TOKEN_HASH_BYTES], bool *found,
                       char *user_id, bool *used, bool *expired)
{
    static const char SQL[] =
        "SELECT coalesce(user_id::text, ''), used_at IS NOT NULL, expires_at <= now() "
        "FROM password_resets WHERE token_hash = $1";
    sk_param p[] = {SK_BYTES(hash, GW_TOKEN_HASH_BYTES)};
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, p, 1, &r));
    *found = PQntuples(r) > 0;
    user_id[0] = '\0';
    *used = *expired = false;
    if (*found) {
        copy(user_id, 40, PQgetvalue(r, 0, 0));
        *used = PQgetvalue(r, 0, 1)[0] == 't';
        *expired = PQgetvalue(r, 0, 2)[0] == 't';
    }
    PQclear(r);
    return SK_OK;
}

int gw_store_use_reset(sk_db *db, const uint8_t hash[GW_TOKEN_HASH_BYTES], const char *user_id,
                       bool *used_now)
{
    /* The token's user, unused, unexpired: checked by the statement that
     * uses it, so two presentations at once cannot both pass. */
    static const char SQL_USE[] =
        "UPDATE password_resets SET used_at = now() WHERE token_hash = $1 AND "
        "user_id = $2::uuid AND used_at IS NULL AND expires_at > now() RETURNING 1";
    static const char SQL_OTHERS[] =
        "UPDATE password_resets SET expires_at = now() WHERE user_id = $2::uuid AND "
        "token_hash <> $1 AND used_at IS NULL AND expires_at > now()";
    sk_param p[] = {SK_BYTES(hash, GW_TOKEN_HASH_BYTES), SK_TEXT(user_id)};
    int rc = exec_one_row(db, SQL_USE, p, 2);
    if (rc != SK_OK && rc != SK_ENOTFOUND)
        return rc;
    *used_now = rc == SK_OK;
    return *used_now ? sk_db_exec(db, SQL_OTHERS, p, 2) : SK_OK;
}

/* ---- sessions ---- */

int gw_store_insert_session(sk_db *db, const uint8_t hash[GW_TOKEN_HASH_BYTES], const char *csrf,
                            const char *user_id, int ttl_s, int max_s, const char *remote_addr,
                            gw_session *s)
{
    static const char SQL[] =
        "INSERT INTO sessions (token_hash, csrf_token, user_id, expires_at, remote_addr) "
        "VALUES ($1, $2, $3::uuid, now() + make_interval(secs => least($4::int, $6::int)), $5) "
        "RETURNING " MS("expires_at") ", " MS("created_at + make_interval(secs => $6::int)");
    char ttl[16], max[16];
    snprintf(ttl, sizeof(ttl), "%d", ttl_s);
    snprintf(max, sizeof(max), "%d", max_s);
    sk_param p[] = {SK_BYTES(hash, GW_TOKEN_HASH_BYTES), SK_TEXT(csrf), SK_TEXT(user_id),
                    SK_TEXT(ttl), SK_TEXT(remote_addr ? remote_addr : ""), SK_TEXT(max)};
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, p, 6, &r));
    s->expires_unix_ms = sk_db_get_int64(r, 0, 0);
    s->absolute_unix_ms = sk_db_get_int64(r, 0, 1);
    PQclear(r);
    return SK_OK;
}

int gw_store_load_session(sk_db *db, const uint8_t hash[GW_TOKEN_HASH_BYTES], int max_s,
                          gw_session *out)
{
    static const char SQL[] =
        "SELECT s.csrf_token, u.id::text, u.username, u.display_name, "
        "coalesce(u.company_id::text, ''), array_to_string(u.roles, ','), u.locale, "
        MS("s.expires_at") ", " MS("s.created_at + make_interval(secs => $2::int)")
        " FROM sessions s JOIN users u ON u.id = s.user_id "
        "WHERE s.token_hash = $1 AND s.expires_at > now() "
        "AND s.created_at + make_interval(secs => $2::int) > now() AND NOT u.disabled";
    char max[16];
    snprintf(max, sizeof(max), "%d", max_s);
    sk_param p[] = {SK_BYTES(hash, GW_TOKEN_HASH_BYTES), SK_TEXT(max)};
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, p, 2, &r));
    int rc = SK_ENOTFOUND;
    if (PQntuples(r) > 0) {
        memset(out, 0, sizeof(*out));
        copy(out->csrf_token, sizeof(out->csrf_token), PQgetvalue(r, 0, 0));
        copy(out->user_id, sizeof(out->user_id), PQgetvalue(r, 0, 1));
        copy(out->username, sizeof(out->username), PQgetvalue(r, 0, 2));
        copy(out->display_name, sizeof(out->display_name), PQgetvalue(r, 0, 3));
        copy(out->company_id, sizeof(out->company_id), PQgetvalue(r, 0, 4));
        out->n_roles = split_roles(PQgetvalue(r, 0, 5), out->roles, GW_MAX_ROLES);
        copy(out->locale, sizeof(out->locale), PQgetvalue(r, 0, 6));
        out->expires_unix_ms = sk_db_get_int64(r, 0, 7);
        out->absolute_unix_ms = sk_db_get_int64(r, 0, 8);
        rc = SK_OK;
    }
    PQclear(r);
    return rc;
}

int gw_store_renew_session(sk_db *db, const uint8_t hash[GW_TOKEN_HASH_BYTES], int ttl_s,
                           int max_s, int64_t *expires_unix_ms)
{
    static const char SQL[] =
        "UPDATE sessions SET expires_at = least(now() + make_interval(secs => $2::int), "
        "created_at + make_interval(secs => $3::int)) "
        "WHERE token_hash = $1 AND expires_at > now() "
        "AND created_at + make_interval(secs => $3::int) > now() RETURNING " MS("expires_at");
    char ttl[16], max[16];
    snprintf(ttl, sizeof(ttl), "%d", ttl_s);
    snprintf(max, sizeof(max), "%d", max_s);
    sk_param p[] = {SK_BYTES(hash, GW_TOKEN_HASH_BYTES), SK_TEXT(ttl), SK_TEXT(max)};
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, p, 3, &r));
    int rc = SK_ENOTFOUND;
    if (PQntuples(r) > 0) {
        *expires_unix_ms = sk_db_get_int64(r, 0, 0);
        rc = SK_OK;
    }
    PQclear(r);
    return rc;
}

int gw_store_delete_session(sk_db *db, const uint8_t hash[GW_TOKEN_HASH_BYTES], char *user_id)
{
    static const char SQL[] = "DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id::text";
    sk_param p[] = {SK_BYTES(hash, GW_TOKEN_HASH_BYTES)};
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, p, 1, &r));
    int rc = SK_ENOTFOUND;
    if (PQntuples(r) > 0) {
        if (user_id)
            copy(user_id, 40, PQgetvalue(r, 0, 0));
        rc = SK_OK;
    }
    PQclear(r);
    return rc;
}

/* The token hashes in the rows of `sql`'s answer. */
static int session_hashes(sk_db *db, const char *sql, const sk_param *p, int np,
                          uint8_t (**out)[GW_TOKEN_HASH_BYTES], size_t *n)
{
    PGresult *r = NULL;
    *out = NULL;
    *n = 0;
    SK_TRY(sk_db_query(db, sql, p, np, &r));
    int rows = PQntuples(r);
    int rc = SK_OK;
    if (rows > 0) {
        uint8_t(*hashes)[GW_TOKEN_HASH_BYTES] = calloc((size_t)rows, GW_TOKEN_HASH_BYTES);
        if (!hashes) {
            PQclear(r);
            return SK_ENOMEM;
        }
        size_t k = 0;
        for (int i = 0; i < rows && rc == SK_OK; i++) {
            uint8_t *b = NULL;
            size_t len = 0;
            rc = sk_db_get_bytea(r, i, 0, &b, &len);
            if (rc == SK_OK && len == GW_TOKEN_HASH_BYTES)
                memcpy(hashes[k++], b, GW_TOKEN_HASH_BYTES);
            free(b);
        }
        if (rc != SK_OK) {
            free(hashes);
        } else {
            *out = hashes;
            *n = k;
        }
    }
    PQclear(r);
    return rc;
}

int gw_store_user_sessions(sk_db *db, const char *user_id, bool delete,
                           uint8_t (**out)[GW_TOKEN_HASH_BYTES], size_t *n)
{
    static const char SQL[] = "SELECT token_hash FROM sessions WHERE user_id = $1::uuid";
    static const char SQL_DELETE[] =
        "DELETE FROM sessions WHERE user_id = $1::uuid RETURNING token_hash";
    sk_param p[] = {SK_TEXT(user_id)};
    return session_hashes(db, delete ? SQL_DELETE : SQL, p, 1, out, n);
}

int gw_store_end_other_sessions(sk_db *db, const char *user_id,
                                const uint8_t keep[GW_TOKEN_HASH_BYTES],
                                uint8_t (**out)[GW_TOKEN_HASH_BYTES], size_t *n)
{
    if (!keep)
        return gw_store_user_sessions(db, user_id, true, out, n);
    static const char SQL[] = "DELETE FROM sessions WHERE user_id = $1::uuid AND token_hash <> $2 "
                              "RETURNING token_hash";
    sk_param p[] = {SK_TEXT(user_id), SK_BYTES(keep, GW_TOKEN_HASH_BYTES)};
    return session_hashes(db, SQL, p, 2, out, n);
}

int gw_store_prune(sk_db *db, int64_t *n)
{
    static const char SQL[] =
        "WITH s AS (DELETE FROM sessions WHERE expires_at < now() - interval '1 day' RETURNING 1), "
        "l AS (DELETE FROM login_attempts WHERE at < now() - interval '7 days' RETURNING 1), "
        "g AS (DELETE FROM signup_attempts WHERE at < now() - interval '7 days' RETURNING 1), "
        "r AS (DELETE FROM password_resets WHERE created_at < now() - interval '7 days' "
        "RETURNING 1), "
        "k AS (DELETE FROM known_addresses WHERE last_ok_at < now() - "
        "make_interval(days => $1::int) RETURNING 1) "
        "SELECT (SELECT count(*) FROM s) + (SELECT count(*) FROM l) + (SELECT count(*) FROM g) "
        "+ (SELECT count(*) FROM k) + (SELECT count(*) FROM r)";
    char days[16];
    snprintf(days, sizeof(days), "%d", GW_KNOWN_ADDR_DAYS);
    sk_param p[] = {SK_TEXT(days)};
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL, p, 1, &r));
    if (n)
        *n = sk_db_get_int64(r, 0, 0);
    PQclear(r);
    return SK_OK;
}
