/* store.c - SQL for the registry schema (see store.h). */
#include "store.h"
