/*
 * db_clients: partners and their OAuth clients.
 *
 * The token endpoint reads a client per request (db_client_get); the admin
 * tool adds and disables clients.  Scopes are stored as the same
 * space-separated text a token carries, so an operator can read them in
 * the table; auth.c converts them to bits.  Adding a client creates its
 * partner on first mention: the upsert's LAST_INSERT_ID(id) idiom returns
 * the partner's id whether the row was new or not, in one statement.
 */
#include <string.h>

#include "db_clients.h"
#include "db_internal.h"
#include "log.h"

#define SCOPES_TEXT_MAX 256

static const char SQL_CLIENT_GET[] =
        "SELECT partner_id, scopes, disabled, secret_hash FROM oauth_clients WHERE client_id = ?";

static const char SQL_PARTNER_UPSERT[] =
        "INSERT INTO partners (name) VALUES (?) ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)";

static const char SQL_CLIENT_INSERT[] = "INSERT INTO oauth_clients (client_id, partner_id, "
                                        "secret_hash, scopes) VALUES (?, ?, ?, ?)";

static const char SQL_CLIENT_DISABLE[] =
        "UPDATE oauth_clients SET disabled = 1 WHERE client_id = ?";

struct get_work {
	const char *client_id;
	struct client_row *out;
};

static int get_run(struct db *db, void *arg)
{
	struct get_work *w = arg;
	struct db_params p;
	struct db_cols c;
	char scopes[SCOPES_TEXT_MAX];
	uint64_t disabled;
	int rc;

	db_params_init(&p);
	db_param_cstr(&p, w->client_id);
	db_cols_init(&c);
	db_col_u64(&c, &w->out->partner_id);
	db_col_str(&c, scopes, sizeof(scopes), NULL);
	db_col_u64(&c, &disabled);
	db_col_str(&c, w->out->secret_hash, sizeof(w->out->secret_hash), NULL);
	rc = db_exec_one(db, SLOT_CLIENT_GET, SQL_CLIENT_GET, &p, &c);
	if (rc != DB_OK)
		return rc;
	w->out->disabled = disabled != 0;
	if (scopes_parse(scopes, &w->out->scopes)) {
		log_error("client %s: bad scopes '%s'", w->client_id, scopes);
		return DB_ERROR;
	}
	return DB_OK;
}

int db_client_get(struct db *db, const char *client_id, struct client_row *out)
{
	struct get_work w = {client_id, out};

	/* No stored id looks otherwise; and the column's ascii collation would
	 * refuse other text with an error rather than a miss. */
	if (!client_id_valid(client_id))
		return DB_NOT_FOUND;
	memset(out, 0, sizeof(*out));
	memcpy(out->client_id, client_id, strlen(client_id) + 1);
	return db_read(db, get_run, &w);
}

struct add_work {
	const char *partner_name;
	const char *client_id;
	const char *secret_hash;
	const char *scopes;
	uint64_t *partner_id;
};

int db_partner_upsert(struct db *db, const char *name, uint64_t *id)
{
	struct db_params p;
	MYSQL_STMT *st = NULL;
	int rc;

	db_params_init(&p);
	db_param_cstr(&p, name);
	rc = db_exec(db, SLOT_PARTNER_UPSERT, SQL_PARTNER_UPSERT, &p, &st);
	if (rc == DB_OK)
		*id = mysql_stmt_insert_id(st);
	return rc;
}

static int add_run(struct db *db, void *arg)
{
	struct add_work *w = arg;
	struct db_params p;
	int rc = db_partner_upsert(db, w->partner_name, w->partner_id);

	if (rc != DB_OK)
		return rc;
	db_params_init(&p);
	db_param_cstr(&p, w->client_id);
	db_param_u64(&p, *w->partner_id);
	db_param_cstr(&p, w->secret_hash);
	db_param_cstr(&p, w->scopes);
	return db_exec(db, SLOT_CLIENT_INSERT, SQL_CLIENT_INSERT, &p, NULL);
}

int db_client_add(struct db *db, const char *partner_name, const char *client_id,
                  const char *secret_hash, unsigned scopes, uint64_t *partner_id)
{
	char text[SCOPES_TEXT_MAX];
	struct add_work w = {partner_name, client_id, secret_hash, text, partner_id};

	scopes_format(scopes, text, sizeof(text));
	return db_tx(db, add_run, &w);
}

static int disable_run(struct db *db, void *arg)
{
	struct db_params p;
	MYSQL_STMT *st = NULL;
	int rc;

	db_params_init(&p);
	db_param_cstr(&p, arg);
	rc = db_exec(db, SLOT_CLIENT_DISABLE, SQL_CLIENT_DISABLE, &p, &st);
	/* the connection uses CLIENT_FOUND_ROWS: an already disabled client counts */
	if (rc == DB_OK && mysql_stmt_affected_rows(st) == 0)
		rc = DB_NOT_FOUND;
	return rc;
}

int db_client_disable(struct db *db, const char *client_id)
{
	return db_tx(db, disable_run, (void *)client_id);
}
