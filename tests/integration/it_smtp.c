/* it_smtp.c - see it_smtp.h. */
#include "sk_test.h"
#include "it_smtp.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int it_smtp_init(it_smtp *s, const char *logdir, const char *name)
{
    memset(s, 0, sizeof(*s));
    s->port = sk_test_free_port();
    snprintf(s->dir, sizeof(s->dir), "%s/%s-maildir", logdir, name);
    snprintf(s->script, sizeof(s->script), "%s/%s-relay.sh", logdir, name);
    snprintf(s->log, sizeof(s->log), "%s/%s-relay.log", logdir, name);
    /* aiosmtpd makes the maildir itself; an existing empty one makes it fail */
    char cmd[800];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
    if (system(cmd) != 0)
        return -1;
    FILE *f = fopen(s->script, "w");
    if (!f)
        return -1;
    fprintf(f,
            "#!/bin/sh\nexec /usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:%d"
            " -c aiosmtpd.handlers.Mailbox '%s'\n",
            s->port, s->dir);
    fclose(f);
    return chmod(s->script, 0755);
}

static bool greets(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    char buf[4] = "";
    bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
              read(fd, buf, 3) == 3 && memcmp(buf, "220", 3) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

int it_smtp_start(it_smtp *s)
{
    if (sk_proc_start(&s->proc, s->script, NULL, s->log) != 0)
        return -1;
    for (int i = 0; i < 400; i++) {
        if (greets(s->port))
            return 0;
        sk_test_sleep_ms(25);
    }
    fprintf(stderr, "it_smtp: the relay did not start on port %d; see %s\n", s->port, s->log);
    return -1;
}

void it_smtp_kill(it_smtp *s)
{
    sk_proc_signal(&s->proc, SIGKILL);
    sk_proc_wait(&s->proc, 5000);
}

void it_smtp_url(const it_smtp *s, char *out, size_t cap)
{
    snprintf(out, cap, "smtp://127.0.0.1:%d", s->port);
}

long it_smtp_unread(const it_smtp *s)
{
    FILE *f = fopen("/proc/net/tcp", "r");
    if (!f)
        return -1;
    char line[512];
    long total = 0;
    bool header = true;
    while (fgets(line, sizeof(line), f)) {
        if (header) {
            header = false;
            continue;
        }
        unsigned local_ip, local_port, rem_ip, rem_port, st;
        unsigned long tx, rx;
        if (sscanf(line, " %*d: %x:%x %x:%x %x %lx:%lx", &local_ip, &local_port, &rem_ip,
                   &rem_port, &st, &tx, &rx) == 7 &&
            (int)local_port == s->port && st == 1 /* ESTABLISHED */)
            total += (long)rx;
    }
    fclose(f);
    return total;
}
