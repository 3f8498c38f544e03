/* test_cache_seal.c - a cached value is believed only when it is the one the
 * service sealed for that very Redis key, and only until its expiry; and the
 * Redis URL is parsed without ever quoting its password. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "sk_cache.h"
#include "sk_cache_seal.h"
#include "sk_err.h"

#define NAME "seklik:gateway:session:ab"
#define EXPIRES 1700000000u
#define PAYLOAD "{\"u\":1}"
#define PLEN (sizeof(PAYLOAD) - 1)
#define SEALED_LEN (PLEN + SK_CACHE_SEAL_OVERHEAD)

static const char SECRET_HEX[] = "5345d8a1c0ffee0123456789abcdef0123456789abcdef0123456789abcdef42";

static void key_from(const char *hex, uint8_t key[SK_CACHE_KEY_LEN])
{
    uint8_t secret[64];
    size_t n = 0;
    assert_int_equal(sodium_hex2bin(secret, sizeof(secret), hex, strlen(hex), NULL, &n, NULL), 0);
    sk_cache_derive_key(secret, n, key);
}

static void seal(uint8_t out[SEALED_LEN])
{
    uint8_t key[SK_CACHE_KEY_LEN];
    key_from(SECRET_HEX, key);
    sk_cache_seal(key, NAME, EXPIRES, (const uint8_t *)PAYLOAD, PLEN, out);
}

static sk_cache_seal_status open_as(const char *name, uint64_t now, const uint8_t *v, size_t len)
{
    uint8_t key[SK_CACHE_KEY_LEN];
    key_from(SECRET_HEX, key);
    const uint8_t *p = NULL;
    size_t plen = 0;
    sk_cache_seal_status st = sk_cache_unseal(key, name, now, v, len, &p, &plen);
    if (st == SK_CACHE_SEAL_OK) {
        assert_true(p >= v && p + plen == v + len);
    } else {
        assert_null(p);
        assert_int_equal(plen, 0);
    }
    return st;
}

/* The documented layout and KDF, computed independently (Python hmac):
 * another build of SEKLIK reading this value must agree. */
static void sealed_value_matches_the_documented_format(void **state)
{
    (void)state;
    uint8_t key[SK_CACHE_KEY_LEN];
    char hex[2 * SK_CACHE_KEY_LEN + 1];
    key_from(SECRET_HEX, key);
    sodium_bin2hex(hex, sizeof(hex), key, sizeof(key));
    assert_string_equal(hex, "c52fb70e97503f048dc1c27065a6cf76fe443f02da26dada29c96d3502060d77");

    uint8_t v[SEALED_LEN];
    seal(v);
    assert_memory_equal(v, "SKC\x01", 4);
    assert_memory_equal(v + 4, "\x00\x00\x00\x00\x65\x53\xf1\x00", 8); /* 1700000000 */
    sodium_bin2hex(hex, sizeof(hex), v + 12, 32);
    assert_string_equal(hex, "6fee78a792c7a240aa85679df84e2533d323b633c248b53ae1070079c78f4741");
    assert_memory_equal(v + SK_CACHE_SEAL_OVERHEAD, PAYLOAD, PLEN);
}

static void good_value_opens_to_its_payload(void **state)
{
    (void)state;
    uint8_t v[SEALED_LEN], key[SK_CACHE_KEY_LEN];
    seal(v);
    key_from(SECRET_HEX, key);
    const uint8_t *p = NULL;
    size_t plen = 0;
    assert_int_equal(sk_cache_unseal(key, NAME, EXPIRES - 1, v, sizeof(v), &p, &plen),
                     SK_CACHE_SEAL_OK);
    assert_int_equal(plen, PLEN);
    assert_memory_equal(p, PAYLOAD, PLEN);

    /* An empty payload is a value too. */
    uint8_t e[SK_CACHE_SEAL_OVERHEAD];
    sk_cache_seal(key, NAME, EXPIRES, NULL, 0, e);
    assert_int_equal(sk_cache_unseal(key, NAME, 0, e, sizeof(e), &p, &plen), SK_CACHE_SEAL_OK);
    assert_int_equal(plen, 0);
}

/* Every single bit flipped, in every part: the header makes it unreadable,
 * anything else breaks the MAC. */
static void any_flipped_bit_is_refused(void **state)
{
    (void)state;
    static const struct {
        const char *part;
        size_t from, to;
        sk_cache_seal_status want;
    } parts[] = {
        {"header", 0, 4, SK_CACHE_SEAL_MALFORMED},
        {"expiry", 4, 12, SK_CACHE_SEAL_FORGED},
        {"mac", 12, 44, SK_CACHE_SEAL_FORGED},
        {"payload", 44, SEALED_LEN, SK_CACHE_SEAL_FORGED},
    };
    uint8_t good[SEALED_LEN];
    seal(good);
    for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++) {
        for (size_t i = parts[k].from; i < parts[k].to; i++) {
            for (int bit = 0; bit < 8; bit++) {
                uint8_t v[SEALED_LEN];
                memcpy(v, good, sizeof(v));
                v[i] ^= (uint8_t)(1u << bit);
                sk_cache_seal_status st = open_as(NAME, EXPIRES - 100, v, sizeof(v));
                if (st != parts[k].want)
                    fail_msg("%s byte %zu bit %d: %s, want %s", parts[k].part, i, bit,
                             sk_cache_seal_status_name(st),
                             sk_cache_seal_status_name(parts[k].want));
            }
        }
    }
}

/* A genuine value read under any other Redis key: another token's session,
 * another service's prefix, a prefix or extension of the name. */
static void value_under_another_key_name_is_refused(void **state)
{
    (void)state;
    static const char *const names[] = {
        "seklik:gateway:session:ac",  "seklik:gateway:session:a",
        "seklik:gateway:session:abc", "seklik:scoring:session:ab",
        "seklik:gateway:session:AB",  "",
    };
    uint8_t v[SEALED_LEN];
    seal(v);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (open_as(names[i], EXPIRES - 100, v, sizeof(v)) != SK_CACHE_SEAL_FORGED)
            fail_msg("opened under \"%s\"", names[i]);
    assert_int_equal(open_as(NAME, EXPIRES - 100, v, sizeof(v)), SK_CACHE_SEAL_OK);
}

static void value_sealed_with_another_secret_is_refused(void **state)
{
    (void)state;
    uint8_t other[SK_CACHE_KEY_LEN], v[SEALED_LEN];
    key_from("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", other);
    sk_cache_seal(other, NAME, EXPIRES, (const uint8_t *)PAYLOAD, PLEN, v);
    assert_int_equal(open_as(NAME, EXPIRES - 100, v, sizeof(v)), SK_CACHE_SEAL_FORGED);
}

static void value_is_refused_from_its_expiry_on(void **state)
{
    (void)state;
    uint8_t v[SEALED_LEN];
    seal(v);
    assert_int_equal(open_as(NAME, 0, v, sizeof(v)), SK_CACHE_SEAL_OK);
    assert_int_equal(open_as(NAME, EXPIRES - 1, v, sizeof(v)), SK_CACHE_SEAL_OK);
    assert_int_equal(open_as(NAME, EXPIRES, v, sizeof(v)), SK_CACHE_SEAL_EXPIRED);
    assert_int_equal(open_as(NAME, EXPIRES + 86400, v, sizeof(v)), SK_CACHE_SEAL_EXPIRED);
    assert_int_equal(open_as(NAME, UINT64_MAX, v, sizeof(v)), SK_CACHE_SEAL_EXPIRED);
}

/* Every shorter prefix of a good value, down to nothing. */
static void truncated_or_empty_value_is_refused(void **state)
{
    (void)state;
    uint8_t v[SEALED_LEN];
    seal(v);
    for (size_t len = 0; len < sizeof(v); len++) {
        sk_cache_seal_status want =
            len < SK_CACHE_SEAL_OVERHEAD ? SK_CACHE_SEAL_MALFORMED : SK_CACHE_SEAL_FORGED;
        if (open_as(NAME, EXPIRES - 100, v, len) != want)
            fail_msg("length %zu", len);
    }
    assert_int_equal(open_as(NAME, EXPIRES - 100, (const uint8_t *)"", 0), SK_CACHE_SEAL_MALFORMED);
}

/* What an older SEKLIK (or an attacker without the key) wrote. */
static void unsigned_values_are_refused(void **state)
{
    (void)state;
    static const char *const values[] = {
        "{\"user_id\":\"u1\",\"roles\":[\"admin\"],\"expires_unix_ms\":99999999999999}",
        "\n$0190f5a2-7c1e-7000-8000-000000000001\x10\x03\x18\xc0\x84\x3d", /* protobuf */
        "SKC\x02xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    };
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
        if (open_as(NAME, 1, (const uint8_t *)values[i], strlen(values[i])) !=
            SK_CACHE_SEAL_MALFORMED)
            fail_msg("value %zu opened", i);
}

/* ---- the URL ---- */

static void redis_urls_parse_and_never_quote_the_password(void **state)
{
    (void)state;
    static const struct {
        const char *url;
        int rc;
    } cases[] = {
        {"redis://127.0.0.1:6379/0", SK_OK},
        {"redis://cache", SK_OK},
        {"redis://cache:6380", SK_OK},
        {"redis://cache/3", SK_OK},
        {"redis://seklik:S3cret-pw@cache:6379/0", SK_OK},
        {"redis://:S3cret-pw@cache:6379", SK_OK},
        {"redis://seklik:S3cret%40pw%2F@cache:6379/0", SK_OK},
        {"redis://seklik:S3cret@pw@cache:6379/0", SK_OK}, /* the last '@' ends it */
        {"redis://[::1]:6379/0", SK_OK},
        {"unix:///run/redis/redis.sock", SK_OK},
        {"unix:///run/redis/redis.sock?db=2", SK_OK},
        {"http://cache:6379", SK_EINVAL},
        {"rediss://cache:6379", SK_EINVAL},
        {"redis://", SK_EINVAL},
        {"redis://:6379", SK_EINVAL},
        {"redis://cache:0", SK_EINVAL},
        {"redis://cache:65536", SK_EINVAL},
        {"redis://cache:63x9", SK_EINVAL},
        {"redis://cache:6379/x", SK_EINVAL},
        {"redis://cache:6379?db=1", SK_EINVAL},
        {"redis://seklik:S3cret%zzpw@cache:6379/0", SK_EINVAL},
        {"redis://seklik:S3cret%00pw@cache:6379/0", SK_EINVAL},
        {"redis://seklik:S3cret-pw@:6379/0", SK_EINVAL},
        {"redis://[::1:6379", SK_EINVAL},
        {"unix://run/redis.sock", SK_EINVAL},
        {"unix:///run/redis.sock?database=1", SK_EINVAL},
        {"unix:///run/redis.sock?db=", SK_EINVAL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char why[256] = "";
        int rc = sk_cache_check_url(cases[i].url, why, sizeof(why));
        if (rc != cases[i].rc)
            fail_msg("%s: rc %d, want %d (%s)", cases[i].url, rc, cases[i].rc, why);
        if (rc != SK_OK && (why[0] == '\0' || strstr(why, "S3cret") || strstr(why, "cache")))
            fail_msg("%s: the reason \"%s\" is empty or quotes the URL", cases[i].url, why);
    }
    char why[256];
    char long_path[200] = "unix:///";
    memset(long_path + 8, 'p', sizeof(long_path) - 9);
    long_path[sizeof(long_path) - 1] = '\0';
    assert_int_equal(sk_cache_check_url(long_path, why, sizeof(why)), SK_EINVAL);
}

static void open_refuses_a_short_secret_and_a_bad_url(void **state)
{
    (void)state;
    uint8_t secret[32] = {1};
    sk_cache *c = NULL;
    sk_cache_options o = {.url = "redis://127.0.0.1:1/0", .service = "unit", .secret = secret,
                          .secret_len = 31};
    assert_int_equal(sk_cache_open(&o, &c), SK_EINVAL);
    o.secret_len = 32;
    o.url = "http://127.0.0.1:1";
    assert_int_equal(sk_cache_open(&o, &c), SK_EINVAL);
    o.url = "redis://127.0.0.1:1/0";
    char big[600];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    o.password = big;
    assert_int_equal(sk_cache_open(&o, &c), SK_EINVAL);
    assert_null(c);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sealed_value_matches_the_documented_format),
        cmocka_unit_test(good_value_opens_to_its_payload),
        cmocka_unit_test(any_flipped_bit_is_refused),
        cmocka_unit_test(value_under_another_key_name_is_refused),
        cmocka_unit_test(value_sealed_with_another_secret_is_refused),
        cmocka_unit_test(value_is_refused_from_its_expiry_on),
        cmocka_unit_test(truncated_or_empty_value_is_refused),
        cmocka_unit_test(unsigned_values_are_refused),
        cmocka_unit_test(redis_urls_parse_and_never_quote_the_password),
        cmocka_unit_test(open_refuses_a_short_secret_and_a_bad_url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
