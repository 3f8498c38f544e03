/* sk_limits.h - a bound on every field of every message on the bus, kept in
 * one table (sk_limits_table.c) and enforced in one place.
 *
 * The table is keyed by a field's full protobuf name
 * ("seklik.registry.CompanyInput.domicile_letter_number"). The RPC server runs
 * sk_limits_check on every decoded request body before its handler, so a
 * service refuses an oversized, out-of-range or badly encoded value with
 * INVALID_ARGUMENT naming the field, and writes nothing. The gateway's
 * OpenAPI document publishes the same bounds.
 *
 * What the table bounds, by field type:
 *   string   length in characters (UTF-8 code points), optionally a format;
 *   bytes    length in bytes;
 *   integers and floating point: a closed range [min, max];
 *   repeated fields also a count of entries.
 * Enums, bools and singular sub-messages need no entry: an enum's value is
 * judged by the handler that knows what it means (with a better message),
 * and a sub-message is walked field by field. Every string is also checked to
 * be valid UTF-8, with or without an entry (protobuf-c 1.4.1 does not check,
 * and PostgreSQL refuses invalid text with an error, not a field name). */
#ifndef SK_LIMITS_H
#define SK_LIMITS_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    SK_LIMIT_TEXT = 1, /* string: max_len code points */
    SK_LIMIT_BYTES,    /* bytes: max_len bytes */
    SK_LIMIT_INT,      /* any integer type: min..max */
    SK_LIMIT_REAL,     /* float, double: fmin..fmax; NaN is always out */
    SK_LIMIT_LIST,     /* a repeated enum, bool or message: max_items only */
} sk_limit_kind;

typedef enum {
    SK_FORMAT_NONE = 0,
    /* "" or a UUID in its 36-character text form, either case; the checker
     * rewrites it in lower case in place, as ids are stored and compared
     * (cache keys, partner's company id). */
    SK_FORMAT_UUID,
} sk_limit_format;

typedef struct sk_limit {
    const char *field; /* full protobuf name: package.Message.field_name */
    sk_limit_kind kind;
    uint32_t max_len;   /* TEXT: code points; BYTES: bytes */
    uint32_t max_items; /* repeated fields: entries (0 for a singular field) */
    int64_t min, max;   /* INT */
    double fmin, fmax;  /* REAL */
    sk_limit_format format;
} sk_limit;

/* The table, in no particular order (sk_limits_find sorts a copy once). */
extern const sk_limit sk_limits_table[];
extern const size_t sk_limits_table_len;

/* The entry for field `f` of message `md`, or NULL when the table has none.
 * Thread-safe. */
const sk_limit *sk_limits_find(const ProtobufCMessageDescriptor *md,
                               const ProtobufCFieldDescriptor *f);

/* Called once per violation: `field` is the lowerCamelCase path from the
 * message checked ("company.domicileLetterNumber", "outlets[2].url",
 * "company.kbli[0]"), `code` one of SK_LIMITS_CODES, `english` the English
 * text with the limit in it ("at most 200 characters"). All valid only
 * during the call. */
typedef void (*sk_limits_violation_fn)(void *arg, const char *field, const char *code,
                                       const char *english);

/* Every code the walk gives, space-separated: the web UI's catalogue test
 * reads this line, so a new code here needs its words there. */
#define SK_LIMITS_CODES \
    "text.invalid_utf8 too_long id.invalid out_of_range too_large too_many nested_too_deep"

/* At most this many violations are reported for one message; the walk stops
 * there (a request that bad is refused whatever else it holds). */
#define SK_LIMITS_MAX_VIOLATIONS 32

/* Walk `msg` (decoded by protobuf-c, owned by the caller, who may let it be
 * changed) and every sub-message in it, calling `fn` for each field over its
 * bound, each string that is not valid UTF-8, and each non-empty uuid-format
 * string that is not a UUID. UUIDs that pass are lower-cased in place. Over
 * its entry count a repeated field is named once and its entries are not
 * walked. Returns the number of violations (0 = within every limit); `fn`
 * may be NULL to count only. */
size_t sk_limits_check(ProtobufCMessage *msg, sk_limits_violation_fn fn, void *arg);

/* The number of code points in `len` bytes of UTF-8 at `s`, or -1 when they
 * are not valid UTF-8 (overlong forms, surrogates, code points above
 * U+10FFFF, a sequence cut short, a stray continuation byte). */
long sk_utf8_count(const char *s, size_t len);

#endif
