/*
 * h_token: POST /oauth2/token, the client-credentials grant (RFC 6749
 * section 4.4).
 *
 * Errors carry both the RFC 6749 section 5.2 member ("error") and the
 * contract's envelope, so OAuth client libraries and our partners' error
 * handling both understand them.  Cheap checks (form, grant type) run
 * before the deliberately slow secret check; an unknown client costs the
 * same scrypt as a known one.
 *
 * Failed client authentications are counted per client id and per source
 * address (REMOTE_ADDR) in the pool-wide throttle table; while either is
 * over its limit the answer is 429 with Retry-After, decided before the
 * scrypt, so a guessing burst costs the server almost nothing.  The OAuth
 * error word for it is "slow_down" (RFC 8628 3.5, the registered error
 * that means "ask less often").
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "base64.h"
#include "db_clients.h"
#include "handler.h"
#include "handlers.h"
#include "keyring.h"
#include "query.h"
#include "response.h"
#include "throttle.h"

#define FORM_TYPE "application/x-www-form-urlencoded"

struct token_form {
	const char *grant_type;
	const char *client_id;
	const char *client_secret;
	const char *scope;
};

/*
 * Answers, like handler_fail, with both the RFC 6749 error and the
 * envelope; returns -1 so a caller can `return token_fail(...)`.  message
 * may be r->err.message.
 */
static int token_fail(struct request *r, int status, const char *oauth, const char *message)
{
	char code[40], text[sizeof(r->err.message)];
	json_t *extra;
	size_t i;

	snprintf(text, sizeof(text), "%s", message); /* r->err is cleared below */
	for (i = 0; i < sizeof(code) - 1 && oauth[i]; i++)
		code[i] = (char)toupper((unsigned char)oauth[i]);
	code[i] = '\0';
	api_err_clear(&r->err);
	api_err_set(&r->err, status, status == 401 ? "INVALID_CLIENT" : NULL, "%s", text);
	extra = json_pack("{s:s, s:s, s:s}", "error", oauth, "errorCode", code, "error_description",
	                  text);
	response_error(r, extra);
	json_decref(extra);
	return -1;
}

/* Sets *slot to value unless already set (a repeated parameter is an error). */
static int form_set(const char **slot, const char *value)
{
	if (*slot)
		return -1;
	*slot = value;
	return 0;
}

/* Parses the form body in place; -1 on a bad escape or a repeated known parameter. */
static int parse_form(char *body, struct token_form *f)
{
	memset(f, 0, sizeof(*f));
	for (char *pair = body, *next; pair && *pair; pair = next) {
		char *eq;
		int rc = 0;

		next = strchr(pair, '&');
		if (next)
			*next++ = '\0';
		eq = strchr(pair, '=');
		if (!eq)
			continue;
		*eq = '\0';
		if (query_unescape(pair, 1) < 0 || query_unescape(eq + 1, 1) < 0)
			return -1;
		if (strcmp(pair, "grant_type") == 0)
			rc = form_set(&f->grant_type, eq + 1);
		else if (strcmp(pair, "client_id") == 0)
			rc = form_set(&f->client_id, eq + 1);
		else if (strcmp(pair, "client_secret") == 0)
			rc = form_set(&f->client_secret, eq + 1);
		else if (strcmp(pair, "scope") == 0)
			rc = form_set(&f->scope, eq + 1);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/*
 * "Basic base64(id:secret)" into buf; id and secret are form-encoded
 * inside (RFC 6749 section 2.3.1).  1 if present and valid, 0 if absent,
 * -1 if malformed.
 */
static int basic_credentials(const char *hdr, char *buf, size_t cap, const char **id,
                             const char **secret)
{
	size_t len;
	long n;
	char *colon;

	if (!hdr || strncasecmp(hdr, "Basic ", 6) != 0)
		return 0;
	hdr += 6;
	while (*hdr == ' ')
		hdr++;
	len = strlen(hdr);
	while (len > 0 && hdr[len - 1] == ' ')
		len--;
	n = base64_decode(hdr, len, (unsigned char *)buf, cap - 1, 0);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	colon = strchr(buf, ':');
	if (!colon || (long)strlen(buf) != n)
		return -1;
	*colon = '\0';
	if (query_unescape(buf, 1) < 0 || query_unescape(colon + 1, 1) < 0)
		return -1;
	*id = buf;
	*secret = colon + 1;
	return 1;
}

/* The scopes granted: the requested subset of the client's, or all of them. -1 if invalid. */
static int granted_scopes(const struct token_form *f, unsigned client_scopes, unsigned *out)
{
	unsigned asked;

	if (!f->scope || !*f->scope) {
		*out = client_scopes;
		return 0;
	}
	if (scopes_parse(f->scope, &asked) < 0 || (asked & ~client_scopes))
		return -1;
	*out = asked;
	return 0;
}

static void issue(struct request *r, const struct client_row *client, unsigned scopes)
{
	static const char *const hdrs[] = {"Pragma: no-cache", NULL};
	char scope_text[64];
	char *token = NULL;
	json_t *body;

	if (token_issue(r->cfg, client->client_id, scopes, &token) < 0) {
		token_fail(r, 500, "server_error", "Could not issue a token");
		return;
	}
	scopes_format(scopes, scope_text, sizeof(scope_text));
	body = json_pack("{s:s, s:s, s:I, s:s}", "access_token", token, "token_type", "Bearer",
	                 "expires_in", (json_int_t)r->cfg->token_ttl, "scope", scope_text);
	response_json(r, 200, body, hdrs);
	json_decref(body);
	free(token);
}

/* Answers 429 and returns -1 while id or the source address has too many recent failures. */
static int throttled_or_respond(struct request *r, const char *id)
{
	const struct config *c = r->cfg;
	int64_t now = (int64_t)time(NULL);
	unsigned by_id = throttle_wait(THROTTLE_CLIENT, id, c->throttle_client_failures,
	                               c->throttle_window, now);
	unsigned by_addr = throttle_wait(THROTTLE_ADDRESS, request_param(r, "REMOTE_ADDR"),
	                                 c->throttle_address_failures, c->throttle_window, now);

	r->retry_after = by_id > by_addr ? by_id : by_addr;
	if (r->retry_after == 0)
		return 0;
	token_fail(r, 429, "slow_down", "Too many failed client authentications; retry later");
	return -1;
}

/* Counts a failed client authentication against id and the source address. */
static void count_failure(struct request *r, const char *id)
{
	int64_t now = (int64_t)time(NULL);

	throttle_failure(THROTTLE_CLIENT, id, r->cfg->throttle_window, now);
	throttle_failure(THROTTLE_ADDRESS, request_param(r, "REMOTE_ADDR"), r->cfg->throttle_window,
	                 now);
}

/* Looks the client up and checks its secret; answers and returns -1 on failure. */
static int authenticate_client(struct request *r, const char *id, const char *secret,
                               struct client_row *client)
{
	int rc = db_client_get(r->db, id, client);
	int known = rc == DB_OK;

	if (rc != DB_OK && rc != DB_NOT_FOUND) {
		api_err_db(&r->err, rc);
		return token_fail(r, r->err.status,
		                  rc == DB_UNAVAILABLE ? "temporarily_unavailable" : "server_error",
		                  r->err.message);
	}
	/* Always one scrypt, so the answer time does not tell which ids exist. */
	if (!secret_verify(secret, known ? client->secret_hash : NULL) || !known ||
	    client->disabled) {
		count_failure(r, id);
		token_fail(r, 401, "invalid_client", "Client authentication failed");
		return -1;
	}
	return 0;
}

/* The client authentication of the request: Basic or form fields, not both. -1 if malformed. */
static int credentials(struct request *r, const struct token_form *f, char *basic, size_t cap,
                       const char **id, const char **secret)
{
	int has_basic = basic_credentials(request_authorization(r), basic, cap, id, secret);

	if (has_basic < 0 || (has_basic && (f->client_id || f->client_secret)))
		return -1;
	if (!has_basic) {
		*id = f->client_id;
		*secret = f->client_secret;
	}
	return 0;
}

/* Grants a token or answers with the error; -1 when it answered with an error. */
static int grant(struct request *r)
{
	struct token_form f;
	struct client_row client;
	const char *id = NULL, *secret = NULL;
	char basic[512];
	unsigned scopes;

	if (request_read_body(r, FORM_TYPE) < 0)
		return token_fail(r, r->err.status, "invalid_request", r->err.message);
	if (parse_form(r->body, &f) < 0 ||
	    credentials(r, &f, basic, sizeof(basic), &id, &secret) < 0)
		return token_fail(r, 400, "invalid_request",
		                  "Malformed request: repeated parameters, bad encoding or two "
		                  "client authentications");
	if (!f.grant_type)
		return token_fail(r, 400, "invalid_request", "grant_type is required");
	if (strcmp(f.grant_type, "client_credentials") != 0)
		return token_fail(r, 400, "unsupported_grant_type",
		                  "Only client_credentials is supported");
	if (throttled_or_respond(r, id) < 0)
		return -1;
	if (!id || !secret || !*id) {
		count_failure(r, id);
		return token_fail(r, 401, "invalid_client", "Client authentication failed");
	}
	if (authenticate_client(r, id, secret, &client) < 0)
		return -1;
	if (granted_scopes(&f, client.scopes, &scopes) < 0)
		return token_fail(r, 400, "invalid_scope",
		                  "The requested scope is not granted to this client");
	issue(r, &client, scopes);
	return 0;
}

void h_token(struct request *r, const char *arg)
{
	(void)arg;
	grant(r);
}

/*
 * GET /oauth2/jwks.json: the public key of our issuer (RFC 7517), so
 * resource servers can verify our RS256/ES256 tokens.  With HS256 there is
 * nothing public to publish and the set is empty.
 */
void h_jwks(struct request *r, const char *arg)
{
	const struct jwk *key = &keyring_current()->signing;
	json_t *body = json_pack("{s:[]}", "keys");

	(void)arg;
	/* An unrenderable signing key is a 500, not an empty set: clients would
	 * cache "no keys" and reject every token until the next fetch. */
	if (!body || (key->pkey &&
	              json_array_append_new(json_object_get(body, "keys"), jwk_public_json(key))))
		handler_internal_error(r, "jwks: cannot render the public signing key");
	else
		response_json(r, 200, body, NULL);
	json_decref(body);
}
