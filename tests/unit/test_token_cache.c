/*
 * test_token_cache: a hit only for the same bytes, unexpired; misses for
 * anything else, including a token differing in its last byte.  The
 * client remembered with a token starts unknown, is kept until the token
 * is replaced, and can be forgotten.
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
	struct token_client client;
	char big[2048];

	ok(!token_cache_get("aaa.bbb.ccc", 1000, &out, NULL), "empty cache misses");
	token_cache_put("aaa.bbb.ccc", &in);
	ok(token_cache_get("aaa.bbb.ccc", 1000, &out, NULL), "same token hits");
	is_str(out.client_id, "cl_a", "hit returns the stored client");
	is_int(out.scopes, SCOPE_READ, "hit returns the stored scopes");
	ok(!token_cache_get("aaa.bbb.ccd", 1000, &out, NULL), "last byte differs: miss");
	ok(!token_cache_get("aaa.bbb.cc", 1000, &out, NULL), "prefix: miss");
	ok(!token_cache_get("aaa.bbb.ccc ", 1000, &out, NULL), "longer: miss");
	ok(!token_cache_get("aaa.bbb.ccc", 2000, &out, NULL), "at exp: miss");
	ok(!token_cache_get("aaa.bbb.ccc", 2001, &out, NULL), "after exp: miss");
	ok(token_cache_get("aaa.bbb.ccc", 1999, &out, NULL), "one second before exp: hit");

	in = claims_for("cl_b", SCOPE_WRITE, 3000);
	token_cache_put("aaa.bbb.ccc", &in);
	ok(token_cache_get("aaa.bbb.ccc", 1000, &out, NULL) && strcmp(out.client_id, "cl_b") == 0,
	   "a second put replaces the claims");

	ok(token_cache_get("aaa.bbb.ccc", 1000, &out, &client) && client.partner_id == 0,
	   "a new entry has no client");
	token_cache_set_client("aaa.bbb.ccc", &(struct token_client){7, SCOPE_READ | SCOPE_WRITE});
	ok(token_cache_get("aaa.bbb.ccc", 1000, &out, &client) && client.partner_id == 7 &&
	           client.scopes == (SCOPE_READ | SCOPE_WRITE),
	   "the client set is returned with the claims");
	token_cache_set_client("aaa.bbb.ccd", &(struct token_client){8, SCOPE_READ});
	ok(token_cache_get("aaa.bbb.ccc", 1000, &out, &client) && client.partner_id == 7,
	   "setting the client of another token changes nothing");
	ok(!token_cache_get("aaa.bbb.ccd", 1000, &out, NULL), "... nor caches that token");
	token_cache_set_client("aaa.bbb.ccc", NULL);
	ok(token_cache_get("aaa.bbb.ccc", 1000, &out, &client) && client.partner_id == 0,
	   "a forgotten client is unknown again");
	token_cache_set_client("aaa.bbb.ccc", &(struct token_client){7, SCOPE_READ | SCOPE_WRITE});
	token_cache_put("aaa.bbb.ccc", &in);
	ok(token_cache_get("aaa.bbb.ccc", 1000, &out, &client) && client.partner_id == 0,
	   "putting the token again forgets its client");

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	token_cache_put(big, &in);
	ok(!token_cache_get(big, 1000, &out, NULL), "tokens over 1 KiB are not kept");
	big[1023] = '\0';
	token_cache_put(big, &in);
	ok(token_cache_get(big, 1000, &out, NULL), "a 1023-byte token is kept");
	return done_testing();
}
