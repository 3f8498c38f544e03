/* sk_nng.h - closing an NNG socket without waiting forever.
 *
 * NNG 1.5.2 (Debian 12) can block in nng_close for good when a dialer's
 * connection attempt races the close (nng issue #1498, fixed in 1.6.0): seen
 * here with a SUB dialer whose TLS handshakes kept failing, and at a service's
 * shutdown. A process that is stopping must not hang on it. */
#ifndef SK_NNG_H
#define SK_NNG_H

#include <nng/nng.h>
#include <stdbool.h>

/* Close `sock` on a thread of its own and wait at most `timeout_ms` for it.
 * True when the close finished in time; false when it is still blocked (it
 * is logged; the socket is abandoned to that thread, which finishes the close
 * whenever NNG lets it). After one close of the process has hung, later ones
 * wait at most 100 ms each. Any thread. */
bool sk_nng_close_bounded(nng_socket sock, int timeout_ms);

/* The bound every shutdown path uses. */
#define SK_NNG_CLOSE_TIMEOUT_MS 3000

#endif
