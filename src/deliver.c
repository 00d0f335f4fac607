/*
 * deliver: one loop, one thread.  Each tick queues new events, claims due
 * deliveries of each subscription up to its share (struct share: from
 * [webhooks] concurrency up to 8 times that while its receiver answers
 * fast, counting what this process already has in flight for it),
 * starts them on the multi handle and records the ones that ended, all
 * of them in one transaction (one commit, not one per delivery).  A
 * slow receiver holds at most its own share of transfers for at most the
 * 10 s timeout (the floor, after its first slow answer), so it never
 * delays another subscription's deliveries.
 *
 * Safety is in the connection, not only in registration: libcurl calls
 * open_socket for every address it is about to connect to, after its own
 * DNS resolution, and an address the policy refuses gets no socket (so
 * a name rebound to 127.0.0.1 after registration is refused, and the
 * attempt logs why).  Only https, no redirects, no proxy from the
 * environment, a 10 s timeout, and response bodies counted up to 64 KiB
 * and dropped.
 *
 * The stop signals stay blocked and are polled between ticks, as in the
 * sequencer: a stop ends the transfers in flight, gives their claims back
 * and exits 0.
 */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "customer_json.h"
#include "db.h"
#include "deliver.h"
#include "deliver_db.h"
#include "log.h"
#include "metrics.h"
#include "net_policy.h"
#include "retry_schedule.h"
#include "uuid.h"
#include "webhook_sig.h"

#define TICK_MS 50
#define IN_FLIGHT_MAX 256
#define DUE_MAX 64
#define TIMEOUT_MS 10000L
#define BODY_KEEP_MAX (64 * 1024)
#define FAILING_DISABLE_MS (5LL * 24 * 3600 * 1000)
#define OLDEST_EVERY_MS 1000
#define PURGE_EVERY 60 /* gauge rounds, so once a minute */
#define PURGE_BATCH 1000
#define SHARES 256     /* direct-mapped: one that collides starts again from the floor */
#define SHARE_GROWTH 8 /* a fast receiver's share: up to 8 x [webhooks] concurrency */
#define SHARE_FAST_MS 1000

struct deliverer;

struct transfer {
	struct delivery d;
	struct deliverer *owner;
	CURL *h;
	struct curl_slist *headers;
	char *body;
	size_t received;
	enum net_class refused; /* what open_socket refused last, NET_ALLOWED if nothing */
	int64_t started_wall, started_mono;
	struct attempt_end end; /* filled when it ended, recorded with the others that did */
	char why[128];          /* end.error's text */
	char errbuf[CURL_ERROR_SIZE];
};

/*
 * A subscription's share of transfers in flight: [webhooks] concurrency
 * (the floor), plus one for every 2xx answered within SHARE_FAST_MS, up to
 * SHARE_GROWTH times the floor; back to the floor on anything else.  A
 * fast receiver takes 500 events a second, a slow or dead one holds only
 * the floor after its first slow answer or timeout.
 */
struct share {
	struct uuid id;
	unsigned n;
};

struct deliverer {
	const struct config *cfg;
	struct db *db;
	CURLM *multi;
	char holder[UUID_STR_LEN + 1];
	unsigned char kek[32];
	struct transfer *t[IN_FLIGHT_MAX];
	size_t n;
	int64_t oldest_ms;
	unsigned rounds;
	struct share shares[SHARES];
	struct finish_item items[IN_FLIGHT_MAX]; /* record()'s batch */
};

/* ---- the request -------------------------------------------------------------- */

/* The event object, the same text for every attempt: jansson keeps key order. */
static char *event_body(const struct delivery *d)
{
	char id[UUID_STR_LEN + 1], when[25];
	json_t *data = json_loads(d->data, 0, NULL), *ev;
	char *text;

	uuid_format(&d->event_id, id);
	rfc3339_ms(d->occurred_ms, when);
	ev = json_pack("{s:s, s:s, s:s, s:o}", "eventId", id, "eventType", d->event_type,
	               "occurredOn", when, "data", data ? data : json_object());
	text = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
	json_decref(ev);
	return text;
}

/* "v1,<sig>" for the current secret and, during a rotation, " v1,<sig>" for the previous. */
static int signatures(const struct deliverer *dl, const struct transfer *t, const char *id,
                      long long ts, char *out, size_t cap)
{
	unsigned char key[WEBHOOK_KEY_LEN];
	char sig[WEBHOOK_SIG_MAX];
	int rc = -1;

	out[0] = '\0';
	if (webhook_open(dl->kek, &t->d.webhook_id, t->d.secret, t->d.secret_len, key) ||
	    webhook_sign(key, sizeof(key), id, ts, t->body, strlen(t->body), sig))
		goto out;
	snprintf(out, cap, "%s", sig);
	if (t->d.prev_len &&
	    webhook_open(dl->kek, &t->d.webhook_id, t->d.prev, t->d.prev_len, key) == 0 &&
	    webhook_sign(key, sizeof(key), id, ts, t->body, strlen(t->body), sig) == 0)
		snprintf(out + strlen(out), cap - strlen(out), " %s", sig);
	rc = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

static struct curl_slist *header_add(struct curl_slist *l, const char *fmt, const char *v)
{
	char line[2 * WEBHOOK_SIG_MAX + 64];
	struct curl_slist *n;

	snprintf(line, sizeof(line), fmt, v);
	n = curl_slist_append(l, line);
	if (!n)
		curl_slist_free_all(l);
	return n;
}

/* webhook-id, a fresh timestamp and the signatures over both and the body. */
static int headers_make(const struct deliverer *dl, struct transfer *t)
{
	char id[UUID_STR_LEN + 1], ts[24], sigs[2 * WEBHOOK_SIG_MAX + 2];
	long long now = (long long)(clock_wall_ms() / 1000);

	uuid_format(&t->d.event_id, id);
	snprintf(ts, sizeof(ts), "%lld", now);
	t->headers = header_add(NULL, "webhook-id: %s", id);
	if (!t->headers || signatures(dl, t, id, now, sigs, sizeof(sigs)))
		return -1;
	t->headers = header_add(t->headers, "webhook-timestamp: %s", ts);
	if (t->headers)
		t->headers = header_add(t->headers, "webhook-signature: %s", sigs);
	if (t->headers)
		t->headers = header_add(t->headers, "Content-Type: %s", "application/json");
	if (t->headers)
		t->headers = header_add(t->headers, "Expect:%s", "");
	return t->headers ? 0 : -1;
}

/* ---- libcurl callbacks ----------------------------------------------------------- */

/* The gate against SSRF: every address libcurl wants to connect to, after its DNS. */
static curl_socket_t open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct transfer *t = arg;
	enum net_class c = net_policy_check(&a->addr, (int)t->owner->cfg->wh_allow_private);

	(void)purpose;
	if (c != NET_ALLOWED) {
		t->refused = c;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

/* Counts the response body and drops it; past BODY_KEEP_MAX the transfer ends. */
static size_t body_sink(char *p, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;

	(void)p;
	t->received += size * n;
	return t->received > BODY_KEEP_MAX ? 0 : size * n;
}

static void easy_options(const struct deliverer *dl, struct transfer *t)
{
	CURL *h = t->h;

	curl_easy_setopt(h, CURLOPT_URL, t->d.url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, t->body);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "customers-fcgi/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, t);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, body_sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(h, CURLOPT_PRIVATE, t);
	if (dl->cfg->wh_ca_file[0])
		curl_easy_setopt(h, CURLOPT_CAINFO, dl->cfg->wh_ca_file);
}

/* ---- outcomes ---------------------------------------------------------------------- */

static void transfer_free(struct transfer *t)
{
	if (!t)
		return;
	curl_easy_cleanup(t->h);
	curl_slist_free_all(t->headers);
	free(t->body);
	free(t);
}

static double unit_random(void)
{
	uint32_t r = 0;

	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		return 0.5;
	return (double)r / 4294967296.0;
}

/* Retry-After in seconds (delta form only), -1 when absent or a date. */
static long long retry_after(CURL *h)
{
	struct curl_header *v;
	char *end;
	long long n;

	if (curl_easy_header(h, "Retry-After", 0, CURLH_HEADER, -1, &v) != CURLHE_OK)
		return -1;
	n = strtoll(v->value, &end, 10);
	return end != v->value && *end == '\0' && n >= 0 ? n : -1;
}

/* Why an attempt without a usable status failed, in a few words. */
static const char *failure_text(const struct transfer *t, CURLcode code, char *buf, size_t cap)
{
	if (t->refused != NET_ALLOWED) {
		snprintf(buf, cap, "address not allowed: %s", net_class_name(t->refused));
		return buf;
	}
	if (code == CURLE_OPERATION_TIMEDOUT)
		return "timeout";
	snprintf(buf, cap, "%.100s", t->errbuf[0] ? t->errbuf : curl_easy_strerror(code));
	return buf;
}

static void outcome(const struct deliverer *dl, struct transfer *t, CURLcode code,
                    struct attempt_end *e, char *buf, size_t cap)
{
	long status = 0;
	int answered =
	        code == CURLE_OK || (code == CURLE_WRITE_ERROR && t->received > BODY_KEEP_MAX);

	if (answered)
		curl_easy_getinfo(t->h, CURLINFO_RESPONSE_CODE, &status);
	e->http_status = (int)status;
	e->error = NULL;
	e->gone = status == 410;
	e->retry_ms = -1;
	if (status >= 200 && status < 300) {
		e->outcome = "DELIVERED";
		return;
	}
	if (status) {
		snprintf(buf, cap, "HTTP %ld", status);
		e->error = buf;
	} else {
		e->error = failure_text(t, code, buf, cap);
	}
	if (!e->gone)
		e->retry_ms =
		        retry_delay_ms((unsigned)t->d.attempts + 1, unit_random(),
		                       retry_after(t->h), (int)status, dl->cfg->wh_time_scale);
	e->outcome = e->retry_ms >= 0 ? "FAILED_RETRYING" : "FAILED";
}

/* When t's attempt started, how long it took, and the 5-day rule's cutoff. */
static void stamp(const struct deliverer *dl, struct transfer *t)
{
	t->end.started_ms = t->started_wall;
	t->end.duration_ms = (unsigned)(clock_mono_ms() - t->started_mono);
	t->end.failing_cutoff_ms = FAILING_DISABLE_MS / dl->cfg->wh_time_scale;
}

/* How t ended, into t->end. */
static void ended(const struct deliverer *dl, struct transfer *t, CURLcode code)
{
	outcome(dl, t, code, &t->end, t->why, sizeof(t->why));
	stamp(dl, t);
}

/* The slot of subscription id: the random tail of its UUIDv7. */
static size_t share_slot(const struct uuid *id)
{
	uint32_t h;

	memcpy(&h, id->b + 12, sizeof(h));
	return h % SHARES;
}

static size_t share_of(const struct deliverer *dl, const struct uuid *id)
{
	const struct share *s = &dl->shares[share_slot(id)];
	unsigned base = dl->cfg->wh_concurrency;

	return !memcmp(s->id.b, id->b, sizeof(id->b)) && s->n > base ? s->n : base;
}

static void share_learn(struct deliverer *dl, const struct transfer *t)
{
	struct share *s = &dl->shares[share_slot(&t->d.webhook_id)];
	size_t now = share_of(dl, &t->d.webhook_id), base = dl->cfg->wh_concurrency;
	int fast = t->end.outcome[0] == 'D' && t->end.duration_ms < SHARE_FAST_MS;

	s->id = t->d.webhook_id;
	s->n = (unsigned)(!fast ? base : now < base * SHARE_GROWTH ? now + 1 : now);
}

/* Records the attempts of ts[0..n) (their end filled) in one transaction. */
static void record(struct deliverer *dl, struct transfer *const *ts, size_t n)
{
	struct finish_item *items = dl->items;
	int rc;

	for (size_t i = 0; i < n; i++)
		items[i] = (struct finish_item){&ts[i]->d, ts[i]->end, 0};
	rc = deliver_db_finish(dl->db, dl->holder, items, n);
	for (size_t i = 0; i < n; i++) {
		const struct delivery *d = items[i].d;
		const char *what = items[i].end.outcome;

		share_learn(dl, ts[i]);
		if (rc != DB_OK)
			log_error(
			        "deliverer: seq %llu's outcome not recorded (db_rc %d); sent again",
			        (unsigned long long)d->seq, rc);
		else if (items[i].lost)
			log_warn(
			        "deliverer: claim of seq %llu lost before its outcome was recorded",
			        (unsigned long long)d->seq);
		metrics_delivery(what, what[0] == 'D'
		                               ? (double)(clock_wall_ms() - d->occurred_ms) / 1000.0
		                               : -1);
	}
}

/* ---- starting ------------------------------------------------------------------------ */

static size_t in_flight_of(const struct deliverer *dl, const struct uuid *id)
{
	size_t n = 0;

	for (size_t i = 0; i < dl->n; i++)
		n += !memcmp(dl->t[i]->d.webhook_id.b, id->b, sizeof(id->b));
	return n;
}

/* An attempt that cannot even start (event past retention, secret that does not open). */
static void fail_now(struct deliverer *dl, struct transfer *t, const char *why, int final)
{
	struct attempt_end *e = &t->end;

	*e = (struct attempt_end){final ? "FAILED" : "FAILED_RETRYING", 0, 0, 0, -1, why, 0, 0};
	if (!final)
		e->retry_ms = retry_delay_ms((unsigned)t->d.attempts + 1, unit_random(), -1, 0,
		                             dl->cfg->wh_time_scale);
	if (e->retry_ms < 0)
		e->outcome = "FAILED";
	stamp(dl, t);
	record(dl, &t, 1);
	transfer_free(t);
}

static void start(const struct delivery *d, void *arg)
{
	struct deliverer *dl = arg;
	struct transfer *t = calloc(1, sizeof(*t));

	if (!t) {
		log_error("deliverer: out of memory; seq %llu waits for its claim to expire",
		          (unsigned long long)d->seq);
		return;
	}
	t->d = *d;
	t->owner = dl;
	t->started_wall = clock_wall_ms();
	t->started_mono = clock_mono_ms();
	if (d->occurred_ms < 0) {
		fail_now(dl, t, "event past retention", 1);
		return;
	}
	t->body = event_body(d);
	t->h = curl_easy_init();
	if (!t->body || !t->h || headers_make(dl, t)) {
		fail_now(dl, t, "secret does not open or out of memory", 0);
		return;
	}
	easy_options(dl, t);
	if (curl_multi_add_handle(dl->multi, t->h) != CURLM_OK) {
		fail_now(dl, t, "libcurl refused the transfer", 0);
		return;
	}
	dl->t[dl->n++] = t;
}

static void claim_due(struct deliverer *dl)
{
	struct uuid due[DUE_MAX];
	size_t n = 0;

	if (deliver_db_enqueue(dl->db) != DB_OK ||
	    deliver_db_due(dl->db, due, DUE_MAX, &n) != DB_OK)
		return;
	for (size_t i = 0; i < n && dl->n < IN_FLIGHT_MAX; i++) {
		size_t mine = in_flight_of(dl, &due[i]);
		size_t room = IN_FLIGHT_MAX - dl->n, share = share_of(dl, &due[i]);

		if (mine < share)
			deliver_db_claim(dl->db, dl->holder, &due[i],
			                 share - mine < room ? share - mine : room, start, dl);
	}
}

/* ---- the loop ------------------------------------------------------------------------------ */

static void drop(struct deliverer *dl, struct transfer *t)
{
	for (size_t i = 0; i < dl->n; i++)
		if (dl->t[i] == t) {
			dl->t[i] = dl->t[--dl->n];
			break;
		}
	curl_multi_remove_handle(dl->multi, t->h);
	transfer_free(t);
}

/* The transfers that ended, recorded together: one commit however many. */
static void reap(struct deliverer *dl)
{
	struct transfer *done[IN_FLIGHT_MAX];
	size_t n = 0;
	CURLMsg *m;
	int left, running;

	curl_multi_perform(dl->multi, &running);
	while (n < IN_FLIGHT_MAX && (m = curl_multi_info_read(dl->multi, &left))) {
		struct transfer *t = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		ended(dl, t, m->data.result);
		done[n++] = t;
	}
	if (n)
		record(dl, done, n);
	for (size_t i = 0; i < n; i++)
		drop(dl, done[i]);
}

/*
 * Once a second the backlog gauges and the 5-day rule; once a minute the
 * purge of what retention let go.
 */
static void periodic(struct deliverer *dl)
{
	int64_t now = clock_mono_ms(), age[2];

	if (now - dl->oldest_ms < OLDEST_EVERY_MS)
		return;
	dl->oldest_ms = now;
	if (deliver_db_oldest(dl->db, age) == DB_OK)
		metrics_delivery_backlog(age[1], age[0]);
	deliver_db_disable_dead(dl->db, FAILING_DISABLE_MS / dl->cfg->wh_time_scale);
	if (dl->rounds++ % PURGE_EVERY == 0) /* the first one at start */
		deliver_db_purge(dl->db, dl->cfg->events_retention_days, PURGE_BATCH);
}

static int stop_requested(const sigset_t *stop)
{
	struct timespec zero = {0, 0};
	int sig = sigtimedwait(stop, NULL, &zero);

	return sig == SIGTERM || sig == SIGINT || (sig < 0 && errno != EAGAIN && errno != EINTR);
}

/* At a stop: the transfers in flight end unrecorded and their claims go back. */
static void shutdown_all(struct deliverer *dl)
{
	while (dl->n)
		drop(dl, dl->t[dl->n - 1]);
	deliver_db_release(dl->db, dl->holder);
}

static int setup(struct deliverer *dl, const struct config *cfg)
{
	struct uuid id;

	dl->cfg = cfg;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	dl->db = db_new(cfg);
	dl->multi = curl_multi_init();
	if (!dl->db || !dl->multi || uuid_v7_at(clock_wall_ms(), &id) ||
	    webhook_crypt_key(cfg->cursor_secret, cfg->cursor_secret_len, dl->kek))
		return -1;
	uuid_format(&id, dl->holder);
	db_split_writes(dl->db);
	return 0;
}

int deliver_run(const struct config *cfg)
{
	static struct deliverer dl;
	sigset_t stop;
	int rc = 0;

	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	if (setup(&dl, cfg) != 0) {
		log_error("webhook deliverer: cannot start (out of memory, libcurl or RNG)");
		rc = 1;
		goto out;
	}
	log_info("webhook deliverer %s started", dl.holder);
	while (!stop_requested(&stop)) {
		claim_due(&dl);
		reap(&dl);
		periodic(&dl);
		curl_multi_poll(dl.multi, NULL, 0, TICK_MS, NULL);
		reap(&dl);
	}
	shutdown_all(&dl);
out:
	curl_multi_cleanup(dl.multi);
	db_free(dl.db);
	OPENSSL_cleanse(dl.kek, sizeof(dl.kek));
	curl_global_cleanup();
	return rc;
}
