/* store.h - SQL for the accounting schema; the only file that talks to it.
 * Statements are constants with $n parameters, never built from values. */
#ifndef ACCOUNTING_STORE_H
#define ACCOUNTING_STORE_H

#include "sk_db.h"

#endif
