/* handlers.c - one function per RPC method and per subscribed event:
 * decode, authorize, call the domain, store, emit. */
#include "domain.h"
#include "seklik/distribution.pb-c.h"
#include "sk_service.h"
#include "store.h"

static const sk_rpc_method methods[] = {
    {"Health", sk_service_health, SK_RPC_QUERY},
};

extern const sk_migration distribution_migrations[];
extern const size_t distribution_migrations_count;

const sk_service_def distribution_service = {
    .name = "distribution",
    .api = &seklik__distribution__distribution__descriptor,
    .methods = methods,
    .n_methods = sizeof(methods) / sizeof(methods[0]),
    .migrations = distribution_migrations,
    .n_migrations = &distribution_migrations_count,
};
