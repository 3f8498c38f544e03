#include "sk_err.h"

#include "seklik/bus.pb-c.h"

const char *sk_strerror(int code)
{
    switch (code) {
    case SK_OK: return "ok";
    case SK_EINVAL: return "invalid argument";
    case SK_ENOTFOUND: return "not found";
    case SK_EEXISTS: return "already exists";
    case SK_EPRECOND: return "failed precondition";
    case SK_EPERM: return "permission denied";
    case SK_EAUTH: return "unauthenticated";
    case SK_EUNAVAIL: return "unavailable";
    case SK_ETIMEDOUT: return "deadline exceeded";
    case SK_EDB: return "database error";
    case SK_ENOMEM: return "out of memory";
    case SK_EINTERNAL: return "internal error";
    case SK_ECONFIG: return "bad configuration";
    case SK_EUNIMPL: return "unimplemented";
    case SK_EEXHAUSTED: return "resource exhausted";
    }
    return "unknown error";
}

int sk_err_to_bus_code(int code)
{
    switch (code) {
    case SK_OK: return SEKLIK__BUS__CODE__OK;
    case SK_EINVAL: return SEKLIK__BUS__CODE__INVALID_ARGUMENT;
    case SK_ENOTFOUND: return SEKLIK__BUS__CODE__NOT_FOUND;
    case SK_EEXISTS: return SEKLIK__BUS__CODE__ALREADY_EXISTS;
    case SK_EPRECOND: return SEKLIK__BUS__CODE__FAILED_PRECONDITION;
    case SK_EPERM: return SEKLIK__BUS__CODE__PERMISSION_DENIED;
    case SK_EAUTH: return SEKLIK__BUS__CODE__UNAUTHENTICATED;
    case SK_EUNAVAIL: return SEKLIK__BUS__CODE__UNAVAILABLE;
    case SK_ETIMEDOUT: return SEKLIK__BUS__CODE__DEADLINE_EXCEEDED;
    case SK_EUNIMPL: return SEKLIK__BUS__CODE__UNIMPLEMENTED;
    case SK_EEXHAUSTED: return SEKLIK__BUS__CODE__RESOURCE_EXHAUSTED;
    default: return SEKLIK__BUS__CODE__INTERNAL;
    }
}

int sk_err_from_bus_code(int bus_code)
{
    switch (bus_code) {
    case SEKLIK__BUS__CODE__OK: return SK_OK;
    case SEKLIK__BUS__CODE__INVALID_ARGUMENT: return SK_EINVAL;
    case SEKLIK__BUS__CODE__NOT_FOUND: return SK_ENOTFOUND;
    case SEKLIK__BUS__CODE__ALREADY_EXISTS: return SK_EEXISTS;
    case SEKLIK__BUS__CODE__FAILED_PRECONDITION: return SK_EPRECOND;
    case SEKLIK__BUS__CODE__PERMISSION_DENIED: return SK_EPERM;
    case SEKLIK__BUS__CODE__UNAUTHENTICATED: return SK_EAUTH;
    case SEKLIK__BUS__CODE__UNAVAILABLE: return SK_EUNAVAIL;
    case SEKLIK__BUS__CODE__DEADLINE_EXCEEDED: return SK_ETIMEDOUT;
    case SEKLIK__BUS__CODE__UNIMPLEMENTED: return SK_EUNIMPL;
    case SEKLIK__BUS__CODE__RESOURCE_EXHAUSTED: return SK_EEXHAUSTED;
    default: return SK_EINTERNAL;
    }
}

int sk_err_http_status(int code)
{
    switch (code) {
    case SK_OK: return 200;
    case SK_EINVAL: return 400;
    case SK_EAUTH: return 401;
    case SK_EPERM: return 403;
    case SK_ENOTFOUND: return 404;
    case SK_EEXISTS: return 409;
    case SK_EPRECOND: return 400; /* as google.rpc maps it */
    case SK_EEXHAUSTED: return 429;
    case SK_EUNIMPL: return 501;
    case SK_EUNAVAIL: return 503;
    case SK_ETIMEDOUT: return 504;
    default: return 500;
    }
}

const char *sk_err_code_name(int code)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&seklik__bus__code__descriptor, sk_err_to_bus_code(code));
    return v ? v->name : "INTERNAL";
}
