/*
 * h_events: GET /roles/events, the event feed of contract §13.
 *
 * Oldest first in commit order, as db_events_feed reads it.  The cursor
 * (cursor_encode_seq) is the seq the next page starts after and comes on
 * every page, the last and an empty one too: a partner keeps it and polls
 * with it later.  A request from a client the worker has not read yet is
 * confirmed first: the feed's statements carry no client check.
 */
#include <string.h>

#include "client_auth.h"
#include "cursor.h"
#include "customer_json.h"
#include "db_events.h"
#include "handler.h"
#include "handlers.h"
#include "log.h"
#include "query.h"
#include "response.h"

struct feed_page {
	json_t *data;
	int failed; /* out of memory or stored data that is no JSON: 500, not a short page */
};

/* The Event object; NULL when its stored data does not parse or on out of memory. */
static json_t *event_json(const struct event_row *e)
{
	char id[UUID_STR_LEN + 1], when[25];
	json_t *data = json_loadb(e->data, e->data_len, JSON_REJECT_DUPLICATES, NULL);

	if (!data)
		return NULL;
	uuid_format(&e->event_id, id);
	rfc3339_ms(e->occurred_ms, when);
	return json_pack("{s:s, s:s, s:s, s:o}", "eventId", id, "eventType",
	                 event_type_name(e->type), "occurredOn", when, "data", data);
}

static int page_add(const struct event_row *e, void *arg)
{
	struct feed_page *p = arg;

	/* An event that cannot be rendered must not be passed by the cursor. */
	if (json_array_append_new(p->data, event_json(e)) != 0) {
		p->failed = 1;
		return 1;
	}
	return 0;
}

static void answer_feed(struct request *r, const struct feed_page *p, uint64_t resume,
                        unsigned limit)
{
	char cursor[CURSOR_TEXT_MAX];
	json_t *body;

	if (cursor_encode_seq(r->cfg->cursor_secret, r->cfg->cursor_secret_len, r->partner_id,
	                      resume, cursor) != 0) {
		handler_internal_error(r, "cursor_encode_seq failed (HMAC)");
		return;
	}
	body = json_pack("{s:O, s:{s:s, s:I}}", "data", p->data, "pagination", "cursor", cursor,
	                 "limit", (json_int_t)limit);
	response_json(r, 200, body, NULL);
	json_decref(body);
}

/* The query and its cursor into q; -1 with r->err set. */
static int feed_query_of(struct request *r, struct feed_query *q)
{
	struct feed_filter f;

	if (query_parse_feed(r->query, &f, &r->err) < 0)
		return -1;
	*q = (struct feed_query){r->partner_id, f.types, 0, f.limit, r->cfg->scan_limit};
	if (f.cursor && cursor_decode_seq(r->cfg->cursor_secret, r->cfg->cursor_secret_len,
	                                  r->partner_id, f.cursor, &q->after) < 0) {
		api_err_set(&r->err, 400, "INVALID_CURSOR",
		            "The cursor is not valid for this partner");
		api_err_detail(&r->err, "cursor", "INVALID_CURSOR", NULL,
		               "tampered, truncated, or made for another partner or route");
		return -1;
	}
	return 0;
}

void h_events_list(struct request *r, const char *arg)
{
	struct feed_page p = {NULL, 0};
	struct feed_query q;
	struct feed_stop stop = {0, 0};
	int rc;

	(void)arg;
	if (feed_query_of(r, &q) < 0 || client_auth_confirm(r) < 0)
		goto fail;
	p.data = json_array();
	rc = p.data ? db_events_feed(r->db, &q, page_add, &p, &stop) : DB_ERROR;
	if (rc == DB_OK && p.failed) {
		log_error("events: an event's data does not render (out of memory or not JSON)");
		rc = DB_ERROR;
	}
	if (rc != DB_OK)
		api_err_db(&r->err, rc);
	else if (stop.expired)
		api_err_set(&r->err, 410, "CURSOR_EXPIRED",
		            "Events after this cursor are past retention; start without a cursor");
	if (r->err.status)
		goto fail;
	answer_feed(r, &p, stop.resume, q.limit);
	json_decref(p.data);
	return;
fail:
	json_decref(p.data);
	handler_fail(r);
}
