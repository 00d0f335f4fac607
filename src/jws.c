/*
 * jws: compact JWS with OpenSSL 3, one code path for HS256, RS256 and
 * ES256.
 *
 * The algorithm comes from the key, never from the token: jws_verify
 * refuses a header whose alg is not the key's, so "alg": "none" and
 * algorithm-confusion forgeries fail before any signature is looked at.
 * The header is decoded once, by jws_parse, and the caller picks the key
 * from that parse.  HS256 is HMAC-SHA256 compared with CRYPTO_memcmp.
 * ES256 signatures in a JWS are raw r||s (32 bytes each, RFC 7518 3.4);
 * OpenSSL speaks DER, so both directions convert.  base64url is the
 * strict codec of base64.c: a token has exactly one spelling.
 */
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "jws.h"

#define EC_COORD 32     /* P-256 coordinate and scalar bytes */
#define HMAC_LEN 32     /* HMAC-SHA256 */
#define HEADER_MAX 1024 /* decoded JWS header bytes */
#define PAYLOAD_MAX 8192

/* ---- parse ---- */

/* A string member of hdr into out (at most max bytes, no NUL inside); absent: "".  0 or -1. */
static int header_string(const json_t *hdr, const char *name, char *out, size_t max)
{
	const json_t *v = json_object_get(hdr, name);
	size_t n = json_string_length(v);

	out[0] = '\0';
	if (!v)
		return 0;
	if (!json_is_string(v) || n > max || strlen(json_string_value(v)) != n)
		return -1;
	memcpy(out, json_string_value(v), n + 1);
	return 0;
}

/* The decoded header (len base64url bytes at b64) into out's alg, kid, typ and extra. */
static int header_parse(const char *b64, size_t len, struct jws *out)
{
	unsigned char raw[HEADER_MAX];
	char alg[16];
	long n = base64_decode(b64, len, raw, sizeof(raw), 1);
	json_t *hdr = n > 0 ? json_loadb((const char *)raw, (size_t)n, JSON_REJECT_DUPLICATES, NULL)
	                    : NULL;
	int rc = -1;

	if (!json_is_object(hdr) || json_object_get(hdr, "crit") ||
	    !json_is_string(json_object_get(hdr, "alg")))
		goto out;
	if (header_string(hdr, "alg", alg, sizeof(alg) - 1) < 0)
		snprintf(alg, sizeof(alg), "?"); /* too long for any alg we know */
	if (header_string(hdr, "kid", out->kid, JWK_KID_MAX) < 0 ||
	    header_string(hdr, "typ", out->typ, JWS_TYP_MAX) < 0)
		goto out;
	out->alg = jws_alg_parse(alg);
	out->extra = (unsigned)json_object_size(hdr) - 1 - !!json_object_get(hdr, "kid") -
	             !!json_object_get(hdr, "typ");
	rc = 0;
out:
	json_decref(hdr);
	return rc;
}

int jws_parse(const char *token, struct jws *out)
{
	const char *d1 = token ? strchr(token, '.') : NULL;
	const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;

	memset(out, 0, sizeof(*out));
	if (!d2 || strchr(d2 + 1, '.'))
		return -1;
	out->token = token;
	out->payload = d1 + 1;
	out->payload_len = (size_t)(d2 - d1 - 1);
	out->sig = d2 + 1;
	out->signed_len = (size_t)(d2 - token);
	return header_parse(token, (size_t)(d1 - token), out);
}

/* ---- ES256 signature encodings ---- */

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

/* ---- verify ---- */

static int hmac_check(const struct jwk *key, const char *data, size_t len, const unsigned char *sig,
                      size_t siglen)
{
	unsigned char mac[HMAC_LEN];
	unsigned maclen = 0;
	int ok = siglen == HMAC_LEN && key->secret_len > 0 &&
	         HMAC(EVP_sha256(), key->secret, (int)key->secret_len, (const unsigned char *)data,
	              len, mac, &maclen) != NULL &&
	         maclen == HMAC_LEN && CRYPTO_memcmp(mac, sig, HMAC_LEN) == 0;

	OPENSSL_cleanse(mac, sizeof(mac));
	return ok ? 0 : -1;
}

/* SHA-256 signature check of data with key as its alg wants it. 0 or -1. */
static int sig_check(const struct jwk *key, const char *data, size_t len, const unsigned char *sig,
                     size_t siglen)
{
	unsigned char der[2 * EC_COORD + 16];
	EVP_MD_CTX *ctx;
	int ok = 0;

	if (key->alg == JWS_HS256)
		return hmac_check(key, data, len, sig, siglen);
	if (!key->pkey)
		return -1;
	if (key->alg == JWS_ES256) {
		long n = es_raw_to_der(sig, siglen, der, sizeof(der));

		sig = der;
		siglen = n > 0 ? (size_t)n : 0;
	} else if (siglen != (size_t)EVP_PKEY_get_size(key->pkey)) {
		siglen = 0;
	}
	ctx = EVP_MD_CTX_new();
	if (ctx && siglen > 0 &&
	    EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key->pkey) == 1)
		ok = EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)data, len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

json_t *jws_verify(const struct jws *jws, const struct jwk *key)
{
	unsigned char payload[PAYLOAD_MAX];
	unsigned char sig[JWS_SIG_MAX];
	long siglen, n;

	if (!key || jws->alg == JWS_ALG_UNKNOWN || jws->alg != key->alg ||
	    (jws->kid[0] && strcmp(jws->kid, key->kid) != 0))
		return NULL;
	siglen = base64_decode(jws->sig, strlen(jws->sig), sig, sizeof(sig), 1);
	if (siglen <= 0 || sig_check(key, jws->token, jws->signed_len, sig, (size_t)siglen) < 0)
		return NULL;
	n = base64_decode(jws->payload, jws->payload_len, payload, sizeof(payload), 1);
	return n > 0 ? json_loadb((const char *)payload, (size_t)n, JSON_REJECT_DUPLICATES, NULL)
	             : NULL;
}

/* ---- sign ---- */

/* HMAC-SHA256 of data into sig; its length or -1. */
static long hmac_make(const struct jwk *key, const char *data, size_t len, unsigned char *sig,
                      size_t cap)
{
	unsigned maclen = 0;

	if (cap < HMAC_LEN || key->secret_len == 0 ||
	    !HMAC(EVP_sha256(), key->secret, (int)key->secret_len, (const unsigned char *)data, len,
	          sig, &maclen))
		return -1;
	return (long)maclen;
}

/* The signature of data into sig (raw r||s for ES256); its length or -1. */
static long sig_make(const struct jwk *key, const char *data, size_t len, unsigned char *sig,
                     size_t cap)
{
	unsigned char der[JWS_SIG_MAX];
	size_t n = sizeof(der);
	EVP_MD_CTX *ctx;
	int ok;

	if (key->alg == JWS_HS256)
		return hmac_make(key, data, len, sig, cap);
	ctx = key->pkey ? EVP_MD_CTX_new() : NULL;
	ok = ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key->pkey) == 1 &&
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

/* base64url(header) "." base64url(claims) into out; its length, or 0 when it does not fit. */
static size_t signing_input(const json_t *claims, const struct jwk *key, char *out, size_t cap)
{
	json_t *hdr = json_pack("{s:s, s:s}", "alg", jws_alg_name(key->alg), "typ", "JWT");
	char *h = NULL, *p = NULL;
	size_t used = 0;
	int ok;

	if (hdr && key->kid[0] && json_object_set_new(hdr, "kid", json_string(key->kid)))
		goto fail;
	h = hdr ? json_dumps(hdr, JSON_COMPACT) : NULL;
	p = json_dumps(claims, JSON_COMPACT | JSON_SORT_KEYS);
	ok = h && p && append_b64(out, cap, &used, h, strlen(h)) == 0 && used < cap - 1;
	if (ok) {
		out[used++] = '.';
		ok = append_b64(out, cap, &used, p, strlen(p)) == 0 && used < cap - 1;
	}
	if (!ok)
		used = 0;
fail:
	json_decref(hdr);
	free(h);
	free(p);
	return used;
}

char *jws_sign(const json_t *claims, const struct jwk *key)
{
	unsigned char sig[JWS_SIG_MAX];
	size_t cap = 2 * PAYLOAD_MAX;
	char *out = jws_alg_name(key->alg) ? malloc(cap) : NULL;
	size_t used = out ? signing_input(claims, key, out, cap) : 0;
	long siglen = used ? sig_make(key, out, used, sig, sizeof(sig)) : -1;

	if (siglen <= 0)
		goto fail;
	out[used++] = '.';
	if (append_b64(out, cap, &used, sig, (size_t)siglen) < 0)
		goto fail;
	return out;
fail:
	free(out);
	return NULL;
}
