/* domain.h - verification rules, pure: no I/O, no globals. */
#ifndef VERIFICATION_DOMAIN_H
#define VERIFICATION_DOMAIN_H

#include <stddef.h>
#include <stdint.h>

/* A verification is valid until the end of the fiscal year or the earliest
 * expiry among the accepted documents, whichever comes first. Dates are days
 * since the Unix epoch; an expiry of 0 means the document does not expire. */
int32_t verification_valid_until(int32_t fiscal_year_end, const int32_t *expiries, size_t n);

#endif
