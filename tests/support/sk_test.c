#include "sk_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sk_err.h"
#include "sk_id.h"

const char sk_test_hmac_hex[] = "5345d8a1c0ffee0123456789abcdef0123456789abcdef0123456789abcdef42";

void sk_test_key(sk_sign_key *key)
{
    size_t n = strlen(sk_test_hmac_hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(sk_test_hmac_hex + 2 * i, "%2x", &v);
        key->bytes[i] = (uint8_t)v;
    }
    key->len = n;
}

const char *sk_test_env(const char *key)
{
    static char values[32][640];
    static char keys[32][640];
    static int n = -1;
    if (n < 0) {
        n = 0;
        const char *path = getenv("SEKLIK_TEST_ENV_FILE");
        FILE *f = path ? fopen(path, "r") : NULL;
        if (!f) {
            fprintf(stderr, "sk_test: SEKLIK_TEST_ENV_FILE (%s) unreadable: run through ctest\n",
                    path ? path : "unset");
            return NULL;
        }
        char line[640];
        while (n < 32 && fgets(line, sizeof(line), f)) {
            line[strcspn(line, "\n")] = '\0';
            char *eq = strchr(line, '=');
            if (!eq)
                continue;
            *eq = '\0';
            snprintf(keys[n], sizeof(keys[n]), "%s", line);
            snprintf(values[n], sizeof(values[n]), "%s", eq + 1);
            n++;
        }
        fclose(f);
    }
    for (int i = 0; i < n; i++)
        if (strcmp(keys[i], key) == 0)
            return values[i];
    return NULL;
}

static PGconn *admin_conn(void)
{
    const char *dsn = sk_test_env("SEKLIK_TEST_PG_DSN");
    if (!dsn)
        return NULL;
    PGconn *c = PQconnectdb(dsn);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "sk_test: %s", PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    return c;
}

const char *sk_test_create_db(const char *name, char *dsn, size_t cap)
{
    PGconn *c = admin_conn();
    if (!c)
        return NULL;
    char *ident = PQescapeIdentifier(c, name, strlen(name));
    char sql[256];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", ident);
    PQclear(PQexec(c, sql));
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", ident);
    PGresult *r = PQexec(c, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "sk_test: create database: %s", PQresultErrorMessage(r));
    PQclear(r);
    PQfreemem(ident);
    PQfinish(c);
    if (!ok)
        return NULL;
    snprintf(dsn, cap, "%s dbname=%s", sk_test_env("SEKLIK_TEST_PG_DSN"), name);
    return dsn;
}

/* Where to choose test ports: below the kernel's ephemeral range (or above
 * it). Ports in that range are also the source ports of outgoing
 * connections, and one taken by a connection between the choice and the
 * service's bind failed the bind ("Address in use"; seen in a stack start). */
static void port_range(int *lo, int *hi)
{
    int elo = 32768, ehi = 60999;
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    if (f) {
        if (fscanf(f, "%d %d", &elo, &ehi) != 2)
            elo = 32768, ehi = 60999;
        fclose(f);
    }
    if (elo - 10000 >= 2000)
        *lo = 10000, *hi = elo - 1;
    else if (65535 - ehi >= 2000)
        *lo = ehi + 1, *hi = 65535;
    else
        *lo = 1024, *hi = 65535; /* no room outside: collisions stay possible */
}

/* A port nobody has bound right now, outside the ephemeral range, never one
 * this process handed out before (ports are chosen before the services bind
 * them). Random, so concurrent test processes rarely pick the same one. */
int sk_test_free_port(void)
{
    static int given[512];
    static size_t n_given;
    static unsigned seed;
    int lo, hi;
    port_range(&lo, &hi);
    if (!seed)
        seed = (unsigned)getpid() * 2654435761u ^ (unsigned)time(NULL);
    for (int attempt = 0; attempt < 1000; attempt++) {
        int port = lo + (int)(rand_r(&seed) % (unsigned)(hi - lo + 1));
        bool seen = false;
        for (size_t i = 0; i < n_given && !seen; i++)
            seen = given[i] == port;
        if (seen)
            continue;
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET,
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                                .sin_port = htons((uint16_t)port)};
        bool free_now = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
        if (fd >= 0)
            close(fd);
        if (!free_now)
            continue;
        if (n_given < sizeof(given) / sizeof(given[0]))
            given[n_given++] = port;
        return port;
    }
    return -1;
}

/* Children still running when the test binary exits are killed: a failed
 * assertion jumps out of a test before it stops what it started. */
static pid_t g_children[64];

static void kill_children(void)
{
    for (size_t i = 0; i < sizeof(g_children) / sizeof(g_children[0]); i++)
        if (g_children[i] > 0) {
            kill(g_children[i], SIGKILL);
            waitpid(g_children[i], NULL, 0);
        }
}

static void track_child(pid_t pid, bool add)
{
    static bool registered;
    if (!registered) {
        atexit(kill_children);
        registered = true;
    }
    for (size_t i = 0; i < sizeof(g_children) / sizeof(g_children[0]); i++)
        if (add ? g_children[i] == 0 : g_children[i] == pid) {
            g_children[i] = add ? pid : 0;
            return;
        }
}

int sk_proc_start(sk_proc *p, const char *path, const char *const *env, const char *log)
{
    snprintf(p->log, sizeof(p->log), "%s", log);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        for (const char *const *e = env; e && *e; e++)
            putenv(strdup(*e));
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execl(path, path, (char *)NULL);
        _exit(127);
    }
    p->pid = pid;
    track_child(pid, true);
    return 0;
}

int sk_proc_signal(sk_proc *p, int sig)
{
    return p->pid > 0 ? kill(p->pid, sig) : -1;
}

int sk_proc_wait(sk_proc *p, int timeout_ms)
{
    for (int waited = 0; p->pid > 0; waited += 10) {
        int status = 0;
        pid_t r = waitpid(p->pid, &status, WNOHANG);
        if (r == p->pid) {
            track_child(p->pid, false);
            p->pid = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        if (waited >= timeout_ms)
            return -1;
        sk_test_sleep_ms(10);
    }
    return -1;
}

void sk_proc_dump_stacks(const sk_proc *p)
{
    if (p->pid <= 0)
        return;
    char cmd[128];
    snprintf(cmd, sizeof(cmd),
             "gdb -p %d -batch -nx -ex 'thread apply all bt' </dev/null 1>&2 2>/dev/null",
             (int)p->pid);
    if (system(cmd) != 0)
        fprintf(stderr, "sk_test: no stack dump for pid %d (gdb missing?)\n", (int)p->pid);
}

/* Fork redis-server with the fixture's ACL file and `listen` (its listening
 * options, NULL-terminated), logging to `log`; wait until `addr` accepts. */
static int redis_spawn(sk_proc *p, const char *const *listen, const char *dir, const char *log,
                       const struct sockaddr *addr, socklen_t addr_len)
{
    const char *acl = sk_test_env("SEKLIK_TEST_REDIS_ACL");
    if (!acl)
        return -1;
    const char *argv[24];
    size_t n = 0;
    argv[n++] = "redis-server";
    for (size_t i = 0; listen[i]; i++)
        argv[n++] = listen[i];
    const char *rest[] = {"--aclfile", acl, "--save", "", "--appendonly", "no", "--dir", dir, NULL};
    for (size_t i = 0; rest[i]; i++)
        argv[n++] = rest[i];
    argv[n] = NULL;
    snprintf(p->log, sizeof(p->log), "%s", log);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execvp("redis-server", (char *const *)argv);
        _exit(127);
    }
    p->pid = pid;
    track_child(pid, true);
    for (int i = 0; i < 200; i++) {
        int fd = socket(addr->sa_family, SOCK_STREAM, 0);
        int ok = connect(fd, addr, addr_len) == 0;
        close(fd);
        if (ok)
            return 0;
        sk_test_sleep_ms(10);
    }
    return -1;
}

int sk_test_redis_start(sk_proc *p, int port, const char *dir, char *url, size_t cap)
{
    const char *user = sk_test_env("SEKLIK_TEST_REDIS_USER");
    const char *password = sk_test_env("SEKLIK_TEST_REDIS_PASSWORD");
    if (!user || !password)
        return -1;
    if ((size_t)snprintf(url, cap, "redis://%s:%s@127.0.0.1:%d/0", user, password, port) >= cap)
        return -1;
    char portstr[16], log[300];
    _Static_assert(sizeof(log) <= sizeof(p->log), "log path fits");
    snprintf(portstr, sizeof(portstr), "%d", port);
    snprintf(log, sizeof(log), "%s/redis-%d.log", dir, port);
    const char *listen[] = {"--port", portstr, "--bind", "127.0.0.1", NULL};
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    return redis_spawn(p, listen, dir, log, (const struct sockaddr *)&a, sizeof(a));
}

int sk_test_redis_start_unix(sk_proc *p, const char *dir, char *path, size_t cap)
{
    static int serial;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if ((size_t)snprintf(path, cap, "%s/redis-%d-%d.sock", dir, (int)getpid(), ++serial) >= cap ||
        strlen(path) >= sizeof(a.sun_path))
        return -1;
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
    char log[300];
    _Static_assert(sizeof(log) <= sizeof(p->log), "log path fits");
    snprintf(log, sizeof(log), "%s/redis-%d-%d.log", dir, (int)getpid(), serial);
    const char *listen[] = {"--port", "0", "--unixsocket", path, "--unixsocketperm", "700", NULL};
    return redis_spawn(p, listen, dir, log, (const struct sockaddr *)&a, sizeof(a));
}

redisContext *sk_test_redis_connect(int port)
{
    const char *user = sk_test_env("SEKLIK_TEST_REDIS_USER");
    const char *password = sk_test_env("SEKLIK_TEST_REDIS_PASSWORD");
    const char *fixture_port = sk_test_env("SEKLIK_TEST_REDIS_PORT");
    if (!user || !password || (port == 0 && !fixture_port))
        return NULL;
    redisContext *r = redisConnect("127.0.0.1", port ? port : atoi(fixture_port));
    if (!r || r->err) {
        fprintf(stderr, "sk_test: redis: %s\n", r ? r->errstr : "out of memory");
        if (r)
            redisFree(r);
        return NULL;
    }
    redisReply *a = redisCommand(r, "AUTH %s %s", user, password);
    bool ok = a && a->type == REDIS_REPLY_STATUS;
    if (!ok)
        fprintf(stderr, "sk_test: redis AUTH: %s\n", a && a->str ? a->str : "no reply");
    if (a)
        freeReplyObject(a);
    if (!ok) {
        redisFree(r);
        return NULL;
    }
    return r;
}

bool sk_test_wait_ready(const char *url, int timeout_ms)
{
    sk_sign_key key;
    sk_test_key(&key);
    sk_rpc_client *c = NULL;
    if (sk_rpc_client_open(url, &key, 0, &c) != SK_OK)
        return false;
    bool ready = false;
    uint64_t until = sk_now_mono_ns() + (uint64_t)timeout_ms * 1000000;
    while (!ready && sk_now_mono_ns() < until) {
        /* Every service answers bus.Replay once its outbox is migrated and the
         * database answers: the same condition as /readyz. */
        Seklik__Bus__ReplayRequest req = SEKLIK__BUS__REPLAY_REQUEST__INIT;
        req.limit = 1;
        Seklik__Bus__ReplayResponse *resp = NULL;
        char why[128];
        if (sk_rpc_call_decode(c, "bus.Replay", NULL, NULL, &req.base,
                               &seklik__bus__replay_response__descriptor, 500,
                               (ProtobufCMessage **)&resp, why, sizeof(why)) == SK_OK) {
            ready = true;
            protobuf_c_message_free_unpacked(&resp->base, NULL);
        } else {
            sk_test_sleep_ms(50);
        }
    }
    sk_rpc_client_close(c);
    return ready;
}

int sk_test_http_get(const char *url, char *body, size_t cap)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "curl -s -m 5 -w '\\n%%{http_code}' '%s'", url);
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    size_t n = fread(body, 1, cap - 1, f);
    body[n] = '\0';
    pclose(f);
    char *last = strrchr(body, '\n');
    if (!last)
        return -1;
    int status = atoi(last + 1);
    *last = '\0';
    return status;
}

long long sk_test_metric(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, name, n) == 0 && (p[n] == '{' || p[n] == ' ')) {
            const char *sp = strchr(p, ' ');
            if (sp)
                return strtoll(sp + 1, NULL, 10);
        }
    }
    return -1;
}

long long sk_test_sql_number(const char *dsn, const char *sql)
{
    return sk_test_sql_number_params(dsn, sql, 0, NULL);
}

long long sk_test_sql_number_p(const char *dsn, const char *sql, const char *param)
{
    return sk_test_sql_number_params(dsn, sql, param ? 1 : 0, &param);
}

/* With no parameters the statement goes through PQexec, so a caller may
 * still send several constant statements in one string. */
static PGresult *exec_params(PGconn *c, const char *sql, int n, const char *const *params)
{
    return n > 0 ? PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0) : PQexec(c, sql);
}

long long sk_test_sql_number_params(const char *dsn, const char *sql, int n,
                                    const char *const *params)
{
    PGconn *c = PQconnectdb(dsn);
    long long v = -1;
    if (PQstatus(c) == CONNECTION_OK) {
        PGresult *r = exec_params(c, sql, n, params);
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
            v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        else if (PQresultStatus(r) != PGRES_TUPLES_OK)
            fprintf(stderr, "sk_test: %s: %s", sql, PQresultErrorMessage(r));
        PQclear(r);
    }
    PQfinish(c);
    return v;
}

int sk_test_sql_exec(const char *dsn, const char *sql)
{
    return sk_test_sql_exec_params(dsn, sql, 0, NULL);
}

int sk_test_sql_exec_params(const char *dsn, const char *sql, int n, const char *const *params)
{
    PGconn *c = PQconnectdb(dsn);
    int rc = -1;
    if (PQstatus(c) == CONNECTION_OK) {
        PGresult *r = exec_params(c, sql, n, params);
        ExecStatusType st = PQresultStatus(r);
        rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : -1;
        if (rc)
            fprintf(stderr, "sk_test: %s: %s", sql, PQresultErrorMessage(r));
        PQclear(r);
    }
    PQfinish(c);
    return rc;
}

void sk_test_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

void sk_test_peer_setenv(sk_test_peer *p, const char *key, const char *value)
{
    snprintf(p->env[p->n_env], sizeof(p->env[0]), "%s=%s", key, value);
    p->envp[p->n_env] = p->env[p->n_env];
    p->n_env++;
    p->envp[p->n_env] = NULL;
}

static void upper_name(char *out, size_t cap, const char *name, const char *what)
{
    size_t n = (size_t)snprintf(out, cap, "SEKLIK_");
    for (const char *s = name; *s && n < cap - 1; s++)
        out[n++] = (char)(*s >= 'a' && *s <= 'z' ? *s - 32 : *s);
    snprintf(out + n, cap - n, "_%s", what);
}

static char g_tls_dir[64];

static void remove_tls_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_tls_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "sk_test: could not remove %s\n", g_tls_dir);
}

const char *sk_test_tls_dir(void)
{
    static int made = -1;
    if (made >= 0)
        return made ? g_tls_dir : NULL;
    made = 0;
    snprintf(g_tls_dir, sizeof(g_tls_dir), "/tmp/seklik-test-tls-XXXXXX");
    if (!mkdtemp(g_tls_dir))
        return NULL;
    atexit(remove_tls_dir);
    /* EC P-256 keys; leaf certificates for both ends of a connection. */
    static const char script[] =
        "set -e\n"
        "cd \"$1\"\n"
        "key() {\n"
        "  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out \"$1.key\"\n"
        "}\n"
        "ca() { key \"$1\"; openssl req -x509 -new -key \"$1.key\" -out \"$1.pem\" -days 2 \\\n"
        "  -subj \"/CN=$1\"; }\n"
        "leaf() {\n"
        "  key \"$1\"\n"
        "  openssl req -new -key \"$1.key\" -out \"$1.csr\" -subj \"/CN=$1\"\n"
        "  printf 'basicConstraints=CA:FALSE\\nkeyUsage=digitalSignature\\n"
        "extendedKeyUsage=serverAuth,clientAuth\\nsubjectAltName=%s\\n' \"$3\" > \"$1.ext\"\n"
        "  openssl x509 -req -in \"$1.csr\" -CA \"$2.pem\" -CAkey \"$2.key\" -CAcreateserial \\\n"
        "    -days 2 -extfile \"$1.ext\" -out \"$1.pem\"\n"
        "}\n"
        "ca ca\n"
        "ca other-ca\n"
        "names='DNS:localhost,DNS:127.0.0.1,IP:127.0.0.1'\n"
        "leaf node ca \"$names\"\n"
        "leaf rogue other-ca \"$names\"\n"
        "leaf wrongname ca DNS:someone-else\n";
    char path[128], cmd[512];
    snprintf(path, sizeof(path), "%s/make-certs.sh", g_tls_dir);
    FILE *f = fopen(path, "w");
    if (!f || fputs(script, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "sk_test: cannot write %s\n", path);
        return NULL;
    }
    snprintf(cmd, sizeof(cmd), "sh '%s' '%s' >'%s/openssl.log' 2>&1", path, g_tls_dir,
             g_tls_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "sk_test: making test certificates failed; see %s/openssl.log\n",
                g_tls_dir);
        return NULL;
    }
    made = 1;
    return g_tls_dir;
}

const char *sk_test_bus_scheme(void)
{
    const char *tls = getenv("SEKLIK_TEST_TLS");
    if (!tls || strcmp(tls, "1") != 0)
        return "tcp";
    const char *dir = sk_test_tls_dir();
    if (!dir)
        return "tcp"; /* the peers then refuse nothing: the TLS tests fail */
    static const char *const files[][2] = {{"SEKLIK_TLS_CERT", "node.pem"},
                                           {"SEKLIK_TLS_KEY", "node.key"},
                                           {"SEKLIK_TLS_CA", "ca.pem"}};
    char path[128];
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i][1]);
        setenv(files[i][0], path, 1);
    }
    return "tls+tcp";
}

void sk_test_peer_init(sk_test_peer *p, const char *name, const char *dsn, const char *redis_url)
{
    memset(p, 0, sizeof(*p));
    const char *scheme = sk_test_bus_scheme();
    snprintf(p->name, sizeof(p->name), "%s", name);
    snprintf(p->rpc, sizeof(p->rpc), "%s://127.0.0.1:%d", scheme, sk_test_free_port());
    snprintf(p->events, sizeof(p->events), "%s://127.0.0.1:%d", scheme, sk_test_free_port());
    snprintf(p->http, sizeof(p->http), "http://127.0.0.1:%d", sk_test_free_port());
    char key[64];
    sk_test_peer_setenv(p, "SEKLIK_DB_DSN", dsn);
    sk_test_peer_setenv(p, "SEKLIK_REDIS_URL", redis_url);
    sk_test_peer_setenv(p, "SEKLIK_HMAC_KEY", sk_test_hmac_hex);
    sk_test_peer_setenv(p, "SEKLIK_LOG_LEVEL", "warn");
    sk_test_peer_setenv(p, "SEKLIK_REPLAY_INTERVAL_MS", "200");
    if (strcmp(scheme, "tls+tcp") == 0) {
        static const char *const vars[] = {"SEKLIK_TLS_CERT", "SEKLIK_TLS_KEY", "SEKLIK_TLS_CA"};
        for (size_t i = 0; i < 3; i++)
            sk_test_peer_setenv(p, vars[i], getenv(vars[i]));
    }
    static const char *const peers[] = {"registry", "verification", "scoring",
                                        "ordering", "distribution", "accounting",
                                        "gateway"};
    char nowhere[64];
    snprintf(nowhere, sizeof(nowhere), "%s://127.0.0.1:%d", scheme, sk_test_free_port());
    for (size_t i = 0; i < sizeof(peers) / sizeof(peers[0]); i++) {
        upper_name(key, sizeof(key), peers[i], "RPC");
        sk_test_peer_setenv(p, key, nowhere);
        upper_name(key, sizeof(key), peers[i], "EVENTS");
        sk_test_peer_setenv(p, key, nowhere);
    }
    upper_name(key, sizeof(key), name, "RPC");
    sk_test_peer_setenv(p, key, p->rpc);
    upper_name(key, sizeof(key), name, "EVENTS");
    sk_test_peer_setenv(p, key, p->events);
    upper_name(key, sizeof(key), name, "HTTP");
    sk_test_peer_setenv(p, key, p->http);
}

void sk_test_peer_link(sk_test_peer *p, const sk_test_peer *other)
{
    char key[64];
    upper_name(key, sizeof(key), other->name, "RPC");
    sk_test_peer_setenv(p, key, other->rpc);
    upper_name(key, sizeof(key), other->name, "EVENTS");
    sk_test_peer_setenv(p, key, other->events);
}

int sk_test_peer_start(sk_test_peer *p, const char *binary, const char *log)
{
    if (sk_proc_start(&p->proc, binary, p->envp, log) != 0)
        return -1;
    if (!sk_test_wait_ready(p->rpc, 10000)) {
        fprintf(stderr, "sk_test: %s did not become ready; see %s\n", p->name, log);
        return -1;
    }
    return 0;
}
