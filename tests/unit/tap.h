/*
 * tap.h: the few TAP helpers the unit tests need (automake's tap-driver
 * reads the output).  Each check prints "ok N - name" or "not ok N - name"
 * followed by a "# file:line: expected X, got Y" diagnostic.
 *
 *   plan_lazy();  ok(cond, "name");  is_int(got, want, "name");
 *   is_str(got, want, "name");  return done_testing();
 */
#ifndef TAP_H
#define TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static void tap_result(int pass, const char *file, int line, const char *name)
{
	tap_n++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - %s\n", pass ? "" : "not ", tap_n, name);
	if (!pass)
		printf("# failed at %s:%d\n", file, line);
}

#define ok(cond, name) tap_result(!!(cond), __FILE__, __LINE__, (name))

#define is_int(got, want, name)                                                                    \
	do {                                                                                       \
		long long g_ = (long long)(got), w_ = (long long)(want);                           \
		tap_result(g_ == w_, __FILE__, __LINE__, (name));                                  \
		if (g_ != w_)                                                                      \
			printf("#   expected %lld, got %lld\n", w_, g_);                           \
	} while (0)

#define is_str(got, want, name)                                                                    \
	do {                                                                                       \
		const char *g_ = (got), *w_ = (want);                                              \
		int same_ = (g_ && w_) ? strcmp(g_, w_) == 0 : g_ == w_;                           \
		tap_result(same_, __FILE__, __LINE__, (name));                                     \
		if (!same_)                                                                        \
			printf("#   expected \"%s\", got \"%s\"\n", w_ ? w_ : "(null)",            \
			       g_ ? g_ : "(null)");                                                \
	} while (0)

static inline int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
