/*
 * config: libinih feeds name=value pairs to one handler, which looks the
 * key up in a static const table (section, name, type, field offset and
 * size, limits, default as text) and stores the parsed value.  Defaults go
 * through the same setter as the file, so a default can never escape the
 * rules its key enforces.
 *
 * The Debian libinih is built without INI_HANDLER_LINENO, so line numbers
 * come from our own fgets-style reader, which ini_parse_stream calls once
 * per line: when the handler runs, the reader's count is the line of the
 * key.  The reader also refuses lines longer than libinih's buffer, which
 * libinih would otherwise split into two bogus lines.
 *
 * Every *_file key, whether its file is read now (secrets) or opened by
 * the keyring later (keys, the client map), takes its path through
 * resolve_path: relative to the INI file's directory, stored absolute.
 *
 * A file is loaded into a scratch struct and copied out only when all of
 * it is valid, so a failed reload leaves the caller's config untouched.
 * Secrets never appear in error messages; no value does.
 */
#include "config.h"
#include "config_rules.h"
#include "log.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SECRET_MIN 32
#define CONFIG_ERR_MAX 512

enum key_type {
	KEY_STRING, /* NUL-terminated char array */
	KEY_UINT,   /* unsigned, decimal */
	KEY_OCTAL,  /* unsigned, octal (file modes) */
	KEY_SIZE,   /* size_t, decimal with an optional k/m (KiB/MiB) suffix */
	KEY_ENUM,   /* enum log_level by name */
	KEY_SECRET, /* bytes plus a size_t length field at len_off */
	KEY_FILE,   /* path of a file whose contents set the key named in `target` */
	KEY_PATH,   /* path of a file opened later (keys, maps), stored resolved */
};

struct key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t off, size; /* the field; strings and secrets may fill it (strings less the NUL) */
	size_t len_off;   /* KEY_SECRET: the length field */
	unsigned long long min, max; /* numbers: the range; strings and secrets: min length */
	const char *def;             /* NULL: zero / empty */
	const char *target; /* KEY_FILE: the key it fills; a string or secret: its file key */
	const char *(*check)(const char *v);    /* extra rule for strings: NULL or why not */
	unsigned long long (*auto_value)(void); /* numbers: what "auto" means, or NULL */
};

#define FIELD(f) .off = offsetof(struct config, f), .size = sizeof(((struct config *)0)->f)
#define NUM(s, n, t, f, lo, hi, d)                                                                 \
	{                                                                                          \
		.section = s, .name = n, .type = t, FIELD(f), .min = lo, .max = hi, .def = d       \
	}
#define NUM_AUTO(s, n, f, lo, hi, fn)                                                              \
	{                                                                                          \
		.section = s, .name = n, .type = KEY_UINT, FIELD(f), .min = lo, .max = hi,         \
		.def = "auto", .auto_value = fn                                                    \
	}
#define STR(s, n, f, lo, d, chk)                                                                   \
	{                                                                                          \
		.section = s, .name = n, .type = KEY_STRING, FIELD(f), .min = lo, .def = d,        \
		.check = chk                                                                       \
	}
#define STR_OR_FILE(s, n, f, file)                                                                 \
	{                                                                                          \
		.section = s, .name = n, .type = KEY_STRING, FIELD(f), .target = file              \
	}
#define SECRET(s, n, f, file)                                                                      \
	{                                                                                          \
		.section = s, .name = n, .type = KEY_SECRET, FIELD(f),                             \
		.len_off = offsetof(struct config, f##_len), .min = SECRET_MIN, .target = file     \
	}
#define FROM_FILE(s, n, of)                                                                        \
	{                                                                                          \
		.section = s, .name = n, .type = KEY_FILE, .target = of                            \
	}
#define PATH(s, n, f)                                                                              \
	{                                                                                          \
		.section = s, .name = n, .type = KEY_PATH, FIELD(f)                                \
	}

static unsigned long long workers_auto(void);

static const struct key keys[] = {
        STR("server", "listen", listen, 0, NULL, check_listen),
        NUM_AUTO("server", "workers", workers, 1, 256, workers_auto),
        NUM("server", "backlog", KEY_UINT, backlog, 1, 65535, "4096"),
        NUM("server", "socket_mode", KEY_OCTAL, socket_mode, 0, 0777, "0660"),
        STR("server", "prefix", prefix, 0, NULL, check_prefix),
        NUM("server", "max_body", KEY_SIZE, max_body, 1024, 16777216, "65536"),
        NUM("server", "log_level", KEY_ENUM, log_level, 0, 0, "info"),
        STR("server", "log_target", log_target, 1, "stderr", check_log_target),
        STR("database", "host", db_host, 0, NULL, NULL),
        NUM("database", "port", KEY_UINT, db_port, 1, 65535, "3306"),
        STR("database", "socket", db_socket, 0, NULL, check_abs_path),
        STR("database", "user", db_user, 0, NULL, NULL),
        STR_OR_FILE("database", "password", db_password, "password_file"),
        FROM_FILE("database", "password_file", "password"),
        STR("database", "name", db_name, 1, "customers", check_db_name),
        NUM("database", "connect_timeout", KEY_UINT, db_connect_timeout, 1, 60, "2"),
        NUM("database", "statement_timeout", KEY_UINT, db_statement_timeout, 1, 300, "5"),
        NUM("database", "retry_after", KEY_UINT, db_retry_after, 1, 3600, "1"),
        STR("database", "hosts", db_hosts, 0, NULL, check_hosts),
        NUM("database", "wsrep_sync_wait", KEY_UINT, db_wsrep_sync_wait, 0, 15, "0"),
        STR("auth", "issuer", issuer, 1, "customers-fcgi", NULL),
        STR("auth", "audience", audience, 0, NULL, NULL),
        NUM("auth", "token_ttl", KEY_UINT, token_ttl, 60, 86400, "3600"),
        SECRET("auth", "jwt_secret", jwt_secret, "jwt_secret_file"),
        FROM_FILE("auth", "jwt_secret_file", "jwt_secret"),
        SECRET("auth", "cursor_secret", cursor_secret, "cursor_secret_file"),
        FROM_FILE("auth", "cursor_secret_file", "cursor_secret"),
        STR("auth", "jwt_alg", jwt_alg, 1, "HS256", check_jwt_alg),
        PATH("auth", "jwt_private_key_file", jwt_private_key_file),
        PATH("auth", "jwks_file", jwks_file),
        STR("auth", "external_issuer", external_issuer, 0, NULL, NULL),
        STR("auth", "external_audience", external_audience, 0, NULL, NULL),
        STR("auth", "external_scope_prefix", external_scope_prefix, 0, NULL, NULL),
        PATH("auth", "external_client_map_file", external_client_map_file),
        NUM("list", "scan_limit", KEY_UINT, scan_limit, 100, 10000000, "10000"),
        NUM("events", "retention_days", KEY_UINT, events_retention_days, 1, 3650, "30"),
        NUM("throttle", "window", KEY_UINT, throttle_window, 1, 86400, "60"),
        NUM("throttle", "client_failures", KEY_UINT, throttle_client_failures, 0, 1000000, "10"),
        NUM("throttle", "address_failures", KEY_UINT, throttle_address_failures, 0, 1000000, "100"),
        NUM("webhooks", "allow_private_addresses", KEY_UINT, wh_allow_private, 0, 1, "0"),
        PATH("webhooks", "ca_file", wh_ca_file),
        NUM("webhooks", "time_scale", KEY_UINT, wh_time_scale, 1, 1000000, "1"),
        NUM("webhooks", "concurrency", KEY_UINT, wh_concurrency, 1, 64, "4"),
        NUM("offboarding", "notice_months", KEY_UINT, offboarding_notice_months, 0, 24, "2"),
        NUM("offboarding", "poll_ms", KEY_UINT, offboarding_poll_ms, 100, 60000, "1000"),
};

/* Parser state, shared by the line reader and the key handler. */
struct load_ctx {
	const char *path;
	char dir[PATH_MAX]; /* the config file's directory, absolute, ending in '/' */
	FILE *fp;
	int lineno;
	int failed;
	int err_line; /* line of the first error; 0: not about a line */
	char err[CONFIG_ERR_MAX];
	int key_line[ARRAY_SIZE(keys)]; /* where each key was set; 0: not set */
	struct config cfg;
};

static const struct key *key_find(const char *section, const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (!strcmp(keys[i].section, section) && !strcmp(keys[i].name, name))
			return &keys[i];
	}
	return NULL;
}

static int section_known(const char *section)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (!strcmp(keys[i].section, section))
			return 1;
	}
	return 0;
}

/* ---- setters: text -> field, or a reason in *why ---- */

/* Decimal (or octal) digits only: no sign, no space, no empty string. */
static int parse_ull(const char *v, int base, unsigned long long *out, const char **end)
{
	char *e;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	*out = strtoull(v, &e, base);
	*end = e;
	return errno ? -1 : 0;
}

/* A worker spends most of a request waiting for MariaDB, so one per core
 * leaves the cores idle: bench/ measured 8 workers on 2 cores the fastest
 * (docs/operations.md).  4 per online core; at most 64, as each holds two
 * MariaDB connections and the server allows 151 by default (max_connections). */
static unsigned long long workers_auto(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long long n = cores > 0 ? 4ULL * (unsigned long long)cores : 4;

	return n > 64 ? 64 : n;
}

static int parse_number(const struct key *k, const char *v, unsigned long long *out)
{
	const char *end;
	unsigned long long mult = 1;

	if (k->auto_value && strcmp(v, "auto") == 0) {
		*out = k->auto_value();
		return 0;
	}
	if (parse_ull(v, k->type == KEY_OCTAL ? 8 : 10, out, &end))
		return -1;
	if (k->type == KEY_SIZE && (*end == 'k' || *end == 'K'))
		mult = 1024;
	else if (k->type == KEY_SIZE && (*end == 'm' || *end == 'M'))
		mult = 1024 * 1024;
	if (mult > 1)
		end++;
	if (*end || *out > ULLONG_MAX / mult)
		return -1;
	*out *= mult;
	return 0;
}

static int set_number(const struct key *k, struct config *cfg, const char *v, char *why,
                      size_t whylen)
{
	unsigned long long n;
	char *field = (char *)cfg + k->off;

	if (parse_number(k, v, &n) || n < k->min || n > k->max) {
		snprintf(why, whylen,
		         k->type == KEY_OCTAL ? "must be %#llo..%#llo (octal)"
		         : k->auto_value      ? "must be %llu..%llu or auto"
		                              : "must be %llu..%llu",
		         k->min, k->max);
		return -1;
	}
	if (k->type == KEY_SIZE) {
		size_t s = (size_t)n;
		memcpy(field, &s, sizeof(s));
	} else {
		unsigned u = (unsigned)n;
		memcpy(field, &u, sizeof(u));
	}
	return 0;
}

static int set_enum(const struct key *k, struct config *cfg, const char *v, char *why,
                    size_t whylen)
{
	for (enum log_level lvl = LOG_LVL_ERROR; log_level_name(lvl); lvl++) {
		if (!strcasecmp(v, log_level_name(lvl))) {
			memcpy((char *)cfg + k->off, &lvl, sizeof(lvl));
			return 0;
		}
	}
	snprintf(why, whylen, "must be one of error, warn, info, debug");
	return -1;
}

/* Strings and secrets: len bytes of v (a file's contents may hold any byte). */
static int set_bytes(const struct key *k, struct config *cfg, const char *v, size_t len, char *why,
                     size_t whylen)
{
	char *field = (char *)cfg + k->off;
	size_t max = k->type == KEY_SECRET ? k->size : k->size - 1;
	const char *bad;

	if (len < k->min || len > max) {
		snprintf(why, whylen, "must be %llu..%zu bytes long", k->min, max);
		return -1;
	}
	if (k->type == KEY_SECRET) {
		memcpy(field, v, len);
		memcpy((char *)cfg + k->len_off, &len, sizeof(len));
		return 0;
	}
	if (memchr(v, '\0', len)) {
		snprintf(why, whylen, "must not contain a NUL byte");
		return -1;
	}
	memcpy(field, v, len);
	field[len] = '\0';
	bad = k->check ? k->check(field) : NULL;
	if (bad) {
		snprintf(why, whylen, "%s", bad);
		return -1;
	}
	return 0;
}

static int set_value(const struct key *k, struct config *cfg, const char *v, size_t len, char *why,
                     size_t whylen)
{
	switch (k->type) {
	case KEY_UINT:
	case KEY_OCTAL:
	case KEY_SIZE:
		return set_number(k, cfg, v, why, whylen);
	case KEY_ENUM:
		return set_enum(k, cfg, v, why, whylen);
	case KEY_STRING:
	case KEY_SECRET:
	case KEY_PATH:
		return set_bytes(k, cfg, v, len, why, whylen);
	case KEY_FILE:
		break;
	}
	snprintf(why, whylen, "cannot be set here");
	return -1;
}

void config_defaults(struct config *cfg)
{
	char why[128];

	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		/* The table's defaults are constants checked by test_config. */
		if (keys[i].def)
			(void)set_value(&keys[i], cfg, keys[i].def, strlen(keys[i].def), why,
			                sizeof(why));
	}
}

/* ---- loading ---- */

static void ctx_fail(struct load_ctx *ctx, int line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Keeps the first error as "path:line: why" ("path: why" for line 0). */
static void ctx_fail(struct load_ctx *ctx, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ctx->failed)
		return;
	ctx->failed = 1;
	ctx->err_line = line;
	if (line > 0)
		n = snprintf(ctx->err, sizeof(ctx->err), "%s:%d: ", ctx->path, line);
	else
		n = snprintf(ctx->err, sizeof(ctx->err), "%s: ", ctx->path);
	if (n < 0 || (size_t)n >= sizeof(ctx->err))
		return;
	va_start(ap, fmt);
	vsnprintf(ctx->err + n, sizeof(ctx->err) - (size_t)n, fmt, ap);
	va_end(ap);
}

static void key_fail(struct load_ctx *ctx, int line, const char *section, const char *name,
                     const char *why)
{
	ctx_fail(ctx, line, "key '%s' in [%s]: %s", name, section, why);
}

/*
 * The path of every *_file key as it is opened: as given when absolute,
 * else relative to the directory of the INI file.  The key and map files
 * are opened again on every SIGHUP, long after this load, so the result
 * is absolute and does not depend on the working directory then.  0, or
 * -1 with a reason in why.
 */
static int resolve_path(const struct load_ctx *ctx, const char *path, char *out, size_t cap,
                        char *why, size_t whylen)
{
	int n = snprintf(out, cap, "%s%s", path[0] == '/' ? "" : ctx->dir, path);

	if (n < 0 || (size_t)n >= cap) {
		snprintf(why, whylen, "path too long");
		return -1;
	}
	return 0;
}

/*
 * Reads the secret file at path (see resolve_path) into buf, dropping one
 * trailing "\n" or "\r\n".  Returns the length or -1 with a reason in why.
 */
static long read_secret_file(const struct load_ctx *ctx, const char *path, char *buf, size_t bufsz,
                             char *why, size_t whylen)
{
	char full[PATH_MAX];
	FILE *fp;
	size_t n;
	int too_big;

	if (resolve_path(ctx, path, full, sizeof(full), why, whylen) < 0)
		return -1;
	fp = fopen(full, "re");
	if (!fp) {
		snprintf(why, whylen, "%s: %s", full, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, bufsz, fp);
	too_big = n == bufsz;
	if (ferror(fp) || too_big) {
		snprintf(why, whylen, "%s: %s", full, too_big ? "file too large" : "read error");
		fclose(fp);
		return -1;
	}
	fclose(fp);
	if (n > 0 && buf[n - 1] == '\n') {
		n--;
		if (n > 0 && buf[n - 1] == '\r')
			n--;
	}
	return (long)n;
}

static int set_from_file(struct load_ctx *ctx, const struct key *k, const char *path)
{
	/* Room for the largest secret, a CR LF, and one byte to detect "too large". */
	char buf[CONFIG_SECRET_MAX + 3];
	char why[CONFIG_ERR_MAX];
	const struct key *target = key_find(k->section, k->target);
	long n;
	int rc = -1;

	if (*path == '\0') {
		key_fail(ctx, ctx->lineno, k->section, k->name, "must not be empty");
		return -1;
	}
	n = read_secret_file(ctx, path, buf, sizeof(buf), why, sizeof(why));
	if (n >= 0)
		rc = set_value(target, &ctx->cfg, buf, (size_t)n, why, sizeof(why));
	if (rc)
		key_fail(ctx, ctx->lineno, k->section, k->name, why);
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

/* A KEY_PATH key: "" stays "" (the feature is off), anything else is resolved. */
static int set_path(struct load_ctx *ctx, const struct key *k, const char *path)
{
	char full[PATH_MAX] = "", why[CONFIG_ERR_MAX];
	int rc = *path ? resolve_path(ctx, path, full, sizeof(full), why, sizeof(why)) : 0;
	size_t len = strlen(full);

	/* set_bytes would blame the value for what the directory added */
	if (rc == 0 && len >= k->size) {
		snprintf(why, sizeof(why), "is %zu bytes long resolved, more than %zu", len,
		         k->size - 1);
		rc = -1;
	}
	if (rc == 0)
		rc = set_value(k, &ctx->cfg, full, len, why, sizeof(why));
	if (rc)
		key_fail(ctx, ctx->lineno, k->section, k->name, why);
	return rc;
}

/* libinih's handler: 1 to go on, 0 to record an error at this line. */
static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *ctx = user;
	const struct key *k = key_find(section, name);
	char why[CONFIG_ERR_MAX];
	size_t idx;

	if (!k) {
		key_fail(ctx, ctx->lineno, section, name,
		         section_known(section) ? "unknown key" : "unknown section");
		return 0;
	}
	idx = (size_t)(k - keys);
	if (ctx->key_line[idx]) {
		snprintf(why, sizeof(why), "set twice (first at line %d)", ctx->key_line[idx]);
		key_fail(ctx, ctx->lineno, section, name, why);
		return 0;
	}
	ctx->key_line[idx] = ctx->lineno;
	if (k->type == KEY_FILE)
		return set_from_file(ctx, k, value) == 0;
	if (k->type == KEY_PATH)
		return set_path(ctx, k, value) == 0;
	if (set_value(k, &ctx->cfg, value, strlen(value), why, sizeof(why))) {
		key_fail(ctx, ctx->lineno, section, name, why);
		return 0;
	}
	return 1;
}

/* libinih's reader: one line per call, so ctx->lineno is the handler's line. */
static char *read_line(char *str, int num, void *stream)
{
	struct load_ctx *ctx = stream;
	size_t n;

	if (!fgets(str, num, ctx->fp))
		return NULL;
	ctx->lineno++;
	n = strlen(str);
	if (n > 0 && str[n - 1] != '\n' && !feof(ctx->fp)) {
		ctx_fail(ctx, ctx->lineno, "line longer than %d bytes", num - 2);
		return NULL;
	}
	return str;
}

/* A value and its *_file twin are exclusive; the later line is the error. */
static void check_exclusive(struct load_ctx *ctx)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const struct key *k = &keys[i];
		const struct key *f = k->target ? key_find(k->section, k->target) : NULL;
		int kl = ctx->key_line[i];
		int fl = f ? ctx->key_line[f - keys] : 0;
		const struct key *later = kl > fl ? k : f;

		if (k->type == KEY_FILE || !kl || !fl)
			continue;
		ctx_fail(ctx, kl > fl ? kl : fl, "key '%s' in [%s]: conflicts with '%s' at line %d",
		         later->name, k->section, (later == k ? f : k)->name, kl > fl ? fl : kl);
	}
}

static void check_required_secret(struct load_ctx *ctx, const char *name, size_t len)
{
	const struct key *k = key_find("auth", name);

	if (len == 0)
		ctx_fail(ctx, 0, "key '%s' in [auth]: required (or %s)", name, k->target);
}

/* HS256 needs the shared secret, RS256/ES256 a private key. */
static void check_signing(struct load_ctx *ctx)
{
	if (!strcmp(ctx->cfg.jwt_alg, "HS256"))
		check_required_secret(ctx, "jwt_secret", ctx->cfg.jwt_secret_len);
	else if (!ctx->cfg.jwt_private_key_file[0])
		ctx_fail(ctx, 0, "key 'jwt_private_key_file' in [auth]: required with jwt_alg = %s",
		         ctx->cfg.jwt_alg);
}

/* An external issuer needs its iss and the client map as much as its keys. */
static void check_external(struct load_ctx *ctx)
{
	const struct config *c = &ctx->cfg;
	int any = c->jwks_file[0] || c->external_issuer[0] || c->external_client_map_file[0];

	if (any && !(c->jwks_file[0] && c->external_issuer[0] && c->external_client_map_file[0]))
		ctx_fail(ctx, 0,
		         "keys 'jwks_file', 'external_issuer' and 'external_client_map_file' "
		         "in [auth]: set all three or none");
}

static void apply_env(struct load_ctx *ctx)
{
	const char *pw = getenv("CUSTOMERS_DB_PASSWORD");
	char why[CONFIG_ERR_MAX];

	if (!pw || !*pw)
		return;
	if (set_value(key_find("database", "password"), &ctx->cfg, pw, strlen(pw), why,
	              sizeof(why)))
		ctx_fail(ctx, 0, "environment CUSTOMERS_DB_PASSWORD: %s", why);
}

/* ctx->dir: the absolute directory of path, with a trailing '/'; NULL or why not. */
static const char *set_dir(struct load_ctx *ctx, const char *path)
{
	const char *slash = strrchr(path, '/');
	int n = slash ? (int)(slash - path) + 1 : 0;
	char cwd[PATH_MAX];
	int len;

	if (path[0] == '/') {
		len = snprintf(ctx->dir, sizeof(ctx->dir), "%.*s", n, path);
	} else {
		if (!getcwd(cwd, sizeof(cwd)))
			return strerror(errno);
		len = snprintf(ctx->dir, sizeof(ctx->dir), "%s%s%.*s", cwd,
		               strcmp(cwd, "/") ? "/" : "", n, path);
	}
	return len < 0 || (size_t)len >= sizeof(ctx->dir) ? "path too long" : NULL;
}

static void parse_file(struct load_ctx *ctx)
{
	int rc;

	ctx->fp = fopen(ctx->path, "re");
	if (!ctx->fp) {
		ctx_fail(ctx, 0, "%s", strerror(errno));
		return;
	}
	rc = ini_parse_stream(read_line, ctx, on_key, ctx);
	if (ferror(ctx->fp))
		ctx_fail(ctx, 0, "read error");
	fclose(ctx->fp);
	ctx->fp = NULL;
	if (rc == -2)
		ctx_fail(ctx, 0, "out of memory");
	/* rc is the first bad line: ours, or one libinih could not parse. */
	if (rc > 0 && (!ctx->failed || rc < ctx->err_line)) {
		ctx->failed = 0;
		ctx_fail(ctx, rc, "syntax error: expected [section] or name = value");
	}
}

int config_load(const char *path, struct config *cfg, char *errbuf, size_t errlen)
{
	struct load_ctx ctx;
	const char *why;
	int rc = -1;

	memset(&ctx, 0, sizeof(ctx));
	ctx.path = path;
	config_defaults(&ctx.cfg);
	why = set_dir(&ctx, path);
	if (why)
		ctx_fail(&ctx, 0, "%s", why);
	else
		parse_file(&ctx);
	if (!ctx.failed) {
		check_exclusive(&ctx);
		apply_env(&ctx);
		check_signing(&ctx);
		check_external(&ctx);
		check_required_secret(&ctx, "cursor_secret", ctx.cfg.cursor_secret_len);
	}
	if (ctx.failed) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "%s", ctx.err);
	} else {
		*cfg = ctx.cfg;
		rc = 0;
	}
	OPENSSL_cleanse(&ctx.cfg, sizeof(ctx.cfg));
	return rc;
}
