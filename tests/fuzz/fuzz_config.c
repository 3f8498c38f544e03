/* fuzz_config.c - environment values: sk_config_long, sk_config_url and
 * sk_config_hex_secret.
 *
 * The input is split at NULs into three values, one per variable. The
 * variables point (putenv) at static buffers rewritten on every run, so the
 * environment does not grow the way repeated setenv would. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sk_config.h"

#define VALUE_MAX 8192

static char env_long[sizeof("SEKLIK_FUZZ_LONG=") + VALUE_MAX] = "SEKLIK_FUZZ_LONG=";
static char env_url[sizeof("SEKLIK_FUZZ_URL=") + VALUE_MAX] = "SEKLIK_FUZZ_URL=";
static char env_hex[sizeof("SEKLIK_FUZZ_HEX=") + VALUE_MAX] = "SEKLIK_FUZZ_HEX=";

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (putenv(env_long) != 0 || putenv(env_url) != 0 || putenv(env_hex) != 0)
        abort();
    return 0;
}

/* Copy the next NUL-terminated part of data[*pos..size) after the '=' in `var`. */
static void next_value(char *var, const uint8_t *data, size_t size, size_t *pos)
{
    char *value = strchr(var, '=') + 1;
    size_t n = 0;
    while (*pos < size && data[*pos] != '\0') {
        if (n < VALUE_MAX)
            value[n++] = (char)data[*pos];
        (*pos)++;
    }
    if (*pos < size)
        (*pos)++; /* the NUL */
    value[n] = '\0';
}

static void check_error_names(const sk_config *cfg, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(cfg->error, name, n) != 0 || cfg->error[n] != ':')
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t pos = 0;
    next_value(env_long, data, size, &pos);
    next_value(env_url, data, size, &pos);
    next_value(env_hex, data, size, &pos);

    sk_config cfg;
    long n;
    const char *url;
    unsigned char secret[64];
    size_t len;

    sk_config_init(&cfg);
    n = sk_config_long(&cfg, "SEKLIK_FUZZ_LONG", 7, -1000, 65535);
    if (sk_config_failed(&cfg)) {
        check_error_names(&cfg, "SEKLIK_FUZZ_LONG");
        if (n != 7)
            abort();
    } else if (n < -1000 || n > 65535) {
        abort();
    }
    sk_config_free(&cfg);

    sk_config_init(&cfg);
    url = sk_config_url(&cfg, "SEKLIK_FUZZ_URL", NULL, "tcp,ipc");
    if (sk_config_failed(&cfg)) {
        check_error_names(&cfg, "SEKLIK_FUZZ_URL");
        if (url != NULL)
            abort();
    } else if (!url || (strncmp(url, "tcp://", 6) != 0 && strncmp(url, "ipc://", 6) != 0) ||
               url[6] == '\0') {
        abort();
    }
    sk_config_free(&cfg);

    sk_config_init(&cfg);
    len = sk_config_hex_secret(&cfg, "SEKLIK_FUZZ_HEX", secret, sizeof(secret), 32);
    if (sk_config_failed(&cfg)) {
        check_error_names(&cfg, "SEKLIK_FUZZ_HEX");
        if (len != 0)
            abort();
    } else if (len < 32 || len > sizeof(secret)) {
        abort();
    }
    if (cfg.n_names != 1)
        abort();
    sk_config_free(&cfg);
    return 0;
}
