/*
 * fuzz_common.h: oracles shared by the harnesses.
 *
 * A crash or a sanitizer report is what libFuzzer looks for by itself;
 * these add the properties a wrong-but-quiet parser would break: every
 * error a parser fills must render as JSON (jansson refuses invalid UTF-8,
 * and a NULL there would turn a 400 into a broken answer), and a value a
 * parser accepted must satisfy the rules it claims to enforce.  A broken
 * property aborts, which libFuzzer reports as a crash with the input.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_err.h"
#include "model.h"

#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__,        \
			        #cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* s is a string the JSON writer accepts (valid UTF-8, NUL-terminated in its buffer). */
static inline void fuzz_renderable(const char *s, size_t cap)
{
	json_t *j;

	FUZZ_ASSERT(memchr(s, '\0', cap) != NULL);
	j = json_string(s);
	FUZZ_ASSERT(j != NULL);
	json_decref(j);
}

/* Every text of err renders, and a failed parse set a 4xx status. */
static inline void fuzz_check_err(const struct api_err *err, int failed)
{
	FUZZ_ASSERT(!failed || (err->status >= 400 && err->status < 500));
	FUZZ_ASSERT(err->ndetails <= API_ERR_MAX_DETAILS);
	fuzz_renderable(err->message, sizeof(err->message));
	for (size_t i = 0; i < err->ndetails; i++) {
		const struct api_err_detail *d = &err->details[i];

		fuzz_renderable(d->field, sizeof(d->field));
		fuzz_renderable(d->code, sizeof(d->code));
		fuzz_renderable(d->parameter, sizeof(d->parameter));
		fuzz_renderable(d->message, sizeof(d->message));
	}
}

/* A validated label set: at most LABELS_MAX, sorted strictly (so unique), each 1..256 bytes. */
static inline void fuzz_check_labels(const struct label_set *set)
{
	FUZZ_ASSERT(set->n <= LABELS_MAX);
	for (size_t i = 0; i < set->n; i++) {
		FUZZ_ASSERT(set->len[i] >= 1 && set->len[i] <= LABEL_MAX_BYTES);
		FUZZ_ASSERT(strlen(set->v[i]) == set->len[i]);
		if (i > 0) {
			size_t m = set->len[i - 1] < set->len[i] ? set->len[i - 1] : set->len[i];
			int c = memcmp(set->v[i - 1], set->v[i], m);

			FUZZ_ASSERT(c < 0 || (c == 0 && set->len[i - 1] < set->len[i]));
		}
	}
}

/* A NUL-terminated copy of the input, cut at its first NUL (as CGI strings are); caller frees. */
static inline char *fuzz_cstr(const unsigned char *data, size_t size)
{
	size_t n = strnlen((const char *)data, size);
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

#endif
