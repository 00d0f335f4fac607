/*
 * token_cache: a small direct-mapped table (64 slots, 1 KiB per token).
 * A collision simply replaces the older entry: a miss costs one
 * token_verify(), never a wrong answer.
 */
#include <string.h>

#include "token_cache.h"

#define SLOTS 64
#define TOKEN_MAX 1024

struct slot {
	size_t len; /* 0: empty */
	char token[TOKEN_MAX];
	struct token_claims claims;
	struct token_client client;
};

static struct slot slots[SLOTS];

/* FNV-1a over the token; also returns its length (0 if too long to keep). */
static size_t slot_of(const char *token, size_t *len)
{
	uint64_t h = 1469598103934665603ull;
	size_t n = 0;

	for (; n <= TOKEN_MAX && token[n]; n++)
		h = (h ^ (unsigned char)token[n]) * 1099511628211ull;
	*len = n < TOKEN_MAX ? n : 0;
	return (size_t)(h % SLOTS);
}

/* The slot holding token, or NULL. */
static struct slot *find(const char *token)
{
	size_t len;
	struct slot *s = &slots[slot_of(token, &len)];

	if (len == 0 || s->len != len || memcmp(s->token, token, len) != 0)
		return NULL;
	return s;
}

int token_cache_get(const char *token, int64_t now, struct token_claims *out,
                    struct token_client *client)
{
	const struct slot *s = find(token);

	if (!s || s->claims.exp <= now)
		return 0;
	*out = s->claims;
	if (client)
		*client = s->client;
	return 1;
}

void token_cache_put(const char *token, const struct token_claims *claims)
{
	size_t len;
	struct slot *s = &slots[slot_of(token, &len)];

	if (len == 0)
		return;
	memcpy(s->token, token, len);
	s->len = len;
	s->claims = *claims;
	s->client = (struct token_client){0, 0};
}

void token_cache_set_client(const char *token, const struct token_client *client)
{
	struct slot *s = find(token);

	if (s)
		s->client = client ? *client : (struct token_client){0, 0};
}
