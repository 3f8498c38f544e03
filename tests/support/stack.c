/* seklik-test-stack - the whole system on the fixture's PostgreSQL and Redis,
 * for the browser tests and the gateway benchmark.
 *
 *   seklik-test-stack BUILD_DIR LOG_DIR ENV_OUT [DB_NAME] [--existing-db] [--supervise]
 *
 * Creates database DB_NAME (default "stack"; dropped first; with
 * --existing-db used as it is, e.g. restored from a backup), starts the seven
 * services on free loopback ports, all linked to each other, creates the demo
 * users (scripts/demo-users), writes ENV_OUT (KEY='VALUE' lines, among them
 * SEKLIK_GATEWAY_URL, SEKLIK_DB_DSN and SEKLIK_HMAC_KEY) once everything is ready, and runs
 * until SIGTERM or SIGINT. Then it stops every service with SIGTERM and exits
 * 0 only if all of them exited 0. Needs SEKLIK_TEST_ENV_FILE (the fixture).
 * Each service's pid is in LOG_DIR/stack-NAME.pid. With --supervise a
 * service that exits is started again (the chaos test kills them), and each
 * exit is reported on stderr: "seklik-test-stack: NAME exited with N". */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sk_test.h"

static const char *const names[] = {"registry", "verification", "scoring", "ordering",
                                    "distribution", "accounting", "gateway"};
#define N_SVC (sizeof(names) / sizeof(names[0]))

static volatile sig_atomic_t g_stop;

static void write_pid(const char *log_dir, const sk_test_peer *p)
{
    char path[512], tmp[520];
    snprintf(path, sizeof(path), "%s/stack-%s.pid", log_dir, p->name);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f) {
        fprintf(f, "%d\n", (int)p->proc.pid);
        fclose(f);
        rename(tmp, path);
    }
}

/* Start service `p` again after it exited; not being ready within the wait
 * is no failure here (its database may be down for a moment). */
static void restart(const char *build_dir, const char *log_dir, sk_test_peer *p, int status)
{
    fprintf(stderr, "seklik-test-stack: %s exited with %d; restarting\n", p->name, status);
    char bin[512], log[512];
    snprintf(bin, sizeof(bin), "%s/services/%s/seklik-%s", build_dir, p->name, p->name);
    snprintf(log, sizeof(log), "%s/stack-%s.log", log_dir, p->name);
    if (sk_test_peer_start(p, bin, log) != 0 && p->proc.pid <= 0)
        fprintf(stderr, "seklik-test-stack: %s could not be started again\n", p->name);
    write_pid(log_dir, p);
}

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

/* Run scripts/demo-users with the stack's database; 0 on success. */
static int create_demo_users(const char *build_dir, const char *dsn, const char *log)
{
    char ctl[512], script[512];
    snprintf(ctl, sizeof(ctl), "%s/services/gateway/seklikctl", build_dir);
    snprintf(script, sizeof(script), "%s/scripts/demo-users", SEKLIK_SOURCE_DIR);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        FILE *f = freopen(log, "a", stdout);
        if (f)
            dup2(fileno(stdout), STDERR_FILENO);
        setenv("SEKLIK_DB_DSN", dsn, 1);
        execl("/bin/bash", "bash", script, ctl, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    const char *db_name = "stack";
    bool existing_db = false, supervise = false;
    int positional = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--existing-db") == 0)
            existing_db = true;
        else if (strcmp(argv[i], "--supervise") == 0)
            supervise = true;
        else if (++positional == 4)
            db_name = argv[i];
    }
    if (positional < 3 || positional > 4 || argv[1][0] == '-' || argv[2][0] == '-' ||
        argv[3][0] == '-') {
        fprintf(stderr,
                "usage: %s BUILD_DIR LOG_DIR ENV_OUT [DB_NAME] [--existing-db] [--supervise]\n",
                argv[0]);
        return 2;
    }
    const char *build_dir = argv[1], *log_dir = argv[2], *env_out = argv[3];
    const char *redis = sk_test_env("SEKLIK_TEST_REDIS_URL");
    const char *server = sk_test_env("SEKLIK_TEST_PG_DSN");
    char dsn[512];
    if (existing_db && server)
        snprintf(dsn, sizeof(dsn), "%s dbname=%s", server, db_name);
    if (!redis || (!existing_db && !sk_test_create_db(db_name, dsn, sizeof(dsn))) || !server) {
        fprintf(stderr, "seklik-test-stack: no fixture (SEKLIK_TEST_ENV_FILE)\n");
        return 1;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);

    static sk_test_peer peers[N_SVC];
    for (size_t i = 0; i < N_SVC; i++)
        sk_test_peer_init(&peers[i], names[i], dsn, redis);
    for (size_t i = 0; i < N_SVC; i++)
        for (size_t k = 0; k < N_SVC; k++)
            if (i != k)
                sk_test_peer_link(&peers[i], &peers[k]);
    sk_test_peer *gw = &peers[N_SVC - 1];
    char url[64], web[512];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", sk_test_free_port());
    snprintf(web, sizeof(web), "%s/web", build_dir);
    sk_test_peer_setenv(gw, "SEKLIK_GATEWAY_LISTEN", url);
    sk_test_peer_setenv(gw, "SEKLIK_GATEWAY_WEB_ROOT", web);
    sk_test_peer_setenv(gw, "SEKLIK_LOG_LEVEL", "info");

    int rc = 0;
    size_t started = 0;
    char bin[512], log[512];
    for (; started < N_SVC && !g_stop; started++) {
        snprintf(bin, sizeof(bin), "%s/services/%s/seklik-%s", build_dir, names[started],
                 names[started]);
        snprintf(log, sizeof(log), "%s/stack-%s.log", log_dir, names[started]);
        if (sk_test_peer_start(&peers[started], bin, log) != 0) {
            rc = 1;
            break;
        }
        write_pid(log_dir, &peers[started]);
    }
    snprintf(log, sizeof(log), "%s/stack-demo-users.log", log_dir);
    if (rc == 0 && !g_stop && create_demo_users(build_dir, dsn, log) != 0) {
        fprintf(stderr, "seklik-test-stack: demo users failed; see %s\n", log);
        rc = 1;
    }
    if (rc == 0 && !g_stop) {
        char tmp[600];
        snprintf(tmp, sizeof(tmp), "%s.tmp", env_out);
        FILE *f = fopen(tmp, "w");
        if (!f) {
            rc = 1;
        } else {
            /* Quoted for the shell: the DSN has spaces. */
            fprintf(f,
                    "SEKLIK_GATEWAY_URL='%s'\nSEKLIK_DB_DSN='%s'\nSEKLIK_REDIS_URL='%s'\n"
                    "SEKLIK_HMAC_KEY='%s'\n",
                    url, dsn, redis, sk_test_hmac_hex);
            for (size_t i = 0; i < N_SVC; i++)
                fprintf(f, "SEKLIK_STACK_%s_RPC='%s'\nSEKLIK_STACK_%s_HTTP='%s'\n", names[i],
                        peers[i].rpc, names[i], peers[i].http);
            fclose(f);
            rename(tmp, env_out);
            fprintf(stderr, "seklik-test-stack: ready at %s\n", url);
        }
    }
    while (rc == 0 && !g_stop && !supervise)
        pause();
    while (rc == 0 && !g_stop && supervise) {
        for (size_t i = 0; i < N_SVC && !g_stop; i++) {
            int st = peers[i].proc.pid > 0 ? sk_proc_wait(&peers[i].proc, 0) : 255;
            if (st != -1)
                restart(build_dir, log_dir, &peers[i], st);
        }
        sk_test_sleep_ms(50);
    }

    /* The gateway first: nothing new reaches the others while they drain. */
    for (size_t i = started; i-- > 0;)
        sk_proc_signal(&peers[i].proc, SIGTERM);
    for (size_t i = started; i-- > 0;) {
        int st = sk_proc_wait(&peers[i].proc, 20000);
        if (st != 0) {
            fprintf(stderr, "seklik-test-stack: %s exited with %d (log %s)\n", names[i], st,
                    peers[i].proc.log);
            if (st == -1) {
                sk_proc_dump_stacks(&peers[i].proc);
                sk_proc_signal(&peers[i].proc, SIGKILL);
                sk_proc_wait(&peers[i].proc, 5000);
            }
            rc = 1;
        }
    }
    unlink(env_out);
    return rc;
}
