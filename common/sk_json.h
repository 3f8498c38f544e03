/* sk_json.h - JSON <-> protobuf, driven only by protobuf-c message descriptors.
 *
 * The gateway's one transcoder (DESIGN.md section 2): no per-endpoint mapping,
 * the proto3 JSON mapping throughout. Keys are lowerCamelCase (derived from the
 * field name, foo_bar -> fooBar; the snake_case name is accepted on input too),
 * 64-bit integers are decimal strings (JSON numbers up to 2^53 are read too),
 * enums are value names (numbers are read too), bytes are standard base64 with
 * padding (read: standard or URL-safe, padded or not), and NaN and the
 * infinities are the strings "NaN", "Infinity", "-Infinity".
 *
 * Not supported: map fields (they read and write as arrays of entry messages)
 * and the well-known types' special forms (Timestamp, Duration, wrappers, Any). */
#ifndef SK_JSON_H
#define SK_JSON_H

#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

/* Largest JSON document sk_json_to_pb reads, and deepest nesting of objects and
 * arrays it accepts (the outermost object is depth 1). */
#define SK_JSON_MAX_LEN   ((size_t)16 * 1024 * 1024)
#define SK_JSON_MAX_DEPTH 32

/* Why a conversion failed. `field` is the path to the offending value in JSON
 * names ("company.outlets[2].type"; "" for the document itself, e.g. when it is
 * not valid JSON); `message` says what is wrong with it. Both are always
 * NUL-terminated, truncated when too long. */
typedef struct sk_json_error {
    char field[128];
    char message[160];
} sk_json_error;

/* Parse `len` bytes of JSON at `json` (need not be NUL-terminated) into a new
 * message of type `desc`. Unknown keys, a key given twice (also as fooBar and
 * foo_bar), values of the wrong type or out of range, strings that are not valid
 * UTF-8, bad base64, unknown enum names, two members of one oneof, input over
 * SK_JSON_MAX_LEN or nested deeper than SK_JSON_MAX_DEPTH, and anything but
 * whitespace after the document are all errors.
 *
 * On SK_OK `*out` is the message, owned by the caller, who frees it with
 * protobuf_c_message_free_unpacked(*out, NULL). Otherwise `*out` is NULL and the
 * result is SK_EINVAL (with `*err` filled in, when `err` is not NULL) or
 * SK_ENOMEM. */
int sk_json_to_pb(const ProtobufCMessageDescriptor *desc, const char *json, size_t len,
                  ProtobufCMessage **out, sk_json_error *err);

/* Write `msg` as compact JSON. Fields equal to their proto3 default (0, false,
 * "", empty bytes, empty repeated, no sub-message) are left out, except the set
 * member of a oneof and proto2 fields that are present.
 *
 * On SK_OK `*json` is a NUL-terminated string the caller frees with free().
 * Otherwise `*json` is NULL and the result is SK_EINVAL (a string field holds
 * invalid UTF-8, which JSON cannot carry) or SK_ENOMEM. */
int sk_pb_to_json(const ProtobufCMessage *msg, char **json);

struct cJSON;

/* The integer `item` holds, or `fallback` when it is absent, not a number, not
 * whole, or outside [min, max]. For JSON this process wrote itself and reads
 * back (jsonb columns): a missing member or a row changed by hand must not turn
 * into undefined behaviour (NaN cast to int). */
int sk_json_int(const struct cJSON *item, int min, int max, int fallback);

#endif
