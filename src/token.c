/*
 * token: access tokens.
 *
 * Every token goes through one path: jws_parse decodes the header once,
 * its kid and alg pick the key, and jws_verify checks that parse with
 * that key, whose own algorithm is the only one accepted.  Our tokens are
 * signed with the keyring's key (HS256 from jwt_secret, or RS256/ES256);
 * their header may hold only alg, typ "JWT" and kid, as we write them.
 * After the signature, the claims are checked by type with jansson.  Time
 * checks have no leeway: our workers share one clock.
 *
 * Tokens of the external issuer are recognised by a kid of its JWKS,
 * verified with that key only, and checked for iss, aud, exp/nbf with a
 * minute of leeway (another clock), token_use "access" (Cognito: no ID
 * tokens) and a client id that the client map turns into one of our OAuth
 * clients; their scopes are the contract's names, optionally after a
 * configured prefix (Cognito resource servers), others ignored.
 */
#include <jansson.h>
#include <openssl/err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "jws.h"
#include "keyring.h"
#include "log.h"
#include "scopes.h"
#include "token.h"

#define TOKEN_MAX 4096
#define TOKEN_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"
#define EXTERNAL_LEEWAY 60 /* seconds of clock skew allowed to the external issuer */

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

/* ---- token issue ---- */

/* The claims of a new token (new reference), or NULL. */
static json_t *new_claims(const struct config *cfg, const char *client_id, const char *scope,
                          json_int_t now)
{
	char jti[33];
	json_t *c;

	if (random_hex(16, jti) < 0)
		return NULL;
	c = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "iss", cfg->issuer, "sub",
	              client_id, "client_id", client_id, "scope", scope, "jti", jti, "iat", now,
	              "nbf", now, "exp", now + (json_int_t)cfg->token_ttl);
	if (c && cfg->audience[0] && json_object_set_new(c, "aud", json_string(cfg->audience))) {
		json_decref(c);
		return NULL;
	}
	return c;
}

/* OpenSSL's reason for the last failure (or that it gave none) into the log. */
static void log_openssl(const char *what)
{
	char why[256] = "no OpenSSL error queued";
	unsigned long e = ERR_get_error();

	if (e)
		ERR_error_string_n(e, why, sizeof(why));
	ERR_clear_error();
	log_error("%s: %s", what, why);
}

int token_issue(const struct config *cfg, const char *client_id, unsigned scopes, char **out)
{
	const struct jwk *key = &keyring_current()->signing;
	char scope[64];
	json_t *claims;

	*out = NULL;
	if (!client_id_valid(client_id) || !scopes || (scopes & ~(unsigned)SCOPE_ALL) ||
	    key->alg != jws_alg_parse(cfg->jwt_alg))
		return -1;
	scopes_format(scopes, scope, sizeof(scope));
	claims = new_claims(cfg, client_id, scope, (json_int_t)time(NULL));
	if (claims)
		*out = jws_sign(claims, key);
	if (!*out)
		log_openssl(claims ? "jws_sign" : "token claims");
	json_decref(claims);
	return *out ? 0 : -1;
}

/* ---- claims ---- */

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
	local = json_is_string(cid)
	                ? keyring_local_client(keyring_current(), json_string_value(cid))
	                : NULL;
	if (!local || !client_id_valid(local) || (scope && !json_is_string(scope)))
		return -1;
	snprintf(out->client_id, sizeof(out->client_id), "%s", local);
	out->scopes =
	        scope ? scopes_external(json_string_value(scope), cfg->external_scope_prefix) : 0;
	out->exp = (int64_t)exp;
	return 0;
}

/* ---- token verify ---- */

/* Our tokens' header: alg, kid and typ "JWT" at most, as jws_sign writes it. */
static int own_header(const struct jws *jws)
{
	return jws->extra == 0 && (!jws->typ[0] || !strcmp(jws->typ, "JWT"));
}

/*
 * The key is chosen before anything is verified: a kid of the external
 * JWKS means that key and nothing else; otherwise our signing key.
 */
int token_verify(const struct config *cfg, const char *jwt, struct token_claims *out)
{
	char buf[TOKEN_MAX + 1];
	size_t n = jwt ? token_len(jwt) : 0;
	const struct jwk *ext, *own = &keyring_current()->signing;
	struct jws jws;
	json_t *claims;
	int rc;

	if (n == 0 || n > TOKEN_MAX)
		return -1;
	memcpy(buf, jwt, n);
	buf[n] = '\0';
	if (jws_parse(buf, &jws) < 0)
		return -1;
	ext = jws.kid[0] ? jwks_find(&keyring_current()->external, jws.kid) : NULL;
	if (!ext && (!own_header(&jws) || own->alg != jws_alg_parse(cfg->jwt_alg)))
		return -1;
	claims = jws_verify(&jws, ext ? ext : own);
	rc = ext ? external_check(cfg, claims, (json_int_t)time(NULL), out)
	         : claims_check(cfg, claims, (json_int_t)time(NULL), out);
	json_decref(claims);
	return rc;
}
