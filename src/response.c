/*
 * response: status line, headers and body, written straight to the
 * FastCGI stream (no intermediate copy of the body).
 *
 * response_error() is the one place that turns an api_err into the
 * contract's envelope and adds the headers its status needs.  Details
 * with the same field are grouped under one errorDetails entry.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "response.h"

struct status_info {
	int status;
	const char *reason;
	const char *type;
};

static const struct status_info statuses[] = {
        {200, "OK", "OK"},
        {202, "Accepted", "ACCEPTED"},
        {400, "Bad Request", "BAD_REQUEST"},
        {401, "Unauthorized", "UNAUTHORIZED"},
        {403, "Forbidden", "FORBIDDEN"},
        {404, "Not Found", "NOT_FOUND"},
        {405, "Method Not Allowed", "METHOD_NOT_ALLOWED"},
        {408, "Request Timeout", "REQUEST_TIMEOUT"},
        {409, "Conflict", "CONFLICT"},
        {410, "Gone", "GONE"},
        {411, "Length Required", "LENGTH_REQUIRED"},
        {412, "Precondition Failed", "PRECONDITION_FAILED"},
        {413, "Payload Too Large", "PAYLOAD_TOO_LARGE"},
        {414, "URI Too Long", "URI_TOO_LONG"},
        {415, "Unsupported Media Type", "UNSUPPORTED_MEDIA_TYPE"},
        {417, "Expectation Failed", "EXPECTATION_FAILED"},
        {429, "Too Many Requests", "TOO_MANY_REQUESTS"},
        {431, "Request Header Fields Too Large", "REQUEST_HEADER_FIELDS_TOO_LARGE"},
        {500, "Internal Server Error", "INTERNAL_ERROR"},
        {501, "Not Implemented", "NOT_IMPLEMENTED"},
        {503, "Service Unavailable", "SERVICE_UNAVAILABLE"},
        {505, "HTTP Version Not Supported", "HTTP_VERSION_NOT_SUPPORTED"},
};

static const struct status_info *status_find(int status)
{
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].status == status)
			return &statuses[i];
	return status_find(500); /* in the table, so this ends */
}

const char *response_reason(int status)
{
	return status_find(status)->reason;
}

const char *response_type(int status)
{
	return status_find(status)->type;
}

void response_write(struct request *r, const char *s, size_t len)
{
	FCGX_PutStr(s, (int)len, r->fcgi->out);
}

static void put(struct request *r, const char *s)
{
	response_write(r, s, strlen(s));
}

static void write_head(struct request *r, int status, const char *ctype, const char *const *headers)
{
	char line[128];

	r->status = status;
	snprintf(line, sizeof(line), "Status: %d %s\r\n", status, response_reason(status));
	put(r, line);
	if (ctype) {
		put(r, "Content-Type: ");
		put(r, ctype);
		put(r, "\r\n");
	}
	put(r, "X-Request-ID: ");
	put(r, r->request_id);
	put(r, "\r\nCache-Control: no-store\r\n");
	for (; headers && *headers; headers++) {
		put(r, *headers);
		put(r, "\r\n");
	}
	put(r, "\r\n");
}

static int dump_cb(const char *buf, size_t size, void *data)
{
	struct request *r = data;

	return FCGX_PutStr(buf, (int)size, r->fcgi->out) < 0 ? -1 : 0;
}

void response_write_json(struct request *r, const json_t *v)
{
	json_dump_callback(v, dump_cb, r, JSON_COMPACT);
}

void response_begin(struct request *r, int status, const char *const *headers)
{
	write_head(r, status, "application/json", headers);
}

/* Out of memory while building an answer: a fixed envelope, still the contract's. */
static void response_oom(struct request *r)
{
	char body[256];

	log_error("out of memory building an answer");
	write_head(r, 500, "application/json", NULL);
	/* the request id is [A-Za-z0-9._-] only (request.c), safe inside a JSON string */
	snprintf(body, sizeof(body),
	         "{\"message\":\"Internal error; see the service log\",\"responseType\":"
	         "\"INTERNAL_ERROR\",\"requestId\":\"%s\",\"errorCode\":\"INTERNAL_ERROR\"}",
	         r->request_id);
	put(r, body);
}

void response_json(struct request *r, int status, const json_t *body, const char *const *headers)
{
	if (!body) {
		response_oom(r);
		return;
	}
	response_begin(r, status, headers);
	response_write_json(r, body);
}

void response_empty(struct request *r, int status, const char *const *headers)
{
	write_head(r, status, NULL, headers);
}

/* [{"field": f, "errors": [{code, parameter?, message}]}], one entry per field. */
static json_t *error_details(const struct api_err *err)
{
	json_t *list = json_array();

	for (size_t i = 0; i < err->ndetails; i++) {
		const struct api_err_detail *d = &err->details[i];
		json_t *entry = NULL, *e;
		size_t j;

		for (j = 0; j < json_array_size(list); j++) {
			entry = json_array_get(list, j);
			if (strcmp(json_string_value(json_object_get(entry, "field")), d->field) ==
			    0)
				break;
		}
		if (j == json_array_size(list)) {
			entry = json_pack("{s:s, s:[]}", "field", d->field, "errors");
			json_array_append_new(list, entry);
		}
		e = json_pack("{s:s}", "code", d->code);
		if (d->parameter[0])
			json_object_set_new(e, "parameter", json_string(d->parameter));
		json_object_set_new(e, "message", json_string(d->message));
		json_array_append_new(json_object_get(entry, "errors"), e);
	}
	if (err->dropped) {
		char n[24];

		snprintf(n, sizeof(n), "%zu", err->dropped);
		json_array_append_new(list,
		                      json_pack("{s:s, s:[{s:s, s:s, s:s}]}", "field", "body",
		                                "errors", "code", "TOO_MANY_ERRORS", "parameter", n,
		                                "message", "more problems than listed"));
	}
	return list;
}

/* The header a status needs (WWW-Authenticate, Allow, Retry-After), or NULL. */
static const char *status_header(const struct request *r, char *buf, size_t cap)
{
	const struct api_err *err = &r->err;
	const char *code = err->code ? err->code : "";

	switch (err->status) {
	case 401:
		if (strcmp(code, "INVALID_CLIENT") == 0)
			return "WWW-Authenticate: Basic realm=\"customers\"";
		return "WWW-Authenticate: Bearer realm=\"customers\", error=\"invalid_token\"";
	case 403:
		snprintf(buf, cap,
		         "WWW-Authenticate: Bearer realm=\"customers\", "
		         "error=\"insufficient_scope\", scope=\"%s\"",
		         r->need_scope ? r->need_scope : "customers:read");
		return buf;
	case 405:
		snprintf(buf, cap, "Allow: %s", r->allow);
		return buf;
	case 429:
		snprintf(buf, cap, "Retry-After: %u", r->retry_after ? r->retry_after : 1);
		return buf;
	case 503:
		snprintf(buf, cap, "Retry-After: %u", r->cfg->db_retry_after);
		return buf;
	default:
		return NULL;
	}
}

void response_error(struct request *r, const json_t *extra)
{
	const struct api_err *err = &r->err;
	int status = err->status ? err->status : 500;
	char hbuf[160];
	const char *hdrs[2] = {status_header(r, hbuf, sizeof(hbuf)), NULL};
	json_t *body;

	body = json_pack("{s:s, s:s, s:s}", "message",
	                 err->message[0] ? err->message : response_reason(status), "responseType",
	                 response_type(status), "requestId", r->request_id);
	if (err->code)
		json_object_set_new(body, "errorCode", json_string(err->code));
	if (err->ndetails)
		json_object_set_new(body, "errorDetails", error_details(err));
	if (extra)
		json_object_update(body, (json_t *)extra);
	response_json(r, status, body, hdrs);
	json_decref(body);
}
