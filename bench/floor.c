/*
 * floor: the least a FastCGI responder can do for "GET one customer", as
 * a yardstick for what the architecture allows (libfcgi behind lighttpd,
 * one MariaDB connection per process).  It is a measuring tool, not part
 * of the product: no authentication, no validation beyond the id, no
 * logging, no reconnect.
 *
 * The parent opens the unix socket and pre-forks N workers that share it.
 * Each worker connects once, prepares one primary-key SELECT (the row plus
 * its labels through one GROUP_CONCAT subquery, so the work is comparable
 * to the product's) and then loops: take the id from the last segment of
 * REQUEST_URI, execute, print the row as JSON.  SIGTERM on the parent
 * stops the workers and removes the socket.
 *
 *   floor -l SOCKET -w WORKERS -S DB_SOCKET -u USER -d DATABASE -P PARTNER_ID
 *   (password from FLOOR_DB_PASSWORD)
 */
#include <errno.h>
#include <fcgiapp.h>
#include <mysql.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WORKERS 256
#define LABELS_MAX 8192
#define OUT_MAX 16384

static const char SELECT_ONE[] =
        "SELECT c.id, c.entity_id, c.entity_type, c.status, c.created_at, c.modified_at,"
        " c.cancellation_date, c.version,"
        " (SELECT GROUP_CONCAT(d.name ORDER BY d.name SEPARATOR '\\n')"
        "  FROM customer_labels l JOIN partner_labels d ON d.label_id = l.label_id"
        "  WHERE l.customer_id = c.id)"
        " FROM customers c WHERE c.id = ? AND c.partner_id = ?";

struct options {
	const char *listen;
	const char *db_socket;
	const char *db_user;
	const char *db_name;
	unsigned workers;
	unsigned partner_id;
};

/* One result row, bound once to the prepared statement. */
struct row {
	unsigned char id[16], entity_id[16];
	char entity_type[32], status[32];
	MYSQL_TIME created, modified, cancelled;
	unsigned version;
	char labels[LABELS_MAX];
	unsigned long type_len, status_len, labels_len;
	my_bool cancelled_null, labels_null;
};

struct responder {
	MYSQL *db;
	MYSQL_STMT *stmt;
	unsigned char key_id[16];
	unsigned partner_id;
	struct row row;
};

/* A bounded output buffer: going past OUT_MAX marks it failed, never grows. */
struct out {
	char buf[OUT_MAX];
	size_t len;
	int full;
};

static void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, sizeof(o->buf) - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(o->buf) - o->len) {
		o->full = 1;
		return;
	}
	o->len += (size_t)n;
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "floor: %s: %s\n", what, why);
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: floor -l SOCKET -w WORKERS -S DB_SOCKET -u USER -d DATABASE"
	                " -P PARTNER_ID\n");
	exit(2);
}

static unsigned parse_uint(const char *s, unsigned max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v == 0 || v > max)
		usage();
	return (unsigned)v;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	int c;

	while ((c = getopt(argc, argv, "l:w:S:u:d:P:")) != -1) {
		switch (c) {
		case 'l':
			o->listen = optarg;
			break;
		case 'w':
			o->workers = parse_uint(optarg, MAX_WORKERS);
			break;
		case 'S':
			o->db_socket = optarg;
			break;
		case 'u':
			o->db_user = optarg;
			break;
		case 'd':
			o->db_name = optarg;
			break;
		case 'P':
			o->partner_id = parse_uint(optarg, 0xffffffffu);
			break;
		default:
			usage();
		}
	}
	if (!o->listen || !o->workers || !o->db_socket || !o->db_user || !o->db_name ||
	    !o->partner_id)
		usage();
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The canonical 8-4-4-4-12 text at s (exactly 36 characters) into 16 bytes. */
static int uuid_parse(const char *s, size_t len, unsigned char out[16])
{
	size_t i, n = 0;

	if (len != 36)
		return -1;
	for (i = 0; i < 36; i++) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -1;
			continue;
		}
		hi = hex_value(s[i]);
		lo = hex_value(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[n++] = (unsigned char)(hi << 4 | lo);
		i++;
	}
	return 0;
}

static void out_uuid(struct out *o, const unsigned char b[16])
{
	out_printf(o, "\"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\"",
	           b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
	           b[13], b[14], b[15]);
}

static void out_time(struct out *o, const MYSQL_TIME *t)
{
	out_printf(o, "\"%04u-%02u-%02uT%02u:%02u:%02u.%03luZ\"", t->year, t->month, t->day,
	           t->hour, t->minute, t->second, t->second_part / 1000);
}

/* Labels are "\n"-separated; a label has no control characters, so only " and \ need escapes. */
static void out_labels(struct out *o, const struct row *r)
{
	size_t i;

	out_printf(o, "[");
	if (!r->labels_null && r->labels_len > 0) {
		out_printf(o, "\"");
		for (i = 0; i < r->labels_len; i++) {
			char c = r->labels[i];

			if (c == '\n')
				out_printf(o, "\",\"");
			else if (c == '"' || c == '\\')
				out_printf(o, "\\%c", c);
			else
				out_printf(o, "%c", c);
		}
		out_printf(o, "\"");
	}
	out_printf(o, "]");
}

static void out_row(struct out *o, const struct row *r)
{
	out_printf(o, "{\"customerId\":");
	out_uuid(o, r->id);
	out_printf(o, ",\"entityId\":");
	out_uuid(o, r->entity_id);
	out_printf(o, ",\"entityType\":\"%.*s\",\"customerStatus\":\"%.*s\",\"labels\":",
	           (int)r->type_len, r->entity_type, (int)r->status_len, r->status);
	out_labels(o, r);
	out_printf(o, ",\"createdOn\":");
	out_time(o, &r->created);
	out_printf(o, ",\"modifiedOn\":");
	out_time(o, &r->modified);
	out_printf(o, ",\"cancellationDate\":");
	if (r->cancelled_null)
		out_printf(o, "null");
	else
		out_time(o, &r->cancelled);
	out_printf(o, "}");
}

static void bind_result(MYSQL_BIND *b, enum enum_field_types type, void *buf, unsigned long size,
                        unsigned long *len, my_bool *is_null)
{
	b->buffer_type = type;
	b->buffer = buf;
	b->buffer_length = size;
	b->length = len;
	b->is_null = is_null;
}

static void bind_row(struct responder *rs, MYSQL_BIND res[9])
{
	struct row *r = &rs->row;

	memset(res, 0, 9 * sizeof(*res));
	bind_result(&res[0], MYSQL_TYPE_BLOB, r->id, 16, NULL, NULL);
	bind_result(&res[1], MYSQL_TYPE_BLOB, r->entity_id, 16, NULL, NULL);
	bind_result(&res[2], MYSQL_TYPE_STRING, r->entity_type, sizeof(r->entity_type),
	            &r->type_len, NULL);
	bind_result(&res[3], MYSQL_TYPE_STRING, r->status, sizeof(r->status), &r->status_len, NULL);
	bind_result(&res[4], MYSQL_TYPE_DATETIME, &r->created, sizeof(r->created), NULL, NULL);
	bind_result(&res[5], MYSQL_TYPE_DATETIME, &r->modified, sizeof(r->modified), NULL, NULL);
	bind_result(&res[6], MYSQL_TYPE_DATETIME, &r->cancelled, sizeof(r->cancelled), NULL,
	            &r->cancelled_null);
	bind_result(&res[7], MYSQL_TYPE_LONG, &r->version, sizeof(r->version), NULL, NULL);
	res[7].is_unsigned = 1;
	bind_result(&res[8], MYSQL_TYPE_STRING, r->labels, sizeof(r->labels), &r->labels_len,
	            &r->labels_null);
}

static void responder_open(struct responder *rs, const struct options *o)
{
	MYSQL_BIND par[2], res[9];
	const char *pw = getenv("FLOOR_DB_PASSWORD");

	rs->db = mysql_init(NULL);
	if (!rs->db || !mysql_real_connect(rs->db, NULL, o->db_user, pw ? pw : "", o->db_name, 0,
	                                   o->db_socket, 0))
		die("connect", rs->db ? mysql_error(rs->db) : "out of memory");
	rs->stmt = mysql_stmt_init(rs->db);
	if (!rs->stmt || mysql_stmt_prepare(rs->stmt, SELECT_ONE, sizeof(SELECT_ONE) - 1))
		die("prepare", mysql_error(rs->db));
	rs->partner_id = o->partner_id;
	memset(par, 0, sizeof(par));
	par[0].buffer_type = MYSQL_TYPE_BLOB;
	par[0].buffer = rs->key_id;
	par[0].buffer_length = 16;
	par[1].buffer_type = MYSQL_TYPE_LONG;
	par[1].buffer = &rs->partner_id;
	par[1].is_unsigned = 1;
	bind_row(rs, res);
	if (mysql_stmt_bind_param(rs->stmt, par) || mysql_stmt_bind_result(rs->stmt, res))
		die("bind", mysql_stmt_error(rs->stmt));
}

/* 200, 404 or 500: executes the bound statement for rs->key_id. */
static int responder_fetch(struct responder *rs)
{
	int rc;

	if (mysql_stmt_execute(rs->stmt)) {
		fprintf(stderr, "floor: execute: %s\n", mysql_stmt_error(rs->stmt));
		return 500;
	}
	rc = mysql_stmt_fetch(rs->stmt);
	mysql_stmt_free_result(rs->stmt);
	if (rc == MYSQL_NO_DATA)
		return 404;
	return rc == 0 ? 200 : 500;
}

/* The id is the last path segment of REQUEST_URI, before any query string. */
static int request_id(FCGX_Request *req, unsigned char out[16])
{
	const char *uri = FCGX_GetParam("REQUEST_URI", req->envp);
	const char *seg, *end;

	if (!uri)
		return -1;
	end = strchr(uri, '?');
	if (!end)
		end = uri + strlen(uri);
	seg = end;
	while (seg > uri && seg[-1] != '/')
		seg--;
	return uuid_parse(seg, (size_t)(end - seg), out);
}

static void respond(FCGX_Request *req, struct responder *rs)
{
	static struct out o;
	int status = 400;

	o.len = 0;
	o.full = 0;
	if (request_id(req, rs->key_id) == 0)
		status = responder_fetch(rs);
	if (status == 200)
		out_row(&o, &rs->row);
	if (o.full)
		status = 500;
	if (status != 200) {
		FCGX_FPrintF(req->out,
		             "Status: %d\r\nContent-Type: application/json\r\n\r\n"
		             "{\"status\":%d}",
		             status, status);
		return;
	}
	/* libfcgi's own printf knows no %zu */
	FCGX_FPrintF(req->out,
	             "Status: 200 OK\r\nContent-Type: application/json\r\n"
	             "ETag: \"%u\"\r\nContent-Length: %lu\r\n\r\n",
	             rs->row.version, (unsigned long)o.len);
	FCGX_PutStr(o.buf, (int)o.len, req->out);
}

static void worker_run(int listen_fd, const struct options *o)
{
	static struct responder rs;
	FCGX_Request req;

	signal(SIGTERM, SIG_DFL);
	responder_open(&rs, o);
	if (FCGX_InitRequest(&req, listen_fd, 0))
		die("FCGX_InitRequest", "failed");
	while (FCGX_Accept_r(&req) >= 0) {
		respond(&req, &rs);
		FCGX_Finish_r(&req);
	}
	exit(0);
}

static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Waits for SIGTERM/SIGINT or the first worker death, then stops the rest. */
static void supervise(const pid_t *pids, unsigned n, const char *path)
{
	struct sigaction sa = {.sa_handler = on_term};
	unsigned i;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	while (!stopping && wait(NULL) < 0 && errno == EINTR)
		;
	if (!stopping)
		fprintf(stderr, "floor: a worker exited; stopping\n");
	for (i = 0; i < n; i++)
		kill(pids[i], SIGTERM);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	unlink(path);
}

int main(int argc, char **argv)
{
	struct options o = {0};
	pid_t pids[MAX_WORKERS];
	unsigned i;
	int fd;

	parse_options(argc, argv, &o);
	if (FCGX_Init())
		die("FCGX_Init", "failed");
	unlink(o.listen);
	fd = FCGX_OpenSocket(o.listen, 128);
	if (fd < 0)
		die(o.listen, "cannot listen");
	for (i = 0; i < o.workers; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork", strerror(errno));
		if (pids[i] == 0)
			worker_run(fd, &o);
	}
	supervise(pids, o.workers, o.listen);
	return 0;
}
