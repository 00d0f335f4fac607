/*
 * clock: the two clocks, named for what they are for.  Wall time (Unix
 * milliseconds) is for what is stored or compared with other machines:
 * timestamps, UUIDv7, token expiry.  Monotonic time is for intervals
 * inside this process (back-off, connect spacing, latency metrics), which
 * must not jump when the wall clock is set.
 */
#ifndef CLOCK_H
#define CLOCK_H

#include <stdint.h>

/* Wall-clock time in Unix milliseconds. */
int64_t clock_wall_ms(void);

/* Monotonic milliseconds since an arbitrary start (boot). */
int64_t clock_mono_ms(void);

/* Monotonic seconds, with nanosecond resolution, for measuring durations. */
double clock_mono_seconds(void);

#endif
