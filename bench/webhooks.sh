#!/usr/bin/env bash
# bench/webhooks.sh: webhook delivery speed and the deliverer's memory
# (contract §13-14, issue 16), into bench/RESULTS-webhooks.md (or $RESULTS).
#
#   A. latency: tests/faults/loadgen.c paced at RATE writes/s (POST and
#      PATCH, half each) for RATE_S seconds against one partner with one
#      subscription; a local HTTPS receiver (bench/webhook-sink.js)
#      records when each delivery arrived and the event's occurredOn:
#      commit -> 2xx p50/p99, and deliveries/s while paced.
#   B. memory and throughput: SUBS subscriptions (at most 10 a partner)
#      of a second partner, POSTs as fast as the stack answers until
#      DELIVERIES deliveries (1,000,000) are due, or BUDGET_S seconds (1500)
#      have passed; VmRSS of the delivery process after the first
#      RSS_EARLY deliveries (10,000) and at the end, and deliveries/s
#      over the run.  A run cut by the budget says so, with how many it
#      reached.
#
# One private MariaDB (flush at every commit), this tree's pool behind
# lighttpd as the integration tests start them ([webhooks]
# allow_private_addresses = 1 and ca_file: the operator's relaxation, as
# the receiver is on 127.0.0.1; time_scale = 1, the production schedule).
#   RATE (500), RATE_S (60), SUBS (10), DELIVERIES (1000000), BUDGET_S
#   (1500), RSS_EARLY (10000), WORKERS (8), KEEP=1, PHASES ("A B"),
#   CONCURRENCY ([webhooks] concurrency; unset: as shipped), DB_EXTRA (more
#   mariadbd options, e.g. the slow query log that found the plans of sql/009).
# Needs the integration tests' packages (scripts/deps) and gcc.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
SRCDIR=$(cd "$BENCH_DIR/.." && pwd)
BINDIR=${BINDIR:-$SRCDIR/build/src}
RATE=${RATE:-500}
RATE_S=${RATE_S:-60}
SUBS=${SUBS:-10}
DELIVERIES=${DELIVERIES:-1000000}
BUDGET_S=${BUDGET_S:-1500}
RSS_EARLY=${RSS_EARLY:-10000}
WORKERS=${WORKERS:-8}
PHASES=${PHASES:-A B}
RESULTS=${RESULTS:-$BENCH_DIR/RESULTS-webhooks.md}
STATE=$(mktemp -d "${TMPDIR:-/tmp}/customers-bench-webhooks.XXXXXX")
DB_BUFFER_POOL=${DB_BUFFER_POOL:-512M}
WH_TIME_SCALE=1
# shellcheck source=tests/faults/lib.sh
. "$SRCDIR/tests/faults/lib.sh"
# wh_certificates, wh_client, wh_create, deliverer_pid
# shellcheck source=tests/faults/faults-webhooks.sh
. "$SRCDIR/tests/faults/faults-webhooks.sh"

# The integration runners' traps: the load, lighttpd, the pool and MariaDB
# stopped at exit, $STATE kept with KEEP=1 or a failure; the sink follows
# this shell (WH_PARENT).
runner_traps

SINK_LOG=$STATE/sink.log

sink_start() {
	SINK_PORT=$(free_port)
	: >"$SINK_LOG"
	WH_PARENT=$$ spawn "$STATE/sink.pid" "$STATE/sink.out" node "$BENCH_DIR/webhook-sink.js" \
		"$SINK_PORT" "$STATE/receiver.pem" "$STATE/receiver.key" "$SINK_LOG"
	WH_PORT=$SINK_PORT
	wait_until 100 wh_receiver_up || die "the sink did not start; see $STATE/sink.out"
}

# Deliveries the sink got for PATH.
received() { awk -v p="$1" '$4 == p { n++ } END { print n + 0 }' "$SINK_LOG"; }

# Sequenced events of PARTNER times N subscriptions.
due() { # PARTNER N
	echo $(($(db_query "SELECT COUNT(*) FROM events e JOIN partners p ON p.id = e.partner_id
		WHERE p.name = '$1' AND e.seq IS NOT NULL") * $2))
}

received_all() { # PARTNER N PATH-PREFIX
	[ "$(awk -v p="$3" 'index($4, p) == 1 { n++ } END { print n + 0 }' "$SINK_LOG")" -ge "$(due "$1" "$2")" ]
}

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

# "p50 p99 max" of received - occurred (ms) for PATH.
latency() { # PATH
	awk -v p="$1" '$4 == p && $2 > 0 { print $1 - $2 }' "$SINK_LOG" | sort -n |
		awk '{ v[NR] = $1 } END { printf "%d %d %d\n", v[int(NR * 0.5) + (NR % 2)], v[int(NR * 0.99 + 0.999)], v[NR] }'
}

# Deliveries per second of PATH-PREFIX between its first and last arrival.
rate_of() { # PATH-PREFIX
	awk -v p="$1" 'index($4, p) == 1 { n++; if (!a || $1 < a) a = $1; if ($1 > b) b = $1 }
		END { printf "%.0f\n", (b > a) ? (n - 1) * 1000 / (b - a) : 0 }' "$SINK_LOG"
}

subscribe() { # VAR PARTNER PATH
	local tok=${1}_TOK
	wh_client "$1" "$2" 'customers:read customers:write webhooks:manage'
	wh_create "${!tok}" "$(wh_url "$3")" '["CUSTOMER_NOTIFICATION","LABELS_UPDATE_NOTIFICATION"]'
	[ -n "$WH_ID" ] || die "POST /webhooks failed: $(last_response)"
}

phase_a() {
	subscribe BA bench-a a
	note "A: $RATE writes/s for $RATE_S s (POST:PATCH 1:1), one subscription"
	"$STATE/loadgen" -p "$LIGHTTPD_PORT" -T "$BA_TOK" -c 16 -d "$RATE_S" -r "$RATE" -m 1:0:1:0 -q \
		-o "$STATE/load-a.log" 2>"$STATE/load-a.err"
	A_WRITES=$(awk '$3 == 200 || $3 == 202 { n++ } END { print n + 0 }' "$STATE/load-a.log")
	A_SENT_RATE=$(awk -v s="$RATE_S" '{ n++ } END { printf "%.0f", n / s }' "$STATE/load-a.log")
	A_BAD=$(awk '$3 != 200 && $3 != 202 { n++ } END { print n + 0 }' "$STATE/load-a.log")
	wait_until 600 received_all bench-a 1 a || die "A: not every event was delivered in 60 s"
	A_DUE=$(due bench-a 1)
	read -r A_P50 A_P99 A_MAX < <(latency a)
	A_RATE=$(rate_of a)
	note "A: $A_WRITES writes, $A_DUE events delivered; p50 $A_P50 ms, p99 $A_P99 ms, max $A_MAX ms; $A_RATE deliveries/s"
}

phase_b() {
	local i dpid t0 got=0 want events
	for i in $(seq "$SUBS"); do subscribe "BB$i" bench-b "b$i"; done
	dpid=$(deliverer_pid)
	events=$(((DELIVERIES + SUBS - 1) / SUBS))
	note "B: $SUBS subscriptions, $events POSTs as fast as answered: $DELIVERIES deliveries, budget $BUDGET_S s"
	t0=$(now_ms)
	"$STATE/loadgen" -p "$LIGHTTPD_PORT" -T "$BB1_TOK" -c 8 -n "$events" -d 0 -m 1:0:0:0 -q \
		-o /dev/null 2>"$STATE/load-b.err" &
	LOAD_PID=$!
	B_RSS0=
	while :; do
		sleep 5
		got=$(awk 'index($4, "b") == 1 { n++ } END { print n + 0 }' "$SINK_LOG")
		if [ -z "$B_RSS0" ] && [ "$got" -ge "$RSS_EARLY" ]; then
			B_RSS0=$(rss_kb "$dpid") B_RSS0_AT=$got
		fi
		[ "$got" -ge "$DELIVERIES" ] && break
		[ $((($(now_ms) - t0) / 1000)) -ge "$BUDGET_S" ] && break
	done
	B_RSS1=$(rss_kb "$dpid") B_GOT=$got B_SECS=$((($(now_ms) - t0) / 1000))
	kill -TERM "$LOAD_PID" 2>/dev/null || true
	wait "$LOAD_PID" || true
	LOAD_PID=
	[ "$(deliverer_pid)" = "$dpid" ] || die "B: the deliverer was restarted during the run"
	B_RATE=$(rate_of b)
	want=$(due bench-b "$SUBS")
	note "B: $B_GOT deliveries in $B_SECS s ($B_RATE/s), $want due; VmRSS $B_RSS0 kB at $B_RSS0_AT, $B_RSS1 kB at the end"
}

report() {
	{
		echo "# Webhook delivery: latency at $RATE writes/s, throughput, memory"
		echo
		echo "\`bench/webhooks.sh\`, $(date -u +%Y-%m-%d), $(git -C "$SRCDIR" rev-parse --short HEAD),"
		echo "$(nproc) cores, **machine shared with other engineers' builds and tests** (figures are"
		echo "noisy). One MariaDB (flush at every commit), $WORKERS workers behind lighttpd, one"
		echo "pool (one sequencer, one deliverer, [webhooks] concurrency ${CONCURRENCY:-as shipped}), the"
		echo "receiver bench/webhook-sink.js (Node, HTTPS, 200 at once) on 127.0.0.1 with the"
		echo "operator's relaxation (\`allow_private_addresses = 1\`, \`ca_file\`), the production"
		echo "retry schedule (\`time_scale = 1\`)."
		if [ -n "${A_P99:-}" ]; then
			echo
			echo "## A. Commit to 2xx at $RATE writes/s"
			echo
			echo "loadgen paced at $RATE requests/s (sent: $A_SENT_RATE/s, POST and PATCH half each, 16"
			echo "connections) for $RATE_S s: $A_WRITES writes answered 2xx ($A_BAD other answers), $A_DUE events"
			echo "(a PATCH that changes no label writes none), one subscription taking both types."
			echo "Latency = the receiver's clock when the body arrived - the event's \`occurredOn\`"
			echo "(stamped in the change's transaction just before it commits, so a little more"
			echo "than commit -> 2xx)."
			echo
			echo "| p50 ms | p99 ms | max ms | target p99 | deliveries/s while paced |"
			echo "|---:|---:|---:|---|---:|"
			echo "| $A_P50 | $A_P99 | $A_MAX | ≤ 250 ms: $([ "$A_P99" -le 250 ] && echo met || echo 'NOT met') | $A_RATE |"
		fi
		if [ -n "${B_SECS:-}" ]; then
			echo
			echo "## B. Throughput and memory of the delivery process"
			echo
			echo "$SUBS subscriptions of one partner, each taking every event; POSTs as fast as"
			echo "answered (8 connections) while the deliverer drains. Target: $DELIVERIES deliveries,"
			echo "budget $BUDGET_S s."
			echo
			echo "| deliveries | seconds | deliveries/s | VmRSS after $B_RSS0_AT | VmRSS at the end | growth |"
			echo "|---:|---:|---:|---:|---:|---:|"
			printf '| %s | %s | %s | %s kB | %s kB | %+.1f %% |\n' "$B_GOT" "$B_SECS" "$B_RATE" \
				"$B_RSS0" "$B_RSS1" "$(echo "($B_RSS1 - $B_RSS0) * 100 / $B_RSS0" | bc -l)"
			if [ "$B_GOT" -lt "$DELIVERIES" ]; then
				echo
				echo "The budget ended the run at $B_GOT of $DELIVERIES deliveries: at $B_RATE/s the full run"
				echo "takes about $((DELIVERIES / (B_RATE > 0 ? B_RATE : 1))) s (\`BUDGET_S=$((DELIVERIES * 12 / 10 / (B_RATE > 0 ? B_RATE : 1)))\`)."
			fi
		fi
	} >"$RESULTS"
	cat "$RESULTS"
}

[ -x "$BINDIR/customers-fcgi" ] || die "build first: $BINDIR/customers-fcgi is missing"
note "state in $STATE"
loadgen_build
mariadb_start --innodb-flush-log-at-trx-commit="${DB_FLUSH:-1}" ${DB_EXTRA:-}
mariadb_app_user
wh_certificates || die "openssl failed; see $STATE/openssl.log"
app_conf_write
[ -z "${CONCURRENCY:-}" ] || conf_set "$(APP_CONF)" webhooks concurrency "$CONCURRENCY"
app_migrate
app_start
lighttpd_start ""
sink_start
for p in $PHASES; do
	case $p in
	A) phase_a ;;
	B) phase_b ;;
	*) die "unknown phase $p" ;;
	esac
done
report
