# shellcheck shell=bash
# shellcheck disable=SC2016 # jq programs name their $variables in single quotes
# cases-events.sh: the events outbox and the event feed (contract §13),
# sourced by cases.sh.  Uses its helpers (create, patch, set_status,
# db_query, hex_of) and the ACME client.

# The outbox rows of customer ID: "TYPE DATA" per line, oldest first.
outbox_of() { # ID
	db_query "SELECT event_type, data FROM events
		WHERE customer_id = UNHEX('$(hex_of "$1")') OR JSON_CONTAINS(data, '\"$1\"', '\$.updatedCustomers')
		ORDER BY id"
}

# jq -e without its output: 0 when the program is true for the JSON on stdin.
jq_ok() { jq -e "$@" >/dev/null; }

outbox_count() { db_query "SELECT COUNT(*) FROM events"; }

# Each change writes its event in its own transaction; a write that does
# not commit leaves none.
cases_events_outbox() {
	local id rows n ntok narrow
	create "$A_TOK" "$(uuid4)" NATURAL_PERSON '["e1"]'
	id=$NEW_ID
	rows=$(outbox_of "$id")
	is "$(wc -l <<<"$rows")" 1 'outbox: POST writes one event'
	is "$(cut -f1 <<<"$rows")" CUSTOMER_NOTIFICATION 'outbox: POST writes a CUSTOMER_NOTIFICATION'
	ok 'outbox: its data is customerId, status CREATED, modifiedOn, notificationType CREATED' \
		jq_ok --arg id "$id" 'keys == ["customerId","modifiedOn","notificationType","status"]
			and .customerId == $id and .status == "CREATED" and .notificationType == "CREATED"' \
		<<<"$(cut -f2 <<<"$rows")"
	get_one "$id"
	is "$(cut -f2 <<<"$rows" | jq -r .modifiedOn)" "$(jb .modifiedOn)" \
		'outbox: modifiedOn is the customer'"'"'s'

	patch "$id" '{"labels":["e1"]}' -H "Requestor-ID: $(uuid4)"
	expect 202 'outbox: PATCH to the same labels is 202'
	is "$(outbox_of "$id" | wc -l)" 1 'outbox: a PATCH that changes nothing writes no event'
	patch "$id" '{}' -H "Requestor-ID: $(uuid4)"
	is "$(outbox_of "$id" | wc -l)" 1 'outbox: the {} PATCH writes no event'
	patch "$id" '{"labels":["e2","e3"]}' -H "Requestor-ID: $(uuid4)"
	rows=$(outbox_of "$id" | tail -n 1)
	is "$(cut -f1 <<<"$rows")" LABELS_UPDATE_NOTIFICATION 'outbox: PATCH of new labels writes a LABELS_UPDATE_NOTIFICATION'
	ok 'outbox: its data is updatedCustomers [id], notificationType UPDATED' \
		jq_ok --arg id "$id" '. == {updatedCustomers: [$id], notificationType: "UPDATED"}' \
		<<<"$(cut -f2 <<<"$rows")"
	get_one "$id"
	patch "$id" '{"labels":["e4"]}' -H "Requestor-ID: $(uuid4)" -H 'If-Match: "0"'
	expect 412 'outbox: PATCH with a stale If-Match is 412'
	patch "$id" '{"labels":["e4"]}' -H "Requestor-ID: $(uuid4)" -H "If-Match: $ETAG"
	is "$(outbox_of "$id" | wc -l)" 3 'outbox: PATCH with a matching If-Match writes its event'

	ok 'outbox: set-status ACTIVE' set_status "$id" ACTIVE
	rows=$(outbox_of "$id" | tail -n 1)
	get_one "$id"
	ok 'outbox: set-status writes CUSTOMER_NOTIFICATION UPDATED, status ACTIVE, the new modifiedOn' \
		jq_ok --arg id "$id" --arg m "$(jb .modifiedOn)" \
		'. == {customerId: $id, status: "ACTIVE", modifiedOn: $m, notificationType: "UPDATED"}' \
		<<<"$(cut -f2 <<<"$rows")"
	set_status "$id" ACTIVE
	is "$(outbox_of "$id" | wc -l)" 4 'outbox: set-status to the same status writes no event'

	# A write that inserted its rows and then rolled back: the answering
	# statement's client check fails (scope withdrawn after the worker read the client).
	client_add narrow acme
	must_token ntok "$narrow"
	warm_client "$ntok"
	db_query "UPDATE oauth_clients SET scopes = 'customers:read' WHERE client_id = '$(jq -r .client_id <<<"$narrow")'"
	n=$(outbox_count)
	create "$ntok" "$(uuid4)" NATURAL_PERSON '["e1"]'
	expect 403 'outbox: POST rolled back by the client check (403)'
	create "$A_TOK" "$id" NATURAL_PERSON
	create "$A_TOK" "$id" NATURAL_PERSON
	expect 409 'outbox: a duplicate create (409)'
	is "$(outbox_count)" "$((n + 1))" 'outbox: the rolled-back and refused writes left no event'
	is "$(db_query "SELECT COUNT(*) FROM events WHERE SUBSTR(HEX(event_id), 13, 1) <> '7'")" 0 \
		'outbox: every eventId is a UUIDv7'
}

all_sequenced() { [ "$(db_query "SELECT COUNT(*) FROM events WHERE seq IS NULL")" = 0 ]; }

# The sequencer stamps every committed event, gapless from 1.
cases_events_sequencer() {
	ok 'sequencer: every event gets a seq within 3 s' wait_until 30 all_sequenced
	is "$(db_query "SELECT CONCAT(MIN(seq), ' ', MAX(seq) - COUNT(*) + 1) FROM events")" "1 1" \
		'sequencer: seqs run from 1 without a gap'
	is "$(db_query "SELECT COUNT(*) FROM leases WHERE name = 'event-sequencer' AND expires_at > NOW(3)")" 1 \
		'sequencer: it holds its lease'
	like "$(metric customers_events_written_total)" '^[1-9][0-9]*$' \
		'metrics: customers_events_written_total counts committed events'
	is "$(metric customers_events_sequenced_total)" "$(db_query "SELECT COUNT(*) FROM events")" \
		'metrics: customers_events_sequenced_total counts the stamped ones'
}

# GET /roles/events with TOKEN and QUERY into STATUS/BODY.
feed() { # TOKEN [QUERY]
	req GET "/roles/events${2:+?$2}" -H "$(bearer "$1")"
}

feed_types() { jb '[.data[].eventType] | join(" ")'; }
feed_ids() { jb '.data[].eventId'; }

cases_events_feed() {
	local fa fb ta tb c1 c2 c3 cur p1 p2 all tok_b q
	client_add fa evfeed
	client_add fb evfeed-other
	must_token ta "$fa"
	must_token tb "$fb"
	feed "$ta"
	is "$STATUS $(jb '.data | length') $(jb .pagination.limit)" "200 0 100" \
		'feed: a partner without events gets an empty page, limit 100'
	like "$(jb .pagination.cursor)" '^[A-Za-z0-9_-]{44}$' 'feed: ... and a cursor even so'
	cur=$(jb .pagination.cursor)
	create "$ta" "$(uuid4)" NATURAL_PERSON
	c1=$NEW_ID
	create "$ta" "$(uuid4)" LEGAL_ENTITY '["a"]'
	c2=$NEW_ID
	req PATCH "/roles/customers/$c1" -H "$(bearer "$ta")" "${JH[@]}" -H "Requestor-ID: $(uuid4)" \
		-d '{"labels":["b"]}'
	create "$ta" "$(uuid4)" JOINT_PERSON
	c3=$NEW_ID
	create "$tb" "$(uuid4)" NATURAL_PERSON
	wait_until 30 all_sequenced
	feed "$ta"
	is "$STATUS $(feed_types)" \
		"200 CUSTOMER_NOTIFICATION CUSTOMER_NOTIFICATION LABELS_UPDATE_NOTIFICATION CUSTOMER_NOTIFICATION" \
		'feed: the partner'"'"'s four events, oldest first'
	is "$(jb '[.data[].data | .customerId // .updatedCustomers[0]] | join(" ")')" "$c1 $c2 $c1 $c3" \
		'feed: ... about the customers in the order of the writes'
	ok 'feed: an Event is eventId (UUIDv7), eventType, occurredOn, data' jq_ok \
		--arg re "$UUID7_RE" --arg t "${TIME_RE}" \
		'all(.data[]; (keys == ["data","eventId","eventType","occurredOn"])
			and (.eventId | test($re)) and (.occurredOn | test($t)))' <<<"$BODY"
	all=$(feed_ids | joined)
	feed "$ta" "cursor=$cur"
	is "$(feed_ids | joined)" "$all" 'feed: the cursor of the empty page gives the events written since'
	feed "$tb"
	is "$(feed_types)" CUSTOMER_NOTIFICATION 'feed: another partner sees only its own event'

	feed "$ta" 'limit=3'
	p1=$(feed_ids | joined)
	cur=$(jb .pagination.cursor)
	feed "$ta" "limit=3&cursor=$cur"
	p2=$(feed_ids | joined)
	is "$p1 $p2" "$all" 'feed: pages of 3 follow each other without a gap or a repeat'
	cur=$(jb .pagination.cursor)
	like "$cur" '^[A-Za-z0-9_-]{44}$' 'feed: the last page has a cursor'
	feed "$ta" "cursor=$cur"
	is "$STATUS $(jb '.data | length')" "200 0" 'feed: polling with it: nothing new'
	is "$(jb .pagination.cursor)" "$cur" 'feed: an empty page keeps the cursor'
	req PATCH "/roles/customers/$c2" -H "$(bearer "$ta")" "${JH[@]}" -H "Requestor-ID: $(uuid4)" \
		-d '{"labels":[]}'
	wait_until 30 all_sequenced
	feed "$ta" "cursor=$cur"
	is "$(feed_types) $(jb '.data[0].data.updatedCustomers[0]')" "LABELS_UPDATE_NOTIFICATION $c2" \
		'feed: ... until the next change, which comes alone'

	feed "$ta" 'eventType=LABELS_UPDATE_NOTIFICATION'
	is "$(feed_types)" "LABELS_UPDATE_NOTIFICATION LABELS_UPDATE_NOTIFICATION" 'feed: eventType filter'
	feed "$ta" 'eventType=LABELS_UPDATE_NOTIFICATION&eventType=CUSTOMER_NOTIFICATION&limit=1000'
	is "$(jb '.data | length')" 5 'feed: eventType repeated: either type'
	feed "$ta" 'eventType=OFFBOARDING_NOTIFICATION'
	is "$STATUS $(jb '.data | length')" "200 0" 'feed: a type without events: empty'
	feed "$ta" 'eventType=customer_notification'
	expect_error 400 BAD_REQUEST VALIDATION_FAILED 'feed: an unknown eventType is 400'
	ok 'feed: ... naming eventType[0]' has_detail 'eventType[0]'
	for q in limit=0 limit=1001 limit=x 'limit=1&limit=2' foo=1; do
		feed "$ta" "$q"
		expect 400 "feed: $q is 400"
	done
	feed "$ta" 'limit=1000'
	expect 200 'feed: limit=1000 is fine'
	feed "$tb" "cursor=$cur"
	expect_error 400 BAD_REQUEST INVALID_CURSOR 'feed: another partner'"'"'s cursor is 400 INVALID_CURSOR'
	feed "$ta" "cursor=$(tamper "$cur")"
	expect_error 400 BAD_REQUEST INVALID_CURSOR 'feed: a tampered cursor is 400 INVALID_CURSOR'
	req GET '/roles/customers?limit=1' -H "$(bearer "$ta")"
	feed "$ta" "cursor=$(jb .pagination.cursor)"
	expect_error 400 BAD_REQUEST INVALID_CURSOR 'feed: a list cursor is no feed cursor'
	must_token tok_b "$fa" customers:write
	feed "$tok_b"
	expect 403 'feed: needs customers:read'
	FEED_TOK=$ta FEED_CUR=$cur
}

# Many writers commit while a reader follows the cursor: the reader sees
# each event exactly once, and as many as there were writes.
cases_events_concurrent() {
	local cl tok cur i w writers=6 each=25 n dups pids=()
	client_add cl evconc
	must_token tok "$cl"
	feed "$tok"
	cur=$(jb .pagination.cursor)
	: >"$STATE/feed.ids"
	for w in $(seq "$writers"); do
		(
			for i in $(seq "$each"); do
				curl -s --max-time 30 -o /dev/null -H "$(bearer "$tok")" "${JH[@]}" \
					-d "$(body_of "$(uuid4)" NATURAL_PERSON)" "$BASE/roles/customers"
			done
		) &
		pids+=($!)
	done
	# follow until every write is seen, or 60 s
	for i in $(seq 600); do
		feed "$tok" "limit=7&cursor=$cur"
		[ "$STATUS" = 200 ] || break
		feed_ids >>"$STATE/feed.ids"
		cur=$(jb .pagination.cursor)
		[ "$(grep -c . "$STATE/feed.ids")" -ge $((writers * each)) ] && break
		[ "$(jb '.data | length')" = 0 ] && sleep 0.1
	done
	wait "${pids[@]}"
	wait_until 30 all_sequenced
	feed "$tok" "limit=1000&cursor=$cur"
	feed_ids >>"$STATE/feed.ids"
	n=$(grep -c . "$STATE/feed.ids")
	dups=$(sort "$STATE/feed.ids" | uniq -d | grep -c .)
	is "$n $dups" "$((writers * each)) 0" \
		"feed under $writers concurrent writers: each of the $((writers * each)) events seen once"
	is "$(db_query "SELECT COUNT(*) FROM customers c JOIN partners p ON p.id = c.partner_id
		WHERE p.name = 'evconc'")" "$((writers * each))" 'feed under concurrent writers: as many events as writes'
}

# Retention: the sequencer purges events past retention_days, oldest
# first and never the newest; a cursor from before them is 410.
cases_events_expiry() {
	local cur=$FEED_CUR seq
	create "$FEED_TOK" "$(uuid4)" NATURAL_PERSON
	wait_until 30 all_sequenced
	seq=$(db_query "SELECT MAX(seq) FROM events")
	db_query "UPDATE events SET occurred_on = occurred_on - INTERVAL 31 DAY WHERE seq < $seq"
	ok 'retention: the sequencer purges the events past retention_days' \
		wait_until 100 eval '[ "$(db_query "SELECT COUNT(*) FROM events WHERE seq < '"$seq"'")" = 0 ]'
	is "$(db_query "SELECT COUNT(*) FROM events WHERE seq = $seq")" 1 'retention: the newest event stays'
	feed "$FEED_TOK" "cursor=$cur"
	expect_error 410 GONE CURSOR_EXPIRED 'retention: a cursor from before them is 410 CURSOR_EXPIRED'
	feed "$FEED_TOK"
	expect 200 'retention: the feed without a cursor starts at the oldest kept event'
	create "$FEED_TOK" "$(uuid4)" NATURAL_PERSON
	wait_until 30 all_sequenced
	is "$(db_query "SELECT MAX(seq) FROM events")" "$((seq + 1))" 'retention: seq goes on after a purge'
}

ALL_CASES+=" events_outbox events_sequencer events_feed events_concurrent events_expiry"
WEB_CASES+=" events_feed"
