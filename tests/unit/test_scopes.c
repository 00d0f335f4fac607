/*
 * test_scopes: scope names, strict lists of ours and the external
 * issuer's lists.
 */
#include <stdio.h>
#include <string.h>

#include "scopes.h"
#include "tap.h"

static void test_scopes(void)
{
	static const struct {
		const char *s;
		int rc;
		unsigned bits;
	} cases[] = {
	        {"customers:read", 0, SCOPE_READ},
	        {"customers:write", 0, SCOPE_WRITE},
	        {"customers:read customers:write", 0, SCOPE_READ | SCOPE_WRITE},
	        {"customers:write customers:read", 0, SCOPE_READ | SCOPE_WRITE},
	        {"webhooks:manage", 0, SCOPE_WEBHOOKS},
	        {"customers:read webhooks:manage", 0, SCOPE_READ | SCOPE_WEBHOOKS},
	        {"webhooks:manag", -1, 0},
	        {"  customers:read   customers:read ", 0, SCOPE_READ},
	        {"", -1, 0},
	        {"   ", -1, 0},
	        {"customers:admin", -1, 0},
	        {"customers:read x", -1, 0},
	        {"Customers:read", -1, 0},
	        {"customers:readx", -1, 0},
	        {"customers:rea", -1, 0},
	        {"customers:read\tcustomers:write", -1, 0},
	};
	char out[64];
	unsigned bits;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[96];

		bits = 0;
		snprintf(name, sizeof(name), "scopes_parse \"%s\"", cases[i].s);
		is_int(scopes_parse(cases[i].s, &bits), cases[i].rc, name);
		is_int(bits, cases[i].bits, name);
	}
	is_int(scopes_parse(NULL, &bits), -1, "scopes_parse NULL");
	scopes_format(SCOPE_READ, out, sizeof(out));
	is_str(out, "customers:read", "scopes_format read");
	scopes_format(SCOPE_WRITE, out, sizeof(out));
	is_str(out, "customers:write", "scopes_format write");
	scopes_format(SCOPE_READ | SCOPE_WRITE, out, sizeof(out));
	is_str(out, "customers:read customers:write", "scopes_format both");
	scopes_format(SCOPE_ALL, out, sizeof(out));
	is_str(out, "customers:read customers:write webhooks:manage", "scopes_format all three");
	scopes_format(0, out, sizeof(out));
	is_str(out, "", "scopes_format none");
	scopes_format(SCOPE_READ | SCOPE_WRITE, out, 10);
	ok(strlen(out) < 10, "scopes_format truncates within outlen");
}

static void test_scopes_external(void)
{
	is_int(scopes_external("openid customers:read", ""), SCOPE_READ,
	       "external: ours among others");
	is_int(scopes_external("p/customers:write p/customers:read customers:read", "p/"),
	       SCOPE_READ | SCOPE_WRITE, "external: prefix cut, unprefixed word ignored");
	is_int(scopes_external("  ", "p/"), 0, "external: none");
}

int main(void)
{
	test_scopes();
	test_scopes_external();
	return done_testing();
}
