#include "domain.h"

#include <stdio.h>
#include <string.h>

int ordering_format_number(char *out, size_t cap, uint32_t running, const char *office,
                           int fiscal_year)
{
    if (running == 0 || !office || !office[0] || strchr(office, '/') || fiscal_year < 2000 ||
        fiscal_year > 9999)
        return -1;
    int n = snprintf(out, cap, "MO/%04u/%s/%d", running, office, fiscal_year);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}
