/*
 * router: finds the route of a request in the table of routes.h and runs
 * it.  An unknown path is 404, a known path with another method 405 with
 * Allow naming the methods the table has for it; then the client is
 * admitted (client_auth) for the route's scope, so handlers only do their
 * own work.
 */
#ifndef ROUTER_H
#define ROUTER_H

#include "path.h"
#include "request.h"
#include "routes.h"

struct route_match {
	const struct route *route;     /* borrowed from the table; NULL: 404 or 405 */
	const char *arg;               /* the path parameter (borrowed from the path), or NULL */
	char allow[REQUEST_ALLOW_MAX]; /* for 405: "GET, POST" */
};

/*
 * The route for method and path in table (n routes).  200 with m->route
 * set, 404, or 405 with m->allow.
 */
int router_match(const struct route *table, size_t n, const char *method, const struct path *p,
                 struct route_match *m);

/* Routes, admits the client and runs the handler; always answers. */
void router_dispatch(struct request *r);

#endif
