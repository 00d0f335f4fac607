/*
 * test_jws: compact JWS with each algorithm: round trips, tampering, keys
 * of another algorithm, the header parse, the RFC 7515 A.1 HS256 example
 * as a known answer, and tokens libjwt signed (pinned).  Keys are made in
 * memory; the forgeries that need the keyring are in test_keyring.
 */
#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "jwk.h"
#include "jws.h"
#include "tap.h"

static struct jwk rsa1, rsa2, ec1;

/* A new key pair as a struct jwk of its algorithm, with this kid. */
static void new_key(struct jwk *k, enum jws_alg alg, const char *kid)
{
	memset(k, 0, sizeof(*k));
	k->pkey = alg == JWS_RS256 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
	if (!k->pkey)
		abort();
	k->alg = alg;
	snprintf(k->kid, sizeof(k->kid), "%s", kid);
}

/* base64url(header) + ".e30." (payload {}, no signature). */
static const char *unsigned_token(const char *header)
{
	static char tok[512];
	size_t n = base64_encode((const unsigned char *)header, strlen(header), tok, 1);

	snprintf(tok + n, sizeof(tok) - n, ".e30.");
	return tok;
}

/* jws_parse then jws_verify: the payload (new reference) or NULL. */
static json_t *verify_text(const char *token, const struct jwk *key)
{
	struct jws jws;

	return jws_parse(token, &jws) == 0 ? jws_verify(&jws, key) : NULL;
}

/* ---- JWS ---- */

static void test_jws(void)
{
	json_t *claims = json_pack("{s:s}", "sub", "x");
	char *rs = jws_sign(claims, &rsa1), *es = jws_sign(claims, &ec1);
	json_t *got;
	struct jws jws;

	got = verify_text(rs, &rsa1);
	ok(got && !strcmp(json_string_value(json_object_get(got, "sub")), "x"), "RS256 round trip");
	json_decref(got);
	got = verify_text(es, &ec1);
	ok(got != NULL, "ES256 round trip");
	json_decref(got);
	is_int(strlen(strrchr(es, '.') + 1), 86,
	       "ES256 signature is raw r||s (64 bytes, 86 chars)");
	is_int(strlen(strrchr(rs, '.') + 1), 342, "RS256 signature is 256 bytes (342 chars)");
	ok(verify_text(rs, &rsa2) == NULL, "RS256 with another RSA key fails");
	ok(verify_text(es, &rsa1) == NULL,
	   "ES256 token with an RSA key fails (alg bound to the key)");
	ok(jws_parse(es, &jws) == 0 && jws.alg == JWS_ES256 && !strcmp(jws.kid, "ec1") &&
	           !strcmp(jws.typ, "JWT") && jws.extra == 0,
	   "parse alg, kid and typ");
	es[strlen(es) - 2] ^= 1;
	ok(verify_text(es, &ec1) == NULL, "a changed signature fails");
	rs[strchr(rs, '.') - rs + 3] ^= 1;
	ok(verify_text(rs, &rsa1) == NULL, "a changed payload fails");
	ok(jws_parse(unsigned_token("{\"alg\":\"RS256\",\"crit\":[\"x\"]}"), &jws) < 0,
	   "crit in the header is refused");
	ok(jws_parse(unsigned_token("[1]"), &jws) < 0, "a header that is not an object");
	free(rs);
	free(es);
	json_decref(claims);
}

/* RFC 7515 appendix A.1: the HS256 example, a known answer. */
static const char rfc7515_a1[] = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
                                 ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
                                 "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
                                 ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
static const char rfc7515_a1_k[] =
        "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

static void test_hs256(void)
{
	unsigned char k[64];
	long klen = base64_decode(rfc7515_a1_k, strlen(rfc7515_a1_k), k, sizeof(k), 1);
	struct jwk key, other;
	json_t *got = NULL, *claims = json_pack("{s:s}", "sub", "x");
	char *tok;

	ok(klen == 64 && jwk_set_secret(&key, k, (size_t)klen) == 0, "HS256 key of the RFC secret");
	got = verify_text(rfc7515_a1, &key);
	ok(got && json_integer_value(json_object_get(got, "exp")) == 1300819380,
	   "RFC 7515 A.1 HS256 example verifies");
	json_decref(got);
	ok(verify_text(rfc7515_a1, &rsa1) == NULL, "the HS256 example with an RSA key fails");
	tok = jws_sign(claims, &key);
	ok(tok && strlen(strrchr(tok, '.') + 1) == 43, "HS256 signature is 32 bytes (43 chars)");
	got = tok ? verify_text(tok, &key) : NULL;
	ok(got != NULL, "HS256 round trip");
	json_decref(got);
	jwk_set_secret(&other, (const unsigned char *)"another secret", 14);
	ok(tok && verify_text(tok, &other) == NULL, "HS256 with another secret fails");
	ok(tok && verify_text(tok, &rsa1) == NULL,
	   "HS256 token with an RSA key fails (alg bound to the key)");
	ok(jwk_set_secret(&other, k, 0) < 0, "an empty secret is refused");
	ok(jwk_public_json(&key) == NULL, "an HS256 key has no public JWK");
	free(tok);
	json_decref(claims);
	jwk_release(&key);
	jwk_release(&other);
}

/*
 * Tokens signed by libjwt 1.10 (an independent signer) with two keys made
 * for this test; their public halves as a JWKS.  Pinned, so the test
 * needs no libjwt.
 */
static const char libjwt_jwks[] =
        "{\"keys\":[{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":"
        "\"q3umNXZBlECMXGeTnIDWMDu4JlqVyLwU4DwDaekyrf"
        "3vxK-8YXr3Eb9gdEMVPXeWgGIe8hmySBZt4ovSxc-rxVNhVZ_gVIAHfglwxfZiS4d98oZM_YJ5m3dXcO"
        "fgKSJ-wcZZVRqOkygC0-WrGs02L_delVeI8tzTETbvQc8UOgbu6b1ojzyvWTUuGsVat3SZyl6lHNA-8C"
        "ujS5M2si3qYIWkSXNPGJqaMYf80t1IKF0s44XmaSLmVrC1LvrdxKg50AR7Q0LZ4-szvMiJThqZE3aBtu"
        "J-jSXb5wmRFAXWOdw6ZmDoMc_phzuiIcUfDO7wejMC1m13o0pWbGk9WIfeaQ\",\"use\":\"sig\",\"alg\":"
        "\"RS256\",\"kid\":\"libjwt-rsa\"},{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"-"
        "VE9ZlQ675OWeIGmPDocd"
        "JSKkaqKk-bqBtwyAz3hcM0\",\"y\":\"a1XHIME43o4zb75HkDLoEdUxJTZD_ApWM6asUB459m4\",\"use\":"
        "\"sig\",\"alg\":\"ES256\",\"kid\":\"libjwt-ec\"}]}";
static const char *const libjwt_tokens[] = {
        "eyJhbGciOiJSUzI1NiIsImtpZCI6ImxpYmp3dC1yc2EiLCJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ5In0.R"
        "uh8KEVrJfw1oLyBLfVAly09xmAR77V_cohunRI8xTXoYeppNANiD90e83rcbjRMqfB1pDglMR8mXtUCt"
        "Yy8PAhXKyy7fA1Bgw3cjaZcaUklRzsU6jvIu-RWIWHDZ92VMVCUcgc40cs6yQyx1gs3QrkjqeNIU7-zr"
        "BiHp5UiaXEqncv_EhZI9y_lQ8M7xWuBJo3o41d4_N6Np3XCoO1BrLjIruVeIAaWwrk1m6XUFujBaIvT4"
        "U00OYhiGYyCYGxTgaEjMM4430KGGXgJKVStKmgzNi3bn-vI_7o3t3gsPZxMVFo8XHm0xjDRgYv1sMINJ"
        "lB2W-nqgPe3xP0JICeHuQ",
        "eyJhbGciOiJFUzI1NiIsImtpZCI6ImxpYmp3dC1lYyIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ5In0.GwF"
        "dg9UQX4LP0rmShg5jNyOexXqxI1WwxmtbAq2Fzp0GOaGj2U0PmvusYl1r1ehchhO0p_doKnIqp4qMRux"
        "CQg",
};

static void test_libjwt_interop(void)
{
	static const char *const kids[] = {"libjwt-rsa", "libjwt-ec"};
	struct jwks set;

	is_int(jwks_parse(libjwt_jwks, strlen(libjwt_jwks), &set, NULL, 0), 0, "libjwt keys parse");
	for (int i = 0; i < 2; i++) {
		json_t *got = verify_text(libjwt_tokens[i], jwks_find(&set, kids[i]));

		ok(got && !strcmp(json_string_value(json_object_get(got, "sub")), "y"),
		   i == 0 ? "libjwt RS256 token verifies" : "libjwt ES256 token verifies");
		json_decref(got);
	}
	jwks_release(&set);
}

int main(void)
{
	new_key(&rsa1, JWS_RS256, "rsa1");
	new_key(&rsa2, JWS_RS256, "rsa2");
	new_key(&ec1, JWS_ES256, "ec1");
	test_jws();
	test_hs256();
	test_libjwt_interop();
	jwk_release(&rsa1);
	jwk_release(&rsa2);
	jwk_release(&ec1);
	return done_testing();
}
