/*
 * router: the route table and the checks every route shares.
 *
 * The table is data: method, path shape, scope, handler.  Dispatch finds
 * the path first, so a known path with another method is a 405 naming the
 * allowed methods, and only then authenticates: the token is verified
 * (signature, time, issuer), the client is looked up so that a disabled
 * client is refused at once and the partner comes from the database rather
 * than from the token, and the route's scope is checked.  A worker that
 * has read the client before lets the handler's own statement do that
 * check (check_token below).
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "db_clients.h"
#include "handlers.h"
#include "response.h"
#include "router.h"
#include "token_cache.h"
#include "uuid.h"

enum path_kind {
	PATH_TOKEN,
	PATH_CUSTOMERS,
	PATH_CUSTOMER,
	PATH_HEALTHZ,
	PATH_METRICS,
	PATH_JWKS,
	PATH_NONE
};

struct route {
	const char *method;
	enum path_kind path;
	enum route_id id;
	unsigned scope; /* 0: no token needed */
	void (*handler)(struct request *r, const char *arg);
};

static const struct route routes[] = {
        {"POST", PATH_TOKEN, ROUTE_TOKEN, 0, h_token},
        {"POST", PATH_CUSTOMERS, ROUTE_CUSTOMERS_CREATE, SCOPE_WRITE, h_customers_create},
        {"GET", PATH_CUSTOMERS, ROUTE_CUSTOMERS_LIST, SCOPE_READ, h_customers_list},
        {"GET", PATH_CUSTOMER, ROUTE_CUSTOMER_GET, SCOPE_READ, h_customer_get},
        {"PATCH", PATH_CUSTOMER, ROUTE_CUSTOMER_PATCH, SCOPE_WRITE, h_customer_patch},
        {"GET", PATH_HEALTHZ, ROUTE_HEALTHZ, 0, h_healthz},
        {"GET", PATH_METRICS, ROUTE_METRICS, 0, h_metrics},
        {"GET", PATH_JWKS, ROUTE_JWKS, 0, h_jwks},
};

static const char *const allowed[] = {
        [PATH_TOKEN] = "POST",  [PATH_CUSTOMERS] = "GET, POST", [PATH_CUSTOMER] = "GET, PATCH",
        [PATH_HEALTHZ] = "GET", [PATH_METRICS] = "GET",         [PATH_JWKS] = "GET",
};

static const char *const route_names[ROUTE_COUNT] = {
        [ROUTE_TOKEN] = "/oauth2/token",
        [ROUTE_CUSTOMERS_CREATE] = "/roles/customers",
        [ROUTE_CUSTOMERS_LIST] = "/roles/customers",
        [ROUTE_CUSTOMER_GET] = "/roles/customers/{id}",
        [ROUTE_CUSTOMER_PATCH] = "/roles/customers/{id}",
        [ROUTE_HEALTHZ] = "/healthz",
        [ROUTE_METRICS] = "/metrics",
        [ROUTE_JWKS] = "/oauth2/jwks.json",
        [ROUTE_NONE] = "other",
};

const char *router_route_name(int route)
{
	return route >= 0 && route < ROUTE_COUNT ? route_names[route] : "other";
}

const char *router_route_method(int route)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if ((int)routes[i].id == route)
			return routes[i].method;
	return "other";
}

#define CUSTOMERS "/roles/customers"

/* The path shape, and *arg the customer id segment for PATH_CUSTOMER. */
static enum path_kind match_path(const char *path, const char **arg)
{
	static const size_t clen = sizeof(CUSTOMERS) - 1;

	*arg = NULL;
	if (strcmp(path, "/oauth2/token") == 0)
		return PATH_TOKEN;
	if (strcmp(path, "/healthz") == 0)
		return PATH_HEALTHZ;
	if (strcmp(path, "/metrics") == 0)
		return PATH_METRICS;
	if (strcmp(path, "/oauth2/jwks.json") == 0)
		return PATH_JWKS;
	if (strncmp(path, CUSTOMERS, clen) != 0)
		return PATH_NONE;
	if (path[clen] == '\0')
		return PATH_CUSTOMERS;
	if (path[clen] != '/' || path[clen + 1] == '\0' || strchr(path + clen + 1, '/'))
		return PATH_NONE;
	*arg = path + clen + 1;
	return PATH_CUSTOMER;
}

/*
 * Verifies a token, or finds it among those this worker verified before
 * (then *known is its client as last read, partner_id 0 if none).  0 or -1.
 */
static int verify_token(const struct request *r, const char *token, struct token_claims *claims,
                        struct token_client *known)
{
	if (token_cache_get(token, now_ms() / 1000, claims, known))
		return 0;
	if (token_verify(r->cfg, token, claims) < 0)
		return -1;
	token_cache_put(token, claims);
	*known = (struct token_client){0, 0};
	return 0;
}

/* Why a request is refused: 401, 403, or the db_rc of a failed client read. */
enum refusal {
	REFUSE_NONE,
	REFUSE_TOKEN,
	REFUSE_SCOPE,
	REFUSE_RETRY, /* the client moved to another partner while the request ran */
	REFUSE_DB_UNAVAILABLE,
	REFUSE_DB_ERROR
};

static int refuse(struct request *r, enum refusal why, unsigned scope)
{
	switch (why) {
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
	case REFUSE_RETRY:
		handler_db_error(r, DB_UNCONFIRMED);
		break;
	case REFUSE_DB_UNAVAILABLE:
		handler_db_error(r, DB_UNAVAILABLE);
		break;
	case REFUSE_DB_ERROR:
		handler_db_error(r, DB_ERROR);
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
static enum refusal read_client(struct request *r, const char *token,
                                const struct token_claims *claims, unsigned scope)
{
	struct client_row client = {0};
	int rc = db_client_get(r->db, claims->client_id, &client);

	if (rc == DB_NOT_FOUND || (rc == DB_OK && client.disabled)) {
		token_cache_set_client(token, NULL);
		return REFUSE_TOKEN;
	}
	if (rc != DB_OK)
		return rc == DB_UNAVAILABLE ? REFUSE_DB_UNAVAILABLE : REFUSE_DB_ERROR;
	token_cache_set_client(token, &(struct token_client){client.partner_id, client.scopes});
	if (!(claims->scopes & client.scopes & scope))
		return REFUSE_SCOPE;
	accept_client(r, client.client_id, client.partner_id, claims->scopes & client.scopes);
	r->client_unconfirmed = 0;
	return REFUSE_NONE;
}

/*
 * The token and, unless trust_known is 0 or this worker has not read the
 * client yet, the client as last read: the request then runs
 * unconfirmed and the statement that answers it checks the client
 * (struct client_check), which saves a round trip to the database on
 * every request.  Whatever the handler answers other than success first
 * reads the client (handler_fail), so a disabled client still gets 401
 * before anything else.
 */
static enum refusal check_token(struct request *r, unsigned scope, int trust_known)
{
	const char *token = bearer_token(request_authorization(r));
	struct token_claims claims;
	struct token_client known;

	if (!token || verify_token(r, token, &claims, &known) < 0)
		return REFUSE_TOKEN;
	if (trust_known && known.partner_id && (claims.scopes & known.scopes & scope)) {
		accept_client(r, claims.client_id, known.partner_id, claims.scopes & known.scopes);
		r->client_unconfirmed = 1;
		return REFUSE_NONE;
	}
	return read_client(r, token, &claims, scope);
}

int router_confirm_client(struct request *r)
{
	uint64_t used = r->partner_id;
	enum refusal why;

	if (!r->client_unconfirmed)
		return 0;
	r->client_unconfirmed = 0; /* read once, whatever the outcome */
	why = check_token(r, r->route_scope, 0);
	if (why == REFUSE_NONE && r->partner_id == used)
		return 0;
	api_err_clear(&r->err);
	return refuse(r, why == REFUSE_NONE ? REFUSE_RETRY : why, r->route_scope);
}

static const struct route *find_route(const char *method, enum path_kind path)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (routes[i].path == path && strcmp(routes[i].method, method) == 0)
			return &routes[i];
	return NULL;
}

void router_dispatch(struct request *r)
{
	const char *arg;
	enum path_kind path = match_path(r->path, &arg);
	const struct route *route;

	r->route = ROUTE_NONE;
	if (path == PATH_NONE) {
		api_err_set(&r->err, 404, "NOT_FOUND", "No such resource");
		goto fail;
	}
	route = find_route(r->method, path);
	if (!route) {
		r->allow = allowed[path];
		api_err_set(&r->err, 405, "METHOD_NOT_ALLOWED",
		            "Method %.16s is not allowed here; use %s", r->method, r->allow);
		goto fail;
	}
	r->route = route->id;
	r->route_scope = route->scope;
	if (route->scope && refuse(r, check_token(r, route->scope, 1), route->scope) < 0)
		goto fail;
	route->handler(r, arg);
	return;
fail:
	response_error(r, NULL);
}
