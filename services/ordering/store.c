/* store.c - SQL for the ordering schema (see store.h). */
#include "store.h"
