/*
 * jwks: the asymmetric side of tokens.  JSON Web Key sets (RFC 7517) of
 * RS256 and ES256 public keys, PEM private keys for our own issuer, and
 * compact JWS (RFC 7515) signing and verification with OpenSSL EVP.
 *
 * The keyring is the process's loaded keys: our signing key, the external
 * issuer's JWKS and the map from its client ids to our OAuth clients.  The
 * master loads it with the configuration (and again on SIGHUP, keeping the
 * old one if the new files are bad) before it forks, so workers inherit
 * it and never read key files while serving.
 */
#ifndef JWKS_H
#define JWKS_H

#include <jansson.h>
#include <openssl/evp.h>
#include <stddef.h>

#include "config.h"

enum jws_alg { JWS_ALG_UNKNOWN, JWS_HS256, JWS_RS256, JWS_ES256 };

#define JWKS_MAX_KEYS 16
#define JWK_KID_MAX 128
#define JWS_SIG_MAX 1024 /* RSA up to 8192 bits */

struct jwk {
	char kid[JWK_KID_MAX + 1];
	enum jws_alg alg; /* JWS_RS256 for an RSA key, JWS_ES256 for a P-256 key */
	EVP_PKEY *pkey;   /* owned; NULL: no key */
};

struct jwks {
	size_t n;
	struct jwk keys[JWKS_MAX_KEYS];
};

/* "RS256" -> JWS_RS256 ...; JWS_ALG_UNKNOWN for anything else (also "none"). */
enum jws_alg jws_alg_parse(const char *name);

/*
 * A JWKS document (len bytes of text) into out.  Keys for encryption
 * ("use": "enc") or of other types and algorithms are skipped; an RSA key
 * under 2048 bits, an EC key off the P-256 curve, a missing or repeated
 * kid are errors, and so is a set with no usable key.  0, or -1 with a
 * reason in err.  Release out with jwks_release.
 */
int jwks_parse(const char *text, size_t len, struct jwks *out, char *err, size_t errlen);

/* jwks_parse of the file at path (at most 1 MiB). */
int jwks_load(const char *path, struct jwks *out, char *err, size_t errlen);

/* Frees the keys; the set is then empty.  NULL is a no-op. */
void jwks_release(struct jwks *set);

/* The key with this kid (borrowed from set), or NULL. */
const struct jwk *jwks_find(const struct jwks *set, const char *kid);

/*
 * A PEM private key for alg (RSA >= 2048 bits for RS256, P-256 for
 * ES256) into out; out->kid is its RFC 7638 thumbprint.  0 or -1 with err.
 */
int jwk_load_private(const char *path, enum jws_alg alg, struct jwk *out, char *err, size_t errlen);

/* The public JWK of key: kty, use, alg, kid and n/e or crv/x/y.  New reference, NULL on OOM. */
json_t *jwk_public_json(const struct jwk *key);

/*
 * The alg and kid of a compact JWS's header, unverified, for choosing the
 * key.  kid is "" when absent.  -1 when the header is not a JSON object
 * with a string alg, has a non-string kid, or has "crit" (no extension is
 * understood here, RFC 7515 4.1.11).
 */
int jws_peek(const char *token, enum jws_alg *alg, char kid[JWK_KID_MAX + 1]);

/*
 * Verifies the compact JWS token (exactly three base64url parts) with key:
 * the header's alg must be key->alg and a kid in it must be key->kid.
 * Returns the payload parsed as JSON (new reference) or NULL.
 */
json_t *jws_verify(const char *token, const struct jwk *key);

/* Signs claims (borrowed) with key as a compact JWS with typ JWT and kid.  malloc'd, or NULL. */
char *jws_sign(const json_t *claims, const struct jwk *key);

#define KEYRING_MAP_MAX 256
#define KEYRING_ID_MAX 128

struct keyring {
	struct jwk signing;   /* our key for RS256/ES256; pkey NULL with HS256 */
	struct jwks external; /* the external issuer's keys; empty when none is configured */
	size_t nmap;
	struct {
		char external[KEYRING_ID_MAX + 1]; /* the external token's client_id */
		char local[KEYRING_ID_MAX + 1];    /* our OAuth client it acts as */
	} map[KEYRING_MAP_MAX];
};

/*
 * Loads the key files cfg names (jwt_private_key_file, jwks_file,
 * external_client_map_file) and makes them the current keyring; on error
 * the current one stays and -1 comes back with a reason in err.
 */
int keyring_load(const struct config *cfg, char *err, size_t errlen);

/* The current keyring (borrowed; empty before keyring_load), never NULL. */
const struct keyring *keyring_current(void);

/* Our client id for an external client id (borrowed from ring), or NULL if unmapped. */
const char *keyring_local_client(const struct keyring *ring, const char *external);

#endif
