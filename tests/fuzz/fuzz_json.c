/* fuzz_json.c - a JSON body at the gateway: sk_json_to_pb, the one transcoder
 * every /api/v1/{service}.{Method} body goes through.
 *
 * Each input is decoded as several request messages that between them hold
 * every field kind the API has (strings, nested and repeated messages, enums,
 * bool, int32, int64 as strings, double, bytes as base64). Whatever the bytes,
 * nothing may crash or leak; when they parse, printing the message and
 * parsing that again must give the same packed protobuf. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seklik/gateway.pb-c.h"
#include "seklik/registry.pb-c.h"
#include "seklik/scoring.pb-c.h"
#include "seklik/verification.pb-c.h"
#include "sk_err.h"
#include "sk_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *packed(const ProtobufCMessage *m, size_t *len)
{
    *len = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = malloc(*len ? *len : 1);
    if (!buf)
        abort();
    if (protobuf_c_message_pack(m, buf) != *len)
        abort();
    return buf;
}

static void round_trip(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t size)
{
    ProtobufCMessage *first = NULL;
    sk_json_error err;
    if (sk_json_to_pb(desc, (const char *)data, size, &first, &err) != SK_OK) {
        if (first || memchr(err.field, '\0', sizeof err.field) == NULL ||
            memchr(err.message, '\0', sizeof err.message) == NULL || err.message[0] == '\0')
            abort();
        return;
    }
    char *json = NULL;
    if (sk_pb_to_json(first, &json) != SK_OK)
        abort(); /* input strings were checked, so output cannot fail but for memory */
    ProtobufCMessage *second = NULL;
    if (sk_json_to_pb(desc, json, strlen(json), &second, &err) != SK_OK)
        abort();

    size_t n1, n2;
    uint8_t *b1 = packed(first, &n1), *b2 = packed(second, &n2);
    if (n1 != n2 || memcmp(b1, b2, n1) != 0)
        abort();
    free(b1);
    free(b2);
    free(json);
    protobuf_c_message_free_unpacked(first, NULL);
    protobuf_c_message_free_unpacked(second, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const ProtobufCMessageDescriptor *const messages[] = {
        &seklik__registry__register_request__descriptor,        /* nested, repeated, enums */
        &seklik__registry__upload_document_request__descriptor, /* bytes */
        &seklik__verification__record_visit_request__descriptor, /* double */
        &seklik__scoring__rule_set__descriptor,                 /* repeated nested int32 */
        &seklik__scoring__price_standard__descriptor,           /* int64 */
        &seklik__gateway__create_user_request__descriptor,      /* repeated string */
    };
    for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++)
        round_trip(messages[i], data, size);
    return 0;
}
