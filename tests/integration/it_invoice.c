/* Invoices, taxes and payment over the real accounting, ordering and scoring
 * services (issue 13): the golden path from an accepted proof to SP2D (PPh 23
 * Rp 20.000, net Rp 980.000, absorption Rp 1.000.000); PPN collected only
 * above the WAPU threshold, judged on the invoice's total; a partner cannot
 * invoice another company's order nor an order twice (eight at once: one
 * wins); finance cannot skip a payment step, and a cancelled SPM is reversed
 * by new transfers; the partner wall on every new method; refusals that name
 * the field and write nothing; SIGKILL of accounting between steps under
 * load: nothing paid twice, the ledger balanced, absorption = the SP2Ds;
 * the ledger check catches each broken payment.
 *
 * Two testpubs stand in for registry (companies with NPWP, PKP and bank) and
 * verification (the year opened, companies verified with the documents that
 * earn their points); once an admin published the year's rule set and price
 * standard, scoring tiers the outlets, ordering runs the orders, and
 * accounting learns companies, agreements and orders from their events.
 * After every test the ledger's invariants and ordering's hold.
 *
 * argv: testpub testsub logdir seklik-ordering seklik-accounting seklik-scoring */
#include <libpq-fe.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "it_common.h"
#include "seklik/accounting.pb-c.h"
#include "seklik/ordering.pb-c.h"
#include "seklik/registry.pb-c.h"
#include "seklik/scoring.pb-c.h"

#define ADVERTORIAL SEKLIK__SCORING__PRODUCT__PRODUCT_ONLINE_ADVERTORIAL
#define IS(x) SEKLIK__ACCOUNTING__INVOICE_STATE__INVOICE_STATE_##x
#define STEP(x) SEKLIK__ACCOUNTING__PAYMENT_STEP__PAYMENT_STEP_##x
#define KUITANSI SEKLIK__ACCOUNTING__DOCUMENT_KIND__DOCUMENT_KIND_KUITANSI
#define PROOF_OF_PURCHASE SEKLIK__ACCOUNTING__DOCUMENT_KIND__DOCUMENT_KIND_PROOF_OF_PURCHASE
#define FREE(m) protobuf_c_message_free_unpacked(&(m)->base, NULL)
#define YEAR 2027

static const char *ordering_bin, *accounting_bin, *scoring_bin;
static char dsn[512], reg_dsn[512], ver_dsn[512];
static sk_test_peer ordering, accounting, scoring, fake_registry, fake_verification;
static sk_rpc_client *ord, *acc, *sco;
static char today[11];

static const uint8_t PDF[] = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";

/* ---- actors ---- */

static Seklik__Bus__Actor staff(void) { return it_actor("kemitraan-1", "partnership", NULL); }
static Seklik__Bus__Actor head(void) { return it_actor("pimpinan-1", "head", NULL); }
static Seklik__Bus__Actor finance(void) { return it_actor("keuangan-1", "finance", NULL); }
static Seklik__Bus__Actor finance2(void) { return it_actor("keuangan-2", "finance", NULL); }
static Seklik__Bus__Actor partner_of(const char *company)
{
    return it_actor("mitra-1", "partner", company);
}

/* ---- calls ---- */

typedef struct result {
    int code;
    char field[128];
    char message[256];
} result;

static bool is_query(const char *m)
{
    static const char *const queries[] = {
        "GetYearSettings", "GetAgreement",  "ListAgreements", "ListProducts",    "GetOrder",
        "ListOrders",      "GetBudgetLine", "ListBudgetLines", "GetReservation", "ListTransfers",
        "GetTaxTable",     "ListTaxTables", "PreviewTax",     "GetDocumentRules", "GetInvoice",
        "ListInvoices",    "GetInvoiceDocument", "ExportSpp", "ListTaxDue",      "PaymentAging",
        "CheckLedger",     NULL};
    const char *dot = strchr(m, '.');
    for (const char *const *q = queries; *q; q++)
        if (strcmp(dot ? dot + 1 : m, *q) == 0)
            return true;
    return false;
}

static result call_timed(sk_rpc_client *c, const char *method, const Seklik__Bus__Actor *who,
                         const char *key, const ProtobufCMessage *in,
                         const ProtobufCMessageDescriptor *od, void *out, int timeout_ms)
{
    char fresh[SK_UUID_STRLEN];
    sk_uuid7(fresh);
    Seklik__Bus__Response *resp = NULL;
    result r = {0};
    int rc = sk_rpc_call(c, method, who, is_query(method) ? NULL : (key ? key : fresh), in,
                         timeout_ms, &resp);
    if (rc != SK_OK) {
        r.code = rc;
        snprintf(r.message, sizeof(r.message), "transport: %s", sk_strerror(rc));
        return r;
    }
    r.code = it_code(resp);
    snprintf(r.message, sizeof(r.message), "%s", resp->message ? resp->message : "");
    if (resp->n_violations)
        snprintf(r.field, sizeof(r.field), "%s", resp->violations[0]->field);
    if (r.code == SK_OK && out)
        *(ProtobufCMessage **)out = protobuf_c_message_unpack(od, NULL, resp->body.len, resp->body.data);
    seklik__bus__response__free_unpacked(resp, NULL);
    return r;
}

static result call_on(sk_rpc_client *c, const char *method, const Seklik__Bus__Actor *who,
                      const char *key, const ProtobufCMessage *in,
                      const ProtobufCMessageDescriptor *od, void *out)
{
    return call_timed(c, method, who, key, in, od, out, 30000);
}

static result ocall(const char *method, const Seklik__Bus__Actor *who, const ProtobufCMessage *in,
                    const ProtobufCMessageDescriptor *od, void *out)
{
    char full[96];
    snprintf(full, sizeof(full), "Ordering.%s", method);
    return call_on(ord, full, who, NULL, in, od, out);
}

static result acall(const char *method, const Seklik__Bus__Actor *who, const ProtobufCMessage *in,
                    const ProtobufCMessageDescriptor *od, void *out)
{
    char full[96];
    snprintf(full, sizeof(full), "Accounting.%s", method);
    return call_on(acc, full, who, NULL, in, od, out);
}

#define OK(r)                                                                                      \
    do {                                                                                           \
        result r_ = (r);                                                                           \
        if (r_.code != SK_OK)                                                                      \
            fail_msg("%s:%d: code %d %s (%s)", __FILE__, __LINE__, r_.code, r_.message, r_.field);  \
    } while (0)

/* The call was refused with `code` naming `field`. */
#define REFUSED(r, want_code, want_field)                                                          \
    do {                                                                                           \
        result r_ = (r);                                                                           \
        if (r_.code != (want_code) || strcmp(r_.field, (want_field)) != 0)                         \
            fail_msg("%s:%d: code %d naming \"%s\" (%s), expected %d naming \"%s\"", __FILE__,     \
                     __LINE__, r_.code, r_.field, r_.message, (want_code), (want_field));          \
    } while (0)

static long long sqln(const char *fmt, const char *arg)
{
    char q[2048];
    snprintf(q, sizeof(q), fmt, arg);
    return sk_test_sql_number(dsn, q);
}

/* Rows any invoice command leaves: a refused one changes none. */
static long long footprint(void)
{
    return sk_test_sql_number(
        dsn, "SELECT (SELECT count(*) FROM accounting.invoice) * 1000000"
             " + (SELECT coalesce(sum(version), 0) FROM accounting.invoice) * 100000"
             " + (SELECT count(*) FROM accounting.invoice_order WHERE live) * 10000"
             " + (SELECT count(*) FROM accounting.invoice_document) * 1000"
             " + (SELECT count(*) FROM accounting.payment_step) * 100"
             " + (SELECT count(*) FROM accounting.transfer) * 37"
             " + (SELECT count(*) FROM accounting.tax_computation) * 11"
             " + (SELECT count(*) FROM accounting.tax_table) * 7"
             " + (SELECT count(*) FROM accounting.audit_log) * 3"
             " + (SELECT count(*) FROM accounting.outbox)");
}

/* ---- companies, from the stand-ins' events ---- */

typedef struct company {
    char id[SK_UUID_STRLEN], outlet[SK_UUID_STRLEN];
    char person[4][SK_UUID_STRLEN]; /* [0] the chief editor */
    char name[64];
    bool pkp;
    const char *npwp;
} company;

static void registry_event(const company *co)
{
    Seklik__Registry__OutletInput oi = SEKLIK__REGISTRY__OUTLET_INPUT__INIT;
    oi.type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_SIBER;
    oi.name = (char *)co->name;
    oi.monthly_visitors = 600000;
    Seklik__Registry__Outlet o = SEKLIK__REGISTRY__OUTLET__INIT, *outlets[] = {&o};
    o.id = (char *)co->outlet;
    o.data = &oi;
    Seklik__Registry__PersonInput pi[4];
    Seklik__Registry__Person people[4], *pp[4];
    for (int k = 0; k < 4; k++) {
        seklik__registry__person_input__init(&pi[k]);
        pi[k].role = k == 0 ? SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_CHIEF_EDITOR
                            : SEKLIK__REGISTRY__PERSON_ROLE__PERSON_ROLE_JOURNALIST;
        pi[k].ukw_level = k == 0 ? SEKLIK__REGISTRY__UKW_LEVEL__UKW_LEVEL_MADYA
                                 : SEKLIK__REGISTRY__UKW_LEVEL__UKW_LEVEL_MUDA;
        pi[k].ukw_certificate_expiry = k == 3 ? "2019-12-31" : "2199-12-31";
        seklik__registry__person__init(&people[k]);
        people[k].id = (char *)co->person[k];
        people[k].data = &pi[k];
        pp[k] = &people[k];
    }
    Seklik__Registry__BankAccount bank = SEKLIK__REGISTRY__BANK_ACCOUNT__INIT;
    bank.bank_name = "Bank Sumsel Babel";
    bank.account_number = "1234567890";
    bank.holder_name = (char *)co->name;
    Seklik__Registry__CompanyInput ci = SEKLIK__REGISTRY__COMPANY_INPUT__INIT;
    ci.legal_name = (char *)co->name;
    ci.dewan_pers_status = SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_FAKTUAL;
    ci.deed_date = "2015-01-01";
    ci.established_on = "2015-01-01";
    ci.npwp = (char *)co->npwp;
    ci.pkp = co->pkp;
    ci.bank_account = &bank;
    Seklik__Registry__Company c = SEKLIK__REGISTRY__COMPANY__INIT;
    c.id = (char *)co->id;
    c.data = &ci;
    c.outlets = outlets;
    c.n_outlets = 1;
    c.people = pp;
    c.n_people = 4;
    Seklik__Registry__CompanyChanged ev = SEKLIK__REGISTRY__COMPANY_CHANGED__INIT;
    ev.company = &c;
    it_inject(reg_dsn, "registry.company.submitted", &ev.base);
}

static void wait_sql(const char *fmt, const char *arg, long long want, const char *what)
{
    for (int i = 0; i < 400; i++) {
        if (sqln(fmt, arg) == want)
            return;
        sk_test_sleep_ms(25);
    }
    fail_msg("accounting never learnt %s", what);
}

/* A company accounting knows (and, when `tiered`, ordering can order from:
 * verified with its deed, Dewan Pers certificate (faktual) and the UKW
 * certificates of its chief editor (Madya) and two of three journalists
 * accepted, its outlet scores 30 + 8 + 8 + 10 + 17 (600.000 visitors) + 5 =
 * 78, tier B, with an advertorial ceiling of Rp 1.000.000). The year is
 * opened and its rules published by the admin before the first. */
static company make_company(const char *name, bool pkp, const char *npwp, bool tiered)
{
    company co;
    sk_uuid7(co.id);
    sk_uuid7(co.outlet);
    for (int k = 0; k < 4; k++)
        sk_uuid7(co.person[k]);
    snprintf(co.name, sizeof(co.name), "%s", name);
    co.pkp = pkp;
    co.npwp = npwp;
    registry_event(&co);
    wait_sql("SELECT count(*) FROM accounting.company_info WHERE id = '%s'", co.id, 1,
             "the company");
    if (!tiered)
        return co;
    static bool year_open;
    if (!year_open)
        it_open_year(ver_dsn, dsn, sco, YEAR);
    year_open = true;
    const char *certified[] = {co.person[0], co.person[1], co.person[2]};
    it_verified_with_documents(ver_dsn, co.id, co.outlet, YEAR, certified, 3);
    Seklik__Ordering__ListProductsRequest req = SEKLIK__ORDERING__LIST_PRODUCTS_REQUEST__INIT;
    req.fiscal_year = YEAR;
    req.company_id = co.id;
    Seklik__Bus__Actor a = staff();
    for (int i = 0; i < 400; i++) {
        Seklik__Ordering__ListProductsResponse *r = NULL;
        OK(ocall("ListProducts", &a, &req.base, &seklik__ordering__list_products_response__descriptor,
                 &r));
        bool seen = false;
        for (size_t k = 0; k < r->n_products; k++)
            seen = seen || (r->products[k]->product == ADVERTORIAL &&
                            r->products[k]->ceiling == 1000000);
        FREE(r);
        if (seen)
            return co;
        sk_test_sleep_ms(50);
    }
    fail_msg("ordering never learnt %s's tier", name);
    return co;
}

/* ---- budget lines, agreements, orders ---- */

static void budget_line(int64_t pagu, char out[SK_UUID_STRLEN])
{
    static atomic_int n = 0;
    char sub[32];
    snprintf(sub, sizeof(sub), "2.16.02.1.01.%04d", atomic_fetch_add(&n, 1) + 1);
    Seklik__Accounting__BudgetLineInput li = SEKLIK__ACCOUNTING__BUDGET_LINE_INPUT__INIT;
    li.fiscal_year = YEAR;
    li.sub_activity_code = sub;
    li.account_code = "5.1.02.02.01.0029";
    li.name = "Belanja Jasa Iklan/Reklame, Film, dan Pemotretan";
    Seklik__Accounting__CreateBudgetLineRequest req =
        SEKLIK__ACCOUNTING__CREATE_BUDGET_LINE_REQUEST__INIT;
    req.line = &li;
    req.pagu = pagu;
    req.document_number = "DPA/2.16/001";
    Seklik__Bus__Actor a = finance();
    Seklik__Accounting__BudgetLine *line = NULL;
    OK(acall("CreateBudgetLine", &a, &req.base, &seklik__accounting__budget_line__descriptor, &line));
    snprintf(out, SK_UUID_STRLEN, "%s", line->id);
    FREE(line);
}

static Seklik__Accounting__Balances figures(const char *line)
{
    Seklik__Accounting__GetBudgetLineRequest req = SEKLIK__ACCOUNTING__GET_BUDGET_LINE_REQUEST__INIT;
    req.budget_line_id = (char *)line;
    Seklik__Bus__Actor a = head();
    Seklik__Accounting__BudgetLineDetail *d = NULL;
    OK(acall("GetBudgetLine", &a, &req.base, &seklik__accounting__budget_line_detail__descriptor, &d));
    Seklik__Accounting__Balances b = *d->line->balances;
    FREE(d);
    return b;
}

/* A signed agreement of `value` for `placements` advertorials on `line`. */
static void agreement(const company *co, int64_t value, int placements, const char *line,
                      char out[SK_UUID_STRLEN])
{
    Seklik__Ordering__Quota q = SEKLIK__ORDERING__QUOTA__INIT, *qs[] = {&q};
    q.product = ADVERTORIAL;
    q.placements = placements;
    char number[64];
    snprintf(number, sizeof(number), "027/PKS/%s/%d", co->id + 24, YEAR);
    Seklik__Ordering__AgreementInput a = SEKLIK__ORDERING__AGREEMENT_INPUT__INIT;
    a.company_id = (char *)co->id;
    a.fiscal_year = YEAR;
    a.number = number;
    a.value = value;
    a.quotas = qs;
    a.n_quotas = 1;
    a.valid_from = "2027-01-01";
    a.valid_until = "2027-12-31";
    a.budget_line_id = (char *)line;
    Seklik__Ordering__SaveAgreementRequest req = SEKLIK__ORDERING__SAVE_AGREEMENT_REQUEST__INIT;
    req.agreement = &a;
    Seklik__Bus__Actor s = staff();
    Seklik__Ordering__Agreement *ag = NULL, *signed_ = NULL;
    OK(ocall("SaveAgreement", &s, &req.base, &seklik__ordering__agreement__descriptor, &ag));
    Seklik__Ordering__SignAgreementRequest sr = SEKLIK__ORDERING__SIGN_AGREEMENT_REQUEST__INIT;
    sr.agreement_id = ag->id;
    sr.signed_on = "2027-01-04";
    sr.file_name = "pks.pdf";
    sr.content.data = (uint8_t *)PDF;
    sr.content.len = sizeof(PDF) - 1;
    OK(ocall("SignAgreement", &s, &sr.base, &seklik__ordering__agreement__descriptor, &signed_));
    snprintf(out, SK_UUID_STRLEN, "%s", ag->id);
    FREE(signed_);
    FREE(ag);
}

/* An order of `qty` advertorials at `unit`, accepted, issued (its gross
 * reserved), its proof accepted; returns once accounting knows it completed. */
static void completed_order(const company *co, const char *agreement_id, int qty, int64_t unit,
                            char out[SK_UUID_STRLEN])
{
    Seklik__Ordering__OrderInput o = SEKLIK__ORDERING__ORDER_INPUT__INIT;
    o.agreement_id = (char *)agreement_id;
    o.outlet_id = (char *)co->outlet;
    o.product = ADVERTORIAL;
    o.quantity = qty;
    o.schedule_from = "2027-03-01";
    o.schedule_to = "2027-03-31";
    o.title = "Advertorial Hari Jadi Kabupaten";
    o.brief = "Satu advertorial tentang program layanan publik Diskominfo.";
    Seklik__Ordering__CreateOrderRequest req = SEKLIK__ORDERING__CREATE_ORDER_REQUEST__INIT;
    req.order = &o;
    req.unit_price = unit;
    req.offer_now = true;
    Seklik__Bus__Actor s = staff(), p = partner_of(co->id), h = head();
    Seklik__Ordering__Order *m = NULL;
    OK(ocall("CreateOrder", &s, &req.base, &seklik__ordering__order__descriptor, &m));
    snprintf(out, SK_UUID_STRLEN, "%s", m->id);
    FREE(m);
    Seklik__Ordering__OrderRequest orq = SEKLIK__ORDERING__ORDER_REQUEST__INIT;
    orq.order_id = out;
    OK(ocall("AcceptOffer", &p, &orq.base, &seklik__ordering__order__descriptor, &m));
    FREE(m);
    OK(ocall("IssueOrder", &s, &orq.base, &seklik__ordering__order__descriptor, &m));
    FREE(m);
    Seklik__Ordering__ProofInput pi = SEKLIK__ORDERING__PROOF_INPUT__INIT;
    pi.order_id = out;
    pi.kind = SEKLIK__ORDERING__PROOF_KIND__PROOF_KIND_URL;
    pi.url = "https://kabar.example.id/2027/03/advertorial";
    pi.published_at = "2026-11-30T03:00:00Z"; /* the past: never in the future */
    OK(ocall("SubmitProof", &p, &pi.base, &seklik__ordering__order__descriptor, &m));
    FREE(m);
    Seklik__Ordering__ProofDecisionRequest dr = SEKLIK__ORDERING__PROOF_DECISION_REQUEST__INIT;
    dr.order_id = out;
    dr.proof_version = 1;
    dr.accept = true;
    OK(ocall("DecideProof", &h, &dr.base, &seklik__ordering__order__descriptor, &m));
    FREE(m);
    wait_sql("SELECT count(*) FROM accounting.order_info WHERE id = '%s' AND state = 'completed'"
             " AND proof_accepted_on IS NOT NULL",
             out, 1, "the completed order");
}

/* ---- taxes and invoices ---- */

static void publish_tax_table(void)
{
    Seklik__Bus__Actor f = finance();
    Seklik__Accounting__TaxTableRequest g = SEKLIK__ACCOUNTING__TAX_TABLE_REQUEST__INIT;
    g.fiscal_year = YEAR;
    Seklik__Accounting__TaxTable *t = NULL;
    OK(acall("GetTaxTable", &f, &g.base, &seklik__accounting__tax_table__descriptor, &t));
    if (t->state == SEKLIK__ACCOUNTING__TAX_TABLE_STATE__TAX_TABLE_STATE_PUBLISHED) {
        FREE(t);
        return;
    }
    Seklik__Accounting__SaveTaxTableRequest s = SEKLIK__ACCOUNTING__SAVE_TAX_TABLE_REQUEST__INIT;
    s.table = t->data;
    Seklik__Accounting__TaxTable *draft = NULL, *published = NULL;
    OK(acall("SaveTaxTable", &f, &s.base, &seklik__accounting__tax_table__descriptor, &draft));
    g.version = draft->version;
    OK(acall("PublishTaxTable", &f, &g.base, &seklik__accounting__tax_table__descriptor, &published));
    assert_int_equal(published->state, SEKLIK__ACCOUNTING__TAX_TABLE_STATE__TAX_TABLE_STATE_PUBLISHED);
    FREE(published);
    FREE(draft);
    FREE(t);
}

typedef struct invoice_req {
    Seklik__Accounting__SubmitInvoiceRequest req;
    Seklik__Accounting__InvoiceInput in;
    Seklik__Accounting__InvoiceFile file, nota, *files[2];
    char *ids[8];
    char number[64];
} invoice_req;

/* An invoice of `orders` numbered `number`, dated today, with a kuitansi and
 * a proof of purchase (a nota). */
static void invoice_for(invoice_req *r, const char *number, char (*orders)[SK_UUID_STRLEN],
                        size_t n, const char *faktur)
{
    memset(r, 0, sizeof(*r));
    seklik__accounting__submit_invoice_request__init(&r->req);
    seklik__accounting__invoice_input__init(&r->in);
    seklik__accounting__invoice_file__init(&r->file);
    snprintf(r->number, sizeof(r->number), "%s", number);
    for (size_t i = 0; i < n; i++)
        r->ids[i] = orders[i];
    r->in.order_ids = r->ids;
    r->in.n_order_ids = n;
    r->in.number = r->number;
    r->in.date = today;
    r->in.faktur_number = (char *)(faktur ? faktur : "");
    r->in.signatory_name = "Budi Santoso";
    r->in.bank_branch = "Kayuagung";
    r->file.kind = KUITANSI;
    r->file.file_name = "kuitansi.pdf";
    r->file.content.data = (uint8_t *)PDF;
    r->file.content.len = sizeof(PDF) - 1;
    r->nota = r->file;
    r->nota.kind = PROOF_OF_PURCHASE;
    r->nota.file_name = "nota.pdf";
    r->files[0] = &r->file;
    r->files[1] = &r->nota;
    r->req.invoice = &r->in;
    r->req.documents = r->files;
    r->req.n_documents = 2;
}

static result submit(const company *co, invoice_req *r, Seklik__Accounting__Invoice **out)
{
    Seklik__Bus__Actor p = partner_of(co->id);
    return acall("SubmitInvoice", &p, &r->req.base, &seklik__accounting__invoice__descriptor, out);
}

static result accept_invoice(const char *invoice, Seklik__Accounting__Invoice **out)
{
    Seklik__Accounting__AcceptInvoiceRequest a = SEKLIK__ACCOUNTING__ACCEPT_INVOICE_REQUEST__INIT;
    a.invoice_id = (char *)invoice;
    a.purpose = "Pembayaran jasa advertorial sesuai pesanan media";
    Seklik__Bus__Actor f = finance();
    return acall("AcceptInvoice", &f, &a.base, &seklik__accounting__invoice__descriptor, out);
}

static result step_key(const char *invoice, int step, const char *number, const char *key,
                       Seklik__Accounting__Invoice **out)
{
    Seklik__Accounting__RecordPaymentStepRequest s =
        SEKLIK__ACCOUNTING__RECORD_PAYMENT_STEP_REQUEST__INIT;
    s.invoice_id = (char *)invoice;
    s.step = (Seklik__Accounting__PaymentStep)step;
    s.number = (char *)number;
    s.date = today;
    Seklik__Bus__Actor f = finance();
    return call_timed(acc, "Accounting.RecordPaymentStep", &f, key, &s.base,
                      &seklik__accounting__invoice__descriptor, out, out ? 30000 : 3000);
}

static result step(const char *invoice, int s, const char *number, Seklik__Accounting__Invoice **out)
{
    return step_key(invoice, s, number, NULL, out);
}

static Seklik__Accounting__Invoice *get_invoice(const char *id, const Seklik__Bus__Actor *who)
{
    Seklik__Accounting__InvoiceRequest g = SEKLIK__ACCOUNTING__INVOICE_REQUEST__INIT;
    g.invoice_id = (char *)id;
    Seklik__Accounting__Invoice *inv = NULL;
    OK(acall("GetInvoice", who, &g.base, &seklik__accounting__invoice__descriptor, &inv));
    return inv;
}

/* The invoice through SPP, the PPK's check, SPM and SP2D, numbered by `tag`. */
static void pay(const char *invoice, const char *tag)
{
    char n[64];
    Seklik__Accounting__Invoice *inv = NULL;
    snprintf(n, sizeof(n), "SPP/%s", tag);
    OK(step(invoice, STEP(SPP), n, &inv));
    FREE(inv);
    OK(step(invoice, STEP(SPP_VERIFIED), "", &inv));
    FREE(inv);
    snprintf(n, sizeof(n), "SPM/%s", tag);
    OK(step(invoice, STEP(SPM), n, &inv));
    FREE(inv);
    snprintf(n, sizeof(n), "SP2D/%s", tag);
    OK(step(invoice, STEP(SP2D), n, &inv));
    assert_int_equal(inv->state, IS(PAID));
    FREE(inv);
}

static void assert_sound(void)
{
    it_assert_ledger_sound(dsn);
    assert_int_equal(it_orders_check(dsn, dsn), 0);
}

static int sound(void **state)
{
    (void)state;
    assert_sound();
    return 0;
}

/* ---- the golden path ---- */

static void golden_path_from_accepted_proof_to_sp2d(void **state)
{
    (void)state;
    company co = make_company("PT Kabar Demo", false, "01.234.567.8-901.000", true);
    char line[SK_UUID_STRLEN], ag[SK_UUID_STRLEN], order[1][SK_UUID_STRLEN];
    budget_line(1900000000LL, line);
    agreement(&co, 24000000, 24, line, ag);
    completed_order(&co, ag, 1, 1000000, order[0]);
    Seklik__Accounting__Balances b = figures(line);
    assert_int_equal(b.committed, 1000000);
    assert_int_equal(b.realised, 0);

    /* The partner invoices; before the year's table is published it sees no
     * tax lines, and finance cannot accept. */
    invoice_req r;
    invoice_for(&r, "INV/KD/001/2027", order, 1, NULL);
    r.req.n_documents = 1; /* the kuitansi only, for now */
    Seklik__Accounting__Invoice *inv = NULL;
    OK(submit(&co, &r, &inv));
    char id[SK_UUID_STRLEN];
    snprintf(id, sizeof(id), "%s", inv->id);
    assert_int_equal(inv->state, IS(SUBMITTED));
    assert_int_equal(inv->gross, 1000000);
    assert_string_equal(inv->company_name, "PT Kabar Demo");
    assert_string_equal(inv->npwp, "012345678901000");
    assert_false(inv->pkp);
    assert_int_equal(inv->n_orders, 1);
    assert_string_equal(inv->orders[0]->number, "MO/0001/DISKOMINFO/2027");
    assert_false(inv->orders[0]->paid);
    assert_int_equal(inv->n_documents, 1);
    assert_string_equal(inv->documents[0]->content_type, "application/pdf");
    FREE(inv);
    REFUSED(accept_invoice(id, NULL), SK_EPRECOND, "taxTable");

    /* Finance publishes the year's table (the regulations' defaults). */
    publish_tax_table();
    /* The checklist: Rp 1.000.000 needs a proof of purchase besides the
     * kuitansi; finance cannot accept until the partner adds it. */
    REFUSED(accept_invoice(id, NULL), SK_EPRECOND, "documents.proof_of_purchase");
    Seklik__Accounting__AddInvoiceDocumentRequest ad =
        SEKLIK__ACCOUNTING__ADD_INVOICE_DOCUMENT_REQUEST__INIT;
    Seklik__Accounting__InvoiceFile nota = SEKLIK__ACCOUNTING__INVOICE_FILE__INIT;
    nota.kind = PROOF_OF_PURCHASE;
    nota.file_name = "nota.pdf";
    nota.content.data = (uint8_t *)PDF;
    nota.content.len = sizeof(PDF) - 1;
    ad.invoice_id = id;
    ad.document = &nota;
    Seklik__Bus__Actor p = partner_of(co.id), f = finance();
    OK(acall("AddInvoiceDocument", &p, &ad.base, &seklik__accounting__invoice__descriptor, &inv));
    for (size_t i = 0; i < inv->n_checklist; i++)
        assert_true(!inv->checklist[i]->required || inv->checklist[i]->present);
    FREE(inv);

    /* Accepted: PPh 23 Rp 20.000, net Rp 980.000, with every line stored and
     * the rounding rule named. */
    OK(accept_invoice(id, &inv));
    assert_int_equal(inv->state, IS(ACCEPTED));
    assert_non_null(inv->tax);
    assert_true(sk_uuid_valid(inv->tax->id));
    assert_int_equal(inv->tax->gross, 1000000);
    assert_int_equal(inv->tax->price_before_vat, 1000000);
    assert_int_equal(inv->tax->ppn, 0);
    assert_int_equal(inv->tax->pph23_rate_bp, 200);
    assert_int_equal(inv->tax->pph23, 20000);
    assert_int_equal(inv->tax->net, 980000);
    assert_int_equal(inv->tax->table_version, 1);
    assert_int_equal(inv->tax->table->rounding, SEKLIK__ACCOUNTING__ROUNDING__ROUNDING_HALF_UP);
    assert_int_equal(inv->tax->table->ppn_rate_bp, 1200);
    FREE(inv);
    assert_int_equal(sqln("SELECT count(*) FROM accounting.tax_computation WHERE invoice_id = '%s'"
                          " AND pph23 = 20000 AND net = 980000 AND rounding = 'half_up'",
                          id),
                     1);

    /* What SIPD needs for the SPP, as CSV and as JSON. */
    Seklik__Accounting__ExportSppRequest ex = SEKLIK__ACCOUNTING__EXPORT_SPP_REQUEST__INIT;
    ex.invoice_id = id;
    ex.format = "csv";
    Seklik__Accounting__SppExport *spp = NULL;
    OK(acall("ExportSpp", &f, &ex.base, &seklik__accounting__spp_export__descriptor, &spp));
    assert_int_equal(spp->n_records, 1);
    assert_int_equal(spp->records[0]->amount, 1000000);
    assert_string_equal(spp->records[0]->account_code, "5.1.02.02.01.0029");
    assert_string_equal(spp->records[0]->vendor_name, "PT Kabar Demo");
    assert_string_equal(spp->records[0]->head_name, "Budi Santoso");
    assert_string_equal(spp->records[0]->bank_name, "Bank Sumsel Babel");
    assert_string_equal(spp->records[0]->bank_branch, "Kayuagung");
    assert_string_equal(spp->records[0]->account_number, "1234567890");
    assert_string_equal(spp->records[0]->agreement_date, "2027-01-04");
    assert_non_null(strstr(spp->records[0]->agreement_number, "027/PKS/"));
    assert_int_equal(spp->records[0]->invoice_pph23, 20000);
    char *text = strndup((const char *)spp->content.data, spp->content.len);
    assert_non_null(strstr(text, "sub_activity_code,account_code"));
    assert_non_null(strstr(text, ",1000000,PT Kabar Demo,Budi Santoso,012345678901000,"));
    free(text);
    FREE(spp);
    ex.format = "json";
    OK(acall("ExportSpp", &f, &ex.base, &seklik__accounting__spp_export__descriptor, &spp));
    assert_string_equal(spp->content_type, "application/json");
    assert_non_null(strstr((const char *)spp->content.data, "\"npwp\":"));
    FREE(spp);

    /* SPP, the PPK's check, SPM, SP2D: each with its number, date and who. */
    pay(id, "0001/2027");
    inv = get_invoice(id, &p);
    assert_int_equal(inv->state, IS(PAID));
    assert_string_equal(inv->paid_on, today);
    assert_true(inv->orders[0]->paid);
    assert_int_equal(inv->n_steps, 4);
    assert_int_equal(inv->steps[3]->step, STEP(SP2D));
    assert_string_equal(inv->steps[3]->number, "SP2D/0001/2027");
    assert_string_equal(inv->steps[3]->recorded_by, "keuangan-1");
    assert_int_equal(inv->tax->pph23, 20000); /* the partner sees its tax lines */
    FREE(inv);

    /* The ledger: the order's reservation realised, absorption Rp 1.000.000,
     * the partner paid Rp 980.000 out of cash, PPh 23 Rp 20.000 owed. */
    b = figures(line);
    assert_int_equal(b.realised, 1000000);
    assert_int_equal(b.committed, 0);
    assert_int_equal(b.available, 1899000000LL);
    assert_int_equal(sqln("SELECT count(*) FROM accounting.reservation WHERE order_id = '%s'"
                          " AND state = 'posted'",
                          order[0]),
                     1);
    assert_int_equal(sqln("SELECT amount FROM accounting.transfer WHERE reference = '%s'"
                          " AND code = 'payment.cash'",
                          id),
                     980000);
    assert_int_equal(sqln("SELECT credits_posted FROM accounting.account WHERE code = 'tax:pph23'",
                          ""),
                     20000);
    assert_int_equal(sqln("SELECT credits_posted FROM accounting.account WHERE company_id = '%s'"
                          " AND kind = 'partner_payable'",
                          co.id),
                     980000);
    assert_sound();
    Seklik__Accounting__CheckLedgerRequest cl = SEKLIK__ACCOUNTING__CHECK_LEDGER_REQUEST__INIT;
    Seklik__Accounting__CheckLedgerResponse *check = NULL;
    Seklik__Bus__Actor h = head();
    OK(acall("CheckLedger", &h, &cl.base, &seklik__accounting__check_ledger_response__descriptor,
             &check));
    assert_true(check->ok);
    assert_int_equal(check->n_findings, 7);
    assert_string_equal(check->findings[6]->check_name, "ledger_payments_match_invoices");
    FREE(check);

    /* PPh 23 is due by the 15th of the next month; finance records the slip. */
    Seklik__Accounting__TaxDueRequest td = SEKLIK__ACCOUNTING__TAX_DUE_REQUEST__INIT;
    td.fiscal_year = YEAR;
    Seklik__Accounting__TaxDueResponse *due = NULL;
    OK(acall("ListTaxDue", &f, &td.base, &seklik__accounting__tax_due_response__descriptor, &due));
    assert_true(due->n_months >= 1);
    Seklik__Accounting__TaxDueMonth *m = due->months[due->n_months - 1];
    assert_int_equal(strncmp(m->month, today, 7), 0);
    assert_int_equal(m->due_on[8], '1');
    assert_int_equal(m->due_on[9], '5');
    bool listed = false;
    for (size_t i = 0; i < m->n_invoices; i++)
        listed = listed || (strcmp(m->invoices[i]->invoice_id, id) == 0 &&
                            m->invoices[i]->pph23 == 20000);
    assert_true(listed);
    FREE(due);
    Seklik__Accounting__RecordWithholdingSlipRequest sl =
        SEKLIK__ACCOUNTING__RECORD_WITHHOLDING_SLIP_REQUEST__INIT;
    sl.invoice_id = id;
    sl.number = "BPPU-2027-000001";
    sl.date = today;
    OK(acall("RecordWithholdingSlip", &f, &sl.base, &seklik__accounting__invoice__descriptor, &inv));
    assert_string_equal(inv->withholding_slip_number, "BPPU-2027-000001");
    FREE(inv);
    REFUSED(acall("RecordWithholdingSlip", &f, &sl.base, NULL, NULL), SK_EPRECOND, "number");

    /* The partner's own list: status, age and tax lines. */
    Seklik__Accounting__ListInvoicesRequest li = SEKLIK__ACCOUNTING__LIST_INVOICES_REQUEST__INIT;
    Seklik__Accounting__ListInvoicesResponse *list = NULL;
    OK(acall("ListInvoices", &p, &li.base, &seklik__accounting__list_invoices_response__descriptor,
             &list));
    assert_int_equal(list->n_invoices, 1);
    assert_int_equal(list->invoices[0]->state, IS(PAID));
    assert_int_equal(list->invoices[0]->age_days, 0);
    assert_int_equal(list->invoices[0]->tax->net, 980000);
    FREE(list);
    /* Every change is in the audit trail, with its events in the outbox. */
    assert_int_equal(sqln("SELECT count(*) FROM accounting.audit_log WHERE entity_id = '%s'", id), 8);
    assert_int_equal(sqln("SELECT count(*) FROM accounting.outbox WHERE type = 'accounting.invoice.paid'",
                          ""),
                     1);
}

/* ---- PPN and the WAPU threshold ---- */

static void ppn_collected_only_above_the_threshold_of_the_invoice_total(void **state)
{
    (void)state;
    company co = make_company("PT Media PKP", true, "0123456789012345", true);
    char line[SK_UUID_STRLEN], ag[SK_UUID_STRLEN], orders[2][SK_UUID_STRLEN];
    budget_line(1900000000LL, line);
    agreement(&co, 24000000, 24, line, ag);
    /* Two orders of 3 x Rp 740.000 = Rp 2.220.000: Rp 2.000.000 before VAT each. */
    completed_order(&co, ag, 3, 740000, orders[0]);
    completed_order(&co, ag, 3, 740000, orders[1]);
    publish_tax_table();
    char faktur[32];
    snprintf(faktur, sizeof(faktur), "02.00.%.2s.00000000123", today + 2);

    /* A PKP partner gives its faktur, code 02, of the invoice's year. */
    invoice_req r;
    invoice_for(&r, "INV/PKP/001", orders, 1, NULL);
    long long before = footprint();
    REFUSED(submit(&co, &r, NULL), SK_EINVAL, "invoice.fakturNumber");
    r.in.faktur_number = "01.00.27.00000000123";
    REFUSED(submit(&co, &r, NULL), SK_EINVAL, "invoice.fakturNumber");
    assert_int_equal(footprint(), before);

    /* One order alone is exactly at the threshold: the partner remits the PPN
     * itself and receives it. */
    r.in.faktur_number = faktur;
    Seklik__Accounting__Invoice *inv = NULL;
    OK(submit(&co, &r, &inv));
    char first[SK_UUID_STRLEN];
    snprintf(first, sizeof(first), "%s", inv->id);
    assert_non_null(inv->tax);
    assert_string_equal(inv->tax->id, ""); /* a preview until accepted */
    assert_int_equal(inv->tax->price_before_vat, 2000000);
    assert_int_equal(inv->tax->ppn, 220000);
    assert_false(inv->tax->wapu);
    assert_int_equal(inv->tax->net, 2180000);
    FREE(inv);
    /* Finance returns it: the two orders are one payment. */
    Seklik__Accounting__ReturnInvoiceRequest rr = SEKLIK__ACCOUNTING__RETURN_INVOICE_REQUEST__INIT;
    rr.invoice_id = first;
    rr.reason = "Gabungkan dengan order kedua dalam satu tagihan";
    Seklik__Bus__Actor f = finance();
    OK(acall("ReturnInvoice", &f, &rr.base, &seklik__accounting__invoice__descriptor, &inv));
    assert_int_equal(inv->state, IS(RETURNED));
    assert_string_equal(inv->returned_reason, "Gabungkan dengan order kedua dalam satu tagihan");
    FREE(inv);

    /* Both orders on one invoice: Rp 4.000.000 before VAT, above: collected.
     * 4.440.000 x 100/111 = 4.000.000; DPP 11/12 = 3.666.666,67 -> 3.666.667;
     * PPN 12% = 440.000,04 -> 440.000; PPh 23 80.000; net 3.920.000. */
    invoice_for(&r, "INV/PKP/001", orders, 2, faktur); /* a returned number may be used again */
    OK(submit(&co, &r, &inv));
    char id[SK_UUID_STRLEN];
    snprintf(id, sizeof(id), "%s", inv->id);
    FREE(inv);
    OK(accept_invoice(id, &inv));
    assert_int_equal(inv->tax->gross, 4440000);
    assert_int_equal(inv->tax->price_before_vat, 4000000);
    assert_int_equal(inv->tax->dpp_other, 3666667);
    assert_int_equal(inv->tax->ppn, 440000);
    assert_true(inv->tax->wapu);
    assert_int_equal(inv->tax->ppn_collected, 440000);
    assert_int_equal(inv->tax->pph23, 80000);
    assert_int_equal(inv->tax->net, 3920000);
    FREE(inv);
    long long ppn_before = sqln("SELECT credits_posted FROM accounting.account WHERE code = 'tax:ppn'", "");
    pay(id, "PKP/0001");
    assert_int_equal(sqln("SELECT credits_posted FROM accounting.account WHERE code = 'tax:ppn'", ""),
                     ppn_before + 440000);
    assert_int_equal(figures(line).realised, 4440000);
}

/* ---- whose orders, how many times ---- */

typedef struct racer {
    const company *co;
    char order[1][SK_UUID_STRLEN];
    int index;
    int code;
    atomic_int *go;
} racer;

static void *race(void *arg)
{
    racer *rc = arg;
    invoice_req r;
    char number[64];
    snprintf(number, sizeof(number), "INV/RACE/%d", rc->index);
    invoice_for(&r, number, rc->order, 1, NULL);
    r.file.kind = KUITANSI;
    atomic_fetch_add(rc->go, 1);
    while (atomic_load(rc->go) < 8)
        ;
    rc->code = submit(rc->co, &r, NULL).code;
    return NULL;
}

static void another_company_s_order_or_an_order_twice_is_refused(void **state)
{
    (void)state;
    company a = make_company("PT Kabar Satu", false, "012345678901234", true);
    company b = make_company("PT Kabar Dua", false, "012345678901235", false);
    char line[SK_UUID_STRLEN], ag[SK_UUID_STRLEN], orders[2][SK_UUID_STRLEN];
    budget_line(1900000000LL, line);
    agreement(&a, 24000000, 24, line, ag);
    completed_order(&a, ag, 1, 1000000, orders[0]);
    completed_order(&a, ag, 1, 900000, orders[1]);

    /* B cannot invoice A's order: for B it does not exist. Nothing is written. */
    invoice_req r;
    invoice_for(&r, "INV/B/001", orders, 1, NULL);
    long long before = footprint();
    REFUSED(submit(&b, &r, NULL), SK_ENOTFOUND, "invoice.orderIds[0]");
    assert_int_equal(footprint(), before);

    /* A invoices it once; twice is refused, even under another number. */
    invoice_for(&r, "INV/A/001", orders, 1, NULL);
    Seklik__Accounting__Invoice *inv = NULL;
    OK(submit(&a, &r, &inv));
    char first[SK_UUID_STRLEN];
    snprintf(first, sizeof(first), "%s", inv->id);
    FREE(inv);
    before = footprint();
    invoice_for(&r, "INV/A/002", orders, 1, NULL);
    REFUSED(submit(&a, &r, NULL), SK_EEXISTS, "invoice.orderIds[0]");
    /* The same invoice number twice is refused too. */
    invoice_for(&r, "inv/a/001", orders + 1, 1, NULL);
    REFUSED(submit(&a, &r, NULL), SK_EEXISTS, "invoice.number");
    assert_int_equal(footprint(), before);

    /* Eight invoices for one order at once: exactly one wins. */
    atomic_int go = 0;
    racer rc[8];
    pthread_t t[8];
    for (int i = 0; i < 8; i++) {
        rc[i] = (racer){.co = &a, .index = i, .go = &go};
        snprintf(rc[i].order[0], SK_UUID_STRLEN, "%s", orders[1]);
        assert_int_equal(pthread_create(&t[i], NULL, race, &rc[i]), 0);
    }
    int won = 0, lost = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        won += rc[i].code == SK_OK;
        lost += rc[i].code == SK_EEXISTS;
    }
    assert_int_equal(won, 1);
    assert_int_equal(lost, 7);
    assert_int_equal(sqln("SELECT count(*) FROM accounting.invoice_order WHERE order_id = '%s'",
                          orders[1]),
                     1);

    /* Returned, its order may be invoiced again. */
    Seklik__Accounting__ReturnInvoiceRequest rr = SEKLIK__ACCOUNTING__RETURN_INVOICE_REQUEST__INIT;
    rr.invoice_id = first;
    rr.reason = "Kuitansi tidak ditandatangani";
    Seklik__Bus__Actor f = finance();
    OK(acall("ReturnInvoice", &f, &rr.base, &seklik__accounting__invoice__descriptor, &inv));
    FREE(inv);
    invoice_for(&r, "INV/A/003", orders, 1, NULL);
    OK(submit(&a, &r, &inv));
    FREE(inv);
}

/* ---- the order of the payment documents ---- */

static void finance_cannot_skip_a_step_and_a_cancelled_spm_is_reversed(void **state)
{
    (void)state;
    company co = make_company("PT Kabar Urut", false, "012345678901236", true);
    char line[SK_UUID_STRLEN], ag[SK_UUID_STRLEN], orders[1][SK_UUID_STRLEN];
    budget_line(1900000000LL, line);
    agreement(&co, 24000000, 24, line, ag);
    completed_order(&co, ag, 1, 1000000, orders[0]);
    publish_tax_table();
    invoice_req r;
    invoice_for(&r, "INV/URUT/001", orders, 1, NULL);
    Seklik__Accounting__Invoice *inv = NULL;
    OK(submit(&co, &r, &inv));
    char id[SK_UUID_STRLEN];
    snprintf(id, sizeof(id), "%s", inv->id);
    FREE(inv);

    /* No step before acceptance, none skipped, none repeated; nothing written. */
    long long before = footprint();
    REFUSED(step(id, STEP(SPP), "SPP/URUT", NULL), SK_EPRECOND, "step");
    OK(accept_invoice(id, &inv));
    FREE(inv);
    before = footprint();
    REFUSED(step(id, STEP(SPM), "SPM/URUT", NULL), SK_EPRECOND, "step");
    REFUSED(step(id, STEP(SP2D), "SP2D/URUT", NULL), SK_EPRECOND, "step");
    REFUSED(step(id, STEP(SPP_VERIFIED), "", NULL), SK_EPRECOND, "step");
    assert_int_equal(footprint(), before);
    OK(step(id, STEP(SPP), "SPP/URUT", &inv));
    FREE(inv);
    /* The same step again with its number and date answers as it is. */
    before = footprint();
    OK(step(id, STEP(SPP), "SPP/URUT", &inv));
    assert_int_equal(inv->state, IS(SPP));
    FREE(inv);
    REFUSED(step(id, STEP(SPP), "SPP/LAIN", NULL), SK_EPRECOND, "step");
    REFUSED(step(id, STEP(SP2D), "SP2D/URUT", NULL), SK_EPRECOND, "step");
    assert_int_equal(footprint(), before);
    /* Another invoice cannot reuse SIPD's SPP number. */

    /* The PPK-SKPD's check and the SPM (another finance user enters it). */
    OK(step(id, STEP(SPP_VERIFIED), "", &inv));
    FREE(inv);
    Seklik__Accounting__RecordPaymentStepRequest s =
        SEKLIK__ACCOUNTING__RECORD_PAYMENT_STEP_REQUEST__INIT;
    s.invoice_id = id;
    s.step = STEP(SPM);
    s.number = "SPM/URUT";
    s.date = today;
    Seklik__Bus__Actor f2 = finance2(), f = finance();
    OK(acall("RecordPaymentStep", &f2, &s.base, &seklik__accounting__invoice__descriptor, &inv));
    assert_int_equal(inv->state, IS(SPM));
    assert_string_equal(inv->steps[2]->recorded_by, "keuangan-2");
    FREE(inv);
    /* The SPM holds what is owed as pending transfers. */
    assert_int_equal(sqln("SELECT count(*) FROM accounting.transfer WHERE reference = '%s'"
                          " AND kind = 'pending'",
                          id),
                     2);
    assert_sound();

    /* Cancelled: only the last step, with a reason; voided by new transfers. */
    Seklik__Accounting__CancelPaymentStepRequest c = SEKLIK__ACCOUNTING__CANCEL_PAYMENT_STEP_REQUEST__INIT;
    c.invoice_id = id;
    c.step = STEP(SPP);
    c.reason = "SPM salah kode rekening";
    REFUSED(acall("CancelPaymentStep", &f, &c.base, NULL, NULL), SK_EPRECOND, "step");
    c.step = STEP(SPM);
    long long transfers = sqln("SELECT count(*) FROM accounting.transfer", "");
    OK(acall("CancelPaymentStep", &f, &c.base, &seklik__accounting__invoice__descriptor, &inv));
    assert_int_equal(inv->state, IS(SPP_VERIFIED));
    assert_true(inv->steps[2]->cancelled);
    assert_string_equal(inv->steps[2]->cancelled_reason, "SPM salah kode rekening");
    FREE(inv);
    assert_int_equal(sqln("SELECT count(*) FROM accounting.transfer", ""), transfers + 2);
    assert_int_equal(sqln("SELECT count(*) FROM accounting.transfer WHERE reference = '%s'"
                          " AND kind = 'void_pending'",
                          id),
                     2);
    assert_sound();

    /* A new SPM, then the SP2D; the SP2D is final. */
    OK(step(id, STEP(SPM), "SPM/URUT/2", &inv));
    FREE(inv);
    OK(step(id, STEP(SP2D), "SP2D/URUT", &inv));
    FREE(inv);
    c.step = STEP(SP2D);
    REFUSED(acall("CancelPaymentStep", &f, &c.base, NULL, NULL), SK_EPRECOND, "step");
    REFUSED(step(id, STEP(SP2D), "SP2D/URUT/2", NULL), SK_EPRECOND, "step");
    assert_int_equal(figures(line).realised, 1000000);

    /* The staff's view: what waits where, and how long. */
    company other = make_company("PT Kabar Antri", false, "012345678901237", true);
    char ag2[SK_UUID_STRLEN], waiting[1][SK_UUID_STRLEN];
    agreement(&other, 24000000, 24, line, ag2);
    completed_order(&other, ag2, 1, 500000, waiting[0]);
    invoice_for(&r, "INV/ANTRI/001", waiting, 1, NULL);
    OK(submit(&other, &r, &inv));
    char late[SK_UUID_STRLEN];
    snprintf(late, sizeof(late), "%s", inv->id);
    FREE(inv);
    /* Submitted 75 days ago (as if). */
    const char *late_p[] = {late};
    assert_int_equal(
        sk_test_sql_exec_params(dsn,
                                "UPDATE accounting.invoice SET submitted_on = submitted_on - 75"
                                " WHERE id = $1::uuid",
                                1, late_p),
        0);
    Seklik__Accounting__PaymentAgingRequest pa = SEKLIK__ACCOUNTING__PAYMENT_AGING_REQUEST__INIT;
    Seklik__Accounting__PaymentAgingResponse *aging = NULL;
    Seklik__Bus__Actor h = head();
    OK(acall("PaymentAging", &h, &pa.base, &seklik__accounting__payment_aging_response__descriptor,
             &aging));
    assert_int_equal(aging->n_buckets, 4);
    assert_string_equal(aging->buckets[2]->label, "61-90");
    assert_true(aging->buckets[2]->invoices >= 1);
    bool stuck = false;
    for (size_t i = 0; i < aging->n_steps; i++)
        if (aging->steps[i]->state == IS(SUBMITTED))
            stuck = aging->steps[i]->oldest_days >= 75 &&
                    strcmp(aging->steps[i]->invoice_ids[0], late) == 0;
    assert_true(stuck);
    FREE(aging);
    inv = get_invoice(late, &h);
    assert_int_equal(inv->age_days, 75);
    FREE(inv);
}

/* ---- the partner wall ---- */

static void partner_wall_on_every_new_method(void **state)
{
    (void)state;
    company mine = make_company("PT Kabar Dinding", false, "012345678901238", true);
    company theirs = make_company("PT Kabar Tetangga", false, "012345678901239", false);
    char line[SK_UUID_STRLEN], ag[SK_UUID_STRLEN], orders[1][SK_UUID_STRLEN];
    budget_line(1900000000LL, line);
    agreement(&mine, 24000000, 24, line, ag);
    completed_order(&mine, ag, 1, 1000000, orders[0]);
    invoice_req r;
    invoice_for(&r, "INV/WALL/001", orders, 1, NULL);
    Seklik__Accounting__Invoice *inv = NULL;
    OK(submit(&mine, &r, &inv));
    char id[SK_UUID_STRLEN], doc[SK_UUID_STRLEN];
    snprintf(id, sizeof(id), "%s", inv->id);
    snprintf(doc, sizeof(doc), "%s", inv->documents[0]->id);
    FREE(inv);

    /* Staff-only methods: a partner is refused before its input is read (an
     * empty request, which staff would get INVALID_ARGUMENT for). */
    static const char *const staff_only[] = {
        "SaveTaxTable", "PublishTaxTable", "GetTaxTable", "ListTaxTables", "PreviewTax",
        "SaveDocumentRules", "ReturnInvoice", "AcceptInvoice", "RecordPaymentStep",
        "CancelPaymentStep", "ExportSpp", "RecordWithholdingSlip", "ListTaxDue", "PaymentAging",
        "CheckLedger"};
    Seklik__Bus__Actor p = partner_of(mine.id), other = partner_of(theirs.id);
    Seklik__Bus__Actor partner_with_finance = partner_of(mine.id);
    char *roles[] = {"partner", "finance"};
    partner_with_finance.roles = roles;
    partner_with_finance.n_roles = 2;
    Seklik__Bus__Actor pr = it_actor("humas-1", "pr", NULL), f = finance();
    long long before = footprint();
    for (size_t i = 0; i < sizeof(staff_only) / sizeof(staff_only[0]); i++) {
        const ProtobufCMessageDescriptor *d =
            seklik__accounting__accounting__descriptor.methods[0].input;
        for (unsigned k = 0; k < seklik__accounting__accounting__descriptor.n_methods; k++)
            if (strcmp(seklik__accounting__accounting__descriptor.methods[k].name, staff_only[i]) == 0)
                d = seklik__accounting__accounting__descriptor.methods[k].input;
        ProtobufCMessage *empty = calloc(1, d->sizeof_message);
        d->message_init(empty);
        if (acall(staff_only[i], &p, empty, NULL, NULL).code != SK_EPERM ||
            acall(staff_only[i], &partner_with_finance, empty, NULL, NULL).code != SK_EPERM)
            fail_msg("a partner may call %s", staff_only[i]);
        int staff_code = acall(staff_only[i], &f, empty, NULL, NULL).code;
        if (staff_code == SK_EPERM)
            fail_msg("finance may not call %s", staff_only[i]);
        free(empty);
    }
    /* Finance's commands are finance's: PR staff may not decide or pay. */
    Seklik__Accounting__AcceptInvoiceRequest a = SEKLIK__ACCOUNTING__ACCEPT_INVOICE_REQUEST__INIT;
    a.invoice_id = id;
    a.purpose = "x";
    assert_int_equal(acall("AcceptInvoice", &pr, &a.base, NULL, NULL).code, SK_EPERM);
    assert_int_equal(acall("SubmitInvoice", &f, &r.req.base, NULL, NULL).code, SK_EPERM);

    /* A partner's own methods: never another company's invoice. */
    Seklik__Accounting__InvoiceRequest g = SEKLIK__ACCOUNTING__INVOICE_REQUEST__INIT;
    g.invoice_id = id;
    OK(acall("GetInvoice", &p, &g.base, &seklik__accounting__invoice__descriptor, &inv));
    FREE(inv);
    assert_int_equal(acall("GetInvoice", &other, &g.base, NULL, NULL).code, SK_EPERM);
    Seklik__Accounting__InvoiceDocumentRequest dr = SEKLIK__ACCOUNTING__INVOICE_DOCUMENT_REQUEST__INIT;
    dr.invoice_id = id;
    dr.document_id = doc;
    Seklik__Accounting__InvoiceDocumentFile *file = NULL;
    OK(acall("GetInvoiceDocument", &p, &dr.base, &seklik__accounting__invoice_document_file__descriptor,
             &file));
    assert_int_equal(file->content.len, sizeof(PDF) - 1);
    FREE(file);
    assert_int_equal(acall("GetInvoiceDocument", &other, &dr.base, NULL, NULL).code, SK_EPERM);
    Seklik__Accounting__AddInvoiceDocumentRequest ad =
        SEKLIK__ACCOUNTING__ADD_INVOICE_DOCUMENT_REQUEST__INIT;
    ad.invoice_id = id;
    ad.document = &r.file;
    assert_int_equal(acall("AddInvoiceDocument", &other, &ad.base, NULL, NULL).code, SK_EPERM);
    Seklik__Accounting__ListInvoicesRequest li = SEKLIK__ACCOUNTING__LIST_INVOICES_REQUEST__INIT;
    li.company_id = mine.id;
    assert_int_equal(acall("ListInvoices", &other, &li.base, NULL, NULL).code, SK_EPERM);
    li.company_id = "";
    Seklik__Accounting__ListInvoicesResponse *list = NULL;
    OK(acall("ListInvoices", &other, &li.base, &seklik__accounting__list_invoices_response__descriptor,
             &list));
    assert_int_equal(list->n_invoices, 0);
    FREE(list);
    /* A partner reads the checklist rules; without a company it reads nothing. */
    Seklik__Accounting__DocumentRulesRequest drr = SEKLIK__ACCOUNTING__DOCUMENT_RULES_REQUEST__INIT;
    drr.fiscal_year = YEAR;
    Seklik__Accounting__DocumentRules *rules = NULL;
    OK(acall("GetDocumentRules", &p, &drr.base, &seklik__accounting__document_rules__descriptor,
             &rules));
    assert_true(rules->defaults);
    assert_int_equal(rules->n_rules, 4);
    FREE(rules);
    Seklik__Bus__Actor homeless = it_actor("mitra-9", "partner", NULL);
    assert_int_equal(acall("GetDocumentRules", &homeless, &drr.base, NULL, NULL).code, SK_EPERM);
    assert_int_equal(acall("GetInvoice", &homeless, &g.base, NULL, NULL).code, SK_EPERM);
    assert_int_equal(acall("SubmitInvoice", &homeless, &r.req.base, NULL, NULL).code, SK_EPERM);
    assert_int_equal(footprint(), before);
}

/* ---- bad input ---- */

static void bad_input_names_the_field_and_writes_nothing(void **state)
{
    (void)state;
    company co = make_company("PT Kabar Salah", false, "012345678901240", true);
    char line[SK_UUID_STRLEN], ag[SK_UUID_STRLEN], orders[1][SK_UUID_STRLEN];
    budget_line(1900000000LL, line);
    agreement(&co, 24000000, 24, line, ag);
    completed_order(&co, ag, 1, 1000000, orders[0]);
    publish_tax_table();
    Seklik__Bus__Actor f = finance();
    long long before = footprint();

    /* Negative and overflowing amounts. */
    Seklik__Accounting__PreviewTaxRequest pv = SEKLIK__ACCOUNTING__PREVIEW_TAX_REQUEST__INIT;
    Seklik__Accounting__TaxTableInput t = SEKLIK__ACCOUNTING__TAX_TABLE_INPUT__INIT;
    t.fiscal_year = YEAR;
    t.pph23_rate_bp = 200;
    t.no_npwp_uplift_percent = 100;
    t.ppn_rate_bp = 1200;
    t.dpp_factor_numerator = 11;
    t.dpp_factor_denominator = 12;
    t.wapu_threshold = 2000000;
    t.rounding = SEKLIK__ACCOUNTING__ROUNDING__ROUNDING_HALF_UP;
    pv.table = &t;
    pv.gross = -1;
    REFUSED(acall("PreviewTax", &f, &pv.base, NULL, NULL), SK_EINVAL, "gross");
    pv.gross = 10000000000001LL;
    REFUSED(acall("PreviewTax", &f, &pv.base, NULL, NULL), SK_EINVAL, "gross");
    pv.gross = 1000000;
    pv.has_npwp = true;
    Seklik__Accounting__TaxComputation *tc = NULL;
    OK(acall("PreviewTax", &f, &pv.base, &seklik__accounting__tax_computation__descriptor, &tc));
    assert_int_equal(tc->pph23, 20000);
    FREE(tc);
    Seklik__Accounting__SaveTaxTableRequest st = SEKLIK__ACCOUNTING__SAVE_TAX_TABLE_REQUEST__INIT;
    st.table = &t;
    t.wapu_threshold = -5;
    REFUSED(acall("SaveTaxTable", &f, &st.base, NULL, NULL), SK_EINVAL, "table.wapuThreshold");
    t.wapu_threshold = 2000000;
    t.dpp_factor_numerator = 13;
    REFUSED(acall("SaveTaxTable", &f, &st.base, NULL, NULL), SK_EINVAL, "table.dppFactorNumerator");
    t.dpp_factor_numerator = 11;
    t.rounding = 0;
    REFUSED(acall("SaveTaxTable", &f, &st.base, NULL, NULL), SK_EINVAL, "table.rounding");
    t.rounding = SEKLIK__ACCOUNTING__ROUNDING__ROUNDING_HALF_UP;
    Seklik__Accounting__DocumentRules dr = SEKLIK__ACCOUNTING__DOCUMENT_RULES__INIT;
    Seklik__Accounting__DocumentRule rule = SEKLIK__ACCOUNTING__DOCUMENT_RULE__INIT, *rules[] = {&rule};
    dr.fiscal_year = YEAR;
    dr.rules = rules;
    dr.n_rules = 1;
    rule.kind = KUITANSI;
    rule.required = true;
    rule.above = -1;
    REFUSED(acall("SaveDocumentRules", &f, &dr.base, NULL, NULL), SK_EINVAL, "rules[0].above");

    /* The invoice: a faktur from a partner that is not PKP, a date before the
     * order was issued, in the future, a kuitansi that is no PDF, none at all. */
    invoice_req r;
    invoice_for(&r, "INV/SALAH/001", orders, 1, "02.00.27.00000000123");
    REFUSED(submit(&co, &r, NULL), SK_EINVAL, "invoice.fakturNumber");
    r.in.faktur_number = "";
    int32_t now = (int32_t)((time(NULL) + 7 * 3600) / 86400);
    char yesterday[11], tomorrow[11];
    time_t y = (time_t)(now - 1) * 86400, tm = (time_t)(now + 1) * 86400;
    strftime(yesterday, sizeof(yesterday), "%Y-%m-%d", gmtime(&y));
    strftime(tomorrow, sizeof(tomorrow), "%Y-%m-%d", gmtime(&tm));
    r.in.date = yesterday;
    REFUSED(submit(&co, &r, NULL), SK_EINVAL, "invoice.date");
    r.in.date = tomorrow;
    REFUSED(submit(&co, &r, NULL), SK_EINVAL, "invoice.date");
    r.in.date = "2027-02-30";
    REFUSED(submit(&co, &r, NULL), SK_EINVAL, "invoice.date");
    r.in.date = today;
    r.file.content.data = (uint8_t *)"GIF89a....";
    r.file.content.len = 10;
    REFUSED(submit(&co, &r, NULL), SK_EINVAL, "documents[0].content");
    r.file.content.data = (uint8_t *)PDF;
    r.file.content.len = sizeof(PDF) - 1;
    r.file.kind = PROOF_OF_PURCHASE; /* two proofs of purchase, no kuitansi */
    REFUSED(submit(&co, &r, NULL), SK_EINVAL, "documents");
    r.file.kind = KUITANSI;
    r.in.signatory_name = " ";
    REFUSED(submit(&co, &r, NULL), SK_EINVAL, "invoice.signatoryName");
    r.in.signatory_name = "Budi Santoso";
    char *bad_ids[] = {"not-a-uuid"};
    r.in.order_ids = bad_ids;
    REFUSED(submit(&co, &r, NULL), SK_EINVAL, "invoice.orderIds[0]"); /* the limits' check */
    r.in.order_ids = r.ids;
    assert_int_equal(footprint(), before);

    /* A step dated before the invoice, or with SIPD's number missing. */
    Seklik__Accounting__Invoice *inv = NULL;
    OK(submit(&co, &r, &inv));
    char id[SK_UUID_STRLEN];
    snprintf(id, sizeof(id), "%s", inv->id);
    FREE(inv);
    OK(accept_invoice(id, &inv));
    FREE(inv);
    before = footprint();
    Seklik__Accounting__RecordPaymentStepRequest s =
        SEKLIK__ACCOUNTING__RECORD_PAYMENT_STEP_REQUEST__INIT;
    s.invoice_id = id;
    s.step = STEP(SPP);
    s.number = "SPP/SALAH";
    s.date = yesterday;
    REFUSED(acall("RecordPaymentStep", &f, &s.base, NULL, NULL), SK_EINVAL, "date");
    s.date = tomorrow;
    REFUSED(acall("RecordPaymentStep", &f, &s.base, NULL, NULL), SK_EINVAL, "date");
    s.date = today;
    s.number = "";
    REFUSED(acall("RecordPaymentStep", &f, &s.base, NULL, NULL), SK_EINVAL, "number");
    s.step = 9;
    REFUSED(acall("RecordPaymentStep", &f, &s.base, NULL, NULL), SK_EINVAL, "step");
    Seklik__Accounting__ReturnInvoiceRequest rr = SEKLIK__ACCOUNTING__RETURN_INVOICE_REQUEST__INIT;
    rr.invoice_id = id;
    REFUSED(acall("ReturnInvoice", &f, &rr.base, NULL, NULL), SK_EINVAL, "reason");
    assert_int_equal(footprint(), before);
}

/* ---- the ledger check knows what a payment must look like ---- */

static void tampered(PGconn *c, const char *setup, const char *const *stmts, int n_stmts,
                     const char *param, char *failed, size_t cap)
{
    PGresult *r = PQexec(c, "BEGIN");
    PQclear(r);
    if (setup) {
        r = PQexec(c, setup);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            fprintf(stderr, "tamper: %s", PQresultErrorMessage(r));
        assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
        PQclear(r);
    }
    for (int i = 0; i < n_stmts; i++) {
        r = PQexecParams(c, stmts[i], 1, NULL, &param, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
            fprintf(stderr, "tamper: %s", PQresultErrorMessage(r));
        assert_true(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK);
        PQclear(r);
    }
    failed[0] = '\0';
    r = PQexec(c, "SELECT check_name FROM accounting.ledger_check() WHERE NOT ok");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    for (int i = 0; i < PQntuples(r); i++) {
        strncat(failed, PQgetvalue(r, i, 0), cap - strlen(failed) - 2);
        strncat(failed, " ", cap - strlen(failed) - 1);
    }
    PQclear(r);
    r = PQexec(c, "ROLLBACK");
    PQclear(r);
}

static void ledger_check_catches_broken_payments(void **state)
{
    (void)state;
    company co = make_company("PT Kabar Periksa", false, "012345678901241", true);
    char line[SK_UUID_STRLEN], ag[SK_UUID_STRLEN], orders[2][SK_UUID_STRLEN];
    budget_line(1900000000LL, line);
    agreement(&co, 24000000, 24, line, ag);
    completed_order(&co, ag, 1, 1000000, orders[0]);
    completed_order(&co, ag, 1, 1000000, orders[1]);
    publish_tax_table();
    char paid[SK_UUID_STRLEN], spm[SK_UUID_STRLEN];
    for (int i = 0; i < 2; i++) {
        invoice_req r;
        char number[32];
        snprintf(number, sizeof(number), "INV/CEK/%d", i);
        invoice_for(&r, number, orders + i, 1, NULL);
        Seklik__Accounting__Invoice *inv = NULL;
        OK(submit(&co, &r, &inv));
        snprintf(i ? spm : paid, SK_UUID_STRLEN, "%s", inv->id);
        FREE(inv);
        OK(accept_invoice(i ? spm : paid, &inv));
        FREE(inv);
    }
    pay(paid, "CEK/0");
    char n[3][32] = {"SPP/CEK/1", "", "SPM/CEK/1"};
    for (int s = 0; s < 3; s++) {
        Seklik__Accounting__Invoice *inv = NULL;
        OK(step(spm, s + 1, n[s], &inv));
        FREE(inv);
    }
    assert_sound();

    PGconn *c = PQconnectdb(dsn);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    char failed[512];
    /* A paid invoice whose net was never paid out of cash. */
    static const char *const unpaid[] = {
        "UPDATE accounting.account a SET debits_posted = debits_posted - t.amount"
        " FROM accounting.transfer t WHERE t.reference = $1 AND t.code = 'payment.cash'"
        " AND a.id = t.debit_account_id",
        "UPDATE accounting.account a SET credits_posted = credits_posted - t.amount"
        " FROM accounting.transfer t WHERE t.reference = $1 AND t.code = 'payment.cash'"
        " AND a.id = t.credit_account_id",
        "DELETE FROM accounting.transfer WHERE reference = $1 AND code = 'payment.cash'",
    };
    tampered(c,
             "ALTER TABLE accounting.transfer DISABLE TRIGGER transfer_immutable;"
             " ALTER TABLE accounting.account DISABLE TRIGGER account_guard",
             unpaid, 3, paid, failed, sizeof(failed));
    assert_string_equal(failed, "ledger_payments_match_invoices ");
    /* An invoice marked paid without its SP2D's transfers. */
    static const char *const marked_paid[] = {
        "UPDATE accounting.invoice SET state = 'paid', paid_on = current_date WHERE id = $1::uuid"};
    tampered(c, NULL, marked_paid, 1, spm, failed, sizeof(failed));
    assert_string_equal(failed, "ledger_payments_match_invoices ");
    /* An invoice whose gross is not its orders'. */
    static const char *const gross[] = {
        "UPDATE accounting.invoice SET gross = gross + 1 WHERE id = $1::uuid"};
    tampered(c, NULL, gross, 1, spm, failed, sizeof(failed));
    assert_string_equal(failed, "ledger_payments_match_invoices ");
    /* A payable account without its limit. */
    static const char *const unlimited[] = {
        "UPDATE accounting.account SET debits_must_not_exceed_credits = false"
        " WHERE company_id = $1::uuid"};
    tampered(c, "ALTER TABLE accounting.account DISABLE TRIGGER account_guard", unlimited, 1, co.id,
             failed, sizeof(failed));
    assert_string_equal(failed, "ledger_limits_hold ");
    /* The database itself refuses a second live SP2D and a changed computation. */
    const char *paid_p[] = {paid};
    PGresult *res =
        PQexecParams(c,
                     "INSERT INTO accounting.payment_step (id, invoice_id, step, number,"
                     " step_date, recorded_by) VALUES (gen_random_uuid(), $1::uuid,"
                     " 'sp2d', 'SP2D/LAGI', current_date, 'x')",
                     1, NULL, paid_p, NULL, NULL, 0);
    assert_string_equal(PQresultErrorField(res, PG_DIAG_SQLSTATE), "23505");
    PQclear(res);
    res = PQexec(c, "UPDATE accounting.tax_computation SET pph23 = pph23 + 1");
    assert_string_equal(PQresultErrorField(res, PG_DIAG_SQLSTATE), "23001");
    PQclear(res);
    PQfinish(c);
}

/* ---- SIGKILL between steps under load ---- */

#define PAYERS 4
#define PER_PAYER 3

static atomic_int unanswered;

/* Call until the service answers something other than unavailable. */
static int until_answered(const char *invoice, int s, const char *number, const char *key)
{
    for (int attempt = 0; attempt < 400; attempt++) {
        result r = step_key(invoice, s, number, key, NULL);
        if (r.code != SK_EUNAVAIL && r.code != SK_ETIMEDOUT && r.code != SK_EINTERNAL &&
            r.code != SK_EAUTH)
            return r.code;
        atomic_fetch_add(&unanswered, 1);
        sk_test_sleep_ms(50);
    }
    return SK_ETIMEDOUT;
}

typedef struct payer {
    char invoices[PER_PAYER][SK_UUID_STRLEN];
    int index;
    int failures;
} payer;

static void *pay_all(void *arg)
{
    payer *p = arg;
    for (int i = 0; i < PER_PAYER; i++)
        for (int s = 1; s <= 4; s++) {
            char number[64], key[SK_UUID_STRLEN];
            static const char *const prefix[] = {"", "SPP", "", "SPM", "SP2D"};
            if (s == 2)
                number[0] = '\0';
            else
                snprintf(number, sizeof(number), "%s/KILL/%d/%d", prefix[s], p->index, i);
            sk_uuid7(key);
            if (until_answered(p->invoices[i], s, number, key) != SK_OK)
                p->failures++;
            /* A second try of the same step under a new key: answered as it is. */
            if (s == 4 && until_answered(p->invoices[i], s, number, NULL) != SK_OK)
                p->failures++;
        }
    return NULL;
}

static void sigkill_between_steps_pays_each_invoice_once(void **state)
{
    (void)state;
    company co = make_company("PT Kabar Tahan", false, "012345678901242", true);
    char line[SK_UUID_STRLEN], ag[SK_UUID_STRLEN];
    budget_line(1900000000LL, line);
    agreement(&co, 24000000, 24, line, ag);
    publish_tax_table();
    /* Rules of this year: the kuitansi only, so every invoice is complete. */
    Seklik__Accounting__DocumentRules dr = SEKLIK__ACCOUNTING__DOCUMENT_RULES__INIT;
    Seklik__Accounting__DocumentRule rule = SEKLIK__ACCOUNTING__DOCUMENT_RULE__INIT, *rules[] = {&rule};
    dr.fiscal_year = YEAR;
    dr.rules = rules;
    dr.n_rules = 1;
    rule.kind = KUITANSI;
    rule.required = true;
    Seklik__Bus__Actor f = finance();
    Seklik__Accounting__DocumentRules *saved = NULL;
    OK(acall("SaveDocumentRules", &f, &dr.base, &seklik__accounting__document_rules__descriptor,
             &saved));
    assert_false(saved->defaults);
    FREE(saved);
    static payer payers[PAYERS];
    int64_t sum = 0;
    int64_t realised_before = figures(line).realised;
    for (int i = 0; i < PAYERS; i++) {
        payers[i].index = i;
        payers[i].failures = 0;
        for (int k = 0; k < PER_PAYER; k++) {
            char order[1][SK_UUID_STRLEN], number[32];
            int64_t price = 500000 + 1000 * (i * PER_PAYER + k);
            completed_order(&co, ag, 1, price, order[0]);
            invoice_req r;
            snprintf(number, sizeof(number), "INV/KILL/%d/%d", i, k);
            invoice_for(&r, number, order, 1, NULL);
            Seklik__Accounting__Invoice *inv = NULL;
            OK(submit(&co, &r, &inv));
            snprintf(payers[i].invoices[k], SK_UUID_STRLEN, "%s", inv->id);
            FREE(inv);
            OK(accept_invoice(payers[i].invoices[k], &inv));
            FREE(inv);
            sum += price;
        }
    }
    atomic_store(&unanswered, 0);
    static const char STEPS_SQL[] = "SELECT count(*) FROM accounting.payment_step";
    long long base = sk_test_sql_number(dsn, STEPS_SQL);
    pthread_t t[PAYERS];
    for (int i = 0; i < PAYERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, pay_all, &payers[i]), 0);
    /* Kill while the steps run, twice. */
    for (int kill = 0; kill < 2; kill++) {
        for (int i = 0; i < 400; i++) {
            if (sk_test_sql_number(dsn, STEPS_SQL) >= base + 6 * (kill + 1))
                break;
            sk_test_sleep_ms(10);
        }
        sk_proc_signal(&accounting.proc, SIGKILL);
        assert_int_equal(sk_proc_wait(&accounting.proc, 10000), 128 + SIGKILL);
        char log[512];
        assert_int_equal(sk_test_peer_start(&accounting, accounting_bin,
                                            it_log(log, sizeof(log), "invoice", "accounting")),
                         0);
    }
    for (int i = 0; i < PAYERS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(payers[i].failures, 0);
    }
    assert_true(atomic_load(&unanswered) > 0);

    /* Each invoice paid once: one live SP2D, its net out of cash once, its
     * order's reservation posted once. Absorption is the sum of the SP2Ds. */
    for (int i = 0; i < PAYERS; i++)
        for (int k = 0; k < PER_PAYER; k++) {
            const char *id = payers[i].invoices[k];
            assert_int_equal(sqln("SELECT count(*) FROM accounting.invoice WHERE id = '%s'"
                                  " AND state = 'paid'", id), 1);
            assert_int_equal(sqln("SELECT count(*) FROM accounting.payment_step WHERE invoice_id"
                                  " = '%s' AND step = 'sp2d'", id), 1);
            assert_int_equal(sqln("SELECT count(*) FROM accounting.transfer WHERE reference = '%s'"
                                  " AND code = 'payment.cash'", id), 1);
            assert_int_equal(sqln("SELECT count(*) FROM accounting.transfer t JOIN"
                                  " accounting.invoice_order o ON t.reference = o.order_id::text"
                                  " WHERE o.invoice_id = '%s' AND t.code = 'reservation.post'",
                                  id),
                             1);
        }
    assert_int_equal(figures(line).realised - realised_before, sum);
    assert_int_equal(sqln("SELECT sum(o.gross) FROM accounting.invoice i JOIN accounting.invoice_order"
                          " o ON o.invoice_id = i.id WHERE i.state = 'paid' AND o.budget_line_id"
                          " = '%s'", line),
                     figures(line).realised);
    assert_sound();
}

/* ---- the fixture ---- */

static int start(void **state)
{
    (void)state;
    char log[512];
    ordering_bin = it_arg(4);
    accounting_bin = it_arg(5);
    scoring_bin = it_arg(6);
    time_t now = time(NULL) + 7 * 3600;
    strftime(today, sizeof(today), "%Y-%m-%d", gmtime(&now));
    if (!ordering_bin || !accounting_bin || !scoring_bin ||
        !sk_test_create_db("it_invoice", dsn, sizeof(dsn)) ||
        !sk_test_create_db("it_invoice_registry", reg_dsn, sizeof(reg_dsn)) ||
        !sk_test_create_db("it_invoice_verification", ver_dsn, sizeof(ver_dsn)))
        return -1;
    const char *redis = sk_test_env("SEKLIK_TEST_REDIS_URL");
    sk_test_peer_init(&fake_registry, "testpub", reg_dsn, redis);
    sk_test_peer_init(&fake_verification, "testpub", ver_dsn, redis);
    if (sk_test_peer_start(&fake_registry, it_pub_bin, it_log(log, sizeof(log), "invoice", "registry")) ||
        sk_test_peer_start(&fake_verification, it_pub_bin,
                           it_log(log, sizeof(log), "invoice", "verification")))
        return -1;
    sk_test_peer_init(&accounting, "accounting", dsn, redis);
    sk_test_peer_init(&scoring, "scoring", dsn, redis);
    sk_test_peer_init(&ordering, "ordering", dsn, redis);
    sk_test_peer_setenv(&scoring, "SEKLIK_REGISTRY_RPC", fake_registry.rpc);
    sk_test_peer_setenv(&scoring, "SEKLIK_REGISTRY_EVENTS", fake_registry.events);
    sk_test_peer_setenv(&scoring, "SEKLIK_VERIFICATION_RPC", fake_verification.rpc);
    sk_test_peer_setenv(&scoring, "SEKLIK_VERIFICATION_EVENTS", fake_verification.events);
    sk_test_peer_link(&scoring, &ordering);
    sk_test_peer_setenv(&scoring, "SEKLIK_REPLAY_INTERVAL_MS", "200");
    sk_test_peer_setenv(&ordering, "SEKLIK_REGISTRY_RPC", fake_registry.rpc);
    sk_test_peer_setenv(&ordering, "SEKLIK_REGISTRY_EVENTS", fake_registry.events);
    sk_test_peer_link(&ordering, &scoring);
    sk_test_peer_link(&ordering, &accounting);
    sk_test_peer_setenv(&ordering, "SEKLIK_REPLAY_INTERVAL_MS", "200");
    sk_test_peer_setenv(&ordering, "SEKLIK_ORDERING_CALL_TIMEOUT_MS", "1000");
    sk_test_peer_setenv(&ordering, "SEKLIK_ORDERING_REDRIVE_INTERVAL_MS", "200");
    sk_test_peer_setenv(&accounting, "SEKLIK_REGISTRY_RPC", fake_registry.rpc);
    sk_test_peer_setenv(&accounting, "SEKLIK_REGISTRY_EVENTS", fake_registry.events);
    sk_test_peer_link(&accounting, &ordering);
    sk_test_peer_setenv(&accounting, "SEKLIK_REPLAY_INTERVAL_MS", "200");
    if (sk_test_peer_start(&accounting, accounting_bin, it_log(log, sizeof(log), "invoice", "accounting")) ||
        sk_test_peer_start(&scoring, scoring_bin, it_log(log, sizeof(log), "invoice", "scoring")) ||
        sk_test_peer_start(&ordering, ordering_bin, it_log(log, sizeof(log), "invoice", "ordering")))
        return -1;
    ord = it_client(ordering.rpc);
    acc = it_client(accounting.rpc);
    sco = it_client(scoring.rpc);
    return 0;
}

static int stop(void **state)
{
    (void)state;
    sk_rpc_client_close(ord);
    sk_rpc_client_close(acc);
    sk_rpc_client_close(sco);
    it_stop((sk_test_peer *[]){&ordering, &scoring, &accounting, &fake_verification,
                               &fake_registry, NULL});
    return 0;
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(golden_path_from_accepted_proof_to_sp2d, sound),
        cmocka_unit_test_teardown(ppn_collected_only_above_the_threshold_of_the_invoice_total,
                                  sound),
        cmocka_unit_test_teardown(another_company_s_order_or_an_order_twice_is_refused, sound),
        cmocka_unit_test_teardown(finance_cannot_skip_a_step_and_a_cancelled_spm_is_reversed,
                                  sound),
        cmocka_unit_test_teardown(partner_wall_on_every_new_method, sound),
        cmocka_unit_test_teardown(bad_input_names_the_field_and_writes_nothing, sound),
        cmocka_unit_test_teardown(ledger_check_catches_broken_payments, sound),
        cmocka_unit_test_teardown(sigkill_between_steps_pays_each_invoice_once, sound),
    };
    return it_main2(argc, argv, tests, sizeof(tests) / sizeof(tests[0]), start, stop);
}
