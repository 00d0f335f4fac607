/*
 * read_copy: joining labels and ref accounts into their read copies, and
 * cutting them up again.
 *
 * Writers join (in the transaction that writes the label rows, which stay
 * the source for filtering); readers cut the text they fetched in place:
 * each separator becomes a NUL and the parts are pointed at, so a row's
 * strings live in the row's own buffer and nothing is copied or
 * allocated.  An empty text is no labels (no accounts), not one empty
 * part.
 */
#include <string.h>

#include "read_copy.h"

#define SEP_UNIT '\x1f'
#define SEP_RECORD '\x1e'
#define REF_FIELDS 5

/* Cuts s (len bytes, NUL-terminated) at sep in place; -1 if more than max parts. */
static long split(char *s, size_t len, char sep, char **parts, size_t *lens, size_t max)
{
	char *end = s + len;
	size_t n = 0;

	if (len == 0)
		return 0;
	for (;;) {
		char *hit = memchr(s, sep, (size_t)(end - s));
		char *stop = hit ? hit : end;

		if (n == max)
			return -1;
		*stop = '\0';
		parts[n] = s;
		lens[n++] = (size_t)(stop - s);
		if (!hit)
			return (long)n;
		s = hit + 1;
	}
}

int read_copy_split_labels(char *s, size_t len, struct label_set *out)
{
	char *parts[LABELS_MAX];
	long n = split(s, len, SEP_UNIT, parts, out->len, LABELS_MAX);

	if (n < 0)
		return -1;
	out->n = (size_t)n;
	for (size_t i = 0; i < out->n; i++)
		out->v[i] = parts[i];
	return 0;
}

static int split_ref(char *s, size_t len, struct ref_account *out)
{
	char *f[REF_FIELDS];
	size_t flen[REF_FIELDS];

	if (split(s, len, SEP_UNIT, f, flen, REF_FIELDS) != REF_FIELDS)
		return -1;
	out->iban = f[0];
	out->bic = flen[1] ? f[1] : NULL;
	out->bank_name = flen[2] ? f[2] : NULL;
	out->owner_name = f[3];
	out->primary = strcmp(f[4], "PRIMARY") == 0;
	return 0;
}

int read_copy_split_refs(char *s, size_t len, struct ref_account out[REF_ACCOUNTS_MAX], size_t *n)
{
	char *rec[REF_ACCOUNTS_MAX];
	size_t reclen[REF_ACCOUNTS_MAX];
	long nrec = split(s, len, SEP_RECORD, rec, reclen, REF_ACCOUNTS_MAX);

	if (nrec < 0)
		return -1;
	*n = (size_t)nrec;
	for (size_t i = 0; i < *n; i++) {
		if (split_ref(rec[i], reclen[i], &out[i]))
			return -1;
	}
	return 0;
}

/* Appends len bytes and a separator (none before the first part); -1 when full. */
static int join_part(char *out, size_t cap, size_t *at, char sep, const char *s, size_t len)
{
	size_t need = len + (*at ? 1 : 0);

	if (need >= cap - *at)
		return -1;
	if (*at)
		out[(*at)++] = sep;
	memcpy(out + *at, s, len);
	*at += len;
	out[*at] = '\0';
	return 0;
}

int read_copy_add_label(char *out, size_t cap, size_t *at, const char *s, size_t len)
{
	return join_part(out, cap, at, SEP_UNIT, s, len);
}

long read_copy_join_labels(const struct label_set *set, char *out, size_t cap)
{
	size_t at = 0;

	out[0] = '\0';
	for (size_t i = 0; i < set->n; i++)
		if (join_part(out, cap, &at, SEP_UNIT, set->v[i], set->len[i]))
			return -1;
	return (long)at;
}

static int ref_text(const struct ref_account *r, char *out, size_t cap, size_t *at)
{
	const char *f[REF_FIELDS] = {r->iban, r->bic ? r->bic : "",
	                             r->bank_name ? r->bank_name : "", r->owner_name,
	                             r->primary ? "PRIMARY" : "OTHER"};

	/* A record's first field follows the record separator, the others the unit one. */
	for (size_t i = 0; i < REF_FIELDS; i++)
		if (join_part(out, cap, at, i ? SEP_UNIT : SEP_RECORD, f[i], strlen(f[i])))
			return -1;
	return 0;
}

long read_copy_join_refs(const struct ref_account *refs, size_t n, char *out, size_t cap)
{
	size_t at = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		if (ref_text(&refs[i], out, cap, &at))
			return -1;
	return (long)at;
}
