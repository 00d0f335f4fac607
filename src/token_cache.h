/*
 * token_cache: the access tokens this worker has verified, so that a
 * partner sending the same token on every call pays for the signature
 * check once per worker rather than once per request.
 *
 * Direct-mapped by a hash of the whole token; a hit needs the stored token
 * to equal the presented one byte for byte and its exp still ahead, so a
 * cached answer is exactly what token_verify() gave for the same bytes.
 *
 * Next to the claims an entry keeps what the database said about the
 * token's client when it was last read (partner and scopes).  That is a
 * hint, not an answer: a request that uses it still has the client
 * confirmed (enabled, same partner, scope still granted) by its own
 * statements, and falls back to reading the client when they cannot (see
 * router.c).  Per process, no locking.
 */
#ifndef TOKEN_CACHE_H
#define TOKEN_CACHE_H

#include <stdint.h>

#include "auth.h"

/* The token's client as last read from the database. */
struct token_client {
	uint64_t partner_id; /* 0: not read yet, or forgotten */
	unsigned scopes;     /* the client's scope bits, before the token's narrow them */
};

/*
 * 1 and *out when token was verified before and has not expired at now
 * (seconds), else 0.  *client (may be NULL) gets the entry's client.
 */
int token_cache_get(const char *token, int64_t now, struct token_claims *out,
                    struct token_client *client);

/* Remembers the verified claims of token (copied; tokens over 1 KiB are not kept). */
void token_cache_put(const char *token, const struct token_claims *claims);

/* Sets (client NULL: forgets) the client of token's entry; no-op if token is not cached. */
void token_cache_set_client(const char *token, const struct token_client *client);

#endif
