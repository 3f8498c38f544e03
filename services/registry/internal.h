/* internal.h - what handlers.c and events.c share. Not an API: one
 * service's insides. */
#ifndef REGISTRY_INTERNAL_H
#define REGISTRY_INTERNAL_H

#include "seklik/bus.pb-c.h"
#include "sk_db.h"
#include "sk_inbox.h"

/* Apply one verification.* event to the company's status (subscription). */
int registry_apply_verification(sk_event_ctx *ctx, const Seklik__Bus__Event *ev);

/* Keep an outlet's newest tier from scoring.outlet.tiered (subscription). */
int registry_apply_scoring(sk_event_ctx *ctx, const Seklik__Bus__Event *ev);

#endif
