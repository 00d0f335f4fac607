# shellcheck shell=bash
# tests/faults/lib.sh: what the fault and Galera tests add to
# tests/integration/lib.sh (which starts MariaDB, the pool and lighttpd):
# configuration edits, the load generator, a token, and the figures of a
# load run (sent, answered, 503, failed, lost) computed from its log.
#
# The load generator (loadgen.c) writes one line per request:
#   WALL_MS METHOD STATUS LATENCY_MS RETRY_AFTER CUSTOMER_ID
# STATUS 0 is a broken connection and 1 a timeout (no answer in time).

FAULTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$FAULTS_DIR/../integration/lib.sh"

now_ms() { date +%s%3N; }

# Sets KEY = VALUE in [SECTION] of FILE (replaced when present, else added
# right after the section header).
conf_set() { # FILE SECTION KEY VALUE
	awk -v sec="[$2]" -v key="$3" -v val="$4" '
		/^\[/ { insec = ($0 == sec); print; if (insec) { print key " = " val; done = 1 }; next }
		insec { k = $0; sub(/[ \t]*=.*/, "", k); if (k == key) next }
		{ print }
		END { if (!done) { print sec; print key " = " val } }
	' "$1" >"$1.tmp" && mv "$1.tmp" "$1"
}

# Builds tests/faults/loadgen.c into $STATE/loadgen.
loadgen_build() {
	gcc -std=c11 -O2 -pthread -o "$STATE/loadgen" "$FAULTS_DIR/loadgen.c" \
		>"$STATE/loadgen-build.log" 2>&1 || die "loadgen does not build; see $STATE/loadgen-build.log"
}

# A client of partner NAME with both scopes; sets TOKEN.
make_token() { # PARTNER
	local creds
	creds=$(admin client add --partner "$1" 2>>"$STATE/admin.log") ||
		die "customers-admin client add failed; see $STATE/admin.log"
	TOKEN=$(curl -s --max-time 10 -u "$(jq -r '.client_id + ":" + .client_secret' <<<"$creds")" \
		-d grant_type=client_credentials "$BASE/oauth2/token" | jq -r '.access_token // empty')
	[ -n "$TOKEN" ] || die "no access token"
}

# Starts the load generator in the background: LOG gets the request lines,
# LOG.err its summary.  Sets LOAD_PID.  Extra arguments go to loadgen.
load_start() { # LOG [loadgen args...]
	local log=$1
	shift
	"$STATE/loadgen" -p "$LIGHTTPD_PORT" -T "$TOKEN" -t "${LOAD_TIMEOUT_MS:-10000}" \
		-o "$log" "$@" 2>"$log.err" &
	LOAD_PID=$!
}

load_wait() {
	wait "$LOAD_PID"
}

load_stop() {
	kill -TERM "$LOAD_PID" 2>/dev/null
	wait "$LOAD_PID"
}

# Figures of LOG, optionally only for requests started in [FROM, TO) ms:
# "sent ok s503 bad503 failed maxlat s500" where ok is 2xx, s503 a 503 with
# Retry-After, bad503 one without, failed everything else (500, 502, a
# broken connection, a timeout, an unexpected 4xx).
load_figures() { # LOG [FROM_MS TO_MS]
	awk -v from="${2:-0}" -v to="${3:-99999999999999}" '
		$1 < from || $1 >= to { next }
		{ n++; if ($4 > max) max = $4 }
		$3 >= 200 && $3 < 300 { ok++; next }
		$3 == 503 && $5 == 1 { s503++; next }
		$3 == 503 { bad503++; next }
		$3 == 500 { s500++ }
		{ failed++ }
		END { printf "%d %d %d %d %d %d %d\n", n, ok, s503, bad503, failed, max, s500 }
	' "$1"
}

# The lines of LOG that are failures in the sense of load_figures.
load_failures() { # LOG
	awk '!($3 >= 200 && $3 < 300) && !($3 == 503 && $5 == 1)' "$1"
}

# The customer ids that POSTs of LOG got with 200, one per line.
acked_ids() { # LOG...
	awk '$2 == "POST" && $3 == 200 && $6 != "-" { print $6 }' "$@"
}

# Runs the SQL file FILE against the service's database (tab-separated).
db_query_file() { # FILE
	mariadb_root -B -N -D "$DB_NAME" <"$1"
}

# How many acknowledged customers of LOG... are missing in the database
# that DBQUERY_FILE (a function taking an SQL file, default db_query_file)
# reaches.
lost_count() { # LOG...
	local sql=$STATE/acked.sql q=${DBQUERY_FILE:-db_query_file}
	{
		echo "CREATE TEMPORARY TABLE acked (id BINARY(16) PRIMARY KEY);"
		acked_ids "$@" | sort -u | awk '
			{ printf "%s(UNHEX(REPLACE(\"%s\", \"-\", \"\")))", (NR % 500 == 1 ? "INSERT INTO acked VALUES " : ","), $1 }
			NR % 500 == 0 { print ";" }
			END { if (NR % 500) print ";" }'
		echo "SELECT COUNT(*) FROM acked a LEFT JOIN customers c ON c.id = a.id WHERE c.id IS NULL;"
	} >"$sql"
	$q "$sql" # q may carry arguments (a node number)
}

# Customers whose writes are not whole: no 'create' audit record, a
# 'create' record without its customer, a label count that differs from
# the labels_after of the customer's latest audit record, or a label store
# that disagrees with itself (LABELS_MISMATCH_SQL).
half_written_count() {
	"${DBQUERY:-db_query}" "SELECT
		(SELECT COUNT(*) FROM customers c WHERE NOT EXISTS
			(SELECT 1 FROM customer_audit a WHERE a.customer_id = c.id AND a.action = 'create'))
		+ (SELECT COUNT(*) FROM customer_audit a WHERE a.action = 'create' AND NOT EXISTS
			(SELECT 1 FROM customers c WHERE c.id = a.customer_id))
		+ (SELECT COUNT(*) FROM customers c WHERE
			(SELECT COUNT(*) FROM customer_labels l WHERE l.customer_id = c.id) <>
			(SELECT JSON_LENGTH(a.labels_after) FROM customer_audit a
			 WHERE a.customer_id = c.id ORDER BY a.id DESC LIMIT 1))
		+ ($LABELS_MISMATCH_SQL)"
}

# Prints the figure line of a fault: what the harness and a reader compare.
report_fault() { # NAME LOG [FROM TO]
	local f lost
	read -r -a f <<<"$(load_figures "$2" "${3:-0}" "${4:-99999999999999}")"
	lost=$(lost_count "$2")
	printf '# FAULT %-18s sent=%d ok=%d 503=%d failed=%d lost=%s max_latency_ms=%d\n' \
		"$1" "${f[0]}" "${f[1]}" "${f[2]}" "$((f[3] + f[4]))" "$lost" "${f[5]}"
	SUMMARY+=("$(printf '%-18s sent=%-7d ok=%-7d 503=%-5d failed=%-4d lost=%s' "$1" "${f[0]}" \
		"${f[1]}" "${f[2]}" "$((f[3] + f[4]))" "$lost")")
}

# The worker pids of the pool (children of the master).
# The master's children less its background tasks (each logs its start).
worker_pids() {
	local tasks
	tasks=$(cat "$STATE"/*.log 2>/dev/null |
		sed -n 's/.*\[pid \([0-9]*\)\] pool\.c:[0-9]*: task .*: started.*/\1/p')
	pgrep -P "$(cat "$STATE/fcgi.pid")" | grep -vxF "${tasks:-none}" | sort -n
}

rss_kb() { # PID
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# Like scan_logs of the integration lib, but a worker killed by SIGKILL is
# the test's own doing; any other signal (a crash) is still reported.
scan_logs_faults() {
	local f found=0
	for f in "$STATE"/fcgi.log "$STATE"/admin.log; do
		[ -f "$f" ] || continue
		if grep -E -q 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (AddressSanitizer|UndefinedBehaviorSanitizer)' "$f" ||
			grep 'killed by signal' "$f" | grep -v -q 'signal 9$'; then
			found=1
			note "sanitizer report or crash in $f:"
			grep -E -m 20 'AddressSanitizer|LeakSanitizer|runtime error|killed by signal [^9]' "$f" | sed 's/^/#   /'
		fi
	done
	return "$found"
}
