/*
 * jwk: keys with OpenSSL 3 EVP, each bound to one algorithm.
 *
 * A key carries its one algorithm from the moment it is made (a secret ->
 * HS256, RSA -> RS256, P-256 -> ES256) and jws.c refuses a header whose
 * alg differs, so there is no code path from an asymmetric key to an HMAC
 * ("HS256 signed with the RSA public key" forgeries).  JWK numbers become
 * EVP_PKEYs through EVP_PKEY_fromdata; an EC point is checked to lie on
 * the curve before it is used.  base64url is the strict codec of
 * base64.c: a key has exactly one spelling.
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "jwk.h"

#define RSA_MIN_BITS 2048
#define EC_COORD 32  /* P-256 coordinate and scalar bytes */
#define NUM_MAX 1024 /* decoded JWK number: RSA up to 8192 bits */

static void seterr(char *err, size_t errlen, const char *what, const char *kid)
{
	if (err && errlen)
		snprintf(err, errlen, "%s%s%s", kid && *kid ? "key " : "", kid && *kid ? kid : "",
		         what);
}

enum jws_alg jws_alg_parse(const char *name)
{
	if (!name)
		return JWS_ALG_UNKNOWN;
	if (!strcmp(name, "HS256"))
		return JWS_HS256;
	if (!strcmp(name, "RS256"))
		return JWS_RS256;
	if (!strcmp(name, "ES256"))
		return JWS_ES256;
	return JWS_ALG_UNKNOWN;
}

const char *jws_alg_name(enum jws_alg alg)
{
	static const char *const names[] = {
	        [JWS_HS256] = "HS256", [JWS_RS256] = "RS256", [JWS_ES256] = "ES256"};

	return alg > JWS_ALG_UNKNOWN && alg <= JWS_ES256 ? names[alg] : NULL;
}

int jwk_set_secret(struct jwk *out, const unsigned char *secret, size_t len)
{
	memset(out, 0, sizeof(*out));
	if (len == 0 || len > sizeof(out->secret))
		return -1;
	memcpy(out->secret, secret, len);
	out->secret_len = len;
	out->alg = JWS_HS256;
	return 0;
}

void jwk_release(struct jwk *key)
{
	if (!key)
		return;
	EVP_PKEY_free(key->pkey);
	OPENSSL_cleanse(key, sizeof(*key));
}

/* ---- JWK members -> EVP_PKEY ---- */

/* A base64url member of jwk into out; the byte count or -1. */
static long b64_member(const json_t *jwk, const char *name, unsigned char *out, size_t max)
{
	const json_t *v = json_object_get(jwk, name);

	if (!json_is_string(v))
		return -1;
	return base64_decode(json_string_value(v), json_string_length(v), out, max, 1);
}

static EVP_PKEY *pkey_fromdata(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *pkey = NULL;

	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

static EVP_PKEY *rsa_from_jwk(const json_t *jwk)
{
	unsigned char n[NUM_MAX], e[16];
	long nlen = b64_member(jwk, "n", n, sizeof(n));
	long elen = b64_member(jwk, "e", e, sizeof(e));
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *bn = NULL, *be = NULL;
	EVP_PKEY *pkey = NULL;

	if (nlen <= 0 || elen <= 0 || n[0] == 0 || !bld)
		goto out;
	bn = BN_bin2bn(n, (int)nlen, NULL);
	be = BN_bin2bn(e, (int)elen, NULL);
	if (!bn || !be || BN_num_bits(bn) < RSA_MIN_BITS || !BN_is_odd(be) || BN_is_one(be) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
		goto out;
	pkey = pkey_fromdata("RSA", bld);
out:
	BN_free(bn);
	BN_free(be);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* The point must be on P-256: EVP_PKEY_public_check, since fromdata does not look. */
static EVP_PKEY *ec_checked(EVP_PKEY *pkey)
{
	EVP_PKEY_CTX *ctx = pkey ? EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL) : NULL;
	int ok = ctx && EVP_PKEY_public_check(ctx) == 1;

	EVP_PKEY_CTX_free(ctx);
	if (ok)
		return pkey;
	EVP_PKEY_free(pkey);
	return NULL;
}

static EVP_PKEY *ec_from_jwk(const json_t *jwk)
{
	unsigned char point[1 + 2 * EC_COORD];
	const json_t *crv = json_object_get(jwk, "crv");
	OSSL_PARAM_BLD *bld;
	EVP_PKEY *pkey = NULL;

	if (!json_is_string(crv) || strcmp(json_string_value(crv), "P-256") != 0)
		return NULL;
	point[0] = 0x04; /* uncompressed */
	if (b64_member(jwk, "x", point + 1, EC_COORD) != EC_COORD ||
	    b64_member(jwk, "y", point + 1 + EC_COORD, EC_COORD) != EC_COORD)
		return NULL;
	bld = OSSL_PARAM_BLD_new();
	if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)))
		pkey = ec_checked(pkey_fromdata("EC", bld));
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* ---- JWKS ---- */

/* 1: a signing key of ours to load; 0: another kind, skipped; -1: malformed. */
static int jwk_kind(const json_t *jwk, enum jws_alg *alg)
{
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	const json_t *use = json_object_get(jwk, "use");
	const json_t *a = json_object_get(jwk, "alg");

	if (!json_is_object(jwk) || !kty)
		return -1;
	if (use && (!json_is_string(use) || strcmp(json_string_value(use), "sig") != 0))
		return 0;
	if (!strcmp(kty, "RSA"))
		*alg = JWS_RS256;
	else if (!strcmp(kty, "EC"))
		*alg = JWS_ES256;
	else
		return 0;
	if (a && (!json_is_string(a) || jws_alg_parse(json_string_value(a)) != *alg))
		return 0; /* e.g. RSA-OAEP or PS256: not a key for our algorithms */
	return 1;
}

static int jwks_add(struct jwks *set, const json_t *jwk, char *err, size_t errlen)
{
	const json_t *kid = json_object_get(jwk, "kid");
	struct jwk *k = &set->keys[set->n];
	enum jws_alg alg = JWS_ALG_UNKNOWN;
	int kind = jwk_kind(jwk, &alg);

	if (kind < 0)
		seterr(err, errlen, "a key is not a JWK object with kty", NULL);
	if (kind <= 0)
		return kind;
	if (!json_is_string(kid) || json_string_length(kid) == 0 ||
	    json_string_length(kid) > JWK_KID_MAX ||
	    strlen(json_string_value(kid)) != json_string_length(kid)) {
		seterr(err, errlen, "a key has no kid or one longer than 128 bytes", NULL);
		return -1;
	}
	if (jwks_find(set, json_string_value(kid))) {
		seterr(err, errlen, ": kid given twice", json_string_value(kid));
		return -1;
	}
	if (set->n == JWKS_MAX_KEYS) {
		seterr(err, errlen, "more than 16 keys", NULL);
		return -1;
	}
	k->pkey = alg == JWS_RS256 ? rsa_from_jwk(jwk) : ec_from_jwk(jwk);
	if (!k->pkey) {
		seterr(err, errlen, ": not a usable RSA (>= 2048 bits) or P-256 public key",
		       json_string_value(kid));
		return -1;
	}
	k->alg = alg;
	memcpy(k->kid, json_string_value(kid), json_string_length(kid) + 1);
	set->n++;
	return 1;
}

int jwks_parse(const char *text, size_t len, struct jwks *out, char *err, size_t errlen)
{
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	const json_t *keys = json_object_get(doc, "keys");
	const json_t *jwk;
	size_t i;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!json_is_array(keys)) {
		seterr(err, errlen, "not a JSON object with a \"keys\" array", NULL);
		rc = -1;
	}
	json_array_foreach (keys, i, jwk) {
		if (rc == 0 && jwks_add(out, jwk, err, errlen) < 0)
			rc = -1;
	}
	if (rc == 0 && out->n == 0) {
		seterr(err, errlen, "no RS256 or ES256 signing key in the set", NULL);
		rc = -1;
	}
	json_decref(doc);
	if (rc)
		jwks_release(out);
	return rc;
}

void jwks_release(struct jwks *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		jwk_release(&set->keys[i]);
	set->n = 0;
}

const struct jwk *jwks_find(const struct jwks *set, const char *kid)
{
	for (size_t i = 0; kid && i < set->n; i++) {
		if (!strcmp(set->keys[i].kid, kid))
			return &set->keys[i];
	}
	return NULL;
}

/* ---- public JWK and thumbprint ---- */

static json_t *b64_json(const unsigned char *b, size_t n)
{
	char text[2 * NUM_MAX];

	if (4 * ((n + 2) / 3) + 1 > sizeof(text))
		return NULL;
	base64_encode(b, n, text, 1);
	return json_string(text);
}

static json_t *bn_json(const EVP_PKEY *pkey, const char *name)
{
	unsigned char buf[NUM_MAX];
	BIGNUM *bn = NULL;
	json_t *j = NULL;
	int n;

	if (EVP_PKEY_get_bn_param(pkey, name, &bn) == 1 && BN_num_bytes(bn) <= (int)sizeof(buf)) {
		n = BN_bn2bin(bn, buf);
		j = b64_json(buf, (size_t)n);
	}
	BN_free(bn);
	return j;
}

/* The members RFC 7638 hashes, in its (lexical) order: e kty n, or crv kty x y. */
static json_t *jwk_required(const struct jwk *key)
{
	unsigned char pt[1 + 2 * EC_COORD];
	size_t ptlen = 0;

	if (key->alg == JWS_RS256)
		return json_pack("{s:o?, s:s, s:o?}", "e",
		                 bn_json(key->pkey, OSSL_PKEY_PARAM_RSA_E), "kty", "RSA", "n",
		                 bn_json(key->pkey, OSSL_PKEY_PARAM_RSA_N));
	if (EVP_PKEY_get_octet_string_param(key->pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt,
	                                    sizeof(pt), &ptlen) != 1 ||
	    ptlen != sizeof(pt))
		return NULL;
	return json_pack("{s:s, s:s, s:o?, s:o?}", "crv", "P-256", "kty", "EC", "x",
	                 b64_json(pt + 1, EC_COORD), "y", b64_json(pt + 1 + EC_COORD, EC_COORD));
}

static int thumbprint(const struct jwk *key, char out[JWK_KID_MAX + 1])
{
	json_t *req = jwk_required(key);
	char *text = req ? json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	unsigned char md[32];
	int ok = text && EVP_Digest(text, strlen(text), md, NULL, EVP_sha256(), NULL) == 1;

	if (ok)
		base64_encode(md, sizeof(md), out, 1);
	free(text);
	json_decref(req);
	return ok ? 0 : -1;
}

json_t *jwk_public_json(const struct jwk *key)
{
	json_t *j = key->pkey ? jwk_required(key) : NULL;

	if (j && (json_object_set_new(j, "use", json_string("sig")) ||
	          json_object_set_new(j, "alg", json_string(jws_alg_name(key->alg))) ||
	          json_object_set_new(j, "kid", json_string(key->kid)))) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* ---- private keys ---- */

/* The key is of the kind alg needs: RSA of enough bits, or EC on P-256. */
static int pkey_fits(EVP_PKEY *pkey, enum jws_alg alg)
{
	char group[32];

	if (alg == JWS_RS256)
		return EVP_PKEY_is_a(pkey, "RSA") && EVP_PKEY_get_bits(pkey) >= RSA_MIN_BITS;
	return alg == JWS_ES256 && EVP_PKEY_is_a(pkey, "EC") &&
	       EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
	                                      sizeof(group), NULL) == 1 &&
	       (!strcmp(group, "prime256v1") || !strcmp(group, "P-256"));
}

/* Why the PEM key at path is not usable, into err: OpenSSL's reason when it has one. */
static void private_err(const char *path, const char *why, char *err, size_t errlen)
{
	char ssl[256] = "";
	unsigned long e = ERR_get_error();

	if (e)
		ERR_error_string_n(e, ssl, sizeof(ssl));
	ERR_clear_error();
	if (err && errlen)
		snprintf(err, errlen, "%s: %s%s%s", path, why, e ? ": " : "", ssl);
}

int jwk_load_private(const char *path, enum jws_alg alg, struct jwk *out, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "re");
	EVP_PKEY *pkey = fp ? PEM_read_PrivateKey(fp, NULL, NULL, NULL) : NULL;
	const char *why = !fp                ? "cannot open"
	                  : !pkey            ? "not a PEM private key"
	                  : alg == JWS_RS256 ? "RS256 needs an RSA key of at least 2048 bits"
	                                     : "ES256 needs an EC key on P-256";

	memset(out, 0, sizeof(*out));
	if (fp)
		fclose(fp);
	if (!pkey || !pkey_fits(pkey, alg))
		goto fail;
	out->pkey = pkey;
	out->alg = alg;
	why = "cannot compute the key's thumbprint";
	if (thumbprint(out, out->kid) < 0)
		goto fail;
	return 0;
fail:
	private_err(path, why, err, errlen);
	EVP_PKEY_free(pkey);
	memset(out, 0, sizeof(*out));
	return -1;
}
