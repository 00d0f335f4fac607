/*
 * auth: access tokens (JWT: HS256 through libjwt, or RS256/ES256 with the
 * keys of jwks.h; also tokens of an external issuer), client secrets
 * (salted scrypt, OpenSSL), scopes, and the bearer-header parse.  No
 * database access: the router looks the client up.
 */
#ifndef AUTH_H
#define AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

enum scope { SCOPE_READ = 1u, SCOPE_WRITE = 2u };

#define CLIENT_ID_MAX 64
#define SECRET_HASH_MAX 160

struct token_claims {
	char client_id[CLIENT_ID_MAX + 1];
	unsigned scopes; /* enum scope bits */
	int64_t exp;     /* seconds since the epoch */
};

/* 1 if s can be a client id: 1-64 of [A-Za-z0-9_-]. */
int client_id_valid(const char *s);

/* The name of one scope bit ("customers:write"), NULL for anything else. */
const char *scope_name(unsigned scope);

/* "customers:read customers:write" -> bits; -1 on an unknown scope or an empty list. */
int scopes_parse(const char *s, unsigned *out);
/* bits -> "customers:read customers:write" into out (NUL-terminated). */
void scopes_format(unsigned scopes, char *out, size_t outlen);

/*
 * Signs a token for client_id with the given scopes, valid cfg->token_ttl
 * seconds from now, with cfg->jwt_alg (RS256/ES256: the keyring's key).
 * *out is malloc'd (caller frees).  0 or -1.
 */
int token_issue(const struct config *cfg, const char *client_id, unsigned scopes, char **out);

/*
 * Verifies signature (cfg->jwt_alg only: `none` and any other alg are
 * refused), exp, nbf, iss and aud (when configured) and the required
 * claims.  A token whose kid names a key of the external issuer's JWKS is
 * verified with that key and its claims (iss, aud, token_use, client map);
 * out->client_id is then our client it is mapped to, and out->scopes may
 * be 0.  0 and claims on success, -1 otherwise.
 */
int token_verify(const struct config *cfg, const char *jwt, struct token_claims *out);

/*
 * "Bearer <token>" -> the token (borrowed from header, points inside it).
 * NULL when the header is absent or malformed.
 */
const char *bearer_token(const char *header);

/* New random client id ("cl_" + 32 hex) and secret (43 base64url chars). 0 or -1. */
int client_credentials_new(char id[CLIENT_ID_MAX + 1], char secret[64]);

/* "scrypt$N$r$p$salt_b64$hash_b64" into out. 0 or -1. */
int secret_hash(const char *secret, char out[SECRET_HASH_MAX]);

/*
 * 1 if secret matches stored, else 0.  stored NULL (unknown client) still
 * costs one scrypt so that timing does not tell which client ids exist.
 * The final comparison is constant-time.
 */
int secret_verify(const char *secret, const char *stored);

#endif
