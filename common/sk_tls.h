/* sk_tls.h - NNG's tls+tcp:// transport with mutual certificates, for the
 * bus's RPC and event sockets.
 *
 * A process has one identity, read once from three PEM files:
 *   SEKLIK_TLS_CERT         its certificate (the chain up to the CA may follow)
 *   SEKLIK_TLS_KEY          its private key, unencrypted
 *   SEKLIK_TLS_CA           the CA certificate(s) it trusts
 *   SEKLIK_TLS_SERVER_NAME  optional: the name every server's certificate must
 *                           carry, instead of each URL's host
 * Listeners require a client certificate signed by the CA (auth mode
 * required); dialers verify the server's certificate against the CA and its
 * name against the URL's host (mbedTLS 2.28 matches DNS names only: a host
 * given as an IP address must also be a DNS entry of the certificate's
 * subjectAltName). tcp:// and ipc:// URLs are not touched. The files are not
 * read again: rotating a certificate means restarting the process. */
#ifndef SK_TLS_H
#define SK_TLS_H

#include <nng/nng.h>
#include <stdbool.h>

#include "sk_config.h"

/* Read the TLS variables through `cfg` (so --print-env lists them) and load
 * the files. When `needed` (some URL is tls+tcp) the three files are
 * required; when any one is set, all three are. A missing variable, or a file
 * that cannot be read or parsed, records an error naming its variable. */
void sk_tls_configure(sk_config *cfg, bool needed);

/* True when `url`'s scheme is tls+tcp. */
bool sk_tls_url(const char *url);

/* nng_listen on `url`; a tls+tcp listener gets the process's certificate and
 * requires clients to present one signed by the CA. `out` may be NULL.
 * Returns 0 or an NNG error (NNG_EINVAL when TLS is not configured, logged). */
int sk_tls_listen(nng_socket sock, const char *url, nng_listener *out);

/* nng_dial on `url` without blocking (the dialer keeps reconnecting); a
 * tls+tcp dialer presents the process's certificate and verifies the
 * server's. `out` may be NULL. Returns 0 or an NNG error, as sk_tls_listen.
 * When sk_tls_configure was not called (a test, a tool), the variables are
 * read from the environment on first use. Any thread. */
int sk_tls_dial(nng_socket sock, const char *url, nng_dialer *out);

#endif
