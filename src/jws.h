/*
 * jws: compact JWS (RFC 7515) signing and verification, HS256, RS256 and
 * ES256, with OpenSSL.  A token is parsed once (jws_parse): its three
 * parts and the header's alg, kid and typ, which the caller uses to pick
 * the key; jws_verify then checks that parse against that key.  Pure: no
 * logging; a failed OpenSSL call shows as a failed result.
 */
#ifndef JWS_H
#define JWS_H

#include <jansson.h>
#include <stddef.h>

#include "jwk.h"

#define JWS_TYP_MAX 32
#define JWS_SIG_MAX 1024 /* RSA up to 8192 bits */

/* One parsed compact JWS.  The pointers are borrowed from the token text. */
struct jws {
	const char *token;   /* header.payload.signature, NUL-terminated */
	const char *payload; /* base64url, payload_len bytes */
	size_t payload_len;
	const char *sig;           /* base64url, to the end of token */
	size_t signed_len;         /* bytes of header.payload, the signing input */
	enum jws_alg alg;          /* JWS_ALG_UNKNOWN for "none" and anything else */
	char kid[JWK_KID_MAX + 1]; /* "" when absent */
	char typ[JWS_TYP_MAX + 1]; /* "" when absent */
	unsigned extra;            /* header members other than alg, kid and typ */
};

/*
 * Splits token (exactly three base64url parts) and decodes its header
 * into out, unverified.  -1 when the header is not a JSON object with a
 * string alg, has a non-string or overlong kid or typ, or has "crit" (no
 * extension is understood here, RFC 7515 4.1.11).
 */
int jws_parse(const char *token, struct jws *out);

/*
 * Verifies the parsed token with key: the header's alg must be key->alg,
 * a kid in it must be key->kid, and the signature must match (HS256
 * compared in constant time).  The payload parsed as JSON (new reference)
 * or NULL.
 */
json_t *jws_verify(const struct jws *jws, const struct jwk *key);

/*
 * Signs claims (borrowed) with key as a compact JWS: header alg, typ JWT
 * and kid when key has one; claims with sorted keys (as libjwt wrote
 * them).  malloc'd (caller frees), or NULL.
 */
char *jws_sign(const json_t *claims, const struct jwk *key);

#endif
