/* bench_ordering - the ceiling lookup in ordering's read model, and issuing
 * orders end to end, each against a reference measured in the same run.
 *
 * 1. The in-memory mirror (services/ordering/mirror.c) holding 10,000
 *    outlets and a year's price standard: ns per ceiling lookup, 1 and 2
 *    threads (goal < 10 us).
 * 2. Real ordering, accounting and scoring processes (testpubs stand in for
 *    registry and verification, as in it_ordering): the year opened and its
 *    rules published by an admin, one company tiered from its documents, an
 *    agreement and a budget line big enough for everything. Each client
 *    loops: CreateOrder offered at Rp 900.000 -> the partner's AcceptOffer ->
 *    IssueOrder (the saga with Accounting.Reserve). Orders/s, p50/p99 of the
 *    whole and of each call, with 1 and 4 clients. References: pgbench
 *    single-row INSERT commits with as many clients, and Accounting.Reserve
 *    called directly (what the saga's step 2 costs).
 * argv[4..6] = seklik-ordering, seklik-accounting, seklik-scoring. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "../integration/it_common.h"
#include "ordering/mirror.h"
#include "seklik/accounting.pb-c.h"
#include "seklik/ordering.pb-c.h"
#include "seklik/registry.pb-c.h"
#include "seklik/scoring.pb-c.h"

#define YEAR 2027
#define ADVERTORIAL SEKLIK__SCORING__PRODUCT__PRODUCT_ONLINE_ADVERTORIAL
#define FREE(m) protobuf_c_message_free_unpacked(&(m)->base, NULL)

static int seconds = 10;
static long lookups = 5000000;
static char dsn[512], reg_dsn[512], ver_dsn[512];
static sk_test_peer ordering, accounting, scoring, fake_registry, fake_verification;
static char company_id[SK_UUID_STRLEN], outlet_id[SK_UUID_STRLEN], agreement_id[SK_UUID_STRLEN],
    line_id[SK_UUID_STRLEN];

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* ---- 1. the mirror ---- */

typedef struct lookup_run {
    ordering_mirror *m;
    char (*ids)[SK_UUID_STRLEN];
    int n_ids;
    long n;
    int64_t sum;
    double ns;
} lookup_run;

static void *lookup_loop(void *arg)
{
    lookup_run *r = arg;
    unsigned x = 12345;
    double t0 = now_us();
    for (long i = 0; i < r->n; i++) {
        x = x * 1103515245u + 12345u;
        int64_t c = 0;
        ordering_mirror_ceiling(r->m, r->ids[x % (unsigned)r->n_ids], YEAR, 1 + (int)(x >> 28) % 2,
                                &c, NULL, NULL);
        r->sum += c;
    }
    r->ns = (now_us() - t0) * 1000.0 / (double)r->n;
    return NULL;
}

static void mirror_lookup(void)
{
    enum { OUTLETS = 10000 };
    ordering_mirror *m = ordering_mirror_new();
    static char ids[OUTLETS][SK_UUID_STRLEN];
    ordering_outlet_view v = {.outlet_type = 2};
    sk_uuid7(v.company_id);
    for (int i = 0; i < OUTLETS; i++) {
        sk_uuid7(ids[i]);
        v.tier = 1 + i % 3;
        assert_int_equal(ordering_mirror_put_outlet(m, ids[i], YEAR, &v), SK_OK);
    }
    ordering_ceiling_entry e[ORDERING_OUTLET_TYPES * 12 * ORDERING_TIERS];
    size_t n = 0;
    for (int t = 1; t <= ORDERING_OUTLET_TYPES; t++)
        for (int p = 1; p <= 12; p++)
            for (int k = 1; k <= ORDERING_TIERS; k++)
                e[n++] = (ordering_ceiling_entry){t, p, k, 100000 * k + p};
    ordering_mirror_set_ceilings(m, YEAR, 1, e, n);
    for (int threads = 1; threads <= 2; threads++) {
        lookup_run r[2];
        pthread_t t[2];
        for (int i = 0; i < threads; i++) {
            r[i] = (lookup_run){.m = m, .ids = ids, .n_ids = OUTLETS, .n = lookups / threads};
            pthread_create(&t[i], NULL, lookup_loop, &r[i]);
        }
        double ns = 0;
        for (int i = 0; i < threads; i++) {
            pthread_join(t[i], NULL);
            assert_true(r[i].sum > 0);
            ns += r[i].ns / threads;
        }
        printf("mirror ceiling lookup, %d outlets, %d thread%s: %.0f ns/lookup (goal < 10000)\n",
               OUTLETS, threads, threads > 1 ? "s" : "", ns);
        assert_true(ns < 10000);
    }
    ordering_mirror_free(m);
}

/* ---- 2. issuing end to end ---- */

static Seklik__Bus__Actor actor(const char *role, const char *company)
{
    return it_actor(company ? "bench-mitra" : "bench-staff", role, company);
}

static void *rpc(sk_rpc_client *c, const char *method, const Seklik__Bus__Actor *a, bool command,
                 const ProtobufCMessage *in, const ProtobufCMessageDescriptor *out)
{
    char key[SK_UUID_STRLEN], why[256];
    sk_uuid7(key);
    ProtobufCMessage *m = NULL;
    int rc = sk_rpc_call_decode(c, method, a, command ? key : NULL, in, out, 60000, &m, why,
                                sizeof(why));
    if (rc != SK_OK)
        fprintf(stderr, "%s: %s (%s)\n", method, why, sk_strerror(rc));
    assert_int_equal(rc, SK_OK);
    return m;
}

static void seed(void)
{
    sk_uuid7(company_id);
    sk_uuid7(outlet_id);
    char editor[SK_UUID_STRLEN];
    sk_uuid7(editor);
    sk_rpc_client *sc = it_client(scoring.rpc);
    it_open_year(ver_dsn, dsn, sc, YEAR);
    sk_rpc_client_close(sc);
    /* The company and its outlet as the registry announces it; verified for
     * the year with its deed, Dewan Pers and the editor's UKW certificates
     * accepted: 30 + 15 + 0 + 10 + 17 + 5 = 77, tier B. */
    Seklik__Registry__OutletInput oi = SEKLIK__REGISTRY__OUTLET_INPUT__INIT;
    oi.type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_SIBER;
    oi.name = "Portal Bench";
    oi.monthly_visitors = 600000;
    Seklik__Registry__Outlet o = SEKLIK__REGISTRY__OUTLET__INIT, *outlets[] = {&o};
    o.id = outlet_id;
    o.data = &oi;
    Seklik__Registry__PersonInput ed = SEKLIK__REGISTRY__PERSON_INPUT__INIT;
    ed.role = SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_CHIEF_EDITOR;
    ed.ukw_level = SEKLIK__REGISTRY__UKW_LEVEL__UKW_LEVEL_UTAMA;
    ed.ukw_certificate_expiry = "2199-01-01";
    Seklik__Registry__Person p = SEKLIK__REGISTRY__PERSON__INIT, *pp[] = {&p};
    p.id = editor;
    p.data = &ed;
    Seklik__Registry__CompanyInput ci = SEKLIK__REGISTRY__COMPANY_INPUT__INIT;
    ci.legal_name = "PT Bench Media";
    ci.dewan_pers_status = SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_FAKTUAL;
    ci.deed_date = "2010-01-01";
    ci.established_on = "2010-01-01";
    Seklik__Registry__Company c = SEKLIK__REGISTRY__COMPANY__INIT;
    c.id = company_id;
    c.data = &ci;
    c.outlets = outlets;
    c.n_outlets = 1;
    c.people = pp;
    c.n_people = 1;
    Seklik__Registry__CompanyChanged cc = SEKLIK__REGISTRY__COMPANY_CHANGED__INIT;
    cc.company = &c;
    it_inject(reg_dsn, "registry.company.submitted", &cc.base);
    const char *certified[] = {editor};
    it_verified_with_documents(ver_dsn, company_id, outlet_id, YEAR, certified, 1);

    sk_rpc_client *oc = it_client(ordering.rpc), *ac = it_client(accounting.rpc);
    Seklik__Bus__Actor staff = actor("partnership", NULL), fin = actor("finance", NULL);
    /* Wait until ordering knows the outlet's tier. */
    Seklik__Ordering__ListProductsRequest lp = SEKLIK__ORDERING__LIST_PRODUCTS_REQUEST__INIT;
    lp.fiscal_year = YEAR;
    lp.company_id = company_id;
    bool ready = false;
    for (int i = 0; i < 600 && !ready; i++) {
        Seklik__Ordering__ListProductsResponse *r =
            rpc(oc, "Ordering.ListProducts", &staff, false, &lp.base,
                &seklik__ordering__list_products_response__descriptor);
        ready = r->n_products > 0;
        FREE(r);
        if (!ready)
            sk_test_sleep_ms(50);
    }
    assert_true(ready);
    Seklik__Accounting__BudgetLineInput li = SEKLIK__ACCOUNTING__BUDGET_LINE_INPUT__INIT;
    li.fiscal_year = YEAR;
    li.sub_activity_code = "2.16.02.1.01.0001";
    li.account_code = "5.1.02.02.01.0029";
    li.name = "Belanja Jasa Iklan/Reklame, Film, dan Pemotretan";
    Seklik__Accounting__CreateBudgetLineRequest bl =
        SEKLIK__ACCOUNTING__CREATE_BUDGET_LINE_REQUEST__INIT;
    bl.line = &li;
    bl.pagu = 1000000000000LL;
    bl.document_number = "DPA/BENCH";
    Seklik__Accounting__BudgetLine *line =
        rpc(ac, "Accounting.CreateBudgetLine", &fin, true, &bl.base,
            &seklik__accounting__budget_line__descriptor);
    snprintf(line_id, sizeof(line_id), "%s", line->id);
    FREE(line);
    Seklik__Ordering__Quota q = SEKLIK__ORDERING__QUOTA__INIT, *qs[] = {&q};
    q.product = ADVERTORIAL;
    q.placements = 1000000;
    Seklik__Ordering__AgreementInput ai = SEKLIK__ORDERING__AGREEMENT_INPUT__INIT;
    ai.company_id = company_id;
    ai.fiscal_year = YEAR;
    ai.number = "027/PKS/BENCH/2027";
    ai.value = 1000000000000LL;
    ai.quotas = qs;
    ai.n_quotas = 1;
    ai.valid_from = "2027-01-01";
    ai.valid_until = "2027-12-31";
    ai.budget_line_id = line_id;
    Seklik__Ordering__SaveAgreementRequest sa = SEKLIK__ORDERING__SAVE_AGREEMENT_REQUEST__INIT;
    sa.agreement = &ai;
    Seklik__Ordering__Agreement *ag = rpc(oc, "Ordering.SaveAgreement", &staff, true, &sa.base,
                                          &seklik__ordering__agreement__descriptor);
    snprintf(agreement_id, sizeof(agreement_id), "%s", ag->id);
    FREE(ag);
    static const uint8_t pdf[] = "%PDF-1.4\n%%EOF\n";
    Seklik__Ordering__SignAgreementRequest sr = SEKLIK__ORDERING__SIGN_AGREEMENT_REQUEST__INIT;
    sr.agreement_id = agreement_id;
    sr.signed_on = "2027-01-04";
    sr.content.data = (uint8_t *)pdf;
    sr.content.len = sizeof(pdf) - 1;
    FREE((Seklik__Ordering__Agreement *)rpc(oc, "Ordering.SignAgreement", &staff, true, &sr.base,
                                            &seklik__ordering__agreement__descriptor));
    sk_rpc_client_close(oc);
    sk_rpc_client_close(ac);
}

enum { STEP_OFFER, STEP_ACCEPT, STEP_ISSUE, STEP_ORDER, STEPS };
static const char *const STEP_NAMES[] = {"CreateOrder (offered)", "AcceptOffer (partner)",
                                         "IssueOrder (saga + Reserve)", "whole order"};

typedef struct client {
    double until_us;
    double *lat[STEPS];
    size_t n, cap;
} client;

static void *order_loop(void *arg)
{
    client *cl = arg;
    sk_rpc_client *c = it_client(ordering.rpc);
    Seklik__Bus__Actor staff = actor("partnership", NULL), partner = actor("partner", company_id);
    Seklik__Ordering__OrderInput oi = SEKLIK__ORDERING__ORDER_INPUT__INIT;
    oi.agreement_id = agreement_id;
    oi.outlet_id = outlet_id;
    oi.product = ADVERTORIAL;
    oi.quantity = 1;
    oi.schedule_from = "2027-03-01";
    oi.schedule_to = "2027-03-31";
    oi.title = "Advertorial";
    oi.brief = "Layanan publik";
    Seklik__Ordering__CreateOrderRequest cr = SEKLIK__ORDERING__CREATE_ORDER_REQUEST__INIT;
    cr.order = &oi;
    cr.unit_price = 900000;
    cr.offer_now = true;
    while (now_us() < cl->until_us && cl->n < cl->cap) {
        double t0 = now_us();
        Seklik__Ordering__Order *o =
            rpc(c, "Ordering.CreateOrder", &staff, true, &cr.base, &seklik__ordering__order__descriptor);
        double t1 = now_us();
        Seklik__Ordering__OrderRequest r = SEKLIK__ORDERING__ORDER_REQUEST__INIT;
        r.order_id = o->id;
        FREE((Seklik__Ordering__Order *)rpc(c, "Ordering.AcceptOffer", &partner, true, &r.base,
                                            &seklik__ordering__order__descriptor));
        double t2 = now_us();
        Seklik__Ordering__Order *issued = rpc(c, "Ordering.IssueOrder", &staff, true, &r.base,
                                              &seklik__ordering__order__descriptor);
        double t3 = now_us();
        assert_int_equal(issued->state, SEKLIK__ORDERING__ORDER_STATE__ORDER_STATE_ISSUED);
        FREE(issued);
        FREE(o);
        cl->lat[STEP_OFFER][cl->n] = (t1 - t0) / 1000;
        cl->lat[STEP_ACCEPT][cl->n] = (t2 - t1) / 1000;
        cl->lat[STEP_ISSUE][cl->n] = (t3 - t2) / 1000;
        cl->lat[STEP_ORDER][cl->n] = (t3 - t0) / 1000;
        cl->n++;
    }
    sk_rpc_client_close(c);
    return NULL;
}

/* Accounting.Reserve alone, as the saga's step 2 calls it (fresh order ids). */
static void reserve_alone(int n, double *p50, double *p99)
{
    sk_rpc_client *c = it_client(accounting.rpc);
    Seklik__Bus__Actor sys = SEKLIK__BUS__ACTOR__INIT;
    sys.user_id = "system:ordering";
    double *lat = calloc((size_t)n, sizeof(double));
    for (int i = 0; i < n; i++) {
        char order[SK_UUID_STRLEN];
        sk_uuid7(order);
        Seklik__Accounting__ReserveRequest rr = SEKLIK__ACCOUNTING__RESERVE_REQUEST__INIT;
        rr.order_id = order;
        rr.budget_line_id = line_id;
        rr.amount = 1000;
        double t0 = now_us();
        FREE((Seklik__Accounting__Reservation *)rpc(c, "Accounting.Reserve", &sys, true, &rr.base,
                                                    &seklik__accounting__reservation__descriptor));
        lat[i] = (now_us() - t0) / 1000;
    }
    *p50 = it_quantile(lat, (size_t)n, 0.5);
    *p99 = it_quantile(lat, (size_t)n, 0.99);
    free(lat);
    sk_rpc_client_close(c);
}

static void issue_round(int clients, double pg_tps, double pg_ms)
{
    client cl[8];
    pthread_t t[8];
    double until = now_us() + seconds * 1e6, t0 = now_us();
    for (int i = 0; i < clients; i++) {
        cl[i] = (client){.until_us = until, .cap = 200000};
        for (int s = 0; s < STEPS; s++)
            cl[i].lat[s] = calloc(cl[i].cap, sizeof(double));
        pthread_create(&t[i], NULL, order_loop, &cl[i]);
    }
    size_t total = 0;
    for (int i = 0; i < clients; i++) {
        pthread_join(t[i], NULL);
        total += cl[i].n;
    }
    double elapsed = (now_us() - t0) / 1e6, rate = (double)total / elapsed;
    printf("\n%d client%s: %zu orders offered, accepted and issued in %.1f s = %.0f orders/s\n",
           clients, clients > 1 ? "s" : "", total, elapsed, rate);
    for (int s = 0; s < STEPS; s++) {
        double *all = calloc(total ? total : 1, sizeof(double));
        size_t k = 0;
        for (int i = 0; i < clients; i++)
            for (size_t j = 0; j < cl[i].n; j++)
                all[k++] = cl[i].lat[s][j];
        printf("  %-28s p50 %6.2f ms  p99 %6.2f ms\n", STEP_NAMES[s], it_quantile(all, k, 0.5),
               it_quantile(all, k, 0.99));
        free(all);
    }
    for (int i = 0; i < clients; i++)
        for (int s = 0; s < STEPS; s++)
            free(cl[i].lat[s]);
    printf("  reference: pgbench single-row INSERT, %d client%s: %.0f commits/s (%.2f ms each)\n",
           clients, clients > 1 ? "s" : "", pg_tps, pg_ms);
    printf("  ratio orders/s / pgbench commits/s = %.3f (goal 0.5); durable commits on the order"
           " path (5 per order) / pgbench commits = %.2f\n",
           rate / pg_tps, 5 * rate / pg_tps);
    assert_true(total > 0);
}

static void issuing_end_to_end(void **state)
{
    (void)state;
    seed();
    const char *ref = "INSERT INTO bench_commit (v) VALUES (1);\n";
    assert_int_equal(sk_test_sql_exec(dsn, "CREATE TABLE bench_commit (id bigserial PRIMARY KEY,"
                                           " v int)"),
                     0);
    double p50, p99;
    reserve_alone(seconds * 20, &p50, &p99);
    printf("Accounting.Reserve alone (the saga's step 2): p50 %.2f ms, p99 %.2f ms\n", p50, p99);
    for (int clients = 1; clients <= 4; clients += 3) {
        double pg_ms = 0, pg = it_pgbench_clients("bench_ordering", ref, seconds, clients, &pg_ms);
        issue_round(clients, pg, pg_ms);
    }
}

static void ceiling_lookup(void **state)
{
    (void)state;
    mirror_lookup();
}

static int start(void **state)
{
    (void)state;
    char log[512];
    if (!it_arg(4) || !it_arg(5) || !it_arg(6) ||
        !sk_test_create_db("bench_ordering", dsn, sizeof(dsn)) ||
        !sk_test_create_db("bench_ordering_registry", reg_dsn, sizeof(reg_dsn)) ||
        !sk_test_create_db("bench_ordering_verification", ver_dsn, sizeof(ver_dsn)))
        return -1;
    const char *redis = sk_test_env("SEKLIK_TEST_REDIS_URL");
    sk_test_peer_init(&fake_registry, "testpub", reg_dsn, redis);
    sk_test_peer_init(&fake_verification, "testpub", ver_dsn, redis);
    if (sk_test_peer_start(&fake_registry, it_pub_bin, it_log(log, sizeof(log), "bench_ordering", "registry")) ||
        sk_test_peer_start(&fake_verification, it_pub_bin,
                           it_log(log, sizeof(log), "bench_ordering", "verification")))
        return -1;
    sk_test_peer_init(&accounting, "accounting", dsn, redis);
    sk_test_peer_init(&scoring, "scoring", dsn, redis);
    sk_test_peer_init(&ordering, "ordering", dsn, redis);
    sk_test_peer_setenv(&scoring, "SEKLIK_REGISTRY_RPC", fake_registry.rpc);
    sk_test_peer_setenv(&scoring, "SEKLIK_REGISTRY_EVENTS", fake_registry.events);
    sk_test_peer_setenv(&scoring, "SEKLIK_VERIFICATION_RPC", fake_verification.rpc);
    sk_test_peer_setenv(&scoring, "SEKLIK_VERIFICATION_EVENTS", fake_verification.events);
    sk_test_peer_link(&scoring, &ordering);
    sk_test_peer_setenv(&ordering, "SEKLIK_REGISTRY_RPC", fake_registry.rpc);
    sk_test_peer_setenv(&ordering, "SEKLIK_REGISTRY_EVENTS", fake_registry.events);
    sk_test_peer_link(&ordering, &scoring);
    sk_test_peer_link(&ordering, &accounting);
    if (sk_test_peer_start(&accounting, it_arg(5), it_log(log, sizeof(log), "bench_ordering", "accounting")) ||
        sk_test_peer_start(&scoring, it_arg(6), it_log(log, sizeof(log), "bench_ordering", "scoring")) ||
        sk_test_peer_start(&ordering, it_arg(4), it_log(log, sizeof(log), "bench_ordering", "ordering")))
        return -1;
    return 0;
}

static int stop(void **state)
{
    (void)state;
    it_stop((sk_test_peer *[]){&ordering, &scoring, &accounting, &fake_verification,
                               &fake_registry, NULL});
    return 0;
}

int main(int argc, char **argv)
{
    const char *quick = getenv("SEKLIK_BENCH_QUICK");
    if (quick && *quick && strcmp(quick, "0") != 0) {
        seconds = 2;
        lookups = 500000;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ceiling_lookup),
        cmocka_unit_test(issuing_end_to_end),
    };
    return it_main2(argc, argv, tests, sizeof(tests) / sizeof(tests[0]), start, stop);
}
