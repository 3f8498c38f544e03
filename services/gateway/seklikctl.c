/* seklikctl - the operator's tool: gateway users, straight on PostgreSQL;
 * and the data of every service: invariant check, backup, restore (those
 * in seklikctl_data.c).
 *
 * Creates the first admin and manages accounts when no web UI is there yet
 * (or nobody can log in to it). Uses the gateway's own store and rules, so a
 * user made here is exactly one made through Gateway.CreateUser; applies the
 * gateway's migrations first when the schema is new. Every change is audited
 * as actor "seklikctl" in the same transaction.
 *
 *   seklikctl user create --username U --role R [--role R2 ...] [--company ID]
 *                         [--display-name N] [--locale id|en] [--if-absent]
 *                         (--password-stdin | --password-env VAR)
 *   seklikctl user list
 *   seklikctl user disable U | enable U
 *   seklikctl user set-password U (--password-stdin | --password-env VAR)
 *   seklikctl user roles U --role R [--role R2 ...]
 *   seklikctl check | backup | restore ...     (see seklikctl_data.h)
 *
 * Environment: SEKLIK_GATEWAY_DB_DSN or SEKLIK_DB_DSN; SEKLIK_REDIS_URL,
 * SEKLIK_REDIS_USER, SEKLIK_REDIS_PASSWORD (to drop cached sessions of a
 * disabled user or changed roles); SEKLIK_HMAC_KEY (optional here).
 * Exit status: 0 done, 1 failed (message on stderr), 2 usage. */
#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "domain.h"
#include "seklikctl_data.h"
#include "sk_audit.h"
#include "sk_cache.h"
#include "sk_db.h"
#include "sk_err.h"
#include "sk_id.h"
#include "sk_log.h"
#include "sk_outbox.h"
#include "store.h"

#define EXIT_USAGE 2

extern const sk_migration gateway_migrations[];
extern const size_t gateway_migrations_count;

static const char USAGE[] =
    "usage: seklikctl user create --username U --role R [--role R2 ...] [--company ID]\n"
    "                             [--display-name N] [--locale id|en] [--if-absent]\n"
    "                             (--password-stdin | --password-env VAR)\n"
    "       seklikctl user list\n"
    "       seklikctl user disable U\n"
    "       seklikctl user enable U\n"
    "       seklikctl user set-password U (--password-stdin | --password-env VAR)\n"
    "       seklikctl user roles U --role R [--role R2 ...]\n";
static const char USAGE_ENV[] =
    "user commands: SEKLIK_GATEWAY_DB_DSN or SEKLIK_DB_DSN; SEKLIK_REDIS_URL,\n"
    "               SEKLIK_REDIS_USER, SEKLIK_REDIS_PASSWORD; SEKLIK_HMAC_KEY\n";

static int usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "seklikctl: ");
    fprintf(stderr, fmt, arg ? arg : "");
    fprintf(stderr, "\n%s%s%s", USAGE, CTL_DATA_USAGE, USAGE_ENV);
    return EXIT_USAGE;
}

static int failure(const char *what, int rc, const char *detail)
{
    fprintf(stderr, "seklikctl: %s: %s%s%s\n", what, sk_strerror(rc), detail && detail[0] ? ": " : "",
            detail ? detail : "");
    return EXIT_FAILURE;
}

/* ---- options ---- */

typedef struct opts {
    const char *username;
    const char *roles[GW_MAX_ROLES + 1];
    size_t n_roles;
    const char *company;
    const char *display_name;
    const char *locale;
    const char *password_env;
    bool password_stdin;
    bool if_absent;
    const char *positional;
} opts;

/* Parse argv[from..] into `o`, allowing only the flags in `allowed` (space
 * separated). 0 or the usage exit status (message printed). */
static int parse(int argc, char **argv, int from, const char *allowed, opts *o)
{
    memset(o, 0, sizeof(*o));
    for (int i = from; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0) {
            if (o->positional)
                return usage("unexpected argument '%s'", a);
            o->positional = a;
            continue;
        }
        char key[48];
        snprintf(key, sizeof(key), " %s ", a);
        char list[256];
        snprintf(list, sizeof(list), " %s ", allowed);
        if (!strstr(list, key))
            return usage("unknown flag '%s' for this command", a);
        bool takes_value = strcmp(a, "--password-stdin") != 0 && strcmp(a, "--if-absent") != 0;
        const char *v = NULL;
        if (takes_value) {
            if (i + 1 >= argc)
                return usage("flag '%s' needs a value", a);
            v = argv[++i];
        }
        if (strcmp(a, "--username") == 0)
            o->username = v;
        else if (strcmp(a, "--role") == 0) {
            if (o->n_roles >= GW_MAX_ROLES)
                return usage("too many '%s' flags", a);
            o->roles[o->n_roles++] = v;
        } else if (strcmp(a, "--company") == 0)
            o->company = v;
        else if (strcmp(a, "--display-name") == 0)
            o->display_name = v;
        else if (strcmp(a, "--locale") == 0)
            o->locale = v;
        else if (strcmp(a, "--password-env") == 0)
            o->password_env = v;
        else if (strcmp(a, "--password-stdin") == 0)
            o->password_stdin = true;
        else if (strcmp(a, "--if-absent") == 0)
            o->if_absent = true;
    }
    return 0;
}

/* The password from stdin (one line) or an environment variable, into
 * `out`. 0, or the usage / failure exit status (message printed). */
static int read_password(const opts *o, char *out, size_t cap)
{
    if (o->password_stdin == (o->password_env != NULL))
        return usage("give exactly one of '%s'", "--password-stdin or --password-env VAR");
    if (o->password_env) {
        const char *v = getenv(o->password_env);
        if (!v || !v[0]) {
            fprintf(stderr, "seklikctl: --password-env: variable %s is unset or empty\n",
                    o->password_env);
            return EXIT_FAILURE;
        }
        if (strlen(v) >= cap) {
            fprintf(stderr, "seklikctl: --password-env: the password is too long\n");
            return EXIT_FAILURE;
        }
        snprintf(out, cap, "%s", v);
        return 0;
    }
    if (!fgets(out, (int)cap, stdin)) {
        fprintf(stderr, "seklikctl: --password-stdin: nothing on standard input\n");
        return EXIT_FAILURE;
    }
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

/* ---- the database ---- */

typedef struct ctl {
    sk_db_pool *pool;
    sk_db *db;
    sk_cache *cache;
    Seklik__Bus__Actor actor;
} ctl;

static int ctl_connect(ctl *c)
{
    const char *dsn = getenv("SEKLIK_GATEWAY_DB_DSN");
    if (!dsn || !dsn[0])
        dsn = getenv("SEKLIK_DB_DSN");
    if (!dsn || !dsn[0]) {
        fprintf(stderr, "seklikctl: set SEKLIK_GATEWAY_DB_DSN or SEKLIK_DB_DSN\n");
        return EXIT_USAGE;
    }
    /* "schema exists, skipping" notices are no news to an operator. */
    setenv("PGOPTIONS", "-c client_min_messages=warning", 0);
    int rc = sk_db_pool_open(dsn, "gateway", 1, &c->pool);
    if (rc != SK_OK)
        return failure("connecting to PostgreSQL", rc, NULL);
    /* The bus tables first (audit_log lives there), then the gateway's own. */
    size_t n = sk_bus_migrations_count + gateway_migrations_count;
    sk_migration *all = calloc(n + 1, sizeof(*all));
    if (!all)
        return failure("migrations", SK_ENOMEM, NULL);
    memcpy(all, sk_bus_migrations, sk_bus_migrations_count * sizeof(*all));
    memcpy(all + sk_bus_migrations_count, gateway_migrations,
           gateway_migrations_count * sizeof(*all));
    rc = sk_db_migrate(c->pool, all, n);
    free(all);
    if (rc != SK_OK)
        return failure("applying the gateway migrations", rc, NULL);
    rc = sk_db_acquire(c->pool, &c->db);
    if (rc != SK_OK)
        return failure("connecting to PostgreSQL", rc, NULL);
    /* seklikctl only deletes cache keys, which needs no sealing key: without
     * SEKLIK_HMAC_KEY a random one does (anything it read would be a miss). */
    uint8_t secret[64];
    size_t secret_len = 0;
    const char *hex = getenv("SEKLIK_HMAC_KEY");
    if (!hex || sodium_hex2bin(secret, sizeof(secret), hex, strlen(hex), NULL, &secret_len,
                               NULL) != 0 ||
        secret_len < 32) {
        randombytes_buf(secret, 32);
        secret_len = 32;
    }
    const char *redis = getenv("SEKLIK_REDIS_URL");
    sk_cache_options opt = {.url = redis && redis[0] ? redis : "redis://127.0.0.1:6379/0",
                            .user = getenv("SEKLIK_REDIS_USER"),
                            .password = getenv("SEKLIK_REDIS_PASSWORD"),
                            .service = "gateway",
                            .secret = secret,
                            .secret_len = secret_len};
    if (sk_cache_open(&opt, &c->cache) != SK_OK)
        c->cache = NULL; /* a bad URL only means no cached session is dropped */
    sodium_memzero(secret, sizeof(secret));
    seklik__bus__actor__init(&c->actor);
    c->actor.user_id = "seklikctl";
    c->actor.remote_addr = "local";
    return 0;
}

static void disconnect(ctl *c)
{
    if (c->db)
        sk_db_release(c->db);
    if (c->pool)
        sk_db_pool_close(c->pool);
    if (c->cache)
        sk_cache_close(c->cache);
}

static int audit(ctl *c, const char *action, const gw_user *before, const gw_user *after)
{
    char *b = before ? gw_user_json(before) : NULL, *a = gw_user_json(after);
    int rc = (before && !b) || !a
                 ? SK_ENOMEM
                 : sk_audit_append(c->db, &c->actor, action, "user", after->id, b, a, NULL);
    cJSON_free(b);
    cJSON_free(a);
    return rc;
}

/* Commit, or roll back on `rc`; returns the final code. */
static int finish(ctl *c, int rc)
{
    if (rc == SK_OK)
        return sk_db_commit(c->db);
    sk_db_rollback(c->db);
    return rc;
}

/* Sessions of the user: deleted (`delete`) or just their Redis copies
 * dropped, the latter after the commit. Called inside the transaction;
 * returns the hashes to forget once committed. */
static int sessions(ctl *c, const char *user_id, bool delete, uint8_t (**hashes)[32], size_t *n)
{
    return gw_store_user_sessions(c->db, user_id, delete, hashes, n);
}

static int find_user(ctl *c, const char *name, gw_user *u)
{
    char username[GW_USERNAME_MAX + 8];
    gw_problem p = gw_username_normalize(name, username, sizeof(username));
    if (p != GW_OK) {
        fprintf(stderr, "seklikctl: username: %s\n", gw_problem_message(p));
        return EXIT_FAILURE;
    }
    int rc = gw_store_user_by_username(c->db, username, u);
    if (rc == SK_ENOTFOUND) {
        fprintf(stderr, "seklikctl: no user '%s'\n", username);
        return EXIT_FAILURE;
    }
    if (rc != SK_OK)
        return failure("reading the user", rc, c->db->error);
    return 0;
}

/* ---- commands ---- */

static int cmd_create(ctl *c, const opts *o)
{
    if (!o->username)
        return usage("user create needs '%s'", "--username");
    if (o->n_roles == 0)
        return usage("user create needs at least one '%s'", "--role");
    gw_user u;
    memset(&u, 0, sizeof(u));
    gw_problem p = gw_username_normalize(o->username, u.username, sizeof(u.username));
    if (p != GW_OK)
        return usage("--username: %s", gw_problem_message(p));
    if (o->company && !sk_uuid_valid(o->company))
        return usage("--company: %s", "not a valid id (a UUID)");
    if (o->company)
        for (size_t i = 0; o->company[i] && i < sizeof(u.company_id) - 1; i++)
            u.company_id[i] = (char)(o->company[i] >= 'A' && o->company[i] <= 'F'
                                         ? o->company[i] - 'A' + 'a'
                                         : o->company[i]);
    p = gw_roles_check(o->roles, o->n_roles, u.company_id, NULL);
    if (p != GW_OK)
        return usage(p == GW_COMPANY_NOT_PARTNER ? "--company: %s" : "--role: %s",
                     gw_problem_message(p));
    if (o->display_name) {
        p = gw_display_name_check(o->display_name);
        if (p != GW_OK)
            return usage("--display-name: %s", gw_problem_message(p));
        gw_trim_copy(o->display_name, u.display_name, sizeof(u.display_name));
    } else {
        snprintf(u.display_name, sizeof(u.display_name), "%s", u.username);
    }
    if (o->locale && !gw_locale_valid(o->locale))
        return usage("--locale: %s", gw_problem_message(GW_LOCALE_UNKNOWN));
    snprintf(u.locale, sizeof(u.locale), "%s", o->locale ? o->locale : "id");
    for (size_t i = 0; i < o->n_roles; i++)
        snprintf(u.roles[i], sizeof(u.roles[i]), "%s", o->roles[i]);
    u.n_roles = o->n_roles;

    char password[GW_PASSWORD_MAX + 2];
    int st = read_password(o, password, sizeof(password));
    if (st != 0)
        return st;
    p = gw_password_check(password, u.username);
    if (p != GW_OK) {
        sodium_memzero(password, sizeof(password));
        fprintf(stderr, "seklikctl: password: %s\n", gw_problem_message(p));
        return EXIT_FAILURE;
    }
    int rc = gw_password_hash(password, u.password_hash);
    sodium_memzero(password, sizeof(password));
    if (rc != SK_OK)
        return failure("hashing the password", rc, NULL);
    sk_uuid7(u.id);

    rc = sk_db_begin(c->db);
    if (rc == SK_OK)
        rc = gw_store_insert_user(c->db, &u);
    if (rc == SK_OK)
        rc = audit(c, "user.create", NULL, &u);
    rc = finish(c, rc);
    if (rc == SK_EEXISTS) {
        if (o->if_absent) {
            printf("user %s exists already\n", u.username);
            return 0;
        }
        fprintf(stderr, "seklikctl: user '%s' exists already (--if-absent to accept that)\n",
                u.username);
        return EXIT_FAILURE;
    }
    if (rc != SK_OK)
        return failure("creating the user", rc, c->db->error);
    printf("created user %s (%s)\n", u.username, u.id);
    return 0;
}

static int cmd_list(ctl *c)
{
    gw_user page[100];
    char after[sizeof(page[0].username)] = "";
    printf("username\troles\tcompany\tstatus\tdisplay name\tid\n");
    for (;;) {
        size_t n = 0;
        int rc = gw_store_list_users(c->db, "", "", after, 100, page, &n);
        if (rc != SK_OK)
            return failure("listing users", rc, c->db->error);
        for (size_t i = 0; i < n; i++) {
            const gw_user *u = &page[i];
            char roles[GW_MAX_ROLES * 17] = "";
            for (size_t r = 0; r < u->n_roles; r++) {
                if (r)
                    strcat(roles, ",");
                strcat(roles, u->roles[r]);
            }
            printf("%s\t%s\t%s\t%s\t%s\t%s\n", u->username, roles,
                   u->company_id[0] ? u->company_id : "-", u->disabled ? "disabled" : "enabled",
                   u->display_name, u->id);
        }
        if (n < 100)
            break;
        const char *last = page[n - 1].username;
        size_t last_len = strnlen(last, sizeof(after) - 1);
        memcpy(after, last, last_len);
        after[last_len] = '\0';
    }
    sodium_memzero(page, sizeof(page));
    return 0;
}

static int cmd_enable(ctl *c, const opts *o, bool disable)
{
    if (!o->positional)
        return usage("user %s needs a username", disable ? "disable" : "enable");
    gw_user before, u;
    int st = find_user(c, o->positional, &before);
    if (st != 0)
        return st;
    u = before;
    if (u.disabled == disable) {
        printf("user %s is %s already\n", u.username, disable ? "disabled" : "enabled");
        return 0;
    }
    u.disabled = disable;
    uint8_t(*hashes)[32] = NULL;
    size_t n = 0;
    int rc = sk_db_begin(c->db);
    if (rc == SK_OK)
        rc = gw_store_update_user(c->db, &u);
    if (rc == SK_OK && disable)
        rc = sessions(c, u.id, true, &hashes, &n);
    if (rc == SK_OK)
        rc = audit(c, disable ? "user.disable" : "user.enable", &before, &u);
    rc = finish(c, rc);
    if (rc == SK_OK)
        gw_auth_forget_sessions(c->cache, (const uint8_t(*)[32])hashes, n);
    free(hashes);
    if (rc != SK_OK)
        return failure("changing the user", rc, c->db->error);
    printf("user %s %s\n", u.username, disable ? "disabled" : "enabled");
    return 0;
}

static int cmd_set_password(ctl *c, const opts *o)
{
    if (!o->positional)
        return usage("user set-password needs a username%s", "");
    gw_user u;
    int st = find_user(c, o->positional, &u);
    if (st != 0)
        return st;
    char password[GW_PASSWORD_MAX + 2];
    st = read_password(o, password, sizeof(password));
    if (st != 0)
        return st;
    gw_problem p = gw_password_check(password, u.username);
    if (p != GW_OK) {
        sodium_memzero(password, sizeof(password));
        fprintf(stderr, "seklikctl: password: %s\n", gw_problem_message(p));
        return EXIT_FAILURE;
    }
    char hash[GW_PASSWORD_HASH_CAP];
    int rc = gw_password_hash(password, hash);
    sodium_memzero(password, sizeof(password));
    if (rc != SK_OK)
        return failure("hashing the password", rc, NULL);
    uint8_t(*hashes)[32] = NULL;
    size_t n = 0;
    rc = sk_db_begin(c->db);
    if (rc == SK_OK)
        rc = gw_store_set_password(c->db, u.id, hash);
    if (rc == SK_OK)
        rc = sessions(c, u.id, true, &hashes, &n); /* whoever had the old one is out */
    if (rc == SK_OK)
        rc = sk_audit_append(c->db, &c->actor, "user.reset_password", "user", u.id, NULL, NULL,
                             NULL);
    rc = finish(c, rc);
    if (rc == SK_OK)
        gw_auth_forget_sessions(c->cache, (const uint8_t(*)[32])hashes, n);
    free(hashes);
    if (rc != SK_OK)
        return failure("setting the password", rc, c->db->error);
    printf("password of %s set\n", u.username);
    return 0;
}

static int cmd_roles(ctl *c, const opts *o)
{
    if (!o->positional)
        return usage("user roles needs a username%s", "");
    if (o->n_roles == 0)
        return usage("user roles needs at least one '%s'", "--role");
    gw_user before, u;
    int st = find_user(c, o->positional, &before);
    if (st != 0)
        return st;
    u = before;
    gw_problem p = gw_roles_check(o->roles, o->n_roles, u.company_id, NULL);
    if (p != GW_OK)
        return usage("--role: %s", gw_problem_message(p));
    for (size_t i = 0; i < o->n_roles; i++)
        snprintf(u.roles[i], sizeof(u.roles[i]), "%s", o->roles[i]);
    u.n_roles = o->n_roles;
    uint8_t(*hashes)[32] = NULL;
    size_t n = 0;
    int rc = sk_db_begin(c->db);
    if (rc == SK_OK)
        rc = gw_store_update_user(c->db, &u);
    if (rc == SK_OK)
        rc = sessions(c, u.id, false, &hashes, &n);
    if (rc == SK_OK)
        rc = audit(c, "user.roles", &before, &u);
    rc = finish(c, rc);
    if (rc == SK_OK)
        gw_auth_forget_sessions(c->cache, (const uint8_t(*)[32])hashes, n);
    free(hashes);
    if (rc != SK_OK)
        return failure("changing the roles", rc, c->db->error);
    printf("roles of %s set\n", u.username);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(USAGE, stdout);
        fputs(CTL_DATA_USAGE, stdout);
        fputs(USAGE_ENV, stdout);
        return 0;
    }
    if (argc >= 2 && ctl_data_is_command(argv[1]))
        return ctl_data_main(argc, argv);
    if (argc < 3 || strcmp(argv[1], "user") != 0)
        return usage("expected 'user <command>', 'check', 'backup' or 'restore'%s", "");
    const char *cmd = argv[2];
    const char *allowed;
    if (strcmp(cmd, "create") == 0)
        allowed = "--username --role --company --display-name --locale --password-stdin "
                  "--password-env --if-absent";
    else if (strcmp(cmd, "list") == 0 || strcmp(cmd, "disable") == 0 ||
             strcmp(cmd, "enable") == 0)
        allowed = "";
    else if (strcmp(cmd, "set-password") == 0)
        allowed = "--password-stdin --password-env";
    else if (strcmp(cmd, "roles") == 0)
        allowed = "--role";
    else
        return usage("unknown command 'user %s'", cmd);
    opts o;
    int st = parse(argc, argv, 3, allowed, &o);
    if (st != 0)
        return st;
    if (strcmp(cmd, "create") == 0 && o.positional)
        return usage("unexpected argument '%s' (the username goes after --username)",
                     o.positional);
    if (strcmp(cmd, "list") == 0 && o.positional)
        return usage("unexpected argument '%s'", o.positional);

    if (sodium_init() < 0) {
        fprintf(stderr, "seklikctl: libsodium failed to start\n");
        return EXIT_FAILURE;
    }
    sk_log_init("seklikctl", SK_LOG_WARN);
    ctl c = {0};
    st = ctl_connect(&c);
    if (st == 0) {
        if (strcmp(cmd, "create") == 0)
            st = cmd_create(&c, &o);
        else if (strcmp(cmd, "list") == 0)
            st = cmd_list(&c);
        else if (strcmp(cmd, "disable") == 0)
            st = cmd_enable(&c, &o, true);
        else if (strcmp(cmd, "enable") == 0)
            st = cmd_enable(&c, &o, false);
        else if (strcmp(cmd, "set-password") == 0)
            st = cmd_set_password(&c, &o);
        else
            st = cmd_roles(&c, &o);
    }
    disconnect(&c);
    return st;
}
