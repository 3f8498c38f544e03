/* test_seen.c - sk_seen: a request id is admitted once until its deadline,
 * the deadline is required and bounded, and memory is given back as
 * deadlines pass. Time is passed in: no test sleeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>

#include "sk_err.h"
#include "sk_seen.h"

#define NOW     1767225600000LL /* 2026-01-01, in Unix ms */
#define HORIZON 125000

static int setup(void **state)
{
    sk_seen *s = NULL;
    if (sk_seen_new(HORIZON, 1000, &s) != SK_OK)
        return -1;
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    sk_seen_free(*state);
    return 0;
}

static void second_arrival_of_an_id_is_a_replay(void **state)
{
    sk_seen *s = *state;
    assert_int_equal(sk_seen_admit(s, "req-1", NOW + 10000, NOW), SK_OK);
    assert_int_equal(sk_seen_admit(s, "req-1", NOW + 10000, NOW + 1), SK_EAUTH);
    assert_int_equal(sk_seen_admit(s, "req-1", NOW + 10000, NOW + 9999), SK_EAUTH);
    /* Another id, even one a prefix away, is another request. */
    assert_int_equal(sk_seen_admit(s, "req-12", NOW + 10000, NOW), SK_OK);
    assert_int_equal(sk_seen_admit(s, "req-", NOW + 10000, NOW), SK_OK);
    assert_int_equal(sk_seen_count(s), 3);
}

static void deadline_is_required_and_bounded(void **state)
{
    sk_seen *s = *state;
    assert_int_equal(sk_seen_admit(s, "none", 0, NOW), SK_EINVAL);
    assert_int_equal(sk_seen_admit(s, "negative", -5, NOW), SK_EINVAL);
    assert_int_equal(sk_seen_admit(s, "far", NOW + HORIZON + 1, NOW), SK_EINVAL);
    assert_int_equal(sk_seen_admit(s, "edge", NOW + HORIZON, NOW), SK_OK);
    assert_int_equal(sk_seen_admit(s, "now", NOW, NOW), SK_OK);
    assert_int_equal(sk_seen_count(s), 2);
}

static void passed_deadline_is_refused(void **state)
{
    sk_seen *s = *state;
    assert_int_equal(sk_seen_admit(s, "late", NOW - 1, NOW), SK_ETIMEDOUT);
    assert_int_equal(sk_seen_admit(s, "late", NOW - 100000, NOW), SK_ETIMEDOUT);
    assert_int_equal(sk_seen_count(s), 0);
}

/* The id is forgotten only once its deadline is over; from then on, the same
 * request is refused as late, never admitted again. */
static void forgotten_ids_stay_refused_as_late(void **state)
{
    sk_seen *s = *state;
    assert_int_equal(sk_seen_admit(s, "r", NOW + 10000, NOW), SK_OK);
    assert_int_equal(sk_seen_admit(s, "r", NOW + 10000, NOW + 10000), SK_EAUTH);
    assert_int_equal(sk_seen_admit(s, "other", NOW + 20000, NOW + 12000), SK_OK);
    assert_int_equal(sk_seen_count(s), 1); /* "r" was dropped when its second passed */
    assert_int_equal(sk_seen_admit(s, "r", NOW + 10000, NOW + 12000), SK_ETIMEDOUT);
}

/* A wall clock stepped back must not bring a forgotten id back to life. */
static void clock_stepping_back_does_not_reopen_a_forgotten_id(void **state)
{
    sk_seen *s = *state;
    assert_int_equal(sk_seen_admit(s, "r", NOW + 5000, NOW), SK_OK);
    assert_int_equal(sk_seen_admit(s, "x", NOW + 70000, NOW + 60000), SK_OK); /* "r" forgotten */
    assert_int_equal(sk_seen_admit(s, "r", NOW + 5000, NOW + 1000), SK_ETIMEDOUT);
    /* Ids whose deadline is still ahead of the newest time are kept. */
    assert_int_equal(sk_seen_admit(s, "x", NOW + 70000, NOW + 1000), SK_EAUTH);
}

/* Deadlines a whole ring apart land in the same bucket; the old one must
 * have been emptied, not mixed with the new one. */
static void buckets_are_reused_after_a_full_turn(void **state)
{
    sk_seen *s = *state;
    int64_t t = NOW;
    char id[32];
    for (int round = 0; round < 5; round++, t += 200000) {
        for (int i = 0; i < 50; i++) {
            snprintf(id, sizeof(id), "r%d-%d", round, i);
            assert_int_equal(sk_seen_admit(s, id, t + 1000 * i, t), SK_OK);
            assert_int_equal(sk_seen_admit(s, id, t + 1000 * i, t), SK_EAUTH);
        }
        assert_int_equal(sk_seen_count(s), 50);
        /* An id of the last round, at its old deadline: late now. */
        if (round > 0) {
            snprintf(id, sizeof(id), "r%d-%d", round - 1, 49);
            assert_int_equal(sk_seen_admit(s, id, t - 200000 + 49000, t), SK_ETIMEDOUT);
        }
    }
}

static void memory_is_bounded(void **state)
{
    (void)state;
    sk_seen *s = NULL;
    assert_int_equal(sk_seen_new(HORIZON, 100, &s), SK_OK);
    char id[32];
    for (int i = 0; i < 100; i++) {
        snprintf(id, sizeof(id), "id-%d", i);
        assert_int_equal(sk_seen_admit(s, id, NOW + 1000 + i * 1000, NOW), SK_OK);
    }
    assert_int_equal(sk_seen_admit(s, "one-more", NOW + 1000, NOW), SK_EEXHAUSTED);
    /* A replay is still called one when the set is full. */
    assert_int_equal(sk_seen_admit(s, "id-5", NOW + 6000, NOW), SK_EAUTH);
    /* As deadlines pass, room comes back. */
    assert_int_equal(sk_seen_admit(s, "one-more", NOW + 20000, NOW + 11000), SK_OK);
    assert_int_equal(sk_seen_count(s), 100 - 10 + 1);
    sk_seen_free(s);
}

static void many_ids_in_one_second_grow_the_bucket(void **state)
{
    (void)state;
    sk_seen *s = NULL;
    assert_int_equal(sk_seen_new(HORIZON, 100000, &s), SK_OK);
    char id[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(id, sizeof(id), "burst-%d", i);
        assert_int_equal(sk_seen_admit(s, id, NOW + 10000, NOW), SK_OK);
    }
    for (int i = 0; i < 5000; i += 7) {
        snprintf(id, sizeof(id), "burst-%d", i);
        assert_int_equal(sk_seen_admit(s, id, NOW + 10000, NOW), SK_EAUTH);
    }
    assert_int_equal(sk_seen_count(s), 5000);
    assert_int_equal(sk_seen_admit(s, "later", NOW + 30000, NOW + 11000), SK_OK);
    assert_int_equal(sk_seen_count(s), 1);
    sk_seen_free(s);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(second_arrival_of_an_id_is_a_replay),
        T(deadline_is_required_and_bounded),
        T(passed_deadline_is_refused),
        T(forgotten_ids_stay_refused_as_late),
        T(clock_stepping_back_does_not_reopen_a_forgotten_id),
        T(buckets_are_reused_after_a_full_turn),
        cmocka_unit_test(memory_is_bounded),
        cmocka_unit_test(many_ids_in_one_second_grow_the_bucket),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
