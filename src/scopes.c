/*
 * scopes: one table of names and bits; every function walks it.  Scope
 * words are separated by one or more spaces (RFC 6749 says one; forms
 * vary).  Our own lists are strict (an unknown word refuses the list);
 * an external issuer's may carry anything, and only our words count.
 */
#include <stdio.h>
#include <string.h>

#include "scopes.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	unsigned bit;
	const char *name;
} scope_names[] = {
        {SCOPE_READ, "customers:read"},
        {SCOPE_WRITE, "customers:write"},
        {SCOPE_WEBHOOKS, "webhooks:manage"},
};

static int scope_lookup(const char *s, size_t n, unsigned *bit)
{
	for (size_t i = 0; i < ARRAY_SIZE(scope_names); i++) {
		if (strlen(scope_names[i].name) == n && !memcmp(s, scope_names[i].name, n)) {
			*bit = scope_names[i].bit;
			return 0;
		}
	}
	return -1;
}

const char *scope_name(unsigned scope)
{
	for (size_t i = 0; i < ARRAY_SIZE(scope_names); i++)
		if (scope_names[i].bit == scope)
			return scope_names[i].name;
	return NULL;
}

int scopes_parse(const char *s, unsigned *out)
{
	unsigned bits = 0, bit;

	if (!s)
		return -1;
	for (s += strspn(s, " "); *s; s += strspn(s, " ")) {
		size_t n = strcspn(s, " ");

		if (scope_lookup(s, n, &bit))
			return -1;
		bits |= bit;
		s += n;
	}
	if (!bits)
		return -1;
	*out = bits;
	return 0;
}

void scopes_format(unsigned scopes, char *out, size_t outlen)
{
	size_t used = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(scope_names); i++) {
		int n;

		if (!(scopes & scope_names[i].bit))
			continue;
		n = snprintf(out + used, outlen - used, "%s%s", used ? " " : "",
		             scope_names[i].name);
		if (n < 0 || (size_t)n >= outlen - used)
			return; /* truncated, still NUL-terminated */
		used += (size_t)n;
	}
}

/* Scope words that name ours once `prefix` is cut off; other words are ignored. */
unsigned scopes_external(const char *s, const char *prefix)
{
	size_t plen = strlen(prefix);
	unsigned bits = 0, bit;

	for (s += strspn(s, " "); *s; s += strspn(s, " ")) {
		size_t n = strcspn(s, " ");

		if (n >= plen && !memcmp(s, prefix, plen) &&
		    scope_lookup(s + plen, n - plen, &bit) == 0)
			bits |= bit;
		s += n;
	}
	return bits;
}
