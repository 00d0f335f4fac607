/*
 * deliver_db: the queue of sql/007-webhooks.sql, step by step.
 *
 * Queueing moves a subscription's cursor_seq in the transaction that
 * inserts the rows, under the subscription's row lock: two deliverers
 * queueing the same subscription serialize on it (on Galera, one fails
 * certification and retries), so every event is queued once.
 *
 * Claiming is a conditional UPDATE of one row (still due, still the
 * attempt count we read): its affected-row count says whether this
 * deliverer won.  A claim's next_at is its lease's end, so a deliverer
 * killed mid-attempt leaves rows that are simply due again DELIVER_LEASE_TEXT s
 * later; the due index (state, next_at) finds both kinds.
 *
 * Finishing is conditional on still holding the claim; a deliverer that
 * lost it (it overran the lease) records nothing, and the one that took
 * over sends again with the same webhook-id.
 */
#include <mysqld_error.h>
#include <string.h>

#include "db_internal.h"
#include "deliver_db.h"
#include "log.h"

enum {
	SLOT_DL_BEHIND = SLOT_WEBHOOK_FIRST + 16,
	SLOT_DL_LOCK,
	SLOT_DL_TOP,
	SLOT_DL_QUEUE,
	SLOT_DL_CURSOR,
	SLOT_DL_DUE,
	SLOT_DL_LOW,
	SLOT_DL_CANDIDATES,
	SLOT_DL_CLAIM,
	SLOT_DL_DETAIL,
	SLOT_DL_FINISH,
	SLOT_DL_ATTEMPT,
	SLOT_DL_OK,
	SLOT_DL_GONE,
	SLOT_DL_FAILING,
	SLOT_DL_RELEASE,
	SLOT_DL_OLDEST,
	SLOT_DL_PURGE_QUEUE,
	SLOT_DL_PURGE_LOG,
	SLOT_DL_DISABLE_DEAD,
	SLOT_DL_END
};
_Static_assert(SLOT_DL_END <= SLOT_WEBHOOK_LAST + 1, "raise SLOT_WEBHOOK_LAST");

#define QUEUE_BATCH 1000 /* events queued per subscription and transaction */
#define BEHIND_MAX 64    /* subscriptions queued per call */
#define CLAIM_MAX 256    /* IN_FLIGHT_MAX of deliver.c */

#define TOP_SEQ "(SELECT COALESCE(MAX(seq), 0) FROM events)"
#define OPEN "state IN ('PENDING', 'INFLIGHT')"

static const char SQL_BEHIND[] =
        "SELECT id FROM webhooks WHERE enabled = 1 AND cursor_seq < " TOP_SEQ " LIMIT 64";
static const char SQL_LOCK[] = "SELECT partner_id, event_types, cursor_seq FROM webhooks"
                               " WHERE id = ? AND enabled = 1 FOR UPDATE";
static const char SQL_TOP[] = "SELECT " TOP_SEQ;
static const char SQL_QUEUE[] =
        "INSERT INTO webhook_deliveries (webhook_id, seq, event_id, customer_id, next_at)"
        " SELECT ?, e.seq, e.event_id, e.customer_id, NOW(3) FROM events e"
        " WHERE e.partner_id = ? AND e.seq > ? AND e.seq <= ?"
        " AND FIND_IN_SET(e.event_type, ?) > 0";
static const char SQL_CURSOR[] = "UPDATE webhooks SET cursor_seq = ? WHERE id = ?";
/*
 * The first row in the order of col among a subscription's rows in one
 * state that also meet cond, as the first entry of idx: one index read.
 * MIN() over state IN (...), an EXISTS, or a probe the optimizer may plan
 * freely, walked the primary key through every row of the subscription,
 * its delivered history too: 16-170 ms each with 15,000-100,000 rows
 * (bench/RESULTS-webhooks.md), for every subscription, candidate and turn.
 */
#define FIRST_OF(col, idx, cond, state)                                                            \
	"(SELECT f." col " FROM webhook_deliveries f FORCE INDEX (" idx ") WHERE " cond            \
	" AND f.state = '" state "' ORDER BY f." col " LIMIT 1)"
#define FIRST_DUE(state)                                                                           \
	FIRST_OF("next_at", "idx_deliveries_webhook_due", "f.webhook_id = w.id", state)            \
	" <= "                                                                                     \
	"NOW(3)"
#define LOWEST_OF(sub, state) FIRST_OF("seq", "idx_deliveries_order", "f.webhook_id = " sub, state)

/* Subscriptions with a due row: two index reads each (sql/009). */
static const char SQL_DUE[] = "SELECT w.id FROM webhooks w WHERE w.enabled = 1 AND (" FIRST_DUE(
        "PENDING") " OR " FIRST_DUE("INFLIGHT") ") LIMIT ?";
/*
 * Per customer in order: nothing earlier about the same customer, nor
 * about several (customer_id NULL), open; and for one about several,
 * nothing earlier open at all.  Each "nothing earlier open" is: the first
 * open row that meets cond is d itself or later (two index reads, sql/009).
 */
#define FROM_D(state, idx, cond)                                                                   \
	"COALESCE(" FIRST_OF("seq", idx, "f.webhook_id = d.webhook_id" cond,                       \
	                     state) ", d.seq) >= d.seq"
#define NONE_EARLIER(idx, cond) FROM_D("PENDING", idx, cond) " AND " FROM_D("INFLIGHT", idx, cond)
/*
 * From the subscription's lowest open seq (SQL_LOW) on: the primary key
 * walk in seq order, which stops at the LIMIT, then skips no delivered
 * history below it.
 */
static const char SQL_LOW[] =
        "SELECT LEAST(COALESCE(o.p, o.i), COALESCE(o.i, o.p)) FROM (SELECT " LOWEST_OF(
                "?", "PENDING") " p, " LOWEST_OF("?", "INFLIGHT") " i) o";
static const char SQL_CANDIDATES[] =
        "SELECT d.seq, d.attempts FROM webhook_deliveries d FORCE INDEX (PRIMARY)"
        " WHERE d.webhook_id = ? AND d.seq >= ? AND d." OPEN " AND d.next_at <= NOW(3)"
        " AND " NONE_EARLIER(
                "idx_deliveries_customer",
                " AND f.customer_id = d.customer_id") " AND " NONE_EARLIER("idx_deliveries_"
                                                                           "customer",
                                                                           " AND f.customer_id IS "
                                                                           "NULL") " AND "
                                                                                   "(d.customer_id "
                                                                                   "IS NOT NULL OR "
                                                                                   "(" NONE_EARLIER(
                                                                                           "idx_"
                                                                                           "deliver"
                                                                                           "ies_"
                                                                                           "order",
                                                                                           "") "))"
                                                                                               " OR"
                                                                                               "DER"
                                                                                               " BY"
                                                                                               " d."
                                                                                               "seq"
                                                                                               " LI"
                                                                                               "MIT"
                                                                                               " ?";
/*
 * A claim round's candidates travel as one JSON array of [seq, attempts]
 * (claims_json): one conditional UPDATE claims them all, instead of one
 * round trip each, and the rows this holder then holds among exactly those
 * are what it won.
 */
#define CLAIMED                                                                                    \
	"JSON_TABLE(?, '$[*]' COLUMNS (seq BIGINT UNSIGNED PATH '$[0]',"                           \
	" n SMALLINT UNSIGNED PATH '$[1]')) j JOIN webhook_deliveries d"                           \
	" ON d.webhook_id = ? AND d.seq = j.seq AND d.attempts = j.n"
static const char SQL_CLAIM[] = "UPDATE " CLAIMED " SET d.state = 'INFLIGHT', d.holder = ?,"
                                " d.next_at = NOW(3) + INTERVAL " DELIVER_LEASE_TEXT " SECOND"
                                " WHERE d." OPEN " AND d.next_at <= NOW(3)";
static const char SQL_DETAIL[] =
        "SELECT d.seq, d.attempts, d.event_id, w.url, w.secret_enc,"
        " IF(w.prev_expires_at > NOW(3), w.prev_secret_enc, NULL),"
        " e.event_type, e.occurred_on, e.data FROM " CLAIMED
        " JOIN webhooks w ON w.id = d.webhook_id LEFT JOIN events e ON e.seq = d.seq"
        " WHERE d.state = 'INFLIGHT' AND d.holder = ? ORDER BY d.seq";
static const char SQL_FINISH[] =
        "UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1,"
        " next_at = NOW(3) + INTERVAL ? MICROSECOND, holder = NULL"
        " WHERE webhook_id = ? AND seq = ? AND holder = ? AND state = 'INFLIGHT'";
static const char SQL_ATTEMPT[] =
        "INSERT INTO webhook_attempts (id, webhook_id, event_id, attempt, attempted_on,"
        " http_status, duration_ms, outcome, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_OK[] =
        "UPDATE webhooks SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL";
static const char SQL_GONE[] =
        "UPDATE webhooks SET enabled = 0, disabled_on = NOW(3),"
        " disabled_reason = 'the receiver answered 410 Gone' WHERE id = ? AND enabled = 1";
/* Assigned left to right: the first three see the old failing_since and enabled. */
#define FAILING_LONG "enabled = 1 AND failing_since < NOW(3) - INTERVAL ? MICROSECOND"
static const char SQL_FAILING[] = "UPDATE webhooks SET disabled_reason = IF(" FAILING_LONG ","
                                  " 'no successful delivery for 5 days', disabled_reason),"
                                  " disabled_on = IF(" FAILING_LONG ", NOW(3), disabled_on),"
                                  " enabled = IF(" FAILING_LONG ", 0, enabled),"
                                  " failing_since = COALESCE(failing_since, NOW(3)) WHERE id = ?";
static const char SQL_RELEASE[] =
        "UPDATE webhook_deliveries SET state = 'PENDING', holder = NULL, next_at = NOW(3)"
        " WHERE state = 'INFLIGHT' AND holder = ?";
/*
 * The oldest open event of each subscription is its lowest open seq (seq
 * is commit order): two index look-ups per subscription, then the event,
 * instead of joining every open row with its event once a second.
 */
static const char SQL_OLDEST[] =
        "SELECT o.enabled, TIMESTAMPDIFF(MICROSECOND, MIN(e.occurred_on), NOW(3)) DIV 1000 FROM"
        " (SELECT w.enabled, " LOWEST_OF(
                "w.id",
                "PENDING") " p,"
                           " " LOWEST_OF("w.id",
                                         "INFLIGHT") " i FROM webhooks w) o"
                                                     " JOIN events e ON e.seq = "
                                                     "LEAST(COALESCE(o.p, o.i), COALESCE(o.i, o.p))"
                                                     " GROUP BY o.enabled";

/* The 5-day rule also for a subscription that has nothing left to try. */
static const char SQL_DISABLE_DEAD[] =
        "UPDATE webhooks SET enabled = 0, disabled_on = NOW(3),"
        " disabled_reason = 'no successful delivery for 5 days'"
        " WHERE enabled = 1 AND failing_since < NOW(3) - INTERVAL ? MICROSECOND";

/* Final rows of events the sequencer purged (replay can no longer ask for them). */
static const char SQL_PURGE_QUEUE[] =
        "DELETE FROM webhook_deliveries WHERE state IN ('DELIVERED', 'FAILED')"
        " AND seq < (SELECT COALESCE(MIN(seq), 18446744073709551615) FROM events) LIMIT ?";
static const char SQL_PURGE_LOG[] =
        "DELETE FROM webhook_attempts WHERE attempted_on < NOW(3) - INTERVAL ? DAY LIMIT ?";

/* Runs st (executed) to its end, each row into c's destinations then each(arg). */
static int fetch_all(struct db *db, MYSQL_STMT *st, struct db_cols *c, void (*each)(void *arg),
                     void *arg)
{
	int rc = db_fetch_begin(db, st, c);

	if (rc != DB_OK)
		return rc;
	while ((rc = db_fetch(db, st, c)) == DB_OK)
		each(arg);
	db_fetch_end(st);
	return rc == DB_NOT_FOUND ? DB_OK : rc;
}

/* ---- queueing --------------------------------------------------------------- */

struct id_list {
	struct uuid *ids, cur;
	size_t max, n;
};

static void id_add(void *arg)
{
	struct id_list *l = arg;

	if (l->n < l->max)
		l->ids[l->n++] = l->cur;
}

static int ids_of(struct db *db, unsigned slot, const char *sql, struct db_params *p,
                  struct id_list *l)
{
	struct db_cols c;
	MYSQL_STMT *st;
	int rc = db_exec(db, slot, sql, p, &st);

	if (rc != DB_OK)
		return rc;
	db_cols_init(&c);
	db_col_uuid(&c, &l->cur);
	return fetch_all(db, st, &c, id_add, l);
}

static int queue_one(struct db *db, void *arg)
{
	const struct uuid *id = arg;
	uint64_t partner, cursor, top;
	char types[WEBHOOK_TYPES_MAX];
	struct db_params p;
	struct db_cols c;
	int rc;

	db_params_init(&p);
	db_param_uuid(&p, id);
	db_cols_init(&c);
	db_col_u64(&c, &partner);
	db_col_str(&c, types, sizeof(types), NULL);
	db_col_u64(&c, &cursor);
	rc = db_exec_one(db, SLOT_DL_LOCK, SQL_LOCK, &p, &c);
	if (rc != DB_OK)
		return rc == DB_NOT_FOUND ? DB_OK : rc; /* disabled or deleted meanwhile */
	db_cols_init(&c);
	db_col_u64(&c, &top);
	if ((rc = db_exec_one(db, SLOT_DL_TOP, SQL_TOP, NULL, &c)) != DB_OK)
		return rc;
	top = top > cursor + QUEUE_BATCH ? cursor + QUEUE_BATCH : top;
	db_params_init(&p);
	db_param_uuid(&p, id);
	db_param_u64(&p, partner);
	db_param_u64(&p, cursor);
	db_param_u64(&p, top);
	db_param_cstr(&p, types);
	if ((rc = db_exec(db, SLOT_DL_QUEUE, SQL_QUEUE, &p, NULL)) != DB_OK)
		return rc;
	db_params_init(&p);
	db_param_u64(&p, top);
	db_param_uuid(&p, id);
	return db_exec(db, SLOT_DL_CURSOR, SQL_CURSOR, &p, NULL);
}

static int behind_work(struct db *db, void *arg)
{
	return ids_of(db, SLOT_DL_BEHIND, SQL_BEHIND, NULL, arg);
}

int deliver_db_enqueue(struct db *db)
{
	struct uuid ids[BEHIND_MAX];
	struct id_list l = {ids, {{0}}, BEHIND_MAX, 0};
	int rc = db_read(db, behind_work, &l);

	for (size_t i = 0; rc == DB_OK && i < l.n; i++)
		rc = db_tx(db, queue_one, &ids[i]);
	return rc;
}

static int due_work(struct db *db, void *arg)
{
	struct id_list *l = arg;
	struct db_params p;

	db_params_init(&p);
	db_param_u64(&p, l->max);
	return ids_of(db, SLOT_DL_DUE, SQL_DUE, &p, l);
}

int deliver_db_due(struct db *db, struct uuid *out, size_t max, size_t *n)
{
	struct id_list l = {out, {{0}}, max, 0};
	int rc = db_read(db, due_work, &l);

	*n = l.n;
	return rc;
}

/* ---- claiming ---------------------------------------------------------------- */

struct claim_work {
	const char *holder;
	const struct uuid *id;
	size_t max, n, ncand;
	uint64_t seq, attempts; /* the row being fetched */
	uint64_t cand[CLAIM_MAX][2];
	char json[CLAIM_MAX * 44 + 3]; /* cand[] as [[seq,attempts],...] */
};

static void cand_add(void *arg)
{
	struct claim_work *w = arg;

	if (w->ncand < CLAIM_MAX) {
		w->cand[w->ncand][0] = w->seq;
		w->cand[w->ncand++][1] = w->attempts;
	}
}

/* cand[] as the JSON array of SQL_CLAIM: numbers only, so plain printing is exact. */
static void claims_json(struct claim_work *w)
{
	size_t len = 0;

	w->json[len++] = '[';
	for (size_t i = 0; i < w->ncand; i++)
		len += (size_t)snprintf(w->json + len, sizeof(w->json) - len, "%s[%llu,%llu]",
		                        i ? "," : "", (unsigned long long)w->cand[i][0],
		                        (unsigned long long)w->cand[i][1]);
	snprintf(w->json + len, sizeof(w->json) - len, "]");
}

/* Params of SQL_CLAIM and SQL_DETAIL: the candidates, the subscription, the holder. */
static void claim_params(struct db_params *p, const struct claim_work *w)
{
	db_params_init(p);
	db_param_cstr(p, w->json);
	db_param_uuid(p, w->id);
	db_param_cstr(p, w->holder);
}

static int claim_work(struct db *db, void *arg)
{
	struct claim_work *w = arg;
	struct db_params p;
	struct db_cols c;
	MYSQL_STMT *st;
	int rc;

	w->n = w->ncand = 0; /* db_tx may run this again */
	db_params_init(&p);
	db_param_uuid(&p, w->id);
	db_param_uuid(&p, w->id);
	db_cols_init(&c);
	db_col_u64(&c, &w->seq);
	if ((rc = db_exec_one(db, SLOT_DL_LOW, SQL_LOW, &p, &c)) != DB_OK)
		return rc == DB_NOT_FOUND ? DB_OK : rc;
	db_params_init(&p);
	db_param_uuid(&p, w->id);
	db_param_u64(&p, w->seq);
	db_param_u64(&p, w->max);
	if ((rc = db_exec(db, SLOT_DL_CANDIDATES, SQL_CANDIDATES, &p, &st)) != DB_OK)
		return rc;
	db_cols_init(&c);
	db_col_u64(&c, &w->seq);
	db_col_u64(&c, &w->attempts);
	if ((rc = fetch_all(db, st, &c, cand_add, w)) != DB_OK || !w->ncand)
		return rc;
	claims_json(w);
	claim_params(&p, w);
	if ((rc = db_exec(db, SLOT_DL_CLAIM, SQL_CLAIM, &p, &st)) == DB_OK)
		w->n = (size_t)mysql_stmt_affected_rows(st);
	return rc;
}

struct detail_work {
	struct claim_work *w;
	struct delivery d; /* the row being fetched */
	deliver_claim_cb cb;
	void *arg;
};

static void detail_row(void *arg)
{
	struct detail_work *dw = arg;

	dw->cb(&dw->d, dw->arg);
}

static int detail_work(struct db *db, void *arg)
{
	struct detail_work *dw = arg;
	struct delivery *d = &dw->d;
	struct db_params p;
	struct db_cols c;
	MYSQL_STMT *st;
	int rc;

	claim_params(&p, dw->w);
	if ((rc = db_exec(db, SLOT_DL_DETAIL, SQL_DETAIL, &p, &st)) != DB_OK)
		return rc;
	d->webhook_id = *dw->w->id;
	db_cols_init(&c);
	db_col_u64(&c, &d->seq);
	db_col_u64(&c, &d->attempts);
	db_col_uuid(&c, &d->event_id);
	db_col_str(&c, d->url, sizeof(d->url), NULL);
	db_col_str(&c, (char *)d->secret, sizeof(d->secret), &d->secret_len);
	db_col_str(&c, (char *)d->prev, sizeof(d->prev), &d->prev_len);
	db_col_str(&c, d->event_type, sizeof(d->event_type), NULL);
	db_col_ms(&c, &d->occurred_ms);
	db_col_str(&c, d->data, sizeof(d->data), NULL);
	return fetch_all(db, st, &c, detail_row, dw);
}

int deliver_db_claim(struct db *db, const char *holder, const struct uuid *id, size_t max,
                     deliver_claim_cb cb, void *arg)
{
	static struct claim_work w;
	static struct detail_work dw; /* a struct delivery holds 64 KiB of data */
	int rc;

	w.holder = holder;
	w.id = id;
	w.max = max < CLAIM_MAX ? max : CLAIM_MAX;
	dw.w = &w;
	dw.cb = cb;
	dw.arg = arg;
	rc = db_tx(db, claim_work, &w);
	if (rc == DB_OK && w.n)
		rc = db_read(db, detail_work, &dw);
	return rc;
}

/* ---- finishing --------------------------------------------------------------- */

struct finish_work {
	const char *holder;
	const struct delivery *d;
	const struct attempt_end *end;
	int cleared; /* the subscription's last attempt in this batch was a 2xx already */
};

struct finish_all {
	const char *holder;
	struct finish_item *items;
	size_t n;
};

static int log_attempt(struct db *db, const struct finish_work *w)
{
	struct db_params p;
	struct uuid id;

	if (uuid_v7_at(w->end->started_ms + w->end->duration_ms, &id) != 0)
		return DB_ERROR;
	db_params_init(&p);
	db_param_uuid(&p, &id);
	db_param_uuid(&p, &w->d->webhook_id);
	db_param_uuid(&p, &w->d->event_id);
	db_param_u64(&p, w->d->attempts + 1);
	db_param_ms(&p, w->end->started_ms);
	if (w->end->http_status)
		db_param_u64(&p, (uint64_t)w->end->http_status);
	else
		db_param_cstr(&p, NULL);
	db_param_u64(&p, w->end->duration_ms);
	db_param_cstr(&p, w->end->outcome);
	db_param_cstr(&p, w->end->error);
	return db_exec(db, SLOT_DL_ATTEMPT, SQL_ATTEMPT, &p, NULL);
}

/* The subscription's side: failing_since, and disabling after a 410 or 5 days of failures. */
static int subscription_state(struct db *db, const struct finish_work *w)
{
	struct db_params p;
	uint64_t us = (uint64_t)w->end->failing_cutoff_ms * 1000;

	db_params_init(&p);
	if (!strcmp(w->end->outcome, "DELIVERED")) {
		if (w->cleared)
			return DB_OK;
		db_param_uuid(&p, &w->d->webhook_id);
		return db_exec(db, SLOT_DL_OK, SQL_OK, &p, NULL);
	}
	if (w->end->gone) {
		db_param_uuid(&p, &w->d->webhook_id);
		return db_exec(db, SLOT_DL_GONE, SQL_GONE, &p, NULL);
	}
	db_param_u64(&p, us);
	db_param_u64(&p, us);
	db_param_u64(&p, us);
	db_param_uuid(&p, &w->d->webhook_id);
	return db_exec(db, SLOT_DL_FAILING, SQL_FAILING, &p, NULL);
}

/* One attempt: DB_NOT_FOUND when holder no longer has the claim. */
static int finish_one(struct db *db, const struct finish_work *w)
{
	struct db_params p;
	MYSQL_STMT *st;
	int rc;

	db_params_init(&p);
	/* The queue's state: a retry is PENDING again, the rest is final as named. */
	db_param_cstr(&p, strcmp(w->end->outcome, "FAILED_RETRYING") ? w->end->outcome : "PENDING");
	db_param_u64(&p, w->end->retry_ms > 0 ? (uint64_t)w->end->retry_ms * 1000 : 0);
	db_param_uuid(&p, &w->d->webhook_id);
	db_param_u64(&p, w->d->seq);
	db_param_cstr(&p, w->holder);
	rc = db_exec(db, SLOT_DL_FINISH, SQL_FINISH, &p, &st);
	if (rc == DB_OK && mysql_stmt_affected_rows(st) != 1)
		return DB_NOT_FOUND;
	if (rc == DB_OK)
		rc = log_attempt(db, w);
	return rc == DB_OK ? subscription_state(db, w) : rc;
}

/* Whether the latest item before i of the same subscription was recorded as a 2xx. */
static int cleared_before(const struct finish_item *items, size_t i)
{
	const struct uuid *id = &items[i].d->webhook_id;

	while (i-- > 0)
		if (!memcmp(items[i].d->webhook_id.b, id->b, sizeof(id->b)))
			return !items[i].lost && items[i].end.outcome[0] == 'D';
	return 0;
}

static int finish_all_work(struct db *db, void *arg)
{
	struct finish_all *a = arg;
	int rc = DB_OK;

	for (size_t i = 0; rc == DB_OK && i < a->n; i++) { /* db_tx may run this again */
		struct finish_work w = {a->holder, a->items[i].d, &a->items[i].end,
		                        cleared_before(a->items, i)};

		rc = finish_one(db, &w);
		a->items[i].lost = rc == DB_NOT_FOUND;
		if (rc == DB_NOT_FOUND)
			rc = DB_OK;
	}
	return rc;
}

int deliver_db_finish(struct db *db, const char *holder, struct finish_item *items, size_t n)
{
	struct finish_all a = {holder, items, n};

	return db_tx(db, finish_all_work, &a);
}

static int release_work(struct db *db, void *arg)
{
	struct db_params p;

	db_params_init(&p);
	db_param_cstr(&p, arg);
	return db_exec(db, SLOT_DL_RELEASE, SQL_RELEASE, &p, NULL);
}

int deliver_db_release(struct db *db, const char *holder)
{
	return db_tx(db, release_work, (void *)holder);
}

static int oldest_work(struct db *db, void *arg)
{
	int64_t *age = arg;
	struct db_cols c;
	MYSQL_STMT *st;
	uint64_t enabled, ms;
	int rc = db_exec(db, SLOT_DL_OLDEST, SQL_OLDEST, NULL, &st);

	if (rc != DB_OK)
		return rc;
	db_cols_init(&c);
	db_col_u64(&c, &enabled);
	db_col_u64(&c, &ms);
	age[0] = age[1] = -1;
	if ((rc = db_fetch_begin(db, st, &c)) != DB_OK)
		return rc;
	while ((rc = db_fetch(db, st, &c)) == DB_OK)
		age[enabled ? 1 : 0] = (int64_t)ms;
	db_fetch_end(st);
	return rc == DB_NOT_FOUND ? DB_OK : rc;
}

int deliver_db_oldest(struct db *db, int64_t age_ms[2])
{
	return db_read(db, oldest_work, age_ms);
}

struct purge_work {
	unsigned days, batch;
};

static int purge_work(struct db *db, void *arg)
{
	struct purge_work *w = arg;
	struct db_params p;
	int rc;

	db_params_init(&p);
	db_param_u64(&p, w->batch);
	if ((rc = db_exec(db, SLOT_DL_PURGE_QUEUE, SQL_PURGE_QUEUE, &p, NULL)) != DB_OK)
		return rc;
	db_params_init(&p);
	db_param_u64(&p, w->days);
	db_param_u64(&p, w->batch);
	return db_exec(db, SLOT_DL_PURGE_LOG, SQL_PURGE_LOG, &p, NULL);
}

int deliver_db_purge(struct db *db, unsigned retention_days, unsigned batch)
{
	struct purge_work w = {retention_days, batch};

	return db_tx(db, purge_work, &w);
}

static int dead_work(struct db *db, void *arg)
{
	struct db_params p;

	db_params_init(&p);
	db_param_u64(&p, *(const uint64_t *)arg);
	return db_exec(db, SLOT_DL_DISABLE_DEAD, SQL_DISABLE_DEAD, &p, NULL);
}

int deliver_db_disable_dead(struct db *db, long long cutoff_ms)
{
	uint64_t us = (uint64_t)cutoff_ms * 1000;

	return db_tx(db, dead_work, &us);
}
