/*
 * db_lease: leases as rows (see db_lease.h).
 *
 * Taking and keeping are one UPDATE that matches when the row is ours or
 * has expired; expiry is compared with the server's NOW(3), so a holder's
 * clock never decides.  The connection reports matched rows
 * (CLIENT_FOUND_ROWS), so a renewal that changes nothing visible still
 * counts as held.  A missing row is inserted once (INSERT IGNORE: two
 * first holders race on the primary key, one wins).
 */
#include "db_lease.h"
#include "db_internal.h"

static const char SQL_LEASE_HOLD[] =
        "UPDATE leases SET holder = ?, expires_at = NOW(3) + INTERVAL ? MICROSECOND"
        " WHERE name = ? AND (holder = ? OR expires_at < NOW(3))";

static const char SQL_LEASE_CREATE[] = "INSERT IGNORE INTO leases (name, holder, expires_at)"
                                       " VALUES (?, ?, NOW(3) + INTERVAL ? MICROSECOND)";

static const char SQL_LEASE_RELEASE[] =
        "UPDATE leases SET expires_at = NOW(3) - INTERVAL 1 SECOND WHERE name = ? AND holder = ?";

static int lease_update(struct db *db, struct lease *l)
{
	struct db_params p;
	MYSQL_STMT *st = NULL;
	int rc;

	db_params_init(&p);
	db_param_cstr(&p, l->holder);
	db_param_u64(&p, (uint64_t)l->ttl_ms * 1000);
	db_param_cstr(&p, l->name);
	db_param_cstr(&p, l->holder);
	rc = db_exec(db, SLOT_LEASE_HOLD, SQL_LEASE_HOLD, &p, &st);
	l->held = rc == DB_OK && mysql_stmt_affected_rows(st) == 1;
	return rc;
}

static int lease_create(struct db *db, struct lease *l)
{
	struct db_params p;
	MYSQL_STMT *st = NULL;
	int rc;

	db_params_init(&p);
	db_param_cstr(&p, l->name);
	db_param_cstr(&p, l->holder);
	db_param_u64(&p, (uint64_t)l->ttl_ms * 1000);
	rc = db_exec(db, SLOT_LEASE_CREATE, SQL_LEASE_CREATE, &p, &st);
	l->held = rc == DB_OK && mysql_stmt_affected_rows(st) == 1;
	return rc;
}

int db_lease_hold(struct db *db, struct lease *l)
{
	int rc = lease_update(db, l);

	/* not held: the row may be missing; a present row makes the insert a no-op */
	if (rc == DB_OK && !l->held)
		rc = lease_create(db, l);
	return rc;
}

static int release_run(struct db *db, void *arg)
{
	struct lease *l = arg;
	struct db_params p;

	db_params_init(&p);
	db_param_cstr(&p, l->name);
	db_param_cstr(&p, l->holder);
	return db_exec(db, SLOT_LEASE_RELEASE, SQL_LEASE_RELEASE, &p, NULL);
}

int db_lease_release(struct db *db, struct lease *l)
{
	int rc = db_tx(db, release_run, l);

	if (rc == DB_OK)
		l->held = 0;
	return rc;
}
