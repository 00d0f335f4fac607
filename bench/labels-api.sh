#!/usr/bin/env bash
# bench/labels-api.sh: the costs of the partner-wide label routes (contract
# §11, issue 14), on a private stack (tests/integration/lib.sh: MariaDB, the
# pool, lighttpd), printed as Markdown rows for bench/RESULTS-labels-api.md.
#   bench/labels-api.sh [--count N] [--small M] [--gets G] [--labels L] [--per-customer K]
#                       [--timeout-case S]
# Seeds partner `big` with N customers (default 100000) carrying K labels
# (default 4) of a pool of L (default 4: each label is on all N), and
# partner `small` with M customers (default 1000) of the same shape, then:
#   - G sequential GET /roles/customer-labels of each partner (median ms);
#   - one bulk assign of 1000 ids at `big` (seconds);
#   - one rename and one delete of a label carried by all N (seconds),
#     with LABELS_MISMATCH_SQL checked after;
#   - GET one and the list (wrk, 8 connections, 3 s) alone (before and
#     after) and while renames of the label back and forth run, one after
#     the other, for the whole window: the throughput ratio;
#   - with --timeout-case S: the pool again with [database] statement_timeout
#     = S, and a rename of a label on all N that a statement of exceeds it:
#     503 in the error envelope, and nothing of it written (the limit that
#     5 s sets at about 500 000-700 000 carriers, docs/design.md).
# Environment: BINDIR (default build/src), KEEP=1 keeps the state directory,
# DB_BUFFER_POOL (1G), WORKERS (the pool's size: auto, the shipped default;
# with 2, one worker busy with the rename halves the readers' capacity).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRCDIR=$(cd "$HERE/.." && pwd)
BINDIR=${BINDIR:-$SRCDIR/build/src}
COUNT=100000 SMALL=1000 GETS=50 LABELS=4 PER=4 TIMEOUT_CASE=''
while [ $# -gt 0 ]; do
	case $1 in
	--count) COUNT=$2; shift 2 ;;
	--small) SMALL=$2; shift 2 ;;
	--gets) GETS=$2; shift 2 ;;
	--labels) LABELS=$2; shift 2 ;;
	--per-customer) PER=$2; shift 2 ;;
	--timeout-case) TIMEOUT_CASE=$2; shift 2 ;;
	*) echo "usage: $0 [--count N] [--small M] [--gets G] [--labels L] [--per-customer K] [--timeout-case S]" >&2; exit 2 ;;
	esac
done
WEB=lighttpd
WORKERS=${WORKERS:-auto}
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/cases.sh"
STATE=$(mktemp -d "${TMPDIR:-/tmp}/customers-labels-bench.XXXXXX") || exit 1
trap 'stack_stop; [ "${KEEP:-0}" = 1 ] || rm -rf "$STATE"' EXIT
# The server of bench/lib.sh (1 GiB buffer pool, 512 MiB redo log), not the tests' small one.
DB_BUFFER_POOL=${DB_BUFFER_POOL:-1G} mariadb_start --innodb-log-file-size=512M \
	--innodb-flush-log-at-trx-commit=1
mariadb_app_user
app_conf_write
app_migrate
app_start
web_start

seed() { # PARTNER N
	admin seed --partner "$1" --count "$2" --labels "$LABELS" --per-customer "$PER" --seed 1 \
		>>"$STATE/seed.log" 2>&1 || die "seed failed; see $STATE/seed.log"
}
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# Median milliseconds of G GETs of the label page with TOKEN.
get_median() { # TOKEN
	local i
	for ((i = 0; i < GETS; i++)); do
		curl -s -o /dev/null -w '%{time_total}\n' -H "$(bearer "$1")" "$BASE/roles/customer-labels"
	done | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", a[int((NR + 1) / 2)] * 1000 }'
}

timed() { # NAME METHOD PATH [BODY]: one request, its status and seconds
	local t0 t1 st
	t0=$(now)
	st=$(curl -s -o "$STATE/last.body" -w '%{http_code}' -X "$2" -H "$(bearer "$BIG")" \
		-H 'Content-Type: application/json' -H "Requestor-ID: $(uuid4)" ${4:+-d "$4"} "$BASE$3")
	t1=$(now)
	printf '| %s | %s | %s s |\n' "$1" "$st" "$(secs "$t0" "$t1")"
}

seed big "$COUNT"
seed small "$SMALL"
bigc='' smallc='' BIG='' SMALL_TOK=''
client_add bigc big
client_add smallc small
must_token BIG "$bigc"
must_token SMALL_TOK "$smallc"
label=$(db_query "SELECT d.name FROM partner_labels d JOIN partners p ON p.id = d.partner_id
	WHERE p.name = 'big' ORDER BY d.name LIMIT 1")
carriers=$(db_query "SELECT COUNT(*) FROM customer_labels l JOIN partner_labels d
	ON d.label_id = l.label_id JOIN partners p ON p.id = d.partner_id WHERE p.name = 'big' AND d.name = '$label'")

echo "| what | status | cost |"
echo "|---|---|---|"
echo "| GET /roles/customer-labels, $COUNT customers, median of $GETS | 200 | $(get_median "$BIG") ms |"
echo "| GET /roles/customer-labels, $SMALL customers, median of $GETS | 200 | $(get_median "$SMALL_TOK") ms |"
ids=$(db_query "SELECT LOWER(INSERT(INSERT(INSERT(INSERT(HEX(c.id), 9, 0, '-'), 14, 0, '-'), 19, 0, '-'), 24, 0, '-'))
	FROM customers c JOIN partners p ON p.id = c.partner_id WHERE p.name = 'big' AND c.status <> 'OFFBOARDED'
	LIMIT 1000" | jq -Rsc 'split("\n")[:-1]')
# Requests per second of wrk on PATH for 3 s.
rps() { # PATH
	wrk -t2 -c8 -d3s -H "$(bearer "$BIG")" "$BASE$1" 2>/dev/null | awk '/^Requests\/sec/ { print $2 }'
}

rename_to() { # FROM TO: one rename, its status and seconds on stdout
	curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -X PATCH -H "$(bearer "$BIG")" \
		-H 'Content-Type: application/json' -H "Requestor-ID: $(uuid4)" -d "{\"name\":\"$2\"}" \
		"$BASE/roles/customer-labels/$1"
}

# Renames the label to "moving" and back, one after the other, until STOP
# exists: the readers' whole window runs during renames.
renames_until() { # STOP
	while [ ! -e "$1" ]; do
		rename_to "$label" moving
		rename_to moving "$label"
	done
}

# CPU ticks (utime + stime, /proc) of this stack's mariadbd, the pool
# (master and workers) and lighttpd, as "name:ticks ...".
ticks_of() { # PID...
	local p
	for p in "$@"; do cat "/proc/$p/stat" 2>/dev/null; done | awk '{ t += $14 + $15 } END { print t + 0 }'
}
cpu_ticks() {
	local db fcgi
	db=$(cat "$STATE/mariadb.pid") fcgi=$(cat "$STATE/fcgi.pid")
	# shellcheck disable=SC2046
	echo "mariadbd:$(ticks_of "$db")" "pool:$(ticks_of "$fcgi" $(pgrep -P "$fcgi"))" "lighttpd:$(ticks_of "$(cat "$STATE/lighttpd.pid")")"
}

# The differences of two cpu_ticks lines, in seconds of CPU.
cpu_spent() { # BEFORE AFTER
	awk -v hz="$(getconf CLK_TCK)" -v a="$1" -v b="$2" 'BEGIN {
		n = split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= n; i++) { split(x[i], p, ":"); split(y[i], q, ":"); printf "%s%s %.2f s", (i > 1 ? ", " : ""), p[1], (q[2] - p[2]) / hz }
	}'
}

# The ratio of PATH's throughput during renames of the label to its own
# alone, the mean of a window before and one after (on a shared machine the
# others' load drifts meanwhile).
during_rename() { # NAME PATH
	local alone after during rpid t0 t1 stop=$STATE/renames.stop
	alone=$(rps "$2")
	rm -f "$stop"
	renames_until "$stop" >"$STATE/renames.log" &
	rpid=$!
	sleep 0.3
	t0=$(cpu_ticks)
	during=$(rps "$2")
	t1=$(cpu_ticks)
	touch "$stop"
	wait "$rpid"
	after=$(rps "$2")
	alone=$(awk -v a="$alone" -v b="$after" 'BEGIN { printf "%.2f", (a + b) / 2 }')
	printf '| %s during renames (%s carriers; %s) | 200 | %s of %s req/s alone (before and after): %s |\n' "$1" \
		"$carriers" "$(awk '{ n[$1]++; if ($2 > m) m = $2 } END { for (s in n) printf "%s x%d, ", s, n[s]; printf "max %.2f s", m }' "$STATE/renames.log")" \
		"$during" "$alone" "$(awk -v a="$alone" -v d="$during" 'BEGIN { printf "%.2fx", d / a }')"
	printf '| ... CPU in its 3 s window during renames | | %s |\n' "$(cpu_spent "$t0" "$t1")"
}

one=$(db_query "SELECT LOWER(INSERT(INSERT(INSERT(INSERT(HEX(c.id), 9, 0, '-'), 14, 0, '-'), 19, 0, '-'), 24, 0, '-'))
	FROM customers c JOIN partners p ON p.id = c.partner_id WHERE p.name = 'big' LIMIT 1")
during_rename "GET one" "/roles/customers/$one"
during_rename "list (limit 20)" "/roles/customers?limit=20"
timed "bulk assign of 1000 ids (new label)" PATCH "/roles/customer-labels/bulk-new/customers" "$ids"
timed "rename of $label ($carriers carriers) to renamed" PATCH "/roles/customer-labels/$label" '{"name":"renamed"}'
timed "delete of renamed ($carriers carriers)" DELETE "/roles/customer-labels/renamed"
echo "| LABELS_MISMATCH_SQL after the writes | | $(db_query "$LABELS_MISMATCH_SQL") |"

[ -n "$TIMEOUT_CASE" ] || exit 0
# What a rename that fails must leave as it was: the partner's customers
# (ids, read copies, versions), label rows, counts, audit rows and events.
big_state() {
	db_query "SET SESSION group_concat_max_len = 1 << 30;
		SELECT MD5(GROUP_CONCAT(HEX(c.id), HEX(c.labels_text), c.version ORDER BY c.id)),
		(SELECT COUNT(*) FROM customer_labels l JOIN customers x ON x.id = l.customer_id WHERE x.partner_id = p.id),
		(SELECT SUM(k.n) FROM partner_label_counts k JOIN partner_labels d ON d.label_id = k.label_id WHERE d.partner_id = p.id),
		(SELECT COUNT(*) FROM customer_audit a WHERE a.partner_id = p.id),
		(SELECT COUNT(*) FROM events e WHERE e.partner_id = p.id)
		FROM partners p JOIN customers c ON c.partner_id = p.id WHERE p.name = 'big' GROUP BY p.id"
}
app_stop
sed -i "/^\[database\]/a statement_timeout = $TIMEOUT_CASE" "$(APP_CONF)"
app_start
wide=$(curl -s -H "$(bearer "$BIG")" "$BASE/roles/customer-labels" | jq -r 'max_by(.customersCount) | .label')
before=$(big_state)
timed "rename of $wide ($carriers carriers), statement_timeout = $TIMEOUT_CASE s" PATCH \
	"/roles/customer-labels/$wide" '{"name":"too-wide"}'
echo "| ... its answer | | $(jq -c '{errorCode}' "$STATE/last.body") |"
echo "| ... customers, label rows, counts, audit rows and events unchanged | | $([ "$(big_state)" = "$before" ] && echo yes || echo NO) |"
echo "| LABELS_MISMATCH_SQL after it | | $(db_query "$LABELS_MISMATCH_SQL") |"
