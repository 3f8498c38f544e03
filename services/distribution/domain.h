/* domain.h - distribution rules, pure: no I/O, no globals. */
#ifndef DISTRIBUTION_DOMAIN_H
#define DISTRIBUTION_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>

/* A release under embargo may be delivered (and read) only from its embargo
 * time on; 0 means no embargo. Times are Unix seconds. */
bool distribution_embargo_lifted(int64_t embargo_until, int64_t now);

#endif
