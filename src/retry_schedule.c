/*
 * retry_schedule: one table of base delays; jitter and the Retry-After
 * clamp are applied in milliseconds before the time scale, so a scaled
 * schedule keeps the production shape exactly.
 */
#include "retry_schedule.h"

static const long long base_s[RETRY_ATTEMPTS_MAX - 1] = {
        5, 30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600, 24 * 3600,
};

long long retry_delay_ms(unsigned attempt, double unit, long long retry_after, int status,
                         unsigned time_scale)
{
	long long delay;

	if (attempt < 1 || attempt >= RETRY_ATTEMPTS_MAX)
		return -1;
	if (unit < 0 || unit >= 1)
		unit = 0.5;
	delay = (long long)((double)base_s[attempt - 1] * 1000.0 * (0.8 + 0.4 * unit));
	if ((status == 429 || status == 503) && retry_after >= 0) {
		long long ra = retry_after * 1000;

		delay = ra < delay ? delay : ra > 2 * delay ? 2 * delay : ra;
	}
	return delay / (time_scale ? time_scale : 1);
}
