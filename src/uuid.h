/*
 * uuid: parsing, formatting and UUIDv7 generation.
 *
 * Customer ids are UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then a
 * 12-bit counter that keeps ids made in the same millisecond by this
 * process strictly increasing, then random bits from OpenSSL.  Because the
 * time leads, ordering by id bytes is ordering by creation time, which is
 * what the keyset cursor relies on.
 */
#ifndef UUID_H
#define UUID_H

#include <stddef.h>
#include <stdint.h>

#define UUID_STR_LEN 36 /* without the NUL */

struct uuid {
	unsigned char b[16];
};

/* Parses canonical 8-4-4-4-12 hex (either case), exactly len bytes. 0 or -1. */
int uuid_parse(const char *s, size_t len, struct uuid *out);

/* Writes the lower-case canonical form and a NUL into out[37]. */
void uuid_format(const struct uuid *u, char out[UUID_STR_LEN + 1]);

/* Makes a new UUIDv7 for time ms (Unix milliseconds). 0, or -1 if the RNG fails. */
int uuid_v7_at(int64_t ms, struct uuid *out);

/* Milliseconds since the epoch encoded in the first 48 bits. */
int64_t uuid_v7_ms(const struct uuid *u);

#endif
