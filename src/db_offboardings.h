/*
 * db_offboardings: offboardings (contract §12) and their effect on the
 * customer, each write with its audit record in one transaction.
 *
 * Lock order, the same in every writer: the customer's row first (FOR
 * UPDATE), then the offboarding's, which changes only by a conditional
 * UPDATE (WHERE status = 'CREATED').  So a create, a cancellation, an
 * execution and the operator's set-status of one customer run one after
 * the other, and of two that race for one CREATED offboarding only one
 * finds it CREATED.  On Galera, where row locks are node-local, the
 * certification of the two write sets refuses the second commit
 * (ER_LOCK_DEADLOCK): db_tx runs it again, and then it finds nothing to do.
 */
#ifndef DB_OFFBOARDINGS_H
#define DB_OFFBOARDINGS_H

#include <stdint.h>

#include "db.h"
#include "db_customers.h"
#include "model.h"

/* Why a write was refused (with DB_CONFLICT). */
enum offb_refusal {
	OFFB_REFUSED_NONE,
	OFFB_NOT_APPLICABLE,      /* the reason does not fit the entity type: 400 */
	OFFB_IN_PROGRESS,         /* the customer has a CREATED offboarding: 409 */
	OFFB_CUSTOMER_OFFBOARDED, /* 409 */
	OFFB_NOT_CANCELABLE       /* immediate, executed or canceled: 409 */
};

/*
 * Creates an offboarding of customer (of who->partner_id) for reason; the
 * customer becomes OFFBOARDING with the cancellation date (now, or now plus
 * notice_months calendar months for the ordinary reason).  who->requestor
 * is required.  DB_OK and *id; DB_NOT_FOUND; DB_CONFLICT and *why.
 */
int db_offboarding_create(struct db *db, const struct audit_ctx *who, const struct uuid *customer,
                          enum offb_reason reason, unsigned notice_months, struct uuid *id,
                          enum offb_refusal *why);

/*
 * Cancels offboarding id of who->partner_id: the customer gets back its
 * status before and a NULL cancellation date.  DB_OK, DB_NOT_FOUND, or
 * DB_CONFLICT (*why OFFB_NOT_CANCELABLE).
 */
int db_offboarding_cancel(struct db *db, const struct audit_ctx *who, const struct uuid *id,
                          enum offb_refusal *why);

/* DB_OK and *out, or DB_NOT_FOUND (also another partner's; partner_id 0: any partner). */
int db_offboarding_get(struct db *db, uint64_t partner_id, const struct uuid *id,
                       struct offboarding_row *out);

/* One page's question; pointers borrowed.  partner_id 0: every partner (admin tool). */
struct offb_query {
	uint64_t partner_id;
	const struct uuid *customer; /* roleId filter, or NULL */
	int has_status;
	enum offb_status status;
	const struct uuid *after; /* NULL: from the newest */
	unsigned max;
};

/* Called per row, newest first; non-zero stops the walk. */
typedef int (*db_offb_cb)(const struct offboarding_row *row, void *arg);

int db_offboarding_list(struct db *db, const struct offb_query *q, db_offb_cb cb, void *arg);

/*
 * Executes the offboardings CREATED and due at now_ms (cancellation date
 * at or before it), at most max of them, each in a transaction of its own:
 * APPROVED with executedOn, the customer OFFBOARDED, counts moved, audited
 * (client_id "executor").  One that another executor holds or has done is
 * skipped.  *executed gets how many this call executed.  The executor task
 * and `customers-admin offboarding run-due` both run this.  db_rc of the
 * first failure (the others are left for the next call).
 */
int db_offboarding_run_due(struct db *db, int64_t now_ms, unsigned max, unsigned *executed);

#endif
