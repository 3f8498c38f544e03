/* seklik-testsub: a subscriber for the bus tests. It applies testpub's
 * "testpub.tick" and "testpub.added" events by recording them, so a test can
 * count what was applied, and how often, and in which order. Events of other
 * types advance the offset without an effect. SEKLIK_TESTSUB_APPLY_DELAY_US
 * makes it slow on purpose, to overflow NNG's queues. */
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

/* The body too, so a test can tell an applied event from a forged one that
 * carries the same seq and type. */
static const char MIGRATION_BODY[] = "ALTER TABLE applied ADD COLUMN body bytea;";

static const sk_migration migrations[] = {
    {"0001_applied.sql", MIGRATION}, {"0002_applied_body.sql", MIGRATION_BODY}, {NULL, NULL}};
static const size_t migrations_count = 2;

static long g_delay_us;

static int apply(sk_event_ctx *ctx, const Seklik__Bus__Event *ev)
{
    sk_db *db = ctx->db;
    void *app = ctx->app;
    (void)app;
    if (g_delay_us > 0)
        usleep((useconds_t)g_delay_us);
    char seq[24], when[24];
    snprintf(seq, sizeof(seq), "%llu", (unsigned long long)ev->seq);
    snprintf(when, sizeof(when), "%lld", (long long)ev->occurred_unix_us);
    /* No unique constraint on purpose: a double apply must show as a duplicate row. */
    return sk_db_exec(db,
                      "INSERT INTO applied (source, seq, type, occurred_unix_us, body) "
                      "VALUES ($1, $2, $3, $4, $5)",
                      (sk_param[]){SK_TEXT(ev->source), SK_TEXT(seq), SK_TEXT(ev->type),
                                   SK_TEXT(when),
                                   SK_BYTES(ev->body.data ? ev->body.data : (const uint8_t *)"",
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

int main(int argc, char **argv)
{
    const char *delay = getenv("SEKLIK_TESTSUB_APPLY_DELAY_US");
    g_delay_us = delay ? strtol(delay, NULL, 10) : 0;
    return sk_service_main(&testsub_service, argc, argv);
}
