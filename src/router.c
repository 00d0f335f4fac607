/*
 * router: the table is searched in order, a route at a time; with a few
 * dozen routes that is cheaper than building anything, and it keeps
 * routes.c plain data.  Allow is built from every route whose pattern
 * matched, so it can never disagree with the table.
 */
#include <stdio.h>
#include <string.h>

#include "client_auth.h"
#include "response.h"
#include "router.h"

/* Appends method to the Allow list (REQUEST_ALLOW_MAX is ample for the table). */
static void allow_add(char *allow, const char *method)
{
	size_t len = strlen(allow);

	snprintf(allow + len, REQUEST_ALLOW_MAX - len, "%s%s", len ? ", " : "", method);
}

int router_match(const struct route *table, size_t n, const char *method, const struct path *p,
                 struct route_match *m)
{
	const char *arg;

	*m = (struct route_match){0};
	for (size_t i = 0; i < n; i++) {
		if (!path_match(p, table[i].pattern, &arg))
			continue;
		if (strcmp(table[i].method, method) == 0) {
			m->route = &table[i];
			m->arg = arg;
			return 200;
		}
		allow_add(m->allow, table[i].method);
	}
	return m->allow[0] ? 405 : 404;
}

void router_dispatch(struct request *r)
{
	struct route_match m;
	int found = router_match(routes, routes_count, r->method, &r->segments, &m);

	if (found == 404) {
		api_err_set(&r->err, 404, "NOT_FOUND", "No such resource");
		goto fail;
	}
	if (found == 405) {
		snprintf(r->allow, sizeof(r->allow), "%s", m.allow);
		api_err_set(&r->err, 405, "METHOD_NOT_ALLOWED",
		            "Method %.16s is not allowed here; use %s", r->method, r->allow);
		goto fail;
	}
	r->route = (int)(m.route - routes);
	if (m.route->scope && client_auth_admit(r, m.route->scope) < 0)
		goto fail;
	m.route->handler(r, m.arg);
	return;
fail:
	response_error(r, NULL);
}
