/* The gateway's users, sessions and login throttling against the fixture's
 * PostgreSQL and Redis: auth.c called directly (linked from
 * seklik-gateway-core), the Gateway bus methods through a running
 * seklik-gateway, its HTTP side through curl(1) as a browser behind an
 * ingress would reach it (127.0.0.1 is the trusted proxy), and seklikctl as
 * an operator runs it.
 *
 * argv: testpub testsub logdir seklik-gateway seklikctl */
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "auth.h"
#include "domain.h"
#include "it_common.h"
#include "seklik/gateway.pb-c.h"
#include "sk_cache.h"
#include "sk_db.h"
#include "sk_outbox.h"

extern const sk_migration gateway_migrations[];
extern const size_t gateway_migrations_count;

#define MAX_FAILURES 3
/* The gateway under test cuts idle clients and caps connections per address low. */
#define IDLE_TIMEOUT_S 3
#define IDLE_TIMEOUT_S_TEXT "3"
#define PER_IP 12
#define PER_IP_TEXT "12"
#define SESSION_TTL_S 120 /* here and in the running gateway */

static const char *gateway_bin, *ctl_bin;
static char dsn[512];
static const char *redis_url;
static sk_test_peer gw;
static char web_url[64]; /* the running gateway's HTTP side */
static bool gw_running;
static sk_rpc_client *rpc;
static sk_db_pool *pool;
static sk_cache *cache;
static gw_auth *auth;
static int serial;

static const char GOOD_PASSWORD[] = "Kopi-Susu-Pagi-7";

/* ---- helpers ---- */

static const char *unique(const char *prefix, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s%d-%u", prefix, ++serial, (unsigned)randombytes_uniform(100000));
    return buf;
}

/* seklikctl with `args`, the password in SEKLIK_TEST_PW; its exit status. */
static int ctl(const char *args, const char *password)
{
    char cmd[1024];
    setenv("SEKLIK_GATEWAY_DB_DSN", dsn, 1);
    setenv("SEKLIK_REDIS_URL", redis_url, 1);
    setenv("SEKLIK_TEST_PW", password ? password : "", 1);
    snprintf(cmd, sizeof(cmd), "%s %s >>%s/it_gateway_auth.seklikctl.log 2>&1", ctl_bin, args,
             it_logdir);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A user made by seklikctl with one role; its name into `name`. */
static void make_user(const char *role, char *name, size_t cap)
{
    unique("user", name, cap);
    char args[256];
    snprintf(args, sizeof(args), "user create --username %s --role %s --password-env SEKLIK_TEST_PW",
             name, role);
    assert_int_equal(ctl(args, GOOD_PASSWORD), 0);
}

static long long sqln(const char *sql, const char *param)
{
    return sk_test_sql_number_p(dsn, sql, param);
}

static int redis(const char *args)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "redis-cli -u '%s' %s", redis_url, args);
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    char out[64] = "";
    if (!fgets(out, sizeof(out), f))
        out[0] = '\0';
    pclose(f);
    return atoi(out);
}

static bool cached(const gw_session *s)
{
    uint8_t h[32];
    crypto_hash_sha256(h, (const unsigned char *)s->token, strlen(s->token));
    char hex[65], args[160];
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    snprintf(args, sizeof(args), "EXISTS seklik:gateway:session:%s", hex);
    return redis(args) == 1;
}

static Seklik__Bus__Response *call(const char *method, const Seklik__Bus__Actor *actor,
                                   bool command, const ProtobufCMessage *in)
{
    char key[SK_UUID_STRLEN], full[64];
    sk_uuid7(key);
    snprintf(full, sizeof(full), "Gateway.%s", method);
    Seklik__Bus__Response *resp = NULL;
    assert_int_equal(sk_rpc_call(rpc, full, actor, command ? key : NULL, in, 20000, &resp), SK_OK);
    return resp;
}

static void need_gateway(void)
{
    if (!gw_running)
        skip();
}

/* ---- HTTP through curl(1) ---- */

typedef struct http_answer {
    int status;
    char headers[8192];
    char body[65536];
} http_answer;

static void slurp(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(out, 1, cap - 1, f) : 0;
    out[n] = '\0';
    if (f)
        fclose(f);
}

/* `method` `path` on the gateway's web port from source address `from`
 * (NULL: 127.0.0.1, the trusted proxy). `hdrs` is a NULL-terminated list of
 * "Name: value" lines (may be NULL); `body` (may be NULL) is sent as JSON.
 * Only test-made values go into the shell command. */
static void http(const char *method, const char *path, const char *from, const char *const *hdrs,
                 const char *body, http_answer *a)
{
    static char cmd[65536];
    char hdr_file[512], body_file[512], in_file[512];
    snprintf(hdr_file, sizeof(hdr_file), "%s/it_gateway_auth.http.headers", it_logdir);
    snprintf(body_file, sizeof(body_file), "%s/it_gateway_auth.http.body", it_logdir);
    snprintf(in_file, sizeof(in_file), "%s/it_gateway_auth.http.in", it_logdir);
    int n = snprintf(cmd, sizeof(cmd),
                     "curl -s -m 20 -X %s --interface %s -o '%s' -D '%s' -w '%%{http_code}'",
                     method, from ? from : "127.0.0.1", body_file, hdr_file);
    for (size_t i = 0; hdrs && hdrs[i]; i++)
        n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " -H '%s'", hdrs[i]);
    if (body) {
        FILE *f = fopen(in_file, "wb");
        assert_non_null(f);
        fputs(body, f);
        fclose(f);
        n += snprintf(cmd + n, sizeof(cmd) - (size_t)n,
                      " -H 'Content-Type: application/json' --data-binary '@%s'", in_file);
    }
    snprintf(cmd + n, sizeof(cmd) - (size_t)n, " '%s%s'", web_url, path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char code[16] = "";
    if (!fgets(code, sizeof(code), p))
        code[0] = '\0';
    pclose(p);
    a->status = atoi(code);
    slurp(hdr_file, a->headers, sizeof(a->headers));
    slurp(body_file, a->body, sizeof(a->body));
}

/* The value of response header `name` (the first), without its line end. */
static bool header(const http_answer *a, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    for (const char *line = a->headers; *line;) {
        size_t len = strcspn(line, "\r\n");
        if (len > n && strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1 + strspn(line + n + 1, " ");
            snprintf(out, cap, "%.*s", (int)(len - (size_t)(v - line)), v);
            return true;
        }
        line += len;
        line += strspn(line, "\r\n");
    }
    return false;
}

/* A browser's session: the cookie's value, the CSRF token, the user. */
typedef struct web_session {
    char set_cookie[512]; /* the login's Set-Cookie, whole */
    char cookie[128];     /* "Cookie: seklik_session=..." */
    char csrf[128];       /* "X-CSRF-Token: ..." */
    char user_id[40];
} web_session;

static void http_login(const char *name, const char *xff, web_session *w)
{
    char body[256], fwd[128];
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", name, GOOD_PASSWORD);
    snprintf(fwd, sizeof(fwd), "X-Forwarded-For: %s", xff ? xff : "");
    const char *h[] = {fwd, NULL};
    http_answer *a = calloc(1, sizeof(*a));
    assert_non_null(a);
    http("POST", "/api/v1/auth/login", NULL, xff ? h : NULL, body, a);
    assert_int_equal(a->status, 200);
    assert_true(header(a, "Set-Cookie", w->set_cookie, sizeof(w->set_cookie)));
    size_t pre = strlen(GW_SESSION_COOKIE "=");
    assert_int_equal(strncmp(w->set_cookie, GW_SESSION_COOKIE "=", pre), 0);
    snprintf(w->cookie, sizeof(w->cookie), "Cookie: " GW_SESSION_COOKIE "=%.*s",
             (int)strcspn(w->set_cookie + pre, ";"), w->set_cookie + pre);
    cJSON *o = cJSON_Parse(a->body);
    const cJSON *csrf = cJSON_GetObjectItemCaseSensitive(o, "csrfToken");
    const cJSON *id =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "user"), "id");
    assert_true(cJSON_IsString(csrf) && cJSON_IsString(id));
    snprintf(w->csrf, sizeof(w->csrf), "X-CSRF-Token: %s", csrf->valuestring);
    snprintf(w->user_id, sizeof(w->user_id), "%s", id->valuestring);
    cJSON_Delete(o);
    free(a);
}

/* The value of the sample "series value" in Prometheus text, or -1. */
static long long metric(const char *text, const char *series)
{
    size_t n = strlen(series);
    for (const char *line = text; line && *line;) {
        if (strncmp(line, series, n) == 0 && line[n] == ' ')
            return strtoll(line + n + 1, NULL, 10);
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    return -1;
}

static Seklik__Bus__Actor actor_of(const gw_session *s, char **roles)
{
    Seklik__Bus__Actor a;
    gw_auth_actor(s, "127.0.0.1", roles, &a);
    return a;
}

/* ---- fixture ---- */

static int start(void **state)
{
    (void)state;
    char log[512];
    if (!sk_test_create_db("it_gateway_auth", dsn, sizeof(dsn)))
        return -1;
    redis_url = sk_test_env("SEKLIK_TEST_REDIS_URL");
    if (!redis_url)
        return -1;
    redis("FLUSHALL");
    if (sk_db_pool_open(dsn, "gateway", 4, &pool) != SK_OK)
        return -1;
    size_t n = sk_bus_migrations_count + gateway_migrations_count;
    sk_migration *all = calloc(n + 1, sizeof(*all));
    memcpy(all, sk_bus_migrations, sk_bus_migrations_count * sizeof(*all));
    memcpy(all + sk_bus_migrations_count, gateway_migrations,
           gateway_migrations_count * sizeof(*all));
    int rc = sk_db_migrate(pool, all, n);
    free(all);
    sk_sign_key key;
    sk_test_key(&key);
    sk_cache_options copt = {.url = redis_url, .service = "gateway", .secret = key.bytes,
                             .secret_len = key.len};
    if (rc != SK_OK || sk_cache_open(&copt, &cache) != SK_OK)
        return -1;
    gw_auth_config cfg = {.session_ttl_s = SESSION_TTL_S,
                          .throttle_max_failures = MAX_FAILURES,
                          .throttle_window_s = 900,
                          .cookie_secure = true};
    if (gw_auth_open(pool, cache, &cfg, &auth) != SK_OK)
        return -1;

    sk_test_peer_init(&gw, "gateway", dsn, redis_url);
    snprintf(web_url, sizeof(web_url), "http://127.0.0.1:%d", sk_test_free_port());
    sk_test_peer_setenv(&gw, "SEKLIK_GATEWAY_LISTEN", web_url);
    /* curl from 127.0.0.1 plays the ingress; from 127.0.0.2, a stranger. */
    sk_test_peer_setenv(&gw, "SEKLIK_GATEWAY_TRUSTED_PROXIES", "127.0.0.1");
    sk_test_peer_setenv(&gw, "SEKLIK_GATEWAY_SESSION_TTL_S", "120");
    sk_test_peer_setenv(&gw, "SEKLIK_GATEWAY_COOKIE_SECURE", "true");
    sk_test_peer_setenv(&gw, "SEKLIK_GATEWAY_CONNECTION_TIMEOUT_S", IDLE_TIMEOUT_S_TEXT);
    sk_test_peer_setenv(&gw, "SEKLIK_GATEWAY_PER_IP_CONNECTIONS", PER_IP_TEXT);
    gw_running = sk_test_peer_start(&gw, gateway_bin,
                                    it_log(log, sizeof(log), "gateway_auth", "gateway")) == 0;
    if (gw_running)
        rpc = it_client(gw.rpc);
    else
        fprintf(stderr, "it_gateway_auth: seklik-gateway did not start; bus tests skip\n");
    return 0;
}

static int stop(void **state)
{
    (void)state;
    int rc = 0;
    if (gw_running) {
        sk_rpc_client_close(rpc);
        sk_proc_signal(&gw.proc, SIGTERM);
        rc = sk_proc_wait(&gw.proc, 15000);
    } else if (gw.proc.pid > 0) {
        sk_proc_signal(&gw.proc, SIGKILL);
        sk_proc_wait(&gw.proc, 5000);
    }
    gw_auth_close(auth);
    sk_cache_close(cache);
    sk_db_pool_close(pool);
    return rc == 0 ? 0 : -1;
}

/* ---- logins and sessions ---- */

static void seklikctl_user_logs_in_and_the_session_resolves(void **state)
{
    (void)state;
    char name[64];
    make_user("verifier", name, sizeof(name));
    gw_session s;
    gw_auth_error err;
    assert_int_equal(gw_auth_login(auth, name, GOOD_PASSWORD, "10.0.0.1", &s, &err), SK_OK);
    assert_int_equal(strlen(s.token), 43);
    assert_int_equal(strlen(s.csrf_token), 43);
    assert_string_equal(s.username, name);
    assert_int_equal(s.n_roles, 1);
    assert_string_equal(s.roles[0], "verifier");
    assert_string_equal(s.locale, "id");

    /* Upper case and blanks around the name are the same account. */
    char shout[80];
    snprintf(shout, sizeof(shout), "  %s ", name);
    for (char *p = shout; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    gw_session s2;
    assert_int_equal(gw_auth_login(auth, shout, GOOD_PASSWORD, "10.0.0.1", &s2, &err), SK_OK);

    gw_session r;
    assert_int_equal(gw_auth_resolve(auth, s.token, &r), SK_OK);
    assert_string_equal(r.user_id, s.user_id);
    assert_string_equal(r.csrf_token, s.csrf_token);
    assert_string_equal(r.token, s.token);
    assert_false(r.renewed);
    assert_true(gw_auth_csrf_ok(&r, s.csrf_token));
    assert_false(gw_auth_csrf_ok(&r, s2.csrf_token));
    assert_false(gw_auth_csrf_ok(&r, ""));
    assert_false(gw_auth_csrf_ok(&r, NULL));
    assert_int_equal(gw_auth_resolve(auth, s2.token, &r), SK_OK);
    assert_int_equal(gw_auth_resolve(auth, "not-a-token", &r), SK_EAUTH);
    char forged[64];
    snprintf(forged, sizeof(forged), "%s", s.token);
    forged[0] = forged[0] == 'A' ? 'B' : 'A';
    assert_int_equal(gw_auth_resolve(auth, forged, &r), SK_EAUTH);

    /* Only the hash is stored. */
    assert_int_equal(sqln("SELECT count(*) FROM gateway.sessions WHERE token_hash = "
                          "sha256(convert_to($1, 'UTF8'))",
                          s.token),
                     1);
    assert_int_equal(sqln("SELECT count(*) FROM gateway.sessions WHERE csrf_token = $1 "
                          "OR encode(token_hash, 'escape') = $1",
                          s.token),
                     0);
    assert_int_equal(sqln("SELECT count(*) FROM gateway.audit_log WHERE action = 'auth.login' "
                          "AND entity_id = $1 AND remote_addr = '10.0.0.1'",
                          s.user_id),
                     2);

    char *roles[GW_MAX_ROLES];
    Seklik__Bus__Actor a = actor_of(&r, roles);
    assert_string_equal(a.user_id, s.user_id);
    assert_int_equal(a.n_roles, 1);
    assert_string_equal(a.roles[0], "verifier");
    assert_string_equal(a.remote_addr, "127.0.0.1");

    char cookie[256];
    gw_auth_cookie(auth, &r, cookie, sizeof(cookie));
    char want[256];
    snprintf(want, sizeof(want),
             "seklik_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d; Secure", s2.token,
             SESSION_TTL_S);
    assert_string_equal(cookie, want);
    gw_auth_cookie(auth, NULL, cookie, sizeof(cookie));
    assert_string_equal(cookie, "seklik_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure");
}

static void wrong_password_and_unknown_user_get_the_same_answer(void **state)
{
    (void)state;
    char name[64];
    make_user("finance", name, sizeof(name));
    gw_session s;
    gw_auth_error e1, e2;
    assert_int_equal(gw_auth_login(auth, name, "Salah-Sandi-123", "10.0.0.2", &s, &e1), SK_EAUTH);
    assert_int_equal(gw_auth_login(auth, "nobody-here", "Salah-Sandi-123", "10.0.0.2", &s, &e2),
                     SK_EAUTH);
    assert_string_equal(e1.message, e2.message);
    assert_string_equal(e1.field, e2.field);
    assert_int_equal(gw_auth_login(auth, name, "", "10.0.0.2", &s, &e1), SK_EINVAL);
    assert_string_equal(e1.field, "password");
    assert_int_equal(gw_auth_login(auth, " ", GOOD_PASSWORD, "10.0.0.2", &s, &e1), SK_EINVAL);
    assert_string_equal(e1.field, "username");
    assert_int_equal(sqln("SELECT count(*) FROM gateway.audit_log WHERE action = "
                          "'auth.login.failed' AND remote_addr = $1",
                          "10.0.0.2"),
                     2);
}

static void failures_throttle_the_username_even_with_the_right_password(void **state)
{
    (void)state;
    char name[64];
    make_user("pr", name, sizeof(name));
    gw_session s;
    gw_auth_error err;
    /* Two failures, a success: the success resets the username's count. */
    for (int i = 0; i < MAX_FAILURES - 1; i++)
        assert_int_equal(gw_auth_login(auth, name, "Salah-Sandi-123", "10.1.0.1", &s, &err),
                         SK_EAUTH);
    assert_int_equal(gw_auth_login(auth, name, GOOD_PASSWORD, "10.1.0.2", &s, &err), SK_OK);
    /* Failures from several addresses all count for the username. */
    char addr[32];
    for (int i = 0; i < MAX_FAILURES; i++) {
        snprintf(addr, sizeof(addr), "10.1.1.%d", i);
        assert_int_equal(gw_auth_login(auth, name, "Salah-Sandi-123", addr, &s, &err), SK_EAUTH);
    }
    memset(&err, 0, sizeof(err));
    assert_int_equal(gw_auth_login(auth, name, GOOD_PASSWORD, "10.1.2.1", &s, &err), SK_EEXHAUSTED);
    assert_true(err.retry_after_s > 800 && err.retry_after_s <= 900);
    assert_non_null(strstr(err.message, "(too many attempts"));
    /* The refused attempt was not checked, so not counted either; it is audited. */
    assert_int_equal(sqln("SELECT count(*) FROM gateway.login_attempts WHERE username = $1",
                          name),
                     2 * MAX_FAILURES);
    assert_int_equal(sqln("SELECT count(*) FROM gateway.audit_log WHERE action = "
                          "'auth.login.throttled' AND entity_id = $1",
                          name),
                     1);
    /* Once the failures have left the window, the right password works again. */
    char sql[256];
    snprintf(sql, sizeof(sql),
             "UPDATE gateway.login_attempts SET at = at - interval '1 hour' WHERE username = '%s'",
             name);
    assert_int_equal(sk_test_sql_exec(dsn, sql), 0);
    assert_int_equal(gw_auth_login(auth, name, GOOD_PASSWORD, "10.1.2.1", &s, &err), SK_OK);
}

static void failures_throttle_the_address_across_usernames(void **state)
{
    (void)state;
    char name[64];
    make_user("head", name, sizeof(name));
    gw_session s;
    gw_auth_error err;
    char other[64];
    /* Colleagues behind one address mistyping a few times do not lock it... */
    for (int i = 0; i < MAX_FAILURES; i++)
        assert_int_equal(gw_auth_login(auth, unique("guess", other, sizeof(other)),
                                       "Salah-Sandi-123", "10.2.0.1", &s, &err),
                         SK_EAUTH);
    assert_int_equal(gw_auth_login(auth, name, GOOD_PASSWORD, "10.2.0.1", &s, &err), SK_OK);
    /* ...but guessing across many usernames from it does. */
    for (int i = MAX_FAILURES; i < MAX_FAILURES * GW_LOGIN_ADDR_FACTOR; i++)
        assert_int_equal(gw_auth_login(auth, unique("guess", other, sizeof(other)),
                                       "Salah-Sandi-123", "10.2.0.1", &s, &err),
                         SK_EAUTH);
    assert_int_equal(gw_auth_login(auth, name, GOOD_PASSWORD, "10.2.0.1", &s, &err), SK_EEXHAUSTED);
    assert_true(err.retry_after_s > 0);
    assert_int_equal(gw_auth_login(auth, name, GOOD_PASSWORD, "10.2.0.2", &s, &err), SK_OK);
}

static void ipv6_addresses_of_one_subscriber_share_the_address_limit(void **state)
{
    (void)state;
    char name[64];
    make_user("head", name, sizeof(name));
    gw_session s;
    gw_auth_error err;
    char other[64], addr[64];
    /* Each guess from another address of the same /64. */
    for (int i = 0; i < MAX_FAILURES * GW_LOGIN_ADDR_FACTOR; i++) {
        snprintf(addr, sizeof(addr), "2001:db8:5:6::%x", i + 1);
        assert_int_equal(gw_auth_login(auth, unique("guess6", other, sizeof(other)),
                                       "Salah-Sandi-123", addr, &s, &err),
                         SK_EAUTH);
    }
    assert_int_equal(gw_auth_login(auth, name, GOOD_PASSWORD, "2001:db8:5:6:ffff::9", &s, &err),
                     SK_EEXHAUSTED);
    assert_int_equal(gw_auth_login(auth, name, GOOD_PASSWORD, "2001:db8:5:7::1", &s, &err), SK_OK);
}

static void logout_ends_the_session_everywhere(void **state)
{
    (void)state;
    char name[64];
    make_user("partnership", name, sizeof(name));
    gw_session s, r;
    gw_auth_error err;
    assert_int_equal(gw_auth_login(auth, name, GOOD_PASSWORD, "10.3.0.1", &s, &err), SK_OK);
    assert_int_equal(gw_auth_resolve(auth, s.token, &r), SK_OK);
    assert_true(cached(&s));
    assert_int_equal(gw_auth_logout(auth, s.token), SK_OK);
    assert_false(cached(&s));
    assert_int_equal(gw_auth_resolve(auth, s.token, &r), SK_EAUTH);
    assert_int_equal(gw_auth_logout(auth, s.token), SK_OK); /* again: nothing to do */
    assert_int_equal(gw_auth_logout(auth, "garbage"), SK_OK);
    assert_int_equal(sqln("SELECT count(*) FROM gateway.audit_log WHERE action = 'auth.logout' "
                          "AND entity_id = $1",
                          s.user_id),
                     1);
}

static void session_survives_a_redis_flush(void **state)
{
    (void)state;
    char name[64];
    make_user("admin", name, sizeof(name));
    gw_session s, r;
    gw_auth_error err;
    assert_int_equal(gw_auth_login(auth, name, GOOD_PASSWORD, "10.4.0.1", &s, &err), SK_OK);
    assert_int_equal(gw_auth_resolve(auth, s.token, &r), SK_OK);
    assert_true(cached(&s));
    redis("FLUSHALL");
    assert_false(cached(&s));
    assert_int_equal(gw_auth_resolve(auth, s.token, &r), SK_OK); /* from PostgreSQL */
    assert_string_equal(r.user_id, s.user_id);
    assert_true(cached(&s)); /* and refilled */
}

static void session_is_renewed_when_half_is_gone(void **state)
{
    (void)state;
    char name[64];
    make_user("verifier", name, sizeof(name));
    gw_session s, r;
    gw_auth_error err;
    assert_int_equal(gw_auth_login(auth, name, GOOD_PASSWORD, "10.5.0.1", &s, &err), SK_OK);
    assert_int_equal(sk_test_sql_exec(dsn, "UPDATE gateway.sessions SET expires_at = now() + "
                                           "interval '30 seconds'"),
                     0);
    redis("FLUSHALL");
    assert_int_equal(gw_auth_resolve(auth, s.token, &r), SK_OK);
    assert_true(r.renewed);
    int64_t left = r.expires_unix_ms - sk_now_unix_ms();
    assert_true(left > (SESSION_TTL_S - 10) * 1000 && left <= SESSION_TTL_S * 1000);
    assert_int_equal(gw_auth_resolve(auth, s.token, &r), SK_OK);
    assert_false(r.renewed);
    /* An expired one is gone. */
    assert_int_equal(sk_test_sql_exec(dsn, "UPDATE gateway.sessions SET expires_at = now() - "
                                           "interval '1 second'"),
                     0);
    redis("FLUSHALL");
    assert_int_equal(gw_auth_resolve(auth, s.token, &r), SK_EAUTH);
}

static void seklikctl_disable_refuses_the_session_and_the_login(void **state)
{
    (void)state;
    char name[64], args[160];
    make_user("pr", name, sizeof(name));
    gw_session s, r;
    gw_auth_error err;
    assert_int_equal(gw_auth_login(auth, name, GOOD_PASSWORD, "10.6.0.1", &s, &err), SK_OK);
    assert_int_equal(gw_auth_resolve(auth, s.token, &r), SK_OK);
    assert_true(cached(&s));
    snprintf(args, sizeof(args), "user disable %s", name);
    assert_int_equal(ctl(args, NULL), 0);
    assert_int_equal(gw_auth_resolve(auth, s.token, &r), SK_EAUTH);
    assert_int_equal(gw_auth_login(auth, name, GOOD_PASSWORD, "10.6.0.1", &s, &err), SK_EAUTH);
    snprintf(args, sizeof(args), "user enable %s", name);
    assert_int_equal(ctl(args, NULL), 0);
    assert_int_equal(gw_auth_login(auth, name, GOOD_PASSWORD, "10.6.0.1", &s, &err), SK_OK);
}

static void seklikctl_usage_and_idempotent_create(void **state)
{
    (void)state;
    char name[64], args[256];
    make_user("admin", name, sizeof(name));
    snprintf(args, sizeof(args),
             "user create --username %s --role admin --password-env SEKLIK_TEST_PW", name);
    assert_int_equal(ctl(args, GOOD_PASSWORD), 1); /* exists */
    snprintf(args, sizeof(args),
             "user create --username %s --role admin --password-env SEKLIK_TEST_PW --if-absent",
             name);
    assert_int_equal(ctl(args, GOOD_PASSWORD), 0);
    assert_int_equal(ctl("user create --role admin --password-env SEKLIK_TEST_PW", GOOD_PASSWORD), 2);
    assert_int_equal(ctl("user create --username zed1 --role root --password-env SEKLIK_TEST_PW",
                         GOOD_PASSWORD),
                     2);
    assert_int_equal(ctl("user create --username zed2 --role admin", GOOD_PASSWORD), 2);
    assert_int_equal(ctl("user create --username zed3 --role admin --password-env SEKLIK_TEST_PW",
                         "short"),
                     1);
    assert_int_equal(ctl("user frobnicate", NULL), 2);
    assert_int_equal(ctl("user list", NULL), 0);
    /* set-password through stdin, then roles. */
    snprintf(args, sizeof(args), "user set-password %s --password-stdin <<< 'Teh-Manis-Sore-8'",
             name);
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "bash -c \"%s %s\" >>%s/it_gateway_auth.seklikctl.log 2>&1",
             ctl_bin, args, it_logdir);
    setenv("SEKLIK_GATEWAY_DB_DSN", dsn, 1);
    assert_int_equal(WEXITSTATUS(system(cmd)), 0);
    gw_session s;
    gw_auth_error err;
    assert_int_equal(gw_auth_login(auth, name, "Teh-Manis-Sore-8", "10.7.0.1", &s, &err), SK_OK);
    snprintf(args, sizeof(args), "user roles %s --role verifier --role head", name);
    assert_int_equal(ctl(args, NULL), 0);
    gw_session r;
    assert_int_equal(gw_auth_resolve(auth, s.token, &r), SK_OK);
    assert_int_equal(r.n_roles, 2);
    assert_string_equal(r.roles[1], "head");
    assert_int_equal(sqln("SELECT count(*) FROM gateway.audit_log WHERE user_id = 'seklikctl' "
                          "AND entity_id = $1",
                          s.user_id),
                     3); /* create, reset_password, roles */
}

/* ---- sign-up and the company binding ---- */

static void signup_makes_a_partner_bound_once(void **state)
{
    (void)state;
    char name[64];
    unique("media", name, sizeof(name));
    gw_session s;
    gw_auth_error err;
    assert_int_equal(gw_auth_signup(auth, name, "pendek", "PT Media", "10.8.0.1", &s, &err),
                     SK_EINVAL);
    assert_string_equal(err.field, "password");
    assert_int_equal(gw_auth_signup(auth, name, GOOD_PASSWORD, "PT Media Kayuagung", "10.8.0.1",
                                    &s, &err),
                     SK_OK);
    assert_int_equal(s.n_roles, 1);
    assert_string_equal(s.roles[0], "partner");
    assert_string_equal(s.company_id, "");
    assert_int_equal(gw_auth_signup(auth, name, GOOD_PASSWORD, "PT Lain", "10.8.0.1", &s, &err),
                     SK_EEXISTS);
    assert_string_equal(err.field, "username");
    gw_session r;
    assert_int_equal(gw_auth_login(auth, name, GOOD_PASSWORD, "10.8.0.1", &s, &err), SK_OK);
    assert_int_equal(gw_auth_resolve(auth, s.token, &r), SK_OK);
    char company[SK_UUID_STRLEN];
    sk_uuid7(company);
    assert_int_equal(gw_auth_bind_company(auth, &s, company), SK_OK);
    assert_string_equal(s.company_id, company);
    assert_int_equal(gw_auth_bind_company(auth, &s, company), SK_EPRECOND);
    assert_int_equal(gw_auth_resolve(auth, s.token, &r), SK_OK); /* the cached copy was dropped */
    assert_string_equal(r.company_id, company);
    /* Five sign-ups an hour from one address: the sixth waits. */
    int refused = 0;
    for (int i = 0; i < 6; i++) {
        char n2[64];
        int rc = gw_auth_signup(auth, unique("flood", n2, sizeof(n2)), GOOD_PASSWORD, "PT Flood",
                                "10.8.9.9", &s, &err);
        if (rc == SK_EEXHAUSTED)
            refused++;
        else
            assert_int_equal(rc, SK_OK);
    }
    assert_int_equal(refused, 1);
    assert_true(err.retry_after_s > 0);
}

static void refusals_are_audited(void **state)
{
    (void)state;
    assert_int_equal(gw_auth_audit_refusal(auth, NULL, "10.9.0.1", "POST /api/v1/registry.Update",
                                           "csrf"),
                     SK_OK);
    assert_int_equal(sqln("SELECT count(*) FROM gateway.audit_log WHERE action = "
                          "'request.refused' AND remote_addr = $1 AND user_id = 'anonymous'",
                          "10.9.0.1"),
                     1);
}

/* ---- through HTTP ---- */

static void http_refusals_are_audited_with_the_client_address(void **state)
{
    (void)state;
    need_gateway();
    char name[64], other[64], body[256];
    make_user("verifier", name, sizeof(name));
    web_session w;
    http_login(name, "198.51.100.21", &w);
    http_answer *a = calloc(1, sizeof(*a));
    assert_non_null(a);

    /* The Gateway service refuses a verifier: PERMISSION_DENIED from the bus. */
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"roles\":[\"admin\"],\"password\":\"%s\"}",
             unique("penyusup", other, sizeof(other)), GOOD_PASSWORD);
    const char *with_csrf[] = {w.cookie, w.csrf, "X-Forwarded-For: 198.51.100.21", NULL};
    http("POST", "/api/v1/gateway.CreateUser", NULL, with_csrf, body, a);
    assert_int_equal(a->status, 403);
    assert_non_null(strstr(a->body, "PERMISSION_DENIED"));
    assert_int_equal(sqln("SELECT count(*) FROM gateway.audit_log WHERE action = "
                          "'request.refused' AND entity_id = 'gateway.CreateUser' AND "
                          "user_id = $1 AND remote_addr = '198.51.100.21' AND "
                          "roles = '[\"verifier\"]'::jsonb",
                          w.user_id),
                     1);
    assert_int_equal(sqln("SELECT count(*) FROM gateway.users WHERE username = $1", other), 0);

    /* No CSRF token: refused by the gateway itself, before any bus call. */
    const char *no_csrf[] = {w.cookie, "X-Forwarded-For: 198.51.100.21", NULL};
    http("POST", "/api/v1/gateway.ListUsers", NULL, no_csrf, "{}", a);
    assert_int_equal(a->status, 403);
    assert_non_null(strstr(a->body, GW_CSRF_HEADER));
    assert_int_equal(sqln("SELECT count(*) FROM gateway.audit_log WHERE action = "
                          "'request.refused' AND entity_id = 'gateway.ListUsers' AND "
                          "user_id = $1 AND remote_addr = '198.51.100.21' AND "
                          "after->>'why' LIKE 'CSRF%'",
                          w.user_id),
                     1);

    /* No session at all. */
    const char *anonymous[] = {"X-Forwarded-For: 198.51.100.22", NULL};
    http("POST", "/api/v1/gateway.ListUsers", NULL, anonymous, "{}", a);
    assert_int_equal(a->status, 401);
    assert_int_equal(sqln("SELECT count(*) FROM gateway.audit_log WHERE action = "
                          "'request.refused' AND entity_id = 'gateway.ListUsers' AND "
                          "user_id = 'anonymous' AND remote_addr = $1 AND "
                          "after->>'why' = 'unauthenticated'",
                          "198.51.100.22"),
                     1);

    /* What the service allows is no refusal. */
    const char *ok[] = {w.cookie, w.csrf, "X-Forwarded-For: 198.51.100.21", NULL};
    http("POST", "/api/v1/gateway.ChangeOwnPassword", NULL, ok,
         "{\"currentPassword\":\"salah-sekali-12\",\"newPassword\":\"Teh-Manis-Sore-9\"}", a);
    assert_int_equal(a->status, 400); /* a wrong current password is a field error */
    assert_int_equal(sqln("SELECT count(*) FROM gateway.audit_log WHERE action = "
                          "'request.refused' AND user_id = $1",
                          w.user_id),
                     2);
    free(a);
}

/* The address a failed login of `user` was counted under (the throttle's key). */
static long long attempts_from(const char *user, const char *addr)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM gateway.login_attempts WHERE username = $1 AND "
             "remote_addr = '%s' AND NOT ok",
             addr);
    return sqln(sql, user);
}

static void wrong_login(const char *from, const char *const *hdrs, char *user, size_t cap)
{
    char body[256];
    unique("tamu", user, cap);
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"salah-sekali-12\"}", user);
    http_answer *a = calloc(1, sizeof(*a));
    assert_non_null(a);
    http("POST", "/api/v1/auth/login", from, hdrs, body, a);
    assert_int_equal(a->status, 401);
    free(a);
}

static void forwarded_for_is_believed_only_from_a_trusted_proxy(void **state)
{
    (void)state;
    need_gateway();
    char u[64];
    /* The ingress (trusted) appended the client's address. */
    const char *one[] = {"X-Forwarded-For: 192.0.2.44", NULL};
    wrong_login(NULL, one, u, sizeof(u));
    assert_int_equal(attempts_from(u, "192.0.2.44"), 1);

    /* A stranger's own header changes nothing: its address is its peer's. */
    const char *spoof[] = {"X-Forwarded-For: 192.0.2.45", NULL};
    wrong_login("127.0.0.2", spoof, u, sizeof(u));
    assert_int_equal(attempts_from(u, "127.0.0.2"), 1);

    /* The client's own entry sits left of the one the proxy wrote. */
    const char *chain[] = {"X-Forwarded-For: 192.0.2.99, 192.0.2.46, 127.0.0.1", NULL};
    wrong_login(NULL, chain, u, sizeof(u));
    assert_int_equal(attempts_from(u, "192.0.2.46"), 1);

    /* Two headers are one list, in order: the proxy's is the last. */
    const char *two[] = {"X-Forwarded-For: 192.0.2.98", "X-Forwarded-For: 192.0.2.47", NULL};
    wrong_login(NULL, two, u, sizeof(u));
    assert_int_equal(attempts_from(u, "192.0.2.47"), 1);

    /* Something that is no address: only the proxy is known. */
    const char *junk[] = {"X-Forwarded-For: 192.0.2.48, localhost", NULL};
    wrong_login(NULL, junk, u, sizeof(u));
    assert_int_equal(attempts_from(u, "127.0.0.1"), 1);
}

static void renewed_session_sends_the_cookie_again(void **state)
{
    (void)state;
    need_gateway();
    char name[64], sql[256], cookie[512];
    make_user("pr", name, sizeof(name));
    web_session w;
    http_login(name, NULL, &w);
    static const char *const attrs[] = {"; Path=/", "; HttpOnly", "; SameSite=Strict", "; Secure",
                                        "; Max-Age=120"};
    for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
        if (!strstr(w.set_cookie, attrs[i]))
            fail_msg("login cookie %s lacks %s", w.set_cookie, attrs[i]);

    http_answer *a = calloc(1, sizeof(*a));
    assert_non_null(a);
    const char *h[] = {w.cookie, NULL};
    http("GET", "/api/v1/auth/me", NULL, h, NULL, a);
    assert_int_equal(a->status, 200);
    assert_false(header(a, "Set-Cookie", cookie, sizeof(cookie))); /* fresh: nothing to renew */

    /* A quarter of the TTL left; the Redis copy still has the old expiry. */
    snprintf(sql, sizeof(sql),
             "UPDATE gateway.sessions SET expires_at = now() + interval '30 seconds' "
             "WHERE user_id = '%s'",
             w.user_id);
    assert_int_equal(sk_test_sql_exec(dsn, sql), 0);
    redis("FLUSHALL");
    http("GET", "/api/v1/auth/me", NULL, h, NULL, a);
    assert_int_equal(a->status, 200);
    assert_true(header(a, "Set-Cookie", cookie, sizeof(cookie)));
    assert_string_equal(cookie, w.set_cookie); /* the same token, attributes and lifetime */
    assert_true(sqln("SELECT extract(epoch FROM expires_at - now())::bigint FROM "
                     "gateway.sessions WHERE user_id = $1",
                     w.user_id) > SESSION_TTL_S - 15);

    /* Renewed once: the next request says nothing. */
    http("GET", "/api/v1/auth/me", NULL, h, NULL, a);
    assert_int_equal(a->status, 200);
    assert_false(header(a, "Set-Cookie", cookie, sizeof(cookie)));
    free(a);
}

/* `series` in the public /metrics text, waiting up to 5 s for it to reach
 * `min` (a response is counted once MHD has finished sending it). */
static long long metric_at_least(const char *series, long long min)
{
    static char text[262144];
    char url[128];
    snprintf(url, sizeof(url), "%s/metrics", web_url);
    long long v = -1;
    for (int i = 0; i < 50; i++) {
        assert_int_equal(sk_test_http_get(url, text, sizeof(text)), 200);
        v = metric(text, series);
        if (v >= min)
            break;
        sk_test_sleep_ms(100);
    }
    return v;
}

#define HTTP_REQUESTS(code) "seklik_http_requests_total{service=\"gateway\",code=\"" code "\"}"
#define HTTP_COUNT          "seklik_http_latency_seconds_count{service=\"gateway\"}"

static void http_responses_are_counted_by_class(void **state)
{
    (void)state;
    need_gateway();
    long long ok = metric_at_least(HTTP_REQUESTS("2xx"), 0);
    long long client = metric_at_least(HTTP_REQUESTS("4xx"), 0);
    long long count = metric_at_least(HTTP_COUNT, 0);
    assert_true(ok >= 0 && client >= 0 && count >= 0);

    http_answer *a = calloc(1, sizeof(*a));
    assert_non_null(a);
    http("GET", "/healthz", NULL, NULL, NULL, a);
    assert_int_equal(a->status, 200);
    http("GET", "/api/v1/no/such/path", NULL, NULL, NULL, a);
    assert_int_equal(a->status, 404);
    http("POST", "/api/v1/registry.NoSuchMethod", NULL, NULL, "{}", a);
    assert_int_equal(a->status, 404);
    /* Refused by MHD itself (past SEKLIK_GATEWAY_MAX_HEADER_BYTES): counted too. */
    static char big[40100];
    memcpy(big, "X-Big: ", 7);
    memset(big + 7, 'a', 40000);
    const char *h[] = {big, NULL};
    http("GET", "/healthz", NULL, h, NULL, a);
    assert_int_equal(a->status, 431);
    free(a);

    /* Each /metrics read above and here is a 2xx as well: at least. */
    assert_true(metric_at_least(HTTP_REQUESTS("2xx"), ok + 2) >= ok + 2);
    assert_true(metric_at_least(HTTP_REQUESTS("4xx"), client + 3) >= client + 3);
    assert_true(metric_at_least(HTTP_COUNT, count + 5) >= count + 5);
    char url[128];
    static char text[262144];
    snprintf(url, sizeof(url), "%s/metrics", web_url);
    assert_int_equal(sk_test_http_get(url, text, sizeof(text)), 200);
    assert_non_null(
        strstr(text, "seklik_http_latency_seconds_bucket{service=\"gateway\",le=\"+Inf\"}"));
    /* And where Prometheus scrapes: the service's health port. */
    snprintf(url, sizeof(url), "%s/metrics", gw.http);
    assert_int_equal(sk_test_http_get(url, text, sizeof(text)), 200);
    assert_true(metric(text, HTTP_REQUESTS("4xx")) >= client + 3);
}

/* ---- connection limits ---- */

/* A TCP connection to the gateway's web port from 127.0.0.1, with a receive timeout. */
static int connect_web(int recv_timeout_s)
{
    int port = atoi(strrchr(web_url, ':') + 1);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    struct timeval tv = {.tv_sec = recv_timeout_s};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

/* Bytes the server sent before closing `fd`, or -1 when it kept it open past the timeout. */
static ssize_t read_until_closed(int fd, char *buf, size_t cap)
{
    size_t got = 0;
    for (;;) {
        ssize_t n = recv(fd, buf + got, cap - 1 - got, 0);
        if (n > 0 && got + (size_t)n < cap - 1) {
            got += (size_t)n;
            continue;
        }
        buf[got] = '\0';
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return (ssize_t)got;
        return -1;
    }
}

static void slow_clients_and_surplus_connections_are_cut(void **state)
{
    (void)state;
    need_gateway();
    char buf[4096];
    /* Half a request line, then nothing: cut after the idle timeout, not held. */
    int slow = connect_web(IDLE_TIMEOUT_S * 4);
    assert_int_equal(send(slow, "GET /heal", 9, 0), 9);
    uint64_t t0 = sk_now_mono_ns();
    ssize_t n = read_until_closed(slow, buf, sizeof(buf));
    double waited_s = (double)(sk_now_mono_ns() - t0) / 1e9;
    close(slow);
    assert_true(n >= 0);                    /* closed by the server... */
    assert_true(waited_s >= IDLE_TIMEOUT_S - 1); /* ...by the timeout, not at once */

    /* One address opening one connection more than allowed: exactly one of
     * them is closed at once, unanswered (which one depends on the order the
     * server accepts them in). */
    int conns[PER_IP + 1];
    for (int i = 0; i <= PER_IP; i++)
        conns[i] = connect_web(5);
    int closed = -1;
    uint64_t deadline = sk_now_mono_ns() + (uint64_t)(IDLE_TIMEOUT_S - 1) * 1000000000ull;
    while (closed < 0 && sk_now_mono_ns() < deadline) {
        for (int i = 0; i <= PER_IP && closed < 0; i++) {
            ssize_t r = recv(conns[i], buf, sizeof(buf), MSG_DONTWAIT);
            if (r == 0 || (r < 0 && errno == ECONNRESET))
                closed = i;
            else
                assert_true(r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
        }
        if (closed < 0)
            sk_test_sleep_ms(20);
    }
    assert_true(closed >= 0);
    for (int i = 0; i <= PER_IP; i++) {
        if (i == closed)
            continue;
        ssize_t r = recv(conns[i], buf, sizeof(buf), MSG_DONTWAIT);
        assert_true(r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)); /* still open */
    }
    const char *get = "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    for (int i = 0; i <= PER_IP; i++)
        close(conns[i]);
    sk_test_sleep_ms(300);
    /* With them gone, the same address is served again. */
    int again = connect_web(5);
    assert_int_equal(send(again, get, strlen(get), MSG_NOSIGNAL), (ssize_t)strlen(get));
    n = read_until_closed(again, buf, sizeof(buf));
    close(again);
    assert_true(n > 0);
    assert_non_null(strstr(buf, "HTTP/1.1 200"));
}

/* ---- the Gateway bus methods ---- */

static void create_user_by_a_non_admin_is_denied(void **state)
{
    (void)state;
    need_gateway();
    Seklik__Gateway__CreateUserRequest req = SEKLIK__GATEWAY__CREATE_USER_REQUEST__INIT;
    char name[64];
    char *roles[] = {"pr"};
    req.username = (char *)unique("byverifier", name, sizeof(name));
    req.roles = roles;
    req.n_roles = 1;
    req.password = (char *)GOOD_PASSWORD;
    Seklik__Bus__Actor a = it_actor("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "verifier", NULL);
    Seklik__Bus__Response *r = call("CreateUser", &a, true, &req.base);
    assert_int_equal(it_code(r), SK_EPERM);
    seklik__bus__response__free_unpacked(r, NULL);
    assert_int_equal(sqln("SELECT count(*) FROM gateway.users WHERE username = $1", name), 0);
}

static void create_user_names_the_bad_fields(void **state)
{
    (void)state;
    need_gateway();
    Seklik__Gateway__CreateUserRequest req = SEKLIK__GATEWAY__CREATE_USER_REQUEST__INIT;
    char name[64];
    char *roles[] = {"verifier", "partner"};
    req.username = (char *)unique("weak", name, sizeof(name));
    req.roles = roles;
    req.n_roles = 2;
    req.password = "short";
    req.locale = "fr";
    Seklik__Bus__Actor a = it_actor("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "admin", NULL);
    Seklik__Bus__Response *r = call("CreateUser", &a, true, &req.base);
    assert_int_equal(it_code(r), SK_EINVAL);
    assert_true(it_names_field(r, "password"));
    assert_true(it_names_field(r, "roles"));
    assert_true(it_names_field(r, "locale"));
    for (size_t i = 0; i < r->n_violations; i++)
        if (strcmp(r->violations[i]->field, "password") == 0)
            assert_non_null(strstr(r->violations[i]->description, "(password needs at least"));
    seklik__bus__response__free_unpacked(r, NULL);
    assert_int_equal(sqln("SELECT count(*) FROM gateway.users WHERE username = $1", name), 0);
}

static void admin_creates_lists_disables_and_the_session_ends(void **state)
{
    (void)state;
    need_gateway();
    char admin_name[64];
    make_user("admin", admin_name, sizeof(admin_name));
    gw_session admin;
    gw_auth_error err;
    assert_int_equal(gw_auth_login(auth, admin_name, GOOD_PASSWORD, "10.10.0.1", &admin, &err),
                     SK_OK);
    char *aroles[GW_MAX_ROLES];
    Seklik__Bus__Actor a = actor_of(&admin, aroles);

    Seklik__Gateway__CreateUserRequest req = SEKLIK__GATEWAY__CREATE_USER_REQUEST__INIT;
    char name[64];
    char *roles[] = {"finance"};
    req.username = (char *)unique("Bendahara", name, sizeof(name));
    req.display_name = "Bendahara Pengeluaran";
    req.roles = roles;
    req.n_roles = 1;
    req.password = (char *)GOOD_PASSWORD;
    Seklik__Bus__Response *r = call("CreateUser", &a, true, &req.base);
    assert_int_equal(it_code(r), SK_OK);
    Seklik__Gateway__User *u =
        seklik__gateway__user__unpack(NULL, r->body.len, r->body.data);
    seklik__bus__response__free_unpacked(r, NULL);
    assert_non_null(u);
    for (char *p = name; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    assert_string_equal(u->username, name);
    assert_int_equal(u->version, 1);
    char id[SK_UUID_STRLEN];
    snprintf(id, sizeof(id), "%s", u->id);
    seklik__gateway__user__free_unpacked(u, NULL);
    assert_int_equal(sqln("SELECT count(*) FROM gateway.audit_log WHERE action = 'user.create' "
                          "AND entity_id = $1",
                          id),
                     1);

    Seklik__Gateway__ListUsersRequest lreq = SEKLIK__GATEWAY__LIST_USERS_REQUEST__INIT;
    lreq.query = name;
    lreq.role = "finance";
    r = call("ListUsers", &a, false, &lreq.base);
    assert_int_equal(it_code(r), SK_OK);
    Seklik__Gateway__ListUsersResponse *l =
        seklik__gateway__list_users_response__unpack(NULL, r->body.len, r->body.data);
    assert_int_equal(l->n_users, 1);
    assert_string_equal(l->users[0]->id, id);
    seklik__gateway__list_users_response__free_unpacked(l, NULL);
    seklik__bus__response__free_unpacked(r, NULL);

    /* The new user logs in; disabling them ends the session at once. */
    gw_session s, rs;
    assert_int_equal(gw_auth_login(auth, name, GOOD_PASSWORD, "10.10.0.2", &s, &err), SK_OK);
    assert_int_equal(gw_auth_resolve(auth, s.token, &rs), SK_OK);
    assert_true(cached(&s));

    /* ChangeOwnPassword: the current one is checked. */
    char *sroles[GW_MAX_ROLES];
    Seklik__Bus__Actor self = actor_of(&s, sroles);
    Seklik__Gateway__ChangeOwnPasswordRequest cp = SEKLIK__GATEWAY__CHANGE_OWN_PASSWORD_REQUEST__INIT;
    cp.current_password = "Salah-Sandi-123";
    cp.new_password = "Teh-Manis-Sore-8";
    r = call("ChangeOwnPassword", &self, true, &cp.base);
    assert_int_equal(it_code(r), SK_EINVAL);
    assert_true(it_names_field(r, "currentPassword"));
    seklik__bus__response__free_unpacked(r, NULL);
    cp.current_password = (char *)GOOD_PASSWORD;
    r = call("ChangeOwnPassword", &self, true, &cp.base);
    assert_int_equal(it_code(r), SK_OK);
    seklik__bus__response__free_unpacked(r, NULL);
    assert_int_equal(gw_auth_login(auth, name, "Teh-Manis-Sore-8", "10.10.0.2", &s, &err), SK_OK);

    Seklik__Gateway__UpdateUserRequest up = SEKLIK__GATEWAY__UPDATE_USER_REQUEST__INIT;
    up.user_id = id;
    up.set_disabled = true;
    up.disabled = true;
    up.expected_version = 1; /* the password change bumped it: refused */
    r = call("UpdateUser", &a, true, &up.base);
    assert_int_equal(it_code(r), SK_EPRECOND);
    seklik__bus__response__free_unpacked(r, NULL);
    up.expected_version = 0;
    r = call("UpdateUser", &a, true, &up.base);
    assert_int_equal(it_code(r), SK_OK);
    seklik__bus__response__free_unpacked(r, NULL);
    assert_int_equal(gw_auth_resolve(auth, s.token, &rs), SK_EAUTH);
    assert_false(cached(&s));
    assert_int_equal(sqln("SELECT count(*) FROM gateway.sessions WHERE user_id = $1::uuid", id),
                     0);
    assert_int_equal(gw_auth_login(auth, name, "Teh-Manis-Sore-8", "10.10.0.2", &s, &err),
                     SK_EAUTH);

    /* An admin cannot lock themselves out. */
    up.user_id = admin.user_id;
    r = call("UpdateUser", &a, true, &up.base);
    assert_int_equal(it_code(r), SK_EINVAL);
    assert_true(it_names_field(r, "disabled"));
    seklik__bus__response__free_unpacked(r, NULL);

    /* ResetPassword by a non-admin is denied; by the admin it works. */
    Seklik__Gateway__ResetPasswordRequest rp = SEKLIK__GATEWAY__RESET_PASSWORD_REQUEST__INIT;
    rp.user_id = id;
    rp.new_password = "Nasi-Goreng-Pedas-3";
    r = call("ResetPassword", &self, true, &rp.base);
    assert_int_equal(it_code(r), SK_EPERM);
    seklik__bus__response__free_unpacked(r, NULL);
    r = call("ResetPassword", &a, true, &rp.base);
    assert_int_equal(it_code(r), SK_OK);
    seklik__bus__response__free_unpacked(r, NULL);
}

static void health_answers(void **state)
{
    (void)state;
    need_gateway();
    Seklik__Bus__HealthRequest h = SEKLIK__BUS__HEALTH_REQUEST__INIT;
    Seklik__Bus__Response *r = call("Health", NULL, false, &h.base);
    assert_int_equal(it_code(r), SK_OK);
    seklik__bus__response__free_unpacked(r, NULL);
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: %s TESTPUB TESTSUB LOGDIR SEKLIK-GATEWAY SEKLIKCTL\n", argv[0]);
        return 2;
    }
    if (sodium_init() < 0)
        return 1;
    gateway_bin = argv[4];
    ctl_bin = argv[5];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seklikctl_user_logs_in_and_the_session_resolves),
        cmocka_unit_test(wrong_password_and_unknown_user_get_the_same_answer),
        cmocka_unit_test(failures_throttle_the_username_even_with_the_right_password),
        cmocka_unit_test(failures_throttle_the_address_across_usernames),
        cmocka_unit_test(ipv6_addresses_of_one_subscriber_share_the_address_limit),
        cmocka_unit_test(logout_ends_the_session_everywhere),
        cmocka_unit_test(session_survives_a_redis_flush),
        cmocka_unit_test(session_is_renewed_when_half_is_gone),
        cmocka_unit_test(seklikctl_disable_refuses_the_session_and_the_login),
        cmocka_unit_test(seklikctl_usage_and_idempotent_create),
        cmocka_unit_test(signup_makes_a_partner_bound_once),
        cmocka_unit_test(refusals_are_audited),
        cmocka_unit_test(http_refusals_are_audited_with_the_client_address),
        cmocka_unit_test(forwarded_for_is_believed_only_from_a_trusted_proxy),
        cmocka_unit_test(renewed_session_sends_the_cookie_again),
        cmocka_unit_test(http_responses_are_counted_by_class),
        cmocka_unit_test(slow_clients_and_surplus_connections_are_cut),
        cmocka_unit_test(health_answers),
        cmocka_unit_test(create_user_by_a_non_admin_is_denied),
        cmocka_unit_test(create_user_names_the_bad_fields),
        cmocka_unit_test(admin_creates_lists_disables_and_the_session_ends),
    };
    return it_main2(argc, argv, tests, sizeof(tests) / sizeof(tests[0]), start, stop);
}
