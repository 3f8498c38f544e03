/* bench_registry - onboarding at a regency's scale, against PostgreSQL in
 * the same run.
 *
 * Seeds N companies (one online outlet, a chief editor, a journalist) and
 * four documents each through the real RPCs with 4 concurrent clients: that
 * is the registration and upload throughput. Then ListCompanies with and
 * without a name search, p50/p99 over many calls. References, same server:
 * pgbench single-row INSERT commits/s, and pgbench running the same kind of
 * list and search SELECT the service runs. argv[4] = seklik-registry. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "../integration/it_common.h"
#include "seklik/registry.pb-c.h"

static int n_companies = 10000;
static int docs_per_company = 4;
static int list_calls = 2000;
static const int clients = 4;

static Seklik__Bus__Actor staff(void)
{
    return it_actor("bench-staff", "partnership", NULL);
}

static const uint8_t pdf[] =
    /* a PDF with one page: the services open what they store (sk_pdf.h) */
    "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n"
    "trailer<</Root 1 0 R>>\n%%EOF\n";

static const char *const words[] = {"Kabar", "Warta", "Suara", "Berita", "Media", "Pos",
                                    "Harian", "Info", "Sriwijaya", "Komering", "Ogan", "Musi"};

/* Digits of `n` padded to `width`, for NPWP, NIB and NIK that are unique. */
static void digits(char *out, int width, long long prefix, long long n)
{
    snprintf(out, (size_t)width + 1, "%0*lld", width, prefix * 100000000LL + n);
}

typedef struct seeder {
    const char *url;
    int from, to;
    int failures;
} seeder;

static void *seed(void *arg)
{
    seeder *s = arg;
    sk_rpc_client *c = it_client(s->url);
    Seklik__Bus__Actor who = staff();
    for (int i = s->from; i < s->to; i++) {
        char name[96], npwp[16], nib[14], nik1[17], nik2[17], key[SK_UUID_STRLEN];
        snprintf(name, sizeof(name), "PT %s %s %d", words[i % 12], words[(i / 12) % 12], i);
        digits(npwp, 15, 1, i);
        digits(nib, 13, 2, i);
        digits(nik1, 16, 3, 2 * i);
        digits(nik2, 16, 3, 2 * i + 1);
        Seklik__Registry__RegisterRequest req = SEKLIK__REGISTRY__REGISTER_REQUEST__INIT;
        Seklik__Registry__CompanyInput ci = SEKLIK__REGISTRY__COMPANY_INPUT__INIT;
        Seklik__Registry__BankAccount bank = SEKLIK__REGISTRY__BANK_ACCOUNT__INIT;
        char *kbli[] = {"63122"};
        ci.legal_name = name;
        ci.legal_form = SEKLIK__REGISTRY__LEGAL_FORM__LEGAL_FORM_PT;
        ci.deed_number = "7";
        ci.deed_date = "2016-05-10";
        ci.sk_kemenkumham = "AHU-0001.AH.01.01";
        ci.nib = nib;
        ci.kbli = kbli;
        ci.n_kbli = 1;
        ci.npwp = npwp;
        ci.address = "Jl. Merdeka 1, Kayuagung";
        ci.domicile_letter_number = "470/1/2026";
        bank.bank_name = "Bank Sumsel Babel";
        bank.account_number = "1234567890";
        bank.holder_name = name;
        ci.bank_account = &bank;
        ci.established_on = "2016-05-10";
        req.company = &ci;
        Seklik__Registry__OutletInput o = SEKLIK__REGISTRY__OUTLET_INPUT__INIT, *outlets[] = {&o};
        o.type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_SIBER;
        o.scale = SEKLIK__REGISTRY__OUTLET_SCALE__OUTLET_SCALE_LOKAL;
        o.name = name;
        o.url = "https://example.id";
        o.monthly_visitors = 1000 + i;
        req.outlets = outlets;
        req.n_outlets = 1;
        Seklik__Registry__PersonInput ed = SEKLIK__REGISTRY__PERSON_INPUT__INIT,
                                      jo = SEKLIK__REGISTRY__PERSON_INPUT__INIT,
                                      *people[] = {&ed, &jo};
        ed.role = SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_CHIEF_EDITOR;
        ed.nik = nik1;
        ed.name = "Pemimpin Redaksi";
        jo.role = SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_JOURNALIST;
        jo.nik = nik2;
        jo.name = "Wartawan";
        req.people = people;
        req.n_people = 2;
        sk_uuid7(key);
        Seklik__Registry__Company *co = NULL;
        char why[256];
        if (sk_rpc_call_decode(c, "Registry.RegisterCompany", &who, key, &req.base,
                               &seklik__registry__company__descriptor, 10000,
                               (ProtobufCMessage **)&co, why, sizeof(why)) != SK_OK) {
            if (s->failures++ == 0)
                fprintf(stderr, "bench_registry: register: %s\n", why);
            continue;
        }
        Seklik__Registry__DocumentType types[] = {
            SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_AKTA,
            SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_NIB,
            SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_NPWP,
            SEKLIK__REGISTRY__DOCUMENT_TYPE__DOCUMENT_TYPE_DOMISILI};
        for (int d = 0; d < docs_per_company; d++) {
            Seklik__Registry__UploadDocumentRequest up =
                SEKLIK__REGISTRY__UPLOAD_DOCUMENT_REQUEST__INIT;
            Seklik__Registry__DocumentInput di = SEKLIK__REGISTRY__DOCUMENT_INPUT__INIT;
            di.type = types[d % 4];
            di.number = "D-1";
            di.issued_on = "2024-01-02";
            di.file_name = "scan.pdf";
            di.content.data = (uint8_t *)pdf;
            di.content.len = sizeof(pdf) - 1;
            up.company_id = co->id;
            up.document = &di;
            sk_uuid7(key);
            Seklik__Bus__Response *resp = NULL;
            if (sk_rpc_call(c, "Registry.UploadDocument", &who, key, &up.base, 10000, &resp) !=
                    SK_OK ||
                resp->code != SEKLIK__BUS__CODE__OK)
                s->failures++;
            if (resp)
                seklik__bus__response__free_unpacked(resp, NULL);
        }
        protobuf_c_message_free_unpacked(&co->base, NULL);
    }
    sk_rpc_client_close(c);
    return NULL;
}

/* p50 and p99 of `calls` ListCompanies, in ms. */
static void list_latency(sk_rpc_client *c, const char *query, double *p50, double *p99)
{
    Seklik__Bus__Actor who = staff();
    double *lat = malloc(sizeof(double) * (size_t)list_calls);
    for (int i = 0; i < list_calls; i++) {
        Seklik__Registry__ListCompaniesRequest req =
            SEKLIK__REGISTRY__LIST_COMPANIES_REQUEST__INIT;
        char q[32];
        if (query) {
            snprintf(q, sizeof(q), "%s", words[i % 12]);
            req.query = q;
        }
        req.page_size = 20;
        uint64_t t0 = sk_now_mono_ns();
        Seklik__Registry__ListCompaniesResponse *resp = NULL;
        char why[256];
        assert_int_equal(sk_rpc_call_decode(c, "Registry.ListCompanies", &who, NULL, &req.base,
                                            &seklik__registry__list_companies_response__descriptor,
                                            10000, (ProtobufCMessage **)&resp, why, sizeof(why)),
                         SK_OK);
        lat[i] = (double)(sk_now_mono_ns() - t0) / 1e6;
        assert_true(resp->n_companies > 0);
        protobuf_c_message_free_unpacked(&resp->base, NULL);
    }
    *p50 = it_quantile(lat, (size_t)list_calls, 0.5);
    *p99 = it_quantile(lat, (size_t)list_calls, 0.99);
    free(lat);
}

static void bench(void **state)
{
    (void)state;
    char dsn[512], log[512];
    assert_non_null(it_arg(4));
    assert_non_null(sk_test_create_db("bench_registry", dsn, sizeof(dsn)));
    sk_test_peer reg;
    sk_test_peer_init(&reg, "registry", dsn, sk_test_env("SEKLIK_TEST_REDIS_URL"));
    sk_test_peer_setenv(&reg, "SEKLIK_LOG_LEVEL", "error");
    assert_int_equal(sk_test_peer_start(&reg, it_arg(4), it_log(log, sizeof(log), "bench", "registry")), 0);

    seeder s[4];
    pthread_t t[4];
    uint64_t t0 = sk_now_mono_ns();
    for (int i = 0; i < clients; i++) {
        s[i] = (seeder){reg.rpc, n_companies * i / clients, n_companies * (i + 1) / clients, 0};
        pthread_create(&t[i], NULL, seed, &s[i]);
    }
    int failures = 0;
    for (int i = 0; i < clients; i++) {
        pthread_join(t[i], NULL);
        failures += s[i].failures;
    }
    double secs = (double)(sk_now_mono_ns() - t0) / 1e9;
    assert_int_equal(failures, 0);
    long long companies = sk_test_sql_number(dsn, "SELECT count(*) FROM registry.company");
    long long documents = sk_test_sql_number(dsn, "SELECT count(*) FROM registry.document");
    assert_int_equal(companies, n_companies);
    assert_int_equal(documents, (long long)n_companies * docs_per_company);
    assert_int_equal(sk_test_sql_exec(dsn, "ANALYZE"), 0);

    sk_rpc_client *c = it_client(reg.rpc);
    double l50, l99, s50, s99;
    list_latency(c, NULL, &l50, &l99);
    list_latency(c, "search", &s50, &s99);
    sk_rpc_client_close(c);

    double ins = it_pgbench("bench_registry", "CREATE TEMP TABLE IF NOT EXISTS t (v int);\n"
                                           "INSERT INTO t VALUES (1);\n", 3, NULL);
    double ref_list_ms = 0, ref_search_ms = 0;
    it_pgbench("bench_registry",
            "SELECT id, legal_name, status FROM registry.company ORDER BY legal_name, id LIMIT 20;\n",
            3, &ref_list_ms);
    it_pgbench("bench_registry",
            "\\set w random(0, 11)\n"
            "SELECT id, legal_name FROM registry.company WHERE lower(legal_name) LIKE "
            "'%' || (ARRAY['kabar','warta','suara','berita','media','pos','harian','info',"
            "'sriwijaya','komering','ogan','musi'])[:w + 1] || '%' ORDER BY legal_name, id LIMIT 20;\n",
            3, &ref_search_ms);

    double reg_rate = n_companies / secs;
    printf("\nbench_registry: %lld companies, %lld documents, %d clients (2 cores, fsync on)\n",
           companies, documents, clients);
    printf("  seeding through the API    %8.0f companies/s with %d documents each (%.1f s)\n",
           reg_rate, docs_per_company, secs);
    printf("  reference: pgbench 1-row INSERT, 1 client   %8.0f commits/s\n", ins);
    printf("  ratio API commands/s (1 + %d per company) / pgbench inserts = %.2f\n",
           docs_per_company, reg_rate * (1 + docs_per_company) / (ins > 0 ? ins : 1));
    printf("  ListCompanies, first page  p50 %6.2f ms  p99 %6.2f ms  (goal p99 < 50 ms)\n", l50, l99);
    printf("  ListCompanies, name search p50 %6.2f ms  p99 %6.2f ms  (goal p99 < 50 ms)\n", s50, s99);
    printf("  reference: the same SELECTs in pgbench, average %.2f ms (list), %.2f ms (search)\n",
           ref_list_ms, ref_search_ms);
    assert_true(l99 < 50.0);
    assert_true(s99 < 50.0);

    it_stop((sk_test_peer *[]){&reg, NULL});
}

int main(int argc, char **argv)
{
    const char *quick = getenv("SEKLIK_BENCH_QUICK");
    if (quick && *quick == '1') {
        n_companies = 400;
        list_calls = 300;
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(bench)};
    return it_main(argc, argv, tests, 1);
}
