/*
 * sequencer: the loop of the event sequencer (see sequencer.h).
 *
 * Every TICK_MS the holder of the lease looks for committed events
 * without a seq and stamps them in one transaction that first renews the
 * lease (db_events_seq.h): the lease row written by every stamp is what
 * keeps two stampers from ever both committing, on one server (its row
 * lock) and on Galera (certification, or the applier aborting a local
 * transaction that holds the row).  An idle holder renews every RENEW_MS;
 * a process without the lease tries to take it as often, and gets it once
 * the holder has not renewed for LEASE_TTL_MS (killed, or its node lost).
 * The stop signals stay blocked and are waited for with sigtimedwait()
 * between ticks, so a stop never cuts a transaction short and none is
 * lost between a check and a sleep.
 */
#include <errno.h>
#include <signal.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "db.h"
#include "db_events_seq.h"
#include "db_lease.h"
#include "log.h"
#include "metrics.h"
#include "sequencer.h"
#include "uuid.h"

#define LEASE_NAME "event-sequencer"
#define TICK_MS 50
#define RENEW_MS 1000
#define LEASE_TTL_MS 3000
#define CATCH_UP_BATCHES 10 /* stamp transactions per tick while a backlog lasts */
#define PURGE_EVERY_MS 1000
#define PURGE_BATCH 500
#define DAY_MS (24LL * 3600 * 1000)

struct seq_state {
	const struct config *cfg;
	struct db *db;
	struct lease lease;
	int64_t tried_ms;  /* monotonic: last lease renewal or attempt */
	int64_t purged_ms; /* monotonic: last purge */
};

static void log_change(const struct seq_state *s, int was)
{
	if (s->lease.held != was)
		log_info("event sequencer %s: lease %s", s->lease.holder,
		         s->lease.held ? "taken" : "lost");
}

/* Stamps while a backlog lasts; 0, or -1 when a transaction failed. */
static int stamp(struct seq_state *s)
{
	for (int i = 0; i < CATCH_UP_BATCHES; i++) {
		int was = s->lease.held;
		unsigned n = 0;

		if (db_events_stamp(s->db, &s->lease, &n) != DB_OK) {
			s->lease.held = 0; /* not known to be held */
			return -1;
		}
		log_change(s, was);
		metrics_events_sequenced(n);
		if (n < EVENTS_STAMP_MAX)
			break;
	}
	return 0;
}

static void purge(struct seq_state *s, int64_t now)
{
	int64_t before = clock_wall_ms() - (int64_t)s->cfg->events_retention_days * DAY_MS;
	unsigned n = 0;

	s->purged_ms = now;
	if (db_events_purge(s->db, &s->lease, before, PURGE_BATCH, &n) == DB_OK && n)
		log_info("event sequencer: %u events past retention purged", n);
}

/*
 * Stamps when something is pending; otherwise only renews (or tries to
 * take) the lease every RENEW_MS, so an idle service writes one row a second.
 */
static void tick(struct seq_state *s)
{
	int64_t now = clock_mono_ms();
	int pending = 0;

	if (now - s->tried_ms < RENEW_MS &&
	    (!s->lease.held || db_events_pending(s->db, &pending) != DB_OK || !pending))
		return;
	s->tried_ms = now;
	if (stamp(s) == 0 && s->lease.held && now - s->purged_ms >= PURGE_EVERY_MS)
		purge(s, now);
}

/* Sleeps ms, or less when a stop signal arrives: 1 then. */
static int stop_within(const sigset_t *stop, int64_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
	int sig = sigtimedwait(stop, NULL, &ts);

	return sig == SIGTERM || sig == SIGINT || (sig < 0 && errno != EAGAIN && errno != EINTR);
}

int sequencer_run(const struct config *cfg)
{
	struct seq_state s = {cfg, NULL, {LEASE_NAME, NULL, LEASE_TTL_MS, 0}, 0, 0};
	char holder[UUID_STR_LEN + 1];
	struct uuid id;
	sigset_t stop;

	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	s.db = db_new(cfg);
	if (!s.db || uuid_v7_at(clock_wall_ms(), &id)) {
		log_error("event sequencer: out of memory or no random bytes");
		db_free(s.db);
		return 1;
	}
	uuid_format(&id, holder);
	s.lease.holder = holder;
	db_split_writes(s.db);
	s.tried_ms = clock_mono_ms() - RENEW_MS;
	do
		tick(&s);
	while (!stop_within(&stop, TICK_MS));
	if (s.lease.held)
		db_lease_release(s.db, &s.lease);
	db_free(s.db);
	return 0;
}
