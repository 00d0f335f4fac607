/*
 * retry_schedule: when a failed delivery is tried again (contract §13):
 * 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h, 12 h, 24 h, 24 h after
 * attempts 1..11, each with +-20 % jitter; a Retry-After on a 429 or 503
 * counts when it lies between the jittered delay and twice it (clamped
 * to that range).  Everything is divided by the operator's time scale
 * ([webhooks] time_scale, 1 in production), so tests run this very code
 * fast.  Pure: the caller supplies the random number.
 */
#ifndef RETRY_SCHEDULE_H
#define RETRY_SCHEDULE_H

#define RETRY_ATTEMPTS_MAX 12 /* the first attempt and 11 retries */

/*
 * Milliseconds to wait after failed attempt `attempt` (1-based), or -1
 * when it was the last.  unit: a random number in [0, 1) for the jitter;
 * retry_after: the response's Retry-After in seconds, or -1; status: the
 * HTTP status (0 for none); time_scale >= 1.
 */
long long retry_delay_ms(unsigned attempt, double unit, long long retry_after, int status,
                         unsigned time_scale);

#endif
