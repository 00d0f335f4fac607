/*
 * test_if_match: If-Match headers against versions, as a table of headers
 * and the version each lets through, plus the list rules (any tag may
 * match, nothing past a malformed element, at most IF_MATCH_MAX tags) and
 * the round trip from customer_etag().
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "customer_json.h"
#include "if_match.h"
#include "tap.h"

/* A header parsed and compared in one go, as the handler and the database do it. */
static int allows(const char *header, uint32_t version)
{
	struct if_match m;

	return if_match_allows(if_match_parse(header, &m), version);
}

/*
 * Each row: a header and the version it lets through (ANY: every version,
 * NONE: no version).  A row with a version also checks that the next one
 * is refused.
 */
#define ANY (-1)
#define NONE (-2)

static void test_table(void)
{
	static const struct {
		int line;
		const char *header;
		int64_t passes;
	} c[] = {
	        {__LINE__, NULL, ANY},
	        {__LINE__, "*", ANY},
	        {__LINE__, " * ", ANY},
	        {__LINE__, "\"v3\"", 3},
	        {__LINE__, "\"v0\"", 0},
	        {__LINE__, "\"v4294967294\"", INT64_C(4294967294)},
	        {__LINE__, "\"v4294967296\"", NONE},
	        {__LINE__, "\"v99999999999\"", NONE},
	        {__LINE__, "  \"v12\"  ", 12},
	        {__LINE__, "\"abc\", \"v7\"", 7},
	        {__LINE__, "W/\"v7\", \"v9\"", 9},
	        {__LINE__, ",,\"v5\",", 5},
	        {__LINE__, "\"v5\", garbage", 5},
	        {__LINE__, "W/\"v7\"", NONE},
	        {__LINE__, "\"v03\"", NONE},
	        {__LINE__, "\"v-3\"", NONE},
	        {__LINE__, "\"v\"", NONE},
	        {__LINE__, "\"3\"", NONE},
	        {__LINE__, "\"V3\"", NONE},
	        {__LINE__, "v3", NONE},
	        {__LINE__, "\"v3", NONE},
	        {__LINE__, "\"v3\"x", NONE},
	        {__LINE__, "garbage, \"v3\"", NONE},
	        {__LINE__, "*, \"v3\"", NONE},
	        {__LINE__, "", NONE},
	        {__LINE__, " , ", NONE},
	};
	char name[128];

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		const char *h = c[i].header;
		uint32_t v = c[i].passes >= 0 ? (uint32_t)c[i].passes : 3;

		snprintf(name, sizeof(name), "line %d: If-Match %s", c[i].line, h ? h : "(absent)");
		is_int(allows(h, v), c[i].passes != NONE, name);
		if (c[i].passes != ANY)
			is_int(allows(h, v + 1), 0, name);
	}
}

static void test_lists(void)
{
	struct if_match m;

	is_int(allows("\"v7\", \"v1\"", 1), 1, "any tag of the list may match (RFC 9110)");
	is_int(allows("\"v7\", \"v1\"", 7), 1, "the first tag matches too");
	is_int(allows("\"v7\", \"v1\"", 2), 0, "a version in no tag does not");
	ok(if_match_parse(NULL, &m) == NULL, "an absent header parses to NULL");
	ok(if_match_parse("\"v1\"", &m) == &m, "a present one into the caller's buffer");
	if_match_parse("W/\"v1\", \"x\", \"v2\", \"v3\" junk \"v4\"", &m);
	is_int(m.n, 2, "only strong tags of ours, up to the first malformed element");
	is_int(m.any, 0, "a list is not *");
}

/* IF_MATCH_MAX tags are kept; one more is ignored, which can only refuse. */
static void test_max(void)
{
	char header[IF_MATCH_MAX * 16];
	size_t at = 0;

	for (unsigned i = 1; i <= IF_MATCH_MAX + 1; i++)
		at += (size_t)snprintf(header + at, sizeof(header) - at, "%s\"v%u\"",
		                       i > 1 ? ", " : "", i);
	is_int(allows(header, IF_MATCH_MAX), 1, "the last tag kept matches");
	is_int(allows(header, IF_MATCH_MAX + 1), 0, "a tag past IF_MATCH_MAX does not");
}

static void test_etag_round_trip(void)
{
	static struct customer_row row;
	char etag[32];

	row.version = 123456;
	customer_etag(&row, etag);
	is_int(allows(etag, 123456), 1, "our own ETag matches its version");
	row.version = UINT32_MAX;
	customer_etag(&row, etag);
	is_int(allows(etag, UINT32_MAX), 1, "the largest version too");
}

int main(void)
{
	test_table();
	test_lists();
	test_max();
	test_etag_round_trip();
	return done_testing();
}
