/*
 * client_auth: the token, the client behind it and the scope (see
 * client_auth.h).  The client as last read is remembered with the token
 * in token_cache, per worker.
 */
#include <stdio.h>

#include "auth.h"
#include "client_auth.h"
#include "clock.h"
#include "db_clients.h"
#include "token_cache.h"

/*
 * Verifies a token, or finds it among those this worker verified before
 * (then *known is its client as last read, partner_id 0 if none).  0 or -1.
 */
static int verify_token(const struct request *r, const char *token, struct token_claims *claims,
                        struct token_client *known)
{
	if (token_cache_get(token, clock_wall_ms() / 1000, claims, known))
		return 0;
	if (token_verify(r->cfg, token, claims) < 0)
		return -1;
	token_cache_put(token, claims);
	*known = (struct token_client){0, 0};
	return 0;
}

/* Why a request is refused: not at all, 401, 403, or a database outcome (db_rc). */
struct refusal {
	enum { REFUSE_NONE, REFUSE_TOKEN, REFUSE_SCOPE, REFUSE_DB } why;
	int db_rc; /* REFUSE_DB: mapped by api_err_db */
};

static const struct refusal refuse_none = {REFUSE_NONE, 0}, refuse_token = {REFUSE_TOKEN, 0},
                            refuse_scope = {REFUSE_SCOPE, 0};

static int refuse(struct request *r, struct refusal no, unsigned scope)
{
	switch (no.why) {
	case REFUSE_NONE:
		return 0;
	case REFUSE_TOKEN:
		api_err_set(&r->err, 401, "INVALID_TOKEN", "Invalid or missing access token");
		break;
	case REFUSE_SCOPE:
		r->need_scope = scope_name(scope);
		api_err_set(&r->err, 403, "INSUFFICIENT_SCOPE",
		            "The access token lacks the scope %s", r->need_scope);
		break;
	case REFUSE_DB:
		api_err_db(&r->err, no.db_rc);
		break;
	}
	return -1;
}

static void accept_client(struct request *r, const char *client_id, uint64_t partner_id,
                          unsigned scopes)
{
	r->partner_id = partner_id;
	r->scopes = scopes;
	snprintf(r->client_id, sizeof(r->client_id), "%s", client_id);
}

/*
 * Reads the token's client: a disabled one is refused at once, the partner
 * comes from the database rather than from the token, and a client whose
 * scopes were narrowed after the token was issued gets the narrower set.
 * What it read is remembered with the token for the next requests.
 */
static struct refusal read_client(struct request *r, const char *token,
                                  const struct token_claims *claims, unsigned scope)
{
	struct client_row client = {0};
	int rc = db_client_get(r->db, claims->client_id, &client);

	if (rc == DB_NOT_FOUND || (rc == DB_OK && client.disabled)) {
		token_cache_set_client(token, NULL);
		return refuse_token;
	}
	if (rc != DB_OK)
		return (struct refusal){REFUSE_DB, rc};
	token_cache_set_client(token, &(struct token_client){client.partner_id, client.scopes});
	if (!(claims->scopes & client.scopes & scope))
		return refuse_scope;
	accept_client(r, client.client_id, client.partner_id, claims->scopes & client.scopes);
	r->client_unconfirmed = 0;
	return refuse_none;
}

/*
 * The token and, unless trust_known is 0 or this worker has not read the
 * client yet, the client as last read: the request then runs unconfirmed
 * (see client_auth.h).
 */
static struct refusal check_token(struct request *r, unsigned scope, int trust_known)
{
	const char *token = bearer_token(request_authorization(r));
	struct token_claims claims;
	struct token_client known;

	if (!token || verify_token(r, token, &claims, &known) < 0)
		return refuse_token;
	if (trust_known && known.partner_id && (claims.scopes & known.scopes & scope)) {
		accept_client(r, claims.client_id, known.partner_id, claims.scopes & known.scopes);
		r->client_unconfirmed = 1;
		return refuse_none;
	}
	return read_client(r, token, &claims, scope);
}

int client_auth_confirm(struct request *r)
{
	uint64_t used = r->partner_id;
	struct refusal no;

	if (!r->client_unconfirmed)
		return 0;
	r->client_unconfirmed = 0; /* read once, whatever the outcome */
	no = check_token(r, r->route_scope, 0);
	if (no.why == REFUSE_NONE && r->partner_id == used)
		return 0;
	/* the client moved to another partner while the request ran */
	if (no.why == REFUSE_NONE)
		no = (struct refusal){REFUSE_DB, DB_UNCONFIRMED};
	api_err_clear(&r->err);
	return refuse(r, no, r->route_scope);
}

int client_auth_admit(struct request *r, unsigned scope)
{
	r->route_scope = scope;
	return refuse(r, check_token(r, scope, 1), scope);
}
