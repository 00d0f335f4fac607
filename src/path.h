/*
 * path: a request path as the router sees it, a list of decoded segments.
 *
 * The raw path (still percent-encoded, as the client sent it) is split at
 * each '/' first and only then is each segment decoded, once: an encoded
 * slash ("%2F") is data inside a segment, so a path parameter such as a
 * label name may hold '/', and a literal segment may still be sent
 * encoded ("/roles/%63ustomers").  A decoded segment is never empty of
 * meaning by accident: NUL ("%00") and bad escapes are refused.
 */
#ifndef PATH_H
#define PATH_H

#include <stddef.h>

#define PATH_SEGMENTS_MAX 16

struct path {
	size_t n;
	char *seg[PATH_SEGMENTS_MAX]; /* borrowed: point into the buffer given to path_split */
};

enum path_result { PATH_OK = 0, PATH_BAD_ENCODING = -1, PATH_TOO_DEEP = -2 };

/*
 * Splits raw ("/a/b%2Fc": "a", "b/c"), modifying it in place; out's
 * segments point into raw.  "" has no segments, "/" one empty segment, a
 * trailing '/' an empty last one.  A path not starting with '/' is one
 * whole segment list all the same (the router finds no route for it).
 */
enum path_result path_split(char *raw, struct path *out);

/*
 * 1 if p is exactly pattern's segments: literal ones equal, a "{name}"
 * one any non-empty segment, which *param then points to (borrowed from
 * p; NULL when the pattern has none).  0 otherwise.
 */
int path_match(const struct path *p, const char *pattern, const char **param);

/*
 * Removes prefix ("/api", validated by config: no empty segment) from the
 * front of p.  0, or -1 if p does not start with the prefix's segments.
 */
int path_strip_prefix(struct path *p, const char *prefix);

#endif
