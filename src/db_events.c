/*
 * db_events: appending events to the outbox (see db_events.h).
 *
 * The append is deliberately small: one INSERT of a row that no other
 * writer touches, so it takes no lock another writer waits for (the
 * AUTO_INCREMENT id is handed out without holding a table lock to commit)
 * and POST and PATCH keep their throughput.  Commit order is not decided
 * here but by the sequencer, after the commit (docs/design.md, "The
 * outbox and commit order").
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "customer_json.h"
#include "db_events.h"
#include "db_internal.h"
#include "log.h"

static const char SQL_EVENT_INSERT[] =
        "INSERT INTO events (event_id, partner_id, customer_id, event_type, occurred_on, data)"
        " VALUES (?, ?, ?, ?, ?, ?)";

int db_event_append(struct db *db, const struct event_new *e, struct uuid *event_id)
{
	struct uuid id;
	struct db_params p;
	char *text;
	int rc;

	if (uuid_v7_at(clock_wall_ms(), &id)) {
		log_error("event: uuid_v7_at: no random bytes");
		return DB_ERROR;
	}
	text = json_dumps(e->data, JSON_COMPACT);
	if (!text) {
		log_error("event: out of memory rendering its data");
		return DB_ERROR;
	}
	db_params_init(&p);
	db_param_uuid(&p, &id);
	db_param_u64(&p, e->partner_id);
	db_param_uuid(&p, e->customer);
	db_param_cstr(&p, event_type_name(e->type));
	db_param_ms(&p, e->occurred_ms);
	db_param_cstr(&p, text);
	rc = db_exec(db, SLOT_EVENT_INSERT, SQL_EVENT_INSERT, &p, NULL);
	free(text);
	if (rc == DB_OK)
		db->tx_events++; /* counted once the transaction commits (db.c) */
	if (rc == DB_OK && event_id)
		*event_id = id;
	return rc;
}

int db_event_append_owned(struct db *db, const struct event_new *e, json_t *data)
{
	struct event_new with = *e;
	int rc;

	if (!data) {
		log_error("event: out of memory building its data");
		return DB_ERROR;
	}
	with.data = data;
	rc = db_event_append(db, &with, NULL);
	json_decref(data);
	return rc;
}

int db_event_customer(struct db *db, uint64_t partner_id, const struct uuid *customer,
                      enum customer_status status, const char *notification_type,
                      int64_t modified_ms)
{
	struct event_new e = {partner_id, EVENT_CUSTOMER, customer, modified_ms, NULL};
	char id[UUID_STR_LEN + 1], when[25];

	uuid_format(customer, id);
	rfc3339_ms(modified_ms, when);
	return db_event_append_owned(db, &e,
	                             json_pack("{s:s, s:s, s:s, s:s}", "customerId", id, "status",
	                                       customer_status_name(status), "modifiedOn", when,
	                                       "notificationType", notification_type));
}

static json_t *id_array(const struct uuid *ids, size_t n)
{
	json_t *a = json_array();
	char text[UUID_STR_LEN + 1];

	for (size_t i = 0; a && i < n; i++) {
		uuid_format(&ids[i], text);
		if (json_array_append_new(a, json_string(text)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

int db_event_labels(struct db *db, uint64_t partner_id, const struct uuid *customers, size_t n,
                    int64_t ms)
{
	struct event_new e = {partner_id, EVENT_LABELS_UPDATE, n == 1 ? customers : NULL, ms, NULL};
	json_t *ids = id_array(customers, n);

	if (!ids || n == 0) {
		json_decref(ids);
		log_error("event: no customers, or out of memory");
		return DB_ERROR;
	}
	return db_event_append_owned(
	        db, &e,
	        json_pack("{s:o, s:s}", "updatedCustomers", ids, "notificationType", "UPDATED"));
}
