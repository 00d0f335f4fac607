/*
 * request: what the web server handed us, made safe to use.
 *
 * Servers disagree on SCRIPT_NAME/PATH_INFO (lighttpd with a "/" mount
 * puts the path in SCRIPT_NAME, Apache's mod_proxy_fcgi in PATH_INFO,
 * nginx in whatever fastcgi_param says), but all of them pass REQUEST_URI
 * as the client sent it.  So we route on REQUEST_URI, split it into
 * segments and decode each exactly once (path.h), and strip the
 * configured mount prefix; SCRIPT_NAME + PATH_INFO is
 * only the fallback for a server that does not send REQUEST_URI.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "path.h"
#include "request.h"
#include "uuid.h"
#include "validate.h"

const char *request_param(const struct request *r, const char *name)
{
	return FCGX_GetParam(name, r->fcgi->envp);
}

const char *request_authorization(const struct request *r)
{
	const char *h = request_param(r, "HTTP_AUTHORIZATION");

	/* Apache without CGIPassAuth may still hand it over after a rewrite. */
	return h ? h : request_param(r, "REDIRECT_HTTP_AUTHORIZATION");
}

static void make_request_id(struct request *r)
{
	static unsigned long fallback_seq;
	const char *given = request_param(r, "HTTP_X_REQUEST_ID");
	struct uuid u;

	if (given && request_id_sane(given)) {
		snprintf(r->request_id, sizeof(r->request_id), "%s", given);
		return;
	}
	/* Time-ordered, so log lines sort by request as well as by time. */
	if (uuid_v7_at(clock_wall_ms(), &u) == 0) {
		uuid_format(&u, r->request_id);
		return;
	}
	/* No random bytes: still unique, never the same id for every request. */
	snprintf(r->request_id, sizeof(r->request_id), "%ld-%lld-%lu", (long)getpid(),
	         (long long)clock_wall_ms(), ++fallback_seq);
}

/* Copies LEN bytes of SRC into DST of CAP bytes, terminated; -1 if too long. */
static int copy_part(char *dst, size_t cap, const char *src, size_t len)
{
	if (len >= cap)
		return -1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

/* The raw path and query, both from REQUEST_URI: lighttpd normalizes
 * QUERY_STRING (a bad escape "%zz" becomes "%25zz", a valid label), which
 * would hide an encoding error the contract answers. */
static int copy_uri(struct request *r)
{
	const char *uri = request_param(r, "REQUEST_URI");
	const char *q;
	size_t plen;
	int n;

	if (uri && *uri) {
		plen = strcspn(uri, "?#");
		q = uri[plen] == '?' ? uri + plen + 1 : "";
		if (copy_part(r->path, sizeof(r->path), uri, plen) < 0)
			return -1;
		return copy_part(r->query, sizeof(r->query), q, strcspn(q, "#"));
	}
	n = snprintf(r->path, sizeof(r->path), "%s%s", request_param(r, "SCRIPT_NAME") ?: "",
	             request_param(r, "PATH_INFO") ?: "");
	if (n < 0 || (size_t)n >= sizeof(r->path))
		return -1;
	q = request_param(r, "QUERY_STRING") ?: "";
	return copy_part(r->query, sizeof(r->query), q, strlen(q));
}

/*
 * What lighttpd refuses itself (server.error-handler in its shipped
 * configurations) comes back to us as a request with REDIRECT_STATUS set
 * to the status it chose, so that the client gets the contract's envelope
 * and an X-Request-ID instead of lighttpd's HTML page.  Normal requests
 * carry 200 or nothing, and a client cannot set it (headers arrive as
 * HTTP_*).
 */
struct refusal {
	int status;
	const char *code;
	const char *message;
};

static const struct refusal refusals[] = {
        {400, "BAD_REQUEST", "The web server refused the request"},
        {403, "FORBIDDEN", "Forbidden"},
        {404, "NOT_FOUND", "No such resource"},
        {408, "REQUEST_TIMEOUT", "The request took too long to arrive"},
        {411, "LENGTH_REQUIRED",
         "A request with a body needs Content-Length (Content-Length: 0 for none)"},
        {413, "PAYLOAD_TOO_LARGE", "Request body too large"},
        {414, "URI_TOO_LONG", "Request URI too long"},
        {417, "EXPECTATION_FAILED", "Only Expect: 100-continue is understood"},
        {431, "REQUEST_HEADER_FIELDS_TOO_LARGE", "Request headers too large"},
        {501, "NOT_IMPLEMENTED", "The web server does not implement this request"},
        {505, "HTTP_VERSION_NOT_SUPPORTED", "HTTP version not supported"},
};

/* 1 when the web server refused the request (r->err set), else 0. */
static int web_server_refused(struct request *r)
{
	const char *s = request_param(r, "REDIRECT_STATUS");
	long status = s ? strtol(s, NULL, 10) : 0;

	if (status < 400 || status > 599)
		return 0;
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		if (refusals[i].status == status) {
			api_err_set(&r->err, (int)status, refusals[i].code, "%s",
			            refusals[i].message);
			return 1;
		}
	}
	if (status >= 500)
		api_err_set(&r->err, 500, "INTERNAL_ERROR", "The web server failed");
	else
		api_err_set(&r->err, 400, "BAD_REQUEST", "The web server refused the request");
	return 1;
}

int request_init(struct request *r, FCGX_Request *fcgi, const struct config *cfg, struct db *db,
                 char *body_buf, size_t body_cap)
{
	memset(r, 0, offsetof(struct request, err));
	api_err_clear(&r->err);
	r->fcgi = fcgi;
	r->cfg = cfg;
	r->db = db;
	r->body = body_buf;
	r->body_cap = body_cap;
	r->route = -1;
	r->method = request_param(r, "REQUEST_METHOD") ?: "";
	make_request_id(r);
	log_set_request(r->request_id);
	if (web_server_refused(r))
		return -1;
	if (copy_uri(r) < 0) {
		api_err_set(&r->err, 400, "REQUEST_TOO_LARGE",
		            "Request path or query string is too long");
		return -1;
	}
	switch (path_split(r->path, &r->segments)) {
	case PATH_OK:
		break;
	case PATH_BAD_ENCODING:
		api_err_set(&r->err, 400, "INVALID_ENCODING",
		            "Request path is not validly percent-encoded");
		return -1;
	case PATH_TOO_DEEP:
		api_err_set(&r->err, 404, "NOT_FOUND", "No such resource");
		return -1;
	}
	if (path_strip_prefix(&r->segments, r->cfg->prefix) < 0) {
		api_err_set(&r->err, 404, "NOT_FOUND", "No such resource");
		return -1;
	}
	return 0;
}

void request_release(struct request *r)
{
	json_decref(r->json);
	r->json = NULL;
	log_set_request(NULL);
}

/* "application/json; charset=utf-8" matches type "application/json". */
static int content_type_is(const char *ct, const char *type)
{
	size_t len = strlen(type);

	if (!ct || strncasecmp(ct, type, len) != 0)
		return 0;
	ct += len;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

static int declared_length(const struct request *r, long long *len)
{
	const char *cl = request_param(r, "CONTENT_LENGTH");
	char *end;

	*len = -1;
	if (!cl || !*cl)
		return 0;
	*len = strtoll(cl, &end, 10);
	return *end || *len < 0 ? -1 : 0;
}

int request_read_body(struct request *r, const char *type)
{
	size_t max = r->body_cap - 1; /* the buffer holds max_body and a NUL */
	long long declared;
	int n;

	if (!content_type_is(request_param(r, "CONTENT_TYPE"), type)) {
		api_err_set(&r->err, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be %s",
		            type);
		return -1;
	}
	if (declared_length(r, &declared) < 0) {
		api_err_set(&r->err, 400, "MALFORMED_REQUEST", "Content-Length is not a number");
		return -1;
	}
	if (declared > (long long)max)
		goto too_large;
	/* Without Content-Length (chunked upload) read to EOF, one byte past the limit at most. */
	r->body_len = 0;
	while (r->body_len <= max) {
		n = FCGX_GetStr(r->body + r->body_len, (int)(max + 1 - r->body_len), r->fcgi->in);
		if (n <= 0)
			break;
		r->body_len += (size_t)n;
	}
	if (r->body_len > max)
		goto too_large;
	r->body[r->body_len] = '\0';
	return 0;
too_large:
	api_err_set(&r->err, 413, "PAYLOAD_TOO_LARGE", "Request body exceeds %zu bytes", max);
	return -1;
}

int request_read_json(struct request *r)
{
	json_error_t jerr;

	if (request_read_body(r, "application/json") < 0)
		return -1;
	r->json = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!r->json) {
		api_err_set(&r->err, 400, "MALFORMED_JSON",
		            "Request body is not valid JSON: %s (line %d, column %d)", jerr.text,
		            jerr.line, jerr.column);
		return -1;
	}
	return 0;
}
