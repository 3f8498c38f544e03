/* test_accounting_tax.c - the tax engine and the payment rules of issue 13,
 * as tables of cases worked out by hand: PPh 23 and PPN for PKP and non-PKP
 * partners, with and without NPWP, at the WAPU threshold, rounding at ,5
 * each way, another year's rates; the faktur pajak number; the order of the
 * payment steps; dates, the PPh 23 due date, aging and the document
 * checklist by value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "accounting/domain.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool names(const accounting_violations *v, const char *field)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->items[i].field, field) == 0)
            return true;
    return false;
}

static accounting_tax_table table_of(int year, int rounding)
{
    accounting_tax_table t;
    accounting_tax_table_default(year, &t);
    t.rounding = rounding;
    return t;
}

/* ---- the engine ---- */

#define UP ACCOUNTING_ROUND_HALF_UP
#define EVEN ACCOUNTING_ROUND_HALF_EVEN
#define DOWN ACCOUNTING_ROUND_DOWN

typedef struct tax_case {
    const char *name;
    accounting_tax_table table;
    int64_t gross;
    bool pkp, npwp;
    /* expected: */
    int64_t price, dpp, ppn;
    bool wapu;
    int32_t pph23_bp;
    int64_t pph23, net;
} tax_case;

static void tax_engine_table_of_cases(void **state)
{
    (void)state;
    accounting_tax_table y2027 = table_of(2027, UP), y2024 = table_of(2024, UP);
    /* A year whose table says PPN 12% of the whole price and PPh 23 1,5%. */
    accounting_tax_table other = table_of(2026, UP);
    other.dpp_num = other.dpp_den = 1;
    other.pph23_bp = 150;
    const tax_case cases[] = {
        /* The golden path: no VAT, the base is the amount; 2% = 20.000. */
        {"non-PKP golden path", y2027, 1000000, false, true,
         1000000, 0, 0, false, 200, 20000, 980000},
        /* Without NPWP 100% higher: 4% = 40.000. */
        {"non-PKP without NPWP", y2027, 1000000, false, false,
         1000000, 0, 0, false, 400, 40000, 960000},
        /* 11.100.000 x 100/111 = 10.000.000; DPP 11/12 = 9.166.666,67 -> 9.166.667;
         * PPN 12% = 1.100.000,04 -> 1.100.000, collected (above 2 juta);
         * PPh 23 2% of 10.000.000; net 11.100.000 - 200.000 - 1.100.000. */
        {"PKP above the WAPU threshold", y2027, 11100000, true, true,
         10000000, 9166667, 1100000, true, 200, 200000, 9800000},
        /* 2.220.000 x 100/111 = 2.000.000 exactly: at the threshold, not above it.
         * DPP 1.833.333,33 -> 1.833.333; PPN 219.999,96 -> 220.000, remitted by the
         * partner itself; PPh 23 40.000; net 2.180.000. */
        {"PKP exactly at the threshold", y2027, 2220000, true, true,
         2000000, 1833333, 220000, false, 200, 40000, 2180000},
        /* 2.220.111 x 100/111 = 2.000.100; DPP 1.833.425; PPN 220.011, collected;
         * PPh 23 40.002; net 2.220.111 - 40.002 - 220.011 = 1.960.098. */
        {"PKP just above the threshold", y2027, 2220111, true, true,
         2000100, 1833425, 220011, true, 200, 40002, 1960098},
        /* 2.220.001 x 100/111 = 2.000.000,90: rounded half up 2.000.001, above. */
        {"PKP a rupiah above, half up", y2027, 2220001, true, true,
         2000001, 1833334, 220000, true, 200, 40000, 1960001},
        /* The same rounded down is 2.000.000: the printed price is at the threshold.
         * DPP 1.833.333,33 -> 1.833.333; PPN 219.999,96 -> 219.999; PPh 40.000. */
        {"PKP a rupiah above, down", table_of(2027, DOWN), 2220001, true, true,
         2000000, 1833333, 219999, false, 200, 40000, 2180001},
        /* 1.000.000 x 100/111 = 900.900,90 -> 900.901; DPP 825.825,92 -> 825.826;
         * PPN 99.099,12 -> 99.099 (not collected); PPh 23 18.018,02 -> 18.018. */
        {"PKP golden amount", y2027, 1000000, true, true,
         900901, 825826, 99099, false, 200, 18018, 981982},
        /* PKP without NPWP: 4% of 10.000.000. */
        {"PKP without NPWP", y2027, 11100000, true, false,
         10000000, 9166667, 1100000, true, 400, 400000, 9600000},
        /* PPh 23 of 1.025 is 20,5: half up 21, half even 20 (20 is even), down 20. */
        {",5 half up rounds up", table_of(2027, UP), 1025, false, true,
         1025, 0, 0, false, 200, 21, 1004},
        {",5 half even rounds down to even", table_of(2027, EVEN), 1025, false, true,
         1025, 0, 0, false, 200, 20, 1005},
        {",5 down", table_of(2027, DOWN), 1025, false, true,
         1025, 0, 0, false, 200, 20, 1005},
        /* PPh 23 of 1.075 is 21,5: half up 22, half even 22 (22 is even), down 21. */
        {",5 half up, odd", table_of(2027, UP), 1075, false, true,
         1075, 0, 0, false, 200, 22, 1053},
        {",5 half even rounds up to even", table_of(2027, EVEN), 1075, false, true,
         1075, 0, 0, false, 200, 22, 1053},
        {",5 down, odd", table_of(2027, DOWN), 1075, false, true,
         1075, 0, 0, false, 200, 21, 1054},
        /* Below ,5 and above it the three agree where they must: 20,48 and 20,52. */
        {"below ,5", table_of(2027, EVEN), 1024, false, true,
         1024, 0, 0, false, 200, 20, 1004},
        {"above ,5 half even", table_of(2027, EVEN), 1026, false, true,
         1026, 0, 0, false, 200, 21, 1005},
        {"above ,5 down", table_of(2027, DOWN), 1026, false, true,
         1026, 0, 0, false, 200, 20, 1006},
        /* 2024: PPN 11% of the whole price: 11.100.000 -> 10.000.000 + 1.100.000. */
        {"2024: 11% of 1/1", y2024, 11100000, true, true,
         10000000, 10000000, 1100000, true, 200, 200000, 9800000},
        /* 2024 golden amount: DPP = price 900.901; PPN 99.099,11 -> 99.099. */
        {"2024 golden amount", y2024, 1000000, true, true,
         900901, 900901, 99099, false, 200, 18018, 981982},
        /* Another rate: 12% of 1/1 splits 11.200.000 into 10.000.000 + 1.200.000;
         * PPh 23 1,5% = 150.000. */
        {"another year's rates", other, 11200000, true, true,
         10000000, 10000000, 1200000, true, 150, 150000, 9850000},
        {"nothing", y2027, 0, true, false, 0, 0, 0, false, 400, 0, 0},
        /* Rp 10 triliun, the largest amount: 10^13 x 100/111 = 9.009.009.009.009,009;
         * DPP 8.258.258.258.258,25 -> ...258; PPN 990.990.990.990,96 -> ...991;
         * PPh 23 180.180.180.180,18 -> ...180. No overflow on the way. */
        {"the largest amount", y2027, 10000000000000LL, true, true,
         9009009009009LL, 8258258258258LL, 990990990991LL, true, 200, 180180180180LL,
         10000000000000LL - 180180180180LL - 990990990991LL},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        const tax_case *c = &cases[i];
        accounting_tax_input in = {c->gross, c->pkp, c->npwp};
        accounting_tax_lines l;
        if (!accounting_compute_tax(&c->table, &in, &l))
            fail_msg("%s: refused", c->name);
        const int64_t got[] = {l.gross, l.price_before_vat, l.dpp_other, l.ppn, l.wapu,
                               l.pph23_bp, l.pph23, l.net, l.ppn_collected, l.pph23_base};
        const int64_t want[] = {c->gross, c->price, c->dpp, c->ppn, c->wapu, c->pph23_bp,
                                c->pph23, c->net, c->wapu ? c->ppn : 0, c->price};
        static const char *const what[] = {"gross", "price before VAT", "DPP", "PPN", "wapu",
                                           "pph23 bp", "PPh 23", "net", "PPN collected",
                                           "PPh 23 base"};
        for (size_t k = 0; k < COUNT(got); k++)
            if (got[k] != want[k])
                fail_msg("%s: %s is %lld, expected %lld", c->name, what[k], (long long)got[k],
                         (long long)want[k]);
        /* The lines always add up: what leaves the treasury is the gross. */
        assert_int_equal(l.net + l.pph23 + l.ppn_collected, l.gross);
    }
}

static void tax_engine_refuses_what_it_cannot_compute(void **state)
{
    (void)state;
    accounting_tax_table t = table_of(2027, UP);
    accounting_tax_lines l;
    const int64_t bad[] = {-1, -1000000, INT64_MIN, ACCOUNTING_MONEY_MAX + 1, INT64_MAX};
    for (size_t i = 0; i < COUNT(bad); i++) {
        accounting_tax_input in = {bad[i], true, true};
        if (accounting_compute_tax(&t, &in, &l))
            fail_msg("gross %lld computed", (long long)bad[i]);
        assert_int_equal(l.gross, 0);
    }
    /* A table the checks refuse computes nothing. */
    t.rounding = 9;
    accounting_tax_input in = {1000000, false, true};
    assert_false(accounting_compute_tax(&t, &in, &l));
}

static void tax_table_fields_are_named(void **state)
{
    (void)state;
    accounting_tax_table ok = table_of(2027, UP);
    accounting_violations v = {0};
    assert_true(accounting_check_tax_table(&ok, &v));
    assert_int_equal(v.n, 0);
    static const struct {
        int field; /* which one to break */
        int64_t value;
        const char *name;
    } cases[] = {
        {0, 1999, "table.fiscalYear"},       {1, -1, "table.pph23RateBp"},
        {1, 10001, "table.pph23RateBp"},     {2, -1, "table.noNpwpUpliftPercent"},
        {2, 1001, "table.noNpwpUpliftPercent"}, {3, 10001, "table.ppnRateBp"},
        {4, 0, "table.dppFactorNumerator"},  {4, 13, "table.dppFactorNumerator"},
        {5, 0, "table.dppFactorDenominator"}, {5, 1001, "table.dppFactorDenominator"},
        {6, -1, "table.wapuThreshold"},      {6, ACCOUNTING_MONEY_MAX + 1, "table.wapuThreshold"},
        {7, 0, "table.rounding"},            {7, 4, "table.rounding"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        accounting_tax_table t = ok;
        switch (cases[i].field) {
        case 0: t.fiscal_year = (int)cases[i].value; break;
        case 1: t.pph23_bp = (int32_t)cases[i].value; break;
        case 2: t.no_npwp_uplift_pct = (int32_t)cases[i].value; break;
        case 3: t.ppn_bp = (int32_t)cases[i].value; break;
        case 4: t.dpp_num = (int32_t)cases[i].value; break;
        case 5: t.dpp_den = (int32_t)cases[i].value; break;
        case 6: t.wapu_threshold = cases[i].value; break;
        default: t.rounding = (int)cases[i].value; break;
        }
        accounting_violations w = {0};
        assert_false(accounting_check_tax_table(&t, &w));
        if (!names(&w, cases[i].name))
            fail_msg("case %zu: %s not named", i, cases[i].name);
    }
    /* 60% with a 100% uplift is 120%: more than the whole base. */
    accounting_tax_table t = ok;
    t.pph23_bp = 6000;
    accounting_violations w = {0};
    assert_false(accounting_check_tax_table(&t, &w));
    assert_true(names(&w, "table.noNpwpUpliftPercent"));
}

static void default_tables_follow_the_regulations(void **state)
{
    (void)state;
    accounting_tax_table t;
    accounting_tax_table_default(2027, &t);
    assert_int_equal(t.ppn_bp, 1200); /* PMK 131/2024 */
    assert_int_equal(t.dpp_num, 11);
    assert_int_equal(t.dpp_den, 12);
    assert_int_equal(t.pph23_bp, 200); /* PMK 141/2015 */
    assert_int_equal(t.no_npwp_uplift_pct, 100);
    assert_int_equal(t.wapu_threshold, 2000000);
    accounting_tax_table_default(2024, &t);
    assert_int_equal(t.ppn_bp, 1100);
    assert_int_equal(t.dpp_num, 1);
    assert_int_equal(t.dpp_den, 1);
    assert_string_equal(accounting_rounding_name(ACCOUNTING_ROUND_HALF_EVEN), "half_even");
    assert_int_equal(accounting_rounding_parse("down"), ACCOUNTING_ROUND_DOWN);
    assert_int_equal(accounting_rounding_parse("up"), 0);
}

/* ---- the faktur pajak number ---- */

static void faktur_number_shape_code_status_year(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int year;
        accounting_faktur_verdict want;
        const char *out;
    } cases[] = {
        {"02002700000000123", 2027, ACCOUNTING_FAKTUR_OK, "02002700000000123"},
        {"02.00.27.000-00000123", 2027, ACCOUNTING_FAKTUR_OK, "02002700000000123"},
        {" 02012700000000123 ", 2027, ACCOUNTING_FAKTUR_OK, "02012700000000123"}, /* replacement */
        {"01002700000000123", 2027, ACCOUNTING_FAKTUR_CODE, ""},  /* 01: not to a collector */
        {"04002700000000123", 2027, ACCOUNTING_FAKTUR_CODE, ""},
        {"02022700000000123", 2027, ACCOUNTING_FAKTUR_STATUS, ""},
        {"02102700000000123", 2027, ACCOUNTING_FAKTUR_STATUS, ""},
        {"02002600000000123", 2027, ACCOUNTING_FAKTUR_YEAR, ""},
        {"0200270000000012", 2027, ACCOUNTING_FAKTUR_SHAPE, ""},    /* 16 digits in 2027 */
        {"020027000000001234", 2027, ACCOUNTING_FAKTUR_SHAPE, ""},  /* 18 */
        {"0200270000000012A", 2027, ACCOUNTING_FAKTUR_SHAPE, ""},
        {"02..002700000000123", 2027, ACCOUNTING_FAKTUR_SHAPE, ""},
        {".02002700000000123", 2027, ACCOUNTING_FAKTUR_SHAPE, ""},
        {"", 2027, ACCOUNTING_FAKTUR_SHAPE, ""},
        {NULL, 2027, ACCOUNTING_FAKTUR_SHAPE, ""},
        {"020.000-24.00000001", 2024, ACCOUNTING_FAKTUR_OK, "0200002400000001"}, /* e-Faktur */
        {"021.000-24.00000001", 2024, ACCOUNTING_FAKTUR_OK, "0210002400000001"},
        {"010.000-24.00000001", 2024, ACCOUNTING_FAKTUR_CODE, ""},
        {"022.000-24.00000001", 2024, ACCOUNTING_FAKTUR_STATUS, ""},
        {"020.000-23.00000001", 2024, ACCOUNTING_FAKTUR_YEAR, ""},
        {"02002400000000123", 2024, ACCOUNTING_FAKTUR_SHAPE, ""},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        char out[ACCOUNTING_FAKTUR_SIZE] = "junk";
        accounting_faktur_verdict got = accounting_faktur_number(cases[i].in, cases[i].year, out);
        if (got != cases[i].want)
            fail_msg("\"%s\" (%d): verdict %d, expected %d", cases[i].in ? cases[i].in : "(null)",
                     cases[i].year, got, cases[i].want);
        assert_string_equal(out, cases[i].out);
    }
}

/* ---- invoices ---- */

static bool uuid_like(const char *s)
{
    return strlen(s) == 36;
}

static void invoice_fields_are_named(void **state)
{
    (void)state;
    int32_t today;
    assert_true(accounting_date_parse("2027-04-10", &today));
    const char *orders[] = {"01900000-0000-7000-8000-000000000001",
                            "01900000-0000-7000-8000-000000000002"};
    accounting_invoice_input in = {.number = "INV/001/2027", .date = "2027-04-09",
                                   .faktur_number = "", .signatory = "Budi Santoso",
                                   .order_ids = orders, .n_orders = 2};
    accounting_invoice out;
    accounting_violations v = {0};
    assert_true(accounting_check_invoice(&in, false, today, uuid_like, &out, &v));
    assert_string_equal(out.number, "INV/001/2027");
    char d[11];
    accounting_date_format(out.date, d);
    assert_string_equal(d, "2027-04-09");

    /* PKP: the faktur is required, and it must be its year's and code 02. */
    v.n = 0;
    assert_false(accounting_check_invoice(&in, true, today, uuid_like, &out, &v));
    assert_true(names(&v, "invoice.fakturNumber"));
    in.faktur_number = "02.00.27.00000000123";
    v.n = 0;
    assert_true(accounting_check_invoice(&in, true, today, uuid_like, &out, &v));
    assert_string_equal(out.faktur_number, "02002700000000123");
    in.faktur_number = "01.00.27.00000000123";
    v.n = 0;
    assert_false(accounting_check_invoice(&in, true, today, uuid_like, &out, &v));
    assert_true(names(&v, "invoice.fakturNumber"));
    /* Not PKP: no faktur at all. */
    in.faktur_number = "02.00.27.00000000123";
    v.n = 0;
    assert_false(accounting_check_invoice(&in, false, today, uuid_like, &out, &v));
    assert_true(names(&v, "invoice.fakturNumber"));
    in.faktur_number = "";

    /* Every other field, at once. */
    const char *twice[] = {orders[0], orders[0]};
    accounting_invoice_input bad = {.number = "  ", .date = "2027-04-11", .signatory = "",
                                    .bank_branch = "x\ty", .order_ids = twice, .n_orders = 2};
    v.n = 0;
    assert_false(accounting_check_invoice(&bad, false, today, uuid_like, &out, &v));
    assert_true(names(&v, "invoice.number"));
    assert_true(names(&v, "invoice.date")); /* tomorrow */
    assert_true(names(&v, "invoice.signatoryName"));
    assert_true(names(&v, "invoice.bankBranch"));
    assert_true(names(&v, "invoice.orderIds")); /* twice */
    bad.n_orders = 0;
    bad.date = "2027-02-30";
    v.n = 0;
    assert_false(accounting_check_invoice(&bad, false, today, uuid_like, &out, &v));
    assert_true(names(&v, "invoice.orderIds"));
    assert_true(names(&v, "invoice.date"));
}

/* ---- payment steps ---- */

static void payment_steps_go_in_order_never_skipped(void **state)
{
    (void)state;
    enum { SUB = ACCOUNTING_INVOICE_SUBMITTED, RET = ACCOUNTING_INVOICE_RETURNED,
           ACC = ACCOUNTING_INVOICE_ACCEPTED, SPP = ACCOUNTING_INVOICE_SPP,
           VER = ACCOUNTING_INVOICE_SPP_VERIFIED, SPM = ACCOUNTING_INVOICE_SPM,
           PAID = ACCOUNTING_INVOICE_PAID };
    const int states[] = {SUB, RET, ACC, SPP, VER, SPM, PAID};
    /* The one allowed step from each state, and where it goes. */
    const struct { int from, step, to; } allowed[] = {
        {ACC, ACCOUNTING_STEP_SPP, SPP},
        {SPP, ACCOUNTING_STEP_SPP_VERIFIED, VER},
        {VER, ACCOUNTING_STEP_SPM, SPM},
        {SPM, ACCOUNTING_STEP_SP2D, PAID},
    };
    for (size_t s = 0; s < COUNT(states); s++)
        for (int step = 0; step <= 5; step++) {
            int want = 0;
            for (size_t k = 0; k < COUNT(allowed); k++)
                if (allowed[k].from == states[s] && allowed[k].step == step)
                    want = allowed[k].to;
            if (accounting_step_next(states[s], step) != want)
                fail_msg("state %d step %d: %d, expected %d", states[s], step,
                         accounting_step_next(states[s], step), want);
        }
    /* Undoing: the last step of each state; SP2D is final. */
    int prev;
    assert_int_equal(accounting_step_last(SPP, &prev), ACCOUNTING_STEP_SPP);
    assert_int_equal(prev, ACC);
    assert_int_equal(accounting_step_last(VER, &prev), ACCOUNTING_STEP_SPP_VERIFIED);
    assert_int_equal(prev, SPP);
    assert_int_equal(accounting_step_last(SPM, &prev), ACCOUNTING_STEP_SPM);
    assert_int_equal(prev, VER);
    assert_int_equal(accounting_step_last(PAID, &prev), 0);
    assert_int_equal(accounting_step_last(ACC, &prev), 0);
    assert_int_equal(accounting_step_last(SUB, &prev), 0);
    assert_string_equal(accounting_step_name(ACCOUNTING_STEP_SP2D), "sp2d");
    assert_int_equal(accounting_step_parse("spp_verified"), ACCOUNTING_STEP_SPP_VERIFIED);
    assert_int_equal(accounting_invoice_state_parse("paid"), PAID);
}

static void step_input_names_its_fields(void **state)
{
    (void)state;
    int32_t inv, today, day;
    assert_true(accounting_date_parse("2027-04-09", &inv));
    assert_true(accounting_date_parse("2027-04-20", &today));
    char number[ACCOUNTING_STEP_NUMBER_MAX + 1], purpose[ACCOUNTING_PURPOSE_MAX + 1];
    accounting_violations v = {0};
    assert_true(accounting_check_step(ACCOUNTING_STEP_SPP, " 00123/SPP-LS/2027 ", "2027-04-10",
                                      inv, today, number, &day, &v));
    assert_string_equal(number, "00123/SPP-LS/2027");
    assert_int_equal(day, inv + 1);
    /* The PPK's check needs no number; dates from the invoice's to today. */
    assert_true(accounting_check_step(ACCOUNTING_STEP_SPP_VERIFIED, "", "2027-04-09", inv, today,
                                      number, &day, &v));
    assert_true(accounting_check_step(ACCOUNTING_STEP_SP2D, "1", "2027-04-20", inv, today, number,
                                      &day, &v));
    static const struct {
        int step;
        const char *number, *date, *field;
    } bad[] = {
        {ACCOUNTING_STEP_SPP, "", "2027-04-10", "number"},
        {ACCOUNTING_STEP_SPM, "1", "2027-04-08", "date"},  /* before the invoice */
        {ACCOUNTING_STEP_SP2D, "1", "2027-04-21", "date"}, /* tomorrow */
        {ACCOUNTING_STEP_SP2D, "1", "10-04-2027", "date"},
        {0, "1", "2027-04-10", "step"},
        {5, "1", "2027-04-10", "step"},
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        accounting_violations w = {0};
        assert_false(accounting_check_step(bad[i].step, bad[i].number, bad[i].date, inv, today,
                                           number, &day, &w));
        if (!names(&w, bad[i].field))
            fail_msg("case %zu: %s not named", i, bad[i].field);
    }
    assert_true(accounting_check_purpose(" Pembayaran advertorial MO/0001 ", purpose, &v));
    assert_string_equal(purpose, "Pembayaran advertorial MO/0001");
    accounting_violations w = {0};
    assert_false(accounting_check_purpose("a\nb", purpose, &w));
    assert_true(names(&w, "purpose"));
}

/* ---- dates, due dates, aging ---- */

static void dates_and_the_pph23_due_date(void **state)
{
    (void)state;
    static const struct { const char *paid, *due; } cases[] = {
        {"2027-03-10", "2027-04-15"}, {"2027-03-31", "2027-04-15"}, {"2027-01-31", "2027-02-15"},
        {"2027-12-01", "2028-01-15"}, {"2027-12-31", "2028-01-15"}, {"2028-02-29", "2028-03-15"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        int32_t paid;
        char due[11];
        assert_true(accounting_date_parse(cases[i].paid, &paid));
        accounting_date_format(accounting_pph23_due(paid), due);
        assert_string_equal(due, cases[i].due);
    }
    /* Ordering's times become WIB dates: 17:00 UTC is already tomorrow in Jakarta. */
    static const struct { const char *t, *day; } times[] = {
        {"2027-03-05T16:59:59Z", "2027-03-05"}, {"2027-03-05T17:00:00Z", "2027-03-06"},
        {"2027-03-05T17:00:00.123456Z", "2027-03-06"}, {"2027-03-06T00:30:00+07:00", "2027-03-06"},
        {"2027-03-05T23:30:00-01:00", "2027-03-06"}, {"2027-12-31T20:00:00Z", "2028-01-01"},
    };
    for (size_t i = 0; i < COUNT(times); i++) {
        int32_t day;
        char got[11];
        assert_true(accounting_wib_day(times[i].t, &day));
        accounting_date_format(day, got);
        assert_string_equal(got, times[i].day);
    }
    const char *bad_times[] = {"2027-03-05", "2027-03-05T25:00:00Z", "2027-03-05T10:00:00",
                               "2027-03-05T10:00:00.Z", "2027-02-30T10:00:00Z", "", NULL};
    for (size_t i = 0; i < COUNT(bad_times); i++) {
        int32_t day;
        assert_false(accounting_wib_day(bad_times[i], &day));
    }
    int32_t d;
    assert_true(accounting_date_parse("2000-01-01", &d));
    assert_int_equal(d, 10957);
    assert_int_equal(accounting_date_year(d), 2000);
    const char *bad[] = {"2027-02-29", "2027-13-01", "2027-00-10", "2027-04-31", "1999-12-31",
                         "2101-01-01", "2027-4-01", "2027/04/01", "", NULL};
    for (size_t i = 0; i < COUNT(bad); i++)
        if (accounting_date_parse(bad[i], &d))
            fail_msg("\"%s\" parsed", bad[i] ? bad[i] : "(null)");
}

static void aging_buckets_at_their_edges(void **state)
{
    (void)state;
    const struct { int32_t days; int bucket; } cases[] = {
        {-3, 0}, {0, 0}, {30, 0}, {31, 1}, {60, 1}, {61, 2}, {90, 2}, {91, 3}, {4000, 3},
    };
    for (size_t i = 0; i < COUNT(cases); i++)
        assert_int_equal(accounting_aging_bucket(cases[i].days), cases[i].bucket);
}

/* ---- documents by value ---- */

static void document_checklist_by_value(void **state)
{
    (void)state;
    accounting_document_rule r[ACCOUNTING_DOC_KINDS];
    accounting_document_rules_default(r);
    accounting_violations v = {0};
    assert_true(accounting_check_document_rules(r, ACCOUNTING_DOC_KINDS, &v));
    enum { P = ACCOUNTING_DOC_PROOF_OF_PURCHASE, K = ACCOUNTING_DOC_KUITANSI,
           S = ACCOUNTING_DOC_SPK, A = ACCOUNTING_DOC_AGREEMENT };
    static const struct { int64_t gross; bool p, k, s, a; } cases[] = {
        {1000000, true, true, false, false},    {10000000, true, true, false, false},
        {10000001, false, true, false, false},  {50000000, false, true, false, false},
        {50000001, false, true, true, false},   {200000000, false, true, true, false},
        {200000001, false, true, false, true},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        const bool want[] = {cases[i].p, cases[i].k, cases[i].s, cases[i].a};
        for (int kind = P; kind <= A; kind++)
            if (accounting_document_required(r, ACCOUNTING_DOC_KINDS, kind, cases[i].gross) !=
                want[kind - 1])
                fail_msg("%lld: %s", (long long)cases[i].gross,
                         accounting_document_kind_name(kind));
    }
    /* A kind without a rule is never required. */
    assert_false(accounting_document_required(r, 2, S, 100000000));
    /* Bad rules are named by index. */
    accounting_document_rule bad[] = {{K, 0, 0}, {K, 5, 0}, {S, 10, 10}, {9, -1, 0}};
    v.n = 0;
    assert_false(accounting_check_document_rules(bad, 4, &v));
    assert_true(names(&v, "rules[1].kind"));
    assert_true(names(&v, "rules[2].upTo"));
    assert_true(names(&v, "rules[3].kind"));
    assert_true(names(&v, "rules[3].above"));
    assert_int_equal(accounting_document_kind_parse("spk"), S);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tax_engine_table_of_cases),
        cmocka_unit_test(tax_engine_refuses_what_it_cannot_compute),
        cmocka_unit_test(tax_table_fields_are_named),
        cmocka_unit_test(default_tables_follow_the_regulations),
        cmocka_unit_test(faktur_number_shape_code_status_year),
        cmocka_unit_test(invoice_fields_are_named),
        cmocka_unit_test(payment_steps_go_in_order_never_skipped),
        cmocka_unit_test(step_input_names_its_fields),
        cmocka_unit_test(dates_and_the_pph23_due_date),
        cmocka_unit_test(aging_buckets_at_their_edges),
        cmocka_unit_test(document_checklist_by_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
