/*
 * db: one worker's MariaDB connection (Connector/C) and its prepared
 * statements (two connections once db_split_writes() was called).
 *
 * Lifetime: db_new() once per worker (or admin run), db_free() at exit.
 * The connection is made lazily and remade after a loss.  After an attempt
 * that failed slowly (a connect timeout) the next waits 200 ms, so a dead
 * host costs a request one failed connect at most; a refused connection is
 * retried on the next request.  Either way the request gets DB_UNAVAILABLE
 * (503).
 * Statements are prepared once per connection and cached; a reconnect
 * re-prepares them.  A read that fails because the connection was lost is
 * retried once on a fresh connection; a write transaction is retried once
 * only if the failure happened before COMMIT was sent, and a bounded
 * number of times on deadlock.  Every write runs in one transaction.
 */
#ifndef DB_H
#define DB_H

#include <stdint.h>

#include "config.h"

enum db_rc {
	DB_OK = 0,
	DB_NOT_FOUND,    /* no such row for this partner */
	DB_CONFLICT,     /* unique key taken (duplicate entity) */
	DB_PRECONDITION, /* If-Match did not match */
	DB_UNAVAILABLE,  /* server unreachable, timeout, lock wait: 503 */
	DB_UNCONFIRMED,  /* a write's client_check failed; nothing written */
	DB_ERROR         /* anything else: 500 (logged) */
};

struct db;

struct db_stats {
	unsigned long errors;     /* failed statements and connects */
	unsigned long reconnects; /* connections made after the first */
	unsigned long events;     /* events appended by transactions that committed */
};

/* Allocates; does not connect.  cfg is borrowed and must outlive db. NULL on OOM. */
struct db *db_new(const struct config *cfg);
/*
 * With several servers ([database] hosts), makes this handle start at
 * server index mod N, so a pool's workers spread over them; a connection
 * that cannot be made, or a server that is not ready (Galera: not synced),
 * moves the handle on to the next server.
 */
void db_prefer(struct db *db, unsigned index);
/*
 * Gives the handle's transactions a connection of their own, with
 * autocommit off (see db.c), as the workers do; call before first use.
 */
void db_split_writes(struct db *db);
/* Closes statements and connections. NULL is a no-op. */
void db_free(struct db *db);

/* Connects now if not connected (respecting the retry spacing). DB_OK or DB_UNAVAILABLE. */
int db_connect(struct db *db);
/* Round trip to the server (for /healthz). DB_OK or DB_UNAVAILABLE. */
int db_ping(struct db *db);

/* Counters since db_new (monotonic). */
void db_get_stats(const struct db *db, struct db_stats *out);

/*
 * Applies sql/NNN-*.sql files from dir in order, skipping versions already
 * recorded in schema_migrations; each file in its own run.  *applied gets
 * the number newly applied.  Creates the database if missing.  The
 * handle's statements have no timeouts from then on (a migration of a
 * large table takes minutes): use it for nothing else.
 */
int db_migrate(struct db *db, const char *dir, int *applied);

#endif
