# shellcheck shell=bash
# shellcheck disable=SC2016 # jq programs name their $variables in single quotes
# tests/faults/faults-webhooks.sh: webhook delivery under faults (contract
# §13), sourced by run.sh.  While a writer changes customers: the
# deliverer is killed with kill -9, the database is down 5 s, the receiver
# is down WH_DOWN_S seconds (60) and comes back.  Then every event must
# have arrived (0 lost), repeats only with the same webhook-id and body,
# every delivery verified by the standardwebhooks library, and each
# customer's events in commit order.  And with three pools (three
# deliverers) on one database: each event delivered exactly once.  The retry schedule runs with the
# tests' [webhooks] time_scale (lib.sh), so a minute down costs minutes,
# not days.

# The receiver, clients and helpers of the integration cases.
# shellcheck source=tests/integration/cases.sh
. "$FAULTS_DIR/../integration/cases.sh"

# shellcheck disable=SC2034 # run.sh runs them
FAULTS_WEBHOOKS="webhooks webhooks_pools"

# Changes customers of the webhook partner until STOP_FILE exists: a POST, then
# two PATCHes of a customer made earlier; ids made go to $STATE/wh-writer.ids.
wh_writer() { # TOKEN STOP_FILE
	local ids=() n=0 id
	while [ ! -e "$2" ]; do
		id=$(curl -s --max-time 10 -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
			-d "{\"entityId\":\"$(uuid4)\",\"entityType\":\"NATURAL_PERSON\"}" "$BASE/roles/customers" |
			jq -r '.customerId // empty' 2>/dev/null)
		[ -n "$id" ] && ids+=("$id") && echo "$id" >>"$STATE/wh-writer.ids"
		n=$((n + 1))
		if [ "${#ids[@]}" -gt 0 ]; then
			id=${ids[$((n % ${#ids[@]}))]}
			for l in a b; do
				curl -s -o /dev/null --max-time 10 -X PATCH -H "Authorization: Bearer $1" \
					-H "Requestor-ID: $(uuid4)" -H 'Content-Type: application/json' \
					-d "{\"labels\":[\"$l$n\"]}" "$BASE/roles/customers/$id"
			done
		fi
		sleep 0.05
	done
}

deliverer_pid() {
	grep -o '\[pid [0-9]*\] deliver.c:[0-9]*: webhook deliverer' "$STATE/fcgi.log" | tail -n1 |
		grep -o '[0-9]*' | head -n1
}

# The partner's events: "customerId eventId" lines in commit order.
wh_events_of() { # PARTNER
	db_query "SELECT LOWER(HEX(e.customer_id)), LOWER(HEX(e.event_id)) FROM events e
		JOIN partners p ON p.id = e.partner_id WHERE p.name = '$1' AND e.seq IS NOT NULL
		AND e.customer_id IS NOT NULL ORDER BY e.seq"
}

# The ids the receiver got for NAME, first arrivals in order, as hex without dashes.
wh_first_arrivals() { # NAME
	wh_received "$1" | jq -r '[.[].id] | reduce .[] as $i ([]; if index($i) then . else . + [$i] end) | .[]' |
		tr -d '-'
}

wh_all_arrived() { # PARTNER NAME
	local want got
	want=$(wh_events_of "$1" | cut -f2 | sort -u | wc -l)
	got=$(wh_first_arrivals "$2" | sort -u | wc -l)
	[ "$got" -ge "$want" ]
}

# Whatever the deliveries went through: nothing lost, a repeat only as the
# same message, every delivery verified, each customer's events in commit
# order.  Sets WH_LOST and WH_ORDER (the counts) for a summary.
wh_delivery_checks() { # PARTNER NAME PREFIX
	WH_LOST=$(comm -23 <(wh_events_of "$1" | cut -f2 | sort -u) <(wh_first_arrivals "$2" | sort -u) | wc -l)
	is "$WH_LOST" 0 "$3: 0 events lost"
	is "$(wh_received "$2" | jq '[group_by(.id)[] | select((map(.body) | unique | length) > 1)] | length')" 0 \
		"$3: a repeat carries the same webhook-id and the same body"
	is "$(wh_received "$2" | jq '[.[] | select(.verified != [true])] | length')" 0 \
		"$3: every delivery verified by the standardwebhooks library"
	WH_ORDER=$(wh_order_breaks "$1" "$2")
	is "$WH_ORDER" 0 "$3: every customer's events arrived in commit order"
}

fault_webhooks() {
	local secret stop=$STATE/wh-writer.stop wpid dpid t0 down=${WH_DOWN_S:-60} rport
	note "webhooks: writer on; kill -9 the deliverer, database down 5 s, receiver down $down s"
	wh_receiver_start
	wh_client WHF wh-faults 'customers:write webhooks:manage'
	wh_create "$WHF_TOK" "$(wh_url f1)" '["CUSTOMER_NOTIFICATION","LABELS_UPDATE_NOTIFICATION"]'
	secret=$WH_SECRET
	wh_endpoint f1 "[\"$secret\"]" '[200]'
	rm -f "$stop"
	wh_writer "$WHF_TOK" "$stop" &
	wpid=$!
	sleep 3
	dpid=$(deliverer_pid)
	kill -KILL "$dpid" && note "webhooks: deliverer $dpid killed"
	sleep 3
	mariadb_stop
	sleep 5
	mariadb_start
	note "webhooks: database back"
	sleep 2
	rport=$WH_PORT
	stop_pidfile "$STATE/receiver.pid" 50
	t0=$(now_ms)
	sleep "$down"
	WH_NODE_MODULES=$WH_NODE_MODULES WH_PARENT=$$ spawn "$STATE/receiver.pid" "$STATE/receiver.log" \
		node "$SRCDIR/tests/integration/webhook-receiver.js" "$rport" "$STATE/receiver.pem" \
		"$STATE/receiver.key" "$STATE/receiver.jsonl"
	wait_until 100 wh_receiver_up
	note "webhooks: receiver back after $((($(now_ms) - t0) / 1000)) s"
	sleep 2
	touch "$stop"
	wait "$wpid"
	t0=$(now_ms)
	wait_until 3000 wh_all_arrived wh-faults f1
	note "webhooks: $(wh_events_of wh-faults | wc -l) events; all arrived $((($(now_ms) - t0) / 1000)) s after the writer stopped"
	note "webhooks: $(wh_received f1 | jq length) deliveries for $(wh_first_arrivals f1 | wc -l) events"
	wh_delivery_checks wh-faults f1 'webhooks faults'
	SUMMARY+=("$(printf '%-18s events %s, deliveries %s, lost %s, out of order %s' webhooks \
		"$(wh_events_of wh-faults | wc -l)" "$(wh_received f1 | jq length)" "$WH_LOST" "$WH_ORDER")")
}

# Customers whose first arrivals are not in their commit order.
wh_order_breaks() { # PARTNER NAME
	local arrivals
	arrivals=$(wh_first_arrivals "$2" | awk '{ print $1 "\t" NR }')
	wh_events_of "$1" | awk -F'\t' -v a="$arrivals" '
		BEGIN { n = split(a, l, "\n"); for (i = 1; i <= n; i++) { split(l[i], f, "\t"); pos[f[1]] = f[2] } }
		{ p = pos[$2]; if ($1 in last && p < last[$1]) bad[$1] = 1; last[$1] = p }
		END { c = 0; for (k in bad) c++; print c }'
}

# Another pool N on the same database (or, on Galera, with HOSTS as its
# servers), its own socket, 2 workers: one more deliverer.
wh_pool_start() { # N [HOSTS]
	cp "$(APP_CONF)" "$STATE/pool$1.conf"
	conf_set "$STATE/pool$1.conf" server listen "$STATE/fcgi$1.sock"
	conf_set "$STATE/pool$1.conf" server workers 2
	[ -z "${2:-}" ] || conf_set "$STATE/pool$1.conf" database hosts "$2"
	spawn "$STATE/fcgi$1.pid" "$STATE/fcgi$1.log" "$BINDIR/customers-fcgi" -c "$STATE/pool$1.conf"
	wait_until 300 test -S "$STATE/fcgi$1.sock"
}

# Three deliverers share the queue: no event is sent twice, none is missed.
fault_webhooks_pools() {
	local stop=$STATE/wh-writer2.stop wpid n got once
	note "webhooks_pools: three pools (three deliverers) on one database, a writer for 10 s"
	wh_receiver_start
	wh_pool_start 2
	wh_pool_start 3
	wh_client WHP wh-pools 'customers:write webhooks:manage'
	wh_create "$WHP_TOK" "$(wh_url p1)" '["CUSTOMER_NOTIFICATION","LABELS_UPDATE_NOTIFICATION"]'
	wh_endpoint p1 "[\"$WH_SECRET\"]" '[200]'
	rm -f "$stop"
	wh_writer "$WHP_TOK" "$stop" &
	wpid=$!
	sleep 10
	touch "$stop"
	wait "$wpid"
	wait_until 600 wh_all_arrived wh-pools p1
	n=$(wh_events_of wh-pools | wc -l)
	got=$(wh_received p1 | jq length)
	note "webhooks_pools: $n events, $got deliveries"
	is "$got" "$n" 'webhooks_pools: three deliverers, every event delivered exactly once'
	once=$(db_query "SELECT COUNT(*) FROM webhook_attempts a JOIN webhooks w ON w.id = a.webhook_id
		JOIN partners p ON p.id = w.partner_id WHERE p.name = 'wh-pools' AND a.attempt > 1")
	is "$once" 0 'webhooks_pools: no second attempt of any event'
	is "$(wh_order_breaks wh-pools p1)" 0 'webhooks_pools: every customer'"'"'s events in commit order'
	stop_pidfile "$STATE/fcgi2.pid" 300
	stop_pidfile "$STATE/fcgi3.pid" 300
	SUMMARY+=("$(printf '%-18s 3 deliverers: events %s, deliveries %s' webhooks_pools "$n" "$got")")
}
