/* Redis is not trusted: someone who can write to it gains nothing. The test
 * plays that attacker with its own Redis connection (the fixture's
 * credentials: getting in is the premise, not the attack) against a running
 * seklik-gateway and seklik-scoring: a made-up admin session, a real admin
 * session copied under another token, and changed or moved price ceilings
 * are all refused, counted, and answered from PostgreSQL. And without the
 * password, the fixture's Redis lets nobody in.
 *
 * argv: testpub testsub logdir seklik-gateway seklikctl seklik-scoring */
#include <cjson/cJSON.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/wait.h>

#include "it_common.h"
#include "seklik/registry.pb-c.h"
#include "seklik/scoring.pb-c.h"
#include "seklik/verification.pb-c.h"
#include "sk_cache.h"
#include "sk_cache_seal.h"

#define YEAR 2027
#define SEAL SK_CACHE_SEAL_OVERHEAD

static const char *gateway_bin, *ctl_bin, *scoring_bin;
static char gw_dsn[512], sc_dsn[512], reg_dsn[512], ver_dsn[512];
static char web_url[64];
static sk_test_peer gw, scoring, fake_registry, fake_verification;
static sk_rpc_client *scoring_rpc;
static redisContext *attacker; /* the test's own connection to the fixture's Redis */

static const char PASSWORD[] = "Kopi-Susu-Pagi-7";

/* ---- Redis, as the attacker ---- */

static void redis_set(const char *key, const void *val, size_t len)
{
    redisReply *r = redisCommand(attacker, "SET %s %b EX 600", key, val, len);
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_STATUS);
    freeReplyObject(r);
}

/* The value under `key` (malloc'ed, *len bytes), or NULL when there is none. */
static uint8_t *redis_get(const char *key, size_t *len)
{
    redisReply *r = redisCommand(attacker, "GET %s", key);
    assert_non_null(r);
    uint8_t *v = NULL;
    if (r->type == REDIS_REPLY_STRING) {
        v = malloc(r->len + 1);
        assert_non_null(v);
        memcpy(v, r->str, r->len);
        *len = r->len;
    } else {
        assert_int_equal(r->type, REDIS_REPLY_NIL);
    }
    freeReplyObject(r);
    return v;
}

static long long metric(const sk_test_peer *p, const char *name)
{
    char url[128];
    static char text[65536];
    snprintf(url, sizeof(url), "%s/metrics", p->http);
    assert_int_equal(sk_test_http_get(url, text, sizeof(text)), 200);
    return sk_test_metric(text, name);
}

/* ---- the gateway, as a browser ---- */

static void made_up_token(char out[64])
{
    uint8_t raw[32];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, 64, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void session_key(const char *token, char *out, size_t cap)
{
    uint8_t h[32];
    char hex[65];
    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    snprintf(out, cap, "seklik:gateway:session:%s", hex);
}

/* curl `method` `path` with the session cookie `token` (may be NULL) and a
 * JSON `body` (may be NULL); the status, the body into `out`, and the
 * session cookie the answer sets (if any) into `set_token`. */
static int http(const char *method, const char *path, const char *token, const char *body,
                char *out, size_t cap, char *set_token, size_t token_cap)
{
    char cmd[2048], hdr[512], bodyf[512], in[512];
    snprintf(hdr, sizeof(hdr), "%s/it_cache_forgery.headers", it_logdir);
    snprintf(bodyf, sizeof(bodyf), "%s/it_cache_forgery.body", it_logdir);
    snprintf(in, sizeof(in), "%s/it_cache_forgery.in", it_logdir);
    int n = snprintf(cmd, sizeof(cmd), "curl -s -m 20 -X %s -o '%s' -D '%s' -w '%%{http_code}'",
                     method, bodyf, hdr);
    if (token)
        n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " -H 'Cookie: seklik_session=%s'", token);
    if (body) {
        FILE *f = fopen(in, "wb");
        assert_non_null(f);
        fputs(body, f);
        fclose(f);
        n += snprintf(cmd + n, sizeof(cmd) - (size_t)n,
                      " -H 'Content-Type: application/json' --data-binary '@%s'", in);
    }
    snprintf(cmd + n, sizeof(cmd) - (size_t)n, " '%s%s'", web_url, path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char code[16] = "";
    if (!fgets(code, sizeof(code), p))
        code[0] = '\0';
    pclose(p);
    FILE *f = fopen(bodyf, "rb");
    size_t got = f ? fread(out, 1, cap - 1, f) : 0;
    out[got] = '\0';
    if (f)
        fclose(f);
    if (set_token) {
        set_token[0] = '\0';
        char line[1024];
        f = fopen(hdr, "r");
        while (f && fgets(line, sizeof(line), f)) {
            static const char SET[] = "set-cookie: seklik_session=";
            if (strncasecmp(line, SET, sizeof(SET) - 1) == 0) {
                const char *v = line + sizeof(SET) - 1;
                snprintf(set_token, token_cap, "%.*s", (int)strcspn(v, ";\r\n"), v);
            }
        }
        if (f)
            fclose(f);
    }
    return atoi(code);
}

/* GET /api/v1/auth/me with `token`: the status; the roles when 200. */
static int me(const char *token, char *roles, size_t cap)
{
    static char body[65536];
    int status = http("GET", "/api/v1/auth/me", token, NULL, body, sizeof(body), NULL, 0);
    roles[0] = '\0';
    if (status == 200) {
        cJSON *o = cJSON_Parse(body);
        const cJSON *user = cJSON_GetObjectItemCaseSensitive(o, "user");
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(user ? user : o, "roles");
        char *text = r ? cJSON_PrintUnformatted(r) : NULL;
        snprintf(roles, cap, "%s", text ? text : "");
        cJSON_free(text);
        cJSON_Delete(o);
    }
    return status;
}

/* A new admin, made by seklikctl, logged in: its session token. */
static void admin_logs_in(char *token, size_t cap)
{
    char name[64], cmd[1024], body[256], out[4096];
    snprintf(name, sizeof(name), "forgery%u", (unsigned)randombytes_uniform(1000000));
    setenv("SEKLIK_GATEWAY_DB_DSN", gw_dsn, 1);
    setenv("SEKLIK_REDIS_URL", sk_test_env("SEKLIK_TEST_REDIS_URL"), 1);
    setenv("SEKLIK_TEST_PW", PASSWORD, 1);
    snprintf(cmd, sizeof(cmd),
             "%s user create --username %s --role admin --password-env SEKLIK_TEST_PW "
             ">>%s/it_cache_forgery.seklikctl.log 2>&1",
             ctl_bin, name, it_logdir);
    int st = system(cmd);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", name, PASSWORD);
    assert_int_equal(http("POST", "/api/v1/auth/login", NULL, body, out, sizeof(out), token, cap),
                     200);
    assert_int_equal(strlen(token), 43);
}

/* ---- scoring's inputs, as the registry and verification would send them ---- */

typedef struct outlet {
    char company[SK_UUID_STRLEN], id[SK_UUID_STRLEN];
} outlet;

/* The year opened (verification.year.opened) and scoring's drafts of it
 * published by the admin: a year nobody opened scores and prices nothing. */
static void year_in_force(void)
{
    if (sk_test_sql_number(sc_dsn, "SELECT count(*) FROM scoring.price_standard WHERE"
                                   " state = 'published'") == 1)
        return;
    Seklik__Verification__FiscalYear y = SEKLIK__VERIFICATION__FISCAL_YEAR__INIT;
    y.fiscal_year = YEAR;
    y.registration_opens_on = "2000-01-01";
    y.registration_closes_on = "2027-12-31";
    Seklik__Verification__YearOpened opened = SEKLIK__VERIFICATION__YEAR_OPENED__INIT;
    opened.year = &y;
    it_inject(ver_dsn, "verification.year.opened", &opened.base);
    for (int i = 0; i < 400 && sk_test_sql_number(sc_dsn, "SELECT count(*) FROM"
                                                          " scoring.price_standard") == 0;
         i++)
        sk_test_sleep_ms(50);
    Seklik__Bus__Actor admin = it_actor("admin-1", "admin", NULL);
    Seklik__Scoring__PublishRequest pub = SEKLIK__SCORING__PUBLISH_REQUEST__INIT;
    pub.fiscal_year = YEAR;
    const char *const methods[] = {"Scoring.PublishRuleSet", "Scoring.PublishPriceStandard"};
    for (size_t m = 0; m < 2; m++) {
        char key[SK_UUID_STRLEN];
        sk_uuid7(key);
        Seklik__Bus__Response *resp = NULL;
        assert_int_equal(sk_rpc_call(scoring_rpc, methods[m], &admin, key, &pub.base, 30000, &resp),
                         SK_OK);
        assert_int_equal(resp->code, SEKLIK__BUS__CODE__OK);
        seklik__bus__response__free_unpacked(resp, NULL);
    }
}

/* One accepted document version in force, as verification's case shows it. */
static void accepted(Seklik__Verification__CaseDocument *d, int type, const char *person, int level)
{
    seklik__verification__case_document__init(d);
    d->type = (Seklik__Registry__DocumentType)type;
    d->person_id = (char *)(person ? person : "");
    d->decision = SEKLIK__VERIFICATION__DECISION__DECISION_ACCEPTED;
    d->in_force_document_id = "0190a0a0-0000-7000-8000-00000000d0c0";
    d->in_force_dewan_pers_status = (Seklik__Registry__DewanPersStatus)level;
}

/* A verified online outlet that scores tier B (see it_scoring.c: GOLDEN):
 * its certificates and deed accepted. */
static void scored_outlet(outlet *o)
{
    year_in_force();
    sk_uuid7(o->company);
    sk_uuid7(o->id);
    char person[4][SK_UUID_STRLEN];
    Seklik__Registry__OutletInput oi = SEKLIK__REGISTRY__OUTLET_INPUT__INIT;
    oi.type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_SIBER;
    oi.name = "Portal Berita";
    oi.monthly_visitors = 600000;
    Seklik__Registry__Outlet out = SEKLIK__REGISTRY__OUTLET__INIT, *outlets[] = {&out};
    out.id = o->id;
    out.data = &oi;
    Seklik__Registry__PersonInput pi[4];
    Seklik__Registry__Person people[4], *pp[4];
    for (size_t k = 0; k < 4; k++) {
        seklik__registry__person_input__init(&pi[k]);
        pi[k].role = k == 0 ? SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_CHIEF_EDITOR
                            : SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_JOURNALIST;
        pi[k].ukw_level = k == 0 ? SEKLIK__REGISTRY__UKW_LEVEL__UKW_LEVEL_MADYA
                                 : SEKLIK__REGISTRY__UKW_LEVEL__UKW_LEVEL_MUDA;
        pi[k].ukw_certificate_expiry = k < 3 ? "2099-12-31" : "2020-12-31";
        seklik__registry__person__init(&people[k]);
        sk_uuid7(person[k]);
        people[k].id = person[k];
        people[k].data = &pi[k];
        pp[k] = &people[k];
    }
    Seklik__Registry__CompanyInput ci = SEKLIK__REGISTRY__COMPANY_INPUT__INIT;
    ci.legal_name = "PT Media";
    ci.dewan_pers_status = SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_FAKTUAL;
    ci.deed_date = "2020-01-01";
    Seklik__Registry__Company c = SEKLIK__REGISTRY__COMPANY__INIT;
    c.id = o->company;
    c.data = &ci;
    c.outlets = outlets;
    c.n_outlets = 1;
    c.people = pp;
    c.n_people = 4;
    Seklik__Registry__CompanyChanged reg = SEKLIK__REGISTRY__COMPANY_CHANGED__INIT;
    reg.company = &c;
    it_inject(reg_dsn, "registry.company.submitted", &reg.base);

    /* faktual, Madya, two of three journalists, the deed: 78, B */
    Seklik__Verification__CaseDocument docs[5], *dp[5];
    accepted(&docs[0], 1, NULL, 0);
    accepted(&docs[1], 6, NULL, SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_FAKTUAL);
    for (size_t k = 0; k < 3; k++)
        accepted(&docs[2 + k], 7, person[k], 0);
    for (size_t k = 0; k < 5; k++)
        dp[k] = &docs[k];
    Seklik__Verification__CaseOutlet co = SEKLIK__VERIFICATION__CASE_OUTLET__INIT, *cop[] = {&co};
    co.outlet_id = o->id;
    co.state = SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_VERIFIED;
    Seklik__Verification__Case vc = SEKLIK__VERIFICATION__CASE__INIT;
    vc.company_id = o->company;
    vc.fiscal_year = YEAR;
    vc.state = SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VERIFIED;
    vc.outlets = cop;
    vc.n_outlets = 1;
    vc.documents = dp;
    vc.n_documents = 5;
    Seklik__Verification__CaseChanged ver = SEKLIK__VERIFICATION__CASE_CHANGED__INIT;
    ver.verification_case = &vc;
    it_inject(ver_dsn, "verification.company.verified", &ver.base);

    static const char sql[] =
        "SELECT count(*) FROM scoring.outlet_score WHERE outlet_id = $1::uuid AND tier > 0";
    for (int i = 0; i < 400 && sk_test_sql_number_p(sc_dsn, sql, o->id) != 1; i++)
        sk_test_sleep_ms(50);
    assert_int_equal(sk_test_sql_number_p(sc_dsn, sql, o->id), 1);
}

/* Scoring.GetCeiling: its code, and the ceiling when OK. */
static int get_ceiling(const outlet *o, int product, int64_t *value)
{
    Seklik__Scoring__GetCeilingRequest req = SEKLIK__SCORING__GET_CEILING_REQUEST__INIT;
    req.outlet_id = (char *)o->id;
    req.product = (Seklik__Scoring__Product)product;
    req.fiscal_year = YEAR;
    Seklik__Bus__Actor a = it_actor("admin-1", "admin", NULL);
    Seklik__Bus__Response *resp = NULL;
    assert_int_equal(sk_rpc_call(scoring_rpc, "Scoring.GetCeiling", &a, NULL, &req.base, 30000,
                                 &resp),
                     SK_OK);
    int rc = it_code(resp);
    if (rc == SK_OK) {
        Seklik__Scoring__Ceiling *c =
            seklik__scoring__ceiling__unpack(NULL, resp->body.len, resp->body.data);
        assert_non_null(c);
        *value = c->ceiling;
        seklik__scoring__ceiling__free_unpacked(c, NULL);
    }
    seklik__bus__response__free_unpacked(resp, NULL);
    return rc;
}

/* Read a ceiling from PostgreSQL until the service has cached it: for 2 s
 * after the change that scored the outlet, its keys are fenced and reads are
 * not stored. The value under `key` (malloc'ed, *len bytes). */
static uint8_t *read_until_cached(const outlet *o, int product, const char *key, int64_t *value,
                                  size_t *len)
{
    for (int waited = 0; waited <= 5000; waited += 100) {
        assert_int_equal(get_ceiling(o, product, value), SK_OK);
        uint8_t *v = redis_get(key, len);
        if (v)
            return v;
        sk_test_sleep_ms(100);
    }
    fail_msg("%s was not cached within 5 s", key);
    return NULL;
}

static void ceiling_key(const outlet *o, int product, char *out, size_t cap)
{
    snprintf(out, cap, "seklik:scoring:ceiling:%d:%s:%d", YEAR, o->id, product);
}

/* ---- fixture ---- */

static int start(void **state)
{
    (void)state;
    char log[512];
    if (!sk_test_create_db("it_cache_forgery_gateway", gw_dsn, sizeof(gw_dsn)) ||
        !sk_test_create_db("it_cache_forgery_scoring", sc_dsn, sizeof(sc_dsn)) ||
        !sk_test_create_db("it_cache_forgery_registry", reg_dsn, sizeof(reg_dsn)) ||
        !sk_test_create_db("it_cache_forgery_verification", ver_dsn, sizeof(ver_dsn)))
        return -1;
    attacker = sk_test_redis_connect(0);
    if (!attacker)
        return -1;
    const char *redis_url = sk_test_env("SEKLIK_TEST_REDIS_URL");

    /* The gateway takes its credentials the way k8s gives them: a URL without
     * them, SEKLIK_REDIS_USER and SEKLIK_REDIS_PASSWORD from a Secret. */
    char bare_url[64];
    snprintf(bare_url, sizeof(bare_url), "redis://127.0.0.1:%s/0",
             sk_test_env("SEKLIK_TEST_REDIS_PORT"));
    sk_test_peer_init(&gw, "gateway", gw_dsn, bare_url);
    sk_test_peer_setenv(&gw, "SEKLIK_REDIS_USER", sk_test_env("SEKLIK_TEST_REDIS_USER"));
    sk_test_peer_setenv(&gw, "SEKLIK_REDIS_PASSWORD", sk_test_env("SEKLIK_TEST_REDIS_PASSWORD"));
    snprintf(web_url, sizeof(web_url), "http://127.0.0.1:%d", sk_test_free_port());
    sk_test_peer_setenv(&gw, "SEKLIK_GATEWAY_LISTEN", web_url);
    if (sk_test_peer_start(&gw, gateway_bin, it_log(log, sizeof(log), "cache_forgery", "gateway")))
        return -1;

    sk_test_peer_init(&fake_registry, "testpub", reg_dsn, redis_url);
    if (sk_test_peer_start(&fake_registry, it_pub_bin,
                           it_log(log, sizeof(log), "cache_forgery", "registry")))
        return -1;
    sk_test_peer_init(&fake_verification, "testpub", ver_dsn, redis_url);
    if (sk_test_peer_start(&fake_verification, it_pub_bin,
                           it_log(log, sizeof(log), "cache_forgery", "verification")))
        return -1;
    sk_test_peer_init(&scoring, "scoring", sc_dsn, redis_url);
    sk_test_peer_setenv(&scoring, "SEKLIK_REGISTRY_RPC", fake_registry.rpc);
    sk_test_peer_setenv(&scoring, "SEKLIK_REGISTRY_EVENTS", fake_registry.events);
    sk_test_peer_setenv(&scoring, "SEKLIK_VERIFICATION_RPC", fake_verification.rpc);
    sk_test_peer_setenv(&scoring, "SEKLIK_VERIFICATION_EVENTS", fake_verification.events);
    if (sk_test_peer_start(&scoring, scoring_bin,
                           it_log(log, sizeof(log), "cache_forgery", "scoring")))
        return -1;
    scoring_rpc = it_client(scoring.rpc);
    return 0;
}

static int stop(void **state)
{
    (void)state;
    sk_rpc_client_close(scoring_rpc);
    sk_test_peer *peers[] = {&gw, &scoring, &fake_registry, &fake_verification};
    int rc = 0;
    for (size_t i = 0; i < 4; i++)
        if (peers[i]->proc.pid > 0)
            sk_proc_signal(&peers[i]->proc, SIGTERM);
    for (size_t i = 0; i < 4; i++)
        if (peers[i]->proc.pid > 0 && sk_proc_wait(&peers[i]->proc, 15000) != 0)
            rc = -1;
    if (attacker)
        redisFree(attacker);
    return rc;
}

/* ---- tests ---- */

/* Without the password Redis answers nothing but NOAUTH; with a wrong one,
 * WRONGPASS; and the services' user reaches only seklik:* with the cache's
 * commands. */
static void fixture_redis_refuses_whoever_has_no_password(void **state)
{
    (void)state;
    redisContext *r = redisConnect("127.0.0.1", atoi(sk_test_env("SEKLIK_TEST_REDIS_PORT")));
    assert_true(r && !r->err);
    static const char *const cmds[] = {"PING", "GET seklik:gateway:session:x", "KEYS *",
                                       "CONFIG GET requirepass"};
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        redisReply *x = redisCommand(r, cmds[i]);
        assert_non_null(x);
        assert_int_equal(x->type, REDIS_REPLY_ERROR);
        if (strncmp(x->str, "NOAUTH", 6) != 0)
            fail_msg("%s without a password: %s", cmds[i], x->str);
        freeReplyObject(x);
    }
    redisReply *x = redisCommand(r, "AUTH %s %s", sk_test_env("SEKLIK_TEST_REDIS_USER"),
                                 "not-the-password");
    assert_int_equal(x->type, REDIS_REPLY_ERROR);
    assert_int_equal(strncmp(x->str, "WRONGPASS", 9), 0);
    freeReplyObject(x);
    x = redisCommand(r, "AUTH default nopass");
    assert_int_equal(x->type, REDIS_REPLY_ERROR);
    freeReplyObject(x);
    redisFree(r);

    static const char *const denied[] = {"SET elsewhere 1", "GET elsewhere", "KEYS *",
                                         "CONFIG GET *", "ACL LIST", "EVAL return 1 0"};
    for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
        x = redisCommand(attacker, denied[i]);
        assert_non_null(x);
        if (x->type != REDIS_REPLY_ERROR || strncmp(x->str, "NOPERM", 6) != 0)
            fail_msg("%s as the services' user: not refused", denied[i]);
        freeReplyObject(x);
    }
}

/* (a) The attacker makes up a token and writes an admin session for it:
 * the admin's own session JSON, unsigned (what Redis held before values
 * were sealed), and the same with a made-up seal. */
static void made_up_admin_session_is_refused_and_counted(void **state)
{
    (void)state;
    char admin[64], roles[256], key[128], fake[64], fake_key[128];
    admin_logs_in(admin, sizeof(admin));
    assert_int_equal(me(admin, roles, sizeof(roles)), 200);
    assert_non_null(strstr(roles, "admin"));
    session_key(admin, key, sizeof(key));
    size_t len = 0;
    uint8_t *genuine = redis_get(key, &len); /* cached by the gateway, through AUTH */
    assert_non_null(genuine);
    assert_true(len > SEAL);

    long long forged = metric(&gw, "seklik_cache_forged_total");
    assert_true(forged >= 0);

    /* unsigned */
    made_up_token(fake);
    session_key(fake, fake_key, sizeof(fake_key));
    redis_set(fake_key, genuine + SEAL, len - SEAL);
    assert_int_equal(me(fake, roles, sizeof(roles)), 401);
    assert_int_equal(metric(&gw, "seklik_cache_forged_total"), forged + 1);
    size_t left = 0;
    uint8_t *gone = redis_get(fake_key, &left);
    assert_null(gone); /* deleted, and nothing cached for a token PostgreSQL does not know */

    /* a seal of the right shape, with a fresh expiry and a guessed MAC */
    made_up_token(fake);
    session_key(fake, fake_key, sizeof(fake_key));
    uint8_t *v = malloc(len);
    assert_non_null(v);
    memcpy(v, genuine, len);
    uint64_t expires = (uint64_t)(sk_now_unix_ms() / 1000) + 3600;
    for (int i = 0; i < 8; i++)
        v[4 + i] = (uint8_t)(expires >> (56 - 8 * i));
    randombytes_buf(v + 12, 32);
    redis_set(fake_key, v, len);
    assert_int_equal(me(fake, roles, sizeof(roles)), 401);
    assert_int_equal(metric(&gw, "seklik_cache_forged_total"), forged + 2);

    /* the real admin is unaffected */
    assert_int_equal(me(admin, roles, sizeof(roles)), 200);
    free(v);
    free(genuine);
}

/* (b) A genuine sealed admin session, copied byte for byte under the key of
 * a token the attacker holds, is refused: the MAC covers the key name. */
static void admin_session_copied_under_another_token_is_refused(void **state)
{
    (void)state;
    char admin[64], roles[256], key[128], fake[64], fake_key[128];
    admin_logs_in(admin, sizeof(admin));
    assert_int_equal(me(admin, roles, sizeof(roles)), 200);
    session_key(admin, key, sizeof(key));
    size_t len = 0;
    uint8_t *genuine = redis_get(key, &len);
    assert_non_null(genuine);
    long long forged = metric(&gw, "seklik_cache_forged_total");

    made_up_token(fake);
    session_key(fake, fake_key, sizeof(fake_key));
    redis_set(fake_key, genuine, len);
    assert_int_equal(me(fake, roles, sizeof(roles)), 401);
    assert_int_equal(metric(&gw, "seklik_cache_forged_total"), forged + 1);
    assert_int_equal(me(admin, roles, sizeof(roles)), 200);
    free(genuine);
}

/* (c) GetCeiling answers PostgreSQL's ceiling whatever Redis holds: a
 * made-up value, the genuine one with its payload raised, and the genuine
 * (higher) ceiling of another product moved under this product's key. */
static void forged_ceilings_are_ignored_and_postgresql_answers(void **state)
{
    (void)state;
    enum { ADVERTORIAL = SEKLIK__SCORING__PRODUCT__PRODUCT_ONLINE_ADVERTORIAL,
           BANNER = SEKLIK__SCORING__PRODUCT__PRODUCT_ONLINE_BANNER_MONTH };
    outlet o;
    scored_outlet(&o);
    int64_t truth = 0, banner = 0, got = 0;
    char key[160], banner_key[160];
    ceiling_key(&o, ADVERTORIAL, key, sizeof(key));
    ceiling_key(&o, BANNER, banner_key, sizeof(banner_key));
    size_t len = 0, blen = 0;
    uint8_t *genuine = read_until_cached(&o, ADVERTORIAL, key, &truth, &len);
    uint8_t *genuine_banner = read_until_cached(&o, BANNER, banner_key, &banner, &blen);
    assert_true(banner > truth); /* so moving it would grant more */
    long long hits = metric(&scoring, "seklik_cache_hits_total");
    assert_int_equal(get_ceiling(&o, ADVERTORIAL, &got), SK_OK);
    assert_int_equal(got, truth);
    assert_int_equal(metric(&scoring, "seklik_cache_hits_total"), hits + 1); /* the seal opens */

    /* The attacker's ceiling: ten billion rupiah. */
    Seklik__Scoring__Ceiling *c = seklik__scoring__ceiling__unpack(NULL, len - SEAL, genuine + SEAL);
    assert_non_null(c);
    assert_int_equal(c->ceiling, truth);
    c->ceiling = 10000000000;
    size_t flen = seklik__scoring__ceiling__get_packed_size(c);
    uint8_t *raised = malloc(SEAL + flen);
    assert_non_null(raised);
    memcpy(raised, genuine, SEAL);
    seklik__scoring__ceiling__pack(c, raised + SEAL);
    seklik__scoring__ceiling__free_unpacked(c, NULL);

    long long forged = metric(&scoring, "seklik_cache_forged_total");
    struct {
        const char *what;
        const uint8_t *val;
        size_t len;
    } attempts[] = {
        {"unsigned", raised + SEAL, flen},
        {"raised under the genuine seal", raised, SEAL + flen},
        {"another product's genuine value", genuine_banner, blen},
    };
    for (size_t i = 0; i < sizeof(attempts) / sizeof(attempts[0]); i++) {
        redis_set(key, attempts[i].val, attempts[i].len);
        assert_int_equal(get_ceiling(&o, ADVERTORIAL, &got), SK_OK);
        if (got != truth)
            fail_msg("%s: GetCeiling answered %lld, PostgreSQL says %lld", attempts[i].what,
                     (long long)got, (long long)truth);
        assert_int_equal(metric(&scoring, "seklik_cache_forged_total"), forged + 1 + (long long)i);
    }
    /* The refused value was replaced by a genuine one again. */
    hits = metric(&scoring, "seklik_cache_hits_total");
    assert_int_equal(get_ceiling(&o, ADVERTORIAL, &got), SK_OK);
    assert_int_equal(got, truth);
    assert_int_equal(metric(&scoring, "seklik_cache_hits_total"), hits + 1);
    free(raised);
    free(genuine);
    free(genuine_banner);
}

typedef struct fixed_load {
    const char *value;
    int calls;
} fixed_load;

static int load_fixed(void *arg, uint8_t **val, size_t *len)
{
    fixed_load *f = arg;
    f->calls++;
    *len = strlen(f->value);
    *val = malloc(*len);
    if (!*val)
        return SK_ENOMEM;
    memcpy(*val, f->value, *len);
    return SK_OK;
}

/* The seal names the whole Redis key, the service's prefix included: a
 * value one service cached is refused under the same key of another. */
static void value_moved_to_another_services_prefix_is_refused(void **state)
{
    (void)state;
    sk_sign_key secret;
    sk_test_key(&secret);
    sk_cache *alpha = NULL, *beta = NULL;
    sk_cache_options o = {.url = sk_test_env("SEKLIK_TEST_REDIS_URL"), .service = "alpha",
                          .secret = secret.bytes, .secret_len = secret.len};
    assert_int_equal(sk_cache_open(&o, &alpha), SK_OK);
    o.service = "beta";
    assert_int_equal(sk_cache_open(&o, &beta), SK_OK);
    char key[64];
    snprintf(key, sizeof(key), "grant:%u", (unsigned)randombytes_uniform(1000000000));
    fixed_load a = {"alpha says admin", 0}, b = {"beta says nobody", 0};
    uint8_t *val = NULL;
    size_t len = 0;
    assert_int_equal(sk_cache_get_or_load(alpha, key, 60, load_fixed, &a, &val, &len), SK_OK);
    free(val);
    assert_int_equal(sk_cache_get_or_load(alpha, key, 60, load_fixed, &a, &val, &len), SK_OK);
    free(val);
    assert_int_equal(a.calls, 1); /* cached, and read back */

    char from[128], to[128];
    snprintf(from, sizeof(from), "seklik:alpha:%s", key);
    snprintf(to, sizeof(to), "seklik:beta:%s", key);
    uint8_t *genuine = redis_get(from, &len);
    assert_non_null(genuine);
    redis_set(to, genuine, len);
    free(genuine);

    assert_int_equal(sk_cache_get_or_load(beta, key, 60, load_fixed, &b, &val, &len), SK_OK);
    assert_int_equal(b.calls, 1);
    assert_int_equal(len, strlen(b.value));
    assert_memory_equal(val, b.value, len);
    free(val);
    assert_int_equal(atomic_load(&sk_cache_get_stats(beta)->forged), 1);
    assert_int_equal(atomic_load(&sk_cache_get_stats(alpha)->forged), 0);
    sk_cache_close(alpha);
    sk_cache_close(beta);
}

/* A load that read the database before a change, and an invalidation of
 * the change made while that load was in flight. */
typedef struct racing_load {
    sk_cache *cache;
    const char *key;
    int calls;
} racing_load;

static int load_then_change(void *arg, uint8_t **val, size_t *len)
{
    racing_load *r = arg;
    r->calls++;
    sk_cache_invalidate(r->cache, r->key); /* the change commits meanwhile */
    *len = strlen("old roles");
    *val = malloc(*len);
    if (!*val)
        return SK_ENOMEM;
    memcpy(*val, "old roles", *len);
    return SK_OK;
}

/* The race behind a partner's session that lost its company under chaos: a
 * read-through that loaded before a change must not store its copy after
 * the change's invalidation. The invalidation leaves a fence that expires on
 * its own; while it stands nothing is cached under the key. */
static void load_overtaken_by_an_invalidation_is_not_stored(void **state)
{
    (void)state;
    sk_sign_key secret;
    sk_test_key(&secret);
    sk_cache *c = NULL;
    sk_cache_options o = {.url = sk_test_env("SEKLIK_TEST_REDIS_URL"), .service = "fence",
                          .secret = secret.bytes, .secret_len = secret.len};
    assert_int_equal(sk_cache_open(&o, &c), SK_OK);
    char key[64], name[128];
    snprintf(key, sizeof(key), "session:%u", (unsigned)randombytes_uniform(1000000000));
    snprintf(name, sizeof(name), "seklik:fence:%s", key);
    racing_load stale = {c, key, 0};
    uint8_t *val = NULL;
    size_t len = 0;
    assert_int_equal(sk_cache_get_or_load(c, key, 300, load_then_change, &stale, &val, &len),
                     SK_OK);
    free(val);

    fixed_load fresh = {"new roles", 0};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(sk_cache_get_or_load(c, key, 300, load_fixed, &fresh, &val, &len), SK_OK);
        assert_int_equal(len, strlen(fresh.value));
        assert_memory_equal(val, fresh.value, len);
        free(val);
    }
    assert_int_equal(fresh.calls, 2); /* fenced: answered by the loader, not stored */
    redisReply *r = redisCommand(attacker, "PTTL %s", name);
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_INTEGER);
    assert_true(r->integer > 0 && r->integer <= 2000); /* the fence expires by itself */
    freeReplyObject(r);
    /* Once it has, reads are cached again. */
    r = redisCommand(attacker, "DEL %s", name);
    freeReplyObject(r);
    assert_int_equal(sk_cache_get_or_load(c, key, 300, load_fixed, &fresh, &val, &len), SK_OK);
    free(val);
    assert_int_equal(sk_cache_get_or_load(c, key, 300, load_fixed, &fresh, &val, &len), SK_OK);
    free(val);
    assert_int_equal(fresh.calls, 3);
    assert_int_equal(atomic_load(&sk_cache_get_stats(c)->forged), 0);
    sk_cache_close(c);
}

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: %s TESTPUB TESTSUB LOGDIR SEKLIK-GATEWAY SEKLIKCTL SEKLIK-SCORING\n",
                argv[0]);
        return 2;
    }
    gateway_bin = argv[4];
    ctl_bin = argv[5];
    scoring_bin = argv[6];
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixture_redis_refuses_whoever_has_no_password),
        cmocka_unit_test(made_up_admin_session_is_refused_and_counted),
        cmocka_unit_test(admin_session_copied_under_another_token_is_refused),
        cmocka_unit_test(forged_ceilings_are_ignored_and_postgresql_answers),
        cmocka_unit_test(value_moved_to_another_services_prefix_is_refused),
        cmocka_unit_test(load_overtaken_by_an_invalidation_is_not_stored),
    };
    return it_main2(argc, argv, tests, sizeof(tests) / sizeof(tests[0]), start, stop);
}
