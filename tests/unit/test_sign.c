/* test_sign.c - sk_sign: the HMACs that bind an actor to a request and an
 * event to its publisher.
 *
 * Each test signs a well-formed request or event, then changes one thing the
 * MAC must cover and checks the callee or subscriber would refuse it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_sign.h"

typedef struct fixture {
    sk_sign_key key;
    Seklik__Bus__Request req;
    Seklik__Bus__Actor actor;
    char *roles[2];
    uint8_t body[8];
    uint8_t sig[SK_SIGN_LEN];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    f->key.len = 32;
    for (size_t i = 0; i < f->key.len; i++)
        f->key.bytes[i] = (uint8_t)(0xa0 + i);

    seklik__bus__actor__init(&f->actor);
    f->actor.user_id = "0190f5a2-7c1e-7000-8000-000000000001";
    f->roles[0] = "partner";
    f->roles[1] = "verifier";
    f->actor.roles = f->roles;
    f->actor.n_roles = 1;
    f->actor.company_id = "0190f5a2-7c1e-7000-8000-0000000000c1";
    f->actor.remote_addr = "10.0.0.7";

    seklik__bus__request__init(&f->req);
    f->req.method = "Registry.SubmitForVerification";
    f->req.request_id = "req-1";
    f->req.idempotency_key = "idem-1";
    f->req.deadline_unix_ms = 0;
    f->req.actor = &f->actor;
    memcpy(f->body,
           "\x0a\x03"
           "abc\x10\x01\x00",
           sizeof(f->body));
    f->req.body.data = f->body;
    f->req.body.len = sizeof(f->body);

    if (sk_sign_request(&f->key, &f->req, f->sig) != SK_OK) {
        free(f);
        return -1;
    }
    f->req.signature.data = f->sig;
    f->req.signature.len = SK_SIGN_LEN;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static void signed_request_verifies(void **state)
{
    fixture *f = *state;
    assert_true(sk_sign_verify(&f->key, &f->req));
}

static void signature_is_deterministic_and_ignores_its_own_field(void **state)
{
    fixture *f = *state;
    uint8_t again[SK_SIGN_LEN];
    f->req.signature.len = 0; /* signing must not depend on what is in signature */
    assert_int_equal(sk_sign_request(&f->key, &f->req, again), SK_OK);
    assert_memory_equal(again, f->sig, SK_SIGN_LEN);
}

static void signature_is_hmac_sha256_of_the_length_prefixed_fields(void **state)
{
    /* Recompute by hand with libsodium, from the layout sk_sign.h documents:
     * each field as a 4-byte big-endian length then its bytes. No actor. */
    fixture *f = *state;
    f->req.actor = NULL;
    f->req.method = "M";
    f->req.request_id = "ri";
    f->req.idempotency_key = "";
    f->req.deadline_unix_ms = 0x0102030405060708;
    f->req.body.data = (uint8_t *)"xyz";
    f->req.body.len = 3;
    static const uint8_t msg[] = {0, 0, 0, 1, 'M', 0, 0, 0, 2, 'r', 'i', /* method, request id */
                                  0, 0, 0, 0,                           /* idempotency key */
                                  0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8,   /* deadline */
                                  0, 0, 0, 0,                           /* no actor */
                                  0, 0, 0, 3, 'x', 'y', 'z'};           /* body */
    uint8_t want[crypto_auth_hmacsha256_BYTES], got[SK_SIGN_LEN];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, f->key.bytes, f->key.len);
    crypto_auth_hmacsha256_update(&st, msg, sizeof(msg));
    crypto_auth_hmacsha256_final(&st, want);
    assert_int_equal(sk_sign_request(&f->key, &f->req, got), SK_OK);
    assert_memory_equal(got, want, SK_SIGN_LEN);
}

static void extended_deadline_breaks_it(void **state)
{
    fixture *f = *state;
    f->req.deadline_unix_ms += 60000;
    assert_false(sk_sign_verify(&f->key, &f->req));
}

static void survives_the_wire(void **state)
{
    /* The callee verifies what it unpacked, with the actor packed again. */
    fixture *f = *state;
    f->actor.n_roles = 2;
    assert_int_equal(sk_sign_request(&f->key, &f->req, f->sig), SK_OK);
    size_t n = seklik__bus__request__get_packed_size(&f->req);
    uint8_t *wire = malloc(n);
    assert_non_null(wire);
    seklik__bus__request__pack(&f->req, wire);
    Seklik__Bus__Request *got = seklik__bus__request__unpack(NULL, n, wire);
    free(wire);
    assert_non_null(got);
    bool ok = sk_sign_verify(&f->key, got);
    seklik__bus__request__free_unpacked(got, NULL);
    assert_true(ok);
}

static void changed_method_is_refused(void **state)
{
    fixture *f = *state;
    f->req.method = "Registry.ApproveCompany";
    assert_false(sk_sign_verify(&f->key, &f->req));
}

static void changed_request_id_is_refused(void **state)
{
    fixture *f = *state;
    f->req.request_id = "req-2";
    assert_false(sk_sign_verify(&f->key, &f->req));
}

static void changed_idempotency_key_is_refused(void **state)
{
    fixture *f = *state;
    f->req.idempotency_key = "idem-2";
    assert_false(sk_sign_verify(&f->key, &f->req));
}

static void added_role_is_refused(void **state)
{
    fixture *f = *state;
    f->actor.n_roles = 2; /* "verifier" appended: privilege escalation */
    assert_false(sk_sign_verify(&f->key, &f->req));
}

static void changed_role_is_refused(void **state)
{
    fixture *f = *state;
    f->roles[0] = "admin";
    assert_false(sk_sign_verify(&f->key, &f->req));
}

static void changed_company_is_refused(void **state)
{
    fixture *f = *state;
    f->actor.company_id = "0190f5a2-7c1e-7000-8000-0000000000c2";
    assert_false(sk_sign_verify(&f->key, &f->req));
}

static void changed_user_is_refused(void **state)
{
    fixture *f = *state;
    f->actor.user_id = "0190f5a2-7c1e-7000-8000-000000000002";
    assert_false(sk_sign_verify(&f->key, &f->req));
}

static void dropped_actor_is_refused(void **state)
{
    fixture *f = *state;
    f->req.actor = NULL;
    assert_false(sk_sign_verify(&f->key, &f->req));
}

static void changed_body_is_refused(void **state)
{
    fixture *f = *state;
    f->body[2] ^= 0x01; /* one bit */
    assert_false(sk_sign_verify(&f->key, &f->req));
}

static void truncated_body_is_refused(void **state)
{
    fixture *f = *state;
    f->req.body.len--;
    assert_false(sk_sign_verify(&f->key, &f->req));
}

static void wrong_key_is_refused(void **state)
{
    fixture *f = *state;
    sk_sign_key other = f->key;
    other.bytes[31] ^= 0x80;
    assert_false(sk_sign_verify(&other, &f->req));

    /* Same prefix, one more byte. (Not a zero byte: HMAC pads short keys with
     * zeros, so K and K||00 are the same key by design.) */
    sk_sign_key longer = f->key;
    longer.bytes[32] = 0x01;
    longer.len = 33;
    assert_false(sk_sign_verify(&longer, &f->req));
}

static void tampered_signature_is_refused(void **state)
{
    fixture *f = *state;
    f->sig[SK_SIGN_LEN - 1] ^= 0x01;
    assert_false(sk_sign_verify(&f->key, &f->req));
}

static void missing_signature_is_refused(void **state)
{
    fixture *f = *state;
    f->req.signature.len = 0;
    f->req.signature.data = NULL;
    assert_false(sk_sign_verify(&f->key, &f->req));
}

static void short_or_long_signature_is_refused(void **state)
{
    fixture *f = *state;
    uint8_t longer[SK_SIGN_LEN + 1];
    memcpy(longer, f->sig, SK_SIGN_LEN);
    longer[SK_SIGN_LEN] = 0;
    f->req.signature.len = SK_SIGN_LEN - 1; /* a correct prefix */
    assert_false(sk_sign_verify(&f->key, &f->req));
    f->req.signature.data = longer; /* correct, with a byte more */
    f->req.signature.len = SK_SIGN_LEN + 1;
    assert_false(sk_sign_verify(&f->key, &f->req));
}

static void moving_bytes_between_fields_changes_the_mac(void **state)
{
    fixture *f = *state;
    uint8_t a[SK_SIGN_LEN], b[SK_SIGN_LEN];

    f->req.method = "ab";
    f->req.request_id = "c";
    assert_int_equal(sk_sign_request(&f->key, &f->req, a), SK_OK);
    f->req.method = "a";
    f->req.request_id = "bc";
    assert_int_equal(sk_sign_request(&f->key, &f->req, b), SK_OK);
    assert_memory_not_equal(a, b, SK_SIGN_LEN);

    /* The same across idempotency_key and the packed actor / body. */
    f->req.request_id = "r";
    f->req.idempotency_key = "k\x01";
    f->req.actor = NULL;
    f->req.body.data = (uint8_t *)"\x02z";
    f->req.body.len = 2;
    assert_int_equal(sk_sign_request(&f->key, &f->req, a), SK_OK);
    f->req.idempotency_key = "k";
    f->req.body.data = (uint8_t *)"\x01\x02z";
    f->req.body.len = 3;
    assert_int_equal(sk_sign_request(&f->key, &f->req, b), SK_OK);
    assert_memory_not_equal(a, b, SK_SIGN_LEN);
}

static void large_actor_is_signed_and_verified(void **state)
{
    /* An actor packed to more than 256 bytes takes the malloc path. */
    fixture *f = *state;
    char big[600];
    memset(big, 'r', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    f->roles[0] = big;
    assert_true(seklik__bus__actor__get_packed_size(&f->actor) > 256);
    assert_int_equal(sk_sign_request(&f->key, &f->req, f->sig), SK_OK);
    assert_true(sk_sign_verify(&f->key, &f->req));
    big[300] = 's';
    assert_false(sk_sign_verify(&f->key, &f->req));
}


/* ---- events ---- */

typedef struct event_fixture {
    sk_sign_key key;
    Seklik__Bus__Event ev;
    Seklik__Bus__Actor actor;
    char *roles[1];
    uint8_t body[8];
    uint8_t sig[SK_SIGN_LEN];
} event_fixture;

static int event_setup(void **state)
{
    event_fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    f->key.len = 32;
    for (size_t i = 0; i < f->key.len; i++)
        f->key.bytes[i] = (uint8_t)(0xa0 + i);
    seklik__bus__actor__init(&f->actor);
    f->actor.user_id = "0190f5a2-7c1e-7000-8000-000000000001";
    f->roles[0] = "verifier";
    f->actor.roles = f->roles;
    f->actor.n_roles = 1;
    seklik__bus__event__init(&f->ev);
    f->ev.id = "0190f5a2-7c1e-7abc-8def-0123456789ab";
    f->ev.type = "registry.company.registered";
    f->ev.source = "registry";
    f->ev.seq = 4242;
    f->ev.occurred_unix_us = 1767225600123456;
    f->ev.correlation_id = "req-7";
    f->ev.actor = &f->actor;
    memcpy(f->body, "\x0a\x06" "npwp01", sizeof(f->body));
    f->ev.body.data = f->body;
    f->ev.body.len = sizeof(f->body);
    if (sk_sign_event(&f->key, &f->ev, f->sig) != SK_OK) {
        free(f);
        return -1;
    }
    f->ev.signature.data = f->sig;
    f->ev.signature.len = SK_SIGN_LEN;
    *state = f;
    return 0;
}

static void signed_event_verifies_after_the_wire(void **state)
{
    event_fixture *f = *state;
    assert_true(sk_sign_event_verify(&f->key, &f->ev));
    size_t n = seklik__bus__event__get_packed_size(&f->ev);
    uint8_t *wire = malloc(n);
    assert_non_null(wire);
    seklik__bus__event__pack(&f->ev, wire);
    Seklik__Bus__Event *got = seklik__bus__event__unpack(NULL, n, wire);
    free(wire);
    assert_non_null(got);
    bool ok = sk_sign_event_verify(&f->key, got);
    seklik__bus__event__free_unpacked(got, NULL);
    assert_true(ok);
}

static void event_mac_is_hmac_sha256_of_the_labelled_fields(void **state)
{
    /* By hand, from the layout sk_sign.h documents. No actor. */
    event_fixture *f = *state;
    f->ev.actor = NULL;
    f->ev.id = "i";
    f->ev.type = "t";
    f->ev.source = "s";
    f->ev.seq = 0x0102030405060708;
    f->ev.occurred_unix_us = 0x1112131415161718;
    f->ev.correlation_id = "";
    f->ev.body.data = (uint8_t *)"b";
    f->ev.body.len = 1;
    static const uint8_t msg[] = {
        0, 0, 0, 18, 's', 'e', 'k', 'l', 'i', 'k', '.', 'b', 'u', 's', '.', 'E', 'v', 'e', 'n', 't',
        '/', '1',                                             /* the label */
        0, 0, 0, 1, 'i', 0, 0, 0, 1, 't', 0, 0, 0, 1, 's',   /* id, type, source */
        0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8,                  /* seq */
        0, 0, 0, 8, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, /* occurred */
        0, 0, 0, 0,                                          /* correlation id */
        0, 0, 0, 0,                                          /* no actor */
        0, 0, 0, 1, 'b'};                                    /* body */
    uint8_t want[crypto_auth_hmacsha256_BYTES], got[SK_SIGN_LEN];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, f->key.bytes, f->key.len);
    crypto_auth_hmacsha256_update(&st, msg, sizeof(msg));
    crypto_auth_hmacsha256_final(&st, want);
    assert_int_equal(sk_sign_event(&f->key, &f->ev, got), SK_OK);
    assert_memory_equal(got, want, SK_SIGN_LEN);
}

/* Every field is covered: change one, the subscriber refuses the event. */
static void any_changed_event_field_is_refused(void **state)
{
    event_fixture *f = *state;
    Seklik__Bus__Event good = f->ev;
#define REFUSED_WHEN(change, undo)                                                                 \
    do {                                                                                           \
        change;                                                                                    \
        assert_false(sk_sign_event_verify(&f->key, &f->ev));                                       \
        undo;                                                                                      \
        f->ev = good;                                                                              \
        assert_true(sk_sign_event_verify(&f->key, &f->ev));                                        \
    } while (0)
    REFUSED_WHEN(f->ev.id = "0190f5a2-7c1e-7abc-8def-0123456789ac", (void)0);
    REFUSED_WHEN(f->ev.type = "registry.company.approved", (void)0);
    REFUSED_WHEN(f->ev.source = "verification", (void)0);
    REFUSED_WHEN(f->ev.seq = 4243, (void)0);
    REFUSED_WHEN(f->ev.seq = 4242 + (1ull << 32), (void)0);
    REFUSED_WHEN(f->ev.occurred_unix_us += 1, (void)0);
    REFUSED_WHEN(f->ev.correlation_id = "req-8", (void)0);
    REFUSED_WHEN(f->ev.actor = NULL, (void)0);
    REFUSED_WHEN(f->roles[0] = "admin", f->roles[0] = "verifier");
    REFUSED_WHEN(f->body[7] ^= 0x01, f->body[7] ^= 0x01);
    REFUSED_WHEN(f->ev.body.len--, (void)0);
    REFUSED_WHEN(f->sig[0] ^= 0x80, f->sig[0] ^= 0x80);
    REFUSED_WHEN((f->ev.signature.len = 0, f->ev.signature.data = NULL), (void)0);
    REFUSED_WHEN(f->ev.signature.len = SK_SIGN_LEN - 1, (void)0);
#undef REFUSED_WHEN
    sk_sign_key other = f->key;
    other.bytes[0] ^= 0x01;
    assert_false(sk_sign_event_verify(&other, &f->ev));
}

/* A request's MAC never passes as an event's, even when the event's fields
 * carry the request's values one for one. */
static void request_mac_is_not_an_event_mac(void **state)
{
    event_fixture *f = *state;
    Seklik__Bus__Request req = SEKLIK__BUS__REQUEST__INIT;
    req.method = f->ev.type;
    req.request_id = f->ev.id;
    req.idempotency_key = f->ev.source;
    req.deadline_unix_ms = (int64_t)f->ev.seq;
    req.actor = f->ev.actor;
    req.body = f->ev.body;
    uint8_t mac[SK_SIGN_LEN];
    assert_int_equal(sk_sign_request(&f->key, &req, mac), SK_OK);
    f->ev.signature.data = mac;
    assert_false(sk_sign_event_verify(&f->key, &f->ev));
    /* Nor the other way round. */
    req.signature.data = f->sig;
    req.signature.len = SK_SIGN_LEN;
    assert_false(sk_sign_verify(&f->key, &req));
    /* With the fields an event has beyond a request left empty, too. */
    f->ev.occurred_unix_us = 0;
    f->ev.correlation_id = "";
    assert_false(sk_sign_event_verify(&f->key, &f->ev));
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(signed_request_verifies),
        T(signature_is_deterministic_and_ignores_its_own_field),
        T(signature_is_hmac_sha256_of_the_length_prefixed_fields),
        T(extended_deadline_breaks_it),
        T(survives_the_wire),
        T(changed_method_is_refused),
        T(changed_request_id_is_refused),
        T(changed_idempotency_key_is_refused),
        T(added_role_is_refused),
        T(changed_role_is_refused),
        T(changed_company_is_refused),
        T(changed_user_is_refused),
        T(dropped_actor_is_refused),
        T(changed_body_is_refused),
        T(truncated_body_is_refused),
        T(wrong_key_is_refused),
        T(tampered_signature_is_refused),
        T(missing_signature_is_refused),
        T(short_or_long_signature_is_refused),
        T(moving_bytes_between_fields_changes_the_mac),
        T(large_actor_is_signed_and_verified),
#define E(name) cmocka_unit_test_setup_teardown(name, event_setup, teardown)
        E(signed_event_verifies_after_the_wire),
        E(event_mac_is_hmac_sha256_of_the_labelled_fields),
        E(any_changed_event_field_is_refused),
        E(request_mac_is_not_an_event_mac),
#undef E
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
