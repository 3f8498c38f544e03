/* The scoring service over the bus, against a real PostgreSQL and a private
 * Redis: scores from registry and verification events (two testpubs stand in
 * for them; the test writes real CompanyChanged / CaseChanged events into
 * their outboxes), re-tiering on a new rule set with one event per changed
 * outlet, cached ceilings that follow re-tiering and survive Redis stopping,
 * and refusals that name the field and store nothing.
 *
 * argv: testpub testsub logdir seklik-scoring */
#include <signal.h>
#include <stdlib.h>

#include "it_common.h"
#include "seklik/ordering.pb-c.h"
#include "seklik/registry.pb-c.h"
#include "seklik/scoring.pb-c.h"
#include "seklik/verification.pb-c.h"

#define YEAR 2027

static const char *scoring_bin;
static char dsn[512], reg_dsn[512], ver_dsn[512], ord_dsn[512], redis_url[160];
static sk_test_peer scoring, fake_registry, fake_verification, fake_ordering;
static sk_proc redis;
static sk_rpc_client *rpc;

/* ---- actors ---- */

static Seklik__Bus__Actor admin(void)
{
    return it_actor("admin-1", "admin", NULL);
}

static Seklik__Bus__Actor partner(const char *company_id)
{
    return it_actor("partner-user", "partner", company_id);
}

/* ---- calls ---- */

static Seklik__Bus__Response *call(const char *method, const Seklik__Bus__Actor *actor,
                                   bool command, const ProtobufCMessage *in)
{
    char key[SK_UUID_STRLEN], full[64];
    sk_uuid7(key);
    snprintf(full, sizeof(full), "Scoring.%s", method);
    Seklik__Bus__Response *resp = NULL;
    assert_int_equal(sk_rpc_call(rpc, full, actor, command ? key : NULL, in, 30000, &resp), SK_OK);
    return resp;
}

static void *body(const Seklik__Bus__Response *r, const ProtobufCMessageDescriptor *d)
{
    if (it_code(r) != SK_OK)
        fprintf(stderr, "code %d: %s\n", it_code(r), r->message);
    assert_int_equal(it_code(r), SK_OK);
    void *m = protobuf_c_message_unpack(d, NULL, r->body.len, r->body.data);
    assert_non_null(m);
    return m;
}

static long long sql_number(const char *fmt, const char *arg)
{
    char sql[512];
    snprintf(sql, sizeof(sql), fmt, arg);
    return sk_test_sql_number(dsn, sql);
}

/* scoring.outlet.tiered events in the outbox so far. */
static long long tiered_events(void)
{
    return sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.outbox"
                                   " WHERE type = 'scoring.outlet.tiered'");
}

/* ---- events into the stand-ins' outboxes ---- */

/* A press company with one online outlet, as the registry's CompanyChanged
 * and verification's CaseChanged carry it: its Dewan Pers certificate's
 * level (accepted), the chief editor's UKW level (certificate accepted),
 * `journalists` of whom `valid` hold an accepted certificate valid through
 * the year (the others' expired in 2026), the deed date (deed accepted),
 * visitors. */
typedef struct profile {
    int dewan, chief;
    int journalists, valid;
    const char *deed_date;
    int64_t visitors;
} profile;

/* scoring_golden_path_inputs: faktual, Madya, 2 of 3, 7 years on 1 January
 * 2027, 600.000 visitors -> 30 + 8 + 8 + 10 + 17 + 5 = 78, tier B. */
static const profile GOLDEN = {2, 2, 3, 2, "2020-01-01", 600000};

#define MAX_PEOPLE 8

typedef struct company {
    char id[SK_UUID_STRLEN], outlet_id[SK_UUID_STRLEN];
    char person[MAX_PEOPLE][SK_UUID_STRLEN]; /* [0] the chief editor */
    const profile *p;
} company;

static void registry_event(const company *co, const profile *p)
{
    Seklik__Registry__OutletInput oi = SEKLIK__REGISTRY__OUTLET_INPUT__INIT;
    oi.type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_SIBER;
    oi.name = "Portal Berita";
    oi.monthly_visitors = p->visitors;
    Seklik__Registry__Outlet o = SEKLIK__REGISTRY__OUTLET__INIT, *outlets[] = {&o};
    o.id = (char *)co->outlet_id;
    o.data = &oi;
    Seklik__Registry__PersonInput pi[MAX_PEOPLE];
    Seklik__Registry__Person people[MAX_PEOPLE], *pp[MAX_PEOPLE];
    size_t n = 0;
    seklik__registry__person_input__init(&pi[n]);
    pi[n].role = SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_CHIEF_EDITOR;
    pi[n].ukw_level = (Seklik__Registry__UkwLevel)p->chief;
    n++;
    for (int j = 0; j < p->journalists; j++, n++) {
        seklik__registry__person_input__init(&pi[n]);
        pi[n].role = SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_JOURNALIST;
        pi[n].ukw_level = SEKLIK__REGISTRY__UKW_LEVEL__UKW_LEVEL_MUDA;
    }
    for (size_t k = 0; k < n; k++) {
        seklik__registry__person__init(&people[k]);
        people[k].id = (char *)co->person[k];
        people[k].data = &pi[k];
        pp[k] = &people[k];
    }
    Seklik__Registry__CompanyInput ci = SEKLIK__REGISTRY__COMPANY_INPUT__INIT;
    ci.legal_name = "PT Media";
    ci.dewan_pers_status = (Seklik__Registry__DewanPersStatus)p->dewan;
    ci.deed_date = (char *)p->deed_date;
    Seklik__Registry__Company c = SEKLIK__REGISTRY__COMPANY__INIT;
    c.id = (char *)co->id;
    c.data = &ci;
    c.outlets = outlets;
    c.n_outlets = 1;
    c.people = pp;
    c.n_people = n;
    Seklik__Registry__CompanyChanged ev = SEKLIK__REGISTRY__COMPANY_CHANGED__INIT;
    ev.company = &c;
    it_inject(reg_dsn, "registry.company.submitted", &ev.base);
}

/* One accepted document version in force. */
static void accepted(Seklik__Verification__CaseDocument *d, int type, const char *person,
                     const char *expires, int level)
{
    seklik__verification__case_document__init(d);
    d->type = (Seklik__Registry__DocumentType)type;
    d->person_id = (char *)(person ? person : "");
    d->decision = SEKLIK__VERIFICATION__DECISION__DECISION_ACCEPTED;
    d->in_force_document_id = "0190a0a0-0000-7000-8000-00000000d0c0";
    d->in_force_expires_on = (char *)expires;
    d->in_force_dewan_pers_status = (Seklik__Registry__DewanPersStatus)level;
}

/* verification.company.<outcome>: the case of YEAR, its one outlet in
 * `outlet_state`, and its documents as `co->p` says they were judged. */
static void verification_event(const company *co, const char *outcome, int outlet_state)
{
    const profile *p = co->p;
    Seklik__Verification__CaseDocument docs[MAX_PEOPLE + 2], *dp[MAX_PEOPLE + 2];
    size_t n = 0;
    accepted(&docs[n++], 1, NULL, "", 0); /* the deed */
    if (p->dewan)
        accepted(&docs[n++], 6, NULL, "", p->dewan);
    accepted(&docs[n++], 7, co->person[0], "2099-12-31", 0);
    for (int j = 0; j < p->journalists; j++)
        accepted(&docs[n++], 7, co->person[1 + j], j < p->valid ? "2099-12-31" : "2026-12-31", 0);
    for (size_t k = 0; k < n; k++)
        dp[k] = &docs[k];
    Seklik__Verification__CaseOutlet o = SEKLIK__VERIFICATION__CASE_OUTLET__INIT, *op[] = {&o};
    o.outlet_id = (char *)co->outlet_id;
    o.state = outlet_state;
    Seklik__Verification__Case vc = SEKLIK__VERIFICATION__CASE__INIT;
    vc.company_id = (char *)co->id;
    vc.fiscal_year = YEAR;
    vc.state = outlet_state == SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_VERIFIED
                   ? SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VERIFIED
               : outlet_state == SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_SUSPENDED
                   ? SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_SUSPENDED
                   : SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_REJECTED;
    vc.outlets = op;
    vc.n_outlets = 1;
    vc.documents = dp;
    vc.n_documents = n;
    Seklik__Verification__CaseChanged ev = SEKLIK__VERIFICATION__CASE_CHANGED__INIT;
    ev.verification_case = &vc;
    char type[64];
    snprintf(type, sizeof(type), "verification.company.%s", outcome);
    it_inject(ver_dsn, type, &ev.base);
}

static void verified(const company *co)
{
    verification_event(co, "verified", SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_VERIFIED);
}

/* Wait until both stand-ins' events are all applied. */
static void wait_applied(void)
{
    static const char sql[] =
        "SELECT count(*) FROM scoring.inbox_offsets WHERE (source = 'registry' AND"
        " last_seq = $1::bigint) OR (source = 'verification' AND last_seq = $2::bigint)";
    for (int i = 0; i < 200; i++) {
        long long reg = sk_test_sql_number(reg_dsn, "SELECT last_seq FROM testpub.outbox_head");
        long long ver = sk_test_sql_number(ver_dsn, "SELECT last_seq FROM testpub.outbox_head");
        char seqs[2][24];
        snprintf(seqs[0], sizeof(seqs[0]), "%lld", reg);
        snprintf(seqs[1], sizeof(seqs[1]), "%lld", ver);
        const char *params[] = {seqs[0], seqs[1]};
        if (sk_test_sql_number_params(dsn, sql, 2, params) == (reg > 0) + (ver > 0))
            return;
        sk_test_sleep_ms(50);
    }
    fail_msg("scoring did not apply the events");
}

static Seklik__Scoring__OutletScore *get_score(const company *co, const Seklik__Bus__Actor *a)
{
    Seklik__Scoring__GetScoreRequest req = SEKLIK__SCORING__GET_SCORE_REQUEST__INIT;
    req.outlet_id = (char *)co->outlet_id;
    req.fiscal_year = YEAR;
    Seklik__Bus__Response *resp = call("GetScore", a, false, &req.base);
    Seklik__Scoring__OutletScore *s = body(resp, &seklik__scoring__outlet_score__descriptor);
    seklik__bus__response__free_unpacked(resp, NULL);
    return s;
}

static int score_tier(const company *co)
{
    Seklik__Bus__Actor a = admin();
    Seklik__Scoring__OutletScore *s = get_score(co, &a);
    int t = s->tier;
    protobuf_c_message_free_unpacked(&s->base, NULL);
    return t;
}

/* GetCeiling's code; the ceiling and tier when OK. */
static int ceiling(const company *co, int64_t *value, int *tier)
{
    Seklik__Scoring__GetCeilingRequest req = SEKLIK__SCORING__GET_CEILING_REQUEST__INIT;
    req.outlet_id = (char *)co->outlet_id;
    req.product = SEKLIK__SCORING__PRODUCT__PRODUCT_ONLINE_ADVERTORIAL;
    req.fiscal_year = YEAR;
    Seklik__Bus__Actor a = admin();
    Seklik__Bus__Response *resp = call("GetCeiling", &a, false, &req.base);
    int rc = it_code(resp);
    if (rc == SK_OK) {
        Seklik__Scoring__Ceiling *c = body(resp, &seklik__scoring__ceiling__descriptor);
        *value = c->ceiling;
        *tier = c->tier;
        protobuf_c_message_free_unpacked(&c->base, NULL);
    }
    seklik__bus__response__free_unpacked(resp, NULL);
    return rc;
}

static long long metric(const char *name)
{
    char url[128], text[65536];
    snprintf(url, sizeof(url), "%s/metrics", scoring.http);
    assert_int_equal(sk_test_http_get(url, text, sizeof(text)), 200);
    return sk_test_metric(text, name);
}

/* Read the ceiling of `co` until a read is a cache hit, each answering
 * `want`: for 2 s after a change of the outlet's ceilings their keys are
 * fenced and reads are not stored (sk_cache_invalidate_prefix). */
static void ceiling_cached(const company *co, int64_t want)
{
    for (int waited = 0; waited <= 5000; waited += 100) {
        int64_t value = 0;
        int tier = 0;
        long long hits = metric("seklik_cache_hits_total");
        assert_int_equal(ceiling(co, &value, &tier), SK_OK);
        assert_int_equal(value, want);
        if (metric("seklik_cache_hits_total") > hits)
            return;
        sk_test_sleep_ms(100);
    }
    fail_msg("the ceiling of %s was not cached within 5 s", co->outlet_id);
}

static Seklik__Scoring__RuleSet *published_rules(void)
{
    Seklik__Scoring__GetVersionRequest req = SEKLIK__SCORING__GET_VERSION_REQUEST__INIT;
    req.fiscal_year = YEAR;
    Seklik__Bus__Actor a = partner(NULL); /* any signed actor may read them */
    Seklik__Bus__Response *resp = call("GetRuleSet", &a, false, &req.base);
    Seklik__Scoring__RuleSet *rs = body(resp, &seklik__scoring__rule_set__descriptor);
    seklik__bus__response__free_unpacked(resp, NULL);
    return rs;
}

static void new_company(company *co, const profile *p)
{
    sk_uuid7(co->id);
    sk_uuid7(co->outlet_id);
    for (int i = 0; i < MAX_PEOPLE; i++)
        sk_uuid7(co->person[i]);
    co->p = p;
}

/* ---- fixture ---- */

static int start_scoring(void **state)
{
    (void)state;
    char log[512];
    if (!sk_test_create_db("it_scoring", dsn, sizeof(dsn)) ||
        !sk_test_create_db("it_scoring_registry", reg_dsn, sizeof(reg_dsn)) ||
        !sk_test_create_db("it_scoring_verification", ver_dsn, sizeof(ver_dsn)) ||
        !sk_test_create_db("it_scoring_ordering", ord_dsn, sizeof(ord_dsn)))
        return -1;
    int port = sk_test_free_port();
    if (sk_test_redis_start(&redis, port, it_logdir, redis_url, sizeof(redis_url)))
        return -1;
    /* Two testpubs, each in a database of its own, stand in for registry and
     * verification: the test writes their events into their outboxes. */
    sk_test_peer_init(&fake_registry, "testpub", reg_dsn, redis_url);
    if (sk_test_peer_start(&fake_registry, it_pub_bin, it_log(log, sizeof(log), "scoring", "registry")))
        return -1;
    sk_test_peer_init(&fake_verification, "testpub", ver_dsn, redis_url);
    if (sk_test_peer_start(&fake_verification, it_pub_bin,
                           it_log(log, sizeof(log), "scoring", "verification")))
        return -1;
    sk_test_peer_init(&fake_ordering, "testpub", ord_dsn, redis_url);
    if (sk_test_peer_start(&fake_ordering, it_pub_bin, it_log(log, sizeof(log), "scoring", "ordering")))
        return -1;
    sk_test_peer_init(&scoring, "scoring", dsn, redis_url);
    sk_test_peer_setenv(&scoring, "SEKLIK_REGISTRY_RPC", fake_registry.rpc);
    sk_test_peer_setenv(&scoring, "SEKLIK_REGISTRY_EVENTS", fake_registry.events);
    sk_test_peer_setenv(&scoring, "SEKLIK_VERIFICATION_RPC", fake_verification.rpc);
    sk_test_peer_setenv(&scoring, "SEKLIK_VERIFICATION_EVENTS", fake_verification.events);
    sk_test_peer_setenv(&scoring, "SEKLIK_ORDERING_RPC", fake_ordering.rpc);
    sk_test_peer_setenv(&scoring, "SEKLIK_ORDERING_EVENTS", fake_ordering.events);
    sk_test_peer_setenv(&scoring, "SEKLIK_REPLAY_INTERVAL_MS", "200");
    if (sk_test_peer_start(&scoring, scoring_bin, it_log(log, sizeof(log), "scoring", "scoring")))
        return -1;
    rpc = it_client(scoring.rpc);
    return 0;
}

static int stop_scoring(void **state)
{
    (void)state;
    sk_rpc_client_close(rpc);
    sk_proc_signal(&scoring.proc, SIGTERM);
    int rc = sk_proc_wait(&scoring.proc, 15000);
    sk_proc_signal(&fake_registry.proc, SIGTERM);
    sk_proc_signal(&fake_verification.proc, SIGTERM);
    sk_proc_signal(&fake_ordering.proc, SIGTERM);
    sk_proc_wait(&fake_registry.proc, 15000);
    sk_proc_wait(&fake_verification.proc, 15000);
    sk_proc_wait(&fake_ordering.proc, 15000);
    sk_proc_signal(&redis, SIGKILL);
    sk_proc_wait(&redis, 5000);
    return rc == 0 ? 0 : -1;
}

/* ---- tests ---- */

static company golden, late, other;

static void year_opened(int year)
{
    Seklik__Verification__FiscalYear y = SEKLIK__VERIFICATION__FISCAL_YEAR__INIT;
    y.fiscal_year = year;
    y.registration_opens_on = "2000-01-01";
    y.registration_closes_on = "2099-12-31";
    Seklik__Verification__YearOpened ev = SEKLIK__VERIFICATION__YEAR_OPENED__INIT;
    ev.year = &y;
    it_inject(ver_dsn, "verification.year.opened", &ev.base);
}

static int publish(const char *method, int year)
{
    Seklik__Scoring__PublishRequest pub = SEKLIK__SCORING__PUBLISH_REQUEST__INIT;
    pub.fiscal_year = year;
    Seklik__Bus__Actor a = admin();
    Seklik__Bus__Response *resp = call(method, &a, true, &pub.base);
    int rc = it_code(resp);
    seklik__bus__response__free_unpacked(resp, NULL);
    return rc;
}

static int get_code(const char *method, int year, int version)
{
    Seklik__Scoring__GetVersionRequest req = SEKLIK__SCORING__GET_VERSION_REQUEST__INIT;
    req.fiscal_year = year;
    req.version = version;
    Seklik__Bus__Actor a = partner(NULL);
    Seklik__Bus__Response *resp = call(method, &a, false, &req.base);
    int rc = it_code(resp);
    seklik__bus__response__free_unpacked(resp, NULL);
    return rc;
}

/* A read never writes: a year nobody opened has no rule set or price
 * standard, and asking for them publishes nothing. Opening the year drafts
 * both (the defaults: 2026 has none), once; the admin publishes them, and
 * the outlets verified meanwhile are scored then. */
static void opening_the_year_drafts_its_sets_and_a_read_never_publishes(void **state)
{
    (void)state;
    assert_int_equal(get_code("GetRuleSet", YEAR, 0), SK_ENOTFOUND);
    assert_int_equal(get_code("GetPriceStandard", YEAR, 0), SK_ENOTFOUND);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.rule_set"), 0);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.price_standard"), 0);
    assert_int_equal(publish("PublishRuleSet", YEAR), SK_EPRECOND); /* no draft */

    /* Verified before the rules exist: nothing scored, nothing published. */
    new_company(&golden, &GOLDEN);
    registry_event(&golden, &GOLDEN);
    verified(&golden);
    wait_applied();
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.outlet_score"), 0);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.rule_set"), 0);

    year_opened(YEAR);
    year_opened(YEAR); /* twice: one draft each */
    wait_applied();
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.rule_set WHERE"
                                             " state = 'draft' AND fiscal_year = 2027"),
                     1);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.price_standard WHERE"
                                             " state = 'draft' AND fiscal_year = 2027"),
                     1);
    assert_int_equal(get_code("GetRuleSet", YEAR, 0), SK_ENOTFOUND); /* a draft is not in force */
    assert_int_equal(get_code("GetRuleSet", YEAR, 1), SK_ENOTFOUND); /* nor a published version */
    assert_int_equal(get_code("GetRuleSet", YEAR, -1), SK_ENOTFOUND); /* a partner sees no draft */
    Seklik__Scoring__GetVersionRequest gd = SEKLIK__SCORING__GET_VERSION_REQUEST__INIT;
    gd.fiscal_year = YEAR;
    gd.version = -1;
    Seklik__Bus__Actor ad = admin();
    Seklik__Bus__Response *resp = call("GetRuleSet", &ad, false, &gd.base);
    Seklik__Scoring__RuleSet *draft = body(resp, &seklik__scoring__rule_set__descriptor);
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_int_equal(draft->state, SEKLIK__SCORING__SET_STATE__SET_STATE_DRAFT);
    assert_int_equal(draft->tiers->a, 80); /* the DOMAIN.md defaults: 2026 had none */
    protobuf_c_message_free_unpacked(&draft->base, NULL);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.outlet_score"), 0);

    long long events = tiered_events();
    assert_int_equal(publish("PublishRuleSet", YEAR), SK_OK);
    assert_int_equal(publish("PublishPriceStandard", YEAR), SK_OK);
    assert_int_equal(tiered_events(), events + 1); /* the outlet verified meanwhile */
    assert_int_equal(get_code("GetRuleSet", YEAR, 0), SK_OK);
    assert_int_equal(get_code("GetRuleSet", YEAR + 1, 0), SK_ENOTFOUND);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.rule_set"), 1);
}

static void golden_path_outlet_scores_78_tier_b_with_one_event(void **state)
{
    (void)state;
    long long events = tiered_events() - 1; /* scored when the rules were published */

    Seklik__Bus__Actor a = admin();
    Seklik__Scoring__OutletScore *s = get_score(&golden, &a);
    assert_int_equal(s->total, 78);
    assert_int_equal(s->tier, SEKLIK__SCORING__TIER__TIER_B);
    assert_string_equal(s->company_id, golden.id);
    assert_int_equal(s->rule_set_version, 1); /* the year's draft, published by the admin */
    assert_int_equal(s->n_breakdown, 6);
    static const int points[] = {30, 8, 8, 10, 17, 5};
    static const char *const reasons[] = {"dewan_pers.faktual",          "chief_editor_ukw.certified",
                                          "journalist_ukw_share.some_unproven", "company_age.deed",
                                          "reach.declared",              "performance.no_history"};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(s->breakdown[i]->criterion, (int)i + 1);
        assert_int_equal(s->breakdown[i]->points, points[i]);
        assert_string_equal(s->breakdown[i]->reason, reasons[i]);
    }
    assert_int_equal(s->breakdown[2]->input_value, 66); /* 2 of 3 certified */
    assert_int_equal(s->breakdown[5]->input_value, -1); /* no history: neutral */
    protobuf_c_message_free_unpacked(&s->base, NULL);
    assert_int_equal(tiered_events(), events + 1);
    /* nothing was published by anyone but the admin */
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.audit_log WHERE"
                                             " action LIKE '%.published' AND user_id <> 'admin-1'"),
                     0);

    /* the same events again: same score, no second event */
    registry_event(&golden, &GOLDEN);
    verified(&golden);
    wait_applied();
    assert_int_equal(tiered_events(), events + 1);
    assert_int_equal(score_tier(&golden), SEKLIK__SCORING__TIER__TIER_B);
}

static void standing_first_then_inputs_scores_the_same(void **state)
{
    (void)state;
    new_company(&late, &GOLDEN);
    long long events = tiered_events();
    verified(&late); /* verification's event arrives before the registry's */
    wait_applied();
    assert_int_equal(sql_number("SELECT count(*) FROM scoring.outlet_score WHERE outlet_id = '%s'",
                                late.outlet_id),
                     0);
    registry_event(&late, &GOLDEN);
    wait_applied();
    assert_int_equal(score_tier(&late), SEKLIK__SCORING__TIER__TIER_B);
    assert_int_equal(tiered_events(), events + 1);
}

/* Last year's performance replaces the neutral points: the golden profile
 * (78 with 5 neutral points) with 100% last year scores 83, tier A, one event. */
static void last_years_performance_replaces_the_neutral_points(void **state)
{
    (void)state;
    company perf;
    new_company(&perf, &GOLDEN);
    registry_event(&perf, &GOLDEN);
    verified(&perf);
    wait_applied();
    Seklik__Bus__Actor a = admin();
    Seklik__Scoring__OutletScore *s = get_score(&perf, &a);
    assert_int_equal(s->total, 78);
    protobuf_c_message_free_unpacked(&s->base, NULL);
    long long events = tiered_events();

    Seklik__Ordering__PerformanceRecorded pr = SEKLIK__ORDERING__PERFORMANCE_RECORDED__INIT;
    pr.company_id = (char *)perf.id;
    pr.fiscal_year = YEAR - 1;
    pr.percent = 100;
    pr.placements = 24;
    it_inject(ord_dsn, "ordering.performance.recorded", &pr.base);
    for (int i = 0; i < 200; i++) {
        s = get_score(&perf, &a);
        int total = s->total, tier = s->tier, points = -1;
        for (size_t k = 0; k < s->n_breakdown; k++)
            if (s->breakdown[k]->criterion == SEKLIK__SCORING__CRITERION__CRITERION_PERFORMANCE)
                points = s->breakdown[k]->points;
        protobuf_c_message_free_unpacked(&s->base, NULL);
        if (total != 78) {
            assert_int_equal(total, 83);
            assert_int_equal(tier, SEKLIK__SCORING__TIER__TIER_A);
            assert_int_equal(points, 10);
            break;
        }
        assert_true(i < 199);
        sk_test_sleep_ms(50);
    }
    assert_int_equal(tiered_events(), events + 1);
}

/* The year's price standard is the default the year was opened with,
 * published as version 1; any signed actor reads it; an unknown version is
 * NOT_FOUND. */
static void price_standard_is_readable_and_versioned(void **state)
{
    (void)state;
    Seklik__Scoring__GetVersionRequest req = SEKLIK__SCORING__GET_VERSION_REQUEST__INIT;
    req.fiscal_year = YEAR;
    Seklik__Bus__Actor a = partner(NULL);
    Seklik__Bus__Response *resp = call("GetPriceStandard", &a, false, &req.base);
    Seklik__Scoring__PriceStandard *ps = body(resp, &seklik__scoring__price_standard__descriptor);
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_int_equal(ps->version, 1);
    assert_int_equal(ps->state, SEKLIK__SCORING__SET_STATE__SET_STATE_PUBLISHED);
    bool found = false;
    for (size_t i = 0; i < ps->n_entries; i++)
        if (ps->entries[i]->outlet_type == SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_SIBER &&
            ps->entries[i]->product == SEKLIK__SCORING__PRODUCT__PRODUCT_ONLINE_ADVERTORIAL &&
            ps->entries[i]->tier == SEKLIK__SCORING__TIER__TIER_B) {
            assert_int_equal(ps->entries[i]->ceiling, 1000000);
            found = true;
        }
    assert_true(found);
    protobuf_c_message_free_unpacked(&ps->base, NULL);

    req.version = 99;
    resp = call("GetPriceStandard", &a, false, &req.base);
    assert_int_equal(resp->code, SEKLIK__BUS__CODE__NOT_FOUND);
    seklik__bus__response__free_unpacked(resp, NULL);
    req.version = -2;
    resp = call("GetPriceStandard", &a, false, &req.base);
    assert_int_equal(resp->code, SEKLIK__BUS__CODE__INVALID_ARGUMENT);
    assert_string_equal(resp->violations[0]->field, "version");
    seklik__bus__response__free_unpacked(resp, NULL);
    req.version = -1; /* the draft: the admin's, nobody else's */
    resp = call("GetPriceStandard", &a, false, &req.base);
    assert_int_equal(resp->code, SEKLIK__BUS__CODE__NOT_FOUND);
    seklik__bus__response__free_unpacked(resp, NULL);
}

static void partner_reads_its_own_score_only(void **state)
{
    (void)state;
    Seklik__Bus__Actor own = partner(golden.id);
    Seklik__Scoring__OutletScore *s = get_score(&golden, &own);
    assert_int_equal(s->total, 78);
    protobuf_c_message_free_unpacked(&s->base, NULL);

    /* Someone else's outlet answers exactly as an outlet that does not
     * exist: a partner cannot probe which outlet ids are real. */
    Seklik__Bus__Actor stranger = partner(late.id);
    Seklik__Scoring__GetScoreRequest req = SEKLIK__SCORING__GET_SCORE_REQUEST__INIT;
    req.outlet_id = golden.outlet_id;
    req.fiscal_year = YEAR;
    Seklik__Bus__Response *other = call("GetScore", &stranger, false, &req.base);
    req.outlet_id = "0190a0a0-0000-7000-8000-0000000000ff";
    Seklik__Bus__Response *unknown = call("GetScore", &stranger, false, &req.base);
    assert_int_equal(it_code(other), SK_ENOTFOUND);
    assert_int_equal(it_code(unknown), SK_ENOTFOUND);
    assert_string_equal(other->message, unknown->message);
    assert_int_equal(strncmp(other->message, "score.not_found: ", 17), 0); /* the code leads */
    assert_int_equal(other->n_violations, unknown->n_violations);
    assert_int_equal(other->body.len, 0);
    seklik__bus__response__free_unpacked(other, NULL);
    seklik__bus__response__free_unpacked(unknown, NULL);
}

static void invalid_rule_set_names_the_field_and_stores_nothing(void **state)
{
    (void)state;
    Seklik__Scoring__RuleSet *rs = published_rules();
    assert_int_equal(rs->n_criteria, 6);
    /* company age: bands must have strictly increasing thresholds */
    assert_int_equal(rs->criteria[3]->criterion, SEKLIK__SCORING__CRITERION__CRITERION_COMPANY_AGE);
    rs->criteria[3]->bands[1]->threshold = rs->criteria[3]->bands[0]->threshold;
    long long rows = sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.rule_set");
    long long audits = sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.audit_log");
    Seklik__Bus__Actor a = admin();
    Seklik__Bus__Response *resp = call("SaveRuleSetDraft", &a, true, &rs->base);
    assert_int_equal(it_code(resp), SK_EINVAL);
    assert_true(resp->n_violations >= 1);
    assert_string_equal(resp->violations[0]->field, "criteria[3].bands[1].threshold");
    seklik__bus__response__free_unpacked(resp, NULL);
    /* a partner may read the rules but not write them */
    rs->criteria[3]->bands[1]->threshold = 5;
    Seklik__Bus__Actor p = partner(golden.id);
    resp = call("SaveRuleSetDraft", &p, true, &rs->base);
    assert_int_equal(it_code(resp), SK_EPERM);
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.rule_set"), rows);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.audit_log"), audits);
    protobuf_c_message_free_unpacked(&rs->base, NULL);
}

static void ceiling_is_one_million_at_tier_b_and_then_cached(void **state)
{
    (void)state;
    int64_t value = 0;
    int tier = 0;
    assert_int_equal(ceiling(&golden, &value, &tier), SK_OK);
    assert_int_equal(value, 1000000);
    assert_int_equal(tier, SEKLIK__SCORING__TIER__TIER_B);
    ceiling_cached(&golden, 1000000);
}

/* tiers A >= 75: the golden outlet (78) and one at 76 move from B to A; the
 * others (95, 65, 50) keep their tiers and get no event. */
static void new_rule_set_re_tiers_with_one_event_per_changed_outlet(void **state)
{
    (void)state;
    static const profile P95 = {2, 3, 4, 4, "2015-06-01", 1000000};
    static const profile P76 = {2, 2, 3, 2, "2020-01-01", 250000};
    static const profile P65 = {2, 2, 3, 2, "2020-01-01", 10000};
    static const profile P50 = {1, 0, 3, 2, "2020-01-01", 100000};
    const profile *ps[] = {&P95, &P76, &P65, &P50};
    static const int totals[] = {95, 76, 65, 50};
    company cs[4];
    for (int i = 0; i < 4; i++) {
        new_company(&cs[i], ps[i]);
        registry_event(&cs[i], ps[i]);
        verified(&cs[i]);
    }
    wait_applied();
    Seklik__Bus__Actor a = admin();
    for (int i = 0; i < 4; i++) {
        Seklik__Scoring__OutletScore *s = get_score(&cs[i], &a);
        assert_int_equal(s->total, totals[i]);
        protobuf_c_message_free_unpacked(&s->base, NULL);
    }
    other = cs[2];

    Seklik__Scoring__RuleSet *rs = published_rules();
    rs->tiers->a = 75;
    Seklik__Bus__Response *resp = call("SaveRuleSetDraft", &a, true, &rs->base);
    Seklik__Scoring__RuleSet *draft = body(resp, &seklik__scoring__rule_set__descriptor);
    assert_int_equal(draft->state, SEKLIK__SCORING__SET_STATE__SET_STATE_DRAFT);
    protobuf_c_message_free_unpacked(&draft->base, NULL);
    seklik__bus__response__free_unpacked(resp, NULL);
    protobuf_c_message_free_unpacked(&rs->base, NULL);

    long long events = tiered_events();
    Seklik__Scoring__PublishRequest pub = SEKLIK__SCORING__PUBLISH_REQUEST__INIT;
    pub.fiscal_year = YEAR;
    resp = call("PublishRuleSet", &a, true, &pub.base);
    Seklik__Scoring__RuleSet *now = body(resp, &seklik__scoring__rule_set__descriptor);
    assert_int_equal(now->version, 2);
    assert_int_equal(now->state, SEKLIK__SCORING__SET_STATE__SET_STATE_PUBLISHED);
    assert_string_equal(now->published_by, "admin-1");
    protobuf_c_message_free_unpacked(&now->base, NULL);
    seklik__bus__response__free_unpacked(resp, NULL);

    assert_int_equal(tiered_events(), events + 3); /* golden, late (78) and the 76 */
    assert_int_equal(score_tier(&golden), SEKLIK__SCORING__TIER__TIER_A);
    assert_int_equal(score_tier(&cs[1]), SEKLIK__SCORING__TIER__TIER_A);
    assert_int_equal(score_tier(&cs[0]), SEKLIK__SCORING__TIER__TIER_A);
    assert_int_equal(score_tier(&cs[2]), SEKLIK__SCORING__TIER__TIER_B);
    assert_int_equal(score_tier(&cs[3]), SEKLIK__SCORING__TIER__TIER_C);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.rule_set WHERE"
                                             " state = 'superseded' AND version = 1"),
                     1);

    /* the cached tier B ceiling was dropped: tier A's now */
    int64_t value = 0;
    int tier = 0;
    assert_int_equal(ceiling(&golden, &value, &tier), SK_OK);
    assert_int_equal(tier, SEKLIK__SCORING__TIER__TIER_A);
    assert_int_equal(value, 1500000);
}

static void suspended_company_has_no_tier_and_no_paid_ceiling(void **state)
{
    (void)state;
    int64_t value = 0;
    int tier = 0;
    assert_int_equal(ceiling(&other, &value, &tier), SK_OK); /* cached at tier B */
    long long events = tiered_events();
    verification_event(&other, "suspended", SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_SUSPENDED);
    wait_applied();
    Seklik__Bus__Actor a = admin();
    Seklik__Scoring__OutletScore *s = get_score(&other, &a);
    assert_int_equal(s->tier, SEKLIK__SCORING__TIER__TIER_NONE);
    assert_true(s->suspended);
    assert_int_equal(s->total, 65); /* the points are still shown */
    protobuf_c_message_free_unpacked(&s->base, NULL);
    assert_int_equal(tiered_events(), events + 1);
    assert_int_equal(ceiling(&other, &value, &tier), SK_EPRECOND);

    /* rejected: the score is not kept */
    verification_event(&other, "rejected", SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_REJECTED);
    wait_applied();
    assert_int_equal(sql_number("SELECT count(*) FROM scoring.outlet_score WHERE outlet_id = '%s'",
                                other.outlet_id),
                     0);
    assert_int_equal(ceiling(&other, &value, &tier), SK_ENOTFOUND);
}

static void ceilings_stay_correct_with_redis_stopped(void **state)
{
    (void)state;
    int64_t value = 0;
    int tier = 0;
    sk_proc_signal(&redis, SIGSTOP);
    assert_int_equal(ceiling(&golden, &value, &tier), SK_OK);
    assert_int_equal(value, 1500000);
    assert_true(metric("seklik_cache_errors_total") >= 1);
    sk_proc_signal(&redis, SIGCONT);
    sk_proc_signal(&redis, SIGKILL);
    sk_proc_wait(&redis, 5000);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(ceiling(&golden, &value, &tier), SK_OK);
        assert_int_equal(value, 1500000);
        assert_int_equal(tier, SEKLIK__SCORING__TIER__TIER_A);
    }
}

/* ---- field limits (common/sk_limits, enforced by the RPC server) ---- */

/* Issue 10: an INT64_MAX ceiling was stored. Money is bounded at Rp 10^13. */
static void int64_max_price_ceiling_is_refused_naming_the_field(void **state)
{
    (void)state;
    Seklik__Scoring__GetVersionRequest get = SEKLIK__SCORING__GET_VERSION_REQUEST__INIT;
    get.fiscal_year = YEAR;
    Seklik__Bus__Actor a = admin();
    Seklik__Bus__Response *resp = call("GetPriceStandard", &a, false, &get.base);
    Seklik__Scoring__PriceStandard *ps = body(resp, &seklik__scoring__price_standard__descriptor);
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_true(ps->n_entries > 3);
    long long rows = sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.price_standard");
    long long audits = sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.audit_log");

    ps->entries[3]->ceiling = INT64_MAX;
    resp = call("SavePriceStandardDraft", &a, true, &ps->base);
    assert_int_equal(it_code(resp), SK_EINVAL);
    assert_int_equal(resp->n_violations, 1);
    assert_string_equal(resp->violations[0]->field, "entries[3].ceiling");
    seklik__bus__response__free_unpacked(resp, NULL);
    ps->entries[3]->ceiling = 10000000000001LL;
    resp = call("SavePriceStandardDraft", &a, true, &ps->base);
    assert_int_equal(it_code(resp), SK_EINVAL);
    assert_true(it_names_field(resp, "entries[3].ceiling"));
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.price_standard"), rows);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.audit_log"), audits);

    /* a band threshold past every reach figure, in a rule set */
    Seklik__Scoring__RuleSet *rs = published_rules();
    assert_true(rs->n_reach > 1 && rs->reach[1]->n_bands > 2);
    rs->reach[1]->bands[2]->threshold = INT64_MAX;
    resp = call("SaveRuleSetDraft", &a, true, &rs->base);
    assert_int_equal(it_code(resp), SK_EINVAL);
    assert_string_equal(resp->violations[0]->field, "reach[1].bands[2].threshold");
    seklik__bus__response__free_unpacked(resp, NULL);
    protobuf_c_message_free_unpacked(&rs->base, NULL);
    protobuf_c_message_free_unpacked(&ps->base, NULL);
}

/* The ceiling cache is keyed by outlet id and dropped by the outlet's id as
 * the events carry it (lower case). An id asked for in upper case used to be
 * cached under a key of its own that no event dropped: a suspended outlet kept
 * its paid ceiling until the TTL ran out. */
static void upper_case_outlet_id_shares_the_cached_ceiling(void **state)
{
    (void)state;
    company co, shouted;
    new_company(&co, &GOLDEN);
    registry_event(&co, &GOLDEN);
    verified(&co);
    wait_applied();
    shouted = co;
    for (char *p = shouted.outlet_id; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');

    int64_t lower_value = 0, upper_value = 0;
    int lower_tier = 0, upper_tier = 0;
    assert_int_equal(ceiling(&co, &lower_value, &lower_tier), SK_OK);
    ceiling_cached(&co, lower_value);
    long long hits = metric("seklik_cache_hits_total");
    assert_int_equal(ceiling(&shouted, &upper_value, &upper_tier), SK_OK);
    assert_true(metric("seklik_cache_hits_total") > hits); /* the same cache entry */
    assert_true(upper_value == lower_value);
    assert_int_equal(upper_tier, lower_tier);

    verification_event(&co, "suspended", SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_SUSPENDED);
    wait_applied();
    assert_int_equal(ceiling(&shouted, &upper_value, &upper_tier), SK_EPRECOND);
    assert_int_equal(ceiling(&co, &lower_value, &lower_tier), SK_EPRECOND);
}


/* ---- issue 11: points only for what documents prove ---- */

static const Seklik__Scoring__BreakdownLine *line_of(const Seklik__Scoring__OutletScore *s,
                                                     Seklik__Scoring__Criterion c)
{
    for (size_t i = 0; i < s->n_breakdown; i++)
        if (s->breakdown[i]->criterion == c)
            return s->breakdown[i];
    fail_msg("no line for criterion %d", c);
    return NULL;
}

/* Declared faktual with the certificate still pending, the chief editor's
 * certificate expiring during the year, a founding date declared long
 * before the deed: none of it earns points, and each line says why. The
 * certificate accepted later earns them, with one event. */
static void points_only_for_what_accepted_documents_prove(void **state)
{
    (void)state;
    static const profile CLAIMS = {2, 2, 1, 1, "2024-06-01", 600000};
    company co;
    new_company(&co, &CLAIMS);
    /* the registry: founded 2010 by its own account, its deed of 2024 */
    Seklik__Registry__OutletInput oi = SEKLIK__REGISTRY__OUTLET_INPUT__INIT;
    oi.type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_SIBER;
    oi.name = "Portal Klaim";
    oi.monthly_visitors = 600000;
    Seklik__Registry__Outlet o = SEKLIK__REGISTRY__OUTLET__INIT, *outlets[] = {&o};
    o.id = co.outlet_id;
    o.data = &oi;
    Seklik__Registry__PersonInput chief = SEKLIK__REGISTRY__PERSON_INPUT__INIT;
    chief.role = SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_CHIEF_EDITOR;
    chief.ukw_level = SEKLIK__REGISTRY__UKW_LEVEL__UKW_LEVEL_MADYA;
    Seklik__Registry__PersonInput jo = SEKLIK__REGISTRY__PERSON_INPUT__INIT;
    jo.role = SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_JOURNALIST;
    jo.ukw_level = SEKLIK__REGISTRY__UKW_LEVEL__UKW_LEVEL_MUDA;
    Seklik__Registry__Person p0 = SEKLIK__REGISTRY__PERSON__INIT, p1 = SEKLIK__REGISTRY__PERSON__INIT;
    p0.id = co.person[0];
    p0.data = &chief;
    p1.id = co.person[1];
    p1.data = &jo;
    Seklik__Registry__Person *pp[] = {&p0, &p1};
    Seklik__Registry__CompanyInput ci = SEKLIK__REGISTRY__COMPANY_INPUT__INIT;
    ci.legal_name = "PT Klaim";
    ci.dewan_pers_status = SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_FAKTUAL;
    ci.deed_date = "2024-06-01";
    ci.established_on = "2010-01-01";
    Seklik__Registry__Company c = SEKLIK__REGISTRY__COMPANY__INIT;
    c.id = co.id;
    c.data = &ci;
    c.outlets = outlets;
    c.n_outlets = 1;
    c.people = pp;
    c.n_people = 2;
    Seklik__Registry__CompanyChanged rev = SEKLIK__REGISTRY__COMPANY_CHANGED__INIT;
    rev.company = &c;
    it_inject(reg_dsn, "registry.company.updated", &rev.base);

    /* verification: the certificate pending, the chief's expiring in June */
    Seklik__Verification__CaseDocument akta, dp, ce, jd;
    accepted(&akta, 1, NULL, "", 0);
    seklik__verification__case_document__init(&dp);
    dp.type = SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_DEWAN_PERS;
    dp.decision = SEKLIK__VERIFICATION__DECISION__DECISION_PENDING;
    dp.dewan_pers_status = SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_FAKTUAL;
    accepted(&ce, 7, co.person[0], "2027-06-30", 0);
    accepted(&jd, 7, co.person[1], "", 0);
    Seklik__Verification__CaseDocument *docs[] = {&akta, &dp, &ce, &jd};
    Seklik__Verification__CaseOutlet out = SEKLIK__VERIFICATION__CASE_OUTLET__INIT, *op[] = {&out};
    out.outlet_id = co.outlet_id;
    out.state = SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_VERIFIED;
    Seklik__Verification__Case vc = SEKLIK__VERIFICATION__CASE__INIT;
    vc.company_id = co.id;
    vc.fiscal_year = YEAR;
    vc.state = SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VERIFIED;
    vc.outlets = op;
    vc.n_outlets = 1;
    vc.documents = docs;
    vc.n_documents = 4;
    Seklik__Verification__CaseChanged vev = SEKLIK__VERIFICATION__CASE_CHANGED__INIT;
    vev.verification_case = &vc;
    it_inject(ver_dsn, "verification.company.verified", &vev.base);
    wait_applied();

    Seklik__Bus__Actor a = admin();
    Seklik__Scoring__OutletScore *sc = get_score(&co, &a);
    /* 0 + 0 + 15 (1 of 1) + 5 (2 years from the deed) + 17 + 5 = 42: C */
    assert_int_equal(sc->total, 42);
    assert_int_equal(sc->tier, SEKLIK__SCORING__TIER__TIER_C);
    const Seklik__Scoring__BreakdownLine *l =
        line_of(sc, SEKLIK__SCORING__CRITERION__CRITERION_DEWAN_PERS);
    assert_int_equal(l->points, 0);
    assert_string_equal(l->reason, "dewan_pers.certificate_pending");
    l = line_of(sc, SEKLIK__SCORING__CRITERION__CRITERION_CHIEF_EDITOR_UKW);
    assert_int_equal(l->points, 0);
    assert_string_equal(l->reason, "chief_editor_ukw.certificate_expires");
    l = line_of(sc, SEKLIK__SCORING__CRITERION__CRITERION_COMPANY_AGE);
    assert_int_equal(l->input_value, 2);
    assert_string_equal(l->reason, "company_age.deed");
    protobuf_c_message_free_unpacked(&sc->base, NULL);

    /* The certificate accepted, faktual as the verifier read it: 72, B. */
    long long events = tiered_events();
    dp.decision = SEKLIK__VERIFICATION__DECISION__DECISION_ACCEPTED;
    dp.in_force_document_id = "0190a0a0-0000-7000-8000-00000000d0c1";
    dp.in_force_dewan_pers_status = SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_FAKTUAL;
    it_inject(ver_dsn, "verification.case.updated", &vev.base);
    wait_applied();
    sc = get_score(&co, &a);
    assert_int_equal(sc->total, 72);
    assert_string_equal(line_of(sc, SEKLIK__SCORING__CRITERION__CRITERION_DEWAN_PERS)->reason,
                        "dewan_pers.faktual");
    protobuf_c_message_free_unpacked(&sc->base, NULL);
    assert_int_equal(tiered_events(), events + 1);
}

/* Verification decides per outlet: only the verified outlet is scored. The
 * year's final list is the single truth: an outlet it does not name loses
 * its score, and an amendment suspending one takes its tier. */
static void each_outlet_stands_on_its_own_and_the_final_list_rules(void **state)
{
    (void)state;
    company two, stray;
    new_company(&two, &GOLDEN);
    new_company(&stray, &GOLDEN);
    char second[SK_UUID_STRLEN];
    sk_uuid7(second);
    registry_event(&two, &GOLDEN);
    registry_event(&stray, &GOLDEN);
    /* the second outlet of `two`, rejected in the same case */
    Seklik__Registry__OutletInput oi = SEKLIK__REGISTRY__OUTLET_INPUT__INIT;
    oi.type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_SIBER;
    oi.name = "Portal Kedua";
    oi.monthly_visitors = 600000;
    Seklik__Registry__Outlet o1 = SEKLIK__REGISTRY__OUTLET__INIT, o2 = SEKLIK__REGISTRY__OUTLET__INIT;
    o1.id = two.outlet_id;
    o1.data = &oi;
    o2.id = second;
    o2.data = &oi;
    Seklik__Registry__Outlet *outlets[] = {&o1, &o2};
    Seklik__Registry__CompanyInput ci = SEKLIK__REGISTRY__COMPANY_INPUT__INIT;
    ci.legal_name = "PT Dua";
    ci.deed_date = "2020-01-01";
    Seklik__Registry__Company c = SEKLIK__REGISTRY__COMPANY__INIT;
    c.id = two.id;
    c.data = &ci;
    c.outlets = outlets;
    c.n_outlets = 2;
    Seklik__Registry__CompanyChanged rev = SEKLIK__REGISTRY__COMPANY_CHANGED__INIT;
    rev.company = &c;
    it_inject(reg_dsn, "registry.company.updated", &rev.base);
    Seklik__Verification__CaseOutlet yes = SEKLIK__VERIFICATION__CASE_OUTLET__INIT;
    yes.outlet_id = two.outlet_id;
    yes.state = SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_VERIFIED;
    Seklik__Verification__CaseOutlet no = SEKLIK__VERIFICATION__CASE_OUTLET__INIT;
    no.outlet_id = second;
    no.state = SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_REJECTED;
    Seklik__Verification__CaseOutlet *op[] = {&yes, &no};
    Seklik__Verification__CaseDocument akta, *docs[] = {&akta};
    accepted(&akta, 1, NULL, "", 0);
    Seklik__Verification__Case vc = SEKLIK__VERIFICATION__CASE__INIT;
    vc.company_id = two.id;
    vc.fiscal_year = YEAR;
    vc.state = SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VERIFIED;
    vc.outlets = op;
    vc.n_outlets = 2;
    vc.documents = docs;
    vc.n_documents = 1;
    Seklik__Verification__CaseChanged vev = SEKLIK__VERIFICATION__CASE_CHANGED__INIT;
    vev.verification_case = &vc;
    it_inject(ver_dsn, "verification.company.verified", &vev.base);
    verified(&stray);
    wait_applied();
    assert_int_equal(sql_number("SELECT count(*) FROM scoring.outlet_score WHERE outlet_id = '%s'",
                                two.outlet_id),
                     1);
    assert_int_equal(sql_number("SELECT count(*) FROM scoring.outlet_score WHERE outlet_id = '%s'",
                                second),
                     0);
    assert_int_equal(sql_number("SELECT count(*) FROM scoring.outlet_score WHERE outlet_id = '%s'",
                                stray.outlet_id),
                     1);

    /* The year's final list names `two`'s first outlet only: `stray`,
     * verified by a case, is not a partner (the list runs last here: it
     * settles the whole year). */
    Seklik__Verification__ListEntry e = SEKLIK__VERIFICATION__LIST_ENTRY__INIT, *entries[] = {&e};
    e.company_id = two.id;
    e.outlet_id = two.outlet_id;
    e.state = SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_VERIFIED;
    Seklik__Verification__Announcement an = SEKLIK__VERIFICATION__ANNOUNCEMENT__INIT;
    an.fiscal_year = YEAR;
    an.finalized = true;
    an.entries = entries;
    an.n_entries = 1;
    Seklik__Verification__ListFinalized fin = SEKLIK__VERIFICATION__LIST_FINALIZED__INIT;
    fin.announcement = &an;
    it_inject(ver_dsn, "verification.list.finalized", &fin.base);
    wait_applied();
    assert_int_equal(sql_number("SELECT count(*) FROM scoring.outlet_score WHERE outlet_id = '%s'",
                                stray.outlet_id),
                     0);
    assert_int_equal(sql_number("SELECT count(*) FROM scoring.outlet_score WHERE outlet_id = '%s'"
                                " AND NOT suspended",
                                two.outlet_id),
                     1);

    /* Amended: the listed outlet suspended, no paid tier. */
    e.state = SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_SUSPENDED;
    an.amendment = 1;
    it_inject(ver_dsn, "verification.list.amended", &fin.base);
    wait_applied();
    Seklik__Bus__Actor a = admin();
    Seklik__Scoring__OutletScore *sc = get_score(&two, &a);
    assert_true(sc->suspended);
    assert_int_equal(sc->tier, SEKLIK__SCORING__TIER__TIER_NONE);
    protobuf_c_message_free_unpacked(&sc->base, NULL);
}

/* A price standard whose tier A ceiling is below tier B's, or that sells a
 * radio spot in print, is refused naming the entry; nothing is stored. */
static void price_standards_keep_tiers_in_order_and_products_on_their_outlets(void **state)
{
    (void)state;
    Seklik__Scoring__GetVersionRequest get = SEKLIK__SCORING__GET_VERSION_REQUEST__INIT;
    get.fiscal_year = YEAR;
    Seklik__Bus__Actor a = admin();
    Seklik__Bus__Response *resp = call("GetPriceStandard", &a, false, &get.base);
    Seklik__Scoring__PriceStandard *ps = body(resp, &seklik__scoring__price_standard__descriptor);
    seklik__bus__response__free_unpacked(resp, NULL);
    long long rows = sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.price_standard");
    size_t a_at = 0, b_at = 0, print_at = 0;
    for (size_t i = 0; i < ps->n_entries; i++) {
        const Seklik__Scoring__PriceEntry *e = ps->entries[i];
        if (e->outlet_type == SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_SIBER &&
            e->product == SEKLIK__SCORING__PRODUCT__PRODUCT_ONLINE_ADVERTORIAL)
            *(e->tier == SEKLIK__SCORING__TIER__TIER_A ? &a_at
              : e->tier == SEKLIK__SCORING__TIER__TIER_B ? &b_at
                                                         : &print_at) = i;
    }
    for (size_t i = 0; i < ps->n_entries; i++)
        if (ps->entries[i]->outlet_type == SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_CETAK)
            print_at = i;
    int64_t was = ps->entries[a_at]->ceiling;
    ps->entries[a_at]->ceiling = ps->entries[b_at]->ceiling - 1;
    resp = call("SavePriceStandardDraft", &a, true, &ps->base);
    assert_int_equal(it_code(resp), SK_EINVAL);
    char field[64];
    snprintf(field, sizeof(field), "entries[%zu].ceiling", a_at);
    assert_string_equal(resp->violations[0]->field, field);
    assert_string_equal(resp->violations[0]->code, "price.tier_order");
    seklik__bus__response__free_unpacked(resp, NULL);
    ps->entries[a_at]->ceiling = was;

    Seklik__Scoring__Product product = ps->entries[print_at]->product;
    ps->entries[print_at]->product = SEKLIK__SCORING__PRODUCT__PRODUCT_RADIO_SPOT_60S;
    resp = call("SavePriceStandardDraft", &a, true, &ps->base);
    assert_int_equal(it_code(resp), SK_EINVAL);
    snprintf(field, sizeof(field), "entries[%zu].product", print_at);
    assert_string_equal(resp->violations[0]->field, field);
    assert_string_equal(resp->violations[0]->code, "price.product_outlet_type");
    seklik__bus__response__free_unpacked(resp, NULL);
    ps->entries[print_at]->product = product;
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.price_standard"), rows);
    protobuf_c_message_free_unpacked(&ps->base, NULL);
}

/* The next year opened: last year's published rule set (tier A at 75 since
 * it was re-published) is its draft, not the defaults. */
static void a_new_year_drafts_last_years_sets(void **state)
{
    (void)state;
    year_opened(YEAR + 1);
    wait_applied();
    Seklik__Scoring__GetVersionRequest req = SEKLIK__SCORING__GET_VERSION_REQUEST__INIT;
    req.fiscal_year = YEAR + 1;
    req.version = 1; /* the draft's tentative version */
    Seklik__Bus__Actor a = admin();
    Seklik__Bus__Response *resp = call("GetRuleSet", &a, false, &req.base);
    assert_int_equal(it_code(resp), SK_ENOTFOUND); /* versions > 0 are published ones */
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.rule_set WHERE"
                                             " fiscal_year = 2028 AND state = 'draft'"),
                     1);
    assert_int_equal(publish("PublishRuleSet", YEAR + 1), SK_OK);
    req.version = 0;
    resp = call("GetRuleSet", &a, false, &req.base);
    Seklik__Scoring__RuleSet *rs = body(resp, &seklik__scoring__rule_set__descriptor);
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_int_equal(rs->tiers->a, 75);
    protobuf_c_message_free_unpacked(&rs->base, NULL);
    /* Opened again once published: no new draft over it. */
    year_opened(YEAR + 1);
    wait_applied();
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.rule_set WHERE"
                                             " fiscal_year = 2028 AND state = 'draft'"),
                     0);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s TESTPUB TESTSUB LOGDIR SEKLIK-SCORING\n", argv[0]);
        return 2;
    }
    scoring_bin = argv[4];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(opening_the_year_drafts_its_sets_and_a_read_never_publishes),
        cmocka_unit_test(golden_path_outlet_scores_78_tier_b_with_one_event),
        cmocka_unit_test(standing_first_then_inputs_scores_the_same),
        cmocka_unit_test(last_years_performance_replaces_the_neutral_points),
        cmocka_unit_test(price_standard_is_readable_and_versioned),
        cmocka_unit_test(partner_reads_its_own_score_only),
        cmocka_unit_test(invalid_rule_set_names_the_field_and_stores_nothing),
        cmocka_unit_test(ceiling_is_one_million_at_tier_b_and_then_cached),
        cmocka_unit_test(new_rule_set_re_tiers_with_one_event_per_changed_outlet),
        cmocka_unit_test(suspended_company_has_no_tier_and_no_paid_ceiling),
        cmocka_unit_test(int64_max_price_ceiling_is_refused_naming_the_field),
        cmocka_unit_test(upper_case_outlet_id_shares_the_cached_ceiling),
        cmocka_unit_test(points_only_for_what_accepted_documents_prove),
        cmocka_unit_test(price_standards_keep_tiers_in_order_and_products_on_their_outlets),
        cmocka_unit_test(a_new_year_drafts_last_years_sets),
        cmocka_unit_test(ceilings_stay_correct_with_redis_stopped),
        cmocka_unit_test(each_outlet_stands_on_its_own_and_the_final_list_rules),
    };
    return it_main2(argc, argv, tests, sizeof(tests) / sizeof(tests[0]), start_scoring,
                    stop_scoring);
}
