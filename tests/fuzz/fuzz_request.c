/* fuzz_request.c - a Request off the REP socket: unpack, verify, decode its
 * body as the named method's input (as sk_rpc_server does) and check it
 * against the field limits, free.
 *
 * Whatever the bytes, nothing may crash or leak, no forged request may verify,
 * and a request re-signed with the key must then verify. The limits check
 * names at most SK_LIMITS_MAX_VIOLATIONS fields, finds nothing new when run
 * again (UUIDs were canonicalised in place), and passes only bodies whose
 * every string the JSON transcoder can write (valid UTF-8). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <string.h>

#include "seklik/accounting.pb-c.h"
#include "seklik/bus.pb-c.h"
#include "seklik/gateway.pb-c.h"
#include "seklik/registry.pb-c.h"
#include "seklik/scoring.pb-c.h"
#include "seklik/verification.pb-c.h"
#include "sk_err.h"
#include "sk_json.h"
#include "sk_limits.h"
#include "sk_rpc.h"
#include "sk_sign.h"

#include <sodium.h>

static sk_sign_key key = {.len = 32};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (sodium_init() < 0)
        abort();
    for (size_t i = 0; i < key.len; i++)
        key.bytes[i] = (uint8_t)(0x5a ^ i);
    return 0;
}

static void on_violation(void *arg, const char *field, const char *code, const char *english)
{
    (void)arg;
    if (!field || !english || !english[0] || strlen(field) >= 256 || !sk_violation_code_valid(code))
        abort();
}

static void check_limits(const ProtobufCMessageDescriptor *desc, const ProtobufCBinaryData *body)
{
    ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, body->len, body->data);
    if (!m)
        return;
    size_t n = sk_limits_check(m, on_violation, NULL);
    if (n > SK_LIMITS_MAX_VIOLATIONS || sk_limits_check(m, NULL, NULL) != n)
        abort();
    char *json = NULL;
    if (n == 0 && sk_pb_to_json(m, &json) == SK_EINVAL)
        abort(); /* the checker passed a string the transcoder calls invalid UTF-8 */
    free(json);
    protobuf_c_message_free_unpacked(m, NULL);
}

/* The input of "Short.Method" among the services the corpus names, or NULL. */
static const ProtobufCMessageDescriptor *method_input(const char *name)
{
    static const ProtobufCServiceDescriptor *const services[] = {
        &seklik__registry__registry__descriptor, &seklik__scoring__scoring__descriptor,
        &seklik__verification__verification__descriptor, &seklik__gateway__gateway__descriptor,
        &seklik__accounting__accounting__descriptor};
    if (strcmp(name, "bus.Replay") == 0)
        return &seklik__bus__replay_request__descriptor;
    for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
        size_t n = strlen(services[i]->short_name);
        if (strncmp(name, services[i]->short_name, n) == 0 && name[n] == '.') {
            const ProtobufCMethodDescriptor *md =
                protobuf_c_service_descriptor_get_method_by_name(services[i], name + n + 1);
            return md ? md->input : NULL;
        }
    }
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Seklik__Bus__Request *req = seklik__bus__request__unpack(NULL, size, data);
    if (!req)
        return 0;
    const ProtobufCMessageDescriptor *in = method_input(req->method);
    if (in) {
        check_limits(in, &req->body);
    } else {
        /* an unknown method: the body as the inputs with the most kinds of field */
        check_limits(&seklik__registry__register_request__descriptor, &req->body);
        check_limits(&seklik__scoring__rule_set__descriptor, &req->body);
        check_limits(&seklik__verification__record_visit_request__descriptor, &req->body);
    }
    /* The corpus holds requests signed with this key, so both outcomes are reached. */
    (void)sk_sign_verify(&key, req);

    /* Re-signed, it must verify; the signature field is restored before free. */
    uint8_t mac[SK_SIGN_LEN];
    if (sk_sign_request(&key, req, mac) == SK_OK) {
        ProtobufCBinaryData saved = req->signature;
        req->signature.data = mac;
        req->signature.len = SK_SIGN_LEN;
        if (!sk_sign_verify(&key, req))
            abort();
        req->signature = saved;
    }
    seklik__bus__request__free_unpacked(req, NULL);
    return 0;
}
