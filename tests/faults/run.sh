#!/usr/bin/env bash
# Fault tests against the real stack (MariaDB, the customers-fcgi pool,
# lighttpd), each under a steady load of mixed valid requests from
# loadgen.c.  TAP on stdout; every fault prints one "# FAULT" line with
# the requests sent, answered 2xx, answered 503 (with Retry-After), failed
# and lost, and a table of all of them closes the run.
#   make check-faults                                 from a build dir
#   top_builddir=/tmp/b5 tests/faults/run.sh          by hand
# Switches: FAULTS="db_kill lock ..." (a subset, in that order), KEEP=1
# (keep the state directory), WORKERS=N (8), MEM_REQUESTS=N (200000).
# Faults: db_kill lock conn_kill worker_kill backoff races sequencer_kill offboard memory,
# and those of faults-*.sh (webhooks webhooks_pools).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${top_srcdir:-$(cd "$HERE/../.." && pwd)}
BINDIR=${top_builddir:-$SRCDIR}/src
TAP_MODE=1
WORKERS=${WORKERS:-8}
STATEMENT_TIMEOUT=3
CONNECT_TIMEOUT=2
# A request may take the connect timeout plus the statement timeout (and the
# client read timeout is one second longer): anything past that is a hang.
HANG_MS=$(((CONNECT_TIMEOUT + STATEMENT_TIMEOUT + 2) * 1000))
LOAD_TIMEOUT_MS=$((HANG_MS + 5000))
MEM_REQUESTS=${MEM_REQUESTS:-200000}
SUMMARY=()
# shellcheck source=tests/faults/lib.sh
. "$HERE/lib.sh"
# Part II's faults live in files of their own (faults-<feature>.sh), each
# defining fault_<name> functions and adding the names to FAULTS_<FEATURE>.
for faults_part in "$HERE"/faults-*.sh; do
	# shellcheck source=/dev/null
	[ -e "$faults_part" ] && . "$faults_part"
done
# shellcheck source=tests/faults/offboard.sh
. "$HERE/offboard.sh"

for tool in mariadbd mariadb-install-db mariadb lighttpd curl jq gcc setsid pgrep; do
	command -v "$tool" >/dev/null || die "$tool is missing: run scripts/deps"
done

STATE=$(mktemp -d "${TMPDIR:-/tmp}/customers-faults.XXXXXX") || die "mktemp failed"
# mariadbd's own temporary tables go here, not to a /tmp shared with other
# servers: a #sql-temptable file removed behind its back crashed 10.11.19.
mkdir -p "$STATE/tmp" && export TMPDIR=$STATE/tmp

runner_traps

# ---- the stack ---------------------------------------------------------------

start_stack() {
	mariadb_start
	mariadb_app_user
	app_conf_write
	conf_set "$(APP_CONF)" database statement_timeout "$STATEMENT_TIMEOUT"
	conf_set "$(APP_CONF)" database connect_timeout "$CONNECT_TIMEOUT"
	app_migrate
	app_start
	lighttpd_start ""
	loadgen_build
	make_token faults
}

# ---- 1. kill -9 of mariadbd, then restart -------------------------------------

fault_db_kill() {
	local log=$STATE/db_kill.log t_kill t_up last_bad f
	note "db_kill: load 8 threads; kill -9 mariadbd after 3 s, restart after 4 s down"
	load_start "$log" -c 8 -d 16
	sleep 3
	t_kill=$(now_ms)
	kill -KILL "$(cat "$STATE/mariadbd.pid")"
	wait_until 50 pid_gone "$(cat "$STATE/mariadb.pid")"
	sleep 4
	mariadb_start
	t_up=$(now_ms)
	note "db_kill: down $((t_up - t_kill)) ms (until mariadb-admin ping answered)"
	load_wait
	read -r -a f <<<"$(load_figures "$log" "$t_kill" "$t_up")"
	note "db_kill: while down: sent ${f[0]}, 2xx ${f[1]}, 503+Retry-After ${f[2]}, 503 without ${f[3]}, other ${f[4]}, max latency ${f[5]} ms"
	is "$((f[3] + f[4]))" 0 'db_kill: while down every answer is 2xx or 503 with Retry-After'
	ok 'db_kill: while down some requests were answered 503' [ "${f[2]}" -gt 0 ]
	ok "db_kill: no request took longer than $HANG_MS ms" [ "$(load_figures "$log" | cut -d' ' -f6)" -le "$HANG_MS" ]
	last_bad=$(awk -v up="$t_up" '$1 >= up && !($3 >= 200 && $3 < 300) { t = $1 + $4 } END { print t + 0 }' "$log")
	note "db_kill: last non-2xx answer after the restart ended $((last_bad > t_up ? last_bad - t_up : 0)) ms after the database answered"
	ok 'db_kill: within 2 s of the database answering, requests succeed' [ "$last_bad" -le $((t_up + 2000)) ]
	ok 'db_kill: requests succeed after the restart' [ "$(load_figures "$log" "$((t_up + 2000))" | cut -d' ' -f2)" -gt 0 ]
	is "$(load_figures "$log" | cut -d' ' -f7)" 0 'db_kill: no 500'
	is "$(lost_count "$log")" 0 'db_kill: every POST that got 200 is in the database'
	is "$(half_written_count)" 0 'db_kill: nothing half-written (audit and labels agree with every customer)'
	report_fault db_kill "$log"
}

# ---- 2. a long lock on one customer row ----------------------------------------

fault_lock() {
	local log=$STATE/lock.log id hexid t0 t1 status lock_pid f
	id=$(curl -s --max-time 10 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		-d "{\"entityId\":\"$(cat /proc/sys/kernel/random/uuid)\",\"entityType\":\"LEGAL_ENTITY\"}" \
		"$BASE/roles/customers" | jq -r '.customerId // empty')
	[ -n "$id" ] || die "lock: cannot create the customer to lock"
	hexid=${id//-/}
	note "lock: customer $id locked for 12 s by another session (SELECT ... FOR UPDATE)"
	mariadb_root -D "$DB_NAME" -e "START TRANSACTION;
		SELECT id FROM customers WHERE id = UNHEX('$hexid') FOR UPDATE;
		DO SLEEP(12); ROLLBACK;" >/dev/null 2>&1 &
	lock_pid=$!
	sleep 0.5
	load_start "$log" -c 6 -d 9
	sleep 1
	t0=$(now_ms)
	status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -X PATCH \
		-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		-H "Requestor-ID: $(cat /proc/sys/kernel/random/uuid)" -d '{"labels":["locked"]}' \
		"$BASE/roles/customers/$id")
	t1=$(now_ms)
	note "lock: PATCH of the locked customer: $status after $((t1 - t0)) ms (statement_timeout = ${STATEMENT_TIMEOUT} s)"
	like "$status" '^(503|202)$' 'lock: PATCH of the locked customer is 503 (or 202)'
	ok "lock: it ends within the statement timeout (+1 s)" [ $((t1 - t0)) -le $(((STATEMENT_TIMEOUT + 1) * 1000)) ]
	status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $TOKEN" \
		"$BASE/roles/customers/$id")
	is "$status" 200 'lock: GET of the locked customer is not blocked (200)'
	load_wait
	read -r -a f <<<"$(load_figures "$log")"
	is "$((f[2] + f[3] + f[4]))" 0 "lock: other customers unaffected: all ${f[0]} requests of the load 2xx"
	ok "lock: no load request waited past the statement timeout (max ${f[5]} ms)" [ "${f[5]}" -lt $((STATEMENT_TIMEOUT * 1000)) ]
	wait "$lock_pid"
	is "$(lost_count "$log")" 0 'lock: every POST that got 200 is in the database'
	report_fault lock "$log"
}

# ---- 3. KILL CONNECTION from the server side -----------------------------------

kill_app_connections() {
	local ids n=0 id
	ids=$(mariadb_root -B -N -e "SELECT id FROM information_schema.PROCESSLIST WHERE USER = '$DB_USER'")
	for id in $ids; do
		mariadb_root -e "KILL CONNECTION $id" 2>/dev/null && n=$((n + 1))
	done
	echo "$n"
}

fault_conn_kill() {
	local log=$STATE/conn_kill.log killed=0 n f t_last
	note "conn_kill: load 8 threads; every connection of the service killed at 3 s and 6 s"
	# The load runs until 2 s after the last kill, however long the kills
	# take on a busy machine, so there are always requests after them.
	load_start "$log" -c 8 -d 60
	sleep 3
	n=$(kill_app_connections)
	killed=$((killed + n))
	sleep 3
	n=$(kill_app_connections)
	killed=$((killed + n))
	t_last=$(now_ms)
	sleep 2
	load_stop
	read -r -a f <<<"$(load_figures "$log")"
	note "conn_kill: $killed connections killed; load: sent ${f[0]}, 2xx ${f[1]}, 503 ${f[2]}, other ${f[3]}+${f[4]}"
	ok 'conn_kill: connections were killed' [ "$killed" -ge "$WORKERS" ]
	is "$(load_figures "$log" | cut -d' ' -f7)" 0 'conn_kill: no 500'
	is "$((f[3] + f[4]))" 0 'conn_kill: nothing but 2xx and 503'
	ok "conn_kill: at most one 503 per killed connection (${f[2]} for $killed)" [ "${f[2]}" -le "$killed" ]
	ok 'conn_kill: the workers reconnected (requests after the kills succeed)' \
		[ "$(load_figures "$log" "$((t_last + 1000))" | cut -d' ' -f2)" -gt 0 ]
	is "$(lost_count "$log")" 0 'conn_kill: every POST that got 200 is in the database'
	report_fault conn_kill "$log"
}

# ---- 4. kill -9 of a worker under load ----------------------------------------

fault_worker_kill() {
	local log=$STATE/worker_kill.log victim kills=0 f before after
	note "worker_kill: load 8 threads; kill -9 of one worker at 2, 4 and 6 s"
	before=$(worker_pids | wc -l)
	load_start "$log" -c 8 -d 9
	for _ in 1 2 3; do
		sleep 2
		victim=$(worker_pids | shuf -n1)
		kill -KILL "$victim" && kills=$((kills + 1))
	done
	load_wait
	after=$(worker_pids | wc -l)
	read -r -a f <<<"$(load_figures "$log")"
	note "worker_kill: $kills workers killed; load: sent ${f[0]}, 2xx ${f[1]}, 503 ${f[2]}, failed $((f[3] + f[4]))"
	is "$after" "$before" 'worker_kill: the master replaced every killed worker'
	ok "worker_kill: only requests in flight on a killed worker failed ($((f[2] + f[3] + f[4])) <= $kills)" \
		[ $((f[2] + f[3] + f[4])) -le "$kills" ]
	is "$(grep -c 'killed by signal 9' "$STATE/fcgi.log")" "$kills" 'worker_kill: the pool logged each kill'
	is "$(lost_count "$log")" 0 'worker_kill: every POST that got 200 is in the database'
	report_fault worker_kill "$log"
}

# Kills the slot's new worker as soon as it appears, N times; prints the
# gaps (ms) between each kill and the next worker of that slot.
crash_loop() { # N
	local known cur new t_kill gaps=() i
	known=$(worker_pids)
	new=$(head -n1 <<<"$known")
	for ((i = 0; i < $1; i++)); do
		kill -KILL "$new"
		t_kill=$(now_ms)
		known=$(grep -vx "$new" <<<"$known")
		new=
		while [ -z "$new" ] && [ $(($(now_ms) - t_kill)) -lt 10000 ]; do
			sleep 0.01
			cur=$(worker_pids)
			new=$(comm -13 <(sort <<<"$known") <(sort <<<"$cur") | head -n1)
		done
		[ -n "$new" ] || break
		gaps+=($(($(now_ms) - t_kill)))
		known=$cur
	done
	echo "${gaps[*]}"
}

fault_backoff() {
	local gaps g want=100 grows=1
	note "backoff: one slot's worker killed again as soon as it is back, 6 times"
	read -r -a gaps <<<"$(crash_loop 6)"
	note "backoff: restart gaps after each kill (ms): ${gaps[*]}"
	is "${#gaps[@]}" 6 'backoff: the slot was restarted after every crash'
	# The first victim was old (restarted at once); each young death doubles the
	# wait: 100, 200, 400 ... ms. A gap is that wait plus the time this script
	# takes to see the new worker (polling, a loaded CI machine), so only the
	# lower bound is firm (less the few ms this script needs to read the clock
	# after its kill); a ratio of two measured gaps is not (187 -> 272 ms
	# was once seen for a correct 100 -> 200 ms doubling).
	for g in "${gaps[@]:1}"; do
		[ "$g" -ge $((want * 9 / 10)) ] || grows=0
		want=$((want * 2))
	done
	ok 'backoff: each repeated crash waits at least twice as long (100, 200, 400 ... ms)' [ "$grows" = 1 ]
	ok 'backoff: the fifth young crash waits at least 1.2 s (100 ms doubling)' [ "${gaps[5]:-0}" -ge 1200 ]
	wait_until 50 test "$(worker_pids | wc -l)" = "$WORKERS"
	is "$(worker_pids | wc -l)" "$WORKERS" 'backoff: the pool is complete again'
	SUMMARY+=("$(printf '%-18s restart gaps (ms): %s' backoff "${gaps[*]}")")
}

# ---- 5. races --------------------------------------------------------------------

# Sends N copies of a request at once; prints the statuses, one per line.
burst() { # N curl-args...
	local n=$1
	shift
	seq "$n" | xargs -P "$n" -I{} curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 \
		-H "Authorization: Bearer $TOKEN" "$@"
}

fault_races() {
	local entity statuses id etag i final audits n202 found=0
	entity=$(cat /proc/sys/kernel/random/uuid)
	statuses=$(burst 50 -H 'Content-Type: application/json' \
		-d "{\"entityId\":\"$entity\",\"entityType\":\"JOINT_PERSON\"}" "$BASE/roles/customers" | sort | uniq -c | awk '{print $2 "x" $1}' | xargs)
	is "$statuses" "200x1 409x49" 'races: 50 concurrent creates for one entity: exactly one 200, 49 409'
	is "$(db_query "SELECT COUNT(*) FROM customers WHERE entity_id = UNHEX(REPLACE('$entity', '-', ''))")" 1 \
		'races: one customer for the entity'

	id=$(curl -s --max-time 10 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		-d "{\"entityId\":\"$(cat /proc/sys/kernel/random/uuid)\",\"entityType\":\"NATURAL_PERSON\"}" \
		"$BASE/roles/customers" | jq -r .customerId)
	etag=$(curl -s -D - -o /dev/null --max-time 10 -H "Authorization: Bearer $TOKEN" "$BASE/roles/customers/$id" |
		awk -F': ' 'tolower($1) == "etag" { print $2 }' | tr -d '\r')
	statuses=$(seq 30 | xargs -P 30 -I{} curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 -X PATCH \
		-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -H "If-Match: $etag" \
		-H "Requestor-ID: $(cat /proc/sys/kernel/random/uuid)" -d '{"labels":["set-{}"]}' \
		"$BASE/roles/customers/$id" | sort | uniq -c | awk '{print $2 "x" $1}' | xargs)
	is "$statuses" "202x1 412x29" "races: 30 concurrent PATCHes with If-Match $etag: exactly one 202, 29 412"

	statuses=$(seq 30 | xargs -P 30 -I{} curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 -X PATCH \
		-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		-H "Requestor-ID: $(cat /proc/sys/kernel/random/uuid)" -d '{"labels":["a-{}","b-{}","c-{}"]}' \
		"$BASE/roles/customers/$id")
	n202=$(grep -c '^202$' <<<"$statuses")
	is "$n202" 30 'races: 30 concurrent PATCHes without If-Match: all 202'
	final=$(curl -s --max-time 10 -H "Authorization: Bearer $TOKEN" "$BASE/roles/customers/$id" | jq -c .labels)
	for i in $(seq 30); do
		[ "$final" = "[\"a-$i\",\"b-$i\",\"c-$i\"]" ] && found=1
	done
	ok "races: the final label set $final is one of the submitted sets (no mix)" [ "$found" = 1 ]
	audits=$(db_query "SELECT COUNT(*) FROM customer_audit WHERE customer_id = UNHEX(REPLACE('$id', '-', '')) AND action = 'labels'")
	is "$audits" "$((n202 + 1))" 'races: one audit record per 202 (30 + the If-Match winner)'
	SUMMARY+=("$(printf '%-18s creates 200x1 409x49, If-Match 202x1 412x29, plain PATCH 202x%d audits=%d' races "$n202" "$audits")")
}

# ---- 6. kill -9 of the event sequencer under load ------------------------------

# The pid of the sequencer that took the lease last (its log line says so).
sequencer_pid() {
	grep 'event sequencer .*: lease taken' "$STATE/fcgi.log" | tail -n1 | sed 's/.*\[pid \([0-9]*\)\].*/\1/'
}

unsequenced() { db_query "SELECT COUNT(*) FROM events WHERE seq IS NULL"; }

# Kills the sequencer holding the lease, then waits (up to 10 s) for a new one.
kill_sequencer() {
	local victim
	victim=$(sequencer_pid)
	[ -n "$victim" ] && kill -KILL "$victim" || return 1
	wait_until 100 eval '[ "$(sequencer_pid)" != "'"$victim"'" ]'
}

fault_sequencer_kill() {
	local log=$STATE/sequencer_kill.log kills=0 f
	note "sequencer_kill: load 8 threads; kill -9 of the event sequencer at 2 s and once its successor holds the lease"
	wait_until 50 eval '[ -n "$(sequencer_pid)" ]'
	load_start "$log" -c 8 -d 10
	sleep 2
	kill_sequencer && kills=$((kills + 1))
	kill_sequencer && kills=$((kills + 1))
	load_wait
	read -r -a f <<<"$(load_figures "$log")"
	note "sequencer_kill: $kills kills; load: sent ${f[0]}, 2xx ${f[1]}, 503 ${f[2]}, failed $((f[3] + f[4]))"
	is "$kills" 2 'sequencer_kill: killed twice, and each time another sequencer took the lease'
	ok 'sequencer_kill: every event gets its seq after the kills' wait_until 150 eval '[ "$(unsequenced)" = 0 ]'
	is "$(db_query "SELECT CONCAT(COUNT(*) = COUNT(DISTINCT seq), ' ', MAX(seq) - MIN(seq) + 1 = COUNT(*)) FROM events")" \
		"1 1" 'sequencer_kill: seqs unique and gapless'
	is "$(db_query "SELECT COUNT(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM events e
		WHERE e.customer_id = c.id AND e.event_type = 'CUSTOMER_NOTIFICATION'
		AND JSON_VALUE(e.data, '$.notificationType') = 'CREATED')")" 0 \
		'sequencer_kill: every customer created has its CREATED event (0 lost)'
	is "$(db_query "SELECT COUNT(*) FROM (SELECT customer_id FROM events
		WHERE JSON_VALUE(data, '$.notificationType') = 'CREATED' GROUP BY customer_id HAVING COUNT(*) > 1) d")" 0 \
		'sequencer_kill: and only one'
	is "$(lost_count "$log")" 0 'sequencer_kill: every POST that got 200 is in the database'
	report_fault sequencer_kill "$log"
}

# ---- 7. memory: RSS of each worker over MEM_REQUESTS requests -----------------------

fault_memory() {
	local log=$STATE/memory.log pids p before=() after=() grew=0 line=() changed=0 f max_growth=0 d
	note "memory: warm-up of 20000 requests, then $MEM_REQUESTS more (8 threads, mostly reads)"
	# Durability is not what this measures: no fsync per commit, so it fits in time.
	mariadb_root -e 'SET GLOBAL innodb_flush_log_at_trx_commit = 2'
	load_start "$STATE/warmup.log" -c 8 -d 0 -n 20000 -m 5:75:15:5 -q
	load_wait
	read -r -a pids <<<"$(worker_pids | xargs)"
	for p in "${pids[@]}"; do before+=("$(rss_kb "$p")"); done
	load_start "$log" -c 8 -d 0 -n "$MEM_REQUESTS" -m 5:75:15:5 -q
	load_wait
	for p in "${pids[@]}"; do
		if kill -0 "$p" 2>/dev/null; then after+=("$(rss_kb "$p")"); else changed=1 && after+=(0); fi
	done
	for i in "${!pids[@]}"; do
		d=$((after[i] - before[i]))
		line+=("${before[i]}->${after[i]}")
		[ "$d" -gt "$max_growth" ] && max_growth=$d
		[ "$d" -gt 1024 ] && grew=1
	done
	note "memory: worker RSS (KiB) after warm-up -> after $MEM_REQUESTS requests: ${line[*]}"
	read -r -a f <<<"$(load_figures "$log")"
	is "$changed" 0 'memory: no worker died or was replaced'
	is "${f[0]}" "$MEM_REQUESTS" "memory: $MEM_REQUESTS requests sent"
	is "$((f[2] + f[3] + f[4]))" 0 'memory: all of them 2xx'
	ok "memory: RSS of each worker flat (grew at most $max_growth KiB, limit 1024)" [ "$grew" = 0 ]
	mariadb_root -e 'SET GLOBAL innodb_flush_log_at_trx_commit = 1'
	report_fault memory "$log"
	SUMMARY+=("$(printf '%-18s RSS KiB %s (max growth %d)' memory "${line[*]}" "$max_growth")")
}

# ---- run --------------------------------------------------------------------------

note "state in $STATE"
start_stack
note "lighttpd on $BASE, $WORKERS workers, statement_timeout $STATEMENT_TIMEOUT s, connect_timeout $CONNECT_TIMEOUT s"
for fault in ${FAULTS:-db_kill lock conn_kill worker_kill backoff races sequencer_kill offboard memory ${FAULTS_WEBHOOKS:-}}; do
	started=$(now_ms)
	"fault_$fault"
	note "$fault: $((($(now_ms) - started) / 1000)) s"
done
ok 'no sanitizer report in the logs' scan_logs_faults
note "---- summary (failed = neither 2xx nor 503 with Retry-After; lost = POST 200 not in the database)"
for s in "${SUMMARY[@]}"; do note "$s"; done
tap_plan
[ "$TAP_FAILED" = 0 ]
