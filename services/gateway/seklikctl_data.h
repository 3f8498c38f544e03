/* seklikctl_data.h - seklikctl's data commands (seklikctl_data.c): check the
 * bus invariants of every service schema, back the schemas up with pg_dump,
 * restore them with pg_restore. Unlike the user commands they touch no
 * migrations and read every service's schema, so they live apart. */
#ifndef SEKLIKCTL_DATA_H
#define SEKLIKCTL_DATA_H

#include <stdbool.h>

/* Their part of seklikctl's usage text. */
extern const char CTL_DATA_USAGE[];

/* True when argv[1] of seklikctl names one of them ("check", "backup",
 * "restore"). */
bool ctl_data_is_command(const char *name);

/* Run the command in argv[1] with its flags. Returns the exit status: 0 done
 * (check: no violation), 1 failed or a violation (message on stderr, the
 * report on stdout), 2 usage. */
int ctl_data_main(int argc, char **argv);

#endif
