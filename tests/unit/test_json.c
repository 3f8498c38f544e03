/* test_json.c - sk_json_to_pb / sk_pb_to_json: the proto3 JSON mapping over
 * real SEKLIK messages, round trips, and every error naming its field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "seklik/bus.pb-c.h"
#include "seklik/registry.pb-c.h"
#include "seklik/verification.pb-c.h"
#include "sk_err.h"
#include "sk_json.h"

#include <cjson/cJSON.h>

#define REGISTER (&seklik__registry__register_request__descriptor)
#define EVENT    (&seklik__bus__event__descriptor)
#define VISIT    (&seklik__verification__visit__descriptor)

static ProtobufCMessage *parse_ok(const ProtobufCMessageDescriptor *desc, const char *json)
{
    ProtobufCMessage *m = NULL;
    sk_json_error err;
    int rc = sk_json_to_pb(desc, json, strlen(json), &m, &err);
    if (rc != SK_OK)
        fail_msg("%s: %s: %s", json, err.field, err.message);
    assert_non_null(m);
    return m;
}

static char *print_ok(const ProtobufCMessage *m)
{
    char *json = NULL;
    assert_int_equal(sk_pb_to_json(m, &json), SK_OK);
    assert_non_null(json);
    return json;
}

/* Parsing `json` fails with SK_EINVAL and names `field`. */
static void expect_error(const ProtobufCMessageDescriptor *desc, const char *json, size_t len,
                         const char *field)
{
    ProtobufCMessage *m = (ProtobufCMessage *)1;
    sk_json_error err;
    assert_int_equal(sk_json_to_pb(desc, json, len, &m, &err), SK_EINVAL);
    assert_null(m);
    assert_string_equal(err.field, field);
    assert_true(err.message[0] != '\0');
}

static void expect_error_str(const ProtobufCMessageDescriptor *desc, const char *json,
                             const char *field)
{
    expect_error(desc, json, strlen(json), field);
}

static const char REGISTER_JSON[] =
    "{\"company\":{\"legalName\":\"PT Kabar Nusantara\",\"legalForm\":\"LEGAL_FORM_PT\","
    "\"nib\":\"1234567890123\",\"kbli\":[\"58130\",\"63122\"],\"npwp\":\"0123456789012345\","
    "\"pkp\":true,\"bankAccount\":{\"bankName\":\"BRI\",\"accountNumber\":\"0011\"},"
    "\"contacts\":[{\"name\":\"Sari\",\"email\":\"sari@kabar.id\"}],"
    "\"dewanPersStatus\":\"DEWAN_PERS_FAKTUAL\"},"
    "\"outlets\":[{\"type\":\"OUTLET_TYPE_CETAK\",\"scale\":\"OUTLET_SCALE_LOKAL\","
    "\"name\":\"Kabar Pagi\",\"circulation\":\"15000\"},"
    "{\"type\":\"OUTLET_TYPE_SIBER\",\"name\":\"kabar.id\",\"url\":\"https://kabar.id\","
    "\"monthlyVisitors\":\"9007199254740993\"}],"
    "\"people\":[{\"role\":\"PERSON_ROLE_CHIEF_EDITOR\",\"nik\":\"3171234567890001\","
    "\"name\":\"Budi Śantoso\",\"ukwLevel\":\"UKW_LEVEL_UTAMA\"}]}";

static void register_request_round_trips(void **state)
{
    (void)state;
    const char *json = REGISTER_JSON;
    Seklik__Registry__RegisterRequest *r = (void *)parse_ok(REGISTER, json);
    assert_non_null(r->company);
    assert_string_equal(r->company->legal_name, "PT Kabar Nusantara");
    assert_int_equal(r->company->legal_form, SEKLIK__REGISTRY__LEGAL_FORM__LEGAL_FORM_PT);
    assert_int_equal(r->company->n_kbli, 2);
    assert_string_equal(r->company->kbli[1], "63122");
    assert_true(r->company->pkp);
    assert_string_equal(r->company->bank_account->bank_name, "BRI");
    assert_int_equal(r->company->n_contacts, 1);
    assert_string_equal(r->company->contacts[0]->email, "sari@kabar.id");
    assert_int_equal(r->company->dewan_pers_status,
                     SEKLIK__REGISTRY__DEWAN_PERS_STATUS__DEWAN_PERS_FAKTUAL);
    assert_int_equal(r->n_outlets, 2);
    assert_int_equal(r->outlets[0]->type, SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_CETAK);
    assert_int_equal(r->outlets[0]->circulation, 15000);
    assert_int_equal(r->outlets[1]->type, SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_SIBER);
    assert_true(r->outlets[1]->monthly_visitors == INT64_C(9007199254740993));
    assert_int_equal(r->n_people, 1);
    assert_string_equal(r->people[0]->name, "Budi Śantoso");
    assert_int_equal(r->people[0]->ukw_level, SEKLIK__REGISTRY__UKW_LEVEL__UKW_LEVEL_UTAMA);

    /* Out and back in: the same message, byte for byte, and the same JSON. */
    char *out = print_ok(&r->base);
    assert_string_equal(out, json);
    Seklik__Registry__RegisterRequest *again = (void *)parse_ok(REGISTER, out);
    size_t n1 = protobuf_c_message_get_packed_size(&r->base);
    size_t n2 = protobuf_c_message_get_packed_size(&again->base);
    assert_int_equal(n1, n2);
    uint8_t *b1 = malloc(n1 + 1), *b2 = malloc(n2 + 1);
    protobuf_c_message_pack(&r->base, b1);
    protobuf_c_message_pack(&again->base, b2);
    assert_memory_equal(b1, b2, n1);
    free(b1);
    free(b2);
    free(out);
    protobuf_c_message_free_unpacked(&again->base, NULL);
    protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void event_int64_and_bytes_round_trip(void **state)
{
    (void)state;
    uint8_t body[] = {0x00, 0xff, 0xfe, 0x10, 0x80, 0x7f, 0x3e};
    Seklik__Bus__Event ev = SEKLIK__BUS__EVENT__INIT;
    Seklik__Bus__Actor actor = SEKLIK__BUS__ACTOR__INIT;
    char *roles[] = {"admin", "verifier"};
    actor.user_id = "u1";
    actor.roles = roles;
    actor.n_roles = 2;
    ev.id = "0190f5a2-7c1e-7abc-8def-0123456789ab";
    ev.type = "registry.company.registered";
    ev.seq = UINT64_C(18446744073709551615);
    ev.occurred_unix_us = INT64_C(-1732245000123456);
    ev.actor = &actor;
    ev.body.data = body;
    ev.body.len = sizeof body;

    char *json = print_ok(&ev.base);
    assert_non_null(strstr(json, "\"seq\":\"18446744073709551615\""));
    assert_non_null(strstr(json, "\"occurredUnixUs\":\"-1732245000123456\""));
    assert_non_null(strstr(json, "\"body\":\"AP/+EIB/Pg==\""));
    assert_non_null(strstr(json, "\"roles\":[\"admin\",\"verifier\"]"));
    assert_null(strstr(json, "source")); /* "" is the default: omitted */

    Seklik__Bus__Event *back = (void *)parse_ok(EVENT, json);
    assert_true(back->seq == UINT64_C(18446744073709551615));
    assert_true(back->occurred_unix_us == INT64_C(-1732245000123456));
    assert_int_equal(back->body.len, sizeof body);
    assert_memory_equal(back->body.data, body, sizeof body);
    assert_string_equal(back->actor->roles[1], "verifier");
    protobuf_c_message_free_unpacked(&back->base, NULL);
    free(json);

    /* URL-safe base64 is accepted too; JSON numbers within 2^53 for 64-bit fields. */
    back = (void *)parse_ok(EVENT, "{\"body\":\"AP_-EIB_Pg==\",\"seq\":9007199254740992,"
                                   "\"occurredUnixUs\":-5}");
    assert_memory_equal(back->body.data, body, sizeof body);
    assert_true(back->seq == UINT64_C(9007199254740992));
    assert_true(back->occurred_unix_us == -5);
    protobuf_c_message_free_unpacked(&back->base, NULL);
}

static void uint64_above_2_53_is_exact(void **state)
{
    (void)state;
    Seklik__Bus__Event *ev = (void *)parse_ok(EVENT, "{\"seq\":\"9007199254740993\"}");
    assert_true(ev->seq == UINT64_C(9007199254740993));
    char *json = print_ok(&ev->base);
    assert_string_equal(json, "{\"seq\":\"9007199254740993\"}");
    free(json);
    protobuf_c_message_free_unpacked(&ev->base, NULL);
    /* As a JSON number it would lose precision: refused. */
    expect_error_str(EVENT, "{\"seq\":9007199254740994}", "seq");
}

static void snake_case_keys_accepted(void **state)
{
    (void)state;
    Seklik__Registry__RegisterRequest *r = (void *)parse_ok(
        REGISTER, "{\"company\":{\"legal_name\":\"PT A\",\"bank_account\":{\"bank_name\":\"BNI\"}},"
                  "\"outlets\":[{\"monthly_visitors\":12}]}");
    assert_string_equal(r->company->legal_name, "PT A");
    assert_string_equal(r->company->bank_account->bank_name, "BNI");
    assert_int_equal(r->outlets[0]->monthly_visitors, 12);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    /* Both spellings of one field are a duplicate. */
    expect_error_str(REGISTER, "{\"company\":{\"legal_name\":\"A\",\"legalName\":\"B\"}}",
                     "company.legalName");
}

static void defaults_are_omitted(void **state)
{
    (void)state;
    Seklik__Registry__RegisterRequest *r = (void *)parse_ok(
        REGISTER, "{\"company\":{\"legalName\":\"\",\"pkp\":false,\"kbli\":[],\"legalForm\":0,"
                  "\"bankAccount\":null,\"nib\":null},\"outlets\":null,"
                  "\"people\":[{\"role\":\"PERSON_ROLE_UNSPECIFIED\"}]}");
    char *json = print_ok(&r->base);
    assert_string_equal(json, "{\"company\":{},\"people\":[{}]}");
    free(json);
    protobuf_c_message_free_unpacked(&r->base, NULL);

    Seklik__Registry__RegisterRequest empty = SEKLIK__REGISTRY__REGISTER_REQUEST__INIT;
    json = print_ok(&empty.base);
    assert_string_equal(json, "{}");
    free(json);
}

static void enums_by_number(void **state)
{
    (void)state;
    Seklik__Registry__RegisterRequest *r =
        (void *)parse_ok(REGISTER, "{\"outlets\":[{\"type\":3},{\"type\":77}]}");
    assert_int_equal(r->outlets[0]->type, SEKLIK__REGISTRY__OUTLET_TYPE__OUTLET_TYPE_RADIO);
    char *json = print_ok(&r->base);
    /* A known number comes out by name, an unknown one as the number. */
    assert_string_equal(json, "{\"outlets\":[{\"type\":\"OUTLET_TYPE_RADIO\"},{\"type\":77}]}");
    free(json);
    protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void doubles_and_non_finite(void **state)
{
    (void)state;
    Seklik__Verification__Visit *v = (void *)parse_ok(
        VISIT, "{\"latitude\":-6.2088,\"longitude\":\"Infinity\",\"photoDocumentIds\":[\"d1\"]}");
    assert_true(v->latitude == -6.2088);
    assert_true(isinf(v->longitude) && v->longitude > 0);
    v->latitude = NAN;
    char *json = print_ok(&v->base);
    assert_string_equal(
        json, "{\"latitude\":\"NaN\",\"longitude\":\"Infinity\",\"photoDocumentIds\":[\"d1\"]}");
    free(json);
    v->latitude = 106.8456;
    v->longitude = -INFINITY;
    json = print_ok(&v->base);
    assert_string_equal(
        json, "{\"latitude\":106.8456,\"longitude\":\"-Infinity\",\"photoDocumentIds\":[\"d1\"]}");
    free(json);
    protobuf_c_message_free_unpacked(&v->base, NULL);
    expect_error_str(VISIT, "{\"latitude\":\"north\"}", "latitude");
}

static void errors_name_the_field(void **state)
{
    (void)state;
    expect_error_str(REGISTER, "{\"company\":{\"nope\":1}}", "company.nope");
    expect_error_str(REGISTER, "{\"company\":{\"pkp\":\"yes\"}}", "company.pkp");
    expect_error_str(REGISTER, "{\"company\":{\"pkp\":1}}", "company.pkp");
    expect_error_str(REGISTER, "{\"outlets\":[{\"type\":\"OUTLET_TYPE_BLOG\"}]}",
                     "outlets[0].type");
    expect_error_str(REGISTER, "{\"outlets\":[{},{\"scale\":true}]}", "outlets[1].scale");
    expect_error_str(REGISTER, "{\"company\":{\"kbli\":[\"58130\",5]}}", "company.kbli[1]");
    expect_error_str(REGISTER, "{\"company\":{\"kbli\":\"58130\"}}", "company.kbli");
    expect_error_str(REGISTER, "{\"company\":[]}", "company");
    expect_error_str(REGISTER, "{\"outlets\":[null]}", "outlets[0]");
    expect_error_str(REGISTER, "{\"outlets\":[{\"circulation\":1.5}]}", "outlets[0].circulation");
    expect_error_str(REGISTER, "{\"outlets\":[{\"circulation\":\"12x\"}]}",
                     "outlets[0].circulation");
    expect_error_str(REGISTER, "{\"outlets\":[{\"circulation\":\"9223372036854775808\"}]}",
                     "outlets[0].circulation");
    expect_error_str(REGISTER, "{\"company\":{\"contacts\":[{\"email\":1}]}}",
                     "company.contacts[0].email");
    expect_error_str(REGISTER, "[]", "");

    /* int32 out of range, as a number and as a string. */
    const ProtobufCMessageDescriptor *company = &seklik__registry__company__descriptor;
    expect_error_str(company, "{\"fiscalYear\":2147483648}", "fiscalYear");
    expect_error_str(company, "{\"fiscalYear\":\"-2147483649\"}", "fiscalYear");
    Seklik__Registry__Company *c =
        (void *)parse_ok(company, "{\"fiscalYear\":\"-2147483648\",\"version\":\"7\"}");
    assert_int_equal(c->fiscal_year, INT32_MIN);
    protobuf_c_message_free_unpacked(&c->base, NULL);
    /* uint32: no negatives. */
    expect_error_str(&seklik__bus__replay_request__descriptor, "{\"limit\":-1}", "limit");
    expect_error_str(&seklik__bus__replay_request__descriptor, "{\"limit\":4294967296}", "limit");
    expect_error_str(&seklik__bus__replay_request__descriptor, "{\"afterSeq\":\"-1\"}", "afterSeq");
}

static void bad_base64_and_utf8(void **state)
{
    (void)state;
    expect_error_str(EVENT, "{\"body\":\"not base64!\"}", "body");
    expect_error_str(EVENT, "{\"body\":\"AAAAA\"}", "body"); /* no length is 5 mod 4 */
    expect_error_str(EVENT, "{\"body\":7}", "body");
    expect_error_str(REGISTER, "{\"company\":{\"legalName\":\"PT \xc3\x28\"}}",
                     "company.legalName");
    expect_error_str(REGISTER, "{\"people\":[{\"name\":\"\xed\xa0\x80\"}]}", "people[0].name");
    expect_error_str(REGISTER, "{\"company\":{\"kbli\":[\"\xc0\xaf\"]}}", "company.kbli[0]");

    /* sk_pb_to_json refuses a string JSON cannot carry. */
    Seklik__Bus__Event ev = SEKLIK__BUS__EVENT__INIT;
    ev.type = "bad \xff";
    char *json = (char *)1;
    assert_int_equal(sk_pb_to_json(&ev.base, &json), SK_EINVAL);
    assert_null(json);
}

static void depth_is_limited(void **state)
{
    (void)state;
    /* 31 arrays inside company inside the document: depth 33. */
    char json[256] = "{\"company\":{\"kbli\":";
    size_t n = strlen(json);
    for (int i = 0; i < 31; i++)
        json[n++] = '[';
    for (int i = 0; i < 31; i++)
        json[n++] = ']';
    strcpy(json + n, "}}");
    sk_json_error err;
    ProtobufCMessage *m = NULL;
    assert_int_equal(sk_json_to_pb(REGISTER, json, strlen(json), &m, &err), SK_EINVAL);
    assert_null(m);
    assert_true(strncmp(err.field, "company.kbli[0][0]", 18) == 0);
    assert_non_null(strstr(err.message, "deeper"));

    /* 30 arrays: depth 32 is allowed by the limit, then refused by type. */
    strcpy(json, "{\"company\":{\"kbli\":");
    n = strlen(json);
    for (int i = 0; i < 30; i++)
        json[n++] = '[';
    for (int i = 0; i < 30; i++)
        json[n++] = ']';
    strcpy(json + n, "}}");
    expect_error_str(REGISTER, json, "company.kbli[0]");
}

static void invalid_json_and_trailing_garbage(void **state)
{
    (void)state;
    expect_error_str(REGISTER, "{\"company\":", "");
    expect_error_str(REGISTER, "{} x", "");
    expect_error_str(REGISTER, "{}{}", "");
    expect_error_str(REGISTER, "", "");
    expect_error(REGISTER, "{}\0", 3, "");
    /* Trailing whitespace is fine, and `len` bounds the input. */
    ProtobufCMessage *m = parse_ok(REGISTER, "{} \n\t");
    protobuf_c_message_free_unpacked(m, NULL);
    sk_json_error err;
    assert_int_equal(sk_json_to_pb(REGISTER, "{}garbage", 2, &m, &err), SK_OK);
    protobuf_c_message_free_unpacked(m, NULL);
}

/* No SEKLIK message has a oneof yet: a hand-made descriptor stands in for one.
 *   message Choice { oneof pick { string name = 1; int64 count = 2; } int32 plain_value = 3; } */
typedef struct {
    ProtobufCMessage base;
    uint32_t pick_case;
    union {
        char *name;
        int64_t count;
    };
    int32_t plain_value;
} Choice;

static void choice_init(ProtobufCMessage *m);

static const ProtobufCFieldDescriptor choice_fields[] = {
    {"name", 1, PROTOBUF_C_LABEL_NONE, PROTOBUF_C_TYPE_STRING, offsetof(Choice, pick_case),
     offsetof(Choice, name), NULL, NULL, PROTOBUF_C_FIELD_FLAG_ONEOF, 0, NULL, NULL},
    {"count", 2, PROTOBUF_C_LABEL_NONE, PROTOBUF_C_TYPE_INT64, offsetof(Choice, pick_case),
     offsetof(Choice, count), NULL, NULL, PROTOBUF_C_FIELD_FLAG_ONEOF, 0, NULL, NULL},
    {"plain_value", 3, PROTOBUF_C_LABEL_NONE, PROTOBUF_C_TYPE_INT32, 0,
     offsetof(Choice, plain_value), NULL, NULL, 0, 0, NULL, NULL},
};
static const unsigned choice_by_name[] = {1, 0, 2};
static const ProtobufCIntRange choice_ranges[] = {{1, 0}, {0, 3}};
static const ProtobufCMessageDescriptor choice_descriptor = {PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC,
                                                             "test.Choice",
                                                             "Choice",
                                                             "Choice",
                                                             "test",
                                                             sizeof(Choice),
                                                             3,
                                                             choice_fields,
                                                             choice_by_name,
                                                             1,
                                                             choice_ranges,
                                                             choice_init,
                                                             NULL,
                                                             NULL,
                                                             NULL};

static void choice_init(ProtobufCMessage *m)
{
    memset(m, 0, sizeof(Choice));
    m->descriptor = &choice_descriptor;
}

static void oneof_members(void **state)
{
    (void)state;
    Choice *c = (void *)parse_ok(&choice_descriptor, "{\"name\":\"x\",\"plainValue\":0}");
    assert_int_equal(c->pick_case, 1);
    assert_string_equal(c->name, "x");
    char *json = print_ok(&c->base);
    assert_string_equal(json, "{\"name\":\"x\"}");
    free(json);
    protobuf_c_message_free_unpacked(&c->base, NULL);

    /* A set member is written even when it holds the default. */
    c = (void *)parse_ok(&choice_descriptor, "{\"name\":null,\"count\":\"0\"}");
    assert_int_equal(c->pick_case, 2);
    json = print_ok(&c->base);
    assert_string_equal(json, "{\"count\":\"0\"}");
    free(json);
    protobuf_c_message_free_unpacked(&c->base, NULL);

    expect_error_str(&choice_descriptor, "{\"name\":\"x\",\"count\":1}", "count");
    expect_error_str(&choice_descriptor, "{\"count\":1,\"name\":\"x\"}", "name");
    expect_error_str(&choice_descriptor, "{\"plain_value\":1,\"name\":5}", "name");
}

/* Stored JSON read back: a missing, fractional, huge or non-numeric member
 * gives the fallback, never a NaN cast (UBSan caught that in scoring). */
static void stored_int_members_fall_back(void **state)
{
    (void)state;
    cJSON *o = cJSON_Parse("{\"a\":3,\"b\":2.5,\"c\":1e300,\"d\":\"7\",\"e\":-4}");
    assert_non_null(o);
    assert_int_equal(sk_json_int(cJSON_GetObjectItem(o, "a"), 0, 10, -1), 3);
    assert_int_equal(sk_json_int(cJSON_GetObjectItem(o, "b"), 0, 10, -1), -1);
    assert_int_equal(sk_json_int(cJSON_GetObjectItem(o, "c"), 0, 10, -1), -1);
    assert_int_equal(sk_json_int(cJSON_GetObjectItem(o, "d"), 0, 10, -1), -1);
    assert_int_equal(sk_json_int(cJSON_GetObjectItem(o, "e"), 0, 10, -1), -1);
    assert_int_equal(sk_json_int(cJSON_GetObjectItem(o, "e"), -10, 10, -1), -4);
    assert_int_equal(sk_json_int(cJSON_GetObjectItem(o, "missing"), 0, 10, 9), 9);
    assert_int_equal(sk_json_int(NULL, 0, 10, 9), 9);
    cJSON_Delete(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(register_request_round_trips),
        cmocka_unit_test(event_int64_and_bytes_round_trip),
        cmocka_unit_test(uint64_above_2_53_is_exact),
        cmocka_unit_test(snake_case_keys_accepted),
        cmocka_unit_test(defaults_are_omitted),
        cmocka_unit_test(enums_by_number),
        cmocka_unit_test(doubles_and_non_finite),
        cmocka_unit_test(errors_name_the_field),
        cmocka_unit_test(bad_base64_and_utf8),
        cmocka_unit_test(depth_is_limited),
        cmocka_unit_test(invalid_json_and_trailing_garbage),
        cmocka_unit_test(oneof_members),
        cmocka_unit_test(stored_int_members_fall_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
