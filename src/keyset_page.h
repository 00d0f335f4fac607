/*
 * keyset_page: what the two keyset-paged list routes (customers,
 * offboardings) share: a page asks for limit + 1 rows, the extra row only
 * tells that a next page exists, and the cursor (cursor.h) names the last
 * row given, bound to the partner and the filter hash.
 */
#ifndef KEYSET_PAGE_H
#define KEYSET_PAGE_H

#include <jansson.h>

#include "request.h"
#include "uuid.h"

struct keyset_page {
	unsigned limit;
	unsigned n;
	int more;
	int failed; /* out of memory rendering a row: answer 500 rather than a short page */
	struct uuid last;
	json_t *data; /* owned; keyset_page_release frees it */
};

/* An empty page of limit rows; 0, or -1 on out of memory. */
int keyset_page_init(struct keyset_page *p, unsigned limit);
void keyset_page_release(struct keyset_page *p);

/*
 * Adds the row with id and its JSON (stolen); 1 when the walk should stop
 * (the page is full, this row only told so, or out of memory).
 */
int keyset_page_add(struct keyset_page *p, const struct uuid *id, json_t *item);

/*
 * The cursor parameter: 0 and *after, or -1 with r->err the 400
 * INVALID_CURSOR (tampered, truncated, another partner's or filters').
 */
int keyset_cursor_parse(struct request *r, const char *cursor, const unsigned char fhash[32],
                        struct uuid *after);

/*
 * Answers 200 {"data": [...], "pagination": {"cursor", "limit"}}: the cursor
 * after the last row when there are more, else after *resume when given (a
 * page that ended early), else null.
 */
void keyset_page_answer(struct request *r, const struct keyset_page *p,
                        const unsigned char fhash[32], const struct uuid *resume);

#endif
