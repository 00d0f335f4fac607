/*
 * throttle: failed client authentications at the token endpoint, counted
 * per client id and per source address, shared by all workers.
 *
 * The master maps one shared region before forking (as metrics_init
 * does), so every worker, also those replaced on reload or after a crash,
 * sees and adds to the same counters.  Counting is a fixed window per key:
 * `limit` failures within `window` seconds of the first one block the key
 * until the window ends.  Before throttle_init() (unit tests of other
 * modules, the admin tool) nothing is counted and nothing is blocked.
 */
#ifndef THROTTLE_H
#define THROTTLE_H

#include <stdint.h>

enum throttle_kind { THROTTLE_CLIENT, THROTTLE_ADDRESS };

/* Maps the shared table; call once in the master before forking. 0 or -1. */
int throttle_init(void);

/*
 * 0 if key (borrowed; NULL or "" is never blocked) may try at `now`
 * (seconds), else the seconds until it may, for Retry-After (>= 1).
 * limit 0 disables the check.
 */
unsigned throttle_wait(enum throttle_kind kind, const char *key, unsigned limit, unsigned window,
                       int64_t now);

/* Counts one failure of key at `now`. */
void throttle_failure(enum throttle_kind kind, const char *key, unsigned window, int64_t now);

#endif
