/* sk_test.h - what the integration tests share: the fixture's servers, a
 * database per test, child processes, a private Redis, and RPC helpers.
 *
 * The ctest fixture (servers.sh) starts PostgreSQL and Redis on free ports
 * and writes their addresses to the file named by SEKLIK_TEST_ENV_FILE. */
#ifndef SK_TEST_H
#define SK_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sk_rpc.h"
#include "sk_sign.h"

/* A value from the fixture's env file (static storage), or NULL. */
const char *sk_test_env(const char *key);

/* A fresh database `name` on the fixture's PostgreSQL (dropped first if it
 * exists). Returns its DSN (static buffer per call site: copy it). */
const char *sk_test_create_db(const char *name, char *dsn, size_t cap);

/* A TCP port nobody listens on right now, never the same twice in a process. */
int sk_test_free_port(void);

/* The HMAC key every test process shares (hex, and decoded). */
extern const char sk_test_hmac_hex[];
void sk_test_key(sk_sign_key *key);

typedef struct sk_proc {
    pid_t pid;
    char log[320];
} sk_proc;

/* Start `path` with the current environment plus `env` ("K=V", NULL-ended),
 * stdout and stderr appended to `log`. Returns 0 or -1. */
int sk_proc_start(sk_proc *p, const char *path, const char *const *env, const char *log);

/* Send `sig`; with wait, reap and return the exit status (-1 on timeout of
 * `timeout_ms`, 128+sig when killed). */
int sk_proc_signal(sk_proc *p, int sig);
int sk_proc_wait(sk_proc *p, int timeout_ms);

/* Print every thread's stack of the running process (gdb, batch mode) to
 * stderr: evidence when a process does not stop as it should. */
void sk_proc_dump_stacks(const sk_proc *p);

/* A Redis of the test's own on `port` (so the test can stop it), with the
 * fixture's users (SEKLIK_TEST_REDIS_ACL: the default user off). Its URL,
 * credentials included, goes to `url`. 0 or -1. */
int sk_test_redis_start(sk_proc *p, int port, const char *dir, char *url, size_t cap);

/* The same on a unix socket in `dir` only its owner may open (as under
 * scripts/up), no TCP port; the socket's path goes to `path`. */
int sk_test_redis_start_unix(sk_proc *p, const char *dir, char *path, size_t cap);

/* hiredis, authenticated as the fixture's user: to the fixture's Redis
 * (port 0) or a test's own. NULL on failure (printed); redisFree it. */
struct redisContext *sk_test_redis_connect(int port);

/* Wait until the service at `url` answers (its database and migrations
 * ready) or `timeout_ms` passes. */
bool sk_test_wait_ready(const char *url, int timeout_ms);

/* HTTP GET through curl(1); returns the status and copies the body. */
int sk_test_http_get(const char *url, char *body, size_t cap);

/* The value of a metric line "name{...} value" in /metrics text, or -1. */
long long sk_test_metric(const char *text, const char *name);

/* Run one SQL query on `dsn` and return the first column of the first row
 * as a number (-1 on error). */
long long sk_test_sql_number(const char *dsn, const char *sql);

/* The same with one text parameter, $1. */
long long sk_test_sql_number_p(const char *dsn, const char *sql, const char *param);

/* The same with `n` text parameters, $1..$n (cast them in the SQL where the
 * type matters: $1::uuid, $2::int). */
long long sk_test_sql_number_params(const char *dsn, const char *sql, int n,
                                    const char *const *params);

/* Run one SQL statement on `dsn`; 0 or -1 (the error is printed). */
int sk_test_sql_exec(const char *dsn, const char *sql);

/* The same with `n` text parameters, $1..$n; one statement only. */
int sk_test_sql_exec_params(const char *dsn, const char *sql, int n, const char *const *params);

/* Sleep in milliseconds. */
void sk_test_sleep_ms(int ms);

#endif

/* ---- the bus over TLS ---- */

/* "tls+tcp" when SEKLIK_TEST_TLS=1, else "tcp": the scheme of every bus URL
 * sk_test_peer_init makes. Under TLS the first call makes the certificates
 * (sk_test_tls_dir) and sets SEKLIK_TLS_CERT, _KEY and _CA in this process,
 * so its own clients present the same identity as the peers. */
const char *sk_test_bus_scheme(void);

/* A directory made for this test process with openssl(1), removed at exit:
 *   ca.pem                 the CA every peer trusts
 *   node.pem, node.key     signed by it, for server and client use, names
 *                          localhost and 127.0.0.1 (also as DNS names: mbedTLS
 *                          2.28 matches no IP entries)
 *   wrongname.pem/.key     signed by the CA, for the name "someone-else" only
 *   other-ca.pem           another CA
 *   rogue.pem, rogue.key   signed by the other CA, with node's names
 * NULL when openssl failed (printed). */
const char *sk_test_tls_dir(void);

/* ---- a test service process (seklik-testpub / seklik-testsub) ---- */

typedef struct sk_test_peer {
    sk_proc proc;
    char name[32];
    char rpc[64], events[64], http[64];
    char env[48][320];
    const char *envp[49];
    int n_env;
} sk_test_peer;

/* Choose free ports for `name` and build its environment: database `dsn`,
 * Redis `redis_url`, the shared HMAC key, warn-level logs, and under
 * SEKLIK_TEST_TLS=1 tls+tcp:// URLs and the certificates. Every well-known
 * peer points at a closed port until sk_test_peer_link says otherwise, so a
 * test never talks to a stack a developer runs on the default ports. */
void sk_test_peer_init(sk_test_peer *p, const char *name, const char *dsn, const char *redis_url);

/* Add "K=V" to the peer's environment (e.g. another peer's addresses). */
void sk_test_peer_setenv(sk_test_peer *p, const char *key, const char *value);

/* Let `p` reach `other` (SEKLIK_<OTHER>_RPC / _EVENTS). */
void sk_test_peer_link(sk_test_peer *p, const sk_test_peer *other);

/* Start the binary and wait until Health says ready (10 s). 0 or -1. */
int sk_test_peer_start(sk_test_peer *p, const char *binary, const char *log);
