/*
 * db_seed: the bulk load behind `customers-admin seed`.
 *
 * Customers are generated a transaction's worth at a time (a "chunk") into
 * row arrays, one per table (customer_labels: each customer's label ids),
 * and sent with MariaDB's bulk execution: one prepared INSERT
 * per table, executed per batch with STMT_ATTR_ARRAY_SIZE rows.  Binding is
 * row-wise (STMT_ATTR_ROW_SIZE): each table's row is a struct holding its
 * values inline, so a batch is one slice of one array and nothing needs a
 * pointer per value, as column-wise binding of strings, blobs and times
 * would.  Foreign keys are not checked while loading (parents go in first,
 * in the same transaction); unique checks stay on, because a seed repeated
 * for the same partner repeats its entity ids, and with them off InnoDB
 * need not notice: measured, they cost nothing noticeable at a million
 * customers.
 *
 * A chunk is generated before its transaction starts, so when db_tx()
 * replays the transaction (deadlock, connection lost before COMMIT) it
 * sends the same rows; the PRNG has then moved on only by what went into
 * them.  The statements are our own, not slots of the cache: when a replay
 * had to reconnect, the connection counter tells, and they are prepared
 * again along with the session settings.
 *
 * All randomness but the customer ids comes from seed_gen.c, drawn in a
 * fixed order per customer, so a seed reproduces the data on any platform.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "db_seed.h"
#include "log.h"
#include "read_copy.h"
#include "seed_gen.h"
#include "uuid.h"

#define BATCH_ROWS 2000  /* customers per bulk execution */
#define CHUNK_BATCHES 10 /* batches per transaction */
#define CHUNK_ROWS (BATCH_ROWS * CHUNK_BATCHES)
#define COLS_MAX 11
#define SEED_BIC "COBADEFFXXX"
#define SEED_BANK "Seed Bank"

static const char SQL_CUSTOMERS[] =
        "INSERT INTO customers (id, partner_id, entity_id, entity_type, status, created_at,"
        " modified_at, cancellation_date, version, labels_text, ref_accounts_text, label_sig)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)";

static const char SQL_LABELS[] =
        "INSERT INTO customer_labels (customer_id, label_id) VALUES (?, ?)";

/* A chunk's customers per label, OFFBOARDED not counted (schema 4), in shard 0. */
static const char SQL_COUNTS[] = "INSERT INTO partner_label_counts (label_id, shard, n)"
                                 " VALUES (?, 0, ?) ON DUPLICATE KEY UPDATE n = n + VALUES(n)";

/*
 * The partner's dictionary entries label-0 .. label-(n-1), zero-padded to
 * one width, from a SEQUENCE table (its name carries n: a number, never
 * user text); then their ids by number.
 */
#define SEQ_LABELS "seq_0_to_%u s"
#define SEQ_NAME "CONCAT('label-', LPAD(s.seq, ?, '0'))"
static const char SQL_DICTIONARY_FMT[] =
        "INSERT IGNORE INTO partner_labels (partner_id, name) SELECT ?, " SEQ_NAME
        " FROM " SEQ_LABELS;
static const char SQL_DICTIONARY_IDS_FMT[] =
        "SELECT s.seq, d.label_id FROM " SEQ_LABELS " JOIN partner_labels d"
        " ON d.partner_id = ? AND d.name = " SEQ_NAME;

/* ---- rows ---------------------------------------------------------------------- */

/* Row-wise bulk binding: values inline, each with its length (or indicator) beside it. */
struct seed_customer {
	unsigned char id[16];
	unsigned char entity[16];
	unsigned long uuid_len; /* 16, for both */
	uint32_t partner;
	char type[16];
	unsigned long type_len;
	char status[16];
	unsigned long status_len;
	MYSQL_TIME created; /* also modified_at */
	MYSQL_TIME cancel;
	char cancel_ind;
	/* the read copies of labels and accounts (read_copy.h) */
	char labels_text[LABELS_MAX * 24];
	unsigned long labels_text_len;
	char refs_text[REF_ACCOUNTS_MAX * 96];
	unsigned long refs_text_len;
	uint64_t label_sig; /* sql/010 */
};

/* A label of a customer; its name only for the read copy. */
struct label_row {
	unsigned char customer[16];
	unsigned long customer_len;
	uint32_t label_id;
	char label[16];
	unsigned long label_len;
};

/* The count of one label in one chunk. */
struct count_row {
	uint32_t label_id;
	uint32_t n;
};

/* Only for the read copy: the accounts have no table of their own. */
struct ref_gen {
	char iban[SEED_IBAN_LEN + 1];
	char owner[32];
};

static void text_set(char *dst, size_t cap, unsigned long *len, const char *src)
{
	int n = snprintf(dst, cap, "%s", src);

	*len = n < 0 ? 0 : (unsigned long)n;
}

static MYSQL_BIND *bind_col(MYSQL_BIND *b, enum enum_field_types type, void *buf,
                            unsigned long *len)
{
	memset(b, 0, sizeof(*b));
	b->buffer_type = type;
	b->buffer = buf;
	b->length = len;
	return b;
}

static void customer_bind(MYSQL_BIND *b, void *row)
{
	struct seed_customer *c = row;

	bind_col(&b[0], MYSQL_TYPE_BLOB, c->id, &c->uuid_len);
	bind_col(&b[1], MYSQL_TYPE_LONG, &c->partner, NULL)->is_unsigned = 1;
	bind_col(&b[2], MYSQL_TYPE_BLOB, c->entity, &c->uuid_len);
	bind_col(&b[3], MYSQL_TYPE_STRING, c->type, &c->type_len);
	bind_col(&b[4], MYSQL_TYPE_STRING, c->status, &c->status_len);
	bind_col(&b[5], MYSQL_TYPE_DATETIME, &c->created, NULL);
	bind_col(&b[6], MYSQL_TYPE_DATETIME, &c->created, NULL);
	bind_col(&b[7], MYSQL_TYPE_DATETIME, &c->cancel, NULL)->u.indicator = &c->cancel_ind;
	bind_col(&b[8], MYSQL_TYPE_BLOB, c->labels_text, &c->labels_text_len);
	bind_col(&b[9], MYSQL_TYPE_BLOB, c->refs_text, &c->refs_text_len);
	bind_col(&b[10], MYSQL_TYPE_LONGLONG, &c->label_sig, NULL)->is_unsigned = 1;
}

static void label_bind(MYSQL_BIND *b, void *row)
{
	struct label_row *l = row;

	bind_col(&b[0], MYSQL_TYPE_BLOB, l->customer, &l->customer_len);
	bind_col(&b[1], MYSQL_TYPE_LONG, &l->label_id, NULL)->is_unsigned = 1;
}

static void count_bind(MYSQL_BIND *b, void *row)
{
	struct count_row *k = row;

	bind_col(&b[0], MYSQL_TYPE_LONG, &k->label_id, NULL)->is_unsigned = 1;
	bind_col(&b[1], MYSQL_TYPE_LONG, &k->n, NULL)->is_unsigned = 1;
}

/* T_COUNTS has no rows per customer: its rows go once per chunk (chunk_run). */
enum { T_CUSTOMERS, T_LABELS, T_COUNTS, T_COUNT };

static const struct table {
	const char *sql;
	size_t row_size;
	void (*bind)(MYSQL_BIND *b, void *first_row);
} tables[T_COUNT] = {
        [T_CUSTOMERS] = {SQL_CUSTOMERS, sizeof(struct seed_customer), customer_bind},
        [T_LABELS] = {SQL_LABELS, sizeof(struct label_row), label_bind},
        [T_COUNTS] = {SQL_COUNTS, sizeof(struct count_row), count_bind},
};

/* ---- the run ---------------------------------------------------------------- */

struct seed_run {
	const struct seed_spec *spec;
	uint32_t partner;
	int label_width;    /* digits of the largest label number */
	uint32_t *label_id; /* of label number i in the partner's dictionary */
	uint32_t *count;    /* the chunk's customers with label number i */
	size_t ncounts;     /* rows of T_COUNTS in the chunk */
	struct seed_rng rng;
	uint64_t done; /* customers committed */
	size_t n;      /* customers in the current chunk */
	void *rows[T_COUNT];
	size_t per_customer[T_COUNT]; /* rows of each table per customer */
	MYSQL_STMT *st[T_COUNT];
	int conn_gen; /* db->s->connects when st were prepared */
};

const char *seed_spec_error(const struct seed_spec *s)
{
	if (!s->partner || !s->partner[0])
		return "--partner NAME is required";
	if (s->count < 1 || s->count > SEED_COUNT_MAX)
		return "--count must be 1..100000000";
	if (s->labels < 1 || s->labels > SEED_LABELS_MAX)
		return "--labels must be 1..100000";
	if (s->per_customer > LABELS_MAX || s->per_customer > s->labels)
		return "--per-customer must be 0..16 and at most --labels";
	if (s->ref_accounts > REF_ACCOUNTS_MAX)
		return "--ref-accounts must be 0..10";
	if (s->end_ms < SEED_SPAN_MS)
		return "the time span starts before 1970";
	return NULL;
}

/* created_at of customer g: evenly spaced, oldest first; exact in integers. */
static int64_t created_ms(const struct seed_spec *s, uint64_t g)
{
	return s->end_ms - SEED_SPAN_MS + (int64_t)(g * (uint64_t)SEED_SPAN_MS / s->count);
}

/* Customer i's labels (seed_labels_pick() leaves them sorted). */
static void labels_fill(struct seed_run *r, size_t i, const unsigned char id[16],
                        enum customer_status status)
{
	unsigned k = r->spec->per_customer, pick[LABELS_MAX];
	struct label_row *l = (struct label_row *)r->rows[T_LABELS] + i * r->per_customer[T_LABELS];

	if (k == 0)
		return;
	seed_labels_pick(&r->rng, r->spec->labels, k, pick);
	for (unsigned j = 0; j < k; j++) {
		int n = snprintf(l[j].label, sizeof(l[j].label), "label-%0*u", r->label_width,
		                 pick[j]);

		l[j].label_len = n < 0 ? 0 : (unsigned long)n;
		memcpy(l[j].customer, id, 16);
		l[j].customer_len = 16;
		l[j].label_id = r->label_id[pick[j]];
		r->count[pick[j]] += status != STATUS_OFFBOARDED;
	}
}

static void refs_fill(struct seed_run *r, uint64_t g, struct ref_gen *a)
{
	for (unsigned j = 0; j < r->spec->ref_accounts; j++) {
		snprintf(a[j].owner, sizeof(a[j].owner), "Owner %llu", (unsigned long long)g);
		seed_iban_make(&r->rng, a[j].iban);
	}
}

/* Offboarding customers were cancelled after creation, no later than the end of the span. */
static void cancel_fill(struct seed_run *r, struct seed_customer *c, enum customer_status status,
                        int64_t created)
{
	uint64_t after;

	if (status != STATUS_OFFBOARDING && status != STATUS_OFFBOARDED) {
		c->cancel_ind = STMT_INDICATOR_NULL;
		return;
	}
	after = 1 + seed_rng_below(&r->rng, (uint64_t)(r->spec->end_ms - created));
	db_ms_to_time(created + (int64_t)after, &c->cancel);
	c->cancel_ind = STMT_INDICATOR_NONE;
}

/* The customer's read copies, from the label rows and accounts just filled. */
static int read_copies_fill(struct seed_run *r, size_t i, struct seed_customer *c,
                            const struct ref_gen *a)
{
	const struct label_row *l =
	        (struct label_row *)r->rows[T_LABELS] + i * r->per_customer[T_LABELS];
	struct label_set set = {.n = r->spec->per_customer};
	struct ref_account refs[REF_ACCOUNTS_MAX];
	long nl, nr;

	c->label_sig = 0;
	for (size_t j = 0; j < set.n; j++) {
		set.v[j] = l[j].label;
		set.len[j] = l[j].label_len;
		c->label_sig |= UINT64_C(1) << (l[j].label_id & 63);
	}
	for (size_t j = 0; j < r->spec->ref_accounts; j++)
		refs[j] = (struct ref_account){a[j].iban, SEED_BIC, SEED_BANK, a[j].owner, j == 0};
	nl = read_copy_join_labels(&set, c->labels_text, sizeof(c->labels_text));
	nr = read_copy_join_refs(refs, r->spec->ref_accounts, c->refs_text, sizeof(c->refs_text));
	if (nl < 0 || nr < 0)
		return -1;
	c->labels_text_len = (unsigned long)nl;
	c->refs_text_len = (unsigned long)nr;
	return 0;
}

/* Customer g of the load into chunk position i, with its labels and accounts. */
static int customer_fill(struct seed_run *r, size_t i, uint64_t g)
{
	struct seed_customer *c = (struct seed_customer *)r->rows[T_CUSTOMERS] + i;
	int64_t ms = created_ms(r->spec, g);
	enum customer_status status;
	struct ref_gen refs[REF_ACCOUNTS_MAX];
	struct uuid id;

	/* times grow by >= 315 ms, so the id generator never moves one to the next ms */
	if (uuid_v7_at(ms, &id) || uuid_v7_ms(&id) != ms) {
		log_error("seed: no UUIDv7 for %lld ms", (long long)ms);
		return -1;
	}
	memcpy(c->id, id.b, 16);
	c->uuid_len = 16;
	c->partner = r->partner;
	text_set(c->type, sizeof(c->type), &c->type_len,
	         entity_type_name((enum entity_type)seed_rng_below(&r->rng, 3)));
	status = seed_status_pick(&r->rng);
	text_set(c->status, sizeof(c->status), &c->status_len, customer_status_name(status));
	seed_entity_make(&r->rng, c->entity);
	db_ms_to_time(ms, &c->created);
	cancel_fill(r, c, status, ms);
	labels_fill(r, i, c->id, status);
	refs_fill(r, g, refs);
	return read_copies_fill(r, i, c, refs);
}

/* The chunk's label counts as rows of T_COUNTS; the per-label tally starts again. */
static void counts_fill(struct seed_run *r)
{
	struct count_row *k = r->rows[T_COUNTS];

	r->ncounts = 0;
	for (unsigned i = 0; i < r->spec->labels; i++) {
		if (r->count[i])
			k[r->ncounts++] = (struct count_row){r->label_id[i], r->count[i]};
		r->count[i] = 0;
	}
}

static int chunk_fill(struct seed_run *r)
{
	for (size_t i = 0; i < r->n; i++) {
		if (customer_fill(r, i, r->done + i))
			return -1;
	}
	counts_fill(r);
	return 0;
}

/* ---- statements ------------------------------------------------------------- */

static void stmts_close(struct seed_run *r)
{
	/* statements of a closed connection were detached by mysql_close: this only frees them */
	for (int t = 0; t < T_COUNT; t++) {
		if (r->st[t])
			mysql_stmt_close(r->st[t]);
		r->st[t] = NULL;
	}
}

/* Session settings and statements for the current connection, unless it already has them. */
static int stmts_ready(struct db *db, struct seed_run *r)
{
	int rc;

	if (r->st[0] && r->conn_gen == db->s->connects)
		return DB_OK;
	stmts_close(r);
	rc = db_query(db, "SET SESSION foreign_key_checks = 0");
	for (int t = 0; t < T_COUNT && rc == DB_OK; t++)
		rc = db_prepare(db, tables[t].sql, &r->st[t]);
	if (rc == DB_OK)
		r->conn_gen = db->s->connects;
	return rc;
}

/* Restores the session (if it is still the loading one) and drops the statements. */
static void stmts_release(struct db *db, struct seed_run *r)
{
	if (r->st[0] && db->s->conn && r->conn_gen == db->s->connects)
		db_query(db, "SET SESSION foreign_key_checks = 1");
	stmts_close(r);
}

/* ---- loading ---------------------------------------------------------------- */

/* Rows [first, first + n) of table t in one bulk execution. */
static int table_exec(struct db *db, struct seed_run *r, int t, size_t first, size_t n)
{
	MYSQL_BIND b[COLS_MAX];
	MYSQL_STMT *st = r->st[t];
	unsigned int array_size = (unsigned int)n;
	size_t row_size = tables[t].row_size;

	tables[t].bind(b, (char *)r->rows[t] + first * row_size);
	if (mysql_stmt_attr_set(st, STMT_ATTR_ARRAY_SIZE, &array_size) ||
	    mysql_stmt_attr_set(st, STMT_ATTR_ROW_SIZE, &row_size) || mysql_stmt_bind_param(st, b))
		return db_stmt_fail(db, st, "seed: bind");
	if (mysql_stmt_execute(st))
		return db_stmt_fail(db, st, "seed: bulk insert");
	return DB_OK;
}

/* db_tx work: the current chunk, batch by batch; every table gets its rows of a batch. */
static int chunk_run(struct db *db, void *arg)
{
	struct seed_run *r = arg;
	int rc = stmts_ready(db, r);

	for (size_t off = 0; off < r->n && rc == DB_OK; off += BATCH_ROWS) {
		size_t n = r->n - off < BATCH_ROWS ? r->n - off : BATCH_ROWS;

		for (int t = 0; t < T_COUNT && rc == DB_OK; t++) {
			size_t k = r->per_customer[t];

			if (k)
				rc = table_exec(db, r, t, off * k, n * k);
		}
	}
	if (rc == DB_OK && r->ncounts)
		rc = table_exec(db, r, T_COUNTS, 0, r->ncounts);
	return rc;
}

/* Runs the dictionary statement fmt (a SEQ_LABELS one) with the partner and the width. */
static int dictionary_exec(struct db *db, struct seed_run *r, const char *fmt, MYSQL_STMT **st)
{
	char sql[512];
	struct db_params p;
	int rc;

	snprintf(sql, sizeof(sql), fmt, r->spec->labels - 1);
	rc = db_prepare(db, sql, st);
	if (rc != DB_OK)
		return rc;
	db_params_init(&p);
	db_param_u64(&p, r->partner);
	db_param_u64(&p, (uint64_t)r->label_width);
	return db_execute(db, *st, &p);
}

/* The partner's label-N entries, created if new, and their ids into r->label_id. */
static int dictionary_fill(struct db *db, struct seed_run *r)
{
	MYSQL_STMT *st = NULL;
	uint64_t seq, id;
	unsigned found = 0;
	struct db_cols c;
	int rc = dictionary_exec(db, r, SQL_DICTIONARY_FMT, &st);

	if (st)
		mysql_stmt_close(st);
	st = NULL;
	if (rc == DB_OK)
		rc = dictionary_exec(db, r, SQL_DICTIONARY_IDS_FMT, &st);
	db_cols_init(&c);
	db_col_u64(&c, &seq);
	db_col_u64(&c, &id);
	if (rc == DB_OK)
		rc = db_fetch_begin(db, st, &c);
	while (rc == DB_OK && (rc = db_fetch(db, st, &c)) == DB_OK && seq < r->spec->labels) {
		r->label_id[seq] = (uint32_t)id;
		found++;
	}
	if (st)
		mysql_stmt_close(st);
	if (rc == DB_NOT_FOUND && found != r->spec->labels) {
		log_error("seed: %u of %u labels in the dictionary", found, r->spec->labels);
		return DB_ERROR;
	}
	return rc == DB_NOT_FOUND ? DB_OK : rc;
}

static int partner_run(struct db *db, void *arg)
{
	struct seed_run *r = arg;
	uint64_t id;
	int rc = db_partner_upsert(db, r->spec->partner, &id);

	if (rc != DB_OK)
		return rc;
	if (id == 0 || id > UINT32_MAX) {
		log_error("seed: partner '%s' has id %llu", r->spec->partner,
		          (unsigned long long)id);
		return DB_ERROR;
	}
	r->partner = (uint32_t)id;
	return dictionary_fill(db, r);
}

static int run_init(struct seed_run *r, const struct seed_spec *spec)
{
	memset(r, 0, sizeof(*r));
	r->spec = spec;
	seed_rng_init(&r->rng, spec->seed);
	r->label_width = snprintf(NULL, 0, "%u", spec->labels - 1);
	r->per_customer[T_CUSTOMERS] = 1;
	r->per_customer[T_LABELS] = spec->per_customer;
	r->label_id = calloc(spec->labels, sizeof(*r->label_id));
	r->count = calloc(spec->labels, sizeof(*r->count));
	r->rows[T_COUNTS] = calloc(spec->labels, sizeof(struct count_row));
	if (!r->label_id || !r->count || !r->rows[T_COUNTS]) {
		log_error("seed: out of memory");
		return -1;
	}
	for (int t = 0; t < T_COUNTS; t++) {
		size_t rows = CHUNK_ROWS * r->per_customer[t];

		r->rows[t] = rows ? calloc(rows, tables[t].row_size) : NULL;
		if (rows && !r->rows[t]) {
			log_error("seed: out of memory");
			return -1;
		}
	}
	return 0;
}

static void run_free(struct seed_run *r)
{
	free(r->label_id);
	free(r->count);
	for (int t = 0; t < T_COUNT; t++)
		free(r->rows[t]);
}

static int load(struct db *db, struct seed_run *r, seed_progress_fn progress, void *arg)
{
	uint64_t total = r->spec->count;
	int rc = DB_OK;

	while (rc == DB_OK && r->done < total) {
		r->n = total - r->done < CHUNK_ROWS ? (size_t)(total - r->done) : CHUNK_ROWS;
		if (chunk_fill(r))
			return DB_ERROR;
		rc = db_tx(db, chunk_run, r);
		if (rc != DB_OK)
			break;
		r->done += r->n;
		if (progress)
			progress(r->done, total, arg);
	}
	return rc;
}

int db_seed(struct db *db, const struct seed_spec *spec, seed_progress_fn progress, void *arg,
            uint64_t *partner_id)
{
	struct seed_run r;
	const char *why = seed_spec_error(spec);
	int rc;

	if (why) {
		log_error("seed: %s", why);
		return DB_ERROR;
	}
	if (run_init(&r, spec)) {
		run_free(&r);
		return DB_ERROR;
	}
	rc = db_tx(db, partner_run, &r);
	if (rc == DB_OK) {
		if (partner_id)
			*partner_id = r.partner;
		rc = load(db, &r, progress, arg);
	}
	stmts_release(db, &r);
	run_free(&r);
	return rc;
}
