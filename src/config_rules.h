/*
 * config_rules: checks of string values for config.c's key table; each
 * returns NULL when v is acceptable, else a static reason.  Private to
 * config.c (the public surface is config.h).
 */
#ifndef CONFIG_RULES_H
#define CONFIG_RULES_H

const char *check_listen(const char *v);     /* unix:/path or host:port */
const char *check_abs_path(const char *v);   /* an absolute path */
const char *check_prefix(const char *v);     /* "" or /segments, no empty segment */
const char *check_db_name(const char *v);    /* a plain database name */
const char *check_log_target(const char *v); /* stderr or syslog */
const char *check_hosts(const char *v);      /* endpoint list: /socket or host[:port], ... */
const char *check_jwt_alg(const char *v);    /* HS256, RS256 or ES256 */

#endif
