/*
 * metrics: pool-wide counters in one shared anonymous mapping.
 *
 * Why shared memory rather than the master collecting from workers: a
 * worker that crashes loses nothing already counted, no IPC is on the
 * request path (one relaxed atomic add per counter), and every worker
 * can answer /metrics for the whole pool.  The histogram is stored per
 * bucket and made cumulative when rendered.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "metrics.h"
#include "routes.h"

static const int tracked[] = {200, 202, 400, 401, 403, 404, 405, 409,
                              410, 412, 413, 415, 429, 500, 503};
#define NTRACKED (sizeof(tracked) / sizeof(tracked[0]))
#define NSTATUS (NTRACKED + 1) /* last: any other status */

static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                0.1,    0.25,  0.5,    1,     2.5,  5};
#define NBOUNDS (sizeof(bounds) / sizeof(bounds[0]))

#define NROUTES (ROUTES_MAX + 1) /* last: requests that found no route */

static const char *const outcomes[] = {"DELIVERED", "FAILED_RETRYING", "FAILED"};
static const double delivery_bounds[] = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                         2.5,  5,     10,   30,  60,   300};
#define NDELIVERY_BOUNDS (sizeof(delivery_bounds) / sizeof(delivery_bounds[0]))

struct shared {
	atomic_ulong requests[NROUTES][NSTATUS];
	atomic_ulong buckets[NROUTES][NBOUNDS + 1]; /* last: +Inf */
	atomic_ulong micros[NROUTES];
	atomic_ulong db_errors;
	atomic_ulong db_reconnects;
	atomic_ulong worker_restarts;
	atomic_ulong events_written;
	atomic_ulong events_sequenced;
	atomic_ulong offboardings_executed;
	atomic_uint pool_size;
	/* webhooks (deliver.c): attempts by outcome, commit -> 2xx latency, backlog ages */
	atomic_ulong deliveries[3];
	atomic_ulong delivery_buckets[NDELIVERY_BOUNDS + 1];
	atomic_ulong delivery_micros;
	atomic_long backlog_age_ms[2]; /* [0] disabled, [1] enabled subscriptions; -1 none */
};

static struct shared *shm;
static const struct route *table; /* borrowed, static data */
static size_t table_n;

int metrics_init(const struct route *named, size_t n)
{
	void *p =
	        mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	shm = p; /* zero-filled by the kernel */
	table = named;
	table_n = n < ROUTES_MAX ? n : ROUTES_MAX;
	return 0;
}

static size_t status_index(int status)
{
	for (size_t i = 0; i < NTRACKED; i++)
		if (tracked[i] == status)
			return i;
	return NTRACKED;
}

static void add(atomic_ulong *c, unsigned long n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static unsigned long get(atomic_ulong *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

void metrics_request(int route, int status, double seconds)
{
	size_t b = 0;

	if (!shm)
		return;
	if (route < 0 || (size_t)route >= table_n)
		route = ROUTES_MAX;
	while (b < NBOUNDS && seconds > bounds[b])
		b++;
	add(&shm->requests[route][status_index(status)], 1);
	add(&shm->buckets[route][b], 1);
	add(&shm->micros[route], (unsigned long)(seconds * 1e6));
}

void metrics_db(unsigned long errors, unsigned long reconnects)
{
	if (!shm)
		return;
	add(&shm->db_errors, errors);
	add(&shm->db_reconnects, reconnects);
}

void metrics_events_written(unsigned long n)
{
	if (shm)
		add(&shm->events_written, n);
}

void metrics_events_sequenced(unsigned long n)
{
	if (shm)
		add(&shm->events_sequenced, n);
}

void metrics_offboardings_executed(unsigned long n)
{
	if (shm)
		add(&shm->offboardings_executed, n);
}

void metrics_worker_restart(void)
{
	if (shm)
		add(&shm->worker_restarts, 1);
}

void metrics_pool_size(unsigned workers)
{
	if (shm)
		atomic_store_explicit(&shm->pool_size, workers, memory_order_relaxed);
}

void metrics_delivery(const char *outcome, double latency)
{
	size_t b = 0, i = 0;

	if (!shm)
		return;
	while (i < 3 && strcmp(outcomes[i], outcome) != 0)
		i++;
	if (i < 3)
		add(&shm->deliveries[i], 1);
	if (latency < 0)
		return;
	while (b < NDELIVERY_BOUNDS && latency > delivery_bounds[b])
		b++;
	add(&shm->delivery_buckets[b], 1);
	add(&shm->delivery_micros, (unsigned long)(latency * 1e6));
}

void metrics_delivery_backlog(long long enabled_ms, long long disabled_ms)
{
	if (!shm)
		return;
	atomic_store_explicit(&shm->backlog_age_ms[1], (long)enabled_ms, memory_order_relaxed);
	atomic_store_explicit(&shm->backlog_age_ms[0], (long)disabled_ms, memory_order_relaxed);
}

struct out {
	char *buf;
	size_t cap, len;
	int overflow;
};

static void emit(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len)
		o->overflow = 1;
	else
		o->len += (size_t)n;
}

/* The metric labels of slot r: the route's pattern and method, or "other". */
static const char *route_name(int r)
{
	return (size_t)r < table_n ? table[r].pattern : "other";
}

static const char *route_method(int r)
{
	return (size_t)r < table_n ? table[r].method : "other";
}

static void render_requests(struct out *o)
{
	emit(o, "# HELP customers_requests_total Requests answered, by route, method and status.\n"
	        "# TYPE customers_requests_total counter\n");
	for (int r = 0; r < NROUTES; r++) {
		for (size_t s = 0; s < NSTATUS; s++) {
			unsigned long n = get(&shm->requests[r][s]);
			char status[8];

			if (!n)
				continue;
			snprintf(status, sizeof(status), "%d", s < NTRACKED ? tracked[s] : 0);
			emit(o,
			     "customers_requests_total{route=\"%s\",method=\"%s\",status=\"%s\"} "
			     "%lu\n",
			     route_name(r), route_method(r), s < NTRACKED ? status : "other", n);
		}
	}
}

static void render_histogram(struct out *o, int r)
{
	const char *name = route_name(r), *method = route_method(r);
	unsigned long cum = 0;

	for (size_t b = 0; b <= NBOUNDS; b++) {
		cum += get(&shm->buckets[r][b]);
		if (b < NBOUNDS)
			emit(o,
			     "customers_request_duration_seconds_bucket{route=\"%s\",method=\"%s\","
			     "le=\"%g\"} %lu\n",
			     name, method, bounds[b], cum);
		else
			emit(o,
			     "customers_request_duration_seconds_bucket{route=\"%s\",method=\"%s\","
			     "le=\"+Inf\"} %lu\n",
			     name, method, cum);
	}
	emit(o, "customers_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} %.6f\n", name,
	     method, (double)get(&shm->micros[r]) / 1e6);
	emit(o, "customers_request_duration_seconds_count{route=\"%s\",method=\"%s\"} %lu\n", name,
	     method, cum);
}

static void render_gauges(struct out *o)
{
	emit(o,
	     "# HELP customers_db_errors_total Failed database statements and connection "
	     "attempts.\n"
	     "# TYPE customers_db_errors_total counter\ncustomers_db_errors_total %lu\n",
	     get(&shm->db_errors));
	emit(o,
	     "# HELP customers_db_reconnects_total Database connections remade after a loss.\n"
	     "# TYPE customers_db_reconnects_total counter\ncustomers_db_reconnects_total %lu\n",
	     get(&shm->db_reconnects));
	emit(o,
	     "# HELP customers_worker_restarts_total Workers that died and were replaced.\n"
	     "# TYPE customers_worker_restarts_total counter\ncustomers_worker_restarts_total "
	     "%lu\n",
	     get(&shm->worker_restarts));
	emit(o,
	     "# HELP customers_events_written_total Events committed to the outbox by this pool's "
	     "workers.\n"
	     "# TYPE customers_events_written_total counter\ncustomers_events_written_total %lu\n",
	     get(&shm->events_written));
	emit(o,
	     "# HELP customers_events_sequenced_total Events given their place in commit order by "
	     "this pool's sequencer (0 while another pool holds the lease).\n"
	     "# TYPE customers_events_sequenced_total counter\ncustomers_events_sequenced_total "
	     "%lu\n",
	     get(&shm->events_sequenced));
	emit(o,
	     "# HELP customers_offboardings_executed_total Offboardings executed by this pool's "
	     "executor.\n"
	     "# TYPE customers_offboardings_executed_total counter\n"
	     "customers_offboardings_executed_total %lu\n",
	     get(&shm->offboardings_executed));
	emit(o,
	     "# HELP customers_pool_workers Configured worker processes.\n"
	     "# TYPE customers_pool_workers gauge\ncustomers_pool_workers %u\n",
	     atomic_load_explicit(&shm->pool_size, memory_order_relaxed));
}

static void render_deliveries(struct out *o)
{
	unsigned long cum = 0;

	emit(o, "# HELP customers_webhook_deliveries_total Webhook delivery attempts by outcome.\n"
	        "# TYPE customers_webhook_deliveries_total counter\n");
	for (size_t i = 0; i < 3; i++)
		emit(o, "customers_webhook_deliveries_total{outcome=\"%s\"} %lu\n", outcomes[i],
		     get(&shm->deliveries[i]));
	emit(o, "# HELP customers_webhook_delivery_latency_seconds From the event's commit to "
	        "its receiver's 2xx.\n"
	        "# TYPE customers_webhook_delivery_latency_seconds histogram\n");
	for (size_t b = 0; b <= NDELIVERY_BOUNDS; b++) {
		cum += get(&shm->delivery_buckets[b]);
		if (b < NDELIVERY_BOUNDS)
			emit(o,
			     "customers_webhook_delivery_latency_seconds_bucket{le=\"%g\"} %lu\n",
			     delivery_bounds[b], cum);
		else
			emit(o,
			     "customers_webhook_delivery_latency_seconds_bucket{le=\"+Inf\"} %lu\n",
			     cum);
	}
	emit(o,
	     "customers_webhook_delivery_latency_seconds_sum %.6f\n"
	     "customers_webhook_delivery_latency_seconds_count %lu\n",
	     (double)get(&shm->delivery_micros) / 1e6, cum);
	emit(o, "# HELP customers_webhook_oldest_undelivered_seconds Age of the oldest event not "
	        "yet delivered or finally failed, by subscription state (0: none).\n"
	        "# TYPE customers_webhook_oldest_undelivered_seconds gauge\n");
	for (int e = 1; e >= 0; e--) {
		long ms = atomic_load_explicit(&shm->backlog_age_ms[e], memory_order_relaxed);

		emit(o, "customers_webhook_oldest_undelivered_seconds{subscription=\"%s\"} %.3f\n",
		     e ? "enabled" : "disabled", ms > 0 ? (double)ms / 1000.0 : 0.0);
	}
}

long metrics_render(char *buf, size_t cap)
{
	struct out o = {buf, cap, 0, 0};

	if (!shm || cap == 0)
		return -1;
	buf[0] = '\0';
	render_requests(&o);
	emit(&o, "# HELP customers_request_duration_seconds Time to answer, by route.\n"
	         "# TYPE customers_request_duration_seconds histogram\n");
	for (int r = 0; r < NROUTES; r++)
		if ((size_t)r < table_n || r == ROUTES_MAX)
			render_histogram(&o, r);
	render_gauges(&o);
	render_deliveries(&o);
	return o.overflow ? -1 : (long)o.len;
}
