/*
 * scopes: the contract's OAuth scope names and their bits; parsing and
 * formatting of space-separated scope lists.  Pure.
 */
#ifndef SCOPES_H
#define SCOPES_H

#include <stddef.h>

/* webhooks:manage (contract §13) is granted on its own: it implies no customers scope. */
enum scope { SCOPE_READ = 1u, SCOPE_WRITE = 2u, SCOPE_WEBHOOKS = 4u };

#define SCOPE_ALL (SCOPE_READ | SCOPE_WRITE | SCOPE_WEBHOOKS)

/* The name of one scope bit ("customers:write", static storage), NULL for anything else. */
const char *scope_name(unsigned scope);

/* "customers:read customers:write" -> bits; -1 on an unknown scope or an empty list. */
int scopes_parse(const char *s, unsigned *out);

/* bits -> "customers:read customers:write" into out (NUL-terminated, truncated to fit). */
void scopes_format(unsigned scopes, char *out, size_t outlen);

/*
 * An external issuer's scope list (borrowed) -> the bits of the words
 * that name ours once prefix is cut off; other words are ignored.
 */
unsigned scopes_external(const char *s, const char *prefix);

#endif
