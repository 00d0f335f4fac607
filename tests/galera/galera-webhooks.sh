# shellcheck shell=bash
# tests/galera/galera-webhooks.sh: webhook delivery on the cluster
# (contract §13), sourced by run.sh after its own checks.  Two more pools,
# each with its first database server on another node, so three
# deliverers on three nodes share one queue: their claims meet only in
# Galera certification.  Every event must arrive exactly once, verified
# by the standardwebhooks library, each customer's in commit order.

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

galera_webhooks() {
	local stop=$STATE/wh-galera.stop wpid n got i
	note "webhooks: three pools whose deliverers use nodes 1, 2 and 3; a writer for 10 s"
	wh_receiver_start
	for i in 2 3; do
		wh_pool_start "$i" "$(hosts_from "$i")"
	done
	note "webhooks: service connections per node: $(spread)"
	wh_client WHG wh-galera 'customers:write webhooks:manage'
	wh_create "$WHG_TOK" "$(wh_url g1)" '["CUSTOMER_NOTIFICATION","LABELS_UPDATE_NOTIFICATION"]'
	wh_endpoint g1 "[\"$WH_SECRET\"]" '[200]'
	rm -f "$stop"
	wh_writer "$WHG_TOK" "$stop" &
	wpid=$!
	sleep 10
	touch "$stop"
	wait "$wpid"
	wait_until 1200 wh_all_arrived wh-galera g1
	n=$(wh_events_of wh-galera | wc -l)
	got=$(wh_received g1 | jq length)
	note "webhooks: $n events, $got deliveries, $(grep -c '(1213)' "$STATE"/fcgi*.log | paste -sd' ') certification conflicts per pool log"
	is "$got" "$n" 'galera webhooks: three deliverers on three nodes, every event delivered exactly once'
	is "$(wh_received g1 | jq '[.[] | select(.verified != [true])] | length')" 0 \
		'galera webhooks: every delivery verified by the standardwebhooks library'
	is "$(wh_order_breaks wh-galera g1)" 0 'galera webhooks: every customer'"'"'s events in commit order'
	stop_pidfile "$STATE/fcgi2.pid" 300
	stop_pidfile "$STATE/fcgi3.pid" 300
}
