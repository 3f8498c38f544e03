/* test_verification_domain.c - the verification service's pure rules, with the edges.
 *
 * Expected values are worked out by hand in the comments next to them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdbool.h>

/* The only domain library linked here, so "domain.h" is verification's. */
#include "domain.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Days since 1970-01-01. */
enum {
    D_2027_03_15 = 20892, /* "today" in the expiry tests */
    D_2027_04_14 = 20922, /* today + 30 */
};

/* Unix seconds. */
#define T_2027_06_01 INT64_C(1811808000) /* announced */
#define T_2027_06_15 INT64_C(1813017600) /* objection window closes */

/* Document types of a requirement set (illustrative numbers). */
enum { DOC_AKTA = 1, DOC_NIB = 2, DOC_NPWP = 3, DOC_DEWAN_PERS = 4, DOC_UKW = 5 };

/* ---- case states ---- */

#define S(x) VERIFICATION_CASE_##x
#define A(x) VERIFICATION_ACTION_##x

/* The whole allowed table, copied from the header by hand; every other
 * (state, action) pair must be refused. */
static const struct {
    verification_case_state from;
    verification_case_action action;
    verification_case_state to;
} allowed[] = {
    {S(OPENED), A(AUTO_CHECKS_DONE), S(IN_REVIEW)},
    {S(IN_REVIEW), A(DOCUMENT_REJECTED), S(NEEDS_REVISION)},
    {S(NEEDS_REVISION), A(DOCUMENT_REJECTED), S(NEEDS_REVISION)},
    {S(NEEDS_REVISION), A(DOCUMENT_RESUBMITTED), S(IN_REVIEW)},
    {S(IN_REVIEW), A(DOCUMENT_RESUBMITTED), S(IN_REVIEW)},
    {S(IN_REVIEW), A(ALL_DOCUMENTS_ACCEPTED), S(VISIT_PENDING)},
    {S(VISIT_PENDING), A(VISIT_RECORDED), S(VISITED)},
    {S(VISITED), A(DECIDE_VERIFIED), S(VERIFIED)},
    {S(IN_REVIEW), A(DECIDE_REJECTED), S(REJECTED)},
    {S(NEEDS_REVISION), A(DECIDE_REJECTED), S(REJECTED)},
    {S(VISIT_PENDING), A(DECIDE_REJECTED), S(REJECTED)},
    {S(VISITED), A(DECIDE_REJECTED), S(REJECTED)},
    {S(VERIFIED), A(SUSPEND), S(SUSPENDED)},
};

static void every_state_action_pair_follows_the_table(void **state)
{
    (void)state;
    int n_allowed = 0;
    for (int s = S(OPENED); s <= S(VISITED); s++) {
        for (int a = A(AUTO_CHECKS_DONE); a <= A(SUSPEND); a++) {
            int expected = -1;
            for (size_t i = 0; i < N(allowed); i++)
                if ((int)allowed[i].from == s && (int)allowed[i].action == a)
                    expected = (int)allowed[i].to;
            verification_case_state next = (verification_case_state)99; /* sentinel */
            bool ok = verification_next_state((verification_case_state)s,
                                              (verification_case_action)a, &next);
            if (expected >= 0) {
                assert_true(ok);
                assert_int_equal(next, expected);
                n_allowed++;
            } else {
                assert_false(ok);
                assert_int_equal(next, 99); /* untouched when refused */
            }
        }
    }
    assert_int_equal(n_allowed, 13); /* 1+2+2+1+1+1+4+1 */
}

static void golden_path_reject_fix_accept_visit_verify_then_suspend(void **state)
{
    (void)state;
    const verification_case_action path[] = {
        A(AUTO_CHECKS_DONE),
        A(DOCUMENT_REJECTED),
        A(DOCUMENT_RESUBMITTED),
        A(ALL_DOCUMENTS_ACCEPTED),
        A(VISIT_RECORDED),
        A(DECIDE_VERIFIED),
        A(SUSPEND),
    };
    const verification_case_state after[] = {
        S(IN_REVIEW), S(NEEDS_REVISION), S(IN_REVIEW), S(VISIT_PENDING),
        S(VISITED),   S(VERIFIED),       S(SUSPENDED),
    };
    verification_case_state s = S(OPENED);
    for (size_t i = 0; i < N(path); i++) {
        assert_true(verification_next_state(s, path[i], &s));
        assert_int_equal(s, after[i]);
    }
}

static void verified_needs_accepted_documents_and_a_visit(void **state)
{
    (void)state;
    verification_case_state next = S(OPENED);
    /* Not straight from review, nor before the visit. */
    assert_false(verification_next_state(S(IN_REVIEW), A(DECIDE_VERIFIED), &next));
    assert_false(verification_next_state(S(VISIT_PENDING), A(DECIDE_VERIFIED), &next));
    assert_false(verification_next_state(S(NEEDS_REVISION), A(DECIDE_VERIFIED), &next));
    /* No visit before all documents are accepted. */
    assert_false(verification_next_state(S(IN_REVIEW), A(VISIT_RECORDED), &next));
    /* Suspension only of a verified company. */
    assert_false(verification_next_state(S(VISITED), A(SUSPEND), &next));
    assert_false(verification_next_state(S(REJECTED), A(SUSPEND), &next));
    assert_false(verification_next_state(S(SUSPENDED), A(SUSPEND), &next));
    /* Final states take no document actions. */
    assert_false(verification_next_state(S(VERIFIED), A(DOCUMENT_RESUBMITTED), &next));
    assert_false(verification_next_state(S(REJECTED), A(DOCUMENT_RESUBMITTED), &next));
    assert_int_equal(next, S(OPENED)); /* never written */
}

static void next_state_may_be_asked_without_a_result_and_refuses_unknown_values(void **state)
{
    (void)state;
    assert_true(verification_next_state(S(OPENED), A(AUTO_CHECKS_DONE), NULL));
    assert_false(verification_next_state(S(OPENED), A(SUSPEND), NULL));
    verification_case_state next = S(OPENED);
    assert_false(verification_next_state((verification_case_state)8, A(AUTO_CHECKS_DONE), &next));
    assert_false(verification_next_state((verification_case_state)-1, A(SUSPEND), &next));
    assert_false(verification_next_state(S(OPENED), (verification_case_action)8, &next));
    assert_false(verification_next_state(S(VERIFIED), (verification_case_action)-1, &next));
    assert_int_equal(next, S(OPENED));
}

static void state_names(void **state)
{
    (void)state;
    const struct {
        verification_case_state s;
        const char *name;
    } cases[] = {
        {S(OPENED), "opened"},
        {S(IN_REVIEW), "in_review"},
        {S(NEEDS_REVISION), "needs_revision"},
        {S(VISIT_PENDING), "visit_pending"},
        {S(VISITED), "visited"},
        {S(VERIFIED), "verified"},
        {S(REJECTED), "rejected"},
        {S(SUSPENDED), "suspended"},
    };
    for (size_t i = 0; i < N(cases); i++)
        assert_string_equal(verification_case_state_name(cases[i].s), cases[i].name);
    assert_null(verification_case_state_name((verification_case_state)8));
    assert_null(verification_case_state_name((verification_case_state)-1));
}

/* ---- automatic checks ---- */

#define DOC(t, st, exp)                   \
    {                                     \
        (t), VERIFICATION_DOC_##st, (exp) \
    }
#define F(code, t, day)                         \
    {                                           \
        VERIFICATION_FINDING_##code, (t), (day) \
    }

static void assert_findings(const verification_finding *got, const verification_finding *want,
                            size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(got[i].code, want[i].code);
        assert_int_equal(got[i].type, want[i].type);
        assert_int_equal(got[i].day, want[i].day);
    }
}

static void all_present_and_accepted_is_complete(void **state)
{
    (void)state;
    const int req[] = {DOC_AKTA, DOC_NIB, DOC_NPWP};
    const verification_doc docs[] = {
        DOC(DOC_NPWP, ACCEPTED, 0),
        DOC(DOC_AKTA, SUBMITTED, 0), /* not yet reviewed is not a finding */
        DOC(DOC_NIB, ACCEPTED, D_2027_04_14 + 1),
    };
    verification_finding out[4];
    size_t n = 99;
    assert_true(
        verification_auto_check(req, N(req), docs, N(docs), D_2027_03_15, 30, out, N(out), &n));
    assert_int_equal(n, 0);
}

static void missing_required_documents_block(void **state)
{
    (void)state;
    /* NIB listed twice: reported once. NPWP has only an empty slot. Optional
     * UKW present but not required: no finding. */
    const int req[] = {DOC_AKTA, DOC_NIB, DOC_NPWP, DOC_NIB};
    const verification_doc docs[] = {
        DOC(DOC_AKTA, ACCEPTED, 0),
        DOC(DOC_NPWP, MISSING, D_2027_03_15 - 100), /* a slot: its date is not judged */
        DOC(DOC_UKW, ACCEPTED, 0),
    };
    const verification_finding want[] = {F(MISSING, DOC_NIB, 0), F(MISSING, DOC_NPWP, 0)};
    verification_finding out[8];
    size_t n = 0;
    assert_false(
        verification_auto_check(req, N(req), docs, N(docs), D_2027_03_15, 30, out, N(out), &n));
    assert_int_equal(n, 2);
    assert_findings(out, want, 2);
}

static void a_missing_slot_beside_a_real_document_is_present(void **state)
{
    (void)state;
    const int req[] = {DOC_NPWP};
    const verification_doc docs[] = {DOC(DOC_NPWP, MISSING, 0), DOC(DOC_NPWP, SUBMITTED, 0)};
    size_t n = 99;
    assert_true(verification_auto_check(req, 1, docs, N(docs), D_2027_03_15, 30, NULL, 0, &n));
    assert_int_equal(n, 0);
}

static void expiry_edges(void **state)
{
    (void)state;
    const int32_t today = D_2027_03_15;
    const int req[] = {DOC_AKTA};
    const verification_doc docs[] = {
        DOC(DOC_AKTA, ACCEPTED, 0),                  /* never expires: nothing */
        DOC(DOC_NIB, ACCEPTED, today - 1),           /* yesterday: EXPIRED */
        DOC(DOC_NPWP, SUBMITTED, today),             /* valid through today: EXPIRING */
        DOC(DOC_DEWAN_PERS, ACCEPTED, D_2027_04_14), /* today + 30: EXPIRING */
        DOC(DOC_UKW, ACCEPTED, D_2027_04_14 + 1),    /* today + 31: nothing */
    };
    const verification_finding want[] = {
        F(EXPIRED, DOC_NIB, today - 1),
        F(EXPIRING, DOC_NPWP, today),
        F(EXPIRING, DOC_DEWAN_PERS, D_2027_04_14),
    };
    verification_finding out[8];
    size_t n = 0;
    /* The expired one is an optional type here (not in req) and still blocks. */
    assert_false(verification_auto_check(req, N(req), docs, N(docs), today, 30, out, N(out), &n));
    assert_int_equal(n, 3);
    assert_findings(out, want, 3);

    /* Without the expired document only warnings remain: complete. */
    const verification_doc ok[] = {docs[0], docs[2], docs[3], docs[4]};
    assert_true(verification_auto_check(req, N(req), ok, N(ok), today, 30, out, N(out), &n));
    assert_int_equal(n, 2);
    assert_findings(out, want + 1, 2);
}

static void warn_days_zero_and_negative(void **state)
{
    (void)state;
    const int32_t today = D_2027_03_15;
    const verification_doc docs[] = {DOC(DOC_NIB, ACCEPTED, today),
                                     DOC(DOC_NPWP, ACCEPTED, today + 1)};
    verification_finding out[4];
    size_t n = 0;
    /* 0: only a document expiring today is warned about. */
    assert_true(verification_auto_check(NULL, 0, docs, N(docs), today, 0, out, N(out), &n));
    assert_int_equal(n, 1);
    const verification_finding want[] = {F(EXPIRING, DOC_NIB, today)};
    assert_findings(out, want, 1);
    /* Negative: no warnings at all. */
    assert_true(verification_auto_check(NULL, 0, docs, N(docs), today, -1, out, N(out), &n));
    assert_int_equal(n, 0);
}

static void rejected_documents_block_until_resubmitted(void **state)
{
    (void)state;
    const int32_t today = D_2027_03_15;
    const int req[] = {DOC_NPWP, DOC_NIB};
    /* A rejected document is reported as REJECTED only, whatever its expiry. */
    const verification_doc docs[] = {DOC(DOC_NPWP, REJECTED, today - 5), DOC(DOC_NIB, ACCEPTED, 0)};
    const verification_finding want[] = {F(REJECTED, DOC_NPWP, 0)};
    verification_finding out[4];
    size_t n = 0;
    assert_false(verification_auto_check(req, N(req), docs, N(docs), today, 30, out, N(out), &n));
    assert_int_equal(n, 1);
    assert_findings(out, want, 1);
    /* Resubmitted (a new version, SUBMITTED, valid): complete. */
    const verification_doc fixed[] = {DOC(DOC_NPWP, SUBMITTED, 0), DOC(DOC_NIB, ACCEPTED, 0)};
    assert_true(verification_auto_check(req, N(req), fixed, N(fixed), today, 30, out, N(out), &n));
    assert_int_equal(n, 0);
}

static void findings_beyond_cap_are_counted_not_written(void **state)
{
    (void)state;
    const int32_t today = D_2027_03_15;
    const int req[] = {DOC_AKTA, DOC_NIB};
    const verification_doc docs[] = {DOC(DOC_NPWP, ACCEPTED, today + 1)};
    /* Findings: MISSING akta, MISSING nib, EXPIRING npwp = 3. */
    verification_finding out[3] = {{0}};
    out[2].type = 77; /* sentinel beyond cap */
    size_t n = 0;
    assert_false(verification_auto_check(req, N(req), docs, 1, today, 30, out, 2, &n));
    assert_int_equal(n, 3);
    const verification_finding want[] = {F(MISSING, DOC_AKTA, 0), F(MISSING, DOC_NIB, 0)};
    assert_findings(out, want, 2);
    assert_int_equal(out[2].type, 77);
    /* No buffer at all: only counted; completeness still judged. */
    assert_false(verification_auto_check(req, N(req), docs, 1, today, 30, NULL, 0, &n));
    assert_int_equal(n, 3);
    /* NULL `out` with a non-zero cap is treated as cap 0. */
    assert_false(verification_auto_check(req, N(req), docs, 1, today, 30, NULL, 5, &n));
    assert_int_equal(n, 3);
    /* A blocking finding beyond the cap still makes it incomplete. */
    const int none[] = {DOC_NPWP};
    const verification_doc late[] = {DOC(DOC_NPWP, ACCEPTED, today + 1), DOC(DOC_NIB, REJECTED, 0)};
    assert_false(verification_auto_check(none, 1, late, N(late), today, 30, out, 1, &n));
    assert_int_equal(n, 2);
    assert_int_equal(out[0].code, VERIFICATION_FINDING_EXPIRING);
}

static void auto_check_refuses_bad_arguments(void **state)
{
    (void)state;
    const int req[] = {DOC_AKTA};
    const verification_doc docs[] = {DOC(DOC_AKTA, ACCEPTED, 0)};
    verification_finding out[2];
    size_t n = 99;
    assert_false(verification_auto_check(req, 1, docs, 1, D_2027_03_15, 30, out, 2, NULL));
    assert_false(verification_auto_check(NULL, 1, docs, 1, D_2027_03_15, 30, out, 2, &n));
    assert_int_equal(n, 0);
    n = 99;
    assert_false(verification_auto_check(req, 1, NULL, 1, D_2027_03_15, 30, out, 2, &n));
    assert_int_equal(n, 0);
    /* Nothing required, nothing present: complete. */
    n = 99;
    assert_true(verification_auto_check(NULL, 0, NULL, 0, D_2027_03_15, 30, NULL, 0, &n));
    assert_int_equal(n, 0);
    /* Something required, nothing present: one MISSING. */
    assert_false(verification_auto_check(req, 1, NULL, 0, D_2027_03_15, 30, out, 2, &n));
    assert_int_equal(n, 1);
    assert_int_equal(out[0].code, VERIFICATION_FINDING_MISSING);
    assert_int_equal(out[0].type, DOC_AKTA);
}

static void expiring_soon_is_the_closed_window_today_to_today_plus_n(void **state)
{
    (void)state;
    const int32_t t = D_2027_03_15;
    const struct {
        int32_t expiry, today;
        int ahead;
        bool soon;
    } cases[] = {
        {t + 30, t, 30, true},  /* last day of the window */
        {t + 31, t, 30, false}, /* one past it */
        {t, t, 30, true},       /* expires today: still valid today, first day */
        {t - 1, t, 30, false},  /* already expired: not "soon" */
        {t + 15, t, 30, true},
        {0, t, 30, false}, /* never expires */
        {t, t, 0, true},
        {t + 1, t, 0, false},
        {t, t, -1, false},                         /* negative window */
        {INT32_MAX, INT32_MAX - 1, INT_MAX, true}, /* no overflow of today + ahead */
        {INT32_MAX, 0, INT_MAX, true},             /* 0 + INT_MAX = INT32_MAX: last day */
        {-5, -10, 5, true},                        /* before 1970 is still a date */
    };
    for (size_t i = 0; i < N(cases); i++)
        assert_int_equal(
            verification_expiring_soon(cases[i].expiry, cases[i].today, cases[i].ahead),
            cases[i].soon);
}

/* ---- four-eyes ---- */

static void four_eyes_refuses_the_registrant_and_empty_ids(void **state)
{
    (void)state;
    const struct {
        const char *registered_by, *verifier;
        bool ok;
    } cases[] = {
        {"staff-1", "staff-2", true},   {"staff-1", "staff-1", false}, /* verifies what they
                                                                          registered */
        {"staff-1", "staff-10", true}, /* a prefix is another person */
        {"staff-10", "staff-1", true},  {"Staff-1", "staff-1", true}, /* compared byte for byte */
        {"partner-9", "staff-1", true}, /* self-registered through the portal */
        {"", "staff-1", false},         {"staff-1", "", false},        {"", "", false},
        {NULL, "staff-1", false},       {"staff-1", NULL, false},      {NULL, NULL, false},
    };
    for (size_t i = 0; i < N(cases); i++)
        assert_int_equal(verification_four_eyes_ok(cases[i].registered_by, cases[i].verifier),
                         cases[i].ok);
}

#define OK VERIFICATION_FOUR_EYES_OK
#define UNKNOWN VERIFICATION_FOUR_EYES_UNKNOWN
#define REGISTRANT VERIFICATION_FOUR_EYES_REGISTRANT
#define SUPPLIER VERIFICATION_FOUR_EYES_SUPPLIER
#define OWN_UPLOAD VERIFICATION_FOUR_EYES_OWN_UPLOAD
#define OWN_PROPOSAL VERIFICATION_FOUR_EYES_OWN_PROPOSAL
#define TOOK_PART VERIFICATION_FOUR_EYES_TOOK_PART

static void work_on_a_case_is_refused_to_the_registrant_only(void **state)
{
    (void)state;
    const struct {
        const char *reg, *actor;
        verification_four_eyes rule;
    } cases[] = {
        {"r", "v", OK},          {"r", "r", REGISTRANT}, {"", "v", UNKNOWN},
        {NULL, "v", UNKNOWN},    {"r", "", UNKNOWN},     {"r", NULL, UNKNOWN},
        {"staff-1", "staff-10", OK}, /* a prefix is another person */
    };
    for (size_t i = 0; i < N(cases); i++)
        assert_int_equal(verification_may_work(cases[i].reg, cases[i].actor), cases[i].rule);
}

static void nobody_judges_a_document_version_they_uploaded(void **state)
{
    (void)state;
    const struct {
        const char *reg, *uploader, *actor;
        verification_four_eyes rule;
    } cases[] = {
        {"partner-1", "partner-1", "verifier-1", OK},  /* the partner's own upload */
        {"partner-1", "verifier-1", "verifier-1", OWN_UPLOAD}, /* staff upload on its behalf */
        {"partner-1", "verifier-1", "verifier-2", OK}, /* a colleague judges it */
        {"partner-1", "", "verifier-1", OK},           /* uploader not recorded (older version) */
        {"partner-1", NULL, "verifier-1", OK},
        {"staff-1", "verifier-1", "staff-1", REGISTRANT}, /* the registrant first */
        {"staff-1", "staff-1", "staff-1", REGISTRANT},
        {"partner-1", "verifier-1", "", UNKNOWN},
        {"partner-1", "Verifier-1", "verifier-1", OK}, /* byte for byte */
    };
    for (size_t i = 0; i < N(cases); i++)
        assert_int_equal(
            verification_may_judge_document(cases[i].reg, cases[i].uploader, cases[i].actor),
            cases[i].rule);
}

static void proposal_and_approval_need_two_people_outside_the_file(void **state)
{
    (void)state;
    const char *const suppliers[] = {"partner-1", NULL, "", "staff-up"};
    const verification_parties p = {"partner-1", suppliers, 4};
    const verification_parties staff_registered = {"staff-reg", NULL, 0};
    const struct {
        const verification_parties *p;
        const char *proposer, *approver;
        verification_four_eyes propose, approve;
    } cases[] = {
        {&p, "verifier-1", "verifier-2", OK, OK},
        {&p, "verifier-1", "head-1", OK, OK},
        {&p, "verifier-1", "verifier-1", OK, OWN_PROPOSAL}, /* one person alone */
        {&p, "verifier-1", "partner-1", OK, REGISTRANT},     /* the registrant approves */
        {&p, "partner-1", "verifier-2", REGISTRANT, REGISTRANT},
        {&p, "verifier-1", "staff-up", OK, SUPPLIER},      /* uploaded a document of the case */
        {&p, "staff-up", "verifier-2", SUPPLIER, SUPPLIER},
        {&p, "verifier-1", "", OK, UNKNOWN},
        {&p, "verifier-1", NULL, OK, UNKNOWN},
        {&p, "", "verifier-2", UNKNOWN, UNKNOWN},          /* nobody proposed */
        {&p, NULL, "verifier-2", UNKNOWN, UNKNOWN},
        {&staff_registered, "verifier-1", "staff-reg", OK, REGISTRANT},
        {&staff_registered, "staff-reg", "verifier-1", REGISTRANT, REGISTRANT},
        {NULL, "verifier-1", "verifier-2", UNKNOWN, UNKNOWN},
    };
    for (size_t i = 0; i < N(cases); i++) {
        assert_int_equal(verification_may_propose(cases[i].p, cases[i].proposer), cases[i].propose);
        assert_int_equal(verification_may_approve(cases[i].p, cases[i].proposer, cases[i].approver),
                         cases[i].approve);
    }
    /* A supplier list that claims entries it does not have is refused. */
    const verification_parties broken = {"partner-1", NULL, 2};
    assert_int_equal(verification_may_propose(&broken, "verifier-1"), UNKNOWN);
}

static void whoever_took_part_does_not_answer_the_objection(void **state)
{
    (void)state;
    const char *const deciders[] = {"verifier-1", "head-1", NULL, ""};
    const struct {
        const char *reg, *actor;
        size_t n;
        verification_four_eyes rule;
    } cases[] = {
        {"partner-1", "verifier-2", 4, OK},
        {"partner-1", "verifier-1", 4, TOOK_PART}, /* proposed the decision */
        {"partner-1", "head-1", 4, TOOK_PART},     /* approved it */
        {"staff-1", "staff-1", 4, REGISTRANT},
        {"", "verifier-2", 4, OK},    /* no case: no registrant known */
        {NULL, "verifier-2", 4, OK},
        {"partner-1", "", 4, UNKNOWN},
        {"partner-1", "verifier-1", 0, OK}, /* nobody decided anything */
    };
    for (size_t i = 0; i < N(cases); i++)
        assert_int_equal(verification_may_answer_objection(cases[i].reg, deciders, cases[i].n,
                                                           cases[i].actor),
                         cases[i].rule);
    assert_int_equal(verification_may_answer_objection("r", NULL, 1, "a"), UNKNOWN);
    assert_int_equal(verification_may_answer_objection("r", NULL, 0, "a"), OK);
}

static void four_eyes_rules_have_stable_codes(void **state)
{
    (void)state;
    assert_string_equal(verification_four_eyes_code(OK), "");
    assert_string_equal(verification_four_eyes_code(REGISTRANT), "four_eyes.registrant");
    assert_string_equal(verification_four_eyes_code(SUPPLIER), "four_eyes.supplier");
    assert_string_equal(verification_four_eyes_code(OWN_UPLOAD), "four_eyes.own_upload");
    assert_string_equal(verification_four_eyes_code(OWN_PROPOSAL), "four_eyes.own_proposal");
    assert_string_equal(verification_four_eyes_code(TOOK_PART), "four_eyes.took_part");
    assert_string_equal(verification_four_eyes_code(UNKNOWN), "four_eyes.unknown");
    assert_null(verification_four_eyes_code((verification_four_eyes)99));
}

static void outcomes_map_onto_the_state_machine(void **state)
{
    (void)state;
    const struct {
        verification_outcome o;
        const char *name;
        verification_case_state from, to;
    } cases[] = {
        {VERIFICATION_OUTCOME_VERIFIED, "verified", VERIFICATION_CASE_VISITED, VERIFICATION_CASE_VERIFIED},
        {VERIFICATION_OUTCOME_REJECTED, "rejected", VERIFICATION_CASE_IN_REVIEW, VERIFICATION_CASE_REJECTED},
        {VERIFICATION_OUTCOME_SUSPENDED, "suspended", VERIFICATION_CASE_VERIFIED, VERIFICATION_CASE_SUSPENDED},
    };
    for (size_t i = 0; i < N(cases); i++) {
        verification_case_action a;
        verification_case_state next;
        verification_outcome back;
        assert_true(verification_outcome_action(cases[i].o, &a));
        assert_true(verification_next_state(cases[i].from, a, &next));
        assert_int_equal(next, cases[i].to);
        assert_string_equal(verification_outcome_name(cases[i].o), cases[i].name);
        assert_true(verification_outcome_parse(cases[i].name, &back));
        assert_int_equal(back, cases[i].o);
    }
    verification_case_action a;
    verification_outcome o;
    assert_false(verification_outcome_action((verification_outcome)7, &a));
    assert_null(verification_outcome_name((verification_outcome)7));
    assert_false(verification_outcome_parse("Verified", &o));
    assert_false(verification_outcome_parse(NULL, &o));
    /* Verified only from VISITED, suspended only from VERIFIED. */
    assert_true(verification_outcome_action(VERIFICATION_OUTCOME_VERIFIED, &a));
    assert_false(verification_next_state(VERIFICATION_CASE_VISIT_PENDING, a, NULL));
    assert_true(verification_outcome_action(VERIFICATION_OUTCOME_SUSPENDED, &a));
    assert_false(verification_next_state(VERIFICATION_CASE_VISITED, a, NULL));
}

static void identity_keys_are_one_per_taxpayer_and_person(void **state)
{
    (void)state;
    const struct {
        const char *in;
        bool npwp, ok;
        const char *key;
    } cases[] = {
        {"012345678901234", true, true, "0012345678901234"}, /* 15 digits: "0" + 15 */
        {"0012345678901234", true, true, "0012345678901234"}, /* the same taxpayer */
        {"01.234.567.8-901.234", true, true, "0012345678901234"},
        {"1234567890123456", true, true, "1234567890123456"},
        {"01234567890123", true, false, ""},   /* 14 */
        {"12345678901234567", true, false, ""}, /* 17 */
        {"01234567890123x", true, false, ""},
        {"1671010101010001", false, true, "1671010101010001"},
        {"167101010101000", false, false, ""}, /* a NIK has 16, never 15 */
        {"", false, false, ""},
        {NULL, true, false, ""},
    };
    for (size_t i = 0; i < N(cases); i++) {
        char key[17] = "junk";
        assert_int_equal(verification_identity_key(cases[i].in, cases[i].npwp, key), cases[i].ok);
        assert_string_equal(key, cases[i].key);
    }
}

static void bank_accounts_are_the_same_by_names_and_digits(void **state)
{
    (void)state;
    const verification_bank base = {"Bank Sumsel Babel", "1234567890", "PT Kabar"};
    const struct {
        verification_bank other;
        bool same;
    } cases[] = {
        {{"Bank Sumsel Babel", "1234567890", "PT Kabar"}, true},
        {{"Bank Sumsel Babel", "12-3456/7890 ", "PT Kabar"}, true},
        {{"Bank Sumsel Babel", "1234567891", "PT Kabar"}, false},
        {{"Bank Sumsel Babel", "123456789", "PT Kabar"}, false},
        {{"Bank Sumsel Babel", "12345678901", "PT Kabar"}, false},
        {{"Bank BRI", "1234567890", "PT Kabar"}, false},
        {{"Bank Sumsel Babel", "1234567890", "Orang Lain"}, false},
        {{NULL, NULL, NULL}, false},
    };
    for (size_t i = 0; i < N(cases); i++) {
        assert_int_equal(verification_bank_same(&base, &cases[i].other), cases[i].same);
        assert_int_equal(verification_bank_same(&cases[i].other, &base), cases[i].same);
    }
    const verification_bank none = {NULL, NULL, NULL}, empty = {"", "", ""};
    assert_true(verification_bank_same(&none, &empty));
}

/* ---- GPS ---- */

static void gps_ranges_and_the_null_island(void **state)
{
    (void)state;
    const struct {
        double lat, lon;
        bool ok;
    } cases[] = {
        {-3.35, 105.83, true}, /* Kayuagung, OKI */
        {90.0, 180.0, true},   /* ends included */
        {-90.0, -180.0, true},   {90.0001, 0.5, false},
        {-90.0001, 0.5, false},  {0.5, 180.0001, false},
        {0.5, -180.0001, false}, {0.0, 0.0, false}, /* no fix */
        {-0.0, 0.0, false},      {0.0, -0.0, false},
        {0.0, 1e-9, true}, /* on the equator, not (0, 0) */
        {1e-9, 0.0, true},       {NAN, 100.0, false},
        {-3.0, NAN, false},      {INFINITY, 0.5, false},
        {0.5, -INFINITY, false},
    };
    for (size_t i = 0; i < N(cases); i++)
        assert_int_equal(verification_gps_valid(cases[i].lat, cases[i].lon), cases[i].ok);
}

static void gps_inside_the_indonesia_box(void **state)
{
    (void)state;
    const struct {
        double lat, lon;
        bool ok;
    } cases[] = {
        {-3.35, 105.83, true}, /* Kayuagung */
        {-6.2, 106.8, true},   /* Jakarta */
        {-2.5, 140.7, true},   /* Jayapura */
        {-11.5, 94.5, true},   /* corners included */
        {6.5, 141.5, true},     {-11.5, 141.5, true},   {6.5, 94.5, true},
        {-11.51, 110.0, false}, {6.51, 110.0, false},   {-2.0, 94.49, false},
        {-2.0, 141.51, false},  {3.35, -105.83, false}, /* signs flipped */
        {105.83, -3.35, false},                         /* swapped: not even a valid latitude */
        {1.35, 103.8, true},                            /* Singapore: a box, not the border */
        {0.0, 0.0, false},      {NAN, 110.0, false},
    };
    for (size_t i = 0; i < N(cases); i++)
        assert_int_equal(verification_gps_in_indonesia(cases[i].lat, cases[i].lon), cases[i].ok);
}

/* ---- announcement and objection ---- */

static const verification_objection_window WINDOW = {T_2027_06_01, T_2027_06_15, false};

static void objection_once_inside_the_window(void **state)
{
    (void)state;
    const int64_t a = T_2027_06_01, u = T_2027_06_15;
    const struct {
        int64_t now;
        bool already, ok;
    } cases[] = {
        {a - 1, false, false},                              /* before the announcement */
        {a, false, true},                                   /* opens at announced_at */
        {a + 86400, false, true}, {u - 1, false, true},     /* last second */
        {u, false, false},                                  /* closes at objection_until */
        {u + 1, false, false},    {a + 86400, true, false}, /* once per company */
        {u - 1, true, false},
    };
    for (size_t i = 0; i < N(cases); i++)
        assert_int_equal(verification_objection_allowed(&WINDOW, cases[i].now, cases[i].already),
                         cases[i].ok);

    verification_objection_window final = WINDOW;
    final.finalized = true;
    assert_false(verification_objection_allowed(&final, a + 86400, false));
    assert_false(verification_objection_allowed(NULL, a + 86400, false));
    /* An empty window (until == announced) admits nobody. */
    const verification_objection_window empty = {a, a, false};
    assert_false(verification_objection_allowed(&empty, a, false));
}

static void finalize_after_the_window_with_every_objection_answered(void **state)
{
    (void)state;
    const int64_t a = T_2027_06_01, u = T_2027_06_15;
    const struct {
        int64_t now;
        size_t open;
        bool ok;
    } cases[] = {
        {u - 1, 0, false},                    /* window still open */
        {u, 0, true},                         /* closes at objection_until */
        {u + 86400, 0, true},  {u, 1, false}, /* an unanswered objection */
        {u + 86400, 3, false}, {a, 0, false},
    };
    for (size_t i = 0; i < N(cases); i++)
        assert_int_equal(verification_can_finalize(&WINDOW, cases[i].now, cases[i].open),
                         cases[i].ok);

    verification_objection_window final = WINDOW;
    final.finalized = true;
    assert_false(verification_can_finalize(&final, u + 86400, 0)); /* only once */
    assert_false(verification_can_finalize(NULL, u + 86400, 0));
    /* Never before the announcement, even if "until" is earlier. */
    const verification_objection_window odd = {a, a - 10, false};
    assert_false(verification_can_finalize(&odd, a - 5, 0));
    assert_true(verification_can_finalize(&odd, a, 0));
}

static void objection_and_finalizing_never_overlap(void **state)
{
    (void)state;
    const int64_t a = T_2027_06_01, u = T_2027_06_15;
    const int64_t at[] = {a - 1, a, a + 1, u - 1, u, u + 1};
    for (size_t i = 0; i < N(at); i++)
        assert_false(verification_objection_allowed(&WINDOW, at[i], false) &&
                     verification_can_finalize(&WINDOW, at[i], 0));
}

/* ---- dates, times, formats ---- */

static void dates_round_trip_and_refuse_impossible_days(void **state)
{
    (void)state;
    int32_t d = 0;
    assert_int_equal(verification_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(verification_days_from_civil(2027, 12, 31), 21183);
    assert_true(verification_date_parse("2028-02-29", &d)); /* leap year */
    char out[11];
    verification_date_format(d, out);
    assert_string_equal(out, "2028-02-29");
    verification_date_format(d + 1, out);
    assert_string_equal(out, "2028-03-01");
    assert_false(verification_date_parse("2027-02-29", &d));
    assert_false(verification_date_parse("2100-02-29", &d)); /* not a leap year */
    assert_true(verification_date_parse("2000-02-29", &d));  /* but 2000 is */
    assert_false(verification_date_parse("2027-13-01", &d));
    assert_false(verification_date_parse("2027-1-01", &d));
    assert_false(verification_date_parse("2027-01-01T00:00:00Z", &d));
    assert_false(verification_date_parse("", &d));
    assert_false(verification_date_parse(NULL, &d));
}

static void rfc3339_times_with_offsets(void **state)
{
    (void)state;
    int64_t t = 0, u = 0;
    assert_true(verification_time_parse("1970-01-01T00:00:00Z", &t));
    assert_int_equal(t, 0);
    assert_true(verification_time_parse("2027-06-15T10:00:00Z", &t));
    assert_true(verification_time_parse("2027-06-15T17:00:00+07:00", &u)); /* WIB */
    assert_int_equal(t, u);
    assert_true(verification_time_parse("2027-06-15T10:00:00.123456z", &u));
    assert_int_equal(t, u); /* fractions are dropped */
    assert_true(verification_time_parse("2027-06-15T05:30:00-04:30", &u));
    assert_int_equal(t, u);
    assert_false(verification_time_parse("2027-06-15 10:00:00Z", &t));
    assert_false(verification_time_parse("2027-06-15T10:00:00", &t)); /* no zone */
    assert_false(verification_time_parse("2027-06-15T24:00:00Z", &t));
    assert_false(verification_time_parse("2027-06-15T23:59:60Z", &t));
    assert_false(verification_time_parse("2027-06-15T10:00:00.Z", &t));
    assert_false(verification_time_parse("2027-06-15T10:00:00+0700", &t));
    assert_false(verification_time_parse(NULL, &t));
}

static void digit_counts_allow_typed_separators_only(void **state)
{
    (void)state;
    assert_int_equal(verification_digit_count("012345678901234"), 15);
    assert_int_equal(verification_digit_count("01.234.567.8-901.234"), 15);
    assert_int_equal(verification_digit_count("1234 5678/90"), 10);
    assert_int_equal(verification_digit_count("12a4"), -1);
    assert_int_equal(verification_digit_count(""), 0);
    assert_int_equal(verification_digit_count(NULL), 0);
}

static void kbli_per_outlet_type(void **state)
{
    (void)state;
    assert_string_equal(verification_kbli_for_outlet(1), "58130");
    assert_string_equal(verification_kbli_for_outlet(2), "63122");
    assert_string_equal(verification_kbli_for_outlet(3), "60102");
    assert_string_equal(verification_kbli_for_outlet(4), "60202");
    assert_null(verification_kbli_for_outlet(0));
    assert_null(verification_kbli_for_outlet(5));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_state_action_pair_follows_the_table),
        cmocka_unit_test(golden_path_reject_fix_accept_visit_verify_then_suspend),
        cmocka_unit_test(verified_needs_accepted_documents_and_a_visit),
        cmocka_unit_test(next_state_may_be_asked_without_a_result_and_refuses_unknown_values),
        cmocka_unit_test(state_names),
        cmocka_unit_test(all_present_and_accepted_is_complete),
        cmocka_unit_test(missing_required_documents_block),
        cmocka_unit_test(a_missing_slot_beside_a_real_document_is_present),
        cmocka_unit_test(expiry_edges),
        cmocka_unit_test(warn_days_zero_and_negative),
        cmocka_unit_test(rejected_documents_block_until_resubmitted),
        cmocka_unit_test(findings_beyond_cap_are_counted_not_written),
        cmocka_unit_test(auto_check_refuses_bad_arguments),
        cmocka_unit_test(expiring_soon_is_the_closed_window_today_to_today_plus_n),
        cmocka_unit_test(four_eyes_refuses_the_registrant_and_empty_ids),
        cmocka_unit_test(work_on_a_case_is_refused_to_the_registrant_only),
        cmocka_unit_test(nobody_judges_a_document_version_they_uploaded),
        cmocka_unit_test(proposal_and_approval_need_two_people_outside_the_file),
        cmocka_unit_test(whoever_took_part_does_not_answer_the_objection),
        cmocka_unit_test(four_eyes_rules_have_stable_codes),
        cmocka_unit_test(outcomes_map_onto_the_state_machine),
        cmocka_unit_test(identity_keys_are_one_per_taxpayer_and_person),
        cmocka_unit_test(bank_accounts_are_the_same_by_names_and_digits),
        cmocka_unit_test(gps_ranges_and_the_null_island),
        cmocka_unit_test(gps_inside_the_indonesia_box),
        cmocka_unit_test(objection_once_inside_the_window),
        cmocka_unit_test(finalize_after_the_window_with_every_objection_answered),
        cmocka_unit_test(objection_and_finalizing_never_overlap),
        cmocka_unit_test(dates_round_trip_and_refuse_impossible_days),
        cmocka_unit_test(rfc3339_times_with_offsets),
        cmocka_unit_test(digit_counts_allow_typed_separators_only),
        cmocka_unit_test(kbli_per_outlet_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
