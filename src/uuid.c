/*
 * uuid: canonical text <-> 16 bytes, and UUIDv7 generation (RFC 9562).
 *
 * A v7 id is 48 bits of Unix milliseconds, the version nibble 7, a 12-bit
 * counter (rand_a, RFC 9562 section 6.2 method 1), the variant bits 10 and
 * 62 random bits from OpenSSL.  The counter is seeded at random for each
 * new millisecond with its top bit clear, which leaves at least 2048 steps
 * before it overflows; on overflow the id borrows the next millisecond.
 * So, as long as the times passed in do not decrease, every id this
 * process makes sorts strictly after the previous one.  A time older than
 * the previous input (a seeding tool making ids for the past, or the clock
 * stepping back) gets a fresh random counter and leaves the state alone:
 * such ids carry the time asked for rather than being pushed forward.
 * Workers are single-threaded processes, hence plain static state.
 */
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>

#include "uuid.h"

#define UUID_MS_MAX ((INT64_C(1) << 48) - 1)
#define COUNTER_MAX 0xfff

static const char hex_digits[] = "0123456789abcdef";

static int is_dash_pos(size_t i)
{
	return i == 8 || i == 13 || i == 18 || i == 23;
}

int uuid_parse(const char *s, size_t len, struct uuid *out)
{
	struct uuid u;
	size_t i, nibble = 0;

	if (!s || len != UUID_STR_LEN)
		return -1;
	for (i = 0; i < len; i++) {
		int v;

		if (is_dash_pos(i)) {
			if (s[i] != '-')
				return -1;
			continue;
		}
		v = OPENSSL_hexchar2int((unsigned char)s[i]);
		if (v < 0)
			return -1;
		if (nibble % 2 == 0)
			u.b[nibble / 2] = (unsigned char)(v << 4);
		else
			u.b[nibble / 2] |= (unsigned char)v;
		nibble++;
	}
	*out = u;
	return 0;
}

void uuid_format(const struct uuid *u, char out[UUID_STR_LEN + 1])
{
	size_t i, o = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex_digits[u->b[i] >> 4];
		out[o++] = hex_digits[u->b[i] & 0x0f];
	}
	out[o] = '\0';
}

/* The generator's memory: the last input time, and the time and counter of the last id. */
static struct {
	int used;
	int64_t last_in;
	int64_t last_ms;
	unsigned counter;
} v7_state;

/* Picks time and counter for input ms; the low 11 bits of rnd seed a new counter. */
static void v7_next(int64_t ms, unsigned rnd, int64_t *out_ms, unsigned *out_counter)
{
	unsigned seed = rnd & (COUNTER_MAX >> 1);

	if (v7_state.used && ms < v7_state.last_in) {
		*out_ms = ms;
		*out_counter = seed;
		return;
	}
	v7_state.last_in = ms;
	if (!v7_state.used || ms > v7_state.last_ms) {
		v7_state.last_ms = ms;
		v7_state.counter = seed;
	} else if (v7_state.counter < COUNTER_MAX) {
		v7_state.counter++;
	} else {
		v7_state.last_ms++;
		v7_state.counter = seed;
	}
	v7_state.used = 1;
	*out_ms = v7_state.last_ms;
	*out_counter = v7_state.counter;
}

int uuid_v7_at(int64_t ms, struct uuid *out)
{
	unsigned char rnd[10];
	unsigned counter;
	int64_t t;
	int i;

	/* 48 bits hold dates up to the year 10889; clamp nonsense instead of wrapping. */
	if (ms < 0)
		ms = 0;
	if (ms > UUID_MS_MAX)
		ms = UUID_MS_MAX;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -1;
	v7_next(ms, (unsigned)rnd[0] << 8 | rnd[1], &t, &counter);
	for (i = 5; i >= 0; i--) {
		out->b[i] = (unsigned char)(t & 0xff);
		t >>= 8;
	}
	out->b[6] = (unsigned char)(0x70 | counter >> 8);
	out->b[7] = (unsigned char)(counter & 0xff);
	out->b[8] = (unsigned char)(0x80 | (rnd[2] & 0x3f));
	memcpy(&out->b[9], &rnd[3], 7);
	return 0;
}

int64_t uuid_v7_ms(const struct uuid *u)
{
	int64_t ms = 0;
	int i;

	for (i = 0; i < 6; i++)
		ms = ms << 8 | u->b[i];
	return ms;
}
