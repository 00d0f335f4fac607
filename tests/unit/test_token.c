/*
 * test_token: token_issue, token_verify and the bearer header with our
 * HS256 key.  The bad tokens are real forgeries built here by hand
 * (base64url JSON + an OpenSSL HMAC), so each case reaches the check it is
 * about instead of failing early on a bad signature.
 */
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "jws.h"
#include "keyring.h"
#include "tap.h"

#define KEY "0123456789abcdef0123456789abcdef"
#define OTHER_KEY "fedcba9876543210fedcba9876543210"
#define HDR "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define TOK_MAX 8192

static void config_for_test(struct config *cfg, const char *audience)
{
	config_defaults(cfg);
	memcpy(cfg->jwt_secret, KEY, 32);
	cfg->jwt_secret_len = 32;
	snprintf(cfg->audience, sizeof(cfg->audience), "%s", audience);
	if (keyring_load(cfg, NULL, 0) < 0)
		exit(99);
}

static size_t b64url(const unsigned char *in, size_t n, char *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t o = 0;
	unsigned long acc = 0;
	int bits = 0;

	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[o++] = a[(acc >> bits) & 63];
		}
	}
	if (bits > 0)
		out[o++] = a[(acc << (6 - bits)) & 63];
	out[o] = '\0';
	return o;
}

/* header.payload.sig; md NULL: no signature (alg none). */
static const char *forge(const char *header, const char *payload, const EVP_MD *md, const char *key)
{
	static char tok[TOK_MAX];
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned maclen = 0;
	size_t n = b64url((const unsigned char *)header, strlen(header), tok);

	tok[n++] = '.';
	n += b64url((const unsigned char *)payload, strlen(payload), tok + n);
	if (md)
		HMAC(md, key, (int)strlen(key), (unsigned char *)tok, n, mac, &maclen);
	tok[n++] = '.';
	b64url(mac, maclen, tok + n);
	return tok;
}

/* A payload from a template: @P is 10 s ago, @N now, @F an hour from now. */
static const char *payload(const char *tmpl)
{
	static char buf[TOK_MAX];
	long long now = (long long)time(NULL);
	size_t o = 0;

	for (const char *t = tmpl; *t && o < sizeof(buf) - 32; t++) {
		long long v = t[1] == 'P' ? now - 10 : t[1] == 'N' ? now : now + 3600;

		if (*t == '@' && t[1]) {
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%lld", v);
			t++;
		} else {
			buf[o++] = *t;
		}
	}
	buf[o] = '\0';
	return buf;
}

#define P_HEAD "{\"iss\":\"customers-fcgi\",\"sub\":\"cl_a\",\"client_id\":\"cl_a\","
#define P_TIMES "\"iat\":@N,\"nbf\":@N,\"exp\":@F"
#define P_VALID P_HEAD "\"scope\":\"customers:read\"," P_TIMES "}"

static const struct token_case {
	int line;
	const char *name;
	const char *header;
	const char *payload; /* template, see payload() */
	int md;              /* 0 none, 256, 384, 512 */
	const char *key;
	const char *audience;
	int want;
} token_cases[] = {
        {__LINE__, "valid", HDR, P_VALID, 256, KEY, "", 0},
        {__LINE__, "valid without typ", "{\"alg\":\"HS256\"}", P_VALID, 256, KEY, "", 0},
        {__LINE__, "wrong key", HDR, P_VALID, 256, OTHER_KEY, "", -1},
        {__LINE__, "alg none", "{\"alg\":\"none\",\"typ\":\"JWT\"}", P_VALID, 0, KEY, "", -1},
        {__LINE__, "alg none, HS256 sig", "{\"alg\":\"none\"}", P_VALID, 256, KEY, "", -1},
        {__LINE__, "HS384 same key", "{\"alg\":\"HS384\",\"typ\":\"JWT\"}", P_VALID, 384, KEY, "",
         -1},
        {__LINE__, "HS512 same key", "{\"alg\":\"HS512\",\"typ\":\"JWT\"}", P_VALID, 512, KEY, "",
         -1},
        {__LINE__, "RS256 header", "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", P_VALID, 256, KEY, "",
         -1},
        {__LINE__, "alg lower case", "{\"alg\":\"hs256\"}", P_VALID, 256, KEY, "", -1},
        {__LINE__, "typ JWS", "{\"alg\":\"HS256\",\"typ\":\"JWS\"}", P_VALID, 256, KEY, "", -1},
        {__LINE__, "extra header kid", "{\"alg\":\"HS256\",\"kid\":\"1\"}", P_VALID, 256, KEY, "",
         -1},
        {__LINE__, "duplicate alg", "{\"alg\":\"HS512\",\"alg\":\"HS256\"}", P_VALID, 256, KEY, "",
         -1},
        {__LINE__, "header not an object", "[\"HS256\"]", P_VALID, 256, KEY, "", -1},
        {__LINE__, "expired", HDR, P_HEAD "\"scope\":\"customers:read\",\"iat\":@P,\"exp\":@P}",
         256, KEY, "", -1},
        {__LINE__, "exp == now", HDR, P_HEAD "\"scope\":\"customers:read\",\"iat\":@P,\"exp\":@N}",
         256, KEY, "", -1},
        {__LINE__, "exp missing", HDR, P_HEAD "\"scope\":\"customers:read\",\"iat\":@N}", 256, KEY,
         "", -1},
        {__LINE__, "exp a string", HDR,
         P_HEAD "\"scope\":\"customers:read\",\"iat\":@N,\"exp\":\"@F\"}", 256, KEY, "", -1},
        {__LINE__, "nbf in the future", HDR,
         P_HEAD "\"scope\":\"customers:read\",\"iat\":@N,\"nbf\":@F,\"exp\":@F}", 256, KEY, "", -1},
        {__LINE__, "nbf == now", HDR,
         P_HEAD "\"scope\":\"customers:read\",\"iat\":@P,\"nbf\":@N,\"exp\":@F}", 256, KEY, "", 0},
        {__LINE__, "nbf absent", HDR, P_HEAD "\"scope\":\"customers:read\",\"iat\":@N,\"exp\":@F}",
         256, KEY, "", 0},
        {__LINE__, "iat missing", HDR, P_HEAD "\"scope\":\"customers:read\",\"nbf\":@N,\"exp\":@F}",
         256, KEY, "", -1},
        {__LINE__, "wrong iss", HDR,
         "{\"iss\":\"other\",\"client_id\":\"cl_a\",\"scope\":\"customers:read\"," P_TIMES "}", 256,
         KEY, "", -1},
        {__LINE__, "iss missing", HDR,
         "{\"client_id\":\"cl_a\",\"scope\":\"customers:read\"," P_TIMES "}", 256, KEY, "", -1},
        {__LINE__, "client_id missing", HDR,
         "{\"iss\":\"customers-fcgi\",\"sub\":\"cl_a\",\"scope\":\"customers:read\"," P_TIMES "}",
         256, KEY, "", -1},
        {__LINE__, "client_id bad char", HDR,
         "{\"iss\":\"customers-fcgi\",\"client_id\":\"cl a\",\"scope\":\"customers:read\"," P_TIMES
         "}",
         256, KEY, "", -1},
        {__LINE__, "client_id a number", HDR,
         "{\"iss\":\"customers-fcgi\",\"client_id\":7,\"scope\":\"customers:read\"," P_TIMES "}",
         256, KEY, "", -1},
        {__LINE__, "sub differs", HDR,
         "{\"iss\":\"customers-fcgi\",\"sub\":\"cl_b\",\"client_id\":\"cl_a\",\"scope\":"
         "\"customers:read\"," P_TIMES "}",
         256, KEY, "", -1},
        {__LINE__, "unknown scope", HDR, P_HEAD "\"scope\":\"customers:read admin\"," P_TIMES "}",
         256, KEY, "", -1},
        {__LINE__, "empty scope", HDR, P_HEAD "\"scope\":\"\"," P_TIMES "}", 256, KEY, "", -1},
        {__LINE__, "scope missing", HDR, P_HEAD P_TIMES "}", 256, KEY, "", -1},
        {__LINE__, "aud string", HDR,
         P_HEAD "\"aud\":\"api\",\"scope\":\"customers:read\"," P_TIMES "}", 256, KEY, "api", 0},
        {__LINE__, "aud in array", HDR,
         P_HEAD "\"aud\":[\"x\",\"api\"],\"scope\":\"customers:read\"," P_TIMES "}", 256, KEY,
         "api", 0},
        {__LINE__, "aud wrong", HDR,
         P_HEAD "\"aud\":\"apix\",\"scope\":\"customers:read\"," P_TIMES "}", 256, KEY, "api", -1},
        {__LINE__, "aud array without it", HDR,
         P_HEAD "\"aud\":[\"x\"],\"scope\":\"customers:read\"," P_TIMES "}", 256, KEY, "api", -1},
        {__LINE__, "aud missing", HDR, P_VALID, 256, KEY, "api", -1},
        {__LINE__, "aud ignored when not configured", HDR,
         P_HEAD "\"aud\":\"x\",\"scope\":\"customers:read\"," P_TIMES "}", 256, KEY, "", 0},
};

static void test_token_table(void)
{
	for (size_t i = 0; i < sizeof(token_cases) / sizeof(token_cases[0]); i++) {
		const struct token_case *c = &token_cases[i];
		const EVP_MD *md = c->md == 256   ? EVP_sha256()
		                   : c->md == 384 ? EVP_sha384()
		                   : c->md == 512 ? EVP_sha512()
		                                  : NULL;
		struct config cfg;
		struct token_claims claims;
		char name[160];

		config_for_test(&cfg, c->audience);
		snprintf(name, sizeof(name), "token_verify: %s (line %d)", c->name, c->line);
		is_int(token_verify(&cfg, forge(c->header, payload(c->payload), md, c->key),
		                    &claims),
		       c->want, name);
	}
}

static void test_token_shapes(void)
{
	struct config cfg;
	struct token_claims claims;
	char tok[TOK_MAX];
	size_t n;

	config_for_test(&cfg, "");
	snprintf(tok, sizeof(tok), "%s", forge(HDR, payload(P_VALID), EVP_sha256(), KEY));
	n = strlen(tok);
	is_int(token_verify(&cfg, tok, &claims), 0, "valid forged token");
	is_str(claims.client_id, "cl_a", "claims client_id");
	is_int(claims.scopes, SCOPE_READ, "claims scopes");
	is_int(claims.exp, (long long)time(NULL) + 3600, "claims exp");

	tok[n - 50] = tok[n - 50] == 'A' ? 'B' : 'A'; /* inside the payload */
	is_int(token_verify(&cfg, tok, &claims), -1, "tampered payload");
	tok[n - 50] = tok[n - 50] == 'A' ? 'B' : 'A';
	tok[n - 1] = tok[n - 1] == 'A' ? 'Q' : 'A';
	is_int(token_verify(&cfg, tok, &claims), -1, "tampered signature");

	snprintf(tok, sizeof(tok), "%s  ", forge(HDR, payload(P_VALID), EVP_sha256(), KEY));
	is_int(token_verify(&cfg, tok, &claims), 0,
	       "trailing spaces (as bearer_token leaves them)");
	tok[10] = ' ';
	is_int(token_verify(&cfg, tok, &claims), -1, "space inside");
	is_int(token_verify(&cfg, "", &claims), -1, "empty token");
	is_int(token_verify(&cfg, NULL, &claims), -1, "NULL token");
	is_int(token_verify(&cfg, "abc.def", &claims), -1, "two segments");
	is_int(token_verify(&cfg, "a.b.c.d", &claims), -1, "four segments");
}

/* Finds a token of exactly len bytes by padding the payload with a dummy claim. */
static const char *token_of_len(size_t len)
{
	static char pad[TOK_MAX / 2], tmpl[TOK_MAX];

	for (size_t p = 0; p < len && p < sizeof(pad); p++) {
		const char *tok;

		memset(pad, 'x', p);
		pad[p] = '\0';
		snprintf(tmpl, sizeof(tmpl),
		         P_HEAD "\"scope\":\"customers:read\",\"pad\":\"%s\"," P_TIMES "}", pad);
		tok = forge(HDR, payload(tmpl), EVP_sha256(), KEY);
		if (strlen(tok) == len)
			return tok;
		if (strlen(tok) > len)
			break;
	}
	return NULL;
}

static void test_token_size(void)
{
	struct config cfg;
	struct token_claims claims;
	const char *tok;

	config_for_test(&cfg, "");
	tok = token_of_len(4096);
	ok(tok != NULL, "built a 4096-byte token");
	is_int(tok ? token_verify(&cfg, tok, &claims) : -2, 0, "4096 bytes: accepted");
	tok = token_of_len(4097);
	ok(tok != NULL, "built a 4097-byte token");
	is_int(tok ? token_verify(&cfg, tok, &claims) : -2, -1, "4097 bytes: refused");
}

/*
 * An HS256 token issued by libjwt 1.10 (the signer before jws.c) under KEY,
 * valid until 2097: tokens issued before the change keep verifying.
 */
static const char libjwt_hs256[] =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJjbGllbnRfaWQiOiJjbF9maXhlZCIsImV4cCI6NDA"
        "zMTYyOTkwOCwiaWF0IjoxNzk2NjI5OTA4LCJpc3MiOiJjdXN0b21lcnMtZmNnaSIsImp0aSI6IjM4YjI"
        "zMjM0YTRiN2Y1YWI2YWEwZDBjOGU1MDJiODkxIiwibmJmIjoxNzk2NjI5OTA4LCJzY29wZSI6ImN1c3R"
        "vbWVyczpyZWFkIGN1c3RvbWVyczp3cml0ZSIsInN1YiI6ImNsX2ZpeGVkIn0.ciIIQr4jLYxoCuSVFDU"
        "M6QTGm9w_u300Guf8AGMD_Cc";

static void test_libjwt_token(void)
{
	struct config cfg;
	struct token_claims claims;

	config_for_test(&cfg, "");
	is_int(token_verify(&cfg, libjwt_hs256, &claims), 0, "libjwt HS256 token verifies");
	is_str(claims.client_id, "cl_fixed", "libjwt token client_id");
	is_int(claims.scopes, SCOPE_READ | SCOPE_WRITE, "libjwt token scopes");
	is_int(claims.exp, 4031629908LL, "libjwt token exp");
}

static const char *claim(const json_t *claims, const char *name)
{
	return json_string_value(json_object_get(claims, name));
}

static long claim_n(const json_t *claims, const char *name)
{
	return (long)json_integer_value(json_object_get(claims, name));
}

static void check_issued_claims(const char *tok, const struct config *cfg)
{
	struct jws jws;
	json_t *c;
	long iat;

	is_int(jws_parse(tok, &jws), 0, "issued token parses");
	is_int(jws.alg, JWS_HS256, "issued alg");
	is_str(jws.typ, "JWT", "issued typ");
	ok(jws.kid[0] == '\0' && jws.extra == 0,
	   "issued header: alg and typ only, as libjwt wrote");
	c = jws_verify(&jws, &keyring_current()->signing);
	ok(c != NULL, "issued token decodes");
	if (!c)
		return;
	iat = claim_n(c, "iat");
	is_str(claim(c, "iss"), "customers-fcgi", "issued iss");
	is_str(claim(c, "sub"), "cl_x-1", "issued sub");
	is_str(claim(c, "client_id"), "cl_x-1", "issued client_id");
	is_str(claim(c, "scope"), "customers:read customers:write", "issued scope");
	is_str(claim(c, "aud"), cfg->audience[0] ? cfg->audience : NULL, "issued aud");
	ok(labs(iat - (long)time(NULL)) <= 1, "issued iat is now");
	is_int(claim_n(c, "nbf"), iat, "issued nbf == iat");
	is_int(claim_n(c, "exp"), iat + (long)cfg->token_ttl, "issued exp == iat + ttl");
	is_int(strlen(claim(c, "jti") ? claim(c, "jti") : ""), 32, "issued jti has 128 bits");
	json_decref(c);
}

static void test_issue(const char *audience)
{
	struct config cfg;
	struct token_claims claims;
	char *tok = NULL, *tok2 = NULL;

	config_for_test(&cfg, audience);
	cfg.token_ttl = 120;
	is_int(token_issue(&cfg, "cl_x-1", SCOPE_READ | SCOPE_WRITE, &tok), 0, "token_issue");
	if (!tok)
		return;
	check_issued_claims(tok, &cfg);
	is_int(token_verify(&cfg, tok, &claims), 0, "issued token verifies");
	is_str(claims.client_id, "cl_x-1", "round trip client_id");
	is_int(claims.scopes, SCOPE_READ | SCOPE_WRITE, "round trip scopes");
	is_int(token_issue(&cfg, "cl_x-1", SCOPE_READ, &tok2), 0, "second token");
	ok(tok2 && strcmp(tok, tok2) != 0, "tokens differ (jti)");
	snprintf(cfg.issuer, sizeof(cfg.issuer), "someone-else");
	is_int(token_verify(&cfg, tok, &claims), -1, "issuer changed: refused");
	free(tok);
	free(tok2);
}

static void test_issue_invalid(void)
{
	struct config cfg;
	char *tok = (char *)"x";

	config_for_test(&cfg, "");
	is_int(token_issue(&cfg, "", SCOPE_READ, &tok), -1, "issue: empty client id");
	ok(tok == NULL, "issue: *out NULL on failure");
	is_int(token_issue(&cfg, "cl a", SCOPE_READ, &tok), -1, "issue: bad client id");
	is_int(token_issue(&cfg, "cl_a", 0, &tok), -1, "issue: no scope");
	is_int(token_issue(&cfg, "cl_a", 8, &tok), -1, "issue: unknown scope bit");
	snprintf(cfg.jwt_alg, sizeof(cfg.jwt_alg), "RS256");
	is_int(token_issue(&cfg, "cl_a", SCOPE_READ, &tok), -1,
	       "issue: no key of the configured alg");
	cfg.jwt_secret_len = 0;
	snprintf(cfg.jwt_alg, sizeof(cfg.jwt_alg), "HS256");
	is_int(keyring_load(&cfg, NULL, 0), -1, "keyring: HS256 without a secret refused");
}

static void test_bearer(void)
{
	static const struct {
		const char *header;
		int offset; /* -1: NULL expected */
	} cases[] = {
	        {"Bearer abc", 7},    {"bearer abc", 7},   {"BEARER   a.b-c_d", 9},
	        {"Bearer abc   ", 7}, {"Bearer", -1},      {"Bearer ", -1},
	        {"Bearerabc", -1},    {"Basic abc", -1},   {"Bearer a b", -1},
	        {"Bearer\tabc", -1},  {" Bearer abc", -1}, {"Bearer a+b", -1},
	        {"Bearer abc=", -1},  {"Bear abc", -1},    {"Bearer abc\t", -1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = bearer_token(cases[i].header);
		char name[96];

		snprintf(name, sizeof(name), "bearer_token \"%s\"", cases[i].header);
		is_int(got ? got - cases[i].header : -1, cases[i].offset, name);
	}
	ok(bearer_token(NULL) == NULL, "bearer_token NULL");
}

int main(void)
{
	test_token_table();
	test_token_shapes();
	test_token_size();
	test_libjwt_token();
	test_issue("");
	test_issue("partner-api");
	test_issue_invalid();
	test_bearer();
	return done_testing();
}
