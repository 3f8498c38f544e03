/* store.h - SQL for the verification schema; the only file that talks to it.
 * Statements are constants with $n parameters, never built from values. */
#ifndef VERIFICATION_STORE_H
#define VERIFICATION_STORE_H

#include "sk_db.h"

#endif
