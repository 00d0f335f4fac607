/*
 * calendar: civil-calendar arithmetic on Unix milliseconds (UTC), for the
 * offboarding notice period (contract §12).  Pure, no time zone, no libc
 * time functions (timegm is not C11): days <-> civil date by the
 * proleptic Gregorian algorithms (H. Hinnant's days_from_civil).
 */
#ifndef CALENDAR_H
#define CALENDAR_H

#include <stdint.h>

/*
 * ms plus months calendar months, the time of day kept.  A day past the end
 * of the target month is clamped to its last day: 31 Dec + 2 = 28 or 29
 * Feb, 31 Aug + 2 = 31 Oct.  ms must be at or after 1970.
 */
int64_t calendar_add_months(int64_t ms, unsigned months);

/*
 * Parses an RFC 3339 UTC time, "2027-02-28T10:00:00Z" or with a fraction of
 * one to three digits ("...:00.123Z"), into Unix milliseconds.  Only the Z
 * offset.  0, or -1 when s is not such a time or is before 1970.
 */
int calendar_parse_utc(const char *s, int64_t *ms);

#endif
