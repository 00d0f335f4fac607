/*
 * if_match: the If-Match request header, parsed once in the handler into
 * the versions it names, so that the database layer only compares a
 * number under its row lock and never sees HTTP syntax.
 *
 * Pure: no I/O, no allocation; unit-tested (tests/unit/test_if_match.c).
 */
#ifndef IF_MATCH_H
#define IF_MATCH_H

#include <stddef.h>
#include <stdint.h>

/* Tags kept from one header; those after the last one kept are ignored (see if_match.c). */
#define IF_MATCH_MAX 64

/* A present If-Match header; a request without one has none (NULL). */
struct if_match {
	int any;                        /* "*": any current version */
	size_t n;                       /* versions below */
	uint32_t version[IF_MATCH_MAX]; /* of our strong tags, in header order */
};

/*
 * Parses header (borrowed; NULL when absent) into *buf.  Returns buf, or
 * NULL when the header is absent.  Cannot fail: a malformed list simply
 * names fewer versions (none, from the first malformed element on).
 */
const struct if_match *if_match_parse(const char *header, struct if_match *buf);

/*
 * 1 if a write to a customer at `version` may go ahead: m is NULL (no
 * If-Match), "*", or names the version; else 0.  m is borrowed.
 */
int if_match_allows(const struct if_match *m, uint32_t version);

#endif
