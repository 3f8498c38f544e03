/* handlers.c - one function per RPC method and per subscribed event:
 * decode, authorize, call the domain, store, emit. */
#include "domain.h"
#include "seklik/verification.pb-c.h"
#include "sk_service.h"
#include "store.h"

static const sk_rpc_method methods[] = {
    {"Health", sk_service_health, SK_RPC_QUERY},
};

extern const sk_migration verification_migrations[];
extern const size_t verification_migrations_count;

const sk_service_def verification_service = {
    .name = "verification",
    .api = &seklik__verification__verification__descriptor,
    .methods = methods,
    .n_methods = sizeof(methods) / sizeof(methods[0]),
    .migrations = verification_migrations,
    .n_migrations = &verification_migrations_count,
};
