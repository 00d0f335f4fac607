# shellcheck shell=bash
# suite.sh: the integration suite behind one web server, sourced by the
# runners run-*.sh after they set WEB (and MOUNT, default_cases): a private
# MariaDB in a temporary directory, the worker pool (started by the test, or
# by the web server: lighttpd bin-path, mod_fcgid), the web server on a free
# port, and the cases of cases.sh driven over HTTP with curl and jq.  TAP on
# stdout (automake's tap-driver reads it); exit 99 when the stack cannot be
# set up, 1 when a case failed (only when run by hand: see the end).
# Switches: VALGRIND=1 (workers under valgrind), KEEP=1 (keep the temp dir),
# WORKERS=N, CASES="groups...".  See tests/README.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=${top_srcdir:-$(cd "$HERE/../.." && pwd)}
BINDIR=${top_builddir:-$SRCDIR}/src
TAP_MODE=1
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/integration/cases.sh
. "$HERE/cases.sh"

SERVER_TOOL=$(web_name)
[ "$SERVER_TOOL" = apache ] && SERVER_TOOL=apache2
for tool in mariadbd mariadb-install-db mariadb "$SERVER_TOOL" curl jq openssl setsid pgrep; do
	command -v "$tool" >/dev/null || die "$tool is missing: run scripts/deps"
done
[ "$WEB" = apache-fcgid ] && [ ! -e /usr/lib/apache2/modules/mod_fcgid.so ] &&
	die "mod_fcgid is missing: run scripts/deps (libapache2-mod-fcgid)"
[ "${VALGRIND:-0}" = 1 ] && ! command -v valgrind >/dev/null && die "VALGRIND=1 but no valgrind"
[ "${VALGRIND:-0}" = 1 ] && web_spawns_app && die "VALGRIND=1 needs a pool the test starts (not WEB=$WEB)"

STATE=$(mktemp -d "${TMPDIR:-/tmp}/customers-it.XXXXXX") || die "mktemp failed"

# On any exit: stop what runs, then keep the directory when something failed
# (or KEEP=1) so its logs can be read.
runner_traps

# The customers-fcgi processes of this stack (those the web server started
# carry CUSTOMERS_CONF=$STATE/customers.conf in their environment).
app_pids() {
	local p
	for p in $(pgrep -f "$APP_BIN"); do
		tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qxF "CUSTOMERS_CONF=$(APP_CONF)" && echo "$p"
	done
	return 0
}

no_app_left() {
	[ -z "$(app_pids)" ]
}

# The pool the test started: SIGTERM, then it must drain and exit 0 (each
# worker writes its leak report on the way).  A pool the web server started
# must be gone once the server stopped.
stop_and_check_pool() {
	local pid
	if web_spawns_app; then
		ok "$WEB started customers-fcgi (master and workers)" test "$(app_pids | wc -l)" -ge 2
		web_stop
		ok "$WEB stops the customers-fcgi processes it started" wait_until 100 no_app_left
		return
	fi
	web_stop
	pid=$(cat "$STATE/fcgi.pid")
	kill -TERM "$pid"
	wait_until 300 pid_gone "$pid"
	wait "$pid"
	is "$?" 0 'customers-fcgi drains and exits 0 on SIGTERM'
	rm -f "$STATE/fcgi.pid"
}

note "state in $STATE"
stack_start ""
note "$WEB on $BASE, customers-fcgi $APP_BIN"
CASES=${CASES:-$(default_cases)}
run_cases
stop_and_check_pool
ok 'no sanitizer or valgrind report in the logs' scan_logs
tap_plan
# Under make check (top_builddir set) the TAP lines report the failures, and
# a non-zero status would count them once more as an ERROR; run by hand, the
# status says whether all passed.
[ "$TAP_FAILED" = 0 ] || [ -n "${top_builddir:-}" ]
