/*
 * token_cache: the access tokens this worker has verified, so that a
 * partner sending the same token on every call pays for the signature
 * check once per worker rather than once per request.
 *
 * Direct-mapped by a hash of the whole token; a hit needs the stored token
 * to equal the presented one byte for byte and its exp still ahead, so a
 * cached answer is exactly what token_verify() gave for the same bytes.
 * What the token cannot know (a client disabled since) is still checked
 * against the database on every request.  Per process, no locking.
 */
#ifndef TOKEN_CACHE_H
#define TOKEN_CACHE_H

#include <stdint.h>

#include "auth.h"

/* 1 and *out when token was verified before and has not expired at now (seconds), else 0. */
int token_cache_get(const char *token, int64_t now, struct token_claims *out);

/* Remembers the verified claims of token (copied; tokens over 1 KiB are not kept). */
void token_cache_put(const char *token, const struct token_claims *claims);

#endif
