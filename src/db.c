/*
 * db: the worker's MariaDB connection, its statement cache, the bind
 * helpers and the two ways work runs on the connection: a read, retried
 * once after a lost connection, and a transaction, retried after a
 * deadlock and once after a connection lost before COMMIT.
 *
 * A worker's handle is split (db_split_writes): its transactions run on a
 * second connection, made on first use, whose session has autocommit off,
 * so a transaction starts with its first statement and needs no START
 * TRANSACTION round trip (a create is four round trips, not five).  Reads
 * keep a connection with autocommit on: under autocommit off a read would
 * open a transaction too, holding its metadata locks until a COMMIT that
 * would cost every read a command more.
 *
 * We do not set MYSQL_OPT_RECONNECT: a silent reconnect would drop the
 * session settings and leave the cached statements pointing into a dead
 * session.  Instead a lost connection is closed with all its statements,
 * and the next use connects again and re-prepares lazily.
 *
 * Sessions run at READ COMMITTED.  Every read-modify-write locks its
 * customer row first (SELECT ... FOR UPDATE), so nothing needs REPEATABLE
 * READ's snapshot; READ COMMITTED takes no gap locks, which under
 * REPEATABLE READ make concurrent inserts into neighbouring index ranges
 * (new customers and labels of one partner) deadlock; and the loser of a
 * duplicate create can read the winner's id right after the conflict.
 * Each list page is one statement and therefore consistent by itself.
 *
 * The client read timeout is one second longer than the server-side
 * limits (max_statement_time, innodb_lock_wait_timeout): those end the
 * statement and keep the connection, so they should fire first; the
 * client timeout only catches a server or network that stopped answering.
 *
 * Several servers (a Galera cluster) are tried in order from the handle's
 * preferred one: a connect that fails moves on to the next at once, so one
 * request pays for at most one failed connect per server; a server that
 * answers "not ready" (ER_UNKNOWN_COM_ERROR: a Galera node that is not
 * synced, e.g. joining) counts as a lost connection and also moves on.
 * The handle stays on the server that works; it does not move back.
 */
#include <errmsg.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "db_internal.h"
#include "log.h"

#define CONNECT_SPACING_MS 200
#define SLOW_CONNECT_MS 50
#define DEADLOCK_RETRIES 3
#define LOCK_WAIT_LONG_S 3600 /* no_timeouts: what a migration may wait for a lock */

/* ---- connection ---------------------------------------------------------- */

void db_disconnect(struct db *db)
{
	for (unsigned i = 0; i < SLOT_COUNT; i++) {
		if (db->s->stmt[i])
			mysql_stmt_close(db->s->stmt[i]);
		db->s->stmt[i] = NULL;
	}
	if (db->s->conn)
		mysql_close(db->s->conn);
	db->s->conn = NULL;
}

struct db *db_new(const struct config *cfg)
{
	struct db *db = calloc(1, sizeof(*db));

	if (db) {
		db->s = &db->sess[0];
		db->cfg = cfg;
		db->nep = config_db_endpoints(cfg, db->ep);
	}
	return db;
}

void db_split_writes(struct db *db)
{
	db->sess[1].autocommit_off = 1;
}

void db_prefer(struct db *db, unsigned index)
{
	db->cur = index % db->nep;
}

void db_free(struct db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < sizeof(db->sess) / sizeof(db->sess[0]); i++) {
		db->s = &db->sess[i];
		db_disconnect(db);
	}
	free(db);
}

static void db_set_options(MYSQL *m, const struct db *db, const struct db_endpoint *ep)
{
	const struct config *cfg = db->cfg;
	unsigned connect_timeout = cfg->db_connect_timeout;
	unsigned io_timeout = db->no_timeouts ? 0 : cfg->db_statement_timeout + 1; /* 0: none */
	enum mysql_protocol_type proto = ep->socket[0] ? MYSQL_PROTOCOL_SOCKET : MYSQL_PROTOCOL_TCP;

	mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
	mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
	mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
	mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &proto);
	mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
}

/* Session settings; the numbers come from the validated config, never from a request. */
static int db_init_session(struct db *db)
{
	unsigned t = db->no_timeouts ? 0 : db->cfg->db_statement_timeout;
	unsigned lock_wait = db->no_timeouts ? LOCK_WAIT_LONG_S : t;
	unsigned sync = db->cfg->db_wsrep_sync_wait;
	char sql[512];
	int rc;

	snprintf(sql, sizeof(sql),
	         "SET SESSION innodb_lock_wait_timeout = %u, SESSION max_statement_time = %u, "
	         "SESSION group_concat_max_len = 1048576, SESSION time_zone = '+00:00', "
	         "SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,"
	         "NO_ENGINE_SUBSTITUTION', SESSION autocommit = %d",
	         lock_wait, t, !db->s->autocommit_off);
	rc = db_query(db, sql);
	if (rc == DB_OK)
		rc = db_query(db, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
	/*
	 * Galera: reads wait until this node has applied what others committed.
	 * A write session sends no START TRANSACTION for the read bit (1) to
	 * catch, so its first UPDATE, DELETE or INSERT (2, 4) waits instead; the
	 * server skips the wait inside an open transaction, so it is one wait
	 * per transaction either way.
	 */
	if (sync & 1 && db->s->autocommit_off)
		sync |= 2 | 4;
	if (rc == DB_OK && sync) {
		snprintf(sql, sizeof(sql), "SET SESSION wsrep_sync_wait = %u", sync);
		rc = db_query(db, sql);
	}
	return rc;
}

static int db_open(struct db *db)
{
	const struct config *cfg = db->cfg;
	const struct db_endpoint *ep = &db->ep[db->cur];
	const char *schema = db->no_schema ? NULL : cfg->db_name;
	const char *host = ep->host[0] ? ep->host : "localhost";
	MYSQL *m = mysql_init(NULL);

	if (!m) {
		log_error("mysql_init: out of memory");
		db->stats.errors++;
		return DB_UNAVAILABLE;
	}
	db_set_options(m, db, ep);
	if (!mysql_real_connect(m, host, cfg->db_user, cfg->db_password, schema, ep->port,
	                        ep->socket[0] ? ep->socket : NULL, CLIENT_FOUND_ROWS)) {
		log_error("connect to database '%s' at %s:%u: %s (%u)", schema ? schema : "",
		          ep->socket[0] ? ep->socket : host, ep->socket[0] ? 0 : ep->port,
		          mysql_error(m), mysql_errno(m));
		db->last_errno = mysql_errno(m);
		db->stats.errors++;
		mysql_close(m);
		return DB_UNAVAILABLE;
	}
	db->s->conn = m;
	if (db_init_session(db) != DB_OK) {
		db_disconnect(db);
		return DB_UNAVAILABLE;
	}
	return DB_OK;
}

int db_connect(struct db *db)
{
	int64_t now = clock_mono_ms();
	unsigned first;
	int rc;

	if (db->s->conn)
		return DB_OK;
	if (db->last_attempt_failed && now - db->last_attempt_ms < CONNECT_SPACING_MS)
		return DB_UNAVAILABLE;
	db->last_attempt_ms = now;
	first = db->cur;
	rc = db_open(db);
	for (unsigned tried = 1; rc != DB_OK && tried < db->nep; tried++) {
		db->cur = (first + tried) % db->nep;
		rc = db_open(db);
	}
	/*
	 * Only a slow failure (a timeout) spaces the next attempt: a refused
	 * connection costs microseconds, so retrying it on the next request
	 * loses nothing and the service is back the moment the server is.
	 */
	db->last_attempt_failed = rc != DB_OK && clock_mono_ms() - now >= SLOW_CONNECT_MS;
	if (rc == DB_OK && db->s->connects++)
		db->stats.reconnects++;
	return rc;
}

static int db_ping_work(struct db *db, void *arg)
{
	(void)arg;
	if (mysql_ping(db->s->conn))
		return db_conn_fail(db, "mysql_ping");
	return DB_OK;
}

int db_ping(struct db *db)
{
	return db_read(db, db_ping_work, NULL) == DB_OK ? DB_OK : DB_UNAVAILABLE;
}

void db_get_stats(const struct db *db, struct db_stats *out)
{
	*out = db->stats;
}

/* ---- errors -------------------------------------------------------------- */

static int db_err_is_loss(unsigned err)
{
	switch (err) {
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_SERVER_LOST_EXTENDED:
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_COMMANDS_OUT_OF_SYNC: /* the protocol state is unknown: start afresh */
	case CR_ERR_NET_READ:
	case CR_ERR_NET_WRITE:
	case ER_CONNECTION_KILLED:
	case ER_SERVER_SHUTDOWN:
	case ER_UNKNOWN_COM_ERROR: /* Galera: this node is not ready (not synced) */
		return 1;
	}
	return 0;
}

static int db_err_is_transient(unsigned err)
{
	switch (err) {
	case ER_LOCK_WAIT_TIMEOUT:
	case ER_LOCK_DEADLOCK:
	case ER_STATEMENT_TIMEOUT:
	case ER_QUERY_INTERRUPTED:
	case ER_CON_COUNT_ERROR:
	case ER_ERROR_DURING_COMMIT: /* Galera: the cluster refused the commit */
		return 1;
	}
	return 0;
}

int db_fail(struct db *db, unsigned err, const char *msg, const char *what)
{
	db->last_errno = err;
	if (err == ER_DUP_ENTRY)
		return DB_CONFLICT;
	if (err && err == db->quiet_errno)
		return DB_ERROR;
	db->stats.errors++;
	log_error("%s: %s (%u)", what, msg, err);
	if (db_err_is_loss(err)) {
		/* msg may live in the connection: logged above, before closing */
		db_disconnect(db);
		if (err == ER_UNKNOWN_COM_ERROR)
			db->cur = (db->cur + 1) % db->nep;
		db->lost = 1;
		return DB_UNAVAILABLE;
	}
	return db_err_is_transient(err) ? DB_UNAVAILABLE : DB_ERROR;
}

int db_stmt_fail(struct db *db, MYSQL_STMT *st, const char *what)
{
	return db_fail(db, mysql_stmt_errno(st), mysql_stmt_error(st), what);
}

int db_conn_fail(struct db *db, const char *what)
{
	return db_fail(db, mysql_errno(db->s->conn), mysql_error(db->s->conn), what);
}

/* ---- statements ---------------------------------------------------------- */

int db_query(struct db *db, const char *sql)
{
	MYSQL_RES *res;

	if (mysql_real_query(db->s->conn, sql, strlen(sql)))
		return db_conn_fail(db, "mysql_real_query");
	/* a statement that answers with rows anyway must not leave them pending */
	res = mysql_store_result(db->s->conn);
	if (res)
		mysql_free_result(res);
	else if (mysql_field_count(db->s->conn))
		return db_conn_fail(db, "mysql_store_result");
	return DB_OK;
}

MYSQL_STMT *db_cached(struct db *db, unsigned slot)
{
	return slot < SLOT_COUNT ? db->s->stmt[slot] : NULL;
}

int db_prepare(struct db *db, const char *sql, MYSQL_STMT **out)
{
	MYSQL_STMT *st = mysql_stmt_init(db->s->conn);

	if (!st)
		return db_conn_fail(db, "mysql_stmt_init");
	if (mysql_stmt_prepare(st, sql, strlen(sql))) {
		int rc = db_stmt_fail(db, st, "mysql_stmt_prepare");

		mysql_stmt_close(st);
		return rc;
	}
	*out = st;
	return DB_OK;
}

int db_stmt(struct db *db, unsigned slot, const char *sql, MYSQL_STMT **out)
{
	int rc;

	if (slot >= SLOT_COUNT || !db->s->conn) {
		log_error("statement slot %u: %s", slot,
		          db->s->conn ? "out of range" : "no connection");
		return DB_ERROR;
	}
	if (db->s->stmt[slot]) {
		*out = db->s->stmt[slot];
		return DB_OK;
	}
	rc = db_prepare(db, sql, &db->s->stmt[slot]);
	if (rc == DB_OK)
		*out = db->s->stmt[slot];
	return rc;
}

int db_execute(struct db *db, MYSQL_STMT *st, struct db_params *p)
{
	unsigned n = p ? p->n : 0;

	if ((p && p->overflow) || mysql_stmt_param_count(st) != n) {
		log_error("statement wants %lu parameters, got %u%s", mysql_stmt_param_count(st), n,
		          p && p->overflow ? " (overflow)" : "");
		db->stats.errors++;
		return DB_ERROR;
	}
	if (n && mysql_stmt_bind_param(st, p->b))
		return db_stmt_fail(db, st, "mysql_stmt_bind_param");
	if (mysql_stmt_execute(st))
		return db_stmt_fail(db, st, "mysql_stmt_execute");
	return DB_OK;
}

int db_exec(struct db *db, unsigned slot, const char *sql, struct db_params *p, MYSQL_STMT **out)
{
	MYSQL_STMT *st = NULL;
	int rc = db_stmt(db, slot, sql, &st);

	if (rc == DB_OK)
		rc = db_execute(db, st, p);
	if (rc == DB_OK && out)
		*out = st;
	return rc;
}

int db_exec_quiet(struct db *db, unsigned slot, const char *sql, struct db_params *p,
                  unsigned quiet)
{
	int rc;

	db->quiet_errno = quiet;
	rc = db_exec(db, slot, sql, p, NULL);
	db->quiet_errno = 0;
	return rc;
}

int db_fetch_begin(struct db *db, MYSQL_STMT *st, struct db_cols *c)
{
	if (c->overflow || mysql_stmt_field_count(st) != c->n) {
		log_error("statement has %u columns, bound %u", mysql_stmt_field_count(st), c->n);
		db->stats.errors++;
		return DB_ERROR;
	}
	if (mysql_stmt_bind_result(st, c->b))
		return db_stmt_fail(db, st, "mysql_stmt_bind_result");
	if (mysql_stmt_store_result(st))
		return db_stmt_fail(db, st, "mysql_stmt_store_result");
	return DB_OK;
}

int db_fetch(struct db *db, MYSQL_STMT *st, struct db_cols *c)
{
	int r = mysql_stmt_fetch(st);

	if (r == MYSQL_NO_DATA)
		return DB_NOT_FOUND;
	if (r == 1)
		return db_stmt_fail(db, st, "mysql_stmt_fetch");
	for (unsigned i = 0; i < c->n; i++) {
		if (db_col_finish(c, i)) {
			log_error("column %u does not fit its buffer (%lu bytes)", i, c->len[i]);
			db->stats.errors++;
			return DB_ERROR;
		}
	}
	return DB_OK;
}

void db_fetch_end(MYSQL_STMT *st)
{
	mysql_stmt_free_result(st);
}

int db_exec_one(struct db *db, unsigned slot, const char *sql, struct db_params *p,
                struct db_cols *c)
{
	MYSQL_STMT *st = NULL;
	int rc = db_exec(db, slot, sql, p, &st);

	if (rc != DB_OK)
		return rc;
	rc = db_fetch_begin(db, st, c);
	if (rc == DB_OK)
		rc = db_fetch(db, st, c);
	if (db->s->conn)
		db_fetch_end(st);
	return rc;
}

/* ---- work ---------------------------------------------------------------- */

static void db_attempt_reset(struct db *db)
{
	db->last_errno = 0;
	db->lost = 0;
	db->commit_sent = 0;
	db->tx_events = 0;
}

int db_read(struct db *db, db_work_fn fn, void *arg)
{
	for (int attempt = 0;; attempt++) {
		int rc;

		db_attempt_reset(db);
		rc = db_connect(db);
		if (rc == DB_OK)
			rc = fn(db, arg);
		if (rc == DB_OK || !db->lost || attempt > 0)
			return rc;
	}
}

static int db_tx_attempt(struct db *db, db_work_fn fn, void *arg)
{
	int rc;

	db_attempt_reset(db);
	rc = db_connect(db);
	if (rc == DB_OK && !db->s->autocommit_off)
		rc = db_query(db, "START TRANSACTION");
	if (rc == DB_OK)
		rc = fn(db, arg);
	if (rc == DB_OK) {
		db->commit_sent = 1;
		if (mysql_commit(db->s->conn))
			rc = db_conn_fail(db, "COMMIT");
		else
			db->stats.events += db->tx_events;
		return rc;
	}
	if (db->s->conn && mysql_rollback(db->s->conn)) {
		/* the work's failure decides about retries, not the rollback's */
		unsigned saved_errno = db->last_errno;
		int saved_lost = db->lost;

		db_conn_fail(db, "ROLLBACK");
		db->last_errno = saved_errno;
		db->lost = saved_lost;
	}
	return rc;
}

static int db_tx_run(struct db *db, db_work_fn fn, void *arg)
{
	int deadlocks = 0, losses = 0;

	for (;;) {
		int rc = db_tx_attempt(db, fn, arg);

		if (rc == DB_OK)
			return rc;
		if (db->last_errno == ER_LOCK_DEADLOCK && deadlocks++ < DEADLOCK_RETRIES)
			continue;
		/* after COMMIT was sent the outcome is unknown: never replay */
		if (db->lost && !db->commit_sent && losses++ == 0)
			continue;
		return rc;
	}
}

int db_tx(struct db *db, db_work_fn fn, void *arg)
{
	int rc;

	db->s = &db->sess[db->sess[1].autocommit_off ? 1 : 0];
	rc = db_tx_run(db, fn, arg);
	db->s = &db->sess[0];
	return rc;
}
