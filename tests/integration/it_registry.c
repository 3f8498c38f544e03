/* The registry over the bus, against a real PostgreSQL: what a press company
 * and the staff can do, what is refused (naming the field, storing nothing),
 * and the events and rows an auditor would look for.
 *
 * argv: testpub testsub logdir seklik-registry */
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>

#include "it_common.h"
#include "seklik/registry.pb-c.h"
#include "seklik/verification.pb-c.h"

typedef Seklik__Registry__Company Company;

static const char *registry_bin;
static char dsn[512];
static sk_test_peer reg;
static sk_test_peer fake_verification; /* a testpub whose outbox we write CaseChanged into */
static sk_rpc_client *rpc;
static int serial; /* makes every NPWP, NIK and name unique */

/* ---- actors ---- */

static Seklik__Bus__Actor staff(void)
{
    return it_actor("staff-1", "partnership", NULL);
}

static Seklik__Bus__Actor partner(const char *company_id)
{
    return it_actor("partner-user", "partner", company_id);
}

/* ---- requests ---- */

/* A valid company with one online outlet, a chief editor and a journalist;
 * the test breaks one field at a time. Everything points into `r`. */
typedef struct {
    Seklik__Registry__RegisterRequest req;
    Seklik__Registry__CompanyInput company;
    Seklik__Registry__BankAccount bank;
    Seklik__Registry__OutletInput outlet, *outlets[1];
    Seklik__Registry__PersonInput chief, journalist, *people[2];
    char *kbli[1];
    char name[64], outlet_name[64], npwp[32], nik1[20], nik2[20];
} reg_req;

static void make_request(reg_req *r, const char *name)
{
    memset(r, 0, sizeof(*r));
    int n = ++serial;
    snprintf(r->name, sizeof(r->name), "%s", name);
    snprintf(r->outlet_name, sizeof(r->outlet_name), "Portal %s", name);
    snprintf(r->npwp, sizeof(r->npwp), "01.%03d.%03d.8-901.%03d", n / 1000000, (n / 1000) % 1000,
             n % 1000);
    snprintf(r->nik1, sizeof(r->nik1), "3271%012d", 2 * n);
    snprintf(r->nik2, sizeof(r->nik2), "3271%012d", 2 * n + 1);
    r->kbli[0] = "63122";

    seklik__registry__bank_account__init(&r->bank);
    r->bank.bank_name = "Bank Sumsel Babel";
    r->bank.account_number = "1234567890";
    r->bank.holder_name = r->name;

    seklik__registry__company_input__init(&r->company);
    r->company.legal_name = r->name;
    r->company.legal_form = SEKLIK__REGISTRY__LEGAL_FORM__LEGAL_FORM_PT;
    r->company.deed_number = "12";
    r->company.deed_date = "2019-03-04";
    r->company.nib = "1234567890123";
    r->company.kbli = r->kbli;
    r->company.n_kbli = 1;
    r->company.npwp = r->npwp;
    r->company.address = "Jl. Letnan Munandar No. 1, Kayuagung";
    r->company.bank_account = &r->bank;
    r->company.established_on = "2019-03-04";
    r->company.sk_kemenkumham = "AHU-0012345.AH.01.01.TAHUN 2019";
    r->company.domicile_letter_number = "470/12/KYG/2026";

    seklik__registry__outlet_input__init(&r->outlet);
    r->outlet.type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_SIBER;
    r->outlet.scale = SEKLIK__REGISTRY__OUTLET_SCALE__OUTLET_SCALE_LOKAL;
    r->outlet.name = r->outlet_name;
    r->outlet.url = "https://berita.example.id";
    r->outlet.monthly_visitors = 50000;
    r->outlets[0] = &r->outlet;

    seklik__registry__person_input__init(&r->chief);
    r->chief.role = SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_CHIEF_EDITOR;
    r->chief.nik = r->nik1;
    r->chief.name = "Siti Aminah";
    r->chief.ukw_level = SEKLIK__REGISTRY__UKW_LEVEL__UKW_LEVEL_UTAMA;
    r->chief.ukw_certificate_number = "UKW-001";
    r->chief.ukw_certificate_expiry = "2099-12-31";
    seklik__registry__person_input__init(&r->journalist);
    r->journalist.role = SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_JOURNALIST;
    r->journalist.nik = r->nik2;
    r->journalist.name = "Budi Santoso";
    r->people[0] = &r->chief;
    r->people[1] = &r->journalist;

    seklik__registry__register_request__init(&r->req);
    r->req.company = &r->company;
    r->req.outlets = r->outlets;
    r->req.n_outlets = 1;
    r->req.people = r->people;
    r->req.n_people = 2;
}

/* ---- calls ---- */

/* Call `method`; a command gets `key` (a fresh one when NULL). Returns the
 * Response (caller frees). */
static Seklik__Bus__Response *call(const char *method, const Seklik__Bus__Actor *actor,
                                   const char *key, bool command, const ProtobufCMessage *in)
{
    char fresh[SK_UUID_STRLEN], full[64];
    sk_uuid7(fresh);
    snprintf(full, sizeof(full), "Registry.%s", method);
    Seklik__Bus__Response *resp = NULL;
    assert_int_equal(sk_rpc_call(rpc, full, actor, command ? (key ? key : fresh) : NULL, in,
                                 20000, &resp),
                     SK_OK);
    return resp;
}

static void *body(const Seklik__Bus__Response *r, const ProtobufCMessageDescriptor *d)
{
    void *m = protobuf_c_message_unpack(d, NULL, r->body.len, r->body.data);
    assert_non_null(m);
    return m;
}

static Company *register_ok(reg_req *r, const Seklik__Bus__Actor *actor, const char *key)
{
    Seklik__Bus__Response *resp = call("RegisterCompany", actor, key, true, &r->req.base);
    if (it_code(resp) != SK_OK)
        fprintf(stderr, "RegisterCompany: %s (%s)\n", resp->message,
                resp->n_violations ? resp->violations[0]->field : "-");
    assert_int_equal(it_code(resp), SK_OK);
    Company *c = body(resp, &seklik__registry__company__descriptor);
    seklik__bus__response__free_unpacked(resp, NULL);
    return c;
}

static Company *register_named(const char *name)
{
    reg_req r;
    make_request(&r, name);
    Seklik__Bus__Actor a = staff();
    return register_ok(&r, &a, NULL);
}

/* Rows in one of the registry's tables (names from this file only). */
static long long count(const char *table)
{
    static const struct {
        const char *table, *sql;
    } counts_sql[] = {
        {"company", "SELECT count(*) FROM registry.company"},
        {"outlet", "SELECT count(*) FROM registry.outlet"},
        {"person", "SELECT count(*) FROM registry.person"},
        {"document", "SELECT count(*) FROM registry.document"},
        {"outbox", "SELECT count(*) FROM registry.outbox"},
        {"audit_log", "SELECT count(*) FROM registry.audit_log"},
    };
    for (size_t i = 0; i < sizeof(counts_sql) / sizeof(counts_sql[0]); i++)
        if (strcmp(counts_sql[i].table, table) == 0)
            return sk_test_sql_number(dsn, counts_sql[i].sql);
    fail_msg("no count for table %s", table);
    return -1;
}

typedef struct {
    long long company, outlet, person, document, outbox, audit;
} counts;

static counts snapshot(void)
{
    return (counts){count("company"), count("outlet"),  count("person"),
                    count("document"), count("outbox"), count("audit_log")};
}

static void assert_unchanged(counts before)
{
    counts now = snapshot();
    assert_int_equal(now.company, before.company);
    assert_int_equal(now.outlet, before.outlet);
    assert_int_equal(now.person, before.person);
    assert_int_equal(now.document, before.document);
    assert_int_equal(now.outbox, before.outbox);
    assert_int_equal(now.audit, before.audit);
}

/* The command is refused with `want`, naming `field` when given, and
 * nothing was written. */
static void assert_refused(const char *method, const Seklik__Bus__Actor *actor,
                           const ProtobufCMessage *in, int want, const char *field)
{
    counts before = snapshot();
    Seklik__Bus__Response *resp = call(method, actor, NULL, true, in);
    if (it_code(resp) != want || (field && !it_names_field(resp, field)))
        fprintf(stderr, "%s: code %d (%s), want %d naming %s\n", method, it_code(resp),
                resp->message, want, field ? field : "-");
    assert_int_equal(it_code(resp), want);
    if (field)
        assert_true(it_names_field(resp, field));
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_unchanged(before);
}

/* Refused as INVALID_ARGUMENT naming `field` with `code`, nothing written. */
static void assert_refused_code(const char *method, const Seklik__Bus__Actor *actor,
                                const ProtobufCMessage *in, const char *field, const char *code)
{
    counts before = snapshot();
    Seklik__Bus__Response *resp = call(method, actor, NULL, true, in);
    if (!it_names_field_code(resp, field, code))
        fprintf(stderr, "%s: code %d (%s), want %s with %s\n", method, it_code(resp), resp->message,
                field, code);
    assert_int_equal(it_code(resp), SK_EINVAL);
    assert_true(it_names_field_code(resp, field, code));
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_unchanged(before);
}

static const uint8_t PDF[] =
    /* a PDF with one page: the services open what they store (sk_pdf.h) */
    "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n"
    "trailer<</Root 1 0 R>>\n%%EOF\n";

static Seklik__Bus__Response *upload(const Seklik__Bus__Actor *actor, const char *company_id,
                                     const uint8_t *data, size_t len, const char *file_name)
{
    Seklik__Registry__DocumentInput d = SEKLIK__REGISTRY__DOCUMENT_INPUT__INIT;
    d.type = SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_NPWP;
    d.number = "NPWP-1";
    d.issued_on = "2020-01-02";
    d.file_name = (char *)file_name;
    d.content.data = (uint8_t *)data;
    d.content.len = len;
    Seklik__Registry__UploadDocumentRequest req = SEKLIK__REGISTRY__UPLOAD_DOCUMENT_REQUEST__INIT;
    req.company_id = (char *)company_id;
    req.document = &d;
    return call("UploadDocument", actor, NULL, true, &req.base);
}

/* ---- fixture ---- */

static int start_registry(void **state)
{
    (void)state;
    char log[512];
    if (!sk_test_create_db("it_registry", dsn, sizeof(dsn)))
        return -1;
    /* The registry follows verification's events: a testpub stands in for
     * verification, and the test writes the events into its outbox. */
    sk_test_peer_init(&fake_verification, "testpub", dsn, sk_test_env("SEKLIK_TEST_REDIS_URL"));
    if (sk_test_peer_start(&fake_verification, it_pub_bin,
                           it_log(log, sizeof(log), "registry", "verification")))
        return -1;
    sk_test_peer_init(&reg, "registry", dsn, sk_test_env("SEKLIK_TEST_REDIS_URL"));
    sk_test_peer_setenv(&reg, "SEKLIK_VERIFICATION_RPC", fake_verification.rpc);
    sk_test_peer_setenv(&reg, "SEKLIK_VERIFICATION_EVENTS", fake_verification.events);
    if (sk_test_peer_start(&reg, registry_bin, it_log(log, sizeof(log), "registry", "registry")))
        return -1;
    rpc = it_client(reg.rpc);
    return 0;
}

static int stop_registry(void **state)
{
    (void)state;
    sk_rpc_client_close(rpc);
    sk_proc_signal(&reg.proc, SIGTERM);
    int rc = sk_proc_wait(&reg.proc, 15000);
    sk_proc_signal(&fake_verification.proc, SIGTERM);
    return rc == 0 && sk_proc_wait(&fake_verification.proc, 15000) == 0 ? 0 : -1;
}

/* ---- tests ---- */

static void year_2027_open(void);

static void valid_company_is_registered_as_draft_with_an_event(void **state)
{
    (void)state;
    long long events = count("outbox");
    Company *c = register_named("PT Berita Kayuagung");
    assert_int_equal(c->status, SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_DRAFT);
    assert_int_equal(c->version, 1);
    assert_string_equal(c->registered_by, "staff-1");
    assert_int_equal(c->n_outlets, 1);
    assert_int_equal(c->n_people, 2);
    assert_int_equal(strlen(c->data->npwp), 16); /* stored normalised: the 16-digit form */
    assert_int_equal(c->data->npwp[0], '0');
    assert_int_equal(c->data->npwp[1], '0');
    assert_string_equal(c->data->kbli[0], "63122");
    assert_string_equal(c->data->bank_account->holder_name, "PT Berita Kayuagung");
    assert_true(strlen(c->registered_at) >= 20 && c->registered_at[strlen(c->registered_at) - 1] == 'Z');
    assert_int_equal(count("outbox"), events + 1);
    assert_true(
        sk_test_sql_number(
            dsn,
            "SELECT count(*) FROM registry.outbox WHERE type = 'registry.company.registered'") >=
        1);
    assert_int_equal(
        sk_test_sql_number_p(dsn, "SELECT count(*) FROM registry.audit_log WHERE entity_id = $1",
                             c->id),
        1);
    protobuf_c_message_free_unpacked(&c->base, NULL);
}

static void each_invalid_input_names_the_field_and_stores_nothing(void **state)
{
    (void)state;
    Seklik__Bus__Actor a = staff();
    reg_req r;

    make_request(&r, "PT Salah NPWP");
    r.company.npwp = "12345";
    assert_refused_code("RegisterCompany", &a, &r.req.base, "company.npwp", "npwp.invalid");

    make_request(&r, "PT Salah NIB");
    r.company.nib = "12345678901234";
    assert_refused("RegisterCompany", &a, &r.req.base, SK_EINVAL, "company.nib");

    make_request(&r, "PT Salah NIK");
    r.journalist.nik = "327101";
    assert_refused("RegisterCompany", &a, &r.req.base, SK_EINVAL, "people[1].nik");

    make_request(&r, "PT Salah KBLI");
    r.kbli[0] = "58130"; /* print code, online outlet */
    assert_refused("RegisterCompany", &a, &r.req.base, SK_EINVAL, "company.kbli");

    make_request(&r, "PT Salah Tanggal");
    r.company.deed_date = "2023-02-29";
    assert_refused("RegisterCompany", &a, &r.req.base, SK_EINVAL, "company.deedDate");

    make_request(&r, "PT Salah Bentuk");
    r.company.legal_form = SEKLIK__REGISTRY__LEGAL_FORM__LEGAL_FORM_UNSPECIFIED;
    r.outlet.type = 9;
    assert_refused("RegisterCompany", &a, &r.req.base, SK_EINVAL, "company.legalForm");
    assert_refused("RegisterCompany", &a, &r.req.base, SK_EINVAL, "outlets[0].type");

    /* Files: judged by content, not by name, and bounded. */
    Company *c = register_named("PT Dokumen Salah");
    static const uint8_t exe[] = "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff";
    counts before = snapshot();
    Seklik__Bus__Response *resp = upload(&a, c->id, exe, sizeof(exe), "npwp.pdf");
    assert_int_equal(it_code(resp), SK_EINVAL);
    assert_true(it_names_field(resp, "document.content"));
    seklik__bus__response__free_unpacked(resp, NULL);
    size_t big = 10u * 1024 * 1024 + 1;
    uint8_t *huge = malloc(big);
    assert_non_null(huge);
    memset(huge, 'x', big);
    memcpy(huge, "%PDF-1.4\n", 9);
    resp = upload(&a, c->id, huge, big, "besar.pdf");
    free(huge);
    assert_int_equal(it_code(resp), SK_EINVAL);
    assert_true(it_names_field(resp, "document.content"));
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_unchanged(before);
    protobuf_c_message_free_unpacked(&c->base, NULL);
}

static void duplicate_npwp_and_nik_across_companies_are_refused(void **state)
{
    (void)state;
    Seklik__Bus__Actor a = staff();
    reg_req first, second;
    make_request(&first, "PT Pertama");
    Company *c = register_ok(&first, &a, NULL);

    make_request(&second, "PT Kedua");
    second.company.npwp = first.npwp;
    assert_refused_code("RegisterCompany", &a, &second.req.base, "company.npwp", "npwp.taken");

    make_request(&second, "PT Ketiga");
    second.journalist.nik = first.nik2; /* the same journalist, claimed again */
    assert_refused("RegisterCompany", &a, &second.req.base, SK_EINVAL, "people[1].nik");

    Seklik__Registry__PersonInput p = SEKLIK__REGISTRY__PERSON_INPUT__INIT;
    p.role = SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_JOURNALIST;
    p.nik = first.nik1;
    p.name = "Orang Lain";
    Company *other = register_named("PT Keempat");
    Seklik__Registry__AddPersonRequest add = SEKLIK__REGISTRY__ADD_PERSON_REQUEST__INIT;
    add.company_id = other->id;
    add.person = &p;
    assert_refused("AddPerson", &a, &add.base, SK_EINVAL, "person.nik");
    protobuf_c_message_free_unpacked(&c->base, NULL);
    protobuf_c_message_free_unpacked(&other->base, NULL);
}

static void partner_cannot_read_or_change_another_company(void **state)
{
    (void)state;
    Company *a = register_named("PT Mitra A");
    Company *b = register_named("PT Mitra B");
    Seklik__Bus__Actor pa = partner(a->id);

    /* its own company: fine */
    Seklik__Registry__GetCompanyRequest get = SEKLIK__REGISTRY__GET_COMPANY_REQUEST__INIT;
    get.company_id = a->id;
    Seklik__Bus__Response *resp = call("GetCompany", &pa, NULL, false, &get.base);
    assert_int_equal(it_code(resp), SK_OK);
    seklik__bus__response__free_unpacked(resp, NULL);

    /* the other one: refused, not hidden */
    get.company_id = b->id;
    resp = call("GetCompany", &pa, NULL, false, &get.base);
    assert_int_equal(it_code(resp), SK_EPERM);
    seklik__bus__response__free_unpacked(resp, NULL);

    reg_req r;
    make_request(&r, "PT Mitra B Baru");
    Seklik__Registry__UpdateRequest upd = SEKLIK__REGISTRY__UPDATE_REQUEST__INIT;
    upd.company_id = b->id;
    upd.company = &r.company;
    assert_refused("Update", &pa, &upd.base, SK_EPERM, NULL);

    counts before = snapshot();
    resp = upload(&pa, b->id, PDF, sizeof(PDF) - 1, "npwp.pdf");
    assert_int_equal(it_code(resp), SK_EPERM);
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_unchanged(before);

    Seklik__Registry__SubmitRequest sub = SEKLIK__REGISTRY__SUBMIT_REQUEST__INIT;
    sub.company_id = b->id;
    sub.fiscal_year = 2027;
    assert_refused("Submit", &pa, &sub.base, SK_EPERM, NULL);

    /* a partner with a company cannot register a second one */
    assert_refused("RegisterCompany", &pa, &r.req.base, SK_EPERM, NULL);

    /* and its list holds only its own company */
    Seklik__Registry__ListCompaniesRequest list = SEKLIK__REGISTRY__LIST_COMPANIES_REQUEST__INIT;
    resp = call("ListCompanies", &pa, NULL, false, &list.base);
    assert_int_equal(it_code(resp), SK_OK);
    Seklik__Registry__ListCompaniesResponse *page =
        body(resp, &seklik__registry__list_companies_response__descriptor);
    assert_int_equal(page->n_companies, 1);
    assert_string_equal(page->companies[0]->id, a->id);
    protobuf_c_message_free_unpacked(&page->base, NULL);
    seklik__bus__response__free_unpacked(resp, NULL);

    /* b unchanged */
    get.company_id = b->id;
    Seklik__Bus__Actor s = staff();
    resp = call("GetCompany", &s, NULL, false, &get.base);
    Company *now = body(resp, &seklik__registry__company__descriptor);
    assert_int_equal(now->version, b->version);
    assert_string_equal(now->data->legal_name, "PT Mitra B");
    protobuf_c_message_free_unpacked(&now->base, NULL);
    seklik__bus__response__free_unpacked(resp, NULL);
    protobuf_c_message_free_unpacked(&a->base, NULL);
    protobuf_c_message_free_unpacked(&b->base, NULL);
}

static void reupload_is_a_new_version_and_the_file_comes_back(void **state)
{
    (void)state;
    Company *c = register_named("PT Unggah");
    Seklik__Bus__Actor pa = partner(c->id);
    Seklik__Registry__Document *doc[2];
    for (int i = 0; i < 2; i++) {
        Seklik__Bus__Response *resp = upload(&pa, c->id, PDF, sizeof(PDF) - 1, "npwp.pdf");
        assert_int_equal(it_code(resp), SK_OK);
        doc[i] = body(resp, &seklik__registry__document__descriptor);
        seklik__bus__response__free_unpacked(resp, NULL);
        assert_int_equal(doc[i]->version, i + 1);
        assert_string_equal(doc[i]->content_type, "application/pdf");
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    char hex[65];
    crypto_hash_sha256(digest, PDF, sizeof(PDF) - 1);
    sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
    assert_string_equal(doc[1]->sha256, hex);

    Seklik__Registry__GetDocumentFileRequest get = SEKLIK__REGISTRY__GET_DOCUMENT_FILE_REQUEST__INIT;
    get.document_id = doc[0]->id; /* the old version is kept */
    Seklik__Bus__Response *resp = call("GetDocumentFile", &pa, NULL, false, &get.base);
    assert_int_equal(it_code(resp), SK_OK);
    Seklik__Registry__DocumentFile *f = body(resp, &seklik__registry__document_file__descriptor);
    assert_int_equal(f->content.len, sizeof(PDF) - 1);
    assert_memory_equal(f->content.data, PDF, sizeof(PDF) - 1);
    assert_string_equal(f->document->sha256, hex);
    protobuf_c_message_free_unpacked(&f->base, NULL);
    seklik__bus__response__free_unpacked(resp, NULL);

    /* the company shows the newest version only */
    Seklik__Registry__GetCompanyRequest gc = SEKLIK__REGISTRY__GET_COMPANY_REQUEST__INIT;
    gc.company_id = c->id;
    resp = call("GetCompany", &pa, NULL, false, &gc.base);
    Company *now = body(resp, &seklik__registry__company__descriptor);
    assert_int_equal(now->n_documents, 1);
    assert_int_equal(now->documents[0]->version, 2);
    protobuf_c_message_free_unpacked(&now->base, NULL);
    seklik__bus__response__free_unpacked(resp, NULL);

    /* another partner may not fetch it, and cannot tell it from a
     * document that does not exist */
    Company *other = register_named("PT Lain");
    Seklik__Bus__Actor po = partner(other->id);
    resp = call("GetDocumentFile", &po, NULL, false, &get.base);
    Seklik__Registry__GetDocumentFileRequest none = SEKLIK__REGISTRY__GET_DOCUMENT_FILE_REQUEST__INIT;
    none.document_id = "0190a0a0-0000-7000-8000-00000000dead";
    Seklik__Bus__Response *missing = call("GetDocumentFile", &po, NULL, false, &none.base);
    assert_int_equal(it_code(resp), SK_ENOTFOUND);
    assert_int_equal(it_code(missing), SK_ENOTFOUND);
    assert_string_equal(resp->message, missing->message);
    /* the code leads, in one language: the UI says it in the chosen one */
    assert_string_equal(resp->message, "document.not_found: no such document");
    assert_int_equal(resp->body.len, 0);
    seklik__bus__response__free_unpacked(resp, NULL);
    seklik__bus__response__free_unpacked(missing, NULL);

    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM registry.outbox WHERE type = 'registry.document.uploaded'");
    assert_true(sk_test_sql_number(dsn, sql) >= 2);
    for (int i = 0; i < 2; i++)
        protobuf_c_message_free_unpacked(&doc[i]->base, NULL);
    protobuf_c_message_free_unpacked(&c->base, NULL);
    protobuf_c_message_free_unpacked(&other->base, NULL);
}

static void submit_marks_submitted_and_the_event_carries_the_company(void **state)
{
    (void)state;
    Company *c = register_named("PT Ajukan");
    Seklik__Bus__Actor pa = partner(c->id);
    Seklik__Bus__Response *up = upload(&pa, c->id, PDF, sizeof(PDF) - 1, "npwp.pdf");
    assert_int_equal(it_code(up), SK_OK);
    seklik__bus__response__free_unpacked(up, NULL);

    year_2027_open();
    Seklik__Registry__SubmitRequest sub = SEKLIK__REGISTRY__SUBMIT_REQUEST__INIT;
    sub.company_id = c->id;
    sub.fiscal_year = 1999;
    assert_refused("Submit", &pa, &sub.base, SK_EINVAL, "fiscalYear");
    sub.fiscal_year = 2027;
    Seklik__Bus__Response *resp = call("Submit", &pa, NULL, true, &sub.base);
    assert_int_equal(it_code(resp), SK_OK);
    Company *after = body(resp, &seklik__registry__company__descriptor);
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_int_equal(after->status, SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_SUBMITTED);
    assert_int_equal(after->fiscal_year, 2027);
    assert_true(after->version > c->version);

    /* the event body, read back from the outbox, is the whole company */
    PGconn *pg = PQconnectdb(dsn);
    assert_int_equal(PQstatus(pg), CONNECTION_OK);
    PGresult *r = PQexecParams(pg,
                               "SELECT body FROM registry.outbox WHERE type ="
                               " 'registry.company.submitted' ORDER BY seq DESC LIMIT 1",
                               0, NULL, NULL, NULL, NULL, 1);
    assert_int_equal(PQntuples(r), 1);
    Seklik__Registry__CompanyChanged *ev = seklik__registry__company_changed__unpack(
        NULL, (size_t)PQgetlength(r, 0, 0), (const uint8_t *)PQgetvalue(r, 0, 0));
    assert_non_null(ev);
    assert_string_equal(ev->company->id, c->id);
    assert_int_equal(ev->company->status, SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_SUBMITTED);
    assert_int_equal(ev->company->n_outlets, 1);
    assert_int_equal(ev->company->n_people, 2);
    assert_int_equal(ev->company->n_documents, 1);
    assert_string_equal(ev->company->registered_by, "staff-1");
    assert_int_equal(ev->company->fiscal_year, 2027);
    assert_string_equal(ev->company->data->legal_name, "PT Ajukan");
    seklik__registry__company_changed__free_unpacked(ev, NULL);
    PQclear(r);
    PQfinish(pg);

    /* submitted: no longer editable, not submittable twice */
    reg_req req;
    make_request(&req, "PT Ajukan Ubah");
    Seklik__Registry__UpdateRequest upd = SEKLIK__REGISTRY__UPDATE_REQUEST__INIT;
    upd.company_id = c->id;
    upd.company = &req.company;
    assert_refused("Update", &pa, &upd.base, SK_EPRECOND, NULL);
    assert_refused("Submit", &pa, &sub.base, SK_EPRECOND, NULL);
    protobuf_c_message_free_unpacked(&after->base, NULL);
    protobuf_c_message_free_unpacked(&c->base, NULL);
}

static void update_checks_the_version_and_bumps_it(void **state)
{
    (void)state;
    reg_req r;
    make_request(&r, "PT Ubah");
    Seklik__Bus__Actor s = staff();
    Company *c = register_ok(&r, &s, NULL);
    Seklik__Registry__UpdateRequest upd = SEKLIK__REGISTRY__UPDATE_REQUEST__INIT;
    upd.company_id = c->id;
    upd.company = &r.company;
    upd.expected_version = c->version + 5;
    assert_refused("Update", &s, &upd.base, SK_EPRECOND, NULL);
    upd.expected_version = c->version;
    r.company.address = "Jl. Baru 2, Kayuagung";
    Seklik__Bus__Response *resp = call("Update", &s, NULL, true, &upd.base);
    assert_int_equal(it_code(resp), SK_OK);
    Company *after = body(resp, &seklik__registry__company__descriptor);
    assert_int_equal(after->version, c->version + 1);
    assert_string_equal(after->data->address, "Jl. Baru 2, Kayuagung");
    protobuf_c_message_free_unpacked(&after->base, NULL);
    seklik__bus__response__free_unpacked(resp, NULL);
    protobuf_c_message_free_unpacked(&c->base, NULL);
}

static Seklik__Registry__ListCompaniesResponse *list(Seklik__Registry__ListCompaniesRequest *req)
{
    Seklik__Bus__Actor s = staff();
    Seklik__Bus__Response *resp = call("ListCompanies", &s, NULL, false, &req->base);
    assert_int_equal(it_code(resp), SK_OK);
    Seklik__Registry__ListCompaniesResponse *page =
        body(resp, &seklik__registry__list_companies_response__descriptor);
    seklik__bus__response__free_unpacked(resp, NULL);
    return page;
}

static void list_filters_and_pages_through_every_company(void **state)
{
    (void)state;
    for (int i = 0; i < 25; i++) {
        char name[64];
        snprintf(name, sizeof(name), "PT Halaman %02d", i);
        Company *c = register_named(name);
        protobuf_c_message_free_unpacked(&c->base, NULL);
    }
    /* pages of 10 over "halaman": 10 + 10 + 5, in name order, no repeats */
    Seklik__Registry__ListCompaniesRequest req = SEKLIK__REGISTRY__LIST_COMPANIES_REQUEST__INIT;
    req.query = "halaman";
    req.page_size = 10;
    int seen = 0;
    char last[64] = "";
    char *token = NULL;
    for (int page_no = 0; page_no < 4; page_no++) {
        req.page_token = token ? token : "";
        Seklik__Registry__ListCompaniesResponse *page = list(&req);
        for (size_t i = 0; i < page->n_companies; i++) {
            assert_true(strcmp(page->companies[i]->legal_name, last) > 0);
            snprintf(last, sizeof(last), "%s", page->companies[i]->legal_name);
            assert_int_equal(page->companies[i]->outlet_count, 1);
            assert_int_equal(page->companies[i]->n_outlet_types, 1);
            seen++;
        }
        free(token);
        token = page->next_page_token[0] ? strdup(page->next_page_token) : NULL;
        protobuf_c_message_free_unpacked(&page->base, NULL);
        if (!token)
            break;
    }
    assert_int_equal(seen, 25);
    assert_null(token);

    /* by an outlet's name, case-insensitive */
    req.page_token = "";
    req.query = "PORTAL PT HALAMAN 07";
    Seklik__Registry__ListCompaniesResponse *page = list(&req);
    assert_int_equal(page->n_companies, 1);
    assert_string_equal(page->companies[0]->legal_name, "PT Halaman 07");
    protobuf_c_message_free_unpacked(&page->base, NULL);

    /* by status and outlet type */
    req.query = "halaman";
    req.page_size = 100;
    req.status = SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_SUBMITTED;
    page = list(&req);
    assert_int_equal(page->n_companies, 0);
    protobuf_c_message_free_unpacked(&page->base, NULL);
    req.status = SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_DRAFT;
    req.outlet_type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_SIBER;
    page = list(&req);
    assert_int_equal(page->n_companies, 25);
    protobuf_c_message_free_unpacked(&page->base, NULL);
    req.outlet_type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_RADIO;
    page = list(&req);
    assert_int_equal(page->n_companies, 0);
    protobuf_c_message_free_unpacked(&page->base, NULL);

    /* a forged token is named */
    req.page_token = "zz";
    Seklik__Bus__Actor s = staff();
    Seklik__Bus__Response *resp = call("ListCompanies", &s, NULL, false, &req.base);
    assert_int_equal(it_code(resp), SK_EINVAL);
    assert_true(it_names_field(resp, "pageToken"));
    seklik__bus__response__free_unpacked(resp, NULL);
}

static void register_retried_with_the_same_key_creates_one_company(void **state)
{
    (void)state;
    reg_req r;
    make_request(&r, "PT Ulang");
    Seklik__Bus__Actor s = staff();
    char key[SK_UUID_STRLEN];
    sk_uuid7(key);
    long long before = count("company");
    Company *first = register_ok(&r, &s, key);
    Company *again = register_ok(&r, &s, key);
    assert_string_equal(first->id, again->id);
    assert_int_equal(count("company"), before + 1);
    protobuf_c_message_free_unpacked(&first->base, NULL);
    protobuf_c_message_free_unpacked(&again->base, NULL);
}

static void partner_without_company_may_register_itself(void **state)
{
    (void)state;
    reg_req r;
    make_request(&r, "PT Daftar Sendiri");
    Seklik__Bus__Actor p = partner("");
    Company *c = register_ok(&r, &p, NULL);
    assert_string_equal(c->registered_by, "partner-user");
    protobuf_c_message_free_unpacked(&c->base, NULL);
}

/* Append an event to the stand-in verification's outbox, as its own
 * sk_outbox_append would (gapless seq from outbox_head). */
static void verification_event(const char *type, const char *company_id, int state,
                               const char *valid_until, const char *reason)
{
    Seklik__Verification__Case vc = SEKLIK__VERIFICATION__CASE__INIT;
    vc.company_id = (char *)company_id;
    vc.state = state;
    vc.valid_until = (char *)valid_until;
    vc.reason = (char *)reason;
    Seklik__Verification__CaseChanged ev = SEKLIK__VERIFICATION__CASE_CHANGED__INIT;
    ev.verification_case = &vc;
    it_inject(dsn, type, &ev.base);
}

/* verification.year.opened for `year` (registration window, CV rule), as
 * the stand-in's event; waits until the registry holds it. */
static void year_opened(int year, const char *opens, const char *closes, bool cv)
{
    Seklik__Verification__FiscalYear y = SEKLIK__VERIFICATION__FISCAL_YEAR__INIT;
    y.fiscal_year = year;
    y.registration_opens_on = (char *)opens;
    y.registration_closes_on = (char *)closes;
    y.cv_allowed = cv;
    Seklik__Verification__YearOpened ev = SEKLIK__VERIFICATION__YEAR_OPENED__INIT;
    ev.year = &y;
    it_inject(dsn, "verification.year.opened", &ev.base);
    static const char sql[] =
        "SELECT count(*) FROM registry.fiscal_year WHERE fiscal_year = $1::int"
        " AND registration_closes_on = $2::date AND cv_allowed = $3::bool";
    char year_text[16];
    snprintf(year_text, sizeof(year_text), "%d", year);
    const char *params[] = {year_text, closes, cv ? "true" : "false"};
    for (int i = 0; i < 100 && sk_test_sql_number_params(dsn, sql, 3, params) != 1; i++)
        sk_test_sleep_ms(100);
    assert_int_equal(sk_test_sql_number_params(dsn, sql, 3, params), 1);
}

/* 2027 open for registration whatever today is. */
static void year_2027_open(void)
{
    year_opened(2027, "2000-01-01", "2099-12-31", false);
}

/* Wait until the company's status column reads `want`. */
static bool wait_status(const char *company_id, const char *want)
{
    const char *params[] = {company_id, want};
    for (int i = 0; i < 100; i++) {
        if (sk_test_sql_number_params(dsn,
                                      "SELECT count(*) FROM registry.company WHERE id = $1::uuid"
                                      " AND status = $2",
                                      2, params) == 1)
            return true;
        sk_test_sleep_ms(100);
    }
    return false;
}

static void verification_outcomes_update_the_status_without_an_event(void **state)
{
    (void)state;
    Company *c = register_named("PT Diverifikasi");
    Seklik__Bus__Actor s = staff();
    year_2027_open();
    Seklik__Registry__SubmitRequest sub = SEKLIK__REGISTRY__SUBMIT_REQUEST__INIT;
    sub.company_id = c->id;
    sub.fiscal_year = 2027;
    Seklik__Bus__Response *resp = call("Submit", &s, NULL, true, &sub.base);
    assert_int_equal(it_code(resp), SK_OK);
    seklik__bus__response__free_unpacked(resp, NULL);
    long long events = count("outbox");

    verification_event("verification.case.opened", c->id,
                       SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_OPENED, "", "");
    verification_event("verification.document.expiring", c->id, 0, "", ""); /* not for us */
    verification_event("verification.company.verified", c->id,
                       SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VERIFIED, "2027-12-31", "");
    assert_true(wait_status(c->id, "verified"));

    Seklik__Registry__GetCompanyRequest get = SEKLIK__REGISTRY__GET_COMPANY_REQUEST__INIT;
    get.company_id = c->id;
    resp = call("GetCompany", &s, NULL, false, &get.base);
    Company *now = body(resp, &seklik__registry__company__descriptor);
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_int_equal(now->status, SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_VERIFIED);
    assert_string_equal(now->verified_until, "2027-12-31");
    assert_true(now->version > c->version);
    protobuf_c_message_free_unpacked(&now->base, NULL);

    verification_event("verification.company.suspended", c->id,
                       SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_SUSPENDED, "",
                       "dokumen palsu");
    assert_true(wait_status(c->id, "suspended"));
    assert_int_equal(
        sk_test_sql_number_p(dsn,
                             "SELECT count(*) FROM registry.company WHERE id = $1::uuid"
                             " AND status_reason = 'dokumen palsu' AND verified_until IS NULL",
                             c->id),
        1);
    /* audited as the system: in_review, verified, suspended */
    assert_int_equal(
        sk_test_sql_number_p(dsn,
                             "SELECT count(*) FROM registry.audit_log WHERE entity_id = $1"
                             " AND action = 'company.verification'",
                             c->id),
        3);
    /* and nothing went back on the bus */
    assert_int_equal(count("outbox"), events);
    protobuf_c_message_free_unpacked(&c->base, NULL);
}

/* ---- field limits (common/sk_limits, enforced by the RPC server) ---- */

static long long idempotency_rows(const char *key)
{
    if (!key)
        return sk_test_sql_number(dsn, "SELECT count(*) FROM registry.idempotency");
    return sk_test_sql_number_p(dsn, "SELECT count(*) FROM registry.idempotency WHERE key = $1", key);
}

/* The 1 MB domicile letter number of issue 10, and the other fields that had
 * no bound: refused naming each, and not one row, audit entry, event or
 * idempotency record written; the same key then works for a valid request. */
static void oversized_fields_are_refused_before_anything_is_written(void **state)
{
    (void)state;
    Seklik__Bus__Actor a = staff();
    reg_req r;
    make_request(&r, "PT Raksasa");
    char *huge = malloc(1024 * 1024 + 1);
    assert_non_null(huge);
    memset(huge, '7', 1024 * 1024);
    huge[1024 * 1024] = '\0';
    r.company.domicile_letter_number = huge;
    char sk[102];
    memset(sk, 'K', 101);
    sk[101] = '\0';
    r.company.sk_kemenkumham = sk;
    char bank[202];
    memset(bank, 'B', 201);
    bank[201] = '\0';
    r.bank.bank_name = bank;
    Seklik__Registry__Contact contact = SEKLIK__REGISTRY__CONTACT__INIT, *contacts[21];
    contact.name = "Redaksi";
    for (int i = 0; i < 21; i++)
        contacts[i] = &contact;
    r.company.contacts = contacts;
    r.company.n_contacts = 21;
    r.outlet.frequency = huge;
    r.outlet.monthly_visitors = INT64_MAX;

    char key[SK_UUID_STRLEN];
    sk_uuid7(key);
    counts before = snapshot();
    long long idem = idempotency_rows(NULL);
    Seklik__Bus__Response *resp = call("RegisterCompany", &a, key, true, &r.req.base);
    assert_int_equal(it_code(resp), SK_EINVAL);
    static const char *const named[] = {"company.domicileLetterNumber", "company.skKemenkumham",
                                        "company.bankAccount.bankName", "company.contacts",
                                        "outlets[0].frequency", "outlets[0].monthlyVisitors"};
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
        if (!it_names_field(resp, named[i]))
            fail_msg("%s not named (message: %s)", named[i], resp->message);
    assert_int_equal(resp->n_violations, sizeof(named) / sizeof(named[0]));
    /* each with the walk's code and its limit in the English text */
    assert_true(it_names_field_code(resp, "company.domicileLetterNumber", "too_long"));
    assert_true(it_names_field_code(resp, "company.contacts", "too_many"));
    assert_true(it_names_field_code(resp, "outlets[0].monthlyVisitors", "out_of_range"));
    for (size_t i = 0; i < resp->n_violations; i++)
        if (strcmp(resp->violations[i]->field, "company.skKemenkumham") == 0)
            assert_string_equal(resp->violations[i]->description, "at most 100 characters");
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_unchanged(before);
    assert_int_equal(idempotency_rows(NULL), idem);
    free(huge);

    /* at the limits it is a company like any other, under the same key */
    char dom[101];
    memset(dom, 'D', 100);
    dom[100] = '\0';
    r.company.domicile_letter_number = dom;
    sk[100] = '\0';
    bank[200] = '\0';
    r.company.n_contacts = 20;
    r.outlet.frequency = "FM 101,5 MHz";
    r.outlet.monthly_visitors = 10000000000LL;
    Company *c = register_ok(&r, &a, key);
    assert_string_equal(c->data->domicile_letter_number, dom);
    assert_int_equal(c->data->n_contacts, 20);
    assert_int_equal(idempotency_rows(key), 1);
    protobuf_c_message_free_unpacked(&c->base, NULL);
}

/* protobuf-c passes invalid UTF-8 through; PostgreSQL refused it as an
 * INTERNAL error. Now each such field is named. */
static void invalid_utf8_is_a_field_error_not_internal(void **state)
{
    (void)state;
    Seklik__Bus__Actor a = staff();
    reg_req r;
    make_request(&r, "PT UTF");
    r.company.domicile_letter_number = "470/\xED\xA0\x80/2024"; /* a surrogate */
    r.outlet.frequency = "FM 101\xE2\x82";                     /* cut short */
    r.journalist.press_card_number = "\xC0\xAF";                /* overlong */
    assert_refused("RegisterCompany", &a, &r.req.base, SK_EINVAL, "company.domicileLetterNumber");
    assert_refused("RegisterCompany", &a, &r.req.base, SK_EINVAL, "outlets[0].frequency");
    assert_refused("RegisterCompany", &a, &r.req.base, SK_EINVAL, "people[1].pressCardNumber");

    Company *c = register_named("PT UTF Dokumen");
    Seklik__Bus__Response *resp = upload(&a, c->id, PDF, sizeof(PDF) - 1, "npwp\xFF.pdf");
    assert_int_equal(it_code(resp), SK_EINVAL);
    assert_true(it_names_field(resp, "document.fileName"));
    seklik__bus__response__free_unpacked(resp, NULL);
    protobuf_c_message_free_unpacked(&c->base, NULL);
}

static void upper(char *s)
{
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'f')
            *s = (char)(*s - 'a' + 'A');
}

/* Ids are compared as text (a partner's company, a person of the company,
 * cache keys): an id typed in upper case is the same id. */
static void upper_case_ids_behave_like_lower_case(void **state)
{
    (void)state;
    Company *c = register_named("PT Huruf Besar");
    Seklik__Bus__Actor pa = partner(c->id);
    char company_id[SK_UUID_STRLEN], person_id[SK_UUID_STRLEN];
    snprintf(company_id, sizeof(company_id), "%s", c->id);
    snprintf(person_id, sizeof(person_id), "%s", c->people[1]->id);
    upper(company_id);
    upper(person_id);
    assert_string_not_equal(company_id, c->id);

    /* the partner reads its own company by the upper-case id */
    Seklik__Registry__GetCompanyRequest get = SEKLIK__REGISTRY__GET_COMPANY_REQUEST__INIT;
    get.company_id = company_id;
    Seklik__Bus__Response *resp = call("GetCompany", &pa, NULL, false, &get.base);
    Company *now = body(resp, &seklik__registry__company__descriptor);
    assert_string_equal(now->id, c->id);
    protobuf_c_message_free_unpacked(&now->base, NULL);
    seklik__bus__response__free_unpacked(resp, NULL);

    /* and uploads a journalist's UKW certificate with both ids in upper case */
    Seklik__Registry__DocumentInput d = SEKLIK__REGISTRY__DOCUMENT_INPUT__INIT;
    d.type = SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_UKW;
    d.number = "UKW-002";
    d.file_name = "ukw.pdf";
    d.content.data = (uint8_t *)PDF;
    d.content.len = sizeof(PDF) - 1;
    d.person_id = person_id;
    Seklik__Registry__UploadDocumentRequest up = SEKLIK__REGISTRY__UPLOAD_DOCUMENT_REQUEST__INIT;
    up.company_id = company_id;
    up.document = &d;
    resp = call("UploadDocument", &pa, NULL, true, &up.base);
    if (it_code(resp) != SK_OK)
        fprintf(stderr, "UploadDocument: %s\n", resp->message);
    Seklik__Registry__Document *doc = body(resp, &seklik__registry__document__descriptor);
    assert_string_equal(doc->person_id, c->people[1]->id);
    seklik__bus__response__free_unpacked(resp, NULL);
    const char *owners[] = {c->id, c->people[1]->id};
    assert_int_equal(
        sk_test_sql_number_params(dsn,
                                  "SELECT count(*) FROM registry.document WHERE company_id = $1"
                                  " AND person_id = $2",
                                  2, owners),
        1);

    /* the file, by its id in upper case */
    char document_id[SK_UUID_STRLEN];
    snprintf(document_id, sizeof(document_id), "%s", doc->id);
    upper(document_id);
    Seklik__Registry__GetDocumentFileRequest gf = SEKLIK__REGISTRY__GET_DOCUMENT_FILE_REQUEST__INIT;
    gf.document_id = document_id;
    resp = call("GetDocumentFile", &pa, NULL, false, &gf.base);
    Seklik__Registry__DocumentFile *f = body(resp, &seklik__registry__document_file__descriptor);
    assert_string_equal(f->document->id, doc->id);
    assert_int_equal(f->content.len, sizeof(PDF) - 1);
    protobuf_c_message_free_unpacked(&f->base, NULL);
    seklik__bus__response__free_unpacked(resp, NULL);

    /* not a UUID at all: named, before any SQL */
    get.company_id = "PT-HURUF-BESAR";
    resp = call("GetCompany", &pa, NULL, false, &get.base);
    assert_int_equal(it_code(resp), SK_EINVAL);
    assert_true(it_names_field(resp, "companyId"));
    seklik__bus__response__free_unpacked(resp, NULL);
    protobuf_c_message_free_unpacked(&doc->base, NULL);
    protobuf_c_message_free_unpacked(&c->base, NULL);
}

/* ---- one company per partner account ---- */

typedef struct {
    reg_req r;
    Seklik__Bus__Actor actor;
    Seklik__Bus__Response *resp;
    int rc;
} concurrent_register;

static void *register_thread(void *arg)
{
    concurrent_register *job = arg;
    char key[SK_UUID_STRLEN];
    sk_uuid7(key);
    job->rc = sk_rpc_call(rpc, "Registry.RegisterCompany", &job->actor, key, &job->r.req.base,
                          20000, &job->resp);
    return NULL;
}

static void eight_concurrent_registrations_by_one_partner_make_one_company(void **state)
{
    (void)state;
    enum { N = 8 };
    static concurrent_register jobs[N];
    pthread_t threads[N];
    long long before = count("company");
    for (int i = 0; i < N; i++) {
        char name[64];
        snprintf(name, sizeof(name), "PT Serentak %d", i); /* each with its own data */
        make_request(&jobs[i].r, name);
        jobs[i].actor = it_actor("partner-eager", "partner", "");
        jobs[i].resp = NULL;
    }
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, register_thread, &jobs[i]), 0);
    for (int i = 0; i < N; i++)
        pthread_join(threads[i], NULL);

    /* Every answer is the one company, so the gateway binds any of them. */
    char first[64] = "";
    for (int i = 0; i < N; i++) {
        assert_int_equal(jobs[i].rc, SK_OK);
        if (it_code(jobs[i].resp) != SK_OK)
            fprintf(stderr, "call %d: %s\n", i, jobs[i].resp->message);
        assert_int_equal(it_code(jobs[i].resp), SK_OK);
        Company *c = body(jobs[i].resp, &seklik__registry__company__descriptor);
        if (!first[0])
            snprintf(first, sizeof(first), "%s", c->id);
        assert_string_equal(c->id, first);
        assert_string_equal(c->registered_by, "partner-eager");
        protobuf_c_message_free_unpacked(&c->base, NULL);
        seklik__bus__response__free_unpacked(jobs[i].resp, NULL);
    }
    assert_int_equal(count("company"), before + 1);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM registry.company "
                                             "WHERE partner_user_id = 'partner-eager'"),
                     1);
    /* Only the winner's people exist: no NIK held by an unreachable company. */
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM registry.person p JOIN "
                                             "registry.company c ON c.id = p.company_id WHERE "
                                             "c.legal_name LIKE 'PT Serentak %'"),
                     2);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM registry.audit_log "
                                             "WHERE action = 'company.register' "
                                             "AND user_id = 'partner-eager'"),
                     1);
}

/* ---- no oracle of registered numbers for partners ---- */

/* The parts of an answer a caller sees besides the new ids. */
static void assert_same_answer(const Seklik__Bus__Response *a, const Seklik__Bus__Response *b)
{
    assert_int_equal(a->code, b->code);
    assert_string_equal(a->message, b->message);
    assert_int_equal(a->n_violations, b->n_violations);
}

static void partner_probing_numbers_learns_nothing_and_the_verifier_is_told(void **state)
{
    (void)state;
    reg_req held, probe, fresh;
    make_request(&held, "PT Pemilik NPWP");
    Seklik__Bus__Actor s = staff();
    Company *owner = register_ok(&held, &s, NULL);

    /* The same request twice but for the NPWP and NIK: one that exists, one that does not. */
    make_request(&probe, "PT Penebak");
    probe.company.npwp = held.npwp;
    probe.journalist.nik = held.nik2;
    make_request(&fresh, "PT Penebak Lain");
    Seklik__Bus__Actor p1 = it_actor("partner-probe-1", "partner", "");
    Seklik__Bus__Actor p2 = it_actor("partner-probe-2", "partner", "");
    Seklik__Bus__Response *taken = call("RegisterCompany", &p1, NULL, true, &probe.req.base);
    Seklik__Bus__Response *free_ = call("RegisterCompany", &p2, NULL, true, &fresh.req.base);
    assert_int_equal(it_code(taken), SK_OK);
    assert_same_answer(taken, free_);
    Company *c1 = body(taken, &seklik__registry__company__descriptor);
    Company *c2 = body(free_, &seklik__registry__company__descriptor);
    seklik__bus__response__free_unpacked(taken, NULL);
    seklik__bus__response__free_unpacked(free_, NULL);

    /* Adding a person and changing the NPWP answer alike too. */
    Seklik__Registry__PersonInput p = SEKLIK__REGISTRY__PERSON_INPUT__INIT;
    p.role = SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_JOURNALIST;
    p.name = "Wartawan Tebakan";
    Seklik__Registry__AddPersonRequest add = SEKLIK__REGISTRY__ADD_PERSON_REQUEST__INIT;
    add.person = &p;
    Seklik__Bus__Actor b1 = partner(c1->id), b2 = partner(c2->id);
    add.company_id = c1->id;
    p.nik = held.nik1;
    taken = call("AddPerson", &b1, NULL, true, &add.base);
    add.company_id = c2->id;
    p.nik = "3271999999999999";
    free_ = call("AddPerson", &b2, NULL, true, &add.base);
    assert_int_equal(it_code(taken), SK_OK);
    assert_same_answer(taken, free_);
    seklik__bus__response__free_unpacked(taken, NULL);
    seklik__bus__response__free_unpacked(free_, NULL);
    /* Its own people are still its own business: told plainly. */
    add.company_id = c1->id;
    p.nik = held.nik1;
    assert_refused("AddPerson", &b1, &add.base, SK_EINVAL, "person.nik");

    /* Staff are still told plainly. */
    reg_req dup;
    make_request(&dup, "PT Staf Ganda");
    dup.company.npwp = held.npwp;
    assert_refused("RegisterCompany", &s, &dup.req.base, SK_EINVAL, "company.npwp");

    /* Submitted, the clash travels to verification for staff. */
    year_2027_open();
    Seklik__Registry__SubmitRequest sub = SEKLIK__REGISTRY__SUBMIT_REQUEST__INIT;
    sub.company_id = c1->id;
    sub.fiscal_year = 2027;
    Seklik__Bus__Response *resp = call("Submit", &b1, NULL, true, &sub.base);
    assert_int_equal(it_code(resp), SK_OK);
    seklik__bus__response__free_unpacked(resp, NULL);
    PGconn *pg = PQconnectdb(dsn);
    assert_int_equal(PQstatus(pg), CONNECTION_OK);
    PGresult *r = PQexecParams(pg,
                               "SELECT body FROM registry.outbox WHERE type ="
                               " 'registry.company.submitted' ORDER BY seq DESC LIMIT 1",
                               0, NULL, NULL, NULL, NULL, 1);
    assert_int_equal(PQntuples(r), 1);
    Seklik__Registry__CompanyChanged *ev = seklik__registry__company_changed__unpack(
        NULL, (size_t)PQgetlength(r, 0, 0), (const uint8_t *)PQgetvalue(r, 0, 0));
    assert_non_null(ev);
    assert_string_equal(ev->company->id, c1->id);
    int npwp = 0, nik = 0;
    for (size_t i = 0; i < ev->n_identity_clashes; i++) {
        const Seklik__Registry__IdentityClash *k = ev->identity_clashes[i];
        assert_string_equal(k->other_company_id, owner->id);
        npwp += strcmp(k->kind, "npwp") == 0;
        nik += strcmp(k->kind, "nik") == 0 && k->person_id[0];
    }
    assert_int_equal(npwp, 1);
    assert_int_equal(nik, 2); /* the journalist of the request and the person added */
    seklik__registry__company_changed__free_unpacked(ev, NULL);
    PQclear(r);
    PQfinish(pg);
    protobuf_c_message_free_unpacked(&owner->base, NULL);
    protobuf_c_message_free_unpacked(&c1->base, NULL);
    protobuf_c_message_free_unpacked(&c2->base, NULL);
}

/* ---- bank account: the partner's own ---- */

static Seklik__Bus__Response *update_bank(const Seklik__Bus__Actor *who, const char *company_id,
                                          reg_req *r, const char *account)
{
    r->bank.account_number = (char *)account;
    Seklik__Registry__UpdateRequest upd = SEKLIK__REGISTRY__UPDATE_REQUEST__INIT;
    upd.company_id = (char *)company_id;
    upd.company = &r->company;
    return call("Update", who, NULL, true, &upd.base);
}

static void only_the_partner_changes_its_bank_account(void **state)
{
    (void)state;
    reg_req r;
    make_request(&r, "PT Rekening Mitra");
    Seklik__Bus__Actor self = it_actor("partner-bank", "partner", "");
    Company *c = register_ok(&r, &self, NULL);
    Seklik__Bus__Actor mine = it_actor("partner-bank", "partner", c->id);
    Seklik__Bus__Actor verifier = it_actor("verifier-bank", "verifier", NULL);
    Seklik__Bus__Actor admin = it_actor("admin-bank", "admin", NULL);

    /* Staff: refused whatever the role, nothing written. */
    r.bank.account_number = "9999000011";
    Seklik__Registry__UpdateRequest upd = SEKLIK__REGISTRY__UPDATE_REQUEST__INIT;
    upd.company_id = c->id;
    upd.company = &r.company;
    assert_refused("Update", &verifier, &upd.base, SK_EPERM, NULL);
    assert_refused("Update", &admin, &upd.base, SK_EPERM, NULL);
    Seklik__Bus__Response *resp = call("Update", &verifier, NULL, true, &upd.base);
    assert_non_null(strstr(resp->message, "bank.partner_only"));
    seklik__bus__response__free_unpacked(resp, NULL);
    r.bank.holder_name = "Orang Lain";
    r.bank.account_number = "1234567890";
    assert_refused("Update", &verifier, &upd.base, SK_EPERM, NULL);
    r.bank.holder_name = r.name;

    /* Staff may change other data, the account as it is (however typed). */
    r.company.address = "Jl. Staf Ubah 3";
    resp = update_bank(&verifier, c->id, &r, "12-3456-7890");
    assert_int_equal(it_code(resp), SK_OK);
    seklik__bus__response__free_unpacked(resp, NULL);

    /* The partner changes its own; the audit trail shows before and after. */
    resp = update_bank(&mine, c->id, &r, "5555666677");
    assert_int_equal(it_code(resp), SK_OK);
    Company *after = body(resp, &seklik__registry__company__descriptor);
    assert_string_equal(after->data->bank_account->account_number, "5555666677");
    protobuf_c_message_free_unpacked(&after->base, NULL);
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_int_equal(
        sk_test_sql_number_p(dsn,
                             "SELECT count(*) FROM registry.audit_log WHERE entity_id = $1"
                             " AND action = 'company.update' AND user_id = 'partner-bank'"
                             " AND before->'bankAccount'->>'accountNumber' = '12-3456-7890'"
                             " AND after->'bankAccount'->>'accountNumber' = '5555666677'",
                             c->id),
        1);

    /* A staff member entering a company of their own: free while it is the
     * first draft, refused once it was submitted and came back. */
    reg_req sr;
    make_request(&sr, "PT Rekening Staf");
    Company *sc = register_ok(&sr, &verifier, NULL);
    resp = update_bank(&verifier, sc->id, &sr, "7777888899");
    assert_int_equal(it_code(resp), SK_OK);
    seklik__bus__response__free_unpacked(resp, NULL);
    resp = update_bank(&admin, sc->id, &sr, "7777888800"); /* not the registrant */
    assert_int_equal(it_code(resp), SK_EPERM);
    seklik__bus__response__free_unpacked(resp, NULL);
    year_2027_open();
    Seklik__Registry__SubmitRequest sub = SEKLIK__REGISTRY__SUBMIT_REQUEST__INIT;
    sub.company_id = sc->id;
    sub.fiscal_year = 2027;
    resp = call("Submit", &verifier, NULL, true, &sub.base);
    assert_int_equal(it_code(resp), SK_OK);
    seklik__bus__response__free_unpacked(resp, NULL);
    verification_event("verification.case.updated", sc->id,
                       SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_NEEDS_REVISION, "", "");
    assert_true(wait_status(sc->id, "needs_revision"));
    sr.bank.account_number = "7777888800";
    Seklik__Registry__UpdateRequest su = SEKLIK__REGISTRY__UPDATE_REQUEST__INIT;
    su.company_id = sc->id;
    su.company = &sr.company;
    assert_refused("Update", &verifier, &su.base, SK_EPERM, NULL);
    protobuf_c_message_free_unpacked(&sc->base, NULL);
    protobuf_c_message_free_unpacked(&c->base, NULL);
}


/* ---- issue 11 ---- */

/* One taxpayer, one NPWP: the 15-digit number and its 16-digit form ("0"
 * and the 15 digits) are the same; staff registering it twice are told. */
static void npwp_15_and_16_digits_are_one_taxpayer(void **state)
{
    (void)state;
    Seklik__Bus__Actor a = staff();
    reg_req first, second;
    make_request(&first, "PT Lima Belas");
    first.company.npwp = "02.111.222.3-444.555";
    Company *c = register_ok(&first, &a, NULL);
    assert_string_equal(c->data->npwp, "0021112223444555");
    make_request(&second, "PT Enam Belas");
    second.company.npwp = "0021112223444555";
    assert_refused_code("RegisterCompany", &a, &second.req.base, "company.npwp", "npwp.taken");
    /* And the other way round: the 16-digit form first. */
    make_request(&first, "PT Enam Belas Dulu");
    first.company.npwp = "0 031 112 223 444 555";
    Company *d = register_ok(&first, &a, NULL);
    make_request(&second, "PT Lima Belas Kemudian");
    second.company.npwp = "031112223444555";
    assert_refused("RegisterCompany", &a, &second.req.base, SK_EINVAL, "company.npwp");
    protobuf_c_message_free_unpacked(&c->base, NULL);
    protobuf_c_message_free_unpacked(&d->base, NULL);
}

/* A PT needs its SK Kemenkumham number and domicile letter number. */
static void a_pt_names_its_decree_and_domicile_letter(void **state)
{
    (void)state;
    Seklik__Bus__Actor a = staff();
    reg_req r;
    make_request(&r, "PT Tanpa SK");
    r.company.sk_kemenkumham = "";
    assert_refused("RegisterCompany", &a, &r.req.base, SK_EINVAL, "company.skKemenkumham");
    make_request(&r, "PT Tanpa Domisili");
    r.company.domicile_letter_number = NULL;
    assert_refused("RegisterCompany", &a, &r.req.base, SK_EINVAL, "company.domicileLetterNumber");
    make_request(&r, "Yayasan Tanpa SK");
    r.company.legal_form = SEKLIK__REGISTRY__LEGAL_FORM__LEGAL_FORM_YAYASAN;
    r.company.sk_kemenkumham = "";
    r.company.domicile_letter_number = "";
    Company *c = register_ok(&r, &a, NULL);
    protobuf_c_message_free_unpacked(&c->base, NULL);
}

/* Submitting for a year is the year's rule: opened by verification, inside
 * its registration window, its list not final, a CV only when allowed. Each
 * refusal names fiscalYear with its code and changes nothing. */
static void submit_follows_the_years_rules(void **state)
{
    (void)state;
    Seklik__Bus__Actor s = staff();
    reg_req r;
    make_request(&r, "CV Warta Musi");
    r.company.legal_form = SEKLIK__REGISTRY__LEGAL_FORM__LEGAL_FORM_CV;
    Company *cv = register_ok(&r, &s, NULL);
    Company *pt = register_named("PT Tepat Waktu");
    Seklik__Registry__SubmitRequest sub = SEKLIK__REGISTRY__SUBMIT_REQUEST__INIT;
    sub.company_id = pt->id;
    const struct {
        int year;
        const char *opens, *closes, *code;
    } years[] = {
        {2041, NULL, NULL, "registration.year_not_open"},
        {2042, "2001-01-01", "2001-12-31", "registration.closed"},
        {2043, "2099-01-01", "2099-12-31", "registration.not_yet_open"},
    };
    for (size_t i = 0; i < sizeof(years) / sizeof(years[0]); i++) {
        if (years[i].opens)
            year_opened(years[i].year, years[i].opens, years[i].closes, false);
        sub.fiscal_year = years[i].year;
        counts before = snapshot();
        Seklik__Bus__Response *resp = call("Submit", &s, NULL, true, &sub.base);
        assert_int_equal(it_code(resp), SK_EINVAL);
        assert_true(it_names_field(resp, "fiscalYear"));
        assert_string_equal(resp->violations[0]->code, years[i].code);
        seklik__bus__response__free_unpacked(resp, NULL);
        assert_unchanged(before);
    }
    /* A CV only in a year that takes CVs. */
    year_opened(2044, "2000-01-01", "2099-12-31", false);
    sub.company_id = cv->id;
    sub.fiscal_year = 2044;
    Seklik__Bus__Response *resp = call("Submit", &s, NULL, true, &sub.base);
    assert_int_equal(it_code(resp), SK_EINVAL);
    assert_string_equal(resp->violations[0]->code, "legal_form.cv_not_allowed");
    seklik__bus__response__free_unpacked(resp, NULL);
    year_opened(2044, "2000-01-01", "2099-12-31", true);
    resp = call("Submit", &s, NULL, true, &sub.base);
    assert_int_equal(it_code(resp), SK_OK);
    seklik__bus__response__free_unpacked(resp, NULL);
    /* The same settings again (a replayed event) change nothing, not even the trail. */
    year_opened(2044, "2000-01-01", "2099-12-31", true);
    static const char sql[] =
        "SELECT count(*) FROM registry.inbox_offsets WHERE source = 'verification'"
        " AND last_seq = $1::bigint";
    char seq[24];
    for (int i = 0; i < 100; i++) {
        long long head = sk_test_sql_number(dsn, "SELECT last_seq FROM testpub.outbox_head");
        snprintf(seq, sizeof(seq), "%lld", head);
        if (sk_test_sql_number_p(dsn, sql, seq) == 1)
            break;
        sk_test_sleep_ms(100);
    }
    assert_int_equal(sk_test_sql_number_p(dsn, sql, seq), 1);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM registry.audit_log WHERE "
                                             "action = 'fiscal_year.opened' AND entity_id = '2044'"),
                     2);

    /* Once the year's list is final, nobody joins it. */
    Seklik__Verification__Announcement a = SEKLIK__VERIFICATION__ANNOUNCEMENT__INIT;
    a.fiscal_year = 2044;
    a.finalized = true;
    Seklik__Verification__ListFinalized fin = SEKLIK__VERIFICATION__LIST_FINALIZED__INIT;
    fin.announcement = &a;
    it_inject(dsn, "verification.list.finalized", &fin.base);
    for (int i = 0; i < 100 && sk_test_sql_number(dsn, "SELECT count(*) FROM registry.fiscal_year "
                                                       "WHERE fiscal_year = 2044 AND final") == 0;
         i++)
        sk_test_sleep_ms(100);
    sub.company_id = pt->id;
    resp = call("Submit", &s, NULL, true, &sub.base);
    assert_int_equal(it_code(resp), SK_EINVAL);
    assert_string_equal(resp->violations[0]->code, "registration.year_final");
    seklik__bus__response__free_unpacked(resp, NULL);

    /* What Submit applies, for anyone signed in to see. */
    Seklik__Registry__GetYearRequest gy = SEKLIK__REGISTRY__GET_YEAR_REQUEST__INIT;
    gy.fiscal_year = 2044;
    Seklik__Bus__Actor p = partner(cv->id);
    resp = call("GetYear", &p, NULL, false, &gy.base);
    Seklik__Registry__YearRules *y = body(resp, &seklik__registry__year_rules__descriptor);
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_string_equal(y->registration_opens_on, "2000-01-01");
    assert_string_equal(y->registration_closes_on, "2099-12-31");
    assert_true(y->cv_allowed);
    assert_true(y->final);
    protobuf_c_message_free_unpacked(&y->base, NULL);
    gy.fiscal_year = 2041; /* never opened */
    resp = call("GetYear", &p, NULL, false, &gy.base);
    assert_int_equal(it_code(resp), SK_ENOTFOUND);
    seklik__bus__response__free_unpacked(resp, NULL);
    protobuf_c_message_free_unpacked(&cv->base, NULL);
    protobuf_c_message_free_unpacked(&pt->base, NULL);
}

static Company *get_company(const char *id)
{
    Seklik__Bus__Actor s = staff();
    Seklik__Registry__GetCompanyRequest get = SEKLIK__REGISTRY__GET_COMPANY_REQUEST__INIT;
    get.company_id = (char *)id;
    Seklik__Bus__Response *resp = call("GetCompany", &s, NULL, false, &get.base);
    Company *c = body(resp, &seklik__registry__company__descriptor);
    seklik__bus__response__free_unpacked(resp, NULL);
    return c;
}

/* Verification decides per outlet: the registry keeps each outlet's own
 * outcome, and which final list names it. */
static void each_outlet_keeps_its_own_outcome(void **state)
{
    (void)state;
    Company *c = register_named("PT Dua Media");
    Seklik__Bus__Actor s = staff();
    Seklik__Registry__OutletInput radio = SEKLIK__REGISTRY__OUTLET_INPUT__INIT;
    radio.type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_SIBER;
    radio.scale = SEKLIK__REGISTRY__OUTLET_SCALE__OUTLET_SCALE_LOKAL;
    radio.name = "Portal Kedua";
    radio.url = "https://kedua.example.id";
    Seklik__Registry__AddOutletRequest add = SEKLIK__REGISTRY__ADD_OUTLET_REQUEST__INIT;
    add.company_id = c->id;
    add.outlet = &radio;
    Seklik__Bus__Response *resp = call("AddOutlet", &s, NULL, true, &add.base);
    Seklik__Registry__Outlet *second = body(resp, &seklik__registry__outlet__descriptor);
    seklik__bus__response__free_unpacked(resp, NULL);

    Seklik__Verification__CaseOutlet yes = SEKLIK__VERIFICATION__CASE_OUTLET__INIT;
    yes.outlet_id = c->outlets[0]->id;
    yes.state = SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_VERIFIED;
    yes.valid_until = "2027-12-31";
    Seklik__Verification__CaseOutlet no = SEKLIK__VERIFICATION__CASE_OUTLET__INIT;
    no.outlet_id = second->id;
    no.state = SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_REJECTED;
    no.reason = "Sertifikat palsu";
    Seklik__Verification__CaseOutlet *outlets[] = {&yes, &no};
    Seklik__Verification__Case vc = SEKLIK__VERIFICATION__CASE__INIT;
    vc.company_id = c->id;
    vc.fiscal_year = 2027;
    vc.state = SEKLIK__VERIFICATION__CASE_STATE__CASE_STATE_VERIFIED;
    vc.valid_until = "2027-12-31";
    vc.outlets = outlets;
    vc.n_outlets = 2;
    Seklik__Verification__CaseChanged ev = SEKLIK__VERIFICATION__CASE_CHANGED__INIT;
    ev.verification_case = &vc;
    it_inject(dsn, "verification.company.verified", &ev.base);
    assert_true(wait_status(c->id, "verified"));
    Company *now = get_company(c->id);
    for (size_t i = 0; i < now->n_outlets; i++) {
        const Seklik__Registry__Outlet *o = now->outlets[i];
        bool first = strcmp(o->id, c->outlets[0]->id) == 0;
        assert_int_equal(o->status, first ? SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_VERIFIED
                                          : SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_REJECTED);
        assert_string_equal(o->verified_until, first ? "2027-12-31" : "");
        assert_string_equal(o->status_reason, first ? "" : "Sertifikat palsu");
        assert_int_equal(o->status_fiscal_year, 2027);
        assert_int_equal(o->listed_fiscal_year, 0);
    }
    protobuf_c_message_free_unpacked(&now->base, NULL);

    /* The final list names the verified outlet: the single truth of 2027. */
    Seklik__Verification__ListEntry entry = SEKLIK__VERIFICATION__LIST_ENTRY__INIT, *entries[] = {&entry};
    entry.company_id = c->id;
    entry.outlet_id = c->outlets[0]->id;
    entry.state = SEKLIK__VERIFICATION__OUTLET_STATE__OUTLET_STATE_VERIFIED;
    Seklik__Verification__Announcement a = SEKLIK__VERIFICATION__ANNOUNCEMENT__INIT;
    a.fiscal_year = 2027;
    a.finalized = true;
    a.entries = entries;
    a.n_entries = 1;
    Seklik__Verification__ListFinalized fin = SEKLIK__VERIFICATION__LIST_FINALIZED__INIT;
    fin.announcement = &a;
    it_inject(dsn, "verification.list.finalized", &fin.base);
    static const char sql[] =
        "SELECT count(*) FROM registry.outlet WHERE id = $1::uuid AND listed_fiscal_year = 2027";
    for (int i = 0; i < 100 && sk_test_sql_number_p(dsn, sql, c->outlets[0]->id) == 0; i++)
        sk_test_sleep_ms(100);
    now = get_company(c->id);
    for (size_t i = 0; i < now->n_outlets; i++)
        assert_int_equal(now->outlets[i]->listed_fiscal_year,
                         strcmp(now->outlets[i]->id, c->outlets[0]->id) == 0 ? 2027 : 0);
    protobuf_c_message_free_unpacked(&now->base, NULL);
    protobuf_c_message_free_unpacked(&second->base, NULL);
    protobuf_c_message_free_unpacked(&c->base, NULL);
}

/* A Dewan Pers certificate claims a level (the company's declared one when
 * the upload names none); no other document claims one. */
static void a_dewan_pers_certificate_claims_its_level(void **state)
{
    (void)state;
    reg_req r;
    make_request(&r, "PT Dewan Pers");
    r.company.dewan_pers_status = SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_FAKTUAL;
    Seklik__Bus__Actor s = staff();
    Company *c = register_ok(&r, &s, NULL);
    Seklik__Registry__DocumentInput d = SEKLIK__REGISTRY__DOCUMENT_INPUT__INIT;
    d.type = SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_DEWAN_PERS;
    d.number = "DP-1";
    d.file_name = "dp.pdf";
    d.content.data = (uint8_t *)PDF;
    d.content.len = sizeof(PDF) - 1;
    Seklik__Registry__UploadDocumentRequest req = SEKLIK__REGISTRY__UPLOAD_DOCUMENT_REQUEST__INIT;
    req.company_id = c->id;
    req.document = &d;
    Seklik__Bus__Response *resp = call("UploadDocument", &s, NULL, true, &req.base);
    Seklik__Registry__Document *doc = body(resp, &seklik__registry__document__descriptor);
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_int_equal(doc->dewan_pers_status, SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_FAKTUAL);
    protobuf_c_message_free_unpacked(&doc->base, NULL);
    d.dewan_pers_status = SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_ADMINISTRATIF;
    resp = call("UploadDocument", &s, NULL, true, &req.base);
    doc = body(resp, &seklik__registry__document__descriptor);
    seklik__bus__response__free_unpacked(resp, NULL);
    assert_int_equal(doc->dewan_pers_status,
                     SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_ADMINISTRATIF);
    protobuf_c_message_free_unpacked(&doc->base, NULL);
    d.type = SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_NPWP;
    assert_refused("UploadDocument", &s, &req.base, SK_EINVAL, "document.dewanPersStatus");
    protobuf_c_message_free_unpacked(&c->base, NULL);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s TESTPUB TESTSUB LOGDIR SEKLIK-REGISTRY\n", argv[0]);
        return 2;
    }
    registry_bin = argv[4];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_company_is_registered_as_draft_with_an_event),
        cmocka_unit_test(each_invalid_input_names_the_field_and_stores_nothing),
        cmocka_unit_test(duplicate_npwp_and_nik_across_companies_are_refused),
        cmocka_unit_test(partner_cannot_read_or_change_another_company),
        cmocka_unit_test(reupload_is_a_new_version_and_the_file_comes_back),
        cmocka_unit_test(submit_marks_submitted_and_the_event_carries_the_company),
        cmocka_unit_test(update_checks_the_version_and_bumps_it),
        cmocka_unit_test(list_filters_and_pages_through_every_company),
        cmocka_unit_test(register_retried_with_the_same_key_creates_one_company),
        cmocka_unit_test(partner_without_company_may_register_itself),
        cmocka_unit_test(verification_outcomes_update_the_status_without_an_event),
        cmocka_unit_test(oversized_fields_are_refused_before_anything_is_written),
        cmocka_unit_test(invalid_utf8_is_a_field_error_not_internal),
        cmocka_unit_test(upper_case_ids_behave_like_lower_case),
        cmocka_unit_test(eight_concurrent_registrations_by_one_partner_make_one_company),
        cmocka_unit_test(partner_probing_numbers_learns_nothing_and_the_verifier_is_told),
        cmocka_unit_test(only_the_partner_changes_its_bank_account),
        cmocka_unit_test(npwp_15_and_16_digits_are_one_taxpayer),
        cmocka_unit_test(a_pt_names_its_decree_and_domicile_letter),
        cmocka_unit_test(submit_follows_the_years_rules),
        cmocka_unit_test(each_outlet_keeps_its_own_outcome),
        cmocka_unit_test(a_dewan_pers_certificate_claims_its_level),
    };
    return it_main2(argc, argv, tests, sizeof(tests) / sizeof(tests[0]), start_registry,
                    stop_registry);
}
