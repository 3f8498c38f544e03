#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_id.h"
#include "sk_limits.h"

/* No .proto of ours nests this deep; a guard, not a rule. */
#define MAX_DEPTH 32

/* ---- the table, sorted once for lookups ---- */

static const sk_limit **sorted;
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

static int by_field(const void *a, const void *b)
{
    return strcmp((*(const sk_limit *const *)a)->field, (*(const sk_limit *const *)b)->field);
}

static void sort_table(void)
{
    sorted = malloc(sk_limits_table_len * sizeof(*sorted));
    if (!sorted)
        return; /* lookups fall back to a linear search */
    for (size_t i = 0; i < sk_limits_table_len; i++)
        sorted[i] = &sk_limits_table[i];
    qsort(sorted, sk_limits_table_len, sizeof(*sorted), by_field);
}

/* Where `entry` sorts against the entries of message `msg`: < 0 before
 * them, 0 when it is one of them (it starts with msg "."), > 0 after. */
static int prefix_cmp(const char *entry, const char *msg)
{
    for (;; msg++, entry++) {
        char want = *msg ? *msg : '.';
        if (*entry != want)
            return (unsigned char)*entry - (unsigned char)want;
        if (!*msg)
            return 0;
    }
}

/* A message's entries: n pointers from `at`. Entries sharing a prefix are
 * adjacent once sorted, so two binary searches find them. */
typedef struct entries {
    const sk_limit *const *at;
    size_t n, skip; /* skip: length of the prefix msg "." */
} entries;

static entries entries_of(const char *msg)
{
    pthread_once(&sorted_once, sort_table);
    size_t skip = strlen(msg) + 1;
    if (!sorted) {
        static const sk_limit *none[1];
        return (entries){none, 0, skip}; /* out of memory once: see message_limit */
    }
    size_t lo = 0, hi = sk_limits_table_len;
    while (lo < hi) { /* first entry not before the prefix */
        size_t mid = lo + (hi - lo) / 2;
        if (prefix_cmp(sorted[mid]->field, msg) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t first = lo;
    hi = sk_limits_table_len;
    while (lo < hi) { /* first entry after the prefix */
        size_t mid = lo + (hi - lo) / 2;
        if (prefix_cmp(sorted[mid]->field, msg) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (entries){sorted + first, lo - first, skip};
}

static const sk_limit *message_limit(const entries *e, const char *msg, const char *field)
{
    for (size_t i = 0; i < e->n; i++)
        if (strcmp(e->at[i]->field + e->skip, field) == 0)
            return e->at[i];
    if (!sorted) /* the sort had no memory: search the table as it is */
        for (size_t i = 0; i < sk_limits_table_len; i++)
            if (prefix_cmp(sk_limits_table[i].field, msg) == 0 &&
                strcmp(sk_limits_table[i].field + e->skip, field) == 0)
                return &sk_limits_table[i];
    return NULL;
}

const sk_limit *sk_limits_find(const ProtobufCMessageDescriptor *md,
                               const ProtobufCFieldDescriptor *f)
{
    entries e = entries_of(md->name);
    return message_limit(&e, md->name, f->name);
}

/* ---- UTF-8 (RFC 3629) ---- */

static bool cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

long sk_utf8_count(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    long n = 0;
    while (p < end) {
        unsigned char c = *p;
        size_t k;
        if (c < 0x80) {
            k = 1;
        } else if (c >= 0xC2 && c <= 0xDF) {
            k = 2; /* C0, C1: overlong forms of ASCII */
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 4; /* F5..FF would be above U+10FFFF */
        } else {
            return -1; /* a stray continuation byte, or C0, C1, F5..FF */
        }
        if ((size_t)(end - p) < k)
            return -1; /* cut short */
        for (size_t i = 1; i < k; i++)
            if (!cont(p[i]))
                return -1;
        /* The second byte's range closes the remaining holes: overlong
         * three- and four-byte forms, surrogates, above U+10FFFF. */
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F) ||
            (c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F))
            return -1;
        p += k;
        n++;
    }
    return n;
}

/* ---- the walk ---- */

typedef struct walk {
    sk_limits_violation_fn fn;
    void *arg;
    size_t found;
    size_t len;      /* of path */
    char path[256];  /* "outlets[2].url": cut to fit, never overflows */
} walk;

static bool full(const walk *w)
{
    return w->found >= SK_LIMITS_MAX_VIOLATIONS;
}

static void report(walk *w, const char *code, const char *fmt, ...)
{
    if (full(w))
        return;
    w->found++;
    if (!w->fn)
        return;
    char why[240];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    w->fn(w->arg, w->path, code, why);
}

static void path_add(walk *w, char c)
{
    if (w->len + 1 < sizeof(w->path)) {
        w->path[w->len++] = c;
        w->path[w->len] = '\0';
    }
}

/* Append ".fieldName" (foo_bar -> fooBar, as sk_json.c names it); returns
 * the length to restore. */
static size_t path_push_field(walk *w, const char *name)
{
    size_t old = w->len;
    if (w->len > 0)
        path_add(w, '.');
    bool up = false;
    for (const char *p = name; *p; p++) {
        if (*p == '_') {
            up = true;
            continue;
        }
        path_add(w, up && *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p);
        up = false;
    }
    return old;
}

static void path_push_index(walk *w, size_t i)
{
    char idx[24];
    snprintf(idx, sizeof(idx), "[%zu]", i);
    for (const char *p = idx; *p; p++)
        path_add(w, *p);
}

static void path_pop(walk *w, size_t len)
{
    w->len = len;
    w->path[len] = '\0';
}

static void size_text(uint32_t n, char *out, size_t cap)
{
    if (n >= 1024u * 1024 && n % (1024u * 1024) == 0)
        snprintf(out, cap, "%" PRIu32 " MiB", n / (1024u * 1024));
    else if (n >= 1024 && n % 1024 == 0)
        snprintf(out, cap, "%" PRIu32 " KiB", n / 1024);
    else
        snprintf(out, cap, "%" PRIu32 " byte", n);
}

static void check_message(walk *w, ProtobufCMessage *m, int depth);

static void check_string(walk *w, const sk_limit *lim, char *s)
{
    if (!s)
        return;
    size_t len = strlen(s);
    long chars = sk_utf8_count(s, len);
    if (chars < 0) {
        report(w, "text.invalid_utf8", "not valid UTF-8 text");
        return;
    }
    if (!lim || lim->kind != SK_LIMIT_TEXT)
        return;
    if ((unsigned long)chars > lim->max_len) {
        report(w, "too_long", "at most %" PRIu32 " characters", lim->max_len);
        return;
    }
    if (lim->format == SK_FORMAT_UUID && len > 0) {
        if (!sk_uuid_valid(s)) {
            report(w, "id.invalid", "not a valid id: a UUID is expected");
            return;
        }
        for (char *p = s; *p; p++)
            if (*p >= 'A' && *p <= 'F')
                *p = (char)(*p - 'A' + 'a'); /* written only when upper case: never a literal */
    }
}

static void out_of_range(walk *w, const sk_limit *lim)
{
    report(w, "out_of_range", "must be between %" PRId64 " and %" PRId64, lim->min, lim->max);
}

static void check_int(walk *w, const sk_limit *lim, int64_t v)
{
    if (lim && lim->kind == SK_LIMIT_INT && (v < lim->min || v > lim->max))
        out_of_range(w, lim);
}

static void check_uint(walk *w, const sk_limit *lim, uint64_t v)
{
    if (v <= (uint64_t)INT64_MAX)
        check_int(w, lim, (int64_t)v);
    else if (lim && lim->kind == SK_LIMIT_INT)
        out_of_range(w, lim); /* above every bound an int64 can hold */
}

static void check_real(walk *w, const sk_limit *lim, double v)
{
    if (lim && lim->kind == SK_LIMIT_REAL && !(v >= lim->fmin && v <= lim->fmax))
        report(w, "out_of_range", "must be between %g and %g", lim->fmin, lim->fmax);
}

/* One value of field `f` at `p` (a member of the message, or an entry of a
 * repeated field's array). */
static void check_value(walk *w, const ProtobufCFieldDescriptor *f, const sk_limit *lim, void *p,
                        int depth)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING: check_string(w, lim, *(char **)p); break;
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = p;
        if (lim && lim->kind == SK_LIMIT_BYTES && b->len > lim->max_len) {
            char size[32];
            size_text(lim->max_len, size, sizeof(size));
            report(w, "too_large", "at most %s", size);
        }
        break;
    }
    case PROTOBUF_C_TYPE_MESSAGE: check_message(w, *(ProtobufCMessage **)p, depth + 1); break;
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32: check_int(w, lim, *(const int32_t *)p); break;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32: check_int(w, lim, *(const uint32_t *)p); break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64: check_int(w, lim, *(const int64_t *)p); break;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: check_uint(w, lim, *(const uint64_t *)p); break;
    case PROTOBUF_C_TYPE_FLOAT: check_real(w, lim, *(const float *)p); break;
    case PROTOBUF_C_TYPE_DOUBLE: check_real(w, lim, *(const double *)p); break;
    case PROTOBUF_C_TYPE_ENUM:
    case PROTOBUF_C_TYPE_BOOL: break; /* see sk_limits.h */
    }
}

/* Size of one entry of a repeated field's array, as protobuf-c lays it out. */
static size_t entry_size(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_ENUM: return 4;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE: return 8;
    case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE: return sizeof(void *);
    case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
    }
    return 0;
}

/* Is the singular field `f` set in `base`? proto3 scalars always are. */
static bool present(const ProtobufCFieldDescriptor *f, const char *base)
{
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        return *(const uint32_t *)(base + f->quantifier_offset) == f->id;
    if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_STRING &&
        f->type != PROTOBUF_C_TYPE_MESSAGE)
        return *(const protobuf_c_boolean *)(base + f->quantifier_offset);
    return true;
}

static void check_message(walk *w, ProtobufCMessage *m, int depth)
{
    if (!m)
        return;
    if (depth > MAX_DEPTH) {
        report(w, "nested_too_deep", "nested too deeply");
        return;
    }
    const ProtobufCMessageDescriptor *md = m->descriptor;
    char *base = (char *)m;
    entries e = entries_of(md->name);
    for (unsigned i = 0; i < md->n_fields && !full(w); i++) {
        const ProtobufCFieldDescriptor *f = &md->fields[i];
        const sk_limit *lim = message_limit(&e, md->name, f->name);
        size_t old = path_push_field(w, f->name);
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + f->quantifier_offset);
            char *entries = *(char **)(base + f->offset);
            if (lim && lim->max_items && n > lim->max_items) {
                report(w, "too_many", "at most %" PRIu32 " entries", lim->max_items);
            } else {
                size_t size = entry_size(f->type), here = w->len;
                for (size_t k = 0; k < n && entries && !full(w); k++) {
                    path_push_index(w, k);
                    check_value(w, f, lim, entries + k * size, depth);
                    path_pop(w, here);
                }
            }
        } else if (present(f, base)) {
            check_value(w, f, lim, base + f->offset, depth);
        }
        path_pop(w, old);
    }
}

size_t sk_limits_check(ProtobufCMessage *msg, sk_limits_violation_fn fn, void *arg)
{
    walk w = {.fn = fn, .arg = arg};
    check_message(&w, msg, 0);
    return w.found;
}
