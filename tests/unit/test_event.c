/* test_event.c - sk_event_frame / sk_event_parse: the PUB frame
 * "topic NUL packed Event", and the checks a subscriber makes on it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_outbox.h"

static const char TYPE[] = "registry.company.registered";

/* An event with every field set. */
static void make_event(Seklik__Bus__Event *ev, Seklik__Bus__Actor *actor, char **roles)
{
    seklik__bus__actor__init(actor);
    actor->user_id = "0190f5a2-7c1e-7000-8000-000000000001";
    roles[0] = "admin";
    actor->roles = roles;
    actor->n_roles = 1;

    seklik__bus__event__init(ev);
    ev->id = "0190f5a2-7c1e-7abc-8def-0123456789ab";
    ev->type = (char *)TYPE;
    ev->source = "registry";
    ev->seq = 4242;
    ev->occurred_unix_us = 1767225600123456;
    ev->correlation_id = "req-7";
    ev->actor = actor;
    ev->body.data = (uint8_t *)"\x0a\x02id";
    ev->body.len = 4;
}

/* `topic`, NUL, then the packed `ev`, malloc'ed. */
static uint8_t *frame_by_hand(const char *topic, const Seklik__Bus__Event *ev, size_t *len)
{
    size_t t = strlen(topic), n = seklik__bus__event__get_packed_size(ev);
    uint8_t *f = malloc(t + 1 + n);
    assert_non_null(f);
    memcpy(f, topic, t + 1);
    seklik__bus__event__pack(ev, f + t + 1);
    *len = t + 1 + n;
    return f;
}

static void frame_round_trips(void **state)
{
    (void)state;
    Seklik__Bus__Event ev;
    Seklik__Bus__Actor actor;
    char *roles[1];
    make_event(&ev, &actor, roles);

    uint8_t *frame = NULL;
    size_t len = 0;
    assert_int_equal(sk_event_frame(&ev, &frame, &len), SK_OK);
    /* The topic is the type and comes first, so SUB prefix filters work. */
    assert_true(len > sizeof(TYPE));
    assert_memory_equal(frame, TYPE, sizeof(TYPE)); /* including the NUL */
    assert_int_equal(len, sizeof(TYPE) + seklik__bus__event__get_packed_size(&ev));

    Seklik__Bus__Event *got = NULL;
    assert_int_equal(sk_event_parse(frame, len, &got), SK_OK);
    free(frame);
    assert_non_null(got);
    assert_string_equal(got->id, ev.id);
    assert_string_equal(got->type, TYPE);
    assert_string_equal(got->source, "registry");
    assert_int_equal(got->seq, 4242);
    assert_int_equal(got->occurred_unix_us, 1767225600123456);
    assert_string_equal(got->correlation_id, "req-7");
    assert_non_null(got->actor);
    assert_string_equal(got->actor->user_id, actor.user_id);
    assert_int_equal(got->actor->n_roles, 1);
    assert_string_equal(got->actor->roles[0], "admin");
    assert_int_equal(got->body.len, 4);
    assert_memory_equal(got->body.data, "\x0a\x02id", 4);
    seklik__bus__event__free_unpacked(got, NULL);
}

static void hand_made_frame_parses(void **state)
{
    /* The format is the documented one, not whatever sk_event_frame writes. */
    (void)state;
    Seklik__Bus__Event ev;
    Seklik__Bus__Actor actor;
    char *roles[1];
    make_event(&ev, &actor, roles);
    size_t len;
    uint8_t *frame = frame_by_hand(TYPE, &ev, &len);
    Seklik__Bus__Event *got = NULL;
    assert_int_equal(sk_event_parse(frame, len, &got), SK_OK);
    free(frame);
    assert_int_equal(got->seq, 4242);
    seklik__bus__event__free_unpacked(got, NULL);
}

static void frame_without_nul_is_invalid(void **state)
{
    (void)state;
    Seklik__Bus__Event *got = NULL;
    assert_int_equal(sk_event_parse((const uint8_t *)TYPE, strlen(TYPE), &got), SK_EINVAL);
    assert_null(got);
    uint8_t empty[1] = {0};
    assert_int_equal(sk_event_parse(empty, 0, &got), SK_EINVAL);
    assert_null(got);
}

static void topic_other_than_type_is_invalid(void **state)
{
    (void)state;
    Seklik__Bus__Event ev;
    Seklik__Bus__Actor actor;
    char *roles[1];
    make_event(&ev, &actor, roles);
    /* Same length, last letter differs; a prefix; longer; and empty. */
    const char *topics[] = {"registry.company.registereD", "registry.company",
                            "registry.company.registered.x", ""};
    for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++) {
        size_t len;
        uint8_t *frame = frame_by_hand(topics[i], &ev, &len);
        Seklik__Bus__Event *got = NULL;
        int rc = sk_event_parse(frame, len, &got);
        free(frame);
        if (rc != SK_EINVAL)
            fail_msg("topic \"%s\" accepted for type \"%s\"", topics[i], TYPE);
        assert_null(got);
    }
}

static void garbage_after_nul_is_invalid(void **state)
{
    (void)state;
    uint8_t frame[sizeof(TYPE) + 12];
    memcpy(frame, TYPE, sizeof(TYPE));
    memset(frame + sizeof(TYPE), 0xff, 12); /* a varint that never ends */
    Seklik__Bus__Event *got = NULL;
    assert_int_equal(sk_event_parse(frame, sizeof(frame), &got), SK_EINVAL);
    assert_null(got);

    /* Field 2 (type) as a string claiming 100 bytes, with 3 present. */
    static const uint8_t truncated[] = {'a', 0, 0x12, 100, 'a', 'b', 'c'};
    assert_int_equal(sk_event_parse(truncated, sizeof(truncated), &got), SK_EINVAL);
    assert_null(got);
}

static void good_frame_with_trailing_byte_is_invalid(void **state)
{
    (void)state;
    Seklik__Bus__Event ev;
    Seklik__Bus__Actor actor;
    char *roles[1];
    make_event(&ev, &actor, roles);
    uint8_t *frame = NULL;
    size_t len = 0;
    assert_int_equal(sk_event_frame(&ev, &frame, &len), SK_OK);
    uint8_t *longer = malloc(len + 1);
    assert_non_null(longer);
    memcpy(longer, frame, len);
    longer[len] = 0xff; /* the start of a tag that is not there */
    free(frame);
    Seklik__Bus__Event *got = NULL;
    int rc = sk_event_parse(longer, len + 1, &got);
    free(longer);
    assert_int_equal(rc, SK_EINVAL);
    assert_null(got);
}

static void topic_only_is_invalid(void **state)
{
    /* "type NUL" and no Event: the empty Event's type is "", not the topic. */
    (void)state;
    Seklik__Bus__Event *got = NULL;
    assert_int_equal(sk_event_parse((const uint8_t *)TYPE, sizeof(TYPE), &got), SK_EINVAL);
    assert_null(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(frame_round_trips),
        cmocka_unit_test(hand_made_frame_parses),
        cmocka_unit_test(frame_without_nul_is_invalid),
        cmocka_unit_test(topic_other_than_type_is_invalid),
        cmocka_unit_test(garbage_after_nul_is_invalid),
        cmocka_unit_test(good_frame_with_trailing_byte_is_invalid),
        cmocka_unit_test(topic_only_is_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
