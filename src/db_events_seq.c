/*
 * db_events_seq: stamping and purging (see db_events_seq.h).
 *
 * The unsequenced rows are read with a plain (non-locking) read: at READ
 * COMMITTED it sees committed rows only and waits for no writer, so an
 * insert still in flight is simply left for a later stamp, however low its
 * id.  Their new seqs come from MAX(seq) read in the same transaction,
 * which the lease makes the only stamper: seq is gapless and each stamp
 * transaction adds a block above everything stamped before it.  The ids
 * go to the UPDATE as one JSON array, numbered by JSON_TABLE, so a stamp
 * of a thousand events is one statement.
 */
#include <stdio.h>
#include <string.h>

#include "db_events_seq.h"
#include "db_internal.h"
#include "db_lease.h"
#include "log.h"

static const char SQL_TOP[] = "SELECT COALESCE(MAX(seq), 0) FROM events";

static const char SQL_UNSEQUENCED[] = "SELECT id FROM events WHERE seq IS NULL ORDER BY id LIMIT ?";

static const char SQL_STAMP[] =
        "UPDATE events e JOIN JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY,"
        " id BIGINT UNSIGNED PATH '$')) j ON e.id = j.id"
        " SET e.seq = ? + j.n WHERE e.seq IS NULL";

static const char SQL_RANGE[] = "SELECT MIN(seq), MAX(seq) FROM events";

/* The first seq in [lo, lo + max) that is still within retention: where the purge stops. */
static const char SQL_KEEP_FROM[] =
        "SELECT MIN(seq) FROM events WHERE seq >= ? AND seq < ? AND occurred_on >= ?";

static const char SQL_PURGE[] = "DELETE FROM events WHERE seq >= ? AND seq < ?";

static const char SQL_PENDING[] = "SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE seq IS NULL"
                                  " LIMIT 1) p";

/* "[id,id,...]": 20 digits and a comma per id, the brackets and a NUL. */
#define ID_LIST_CAP (EVENTS_STAMP_MAX * 21 + 3)

static int read_u64(struct db *db, unsigned slot, const char *sql, struct db_params *p,
                    uint64_t *out)
{
	struct db_cols c;

	db_cols_init(&c);
	db_col_u64(&c, out);
	return db_exec_one(db, slot, sql, p, &c);
}

/* Appends ",id" (or "id" first) to list; the caller sized it for EVENTS_STAMP_MAX ids. */
static size_t id_list_add(char *list, size_t len, size_t cap, unsigned i, uint64_t id)
{
	int k = snprintf(list + len, cap - len, "%s%llu", i ? "," : "", (unsigned long long)id);

	return k > 0 ? len + (size_t)k : len;
}

/* Up to max unsequenced ids, oldest first, as a JSON array into list[cap]; *n of them. */
static int read_unsequenced(struct db *db, unsigned max, char *list, size_t cap, unsigned *n)
{
	struct db_params p;
	struct db_cols c;
	MYSQL_STMT *st = NULL;
	uint64_t id;
	size_t len = 1;
	int rc;

	*n = 0;
	db_params_init(&p);
	db_param_u64(&p, max);
	db_cols_init(&c);
	db_col_u64(&c, &id);
	rc = db_exec(db, SLOT_EVENTS_UNSEQUENCED, SQL_UNSEQUENCED, &p, &st);
	if (rc != DB_OK)
		return rc;
	rc = db_fetch_begin(db, st, &c);
	list[0] = '[';
	while (rc == DB_OK && *n < max) {
		rc = db_fetch(db, st, &c);
		if (rc == DB_OK)
			len = id_list_add(list, len, cap, (*n)++, id);
	}
	if (db->s->conn)
		db_fetch_end(st);
	snprintf(list + len, cap - len, "]");
	return rc == DB_NOT_FOUND ? DB_OK : rc;
}

struct stamp_work {
	struct lease *l;
	unsigned stamped;
};

static int stamp_run(struct db *db, void *arg)
{
	static char list[ID_LIST_CAP];
	struct stamp_work *w = arg;
	struct db_params p;
	MYSQL_STMT *st = NULL;
	uint64_t top = 0;
	unsigned n = 0;
	int rc = db_lease_hold(db, w->l);

	w->stamped = 0;
	if (rc != DB_OK || !w->l->held)
		return rc;
	rc = read_u64(db, SLOT_EVENTS_TOP, SQL_TOP, NULL, &top);
	if (rc == DB_OK)
		rc = read_unsequenced(db, EVENTS_STAMP_MAX, list, sizeof(list), &n);
	if (rc != DB_OK || n == 0)
		return rc;
	db_params_init(&p);
	db_param_cstr(&p, list);
	db_param_u64(&p, top);
	rc = db_exec(db, SLOT_EVENTS_STAMP, SQL_STAMP, &p, &st);
	/* fewer rows than read would leave a gap in seq: never commit that */
	if (rc == DB_OK && mysql_stmt_affected_rows(st) != n) {
		log_error("stamp: %u events read, %llu stamped", n,
		          (unsigned long long)mysql_stmt_affected_rows(st));
		return DB_ERROR;
	}
	if (rc == DB_OK)
		w->stamped = n;
	return rc;
}

int db_events_stamp(struct db *db, struct lease *l, unsigned *stamped)
{
	struct stamp_work w = {l, 0};
	int rc = db_tx(db, stamp_run, &w);

	*stamped = rc == DB_OK ? w.stamped : 0;
	return rc;
}

int db_events_range(struct db *db, uint64_t *lo, uint64_t *hi)
{
	struct db_cols c;

	db_cols_init(&c);
	db_col_u64(&c, lo);
	db_col_u64(&c, hi);
	return db_exec_one(db, SLOT_EVENTS_RANGE, SQL_RANGE, NULL, &c);
}

/* Where the purge of [lo, lo + max) ends: the first seq to keep. */
static int purge_end(struct db *db, uint64_t lo, uint64_t hi, int64_t before_ms, unsigned max,
                     uint64_t *end)
{
	struct db_params p;
	uint64_t keep = 0;
	int rc;

	*end = lo + max < hi ? lo + max : hi; /* the newest stays */
	db_params_init(&p);
	db_param_u64(&p, lo);
	db_param_u64(&p, *end);
	db_param_ms(&p, before_ms);
	rc = read_u64(db, SLOT_EVENTS_KEEP_FROM, SQL_KEEP_FROM, &p, &keep);
	if (rc == DB_OK && keep && keep < *end)
		*end = keep;
	return rc;
}

struct purge_work {
	struct lease *l;
	int64_t before_ms;
	unsigned max;
	unsigned purged;
};

static int purge_run(struct db *db, void *arg)
{
	struct purge_work *w = arg;
	struct db_params p;
	MYSQL_STMT *st = NULL;
	uint64_t lo = 0, hi = 0, end = 0;
	int rc = db_lease_hold(db, w->l);

	w->purged = 0;
	if (rc != DB_OK || !w->l->held)
		return rc;
	rc = db_events_range(db, &lo, &hi);
	if (rc == DB_OK && lo)
		rc = purge_end(db, lo, hi, w->before_ms, w->max, &end);
	if (rc != DB_OK || end <= lo)
		return rc;
	db_params_init(&p);
	db_param_u64(&p, lo);
	db_param_u64(&p, end);
	rc = db_exec(db, SLOT_EVENTS_PURGE, SQL_PURGE, &p, &st);
	if (rc == DB_OK)
		w->purged = (unsigned)mysql_stmt_affected_rows(st);
	return rc;
}

int db_events_purge(struct db *db, struct lease *l, int64_t before_ms, unsigned max,
                    unsigned *purged)
{
	struct purge_work w = {l, before_ms, max, 0};
	int rc = db_tx(db, purge_run, &w);

	*purged = rc == DB_OK ? w.purged : 0;
	return rc;
}

static int pending_run(struct db *db, void *arg)
{
	uint64_t n = 0;
	int rc = read_u64(db, SLOT_EVENTS_PENDING, SQL_PENDING, NULL, &n);

	*(int *)arg = rc == DB_OK && n > 0;
	return rc;
}

int db_events_pending(struct db *db, int *pending)
{
	*pending = 0;
	return db_read(db, pending_run, pending);
}
