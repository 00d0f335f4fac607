#!/usr/bin/env bash
# Apache 2.4 with mod_proxy_fcgi to the pool's unix socket (conf/apache2-proxy-fcgi.conf as shipped).
# The cases of cases.sh through it, TAP on stdout: see suite.sh and tests/README.
#   make check TESTS=tests/integration/run-apache.sh     from a build dir
#   tests/integration/run-apache.sh                      after an in-tree build
WEB=apache
MOUNT=${MOUNT-}
# The case groups of cases.sh it runs, unless CASES names others.
default_cases() { echo "$WEB_CASES pool_down reload"; }
# shellcheck source=tests/integration/suite.sh
. "$(dirname "$0")/suite.sh"
