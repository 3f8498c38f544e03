#include "sk_ledger.h"

#include <stdio.h>
#include <string.h>

int sk_ledger_check(PGconn *conn, sk_ledger_finding_fn fn, void *arg, char *err, size_t cap)
{
    if (cap > 0)
        err[0] = '\0';
    PGresult *r = PQexec(conn, "SELECT check_name, ok, detail FROM accounting.ledger_check()");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQnfields(r) != 3) {
        if (cap > 0) {
            snprintf(err, cap, "%s", PQresultErrorMessage(r));
            size_t n = strlen(err);
            while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' '))
                err[--n] = '\0';
        }
        PQclear(r);
        return -1;
    }
    int failed = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        bool ok = PQgetvalue(r, i, 1)[0] == 't';
        failed += !ok;
        if (fn)
            fn(arg, PQgetvalue(r, i, 0), ok, PQgetvalue(r, i, 2));
    }
    PQclear(r);
    return failed;
}
