/* api.c - what the gateway does with an API request, on the thread pool:
 * resolve the session, check CSRF, transcode, call the bus with the signed
 * actor, transcode back; the auth routes; document files; public outlet
 * profiles behind a two-level cache (memory, then Redis). */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "seklik/accounting.pb-c.h"
#include "seklik/distribution.pb-c.h"
#include "seklik/gateway.pb-c.h"
#include "seklik/ordering.pb-c.h"
#include "seklik/registry.pb-c.h"
#include "seklik/scoring.pb-c.h"
#include "seklik/verification.pb-c.h"
#include "sk_actor.h"
#include "sk_err.h"
#include "sk_id.h"
#include "sk_json.h"
#include "sk_log.h"

const gw_service gw_services[GW_N_SERVICES] = {
    {"registry", &seklik__registry__registry__descriptor},
    {"verification", &seklik__verification__verification__descriptor},
    {"scoring", &seklik__scoring__scoring__descriptor},
    {"ordering", &seklik__ordering__ordering__descriptor},
    {"distribution", &seklik__distribution__distribution__descriptor},
    {"accounting", &seklik__accounting__accounting__descriptor},
    {"gateway", &seklik__gateway__gateway__descriptor},
};

enum { SVC_REGISTRY = 0, SVC_SCORING = 2, SVC_DISTRIBUTION = 4, SVC_GATEWAY = 6 };

/* Small JSON bodies (login, sign-up) are never larger than this. */
#define AUTH_BODY_MAX 16384
#define IDEM_KEY_MAX  128

const ProtobufCMethodDescriptor *gw_api_find_method(const char *service, const char *method,
                                                    const gw_service **svc)
{
    for (size_t i = 0; i < GW_N_SERVICES; i++) {
        if (strcmp(gw_services[i].name, service) != 0)
            continue;
        if (svc)
            *svc = &gw_services[i];
        return protobuf_c_service_descriptor_get_method_by_name(gw_services[i].api, method);
    }
    return NULL;
}

int gw_api_open_clients(gw_app *app, const char *const urls[GW_N_SERVICES])
{
    for (size_t i = 0; i < GW_N_SERVICES; i++) {
        if (!urls[i] || !urls[i][0])
            continue;
        int rc = sk_rpc_client_open(urls[i], app->key, 0, &app->clients[i]);
        if (rc != SK_OK) {
            sk_log_error("gateway: cannot dial %s at %s", gw_services[i].name, urls[i]);
            return rc;
        }
    }
    return SK_OK;
}

void gw_api_abort_clients(gw_app *app)
{
    for (size_t i = 0; i < GW_N_SERVICES; i++)
        if (app->clients[i])
            sk_rpc_client_abort(app->clients[i]);
}

void gw_api_close_clients(gw_app *app)
{
    for (size_t i = 0; i < GW_N_SERVICES; i++) {
        sk_rpc_client_close(app->clients[i]);
        app->clients[i] = NULL;
    }
}

/* ---- replies ---- */

static void reply_take_json(gw_reply *rep, unsigned status, cJSON *o)
{
    char *text = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    free(rep->body);
    rep->body = NULL;
    rep->len = 0;
    rep->status = status;
    rep->content_type = "application/json";
    if (!text) {
        rep->status = 500;
        return;
    }
    size_t n = strlen(text);
    rep->body = malloc(n + 1);
    if (rep->body) {
        memcpy(rep->body, text, n + 1);
        rep->len = n;
    } else {
        rep->status = 500;
    }
    cJSON_free(text);
}

static cJSON *error_object(int code, const char *message)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "code", sk_err_code_name(code));
    cJSON_AddStringToObject(o, "message", message ? message : sk_strerror(code));
    return o;
}

/* One violation: `code` is the service's stable code ("" from a site not yet
 * converted), which the UI's catalogues turn into words. */
static void add_violation(cJSON *o, const char *field, const char *code, const char *description)
{
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "violations");
    if (!arr)
        arr = cJSON_AddArrayToObject(o, "violations");
    cJSON *v = cJSON_CreateObject();
    if (!arr || !v) {
        cJSON_Delete(v);
        return;
    }
    cJSON_AddStringToObject(v, "field", field ? field : "");
    cJSON_AddStringToObject(v, "code", code ? code : "");
    cJSON_AddStringToObject(v, "description", description ? description : "");
    cJSON_AddItemToArray(arr, v);
}

void gw_reply_error(gw_reply *rep, unsigned status, int code, const char *message,
                    const char *field, const char *description)
{
    cJSON *o = error_object(code, message);
    if (o && field) {
        /* "<code>: <English>" gives the violation its code, as a service's has. */
        const char *d = description ? description : message ? message : "";
        char lead[64] = "";
        size_t n = strspn(d, "abcdefghijklmnopqrstuvwxyz0123456789_.");
        if (n > 0 && n < sizeof(lead) && d[n] == ':' && d[n + 1] == ' ') {
            memcpy(lead, d, n);
            lead[n] = '\0';
            d += n + 2;
        }
        add_violation(o, field, lead, d);
    }
    rep->document = false;
    reply_take_json(rep, status ? status : (unsigned)sk_err_http_status(code), o);
}

/* A service's refusal, as it said it. */
static void reply_bus_error(gw_reply *rep, const Seklik__Bus__Response *resp)
{
    int code = sk_err_from_bus_code(resp->code);
    cJSON *o = error_object(code, resp->message && resp->message[0] ? resp->message : NULL);
    for (size_t i = 0; o && i < resp->n_violations; i++)
        add_violation(o, resp->violations[i]->field, resp->violations[i]->code,
                      resp->violations[i]->description);
    rep->document = false;
    reply_take_json(rep, (unsigned)sk_err_http_status(code), o);
}

static void reply_transport_error(gw_reply *rep, int rc)
{
    gw_reply_error(rep, 0, rc,
                   rc == SK_ETIMEDOUT ? "service.timeout: the service did not answer in time"
                                      : "service.unavailable: the service is unavailable",
                   NULL, NULL);
}

static cJSON *session_json(const gw_session *s)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *u = root ? cJSON_AddObjectToObject(root, "user") : NULL;
    cJSON *roles = u ? cJSON_AddArrayToObject(u, "roles") : NULL;
    if (!roles) {
        cJSON_Delete(root);
        return NULL;
    }
    cJSON_AddStringToObject(u, "id", s->user_id);
    cJSON_AddStringToObject(u, "username", s->username);
    cJSON_AddStringToObject(u, "displayName", s->display_name);
    for (size_t i = 0; i < s->n_roles && i < GW_MAX_ROLES; i++)
        cJSON_AddItemToArray(roles, cJSON_CreateString(s->roles[i]));
    cJSON_AddStringToObject(u, "companyId", s->company_id);
    cJSON_AddStringToObject(u, "locale", s->locale);
    cJSON_AddStringToObject(root, "csrfToken", s->csrf_token);
    return root;
}

/* ---- refusals ---- */

/* A service refused the call made on behalf of `s`: audit it. */
static void audit_bus_refusal(gw_app *app, gw_req *r, const gw_session *s, const char *what,
                              const Seklik__Bus__Response *resp)
{
    int code = sk_err_from_bus_code(resp->code);
    if (code != SK_EPERM && code != SK_EAUTH)
        return;
    int rc = gw_auth_audit_refusal(app->auth, s, r->remote_addr, what,
                                   resp->message && resp->message[0] ? resp->message
                                                                     : "refused by the service");
    if (rc != SK_OK)
        sk_log_warn("gateway: cannot audit the refusal of %s for %s: %s", what, s->user_id,
                    sk_strerror(rc));
}

/* ---- admission ---- */

/* Every route that needs a session comes through here once: the session,
 * the CSRF token (`csrf`), the actor, and the audit of a refusal all happen
 * in gw_auth_admit. False: the reply is set (401, 403, or 503 when the
 * session store cannot answer). `what` names the request for the audit
 * trail; `quiet`: a missing session is no refusal (GET /auth/me asks
 * exactly that). A renewed session gets its cookie again, so the browser
 * keeps it as long as the server does. */
static bool admit(gw_app *app, gw_req *r, const char *what, bool csrf, bool quiet,
                  gw_admitted *ad)
{
    gw_admission q = {.cookie = r->cookie,
                      .csrf = r->csrf,
                      .remote_addr = r->remote_addr,
                      .what = what,
                      .need_csrf = csrf,
                      .quiet = quiet};
    int rc = app->auth ? gw_auth_admit(app->auth, &q, ad) : SK_EAUTH;
    if (rc == SK_OK || rc == SK_EPERM) {
        if (ad->session.renewed)
            gw_auth_cookie(app->auth, &ad->session, r->reply.set_cookie,
                           sizeof(r->reply.set_cookie));
    }
    switch (rc) {
    case SK_OK: return true;
    case SK_EAUTH:
        gw_reply_error(&r->reply, 401, SK_EAUTH, "auth.required: log in first", NULL, NULL);
        return false;
    case SK_EPERM:
        gw_reply_error(&r->reply, 403, SK_EPERM, "csrf.invalid: the CSRF token is missing or wrong",
                       GW_CSRF_HEADER, "csrf.invalid: must equal the session's csrfToken");
        return false;
    default:
        /* Not the user's fault: a 401 would send them to the login page. */
        reply_transport_error(&r->reply, SK_EUNAVAIL);
        return false;
    }
}

/* ---- POST /api/v1/{service}.{Method} ---- */

/* Bind a company-less partner to the company it just registered. A failed
 * bind (the database went away between the registry's commit and ours) must
 * not answer 200: the partner would be refused its own company. The caller
 * answers 503 instead; the client's retry with the same key gets the same
 * company back (one company per partner, idempotent) and binds. */
static int bind_company_after_register(gw_app *app, gw_admitted *ad,
                                       const Seklik__Bus__Response *resp)
{
    gw_session *s = &ad->session;
    if (s->company_id[0] || !sk_actor_has_role(&ad->actor, SK_ROLE_PARTNER))
        return SK_OK;
    Seklik__Registry__Company *co =
        seklik__registry__company__unpack(NULL, resp->body.len, resp->body.data);
    if (!co)
        return SK_EINTERNAL;
    int rc = SK_OK;
    if (co->id && co->id[0]) {
        rc = gw_auth_bind_company(app->auth, s, co->id);
        if (rc != SK_OK)
            sk_log_warn("gateway: binding user %s to company %s: %s", s->user_id, co->id,
                        sk_strerror(rc));
    }
    seklik__registry__company__free_unpacked(co, NULL);
    return rc;
}

/* gateway.ChangeOwnPassword is answered here, not over the bus: it needs
 * the caller's session (every other one ends) and a throttle record that a
 * wrong password must not roll back. */
static void change_own_password(gw_app *app, gw_req *r, gw_admitted *ad,
                                const ProtobufCMessage *in)
{
    const Seklik__Gateway__ChangeOwnPasswordRequest *req =
        (const Seklik__Gateway__ChangeOwnPasswordRequest *)in;
    gw_auth_error err;
    int rc = gw_auth_change_password(app->auth, &ad->session, req->current_password,
                                     req->new_password, r->remote_addr, &err);
    if (rc != SK_OK) {
        const char *msg = err.message[0] ? err.message : NULL;
        gw_reply_error(&r->reply, 0, rc, msg, err.field[0] ? err.field : NULL, msg);
        if (err.retry_after_s > 0)
            r->reply.retry_after_s = err.retry_after_s;
        return;
    }
    if (r->want_protobuf) {
        r->reply.status = 200;
        r->reply.content_type = "application/x-protobuf"; /* Empty: no bytes */
        return;
    }
    reply_take_json(&r->reply, 200, cJSON_CreateObject());
}

static void handle_rpc(gw_app *app, gw_req *r)
{
    const gw_service *svc = NULL;
    const ProtobufCMethodDescriptor *md =
        gw_api_find_method(r->route.service, r->route.method, &svc);
    if (!md) {
        gw_reply_error(&r->reply, 404, SK_ENOTFOUND, "method.unknown: unknown service or method",
                       NULL, NULL);
        return;
    }
    char what[96];
    snprintf(what, sizeof(what), "%s.%s", svc->name, md->name);
    gw_admitted ad;
    if (!admit(app, r, what, true, false, &ad))
        return;

    ProtobufCMessage *in = NULL;
    if (r->body_protobuf) {
        in = protobuf_c_message_unpack(md->input, NULL, r->body_len, r->body);
        if (!in) {
            gw_reply_error(&r->reply, 400, SK_EINVAL,
                           "body.invalid: the body is not a valid protobuf message", "",
                           md->input->name);
            return;
        }
    } else {
        sk_json_error je;
        const char *json = r->body_len ? (const char *)r->body : "{}";
        size_t len = r->body_len ? r->body_len : 2;
        int rc = sk_json_to_pb(md->input, json, len, &in, &je);
        if (rc == SK_EINVAL) {
            gw_reply_error(&r->reply, 400, SK_EINVAL, je.message, je.field, je.message);
            return;
        }
        if (rc != SK_OK) {
            gw_reply_error(&r->reply, 0, rc, NULL, NULL, NULL);
            return;
        }
    }

    if (svc - gw_services == SVC_GATEWAY && strcmp(md->name, "ChangeOwnPassword") == 0) {
        change_own_password(app, r, &ad, in);
        protobuf_c_message_free_unpacked(in, NULL);
        return;
    }

    char key[IDEM_KEY_MAX + 48], fresh[SK_UUID_STRLEN];
    const char *given = r->idem_key && r->idem_key[0] ? r->idem_key : NULL;
    if (given && strlen(given) > IDEM_KEY_MAX) {
        protobuf_c_message_free_unpacked(in, NULL);
        gw_reply_error(&r->reply, 400, SK_EINVAL,
                       "idempotency_key.too_long: at most 128 characters", "Idempotency-Key",
                       "idempotency_key.too_long: at most 128 characters");
        return;
    }
    if (!given) {
        sk_uuid7(fresh);
        given = fresh;
    }
    snprintf(key, sizeof(key), "%s:%s", ad.session.user_id, given);

    char name[96];
    snprintf(name, sizeof(name), "%s.%s", svc->api->short_name, md->name);
    sk_rpc_client *cl = app->clients[svc - gw_services];
    Seklik__Bus__Response *resp = NULL;
    int rc = cl ? sk_rpc_call(cl, name, &ad.actor, key, in, app->cfg.call_timeout_ms, &resp)
                : SK_EUNAVAIL;
    protobuf_c_message_free_unpacked(in, NULL);
    if (rc != SK_OK) {
        reply_transport_error(&r->reply, rc);
        return;
    }
    if (resp->code != SEKLIK__BUS__CODE__OK) {
        audit_bus_refusal(app, r, &ad.session, what, resp);
        reply_bus_error(&r->reply, resp);
        seklik__bus__response__free_unpacked(resp, NULL);
        return;
    }
    if (svc - gw_services == SVC_REGISTRY && strcmp(md->name, "RegisterCompany") == 0)
        if (bind_company_after_register(app, &ad, resp) != SK_OK) {
            seklik__bus__response__free_unpacked(resp, NULL);
            reply_transport_error(&r->reply, SK_EUNAVAIL);
            return;
        }

    if (r->want_protobuf) {
        r->reply.status = 200;
        r->reply.content_type = "application/x-protobuf";
        if (resp->body.len) {
            r->reply.body = malloc(resp->body.len);
            if (!r->reply.body) {
                gw_reply_error(&r->reply, 0, SK_ENOMEM, NULL, NULL, NULL);
            } else {
                memcpy(r->reply.body, resp->body.data, resp->body.len);
                r->reply.len = resp->body.len;
            }
        }
        seklik__bus__response__free_unpacked(resp, NULL);
        return;
    }
    ProtobufCMessage *out =
        protobuf_c_message_unpack(md->output, NULL, resp->body.len, resp->body.data);
    seklik__bus__response__free_unpacked(resp, NULL);
    char *json = NULL;
    rc = out ? sk_pb_to_json(out, &json) : SK_EINTERNAL;
    if (out)
        protobuf_c_message_free_unpacked(out, NULL);
    if (rc != SK_OK) {
        sk_log_error("gateway: %s: cannot transcode the reply: %s", what, sk_strerror(rc));
        gw_reply_error(&r->reply, 0, SK_EINTERNAL, NULL, NULL, NULL);
        return;
    }
    r->reply.status = 200;
    r->reply.content_type = "application/json";
    r->reply.body = (uint8_t *)json;
    r->reply.len = strlen(json);
}

/* ---- /api/v1/auth/... ---- */

/* The string member `name` of `o`: "" when absent, NULL when not a string. */
static const char *str_member(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!v || cJSON_IsNull(v))
        return "";
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void reply_session(gw_app *app, gw_req *r, const gw_session *s, bool cookie)
{
    reply_take_json(&r->reply, 200, session_json(s));
    if (cookie)
        gw_auth_cookie(app->auth, s, r->reply.set_cookie, sizeof(r->reply.set_cookie));
}

/* The small JSON body of an auth route: an object whose `fields` are
 * strings ("" when absent) into vals[]. False: the reply is set (and `*o`
 * freed). The caller frees *o. */
static bool auth_form(gw_app *app, gw_req *r, const char *const *fields, size_t n,
                      const char **vals, cJSON **o)
{
    *o = NULL;
    if (!app->auth) {
        gw_reply_error(&r->reply, 503, SK_EUNAVAIL,
                       "auth.unavailable: logging in is unavailable now", NULL, NULL);
        return false;
    }
    if (r->body_len > AUTH_BODY_MAX) {
        gw_reply_error(&r->reply, 413, SK_EEXHAUSTED,
                       "body.too_large: the request body is too large", NULL, NULL);
        return false;
    }
    *o = cJSON_ParseWithLength((const char *)r->body, r->body_len);
    if (!cJSON_IsObject(*o)) {
        cJSON_Delete(*o);
        *o = NULL;
        gw_reply_error(&r->reply, 400, SK_EINVAL, "body.not_object: the body must be a JSON object",
                       "", "body.not_object: the body must be a JSON object");
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        vals[i] = str_member(*o, fields[i]);
        if (!vals[i]) {
            cJSON_Delete(*o);
            *o = NULL;
            gw_reply_error(&r->reply, 400, SK_EINVAL, "body.not_string: must be a string",
                           fields[i], "body.not_string: must be a string");
            return false;
        }
    }
    return true;
}

/* An auth function's refusal as the reply, with Retry-After when throttled. */
static void reply_auth_error(gw_req *r, int rc, const gw_auth_error *err)
{
    const char *msg = err->message[0] ? err->message : NULL;
    gw_reply_error(&r->reply, 0, rc, msg, err->field[0] ? err->field : NULL, msg);
    if (rc == SK_EEXHAUSTED || err->retry_after_s > 0)
        r->reply.retry_after_s = err->retry_after_s > 0 ? err->retry_after_s : 60;
}

static void handle_login(gw_app *app, gw_req *r, bool signup)
{
    static const char *const fields[] = {"username", "password", "displayName", "email"};
    const char *vals[4];
    cJSON *o;
    if (!auth_form(app, r, fields, signup ? 4u : 2u, vals, &o))
        return;
    gw_session s;
    gw_auth_error err;
    memset(&s, 0, sizeof(s));
    memset(&err, 0, sizeof(err));
    int rc = signup ? gw_auth_signup_email(app->auth, vals[0], vals[1], vals[2], vals[3],
                                           r->remote_addr, &s, &err)
                    : gw_auth_login(app->auth, vals[0], vals[1], r->remote_addr, &s, &err);
    cJSON_Delete(o);
    if (rc == SK_OK) {
        reply_session(app, r, &s, true);
        return;
    }
    reply_auth_error(r, rc, &err);
}

/* POST /api/v1/auth/reset/request {"account"}: the same answer for every
 * account, known or not (gw_auth_reset_request). */
static void handle_reset_request(gw_app *app, gw_req *r)
{
    static const char *const fields[] = {"account"};
    const char *vals[1];
    cJSON *o;
    if (!auth_form(app, r, fields, 1, vals, &o))
        return;
    gw_auth_error err;
    int rc = gw_auth_reset_request(app->auth, vals[0], r->remote_addr, &err);
    cJSON_Delete(o);
    if (rc != SK_OK) {
        reply_auth_error(r, rc, &err);
        return;
    }
    cJSON *ok = cJSON_CreateObject();
    if (ok)
        cJSON_AddBoolToObject(ok, "accepted", true);
    reply_take_json(&r->reply, 200, ok);
}

/* POST /api/v1/auth/reset/confirm {"userId", "token", "newPassword"}. */
static void handle_reset_confirm(gw_app *app, gw_req *r)
{
    static const char *const fields[] = {"userId", "token", "newPassword"};
    const char *vals[3];
    cJSON *o;
    if (!auth_form(app, r, fields, 3, vals, &o))
        return;
    gw_auth_error err;
    int rc = gw_auth_reset_confirm(app->auth, vals[0], vals[1], vals[2], r->remote_addr, &err);
    cJSON_Delete(o);
    if (rc != SK_OK) {
        reply_auth_error(r, rc, &err);
        return;
    }
    reply_take_json(&r->reply, 200, cJSON_CreateObject());
}

/* The reset mail thread's hand-over (gw_reset_mail_fn): Distribution.QueueMail
 * as the gateway itself, with the same idempotency key on every try. */
int gw_api_send_reset_mail(void *arg, const gw_reset_mail *m)
{
    gw_app *app = arg;
    sk_rpc_client *cl = app->clients[SVC_DISTRIBUTION];
    if (!cl)
        return SK_EUNAVAIL;
    Seklik__Bus__Actor actor = SEKLIK__BUS__ACTOR__INIT;
    actor.user_id = (char *)"system:gateway";
    char minutes[16];
    snprintf(minutes, sizeof(minutes), "%d", m->minutes);
    Seklik__Distribution__MailValue v[4];
    Seklik__Distribution__MailValue *vp[4];
    const char *keys[] = {"user", "token", "minutes", "name"};
    const char *vals[] = {m->user_id, m->token, minutes, m->name};
    for (size_t i = 0; i < 4; i++) {
        seklik__distribution__mail_value__init(&v[i]);
        v[i].key = (char *)keys[i];
        v[i].value = (char *)vals[i];
        vp[i] = &v[i];
    }
    char *to[] = {(char *)m->email};
    Seklik__Distribution__QueueMailRequest req = SEKLIK__DISTRIBUTION__QUEUE_MAIL_REQUEST__INIT;
    req.template_name = (char *)"password_reset";
    req.recipients = to;
    req.n_recipients = 1;
    req.values = vp;
    req.n_values = 4;
    req.user_id = (char *)m->user_id;
    req.locale = (char *)m->locale;
    char why[200] = "";
    ProtobufCMessage *out = NULL;
    int rc = sk_rpc_call_decode(cl, "Distribution.QueueMail", &actor, m->key, &req.base,
                                &seklik__distribution__queue_mail_response__descriptor,
                                app->cfg.call_timeout_ms, &out, why, sizeof(why));
    if (out)
        protobuf_c_message_free_unpacked(out, NULL);
    if (rc != SK_OK)
        sk_log_warn("gateway: Distribution.QueueMail for user %s: %s %s", m->user_id,
                    sk_strerror(rc), why);
    return rc;
}

static void handle_logout(gw_app *app, gw_req *r)
{
    gw_admitted ad;
    if (!admit(app, r, "auth.logout", true, false, &ad))
        return;
    int rc = gw_auth_logout(app->auth, ad.session.token);
    if (rc != SK_OK) {
        gw_reply_error(&r->reply, 0, rc, NULL, NULL, NULL);
        return;
    }
    reply_take_json(&r->reply, 200, cJSON_CreateObject());
    gw_auth_cookie(app->auth, NULL, r->reply.set_cookie, sizeof(r->reply.set_cookie));
}

static void handle_me(gw_app *app, gw_req *r)
{
    gw_admitted ad;
    if (!admit(app, r, "auth.me", false, true, &ad))
        return;
    reply_session(app, r, &ad.session, false);
}

/* ---- GET /api/v1/files/registry/documents/{id} ---- */

static const char *document_type(const char *t)
{
    static const char *const known[] = {"application/pdf", "image/jpeg", "image/png"};
    for (size_t i = 0; t && i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(t, known[i]) == 0)
            return known[i];
    return "application/octet-stream";
}

static void handle_file(gw_app *app, gw_req *r)
{
    if (!sk_uuid_valid(r->route.id)) {
        gw_reply_error(&r->reply, 404, SK_ENOTFOUND, "document.not_found: no such document", NULL,
                       NULL);
        return;
    }
    gw_admitted ad;
    if (!admit(app, r, "registry.GetDocumentFile", false, false, &ad))
        return;
    Seklik__Registry__GetDocumentFileRequest in = SEKLIK__REGISTRY__GET_DOCUMENT_FILE_REQUEST__INIT;
    in.document_id = r->route.id;
    sk_rpc_client *cl = app->clients[SVC_REGISTRY];
    Seklik__Bus__Response *resp = NULL;
    int rc = cl ? sk_rpc_call(cl, "Registry.GetDocumentFile", &ad.actor, NULL, &in.base,
                              app->cfg.call_timeout_ms, &resp)
                : SK_EUNAVAIL;
    if (rc != SK_OK) {
        reply_transport_error(&r->reply, rc);
        return;
    }
    if (resp->code != SEKLIK__BUS__CODE__OK) {
        audit_bus_refusal(app, r, &ad.session, "registry.GetDocumentFile", resp);
        reply_bus_error(&r->reply, resp);
        seklik__bus__response__free_unpacked(resp, NULL);
        return;
    }
    Seklik__Registry__DocumentFile *df =
        seklik__registry__document_file__unpack(NULL, resp->body.len, resp->body.data);
    seklik__bus__response__free_unpacked(resp, NULL);
    if (!df) {
        gw_reply_error(&r->reply, 0, SK_EINTERNAL, NULL, NULL, NULL);
        return;
    }
    r->reply.status = 200;
    r->reply.document = true;
    r->reply.content_type = document_type(df->document ? df->document->content_type : NULL);
    /* Only a safe subset of the name goes into the header. */
    char name[128];
    size_t n = 0;
    const char *fn = df->document && df->document->file_name ? df->document->file_name : "";
    for (; *fn && n < sizeof(name) - 1; fn++) {
        unsigned char ch = (unsigned char)*fn;
        name[n++] =
            (ch < 0x80 && (ch == '.' || ch == '-' || ch == '_' || (ch >= '0' && ch <= '9') ||
                           ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z')))
                ? (char)ch
                : '_';
    }
    name[n] = '\0';
    if (n)
        snprintf(r->reply.disposition, sizeof(r->reply.disposition), "inline; filename=\"%s\"",
                 name);
    else
        snprintf(r->reply.disposition, sizeof(r->reply.disposition), "inline");
    if (df->content.len) {
        r->reply.body = malloc(df->content.len);
        if (r->reply.body) {
            memcpy(r->reply.body, df->content.data, df->content.len);
            r->reply.len = df->content.len;
        } else {
            gw_reply_error(&r->reply, 0, SK_ENOMEM, NULL, NULL, NULL);
        }
    }
    seklik__registry__document_file__free_unpacked(df, NULL);
}

/* ---- public outlet profiles ---- */

#define PC_STRIPES 64

typedef struct pc_slot {
    char id[SK_UUID_STRLEN];
    uint8_t *json;
    size_t len;
    uint64_t expires_ns;
} pc_slot;

struct gw_public_cache {
    pthread_mutex_t locks[PC_STRIPES];
    pc_slot *slots;
    size_t n;
    atomic_uint_fast64_t gen; /* bumped by every invalidation */
};

int gw_public_cache_open(size_t slots, gw_public_cache **out)
{
    gw_public_cache *pc = calloc(1, sizeof(*pc));
    if (!pc)
        return SK_ENOMEM;
    pc->slots = calloc(slots, sizeof(pc_slot));
    if (!pc->slots) {
        free(pc);
        return SK_ENOMEM;
    }
    pc->n = slots;
    for (size_t i = 0; i < PC_STRIPES; i++)
        pthread_mutex_init(&pc->locks[i], NULL);
    *out = pc;
    return SK_OK;
}

void gw_public_cache_close(gw_public_cache *pc)
{
    if (!pc)
        return;
    for (size_t i = 0; i < pc->n; i++)
        free(pc->slots[i].json);
    for (size_t i = 0; i < PC_STRIPES; i++)
        pthread_mutex_destroy(&pc->locks[i]);
    free(pc->slots);
    free(pc);
}

static size_t pc_index(const gw_public_cache *pc, const char *id)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return (size_t)(h % pc->n);
}

bool gw_public_get(gw_app *app, const char *outlet_id, uint8_t **json, size_t *len)
{
    gw_public_cache *pc = app->pub;
    if (!pc)
        return false;
    size_t i = pc_index(pc, outlet_id);
    bool hit = false;
    pthread_mutex_lock(&pc->locks[i % PC_STRIPES]);
    pc_slot *sl = &pc->slots[i];
    if (sl->json && strcmp(sl->id, outlet_id) == 0 && sl->expires_ns > sk_now_mono_ns()) {
        *json = malloc(sl->len);
        if (*json) {
            memcpy(*json, sl->json, sl->len);
            *len = sl->len;
            hit = true;
        }
    }
    pthread_mutex_unlock(&pc->locks[i % PC_STRIPES]);
    return hit;
}

/* Keep a copy of `json` unless an invalidation happened since `gen`. */
static void pc_put(gw_app *app, const char *outlet_id, const uint8_t *json, size_t len,
                   uint64_t gen)
{
    gw_public_cache *pc = app->pub;
    if (!pc || strlen(outlet_id) >= SK_UUID_STRLEN)
        return;
    uint8_t *copy = malloc(len);
    if (!copy)
        return;
    memcpy(copy, json, len);
    size_t i = pc_index(pc, outlet_id);
    pthread_mutex_lock(&pc->locks[i % PC_STRIPES]);
    if (atomic_load(&pc->gen) == gen) {
        pc_slot *sl = &pc->slots[i];
        free(sl->json);
        memcpy(sl->id, outlet_id, strlen(outlet_id) + 1);
        sl->json = copy;
        sl->len = len;
        sl->expires_ns = sk_now_mono_ns() + (uint64_t)app->cfg.public_ttl_s * 1000000000ull;
        copy = NULL;
    }
    pthread_mutex_unlock(&pc->locks[i % PC_STRIPES]);
    free(copy);
}

void gw_public_invalidate(gw_app *app, const char *outlet_id)
{
    gw_public_cache *pc = app->pub;
    if (pc) {
        atomic_fetch_add(&pc->gen, 1);
        for (size_t i = 0; i < pc->n; i++) {
            if (outlet_id && i != pc_index(pc, outlet_id))
                continue;
            pthread_mutex_lock(&pc->locks[i % PC_STRIPES]);
            pc_slot *sl = &pc->slots[i];
            if (sl->json && (!outlet_id || strcmp(sl->id, outlet_id) == 0)) {
                free(sl->json);
                sl->json = NULL;
                sl->id[0] = '\0';
            }
            pthread_mutex_unlock(&pc->locks[i % PC_STRIPES]);
        }
    }
    if (app->cache) {
        if (outlet_id) {
            char key[80];
            snprintf(key, sizeof(key), "public:outlet:%s", outlet_id);
            sk_cache_invalidate(app->cache, key);
        } else {
            sk_cache_invalidate_prefix(app->cache, "public:outlet:");
        }
    }
}

typedef struct public_load_arg {
    gw_app *app;
    const char *outlet_id;
} public_load_arg;

/* The fiscal year now, in WIB (UTC+7). */
static int fiscal_year_now(void)
{
    time_t t = time(NULL) + 7 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    return tm.tm_year + 1900;
}

static const char *tier_name(int tier)
{
    switch (tier) {
    case SEKLIK__SCORING__TIER__TIER_A: return "A";
    case SEKLIK__SCORING__TIER__TIER_B: return "B";
    case SEKLIK__SCORING__TIER__TIER_C: return "C";
    default: return "-";
    }
}

/* Build the profile from scoring (outlet -> company, tier, total) and the
 * registry (company name and status), as the gateway's own read-only actor. */
static int public_load(void *argp, uint8_t **val, size_t *len)
{
    public_load_arg *a = argp;
    gw_app *app = a->app;
    sk_rpc_client *reg = app->clients[SVC_REGISTRY], *sco = app->clients[SVC_SCORING];
    if (!reg || !sco)
        return SK_EUNAVAIL;
    char *roles[] = {(char *)SK_ROLE_PR};
    Seklik__Bus__Actor actor = SEKLIK__BUS__ACTOR__INIT;
    actor.user_id = (char *)"gateway:public";
    actor.roles = roles;
    actor.n_roles = 1;

    char why[160];
    Seklik__Scoring__GetScoreRequest sreq = SEKLIK__SCORING__GET_SCORE_REQUEST__INIT;
    sreq.outlet_id = (char *)a->outlet_id;
    ProtobufCMessage *m = NULL;
    int rc = SK_ENOTFOUND;
    /* The newest score: partners register late in a year for the next one. */
    int year = fiscal_year_now();
    for (int y = year + 1; y >= year - 1 && rc == SK_ENOTFOUND; y--) {
        sreq.fiscal_year = y;
        rc = sk_rpc_call_decode(sco, "Scoring.GetScore", &actor, NULL, &sreq.base,
                                &seklik__scoring__outlet_score__descriptor,
                                app->cfg.call_timeout_ms, &m, why, sizeof(why));
    }
    if (rc == SK_EPERM)
        sk_log_warn("gateway: public profiles: scoring refused the gateway's actor: %s", why);
    if (rc != SK_OK)
        return rc == SK_EINVAL ? SK_ENOTFOUND : rc;
    Seklik__Scoring__OutletScore *sc = (Seklik__Scoring__OutletScore *)m;
    if (sc->suspended || !sc->company_id || !sk_uuid_valid(sc->company_id)) {
        protobuf_c_message_free_unpacked(m, NULL);
        return SK_ENOTFOUND;
    }
    Seklik__Registry__GetCompanyRequest creq = SEKLIK__REGISTRY__GET_COMPANY_REQUEST__INIT;
    creq.company_id = sc->company_id;
    ProtobufCMessage *cm = NULL;
    rc = sk_rpc_call_decode(reg, "Registry.GetCompany", &actor, NULL, &creq.base,
                            &seklik__registry__company__descriptor, app->cfg.call_timeout_ms, &cm,
                            why, sizeof(why));
    if (rc != SK_OK) {
        if (rc == SK_EPERM)
            sk_log_warn("gateway: public profiles: the registry refused the gateway's actor: %s",
                        why);
        protobuf_c_message_free_unpacked(m, NULL);
        return rc;
    }
    Seklik__Registry__Company *co = (Seklik__Registry__Company *)cm;
    rc = SK_ENOTFOUND;
    if (co->status == SEKLIK__REGISTRY__COMPANY_STATUS__COMPANY_STATUS_VERIFIED) {
        const char *name = sc->outlet_name;
        int type = sc->outlet_type;
        for (size_t i = 0; i < co->n_outlets; i++)
            if (co->outlets[i]->id && strcmp(co->outlets[i]->id, a->outlet_id) == 0 &&
                co->outlets[i]->data) {
                name = co->outlets[i]->data->name;
                type = co->outlets[i]->data->type;
            }
        const ProtobufCEnumValue *tv =
            protobuf_c_enum_descriptor_get_value(&seklik__registry__outlet_type__descriptor, type);
        cJSON *o = cJSON_CreateObject();
        if (o) {
            cJSON_AddStringToObject(o, "id", a->outlet_id);
            cJSON_AddStringToObject(o, "name", name ? name : "");
            cJSON_AddStringToObject(o, "type", tv ? tv->name : "");
            cJSON_AddStringToObject(o, "companyId", co->id ? co->id : "");
            cJSON_AddStringToObject(o, "companyName",
                                    co->data && co->data->legal_name ? co->data->legal_name : "");
            cJSON_AddStringToObject(o, "tier", tier_name(sc->tier));
            cJSON_AddNumberToObject(o, "scoreTotal", sc->total);
            cJSON_AddNumberToObject(o, "fiscalYear", sc->fiscal_year);
            cJSON_AddStringToObject(o, "verifiedUntil",
                                    co->verified_until ? co->verified_until : "");
        }
        gw_reply tmp = {0};
        reply_take_json(&tmp, 200, o);
        rc = tmp.status == 200 ? SK_OK : SK_ENOMEM;
        *val = tmp.body;
        *len = tmp.len;
        if (rc != SK_OK)
            free(tmp.body);
    }
    protobuf_c_message_free_unpacked(cm, NULL);
    protobuf_c_message_free_unpacked(m, NULL);
    return rc;
}

static void handle_public(gw_app *app, gw_req *r)
{
    uint64_t gen = app->pub ? atomic_load(&app->pub->gen) : 0;
    public_load_arg arg = {app, r->route.id};
    uint8_t *val = NULL;
    size_t len = 0;
    int rc;
    if (app->cache) {
        char key[80];
        snprintf(key, sizeof(key), "public:outlet:%s", r->route.id);
        rc = sk_cache_get_or_load(app->cache, key, app->cfg.public_ttl_s, public_load, &arg, &val,
                                  &len);
    } else {
        rc = public_load(&arg, &val, &len);
    }
    if (rc != SK_OK) {
        free(val);
        if (rc == SK_ENOTFOUND || rc == SK_EPERM)
            gw_reply_error(&r->reply, 404, SK_ENOTFOUND, "outlet.not_found: no such outlet", NULL,
                           NULL);
        else
            reply_transport_error(&r->reply, rc);
        return;
    }
    pc_put(app, r->route.id, val, len, gen);
    r->reply.status = 200;
    r->reply.content_type = "application/json";
    r->reply.body = val;
    r->reply.len = len;
}

/* ---- dispatch ---- */

void gw_api_handle(gw_app *app, gw_req *r)
{
    switch (r->route.kind) {
    case GW_ROUTE_RPC: handle_rpc(app, r); break;
    case GW_ROUTE_LOGIN: handle_login(app, r, false); break;
    case GW_ROUTE_SIGNUP: handle_login(app, r, true); break;
    case GW_ROUTE_RESET_REQUEST: handle_reset_request(app, r); break;
    case GW_ROUTE_RESET_CONFIRM: handle_reset_confirm(app, r); break;
    case GW_ROUTE_LOGOUT: handle_logout(app, r); break;
    case GW_ROUTE_ME: handle_me(app, r); break;
    case GW_ROUTE_FILE: handle_file(app, r); break;
    case GW_ROUTE_PUBLIC_OUTLET: handle_public(app, r); break;
    default:
        gw_reply_error(&r->reply, 404, SK_ENOTFOUND, "path.not_found: no such API path", NULL,
                       NULL);
        break;
    }
    if (!r->reply.status)
        gw_reply_error(&r->reply, 500, SK_EINTERNAL, NULL, NULL, NULL);
}
