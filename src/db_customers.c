/*
 * db_customers: reading customers, and what all customer statements share.
 *
 * A customer is read in one index lookup: its labels and ref accounts come
 * from read copies on the customer row (labels_text, ref_accounts_text;
 * the codec is read_copy.c), which writers keep in step with the label
 * rows in the same transaction.  A fetched row lands in the caller's
 * struct customer_row: fixed columns bound straight to its fields, the
 * two read copies into the two parts of its buffer, then cut up there in
 * place, so the row's strings live exactly as long as the row.
 *
 * The other customer statements live next door: the list planner in
 * db_customers_list.c, the writes and the audit trail in
 * db_customers_write.c.  A client_check rides on the statement that
 * answers the request: the GET, the list page, or a write's audit insert
 * (CLIENT_CHECK, db_customers_internal.h).
 */
#include <string.h>

#include "db_customers_internal.h"
#include "log.h"

#define SQL_GET_TEXT "SELECT " CUSTOMER_COLS " FROM customers c WHERE c.id = ? AND c.partner_id = ?"
static const char SQL_GET[] = SQL_GET_TEXT;
static const char SQL_GET_CHECKED[] = SQL_GET_TEXT CLIENT_CHECK;

/* ---- customer rows ------------------------------------------------------- */

/* Binds the CUSTOMER_COLS columns to row (borrowed until db_customer_row_finish). */
void db_customer_row_bind(struct row_cols *rc, struct customer_row *row)
{
	db_cols_init(&rc->c);
	db_col_uuid(&rc->c, &row->id);
	db_col_uuid(&rc->c, &row->entity_id);
	db_col_str(&rc->c, rc->type, sizeof(rc->type), NULL);
	db_col_str(&rc->c, rc->status, sizeof(rc->status), NULL);
	db_col_ms(&rc->c, &row->created_ms);
	db_col_ms(&rc->c, &row->modified_ms);
	db_col_ms(&rc->c, &row->cancellation_ms);
	db_col_u64(&rc->c, &rc->version);
	db_col_str(&rc->c, row->buf, ROW_LABELS_CAP, &rc->labels_len);
	db_col_str(&rc->c, row->buf + ROW_LABELS_CAP, sizeof(row->buf) - ROW_LABELS_CAP,
	           &rc->refs_len);
}

/* After a fetch: enums, version, and the concatenated columns cut up. */
int db_customer_row_finish(struct row_cols *rc, struct customer_row *row)
{
	row->version = (uint32_t)rc->version;
	if (entity_type_parse(rc->type, strlen(rc->type), &row->entity_type) ||
	    customer_status_parse(rc->status, strlen(rc->status), &row->status) ||
	    read_copy_split_labels(row->buf, rc->labels_len, &row->labels) ||
	    read_copy_split_refs(row->buf + ROW_LABELS_CAP, rc->refs_len, row->ref, &row->nref)) {
		log_error("malformed customer row (type '%s', status '%s')", rc->type, rc->status);
		return DB_ERROR;
	}
	return DB_OK;
}

/* Binds the CLIENT_CHECK parameters. */
void db_param_check(struct db_params *p, const struct client_check *check, uint64_t partner_id)
{
	db_param_cstr(p, check->client_id);
	db_param_u64(p, partner_id);
	db_param_cstr(p, check->scope);
}

/* ---- one customer -------------------------------------------------------- */

struct get_work {
	uint64_t partner_id;
	const struct client_check *check;
	const struct uuid *id;
	struct customer_row *row;
};

static int get_run(struct db *db, void *arg)
{
	struct get_work *w = arg;
	struct db_params p;
	struct row_cols rc;
	int rc_db;

	db_params_init(&p);
	db_param_uuid(&p, w->id);
	db_param_u64(&p, w->partner_id);
	if (w->check)
		db_param_check(&p, w->check, w->partner_id);
	db_customer_row_bind(&rc, w->row);
	rc_db = w->check ? db_exec_one(db, SLOT_CUSTOMER_GET_CHECKED, SQL_GET_CHECKED, &p, &rc.c)
	                 : db_exec_one(db, SLOT_CUSTOMER_GET, SQL_GET, &p, &rc.c);
	return rc_db == DB_OK ? db_customer_row_finish(&rc, w->row) : rc_db;
}

int db_customer_get(struct db *db, uint64_t partner_id, const struct client_check *check,
                    const struct uuid *id, struct customer_row *out)
{
	struct get_work w = {partner_id, check, id, out};

	return db_read(db, get_run, &w);
}
