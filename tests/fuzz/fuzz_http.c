/* fuzz_http.c - raw bytes at the gateway's HTTP port.
 *
 * The gateway's own HTTP layer (libmicrohttpd, routing, body limits, static
 * files from a scratch web root, the error writer, the OpenAPI document,
 * health) runs in-process with a libuv loop on its own thread, no database
 * and no bus: every service is unreachable, so requests that need one are
 * answered 401/503 at once. Each input is written as one connection's bytes
 * over a socketpair handed to MHD (MHD_add_connection), then the write side
 * is shut. Whatever the bytes, nothing may crash or leak, and any answer
 * must start with "HTTP/1.x NNN ". */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "sk_err.h"
#include "sk_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* MHD does not give up on a half-closed connection whose request is
 * incomplete before its idle timeout, so the reader stops after this long
 * without a byte (answers to complete requests come within a few ms). */
#define IDLE_MS 50

static gw_app app;
static uv_loop_t loop;
static pthread_t loop_thread;
static char web_root[64];

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
}

static void *run_loop(void *arg)
{
    (void)arg;
    uv_run(&loop, UV_RUN_DEFAULT);
    return NULL;
}

static void start_once(void)
{
    static bool started;
    if (started)
        return;
    started = true;
    signal(SIGPIPE, SIG_IGN);
    if (sodium_init() < 0)
        abort();
    sk_log_init("gateway", SK_LOG_ERROR);

    /* A small UI: the index, a fingerprinted asset, and a link out of the
     * root that must never be followed. */
    snprintf(web_root, sizeof(web_root), "/tmp/fuzz_http_web.XXXXXX");
    if (!mkdtemp(web_root))
        abort();
    char assets[128];
    snprintf(assets, sizeof(assets), "%s/assets", web_root);
    mkdir(assets, 0700);
    write_file(web_root, "index.html", "<!doctype html><title>SEKLIK</title>\n");
    write_file(web_root, "assets/app-3f9a1c2b.js", "console.log('seklik');\n");
    char link[128];
    snprintf(link, sizeof(link), "%s/etc", web_root);
    if (symlink("/etc", link) != 0 && errno != EEXIST)
        abort();

    app.cfg = (gw_config){
        .listen_url = "http://127.0.0.1:0",
        .web_root = web_root,
        .self_rpc_url = NULL,
        .max_header_bytes = 8192,
        .max_body_bytes = 4096,
        .max_connections = 64,
        .per_ip_connections = 0,
        .connection_timeout_s = 1,
        .header_timeout_s = 1,
        .body_timeout_s = 2,
        .workers = 1,
        .call_timeout_ms = 100,
        .public_ttl_s = 60,
    };
    /* Connections come from 127.0.0.1: trusting it puts X-Forwarded-For in reach. */
    if (!gw_proxies_parse("127.0.0.1", &app.cfg.proxies, NULL, 0))
        abort();
    if (uv_loop_init(&loop) != 0)
        abort();
    app.loop = &loop;
    if (gw_server_start(&app, true) != SK_OK)
        abort();
    if (pthread_create(&loop_thread, NULL, run_loop, NULL) != 0)
        abort();
}

static bool status_line_ok(const char *buf, size_t n)
{
    /* "HTTP/1.x NNN " */
    if (n < 13 || memcmp(buf, "HTTP/1.", 7) != 0 || (buf[7] != '0' && buf[7] != '1') ||
        buf[8] != ' ' || buf[12] != ' ')
        return false;
    for (int i = 9; i < 12; i++)
        if (buf[i] < '0' || buf[i] > '9')
            return false;
    return buf[9] >= '1' && buf[9] <= '5';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    start_once();
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        abort();
    if (gw_http_add_connection(app.http, sv[1]) != SK_OK) {
        close(sv[0]);
        return 0; /* over the connection limit: refused, fine */
    }
    /* MHD reads while we write; it may answer and close early (413). */
    size_t off = 0;
    while (off < size) {
        ssize_t w = send(sv[0], data + off, size - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    shutdown(sv[0], SHUT_WR);

    char head[64];
    size_t got = 0;
    char sink[16384];
    for (;;) {
        struct pollfd p = {.fd = sv[0], .events = POLLIN};
        int pr = poll(&p, 1, IDLE_MS);
        if (pr == 0)
            break;
        if (pr < 0 && errno == EINTR)
            continue;
        ssize_t r = recv(sv[0], sink, sizeof(sink), 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        if (got < sizeof(head)) {
            size_t k = (size_t)r < sizeof(head) - got ? (size_t)r : sizeof(head) - got;
            memcpy(head + got, sink, k);
            got += k;
        } else {
            got += (size_t)r;
        }
    }
    close(sv[0]);
    if (got > 0 && !status_line_ok(head, got < sizeof(head) ? got : sizeof(head))) {
        fprintf(stderr, "fuzz_http: answer does not start with a status line: %.*s\n",
                (int)(got < sizeof(head) ? got : sizeof(head)), head);
        abort();
    }
    return 0;
}
