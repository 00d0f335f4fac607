/*
 * test_token_cache: a hit only for the same bytes, unexpired; misses for
 * anything else, including a token differing in its last byte.
 */
#include <string.h>

#include "tap.h"
#include "token_cache.h"

static struct token_claims claims_for(const char *client, unsigned scopes, int64_t exp)
{
	struct token_claims c;

	memset(&c, 0, sizeof(c));
	strncpy(c.client_id, client, sizeof(c.client_id) - 1);
	c.scopes = scopes;
	c.exp = exp;
	return c;
}

int main(void)
{
	struct token_claims in = claims_for("cl_a", SCOPE_READ, 2000), out;
	char big[2048];

	ok(!token_cache_get("aaa.bbb.ccc", 1000, &out), "empty cache misses");
	token_cache_put("aaa.bbb.ccc", &in);
	ok(token_cache_get("aaa.bbb.ccc", 1000, &out), "same token hits");
	is_str(out.client_id, "cl_a", "hit returns the stored client");
	is_int(out.scopes, SCOPE_READ, "hit returns the stored scopes");
	ok(!token_cache_get("aaa.bbb.ccd", 1000, &out), "last byte differs: miss");
	ok(!token_cache_get("aaa.bbb.cc", 1000, &out), "prefix: miss");
	ok(!token_cache_get("aaa.bbb.ccc ", 1000, &out), "longer: miss");
	ok(!token_cache_get("aaa.bbb.ccc", 2000, &out), "at exp: miss");
	ok(!token_cache_get("aaa.bbb.ccc", 2001, &out), "after exp: miss");
	ok(token_cache_get("aaa.bbb.ccc", 1999, &out), "one second before exp: hit");

	in = claims_for("cl_b", SCOPE_WRITE, 3000);
	token_cache_put("aaa.bbb.ccc", &in);
	ok(token_cache_get("aaa.bbb.ccc", 1000, &out) && strcmp(out.client_id, "cl_b") == 0,
	   "a second put replaces the claims");

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	token_cache_put(big, &in);
	ok(!token_cache_get(big, 1000, &out), "tokens over 1 KiB are not kept");
	big[1023] = '\0';
	token_cache_put(big, &in);
	ok(token_cache_get(big, 1000, &out), "a 1023-byte token is kept");
	return done_testing();
}
