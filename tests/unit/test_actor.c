/* Role checks on the signed actor: staff roles act for any company, a
 * partner only for its own, and nobody else for any. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "sk_actor.h"

static const char *const staff[] = {SK_ROLE_ADMIN, SK_ROLE_VERIFIER, NULL};

static Seklik__Bus__Actor actor_with(char **roles, size_t n, char *company)
{
    Seklik__Bus__Actor a = SEKLIK__BUS__ACTOR__INIT;
    a.user_id = "u1";
    a.roles = roles;
    a.n_roles = n;
    a.company_id = company;
    return a;
}

static void roles_are_matched_exactly(void **state)
{
    (void)state;
    char *roles[] = {"verifier", "head"};
    Seklik__Bus__Actor a = actor_with(roles, 2, "");
    assert_true(sk_actor_has_role(&a, SK_ROLE_VERIFIER));
    assert_true(sk_actor_has_role(&a, SK_ROLE_HEAD));
    assert_false(sk_actor_has_role(&a, "verif"));
    assert_false(sk_actor_has_role(&a, SK_ROLE_ADMIN));
    assert_false(sk_actor_has_role(NULL, SK_ROLE_ADMIN));
    assert_true(sk_actor_has_any_role(&a, staff));
    assert_false(sk_actor_has_any_role(&a, (const char *const[]){SK_ROLE_FINANCE, NULL}));
    assert_false(sk_actor_has_any_role(&a, NULL));
}

static void staff_act_for_any_company(void **state)
{
    (void)state;
    char *roles[] = {"admin"};
    Seklik__Bus__Actor a = actor_with(roles, 1, "");
    assert_true(sk_actor_may_act_for_company(&a, "company-a", staff));
    assert_true(sk_actor_may_act_for_company(&a, "company-b", staff));
    assert_false(sk_actor_may_act_for_company(&a, "", staff)); /* no company named */
}

static void partner_acts_only_for_its_own_company(void **state)
{
    (void)state;
    char *roles[] = {"partner"};
    Seklik__Bus__Actor a = actor_with(roles, 1, "company-a");
    assert_true(sk_actor_may_act_for_company(&a, "company-a", staff));
    assert_false(sk_actor_may_act_for_company(&a, "company-b", staff));
    assert_false(sk_actor_may_act_for_company(&a, "company-a-suffix", staff));
    Seklik__Bus__Actor orphan = actor_with(roles, 1, "");
    assert_false(sk_actor_may_act_for_company(&orphan, "", staff));
    assert_false(sk_actor_may_act_for_company(&orphan, "company-a", staff));
}

static void other_roles_and_no_actor_act_for_none(void **state)
{
    (void)state;
    char *roles[] = {"finance"};
    Seklik__Bus__Actor a = actor_with(roles, 1, "company-a");
    /* A company_id without the partner role grants nothing. */
    assert_false(sk_actor_may_act_for_company(&a, "company-a", staff));
    assert_false(sk_actor_may_act_for_company(NULL, "company-a", staff));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(roles_are_matched_exactly),
        cmocka_unit_test(staff_act_for_any_company),
        cmocka_unit_test(partner_acts_only_for_its_own_company),
        cmocka_unit_test(other_roles_and_no_actor_act_for_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
