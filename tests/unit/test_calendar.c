/*
 * test_calendar: calendar months added to a time, at month ends, over
 * year ends and leap days; timegm(3) is the reference for the dates.
 */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <time.h>

#include "calendar.h"
#include "tap.h"

static int64_t at(int y, int m, int d, int hh, int mm, int ss, int ms)
{
	struct tm t = {.tm_year = y - 1900,
	               .tm_mon = m - 1,
	               .tm_mday = d,
	               .tm_hour = hh,
	               .tm_min = mm,
	               .tm_sec = ss};

	return (int64_t)timegm(&t) * 1000 + ms;
}

static const struct {
	int from[3];
	unsigned months;
	int to[3];
	const char *name;
} cases[] = {
        {{2026, 12, 31}, 2, {2027, 2, 28}, "31 Dec + 2 = 28 Feb"},
        {{2027, 12, 31}, 2, {2028, 2, 29}, "31 Dec + 2 = 29 Feb in a leap year"},
        {{2099, 12, 31}, 2, {2100, 2, 28}, "2100 is not a leap year"},
        {{2399, 12, 31}, 2, {2400, 2, 29}, "2400 is"},
        {{2026, 8, 31}, 2, {2026, 10, 31}, "31 Aug + 2 = 31 Oct"},
        {{2026, 7, 31}, 2, {2026, 9, 30}, "31 Jul + 2 = 30 Sep"},
        {{2026, 12, 7}, 2, {2027, 2, 7}, "an ordinary day keeps its number"},
        {{2028, 2, 29}, 12, {2029, 2, 28}, "29 Feb + 12 = 28 Feb"},
        {{2026, 1, 31}, 1, {2026, 2, 28}, "31 Jan + 1 = 28 Feb"},
        {{2026, 11, 30}, 14, {2028, 1, 30}, "over two year ends"},
        {{2026, 3, 15}, 0, {2026, 3, 15}, "zero months is the same day"},
        {{1970, 1, 1}, 1, {1970, 2, 1}, "the epoch"},
};

static void parse_cases(void)
{
	static const char *const bad[] = {
	        "2027-02-29T00:00:00Z",      "2026-13-01T00:00:00Z",
	        "2026-12-07T24:00:00Z",      "2026-12-07T10:00:00",
	        "2026-12-07T10:00:00+01:00", "2026-12-07 10:00:00Z",
	        "2026-12-07T10:00:00.1234Z", "2026-12-07T10:00:00.Z",
	        "1969-12-31T23:59:59Z",      "",
	};
	int64_t ms = 0;

	is_int(calendar_parse_utc("2027-02-28T10:00:00Z", &ms), 0, "parses a Z time");
	is_int(ms, at(2027, 2, 28, 10, 0, 0, 0), "... to its milliseconds");
	is_int(calendar_parse_utc("2028-02-29T23:59:59.5Z", &ms), 0,
	       "a leap day, one fraction digit");
	is_int(ms, at(2028, 2, 29, 23, 59, 59, 500), "... is 500 ms");
	is_int(calendar_parse_utc("2026-12-07T10:00:00.123Z", &ms), 0, "three fraction digits");
	is_int(ms, at(2026, 12, 7, 10, 0, 0, 123), "... kept");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(calendar_parse_utc(bad[i], &ms), -1,
		       bad[i][0] ? bad[i] : "empty is refused");
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const int *f = cases[i].from, *t = cases[i].to;

		is_int(calendar_add_months(at(f[0], f[1], f[2], 10, 0, 0, 123), cases[i].months),
		       at(t[0], t[1], t[2], 10, 0, 0, 123), cases[i].name);
	}
	is_int(calendar_add_months(at(2026, 12, 31, 23, 59, 59, 999), 2),
	       at(2027, 2, 28, 23, 59, 59, 999), "the time of day is kept to the millisecond");
	parse_cases();
	return done_testing();
}
