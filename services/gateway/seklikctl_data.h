/* seklikctl_data.h - seklikctl's data commands (seklikctl_data.c): check the
 * bus invariants of every service schema, back the schemas up with pg_dump,
 * restore them with pg_restore. Unlike the user commands they touch no
 * migrations and read every service's schema, so they live apart. It also
 * holds what every command that reads all schemas shares (seklikctl_ops.c). */
#ifndef SEKLIKCTL_DATA_H
#define SEKLIKCTL_DATA_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>

/* Their part of seklikctl's usage text. */
extern const char CTL_DATA_USAGE[];

/* True when argv[1] of seklikctl names one of them ("check", "backup",
 * "restore"). */
bool ctl_data_is_command(const char *name);

/* Run the command in argv[1] with its flags. Returns the exit status: 0 done
 * (check: no violation), 1 failed or a violation (message on stderr, the
 * report on stdout), 2 usage. */
int ctl_data_main(int argc, char **argv);

/* One line per named check of `check` (name, schema, what it proves), for
 * its manual page. */
void ctl_data_print_checks(FILE *out);

/* ---- shared by the commands that read every schema ---- */

/* The services in their port order (registry 1 ... gateway 7); each owns the
 * schema of its name. */
#define CTL_N_SERVICES ((size_t)7)
extern const char *const CTL_SERVICES[CTL_N_SERVICES];

/* `name` as the static string of CTL_SERVICES, or NULL when no service has
 * that name. */
const char *ctl_known_service(const char *name);

/* The DSN of service `name`: SEKLIK_<SVC>_DB_DSN, else SEKLIK_DB_DSN; NULL
 * when neither is set. The string is the environment's. */
const char *ctl_service_dsn(const char *name);

/* Connect to `dsn` for service `name`, notices silenced, every transaction
 * read-only when `read_only`. NULL (message on stderr) when it fails; the
 * caller PQfinish()es the connection. */
PGconn *ctl_open_conn(const char *name, const char *dsn, bool read_only);

#endif
