/*
 * test_path: split first, decode each segment once; an encoded slash is
 * data; literal and parameter segments of a pattern; the mount prefix.
 */
#include <string.h>

#include "path.h"
#include "tap.h"

static struct path split(const char *raw, enum path_result *rc)
{
	static char buf[512];
	struct path p;

	snprintf(buf, sizeof(buf), "%s", raw);
	*rc = path_split(buf, &p);
	return p;
}

static void test_split(void)
{
	enum path_result rc;
	struct path p = split("/roles/customers", &rc);

	ok(rc == PATH_OK && p.n == 2, "two segments");
	is_str(p.seg[1], "customers", "second segment");
	p = split("/roles/customer-labels/a%2Fb%20c/customers", &rc);
	ok(rc == PATH_OK && p.n == 4, "an encoded slash does not split");
	is_str(p.seg[2], "a/b c", "the segment is decoded once");
	p = split("/x/%2541", &rc);
	is_str(p.seg[1], "%41", "decoded exactly once");
	p = split("", &rc);
	ok(rc == PATH_OK && p.n == 0, "empty: no segment");
	p = split("/", &rc);
	ok(p.n == 1 && p.seg[0][0] == '\0', "root: one empty segment");
	p = split("/a/", &rc);
	ok(p.n == 2 && p.seg[1][0] == '\0', "a trailing slash: an empty last segment");
	split("/a/%zz", &rc);
	is_int(rc, PATH_BAD_ENCODING, "a bad escape");
	split("/a/%00", &rc);
	is_int(rc, PATH_BAD_ENCODING, "an encoded NUL");
	split("/a/%4", &rc);
	is_int(rc, PATH_BAD_ENCODING, "a cut escape");
	split("/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16", &rc);
	is_int(rc, PATH_OK, "16 segments fit");
	split("/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17", &rc);
	is_int(rc, PATH_TOO_DEEP, "17 segments are too deep");
}

static void test_match(void)
{
	enum path_result rc;
	struct path p = split("/roles/customers/abc", &rc);
	const char *param;

	ok(path_match(&p, "/roles/customers/{id}", &param), "a parameter segment matches");
	is_str(param, "abc", "the parameter");
	ok(!path_match(&p, "/roles/customers", &param), "a shorter pattern does not match");
	ok(!path_match(&p, "/roles/customers/{id}/x", &param), "a longer pattern does not match");
	ok(!path_match(&p, "/roles/customer/{id}", &param), "a literal must be equal");
	p = split("/roles/customers/", &rc);
	ok(!path_match(&p, "/roles/customers/{id}", &param), "an empty parameter does not match");
	p = split("/roles/%63ustomers", &rc);
	ok(path_match(&p, "/roles/customers", &param) && !param,
	   "an encoded literal matches, no parameter");
	p = split("/roles/customer-labels/a%2Fb/customers", &rc);
	ok(path_match(&p, "/roles/customer-labels/{labelName}/customers", &param),
	   "a parameter in the middle");
	is_str(param, "a/b", "holding a slash");
	p = split("/healthz", &rc);
	ok(!path_match(&p, "/healthzz", &param) && !path_match(&p, "/health", &param),
	   "segments compare whole");
}

static void test_prefix(void)
{
	enum path_result rc;
	struct path p = split("/api/v1/healthz", &rc);

	ok(path_strip_prefix(&p, "/api/v1") == 0 && p.n == 1, "a two-segment prefix");
	is_str(p.seg[0], "healthz", "what follows it");
	p = split("/api/healthz", &rc);
	ok(path_strip_prefix(&p, "") == 0 && p.n == 2, "no prefix strips nothing");
	p = split("/apix/healthz", &rc);
	ok(path_strip_prefix(&p, "/api") < 0, "a prefix is whole segments");
	p = split("/other", &rc);
	ok(path_strip_prefix(&p, "/api") < 0, "outside the prefix");
	p = split("/api", &rc);
	ok(path_strip_prefix(&p, "/api") == 0 && p.n == 0, "the prefix alone");
	p = split("/%61pi/healthz", &rc);
	ok(path_strip_prefix(&p, "/api") == 0 && p.n == 1, "an encoded prefix");
}

int main(void)
{
	test_split();
	test_match();
	test_prefix();
	return done_testing();
}
