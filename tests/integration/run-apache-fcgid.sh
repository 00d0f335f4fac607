#!/usr/bin/env bash
# Apache 2.4 with mod_fcgid starting the pool (conf/apache2-fcgid.conf as shipped).
# The cases of cases.sh through it, TAP on stdout: see suite.sh and tests/README.
#   make check TESTS=tests/integration/run-apache-fcgid.sh     from a build dir
#   tests/integration/run-apache-fcgid.sh                      after an in-tree build
WEB=apache-fcgid
MOUNT=${MOUNT-}
# The case groups of cases.sh it runs, unless CASES names others.
default_cases() { echo "${WEB_CASES/ metrics/}"; }
# mod_fcgid sends each process one request at a time and starts more
# processes under load: one worker each (conf/apache2-fcgid.conf), and as
# every process is a pool of its own, /metrics covers only the one that
# answers (hence no metrics group here).
WORKERS=${WORKERS:-1}
# shellcheck source=tests/integration/suite.sh
. "$(dirname "$0")/suite.sh"
