/*
 * db_customers_internal: what the three files behind db_customers.h (and
 * db_offboardings.c, whose writes change customers) share and nobody else
 * sees: the customer columns and how a fetched row becomes
 * a struct customer_row (db_customers.c), and the client check that the
 * answering statement of a read (db_customers.c, db_customers_list.c) or
 * a write (db_customers_write.c) carries.
 */
#ifndef DB_CUSTOMERS_INTERNAL_H
#define DB_CUSTOMERS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "db_customers.h"
#include "db_internal.h"
#include "read_copy.h"

/* The row buffer's first part holds the labels, the rest the ref accounts. */
#define ROW_LABELS_CAP READ_COPY_LABELS_CAP
#define ROW_REFS_CAP (CUSTOMER_ROW_BUF - ROW_LABELS_CAP)

/* The columns of a customer row, in the order db_customer_row_bind() binds them. */
#define CUSTOMER_COLS                                                                              \
	"c.id, c.entity_id, c.entity_type, c.status, c.created_at, c.modified_at,"                 \
	" c.cancellation_date, c.version, c.labels_text, c.ref_accounts_text"

/*
 * The client_check: the client's row, by primary key, if it is enabled,
 * of the partner and holds the scope.  Parameters: client id, partner id,
 * scope name (db_param_check).  Reads add it as an uncorrelated EXISTS,
 * which the server evaluates once, before any customer row ("Impossible
 * WHERE" when it fails).  The audit insert takes its client_id from it, so
 * a failed check is a NULL for a NOT NULL column: the statement fails, the
 * write rolls back.  (An INSERT ... SELECT WHERE EXISTS measured four times
 * the cost of the plain insert, and takes the table's AUTO-INC lock.)
 */
#define CLIENT_ROW                                                                                 \
	"FROM oauth_clients o WHERE o.client_id = ? AND o.partner_id = ? AND o.disabled = 0"       \
	" AND FIND_IN_SET(?, REPLACE(o.scopes, ' ', ',')) > 0"
#define CLIENT_CHECK " AND EXISTS (SELECT 1 " CLIENT_ROW ")"

/* The CUSTOMER_COLS of one fetch and the scratch behind them. */
struct row_cols {
	struct db_cols c;
	uint64_t version;
	char type[24];
	char status[16];
	size_t labels_len;
	size_t refs_len;
};

/* Binds the CUSTOMER_COLS columns to row (borrowed until db_customer_row_finish). */
void db_customer_row_bind(struct row_cols *rc, struct customer_row *row);
/* After a fetch: enums, version, and the read copies cut up in row's buffer.  db_rc. */
int db_customer_row_finish(struct row_cols *rc, struct customer_row *row);

/* One audit record (contract §7); pointers borrowed for the call. */
struct audit_rec {
	const struct uuid *customer;
	uint64_t partner_id;
	const char *action;             /* 'create', 'labels', 'status' */
	const struct label_set *before; /* NULL: SQL NULL */
	const struct label_set *after;  /* NULL: SQL NULL */
	const char *status_before;      /* NULL: SQL NULL */
	const char *status_after;       /* NULL: SQL NULL */
	const struct uuid *offboarding; /* the offboarding behind a status change, or NULL */
	int64_t ms;
};

/*
 * Writes a's audit record inside the open transaction (who->check, when
 * set, makes a failed client check DB_UNCONFIRMED).  db_rc.
 */
int db_customer_audit(struct db *db, const struct audit_ctx *who, const struct audit_rec *a);

/*
 * Inside the open transaction, with the customer's row locked: status
 * from -> to with cancellation date cancellation_ms (-1: NULL), modified_at
 * and version bumped unless from is to, and the label counts moved when
 * OFFBOARDED is entered or left (db_labels_count_all), and a change's
 * CUSTOMER_NOTIFICATION (§13) of partner_id appended.  db_rc.
 */
int db_customer_change_status(struct db *db, uint64_t partner_id, const struct uuid *id,
                              const char *from, enum customer_status to, int64_t cancellation_ms,
                              int64_t ms);

/*
 * Inside the open transaction, with the customer's row locked: cancels its
 * CREATED offboarding, if any (db_offboardings.c), with its
 * OFFBOARDING_NOTIFICATION.  *canceled gets its id and *found 1 when there
 * was one.  db_rc.
 */
int db_offboarding_cancel_open(struct db *db, uint64_t partner_id, const struct uuid *customer,
                               int64_t ms, struct uuid *canceled, int *found);

/* Appends the CLIENT_ROW parameters; check (borrowed until execution) must not be NULL. */
void db_param_check(struct db_params *p, const struct client_check *check, uint64_t partner_id);

#endif
