/* sk_config.h - configuration from environment variables.
 *
 * Every lookup records the variable's name, so a binary can print the exact
 * set it reads (`--print-env`, checked against the deploy manifests). The
 * first bad value is kept with the variable named; the caller reports it and
 * exits non-zero. Lookups never fail half-way: a bad value leaves the default. */
#ifndef SK_CONFIG_H
#define SK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define SK_CONFIG_MAX_VARS 64

typedef struct sk_config {
    const char *names[SK_CONFIG_MAX_VARS]; /* owned copies of every name consulted */
    size_t n_names;
    char error[512]; /* "SEKLIK_X: why" for the first bad value, or "" */
} sk_config;

void sk_config_init(sk_config *cfg);
void sk_config_free(sk_config *cfg);

/* The value of `name`, or `def` when unset or empty. With `required` and no
 * value, records an error. The returned string belongs to the environment
 * (or is `def`): do not free it. */
const char *sk_config_str(sk_config *cfg, const char *name, const char *def, bool required);

/* An integer in [min, max]; anything else records an error and returns def. */
long sk_config_long(sk_config *cfg, const char *name, long def, long min, long max);

/* A URL whose scheme is one of the comma separated `schemes` ("tcp,ipc"). */
const char *sk_config_url(sk_config *cfg, const char *name, const char *def, const char *schemes);

/* Hex-encoded secret of at least `min_bytes` bytes, decoded into `out`
 * (capacity `cap`). Returns the decoded length, 0 on error (recorded). */
size_t sk_config_hex_secret(sk_config *cfg, const char *name, unsigned char *out, size_t cap,
                            size_t min_bytes);

/* Record an error for `name` from the caller's own check. Keeps the first. */
void sk_config_fail(sk_config *cfg, const char *name, const char *why);

bool sk_config_failed(const sk_config *cfg);

#endif
