/*
 * db_webhooks: the statements of the /webhooks routes.
 *
 * A create locks the partner's row first, so that two concurrent creates
 * cannot both see nine subscriptions and make twelve.  A PATCH reads the
 * row FOR UPDATE, merges the change in C and writes every column back:
 * the enable/disable rules stay readable C, not SQL IF chains.  A new
 * subscription (and a re-enabled one) starts at the newest sequenced
 * event, MAX(seq) through uk_events_seq.
 */
#include <string.h>

#include "clock.h"
#include "db_internal.h"
#include "db_webhooks.h"
#include "log.h"

enum {
	SLOT_WH_PARTNER_LOCK = SLOT_WEBHOOK_FIRST,
	SLOT_WH_COUNT,
	SLOT_WH_INSERT,
	SLOT_WH_AUDIT,
	SLOT_WH_GET,
	SLOT_WH_GET_LOCKED,
	SLOT_WH_LIST,
	SLOT_WH_UPDATE,
	SLOT_WH_DELETE,
	SLOT_WH_ROTATE,
	SLOT_WH_REPLAY,
	SLOT_WH_ATTEMPTS,
	SLOT_WH_END
};
_Static_assert(SLOT_WH_END <= SLOT_WEBHOOK_FIRST + 16, "db_webhooks owns the first 16 slots");

#define NEWEST_SEQ "(SELECT COALESCE(MAX(seq), 0) FROM events)"
#define ROW_COLS                                                                                   \
	"SELECT id, url, event_types, description, enabled, disabled_reason, disabled_on,"         \
	" created_at, modified_at FROM webhooks"

static const char SQL_PARTNER_LOCK[] = "SELECT id FROM partners WHERE id = ? FOR UPDATE";
static const char SQL_COUNT[] = "SELECT COUNT(*) FROM webhooks WHERE partner_id = ?";
static const char SQL_INSERT[] =
        "INSERT INTO webhooks (id, partner_id, url, event_types, description, secret_enc,"
        " cursor_seq, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, " NEWEST_SEQ ", ?, ?)";
static const char SQL_AUDIT[] =
        "INSERT INTO webhook_audit (webhook_id, partner_id, client_id, request_id, action,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_GET[] = ROW_COLS " WHERE id = ? AND partner_id = ?";
static const char SQL_GET_LOCKED[] = ROW_COLS " WHERE id = ? AND partner_id = ? FOR UPDATE";
static const char SQL_LIST[] = ROW_COLS " WHERE partner_id = ? ORDER BY id";
static const char SQL_UPDATE[] =
        "UPDATE webhooks SET url = ?, event_types = ?, description = ?, enabled = ?,"
        " disabled_reason = ?, disabled_on = ?,"
        " cursor_seq = IF(? = 1, " NEWEST_SEQ ", cursor_seq),"
        " failing_since = IF(? = 1, NULL, failing_since), modified_at = ? WHERE id = ?";
static const char SQL_DELETE[] = "DELETE FROM webhooks WHERE id = ? AND partner_id = ?";
/* MariaDB assigns left to right: prev_secret_enc takes the old secret_enc. */
static const char SQL_ROTATE[] =
        "UPDATE webhooks SET prev_secret_enc = secret_enc, prev_expires_at = ?, secret_enc = ?,"
        " modified_at = ? WHERE id = ? AND partner_id = ?";
/* Only events already queued once (seq <= cursor_seq); later ones come by the normal path. */
static const char SQL_REPLAY[] =
        "INSERT INTO webhook_deliveries (webhook_id, seq, event_id, customer_id, state,"
        " attempts, next_at)"
        " SELECT w.id, e.seq, e.event_id, e.customer_id, 'PENDING', 0, NOW(3)"
        " FROM webhooks w JOIN events e ON e.partner_id = w.partner_id AND e.seq IS NOT NULL"
        " AND e.seq <= w.cursor_seq AND FIND_IN_SET(e.event_type, w.event_types) > 0"
        " AND e.occurred_on >= ?"
        " WHERE w.id = ? AND w.partner_id = ?"
        " ON DUPLICATE KEY UPDATE attempts = IF(state = 'INFLIGHT', attempts, 0),"
        " next_at = NOW(3), state = IF(state = 'INFLIGHT', state, 'PENDING')";
static const char SQL_ATTEMPTS[] =
        "SELECT a.id, a.event_id, a.attempt, a.attempted_on, a.http_status, a.duration_ms,"
        " a.outcome, a.error FROM webhook_attempts a"
        " WHERE a.webhook_id = ? AND a.id < ? ORDER BY a.id DESC LIMIT ?";

static int audit(struct db *db, const struct webhook_actor *who, const struct uuid *id,
                 const char *action)
{
	struct db_params p;

	db_params_init(&p);
	db_param_uuid(&p, id);
	db_param_u64(&p, who->partner_id);
	db_param_cstr(&p, who->client_id);
	db_param_cstr(&p, who->request_id);
	db_param_cstr(&p, action);
	db_param_ms(&p, clock_wall_ms());
	return db_exec(db, SLOT_WH_AUDIT, SQL_AUDIT, &p, NULL);
}

static void row_cols(struct db_cols *c, struct webhook_row *w)
{
	db_cols_init(c);
	db_col_uuid(c, &w->id);
	db_col_str(c, w->url, sizeof(w->url), NULL);
	db_col_str(c, w->types, sizeof(w->types), NULL);
	db_col_str(c, w->description, sizeof(w->description), NULL);
	db_col_u64(c, &w->enabled);
	db_col_str(c, w->disabled_reason, sizeof(w->disabled_reason), NULL);
	db_col_ms(c, &w->disabled_on);
	db_col_ms(c, &w->created_on);
	db_col_ms(c, &w->modified_on);
}

static int row_one(struct db *db, unsigned slot, const char *sql, uint64_t partner_id,
                   const struct uuid *id, struct webhook_row *out)
{
	struct db_params p;
	struct db_cols c;

	db_params_init(&p);
	db_param_uuid(&p, id);
	db_param_u64(&p, partner_id);
	row_cols(&c, out);
	return db_exec_one(db, slot, sql, &p, &c);
}

/* ---- create ---------------------------------------------------------------- */

struct create_work {
	const struct webhook_actor *who;
	const struct uuid *id;
	const struct webhook_input *in;
	const unsigned char *sealed;
};

static int partner_count(struct db *db, uint64_t partner_id, uint64_t *n)
{
	struct db_params p;
	struct db_cols c;
	uint64_t ignored;
	int rc;

	db_params_init(&p);
	db_param_u64(&p, partner_id);
	db_cols_init(&c);
	db_col_u64(&c, &ignored);
	rc = db_exec_one(db, SLOT_WH_PARTNER_LOCK, SQL_PARTNER_LOCK, &p, &c);
	if (rc != DB_OK)
		return rc;
	db_cols_init(&c);
	db_col_u64(&c, n);
	return db_exec_one(db, SLOT_WH_COUNT, SQL_COUNT, &p, &c);
}

static int create_work(struct db *db, void *arg)
{
	struct create_work *w = arg;
	struct db_params p;
	uint64_t n = 0;
	int64_t now = clock_wall_ms();
	int rc = partner_count(db, w->who->partner_id, &n);

	if (rc != DB_OK)
		return rc;
	if (n >= WEBHOOKS_PER_PARTNER)
		return DB_CONFLICT;
	db_params_init(&p);
	db_param_uuid(&p, w->id);
	db_param_u64(&p, w->who->partner_id);
	db_param_cstr(&p, w->in->url);
	db_param_cstr(&p, w->in->types);
	db_param_cstr(&p, w->in->description ? w->in->description : "");
	db_param_str(&p, (const char *)w->sealed, WEBHOOK_SEALED_LEN);
	db_param_ms(&p, now);
	db_param_ms(&p, now);
	rc = db_exec(db, SLOT_WH_INSERT, SQL_INSERT, &p, NULL);
	return rc != DB_OK ? rc : audit(db, w->who, w->id, "create");
}

int db_webhook_create(struct db *db, const struct webhook_actor *who, const struct uuid *id,
                      const struct webhook_input *in,
                      const unsigned char sealed[WEBHOOK_SEALED_LEN])
{
	struct create_work w = {who, id, in, sealed};

	return db_tx(db, create_work, &w);
}

/* ---- reads ------------------------------------------------------------------ */

struct get_work {
	uint64_t partner_id;
	const struct uuid *id;
	struct webhook_row *out;
};

static int get_work(struct db *db, void *arg)
{
	struct get_work *w = arg;

	return row_one(db, SLOT_WH_GET, SQL_GET, w->partner_id, w->id, w->out);
}

int db_webhook_get(struct db *db, uint64_t partner_id, const struct uuid *id,
                   struct webhook_row *out)
{
	struct get_work w = {partner_id, id, out};

	return db_read(db, get_work, &w);
}

struct list_work {
	uint64_t partner_id;
	db_webhook_cb cb;
	void *arg;
};

static int list_work(struct db *db, void *arg)
{
	struct list_work *w = arg;
	struct webhook_row row;
	struct db_params p;
	struct db_cols c;
	MYSQL_STMT *st;
	int rc;

	db_params_init(&p);
	db_param_u64(&p, w->partner_id);
	row_cols(&c, &row);
	rc = db_exec(db, SLOT_WH_LIST, SQL_LIST, &p, &st);
	if (rc == DB_OK)
		rc = db_fetch_begin(db, st, &c);
	if (rc != DB_OK)
		return rc;
	while ((rc = db_fetch(db, st, &c)) == DB_OK)
		w->cb(&row, w->arg);
	db_fetch_end(st);
	return rc == DB_NOT_FOUND ? DB_OK : rc;
}

int db_webhook_list(struct db *db, uint64_t partner_id, db_webhook_cb cb, void *arg)
{
	struct list_work w = {partner_id, cb, arg};

	return db_read(db, list_work, &w);
}

/* ---- update ----------------------------------------------------------------- */

struct update_work {
	const struct webhook_actor *who;
	const struct uuid *id;
	const struct webhook_input *in;
};

/* Merges in into row; returns 1 when it enables a disabled subscription. */
static int merge(struct webhook_row *row, const struct webhook_input *in, int64_t now)
{
	int enabling = in->enabled == 1 && !row->enabled;

	if (in->url)
		snprintf(row->url, sizeof(row->url), "%s", in->url);
	if (in->types[0])
		snprintf(row->types, sizeof(row->types), "%s", in->types);
	if (in->description)
		snprintf(row->description, sizeof(row->description), "%s", in->description);
	if (enabling) {
		row->disabled_reason[0] = '\0';
		row->disabled_on = -1;
	} else if (in->enabled == 0 && row->enabled) {
		snprintf(row->disabled_reason, sizeof(row->disabled_reason),
		         "disabled by the partner (PATCH)");
		row->disabled_on = now;
	}
	if (in->enabled >= 0)
		row->enabled = (uint64_t)in->enabled;
	return enabling;
}

static int update_work(struct db *db, void *arg)
{
	struct update_work *w = arg;
	struct webhook_row row;
	struct db_params p;
	int64_t now = clock_wall_ms();
	int enabling, rc;

	rc = row_one(db, SLOT_WH_GET_LOCKED, SQL_GET_LOCKED, w->who->partner_id, w->id, &row);
	if (rc != DB_OK)
		return rc;
	enabling = merge(&row, w->in, now);
	db_params_init(&p);
	db_param_cstr(&p, row.url);
	db_param_cstr(&p, row.types);
	db_param_cstr(&p, row.description);
	db_param_u64(&p, row.enabled);
	db_param_cstr(&p, row.disabled_reason[0] ? row.disabled_reason : NULL);
	db_param_ms(&p, row.disabled_on);
	db_param_u64(&p, (uint64_t)enabling);
	db_param_u64(&p, (uint64_t)enabling);
	db_param_ms(&p, now);
	db_param_uuid(&p, w->id);
	rc = db_exec(db, SLOT_WH_UPDATE, SQL_UPDATE, &p, NULL);
	return rc != DB_OK ? rc : audit(db, w->who, w->id, "update");
}

int db_webhook_update(struct db *db, const struct webhook_actor *who, const struct uuid *id,
                      const struct webhook_input *in)
{
	struct update_work w = {who, id, in};

	return db_tx(db, update_work, &w);
}

/* ---- delete, rotate, replay: one statement that must touch the row, then the audit --------- */

struct touch_work {
	const struct webhook_actor *who;
	const struct uuid *id;
	unsigned slot;
	const char *sql;
	const char *action;
	struct db_params p; /* the statement's parameters before (id, partner) */
};

static int touch_work(struct db *db, void *arg)
{
	struct touch_work *w = arg;
	struct db_params p = w->p;
	struct webhook_row row;
	int rc;

	/* The row first: "not found" must not depend on what the statement changed. */
	rc = row_one(db, SLOT_WH_GET_LOCKED, SQL_GET_LOCKED, w->who->partner_id, w->id, &row);
	if (rc != DB_OK)
		return rc;
	db_param_uuid(&p, w->id);
	db_param_u64(&p, w->who->partner_id);
	rc = db_exec(db, w->slot, w->sql, &p, NULL);
	return rc != DB_OK ? rc : audit(db, w->who, w->id, w->action);
}

int db_webhook_delete(struct db *db, const struct webhook_actor *who, const struct uuid *id)
{
	struct touch_work w = {who, id, SLOT_WH_DELETE, SQL_DELETE, "delete", {0}};

	db_params_init(&w.p);
	return db_tx(db, touch_work, &w);
}

int db_webhook_rotate(struct db *db, const struct webhook_actor *who, const struct uuid *id,
                      const unsigned char sealed[WEBHOOK_SEALED_LEN], int64_t prev_until_ms)
{
	struct touch_work w = {who, id, SLOT_WH_ROTATE, SQL_ROTATE, "rotate", {0}};

	db_params_init(&w.p);
	db_param_ms(&w.p, prev_until_ms);
	db_param_str(&w.p, (const char *)sealed, WEBHOOK_SEALED_LEN);
	db_param_ms(&w.p, clock_wall_ms());
	return db_tx(db, touch_work, &w);
}

int db_webhook_replay(struct db *db, const struct webhook_actor *who, const struct uuid *id,
                      int64_t since_ms)
{
	struct touch_work w = {who, id, SLOT_WH_REPLAY, SQL_REPLAY, "replay", {0}};

	db_params_init(&w.p);
	db_param_ms(&w.p, since_ms);
	return db_tx(db, touch_work, &w);
}

/* ---- the attempt log -------------------------------------------------------- */

struct attempts_work {
	const struct uuid *id, *before;
	unsigned limit;
	db_attempt_cb cb;
	void *arg;
};

static void attempt_cols(struct db_cols *c, struct webhook_attempt *a)
{
	db_cols_init(c);
	db_col_uuid(c, &a->id);
	db_col_uuid(c, &a->event_id);
	db_col_u64(c, &a->attempt);
	db_col_ms(c, &a->attempted_on);
	db_col_u64(c, &a->http_status);
	db_col_u64(c, &a->duration_ms);
	db_col_str(c, a->outcome, sizeof(a->outcome), NULL);
	db_col_str(c, a->error, sizeof(a->error), NULL);
}

static int attempts_work(struct db *db, void *arg)
{
	struct attempts_work *w = arg;
	struct webhook_attempt a;
	struct db_params p;
	struct db_cols c;
	MYSQL_STMT *st;
	int rc;

	db_params_init(&p);
	db_param_uuid(&p, w->id);
	db_param_uuid(&p, w->before);
	db_param_u64(&p, w->limit);
	attempt_cols(&c, &a);
	rc = db_exec(db, SLOT_WH_ATTEMPTS, SQL_ATTEMPTS, &p, &st);
	if (rc == DB_OK)
		rc = db_fetch_begin(db, st, &c);
	if (rc != DB_OK)
		return rc;
	while ((rc = db_fetch(db, st, &c)) == DB_OK && !w->cb(&a, w->arg))
		;
	db_fetch_end(st);
	return rc == DB_NOT_FOUND || rc == DB_OK ? DB_OK : rc;
}

int db_webhook_attempts(struct db *db, const struct uuid *id, const struct uuid *before,
                        unsigned limit, db_attempt_cb cb, void *arg)
{
	static const struct uuid newest = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	                                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	struct attempts_work w = {id, before ? before : &newest, limit, cb, arg};

	return db_read(db, attempts_work, &w);
}
