/*
 * db_events: the events outbox of contract §13 (sql/006-events.sql).
 *
 * A writer appends its change's event(s) inside its own open transaction:
 * from the work function it runs through db_tx(), on the same struct db,
 * as the last statements before the commit.  An append is one INSERT
 * through a cached prepared statement.  The row is written with seq NULL:
 * the event sequencer (sequencer.h) gives committed events their place in
 * commit order afterwards, and the feed shows only events that have one.
 * A change that rolls back takes its event with it; db_tx()'s retries run
 * the work, and so the append, from scratch.
 */
#ifndef DB_EVENTS_H
#define DB_EVENTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "model.h"

/* One event to append; every pointer borrowed for the call. */
struct event_new {
	uint64_t partner_id;
	enum event_type type;
	const struct uuid *customer; /* the one customer it is about; NULL when several */
	int64_t occurred_ms;         /* the change's time (its modifiedOn), Unix ms */
	const json_t *data;          /* the event's `data` object: borrowed, not stolen */
};

/*
 * Appends e inside the caller's open transaction (see above); *event_id
 * (may be NULL) gets the new eventId.  DB_OK or an error, which the caller
 * returns from its work so that db_tx() rolls the change back.
 */
int db_event_append(struct db *db, const struct event_new *e, struct uuid *event_id);

/*
 * db_event_append with data (stolen, released here; e->data is ignored)
 * freshly built by the caller: NULL, an allocation that failed, is
 * DB_ERROR, logged.
 */
int db_event_append_owned(struct db *db, const struct event_new *e, json_t *data);

/*
 * CUSTOMER_NOTIFICATION of customer (borrowed) of partner_id: data
 * {customerId, status, modifiedOn, notificationType}, notification_type
 * (static or borrowed) "CREATED" or "UPDATED".  As db_event_append.
 */
int db_event_customer(struct db *db, uint64_t partner_id, const struct uuid *customer,
                      enum customer_status status, const char *notification_type,
                      int64_t modified_ms);

/*
 * LABELS_UPDATE_NOTIFICATION of the n >= 1 customers (borrowed array) of
 * partner_id whose labels changed at ms: data {updatedCustomers: [ids],
 * notificationType: "UPDATED"}.  customer_id is set when n == 1.  As
 * db_event_append.
 */
int db_event_labels(struct db *db, uint64_t partner_id, const struct uuid *customers, size_t n,
                    int64_t ms);

/* ---- the feed (db_events_feed.c) ---------------------------------------- */

/* One event as the feed reads it; data (not NUL-safe JSON text) borrowed for the callback. */
struct event_row {
	uint64_t seq;
	struct uuid event_id;
	enum event_type type;
	int64_t occurred_ms;
	const char *data; /* the `data` object as stored, NUL-terminated */
	size_t data_len;
};

/* Called per event, oldest first; non-zero stops the page. */
typedef int (*db_event_cb)(const struct event_row *e, void *arg);

/* One feed page's question. */
struct feed_query {
	uint64_t partner_id;
	unsigned types;      /* bit 1 << event_type per type wanted; 0: all */
	uint64_t after;      /* the cursor's seq: events after it; 0 from the oldest kept */
	unsigned limit;      /* events at most */
	unsigned scan_limit; /* with a type filter: the partner's events a page may pass over */
};

/* Where the next page starts, and whether the cursor was too old. */
struct feed_stop {
	uint64_t resume; /* the next cursor's seq */
	int expired;     /* events after `after` were purged (410 CURSOR_EXPIRED); no rows given */
};

/*
 * Reads a page of q->partner_id's sequenced events in seq order (commit
 * order) after q->after, calling cb for each.  stop->resume is the seq
 * after which the next page starts: the last event given when the page is
 * full, else the highest seq known when the page was read (so that an
 * empty page still moves past other partners' events and a filter's
 * misses; what commits later is stamped above it).  db_rc.
 */
int db_events_feed(struct db *db, const struct feed_query *q, db_event_cb cb, void *arg,
                   struct feed_stop *stop);

#endif
