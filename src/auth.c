/*
 * auth: access tokens, client secrets, scopes and the bearer header.
 *
 * Tokens are HS256 JWTs made and checked with libjwt 1.10.  That version
 * takes the algorithm from the token's own header, which is how "alg":
 * "none" and algorithm-confusion forgeries get in, so token_verify decodes
 * the header itself first and accepts exactly {"alg":"HS256"} with an
 * optional "typ":"JWT" before libjwt sees the token.  After libjwt has
 * checked the signature, the claims are read back as one JSON object and
 * checked by type with jansson.  Time checks have no leeway: the only
 * issuer is this service, whose workers share one clock.
 *
 * With jwt_alg RS256 or ES256 our tokens are signed with the keyring's
 * private key instead (jwks.c, OpenSSL directly), and HS256 is then
 * refused altogether.  Tokens of the external issuer are recognised by a
 * kid of its JWKS, verified with that key only (its algorithm fixed by
 * the key, never by the token), and checked for iss, aud, exp/nbf with a
 * minute of leeway (another clock), token_use "access" (Cognito: no ID
 * tokens) and a client id that the client map turns into one of our
 * OAuth clients; their scopes are the contract's names, optionally after
 * a configured prefix (Cognito resource servers), others ignored.
 *
 * Client secrets are stored as "scrypt$N$r$p$salt$hash" (standard base64
 * with padding, the format the Node.js peer writes too).  Verification
 * bounds N, r and p so that a corrupt row cannot make a request spend
 * gigabytes, and unknown clients still pay one scrypt of the default cost.
 */
#include "auth.h"
#include "base64.h"
#include "jwks.h"

#include <jansson.h>
#include <jwt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define TOKEN_MAX 4096
#define TOKEN_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"
#define JWT_HEADER_MAX 256 /* decoded bytes; ours is 27 */
#define EXTERNAL_LEEWAY 60 /* seconds of clock skew allowed to the external issuer */

#define SCRYPT_N 16384
#define SCRYPT_R 8
#define SCRYPT_P 1
#define SCRYPT_SALT_LEN 16
#define SCRYPT_HASH_LEN 32
#define SCRYPT_MAXMEM (32u * 1024 * 1024) /* N=16384, r=8 needs 16 MiB */
#define SCRYPT_N_MIN 1024
#define SCRYPT_NR_MAX ((unsigned long)SCRYPT_N * SCRYPT_R) /* caps memory at 16 MiB */
#define SCRYPT_R_MAX 32
#define SCRYPT_P_MAX 4

static const struct {
	unsigned bit;
	const char *name;
} scope_names[] = {
        {SCOPE_READ, "customers:read"},
        {SCOPE_WRITE, "customers:write"},
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SCOPE_ALL (SCOPE_READ | SCOPE_WRITE)

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* ---- scopes ---- */

static int scope_lookup(const char *s, size_t n, unsigned *bit)
{
	for (size_t i = 0; i < ARRAY_SIZE(scope_names); i++) {
		if (strlen(scope_names[i].name) == n && !memcmp(s, scope_names[i].name, n)) {
			*bit = scope_names[i].bit;
			return 0;
		}
	}
	return -1;
}

/* Scope tokens are separated by one or more spaces (RFC 6749 says one; forms vary). */
const char *scope_name(unsigned scope)
{
	for (size_t i = 0; i < ARRAY_SIZE(scope_names); i++)
		if (scope_names[i].bit == scope)
			return scope_names[i].name;
	return NULL;
}

int scopes_parse(const char *s, unsigned *out)
{
	unsigned bits = 0, bit;

	if (!s)
		return -1;
	for (s += strspn(s, " "); *s; s += strspn(s, " ")) {
		size_t n = strcspn(s, " ");

		if (scope_lookup(s, n, &bit))
			return -1;
		bits |= bit;
		s += n;
	}
	if (!bits)
		return -1;
	*out = bits;
	return 0;
}

void scopes_format(unsigned scopes, char *out, size_t outlen)
{
	size_t used = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(scope_names); i++) {
		int n;

		if (!(scopes & scope_names[i].bit))
			continue;
		n = snprintf(out + used, outlen - used, "%s%s", used ? " " : "",
		             scope_names[i].name);
		if (n < 0 || (size_t)n >= outlen - used)
			return; /* truncated, still NUL-terminated */
		used += (size_t)n;
	}
}

/* ---- bearer header and token text ---- */

/* Length of s if it is one token followed only by spaces, else 0. */
static size_t token_len(const char *s)
{
	size_t n = strspn(s, TOKEN_CHARS);

	return s[n + strspn(s + n, " ")] == '\0' ? n : 0;
}

const char *bearer_token(const char *header)
{
	const char *p;

	if (!header || strncasecmp(header, "Bearer", 6) != 0 || header[6] != ' ')
		return NULL;
	p = header + 6 + strspn(header + 6, " ");
	return token_len(p) ? p : NULL;
}

int client_id_valid(const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");

	return n >= 1 && n <= CLIENT_ID_MAX && s[n] == '\0';
}

/* ---- token issue ---- */

/* The claims of a new token (new reference), or NULL. */
static json_t *new_claims(const struct config *cfg, const char *client_id, const char *scope,
                          json_int_t now)
{
	unsigned char rnd[16];
	char jti[2 * sizeof(rnd) + 1];
	json_t *c;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return NULL;
	hex_encode(rnd, sizeof(rnd), jti);
	c = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "iss", cfg->issuer, "sub",
	              client_id, "client_id", client_id, "scope", scope, "jti", jti, "iat", now,
	              "nbf", now, "exp", now + (json_int_t)cfg->token_ttl);
	if (c && cfg->audience[0] && json_object_set_new(c, "aud", json_string(cfg->audience))) {
		json_decref(c);
		return NULL;
	}
	return c;
}

/* HS256 through libjwt, which adds its own header; malloc'd or NULL. */
static char *sign_hs256(const struct config *cfg, const json_t *claims)
{
	char *grants = json_dumps(claims, JSON_COMPACT);
	jwt_t *jwt = NULL;
	char *out = NULL;

	if (grants && cfg->jwt_secret_len && jwt_new(&jwt) == 0 &&
	    jwt_set_alg(jwt, JWT_ALG_HS256, cfg->jwt_secret, (int)cfg->jwt_secret_len) == 0 &&
	    jwt_add_grants_json(jwt, grants) == 0)
		out = jwt_encode_str(jwt); /* malloc'd by libjwt's default allocator */
	jwt_free(jwt);
	free(grants);
	return out;
}

int token_issue(const struct config *cfg, const char *client_id, unsigned scopes, char **out)
{
	const struct jwk *key = &keyring_current()->signing;
	enum jws_alg alg = jws_alg_parse(cfg->jwt_alg);
	char scope[64];
	json_t *claims;

	*out = NULL;
	if (!client_id_valid(client_id) || !scopes || (scopes & ~(unsigned)SCOPE_ALL))
		return -1;
	scopes_format(scopes, scope, sizeof(scope));
	claims = new_claims(cfg, client_id, scope, (json_int_t)time(NULL));
	if (claims && alg == JWS_HS256)
		*out = sign_hs256(cfg, claims);
	else if (claims && key->pkey && key->alg == alg)
		*out = jws_sign(claims, key);
	json_decref(claims);
	return *out ? 0 : -1;
}

/* ---- token verify ---- */

/* The header must be exactly {"alg":"HS256"} plus an optional "typ":"JWT". */
static int header_check(const char *token)
{
	unsigned char raw[JWT_HEADER_MAX];
	const char *dot = strchr(token, '.');
	json_t *hdr, *typ;
	long n;
	int ok;

	if (!dot)
		return -1;
	n = base64_decode(token, (size_t)(dot - token), raw, sizeof(raw), 1);
	if (n <= 0)
		return -1;
	hdr = json_loadb((const char *)raw, (size_t)n, JSON_REJECT_DUPLICATES, NULL);
	typ = json_object_get(hdr, "typ");
	ok = json_is_object(hdr) && json_object_size(hdr) == (typ ? 2u : 1u) &&
	     json_is_string(json_object_get(hdr, "alg")) &&
	     !strcmp(json_string_value(json_object_get(hdr, "alg")), "HS256") &&
	     (!typ || (json_is_string(typ) && !strcmp(json_string_value(typ), "JWT")));
	json_decref(hdr);
	return ok ? 0 : -1;
}

static int claim_int(const json_t *claims, const char *name, json_int_t *out)
{
	const json_t *v = json_object_get(claims, name);

	if (!json_is_integer(v))
		return -1;
	*out = json_integer_value(v);
	return 0;
}

static int claim_str_eq(const json_t *claims, const char *name, const char *want)
{
	const json_t *v = json_object_get(claims, name);

	return json_is_string(v) && !strcmp(json_string_value(v), want);
}

/* aud may be one string or an array of strings (RFC 7519 4.1.3). */
static int audience_ok(const json_t *claims, const char *want)
{
	const json_t *aud = json_object_get(claims, "aud");
	const json_t *v;
	size_t i;

	if (!want[0])
		return 1;
	if (json_is_string(aud))
		return !strcmp(json_string_value(aud), want);
	json_array_foreach (aud, i, v) {
		if (json_is_string(v) && !strcmp(json_string_value(v), want))
			return 1;
	}
	return 0;
}

static int times_ok(const json_t *claims, json_int_t now, json_int_t *exp)
{
	json_int_t iat, nbf;

	if (claim_int(claims, "exp", exp) || *exp <= now || claim_int(claims, "iat", &iat))
		return 0;
	/* nbf is optional in RFC 7519; ours always carry it. No leeway (one clock). */
	if (json_object_get(claims, "nbf") && (claim_int(claims, "nbf", &nbf) || nbf > now))
		return 0;
	return 1;
}

static int claims_check(const struct config *cfg, const json_t *claims, json_int_t now,
                        struct token_claims *out)
{
	const json_t *cid = json_object_get(claims, "client_id");
	const json_t *scope = json_object_get(claims, "scope");
	const json_t *sub = json_object_get(claims, "sub");
	json_int_t exp;
	unsigned scopes;

	if (!json_is_object(claims) || !times_ok(claims, now, &exp) ||
	    !claim_str_eq(claims, "iss", cfg->issuer) || !audience_ok(claims, cfg->audience))
		return -1;
	if (!json_is_string(cid) || !client_id_valid(json_string_value(cid)))
		return -1;
	if (sub && !claim_str_eq(claims, "sub", json_string_value(cid)))
		return -1;
	if (!json_is_string(scope) || scopes_parse(json_string_value(scope), &scopes))
		return -1;
	snprintf(out->client_id, sizeof(out->client_id), "%s", json_string_value(cid));
	out->scopes = scopes;
	out->exp = (int64_t)exp;
	return 0;
}

/* Our own token signed with the keyring's RS256/ES256 key. */
static int verify_own_key(const struct config *cfg, const char *buf, struct token_claims *out)
{
	json_t *claims = jws_verify(buf, &keyring_current()->signing);
	int rc = claims_check(cfg, claims, (json_int_t)time(NULL), out);

	json_decref(claims);
	return rc;
}

/* Scope words that name ours once `prefix` is cut off; other words are ignored. */
static unsigned external_scopes(const char *s, const char *prefix)
{
	size_t plen = strlen(prefix);
	unsigned bits = 0, bit;

	for (s += strspn(s, " "); *s; s += strspn(s, " ")) {
		size_t n = strcspn(s, " ");

		if (n >= plen && !memcmp(s, prefix, plen) && scope_lookup(s + plen, n - plen, &bit) == 0)
			bits |= bit;
		s += n;
	}
	return bits;
}

static int external_times_ok(const json_t *claims, json_int_t now, json_int_t *exp)
{
	json_int_t nbf;

	if (claim_int(claims, "exp", exp) || *exp + EXTERNAL_LEEWAY <= now)
		return 0;
	return !json_object_get(claims, "nbf") ||
	       (claim_int(claims, "nbf", &nbf) == 0 && nbf <= now + EXTERNAL_LEEWAY);
}

static int external_check(const struct config *cfg, const json_t *claims, json_int_t now,
                          struct token_claims *out)
{
	const json_t *cid = json_object_get(claims, "client_id");
	const json_t *scope = json_object_get(claims, "scope");
	const char *local;
	json_int_t exp;

	if (!json_is_object(claims) || !external_times_ok(claims, now, &exp) ||
	    !claim_str_eq(claims, "iss", cfg->external_issuer) ||
	    !audience_ok(claims, cfg->external_audience))
		return -1;
	if (json_object_get(claims, "token_use") && !claim_str_eq(claims, "token_use", "access"))
		return -1;
	if (!cid)
		cid = json_object_get(claims, "azp"); /* Keycloak names the client there */
	local = json_is_string(cid) ? keyring_local_client(keyring_current(), json_string_value(cid))
	                            : NULL;
	if (!local || !client_id_valid(local) || (scope && !json_is_string(scope)))
		return -1;
	snprintf(out->client_id, sizeof(out->client_id), "%s", local);
	out->scopes = scope ? external_scopes(json_string_value(scope), cfg->external_scope_prefix) : 0;
	out->exp = (int64_t)exp;
	return 0;
}

static int verify_external(const struct config *cfg, const struct jwk *key, const char *buf,
                           struct token_claims *out)
{
	json_t *claims = jws_verify(buf, key);
	int rc = external_check(cfg, claims, (json_int_t)time(NULL), out);

	json_decref(claims);
	return rc;
}

static int verify_hs256(const struct config *cfg, const char *buf, struct token_claims *out)
{
	jwt_t *decoded = NULL;
	char *grants = NULL;
	json_t *claims = NULL;
	int rc = -1;

	if (cfg->jwt_secret_len == 0 || header_check(buf))
		return -1;
	if (jwt_decode(&decoded, buf, cfg->jwt_secret, (int)cfg->jwt_secret_len))
		return -1;
	if (jwt_get_alg(decoded) != JWT_ALG_HS256)
		goto out;
	grants = jwt_get_grants_json(decoded, NULL);
	claims = grants ? json_loads(grants, JSON_REJECT_DUPLICATES, NULL) : NULL;
	rc = claims_check(cfg, claims, (json_int_t)time(NULL), out);
out:
	json_decref(claims);
	free(grants);
	jwt_free(decoded);
	return rc;
}

/*
 * jwt may end in spaces, as bearer_token() leaves it.  The key is chosen
 * before anything is verified: a kid of the external JWKS means that key
 * and nothing else; otherwise the token must use our configured alg.
 */
int token_verify(const struct config *cfg, const char *jwt, struct token_claims *out)
{
	char buf[TOKEN_MAX + 1], kid[JWK_KID_MAX + 1];
	size_t n = jwt ? token_len(jwt) : 0;
	const struct jwk *ext;
	enum jws_alg alg;

	if (n == 0 || n > TOKEN_MAX)
		return -1;
	memcpy(buf, jwt, n);
	buf[n] = '\0';
	if (jws_peek(buf, &alg, kid) < 0 || alg == JWS_ALG_UNKNOWN)
		return -1;
	ext = kid[0] ? jwks_find(&keyring_current()->external, kid) : NULL;
	if (ext)
		return verify_external(cfg, ext, buf, out);
	if (alg != jws_alg_parse(cfg->jwt_alg))
		return -1;
	return alg == JWS_HS256 ? verify_hs256(cfg, buf, out) : verify_own_key(cfg, buf, out);
}

/* ---- client credentials ---- */

int client_credentials_new(char id[CLIENT_ID_MAX + 1], char secret[64])
{
	unsigned char rid[16], rsecret[32];

	if (RAND_bytes(rid, sizeof(rid)) != 1 || RAND_bytes(rsecret, sizeof(rsecret)) != 1)
		return -1;
	memcpy(id, "cl_", 3); /* NOLINT(bugprone-not-null-terminated-result): hex_encode ends it */
	hex_encode(rid, sizeof(rid), id + 3);
	base64_encode(rsecret, sizeof(rsecret), secret, 1);
	OPENSSL_cleanse(rsecret, sizeof(rsecret));
	return 0;
}

/* ---- client secret hashes ---- */

struct scrypt_params {
	unsigned long n, r, p;
	unsigned char salt[SCRYPT_SALT_LEN];
	unsigned char hash[SCRYPT_HASH_LEN];
};

static int scrypt_run(const char *secret, const struct scrypt_params *sp,
                      unsigned char out[SCRYPT_HASH_LEN])
{
	return EVP_PBE_scrypt(secret, strlen(secret), sp->salt, sizeof(sp->salt), sp->n, sp->r,
	                      sp->p, SCRYPT_MAXMEM, out, SCRYPT_HASH_LEN) == 1
	               ? 0
	               : -1;
}

int secret_hash(const char *secret, char out[SECRET_HASH_MAX])
{
	struct scrypt_params sp = {.n = SCRYPT_N, .r = SCRYPT_R, .p = SCRYPT_P};
	char salt[4 * ((SCRYPT_SALT_LEN + 2) / 3) + 1];
	char hash[4 * ((SCRYPT_HASH_LEN + 2) / 3) + 1];
	int n;

	if (!secret || RAND_bytes(sp.salt, sizeof(sp.salt)) != 1 ||
	    scrypt_run(secret, &sp, sp.hash))
		return -1;
	base64_encode(sp.salt, sizeof(sp.salt), salt, 0);
	base64_encode(sp.hash, sizeof(sp.hash), hash, 0);
	n = snprintf(out, SECRET_HASH_MAX, "scrypt$%lu$%lu$%lu$%s$%s", sp.n, sp.r, sp.p, salt,
	             hash);
	OPENSSL_cleanse(&sp, sizeof(sp));
	return n > 0 && n < SECRET_HASH_MAX ? 0 : -1;
}

/* Decimal without sign or leading zero, 1..max. */
static int parse_param(const char *s, size_t len, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (len == 0 || len > 7 || s[0] == '0')
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* Splits "scrypt$N$r$p$salt$hash" into its six fields; -1 unless there are exactly six. */
static int split_fields(const char *s, const char *f[6], size_t len[6])
{
	for (int i = 0; i < 6; i++) {
		size_t n = strcspn(s, "$");

		f[i] = s;
		len[i] = n;
		s += n;
		if (i < 5 && *s++ != '$')
			return -1;
	}
	return *s ? -1 : 0;
}

static int scrypt_parse(const char *stored, struct scrypt_params *sp)
{
	const char *f[6];
	size_t len[6];

	if (strlen(stored) >= SECRET_HASH_MAX || split_fields(stored, f, len) || len[0] != 6 ||
	    memcmp(f[0], "scrypt", 6) != 0)
		return -1;
	if (parse_param(f[1], len[1], SCRYPT_NR_MAX, &sp->n) ||
	    parse_param(f[2], len[2], SCRYPT_R_MAX, &sp->r) ||
	    parse_param(f[3], len[3], SCRYPT_P_MAX, &sp->p))
		return -1;
	/* N a power of two; N * r bounds the memory, p the time. */
	if (sp->n < SCRYPT_N_MIN || (sp->n & (sp->n - 1)) || sp->n * sp->r > SCRYPT_NR_MAX)
		return -1;
	if (base64_decode(f[4], len[4], sp->salt, sizeof(sp->salt), 0) != SCRYPT_SALT_LEN ||
	    base64_decode(f[5], len[5], sp->hash, sizeof(sp->hash), 0) != SCRYPT_HASH_LEN)
		return -1;
	return 0;
}

int secret_verify(const char *secret, const char *stored)
{
	struct scrypt_params sp;
	unsigned char got[SCRYPT_HASH_LEN];
	int known = secret && stored && scrypt_parse(stored, &sp) == 0;
	int match;

	if (!known) {
		/* Same cost as a real check, so a miss does not show in the timing. */
		memset(&sp, 0, sizeof(sp));
		sp.n = SCRYPT_N;
		sp.r = SCRYPT_R;
		sp.p = SCRYPT_P;
	}
	if (scrypt_run(secret ? secret : "", &sp, got))
		return 0;
	match = known && CRYPTO_memcmp(got, sp.hash, sizeof(got)) == 0;
	OPENSSL_cleanse(got, sizeof(got));
	return match;
}
