/*
 * offboard_exec: see offboard_exec.h.
 *
 * The stop signals stay blocked and are taken with sigtimedwait, which is
 * also the wait between scans: a SIGTERM ends the wait at once, and one
 * that lands during a scan is seen when the current transaction is done
 * (each is short and bounded by the statement timeout), so the task never
 * stops halfway through an offboarding and never waits long to stop.
 * A database that is down is not fatal: the scan fails, is logged once
 * until it works again, and is tried again at the next tick (db.c
 * reconnects lazily).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "db.h"
#include "db_offboardings.h"
#include "log.h"
#include "metrics.h"
#include "offboard_exec.h"

#define EXEC_BATCH 100

static void stop_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
}

/* 1 when a stop signal came within ms milliseconds (or was pending), else 0. */
static int stop_within(const sigset_t *set, unsigned ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

	for (;;) {
		int sig = sigtimedwait(set, NULL, &ts);

		if (sig > 0)
			return 1;
		if (errno != EINTR)
			return 0; /* EAGAIN: the time is up */
	}
}

/* The executions and the events they committed, into the pool's metrics. */
static void report(const struct db *db, unsigned executed)
{
	static unsigned long events_seen;
	struct db_stats now;

	db_get_stats(db, &now);
	if (now.events != events_seen)
		metrics_events_written(now.events - events_seen);
	events_seen = now.events;
	if (executed)
		metrics_offboardings_executed(executed);
}

/* One scan; *full when a whole batch was due (more may wait: scan again at once). */
static void scan(struct db *db, int *failing, int *full)
{
	unsigned n = 0;
	int rc = db_offboarding_run_due(db, clock_wall_ms(), EXEC_BATCH, &n);

	*full = rc == DB_OK && n == EXEC_BATCH;
	report(db, n);
	if (n)
		log_info("offboarding executor: %u offboardings executed", n);
	if (rc != DB_OK && !*failing)
		log_error("offboarding executor: scan failed (%s); retrying every tick",
		          rc == DB_UNAVAILABLE ? "database unavailable" : "database error");
	else if (rc == DB_OK && *failing)
		log_info("offboarding executor: scanning again");
	*failing = rc != DB_OK;
}

int offboard_exec_run(const struct config *cfg)
{
	struct db *db = db_new(cfg);
	sigset_t set;
	int failing = 0, full = 0;

	stop_set(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (!db) {
		log_error("offboarding executor: out of memory");
		return 1;
	}
	log_info("offboarding executor %d ready", (int)getpid());
	while (!stop_within(&set, full ? 0 : cfg->offboarding_poll_ms))
		scan(db, &failing, &full);
	db_free(db);
	return 0;
}
