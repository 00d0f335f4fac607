/*
 * loadgen: a steady load of mixed, valid requests against customers-fcgi
 * behind a web server on 127.0.0.1, recording every request.
 *
 * Each of -c threads keeps one HTTP/1.1 keep-alive connection and sends,
 * one at a time, a POST (new entity, two labels), a GET of a customer it
 * or another thread created, a PATCH of one (Requestor-ID, a random label
 * set) or a list page, drawn by the -m weights.  A request that gets no
 * complete answer within -t ms is a timeout; its connection is dropped
 * and a new one made.  It stops after -d seconds, after -n requests, or on
 * SIGTERM/SIGINT (the requests in flight are finished first).  With -r
 * the requests are paced: the n-th is not sent before t0 + n / RATE s,
 * whichever thread takes it (an open-loop rate as long as the threads keep
 * up; bench/webhooks.sh writes at 500/s with it).
 *
 * Every request is one line of -o (default stdout):
 *   START_MS METHOD STATUS LATENCY_MS RETRY_AFTER CUSTOMER_ID
 * START_MS is the wall clock (Unix ms, to compare with `date +%s%3N`); STATUS is the HTTP status, 0
 * for a broken connection and 1 for a timeout; RETRY_AFTER is 1 when the
 * answer had that header; CUSTOMER_ID is the id a POST got with 200, or
 * the one a GET or PATCH was about, else "-".  The lost-write check reads
 * the POST 200 lines.  A summary by method and status goes to stderr.
 *
 * Built by the fault scripts with gcc; test code, so it stays simple:
 * fixed buffers, no TLS, loopback only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 256
#define RESP_MAX (512 * 1024)
#define REQ_MAX 4096
#define IDS_MAX 65536
#define ID_LEN 36

enum kind { K_POST, K_GET, K_PATCH, K_LIST, K_N };
static const char *const kind_name[K_N] = {"POST", "GET", "PATCH", "LIST"};

struct opts {
	int port;
	const char *token;
	int threads;
	double seconds;
	long max_requests;
	int timeout_ms;
	unsigned weight[K_N];
	const char *out;
	int quiet;
	double rate; /* requests per second in all, 0 = as fast as answered */
};

static struct opts opt = {0, NULL, 4, 10, 0, 10000, {30, 40, 20, 10}, NULL, 0, 0};
static volatile sig_atomic_t stopping;
static int64_t t0;
static long issued;
static FILE *outf;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

/* Customers created during the run: the targets of GET and PATCH. */
static char ids[IDS_MAX][ID_LEN + 1];
static unsigned nids, ids_next;

/* Summary: [kind][status bucket]; buckets are HTTP statuses 0..599. */
static long counts[K_N][600];
static int64_t max_latency[K_N];

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void uuid4(uint64_t *s, char out[ID_LEN + 1])
{
	unsigned char b[16];

	for (int i = 0; i < 16; i += 8) {
		uint64_t r = rnd(s);
		memcpy(b + i, &r, 8);
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, ID_LEN + 1,
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
	         b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
	         b[14], b[15]);
}

/* ---- created ids ---- */

static void ids_add(const char *id)
{
	pthread_mutex_lock(&mu);
	memcpy(ids[ids_next], id, ID_LEN + 1);
	ids_next = (ids_next + 1) % IDS_MAX;
	if (nids < IDS_MAX)
		nids++;
	pthread_mutex_unlock(&mu);
}

static int ids_pick(uint64_t *s, char out[ID_LEN + 1])
{
	int ok = 0;

	pthread_mutex_lock(&mu);
	if (nids) {
		memcpy(out, ids[rnd(s) % nids], ID_LEN + 1);
		ok = 1;
	}
	pthread_mutex_unlock(&mu);
	return ok;
}

/* ---- one connection ---- */

struct conn {
	int fd;
	char buf[RESP_MAX];
	size_t have; /* bytes in buf */
};

static int conn_open(struct conn *c)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port)};
	struct timeval tv = {opt.timeout_ms / 1000, (opt.timeout_ms % 1000) * 1000};
	int one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->have = 0;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

static void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->have = 0;
}

/* Reads more into buf; 0 ok, 0-status codes: -1 broken, -2 timeout or past the deadline. */
static int conn_fill(struct conn *c, int64_t deadline)
{
	ssize_t n;

	if (c->have >= sizeof(c->buf) - 1 || now_ms() > deadline)
		return c->have >= sizeof(c->buf) - 1 ? -1 : -2;
	n = recv(c->fd, c->buf + c->have, sizeof(c->buf) - 1 - c->have, 0);
	if (n < 0 && errno == EINTR)
		return 0; /* our stop signal: finish this request */
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -2;
	if (n <= 0)
		return -1;
	c->have += (size_t)n;
	c->buf[c->have] = '\0';
	return 0;
}

static const char *header(const char *head, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = strstr(head, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
		if (!strncasecmp(p + 2, name, n) && p[2 + n] == ':')
			return p + 3 + n;
		if (p[2] == '\r')
			break;
	}
	return NULL;
}

struct answer {
	int status;
	int retry_after;
	int close;
	char id[ID_LEN + 1];
};

/* Decodes a chunked body starting at body; its end offset in *end, -1 if incomplete. */
static int chunked_end(const char *buf, size_t have, size_t body, size_t *end)
{
	size_t at = body;

	for (;;) {
		char *e;
		unsigned long len;
		const char *crlf;

		if (at >= have)
			return -1;
		len = strtoul(buf + at, &e, 16);
		crlf = strstr(buf + at, "\r\n");
		if (!crlf || e == buf + at)
			return -1;
		at = (size_t)(crlf - buf) + 2;
		if (len == 0) {
			if (have < at + 2)
				return -1;
			*end = at + 2;
			return 0;
		}
		at += len + 2;
	}
}

/* Reads one response; fills a.  0, or -1 broken / -2 timeout. */
static int read_answer(struct conn *c, int64_t deadline, struct answer *a)
{
	char *eoh;
	const char *v;
	size_t body, end = 0;
	int rc;

	while (!(eoh = strstr(c->buf, "\r\n\r\n"))) {
		rc = conn_fill(c, deadline);
		if (rc)
			return rc;
	}
	*eoh = '\0';
	if (sscanf(c->buf, "HTTP/1.%*d %d", &a->status) != 1)
		return -1;
	a->retry_after = header(c->buf, "Retry-After") != NULL;
	v = header(c->buf, "Connection");
	a->close = v && strcasestr(v, "close");
	body = (size_t)(eoh - c->buf) + 4;
	if ((v = header(c->buf, "Transfer-Encoding")) && strcasestr(v, "chunked")) {
		*eoh = '\r';
		while (chunked_end(c->buf, c->have, body, &end)) {
			rc = conn_fill(c, deadline);
			if (rc)
				return rc;
		}
	} else {
		v = header(c->buf, "Content-Length");
		end = body + (v ? strtoul(v, NULL, 10) : 0);
		*eoh = '\r';
		while (c->have < end) {
			rc = conn_fill(c, deadline);
			if (rc)
				return rc;
		}
	}
	v = strstr(c->buf + body, "\"customerId\":\"");
	if (a->status == 200 && v && v + 14 + ID_LEN <= c->buf + end) {
		memcpy(a->id, v + 14, ID_LEN);
		a->id[ID_LEN] = '\0';
	}
	memmove(c->buf, c->buf + end, c->have - end);
	c->have -= end;
	c->buf[c->have] = '\0';
	return 0;
}

/* ---- requests ---- */

static const char *const label_pool[] = {"vip", "berlin", "gold", "risk-low", "paris", "new"};

static int labels_json(uint64_t *s, char *out, size_t cap)
{
	size_t len = 0;
	unsigned n = (unsigned)(rnd(s) % 4), mask = 0;

	len += (size_t)snprintf(out + len, cap - len, "[");
	for (unsigned i = 0; i < n; i++) {
		unsigned k = (unsigned)(rnd(s) % 6);

		if (mask & (1u << k))
			continue;
		mask |= 1u << k;
		len += (size_t)snprintf(out + len, cap - len, "%s\"%s\"", mask != (1u << k) ? "," : "",
		                        label_pool[k]);
	}
	len += (size_t)snprintf(out + len, cap - len, "]");
	return (int)len;
}

/* Builds the request of kind k into req; target id (GET/PATCH) in id. */
static int build(enum kind k, uint64_t *s, char *id, char *req, size_t cap)
{
	char body[512], entity[ID_LEN + 1], requestor[ID_LEN + 1];
	const char *auth = opt.token;
	int blen = 0;

	uuid4(s, requestor);
	switch (k) {
	case K_POST:
		uuid4(s, entity);
		blen = snprintf(body, sizeof(body),
		                "{\"entityId\":\"%s\",\"entityType\":\"NATURAL_PERSON\","
		                "\"labels\":[\"load\",\"test\"]}",
		                entity);
		memcpy(id, "-", 2);
		return snprintf(req, cap,
		                "POST /roles/customers HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		                "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
		                "Content-Length: %d\r\n\r\n%s",
		                auth, blen, body);
	case K_GET:
		return snprintf(req, cap,
		                "GET /roles/customers/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		                "Authorization: Bearer %s\r\n\r\n",
		                id, auth);
	case K_PATCH:
		blen = snprintf(body, sizeof(body), "{\"labels\":");
		blen += labels_json(s, body + blen, sizeof(body) - (size_t)blen - 2);
		blen += snprintf(body + blen, sizeof(body) - (size_t)blen, "}");
		return snprintf(req, cap,
		                "PATCH /roles/customers/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		                "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
		                "Requestor-ID: %s\r\nContent-Length: %d\r\n\r\n%s",
		                id, auth, requestor, blen, body);
	default:
		memcpy(id, "-", 2);
		return snprintf(req, cap,
		                "GET /roles/customers?limit=5 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		                "Authorization: Bearer %s\r\n\r\n",
		                auth);
	}
}

static enum kind pick_kind(uint64_t *s, char id[ID_LEN + 1])
{
	unsigned total = 0, r;
	enum kind k = K_POST;

	for (int i = 0; i < K_N; i++)
		total += opt.weight[i];
	r = (unsigned)(rnd(s) % total);
	for (int i = 0; i < K_N; i++) {
		if (r < opt.weight[i]) {
			k = (enum kind)i;
			break;
		}
		r -= opt.weight[i];
	}
	if ((k == K_GET || k == K_PATCH) && !ids_pick(s, id))
		k = K_POST;
	return k;
}

/* Sends req and reads the answer: the status (0 broken, 1 timeout). */
static int exchange(struct conn *c, const char *req, int len, struct answer *a)
{
	int64_t deadline = now_ms() + opt.timeout_ms;
	int rc;

	for (int attempt = 0; attempt < 2; attempt++) {
		if (c->fd < 0 && conn_open(c) < 0)
			return 0;
		if (send(c->fd, req, (size_t)len, MSG_NOSIGNAL) == len)
			break;
		conn_close(c);
		if (attempt == 1)
			return 0;
	}
	rc = read_answer(c, deadline, a);
	if (rc || a->close)
		conn_close(c);
	if (rc)
		return rc == -2 ? 1 : 0;
	return a->status;
}

static void record(enum kind k, int64_t wall, int status, int64_t lat, const struct answer *a,
                   const char *id)
{
	const char *shown = a->id[0] ? a->id : id;

	pthread_mutex_lock(&mu);
	if (status >= 0 && status < 600)
		counts[k][status]++;
	if (lat > max_latency[k])
		max_latency[k] = lat;
	fprintf(outf, "%lld %s %d %lld %d %s\n", (long long)wall, kind_name[k], status,
	        (long long)lat, a->retry_after, shown);
	pthread_mutex_unlock(&mu);
}

/* The next request's number; with -r, waits for its time first. */
static int take_ticket(void)
{
	int ok;
	long n;

	pthread_mutex_lock(&mu);
	n = issued;
	ok = opt.max_requests == 0 || issued < opt.max_requests;
	if (ok)
		issued++;
	pthread_mutex_unlock(&mu);
	if (ok && opt.rate > 0) {
		int64_t wait = t0 + (int64_t)((double)n * 1000.0 / opt.rate) - now_ms();

		if (wait > 0)
			usleep((useconds_t)(wait * 1000));
	}
	return ok && !stopping;
}

static void *run_thread(void *arg)
{
	uint64_t s = (uint64_t)(uintptr_t)arg * 0x9E3779B97F4A7C15ull ^ (uint64_t)now_ms();
	struct conn *c = malloc(sizeof(*c));
	int64_t end = t0 + (int64_t)(opt.seconds * 1000);
	char req[REQ_MAX], id[ID_LEN + 1];

	if (!c)
		return NULL;
	c->fd = -1;
	while (!stopping && (opt.seconds <= 0 || now_ms() < end) && take_ticket()) {
		enum kind k = pick_kind(&s, id);
		int len = build(k, &s, id, req, sizeof(req));
		struct answer a = {0, 0, 0, ""};
		int64_t start = now_ms(), wall = wall_ms();
		int status = exchange(c, req, len, &a);

		if (k == K_POST && status == 200 && a.id[0])
			ids_add(a.id);
		record(k, wall, status, now_ms() - start, &a, id);
	}
	conn_close(c);
	free(c);
	return NULL;
}

/* ---- main ---- */

static void usage(void)
{
	fprintf(stderr, "usage: loadgen -p PORT -T TOKEN [-c THREADS] [-d SECONDS] [-n REQUESTS]\n"
	                "               [-t TIMEOUT_MS] [-m POST:GET:PATCH:LIST] [-r RATE] [-o FILE] [-q]\n");
	exit(2);
}

static void parse_mix(const char *v)
{
	if (sscanf(v, "%u:%u:%u:%u", &opt.weight[0], &opt.weight[1], &opt.weight[2],
	           &opt.weight[3]) != 4 ||
	    opt.weight[0] + opt.weight[1] + opt.weight[2] + opt.weight[3] == 0)
		usage();
}

static void parse_args(int argc, char **argv)
{
	int ch;

	while ((ch = getopt(argc, argv, "p:T:c:d:n:t:m:r:o:q")) != -1) {
		switch (ch) {
		case 'p': opt.port = (int)strtol(optarg, NULL, 10); break;
		case 'T': opt.token = optarg; break;
		case 'c': opt.threads = (int)strtol(optarg, NULL, 10); break;
		case 'd': opt.seconds = strtod(optarg, NULL); break;
		case 'n': opt.max_requests = strtol(optarg, NULL, 10); break;
		case 't': opt.timeout_ms = (int)strtol(optarg, NULL, 10); break;
		case 'm': parse_mix(optarg); break;
		case 'r': opt.rate = strtod(optarg, NULL); break;
		case 'o': opt.out = optarg; break;
		case 'q': opt.quiet = 1; break;
		default: usage();
		}
	}
	if (opt.port <= 0 || opt.port > 65535 || !opt.token || opt.threads < 1 ||
	    opt.threads > MAX_THREADS || opt.timeout_ms < 1)
		usage();
}

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void summary(double secs)
{
	long total = 0;

	for (int k = 0; k < K_N; k++) {
		for (int s = 0; s < 600; s++) {
			if (!counts[k][s])
				continue;
			total += counts[k][s];
			if (!opt.quiet)
				fprintf(stderr, "loadgen: %-5s %3d x %ld\n", kind_name[k], s, counts[k][s]);
		}
		if (!opt.quiet && max_latency[k])
			fprintf(stderr, "loadgen: %-5s max latency %lld ms\n", kind_name[k],
			        (long long)max_latency[k]);
	}
	fprintf(stderr, "loadgen: %ld requests in %.1f s (%.0f/s)\n", total, secs,
	        secs > 0 ? (double)total / secs : 0.0);
}

int main(int argc, char **argv)
{
	pthread_t th[MAX_THREADS];
	struct sigaction sa = {.sa_handler = on_stop};

	parse_args(argc, argv);
	outf = opt.out ? fopen(opt.out, "w") : stdout;
	if (!outf) {
		perror(opt.out);
		return 1;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	t0 = now_ms();
	for (int i = 0; i < opt.threads; i++)
		pthread_create(&th[i], NULL, run_thread, (void *)(uintptr_t)(i + 1));
	for (int i = 0; i < opt.threads; i++)
		pthread_join(th[i], NULL);
	fflush(outf);
	summary((double)(now_ms() - t0) / 1000.0);
	return 0;
}
