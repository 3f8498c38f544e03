/* seklikctl_ops.h - seklikctl's operations commands (seklikctl_ops.c):
 *
 *   migrate   apply each service's migrations (or list what would run)
 *   status    each service's Health over the bus and each subscriber's lag
 *   replay    move a subscriber's offset back so it applies events again
 *   audit     export every schema's audit trail for a period as CSV
 *
 * Like check, they reach every schema through SEKLIK_<SVC>_DB_DSN or
 * SEKLIK_DB_DSN; status also needs SEKLIK_HMAC_KEY and the services'
 * SEKLIK_<SVC>_RPC addresses. */
#ifndef SEKLIKCTL_OPS_H
#define SEKLIKCTL_OPS_H

#include <stdbool.h>

/* True when argv[1] of seklikctl names one of them. */
bool ctl_ops_is_command(const char *name);

/* Run the command in argv[1] with its flags (argv[2..]). Returns the exit
 * status: 0 done, 1 failed (message on stderr), 2 usage; status: 1 also when
 * a service is not ready. */
int ctl_ops_main(int argc, char **argv);

#endif
