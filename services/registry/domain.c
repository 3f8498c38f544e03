#include "domain.h"

#include <string.h>

static bool digits_exactly(const char *s, size_t n)
{
    return s && strspn(s, "0123456789") == n && s[n] == '\0';
}

bool registry_npwp_valid(const char *s)
{
    return digits_exactly(s, 15) || digits_exactly(s, 16);
}

bool registry_nib_valid(const char *s)
{
    return digits_exactly(s, 13);
}

bool registry_nik_valid(const char *s)
{
    return digits_exactly(s, 16);
}
