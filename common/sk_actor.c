#include "sk_actor.h"

#include <string.h>

bool sk_actor_has_role(const Seklik__Bus__Actor *actor, const char *role)
{
    if (!actor || !role)
        return false;
    for (size_t i = 0; i < actor->n_roles; i++)
        if (actor->roles[i] && strcmp(actor->roles[i], role) == 0)
            return true;
    return false;
}

bool sk_actor_has_any_role(const Seklik__Bus__Actor *actor, const char *const *roles)
{
    for (const char *const *r = roles; r && *r; r++)
        if (sk_actor_has_role(actor, *r))
            return true;
    return false;
}

bool sk_actor_may_act_for_company(const Seklik__Bus__Actor *actor, const char *company_id,
                                  const char *const *staff_roles)
{
    if (!actor || !company_id || !company_id[0])
        return false;
    if (sk_actor_has_any_role(actor, staff_roles))
        return true;
    return sk_actor_has_role(actor, SK_ROLE_PARTNER) && actor->company_id &&
           actor->company_id[0] && strcmp(actor->company_id, company_id) == 0;
}

bool sk_actor_is_service(const Seklik__Bus__Actor *actor, const char *service)
{
    static const char PREFIX[] = "system:";
    if (!actor || !service || !service[0] || !actor->user_id || actor->n_roles != 0)
        return false;
    return strncmp(actor->user_id, PREFIX, sizeof(PREFIX) - 1) == 0 &&
           strcmp(actor->user_id + sizeof(PREFIX) - 1, service) == 0;
}
