/* store.c - SQL for the scoring schema (see store.h). */
#include "store.h"
