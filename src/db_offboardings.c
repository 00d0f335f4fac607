/*
 * db_offboardings: see db_offboardings.h for the locking argument.
 *
 * A write reads what it decides on under the customer's row lock and
 * changes the offboarding only WHERE status = 'CREATED', so a check and its
 * write cannot be split by another writer; the unique key on open_customer
 * (schema 5) backs "one CREATED offboarding per customer" on every node.
 * The executor locks with SKIP LOCKED: a customer another executor (or a
 * request) holds is left for the next scan rather than waited for.
 */
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "clock.h"
#include "db_customers_internal.h"
#include "db_events.h"
#include "db_offboardings.h"
#include "log.h"

#define OFFB_COLS                                                                                  \
	"o.id, o.partner_id, o.customer_id, o.requestor_id, o.reason, o.status,"                   \
	" o.cancellation_date, o.created_at, o.modified_at, o.executed_at, o.status_before"

#define LOCK_CUSTOMER_TEXT                                                                         \
	"SELECT c.entity_type, c.status FROM customers c WHERE c.id = ? AND (c.partner_id = ? OR " \
	"? = 0)"                                                                                   \
	" FOR UPDATE"
static const char SQL_LOCK_CUSTOMER[] = LOCK_CUSTOMER_TEXT;
static const char SQL_EXEC_LOCK[] = LOCK_CUSTOMER_TEXT " SKIP LOCKED";

static const char SQL_OPEN[] = "SELECT id FROM offboardings WHERE open_customer = ?";

static const char SQL_INSERT[] =
        "INSERT INTO offboardings (id, partner_id, customer_id, reason, status, requestor_id,"
        " cancellation_date, created_at, modified_at, status_before)"
        " VALUES (?, ?, ?, ?, 'CREATED', ?, ?, ?, ?, ?)";

static const char SQL_GET[] =
        "SELECT " OFFB_COLS " FROM offboardings o WHERE o.id = ? AND (o.partner_id = ? OR ? = 0)";

/* Cancel (CANCELED, executed_at NULL) or execute (APPROVED, executed_at now). */
static const char SQL_CLOSE[] =
        "UPDATE offboardings SET status = ?, modified_at = ?, executed_at = ?"
        " WHERE id = ? AND status = 'CREATED'";

static const char SQL_DUE[] = "SELECT o.id FROM offboardings o FORCE INDEX (idx_offboardings_due)"
                              " WHERE o.status = 'CREATED' AND o.cancellation_date <= ?"
                              " ORDER BY o.cancellation_date, o.id LIMIT ?";

#define DUE_BATCH 100

/* ---- rows ---------------------------------------------------------------- */

struct offb_cols {
	struct db_cols c;
	char reason[48];
	char status[16];
	char before[16];
};

static void offb_bind(struct offb_cols *oc, struct offboarding_row *row)
{
	db_cols_init(&oc->c);
	db_col_uuid(&oc->c, &row->id);
	db_col_u64(&oc->c, &row->partner_id);
	db_col_uuid(&oc->c, &row->customer_id);
	db_col_uuid(&oc->c, &row->requestor_id);
	db_col_str(&oc->c, oc->reason, sizeof(oc->reason), NULL);
	db_col_str(&oc->c, oc->status, sizeof(oc->status), NULL);
	db_col_ms(&oc->c, &row->cancellation_ms);
	db_col_ms(&oc->c, &row->created_ms);
	db_col_ms(&oc->c, &row->modified_ms);
	db_col_ms(&oc->c, &row->executed_ms);
	db_col_str(&oc->c, oc->before, sizeof(oc->before), NULL);
}

static int offb_finish(const struct offb_cols *oc, struct offboarding_row *row)
{
	if (offb_reason_parse(oc->reason, strlen(oc->reason), &row->reason) ||
	    offb_status_parse(oc->status, strlen(oc->status), &row->status) ||
	    customer_status_parse(oc->before, strlen(oc->before), &row->status_before)) {
		log_error("offboarding row with unknown reason or status '%s' '%s' '%s'",
		          oc->reason, oc->status, oc->before);
		return DB_ERROR;
	}
	return DB_OK;
}

static int get_row(struct db *db, uint64_t partner_id, const struct uuid *id,
                   struct offboarding_row *row)
{
	struct offb_cols oc;
	struct db_params p;
	int rc;

	db_params_init(&p);
	db_param_uuid(&p, id);
	db_param_u64(&p, partner_id);
	db_param_u64(&p, partner_id);
	offb_bind(&oc, row);
	rc = db_exec_one(db, SLOT_OFFB_GET, SQL_GET, &p, &oc.c);
	return rc == DB_OK ? offb_finish(&oc, row) : rc;
}

/* ---- shared steps ------------------------------------------------------- */

/*
 * The OFFBOARDING_NOTIFICATION of contract §13 in the open transaction:
 * {offboardingId, roleId, status, notificationType} ("CREATED" when it is
 * made, "UPDATED" when canceled or executed).
 */
static int offb_event(struct db *db, uint64_t partner_id, const struct uuid *offb,
                      const struct uuid *customer, enum offb_status status, int64_t ms)
{
	struct event_new e = {partner_id, EVENT_OFFBOARDING, customer, ms, NULL};
	char id[UUID_STR_LEN + 1], role[UUID_STR_LEN + 1];

	uuid_format(offb, id);
	uuid_format(customer, role);
	return db_event_append_owned(db, &e,
	                             json_pack("{s:s, s:s, s:s, s:s}", "offboardingId", id,
	                                       "roleId", role, "status", offb_status_name(status),
	                                       "notificationType",
	                                       status == OFFB_CREATED ? "CREATED" : "UPDATED"));
}

struct locked_customer {
	char type[24];
	char status[16];
	enum entity_type entity_type;
};

/* The customer's row lock, of partner_id (0: any); skip_locked for the executor. */
static int lock_customer(struct db *db, const struct uuid *id, uint64_t partner_id, int skip_locked,
                         struct locked_customer *lk)
{
	struct db_params p;
	struct db_cols c;
	int rc;

	db_params_init(&p);
	db_param_uuid(&p, id);
	db_param_u64(&p, partner_id);
	db_param_u64(&p, partner_id);
	db_cols_init(&c);
	db_col_str(&c, lk->type, sizeof(lk->type), NULL);
	db_col_str(&c, lk->status, sizeof(lk->status), NULL);
	rc = skip_locked ? db_exec_one(db, SLOT_OFFB_EXEC_LOCK, SQL_EXEC_LOCK, &p, &c)
	                 : db_exec_one(db, SLOT_OFFB_LOCK_CUSTOMER, SQL_LOCK_CUSTOMER, &p, &c);
	if (rc == DB_OK && entity_type_parse(lk->type, strlen(lk->type), &lk->entity_type)) {
		log_error("customer with unknown entity type '%s'", lk->type);
		rc = DB_ERROR;
	}
	return rc;
}

/* The customer's CREATED offboarding: DB_OK and *id, or DB_NOT_FOUND. */
static int find_open(struct db *db, const struct uuid *customer, struct uuid *id)
{
	struct db_params p;
	struct db_cols c;

	db_params_init(&p);
	db_param_uuid(&p, customer);
	db_cols_init(&c);
	db_col_uuid(&c, id);
	return db_exec_one(db, SLOT_OFFB_OPEN, SQL_OPEN, &p, &c);
}

/* CREATED -> to; *closed 0 when it was not CREATED any more. */
static int close_offb(struct db *db, const struct uuid *id, enum offb_status to, int64_t ms,
                      int *closed)
{
	struct db_params p;
	MYSQL_STMT *st = NULL;
	int rc;

	db_params_init(&p);
	db_param_cstr(&p, offb_status_name(to));
	db_param_ms(&p, ms);
	db_param_ms(&p, to == OFFB_APPROVED ? ms : -1);
	db_param_uuid(&p, id);
	rc = db_exec(db, SLOT_OFFB_CLOSE, SQL_CLOSE, &p, &st);
	*closed = rc == DB_OK && mysql_stmt_affected_rows(st) == 1;
	return rc;
}

int db_offboarding_cancel_open(struct db *db, uint64_t partner_id, const struct uuid *customer,
                               int64_t ms, struct uuid *canceled, int *found)
{
	int rc = find_open(db, customer, canceled);

	*found = 0;
	if (rc == DB_NOT_FOUND)
		return DB_OK;
	if (rc == DB_OK)
		rc = close_offb(db, canceled, OFFB_CANCELED, ms, found);
	if (rc == DB_OK && *found)
		rc = offb_event(db, partner_id, canceled, customer, OFFB_CANCELED, ms);
	return rc;
}

/* ---- create -------------------------------------------------------------- */

struct create_work {
	const struct audit_ctx *who;
	const struct uuid *customer;
	enum offb_reason reason;
	unsigned notice_months;
	struct uuid *id;
	enum offb_refusal *why;
};

static int insert_offb(struct db *db, const struct create_work *w, const char *status_before,
                       int64_t cancel_ms, int64_t ms)
{
	struct db_params p;

	db_params_init(&p);
	db_param_uuid(&p, w->id);
	db_param_u64(&p, w->who->partner_id);
	db_param_uuid(&p, w->customer);
	db_param_cstr(&p, offb_reason_name(w->reason));
	db_param_uuid(&p, w->who->requestor);
	db_param_ms(&p, cancel_ms);
	db_param_ms(&p, ms);
	db_param_ms(&p, ms);
	db_param_cstr(&p, status_before);
	return db_exec(db, SLOT_OFFB_INSERT, SQL_INSERT, &p, NULL);
}

/* What refuses an offboarding of the locked customer, or OFFB_REFUSED_NONE. */
static int create_refusal(struct db *db, const struct create_work *w,
                          const struct locked_customer *lk, enum offb_refusal *why)
{
	struct uuid open;
	int rc = DB_OK;

	*why = OFFB_REFUSED_NONE;
	if (!strcmp(lk->status, customer_status_name(STATUS_OFFBOARDED)))
		*why = OFFB_CUSTOMER_OFFBOARDED;
	else if (!offb_reason_applies(w->reason, lk->entity_type))
		*why = OFFB_NOT_APPLICABLE;
	else if ((rc = find_open(db, w->customer, &open)) == DB_OK)
		*why = OFFB_IN_PROGRESS;
	return rc == DB_NOT_FOUND ? DB_OK : rc;
}

/* The offboarding's id is a UUIDv7 of its creation millisecond, as a customer's is. */
static int create_run(struct db *db, void *arg)
{
	struct create_work *w = arg;
	struct locked_customer lk;
	int64_t ms, cancel_ms;
	struct audit_rec a = {w->customer,
	                      w->who->partner_id,
	                      "status",
	                      NULL,
	                      NULL,
	                      lk.status,
	                      customer_status_name(STATUS_OFFBOARDING),
	                      w->id,
	                      0};
	int rc = lock_customer(db, w->customer, w->who->partner_id, 0, &lk);

	if (rc == DB_OK)
		rc = create_refusal(db, w, &lk, w->why);
	if (rc != DB_OK || *w->why != OFFB_REFUSED_NONE)
		return rc != DB_OK ? rc : DB_CONFLICT;
	if (uuid_v7_at(clock_wall_ms(), w->id)) {
		log_error("uuid_v7_at: no random bytes");
		return DB_ERROR;
	}
	a.ms = ms = uuid_v7_ms(w->id);
	cancel_ms =
	        offb_reason_ordinary(w->reason) ? calendar_add_months(ms, w->notice_months) : ms;
	rc = insert_offb(db, w, lk.status, cancel_ms, ms);
	if (rc == DB_CONFLICT)
		*w->why = OFFB_IN_PROGRESS; /* the open_customer key: a writer on another node */
	if (rc == DB_OK)
		rc = db_customer_change_status(db, w->who->partner_id, w->customer, lk.status,
		                               STATUS_OFFBOARDING, cancel_ms, ms);
	if (rc == DB_OK)
		rc = db_customer_audit(db, w->who, &a);
	if (rc == DB_OK)
		rc = offb_event(db, w->who->partner_id, w->id, w->customer, OFFB_CREATED, ms);
	return rc;
}

int db_offboarding_create(struct db *db, const struct audit_ctx *who, const struct uuid *customer,
                          enum offb_reason reason, unsigned notice_months, struct uuid *id,
                          enum offb_refusal *why)
{
	struct create_work w = {who, customer, reason, notice_months, id, why};

	*why = OFFB_REFUSED_NONE;
	if (!who->requestor || who->partner_id == 0) {
		log_error("offboarding create: no requestor or partner 0");
		return DB_ERROR;
	}
	return db_tx(db, create_run, &w);
}

/* ---- cancel -------------------------------------------------------------- */

struct cancel_work {
	const struct audit_ctx *who;
	const struct uuid *id;
	enum offb_refusal *why;
	struct offboarding_row row;
	struct locked_customer lk;
};

static int cancel_run(struct db *db, void *arg)
{
	struct cancel_work *w = arg;
	int64_t ms = clock_wall_ms();
	int closed = 0;
	struct audit_rec a = {&w->row.customer_id,
	                      w->who->partner_id,
	                      "status",
	                      NULL,
	                      NULL,
	                      w->lk.status,
	                      NULL,
	                      w->id,
	                      ms};
	int rc = get_row(db, w->who->partner_id, w->id, &w->row);

	*w->why = OFFB_REFUSED_NONE;
	if (rc == DB_OK)
		rc = lock_customer(db, &w->row.customer_id, w->who->partner_id, 0, &w->lk);
	if (rc == DB_OK && offb_reason_ordinary(w->row.reason))
		rc = close_offb(db, w->id, OFFB_CANCELED, ms, &closed);
	if (rc != DB_OK)
		return rc;
	if (!closed) {
		*w->why = OFFB_NOT_CANCELABLE;
		return DB_CONFLICT;
	}
	a.status_after = customer_status_name(w->row.status_before);
	rc = db_customer_change_status(db, w->who->partner_id, &w->row.customer_id, w->lk.status,
	                               w->row.status_before, -1, ms);
	if (rc == DB_OK)
		rc = db_customer_audit(db, w->who, &a);
	if (rc == DB_OK)
		rc = offb_event(db, w->who->partner_id, w->id, &w->row.customer_id, OFFB_CANCELED,
		                ms);
	return rc;
}

int db_offboarding_cancel(struct db *db, const struct audit_ctx *who, const struct uuid *id,
                          enum offb_refusal *why)
{
	struct cancel_work w = {.who = who, .id = id, .why = why};

	*why = OFFB_REFUSED_NONE;
	return db_tx(db, cancel_run, &w);
}

/* ---- reads --------------------------------------------------------------- */

struct get_work {
	uint64_t partner_id;
	const struct uuid *id;
	struct offboarding_row *out;
};

static int get_read(struct db *db, void *arg)
{
	struct get_work *w = arg;

	return get_row(db, w->partner_id, w->id, w->out);
}

int db_offboarding_get(struct db *db, uint64_t partner_id, const struct uuid *id,
                       struct offboarding_row *out)
{
	struct get_work w = {partner_id, id, out};

	return db_read(db, get_read, &w);
}

/* Shape bits: partner given, roleId, status; each its own cached statement. */
static unsigned list_shape(const struct offb_query *q)
{
	return (q->partner_id ? 4u : 0u) | (q->customer ? 2u : 0u) | (q->has_status ? 1u : 0u);
}

static void list_sql(unsigned shape, char *sql, size_t cap)
{
	snprintf(sql, cap,
	         "SELECT " OFFB_COLS " FROM offboardings o WHERE o.id < ?%s%s%s"
	         " ORDER BY o.id DESC LIMIT ?",
	         shape & 4u ? " AND o.partner_id = ?" : "",
	         shape & 2u ? " AND o.customer_id = ?" : "", shape & 1u ? " AND o.status = ?" : "");
}

struct list_work {
	const struct offb_query *q;
	db_offb_cb cb;
	void *arg;
};

static void list_params(const struct offb_query *q, const struct uuid *top, struct db_params *p)
{
	db_params_init(p);
	db_param_uuid(p, q->after ? q->after : top);
	if (q->partner_id)
		db_param_u64(p, q->partner_id);
	if (q->customer)
		db_param_uuid(p, q->customer);
	if (q->has_status)
		db_param_cstr(p, offb_status_name(q->status));
	db_param_u64(p, q->max);
}

static int list_read(struct db *db, void *arg)
{
	struct list_work *w = arg;
	struct uuid top;
	struct offboarding_row row;
	struct offb_cols oc;
	struct db_params p;
	MYSQL_STMT *st = NULL;
	char sql[512];
	unsigned shape = list_shape(w->q);
	int rc;

	memset(top.b, 0xFF, sizeof(top.b)); /* "no cursor": above every id */
	list_sql(shape, sql, sizeof(sql));
	list_params(w->q, &top, &p);
	rc = db_exec(db, SLOT_OFFB_LIST + shape, sql, &p, &st);
	offb_bind(&oc, &row);
	if (rc == DB_OK)
		rc = db_fetch_begin(db, st, &oc.c);
	while (rc == DB_OK && (rc = db_fetch(db, st, &oc.c)) == DB_OK) {
		rc = offb_finish(&oc, &row);
		if (rc == DB_OK && w->cb(&row, w->arg))
			break;
	}
	if (st)
		db_fetch_end(st);
	return rc == DB_NOT_FOUND ? DB_OK : rc;
}

int db_offboarding_list(struct db *db, const struct offb_query *q, db_offb_cb cb, void *arg)
{
	struct list_work w = {q, cb, arg};

	return db_read(db, list_read, &w);
}

/* ---- execution ----------------------------------------------------------- */

struct exec_work {
	const struct uuid *id;
	int done;
	struct offboarding_row row;
	struct locked_customer lk;
};

/*
 * One due offboarding.  Not CREATED any more (executed by another
 * executor, canceled), or its customer locked by someone else: nothing
 * written, done 0, and the rollback costs nothing.
 */
static int exec_run(struct db *db, void *arg)
{
	struct exec_work *w = arg;
	int64_t ms = clock_wall_ms();
	const char *client = "executor";
	struct audit_ctx who = {0, client, &w->row.requestor_id, NULL, NULL};
	struct audit_rec a = {&w->row.customer_id,
	                      0,
	                      "status",
	                      NULL,
	                      NULL,
	                      w->lk.status,
	                      customer_status_name(STATUS_OFFBOARDED),
	                      w->id,
	                      ms};
	int rc = get_row(db, 0, w->id, &w->row);

	w->done = 0;
	if (rc == DB_OK)
		rc = lock_customer(db, &w->row.customer_id, 0, 1, &w->lk);
	if (rc == DB_OK)
		rc = close_offb(db, w->id, OFFB_APPROVED, ms, &w->done);
	if (rc != DB_OK || !w->done)
		return rc != DB_OK ? rc : DB_NOT_FOUND;
	who.partner_id = a.partner_id = w->row.partner_id;
	rc = db_customer_change_status(db, who.partner_id, &w->row.customer_id, w->lk.status,
	                               STATUS_OFFBOARDED, w->row.cancellation_ms, ms);
	if (rc == DB_OK)
		rc = db_customer_audit(db, &who, &a);
	if (rc == DB_OK)
		rc = offb_event(db, who.partner_id, w->id, &w->row.customer_id, OFFB_APPROVED, ms);
	return rc;
}

struct due_work {
	int64_t now_ms;
	unsigned max;
	unsigned n;
	struct uuid ids[DUE_BATCH];
};

static int due_read(struct db *db, void *arg)
{
	struct due_work *w = arg;
	struct db_params p;
	struct db_cols c;
	MYSQL_STMT *st = NULL;
	struct uuid id;
	int rc;

	w->n = 0;
	db_params_init(&p);
	db_param_ms(&p, w->now_ms);
	db_param_u64(&p, w->max);
	db_cols_init(&c);
	db_col_uuid(&c, &id);
	rc = db_exec(db, SLOT_OFFB_DUE, SQL_DUE, &p, &st);
	if (rc == DB_OK)
		rc = db_fetch_begin(db, st, &c);
	while (rc == DB_OK && (rc = db_fetch(db, st, &c)) == DB_OK && w->n < DUE_BATCH)
		w->ids[w->n++] = id;
	if (st)
		db_fetch_end(st);
	return rc == DB_NOT_FOUND ? DB_OK : rc;
}

int db_offboarding_run_due(struct db *db, int64_t now_ms, unsigned max, unsigned *executed)
{
	struct due_work due = {now_ms, max < DUE_BATCH ? max : DUE_BATCH, 0, {{{0}}}};
	int rc = db_read(db, due_read, &due);

	*executed = 0;
	for (unsigned i = 0; rc == DB_OK && i < due.n; i++) {
		struct exec_work w = {.id = &due.ids[i]};

		rc = db_tx(db, exec_run, &w);
		*executed += w.done && rc == DB_OK;
		if (rc == DB_NOT_FOUND)
			rc = DB_OK; /* done elsewhere, canceled, or its customer busy: the next scan
			             */
	}
	return rc;
}
