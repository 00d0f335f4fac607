/*
 * test_throttle: the shared failure counters of the token endpoint.
 * Time is passed in, so windows are tested without sleeping; sharing is
 * tested with a real fork, as the pool does it.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "throttle.h"

#define T0 1000000 /* any start time, seconds */
#define WINDOW 60

static void fail_n(enum throttle_kind kind, const char *key, unsigned n, int64_t now)
{
	for (unsigned i = 0; i < n; i++)
		throttle_failure(kind, key, WINDOW, now);
}

static void test_before_init(void)
{
	fail_n(THROTTLE_CLIENT, "early", 50, T0);
	is_int(throttle_wait(THROTTLE_CLIENT, "early", 1, WINDOW, T0), 0,
	       "before throttle_init nothing is counted or blocked");
}

static void test_limit(void)
{
	fail_n(THROTTLE_CLIENT, "cl_a", 4, T0);
	is_int(throttle_wait(THROTTLE_CLIENT, "cl_a", 5, WINDOW, T0 + 1), 0,
	       "one under the limit: may try");
	throttle_failure(THROTTLE_CLIENT, "cl_a", WINDOW, T0 + 10);
	is_int(throttle_wait(THROTTLE_CLIENT, "cl_a", 5, WINDOW, T0 + 10), 50,
	       "at the limit: blocked until the window ends (60 - 10 s)");
	is_int(throttle_wait(THROTTLE_CLIENT, "cl_a", 5, WINDOW, T0 + 59), 1,
	       "last second of the window: 1");
	is_int(throttle_wait(THROTTLE_CLIENT, "cl_a", 5, WINDOW, T0 + 60), 0,
	       "window over: may try again");
	is_int(throttle_wait(THROTTLE_CLIENT, "cl_a", 6, WINDOW, T0 + 10), 0,
	       "a higher limit: may try");
	is_int(throttle_wait(THROTTLE_CLIENT, "cl_a", 0, WINDOW, T0 + 10), 0,
	       "limit 0: throttling off");
	throttle_failure(THROTTLE_CLIENT, "cl_a", WINDOW, T0 + 61);
	is_int(throttle_wait(THROTTLE_CLIENT, "cl_a", 2, WINDOW, T0 + 61), 0,
	       "a failure after the window starts a new count (1 < 2)");
	throttle_failure(THROTTLE_CLIENT, "cl_a", WINDOW, T0 + 62);
	is_int(throttle_wait(THROTTLE_CLIENT, "cl_a", 2, WINDOW, T0 + 62), 59,
	       "new window counted from its first failure");
}

static void test_keys_apart(void)
{
	fail_n(THROTTLE_ADDRESS, "192.0.2.1", 3, T0);
	is_int(throttle_wait(THROTTLE_ADDRESS, "192.0.2.1", 3, WINDOW, T0), 60, "address blocked");
	is_int(throttle_wait(THROTTLE_CLIENT, "192.0.2.1", 3, WINDOW, T0), 0,
	       "a client id spelled like the address is another key");
	is_int(throttle_wait(THROTTLE_ADDRESS, "192.0.2.10", 3, WINDOW, T0), 0, "another address");
	is_int(throttle_wait(THROTTLE_ADDRESS, NULL, 1, WINDOW, T0), 0,
	       "no address: never blocked");
	is_int(throttle_wait(THROTTLE_ADDRESS, "", 1, WINDOW, T0), 0, "empty key: never blocked");
	throttle_failure(THROTTLE_ADDRESS, NULL, WINDOW, T0);
	is_int(throttle_wait(THROTTLE_ADDRESS, "192.0.2.1", 4, WINDOW, T0), 0,
	       "a NULL key counts nowhere");
}

static void test_clock_back(void)
{
	fail_n(THROTTLE_CLIENT, "cl_clock", 3, T0);
	is_int(throttle_wait(THROTTLE_CLIENT, "cl_clock", 3, WINDOW, T0 - 5), 0,
	       "a clock set back does not block for longer than a window");
}

/* A child process counts; the parent sees it (the pool's workers are such children). */
static void test_shared_across_fork(void)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		fail_n(THROTTLE_CLIENT, "cl_forked", 5, T0);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	is_int(status, 0, "child exited");
	is_int(throttle_wait(THROTTLE_CLIENT, "cl_forked", 5, WINDOW, T0), 60,
	       "failures counted in a child block in the parent");
}

/* Many live keys: the table evicts old windows, never crashes, and keeps recent keys. */
static void test_flood(void)
{
	char key[32];

	for (int i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "flood-%d", i);
		throttle_failure(THROTTLE_ADDRESS, key, WINDOW, T0 + 1000);
	}
	fail_n(THROTTLE_CLIENT, "cl_after_flood", 2, T0 + 1001);
	is_int(throttle_wait(THROTTLE_CLIENT, "cl_after_flood", 2, WINDOW, T0 + 1001), 60,
	       "a key counted after a flood of 100000 others is still blocked");
}

int main(void)
{
	test_before_init();
	ok(throttle_init() == 0, "throttle_init maps the table");
	test_limit();
	test_keys_apart();
	test_clock_back();
	test_shared_across_fork();
	test_flood();
	return done_testing();
}
