/*
 * test_config: defaults, every key at and past its limits, the file:line
 * errors, secret files (relative paths, newline stripping, sizes), the
 * paths of the key and map files (relative to the INI file, like the
 * secret files) and the environment override.  Each case writes its INI file into a private
 * temporary directory.
 */
#include <ftw.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * By path: automake's default -I. would otherwise find the config.h that
 * configure writes before src/config.h.
 */
#include "../../src/config.h"
#include "tap.h"

#define S32 "0123456789abcdef0123456789abcdef"
#define SECRETS "[auth]\njwt_secret = " S32 "\ncursor_secret = " S32 "\n"

static char tmpdir[PATH_MAX];
static char conf_path[PATH_MAX + 16];
static char err[1024];

static void write_file(const char *name, const char *data, size_t len)
{
	char path[PATH_MAX + 64];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	if (!fp || fwrite(data, 1, len, fp) != len) {
		perror(path);
		exit(99);
	}
	fclose(fp);
}

/* Writes text as t.conf and loads it; err gets the message. */
static int load(const char *text, struct config *cfg)
{
	err[0] = '\0';
	write_file("t.conf", text, strlen(text));
	return config_load(conf_path, cfg, err, sizeof(err));
}

/* The expected error with the temporary path in front. */
static const char *at(const char *rest)
{
	static char buf[PATH_MAX + 256];

	snprintf(buf, sizeof(buf), "%s%s", conf_path, rest);
	return buf;
}

/* What workers = auto should be here, from the core count the test sees. */
static int workers_auto_want(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	long n = cores > 0 ? 4 * cores : 4;

	return (int)(n > 64 ? 64 : n);
}

static void test_defaults(void)
{
	struct config c;

	config_defaults(&c);
	is_str(c.listen, "", "default listen");
	is_int(c.workers, workers_auto_want(), "default workers: auto, 4 per core");
	is_int(c.backlog, 4096, "default backlog");
	is_int(c.socket_mode, 0660, "default socket_mode");
	is_str(c.prefix, "", "default prefix");
	is_int(c.max_body, 65536, "default max_body");
	is_int(c.log_level, LOG_LVL_INFO, "default log_level");
	is_str(c.db_host, "", "default host");
	is_int(c.db_port, 3306, "default port");
	is_str(c.db_socket, "", "default socket");
	is_str(c.db_user, "", "default user");
	is_str(c.db_password, "", "default password");
	is_str(c.db_name, "customers", "default name");
	is_int(c.db_connect_timeout, 2, "default connect_timeout");
	is_int(c.db_statement_timeout, 5, "default statement_timeout");
	is_int(c.db_retry_after, 1, "default retry_after");
	is_str(c.issuer, "customers-fcgi", "default issuer");
	is_str(c.audience, "", "default audience");
	is_int(c.token_ttl, 3600, "default token_ttl");
	is_int(c.events_retention_days, 30, "default events retention_days");
	is_int(c.jwt_secret_len, 0, "default jwt_secret_len");
	is_int(c.cursor_secret_len, 0, "default cursor_secret_len");
	is_int(c.wh_allow_private, 0, "default allow_private_addresses: off");
	is_str(c.wh_ca_file, "", "default ca_file: the system's");
	is_int(c.wh_time_scale, 1, "default time_scale: real time");
	is_int(c.wh_concurrency, 4, "default concurrency");
	is_int(c.offboarding_notice_months, 2, "default notice_months: two calendar months");
	is_int(c.offboarding_poll_ms, 1000, "default poll_ms");
}

static void test_minimal(void)
{
	struct config c, d;

	config_defaults(&d);
	is_int(load(SECRETS, &c), 0, "minimal file loads");
	is_str(err, "", "no error text");
	is_int(c.workers, d.workers, "minimal: workers default");
	is_str(c.db_name, "customers", "minimal: name default");
	is_int(c.jwt_secret_len, 32, "minimal: jwt_secret_len");
	ok(!memcmp(c.jwt_secret, S32, 32), "minimal: jwt_secret bytes");
	is_int(c.cursor_secret_len, 32, "minimal: cursor_secret_len");
}

enum kind { K_UINT, K_SIZE, K_ENUM, K_STR, K_FAIL };

#define F(f) offsetof(struct config, f)

static const struct value_case {
	int line;
	const char *section, *key, *value;
	enum kind kind; /* K_FAIL: must be refused */
	size_t off;
	unsigned long long want; /* numbers */
	const char *want_str;    /* strings; NULL: the value itself */
} value_cases[] = {
        {__LINE__, "server", "workers", "1", K_UINT, F(workers), 1, NULL},
        {__LINE__, "offboarding", "notice_months", "0", K_UINT, F(offboarding_notice_months), 0,
         NULL},
        {__LINE__, "offboarding", "notice_months", "24", K_UINT, F(offboarding_notice_months), 24,
         NULL},
        {__LINE__, "offboarding", "notice_months", "25", K_FAIL, 0, 0, NULL},
        {__LINE__, "offboarding", "notice_months", "-1", K_FAIL, 0, 0, NULL},
        {__LINE__, "offboarding", "poll_ms", "100", K_UINT, F(offboarding_poll_ms), 100, NULL},
        {__LINE__, "offboarding", "poll_ms", "99", K_FAIL, 0, 0, NULL},
        {__LINE__, "offboarding", "poll_ms", "60001", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "workers", "AUTO", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "workers", "auto2", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "workers", "256", K_UINT, F(workers), 256, NULL},
        {__LINE__, "server", "workers", "0", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "workers", "257", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "workers", "-1", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "workers", "+4", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "workers", "4x", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "workers", "0x10", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "workers", "", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "workers", "99999999999999999999999", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "backlog", "1", K_UINT, F(backlog), 1, NULL},
        {__LINE__, "server", "backlog", "65535", K_UINT, F(backlog), 65535, NULL},
        {__LINE__, "server", "backlog", "0", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "backlog", "65536", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "socket_mode", "0600", K_UINT, F(socket_mode), 0600, NULL},
        {__LINE__, "server", "socket_mode", "777", K_UINT, F(socket_mode), 0777, NULL},
        {__LINE__, "server", "socket_mode", "0", K_UINT, F(socket_mode), 0, NULL},
        {__LINE__, "server", "socket_mode", "1000", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "socket_mode", "0668", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "socket_mode", "0o660", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "max_body", "1024", K_SIZE, F(max_body), 1024, NULL},
        {__LINE__, "server", "max_body", "1023", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "max_body", "16777216", K_SIZE, F(max_body), 16777216, NULL},
        {__LINE__, "server", "max_body", "16777217", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "max_body", "64k", K_SIZE, F(max_body), 65536, NULL},
        {__LINE__, "server", "max_body", "1K", K_SIZE, F(max_body), 1024, NULL},
        {__LINE__, "server", "max_body", "16M", K_SIZE, F(max_body), 16777216, NULL},
        {__LINE__, "server", "max_body", "17m", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "max_body", "64kb", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "max_body", "18014398509481984k", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "log_level", "error", K_ENUM, F(log_level), LOG_LVL_ERROR, NULL},
        {__LINE__, "server", "log_level", "warn", K_ENUM, F(log_level), LOG_LVL_WARN, NULL},
        {__LINE__, "server", "log_level", "info", K_ENUM, F(log_level), LOG_LVL_INFO, NULL},
        {__LINE__, "server", "log_level", "DEBUG", K_ENUM, F(log_level), LOG_LVL_DEBUG, NULL},
        {__LINE__, "server", "log_level", "verbose", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "log_level", "", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "listen", "/run/customers/fcgi.sock", K_STR, F(listen), 0, NULL},
        {__LINE__, "server", "listen", "127.0.0.1:9000", K_STR, F(listen), 0, NULL},
        {__LINE__, "server", "listen", ":9000", K_STR, F(listen), 0, NULL},
        {__LINE__, "server", "listen", "localhost:65535", K_STR, F(listen), 0, NULL},
        {__LINE__, "server", "listen", "localhost:0", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "listen", "localhost:65536", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "listen", "localhost:9000x", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "listen", "localhost", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "listen", "run/fcgi.sock", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "listen", "ho st:9000", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "listen",
         "/run/"
         "01234567890123456789012345678901234567890123456789012345678901234567890123456789012345678"
         "90123456789.sock",
         K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "prefix", "/api", K_STR, F(prefix), 0, NULL},
        {__LINE__, "server", "prefix", "/api/v1.0", K_STR, F(prefix), 0, NULL},
        {__LINE__, "server", "prefix", "api", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "prefix", "/api/", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "prefix", "/", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "prefix", "/a//b", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "prefix", "/a b", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "prefix", "/a?b", K_FAIL, 0, 0, NULL},
        {__LINE__, "database", "host", "db.example.com", K_STR, F(db_host), 0, NULL},
        {__LINE__, "database", "port", "1", K_UINT, F(db_port), 1, NULL},
        {__LINE__, "database", "port", "65535", K_UINT, F(db_port), 65535, NULL},
        {__LINE__, "database", "port", "0", K_FAIL, 0, 0, NULL},
        {__LINE__, "database", "port", "65536", K_FAIL, 0, 0, NULL},
        {__LINE__, "database", "socket", "/run/mysqld/mysqld.sock", K_STR, F(db_socket), 0, NULL},
        {__LINE__, "database", "socket", "mysqld.sock", K_FAIL, 0, 0, NULL},
        {__LINE__, "database", "user", "customers", K_STR, F(db_user), 0, NULL},
        {__LINE__, "database", "password", "p@ss w=rd", K_STR, F(db_password), 0, NULL},
        {__LINE__, "database", "name", "cust_2", K_STR, F(db_name), 0, NULL},
        {__LINE__, "database", "name",
         "c23456789012345678901234567890123456789012345678901234567890123", K_STR, F(db_name), 0,
         NULL},
        {__LINE__, "database", "name",
         "c234567890123456789012345678901234567890123456789012345678901234", K_FAIL, 0, 0, NULL},
        {__LINE__, "database", "name", "cust-2", K_FAIL, 0, 0, NULL},
        {__LINE__, "database", "name", "", K_FAIL, 0, 0, NULL},
        {__LINE__, "database", "connect_timeout", "1", K_UINT, F(db_connect_timeout), 1, NULL},
        {__LINE__, "database", "connect_timeout", "60", K_UINT, F(db_connect_timeout), 60, NULL},
        {__LINE__, "database", "connect_timeout", "0", K_FAIL, 0, 0, NULL},
        {__LINE__, "database", "connect_timeout", "61", K_FAIL, 0, 0, NULL},
        {__LINE__, "database", "statement_timeout", "1", K_UINT, F(db_statement_timeout), 1, NULL},
        {__LINE__, "database", "statement_timeout", "300", K_UINT, F(db_statement_timeout), 300,
         NULL},
        {__LINE__, "database", "statement_timeout", "0", K_FAIL, 0, 0, NULL},
        {__LINE__, "database", "statement_timeout", "301", K_FAIL, 0, 0, NULL},
        {__LINE__, "database", "retry_after", "1", K_UINT, F(db_retry_after), 1, NULL},
        {__LINE__, "database", "retry_after", "3600", K_UINT, F(db_retry_after), 3600, NULL},
        {__LINE__, "database", "retry_after", "0", K_FAIL, 0, 0, NULL},
        {__LINE__, "database", "retry_after", "3601", K_FAIL, 0, 0, NULL},
        {__LINE__, "auth", "issuer", "https://auth.example.com", K_STR, F(issuer), 0, NULL},
        {__LINE__, "auth", "issuer", "", K_FAIL, 0, 0, NULL},
        {__LINE__, "auth", "audience", "partner-api", K_STR, F(audience), 0, NULL},
        {__LINE__, "auth", "audience", "", K_STR, F(audience), 0, NULL},
        {__LINE__, "auth", "token_ttl", "60", K_UINT, F(token_ttl), 60, NULL},
        {__LINE__, "auth", "token_ttl", "86400", K_UINT, F(token_ttl), 86400, NULL},
        {__LINE__, "auth", "token_ttl", "59", K_FAIL, 0, 0, NULL},
        {__LINE__, "auth", "token_ttl", "86401", K_FAIL, 0, 0, NULL},
        {__LINE__, "events", "retention_days", "1", K_UINT, F(events_retention_days), 1, NULL},
        {__LINE__, "events", "retention_days", "3650", K_UINT, F(events_retention_days), 3650,
         NULL},
        {__LINE__, "events", "retention_days", "0", K_FAIL, 0, 0, NULL},
        {__LINE__, "events", "retention_days", "3651", K_FAIL, 0, 0, NULL},
        {__LINE__, "events", "retention_days", "30d", K_FAIL, 0, 0, NULL},
        {__LINE__, "server", "workers", "8 ; inline comment", K_UINT, F(workers), 8, NULL},
        {__LINE__, "webhooks", "allow_private_addresses", "1", K_UINT, F(wh_allow_private), 1,
         NULL},
        {__LINE__, "webhooks", "allow_private_addresses", "2", K_FAIL, 0, 0, NULL},
        {__LINE__, "webhooks", "ca_file", "/etc/ssl/private-ca.pem", K_STR, F(wh_ca_file), 0, NULL},
        {__LINE__, "webhooks", "time_scale", "1000", K_UINT, F(wh_time_scale), 1000, NULL},
        {__LINE__, "webhooks", "time_scale", "0", K_FAIL, 0, 0, NULL},
        {__LINE__, "webhooks", "time_scale", "1000001", K_FAIL, 0, 0, NULL},
        {__LINE__, "webhooks", "concurrency", "64", K_UINT, F(wh_concurrency), 64, NULL},
        {__LINE__, "webhooks", "concurrency", "0", K_FAIL, 0, 0, NULL},
};

static void check_value(const struct value_case *c, const struct config *cfg, const char *name)
{
	const char *field = (const char *)cfg + c->off;
	unsigned u;
	size_t s;
	enum log_level lvl;

	switch (c->kind) {
	case K_UINT:
		memcpy(&u, field, sizeof(u));
		is_int(u, c->want, name);
		break;
	case K_SIZE:
		memcpy(&s, field, sizeof(s));
		is_int(s, c->want, name);
		break;
	case K_ENUM:
		memcpy(&lvl, field, sizeof(lvl));
		is_int(lvl, c->want, name);
		break;
	case K_STR:
		is_str(field, c->want_str ? c->want_str : c->value, name);
		break;
	case K_FAIL:
		break;
	}
}

static void test_values(void)
{
	for (size_t i = 0; i < sizeof(value_cases) / sizeof(value_cases[0]); i++) {
		const struct value_case *c = &value_cases[i];
		char text[1024], name[256], want_err[160];
		struct config cfg;
		int rc;

		/* The key sits on line 2 of every file. */
		snprintf(text, sizeof(text), "[%s]\n%s = %s\n%s", c->section, c->key, c->value,
		         SECRETS);
		rc = load(text, &cfg);
		snprintf(name, sizeof(name), "%s.%s = \"%.40s\" (line %d)", c->section, c->key,
		         c->value, c->line);
		is_int(rc, c->kind == K_FAIL ? -1 : 0, name);
		if (c->kind != K_FAIL) {
			check_value(c, &cfg, name);
			continue;
		}
		snprintf(want_err, sizeof(want_err), ":2: key '%s' in [%s]: ", c->key, c->section);
		ok(!strncmp(err, at(want_err), strlen(at(want_err))), name);
		if (strncmp(err, at(want_err), strlen(at(want_err))))
			printf("#   error was \"%s\"\n", err);
	}
}

static void test_messages(void)
{
	static const struct {
		int line;
		const char *text, *want; /* want follows the path */
	} cases[] = {
	        {__LINE__, "[server]\nworkers = 0\n" SECRETS,
	         ":2: key 'workers' in [server]: must be 1..256 or auto"},
	        {__LINE__, "[server]\nsocket_mode = 1000\n" SECRETS,
	         ":2: key 'socket_mode' in [server]: must be 0..0777 (octal)"},
	        {__LINE__, "[server]\nlog_level = loud\n" SECRETS,
	         ":2: key 'log_level' in [server]: must be one of error, warn, info, debug"},
	        {__LINE__, "; comment\n# comment\n\n[server]\nwrokers = 4\n" SECRETS,
	         ":5: key 'wrokers' in [server]: unknown key"},
	        {__LINE__, SECRETS "[sever]\nworkers = 4\n",
	         ":5: key 'workers' in [sever]: unknown section"},
	        {__LINE__, "workers = 4\n" SECRETS, ":1: key 'workers' in []: unknown section"},
	        {__LINE__, "[server]\nworkers = 4\nworkers = 5\n" SECRETS,
	         ":3: key 'workers' in [server]: set twice (first at line 2)"},
	        {__LINE__, "[server]\nthis is not ini\n" SECRETS,
	         ":2: syntax error: expected [section] or name = value"},
	        {__LINE__, "[server]\nbogus = 1\nworkers = 0\n" SECRETS,
	         ":2: key 'bogus' in [server]: unknown key"},
	        {__LINE__, "[server]\nworkers = 0\nthis is not ini\n" SECRETS,
	         ":2: key 'workers' in [server]: must be 1..256 or auto"},
	        {__LINE__, "[server]\nthis is not ini\nworkers = 0\n" SECRETS,
	         ":2: syntax error: expected [section] or name = value"},
	        {__LINE__, "[auth]\ncursor_secret = " S32 "\n",
	         ": key 'jwt_secret' in [auth]: required (or jwt_secret_file)"},
	        {__LINE__, "[auth]\njwt_secret = " S32 "\n",
	         ": key 'cursor_secret' in [auth]: required (or cursor_secret_file)"},
	        {__LINE__,
	         "[auth]\njwt_secret = 0123456789abcdef0123456789abcde\ncursor_secret = " S32 "\n",
	         ":2: key 'jwt_secret' in [auth]: must be 32..256 bytes long"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config cfg;
		char name[64];

		snprintf(name, sizeof(name), "error message (line %d)", cases[i].line);
		is_int(load(cases[i].text, &cfg), -1, name);
		is_str(err, at(cases[i].want), name);
	}
}

static void test_long_line(void)
{
	char text[1024], value[400];
	struct config cfg;

	memset(value, 'a', 300);
	value[300] = '\0';
	snprintf(text, sizeof(text), "[database]\nhost = %s\n%s", value, SECRETS);
	is_int(load(text, &cfg), -1, "overlong line refused");
	ok(!strncmp(err, at(":2: line longer than "), strlen(at(":2: line longer than "))),
	   "overlong line: error names line 2");
}

/* jwt_secret_file = name, with the file holding data[0..len). */
static int load_secret_file(const char *name, const char *data, size_t len, struct config *cfg)
{
	char text[PATH_MAX + 256];

	write_file(name[0] == '/' ? "abs.key" : name, data, len);
	snprintf(text, sizeof(text), "[auth]\njwt_secret_file = %s\ncursor_secret = " S32 "\n",
	         name);
	return load(text, cfg);
}

static void test_secret_files(void)
{
	char big[300], path[PATH_MAX + 16];
	struct config cfg;

	is_int(load_secret_file("jwt.key", S32 "\n", 33, &cfg), 0, "secret file, newline");
	is_int(cfg.jwt_secret_len, 32, "newline stripped");
	ok(!memcmp(cfg.jwt_secret, S32, 32), "secret file bytes");
	is_int(load_secret_file("jwt.key", S32 "\r\n", 34, &cfg), 0, "secret file, CRLF");
	is_int(cfg.jwt_secret_len, 32, "CRLF stripped");
	is_int(load_secret_file("jwt.key", S32, 32, &cfg), 0, "secret file, no newline");
	is_int(cfg.jwt_secret_len, 32, "no newline: 32 bytes");
	is_int(load_secret_file("jwt.key", S32 "\n\n", 34, &cfg), 0, "two newlines");
	is_int(cfg.jwt_secret_len, 33, "only one newline stripped");
	is_int(load_secret_file("jwt.key",
	                        "0123456789abcdef\0"
	                        "0123456789abcdef",
	                        33, &cfg),
	       0, "binary secret with a NUL byte");
	is_int(cfg.jwt_secret_len, 33, "binary secret length");
	is_int(load_secret_file("jwt.key", "0123456789abcdef0123456789abcde\n", 32, &cfg), -1,
	       "31 bytes after stripping");
	is_str(err, at(":2: key 'jwt_secret_file' in [auth]: must be 32..256 bytes long"),
	       "short secret file: message");
	memset(big, 'k', sizeof(big));
	is_int(load_secret_file("jwt.key", big, 256, &cfg), 0, "256-byte secret file");
	is_int(cfg.jwt_secret_len, 256, "256 bytes kept");
	is_int(load_secret_file("jwt.key", big, 257, &cfg), -1, "257-byte secret file");
	is_int(load_secret_file("jwt.key", big, 300, &cfg), -1, "300-byte secret file");
	snprintf(path, sizeof(path), "%s/keys", tmpdir);
	mkdir(path, 0700);
	is_int(load_secret_file("keys/jwt.key", S32, 32, &cfg), 0,
	       "relative path in a subdirectory");
	snprintf(path, sizeof(path), "%s/abs.key", tmpdir);
	is_int(load_secret_file(path, S32 "\n", 33, &cfg), 0, "absolute path");
	is_int(load("[auth]\njwt_secret_file = missing.key\ncursor_secret = " S32 "\n", &cfg), -1,
	       "missing secret file");
	ok(strstr(err, ":2: key 'jwt_secret_file' in [auth]: ") && strstr(err, "missing.key") &&
	           strstr(err, "No such file"),
	   "missing secret file: message names key, line and file");
	write_file("c.key", S32 "\n", 33);
	is_int(load("[auth]\njwt_secret = " S32 "\ncursor_secret_file = c.key\n", &cfg), 0,
	       "cursor_secret_file");
	is_int(cfg.cursor_secret_len, 32, "cursor secret from file");
	is_int(load("[auth]\ncursor_secret = " S32 "\njwt_secret = " S32
	            "\njwt_secret_file = c.key\n",
	            &cfg),
	       -1, "secret and secret file both set");
	is_str(err,
	       at(":4: key 'jwt_secret_file' in [auth]: conflicts with 'jwt_secret' at line 3"),
	       "conflict message");
	is_int(load("[auth]\njwt_secret_file =\ncursor_secret = " S32 "\n", &cfg), -1,
	       "empty secret file path");
}

static void test_password(void)
{
	struct config cfg;

	write_file("db.pw", "s3cret\n", 7);
	is_int(load("[database]\npassword_file = db.pw\n" SECRETS, &cfg), 0, "password_file");
	is_str(cfg.db_password, "s3cret", "password from file, newline stripped");
	write_file("db.pw", "s3\0cret", 7);
	is_int(load("[database]\npassword_file = db.pw\n" SECRETS, &cfg), -1, "password with NUL");
	is_int(load("[database]\npassword = a\npassword_file = db.pw\n" SECRETS, &cfg), -1,
	       "password and password_file both set");
	setenv("CUSTOMERS_DB_PASSWORD", "from-env", 1);
	is_int(load("[database]\npassword = from-file\n" SECRETS, &cfg), 0, "env password");
	is_str(cfg.db_password, "from-env", "env overrides the file");
	setenv("CUSTOMERS_DB_PASSWORD", "", 1);
	is_int(load("[database]\npassword = from-file\n" SECRETS, &cfg), 0, "empty env password");
	is_str(cfg.db_password, "from-file", "empty env does not override");
	unsetenv("CUSTOMERS_DB_PASSWORD");
	is_int(load("[database]\npassword = from-file\n" SECRETS, &cfg), 0, "no env password");
	is_str(cfg.db_password, "from-file", "file password kept");
}

static void test_workers_auto(void)
{
	struct config cfg;

	is_int(load("[server]\nworkers = auto\n" SECRETS, &cfg), 0, "workers = auto loads");
	is_int(cfg.workers, workers_auto_want(), "workers = auto: 4 per core");
}

static void test_failure_keeps_config(void)
{
	struct config cfg, before;
	char path[PATH_MAX + 32];

	memset(&cfg, 0x5a, sizeof(cfg));
	before = cfg;
	is_int(load("[server]\nworkers = 2\nbacklog = 0\n" SECRETS, &cfg), -1, "failing load");
	ok(!memcmp(&cfg, &before, sizeof(cfg)), "failed load leaves cfg untouched");
	snprintf(path, sizeof(path), "%s/nope.conf", tmpdir);
	is_int(config_load(path, &cfg, err, sizeof(err)), -1, "missing config file");
	ok(strstr(err, "nope.conf: No such file") != NULL, "missing config file: message");
	is_int(config_load(path, &cfg, NULL, 0), -1, "NULL errbuf is allowed");
}

/*
 * Loads rel, a path relative to tmpdir, with tmpdir as the working
 * directory, as a master started there would; here gets that directory as
 * getcwd spells it.  config_load's result, or -2 when chdir failed.
 */
static int load_in_tmpdir(const char *rel, struct config *cfg, char *here, size_t herelen)
{
	char cwd[PATH_MAX];
	int rc;

	if (!getcwd(cwd, sizeof(cwd)) || chdir(tmpdir) || !getcwd(here, herelen))
		return -2;
	err[0] = '\0';
	rc = config_load(rel, cfg, err, sizeof(err));
	if (chdir(cwd))
		ok(0, "chdir back");
	return rc;
}

/* A config path without a directory: secret files are relative to the cwd. */
static void test_relative_config_path(void)
{
	static const char text[] = "[auth]\njwt_secret_file = jwt.key\ncursor_secret = " S32 "\n";
	char here[PATH_MAX];
	struct config cfg;

	write_file("jwt.key", S32, 32);
	write_file("rel.conf", text, strlen(text));
	is_int(load_in_tmpdir("rel.conf", &cfg, here, sizeof(here)), 0, "bare config file name");
	is_str(err, "", "bare config file name: no error");
}

/* Each path key, relative and absolute, resolves against the INI file's directory. */
static void test_path_keys(void)
{
	static const struct {
		int line;
		const char *key, *extra; /* extra: what the key needs beside it */
		size_t off;
	} keys[] = {
	        {__LINE__, "jwt_private_key_file", "jwt_alg = ES256\n",
	         offsetof(struct config, jwt_private_key_file)},
	        {__LINE__, "jwks_file",
	         "external_issuer = https://idp.example\nexternal_client_map_file = /m\n",
	         offsetof(struct config, jwks_file)},
	        {__LINE__, "external_client_map_file",
	         "external_issuer = https://idp.example\njwks_file = /j.json\n",
	         offsetof(struct config, external_client_map_file)},
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char text[512], name[96], want[PATH_MAX + 32];
		struct config cfg;

		snprintf(text, sizeof(text), SECRETS "%s = keys/k.pem\n%s", keys[i].key,
		         keys[i].extra);
		snprintf(name, sizeof(name), "%s relative (line %d)", keys[i].key, keys[i].line);
		is_int(load(text, &cfg), 0, name);
		snprintf(want, sizeof(want), "%s/keys/k.pem", tmpdir);
		is_str((const char *)&cfg + keys[i].off, want, name);
		snprintf(text, sizeof(text), SECRETS "%s = /etc/k.pem\n%s", keys[i].key,
		         keys[i].extra);
		snprintf(name, sizeof(name), "%s absolute (line %d)", keys[i].key, keys[i].line);
		is_int(load(text, &cfg), 0, name);
		is_str((const char *)&cfg + keys[i].off, "/etc/k.pem", name);
	}
}

static void test_path_key_limits(void)
{
	char text[512], value[200], dir[128], conf[PATH_MAX + 160], want[PATH_MAX + 256];
	struct config cfg;

	is_int(load(SECRETS "jwks_file =\n", &cfg), 0, "empty jwks_file: off");
	is_str(cfg.jwks_file, "", "empty jwks_file stays empty");
	/*
	 * A path that fits its 255-byte field and the 198-byte line as given,
	 * but not once the INI file's long directory is put in front.
	 */
	memset(dir, 'd', 100);
	dir[100] = '\0';
	memset(value, 'p', 160);
	value[160] = '\0';
	snprintf(conf, sizeof(conf), "%s/%s", tmpdir, dir);
	mkdir(conf, 0700);
	snprintf(text, sizeof(text),
	         "[auth]\njwt_private_key_file = %s\njwt_alg = RS256\n"
	         "cursor_secret = " S32 "\n",
	         value);
	snprintf(conf, sizeof(conf), "%s/c.conf", dir);
	write_file(conf, text, strlen(text));
	snprintf(conf, sizeof(conf), "%s/%s/c.conf", tmpdir, dir);
	is_int(config_load(conf, &cfg, err, sizeof(err)), -1,
	       "resolved path too long for its field");
	snprintf(want, sizeof(want), "%s:2: key 'jwt_private_key_file' in [auth]: is ", conf);
	ok(!strncmp(err, want, strlen(want)) && strstr(err, "bytes long resolved, more than 255"),
	   "resolved path too long: names key and line");
	if (strncmp(err, want, strlen(want)))
		printf("#   error was \"%s\"\n", err);
}

/*
 * A config path with a relative directory, loaded from elsewhere: a secret
 * file and a key file are found the same way, and the key file's path is
 * kept absolute for the reloads to come.
 */
static void test_relative_config_dir(void)
{
	static const char text[] = "[auth]\njwt_secret_file = s.key\ncursor_secret = " S32
	                           "\njwt_private_key_file = k.pem\n";
	char here[PATH_MAX], want[2 * PATH_MAX];
	struct config cfg;

	snprintf(want, sizeof(want), "%s/sub", tmpdir);
	mkdir(want, 0700);
	write_file("sub/s.key", S32, 32);
	write_file("sub/c.conf", text, strlen(text));
	is_int(load_in_tmpdir("sub/c.conf", &cfg, here, sizeof(here)), 0,
	       "relative config directory: loads");
	is_str(err, "", "relative config directory: no error");
	is_int(cfg.jwt_secret_len, 32, "relative config directory: secret file found");
	snprintf(want, sizeof(want), "%s/sub/k.pem", here);
	is_str(cfg.jwt_private_key_file, want, "relative config directory: key path absolute");
}

static int remove_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_config.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 99;
	}
	snprintf(conf_path, sizeof(conf_path), "%s/t.conf", tmpdir);
	unsetenv("CUSTOMERS_DB_PASSWORD");
	test_defaults();
	test_minimal();
	test_values();
	test_messages();
	test_long_line();
	test_secret_files();
	test_password();
	test_workers_auto();
	test_failure_keeps_config();
	test_relative_config_path();
	test_path_keys();
	test_path_key_limits();
	test_relative_config_dir();
	nftw(tmpdir, remove_cb, 8, FTW_DEPTH | FTW_PHYS);
	return done_testing();
}
