/*
 * db_seed: bulk load of synthetic customers for load tests and benchmarks
 * (`customers-admin seed`).
 *
 * The data follows the reference peer's seed: creation times evenly spread
 * over the year before end_ms, statuses 70% ACTIVE, 20% CREATED, 7%
 * OFFBOARDING, 3% OFFBOARDED, entity types uniform, per_customer distinct
 * labels out of label-0 .. label-(labels-1) (zero-padded to the width of
 * the largest), ref_accounts German IBANs of which the first is PRIMARY.
 * Everything but the customer ids comes from a PRNG seeded with seed, so
 * the same spec loads the same entity ids, labels, statuses, times and
 * accounts; customer ids are fresh UUIDv7s (they are unique across
 * partners) whose time is created_at.  A bulk load writes no audit records.
 */
#ifndef DB_SEED_H
#define DB_SEED_H

#include <stdint.h>

#include "db.h"

#define SEED_COUNT_MAX 100000000ULL /* a creation time at least every 315 ms */
#define SEED_LABELS_MAX 100000U     /* label pool size */
#define SEED_SPAN_MS (365LL * 24 * 3600 * 1000)

struct seed_spec {
	const char *partner;   /* borrowed; created if new */
	uint64_t count;        /* customers, 1..SEED_COUNT_MAX */
	unsigned labels;       /* label pool size, 1..SEED_LABELS_MAX */
	unsigned per_customer; /* distinct labels each, 0..min(labels, LABELS_MAX) */
	unsigned ref_accounts; /* 0..REF_ACCOUNTS_MAX */
	uint64_t seed;
	int64_t end_ms; /* created_at in [end_ms - SEED_SPAN_MS, end_ms), Unix ms */
};

/* NULL if spec is loadable, else a static reason naming the option at fault. */
const char *seed_spec_error(const struct seed_spec *spec);

/* Called after each committed transaction with the customers loaded so far. */
typedef void (*seed_progress_fn)(uint64_t done, uint64_t total, void *arg);

/*
 * Creates the partner if new (*partner_id, unless NULL, gets it) and loads
 * spec->count customers, 20000 per transaction; progress (may be NULL)
 * follows each.  On failure the transactions committed so far stay: db_rc,
 * DB_CONFLICT if one of this partner's entity ids exists (the same seed
 * loaded twice).
 */
int db_seed(struct db *db, const struct seed_spec *spec, seed_progress_fn progress, void *arg,
            uint64_t *partner_id);

#endif
