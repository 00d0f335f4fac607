/*
 * test_response: the envelope and the headers a status needs, as written
 * to the FastCGI stream (fake_fcgi.h); details of one field grouped.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "fake_fcgi.h"
#include "response.h"
#include "tap.h"

static struct config cfg;
static struct fake_fcgi f;
static struct request r;
static char body[16];

static void fresh(void)
{
	fake_fcgi_init(&f, (const char *[]){"REQUEST_URI=/x", "HTTP_X_REQUEST_ID=rid-1", NULL},
	               NULL);
	request_init(&r, &f.req, &cfg, NULL, body, sizeof(body));
}

/* The body of what was written, parsed (new reference), or NULL. */
static json_t *written_json(void)
{
	const char *out = fake_fcgi_output(&f), *b = strstr(out, "\r\n\r\n");

	return b ? json_loads(b + 4, 0, NULL) : NULL;
}

static int has_header(const char *line)
{
	return strstr(fake_fcgi_output(&f), line) != NULL;
}

static void test_envelope(void)
{
	json_t *j;

	fresh();
	api_err_detail(&r.err, "labels[0]", "TOO_LONG", "64", "too long");
	api_err_detail(&r.err, "labels[0]", "INVALID_FORMAT", NULL, "bad");
	api_err_detail(&r.err, "limit", "OUT_OF_RANGE", "1..100", "range");
	response_error(&r, NULL);
	ok(has_header("Status: 400 Bad Request\r\n"), "the status line");
	ok(has_header("Content-Type: application/json\r\n"), "JSON");
	ok(has_header("X-Request-ID: rid-1\r\n"), "the request id header");
	j = written_json();
	is_str(json_string_value(json_object_get(j, "responseType")), "BAD_REQUEST",
	       "responseType");
	is_str(json_string_value(json_object_get(j, "requestId")), "rid-1", "requestId");
	is_str(json_string_value(json_object_get(j, "errorCode")), "VALIDATION_FAILED",
	       "errorCode");
	is_int(json_array_size(json_object_get(j, "errorDetails")), 2, "one entry per field");
	is_int(json_array_size(json_object_get(
	               json_array_get(json_object_get(j, "errorDetails"), 0), "errors")),
	       2, "two errors of labels[0] grouped");
	json_decref(j);
	is_int(r.status, 400, "the status is kept for metrics");
}

static void test_status_headers(void)
{
	fresh();
	snprintf(r.allow, sizeof(r.allow), "GET, POST");
	api_err_set(&r.err, 405, "METHOD_NOT_ALLOWED", "no");
	response_error(&r, NULL);
	ok(has_header("\r\nAllow: GET, POST\r\n"), "405 names Allow");
	fresh();
	api_err_set(&r.err, 401, "INVALID_TOKEN", "no");
	response_error(&r, NULL);
	ok(has_header("WWW-Authenticate: Bearer realm=\"customers\", error=\"invalid_token\""),
	   "401 challenges a bearer token");
	fresh();
	r.retry_after = 7;
	api_err_set(&r.err, 429, "TOO_MANY_REQUESTS", "slow down");
	response_error(&r, NULL);
	ok(has_header("Retry-After: 7\r\n"), "429 says when to retry");
	fresh();
	api_err_set(&r.err, 503, "SERVICE_UNAVAILABLE", "later");
	response_error(&r, NULL);
	ok(has_header("Retry-After: "), "503 says when to retry");
}

static void test_reasons(void)
{
	is_str(response_reason(404), "Not Found", "a reason phrase");
	is_str(response_type(412), "PRECONDITION_FAILED", "a responseType");
	is_str(response_type(418), "INTERNAL_ERROR", "an unknown status renders as 500's");
}

int main(void)
{
	config_defaults(&cfg);
	test_envelope();
	test_status_headers();
	test_reasons();
	return done_testing();
}
