/* fuzz_request.c - a Request off the REP socket: unpack, verify, free.
 *
 * Whatever the bytes, nothing may crash or leak, no forged request may verify,
 * and a request re-signed with the key must then verify. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "seklik/bus.pb-c.h"
#include "sk_err.h"
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Seklik__Bus__Request *req = seklik__bus__request__unpack(NULL, size, data);
    if (!req)
        return 0;
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
