# shellcheck shell=bash
# tests/galera/galera-webhooks.sh: webhook delivery on the cluster
# (contract §13), sourced by run.sh after its own checks.  Two more pools,
# each with its first database server on another node, so three
# deliverers on three nodes share one queue: their claims meet only in
# Galera certification.  Every event must arrive exactly once, verified
# by the standardwebhooks library, each customer's in commit order.  A
# second round loses node 3 (kill -9) mid-way: nothing lost, a repeat only
# with the same webhook-id and body.

# shellcheck source=tests/faults/faults-webhooks.sh
. "$HERE/../faults/faults-webhooks.sh"

# The cluster's servers with node I first.
hosts_from() { # I
	local i j h=()
	for ((i = 0; i < GALERA_NODES; i++)); do
		j=$((($1 - 1 + i) % GALERA_NODES + 1))
		h+=("127.0.0.1:$(node_sql_port "$j")")
	done
	local IFS=,
	echo "${h[*]}"
}

# One round: a subscription of its own partner, a writer for 10 s; with
# KILL_NODE that node's mariadbd is killed -9 after 3 s and started again
# (SST) once the writer stops.  Returns when every event has arrived.
wh_galera_round() { # PARTNER NAME [KILL_NODE]
	local stop=$STATE/$1.stop wpid
	wh_client WHG "$1" 'customers:write webhooks:manage'
	wh_create "$WHG_TOK" "$(wh_url "$2")" '["CUSTOMER_NOTIFICATION","LABELS_UPDATE_NOTIFICATION"]'
	wh_endpoint "$2" "[\"$WH_SECRET\"]" '[200]'
	rm -f "$stop"
	wh_writer "$WHG_TOK" "$stop" &
	wpid=$!
	if [ -n "${3:-}" ]; then
		sleep 3
		kill -KILL "$(cat "$(node_dir "$3")/mariadb.pid")"
		note "webhooks: node $3 killed -9 while the writer writes; connections: $(spread)"
		sleep 7
	else
		sleep 10
	fi
	touch "$stop"
	wait "$wpid"
	[ -z "${3:-}" ] || galera_node_start "$3"
	wait_until 1200 wh_all_arrived "$1" "$2"
	note "webhooks: $(wh_events_of "$1" | wc -l) events, $(wh_received "$2" | jq length) deliveries, $(for f in "$STATE"/fcgi*.log; do grep -c '(1213)' "$f"; done | paste -sd' ') certification conflicts per pool log"
}

galera_webhooks() {
	local i
	note "webhooks: three pools whose deliverers use nodes 1, 2 and 3; a writer for 10 s"
	wh_receiver_start
	for i in 2 3; do
		wh_pool_start "$i" "$(hosts_from "$i")"
	done
	note "webhooks: service connections per node: $(spread)"
	wh_galera_round wh-galera g1
	is "$(wh_received g1 | jq length)" "$(wh_events_of wh-galera | wc -l)" \
		'galera webhooks: three deliverers on three nodes, every event delivered exactly once'
	wh_delivery_checks wh-galera g1 'galera webhooks'
	wh_galera_round wh-galera-lost g2 3
	wh_delivery_checks wh-galera-lost g2 'galera webhooks, node 3 lost and back'
	stop_pidfile "$STATE/fcgi2.pid" 300
	stop_pidfile "$STATE/fcgi3.pid" 300
}
