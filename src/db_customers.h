/*
 * db_customers: customers, their labels (join table), reference accounts
 * and the audit trail.  All SQL is prepared; nothing is built from user
 * text.  Every write and its audit record commit in one transaction.
 *
 * Implemented in three files: db_customers.c (reading one customer),
 * db_customers_list.c (the list planner), db_customers_write.c (create,
 * labels, status and the audit trail).
 */
#ifndef DB_CUSTOMERS_H
#define DB_CUSTOMERS_H

#include <stdint.h>

#include "db.h"
#include "if_match.h"
#include "model.h"

/*
 * A client the request has not read from the database (router.c takes
 * its partner and scopes from what this worker read before): the
 * statement that answers the request also requires the client to exist,
 * be enabled, belong to the partner and hold the scope.  When it does not,
 * a read finds nothing and a write fails with DB_UNCONFIRMED, having
 * written nothing.  Borrowed.
 */
struct client_check {
	const char *client_id;
	const char *scope; /* "customers:read" */
};

/* Who acts, for the audit record.  All borrowed. */
struct audit_ctx {
	uint64_t partner_id;
	const char *client_id;        /* OAuth client, or "admin" for the admin tool */
	const struct uuid *requestor; /* Requestor-ID, NULL when absent */
	const char *request_id;
	const struct client_check *check; /* NULL: the client was read in this request */
};

/*
 * Creates a customer (status CREATED, a new UUIDv7) with its ref accounts
 * and labels.  DB_OK and *id; DB_CONFLICT and *existing when this
 * partner's entity is already a customer (also when a concurrent create won).
 */
int db_customer_create(struct db *db, const struct audit_ctx *who, const struct customer_new *c,
                       struct uuid *id, struct uuid *existing);

/* DB_OK and *out, or DB_NOT_FOUND (also for another partner's id).  check may be NULL. */
int db_customer_get(struct db *db, uint64_t partner_id, const struct client_check *check,
                    const struct uuid *id, struct customer_row *out);

/* Called per row, newest first; return non-zero to stop.  row is borrowed for the call. */
typedef int (*db_row_cb)(const struct customer_row *row, void *arg);

/* One page's question; every pointer borrowed for the call. */
struct list_query {
	uint64_t partner_id;
	const struct client_check *check; /* NULL: none */
	const struct list_filter *f;
	const struct uuid *after; /* NULL: from the newest */
	unsigned max;             /* rows at most */
	unsigned scan_limit;      /* candidates the page may examine ([list] scan_limit) */
};

/* How a page ended: early 1 when scan_limit cut it; the walk goes on below resume. */
struct list_stop {
	int early;
	struct uuid resume;
};

/*
 * Lists the partner's customers matching lq->f, newest first (id
 * descending), strictly after lq->after, at most lq->max rows, having
 * examined at most about lq->scan_limit candidates (*stop tells whether
 * that ended the page).  scratch is the caller's row buffer reused for
 * each row.
 */
int db_customer_list(struct db *db, const struct list_query *lq, struct customer_row *scratch,
                     db_row_cb cb, void *arg, struct list_stop *stop);

/*
 * Replaces the label set (sorted).  labels NULL keeps the current set (the
 * `{}` no-op: existence and If-Match are still checked, and it is audited
 * with before = after).  if_match: the parsed If-Match header (borrowed;
 * NULL when absent), compared with the locked row's version.  modified_at
 * and version change only if the set changed (*changed = 1).  Audited.
 * DB_OK, DB_NOT_FOUND, DB_PRECONDITION, DB_CONFLICT (the customer is
 * OFFBOARDED: read-only, contract §12).
 */
int db_customer_set_labels(struct db *db, const struct audit_ctx *who, const struct uuid *id,
                           const struct label_set *labels, const struct if_match *if_match,
                           int *changed);

/*
 * Operator status change (admin tool): sets cancellation date when entering
 * OFFBOARDING/OFFBOARDED (kept if already set), clears it otherwise; bumps
 * version and modified_at; audited.  who->partner_id 0 = any partner.
 * A CREATED offboarding of the customer is canceled (contract §12) and
 * named by the audit record.
 */
int db_customer_set_status(struct db *db, const struct audit_ctx *who, const struct uuid *id,
                           enum customer_status status);

#endif
