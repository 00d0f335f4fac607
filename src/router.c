/*
 * router: the route table and the checks every route shares.
 *
 * The table is data: method, path shape, scope, handler.  Dispatch finds
 * the path first, so a known path with another method is a 405 naming the
 * allowed methods, and only then authenticates: the token is verified
 * (signature, time, issuer), the client is looked up so that a disabled
 * client is refused at once and the partner comes from the database rather
 * than from the token, and the route's scope is checked.
 */
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
	[PATH_TOKEN] = "POST",         [PATH_CUSTOMERS] = "GET, POST", [PATH_CUSTOMER] = "GET, PATCH",
	[PATH_HEALTHZ] = "GET",        [PATH_METRICS] = "GET",         [PATH_JWKS] = "GET",
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

/* Verifies a token, or finds it among those this worker verified before. 0 or -1. */
static int verify_token(const struct request *r, const char *token, struct token_claims *claims)
{
	if (token_cache_get(token, now_ms() / 1000, claims))
		return 0;
	if (token_verify(r->cfg, token, claims) < 0)
		return -1;
	token_cache_put(token, claims);
	return 0;
}

/* 0 when the bearer token grants `scope`; else -1 with r->err set. */
static int authenticate(struct request *r, unsigned scope)
{
	const char *token = bearer_token(request_authorization(r));
	struct token_claims claims;
	struct client_row client;
	int rc;

	if (!token || verify_token(r, token, &claims) < 0)
		goto invalid;
	rc = db_client_get(r->db, claims.client_id, &client);
	if (rc == DB_NOT_FOUND || (rc == DB_OK && client.disabled))
		goto invalid;
	if (rc != DB_OK) {
		handler_db_error(r, rc);
		return -1;
	}
	/* A client whose scopes were narrowed after the token was issued gets the narrower set. */
	r->scopes = claims.scopes & client.scopes;
	if (!(r->scopes & scope)) {
		r->need_scope = scope_name(scope);
		api_err_set(&r->err, 403, "INSUFFICIENT_SCOPE", "The access token lacks the scope %s",
		            r->need_scope);
		return -1;
	}
	r->partner_id = client.partner_id;
	memcpy(r->client_id, client.client_id, sizeof(r->client_id));
	return 0;
invalid:
	api_err_set(&r->err, 401, "INVALID_TOKEN", "Invalid or missing access token");
	return -1;
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
		api_err_set(&r->err, 405, "METHOD_NOT_ALLOWED", "Method %.16s is not allowed here; use %s",
		            r->method, r->allow);
		goto fail;
	}
	r->route = route->id;
	if (route->scope && authenticate(r, route->scope) < 0)
		goto fail;
	route->handler(r, arg);
	return;
fail:
	response_error(r, NULL);
}
