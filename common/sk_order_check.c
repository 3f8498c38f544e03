#include "sk_order_check.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One result or the server's message in `err`. */
static PGresult *run(PGconn *conn, const char *sql, char *err, size_t cap)
{
    PGresult *r = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        return r;
    if (cap > 0) {
        snprintf(err, cap, "%s", PQresultErrorMessage(r));
        size_t n = strlen(err);
        while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' '))
            err[--n] = '\0';
    }
    PQclear(r);
    return NULL;
}

/* Append "; <what>" to a verdict's detail, the first few only. */
static void note(char *detail, size_t cap, int *n, const char *what)
{
    if ((*n)++ < 5) {
        size_t used = strlen(detail);
        snprintf(detail + used, cap - used, "%s%s", used ? "; " : "", what);
    }
}

enum { O_ID, O_STATE, O_GROSS, O_LINE, O_NUMBERED, O_RELEASE_PENDING };
enum { R_ORDER, R_LINE, R_AMOUNT, R_STATE };

static void check_reservations(PGresult *o, PGresult *r, sk_ledger_finding_fn fn, void *arg,
                               int *failed)
{
    char detail[1024] = "", what[200];
    int bad = 0, i = 0, j = 0, no = PQntuples(o), nr = PQntuples(r);
    long long issued = 0, skipped = 0;
    while (i < no || j < nr) {
        int cmp = i >= no ? 1 : j >= nr ? -1 : strcmp(PQgetvalue(o, i, O_ID), PQgetvalue(r, j, R_ORDER));
        if (cmp > 0) { /* a reservation without an order */
            snprintf(what, sizeof(what), "reservation of unknown order %s", PQgetvalue(r, j, R_ORDER));
            note(detail, sizeof(detail), &bad, what);
            j++;
            continue;
        }
        const char *id = PQgetvalue(o, i, O_ID);
        int state = atoi(PQgetvalue(o, i, O_STATE));
        bool numbered = PQgetvalue(o, i, O_NUMBERED)[0] == 't';
        bool pending_release = PQgetvalue(o, i, O_RELEASE_PENDING)[0] == 't';
        const char *rs = cmp == 0 ? PQgetvalue(r, j, R_STATE) : NULL;
        if (state == 7 || pending_release) { /* mid-saga */
            skipped++;
        } else if (state >= 8 && state <= 11) {
            issued++;
            if (!rs || strcmp(rs, "voided") == 0)
                snprintf(what, sizeof(what), "issued order %s has %s", id,
                         rs ? "a voided reservation" : "no reservation");
            else if (atoll(PQgetvalue(r, j, R_AMOUNT)) != atoll(PQgetvalue(o, i, O_GROSS)) ||
                     strcmp(PQgetvalue(r, j, R_LINE), PQgetvalue(o, i, O_LINE)) != 0)
                snprintf(what, sizeof(what), "order %s reserved %s on %s, not its gross on its line",
                         id, PQgetvalue(r, j, R_AMOUNT), PQgetvalue(r, j, R_LINE));
            else
                what[0] = '\0';
            if (what[0])
                note(detail, sizeof(detail), &bad, what);
        } else if (state == 13 && numbered) {
            if (!rs || strcmp(rs, "voided") != 0) {
                snprintf(what, sizeof(what), "cancelled order %s: reservation %s", id,
                         rs ? rs : "missing");
                note(detail, sizeof(detail), &bad, what);
            }
        } else if (rs) {
            snprintf(what, sizeof(what), "order %s was never issued but has a %s reservation", id,
                     rs);
            note(detail, sizeof(detail), &bad, what);
        }
        i++;
        if (cmp == 0)
            j++;
    }
    if (!bad)
        snprintf(detail, sizeof(detail), "%lld issued orders reserved, %d reservations, %lld mid-saga",
                 issued, nr, skipped);
    *failed += bad > 0;
    if (fn)
        fn(arg, "order_reservations_match", bad == 0, detail);
}

static void check_rows(PGresult *res, const char *name, const char *ok_detail,
                       sk_ledger_finding_fn fn, void *arg, int *failed)
{
    char detail[1024] = "";
    int bad = 0;
    for (int i = 0; i < PQntuples(res); i++)
        note(detail, sizeof(detail), &bad, PQgetvalue(res, i, 0));
    if (!bad)
        snprintf(detail, sizeof(detail), "%s", ok_detail);
    *failed += bad > 0;
    if (fn)
        fn(arg, name, bad == 0, detail);
}

/* Each row is one broken promise, described. */
static const char SQL_QUOTA[] =
    "SELECT format('agreement %s product %s: used %s, held by orders %s', q.agreement_id,"
    " q.product, q.used, coalesce(h.n, 0)) FROM ordering.agreement_quota q LEFT JOIN"
    " (SELECT agreement_id, product, sum(quantity) AS n FROM ordering.orders WHERE held"
    " GROUP BY 1, 2) h USING (agreement_id, product) WHERE q.used <> coalesce(h.n, 0)"
    " UNION ALL SELECT format('agreement %s: used value %s, held by orders %s', a.id,"
    " a.used_value, coalesce(h.g, 0)) FROM ordering.agreement a LEFT JOIN (SELECT agreement_id,"
    " sum(gross) AS g FROM ordering.orders WHERE held GROUP BY 1) h ON h.agreement_id = a.id"
    " WHERE a.used_value <> coalesce(h.g, 0)"
    " UNION ALL SELECT format('order %s holds quota in state %s', id, state) FROM"
    " ordering.orders WHERE held <> (state BETWEEN 7 AND 11)";

static const char SQL_NUMBERS[] =
    "SELECT format('year %s: %s numbers, %s distinct, highest %s, counter %s', y, n, d, m, c)"
    " FROM (SELECT coalesce(o.fiscal_year, k.fiscal_year) AS y, coalesce(o.n, 0) AS n,"
    " coalesce(o.d, 0) AS d, coalesce(o.m, 0) AS m, coalesce(k.last_seq, 0) AS c FROM"
    " (SELECT fiscal_year, count(seq) AS n, count(DISTINCT seq) AS d, max(seq) AS m FROM"
    " ordering.orders WHERE seq IS NOT NULL GROUP BY 1) o FULL JOIN ordering.number_counter k"
    " USING (fiscal_year)) x WHERE NOT (n = d AND d = m AND m = c)";

int sk_order_check(PGconn *ordering, PGconn *accounting, sk_ledger_finding_fn fn, void *arg,
                   char *err, size_t cap)
{
    if (cap > 0)
        err[0] = '\0';
    PGresult *o = NULL, *r = NULL, *q = NULL, *n = NULL, *t;
    int failed = -1;
    if (!(t = run(ordering, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err, cap)))
        return -1;
    PQclear(t);
    o = run(ordering,
            "SELECT id::text, state, gross, coalesce(reserve_line::text, ''), seq IS NOT NULL,"
            " release_pending FROM ordering.orders ORDER BY id::text",
            err, cap);
    q = o ? run(ordering, SQL_QUOTA, err, cap) : NULL;
    n = q ? run(ordering, SQL_NUMBERS, err, cap) : NULL;
    PQclear(PQexec(ordering, "ROLLBACK"));
    if (n) {
        r = run(accounting,
                "SELECT order_id::text, budget_line_id::text, amount, state FROM"
                " accounting.reservation ORDER BY order_id::text",
                err, cap);
    }
    if (r) {
        failed = 0;
        check_reservations(o, r, fn, arg, &failed);
        check_rows(q, "order_quota_matches_issued", "every held quota and value is an order's",
                   fn, arg, &failed);
        check_rows(n, "order_numbers_gapless", "every year's numbers are 1..N", fn, arg, &failed);
    }
    PQclear(o);
    PQclear(r);
    PQclear(q);
    PQclear(n);
    return failed;
}
