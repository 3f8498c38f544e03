#include "sk_leader.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_id.h"
#include "sk_log.h"

#define WATCHDOG_TRIES 3

struct sk_leader {
    uv_loop_t *loop;
    const char *dsn, *service;
    int interval_ms;
    sk_leader_fn on_change;
    void *arg;
    uv_timer_t timer;
    uv_work_t work;
    /* loop thread */
    bool busy, leading, closing, fenced, release_next;
    uint64_t try_started_ns;
    /* handed to the worker before a try, read back after it */
    bool do_release, result;
    char error[200];
    /* the worker's alone (one try at a time) */
    PGconn *conn;
    bool has_lock;
};

static const char SQL_TRY[] = "SELECT pg_try_advisory_lock($1::int, hashtext($2))";

static void drop_conn(sk_leader *l)
{
    if (l->conn)
        PQfinish(l->conn); /* the session ends: PostgreSQL frees its locks */
    l->conn = NULL;
    l->has_lock = false;
}

static void note_error(sk_leader *l, const char *what)
{
    char msg[160];
    snprintf(msg, sizeof(msg), "%s", l->conn ? PQerrorMessage(l->conn) : "");
    msg[strcspn(msg, "\n")] = '\0';
    snprintf(l->error, sizeof(l->error), "%s%s%s", what, msg[0] ? ": " : "", msg);
}

/* A connection of its own, with TCP keepalives on both ends so that a
 * vanished peer is noticed in seconds rather than hours. */
static PGconn *connect_lock(sk_leader *l)
{
    char app[64];
    snprintf(app, sizeof(app), "seklik-%s-leader", l->service);
    const char *keys[] = {"dbname",         "connect_timeout",     "keepalives",
                          "keepalives_idle", "keepalives_interval", "keepalives_count",
                          "application_name", NULL};
    const char *vals[] = {l->dsn, "5", "1", "5", "2", "3", app, NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(c) != CONNECTION_OK) {
        l->conn = c;
        note_error(l, "connecting");
        PQfinish(c);
        l->conn = NULL;
        return NULL;
    }
    PGresult *r = PQexec(c, "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; "
                            "SET tcp_keepalives_count = 3");
    PQclear(r);
    return c;
}

static void try_work(uv_work_t *w)
{
    sk_leader *l = w->data;
    l->error[0] = '\0';
    if (l->do_release) {
        drop_conn(l);
        l->result = false;
        return;
    }
    if (l->conn && PQstatus(l->conn) != CONNECTION_OK)
        drop_conn(l);
    if (!l->conn && !(l->conn = connect_lock(l))) {
        l->result = false;
        return;
    }
    PGresult *r;
    if (!l->has_lock) {
        char ns[16];
        snprintf(ns, sizeof(ns), "%d", SK_LEADER_LOCK_NS);
        const char *p[] = {ns, l->service};
        r = PQexecParams(l->conn, SQL_TRY, 2, NULL, p, NULL, NULL, 0);
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
            l->has_lock = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
        else {
            note_error(l, "taking the lock");
            drop_conn(l);
        }
    } else {
        /* The lock lives as long as the session: a live session still holds it. */
        r = PQexec(l->conn, "SELECT 1");
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            note_error(l, "checking the lock's connection");
            drop_conn(l);
        }
    }
    PQclear(r);
    l->result = l->has_lock;
}

static void set_leading(sk_leader *l, bool leading, const char *why)
{
    if (l->leading == leading)
        return;
    l->leading = leading;
    if (leading)
        sk_log_info("leader: this process now leads %s", l->service);
    else
        sk_log_warn("leader: this process no longer leads %s%s%s", l->service,
                    why && why[0] ? ": " : "", why ? why : "");
    l->on_change(l->arg, leading);
}

static void try_done(uv_work_t *w, int status)
{
    (void)status;
    sk_leader *l = w->data;
    l->busy = false;
    if (l->closing)
        return;
    if (l->fenced) {
        /* Stepped down while this try hung: whatever it found, let the lock go
         * before trying again, so no two processes lead for long. */
        l->fenced = false;
        l->release_next = !l->do_release;
        return;
    }
    set_leading(l, l->result, l->error);
}

static void on_tick(uv_timer_t *t)
{
    sk_leader *l = t->data;
    if (l->closing)
        return;
    if (l->busy) {
        uint64_t waited_ms = (sk_now_mono_ns() - l->try_started_ns) / 1000000;
        if (l->leading && waited_ms > (uint64_t)l->interval_ms * WATCHDOG_TRIES) {
            l->fenced = true;
            set_leading(l, false, "the check of its lock did not come back");
        }
        return;
    }
    l->do_release = l->release_next;
    l->release_next = false;
    l->busy = true;
    l->try_started_ns = sk_now_mono_ns();
    l->work.data = l;
    if (uv_queue_work(l->loop, &l->work, try_work, try_done) != 0)
        l->busy = false;
}

int sk_leader_start(uv_loop_t *loop, const char *dsn, const char *service, int interval_ms,
                    sk_leader_fn on_change, void *arg, sk_leader **out)
{
    sk_leader *l = calloc(1, sizeof(*l));
    if (!l)
        return SK_ENOMEM;
    l->loop = loop;
    l->dsn = dsn;
    l->service = service;
    l->interval_ms = interval_ms > 0 ? interval_ms : 1000;
    l->on_change = on_change;
    l->arg = arg;
    uv_timer_init(loop, &l->timer);
    l->timer.data = l;
    uv_timer_start(&l->timer, on_tick, 0, (uint64_t)l->interval_ms);
    *out = l;
    return SK_OK;
}

bool sk_leader_leading(const sk_leader *l)
{
    return l && l->leading;
}

bool sk_leader_busy(const sk_leader *l)
{
    return l && l->busy;
}

void sk_leader_close(sk_leader *l)
{
    if (!l || l->closing)
        return;
    l->closing = true;
    l->leading = false;
    uv_timer_stop(&l->timer);
    uv_close((uv_handle_t *)&l->timer, NULL);
}

void sk_leader_free(sk_leader *l)
{
    if (!l)
        return;
    drop_conn(l); /* no try in flight: uv_run has returned */
    free(l);
}
