/* sk_actor.h - who may do what, from the signed actor of a request.
 *
 * Roles (DOMAIN.md): admin, verifier, partnership, pr, finance, head, and
 * partner (one press company's account). The gateway authenticates users and
 * signs the actor; services enforce roles again with these checks, so a bug
 * in one layer is not a hole. */
#ifndef SK_ACTOR_H
#define SK_ACTOR_H

#include <stdbool.h>

#include "seklik/bus.pb-c.h"

#define SK_ROLE_ADMIN "admin"
#define SK_ROLE_VERIFIER "verifier"
#define SK_ROLE_PARTNERSHIP "partnership"
#define SK_ROLE_PR "pr"
#define SK_ROLE_FINANCE "finance"
#define SK_ROLE_HEAD "head"
#define SK_ROLE_PARTNER "partner"

/* True when `actor` (may be NULL) holds `role`. */
bool sk_actor_has_role(const Seklik__Bus__Actor *actor, const char *role);

/* True when `actor` holds any of `roles` (NULL-terminated). */
bool sk_actor_has_any_role(const Seklik__Bus__Actor *actor, const char *const *roles);

/* May `actor` act on `company_id`? Staff holding one of `staff_roles` may act
 * on any company; a partner only on the company it belongs to (a partner
 * account without a company may act on none). Everyone else may not. */
bool sk_actor_may_act_for_company(const Seklik__Bus__Actor *actor, const char *company_id,
                                  const char *const *staff_roles);

/* True when `actor` is service `service` acting on its own behalf: user id
 * "system:<service>" and no role, as subscribers and services sign their
 * own calls. A user's actor never is one (the gateway signs users with
 * their UUIDs). */
bool sk_actor_is_service(const Seklik__Bus__Actor *actor, const char *service);

#endif
