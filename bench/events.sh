#!/usr/bin/env bash
# bench/events.sh: POST and PATCH throughput with the events outbox (this
# tree) against without it (BASE_REV, default main: the same code before
# events, built side by side from git), in one run: one private MariaDB
# (innodb_flush_log_at_trx_commit=1), one schema (with the events table,
# which the base binary never touches), the same lighttpd setup and pool
# size, runs interleaved (base, events, base, events, ...) so that drift of
# the machine or the growing tables hits both alike.  Medians go to
# bench/RESULTS-events.md (or $RESULTS).
#
#   bench/events.sh          WORKERS (8), CONNS (16), DURATION (5 s),
#                            REPEATS (5), BASE_REV (main), KEEP=1,
#                            PAUSE_SEQUENCER=1 (SIGSTOP the event sequencer
#                            while measuring: the writers' share alone)
# Needs what bench/run needs (wrk, lighttpd, mariadb-server, the build
# dependencies).  Builds this tree (build/ if present) and BASE_REV under
# its state directory.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
SRCDIR=$(cd "$BENCH_DIR/.." && pwd)
BASE_REV=${BASE_REV:-main}
WORKERS=${WORKERS:-8}
CONNS=${CONNS:-16}
DURATION=${DURATION:-5}
REPEATS=${REPEATS:-5}
RESULTS=${RESULTS:-$BENCH_DIR/RESULTS-events.md}
STATE=$(mktemp -d "${TMPDIR:-/tmp}/customers-bench-events.XXXXXX")
mkdir -p "$STATE/tmp" && export TMPDIR=$STATE/tmp
DB_BUFFER_POOL=${DB_BUFFER_POOL:-512M}
# shellcheck source=tests/integration/lib.sh
. "$SRCDIR/tests/integration/lib.sh"

bench_finish() {
	[ -z "${PAUSED:-}" ] || kill -CONT "$PAUSED" 2>/dev/null || true
	lighttpd_stop || true
	app_stop || true
	mariadb_stop || true
	[ "${KEEP:-0}" = 1 ] || rm -rf "$STATE"
}
trap bench_finish EXIT
trap 'exit 130' INT TERM

# Builds the tree at DIR (a fresh copy) into DIR/src.
build_at() { # DIR
	(cd "$1" && autoreconf -fi >/dev/null 2>&1 && ./configure -q >/dev/null &&
		make -j2 src/customers-fcgi src/customers-admin >"$STATE/build-$(basename "$1").log" 2>&1) ||
		die "build of $1 failed; see $STATE/build-$(basename "$1").log"
}

binaries() {
	mkdir -p "$STATE/base" "$STATE/events"
	git -C "$SRCDIR" archive "$BASE_REV" | tar -x -C "$STATE/base"
	build_at "$STATE/base"
	if [ -x "$SRCDIR/build/src/customers-fcgi" ]; then
		EVENTS_BIN=$SRCDIR/build/src
	else
		git -C "$SRCDIR" archive HEAD | tar -x -C "$STATE/events"
		build_at "$STATE/events"
		EVENTS_BIN=$STATE/events/src
	fi
	BASE_BIN=$STATE/base/src
}

# Runs the pool of BINDIR (base or events) behind a fresh lighttpd; sets BASE.
serve() { # BINDIR
	[ -z "${PAUSED:-}" ] || kill -CONT "$PAUSED" 2>/dev/null || true
	PAUSED=
	lighttpd_stop || true
	app_stop || true
	BINDIR=$1 APP_BIN=$1/customers-fcgi
	app_start
	lighttpd_start ""
	if [ "${PAUSE_SEQUENCER:-0}" = 1 ] && [ "$1" = "$EVENTS_BIN" ]; then
		sleep 1
		PAUSED=$(sed -n 's/.*\[pid \([0-9]*\)\] sequencer\.c:.*lease taken.*/\1/p' "$STATE/fcgi.log" | tail -n1)
		kill -STOP "$PAUSED"
	fi
}

# "RPS P99_MS NON2XX" of a wrk --latency output.
wrk_figures() { # FILE
	awk '/Requests\/sec/ { rps = $2 }
		/^ +99%/ { p = $2; if (p ~ /us$/) { sub(/us/, "", p); p /= 1000 } else if (p ~ /ms$/) sub(/ms/, "", p); else if (p ~ /s$/) { sub(/s/, "", p); p *= 1000 } }
		/Non-2xx/ { bad = $NF }
		END { printf "%s %s %d\n", rps, p, bad }' "$1"
}

run_wrk() { # NAME SCRIPT URL ARGS...
	local name=$1 script=$2 url=$3
	shift 3
	wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 10s --latency -H "Authorization: Bearer $TOKEN" \
		-s "$BENCH_DIR/$script" "$url" -- "$@" >"$STATE/$name.wrk" 2>&1 || die "wrk failed: $STATE/$name.wrk"
	wrk_figures "$STATE/$name.wrk"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

note "state in $STATE; building $BASE_REV and this tree"
binaries
BINDIR=$EVENTS_BIN
mariadb_start
mariadb_app_user
app_conf_write
app_migrate
serve "$EVENTS_BIN"
client_json=$(admin client add --partner bench 2>>"$STATE/admin.log") || die "client add failed"
TOKEN=$(curl -s -u "$(jq -r '.client_id + ":" + .client_secret' <<<"$client_json")" \
	-d grant_type=client_credentials "$BASE/oauth2/token" | jq -r .access_token)
if [ -z "$TOKEN" ] || [ "$TOKEN" = null ]; then die "no token"; fi
# customers to PATCH, made through the API
run_wrk seed create.lua "$BASE/roles/customers" 999 >/dev/null
db_query "SELECT LOWER(CONCAT_WS('-', HEX(SUBSTR(id,1,4)), HEX(SUBSTR(id,5,2)), HEX(SUBSTR(id,7,2)),
	HEX(SUBSTR(id,9,2)), HEX(SUBSTR(id,11,6)))) FROM customers ORDER BY RAND() LIMIT 5000" >"$STATE/ids"
note "$(wc -l <"$STATE/ids") customers to PATCH; $WORKERS workers, $CONNS connections, ${DURATION} s x $REPEATS"

: >"$STATE/runs.tsv"
salt=1000
for rep in $(seq "$REPEATS"); do
	for target in base events; do
		bin=$BASE_BIN
		[ "$target" = events ] && bin=$EVENTS_BIN
		serve "$bin"
		salt=$((salt + 1))
		printf '%s\tpost\t%s\n' "$target" "$(run_wrk "post-$target-$rep" create.lua "$BASE/roles/customers" "$salt")" >>"$STATE/runs.tsv"
		printf '%s\tpatch\t%s\n' "$target" "$(run_wrk "patch-$target-$rep" patch.lua "$BASE/roles/customers/" "$STATE/ids")" >>"$STATE/runs.tsv"
		note "rep $rep $target: $(grep -P "^$target\t" "$STATE/runs.tsv" | tail -n 2 | cut -f2,3 | xargs)"
	done
done
[ -z "${PAUSED:-}" ] || kill -CONT "$PAUSED"
PAUSED=
wait_until 100 eval '[ "$(db_query "SELECT COUNT(*) FROM events WHERE seq IS NULL")" = 0 ]'

fig() { # TARGET SCENARIO FIELD(1 rps, 2 p99)
	awk -F'\t' -v t="$1" -v s="$2" -v f="$3" '$1 == t && $2 == s { split($3, a, " "); print a[f] }' "$STATE/runs.tsv" | median
}
bad=$(awk -F'\t' '{ split($3, a, " "); n += a[3] } END { print n + 0 }' "$STATE/runs.tsv")
{
	echo "# Events outbox: POST and PATCH with events against without"
	echo
	echo "\`bench/events.sh\`, $(date -u +%Y-%m-%d), $(nproc) cores, **machine shared with other"
	echo "engineers' test runs** (figures are noisy; the runs are interleaved so both sides share"
	echo "the noise). Base: \`$BASE_REV\` ($(git -C "$SRCDIR" rev-parse --short "$BASE_REV")), events:"
	echo "$(git -C "$SRCDIR" rev-parse --short HEAD). One MariaDB (flush at every commit), $WORKERS workers,"
	echo "wrk 2 threads x $CONNS connections, ${DURATION} s per run, median of $REPEATS; non-2xx answers: $bad."
	echo
	echo "| scenario | base req/s | events req/s | ratio | base p99 ms | events p99 ms |"
	echo "|---|---|---|---|---|---|"
	for s in post patch; do
		b=$(fig base $s 1) e=$(fig events $s 1)
		printf '| %s | %s | %s | %.2f | %s | %s |\n' "$s" "$b" "$e" "$(echo "$e / $b" | bc -l)" \
			"$(fig base $s 2)" "$(fig events $s 2)"
	done
	echo
	echo "Every run: \`$(cut -f1-3 "$STATE/runs.tsv" | tr '\t' ' ' | paste -sd';' | sed 's/;/; /g')\`"
} >"$RESULTS"
cat "$RESULTS"
