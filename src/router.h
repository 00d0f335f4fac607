/*
 * router: the route table (const data) and the dispatcher.
 *
 * A route names its method, path shape, the scope it needs (0: no token)
 * and its handler.  The dispatcher answers 404 for an unknown path, 405
 * with Allow for a known path and another method, 401/403 for tokens,
 * and 503 when the database cannot be reached for the client lookup, so
 * handlers only do their own work.
 */
#ifndef ROUTER_H
#define ROUTER_H

#include "request.h"

enum route_id {
	ROUTE_TOKEN,
	ROUTE_CUSTOMERS_CREATE,
	ROUTE_CUSTOMERS_LIST,
	ROUTE_CUSTOMER_GET,
	ROUTE_CUSTOMER_PATCH,
	ROUTE_HEALTHZ,
	ROUTE_METRICS,
	ROUTE_JWKS,
	ROUTE_NONE, /* 404, 405 and other early answers */
	ROUTE_COUNT
};

/* Metric label of a route ("/roles/customers/{id}"). */
const char *router_route_name(int route);

/* HTTP method of a route ("GET"), "other" for ROUTE_NONE. */
const char *router_route_method(int route);

/* Routes, authenticates and runs the handler; always answers. */
void router_dispatch(struct request *r);

/*
 * For a request whose client is unconfirmed (r->client_unconfirmed), reads
 * the client now.  0 when it still grants the request, with the same
 * partner; else -1 with r->err replaced by the 401, 403 or 503.  0 at once
 * for a confirmed request.
 */
int router_confirm_client(struct request *r);

#endif
