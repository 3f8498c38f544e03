/* seklik-testsub: a subscriber for the bus tests. It applies testpub's
 * "testpub.tick" and "testpub.added" events by recording them, body
 * included, so a test can count what was applied, and how often, and in
 * which order. Events of other types advance the offset without an effect.
 * Knobs, from the environment:
 *   SEKLIK_TESTSUB_APPLY_DELAY_US   sleep in every apply: slow on purpose, to
 *                                   overflow NNG's queues or to be killed mid-batch;
 *   SEKLIK_TESTSUB_OFFSET_DELAY_MS  every UPDATE of inbox_offsets sleeps this
 *                                   long in PostgreSQL (a trigger), so a kill
 *                                   lands between an effect and its offset;
 *   SEKLIK_TESTSUB_FAIL_SEQ, SEKLIK_TESTSUB_FAIL_TIMES
 *                                   the apply of that seq fails its first
 *                                   FAIL_TIMES attempts (in this process). */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "seklik/testbus.pb-c.h"
#include "sk_err.h"
#include "sk_service.h"

static const char MIGRATION[] =
    "CREATE TABLE applied (id bigserial PRIMARY KEY, source text NOT NULL,"
    " seq bigint NOT NULL, type text NOT NULL, occurred_unix_us bigint NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT clock_timestamp());";

/* The offset delay comes from the session setting testsub.offset_delay_ms,
 * which main() puts in the DSN when the knob is set. */
static const char MIGRATION_2[] =
    "ALTER TABLE applied ADD COLUMN body bytea;"
    "CREATE FUNCTION offset_delay() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " PERFORM pg_sleep(coalesce(nullif(current_setting('testsub.offset_delay_ms', true), ''),"
    " '0')::float8 / 1000); RETURN NEW; END $$;"
    "CREATE TRIGGER offset_delay BEFORE UPDATE ON inbox_offsets"
    " FOR EACH ROW EXECUTE FUNCTION offset_delay();";

static const sk_migration migrations[] = {
    {"0001_applied.sql", MIGRATION}, {"0002_body_offset_delay.sql", MIGRATION_2}, {NULL, NULL}};
static const size_t migrations_count = 2;

static long g_delay_us, g_fail_times;
static unsigned long long g_fail_seq;
static atomic_long g_failed;

static int apply(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    if (g_delay_us > 0)
        usleep((useconds_t)g_delay_us);
    if (g_fail_seq && ev->seq == g_fail_seq && atomic_fetch_add(&g_failed, 1) < g_fail_times)
        return SK_EUNAVAIL;
    char seq[24], when[24];
    snprintf(seq, sizeof(seq), "%llu", (unsigned long long)ev->seq);
    snprintf(when, sizeof(when), "%lld", (long long)ev->occurred_unix_us);
    /* No unique constraint on purpose: a double apply must show as a duplicate row. */
    return sk_db_exec(ctx->db,
                      "INSERT INTO applied (source, seq, type, occurred_unix_us, body) "
                      "VALUES ($1, $2, $3, $4, $5)",
                      (sk_param[]){SK_TEXT(ev->source), SK_TEXT(seq), SK_TEXT(ev->type),
                                   SK_TEXT(when), SK_BYTES(ev->body.data ? ev->body.data : (const uint8_t *)"",
                                            ev->body.len)},
                      5);
}

static const char *const prefixes[] = {"testpub.tick", "testpub.added", NULL};

static const sk_subscription_def subscriptions[] = {
    {"testpub", prefixes, apply},
};

static const sk_rpc_method methods[] = {
    {"Health", sk_service_health, SK_RPC_QUERY},
};

static const sk_service_def testsub_service = {
    .name = "testsub",
    .api = &seklik__testbus__test_sub__descriptor,
    .methods = methods,
    .n_methods = sizeof(methods) / sizeof(methods[0]),
    .migrations = migrations,
    .n_migrations = &migrations_count,
    .subscriptions = subscriptions,
    .n_subscriptions = 1,
};

static long env_long(const char *name)
{
    const char *v = getenv(name);
    return v ? strtol(v, NULL, 10) : 0;
}

int main(int argc, char **argv)
{
    g_delay_us = env_long("SEKLIK_TESTSUB_APPLY_DELAY_US");
    g_fail_seq = (unsigned long long)env_long("SEKLIK_TESTSUB_FAIL_SEQ");
    g_fail_times = env_long("SEKLIK_TESTSUB_FAIL_TIMES");
    long offset_delay_ms = env_long("SEKLIK_TESTSUB_OFFSET_DELAY_MS");
    const char *dsn = getenv("SEKLIK_DB_DSN");
    if (offset_delay_ms > 0 && dsn) {
        char with[1024];
        snprintf(with, sizeof(with), "%s options='-c testsub.offset_delay_ms=%ld'", dsn,
                 offset_delay_ms);
        setenv("SEKLIK_TESTSUB_DB_DSN", with, 1);
    }
    return sk_service_main(&testsub_service, argc, argv);
}
