/*
 * test_router: the real route table.  Every route is reachable by its
 * method and pattern; a known path with another method is 405 with Allow
 * naming exactly the table's methods for it; anything else is 404.
 */
#include <stdio.h>
#include <string.h>

#include "router.h"
#include "tap.h"

static int match(const char *method, const char *raw, struct route_match *m)
{
	static char buf[512];
	struct path p;

	snprintf(buf, sizeof(buf), "%s", raw);
	if (path_split(buf, &p) != PATH_OK)
		return -1;
	return router_match(routes, routes_count, method, &p, m);
}

/* The pattern with its parameter replaced by "p1". */
static void concrete(const char *pattern, char *out, size_t cap)
{
	const char *open = strchr(pattern, '{'), *close = open ? strchr(open, '}') : NULL;

	if (!close)
		snprintf(out, cap, "%s", pattern);
	else
		snprintf(out, cap, "%.*sp1%s", (int)(open - pattern), pattern, close + 1);
}

static void test_every_route(void)
{
	for (size_t i = 0; i < routes_count; i++) {
		struct route_match m;
		char path[256], name[320];

		concrete(routes[i].pattern, path, sizeof(path));
		snprintf(name, sizeof(name), "%s %s finds its route", routes[i].method, path);
		ok(match(routes[i].method, path, &m) == 200 && m.route == &routes[i], name);
		if (strchr(routes[i].pattern, '{'))
			is_str(m.arg, "p1", "and hands over the parameter");
		else
			ok(m.arg == NULL, "and no parameter");
	}
}

static void test_405(void)
{
	struct route_match m;

	is_int(match("PUT", "/roles/customers", &m), 405, "PUT on the collection");
	is_str(m.allow, "GET, POST", "Allow names its methods");
	is_int(match("DELETE", "/roles/customers/abc", &m), 405, "DELETE on a customer");
	is_str(m.allow, "GET, PATCH", "Allow names its methods");
	is_int(match("GET", "/oauth2/token", &m), 405, "GET on the token endpoint");
	is_str(m.allow, "POST", "Allow: POST");
	is_int(match("get", "/healthz", &m), 405, "methods are case-sensitive");
	ok(m.route == NULL, "no route on 405");
}

static void test_404(void)
{
	struct route_match m;

	is_int(match("GET", "/", &m), 404, "the root");
	is_int(match("GET", "/roles", &m), 404, "a parent of routes");
	is_int(match("GET", "/roles/customers/", &m), 404, "an empty customer id");
	is_int(match("GET", "/roles/customers/a/b", &m), 404, "one segment too many");
	is_int(match("GET", "/roles/customersx", &m), 404, "a longer literal");
	is_int(match("GET", "/metrics/", &m), 404, "a trailing slash");
	ok(m.route == NULL && m.allow[0] == '\0', "no route and no Allow on 404");
	is_int(match("GET", "/roles/customers/a%2Fb", &m), 200, "an encoded slash stays in the id");
	is_str(m.arg, "a/b", "decoded once");
}

int main(void)
{
	test_every_route();
	test_405();
	test_404();
	return done_testing();
}
