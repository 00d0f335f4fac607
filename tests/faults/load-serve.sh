#!/usr/bin/env bash
# Drives the mixed load of loadgen.c against the instance of
# `scripts/serve --background` (state in var/), for injecting faults by hand
# while it runs, and prints the same figures as the fault tests: requests
# sent, 2xx, 503 with Retry-After, failed, lost (POSTs that got 200 but are
# not in var/'s database) and the worst latency.
#   tests/faults/load-serve.sh [SECONDS [THREADS]]      default 30 s, 8 threads
# In another terminal meanwhile, e.g.:
#   kill -9 $(cat var/mariadbd.pid); sleep 5; ... restart: scripts/serve --stop && scripts/serve --background
#   kill -9 $(pgrep -P $(cat var/fcgi.pid) | head -n1)
#   mariadb -S var/mariadb.sock -uroot -e "KILL CONNECTION <id>"   (ids: SHOW PROCESSLIST)
# The request log stays in var/load.log (one line per request, see loadgen.c).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
SRCDIR=$(pwd)
STATE=$SRCDIR/var
SECONDS_WANTED=${1:-30}
THREADS=${2:-8}
SUMMARY=()
# shellcheck source=tests/faults/lib.sh
. "$SRCDIR/tests/faults/lib.sh"

[ -s "$STATE/demo-client.json" ] || die "no var/demo-client.json: start scripts/serve --background first"
BASE=$(jq -r .base_url "$STATE/demo-client.json")
LIGHTTPD_PORT=${BASE##*:}
TOKEN=$(curl -s --max-time 10 -u "$(jq -r '.client_id + ":" + .client_secret' "$STATE/demo-client.json")" \
	-d grant_type=client_credentials "$BASE/oauth2/token" | jq -r '.access_token // empty')
[ -n "$TOKEN" ] || die "no token from $BASE (is scripts/serve running?)"
loadgen_build
note "load on $BASE for $SECONDS_WANTED s with $THREADS threads; inject faults now"
load_start "$STATE/load.log" -c "$THREADS" -d "$SECONDS_WANTED"
trap 'load_stop' INT TERM
load_wait
cat "$STATE/load.log.err" >&2
report_fault by-hand "$STATE/load.log"
note "failures (first 20): $(load_failures "$STATE/load.log" | head -n 20 | awk '{print $2, $3}' | sort | uniq -c | xargs)"
