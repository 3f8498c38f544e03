/* sk_json.c - the proto3 JSON mapping over protobuf-c descriptors.
 *
 * Input: cJSON parses the document; we walk the tree against the descriptor and
 * build the message with the conventions protobuf_c_message_free_unpacked
 * expects (strings, byte buffers, repeated arrays and sub-messages all malloc'ed,
 * sub-messages initialised with their descriptor's message_init), so a half-built
 * message is freed the same way on error. Output: the reverse walk into a cJSON
 * tree, printed compact. */
#include "sk_json.h"

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "sk_err.h"

#define MEMBER(type, msg, off)  (*(type *)((char *)(msg) + (off)))
#define CMEMBER(type, msg, off) (*(const type *)((const char *)(msg) + (off)))

/* ---- names ---------------------------------------------------------------- */

/* foo_bar_baz -> fooBarBaz, as protoc derives json_name. */
static void json_name(const char *name, char *buf, size_t size)
{
    size_t n = 0;
    bool upper = false;
    for (const char *p = name; *p && n + 1 < size; p++) {
        if (*p == '_') {
            upper = true;
            continue;
        }
        char c = *p;
        if (upper && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        upper = false;
        buf[n++] = c;
    }
    buf[n] = '\0';
}

/* ---- UTF-8 ---------------------------------------------------------------- */

/* Well-formed UTF-8: no overlong forms, surrogates or code points past U+10FFFF. */
static bool utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k;
        unsigned cp, min;
        if ((c & 0xe0) == 0xc0) {
            k = 1, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            k = 2, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            k = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (n - i <= k)
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + j] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += k + 1;
    }
    return true;
}

/* ---- JSON -> protobuf ----------------------------------------------------- */

typedef struct parser {
    char path[128];
    size_t path_len;
    sk_json_error *err;
    int rc; /* SK_EINVAL or SK_ENOMEM once failed */
} parser;

static void path_append(parser *p, const char *fmt, ...)
{
    if (p->path_len >= sizeof p->path - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(p->path + p->path_len, sizeof p->path - p->path_len, fmt, ap);
    va_end(ap);
    if (n > 0)
        p->path_len +=
            (size_t)n < sizeof p->path - p->path_len ? (size_t)n : sizeof p->path - 1 - p->path_len;
}

static void path_restore(parser *p, size_t len)
{
    p->path_len = len;
    p->path[len] = '\0';
}

/* Enter object member `name`: "a" -> "a.name", "" -> "name". */
static size_t path_key(parser *p, const char *name)
{
    size_t saved = p->path_len;
    path_append(p, p->path_len ? ".%s" : "%s", name);
    return saved;
}

static int fail(parser *p, const char *fmt, ...)
{
    if (p->rc != SK_OK)
        return p->rc;
    p->rc = SK_EINVAL;
    if (p->err) {
        snprintf(p->err->field, sizeof p->err->field, "%s", p->path);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
        va_end(ap);
    }
    return p->rc;
}

static int fail_nomem(parser *p)
{
    if (p->rc == SK_OK) {
        p->rc = SK_ENOMEM;
        if (p->err) {
            snprintf(p->err->field, sizeof p->err->field, "%s", p->path);
            snprintf(p->err->message, sizeof p->err->message, "out of memory");
        }
    }
    return p->rc;
}

/* Deeper than SK_JSON_MAX_DEPTH anywhere in the tree, checked before mapping. */
static int check_depth(parser *p, const cJSON *item, int depth)
{
    if (!cJSON_IsObject(item) && !cJSON_IsArray(item))
        return SK_OK;
    if (depth > SK_JSON_MAX_DEPTH)
        return fail(p, "nested deeper than %d", SK_JSON_MAX_DEPTH);
    int i = 0;
    for (const cJSON *c = item->child; c; c = c->next, i++) {
        size_t saved = p->path_len;
        if (cJSON_IsObject(item))
            path_key(p, c->string ? c->string : "");
        else
            path_append(p, "[%d]", i);
        int rc = check_depth(p, c, depth + 1);
        if (rc != SK_OK)
            return rc;
        path_restore(p, saved);
    }
    return SK_OK;
}

static const char *type_name(const cJSON *v)
{
    if (cJSON_IsNull(v))
        return "null";
    if (cJSON_IsBool(v))
        return "a boolean";
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsArray(v))
        return "an array";
    return "an object";
}

/* An optionally negative run of decimal digits and nothing else. */
static bool decimal_string(const char *s, bool allow_minus)
{
    if (allow_minus && *s == '-')
        s++;
    size_t n = strspn(s, "0123456789");
    return n > 0 && s[n] == '\0';
}

/* A signed integer within [lo, hi] from a JSON number or decimal string. */
static int get_signed(parser *p, const cJSON *v, int64_t lo, int64_t hi, bool wide, int64_t *out)
{
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        double lim = wide ? 9007199254740992.0 : 2147483648.0;
        if (!isfinite(d))
            return fail(p, "not an integer");
        if (d < -lim || d > lim || d < (double)lo || d > (double)hi)
            return fail(p, "out of range");
        if ((double)(int64_t)d != d) /* no libm: the range is checked, the cast is safe */
            return fail(p, "not an integer");
        *out = (int64_t)d;
        return SK_OK;
    }
    if (cJSON_IsString(v)) {
        if (!decimal_string(v->valuestring, true))
            return fail(p, "not a decimal integer");
        errno = 0;
        long long x = strtoll(v->valuestring, NULL, 10);
        if (errno == ERANGE || x < lo || x > hi)
            return fail(p, "out of range");
        *out = x;
        return SK_OK;
    }
    return fail(p, "expected an integer, got %s", type_name(v));
}

static int get_unsigned(parser *p, const cJSON *v, uint64_t hi, bool wide, uint64_t *out)
{
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        double lim = wide ? 9007199254740992.0 : 4294967296.0;
        if (!isfinite(d))
            return fail(p, "not an integer");
        if (d < 0 || d > lim || d > (double)hi)
            return fail(p, "out of range");
        if ((double)(uint64_t)d != d)
            return fail(p, "not an integer");
        *out = (uint64_t)d;
        return SK_OK;
    }
    if (cJSON_IsString(v)) {
        if (!decimal_string(v->valuestring, false))
            return fail(p, "not an unsigned decimal integer");
        errno = 0;
        unsigned long long x = strtoull(v->valuestring, NULL, 10);
        if (errno == ERANGE || x > hi)
            return fail(p, "out of range");
        *out = x;
        return SK_OK;
    }
    return fail(p, "expected an integer, got %s", type_name(v));
}

static int get_double(parser *p, const cJSON *v, bool is_float, double *out)
{
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (!isfinite(d) || (is_float && (d > FLT_MAX || d < -FLT_MAX)))
            return fail(p, "out of range");
        *out = d;
        return SK_OK;
    }
    if (cJSON_IsString(v)) {
        if (strcmp(v->valuestring, "NaN") == 0)
            *out = NAN;
        else if (strcmp(v->valuestring, "Infinity") == 0)
            *out = INFINITY;
        else if (strcmp(v->valuestring, "-Infinity") == 0)
            *out = -INFINITY;
        else
            return fail(p, "expected a number, \"NaN\", \"Infinity\" or \"-Infinity\"");
        return SK_OK;
    }
    return fail(p, "expected a number, got %s", type_name(v));
}

static int get_string(parser *p, const cJSON *v, char **out)
{
    if (!cJSON_IsString(v))
        return fail(p, "expected a string, got %s", type_name(v));
    size_t n = strlen(v->valuestring);
    if (!utf8_valid((const unsigned char *)v->valuestring, n))
        return fail(p, "not valid UTF-8");
    char *s = malloc(n + 1);
    if (!s)
        return fail_nomem(p);
    memcpy(s, v->valuestring, n + 1);
    *out = s;
    return SK_OK;
}

static int get_bytes(parser *p, const cJSON *v, ProtobufCBinaryData *out)
{
    if (!cJSON_IsString(v))
        return fail(p, "expected a base64 string, got %s", type_name(v));
    const char *b64 = v->valuestring;
    size_t n = strlen(b64);
    out->len = 0;
    out->data = NULL;
    if (n == 0)
        return SK_OK;
    size_t cap = n / 4 * 3 + 3;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return fail_nomem(p);
    static const int variants[] = {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_URLSAFE,
                                   sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                                   sodium_base64_VARIANT_URLSAFE_NO_PADDING};
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        size_t bin_len = 0;
        const char *end = NULL;
        if (sodium_base642bin(buf, cap, b64, n, NULL, &bin_len, &end, variants[i]) == 0 &&
            end == b64 + n) {
            out->data = buf;
            out->len = bin_len;
            return SK_OK;
        }
    }
    free(buf);
    return fail(p, "not valid base64");
}

static int get_enum(parser *p, const ProtobufCEnumDescriptor *ed, const cJSON *v, int32_t *out)
{
    if (cJSON_IsString(v)) {
        const ProtobufCEnumValue *ev =
            protobuf_c_enum_descriptor_get_value_by_name(ed, v->valuestring);
        if (!ev)
            return fail(p, "unknown %s value", ed->name);
        *out = ev->value;
        return SK_OK;
    }
    if (cJSON_IsNumber(v)) {
        int64_t x;
        int rc = get_signed(p, v, INT32_MIN, INT32_MAX, false, &x);
        if (rc == SK_OK)
            *out = (int32_t)x;
        return rc;
    }
    return fail(p, "expected a %s name, got %s", ed->name, type_name(v));
}

static size_t elem_size(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_ENUM: return 4;
    case PROTOBUF_C_TYPE_FLOAT: return sizeof(float);
    case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: return 8;
    case PROTOBUF_C_TYPE_DOUBLE: return sizeof(double);
    case PROTOBUF_C_TYPE_STRING: return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE: return sizeof(ProtobufCMessage *);
    }
    return 0;
}

static int parse_message(parser *p, const ProtobufCMessageDescriptor *desc, const cJSON *obj,
                         ProtobufCMessage **out);

/* One value of field `f` into `slot` (the struct member, or an array element).
 * `slot` holds its initial value; on error it holds nothing that needs freeing. */
static int parse_value(parser *p, const ProtobufCFieldDescriptor *f, const cJSON *v, void *slot)
{
    int64_t s;
    uint64_t u;
    double d;
    int rc;
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        if ((rc = get_signed(p, v, INT32_MIN, INT32_MAX, false, &s)) == SK_OK)
            *(int32_t *)slot = (int32_t)s;
        return rc;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        if ((rc = get_unsigned(p, v, UINT32_MAX, false, &u)) == SK_OK)
            *(uint32_t *)slot = (uint32_t)u;
        return rc;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        if ((rc = get_signed(p, v, INT64_MIN, INT64_MAX, true, &s)) == SK_OK)
            *(int64_t *)slot = s;
        return rc;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        if ((rc = get_unsigned(p, v, UINT64_MAX, true, &u)) == SK_OK)
            *(uint64_t *)slot = u;
        return rc;
    case PROTOBUF_C_TYPE_FLOAT:
        if ((rc = get_double(p, v, true, &d)) == SK_OK)
            *(float *)slot = (float)d;
        return rc;
    case PROTOBUF_C_TYPE_DOUBLE:
        if ((rc = get_double(p, v, false, &d)) == SK_OK)
            *(double *)slot = d;
        return rc;
    case PROTOBUF_C_TYPE_BOOL:
        if (!cJSON_IsBool(v))
            return fail(p, "expected true or false, got %s", type_name(v));
        *(protobuf_c_boolean *)slot = cJSON_IsTrue(v) ? 1 : 0;
        return SK_OK;
    case PROTOBUF_C_TYPE_ENUM: return get_enum(p, f->descriptor, v, (int32_t *)slot);
    case PROTOBUF_C_TYPE_STRING: return get_string(p, v, (char **)slot);
    case PROTOBUF_C_TYPE_BYTES: return get_bytes(p, v, (ProtobufCBinaryData *)slot);
    case PROTOBUF_C_TYPE_MESSAGE:
        return parse_message(p, f->descriptor, v, (ProtobufCMessage **)slot);
    }
    return fail(p, "unsupported field type");
}

static int parse_repeated(parser *p, const ProtobufCFieldDescriptor *f, const cJSON *v,
                          ProtobufCMessage *msg)
{
    if (cJSON_IsNull(v))
        return SK_OK;
    if (!cJSON_IsArray(v))
        return fail(p, "expected an array, got %s", type_name(v));
    int n = cJSON_GetArraySize(v);
    if (n == 0)
        return SK_OK;
    size_t size = elem_size(f->type);
    void *arr = calloc((size_t)n, size);
    if (!arr)
        return fail_nomem(p);
    /* The message owns the array from here; the count grows as elements succeed. */
    MEMBER(void *, msg, f->offset) = arr;
    size_t *count = &MEMBER(size_t, msg, f->quantifier_offset);
    int i = 0;
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        size_t saved = p->path_len;
        path_append(p, "[%d]", i);
        void *slot = (char *)arr + (size_t)i * size;
        (*count)++; /* a zeroed or half-built element is still freed correctly */
        int rc;
        if (cJSON_IsNull(e))
            rc = fail(p, "null in an array");
        else
            rc = parse_value(p, f, e, slot);
        if (rc != SK_OK)
            return rc;
        path_restore(p, saved);
    }
    return SK_OK;
}

/* The field of `desc` named `key` in JSON (lowerCamelCase) or proto (snake_case). */
static const ProtobufCFieldDescriptor *find_field(const ProtobufCMessageDescriptor *desc,
                                                  const char *key)
{
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(desc, key);
    if (f)
        return f;
    char name[128];
    for (unsigned i = 0; i < desc->n_fields; i++) {
        json_name(desc->fields[i].name, name, sizeof name);
        if (strcmp(name, key) == 0)
            return &desc->fields[i];
    }
    return NULL;
}

static int parse_fields(parser *p, const ProtobufCMessageDescriptor *desc, const cJSON *obj,
                        ProtobufCMessage *msg, bool *seen)
{
    for (const cJSON *c = obj->child; c; c = c->next) {
        const char *key = c->string ? c->string : "";
        const ProtobufCFieldDescriptor *f = find_field(desc, key);
        char name[128];
        if (f)
            json_name(f->name, name, sizeof name);
        size_t saved = path_key(p, f ? name : key);
        if (!f)
            return fail(p, "unknown field");
        size_t idx = (size_t)(f - desc->fields);
        if (seen[idx])
            return fail(p, "given more than once");
        seen[idx] = true;

        int rc = SK_OK;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            rc = parse_repeated(p, f, c, msg);
        } else if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t *which = &MEMBER(uint32_t, msg, f->quantifier_offset);
            if (cJSON_IsNull(c)) {
                /* null leaves the member unset */
            } else if (*which != 0) {
                rc = fail(p, "another member of its oneof is already set");
            } else {
                /* Members share storage: start from zero, mark set only on success. */
                memset((char *)msg + f->offset, 0, elem_size(f->type));
                /* Set the case even on failure, so a half-built member is freed. */
                *which = f->id;
                rc = parse_value(p, f, c, (char *)msg + f->offset);
            }
        } else if (cJSON_IsNull(c)) {
            /* the default */
        } else {
            rc = parse_value(p, f, c, (char *)msg + f->offset);
            if (rc == SK_OK && f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset)
                MEMBER(protobuf_c_boolean, msg, f->quantifier_offset) = 1;
        }
        if (rc != SK_OK)
            return rc;
        path_restore(p, saved);
    }
    return SK_OK;
}

static int parse_message(parser *p, const ProtobufCMessageDescriptor *desc, const cJSON *obj,
                         ProtobufCMessage **out)
{
    if (!cJSON_IsObject(obj))
        return fail(p, "expected an object, got %s", type_name(obj));
    ProtobufCMessage *msg = malloc(desc->sizeof_message);
    if (!msg)
        return fail_nomem(p);
    desc->message_init(msg);
    *out = msg; /* the caller frees it, complete or not */
    bool *seen = calloc(desc->n_fields ? desc->n_fields : 1, sizeof *seen);
    if (!seen)
        return fail_nomem(p);
    int rc = parse_fields(p, desc, obj, msg, seen);
    for (unsigned i = 0; rc == SK_OK && i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (f->label == PROTOBUF_C_LABEL_REQUIRED && !seen[i]) {
            char name[128];
            json_name(f->name, name, sizeof name);
            size_t saved = path_key(p, name);
            rc = fail(p, "required field missing");
            path_restore(p, saved);
        }
    }
    free(seen);
    return rc;
}

int sk_json_to_pb(const ProtobufCMessageDescriptor *desc, const char *json, size_t len,
                  ProtobufCMessage **out, sk_json_error *err)
{
    parser p = {.path = "", .path_len = 0, .err = err, .rc = SK_OK};
    *out = NULL;
    if (err)
        err->field[0] = err->message[0] = '\0';
    if (len > SK_JSON_MAX_LEN)
        return fail(&p, "document larger than %zu bytes", SK_JSON_MAX_LEN);

    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!root) {
        size_t at = end && end >= json && end <= json + len ? (size_t)(end - json) : 0;
        return fail(&p, "invalid JSON near byte %zu", at);
    }
    size_t rest = (size_t)(end - json);
    while (rest < len && strchr(" \t\r\n", json[rest]) && json[rest] != '\0')
        rest++;
    int rc = SK_OK;
    if (rest < len)
        rc = fail(&p, "invalid JSON: unexpected data at byte %zu", rest);
    if (rc == SK_OK)
        rc = check_depth(&p, root, 1);
    ProtobufCMessage *msg = NULL;
    if (rc == SK_OK)
        rc = parse_message(&p, desc, root, &msg);
    cJSON_Delete(root);
    if (rc != SK_OK) {
        protobuf_c_message_free_unpacked(msg, NULL);
        return rc;
    }
    *out = msg;
    return SK_OK;
}

/* ---- protobuf -> JSON ----------------------------------------------------- */

static cJSON *emit_message(const ProtobufCMessage *msg, int *rc);

static cJSON *emit_double(double d)
{
    if (isnan(d))
        return cJSON_CreateString("NaN");
    if (isinf(d))
        return cJSON_CreateString(d > 0 ? "Infinity" : "-Infinity");
    return cJSON_CreateNumber(d);
}

static cJSON *emit_value(const ProtobufCFieldDescriptor *f, const void *slot, int *rc)
{
    char buf[32];
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32: return cJSON_CreateNumber(*(const int32_t *)slot);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32: return cJSON_CreateNumber(*(const uint32_t *)slot);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        snprintf(buf, sizeof buf, "%" PRId64, *(const int64_t *)slot);
        return cJSON_CreateString(buf);
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        snprintf(buf, sizeof buf, "%" PRIu64, *(const uint64_t *)slot);
        return cJSON_CreateString(buf);
    case PROTOBUF_C_TYPE_FLOAT: return emit_double(*(const float *)slot);
    case PROTOBUF_C_TYPE_DOUBLE: return emit_double(*(const double *)slot);
    case PROTOBUF_C_TYPE_BOOL: return cJSON_CreateBool(*(const protobuf_c_boolean *)slot);
    case PROTOBUF_C_TYPE_ENUM: {
        int32_t x = *(const int32_t *)slot;
        const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(f->descriptor, x);
        return ev ? cJSON_CreateString(ev->name) : cJSON_CreateNumber(x);
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)slot;
        if (!s)
            s = "";
        if (!utf8_valid((const unsigned char *)s, strlen(s))) {
            *rc = SK_EINVAL;
            return NULL;
        }
        return cJSON_CreateString(s);
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = slot;
        size_t n = sodium_base64_encoded_len(b->len, sodium_base64_VARIANT_ORIGINAL);
        char *s = malloc(n);
        if (!s)
            return NULL;
        sodium_bin2base64(s, n, b->data ? b->data : (const unsigned char *)"", b->len,
                          sodium_base64_VARIANT_ORIGINAL);
        cJSON *j = cJSON_CreateString(s);
        free(s);
        return j;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *m = *(ProtobufCMessage *const *)slot;
        if (!m)
            return cJSON_CreateNull(); /* a oneof member set to no message */
        return emit_message(m, rc);
    }
    }
    *rc = SK_EINVAL;
    return NULL;
}

/* Is the singular field at `slot` its proto3 default? */
static bool is_default(const ProtobufCFieldDescriptor *f, const void *slot)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)slot;
        return !s || !*s;
    }
    case PROTOBUF_C_TYPE_BYTES: return ((const ProtobufCBinaryData *)slot)->len == 0;
    case PROTOBUF_C_TYPE_MESSAGE: return *(ProtobufCMessage *const *)slot == NULL;
    case PROTOBUF_C_TYPE_FLOAT: return *(const float *)slot == 0 && !signbit(*(const float *)slot);
    case PROTOBUF_C_TYPE_DOUBLE:
        return *(const double *)slot == 0 && !signbit(*(const double *)slot);
    default: {
        static const unsigned char zero[8];
        return memcmp(slot, zero, elem_size(f->type)) == 0;
    }
    }
}

static cJSON *emit_message(const ProtobufCMessage *msg, int *rc)
{
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return NULL;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        const void *slot = (const char *)msg + f->offset;
        cJSON *v = NULL;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = CMEMBER(size_t, msg, f->quantifier_offset);
            if (n == 0)
                continue;
            const char *arr = *(char *const *)slot;
            size_t size = elem_size(f->type);
            v = cJSON_CreateArray();
            for (size_t k = 0; v && k < n; k++) {
                cJSON *e = emit_value(f, arr + k * size, rc);
                if (!e || !cJSON_AddItemToArray(v, e)) {
                    cJSON_Delete(e);
                    cJSON_Delete(v);
                    v = NULL;
                }
            }
        } else {
            bool present;
            if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
                present = CMEMBER(uint32_t, msg, f->quantifier_offset) == f->id;
            else if (f->label == PROTOBUF_C_LABEL_REQUIRED)
                present = true;
            else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset)
                present = CMEMBER(protobuf_c_boolean, msg, f->quantifier_offset) != 0;
            else if (f->label == PROTOBUF_C_LABEL_OPTIONAL &&
                     (f->type == PROTOBUF_C_TYPE_STRING || f->type == PROTOBUF_C_TYPE_MESSAGE))
                present = *(void *const *)slot != NULL;
            else
                present = !is_default(f, slot);
            if (!present)
                continue;
            v = emit_value(f, slot, rc);
        }
        char name[128];
        json_name(f->name, name, sizeof name);
        if (!v || !cJSON_AddItemToObject(obj, name, v)) {
            cJSON_Delete(v);
            cJSON_Delete(obj);
            return NULL;
        }
    }
    return obj;
}

int sk_pb_to_json(const ProtobufCMessage *msg, char **json)
{
    *json = NULL;
    int rc = SK_OK;
    cJSON *root = emit_message(msg, &rc);
    if (!root)
        return rc != SK_OK ? rc : SK_ENOMEM;
    *json = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return *json ? SK_OK : SK_ENOMEM;
}

int sk_json_int(const cJSON *item, int min, int max, int fallback)
{
    if (!cJSON_IsNumber(item))
        return fallback;
    double v = item->valuedouble;
    if (!isfinite(v) || v != floor(v) || v < (double)min || v > (double)max)
        return fallback;
    return (int)v;
}
