/* nng_pub_leak: proves scripts/lsan.supp is as narrow as it claims.
 *
 * NNG 1.5.2 loses a frame that PUB hands to a pipe whose peer is just
 * disconnecting (see scripts/lsan.supp). This program provokes exactly that:
 * a PUB socket sends for two seconds while raw TCP peers say the SP hello of a
 * SUB and drop the connection. It then asks LeakSanitizer for a report:
 *   nng_pub_leak            exit 0 when no leak is left unsuppressed;
 *   nng_pub_leak --own-leak also leaks a buffer of its own and exits 0 only
 *                           when LeakSanitizer reports it, i.e. the NNG
 *                           suppression does not hide a leak of ours.
 * Exit 77 (skip) when LeakSanitizer is off (scripts/test sets detect_leaks=0
 * where it cannot run); an own leak not reported otherwise is a failure. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <nng/nng.h>
#include <nng/protocol/pubsub0/pub.h>
#include <nng/supplemental/util/platform.h>
#include <pthread.h>
#include <sanitizer/lsan_interface.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PEERS 4
#define SEND_MS 2000
#define SKIP 77

static atomic_bool g_stop;
static int g_port;

/* A SUB peer without NNG: the 8-byte SP hello (protocol 0x21), a short read,
 * then a close while PUB is still sending. */
static void *churn(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    static const unsigned char hello[8] = {0, 'S', 'P', 0, 0, 0x21, 0, 0};
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g_port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    char junk[4096];
    while (!atomic_load(&g_stop)) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0)
            return NULL;
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
            write(fd, hello, sizeof(hello)) == (ssize_t)sizeof(hello)) {
            usleep(1000 + (useconds_t)(rand_r(&seed) % 2000));
            if (read(fd, junk, sizeof(junk)) < 0)
                perror("read");
        }
        close(fd);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    bool own_leak = argc > 1 && strcmp(argv[1], "--own-leak") == 0;
    const char *asan = getenv("ASAN_OPTIONS");
    if (asan && strstr(asan, "detect_leaks=0")) {
        fprintf(stderr, "nng_pub_leak: LeakSanitizer is off (detect_leaks=0)\n");
        return SKIP;
    }
    nng_socket pub;
    nng_listener l;
    if (nng_pub0_open(&pub) != 0 || nng_listen(pub, "tcp://127.0.0.1:0", &l, 0) != 0 ||
        nng_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, &g_port) != 0) {
        fprintf(stderr, "nng_pub_leak: cannot listen\n");
        return 2;
    }
    pthread_t peers[PEERS];
    for (uintptr_t i = 0; i < PEERS; i++)
        if (pthread_create(&peers[i], NULL, churn, (void *)(i + 1)) != 0)
            return 2;
    char frame[290];
    memset(frame, 'x', sizeof(frame));
    long sent = 0;
    for (nng_time end = nng_clock() + SEND_MS; nng_clock() < end; sent++)
        nng_send(pub, frame, sizeof(frame), NNG_FLAG_NONBLOCK);
    atomic_store(&g_stop, true);
    for (int i = 0; i < PEERS; i++)
        pthread_join(peers[i], NULL);
    nng_close(pub);
    fprintf(stderr, "nng_pub_leak: %ld frames sent\n", sent);

    /* Hidden from LeakSanitizer's scan (the pointer is stored masked), so it
     * counts as leaked until it is unmasked and freed after the check. */
    static volatile uintptr_t masked;
    if (own_leak) {
        char *mine = malloc(123);
        if (!mine)
            return 2;
        memset(mine, 1, 123);
        masked = (uintptr_t)mine ^ (uintptr_t)0x5a5a5a5a5a5a5a5aull;
        mine = NULL;
    }
    int leaked = __lsan_do_recoverable_leak_check();
    if (own_leak) {
        free((void *)(masked ^ (uintptr_t)0x5a5a5a5a5a5a5a5aull));
        if (!leaked) {
            fprintf(stderr, "nng_pub_leak: own leak not reported: a suppression hides it\n");
            return 1;
        }
        return 0;
    }
    return leaked ? 1 : 0;
}
