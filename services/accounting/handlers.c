/* handlers.c - one function per RPC method and per subscribed event:
 * decode, authorize, call the domain, store, emit. */
#include "domain.h"
#include "seklik/accounting.pb-c.h"
#include "sk_service.h"
#include "store.h"

static const sk_rpc_method methods[] = {
    {"Health", sk_service_health, SK_RPC_QUERY},
};

extern const sk_migration accounting_migrations[];
extern const size_t accounting_migrations_count;

const sk_service_def accounting_service = {
    .name = "accounting",
    .api = &seklik__accounting__accounting__descriptor,
    .methods = methods,
    .n_methods = sizeof(methods) / sizeof(methods[0]),
    .migrations = accounting_migrations,
    .n_migrations = &accounting_migrations_count,
};
