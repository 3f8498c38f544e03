/* seklikctl - the operator's tool: one program, a command per job, each with
 * a manual page (`seklikctl help COMMAND`, written in MANUAL below).
 *
 *   user       gateway accounts, straight on PostgreSQL (this file)
 *   check, backup, restore                       (seklikctl_data.c)
 *   migrate, status, replay, audit export        (seklikctl_ops.c)
 *
 * The user commands create the first admin and manage accounts when no web UI
 * is there yet (or nobody can log in to it). They use the gateway's own store
 * and rules, so a user made here is exactly one made through
 * Gateway.CreateUser; they apply the gateway's migrations first when the
 * schema is new. Every change is audited as actor "seklikctl" in the same
 * transaction.
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
#include "seklikctl_ops.h"
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

/* ---- the manual ---- */

typedef struct manual_page {
    const char *command;
    const char *summary; /* one line in `seklikctl --help` */
    const char *page;    /* `seklikctl help COMMAND` */
} manual_page;

static const char ENVIRONMENT[] =
    "ENVIRONMENT\n"
    "  The services' own: SEKLIK_DB_DSN, or a service's SEKLIK_<SVC>_DB_DSN when it has a\n"
    "  database of its own (SVC: REGISTRY VERIFICATION SCORING ORDERING DISTRIBUTION\n"
    "  ACCOUNTING GATEWAY); SEKLIK_HMAC_KEY and SEKLIK_<SVC>_RPC (status); SEKLIK_REDIS_URL,\n"
    "  SEKLIK_REDIS_USER, SEKLIK_REDIS_PASSWORD (user: drops cached sessions); SEKLIK_PG_BIN\n"
    "  (where pg_dump and pg_restore are; else PATH). In a container, the gateway's\n"
    "  environment has them all: podman exec CONTAINER seklikctl status.\n";

static const manual_page MANUAL[] = {
    {"user", "create and manage gateway accounts (the first admin; lockouts)",
     "SYNOPSIS\n"
     "  seklikctl user create --username U --role R [--role R2 ...] [--company ID]\n"
     "                        [--display-name N] [--locale id|en] [--if-absent]\n"
     "                        (--password-stdin | --password-env VAR)\n"
     "  seklikctl user list | disable U | enable U\n"
     "  seklikctl user set-password U (--password-stdin | --password-env VAR)\n"
     "  seklikctl user roles U --role R [--role R2 ...]\n"
     "DESCRIPTION\n"
     "  The gateway's accounts, changed in its schema with its own rules (the same checks\n"
     "  as the admin screen) and audited as user \"seklikctl\". Roles: admin, verifier,\n"
     "  partnership, pr, finance, head, partner (with --company). Disabling a user or\n"
     "  setting a password ends the user's sessions; changing roles drops their cached\n"
     "  copies. A password is never an argument: one line on stdin, or an environment\n"
     "  variable named by --password-env. --if-absent makes create succeed when the user\n"
     "  exists (scripts).\n"
     "EXIT STATUS\n"
     "  0 done, 1 refused or failed (why on stderr), 2 usage.\n"},
    {"migrate", "apply every service's database migrations, or list what would run",
     "SYNOPSIS\n"
     "  seklikctl migrate [--dry-run] [--schema S ...]\n"
     "DESCRIPTION\n"
     "  Each service applies its own migrations when it starts; migrate does the same ahead\n"
     "  of a rollout, for every schema (or those named), with the services' runner: the\n"
     "  same advisory lock, each migration in one transaction, recorded in\n"
     "  <schema>.schema_migrations. --dry-run lists, per schema, what would be applied and\n"
     "  changes nothing. A schema holding migrations this seklikctl does not know was\n"
     "  migrated by a later version: reported as \"newer\", not an error (one version back\n"
     "  runs on it: docs/upgrades.md). Upgrade: migrate with the new version's seklikctl,\n"
     "  then roll the services one by one.\n"
     "EXIT STATUS\n"
     "  0 done (or nothing to do), 1 a migration failed (those before it stay applied).\n"},
    {"status", "each service's readiness and version, and each subscriber's lag",
     "SYNOPSIS\n"
     "  seklikctl status [--timeout SECONDS]\n"
     "DESCRIPTION\n"
     "  Calls Health on every service over the bus (signed with SEKLIK_HMAC_KEY, at\n"
     "  SEKLIK_<SVC>_RPC; --timeout each, 2 s by default) and prints whether it is ready\n"
     "  (database reachable, migrations applied), its version, its outbox head and how far\n"
     "  its relay has published. Then, from the inbox_offsets tables, every subscriber's\n"
     "  offset per source against the source's head: LAG is how many events it has still\n"
     "  to apply; \"ahead\" means the source lost events it had (a restore: see replay).\n"
     "EXIT STATUS\n"
     "  0 every service answered ready, 1 otherwise (or a schema could not be read).\n"},
    {"check", "the invariants of every schema: gapless outboxes, offsets, idempotency, ...",
     NULL /* printed with the table of checks */},
    {"replay", "make a subscriber apply a source's events again, from a sequence number",
     "SYNOPSIS\n"
     "  seklikctl replay --subscriber S --source SRC --from SEQ [--apply]\n"
     "DESCRIPTION\n"
     "  A subscriber stores the sequence number of the last event it applied from each\n"
     "  source (inbox_offsets) in the same transaction as the event's effects, and skips any\n"
     "  event at or below it: applying is idempotent by offset, and only by offset. replay\n"
     "  sets S's offset for SRC to SEQ-1, so that S applies SRC's events SEQ, SEQ+1, ... at\n"
     "  its next catch-up (within SEKLIK_REPLAY_INTERVAL_MS; the service may keep running:\n"
     "  the change waits for the batch S is applying, under the row lock S takes itself).\n"
     "  Events up to the old offset are applied A SECOND TIME, and an applier that is not\n"
     "  idempotent by itself does its work again (another audit row, a case opened again,\n"
     "  events of its own emitted again). Without --apply it only shows the offset, the\n"
     "  source's head and the events that would be applied again, by type. It never moves\n"
     "  an offset forward (that would skip events) nor past the source's head. Every change\n"
     "  is recorded in S's audit_log as inbox.replay with the offsets before and after.\n"
     "  When to use it: after fixing an applier that mishandled events (replay from the\n"
     "  first one it got wrong); when check reports an offset AHEAD of its source's head\n"
     "  because the source was restored from an earlier backup than S: --from HEAD+1\n"
     "  makes S apply the source's new events, which reuse those numbers, instead of\n"
     "  skipping them.\n"
     "EXIT STATUS\n"
     "  0 done (or shown), 1 failed, 2 usage or refused.\n"},
    {"audit", "export the audit trail of every schema for a period, as CSV",
     "SYNOPSIS\n"
     "  seklikctl audit export --from WHEN --to WHEN [--schema S ...] [--out FILE]\n"
     "DESCRIPTION\n"
     "  Every audit record of every schema (or those named) with --from <= at < --to, in\n"
     "  time order, as CSV (RFC 4180, CRLF, a header row) on stdout or into FILE, which is\n"
     "  created with mode 0600 and never overwritten. WHEN is a day, YYYY-MM-DD, meaning its\n"
     "  midnight in Asia/Jakarta (WIB), or a time with its zone: 2027-01-31T09:00:00+07:00,\n"
     "  2027-01-31T02:00:00Z. Columns: at_utc, schema, id, user_id, roles, company_id,\n"
     "  remote_addr, action, entity_type, entity_id, correlation_id, before, after (JSON).\n"
     "  Each schema is read in one snapshot. A value that a spreadsheet would run as a\n"
     "  formula (starting with = + - @, a tab or CR) is written with a leading apostrophe.\n"
     "  The count per schema goes to stderr.\n"
     "EXIT STATUS\n"
     "  0 done, 1 failed, 2 usage.\n"},
    {"backup", "pg_dump every schema from one snapshot, with a manifest",
     "SYNOPSIS\n"
     "  seklikctl backup --out DIR\n"
     "DESCRIPTION\n"
     "  One pg_dump custom-format file per schema, all schemas of a database from one\n"
     "  exported snapshot (taken while the system runs), and manifest.json (versions,\n"
     "  migrations, each outbox's last_seq and offsets, SHA-256 of each file). DIR is made\n"
     "  private (0700): it holds personal data and password hashes.\n"
     "EXIT STATUS\n"
     "  0 done, 1 failed (DIR then holds no manifest and is no backup).\n"},
    {"restore", "restore a backup into empty schemas (or over them, --force)",
     "SYNOPSIS\n"
     "  seklikctl restore --from DIR [--force]\n"
     "DESCRIPTION\n"
     "  Checks every file against the manifest, then restores each schema with pg_restore\n"
     "  in one transaction. Refuses schemas that hold data unless --force (which drops them\n"
     "  first) and a backup missing any schema. Stop the services first; start them\n"
     "  afterwards and run seklikctl check --wait 60: subscribers resume from their\n"
     "  restored offsets.\n"
     "EXIT STATUS\n"
     "  0 done, 1 refused or failed.\n"},
};
#define N_MANUAL (sizeof(MANUAL) / sizeof(MANUAL[0]))

static void print_overview(FILE *out)
{
    fputs("seklikctl - operate a SEKLIK installation\n\n"
          "usage: seklikctl COMMAND [ARGS...]\n"
          "       seklikctl help [COMMAND]          (or: seklikctl COMMAND --help)\n\n"
          "COMMANDS\n",
          out);
    for (size_t i = 0; i < N_MANUAL; i++)
        fprintf(out, "  %-9s %s\n", MANUAL[i].command, MANUAL[i].summary);
    fputs("\n", out);
    fputs(ENVIRONMENT, out);
    fputs("\nEXIT STATUS\n  0 done, 1 failed or a violation found, 2 usage.\n", out);
}

static void print_page(const manual_page *m, FILE *out)
{
    fprintf(out, "seklikctl %s - %s\n\n", m->command, m->summary);
    if (m->page) {
        fputs(m->page, out);
    } else { /* check */
        fputs("SYNOPSIS\n"
              "  seklikctl check [--schema S ...] [--wait SECONDS] [--allow-lag]\n"
              "DESCRIPTION\n"
              "  Runs the named checks below on every schema (or those named), each schema\n"
              "  in one read-only snapshot, and prints one line per finding: schema, check,\n"
              "  ok or FAIL, what it saw. A subscriber behind its source is a violation unless\n"
              "  --allow-lag; --wait gives subscribers that long to catch up first (a lost\n"
              "  event never comes back by waiting: no wait then).\n"
              "CHECKS\n",
              out);
        ctl_data_print_checks(out);
        fputs("EXIT STATUS\n  0 every invariant holds, 1 a violation (FAIL lines), 2 usage.\n",
              out);
    }
    fputs("\n", out);
    fputs(ENVIRONMENT, out);
}

static const manual_page *find_page(const char *command)
{
    for (size_t i = 0; i < N_MANUAL; i++)
        if (strcmp(MANUAL[i].command, command) == 0)
            return &MANUAL[i];
    return NULL;
}

static int usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "seklikctl: ");
    fprintf(stderr, fmt, arg ? arg : "");
    fprintf(stderr, "\n%s(seklikctl help user for its manual page)\n", USAGE);
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
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        (strcmp(argv[1], "help") == 0 && argc == 2)) {
        print_overview(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    if (strcmp(argv[1], "help") == 0 || (argc >= 3 && (strcmp(argv[2], "--help") == 0 ||
                                                       strcmp(argv[2], "-h") == 0))) {
        const manual_page *m = find_page(strcmp(argv[1], "help") == 0 ? argv[2] : argv[1]);
        if (!m) {
            fprintf(stderr, "seklikctl: no command '%s'\n\n",
                    argv[strcmp(argv[1], "help") == 0 ? 2 : 1]);
            print_overview(stderr);
            return EXIT_USAGE;
        }
        print_page(m, stdout);
        return 0;
    }
    if (ctl_data_is_command(argv[1]))
        return ctl_data_main(argc, argv);
    if (ctl_ops_is_command(argv[1]))
        return ctl_ops_main(argc, argv);
    if (strcmp(argv[1], "user") != 0) {
        fprintf(stderr, "seklikctl: no command '%s'\n\n", argv[1]);
        print_overview(stderr);
        return EXIT_USAGE;
    }
    if (argc < 3)
        return usage("expected 'user <command>'%s", "");
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
