/* sk_err.h - error codes shared by every SEKLIK function that can fail.
 *
 * Functions return SK_OK (0) or one of these; the RPC server maps them onto
 * seklik.bus.Code in the Response, so a handler just returns what it got. */
#ifndef SK_ERR_H
#define SK_ERR_H

enum {
    SK_OK = 0,
    SK_EINVAL,     /* bad input: INVALID_ARGUMENT */
    SK_ENOTFOUND,  /* NOT_FOUND */
    SK_EEXISTS,    /* unique constraint or duplicate: ALREADY_EXISTS */
    SK_EPRECOND,   /* state does not allow it: FAILED_PRECONDITION */
    SK_EPERM,      /* actor may not: PERMISSION_DENIED */
    SK_EAUTH,      /* unsigned or forged actor: UNAUTHENTICATED */
    SK_EUNAVAIL,   /* a dependency is down; retry later: UNAVAILABLE */
    SK_ETIMEDOUT,  /* deadline passed: DEADLINE_EXCEEDED */
    SK_EDB,        /* database error: INTERNAL (details logged) */
    SK_ENOMEM,     /* INTERNAL */
    SK_EINTERNAL,  /* INTERNAL */
    SK_ECONFIG,    /* bad configuration, at start-up only */
    SK_EUNIMPL,    /* method not known: UNIMPLEMENTED */
    SK_EEXHAUSTED, /* throttled or over a limit: RESOURCE_EXHAUSTED */
};

/* A static, human readable name for `code`. */
const char *sk_strerror(int code);

/* The seklik.bus.Code number for `code` (see proto/seklik/bus.proto). */
int sk_err_to_bus_code(int code);

/* The SK_* code for a seklik.bus.Code number. */
int sk_err_from_bus_code(int bus_code);

/* The HTTP status for `code` (200, 400, 401, 403, 404, 409, 429, 500,
 * 501, 503, 504): the gateway's one mapping. */
int sk_err_http_status(int code);

/* The seklik.bus.Code name for `code` ("INVALID_ARGUMENT"); static. */
const char *sk_err_code_name(int code);

/* Return early with the code when `expr` fails. */
#define SK_TRY(expr)                                                                               \
    do {                                                                                           \
        int sk_try_rc_ = (expr);                                                                   \
        if (sk_try_rc_ != SK_OK)                                                                   \
            return sk_try_rc_;                                                                     \
    } while (0)

#endif
