#!/usr/bin/env bash
# Galera test: a 3-node MariaDB Galera cluster on loopback ports, one
# lighttpd and one customers-fcgi pool whose workers are spread over the
# three nodes ([database] hosts, wsrep_sync_wait = 1), the mixed load of
# tests/faults/loadgen.c, and during it node 2 is stopped cleanly and
# brought back (it rejoins by IST).  Asserts: every node carried workers,
# the load got no 500 and nothing but 2xx/503, no acknowledged write is
# missing on any node, and all nodes converge to the same customer, label
# and audit counts; a reader follows GET /roles/events all along and sees
# every event written through the three nodes exactly once.  TAP on stdout, a "# FAULT" figure line like the fault
# tests.  See tests/galera/README (with the output of the last run).
#   make check-galera                                 from a build dir
#   top_builddir=/tmp/b5 tests/galera/run.sh          by hand
# Switches: KEEP=1, WORKERS=N (6), LOAD_SECONDS=N (30).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${top_srcdir:-$(cd "$HERE/../.." && pwd)}
BINDIR=${top_builddir:-$SRCDIR}/src
TAP_MODE=1
WORKERS=${WORKERS:-6}
LOAD_SECONDS=${LOAD_SECONDS:-30}
LOAD_TIMEOUT_MS=15000
SUMMARY=()
# shellcheck source=tests/faults/lib.sh
. "$HERE/../faults/lib.sh"
# shellcheck source=tests/galera/cluster.sh
. "$HERE/cluster.sh"
# shellcheck source=tests/faults/offboard.sh
. "$HERE/../faults/offboard.sh"

for tool in mariadbd mariadb-install-db mariadb lighttpd curl jq gcc setsid rsync; do
	command -v "$tool" >/dev/null || die "$tool is missing: run scripts/deps"
done
[ -f "$GALERA_PROVIDER" ] || die "$GALERA_PROVIDER is missing: install galera-4"
command -v ss >/dev/null || command -v lsof >/dev/null || die "the rsync SST needs ss (iproute2) or lsof"

STATE=$(mktemp -d "${TMPDIR:-/tmp}/customers-galera.XXXXXX") || die "mktemp failed"

galera_stack_stop() {
	lighttpd_stop
	app_stop
	for i in 2 3; do [ -f "$STATE/fcgi$i.pid" ] && stop_pidfile "$STATE/fcgi$i.pid" 300; done
	galera_stop_all
}
STOP_FN=galera_stack_stop
runner_traps

# The integration lib's root client and db_query go to node 1.
DB_SOCK() { node_sock "${DB_NODE:-1}"; } # DB_NODE: which node db_query asks

# The service connects over TCP, so its account is for 127.0.0.1.
galera_app_user() {
	local pw
	secret_file "$STATE/db-password"
	pw=$(cat "$STATE/db-password")
	galera_sql 1 "CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$pw';
		GRANT ALL ON \`$DB_NAME\`.* TO '$DB_USER'@'127.0.0.1';" ||
		die "cannot create the database user"
}

# SQL on node I against the service's database, wsrep_sync_wait on, so a
# count sees everything the cluster committed.
node_query_file() { # I FILE
	mariadb --no-defaults -S "$(node_sock "$1")" -uroot -B -N -D "$DB_NAME" \
		--init-command='SET SESSION wsrep_sync_wait = 1' <"$2"
}

node_counts() { # I
	galera_sql "$1" "SET SESSION wsrep_sync_wait = 1;
		SELECT (SELECT COUNT(*) FROM $DB_NAME.customers), (SELECT COUNT(*) FROM $DB_NAME.customer_labels),
		       (SELECT COUNT(*) FROM $DB_NAME.customer_audit)" | tr '\t' ' '
}

# Connections of the service per node: "n1=2 n2=2 n3=2".
spread() {
	local i out=()
	for ((i = 1; i <= GALERA_NODES; i++)); do
		out+=("n$i=$(galera_sql "$i" "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '$DB_USER'" 2>/dev/null || echo down)")
	done
	echo "${out[*]}"
}

# Follows GET /roles/events (through whichever worker, so whichever node,
# answers) into OUT, one eventId a line, until a page that started after
# $STATE/feed.stop appeared comes back empty.  Answers other than 200 go
# to OUT.codes (503 while a node is away is fine).
feed_follow() { # OUT
	local cur='' code stop
	while :; do
		stop=0
		[ -e "$STATE/feed.stop" ] && stop=1
		code=$(curl -s --max-time 15 -o "$1.page" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
			"$BASE/roles/events?limit=50${cur:+&cursor=$cur}")
		if [ "$code" != 200 ]; then
			echo "$code" >>"$1.codes"
			sleep 0.2
			continue
		fi
		jq -r '.data[].eventId' "$1.page" >>"$1"
		cur=$(jq -r .pagination.cursor "$1.page")
		if [ "$(jq '.data | length' "$1.page")" = 0 ]; then
			[ "$stop" = 1 ] && break
			sleep 0.1
		fi
	done
}

unsequenced_on() { # I
	galera_sql "$1" "SET SESSION wsrep_sync_wait = 1; SELECT COUNT(*) FROM $DB_NAME.events WHERE seq IS NULL"
}

note "state in $STATE"
t_begin=$(now_ms)
galera_start_all
note "cluster of $GALERA_NODES nodes synced in $((($(now_ms) - t_begin) / 1000)) s: $(galera_hosts)"
is "$(galera_sql 1 "SHOW STATUS LIKE 'wsrep_cluster_size'" | cut -f2)" "$GALERA_NODES" "galera: cluster size $GALERA_NODES"

galera_app_user
app_conf_write
conf_set "$(APP_CONF)" database hosts "$(galera_hosts)"
conf_set "$(APP_CONF)" database wsrep_sync_wait 1
conf_set "$(APP_CONF)" database statement_timeout 5
app_migrate
app_start
lighttpd_start ""
loadgen_build
make_token galera

# Every worker answers /healthz, so every worker connects to its node.
for _ in $(seq $((WORKERS * 4))); do curl -s -o /dev/null --max-time 5 "$BASE/healthz"; done
note "service connections per node before the fault: $(spread)"
ok 'galera: the workers are spread over all nodes' \
	bash -c "! grep -qE '=(0|down)( |\$)' <<<'$(spread)'"

log=$STATE/galera.log
: >"$STATE/feed.ids"
feed_follow "$STATE/feed.ids" &
follower=$!
load_start "$log" -c 6 -d "$LOAD_SECONDS"
sleep $((LOAD_SECONDS / 5))
t_stop=$(now_ms)
galera_node_stop 2
note "node 2 stopped (SIGTERM) after $(($(now_ms) - t_stop)) ms; connections: $(spread)"
sleep $((LOAD_SECONDS / 5))
t_rejoin=$(now_ms)
galera_node_start 2
note "node 2 back and Synced after $(($(now_ms) - t_rejoin)) ms; connections: $(spread)"
ok 'galera: node 2 rejoined by IST (no full SST)' grep -q 'IST received' "$(node_dir 2)/mariadb.log"
load_wait
sed 's/^/# /' "$log.err"

read -r -a f <<<"$(load_figures "$log")"
note "load: sent ${f[0]}, 2xx ${f[1]}, 503 ${f[2]}, failed $((f[3] + f[4])), 500 ${f[6]}, max latency ${f[5]} ms"
is "${f[6]}" 0 'galera: no 500'
is "$((f[3] + f[4]))" 0 'galera: every answer 2xx or 503 with Retry-After (no 404 of a fresh write: wsrep_sync_wait)'
ok 'galera: requests kept succeeding while node 2 was down' \
	[ "$(load_figures "$log" "$((t_stop + 1000))" "$t_rejoin" | cut -d' ' -f2)" -gt 0 ]
for ((i = 1; i <= GALERA_NODES; i++)); do
	DBQUERY_FILE="node_query_file $i"
	is "$(lost_count "$log")" 0 "galera: every POST that got 200 is on node $i"
done
unset DBQUERY_FILE
ok 'galera: every event of the load gets its seq' wait_until 300 eval '[ "$(unsequenced_on 3)" = 0 ]'
touch "$STATE/feed.stop"
wait "$follower"
events=$(galera_sql 3 "SET SESSION wsrep_sync_wait = 1; SELECT COUNT(*) FROM $DB_NAME.events e
	JOIN $DB_NAME.partners p ON p.id = e.partner_id WHERE p.name = 'galera'")
seen=$(grep -c . "$STATE/feed.ids")
note "feed follower: $seen events seen of $events written on 3 nodes; other answers: $(sort "$STATE/feed.ids.codes" 2>/dev/null | uniq -c | xargs)"
is "$(sort "$STATE/feed.ids" | uniq -d | grep -c .)" 0 'galera: the feed follower saw no event twice'
is "$seen" "$events" 'galera: ... and every event written through all 3 nodes (node 2 stopped and back meanwhile)'
is "$(awk '$0 != 503' "$STATE/feed.ids.codes" 2>/dev/null | grep -c .)" 0 'galera: the feed answered only 200 or 503'
is "$(galera_sql 2 "SET SESSION wsrep_sync_wait = 1; SELECT MAX(seq) - MIN(seq) + 1 = COUNT(*) AND COUNT(*) = COUNT(DISTINCT seq) FROM $DB_NAME.events")" 1 \
	'galera: seqs unique and gapless (node 2)'
counts=()
for ((i = 1; i <= GALERA_NODES; i++)); do
	counts+=("$(node_counts "$i")")
done
note "customers labels audits per node: $(printf '[%s] ' "${counts[@]}")"
is "$(printf '%s\n' "${counts[@]}" | sort -u | wc -l)" 1 'galera: all nodes converge to the same customer, label and audit counts'
DBQUERY_FILE="node_query_file 1"
report_fault galera_node_stop "$log"
unset DBQUERY_FILE
note "certification conflicts / deadlocks seen (1213, each retried): $(grep -c '(1213)' "$STATE/fcgi.log")"

# Races across nodes: the losers fail certification at COMMIT (1213) and
# are retried, where they meet the winner's row.
burst() { # N curl-args...
	local n=$1
	shift
	seq "$n" | xargs -P "$n" -I{} curl -s -o /dev/null -w '%{http_code}\n' --max-time 30 \
		-H "Authorization: Bearer $TOKEN" "$@"
}
entity=$(cat /proc/sys/kernel/random/uuid)
statuses=$(burst 50 -H 'Content-Type: application/json' \
	-d "{\"entityId\":\"$entity\",\"entityType\":\"JOINT_PERSON\"}" "$BASE/roles/customers" |
	sort | uniq -c | awk '{print $2 "x" $1}' | xargs)
is "$statuses" "200x1 409x49" 'galera: 50 concurrent creates for one entity over 3 nodes: one 200, 49 409'
id=$(curl -s --max-time 10 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	-d "{\"entityId\":\"$(cat /proc/sys/kernel/random/uuid)\",\"entityType\":\"NATURAL_PERSON\"}" \
	"$BASE/roles/customers" | jq -r .customerId)
statuses=$(burst 30 -X PATCH -H 'Content-Type: application/json' \
	-H "Requestor-ID: $(cat /proc/sys/kernel/random/uuid)" -d '{"labels":["a-{}","b-{}"]}' \
	"$BASE/roles/customers/$id")
n202=$(grep -c '^202$' <<<"$statuses")
note "30 concurrent PATCHes of one customer over 3 nodes: $(sort <<<"$statuses" | uniq -c | awk '{print $2 "x" $1}' | xargs)"
is "$(grep -vcE '^(202|503)$' <<<"$statuses")" 0 'galera: concurrent PATCHes over 3 nodes: only 202 (or 503), no 500'
final=$(curl -s --max-time 10 -H "Authorization: Bearer $TOKEN" "$BASE/roles/customers/$id" | jq -c .labels)
like "$final" '^\["a-([0-9]+)","b-\1"\]$' "galera: the final label set $final is one submitted set (no mix)"
is "$(galera_sql 3 "SET SESSION wsrep_sync_wait = 1; SELECT COUNT(*) FROM $DB_NAME.customer_audit WHERE customer_id = UNHEX(REPLACE('$id', '-', '')) AND action = 'labels'")" \
	"$n202" 'galera: one audit record per 202 (read on node 3)'
is "$(galera_sql 2 "SET SESSION wsrep_sync_wait = 1; USE $DB_NAME; $LABELS_MISMATCH_SQL")" 0 \
	'galera: label rows, read copies and exact label counts agree after writes on 3 nodes (node 2)'
note "certification conflicts / deadlocks seen in all (1213, each retried): $(grep -c '(1213)' "$STATE/fcgi.log")"

# A write transaction has no START TRANSACTION for wsrep_sync_wait = 1 to
# catch, so its first statement must wait for the cluster instead (a PATCH
# of a customer created through another node would otherwise be 404 now
# and then).  Galera counts each wait in wsrep_causal_reads; only writes
# are sent here, one after the other.
causal_reads() {
	local i sum=0 n
	for ((i = 1; i <= GALERA_NODES; i++)); do
		n=$(galera_sql "$i" "SHOW GLOBAL STATUS LIKE 'wsrep_causal_reads'" | cut -f2)
		sum=$((sum + n))
	done
	echo "$sum"
}
before=$(causal_reads)
for i in $(seq 10); do
	curl -s -o /dev/null --max-time 10 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		-d "{\"entityId\":\"$(cat /proc/sys/kernel/random/uuid)\",\"entityType\":\"NATURAL_PERSON\"}" \
		"$BASE/roles/customers"
	curl -s -o /dev/null --max-time 10 -X PATCH -H "Authorization: Bearer $TOKEN" \
		-H 'Content-Type: application/json' -d "{\"labels\":[\"w-$i\"]}" "$BASE/roles/customers/$id"
done
waits=$(($(causal_reads) - before))
note "cluster waits (wsrep_causal_reads) for 10 POSTs and 10 PATCHes: $waits"
ok 'galera: every POST and PATCH waits for the cluster before its first statement' [ "$waits" -ge 20 ]
# Part II's checks on the cluster (galera-<feature>.sh): each defines galera_<feature>.
# (The loop variable is its own: a sourced file may loop over an f of its own.)
for galera_part in "$HERE"/galera-*.sh; do
	[ -e "$galera_part" ] || continue
	galera_fn="galera_$(basename "$galera_part" .sh | sed 's/^galera-//; s/-/_/g')"
	# shellcheck source=/dev/null
	. "$galera_part" && "$galera_fn"
done
# Offboardings (contract §12): an executor on each node (the first pool's
# on node 1, one more pool on node 2 and one on node 3), 1000 due at once.
# SKIP LOCKED and row locks are node-local, so two nodes may execute the
# same offboarding; certification lets one commit and the other gets 1213
# at COMMIT, retries, and finds it APPROVED.
galera_pool_on() { # I
	local conf=$STATE/customers$1.conf
	sed -e "s|^listen = .*|listen = $STATE/fcgi$1.sock|" -e 's/^workers = .*/workers = 1/' \
		"$(APP_CONF)" >"$conf"
	conf_set "$conf" database hosts "127.0.0.1:$(node_sql_port "$1")"
	spawn "$STATE/fcgi$1.pid" "$STATE/fcgi$1.log" "$BINDIR/customers-fcgi" -c "$conf"
	wait_until 100 executor_up "$STATE/fcgi$1.log" || die "no executor on node $1"
}
galera_pool_on 2
galera_pool_on 3
t_offb=$(now_ms)
offboard_seed_sql offb-galera | mariadb_root -D "$DB_NAME" || die "offboard: cannot seed"
# A node lost mid-way: node 3 (its pool's executor uses only node 3) is
# killed -9 once the executors are at work, and comes back by SST.
wait_until 600 offboard_left_below offb-galera "$OFFB_N" || die "offboard: no executor started"
kill -KILL "$(cat "$(node_dir 3)/mariadb.pid")"
note "offboard: node 3 killed -9 (CREATED left: $(offboard_figures offb-galera | cut -d' ' -f1))"
ok 'galera: 1000 due offboardings executed by the executors of 3 nodes, node 3 lost (60 s)' \
	wait_until 600 offboard_none_left offb-galera
galera_node_start 3
ok 'galera: node 3 rejoined after its kill -9' galera_wait_synced 3
DB_NODE=3 offboard_check offb-galera 'galera offboard, node 3 after its rejoin'
note "offboardings: done in $(($(now_ms) - t_offb)) ms; executed per node (logged): n1=$(grep -o '[0-9]* offboardings executed' "$STATE/fcgi.log" | awk '{s += $1} END {print s + 0}') n2=$(grep -o '[0-9]* offboardings executed' "$STATE/fcgi2.log" | awk '{s += $1} END {print s + 0}') n3=$(grep -o '[0-9]* offboardings executed' "$STATE/fcgi3.log" | awk '{s += $1} END {print s + 0}'); 1213 in their logs: $(cat "$STATE"/fcgi[23].log "$STATE/fcgi.log" | grep -c '(1213)')"
offboard_check offb-galera 'galera offboard'
for i in 2 3; do stop_pidfile "$STATE/fcgi$i.pid" 300; done
ok 'galera: no sanitizer report or crash in the logs' scan_logs_faults
note "total $((($(now_ms) - t_begin) / 1000)) s"
tap_plan
[ "$TAP_FAILED" = 0 ]
