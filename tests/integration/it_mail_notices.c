/* Password resets by e-mail and notices of what a user must act on: a real
 * seklik-gateway and seklik-distribution against the fixture's PostgreSQL
 * and Redis and a real SMTP server on loopback (python3-aiosmtpd, one
 * maildir file per message). Five testpubs stand in for registry,
 * verification, scoring, ordering and accounting: the test writes
 * verification's case events, ordering's order events and accounting's
 * invoice events.
 *
 * What it shows: the reset e-mail reaches the right account with a link
 * that works once, not after its expiry and not for another user, and ends
 * every session; the request's answer (and the work behind it) is the same
 * for unknown accounts; requests are throttled per address (429) and per
 * account (no more e-mail, same answer). A rejected document gives the
 * company's partner accounts a notice in the portal and an e-mail only to
 * those who chose it, in their language; a decision waiting for its second
 * person reaches the approvers but its proposer and is settled once
 * decided; a partner never sees another company's notices; an offer waiting
 * for the partner, a rejected proof, a returned and a paid invoice reach
 * the company's partner accounts once each (replays raise nothing twice),
 * e-mailed per each user's choice of kind, and settle when the order moves
 * on; events older than the notice age raise nothing; only service actors
 * queue mail.
 *
 * argv: testpub testsub logdir seklik-gateway seklik-distribution */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "it_common.h"
#include "it_smtp.h"
#include "seklik/accounting.pb-c.h"
#include "seklik/distribution.pb-c.h"
#include "seklik/gateway.pb-c.h"
#include "seklik/ordering.pb-c.h"
#include "seklik/registry.pb-c.h"
#include "seklik/verification.pb-c.h"

#define PORTAL "http://portal.test"
#define PASSWORD "Kopi-Susu-Pagi-7"
#define RESET_MAX_PER_ADDR 6
#define RESET_MAX_PER_ACCOUNT 3

static const char *gateway_bin, *dist_bin;
static char gw_dsn[512], dist_dsn[512], reg_dsn[512], ver_dsn[512], sco_dsn[512], ord_dsn[512],
    acc_dsn[512];
static sk_test_peer gw, dist, fake_registry, fake_verification, fake_scoring, fake_ordering,
    fake_accounting;
static it_smtp relay;
static sk_rpc_client *gw_rpc, *dist_rpc;
static char web_url[64];
static int serial;

/* ---- calls ---- */

static Seklik__Bus__Response *call(sk_rpc_client *c, const char *method,
                                   const Seklik__Bus__Actor *actor, bool command,
                                   const ProtobufCMessage *in)
{
    char key[SK_UUID_STRLEN];
    sk_uuid7(key);
    Seklik__Bus__Response *resp = NULL;
    assert_int_equal(sk_rpc_call(c, method, actor, command ? key : NULL, in, 30000, &resp),
                     SK_OK);
    return resp;
}

static void *body(const Seklik__Bus__Response *r, const ProtobufCMessageDescriptor *d)
{
    if (it_code(r) != SK_OK) {
        fprintf(stderr, "code %d: %s\n", it_code(r), r->message);
        for (size_t i = 0; i < r->n_violations; i++)
            fprintf(stderr, "  %s: %s\n", r->violations[i]->field, r->violations[i]->description);
    }
    assert_int_equal(it_code(r), SK_OK);
    void *m = protobuf_c_message_unpack(d, NULL, r->body.len, r->body.data);
    assert_non_null(m);
    return m;
}

/* ---- users, made by an admin over the bus ---- */

typedef struct user {
    char name[64];
    char id[SK_UUID_STRLEN];
    char email[96];
    char company[SK_UUID_STRLEN];
    const char *role;
} user;

/* A user with `role` (and `company` for a partner; NULL for none), address
 * `email` ("" for none) and `locale`. */
static void make_user(user *u, const char *prefix, const char *role, const char *company,
                      bool with_email, const char *locale)
{
    memset(u, 0, sizeof(*u));
    snprintf(u->name, sizeof(u->name), "%s%d-%u", prefix, ++serial,
             (unsigned)randombytes_uniform(100000));
    if (with_email)
        snprintf(u->email, sizeof(u->email), "%s@Mitra.Test", u->name);
    if (company)
        snprintf(u->company, sizeof(u->company), "%s", company);
    u->role = role;
    char *roles[] = {(char *)role};
    Seklik__Gateway__CreateUserRequest req = SEKLIK__GATEWAY__CREATE_USER_REQUEST__INIT;
    req.username = u->name;
    req.display_name = u->name;
    req.roles = roles;
    req.n_roles = 1;
    req.company_id = (char *)(company ? company : "");
    req.password = PASSWORD;
    req.locale = (char *)locale;
    req.email = u->email;
    Seklik__Bus__Actor admin = it_actor("it-admin", "admin", NULL);
    Seklik__Bus__Response *r = call(gw_rpc, "Gateway.CreateUser", &admin, true, &req.base);
    Seklik__Gateway__User *m = body(r, &seklik__gateway__user__descriptor);
    snprintf(u->id, sizeof(u->id), "%s", m->id);
    /* stored with its domain in lower case */
    if (with_email)
        assert_non_null(strstr(m->email, "@mitra.test"));
    snprintf(u->email, sizeof(u->email), "%s", m->email);
    protobuf_c_message_free_unpacked(&m->base, NULL);
    seklik__bus__response__free_unpacked(r, NULL);
}

/* The account as distribution knows it (from the gateway's events). */
static void wait_account(const user *u)
{
    for (int i = 0; i < 400; i++) {
        if (sk_test_sql_number_p(dist_dsn,
                                 "SELECT count(*) FROM distribution.account WHERE id = $1::uuid",
                                 u->id) == 1)
            return;
        sk_test_sleep_ms(25);
    }
    fail_msg("distribution never heard of user %s", u->name);
}

static Seklik__Bus__Actor actor_of(const user *u)
{
    return it_actor(u->id, u->role, u->company[0] ? u->company : NULL);
}

/* ---- HTTP through curl(1), from 127.0.0.1 (the trusted proxy) ---- */

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

/* POST (or GET when body is NULL) `path`, as the client `xff` behind the
 * ingress; `cookie` (may be NULL) a "Cookie: ..." header line. */
static void http(const char *path, const char *xff, const char *cookie, const char *csrf,
                 const char *json, http_answer *a)
{
    static char cmd[8192];
    char hdr[512], out[512], in[512];
    snprintf(hdr, sizeof(hdr), "%s/it_mail_notices.http.headers", it_logdir);
    snprintf(out, sizeof(out), "%s/it_mail_notices.http.body", it_logdir);
    snprintf(in, sizeof(in), "%s/it_mail_notices.http.in", it_logdir);
    int n = snprintf(cmd, sizeof(cmd),
                     "curl -s -m 20 -o '%s' -D '%s' -w '%%{http_code}' -H 'X-Forwarded-For: %s'",
                     out, hdr, xff ? xff : "10.77.0.1");
    if (cookie)
        n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " -H '%s'", cookie);
    if (csrf)
        n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " -H '%s'", csrf);
    if (json) {
        FILE *f = fopen(in, "wb");
        assert_non_null(f);
        fputs(json, f);
        fclose(f);
        n += snprintf(cmd + n, sizeof(cmd) - (size_t)n,
                      " -X POST -H 'Content-Type: application/json' --data-binary '@%s'", in);
    }
    snprintf(cmd + n, sizeof(cmd) - (size_t)n, " '%s%s'", web_url, path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char code[16] = "";
    if (!fgets(code, sizeof(code), p))
        code[0] = '\0';
    pclose(p);
    a->status = atoi(code);
    slurp(hdr, a->headers, sizeof(a->headers));
    slurp(out, a->body, sizeof(a->body));
}

static http_answer *answer(void)
{
    http_answer *a = calloc(1, sizeof(*a));
    assert_non_null(a);
    return a;
}

static int reset_request(const char *account, const char *xff, char *body_out, size_t cap)
{
    char json[400];
    snprintf(json, sizeof(json), "{\"account\":\"%s\"}", account);
    http_answer *a = answer();
    http("/api/v1/auth/reset/request", xff, NULL, NULL, json, a);
    int status = a->status;
    if (body_out)
        snprintf(body_out, cap, "%.*s", (int)(cap - 1), a->body);
    free(a);
    return status;
}

/* Confirm: the status; the body into `out` (may be NULL). */
static int reset_confirm(const char *user_id, const char *token, const char *password,
                         char *out, size_t cap)
{
    char json[600];
    snprintf(json, sizeof(json), "{\"userId\":\"%s\",\"token\":\"%s\",\"newPassword\":\"%s\"}",
             user_id, token, password);
    http_answer *a = answer();
    http("/api/v1/auth/reset/confirm", "10.77.9.9", NULL, NULL, json, a);
    int status = a->status;
    if (out)
        snprintf(out, cap, "%.*s", (int)(cap - 1), a->body);
    free(a);
    return status;
}

typedef struct web_session {
    char cookie[160];
    char csrf[128];
} web_session;

/* Log in; the status (200 fills `w`). */
static int login(const user *u, const char *password, web_session *w)
{
    char json[300];
    snprintf(json, sizeof(json), "{\"username\":\"%s\",\"password\":\"%s\"}", u->name, password);
    http_answer *a = answer();
    http("/api/v1/auth/login", "10.77.8.8", NULL, NULL, json, a);
    int status = a->status;
    if (status == 200 && w) {
        const char *c = strcasestr(a->headers, "Set-Cookie: seklik_session=");
        assert_non_null(c);
        c += strlen("Set-Cookie: ");
        snprintf(w->cookie, sizeof(w->cookie), "Cookie: %.*s", (int)strcspn(c, ";\r\n"), c);
        cJSON *o = cJSON_Parse(a->body);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "csrfToken");
        assert_true(cJSON_IsString(t));
        snprintf(w->csrf, sizeof(w->csrf), "X-CSRF-Token: %s", t->valuestring);
        cJSON_Delete(o);
    }
    free(a);
    return status;
}

static int me(const web_session *w)
{
    http_answer *a = answer();
    http("/api/v1/auth/me", "10.77.8.8", w->cookie, NULL, NULL, a);
    int status = a->status;
    free(a);
    return status;
}

/* ---- the mailbox ---- */

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

/* `s` with quoted-printable soft breaks and =XX escapes undone (the whole
 * message: base64 parts come out as garbage nobody searches). */
static char *unqp(const char *s)
{
    size_t n = strlen(s), o = 0;
    char *out = malloc(n + 1);
    assert_non_null(out);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '=' && s[i + 1] == '\n') {
            i++;
        } else if (s[i] == '=' && s[i + 1] == '\r' && s[i + 2] == '\n') {
            i += 2;
        } else if (s[i] == '=' && i + 2 < n && strchr("0123456789ABCDEF", s[i + 1]) &&
                   strchr("0123456789ABCDEF", s[i + 2]) && s[i + 1] && s[i + 2]) {
            char hex[3] = {s[i + 1], s[i + 2], 0};
            out[o++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

/* Every message to `rcpt` so far, decoded, into out[] (caller frees). */
static size_t mails_to(const char *rcpt, char **out, size_t cap)
{
    char dir[700];
    snprintf(dir, sizeof(dir), "%s/new", relay.dir);
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *e;
    char want[200];
    snprintf(want, sizeof(want), "X-RcptTo: %s\n", rcpt);
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[1000];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        char *text = read_all(path);
        if (text && strcasestr(text, want) && n < cap)
            out[n++] = unqp(text);
        free(text);
    }
    if (d)
        closedir(d);
    return n;
}

static void free_all(char **m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(m[i]);
}

/* Wait until `rcpt` has exactly `n` messages; with `only` (n must be 1)
 * its decoded text (caller frees). */
static void wait_mails(const char *rcpt, size_t n, char **only)
{
    char *m[32];
    size_t got = 0;
    for (int i = 0; i < 600; i++) {
        got = mails_to(rcpt, m, 32);
        if (got >= n)
            break;
        free_all(m, got);
        got = 0;
        sk_test_sleep_ms(50);
    }
    if (got != n) {
        free_all(m, got);
        fail_msg("%s received %zu messages, expected %zu", rcpt, got, n);
    }
    if (only) {
        assert_int_equal(n, 1);
        *only = m[0];
    } else {
        free_all(m, got);
    }
}

/* The reset link's user and token in a message. */
static void link_of(const char *mail, char *user_out, char *token_out)
{
    const char *p = strstr(mail, PORTAL "/#/reset?u=");
    assert_non_null(p);
    p += strlen(PORTAL "/#/reset?u=");
    snprintf(user_out, SK_UUID_STRLEN, "%.36s", p);
    const char *t = strstr(p, "&t=");
    assert_non_null(t);
    t += 3;
    size_t n = strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
    assert_int_equal(n, 43);
    snprintf(token_out, 44, "%.43s", t);
}

/* Every token ever mailed to `rcpt`, into tokens[] (43 chars each). */
static size_t tokens_to(const char *rcpt, char tokens[][44], size_t cap)
{
    char *m[32];
    size_t n = mails_to(rcpt, m, 32), k = 0;
    for (size_t i = 0; i < n && k < cap; i++) {
        char user[SK_UUID_STRLEN];
        link_of(m[i], user, tokens[k++]);
    }
    free_all(m, n);
    return k;
}

/* Request a reset for `u` and return the new token it mailed. */
static void fresh_token(const user *u, const char *xff, char token[44])
{
    char before[16][44], after[16][44];
    size_t nb = tokens_to(u->email, before, 16);
    assert_int_equal(reset_request(u->name, xff, NULL, 0), 200);
    wait_mails(u->email, nb + 1, NULL);
    size_t na = tokens_to(u->email, after, 16);
    assert_int_equal(na, nb + 1);
    for (size_t i = 0; i < na; i++) {
        bool old = false;
        for (size_t k = 0; k < nb; k++)
            old = old || strcmp(after[i], before[k]) == 0;
        if (!old) {
            memcpy(token, after[i], 44);
            return;
        }
    }
    fail_msg("no new token for %s", u->name);
}

/* ---- verification's events, as the stand-in publishes them ---- */

static void case_event(const char *type, const char *case_id, const char *company_id,
                       const char *company_name, Seklik__Verification__CaseDocument **docs,
                       size_t n_docs, Seklik__Verification__Proposal *pending,
                       const char *registered_by)
{
    Seklik__Verification__Case vc = SEKLIK__VERIFICATION__CASE__INIT;
    vc.id = (char *)case_id;
    vc.company_id = (char *)company_id;
    vc.company_name = (char *)company_name;
    vc.fiscal_year = 2027;
    vc.state = SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_NEEDS_REVISION;
    vc.documents = docs;
    vc.n_documents = n_docs;
    vc.pending_proposal = pending;
    vc.registered_by = (char *)(registered_by ? registered_by : "");
    vc.valid_until = "2099-12-31";
    Seklik__Verification__CaseChanged ev = SEKLIK__VERIFICATION__CASE_CHANGED__INIT;
    ev.verification_case = &vc;
    it_inject(ver_dsn, type, &ev.base);
}

/* Distribution has applied every event the stand-in of `source` (database
 * `dsn`) published so far. */
static void wait_applied(const char *dsn, const char *source)
{
    for (int i = 0; i < 400; i++) {
        long long head = sk_test_sql_number(dsn, "SELECT last_seq FROM testpub.outbox_head");
        char head_text[24];
        snprintf(head_text, sizeof(head_text), "%lld", head);
        const char *params[] = {source, head_text};
        if (sk_test_sql_number_params(dist_dsn,
                                      "SELECT count(*) FROM distribution.inbox_offsets"
                                      " WHERE source = $1 AND last_seq = $2::bigint",
                                      2, params) == 1)
            return;
        sk_test_sleep_ms(25);
    }
    fail_msg("distribution did not apply %s's events", source);
}

static void wait_verification_applied(void)
{
    wait_applied(ver_dsn, "verification");
}

static Seklik__Distribution__ListNoticesResponse *notices_of(const Seklik__Bus__Actor *a)
{
    Seklik__Distribution__ListNoticesRequest req = SEKLIK__DISTRIBUTION__LIST_NOTICES_REQUEST__INIT;
    Seklik__Bus__Response *r = call(dist_rpc, "Distribution.ListNotices", a, false, &req.base);
    Seklik__Distribution__ListNoticesResponse *m =
        body(r, &seklik__distribution__list_notices_response__descriptor);
    seklik__bus__response__free_unpacked(r, NULL);
    return m;
}

static void choose_email(const user *u, int kind, bool email)
{
    Seklik__Distribution__NoticePreference p = SEKLIK__DISTRIBUTION__NOTICE_PREFERENCE__INIT;
    p.kind = (Seklik__Distribution__NoticeKind)kind;
    p.email = email;
    Seklik__Distribution__NoticePreference *pp[] = {&p};
    Seklik__Distribution__SetNoticePreferencesRequest req =
        SEKLIK__DISTRIBUTION__SET_NOTICE_PREFERENCES_REQUEST__INIT;
    req.preferences = pp;
    req.n_preferences = 1;
    Seklik__Bus__Actor a = actor_of(u);
    Seklik__Bus__Response *r =
        call(dist_rpc, "Distribution.SetNoticePreferences", &a, true, &req.base);
    Seklik__Distribution__NoticePreferences *m =
        body(r, &seklik__distribution__notice_preferences__descriptor);
    assert_true(m->has_email);
    bool seen = false;
    for (size_t i = 0; i < m->n_preferences; i++)
        if ((int)m->preferences[i]->kind == kind) {
            assert_int_equal(m->preferences[i]->email, email);
            seen = true;
        }
    assert_true(seen);
    protobuf_c_message_free_unpacked(&m->base, NULL);
    seklik__bus__response__free_unpacked(r, NULL);
}

/* ---- fixture ---- */

static int setup(void **state)
{
    (void)state;
    char log[512];
    const char *redis = sk_test_env("SEKLIK_TEST_REDIS_URL");
    if (!redis || !sk_test_create_db("it_mail_gateway", gw_dsn, sizeof(gw_dsn)) ||
        !sk_test_create_db("it_mail_distribution", dist_dsn, sizeof(dist_dsn)) ||
        !sk_test_create_db("it_mail_registry", reg_dsn, sizeof(reg_dsn)) ||
        !sk_test_create_db("it_mail_verification", ver_dsn, sizeof(ver_dsn)) ||
        !sk_test_create_db("it_mail_scoring", sco_dsn, sizeof(sco_dsn)) ||
        !sk_test_create_db("it_mail_ordering", ord_dsn, sizeof(ord_dsn)) ||
        !sk_test_create_db("it_mail_accounting", acc_dsn, sizeof(acc_dsn)))
        return -1;
    if (it_smtp_init(&relay, it_logdir, "it_mail_notices") || it_smtp_start(&relay))
        return -1;
    sk_test_peer_init(&fake_registry, "testpub", reg_dsn, redis);
    sk_test_peer_init(&fake_verification, "testpub", ver_dsn, redis);
    sk_test_peer_init(&fake_scoring, "testpub", sco_dsn, redis);
    sk_test_peer_init(&fake_ordering, "testpub", ord_dsn, redis);
    sk_test_peer_init(&fake_accounting, "testpub", acc_dsn, redis);
    if (sk_test_peer_start(&fake_registry, it_pub_bin, it_log(log, sizeof(log), "mail", "registry")) ||
        sk_test_peer_start(&fake_verification, it_pub_bin,
                           it_log(log, sizeof(log), "mail", "verification")) ||
        sk_test_peer_start(&fake_scoring, it_pub_bin, it_log(log, sizeof(log), "mail", "scoring")) ||
        sk_test_peer_start(&fake_ordering, it_pub_bin,
                           it_log(log, sizeof(log), "mail", "ordering")) ||
        sk_test_peer_start(&fake_accounting, it_pub_bin,
                           it_log(log, sizeof(log), "mail", "accounting")))
        return -1;
    sk_test_peer_init(&dist, "distribution", dist_dsn, redis);
    sk_test_peer_init(&gw, "gateway", gw_dsn, redis);
    sk_test_peer *both[] = {&dist, &gw};
    for (size_t i = 0; i < 2; i++) {
        sk_test_peer_setenv(both[i], "SEKLIK_REGISTRY_RPC", fake_registry.rpc);
        sk_test_peer_setenv(both[i], "SEKLIK_REGISTRY_EVENTS", fake_registry.events);
        sk_test_peer_setenv(both[i], "SEKLIK_VERIFICATION_RPC", fake_verification.rpc);
        sk_test_peer_setenv(both[i], "SEKLIK_VERIFICATION_EVENTS", fake_verification.events);
        sk_test_peer_setenv(both[i], "SEKLIK_SCORING_RPC", fake_scoring.rpc);
        sk_test_peer_setenv(both[i], "SEKLIK_SCORING_EVENTS", fake_scoring.events);
        sk_test_peer_setenv(both[i], "SEKLIK_ORDERING_RPC", fake_ordering.rpc);
        sk_test_peer_setenv(both[i], "SEKLIK_ORDERING_EVENTS", fake_ordering.events);
        sk_test_peer_setenv(both[i], "SEKLIK_ACCOUNTING_RPC", fake_accounting.rpc);
        sk_test_peer_setenv(both[i], "SEKLIK_ACCOUNTING_EVENTS", fake_accounting.events);
    }
    sk_test_peer_link(&dist, &gw);
    sk_test_peer_link(&gw, &dist);
    char url[64];
    it_smtp_url(&relay, url, sizeof(url));
    sk_test_peer_setenv(&dist, "SEKLIK_SMTP_URL", url);
    sk_test_peer_setenv(&dist, "SEKLIK_SMTP_FROM", "Diskominfo Uji <humas@diskominfo.test>");
    sk_test_peer_setenv(&dist, "SEKLIK_MAIL_POLL_MS", "50");
    sk_test_peer_setenv(&dist, "SEKLIK_PORTAL_URL", PORTAL "/");
    snprintf(web_url, sizeof(web_url), "http://127.0.0.1:%d", sk_test_free_port());
    sk_test_peer_setenv(&gw, "SEKLIK_GATEWAY_LISTEN", web_url);
    sk_test_peer_setenv(&gw, "SEKLIK_GATEWAY_TRUSTED_PROXIES", "127.0.0.1");
    sk_test_peer_setenv(&gw, "SEKLIK_GATEWAY_RESET_MAX_PER_ADDR", "6");
    sk_test_peer_setenv(&gw, "SEKLIK_GATEWAY_RESET_MAX_PER_ACCOUNT", "3");
    if (sk_test_peer_start(&dist, dist_bin, it_log(log, sizeof(log), "mail", "distribution")) ||
        sk_test_peer_start(&gw, gateway_bin, it_log(log, sizeof(log), "mail", "gateway")))
        return -1;
    gw_rpc = it_client(gw.rpc);
    dist_rpc = it_client(dist.rpc);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sk_rpc_client_close(gw_rpc);
    sk_rpc_client_close(dist_rpc);
    int rc = 0;
    sk_test_peer *all[] = {&gw,           &dist,          &fake_registry,  &fake_verification,
                           &fake_scoring, &fake_ordering, &fake_accounting};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        sk_proc_signal(&all[i]->proc, SIGTERM);
        if (sk_proc_wait(&all[i]->proc, 15000) != 0 && i < 2)
            rc = -1;
    }
    it_smtp_kill(&relay);
    return rc;
}

/* ---- password resets ---- */

static void reset_mail_reaches_its_account_with_a_working_link(void **state)
{
    (void)state;
    user alice, bob;
    make_user(&alice, "alice", "verifier", NULL, true, "id");
    make_user(&bob, "bob", "partner", NULL, true, "en");
    char body_text[256];
    assert_int_equal(reset_request(alice.name, "10.77.1.1", body_text, sizeof(body_text)), 200);
    assert_string_equal(body_text, "{\"accepted\":true}");
    char *mail = NULL;
    wait_mails(alice.email, 1, &mail);
    char link_user[SK_UUID_STRLEN], token[44];
    link_of(mail, link_user, token);
    assert_string_equal(link_user, alice.id);
    assert_non_null(strstr(mail, "Subject: Atur ulang kata sandi SEKLIK Anda"));
    free(mail);
    /* the token is stored only as its SHA-256 */
    assert_int_equal(sk_test_sql_number_p(gw_dsn,
                                          "SELECT count(*) FROM gateway.password_resets WHERE "
                                          "token_hash = sha256(convert_to($1, 'UTF8'))",
                                          token),
                     1);
    assert_int_equal(sk_test_sql_number_p(gw_dsn,
                                          "SELECT count(*) FROM gateway.password_resets WHERE "
                                          "encode(token_hash, 'escape') LIKE '%' || $1 || '%'",
                                          token),
                     0);
    /* delivered, the link leaves distribution's queue too */
    for (int i = 0; i < 400 && sk_test_sql_number_p(dist_dsn,
                                                    "SELECT count(*) FROM distribution.mail_message"
                                                    " WHERE text_body LIKE '%' || $1 || '%'",
                                                    token) != 0;
         i++)
        sk_test_sleep_ms(25);
    assert_int_equal(sk_test_sql_number_p(dist_dsn,
                                          "SELECT count(*) FROM distribution.mail_message WHERE "
                                          "text_body || html_body LIKE '%' || $1 || '%'",
                                          token),
                     0);
    assert_int_equal(reset_confirm(alice.id, token, "Teh-Manis-Sore-9", NULL, 0), 200);
    assert_int_equal(login(&alice, "Teh-Manis-Sore-9", NULL), 200);
    assert_int_equal(login(&alice, PASSWORD, NULL), 401);

    /* by address, any case; the e-mail in the account's language */
    char upper[128];
    snprintf(upper, sizeof(upper), "%s", bob.email);
    for (char *p = upper; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    assert_int_equal(reset_request(upper, "10.77.1.2", NULL, 0), 200);
    wait_mails(bob.email, 1, &mail);
    link_of(mail, link_user, token);
    assert_string_equal(link_user, bob.id);
    assert_non_null(strstr(mail, "Subject: Reset your SEKLIK password"));
    free(mail);
    /* the audit names the account, never the token */
    assert_int_equal(sk_test_sql_number_p(gw_dsn,
                                          "SELECT count(*) FROM gateway.audit_log WHERE action = "
                                          "'auth.reset.requested' AND entity_id = $1",
                                          bob.id),
                     1);
    assert_int_equal(sk_test_sql_number_p(dist_dsn,
                                          "SELECT count(*) FROM distribution.audit_log WHERE "
                                          "coalesce(after::text, '') LIKE '%' || $1 || '%'",
                                          token),
                     0);
}

static void a_token_works_once(void **state)
{
    (void)state;
    user u;
    make_user(&u, "sekali", "pr", NULL, true, "id");
    char token[44], out[1024];
    fresh_token(&u, "10.77.2.1", token);
    assert_int_equal(reset_confirm(u.id, token, "Nasi-Goreng-Pedas-1", NULL, 0), 200);
    assert_int_equal(reset_confirm(u.id, token, "Mie-Ayam-Bakso-22", out, sizeof(out)), 400);
    assert_non_null(strstr(out, "\"field\":\"token\""));
    assert_non_null(strstr(out, "token.used"));
    assert_int_equal(login(&u, "Nasi-Goreng-Pedas-1", NULL), 200);
    assert_int_equal(login(&u, "Mie-Ayam-Bakso-22", NULL), 401);
}

static void a_token_does_not_work_after_its_expiry(void **state)
{
    (void)state;
    user u;
    make_user(&u, "basi", "finance", NULL, true, "id");
    char token[44], out[1024];
    fresh_token(&u, "10.77.3.1", token);
    /* half an hour passes */
    const char *whose[] = {u.id};
    assert_int_equal(sk_test_sql_exec_params(gw_dsn,
                                             "UPDATE gateway.password_resets"
                                             " SET created_at = created_at - interval '31 minutes',"
                                             " expires_at = expires_at - interval '31 minutes'"
                                             " WHERE user_id = $1",
                                             1, whose),
                     0);
    assert_int_equal(reset_confirm(u.id, token, "Nasi-Goreng-Pedas-1", out, sizeof(out)), 400);
    assert_non_null(strstr(out, "token.expired"));
    assert_int_equal(login(&u, PASSWORD, NULL), 200);
    assert_int_equal(login(&u, "Nasi-Goreng-Pedas-1", NULL), 401);
}

static void a_token_is_only_for_its_user(void **state)
{
    (void)state;
    user a, b;
    make_user(&a, "pemilik", "head", NULL, true, "id");
    make_user(&b, "korban", "admin", NULL, true, "id");
    char token[44], out[1024];
    fresh_token(&a, "10.77.4.1", token);
    assert_int_equal(reset_confirm(b.id, token, "Nasi-Goreng-Pedas-1", out, sizeof(out)), 400);
    assert_non_null(strstr(out, "token.invalid"));
    /* b keeps its password; the refused try used nothing up */
    assert_int_equal(login(&b, PASSWORD, NULL), 200);
    assert_int_equal(login(&b, "Nasi-Goreng-Pedas-1", NULL), 401);
    assert_int_equal(reset_confirm(a.id, token, "Nasi-Goreng-Pedas-1", NULL, 0), 200);
    /* a token nobody was given, and garbage */
    assert_int_equal(reset_confirm(a.id, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                   "Nasi-Goreng-Pedas-2", out, sizeof(out)),
                     400);
    assert_non_null(strstr(out, "token.invalid"));
    assert_int_equal(reset_confirm("not-a-user", "x", "Nasi-Goreng-Pedas-1", out, sizeof(out)),
                     400);
    assert_non_null(strstr(out, "token.invalid"));
}

static void confirming_ends_every_session_of_the_account(void **state)
{
    (void)state;
    user u;
    make_user(&u, "sesi", "partnership", NULL, true, "id");
    web_session s1, s2;
    assert_int_equal(login(&u, PASSWORD, &s1), 200);
    assert_int_equal(login(&u, PASSWORD, &s2), 200);
    assert_int_equal(me(&s1), 200);
    assert_int_equal(me(&s2), 200);
    char token[44];
    fresh_token(&u, "10.77.5.1", token);
    assert_int_equal(reset_confirm(u.id, token, "Nasi-Goreng-Pedas-1", NULL, 0), 200);
    assert_int_equal(me(&s1), 401);
    assert_int_equal(me(&s2), 401);
    assert_int_equal(sk_test_sql_number_p(gw_dsn,
                                          "SELECT count(*) FROM gateway.sessions WHERE user_id = $1::uuid",
                                          u.id),
                     0);
    /* and an older link of the account is dead with the new password */
    assert_int_equal(sk_test_sql_number_p(gw_dsn,
                                          "SELECT count(*) FROM gateway.password_resets WHERE user_id = "
                                          "$1::uuid AND used_at IS NULL AND expires_at > now()",
                                          u.id),
                     0);
}

static long long resets(void)
{
    return sk_test_sql_number(gw_dsn, "SELECT count(*) FROM gateway.password_resets");
}

static long long reset_audits(void)
{
    return sk_test_sql_number(gw_dsn, "SELECT count(*) FROM gateway.audit_log WHERE action LIKE "
                                      "'auth.reset.%'");
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void the_answer_is_the_same_for_unknown_accounts(void **state)
{
    (void)state;
    user known, disabled, mute;
    make_user(&known, "ada", "pr", NULL, true, "id");
    make_user(&disabled, "mati", "pr", NULL, true, "id");
    make_user(&mute, "bisu", "pr", NULL, false, "id");
    Seklik__Gateway__UpdateUserRequest up = SEKLIK__GATEWAY__UPDATE_USER_REQUEST__INIT;
    up.user_id = disabled.id;
    up.set_disabled = true;
    up.disabled = true;
    Seklik__Bus__Actor admin = it_actor("it-admin", "admin", NULL);
    Seklik__Bus__Response *r = call(gw_rpc, "Gateway.UpdateUser", &admin, true, &up.base);
    assert_int_equal(it_code(r), SK_OK);
    seklik__bus__response__free_unpacked(r, NULL);

    const char *names[] = {known.name, "tidak-ada-sama-sekali", disabled.name, mute.name,
                           "hantu@mitra.test"};
    char first[256] = "";
    double ms[5];
    for (size_t i = 0; i < 5; i++) {
        long long rows = resets(), audits = reset_audits();
        char xff[32], text[256];
        snprintf(xff, sizeof(xff), "10.77.6.%zu", i + 1);
        double t0 = now_ms();
        int status = reset_request(names[i], xff, text, sizeof(text));
        ms[i] = now_ms() - t0;
        assert_int_equal(status, 200);
        if (i == 0)
            snprintf(first, sizeof(first), "%s", text);
        else
            assert_string_equal(text, first);
        /* the same work: one recorded request, one audit row */
        assert_int_equal(resets(), rows + 1);
        assert_int_equal(reset_audits(), audits + 1);
    }
    fprintf(stderr, "reset request answers (ms): known %.1f, unknown %.1f, disabled %.1f, "
                    "no address %.1f, unknown address %.1f\n",
            ms[0], ms[1], ms[2], ms[3], ms[4]);
    /* only the known account's row opens anything */
    assert_int_equal(sk_test_sql_number(gw_dsn, "SELECT count(*) FROM gateway.password_resets WHERE "
                                                "remote_addr LIKE '10.77.6.%' AND user_id IS "
                                                "NOT NULL"),
                     1);
    wait_mails(known.email, 1, NULL);
    /* nothing for the disabled account: a later mail is the barrier */
    user after;
    make_user(&after, "sesudah", "pr", NULL, true, "id");
    assert_int_equal(reset_request(after.name, "10.77.6.9", NULL, 0), 200);
    wait_mails(after.email, 1, NULL);
    char *m[4];
    size_t n = mails_to(disabled.email, m, 4);
    free_all(m, n);
    assert_int_equal(n, 0);
}

static void requests_are_throttled_per_address_and_per_account(void **state)
{
    (void)state;
    /* per address: RESET_MAX_PER_ADDR, then 429 with Retry-After */
    for (int i = 0; i < RESET_MAX_PER_ADDR; i++) {
        char name[64];
        snprintf(name, sizeof(name), "siapa-%d", i);
        assert_int_equal(reset_request(name, "10.77.7.1", NULL, 0), 200);
    }
    http_answer *a = answer();
    http("/api/v1/auth/reset/request", "10.77.7.1", NULL, NULL, "{\"account\":\"siapa-x\"}", a);
    assert_int_equal(a->status, 429);
    assert_non_null(strcasestr(a->headers, "Retry-After:"));
    free(a);
    /* another address is not held back */
    assert_int_equal(reset_request("siapa-x", "10.77.7.2", NULL, 0), 200);

    /* per account, from many addresses: RESET_MAX_PER_ACCOUNT e-mails, then
     * the same answer and no e-mail */
    user u;
    make_user(&u, "dibanjiri", "pr", NULL, true, "id");
    char body1[256], body2[256];
    for (int i = 0; i < RESET_MAX_PER_ACCOUNT + 2; i++) {
        char xff[32];
        snprintf(xff, sizeof(xff), "10.77.7.%d", 10 + i);
        assert_int_equal(reset_request(u.name, xff, i == 0 ? body1 : body2, sizeof(body1)), 200);
        if (i > 0)
            assert_string_equal(body1, body2);
    }
    wait_mails(u.email, RESET_MAX_PER_ACCOUNT, NULL);
    user barrier;
    make_user(&barrier, "penghalang", "pr", NULL, true, "id");
    assert_int_equal(reset_request(barrier.name, "10.77.7.40", NULL, 0), 200);
    wait_mails(barrier.email, 1, NULL);
    char *m[8];
    size_t n = mails_to(u.email, m, 8);
    free_all(m, n);
    assert_int_equal(n, RESET_MAX_PER_ACCOUNT);
    assert_int_equal(sk_test_sql_number_p(gw_dsn,
                                          "SELECT count(*) FROM gateway.audit_log WHERE action = "
                                          "'auth.reset.throttled' AND entity_id = $1",
                                          u.id),
                     2);
}

/* ---- e-mail addresses and the profile ---- */

static void addresses_are_checked_unique_and_reach_distribution(void **state)
{
    (void)state;
    user u, other;
    make_user(&u, "profil", "pr", NULL, false, "id");
    make_user(&other, "lain", "pr", NULL, true, "id");
    Seklik__Bus__Actor self = actor_of(&u);
    Seklik__Gateway__UpdateProfileRequest req = SEKLIK__GATEWAY__UPDATE_PROFILE_REQUEST__INIT;
    req.set_email = true;
    const char *bad[] = {"bukan surel", "a@b", "x@y.test>\r\nRCPT TO:<v@x.test", other.email};
    for (size_t i = 0; i < 4; i++) {
        req.email = (char *)bad[i];
        Seklik__Bus__Response *r = call(gw_rpc, "Gateway.UpdateProfile", &self, true, &req.base);
        assert_int_equal(it_code(r), SK_EINVAL);
        assert_true(it_names_field(r, "email"));
        seklik__bus__response__free_unpacked(r, NULL);
    }
    char mine[96];
    snprintf(mine, sizeof(mine), "  %s@Kantor.TEST ", u.name);
    req.email = mine;
    req.locale = "en";
    Seklik__Bus__Response *r = call(gw_rpc, "Gateway.UpdateProfile", &self, true, &req.base);
    Seklik__Gateway__User *m = body(r, &seklik__gateway__user__descriptor);
    char want[96];
    snprintf(want, sizeof(want), "%s@kantor.test", u.name);
    assert_string_equal(m->email, want);
    assert_string_equal(m->locale, "en");
    protobuf_c_message_free_unpacked(&m->base, NULL);
    seklik__bus__response__free_unpacked(r, NULL);
    /* the account in distribution follows the gateway's event */
    for (int i = 0; i < 400; i++) {
        if (sk_test_sql_number_p(dist_dsn,
                                 "SELECT count(*) FROM distribution.account WHERE id = $1::uuid"
                                 " AND email LIKE '%@kantor.test' AND locale = 'en'",
                                 u.id) == 1)
            break;
        sk_test_sleep_ms(25);
    }
    assert_int_equal(sk_test_sql_number_p(dist_dsn,
                                          "SELECT count(*) FROM distribution.account WHERE id = "
                                          "$1::uuid AND email LIKE '%@kantor.test'",
                                          u.id),
                     1);
    /* a change written where no event is (seklikctl, an old row) is told
     * by the gateway's announce job */
    const char *renamed[] = {u.name, u.id};
    assert_int_equal(sk_test_sql_exec_params(gw_dsn,
                                             "UPDATE gateway.users SET email = $1 || '@ops.test',"
                                             " version = version + 1 WHERE id = $2",
                                             2, renamed),
                     0);
    for (int i = 0; i < 400; i++) {
        if (sk_test_sql_number_p(dist_dsn,
                                 "SELECT count(*) FROM distribution.account WHERE id = $1::uuid"
                                 " AND email LIKE '%@ops.test'",
                                 u.id) == 1)
            break;
        sk_test_sleep_ms(25);
    }
    assert_int_equal(sk_test_sql_number_p(dist_dsn,
                                          "SELECT count(*) FROM distribution.account WHERE id = "
                                          "$1::uuid AND email LIKE '%@ops.test'",
                                          u.id),
                     1);
    /* someone else's profile is out of reach: UpdateProfile is the caller's own */
    Seklik__Gateway__Empty e = SEKLIK__GATEWAY__EMPTY__INIT;
    r = call(gw_rpc, "Gateway.GetProfile", &self, false, &e.base);
    m = body(r, &seklik__gateway__user__descriptor);
    assert_string_equal(m->id, u.id);
    protobuf_c_message_free_unpacked(&m->base, NULL);
    seklik__bus__response__free_unpacked(r, NULL);
    /* a partner signs up with an address */
    char json[400], name[64];
    snprintf(name, sizeof(name), "daftar%u", (unsigned)randombytes_uniform(1000000));
    snprintf(json, sizeof(json),
             "{\"username\":\"%s\",\"password\":\"%s\",\"displayName\":\"PT Daftar\","
             "\"email\":\"%s@redaksi.test\"}",
             name, PASSWORD, name);
    http_answer *a = answer();
    http("/api/v1/auth/signup", "10.77.10.1", NULL, NULL, json, a);
    assert_int_equal(a->status, 200);
    free(a);
    assert_int_equal(sk_test_sql_number_p(gw_dsn,
                                          "SELECT count(*) FROM gateway.users WHERE username = $1"
                                          " AND email = $1 || '@redaksi.test'",
                                          name),
                     1);
    /* and the same address again is refused, naming it */
    snprintf(json, sizeof(json),
             "{\"username\":\"%s-2\",\"password\":\"%s\",\"displayName\":\"PT Daftar\","
             "\"email\":\"%s@REDAKSI.test\"}",
             name, PASSWORD, name);
    a = answer();
    http("/api/v1/auth/signup", "10.77.10.1", NULL, NULL, json, a);
    assert_int_equal(a->status, 409);
    assert_non_null(strstr(a->body, "\"field\":\"email\""));
    free(a);
}

/* ---- notices ---- */

static char company_a[SK_UUID_STRLEN], company_b[SK_UUID_STRLEN];
static user pa_mail, pa_quiet, pa_english, pb_mail;
static char rejected_doc[SK_UUID_STRLEN], case_a[SK_UUID_STRLEN];

static Seklik__Verification__CaseDocument *rejected(const char *doc_id, const char *reason)
{
    static Seklik__Verification__CaseDocument d;
    seklik__verification__case_document__init(&d);
    d.document_id = (char *)doc_id;
    d.type = SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_NPWP;
    d.version = 1;
    d.decision = SEKLIK__VERIFICATION__DECISION__DECISION_REJECTED;
    d.reason = (char *)reason;
    d.decided_by = "verif-1";
    d.decided_at = "2027-01-10T02:00:00.000000Z";
    return &d;
}

static void a_rejected_document_notifies_the_companys_partners(void **state)
{
    (void)state;
    sk_uuid7(company_a);
    sk_uuid7(company_b);
    make_user(&pa_mail, "mitraA", "partner", company_a, true, "id");
    make_user(&pa_quiet, "mitraAdiam", "partner", company_a, true, "id");
    make_user(&pa_english, "mitraAen", "partner", company_a, true, "en");
    make_user(&pb_mail, "mitraB", "partner", company_b, true, "id");
    user *all[] = {&pa_mail, &pa_quiet, &pa_english, &pb_mail};
    for (size_t i = 0; i < 4; i++)
        wait_account(all[i]);
    choose_email(&pa_mail, SEKLIK__DISTRIBUTION__NOTICE_KIND__NOTICE_KIND_DOCUMENT_REJECTED, true);
    choose_email(&pa_english, SEKLIK__DISTRIBUTION__NOTICE_KIND__NOTICE_KIND_DOCUMENT_REJECTED,
                 true);
    choose_email(&pb_mail, SEKLIK__DISTRIBUTION__NOTICE_KIND__NOTICE_KIND_DOCUMENT_REJECTED, true);
    /* a partner's choice covers only partner matters */
    Seklik__Distribution__NoticePreference p = SEKLIK__DISTRIBUTION__NOTICE_PREFERENCE__INIT;
    p.kind = SEKLIK__DISTRIBUTION__NOTICE_KIND__NOTICE_KIND_DECISION_AWAITING;
    p.email = true;
    Seklik__Distribution__NoticePreference *pp[] = {&p};
    Seklik__Distribution__SetNoticePreferencesRequest sp =
        SEKLIK__DISTRIBUTION__SET_NOTICE_PREFERENCES_REQUEST__INIT;
    sp.preferences = pp;
    sp.n_preferences = 1;
    Seklik__Bus__Actor a = actor_of(&pa_quiet);
    Seklik__Bus__Response *r = call(dist_rpc, "Distribution.SetNoticePreferences", &a, true, &sp.base);
    assert_int_equal(it_code(r), SK_EINVAL);
    assert_true(it_names_field(r, "preferences[0].kind"));
    seklik__bus__response__free_unpacked(r, NULL);

    sk_uuid7(case_a);
    sk_uuid7(rejected_doc);
    Seklik__Verification__CaseDocument *docs[] = {rejected(rejected_doc, "Foto buram")};
    case_event("verification.case.updated", case_a, company_a, "PT Kabar Alfa", docs, 1, NULL,
               NULL);
    /* the same event again (a replay or a later update of the case) raises nothing twice */
    case_event("verification.case.updated", case_a, company_a, "PT Kabar Alfa", docs, 1, NULL,
               NULL);
    wait_verification_applied();

    user *in_a[] = {&pa_mail, &pa_quiet, &pa_english};
    for (size_t i = 0; i < 3; i++) {
        Seklik__Bus__Actor act = actor_of(in_a[i]);
        Seklik__Distribution__ListNoticesResponse *l = notices_of(&act);
        assert_int_equal(l->n_notices, 1);
        assert_int_equal(l->unread, 1);
        const Seklik__Distribution__Notice *n = l->notices[0];
        assert_int_equal(n->kind, SEKLIK__DISTRIBUTION__NOTICE_KIND__NOTICE_KIND_DOCUMENT_REJECTED);
        assert_string_equal(n->company_id, company_a);
        assert_string_equal(n->subject_id, case_a);
        assert_string_equal(n->link, "/my");
        assert_int_equal(n->emailed, in_a[i] != &pa_quiet);
        bool reason = false;
        for (size_t k = 0; k < n->n_params; k++)
            reason = reason || (strcmp(n->params[k]->key, "reason") == 0 &&
                                strcmp(n->params[k]->value, "Foto buram") == 0);
        assert_true(reason);
        protobuf_c_message_free_unpacked(&l->base, NULL);
    }
    /* e-mail only to those who chose it, in their language */
    char *mail = NULL;
    wait_mails(pa_mail.email, 1, &mail);
    assert_non_null(strstr(mail, "Subject: Dokumen ditolak: NPWP"));
    assert_non_null(strstr(mail, "Foto buram"));
    assert_non_null(strstr(mail, PORTAL "/#/my"));
    free(mail);
    wait_mails(pa_english.email, 1, &mail);
    assert_non_null(strstr(mail, "Subject: Document rejected: tax number (NPWP)"));
    free(mail);
    /* queued in the notice's own transaction: nothing for the quiet one */
    assert_int_equal(sk_test_sql_number_p(dist_dsn,
                                          "SELECT count(*) FROM distribution.mail_delivery WHERE "
                                          "user_id = $1::uuid",
                                          pa_quiet.id),
                     0);
    char *m[4];
    size_t n = mails_to(pa_quiet.email, m, 4);
    free_all(m, n);
    assert_int_equal(n, 0);
}

static void a_partner_never_sees_another_companys_notices(void **state)
{
    (void)state;
    /* B's partner got nothing of A's matter, neither in the portal nor by mail */
    Seklik__Bus__Actor b = actor_of(&pb_mail);
    Seklik__Distribution__ListNoticesResponse *l = notices_of(&b);
    assert_int_equal(l->n_notices, 0);
    assert_int_equal(l->unread, 0);
    protobuf_c_message_free_unpacked(&l->base, NULL);
    assert_int_equal(sk_test_sql_number_p(dist_dsn,
                                          "SELECT count(*) FROM distribution.notice WHERE "
                                          "user_id = $1::uuid",
                                          pb_mail.id),
                     0);
    /* marking A's notice read as B changes nothing */
    Seklik__Bus__Actor a = actor_of(&pa_mail);
    l = notices_of(&a);
    assert_int_equal(l->n_notices, 1);
    char nid[SK_UUID_STRLEN];
    snprintf(nid, sizeof(nid), "%s", l->notices[0]->id);
    protobuf_c_message_free_unpacked(&l->base, NULL);
    char *ids[] = {nid};
    Seklik__Distribution__MarkNoticesReadRequest mr =
        SEKLIK__DISTRIBUTION__MARK_NOTICES_READ_REQUEST__INIT;
    mr.notice_ids = ids;
    mr.n_notice_ids = 1;
    Seklik__Bus__Response *r = call(dist_rpc, "Distribution.MarkNoticesRead", &b, true, &mr.base);
    Seklik__Distribution__MarkNoticesReadResponse *mm =
        body(r, &seklik__distribution__mark_notices_read_response__descriptor);
    assert_int_equal(mm->marked, 0);
    protobuf_c_message_free_unpacked(&mm->base, NULL);
    seklik__bus__response__free_unpacked(r, NULL);
    /* A's account signed for company B (moved by an admin) sees none of A's */
    Seklik__Bus__Actor moved = it_actor(pa_mail.id, "partner", company_b);
    l = notices_of(&moved);
    assert_int_equal(l->n_notices, 0);
    assert_int_equal(l->unread, 0);
    protobuf_c_message_free_unpacked(&l->base, NULL);
    /* nor does a partner account without a company */
    Seklik__Bus__Actor lost = it_actor(pa_mail.id, "partner", NULL);
    l = notices_of(&lost);
    assert_int_equal(l->n_notices, 0);
    protobuf_c_message_free_unpacked(&l->base, NULL);
    /* A's own marking works */
    r = call(dist_rpc, "Distribution.MarkNoticesRead", &a, true, &mr.base);
    mm = body(r, &seklik__distribution__mark_notices_read_response__descriptor);
    assert_int_equal(mm->marked, 1);
    assert_int_equal(mm->unread, 0);
    protobuf_c_message_free_unpacked(&mm->base, NULL);
    seklik__bus__response__free_unpacked(r, NULL);
    /* through the gateway, as the portal asks: the session's own list */
    web_session w;
    assert_int_equal(login(&pa_quiet, PASSWORD, &w), 200);
    http_answer *h = answer();
    http("/api/v1/distribution.ListNotices", "10.77.8.8", w.cookie, w.csrf, "{}", h);
    assert_int_equal(h->status, 200);
    assert_non_null(strstr(h->body, "NOTICE_KIND_DOCUMENT_REJECTED"));
    assert_non_null(strstr(h->body, "\"unread\":1"));
    free(h);
}

static void a_waiting_decision_notifies_approvers_but_its_proposer(void **state)
{
    (void)state;
    user proposer, head, admin, other_verifier, pr;
    make_user(&proposer, "pengusul", "verifier", NULL, true, "id");
    make_user(&head, "kepala", "head", NULL, true, "id");
    make_user(&admin, "adm", "admin", NULL, false, "id");
    make_user(&other_verifier, "verif", "verifier", NULL, true, "en");
    make_user(&pr, "humas", "pr", NULL, true, "id");
    user *all[] = {&proposer, &head, &admin, &other_verifier, &pr};
    for (size_t i = 0; i < 5; i++)
        wait_account(all[i]);
    choose_email(&head, SEKLIK__DISTRIBUTION__NOTICE_KIND__NOTICE_KIND_DECISION_AWAITING, true);
    char case_id[SK_UUID_STRLEN], company[SK_UUID_STRLEN], prop[SK_UUID_STRLEN];
    sk_uuid7(case_id);
    sk_uuid7(company);
    sk_uuid7(prop);
    Seklik__Verification__Proposal p = SEKLIK__VERIFICATION__PROPOSAL__INIT;
    p.id = prop;
    p.outcome = SEKLIK__VERIFICATION__OUTCOME__OUTCOME_VERIFIED;
    p.proposed_by = proposer.id;
    p.status = SEKLIK__VERIFICATION__PROPOSAL_STATUS__PROPOSAL_STATUS_PENDING;
    case_event("verification.case.updated", case_id, company, "PT Menunggu", NULL, 0, &p,
               "pendaftar");
    wait_verification_applied();
    user *reached[] = {&head, &admin, &other_verifier};
    for (size_t i = 0; i < 3; i++) {
        Seklik__Bus__Actor act = actor_of(reached[i]);
        Seklik__Distribution__ListNoticesResponse *l = notices_of(&act);
        assert_int_equal(l->n_notices, 1);
        assert_int_equal(l->notices[0]->kind,
                         SEKLIK__DISTRIBUTION__NOTICE_KIND__NOTICE_KIND_DECISION_AWAITING);
        char link[80];
        snprintf(link, sizeof(link), "/verification/%s", case_id);
        assert_string_equal(l->notices[0]->link, link);
        assert_string_equal(l->notices[0]->resolved_at, "");
        protobuf_c_message_free_unpacked(&l->base, NULL);
    }
    user *not_reached[] = {&proposer, &pr};
    for (size_t i = 0; i < 2; i++) {
        Seklik__Bus__Actor act = actor_of(not_reached[i]);
        Seklik__Distribution__ListNoticesResponse *l = notices_of(&act);
        assert_int_equal(l->n_notices, 0);
        protobuf_c_message_free_unpacked(&l->base, NULL);
    }
    char *mail = NULL;
    wait_mails(head.email, 1, &mail);
    assert_non_null(strstr(mail, "Subject: Keputusan menunggu persetujuan: PT Menunggu"));
    free(mail);
    /* approved: the outcome's event carries no pending proposal; settled */
    case_event("verification.company.verified", case_id, company, "PT Menunggu", NULL, 0, NULL,
               "pendaftar");
    wait_verification_applied();
    Seklik__Bus__Actor h = actor_of(&head);
    Seklik__Distribution__ListNoticesResponse *l = notices_of(&h);
    assert_int_equal(l->n_notices, 1);
    assert_string_not_equal(l->notices[0]->resolved_at, "");
    protobuf_c_message_free_unpacked(&l->base, NULL);
}

/* ---- ordering's and accounting's matters ---- */

enum {
    K_OFFER = SEKLIK__DISTRIBUTION__NOTICE_KIND__NOTICE_KIND_OFFER_WAITING,
    K_PROOF = SEKLIK__DISTRIBUTION__NOTICE_KIND__NOTICE_KIND_PROOF_REJECTED,
    K_RETURNED = SEKLIK__DISTRIBUTION__NOTICE_KIND__NOTICE_KIND_INVOICE_RETURNED,
    K_PAID = SEKLIK__DISTRIBUTION__NOTICE_KIND__NOTICE_KIND_INVOICE_PAID,
};

/* Company C's partners: `c_mail` chose e-mail for offers, proofs and
 * returned invoices, `c_quiet` (English) only for paid invoices; company
 * D's partner chose every kind; a partnership officer chose offers. */
static char company_c[SK_UUID_STRLEN], company_d[SK_UUID_STRLEN];
static user c_mail, c_quiet, d_mail, officer;
static bool trade_people_made;

static void trade_people(void)
{
    if (trade_people_made)
        return;
    trade_people_made = true;
    sk_uuid7(company_c);
    sk_uuid7(company_d);
    make_user(&c_mail, "mitraC", "partner", company_c, true, "id");
    make_user(&c_quiet, "mitraCen", "partner", company_c, true, "en");
    make_user(&d_mail, "mitraD", "partner", company_d, true, "id");
    make_user(&officer, "kemitraan", "partnership", NULL, true, "id");
    user *all[] = {&c_mail, &c_quiet, &d_mail, &officer};
    for (size_t i = 0; i < 4; i++)
        wait_account(all[i]);
    const int c_kinds[] = {K_OFFER, K_PROOF, K_RETURNED};
    for (size_t i = 0; i < 3; i++)
        choose_email(&c_mail, c_kinds[i], true);
    choose_email(&c_quiet, K_PAID, true);
    const int all_kinds[] = {K_OFFER, K_PROOF, K_RETURNED, K_PAID};
    for (size_t i = 0; i < 4; i++)
        choose_email(&d_mail, all_kinds[i], true);
    choose_email(&officer, K_OFFER, true);
}

/* `u`'s notices about `subject`: how many, how many still open; the last
 * (newest) one's fields checked against `kind` and `link` when n > 0. */
static size_t notices_about(const user *u, const char *subject, int kind, const char *link,
                            size_t *open, bool *emailed, char *reason, size_t reason_cap)
{
    Seklik__Bus__Actor a = actor_of(u);
    Seklik__Distribution__ListNoticesResponse *l = notices_of(&a);
    size_t n = 0, o = 0;
    for (size_t i = 0; i < l->n_notices; i++) {
        const Seklik__Distribution__Notice *x = l->notices[i];
        if (strcmp(x->subject_id, subject) != 0)
            continue;
        assert_int_equal(x->kind, kind);
        assert_string_equal(x->link, link);
        if (u->company[0])
            assert_string_equal(x->company_id, u->company);
        if (n == 0) { /* newest first */
            if (emailed)
                *emailed = x->emailed;
            if (reason) {
                reason[0] = '\0';
                for (size_t k = 0; k < x->n_params; k++)
                    if (strcmp(x->params[k]->key, "reason") == 0)
                        snprintf(reason, reason_cap, "%s", x->params[k]->value);
            }
        }
        n++;
        o += x->resolved_at[0] == '\0';
    }
    protobuf_c_message_free_unpacked(&l->base, NULL);
    if (open)
        *open = o;
    return n;
}

/* E-mails queued for `u` (in the notice's transaction: final once applied). */
static long long mails_queued_for(const user *u)
{
    return sk_test_sql_number_p(dist_dsn,
                                "SELECT count(*) FROM distribution.mail_delivery WHERE "
                                "user_id = $1::uuid",
                                u->id);
}

/* Once `u` has received `total` messages: the one whose subject is
 * `subject` (there must be exactly one), decoded (caller frees). */
static char *mail_titled(const user *u, size_t total, const char *subject)
{
    wait_mails(u->email, total, NULL);
    char *m[32], want[200], *found = NULL;
    snprintf(want, sizeof(want), "Subject: %s\n", subject);
    size_t n = mails_to(u->email, m, 32);
    for (size_t i = 0; i < n; i++) {
        if (strstr(m[i], want)) {
            if (found)
                fail_msg("%s received \"%s\" twice", u->name, subject);
            found = m[i];
            m[i] = NULL;
        }
    }
    free_all(m, n);
    if (!found)
        fail_msg("%s never received \"%s\"", u->name, subject);
    return found;
}

/* ordering.order.<what> for order `id` of `company` in `state`, with
 * `n_offers` offers (office, partner, office, ...) and `n_proofs` proofs of
 * which the last is rejected when `last_rejected`. */
static void order_event_at(const char *what, const char *id, const char *company,
                           const char *number, Seklik__Ordering__OrderState state,
                           size_t n_offers, size_t n_proofs, bool last_rejected,
                           int64_t occurred_unix_us)
{
    Seklik__Ordering__OrderInput in = SEKLIK__ORDERING__ORDER_INPUT__INIT;
    in.title = "Iklan HUT Kota";
    in.quantity = 1;
    Seklik__Ordering__Offer offers[4], *op[4];
    Seklik__Ordering__Proof proofs[4], *pp[4];
    assert_true(n_offers <= 4 && n_proofs <= 4);
    for (size_t i = 0; i < n_offers; i++) {
        seklik__ordering__offer__init(&offers[i]);
        offers[i].round = (int32_t)i + 1;
        offers[i].party = i % 2 ? SEKLIK__ORDERING__PARTY__PARTY_PARTNER
                                : SEKLIK__ORDERING__PARTY__PARTY_OFFICE;
        offers[i].unit_price = 1000000 - (int64_t)i * 50000;
        op[i] = &offers[i];
    }
    for (size_t i = 0; i < n_proofs; i++) {
        seklik__ordering__proof__init(&proofs[i]);
        proofs[i].version = (int32_t)i + 1;
        proofs[i].kind = SEKLIK__ORDERING__PROOF_KIND__PROOF_KIND_URL;
        proofs[i].url = "https://kabar.test/berita/1";
        bool rej = i + 1 < n_proofs || last_rejected;
        proofs[i].rejected = rej;
        proofs[i].reason = rej ? "Tautan mati" : "";
        pp[i] = &proofs[i];
    }
    Seklik__Ordering__Order o = SEKLIK__ORDERING__ORDER__INIT;
    o.id = (char *)id;
    o.fiscal_year = 2027;
    o.data = &in;
    o.state = state;
    o.number = (char *)(number ? number : "");
    o.company_id = (char *)company;
    o.company_name = "PT Kabar Citra";
    o.offers = op;
    o.n_offers = n_offers;
    o.proofs = pp;
    o.n_proofs = n_proofs;
    Seklik__Ordering__OrderChanged ev = SEKLIK__ORDERING__ORDER_CHANGED__INIT;
    ev.order = &o;
    char type[64];
    snprintf(type, sizeof(type), "ordering.order.%s", what);
    it_inject_at(ord_dsn, type, &ev.base, occurred_unix_us);
}

static void order_event(const char *what, const char *id, const char *company,
                        const char *number, Seklik__Ordering__OrderState state, size_t n_offers,
                        size_t n_proofs, bool last_rejected)
{
    order_event_at(what, id, company, number, state, n_offers, n_proofs, last_rejected, 0);
}

static void invoice_event_at(const char *what, const char *id, const char *company,
                             const char *number, Seklik__Accounting__InvoiceState state,
                             const char *reason, int64_t occurred_unix_us)
{
    Seklik__Accounting__InvoiceInput in = SEKLIK__ACCOUNTING__INVOICE_INPUT__INIT;
    in.number = (char *)number;
    in.date = "2027-03-01";
    Seklik__Accounting__Invoice inv = SEKLIK__ACCOUNTING__INVOICE__INIT;
    inv.id = (char *)id;
    inv.company_id = (char *)company;
    inv.company_name = "PT Kabar Citra";
    inv.fiscal_year = 2027;
    inv.data = &in;
    inv.state = state;
    inv.returned_reason = (char *)(reason ? reason : "");
    inv.paid_on = state == SEKLIK__ACCOUNTING__INVOICE_STATE__INVOICE_STATE_PAID ? "2027-04-02" : "";
    Seklik__Accounting__InvoiceChanged ev = SEKLIK__ACCOUNTING__INVOICE_CHANGED__INIT;
    ev.invoice = &inv;
    char type[64];
    snprintf(type, sizeof(type), "accounting.invoice.%s", what);
    it_inject_at(acc_dsn, type, &ev.base, occurred_unix_us);
}

static void invoice_event(const char *what, const char *id, const char *company,
                          const char *number, Seklik__Accounting__InvoiceState state,
                          const char *reason)
{
    invoice_event_at(what, id, company, number, state, reason, 0);
}

static void an_offer_waiting_reaches_the_companys_partners_until_answered(void **state)
{
    (void)state;
    trade_people();
    char order[SK_UUID_STRLEN], link[64];
    sk_uuid7(order);
    snprintf(link, sizeof(link), "/orders/%s", order);
    long long before_mail = mails_queued_for(&c_mail), before_quiet = mails_queued_for(&c_quiet);
    long long before_d = mails_queued_for(&d_mail), before_officer = mails_queued_for(&officer);
    /* a draft is nobody's matter; the office's offer waits for C's partners */
    order_event("created", order, company_c, NULL,
                SEKLIK__ORDERING__ORDER_STATE__ORDER_STATE_DRAFT, 0, 0, false);
    order_event("offered", order, company_c, NULL,
                SEKLIK__ORDERING__ORDER_STATE__ORDER_STATE_OFFERED, 1, 0, false);
    /* the same event again raises nothing twice */
    order_event("offered", order, company_c, NULL,
                SEKLIK__ORDERING__ORDER_STATE__ORDER_STATE_OFFERED, 1, 0, false);
    wait_applied(ord_dsn, "ordering");
    size_t open = 0;
    bool emailed = false;
    assert_int_equal(notices_about(&c_mail, order, K_OFFER, link, &open, &emailed, NULL, 0), 1);
    assert_int_equal(open, 1);
    assert_true(emailed);
    assert_int_equal(notices_about(&c_quiet, order, K_OFFER, link, &open, &emailed, NULL, 0), 1);
    assert_false(emailed);
    /* not another company's partner, not the office yet */
    assert_int_equal(notices_about(&d_mail, order, K_OFFER, link, NULL, NULL, NULL, 0), 0);
    assert_int_equal(notices_about(&officer, order, K_OFFER, link, NULL, NULL, NULL, 0), 0);
    assert_int_equal(mails_queued_for(&c_mail), before_mail + 1);
    assert_int_equal(mails_queued_for(&c_quiet), before_quiet);
    assert_int_equal(mails_queued_for(&d_mail), before_d);
    char *mail = mail_titled(&c_mail, (size_t)before_mail + 1,
                             "Penawaran menunggu jawaban: Iklan HUT Kota");
    char url[128];
    snprintf(url, sizeof(url), PORTAL "/#/orders/%s", order);
    assert_non_null(strstr(mail, url));
    free(mail);

    /* the partner counters: its notice is settled, the office's officer is told */
    order_event("countered", order, company_c, NULL,
                SEKLIK__ORDERING__ORDER_STATE__ORDER_STATE_COUNTERED, 2, 0, false);
    wait_applied(ord_dsn, "ordering");
    assert_int_equal(notices_about(&c_mail, order, K_OFFER, link, &open, NULL, NULL, 0), 1);
    assert_int_equal(open, 0);
    assert_int_equal(notices_about(&officer, order, K_OFFER, link, &open, &emailed, NULL, 0), 1);
    assert_int_equal(open, 1);
    assert_true(emailed);
    assert_int_equal(mails_queued_for(&officer), before_officer + 1);
    /* the office counters again: a new round waits for the partners */
    order_event("countered", order, company_c, NULL,
                SEKLIK__ORDERING__ORDER_STATE__ORDER_STATE_OFFERED, 3, 0, false);
    order_event("countered", order, company_c, NULL,
                SEKLIK__ORDERING__ORDER_STATE__ORDER_STATE_OFFERED, 3, 0, false);
    wait_applied(ord_dsn, "ordering");
    assert_int_equal(notices_about(&c_mail, order, K_OFFER, link, &open, NULL, NULL, 0), 2);
    assert_int_equal(open, 1);
    assert_int_equal(notices_about(&officer, order, K_OFFER, link, &open, NULL, NULL, 0), 1);
    assert_int_equal(open, 0);
    assert_int_equal(mails_queued_for(&c_mail), before_mail + 2);
    /* accepted: nothing waits any more */
    order_event("accepted", order, company_c, NULL,
                SEKLIK__ORDERING__ORDER_STATE__ORDER_STATE_ACCEPTED, 3, 0, false);
    wait_applied(ord_dsn, "ordering");
    assert_int_equal(notices_about(&c_mail, order, K_OFFER, link, &open, NULL, NULL, 0), 2);
    assert_int_equal(open, 0);
    assert_int_equal(notices_about(&c_quiet, order, K_OFFER, link, &open, NULL, NULL, 0), 2);
    assert_int_equal(open, 0);
    assert_int_equal(notices_about(&d_mail, order, K_OFFER, link, NULL, NULL, NULL, 0), 0);
    assert_int_equal(mails_queued_for(&c_mail), before_mail + 2);
    assert_int_equal(mails_queued_for(&c_quiet), before_quiet);
    assert_int_equal(mails_queued_for(&d_mail), before_d);
}

static void a_rejected_proof_reaches_the_partners_until_a_new_proof(void **state)
{
    (void)state;
    trade_people();
    char order[SK_UUID_STRLEN], other[SK_UUID_STRLEN], link[64], other_link[64];
    sk_uuid7(order);
    sk_uuid7(other);
    snprintf(link, sizeof(link), "/orders/%s", order);
    snprintf(other_link, sizeof(other_link), "/orders/%s", other);
    const char *number = "MO/0007/DISKOMINFO/2027";
    long long before_mail = mails_queued_for(&c_mail), before_quiet = mails_queued_for(&c_quiet);
    long long before_d = mails_queued_for(&d_mail);
    order_event("proof_submitted", order, company_c, number,
                SEKLIK__ORDERING__ORDER_STATE__ORDER_STATE_PROOF_SUBMITTED, 1, 1, false);
    order_event("proof_decided", order, company_c, number,
                SEKLIK__ORDERING__ORDER_STATE__ORDER_STATE_PROOF_REJECTED, 1, 1, true);
    order_event("proof_decided", order, company_c, number,
                SEKLIK__ORDERING__ORDER_STATE__ORDER_STATE_PROOF_REJECTED, 1, 1, true);
    /* D's own rejected proof is D's alone */
    order_event("proof_decided", other, company_d, "MO/0008/DISKOMINFO/2027",
                SEKLIK__ORDERING__ORDER_STATE__ORDER_STATE_PROOF_REJECTED, 1, 1, true);
    wait_applied(ord_dsn, "ordering");
    size_t open = 0;
    bool emailed = false;
    char reason[64];
    assert_int_equal(
        notices_about(&c_mail, order, K_PROOF, link, &open, &emailed, reason, sizeof(reason)), 1);
    assert_int_equal(open, 1);
    assert_true(emailed);
    assert_string_equal(reason, "Tautan mati");
    assert_int_equal(notices_about(&c_quiet, order, K_PROOF, link, &open, &emailed, NULL, 0), 1);
    assert_false(emailed);
    assert_int_equal(notices_about(&d_mail, order, K_PROOF, link, NULL, NULL, NULL, 0), 0);
    assert_int_equal(notices_about(&d_mail, other, K_PROOF, other_link, NULL, NULL, NULL, 0), 1);
    assert_int_equal(notices_about(&c_mail, other, K_PROOF, other_link, NULL, NULL, NULL, 0), 0);
    assert_int_equal(mails_queued_for(&c_mail), before_mail + 1);
    assert_int_equal(mails_queued_for(&c_quiet), before_quiet);
    assert_int_equal(mails_queued_for(&d_mail), before_d + 1);
    char *mail = mail_titled(&c_mail, (size_t)before_mail + 1,
                             "Bukti tayang ditolak: MO/0007/DISKOMINFO/2027");
    assert_non_null(strstr(mail, "Tautan mati"));
    char url[128];
    snprintf(url, sizeof(url), PORTAL "/#/orders/%s", order);
    assert_non_null(strstr(mail, url));
    free(mail);
    /* a new proof: settled */
    order_event("proof_submitted", order, company_c, number,
                SEKLIK__ORDERING__ORDER_STATE__ORDER_STATE_PROOF_SUBMITTED, 1, 2, false);
    wait_applied(ord_dsn, "ordering");
    assert_int_equal(notices_about(&c_mail, order, K_PROOF, link, &open, NULL, NULL, 0), 1);
    assert_int_equal(open, 0);
    assert_int_equal(notices_about(&d_mail, other, K_PROOF, other_link, &open, NULL, NULL, 0), 1);
    assert_int_equal(open, 1);
}

static void returned_and_paid_invoices_reach_the_companys_partners(void **state)
{
    (void)state;
    trade_people();
    char returned[SK_UUID_STRLEN], paid[SK_UUID_STRLEN], link_r[64], link_p[64];
    sk_uuid7(returned);
    sk_uuid7(paid);
    snprintf(link_r, sizeof(link_r), "/invoices/%s", returned);
    snprintf(link_p, sizeof(link_p), "/invoices/%s", paid);
    long long before_mail = mails_queued_for(&c_mail), before_quiet = mails_queued_for(&c_quiet);
    long long before_d = mails_queued_for(&d_mail);
    /* submitted is nobody's matter yet */
    invoice_event("submitted", returned, company_c, "INV-77",
                  SEKLIK__ACCOUNTING__INVOICE_STATE__INVOICE_STATE_SUBMITTED, NULL);
    invoice_event("returned", returned, company_c, "INV-77",
                  SEKLIK__ACCOUNTING__INVOICE_STATE__INVOICE_STATE_RETURNED,
                  "Kuitansi tanpa meterai");
    invoice_event("returned", returned, company_c, "INV-77",
                  SEKLIK__ACCOUNTING__INVOICE_STATE__INVOICE_STATE_RETURNED,
                  "Kuitansi tanpa meterai");
    invoice_event("submitted", paid, company_c, "INV-78",
                  SEKLIK__ACCOUNTING__INVOICE_STATE__INVOICE_STATE_SUBMITTED, NULL);
    invoice_event("step_recorded", paid, company_c, "INV-78",
                  SEKLIK__ACCOUNTING__INVOICE_STATE__INVOICE_STATE_SPM, NULL);
    wait_applied(acc_dsn, "accounting");
    assert_int_equal(notices_about(&c_mail, paid, K_PAID, link_p, NULL, NULL, NULL, 0), 0);
    /* SP2D, then a later event of the paid invoice (the withholding slip) */
    invoice_event("paid", paid, company_c, "INV-78",
                  SEKLIK__ACCOUNTING__INVOICE_STATE__INVOICE_STATE_PAID, NULL);
    invoice_event("slip_recorded", paid, company_c, "INV-78",
                  SEKLIK__ACCOUNTING__INVOICE_STATE__INVOICE_STATE_PAID, NULL);
    wait_applied(acc_dsn, "accounting");

    bool emailed = false;
    char reason[64];
    assert_int_equal(notices_about(&c_mail, returned, K_RETURNED, link_r, NULL, &emailed, reason,
                                   sizeof(reason)),
                     1);
    assert_true(emailed);
    assert_string_equal(reason, "Kuitansi tanpa meterai");
    assert_int_equal(notices_about(&c_quiet, returned, K_RETURNED, link_r, NULL, &emailed, NULL, 0),
                     1);
    assert_false(emailed);
    assert_int_equal(notices_about(&c_mail, paid, K_PAID, link_p, NULL, &emailed, NULL, 0), 1);
    assert_false(emailed);
    assert_int_equal(notices_about(&c_quiet, paid, K_PAID, link_p, NULL, &emailed, NULL, 0), 1);
    assert_true(emailed);
    assert_int_equal(notices_about(&d_mail, returned, K_RETURNED, link_r, NULL, NULL, NULL, 0), 0);
    assert_int_equal(notices_about(&d_mail, paid, K_PAID, link_p, NULL, NULL, NULL, 0), 0);
    assert_int_equal(notices_about(&officer, paid, K_PAID, link_p, NULL, NULL, NULL, 0), 0);
    /* e-mail per each one's choice of kind: one each, none for D */
    assert_int_equal(mails_queued_for(&c_mail), before_mail + 1);
    assert_int_equal(mails_queued_for(&c_quiet), before_quiet + 1);
    assert_int_equal(mails_queued_for(&d_mail), before_d);
    char *mail = mail_titled(&c_quiet, (size_t)before_quiet + 1, "Invoice paid: INV-78");
    char url[128];
    snprintf(url, sizeof(url), PORTAL "/#/invoices/%s", paid);
    assert_non_null(strstr(mail, url));
    free(mail);
    mail = mail_titled(&c_mail, (size_t)before_mail + 1, "Tagihan dikembalikan: INV-77");
    assert_non_null(strstr(mail, "Kuitansi tanpa meterai"));
    free(mail);
}

static void old_events_raise_no_notice(void **state)
{
    (void)state;
    trade_people();
    /* a first start catching up on a month-old history */
    int64_t month_ago = ((int64_t)time(NULL) - 30 * 86400) * 1000000;
    char order[SK_UUID_STRLEN], invoice[SK_UUID_STRLEN], link[64], link_i[64];
    sk_uuid7(order);
    sk_uuid7(invoice);
    snprintf(link, sizeof(link), "/orders/%s", order);
    snprintf(link_i, sizeof(link_i), "/invoices/%s", invoice);
    order_event_at("offered", order, company_c, NULL,
                   SEKLIK__ORDERING__ORDER_STATE__ORDER_STATE_OFFERED, 1, 0, false, month_ago);
    invoice_event_at("returned", invoice, company_c, "INV-90",
                     SEKLIK__ACCOUNTING__INVOICE_STATE__INVOICE_STATE_RETURNED, "Lama", month_ago);
    wait_applied(ord_dsn, "ordering");
    wait_applied(acc_dsn, "accounting");
    assert_int_equal(notices_about(&c_mail, order, K_OFFER, link, NULL, NULL, NULL, 0), 0);
    assert_int_equal(notices_about(&c_mail, invoice, K_RETURNED, link_i, NULL, NULL, NULL, 0), 0);
    /* the same matters told now do raise */
    order_event("offered", order, company_c, NULL,
                SEKLIK__ORDERING__ORDER_STATE__ORDER_STATE_OFFERED, 1, 0, false);
    invoice_event("returned", invoice, company_c, "INV-90",
                  SEKLIK__ACCOUNTING__INVOICE_STATE__INVOICE_STATE_RETURNED, "Lama");
    wait_applied(ord_dsn, "ordering");
    wait_applied(acc_dsn, "accounting");
    assert_int_equal(notices_about(&c_mail, order, K_OFFER, link, NULL, NULL, NULL, 0), 1);
    assert_int_equal(notices_about(&c_mail, invoice, K_RETURNED, link_i, NULL, NULL, NULL, 0), 1);
}

static void only_service_actors_queue_mail(void **state)
{
    (void)state;
    char user_id[SK_UUID_STRLEN];
    sk_uuid7(user_id);
    char token[] = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCde";
    Seklik__Distribution__MailValue v[4];
    Seklik__Distribution__MailValue *vp[4];
    const char *keys[] = {"user", "token", "minutes", "name"};
    const char *vals[] = {user_id, token, "30", "Uji"};
    for (size_t i = 0; i < 4; i++) {
        seklik__distribution__mail_value__init(&v[i]);
        v[i].key = (char *)keys[i];
        v[i].value = (char *)vals[i];
        vp[i] = &v[i];
    }
    char *to[] = {"layanan@mitra.test"};
    Seklik__Distribution__QueueMailRequest req = SEKLIK__DISTRIBUTION__QUEUE_MAIL_REQUEST__INIT;
    req.template_name = "password_reset";
    req.recipients = to;
    req.n_recipients = 1;
    req.values = vp;
    req.n_values = 4;
    req.user_id = user_id;
    /* a user, whatever its role, and a service that is not allowed */
    const char *roles[] = {"admin", "pr", "partner"};
    for (size_t i = 0; i < 3; i++) {
        Seklik__Bus__Actor a = it_actor(user_id, roles[i], NULL);
        Seklik__Bus__Response *r = call(dist_rpc, "Distribution.QueueMail", &a, true, &req.base);
        assert_int_equal(it_code(r), SK_EPERM);
        seklik__bus__response__free_unpacked(r, NULL);
    }
    Seklik__Bus__Actor registry = SEKLIK__BUS__ACTOR__INIT;
    registry.user_id = "system:registry";
    Seklik__Bus__Response *r = call(dist_rpc, "Distribution.QueueMail", &registry, true, &req.base);
    assert_int_equal(it_code(r), SK_EPERM);
    seklik__bus__response__free_unpacked(r, NULL);
    /* "system:gateway" with a role is no service actor either */
    char *admin_role[] = {"admin"};
    Seklik__Bus__Actor dressed = SEKLIK__BUS__ACTOR__INIT;
    dressed.user_id = "system:gateway";
    dressed.roles = admin_role;
    dressed.n_roles = 1;
    r = call(dist_rpc, "Distribution.QueueMail", &dressed, true, &req.base);
    assert_int_equal(it_code(r), SK_EPERM);
    seklik__bus__response__free_unpacked(r, NULL);

    Seklik__Bus__Actor gateway = SEKLIK__BUS__ACTOR__INIT;
    gateway.user_id = "system:gateway";
    /* bad input is named, nothing queued */
    long long before = sk_test_sql_number(dist_dsn, "SELECT count(*) FROM distribution.mail_message");
    req.template_name = "promo";
    r = call(dist_rpc, "Distribution.QueueMail", &gateway, true, &req.base);
    assert_int_equal(it_code(r), SK_EINVAL);
    assert_true(it_names_field(r, "templateName"));
    seklik__bus__response__free_unpacked(r, NULL);
    req.template_name = "password_reset";
    v[3].value = "Uji\r\nBcc: semua@x.test";
    r = call(dist_rpc, "Distribution.QueueMail", &gateway, true, &req.base);
    assert_int_equal(it_code(r), SK_EINVAL);
    assert_true(it_names_field(r, "values[3].value"));
    seklik__bus__response__free_unpacked(r, NULL);
    v[3].value = "Uji";
    to[0] = "a@b.test>\r\nRCPT TO:<c@d.test";
    r = call(dist_rpc, "Distribution.QueueMail", &gateway, true, &req.base);
    assert_int_equal(it_code(r), SK_EINVAL);
    assert_true(it_names_field(r, "recipients[0]"));
    seklik__bus__response__free_unpacked(r, NULL);
    assert_int_equal(sk_test_sql_number(dist_dsn, "SELECT count(*) FROM distribution.mail_message"),
                     before);
    /* as the gateway, in English when asked: it arrives */
    to[0] = "layanan@mitra.test";
    req.locale = "en";
    r = call(dist_rpc, "Distribution.QueueMail", &gateway, true, &req.base);
    Seklik__Distribution__QueueMailResponse *q =
        body(r, &seklik__distribution__queue_mail_response__descriptor);
    assert_int_equal(q->queued, 1);
    protobuf_c_message_free_unpacked(&q->base, NULL);
    seklik__bus__response__free_unpacked(r, NULL);
    char *mail = NULL;
    wait_mails("layanan@mitra.test", 1, &mail);
    assert_non_null(strstr(mail, "Subject: Reset your SEKLIK password"));
    assert_non_null(strstr(mail, token));
    free(mail);
}

int main(int argc, char **argv)
{
    gateway_bin = argc > 4 ? argv[4] : NULL;
    dist_bin = argc > 5 ? argv[5] : NULL;
    if (!gateway_bin || !dist_bin) {
        fprintf(stderr, "usage: it_mail_notices testpub testsub logdir seklik-gateway "
                        "seklik-distribution\n");
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reset_mail_reaches_its_account_with_a_working_link),
        cmocka_unit_test(a_token_works_once),
        cmocka_unit_test(a_token_does_not_work_after_its_expiry),
        cmocka_unit_test(a_token_is_only_for_its_user),
        cmocka_unit_test(confirming_ends_every_session_of_the_account),
        cmocka_unit_test(the_answer_is_the_same_for_unknown_accounts),
        cmocka_unit_test(requests_are_throttled_per_address_and_per_account),
        cmocka_unit_test(addresses_are_checked_unique_and_reach_distribution),
        cmocka_unit_test(a_rejected_document_notifies_the_companys_partners),
        cmocka_unit_test(a_partner_never_sees_another_companys_notices),
        cmocka_unit_test(a_waiting_decision_notifies_approvers_but_its_proposer),
        cmocka_unit_test(an_offer_waiting_reaches_the_companys_partners_until_answered),
        cmocka_unit_test(a_rejected_proof_reaches_the_partners_until_a_new_proof),
        cmocka_unit_test(returned_and_paid_invoices_reach_the_companys_partners),
        cmocka_unit_test(old_events_raise_no_notice),
        cmocka_unit_test(only_service_actors_queue_mail),
    };
    return it_main2(argc, argv, tests, sizeof(tests) / sizeof(tests[0]), setup, teardown);
}
