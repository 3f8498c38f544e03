#include "sk_db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_log.h"

struct sk_db_pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    char *dsn;
    char schema[64];
    int size;
    sk_db *conns;
    bool *busy;
};

static bool schema_name_valid(const char *s)
{
    if (!s || !(*s == '_' || (*s >= 'a' && *s <= 'z')))
        return false;
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_");
    return s[n] == '\0' && n < 64;
}

/* Bring a fresh or reset connection to the pool's settings. The schema may
 * not exist yet (sk_db_migrate creates it); search_path accepts that. */
static int conn_setup(sk_db_pool *pool, PGconn *conn)
{
    const char *params[] = {pool->schema};
    PGresult *r = PQexecParams(conn, "SELECT set_config('search_path', $1, false)", 1, NULL,
                               params, NULL, NULL, 0);
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
    return ok ? SK_OK : SK_EDB;
}

static int conn_open(sk_db_pool *pool, sk_db *db)
{
    db->conn = PQconnectdb(pool->dsn);
    if (PQstatus(db->conn) != CONNECTION_OK) {
        snprintf(db->error, sizeof(db->error), "%s", PQerrorMessage(db->conn));
        PQfinish(db->conn);
        db->conn = NULL;
        return SK_EUNAVAIL;
    }
    return conn_setup(pool, db->conn);
}

int sk_db_pool_open(const char *dsn, const char *schema, int size, sk_db_pool **out)
{
    if (!schema_name_valid(schema) || size < 1)
        return SK_EINVAL;
    sk_db_pool *p = calloc(1, sizeof(*p));
    if (!p)
        return SK_ENOMEM;
    p->dsn = strdup(dsn);
    p->conns = calloc((size_t)size, sizeof(sk_db));
    p->busy = calloc((size_t)size, sizeof(bool));
    if (!p->dsn || !p->conns || !p->busy) {
        free(p->dsn), free(p->conns), free(p->busy), free(p);
        return SK_ENOMEM;
    }
    snprintf(p->schema, sizeof(p->schema), "%s", schema);
    p->size = size;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    for (int i = 0; i < size; i++)
        p->conns[i].pool = p;
    /* Fail fast at start-up when the database is unreachable. */
    int rc = conn_open(p, &p->conns[0]);
    if (rc != SK_OK) {
        sk_log_error("database: cannot connect: %s", p->conns[0].error);
        sk_db_pool_close(p);
        return rc;
    }
    *out = p;
    return SK_OK;
}

void sk_db_pool_close(sk_db_pool *pool)
{
    if (!pool)
        return;
    for (int i = 0; i < pool->size; i++)
        if (pool->conns[i].conn)
            PQfinish(pool->conns[i].conn);
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->freed);
    free(pool->dsn);
    free(pool->conns);
    free(pool->busy);
    free(pool);
}

const char *sk_db_pool_schema(const sk_db_pool *pool)
{
    return pool->schema;
}

int sk_db_acquire(sk_db_pool *pool, sk_db **out)
{
    pthread_mutex_lock(&pool->lock);
    int slot = -1;
    for (;;) {
        for (int i = 0; i < pool->size && slot < 0; i++)
            if (!pool->busy[i])
                slot = i;
        if (slot >= 0)
            break;
        pthread_cond_wait(&pool->freed, &pool->lock);
    }
    pool->busy[slot] = true;
    pthread_mutex_unlock(&pool->lock);

    sk_db *db = &pool->conns[slot];
    db->in_tx = false;
    db->error[0] = '\0';
    int rc = SK_OK;
    if (!db->conn) {
        rc = conn_open(pool, db);
    } else if (PQstatus(db->conn) != CONNECTION_OK) {
        PQreset(db->conn);
        rc = PQstatus(db->conn) == CONNECTION_OK ? conn_setup(pool, db->conn) : SK_EUNAVAIL;
    }
    if (rc != SK_OK) {
        sk_db_release(db);
        return rc;
    }
    *out = db;
    return SK_OK;
}

void sk_db_release(sk_db *db)
{
    if (db->conn && PQtransactionStatus(db->conn) != PQTRANS_IDLE) {
        PGresult *r = PQexec(db->conn, "ROLLBACK");
        PQclear(r);
    }
    db->in_tx = false;
    sk_db_pool *pool = db->pool;
    pthread_mutex_lock(&pool->lock);
    pool->busy[db - pool->conns] = false;
    pthread_cond_signal(&pool->freed);
    pthread_mutex_unlock(&pool->lock);
}

static int map_error(sk_db *db, PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    snprintf(db->error, sizeof(db->error), "%s",
             r ? PQresultErrorMessage(r) : PQerrorMessage(db->conn));
    size_t n = strlen(db->error);
    while (n > 0 && (db->error[n - 1] == '\n' || db->error[n - 1] == ' '))
        db->error[--n] = '\0';
    if (PQstatus(db->conn) != CONNECTION_OK)
        return SK_EUNAVAIL;
    if (!state)
        return SK_EDB;
    if (strcmp(state, "23505") == 0)
        return SK_EEXISTS;
    if (strcmp(state, "23503") == 0 || strcmp(state, "23514") == 0)
        return SK_EPRECOND;
    if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0)
        return SK_EUNAVAIL;
    return SK_EDB;
}

int sk_db_query(sk_db *db, const char *sql, const sk_param *params, int n, PGresult **res)
{
    const char *values[32];
    int lengths[32], formats[32];
    if (n > 32)
        return SK_EINVAL;
    for (int i = 0; i < n; i++) {
        values[i] = params[i].value;
        lengths[i] = params[i].length;
        formats[i] = params[i].binary ? 1 : 0;
    }
    PGresult *r = n ? PQexecParams(db->conn, sql, n, NULL, values, lengths, formats, 0)
                    : PQexecParams(db->conn, sql, 0, NULL, NULL, NULL, NULL, 0);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        int rc = map_error(db, r);
        PQclear(r);
        return rc;
    }
    if (res)
        *res = r;
    else
        PQclear(r);
    return SK_OK;
}

int sk_db_exec(sk_db *db, const char *sql, const sk_param *params, int n)
{
    return sk_db_query(db, sql, params, n, NULL);
}

int sk_db_begin(sk_db *db)
{
    int rc = sk_db_exec(db, "BEGIN", NULL, 0);
    if (rc == SK_OK)
        db->in_tx = true;
    return rc;
}

int sk_db_commit(sk_db *db)
{
    int rc = sk_db_exec(db, "COMMIT", NULL, 0);
    db->in_tx = false;
    /* COMMIT of an aborted transaction "succeeds" as a rollback. */
    if (rc == SK_OK && PQtransactionStatus(db->conn) != PQTRANS_IDLE)
        rc = SK_EDB;
    return rc;
}

void sk_db_rollback(sk_db *db)
{
    if (db->conn && PQtransactionStatus(db->conn) != PQTRANS_IDLE) {
        PGresult *r = PQexec(db->conn, "ROLLBACK");
        PQclear(r);
    }
    db->in_tx = false;
}

int sk_db_get_bytea(const PGresult *res, int row, int col, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (PQgetisnull(res, row, col))
        return SK_OK;
    size_t n = 0;
    unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(res, row, col), &n);
    if (!raw)
        return SK_ENOMEM;
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy) {
        PQfreemem(raw);
        return SK_ENOMEM;
    }
    memcpy(copy, raw, n);
    PQfreemem(raw);
    *out = copy;
    *len = n;
    return SK_OK;
}

int64_t sk_db_get_int64(const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col))
        return 0;
    return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static const char SQL_MIGRATIONS_TABLE[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version text PRIMARY KEY,"
    " applied_at timestamptz NOT NULL DEFAULT now())";
static const char SQL_LOCK[] = "SELECT pg_advisory_lock(hashtext('seklik.migrate.' || $1))";
static const char SQL_UNLOCK[] = "SELECT pg_advisory_unlock(hashtext('seklik.migrate.' || $1))";
static const char SQL_IS_APPLIED[] = "SELECT 1 FROM schema_migrations WHERE version = $1";
static const char SQL_RECORD[] = "INSERT INTO schema_migrations (version) VALUES ($1)";

static int create_schema(sk_db *db)
{
    const char *schema = db->pool->schema;
    char *ident = PQescapeIdentifier(db->conn, schema, strlen(schema));
    if (!ident)
        return SK_ENOMEM;
    /* Identifiers cannot be parameters; the name was validated when the
     * pool opened and is quoted by libpq. */
    char sql[160];
    snprintf(sql, sizeof(sql), "CREATE SCHEMA IF NOT EXISTS %s", ident);
    PQfreemem(ident);
    return sk_db_exec(db, sql, NULL, 0);
}

static int apply_one(sk_db *db, const sk_migration *m)
{
    PGresult *r = NULL;
    SK_TRY(sk_db_query(db, SQL_IS_APPLIED, (sk_param[]){SK_TEXT(m->name)}, 1, &r));
    bool applied = PQntuples(r) > 0;
    PQclear(r);
    if (applied)
        return SK_OK;
    SK_TRY(sk_db_begin(db));
    /* A migration file may hold many statements: the simple protocol runs
     * them all, inside our transaction. */
    r = PQexec(db->conn, m->sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        int rc = map_error(db, r);
        PQclear(r);
        sk_log_error("migration %s failed: %s", m->name, db->error);
        sk_db_rollback(db);
        return rc;
    }
    PQclear(r);
    int rc = sk_db_exec(db, SQL_RECORD, (sk_param[]){SK_TEXT(m->name)}, 1);
    if (rc == SK_OK)
        rc = sk_db_commit(db);
    if (rc != SK_OK) {
        sk_log_error("migration %s not recorded: %s", m->name, db->error);
        sk_db_rollback(db);
        return rc;
    }
    sk_log_info("migration %s applied", m->name);
    return SK_OK;
}

int sk_db_migrate(sk_db_pool *pool, const sk_migration *migrations, size_t count)
{
    sk_db *db;
    SK_TRY(sk_db_acquire(pool, &db));
    sk_param schema = SK_TEXT(pool->schema);
    int rc = sk_db_exec(db, SQL_LOCK, &schema, 1);
    if (rc != SK_OK) {
        sk_db_release(db);
        return rc;
    }
    rc = create_schema(db);
    if (rc == SK_OK)
        rc = sk_db_exec(db, SQL_MIGRATIONS_TABLE, NULL, 0);
    for (size_t i = 0; rc == SK_OK && i < count; i++)
        rc = apply_one(db, &migrations[i]);
    int urc = sk_db_exec(db, SQL_UNLOCK, &schema, 1);
    sk_db_release(db);
    return rc != SK_OK ? rc : urc;
}

int sk_db_migrations_done(sk_db *db, const sk_migration *migrations, size_t count, bool *done)
{
    *done = true;
    for (size_t i = 0; i < count && *done; i++) {
        PGresult *r = NULL;
        SK_TRY(sk_db_query(db, SQL_IS_APPLIED, (sk_param[]){SK_TEXT(migrations[i].name)}, 1, &r));
        *done = PQntuples(r) > 0;
        PQclear(r);
    }
    return SK_OK;
}
