/* handlers.c - one function per RPC method and per subscribed event:
 * decode, authorize, call the domain, store, emit. */
#include "domain.h"
#include "seklik/registry.pb-c.h"
#include "sk_service.h"
#include "store.h"

static const sk_rpc_method methods[] = {
    {"Health", sk_service_health, SK_RPC_QUERY},
};

extern const sk_migration registry_migrations[];
extern const size_t registry_migrations_count;

const sk_service_def registry_service = {
    .name = "registry",
    .api = &seklik__registry__registry__descriptor,
    .methods = methods,
    .n_methods = sizeof(methods) / sizeof(methods[0]),
    .migrations = registry_migrations,
    .n_migrations = &registry_migrations_count,
};
