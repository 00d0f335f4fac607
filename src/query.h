/*
 * query: the list route's query string -> struct list_filter, the event
 * feed's -> struct feed_filter.
 *
 * The string is percent-decoded in place ('+' is a space), so the filter's
 * strings point into the caller's buffer, which must outlive the filter.
 * Unknown or repeated parameters (other than labels) are errors; repeated
 * labels and eventTypes are sets (duplicates collapse).  Every problem is reported.
 */
#ifndef QUERY_H
#define QUERY_H

#include "api_err.h"
#include "model.h"

/* qs may be NULL or "" (defaults). Modified in place. 0 or -1. */
int query_parse_list(char *qs, struct list_filter *out, struct api_err *err);
/* The same for GET /roles/events (limit 1..1000, default 100). */
int query_parse_feed(char *qs, struct feed_filter *out, struct api_err *err);

/*
 * A query of limit (1..max, default def) and cursor only, into *limit and
 * *cursor (borrowed from qs; NULL when absent).  0, or -1 with err set.
 */
int query_parse_page(char *qs, unsigned max, unsigned def, unsigned *limit, const char **cursor,
                     struct api_err *err);

/* A route that takes no parameters: each one given is UNKNOWN_PARAMETER.  0 or -1. */
int query_parse_none(char *qs, struct api_err *err);

/* GET /roles/customer-labels: limit 1..1000 (default 1000) and cursor only, into out. */
#define LABEL_PAGE_MAX 1000
int query_parse_labels(char *qs, struct list_filter *out, struct api_err *err);
/* The same for GET /roles/offboardings (§12). */
int query_parse_offboardings(char *qs, struct offb_filter *out, struct api_err *err);

/* Percent-decodes s in place (plus_is_space for forms), returns the new length
 * or -1 on a bad escape or an embedded NUL. */
long query_unescape(char *s, int plus_is_space);

#endif
