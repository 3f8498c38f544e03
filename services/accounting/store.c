/* store.c - SQL for the accounting schema (see store.h). */
#include "store.h"
