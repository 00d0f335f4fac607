/*
 * test_webhook_json: RFC 3339 parsing for replay, and the POST/PATCH body
 * checks (event types to SET text, unknown fields, every problem named).
 */
#include <string.h>

#include "tap.h"
#include "webhook_json.h"

static void test_rfc3339(void)
{
	int64_t ms = 0;

	ok(rfc3339_parse("2026-11-26T18:48:39.123Z", &ms) == 0, "Z with milliseconds");
	is_int(ms, 1795718919123LL, "its Unix milliseconds");
	ok(rfc3339_parse("2026-11-26T19:48:39.123+01:00", &ms) == 0, "with an offset");
	is_int(ms, 1795718919123LL, "the same instant");
	ok(rfc3339_parse("2026-11-26T18:48:39Z", &ms) == 0, "without a fraction");
	is_int(ms, 1795718919000LL, "whole seconds");
	ok(rfc3339_parse("2026-11-26T18:48:39.1234567Z", &ms) == 0, "a long fraction");
	is_int(ms, 1795718919123LL, "cut to milliseconds");
	is_int(rfc3339_parse("2026-11-26 18:48:39Z", &ms), -1, "a space for T");
	is_int(rfc3339_parse("2026-11-26T18:48:39", &ms), -1, "no zone");
	is_int(rfc3339_parse("2026-13-26T18:48:39Z", &ms), -1, "month 13");
	is_int(rfc3339_parse("2026-11-26T18:48:39.Z", &ms), -1, "an empty fraction");
	is_int(rfc3339_parse("yesterday", &ms), -1, "not a timestamp");
}

static void test_new(void)
{
	struct webhook_input in;
	struct api_err err;
	json_t *b;

	api_err_clear(&err);
	b = json_loads(
	        "{\"url\":\"https://a.example/h\",\"eventTypes\":[\"OFFBOARDING_NOTIFICATION\","
	        "\"CUSTOMER_NOTIFICATION\"],\"description\":\"d\"}",
	        0, NULL);
	is_int(webhook_parse_new(b, &in, &err), 0, "a good POST body");
	is_str(in.types, "CUSTOMER_NOTIFICATION,OFFBOARDING_NOTIFICATION", "types in table order");
	is_str(in.url, "https://a.example/h", "url");
	json_decref(b);
	api_err_clear(&err);
	b = json_loads("{\"eventTypes\":[\"CUSTOMER_NOTIFICATION\",\"CUSTOMER_NOTIFICATION\"],"
	               "\"extra\":1}",
	               0, NULL);
	is_int(webhook_parse_new(b, &in, &err), -1, "a bad POST body");
	is_int(err.status, 400, "400");
	is_int(err.ndetails, 3, "three problems: duplicate type, unknown field, no url");
	json_decref(b);
}

static void test_patch(void)
{
	struct webhook_input in;
	struct api_err err;
	json_t *b = json_loads("{\"enabled\":false}", 0, NULL);

	api_err_clear(&err);
	is_int(webhook_parse_patch(b, &in, &err), 0, "PATCH enabled false");
	is_int(in.enabled, 0, "enabled 0");
	ok(in.url == NULL && in.types[0] == '\0' && in.description == NULL, "nothing else set");
	json_decref(b);
	b = json_loads("{\"enabled\":\"yes\"}", 0, NULL);
	is_int(webhook_parse_patch(b, &in, &err), -1, "enabled must be a boolean");
	json_decref(b);
}

int main(void)
{
	test_rfc3339();
	test_new();
	test_patch();
	return done_testing();
}
