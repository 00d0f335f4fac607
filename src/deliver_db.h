/*
 * deliver_db: the deliverer's statements (sql/007-webhooks.sql): queueing
 * sequenced events for each subscription, claiming due deliveries,
 * recording an attempt's outcome.  Several deliverers (pools, Galera
 * nodes) share the tables; every step that must happen once is a
 * conditional UPDATE whose affected-row count says who won (docs/design.md,
 * "Webhook delivery").
 */
#ifndef DELIVER_DB_H
#define DELIVER_DB_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "uuid.h"
#include "webhook_crypt.h"
#include "webhook_json.h"
#include "webhook_url.h"

#define DELIVER_DATA_MAX 65536  /* an event's data, as the events table holds it */
#define DELIVER_LEASE_TEXT "15" /* seconds a claim lasts: the 10 s timeout and a margin */

/* One claimed delivery: what the request needs and what its outcome names. */
struct delivery {
	struct uuid webhook_id, event_id;
	uint64_t seq, attempts; /* attempts made before this one */
	char url[WEBHOOK_URL_MAX + 1];
	char event_type[32];
	int64_t occurred_ms; /* -1: the event is past retention */
	char data[DELIVER_DATA_MAX];
	unsigned char secret[WEBHOOK_SEALED_LEN + 1], prev[WEBHOOK_SEALED_LEN + 1]; /* + NUL */
	size_t secret_len, prev_len; /* prev_len 0: no previous secret in its overlap */
};

/* Queues, for every enabled subscription behind the newest seq, the events it selects. db_rc. */
int deliver_db_enqueue(struct db *db);

/* Subscriptions with due deliveries: up to max ids into out, *n of them. db_rc. */
int deliver_db_due(struct db *db, struct uuid *out, size_t max, size_t *n);

/*
 * Claims up to max due deliveries of subscription id for holder, oldest
 * first, each only when no earlier one about its customer is open.  cb
 * gets each claimed one (borrowed; copy it); *n counts them.  db_rc.
 */
typedef void (*deliver_claim_cb)(const struct delivery *d, void *arg);
int deliver_db_claim(struct db *db, const char *holder, const struct uuid *id, size_t max,
                     deliver_claim_cb cb, void *arg);

/* How an attempt ended. */
struct attempt_end {
	const char *outcome; /* "DELIVERED", "FAILED_RETRYING", "FAILED" */
	int http_status;     /* 0: none */
	int64_t started_ms;  /* wall clock */
	unsigned duration_ms;
	long long retry_ms;          /* FAILED_RETRYING: the delay before the next attempt */
	const char *error;           /* NULL or a short text */
	int gone;                    /* 410: disable the subscription now */
	long long failing_cutoff_ms; /* no 2xx for this long disables (5 days / time_scale) */
};

/* One attempt to record, and what recording it found. */
struct finish_item {
	const struct delivery *d;
	struct attempt_end end;
	int lost; /* set: the claim was lost (its lease expired and another deliverer took it) */
};

/*
 * Records the attempts of items[0..n) for holder, each its queue row, its
 * attempt log and its subscription's failure state, all in one
 * transaction: one commit for the transfers that ended together, not one
 * each (bench/RESULTS-webhooks.md).  An item whose claim was lost records
 * nothing and is marked lost; the others still commit.  db_rc.
 */
int deliver_db_finish(struct db *db, const char *holder, struct finish_item *items, size_t n);

/* Gives holder's open claims back (at a stop), so no one waits for their lease. db_rc. */
int deliver_db_release(struct db *db, const char *holder);

/* Age in ms of the oldest open delivery of enabled (1) and disabled (0) subscriptions, -1 none. */
int deliver_db_oldest(struct db *db, int64_t age_ms[2]);

/*
 * Disables the subscriptions without a 2xx for cutoff_ms since their
 * first failure, also those with nothing left to try (finish() checks
 * only on an attempt).  db_rc.
 */
int deliver_db_disable_dead(struct db *db, long long cutoff_ms);

/*
 * Deletes up to batch final queue rows of events past retention, and
 * attempt log rows older than retention_days (both grow with every
 * event otherwise).  db_rc.
 */
int deliver_db_purge(struct db *db, unsigned retention_days, unsigned batch);

#endif
