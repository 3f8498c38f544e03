/* domain.h - ordering rules, pure: no I/O, no globals. */
#ifndef ORDERING_DOMAIN_H
#define ORDERING_DOMAIN_H

#include <stddef.h>
#include <stdint.h>

/* The media order number, "MO/0001/DISKOMINFO/2027": a per-year running
 * number of at least four digits, the office code, the fiscal year. Writes
 * into `out` (capacity `cap`); returns 0, or -1 when it does not fit or an
 * input is out of range. */
int ordering_format_number(char *out, size_t cap, uint32_t running, const char *office,
                           int fiscal_year);

#endif
