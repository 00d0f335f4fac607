/*
 * calendar: see calendar.h.  Days count from 1970-01-01; the eras of 400
 * years make leap years fall out of integer division.
 */
#include <string.h>

#include "calendar.h"

#define MS_PER_DAY 86400000LL

struct civil {
	int64_t y;
	unsigned m; /* 1..12 */
	unsigned d; /* 1..31 */
};

static int64_t days_from_civil(const struct civil *c)
{
	int64_t y = c->y - (c->m <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t mp = c->m > 2 ? c->m - 3 : c->m + 9;
	int64_t doy = (153 * mp + 2) / 5 + c->d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static struct civil civil_from_days(int64_t z)
{
	int64_t era, doe, yoe, doy, mp;
	struct civil c;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	c.d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	c.m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	c.y = yoe + era * 400 + (c.m <= 2);
	return c;
}

static unsigned month_days(int64_t y, unsigned m)
{
	static const unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

int64_t calendar_add_months(int64_t ms, unsigned months)
{
	int64_t day = ms / MS_PER_DAY, time = ms % MS_PER_DAY;
	struct civil c = civil_from_days(day);
	int64_t m0 = (int64_t)c.m - 1 + months;

	c.y += m0 / 12;
	c.m = (unsigned)(m0 % 12) + 1;
	if (c.d > month_days(c.y, c.m))
		c.d = month_days(c.y, c.m);
	return days_from_civil(&c) * MS_PER_DAY + time;
}

/* n decimal digits at s into *v; 0 or -1. */
static int digits(const char *s, int n, int64_t *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/* The ".fff" part and the Z at s: the milliseconds, or -1. */
static int64_t fraction_ms(const char *s)
{
	int64_t v = 0;
	size_t n = 0;

	if (*s == '.') {
		n = strspn(s + 1, "0123456789");
		if (n < 1 || n > 3 || digits(s + 1, (int)n, &v))
			return -1;
		for (size_t i = n; i < 3; i++)
			v *= 10;
		s += n + 1;
	}
	return strcmp(s, "Z") == 0 ? v : -1;
}

int calendar_parse_utc(const char *s, int64_t *ms)
{
	int64_t y, mo, d, h, mi, sec, frac;
	struct civil c;

	if (strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d) || s[10] != 'T' || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &sec))
		return -1;
	frac = fraction_ms(s + 19);
	if (frac < 0 || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, (unsigned)mo) ||
	    h > 23 || mi > 59 || sec > 59)
		return -1;
	c = (struct civil){y, (unsigned)mo, (unsigned)d};
	*ms = days_from_civil(&c) * MS_PER_DAY + ((h * 60 + mi) * 60 + sec) * 1000 + frac;
	return 0;
}
