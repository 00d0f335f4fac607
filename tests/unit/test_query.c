/*
 * test_query: the query strings of the list and of the event feed.
 *
 * One table of whole query strings with the first detail each must give
 * (or none), then focused checks of the values that come out.
 */
#include <stdio.h>
#include <string.h>

#include "api_err.h"
#include "query.h"
#include "tap.h"

#define X8 "xxxxxxxx"
#define X56 X8 X8 X8 X8 X8 X8 X8
#define UUID_A "0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d"
#define L8 "l1&labels=l2&labels=l3&labels=l4&labels=l5&labels=l6&labels=l7&labels=l8"
#define L16                                                                                        \
	"labels=" L8                                                                               \
	"&labels=m1&labels=m2&labels=m3&labels=m4&labels=m5&labels=m6&labels=m7&labels=m8"

struct qcase {
	int line;
	const char *qs;
	size_t ndetails; /* 0: must parse */
	const char *field, *code, *param, *errcode;
};

static const struct qcase cases[] = {
        {__LINE__, "", 0, NULL, NULL, NULL, NULL},
        {__LINE__, "&&&", 0, NULL, NULL, NULL, NULL},
        {__LINE__, "limit=1", 0, NULL, NULL, NULL, NULL},
        {__LINE__, "limit=100", 0, NULL, NULL, NULL, NULL},
        {__LINE__, "limit=0", 1, "limit", "OUT_OF_RANGE", "1..100", "VALIDATION_FAILED"},
        {__LINE__, "limit=101", 1, "limit", "OUT_OF_RANGE", "1..100", "VALIDATION_FAILED"},
        {__LINE__, "limit=99999999999999999999999", 1, "limit", "OUT_OF_RANGE", "1..100", NULL},
        {__LINE__, "limit=-1", 1, "limit", "INVALID_FORMAT", "", NULL},
        {__LINE__, "limit=abc", 1, "limit", "INVALID_FORMAT", "", NULL},
        {__LINE__, "limit=", 1, "limit", "INVALID_FORMAT", "", NULL},
        {__LINE__, "limit", 1, "limit", "INVALID_FORMAT", "", NULL},
        {__LINE__, "limit=1.5", 1, "limit", "INVALID_FORMAT", "", NULL},
        {__LINE__, "limit=+5", 1, "limit", "INVALID_FORMAT", "", NULL},
        {__LINE__, "limit=5%00", 1, "limit", "INVALID_ENCODING", "", NULL},
        {__LINE__, "cursor=abc", 0, NULL, NULL, NULL, NULL},
        {__LINE__, "cursor=", 1, "cursor", "INVALID_CURSOR", "", "INVALID_CURSOR"},
        {__LINE__, "entityId=" UUID_A, 0, NULL, NULL, NULL, NULL},
        {__LINE__, "entityId=0190A3C4-5E6F-7A8B-9C0D-1E2F3A4B5C6D", 0, NULL, NULL, NULL, NULL},
        {__LINE__, "entityId=0190a3c4", 1, "entityId", "INVALID_FORMAT", "", NULL},
        {__LINE__, "entityId=", 1, "entityId", "INVALID_FORMAT", "", NULL},
        {__LINE__, "customerStatus=CREATED", 0, NULL, NULL, NULL, NULL},
        {__LINE__, "customerStatus=OFFBOARDED", 0, NULL, NULL, NULL, NULL},
        {__LINE__, "customerStatus=created", 1, "customerStatus", "INVALID_VALUE", "", NULL},
        {__LINE__, "customerStatus=ACTIVE%20", 1, "customerStatus", "INVALID_VALUE", "", NULL},
        {__LINE__, "customerType=JOINT_PERSON", 0, NULL, NULL, NULL, NULL},
        {__LINE__, "customerType=PERSON", 1, "customerType", "INVALID_VALUE", "", NULL},
        {__LINE__, "labels=a%20b", 0, NULL, NULL, NULL, NULL},
        {__LINE__, "labels=a+b", 0, NULL, NULL, NULL, NULL},
        {__LINE__, "labels=%zz", 1, "labels[0]", "INVALID_ENCODING", "", NULL},
        {__LINE__, "labels=a%2", 1, "labels[0]", "INVALID_ENCODING", "", NULL},
        {__LINE__, "labels=a%", 1, "labels[0]", "INVALID_ENCODING", "", NULL},
        {__LINE__, "labels=a%00b", 1, "labels[0]", "INVALID_ENCODING", "", NULL},
        {__LINE__, "labels=a%zz&labels=", 2, "labels[0]", "INVALID_ENCODING", "", NULL},
        {__LINE__, "labels=x&labels=%zz", 1, "labels[1]", "INVALID_ENCODING", "", NULL},
        {__LINE__, "labels=", 1, "labels[0]", "TOO_SHORT", "1", NULL},
        {__LINE__, "labels=ok&labels=+lead", 1, "labels[1]", "INVALID_FORMAT", "", NULL},
        {__LINE__, "labels=%01", 1, "labels[0]", "INVALID_CHARACTERS", "", NULL},
        {__LINE__, "labels=%ff", 1, "labels[0]", "INVALID_CHARACTERS", "", NULL},
        {__LINE__, "labels=" X56 "xxxxxxx%C3%A9", 0, NULL, NULL, NULL,
         NULL}, /* 64 chars, 65 bytes */
        {__LINE__, "labels=" X56 X8 "%C3%A9", 1, "labels[0]", "TOO_LONG", "64", NULL},
        {__LINE__, L16, 0, NULL, NULL, NULL, NULL},
        {__LINE__, L16 "&labels=l1&labels=m8", 0, NULL, NULL, NULL, NULL},
        {__LINE__, L16 "&labels=x", 1, "labels", "TOO_MANY_ITEMS", "16", NULL},
        {__LINE__, "foo=1", 1, "foo", "UNKNOWN_PARAMETER", "", NULL},
        {__LINE__, "Limit=1", 1, "Limit", "UNKNOWN_PARAMETER", "", NULL},
        {__LINE__, "label=x", 1, "label", "UNKNOWN_PARAMETER", "", NULL},
        {__LINE__, "=x", 1, "", "UNKNOWN_PARAMETER", "", NULL},
        {__LINE__, "f%C3%B6o=1", 1, "f??o", "UNKNOWN_PARAMETER", "", NULL},
        {__LINE__, "x%zz=1", 1, "x%zz", "INVALID_ENCODING", "", NULL},
        {__LINE__, "lim%69t=5", 0, NULL, NULL, NULL, NULL},
        {__LINE__, "limit=5&limit=5", 1, "limit", "DUPLICATE_PARAMETER", "", NULL},
        {__LINE__, "cursor=a&cursor=b", 1, "cursor", "DUPLICATE_PARAMETER", "", NULL},
        {__LINE__, "customerType=LEGAL_ENTITY&customerType=LEGAL_ENTITY", 1, "customerType",
         "DUPLICATE_PARAMETER", "", NULL},
        {__LINE__, "limit=1&limit=2&limit=3", 1, "limit", "DUPLICATE_PARAMETER", "", NULL},
};

/* The feed's own rules; the walk itself is the list's, tested above. */
static const struct qcase feed_cases[] = {
        {__LINE__, "", 0, NULL, NULL, NULL, NULL},
        {__LINE__, "limit=1000", 0, NULL, NULL, NULL, NULL},
        {__LINE__, "limit=1001", 1, "limit", "OUT_OF_RANGE", "1..1000", "VALIDATION_FAILED"},
        {__LINE__, "limit=0", 1, "limit", "OUT_OF_RANGE", "1..1000", NULL},
        {__LINE__, "eventType=CUSTOMER_NOTIFICATION&eventType=CUSTOMER_NOTIFICATION", 0, NULL, NULL,
         NULL, NULL},
        {__LINE__, "eventType=OFFBOARDING_NOTIFICATION&eventType=nope", 1, "eventType[1]",
         "INVALID_VALUE", "", NULL},
        {__LINE__, "labels=a", 1, "labels", "UNKNOWN_PARAMETER", "", NULL},
        {__LINE__, "cursor=", 1, "cursor", "INVALID_CURSOR", "", "INVALID_CURSOR"},
};

static int parse_list_qs(char *qs, struct api_err *err)
{
	struct list_filter f;

	return query_parse_list(qs, &f, err);
}

static int parse_feed_qs(char *qs, struct api_err *err)
{
	struct feed_filter f;

	return query_parse_feed(qs, &f, err);
}

static void check_case(const struct qcase *c, int (*parse_qs)(char *, struct api_err *))
{
	char buf[2048], name[160];
	struct api_err err;
	int rc;

	snprintf(buf, sizeof(buf), "%s", c->qs);
	api_err_clear(&err);
	rc = parse_qs(buf, &err);
	snprintf(name, sizeof(name), "line %d: \"%.60s\"", c->line, c->qs);
	is_int(rc, c->ndetails ? -1 : 0, name);
	is_int(err.ndetails, c->ndetails, name);
	if (c->ndetails == 0 || err.ndetails == 0)
		return;
	is_int(err.status, 400, name);
	is_str(err.details[0].field, c->field, name);
	is_str(err.details[0].code, c->code, name);
	is_str(err.details[0].parameter, c->param, name);
	if (c->errcode)
		is_str(err.code, c->errcode, name);
}

static int parse(const char *qs, char *buf, size_t size, struct list_filter *f, struct api_err *err)
{
	snprintf(buf, size, "%s", qs);
	api_err_clear(err);
	return query_parse_list(buf, f, err);
}

static void test_values(void)
{
	char buf[512];
	struct list_filter f;
	struct api_err err;
	char text[UUID_STR_LEN + 1];

	is_int(query_parse_list(NULL, &f, &err), 0, "NULL query string is fine");
	is_int(f.limit, 20, "default limit is 20");
	ok(!f.has_entity && !f.has_status && !f.has_type && f.labels.n == 0 && !f.cursor,
	   "no filters by default");
	parse("limit=007&entityId=0190A3C4-5E6F-7A8B-9C0D-1E2F3A4B5C6D&customerStatus=OFFBOARDING"
	      "&customerType=LEGAL_ENTITY&cursor=AbC-_x",
	      buf, sizeof(buf), &f, &err);
	is_int(f.limit, 7, "limit with leading zeros");
	uuid_format(&f.entity_id, text);
	ok(f.has_entity, "entityId present");
	is_str(text, "0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d", "entityId value");
	ok(f.has_status && f.status == STATUS_OFFBOARDING, "customerStatus value");
	ok(f.has_type && f.type == ENTITY_LEGAL_ENTITY, "customerType value");
	is_str(f.cursor, "AbC-_x", "cursor is kept as given");
	ok(f.cursor >= buf && f.cursor < buf + sizeof(buf),
	   "cursor points into the caller's buffer");
}

static void test_labels(void)
{
	char buf[2048];
	struct list_filter f;
	struct api_err err;

	parse("labels=zeta&labels=a%20b&labels=zeta&labels=a+b&labels=%C3%A9t%C3%A9&labels=Zeta",
	      buf, sizeof(buf), &f, &err);
	is_int(f.labels.n, 4, "duplicates collapse (a+b equals a%20b)");
	is_str(f.labels.v[0], "Zeta", "labels sorted by bytes: upper case first");
	is_str(f.labels.v[1], "a b", "percent-decoded space");
	is_str(f.labels.v[2], "zeta", "third");
	is_str(f.labels.v[3], "\xc3\xa9t\xc3\xa9", "UTF-8 sorts last");
	is_int(f.labels.len[3], 5, "label length is in bytes");
	parse("labels=a%2526b", buf, sizeof(buf), &f, &err);
	is_str(f.labels.v[0], "a%26b", "decoded exactly once");
	parse("labels=a%26b%3Dc", buf, sizeof(buf), &f, &err);
	ok(f.labels.n == 1 && strcmp(f.labels.v[0], "a&b=c") == 0, "escaped & and = are data");
	parse(L16 "&labels=x", buf, sizeof(buf), &f, &err);
	is_int(f.labels.n, 16, "the first 16 are kept when there are too many");
}

/* Every problem is reported, each on its own parameter. */
static void test_all_reported(void)
{
	static const char *const fields[] = {"limit", "foo",          "entityId", "labels[1]",
	                                     "limit", "customerType", "cursor"};
	char buf[512], name[64];
	struct list_filter f;
	struct api_err err;
	size_t i;

	parse("limit=0&foo=1&entityId=x&labels=ok&labels=&limit=5&customerType=x&cursor=", buf,
	      sizeof(buf), &f, &err);
	is_int(err.ndetails, 7, "seven problems, seven details");
	for (i = 0; i < err.ndetails && i < 7; i++) {
		snprintf(name, sizeof(name), "detail %zu is on %s", i, fields[i]);
		is_str(err.details[i].field, fields[i], name);
	}
	is_str(err.code, "VALIDATION_FAILED", "mixed problems: VALIDATION_FAILED");
}

static void test_cursor_length(void)
{
	char buf[600], qs[600];
	struct list_filter f;
	struct api_err err;

	memset(qs, 'A', sizeof(qs));
	memcpy(qs, "cursor=", 7);
	qs[7 + 256] = '\0';
	is_int(parse(qs, buf, sizeof(buf), &f, &err), 0, "a 256-byte cursor is accepted here");
	memset(qs, 'A', sizeof(qs));
	memcpy(qs, "cursor=", 7);
	qs[7 + 257] = '\0';
	is_int(parse(qs, buf, sizeof(buf), &f, &err), -1, "a 257-byte cursor is refused");
	is_str(err.code, "INVALID_CURSOR", "too long a cursor is INVALID_CURSOR");
}

static void test_unescape(void)
{
	static const struct {
		int line;
		const char *in;
		int plus;
		long rc;
		const char *out;
	} u[] = {
	        {__LINE__, "", 1, 0, ""},        {__LINE__, "a+b", 1, 3, "a b"},
	        {__LINE__, "a+b", 0, 3, "a+b"},  {__LINE__, "%41%62%7e%7E", 1, 4, "Ab~~"},
	        {__LINE__, "%2B", 1, 1, "+"},    {__LINE__, "%", 1, -1, NULL},
	        {__LINE__, "%4", 1, -1, NULL},   {__LINE__, "%4g", 1, -1, NULL},
	        {__LINE__, "%g4", 1, -1, NULL},  {__LINE__, "%00", 1, -1, NULL},
	        {__LINE__, "ab%0", 1, -1, NULL},
	};
	char buf[64], name[64];
	size_t i;

	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		long rc;

		snprintf(buf, sizeof(buf), "%s", u[i].in);
		snprintf(name, sizeof(name), "line %d: unescape \"%s\"", u[i].line, u[i].in);
		rc = query_unescape(buf, u[i].plus);
		is_int(rc, u[i].rc, name);
		if (u[i].out && rc >= 0)
			is_str(buf, u[i].out, name);
	}
}

static void test_feed_values(void)
{
	char buf[256];
	struct feed_filter f;
	struct api_err err;

	api_err_clear(&err);
	snprintf(buf, sizeof(buf), "%s", "");
	is_int(query_parse_feed(buf, &f, &err), 0, "feed: empty query");
	is_int(f.limit, 100, "feed: limit defaults to 100");
	is_int(f.types, 0, "feed: no eventType: all");
	ok(f.cursor == NULL, "feed: no cursor");
	snprintf(buf, sizeof(buf), "%s",
	         "eventType=LABELS_UPDATE_NOTIFICATION&limit=7&eventType=OFFBOARDING_NOTIFICATION"
	         "&cursor=AbC_-9");
	is_int(query_parse_feed(buf, &f, &err), 0, "feed: two types, limit and cursor");
	is_int(f.types, 1u << EVENT_LABELS_UPDATE | 1u << EVENT_OFFBOARDING, "feed: the two types");
	is_int(f.limit, 7, "feed: limit 7");
	is_str(f.cursor, "AbC_-9", "feed: the cursor, decoded");
}

/* GET /roles/customer-labels: limit 1..1000 (default 1000), cursor, nothing else. */
static void test_labels_route(void)
{
	static const struct {
		int line;
		const char *qs;
		int rc;
		unsigned limit;
		const char *field, *code, *param;
	} c[] = {
	        {__LINE__, "", 0, 1000, NULL, NULL, NULL},
	        {__LINE__, "limit=1", 0, 1, NULL, NULL, NULL},
	        {__LINE__, "limit=1000", 0, 1000, NULL, NULL, NULL},
	        {__LINE__, "limit=0", -1, 0, "limit", "OUT_OF_RANGE", "1..1000"},
	        {__LINE__, "limit=1001", -1, 0, "limit", "OUT_OF_RANGE", "1..1000"},
	        {__LINE__, "cursor=abc&limit=5", 0, 5, NULL, NULL, NULL},
	        {__LINE__, "labels=vip", -1, 0, "labels", "UNKNOWN_PARAMETER", ""},
	        {__LINE__, "limit=1&limit=2", -1, 0, "limit", "DUPLICATE_PARAMETER", ""},
	};
	char buf[64], name[80];
	struct list_filter f;
	struct api_err err;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", c[i].qs);
		snprintf(name, sizeof(name), "line %d: labels query \"%s\"", c[i].line, c[i].qs);
		api_err_clear(&err);
		is_int(query_parse_labels(buf, &f, &err), c[i].rc, name);
		if (c[i].rc == 0) {
			is_int((int)f.limit, (int)c[i].limit, name);
			continue;
		}
		is_str(err.details[0].field, c[i].field, name);
		is_str(err.details[0].code, c[i].code, name);
		is_str(err.details[0].parameter, c[i].param, name);
	}
}

/* A route without parameters: "" and bare separators pass, each name is reported. */
static void test_none(void)
{
	char buf[64];
	struct api_err err;

	api_err_clear(&err);
	snprintf(buf, sizeof(buf), "%s", "&&");
	is_int(query_parse_none(buf, &err), 0, "no parameters: separators alone pass");
	snprintf(buf, sizeof(buf), "%s", "limit=5&x%00=1");
	is_int(query_parse_none(buf, &err), -1, "no parameters: limit is refused");
	is_int(err.ndetails, 2, "no parameters: one detail per parameter");
	is_str(err.details[0].field, "limit", "no parameters: the detail names limit");
	is_str(err.details[0].code, "UNKNOWN_PARAMETER", "no parameters: UNKNOWN_PARAMETER");
	is_str(err.details[1].code, "INVALID_ENCODING",
	       "no parameters: a bad name is INVALID_ENCODING");
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i], parse_list_qs);
	for (i = 0; i < sizeof(feed_cases) / sizeof(feed_cases[0]); i++)
		check_case(&feed_cases[i], parse_feed_qs);
	test_feed_values();
	test_values();
	test_labels();
	test_all_reported();
	test_cursor_length();
	test_unescape();
	test_labels_route();
	test_none();
	return done_testing();
}
