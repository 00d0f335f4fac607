/*
 * log: each event becomes one line, formatted into a 2 KiB stack buffer
 * and handed to a single write(2) on stderr.  Lines below PIPE_BUF are
 * written atomically to a pipe, so lines from the pre-forked workers never
 * interleave.  A longer message is cut and ends in "...".  CR and LF in the
 * message become spaces and other control characters '?', so a client's
 * text quoted in a message cannot forge a log line or drive a terminal.
 *
 * The level and the request id are per process state: every worker is a
 * process that serves one request at a time.  Lines without a request (at
 * startup, in the pool manager) leave the "[req ...]" part out.
 *
 * With log_target = syslog the same line, less the timestamp (syslog
 * stamps it), goes to syslog(3); the socket is opened at once (LOG_NDELAY)
 * so that forked workers share it instead of each connecting later.
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX 2048

static enum log_level log_level = LOG_LVL_INFO;
static const char *log_request;
static int log_syslog;

/* syslog(3) priorities, by enum log_level. */
static const int syslog_prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};

static const char *const level_names[] = {"error", "warn", "info", "debug"};

const char *log_level_name(enum log_level lvl)
{
	return (size_t)lvl < sizeof(level_names) / sizeof(level_names[0]) ? level_names[lvl] : NULL;
}

void log_set_level(enum log_level lvl)
{
	log_level = lvl;
}

void log_configure(const struct config *cfg)
{
	int want = !strcmp(cfg->log_target, "syslog");

	log_level = cfg->log_level;
	if (want && !log_syslog)
		openlog("customers-fcgi", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	else if (!want && log_syslog)
		closelog();
	log_syslog = want;
}

void log_set_request(const char *request_id)
{
	log_request = request_id;
}

/* "2026-11-26T18:48:39.123Z" into out[25]. */
static void log_timestamp(char out[25])
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + 19, 6, ".%03uZ", (unsigned)(ts.tv_nsec / 1000000L) % 1000u);
}

static size_t log_prefix(char *buf, size_t size, enum log_level lvl, const char *file, int line)
{
	const char *base = strrchr(file, '/');
	char ts[25];
	int n;

	log_timestamp(ts);
	n = snprintf(buf, size, "%s %s [pid %ld] %s%s%s%s:%d: ", ts, level_names[lvl],
	             (long)getpid(), log_request ? "[req " : "", log_request ? log_request : "",
	             log_request ? "] " : "", base ? base + 1 : file, line);
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

/* A line is a line: no CR/LF and no terminal control from the message (or request id). */
static void log_sanitize(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r' || c == '\n')
			s[i] = ' ';
		else if ((c < 0x20 && c != '\t') || c == 0x7f)
			s[i] = '?';
	}
}

static void log_write(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(STDERR_FILENO, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		len -= (size_t)w;
	}
}

void log_at(enum log_level lvl, const char *file, int line, const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	size_t room, len, msg;
	int saved = errno, n;
	va_list ap;

	if (lvl > log_level || lvl < LOG_LVL_ERROR)
		return;
	/* Half the buffer at most, so the message always has room. */
	len = log_prefix(buf, sizeof(buf) / 2, lvl, file, line);
	room = sizeof(buf) - len - 1; /* keep one byte for the newline */
	va_start(ap, fmt);
	n = vsnprintf(buf + len, room, fmt, ap);
	va_end(ap);
	msg = n < 0 ? 0 : (size_t)n < room ? (size_t)n : room - 1;
	log_sanitize(buf, len + msg);
	if (n >= 0 && (size_t)n >= room)
		memcpy(buf + len + msg - 3, "...", 3);
	len += msg;
	if (log_syslog) {
		/* The 24-character timestamp and its space are syslog's job. */
		buf[len] = '\0';
		syslog(syslog_prio[lvl], "%s", buf + 25);
	} else {
		buf[len++] = '\n';
		log_write(buf, len);
	}
	errno = saved;
}
