/*
 * clock: clock_gettime(2) for both clocks.  Neither can fail with a valid
 * pointer and a clock the kernel always has; 0 would only mean a broken
 * libc, and every caller tolerates a time that does not move.
 */
#include <time.h>

#include "clock.h"

static struct timespec now(clockid_t id)
{
	struct timespec ts = {0, 0};

	clock_gettime(id, &ts);
	return ts;
}

int64_t clock_wall_ms(void)
{
	struct timespec ts = now(CLOCK_REALTIME);

	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_mono_ms(void)
{
	struct timespec ts = now(CLOCK_MONOTONIC);

	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double clock_mono_seconds(void)
{
	struct timespec ts = now(CLOCK_MONOTONIC);

	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
