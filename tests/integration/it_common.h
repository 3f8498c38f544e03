/* it_common.h - the pieces every bus integration test repeats: a client to
 * testpub, Emit and Add, and waiting for testsub to have applied N events. */
#ifndef IT_COMMON_H
#define IT_COMMON_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "seklik/testbus.pb-c.h"
#include "sk_err.h"
#include "sk_id.h"
#include "sk_test.h"

/* argv of every integration test: testpub, testsub, a directory for logs,
 * then whatever else the test was given (service binaries): it_arg(4)... */
extern const char *it_pub_bin, *it_sub_bin, *it_logdir;

/* argv[i] of the test, or NULL past the end. */
const char *it_arg(int i);

int it_main(int argc, char **argv, const struct CMUnitTest *tests, size_t n);
int it_main2(int argc, char **argv, const struct CMUnitTest *tests, size_t n,
             CMFixtureFunction setup, CMFixtureFunction teardown);

/* A signed client for `url`; the key is the shared test key. */
sk_rpc_client *it_client(const char *url);

/* A bus response's code as an SK_ code. */
int it_code(const Seklik__Bus__Response *r);

/* Does the response name `field` among its violations? */
bool it_names_field(const Seklik__Bus__Response *r, const char *field);
/* The code of the first violation naming `field`, or NULL when none does. */
const char *it_field_code(const Seklik__Bus__Response *r, const char *field);
/* Does some violation name `field` with `code`? */
bool it_names_field_code(const Seklik__Bus__Response *r, const char *field, const char *code);

/* Emit `count` events in transactions of `per_tx`; returns the SK_* code. */
int it_emit(sk_rpc_client *c, uint32_t count, uint32_t per_tx, int timeout_ms,
            uint64_t *last_seq);

/* The same through sk_outbox_append_batch (one batch per transaction). */
int it_emit_batched(sk_rpc_client *c, uint32_t count, uint32_t per_tx, int timeout_ms,
                    uint64_t *last_seq);

/* Add `amount` under idempotency key `key`; *total and *replayed from the
 * reply. Returns the SK_* code of the Response; the whole Response is kept
 * in *resp when resp is not NULL (caller frees). */
int it_add(sk_rpc_client *c, const char *key, int64_t amount, int64_t *total, bool *replayed,
           Seklik__Bus__Response **resp);

/* Wait until testsub.applied holds `n` rows (or timeout). Returns the count. */
long long it_wait_applied(const char *dsn, long long n, int timeout_ms);

/* Assert that testsub applied seq 1..n exactly once each, in order. */
void it_assert_exactly_once_in_order(const char *dsn, long long n);

/* On a fresh database `db`: start testpub and testsub (subscribed to it),
 * each ready, logs named after `test`. `sub_env` ("K", "V", ... NULL) is
 * added to the subscriber's environment first. The DSN goes to `dsn`. */
void it_start_pair(const char *db, const char *test, char *dsn, size_t cap, sk_test_peer *pub,
                   sk_test_peer *sub, const char *const *sub_env);

/* SIGTERM each peer (NULL-terminated list) and assert it exits 0. */
void it_stop(sk_test_peer *const *peers);

/* An actor with one role ("admin", "verifier", "partnership", "pr", "finance",
 * "head", "partner"); company_id may be NULL. Strings are the caller's and
 * must outlive the actor. */
Seklik__Bus__Actor it_actor(const char *user_id, const char *role, const char *company_id);

/* pgbench on the fixture's PostgreSQL, database `db`, running `sql` as its
 * script with one client for `seconds`: transactions/s, and the average
 * latency in ms in *avg_ms (if not NULL). The reference figure of a bench. */
double it_pgbench(const char *db, const char *sql, int seconds, double *avg_ms);

/* The same with `clients` concurrent clients (on at most 2 threads). */
double it_pgbench_clients(const char *db, const char *sql, int seconds, int clients,
                          double *avg_ms);

/* Sort `v` and return its `q` quantile (0..1). */
double it_quantile(double *v, size_t n, double q);

/* Append an event to a testpub stand-in's outbox (database `dsn`), exactly
 * as its sk_outbox_append would (gapless seq from outbox_head): the way a
 * test plays another service's events. */
void it_inject(const char *dsn, const char *type, const ProtobufCMessage *msg);

/* The same, saying it happened at `occurred_unix_us` (0: unknown, as
 * it_inject): an old event as a replay of history brings it. */
void it_inject_at(const char *dsn, const char *type, const ProtobufCMessage *msg,
                  int64_t occurred_unix_us);

/* Fiscal year `year` opened as verification announces it (the event into
 * the verification stand-in's outbox `ver_dsn`); once scoring (database
 * `scoring_dsn`) has drafted the year's rule set and price standard, an admin
 * publishes both through `scoring`, as an office must: nothing is published
 * by itself. Publishing the price standard emits
 * scoring.price_standard.published, ordering's ceilings. Once per year. */
void it_open_year(const char *ver_dsn, const char *scoring_dsn, sk_rpc_client *scoring, int year);

/* verification.company.verified for `company_id`'s case of `year` as
 * verification tells it: `outlet_id` verified, and the documents a verifier
 * accepted, each valid through the year: the deed, a faktual Dewan Pers
 * certificate, and the UKW certificates of the `n` people `certified` (ids).
 * Scoring counts only what these prove (with the registry's deed date). */
void it_verified_with_documents(const char *ver_dsn, const char *company_id,
                                const char *outlet_id, int year, const char *const *certified,
                                size_t n);

/* Assert that the accounting ledger in database `dsn` keeps every invariant
 * of accounting.ledger_check() (common/sk_ledger.h), printing each verdict
 * that fails. For the end of every test that moves money. */
void it_assert_ledger_sound(const char *dsn);

/* The ordering invariants (common/sk_order_check.h) over ordering's and
 * accounting's databases (the same DSN twice when they share one), each
 * failing verdict printed: the number of checks that failed, -1 when they
 * could not run. */
int it_orders_check(const char *ordering_dsn, const char *accounting_dsn);

/* A log path under it_logdir. */
const char *it_log(char *buf, size_t cap, const char *test, const char *who);

#endif
