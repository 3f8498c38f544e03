/* store.h - SQL for the distribution schema; the only file that talks to it.
 * Statements are constants with $n parameters, never built from values. */
#ifndef DISTRIBUTION_STORE_H
#define DISTRIBUTION_STORE_H

#include "sk_db.h"

#endif
