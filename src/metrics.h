/*
 * metrics: counters shared by the master and all workers.
 *
 * The master maps one anonymous MAP_SHARED region before forking, so every
 * worker (including those restarted or replaced on reload) adds to the same
 * relaxed atomic counters and any worker can render the whole pool's
 * figures for GET /metrics.  Fixed-size arrays: route (ROUTES_MAX) x status class, a
 * latency histogram per route; no locks, no allocation on the hot path.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>

#include "routes.h"

/*
 * Maps the shared region; call once in the master before forking.  The
 * n routes of `named` (borrowed, static) name the counters: slot i of
 * metrics_request is named[i]; any other slot counts as "other".  0 or -1.
 */
int metrics_init(const struct route *named, size_t n);

void metrics_request(int route, int status, double seconds);
void metrics_db(unsigned long errors, unsigned long reconnects);
/* Events committed by a worker's transactions; events stamped by the sequencer (§14). */
void metrics_events_written(unsigned long n);
void metrics_events_sequenced(unsigned long n);
/* Offboardings this pool's executor executed (contract §14). */
void metrics_offboardings_executed(unsigned long n);
void metrics_worker_restart(void);
void metrics_pool_size(unsigned workers);

/* One webhook attempt ("DELIVERED", ...); latency commit -> 2xx in seconds, < 0 if none. */
void metrics_delivery(const char *outcome, double latency);
/* The oldest open delivery's age, of enabled and of disabled subscriptions; -1 when none. */
void metrics_delivery_backlog(long long enabled_ms, long long disabled_ms);

/* Prometheus text exposition, NUL-terminated, into buf; returns length or -1 if it does not fit. */
long metrics_render(char *buf, size_t cap);

#endif
