/* store.c - SQL for the distribution schema (see store.h). */
#include "store.h"
