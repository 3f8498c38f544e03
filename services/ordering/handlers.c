/* handlers.c - one function per RPC method and per subscribed event:
 * decode, authorize, call the domain, store, emit. */
#include "domain.h"
#include "seklik/ordering.pb-c.h"
#include "sk_service.h"
#include "store.h"

static const sk_rpc_method methods[] = {
    {"Health", sk_service_health, SK_RPC_QUERY},
};

extern const sk_migration ordering_migrations[];
extern const size_t ordering_migrations_count;

const sk_service_def ordering_service = {
    .name = "ordering",
    .api = &seklik__ordering__ordering__descriptor,
    .methods = methods,
    .n_methods = sizeof(methods) / sizeof(methods[0]),
    .migrations = ordering_migrations,
    .n_migrations = &ordering_migrations_count,
};
