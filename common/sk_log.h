/* sk_log.h - structured JSON logs, one object per line on stdout.
 *
 * {"ts":"2026-11-22T01:02:03.456Z","level":"info","service":"registry",
 *  "correlation_id":"...","msg":"..."}
 * The correlation id is per thread: the RPC server and the subscriber set it
 * around each request or event they handle. */
#ifndef SK_LOG_H
#define SK_LOG_H

enum { SK_LOG_DEBUG = 0, SK_LOG_INFO, SK_LOG_WARN, SK_LOG_ERROR };

/* Set the service name and minimum level; `service` is copied. Thread-safe to
 * log before it is called (service "seklik", level info). */
void sk_log_init(const char *service, int min_level);

/* Parse "debug" | "info" | "warn" | "error"; -1 if none of them. */
int sk_log_level_parse(const char *s);

/* Set (copy) or clear (NULL) this thread's correlation id. */
void sk_log_set_correlation(const char *id);

void sk_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define sk_log_debug(...) sk_log(SK_LOG_DEBUG, __VA_ARGS__)
#define sk_log_info(...) sk_log(SK_LOG_INFO, __VA_ARGS__)
#define sk_log_warn(...) sk_log(SK_LOG_WARN, __VA_ARGS__)
#define sk_log_error(...) sk_log(SK_LOG_ERROR, __VA_ARGS__)

#endif
