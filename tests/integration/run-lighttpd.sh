#!/usr/bin/env bash
# Integration suite behind lighttpd: a private MariaDB and worker pool in a
# temporary directory, lighttpd on a free port in front, and every case of
# cases.sh driven over HTTP with curl and jq.  TAP on stdout (automake's
# tap-driver reads it); exit 99 when the stack cannot be set up, 1 when a
# case failed (only when run by hand: see the end).
#   make check TESTS=tests/integration/run-lighttpd.sh     from a build dir
#   tests/integration/run-lighttpd.sh                      after an in-tree build
# Switches: VALGRIND=1 (workers under valgrind), KEEP=1 (keep the temp dir),
# WORKERS=N.  See tests/README.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${top_srcdir:-$(cd "$HERE/../.." && pwd)}
BINDIR=${top_builddir:-$SRCDIR}/src
TAP_MODE=1
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
# shellcheck source=tests/integration/cases.sh
. "$HERE/cases.sh"

for tool in mariadbd mariadb-install-db mariadb lighttpd curl jq openssl setsid; do
	command -v "$tool" >/dev/null || die "$tool is missing: run scripts/deps"
done
[ "${VALGRIND:-0}" = 1 ] && ! command -v valgrind >/dev/null && die "VALGRIND=1 but no valgrind"

STATE=$(mktemp -d "${TMPDIR:-/tmp}/customers-it.XXXXXX") || die "mktemp failed"

# On any exit: stop what runs, then keep the directory when something failed
# (or KEEP=1) so its logs can be read.
finish() {
	local rc=$?
	stack_stop
	if [ "$rc" != 0 ] || [ "$TAP_FAILED" != 0 ] || [ "${KEEP:-0}" = 1 ]; then
		note "logs and data kept in $STATE"
	else
		rm -rf "$STATE"
	fi
	exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

note "state in $STATE"
stack_start ""
note "lighttpd on $BASE, customers-fcgi $BINDIR/customers-fcgi"
run_cases

# Stop the pool so each worker writes its leak report, then read the logs.
lighttpd_stop
pid=$(cat "$STATE/fcgi.pid")
kill -TERM "$pid"
wait_until 300 pid_gone "$pid"
wait "$pid"
is "$?" 0 'customers-fcgi drains and exits 0 on SIGTERM'
rm -f "$STATE/fcgi.pid"
ok 'no sanitizer or valgrind report in the logs' scan_logs
tap_plan
# Under make check (top_builddir set) the TAP lines report the failures, and
# a non-zero status would count them once more as an ERROR; run by hand, the
# status says whether all passed.
[ "$TAP_FAILED" = 0 ] || [ -n "${top_builddir:-}" ]
