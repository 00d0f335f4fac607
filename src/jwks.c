/*
 * jwks: keys and compact JWS with OpenSSL 3 EVP, no libjwt.
 *
 * Why not libjwt: 1.10 takes the algorithm from the token's own header and
 * wants PEM keys, which is how "HS256 signed with the RSA public key"
 * forgeries get in.  Here a key carries its one algorithm from the moment
 * it is loaded (RSA -> RS256, P-256 -> ES256), jws_verify refuses a
 * header whose alg differs, and there is no code path from an asymmetric
 * key to an HMAC.  JWK numbers become EVP_PKEYs through EVP_PKEY_fromdata;
 * an EC point is checked to lie on the curve before it is used.
 *
 * ES256 signatures in a JWS are raw r||s (32 bytes each, RFC 7518 3.4);
 * OpenSSL speaks DER, so both directions convert.  base64url is the strict
 * codec of base64.c: a token has exactly one spelling.
 *
 * The keyring is a process global, like the metrics mapping: the master
 * loads it before forking and the workers only read it.
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "jwks.h"

#define RSA_MIN_BITS 2048
#define EC_COORD 32  /* P-256 coordinate and scalar bytes */
#define NUM_MAX 1024 /* decoded JWK number: RSA up to 8192 bits */
#define FILE_MAX (1024 * 1024)
#define HEADER_MAX 1024 /* decoded JWS header bytes */
#define PAYLOAD_MAX 8192

static struct keyring current;

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

static const char *alg_name(enum jws_alg alg)
{
	return alg == JWS_RS256 ? "RS256" : alg == JWS_ES256 ? "ES256" : "HS256";
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

/* The whole file into a malloc'd buffer; NULL with err. */
static char *slurp(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "re");
	char *buf = fp ? malloc(FILE_MAX + 1) : NULL;
	size_t n = buf ? fread(buf, 1, FILE_MAX + 1, fp) : 0;

	if (!fp || !buf || ferror(fp) || n > FILE_MAX) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path,
			         !fp            ? "cannot open"
			         : n > FILE_MAX ? "larger than 1 MiB"
			                        : "read error");
		free(buf);
		buf = NULL;
	} else {
		buf[n] = '\0';
		*len = n;
	}
	if (fp)
		fclose(fp);
	return buf;
}

int jwks_load(const char *path, struct jwks *out, char *err, size_t errlen)
{
	size_t len = 0;
	char *text = slurp(path, &len, err, errlen);
	char why[192];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!text)
		return -1;
	rc = jwks_parse(text, len, out, why, sizeof(why));
	if (rc && err && errlen)
		snprintf(err, errlen, "%s: %s", path, why);
	free(text);
	return rc;
}

void jwks_release(struct jwks *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		EVP_PKEY_free(set->keys[i].pkey);
	memset(set, 0, sizeof(*set));
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
	json_t *j = jwk_required(key);

	if (j && (json_object_set_new(j, "use", json_string("sig")) ||
	          json_object_set_new(j, "alg", json_string(alg_name(key->alg))) ||
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

int jwk_load_private(const char *path, enum jws_alg alg, struct jwk *out, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "re");
	EVP_PKEY *pkey = fp ? PEM_read_PrivateKey(fp, NULL, NULL, NULL) : NULL;

	memset(out, 0, sizeof(*out));
	if (fp)
		fclose(fp);
	if (!pkey || !pkey_fits(pkey, alg)) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path,
			         !fp                ? "cannot open"
			         : !pkey            ? "not a PEM private key"
			         : alg == JWS_RS256 ? "RS256 needs an RSA key of at least 2048 bits"
			                            : "ES256 needs an EC key on P-256");
		EVP_PKEY_free(pkey);
		return -1;
	}
	out->pkey = pkey;
	out->alg = alg;
	if (thumbprint(out, out->kid) < 0) {
		seterr(err, errlen, "cannot compute the key's thumbprint", NULL);
		EVP_PKEY_free(pkey);
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}

/* ---- compact JWS ---- */

/* The decoded header of token as a JSON object (new reference), or NULL. */
static json_t *jws_header(const char *token)
{
	unsigned char raw[HEADER_MAX];
	const char *dot = strchr(token, '.');
	json_t *hdr;
	long n;

	if (!dot)
		return NULL;
	n = base64_decode(token, (size_t)(dot - token), raw, sizeof(raw), 1);
	hdr = n > 0 ? json_loadb((const char *)raw, (size_t)n, JSON_REJECT_DUPLICATES, NULL) : NULL;
	if (hdr && (!json_is_object(hdr) || json_object_get(hdr, "crit"))) {
		json_decref(hdr);
		return NULL;
	}
	return hdr;
}

int jws_peek(const char *token, enum jws_alg *alg, char kid[JWK_KID_MAX + 1])
{
	json_t *hdr = jws_header(token);
	const json_t *a = json_object_get(hdr, "alg"), *k = json_object_get(hdr, "kid");
	int ok = json_is_string(a) &&
	         (!k || (json_is_string(k) && json_string_length(k) <= JWK_KID_MAX));

	if (ok) {
		*alg = jws_alg_parse(json_string_value(a));
		snprintf(kid, JWK_KID_MAX + 1, "%s", k ? json_string_value(k) : "");
	}
	json_decref(hdr);
	return ok ? 0 : -1;
}

/* ES256: raw r||s <-> DER ECDSA-Sig-Value.  The DER length, or -1. */
static long es_raw_to_der(const unsigned char *raw, size_t len, unsigned char *der, size_t cap)
{
	ECDSA_SIG *sig;
	BIGNUM *r, *s;
	unsigned char *p = der;
	long n = -1;

	if (len != 2 * EC_COORD)
		return -1;
	sig = ECDSA_SIG_new();
	r = BN_bin2bn(raw, EC_COORD, NULL);
	s = BN_bin2bn(raw + EC_COORD, EC_COORD, NULL);
	if (sig && r && s && ECDSA_SIG_set0(sig, r, s) == 1) {
		r = s = NULL; /* owned by sig now */
		if (i2d_ECDSA_SIG(sig, NULL) <= (int)cap)
			n = i2d_ECDSA_SIG(sig, &p);
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	return n;
}

static long es_der_to_raw(const unsigned char *der, size_t len, unsigned char raw[2 * EC_COORD])
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
	long n = -1;

	if (sig && BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, EC_COORD) == EC_COORD &&
	    BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + EC_COORD, EC_COORD) == EC_COORD)
		n = 2 * EC_COORD;
	ECDSA_SIG_free(sig);
	return n;
}

/* SHA-256 signature check of data with key as its alg wants it. 0 or -1. */
static int sig_check(const struct jwk *key, const char *data, size_t len, const unsigned char *sig,
                     size_t siglen)
{
	unsigned char der[2 * EC_COORD + 16];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = 0;

	if (key->alg == JWS_ES256) {
		long n = es_raw_to_der(sig, siglen, der, sizeof(der));

		sig = der;
		siglen = n > 0 ? (size_t)n : 0;
	} else if (siglen != (size_t)EVP_PKEY_get_size(key->pkey)) {
		siglen = 0;
	}
	if (ctx && siglen > 0 &&
	    EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key->pkey) == 1)
		ok = EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)data, len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* The header names key's alg, and key's kid if it names one. */
static int header_matches(const char *token, const struct jwk *key)
{
	enum jws_alg alg;
	char kid[JWK_KID_MAX + 1];

	return jws_peek(token, &alg, kid) == 0 && alg == key->alg && key->pkey &&
	       (!kid[0] || !strcmp(kid, key->kid));
}

json_t *jws_verify(const char *token, const struct jwk *key)
{
	unsigned char payload[PAYLOAD_MAX];
	unsigned char sig[JWS_SIG_MAX];
	const char *d1 = strchr(token, '.');
	const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	long siglen, n;

	if (!d2 || strchr(d2 + 1, '.') || !header_matches(token, key))
		return NULL;
	siglen = base64_decode(d2 + 1, strlen(d2 + 1), sig, sizeof(sig), 1);
	if (siglen <= 0 || sig_check(key, token, (size_t)(d2 - token), sig, (size_t)siglen) < 0)
		return NULL;
	n = base64_decode(d1 + 1, (size_t)(d2 - d1 - 1), payload, sizeof(payload), 1);
	return n > 0 ? json_loadb((const char *)payload, (size_t)n, JSON_REJECT_DUPLICATES, NULL)
	             : NULL;
}

/* The signature of data into sig (raw r||s for ES256); its length or -1. */
static long sig_make(const struct jwk *key, const char *data, size_t len, unsigned char *sig,
                     size_t cap)
{
	unsigned char der[JWS_SIG_MAX];
	size_t n = sizeof(der);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key->pkey) == 1 &&
	         EVP_DigestSign(ctx, der, &n, (const unsigned char *)data, len) == 1;

	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -1;
	if (key->alg == JWS_ES256)
		return cap >= 2 * EC_COORD ? es_der_to_raw(der, n, sig) : -1;
	if (n > cap)
		return -1;
	memcpy(sig, der, n);
	return (long)n;
}

/* base64url of len bytes appended at out + *used (cap bytes in all). 0 or -1. */
static int append_b64(char *out, size_t cap, size_t *used, const void *in, size_t len)
{
	if (4 * ((len + 2) / 3) + 1 > cap - *used)
		return -1;
	*used += base64_encode(in, len, out + *used, 1);
	return 0;
}

char *jws_sign(const json_t *claims, const struct jwk *key)
{
	json_t *hdr = json_pack("{s:s, s:s, s:s}", "alg", alg_name(key->alg), "typ", "JWT", "kid",
	                        key->kid);
	char *h = hdr ? json_dumps(hdr, JSON_COMPACT) : NULL;
	char *p = json_dumps(claims, JSON_COMPACT);
	unsigned char sig[JWS_SIG_MAX];
	size_t cap = 2 * PAYLOAD_MAX, used = 0;
	char *out = malloc(cap);
	long siglen;
	int ok = h && p && out && append_b64(out, cap, &used, h, strlen(h)) == 0 && used < cap - 1;

	if (ok) {
		out[used++] = '.';
		ok = append_b64(out, cap, &used, p, strlen(p)) == 0 && used < cap - 1;
	}
	siglen = ok ? sig_make(key, out, used, sig, sizeof(sig)) : -1;
	if (siglen > 0) {
		out[used++] = '.';
		ok = append_b64(out, cap, &used, sig, (size_t)siglen) == 0;
	}
	json_decref(hdr);
	free(h);
	free(p);
	if (ok && siglen > 0)
		return out;
	free(out);
	return NULL;
}

/* ---- the keyring ---- */

#define BLANKS " \t"

/* Cuts the next blank-separated word at *p: the word (NUL-terminated), or NULL at the end. */
static char *next_word(char **p)
{
	char *w = *p + strspn(*p, BLANKS);
	size_t n = strcspn(w, BLANKS);

	*p = w + n;
	if (n == 0)
		return NULL;
	if (**p) {
		**p = '\0';
		(*p)++;
	}
	return w;
}

/* "external local" per line, '#' comments; -1 with err on a bad or repeated line. */
static int map_line(struct keyring *ring, char *line, int lineno, char *err, size_t errlen)
{
	char *p = line, *ext, *loc;

	line[strcspn(line, "#\r")] = '\0';
	ext = next_word(&p);
	loc = ext ? next_word(&p) : NULL;
	if (!ext)
		return 0;
	if (!loc || next_word(&p) || strlen(ext) > KEYRING_ID_MAX || strlen(loc) > KEYRING_ID_MAX ||
	    ring->nmap == KEYRING_MAP_MAX || keyring_local_client(ring, ext)) {
		if (err && errlen)
			snprintf(err, errlen,
			         "line %d: want \"external_client_id local_client_id\" "
			         "(unique, at most %d lines)",
			         lineno, KEYRING_MAP_MAX);
		return -1;
	}
	memcpy(ring->map[ring->nmap].external, ext, strlen(ext) + 1);
	memcpy(ring->map[ring->nmap].local, loc, strlen(loc) + 1);
	ring->nmap++;
	return 0;
}

static int map_load(struct keyring *ring, const char *path, char *err, size_t errlen)
{
	size_t len = 0;
	char *text = slurp(path, &len, err, errlen);
	char *line = text, *nl, why[160];
	int lineno = 0, rc = text ? 0 : -1;

	for (; rc == 0 && line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		rc = map_line(ring, line, ++lineno, why, sizeof(why));
		if (rc && err && errlen)
			snprintf(err, errlen, "%s: %s", path, why);
	}
	free(text);
	return rc;
}

static void keyring_release(struct keyring *ring)
{
	EVP_PKEY_free(ring->signing.pkey);
	jwks_release(&ring->external);
	memset(ring, 0, sizeof(*ring));
}

int keyring_load(const struct config *cfg, char *err, size_t errlen)
{
	static struct keyring fresh;
	enum jws_alg alg = jws_alg_parse(cfg->jwt_alg);
	int rc = 0;

	memset(&fresh, 0, sizeof(fresh));
	if (alg == JWS_RS256 || alg == JWS_ES256)
		rc = jwk_load_private(cfg->jwt_private_key_file, alg, &fresh.signing, err, errlen);
	if (rc == 0 && cfg->jwks_file[0])
		rc = jwks_load(cfg->jwks_file, &fresh.external, err, errlen);
	if (rc == 0 && cfg->external_client_map_file[0])
		rc = map_load(&fresh, cfg->external_client_map_file, err, errlen);
	if (rc) {
		keyring_release(&fresh);
		return -1;
	}
	keyring_release(&current);
	current = fresh;
	memset(&fresh, 0, sizeof(fresh));
	return 0;
}

const struct keyring *keyring_current(void)
{
	return &current;
}

const char *keyring_local_client(const struct keyring *ring, const char *external)
{
	for (size_t i = 0; external && i < ring->nmap; i++) {
		if (!strcmp(ring->map[i].external, external))
			return ring->map[i].local;
	}
	return NULL;
}
