/*
 * db_customers_list: the list planner, one page of a partner's customers.
 *
 * The list is a keyset walk newest first over one index range, `id < after
 * AND id >= floor`: "no cursor" is sixteen 0xFF bytes and "no floor"
 * sixteen zero bytes, so one statement serves every case.  Each filter
 * shape (entity?, status?, type?, number of labels, client check?) gets
 * its own statement, built from fixed fragments on first use and cached
 * per connection in its own slot (SLOT_LIST + shape); the text and the
 * parameters are composed by the same functions, so their order cannot
 * drift apart.  The plan:
 *   1. labels are looked up in the partner's dictionary first
 *      (db_labels_resolve): an unknown one means an empty page at once;
 *   2. with entityId, the entity's customers (one live one at most, and
 *      any offboarded ones) drive, by idx_customers_partner_entity
 *      (partner_id, entity_id, id), and labels are primary-key probes;
 *   3. else with labels, by the exact counts:
 *      a. when the rarest label is rare (its whole range, probes
 *         included, costs a fraction of scan_limit), its range in
 *         idx_customer_labels_filter drives, each further label is a
 *         primary-key probe (eq_ref) and the customer row is read only
 *         for candidates that have them all;
 *      b. else one of the (partner_id[, status | entity_type], id,
 *         label_sig) keys drives, read index-only: an entry whose
 *         signature lacks a bit of the labels' mask is passed over on the
 *         entry itself, and only those that have them all are probed,
 *         label by label (bits are shared beyond 64 labels, so the
 *         signature is only a prefilter), and read (sql/010);
 *   4. without labels, one of the (partner_id[, status | entity_type], id)
 *      keys.
 * Rows come out in index order, so there is no filesort and LIMIT stops
 * early.
 *
 * Bounded work (contract §3, [list] scan_limit): the statement carries
 * `ROWS EXAMINED` of scan_limit rows beyond what a full page's own rows
 * cost (a candidate is one row of the driving index, a match one more per
 * further label and its customer row).  When that trips before the
 * page is full, the server has stopped somewhere unknown, so the page is
 * made again over a range that holds exactly scan_limit candidates: its
 * lower end (the floor) is the scan_limit-th entry of the driving index,
 * found by an index-only walk, and the page's cursor is that floor.  Every
 * candidate in [floor, after) was examined, so a walk of a sparse filter
 * returns each match exactly once.  The first attempt's rows are never
 * handed out (the page is buffered first), so nothing repeats.
 *
 * Plan 3b needs no second statement: its walk notes every entry it
 * reaches in a session variable, so where ROWS EXAMINED stopped it is
 * known, and the page is what the first attempt found (list_seen).  A
 * redo would read the same entries again, and the floor's walk a third
 * time: for a filter that nobody matches that was 3x its work.
 */
#include <stdio.h>
#include <string.h>

#include "db_customers_internal.h"
#include "db_labels.h"
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

/* The page's range of the driving column, and the page's size and budget. */
struct list_range {
	const struct uuid *after; /* exclusive upper end */
	const struct uuid *floor; /* inclusive lower end */
	unsigned max;
	uint64_t budget; /* ROWS EXAMINED */
};

static void lc_range(struct list_compose *q, const char *col, const struct list_range *r)
{
	lc_text(q, " AND ");
	lc_text(q, col);
	lc_text(q, " < ? AND ");
	lc_text(q, col);
	lc_text(q, " >= ?");
	db_param_uuid(&q->p, r->after);
	db_param_uuid(&q->p, r->floor);
}

static void lc_order(struct list_compose *q, const char *col, const struct list_range *r)
{
	lc_text(q, " ORDER BY ");
	lc_text(q, col);
	lc_text(q, " DESC LIMIT ? ROWS EXAMINED ?");
	db_param_u64(&q->p, r->max);
	db_param_u64(&q->p, r->budget);
}

/*
 * The index hints pin the plans checked with EXPLAIN.  Without them the
 * optimizer, switching indexes to avoid the sort, reads (partner_id) by
 * `ref` and filters `id < ?` row by row, so a deep page reads every newer
 * row first; forced, it is a range scan that starts at the cursor.
 * STRAIGHT_JOIN keeps the rarest label first and the customer row last.
 */
/* Each of ids from the first'th is a primary-key probe of customer_labels for the customer on. */
static void lc_probes(struct list_compose *q, const char *on, const struct label_ids *ids,
                      size_t first)
{
	char join[192];

	for (size_t i = first; i < ids->n; i++) {
		snprintf(join, sizeof(join),
		         " STRAIGHT_JOIN customer_labels l%zu ON l%zu.customer_id = %s"
		         " AND l%zu.label_id = ?",
		         i, i, on, i);
		lc_text(q, join);
		db_param_u64(&q->p, ids->id[i]);
	}
}

static void lc_by_labels(struct list_compose *q, uint64_t partner_id, const struct list_filter *f,
                         const struct label_ids *ids, const struct list_range *r)
{
	lc_text(q, "SELECT " CUSTOMER_COLS " FROM customer_labels l0"
	           " FORCE INDEX (idx_customer_labels_filter)");
	lc_probes(q, "l0.customer_id", ids, 1);
	lc_text(q, " STRAIGHT_JOIN customers c ON c.id = l0.customer_id"
	           " WHERE l0.label_id = ? AND c.partner_id = ?");
	db_param_u64(&q->p, ids->id[0]);
	db_param_u64(&q->p, partner_id);
	lc_range(q, "l0.customer_id", r);
	lc_filters(q, f);
	lc_order(q, "l0.customer_id", r);
}

/* The key whose range is (partner[, filter], id); an entity has the fewest rows. */
static unsigned lc_customers_index(const struct list_filter *f)
{
	return f->has_entity ? 3 : f->has_status ? 1 : f->has_type ? 2 : 0;
}

/* The keys a walk of customers can drive by, (partner_id[, key column], id[, label_sig]). */
static const struct {
	const char *index;
	const char *key; /* the key column, or NULL */
} customers_keys[] = {
        {"idx_customers_partner_id", NULL},
        {"idx_customers_partner_status", "status"},
        {"idx_customers_partner_type", "entity_type"},
        {"idx_customers_partner_entity", "entity_id"},
};

/* The condition on the key column of customers_keys[k] of the walk's table t, and its value. */
static void lc_key(struct list_compose *q, const char *t, const struct list_filter *f, unsigned k)
{
	if (!customers_keys[k].key)
		return;
	lc_text(q, " AND ");
	lc_text(q, t);
	lc_text(q, ".");
	lc_text(q, customers_keys[k].key);
	lc_text(q, " = ?");
	if (k == 1)
		db_param_cstr(&q->p, customer_status_name(f->status));
	else if (k == 2)
		db_param_cstr(&q->p, entity_type_name(f->type));
	else if (k == 3)
		db_param_uuid(&q->p, &f->entity_id);
}

static void lc_by_customers(struct list_compose *q, uint64_t partner_id,
                            const struct list_filter *f, const struct label_ids *ids,
                            const struct list_range *r)
{
	lc_text(q, "SELECT " CUSTOMER_COLS " FROM customers c FORCE INDEX (");
	lc_text(q, customers_keys[lc_customers_index(f)].index);
	lc_text(q, ") WHERE c.partner_id = ?");
	db_param_u64(&q->p, partner_id);
	lc_filters(q, f);
	for (size_t i = 0; i < ids->n; i++) {
		lc_text(q, " AND EXISTS (SELECT 1 FROM customer_labels lx"
		           " WHERE lx.customer_id = c.id AND lx.label_id = ?)");
		db_param_u64(&q->p, ids->id[i]);
	}
	lc_range(q, "c.id", r);
	lc_order(q, "c.id", r);
}

/* The signature bits of ids (sql/010: 1 << (label_id & 63) each). */
static uint64_t label_sig_mask(const struct label_ids *ids)
{
	uint64_t mask = 0;

	for (size_t i = 0; i < ids->n; i++)
		mask |= UINT64_C(1) << (ids->id[i] & 63);
	return mask;
}

/* The last entry plan 3b's walk reached (list_seen). */
#define SEEN_VAR "@customers_list_seen"

/*
 * Plan 3b: s is the key's entry (every column of s read is in the key,
 * so the walk is index-only), c the row of those that pass.  The
 * assignment comes first among s's conditions, so it is made for every
 * entry the walk reaches, before its signature is tested.
 */
static void lc_by_sig(struct list_compose *q, uint64_t partner_id, const struct list_filter *f,
                      const struct label_ids *ids, const struct list_range *r)
{
	unsigned k = lc_customers_index(f);
	uint64_t mask = label_sig_mask(ids);

	lc_text(q, "SELECT " CUSTOMER_COLS " FROM customers s FORCE INDEX (");
	lc_text(q, customers_keys[k].index);
	lc_text(q, ")");
	lc_probes(q, "s.id", ids, 0);
	lc_text(q, " STRAIGHT_JOIN customers c ON c.id = s.id WHERE s.partner_id = ?");
	db_param_u64(&q->p, partner_id);
	lc_key(q, "s", f, k);
	lc_range(q, "s.id", r);
	lc_text(q, " AND (" SEEN_VAR " := s.id) IS NOT NULL AND s.label_sig & ? = ?");
	db_param_u64(&q->p, mask);
	db_param_u64(&q->p, mask);
	lc_filters(q, f);
	lc_order(q, "s.id", r);
}

/* The plans of the header: 2 and 4, 3a, 3b. */
enum list_plan { PLAN_CUSTOMERS, PLAN_LABEL, PLAN_SIG };

static unsigned list_shape(const struct list_filter *f, enum list_plan plan)
{
	unsigned flags =
	        (f->has_entity ? 4u : 0u) | (f->has_status ? 2u : 0u) | (f->has_type ? 1u : 0u);

	return (flags * (LABELS_MAX + 1) + (unsigned)f->labels.n) * 2 + (plan == PLAN_SIG);
}

struct list_work {
	uint64_t partner_id;
	const struct client_check *check;
	const struct list_filter *f;
	unsigned scan_limit;
	struct label_ids ids;
	enum list_plan plan;
	struct list_range range;
	struct customer_row *row;
	struct row_cols cols;
	db_row_cb cb;
	void *arg;
	struct list_stop *stop;
};

/*
 * What a candidate of the rarest label's range costs in entries of a
 * sequential index walk: it is a random read, and each further label one
 * more (docs/design.md, "Label signature": about 6x, measured).
 */
#define LABEL_CANDIDATE_COST 8

/*
 * Plan 3a only when the rarest label's whole range, probes included,
 * costs at most scan_limit entries of plan 3b's walk: then its page is
 * never cut short and answers a rare label at once, where 3b would walk
 * the partner's customers page by page.  ids are rarest first.
 */
static enum list_plan list_plan(const struct list_work *w)
{
	if (!w->ids.n || w->f->has_entity)
		return PLAN_CUSTOMERS;
	if (w->ids.count[0] * (w->ids.n + 1) * LABEL_CANDIDATE_COST <= w->scan_limit)
		return PLAN_LABEL;
	return PLAN_SIG;
}

/* A shape's statement with the client check follows all those without. */
static unsigned list_slot(const struct list_work *w)
{
	return SLOT_LIST + list_shape(w->f, w->plan) + (w->check ? DB_LIST_SHAPES / 2 : 0);
}

static int lc_finish(struct db *db, struct list_compose *q, unsigned slot, MYSQL_STMT **st)
{
	int rc;

	if (q->too_long) {
		log_error("list statement longer than %d bytes", LIST_SQL_MAX);
		return DB_ERROR;
	}
	if (!*st) {
		rc = db_stmt(db, slot, q->sql, st);
		if (rc != DB_OK)
			return rc;
	}
	return db_execute(db, *st, &q->p);
}

/*
 * Prepares (first time) and executes the statement of w's filter shape,
 * and buffers its page; *tripped when ROWS EXAMINED stopped it short.
 */
static int list_page(struct db *db, struct list_work *w, MYSQL_STMT **st, int *tripped)
{
	unsigned slot = list_slot(w);
	char sql[LIST_SQL_MAX];
	struct list_compose q = {.check = w->check, .partner_id = w->partner_id};
	int rc;

	*st = db_cached(db, slot);
	q.sql = *st ? NULL : sql;
	db_params_init(&q.p);
	if (w->plan == PLAN_LABEL)
		lc_by_labels(&q, w->partner_id, w->f, &w->ids, &w->range);
	else if (w->plan == PLAN_SIG)
		lc_by_sig(&q, w->partner_id, w->f, &w->ids, &w->range);
	else
		lc_by_customers(&q, w->partner_id, w->f, &w->ids, &w->range);
	rc = lc_finish(db, &q, slot, st);
	if (rc == DB_OK) {
		db_customer_row_bind(&w->cols, w->row);
		rc = db_fetch_begin(db, *st, &w->cols.c);
	}
	*tripped = rc == DB_OK && mysql_stmt_num_rows(*st) < w->range.max &&
	           mysql_warning_count(db->s->conn) > 0;
	return rc;
}

static unsigned floor_slot(const struct list_work *w)
{
	return w->plan == PLAN_LABEL ? SLOT_LIST_BOUND_LABEL
	                             : SLOT_LIST_BOUND_CUSTOMERS + lc_customers_index(w->f);
}

/* The statement that finds the scan_limit-th entry of the driving index below after. */
static void lc_floor(struct list_compose *q, const struct list_work *w)
{
	unsigned k = lc_customers_index(w->f);

	if (w->plan == PLAN_LABEL) {
		lc_text(q, "SELECT customer_id FROM customer_labels FORCE INDEX"
		           " (idx_customer_labels_filter) WHERE label_id = ? AND customer_id < ?"
		           " ORDER BY customer_id DESC LIMIT 1 OFFSET ?");
		db_param_u64(&q->p, w->ids.id[0]);
	} else {
		lc_text(q, "SELECT c.id FROM customers c FORCE INDEX (");
		lc_text(q, customers_keys[k].index);
		lc_text(q, ") WHERE c.partner_id = ?");
		db_param_u64(&q->p, w->partner_id);
		lc_key(q, "c", w->f, k);
		lc_text(q, " AND c.id < ? ORDER BY c.id DESC LIMIT 1 OFFSET ?");
	}
	db_param_uuid(&q->p, w->range.after);
	db_param_u64(&q->p, w->scan_limit - 1);
}

/* The floor of a bounded page into *floor; DB_NOT_FOUND when fewer candidates are left. */
static int list_floor(struct db *db, const struct list_work *w, struct uuid *floor)
{
	char sql[LIST_SQL_MAX];
	unsigned slot = floor_slot(w);
	MYSQL_STMT *st = db_cached(db, slot);
	struct list_compose q = {.sql = st ? NULL : sql};
	struct db_cols c;
	int rc;

	db_params_init(&q.p);
	lc_floor(&q, w);
	rc = lc_finish(db, &q, slot, &st);
	db_cols_init(&c);
	db_col_uuid(&c, floor);
	if (rc == DB_OK)
		rc = db_fetch_begin(db, st, &c);
	if (rc == DB_OK)
		rc = db_fetch(db, st, &c);
	if (st && db->s->conn)
		db_fetch_end(st);
	return rc;
}

static const char SQL_SEEN[] = "SELECT " SEEN_VAR;

/* The id just above u: a cursor of u + 1 goes on with u itself. */
static void uuid_successor(struct uuid *u)
{
	for (size_t i = sizeof(u->b); i-- > 0;) {
		if (++u->b[i])
			break;
	}
}

/*
 * Plan 3b cut short by ROWS EXAMINED: every entry above the last one the
 * walk reached was examined in full and its matches are on the page.
 * That one perhaps not (the budget may have run out in its probes), so
 * the walk goes on with it, unless it is the page's last row.  The
 * buffered page is read back to its last row and rewound.
 */
static int list_seen(struct db *db, struct list_work *w, MYSQL_STMT *st)
{
	my_ulonglong n = mysql_stmt_num_rows(st);
	struct db_cols c;
	int rc;

	db_cols_init(&c);
	db_col_uuid(&c, &w->stop->resume);
	rc = db_exec_one(db, SLOT_LIST_SEEN, SQL_SEEN, NULL, &c);
	if (rc == DB_NOT_FOUND)
		rc = DB_ERROR;
	if (rc == DB_OK && n) {
		mysql_stmt_data_seek(st, n - 1);
		rc = db_fetch(db, st, &w->cols.c);
		mysql_stmt_data_seek(st, 0);
	}
	if (rc != DB_OK)
		return rc;
	w->stop->early = 1;
	if (!n || memcmp(w->row->id.b, w->stop->resume.b, sizeof(w->row->id.b)) != 0)
		uuid_successor(&w->stop->resume);
	return DB_OK;
}

/*
 * The page was cut short by ROWS EXAMINED: made again over the range of
 * the next scan_limit candidates, whose floor becomes the cursor.
 */
static int list_bounded(struct db *db, struct list_work *w, MYSQL_STMT **st)
{
	int tripped, rc;

	if (w->plan == PLAN_SIG)
		return list_seen(db, w, *st);

	db_fetch_end(*st);
	rc = list_floor(db, w, &w->stop->resume);
	if (rc != DB_OK && rc != DB_NOT_FOUND)
		return rc;
	w->stop->early = rc == DB_OK;
	if (w->stop->early)
		w->range.floor = &w->stop->resume;
	w->range.budget = UINT64_C(1) << 62; /* the floor bounds it */
	return list_page(db, w, st, &tripped);
}

/*
 * The page is buffered (db_fetch_begin) before the first callback, so a
 * lost connection can only strike before any row was handed out and the
 * read retry in db_read() never repeats rows.
 */
static int list_run(struct db *db, void *arg)
{
	static const struct uuid lowest = {{0}};
	struct list_work *w = arg;
	MYSQL_STMT *st = NULL;
	int tripped = 0, r = DB_OK;

	w->stop->early = 0;
	w->range.floor = &lowest;
	if (w->f->labels.n)
		r = db_labels_resolve(db, w->partner_id, &w->f->labels, &w->ids);
	if (r != DB_OK || w->ids.n < w->f->labels.n)
		return r; /* a label nobody has: no customer matches */
	w->plan = list_plan(w);
	/* a candidate costs a row, a match one per label and its customer row */
	w->range.budget = w->scan_limit + (uint64_t)w->range.max * (w->ids.n + 1);
	r = list_page(db, w, &st, &tripped);
	if (r == DB_OK && tripped)
		r = list_bounded(db, w, &st);
	while (r == DB_OK) {
		r = db_fetch(db, st, &w->cols.c);
		if (r == DB_OK)
			r = db_customer_row_finish(&w->cols, w->row);
		if (r == DB_OK && w->cb(w->row, w->arg))
			break;
	}
	if (st && db->s->conn)
		db_fetch_end(st);
	return r == DB_NOT_FOUND ? DB_OK : r;
}

int db_customer_list(struct db *db, const struct list_query *lq, struct customer_row *scratch,
                     db_row_cb cb, void *arg, struct list_stop *stop)
{
	static const struct uuid newest = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	                                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	struct list_work w = {.partner_id = lq->partner_id,
	                      .check = lq->check,
	                      .f = lq->f,
	                      .scan_limit = lq->scan_limit,
	                      .range = {.after = lq->after ? lq->after : &newest, .max = lq->max},
	                      .row = scratch,
	                      .cb = cb,
	                      .arg = arg,
	                      .stop = stop};

	if (lq->f->labels.n > LABELS_MAX || lq->scan_limit == 0)
		return DB_ERROR;
	return db_read(db, list_run, &w);
}
