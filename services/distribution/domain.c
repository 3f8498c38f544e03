#include "domain.h"

bool distribution_embargo_lifted(int64_t embargo_until, int64_t now)
{
    return embargo_until == 0 || now >= embargo_until;
}
