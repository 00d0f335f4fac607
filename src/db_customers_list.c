/*
 * db_customers_list: the list planner, one page of a partner's customers.
 *
 * The list is a keyset walk newest first: `id < after`, where "no cursor"
 * is sixteen 0xFF bytes so one statement serves both cases.  Each filter
 * shape (entity?, status?, type?, number of labels, client check?) gets
 * its own statement, built from fixed fragments on first use and cached
 * per connection in its own slot (SLOT_LIST + shape); the text and the
 * parameters are composed by the same functions, so their order cannot
 * drift apart.  With two or more labels, the range of the pair of the two
 * smallest drives the walk and each further label is a primary-key probe;
 * with one, the range of its own rows; both (partner_id, label,
 * paired_with, customer_id).  Without, one of the (partner_id[, status |
 * entity_type], id) keys.  Either way rows come out in index order, so
 * there is no filesort and LIMIT stops early.
 */
#include <stdio.h>

#include "db_customers_internal.h"
#include "log.h"

#define LIST_SQL_MAX 4096

/*
 * Appends the SQL (when sql is set: the statement is not cached yet) and
 * binds the parameters of one list query; both in one place so their
 * order cannot drift apart.
 */
struct list_compose {
	char *sql;
	size_t len;
	int too_long;
	const struct client_check *check; /* NULL: none */
	uint64_t partner_id;
	struct db_params p;
};

static void lc_text(struct list_compose *q, const char *s)
{
	int n;

	if (!q->sql)
		return;
	n = snprintf(q->sql + q->len, LIST_SQL_MAX - q->len, "%s", s);
	if (n < 0 || (size_t)n >= LIST_SQL_MAX - q->len)
		q->too_long = 1;
	else
		q->len += (size_t)n;
}

static void lc_filters(struct list_compose *q, const struct list_filter *f)
{
	if (f->has_entity) {
		lc_text(q, " AND c.entity_id = ?");
		db_param_uuid(&q->p, &f->entity_id);
	}
	if (f->has_status) {
		lc_text(q, " AND c.status = ?");
		db_param_cstr(&q->p, customer_status_name(f->status));
	}
	if (f->has_type) {
		lc_text(q, " AND c.entity_type = ?");
		db_param_cstr(&q->p, entity_type_name(f->type));
	}
	if (q->check) {
		lc_text(q, CLIENT_CHECK);
		db_param_check(&q->p, q->check, q->partner_id);
	}
}

/*
 * The index hints pin the plans checked with EXPLAIN.  Without them the
 * optimizer, switching indexes to avoid the sort, reads (partner_id) by
 * `ref` and filters `id < ?` row by row, so a deep page reads every newer
 * row first; forced, it is a range scan that starts at the cursor.
 */
static void lc_by_labels(struct list_compose *q, uint64_t partner_id, const struct list_filter *f,
                         const struct uuid *after)
{
	/* Two or more: the pair of the two smallest (the set is sorted, so they
	 * are label < paired_with as stored) drives the walk and every row of
	 * its range matches both; one: that label's own rows (paired_with ''). */
	size_t driving = f->labels.n >= 2 ? 2 : 1;

	lc_text(q, "SELECT " CUSTOMER_COLS " FROM customer_labels l1"
	           " FORCE INDEX (idx_customer_labels_filter)"
	           " STRAIGHT_JOIN customers c ON c.id = l1.customer_id WHERE l1.partner_id = ?"
	           " AND l1.label = ? AND l1.paired_with = ? AND l1.customer_id < ?");
	db_param_u64(&q->p, partner_id);
	db_param_str(&q->p, f->labels.v[0], f->labels.len[0]);
	if (driving == 2)
		db_param_str(&q->p, f->labels.v[1], f->labels.len[1]);
	else
		db_param_cstr(&q->p, "");
	db_param_uuid(&q->p, after);
	for (size_t i = driving; i < f->labels.n; i++) {
		lc_text(q, " AND EXISTS (SELECT 1 FROM customer_labels lx"
		           " WHERE lx.customer_id = l1.customer_id AND lx.paired_with = ''"
		           " AND lx.label = ?)");
		db_param_str(&q->p, f->labels.v[i], f->labels.len[i]);
	}
	lc_filters(q, f);
	lc_text(q, " ORDER BY l1.customer_id DESC LIMIT ?");
}

/* An entity matches one row at most; else the key whose range is (partner[, filter], id). */
static const char *lc_customers_index(const struct list_filter *f)
{
	if (f->has_entity)
		return "uk_customers_partner_entity";
	if (f->has_status)
		return "idx_customers_partner_status";
	if (f->has_type)
		return "idx_customers_partner_type";
	return "idx_customers_partner_id";
}

static void lc_by_customers(struct list_compose *q, uint64_t partner_id,
                            const struct list_filter *f, const struct uuid *after)
{
	lc_text(q, "SELECT " CUSTOMER_COLS " FROM customers c FORCE INDEX (");
	lc_text(q, lc_customers_index(f));
	lc_text(q, ") WHERE c.partner_id = ?");
	db_param_u64(&q->p, partner_id);
	lc_filters(q, f);
	lc_text(q, " AND c.id < ? ORDER BY c.id DESC LIMIT ?");
	db_param_uuid(&q->p, after);
}

static unsigned list_shape(const struct list_filter *f)
{
	unsigned flags =
	        (f->has_entity ? 4u : 0u) | (f->has_status ? 2u : 0u) | (f->has_type ? 1u : 0u);

	return flags * (LABELS_MAX + 1) + (unsigned)f->labels.n;
}

struct list_work {
	uint64_t partner_id;
	const struct client_check *check;
	const struct list_filter *f;
	const struct uuid *after;
	unsigned max;
	struct customer_row *row;
	db_row_cb cb;
	void *arg;
};

/* A shape's statement with the client check follows all those without. */
static unsigned list_slot(const struct list_work *w)
{
	return SLOT_LIST + list_shape(w->f) + (w->check ? DB_LIST_SHAPES / 2 : 0);
}

/* Prepares (first time) and executes the statement of w's filter shape. */
static int list_execute(struct db *db, struct list_work *w, MYSQL_STMT **st)
{
	unsigned slot = list_slot(w);
	char sql[LIST_SQL_MAX];
	struct list_compose q = {.check = w->check, .partner_id = w->partner_id};
	int rc;

	*st = db_cached(db, slot);
	q.sql = *st ? NULL : sql;
	db_params_init(&q.p);
	if (w->f->labels.n)
		lc_by_labels(&q, w->partner_id, w->f, w->after);
	else
		lc_by_customers(&q, w->partner_id, w->f, w->after);
	db_param_u64(&q.p, w->max);
	if (q.too_long) {
		log_error("list statement longer than %d bytes", LIST_SQL_MAX);
		return DB_ERROR;
	}
	if (!*st) {
		rc = db_stmt(db, slot, sql, st);
		if (rc != DB_OK)
			return rc;
	}
	return db_execute(db, *st, &q.p);
}

/*
 * The page is buffered (db_fetch_begin) before the first callback, so a
 * lost connection can only strike before any row was handed out and the
 * read retry in db_read() never repeats rows.
 */
static int list_run(struct db *db, void *arg)
{
	struct list_work *w = arg;
	struct row_cols rc;
	MYSQL_STMT *st = NULL;
	int r = list_execute(db, w, &st);

	if (r != DB_OK)
		return r;
	db_customer_row_bind(&rc, w->row);
	r = db_fetch_begin(db, st, &rc.c);
	while (r == DB_OK) {
		r = db_fetch(db, st, &rc.c);
		if (r == DB_OK)
			r = db_customer_row_finish(&rc, w->row);
		if (r == DB_OK && w->cb(w->row, w->arg))
			break;
	}
	if (db->s->conn)
		db_fetch_end(st);
	return r == DB_NOT_FOUND ? DB_OK : r;
}

int db_customer_list(struct db *db, uint64_t partner_id, const struct client_check *check,
                     const struct list_filter *f, const struct uuid *after, unsigned max,
                     struct customer_row *scratch, db_row_cb cb, void *arg)
{
	static const struct uuid newest = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	                                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	struct list_work w = {partner_id, check, f, after ? after : &newest, max, scratch, cb, arg};

	if (f->labels.n > LABELS_MAX)
		return DB_ERROR;
	return db_read(db, list_run, &w);
}
