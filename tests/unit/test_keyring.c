/*
 * test_keyring: JWK sets, public JWKs and thumbprints, our RS256/ES256
 * issuer and the external issuer's tokens through the keyring.  Keys are made here with OpenSSL and
 * written to a private temporary directory; tokens from outside are cross-checked against tokens
 * libjwt signed (pinned), and the forgeries (alg none, HS256 keyed with the RSA public key, unknown
 * kid) are built by hand.
 */
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "base64.h"
#include "jwk.h"
#include "jws.h"
#include "keyring.h"
#include "tap.h"

#define ISS "https://idp.example/realms/partners"
#define PREFIX "https://api.example/"

static char dir[] = "/tmp/test_keyring.XXXXXX";
static char path_buf[8][256];
static int npaths;

/* A file in the test directory with text; returns its path (static storage). */
static const char *put_file(const char *name, const char *text)
{
	char *path = path_buf[npaths++ % 8];
	FILE *fp;

	snprintf(path, 256, "%s/%s", dir, name);
	fp = fopen(path, "w");
	if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0)
		abort();
	return path;
}

static char *pem_of(EVP_PKEY *pkey, int private)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out;
	long n;

	if (private)
		PEM_write_bio_PrivateKey(b, pkey, NULL, NULL, 0, NULL, NULL);
	else
		PEM_write_bio_PUBKEY(b, pkey);
	n = BIO_get_mem_data(b, &data);
	out = strndup(data, (size_t)n);
	BIO_free(b);
	return out;
}

/* A new key pair loaded as a struct jwk (private), with kid set to `kid` unless NULL. */
static void make_key(struct jwk *k, const char *type, const char *kid)
{
	EVP_PKEY *p = !strcmp(type, "RSA") ? EVP_RSA_gen(2048) : EVP_EC_gen(type);
	char *pem = pem_of(p, 1);
	const char *path = put_file(kid ? kid : "own.pem", pem);

	if (jwk_load_private(path, !strcmp(type, "RSA") ? JWS_RS256 : JWS_ES256, k, NULL, 0) < 0)
		abort();
	if (kid)
		snprintf(k->kid, sizeof(k->kid), "%s", kid);
	free(pem);
	EVP_PKEY_free(p);
}

static size_t b64url(const void *in, size_t n, char *out)
{
	return base64_encode(in, n, out, 1);
}

/* header.payload signed with HMAC-SHA256 under key (NULL: alg none, empty signature). */
static char *hmac_token(const char *header, const char *payload, const char *key)
{
	static char tok[8192];
	unsigned char mac[32];
	unsigned maclen = 0;
	size_t n = b64url(header, strlen(header), tok);

	tok[n++] = '.';
	n += b64url(payload, strlen(payload), tok + n);
	if (key)
		HMAC(EVP_sha256(), key, (int)strlen(key), (unsigned char *)tok, n, mac, &maclen);
	tok[n++] = '.';
	b64url(mac, maclen, tok + n);
	return tok;
}

/* Claims of an external access token; fields set to NULL are left out. */
static json_t *ext_claims(const char *iss, const char *client, long exp_in, const char *scope)
{
	json_int_t now = (json_int_t)time(NULL);
	json_t *c = json_pack("{s:I, s:I}", "iat", now, "exp", now + exp_in);

	if (iss)
		json_object_set_new(c, "iss", json_string(iss));
	if (client)
		json_object_set_new(c, "client_id", json_string(client));
	if (scope)
		json_object_set_new(c, "scope", json_string(scope));
	return c;
}

static int verify_claims(const struct config *cfg, json_t *claims, const struct jwk *key,
                         struct token_claims *out)
{
	char *tok = jws_sign(claims, key);
	int rc = tok ? token_verify(cfg, tok, out) : -2;

	free(tok);
	json_decref(claims);
	return rc;
}

/* ---- JWKS documents ---- */

static struct jwk rsa1, rsa2, ec1;

static char *jwks_text(const struct jwk *const *keys, size_t n, const char *extra)
{
	json_t *set = json_pack("{s:[]}", "keys");
	char *text;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(json_object_get(set, "keys"), jwk_public_json(keys[i]));
	if (extra)
		json_array_append_new(json_object_get(set, "keys"), json_loads(extra, 0, NULL));
	text = json_dumps(set, JSON_COMPACT);
	json_decref(set);
	return text;
}

static void test_parse(void)
{
	const struct jwk *keys[] = {&rsa1, &ec1};
	char *text = jwks_text(keys, 2,
	                       "{\"kty\":\"RSA\",\"use\":\"enc\",\"alg\":\"RSA-OAEP\",\"kid\":"
	                       "\"enc\",\"n\":\"AQAB\",\"e\":\"AQAB\"}");
	struct jwks set;
	char err[256];

	is_int(jwks_parse(text, strlen(text), &set, err, sizeof(err)), 0,
	       "parse RSA + EC + an enc key");
	is_int(set.n, 2, "the encryption key is skipped");
	ok(jwks_find(&set, "rsa1") && jwks_find(&set, "rsa1")->alg == JWS_RS256,
	   "RSA key is RS256");
	ok(jwks_find(&set, "ec1") && jwks_find(&set, "ec1")->alg == JWS_ES256, "EC key is ES256");
	ok(jwks_find(&set, "enc") == NULL && jwks_find(&set, "nope") == NULL, "unknown kid: NULL");
	jwks_release(&set);
	is_int(set.n, 0, "release empties the set");
	free(text);
}

static const struct {
	int line;
	const char *doc;
	const char *why;
} bad_sets[] = {
        {__LINE__, "", "not JSON"},
        {__LINE__, "{\"keys\":{}}", "keys not an array"},
        {__LINE__, "{\"keys\":[]}", "no key"},
        {__LINE__, "{\"keys\":[{\"kty\":\"oct\",\"k\":\"AAAA\",\"kid\":\"h\"}]}",
         "only a symmetric key"},
        {__LINE__, "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"3q2-7w\",\"e\":\"AQAB\",\"kid\":\"s\"}]}",
         "RSA of 32 bits"},
        {__LINE__,
         "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"e\","
         "\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
         "\"y\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE\"}]}",
         "EC point off the curve"},
        {__LINE__,
         "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-384\",\"kid\":\"e\",\"x\":\"AA\",\"y\":\"AA\"}]}",
         "P-384"},
        {__LINE__, "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}", "no kid"},
        {__LINE__, "{\"keys\":[1]}", "a key that is not an object"},
};

static void test_parse_errors(void)
{
	const struct jwk *twice[] = {&rsa1, &rsa1};
	char *dup = jwks_text(twice, 2, NULL);
	struct jwks set;
	char err[256], name[96];

	for (size_t i = 0; i < sizeof(bad_sets) / sizeof(bad_sets[0]); i++) {
		snprintf(name, sizeof(name), "line %d: refused: %s", bad_sets[i].line,
		         bad_sets[i].why);
		err[0] = '\0';
		ok(jwks_parse(bad_sets[i].doc, strlen(bad_sets[i].doc), &set, err, sizeof(err)) <
		                   0 &&
		           err[0] && set.n == 0,
		   name);
	}
	is_int(jwks_parse(dup, strlen(dup), &set, err, sizeof(err)), -1,
	       "a kid given twice is refused");
	ok(strstr(err, "rsa1") != NULL, "the error names the kid");
	free(dup);
	is_int(jwks_load("/nonexistent/jwks.json", &set, err, sizeof(err)), -1, "missing file");
	ok(strstr(err, "/nonexistent/jwks.json") != NULL, "the error names the file");
}

static void test_thumbprint(void)
{
	struct jwk own;
	json_t *pub, *req;
	char *text;
	unsigned char md[32];
	char want[64];

	make_key(&own, "RSA", NULL);
	pub = jwk_public_json(&own);
	req = json_pack("{s:O, s:s, s:O}", "e", json_object_get(pub, "e"), "kty", "RSA", "n",
	                json_object_get(pub, "n"));
	text = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
	EVP_Digest(text, strlen(text), md, NULL, EVP_sha256(), NULL);
	b64url(md, sizeof(md), want);
	is_str(own.kid, want, "kid is the RFC 7638 thumbprint");
	is_str(json_string_value(json_object_get(pub, "alg")), "RS256", "public JWK alg");
	is_str(json_string_value(json_object_get(pub, "use")), "sig", "public JWK use");
	ok(json_object_get(pub, "d") == NULL && json_object_get(pub, "p") == NULL,
	   "no private member in the public JWK");
	free(text);
	json_decref(req);
	json_decref(pub);
	EVP_PKEY_free(own.pkey);
}

/* ---- our issuer with RS256 / ES256 ---- */

static void own_config(struct config *cfg, const char *alg, const char *type)
{
	EVP_PKEY *p = !strcmp(type, "RSA") ? EVP_RSA_gen(2048) : EVP_EC_gen(type);
	char *pem = pem_of(p, 1);

	config_defaults(cfg);
	snprintf(cfg->jwt_alg, sizeof(cfg->jwt_alg), "%s", alg);
	snprintf(cfg->jwt_private_key_file, sizeof(cfg->jwt_private_key_file), "%s",
	         put_file("own-key.pem", pem));
	memcpy(cfg->jwt_secret, "0123456789abcdef0123456789abcdef", 32);
	cfg->jwt_secret_len = 32;
	free(pem);
	EVP_PKEY_free(p);
}

static void test_own_issuer(const char *alg, const char *type)
{
	struct config cfg;
	struct token_claims c;
	char *tok = NULL, *pem, name[96], err[256];
	const char *dot;

	own_config(&cfg, alg, type);
	snprintf(name, sizeof(name), "%s: keyring loads", alg);
	is_int(keyring_load(&cfg, err, sizeof(err)), 0, name);
	snprintf(name, sizeof(name), "%s: token issued and verified", alg);
	ok(token_issue(&cfg, "cl_own", SCOPE_READ, &tok) == 0 && token_verify(&cfg, tok, &c) == 0 &&
	           !strcmp(c.client_id, "cl_own") && c.scopes == SCOPE_READ,
	   name);
	/* The confusion forgery: HS256 keyed with our public key, and a real HS256 token. */
	pem = pem_of(keyring_current()->signing.pkey, 0);
	dot = strchr(tok, '.');
	snprintf(name, sizeof(name), "%s: HS256 signed with the public key PEM is refused", alg);
	ok(token_verify(&cfg, hmac_token("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{}", pem), &c) < 0,
	   name);
	snprintf(name, sizeof(name), "%s: an HS256 token with the right secret is refused", alg);
	ok(token_verify(&cfg,
	                hmac_token("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{}",
	                           "0123456789abcdef0123456789abcdef"),
	                &c) < 0,
	   name);
	snprintf(name, sizeof(name), "%s: alg none is refused", alg);
	ok(dot && token_verify(&cfg, hmac_token("{\"alg\":\"none\"}", "{}", NULL), &c) < 0, name);
	free(pem);
	free(tok);
}

static void test_own_wrong_key_type(void)
{
	struct config cfg;
	char err[256];

	own_config(&cfg, "ES256", "RSA");
	is_int(keyring_load(&cfg, err, sizeof(err)), -1, "ES256 with an RSA key is refused");
	ok(strstr(err, "P-256") != NULL, "the error says what ES256 needs");
	own_config(&cfg, "RS256", "P-256");
	is_int(keyring_load(&cfg, err, sizeof(err)), -1, "RS256 with an EC key is refused");
}

/* ---- the external issuer ---- */

static void ext_config(struct config *cfg, const char *map)
{
	const struct jwk *keys[] = {&rsa1, &rsa2, &ec1};
	char *text = jwks_text(keys, 3, NULL);

	config_defaults(cfg);
	memcpy(cfg->jwt_secret, "0123456789abcdef0123456789abcdef", 32);
	cfg->jwt_secret_len = 32;
	snprintf(cfg->jwks_file, sizeof(cfg->jwks_file), "%s", put_file("jwks.json", text));
	snprintf(cfg->external_client_map_file, sizeof(cfg->external_client_map_file), "%s",
	         put_file("clients.map", map));
	snprintf(cfg->external_issuer, sizeof(cfg->external_issuer), ISS);
	snprintf(cfg->external_scope_prefix, sizeof(cfg->external_scope_prefix), PREFIX);
	free(text);
}

static void test_external(void)
{
	struct config cfg;
	struct token_claims c;
	char err[256];
	json_t *cl;

	ext_config(&cfg, "# external id -> our client\n\nabc123 cl_partner_a\n kc-client  "
	                 "cl_partner_b # b\n");
	is_int(keyring_load(&cfg, err, sizeof(err)), 0, "external keyring loads");
	is_int(verify_claims(&cfg, ext_claims(ISS, "abc123", 300, PREFIX "customers:read openid"),
	                     &rsa1, &c),
	       0, "external RS256 token accepted");
	is_str(c.client_id, "cl_partner_a", "mapped to our client");
	is_int(c.scopes, SCOPE_READ, "prefixed scope mapped, others ignored");
	is_int(verify_claims(&cfg, ext_claims(ISS, "abc123", 300, PREFIX "customers:write"), &rsa2,
	                     &c),
	       0, "rotation: the second key of the set verifies too");
	is_int(c.scopes, SCOPE_WRITE, "write scope");
	is_int(verify_claims(&cfg, ext_claims(ISS, "abc123", 300, "customers:read"), &ec1, &c), 0,
	       "ES256 key of the set verifies");
	is_int(c.scopes, 0, "a scope without the configured prefix grants nothing");
	is_int(verify_claims(&cfg, ext_claims(ISS, "abc123", 300, NULL), &ec1, &c), 0,
	       "no scope claim: accepted");
	is_int(c.scopes, 0, "no scope claim: no scope (403 later)");
	is_int(verify_claims(&cfg, ext_claims("https://evil.example", "abc123", 300, NULL), &rsa1,
	                     &c),
	       -1, "wrong iss");
	is_int(verify_claims(&cfg, ext_claims(ISS, "unmapped", 300, NULL), &rsa1, &c), -1,
	       "unmapped client_id");
	is_int(verify_claims(&cfg, ext_claims(ISS, NULL, 300, NULL), &rsa1, &c), -1,
	       "no client id");
	is_int(verify_claims(&cfg, ext_claims(ISS, "abc123", -61, NULL), &rsa1, &c), -1,
	       "expired past the leeway");
	is_int(verify_claims(&cfg, ext_claims(ISS, "abc123", -30, NULL), &rsa1, &c), 0,
	       "expired within the 60 s leeway");
	cl = ext_claims(ISS, NULL, 300, PREFIX "customers:read");
	json_object_set_new(cl, "azp", json_string("kc-client"));
	is_int(verify_claims(&cfg, cl, &rsa1, &c), 0, "Keycloak azp names the client");
	is_str(c.client_id, "cl_partner_b", "azp mapped");
	cl = ext_claims(ISS, "abc123", 300, NULL);
	json_object_set_new(cl, "token_use", json_string("id"));
	is_int(verify_claims(&cfg, cl, &rsa1, &c), -1, "Cognito ID token (token_use id) refused");
	cl = ext_claims(ISS, "abc123", 300, NULL);
	json_object_set_new(cl, "nbf", json_integer((json_int_t)time(NULL) + 120));
	is_int(verify_claims(&cfg, cl, &rsa1, &c), -1, "nbf two minutes ahead refused");
	cl = ext_claims(ISS, "abc123", 300, NULL);
	json_object_set_new(cl, "scope", json_integer(1));
	is_int(verify_claims(&cfg, cl, &rsa1, &c), -1, "scope not a string refused");
}

static void test_external_audience(void)
{
	struct config cfg;
	struct token_claims c;
	json_t *cl;

	ext_config(&cfg, "abc123 cl_partner_a\n");
	snprintf(cfg.external_audience, sizeof(cfg.external_audience), "customers-api");
	keyring_load(&cfg, NULL, 0);
	is_int(verify_claims(&cfg, ext_claims(ISS, "abc123", 300, NULL), &rsa1, &c), -1,
	       "audience configured: a token without aud is refused");
	cl = ext_claims(ISS, "abc123", 300, NULL);
	json_object_set_new(cl, "aud", json_pack("[s, s]", "account", "customers-api"));
	is_int(verify_claims(&cfg, cl, &rsa1, &c), 0, "aud array holding the audience accepted");
	cl = ext_claims(ISS, "abc123", 300, NULL);
	json_object_set_new(cl, "aud", json_string("other-api"));
	is_int(verify_claims(&cfg, cl, &rsa1, &c), -1, "another audience refused");
}

static void test_external_forgeries(void)
{
	struct config cfg;
	struct token_claims c;
	char *pem = pem_of(rsa1.pkey, 0);
	char payload[512], hdr[128];
	struct jwk stranger;

	ext_config(&cfg, "abc123 cl_partner_a\n");
	keyring_load(&cfg, NULL, 0);
	snprintf(payload, sizeof(payload), "{\"iss\":\"%s\",\"client_id\":\"abc123\",\"exp\":%lld}",
	         ISS, (long long)time(NULL) + 300);
	ok(token_verify(&cfg, hmac_token("{\"alg\":\"HS256\",\"kid\":\"rsa1\"}", payload, pem),
	                &c) < 0,
	   "HS256 signed with the RSA public key (kid of that key) refused");
	ok(token_verify(&cfg, hmac_token("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload, pem), &c) <
	           0,
	   "HS256 signed with the RSA public key (no kid) refused");
	ok(token_verify(&cfg, hmac_token("{\"alg\":\"none\",\"kid\":\"rsa1\"}", payload, NULL),
	                &c) < 0,
	   "alg none with a known kid refused");
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"kid\":\"rsa1\"}");
	ok(token_verify(&cfg, hmac_token(hdr, payload, "x"), &c) < 0,
	   "ES256 header on an RSA kid refused");
	make_key(&stranger, "RSA", "unknown-kid");
	is_int(verify_claims(&cfg, ext_claims(ISS, "abc123", 300, NULL), &stranger, &c), -1,
	       "a kid not in the JWKS refused");
	snprintf(stranger.kid, sizeof(stranger.kid), "rsa1");
	is_int(verify_claims(&cfg, ext_claims(ISS, "abc123", 300, NULL), &stranger, &c), -1,
	       "a known kid signed by another key refused");
	EVP_PKEY_free(stranger.pkey);
	free(pem);
}

static const struct {
	int line;
	const char *map;
} bad_maps[] = {
        {__LINE__, "abc123\n"},
        {__LINE__, "abc123 cl_a extra\n"},
        {__LINE__, "abc123 cl_a\nabc123 cl_b\n"},
};

static void test_keyring_errors(void)
{
	struct config cfg;
	struct token_claims c;
	char err[256], name[64];

	ext_config(&cfg, "abc123 cl_partner_a\n");
	is_int(keyring_load(&cfg, err, sizeof(err)), 0, "good keyring");
	for (size_t i = 0; i < sizeof(bad_maps) / sizeof(bad_maps[0]); i++) {
		ext_config(&cfg, bad_maps[i].map);
		snprintf(name, sizeof(name), "line %d: bad client map refused", bad_maps[i].line);
		is_int(keyring_load(&cfg, err, sizeof(err)), -1, name);
	}
	snprintf(cfg.jwks_file, sizeof(cfg.jwks_file), "%s", put_file("bad.json", "{\"keys\":[]}"));
	is_int(keyring_load(&cfg, err, sizeof(err)), -1, "bad JWKS refused");
	ext_config(&cfg, "abc123 cl_partner_a\n");
	is_int(verify_claims(&cfg, ext_claims(ISS, "abc123", 300, NULL), &rsa1, &c), 0,
	       "after refused loads the previous keyring still verifies");
}

int main(void)
{
	if (!mkdtemp(dir))
		return 99;
	make_key(&rsa1, "RSA", "rsa1");
	make_key(&ec1, "P-256", "ec1");
	make_key(&rsa2, "RSA", "rsa2");
	test_parse();
	test_parse_errors();
	test_thumbprint();
	test_own_issuer("RS256", "RSA");
	test_own_issuer("ES256", "P-256");
	test_own_wrong_key_type();
	test_external();
	test_external_audience();
	test_external_forgeries();
	test_keyring_errors();
	for (int i = 0; i < npaths && i < 8; i++)
		unlink(path_buf[i]);
	rmdir(dir);
	return done_testing();
}
