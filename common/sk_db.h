/* sk_db.h - PostgreSQL: a small connection pool, parameterised queries,
 * transactions and the migration runner.
 *
 * Each connection's search_path is the service's own schema, so SQL in
 * common/ (outbox, inbox, idempotency) names tables without a schema and
 * lands in the right one. SQL is never built from values: every value is a
 * parameter. */
#ifndef SK_DB_H
#define SK_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sk_db_pool sk_db_pool;

/* A connection checked out of a pool. */
typedef struct sk_db {
    PGconn *conn;
    sk_db_pool *pool;
    bool in_tx;
    char error[256]; /* the last error's message, for logs */
} sk_db;

/* One query parameter: text (binary = false, length ignored) or bytes. */
typedef struct sk_param {
    const char *value; /* NULL = SQL NULL */
    int length;
    bool binary;
} sk_param;

#define SK_TEXT(s) ((sk_param){.value = (s)})
#define SK_BYTES(p, n) ((sk_param){.value = (const char *)(p), .length = (int)(n), .binary = true})

/* A migration: its file name is its version ("0001_init.sql"). */
typedef struct sk_migration {
    const char *name;
    const char *sql;
} sk_migration;

/* Open `size` connections to `dsn` with search_path = `schema` (created if
 * missing). Returns SK_OK, SK_EUNAVAIL when the server cannot be reached, or
 * SK_EINVAL for a schema name that is not [a-z_][a-z0-9_]*. The pool is
 * returned in *out and owned by the caller (sk_db_pool_close). */
int sk_db_pool_open(const char *dsn, const char *schema, int size, sk_db_pool **out);
void sk_db_pool_close(sk_db_pool *pool);
const char *sk_db_pool_schema(const sk_db_pool *pool);

/* Check a connection out, waiting for a free one; a broken connection is
 * reset first. Returns SK_OK or SK_EUNAVAIL (database down). */
int sk_db_acquire(sk_db_pool *pool, sk_db **out);

/* Return `db` to its pool; an open transaction is rolled back. */
void sk_db_release(sk_db *db);

/* Run `sql` with `n` parameters. Rows come back as text. On success *res
 * (if res is not NULL) holds the result, which the caller PQclear()s.
 * Returns SK_OK; SK_EEXISTS on a unique violation; SK_EPRECOND on a
 * check/foreign-key violation; SK_EUNAVAIL when the connection is gone;
 * SK_EDB otherwise (message in db->error). A failed statement inside a
 * transaction aborts it: the caller must roll back. */
int sk_db_query(sk_db *db, const char *sql, const sk_param *params, int n, PGresult **res);

/* Like sk_db_query for statements whose result the caller does not need. */
int sk_db_exec(sk_db *db, const char *sql, const sk_param *params, int n);

int sk_db_begin(sk_db *db);
int sk_db_commit(sk_db *db);
void sk_db_rollback(sk_db *db);

/* Decode a bytea column (text format) of `res`; the bytes are malloc'ed and
 * owned by the caller. Returns SK_OK or SK_ENOMEM. */
int sk_db_get_bytea(const PGresult *res, int row, int col, uint8_t **out, size_t *len);

/* Parse an int8 column; 0 for NULL. */
int64_t sk_db_get_int64(const PGresult *res, int row, int col);

/* Apply the migrations not yet recorded in <schema>.schema_migrations, in
 * order, each in its own transaction, under a session advisory lock keyed on
 * the schema so two replicas never migrate at once. A migration that was
 * recorded under the same name is never run again. Returns SK_OK or the
 * error of the failing migration (its name is logged). */
int sk_db_migrate(sk_db_pool *pool, const sk_migration *migrations, size_t count);

/* True when every migration in the list is recorded (the /readyz check). */
int sk_db_migrations_done(sk_db *db, const sk_migration *migrations, size_t count, bool *done);

#endif
