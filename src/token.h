/*
 * token: our access tokens (JWT, RFC 7519) signed with the keyring's key
 * (HS256, RS256 or ES256, as jwt_alg says), the external issuer's tokens,
 * and the bearer-header parse.  No database access: the router looks the
 * client up.
 */
#ifndef TOKEN_H
#define TOKEN_H

#include <stdint.h>

#include "config.h"
#include "secrets.h"

struct token_claims {
	char client_id[CLIENT_ID_MAX + 1];
	unsigned scopes; /* enum scope bits */
	int64_t exp;     /* seconds since the epoch */
};

/*
 * Signs a token for client_id with the given scopes, valid cfg->token_ttl
 * seconds from now, with the keyring's signing key, which must be of
 * cfg->jwt_alg.  *out is malloc'd (caller frees).  0 or -1 (logged when
 * OpenSSL failed).
 */
int token_issue(const struct config *cfg, const char *client_id, unsigned scopes, char **out);

/*
 * Verifies signature (the key's alg only: `none` and any other alg are
 * refused), exp, nbf, iss and aud (when configured) and the required
 * claims.  A token whose kid names a key of the external issuer's JWKS is
 * verified with that key and its claims (iss, aud, token_use, client map);
 * out->client_id is then our client it is mapped to, and out->scopes may
 * be 0.  jwt (borrowed) may end in spaces.  0 and claims on success, -1
 * otherwise.
 */
int token_verify(const struct config *cfg, const char *jwt, struct token_claims *out);

/*
 * "Bearer <token>" -> the token (borrowed from header, points inside it).
 * NULL when the header is absent or malformed.
 */
const char *bearer_token(const char *header);

#endif
