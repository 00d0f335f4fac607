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
	char listen[256]; /* unix socket path (starts with '/') or host:port; "" = stdin socket */
	unsigned workers; /* 1-256, default auto: 4 per core, at most 64 */
	unsigned backlog; /* listen(2) backlog, default 4096 */
	unsigned scan_limit;  /* [list]: candidates a list page may examine, default 10000 */
	unsigned socket_mode; /* octal, default 0660 */
	char prefix[128];     /* mount prefix stripped from the path, e.g. "/api"; "" = none */
	size_t max_body;      /* bytes, default 65536 (contract: 64 KiB) */
	enum log_level log_level;
	char log_target[8]; /* "stderr" (default) or "syslog" (daemon facility, LOG_PID) */

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
	/* Several servers (Galera): "host[:port], /socket, ..."; "" = host/port/socket above */
	char db_hosts[512];
	unsigned db_wsrep_sync_wait; /* Galera session wsrep_sync_wait, 0-15; 0 = left alone */

	/* [auth] */
	char issuer[128];   /* iss put in and required; default "customers-fcgi" */
	char audience[128]; /* aud put in and required when not "" */
	unsigned token_ttl; /* seconds, default 3600 */
	unsigned char jwt_secret[CONFIG_SECRET_MAX]; /* HS256 key, >= 32 bytes */
	size_t jwt_secret_len;
	unsigned char cursor_secret[CONFIG_SECRET_MAX]; /* HMAC key, >= 32 bytes */
	size_t cursor_secret_len;
	char jwt_alg[8];                /* our tokens: "HS256" (default), "RS256" or "ES256" */
	char jwt_private_key_file[256]; /* PEM; RS256/ES256 only (paths: see config_load) */
	/* An external OAuth 2.0 issuer (Cognito, Keycloak): off while jwks_file is "". */
	char jwks_file[256];             /* its JWKS, re-read on SIGHUP */
	char external_issuer[256];       /* its iss, required */
	char external_audience[128];     /* required in aud when not "" */
	char external_scope_prefix[128]; /* stripped from its scopes, e.g. "https://api.example/" */
	char external_client_map_file[256]; /* "external_client_id local_client_id" lines */

	/* [throttle]: failed client authentications at the token endpoint */
	unsigned throttle_window;          /* seconds, default 60 */
	unsigned throttle_client_failures; /* per client id and window, default 10; 0 = off */
	unsigned
	        throttle_address_failures; /* per source address and window, default 100; 0 = off */

	/* [offboarding] (contract §12) */
	unsigned offboarding_notice_months; /* ordinary notice period, 0-24 months, default 2 */
	unsigned offboarding_poll_ms;       /* executor's scan interval, 100-60000, default 1000 */
	/* [events] */
	unsigned events_retention_days; /* how long events are kept (the feed), default 30 */

	/* [webhooks]: delivery (contract §13) */
	unsigned wh_allow_private; /* 1: loopback/private/link-local/CGNAT receivers allowed */
	char wh_ca_file[256];      /* PEM CA bundle for receivers; "" = the system's */
	unsigned wh_time_scale;    /* retry delays and the 5-day cut-off divided by it; 1 */
	unsigned wh_concurrency;   /* deliveries in flight per subscription, default 4 */
};

/* One database server: a unix socket, or host and port. */
struct db_endpoint {
	char host[256];
	unsigned port;
	char socket[108]; /* sun_path; "" = TCP */
};

#define CONFIG_DB_ENDPOINTS_MAX 8

/*
 * The database servers in failover order: the `hosts` list (an entry
 * without a port gets `port`), else the one of host/port/socket.  Writes at
 * most CONFIG_DB_ENDPOINTS_MAX into out and returns how many (>= 1).
 */
unsigned config_db_endpoints(const struct config *cfg, struct db_endpoint *out);

/* Fills cfg with every key's default. */
void config_defaults(struct config *cfg);

/*
 * Loads path over the defaults and validates.  On error returns -1 and
 * writes "FILE:LINE: key 'x': why" into errbuf.  Every *_file path is
 * taken relative to the directory of path (absolute ones as they are) and
 * the path fields hold it absolute, so a later chdir does not move them.
 */
int config_load(const char *path, struct config *cfg, char *errbuf, size_t errlen);

#endif
