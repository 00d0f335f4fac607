/*
 * fuzz_cursor: the `cursor` parameter through cursor_decode, the way the
 * list handler calls it (fixed key, partner and filter hash).
 *
 * Properties: a forged token never decodes (the fuzzer cannot find a MAC);
 * a token encoded from the input's first 16 bytes decodes back to them,
 * and fails for another partner and another filter.
 */
#include <stdint.h>

#include "cursor.h"
#include "fuzz_common.h"

static const unsigned char key[] = "fuzz-cursor-key-0123456789abcdef";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char fhash[32] = {1}, other[32] = {2};
	char text[CURSOR_TEXT_MAX];
	struct uuid in, out;
	char *tok = fuzz_cstr(data, size);

	FUZZ_ASSERT(cursor_decode(key, sizeof(key) - 1, 7, fhash, tok, &out) < 0);
	free(tok);
	if (size < sizeof(in.b))
		return 0;
	memcpy(in.b, data, sizeof(in.b));
	FUZZ_ASSERT(cursor_encode(key, sizeof(key) - 1, 7, fhash, &in, text) == 0);
	FUZZ_ASSERT(strlen(text) == 44);
	FUZZ_ASSERT(cursor_decode(key, sizeof(key) - 1, 7, fhash, text, &out) == 0);
	FUZZ_ASSERT(memcmp(in.b, out.b, sizeof(in.b)) == 0);
	FUZZ_ASSERT(cursor_decode(key, sizeof(key) - 1, 8, fhash, text, &out) < 0);
	FUZZ_ASSERT(cursor_decode(key, sizeof(key) - 1, 7, other, text, &out) < 0);
	return 0;
}
