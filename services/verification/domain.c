#include "domain.h"

int32_t verification_valid_until(int32_t fiscal_year_end, const int32_t *expiries, size_t n)
{
    int32_t until = fiscal_year_end;
    for (size_t i = 0; i < n; i++)
        if (expiries[i] != 0 && expiries[i] < until)
            until = expiries[i];
    return until;
}
