/*
 * seed_gen: the values of the bulk seed, from xoshiro256** (Blackman and
 * Vigna) seeded through splitmix64.  See seed_gen.h for why not OpenSSL.
 */
#include <stdio.h>

#include "seed_gen.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void seed_rng_init(struct seed_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** (Blackman and Vigna). */
static uint64_t rng_next(struct seed_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform in [0, n), n > 0: draws below 2^64 mod n are rejected to avoid modulo bias. */
uint64_t seed_rng_below(struct seed_rng *r, uint64_t n)
{
	uint64_t skip = (0 - n) % n;

	for (;;) {
		uint64_t x = rng_next(r);

		if (x >= skip)
			return x % n;
	}
}

static const struct {
	enum customer_status status;
	unsigned percent;
} status_mix[] = {
        {STATUS_ACTIVE, 70},
        {STATUS_CREATED, 20},
        {STATUS_OFFBOARDING, 7},
        {STATUS_OFFBOARDED, 3},
};

enum customer_status seed_status_pick(struct seed_rng *r)
{
	unsigned x = (unsigned)seed_rng_below(r, 100);
	size_t i;

	for (i = 0; i + 1 < sizeof(status_mix) / sizeof(status_mix[0]); i++) {
		if (x < status_mix[i].percent)
			break;
		x -= status_mix[i].percent;
	}
	return status_mix[i].status;
}

void seed_entity_make(struct seed_rng *r, unsigned char out[16])
{
	uint64_t hi = rng_next(r), lo = rng_next(r);

	for (int i = 0; i < 8; i++) {
		out[i] = (unsigned char)(hi >> (56 - 8 * i));
		out[8 + i] = (unsigned char)(lo >> (56 - 8 * i));
	}
	out[6] = (unsigned char)((out[6] & 0x0f) | 0x40);
	out[8] = (unsigned char)((out[8] & 0x3f) | 0x80);
}

static unsigned mod97_digits(unsigned rem, const char *digits)
{
	for (; *digits; digits++)
		rem = (rem * 10 + (unsigned)(*digits - '0')) % 97;
	return rem;
}

/* A German IBAN with ISO 7064 check digits: BBAN + "DE00" as digits (D=13, E=14) mod 97. */
void seed_iban_make(struct seed_rng *r, char out[SEED_IBAN_LEN + 1])
{
	char bban[19];
	unsigned long long bank = seed_rng_below(r, UINT64_C(100000000));
	unsigned long long account = seed_rng_below(r, UINT64_C(10000000000));
	unsigned rem;

	snprintf(bban, sizeof(bban), "%08llu%010llu", bank, account);
	rem = mod97_digits(mod97_digits(0, bban), "131400");
	snprintf(out, SEED_IBAN_LEN + 1, "DE%02u%s", 98 - rem, bban);
}

/* k distinct indices below n in ascending order (Robert Floyd's sampling: k draws). */
void seed_labels_pick(struct seed_rng *r, unsigned n, unsigned k, unsigned *out)
{
	unsigned got = 0;

	for (unsigned j = n - k; j < n; j++) {
		unsigned t = (unsigned)seed_rng_below(r, (uint64_t)j + 1);
		unsigned i;

		for (i = 0; i < got && out[i] != t; i++)
			;
		out[got] = i < got ? j : t; /* t taken: j is new, being above all earlier draws */
		got++;
	}
	for (unsigned a = 1; a < k; a++) {
		unsigned v = out[a], b = a;

		for (; b > 0 && out[b - 1] > v; b--)
			out[b] = out[b - 1];
		out[b] = v;
	}
}
