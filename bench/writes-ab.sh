#!/usr/bin/env bash
# bench/writes-ab.sh: POST and PATCH with 16 labels (issue 13's shape, 16 of
# 64 per customer) of this tree against BASE_REV (default main), on one stack:
# one private MariaDB with bench/run's settings (1 GiB buffer pool, 512 MiB
# redo, flush at every commit), COUNT customers seeded by customers-admin
# seed, the two pools taking turns behind a fresh lighttpd each round, so
# drift of a shared machine hits both alike.  Per run it also reads the CPU
# time of mariadbd, the pool (master and workers) and lighttpd from /proc,
# as microseconds per request.  PATCH picks live customers (an OFFBOARDED one
# is read-only: 409).  Medians go to stdout.
#
#   bench/writes-ab.sh   COUNT (200000), WORKERS (8), CONNS (32), DURATION (5),
#                        REPEATS (3), BASE_REV (main), A_BIN / B_BIN (built
#                        binaries instead of BASE_REV / this tree's build/src),
#                        SCENARIOS ("post16 patch16"), KEEP=1
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
SRCDIR=$(cd "$BENCH_DIR/.." && pwd)
BASE_REV=${BASE_REV:-main}
COUNT=${COUNT:-200000}
WORKERS=${WORKERS:-8}
CONNS=${CONNS:-32}
DURATION=${DURATION:-5}
REPEATS=${REPEATS:-3}
SCENARIOS=${SCENARIOS:-post16 patch16}
STATE=$(mktemp -d "${TMPDIR:-/tmp}/customers-bench-writes.XXXXXX")
mkdir -p "$STATE/tmp" && export TMPDIR=$STATE/tmp
DB_BUFFER_POOL=${DB_BUFFER_POOL:-1G}
# shellcheck source=tests/integration/lib.sh
. "$SRCDIR/tests/integration/lib.sh"

finish() {
	lighttpd_stop || true
	app_stop || true
	mariadb_stop || true
	[ "${KEEP:-0}" = 1 ] || rm -rf "$STATE"
}
trap finish EXIT
trap 'exit 130' INT TERM

build_rev() { # REV DIR
	mkdir -p "$2"
	git -C "$SRCDIR" archive "$1" | tar -x -C "$2"
	(cd "$2" && autoreconf -fi >/dev/null 2>&1 && ./configure -q >/dev/null &&
		make -j2 src/customers-fcgi src/customers-admin >"$2.log" 2>&1) ||
		die "build of $1 failed; see $2.log"
}

if [ -z "${A_BIN:-}" ]; then
	build_rev "$BASE_REV" "$STATE/a"
	A_BIN=$STATE/a/src
fi
B_BIN=${B_BIN:-$SRCDIR/build/src}

serve() { # BINDIR
	lighttpd_stop || true
	app_stop || true
	BINDIR=$1 APP_BIN=$1/customers-fcgi
	app_start
	lighttpd_start ""
}

# CPU ticks (utime + stime) of mariadbd, the pool and lighttpd: "DB POOL WEB".
ticks() {
	local pool db web p
	db=$(awk '{ print $14 + $15 }' "/proc/$(cat "$STATE/mariadb.pid")/stat")
	pool=0
	for p in $(cat "$STATE/fcgi.pid") $(cat /proc/"$(cat "$STATE/fcgi.pid")"/task/*/children); do
		pool=$((pool + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	web=$(awk '{ print $14 + $15 }' "/proc/$(cat "$STATE/lighttpd.pid")/stat")
	echo "$db $pool $web"
}

# "RPS P99_MS NON2XX DB_US POOL_US WEB_US" (CPU microseconds per request).
run_wrk() { # NAME SCRIPT URL ARGS...
	local name=$1 script=$2 url=$3 t0 t1 hz
	shift 3
	hz=$(getconf CLK_TCK)
	t0=$(ticks)
	wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 10s --latency -H "Authorization: Bearer $TOKEN" \
		-s "$BENCH_DIR/$script" "$url" -- "$@" >"$STATE/$name.wrk" 2>&1 || die "wrk failed: $STATE/$name.wrk"
	t1=$(ticks)
	awk -v t0="$t0" -v t1="$t1" -v hz="$hz" '
		/requests in/ { n = $1 }
		/Requests\/sec/ { rps = $2 }
		/^ +99%/ { p = $2; if (p ~ /us$/) { sub(/us/, "", p); p /= 1000 } else if (p ~ /ms$/) sub(/ms/, "", p); else if (p ~ /s$/) { sub(/s/, "", p); p *= 1000 } }
		/Non-2xx/ { bad = $NF }
		END { split(t0, a, " "); split(t1, b, " ")
			printf "%s %s %d %.0f %.0f %.0f\n", rps, p, bad, (b[1]-a[1])*1e6/hz/n, (b[2]-a[2])*1e6/hz/n, (b[3]-a[3])*1e6/hz/n }' "$STATE/$name.wrk"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

note "state in $STATE; A $A_BIN, B $B_BIN; load $(cut -d' ' -f1-3 /proc/loadavg)"
BINDIR=$B_BIN
mariadb_start --innodb-log-file-size=512M --innodb-flush-log-at-trx-commit=1
mariadb_app_user
app_conf_write
app_migrate
# BASE_REV may have migrations this tree lacks (main after a merge): both
# sets run (each is idempotent); columns one side does not know stay unused.
if [ -d "$STATE/a/sql" ]; then
	admin migrate --sql-dir "$STATE/a/sql" >>"$STATE/admin.log" 2>&1 || die "migrate of BASE_REV failed"
fi
admin client add --partner bench-writes >"$STATE/client-w.json" 2>>"$STATE/admin.log"
admin client add --partner bench >"$STATE/client.json" 2>>"$STATE/admin.log"
note "seeding $COUNT customers, 16 labels of 64"
admin seed --partner bench --count "$COUNT" --labels 64 --per-customer 16 --seed 1 >>"$STATE/admin.log" 2>&1 ||
	die "seed failed; see $STATE/admin.log"
db_query "SELECT LOWER(CONCAT_WS('-', HEX(SUBSTR(id,1,4)), HEX(SUBSTR(id,5,2)), HEX(SUBSTR(id,7,2)),
	HEX(SUBSTR(id,9,2)), HEX(SUBSTR(id,11,6)))) FROM customers
	WHERE status <> 'OFFBOARDED' ORDER BY RAND() LIMIT 100000" >"$STATE/ids"
serve "$B_BIN"
tok() { curl -s -u "$(jq -r '.client_id + ":" + .client_secret' <"$1")" -d grant_type=client_credentials "$BASE/oauth2/token" | jq -r .access_token; }
PTOKEN=$(tok "$STATE/client.json")
WTOKEN=$(tok "$STATE/client-w.json")

: >"$STATE/runs.tsv"
salt=1000
for rep in $(seq "$REPEATS"); do
	for target in A B; do
		bin=$A_BIN
		[ "$target" = B ] && bin=$B_BIN
		serve "$bin"
		for s in $SCENARIOS; do
			salt=$((salt + 1))
			case $s in
			post16) TOKEN=$WTOKEN r=$(run_wrk "$s-$target-$rep" create.lua "$BASE/roles/customers" "$salt" 64 16) ;;
			patch16) TOKEN=$PTOKEN r=$(run_wrk "$s-$target-$rep" patch.lua "$BASE/roles/customers/" "$STATE/ids" 64 16) ;;
			post) TOKEN=$WTOKEN r=$(run_wrk "$s-$target-$rep" create.lua "$BASE/roles/customers" "$salt") ;;
			patch) TOKEN=$PTOKEN r=$(run_wrk "$s-$target-$rep" patch.lua "$BASE/roles/customers/" "$STATE/ids" 64 2) ;;
			esac
			printf '%s\t%s\t%s\n' "$target" "$s" "$r" >>"$STATE/runs.tsv"
			note "rep $rep $target $s: $r"
		done
	done
done

fig() { awk -F'\t' -v t="$1" -v s="$2" -v f="$3" '$1 == t && $2 == s { split($3, a, " "); print a[f] }' "$STATE/runs.tsv" | median; }
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| scenario | A req/s | B req/s | B/A | A p99 | B p99 | A cpu us/req db/pool/web | B cpu us/req db/pool/web |"
echo "|---|---|---|---|---|---|---|---|"
for s in $SCENARIOS; do
	a=$(fig A "$s" 1) b=$(fig B "$s" 1)
	printf '| %s | %s | %s | %.2f | %s | %s | %s/%s/%s | %s/%s/%s |\n' "$s" "$a" "$b" "$(echo "$b / $a" | bc -l)" \
		"$(fig A "$s" 2)" "$(fig B "$s" 2)" "$(fig A "$s" 4)" "$(fig A "$s" 5)" "$(fig A "$s" 6)" \
		"$(fig B "$s" 4)" "$(fig B "$s" 5)" "$(fig B "$s" 6)"
done
