#include "sk_log.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char g_service[64] = "seklik";
static int g_min_level = SK_LOG_INFO;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local char t_correlation[80];

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void sk_log_init(const char *service, int min_level)
{
    pthread_mutex_lock(&g_lock);
    snprintf(g_service, sizeof(g_service), "%s", service);
    g_min_level = min_level;
    pthread_mutex_unlock(&g_lock);
}

int sk_log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, level_names[i]) == 0)
            return i;
    return -1;
}

void sk_log_set_correlation(const char *id)
{
    snprintf(t_correlation, sizeof(t_correlation), "%s", id ? id : "");
}

void sk_log(int level, const char *fmt, ...)
{
    if (level < g_min_level || level < 0 || level > SK_LOG_ERROR)
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[40];
    size_t n = strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when + n, sizeof(when) - n, ".%03ldZ", ts.tv_nsec / 1000000);

    /* cJSON does the escaping; a log line is never hand-quoted. */
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return;
    cJSON_AddStringToObject(o, "ts", when);
    cJSON_AddStringToObject(o, "level", level_names[level]);
    pthread_mutex_lock(&g_lock);
    cJSON_AddStringToObject(o, "service", g_service);
    pthread_mutex_unlock(&g_lock);
    if (t_correlation[0])
        cJSON_AddStringToObject(o, "correlation_id", t_correlation);
    cJSON_AddStringToObject(o, "msg", msg);
    char *line = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!line)
        return;
    flockfile(stdout);
    fputs(line, stdout);
    fputc('\n', stdout);
    fflush(stdout);
    funlockfile(stdout);
    cJSON_free(line);
}
