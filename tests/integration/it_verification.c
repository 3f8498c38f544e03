/* The verification service alone (no registry running): requirement sets
 * are versioned and readable by partners, roles and four-eyes are enforced,
 * the announcement's objection window opens and closes on time, and the
 * expiry check runs on an empty database. Registry events are applied
 * in-process with the service's own applier (vevents_apply), so the case
 * flow is tested here without a registry; the registry -> verification ->
 * registry flow over the bus is a test of its own. */
#include <libpq-fe.h>
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
static const who VERIFIER2 = {"verifier-2", "verifier", NULL};
static const who FINANCE = {"finance-1", "finance", NULL};
static const who REGISTRAR = {"staff-1", "verifier", NULL}; /* registered the test company */
static const who PARTNER_A = {"partner-a", "partner", "0190a0a0-0000-7000-8000-00000000a000"};
static const who PARTNER_B = {"partner-b", "partner", "0190a0a0-0000-7000-8000-00000000a001"};

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

    /* The second person is a verifier or the head; everyone else is refused first. */
    Seklik__Verification__ApproveDecisionRequest approve =
        SEKLIK__VERIFICATION__APPROVE_DECISION_REQUEST__INIT;
    Seklik__Verification__ReturnDecisionRequest back =
        SEKLIK__VERIFICATION__RETURN_DECISION_REQUEST__INIT;
    const who *const not_approvers[] = {&PARTNER_A, &FINANCE, NULL};
    for (const who *const *w = not_approvers; *w; w++) {
        assert_int_equal(
            vcall("Verification.ApproveDecision", *w, true, &approve.base, NULL, NULL, NULL),
            SK_EPERM);
        assert_int_equal(
            vcall("Verification.ReturnDecision", *w, true, &back.base, NULL, NULL, NULL), SK_EPERM);
    }
    assert_int_equal(vcall("Verification.ApproveDecision", &HEAD, true, &approve.base, NULL, NULL,
                           NULL),
                     SK_EINVAL); /* past the role: the missing case id */

    /* A partner never reads another company's case, even one that does not exist. */
    Seklik__Verification__GetCaseRequest get = SEKLIK__VERIFICATION__GET_CASE_REQUEST__INIT;
    get.company_id = "0190a0a0-0000-7000-8000-00000000a001";
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

static void insert_case_of(const char *case_id, const char *company, const char *state)
{
    /* one transaction, as the three rows are written together */
    static const char *const inserts[] = {
        "INSERT INTO verification.verification_case (id, company_id, company_name, "
        "fiscal_year, state, registered_by, outlet_types) VALUES ($1, $2, "
        "'PT Kabar OKI', 2029, $3, 'staff-1', '[3]')",
        "INSERT INTO verification.case_document (case_id, slot, document_id, type, version, "
        "expires_on, decision, in_force_document_id, in_force_expires_on) VALUES ($1, '1//', "
        "'0190a0a0-0000-7000-8000-00000000a00a', 1, 1, '2029-06-30', 'accepted', "
        "'0190a0a0-0000-7000-8000-00000000a00a', '2029-06-30')",
        ("INSERT INTO verification.case_outlet (case_id, outlet_id, outlet_type, name) VALUES "
         "($1, left($2, 28) || '00000000', 3, 'Radio OKI')"),
    };
    const char *case_only[] = {case_id};
    const char *case_company_state[] = {case_id, company, state};
    const char *case_company[] = {case_id, company};
    const char *const *params[] = {case_company_state, case_only, case_company};
    const int n_params[] = {3, 1, 2};
    PGconn *c = PQconnectdb(g_dsn);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *r = PQexec(c, "BEGIN");
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    for (int i = 0; i < 3; i++) {
        r = PQexecParams(c, inserts[i], n_params[i], NULL, params[i], NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            fprintf(stderr, "insert_case_of: %s", PQresultErrorMessage(r));
        assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
        PQclear(r);
    }
    r = PQexec(c, "COMMIT");
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    PQfinish(c);
}

static void insert_case(const char *state)
{
    insert_case_of(CASE_ID, "0190a0a0-0000-7000-8000-00000000a000", state);
}

/* The case's pending proposal id ("" when none) into `out`; its state. */
static int case_state(const char *case_id, char out[SK_UUID_STRLEN])
{
    Seklik__Verification__GetCaseRequest get = SEKLIK__VERIFICATION__GET_CASE_REQUEST__INIT;
    get.case_id = (char *)case_id;
    Seklik__Verification__Case *c = NULL;
    assert_int_equal(vcall("Verification.GetCase", &VERIFIER, false, &get.base,
                           &seklik__verification__case__descriptor, (ProtobufCMessage **)&c, NULL),
                     SK_OK);
    int state = c->state;
    snprintf(out, SK_UUID_STRLEN, "%s", c->pending_proposal ? c->pending_proposal->id : "");
    protobuf_c_message_free_unpacked(&c->base, NULL);
    return state;
}

/* ApproveDecision of the case's pending proposal by `w`; the reply in *out
 * when asked. The refusal's message is kept in `why` (256 bytes) when not NULL. */
static int approve(const who *w, const char *case_id, Seklik__Verification__Case **out, char *why)
{
    char pending[SK_UUID_STRLEN];
    case_state(case_id, pending);
    Seklik__Verification__ApproveDecisionRequest req =
        SEKLIK__VERIFICATION__APPROVE_DECISION_REQUEST__INIT;
    req.case_id = (char *)case_id;
    req.proposal_id = pending;
    Seklik__Bus__Response *resp = NULL;
    int rc = vcall("Verification.ApproveDecision", w, true, &req.base,
                   &seklik__verification__case__descriptor, (ProtobufCMessage **)out, &resp);
    if (why)
        snprintf(why, 256, "%s", resp->message);
    seklik__bus__response__free_unpacked(resp, NULL);
    return rc;
}

static long long outbox_count(const char *type)
{
    return sk_test_sql_number_p(g_dsn, "SELECT count(*) FROM verification.outbox WHERE type = $1",
                                type);
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

    /* Verified once all documents are accepted and the visit is recorded,
     * and only by two people: the verifier proposes, another approves. */
    dec.outcome = SEKLIK__VERIFICATION__OUTCOME__OUTCOME_VERIFIED;
    Seklik__Verification__Case *c = NULL;
    assert_int_equal(vcall("Verification.Decide", &REGISTRAR, true, &dec.base, NULL, NULL, NULL),
                     SK_EPERM);
    assert_int_equal(vcall("Verification.Decide", &VERIFIER, true, &dec.base,
                           &seklik__verification__case__descriptor, (ProtobufCMessage **)&c, NULL),
                     SK_OK);
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VISITED);
    assert_non_null(c->pending_proposal);
    assert_int_equal(c->pending_proposal->outcome, SEKLIK__VERIFICATION__OUTCOME__OUTCOME_VERIFIED);
    assert_string_equal(c->pending_proposal->proposed_by, "verifier-1");
    protobuf_c_message_free_unpacked(&c->base, NULL);
    assert_int_equal(outbox_count("verification.company.verified"), 0);
    /* One decision waits at a time. */
    assert_int_equal(vcall("Verification.Decide", &VERIFIER2, true, &dec.base, NULL, NULL, NULL),
                     SK_EPRECOND);

    /* Nobody approves their own proposal, nor the registrant; nothing is written. */
    long long audit_before = sk_test_sql_number(g_dsn, "SELECT count(*) FROM verification.audit_log");
    char why[256];
    assert_int_equal(approve(&VERIFIER, CASE_ID, NULL, why), SK_EPERM);
    assert_non_null(strstr(why, "four_eyes.own_proposal"));
    assert_int_equal(approve(&REGISTRAR, CASE_ID, NULL, why), SK_EPERM);
    assert_non_null(strstr(why, "four_eyes.registrant"));
    char pending[SK_UUID_STRLEN];
    assert_int_equal(case_state(CASE_ID, pending), SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VISITED);
    assert_true(pending[0]);
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM verification.audit_log"),
                     audit_before);
    assert_int_equal(outbox_count("verification.company.verified"), 0);

    /* The head approves: now it is the outcome, with both names on it. */
    assert_int_equal(approve(&HEAD, CASE_ID, &c, NULL), SK_OK);
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VERIFIED);
    assert_string_equal(c->valid_until, "2029-06-30");
    assert_string_equal(c->decided_by, "verifier-1");
    assert_string_equal(c->approved_by, "head-1");
    assert_null(c->pending_proposal);
    assert_int_equal(c->n_proposals, 1);
    assert_int_equal(c->proposals[0]->status,
                     SEKLIK__VERIFICATION__PROPOSAL_STATUS__PROPOSAL_STATUS_APPROVED);
    assert_string_equal(c->proposals[0]->approved_by, "head-1");
    assert_non_null(c->visit);
    assert_string_equal(c->visit->verifier_id, "verifier-1");
    protobuf_c_message_free_unpacked(&c->base, NULL);
    assert_int_equal(outbox_count("verification.company.verified"), 1);
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM verification.audit_log WHERE "
                                               "action = 'case.verify' AND user_id = 'head-1' AND "
                                               "after->>'decided_by' = 'verifier-1' AND "
                                               "after->>'approved_by' = 'head-1'"),
                     1);

    /* The partner reads its own case; a second decision is a wrong state. */
    Seklik__Verification__GetCaseRequest get = SEKLIK__VERIFICATION__GET_CASE_REQUEST__INIT;
    get.company_id = "0190a0a0-0000-7000-8000-00000000a000";
    assert_int_equal(vcall("Verification.GetCase", &PARTNER_A, false, &get.base, NULL, NULL, NULL),
                     SK_OK);
    /* Another company's case answers as an unknown one. */
    get.company_id = "";
    get.case_id = (char *)CASE_ID;
    Seklik__Bus__Response *other = NULL, *unknown = NULL;
    assert_int_equal(vcall("Verification.GetCase", &PARTNER_B, false, &get.base, NULL, NULL, &other),
                     SK_ENOTFOUND);
    get.case_id = "0190a0a0-0000-7000-8000-00000000beef";
    assert_int_equal(
        vcall("Verification.GetCase", &PARTNER_B, false, &get.base, NULL, NULL, &unknown),
        SK_ENOTFOUND);
    assert_string_equal(other->message, unknown->message);
    assert_string_equal(other->message, "case.not_found: no such case"); /* the code leads */
    seklik__bus__response__free_unpacked(other, NULL);
    seklik__bus__response__free_unpacked(unknown, NULL);
    assert_int_equal(vcall("Verification.Decide", &VERIFIER, true, &dec.base, NULL, NULL, &resp),
                     SK_EPRECOND);
    /* every outlet is decided; the code leads the message */
    assert_int_equal(strncmp(resp->message, "decision.no_outlet: ", 20), 0);
    seklik__bus__response__free_unpacked(resp, NULL);

    /* Suspension: not by the registrant; proposed, then approved by someone else. */
    Seklik__Verification__SuspendRequest sus = SEKLIK__VERIFICATION__SUSPEND_REQUEST__INIT;
    sus.company_id = "0190a0a0-0000-7000-8000-00000000a000";
    sus.reason = "Dokumen palsu";
    assert_int_equal(vcall("Verification.Suspend", &REGISTRAR, true, &sus.base, NULL, NULL, &resp),
                     SK_EPERM);
    assert_int_equal(strncmp(resp->message, "four_eyes.registrant: ", 22), 0);
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_int_equal(vcall("Verification.Suspend", &HEAD, true, &sus.base, NULL, NULL, NULL),
                     SK_OK);
    assert_int_equal(case_state(CASE_ID, pending), SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VERIFIED);
    assert_int_equal(outbox_count("verification.company.suspended"), 0);
    assert_int_equal(approve(&HEAD, CASE_ID, NULL, NULL), SK_EPERM);
    assert_int_equal(approve(&REGISTRAR, CASE_ID, NULL, NULL), SK_EPERM);
    assert_int_equal(approve(&VERIFIER, CASE_ID, &c, NULL), SK_OK);
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_SUSPENDED);
    assert_string_equal(c->decided_by, "head-1");
    assert_string_equal(c->approved_by, "verifier-1");
    assert_string_equal(c->reason, "Dokumen palsu");
    protobuf_c_message_free_unpacked(&c->base, NULL);
    assert_int_equal(vcall("Verification.Suspend", &HEAD, true, &sus.base, NULL, NULL, NULL),
                     SK_EPRECOND);

    assert_int_equal(outbox_count("verification.company.verified"), 1);
    assert_int_equal(outbox_count("verification.company.suspended"), 1);
    /* visit, two proposals */
    assert_int_equal(outbox_count("verification.case.updated"), 3);
    /* visit, proposal, verify, proposal, suspend */
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM verification.audit_log WHERE "
                                               "entity_type = 'verification_case' AND "
                                               "before IS NOT NULL AND after IS NOT NULL"),
                     5);
}

static const char CASE_BACK[] = "0190a0a0-0000-7000-8000-0000000bac00";

static void a_proposal_sent_back_changes_nothing(void **state)
{
    (void)state;
    long long rejected_before = outbox_count("verification.company.rejected");
    insert_case_of(CASE_BACK, "0190a0a0-0000-7000-8000-00000000a009", "in_review");
    Seklik__Verification__DecideRequest dec = SEKLIK__VERIFICATION__DECIDE_REQUEST__INIT;
    dec.case_id = (char *)CASE_BACK;
    dec.outcome = SEKLIK__VERIFICATION__OUTCOME__OUTCOME_REJECTED;
    dec.reason = "Kantor tidak ditemukan";
    assert_int_equal(vcall("Verification.Decide", &VERIFIER, true, &dec.base, NULL, NULL, NULL),
                     SK_OK);
    char pending[SK_UUID_STRLEN];
    assert_int_equal(case_state(CASE_BACK, pending),
                     SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_IN_REVIEW);

    /* A partner never sees a proposal that has not taken effect. */
    Seklik__Verification__GetCaseRequest get = SEKLIK__VERIFICATION__GET_CASE_REQUEST__INIT;
    get.company_id = "0190a0a0-0000-7000-8000-00000000a009";
    who partner = {"partner-back", "partner", "0190a0a0-0000-7000-8000-00000000a009"};
    Seklik__Verification__Case *c = NULL;
    assert_int_equal(vcall("Verification.GetCase", &partner, false, &get.base,
                           &seklik__verification__case__descriptor, (ProtobufCMessage **)&c, NULL),
                     SK_OK);
    assert_null(c->pending_proposal);
    assert_int_equal(c->n_proposals, 0);
    protobuf_c_message_free_unpacked(&c->base, NULL);

    /* Sent back with a reason by a second verifier: nothing else changes. */
    Seklik__Verification__ReturnDecisionRequest back =
        SEKLIK__VERIFICATION__RETURN_DECISION_REQUEST__INIT;
    back.case_id = (char *)CASE_BACK;
    back.proposal_id = pending;
    assert_int_equal(vcall("Verification.ReturnDecision", &VERIFIER2, true, &back.base, NULL, NULL,
                           NULL),
                     SK_EINVAL); /* a reason is required */
    back.reason = "Kunjungi ulang dulu";
    assert_int_equal(vcall("Verification.ReturnDecision", &REGISTRAR, true, &back.base, NULL, NULL,
                           NULL),
                     SK_EPERM);
    assert_int_equal(vcall("Verification.ReturnDecision", &VERIFIER2, true, &back.base,
                           &seklik__verification__case__descriptor, (ProtobufCMessage **)&c, NULL),
                     SK_OK);
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_IN_REVIEW);
    assert_null(c->pending_proposal);
    assert_int_equal(c->n_proposals, 1);
    assert_int_equal(c->proposals[0]->status,
                     SEKLIK__VERIFICATION__PROPOSAL_STATUS__PROPOSAL_STATUS_RETURNED);
    assert_string_equal(c->proposals[0]->returned_by, "verifier-2");
    assert_string_equal(c->proposals[0]->return_reason, "Kunjungi ulang dulu");
    protobuf_c_message_free_unpacked(&c->base, NULL);
    /* The old proposal cannot be approved any more. */
    Seklik__Verification__ApproveDecisionRequest req =
        SEKLIK__VERIFICATION__APPROVE_DECISION_REQUEST__INIT;
    req.case_id = (char *)CASE_BACK;
    req.proposal_id = pending;
    assert_int_equal(vcall("Verification.ApproveDecision", &HEAD, true, &req.base, NULL, NULL, NULL),
                     SK_EPRECOND);
    assert_int_equal(outbox_count("verification.company.rejected"), rejected_before);
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

/* Apply one registry event in-process, as `actor` (NULL = none). */
static void apply_event_by(const char *type, uint64_t seq, const ProtobufCMessage *body,
                           const Seklik__Bus__Actor *actor)
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
    ev.actor = (Seklik__Bus__Actor *)actor;
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

static void apply_event(const char *type, uint64_t seq, const ProtobufCMessage *body)
{
    apply_event_by(type, seq, body, NULL);
}

/* What a registry.company.submitted or .updated event carries of a company:
 * one online outlet and a chief editor with `nik`. Everything points into it. */
typedef struct company_ev {
    Seklik__Registry__CompanyInput data;
    Seklik__Registry__BankAccount bank;
    char *kbli[1];
    Seklik__Registry__OutletInput oin;
    Seklik__Registry__Outlet outlet, *outlets[1];
    Seklik__Registry__PersonInput pin;
    Seklik__Registry__Person person, *people[1];
    Seklik__Registry__Company co;
    Seklik__Registry__CompanyChanged msg;
} company_ev;

static void company_ev_init(company_ev *e, const char *company_id, const char *npwp,
                            const char *nik, Seklik__Registry__Document **docs, size_t n_docs)
{
    memset(e, 0, sizeof(*e));
    seklik__registry__company_input__init(&e->data);
    e->kbli[0] = "63122";
    e->data.legal_name = "PT Flow Media";
    e->data.npwp = (char *)npwp;
    e->data.nib = "1234567890123";
    e->data.kbli = e->kbli;
    e->data.n_kbli = 1;
    seklik__registry__bank_account__init(&e->bank);
    e->bank.bank_name = "Bank Sumsel Babel";
    e->bank.account_number = "1234567890";
    e->bank.holder_name = "PT Flow Media";
    e->data.bank_account = &e->bank;
    seklik__registry__outlet_input__init(&e->oin);
    e->oin.type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_SIBER;
    e->oin.name = "flow.id";
    seklik__registry__outlet__init(&e->outlet);
    e->outlet.id = "0190a0a0-0000-7000-8000-00000000a010";
    e->outlet.data = &e->oin;
    e->outlets[0] = &e->outlet;
    seklik__registry__person_input__init(&e->pin);
    e->pin.role = SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_CHIEF_EDITOR;
    e->pin.nik = (char *)nik;
    e->pin.name = "Pemimpin Redaksi";
    seklik__registry__person__init(&e->person);
    e->person.id = "0190a0a0-0000-7000-8000-00000000a00f";
    e->person.data = &e->pin;
    e->people[0] = &e->person;
    seklik__registry__company__init(&e->co);
    e->co.id = (char *)company_id;
    e->co.data = &e->data;
    e->co.outlets = e->outlets;
    e->co.n_outlets = 1;
    e->co.people = e->people;
    e->co.n_people = 1;
    e->co.documents = docs;
    e->co.n_documents = n_docs;
    e->co.registered_by = "staff-1";
    e->co.fiscal_year = 2031;
    seklik__registry__company_changed__init(&e->msg);
    e->msg.company = &e->co;
}

/* company-f submits for 2031 with one online outlet; `nik` is its chief editor's. */
static void submit(uint64_t seq, const char *nik, Seklik__Registry__Document **docs, size_t n_docs)
{
    company_ev e;
    company_ev_init(&e, "0190a0a0-0000-7000-8000-00000000a002", "01.234.567.8-901.234", nik, docs, n_docs);
    apply_event("registry.company.submitted", seq, &e.msg.base);
}

static void upload_to(const char *company, uint64_t seq, Seklik__Registry__Document *d)
{
    Seklik__Registry__DocumentUploaded msg = SEKLIK__REGISTRY__DOCUMENT_UPLOADED__INIT;
    msg.company_id = (char *)company;
    msg.document = d;
    apply_event("registry.document.uploaded", seq, &msg.base);
}

static void upload(uint64_t seq, Seklik__Registry__Document *d)
{
    upload_to("0190a0a0-0000-7000-8000-00000000a002", seq, d);
}

static Seklik__Verification__Case *case_of(const who *w, const char *company)
{
    Seklik__Verification__GetCaseRequest get = SEKLIK__VERIFICATION__GET_CASE_REQUEST__INIT;
    get.company_id = (char *)company;
    Seklik__Verification__Case *c = NULL;
    assert_int_equal(vcall("Verification.GetCase", w, false, &get.base,
                           &seklik__verification__case__descriptor, (ProtobufCMessage **)&c, NULL),
                     SK_OK);
    return c;
}

static Seklik__Verification__Case *case_of_f(void)
{
    return case_of(&VERIFIER, "0190a0a0-0000-7000-8000-00000000a002");
}

static bool has_finding(const Seklik__Verification__Case *c, const char *code)
{
    for (size_t i = 0; i < c->n_findings; i++)
        if (strcmp(c->findings[i]->code, code) == 0)
            return true;
    return false;
}

static int decide_doc_as(const who *w, const char *case_id, const char *doc_id, bool accept,
                         Seklik__Bus__Response **keep)
{
    Seklik__Verification__DecideDocumentRequest req =
        SEKLIK__VERIFICATION__DECIDE_DOCUMENT_REQUEST__INIT;
    req.case_id = (char *)case_id;
    req.document_id = (char *)doc_id;
    req.decision = accept ? SEKLIK__VERIFICATION__DECISION__DECISION_ACCEPTED
                          : SEKLIK__VERIFICATION__DECISION__DECISION_REJECTED;
    req.reason = accept ? "" : "Scan NPWP tidak terbaca";
    return vcall("Verification.DecideDocument", w, true, &req.base, NULL, NULL, keep);
}

static int decide_doc(const char *case_id, const char *doc_id, bool accept)
{
    return decide_doc_as(&VERIFIER, case_id, doc_id, accept, NULL);
}

static long long events_of(const char *type)
{
    return outbox_count(type);
}

static int propose(const who *w, const char *case_id, bool verified, const char *reason)
{
    Seklik__Verification__DecideRequest dec = SEKLIK__VERIFICATION__DECIDE_REQUEST__INIT;
    dec.case_id = (char *)case_id;
    dec.outcome = verified ? SEKLIK__VERIFICATION__OUTCOME__OUTCOME_VERIFIED
                           : SEKLIK__VERIFICATION__OUTCOME__OUTCOME_REJECTED;
    dec.reason = (char *)(reason ? reason : "");
    return vcall("Verification.Decide", w, true, &dec.base, NULL, NULL, NULL);
}

static int visit_case(const who *w, const char *case_id)
{
    Seklik__Verification__Visit visit = SEKLIK__VERIFICATION__VISIT__INIT;
    visit.visited_on = "2026-01-15";
    visit.latitude = -3.4;
    visit.longitude = 104.8;
    visit.findings = "Kantor redaksi aktif";
    Seklik__Verification__RecordVisitRequest rv = SEKLIK__VERIFICATION__RECORD_VISIT_REQUEST__INIT;
    rv.case_id = (char *)case_id;
    rv.visit = &visit;
    return vcall("Verification.RecordVisit", w, true, &rv.base, NULL, NULL, NULL);
}

static void submitted_company_is_checked_reviewed_fixed_and_verified(void **state)
{
    (void)state;
    /* Online outlets in 2031 need AKTA, SK Kemenkumham, NIB and NPWP. */
    assert_int_equal(publish(&ADMIN, 2031, 2, 4, 1), SK_OK);
    long long verified_before = events_of("verification.company.verified");
    Seklik__Registry__Document akta, nib, npwp, sk, npwp2;
    Seklik__Registry__Document *docs[] = {doc(&akta, "0190a0a0-0000-7000-8000-00000000a00a", 1, 1, ""),
                                          doc(&nib, "0190a0a0-0000-7000-8000-00000000a00b", 3, 1, "2031-08-01"),
                                          doc(&npwp, "0190a0a0-0000-7000-8000-00000000a00c", 4, 1, "")};

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

    /* Reject the NPWP; the verifier uploads the replacement himself, on the
     * company's behalf: he may not judge that version, a colleague does. */
    assert_int_equal(decide_doc(case1, "0190a0a0-0000-7000-8000-00000000a00c", false), SK_OK);
    c = case_of_f();
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_NEEDS_REVISION);
    protobuf_c_message_free_unpacked(&c->base, NULL);
    doc(&npwp2, "0190a0a0-0000-7000-8000-00000000a00d", 4, 2, "");
    npwp2.uploaded_by = "verifier-1";
    upload(2, &npwp2);
    upload(3, doc(&sk, "0190a0a0-0000-7000-8000-00000000a00e", 2, 1, ""));
    c = case_of_f();
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_IN_REVIEW);
    assert_int_equal(c->n_documents, 4);
    assert_false(has_finding(c, "missing_document"));
    protobuf_c_message_free_unpacked(&c->base, NULL);
    long long audit_before = sk_test_sql_number(g_dsn, "SELECT count(*) FROM verification.audit_log");
    Seklik__Bus__Response *resp = NULL;
    assert_int_equal(decide_doc_as(&VERIFIER, case1, "0190a0a0-0000-7000-8000-00000000a00d", true, &resp), SK_EPERM);
    assert_non_null(strstr(resp->message, "four_eyes.own_upload"));
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_int_equal(decide_doc_as(&VERIFIER, case1, "0190a0a0-0000-7000-8000-00000000a00d", false, NULL), SK_EPERM);
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM verification.audit_log"),
                     audit_before);
    c = case_of_f();
    for (size_t i = 0; i < c->n_documents; i++)
        if (strcmp(c->documents[i]->document_id, "0190a0a0-0000-7000-8000-00000000a00d") == 0) {
            assert_int_equal(c->documents[i]->decision,
                             SEKLIK__VERIFICATION__DECISION__DECISION_PENDING);
            assert_string_equal(c->documents[i]->uploaded_by, "verifier-1");
        }
    protobuf_c_message_free_unpacked(&c->base, NULL);
    assert_int_equal(decide_doc_as(&VERIFIER2, case1, "0190a0a0-0000-7000-8000-00000000a00d", true, NULL), SK_OK);

    /* Every document accepted, but the bad NIK still blocks: the case is rejected. */
    const char *ids[] = {"0190a0a0-0000-7000-8000-00000000a00a", "0190a0a0-0000-7000-8000-00000000a00b", "0190a0a0-0000-7000-8000-00000000a00e"};
    for (int i = 0; i < 3; i++)
        assert_int_equal(decide_doc(case1, ids[i], true), SK_OK);
    c = case_of_f();
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_IN_REVIEW);
    protobuf_c_message_free_unpacked(&c->base, NULL);
    /* verifier-1 uploaded a document of this case: he neither proposes nor approves. */
    assert_int_equal(propose(&VERIFIER, case1, false, "NIK pemimpin redaksi tidak sah"), SK_EPERM);
    assert_int_equal(propose(&VERIFIER2, case1, false, "NIK pemimpin redaksi tidak sah"), SK_OK);
    char why[256];
    assert_int_equal(approve(&VERIFIER, case1, NULL, why), SK_EPERM);
    assert_non_null(strstr(why, "four_eyes.supplier"));
    assert_int_equal(events_of("verification.company.rejected"), 0);
    assert_int_equal(approve(&HEAD, case1, NULL, NULL), SK_OK);
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
    const char *ids2[] = {"0190a0a0-0000-7000-8000-00000000a00a", "0190a0a0-0000-7000-8000-00000000a00b", "0190a0a0-0000-7000-8000-00000000a00e"};
    for (int i = 0; i < 3; i++)
        assert_int_equal(decide_doc(case2, ids2[i], true), SK_OK);
    assert_int_equal(decide_doc(case2, "0190a0a0-0000-7000-8000-00000000a00d", true), SK_EPERM); /* still his upload */
    assert_int_equal(decide_doc_as(&VERIFIER2, case2, "0190a0a0-0000-7000-8000-00000000a00d", true, NULL), SK_OK);
    c = case_of_f();
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VISIT_PENDING);
    protobuf_c_message_free_unpacked(&c->base, NULL);

    assert_int_equal(visit_case(&VERIFIER2, case2), SK_OK);
    assert_int_equal(propose(&VERIFIER2, case2, true, NULL), SK_OK);
    /* One verifier alone never reaches VERIFIED. */
    assert_int_equal(approve(&VERIFIER2, case2, NULL, NULL), SK_EPERM);
    c = case_of_f();
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VISITED);
    protobuf_c_message_free_unpacked(&c->base, NULL);
    assert_int_equal(events_of("verification.company.verified"), verified_before);
    assert_int_equal(approve(&HEAD, case2, NULL, NULL), SK_OK);
    c = case_of_f();
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VERIFIED);
    assert_string_equal(c->valid_until, "2031-08-01"); /* the NIB expires before year end */
    assert_string_equal(c->decided_by, "verifier-2");
    assert_string_equal(c->approved_by, "head-1");
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

/* A company of 2031 submitted, its one required document (AKTA, by the
 * 2031 print set published here) accepted by verifier-2 and visited:
 * ready for a proposal. The case id goes to `case_id`. */
static void ready_to_decide(const char *company, const char *npwp, const char *nik,
                            const Seklik__Registry__IdentityClash *const *clashes, size_t n_clashes,
                            char case_id[SK_UUID_STRLEN])
{
    Seklik__Registry__Document akta;
    char doc_id[64];
    /* the company's id with another first group: a UUID of its own */
    snprintf(doc_id, sizeof(doc_id), "d0c0%s", company + 4);
    Seklik__Registry__Document *docs[] = {doc(&akta, doc_id, 1, 1, "")};
    company_ev e;
    company_ev_init(&e, company, npwp, nik, docs, 1);
    e.oin.type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_CETAK;
    e.kbli[0] = "58130";
    e.msg.identity_clashes = (Seklik__Registry__IdentityClash **)clashes;
    e.msg.n_identity_clashes = n_clashes;
    apply_event("registry.company.submitted", 1, &e.msg.base);
    Seklik__Verification__Case *c = case_of(&VERIFIER2, company);
    snprintf(case_id, SK_UUID_STRLEN, "%s", c->id);
    protobuf_c_message_free_unpacked(&c->base, NULL);
    assert_int_equal(decide_doc_as(&VERIFIER2, case_id, doc_id, true, NULL), SK_OK);
    assert_int_equal(visit_case(&VERIFIER2, case_id), SK_OK);
}

static void verified_companies_of_a_year_never_share_an_npwp_or_nik(void **state)
{
    (void)state;
    assert_int_equal(publish(&ADMIN, 2031, 1, 1, 1), SK_OK); /* print: the deed only */
    char first[SK_UUID_STRLEN], second[SK_UUID_STRLEN], third[SK_UUID_STRLEN];
    /* The same taxpayer, as a 15-digit and as a 16-digit NPWP. */
    ready_to_decide("0190a0a0-0000-7000-8000-00000000a005", "01.234.567.8-901.777", "1671010101017771", NULL, 0, first);
    ready_to_decide("0190a0a0-0000-7000-8000-00000000a006", "0012345678901777", "1671010101017772", NULL, 0, second);
    ready_to_decide("0190a0a0-0000-7000-8000-00000000a007", "01.234.567.8-901.778", "1671010101017771", NULL, 0, third);
    assert_int_equal(propose(&VERIFIER2, first, true, NULL), SK_OK);
    assert_int_equal(propose(&VERIFIER2, second, true, NULL), SK_OK);
    assert_int_equal(propose(&VERIFIER2, third, true, NULL), SK_OK);
    assert_int_equal(approve(&HEAD, first, NULL, NULL), SK_OK);
    char why[256];
    assert_int_equal(approve(&HEAD, second, NULL, why), SK_EPRECOND);
    assert_non_null(strstr(why, "NPWP"));
    assert_non_null(strstr(why, "0190a0a0-0000-7000-8000-00000000a005"));
    assert_int_equal(approve(&HEAD, third, NULL, why), SK_EPRECOND); /* the same chief editor */
    assert_non_null(strstr(why, "NIK"));
    char pending[SK_UUID_STRLEN];
    assert_int_equal(case_state(second, pending), SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VISITED);
    assert_true(pending[0]); /* still waiting: someone sends it back or rejects */

    /* Once the first is suspended, its numbers are free again. */
    Seklik__Verification__SuspendRequest sus = SEKLIK__VERIFICATION__SUSPEND_REQUEST__INIT;
    sus.company_id = "0190a0a0-0000-7000-8000-00000000a005";
    sus.reason = "NPWP milik perusahaan lain";
    assert_int_equal(vcall("Verification.Suspend", &VERIFIER2, true, &sus.base, NULL, NULL, NULL),
                     SK_OK);
    assert_int_equal(approve(&HEAD, first, NULL, NULL), SK_OK);
    assert_int_equal(approve(&HEAD, second, NULL, NULL), SK_OK);
    assert_int_equal(approve(&HEAD, third, NULL, NULL), SK_OK);
}

static void identity_clashes_are_findings_for_staff_only(void **state)
{
    (void)state;
    Seklik__Registry__IdentityClash npwp = SEKLIK__REGISTRY__IDENTITY_CLASH__INIT;
    npwp.kind = "npwp";
    npwp.other_company_id = "0190a0a0-0000-7000-8000-00000000a008";
    Seklik__Registry__IdentityClash nik = SEKLIK__REGISTRY__IDENTITY_CLASH__INIT;
    nik.kind = "nik";
    nik.person_id = "0190a0a0-0000-7000-8000-00000000a00f";
    nik.other_company_id = "0190a0a0-0000-7000-8000-00000000a008";
    const Seklik__Registry__IdentityClash *clashes[] = {&npwp, &nik};
    char id[SK_UUID_STRLEN];
    ready_to_decide("0190a0a0-0000-7000-8000-00000000a004", "01.234.567.8-901.779", "1671010101017779", clashes, 2, id);

    Seklik__Verification__Case *c = case_of(&VERIFIER, "0190a0a0-0000-7000-8000-00000000a004");
    assert_true(has_finding(c, "npwp_duplicate"));
    assert_true(has_finding(c, "nik_duplicate"));
    for (size_t i = 0; i < c->n_findings; i++)
        if (strstr(c->findings[i]->code, "_duplicate")) {
            assert_true(c->findings[i]->staff_only);
            assert_false(c->findings[i]->blocking);
            assert_non_null(strstr(c->findings[i]->message, "0190a0a0-0000-7000-8000-00000000a008"));
            /* the value apart, for the UI's words (issue 11) */
            assert_non_null(strstr(c->findings[i]->detail, "0190a0a0-0000-7000-8000-00000000a008"));
        }
    protobuf_c_message_free_unpacked(&c->base, NULL);
    who partner = {"partner-clash", "partner", "0190a0a0-0000-7000-8000-00000000a004"};
    c = case_of(&partner, "0190a0a0-0000-7000-8000-00000000a004");
    assert_false(has_finding(c, "npwp_duplicate"));
    assert_false(has_finding(c, "nik_duplicate"));
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VISITED);
    protobuf_c_message_free_unpacked(&c->base, NULL);
}

static void bank_change_after_submission_is_flagged_in_the_case(void **state)
{
    (void)state;
    char id[SK_UUID_STRLEN];
    ready_to_decide("0190a0a0-0000-7000-8000-00000000a003", "01.234.567.8-901.780", "1671010101017780", NULL, 0, id);
    long long audit = sk_test_sql_number(
        g_dsn, "SELECT count(*) FROM verification.audit_log WHERE action = 'case.bank_changed'");

    /* Outlets and people change: no flag. */
    company_ev e;
    company_ev_init(&e, "0190a0a0-0000-7000-8000-00000000a003", "01.234.567.8-901.780", "1671010101017780", NULL, 0);
    e.oin.type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_CETAK; /* as submitted */
    apply_event("registry.company.updated", 1, &e.msg.base);
    Seklik__Verification__Case *c = case_of(&VERIFIER, "0190a0a0-0000-7000-8000-00000000a003");
    assert_false(has_finding(c, "bank_account_changed"));
    protobuf_c_message_free_unpacked(&c->base, NULL);

    /* The account changes while the case is open: flagged, audited. */
    e.bank.account_number = "9999888877";
    Seklik__Bus__Actor changer = it_actor("partner-bank", "partner", "0190a0a0-0000-7000-8000-00000000a003");
    apply_event_by("registry.company.updated", 2, &e.msg.base, &changer);
    c = case_of(&VERIFIER, "0190a0a0-0000-7000-8000-00000000a003");
    assert_true(has_finding(c, "bank_account_changed"));
    for (size_t i = 0; i < c->n_findings; i++)
        if (strcmp(c->findings[i]->code, "bank_account_changed") == 0) {
            assert_non_null(strstr(c->findings[i]->message, "9999888877"));
            assert_non_null(strstr(c->findings[i]->message, "1234567890"));
            assert_non_null(strstr(c->findings[i]->message, "partner-bank"));
            assert_non_null(strstr(c->findings[i]->detail, "9999888877"));
            assert_non_null(strstr(c->findings[i]->detail, "1234567890"));
        }
    protobuf_c_message_free_unpacked(&c->base, NULL);
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM verification.audit_log WHERE "
                                               "action = 'case.bank_changed'"),
                     audit + 1);

    /* Verified, then changed again: the verified case says so too. */
    assert_int_equal(propose(&VERIFIER2, id, true, NULL), SK_OK);
    assert_int_equal(approve(&HEAD, id, NULL, NULL), SK_OK);
    e.bank.account_number = "1111222233";
    apply_event_by("registry.company.updated", 2, &e.msg.base, &changer);
    c = case_of(&HEAD, "0190a0a0-0000-7000-8000-00000000a003");
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VERIFIED);
    int flags = 0;
    for (size_t i = 0; i < c->n_findings; i++)
        flags += strcmp(c->findings[i]->code, "bank_account_changed") == 0;
    assert_int_equal(flags, 2);
    protobuf_c_message_free_unpacked(&c->base, NULL);
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
    assert_int_equal(object(&PARTNER_A, "0190a0a0-0000-7000-8000-00000000a001", &o), SK_EPERM);
    assert_int_equal(object(&VERIFIER, "0190a0a0-0000-7000-8000-00000000a000", &o), SK_EPERM);
    assert_int_equal(object(&PARTNER_A, "0190a0a0-0000-7000-8000-00000000a000", &o), SK_OK);
    char id[SK_UUID_STRLEN];
    snprintf(id, sizeof(id), "%s", o->id);
    assert_string_equal(o->raised_by, "partner-a");
    protobuf_c_message_free_unpacked(&o->base, NULL);
    assert_int_equal(object(&PARTNER_A, "0190a0a0-0000-7000-8000-00000000a000", &o), SK_EEXISTS); /* once a year */

    sk_test_sleep_ms(3500);
    assert_int_equal(object(&PARTNER_B, "0190a0a0-0000-7000-8000-00000000a001", &o), SK_EPRECOND); /* window closed */
    assert_int_equal(finalize(&ADMIN, &a), SK_EPRECOND);                /* unanswered */

    Seklik__Verification__AnswerObjectionRequest ans =
        SEKLIK__VERIFICATION__ANSWER_OBJECTION_REQUEST__INIT;
    ans.objection_id = id;
    ans.answer = "Sanggahan ditolak: syarat tidak lengkap";
    assert_int_equal(
        vcall("Verification.AnswerObjection", &PARTNER_A, true, &ans.base, NULL, NULL, NULL),
        SK_EPERM);
    /* company-a's 2027 outcome was proposed by verifier-1 and approved by
     * head-1: neither answers the objection to it; someone else does. */
    assert_int_equal(
        sk_test_sql_exec(g_dsn,
                         "INSERT INTO verification.verification_case (id, company_id, "
                         "company_name, fiscal_year, state, registered_by, decided_by, "
                         "approved_by) VALUES ('0190a0a0-0000-7000-8000-000000002027', "
                         "'0190a0a0-0000-7000-8000-00000000a000', 'PT Kabar OKI', 2027, 'rejected', 'partner-a', "
                         "'verifier-1', 'head-1');"
                         "INSERT INTO verification.case_proposal (id, case_id, outcome, reason, "
                         "proposed_by, status, approved_by, approved_at) VALUES "
                         "('0190a0a0-0000-7000-8000-00000000a027', "
                         "'0190a0a0-0000-7000-8000-000000002027', 'rejected', 'Tidak lengkap', "
                         "'verifier-1', 'approved', 'head-1', now())"),
        0);
    long long audit_before = sk_test_sql_number(g_dsn, "SELECT count(*) FROM verification.audit_log");
    Seklik__Bus__Response *resp = NULL;
    const who *const took_part[] = {&VERIFIER, &HEAD, NULL};
    for (const who *const *w = took_part; *w; w++) {
        assert_int_equal(
            vcall("Verification.AnswerObjection", *w, true, &ans.base, NULL, NULL, &resp), SK_EPERM);
        assert_non_null(strstr(resp->message, "four_eyes.took_part"));
        seklik__bus__response__free_unpacked(resp, NULL);
    }
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM verification.audit_log"),
                     audit_before);
    assert_int_equal(
        vcall("Verification.AnswerObjection", &VERIFIER2, true, &ans.base, NULL, NULL, NULL), SK_OK);

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


/* ---- issue 11: the rules as DOMAIN.md says ---- */

static int publish_types(int year, int outlet_type, const int *types, size_t n, bool not_expired)
{
    Seklik__Verification__Requirement reqs[8], *preqs[8];
    for (size_t i = 0; i < n; i++) {
        seklik__verification__requirement__init(&reqs[i]);
        reqs[i].type = (Seklik__Registry__DocumentType)types[i];
        reqs[i].required = true;
        reqs[i].must_not_be_expired = not_expired;
        preqs[i] = &reqs[i];
    }
    Seklik__Verification__PublishRequirementSetRequest req =
        SEKLIK__VERIFICATION__PUBLISH_REQUIREMENT_SET_REQUEST__INIT;
    req.fiscal_year = year;
    req.outlet_type = (Seklik__Registry__OutletType)outlet_type;
    req.requirements = preqs;
    req.n_requirements = n;
    return vcall("Verification.PublishRequirementSet", &ADMIN, true, &req.base, NULL, NULL, NULL);
}

/* A company of `year` with a radio and an online outlet (ids `radio`,
 * `online`) submits `docs`. */
static void submit_two_outlets(const char *company, int year, const char *radio, const char *online,
                               Seklik__Registry__Document **docs, size_t n_docs, uint64_t seq)
{
    /* numbers of its own: the last three characters of its id (digits here) */
    char npwp[32], nik[20];
    snprintf(npwp, sizeof(npwp), "01.234.567.8-901.%s", company + 33);
    snprintf(nik, sizeof(nik), "1671010101019%s", company + 33);
    company_ev e;
    company_ev_init(&e, company, npwp, nik, docs, n_docs);
    Seklik__Registry__OutletInput rin = SEKLIK__REGISTRY__OUTLET_INPUT__INIT;
    rin.type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_RADIO;
    rin.name = "Radio Suara Ogan";
    Seklik__Registry__Outlet r = SEKLIK__REGISTRY__OUTLET__INIT;
    r.id = (char *)radio;
    r.data = &rin;
    e.outlet.id = (char *)online;
    Seklik__Registry__Outlet *both[] = {&r, &e.outlet};
    e.co.outlets = both;
    e.co.n_outlets = 2;
    char *kbli[] = {"63122", "60102"};
    e.data.kbli = kbli;
    e.data.n_kbli = 2;
    e.co.fiscal_year = year;
    apply_event("registry.company.submitted", seq, &e.msg.base);
}

static const Seklik__Verification__CaseOutlet *outlet_in(const Seklik__Verification__Case *c,
                                                         const char *id)
{
    for (size_t i = 0; i < c->n_outlets; i++)
        if (strcmp(c->outlets[i]->outlet_id, id) == 0)
            return c->outlets[i];
    fail_msg("outlet %s not in case %s", id, c->id);
    return NULL;
}

static int decide_outlets(const who *w, const char *case_id, bool verified, const char *reason,
                          const char *outlet, Seklik__Bus__Response **keep)
{
    Seklik__Verification__DecideRequest dec = SEKLIK__VERIFICATION__DECIDE_REQUEST__INIT;
    char *ids[1] = {(char *)outlet};
    dec.case_id = (char *)case_id;
    dec.outcome = verified ? SEKLIK__VERIFICATION__OUTCOME__OUTCOME_VERIFIED
                           : SEKLIK__VERIFICATION__OUTCOME__OUTCOME_REJECTED;
    dec.reason = (char *)(reason ? reason : "");
    dec.outlet_ids = outlet ? ids : NULL;
    dec.n_outlet_ids = outlet ? 1 : 0;
    return vcall("Verification.Decide", w, true, &dec.base, NULL, NULL, keep);
}

static int suspend_outlet(const who *w, const char *company, const char *outlet)
{
    Seklik__Verification__SuspendRequest sus = SEKLIK__VERIFICATION__SUSPEND_REQUEST__INIT;
    char *ids[1] = {(char *)outlet};
    sus.company_id = (char *)company;
    sus.reason = "Izin siaran dicabut";
    sus.outlet_ids = outlet ? ids : NULL;
    sus.n_outlet_ids = outlet ? 1 : 0;
    return vcall("Verification.Suspend", w, true, &sus.base, NULL, NULL, NULL);
}

/* DOMAIN.md: "outcome per media". The online outlet's own certificate is
 * rejected and the outlet with it; the radio is verified; the company is a
 * partner through its radio. A suspension is per outlet too. */
static void each_outlet_has_its_own_outcome(void **state)
{
    (void)state;
    static const char CO[] = "0190a0a0-0000-7000-8000-0000000b0001";
    static const char RADIO[] = "0190a0a0-0000-7000-8000-0000000b0011";
    static const char ONLINE[] = "0190a0a0-0000-7000-8000-0000000b0012";
    static const char AKTA[] = "0190a0a0-0000-7000-8000-0000000b00a1";
    static const char CERT[] = "0190a0a0-0000-7000-8000-0000000b00a2";
    const int deed[] = {1};
    assert_int_equal(publish_types(2032, 3, deed, 1, false), SK_OK);
    assert_int_equal(publish_types(2032, 2, deed, 1, false), SK_OK);
    Seklik__Registry__Document akta, cert;
    doc(&cert, CERT, 6, 1, "");
    cert.outlet_id = (char *)ONLINE; /* the online outlet's own */
    Seklik__Registry__Document *docs[] = {doc(&akta, AKTA, 1, 1, ""), &cert};
    submit_two_outlets(CO, 2032, RADIO, ONLINE, docs, 2, 1);
    Seklik__Verification__Case *c = case_of(&VERIFIER, CO);
    char case_id[SK_UUID_STRLEN];
    snprintf(case_id, sizeof(case_id), "%s", c->id);
    assert_int_equal(c->n_outlets, 2);
    assert_int_equal(outlet_in(c, RADIO)->state, SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_PENDING);
    assert_int_equal(outlet_in(c, RADIO)->type, SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_RADIO);
    protobuf_c_message_free_unpacked(&c->base, NULL);

    assert_int_equal(decide_doc(case_id, AKTA, true), SK_OK);
    assert_int_equal(decide_doc(case_id, CERT, false), SK_OK);
    c = case_of(&VERIFIER, CO);
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_NEEDS_REVISION);
    protobuf_c_message_free_unpacked(&c->base, NULL);

    /* Not an outlet of this case: named. */
    Seklik__Bus__Response *resp = NULL;
    assert_int_equal(decide_outlets(&VERIFIER2, case_id, false, "x", CO, &resp), SK_EINVAL);
    assert_string_equal(resp->violations[0]->field, "outletIds[0]");
    seklik__bus__response__free_unpacked(resp, NULL);
    /* The online outlet is rejected: its own document no longer holds the
     * radio back, and the review moves on to the visit. The company is not
     * rejected (its radio is still to decide): no such event. */
    long long rejected = outbox_count("verification.company.rejected");
    long long verified = outbox_count("verification.company.verified");
    assert_int_equal(decide_outlets(&VERIFIER2, case_id, false, "Sertifikat palsu", ONLINE, NULL),
                     SK_OK);
    assert_int_equal(approve(&HEAD, case_id, &c, NULL), SK_OK);
    assert_int_equal(outbox_count("verification.company.rejected"), rejected);
    assert_int_equal(outlet_in(c, ONLINE)->state, SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_REJECTED);
    assert_string_equal(outlet_in(c, ONLINE)->reason, "Sertifikat palsu");
    assert_int_equal(outlet_in(c, RADIO)->state, SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_PENDING);
    protobuf_c_message_free_unpacked(&c->base, NULL);
    c = case_of(&VERIFIER, CO);
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VISIT_PENDING);
    protobuf_c_message_free_unpacked(&c->base, NULL);

    /* The radio is verified: the case is, with each outlet's own standing. */
    assert_int_equal(visit_case(&VERIFIER2, case_id), SK_OK);
    assert_int_equal(decide_outlets(&VERIFIER2, case_id, true, NULL, NULL, NULL), SK_OK);
    assert_int_equal(approve(&HEAD, case_id, &c, NULL), SK_OK);
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VERIFIED);
    assert_int_equal(outlet_in(c, RADIO)->state, SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_VERIFIED);
    assert_string_equal(outlet_in(c, RADIO)->valid_until, "2032-12-31");
    assert_string_equal(outlet_in(c, RADIO)->decided_by, "verifier-2");
    assert_string_equal(outlet_in(c, RADIO)->approved_by, "head-1");
    assert_int_equal(outlet_in(c, ONLINE)->state, SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_REJECTED);
    assert_int_equal(c->proposals[c->n_proposals - 1]->n_outlet_ids, 1);
    assert_string_equal(c->proposals[c->n_proposals - 1]->outlet_ids[0], RADIO);
    protobuf_c_message_free_unpacked(&c->base, NULL);
    assert_int_equal(outbox_count("verification.company.verified"), verified + 1);

    /* A rejected outlet is not suspended; the verified one is, alone. */
    assert_int_equal(suspend_outlet(&VERIFIER2, CO, ONLINE), SK_EPRECOND);
    assert_int_equal(suspend_outlet(&VERIFIER2, CO, RADIO), SK_OK);
    assert_int_equal(approve(&HEAD, case_id, &c, NULL), SK_OK);
    assert_int_equal(outlet_in(c, RADIO)->state, SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_SUSPENDED);
    assert_string_equal(outlet_in(c, RADIO)->valid_until, "2032-12-31");
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_SUSPENDED);
    protobuf_c_message_free_unpacked(&c->base, NULL);
}

/* A replacement of an accepted document after the decision is reviewed
 * before it counts: the case shows it pending, the accepted version stays
 * in force (and the company verified) until the replacement is accepted;
 * rejecting it leaves the verification on the version that was accepted. */
static void a_replacement_after_verification_is_reviewed(void **state)
{
    (void)state;
    static const char CO[] = "0190a0a0-0000-7000-8000-0000000b0002";
    char case_id[SK_UUID_STRLEN], first[64];
    snprintf(first, sizeof(first), "d0c0%s", CO + 4);
    ready_to_decide(CO, "01.234.567.8-901.902", "1671010101019002", NULL, 0, case_id);
    assert_int_equal(propose(&VERIFIER2, case_id, true, NULL), SK_OK);
    assert_int_equal(approve(&HEAD, case_id, NULL, NULL), SK_OK);

    static const char V2[] = "0190a0a0-0000-7000-8000-0000000b00b2";
    static const char V3[] = "0190a0a0-0000-7000-8000-0000000b00b3";
    Seklik__Registry__Document d;
    doc(&d, V2, 1, 2, "");
    d.uploaded_by = "partner-b2";
    upload_to(CO, 1, &d);
    Seklik__Verification__Case *c = case_of(&VERIFIER, CO);
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VERIFIED);
    assert_int_equal(c->n_documents, 1);
    assert_string_equal(c->documents[0]->document_id, V2);
    assert_int_equal(c->documents[0]->decision, SEKLIK__VERIFICATION__DECISION__DECISION_PENDING);
    assert_string_equal(c->documents[0]->in_force_document_id, first);
    assert_true(has_finding(c, "replacement_pending"));
    protobuf_c_message_free_unpacked(&c->base, NULL);

    /* Rejected: the partner sees why; the verification rests on the old one. */
    assert_int_equal(decide_doc(case_id, V2, false), SK_OK);
    c = case_of(&VERIFIER, CO);
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VERIFIED);
    assert_int_equal(c->documents[0]->decision, SEKLIK__VERIFICATION__DECISION__DECISION_REJECTED);
    assert_string_equal(c->documents[0]->in_force_document_id, first);
    protobuf_c_message_free_unpacked(&c->base, NULL);
    /* A decided document of a verified case is not judged again. */
    assert_int_equal(decide_doc(case_id, V2, true), SK_EPRECOND);

    /* Another one, accepted: it is the one in force now. */
    doc(&d, V3, 1, 3, "");
    d.uploaded_by = "partner-b2";
    upload_to(CO, 2, &d);
    assert_int_equal(decide_doc(case_id, V3, true), SK_OK);
    c = case_of(&VERIFIER, CO);
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VERIFIED);
    assert_string_equal(c->documents[0]->in_force_document_id, V3);
    assert_false(has_finding(c, "replacement_pending"));
    protobuf_c_message_free_unpacked(&c->base, NULL);
}

/* "Must not be expired" is judged for the fiscal year: a document of a 2033
 * case expiring on 31 December 2032 is refused (the verification would end
 * before its year began); renewed into 2033, the validity ends with it. */
static void validity_is_judged_for_the_fiscal_year(void **state)
{
    (void)state;
    static const char CO[] = "0190a0a0-0000-7000-8000-0000000b0003";
    static const char OLD[] = "0190a0a0-0000-7000-8000-0000000b00c1";
    static const char NEW[] = "0190a0a0-0000-7000-8000-0000000b00c2";
    const int deed[] = {1};
    assert_int_equal(publish_types(2033, 1, deed, 1, true), SK_OK);
    Seklik__Registry__Document old, renewed;
    Seklik__Registry__Document *docs[] = {doc(&old, OLD, 1, 1, "2032-12-31")};
    company_ev e;
    company_ev_init(&e, CO, "01.234.567.8-901.903", "1671010101019003", docs, 1);
    e.oin.type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_CETAK;
    e.kbli[0] = "58130";
    e.co.fiscal_year = 2033;
    apply_event("registry.company.submitted", 1, &e.msg.base);
    Seklik__Verification__Case *c = case_of(&VERIFIER, CO);
    char case_id[SK_UUID_STRLEN];
    snprintf(case_id, sizeof(case_id), "%s", c->id);
    bool flagged = false;
    for (size_t i = 0; i < c->n_findings; i++)
        flagged = flagged || (strcmp(c->findings[i]->code, "expires_before_fiscal_year") == 0 &&
                              c->findings[i]->blocking);
    assert_true(flagged);
    protobuf_c_message_free_unpacked(&c->base, NULL);
    /* Accepted, it still blocks: no visit, no verification. */
    assert_int_equal(decide_doc(case_id, OLD, true), SK_OK);
    c = case_of(&VERIFIER, CO);
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_IN_REVIEW);
    protobuf_c_message_free_unpacked(&c->base, NULL);
    assert_int_equal(visit_case(&VERIFIER2, case_id), SK_EPRECOND);

    upload_to(CO, 2, doc(&renewed, NEW, 1, 2, "2033-03-31"));
    assert_int_equal(decide_doc(case_id, NEW, true), SK_OK);
    assert_int_equal(visit_case(&VERIFIER2, case_id), SK_OK);
    assert_int_equal(propose(&VERIFIER2, case_id, true, NULL), SK_OK);
    assert_int_equal(approve(&HEAD, case_id, &c, NULL), SK_OK);
    assert_string_equal(c->valid_until, "2033-03-31");
    assert_string_equal(c->outlets[0]->valid_until, "2033-03-31");
    protobuf_c_message_free_unpacked(&c->base, NULL);
}

static int object_in(int year, const who *w, const char *company, char id[SK_UUID_STRLEN])
{
    Seklik__Verification__ObjectRequest req = SEKLIK__VERIFICATION__OBJECT_REQUEST__INIT;
    req.fiscal_year = year;
    req.company_id = (char *)company;
    req.reason = "Kantor kami sudah dikunjungi";
    Seklik__Verification__Objection *o = NULL;
    int rc = vcall("Verification.Object", w, true, &req.base,
                   &seklik__verification__objection__descriptor, (ProtobufCMessage **)&o, NULL);
    if (rc == SK_OK) {
        snprintf(id, SK_UUID_STRLEN, "%s", o->id);
        protobuf_c_message_free_unpacked(&o->base, NULL);
    }
    return rc;
}

static int finalize_year(int year, Seklik__Verification__Announcement **out, char *why)
{
    Seklik__Verification__FinalizeRequest req = SEKLIK__VERIFICATION__FINALIZE_REQUEST__INIT;
    req.fiscal_year = year;
    Seklik__Bus__Response *resp = NULL;
    int rc = vcall("Verification.Finalize", &HEAD, true, &req.base,
                   &seklik__verification__announcement__descriptor, (ProtobufCMessage **)out, &resp);
    if (why)
        snprintf(why, 256, "%s", resp->message);
    seklik__bus__response__free_unpacked(resp, NULL);
    return rc;
}

/* A company of 2034 ready to decide (print outlet, deed accepted, visited). */
static void ready_2034(const char *company, const char *npwp, const char *nik, char case_id[37])
{
    Seklik__Registry__Document akta;
    char doc_id[64];
    snprintf(doc_id, sizeof(doc_id), "d0c0%s", company + 4);
    Seklik__Registry__Document *docs[] = {doc(&akta, doc_id, 1, 1, "")};
    company_ev e;
    company_ev_init(&e, company, npwp, nik, docs, 1);
    e.oin.type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_CETAK;
    e.kbli[0] = "58130";
    char outlet[40];
    snprintf(outlet, sizeof(outlet), "%.24s0000%s", company, company + 28);
    e.outlet.id = outlet;
    e.co.fiscal_year = 2034;
    apply_event("registry.company.submitted", 1, &e.msg.base);
    Seklik__Verification__Case *c = case_of(&VERIFIER2, company);
    snprintf(case_id, SK_UUID_STRLEN, "%s", c->id);
    protobuf_c_message_free_unpacked(&c->base, NULL);
    assert_int_equal(decide_doc_as(&VERIFIER2, case_id, doc_id, true, NULL), SK_OK);
    assert_int_equal(visit_case(&VERIFIER2, case_id), SK_OK);
}

/* After the announcement an upheld objection reopens the case: it is
 * decided again (four-eyes) before the list may be final. Once final the
 * list is the year's single truth: nobody is verified for the year outside
 * it, and a suspension amends it (audited, sent as an event). */
static void the_final_list_is_the_years_single_truth(void **state)
{
    (void)state;
    static const char X[] = "0190a0a0-0000-7000-8000-0000000b0041";
    static const char Y[] = "0190a0a0-0000-7000-8000-0000000b0042";
    static const char Z[] = "0190a0a0-0000-7000-8000-0000000b0043";
    static const char W[] = "0190a0a0-0000-7000-8000-0000000b0044";
    static const char W_RADIO[] = "0190a0a0-0000-7000-8000-0000000b0441";
    static const char W_ONLINE[] = "0190a0a0-0000-7000-8000-0000000b0442";
    const int deed[] = {1};
    for (int type = 1; type <= 3; type++)
        assert_int_equal(publish_types(2034, type, deed, 1, false), SK_OK);
    char cx[37], cy[37], cz[37], cw[37];
    ready_2034(X, "01.234.567.8-901.941", "1671010101019041", cx);
    ready_2034(Y, "01.234.567.8-901.942", "1671010101019042", cy);
    /* W: its radio verified, its online outlet rejected. */
    Seklik__Registry__Document wd;
    Seklik__Registry__Document *wdocs[] = {doc(&wd, "0190a0a0-0000-7000-8000-0000000b04a1", 1, 1, "")};
    submit_two_outlets(W, 2034, W_RADIO, W_ONLINE, wdocs, 1, 1);
    Seklik__Verification__Case *wc = case_of(&VERIFIER, W);
    snprintf(cw, sizeof(cw), "%s", wc->id);
    protobuf_c_message_free_unpacked(&wc->base, NULL);
    assert_int_equal(decide_doc(cw, "0190a0a0-0000-7000-8000-0000000b04a1", true), SK_OK);
    assert_int_equal(visit_case(&VERIFIER2, cw), SK_OK);
    assert_int_equal(decide_outlets(&VERIFIER2, cw, true, NULL, W_RADIO, NULL), SK_OK);
    assert_int_equal(approve(&HEAD, cw, NULL, NULL), SK_OK);
    assert_int_equal(decide_outlets(&VERIFIER2, cw, false, "Bukan media siber", W_ONLINE, NULL), SK_OK);
    assert_int_equal(approve(&HEAD, cw, &wc, NULL), SK_OK);
    assert_int_equal(wc->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VERIFIED);
    protobuf_c_message_free_unpacked(&wc->base, NULL);
    assert_int_equal(propose(&VERIFIER2, cx, true, NULL), SK_OK);
    assert_int_equal(approve(&HEAD, cx, NULL, NULL), SK_OK);
    assert_int_equal(propose(&VERIFIER2, cy, false, "Alamat kantor tidak sesuai"), SK_OK);
    assert_int_equal(approve(&HEAD, cy, NULL, NULL), SK_OK);

    char until[32];
    rfc3339_in(2, until, sizeof(until));
    Seklik__Verification__AnnounceRequest ann = SEKLIK__VERIFICATION__ANNOUNCE_REQUEST__INIT;
    ann.fiscal_year = 2034;
    ann.objection_until = until;
    assert_int_equal(vcall("Verification.Announce", &HEAD, true, &ann.base, NULL, NULL, NULL), SK_OK);
    who py = {"partner-y", "partner", Y};
    char objection[SK_UUID_STRLEN];
    assert_int_equal(object_in(2034, &py, Y, objection), SK_OK);
    Seklik__Verification__AnswerObjectionRequest ans =
        SEKLIK__VERIFICATION__ANSWER_OBJECTION_REQUEST__INIT;
    ans.objection_id = objection;
    ans.answer = "Diterima: alamat sudah dibuktikan";
    ans.upheld = true;
    /* The answer comes from someone who took no part in the decision. */
    assert_int_equal(
        vcall("Verification.AnswerObjection", &HEAD, true, &ans.base, NULL, NULL, NULL), SK_EPERM);
    who third = {"verifier-3", "verifier", NULL};
    assert_int_equal(
        vcall("Verification.AnswerObjection", &third, true, &ans.base, NULL, NULL, NULL), SK_OK);
    Seklik__Verification__Case *c = case_of(&VERIFIER, Y);
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VISITED);
    assert_int_equal(c->outlets[0]->state, SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_PENDING);
    assert_string_not_equal(c->reopened_at, "");
    protobuf_c_message_free_unpacked(&c->base, NULL);
    /* W objects to its online outlet's rejection: upheld, that outlet is
     * decided again while the radio stays verified. */
    who pw = {"partner-w", "partner", W};
    assert_int_equal(object_in(2034, &pw, W, objection), SK_OK);
    ans.objection_id = objection;
    assert_int_equal(
        vcall("Verification.AnswerObjection", &third, true, &ans.base, NULL, NULL, NULL), SK_OK);
    c = case_of(&VERIFIER, W);
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VISITED);
    assert_int_equal(outlet_in(c, W_RADIO)->state, SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_VERIFIED);
    assert_int_equal(outlet_in(c, W_ONLINE)->state, SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_PENDING);
    protobuf_c_message_free_unpacked(&c->base, NULL);
    assert_int_equal(decide_outlets(&VERIFIER2, cw, true, NULL, W_ONLINE, NULL), SK_OK);
    assert_int_equal(approve(&HEAD, cw, NULL, NULL), SK_OK);

    /* Not final while the reopened case is undecided. */
    for (int i = 0; i < 100 && sk_test_sql_number(g_dsn,
                                                  "SELECT count(*) FROM verification.announcement "
                                                  "WHERE fiscal_year = 2034 AND "
                                                  "objection_until < now()") == 0;
         i++)
        sk_test_sleep_ms(100); /* the objection window closes */
    char why[256];
    Seklik__Verification__Announcement *a = NULL;
    assert_int_equal(finalize_year(2034, &a, why), SK_EPRECOND);
    assert_non_null(strstr(why, "list.reopened_undecided"));
    assert_int_equal(propose(&VERIFIER2, cy, true, NULL), SK_OK);
    assert_int_equal(approve(&HEAD, cy, NULL, NULL), SK_OK);
    assert_int_equal(finalize_year(2034, &a, NULL), SK_OK);
    assert_int_equal(a->n_entries, 4); /* X, Y and W's two */
    for (size_t i = 0; i < a->n_entries; i++)
        assert_int_equal(a->entries[i]->state, SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_VERIFIED);
    protobuf_c_message_free_unpacked(&a->base, NULL);

    /* Nobody is verified for the year outside the final list. */
    ready_2034(Z, "01.234.567.8-901.943", "1671010101019043", cz);
    Seklik__Bus__Response *resp = NULL;
    assert_int_equal(decide_outlets(&VERIFIER2, cz, true, NULL, NULL, &resp), SK_EPRECOND);
    assert_non_null(strstr(resp->message, "list.final"));
    seklik__bus__response__free_unpacked(resp, NULL);

    /* A suspension amends the list: counted, audited, sent. */
    assert_int_equal(outbox_count("verification.list.amended"), 0);
    assert_int_equal(suspend_outlet(&VERIFIER2, X, NULL), SK_OK);
    assert_int_equal(approve(&HEAD, cx, NULL, NULL), SK_OK);
    assert_int_equal(outbox_count("verification.list.amended"), 1);
    Seklik__Verification__GetAnnouncementRequest ga =
        SEKLIK__VERIFICATION__GET_ANNOUNCEMENT_REQUEST__INIT;
    ga.fiscal_year = 2034;
    assert_int_equal(vcall("Verification.GetAnnouncement", &py, false, &ga.base,
                           &seklik__verification__announcement__descriptor,
                           (ProtobufCMessage **)&a, NULL),
                     SK_OK);
    assert_int_equal(a->amendment, 1);
    int suspended = 0;
    for (size_t i = 0; i < a->n_entries; i++)
        if (strcmp(a->entries[i]->company_id, X) == 0) {
            assert_int_equal(a->entries[i]->state,
                             SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_SUSPENDED);
            suspended++;
        }
    assert_int_equal(suspended, 1);
    protobuf_c_message_free_unpacked(&a->base, NULL);
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM verification.audit_log "
                                               "WHERE action = 'announcement.amend'"),
                     1);
}

static int list_sets(int year, const who *w, Seklik__Verification__ListRequirementSetsResponse **out)
{
    Seklik__Verification__ListRequirementSetsRequest req =
        SEKLIK__VERIFICATION__LIST_REQUIREMENT_SETS_REQUEST__INIT;
    req.fiscal_year = year;
    return vcall("Verification.ListRequirementSets", w, false, &req.base,
                 &seklik__verification__list_requirement_sets_response__descriptor,
                 (ProtobufCMessage **)out, NULL);
}

static int open_year(const who *w, int year, const char *opens, const char *closes, bool cv,
                     Seklik__Bus__Response **keep)
{
    Seklik__Verification__OpenYearRequest req = SEKLIK__VERIFICATION__OPEN_YEAR_REQUEST__INIT;
    req.fiscal_year = year;
    req.registration_opens_on = (char *)opens;
    req.registration_closes_on = (char *)closes;
    req.cv_allowed = cv;
    return vcall("Verification.OpenYear", w, true, &req.base, NULL, NULL, keep);
}

/* One admin action opens a year: its registration window and CV rule, and
 * last year's requirement sets as drafts (the defaults where last year has
 * none) to review and publish; the event tells the registry and scoring.
 * Again with the same settings it changes nothing. */
static void opening_a_year_drafts_its_requirements(void **state)
{
    (void)state;
    const int two[] = {1, 3};
    assert_int_equal(publish_types(2037, 3, two, 2, false), SK_OK); /* last year's radio */
    Seklik__Bus__Response *resp = NULL;
    assert_int_equal(open_year(&VERIFIER, 2038, "2037-10-01", "2038-03-31", false, NULL), SK_EPERM);
    assert_int_equal(open_year(&ADMIN, 2038, "2037-10-01", "2039-01-01", false, &resp), SK_EINVAL);
    assert_string_equal(resp->violations[0]->field, "registrationClosesOn");
    assert_string_equal(resp->violations[0]->code, "registration.window_after_year");
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_int_equal(open_year(&ADMIN, 2038, "2038-04-01", "2038-03-31", false, &resp), SK_EINVAL);
    assert_string_equal(resp->violations[0]->code, "registration.window_order");
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_int_equal(open_year(&ADMIN, 2038, "2037-10-01", "", false, &resp), SK_EINVAL);
    assert_string_equal(resp->violations[0]->field, "registrationClosesOn");
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_int_equal(outbox_count("verification.year.opened"), 0);

    assert_int_equal(open_year(&ADMIN, 2038, "2037-10-01", "2038-03-31", false, NULL), SK_OK);
    assert_int_equal(outbox_count("verification.year.opened"), 1);
    Seklik__Verification__ListRequirementSetsResponse *sets = NULL;
    assert_int_equal(list_sets(2038, &ADMIN, &sets), SK_OK);
    assert_int_equal(sets->n_sets, 4);
    for (size_t i = 0; i < sets->n_sets; i++) {
        assert_true(sets->sets[i]->draft);
        assert_int_equal(sets->sets[i]->n_requirements,
                         sets->sets[i]->outlet_type == 3 ? 2 : (int)verification_default_requirements_count);
    }
    protobuf_c_message_free_unpacked(&sets->base, NULL);
    /* Nothing published: a partner sees no set yet, and no draft. */
    int version = 0;
    size_t n = 0;
    assert_int_equal(get_set(&PARTNER_A, 2038, 3, &version, &n), SK_ENOTFOUND);
    assert_int_equal(list_sets(2038, &PARTNER_A, &sets), SK_OK);
    assert_int_equal(sets->n_sets, 0);
    protobuf_c_message_free_unpacked(&sets->base, NULL);

    /* The radio draft is published as it is; the draft is gone. */
    Seklik__Verification__PublishRequirementSetRequest pub =
        SEKLIK__VERIFICATION__PUBLISH_REQUIREMENT_SET_REQUEST__INIT;
    pub.fiscal_year = 2038;
    pub.outlet_type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_RADIO;
    pub.from_draft = true;
    assert_int_equal(vcall("Verification.PublishRequirementSet", &ADMIN, true, &pub.base, NULL,
                           NULL, NULL),
                     SK_OK);
    assert_int_equal(get_set(&PARTNER_A, 2038, 3, &version, &n), SK_OK);
    assert_int_equal(version, 1);
    assert_int_equal(n, 2);
    assert_int_equal(vcall("Verification.PublishRequirementSet", &ADMIN, true, &pub.base, NULL,
                           NULL, NULL),
                     SK_EPRECOND);

    /* Opened again, same settings: nothing new; the published set keeps no draft. */
    assert_int_equal(open_year(&ADMIN, 2038, "2037-10-01", "2038-03-31", false, NULL), SK_OK);
    assert_int_equal(outbox_count("verification.year.opened"), 1);
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM verification.audit_log WHERE "
                                               "action = 'requirement_set.draft'"),
                     4);
    assert_int_equal(list_sets(2038, &ADMIN, &sets), SK_OK);
    assert_int_equal(sets->n_sets, 4); /* radio published + three drafts */
    int drafts = 0;
    for (size_t i = 0; i < sets->n_sets; i++)
        drafts += sets->sets[i]->draft;
    assert_int_equal(drafts, 3);
    protobuf_c_message_free_unpacked(&sets->base, NULL);
    /* New settings: the event again. */
    assert_int_equal(open_year(&ADMIN, 2038, "2037-10-01", "2038-06-30", true, NULL), SK_OK);
    assert_int_equal(outbox_count("verification.year.opened"), 2);
    Seklik__Verification__GetYearRequest gy = SEKLIK__VERIFICATION__GET_YEAR_REQUEST__INIT;
    gy.fiscal_year = 2038;
    Seklik__Verification__FiscalYear *y = NULL;
    assert_int_equal(vcall("Verification.GetYear", &PARTNER_A, false, &gy.base,
                           &seklik__verification__fiscal_year__descriptor,
                           (ProtobufCMessage **)&y, NULL),
                     SK_OK);
    assert_string_equal(y->registration_closes_on, "2038-06-30");
    assert_true(y->cv_allowed);
    protobuf_c_message_free_unpacked(&y->base, NULL);
}

/* A visit cites only images staff uploaded for this case's visit: not a
 * document the company supplied, not a PDF. */
static void a_visit_cites_only_its_own_photos(void **state)
{
    (void)state;
    static const char CO[] = "0190a0a0-0000-7000-8000-0000000b0005";
    static const char PNG[] = "0190a0a0-0000-7000-8000-0000000b00e1";
    static const char PDF[] = "0190a0a0-0000-7000-8000-0000000b00e2";
    char case_id[SK_UUID_STRLEN], deed[64];
    snprintf(deed, sizeof(deed), "d0c0%s", CO + 4);
    Seklik__Registry__Document akta;
    Seklik__Registry__Document *docs[] = {doc(&akta, deed, 1, 1, "")};
    company_ev e;
    company_ev_init(&e, CO, "01.234.567.8-901.905", "1671010101019005", docs, 1);
    e.oin.type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_CETAK;
    e.kbli[0] = "58130";
    apply_event("registry.company.submitted", 1, &e.msg.base); /* 2031 print: the deed */
    Seklik__Verification__Case *c = case_of(&VERIFIER2, CO);
    snprintf(case_id, sizeof(case_id), "%s", c->id);
    protobuf_c_message_free_unpacked(&c->base, NULL);
    assert_int_equal(decide_doc_as(&VERIFIER2, case_id, deed, true, NULL), SK_OK);

    Seklik__Bus__Actor staff = it_actor("verifier-2", "verifier", NULL);
    Seklik__Registry__Document png, pdf;
    doc(&png, PNG, 9, 1, "");
    png.content_type = "image/png";
    png.uploaded_by = "verifier-2";
    doc(&pdf, PDF, 9, 2, "");
    pdf.content_type = "application/pdf";
    pdf.uploaded_by = "verifier-2";
    Seklik__Registry__DocumentUploaded up = SEKLIK__REGISTRY__DOCUMENT_UPLOADED__INIT;
    up.company_id = (char *)CO;
    up.document = &png;
    apply_event_by("registry.document.uploaded", 2, &up.base, &staff);
    up.document = &pdf;
    apply_event_by("registry.document.uploaded", 3, &up.base, &staff);
    c = case_of(&VERIFIER2, CO);
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VISIT_PENDING);
    assert_int_equal(c->n_visit_photos, 1);
    assert_string_equal(c->visit_photos[0]->document_id, PNG);
    assert_int_equal(c->n_documents, 1); /* a photo of the visit is not a document to judge */
    protobuf_c_message_free_unpacked(&c->base, NULL);

    Seklik__Verification__Visit visit = SEKLIK__VERIFICATION__VISIT__INIT;
    visit.visited_on = "2026-01-15";
    visit.latitude = -3.4;
    visit.longitude = 104.8;
    visit.findings = "Kantor redaksi aktif";
    Seklik__Verification__RecordVisitRequest rv = SEKLIK__VERIFICATION__RECORD_VISIT_REQUEST__INIT;
    rv.case_id = case_id;
    rv.visit = &visit;
    const char *const bad[] = {deed, PDF};
    for (size_t i = 0; i < 2; i++) {
        char *ids[] = {(char *)PNG, (char *)bad[i]};
        visit.photo_document_ids = ids;
        visit.n_photo_document_ids = 2;
        Seklik__Bus__Response *resp = NULL;
        assert_int_equal(vcall("Verification.RecordVisit", &VERIFIER2, true, &rv.base, NULL, NULL,
                               &resp),
                         SK_EINVAL);
        assert_string_equal(resp->violations[0]->field, "visit.photoDocumentIds[1]");
        assert_string_equal(resp->violations[0]->code, "visit.photo_not_of_case");
        seklik__bus__response__free_unpacked(resp, NULL);
    }
    char *ok[] = {(char *)PNG};
    visit.photo_document_ids = ok;
    visit.n_photo_document_ids = 1;
    assert_int_equal(vcall("Verification.RecordVisit", &VERIFIER2, true, &rv.base, NULL, NULL, NULL),
                     SK_OK);
}

/* One outlet verified while the other waits: the company is a partner now
 * (the event says so), and its case goes on for the other. */
static void one_outlet_verified_while_the_other_waits(void **state)
{
    (void)state;
    static const char CO[] = "0190a0a0-0000-7000-8000-0000000b0006";
    static const char RADIO[] = "0190a0a0-0000-7000-8000-0000000b0061";
    static const char ONLINE[] = "0190a0a0-0000-7000-8000-0000000b0062";
    static const char AKTA[] = "0190a0a0-0000-7000-8000-0000000b06a1";
    Seklik__Registry__Document akta;
    Seklik__Registry__Document *docs[] = {doc(&akta, AKTA, 1, 1, "")};
    submit_two_outlets(CO, 2032, RADIO, ONLINE, docs, 1, 1); /* 2032: the deed for both */
    Seklik__Verification__Case *c = case_of(&VERIFIER, CO);
    char case_id[SK_UUID_STRLEN];
    snprintf(case_id, sizeof(case_id), "%s", c->id);
    protobuf_c_message_free_unpacked(&c->base, NULL);
    assert_int_equal(decide_doc(case_id, AKTA, true), SK_OK);
    assert_int_equal(visit_case(&VERIFIER2, case_id), SK_OK);
    long long verified = outbox_count("verification.company.verified");
    assert_int_equal(decide_outlets(&VERIFIER2, case_id, true, NULL, RADIO, NULL), SK_OK);
    assert_int_equal(approve(&HEAD, case_id, &c, NULL), SK_OK);
    assert_int_equal(c->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VISITED);
    assert_int_equal(outlet_in(c, RADIO)->state, SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_VERIFIED);
    assert_int_equal(outlet_in(c, ONLINE)->state, SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_PENDING);
    assert_string_equal(c->valid_until, "2032-12-31");
    protobuf_c_message_free_unpacked(&c->base, NULL);
    assert_int_equal(outbox_count("verification.company.verified"), verified + 1);
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
        cmocka_unit_test(a_proposal_sent_back_changes_nothing),
        cmocka_unit_test(objection_window_opens_and_closes),
        cmocka_unit_test(submitted_company_is_checked_reviewed_fixed_and_verified),
        cmocka_unit_test(verified_companies_of_a_year_never_share_an_npwp_or_nik),
        cmocka_unit_test(identity_clashes_are_findings_for_staff_only),
        cmocka_unit_test(bank_change_after_submission_is_flagged_in_the_case),
        cmocka_unit_test(each_outlet_has_its_own_outcome),
        cmocka_unit_test(a_replacement_after_verification_is_reviewed),
        cmocka_unit_test(validity_is_judged_for_the_fiscal_year),
        cmocka_unit_test(the_final_list_is_the_years_single_truth),
        cmocka_unit_test(opening_a_year_drafts_its_requirements),
        cmocka_unit_test(a_visit_cites_only_its_own_photos),
        cmocka_unit_test(one_outlet_verified_while_the_other_waits),
    };
    return it_main2(argc, argv, tests, sizeof(tests) / sizeof(tests[0]), start_verification,
                    stop_verification);
}
