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
}

ALL_CASES+=" events_outbox events_sequencer"
