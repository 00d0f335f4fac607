#!/usr/bin/env bash
# nginx, fastcgi_pass to the pool's unix socket (conf/nginx.conf as shipped).
# The cases of cases.sh through it, TAP on stdout: see suite.sh and tests/README.
#   make check TESTS=tests/integration/run-nginx.sh     from a build dir
#   tests/integration/run-nginx.sh                      after an in-tree build
WEB=nginx
MOUNT=${MOUNT-}
# The case groups of cases.sh it runs, unless CASES names others.
default_cases() { echo "$WEB_CASES pool_down reload"; }
# shellcheck source=tests/integration/suite.sh
. "$(dirname "$0")/suite.sh"
