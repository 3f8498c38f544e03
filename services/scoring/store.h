/* store.h - SQL for the scoring schema; the only file that talks to it.
 * Statements are constants with $n parameters, never built from values. */
#ifndef SCORING_STORE_H
#define SCORING_STORE_H

#include "sk_db.h"

#endif
