#include "sk_email.h"

#include <string.h>

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Letters, digits and '-' in labels of 1..63, joined by single dots, at
 * least two labels, no label starting or ending with '-'. */
static bool domain_valid(const char *d, size_t n)
{
    if (n == 0 || n > 253)
        return false;
    size_t labels = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || d[i] == '.') {
            size_t len = i - start;
            if (len == 0 || len > 63 || d[start] == '-' || d[i - 1] == '-')
                return false;
            labels++;
            start = i + 1;
        } else if (!is_alnum(d[i]) && d[i] != '-') {
            return false;
        }
    }
    return labels >= 2;
}

bool sk_email_valid(const char *s)
{
    static const char ATEXT[] = "!#$%&'*+-/=?^_`{|}~.";
    if (!s)
        return false;
    size_t n = strlen(s);
    const char *at = strchr(s, '@');
    if (n == 0 || n > SK_EMAIL_MAX || !at || strchr(at + 1, '@'))
        return false;
    size_t local = (size_t)(at - s);
    if (local == 0 || local > 64 || s[0] == '.' || s[local - 1] == '.')
        return false;
    for (size_t i = 0; i < local; i++) {
        if (!is_alnum(s[i]) && !strchr(ATEXT, s[i]))
            return false;
        if (s[i] == '.' && s[i + 1] == '.')
            return false;
    }
    return domain_valid(at + 1, n - local - 1);
}

bool sk_email_normalize(const char *in, char *out, size_t cap)
{
    if (!in || cap == 0)
        return false;
    while (*in == ' ' || *in == '\t' || *in == '\r' || *in == '\n')
        in++;
    size_t n = strlen(in);
    while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\t' || in[n - 1] == '\r' ||
                     in[n - 1] == '\n'))
        n--;
    if (n >= cap)
        return false;
    memcpy(out, in, n);
    out[n] = '\0';
    char *at = strrchr(out, '@');
    for (char *p = at ? at : out + n; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return true;
}
