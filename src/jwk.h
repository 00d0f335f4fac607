/*
 * jwk: keys, each bound to one JWS algorithm from the moment it is made.
 * An HS256 key holds its secret bytes, an RS256 or ES256 key an OpenSSL
 * EVP_PKEY; nothing turns one kind into the other.  Also JSON Web Key
 * sets (RFC 7517) of public keys, PEM private keys for our own issuer, the
 * public JWK we publish and its RFC 7638 thumbprint.  Pure: no logging,
 * errors come back as text in a caller's buffer.
 */
#ifndef JWK_H
#define JWK_H

#include <jansson.h>
#include <openssl/evp.h>
#include <stddef.h>

enum jws_alg { JWS_ALG_UNKNOWN, JWS_HS256, JWS_RS256, JWS_ES256 };

#define JWKS_MAX_KEYS 16
#define JWK_KID_MAX 128
#define JWK_SECRET_MAX 256

struct jwk {
	char kid[JWK_KID_MAX + 1]; /* "" for our HS256 key: its tokens carry none */
	enum jws_alg alg;
	EVP_PKEY *pkey;                       /* owned; RS256 (RSA) or ES256 (P-256), else NULL */
	unsigned char secret[JWK_SECRET_MAX]; /* HS256 only */
	size_t secret_len;
};

struct jwks {
	size_t n;
	struct jwk keys[JWKS_MAX_KEYS];
};

/* "RS256" -> JWS_RS256 ...; JWS_ALG_UNKNOWN for anything else (also "none"). */
enum jws_alg jws_alg_parse(const char *name);
/* JWS_RS256 -> "RS256" ...; NULL for JWS_ALG_UNKNOWN.  Static storage. */
const char *jws_alg_name(enum jws_alg alg);

/* An HS256 key of the len bytes at secret (copied) and no kid; -1 unless 1..256 bytes. */
int jwk_set_secret(struct jwk *out, const unsigned char *secret, size_t len);

/* Frees the key and wipes the secret; the key is then empty.  NULL is a no-op. */
void jwk_release(struct jwk *key);

/*
 * A JWKS document (len bytes of text) into out.  Keys for encryption
 * ("use": "enc") or of other types and algorithms are skipped; an RSA key
 * under 2048 bits, an EC key off the P-256 curve, a missing or repeated
 * kid are errors, and so is a set with no usable key.  0, or -1 with a
 * reason in err (may be NULL).  Release out with jwks_release.
 */
int jwks_parse(const char *text, size_t len, struct jwks *out, char *err, size_t errlen);

/* Frees the keys; the set is then empty.  NULL is a no-op. */
void jwks_release(struct jwks *set);

/* The key with this kid (borrowed from set), or NULL. */
const struct jwk *jwks_find(const struct jwks *set, const char *kid);

/*
 * A PEM private key for alg (RSA >= 2048 bits for RS256, P-256 for
 * ES256) into out; out->kid is its RFC 7638 thumbprint.  0, or -1 with
 * err (OpenSSL's reason included when it has one).
 */
int jwk_load_private(const char *path, enum jws_alg alg, struct jwk *out, char *err, size_t errlen);

/*
 * The public JWK of an RS256/ES256 key: kty, use, alg, kid and n/e or
 * crv/x/y.  New reference; NULL on OOM and for an HS256 key (a secret is
 * never rendered).
 */
json_t *jwk_public_json(const struct jwk *key);

#endif
