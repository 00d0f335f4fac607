/*
 * config_rules: the extra rules of string keys (config.c's key table
 * names them) and the `hosts` list of database endpoints, which both the
 * rule and config_db_endpoints parse the same way.  Each rule answers
 * NULL or why a value is refused, in words that never quote the value.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "config.h"
#include "config_rules.h"

/* ---- rules for string keys ---- */

static int char_ok(char c, const char *extra)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr(extra, c));
}

/* 1 if v[0..n) is all [A-Za-z0-9] or characters of extra. */
static int all_chars_in(const char *v, size_t n, const char *extra)
{
	for (size_t i = 0; i < n; i++) {
		if (!char_ok(v[i], extra))
			return 0;
	}
	return 1;
}

const char *check_abs_path(const char *v)
{
	if (*v && *v != '/')
		return "must be an absolute path";
	if (strlen(v) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return "is too long for a unix socket path";
	return NULL;
}

/* "" (the socket libfcgi was started with), a unix socket path, or [host]:port. */
const char *check_listen(const char *v)
{
	const char *colon = strrchr(v, ':');
	char *end;
	unsigned long port;

	if (*v == '\0' || *v == '/')
		return check_abs_path(v);
	if (!colon || colon[1] < '0' || colon[1] > '9')
		return "must be a unix socket path or host:port";
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || port < 1 || port > 65535)
		return "port must be 1..65535";
	if (!all_chars_in(v, (size_t)(colon - v), ".-"))
		return "host must be a name or an IPv4 address";
	return NULL;
}

const char *check_prefix(const char *v)
{
	size_t n = strlen(v);

	if (n == 0)
		return NULL;
	if (v[0] != '/' || v[n - 1] == '/')
		return "must be empty or start with '/' and not end with '/'";
	if (!all_chars_in(v, n, "/._~-") || strstr(v, "//"))
		return "must hold only [A-Za-z0-9/._~-] and no empty segment";
	return NULL;
}

const char *check_jwt_alg(const char *v)
{
	return !strcmp(v, "HS256") || !strcmp(v, "RS256") || !strcmp(v, "ES256")
	               ? NULL
	               : "must be HS256, RS256 or ES256";
}

const char *check_log_target(const char *v)
{
	return !strcmp(v, "stderr") || !strcmp(v, "syslog") ? NULL : "must be stderr or syslog";
}

const char *check_db_name(const char *v)
{
	return all_chars_in(v, strlen(v), "_") ? NULL : "must match [A-Za-z0-9_]+";
}

/* ---- database endpoints ---- */

#define HOSTS_SEP ", \t"

/* One `hosts` entry (len bytes at v): /socket or host[:port]; NULL or why not. */
static const char *parse_endpoint(const char *v, size_t len, unsigned def_port,
                                  struct db_endpoint *ep)
{
	char item[sizeof(ep->host) + 8];
	const char *colon, *bad;
	char *end;
	unsigned long port = def_port;

	memset(ep, 0, sizeof(*ep));
	if (len >= sizeof(item))
		return "has an entry that is too long";
	memcpy(item, v, len);
	item[len] = '\0';
	if (item[0] == '/') {
		bad = check_abs_path(item); /* also: it fits sun_path, hence ep->socket */
		if (!bad)
			memcpy(ep->socket, item, len + 1);
		return bad;
	}
	colon = strchr(item, ':');
	if (colon) {
		errno = 0;
		port = strtoul(colon + 1, &end, 10);
		if (colon[1] < '0' || colon[1] > '9' || errno || *end || port < 1 || port > 65535)
			return "has a port outside 1..65535";
		len = (size_t)(colon - item);
	}
	if (len == 0 || len >= sizeof(ep->host) || !all_chars_in(item, len, ".-"))
		return "entries must be host[:port] (a name or an IPv4 address) or /socket";
	memcpy(ep->host, item, len);
	ep->host[len] = '\0';
	ep->port = (unsigned)port;
	return NULL;
}

/* The entries of v into out (NULL: only check them); the count, or -1 and *why. */
static int parse_hosts(const char *v, unsigned def_port, struct db_endpoint *out, const char **why)
{
	struct db_endpoint scratch;
	int n = 0;

	for (v += strspn(v, HOSTS_SEP); *v; v += strspn(v, HOSTS_SEP)) {
		size_t len = strcspn(v, HOSTS_SEP);

		if (n == CONFIG_DB_ENDPOINTS_MAX) {
			*why = "lists more than 8 servers";
			return -1;
		}
		*why = parse_endpoint(v, len, def_port, out ? &out[n] : &scratch);
		if (*why)
			return -1;
		n++;
		v += len;
	}
	return n;
}

const char *check_hosts(const char *v)
{
	const char *why = NULL;

	return parse_hosts(v, 3306, NULL, &why) < 0 ? why : NULL;
}

unsigned config_db_endpoints(const struct config *cfg, struct db_endpoint *out)
{
	const char *why;
	int n = parse_hosts(cfg->db_hosts, cfg->db_port, out, &why);

	if (n > 0)
		return (unsigned)n;
	/* no list (or, unloaded, a bad one): the single server of host/port/socket */
	memset(out, 0, sizeof(*out));
	snprintf(out->host, sizeof(out->host), "%s", cfg->db_host[0] ? cfg->db_host : "localhost");
	snprintf(out->socket, sizeof(out->socket), "%s", cfg->db_socket);
	out->port = cfg->db_port;
	return 1;
}
