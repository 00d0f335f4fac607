/*
 * db_events_feed: the read side of the outbox (GET /roles/events).
 *
 * Only events with a seq are shown, in seq order.  The sequencer stamps
 * them in blocks, each above every earlier one and each committed at
 * once, and a server (a Galera node too) makes commits visible in commit
 * order: what a reader sees of seq is always a gapless prefix.  So the
 * highest seq a page's first statement sees bounds everything the page
 * can miss, and a cursor moved up to it skips nothing (docs/design.md).
 *
 * Cost: the page is a range of idx_events_partner_seq, at most `limit`
 * rows.  With an eventType filter the range is capped first at the
 * partner's scan_limit-th event after the cursor (an index-only step), so
 * a filter that matches rarely still ends its page early, short, with a
 * cursor that continues where it stopped.
 */
#include <stdio.h>
#include <string.h>

#include "db_events.h"
#include "db_events_seq.h"
#include "db_internal.h"

static const char SQL_SCAN_END[] =
        "SELECT seq FROM events WHERE partner_id = ? AND seq > ? ORDER BY seq LIMIT 1 OFFSET ?";

static const char SQL_PAGE[] =
        "SELECT seq, event_id, event_type, occurred_on, data FROM events"
        " WHERE partner_id = ? AND seq > ? AND seq <= ? AND FIND_IN_SET(event_type, ?)"
        " ORDER BY seq LIMIT ?";

#define TYPES_TEXT_MAX 96     /* the three names and their commas */
#define EVENT_DATA_MAX 262144 /* a LABELS_UPDATE_NOTIFICATION of 1000 ids is 40 KiB */

static char data_buf[EVENT_DATA_MAX];

/* "A,B" of the wanted types (all when none) for FIND_IN_SET. */
static void types_text(unsigned types, char out[TYPES_TEXT_MAX])
{
	size_t len = 0;

	out[0] = '\0';
	for (unsigned t = 0; t < EVENT_TYPES; t++) {
		int k;

		if (types && !(types & 1u << t))
			continue;
		k = snprintf(out + len, TYPES_TEXT_MAX - len, "%s%s", len ? "," : "",
		             event_type_name((enum event_type)t));
		if (k > 0 && (size_t)k < TYPES_TEXT_MAX - len)
			len += (size_t)k;
	}
}

/* The highest seq the page may show: the filter's scan cap, or hi. */
static int page_end(struct db *db, const struct feed_query *q, uint64_t hi, uint64_t *end)
{
	struct db_params p;
	struct db_cols c;
	uint64_t cap = 0;
	int rc;

	*end = hi;
	if (!q->types)
		return DB_OK;
	db_params_init(&p);
	db_param_u64(&p, q->partner_id);
	db_param_u64(&p, q->after);
	db_param_u64(&p, q->scan_limit ? q->scan_limit - 1 : 0);
	db_cols_init(&c);
	db_col_u64(&c, &cap);
	rc = db_exec_one(db, SLOT_EVENTS_SCAN_END, SQL_SCAN_END, &p, &c);
	if (rc == DB_OK && cap < hi)
		*end = cap;
	return rc == DB_NOT_FOUND ? DB_OK : rc;
}

/* Binds the page's columns to e; type arrives as its name in type[]. */
static void bind_row(struct db_cols *c, struct event_row *e, char *type, size_t cap)
{
	db_cols_init(c);
	db_col_u64(c, &e->seq);
	db_col_uuid(c, &e->event_id);
	db_col_str(c, type, cap, NULL);
	db_col_ms(c, &e->occurred_ms);
	db_col_str(c, data_buf, sizeof(data_buf), &e->data_len);
	e->data = data_buf;
}

/* Runs the page statement; *n rows given to cb, *last the seq of the last. */
static int read_page(struct db *db, const struct feed_query *q, uint64_t end, db_event_cb cb,
                     void *arg, unsigned *n, uint64_t *last)
{
	char types[TYPES_TEXT_MAX], type[40];
	struct event_row e = {0};
	struct db_params p;
	struct db_cols c;
	MYSQL_STMT *st = NULL;
	int rc, stop = 0;

	types_text(q->types, types);
	db_params_init(&p);
	db_param_u64(&p, q->partner_id);
	db_param_u64(&p, q->after);
	db_param_u64(&p, end);
	db_param_cstr(&p, types);
	db_param_u64(&p, q->limit);
	bind_row(&c, &e, type, sizeof(type));
	rc = db_exec(db, SLOT_EVENTS_PAGE, SQL_PAGE, &p, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_fetch_begin(db, st, &c);
	while (rc == DB_OK && !stop && (rc = db_fetch(db, st, &c)) == DB_OK) {
		event_type_parse(type, strlen(type), &e.type);
		stop = cb(&e, arg);
		*last = e.seq;
		(*n)++;
	}
	if (db->s->conn)
		db_fetch_end(st);
	return rc == DB_NOT_FOUND ? DB_OK : rc;
}

struct feed_work {
	const struct feed_query *q;
	db_event_cb cb;
	void *arg;
	struct feed_stop *stop;
};

static int feed_run(struct db *db, void *arg)
{
	struct feed_work *w = arg;
	uint64_t lo = 0, hi = 0, end = 0, last = 0;
	unsigned n = 0;
	int rc = db_events_range(db, &lo, &hi);

	w->stop->expired = rc == DB_OK && w->q->after && lo > w->q->after + 1;
	if (rc != DB_OK || w->stop->expired)
		return rc;
	rc = page_end(db, w->q, hi, &end);
	if (rc == DB_OK)
		rc = read_page(db, w->q, end, w->cb, w->arg, &n, &last);
	w->stop->resume = n == w->q->limit ? last : end;
	if (w->stop->resume < w->q->after)
		w->stop->resume = w->q->after;
	return rc;
}

int db_events_feed(struct db *db, const struct feed_query *q, db_event_cb cb, void *arg,
                   struct feed_stop *stop)
{
	struct feed_work w = {q, cb, arg, stop};

	memset(stop, 0, sizeof(*stop));
	return db_read(db, feed_run, &w);
}
