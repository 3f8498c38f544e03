/* test_id.c - sk_uuid7: RFC 9562 version 7 ids as lower-case text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <string.h>
#include <time.h>

#include "sk_arena.h"
#include "sk_defer.h"
#include "sk_id.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1; /* upper case is wrong too: the text must be lower-case */
}

/* Checks the layout xxxxxxxx-xxxx-7xxx-[89ab]xxx-xxxxxxxxxxxx. */
static void assert_uuid7_text(const char *u)
{
    assert_int_equal(strlen(u), 36);
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (u[i] != '-')
                fail_msg("%s: want '-' at %d", u, i);
        } else if (hexval(u[i]) < 0) {
            fail_msg("%s: '%c' at %d is not a lower-case hex digit", u, u[i], i);
        }
    }
    if (u[14] != '7')
        fail_msg("%s: version nibble is %c, want 7", u, u[14]);
    if (!strchr("89ab", u[19]))
        fail_msg("%s: variant nibble is %c, want 8, 9, a or b", u, u[19]);
}

/* The 48-bit millisecond timestamp in the first 12 hex digits. */
static uint64_t uuid7_ms(const char *u)
{
    uint64_t ms = 0;
    for (int i = 0; i < 13; i++)
        if (i != 8)
            ms = ms << 4 | (uint64_t)hexval(u[i]);
    return ms;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = 0, .tv_nsec = ms * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void uuid7_has_the_rfc_9562_layout(void **state)
{
    (void)state;
    /* Many ids, so the random version/variant bits have been every value. */
    for (int i = 0; i < 1000; i++) {
        char u[SK_UUID_STRLEN];
        memset(u, 'X', sizeof(u));
        sk_uuid7(u);
        assert_int_equal(u[36], '\0');
        assert_uuid7_text(u);
    }
}

static void uuid7_carries_the_current_time(void **state)
{
    (void)state;
    int64_t before = sk_now_unix_ms();
    char u[SK_UUID_STRLEN];
    sk_uuid7(u);
    int64_t after = sk_now_unix_ms();
    uint64_t ms = uuid7_ms(u);
    assert_in_range(ms, (uint64_t)before, (uint64_t)after);
    /* And the clock is a sane one: after 2024-01-01, before 2100. */
    assert_in_range(ms, 1704067200000ULL, 4102444800000ULL);
}

static void consecutive_ids_differ(void **state)
{
    (void)state;
    char a[SK_UUID_STRLEN], b[SK_UUID_STRLEN];
    for (int i = 0; i < 100; i++) {
        sk_uuid7(a);
        sk_uuid7(b);
        assert_string_not_equal(a, b);
    }
}

static void ids_made_apart_sort_by_time(void **state)
{
    (void)state;
    char prev[SK_UUID_STRLEN], next[SK_UUID_STRLEN];
    sk_uuid7(prev);
    for (int i = 0; i < 5; i++) {
        sleep_ms(3); /* 3, so a slewed wall clock still moves 2 whole ms */
        sk_uuid7(next);
        assert_true(uuid7_ms(next) >= uuid7_ms(prev) + 2);
        if (strcmp(prev, next) >= 0)
            fail_msg("%s made before %s sorts after it", prev, next);
        memcpy(prev, next, sizeof(prev));
    }
}

static void uuid_text_form_is_checked(void **state)
{
    (void)state;
    char id[SK_UUID_STRLEN];
    sk_uuid7(id);
    assert_true(sk_uuid_valid(id));
    assert_true(sk_uuid_valid("123E4567-E89B-12D3-A456-426614174000")); /* upper case, v1 */
    assert_false(sk_uuid_valid(NULL));
    assert_false(sk_uuid_valid(""));
    assert_false(sk_uuid_valid("123e4567e89b12d3a456426614174000"));      /* no dashes */
    assert_false(sk_uuid_valid("123e4567-e89b-12d3-a456-42661417400"));   /* 35 */
    assert_false(sk_uuid_valid("123e4567-e89b-12d3-a456-4266141740000")); /* 37 */
    assert_false(sk_uuid_valid("123e4567-e89b-12d3-a456_426614174000"));  /* dash moved */
    assert_false(sk_uuid_valid("123e4567-e89b-12d3-a456-42661417400g"));  /* not hex */
    assert_false(sk_uuid_valid("'; DROP TABLE x; --'-e89b-12d3-a456-4"));
}

static void arena_memory_is_zeroed_aligned_and_freed_at_once(void **state)
{
    (void)state;
    sk_arena a = SK_ARENA_INIT;
    for (int i = 1; i < 100; i++) {
        unsigned char *p = sk_arena_alloc(&a, (size_t)i);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
        for (int k = 0; k < i; k++)
            assert_int_equal(p[k], 0);
        memset(p, 0xab, (size_t)i);
    }
    assert_string_equal(sk_arena_strdup(&a, "kabar"), "kabar");
    assert_string_equal(sk_arena_strdup(&a, NULL), "");
    sk_arena_free(&a); /* ASan/LSan catch a leak or a double free here */
    assert_null(a.blocks);
    assert_non_null(sk_arena_alloc(&a, 8)); /* usable again */
    sk_arena_free(&a);
}

static void note(void *arg)
{
    char *trace = arg;
    trace[strlen(trace)] = trace[63]; /* appends the tag kept in the last byte */
}

static void deferred_work_runs_in_order_once_or_not_at_all(void **state)
{
    (void)state;
    sk_arena a = SK_ARENA_INIT;
    sk_defer *list = NULL;
    char trace[64] = {0};
    /* Each call appends one tag; the tag rides in trace[63] set before the run. */
    trace[63] = 'x';
    assert_int_equal(sk_defer_add(&list, &a, note, trace), 0);
    assert_int_equal(sk_defer_add(&list, &a, note, trace), 0);
    sk_defer_run(&list); /* commit: both ran, in order */
    assert_string_equal(trace, "xx");
    assert_null(list);
    sk_defer_run(&list); /* nothing left to run twice */
    assert_string_equal(trace, "xx");
    assert_int_equal(sk_defer_add(&list, &a, note, trace), 0);
    sk_defer_drop(&list); /* rollback: never runs */
    sk_defer_run(&list);
    assert_string_equal(trace, "xx");
    sk_arena_free(&a);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uuid7_has_the_rfc_9562_layout),
        cmocka_unit_test(uuid_text_form_is_checked),
        cmocka_unit_test(arena_memory_is_zeroed_aligned_and_freed_at_once),
        cmocka_unit_test(deferred_work_runs_in_order_once_or_not_at_all),
        cmocka_unit_test(uuid7_carries_the_current_time),
        cmocka_unit_test(consecutive_ids_differ),
        cmocka_unit_test(ids_made_apart_sort_by_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
