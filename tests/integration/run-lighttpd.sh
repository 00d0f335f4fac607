#!/usr/bin/env bash
# lighttpd (mod_fastcgi) in front of the worker pool's unix socket (conf/lighttpd.conf.in).
# The cases of cases.sh through it, TAP on stdout: see suite.sh and tests/README.
#   make check TESTS=tests/integration/run-lighttpd.sh     from a build dir
#   tests/integration/run-lighttpd.sh                      after an in-tree build
WEB=lighttpd
MOUNT=${MOUNT-}
# The case groups of cases.sh it runs, unless CASES names others.
default_cases() { echo "$ALL_CASES"; }
# shellcheck source=tests/integration/suite.sh
. "$(dirname "$0")/suite.sh"
