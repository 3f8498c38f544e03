/* test_accounting_domain.c - the accounting service's pure rules: SIPD's
 * codes, budget line input, the figures derived from a line's three ledger
 * accounts, revision rules, reservation amounts, and the Rupiah words of a
 * refusal. (Taxes are in test_domain.c.) */
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

/* ---- codes ---- */

static void sub_activity_code_is_12_digits_as_sipd_groups_them(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out; /* out NULL: refused */
    } cases[] = {
        {"2.16.02.1.01.0001", "2.16.02.1.01.0001"},
        {"216021010001", "2.16.02.1.01.0001"},        /* without dots */
        {"  2.16.02.1.01.0001\t", "2.16.02.1.01.0001"}, /* blanks around */
        {"0.00.00.0.00.0000", "0.00.00.0.00.0000"},
        {"2.16.02.1.01.001", NULL},     /* 11 digits */
        {"2.16.02.1.01.00011", NULL},   /* 13 */
        {"21602101000", NULL},          /* 11 bare */
        {"2160210100011", NULL},        /* 13 bare */
        {"2.16.2.01.01.0001", NULL},    /* dots in the wrong places */
        {"2.16.02.1.01-0001", NULL},
        {"2.16.02.1.01.000a", NULL},
        {"2 16 02 1 01 0001", NULL},
        {"2.16.02.1.01.0001.", NULL},
        {"2.16.02.1.01 0001", NULL},
        {"", NULL},
        {NULL, NULL},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        char out[ACCOUNTING_CODE_SIZE] = "junk";
        bool ok = accounting_sub_activity_code(cases[i].in, out);
        if (ok != (cases[i].out != NULL))
            fail_msg("\"%s\": %s", cases[i].in ? cases[i].in : "(null)", ok ? "accepted" : "refused");
        assert_string_equal(out, cases[i].out ? cases[i].out : "");
    }
}

static void account_code_is_a_12_digit_spending_account(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"5.1.02.02.01.0029", "5.1.02.02.01.0029"}, /* Belanja Jasa Iklan/Reklame */
        {"510202010029", "5.1.02.02.01.0029"},
        {"5.2.02.05.01.0001", "5.2.02.05.01.0001"}, /* belanja modal: still spending */
        {"4.1.01.01.01.0001", NULL},                /* revenue (pendapatan) */
        {"6.1.01.01.01.0001", NULL},                /* financing */
        {"410101010001", NULL},
        {"5.1.02.02.01.029", NULL},
        {"5.1.2.02.01.0029", NULL},
        {"5.1.02.02.01.00299", NULL},
        {"5.1.02.02.01.0O29", NULL}, /* a letter O */
        {"2.16.02.1.01.0001", NULL}, /* a sub-activity code is grouped otherwise */
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        char out[ACCOUNTING_CODE_SIZE] = "junk";
        bool ok = accounting_account_code(cases[i].in, out);
        if (ok != (cases[i].out != NULL))
            fail_msg("\"%s\": %s", cases[i].in, ok ? "accepted" : "refused");
        assert_string_equal(out, cases[i].out ? cases[i].out : "");
    }
}

/* ---- text ---- */

static void text_is_trimmed_bounded_and_clean(void **state)
{
    (void)state;
    char out[16];
    assert_true(accounting_text("  Belanja  ", 1, 10, false, out, sizeof(out)));
    assert_string_equal(out, "Belanja");
    assert_true(accounting_text("", 0, 10, false, out, sizeof(out)));  /* optional */
    assert_true(accounting_text(NULL, 0, 10, false, out, sizeof(out)));
    assert_string_equal(out, "");
    assert_false(accounting_text("   ", 1, 10, false, out, sizeof(out)));     /* required */
    assert_true(accounting_text("0123456789", 1, 10, false, out, sizeof(out))); /* at the max */
    assert_false(accounting_text("01234567890", 1, 10, false, out, sizeof(out)));
    assert_string_equal(out, "");
    assert_false(accounting_text("a\nb", 1, 10, false, out, sizeof(out)));
    assert_true(accounting_text("a\nb", 1, 10, true, out, sizeof(out)));   /* a reason's lines */
    assert_false(accounting_text("a\x01" "b", 1, 10, true, out, sizeof(out)));
    assert_false(accounting_text("a\x7f", 1, 10, true, out, sizeof(out)));
    assert_true(accounting_text("Rp\xc2\xa0" "1", 1, 10, false, out, sizeof(out))); /* UTF-8 */
    assert_false(accounting_text("\xc3\x28", 1, 10, false, out, sizeof(out)));    /* not UTF-8 */
    assert_false(accounting_text("ab\xe2\x82", 1, 10, false, out, sizeof(out)));  /* cut short */
    /* The bound is in characters, as users see it: 4 two-byte characters
     * (8 bytes) are within 4, and 5 are not. */
    assert_true(accounting_text("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 1, 4, false, out, sizeof(out)));
    assert_false(
        accounting_text("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 1, 4, false, out, sizeof(out)));
    /* ...and a refusal names the limit in characters, with its code */
    accounting_violations v = {0};
    assert_false(accounting_text_check("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 1, 4, false, out,
                                       sizeof(out), "reason", &v));
    assert_string_equal(v.items[0].field, "reason");
    assert_string_equal(v.items[0].code, "too_long");
    assert_string_equal(v.items[0].description, "at most 4 characters");
    assert_false(accounting_text_check("  ", 1, 4, false, out, sizeof(out), "reason", &v));
    assert_string_equal(v.items[1].code, "required");
    assert_false(accounting_text_check("a\x01", 1, 4, false, out, sizeof(out), "reason", &v));
    assert_string_equal(v.items[2].code, "text.invalid");
}

/* ---- a new line ---- */

static accounting_line_input golden_input(void)
{
    return (accounting_line_input){2027, "2.16.02.1.01.0001", "5.1.02.02.01.0029",
                                   "Belanja Jasa Iklan/Reklame, Film, dan Pemotretan"};
}

static void golden_line_is_accepted(void **state)
{
    (void)state;
    accounting_line_input in = golden_input();
    accounting_line out;
    char doc[ACCOUNTING_TEXT_SIZE(ACCOUNTING_DOCUMENT_MAX)];
    accounting_violations v = {0};
    assert_true(accounting_check_line(&in, 1900000000, " DPA/001/2027 ", &out, doc, &v));
    assert_int_equal(v.n, 0);
    assert_int_equal(out.fiscal_year, 2027);
    assert_string_equal(out.sub_activity_code, "2.16.02.1.01.0001");
    assert_string_equal(out.account_code, "5.1.02.02.01.0029");
    assert_string_equal(out.name, "Belanja Jasa Iklan/Reklame, Film, dan Pemotretan");
    assert_string_equal(doc, "DPA/001/2027");
    /* Pagu 0 (set later by a revision) and no document number are allowed. */
    assert_true(accounting_check_line(&in, 0, "", &out, doc, &v));
    assert_true(accounting_check_line(&in, ACCOUNTING_MONEY_MAX, NULL, &out, doc, &v));
}

static void every_bad_field_of_a_line_is_named(void **state)
{
    (void)state;
    char long_name[300];
    memset(long_name, 'a', 251);
    long_name[251] = '\0';
    accounting_line_input in = {1999, "2.16.02.1.01", "4.1.01.01.01.0001", long_name};
    accounting_line out;
    char doc[ACCOUNTING_TEXT_SIZE(ACCOUNTING_DOCUMENT_MAX)];
    accounting_violations v = {0};
    assert_false(accounting_check_line(&in, -1, "DPA\x01", &out, doc, &v));
    assert_int_equal(v.n, 6);
    assert_true(names(&v, "line.fiscalYear"));
    assert_true(names(&v, "line.subActivityCode"));
    assert_true(names(&v, "line.accountCode"));
    assert_true(names(&v, "line.name"));
    assert_true(names(&v, "pagu"));
    assert_true(names(&v, "documentNumber"));
    /* The edges: years 2000 and 2100, a name of 250 characters, pagu 10^13 + 1. */
    long_name[250] = '\0';
    in = golden_input();
    in.name = long_name;
    in.fiscal_year = 2100;
    v.n = 0;
    assert_true(accounting_check_line(&in, 1, "", &out, doc, &v));
    in.fiscal_year = 2000;
    assert_true(accounting_check_line(&in, 1, "", &out, doc, &v));
    in.fiscal_year = 2101;
    assert_false(accounting_check_line(&in, ACCOUNTING_MONEY_MAX + 1, "", &out, doc, &v));
    assert_int_equal(v.n, 2);
}

/* ---- figures from the ledger ---- */

typedef accounting_account_balances acct;

static void golden_line_figures(void **state)
{
    (void)state;
    /* Pagu 1.900.000.000; Rp 1.000.000 reserved; nothing spent. */
    acct appropriation = {0, 1900000000, 0, 0};
    acct available = {1000000, 0, 0, 1900000000};
    acct realised = {0, 0, 1000000, 0};
    accounting_balances b;
    assert_true(accounting_line_balances(&appropriation, &available, &realised, &b));
    assert_int_equal(b.pagu, 1900000000);
    assert_int_equal(b.committed, 1000000);
    assert_int_equal(b.realised, 0);
    assert_int_equal(b.available, 1899000000);
}

static void figures_after_revisions_posts_and_voids(void **state)
{
    (void)state;
    /* Raised by 500, lowered by 300 (pagu 1.200); reservations of 400 (posted),
     * 100 (voided: gone both ways) and 250 (pending). */
    acct appropriation = {0, 1000 + 500, 0, 300};
    acct available = {250, 300 + 400, 0, 1000 + 500};
    acct realised = {0, 0, 250, 400};
    accounting_balances b;
    assert_true(accounting_line_balances(&appropriation, &available, &realised, &b));
    assert_int_equal(b.pagu, 1200);
    assert_int_equal(b.committed, 250);
    assert_int_equal(b.realised, 400);
    assert_int_equal(b.available, 550);
    /* A correction moving 50 of the spent money back (realised -> available). */
    available.credits_posted += 50;
    realised.debits_posted += 50;
    assert_true(accounting_line_balances(&appropriation, &available, &realised, &b));
    assert_int_equal(b.realised, 350);
    assert_int_equal(b.available, 600);
    /* Everything used: available 0 is sound. */
    acct ap = {0, 100, 0, 0}, av = {60, 40, 0, 100}, re = {0, 0, 60, 40};
    assert_true(accounting_line_balances(&ap, &av, &re, &b));
    assert_int_equal(b.available, 0);
    /* A new line without pagu. */
    acct z = {0, 0, 0, 0};
    assert_true(accounting_line_balances(&z, &z, &z, &b));
    assert_int_equal(b.pagu, 0);
    assert_int_equal(b.available, 0);
}

static void unsound_balances_are_refused(void **state)
{
    (void)state;
    accounting_balances b;
    acct ap = {0, 1000, 0, 0}, av = {100, 0, 0, 1000}, re = {0, 0, 100, 0};
    assert_true(accounting_line_balances(&ap, &av, &re, &b));
    /* committed on available without its counterpart on realised */
    acct re_short = {0, 0, 99, 0};
    assert_false(accounting_line_balances(&ap, &av, &re_short, &b));
    assert_int_equal(b.pagu, 0); /* zeroed */
    /* more committed than the pagu */
    acct av_over = {1001, 0, 0, 1000}, re_over = {0, 0, 1001, 0};
    assert_false(accounting_line_balances(&ap, &av_over, &re_over, &b));
    /* available's money not what the appropriation gave */
    acct av_more = {100, 0, 0, 1001};
    assert_false(accounting_line_balances(&ap, &av_more, &re, &b));
    /* a negative pagu, a negative balance, pending money on the appropriation */
    acct ap_neg = {0, 0, 0, 1};
    assert_false(accounting_line_balances(&ap_neg, &av, &re, &b));
    acct av_neg = {-1, 0, 0, 1000};
    assert_false(accounting_line_balances(&ap, &av_neg, &re, &b));
    acct ap_pending = {5, 1000, 0, 0};
    assert_false(accounting_line_balances(&ap_pending, &av, &re, &b));
    /* realised below zero */
    acct re_neg = {0, 1, 100, 0};
    assert_false(accounting_line_balances(&ap, &av, &re_neg, &b));
}

static void totals_add_up_and_refuse_overflow(void **state)
{
    (void)state;
    accounting_balances sum = {0}, one = {1900000000, 1000000, 0, 1899000000};
    assert_true(accounting_balances_add(&sum, &one));
    assert_true(accounting_balances_add(&sum, &one));
    assert_int_equal(sum.pagu, 3800000000);
    assert_int_equal(sum.available, 3798000000);
    accounting_balances big = {INT64_MAX, 0, 0, 0};
    assert_false(accounting_balances_add(&sum, &big));
    assert_int_equal(sum.pagu, 3800000000); /* untouched */
}

/* ---- revisions ---- */

static void revision_moves_the_difference_either_way(void **state)
{
    (void)state;
    accounting_balances now = {1900000000, 1000000, 0, 1899000000};
    accounting_pagu_move m;
    char reason[ACCOUNTING_TEXT_SIZE(ACCOUNTING_REASON_MAX)],
        doc[ACCOUNTING_TEXT_SIZE(ACCOUNTING_DOCUMENT_MAX)];
    accounting_violations v = {0};
    assert_int_equal(accounting_check_revision(ACCOUNTING_REVISION_PERUBAHAN, 2000000000,
                                               " P-APBD ", "DPPA/1", &now, &m, reason, doc, &v),
                     ACCOUNTING_REVISION_OK);
    assert_true(m.raise);
    assert_int_equal(m.amount, 100000000);
    assert_string_equal(reason, "P-APBD");
    assert_string_equal(doc, "DPPA/1");
    assert_int_equal(accounting_check_revision(ACCOUNTING_REVISION_PERGESERAN, 1000000, "geser",
                                               "DPPA/2", &now, &m, reason, doc, &v),
                     ACCOUNTING_REVISION_OK); /* down to exactly what is committed */
    assert_false(m.raise);
    assert_int_equal(m.amount, 1899000000);
    assert_int_equal(v.n, 0);
}

static void revision_never_below_committed_plus_realised(void **state)
{
    (void)state;
    accounting_balances now = {1000, 300, 200, 500};
    accounting_pagu_move m;
    char reason[ACCOUNTING_TEXT_SIZE(ACCOUNTING_REASON_MAX)],
        doc[ACCOUNTING_TEXT_SIZE(ACCOUNTING_DOCUMENT_MAX)];
    accounting_violations v = {0};
    assert_int_equal(accounting_check_revision(ACCOUNTING_REVISION_PERGESERAN, 499, "r", "d", &now,
                                               &m, reason, doc, &v),
                     ACCOUNTING_REVISION_REFUSED);
    assert_true(names(&v, "newPagu"));
    assert_string_equal(v.items[0].code, "budget.pagu_below_committed");
    assert_non_null(strstr(v.items[0].description, "Rp 500"));
    v.n = 0;
    assert_int_equal(accounting_check_revision(ACCOUNTING_REVISION_PERGESERAN, 500, "r", "d", &now,
                                               &m, reason, doc, &v),
                     ACCOUNTING_REVISION_OK);
    assert_int_equal(m.amount, 500);
    /* The same pagu is no revision. */
    assert_int_equal(accounting_check_revision(ACCOUNTING_REVISION_PERUBAHAN, 1000, "r", "d", &now,
                                               &m, reason, doc, &v),
                     ACCOUNTING_REVISION_REFUSED);
    assert_true(names(&v, "newPagu"));
}

static void revision_input_is_judged_before_the_line(void **state)
{
    (void)state;
    accounting_balances now = {1000, 300, 200, 500};
    accounting_pagu_move m;
    char reason[ACCOUNTING_TEXT_SIZE(ACCOUNTING_REASON_MAX)],
        doc[ACCOUNTING_TEXT_SIZE(ACCOUNTING_DOCUMENT_MAX)];
    accounting_violations v = {0};
    /* Initial or unknown kinds, no reason, no document, a pagu out of range:
     * all named, and INVALID even where the line would also refuse. */
    assert_int_equal(accounting_check_revision(ACCOUNTING_REVISION_INITIAL, -1, "  ", NULL, &now,
                                               &m, reason, doc, &v),
                     ACCOUNTING_REVISION_INVALID);
    assert_int_equal(v.n, 4);
    assert_true(names(&v, "kind"));
    assert_true(names(&v, "newPagu"));
    assert_true(names(&v, "reason"));
    assert_true(names(&v, "documentNumber"));
    v.n = 0;
    assert_int_equal(accounting_check_revision(0, 2000, "r", "d", &now, &m, reason, doc, &v),
                     ACCOUNTING_REVISION_INVALID);
    v.n = 0;
    assert_int_equal(accounting_check_revision(4, 2000, "r", "d", &now, &m, reason, doc, &v),
                     ACCOUNTING_REVISION_INVALID);
    v.n = 0;
    assert_int_equal(accounting_check_revision(ACCOUNTING_REVISION_PERUBAHAN,
                                               ACCOUNTING_MONEY_MAX + 1, "r", "d", &now, &m, reason,
                                               doc, &v),
                     ACCOUNTING_REVISION_INVALID);
    v.n = 0;
    assert_int_equal(accounting_check_revision(ACCOUNTING_REVISION_PERUBAHAN, ACCOUNTING_MONEY_MAX,
                                               "r", "d", &now, &m, reason, doc, &v),
                     ACCOUNTING_REVISION_OK);
}

static void revision_kind_names(void **state)
{
    (void)state;
    assert_string_equal(accounting_revision_kind_name(1), "initial");
    assert_string_equal(accounting_revision_kind_name(2), "pergeseran");
    assert_string_equal(accounting_revision_kind_name(3), "perubahan");
    assert_null(accounting_revision_kind_name(0));
    assert_null(accounting_revision_kind_name(4));
    for (int k = 1; k <= 3; k++)
        assert_int_equal(accounting_revision_kind_parse(accounting_revision_kind_name(k)), k);
    assert_int_equal(accounting_revision_kind_parse("Initial"), 0);
    assert_int_equal(accounting_revision_kind_parse(NULL), 0);
}

/* ---- reservations ---- */

static void reservation_amount_is_1_to_10_13(void **state)
{
    (void)state;
    accounting_violations v = {0};
    assert_true(accounting_check_amount(1, &v));
    assert_true(accounting_check_amount(ACCOUNTING_MONEY_MAX, &v));
    assert_false(accounting_check_amount(0, &v));
    assert_false(accounting_check_amount(ACCOUNTING_MONEY_MAX + 1, &v));
    assert_int_equal(v.n, 2);
    assert_string_equal(v.items[0].field, "amount");
}

static void rupiah_words(void **state)
{
    (void)state;
    char s[40];
    accounting_rupiah(1900000000, s, sizeof(s));
    assert_string_equal(s, "Rp 1.900.000.000");
    accounting_rupiah(0, s, sizeof(s));
    assert_string_equal(s, "Rp 0");
    accounting_rupiah(999, s, sizeof(s));
    assert_string_equal(s, "Rp 999");
    accounting_rupiah(1000, s, sizeof(s));
    assert_string_equal(s, "Rp 1.000");
    accounting_rupiah(-20000, s, sizeof(s));
    assert_string_equal(s, "-Rp 20.000");
    accounting_rupiah(INT64_MIN, s, sizeof(s));
    assert_string_equal(s, "-Rp 9.223.372.036.854.775.808");
    accounting_rupiah(1900000000, s, 8); /* cut, still terminated */
    assert_string_equal(s, "Rp 1.90");
}

static void violations_keep_the_first_eight(void **state)
{
    (void)state;
    accounting_violations v = {0};
    for (int i = 0; i < 10; i++)
        assert_false(accounting_violation(&v, "f", "c", "d"));
    assert_int_equal(v.n, ACCOUNTING_MAX_VIOLATIONS);
    char longer[300];
    memset(longer, 'x', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    accounting_violations w = {0};
    accounting_violation(&w, longer, longer, longer);
    assert_int_equal(strlen(w.items[0].field), sizeof(w.items[0].field) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sub_activity_code_is_12_digits_as_sipd_groups_them),
        cmocka_unit_test(account_code_is_a_12_digit_spending_account),
        cmocka_unit_test(text_is_trimmed_bounded_and_clean),
        cmocka_unit_test(golden_line_is_accepted),
        cmocka_unit_test(every_bad_field_of_a_line_is_named),
        cmocka_unit_test(golden_line_figures),
        cmocka_unit_test(figures_after_revisions_posts_and_voids),
        cmocka_unit_test(unsound_balances_are_refused),
        cmocka_unit_test(totals_add_up_and_refuse_overflow),
        cmocka_unit_test(revision_moves_the_difference_either_way),
        cmocka_unit_test(revision_never_below_committed_plus_realised),
        cmocka_unit_test(revision_input_is_judged_before_the_line),
        cmocka_unit_test(revision_kind_names),
        cmocka_unit_test(reservation_amount_is_1_to_10_13),
        cmocka_unit_test(rupiah_words),
        cmocka_unit_test(violations_keep_the_first_eight),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
