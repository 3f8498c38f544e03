/* openapi.c - the OpenAPI 3.0 document, generated once at start from the
 * same protobuf descriptors the API is served from (so it cannot drift):
 * one path per service method, one schema per message and enum, with the
 * proto3 JSON mapping's names and types (64-bit integers as strings, enums
 * as their names, bytes as base64), plus the HTTP-only routes. Each field's
 * bound comes from common/sk_limits' table, the one the services enforce:
 * maxLength, maxItems, minimum, maximum and format "uuid". */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "sk_err.h"
#include "sk_limits.h"

#ifndef SEKLIK_VERSION
#define SEKLIK_VERSION "0"
#endif

#define REF_PREFIX "#/components/schemas/"

/* foo_bar -> fooBar, as sk_json.c writes it. */
static void json_name(const char *name, char *out, size_t cap)
{
    size_t n = 0;
    bool up = false;
    for (const char *p = name; *p && n + 1 < cap; p++) {
        if (*p == '_') {
            up = true;
            continue;
        }
        out[n++] = up && *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
        up = false;
    }
    out[n] = '\0';
}

static cJSON *ref_to(const char *full_name)
{
    char ref[256];
    snprintf(ref, sizeof(ref), REF_PREFIX "%s", full_name);
    cJSON *o = cJSON_CreateObject();
    if (o)
        cJSON_AddStringToObject(o, "$ref", ref);
    return o;
}

static void add_enum_schema(cJSON *schemas, const ProtobufCEnumDescriptor *ed)
{
    if (cJSON_GetObjectItemCaseSensitive(schemas, ed->name))
        return;
    cJSON *s = cJSON_AddObjectToObject(schemas, ed->name);
    if (!s)
        return;
    cJSON_AddStringToObject(s, "type", "string");
    cJSON *vals = cJSON_AddArrayToObject(s, "enum");
    for (unsigned i = 0; vals && i < ed->n_values; i++)
        cJSON_AddItemToArray(vals, cJSON_CreateString(ed->values[i].name));
}

static void add_message_schema(cJSON *schemas, const ProtobufCMessageDescriptor *md);

static void set_number(cJSON *s, const char *key, double v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(s, key);
    cJSON_AddNumberToObject(s, key, v);
}

/* The bound of one value (an array's items for a repeated field). 64-bit
 * integers travel as JSON strings: their minimum and maximum still say what
 * the service accepts. */
static void add_limits(cJSON *s, const sk_limit *lim)
{
    if (!lim)
        return;
    switch (lim->kind) {
    case SK_LIMIT_TEXT:
        set_number(s, "maxLength", lim->max_len);
        if (lim->format == SK_FORMAT_UUID) {
            cJSON_DeleteItemFromObjectCaseSensitive(s, "format");
            cJSON_AddStringToObject(s, "format", "uuid");
        }
        break;
    case SK_LIMIT_BYTES: /* base64 with padding */
        set_number(s, "maxLength", 4.0 * (double)(((uint64_t)lim->max_len + 2) / 3));
        break;
    case SK_LIMIT_INT:
        set_number(s, "minimum", (double)lim->min);
        set_number(s, "maximum", (double)lim->max);
        break;
    case SK_LIMIT_REAL:
        set_number(s, "minimum", lim->fmin);
        set_number(s, "maximum", lim->fmax);
        break;
    case SK_LIMIT_LIST: break;
    }
}

static cJSON *field_schema(cJSON *schemas, const ProtobufCFieldDescriptor *f, const sk_limit *lim)
{
    cJSON *s = NULL;
    switch (f->type) {
    case PROTOBUF_C_TYPE_MESSAGE:
        add_message_schema(schemas, f->descriptor);
        return ref_to(((const ProtobufCMessageDescriptor *)f->descriptor)->name);
    case PROTOBUF_C_TYPE_ENUM:
        add_enum_schema(schemas, f->descriptor);
        return ref_to(((const ProtobufCEnumDescriptor *)f->descriptor)->name);
    default: break;
    }
    s = cJSON_CreateObject();
    if (!s)
        return NULL;
    const char *type = "string", *format = NULL;
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        type = "integer";
        format = "int32";
        break;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        type = "integer";
        format = "int64";
        cJSON_AddNumberToObject(s, "minimum", 0);
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64: format = "int64"; break;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: format = "uint64"; break;
    case PROTOBUF_C_TYPE_FLOAT:
        type = "number";
        format = "float";
        break;
    case PROTOBUF_C_TYPE_DOUBLE:
        type = "number";
        format = "double";
        break;
    case PROTOBUF_C_TYPE_BOOL: type = "boolean"; break;
    case PROTOBUF_C_TYPE_BYTES: format = "byte"; break;
    default: break;
    }
    cJSON_AddStringToObject(s, "type", type);
    if (format)
        cJSON_AddStringToObject(s, "format", format);
    add_limits(s, lim);
    return s;
}

static void add_message_schema(cJSON *schemas, const ProtobufCMessageDescriptor *md)
{
    if (cJSON_GetObjectItemCaseSensitive(schemas, md->name))
        return;
    cJSON *s = cJSON_AddObjectToObject(schemas, md->name); /* first: cycles stop here */
    if (!s)
        return;
    cJSON_AddStringToObject(s, "type", "object");
    cJSON_AddBoolToObject(s, "additionalProperties", false);
    cJSON *props = cJSON_AddObjectToObject(s, "properties");
    for (unsigned i = 0; props && i < md->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &md->fields[i];
        char jn[128];
        json_name(f->name, jn, sizeof(jn));
        const sk_limit *lim = sk_limits_find(md, f);
        cJSON *fs = field_schema(schemas, f, lim);
        if (!fs)
            continue;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            cJSON *arr = cJSON_CreateObject();
            if (!arr) {
                cJSON_Delete(fs);
                continue;
            }
            cJSON_AddStringToObject(arr, "type", "array");
            if (lim && lim->max_items)
                cJSON_AddNumberToObject(arr, "maxItems", lim->max_items);
            cJSON_AddItemToObject(arr, "items", fs);
            fs = arr;
        }
        cJSON_AddItemToObject(props, jn, fs);
    }
}

static cJSON *json_content(cJSON *schema)
{
    cJSON *c = cJSON_CreateObject();
    cJSON *j = c ? cJSON_AddObjectToObject(c, "application/json") : NULL;
    if (!j) {
        cJSON_Delete(c);
        cJSON_Delete(schema);
        return NULL;
    }
    cJSON_AddItemToObject(j, "schema", schema);
    return c;
}

static cJSON *response(const char *description, cJSON *schema)
{
    cJSON *r = cJSON_CreateObject();
    if (!r) {
        cJSON_Delete(schema);
        return NULL;
    }
    cJSON_AddStringToObject(r, "description", description);
    if (schema)
        cJSON_AddItemToObject(r, "content", json_content(schema));
    return r;
}

static void add_error_responses(cJSON *responses)
{
    cJSON_AddItemToObject(
        responses, "default",
        response("Error: code, message and the fields at fault", ref_to("Error")));
}

/* `security`: 0 = none, 1 = session, 2 = session and CSRF header. */
static void set_security(cJSON *op, int security)
{
    cJSON *sec = cJSON_AddArrayToObject(op, "security");
    if (!sec || security == 0)
        return;
    cJSON *req = cJSON_CreateObject();
    if (!req)
        return;
    cJSON_AddItemToObject(req, "session", cJSON_CreateArray());
    if (security == 2)
        cJSON_AddItemToObject(req, "csrf", cJSON_CreateArray());
    cJSON_AddItemToArray(sec, req);
}

static cJSON *add_op(cJSON *paths, const char *path, const char *verb, const char *op_id,
                     const char *tag, const char *summary, int security)
{
    cJSON *p = cJSON_GetObjectItemCaseSensitive(paths, path);
    if (!p)
        p = cJSON_AddObjectToObject(paths, path);
    cJSON *op = p ? cJSON_AddObjectToObject(p, verb) : NULL;
    if (!op)
        return NULL;
    cJSON_AddStringToObject(op, "operationId", op_id);
    cJSON *tags = cJSON_AddArrayToObject(op, "tags");
    if (tags)
        cJSON_AddItemToArray(tags, cJSON_CreateString(tag));
    cJSON_AddStringToObject(op, "summary", summary);
    set_security(op, security);
    return op;
}

static void add_path_param(cJSON *op, const char *name, const char *description)
{
    cJSON *params = cJSON_AddArrayToObject(op, "parameters");
    cJSON *p = cJSON_CreateObject();
    if (!params || !p) {
        cJSON_Delete(p);
        return;
    }
    cJSON_AddStringToObject(p, "name", name);
    cJSON_AddStringToObject(p, "in", "path");
    cJSON_AddBoolToObject(p, "required", true);
    cJSON_AddStringToObject(p, "description", description);
    cJSON *s = cJSON_AddObjectToObject(p, "schema");
    if (s) {
        cJSON_AddStringToObject(s, "type", "string");
        cJSON_AddStringToObject(s, "format", "uuid");
    }
    cJSON_AddItemToArray(params, p);
}

static void add_method(cJSON *paths, cJSON *schemas, const gw_service *svc,
                       const ProtobufCMethodDescriptor *m)
{
    char path[160], op_id[128], summary[200];
    snprintf(path, sizeof(path), "/api/v1/%s.%s", svc->name, m->name);
    snprintf(op_id, sizeof(op_id), "%s.%s", svc->name, m->name);
    snprintf(summary, sizeof(summary), "%s.%s over the bus (%s -> %s)", svc->api->short_name,
             m->name, m->input->name, m->output->name);
    cJSON *op = add_op(paths, path, "post", op_id, svc->name, summary, 2);
    if (!op)
        return;
    add_message_schema(schemas, m->input);
    add_message_schema(schemas, m->output);

    cJSON *params = cJSON_AddArrayToObject(op, "parameters");
    cJSON *idem = cJSON_CreateObject();
    if (params && idem) {
        cJSON_AddStringToObject(idem, "name", "Idempotency-Key");
        cJSON_AddStringToObject(idem, "in", "header");
        cJSON_AddBoolToObject(idem, "required", false);
        cJSON_AddStringToObject(idem, "description",
                                "Retry a command safely with the same key (scoped to the user); "
                                "a new one is made when absent.");
        cJSON *s = cJSON_AddObjectToObject(idem, "schema");
        if (s) {
            cJSON_AddStringToObject(s, "type", "string");
            cJSON_AddNumberToObject(s, "maxLength", 128);
        }
        cJSON_AddItemToArray(params, idem);
    } else {
        cJSON_Delete(idem);
    }

    cJSON *body = cJSON_AddObjectToObject(op, "requestBody");
    if (body) {
        cJSON_AddBoolToObject(body, "required", false);
        cJSON *content = json_content(ref_to(m->input->name));
        cJSON *pb = content ? cJSON_AddObjectToObject(content, "application/x-protobuf") : NULL;
        cJSON *pbs = pb ? cJSON_AddObjectToObject(pb, "schema") : NULL;
        if (pbs) {
            cJSON_AddStringToObject(pbs, "type", "string");
            cJSON_AddStringToObject(pbs, "format", "binary");
        }
        cJSON_AddItemToObject(body, "content", content);
    }
    cJSON *responses = cJSON_AddObjectToObject(op, "responses");
    if (responses) {
        cJSON *ok = response("OK", ref_to(m->output->name));
        cJSON *c = ok ? cJSON_GetObjectItemCaseSensitive(ok, "content") : NULL;
        cJSON *pb = c ? cJSON_AddObjectToObject(c, "application/x-protobuf") : NULL;
        cJSON *pbs = pb ? cJSON_AddObjectToObject(pb, "schema") : NULL;
        if (pbs) {
            cJSON_AddStringToObject(pbs, "type", "string");
            cJSON_AddStringToObject(pbs, "format", "binary");
        }
        cJSON_AddItemToObject(responses, "200", ok);
        add_error_responses(responses);
    }
}

static void add_fixed_schemas(cJSON *schemas)
{
    cJSON *err = cJSON_AddObjectToObject(schemas, "Error");
    if (err) {
        cJSON_AddStringToObject(err, "type", "object");
        cJSON *req = cJSON_AddArrayToObject(err, "required");
        if (req) {
            cJSON_AddItemToArray(req, cJSON_CreateString("code"));
            cJSON_AddItemToArray(req, cJSON_CreateString("message"));
        }
        cJSON *props = cJSON_AddObjectToObject(err, "properties");
        if (props) {
            cJSON *code = cJSON_AddObjectToObject(props, "code");
            if (code) {
                cJSON_AddStringToObject(code, "type", "string");
                cJSON *e = cJSON_AddArrayToObject(code, "enum");
                for (int c = SK_EINVAL; e && c <= SK_EEXHAUSTED; c++) {
                    const char *name = sk_err_code_name(c);
                    bool seen = false;
                    for (cJSON *it = e->child; it && !seen; it = it->next)
                        seen = strcmp(it->valuestring, name) == 0;
                    if (!seen)
                        cJSON_AddItemToArray(e, cJSON_CreateString(name));
                }
            }
            cJSON *msg = cJSON_AddObjectToObject(props, "message");
            if (msg)
                cJSON_AddStringToObject(msg, "type", "string");
            cJSON *v = cJSON_AddObjectToObject(props, "violations");
            if (v) {
                cJSON_AddStringToObject(v, "type", "array");
                cJSON *items = cJSON_AddObjectToObject(v, "items");
                if (items) {
                    cJSON_AddStringToObject(items, "type", "object");
                    cJSON *ip = cJSON_AddObjectToObject(items, "properties");
                    cJSON *f = ip ? cJSON_AddObjectToObject(ip, "field") : NULL;
                    cJSON *d = ip ? cJSON_AddObjectToObject(ip, "description") : NULL;
                    if (f) {
                        cJSON_AddStringToObject(f, "type", "string");
                        cJSON_AddStringToObject(f, "example", "company.npwp");
                    }
                    if (d)
                        cJSON_AddStringToObject(d, "type", "string");
                    cJSON *c = ip ? cJSON_AddObjectToObject(ip, "code") : NULL;
                    if (c) {
                        cJSON_AddStringToObject(c, "type", "string");
                        cJSON_AddStringToObject(c, "example", "npwp.invalid");
                    }
                }
            }
        }
    }
    const struct {
        const char *schema;
        const char *const *fields;
    } objs[] = {
        {"LoginRequest", (const char *const[]){"username", "password", NULL}},
        {"SignupRequest",
         (const char *const[]){"username", "password", "displayName", "email", NULL}},
        {"ResetRequest", (const char *const[]){"account", NULL}},
        {"ResetConfirm", (const char *const[]){"userId", "token", "newPassword", NULL}},
        {"User",
         (const char *const[]){"id", "username", "displayName", "companyId", "locale", NULL}},
        {"PublicOutlet", (const char *const[]){"id", "name", "type", "companyId", "companyName",
                                               "tier", "verifiedUntil", NULL}},
    };
    for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
        cJSON *s = cJSON_AddObjectToObject(schemas, objs[i].schema);
        if (!s)
            continue;
        cJSON_AddStringToObject(s, "type", "object");
        cJSON *props = cJSON_AddObjectToObject(s, "properties");
        for (const char *const *f = objs[i].fields; props && *f; f++) {
            cJSON *p = cJSON_AddObjectToObject(props, *f);
            if (p)
                cJSON_AddStringToObject(p, "type", "string");
        }
    }
    cJSON *user = cJSON_GetObjectItemCaseSensitive(schemas, "User");
    cJSON *up = user ? cJSON_GetObjectItemCaseSensitive(user, "properties") : NULL;
    cJSON *roles = up ? cJSON_AddObjectToObject(up, "roles") : NULL;
    if (roles) {
        cJSON_AddStringToObject(roles, "type", "array");
        cJSON *it = cJSON_AddObjectToObject(roles, "items");
        if (it)
            cJSON_AddStringToObject(it, "type", "string");
    }
    cJSON *po = cJSON_GetObjectItemCaseSensitive(schemas, "PublicOutlet");
    cJSON *pp = po ? cJSON_GetObjectItemCaseSensitive(po, "properties") : NULL;
    if (pp) {
        cJSON *t = cJSON_AddObjectToObject(pp, "scoreTotal");
        if (t)
            cJSON_AddStringToObject(t, "type", "integer");
        cJSON *y = cJSON_AddObjectToObject(pp, "fiscalYear");
        if (y)
            cJSON_AddStringToObject(y, "type", "integer");
    }
    cJSON *sess = cJSON_AddObjectToObject(schemas, "Session");
    if (sess) {
        cJSON_AddStringToObject(sess, "type", "object");
        cJSON *props = cJSON_AddObjectToObject(sess, "properties");
        if (props) {
            cJSON_AddItemToObject(props, "user", ref_to("User"));
            cJSON *t = cJSON_AddObjectToObject(props, "csrfToken");
            if (t) {
                cJSON_AddStringToObject(t, "type", "string");
                cJSON_AddStringToObject(t, "description", "Send as the X-CSRF-Token header");
            }
        }
    }
}

static void add_http_routes(cJSON *paths)
{
    cJSON *op, *responses;
    struct {
        const char *path, *verb, *id, *summary, *req, *resp;
        int security;
    } auth[] = {
        {"/api/v1/auth/login", "post", "auth.login", "Log in: sets the session cookie",
         "LoginRequest", "Session", 0},
        {"/api/v1/auth/signup", "post", "auth.signup",
         "A press company's self sign-up (a partner account), logged in at once", "SignupRequest",
         "Session", 0},
        {"/api/v1/auth/reset/request", "post", "auth.resetRequest",
         "Forgot the password: a reset link by e-mail to the account named (a username or an "
         "address), if it has one; the same answer for every name",
         "ResetRequest", NULL, 0},
        {"/api/v1/auth/reset/confirm", "post", "auth.resetConfirm",
         "Choose a new password with the link's user and token (once, before it expires); every "
         "session of the user ends",
         "ResetConfirm", NULL, 0},
        {"/api/v1/auth/logout", "post", "auth.logout", "End the session; clears the cookie", NULL,
         NULL, 2},
        {"/api/v1/auth/me", "get", "auth.me", "The current session", NULL, "Session", 1},
    };
    for (size_t i = 0; i < sizeof(auth) / sizeof(auth[0]); i++) {
        op = add_op(paths, auth[i].path, auth[i].verb, auth[i].id, "auth", auth[i].summary,
                    auth[i].security);
        if (!op)
            continue;
        if (auth[i].req) {
            cJSON *body = cJSON_AddObjectToObject(op, "requestBody");
            if (body) {
                cJSON_AddBoolToObject(body, "required", true);
                cJSON_AddItemToObject(body, "content", json_content(ref_to(auth[i].req)));
            }
        }
        responses = cJSON_AddObjectToObject(op, "responses");
        if (responses) {
            cJSON_AddItemToObject(
                responses, "200",
                response("OK", auth[i].resp ? ref_to(auth[i].resp) : cJSON_CreateObject()));
            add_error_responses(responses);
        }
    }

    op = add_op(paths, "/api/v1/files/registry/documents/{documentId}", "get",
                "files.registryDocument", "files",
                "A registry document's file, inline and sandboxed", 1);
    if (op) {
        add_path_param(op, "documentId", "the document's id");
        responses = cJSON_AddObjectToObject(op, "responses");
        cJSON *ok = responses ? response("The file (PDF, JPEG or PNG)", NULL) : NULL;
        cJSON *c = ok ? cJSON_AddObjectToObject(ok, "content") : NULL;
        const char *types[] = {"application/pdf", "image/jpeg", "image/png"};
        for (size_t i = 0; c && i < 3; i++) {
            cJSON *t = cJSON_AddObjectToObject(c, types[i]);
            cJSON *s = t ? cJSON_AddObjectToObject(t, "schema") : NULL;
            if (s) {
                cJSON_AddStringToObject(s, "type", "string");
                cJSON_AddStringToObject(s, "format", "binary");
            }
        }
        if (responses) {
            cJSON_AddItemToObject(responses, "200", ok);
            add_error_responses(responses);
        }
    }
    op = add_op(paths, "/api/v1/public/outlets/{outletId}", "get", "public.outlet", "public",
                "A verified company's outlet: name, type, company, tier and score (cached)", 0);
    if (op) {
        add_path_param(op, "outletId", "the outlet's id");
        responses = cJSON_AddObjectToObject(op, "responses");
        if (responses) {
            cJSON_AddItemToObject(responses, "200", response("OK", ref_to("PublicOutlet")));
            add_error_responses(responses);
        }
    }
    op = add_op(paths, "/api/v1/openapi.json", "get", "openapi", "meta", "This document", 0);
    if (op && (responses = cJSON_AddObjectToObject(op, "responses")))
        cJSON_AddItemToObject(responses, "200", response("OpenAPI 3.0", cJSON_CreateObject()));
    const char *probes[][2] = {{"/healthz", "Liveness: the loop is turning"},
                               {"/readyz", "Readiness: database reachable, migrations applied"},
                               {"/metrics", "Prometheus text"}};
    for (size_t i = 0; i < 3; i++) {
        op = add_op(paths, probes[i][0], "get", probes[i][0] + 1, "meta", probes[i][1], 0);
        if (op && (responses = cJSON_AddObjectToObject(op, "responses"))) {
            cJSON *ok = cJSON_CreateObject();
            if (ok)
                cJSON_AddStringToObject(ok, "description", "OK (text/plain)");
            cJSON_AddItemToObject(responses, "200", ok);
        }
    }
}

int gw_openapi_build(char **out, size_t *len)
{
    cJSON *doc = cJSON_CreateObject();
    if (!doc)
        return SK_ENOMEM;
    cJSON_AddStringToObject(doc, "openapi", "3.0.3");
    cJSON *info = cJSON_AddObjectToObject(doc, "info");
    if (info) {
        cJSON_AddStringToObject(info, "title", "SEKLIK API");
        cJSON_AddStringToObject(info, "version", SEKLIK_VERSION);
        cJSON_AddStringToObject(info, "description",
                                "Every bus method as POST /api/v1/{service}.{Method}, JSON (proto3 "
                                "mapping) or application/x-protobuf. Generated from the .proto "
                                "descriptors at start.");
    }
    cJSON *comps = cJSON_AddObjectToObject(doc, "components");
    cJSON *schemas = comps ? cJSON_AddObjectToObject(comps, "schemas") : NULL;
    cJSON *schemes = comps ? cJSON_AddObjectToObject(comps, "securitySchemes") : NULL;
    cJSON *paths = cJSON_AddObjectToObject(doc, "paths");
    if (!schemas || !schemes || !paths) {
        cJSON_Delete(doc);
        return SK_ENOMEM;
    }
    cJSON *session = cJSON_AddObjectToObject(schemes, "session");
    if (session) {
        cJSON_AddStringToObject(session, "type", "apiKey");
        cJSON_AddStringToObject(session, "in", "cookie");
        cJSON_AddStringToObject(session, "name", GW_SESSION_COOKIE);
    }
    cJSON *csrf = cJSON_AddObjectToObject(schemes, "csrf");
    if (csrf) {
        cJSON_AddStringToObject(csrf, "type", "apiKey");
        cJSON_AddStringToObject(csrf, "in", "header");
        cJSON_AddStringToObject(csrf, "name", GW_CSRF_HEADER);
    }
    add_fixed_schemas(schemas);
    for (size_t i = 0; i < GW_N_SERVICES; i++)
        for (unsigned k = 0; k < gw_services[i].api->n_methods; k++)
            add_method(paths, schemas, &gw_services[i], &gw_services[i].api->methods[k]);
    add_http_routes(paths);

    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    if (!text)
        return SK_ENOMEM;
    size_t n = strlen(text);
    *out = malloc(n + 1);
    if (!*out) {
        cJSON_free(text);
        return SK_ENOMEM;
    }
    memcpy(*out, text, n + 1);
    cJSON_free(text);
    *len = n;
    return SK_OK;
}
