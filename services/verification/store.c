/* store.c - SQL for the verification schema (see store.h). */
#include "store.h"
