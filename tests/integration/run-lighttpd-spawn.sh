#!/usr/bin/env bash
# lighttpd starting the pool itself (bin-path), the API mounted under /api (conf/lighttpd-spawn.conf.in).
# The cases of cases.sh through it, TAP on stdout: see suite.sh and tests/README.
#   make check TESTS=tests/integration/run-lighttpd-spawn.sh     from a build dir
#   tests/integration/run-lighttpd-spawn.sh                      after an in-tree build
WEB=lighttpd-spawn
MOUNT=${MOUNT-/api}
# The case groups of cases.sh it runs, unless CASES names others.
default_cases() { echo "$WEB_CASES"; }
# shellcheck source=tests/integration/suite.sh
. "$(dirname "$0")/suite.sh"
