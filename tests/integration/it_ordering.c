/* Orders over the bus with the real ordering, accounting and scoring
 * services: the golden path's order part (agreement for 24 placements and
 * Rp 24.000.000; an advertorial offered at Rp 900.000, countered at
 * Rp 1.000.000, accepted, issued as MO/0001/DISKOMINFO/2027 with
 * Rp 1.000.000 reserved; a proof rejected, resubmitted and accepted), what
 * runs out (agreement quota and value, the budget line) refused by name and
 * changing nothing, four eyes on approvals and proofs, the ceiling on every
 * offer, the partner wall on every method, eight clients racing for a line
 * that fits N orders, SIGKILL of ordering and then accounting in the middle
 * of issuing under load, and the year's close feeding scoring.
 *
 * Two testpubs stand in for registry and verification: the test writes
 * their events (each year opened, a company with one online outlet verified
 * for a year with the documents that earn its points) and, once an admin
 * published the year's rule set and price standard, scoring tiers the
 * outlet; ordering learns tiers and ceilings from scoring's events.
 * After every test the ordering invariants (common/sk_order_check.h) and the
 * ledger's (common/sk_ledger.h) hold.
 *
 * argv: testpub testsub logdir seklik-ordering seklik-accounting seklik-scoring */
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
#include "seklik/verification.pb-c.h"

#define ADVERTORIAL SEKLIK__SCORING__PRODUCT__PRODUCT_ONLINE_ADVERTORIAL
#define BANNER SEKLIK__SCORING__PRODUCT__PRODUCT_ONLINE_BANNER_MONTH
#define S(x) SEKLIK__ORDERING__ORDER_STATE__ORDER_STATE_##x
#define FREE(m) protobuf_c_message_free_unpacked(&(m)->base, NULL)

static const char *ordering_bin, *accounting_bin, *scoring_bin;
static char dsn[512], reg_dsn[512], ver_dsn[512];
static sk_test_peer ordering, accounting, scoring, fake_registry, fake_verification;
static sk_rpc_client *ord, *acc, *sco;

static const uint8_t PDF[] = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";
static const uint8_t PNG[] = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01";

/* ---- actors ---- */

static Seklik__Bus__Actor staff(void) { return it_actor("kemitraan-1", "partnership", NULL); }
static Seklik__Bus__Actor staff2(void) { return it_actor("kemitraan-2", "partnership", NULL); }
static Seklik__Bus__Actor head(void) { return it_actor("pimpinan-1", "head", NULL); }
static Seklik__Bus__Actor admin(void) { return it_actor("admin-1", "admin", NULL); }
static Seklik__Bus__Actor finance(void) { return it_actor("keuangan-1", "finance", NULL); }
static Seklik__Bus__Actor partner_of(const char *company)
{
    return it_actor("mitra-1", "partner", company);
}

/* ---- calls ---- */

typedef struct result {
    int code;           /* SK_* */
    char field[128];    /* the first violation's field */
    char message[256];
} result;

/* Call `method` ("Ordering.X" / "Accounting.X"); commands get a fresh key
 * unless `key` is given. On OK the body is decoded into *out (if out). */
static result call_on(sk_rpc_client *c, const char *method, const Seklik__Bus__Actor *who,
                      bool command, const char *key, const ProtobufCMessage *in,
                      const ProtobufCMessageDescriptor *od, void *out)
{
    char fresh[SK_UUID_STRLEN];
    sk_uuid7(fresh);
    Seklik__Bus__Response *resp = NULL;
    result r = {0};
    int rc = sk_rpc_call(c, method, who, command ? (key ? key : fresh) : NULL, in, 30000, &resp);
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

static bool is_command(const char *m)
{
    static const char *const queries[] = {"GetYearSettings", "GetAgreement", "GetAgreementDocument",
                                          "ListAgreements",  "ListProducts", "GetOrder",
                                          "ListOrders",      "GetProofFile", "GetBudgetLine",
                                          "ListBudgetLines", "GetReservation", NULL};
    const char *dot = strchr(m, '.');
    for (const char *const *q = queries; *q; q++)
        if (strcmp(dot ? dot + 1 : m, *q) == 0)
            return false;
    return true;
}

static result ocall(const char *method, const Seklik__Bus__Actor *who, const ProtobufCMessage *in,
                    const ProtobufCMessageDescriptor *od, void *out)
{
    char full[96];
    snprintf(full, sizeof(full), "Ordering.%s", method);
    return call_on(ord, full, who, is_command(method), NULL, in, od, out);
}

static result acall(const char *method, const Seklik__Bus__Actor *who, const ProtobufCMessage *in,
                    const ProtobufCMessageDescriptor *od, void *out)
{
    char full[96];
    snprintf(full, sizeof(full), "Accounting.%s", method);
    return call_on(acc, full, who, is_command(method), NULL, in, od, out);
}

#define OK(r)                                                                                      \
    do {                                                                                           \
        result r_ = (r);                                                                           \
        if (r_.code != SK_OK)                                                                      \
            fail_msg("%s:%d: code %d %s (%s)", __FILE__, __LINE__, r_.code, r_.message, r_.field);  \
    } while (0)

static long long sqln(const char *fmt, const char *arg)
{
    char q[1024];
    snprintf(q, sizeof(q), fmt, arg);
    return sk_test_sql_number(dsn, q);
}

/* ---- a tiered company, from the stand-ins' events ---- */

typedef struct company {
    char id[SK_UUID_STRLEN], outlet[SK_UUID_STRLEN];
    char person[4][SK_UUID_STRLEN]; /* [0] the chief editor */
    char name[64];
} company;

/* A company with one online outlet (600.000 visitors a month), a Madya chief
 * editor and three Muda journalists, founded by a deed of 2015, as registry
 * announces it. What counts is what verified_for's documents prove. */
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
    Seklik__Registry__CompanyInput ci = SEKLIK__REGISTRY__COMPANY_INPUT__INIT;
    ci.legal_name = (char *)co->name;
    ci.dewan_pers_status = SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_FAKTUAL;
    ci.deed_date = "2015-01-01";
    ci.established_on = "2015-01-01";
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

/* Verified for `year` with its deed, Dewan Pers certificate (faktual) and
 * the UKW certificates of the chief editor and two of the three journalists
 * accepted: 30 + 8 + 8 (2 of 3) + 10 (5 years or more on 1 January, from
 * 2020 on) + 17 (600.000 visitors) + 5 (no history) = 78, tier B, whose
 * online advertorial ceiling is Rp 1.000.000 in the drafted price standard. */
static void verified_for(const company *co, int year)
{
    const char *certified[] = {co->person[0], co->person[1], co->person[2]};
    it_verified_with_documents(ver_dsn, co->id, co->outlet, year, certified, 3);
}

/* The year opened and its drafted rule set and price standard published by
 * the admin, once per year. */
static void year_in_force(int year)
{
    static bool done[2101];
    assert_true(year >= 2000 && year <= 2100);
    if (!done[year])
        it_open_year(ver_dsn, dsn, sco, year);
    done[year] = true;
}

/* Wait until ordering offers the outlet's advertorial at `ceiling` in `year`. */
static void wait_products(const company *co, int year, int64_t ceiling)
{
    Seklik__Ordering__ListProductsRequest req = SEKLIK__ORDERING__LIST_PRODUCTS_REQUEST__INIT;
    req.fiscal_year = year;
    req.company_id = (char *)co->id;
    Seklik__Bus__Actor a = staff();
    for (int i = 0; i < 400; i++) {
        Seklik__Ordering__ListProductsResponse *r = NULL;
        OK(ocall("ListProducts", &a, &req.base, &seklik__ordering__list_products_response__descriptor,
                 &r));
        bool seen = false;
        for (size_t k = 0; k < r->n_products; k++)
            seen = seen || (r->products[k]->product == ADVERTORIAL &&
                            r->products[k]->ceiling == ceiling &&
                            strcmp(r->products[k]->outlet_id, co->outlet) == 0);
        FREE(r);
        if (seen)
            return;
        sk_test_sleep_ms(50);
    }
    fail_msg("ordering never learnt %s's tier for %d", co->name, year);
}

static company tiered(const char *name, const int *years, int n)
{
    company co;
    sk_uuid7(co.id);
    sk_uuid7(co.outlet);
    for (int k = 0; k < 4; k++)
        sk_uuid7(co.person[k]);
    snprintf(co.name, sizeof(co.name), "%s", name);
    for (int i = 0; i < n; i++)
        year_in_force(years[i]);
    registry_event(&co);
    for (int i = 0; i < n; i++)
        verified_for(&co, years[i]);
    for (int i = 0; i < n; i++)
        wait_products(&co, years[i], 1000000);
    /* Names come on registry's own stream, which may lag scoring's. */
    for (int i = 0; i < 400 && sqln("SELECT count(*) FROM ordering.company WHERE company_id = '%s'",
                                    co.id) == 0;
         i++)
        sk_test_sleep_ms(50);
    assert_int_equal(sqln("SELECT count(*) FROM ordering.company WHERE company_id = '%s'", co.id), 1);
    return co;
}

/* ---- budget lines, agreements, orders ---- */

static void budget_line(int year, int64_t pagu, char out[SK_UUID_STRLEN])
{
    static atomic_int n = 0;
    char sub[32];
    snprintf(sub, sizeof(sub), "2.16.02.1.01.%04d", atomic_fetch_add(&n, 1) + 1);
    Seklik__Accounting__BudgetLineInput li = SEKLIK__ACCOUNTING__BUDGET_LINE_INPUT__INIT;
    li.fiscal_year = year;
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

static Seklik__Accounting__Balances *balances(const char *line, Seklik__Accounting__BudgetLineDetail **keep)
{
    Seklik__Accounting__GetBudgetLineRequest req = SEKLIK__ACCOUNTING__GET_BUDGET_LINE_REQUEST__INIT;
    req.budget_line_id = (char *)line;
    Seklik__Bus__Actor a = head();
    OK(acall("GetBudgetLine", &a, &req.base, &seklik__accounting__budget_line_detail__descriptor,
             keep));
    return (*keep)->line->balances;
}

static Seklik__Ordering__AgreementInput agreement_input(const company *co, int year, int64_t value,
                                                       Seklik__Ordering__Quota **quotas, size_t nq,
                                                       const char *line, char *number, char *from,
                                                       char *until)
{
    Seklik__Ordering__AgreementInput a = SEKLIK__ORDERING__AGREEMENT_INPUT__INIT;
    snprintf(number, 64, "027/PKS/%s/%d", co->id + 24, year);
    snprintf(from, 16, "%d-01-01", year);
    snprintf(until, 16, "%d-12-31", year);
    a.company_id = (char *)co->id;
    a.fiscal_year = year;
    a.number = number;
    a.value = value;
    a.quotas = quotas;
    a.n_quotas = nq;
    a.valid_from = from;
    a.valid_until = until;
    a.budget_line_id = (char *)(line ? line : "");
    return a;
}

/* A signed agreement; its id into `out`. */
static void agreement(const company *co, int year, int64_t value, int placements,
                      const char *line, char out[SK_UUID_STRLEN])
{
    Seklik__Ordering__Quota q = SEKLIK__ORDERING__QUOTA__INIT, *qs[] = {&q};
    q.product = ADVERTORIAL;
    q.placements = placements;
    char number[64], from[16], until[16];
    Seklik__Ordering__AgreementInput in =
        agreement_input(co, year, value, qs, 1, line, number, from, until);
    Seklik__Ordering__SaveAgreementRequest req = SEKLIK__ORDERING__SAVE_AGREEMENT_REQUEST__INIT;
    req.agreement = &in;
    Seklik__Bus__Actor a = staff();
    Seklik__Ordering__Agreement *ag = NULL;
    OK(ocall("SaveAgreement", &a, &req.base, &seklik__ordering__agreement__descriptor, &ag));
    Seklik__Ordering__SignAgreementRequest sr = SEKLIK__ORDERING__SIGN_AGREEMENT_REQUEST__INIT;
    sr.agreement_id = ag->id;
    sr.signed_on = from;
    sr.file_name = "pks.pdf";
    sr.content.data = (uint8_t *)PDF;
    sr.content.len = sizeof(PDF) - 1;
    Seklik__Ordering__Agreement *signed_ = NULL;
    OK(ocall("SignAgreement", &a, &sr.base, &seklik__ordering__agreement__descriptor, &signed_));
    assert_int_equal(signed_->state, SEKLIK__ORDERING__AGREEMENT_STATE__AGREEMENT_STATE_ACTIVE);
    snprintf(out, SK_UUID_STRLEN, "%s", ag->id);
    FREE(signed_);
    FREE(ag);
}

static Seklik__Ordering__OrderInput order_input(const char *agreement_id, const company *co,
                                                int year, int qty, char *from, char *to)
{
    Seklik__Ordering__OrderInput o = SEKLIK__ORDERING__ORDER_INPUT__INIT;
    snprintf(from, 16, "%d-03-01", year);
    snprintf(to, 16, "%d-03-31", year);
    o.agreement_id = (char *)agreement_id;
    o.outlet_id = (char *)co->outlet;
    o.product = ADVERTORIAL;
    o.quantity = qty;
    o.schedule_from = from;
    o.schedule_to = to;
    o.title = "Advertorial Hari Jadi Kabupaten";
    o.brief = "Satu advertorial tentang program layanan publik Diskominfo.";
    return o;
}

/* An order offered at `price` and accepted by the partner; its id into `out`. */
static void accepted_order(const char *agreement_id, const company *co, int year, int qty,
                           int64_t price, const char *line, char out[SK_UUID_STRLEN])
{
    char from[16], to[16];
    Seklik__Ordering__OrderInput o = order_input(agreement_id, co, year, qty, from, to);
    o.budget_line_id = (char *)(line ? line : "");
    Seklik__Ordering__CreateOrderRequest req = SEKLIK__ORDERING__CREATE_ORDER_REQUEST__INIT;
    req.order = &o;
    req.unit_price = price;
    req.offer_now = true;
    Seklik__Bus__Actor s = staff(), p = partner_of(co->id);
    Seklik__Ordering__Order *made = NULL, *acc_ = NULL;
    OK(ocall("CreateOrder", &s, &req.base, &seklik__ordering__order__descriptor, &made));
    Seklik__Ordering__OrderRequest ar = SEKLIK__ORDERING__ORDER_REQUEST__INIT;
    ar.order_id = made->id;
    OK(ocall("AcceptOffer", &p, &ar.base, &seklik__ordering__order__descriptor, &acc_));
    snprintf(out, SK_UUID_STRLEN, "%s", made->id);
    FREE(made);
    FREE(acc_);
}

static result issue(const char *order_id, Seklik__Ordering__Order **out)
{
    Seklik__Ordering__OrderRequest req = SEKLIK__ORDERING__ORDER_REQUEST__INIT;
    req.order_id = (char *)order_id;
    Seklik__Bus__Actor a = staff();
    return ocall("IssueOrder", &a, &req.base, &seklik__ordering__order__descriptor, out);
}

static Seklik__Ordering__Order *get_order(const char *order_id)
{
    Seklik__Ordering__OrderRequest req = SEKLIK__ORDERING__ORDER_REQUEST__INIT;
    req.order_id = (char *)order_id;
    Seklik__Bus__Actor a = head();
    Seklik__Ordering__Order *o = NULL;
    OK(ocall("GetOrder", &a, &req.base, &seklik__ordering__order__descriptor, &o));
    return o;
}

static Seklik__Ordering__Agreement *get_agreement(const char *id)
{
    Seklik__Ordering__AgreementRequest req = SEKLIK__ORDERING__AGREEMENT_REQUEST__INIT;
    req.agreement_id = (char *)id;
    Seklik__Bus__Actor a = head();
    Seklik__Ordering__Agreement *ag = NULL;
    OK(ocall("GetAgreement", &a, &req.base, &seklik__ordering__agreement__descriptor, &ag));
    return ag;
}

static Seklik__Accounting__Reservation *reservation(const char *order_id, int *code)
{
    Seklik__Accounting__ReservationRequest req = SEKLIK__ACCOUNTING__RESERVATION_REQUEST__INIT;
    req.order_id = (char *)order_id;
    Seklik__Bus__Actor a = finance();
    Seklik__Accounting__Reservation *r = NULL;
    *code = acall("GetReservation", &a, &req.base, &seklik__accounting__reservation__descriptor, &r)
                .code;
    return r;
}

/* Both services' invariants hold. */
static void assert_sound(void)
{
    assert_int_equal(it_orders_check(dsn, dsn), 0);
    it_assert_ledger_sound(dsn);
}

/* ---- the golden path's order part ---- */

static company golden;
static char golden_agreement[SK_UUID_STRLEN], golden_line[SK_UUID_STRLEN];

static void golden_path_order_is_issued_and_its_proof_accepted(void **state)
{
    (void)state;
    golden = tiered("PT Kabar Demo", (int[]){2027}, 1);
    budget_line(2027, 1900000000LL, golden_line);
    Seklik__Bus__Actor s = staff(), s2 = staff2(), p = partner_of(golden.id), h = head();

    /* The agreement: 24 placements, Rp 24.000.000, number and value stated. */
    Seklik__Ordering__Quota q = SEKLIK__ORDERING__QUOTA__INIT, *qs[] = {&q};
    q.product = ADVERTORIAL;
    q.placements = 24;
    char number[64], from[16], until[16];
    Seklik__Ordering__AgreementInput in =
        agreement_input(&golden, 2027, 24000000, qs, 1, golden_line, number, from, until);
    Seklik__Ordering__SaveAgreementRequest sa = SEKLIK__ORDERING__SAVE_AGREEMENT_REQUEST__INIT;
    sa.agreement = &in;
    Seklik__Ordering__Agreement *ag = NULL;
    OK(ocall("SaveAgreement", &s, &sa.base, &seklik__ordering__agreement__descriptor, &ag));
    assert_int_equal(ag->state, SEKLIK__ORDERING__AGREEMENT_STATE__AGREEMENT_STATE_DRAFT);
    assert_string_equal(ag->company_name, "PT Kabar Demo");
    assert_int_equal(ag->data->value, 24000000);
    assert_int_equal(ag->data->quotas[0]->placements, 24);
    snprintf(golden_agreement, sizeof(golden_agreement), "%s", ag->id);
    /* One live agreement per company and year. */
    assert_int_equal(ocall("SaveAgreement", &s, &sa.base, NULL, NULL).code, SK_EEXISTS);

    /* Signed with the scan, a PDF by its content: a PNG is refused. */
    Seklik__Ordering__SignAgreementRequest sr = SEKLIK__ORDERING__SIGN_AGREEMENT_REQUEST__INIT;
    sr.agreement_id = ag->id;
    sr.signed_on = "2027-01-04";
    sr.file_name = "pks.pdf";
    sr.content.data = (uint8_t *)PNG;
    sr.content.len = sizeof(PNG) - 1;
    result r = ocall("SignAgreement", &s, &sr.base, NULL, NULL);
    assert_int_equal(r.code, SK_EINVAL);
    assert_string_equal(r.field, "content");
    sr.content.data = (uint8_t *)PDF;
    sr.content.len = sizeof(PDF) - 1;
    Seklik__Ordering__Agreement *signed_ = NULL;
    OK(ocall("SignAgreement", &s, &sr.base, &seklik__ordering__agreement__descriptor, &signed_));
    assert_int_equal(signed_->state, SEKLIK__ORDERING__AGREEMENT_STATE__AGREEMENT_STATE_ACTIVE);
    assert_string_equal(signed_->signed_on, "2027-01-04");
    assert_int_equal(strlen(signed_->document_sha256), 64);
    FREE(signed_);
    /* The partner reads its own agreement and its scan. */
    Seklik__Ordering__AgreementRequest gr = SEKLIK__ORDERING__AGREEMENT_REQUEST__INIT;
    gr.agreement_id = ag->id;
    Seklik__Ordering__AgreementDocument *doc = NULL;
    OK(ocall("GetAgreementDocument", &p, &gr.base, &seklik__ordering__agreement_document__descriptor,
             &doc));
    assert_int_equal(doc->content.len, sizeof(PDF) - 1);
    assert_memory_equal(doc->content.data, PDF, sizeof(PDF) - 1);
    FREE(doc);
    FREE(ag);

    /* Offered at Rp 900.000, countered by the partner at Rp 1.000.000 (the
     * ceiling), accepted by the office. */
    char sf[16], st[16];
    Seklik__Ordering__OrderInput o = order_input(golden_agreement, &golden, 2027, 1, sf, st);
    Seklik__Ordering__CreateOrderRequest cr = SEKLIK__ORDERING__CREATE_ORDER_REQUEST__INIT;
    cr.order = &o;
    cr.unit_price = 900000;
    cr.note = "Harga penawaran awal";
    cr.offer_now = true;
    Seklik__Ordering__Order *ord_ = NULL;
    OK(ocall("CreateOrder", &s, &cr.base, &seklik__ordering__order__descriptor, &ord_));
    assert_int_equal(ord_->state, S(OFFERED));
    assert_int_equal(ord_->ceiling, 1000000);
    assert_string_equal(ord_->company_name, "PT Kabar Demo");
    char id[SK_UUID_STRLEN];
    snprintf(id, sizeof(id), "%s", ord_->id);
    FREE(ord_);
    /* The office may not answer its own offer. */
    Seklik__Ordering__OrderRequest orq = SEKLIK__ORDERING__ORDER_REQUEST__INIT;
    orq.order_id = id;
    assert_int_equal(ocall("AcceptOffer", &s, &orq.base, NULL, NULL).code, SK_EPRECOND);
    Seklik__Ordering__OfferRequest co = SEKLIK__ORDERING__OFFER_REQUEST__INIT;
    co.order_id = id;
    co.unit_price = 1000000;
    co.note = "Sesuai plafon tier B";
    OK(ocall("CounterOffer", &p, &co.base, &seklik__ordering__order__descriptor, &ord_));
    assert_int_equal(ord_->state, S(COUNTERED));
    FREE(ord_);
    assert_int_equal(ocall("AcceptOffer", &p, &orq.base, NULL, NULL).code, SK_EPRECOND);
    OK(ocall("AcceptOffer", &s2, &orq.base, &seklik__ordering__order__descriptor, &ord_));
    assert_int_equal(ord_->state, S(ACCEPTED)); /* Rp 1.000.000: below the approval threshold */
    assert_false(ord_->needs_approval);
    assert_int_equal(ord_->gross, 1000000);
    /* Every offer is kept with who and when. */
    assert_int_equal(ord_->n_offers, 2);
    assert_int_equal(ord_->offers[0]->party, SEKLIK__ORDERING__PARTY__PARTY_OFFICE);
    assert_int_equal(ord_->offers[0]->unit_price, 900000);
    assert_string_equal(ord_->offers[0]->offered_by, "kemitraan-1");
    assert_string_equal(ord_->offers[0]->note, "Harga penawaran awal");
    assert_int_equal(ord_->offers[1]->party, SEKLIK__ORDERING__PARTY__PARTY_PARTNER);
    assert_int_equal(ord_->offers[1]->unit_price, 1000000);
    assert_string_equal(ord_->offers[1]->offered_by, "mitra-1");
    assert_true(strlen(ord_->offers[1]->offered_at) >= 20);
    FREE(ord_);

    /* Issued as MO/0001/DISKOMINFO/2027 with Rp 1.000.000 reserved. */
    Seklik__Ordering__Order *issued = NULL;
    OK(issue(id, &issued));
    assert_int_equal(issued->state, S(ISSUED));
    assert_string_equal(issued->number, "MO/0001/DISKOMINFO/2027");
    assert_string_equal(issued->issued_by, "kemitraan-1");
    FREE(issued);
    int code;
    Seklik__Accounting__Reservation *res = reservation(id, &code);
    assert_int_equal(code, SK_OK);
    assert_int_equal(res->state, SEKLIK__ACCOUNTING__RESERVATION_STATE__RESERVATION_STATE_PENDING);
    assert_int_equal(res->amount, 1000000);
    assert_string_equal(res->budget_line_id, golden_line);
    FREE(res);
    Seklik__Accounting__BudgetLineDetail *keep = NULL;
    Seklik__Accounting__Balances *b = balances(golden_line, &keep);
    assert_int_equal(b->committed, 1000000);
    assert_int_equal(b->available, 1899000000LL);
    FREE(keep);
    Seklik__Ordering__Agreement *after = get_agreement(golden_agreement);
    assert_int_equal(after->used_value, 1000000);
    assert_int_equal(after->data->quotas[0]->used, 1);
    FREE(after);
    /* Issuing again answers the issued order and takes no second number;
     * the same key again is answered from the idempotency store. */
    OK(issue(id, &issued));
    assert_string_equal(issued->number, "MO/0001/DISKOMINFO/2027");
    FREE(issued);
    char key[SK_UUID_STRLEN];
    sk_uuid7(key);
    for (int i = 0; i < 2; i++) {
        Seklik__Bus__Response *resp = NULL;
        assert_int_equal(sk_rpc_call(ord, "Ordering.IssueOrder", &s, key, &orq.base, 30000, &resp),
                         SK_OK);
        assert_int_equal(it_code(resp), SK_OK);
        assert_int_equal(resp->replayed, i == 1);
        seklik__bus__response__free_unpacked(resp, NULL);
    }

    /* A proof: a screenshot rejected with a reason the partner sees, then a
     * link, accepted. Nobody decides a proof they submitted. */
    Seklik__Ordering__ProofInput pi = SEKLIK__ORDERING__PROOF_INPUT__INIT;
    pi.order_id = id;
    pi.kind = SEKLIK__ORDERING__PROOF_KIND__PROOF_KIND_SCREENSHOT;
    pi.published_at = "2026-11-30T03:00:00Z";
    pi.file_name = "tayang.png";
    pi.content.data = (uint8_t *)"GIF89a....";
    pi.content.len = 10;
    r = ocall("SubmitProof", &p, &pi.base, NULL, NULL);
    assert_int_equal(r.code, SK_EINVAL);
    assert_string_equal(r.field, "content");
    pi.content.data = (uint8_t *)PNG;
    pi.content.len = sizeof(PNG) - 1;
    OK(ocall("SubmitProof", &p, &pi.base, &seklik__ordering__order__descriptor, &ord_));
    assert_int_equal(ord_->state, S(PROOF_SUBMITTED));
    assert_int_equal(ord_->n_proofs, 1);
    assert_string_equal(ord_->proofs[0]->content_type, "image/png");
    assert_false(ord_->proofs[0]->late);
    FREE(ord_);
    Seklik__Ordering__ProofDecisionRequest dr = SEKLIK__ORDERING__PROOF_DECISION_REQUEST__INIT;
    dr.order_id = id;
    dr.proof_version = 1;
    dr.accept = false;
    r = ocall("DecideProof", &s, &dr.base, NULL, NULL);
    assert_int_equal(r.code, SK_EINVAL); /* a rejection needs a reason */
    assert_string_equal(r.field, "reason");
    dr.reason = "Tangkapan layar tidak menampilkan tanggal tayang";
    OK(ocall("DecideProof", &s, &dr.base, &seklik__ordering__order__descriptor, &ord_));
    assert_int_equal(ord_->state, S(PROOF_REJECTED));
    FREE(ord_);
    Seklik__Ordering__Order *seen = NULL;
    OK(ocall("GetOrder", &p, &orq.base, &seklik__ordering__order__descriptor, &seen));
    assert_true(seen->proofs[0]->rejected);
    assert_string_equal(seen->proofs[0]->reason, "Tangkapan layar tidak menampilkan tanggal tayang");
    FREE(seen);
    pi.kind = SEKLIK__ORDERING__PROOF_KIND__PROOF_KIND_URL;
    pi.url = "https://kabardemo.example.id/2027/03/advertorial-hari-jadi";
    pi.content.len = 0;
    pi.content.data = NULL;
    OK(ocall("SubmitProof", &s2, &pi.base, &seklik__ordering__order__descriptor, &ord_));
    FREE(ord_);
    dr.proof_version = 2;
    dr.accept = true;
    dr.reason = "";
    r = ocall("DecideProof", &s2, &dr.base, NULL, NULL); /* kemitraan-2 submitted it */
    assert_int_equal(r.code, SK_EPERM);
    OK(ocall("DecideProof", &h, &dr.base, &seklik__ordering__order__descriptor, &ord_));
    assert_int_equal(ord_->state, S(COMPLETED));
    assert_true(ord_->proofs[1]->accepted);
    assert_string_equal(ord_->proofs[1]->decided_by, "pimpinan-1");
    FREE(ord_);
    Seklik__Ordering__GetProofFileRequest pf = SEKLIK__ORDERING__GET_PROOF_FILE_REQUEST__INIT;
    pf.order_id = id;
    pf.proof_version = 1;
    Seklik__Ordering__ProofFile *file = NULL;
    OK(ocall("GetProofFile", &p, &pf.base, &seklik__ordering__proof_file__descriptor, &file));
    assert_int_equal(file->content.len, sizeof(PNG) - 1);
    assert_int_equal(file->proof->version, 1);
    FREE(file);

    /* Events through the outbox, and every step in the audit trail. */
    assert_int_equal(sqln("SELECT count(*) FROM ordering.outbox WHERE type = '%s'",
                          "ordering.order.issued"), 1);
    assert_int_equal(sqln("SELECT count(*) FROM ordering.outbox WHERE type = '%s'",
                          "ordering.agreement.signed"), 1);
    assert_true(sqln("SELECT count(*) FROM ordering.audit_log WHERE entity_id = '%s'", id) >= 8);
    assert_sound();
}

/* ---- what runs out is named and nothing is consumed ---- */

static void refusals_name_what_ran_out_and_consume_nothing(void **state)
{
    (void)state;
    company co = tiered("PT Warta Ogan", (int[]){2027}, 1);
    char line[SK_UUID_STRLEN], small[SK_UUID_STRLEN], ag[SK_UUID_STRLEN];
    budget_line(2027, 50000000, line);
    budget_line(2027, 400000, small);
    agreement(&co, 2027, 1500000, 2, line, ag);
    char a[SK_UUID_STRLEN], b[SK_UUID_STRLEN], c[SK_UUID_STRLEN], d[SK_UUID_STRLEN];
    accepted_order(ag, &co, 2027, 1, 1000000, NULL, a);
    accepted_order(ag, &co, 2027, 1, 600000, NULL, b);
    accepted_order(ag, &co, 2027, 1, 500000, NULL, c);
    accepted_order(ag, &co, 2027, 1, 500000, small, d); /* on a line of Rp 400.000 */
    long long numbers = sk_test_sql_number(dsn, "SELECT coalesce(max(seq), 0) FROM ordering.orders"
                                                " WHERE fiscal_year = 2027");
    Seklik__Ordering__Order *o = NULL;
    OK(issue(a, &o));
    FREE(o);
    /* Rp 1.000.000 + 600.000 > the agreement's Rp 1.500.000. */
    result r = issue(b, NULL);
    assert_int_equal(r.code, SK_EPRECOND);
    assert_string_equal(r.field, "agreement.value");
    o = get_order(b);
    assert_int_equal(o->state, S(ACCEPTED));
    assert_string_equal(o->number, "");
    FREE(o);
    OK(issue(c, &o));
    FREE(o);
    /* Two placements used: the quota is. */
    r = issue(d, NULL);
    assert_int_equal(r.code, SK_EPRECOND);
    assert_string_equal(r.field, "agreement.quota");
    /* Cancelling an issued order is the head's; it voids the reservation and
     * gives the placement and value back. */
    Seklik__Ordering__OrderRequest cr = SEKLIK__ORDERING__ORDER_REQUEST__INIT;
    cr.order_id = c;
    cr.reason = "Jadwal tayang dibatalkan";
    Seklik__Bus__Actor s = staff(), h = head();
    assert_int_equal(ocall("CancelOrder", &s, &cr.base, NULL, NULL).code, SK_EPERM);
    OK(ocall("CancelOrder", &h, &cr.base, &seklik__ordering__order__descriptor, &o));
    assert_int_equal(o->state, S(CANCELLED));
    FREE(o);
    int code;
    Seklik__Accounting__Reservation *res = reservation(c, &code);
    assert_int_equal(code, SK_OK);
    assert_int_equal(res->state, SEKLIK__ACCOUNTING__RESERVATION_STATE__RESERVATION_STATE_VOIDED);
    FREE(res);
    Seklik__Ordering__Agreement *agr = get_agreement(ag);
    assert_int_equal(agr->used_value, 1000000);
    assert_int_equal(agr->data->quotas[0]->used, 1);
    FREE(agr);
    /* Now quota and value fit, the line of Rp 400.000 does not: refused naming
     * budgetLine, the order back where it was with the refusal recorded,
     * quota and value given back, nothing reserved. */
    r = issue(d, NULL);
    assert_int_equal(r.code, SK_EPRECOND);
    assert_string_equal(r.field, "budgetLine");
    o = get_order(d);
    assert_int_equal(o->state, S(ACCEPTED));
    assert_string_equal(o->refusal_field, "budgetLine");
    assert_string_equal(o->number, "");
    FREE(o);
    res = reservation(d, &code);
    assert_int_equal(code, SK_ENOTFOUND);
    agr = get_agreement(ag);
    assert_int_equal(agr->used_value, 1000000);
    assert_int_equal(agr->data->quotas[0]->used, 1);
    FREE(agr);
    /* Refusals took no number: two issued, two numbers. */
    assert_int_equal(sk_test_sql_number(dsn, "SELECT coalesce(max(seq), 0) FROM ordering.orders"
                                             " WHERE fiscal_year = 2027"),
                     numbers + 2);
    assert_sound();
}

/* ---- four eyes ---- */

static void approval_above_threshold_never_by_the_creator(void **state)
{
    (void)state;
    company co = tiered("PT Suara Komering", (int[]){2027}, 1);
    char line[SK_UUID_STRLEN], ag[SK_UUID_STRLEN], id[SK_UUID_STRLEN];
    budget_line(2027, 100000000, line);
    agreement(&co, 2027, 20000000, 10, line, ag);
    /* 6 x Rp 1.000.000 is above the default Rp 5.000.000. */
    accepted_order(ag, &co, 2027, 6, 1000000, NULL, id);
    Seklik__Ordering__Order *o = get_order(id);
    assert_int_equal(o->state, S(AWAITING_APPROVAL));
    assert_true(o->needs_approval);
    FREE(o);
    assert_int_equal(issue(id, NULL).code, SK_EPRECOND);
    /* The creator holds the head's role too: still refused, by name. */
    char *roles[] = {"partnership", "head"};
    Seklik__Bus__Actor creator = it_actor("kemitraan-1", "head", NULL);
    creator.roles = roles;
    creator.n_roles = 2;
    Seklik__Ordering__OrderRequest ar = SEKLIK__ORDERING__ORDER_REQUEST__INIT;
    ar.order_id = id;
    assert_int_equal(ocall("ApproveOrder", &creator, &ar.base, NULL, NULL).code, SK_EPERM);
    Seklik__Bus__Actor s2 = staff2(), h = head();
    assert_int_equal(ocall("ApproveOrder", &s2, &ar.base, NULL, NULL).code, SK_EPERM); /* not head */
    OK(ocall("ApproveOrder", &h, &ar.base, &seklik__ordering__order__descriptor, &o));
    assert_int_equal(o->state, S(APPROVED));
    assert_string_equal(o->approved_by, "pimpinan-1");
    FREE(o);
    OK(issue(id, &o));
    assert_int_equal(o->state, S(ISSUED));
    FREE(o);
    /* The threshold is the year's: raised, the same order would not wait. */
    Seklik__Ordering__YearSettings ys = SEKLIK__ORDERING__YEAR_SETTINGS__INIT;
    ys.fiscal_year = 2030;
    ys.approval_threshold = 10000000;
    ys.number_format = "SPK/{seq:3}/{year}";
    ys.proof_grace_days = 5;
    Seklik__Bus__Actor a = admin(), s = staff();
    assert_int_equal(ocall("SaveYearSettings", &s, &ys.base, NULL, NULL).code, SK_EPERM);
    ys.number_format = "SPK/{seq:3}";
    result r = ocall("SaveYearSettings", &a, &ys.base, NULL, NULL);
    assert_int_equal(r.code, SK_EINVAL);
    assert_string_equal(r.field, "numberFormat");
    ys.number_format = "SPK/{seq:3}/{year}";
    Seklik__Ordering__YearSettings *saved = NULL;
    OK(ocall("SaveYearSettings", &a, &ys.base, &seklik__ordering__year_settings__descriptor, &saved));
    assert_int_equal(saved->approval_threshold, 10000000);
    assert_string_equal(saved->updated_by, "admin-1");
    FREE(saved);
    assert_sound();
}

/* ---- the ceiling on every offer ---- */

static void offer_above_the_ceiling_is_refused_naming_unit_price(void **state)
{
    (void)state;
    Seklik__Bus__Actor s = staff(), p = partner_of(golden.id);
    long long orders = sk_test_sql_number(dsn, "SELECT count(*) FROM ordering.orders");
    char sf[16], st[16];
    Seklik__Ordering__OrderInput o = order_input(golden_agreement, &golden, 2027, 1, sf, st);
    Seklik__Ordering__CreateOrderRequest cr = SEKLIK__ORDERING__CREATE_ORDER_REQUEST__INIT;
    cr.order = &o;
    cr.unit_price = 1000001;
    cr.offer_now = true;
    result r = ocall("CreateOrder", &s, &cr.base, NULL, NULL);
    assert_int_equal(r.code, SK_EINVAL);
    assert_string_equal(r.field, "unitPrice");
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM ordering.orders"), orders);
    /* A product the agreement has no quota for, and a field left out, are named. */
    o.product = BANNER;
    cr.unit_price = 900000;
    r = ocall("CreateOrder", &s, &cr.base, NULL, NULL);
    assert_string_equal(r.field, "order.product");
    o.product = ADVERTORIAL;
    o.title = "";
    r = ocall("CreateOrder", &s, &cr.base, NULL, NULL);
    assert_string_equal(r.field, "order.title");
    o.title = "Advertorial";
    Seklik__Ordering__Order *made = NULL;
    OK(ocall("CreateOrder", &s, &cr.base, &seklik__ordering__order__descriptor, &made));
    /* Counter-offers are held to it, either way. */
    Seklik__Ordering__OfferRequest co = SEKLIK__ORDERING__OFFER_REQUEST__INIT;
    co.order_id = made->id;
    co.unit_price = 1200000;
    r = ocall("CounterOffer", &p, &co.base, NULL, NULL);
    assert_int_equal(r.code, SK_EINVAL);
    assert_string_equal(r.field, "unitPrice");
    co.unit_price = 950000;
    Seklik__Ordering__Order *c1 = NULL;
    OK(ocall("CounterOffer", &p, &co.base, &seklik__ordering__order__descriptor, &c1));
    co.unit_price = 1000001;
    r = ocall("CounterOffer", &s, &co.base, NULL, NULL);
    assert_string_equal(r.field, "unitPrice");
    /* Stale versions are refused. */
    co.unit_price = 920000;
    co.expected_version = c1->version - 1;
    r = ocall("CounterOffer", &s, &co.base, NULL, NULL);
    assert_int_equal(r.code, SK_EPRECOND);
    assert_int_equal(strncmp(r.message, "version.changed: ", 17), 0); /* the code leads */
    co.expected_version = c1->version;
    Seklik__Ordering__Order *c2 = NULL;
    OK(ocall("CounterOffer", &s, &co.base, &seklik__ordering__order__descriptor, &c2));
    assert_int_equal(c2->n_offers, 3);
    assert_int_equal(c2->unit_price, 920000);
    /* The partner declines. */
    Seklik__Ordering__OrderRequest rr = SEKLIK__ORDERING__ORDER_REQUEST__INIT;
    rr.order_id = made->id;
    rr.reason = "Jadwal redaksi penuh";
    Seklik__Ordering__Order *rej = NULL;
    OK(ocall("RejectOffer", &p, &rr.base, &seklik__ordering__order__descriptor, &rej));
    assert_int_equal(rej->state, S(REJECTED));
    assert_string_equal(rej->cancelled_reason, "Jadwal redaksi penuh");
    FREE(rej);
    FREE(c1);
    FREE(c2);
    FREE(made);
    assert_sound();
}

/* ---- the partner wall ---- */

static void partner_wall_on_every_method(void **state)
{
    (void)state;
    company other = tiered("PT Lain Sendiri", (int[]){2027}, 1);
    /* A draft and an issued order of the golden company. */
    char sf[16], st[16], draft[SK_UUID_STRLEN], issued[SK_UUID_STRLEN];
    Seklik__Ordering__OrderInput oi = order_input(golden_agreement, &golden, 2027, 1, sf, st);
    Seklik__Ordering__CreateOrderRequest cr = SEKLIK__ORDERING__CREATE_ORDER_REQUEST__INIT;
    cr.order = &oi;
    cr.unit_price = 800000;
    Seklik__Bus__Actor s = staff(), mine = partner_of(golden.id), stranger = partner_of(other.id);
    Seklik__Ordering__Order *o = NULL;
    OK(ocall("CreateOrder", &s, &cr.base, &seklik__ordering__order__descriptor, &o));
    snprintf(draft, sizeof(draft), "%s", o->id);
    FREE(o);
    accepted_order(golden_agreement, &golden, 2027, 1, 700000, NULL, issued);
    OK(issue(issued, &o));
    FREE(o);

    /* Every command a partner may not give is refused before its input is
     * read: an empty request is PERMISSION_DENIED, not INVALID_ARGUMENT. */
    static const struct {
        const char *method;
        const ProtobufCMessageDescriptor *in;
    } staff_only[] = {
        {"SaveYearSettings", &seklik__ordering__year_settings__descriptor},
        {"SaveAgreement", &seklik__ordering__save_agreement_request__descriptor},
        {"SignAgreement", &seklik__ordering__sign_agreement_request__descriptor},
        {"CancelAgreement", &seklik__ordering__agreement_request__descriptor},
        {"CreateOrder", &seklik__ordering__create_order_request__descriptor},
        {"OfferOrder", &seklik__ordering__order_request__descriptor},
        {"ApproveOrder", &seklik__ordering__order_request__descriptor},
        {"IssueOrder", &seklik__ordering__order_request__descriptor},
        {"CancelOrder", &seklik__ordering__order_request__descriptor},
        {"DecideProof", &seklik__ordering__proof_decision_request__descriptor},
        {"CloseYear", &seklik__ordering__close_year_request__descriptor},
    };
    for (size_t i = 0; i < sizeof(staff_only) / sizeof(staff_only[0]); i++) {
        uint8_t buf[512];
        ProtobufCMessage *m = (ProtobufCMessage *)buf;
        staff_only[i].in->message_init(m);
        result r = ocall(staff_only[i].method, &mine, m, NULL, NULL);
        if (r.code != SK_EPERM)
            fail_msg("%s by a partner: code %d (%s)", staff_only[i].method, r.code, r.field);
    }
    /* Nobody unsigned or without a role gets anything either. */
    Seklik__Bus__Actor nobody = SEKLIK__BUS__ACTOR__INIT;
    nobody.user_id = "someone";
    Seklik__Ordering__OrderRequest gr = SEKLIK__ORDERING__ORDER_REQUEST__INIT;
    gr.order_id = issued;
    assert_int_equal(ocall("GetOrder", &nobody, &gr.base, NULL, NULL).code, SK_EPERM);

    /* Another company's partner sees and touches none of it. */
    Seklik__Ordering__AgreementRequest ar = SEKLIK__ORDERING__AGREEMENT_REQUEST__INIT;
    ar.agreement_id = golden_agreement;
    assert_int_equal(ocall("GetAgreement", &stranger, &ar.base, NULL, NULL).code, SK_EPERM);
    assert_int_equal(ocall("GetAgreementDocument", &stranger, &ar.base, NULL, NULL).code, SK_EPERM);
    assert_int_equal(ocall("GetOrder", &stranger, &gr.base, NULL, NULL).code, SK_EPERM);
    assert_int_equal(ocall("AcceptOffer", &stranger, &gr.base, NULL, NULL).code, SK_EPERM);
    assert_int_equal(ocall("RejectOffer", &stranger, &gr.base, NULL, NULL).code, SK_EPERM);
    Seklik__Ordering__OfferRequest co = SEKLIK__ORDERING__OFFER_REQUEST__INIT;
    co.order_id = issued;
    co.unit_price = 1;
    assert_int_equal(ocall("CounterOffer", &stranger, &co.base, NULL, NULL).code, SK_EPERM);
    Seklik__Ordering__ProofInput pi = SEKLIK__ORDERING__PROOF_INPUT__INIT;
    pi.order_id = issued;
    pi.kind = SEKLIK__ORDERING__PROOF_KIND__PROOF_KIND_URL;
    pi.url = "https://lain.example.id/x";
    pi.published_at = "2026-11-30T03:00:00Z";
    assert_int_equal(ocall("SubmitProof", &stranger, &pi.base, NULL, NULL).code, SK_EPERM);
    Seklik__Ordering__GetProofFileRequest pf = SEKLIK__ORDERING__GET_PROOF_FILE_REQUEST__INIT;
    pf.order_id = issued;
    pf.proof_version = 1;
    assert_int_equal(ocall("GetProofFile", &stranger, &pf.base, NULL, NULL).code, SK_EPERM);
    Seklik__Ordering__ListProductsRequest lp = SEKLIK__ORDERING__LIST_PRODUCTS_REQUEST__INIT;
    lp.fiscal_year = 2027;
    lp.company_id = golden.id;
    assert_int_equal(ocall("ListProducts", &stranger, &lp.base, NULL, NULL).code, SK_EPERM);
    Seklik__Ordering__ListAgreementsRequest la = SEKLIK__ORDERING__LIST_AGREEMENTS_REQUEST__INIT;
    la.company_id = golden.id;
    assert_int_equal(ocall("ListAgreements", &stranger, &la.base, NULL, NULL).code, SK_EPERM);
    Seklik__Ordering__ListOrdersRequest lo = SEKLIK__ORDERING__LIST_ORDERS_REQUEST__INIT;
    lo.company_id = golden.id;
    assert_int_equal(ocall("ListOrders", &stranger, &lo.base, NULL, NULL).code, SK_EPERM);
    /* Unfiltered lists are its own: nothing of the golden company's. */
    la.company_id = "";
    lo.company_id = "";
    Seklik__Ordering__ListAgreementsResponse *las = NULL;
    OK(ocall("ListAgreements", &stranger, &la.base,
             &seklik__ordering__list_agreements_response__descriptor, &las));
    assert_int_equal(las->n_agreements, 0);
    FREE(las);
    Seklik__Ordering__ListOrdersResponse *los = NULL;
    OK(ocall("ListOrders", &stranger, &lo.base, &seklik__ordering__list_orders_response__descriptor,
             &los));
    assert_int_equal(los->n_orders, 0);
    FREE(los);
    /* Its own partner sees its orders but never a draft. */
    OK(ocall("ListOrders", &mine, &lo.base, &seklik__ordering__list_orders_response__descriptor,
             &los));
    assert_true(los->n_orders >= 2);
    for (size_t i = 0; i < los->n_orders; i++) {
        assert_string_equal(los->orders[i]->company_id, golden.id);
        assert_int_not_equal(los->orders[i]->state, S(DRAFT));
    }
    FREE(los);
    gr.order_id = draft;
    assert_int_equal(ocall("GetOrder", &mine, &gr.base, NULL, NULL).code, SK_EPERM);
    /* Staff filter by state, outlet and month. */
    lo.fiscal_year = 2027;
    lo.state = S(DRAFT);
    lo.outlet_id = golden.outlet;
    lo.month = "2027-03";
    OK(ocall("ListOrders", &s, &lo.base, &seklik__ordering__list_orders_response__descriptor, &los));
    assert_int_equal(los->n_orders, 1);
    assert_string_equal(los->orders[0]->id, draft);
    FREE(los);
    lo.month = "2027-04";
    OK(ocall("ListOrders", &s, &lo.base, &seklik__ordering__list_orders_response__descriptor, &los));
    assert_int_equal(los->n_orders, 0);
    FREE(los);
    lo.month = "2027-13";
    result r = ocall("ListOrders", &s, &lo.base, NULL, NULL);
    assert_string_equal(r.field, "month");
    /* An agreement only for a company with a tiered outlet that year. */
    company untiered;
    sk_uuid7(untiered.id);
    Seklik__Ordering__Quota q = SEKLIK__ORDERING__QUOTA__INIT, *qs[] = {&q};
    q.product = ADVERTORIAL;
    q.placements = 1;
    char number[64], from[16], until[16];
    Seklik__Ordering__AgreementInput in =
        agreement_input(&untiered, 2027, 1000000, qs, 1, "", number, from, until);
    Seklik__Ordering__SaveAgreementRequest sa = SEKLIK__ORDERING__SAVE_AGREEMENT_REQUEST__INIT;
    sa.agreement = &in;
    r = ocall("SaveAgreement", &s, &sa.base, NULL, NULL);
    assert_int_equal(r.code, SK_EPRECOND);
    assert_string_equal(r.field, "agreement.companyId");
    assert_sound();
}

/* ---- the re-drive job ---- */

static void the_job_finishes_what_accounting_did_not_answer(void **state)
{
    (void)state;
    company co = tiered("PT Radio Kayuagung", (int[]){2027}, 1);
    char line[SK_UUID_STRLEN], ag[SK_UUID_STRLEN], a[SK_UUID_STRLEN], b[SK_UUID_STRLEN];
    budget_line(2027, 10000000, line);
    agreement(&co, 2027, 5000000, 5, line, ag);
    accepted_order(ag, &co, 2027, 1, 1000000, NULL, a);
    accepted_order(ag, &co, 2027, 1, 1000000, NULL, b);
    Seklik__Ordering__Order *o = NULL;
    OK(issue(b, &o));
    FREE(o);
    /* Accounting stops answering: issuing stays ISSUING, UNAVAILABLE to the
     * caller, who does not come back; cancelling b stands, its money waits. */
    sk_proc_signal(&accounting.proc, SIGSTOP);
    result r = issue(a, NULL);
    Seklik__Ordering__OrderRequest cr = SEKLIK__ORDERING__ORDER_REQUEST__INIT;
    cr.order_id = b;
    cr.reason = "Media tidak jadi menayangkan";
    Seklik__Bus__Actor h = head();
    result c = ocall("CancelOrder", &h, &cr.base, NULL, NULL);
    long long issuing = sqln("SELECT count(*) FROM ordering.orders WHERE id = '%s' AND state = 7", a);
    long long pending = sqln("SELECT count(*) FROM ordering.orders WHERE id = '%s' AND release_pending", b);
    sk_proc_signal(&accounting.proc, SIGCONT);
    assert_int_equal(r.code, SK_EUNAVAIL);
    assert_int_equal(c.code, SK_OK);
    assert_int_equal(issuing, 1);
    assert_int_equal(pending, 1);
    /* The job finishes both once accounting answers again. */
    for (int i = 0; i < 400 && sk_test_sql_number(dsn, "SELECT count(*) FROM ordering.orders"
                                                         " WHERE state = 7 OR release_pending") > 0;
         i++)
        sk_test_sleep_ms(50);
    o = get_order(a);
    assert_int_equal(o->state, S(ISSUED));
    assert_true(o->number[0] != '\0');
    FREE(o);
    int code;
    Seklik__Accounting__Reservation *res = reservation(a, &code);
    assert_int_equal(res->state, SEKLIK__ACCOUNTING__RESERVATION_STATE__RESERVATION_STATE_PENDING);
    FREE(res);
    res = reservation(b, &code);
    assert_int_equal(res->state, SEKLIK__ACCOUNTING__RESERVATION_STATE__RESERVATION_STATE_VOIDED);
    FREE(res);
    assert_sound();
}

/* ---- a new price standard reaches ordering ---- */

static void a_published_price_standard_moves_the_ceilings(void **state)
{
    (void)state;
    sk_rpc_client *sc = it_client(scoring.rpc);
    Seklik__Bus__Actor a = admin(), s = staff();
    Seklik__Scoring__PriceEntry e = SEKLIK__SCORING__PRICE_ENTRY__INIT, *es[] = {&e};
    e.outlet_type = SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_SIBER;
    e.product = ADVERTORIAL;
    e.tier = SEKLIK__SCORING__TIER__TIER_B;
    e.ceiling = 1200000;
    Seklik__Scoring__PriceStandard ps = SEKLIK__SCORING__PRICE_STANDARD__INIT;
    ps.fiscal_year = 2027;
    ps.entries = es;
    ps.n_entries = 1;
    OK(call_on(sc, "Scoring.SavePriceStandardDraft", &a, true, NULL, &ps.base, NULL, NULL));
    Seklik__Scoring__PublishRequest pr = SEKLIK__SCORING__PUBLISH_REQUEST__INIT;
    pr.fiscal_year = 2027;
    OK(call_on(sc, "Scoring.PublishPriceStandard", &a, true, NULL, &pr.base, NULL, NULL));
    sk_rpc_client_close(sc);
    wait_products(&golden, 2027, 1200000);
    /* An offer above the old ceiling is now within the new one. */
    char sf[16], st[16];
    Seklik__Ordering__OrderInput oi = order_input(golden_agreement, &golden, 2027, 1, sf, st);
    Seklik__Ordering__CreateOrderRequest cr = SEKLIK__ORDERING__CREATE_ORDER_REQUEST__INIT;
    cr.order = &oi;
    cr.unit_price = 1150000;
    Seklik__Ordering__Order *o = NULL;
    OK(ocall("CreateOrder", &s, &cr.base, &seklik__ordering__order__descriptor, &o));
    assert_int_equal(o->ceiling, 1200000);
    FREE(o);
    cr.unit_price = 1200001;
    assert_string_equal(ocall("CreateOrder", &s, &cr.base, NULL, NULL).field, "unitPrice");
}

/* ---- the invariant check catches what it is about ---- */

static void order_check_catches_each_broken_invariant(void **state)
{
    (void)state;
    /* The statement that breaks it, the one that mends it, how many checks see it. */
    static const struct {
        const char *breaks, *mends;
        int seen;
    } breaks[] = {
        /* a placement used that no order holds */
        {"UPDATE ordering.agreement_quota SET used = used + 1 WHERE used < placements AND"
         " agreement_id = (SELECT agreement_id FROM ordering.orders WHERE state = 8 LIMIT 1)",
         "UPDATE ordering.agreement_quota SET used = used - 1 WHERE agreement_id ="
         " (SELECT agreement_id FROM ordering.orders WHERE state = 8 LIMIT 1)", 1},
        /* value used that no order holds */
        {"UPDATE ordering.agreement SET used_value = used_value + 1 WHERE id ="
         " (SELECT agreement_id FROM ordering.orders WHERE state = 8 LIMIT 1)",
         "UPDATE ordering.agreement SET used_value = used_value - 1 WHERE id ="
         " (SELECT agreement_id FROM ordering.orders WHERE state = 8 LIMIT 1)", 1},
        /* a reservation for an order back to agreed (its quota given back too) */
        {"UPDATE ordering.orders SET state = 4, held = false WHERE id = (SELECT min(id::text)::uuid"
         " FROM ordering.orders WHERE state = 8 AND fiscal_year = 2028)",
         "UPDATE ordering.orders SET state = 8, held = true WHERE fiscal_year = 2028 AND state = 4"
         " AND seq IS NOT NULL", 2},
        /* a number taken and never given */
        {"UPDATE ordering.number_counter SET last_seq = last_seq + 1 WHERE fiscal_year = 2028",
         "UPDATE ordering.number_counter SET last_seq = last_seq - 1 WHERE fiscal_year = 2028", 1},
    };
    assert_int_equal(it_orders_check(dsn, dsn), 0);
    for (size_t i = 0; i < sizeof(breaks) / sizeof(breaks[0]); i++) {
        assert_int_equal(sk_test_sql_exec(dsn, breaks[i].breaks), 0);
        int failed = it_orders_check(dsn, dsn);
        assert_int_equal(sk_test_sql_exec(dsn, breaks[i].mends), 0);
        if (failed != breaks[i].seen)
            fail_msg("break %zu: %d checks failed, not %d", i, failed, breaks[i].seen);
    }
    assert_int_equal(it_orders_check(dsn, dsn), 0);
}

/* ---- eight clients, a line that fits N ---- */

#define RACE_YEAR 2028
#define RACE_FITS 10
#define RACE_ORDERS 16
#define RACE_CLIENTS 8

typedef struct racer {
    char (*orders)[SK_UUID_STRLEN];
    atomic_int *next;
    int issued, refused, other;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    sk_rpc_client *c = it_client(ordering.rpc);
    Seklik__Bus__Actor a = staff();
    for (int i; (i = atomic_fetch_add(r->next, 1)) < RACE_ORDERS;) {
        Seklik__Ordering__OrderRequest req = SEKLIK__ORDERING__ORDER_REQUEST__INIT;
        req.order_id = r->orders[i];
        result res = call_on(c, "Ordering.IssueOrder", &a, true, NULL, &req.base, NULL, NULL);
        if (res.code == SK_OK)
            r->issued++;
        else if (res.code == SK_EPRECOND && strcmp(res.field, "budgetLine") == 0)
            r->refused++;
        else {
            fprintf(stderr, "race: %s -> %d %s (%s)\n", r->orders[i], res.code, res.message,
                    res.field);
            r->other++;
        }
    }
    sk_rpc_client_close(c);
    return NULL;
}

static void eight_clients_issue_against_a_line_that_fits_n(void **state)
{
    (void)state;
    company co = tiered("PT Berita Musi", (int[]){RACE_YEAR}, 1);
    /* The year's own number format, with characters the audit trail's JSON must escape. */
    Seklik__Ordering__YearSettings ys = SEKLIK__ORDERING__YEAR_SETTINGS__INIT;
    ys.fiscal_year = RACE_YEAR;
    ys.approval_threshold = 5000000;
    ys.number_format = "MO/{seq:4}/\"DISKOMINFO\\OKI\"/{year}";
    ys.proof_grace_days = 3;
    Seklik__Bus__Actor adm = admin();
    OK(ocall("SaveYearSettings", &adm, &ys.base, NULL, NULL));
    char line[SK_UUID_STRLEN], ag[SK_UUID_STRLEN];
    budget_line(RACE_YEAR, RACE_FITS * 1000000LL, line);
    agreement(&co, RACE_YEAR, 100000000, 100, line, ag);
    static char orders[RACE_ORDERS][SK_UUID_STRLEN];
    for (int i = 0; i < RACE_ORDERS; i++)
        accepted_order(ag, &co, RACE_YEAR, 1, 1000000, NULL, orders[i]);
    atomic_int next = 0;
    racer rs[RACE_CLIENTS];
    pthread_t t[RACE_CLIENTS];
    for (int i = 0; i < RACE_CLIENTS; i++) {
        rs[i] = (racer){.orders = orders, .next = &next};
        pthread_create(&t[i], NULL, race, &rs[i]);
    }
    int issued = 0, refused = 0, other = 0;
    for (int i = 0; i < RACE_CLIENTS; i++) {
        pthread_join(t[i], NULL);
        issued += rs[i].issued;
        refused += rs[i].refused;
        other += rs[i].other;
    }
    assert_int_equal(other, 0);
    assert_int_equal(issued, RACE_FITS);
    assert_int_equal(refused, RACE_ORDERS - RACE_FITS);
    /* Numbers 1..N, once each; the line's available is 0, nothing over. */
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(DISTINCT seq) FROM ordering.orders"
                                             " WHERE fiscal_year = 2028 AND seq BETWEEN 1 AND 10"),
                     RACE_FITS);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM ordering.orders WHERE"
                                             " fiscal_year = 2028 AND number IS NOT NULL"),
                     RACE_FITS);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM ordering.orders WHERE"
                                             " fiscal_year = 2028 AND number ="
                                             " format('MO/%s/\"DISKOMINFO\\OKI\"/2028',"
                                             " lpad(seq::text, 4, '0'))"),
                     RACE_FITS);
    Seklik__Accounting__BudgetLineDetail *keep = NULL;
    Seklik__Accounting__Balances *b = balances(line, &keep);
    assert_int_equal(b->available, 0);
    assert_int_equal(b->committed, RACE_FITS * 1000000LL);
    FREE(keep);
    Seklik__Ordering__Agreement *agr = get_agreement(ag);
    assert_int_equal(agr->used_value, RACE_FITS * 1000000LL);
    assert_int_equal(agr->data->quotas[0]->used, RACE_FITS);
    FREE(agr);
    assert_sound();
}

/* ---- SIGKILL of ordering, then of accounting, while issuing ---- */

#define FAULT_YEAR 2029
#define FAULT_FITS 30
#define FAULT_ORDERS 45
#define FAULT_LOADERS 4

typedef struct loader {
    char (*orders)[SK_UUID_STRLEN];
    atomic_int *next, *answered, *gate; /* orders below *gate may be taken */
    int issued, refused, other;
} loader;

/* Issue until ordering answers for good (it may be dead, or waiting for a
 * dead accounting): the same idempotency key every time. */
static void *load(void *arg)
{
    loader *l = arg;
    sk_rpc_client *c = it_client(ordering.rpc);
    Seklik__Bus__Actor a = staff();
    for (int i; (i = atomic_fetch_add(l->next, 1)) < FAULT_ORDERS;) {
        while (i >= atomic_load(l->gate))
            sk_test_sleep_ms(1);
        Seklik__Ordering__OrderRequest req = SEKLIK__ORDERING__ORDER_REQUEST__INIT;
        req.order_id = l->orders[i];
        char key[SK_UUID_STRLEN];
        sk_uuid7(key);
        result res = {SK_EUNAVAIL, "", ""};
        for (int attempt = 0; attempt < 600; attempt++) {
            Seklik__Bus__Response *resp = NULL;
            int rc = sk_rpc_call(c, "Ordering.IssueOrder", &a, key, &req.base, 4000, &resp);
            if (rc == SK_OK) {
                res.code = it_code(resp);
                snprintf(res.field, sizeof(res.field), "%s",
                         resp->n_violations ? resp->violations[0]->field : "");
                seklik__bus__response__free_unpacked(resp, NULL);
                if (res.code != SK_EUNAVAIL && res.code != SK_EINTERNAL)
                    break;
            }
            sk_test_sleep_ms(50);
        }
        if (res.code == SK_OK)
            l->issued++;
        else if (res.code == SK_EPRECOND && strcmp(res.field, "budgetLine") == 0)
            l->refused++;
        else {
            fprintf(stderr, "load: %s -> %d (%s)\n", l->orders[i], res.code, res.field);
            l->other++;
        }
        atomic_fetch_add(l->answered, 1);
    }
    sk_rpc_client_close(c);
    return NULL;
}

/* Freeze `p` (SIGSTOP) until the database shows `sql` > 0 - a saga caught
 * in the step the caller wants - then SIGKILL it and start it again.
 * Returns how many tries it took (the test fails when it never saw it). */
static int kill_when(sk_test_peer *p, const char *bin, const char *who, const char *sql)
{
    int tries = 0;
    for (; tries < 2000; tries++) {
        sk_proc_signal(&p->proc, SIGSTOP);
        if (sk_test_sql_number(dsn, sql) > 0)
            break;
        sk_proc_signal(&p->proc, SIGCONT);
        sk_test_sleep_ms(rand() % 3);
    }
    sk_proc_signal(&p->proc, SIGKILL);
    assert_int_equal(sk_proc_wait(&p->proc, 10000), 128 + SIGKILL);
    char log[512];
    assert_int_equal(sk_test_peer_start(p, bin, it_log(log, sizeof(log), "ordering", who)), 0);
    if (tries == 2000)
        fail_msg("%s was never caught in the middle of a saga", who);
    return tries;
}

/* Freeze `p`, let `gate` open more work, and kill it once the database
 * shows `sql` > 0 (sagas waiting on it); then start it again. */
static void freeze_then_kill(sk_test_peer *p, const char *bin, const char *who, const char *sql,
                             atomic_int *gate, int open_to)
{
    sk_proc_signal(&p->proc, SIGSTOP);
    atomic_store(gate, open_to);
    long long waiting = 0;
    for (int i = 0; i < 400 && (waiting = sk_test_sql_number(dsn, sql)) <= 0; i++)
        sk_test_sleep_ms(10);
    sk_test_sleep_ms(rand() % 40);
    sk_proc_signal(&p->proc, SIGKILL);
    assert_int_equal(sk_proc_wait(&p->proc, 10000), 128 + SIGKILL);
    char log[512];
    assert_int_equal(sk_test_peer_start(p, bin, it_log(log, sizeof(log), "ordering", who)), 0);
    if (waiting <= 0)
        fail_msg("no saga was waiting on %s when it was killed", who);
}

/* The schemas are identifiers, not parameters: one fixed statement each. */
static const char *outbox_head_sql(const char *schema)
{
    if (strcmp(schema, "ordering") == 0)
        return "SELECT last_seq FROM ordering.outbox_head";
    if (strcmp(schema, "scoring") == 0)
        return "SELECT last_seq FROM scoring.outbox_head";
    if (strcmp(schema, "testpub") == 0)
        return "SELECT last_seq FROM testpub.outbox_head";
    fail_msg("outbox_head_sql: unknown schema %s", schema);
    return NULL;
}

static const char *inbox_offset_sql(const char *schema)
{
    if (strcmp(schema, "ordering") == 0)
        return "SELECT coalesce(max(last_seq), 0) FROM ordering.inbox_offsets WHERE source = $1";
    if (strcmp(schema, "scoring") == 0)
        return "SELECT coalesce(max(last_seq), 0) FROM scoring.inbox_offsets WHERE source = $1";
    fail_msg("inbox_offset_sql: unknown schema %s", schema);
    return NULL;
}

/* Wait until subscriber `sub_schema` has applied everything `source`
 * published (its offset equals the publisher's last seq). */
static void wait_offsets(const char *sub_schema, const char *source, const char *pub_dsn,
                         const char *pub_schema)
{
    long long last = sk_test_sql_number(pub_dsn, outbox_head_sql(pub_schema)), got = -1;
    const char *q = inbox_offset_sql(sub_schema);
    for (int i = 0; i < 400 && got != last; i++) {
        got = sk_test_sql_number_p(dsn, q, source);
        if (got != last)
            sk_test_sleep_ms(50);
    }
    if (got != last)
        fail_msg("%s's offset for %s is %lld, the publisher's last seq %lld", sub_schema, source,
                 got, last);
}

static void sigkill_ordering_then_accounting_while_issuing(void **state)
{
    (void)state;
    company co = tiered("PT Sriwijaya Pos", (int[]){FAULT_YEAR}, 1);
    char line[SK_UUID_STRLEN], ag[SK_UUID_STRLEN];
    budget_line(FAULT_YEAR, FAULT_FITS * 1000000LL, line);
    agreement(&co, FAULT_YEAR, 1000000000, 1000, line, ag);
    static char orders[FAULT_ORDERS][SK_UUID_STRLEN];
    for (int i = 0; i < FAULT_ORDERS; i++)
        accepted_order(ag, &co, FAULT_YEAR, 1, 1000000, NULL, orders[i]);

    unsigned seed = (unsigned)time(NULL);
    print_message("fault seed %u\n", seed);
    srand(seed);
    /* The first half of the orders go before ordering is killed, the rest
     * only once accounting is frozen: work is left for both kills. */
    atomic_int next = 0, answered = 0, gate = FAULT_ORDERS / 2;
    loader ls[FAULT_LOADERS];
    pthread_t t[FAULT_LOADERS];
    for (int i = 0; i < FAULT_LOADERS; i++) {
        ls[i] = (loader){.orders = orders, .next = &next, .answered = &answered, .gate = &gate};
        pthread_create(&t[i], NULL, load, &ls[i]);
    }
    /* Kill ordering at a random moment after a random number of orders were
     * handed out, frozen where it hurts most: an order ISSUING whose money
     * accounting has already reserved (step 2 done, step 3 not). Then kill
     * accounting while orders wait in ISSUING for its answer. */
    int first = 3 + rand() % 10;
    while (atomic_load(&next) < first)
        sk_test_sleep_ms(1);
    int tries = kill_when(&ordering, ordering_bin, "ordering",
                          "SELECT count(*) FROM ordering.orders o JOIN accounting.reservation r"
                          " ON r.order_id = o.id WHERE o.state = 7");
    print_message("ordering killed between reserving and numbering after %d freezes\n", tries);
    while (atomic_load(&answered) < FAULT_ORDERS / 2)
        sk_test_sleep_ms(1);
    freeze_then_kill(&accounting, accounting_bin, "accounting",
                     "SELECT count(*) FROM ordering.orders WHERE state = 7", &gate, FAULT_ORDERS);
    for (int i = 0; i < FAULT_LOADERS; i++)
        pthread_join(t[i], NULL);
    int issued = 0, refused = 0, other = 0;
    for (int i = 0; i < FAULT_LOADERS; i++) {
        issued += ls[i].issued;
        refused += ls[i].refused;
        other += ls[i].other;
    }
    /* Every call got a final answer: exactly what the line fits was issued. */
    assert_int_equal(other, 0);
    assert_int_equal(issued, FAULT_FITS);
    assert_int_equal(refused, FAULT_ORDERS - FAULT_FITS);
    /* Nothing is left half-done once the re-drive job has run. */
    for (int i = 0; i < 200 && sk_test_sql_number(dsn, "SELECT count(*) FROM ordering.orders"
                                                         " WHERE state = 7 OR release_pending") > 0;
         i++)
        sk_test_sleep_ms(50);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM ordering.orders"
                                             " WHERE state = 7 OR release_pending"),
                     0);
    /* Issued with reservation and number, or neither; numbers 1..N. */
    for (int i = 0; i < FAULT_ORDERS; i++) {
        Seklik__Ordering__Order *o = get_order(orders[i]);
        int code;
        Seklik__Accounting__Reservation *r = reservation(orders[i], &code);
        if (o->state == S(ISSUED)) {
            assert_int_equal(code, SK_OK);
            assert_int_equal(r->state,
                             SEKLIK__ACCOUNTING__RESERVATION_STATE__RESERVATION_STATE_PENDING);
            assert_true(o->number[0] != '\0');
        } else {
            assert_int_equal(o->state, S(ACCEPTED));
            assert_int_equal(code, SK_ENOTFOUND);
            assert_string_equal(o->number, "");
        }
        if (r)
            FREE(r);
        FREE(o);
    }
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(DISTINCT seq) FROM ordering.orders"
                                             " WHERE fiscal_year = 2029 AND seq BETWEEN 1 AND 30"),
                     FAULT_FITS);
    Seklik__Accounting__BudgetLineDetail *keep = NULL;
    Seklik__Accounting__Balances *b = balances(line, &keep);
    assert_int_equal(b->available, 0);
    FREE(keep);
    /* Subscribers caught up: offsets equal the publishers' last sequence. */
    wait_offsets("ordering", "scoring", dsn, "scoring");
    wait_offsets("ordering", "registry", reg_dsn, "testpub");
    wait_offsets("scoring", "ordering", dsn, "ordering");
    assert_sound();
}

/* ---- the year's end ---- */

static void close_year_records_performance_for_scoring(void **state)
{
    (void)state;
    /* 2020 is past: its proof can only be late. 2099: on time, and one
     * placement without any proof. */
    company co = tiered("PT Harian Ogan", (int[]){2020, 2099}, 2);
    char line20[SK_UUID_STRLEN], line99[SK_UUID_STRLEN], ag20[SK_UUID_STRLEN],
        ag99[SK_UUID_STRLEN];
    budget_line(2020, 10000000, line20);
    budget_line(2099, 10000000, line99);
    agreement(&co, 2020, 5000000, 5, line20, ag20);
    agreement(&co, 2099, 5000000, 5, line99, ag99);
    char late[SK_UUID_STRLEN], ontime[SK_UUID_STRLEN], missing[SK_UUID_STRLEN];
    accepted_order(ag20, &co, 2020, 1, 1000000, NULL, late);
    accepted_order(ag99, &co, 2099, 1, 1000000, NULL, ontime);
    accepted_order(ag99, &co, 2099, 1, 1000000, NULL, missing);
    Seklik__Ordering__Order *o = NULL;
    const char *ids[] = {late, ontime, missing};
    for (int i = 0; i < 3; i++) {
        OK(issue(ids[i], &o));
        FREE(o);
    }
    Seklik__Bus__Actor p = partner_of(co.id), s = staff();
    Seklik__Ordering__ProofInput pi = SEKLIK__ORDERING__PROOF_INPUT__INIT;
    pi.kind = SEKLIK__ORDERING__PROOF_KIND__PROOF_KIND_URL;
    pi.url = "https://harianogan.example.id/advertorial";
    Seklik__Ordering__ProofDecisionRequest dr = SEKLIK__ORDERING__PROOF_DECISION_REQUEST__INIT;
    dr.proof_version = 1;
    dr.accept = true;
    for (int i = 0; i < 2; i++) {
        pi.order_id = (char *)ids[i];
        pi.published_at = i == 0 ? "2020-03-15T02:00:00Z" : "2026-11-30T02:00:00Z";
        OK(ocall("SubmitProof", &p, &pi.base, &seklik__ordering__order__descriptor, &o));
        assert_int_equal(o->proofs[0]->late, i == 0);
        FREE(o);
        dr.order_id = (char *)ids[i];
        OK(ocall("DecideProof", &s, &dr.base, &seklik__ordering__order__descriptor, &o));
        FREE(o);
    }
    Seklik__Bus__Actor h = head();
    Seklik__Ordering__CloseYearRequest cy = SEKLIK__ORDERING__CLOSE_YEAR_REQUEST__INIT;
    Seklik__Ordering__CloseYearResponse *done = NULL;
    cy.fiscal_year = 2020;
    OK(ocall("CloseYear", &h, &cy.base, &seklik__ordering__close_year_response__descriptor, &done));
    assert_int_equal(done->n_performance, 1);
    assert_int_equal(done->performance[0]->percent, 0); /* its only placement's proof was late */
    FREE(done);
    cy.fiscal_year = 2099;
    OK(ocall("CloseYear", &h, &cy.base, &seklik__ordering__close_year_response__descriptor, &done));
    assert_int_equal(done->n_performance, 1);
    assert_string_equal(done->performance[0]->company_id, co.id);
    assert_int_equal(done->performance[0]->placements, 2);
    assert_int_equal(done->performance[0]->percent, 50); /* one of two, the other has no proof */
    FREE(done);
    assert_int_equal(ocall("CloseYear", &h, &cy.base, NULL, NULL).code, SK_EPRECOND);
    /* A closed year takes no new orders. */
    char sf[16], st[16];
    Seklik__Ordering__OrderInput oi = order_input(ag99, &co, 2099, 1, sf, st);
    Seklik__Ordering__CreateOrderRequest cr = SEKLIK__ORDERING__CREATE_ORDER_REQUEST__INIT;
    cr.order = &oi;
    cr.unit_price = 500000;
    assert_int_equal(ocall("CreateOrder", &s, &cr.base, NULL, NULL).code, SK_EPRECOND);
    /* Scoring takes it into the next year's score (ordering.performance.recorded). */
    wait_offsets("scoring", "ordering", dsn, "ordering");
    assert_int_equal(sqln("SELECT count(*) FROM ordering.outbox WHERE type = '%s'",
                          "ordering.performance.recorded"), 2);
    assert_sound();
}

/* ---- ceilings only from what the admin published ---- */

/* Nothing is priced before the admin publishes the year's price standard:
 * scoring publishes nothing by itself (ADR 0016), and ordering learns
 * ceilings only from scoring.price_standard.published. */
static void nothing_is_priced_before_the_price_standard_is_published(void **state)
{
    (void)state;
    enum { YEAR_ = 2031 };
    Seklik__Verification__FiscalYear fy = SEKLIK__VERIFICATION__FISCAL_YEAR__INIT;
    fy.fiscal_year = YEAR_;
    fy.registration_opens_on = "2030-01-01";
    fy.registration_closes_on = "2031-12-31";
    Seklik__Verification__YearOpened opened = SEKLIK__VERIFICATION__YEAR_OPENED__INIT;
    opened.year = &fy;
    it_inject(ver_dsn, "verification.year.opened", &opened.base);
    for (int i = 0; i < 400 && sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.price_standard"
                                                         " WHERE fiscal_year = 2031") == 0;
         i++)
        sk_test_sleep_ms(25);
    Seklik__Bus__Actor a = admin(), s = staff();
    Seklik__Scoring__PublishRequest pr = SEKLIK__SCORING__PUBLISH_REQUEST__INIT;
    pr.fiscal_year = YEAR_;
    OK(call_on(sco, "Scoring.PublishRuleSet", &a, true, NULL, &pr.base, NULL, NULL));
    /* Tiered under the published rules; the price standard still a draft. */
    company co;
    sk_uuid7(co.id);
    sk_uuid7(co.outlet);
    for (int k = 0; k < 4; k++)
        sk_uuid7(co.person[k]);
    snprintf(co.name, sizeof(co.name), "PT Kabar Baru");
    registry_event(&co);
    verified_for(&co, YEAR_);
    for (int i = 0; i < 400 && sqln("SELECT count(*) FROM ordering.outlet WHERE fiscal_year = 2031"
                                    " AND tier = 2 AND outlet_id = '%s'", co.outlet) == 0;
         i++)
        sk_test_sleep_ms(50);
    assert_int_equal(sqln("SELECT count(*) FROM ordering.outlet WHERE fiscal_year = 2031"
                          " AND tier = 2 AND outlet_id = '%s'", co.outlet), 1);
    for (int i = 0; i < 400 && sqln("SELECT count(*) FROM ordering.company WHERE company_id = '%s'",
                                    co.id) == 0;
         i++)
        sk_test_sleep_ms(50);
    wait_offsets("ordering", "scoring", dsn, "scoring");
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM scoring.price_standard"
                                             " WHERE fiscal_year = 2031 AND state <> 'draft'"),
                     0);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM ordering.ceiling"
                                             " WHERE fiscal_year = 2031"),
                     0);
    Seklik__Ordering__ListProductsRequest lp = SEKLIK__ORDERING__LIST_PRODUCTS_REQUEST__INIT;
    lp.fiscal_year = YEAR_;
    lp.company_id = co.id;
    Seklik__Ordering__ListProductsResponse *products = NULL;
    OK(ocall("ListProducts", &s, &lp.base, &seklik__ordering__list_products_response__descriptor,
             &products));
    assert_int_equal(products->n_products, 0);
    FREE(products);
    char line[SK_UUID_STRLEN], ag[SK_UUID_STRLEN], sf[16], st[16];
    budget_line(YEAR_, 10000000, line);
    agreement(&co, YEAR_, 5000000, 5, line, ag);
    Seklik__Ordering__OrderInput oi = order_input(ag, &co, YEAR_, 1, sf, st);
    Seklik__Ordering__CreateOrderRequest cr = SEKLIK__ORDERING__CREATE_ORDER_REQUEST__INIT;
    cr.order = &oi;
    cr.unit_price = 500000;
    long long orders = sk_test_sql_number(dsn, "SELECT count(*) FROM ordering.orders");
    result r = ocall("CreateOrder", &s, &cr.base, NULL, NULL);
    assert_int_equal(r.code, SK_EPRECOND);
    assert_string_equal(r.field, "order.product");
    /* the code leads the message, so the UI says it in the chosen language */
    assert_int_equal(strncmp(r.message, "price.no_ceiling: ", 18), 0);
    assert_int_equal(sk_test_sql_number(dsn, "SELECT count(*) FROM ordering.orders"), orders);
    /* The admin publishes the drafted standard: its ceilings, and the order. */
    OK(call_on(sco, "Scoring.PublishPriceStandard", &a, true, NULL, &pr.base, NULL, NULL));
    wait_products(&co, YEAR_, 1000000);
    Seklik__Ordering__Order *o = NULL;
    OK(ocall("CreateOrder", &s, &cr.base, &seklik__ordering__order__descriptor, &o));
    assert_int_equal(o->ceiling, 1000000);
    FREE(o);
    assert_sound();
}

/* ---- set-up ---- */

static int start(void **state)
{
    (void)state;
    char log[512];
    ordering_bin = it_arg(4);
    accounting_bin = it_arg(5);
    scoring_bin = it_arg(6);
    if (!ordering_bin || !accounting_bin || !scoring_bin ||
        !sk_test_create_db("it_ordering", dsn, sizeof(dsn)) ||
        !sk_test_create_db("it_ordering_registry", reg_dsn, sizeof(reg_dsn)) ||
        !sk_test_create_db("it_ordering_verification", ver_dsn, sizeof(ver_dsn)))
        return -1;
    const char *redis = sk_test_env("SEKLIK_TEST_REDIS_URL");
    sk_test_peer_init(&fake_registry, "testpub", reg_dsn, redis);
    sk_test_peer_init(&fake_verification, "testpub", ver_dsn, redis);
    if (sk_test_peer_start(&fake_registry, it_pub_bin, it_log(log, sizeof(log), "ordering", "registry")) ||
        sk_test_peer_start(&fake_verification, it_pub_bin,
                           it_log(log, sizeof(log), "ordering", "verification")))
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
    if (sk_test_peer_start(&accounting, accounting_bin, it_log(log, sizeof(log), "ordering", "accounting")) ||
        sk_test_peer_start(&scoring, scoring_bin, it_log(log, sizeof(log), "ordering", "scoring")) ||
        sk_test_peer_start(&ordering, ordering_bin, it_log(log, sizeof(log), "ordering", "ordering")))
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
        cmocka_unit_test(golden_path_order_is_issued_and_its_proof_accepted),
        cmocka_unit_test(refusals_name_what_ran_out_and_consume_nothing),
        cmocka_unit_test(approval_above_threshold_never_by_the_creator),
        cmocka_unit_test(offer_above_the_ceiling_is_refused_naming_unit_price),
        cmocka_unit_test(partner_wall_on_every_method),
        cmocka_unit_test(eight_clients_issue_against_a_line_that_fits_n),
        cmocka_unit_test(sigkill_ordering_then_accounting_while_issuing),
        cmocka_unit_test(close_year_records_performance_for_scoring),
        cmocka_unit_test(the_job_finishes_what_accounting_did_not_answer),
        cmocka_unit_test(order_check_catches_each_broken_invariant),
        cmocka_unit_test(a_published_price_standard_moves_the_ceilings),
        cmocka_unit_test(nothing_is_priced_before_the_price_standard_is_published),
    };
    return it_main2(argc, argv, tests, sizeof(tests) / sizeof(tests[0]), start, stop);
}
