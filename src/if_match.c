/*
 * if_match: If-Match (RFC 9110 13.1.1) against our ETags.
 *
 * Our ETag is the row's version as a strong tag, "v<version>" in quotes
 * (customer_etag() in customer_json.c writes it).  It is read back
 * strictly: only the exact spelling customer_etag() makes is ours (no
 * sign, no leading zero, at most UINT32_MAX); a weak tag never matches,
 * since If-Match asks for the strong comparison; and the list is read up
 * to its first malformed element only, so a garbled header names nothing
 * past the garbage and the write fails with 412 instead of going through
 * unchecked.  "*" counts only when it stands alone.
 *
 * The versions go into a fixed array: a header naming more than
 * IF_MATCH_MAX of our tags is treated as if it ended there.  That can
 * only turn a match into a 412 (read again and retry), never let a write
 * through that the full list would refuse.
 */
#include <string.h>

#include "if_match.h"

/* The version in the text between the quotes of one of our tags, or -1. */
static int64_t etag_version(const char *s, size_t len)
{
	int64_t v = 0;
	size_t i;

	if (len < 2 || len > 11 || s[0] != 'v' || (s[1] == '0' && len > 2))
		return -1;
	for (i = 1; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= UINT32_MAX ? v : -1;
}

/* Skips white space and empty list elements (RFC 9110 5.6.1). */
static const char *skip_list_sep(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	return p;
}

/* One list element at p: its version into m if it is a strong tag of ours; past it, or NULL. */
static const char *tag_take(const char *p, struct if_match *m)
{
	int weak = strncmp(p, "W/", 2) == 0;
	const char *open = weak ? p + 2 : p;
	const char *close = *open == '"' ? strchr(open + 1, '"') : NULL;
	int64_t v;

	if (!close)
		return NULL;
	p = close + 1;
	if (*p != '\0' && *p != ',' && *p != ' ' && *p != '\t')
		return NULL;
	v = weak ? -1 : etag_version(open + 1, (size_t)(close - open - 1));
	if (v >= 0)
		m->version[m->n++] = (uint32_t)v;
	return p;
}

const struct if_match *if_match_parse(const char *header, struct if_match *buf)
{
	const char *p;

	if (!header)
		return NULL;
	buf->any = 0;
	buf->n = 0;
	p = skip_list_sep(header);
	if (p[0] == '*' && *skip_list_sep(p + 1) == '\0') {
		buf->any = 1;
		return buf;
	}
	while (p && *p != '\0' && buf->n < IF_MATCH_MAX) {
		p = tag_take(p, buf);
		if (p)
			p = skip_list_sep(p);
	}
	return buf;
}

int if_match_allows(const struct if_match *m, uint32_t version)
{
	if (!m || m->any)
		return 1;
	for (size_t i = 0; i < m->n; i++) {
		if (m->version[i] == version)
			return 1;
	}
	return 0;
}
