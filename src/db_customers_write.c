/*
 * db_customers_write: creating customers, changing their labels and
 * status, and the audit record of each.
 *
 * Writes run in db_tx() with their audit record and then their event
 * (db_events.h), written last.  The
 * customer's row lock (SELECT ... FOR UPDATE) orders concurrent PATCHes;
 * the unique key (partner_id, entity_live) decides concurrent creates:
 * entity_live is the entity while its customer is not OFFBOARDED, so an
 * offboarded entity can become a customer again (contract §12).
 * A customer's labels are rows of customer_labels (db_labels.c), kept in
 * the same transaction as the row's read copy (read_copy.c), which holds
 * them sorted in byte order.
 * If-Match arrives parsed (if_match.h) and is compared with the locked
 * row's version; a PATCH without it takes a path that needs no lock
 * first (labels_set_blind).
 */
#include <mysqld_error.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "db_customers_internal.h"
#include "db_events.h"
#include "db_labels.h"
#include "log.h"

/* The entity's customer that is not OFFBOARDED (uk_customers_partner_live): one at most. */
static const char SQL_EXISTING[] =
        "SELECT id FROM customers WHERE partner_id = ? AND entity_live = ?";

static const char SQL_INSERT[] =
        "INSERT INTO customers (id, partner_id, entity_id, entity_type, status, created_at,"
        " modified_at, version, labels_text, ref_accounts_text)"
        " VALUES (?, ?, ?, ?, 'CREATED', ?, ?, 1, ?, ?)";

/* partner 0 (the admin tool) may lock any partner's customer. */
static const char SQL_LOCK[] =
        "SELECT c.partner_id, c.version, c.status, c.cancellation_date, c.labels_text"
        " FROM customers c WHERE c.id = ? AND (c.partner_id = ? OR ? = 0) FOR UPDATE";

#define SQL_TOUCH_TEXT                                                                             \
	"UPDATE customers SET labels_text = ?, modified_at = ?, version = version + 1"             \
	" WHERE id = ?"
static const char SQL_TOUCH[] = SQL_TOUCH_TEXT;

static const char SQL_STATUS[] =
        "UPDATE customers SET status = ?, cancellation_date = ?, modified_at = ?,"
        " version = version + 1 WHERE id = ?";

static const char SQL_LABELS_DELETE[] = "DELETE FROM customer_labels WHERE customer_id = ?";

/* A PATCH without If-Match: the row lock and the change in one statement (labels_set_blind). */
static const char SQL_TOUCH_IF_CHANGED[] =
        SQL_TOUCH_TEXT " AND partner_id = ? AND labels_text <> ? AND status <> 'OFFBOARDED'";

#define SQL_AUDIT_HEAD                                                                             \
	"INSERT INTO customer_audit (customer_id, partner_id, client_id, requestor_id,"            \
	" request_id, action, labels_before, labels_after, status_before, status_after,"           \
	" offboarding_id, created_at)"
static const char SQL_AUDIT[] = SQL_AUDIT_HEAD " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_AUDIT_CHECKED[] = SQL_AUDIT_HEAD
        " VALUES (?, ?, (SELECT o.client_id " CLIENT_ROW "), ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/* ---- audit ---------------------------------------------------------------- */

int db_customer_audit(struct db *db, const struct audit_ctx *who, const struct audit_rec *a)
{
	char *before = a->before ? db_labels_json(a->before) : NULL;
	char *after = a->after ? db_labels_json(a->after) : NULL;
	struct db_params p;
	int rc = DB_ERROR;

	if ((a->before && !before) || (a->after && !after)) {
		log_error("audit: out of memory");
		goto out;
	}
	db_params_init(&p);
	db_param_uuid(&p, a->customer);
	db_param_u64(&p, a->partner_id);
	if (who->check)
		db_param_check(&p, who->check, a->partner_id);
	else
		db_param_cstr(&p, who->client_id ? who->client_id : "");
	db_param_uuid(&p, who->requestor);
	db_param_cstr(&p, who->request_id);
	db_param_cstr(&p, a->action);
	db_param_cstr(&p, before);
	db_param_cstr(&p, after);
	db_param_cstr(&p, a->status_before);
	db_param_cstr(&p, a->status_after);
	db_param_uuid(&p, a->offboarding);
	db_param_ms(&p, a->ms);
	if (who->check) {
		rc = db_exec_quiet(db, SLOT_AUDIT_INSERT_CHECKED, SQL_AUDIT_CHECKED, &p,
		                   ER_BAD_NULL_ERROR);
		if (rc == DB_ERROR && db->last_errno == ER_BAD_NULL_ERROR)
			rc = DB_UNCONFIRMED;
	} else {
		rc = db_exec(db, SLOT_AUDIT_INSERT, SQL_AUDIT, &p, NULL);
	}
out:
	free(before);
	free(after);
	return rc;
}

/* ---- create -------------------------------------------------------------- */

struct create_work {
	const struct audit_ctx *who;
	const struct customer_new *c;
	struct uuid *id;
};

static int insert_customer(struct db *db, struct create_work *w, int64_t ms)
{
	char labels[ROW_LABELS_CAP], refs[ROW_REFS_CAP];
	long nl = read_copy_join_labels(&w->c->labels, labels, sizeof(labels));
	long nr = read_copy_join_refs(w->c->ref, w->c->nref, refs, sizeof(refs));
	struct db_params p;

	if (nl < 0 || nr < 0) {
		log_error("create: labels or ref accounts too long for their read copy");
		return DB_ERROR;
	}
	db_params_init(&p);
	db_param_uuid(&p, w->id);
	db_param_u64(&p, w->who->partner_id);
	db_param_uuid(&p, &w->c->entity_id);
	db_param_cstr(&p, entity_type_name(w->c->entity_type));
	db_param_ms(&p, ms);
	db_param_ms(&p, ms);
	db_param_str(&p, labels, (size_t)nl);
	db_param_str(&p, refs, (size_t)nr);
	return db_exec(db, SLOT_CUSTOMER_INSERT, SQL_INSERT, &p, NULL);
}

/*
 * created_at is the id's own millisecond (which the generator may have
 * moved past now to keep ids increasing), so id order is creation order.
 */
static int create_run(struct db *db, void *arg)
{
	struct create_work *w = arg;
	struct audit_rec a = {
	        w->id, w->who->partner_id, "create", NULL, &w->c->labels, NULL, NULL, NULL, 0};
	int rc;

	if (uuid_v7_at(clock_wall_ms(), w->id)) {
		log_error("uuid_v7_at: no random bytes");
		return DB_ERROR;
	}
	a.ms = uuid_v7_ms(w->id);
	rc = insert_customer(db, w, a.ms);
	if (rc == DB_OK)
		rc = db_labels_attach(db, w->who->partner_id, w->id, &w->c->labels);
	if (rc == DB_OK)
		rc = db_labels_count(db, w->who->partner_id, w->id, NULL, &w->c->labels);
	if (rc == DB_OK)
		rc = db_customer_audit(db, w->who, &a);
	if (rc == DB_OK)
		rc = db_event_customer(db, w->who->partner_id, w->id, STATUS_CREATED, "CREATED",
		                       a.ms);
	return rc;
}

struct existing_work {
	uint64_t partner_id;
	const struct uuid *entity_id;
	struct uuid *out;
};

static int existing_run(struct db *db, void *arg)
{
	struct existing_work *w = arg;
	struct db_params p;
	struct db_cols c;

	db_params_init(&p);
	db_param_u64(&p, w->partner_id);
	db_param_uuid(&p, w->entity_id);
	db_cols_init(&c);
	db_col_uuid(&c, w->out);
	return db_exec_one(db, SLOT_CUSTOMER_EXISTING, SQL_EXISTING, &p, &c);
}

/*
 * A duplicate (partner, entity) is read back after the rollback: at READ
 * COMMITTED the winner's row is visible.  Should the winner have rolled
 * back in between, the create is simply tried once more.
 */
int db_customer_create(struct db *db, const struct audit_ctx *who, const struct customer_new *c,
                       struct uuid *id, struct uuid *existing)
{
	struct create_work w = {who, c, id};
	struct existing_work e = {who->partner_id, &c->entity_id, existing};

	for (int attempt = 0; attempt < 2; attempt++) {
		int rc = db_tx(db, create_run, &w);

		if (rc != DB_CONFLICT)
			return rc;
		rc = db_read(db, existing_run, &e);
		if (rc == DB_OK)
			return DB_CONFLICT;
		if (rc != DB_NOT_FOUND)
			return rc;
	}
	log_error("create: duplicate key but no existing customer for the entity");
	return DB_ERROR;
}

/* ---- updates -------------------------------------------------------------- */

struct locked {
	uint64_t partner_id;
	uint64_t version;
	char status[16];
	int64_t cancellation_ms;
	size_t labels_len;
	struct label_set labels; /* point into buf */
	char buf[ROW_LABELS_CAP];
};

/* Locks customer id (of partner_id, or of any partner when 0) and reads its state. */
static int lock_customer(struct db *db, const struct uuid *id, uint64_t partner_id,
                         struct locked *lk)
{
	struct db_params p;
	struct db_cols c;
	int rc;

	db_params_init(&p);
	db_param_uuid(&p, id);
	db_param_u64(&p, partner_id);
	db_param_u64(&p, partner_id);
	db_cols_init(&c);
	db_col_u64(&c, &lk->partner_id);
	db_col_u64(&c, &lk->version);
	db_col_str(&c, lk->status, sizeof(lk->status), NULL);
	db_col_ms(&c, &lk->cancellation_ms);
	db_col_str(&c, lk->buf, sizeof(lk->buf), &lk->labels_len);
	rc = db_exec_one(db, SLOT_CUSTOMER_LOCK, SQL_LOCK, &p, &c);
	if (rc == DB_OK && read_copy_split_labels(lk->buf, lk->labels_len, &lk->labels)) {
		log_error("customer has more than %d labels", LABELS_MAX);
		rc = DB_ERROR;
	}
	return rc;
}

static int touch_customer(struct db *db, const struct uuid *id, const struct label_set *labels,
                          int64_t ms)
{
	char text[ROW_LABELS_CAP];
	long n = read_copy_join_labels(labels, text, sizeof(text));
	struct db_params p;

	if (n < 0)
		return DB_ERROR;
	db_params_init(&p);
	db_param_str(&p, text, (size_t)n);
	db_param_ms(&p, ms);
	db_param_uuid(&p, id);
	return db_exec(db, SLOT_CUSTOMER_TOUCH, SQL_TOUCH, &p, NULL);
}

static int replace_labels(struct db *db, uint64_t partner_id, const struct uuid *id,
                          const struct label_set *old, const struct label_set *labels, int64_t ms)
{
	struct db_params p;
	int rc;

	db_params_init(&p);
	db_param_uuid(&p, id);
	rc = db_exec(db, SLOT_LABELS_DELETE, SQL_LABELS_DELETE, &p, NULL);
	if (rc == DB_OK)
		rc = db_labels_attach(db, partner_id, id, labels);
	if (rc == DB_OK)
		rc = db_labels_count(db, partner_id, id, old, labels);
	if (rc == DB_OK)
		rc = touch_customer(db, id, labels, ms);
	return rc;
}

struct labels_work {
	const struct audit_ctx *who;
	const struct uuid *id;
	const struct label_set *labels;
	const struct if_match *if_match; /* NULL when absent */
	int *changed;
	struct locked lk;
};

/*
 * The common PATCH (a new set, no If-Match) without reading the row first:
 * an UPDATE that matches only when the set differs takes the row lock and
 * writes the read copy and version, and the old labels come back from
 * their DELETE ... RETURNING (db_labels_take); one round trip fewer than lock, then write.
 * *changed 0 (nothing done) when the customer is unknown or already has
 * the set: the caller then takes the locking path, which tells them apart.
 */
static int labels_set_blind(struct db *db, struct labels_work *w, int64_t ms, int *changed)
{
	char text[ROW_LABELS_CAP];
	long n = read_copy_join_labels(w->labels, text, sizeof(text));
	struct db_params p;
	MYSQL_STMT *st = NULL;
	int rc;

	*changed = 0;
	if (n < 0)
		return DB_ERROR;
	db_params_init(&p);
	db_param_str(&p, text, (size_t)n);
	db_param_ms(&p, ms);
	db_param_uuid(&p, w->id);
	db_param_u64(&p, w->who->partner_id);
	db_param_str(&p, text, (size_t)n);
	rc = db_exec(db, SLOT_CUSTOMER_TOUCH_IF_CHANGED, SQL_TOUCH_IF_CHANGED, &p, &st);
	if (rc != DB_OK || mysql_stmt_affected_rows(st) != 1)
		return rc;
	rc = db_labels_take(db, w->id, w->lk.buf, sizeof(w->lk.buf), &w->lk.labels);
	if (rc == DB_OK)
		rc = db_labels_attach(db, w->who->partner_id, w->id, w->labels);
	if (rc == DB_OK)
		rc = db_labels_count(db, w->who->partner_id, w->id, &w->lk.labels, w->labels);
	*changed = rc == DB_OK;
	return rc;
}

/* Under the row lock: If-Match, then the new set if it differs. */
static int labels_set_locked(struct db *db, struct labels_work *w, const struct label_set *want,
                             int64_t ms, int *changed)
{
	int rc = lock_customer(db, w->id, w->who->partner_id, &w->lk);

	if (rc != DB_OK)
		return rc;
	if (!strcmp(w->lk.status, customer_status_name(STATUS_OFFBOARDED)))
		return DB_CONFLICT; /* read-only (contract §12) */
	if (!if_match_allows(w->if_match, (uint32_t)w->lk.version))
		return DB_PRECONDITION;
	*changed = !label_set_equal(&w->lk.labels, want);
	return *changed ? replace_labels(db, w->who->partner_id, w->id, &w->lk.labels, want, ms)
	                : DB_OK;
}

/*
 * An unchanged set is still a successful PATCH, so it is audited too; so is
 * the `{}` no-op (labels NULL), which keeps the set it finds.
 */
static int labels_run(struct db *db, void *arg)
{
	struct labels_work *w = arg;
	int64_t ms = clock_wall_ms();
	int changed = 0, rc = DB_OK;
	const struct label_set *want = w->labels ? w->labels : &w->lk.labels;
	struct audit_rec a = {
	        w->id, w->who->partner_id, "labels", &w->lk.labels, want, NULL, NULL, NULL, ms};

	if (w->labels && !w->if_match)
		rc = labels_set_blind(db, w, ms, &changed);
	if (rc == DB_OK && !changed)
		rc = labels_set_locked(db, w, want, ms, &changed);
	if (rc == DB_OK)
		rc = db_customer_audit(db, w->who, &a);
	if (rc == DB_OK && changed)
		rc = db_event_labels(db, w->who->partner_id, w->id, 1, ms);
	if (rc == DB_OK)
		*w->changed = changed;
	return rc;
}

int db_customer_set_labels(struct db *db, const struct audit_ctx *who, const struct uuid *id,
                           const struct label_set *labels, const struct if_match *if_match,
                           int *changed)
{
	struct labels_work w = {who, id, labels, if_match, changed, {0}};

	*changed = 0;
	if (who->partner_id == 0 || (labels && labels->n > LABELS_MAX)) {
		log_error("set_labels: partner 0 or %zu labels", labels ? labels->n : 0);
		return DB_ERROR;
	}
	return db_tx(db, labels_run, &w);
}

struct status_work {
	const struct audit_ctx *who;
	const struct uuid *id;
	enum customer_status status;
	struct locked lk;
};

static int status_offboarding(enum customer_status s)
{
	return s == STATUS_OFFBOARDING || s == STATUS_OFFBOARDED;
}

/* OFFBOARDED customers are not counted (contract §11): entering or leaving it moves their labels.
 */
static int offboarded_changes(const char *from, enum customer_status to)
{
	return !strcmp(from, customer_status_name(STATUS_OFFBOARDED)) != (to == STATUS_OFFBOARDED);
}

static int update_status(struct db *db, const struct uuid *id, enum customer_status s,
                         int64_t cancellation_ms, int64_t ms)
{
	struct db_params p;

	db_params_init(&p);
	db_param_cstr(&p, customer_status_name(s));
	db_param_ms(&p, cancellation_ms);
	db_param_ms(&p, ms);
	db_param_uuid(&p, id);
	return db_exec(db, SLOT_CUSTOMER_STATUS, SQL_STATUS, &p, NULL);
}

int db_customer_change_status(struct db *db, uint64_t partner_id, const struct uuid *id,
                              const char *from, enum customer_status to, int64_t cancellation_ms,
                              int64_t ms)
{
	int changed = strcmp(from, customer_status_name(to)) != 0;
	int rc = changed ? update_status(db, id, to, cancellation_ms, ms) : DB_OK;

	if (rc == DB_OK && offboarded_changes(from, to))
		rc = db_labels_count_all(db, id, to == STATUS_OFFBOARDED ? -1 : 1);
	if (rc == DB_OK && changed)
		rc = db_event_customer(db, partner_id, id, to, "UPDATED", ms);
	return rc;
}

/*
 * Setting the current status again changes nothing (no version bump, no
 * event) but is audited.  An open offboarding is canceled by the override
 * (contract §12: never bypassed silently), and the audit record names it.
 */
static int status_run(struct db *db, void *arg)
{
	struct status_work *w = arg;
	int64_t ms = clock_wall_ms(), cancel = -1;
	struct uuid offb;
	int open = 0;
	struct audit_rec a = {
	        w->id, 0, "status", NULL, NULL, w->lk.status, customer_status_name(w->status),
	        NULL,  ms};
	int rc = lock_customer(db, w->id, w->who->partner_id, &w->lk);

	if (rc != DB_OK)
		return rc;
	a.partner_id = w->lk.partner_id;
	rc = db_offboarding_cancel_open(db, a.partner_id, w->id, ms, &offb, &open);
	if (rc != DB_OK)
		return rc;
	a.offboarding = open ? &offb : NULL;
	if (status_offboarding(w->status))
		cancel = w->lk.cancellation_ms >= 0 ? w->lk.cancellation_ms : ms;
	rc = db_customer_change_status(db, a.partner_id, w->id, w->lk.status, w->status, cancel,
	                               ms);
	if (rc == DB_OK)
		rc = db_customer_audit(db, w->who, &a);
	return rc;
}

int db_customer_set_status(struct db *db, const struct audit_ctx *who, const struct uuid *id,
                           enum customer_status status)
{
	struct status_work w = {who, id, status, {0}};

	return db_tx(db, status_run, &w);
}
