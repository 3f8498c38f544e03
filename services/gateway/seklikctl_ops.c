/* seklikctl_ops.c - migrate, status, replay and the audit export.
 *
 * Operator commands over every service's schema, each reached through that
 * service's own DSN like check (seklikctl_data.c), plus the bus for status.
 * The manual pages are in seklikctl.c; this file does the work. */
#include "seklikctl_ops.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "seklik/bus.pb-c.h"
#include "seklikctl_data.h"
#include "sk_db.h"
#include "sk_err.h"
#include "sk_log.h"
#include "sk_outbox.h"
#include "sk_rpc.h"
#include "sk_service.h"
#include "sk_sign.h"

#define EXIT_USAGE 2

/* Every service's migrations, embedded in seklikctl by its CMakeLists. */
extern const sk_migration registry_migrations[], verification_migrations[], scoring_migrations[],
    ordering_migrations[], distribution_migrations[], accounting_migrations[],
    gateway_migrations[];
extern const size_t registry_migrations_count, verification_migrations_count,
    scoring_migrations_count, ordering_migrations_count, distribution_migrations_count,
    accounting_migrations_count, gateway_migrations_count;

static const struct {
    const char *service;
    const sk_migration *list;
    const size_t *count;
} MIGRATIONS[CTL_N_SERVICES] = {
    {"registry", registry_migrations, &registry_migrations_count},
    {"verification", verification_migrations, &verification_migrations_count},
    {"scoring", scoring_migrations, &scoring_migrations_count},
    {"ordering", ordering_migrations, &ordering_migrations_count},
    {"distribution", distribution_migrations, &distribution_migrations_count},
    {"accounting", accounting_migrations, &accounting_migrations_count},
    {"gateway", gateway_migrations, &gateway_migrations_count},
};

static const char *const COMMANDS[] = {"migrate", "status", "replay", "audit"};

bool ctl_ops_is_command(const char *name)
{
    for (size_t i = 0; i < sizeof(COMMANDS) / sizeof(COMMANDS[0]); i++)
        if (strcmp(COMMANDS[i], name) == 0)
            return true;
    return false;
}

static const char SYNOPSIS[] =
    "usage: seklikctl migrate [--dry-run] [--schema S ...]\n"
    "       seklikctl status [--timeout SECONDS]\n"
    "       seklikctl replay --subscriber S --source SRC --from SEQ [--apply]\n"
    "       seklikctl audit export --from WHEN --to WHEN [--schema S ...] [--out FILE]\n"
    "(seklikctl help COMMAND for its manual page)\n";

__attribute__((format(printf, 1, 2))) static int usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "seklikctl: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s", SYNOPSIS);
    return EXIT_USAGE;
}

/* ---- small PostgreSQL helpers (libpq, as check) ---- */

/* The result of `sql`, or NULL with the server's message printed as
 * "seklikctl: WHAT: message". */
static PGresult *q(PGconn *c, const char *what, const char *sql, int n, const char *const *p)
{
    PGresult *r = PQexecParams(c, sql, n, NULL, p, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        return r;
    char msg[512];
    snprintf(msg, sizeof(msg), "%s", r ? PQresultErrorMessage(r) : PQerrorMessage(c));
    msg[strcspn(msg, "\n")] = '\0';
    fprintf(stderr, "seklikctl: %s: %s\n", what, msg);
    PQclear(r);
    return NULL;
}

static bool ok(PGconn *c, const char *what, const char *sql, int n, const char *const *p)
{
    PGresult *r = q(c, what, sql, n, p);
    PQclear(r);
    return r != NULL;
}

/* Point unqualified names at `schema`; whether it exists into *present. */
static bool enter_schema(PGconn *c, const char *schema, bool *present)
{
    const char *p[] = {schema};
    PGresult *r = q(c, schema, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", 1, p);
    if (!r)
        return false;
    *present = strcmp(PQgetvalue(r, 0, 0), "0") != 0;
    PQclear(r);
    return ok(c, schema, "SELECT set_config('search_path', $1, false)", 1, p);
}

/* Parse a decimal uint64 (no sign, no blanks); false when it is not one. */
static bool parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 19)
        return false;
    *out = strtoull(s, NULL, 10);
    return true;
}

/* ---- options ---- */

typedef struct oopts {
    const char *schemas[CTL_N_SERVICES];
    size_t n_schemas;
    bool dry_run, apply;
    int timeout_s;
    const char *subscriber, *source, *from, *to, *out;
} oopts;

static bool selected(const oopts *o, const char *schema)
{
    if (o->n_schemas == 0)
        return true;
    for (size_t i = 0; i < o->n_schemas; i++)
        if (strcmp(o->schemas[i], schema) == 0)
            return true;
    return false;
}

/* Flags of `cmd` from argv[from..]; `allowed` lists them, space separated. */
static int parse(int argc, char **argv, int from, const char *allowed, oopts *o)
{
    memset(o, 0, sizeof(*o));
    o->timeout_s = 2;
    for (int i = from; i < argc; i++) {
        const char *a = argv[i];
        char key[64], list[160];
        snprintf(key, sizeof(key), " %s ", a);
        snprintf(list, sizeof(list), " %s ", allowed);
        if (strncmp(a, "--", 2) != 0 || !strstr(list, key))
            return usage("unknown flag or argument '%s' for '%s'", a, argv[1]);
        if (strcmp(a, "--dry-run") == 0) {
            o->dry_run = true;
            continue;
        }
        if (strcmp(a, "--apply") == 0) {
            o->apply = true;
            continue;
        }
        if (i + 1 >= argc)
            return usage("'%s' needs a value", a);
        const char *v = argv[++i];
        if (strcmp(a, "--schema") == 0) {
            const char *s = ctl_known_service(v);
            if (!s)
                return usage("--schema: '%s' is no service schema", v);
            if (o->n_schemas < CTL_N_SERVICES)
                o->schemas[o->n_schemas++] = s;
        } else if (strcmp(a, "--timeout") == 0) {
            uint64_t t = 0;
            if (!parse_u64(v, &t) || t < 1 || t > 60)
                return usage("--timeout: '%s' is not a number of seconds (1-60)", v);
            o->timeout_s = (int)t;
        } else if (strcmp(a, "--subscriber") == 0) {
            if (!(o->subscriber = ctl_known_service(v)))
                return usage("--subscriber: '%s' is no service", v);
        } else if (strcmp(a, "--source") == 0) {
            if (!(o->source = ctl_known_service(v)))
                return usage("--source: '%s' is no service", v);
        } else if (strcmp(a, "--from") == 0) {
            o->from = v;
        } else if (strcmp(a, "--to") == 0) {
            o->to = v;
        } else if (strcmp(a, "--out") == 0) {
            o->out = v;
        }
    }
    return 0;
}

/* ---- migrate ---- */

static int migrate_one(const char *service, const oopts *o, int *pending_total)
{
    size_t idx = 0;
    while (strcmp(MIGRATIONS[idx].service, service) != 0)
        idx++;
    size_t n_own = *MIGRATIONS[idx].count, n = sk_bus_migrations_count + n_own;
    const char *dsn = ctl_service_dsn(service);
    PGconn *c = ctl_open_conn(service, dsn, o->dry_run);
    if (!c)
        return EXIT_FAILURE;
    bool present = false;
    char **recorded = NULL;
    int n_rec = 0;
    PGresult *r = NULL;
    if (!enter_schema(c, service, &present)) {
        PQfinish(c);
        return EXIT_FAILURE;
    }
    if (present) {
        /* No table yet: nothing applied. */
        r = q(c, service, "SELECT to_regclass('schema_migrations') IS NOT NULL", 0, NULL);
        bool table = r && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
        PQclear(r);
        r = table ? q(c, service, "SELECT version FROM schema_migrations ORDER BY version", 0,
                      NULL)
                  : NULL;
        if (table && !r) {
            PQfinish(c);
            return EXIT_FAILURE;
        }
        n_rec = r ? PQntuples(r) : 0;
    }
    recorded = calloc((size_t)n_rec + 1, sizeof(*recorded));
    for (int i = 0; recorded && i < n_rec; i++)
        recorded[i] = PQgetvalue(r, i, 0);
    const sk_migration **pending = calloc(n + 1, sizeof(*pending));
    sk_migration *all = calloc(n + 1, sizeof(*all));
    if (!recorded || !pending || !all) {
        fprintf(stderr, "seklikctl: out of memory\n");
        free(recorded);
        free(pending);
        free(all);
        PQclear(r);
        PQfinish(c);
        return EXIT_FAILURE;
    }
    memcpy(all, sk_bus_migrations, sk_bus_migrations_count * sizeof(*all));
    memcpy(all + sk_bus_migrations_count, MIGRATIONS[idx].list, n_own * sizeof(*all));
    size_t n_pending = 0;
    for (size_t i = 0; i < n; i++) {
        bool have = false;
        for (int k = 0; k < n_rec && !have; k++)
            have = strcmp(recorded[k], all[i].name) == 0;
        if (!have)
            pending[n_pending++] = &all[i];
    }
    /* Recorded here but unknown to this binary: a newer version migrated it. */
    for (int k = 0; k < n_rec; k++) {
        bool known = false;
        for (size_t i = 0; i < n && !known; i++)
            known = strcmp(recorded[k], all[i].name) == 0;
        if (!known)
            printf("%-13s newer: %s is applied but unknown to this seklikctl (the schema was "
                   "migrated by a later version)\n",
                   service, recorded[k]);
    }
    int st = 0;
    if (n_pending == 0) {
        printf("%-13s up to date: %zu migrations, the last %s\n", service, n, all[n - 1].name);
    } else if (o->dry_run) {
        for (size_t i = 0; i < n_pending; i++)
            printf("%-13s would apply %s\n", service, pending[i]->name);
    } else {
        /* The service's own runner: the same advisory lock, one transaction
         * per migration, so a service starting now waits rather than races. */
        sk_db_pool *pool = NULL;
        int rc = sk_db_pool_open(dsn, service, 1, &pool);
        if (rc == SK_OK)
            rc = sk_db_migrate(pool, all, n);
        sk_db_pool_close(pool);
        if (rc != SK_OK) {
            fprintf(stderr, "seklikctl: %s: migrating failed: %s (the log line above names the "
                            "migration; those before it are applied)\n",
                    service, sk_strerror(rc));
            st = EXIT_FAILURE;
        } else {
            for (size_t i = 0; i < n_pending; i++)
                printf("%-13s applied %s\n", service, pending[i]->name);
        }
    }
    *pending_total += (int)n_pending;
    free(recorded);
    free(pending);
    free(all);
    PQclear(r);
    PQfinish(c);
    return st;
}

static int cmd_migrate(const oopts *o)
{
    for (size_t i = 0; i < CTL_N_SERVICES; i++)
        if (selected(o, CTL_SERVICES[i]) && !ctl_service_dsn(CTL_SERVICES[i]))
            return usage("no DSN for %s: set SEKLIK_DB_DSN (or its own SEKLIK_<SVC>_DB_DSN)",
                         CTL_SERVICES[i]);
    int st = 0, pending = 0;
    for (size_t i = 0; i < CTL_N_SERVICES; i++)
        if (selected(o, CTL_SERVICES[i]) && migrate_one(CTL_SERVICES[i], o, &pending) != 0)
            st = EXIT_FAILURE;
    if (st == 0 && o->dry_run)
        printf("seklikctl migrate: %d migration%s would run (dry run: nothing applied)\n",
               pending, pending == 1 ? "" : "s");
    else if (st == 0)
        printf("seklikctl migrate: %d migration%s applied\n", pending, pending == 1 ? "" : "s");
    return st;
}

/* ---- status ---- */

static bool read_key(sk_sign_key *key)
{
    const char *hex = getenv("SEKLIK_HMAC_KEY");
    size_t len = 0;
    if (!hex || sodium_hex2bin(key->bytes, sizeof(key->bytes), hex, strlen(hex), NULL, &len,
                               NULL) != 0 ||
        len < SK_SIGN_KEY_MIN)
        return false;
    key->len = len;
    return true;
}

/* SEKLIK_<SVC>_<what> of `service`, else the built-in default. */
static const char *service_url(const char *service, const char *what, char kind)
{
    char var[64];
    size_t n = (size_t)snprintf(var, sizeof(var), "SEKLIK_");
    for (const char *s = service; *s && n < 40; s++)
        var[n++] = (char)(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s);
    snprintf(var + n, sizeof(var) - n, "_%s", what);
    const char *v = getenv(var);
    return v && v[0] ? v : sk_service_default_url(service, kind);
}

/* The head of `source`'s outbox, -1 when it cannot be read. */
static long long outbox_head(const char *source)
{
    const char *dsn = ctl_service_dsn(source);
    PGconn *c = dsn ? ctl_open_conn(source, dsn, true) : NULL;
    bool present = false;
    long long head = -1;
    if (c && enter_schema(c, source, &present) && present) {
        PGresult *r = q(c, source, "SELECT last_seq FROM outbox_head", 0, NULL);
        if (r && PQntuples(r) == 1)
            head = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
    }
    if (c)
        PQfinish(c);
    return head;
}

static int cmd_status(const oopts *o)
{
    sk_sign_key key;
    if (!read_key(&key))
        return usage("status calls each service's Health over the bus: set SEKLIK_HMAC_KEY "
                     "(hex, %d-%d bytes, as the services)",
                     SK_SIGN_KEY_MIN, SK_SIGN_KEY_MAX);
    Seklik__Bus__Actor actor = SEKLIK__BUS__ACTOR__INIT;
    actor.user_id = "system:seklikctl";
    actor.remote_addr = "local";
    bool all_ready = true;
    printf("%-13s %-9s %-10s %-8s %-9s %s\n", "SERVICE", "READY", "VERSION", "OUTBOX",
           "PUBLISHED", "RPC");
    for (size_t i = 0; i < CTL_N_SERVICES; i++) {
        const char *name = CTL_SERVICES[i];
        const char *url = service_url(name, "RPC", 'r');
        char method[64];
        snprintf(method, sizeof(method), "%c%s.Health", name[0] - 'a' + 'A', name + 1);
        sk_rpc_client *c = NULL;
        Seklik__Bus__HealthRequest req = SEKLIK__BUS__HEALTH_REQUEST__INIT;
        Seklik__Bus__HealthResponse *h = NULL;
        char why[256] = "";
        int rc = sk_rpc_client_open(url, &key, 0, &c);
        if (rc == SK_OK)
            rc = sk_rpc_call_decode(c, method, &actor, NULL, &req.base,
                                    &seklik__bus__health_response__descriptor,
                                    o->timeout_s * 1000, (ProtobufCMessage **)&h, why,
                                    sizeof(why));
        sk_rpc_client_close(c);
        if (rc != SK_OK) {
            all_ready = false;
            printf("%-13s %-9s %-10s %-8s %-9s %s (%s%s%s)\n", name, "no answer", "-", "-", "-",
                   url, sk_strerror(rc), why[0] ? ": " : "", why);
            continue;
        }
        all_ready &= h->ready;
        printf("%-13s %-9s %-10s %-8llu %-9llu %s\n", name, h->ready ? "yes" : "NO",
               h->version, (unsigned long long)h->outbox_last_seq,
               (unsigned long long)h->outbox_published_seq, url);
        protobuf_c_message_free_unpacked(&h->base, NULL);
    }

    printf("\n%-13s %-13s %-8s %-8s %s\n", "SUBSCRIBER", "SOURCE", "OFFSET", "HEAD", "LAG");
    long long heads[CTL_N_SERVICES];
    for (size_t i = 0; i < CTL_N_SERVICES; i++)
        heads[i] = outbox_head(CTL_SERVICES[i]);
    bool read_all = true;
    for (size_t i = 0; i < CTL_N_SERVICES; i++) {
        const char *name = CTL_SERVICES[i];
        const char *dsn = ctl_service_dsn(name);
        PGconn *c = dsn ? ctl_open_conn(name, dsn, true) : NULL;
        bool present = false;
        PGresult *r = NULL;
        if (c && enter_schema(c, name, &present) && present)
            r = q(c, name, "SELECT source, last_seq FROM inbox_offsets ORDER BY source", 0, NULL);
        if (!r) {
            if (!dsn)
                printf("%-13s (no DSN: SEKLIK_DB_DSN or its own)\n", name);
            else if (c && !present)
                printf("%-13s (no schema yet: the service never started on this database)\n",
                       name);
            read_all = false;
        }
        for (int k = 0; r && k < PQntuples(r); k++) {
            const char *src = PQgetvalue(r, k, 0);
            long long at = strtoll(PQgetvalue(r, k, 1), NULL, 10), head = -1;
            for (size_t s = 0; s < CTL_N_SERVICES; s++)
                if (strcmp(CTL_SERVICES[s], src) == 0)
                    head = heads[s];
            if (head < 0)
                printf("%-13s %-13.40s %-8lld %-8s %s\n", name, src, at, "?", "(source unread)");
            else if (at > head)
                printf("%-13s %-13s %-8lld %-8lld ahead by %lld (see seklikctl help replay)\n",
                       name, src, at, head, at - head);
            else
                printf("%-13s %-13s %-8lld %-8lld %lld\n", name, src, at, head, head - at);
        }
        PQclear(r);
        if (c)
            PQfinish(c);
    }
    if (!all_ready)
        fprintf(stderr, "seklikctl status: not every service is ready\n");
    return all_ready && read_all ? 0 : EXIT_FAILURE;
}

/* ---- replay ---- */

static int cmd_replay(const oopts *o)
{
    if (!o->subscriber || !o->source || !o->from)
        return usage("replay needs --subscriber, --source and --from");
    if (strcmp(o->subscriber, o->source) == 0)
        return usage("replay: a service does not subscribe to itself");
    uint64_t from = 0;
    if (!parse_u64(o->from, &from) || from < 1)
        return usage("--from: '%s' is not a sequence number (1 or more)", o->from);
    const char *sub_dsn = ctl_service_dsn(o->subscriber), *src_dsn = ctl_service_dsn(o->source);
    if (!sub_dsn || !src_dsn)
        return usage("replay: no DSN: set SEKLIK_DB_DSN (or SEKLIK_<SVC>_DB_DSN)");
    PGconn *sub = ctl_open_conn(o->subscriber, sub_dsn, !o->apply);
    PGconn *src = sub ? ctl_open_conn(o->source, src_dsn, true) : NULL;
    int st = EXIT_FAILURE;
    PGresult *r = NULL;
    bool present = false;
    long long head = -1, at = -1;
    const char *p_src[] = {o->source};
    if (!src || !enter_schema(src, o->source, &present))
        goto done;
    if (!present) {
        fprintf(stderr, "seklikctl: %s has no schema here\n", o->source);
        goto done;
    }
    if (!(r = q(src, o->source, "SELECT last_seq FROM outbox_head", 0, NULL)))
        goto done;
    head = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    r = NULL;
    if (!enter_schema(sub, o->subscriber, &present))
        goto done;
    if (!present || !(r = q(sub, o->subscriber,
                            "SELECT last_seq FROM inbox_offsets WHERE source = $1", 1, p_src)) ||
        PQntuples(r) != 1) {
        if (present && r)
            fprintf(stderr,
                    "seklikctl: %s keeps no offset for %s: it does not subscribe to it, or has "
                    "applied nothing of it yet\n",
                    o->subscriber, o->source);
        else if (!present)
            fprintf(stderr, "seklikctl: %s has no schema here\n", o->subscriber);
        goto done;
    }
    at = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    r = NULL;
    long long target = (long long)from - 1;
    printf("%s applied %s's events up to %lld; %s's head is %lld\n", o->subscriber, o->source, at,
           o->source, head);
    if (target > at) {
        fprintf(stderr,
                "seklikctl: refused: --from %llu would skip %s's events %lld..%lld, which %s has "
                "not applied; replay only goes back\n",
                (unsigned long long)from, o->source, at + 1, target, o->subscriber);
        st = EXIT_USAGE;
        goto done;
    }
    if (target > head) {
        fprintf(stderr, "seklikctl: refused: %s has no events after %lld\n", o->source, head);
        st = EXIT_USAGE;
        goto done;
    }
    if (target == at) {
        printf("nothing to do: %s's offset for %s is %lld already\n", o->subscriber, o->source,
               at);
        st = 0;
        goto done;
    }
    long long last_again = at < head ? at : head;
    if (at > head)
        printf("%s is AHEAD of %s by %lld: %s was restored from an earlier moment (or its "
               "events were removed), so %s's new events %lld.. would be skipped as "
               "duplicates; with the offset at %lld they are applied when they come\n",
               o->subscriber, o->source, at - head, o->source, o->source, head + 1, target);
    if (from <= (unsigned long long)last_again) {
        char a[24], b[24];
        snprintf(a, sizeof(a), "%llu", (unsigned long long)from);
        snprintf(b, sizeof(b), "%lld", last_again);
        const char *p[] = {a, b};
        if (!(r = q(src, o->source,
                    "SELECT type, count(*) FROM outbox WHERE seq BETWEEN $1 AND $2 GROUP BY type "
                    "ORDER BY type",
                    2, p)))
            goto done;
        printf("%s will apply %s's events %llu..%lld AGAIN (they were applied once already); "
               "by type:\n",
               o->subscriber, o->source, (unsigned long long)from, last_again);
        for (int i = 0; i < PQntuples(r); i++)
            printf("  %-44s %s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
        PQclear(r);
        r = NULL;
        printf("An applier that is not idempotent by itself does its work again: audit rows, "
               "cases, events of its own. See seklikctl help replay.\n");
    }
    if (!o->apply) {
        printf("dry run: nothing changed; --apply sets %s's offset for %s to %lld\n",
               o->subscriber, o->source, target);
        st = 0;
        goto done;
    }
    /* Under the row lock the running subscriber takes too: its batch in
     * flight commits first, then ours; it reads the new offset next tick. */
    char tv[24], before[64], after[64];
    snprintf(tv, sizeof(tv), "%lld", target);
    if (!ok(sub, "replay", "BEGIN", 0, NULL))
        goto done;
    if (!(r = q(sub, "replay", "SELECT last_seq FROM inbox_offsets WHERE source = $1 FOR UPDATE",
                1, p_src)) ||
        PQntuples(r) != 1) {
        ok(sub, "replay", "ROLLBACK", 0, NULL);
        goto done;
    }
    long long now_at = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    r = NULL;
    if (target > now_at) {
        ok(sub, "replay", "ROLLBACK", 0, NULL);
        fprintf(stderr, "seklikctl: refused: the offset moved to %lld meanwhile\n", now_at);
        goto done;
    }
    snprintf(before, sizeof(before), "{\"last_seq\": %lld}", now_at);
    snprintf(after, sizeof(after), "{\"last_seq\": %lld}", target);
    const char *pu[] = {o->source, tv};
    const char *pa[] = {o->source, before, after};
    if (!ok(sub, "replay",
            "UPDATE inbox_offsets SET last_seq = $2::bigint, updated_at = now() WHERE source = $1",
            2, pu) ||
        !ok(sub, "replay",
            "INSERT INTO audit_log (user_id, roles, action, entity_type, entity_id, before, "
            "after) VALUES ('seklikctl', '[]', 'inbox.replay', 'inbox_offset', $1, $2::jsonb, "
            "$3::jsonb)",
            3, pa) ||
        !ok(sub, "replay", "COMMIT", 0, NULL)) {
        ok(sub, "replay", "ROLLBACK", 0, NULL);
        goto done;
    }
    printf("%s's offset for %s set from %lld to %lld (audited as inbox.replay); it replays from "
           "%llu at its next catch-up (SEKLIK_REPLAY_INTERVAL_MS, 1 s by default)\n",
           o->subscriber, o->source, now_at, target, (unsigned long long)from);
    st = 0;
done:
    PQclear(r);
    if (src)
        PQfinish(src);
    if (sub)
        PQfinish(sub);
    return st;
}

/* ---- audit export ---- */

/* WHEN as PostgreSQL reads it: YYYY-MM-DD is that day's midnight in
 * Asia/Jakarta (WIB, UTC+7, no daylight saving); a time needs its zone
 * (Z or +HH:MM), so nobody's session time zone decides. */
static bool parse_when(const char *s, char *out, size_t cap)
{
    size_t n = strlen(s);
    const char *d = "dddd-dd-dd";
    if (n < 10)
        return false;
    for (size_t i = 0; i < 10; i++)
        if (d[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != '-')
            return false;
    if (n == 10) {
        snprintf(out, cap, "%s 00:00:00+07", s);
        return true;
    }
    if (s[10] != 'T' && s[10] != ' ')
        return false;
    bool zone = s[n - 1] == 'Z' ||
                (n > 16 && (s[n - 6] == '+' || s[n - 6] == '-') && s[n - 3] == ':');
    if (!zone || strspn(s + 11, "0123456789:.+-Z") != n - 11)
        return false;
    snprintf(out, cap, "%s", s);
    return true;
}

/* A CSV field (RFC 4180). A value a spreadsheet would run as a formula
 * (starting with = + - @ or a tab/CR) gets a leading apostrophe: names and
 * ids in the audit trail come from users. */
static void csv_field(FILE *f, const char *v, bool last)
{
    bool formula = strchr("=+-@\t\r", v[0]) && v[0] != '\0';
    bool quote = formula || strpbrk(v, ",\"\r\n") != NULL;
    if (quote)
        fputc('"', f);
    if (formula)
        fputc('\'', f);
    for (const char *p = v; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    if (quote)
        fputc('"', f);
    fputs(last ? "\r\n" : ",", f);
}

#define AUDIT_PAGE 1000
#define AUDIT_COLS 12

typedef struct stream {
    const char *schema;
    PGconn *conn;
    PGresult *page;
    int row;
    char after_at[40], after_id[24];
    bool done;
    long long count;
} stream;

static const char SQL_AUDIT_PAGE[] =
    "SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), id, user_id, "
    "roles::text, coalesce(company_id, ''), coalesce(remote_addr, ''), action, entity_type, "
    "entity_id, correlation_id, coalesce(before::text, ''), coalesce(after::text, '') "
    "FROM audit_log WHERE at >= $1::timestamptz AND at < $2::timestamptz "
    "AND (at, id) > ($3::timestamptz, $4::bigint) ORDER BY at, id LIMIT 1000";

/* The stream's current row, fetching the next page when needed; false at
 * its end or on an error (*err set). */
static bool stream_row(stream *s, const char *from, const char *to, bool *err)
{
    if (s->done)
        return false;
    if (s->page && s->row < PQntuples(s->page))
        return true;
    bool last_page = s->page && PQntuples(s->page) < AUDIT_PAGE;
    if (s->page) {
        int last = PQntuples(s->page) - 1;
        if (last >= 0) {
            snprintf(s->after_at, sizeof(s->after_at), "%s", PQgetvalue(s->page, last, 0));
            snprintf(s->after_id, sizeof(s->after_id), "%s", PQgetvalue(s->page, last, 1));
        }
        PQclear(s->page);
        s->page = NULL;
    }
    if (last_page) {
        s->done = true;
        return false;
    }
    const char *p[] = {from, to, s->after_at, s->after_id};
    s->page = q(s->conn, s->schema, SQL_AUDIT_PAGE, 4, p);
    s->row = 0;
    if (!s->page) {
        *err = true;
        s->done = true;
        return false;
    }
    if (PQntuples(s->page) == 0) {
        s->done = true;
        return false;
    }
    return true;
}

static int cmd_audit(int argc, char **argv)
{
    if (argc < 3 || strcmp(argv[2], "export") != 0)
        return usage("expected 'audit export'");
    oopts o;
    int st = parse(argc, argv, 3, "--from --to --schema --out", &o);
    if (st != 0)
        return st;
    char from[64], to[64];
    if (!o.from || !o.to)
        return usage("audit export needs --from and --to");
    if (!parse_when(o.from, from, sizeof(from)))
        return usage("--from: '%s' is neither YYYY-MM-DD nor a time with its zone "
                     "(2027-01-31T09:00:00+07:00, ...Z)",
                     o.from);
    if (!parse_when(o.to, to, sizeof(to)))
        return usage("--to: '%s' is neither YYYY-MM-DD nor a time with its zone", o.to);
    stream streams[CTL_N_SERVICES];
    memset(streams, 0, sizeof(streams));
    size_t n = 0;
    for (size_t i = 0; i < CTL_N_SERVICES; i++) {
        if (!selected(&o, CTL_SERVICES[i]))
            continue;
        if (!ctl_service_dsn(CTL_SERVICES[i]))
            return usage("no DSN for %s: set SEKLIK_DB_DSN", CTL_SERVICES[i]);
        streams[n++].schema = CTL_SERVICES[i];
    }
    st = EXIT_FAILURE;
    FILE *out = stdout;
    bool err = false;
    for (size_t i = 0; i < n; i++) {
        stream *s = &streams[i];
        bool present = false;
        s->conn = ctl_open_conn(s->schema, ctl_service_dsn(s->schema), true);
        if (!s->conn || !enter_schema(s->conn, s->schema, &present))
            goto done;
        if (!present) {
            fprintf(stderr, "seklikctl: %s has no schema here (its service never started)\n",
                    s->schema);
            goto done;
        }
        /* One snapshot per schema: rows committed during the export do not
         * slip in between pages. */
        if (!ok(s->conn, s->schema, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", 0, NULL))
            goto done;
        snprintf(s->after_at, sizeof(s->after_at), "-infinity");
        snprintf(s->after_id, sizeof(s->after_id), "0");
    }
    const char *pw[] = {from, to};
    PGresult *chk = n ? q(streams[0].conn, "audit export", "SELECT $1::timestamptz < $2::timestamptz", 2, pw) : NULL;
    if (n && !chk)
        goto done;
    bool ordered = chk && strcmp(PQgetvalue(chk, 0, 0), "t") == 0;
    PQclear(chk);
    if (n && !ordered) {
        st = usage("--from must be before --to (--to is exclusive)");
        goto done;
    }
    if (o.out) {
        int fd = open(o.out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 || !(out = fdopen(fd, "w"))) {
            fprintf(stderr, "seklikctl: %s: %s (an existing file is never overwritten)\n", o.out,
                    strerror(errno));
            if (fd >= 0)
                close(fd);
            out = stdout;
            goto done;
        }
    }
    static const char *const HEAD[AUDIT_COLS + 1] = {
        "at_utc",      "schema",    "id",          "user_id",        "roles",  "company_id",
        "remote_addr", "action",    "entity_type", "entity_id",      "correlation_id",
        "before",      "after"};
    for (int c = 0; c <= AUDIT_COLS; c++)
        csv_field(out, HEAD[c], c == AUDIT_COLS);
    long long total = 0;
    /* Merge the schemas' streams by time (the text sorts as the time). */
    for (;;) {
        stream *next = NULL;
        for (size_t i = 0; i < n; i++) {
            stream *s = &streams[i];
            if (!stream_row(s, from, to, &err))
                continue;
            if (!next || strcmp(PQgetvalue(s->page, s->row, 0),
                                PQgetvalue(next->page, next->row, 0)) < 0)
                next = s;
        }
        if (err)
            goto done;
        if (!next)
            break;
        PGresult *p = next->page;
        int row = next->row++;
        csv_field(out, PQgetvalue(p, row, 0), false);
        csv_field(out, next->schema, false);
        for (int c = 1; c < AUDIT_COLS; c++)
            csv_field(out, PQgetvalue(p, row, c), c == AUDIT_COLS - 1);
        next->count++;
        total++;
    }
    if (fflush(out) != 0 || ferror(out)) {
        fprintf(stderr, "seklikctl: writing the export: %s\n", strerror(errno));
        goto done;
    }
    fprintf(stderr, "seklikctl audit export: %lld records from %s to %s (exclusive):", total,
            o.from, o.to);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, " %s %lld%s", streams[i].schema, streams[i].count, i + 1 < n ? "," : "\n");
    st = 0;
done:
    for (size_t i = 0; i < n; i++) {
        PQclear(streams[i].page);
        if (streams[i].conn)
            PQfinish(streams[i].conn);
    }
    if (out != stdout && fclose(out) != 0 && st == 0) {
        fprintf(stderr, "seklikctl: closing %s: %s\n", o.out, strerror(errno));
        st = EXIT_FAILURE;
    }
    return st;
}

int ctl_ops_main(int argc, char **argv)
{
    const char *cmd = argv[1];
    if (sodium_init() < 0) {
        fprintf(stderr, "seklikctl: libsodium failed to start\n");
        return EXIT_FAILURE;
    }
    sk_log_init("seklikctl", SK_LOG_WARN);
    if (strcmp(cmd, "audit") == 0)
        return cmd_audit(argc, argv);
    oopts o;
    const char *allowed = strcmp(cmd, "migrate") == 0  ? "--dry-run --schema"
                          : strcmp(cmd, "status") == 0 ? "--timeout"
                                                       : "--subscriber --source --from --apply";
    int st = parse(argc, argv, 2, allowed, &o);
    if (st != 0)
        return st;
    if (strcmp(cmd, "migrate") == 0)
        return cmd_migrate(&o);
    if (strcmp(cmd, "status") == 0)
        return cmd_status(&o);
    return cmd_replay(&o);
}
