/*
 * path: split first, then decode each segment (see path.h for why).
 * The decoding is query_unescape's, so the path and the query refuse the
 * same escapes.
 */
#include <string.h>

#include "path.h"
#include "query.h"

enum path_result path_split(char *raw, struct path *out)
{
	char *s = raw[0] == '/' ? raw + 1 : raw;

	out->n = 0;
	if (raw[0] == '\0')
		return PATH_OK;
	for (;;) {
		char *slash = strchr(s, '/');

		if (out->n == PATH_SEGMENTS_MAX)
			return PATH_TOO_DEEP;
		if (slash)
			*slash = '\0';
		if (query_unescape(s, 0) < 0)
			return PATH_BAD_ENCODING;
		out->seg[out->n++] = s;
		if (!slash)
			return PATH_OK;
		s = slash + 1;
	}
}

/* 1 if the n bytes at pat are exactly the segment seg. */
static int segment_is(const char *pat, size_t n, const char *seg)
{
	return strlen(seg) == n && memcmp(pat, seg, n) == 0;
}

/* How many segments of p the pattern matches from the front, or -1. */
static long match_front(const struct path *p, const char *pattern, const char **param)
{
	size_t k = 0;

	*param = NULL;
	for (const char *s = pattern; *s == '/'; k++) {
		const char *next = s + 1 + strcspn(s + 1, "/");
		size_t len = (size_t)(next - s - 1);

		if (k == p->n)
			return -1;
		if (s[1] == '{' && p->seg[k][0] != '\0')
			*param = p->seg[k];
		else if (!segment_is(s + 1, len, p->seg[k]))
			return -1;
		s = next;
	}
	return (long)k;
}

int path_match(const struct path *p, const char *pattern, const char **param)
{
	return match_front(p, pattern, param) == (long)p->n;
}

int path_strip_prefix(struct path *p, const char *prefix)
{
	const char *none;
	long k = match_front(p, prefix, &none);

	if (k < 0)
		return -1;
	p->n -= (size_t)k;
	memmove(p->seg, p->seg + k, p->n * sizeof(p->seg[0]));
	return 0;
}
