/* it_smtp.h - a real SMTP server on loopback for the tests and the
 * benchmark: Debian's python3-aiosmtpd with its Mailbox handler, which
 * writes every message it accepts as one file under DIR/new (a maildir).
 * Include sk_test.h (or it_common.h) first: sk_test.h cannot be included twice. */
#ifndef IT_SMTP_H
#define IT_SMTP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct it_smtp {
    sk_proc proc;
    int port;
    char dir[600];      /* the maildir; aiosmtpd creates it */
    char script[600];   /* its command line (sk_proc_start takes no arguments) */
    char log[600];
} it_smtp;

/* Prepare a relay on a free port with maildir `dir` (removed first) and
 * logs under `logdir` named after `name`. 0 or -1. */
int it_smtp_init(it_smtp *s, const char *logdir, const char *name);

/* Start it and wait until it greets (10 s). 0 or -1. */
int it_smtp_start(it_smtp *s);

/* SIGKILL it and reap it. */
void it_smtp_kill(it_smtp *s);

/* Bytes that reached the relay's connections and that it has not read yet
 * (/proc/net/tcp, rx_queue of its established sockets); -1 if unknown. With
 * the relay stopped (SIGSTOP), more than zero means it is inside a
 * transaction it has not finished reading: killing it then drops that
 * message, and never one it already stored without answering. */
long it_smtp_unread(const it_smtp *s);

/* "smtp://127.0.0.1:PORT" into `out`. */
void it_smtp_url(const it_smtp *s, char *out, size_t cap);

#endif
