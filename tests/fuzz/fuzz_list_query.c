/*
 * fuzz_list_query: QUERY_STRING of GET /roles/customers through
 * query_parse_list (in place, in a buffer of the request's size), then the
 * filter hash the cursor binds.
 *
 * Properties: the error renders; an accepted filter has a limit in 1..100,
 * a label set of at most 16 sorted unique valid labels, a cursor of at
 * most 256 bytes; parsing the same text twice gives the same filter hash.
 */
#include <stdint.h>

#include "cursor.h"
#include "fuzz_common.h"
#include "query.h"
#include "request.h"
#include "validate.h"

static void check_filter(const struct list_filter *f)
{
	FUZZ_ASSERT(f->limit >= LIST_LIMIT_MIN && f->limit <= LIST_LIMIT_MAX);
	fuzz_check_labels(&f->labels);
	for (size_t i = 0; i < f->labels.n; i++)
		FUZZ_ASSERT(validate_label(f->labels.v[i], f->labels.len[i], NULL) == NULL);
	FUZZ_ASSERT(!f->cursor || (f->cursor[0] && strlen(f->cursor) <= 256));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char a[REQUEST_QUERY_MAX], b[REQUEST_QUERY_MAX];
	struct list_filter f, g;
	unsigned char h1[32], h2[32];
	struct api_err err;
	size_t n = strnlen((const char *)data, size);
	int rc;

	if (n >= sizeof(a))
		return 0; /* request_init refuses it before the parser sees it */
	memcpy(a, data, n);
	a[n] = '\0';
	memcpy(b, a, n + 1);
	api_err_clear(&err);
	rc = query_parse_list(a, &f, &err);
	fuzz_check_err(&err, rc < 0);
	if (rc != 0)
		return 0;
	check_filter(&f);
	FUZZ_ASSERT(query_parse_list(b, &g, NULL) == 0);
	cursor_filter_hash(&f, h1);
	cursor_filter_hash(&g, h2);
	FUZZ_ASSERT(memcmp(h1, h2, 32) == 0);
	return 0;
}
