/* store.h - SQL for the ordering schema; the only file that talks to it.
 * Statements are constants with $n parameters, never built from values. */
#ifndef ORDERING_STORE_H
#define ORDERING_STORE_H

#include "sk_db.h"

#endif
