/*
 * log: one line per event to stderr (the web server or journald keeps it):
 *   2026-11-26T18:48:39.123Z error [pid 1234] [req abc] file.c:42: cause
 * or, with [server] log_target = syslog, to syslog(3) (facility daemon,
 * ident customers-fcgi, LOG_PID) without the time, which syslog adds.
 * Secrets and tokens are never passed here.
 */
#ifndef LOG_H
#define LOG_H

#include "config.h"

/* "error", "warn", "info", "debug"; NULL for a value past LOG_LVL_DEBUG. */
const char *log_level_name(enum log_level lvl);

void log_set_level(enum log_level lvl);
/* Level and target (stderr or syslog) of cfg; may be called again on reload. */
void log_configure(const struct config *cfg);
/* The request id printed with each line until cleared with NULL (borrowed; must outlive its use).
 */
void log_set_request(const char *request_id);

void log_at(enum log_level lvl, const char *file, int line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

#define log_error(...) log_at(LOG_LVL_ERROR, __FILE__, __LINE__, __VA_ARGS__)
#define log_warn(...) log_at(LOG_LVL_WARN, __FILE__, __LINE__, __VA_ARGS__)
#define log_info(...) log_at(LOG_LVL_INFO, __FILE__, __LINE__, __VA_ARGS__)
#define log_debug(...) log_at(LOG_LVL_DEBUG, __FILE__, __LINE__, __VA_ARGS__)

#endif
