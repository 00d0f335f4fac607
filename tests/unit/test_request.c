/*
 * test_request: what request_init and the body readers make of the
 * FastCGI environment, through libfcgi's own stream code (fake_fcgi.h):
 * the path from REQUEST_URI or the fallback, the raw query, the prefix,
 * the request id, the limits and the body's media type and size.
 */
#include <stdio.h>
#include <string.h>

#include "fake_fcgi.h"
#include "request.h"
#include "tap.h"

static struct config cfg;
static struct fake_fcgi f;
static struct request r;
static char body[65];

static int init(const char *const *env, const char *in)
{
	fake_fcgi_init(&f, env, in);
	return request_init(&r, &f.req, &cfg, NULL, body, sizeof(body));
}

static void test_paths(void)
{
	ok(init((const char *[]){"REQUEST_METHOD=GET", "REQUEST_URI=/roles/a%2Fb?x=%zz#f", NULL},
	        NULL) == 0,
	   "a request URI");
	is_str(r.method, "GET", "the method");
	ok(r.segments.n == 2, "two segments");
	is_str(r.segments.seg[1], "a/b", "decoded once, the slash kept in its segment");
	is_str(r.query, "x=%zz", "the query raw, without the fragment");
	ok(init((const char *[]){"SCRIPT_NAME=/roles", "PATH_INFO=/customers",
	                         "QUERY_STRING=limit=1", NULL},
	        NULL) == 0,
	   "no REQUEST_URI: SCRIPT_NAME + PATH_INFO");
	ok(r.segments.n == 2 && strcmp(r.segments.seg[1], "customers") == 0, "the joined path");
	is_str(r.query, "limit=1", "and QUERY_STRING");
	is_str(r.method, "", "no method is empty, not NULL");
	ok(init((const char *[]){"REQUEST_URI=/roles/%zz", NULL}, NULL) < 0, "a bad escape");
	is_int(r.err.status, 400, "is 400");
	is_str(r.err.code, "INVALID_ENCODING", "INVALID_ENCODING");
}

static void test_prefix(void)
{
	snprintf(cfg.prefix, sizeof(cfg.prefix), "/api");
	ok(init((const char *[]){"REQUEST_URI=/api/healthz", NULL}, NULL) == 0, "under the prefix");
	ok(r.segments.n == 1 && strcmp(r.segments.seg[0], "healthz") == 0,
	   "the prefix is stripped");
	ok(init((const char *[]){"REQUEST_URI=/healthz", NULL}, NULL) < 0, "outside the prefix");
	is_int(r.err.status, 404, "is 404");
	cfg.prefix[0] = '\0';
}

static void test_limits(void)
{
	static char uri[REQUEST_PATH_MAX + 32];

	snprintf(uri, sizeof(uri), "REQUEST_URI=/%0*d", REQUEST_PATH_MAX, 0);
	ok(init((const char *[]){uri, NULL}, NULL) < 0 && r.err.status == 400,
	   "a path past REQUEST_PATH_MAX is 400");
	is_str(r.err.code, "REQUEST_TOO_LARGE", "REQUEST_TOO_LARGE");
	ok(init((const char *[]){"REQUEST_URI=/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17", NULL},
	        NULL) < 0 &&
	           r.err.status == 404,
	   "a path too deep for any route is 404");
}

static void test_request_id(void)
{
	init((const char *[]){"REQUEST_URI=/", "HTTP_X_REQUEST_ID=abc-123", NULL}, NULL);
	is_str(r.request_id, "abc-123", "a sane X-Request-ID is kept");
	init((const char *[]){"REQUEST_URI=/", "HTTP_X_REQUEST_ID=a b\"c", NULL}, NULL);
	ok(strcmp(r.request_id, "a b\"c") != 0 && strlen(r.request_id) == 36,
	   "an insane one is replaced by a UUID");
}

/* lighttpd's server.error-handler: REDIRECT_STATUS carries the status it refused with. */
static void test_web_server_refusal(void)
{
	ok(init((const char *[]){"REQUEST_URI=/healthz", "REDIRECT_STATUS=200", NULL}, NULL) == 0,
	   "REDIRECT_STATUS 200: an ordinary request");
	ok(init((const char *[]){"REQUEST_URI=/roles/customers", "REDIRECT_STATUS=411",
	                         "HTTP_X_REQUEST_ID=rid-1", NULL},
	        NULL) < 0,
	   "REDIRECT_STATUS 411: refused");
	is_int(r.err.status, 411, "with the web server's status");
	is_str(r.err.code, "LENGTH_REQUIRED", "LENGTH_REQUIRED");
	is_str(r.request_id, "rid-1", "and the client's request id");
	ok(init((const char *[]){"REQUEST_URI=/metrics", "REDIRECT_STATUS=403", NULL}, NULL) < 0 &&
	           r.err.status == 403,
	   "403 stays 403");
	ok(init((const char *[]){"REQUEST_URI=/", "REDIRECT_STATUS=416", NULL}, NULL) < 0 &&
	           r.err.status == 400,
	   "a 4xx without an entry of its own is 400");
	ok(init((const char *[]){"REQUEST_URI=/", "REDIRECT_STATUS=502", NULL}, NULL) < 0 &&
	           r.err.status == 500,
	   "a 5xx without one is 500");
	ok(init((const char *[]){"REQUEST_URI=/", "REDIRECT_STATUS=4xx", NULL}, NULL) == 0,
	   "a status that is not a number is no refusal");
}

static void test_body(void)
{
	init((const char *[]){"REQUEST_URI=/", "CONTENT_TYPE=application/json; charset=utf-8",
	                      NULL},
	     "{\"a\": 1}");
	ok(request_read_json(&r) == 0 && json_is_object(r.json), "a JSON body");
	request_release(&r);
	init((const char *[]){"REQUEST_URI=/", "CONTENT_TYPE=text/plain", NULL}, "{}");
	ok(request_read_json(&r) < 0 && r.err.status == 415, "another media type is 415");
	init((const char *[]){"REQUEST_URI=/", "CONTENT_TYPE=application/json", NULL}, "{\"a\":");
	ok(request_read_json(&r) < 0 && r.err.status == 400, "broken JSON is 400");
	is_str(r.err.code, "MALFORMED_JSON", "MALFORMED_JSON");
	init((const char *[]){"REQUEST_URI=/", "CONTENT_TYPE=application/json", "CONTENT_LENGTH=65",
	                      NULL},
	     "{}");
	ok(request_read_json(&r) < 0 && r.err.status == 413, "a declared length past the cap");
	init((const char *[]){"REQUEST_URI=/", "CONTENT_TYPE=application/json", NULL},
	     "[1111111111111111111111111111111111111111111111111111111111111111]");
	ok(request_read_json(&r) < 0 && r.err.status == 413, "an undeclared body past the cap");
	init((const char *[]){"REQUEST_URI=/", "CONTENT_TYPE=application/json", "CONTENT_LENGTH=x",
	                      NULL},
	     "{}");
	ok(request_read_json(&r) < 0 && r.err.status == 400, "a Content-Length not a number");
}

int main(void)
{
	config_defaults(&cfg);
	cfg.prefix[0] = '\0';
	test_paths();
	test_prefix();
	test_limits();
	test_request_id();
	test_web_server_refusal();
	test_body();
	return done_testing();
}
