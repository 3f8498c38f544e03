/* sk_email.h - the one rule for an e-mail address SEKLIK stores and sends to.
 *
 * The gateway checks users' addresses with it, the distribution service the
 * addresses it puts in RCPT TO and a To: header: an address one accepts the
 * other can always deliver to. Pure: no I/O, no allocation. */
#ifndef SK_EMAIL_H
#define SK_EMAIL_H

#include <stdbool.h>
#include <stddef.h>

#define SK_EMAIL_MAX 254 /* RFC 5321's path limit less the brackets */

/* One '@'; a local part of 1..64 characters of letters, digits and
 * !#$%&'*+-/=?^_`{|}~. with no leading, trailing or doubled dot; a domain
 * of letters, digits and '-' in labels of 1..63 joined by single dots, two
 * labels at least; SK_EMAIL_MAX characters in all. Anything else (spaces,
 * quotes, brackets, a CR or LF above all: SMTP command injection) is not
 * an address. NULL is not one. */
bool sk_email_valid(const char *s);

/* Copy `in` trimmed of surrounding blanks and with its domain in lower case
 * into `out` (capacity `cap`); false when it does not fit. The local part
 * keeps its case (RFC 5321), the domain never matters. */
bool sk_email_normalize(const char *in, char *out, size_t cap);

#endif
