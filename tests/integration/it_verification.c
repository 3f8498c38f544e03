/* The verification service alone (no registry running): requirement sets
 * are versioned and readable by partners, roles and four-eyes are enforced,
 * the announcement's objection window opens and closes on time, and the
 * expiry check runs on an empty database. Registry events are applied
 * in-process with the service's own applier (vevents_apply), so the case
 * flow is tested here without a registry; the registry -> verification ->
 * registry flow over the bus is a test of its own. */
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "internal.h"
#include "it_common.h"
#include "seklik/registry.pb-c.h"
#include "seklik/verification.pb-c.h"

static const char *g_bin;
static const char *g_dsn;
static sk_test_peer g_verif;

static int start_verification(void **state)
{
    (void)state;
    static char dsn[512];
    char log[512];
    g_dsn = sk_test_create_db("it_verification", dsn, sizeof(dsn));
    if (!g_dsn)
        return -1;
    sk_test_peer_init(&g_verif, "verification", g_dsn, sk_test_env("SEKLIK_TEST_REDIS_URL"));
    return sk_test_peer_start(&g_verif, g_bin, it_log(log, sizeof(log), "verification", "verif"));
}

static int stop_verification(void **state)
{
    (void)state;
    if (g_verif.proc.pid > 0) {
        sk_proc_signal(&g_verif.proc, SIGTERM);
        assert_int_equal(sk_proc_wait(&g_verif.proc, 15000), 0);
    }
    return 0;
}

/* Who calls: a user id, one role, and a company for partners. */
typedef struct who {
    const char *user, *role, *company;
} who;

static const who ADMIN = {"admin-1", "admin", NULL};
static const who HEAD = {"head-1", "head", NULL};
static const who VERIFIER = {"verifier-1", "verifier", NULL};
static const who REGISTRAR = {"staff-1", "verifier", NULL}; /* registered the test company */
/* Company and document ids are UUIDs on the bus (the RPC server refuses
 * anything else in an id field). */
#define COMPANY_A "0190a0a0-0000-7000-8000-0000000000ca"
#define COMPANY_B "0190a0a0-0000-7000-8000-0000000000cb"
#define COMPANY_F "0190a0a0-0000-7000-8000-0000000000cf"
#define DOC_AKTA "0190a0a0-0000-7000-8000-0000000d0001"
#define DOC_NIB "0190a0a0-0000-7000-8000-0000000d0003"
#define DOC_NPWP "0190a0a0-0000-7000-8000-0000000d0004"
#define DOC_NPWP_2 "0190a0a0-0000-7000-8000-0000000d0014"
#define DOC_SK "0190a0a0-0000-7000-8000-0000000d0002"

static const who PARTNER_A = {"partner-a", "partner", COMPANY_A};
static const who PARTNER_B = {"partner-b", "partner", COMPANY_B};

/* Call `method`; commands get a fresh idempotency key. On SK_OK and with
 * `od`, the decoded reply is in *out. The Response is kept in *keep when
 * asked (caller frees). Returns the Response's code as SK_*. */
static int vcall(const char *method, const who *w, bool command, const ProtobufCMessage *in,
                 const ProtobufCMessageDescriptor *od, ProtobufCMessage **out,
                 Seklik__Bus__Response **keep)
{
    sk_rpc_client *c = it_client(g_verif.rpc);
    Seklik__Bus__Actor actor = SEKLIK__BUS__ACTOR__INIT;
    char *roles[1];
    if (w) {
        roles[0] = (char *)w->role;
        actor.user_id = (char *)w->user;
        actor.roles = roles;
        actor.n_roles = 1;
        actor.company_id = (char *)(w->company ? w->company : "");
    }
    char key[SK_UUID_STRLEN];
    sk_uuid7(key);
    Seklik__Bus__Response *resp = NULL;
    assert_int_equal(
        sk_rpc_call(c, method, w ? &actor : NULL, command ? key : NULL, in, 10000, &resp), SK_OK);
    int rc = sk_err_from_bus_code(resp->code);
    if (rc == SK_OK && od && out) {
        *out = protobuf_c_message_unpack(od, NULL, resp->body.len, resp->body.data);
        assert_non_null(*out);
    }
    if (keep)
        *keep = resp;
    else
        seklik__bus__response__free_unpacked(resp, NULL);
    sk_rpc_client_close(c);
    return rc;
}

static int publish(const who *w, int year, int type, int n_types, int version_expected)
{
    Seklik__Verification__Requirement reqs[4], *preqs[4];
    for (int i = 0; i < n_types; i++) {
        seklik__verification__requirement__init(&reqs[i]);
        reqs[i].type = (Seklik__Registry__DocumentType)(i + 1);
        reqs[i].required = true;
        reqs[i].must_not_be_expired = true;
        preqs[i] = &reqs[i];
    }
    Seklik__Verification__PublishRequirementSetRequest req =
        SEKLIK__VERIFICATION__PUBLISH_REQUIREMENT_SET_REQUEST__INIT;
    req.fiscal_year = year;
    req.outlet_type = (Seklik__Registry__OutletType)type;
    req.requirements = preqs;
    req.n_requirements = (size_t)n_types;
    Seklik__Verification__RequirementSet *set = NULL;
    int rc =
        vcall("Verification.PublishRequirementSet", w, true, &req.base,
              &seklik__verification__requirement_set__descriptor, (ProtobufCMessage **)&set, NULL);
    if (rc == SK_OK) {
        assert_int_equal(set->version, version_expected);
        assert_int_equal(set->n_requirements, n_types);
        assert_string_equal(set->published_by, w->user);
        protobuf_c_message_free_unpacked(&set->base, NULL);
    }
    return rc;
}

static int get_set(const who *w, int year, int type, int *version, size_t *n_requirements)
{
    Seklik__Verification__GetRequirementSetRequest req =
        SEKLIK__VERIFICATION__GET_REQUIREMENT_SET_REQUEST__INIT;
    req.fiscal_year = year;
    req.outlet_type = (Seklik__Registry__OutletType)type;
    Seklik__Verification__RequirementSet *set = NULL;
    int rc =
        vcall("Verification.GetRequirementSet", w, false, &req.base,
              &seklik__verification__requirement_set__descriptor, (ProtobufCMessage **)&set, NULL);
    if (rc == SK_OK) {
        *version = set->version;
        *n_requirements = set->n_requirements;
        protobuf_c_message_free_unpacked(&set->base, NULL);
    }
    return rc;
}

static void requirement_sets_are_versioned_and_partners_see_the_newest(void **state)
{
    (void)state;
    assert_int_equal(publish(&ADMIN, 2027, 2, 3, 1), SK_OK);
    assert_int_equal(publish(&ADMIN, 2027, 2, 4, 2), SK_OK);
    assert_int_equal(publish(&ADMIN, 2027, 1, 2, 1), SK_OK); /* another type starts at 1 */

    int version = 0;
    size_t n = 0;
    assert_int_equal(get_set(&PARTNER_A, 2027, 2, &version, &n), SK_OK);
    assert_int_equal(version, 2);
    assert_int_equal(n, 4);
    assert_int_equal(get_set(&VERIFIER, 2027, 1, &version, &n), SK_OK);
    assert_int_equal(version, 1);
    assert_int_equal(get_set(&VERIFIER, 2028, 2, &version, &n), SK_ENOTFOUND);
    assert_int_equal(get_set(NULL, 2027, 2, &version, &n), SK_EPERM);

    /* Only an admin publishes; an empty set is refused naming the field. */
    assert_int_equal(publish(&VERIFIER, 2027, 2, 1, 0), SK_EPERM);
    assert_int_equal(publish(&PARTNER_A, 2027, 2, 1, 0), SK_EPERM);
    Seklik__Verification__PublishRequirementSetRequest empty =
        SEKLIK__VERIFICATION__PUBLISH_REQUIREMENT_SET_REQUEST__INIT;
    empty.fiscal_year = 2027;
    empty.outlet_type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_SIBER;
    Seklik__Bus__Response *resp = NULL;
    assert_int_equal(
        vcall("Verification.PublishRequirementSet", &ADMIN, true, &empty.base, NULL, NULL, &resp),
        SK_EINVAL);
    assert_string_equal(resp->violations[0]->field, "requirements");
    seklik__bus__response__free_unpacked(resp, NULL);

    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM verification.requirement_set"),
                     3);
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM verification.audit_log "
                                               "WHERE action = 'requirement_set.publish' "
                                               "AND user_id = 'admin-1'"),
                     3);
}

static void roles_are_enforced(void **state)
{
    (void)state;
    Seklik__Verification__DecideRequest decide = SEKLIK__VERIFICATION__DECIDE_REQUEST__INIT;
    decide.case_id = "0190a0a0-0000-7000-8000-000000000000";
    decide.outcome = SEKLIK__VERIFICATION__OUTCOME__OUTCOME_VERIFIED;
    assert_int_equal(vcall("Verification.Decide", &PARTNER_A, true, &decide.base, NULL, NULL, NULL),
                     SK_EPERM);
    assert_int_equal(vcall("Verification.Decide", &HEAD, true, &decide.base, NULL, NULL, NULL),
                     SK_EPERM);

    Seklik__Verification__ListCasesRequest list = SEKLIK__VERIFICATION__LIST_CASES_REQUEST__INIT;
    assert_int_equal(
        vcall("Verification.ListCases", &PARTNER_A, false, &list.base, NULL, NULL, NULL), SK_EPERM);
    assert_int_equal(vcall("Verification.ListCases", &HEAD, false, &list.base, NULL, NULL, NULL),
                     SK_OK);

    /* A partner never reads another company's case, even one that does not exist. */
    Seklik__Verification__GetCaseRequest get = SEKLIK__VERIFICATION__GET_CASE_REQUEST__INIT;
    get.company_id = COMPANY_B;
    assert_int_equal(vcall("Verification.GetCase", &PARTNER_A, false, &get.base, NULL, NULL, NULL),
                     SK_EPERM);
    assert_int_equal(vcall("Verification.GetCase", &PARTNER_B, false, &get.base, NULL, NULL, NULL),
                     SK_ENOTFOUND);

    Seklik__Verification__AnnounceRequest ann = SEKLIK__VERIFICATION__ANNOUNCE_REQUEST__INIT;
    ann.fiscal_year = 2030;
    ann.objection_until = "2099-01-01T00:00:00Z";
    assert_int_equal(vcall("Verification.Announce", &VERIFIER, true, &ann.base, NULL, NULL, NULL),
                     SK_EPERM);
    Seklik__Verification__CheckExpiriesRequest exp =
        SEKLIK__VERIFICATION__CHECK_EXPIRIES_REQUEST__INIT;
    assert_int_equal(
        vcall("Verification.CheckExpiries", &PARTNER_A, true, &exp.base, NULL, NULL, NULL),
        SK_EPERM);
}

/* A case as the registry event would have opened it, registered by staff-1,
 * with its one required document already accepted. */
static const char CASE_ID[] = "0190a0a0-0000-7000-8000-00000000c0de";

static void insert_case(const char *state)
{
    char sql[1024];
    snprintf(
        sql, sizeof(sql),
        "INSERT INTO verification.verification_case (id, company_id, company_name, "
        "fiscal_year, state, registered_by, outlet_types) VALUES ('%s', '" COMPANY_A "', "
        "'PT Kabar OKI', 2029, '%s', 'staff-1', '[3]');"
        "INSERT INTO verification.case_document (case_id, slot, document_id, type, version, "
        "expires_on, decision) VALUES ('%s', '1//', 'doc-akta', 1, 1, '2029-06-30', 'accepted')",
        CASE_ID, state, CASE_ID);
    assert_int_equal(sk_test_sql_exec(g_dsn, sql), 0);
}

static int record_visit(const who *w, double lat, double lon)
{
    Seklik__Verification__Visit visit = SEKLIK__VERIFICATION__VISIT__INIT;
    visit.visited_on = "2026-01-15";
    visit.latitude = lat;
    visit.longitude = lon;
    visit.findings = "Kantor ada dan aktif";
    Seklik__Verification__RecordVisitRequest req = SEKLIK__VERIFICATION__RECORD_VISIT_REQUEST__INIT;
    req.case_id = (char *)CASE_ID;
    req.visit = &visit;
    return vcall("Verification.RecordVisit", w, true, &req.base, NULL, NULL, NULL);
}

static void four_eyes_and_case_states(void **state)
{
    (void)state;
    /* Radio in 2029 requires the deed only, which the case holds, accepted. */
    assert_int_equal(publish(&ADMIN, 2029, 3, 1, 1), SK_OK);
    insert_case("visit_pending");
    /* Whoever registered the company may not verify it. */
    assert_int_equal(record_visit(&REGISTRAR, -3.4, 104.8), SK_EPERM);
    /* GPS outside Indonesia is refused, naming the field. */
    assert_int_equal(record_visit(&VERIFIER, 48.8, 2.3), SK_EINVAL);
    assert_int_equal(record_visit(&VERIFIER, -3.4, 104.8), SK_OK);
    /* Once visited, a second visit is a wrong state. */
    assert_int_equal(record_visit(&VERIFIER, -3.4, 104.8), SK_EPRECOND);

    Seklik__Verification__DecideRequest dec = SEKLIK__VERIFICATION__DECIDE_REQUEST__INIT;
    dec.case_id = (char *)CASE_ID;
    dec.outcome = SEKLIK__VERIFICATION__OUTCOME__OUTCOME_REJECTED;
    Seklik__Bus__Response *resp = NULL;
    assert_int_equal(vcall("Verification.Decide", &VERIFIER, true, &dec.base, NULL, NULL, &resp),
                     SK_EINVAL);
    assert_string_equal(resp->violations[0]->field, "reason");
    seklik__bus__response__free_unpacked(resp, NULL);

    /* Verified once all documents are accepted and the visit is recorded;
     * valid until the earliest expiry, before the end of the year. */
    dec.outcome = SEKLIK__VERIFICATION__OUTCOME__OUTCOME_VERIFIED;
    Seklik__Verification__Case *c = NULL;
    assert_int_equal(vcall("Verification.Decide", &REGISTRAR, true, &dec.base, NULL, NULL, NULL),
                     SK_EPERM);
    assert_int_equal(vcall("Verification.Decide", &VERIFIER, true, &dec.base,
                           &seklik__verification__case__descriptor, (ProtobufCMessage **)&c, NULL),
                     SK_OK);
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VERIFIED);
    assert_string_equal(c->valid_until, "2029-06-30");
    assert_string_equal(c->decided_by, "verifier-1");
    assert_non_null(c->visit);
    assert_string_equal(c->visit->verifier_id, "verifier-1");
    protobuf_c_message_free_unpacked(&c->base, NULL);

    /* The partner reads its own case; a second decision is a wrong state. */
    Seklik__Verification__GetCaseRequest get = SEKLIK__VERIFICATION__GET_CASE_REQUEST__INIT;
    get.company_id = COMPANY_A;
    assert_int_equal(vcall("Verification.GetCase", &PARTNER_A, false, &get.base, NULL, NULL, NULL),
                     SK_OK);
    get.company_id = "";
    get.case_id = (char *)CASE_ID;
    assert_int_equal(vcall("Verification.GetCase", &PARTNER_B, false, &get.base, NULL, NULL, NULL),
                     SK_EPERM);
    assert_int_equal(vcall("Verification.Decide", &VERIFIER, true, &dec.base, NULL, NULL, &resp),
                     SK_EPRECOND);
    assert_non_null(strstr(resp->message, "verified"));
    seklik__bus__response__free_unpacked(resp, NULL);

    Seklik__Verification__SuspendRequest sus = SEKLIK__VERIFICATION__SUSPEND_REQUEST__INIT;
    sus.company_id = COMPANY_A;
    sus.reason = "Dokumen palsu";
    assert_int_equal(vcall("Verification.Suspend", &HEAD, true, &sus.base, NULL, NULL, NULL),
                     SK_OK);
    assert_int_equal(vcall("Verification.Suspend", &HEAD, true, &sus.base, NULL, NULL, NULL),
                     SK_EPRECOND);

    assert_int_equal(sk_test_sql_number(g_dsn,
                                        "SELECT count(*) FROM verification.outbox WHERE type "
                                        "IN ('verification.company.verified', "
                                        "'verification.company.suspended', "
                                        "'verification.case.updated')"),
                     3);
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM verification.audit_log WHERE "
                                               "entity_type = 'verification_case' AND "
                                               "before IS NOT NULL AND after IS NOT NULL"),
                     3);
}

/* ---- registry events, applied in-process ---- */

static Seklik__Registry__Document *doc(Seklik__Registry__Document *d, const char *id, int type,
                                       int version, const char *expires_on)
{
    seklik__registry__document__init(d);
    d->id = (char *)id;
    d->type = (Seklik__Registry__DocumentType)type;
    d->version = version;
    d->number = "NO-1";
    d->expires_on = (char *)expires_on;
    return d;
}

static void apply_event(const char *type, uint64_t seq, const ProtobufCMessage *body)
{
    size_t len = protobuf_c_message_get_packed_size(body);
    uint8_t *buf = malloc(len + 1);
    assert_non_null(buf);
    protobuf_c_message_pack(body, buf);
    char id[SK_UUID_STRLEN];
    sk_uuid7(id);
    Seklik__Bus__Event ev = SEKLIK__BUS__EVENT__INIT;
    ev.id = id;
    ev.type = (char *)type;
    ev.source = "registry";
    ev.seq = seq;
    ev.correlation_id = id;
    ev.body.data = buf;
    ev.body.len = len;
    sk_db_pool *pool = NULL;
    sk_db *db = NULL;
    assert_int_equal(sk_db_pool_open(g_dsn, "verification", 1, &pool), SK_OK);
    assert_int_equal(sk_db_acquire(pool, &db), SK_OK);
    assert_int_equal(sk_db_begin(db), SK_OK);
    sk_event_ctx ctx = {.db = db};
    assert_int_equal(vevents_apply(&ctx, &ev), SK_OK);
    assert_int_equal(sk_db_commit(db), SK_OK);
    sk_db_release(db);
    sk_db_pool_close(pool);
    free(buf);
}

/* COMPANY_F submits for 2031 with one online outlet; `nik` is its chief editor's. */
static void submit(uint64_t seq, const char *nik, Seklik__Registry__Document **docs, size_t n_docs)
{
    Seklik__Registry__CompanyInput data = SEKLIK__REGISTRY__COMPANY_INPUT__INIT;
    char *kbli[] = {"63122"};
    data.legal_name = "PT Flow Media";
    data.npwp = "01.234.567.8-901.234";
    data.nib = "1234567890123";
    data.kbli = kbli;
    data.n_kbli = 1;
    Seklik__Registry__OutletInput oin = SEKLIK__REGISTRY__OUTLET_INPUT__INIT;
    oin.type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_SIBER;
    oin.name = "flow.id";
    Seklik__Registry__Outlet outlet = SEKLIK__REGISTRY__OUTLET__INIT, *outlets[] = {&outlet};
    outlet.id = "outlet-f";
    outlet.data = &oin;
    Seklik__Registry__PersonInput pin = SEKLIK__REGISTRY__PERSON_INPUT__INIT;
    pin.role = SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_CHIEF_EDITOR;
    pin.nik = (char *)nik;
    pin.name = "Pemimpin Redaksi";
    Seklik__Registry__Person person = SEKLIK__REGISTRY__PERSON__INIT, *people[] = {&person};
    person.id = "person-f";
    person.data = &pin;
    Seklik__Registry__Company co = SEKLIK__REGISTRY__COMPANY__INIT;
    co.id = COMPANY_F;
    co.data = &data;
    co.outlets = outlets;
    co.n_outlets = 1;
    co.people = people;
    co.n_people = 1;
    co.documents = docs;
    co.n_documents = n_docs;
    co.registered_by = "staff-1";
    co.fiscal_year = 2031;
    Seklik__Registry__CompanyChanged msg = SEKLIK__REGISTRY__COMPANY_CHANGED__INIT;
    msg.company = &co;
    apply_event("registry.company.submitted", seq, &msg.base);
}

static void upload(uint64_t seq, Seklik__Registry__Document *d)
{
    Seklik__Registry__DocumentUploaded msg = SEKLIK__REGISTRY__DOCUMENT_UPLOADED__INIT;
    msg.company_id = COMPANY_F;
    msg.document = d;
    apply_event("registry.document.uploaded", seq, &msg.base);
}

static Seklik__Verification__Case *case_of_f(void)
{
    Seklik__Verification__GetCaseRequest get = SEKLIK__VERIFICATION__GET_CASE_REQUEST__INIT;
    get.company_id = COMPANY_F;
    Seklik__Verification__Case *c = NULL;
    assert_int_equal(vcall("Verification.GetCase", &VERIFIER, false, &get.base,
                           &seklik__verification__case__descriptor, (ProtobufCMessage **)&c, NULL),
                     SK_OK);
    return c;
}

static bool has_finding(const Seklik__Verification__Case *c, const char *code)
{
    for (size_t i = 0; i < c->n_findings; i++)
        if (strcmp(c->findings[i]->code, code) == 0)
            return true;
    return false;
}

static int decide_doc(const char *case_id, const char *doc_id, bool accept)
{
    Seklik__Verification__DecideDocumentRequest req =
        SEKLIK__VERIFICATION__DECIDE_DOCUMENT_REQUEST__INIT;
    req.case_id = (char *)case_id;
    req.document_id = (char *)doc_id;
    req.decision = accept ? SEKLIK__VERIFICATION__DECISION__DECISION_ACCEPTED
                          : SEKLIK__VERIFICATION__DECISION__DECISION_REJECTED;
    req.reason = accept ? "" : "Scan NPWP tidak terbaca";
    return vcall("Verification.DecideDocument", &VERIFIER, true, &req.base, NULL, NULL, NULL);
}

static long long events_of(const char *type)
{
    return sk_test_sql_number_p(g_dsn, "SELECT count(*) FROM verification.outbox WHERE type = $1",
                                type);
}

static void submitted_company_is_checked_reviewed_fixed_and_verified(void **state)
{
    (void)state;
    /* Online outlets in 2031 need AKTA, SK Kemenkumham, NIB and NPWP. */
    assert_int_equal(publish(&ADMIN, 2031, 2, 4, 1), SK_OK);
    long long verified_before = events_of("verification.company.verified");
    Seklik__Registry__Document akta, nib, npwp, sk, npwp2;
    Seklik__Registry__Document *docs[] = {doc(&akta, DOC_AKTA, 1, 1, ""),
                                          doc(&nib, DOC_NIB, 3, 1, "2031-08-01"),
                                          doc(&npwp, DOC_NPWP, 4, 1, "")};

    /* A bad NIK and a missing SK: findings, and the same event twice opens one case. */
    submit(1, "123", docs, 3);
    submit(1, "123", docs, 3);
    Seklik__Verification__Case *c = case_of_f();
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_IN_REVIEW);
    assert_int_equal(c->n_documents, 3);
    assert_true(has_finding(c, "missing_document"));
    assert_true(has_finding(c, "nik_format"));
    assert_false(has_finding(c, "npwp_format"));
    assert_string_equal(c->registered_by, "staff-1");
    char case1[SK_UUID_STRLEN];
    snprintf(case1, sizeof(case1), "%s", c->id);
    protobuf_c_message_free_unpacked(&c->base, NULL);
    assert_int_equal(events_of("verification.case.opened"), 1);

    /* Reject the NPWP: the company fixes it with a new version. */
    assert_int_equal(decide_doc(case1, DOC_NPWP, false), SK_OK);
    c = case_of_f();
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_NEEDS_REVISION);
    protobuf_c_message_free_unpacked(&c->base, NULL);
    upload(2, doc(&npwp2, DOC_NPWP_2, 4, 2, ""));
    upload(3, doc(&sk, DOC_SK, 2, 1, ""));
    c = case_of_f();
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_IN_REVIEW);
    assert_int_equal(c->n_documents, 4);
    assert_false(has_finding(c, "missing_document"));
    protobuf_c_message_free_unpacked(&c->base, NULL);

    /* Every document accepted, but the bad NIK still blocks: reject the case. */
    const char *ids[] = {DOC_AKTA, DOC_NIB, DOC_NPWP_2, DOC_SK};
    for (int i = 0; i < 4; i++)
        assert_int_equal(decide_doc(case1, ids[i], true), SK_OK);
    c = case_of_f();
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_IN_REVIEW);
    protobuf_c_message_free_unpacked(&c->base, NULL);
    Seklik__Verification__DecideRequest dec = SEKLIK__VERIFICATION__DECIDE_REQUEST__INIT;
    dec.case_id = case1;
    dec.outcome = SEKLIK__VERIFICATION__OUTCOME__OUTCOME_REJECTED;
    dec.reason = "NIK pemimpin redaksi tidak sah";
    assert_int_equal(vcall("Verification.Decide", &VERIFIER, true, &dec.base, NULL, NULL, NULL),
                     SK_OK);
    assert_int_equal(events_of("verification.company.rejected"), 1);

    /* Re-submitted with a good NIK: a new case, accepted, visited, verified. */
    Seklik__Registry__Document *docs2[] = {&akta, &nib, &npwp2, &sk};
    submit(4, "1671010101010001", docs2, 4);
    c = case_of_f();
    assert_string_not_equal(c->id, case1);
    assert_int_equal(c->n_findings, 0);
    char case2[SK_UUID_STRLEN];
    snprintf(case2, sizeof(case2), "%s", c->id);
    protobuf_c_message_free_unpacked(&c->base, NULL);
    for (int i = 0; i < 4; i++)
        assert_int_equal(decide_doc(case2, ids[i], true), SK_OK);
    c = case_of_f();
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VISIT_PENDING);
    protobuf_c_message_free_unpacked(&c->base, NULL);

    Seklik__Verification__Visit visit = SEKLIK__VERIFICATION__VISIT__INIT;
    visit.visited_on = "2026-01-15";
    visit.latitude = -3.4;
    visit.longitude = 104.8;
    visit.findings = "Kantor redaksi aktif";
    Seklik__Verification__RecordVisitRequest rv = SEKLIK__VERIFICATION__RECORD_VISIT_REQUEST__INIT;
    rv.case_id = case2;
    rv.visit = &visit;
    assert_int_equal(vcall("Verification.RecordVisit", &VERIFIER, true, &rv.base, NULL, NULL, NULL),
                     SK_OK);
    dec.case_id = case2;
    dec.outcome = SEKLIK__VERIFICATION__OUTCOME__OUTCOME_VERIFIED;
    dec.reason = "";
    assert_int_equal(vcall("Verification.Decide", &VERIFIER, true, &dec.base, NULL, NULL, NULL),
                     SK_OK);
    c = case_of_f();
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VERIFIED);
    assert_string_equal(c->valid_until, "2031-08-01"); /* the NIB expires before year end */
    protobuf_c_message_free_unpacked(&c->base, NULL);
    assert_int_equal(events_of("verification.company.verified"), verified_before + 1);

    /* The NIB expiring within 30 days is noticed once. */
    Seklik__Verification__CheckExpiriesRequest req =
        SEKLIK__VERIFICATION__CHECK_EXPIRIES_REQUEST__INIT;
    req.today = "2031-07-10";
    Seklik__Verification__CheckExpiriesResponse *out = NULL;
    for (int round = 0; round < 2; round++) {
        assert_int_equal(vcall("Verification.CheckExpiries", &ADMIN, true, &req.base,
                               &seklik__verification__check_expiries_response__descriptor,
                               (ProtobufCMessage **)&out, NULL),
                         SK_OK);
        assert_int_equal(out->notices, round == 0 ? 1 : 0);
        protobuf_c_message_free_unpacked(&out->base, NULL);
    }
    assert_int_equal(events_of("verification.document.expiring"), 1);
}

static void rfc3339_in(int seconds, char *buf, size_t cap)
{
    time_t t = time(NULL) + seconds;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int object(const who *w, const char *company, Seklik__Verification__Objection **out)
{
    Seklik__Verification__ObjectRequest req = SEKLIK__VERIFICATION__OBJECT_REQUEST__INIT;
    req.fiscal_year = 2027;
    req.company_id = (char *)company;
    req.reason = "Kami memenuhi semua syarat";
    return vcall("Verification.Object", w, true, &req.base,
                 &seklik__verification__objection__descriptor, (ProtobufCMessage **)out, NULL);
}

static int finalize(const who *w, Seklik__Verification__Announcement **out)
{
    Seklik__Verification__FinalizeRequest req = SEKLIK__VERIFICATION__FINALIZE_REQUEST__INIT;
    req.fiscal_year = 2027;
    return vcall("Verification.Finalize", w, true, &req.base,
                 &seklik__verification__announcement__descriptor, (ProtobufCMessage **)out, NULL);
}

static void objection_window_opens_and_closes(void **state)
{
    (void)state;
    char until[32];
    Seklik__Verification__AnnounceRequest ann = SEKLIK__VERIFICATION__ANNOUNCE_REQUEST__INIT;
    ann.fiscal_year = 2027;
    ann.objection_until = "2020-01-01T00:00:00Z"; /* in the past */
    assert_int_equal(vcall("Verification.Announce", &ADMIN, true, &ann.base, NULL, NULL, NULL),
                     SK_EINVAL);
    rfc3339_in(3, until, sizeof(until));
    ann.objection_until = until;
    assert_int_equal(vcall("Verification.Announce", &HEAD, true, &ann.base, NULL, NULL, NULL),
                     SK_OK);
    assert_int_equal(vcall("Verification.Announce", &HEAD, true, &ann.base, NULL, NULL, NULL),
                     SK_EEXISTS);

    Seklik__Verification__Announcement *a = NULL;
    assert_int_equal(finalize(&ADMIN, &a), SK_EPRECOND); /* window still open */

    Seklik__Verification__Objection *o = NULL;
    assert_int_equal(object(&PARTNER_A, COMPANY_B, &o), SK_EPERM);
    assert_int_equal(object(&VERIFIER, COMPANY_A, &o), SK_EPERM);
    assert_int_equal(object(&PARTNER_A, COMPANY_A, &o), SK_OK);
    char id[SK_UUID_STRLEN];
    snprintf(id, sizeof(id), "%s", o->id);
    assert_string_equal(o->raised_by, "partner-a");
    protobuf_c_message_free_unpacked(&o->base, NULL);
    assert_int_equal(object(&PARTNER_A, COMPANY_A, &o), SK_EEXISTS); /* once a year */

    sk_test_sleep_ms(3500);
    assert_int_equal(object(&PARTNER_B, COMPANY_B, &o), SK_EPRECOND); /* window closed */
    assert_int_equal(finalize(&ADMIN, &a), SK_EPRECOND);                /* unanswered */

    Seklik__Verification__AnswerObjectionRequest ans =
        SEKLIK__VERIFICATION__ANSWER_OBJECTION_REQUEST__INIT;
    ans.objection_id = id;
    ans.answer = "Sanggahan ditolak: syarat tidak lengkap";
    assert_int_equal(
        vcall("Verification.AnswerObjection", &PARTNER_A, true, &ans.base, NULL, NULL, NULL),
        SK_EPERM);
    assert_int_equal(
        vcall("Verification.AnswerObjection", &VERIFIER, true, &ans.base, NULL, NULL, NULL), SK_OK);

    assert_int_equal(finalize(&VERIFIER, &a), SK_EPERM);
    assert_int_equal(finalize(&HEAD, &a), SK_OK);
    assert_true(a->finalized);
    assert_int_equal(a->fiscal_year, 2027);
    protobuf_c_message_free_unpacked(&a->base, NULL);
    assert_int_equal(finalize(&HEAD, &a), SK_EPRECOND); /* final already */
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM verification.outbox "
                                               "WHERE type = 'verification.list.finalized'"),
                     1);
}

static void expiry_check_on_an_empty_database_sends_nothing(void **state)
{
    (void)state;
    Seklik__Verification__CheckExpiriesRequest req =
        SEKLIK__VERIFICATION__CHECK_EXPIRIES_REQUEST__INIT;
    Seklik__Verification__CheckExpiriesResponse *out = NULL;
    assert_int_equal(vcall("Verification.CheckExpiries", &ADMIN, true, &req.base,
                           &seklik__verification__check_expiries_response__descriptor,
                           (ProtobufCMessage **)&out, NULL),
                     SK_OK);
    assert_int_equal(out->notices, 0);
    protobuf_c_message_free_unpacked(&out->base, NULL);
    req.today = "2027-13-01";
    assert_int_equal(vcall("Verification.CheckExpiries", &ADMIN, true, &req.base, NULL, NULL, NULL),
                     SK_EINVAL);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s TESTPUB TESTSUB LOGDIR SEKLIK-VERIFICATION\n", argv[0]);
        return 2;
    }
    g_bin = argv[4];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(expiry_check_on_an_empty_database_sends_nothing),
        cmocka_unit_test(requirement_sets_are_versioned_and_partners_see_the_newest),
        cmocka_unit_test(roles_are_enforced),
        cmocka_unit_test(four_eyes_and_case_states),
        cmocka_unit_test(objection_window_opens_and_closes),
        cmocka_unit_test(submitted_company_is_checked_reviewed_fixed_and_verified),
    };
    return it_main2(argc, argv, tests, sizeof(tests) / sizeof(tests[0]), start_verification,
                    stop_verification);
}
