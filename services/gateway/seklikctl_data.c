/* seklikctl_data.c - check, back up and restore the service schemas.
 *
 * An operator's tool, not a service: where a service never reads another's
 * schema, these commands read all seven (check and backup read-only), each
 * through that service's own DSN (SEKLIK_<SVC>_DB_DSN, else SEKLIK_DB_DSN),
 * so they work when services have databases of their own.
 *
 * check: a table of named checks (CHECKS below) run per schema; a later
 * issue adds its invariants (a balanced ledger, reservations) as rows there.
 * backup: pg_dump per schema in custom format, all schemas of one database
 * from one exported snapshot, so one service's offsets never run ahead of
 * another's outbox in the backup; a manifest records what a restore checks.
 * restore: pg_restore per schema into empty schemas (or, with --force, over
 * dropped ones), each in one transaction, then compares with the manifest.
 * pg_dump and pg_restore run as child processes with an argv, never through
 * a shell; the DSN reaches them as PG* environment variables so a password
 * never shows in a process list. */
#include "seklikctl_data.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "seklik/bus.pb-c.h"

#ifndef SEKLIK_VERSION
#define SEKLIK_VERSION "0"
#endif

#define EXIT_USAGE 2
#define MANIFEST "manifest.json"
#define MANIFEST_FORMAT "seklik-backup-1"
#define MANIFEST_MAX (1 << 20)

const char CTL_DATA_USAGE[] =
    "       seklikctl check [--schema S ...] [--wait SECONDS] [--allow-lag]\n"
    "       seklikctl backup --out DIR\n"
    "       seklikctl restore --from DIR [--force]\n"
    "check, backup and restore read every service's schema (check and backup\n"
    "read-only; a service itself never reads another's), each through\n"
    "SEKLIK_<SVC>_DB_DSN or else SEKLIK_DB_DSN; pg_dump and pg_restore come from\n"
    "$SEKLIK_PG_BIN when set, else PATH. Restore with the services stopped.\n";

const char *const CTL_SERVICES[CTL_N_SERVICES] = {
    "registry", "verification", "scoring", "ordering", "distribution", "accounting", "gateway"};
#define SERVICES CTL_SERVICES
#define N_SERVICES CTL_N_SERVICES

typedef struct svc {
    const char *name;
    const char *dsn;
    PGconn *conn;
    bool present; /* the schema exists */
} svc;

typedef struct dopts {
    const char *schemas[N_SERVICES];
    size_t n_schemas;
    int wait_s;
    bool allow_lag;
    const char *out;
    const char *from;
    bool force;
} dopts;

static int usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "seklikctl: ");
    fprintf(stderr, fmt, arg ? arg : "");
    fprintf(stderr, "\nusage: %s", CTL_DATA_USAGE + 7);
    return EXIT_USAGE;
}

bool ctl_data_is_command(const char *name)
{
    return strcmp(name, "check") == 0 || strcmp(name, "backup") == 0 ||
           strcmp(name, "restore") == 0;
}

const char *ctl_known_service(const char *name)
{
    for (size_t i = 0; i < N_SERVICES; i++)
        if (strcmp(SERVICES[i], name) == 0)
            return SERVICES[i];
    return NULL;
}

/* ---- PostgreSQL ---- */

static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

const char *ctl_service_dsn(const char *name)
{
    char var[64];
    size_t n = (size_t)snprintf(var, sizeof(var), "SEKLIK_");
    for (const char *s = name; *s && n < sizeof(var) - 1; s++)
        var[n++] = (char)(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s);
    snprintf(var + n, sizeof(var) - n, "_DB_DSN");
    const char *dsn = getenv(var);
    if (!dsn || !dsn[0])
        dsn = getenv("SEKLIK_DB_DSN");
    return dsn && dsn[0] ? dsn : NULL;
}

/* Run `sql` with `n` text parameters; the result, or NULL with the server's
 * message in `err`. `binary` asks for binary result columns. */
static PGresult *query(PGconn *c, const char *sql, int n, const char *const *params, bool binary,
                       char *err, size_t cap)
{
    PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, binary ? 1 : 0);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        return r;
    snprintf(err, cap, "%s", r ? PQresultErrorMessage(r) : PQerrorMessage(c));
    err[strcspn(err, "\n")] = '\0';
    PQclear(r);
    return NULL;
}

/* Run a statement whose result does not matter; false with the message
 * printed. */
static bool exec_ok(PGconn *c, const char *sql, int n, const char *const *params)
{
    char err[512];
    PGresult *r = query(c, sql, n, params, false, err, sizeof(err));
    if (!r) {
        fprintf(stderr, "seklikctl: %s\n", err);
        return false;
    }
    PQclear(r);
    return true;
}

/* The first column of the first row as a number; false when there is no
 * such row or the query failed (message in `err`). */
static bool query_number(PGconn *c, const char *sql, int n, const char *const *params,
                         long long *out, char *err, size_t cap)
{
    PGresult *r = query(c, sql, n, params, false, err, cap);
    if (!r)
        return false;
    bool ok = PQntuples(r) >= 1 && !PQgetisnull(r, 0, 0);
    if (ok)
        *out = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    else
        snprintf(err, cap, "no row");
    PQclear(r);
    return ok;
}

PGconn *ctl_open_conn(const char *name, const char *dsn, bool read_only)
{
    PGconn *c = PQconnectdb(dsn);
    if (PQstatus(c) != CONNECTION_OK) {
        char msg[512];
        snprintf(msg, sizeof(msg), "%s", PQerrorMessage(c));
        msg[strcspn(msg, "\n")] = '\0';
        fprintf(stderr, "seklikctl: %s: connecting to PostgreSQL: %s\n", name, msg);
        PQfinish(c);
        return NULL;
    }
    PQsetNoticeProcessor(c, quiet_notice, NULL);
    if (read_only &&
        !exec_ok(c, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", 0, NULL)) {
        PQfinish(c);
        return NULL;
    }
    return c;
}

static bool schema_exists(PGconn *c, const char *schema, bool *exists)
{
    long long v = 0;
    char err[512];
    const char *p[] = {schema};
    if (!query_number(c, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", 1, p, &v, err,
                      sizeof(err))) {
        fprintf(stderr, "seklikctl: %s: %s\n", schema, err);
        return false;
    }
    *exists = v > 0;
    return true;
}

/* Unqualified names in later statements mean the schema's tables; `local`
 * limits that to the open transaction. */
static bool use_schema(PGconn *c, const char *schema, bool local)
{
    const char *p[] = {schema, local ? "true" : "false"};
    return exec_ok(c, "SELECT set_config('search_path', $1, $2::boolean)", 2, p);
}

/* Connect to every service's database; false (message printed) when one
 * cannot be reached. The DSN variables were checked by the caller. */
static bool open_all(svc *all, bool read_only)
{
    for (size_t i = 0; i < N_SERVICES; i++) {
        svc *s = &all[i];
        s->conn = ctl_open_conn(s->name, s->dsn, read_only);
        if (!s->conn || !schema_exists(s->conn, s->name, &s->present))
            return false;
        if (s->present && !use_schema(s->conn, s->name, false))
            return false;
    }
    return true;
}

static void close_all(svc *all)
{
    for (size_t i = 0; i < N_SERVICES; i++)
        if (all[i].conn)
            PQfinish(all[i].conn);
}

/* Fill `all` with the services and their DSNs; the usage status when one
 * has none. */
static int resolve_services(svc *all)
{
    memset(all, 0, N_SERVICES * sizeof(*all));
    for (size_t i = 0; i < N_SERVICES; i++) {
        all[i].name = SERVICES[i];
        all[i].dsn = ctl_service_dsn(SERVICES[i]);
        if (!all[i].dsn)
            return usage("no DSN for %s: set SEKLIK_DB_DSN (or SEKLIK_<SVC>_DB_DSN)",
                         SERVICES[i]);
    }
    return 0;
}

static svc *find_svc(svc *all, const char *name)
{
    for (size_t i = 0; i < N_SERVICES; i++)
        if (strcmp(all[i].name, name) == 0)
            return &all[i];
    return NULL;
}

/* ---- check: findings ---- */

typedef struct finding {
    const char *schema;
    const char *check;
    bool ok;
    bool lag; /* a subscriber behind its source: waiting may cure it */
    char text[320];
} finding;

typedef struct report {
    finding *f;
    size_t n, cap;
    bool oom;
} report;

__attribute__((format(printf, 6, 7))) static void note(report *r, const char *schema,
                                                       const char *check, bool ok, bool lag,
                                                       const char *fmt, ...)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 32;
        finding *f = realloc(r->f, cap * sizeof(*f));
        if (!f) {
            r->oom = true;
            return;
        }
        r->f = f;
        r->cap = cap;
    }
    finding *f = &r->f[r->n++];
    f->schema = schema;
    f->check = check;
    f->ok = ok;
    f->lag = lag;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->text, sizeof(f->text), fmt, ap);
    va_end(ap);
}

typedef struct check_env {
    svc *all;
    const dopts *o;
} check_env;

typedef void (*check_fn)(check_env *e, svc *s, const char *name, report *r);

/* ---- check: the checks ---- */

/* Every seq from 1 to outbox_head.last_seq is in the outbox, once, and none
 * beyond it: what lets a subscriber read `seq > last + 1` as a loss. */
static void check_outbox(check_env *e, svc *s, const char *name, report *r)
{
    (void)e;
    char err[512];
    PGresult *h = query(s->conn, "SELECT last_seq FROM outbox_head", 0, NULL, false, err,
                        sizeof(err));
    if (!h) {
        note(r, s->name, name, false, false, "cannot read outbox_head: %s", err);
        return;
    }
    int rows = PQntuples(h);
    long long head = rows == 1 ? strtoll(PQgetvalue(h, 0, 0), NULL, 10) : 0;
    PQclear(h);
    if (rows != 1) {
        note(r, s->name, name, false, false, "outbox_head has %d rows instead of 1", rows);
        return;
    }
    PGresult *c = query(s->conn,
                        "SELECT count(*), count(DISTINCT seq), coalesce(max(seq), 0) FROM outbox",
                        0, NULL, false, err, sizeof(err));
    if (!c) {
        note(r, s->name, name, false, false, "cannot read the outbox: %s", err);
        return;
    }
    long long count = strtoll(PQgetvalue(c, 0, 0), NULL, 10);
    long long distinct = strtoll(PQgetvalue(c, 0, 1), NULL, 10);
    long long max = strtoll(PQgetvalue(c, 0, 2), NULL, 10);
    PQclear(c);
    size_t before = r->n;
    if (count != distinct)
        note(r, s->name, name, false, false, "%lld events share a seq with another",
             count - distinct);
    if (max > head)
        note(r, s->name, name, false, false,
             "events beyond the head: seq up to %lld, outbox_head.last_seq %lld", max, head);
    PGresult *g = query(s->conn,
                        "SELECT prev + 1, seq - 1 FROM (SELECT seq, coalesce(lag(seq) OVER "
                        "(ORDER BY seq), 0) AS prev FROM outbox) t WHERE seq > prev + 1 "
                        "ORDER BY seq LIMIT 5",
                        0, NULL, false, err, sizeof(err));
    if (!g) {
        note(r, s->name, name, false, false, "cannot look for gaps: %s", err);
        return;
    }
    for (int i = 0; i < PQntuples(g); i++) {
        const char *from = PQgetvalue(g, i, 0), *to = PQgetvalue(g, i, 1);
        if (strcmp(from, to) == 0)
            note(r, s->name, name, false, false, "seq %s missing (outbox_head.last_seq %lld)",
                 from, head);
        else
            note(r, s->name, name, false, false, "seq %s..%s missing (outbox_head.last_seq %lld)",
                 from, to, head);
    }
    PQclear(g);
    if (max < head)
        note(r, s->name, name, false, false, "seq %lld..%lld missing (outbox_head.last_seq %lld)",
             max + 1, head, head);
    if (r->n == before && head == 0)
        note(r, s->name, name, true, false, "empty, head 0");
    else if (r->n == before)
        note(r, s->name, name, true, false, "seq 1..%lld, none missing, none twice", head);
}

/* Each subscriber's offset equals its source's head: every event published
 * is applied (behind = lag), and none the source does not have (ahead). */
static void check_offsets(check_env *e, svc *s, const char *name, report *r)
{
    char err[512];
    PGresult *o = query(s->conn, "SELECT source, last_seq FROM inbox_offsets ORDER BY source", 0,
                        NULL, false, err, sizeof(err));
    if (!o) {
        note(r, s->name, name, false, false, "cannot read inbox_offsets: %s", err);
        return;
    }
    if (PQntuples(o) == 0)
        note(r, s->name, name, true, false, "no offsets: it has applied no events yet");
    for (int i = 0; i < PQntuples(o); i++) {
        const char *source = PQgetvalue(o, i, 0);
        long long at = strtoll(PQgetvalue(o, i, 1), NULL, 10);
        svc *src = find_svc(e->all, source);
        if (!src) {
            note(r, s->name, name, false, false, "offset for '%.40s', which is no service", source);
            continue;
        }
        if (!src->present) {
            note(r, s->name, name, false, false,
                 "%s: at %lld, but the source has no schema (was it restored?)", source, at);
            continue;
        }
        /* Read after the offset (another connection, a later snapshot): the
         * head can only have grown since, so "ahead" is never a race. */
        long long head = 0;
        if (!query_number(src->conn, "SELECT last_seq FROM outbox_head", 0, NULL, &head, err,
                          sizeof(err))) {
            note(r, s->name, name, false, false, "%s: cannot read its outbox_head: %s", source,
                 err);
            continue;
        }
        if (at == head)
            note(r, s->name, name, true, false, "%s: at %lld = its head", source, at);
        else if (at < head)
            note(r, s->name, name, e->o->allow_lag, true, "%s: at %lld, %lld behind its head %lld",
                 source, at, head - at, head);
        else
            note(r, s->name, name, false, false,
                 "%s: at %lld, ahead of its head %lld: it applied events its source does not "
                 "have (restored from different moments?)",
                 source, at, head);
    }
    PQclear(o);
}

/* Idempotency keys are unique (a retried command finds its first answer):
 * the primary key is there, and no key is stored twice. */
static void check_idempotency(check_env *e, svc *s, const char *name, report *r)
{
    (void)e;
    char err[512];
    long long has_key = 0, count = 0;
    if (!query_number(s->conn,
                      "SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = "
                      "i.indrelid AND a.attnum = i.indkey[0] WHERE i.indrelid = "
                      "to_regclass('idempotency') AND i.indisunique AND i.indnatts = 1 AND "
                      "a.attname = 'key'",
                      0, NULL, &has_key, err, sizeof(err)) ||
        !query_number(s->conn, "SELECT count(*) FROM idempotency", 0, NULL, &count, err,
                      sizeof(err))) {
        note(r, s->name, name, false, false, "cannot read the idempotency table: %s", err);
        return;
    }
    size_t before = r->n;
    if (has_key == 0)
        note(r, s->name, name, false, false, "idempotency has no unique index on key");
    PGresult *d = query(s->conn,
                        "SELECT key, count(*) FROM idempotency GROUP BY key HAVING count(*) > 1 "
                        "ORDER BY key LIMIT 5",
                        0, NULL, false, err, sizeof(err));
    if (!d) {
        note(r, s->name, name, false, false, "cannot look for duplicate keys: %s", err);
        return;
    }
    for (int i = 0; i < PQntuples(d); i++)
        note(r, s->name, name, false, false, "key '%.80s' stored %s times", PQgetvalue(d, i, 0),
             PQgetvalue(d, i, 1));
    PQclear(d);
    if (r->n == before)
        note(r, s->name, name, true, false, "%lld keys, unique", count);
}

/* Commands whose stored response may have no audit record: their effects
 * are of another kind. Each entry says why. */
static const struct {
    const char *method;
    const char *why;
} EFFECTS_UNAUDITED[] = {
    /* Its effects are expiry notices and their events; none may be due. */
    {"Verification.CheckExpiries", "notices only"},
    /* Opening a year again with the same settings writes and sends nothing. */
    {"Verification.OpenYear", "a repeat with unchanged settings changes nothing"},
};

/* A stored response means the command committed: its effects committed
 * with it. What every service's commands have in common is the audit record
 * written in the same transaction, and both rows carry that transaction's
 * now(). So: each stored response has an audit record of the same instant,
 * and decodes as an OK response. */
static void check_effects(check_env *e, svc *s, const char *name, report *r)
{
    (void)e;
    char err[512], exempt[512] = "{";
    size_t n_exempt = sizeof(EFFECTS_UNAUDITED) / sizeof(EFFECTS_UNAUDITED[0]);
    for (size_t i = 0; i < n_exempt; i++) {
        size_t len = strlen(exempt);
        snprintf(exempt + len, sizeof(exempt) - len, "%s\"%s\"", i ? "," : "",
                 EFFECTS_UNAUDITED[i].method);
    }
    strncat(exempt, "}", sizeof(exempt) - strlen(exempt) - 1);
    const char *p[] = {exempt};
    PGresult *m = query(s->conn,
                        "SELECT i.method, count(*), min(i.key) FROM idempotency i WHERE i.method "
                        "<> ALL ($1::text[]) AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.at "
                        "= i.created_at) GROUP BY i.method ORDER BY 1",
                        1, p, false, err, sizeof(err));
    if (!m) {
        note(r, s->name, name, false, false, "cannot compare commands with the audit log: %s",
             err);
        return;
    }
    size_t before = r->n;
    for (int i = 0; i < PQntuples(m); i++)
        note(r, s->name, name, false, false,
             "%s stored responses of %.60s without the audit record of their transaction "
             "(e.g. key '%.60s')",
             PQgetvalue(m, i, 1), PQgetvalue(m, i, 0), PQgetvalue(m, i, 2));
    PQclear(m);

    /* Page through the stored responses by key. */
    char after[512] = "";
    long long total = 0, unreadable = 0, not_ok = 0;
    char first_bad[160] = "";
    for (;;) {
        const char *kp[] = {after};
        PGresult *page = query(s->conn,
                               "SELECT key, response FROM idempotency WHERE key > $1 ORDER BY "
                               "key LIMIT 500",
                               1, kp, true, err, sizeof(err));
        if (!page) {
            note(r, s->name, name, false, false, "cannot read the stored responses: %s", err);
            return;
        }
        int rows = PQntuples(page);
        for (int i = 0; i < rows; i++) {
            const uint8_t *data = (const uint8_t *)PQgetvalue(page, i, 1);
            size_t len = (size_t)PQgetlength(page, i, 1);
            Seklik__Bus__Response *resp = seklik__bus__response__unpack(NULL, len, data);
            bool bad = !resp || resp->code != SEKLIK__BUS__CODE__OK;
            if (!resp)
                unreadable++;
            else if (resp->code != SEKLIK__BUS__CODE__OK)
                not_ok++;
            if (bad && !first_bad[0])
                snprintf(first_bad, sizeof(first_bad), "%.150s", PQgetvalue(page, i, 0));
            if (resp)
                seklik__bus__response__free_unpacked(resp, NULL);
        }
        total += rows;
        if (rows > 0)
            snprintf(after, sizeof(after), "%s", PQgetvalue(page, rows - 1, 0));
        PQclear(page);
        if (rows < 500)
            break;
    }
    if (unreadable || not_ok)
        note(r, s->name, name, false, false,
             "%lld stored responses unreadable, %lld not OK (e.g. key '%s')", unreadable, not_ok,
             first_bad);
    if (r->n == before)
        note(r, s->name, name, true, false,
             "%lld commands, each with its audit record and an OK response", total);
}

typedef struct ctl_check {
    const char *name;
    const char *schema; /* NULL: every schema */
    check_fn fn;
} ctl_check;

/* The invariants, in the order they are reported. A service-specific one
 * names its schema (e.g. {"ledger_balanced", "accounting", check_ledger}),
 * and says in CHECK_TEXT what it proves, for `seklikctl help check`. */
static const ctl_check CHECKS[] = {
    {"outbox_gapless", NULL, check_outbox},
    {"offsets", NULL, check_offsets},
    {"idempotency_unique", NULL, check_idempotency},
    {"command_effects", NULL, check_effects},
};
#define N_CHECKS (sizeof(CHECKS) / sizeof(CHECKS[0]))

static const struct {
    const char *name, *what;
} CHECK_TEXT[] = {
    {"outbox_gapless", "the outbox holds every seq from 1 to outbox_head.last_seq, once"},
    {"offsets",
     "each subscriber's offset equals its source's head (behind: lag; ahead: restored source)"},
    {"idempotency_unique",
     "idempotency keys are unique, so a retried command finds its first answer"},
    {"command_effects",
     "every stored command response is OK and has the audit record of its transaction"},
};

void ctl_data_print_checks(FILE *out)
{
    for (size_t i = 0; i < N_CHECKS; i++) {
        const char *what = "";
        for (size_t k = 0; k < sizeof(CHECK_TEXT) / sizeof(CHECK_TEXT[0]); k++)
            if (strcmp(CHECK_TEXT[k].name, CHECKS[i].name) == 0)
                what = CHECK_TEXT[k].what;
        fprintf(out, "  %-19s %-13s %s\n", CHECKS[i].name,
                CHECKS[i].schema ? CHECKS[i].schema : "every schema", what);
    }
}

static bool selected(const dopts *o, const char *schema)
{
    if (o->n_schemas == 0)
        return true;
    for (size_t i = 0; i < o->n_schemas; i++)
        if (strcmp(o->schemas[i], schema) == 0)
            return true;
    return false;
}

/* One pass over the selected schemas; each schema's checks read one
 * snapshot of it (a transaction), so a commit between two statements never
 * looks like a gap. */
static void check_pass(check_env *e, report *r)
{
    for (size_t i = 0; i < N_SERVICES; i++) {
        svc *s = &e->all[i];
        if (!selected(e->o, s->name))
            continue;
        if (!s->present) {
            note(r, s->name, "schema", false, false,
                 "schema %s does not exist (its service never started here, or it was not "
                 "restored)",
                 s->name);
            continue;
        }
        if (!exec_ok(s->conn, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", 0, NULL)) {
            note(r, s->name, "schema", false, false, "cannot start a transaction");
            continue;
        }
        for (size_t k = 0; k < N_CHECKS; k++)
            if (!CHECKS[k].schema || strcmp(CHECKS[k].schema, s->name) == 0) {
                /* A failed statement aborts the transaction: the next check
                 * gets a fresh one rather than a cascade of errors. */
                CHECKS[k].fn(e, s, CHECKS[k].name, r);
                if (PQtransactionStatus(s->conn) == PQTRANS_INERROR) {
                    exec_ok(s->conn, "ROLLBACK", 0, NULL);
                    exec_ok(s->conn, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", 0, NULL);
                }
            }
        exec_ok(s->conn, "COMMIT", 0, NULL);
    }
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int cmd_check(const dopts *o)
{
    svc all[N_SERVICES];
    int st = resolve_services(all);
    if (st != 0)
        return st;
    if (!open_all(all, true)) {
        close_all(all);
        return EXIT_FAILURE;
    }
    check_env e = {.all = all, .o = o};
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    report r = {0};
    for (;;) {
        check_pass(&e, &r);
        bool waitable = o->wait_s > 0, lagging = false;
        for (size_t i = 0; i < r.n; i++) {
            if (!r.f[i].ok && !r.f[i].lag)
                waitable = false; /* a lost event does not come back by waiting */
            lagging |= !r.f[i].ok && r.f[i].lag;
        }
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (!waitable || !lagging || t.tv_sec - t0.tv_sec >= o->wait_s || r.oom)
            break;
        r.n = 0;
        sleep_ms(200);
    }
    close_all(all);
    size_t failed = 0;
    for (size_t i = 0; i < r.n; i++) {
        const finding *f = &r.f[i];
        printf("%-13s %-19s %-4s %s\n", f->schema, f->check, f->ok ? "ok" : "FAIL", f->text);
        failed += !f->ok;
    }
    bool oom = r.oom;
    free(r.f);
    if (oom) {
        fprintf(stderr, "seklikctl check: out of memory\n");
        return EXIT_FAILURE;
    }
    if (failed) {
        fprintf(stderr, "seklikctl check: %zu violation%s (FAIL lines above)\n", failed,
                failed == 1 ? "" : "s");
        return EXIT_FAILURE;
    }
    printf("seklikctl check: all invariants hold\n");
    return 0;
}

/* ---- child processes (pg_dump, pg_restore) ---- */

/* PostgreSQL's `tool` from $SEKLIK_PG_BIN (as scripts/lib.sh), else PATH. */
static void tool_path(const char *tool, char *out, size_t cap)
{
    const char *bin = getenv("SEKLIK_PG_BIN");
    if (bin && bin[0])
        snprintf(out, cap, "%s/%s", bin, tool);
    else
        snprintf(out, cap, "%s", tool);
}

/* Run argv[0] with `argv`, the settings of `dsn` (may be NULL) as PG*
 * variables in its environment, its stdout into `capture` (when not NULL)
 * and its stderr on ours. Returns its exit status, or -1 when it could not
 * be run (message printed). */
static int run_tool(char *const argv[], const char *dsn, char *capture, size_t cap)
{
    PQconninfoOption *opts = NULL;
    if (dsn) {
        char *perr = NULL;
        opts = PQconninfoParse(dsn, &perr);
        if (!opts) {
            fprintf(stderr, "seklikctl: the DSN does not parse: %s", perr ? perr : "\n");
            PQfreemem(perr);
            return -1;
        }
    }
    int fds[2] = {-1, -1};
    if (capture && pipe(fds) != 0) {
        fprintf(stderr, "seklikctl: pipe: %s\n", strerror(errno));
        PQconninfoFree(opts);
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "seklikctl: fork: %s\n", strerror(errno));
        PQconninfoFree(opts);
        if (capture) {
            close(fds[0]);
            close(fds[1]);
        }
        return -1;
    }
    if (pid == 0) {
        for (PQconninfoOption *x = opts; x && x->keyword; x++)
            if (x->envvar && x->val && x->val[0])
                setenv(x->envvar, x->val, 1);
        if (capture) {
            dup2(fds[1], STDOUT_FILENO);
            close(fds[0]);
            close(fds[1]);
        }
        if (strchr(argv[0], '/'))
            execv(argv[0], argv);
        else
            execvp(argv[0], argv);
        fprintf(stderr, "seklikctl: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    PQconninfoFree(opts);
    if (capture) {
        close(fds[1]);
        size_t n = 0;
        ssize_t got;
        while (n < cap - 1 && (got = read(fds[0], capture + n, cap - 1 - n)) > 0)
            n += (size_t)got;
        capture[n] = '\0';
        char sink[256]; /* the rest, so the child never blocks on a full pipe */
        while (read(fds[0], sink, sizeof(sink)) > 0)
            ;
        close(fds[0]);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    fprintf(stderr, "seklikctl: %s killed by signal %d\n", argv[0], WTERMSIG(status));
    return -1;
}

/* "pg_dump (PostgreSQL) 15.x" for the manifest. */
static void tool_version(const char *tool, char *out, size_t cap)
{
    char path[512];
    tool_path(tool, path, sizeof(path));
    char *argv[] = {path, "--version", NULL};
    if (run_tool(argv, NULL, out, cap) != 0)
        snprintf(out, cap, "unknown");
    out[strcspn(out, "\n")] = '\0';
}

/* ---- files ---- */

static bool sha256_file(const char *path, char hex[65], long long *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    unsigned char buf[65536];
    size_t n;
    *size = 0;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        crypto_hash_sha256_update(&st, buf, n);
        *size += (long long)n;
    }
    bool ok = !ferror(f);
    fclose(f);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, digest);
    sodium_bin2hex(hex, 65, digest, sizeof(digest));
    return ok;
}

/* An empty (or new) directory for the backup, private to its owner: the
 * dumps hold NIKs, bank accounts and password hashes. */
static bool prepare_out_dir(const char *dir)
{
    if (mkdir(dir, 0700) == 0)
        return true;
    if (errno != EEXIST) {
        fprintf(stderr, "seklikctl: --out %s: %s\n", dir, strerror(errno));
        return false;
    }
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "seklikctl: --out %s: %s\n", dir, strerror(errno));
        return false;
    }
    bool empty = true;
    for (struct dirent *de; empty && (de = readdir(d));)
        empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
    closedir(d);
    if (!empty)
        fprintf(stderr, "seklikctl: --out %s is not empty; give a new or empty directory\n", dir);
    else
        chmod(dir, 0700);
    return empty;
}

static char *read_small_file(const char *path, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    fclose(f);
    if (!buf || n > max) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* ---- backup ---- */

/* Offsets never ahead of their source's outbox in the backup (always true
 * within one snapshot; services with databases of their own are dumped
 * from one snapshot each and could differ). */
static bool manifest_consistent(const cJSON *schemas)
{
    bool ok = true;
    const cJSON *s;
    cJSON_ArrayForEach(s, schemas)
    {
        const cJSON *off;
        cJSON_ArrayForEach(off, cJSON_GetObjectItem(s, "inbox_offsets"))
        {
            const cJSON *src;
            cJSON_ArrayForEach(src, schemas)
            {
                const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(src, "schema"));
                if (!name || strcmp(name, off->string) != 0)
                    continue;
                double head = cJSON_GetNumberValue(cJSON_GetObjectItem(src, "outbox_last_seq"));
                if (off->valuedouble > head) {
                    fprintf(stderr,
                            "seklikctl: inconsistent: %s applied %s's events up to %.0f, but "
                            "%s's outbox ends at %.0f\n",
                            cJSON_GetStringValue(cJSON_GetObjectItem(s, "schema")), off->string,
                            off->valuedouble, name, head);
                    ok = false;
                }
            }
        }
    }
    return ok;
}

/* Read what the manifest records of `s` (in the open snapshot) and dump it.
 * Returns the manifest entry, or NULL (message printed). */
static cJSON *backup_schema(svc *s, const char *snapshot, const char *dir)
{
    PGconn *c = s->conn;
    char err[512];
    if (!use_schema(c, s->name, true))
        return NULL;
    long long head = 0;
    if (!query_number(c, "SELECT last_seq FROM outbox_head", 0, NULL, &head, err, sizeof(err))) {
        fprintf(stderr, "seklikctl: %s: outbox_head: %s\n", s->name, err);
        return NULL;
    }
    PGresult *off = query(c, "SELECT source, last_seq FROM inbox_offsets ORDER BY source", 0,
                          NULL, false, err, sizeof(err));
    PGresult *mig = off ? query(c, "SELECT version FROM schema_migrations ORDER BY version", 0,
                                NULL, false, err, sizeof(err))
                        : NULL;
    const char *p[] = {s->name};
    PGresult *ext = mig ? query(c,
                                "SELECT e.extname FROM pg_extension e JOIN pg_namespace n ON "
                                "n.oid = e.extnamespace WHERE n.nspname = $1 ORDER BY 1",
                                1, p, false, err, sizeof(err))
                        : NULL;
    cJSON *entry = NULL;
    if (!ext) {
        fprintf(stderr, "seklikctl: %s: %s\n", s->name, err);
        goto done;
    }

    /* An extension living in the schema (pg_trgm in registry) is not dumped
     * by --schema alone; its indexes need it. */
    char tool[512], file[1024], schema_arg[96], snap_arg[128], file_arg[1100];
    char ext_args[8][96];
    char *argv[24];
    int a = 0;
    tool_path("pg_dump", tool, sizeof(tool));
    snprintf(file, sizeof(file), "%s/%s.dump", dir, s->name);
    snprintf(schema_arg, sizeof(schema_arg), "--schema=%s", s->name);
    snprintf(snap_arg, sizeof(snap_arg), "--snapshot=%s", snapshot);
    snprintf(file_arg, sizeof(file_arg), "--file=%s", file);
    argv[a++] = tool;
    argv[a++] = "--format=custom";
    argv[a++] = "--no-password";
    argv[a++] = schema_arg;
    argv[a++] = snap_arg;
    argv[a++] = file_arg;
    for (int i = 0; i < PQntuples(ext) && i < 8; i++) {
        snprintf(ext_args[i], sizeof(ext_args[i]), "--extension=%s", PQgetvalue(ext, i, 0));
        argv[a++] = ext_args[i];
    }
    argv[a] = NULL;
    int rc = run_tool(argv, s->dsn, NULL, 0);
    if (rc != 0) {
        fprintf(stderr, "seklikctl: %s: pg_dump failed (exit %d)\n", s->name, rc);
        goto done;
    }
    chmod(file, 0600);
    char hex[65];
    long long size = 0;
    if (!sha256_file(file, hex, &size)) {
        fprintf(stderr, "seklikctl: %s: cannot read %s back\n", s->name, file);
        goto done;
    }

    entry = cJSON_CreateObject();
    cJSON_AddStringToObject(entry, "schema", s->name);
    char fname[96];
    snprintf(fname, sizeof(fname), "%s.dump", s->name);
    cJSON_AddStringToObject(entry, "file", fname);
    cJSON_AddStringToObject(entry, "sha256", hex);
    cJSON_AddNumberToObject(entry, "bytes", (double)size);
    const char *sv = PQparameterStatus(c, "server_version");
    cJSON_AddStringToObject(entry, "server_version", sv ? sv : "");
    cJSON_AddNumberToObject(entry, "outbox_last_seq", (double)head);
    cJSON *offsets = cJSON_AddObjectToObject(entry, "inbox_offsets");
    for (int i = 0; i < PQntuples(off); i++)
        cJSON_AddNumberToObject(offsets, PQgetvalue(off, i, 0),
                                strtod(PQgetvalue(off, i, 1), NULL));
    cJSON *migs = cJSON_AddArrayToObject(entry, "migrations");
    for (int i = 0; i < PQntuples(mig); i++)
        cJSON_AddItemToArray(migs, cJSON_CreateString(PQgetvalue(mig, i, 0)));
    cJSON *exts = cJSON_AddArrayToObject(entry, "extensions");
    for (int i = 0; i < PQntuples(ext); i++)
        cJSON_AddItemToArray(exts, cJSON_CreateString(PQgetvalue(ext, i, 0)));
    printf("%-13s %lld events, %d migrations (last %s), %lld bytes\n", s->name, head,
           PQntuples(mig), PQntuples(mig) ? PQgetvalue(mig, PQntuples(mig) - 1, 0) : "-", size);
done:
    PQclear(off);
    PQclear(mig);
    PQclear(ext);
    return entry;
}

static bool write_manifest(const char *dir, const cJSON *m)
{
    char path[1024], tmp[1100];
    snprintf(path, sizeof(path), "%s/%s", dir, MANIFEST);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    char *text = cJSON_Print(m);
    FILE *f = text ? fopen(tmp, "w") : NULL;
    bool ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    if (f)
        ok = fclose(f) == 0 && ok;
    cJSON_free(text);
    /* Written last and renamed into place: a manifest means a whole backup. */
    if (ok)
        ok = chmod(tmp, 0600) == 0 && rename(tmp, path) == 0;
    if (!ok)
        fprintf(stderr, "seklikctl: cannot write %s: %s\n", path, strerror(errno));
    return ok;
}

static int cmd_backup(const dopts *o)
{
    svc all[N_SERVICES];
    int st = resolve_services(all);
    if (st != 0)
        return st;
    if (!prepare_out_dir(o->out))
        return EXIT_FAILURE;
    char pg_dump_version[128];
    tool_version("pg_dump", pg_dump_version, sizeof(pg_dump_version));

    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "format", MANIFEST_FORMAT);
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON_AddStringToObject(m, "created_at", when);
    cJSON_AddStringToObject(m, "seklik_version", SEKLIK_VERSION);
    cJSON_AddStringToObject(m, "pg_dump", pg_dump_version);
    cJSON *schemas = cJSON_AddArrayToObject(m, "schemas");

    bool ok = true;
    bool done[N_SERVICES] = {false};
    for (size_t i = 0; ok && i < N_SERVICES; i++) {
        if (done[i])
            continue;
        /* Services sharing a database: one connection, one snapshot. */
        PGconn *c = ctl_open_conn(all[i].name, all[i].dsn, true);
        char err[512];
        PGresult *snap = NULL;
        ok = c && exec_ok(c, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", 0, NULL);
        if (ok && !(snap = query(c, "SELECT pg_export_snapshot()", 0, NULL, false, err,
                                 sizeof(err)))) {
            fprintf(stderr, "seklikctl: exporting a snapshot: %s\n", err);
            ok = false;
        }
        for (size_t k = i; ok && k < N_SERVICES; k++) {
            if (done[k] || strcmp(all[k].dsn, all[i].dsn) != 0)
                continue;
            done[k] = true;
            all[k].conn = c;
            bool exists = false;
            ok = schema_exists(c, all[k].name, &exists);
            if (ok && !exists) {
                fprintf(stderr,
                        "seklikctl: schema %s does not exist: start its service once, or check "
                        "its DSN\n",
                        all[k].name);
                ok = false;
            }
            cJSON *entry = ok ? backup_schema(&all[k], PQgetvalue(snap, 0, 0), o->out) : NULL;
            ok = entry != NULL;
            if (entry)
                cJSON_AddItemToArray(schemas, entry);
            all[k].conn = NULL;
        }
        PQclear(snap);
        if (c) {
            exec_ok(c, "COMMIT", 0, NULL);
            PQfinish(c);
        }
    }
    ok = ok && manifest_consistent(schemas) && write_manifest(o->out, m);
    cJSON_Delete(m);
    if (!ok) {
        fprintf(stderr, "seklikctl: backup failed; %s holds no manifest and is no backup\n",
                o->out);
        return EXIT_FAILURE;
    }
    printf("backup of %zu schemas in %s (%s)\n", N_SERVICES, o->out, MANIFEST);
    return 0;
}

/* ---- restore ---- */

typedef struct restore_item {
    svc *s;
    const cJSON *entry;
    char file[1024];
    bool exists, non_empty;
} restore_item;

/* Find, read and verify the backup of every service; false (message
 * printed) when anything is missing or altered. */
static bool load_backup(const dopts *o, svc *all, cJSON **out, restore_item *items)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", o->from, MANIFEST);
    char *text = read_small_file(path, MANIFEST_MAX);
    if (!text) {
        fprintf(stderr, "seklikctl: %s: missing or unreadable: %s is no complete backup\n", path,
                o->from);
        return false;
    }
    cJSON *m = cJSON_Parse(text);
    free(text);
    *out = m;
    const char *format = cJSON_GetStringValue(cJSON_GetObjectItem(m, "format"));
    const cJSON *schemas = cJSON_GetObjectItem(m, "schemas");
    if (!m || !format || strcmp(format, MANIFEST_FORMAT) != 0 || !cJSON_IsArray(schemas)) {
        fprintf(stderr, "seklikctl: %s: not a manifest of format %s\n", path, MANIFEST_FORMAT);
        return false;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, schemas)
    {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(e, "schema"));
        if (!name || !ctl_known_service(name)) {
            fprintf(stderr, "seklikctl: %s: unknown schema '%.40s'\n", path, name ? name : "");
            return false;
        }
    }
    bool ok = true;
    for (size_t i = 0; i < N_SERVICES; i++) {
        restore_item *it = &items[i];
        it->s = &all[i];
        it->entry = NULL;
        cJSON_ArrayForEach(e, schemas)
        {
            const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(e, "schema"));
            if (strcmp(name, all[i].name) == 0)
                it->entry = e;
        }
        if (!it->entry) {
            /* Offsets of one service refer to the others' outboxes: restoring
             * a part would leave them pointing at events that are not there. */
            fprintf(stderr,
                    "seklikctl: the backup has no schema %s; the services' schemas are restored "
                    "together or not at all\n",
                    all[i].name);
            ok = false;
            continue;
        }
        /* The file name is ours, whatever the manifest says. */
        snprintf(it->file, sizeof(it->file), "%s/%s.dump", o->from, all[i].name);
        const char *want = cJSON_GetStringValue(cJSON_GetObjectItem(it->entry, "sha256"));
        char hex[65];
        long long size = 0;
        if (!sha256_file(it->file, hex, &size)) {
            fprintf(stderr, "seklikctl: %s: missing or unreadable\n", it->file);
            ok = false;
        } else if (!want || strcmp(want, hex) != 0) {
            fprintf(stderr, "seklikctl: %s: its SHA-256 differs from the manifest's (damaged?)\n",
                    it->file);
            ok = false;
        }
    }
    return ok && manifest_consistent(schemas);
}

/* Anything in the schema: relations, functions or types of its own. */
static bool schema_non_empty(PGconn *c, const char *schema, bool *non_empty)
{
    long long n = 0;
    char err[512];
    const char *p[] = {schema};
    if (!query_number(c,
                      "SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = n.oid) + "
                      "(SELECT count(*) FROM pg_proc WHERE pronamespace = n.oid) + "
                      "(SELECT count(*) FROM pg_type WHERE typnamespace = n.oid AND typrelid = 0 "
                      "AND typelem = 0) FROM pg_namespace n WHERE n.nspname = $1",
                      1, p, &n, err, sizeof(err))) {
        fprintf(stderr, "seklikctl: %s: %s\n", schema, err);
        return false;
    }
    *non_empty = n > 0;
    return true;
}

static bool drop_schema(PGconn *c, const char *schema, bool cascade)
{
    /* An identifier cannot be a parameter; the name is one of SERVICES,
     * quoted by libpq all the same. */
    char *ident = PQescapeIdentifier(c, schema, strlen(schema));
    if (!ident)
        return false;
    char sql[160];
    snprintf(sql, sizeof(sql), "DROP SCHEMA %s%s", ident, cascade ? " CASCADE" : "");
    PQfreemem(ident);
    return exec_ok(c, sql, 0, NULL);
}

/* After pg_restore: the head and the migrations are those of the manifest. */
static bool verify_restored(restore_item *it)
{
    PGconn *c = it->s->conn;
    char err[512];
    long long head = -1;
    double want = cJSON_GetNumberValue(cJSON_GetObjectItem(it->entry, "outbox_last_seq"));
    if (!use_schema(c, it->s->name, false) ||
        !query_number(c, "SELECT last_seq FROM outbox_head", 0, NULL, &head, err, sizeof(err))) {
        fprintf(stderr, "seklikctl: %s: restored, but outbox_head unreadable\n", it->s->name);
        return false;
    }
    if ((double)head != want) {
        fprintf(stderr, "seklikctl: %s: restored outbox_head.last_seq %lld, manifest %.0f\n",
                it->s->name, head, want);
        return false;
    }
    PGresult *mig = query(c, "SELECT version FROM schema_migrations ORDER BY version", 0, NULL,
                          false, err, sizeof(err));
    const cJSON *want_m = cJSON_GetObjectItem(it->entry, "migrations");
    bool ok = mig && PQntuples(mig) == cJSON_GetArraySize(want_m);
    for (int i = 0; ok && i < PQntuples(mig); i++) {
        const char *v = cJSON_GetStringValue(cJSON_GetArrayItem(want_m, i));
        ok = v && strcmp(v, PQgetvalue(mig, i, 0)) == 0;
    }
    if (!ok)
        fprintf(stderr, "seklikctl: %s: restored migrations differ from the manifest's\n",
                it->s->name);
    else
        printf("%-13s restored: %lld events, migrations up to %s\n", it->s->name, head,
               PQntuples(mig) ? PQgetvalue(mig, PQntuples(mig) - 1, 0) : "-");
    PQclear(mig);
    return ok;
}

static int cmd_restore(const dopts *o)
{
    svc all[N_SERVICES];
    int st = resolve_services(all);
    if (st != 0)
        return st;
    restore_item items[N_SERVICES];
    memset(items, 0, sizeof(items));
    cJSON *m = NULL;
    bool ok = load_backup(o, all, &m, items);
    for (size_t i = 0; ok && i < N_SERVICES; i++) {
        restore_item *it = &items[i];
        it->s->conn = ctl_open_conn(it->s->name, it->s->dsn, false);
        ok = it->s->conn && schema_exists(it->s->conn, it->s->name, &it->exists) &&
             (!it->exists || schema_non_empty(it->s->conn, it->s->name, &it->non_empty));
    }
    /* Refuse before changing anything. */
    size_t occupied = 0;
    for (size_t i = 0; ok && i < N_SERVICES; i++)
        if (items[i].non_empty) {
            occupied++;
            if (!o->force)
                fprintf(stderr, "seklikctl: schema %s is not empty\n", items[i].s->name);
        }
    if (ok && occupied && !o->force) {
        fprintf(stderr,
                "seklikctl: restore refused: %zu schema%s hold data; restore into an empty "
                "database, or --force to drop and replace them\n",
                occupied, occupied == 1 ? "" : "s");
        ok = false;
    }
    char tool[512];
    tool_path("pg_restore", tool, sizeof(tool));
    for (size_t i = 0; ok && i < N_SERVICES; i++) {
        restore_item *it = &items[i];
        PGconn *c = it->s->conn;
        /* The dump creates the schema itself. */
        if (it->exists && !drop_schema(c, it->s->name, it->non_empty)) {
            ok = false;
            break;
        }
        char dbname[512], file_arg[1100];
        snprintf(dbname, sizeof(dbname), "--dbname=%s", PQdb(c));
        snprintf(file_arg, sizeof(file_arg), "%s", it->file);
        /* --no-owner: objects belong to the user of the service's DSN, as
         * when the service creates its schema itself. */
        char *argv[] = {tool,          "--no-password", "--single-transaction", "--exit-on-error",
                        "--no-owner",  dbname,          file_arg,               NULL};
        int rc = run_tool(argv, it->s->dsn, NULL, 0);
        if (rc != 0) {
            fprintf(stderr, "seklikctl: %s: pg_restore failed (exit %d); nothing of it restored\n",
                    it->s->name, rc);
            ok = false;
            break;
        }
        ok = verify_restored(it);
    }
    close_all(all);
    cJSON_Delete(m);
    if (!ok)
        return EXIT_FAILURE;
    printf("restored %zu schemas from %s\n", N_SERVICES, o->from);
    return 0;
}

/* ---- options ---- */

static int parse(int argc, char **argv, const char *cmd, dopts *o)
{
    memset(o, 0, sizeof(*o));
    bool is_check = strcmp(cmd, "check") == 0, is_backup = strcmp(cmd, "backup") == 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (is_check && strcmp(a, "--schema") == 0 && has_value) {
            const char *s = ctl_known_service(argv[++i]);
            if (!s)
                return usage("--schema: '%s' is no service schema", argv[i]);
            if (o->n_schemas < N_SERVICES)
                o->schemas[o->n_schemas++] = s;
        } else if (is_check && strcmp(a, "--wait") == 0 && has_value) {
            char *end = NULL;
            long v = strtol(argv[++i], &end, 10);
            if (!end || *end || v < 0 || v > 3600)
                return usage("--wait: '%s' is not a number of seconds (0-3600)", argv[i]);
            o->wait_s = (int)v;
        } else if (is_check && strcmp(a, "--allow-lag") == 0) {
            o->allow_lag = true;
        } else if (is_backup && strcmp(a, "--out") == 0 && has_value) {
            o->out = argv[++i];
        } else if (!is_check && !is_backup && strcmp(a, "--from") == 0 && has_value) {
            o->from = argv[++i];
        } else if (!is_check && !is_backup && strcmp(a, "--force") == 0) {
            o->force = true;
        } else {
            char what[160];
            snprintf(what, sizeof(what), "%s %s", cmd, a);
            return usage("unknown flag or missing value: '%s'", what);
        }
    }
    if (is_backup && (!o->out || !o->out[0]))
        return usage("backup needs '%s'", "--out DIR");
    if (!is_check && !is_backup && (!o->from || !o->from[0]))
        return usage("restore needs '%s'", "--from DIR");
    return 0;
}

int ctl_data_main(int argc, char **argv)
{
    const char *cmd = argv[1];
    dopts o;
    int st = parse(argc, argv, cmd, &o);
    if (st != 0)
        return st;
    if (sodium_init() < 0) {
        fprintf(stderr, "seklikctl: libsodium failed to start\n");
        return EXIT_FAILURE;
    }
    if (strcmp(cmd, "check") == 0)
        return cmd_check(&o);
    if (strcmp(cmd, "backup") == 0)
        return cmd_backup(&o);
    return cmd_restore(&o);
}
