/*
 * config: the INI file (libinih) -> struct config, through one key table
 * with type, limits and default per key (redis/lighttpd style).
 *
 * Everything is copied into fixed-size fields, so a struct config owns no
 * heap memory and can be copied or replaced on reload as a whole.  Secrets
 * may come from files (`*_file` keys) and the database password also from
 * the environment (CUSTOMERS_DB_PASSWORD), so they need not sit in the INI.
 * Errors name the file, the line and the key.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>

#define CONFIG_SECRET_MAX 256

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

struct config {
	/* [server] */
	char listen[256];     /* unix socket path (starts with '/') or host:port; "" = stdin socket */
	unsigned workers;     /* 1-256, default 4 */
	unsigned backlog;     /* listen(2) backlog, default 128 */
	unsigned socket_mode; /* octal, default 0660 */
	char prefix[128];     /* mount prefix stripped from the path, e.g. "/api"; "" = none */
	size_t max_body;      /* bytes, default 65536 (contract: 64 KiB) */
	enum log_level log_level;
	char metrics_allow[16]; /* reserved for future use: "loopback" */

	/* [database] */
	char db_host[256];   /* "" or "localhost" with db_socket = unix socket */
	unsigned db_port;    /* default 3306 */
	char db_socket[256]; /* unix socket path, preferred when set */
	char db_user[128];
	char db_password[CONFIG_SECRET_MAX];
	char db_name[64];              /* default "customers" */
	unsigned db_connect_timeout;   /* seconds, default 2 */
	unsigned db_statement_timeout; /* seconds, default 5 (read/write timeout, lock wait) */
	unsigned db_retry_after;       /* seconds for Retry-After on 503, default 1 */

	/* [auth] */
	char issuer[128];   /* iss put in and required; default "customers-fcgi" */
	char audience[128]; /* aud put in and required when not "" */
	unsigned token_ttl; /* seconds, default 3600 */
	unsigned char jwt_secret[CONFIG_SECRET_MAX]; /* HS256 key, >= 32 bytes */
	size_t jwt_secret_len;
	unsigned char cursor_secret[CONFIG_SECRET_MAX]; /* HMAC key, >= 32 bytes */
	size_t cursor_secret_len;
};

/* Fills cfg with every key's default. */
void config_defaults(struct config *cfg);

/*
 * Loads path over the defaults and validates.  On error returns -1 and
 * writes "FILE:LINE: key 'x': why" into errbuf.
 */
int config_load(const char *path, struct config *cfg, char *errbuf, size_t errlen);

#endif
