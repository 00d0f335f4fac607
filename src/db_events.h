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

enum event_type { EVENT_CUSTOMER, EVENT_LABELS_UPDATE, EVENT_OFFBOARDING };
#define EVENT_TYPES 3

/* "CUSTOMER_NOTIFICATION", "LABELS_UPDATE_NOTIFICATION", "OFFBOARDING_NOTIFICATION". */
const char *event_type_name(enum event_type t);
/* Exact, case-sensitive match of len bytes; 0 or -1. */
int event_type_parse(const char *s, size_t len, enum event_type *out);

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

#endif
