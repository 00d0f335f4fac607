/*
 * db_labels: label names as dictionary ids, and a customer's label rows.
 *
 * A set of names travels to the server as one JSON array that JSON_TABLE
 * unpacks, so one cached statement serves every set size and no SQL text
 * is made from a label.  STRAIGHT_JOIN makes each name one eq_ref probe of
 * uk_partner_labels_name (without it the optimizer reads every label of
 * the partner and joins them in a buffer); the explicit collation keeps
 * the comparison byte-wise like the column.
 *
 * The counts (partner_label_counts) change in the same transaction as the
 * rows, after them, touching the counter rows in label_id order, so that
 * concurrent writers take locks in one order: customer row, label rows,
 * counter rows.  A writer adds to its connection's shard.
 */
#include <jansson.h>
#include <stdlib.h>

#include "db_labels.h"
#include "log.h"
#include "read_copy.h"

/* A JSON array parameter as rows j(name [, delta]); COLS: the columns of one element. */
#define JSON_ROWS(cols) "JSON_TABLE(?, '$[*]' COLUMNS (" cols ")) j"
#define NAME_COL(path) "name VARCHAR(64) CHARACTER SET utf8mb4 PATH '" path "'"
/* ... joined to the partner's dictionary entry of each name. */
#define IN_DICTIONARY                                                                              \
	" STRAIGHT_JOIN partner_labels d ON d.partner_id = ? AND d.name = j.name COLLATE "         \
	"utf8mb4_bin"
#define NAMES_TABLE JSON_ROWS(NAME_COL("$")) IN_DICTIONARY

static const char SQL_RESOLVE[] =
        "SELECT d.label_id, (SELECT CAST(GREATEST(0, COALESCE(SUM(k.n), 0)) AS UNSIGNED)"
        " FROM partner_label_counts k WHERE k.label_id = d.label_id) FROM " NAMES_TABLE;

/*
 * The known names' rows, in primary-key order.  A row already there (the
 * second pass of attach) is left as it is.
 */
static const char SQL_ATTACH[] =
        "INSERT INTO customer_labels (customer_id, label_id) SELECT ?, d.label_id FROM " NAMES_TABLE
        " ORDER BY d.label_id ON DUPLICATE KEY UPDATE customer_labels.label_id = VALUES(label_id)";

/* IGNORE: a name another writer added first is the one wanted. */
static const char SQL_DICTIONARY_ADD[] =
        "INSERT IGNORE INTO partner_labels (partner_id, name) SELECT ?, j.name FROM " JSON_ROWS(
                NAME_COL("$"));

/* [[name, +1 | -1], ...]; nothing for an OFFBOARDED customer, who is not counted. */
static const char SQL_COUNT[] =
        "INSERT INTO partner_label_counts (label_id, shard, n)"
        " SELECT d.label_id, CONNECTION_ID() % " LABEL_COUNT_SHARDS ", j.delta"
        " FROM " JSON_ROWS(NAME_COL("$[0]") ", delta INT PATH '$[1]'") IN_DICTIONARY
        " WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = ? AND c.status <> 'OFFBOARDED')"
        " ORDER BY d.label_id ON DUPLICATE KEY UPDATE n = n + VALUES(n)";

/* All the customer's labels in or out of the counts (entering or leaving OFFBOARDED). */
static const char SQL_COUNT_ALL[] =
        "INSERT INTO partner_label_counts (label_id, shard, n)"
        " SELECT l.label_id, CONNECTION_ID() % " LABEL_COUNT_SHARDS ", IF(? = 1, 1, -1)"
        " FROM customer_labels l WHERE l.customer_id = ? ORDER BY l.label_id"
        " ON DUPLICATE KEY UPDATE n = n + VALUES(n)";

static const char SQL_TAKE[] =
        "DELETE FROM customer_labels WHERE customer_id = ? RETURNING"
        " (SELECT d.name FROM partner_labels d WHERE d.label_id = customer_labels.label_id)";

char *db_labels_json(const struct label_set *set)
{
	json_t *arr = json_array();
	char *out = NULL;

	if (!arr)
		return NULL;
	for (size_t i = 0; i < set->n; i++) {
		if (json_array_append_new(arr, json_stringn(set->v[i], set->len[i])))
			goto out;
	}
	out = json_dumps(arr, JSON_COMPACT);
out:
	json_decref(arr);
	return out;
}

/* Rarest first; ties by id, so equal filters plan alike. */
static void ids_sort(struct label_ids *ids)
{
	for (size_t i = 1; i < ids->n; i++) {
		for (size_t j = i; j > 0; j--) {
			int before =
			        ids->count[j] < ids->count[j - 1] ||
			        (ids->count[j] == ids->count[j - 1] && ids->id[j] < ids->id[j - 1]);
			uint64_t t;

			if (!before)
				break;
			t = ids->id[j], ids->id[j] = ids->id[j - 1], ids->id[j - 1] = t;
			t = ids->count[j], ids->count[j] = ids->count[j - 1], ids->count[j - 1] = t;
		}
	}
}

static int resolve_fetch(struct db *db, MYSQL_STMT *st, struct label_ids *out)
{
	uint64_t id, count;
	struct db_cols c;
	int rc;

	db_cols_init(&c);
	db_col_u64(&c, &id);
	db_col_u64(&c, &count);
	rc = db_fetch_begin(db, st, &c);
	while (rc == DB_OK && (rc = db_fetch(db, st, &c)) == DB_OK) {
		if (out->n == LABELS_MAX) {
			rc = DB_ERROR;
			break;
		}
		out->id[out->n] = id;
		out->count[out->n++] = count;
	}
	if (db->s->conn)
		db_fetch_end(st);
	return rc == DB_NOT_FOUND ? DB_OK : rc;
}

int db_labels_resolve(struct db *db, uint64_t partner_id, const struct label_set *names,
                      struct label_ids *out)
{
	char *json = db_labels_json(names);
	struct db_params p;
	MYSQL_STMT *st = NULL;
	int rc;

	out->n = 0;
	if (!json) {
		log_error("labels: out of memory");
		return DB_ERROR;
	}
	db_params_init(&p);
	db_param_cstr(&p, json);
	db_param_u64(&p, partner_id);
	rc = db_exec(db, SLOT_LABELS_RESOLVE, SQL_RESOLVE, &p, &st);
	if (rc == DB_OK)
		rc = resolve_fetch(db, st, out);
	free(json);
	if (rc == DB_OK)
		ids_sort(out);
	return rc;
}

/*
 * Inserts the rows of the names the dictionary knows; *rows: the rows
 * written or (CLIENT_FOUND_ROWS) already there.
 */
static int attach_known(struct db *db, uint64_t partner_id, const struct uuid *customer,
                        const char *json, uint64_t *rows)
{
	struct db_params p;
	MYSQL_STMT *st = NULL;
	int rc;

	db_params_init(&p);
	db_param_uuid(&p, customer);
	db_param_cstr(&p, json);
	db_param_u64(&p, partner_id);
	rc = db_exec(db, SLOT_LABELS_ATTACH, SQL_ATTACH, &p, &st);
	if (rc == DB_OK)
		*rows = mysql_stmt_affected_rows(st);
	return rc;
}

static int dictionary_add(struct db *db, uint64_t partner_id, const char *json)
{
	struct db_params p;

	db_params_init(&p);
	db_param_u64(&p, partner_id);
	db_param_cstr(&p, json);
	return db_exec(db, SLOT_LABELS_DICTIONARY_ADD, SQL_DICTIONARY_ADD, &p, NULL);
}

/*
 * The common case, every name known, is one statement; a new name costs
 * two more.  The customer has no label rows when this runs (a create, or
 * after db_labels_take / a delete), so every name must add one row.
 */
int db_labels_attach(struct db *db, uint64_t partner_id, const struct uuid *customer,
                     const struct label_set *set)
{
	char *json;
	uint64_t rows = 0;
	int rc;

	if (set->n == 0)
		return DB_OK;
	json = db_labels_json(set);
	if (!json) {
		log_error("labels: out of memory");
		return DB_ERROR;
	}
	rc = attach_known(db, partner_id, customer, json, &rows);
	if (rc == DB_OK && rows < set->n) {
		rc = dictionary_add(db, partner_id, json);
		if (rc == DB_OK)
			rc = attach_known(db, partner_id, customer, json, &rows);
	}
	if (rc == DB_OK && rows != set->n) {
		log_error("labels: %llu of %zu label rows written", (unsigned long long)rows,
		          set->n);
		rc = DB_ERROR;
	}
	free(json);
	return rc;
}

int db_labels_take(struct db *db, const struct uuid *customer, char *buf, size_t cap,
                   struct label_set *out)
{
	char name[LABEL_MAX_BYTES + 1];
	size_t len, at = 0;
	struct db_params p;
	struct db_cols c;
	MYSQL_STMT *st = NULL;
	int rc;

	db_params_init(&p);
	db_param_uuid(&p, customer);
	db_cols_init(&c);
	db_col_str(&c, name, sizeof(name), &len);
	rc = db_exec(db, SLOT_LABELS_TAKE, SQL_TAKE, &p, &st);
	if (rc == DB_OK)
		rc = db_fetch_begin(db, st, &c);
	buf[0] = '\0';
	while (rc == DB_OK && (rc = db_fetch(db, st, &c)) == DB_OK)
		if (read_copy_add_label(buf, cap, &at, name, len))
			rc = DB_ERROR;
	if (st && db->s->conn)
		db_fetch_end(st);
	if (rc != DB_NOT_FOUND) /* DB_NOT_FOUND: after the last row */
		return rc;
	if (read_copy_split_labels(buf, at, out)) {
		log_error("customer has more than %d labels", LABELS_MAX);
		return DB_ERROR;
	}
	label_set_sort(out);
	return DB_OK;
}

/* Appends [name, delta] for each label of a (NULL: none) that b lacks. 0, or -1 on OOM. */
static int deltas_add(json_t *arr, const struct label_set *a, const struct label_set *b, int delta)
{
	for (size_t i = 0; a && i < a->n; i++) {
		if (b && label_set_find(b, a->v[i], a->len[i]) >= 0)
			continue;
		if (json_array_append_new(arr, json_pack("[s%,i]", a->v[i], a->len[i], delta)))
			return -1;
	}
	return 0;
}

static int count_exec(struct db *db, uint64_t partner_id, const struct uuid *customer,
                      const json_t *deltas)
{
	char *json = json_dumps(deltas, JSON_COMPACT);
	struct db_params p;
	int rc;

	if (!json) {
		log_error("labels: out of memory");
		return DB_ERROR;
	}
	db_params_init(&p);
	db_param_cstr(&p, json);
	db_param_u64(&p, partner_id);
	db_param_uuid(&p, customer);
	rc = db_exec(db, SLOT_LABELS_COUNT, SQL_COUNT, &p, NULL);
	free(json);
	return rc;
}

int db_labels_count(struct db *db, uint64_t partner_id, const struct uuid *customer,
                    const struct label_set *before, const struct label_set *after)
{
	json_t *deltas = json_array();
	int rc;

	if (!deltas || deltas_add(deltas, before, after, -1) ||
	    deltas_add(deltas, after, before, 1)) {
		log_error("labels: out of memory");
		rc = DB_ERROR;
	} else {
		/* the same set changes no count */
		rc = json_array_size(deltas) ? count_exec(db, partner_id, customer, deltas) : DB_OK;
	}
	json_decref(deltas);
	return rc;
}

int db_labels_count_all(struct db *db, const struct uuid *customer, int delta)
{
	struct db_params p;

	db_params_init(&p);
	db_param_u64(&p, delta > 0);
	db_param_uuid(&p, customer);
	return db_exec(db, SLOT_LABELS_COUNT_ALL, SQL_COUNT_ALL, &p, NULL);
}
