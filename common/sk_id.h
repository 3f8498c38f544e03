/* sk_id.h - identifiers and clocks. */
#ifndef SK_ID_H
#define SK_ID_H

#include <stdbool.h>
#include <stdint.h>

#define SK_UUID_STRLEN 37 /* 36 characters and NUL */

/* A UUIDv7 (RFC 9562: 48-bit Unix ms timestamp, random rest) as lower-case
 * text into `out`. Random bits come from libsodium; sodium_init must have run
 * (sk_service_main and the tests do it). */
void sk_uuid7(char out[SK_UUID_STRLEN]);

/* True when `s` is a UUID in its 36-character text form (any version,
 * either case). Ids from outside are checked with it before they reach SQL,
 * so a bad one is a named violation, not a database error. */
bool sk_uuid_valid(const char *s);

/* Wall clock in microseconds / milliseconds since the Unix epoch. */
int64_t sk_now_unix_us(void);
int64_t sk_now_unix_ms(void);

/* Monotonic clock in nanoseconds, for durations. */
uint64_t sk_now_mono_ns(void);

#endif
