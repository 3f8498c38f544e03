/* handlers.c - one function per RPC method and per subscribed event:
 * decode, authorize, call the domain, store, emit. */
#include "domain.h"
#include "seklik/scoring.pb-c.h"
#include "sk_service.h"
#include "store.h"

static const sk_rpc_method methods[] = {
    {"Health", sk_service_health, SK_RPC_QUERY},
};

extern const sk_migration scoring_migrations[];
extern const size_t scoring_migrations_count;

const sk_service_def scoring_service = {
    .name = "scoring",
    .api = &seklik__scoring__scoring__descriptor,
    .methods = methods,
    .n_methods = sizeof(methods) / sizeof(methods[0]),
    .migrations = scoring_migrations,
    .n_migrations = &scoring_migrations_count,
};
