/* handlers.c - the Gateway bus methods: user administration for admins, and
 * a user's own password. Sessions and logins are HTTP-only (auth.c).
 *
 * Commands run inside the transaction the RPC server opened: a handler that
 * returns anything but SK_OK has everything it wrote rolled back, so
 * validation collects every violation first and then returns SK_EINVAL.
 * Redis copies of sessions are forgotten only after the commit, so a
 * concurrent read cannot cache the state the transaction is replacing. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "domain.h"
#include "internal.h"
#include "seklik/gateway.pb-c.h"
#include "sk_actor.h"
#include "sk_audit.h"
#include "sk_err.h"
#include "sk_id.h"
#include "sk_log.h"
#include "sk_outbox.h"
#include "sk_service.h"
#include "store.h"

typedef Seklik__Gateway__User User;

#define LIST_DEFAULT 50
#define LIST_MAX 200

/* ---- small helpers ---- */

/* `message` is "<code>: <English>", a literal (the web UI's catalogue test
 * reads it at every call). */
static int deny(sk_call *call, const char *message)
{
    return sk_call_fail(call, SK_EPERM, message);
}

static int not_found(sk_call *call)
{
    return sk_call_fail(call, SK_ENOTFOUND, "user.not_found: no such user");
}

static bool is_admin(sk_call *call)
{
    return sk_actor_has_role(call->actor, SK_ROLE_ADMIN);
}

static bool blank(const char *s)
{
    return !s || s[strspn(s, " \t\r\n")] == '\0';
}

static void lower_id(const char *in, char out[SK_UUID_STRLEN])
{
    snprintf(out, SK_UUID_STRLEN, "%s", in);
    for (char *p = out; *p; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
}

/* The stored user as a message of the call's memory. */
static User *user_msg(sk_call *call, const gw_user *u)
{
    User *m = sk_call_alloc(call, sizeof(*m));
    char **roles = sk_call_alloc(call, (u->n_roles ? u->n_roles : 1) * sizeof(char *));
    if (!m || !roles)
        return NULL;
    seklik__gateway__user__init(m);
    m->id = sk_call_strdup(call, u->id);
    m->username = sk_call_strdup(call, u->username);
    m->display_name = sk_call_strdup(call, u->display_name);
    for (size_t i = 0; i < u->n_roles; i++)
        if (!(roles[i] = sk_call_strdup(call, u->roles[i])))
            return NULL;
    m->roles = roles;
    m->n_roles = u->n_roles;
    m->company_id = sk_call_strdup(call, u->company_id);
    m->disabled = u->disabled;
    m->locale = sk_call_strdup(call, u->locale);
    m->created_unix_ms = u->created_unix_ms;
    m->last_login_unix_ms = u->last_login_unix_ms;
    m->version = u->version;
    m->email = sk_call_strdup(call, u->email);
    if (!m->id || !m->username || !m->display_name || !m->company_id || !m->locale || !m->email)
        return NULL;
    return m;
}

/* Copy a User message's fields into `out` (shallow: strings stay the call's). */
static void user_out(User *out, const User *m)
{
    *out = *m;
}

static int audit_user(sk_call *call, const char *action, const gw_user *before,
                      const gw_user *after)
{
    char *b = before ? gw_user_json(before) : NULL, *a = gw_user_json(after);
    int rc = (before && !b) || !a ? SK_ENOMEM
                                  : sk_audit_append(call->db, call->actor, action, "user",
                                                    after->id, b, a, call->req->request_id);
    cJSON_free(b);
    cJSON_free(a);
    return rc;
}

/* A user was created or changed inside the call's transaction: its audit
 * record, its event (`type`) and the reply, all or none. */
static int user_changed(sk_call *call, const char *action, const gw_user *before,
                        const gw_user *after, const char *type, ProtobufCMessage *out)
{
    SK_TRY(audit_user(call, action, before, after));
    User *m = user_msg(call, after);
    if (!m)
        return SK_ENOMEM;
    SK_TRY(gw_emit_user(call->db, type, after, call->actor, call->req->request_id));
    user_out((User *)out, m);
    return SK_OK;
}

/* ---- forgetting sessions before and after the commit ---- */

typedef struct forget_job {
    sk_cache *cache;
    uint8_t (*hashes)[32];
    size_t n;
} forget_job;

static void forget_after_commit(void *arg)
{
    forget_job *j = arg;
    gw_auth_forget_sessions(j->cache, (const uint8_t(*)[32])j->hashes, j->n);
}

/* The user's sessions: deleted with `delete` (a disabled account, a reset
 * password), else only their Redis copies dropped (changed roles or name). */
static int end_sessions(sk_call *call, const char *user_id, bool delete)
{
    uint8_t(*hashes)[GW_TOKEN_HASH_BYTES] = NULL;
    size_t n = 0;
    SK_TRY(gw_store_user_sessions(call->db, user_id, delete, &hashes, &n));
    if (n == 0 || !call->cache) {
        free(hashes);
        return SK_OK;
    }
    forget_job *j = sk_call_alloc(call, sizeof(*j));
    uint8_t(*copy)[32] = sk_call_alloc(call, n * 32);
    if (!j || !copy) {
        free(hashes);
        return SK_ENOMEM;
    }
    memcpy(copy, hashes, n * 32);
    free(hashes);
    j->cache = call->cache;
    j->hashes = copy;
    j->n = n;
    /* Now and after the commit: the fence of this first drop (sk_cache_invalidate)
     * covers a crash between the commit and the second. */
    forget_after_commit(j);
    return sk_call_after_commit(call, forget_after_commit, j);
}

/* ---- validation shared by create and update ---- */

/* A rule of domain.c broken by `field`, as a coded violation. */
static int problem(sk_call *call, const char *field, gw_problem p)
{
    switch (p) {
    case GW_OK: return SK_OK;
    case GW_MISSING: return sk_call_violation_code(call, field, "required", "required");
    case GW_USERNAME_LENGTH:
        return sk_call_violation_code(call, field, "username.length",
                                      "username must be 3 to 64 characters");
    case GW_USERNAME_CHARS:
        return sk_call_violation_code(call, field, "username.chars",
                                      "username may hold only lower-case letters, digits, '.', "
                                      "'_', '-' and '@', starting with a letter or digit");
    case GW_DISPLAY_NAME_LENGTH:
        return sk_call_violation_code(call, field, "too_long", "at most 128 characters");
    case GW_DISPLAY_NAME_CHARS:
        return sk_call_violation_code(call, field, "text.invalid",
                                      "holds characters that are not allowed");
    case GW_PASSWORD_SHORT:
        return sk_call_violation_code(call, field, "password.too_short",
                                      "a password needs at least 10 characters");
    case GW_PASSWORD_LONG:
        return sk_call_violation_code(call, field, "password.too_long", "at most 256 bytes");
    case GW_PASSWORD_USERNAME:
        return sk_call_violation_code(call, field, "password.is_username",
                                      "the password must not be the username");
    case GW_PASSWORD_COMMON:
        return sk_call_violation_code(call, field, "password.common",
                                      "the password is too common, choose another");
    case GW_PASSWORD_ENCODING:
        return sk_call_violation_code(call, field, "text.invalid_utf8", "not valid UTF-8 text");
    case GW_ROLE_UNKNOWN:
        return sk_call_violation_code(call, field, "role.unknown",
                                      "unknown role; use admin, verifier, partnership, pr, "
                                      "finance, head or partner");
    case GW_ROLE_DUPLICATE:
        return sk_call_violation_code(call, field, "role.duplicate", "role given more than once");
    case GW_ROLE_TOO_MANY:
        return sk_call_violation_code(call, field, "role.too_many", "too many roles");
    case GW_ROLE_PARTNER_MIXED:
        return sk_call_violation_code(call, field, "role.partner_mixed",
                                      "a partner account has the partner role only");
    case GW_COMPANY_NOT_PARTNER:
        return sk_call_violation_code(call, field, "role.company_not_partner",
                                      "only partner accounts belong to a company");
    case GW_LOCALE_UNKNOWN:
        return sk_call_violation_code(call, field, "locale.unknown", "locale must be id or en");
    case GW_EMAIL_INVALID:
        return sk_call_violation_code(call, field, "email.invalid", "not a valid e-mail address");
    }
    return sk_call_violation_code(call, field, "unknown_value", "not allowed");
}

static void check_roles(sk_call *call, char **roles, size_t n, const char *company_id)
{
    int bad = -1;
    gw_problem p = gw_roles_check((const char *const *)roles, n, company_id, &bad);
    if (p == GW_COMPANY_NOT_PARTNER)
        problem(call, "companyId", p);
    else if (p != GW_OK)
        problem(call, "roles", p);
}

static void copy_roles(gw_user *u, char **roles, size_t n)
{
    u->n_roles = n < GW_MAX_ROLES ? n : GW_MAX_ROLES;
    for (size_t i = 0; i < u->n_roles; i++)
        snprintf(u->roles[i], sizeof(u->roles[i]), "%s", roles[i]);
}

/* Name "email" when another account has the address. */
static int check_email_free(sk_call *call, const char *email, const char *except_id)
{
    if (!email[0])
        return SK_OK;
    bool taken = false;
    SK_TRY(gw_store_email_taken(call->db, email, except_id, &taken));
    if (taken)
        sk_call_violation_code(call, "email", "email.taken",
                               "the address belongs to another account");
    return SK_OK;
}

/* ---- Gateway.CreateUser ---- */

static int create_user(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Gateway__CreateUserRequest *req = (const Seklik__Gateway__CreateUserRequest *)in;
    if (!is_admin(call))
        return deny(call, "access.admin_only: only admins manage users");

    gw_user u;
    memset(&u, 0, sizeof(u));
    gw_problem p = gw_username_normalize(req->username, u.username, sizeof(u.username));
    if (p != GW_OK)
        problem(call, "username", p);
    if (!blank(req->display_name)) {
        p = gw_display_name_check(req->display_name);
        if (p != GW_OK)
            problem(call, "displayName", p);
        gw_trim_copy(req->display_name, u.display_name, sizeof(u.display_name));
    } else {
        snprintf(u.display_name, sizeof(u.display_name), "%s", u.username);
    }
    bool company_ok = true;
    if (req->company_id && req->company_id[0]) {
        company_ok = sk_uuid_valid(req->company_id);
        if (!company_ok)
            sk_call_violation_code(call, "companyId", "id.invalid", "company id is not a valid id");
        else
            lower_id(req->company_id, u.company_id);
    }
    check_roles(call, req->roles, req->n_roles, company_ok ? u.company_id : NULL);
    p = gw_password_check(req->password, u.username);
    if (p != GW_OK)
        problem(call, "password", p);
    if (req->locale && req->locale[0] && !gw_locale_valid(req->locale))
        problem(call, "locale", GW_LOCALE_UNKNOWN);
    p = gw_email_normalize(req->email, u.email, sizeof(u.email));
    if (p != GW_OK)
        problem(call, "email", p);
    else
        SK_TRY(check_email_free(call, u.email, ""));
    if (call->n_violations > 0)
        return SK_EINVAL;

    copy_roles(&u, req->roles, req->n_roles);
    snprintf(u.locale, sizeof(u.locale), "%s", req->locale && req->locale[0] ? req->locale : "id");
    sk_uuid7(u.id);
    SK_TRY(gw_password_hash(req->password, u.password_hash));
    int rc = gw_store_insert_user(call->db, &u);
    if (rc == SK_EEXISTS)
        return sk_call_fail(call, SK_EEXISTS, "username.taken: the username is already taken");
    SK_TRY(rc);
    return user_changed(call, "user.create", NULL, &u, "gateway.user.created", out);
}

/* ---- Gateway.ListUsers ---- */

static int list_users(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Gateway__ListUsersRequest *req = (const Seklik__Gateway__ListUsersRequest *)in;
    Seklik__Gateway__ListUsersResponse *resp = (Seklik__Gateway__ListUsersResponse *)out;
    if (!is_admin(call))
        return deny(call, "access.admin_only: only admins manage users");
    if (req->role && req->role[0] && !gw_role_valid(req->role))
        return problem(call, "role", GW_ROLE_UNKNOWN);
    if (req->page_size < 0)
        return sk_call_violation_code(call, "pageSize", "negative",
                                      "page size must not be negative");
    int limit = req->page_size == 0 ? LIST_DEFAULT : req->page_size;
    if (limit > LIST_MAX)
        limit = LIST_MAX;

    /* One more than asked tells whether there is a next page. */
    gw_user *users = calloc((size_t)limit + 1, sizeof(gw_user));
    if (!users)
        return SK_ENOMEM;
    size_t n = 0;
    int rc = gw_store_list_users(call->db, req->query, req->role, req->page_token, limit + 1,
                                 users, &n);
    if (rc == SK_OK) {
        size_t shown = n > (size_t)limit ? (size_t)limit : n;
        resp->users = sk_call_alloc(call, (shown ? shown : 1) * sizeof(User *));
        rc = resp->users ? SK_OK : SK_ENOMEM;
        for (size_t i = 0; rc == SK_OK && i < shown; i++) {
            sodium_memzero(users[i].password_hash, sizeof(users[i].password_hash));
            resp->users[i] = user_msg(call, &users[i]);
            if (!resp->users[i])
                rc = SK_ENOMEM;
        }
        resp->n_users = rc == SK_OK ? shown : 0;
        if (rc == SK_OK && n > (size_t)limit) {
            resp->next_page_token = sk_call_strdup(call, users[shown - 1].username);
            if (!resp->next_page_token)
                rc = SK_ENOMEM;
        }
    }
    sodium_memzero(users, ((size_t)limit + 1) * sizeof(gw_user));
    free(users);
    return rc;
}

/* ---- Gateway.UpdateUser ---- */

/* `email` (checked, free) into u->email, or a violation named "email". */
static int apply_email(sk_call *call, const char *email, const char *id, gw_user *u)
{
    char norm[GW_EMAIL_MAX + 1];
    gw_problem p = gw_email_normalize(email, norm, sizeof(norm));
    if (p != GW_OK) {
        problem(call, "email", p);
        return SK_OK;
    }
    size_t before = call->n_violations;
    SK_TRY(check_email_free(call, norm, id));
    if (call->n_violations == before)
        snprintf(u->email, sizeof(u->email), "%s", norm);
    return SK_OK;
}

static bool same_roles(const gw_user *u, char **roles, size_t n)
{
    if (u->n_roles != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(u->roles[i], roles[i]) != 0)
            return false;
    return true;
}

/* An admin's command on the user `user_id`: the caller must be an admin and
 * the id valid; fills `id` with it in lower case. */
static int admin_target(sk_call *call, const char *user_id, char id[SK_UUID_STRLEN])
{
    if (!is_admin(call))
        return deny(call, "access.admin_only: only admins manage users");
    if (!user_id || !sk_uuid_valid(user_id))
        return sk_call_violation_code(call, "userId", "id.invalid", "user id is not a valid id");
    lower_id(user_id, id);
    return SK_OK;
}

static int update_user(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Gateway__UpdateUserRequest *req = (const Seklik__Gateway__UpdateUserRequest *)in;
    char id[SK_UUID_STRLEN];
    SK_TRY(admin_target(call, req->user_id, id));
    gw_user before, u;
    int rc = gw_store_user_by_id(call->db, id, true, &before);
    if (rc == SK_ENOTFOUND)
        return not_found(call);
    SK_TRY(rc);
    sodium_memzero(before.password_hash, sizeof(before.password_hash));
    if (req->expected_version != 0 && req->expected_version != before.version)
        return sk_call_fail(call, SK_EPRECOND,
                            "version.changed: the user was changed by someone else; reload");
    u = before;

    bool self = call->actor->user_id && strcmp(call->actor->user_id, id) == 0;
    if (!blank(req->display_name)) {
        gw_problem p = gw_display_name_check(req->display_name);
        if (p != GW_OK)
            problem(call, "displayName", p);
        gw_trim_copy(req->display_name, u.display_name, sizeof(u.display_name));
    }
    bool roles_changed = req->n_roles > 0 && !same_roles(&before, req->roles, req->n_roles);
    if (req->n_roles > 0) {
        check_roles(call, req->roles, req->n_roles, u.company_id);
        copy_roles(&u, req->roles, req->n_roles);
        bool keeps_admin = false;
        for (size_t i = 0; i < req->n_roles; i++)
            keeps_admin = keeps_admin || strcmp(req->roles[i], SK_ROLE_ADMIN) == 0;
        if (self && !keeps_admin)
            sk_call_violation_code(call, "roles", "user.own_admin_role",
                                   "an admin cannot remove their own admin role");
    }
    if (req->set_disabled) {
        if (self && req->disabled)
            sk_call_violation_code(call, "disabled", "user.disable_self",
                                   "an admin cannot disable their own account");
        u.disabled = req->disabled;
    }
    if (req->locale && req->locale[0]) {
        if (!gw_locale_valid(req->locale))
            problem(call, "locale", GW_LOCALE_UNKNOWN);
        else
            snprintf(u.locale, sizeof(u.locale), "%s", req->locale);
    }
    if (req->set_email)
        SK_TRY(apply_email(call, req->email, id, &u));
    if (call->n_violations > 0)
        return SK_EINVAL;

    rc = gw_store_update_user(call->db, &u);
    if (rc == SK_ENOTFOUND)
        return not_found(call);
    SK_TRY(rc);
    /* A disabled account is logged out everywhere; other changes only
     * refresh the sessions' copies (roles, names and locale come from the row). */
    bool disabling = u.disabled && !before.disabled;
    bool changed_view = roles_changed || strcmp(u.display_name, before.display_name) != 0 ||
                        strcmp(u.locale, before.locale) != 0;
    if (disabling || changed_view)
        SK_TRY(end_sessions(call, id, disabling));
    const char *action = disabling                             ? "user.disable"
                         : !u.disabled && before.disabled      ? "user.enable"
                         : roles_changed                       ? "user.roles"
                         : strcmp(u.email, before.email) != 0  ? "user.email"
                                                               : "user.update";
    return user_changed(call, action, &before, &u, "gateway.user.updated", out);
}

/* ---- Gateway.ResetPassword ---- */

static int reset_password(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Gateway__ResetPasswordRequest *req =
        (const Seklik__Gateway__ResetPasswordRequest *)in;
    char id[SK_UUID_STRLEN];
    SK_TRY(admin_target(call, req->user_id, id));
    gw_user u;
    int rc = gw_store_user_by_id(call->db, id, true, &u);
    if (rc == SK_ENOTFOUND)
        return not_found(call);
    SK_TRY(rc);
    gw_problem p = gw_password_check(req->new_password, u.username);
    if (p != GW_OK)
        return problem(call, "newPassword", p);
    SK_TRY(gw_password_hash(req->new_password, u.password_hash));
    SK_TRY(gw_store_set_password(call->db, id, u.password_hash));
    sodium_memzero(u.password_hash, sizeof(u.password_hash));
    u.version++;
    /* Whoever held the old password is logged out. */
    SK_TRY(end_sessions(call, id, true));
    SK_TRY(sk_audit_append(call->db, call->actor, "user.reset_password", "user", id, NULL, NULL,
                           call->req->request_id));
    User *m = user_msg(call, &u);
    if (!m)
        return SK_ENOMEM;
    user_out((User *)out, m);
    return SK_OK;
}

/* ---- Gateway.ChangeOwnPassword ---- */

/* Answered by the gateway's HTTP side (api.c, gw_auth_change_password): it
 * needs the caller's session, which a bus actor does not carry, and a record
 * of a wrong password that this call's transaction would roll back. */
static int change_own_password(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    (void)in;
    (void)out;
    return deny(call, "password.session_only: a password is changed only through a session at the "
                      "gateway");
}

/* ---- Gateway.GetProfile, Gateway.UpdateProfile (every user, their own) ---- */

/* The caller's own id, lower case; a refusal when the actor is no user. */
static int own_id(sk_call *call, char id[SK_UUID_STRLEN])
{
    if (!call->actor->user_id || !sk_uuid_valid(call->actor->user_id))
        return deny(call, "auth.required: logged-in users only");
    lower_id(call->actor->user_id, id);
    return SK_OK;
}

static int get_profile(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    (void)in;
    char id[SK_UUID_STRLEN];
    SK_TRY(own_id(call, id));
    gw_user u;
    int rc = gw_store_user_by_id(call->db, id, false, &u);
    if (rc == SK_ENOTFOUND)
        return not_found(call);
    SK_TRY(rc);
    sodium_memzero(u.password_hash, sizeof(u.password_hash));
    User *m = user_msg(call, &u);
    if (!m)
        return SK_ENOMEM;
    user_out((User *)out, m);
    return SK_OK;
}

/* A user's own name, language and address; roles, company and the
 * account's state stay the admin's. */
static int update_profile(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Gateway__UpdateProfileRequest *req =
        (const Seklik__Gateway__UpdateProfileRequest *)in;
    char id[SK_UUID_STRLEN];
    SK_TRY(own_id(call, id));
    gw_user before, u;
    int rc = gw_store_user_by_id(call->db, id, true, &before);
    if (rc == SK_ENOTFOUND)
        return not_found(call);
    SK_TRY(rc);
    sodium_memzero(before.password_hash, sizeof(before.password_hash));
    if (before.disabled)
        return deny(call, "account.disabled: the account is disabled");
    if (req->expected_version != 0 && req->expected_version != before.version)
        return sk_call_fail(call, SK_EPRECOND,
                            "version.changed: the profile changed meanwhile; reload");
    u = before;
    if (!blank(req->display_name)) {
        gw_problem p = gw_display_name_check(req->display_name);
        if (p != GW_OK)
            problem(call, "displayName", p);
        gw_trim_copy(req->display_name, u.display_name, sizeof(u.display_name));
    }
    if (req->locale && req->locale[0]) {
        if (!gw_locale_valid(req->locale))
            problem(call, "locale", GW_LOCALE_UNKNOWN);
        else
            snprintf(u.locale, sizeof(u.locale), "%s", req->locale);
    }
    if (req->set_email)
        SK_TRY(apply_email(call, req->email, id, &u));
    if (call->n_violations > 0)
        return SK_EINVAL;
    rc = gw_store_update_user(call->db, &u);
    if (rc == SK_ENOTFOUND)
        return not_found(call);
    SK_TRY(rc);
    /* The sessions' copies carry the name and language. */
    if (strcmp(u.display_name, before.display_name) != 0 || strcmp(u.locale, before.locale) != 0)
        SK_TRY(end_sessions(call, id, false));
    return user_changed(call, "user.profile", &before, &u, "gateway.user.updated", out);
}

/* ---- Gateway.LookupUsers (staff: names instead of ids) ---- */

static const char *const STAFF_ROLES[] = {SK_ROLE_ADMIN, SK_ROLE_VERIFIER, SK_ROLE_PARTNERSHIP,
                                          SK_ROLE_PR,    SK_ROLE_FINANCE,  SK_ROLE_HEAD,
                                          NULL};

#define LOOKUP_IDS_MAX 200
#define LOOKUP_QUERY_MAX 20

static bool is_staff(sk_call *call)
{
    return sk_actor_has_any_role(call->actor, STAFF_ROLES) &&
           !sk_actor_has_role(call->actor, SK_ROLE_PARTNER);
}

static Seklik__Gateway__UserName *name_msg(sk_call *call, const gw_user *u)
{
    Seklik__Gateway__UserName *m = sk_call_alloc(call, sizeof(*m));
    char **roles = sk_call_alloc(call, (u->n_roles ? u->n_roles : 1) * sizeof(char *));
    if (!m || !roles)
        return NULL;
    seklik__gateway__user_name__init(m);
    m->id = sk_call_strdup(call, u->id);
    m->username = sk_call_strdup(call, u->username);
    m->display_name = sk_call_strdup(call, u->display_name);
    for (size_t i = 0; i < u->n_roles; i++)
        if (!(roles[i] = sk_call_strdup(call, u->roles[i])))
            return NULL;
    m->roles = roles;
    m->n_roles = u->n_roles;
    return m->id && m->username && m->display_name ? m : NULL;
}

static int lookup_users(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Gateway__LookupUsersRequest *req =
        (const Seklik__Gateway__LookupUsersRequest *)in;
    Seklik__Gateway__LookupUsersResponse *resp = (Seklik__Gateway__LookupUsersResponse *)out;
    if (!is_staff(call))
        return deny(call, "user.lookup_staff_only: staff only");
    if (req->n_user_ids > LOOKUP_IDS_MAX)
        return sk_call_violation_code(call, "userIds", "too_many", "at most 200 entries");
    bool by_query = req->n_user_ids == 0 && !blank(req->query);
    int limit = by_query ? LOOKUP_QUERY_MAX : (int)req->n_user_ids;
    if (limit == 0)
        return SK_OK;
    gw_user *users = calloc((size_t)limit, sizeof(gw_user));
    if (!users)
        return SK_ENOMEM;
    size_t n = 0;
    int rc;
    if (by_query) {
        rc = gw_store_list_users(call->db, req->query, "", "", limit, users, &n);
    } else {
        cJSON *ids = cJSON_CreateArray();
        for (size_t i = 0; ids && i < req->n_user_ids; i++)
            cJSON_AddItemToArray(ids, cJSON_CreateString(req->user_ids[i] ? req->user_ids[i] : ""));
        char *json = ids ? cJSON_PrintUnformatted(ids) : NULL;
        cJSON_Delete(ids);
        rc = json ? gw_store_users_by_ids(call->db, json, limit, users, &n) : SK_ENOMEM;
        cJSON_free(json);
    }
    if (rc == SK_OK) {
        resp->users = sk_call_alloc(call, (n ? n : 1) * sizeof(*resp->users));
        rc = resp->users ? SK_OK : SK_ENOMEM;
        for (size_t i = 0; rc == SK_OK && i < n; i++) {
            resp->users[i] = name_msg(call, &users[i]);
            if (!resp->users[i])
                rc = SK_ENOMEM;
            else
                resp->n_users++;
        }
    }
    sodium_memzero(users, (size_t)limit * sizeof(gw_user));
    free(users);
    return rc;
}

/* ---- Gateway.ListAudit (admin, head): every service's trail, merged ---- */

#define AUDIT_DAY_MS (24LL * 3600 * 1000)

typedef struct audit_row {
    gw_audit_key key;
    Seklik__Bus__AuditEntry *e;
} audit_row;

/* Decoded messages that live as long as the call: an allocator over its arena. */
static void *call_alloc(void *data, size_t size)
{
    return sk_call_alloc(data, size);
}

static void call_free(void *data, void *ptr)
{
    (void)data;
    (void)ptr; /* the arena is freed with the call */
}

/* The rows of one service's trail after `resume` (NULL = from the newest),
 * appended to rows[*n] (capacity enough for the limit more). *more when it
 * has rows beyond them; *answered false when it did not answer. */
static int audit_from(sk_call *call, int rank, Seklik__Bus__ListAuditRequest *q,
                      const gw_audit_key *resume, audit_row *rows, size_t *n, bool *more,
                      bool *answered)
{
    gw_app *app = call->app;
    q->before_unix_us = 0;
    q->before_id = 0;
    if (resume)
        gw_audit_resume(resume, rank, &q->before_unix_us, &q->before_id);
    *answered = true;
    *more = false;
    Seklik__Bus__ListAuditResponse own = SEKLIK__BUS__LIST_AUDIT_RESPONSE__INIT, *got = &own;
    if (strcmp(gw_services[rank].name, "gateway") == 0) {
        SK_TRY(sk_audit_list(call, q, &own)); /* our own trail, in this call's connection */
    } else {
        sk_rpc_client *cl = app ? app->clients[rank] : NULL;
        Seklik__Bus__Response *resp = NULL;
        int rc = cl ? sk_rpc_call(cl, "bus.ListAudit", call->actor, NULL, &q->base,
                                  app->cfg.call_timeout_ms, &resp)
                    : SK_EUNAVAIL;
        if (rc == SK_OK && resp->code == SEKLIK__BUS__CODE__PERMISSION_DENIED) {
            rc = sk_call_fail(call, SK_EPERM, resp->message);
            seklik__bus__response__free_unpacked(resp, NULL);
            return rc;
        }
        ProtobufCAllocator in_call = {.alloc = call_alloc, .free = call_free,
                                      .allocator_data = call};
        got = rc == SK_OK && resp->code == SEKLIK__BUS__CODE__OK
                  ? seklik__bus__list_audit_response__unpack(&in_call, resp->body.len,
                                                            resp->body.data)
                  : NULL;
        if (!got)
            sk_log_warn("gateway: %s did not answer bus.ListAudit: %s %s", gw_services[rank].name,
                        rc == SK_OK ? sk_err_code_name(sk_err_from_bus_code(resp->code))
                                    : sk_strerror(rc),
                        rc == SK_OK && resp->message ? resp->message : "");
        if (resp)
            seklik__bus__response__free_unpacked(resp, NULL);
        if (!got) {
            *answered = false;
            return SK_OK;
        }
    }
    for (size_t i = 0; i < got->n_entries && i < q->limit; i++) { /* never past rows' capacity */
        Seklik__Bus__AuditEntry *e = got->entries[i];
        e->service = (char *)gw_services[rank].name;
        rows[*n] = (audit_row){{e->at_unix_us, rank, e->id}, e};
        (*n)++;
    }
    *more = got->more;
    return SK_OK;
}

static int by_newest(const void *a, const void *b)
{
    const audit_row *x = a, *y = b;
    return gw_audit_key_newer(&x->key, &y->key) ? -1 : gw_audit_key_newer(&y->key, &x->key);
}

static int list_audit(sk_call *call, const ProtobufCMessage *in, ProtobufCMessage *out)
{
    const Seklik__Gateway__ListAuditRequest *req = (const Seklik__Gateway__ListAuditRequest *)in;
    Seklik__Gateway__ListAuditResponse *resp = (Seklik__Gateway__ListAuditResponse *)out;
    static const char *const readers[] = {SK_ROLE_ADMIN, SK_ROLE_HEAD, NULL};
    if (!sk_actor_has_any_role(call->actor, readers) ||
        sk_actor_has_role(call->actor, SK_ROLE_PARTNER))
        return deny(call, "audit.readers_only: only admin and head read the audit trail");

    Seklik__Bus__ListAuditRequest q = SEKLIK__BUS__LIST_AUDIT_REQUEST__INIT;
    q.user_id = req->user_id;
    q.company_id = req->company_id;
    q.action = req->action;
    int64_t ms = 0;
    if (!blank(req->from_date)) {
        if (!gw_wib_day_start_ms(req->from_date, &ms))
            sk_call_violation_code(call, "fromDate", "date.invalid", "a calendar date YYYY-MM-DD");
        q.from_unix_ms = ms;
    }
    if (!blank(req->to_date)) {
        if (!gw_wib_day_start_ms(req->to_date, &ms))
            sk_call_violation_code(call, "toDate", "date.invalid", "a calendar date YYYY-MM-DD");
        q.to_unix_ms = ms + AUDIT_DAY_MS; /* through the end of that day */
    }
    if (q.to_unix_ms && q.from_unix_ms >= q.to_unix_ms)
        sk_call_violation_code(call, "toDate", "audit.range_empty", "on or after the first day");
    int only = -1;
    if (!blank(req->service)) {
        for (int i = 0; i < GW_N_SERVICES; i++)
            if (strcmp(gw_services[i].name, req->service) == 0)
                only = i;
        if (only < 0)
            sk_call_violation_code(call, "service", "audit.service_unknown",
                                   "not a SEKLIK service");
    }
    gw_audit_key resume;
    bool resuming = !blank(req->page_token);
    if (resuming && !gw_audit_key_parse(req->page_token, GW_N_SERVICES, &resume))
        sk_call_violation_code(call, "pageToken", "page_token.invalid",
                               "not a token this list gave");
    if (call->n_violations)
        return SK_EINVAL;
    unsigned limit = req->page_size == 0 ? SK_AUDIT_PAGE_DEFAULT
                     : req->page_size > SK_AUDIT_PAGE_MAX ? SK_AUDIT_PAGE_MAX
                                                          : req->page_size;
    q.limit = limit;

    audit_row *rows = sk_call_alloc(call, (size_t)GW_N_SERVICES * limit * sizeof(*rows));
    char **unavailable = sk_call_alloc(call, GW_N_SERVICES * sizeof(char *));
    if (!rows || !unavailable)
        return SK_ENOMEM;
    size_t n = 0;
    bool any_more = false;
    for (int rank = 0; rank < GW_N_SERVICES; rank++) {
        if (only >= 0 && rank != only)
            continue;
        bool more = false, answered = true;
        SK_TRY(audit_from(call, rank, &q, resuming ? &resume : NULL, rows, &n, &more, &answered));
        any_more = any_more || more;
        if (!answered)
            unavailable[resp->n_unavailable++] = (char *)gw_services[rank].name;
    }
    qsort(rows, n, sizeof(*rows), by_newest);
    size_t shown = n > limit ? limit : n;
    resp->entries = sk_call_alloc(call, (shown ? shown : 1) * sizeof(*resp->entries));
    if (!resp->entries)
        return SK_ENOMEM;
    for (size_t i = 0; i < shown; i++)
        resp->entries[resp->n_entries++] = rows[i].e;
    resp->unavailable = unavailable;
    if ((n > limit || any_more) && shown > 0) {
        resp->next_page_token = sk_call_alloc(call, GW_AUDIT_KEY_MAX);
        if (!resp->next_page_token)
            return SK_ENOMEM;
        gw_audit_key_format(&rows[shown - 1].key, resp->next_page_token, GW_AUDIT_KEY_MAX);
    }
    return SK_OK;
}

/* ---- housekeeping ---- */

static int prune(sk_db *db, void *app)
{
    (void)app;
    return gw_store_prune(db, NULL);
}

/* ---- the service's methods ---- */

const sk_rpc_method gateway_methods[] = {
    {"Health", sk_service_health, SK_RPC_QUERY},
    {"CreateUser", create_user, SK_RPC_COMMAND},
    {"ListUsers", list_users, SK_RPC_QUERY},
    {"UpdateUser", update_user, SK_RPC_COMMAND},
    {"ResetPassword", reset_password, SK_RPC_COMMAND},
    {"ChangeOwnPassword", change_own_password, SK_RPC_COMMAND},
    {"GetProfile", get_profile, SK_RPC_QUERY},
    {"UpdateProfile", update_profile, SK_RPC_COMMAND},
    {"LookupUsers", lookup_users, SK_RPC_QUERY},
    {"ListAudit", list_audit, SK_RPC_QUERY},
};
const size_t gateway_n_methods = sizeof(gateway_methods) / sizeof(gateway_methods[0]);

/* Users changed where no event was written (seklikctl, a password, or
 * before events carried them all) are told now, as the gateway itself. */
static int announce(sk_db *db, void *app)
{
    (void)app;
    enum { BATCH = 100 };
    gw_user *users = calloc(BATCH, sizeof(gw_user));
    if (!users)
        return SK_ENOMEM;
    Seklik__Bus__Actor actor = SEKLIK__BUS__ACTOR__INIT;
    actor.user_id = (char *)"system:gateway";
    size_t n = 0;
    int rc = sk_db_begin(db);
    if (rc == SK_OK)
        rc = gw_store_unannounced(db, BATCH, users, &n);
    for (size_t i = 0; rc == SK_OK && i < n; i++) {
        sodium_memzero(users[i].password_hash, sizeof(users[i].password_hash));
        rc = gw_emit_user(db, "gateway.user.updated", &users[i], &actor, NULL);
    }
    if (rc == SK_OK)
        rc = sk_db_commit(db);
    else
        sk_db_rollback(db);
    sodium_memzero(users, BATCH * sizeof(gw_user));
    free(users);
    return rc;
}

/* Hourly: sessions ended a day ago, attempts older than a week. Every two
 * seconds: users to tell. */
const sk_job_def gateway_jobs[] = {
    {"gateway.prune", 3600 * 1000, prune},
    {"gateway.announce", 2000, announce},
};
const size_t gateway_n_jobs = sizeof(gateway_jobs) / sizeof(gateway_jobs[0]);
