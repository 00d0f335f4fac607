/*
 * db_partner_labels: the partner-wide label routes (contract §11).
 *
 * The page reads the dictionary (partner_labels, in name order) and the
 * counter rows only, so its cost grows with the number of labels, never
 * with the number of customers.
 *
 * A rename, delete or bulk assign is one transaction of set-based
 * statements, whatever the number of customers:
 *   1. lock the dictionary row of the label the request starts from
 *      (FOR UPDATE): a writer that adds that label to a customer checks
 *      the foreign key to it and so waits until we commit;
 *   2. lock the customers concerned (their rows, in id order, as a PATCH
 *      locks its one), so a concurrent PATCH of one of them runs before or
 *      after us, never in between (no lost update);
 *   3. note them, with their labels before, in a temporary table
 *      (relabel_set, per connection), and each distinct set before with its
 *      set after (relabel_map: sorted like LABELS_MISMATCH_SQL in
 *      tests/integration/lib.sh);
 *   4. change the label rows and the counts;
 *   5. copy the read copy after (labels_text), version + 1 and modified_at
 *      to exactly those customers, write one audit row each and one event
 *      for all.
 * A dictionary row is never renamed or removed: a rename moves the rows to
 * the entry of the new name (made if new).  A writer that looked a name up
 * just before we locked it then still attaches the name it asked for, and
 * a page cursor (a label id) keeps meaning the same name.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "db_events.h"
#include "db_labels.h"
#include "db_partner_labels.h"
#include "log.h"

#define NOT_OFFBOARDED " AND c.status <> 'OFFBOARDED'"
#define ADD_COUNT                                                                                  \
	"INSERT INTO partner_label_counts (label_id, shard, n)"                                    \
	" SELECT ?, CONNECTION_ID() % " LABEL_COUNT_SHARDS ", COUNT(*)"
#define ADD_COUNT_TAIL " HAVING COUNT(*) > 0 ON DUPLICATE KEY UPDATE n = n + VALUES(n)"
/*
 * A read copy (sorted names joined by 0x1F) as the audit trail's JSON
 * array, the form jansson writes (db_labels_json): labels hold no control
 * characters, so '"' and '\\' are all there is to escape.  CHAR(92) is the
 * backslash, whatever the sql_mode says about escapes.
 */
#define BS "CHAR(92 USING utf8mb4)"
#define LABELS_JSON(col)                                                                           \
	"IF(" col " = '', '[]', CONCAT('[\"', REPLACE(REPLACE(REPLACE("                            \
	"CONVERT(" col " USING utf8mb4), " BS ", CONCAT(" BS ", " BS ")),"                         \
	" '\"', CONCAT(" BS ", '\"')), CHAR(31 USING utf8mb4), '\",\"'), '\"]'))"
#define IDS_TABLE "JSON_TABLE(?, '$[*]' COLUMNS (id CHAR(32) PATH '$')) j"

static const char SQL_PAGE[] =
        "SELECT MIN(d.label_id), d.name, CAST(SUM(k.n) AS UNSIGNED) FROM partner_labels d"
        " JOIN partner_label_counts k ON k.label_id = d.label_id WHERE d.partner_id = ?"
        " AND d.name > COALESCE((SELECT a.name FROM partner_labels a"
        " WHERE a.label_id = ? AND a.partner_id = ?), '')"
        " GROUP BY d.partner_id, d.name HAVING SUM(k.n) > 0 ORDER BY d.partner_id, d.name LIMIT ?";

static const char SQL_LOCK_NAME[] =
        "SELECT label_id FROM partner_labels WHERE partner_id = ? AND name = ? FOR UPDATE";
static const char SQL_DICT_ADD[] =
        "INSERT IGNORE INTO partner_labels (partner_id, name) VALUES (?, ?)";
/* Every carrier, OFFBOARDED too: its record follows the partner's naming. */
static const char SQL_LOCK_CARRIERS[] =
        "SELECT COUNT(*) FROM customer_labels s STRAIGHT_JOIN customers c ON c.id = s.customer_id"
        " WHERE s.label_id = ? FOR UPDATE";
static const char SQL_LOCK_IDS[] =
        "SELECT c.id, c.status, (SELECT COUNT(*) FROM customer_labels x WHERE x.customer_id = "
        "c.id),"
        " (SELECT COUNT(*) FROM customer_labels x WHERE x.customer_id = c.id AND x.label_id = ?)"
        " FROM " IDS_TABLE " STRAIGHT_JOIN customers c ON c.id = UNHEX(j.id) AND c.partner_id = ?"
        " FOR UPDATE";

/* h: the hash of the customer's read copy before, its key in relabel_map. */
static const char SQL_SET_CREATE[] =
        "CREATE TEMPORARY TABLE IF NOT EXISTS relabel_set (id BINARY(16) NOT NULL PRIMARY KEY,"
        " seq INT UNSIGNED NOT NULL AUTO_INCREMENT, UNIQUE KEY (seq), h BINARY(32) NOT NULL,"
        " text_before VARBINARY(4111) NOT NULL)";
/* Each distinct read copy before of relabel_set, and the set after. */
static const char SQL_MAP_CREATE[] =
        "CREATE TEMPORARY TABLE IF NOT EXISTS relabel_map (h BINARY(32) NOT NULL PRIMARY KEY,"
        " text_before VARBINARY(4111) NOT NULL, text_after VARBINARY(4111) NOT NULL DEFAULT '',"
        " json_before LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '',"
        " json_after LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '')";
static const char SQL_SET_RANGE[] =
        "SELECT COALESCE(MIN(seq), 1), COALESCE(MAX(seq), 0) FROM relabel_set";
static const char SQL_SET_CLEAR[] = "DELETE FROM relabel_set";
static const char SQL_MAP_CLEAR[] = "DELETE FROM relabel_map";
/* SHA-256, not a weaker hash: labels are partners' text, a collision would swap sets. */
#define SET_ROW                                                                                    \
	"INSERT INTO relabel_set (id, h, text_before) SELECT c.id, UNHEX(SHA2(c.labels_text, "     \
	"256)), c.labels_text FROM "
static const char SQL_SET_CARRIERS[] =
        SET_ROW "customer_labels s STRAIGHT_JOIN customers c ON c.id = s.customer_id"
                " WHERE s.label_id = ?";
static const char SQL_SET_IDS[] =
        SET_ROW IDS_TABLE " STRAIGHT_JOIN customers c ON c.id = UNHEX(j.id)";
static const char SQL_SET_READ[] = "SELECT id FROM relabel_set ORDER BY id";

/* Before the rows move: to's count gains the carriers of from that lacked it. */
static const char SQL_COUNT_MOVE[] =
        ADD_COUNT " FROM customer_labels s STRAIGHT_JOIN customers c ON c.id = s.customer_id"
                  "" NOT_OFFBOARDED " WHERE s.label_id = ? AND NOT EXISTS (SELECT 1 FROM"
                  " customer_labels m WHERE m.customer_id = s.customer_id AND m.label_id = ?)"
                  "" ADD_COUNT_TAIL;
static const char SQL_COUNT_DROP[] = "DELETE FROM partner_label_counts WHERE label_id = ?";
static const char SQL_COUNT_ADD[] = ADD_COUNT " FROM relabel_set t STRAIGHT_JOIN customers c"
                                              " ON c.id = t.id" NOT_OFFBOARDED ADD_COUNT_TAIL;
/* A carrier of both keeps its row of to; IGNORE leaves its row of from for the DELETE. */
static const char SQL_ROWS_MOVE[] =
        "UPDATE IGNORE customer_labels SET label_id = ? WHERE label_id = ? ORDER BY customer_id";
static const char SQL_ROWS_DROP[] = "DELETE FROM customer_labels WHERE label_id = ?";
static const char SQL_ROWS_ADD[] = "INSERT INTO customer_labels (customer_id, label_id)"
                                   " SELECT t.id, ? FROM relabel_set t ORDER BY t.id";

/*
 * The sets after, once per distinct set before (a label on 100 000
 * customers is mostly on a few distinct sets): the names before, with the
 * name added (? 1, '' for none) and the name taken away (? 2, '' for
 * none), sorted and joined like LABELS_MISMATCH_SQL (bytes: labels_text is
 * binary, and the CASTs keep the JSON_TABLE column's collation out).  The
 * assignments run left to right, each seeing the one before.  The
 * customers' UPDATE and the audit rows then copy them, where a GROUP_CONCAT
 * over each customer's label rows cost twice as much (docs/design.md).
 */
#define BIN(x) "CAST(" x " AS BINARY)"
#define NAMES_AFTER                                                                                \
	"JSON_TABLE(JSON_ARRAY_APPEND(m.json_before, '$', ?), '$[*]' COLUMNS (name VARCHAR(1024)"  \
	" CHARACTER SET utf8mb4 PATH '$')) j WHERE " BIN("j.name") " NOT IN (" BIN("?") ", '')"
static const char SQL_MAP_FILL[] =
        "INSERT IGNORE INTO relabel_map (h, text_before) SELECT h, text_before FROM relabel_set";
static const char SQL_MAP_AFTER[] = "UPDATE relabel_map m SET m.json_before = " LABELS_JSON(
        "m.text_before") ","
                         " m.text_after = COALESCE((SELECT GROUP_CONCAT(DISTINCT " BIN(
                                 "j.name") " ORDER BY"
                                           " " BIN("j.name") " SEPARATOR X'1F') FROM " NAMES_AFTER
                                                             "), ''),"
                                                             " m.json_after = " LABELS_JSON(
                                                                     "m.text_after");
static const char SQL_TOUCH[] =
        "UPDATE relabel_set t STRAIGHT_JOIN customers c ON c.id = t.id STRAIGHT_JOIN relabel_map m"
        " ON m.h = t.h SET c.labels_text = m.text_after, c.label_sig = " LABEL_SIG_OF(
                "c.id") ","
                        " c.modified_at = ?,"
                        " c.version = c.version + 1 WHERE t.seq BETWEEN ? AND ?";
static const char SQL_AUDIT[] =
        "INSERT INTO customer_audit (customer_id, partner_id, client_id, requestor_id,"
        " request_id, action, labels_before, labels_after, status_before, status_after,"
        " created_at) SELECT t.id, ?, ?, ?, ?, 'labels', m.json_before, m.json_after, NULL, NULL,"
        " ? FROM relabel_set t STRAIGHT_JOIN relabel_map m ON m.h = t.h"
        " WHERE t.seq BETWEEN ? AND ? ORDER BY t.id";

/* ---- the page ------------------------------------------------------------ */

struct page_work {
	uint64_t partner_id, after_id;
	unsigned max;
	db_label_cb cb;
	void *arg;
};

static int page_run(struct db *db, void *arg)
{
	struct page_work *w = arg;
	char name[LABEL_MAX_BYTES + 1];
	uint64_t id, count;
	size_t len;
	struct db_params p;
	struct db_cols c;
	MYSQL_STMT *st = NULL;
	int rc;

	db_params_init(&p);
	db_param_u64(&p, w->partner_id);
	db_param_u64(&p, w->after_id);
	db_param_u64(&p, w->partner_id);
	db_param_u64(&p, w->max);
	db_cols_init(&c);
	db_col_u64(&c, &id);
	db_col_str(&c, name, sizeof(name), &len);
	db_col_u64(&c, &count);
	rc = db_exec(db, SLOT_PLABELS_PAGE, SQL_PAGE, &p, &st);
	if (rc == DB_OK)
		rc = db_fetch_begin(db, st, &c);
	while (rc == DB_OK && (rc = db_fetch(db, st, &c)) == DB_OK)
		if (w->cb(id, name, len, count, w->arg))
			rc = DB_NOT_FOUND; /* stopped: as after the last row */
	if (st && db->s->conn)
		db_fetch_end(st);
	return rc == DB_NOT_FOUND ? DB_OK : rc;
}

int db_partner_labels_page(struct db *db, uint64_t partner_id, uint64_t after_id, unsigned max,
                           db_label_cb cb, void *arg)
{
	struct page_work w = {partner_id, after_id, max, cb, arg};

	return db_read(db, page_run, &w);
}

/* ---- shared steps ---------------------------------------------------------- */

/* Runs a statement whose parameters are label ids (n of them, in order). */
static int exec_ids(struct db *db, unsigned slot, const char *sql, const uint64_t *ids, size_t n)
{
	struct db_params p;

	db_params_init(&p);
	for (size_t i = 0; i < n; i++)
		db_param_u64(&p, ids[i]);
	return db_exec(db, slot, sql, &p, NULL);
}

/* The dictionary id of name, locked; add 1 to make the entry when it is new.  DB_NOT_FOUND. */
static int name_lock(struct db *db, uint64_t partner_id, const char *name, size_t len, int add,
                     uint64_t *id)
{
	struct db_params p;
	struct db_cols c;
	int rc = DB_OK;

	db_params_init(&p);
	db_param_u64(&p, partner_id);
	db_param_str(&p, name, len);
	if (add)
		rc = db_exec(db, SLOT_PLABELS_DICT_ADD, SQL_DICT_ADD, &p, NULL);
	db_cols_init(&c);
	db_col_u64(&c, id);
	if (rc == DB_OK)
		rc = db_exec_one(db, SLOT_PLABELS_LOCK_NAME, SQL_LOCK_NAME, &p, &c);
	return rc;
}

/* An empty relabel_set and relabel_map on this connection. */
static int set_begin(struct db *db)
{
	int rc = db_query(db, SQL_SET_CREATE);

	if (rc == DB_OK)
		rc = db_query(db, SQL_MAP_CREATE);
	if (rc == DB_OK)
		rc = db_exec(db, SLOT_PLABELS_SET_CLEAR, SQL_SET_CLEAR, NULL, NULL);
	return rc == DB_OK ? db_exec(db, SLOT_PLABELS_MAP_CLEAR, SQL_MAP_CLEAR, NULL, NULL) : rc;
}

/* relabel_map for relabel_set: the sets after, with name add in and drop out ("" for none). */
static int map_build(struct db *db, const char *add, size_t add_len, const char *drop,
                     size_t drop_len)
{
	struct db_params p;
	int rc = db_exec(db, SLOT_PLABELS_MAP_FILL, SQL_MAP_FILL, NULL, NULL);

	db_params_init(&p);
	db_param_str(&p, add, add_len);
	db_param_str(&p, drop, drop_len);
	return rc == DB_OK ? db_exec(db, SLOT_PLABELS_MAP_AFTER, SQL_MAP_AFTER, &p, NULL) : rc;
}

/* The ids of relabel_set (n of them) into a malloc'd *out. */
static int set_read(struct db *db, size_t n, struct uuid **out)
{
	struct uuid id;
	struct db_cols c;
	MYSQL_STMT *st = NULL;
	size_t got = 0;
	int rc;

	*out = calloc(n ? n : 1, sizeof(**out));
	if (!*out) {
		log_error("labels: out of memory for %zu ids", n);
		return DB_ERROR;
	}
	db_cols_init(&c);
	db_col_uuid(&c, &id);
	rc = db_exec(db, SLOT_PLABELS_SET_READ, SQL_SET_READ, NULL, &st);
	if (rc == DB_OK)
		rc = db_fetch_begin(db, st, &c);
	while (rc == DB_OK && (rc = db_fetch(db, st, &c)) == DB_OK && got < n)
		(*out)[got++] = id;
	if (st && db->s->conn)
		db_fetch_end(st);
	if (rc == DB_NOT_FOUND && got == n)
		return DB_OK;
	log_error("labels: %zu of %zu changed customers read back", got, n);
	return rc == DB_NOT_FOUND || rc == DB_OK ? DB_ERROR : rc;
}

/*
 * The read copies and audit rows of relabel_set's customers are written
 * SET_CHUNK at a time, in the same transaction: each statement then stays
 * well inside [database] statement_timeout (and the connection's read
 * timeout just above it) however many customers carry the label.
 */
#define SET_CHUNK 20000

/* Step 5's statements for the customers seq lo..hi. */
static int set_chunk(struct db *db, const struct audit_ctx *who, int64_t ms, uint64_t lo,
                     uint64_t hi)
{
	struct db_params p;
	int rc;

	db_params_init(&p);
	db_param_ms(&p, ms);
	db_param_u64(&p, lo);
	db_param_u64(&p, hi);
	rc = db_exec(db, SLOT_PLABELS_TOUCH, SQL_TOUCH, &p, NULL);
	if (rc != DB_OK)
		return rc;
	db_params_init(&p);
	db_param_u64(&p, who->partner_id);
	db_param_cstr(&p, who->client_id ? who->client_id : "");
	db_param_uuid(&p, who->requestor);
	db_param_cstr(&p, who->request_id);
	db_param_ms(&p, ms);
	db_param_u64(&p, lo);
	db_param_u64(&p, hi);
	return db_exec(db, SLOT_PLABELS_AUDIT, SQL_AUDIT, &p, NULL);
}

static int set_chunks(struct db *db, const struct audit_ctx *who, int64_t ms)
{
	uint64_t lo = 1, hi = 0;
	struct db_cols c;
	int rc;

	db_cols_init(&c);
	db_col_u64(&c, &lo);
	db_col_u64(&c, &hi);
	rc = db_exec_one(db, SLOT_PLABELS_SET_RANGE, SQL_SET_RANGE, NULL, &c);
	for (uint64_t at = lo; rc == DB_OK && at <= hi; at += SET_CHUNK)
		rc = set_chunk(db, who, ms, at, at + SET_CHUNK - 1);
	return rc;
}

/* Step 5 for the n customers of relabel_set, whose label rows are final. */
static int set_finish(struct db *db, const struct audit_ctx *who, size_t n)
{
	int64_t ms = clock_wall_ms();
	struct uuid *ids = NULL;
	int rc = set_chunks(db, who, ms);

	if (rc == DB_OK)
		rc = set_read(db, n, &ids);
	if (rc == DB_OK)
		rc = db_event_labels(db, who->partner_id, ids, n, ms);
	free(ids);
	return rc;
}

/* ---- rename and delete ------------------------------------------------------ */

struct move_work {
	const struct audit_ctx *who;
	const char *from, *to; /* to NULL: delete */
	size_t from_len, to_len;
};

/* Locks from's carriers (steps 1-2): DB_NOT_FOUND when there is none. */
static int carriers_lock(struct db *db, const struct move_work *w, uint64_t *from_id, uint64_t *n)
{
	struct db_params p;
	struct db_cols c;
	int rc = name_lock(db, w->who->partner_id, w->from, w->from_len, 0, from_id);

	if (rc != DB_OK)
		return rc;
	db_params_init(&p);
	db_param_u64(&p, *from_id);
	db_cols_init(&c);
	db_col_u64(&c, n);
	rc = db_exec_one(db, SLOT_PLABELS_LOCK_CARRIERS, SQL_LOCK_CARRIERS, &p, &c);
	return rc == DB_OK && *n == 0 ? DB_NOT_FOUND : rc;
}

/* Step 4 of a rename: counts first (they need the rows as they were), then the rows. */
static int rows_move(struct db *db, const struct move_work *w, uint64_t from_id)
{
	uint64_t ids[3] = {0, from_id, 0};
	int rc = name_lock(db, w->who->partner_id, w->to, w->to_len, 1, &ids[0]);

	ids[2] = ids[0];
	if (rc == DB_OK)
		rc = exec_ids(db, SLOT_PLABELS_COUNT_MOVE, SQL_COUNT_MOVE, ids, 3);
	if (rc == DB_OK)
		rc = exec_ids(db, SLOT_PLABELS_ROWS_MOVE, SQL_ROWS_MOVE, ids, 2);
	return rc;
}

static int move_run(struct db *db, void *arg)
{
	struct move_work *w = arg;
	uint64_t from_id = 0, n = 0;
	int rc = carriers_lock(db, w, &from_id, &n);

	if (rc != DB_OK)
		return rc;
	if (w->to && w->to_len == w->from_len && !memcmp(w->to, w->from, w->to_len))
		return DB_OK; /* the same name: nothing changes */
	rc = set_begin(db);
	if (rc == DB_OK)
		rc = exec_ids(db, SLOT_PLABELS_SET_CARRIERS, SQL_SET_CARRIERS, &from_id, 1);
	if (rc == DB_OK)
		rc = map_build(db, w->to ? w->to : "", w->to ? w->to_len : 0, w->from, w->from_len);
	if (rc == DB_OK && w->to)
		rc = rows_move(db, w, from_id);
	if (rc == DB_OK)
		rc = exec_ids(db, SLOT_PLABELS_COUNT_DROP, SQL_COUNT_DROP, &from_id, 1);
	if (rc == DB_OK)
		rc = exec_ids(db, SLOT_PLABELS_ROWS_DROP, SQL_ROWS_DROP, &from_id, 1);
	if (rc == DB_OK)
		rc = set_finish(db, w->who, (size_t)n);
	return rc;
}

int db_partner_label_move(struct db *db, const struct audit_ctx *who, const char *from,
                          size_t from_len, const char *to, size_t to_len)
{
	struct move_work w = {who, from, to, from_len, to_len};

	if (who->check) {
		log_error("label move: an unconfirmed client");
		return DB_ERROR;
	}
	return db_tx(db, move_run, &w);
}

/* ---- bulk assign -------------------------------------------------------------- */

struct assign_work {
	const struct audit_ctx *who;
	const char *name;
	size_t len;
	const struct uuid *ids;
	size_t n;
	struct assign_result *res;
	unsigned char *state; /* per id: a bit set of the ST_* below */
	size_t *order;        /* the indexes of ids, in id order */
};

enum { ST_FOUND = 1, ST_HAS = 2, ST_FULL = 4, ST_OFFBOARDED = 8 };

static int id_cmp(const void *a, const void *b)
{
	return memcmp(((const struct uuid *)a)->b, ((const struct uuid *)b)->b, 16);
}

/*
 * A JSON array of the ids (with state & mask == want, when mask) as 32 hex
 * digits, in id order: the lock statement locks them in the order given,
 * and id order is the order every writer of many customers locks in.
 */
static char *ids_json(const struct assign_work *w, unsigned mask, unsigned want)
{
	static const char hex[] = "0123456789abcdef";
	json_t *arr = json_array();
	char *out = NULL;

	for (size_t k = 0; arr && k < w->n; k++) {
		size_t i = w->order[k];
		char text[33];

		if ((w->state[i] & mask) != want)
			continue;
		for (int b = 0; b < 16; b++) {
			text[2 * b] = hex[w->ids[i].b[b] >> 4];
			text[2 * b + 1] = hex[w->ids[i].b[b] & 15];
		}
		text[32] = '\0';
		if (json_array_append_new(arr, json_string(text)))
			goto out;
	}
	out = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
out:
	json_decref(arr);
	if (!out)
		log_error("labels: out of memory");
	return out;
}

/* The index of id in w->ids, by binary search over w->order; -1 if absent. */
static long id_index(const struct assign_work *w, const struct uuid *id)
{
	size_t lo = 0, hi = w->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = id_cmp(&w->ids[w->order[mid]], id);

		if (c == 0)
			return (long)w->order[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static const struct uuid *sort_base; /* the ids order_ids sorts by (qsort has no argument) */

static int order_cmp(const void *a, const void *b)
{
	return id_cmp(&sort_base[*(const size_t *)a], &sort_base[*(const size_t *)b]);
}

static void order_ids(struct assign_work *w)
{
	for (size_t i = 0; i < w->n; i++)
		w->order[i] = i;
	sort_base = w->ids;
	qsort(w->order, w->n, sizeof(w->order[0]), order_cmp);
}

/* One locked customer's row into w->state. */
static void assign_note(struct assign_work *w, const struct uuid *id, const char *status,
                        uint64_t nlabels, uint64_t has)
{
	long i = id_index(w, id);

	if (i < 0)
		return;
	w->state[i] = ST_FOUND | (has ? ST_HAS : 0);
	if (!has && nlabels >= LABELS_MAX)
		w->state[i] |= ST_FULL;
	if (!strcmp(status, customer_status_name(STATUS_OFFBOARDED)))
		w->state[i] |= ST_OFFBOARDED;
}

/* Locks the listed customers of the partner and reads what the refusals need. */
static int assign_lock(struct db *db, struct assign_work *w, uint64_t label_id)
{
	char *json = ids_json(w, 0, 0), status[16];
	uint64_t nlabels, has;
	struct uuid id;
	struct db_params p;
	struct db_cols c;
	MYSQL_STMT *st = NULL;
	int rc;

	if (!json)
		return DB_ERROR;
	memset(w->state, 0, w->n);
	db_params_init(&p);
	db_param_u64(&p, label_id);
	db_param_cstr(&p, json);
	db_param_u64(&p, w->who->partner_id);
	db_cols_init(&c);
	db_col_uuid(&c, &id);
	db_col_str(&c, status, sizeof(status), NULL);
	db_col_u64(&c, &nlabels);
	db_col_u64(&c, &has);
	rc = db_exec(db, SLOT_PLABELS_LOCK_IDS, SQL_LOCK_IDS, &p, &st);
	if (rc == DB_OK)
		rc = db_fetch_begin(db, st, &c);
	while (rc == DB_OK && (rc = db_fetch(db, st, &c)) == DB_OK)
		assign_note(w, &id, status, nlabels, has);
	if (st && db->s->conn)
		db_fetch_end(st);
	free(json);
	return rc == DB_NOT_FOUND ? DB_OK : rc;
}

/* The ids whose state & mask == want as the refusal r; 1 if there is any. */
static int refuse(struct assign_work *w, enum assign_refusal r, unsigned mask, unsigned want)
{
	w->res->nbad = 0;
	for (size_t i = 0; i < w->n; i++)
		if ((w->state[i] & mask) == want)
			w->res->bad[w->res->nbad++] = i;
	if (w->res->nbad)
		w->res->refusal = r;
	return w->res->nbad > 0;
}

/* §11's order: unknown ids, then too many labels, then OFFBOARDED. */
static int assign_refused(struct assign_work *w)
{
	return refuse(w, ASSIGN_NOT_FOUND, ST_FOUND, 0) ||
	       refuse(w, ASSIGN_TOO_MANY, ST_FULL, ST_FULL) ||
	       refuse(w, ASSIGN_OFFBOARDED, ST_OFFBOARDED, ST_OFFBOARDED);
}

/* Steps 3-5 for the ids that lack the label. */
static int assign_write(struct db *db, struct assign_work *w, uint64_t label_id, size_t n)
{
	char *json = ids_json(w, ST_HAS, 0);
	struct db_params p;
	int rc;

	if (!json)
		return DB_ERROR;
	rc = set_begin(db);
	db_params_init(&p);
	db_param_cstr(&p, json);
	if (rc == DB_OK)
		rc = db_exec(db, SLOT_PLABELS_SET_IDS, SQL_SET_IDS, &p, NULL);
	free(json);
	if (rc == DB_OK)
		rc = map_build(db, w->name, w->len, "", 0);
	if (rc == DB_OK)
		rc = exec_ids(db, SLOT_PLABELS_ROWS_ADD, SQL_ROWS_ADD, &label_id, 1);
	if (rc == DB_OK)
		rc = exec_ids(db, SLOT_PLABELS_COUNT_ADD, SQL_COUNT_ADD, &label_id, 1);
	if (rc == DB_OK)
		rc = set_finish(db, w->who, n);
	return rc;
}

/* A refusal rolls back (DB_CONFLICT), taking a new dictionary entry with it. */
static int assign_run(struct db *db, void *arg)
{
	struct assign_work *w = arg;
	uint64_t label_id = 0;
	size_t changing = 0;
	int rc = name_lock(db, w->who->partner_id, w->name, w->len, 1, &label_id);

	w->res->refusal = ASSIGN_OK;
	w->res->nbad = 0;
	if (rc == DB_OK)
		rc = assign_lock(db, w, label_id);
	if (rc != DB_OK)
		return rc;
	if (assign_refused(w))
		return DB_CONFLICT;
	for (size_t i = 0; i < w->n; i++)
		changing += !(w->state[i] & ST_HAS);
	return changing ? assign_write(db, w, label_id, changing) : DB_OK;
}

int db_partner_label_assign(struct db *db, const struct audit_ctx *who, const char *name,
                            size_t len, const struct uuid *ids, size_t n, struct assign_result *res)
{
	static size_t order[ASSIGN_IDS_MAX];
	unsigned char state[ASSIGN_IDS_MAX];
	struct assign_work w = {who, name, len, ids, n, res, state, order};
	int rc;

	if (who->check || n == 0 || n > ASSIGN_IDS_MAX) {
		log_error("label assign: an unconfirmed client or %zu ids", n);
		return DB_ERROR;
	}
	order_ids(&w);
	rc = db_tx(db, assign_run, &w);
	return rc == DB_CONFLICT && res->refusal != ASSIGN_OK ? DB_OK : rc;
}
