/*
 * db_internal: what db.c and db_bind.c share with the other db_*.c files and nobody
 * else sees.
 *
 * Statements are cached in slots (enum db_slot): a slot is prepared from
 * its SQL text on first use on a connection and dropped with the
 * connection.  Parameters and result columns are described with small
 * fixed-size builders (struct db_params, struct db_cols) that own the
 * MYSQL_BIND arrays and the scratch values behind them, so callers deal in
 * uuids, strings, integers and Unix milliseconds only.
 *
 * Work runs through db_read() or db_tx(), which connect, classify errors
 * and retry as db.h describes; a work function just returns a db_rc.
 */
#ifndef DB_INTERNAL_H
#define DB_INTERNAL_H

#include <mysql.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "model.h"

/* List statement shapes: entity x status x type filter present, 0..16 labels, client check. */
#define DB_LIST_SHAPES (8 * (LABELS_MAX + 1) * 2)

enum db_slot {
	SLOT_CLIENT_GET,
	SLOT_PARTNER_UPSERT,
	SLOT_CLIENT_INSERT,
	SLOT_CLIENT_DISABLE,
	SLOT_CUSTOMER_INSERT,
	SLOT_CUSTOMER_EXISTING,
	SLOT_CUSTOMER_GET,
	SLOT_CUSTOMER_GET_CHECKED,
	SLOT_CUSTOMER_LOCK,
	SLOT_CUSTOMER_TOUCH,
	SLOT_CUSTOMER_TOUCH_IF_CHANGED,
	SLOT_LABELS_TAKE,
	SLOT_CUSTOMER_STATUS,
	SLOT_LABELS_DELETE,
	SLOT_LABELS_RESOLVE,
	SLOT_LABELS_ATTACH,
	SLOT_LABELS_DICTIONARY_ADD,
	SLOT_LABELS_COUNT,
	SLOT_LABELS_COUNT_ALL,
	SLOT_AUDIT_INSERT,
	SLOT_AUDIT_INSERT_CHECKED,
	SLOT_WEBHOOK_FIRST, /* db_webhooks.c and deliver_db.c number their own from here */
	SLOT_WEBHOOK_LAST = SLOT_WEBHOOK_FIRST + 39,
	SLOT_OFFB_LOCK_CUSTOMER,
	SLOT_OFFB_OPEN,
	SLOT_OFFB_INSERT,
	SLOT_OFFB_GET,
	SLOT_OFFB_CLOSE,
	SLOT_OFFB_DUE,
	SLOT_OFFB_EXEC_LOCK,
	SLOT_OFFB_LIST, /* + shape: partner? x roleId? x status? (db_offboardings.c) */
	SLOT_OFFB_LIST_LAST = SLOT_OFFB_LIST + 7,
	SLOT_EVENT_INSERT,
	SLOT_EVENTS_TOP,
	SLOT_EVENTS_UNSEQUENCED,
	SLOT_EVENTS_STAMP,
	SLOT_EVENTS_RANGE,
	SLOT_EVENTS_KEEP_FROM,
	SLOT_EVENTS_PURGE,
	SLOT_EVENTS_PENDING,
	SLOT_EVENTS_PAGE,
	SLOT_EVENTS_SCAN_END,
	SLOT_LEASE_HOLD,
	SLOT_LEASE_CREATE,
	SLOT_LEASE_RELEASE,
	SLOT_PLABELS_PAGE, /* db_partner_labels.c from here */
	SLOT_PLABELS_LOCK_NAME,
	SLOT_PLABELS_DICT_ADD,
	SLOT_PLABELS_LOCK_CARRIERS,
	SLOT_PLABELS_LOCK_IDS,
	SLOT_PLABELS_SET_CLEAR,
	SLOT_PLABELS_MAP_CLEAR,
	SLOT_PLABELS_MAP_FILL,
	SLOT_PLABELS_MAP_AFTER,
	SLOT_PLABELS_SET_CARRIERS,
	SLOT_PLABELS_SET_IDS,
	SLOT_PLABELS_SET_READ,
	SLOT_PLABELS_SET_RANGE,
	SLOT_PLABELS_COUNT_MOVE,
	SLOT_PLABELS_COUNT_DROP,
	SLOT_PLABELS_COUNT_ADD,
	SLOT_PLABELS_ROWS_MOVE,
	SLOT_PLABELS_ROWS_DROP,
	SLOT_PLABELS_ROWS_ADD,
	SLOT_PLABELS_TOUCH,
	SLOT_PLABELS_AUDIT,
	SLOT_MIGRATIONS_LIST,
	SLOT_MIGRATION_RECORD,
	SLOT_MIGRATION_LOCK,
	SLOT_LIST_BOUND_LABEL,
	SLOT_LIST_BOUND_CUSTOMERS,                 /* + the customers index (db_customers_list.c) */
	SLOT_LIST = SLOT_LIST_BOUND_CUSTOMERS + 4, /* + shape */
	SLOT_COUNT = SLOT_LIST + DB_LIST_SHAPES
};

/* A connection and the statements prepared on it. */
struct db_session {
	MYSQL *conn; /* NULL while disconnected */
	MYSQL_STMT *stmt[SLOT_COUNT];
	int connects;       /* connections made so far */
	int autocommit_off; /* the write session of a split handle (db_split_writes) */
};

struct db {
	struct db_session *s;      /* in use: sess[0], or sess[1] inside a split handle's db_tx */
	struct db_session sess[2]; /* sess[1] is used once db_split_writes() set autocommit_off */
	const struct config *cfg;
	struct db_endpoint ep[CONFIG_DB_ENDPOINTS_MAX]; /* the servers, in failover order */
	unsigned nep;                                   /* >= 1 */
	unsigned cur;                                   /* the one connected or to try next */
	struct db_stats stats;
	int64_t last_attempt_ms; /* of the last connect attempt */
	int last_attempt_failed; /* ... and took SLOW_CONNECT_MS or more (db.c) */
	int no_schema;           /* connect without a default database (migrate) */
	int no_timeouts;         /* no statement or IO timeout: a migration may take minutes */
	unsigned last_errno;     /* server or client error of the current attempt, 0 if none */
	int lost;                /* the current attempt lost the connection */
	int commit_sent;         /* the current transaction got as far as COMMIT */
	unsigned tx_events;      /* events the current transaction appended (db_events.c) */
	unsigned quiet_errno;    /* see db_exec_quiet() */
};

/* Closes the session in use (the next use connects again). */
void db_disconnect(struct db *db);

/* ---- statements -------------------------------------------------------- */

/* The statement in slot if prepared on this connection, else NULL. */
MYSQL_STMT *db_cached(struct db *db, unsigned slot);
/*
 * A new statement on the session in use, prepared from sql (borrowed);
 * *out is the caller's to close, unless a lost connection closes it first
 * (mysql_close detaches it; mysql_stmt_close then only frees it).  db_rc.
 */
int db_prepare(struct db *db, const char *sql, MYSQL_STMT **out);
/* The statement in slot, prepared from sql (borrowed) if not cached yet; owned by db. db_rc. */
int db_stmt(struct db *db, unsigned slot, const char *sql, MYSQL_STMT **out);
/* Runs a text statement that returns no rows. db_rc. */
int db_query(struct db *db, const char *sql);

/* ---- parameters -------------------------------------------------------- */

#define DB_PARAMS_MAX 72 /* 10 ref accounts x 7 columns is the widest */

struct db_params {
	unsigned n;
	int overflow;
	MYSQL_BIND b[DB_PARAMS_MAX];
	unsigned long len[DB_PARAMS_MAX];
	union {
		unsigned long long u;
		MYSQL_TIME t;
	} v[DB_PARAMS_MAX];
};

void db_params_init(struct db_params *p);
/* Each appends one parameter; data pointers are borrowed until execution.  NULL = SQL NULL. */
void db_param_uuid(struct db_params *p, const struct uuid *u);
void db_param_str(struct db_params *p, const char *s, size_t len);
void db_param_cstr(struct db_params *p, const char *s);
void db_param_u64(struct db_params *p, uint64_t v);
void db_param_ms(struct db_params *p, int64_t ms); /* DATETIME(3), UTC; ms < 0 = NULL */

/* Binds p (may be NULL) and executes st. db_rc. */
int db_execute(struct db *db, MYSQL_STMT *st, struct db_params *p);
/* db_stmt() then db_execute(); *out (may be NULL) gets the statement. */
int db_exec(struct db *db, unsigned slot, const char *sql, struct db_params *p, MYSQL_STMT **out);
/*
 * db_exec() of a statement that fails with the server error `quiet` on
 * purpose: that error is neither logged nor counted, and comes back as
 * DB_ERROR with db->last_errno == quiet.
 */
int db_exec_quiet(struct db *db, unsigned slot, const char *sql, struct db_params *p,
                  unsigned quiet);

/* ---- result columns ---------------------------------------------------- */

#define DB_COLS_MAX 12

enum db_col_kind { DB_COL_UUID, DB_COL_U64, DB_COL_MS, DB_COL_STR };

struct db_cols {
	unsigned n;
	int overflow;
	MYSQL_BIND b[DB_COLS_MAX];
	unsigned long len[DB_COLS_MAX];
	my_bool null[DB_COLS_MAX];
	my_bool err[DB_COLS_MAX];
	MYSQL_TIME t[DB_COLS_MAX];
	unsigned long long u[DB_COLS_MAX];
	enum db_col_kind kind[DB_COLS_MAX];
	void *dst[DB_COLS_MAX];
	size_t *dst_len[DB_COLS_MAX];
};

void db_cols_init(struct db_cols *c);
/* Each binds the next column to a borrowed destination, filled by db_fetch(). */
void db_col_uuid(struct db_cols *c, struct uuid *dst); /* must be 16 bytes, not NULL */
void db_col_u64(struct db_cols *c, uint64_t *dst);     /* NULL -> 0 */
void db_col_ms(struct db_cols *c, int64_t *dst);       /* NULL -> -1 */
/* NUL-terminated into buf[cap]; NULL -> "", *len (may be NULL) 0.  Longer -> DB_ERROR. */
void db_col_str(struct db_cols *c, char *buf, size_t cap, size_t *len);

/*
 * Copies fetched column i into its destination (db_bind.c; db_fetch calls
 * it for each column).  0, or -1 when the value does not fit it.
 */
int db_col_finish(struct db_cols *c, unsigned i);

/* Binds c and buffers the result of an executed st (at most a page). db_rc. */
int db_fetch_begin(struct db *db, MYSQL_STMT *st, struct db_cols *c);
/* Next row into c's destinations: DB_OK, DB_NOT_FOUND after the last row, or an error. */
int db_fetch(struct db *db, MYSQL_STMT *st, struct db_cols *c);
/* Frees the buffered result so st can run again. */
void db_fetch_end(MYSQL_STMT *st);
/* Executes, fetches at most one row and frees: DB_OK, DB_NOT_FOUND or an error. */
int db_exec_one(struct db *db, unsigned slot, const char *sql, struct db_params *p,
                struct db_cols *c);

/* ---- partners ------------------------------------------------------------ */

/*
 * Creates the partner `name` (borrowed) if new; *id gets its id whether
 * the row was new or not (db_clients.c).  Run inside db_tx().  db_rc.
 */
int db_partner_upsert(struct db *db, const char *name, uint64_t *id);

/* ---- errors and work ---------------------------------------------------- */

/*
 * Maps a failed call's error to a db_rc, counts and logs it (what = the
 * call, for the log), and closes the connection when it is lost.
 * ER_DUP_ENTRY -> DB_CONFLICT (not logged); timeouts, lock waits, deadlocks
 * and a lost server -> DB_UNAVAILABLE; anything else -> DB_ERROR.
 */
int db_fail(struct db *db, unsigned err, const char *msg, const char *what);
int db_stmt_fail(struct db *db, MYSQL_STMT *st, const char *what);
/* db_fail with the error of the connection in use. */
int db_conn_fail(struct db *db, const char *what);

typedef int (*db_work_fn)(struct db *db, void *arg);

/* Runs a read-only fn; once more on a fresh connection if the connection was lost. */
int db_read(struct db *db, db_work_fn fn, void *arg);

/*
 * Runs fn in a transaction, on the write session of a split handle
 * (db_split_writes), else inside START TRANSACTION; commits when it
 * returns DB_OK, rolls back otherwise.  fn runs again (so it must start
 * from scratch) after a deadlock (up to 3 times) and once after a
 * connection lost before COMMIT.
 */
int db_tx(struct db *db, db_work_fn fn, void *arg);

/* Unix milliseconds <-> MYSQL_TIME (UTC). */
void db_ms_to_time(int64_t ms, MYSQL_TIME *t);
int64_t db_time_to_ms(const MYSQL_TIME *t);

#endif
