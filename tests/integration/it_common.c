#include "it_common.h"

#include "seklik/registry.pb-c.h"
#include "seklik/scoring.pb-c.h"
#include "seklik/verification.pb-c.h"
#include "sk_ledger.h"
#include "sk_order_check.h"

#include <libpq-fe.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <sys/stat.h>

const char *it_pub_bin, *it_sub_bin, *it_logdir;
static int g_argc;
static char **g_argv;

const char *it_arg(int i)
{
    return i < g_argc ? g_argv[i] : NULL;
}

int it_main(int argc, char **argv, const struct CMUnitTest *tests, size_t n)
{
    return it_main2(argc, argv, tests, n, NULL, NULL);
}

int it_main2(int argc, char **argv, const struct CMUnitTest *tests, size_t n,
             CMFixtureFunction setup, CMFixtureFunction teardown)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s TESTPUB TESTSUB LOGDIR\n", argv[0]);
        return 2;
    }
    g_argc = argc;
    g_argv = argv;
    it_pub_bin = argv[1];
    it_sub_bin = argv[2];
    it_logdir = argv[3];
    mkdir(it_logdir, 0755);
    if (sodium_init() < 0 || !sk_test_env("SEKLIK_TEST_PG_DSN"))
        return 2;
    return _cmocka_run_group_tests(argv[0], tests, n, setup, teardown);
}

sk_rpc_client *it_client(const char *url)
{
    static sk_sign_key key;
    sk_test_key(&key);
    sk_rpc_client *c = NULL;
    assert_int_equal(sk_rpc_client_open(url, &key, 0, &c), SK_OK);
    return c;
}

static int emit(sk_rpc_client *c, uint32_t count, uint32_t per_tx, bool batched, int timeout_ms,
                uint64_t *last_seq)
{
    Seklik__Testbus__EmitRequest req = SEKLIK__TESTBUS__EMIT_REQUEST__INIT;
    req.count = count;
    req.per_tx = per_tx;
    req.batched = batched;
    req.payload = 64;
    char key[SK_UUID_STRLEN];
    sk_uuid7(key);
    Seklik__Testbus__EmitResponse *resp = NULL;
    char why[256] = "";
    int rc = sk_rpc_call_decode(c, "TestPub.Emit", NULL, key, &req.base,
                                &seklik__testbus__emit_response__descriptor, timeout_ms,
                                (ProtobufCMessage **)&resp, why, sizeof(why));
    if (rc == SK_OK) {
        if (last_seq)
            *last_seq = resp->last_seq;
        protobuf_c_message_free_unpacked(&resp->base, NULL);
    } else {
        fprintf(stderr, "it_emit: %s\n", why);
    }
    return rc;
}

int it_add(sk_rpc_client *c, const char *key, int64_t amount, int64_t *total, bool *replayed,
           Seklik__Bus__Response **keep)
{
    Seklik__Testbus__AddRequest req = SEKLIK__TESTBUS__ADD_REQUEST__INIT;
    req.amount = amount;
    Seklik__Bus__Actor actor = SEKLIK__BUS__ACTOR__INIT;
    char *roles[] = {"partnership"};
    actor.user_id = "user-1";
    actor.roles = roles;
    actor.n_roles = 1;
    Seklik__Bus__Response *resp = NULL;
    int rc = sk_rpc_call(c, "TestPub.Add", &actor, key, &req.base, 10000, &resp);
    if (rc != SK_OK)
        return rc;
    rc = sk_err_from_bus_code(resp->code);
    if (rc == SK_OK) {
        Seklik__Testbus__AddResponse *out =
            seklik__testbus__add_response__unpack(NULL, resp->body.len, resp->body.data);
        assert_non_null(out);
        if (total)
            *total = out->total;
        seklik__testbus__add_response__free_unpacked(out, NULL);
    }
    if (replayed)
        *replayed = resp->replayed;
    if (keep)
        *keep = resp;
    else
        seklik__bus__response__free_unpacked(resp, NULL);
    return rc;
}

long long it_wait_applied(const char *dsn, long long n, int timeout_ms)
{
    long long have = -1;
    uint64_t until = sk_now_mono_ns() + (uint64_t)timeout_ms * 1000000;
    while (sk_now_mono_ns() < until) {
        have = sk_test_sql_number(dsn, "SELECT count(*) FROM testsub.applied");
        if (have >= n)
            break;
        sk_test_sleep_ms(50);
    }
    /* Let anything extra (a double apply) land before the caller counts. */
    sk_test_sleep_ms(400);
    return sk_test_sql_number(dsn, "SELECT count(*) FROM testsub.applied");
}

void it_assert_exactly_once_in_order(const char *dsn, long long n)
{
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM testsub.applied"), n);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(DISTINCT seq) FROM testsub.applied"), n);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT min(seq) FROM testsub.applied"), 1);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT max(seq) FROM testsub.applied"), n);
    /* Applied in order: each row's seq is the previous row's plus one. */
    assert_int_equal(sk_test_sql_number(dsn,
                                        "SELECT count(*) FROM (SELECT seq, lag(seq) OVER "
                                        "(ORDER BY id) AS prev FROM testsub.applied) t "
                                        "WHERE prev IS NOT NULL AND seq <> prev + 1"),
                     0);
    /* The offset matches what was applied. */
    assert_int_equal(sk_test_sql_number(dsn, "SELECT last_seq FROM testsub.inbox_offsets "
                                             "WHERE source = 'testpub'"),
                     n);
}

int it_emit(sk_rpc_client *c, uint32_t count, uint32_t per_tx, int timeout_ms, uint64_t *last_seq)
{
    return emit(c, count, per_tx, false, timeout_ms, last_seq);
}

int it_emit_batched(sk_rpc_client *c, uint32_t count, uint32_t per_tx, int timeout_ms,
                    uint64_t *last_seq)
{
    return emit(c, count, per_tx, true, timeout_ms, last_seq);
}

Seklik__Bus__Actor it_actor(const char *user_id, const char *role, const char *company_id)
{
    static char *roles[][1] = {{"admin"}, {"verifier"}, {"partnership"}, {"pr"},
                               {"finance"}, {"head"},     {"partner"}};
    Seklik__Bus__Actor a = SEKLIK__BUS__ACTOR__INIT;
    a.user_id = (char *)user_id;
    a.company_id = (char *)(company_id ? company_id : "");
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
        if (strcmp(roles[i][0], role) == 0) {
            a.roles = roles[i];
            a.n_roles = 1;
        }
    assert_int_equal(a.n_roles, 1);
    return a;
}

double it_pgbench(const char *db, const char *sql, int seconds, double *avg_ms)
{
    return it_pgbench_clients(db, sql, seconds, 1, avg_ms);
}

double it_pgbench_clients(const char *db, const char *sql, int seconds, int clients,
                          double *avg_ms)
{
    char script[256], cmd[1400];
    snprintf(script, sizeof(script), "%s/pgbench-%s.sql", it_logdir, db);
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fputs(sql, f);
    fclose(f);
    snprintf(cmd, sizeof(cmd),
             "%s/pgbench -n -h 127.0.0.1 -p %s -U %s -c %d -j %d -T %d -f %s %s 2>/dev/null | "
             "sed -n -e 's/^tps = \\([0-9.]*\\).*/tps \\1/p' "
             "-e 's/^latency average = \\([0-9.]*\\) ms/lat \\1/p'",
             sk_test_env("SEKLIK_TEST_PG_BIN"), sk_test_env("SEKLIK_TEST_PG_PORT"),
             sk_test_env("SEKLIK_TEST_PG_ROLE"), clients, clients < 2 ? 1 : 2, seconds, script,
             db);
    FILE *pipe = popen(cmd, "r");
    assert_non_null(pipe);
    double tps = 0, lat = 0, v;
    char what[8];
    while (fscanf(pipe, "%7s %lf", what, &v) == 2) {
        if (strcmp(what, "tps") == 0)
            tps = v;
        else
            lat = v;
    }
    pclose(pipe);
    if (avg_ms)
        *avg_ms = lat;
    return tps;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double it_quantile(double *v, size_t n, double q)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof(double), cmp_double);
    size_t i = (size_t)((double)n * q);
    return v[i < n ? i : n - 1];
}

void it_inject(const char *dsn, const char *type, const ProtobufCMessage *msg)
{
    it_inject_at(dsn, type, msg, 0);
}

void it_inject_at(const char *dsn, const char *type, const ProtobufCMessage *msg,
                  int64_t occurred_unix_us)
{
    size_t len = protobuf_c_message_get_packed_size(msg);
    uint8_t *packed = malloc(len + 1);
    assert_non_null(packed);
    protobuf_c_message_pack(msg, packed);
    char id[SK_UUID_STRLEN], occurred[24];
    sk_uuid7(id);
    snprintf(occurred, sizeof(occurred), "%lld", (long long)occurred_unix_us);
    const char *values[] = {id, type, (const char *)packed, occurred};
    int lengths[] = {0, 0, (int)len, 0}, formats[] = {0, 0, 1, 0};
    PGconn *pg = PQconnectdb(dsn);
    assert_int_equal(PQstatus(pg), CONNECTION_OK);
    PGresult *r = PQexecParams(
        pg,
        "WITH head AS (UPDATE testpub.outbox_head SET last_seq = last_seq + 1 RETURNING last_seq)"
        " INSERT INTO testpub.outbox (seq, id, type, occurred_unix_us, body)"
        " SELECT last_seq, $1::uuid, $2, $4::bigint, $3 FROM head",
        4, NULL, values, lengths, formats, 0);
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    PQfinish(pg);
    free(packed);
}

void it_open_year(const char *ver_dsn, const char *scoring_dsn, sk_rpc_client *scoring, int year)
{
    Seklik__Verification__FiscalYear fy = SEKLIK__VERIFICATION__FISCAL_YEAR__INIT;
    fy.fiscal_year = year;
    fy.registration_opens_on = "2000-01-01";
    fy.registration_closes_on = "2100-12-31";
    Seklik__Verification__YearOpened ev = SEKLIK__VERIFICATION__YEAR_OPENED__INIT;
    ev.year = &fy;
    it_inject(ver_dsn, "verification.year.opened", &ev.base);
    static const char q[] =
        "SELECT (SELECT count(*) FROM scoring.rule_set WHERE fiscal_year = $1::int) +"
        " (SELECT count(*) FROM scoring.price_standard WHERE fiscal_year = $1::int)";
    char year_text[16];
    snprintf(year_text, sizeof(year_text), "%d", year);
    int i = 0;
    for (; i < 600 && sk_test_sql_number_p(scoring_dsn, q, year_text) < 2; i++)
        sk_test_sleep_ms(25);
    if (i == 600)
        fail_msg("scoring never drafted the sets of %d", year);
    static const char *const publish[] = {"Scoring.PublishRuleSet", "Scoring.PublishPriceStandard"};
    Seklik__Bus__Actor admin = it_actor("admin-1", "admin", NULL);
    for (size_t k = 0; k < 2; k++) {
        Seklik__Scoring__PublishRequest req = SEKLIK__SCORING__PUBLISH_REQUEST__INIT;
        req.fiscal_year = year;
        char key[SK_UUID_STRLEN];
        sk_uuid7(key);
        Seklik__Bus__Response *resp = NULL;
        assert_int_equal(sk_rpc_call(scoring, publish[k], &admin, key, &req.base, 30000, &resp),
                         SK_OK);
        if (it_code(resp) != SK_OK)
            fail_msg("%s %d: %s", publish[k], year, resp->message);
        seklik__bus__response__free_unpacked(resp, NULL);
    }
}

/* seklik.registry.DocumentType: the deed, the Dewan Pers certificate, UKW. */
enum { DOC_AKTA = 1, DOC_DEWAN_PERS = 6, DOC_UKW = 7 };

static void accepted_document(Seklik__Verification__CaseDocument *d, int type, const char *person,
                              int dewan_pers_level)
{
    seklik__verification__case_document__init(d);
    d->type = (Seklik__Registry__DocumentType)type;
    d->person_id = (char *)(person ? person : "");
    d->decision = SEKLIK__VERIFICATION__DECISION__DECISION_ACCEPTED;
    d->in_force_document_id = "0190a0a0-0000-7000-8000-00000000d0c0";
    d->in_force_expires_on = type == DOC_AKTA ? "" : "2199-12-31";
    d->in_force_dewan_pers_status = (Seklik__Registry__DewanPersStatus)dewan_pers_level;
}

void it_verified_with_documents(const char *ver_dsn, const char *company_id,
                                const char *outlet_id, int year, const char *const *certified,
                                size_t n)
{
    enum { MAX_CERTIFIED = 16 };
    assert_true(n <= MAX_CERTIFIED);
    Seklik__Verification__CaseDocument docs[MAX_CERTIFIED + 2], *dp[MAX_CERTIFIED + 2];
    size_t nd = 0;
    accepted_document(&docs[nd++], DOC_AKTA, NULL, 0);
    accepted_document(&docs[nd++], DOC_DEWAN_PERS, NULL,
                      SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_FAKTUAL);
    for (size_t i = 0; i < n; i++)
        accepted_document(&docs[nd++], DOC_UKW, certified[i], 0);
    for (size_t i = 0; i < nd; i++)
        dp[i] = &docs[i];
    Seklik__Verification__CaseOutlet o = SEKLIK__VERIFICATION__CASE_OUTLET__INIT, *op[] = {&o};
    o.outlet_id = (char *)outlet_id;
    o.state = SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_VERIFIED;
    Seklik__Verification__Case vc = SEKLIK__VERIFICATION__CASE__INIT;
    vc.company_id = (char *)company_id;
    vc.fiscal_year = year;
    vc.state = SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VERIFIED;
    vc.outlets = op;
    vc.n_outlets = 1;
    vc.documents = dp;
    vc.n_documents = nd;
    Seklik__Verification__CaseChanged ev = SEKLIK__VERIFICATION__CASE_CHANGED__INIT;
    ev.verification_case = &vc;
    it_inject(ver_dsn, "verification.company.verified", &ev.base);
}

const char *it_log(char *buf, size_t cap, const char *test, const char *who)
{
    snprintf(buf, cap, "%s/%s-%s.log", it_logdir, test, who);
    return buf;
}

void it_start_pair(const char *db, const char *test, char *dsn, size_t cap, sk_test_peer *pub,
                   sk_test_peer *sub, const char *const *sub_env)
{
    char log[512];
    assert_non_null(sk_test_create_db(db, dsn, cap));
    const char *redis = sk_test_env("SEKLIK_TEST_REDIS_URL");
    sk_test_peer_init(pub, "testpub", dsn, redis);
    sk_test_peer_init(sub, "testsub", dsn, redis);
    sk_test_peer_link(sub, pub);
    for (const char *const *e = sub_env; e && e[0] && e[1]; e += 2)
        sk_test_peer_setenv(sub, e[0], e[1]);
    assert_int_equal(sk_test_peer_start(pub, it_pub_bin, it_log(log, sizeof(log), test, "pub")), 0);
    assert_int_equal(sk_test_peer_start(sub, it_sub_bin, it_log(log, sizeof(log), test, "sub")), 0);
    sk_test_sleep_ms(300); /* let the SUB socket connect before the first event */
}

void it_stop(sk_test_peer *const *peers)
{
    for (sk_test_peer *const *p = peers; *p; p++)
        sk_proc_signal(&(*p)->proc, SIGTERM);
    for (sk_test_peer *const *p = peers; *p; p++) {
        /* Drain is capped at 10 s. Past 15 s, record why (once seen in CI
         * under ASan, not reproduced): which process, and all its stacks;
         * then it gets 15 s more before the test fails as a hang. */
        int rc = sk_proc_wait(&(*p)->proc, 15000);
        if (rc == -1) {
            fprintf(stderr, "it_stop: %s (pid %d) still running 15 s after SIGTERM; log %s\n",
                    (*p)->name, (int)(*p)->proc.pid, (*p)->proc.log);
            sk_proc_dump_stacks(&(*p)->proc);
            rc = sk_proc_wait(&(*p)->proc, 15000);
        }
        assert_int_equal(rc, 0);
    }
}

int it_code(const Seklik__Bus__Response *r)
{
    return sk_err_from_bus_code(r->code);
}

bool it_names_field(const Seklik__Bus__Response *r, const char *field)
{
    for (size_t i = 0; i < r->n_violations; i++)
        if (strcmp(r->violations[i]->field, field) == 0)
            return true;
    return false;
}

const char *it_field_code(const Seklik__Bus__Response *r, const char *field)
{
    for (size_t i = 0; i < r->n_violations; i++)
        if (strcmp(r->violations[i]->field, field) == 0)
            return r->violations[i]->code;
    return NULL;
}

bool it_names_field_code(const Seklik__Bus__Response *r, const char *field, const char *code)
{
    for (size_t i = 0; i < r->n_violations; i++)
        if (strcmp(r->violations[i]->field, field) == 0 &&
            strcmp(r->violations[i]->code, code) == 0)
            return true;
    return false;
}

static void ledger_finding(void *arg, const char *check, bool ok, const char *detail)
{
    (void)arg;
    if (!ok)
        fprintf(stderr, "ledger: %s FAILS: %s\n", check, detail);
}

void it_assert_ledger_sound(const char *dsn)
{
    PGconn *c = PQconnectdb(dsn);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    char err[512];
    int failed = sk_ledger_check(c, ledger_finding, NULL, err, sizeof(err));
    PQfinish(c);
    if (failed < 0)
        fprintf(stderr, "ledger: the checks did not run: %s\n", err);
    assert_int_equal(failed, 0);
}

static void order_finding(void *arg, const char *check, bool ok, const char *detail)
{
    (void)arg;
    if (!ok)
        fprintf(stderr, "orders: %s FAILS: %s\n", check, detail);
}

int it_orders_check(const char *ordering_dsn, const char *accounting_dsn)
{
    PGconn *o = PQconnectdb(ordering_dsn), *a = PQconnectdb(accounting_dsn);
    char err[512] = "";
    int failed = PQstatus(o) == CONNECTION_OK && PQstatus(a) == CONNECTION_OK
                     ? sk_order_check(o, a, order_finding, NULL, err, sizeof(err))
                     : -1;
    PQfinish(o);
    PQfinish(a);
    if (failed < 0)
        fprintf(stderr, "orders: the checks did not run: %s\n", err);
    return failed;
}
