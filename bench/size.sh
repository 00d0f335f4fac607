#!/usr/bin/env bash
# bench/size.sh: is every list shape flat with the partner's size (issue 13,
# item 3)?  One private stack (MariaDB with bench/lib.sh's settings: 1 GiB
# buffer pool, 512 MiB redo log, flush at every commit; the pool at its
# shipped size; lighttpd; [list] scan_limit as shipped), two partners of the
# same shape in one database: `small` with SMALL customers (default 200 000)
# and `big` with BIG (default 1 000 000), K labels each of L (default 3 of
# 50, bench/run's shape).  Each list shape of bench/run is measured for both
# partners with wrk (c=CONNS, DURATION s), the partners interleaved over
# REPEATS rounds so that drift of a shared machine hits both alike; the
# medians and the ratio big/small go out as a Markdown table (stdout).
# Comparing two partners of one server rather than two runs keeps the
# ratio out of the run-to-run noise (10-20 % on a shared 2-core machine),
# and the planner's ranges all start with partner_id, so a partner's cost
# is what its own size makes it.
#   bench/size.sh     SMALL, BIG, LABELS (50), PER (3), CONNS (32),
#                     DURATION (5), REPEATS (3), WORKERS (auto), KEEP=1
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRCDIR=$(cd "$HERE/.." && pwd)
BINDIR=${BINDIR:-$SRCDIR/build/src}
SMALL=${SMALL:-200000} BIG=${BIG:-1000000} LABELS=${LABELS:-50} PER=${PER:-3}
CONNS=${CONNS:-32} DURATION=${DURATION:-5} REPEATS=${REPEATS:-3}
WEB=lighttpd
WORKERS=${WORKERS:-auto}
. "$SRCDIR/tests/integration/lib.sh"
. "$HERE/lib.sh" # the LIST_* filters and SCAN_LIMIT of bench/run
. "$SRCDIR/tests/integration/cases.sh" # after it: its token_for is the one wanted here
STATE=$(mktemp -d "${TMPDIR:-/tmp}/customers-size-bench.XXXXXX") || exit 1
trap 'stack_stop; [ "${KEEP:-0}" = 1 ] || rm -rf "$STATE"' EXIT
DB_BUFFER_POOL=${DB_BUFFER_POOL:-1G} mariadb_start --innodb-log-file-size=512M \
	--innodb-flush-log-at-trx-commit=1
mariadb_app_user
app_conf_write
sed -i "s/^scan_limit = .*/scan_limit = $SCAN_LIMIT/" "$(APP_CONF)"
grep -qx "scan_limit = $SCAN_LIMIT" "$(APP_CONF)" || die "cannot set scan_limit in $(APP_CONF)"
app_migrate
app_start
web_start

seed() { # PARTNER N
	admin seed --partner "$1" --count "$2" --labels "$LABELS" --per-customer "$PER" --seed 1 \
		>>"$STATE/seed.log" 2>&1 || die "seed failed; see $STATE/seed.log"
}
t0=$(date +%s)
seed small "$SMALL"
seed big "$BIG"
db_query "ANALYZE TABLE customers, customer_labels" >/dev/null
seeded=$(($(date +%s) - t0))
smallc='' bigc='' TOK_small='' TOK_big=''
client_add smallc small
client_add bigc big
must_token TOK_small "$smallc"
must_token TOK_big "$bigc"
unknown=$(uuid4)

declare -A QS=(
	[list_first]=''
	[list_status]=$LIST_STATUS
	[list_labels]=$LIST_LABELS
	[list_labels3]=$LIST_LABELS3
	[list_labels4]=$LIST_LABELS4
	[list_empty3]=$LIST_EMPTY3
	[list_entity_unknown]="$LIST_ENTITY_UNKNOWN&entityId=$unknown"
	[list_worst]=$LIST_WORST
)
SHAPES='list_first list_status list_labels list_labels3 list_labels4 list_empty3 list_entity_unknown list_worst'

rps() { # PARTNER QUERY
	local tok="TOK_$1"
	wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 10s -H "Authorization: Bearer ${!tok}" \
		"$BASE/roles/customers${2:+?$2}" 2>/dev/null | awk '/^Requests\/sec/ { print $2 }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
items() { # PARTNER QUERY: "items cursor?" of one page
	local tok="TOK_$1"
	curl -s -H "Authorization: Bearer ${!tok}" "$BASE/roles/customers${2:+?$2}" |
		jq -r '"\(.data | length) \(if .pagination.cursor then "yes" else "no" end)"'
}

start=$(date -u +%FT%TZ) load0=$(cut -d' ' -f1 /proc/loadavg)
echo "bench/size.sh on $start: partners of $SMALL and $BIG customers ($PER labels each of $LABELS) in one database, seeded in $seeded s; c=$CONNS, ${DURATION} s per run, median of $REPEATS rounds (the partners interleaved); scan_limit $SCAN_LIMIT; load average at the start $load0."
echo
echo "| shape | query | $SMALL: req/s (page) | $BIG: req/s (page) | $BIG / $SMALL |"
echo "|---|---|---:|---:|---:|"
for s in $SHAPES; do
	q=${QS[$s]}
	rps small "$q" >/dev/null # warm both
	rps big "$q" >/dev/null
	for ((i = 0; i < REPEATS; i++)); do
		rps small "$q" >>"$STATE/$s.small"
		rps big "$q" >>"$STATE/$s.big"
	done
	a=$(median <"$STATE/$s.small") b=$(median <"$STATE/$s.big")
	printf '| %s | `%s` | %s (%s) | %s (%s) | %s |\n' "$s" "${q:-none}" "$a" "$(items small "$q")" \
		"$b" "$(items big "$q")" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')"
done
echo
echo "Load average at the end: $(cut -d' ' -f1 /proc/loadavg)."
