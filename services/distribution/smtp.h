/* smtp.h - one e-mail message at a time to an SMTP relay, through libcurl.
 *
 * A sender keeps one libcurl easy handle, so consecutive messages reuse the
 * relay's connection. Each message is built with curl_mime: a
 * multipart/alternative text and HTML part (quoted-printable), then the
 * files (base64). One recipient per message: the relay's answer is that
 * recipient's answer.
 *
 * The hand-over hook runs once per message, on the sending thread, when
 * libcurl has taken the last byte of the message's content from us: what is
 * left (the closing MIME boundary and the end-of-data line) goes to the
 * socket right after it returns. Before the hook, an interrupted message is
 * dropped by the relay with the connection (RFC 5321: no end of data, no
 * mail); after it, the relay has, or is about to have, all of it. The mail
 * job records that moment (see mailer.c) to decide what a crash meant.
 *
 * Not thread-safe: one sender per thread. curl_global_init must have run. */
#ifndef DISTRIBUTION_SMTP_H
#define DISTRIBUTION_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain.h"

typedef struct dist_smtp_config {
    const char *url;       /* smtp://host:port or smtps://host:port (implicit TLS) */
    bool starttls;         /* require STARTTLS on smtp:// */
    const char *user;      /* "" = no AUTH */
    const char *password;
    const char *from;      /* "Name <addr>" or "addr": the From header */
    const char *from_addr; /* its address: MAIL FROM and the Message-ID's domain */
    int timeout_s;         /* connect, and the longest stall of a transfer */
} dist_smtp_config;

typedef struct dist_mail_file {
    const char *name;         /* already safe (dist_safe_file_name) */
    const char *content_type;
    const uint8_t *data;
    size_t len;
} dist_mail_file;

/* One message. Every pointer is the caller's and must stay valid for the
 * call. `text` and `html` have CRLF line ends (dist_compose_release). */
typedef struct dist_mail {
    const char *message_id;   /* "<id@domain>" */
    const char *to;           /* one valid address (dist_email_valid) */
    const char *subject;      /* raw UTF-8; encoded here */
    const char *text, *html;
    const dist_mail_file *files;
    size_t n_files;
    int64_t date;             /* Unix seconds, for the Date header */
} dist_mail;

typedef struct dist_send_result {
    bool ok;                  /* the relay answered 250 to the end of data */
    bool handed_over;         /* the hook ran */
    dist_smtp_phase phase;    /* the last command sent */
    int code;                 /* the relay's last reply code; 0 = none */
    char reply[240];          /* its last reply line, or libcurl's error */
} dist_send_result;

typedef void (*dist_handover_fn)(void *arg);

typedef struct dist_smtp dist_smtp;

/* A sender for `cfg` (its strings must outlive the sender). SK_OK or SK_ENOMEM. */
int dist_smtp_open(const dist_smtp_config *cfg, dist_smtp **out);
void dist_smtp_close(dist_smtp *s);

/* Send `m`; on_handover(arg) (may be NULL) runs as described above. Returns
 * SK_OK when an attempt was made, whatever its outcome (in *res), SK_ENOMEM
 * or SK_EINVAL (an address that is not valid: never sent). */
int dist_smtp_send(dist_smtp *s, const dist_mail *m, dist_handover_fn on_handover, void *arg,
                   dist_send_result *res);

/* Split a From setting, "Name <addr>" or "addr", into its address (lower
 * case not forced) in `addr`. False when there is no valid address. */
bool dist_smtp_parse_from(const char *from, char *addr, size_t cap);

#endif
