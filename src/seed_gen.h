/*
 * seed_gen: the pseudo-random values of `customers-admin seed` (pure).
 *
 * xoshiro256** seeded through splitmix64, so one seed gives the same data
 * on every platform; each function draws a fixed number of values in a
 * fixed order.  The generator is hand-written, not OpenSSL's: a bulk load
 * needs a fast, reproducible sequence, not a cryptographic one.
 */
#ifndef SEED_GEN_H
#define SEED_GEN_H

#include <stdint.h>

#include "model.h"

#define SEED_IBAN_LEN 22 /* DE, 2 check digits, 8 bank code, 10 account */

struct seed_rng {
	uint64_t s[4];
};

void seed_rng_init(struct seed_rng *r, uint64_t seed);
/* Uniform in [0, n), n > 0, without modulo bias. */
uint64_t seed_rng_below(struct seed_rng *r, uint64_t n);
/* The peer's status mix: 70 % ACTIVE, 20 % CREATED, 7 % OFFBOARDING, 3 % OFFBOARDED. */
enum customer_status seed_status_pick(struct seed_rng *r);
/* A random (version 4) UUID. */
void seed_entity_make(struct seed_rng *r, unsigned char out[16]);
/* A German IBAN with valid ISO 7064 check digits, NUL-terminated. */
void seed_iban_make(struct seed_rng *r, char out[SEED_IBAN_LEN + 1]);
/* k distinct indices below n (k <= n), ascending, into out[k]. */
void seed_labels_pick(struct seed_rng *r, unsigned n, unsigned k, unsigned *out);

#endif
