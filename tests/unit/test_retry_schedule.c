/*
 * test_retry_schedule: the contract's delays, the jitter bounds, the
 * Retry-After clamp and the time scale.
 */
#include "retry_schedule.h"
#include "tap.h"

static const long long want_s[] = {5, 30, 120, 600, 1800, 3600, 10800, 21600, 43200, 86400, 86400};

static void test_schedule(void)
{
	char name[64];

	for (unsigned a = 1; a <= 11; a++) {
		long long base = want_s[a - 1] * 1000;

		snprintf(name, sizeof(name), "after attempt %u: %llds", a, want_s[a - 1]);
		is_int(retry_delay_ms(a, 0.5, -1, 500, 1), base, name);
		snprintf(name, sizeof(name), "after attempt %u: -20%% at the low end", a);
		is_int(retry_delay_ms(a, 0.0, -1, 500, 1), base * 8 / 10, name);
		snprintf(name, sizeof(name), "after attempt %u: under +20%% at the high end", a);
		ok(retry_delay_ms(a, 0.999999, -1, 500, 1) <= base * 12 / 10 &&
		           retry_delay_ms(a, 0.999999, -1, 500, 1) > base * 119 / 100,
		   name);
	}
	is_int(retry_delay_ms(12, 0.5, -1, 500, 1), -1, "after the 12th attempt: no more");
	is_int(retry_delay_ms(0, 0.5, -1, 500, 1), -1, "attempt 0 does not exist");
}

static void test_retry_after(void)
{
	is_int(retry_delay_ms(2, 0.5, 45, 429, 1), 45000, "429 Retry-After within [d, 2d] is kept");
	is_int(retry_delay_ms(2, 0.5, 1, 503, 1), 30000, "503 Retry-After below d: d");
	is_int(retry_delay_ms(2, 0.5, 3600, 429, 1), 60000, "429 Retry-After above 2d: 2d");
	is_int(retry_delay_ms(2, 0.5, 45, 500, 1), 30000, "Retry-After on a 500 is ignored");
	is_int(retry_delay_ms(2, 0.5, -1, 429, 1), 30000, "429 without Retry-After: the schedule");
}

static void test_time_scale(void)
{
	is_int(retry_delay_ms(1, 0.5, -1, 500, 1000), 5, "time_scale 1000: 5 s -> 5 ms");
	is_int(retry_delay_ms(10, 0.5, -1, 500, 1000), 86400, "time_scale 1000: 24 h -> 86.4 s");
	is_int(retry_delay_ms(2, 0.5, 3600, 429, 100), 600, "the clamp is scaled too");
	is_int(retry_delay_ms(1, 0.5, -1, 500, 0), 5000, "time_scale 0 counts as 1");
}

int main(void)
{
	test_schedule();
	test_retry_after();
	test_time_scale();
	return done_testing();
}
