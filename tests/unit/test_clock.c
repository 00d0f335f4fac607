/*
 * test_clock: the wall clock is Unix time, the monotonic clock never
 * goes back and its two forms agree.  Sanity windows, not timing tests.
 */
#include <stdint.h>
#include <time.h>

#include "clock.h"
#include "tap.h"

int main(void)
{
	int64_t wall = clock_wall_ms(), mono = clock_mono_ms();
	double secs = clock_mono_seconds();
	int64_t later = clock_mono_ms();

	/* 2024-01-01 .. 2100-01-01 */
	ok(wall > INT64_C(1704067200000) && wall < INT64_C(4102444800000), "wall ms is plausible");
	ok(wall / 1000 - (int64_t)time(NULL) <= 1 && (int64_t)time(NULL) - wall / 1000 <= 1,
	   "wall ms is time(2) in milliseconds");
	ok(later >= mono, "the monotonic clock does not go back");
	ok(secs * 1000 >= (double)mono - 1 && secs * 1000 <= (double)later + 1,
	   "monotonic seconds and milliseconds agree");
	return done_testing();
}
