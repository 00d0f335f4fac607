/*
 * db_lease: named leases in the database (the leases table of
 * sql/006-events.sql), for background work that must run at most once at
 * a time however many pools and Galera nodes run it.  GET_LOCK does not
 * work with wsrep (MDEV-30473); a row does.
 *
 * A lease is held until its expiry on the server's clock; anyone may take
 * it after that.  Work that must never be done twice at once calls
 * db_lease_hold() as the first statement of each of its transactions (a
 * db_tx work function): the row lock it takes (one server) or the write
 * set it adds (Galera: certification aborts the later of two) makes the
 * transaction fail rather than commit beside another holder's.
 */
#ifndef DB_LEASE_H
#define DB_LEASE_H

#include "db.h"

/* A lease as one process holds it; name and holder borrowed (static or the process's). */
struct lease {
	const char *name;   /* "event-sequencer" */
	const char *holder; /* unique per process, e.g. a UUIDv7; at most 64 bytes */
	unsigned ttl_ms;    /* how long a hold lasts without renewal */
	int held;           /* as the last hold found it */
};

/*
 * Takes the lease for its holder, or keeps it, for ttl_ms from now:
 * l->held 1, or 0 when another holder's lease has not expired.  The row
 * is made on first use.  A statement on the connection in use: call it
 * first inside a db_tx() work function (db modules only) so that it
 * fences the work that follows.  db_rc.
 */
int db_lease_hold(struct db *db, struct lease *l);

/*
 * Ends the holder's lease now, in a transaction of its own (at shutdown),
 * so that the next holder need not wait for its expiry; a lease another
 * holds is left alone.  db_rc.
 */
int db_lease_release(struct db *db, struct lease *l);

#endif
