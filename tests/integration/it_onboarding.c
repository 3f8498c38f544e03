/* The first half of the golden path, over the bus, with real services:
 * admin opens the fiscal year (2027 today: the year being prepared, see
 * fiscal_year()) and publishes the drafts it got; a press company registers
 * itself with one online outlet and uploads its documents, the Dewan Pers
 * and UKW certificates among them; the verifier rejects the
 * NPWP scan with a reason the company sees; it re-uploads; the verifier
 * accepts everything, records the visit and verifies; the registry learns it
 * from events; results are announced, an objection is raised once and
 * answered, and the list is finalized. Plus four-eyes and the wall between
 * partners. Scoring scores the verified outlet and the registry lists the
 * company by its tier. argv[4..6] = seklik-registry, -verification, -scoring. */
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "it_common.h"
#include "seklik/registry.pb-c.h"
#include "seklik/scoring.pb-c.h"
#include "seklik/verification.pb-c.h"

static sk_test_peer g_reg, g_ver, g_sco;
static char g_dsn[512];
static sk_rpc_client *g_rc, *g_vc, *g_sc;

/* The fiscal year being prepared: 2027 (DOMAIN.md's) until the calendar
 * moves past it, then the current year until October and the next from
 * then on, as the UI does: registration for a year closes within it. */
static int YEAR;

static int fiscal_year(void)
{
    time_t now = time(NULL) + 7 * 3600; /* WIB */
    struct tm tm;
    gmtime_r(&now, &tm);
    int y = tm.tm_year + 1900 + (tm.tm_mon >= 9 ? 1 : 0);
    return y < 2027 ? 2027 : y;
}

/* "YYYY-MM-DD" of the year `dy` from YEAR: a buffer that lives as long as
 * the test (eight of them, rotating). */
static const char *ymd(int dy, const char *mmdd)
{
    static char bufs[8][32];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, 32, "%04d-%.5s", YEAR + dy, mmdd);
    return b;
}

/* Call and decode. Commands get a fresh idempotency key. Returns the bus
 * code; on failure the first violation's field goes to `field`. */
static int call(sk_rpc_client *c, const char *method, const Seklik__Bus__Actor *who,
                bool command, const ProtobufCMessage *in, const ProtobufCMessageDescriptor *od,
                void *out, char *field)
{
    char key[SK_UUID_STRLEN];
    sk_uuid7(key);
    Seklik__Bus__Response *resp = NULL;
    assert_int_equal(sk_rpc_call(c, method, who, command ? key : NULL, in, 10000, &resp), SK_OK);
    int code = resp->code;
    if (code == SEKLIK__BUS__CODE__OK && out)
        *(ProtobufCMessage **)out = protobuf_c_message_unpack(od, NULL, resp->body.len, resp->body.data);
    if (code != SEKLIK__BUS__CODE__OK) {
        if (field)
            snprintf(field, 128, "%s", resp->n_violations ? resp->violations[0]->field : "");
        print_message("%s -> %d %s\n", method, code, resp->message);
    }
    seklik__bus__response__free_unpacked(resp, NULL);
    return code;
}

#define FREE(m) protobuf_c_message_free_unpacked(&(m)->base, NULL)

static const uint8_t pdf[] =
    /* a PDF with one page: the services open what they store (sk_pdf.h) */
    "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n"
    "trailer<</Root 1 0 R>>\n%%EOF\n";

static char *register_company(const Seklik__Bus__Actor *who, const char *name, const char *npwp,
                              const char *nib, const char *nik_editor, const char *nik_journalist)
{
    Seklik__Registry__RegisterRequest req = SEKLIK__REGISTRY__REGISTER_REQUEST__INIT;
    Seklik__Registry__CompanyInput ci = SEKLIK__REGISTRY__COMPANY_INPUT__INIT;
    Seklik__Registry__BankAccount bank = SEKLIK__REGISTRY__BANK_ACCOUNT__INIT;
    char *kbli[] = {"63122"};
    ci.legal_name = (char *)name;
    ci.legal_form = SEKLIK__REGISTRY__LEGAL_FORM__LEGAL_FORM_PT;
    ci.deed_number = "12";
    ci.deed_date = (char *)ymd(-8, "06-17"); /* 7 years old on 1 January of the year */
    ci.sk_kemenkumham = "AHU-0012345.AH.01.01.TAHUN 2015";
    ci.nib = (char *)nib;
    ci.kbli = kbli;
    ci.n_kbli = 1;
    ci.npwp = (char *)npwp;
    ci.address = "Jl. Letnan Mukhtar Saleh No. 1, Kayuagung";
    ci.domicile_letter_number = "470/12/KYG/2026";
    bank.bank_name = "Bank Sumsel Babel";
    bank.account_number = "1234567890";
    bank.holder_name = (char *)name;
    ci.bank_account = &bank;
    ci.established_on = (char *)ymd(-8, "06-17");
    ci.dewan_pers_status = SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_FAKTUAL;
    req.company = &ci;

    Seklik__Registry__OutletInput o = SEKLIK__REGISTRY__OUTLET_INPUT__INIT, *outlets[] = {&o};
    o.type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_SIBER;
    o.scale = SEKLIK__REGISTRY__OUTLET_SCALE__OUTLET_SCALE_REGIONAL;
    o.name = (char *)name;
    o.url = "https://berita.example.id";
    o.monthly_visitors = 600000;
    req.outlets = outlets;
    req.n_outlets = 1;

    /* DOMAIN.md's golden path: a Madya chief editor, two of three
     * journalists certified. The NIKs of the second and third journalist
     * follow the first's. */
    Seklik__Registry__PersonInput ed = SEKLIK__REGISTRY__PERSON_INPUT__INIT;
    Seklik__Registry__PersonInput jo = SEKLIK__REGISTRY__PERSON_INPUT__INIT;
    Seklik__Registry__PersonInput j2 = SEKLIK__REGISTRY__PERSON_INPUT__INIT;
    Seklik__Registry__PersonInput j3 = SEKLIK__REGISTRY__PERSON_INPUT__INIT;
    Seklik__Registry__PersonInput *people[] = {&ed, &jo, &j2, &j3};
    char nik2[32], nik3[32];
    snprintf(nik2, sizeof(nik2), "%.12s%04d", nik_journalist, atoi(nik_journalist + 12) + 100);
    snprintf(nik3, sizeof(nik3), "%.12s%04d", nik_journalist, atoi(nik_journalist + 12) + 200);
    ed.role = SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_CHIEF_EDITOR;
    ed.nik = (char *)nik_editor;
    ed.name = "Pemimpin Redaksi";
    ed.ukw_level = SEKLIK__REGISTRY__UKW_LEVEL__UKW_LEVEL_MADYA;
    ed.ukw_certificate_number = "UKW-001";
    ed.ukw_certificate_expiry = (char *)ymd(2, "01-01");
    jo.role = SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_JOURNALIST;
    jo.nik = (char *)nik_journalist;
    jo.name = "Wartawan";
    jo.ukw_level = SEKLIK__REGISTRY__UKW_LEVEL__UKW_LEVEL_MUDA;
    jo.ukw_certificate_number = "UKW-002";
    jo.ukw_certificate_expiry = (char *)ymd(1, "06-30");
    j2 = jo;
    j2.nik = nik2;
    j2.name = "Wartawan Kedua";
    j2.ukw_certificate_number = "UKW-003";
    j3.role = SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_JOURNALIST;
    j3.nik = nik3;
    j3.name = "Wartawan Baru"; /* not yet tested: no certificate */
    req.people = people;
    req.n_people = 4;

    Seklik__Registry__Company *c = NULL;
    assert_int_equal(call(g_rc, "Registry.RegisterCompany", who, true, &req.base,
                          &seklik__registry__company__descriptor, &c, NULL),
                     SEKLIK__BUS__CODE__OK);
    assert_int_equal(c->status, SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_DRAFT);
    char *id = strdup(c->id);
    FREE(c);
    return id;
}

static char *upload_for(const Seklik__Bus__Actor *who, const char *company,
                        Seklik__Registry__DocumentType type, const char *person,
                        const char *expires, int expect_version)
{
    Seklik__Registry__UploadDocumentRequest req = SEKLIK__REGISTRY__UPLOAD_DOCUMENT_REQUEST__INIT;
    Seklik__Registry__DocumentInput d = SEKLIK__REGISTRY__DOCUMENT_INPUT__INIT;
    d.type = type;
    d.person_id = (char *)(person ? person : "");
    d.expires_on = (char *)(expires ? expires : "");
    d.number = "DOC-1";
    d.issued_on = "2024-01-15";
    d.file_name = "scan.pdf";
    d.content.data = (uint8_t *)pdf;
    d.content.len = sizeof(pdf) - 1;
    req.company_id = (char *)company;
    req.document = &d;
    Seklik__Registry__Document *doc = NULL;
    assert_int_equal(call(g_rc, "Registry.UploadDocument", who, true, &req.base,
                          &seklik__registry__document__descriptor, &doc, NULL),
                     SEKLIK__BUS__CODE__OK);
    assert_int_equal(doc->version, expect_version);
    char *id = strdup(doc->id);
    FREE(doc);
    return id;
}

static char *upload(const Seklik__Bus__Actor *who, const char *company,
                    Seklik__Registry__DocumentType type, int expect_version)
{
    return upload_for(who, company, type, NULL, NULL, expect_version);
}

/* The year companies submit for: YEAR; the tests after the golden path use
 * the next one (the golden path finalizes YEAR's list, and then nobody joins
 * it). */
static int g_submit_year;

static void submit(const Seklik__Bus__Actor *who, const char *company)
{
    Seklik__Registry__SubmitRequest req = SEKLIK__REGISTRY__SUBMIT_REQUEST__INIT;
    req.company_id = (char *)company;
    req.fiscal_year = g_submit_year;
    Seklik__Registry__Company *c = NULL;
    assert_int_equal(call(g_rc, "Registry.Submit", who, true, &req.base,
                          &seklik__registry__company__descriptor, &c, NULL),
                     SEKLIK__BUS__CODE__OK);
    assert_int_equal(c->status, SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_SUBMITTED);
    FREE(c);
}

/* Poll GetCase until the case is in `state` (events travel asynchronously). */
static Seklik__Verification__Case *wait_case(const Seklik__Bus__Actor *who, const char *company,
                                             Seklik__Verification__CaseState state)
{
    Seklik__Verification__GetCaseRequest req = SEKLIK__VERIFICATION__GET_CASE_REQUEST__INIT;
    req.company_id = (char *)company;
    for (int i = 0; i < 200; i++) {
        Seklik__Verification__Case *c = NULL;
        if (call(g_vc, "Verification.GetCase", who, false, &req.base,
                 &seklik__verification__case__descriptor, &c, NULL) == SEKLIK__BUS__CODE__OK) {
            if (c->state == state)
                return c;
            FREE(c);
        }
        sk_test_sleep_ms(50);
    }
    fail_msg("case of %s never reached state %d", company, state);
    return NULL;
}

static Seklik__Registry__Company *wait_company(const Seklik__Bus__Actor *who, const char *company,
                                               Seklik__Registry__CompanyStatus status)
{
    Seklik__Registry__GetCompanyRequest req = SEKLIK__REGISTRY__GET_COMPANY_REQUEST__INIT;
    req.company_id = (char *)company;
    for (int i = 0; i < 200; i++) {
        Seklik__Registry__Company *c = NULL;
        assert_int_equal(call(g_rc, "Registry.GetCompany", who, false, &req.base,
                              &seklik__registry__company__descriptor, &c, NULL),
                         SEKLIK__BUS__CODE__OK);
        if (c->status == status)
            return c;
        FREE(c);
        sk_test_sleep_ms(50);
    }
    fail_msg("company %s never reached status %d", company, status);
    return NULL;
}

static const char *doc_of(const Seklik__Verification__Case *c, Seklik__Registry__DocumentType t)
{
    for (size_t i = 0; i < c->n_documents; i++)
        if (c->documents[i]->type == t)
            return c->documents[i]->document_id;
    return NULL;
}

static int decide_document(const Seklik__Bus__Actor *who, const char *case_id, const char *doc,
                           Seklik__Verification__Decision d, const char *reason)
{
    Seklik__Verification__DecideDocumentRequest req =
        SEKLIK__VERIFICATION__DECIDE_DOCUMENT_REQUEST__INIT;
    req.case_id = (char *)case_id;
    req.document_id = (char *)doc;
    req.decision = d;
    req.reason = (char *)(reason ? reason : "");
    return call(g_vc, "Verification.DecideDocument", who, true, &req.base,
                &seklik__verification__case__descriptor, NULL, NULL);
}

/* The admin opens the year (registration from the year before through its
 * last day, no CV) and publishes what it drafted: the online outlets'
 * requirement set (the defaults: the deed, NIB, NPWP and domicile letter;
 * a PT's SK Kemenkumham besides), the rule set and the price standard
 * (scoring drafts them from the event). Idempotent, like the action. */
static void open_year(int dy)
{
    int year = YEAR + dy;
    g_submit_year = year;
    Seklik__Bus__Actor admin = it_actor("admin-1", "admin", NULL);
    Seklik__Verification__OpenYearRequest oy = SEKLIK__VERIFICATION__OPEN_YEAR_REQUEST__INIT;
    oy.fiscal_year = year;
    oy.registration_opens_on = (char *)ymd(-1, "01-01"); /* open today, whatever the year */
    oy.registration_closes_on = (char *)ymd(dy, "12-31");
    assert_int_equal(call(g_vc, "Verification.OpenYear", &admin, true, &oy.base, NULL, NULL, NULL),
                     SEKLIK__BUS__CODE__OK);
    Seklik__Verification__PublishRequirementSetRequest req =
        SEKLIK__VERIFICATION__PUBLISH_REQUIREMENT_SET_REQUEST__INIT;
    req.fiscal_year = year;
    req.outlet_type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_SIBER;
    req.from_draft = true;
    Seklik__Verification__RequirementSet *set = NULL;
    int code = call(g_vc, "Verification.PublishRequirementSet", &admin, true, &req.base,
                    &seklik__verification__requirement_set__descriptor, &set, NULL);
    if (code == SEKLIK__BUS__CODE__OK) {
        assert_int_equal(set->version, 1);
        FREE(set);
    } else {
        assert_int_equal(code, SEKLIK__BUS__CODE__FAILED_PRECONDITION); /* published before */
    }
    /* Scoring drafts from verification's event: publish once it has. */
    Seklik__Scoring__PublishRequest pub = SEKLIK__SCORING__PUBLISH_REQUEST__INIT;
    pub.fiscal_year = year;
    const char *const methods[] = {"Scoring.PublishRuleSet", "Scoring.PublishPriceStandard"};
    static const char *const drafted[] = {
        "SELECT count(*) FROM scoring.rule_set WHERE fiscal_year = $1::int",
        "SELECT count(*) FROM scoring.price_standard WHERE fiscal_year = $1::int"};
    static const char *const published[] = {
        "SELECT count(*) FROM scoring.rule_set WHERE fiscal_year = $1::int AND state = 'published'",
        "SELECT count(*) FROM scoring.price_standard WHERE fiscal_year = $1::int"
        " AND state = 'published'"};
    char year_text[16];
    snprintf(year_text, sizeof(year_text), "%d", year);
    for (int m = 0; m < 2; m++) {
        for (int i = 0; i < 200 && sk_test_sql_number_p(g_dsn, drafted[m], year_text) == 0; i++)
            sk_test_sleep_ms(50);
        if (sk_test_sql_number_p(g_dsn, published[m], year_text) == 0)
            assert_int_equal(call(g_sc, methods[m], &admin, true, &pub.base, NULL, NULL, NULL),
                             SEKLIK__BUS__CODE__OK);
    }
    /* The registry learns the window from the same event. */
    static const char window[] =
        "SELECT count(*) FROM registry.fiscal_year WHERE fiscal_year = $1::int";
    for (int i = 0; i < 200 && sk_test_sql_number_p(g_dsn, window, year_text) == 0; i++)
        sk_test_sleep_ms(50);
    assert_int_equal(sk_test_sql_number_p(g_dsn, window, year_text), 1);
}

static const char *person_named(const Seklik__Registry__Company *c, const char *name)
{
    for (size_t i = 0; i < c->n_people; i++)
        if (strcmp(c->people[i]->data->name, name) == 0)
            return c->people[i]->id;
    fail_msg("nobody named %s", name);
    return NULL;
}

static void company_onboards_from_registration_to_final_list(void **state)
{
    (void)state;
    Seklik__Bus__Actor verifier = it_actor("verifier-1", "verifier", NULL);
    Seklik__Bus__Actor head = it_actor("head-1", "head", NULL);
    open_year(0);

    /* The company registers itself through its partner account. */
    Seklik__Bus__Actor newcomer = it_actor("partner-user-a", "partner", NULL);
    char *a = register_company(&newcomer, "PT Kabar Komering", "012345678901234",
                               "1234567890123", "1601010101010001", "1601010101010002");
    Seklik__Bus__Actor partner = it_actor("partner-user-a", "partner", a);
    free(upload(&partner, a, SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_AKTA, 1));
    free(upload(&partner, a, SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_SK_KEMENKUMHAM, 1));
    free(upload(&partner, a, SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_NIB, 1));
    free(upload(&partner, a, SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_NPWP, 1));
    free(upload(&partner, a, SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_DOMISILI, 1));
    /* What earns points is what documents prove: the Dewan Pers certificate
     * (it claims the declared faktual) and the UKW certificates. */
    free(upload(&partner, a, SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_DEWAN_PERS, 1));
    Seklik__Registry__GetCompanyRequest gp = SEKLIK__REGISTRY__GET_COMPANY_REQUEST__INIT;
    gp.company_id = a;
    Seklik__Registry__Company *own = NULL;
    assert_int_equal(call(g_rc, "Registry.GetCompany", &partner, false, &gp.base,
                          &seklik__registry__company__descriptor, &own, NULL),
                     SEKLIK__BUS__CODE__OK);
    const char *const certified[] = {"Pemimpin Redaksi", "Wartawan", "Wartawan Kedua"};
    for (size_t i = 0; i < 3; i++)
        free(upload_for(&partner, a, SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_UKW,
                        person_named(own, certified[i]), ymd(1, "06-30"), 1));
    FREE(own);
    submit(&partner, a);

    /* Verification opens a case from the registry's event. */
    Seklik__Verification__Case *c =
        wait_case(&verifier, a, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_IN_REVIEW);
    assert_int_equal(c->n_documents, 9);
    assert_int_equal(c->n_outlets, 1);
    for (size_t i = 0; i < c->n_findings; i++)
        assert_false(c->findings[i]->blocking);
    char *case_id = strdup(c->id);
    char *npwp_doc = strdup(doc_of(c, SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_NPWP));
    FREE(c);
    FREE(wait_company(&partner, a, SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_IN_REVIEW));

    /* The NPWP scan is rejected: the company sees why. A reason is required. */
    assert_int_equal(decide_document(&verifier, case_id, npwp_doc,
                                     SEKLIK__VERIFICATION__DECISION__DECISION_REJECTED, ""),
                     SEKLIK__BUS__CODE__INVALID_ARGUMENT);
    assert_int_equal(decide_document(&verifier, case_id, npwp_doc,
                                     SEKLIK__VERIFICATION__DECISION__DECISION_REJECTED,
                                     "Scan NPWP buram, unggah ulang"),
                     SEKLIK__BUS__CODE__OK);
    c = wait_case(&partner, a, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_NEEDS_REVISION);
    bool seen = false;
    for (size_t i = 0; i < c->n_documents; i++)
        if (strcmp(c->documents[i]->document_id, npwp_doc) == 0) {
            assert_int_equal(c->documents[i]->decision, SEKLIK__VERIFICATION__DECISION__DECISION_REJECTED);
            assert_string_equal(c->documents[i]->reason, "Scan NPWP buram, unggah ulang");
            seen = true;
        }
    assert_true(seen);
    FREE(c);
    FREE(wait_company(&partner, a, SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_NEEDS_REVISION));

    /* It re-uploads; the case goes back to review with the new version. */
    char *npwp2 = upload(&partner, a, SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_NPWP, 2);
    c = wait_case(&verifier, a, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_IN_REVIEW);
    assert_string_equal(doc_of(c, SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_NPWP), npwp2);
    for (size_t i = 0; i < c->n_documents; i++)
        if (c->documents[i]->decision != SEKLIK__VERIFICATION__DECISION__DECISION_ACCEPTED)
            assert_int_equal(decide_document(&verifier, case_id, c->documents[i]->document_id,
                                             SEKLIK__VERIFICATION__DECISION__DECISION_ACCEPTED,
                                             NULL),
                             SEKLIK__BUS__CODE__OK);
    FREE(c);
    FREE(wait_case(&verifier, a, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VISIT_PENDING));

    /* Not verified before the factual visit. */
    Seklik__Verification__DecideRequest dr = SEKLIK__VERIFICATION__DECIDE_REQUEST__INIT;
    dr.case_id = case_id;
    dr.outcome = SEKLIK__VERIFICATION__OUTCOME__OUTCOME_VERIFIED;
    assert_int_equal(call(g_vc, "Verification.Decide", &verifier, true, &dr.base,
                          &seklik__verification__case__descriptor, NULL, NULL),
                     SEKLIK__BUS__CODE__FAILED_PRECONDITION);

    Seklik__Verification__RecordVisitRequest vr = SEKLIK__VERIFICATION__RECORD_VISIT_REQUEST__INIT;
    Seklik__Verification__Visit visit = SEKLIK__VERIFICATION__VISIT__INIT;
    visit.visited_on = "2026-11-20";
    visit.verifier_id = "verifier-1";
    visit.latitude = -3.3915;   /* Kayuagung */
    visit.longitude = 104.8286;
    visit.findings = "Kantor redaksi aktif, papan nama terpasang";
    vr.case_id = case_id;
    vr.visit = &visit;
    assert_int_equal(call(g_vc, "Verification.RecordVisit", &verifier, true, &vr.base,
                          &seklik__verification__case__descriptor, NULL, NULL),
                     SEKLIK__BUS__CODE__OK);
    /* The verifier proposes; alone he cannot make it the outcome. */
    Seklik__Verification__Case *done = NULL;
    assert_int_equal(call(g_vc, "Verification.Decide", &verifier, true, &dr.base,
                          &seklik__verification__case__descriptor, &done, NULL),
                     SEKLIK__BUS__CODE__OK);
    assert_int_equal(done->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VISITED);
    assert_non_null(done->pending_proposal);
    Seklik__Verification__ApproveDecisionRequest ap =
        SEKLIK__VERIFICATION__APPROVE_DECISION_REQUEST__INIT;
    ap.case_id = case_id;
    ap.proposal_id = done->pending_proposal->id;
    assert_int_equal(call(g_vc, "Verification.ApproveDecision", &verifier, true, &ap.base,
                          &seklik__verification__case__descriptor, NULL, NULL),
                     SEKLIK__BUS__CODE__PERMISSION_DENIED);
    Seklik__Verification__Case *mine = wait_case(&partner, a,
                                                 SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VISITED);
    assert_null(mine->pending_proposal); /* the partner sees no decision before it is one */
    FREE(mine);
    Seklik__Verification__Case *approved = NULL;
    assert_int_equal(call(g_vc, "Verification.ApproveDecision", &head, true, &ap.base,
                          &seklik__verification__case__descriptor, &approved, NULL),
                     SEKLIK__BUS__CODE__OK);
    FREE(done);
    done = approved;
    assert_int_equal(done->state, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VERIFIED);
    assert_string_equal(done->valid_until, ymd(0, "12-31"));
    assert_int_equal(done->outlets[0]->state, SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_VERIFIED);
    assert_string_equal(done->decided_by, "verifier-1");
    assert_string_equal(done->approved_by, "head-1");
    FREE(done);

    /* The registry's read model follows. */
    Seklik__Registry__Company *co =
        wait_company(&partner, a, SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_VERIFIED);
    assert_string_equal(co->verified_until, ymd(0, "12-31"));
    assert_int_equal(co->outlets[0]->status, SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_VERIFIED);
    FREE(co);

    /* Scoring scores the verified outlet on what the accepted documents
     * prove; the registry lists the company by its tier (DOMAIN.md):
     * faktual certificate 30 + chief editor Madya 8 + 2 of 3 journalists
     * certified 8 + 7 years from the deed 10 + 600,000 visitors 17 + no
     * history (neutral) 5 = 78: B. */
    Seklik__Registry__GetCompanyRequest gc = SEKLIK__REGISTRY__GET_COMPANY_REQUEST__INIT;
    gc.company_id = a;
    Seklik__Registry__Company *full = NULL;
    assert_int_equal(call(g_rc, "Registry.GetCompany", &partner, false, &gc.base,
                          &seklik__registry__company__descriptor, &full, NULL),
                     SEKLIK__BUS__CODE__OK);
    Seklik__Scoring__GetScoreRequest gs = SEKLIK__SCORING__GET_SCORE_REQUEST__INIT;
    gs.outlet_id = full->outlets[0]->id;
    gs.fiscal_year = YEAR;
    Seklik__Scoring__OutletScore *score = NULL;
    for (int i = 0; i < 200 && !score; i++)
        if (call(g_sc, "Scoring.GetScore", &partner, false, &gs.base,
                 &seklik__scoring__outlet_score__descriptor, &score, NULL) != SEKLIK__BUS__CODE__OK)
            sk_test_sleep_ms(50);
    assert_non_null(score);
    assert_int_equal(score->total, 78);
    assert_int_equal(score->tier, SEKLIK__SCORING__TIER__TIER_B);
    assert_int_equal(score->n_breakdown, 6);
    static const int points[] = {30, 8, 8, 10, 17, 5};
    static const char *const why[] = {"dewan_pers.faktual", "chief_editor_ukw.certified",
                                      "journalist_ukw_share.proven", "company_age.deed",
                                      "reach.declared", "performance.no_history"};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(score->breakdown[i]->points, points[i]);
        assert_string_equal(score->breakdown[i]->reason, why[i]);
    }
    FREE(score);
    FREE(full);
    Seklik__Registry__ListCompaniesRequest lc = SEKLIK__REGISTRY__LIST_COMPANIES_REQUEST__INIT;
    lc.tier = "B";
    Seklik__Registry__ListCompaniesResponse *page = NULL;
    for (int i = 0; i < 200; i++) {
        assert_int_equal(call(g_rc, "Registry.ListCompanies", &head, false, &lc.base,
                              &seklik__registry__list_companies_response__descriptor, &page, NULL),
                         SEKLIK__BUS__CODE__OK);
        if (page->n_companies == 1)
            break;
        FREE(page);
        page = NULL;
        sk_test_sleep_ms(50);
    }
    assert_non_null(page);
    assert_string_equal(page->companies[0]->id, a);
    assert_int_equal(page->companies[0]->n_tiers, 1);
    assert_string_equal(page->companies[0]->tiers[0], "B");
    FREE(page);
    lc.tier = "A";
    assert_int_equal(call(g_rc, "Registry.ListCompanies", &head, false, &lc.base,
                          &seklik__registry__list_companies_response__descriptor, &page, NULL),
                     SEKLIK__BUS__CODE__OK);
    assert_int_equal(page->n_companies, 0);
    FREE(page);
    lc.tier = "Z";
    char field[128] = "";
    assert_int_equal(call(g_rc, "Registry.ListCompanies", &head, false, &lc.base,
                          &seklik__registry__list_companies_response__descriptor, NULL, field),
                     SEKLIK__BUS__CODE__INVALID_ARGUMENT);
    assert_string_equal(field, "tier");

    /* Announcement and objection window: one objection, answered; final after the window. */
    time_t until = time(NULL) + 3;
    char until_s[32];
    strftime(until_s, sizeof(until_s), "%Y-%m-%dT%H:%M:%SZ", gmtime(&until));
    Seklik__Verification__AnnounceRequest an = SEKLIK__VERIFICATION__ANNOUNCE_REQUEST__INIT;
    an.fiscal_year = YEAR;
    an.objection_until = until_s;
    Seklik__Verification__Announcement *ann = NULL;
    assert_int_equal(call(g_vc, "Verification.Announce", &head, true, &an.base,
                          &seklik__verification__announcement__descriptor, &ann, NULL),
                     SEKLIK__BUS__CODE__OK);
    assert_int_equal(ann->n_verified_company_ids, 1);
    assert_string_equal(ann->verified_company_ids[0], a);
    FREE(ann);

    Seklik__Verification__ObjectRequest ob = SEKLIK__VERIFICATION__OBJECT_REQUEST__INIT;
    ob.fiscal_year = YEAR;
    ob.company_id = a;
    ob.reason = "Skor belum memperhitungkan sertifikat Dewan Pers terbaru";
    Seklik__Verification__Objection *obj = NULL;
    assert_int_equal(call(g_vc, "Verification.Object", &partner, true, &ob.base,
                          &seklik__verification__objection__descriptor, &obj, NULL),
                     SEKLIK__BUS__CODE__OK);
    assert_int_not_equal(call(g_vc, "Verification.Object", &partner, true, &ob.base,
                              &seklik__verification__objection__descriptor, NULL, NULL),
                         SEKLIK__BUS__CODE__OK);
    Seklik__Verification__FinalizeRequest fin = SEKLIK__VERIFICATION__FINALIZE_REQUEST__INIT;
    fin.fiscal_year = YEAR;
    assert_int_equal(call(g_vc, "Verification.Finalize", &head, true, &fin.base,
                          &seklik__verification__announcement__descriptor, NULL, NULL),
                     SEKLIK__BUS__CODE__FAILED_PRECONDITION);
    /* Staff list the year's objections to answer them; the partner sees its own. */
    Seklik__Verification__ListObjectionsRequest lo = SEKLIK__VERIFICATION__LIST_OBJECTIONS_REQUEST__INIT;
    lo.fiscal_year = YEAR;
    Seklik__Verification__ListObjectionsResponse *list = NULL;
    assert_int_equal(call(g_vc, "Verification.ListObjections", &head, false, &lo.base,
                          &seklik__verification__list_objections_response__descriptor, &list, NULL),
                     SEKLIK__BUS__CODE__OK);
    assert_int_equal(list->n_objections, 1);
    assert_string_equal(list->objections[0]->id, obj->id);
    FREE(list);
    Seklik__Bus__Actor stranger = it_actor("partner-user-x", "partner", "another-company");
    assert_int_equal(call(g_vc, "Verification.ListObjections", &stranger, false, &lo.base,
                          &seklik__verification__list_objections_response__descriptor, &list, NULL),
                     SEKLIK__BUS__CODE__OK);
    assert_int_equal(list->n_objections, 0);
    FREE(list);
    /* The answer comes from someone who took no part in the decision. */
    Seklik__Verification__AnswerObjectionRequest ans =
        SEKLIK__VERIFICATION__ANSWER_OBJECTION_REQUEST__INIT;
    ans.objection_id = obj->id;
    ans.answer = "Sertifikat telah dicatat; hasil verifikasi tetap";
    assert_int_equal(call(g_vc, "Verification.AnswerObjection", &head, true, &ans.base,
                          &seklik__verification__objection__descriptor, NULL, NULL),
                     SEKLIK__BUS__CODE__PERMISSION_DENIED);
    assert_int_equal(call(g_vc, "Verification.AnswerObjection", &verifier, true, &ans.base,
                          &seklik__verification__objection__descriptor, NULL, NULL),
                     SEKLIK__BUS__CODE__PERMISSION_DENIED);
    Seklik__Bus__Actor third = it_actor("verifier-3", "verifier", NULL);
    assert_int_equal(call(g_vc, "Verification.AnswerObjection", &third, true, &ans.base,
                          &seklik__verification__objection__descriptor, NULL, NULL),
                     SEKLIK__BUS__CODE__OK);
    FREE(obj);
    sk_test_sleep_ms(3500);
    Seklik__Verification__Announcement *final = NULL;
    assert_int_equal(call(g_vc, "Verification.Finalize", &head, true, &fin.base,
                          &seklik__verification__announcement__descriptor, &final, NULL),
                     SEKLIK__BUS__CODE__OK);
    assert_true(final->finalized);
    FREE(final);
    Seklik__Verification__GetAnnouncementRequest ga = SEKLIK__VERIFICATION__GET_ANNOUNCEMENT_REQUEST__INIT;
    ga.fiscal_year = YEAR;
    Seklik__Verification__Announcement *pub = NULL;
    assert_int_equal(call(g_vc, "Verification.GetAnnouncement", &stranger, false, &ga.base,
                          &seklik__verification__announcement__descriptor, &pub, NULL),
                     SEKLIK__BUS__CODE__OK);
    assert_true(pub->finalized);
    assert_int_equal(pub->n_verified_company_ids, 1);
    FREE(pub);
    assert_int_equal(sk_test_sql_number(g_dsn, "SELECT count(*) FROM verification.outbox "
                                               "WHERE type = 'verification.list.finalized'"),
                     1);

    /* Every decision is in the audit trail, with who made it. */
    assert_true(sk_test_sql_number(g_dsn, "SELECT count(*) FROM verification.audit_log "
                                          "WHERE user_id = 'verifier-1'") >= 6);
    free(a);
    free(case_id);
    free(npwp_doc);
    free(npwp2);
}

static void four_eyes_and_partner_walls(void **state)
{
    (void)state;
    open_year(1);
    /* A verifier who registered a company may not verify it. */
    Seklik__Bus__Actor v2 = it_actor("verifier-2", "verifier", NULL);
    char *b = register_company(&v2, "PT Warta Ogan", "098765432109876", "9876543210987",
                               "1601010101010003", "1601010101010004");
    free(upload(&v2, b, SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_AKTA, 1));
    submit(&v2, b);
    Seklik__Verification__Case *c =
        wait_case(&v2, b, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_IN_REVIEW);
    assert_int_equal(decide_document(&v2, c->id, c->documents[0]->document_id,
                                     SEKLIK__VERIFICATION__DECISION__DECISION_ACCEPTED, NULL),
                     SEKLIK__BUS__CODE__PERMISSION_DENIED);
    /* Missing required documents are blocking findings. */
    bool blocking = false;
    for (size_t i = 0; i < c->n_findings; i++)
        blocking = blocking || c->findings[i]->blocking;
    assert_true(blocking);
    FREE(c);

    /* Partner A sees nothing of company B, in either service. */
    Seklik__Bus__Actor pa = it_actor("partner-user-a", "partner", "some-other-company");
    Seklik__Registry__GetCompanyRequest gc = SEKLIK__REGISTRY__GET_COMPANY_REQUEST__INIT;
    gc.company_id = b;
    assert_int_equal(call(g_rc, "Registry.GetCompany", &pa, false, &gc.base,
                          &seklik__registry__company__descriptor, NULL, NULL),
                     SEKLIK__BUS__CODE__PERMISSION_DENIED);
    Seklik__Verification__GetCaseRequest gk = SEKLIK__VERIFICATION__GET_CASE_REQUEST__INIT;
    gk.company_id = b;
    assert_int_equal(call(g_vc, "Verification.GetCase", &pa, false, &gk.base,
                          &seklik__verification__case__descriptor, NULL, NULL),
                     SEKLIK__BUS__CODE__PERMISSION_DENIED);
    free(b);
}

/* A staff member who supplies a document on the partner's behalf does not
 * judge it; a staff member does not move the partner's money alone; the
 * partner's own bank change reaches the verifier as a finding. */
static void staff_supply_and_bank_changes_stay_four_eyed(void **state)
{
    (void)state;
    Seklik__Bus__Actor verifier = it_actor("verifier-1", "verifier", NULL);
    Seklik__Bus__Actor v2 = it_actor("verifier-2", "verifier", NULL);
    open_year(1);
    Seklik__Bus__Actor newcomer = it_actor("partner-user-c", "partner", NULL);
    char *c = register_company(&newcomer, "PT Suara Sebiduk", "045678901234567", "4567890123456",
                               "1601010101010005", "1601010101010006");
    Seklik__Bus__Actor partner = it_actor("partner-user-c", "partner", c);
    free(upload(&partner, c, SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_AKTA, 1));
    free(upload(&partner, c, SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_NIB, 1));
    free(upload(&partner, c, SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_NPWP, 1));
    free(upload(&partner, c, SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_DOMISILI, 1));
    submit(&partner, c);
    Seklik__Verification__Case *k =
        wait_case(&verifier, c, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_IN_REVIEW);
    char *case_id = strdup(k->id);
    assert_int_equal(decide_document(&verifier, case_id,
                                     doc_of(k, SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_NPWP),
                                     SEKLIK__VERIFICATION__DECISION__DECISION_REJECTED,
                                     "Scan NPWP buram"),
                     SEKLIK__BUS__CODE__OK);
    FREE(k);
    FREE(wait_company(&partner, c, SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_NEEDS_REVISION));

    /* Bank: while the company fixes its NPWP, a staff change is refused... */
    Seklik__Registry__GetCompanyRequest gc = SEKLIK__REGISTRY__GET_COMPANY_REQUEST__INIT;
    gc.company_id = c;
    Seklik__Registry__Company *co = NULL;
    assert_int_equal(call(g_rc, "Registry.GetCompany", &partner, false, &gc.base,
                          &seklik__registry__company__descriptor, &co, NULL),
                     SEKLIK__BUS__CODE__OK);
    Seklik__Registry__UpdateRequest up = SEKLIK__REGISTRY__UPDATE_REQUEST__INIT;
    up.company_id = c;
    up.company = co->data;
    char *typed = co->data->bank_account->account_number; /* freed with co: put back below */
    co->data->bank_account->account_number = "9876543210";
    assert_int_equal(call(g_rc, "Registry.Update", &v2, true, &up.base,
                          &seklik__registry__company__descriptor, NULL, NULL),
                     SEKLIK__BUS__CODE__PERMISSION_DENIED);
    /* ...the partner's own goes through, and reaches the verifier as a finding. */
    Seklik__Registry__Company *after = NULL;
    assert_int_equal(call(g_rc, "Registry.Update", &partner, true, &up.base,
                          &seklik__registry__company__descriptor, &after, NULL),
                     SEKLIK__BUS__CODE__OK);
    assert_string_equal(after->data->bank_account->account_number, "9876543210");
    FREE(after);
    co->data->bank_account->account_number = typed;
    bool flagged = false;
    Seklik__Verification__GetCaseRequest gk = SEKLIK__VERIFICATION__GET_CASE_REQUEST__INIT;
    gk.case_id = case_id;
    for (int i = 0; i < 200 && !flagged; i++) {
        Seklik__Verification__Case *now = NULL;
        assert_int_equal(call(g_vc, "Verification.GetCase", &verifier, false, &gk.base,
                              &seklik__verification__case__descriptor, &now, NULL),
                         SEKLIK__BUS__CODE__OK);
        for (size_t j = 0; j < now->n_findings; j++)
            flagged = flagged || (strcmp(now->findings[j]->code, "bank_account_changed") == 0 &&
                                  strstr(now->findings[j]->message, "9876543210"));
        FREE(now);
        if (!flagged)
            sk_test_sleep_ms(50);
    }
    assert_true(flagged);

    /* The verifier uploads the replacement himself, then tries to accept it. */
    char *mine = upload(&verifier, c, SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_NPWP, 2);
    k = wait_case(&verifier, c, SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_IN_REVIEW);
    assert_string_equal(doc_of(k, SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_NPWP), mine);
    FREE(k);
    assert_int_equal(decide_document(&verifier, case_id, mine,
                                     SEKLIK__VERIFICATION__DECISION__DECISION_ACCEPTED, NULL),
                     SEKLIK__BUS__CODE__PERMISSION_DENIED);
    assert_int_equal(decide_document(&v2, case_id, mine,
                                     SEKLIK__VERIFICATION__DECISION__DECISION_ACCEPTED, NULL),
                     SEKLIK__BUS__CODE__OK);
    FREE(co);
    free(mine);
    free(case_id);
    free(c);
}

static int start(void **state)
{
    (void)state;
    char log[512];
    YEAR = fiscal_year();
    if (!it_arg(4) || !it_arg(5) || !it_arg(6) ||
        !sk_test_create_db("it_onboarding", g_dsn, sizeof(g_dsn)))
        return -1;
    const char *redis = sk_test_env("SEKLIK_TEST_REDIS_URL");
    sk_test_peer_init(&g_reg, "registry", g_dsn, redis);
    sk_test_peer_init(&g_ver, "verification", g_dsn, redis);
    sk_test_peer_init(&g_sco, "scoring", g_dsn, redis);
    sk_test_peer_link(&g_reg, &g_ver);
    sk_test_peer_link(&g_reg, &g_sco);
    sk_test_peer_link(&g_ver, &g_reg);
    sk_test_peer_link(&g_sco, &g_reg);
    sk_test_peer_link(&g_sco, &g_ver);
    if (sk_test_peer_start(&g_reg, it_arg(4), it_log(log, sizeof(log), "onboarding", "registry")) ||
        sk_test_peer_start(&g_ver, it_arg(5), it_log(log, sizeof(log), "onboarding", "verification")) ||
        sk_test_peer_start(&g_sco, it_arg(6), it_log(log, sizeof(log), "onboarding", "scoring")))
        return -1;
    g_rc = it_client(g_reg.rpc);
    g_vc = it_client(g_ver.rpc);
    g_sc = it_client(g_sco.rpc);
    return 0;
}

static int stop(void **state)
{
    (void)state;
    sk_rpc_client_close(g_rc);
    sk_rpc_client_close(g_vc);
    sk_rpc_client_close(g_sc);
    it_stop((sk_test_peer *[]){&g_sco, &g_ver, &g_reg, NULL});
    return 0;
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(company_onboards_from_registration_to_final_list),
        cmocka_unit_test(four_eyes_and_partner_walls),
        cmocka_unit_test(staff_supply_and_bank_changes_stay_four_eyed),
    };
    return it_main2(argc, argv, tests, sizeof(tests) / sizeof(tests[0]), start, stop);
}
