/*
 * db_clients: partners and their OAuth clients.
 */
#ifndef DB_CLIENTS_H
#define DB_CLIENTS_H

#include <stdint.h>

#include "auth.h"
#include "db.h"

struct client_row {
	char client_id[CLIENT_ID_MAX + 1];
	uint64_t partner_id;
	unsigned scopes; /* enum scope bits */
	int disabled;
	char secret_hash[SECRET_HASH_MAX];
};

/* DB_OK and *out, or DB_NOT_FOUND. */
int db_client_get(struct db *db, const char *client_id, struct client_row *out);

/* Creates the partner if new, then the client.  *partner_id gets the partner. */
int db_client_add(struct db *db, const char *partner_name, const char *client_id,
                  const char *secret_hash, unsigned scopes, uint64_t *partner_id);

/* DB_OK or DB_NOT_FOUND. */
int db_client_disable(struct db *db, const char *client_id);

#endif
