/*
 * routes: the route table, data only (routes.c).
 *
 * A route is a method, a path pattern, the scope it needs and its
 * handler.  A pattern is literal segments and at most one "{name}"
 * segment, the path parameter handed to the handler (decoded, never
 * empty); the pattern is also the route's metric label.  Routes of one
 * pattern are listed together, methods in the order the Allow header
 * names them.  Adding a route is one line here and its handler.
 */
#ifndef ROUTES_H
#define ROUTES_H

#include <stddef.h>

struct request;

/* Answers the request exactly once; arg is the path parameter or NULL. */
typedef void route_handler(struct request *r, const char *arg);

struct route {
	const char *method;
	const char *pattern; /* "/roles/customers/{id}" */
	unsigned scope;      /* enum scope bit the token needs; 0: no token */
	route_handler *handler;
};

/* Room the metrics reserve per route; routes.c checks the table fits. */
#define ROUTES_MAX 48

extern const struct route routes[];
extern const size_t routes_count;

#endif
