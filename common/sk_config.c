#include "sk_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sk_config_init(sk_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
}

void sk_config_free(sk_config *cfg)
{
    for (size_t i = 0; i < cfg->n_names; i++)
        free((void *)cfg->names[i]);
    cfg->n_names = 0;
}

static void remember(sk_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_names; i++)
        if (strcmp(cfg->names[i], name) == 0)
            return;
    char *copy = cfg->n_names < SK_CONFIG_MAX_VARS ? strdup(name) : NULL;
    if (!copy) {
        /* --print-env must be complete; say so rather than drop a name. */
        sk_config_fail(cfg, name, "too many configuration variables to record");
        return;
    }
    cfg->names[cfg->n_names++] = copy;
}

void sk_config_fail(sk_config *cfg, const char *name, const char *why)
{
    if (cfg->error[0] == '\0')
        snprintf(cfg->error, sizeof(cfg->error), "%s: %s", name, why);
}

bool sk_config_failed(const sk_config *cfg)
{
    return cfg->error[0] != '\0';
}

const char *sk_config_str(sk_config *cfg, const char *name, const char *def, bool required)
{
    remember(cfg, name);
    const char *v = getenv(name);
    if (v && *v)
        return v;
    if (required)
        sk_config_fail(cfg, name, "is required and not set");
    return def;
}

long sk_config_long(sk_config *cfg, const char *name, long def, long min, long max)
{
    const char *v = sk_config_str(cfg, name, NULL, false);
    if (!v)
        return def;
    char *end = NULL;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || n < min || n > max) {
        char why[160];
        snprintf(why, sizeof(why), "must be a whole number from %ld to %ld, got \"%.40s\"", min,
                 max, v);
        sk_config_fail(cfg, name, why);
        return def;
    }
    return n;
}

const char *sk_config_url(sk_config *cfg, const char *name, const char *def, const char *schemes)
{
    const char *v = sk_config_str(cfg, name, def, def == NULL);
    if (!v)
        return NULL;
    const char *sep = strstr(v, "://");
    if (sep && sep != v && sep[3] != '\0') {
        size_t len = (size_t)(sep - v);
        const char *s = schemes;
        while (*s) {
            size_t n = strcspn(s, ",");
            if (n == len && strncmp(s, v, len) == 0)
                return v;
            s += n;
            if (*s == ',')
                s++;
        }
    }
    char why[200];
    int first = (int)strcspn(schemes, ",");
    snprintf(why, sizeof(why), "must be a URL with scheme %s (like %.*s://host:port), got \"%.60s\"",
             schemes, first, schemes, v);
    sk_config_fail(cfg, name, why);
    return def;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t sk_config_hex_secret(sk_config *cfg, const char *name, unsigned char *out, size_t cap,
                            size_t min_bytes)
{
    const char *v = sk_config_str(cfg, name, NULL, true);
    if (!v)
        return 0;
    size_t len = strlen(v);
    if (len % 2 != 0 || len / 2 < min_bytes || len / 2 > cap) {
        char why[160];
        snprintf(why, sizeof(why), "must be %zu to %zu bytes written as hex (%zu to %zu characters)",
                 min_bytes, cap, min_bytes * 2, cap * 2);
        sk_config_fail(cfg, name, why);
        return 0;
    }
    for (size_t i = 0; i < len / 2; i++) {
        int hi = hexval(v[2 * i]), lo = hexval(v[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            sk_config_fail(cfg, name, "must contain only hexadecimal digits");
            return 0;
        }
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return len / 2;
}
