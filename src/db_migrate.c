/*
 * db_migrate: applies sql/NNN-*.sql in version order, each once.
 *
 * The connection is made without a default database, so that a fresh
 * server works: the database is created if missing and then selected.
 * Versions already in schema_migrations are skipped; a file is sent as one
 * multi-statement query (only here is CLIENT_MULTI_STATEMENTS switched on)
 * and recorded after all its statements succeeded.  DDL commits
 * implicitly, so a file that fails halfway is not rolled back: every file
 * must therefore be idempotent (CREATE ... IF NOT EXISTS), and a failed
 * run is simply repeated.  A named server lock keeps two concurrent runs
 * from interleaving.
 */
#include <dirent.h>
#include <errno.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "db_internal.h"
#include "log.h"

#define MIGRATIONS_MAX 256
#define VERSION_MAX 999
#define SCRIPT_MAX (1024 * 1024)
#define NAME_MAX_LEN 255
#define LOCK_NAME "customers-fcgi.migrate"
#define LOCK_WAIT_S 30

static const char SQL_MIGRATIONS_TABLE[] =
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INT UNSIGNED NOT NULL, applied_at DATETIME(3) NOT NULL, PRIMARY KEY (version)"
        ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
static const char SQL_MIGRATIONS_LIST[] = "SELECT version FROM schema_migrations";
static const char SQL_MIGRATION_RECORD[] =
        "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)";
static const char SQL_MIGRATION_LOCK[] = "SELECT GET_LOCK(?, ?)";

struct migration {
	unsigned version;
	char name[NAME_MAX_LEN + 1];
};

/* "NNN-anything.sql" -> NNN; -1 for any other name. */
static long migration_version(const char *name)
{
	size_t len = strlen(name);
	char *end;
	unsigned long v;

	if (len < 8 || strcmp(name + len - 4, ".sql") != 0 || name[3] != '-')
		return -1;
	for (int i = 0; i < 3; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
	}
	errno = 0;
	v = strtoul(name, &end, 10);
	if (errno || end != name + 3 || v > VERSION_MAX)
		return -1;
	return (long)v;
}

static int migration_cmp(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	return x->version < y->version ? -1 : x->version > y->version;
}

/* Fills m with dir's migration files, sorted by version. Count, or -1. */
static int migrations_scan(const char *dir, struct migration *m)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d) {
		log_error("migrate: cannot open %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		long v = migration_version(e->d_name);

		if (v < 0 || strlen(e->d_name) > NAME_MAX_LEN)
			continue;
		if (n == MIGRATIONS_MAX) {
			log_error("migrate: more than %d files in %s", MIGRATIONS_MAX, dir);
			n = -1;
			break;
		}
		m[n].version = (unsigned)v;
		memcpy(m[n].name, e->d_name, strlen(e->d_name) + 1);
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(m, (size_t)n, sizeof(*m), migration_cmp);
	for (int i = 1; i < n; i++) {
		if (m[i].version == m[i - 1].version) {
			log_error("migrate: %s and %s share a version", m[i - 1].name, m[i].name);
			return -1;
		}
	}
	return n;
}

/* Reads dir/name into a malloc'd buffer of *len bytes (caller frees); NULL on error. */
static char *script_read(const char *dir, const char *name, size_t *len)
{
	char path[4096];
	FILE *f;
	char *buf = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f) {
		log_error("migrate: cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(SCRIPT_MAX + 1);
	if (buf)
		*len = fread(buf, 1, SCRIPT_MAX + 1, f);
	if (buf && (ferror(f) || *len > SCRIPT_MAX)) {
		log_error("migrate: cannot read %s (or larger than %d bytes)", path, SCRIPT_MAX);
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Sends a whole script and drains every statement's result. */
static int script_run(struct db *db, const char *sql, size_t len)
{
	MYSQL *m = db->s->conn;
	int status;

	if (mysql_set_server_option(m, MYSQL_OPTION_MULTI_STATEMENTS_ON))
		return db_conn_fail(db, "multi statements on");
	if (mysql_real_query(m, sql, len))
		return db_conn_fail(db, "migration");
	do {
		MYSQL_RES *res = mysql_store_result(m);

		if (res)
			mysql_free_result(res);
		status = mysql_next_result(m);
	} while (status == 0);
	if (status > 0)
		return db_conn_fail(db, "migration");
	if (mysql_set_server_option(m, MYSQL_OPTION_MULTI_STATEMENTS_OFF))
		return db_conn_fail(db, "multi statements off");
	return DB_OK;
}

static int migration_apply(struct db *db, const char *dir, const struct migration *mg)
{
	struct db_params p;
	size_t len = 0;
	char *sql = script_read(dir, mg->name, &len);
	int rc;

	if (!sql)
		return DB_ERROR;
	rc = script_run(db, sql, len);
	free(sql);
	if (rc != DB_OK) {
		log_error("migrate: %s failed; fix it and run migrate again", mg->name);
		return rc;
	}
	db_params_init(&p);
	db_param_u64(&p, mg->version);
	db_param_ms(&p, clock_wall_ms());
	return db_exec(db, SLOT_MIGRATION_RECORD, SQL_MIGRATION_RECORD, &p, NULL);
}

/* Marks every version found in schema_migrations in done[]. */
static int migrations_done(struct db *db, unsigned char done[VERSION_MAX + 1])
{
	MYSQL_STMT *st = NULL;
	struct db_cols c;
	uint64_t v;
	int rc = db_query(db, SQL_MIGRATIONS_TABLE);

	if (rc == DB_OK)
		rc = db_exec(db, SLOT_MIGRATIONS_LIST, SQL_MIGRATIONS_LIST, NULL, &st);
	if (rc != DB_OK)
		return rc;
	db_cols_init(&c);
	db_col_u64(&c, &v);
	rc = db_fetch_begin(db, st, &c);
	while (rc == DB_OK) {
		rc = db_fetch(db, st, &c);
		if (rc == DB_OK && v <= VERSION_MAX)
			done[v] = 1;
	}
	if (db->s->conn)
		db_fetch_end(st);
	return rc == DB_NOT_FOUND ? DB_OK : rc;
}

static int migrate_lock(struct db *db)
{
	struct db_params p;
	struct db_cols c;
	uint64_t got = 0;
	int rc;

	db_params_init(&p);
	db_param_cstr(&p, LOCK_NAME);
	db_param_u64(&p, LOCK_WAIT_S);
	db_cols_init(&c);
	db_col_u64(&c, &got);
	rc = db_exec_one(db, SLOT_MIGRATION_LOCK, SQL_MIGRATION_LOCK, &p, &c);
	if (rc == DB_OK && got != 1) {
		log_error("migrate: another migration holds the lock");
		rc = DB_UNAVAILABLE;
	}
	return rc;
}

/* The name is quoted into SQL text, so it must be a plain identifier. */
static int schema_name_ok(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 64)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$") == len;
}

/* Connects without a default database, creates the configured one and selects it. */
static int migrate_connect(struct db *db)
{
	const char *name = db->cfg->db_name;
	char sql[160];
	int rc;

	if (!schema_name_ok(name)) {
		log_error("migrate: database name '%s' must be 1-64 of [A-Za-z0-9_$]", name);
		return DB_ERROR;
	}
	db_disconnect(db);
	db->no_schema = 1;
	db->no_timeouts = 1; /* for the rest of the handle's life: migrate is all it does */
	db->last_attempt_failed = 0;
	rc = db_connect(db);
	db->no_schema = 0;
	if (rc != DB_OK)
		return rc;
	snprintf(sql, sizeof(sql),
	         "CREATE DATABASE IF NOT EXISTS `%s` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
	         name);
	rc = db_query(db, sql);
	if (rc == DB_OK && mysql_select_db(db->s->conn, name))
		rc = db_conn_fail(db, "select database");
	return rc;
}

int db_migrate(struct db *db, const char *dir, int *applied)
{
	struct migration *m = calloc(MIGRATIONS_MAX, sizeof(*m));
	unsigned char done[VERSION_MAX + 1] = {0};
	int n, rc;

	*applied = 0;
	if (!m)
		return DB_ERROR;
	n = migrations_scan(dir, m);
	rc = n < 0 ? DB_ERROR : migrate_connect(db);
	if (rc == DB_OK)
		rc = migrate_lock(db);
	if (rc == DB_OK)
		rc = migrations_done(db, done);
	for (int i = 0; rc == DB_OK && i < n; i++) {
		if (done[m[i].version])
			continue;
		rc = migration_apply(db, dir, &m[i]);
		if (rc == DB_OK)
			(*applied)++;
	}
	if (db->s->conn)
		db_query(db, "DO RELEASE_LOCK('" LOCK_NAME "')");
	free(m);
	return rc;
}
