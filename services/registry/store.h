/* store.h - SQL for the registry schema; the only file that talks to it.
 * Statements are constants with $n parameters, never built from values. */
#ifndef REGISTRY_STORE_H
#define REGISTRY_STORE_H

#include "sk_db.h"

#endif
