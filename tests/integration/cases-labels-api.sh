# shellcheck shell=bash
# shellcheck disable=SC2016 # jq programs name their $variables in single quotes
# cases-labels-api.sh: the partner-wide label routes (contract §11),
# sourced by cases.sh.  Uses its helpers (create, patch, get_one,
# set_status, db_query, hex_of, client_add, must_token) and lib.sh's
# LABELS_MISMATCH_SQL.  Each group works in a partner of its own, so the
# label pages it reads hold only its own labels.

# A partner of its own: sets LT (write token) and LR (read-only token).
labels_partner() { # NAME
	local c
	client_add c "$1"
	must_token LT "$c"
	must_token LR "$c" customers:read
}

# The percent-encoding of a label for the path (every byte outside [A-Za-z0-9._~-]).
label_path() { # LABEL
	jq -rn --arg s "$1" '$s | @uri'
}

lget() { # QUERY [curl args...]: GET /roles/customer-labels?QUERY with LT
	local q=$1
	shift
	req GET "/roles/customer-labels${q:+?$q}" -H "$(bearer "$LT")" "$@"
}

lrename() { # LABEL BODY [curl args...]
	local l=$1 b=$2
	shift 2
	req PATCH "/roles/customer-labels/$(label_path "$l")" -H "$(bearer "$LT")" "${JH[@]}" \
		-H "Requestor-ID: $(uuid4)" "$@" -d "$b"
}

ldelete() { # LABEL [curl args...]
	local l=$1
	shift
	req DELETE "/roles/customer-labels/$(label_path "$l")" -H "$(bearer "$LT")" \
		-H "Requestor-ID: $(uuid4)" "$@"
}

lassign() { # LABEL BODY [curl args...]
	local l=$1 b=$2
	shift 2
	req PATCH "/roles/customer-labels/$(label_path "$l")/customers" -H "$(bearer "$LT")" \
		"${JH[@]}" -H "Requestor-ID: $(uuid4)" "$@" -d "$b"
}

# The whole label page of the partner as "label=count" lines.
lcounts() {
	lget "limit=1000"
	jq -r '.[] | "\(.label)=\(.customersCount)"' <<<"$BODY"
}

# A customer of LT's partner with LABELS (JSON): sets NEW_ID.
lcreate() { # LABELS
	create "$LT" "$(uuid4)" NATURAL_PERSON "$1"
}

jc() { jq -c "$1" <<<"$BODY"; } # JQ-FILTER: applied to BODY, compact output

labels_of() { # ID: the customer's labels, one JSON line
	req GET "/roles/customers/$1" -H "$(bearer "$LT")"
	jc .labels
}

lpatch() { # ID BODY: PATCH /roles/customers/ID with LT
	req PATCH "/roles/customers/$1" -H "$(bearer "$LT")" "${JH[@]}" -H "Requestor-ID: $(uuid4)" \
		-d "$2"
}

store_consistent() {
	is "$(db_query "$LABELS_MISMATCH_SQL")" 0 "$1"
}

cases_labels_counts() {
	local a b c link next
	labels_partner labels-counts
	lget ""
	expect 200 'labels: GET of a partner without labels is 200'
	is "$BODY" '[]' 'labels: ... and an empty array'
	lcreate '["vip","berlin"]'
	a=$NEW_ID
	lcreate '["vip"]'
	b=$NEW_ID
	lcreate '["zürich","Vip"]'
	c=$NEW_ID
	is "$(lcounts | tr '\n' ' ')" 'Vip=1 berlin=1 vip=2 zürich=1 ' \
		'labels: counts in byte order, case-sensitive'
	lpatch "$a" '{"labels":["berlin"]}'
	is "$(lcounts | tr '\n' ' ')" 'Vip=1 berlin=1 vip=1 zürich=1 ' 'labels: a PATCH moves the counts'
	ok 'labels: set-status OFFBOARDED' set_status "$b" OFFBOARDED
	is "$(lcounts | tr '\n' ' ')" 'Vip=1 berlin=1 zürich=1 ' \
		'labels: OFFBOARDED customers are not counted; a label only they carry is not listed'
	ok 'labels: set-status ACTIVE again' set_status "$b" ACTIVE
	is "$(lcounts | tr '\n' ' ')" 'Vip=1 berlin=1 vip=1 zürich=1 ' 'labels: ... and counted again after'

	lget "limit=2"
	expect 200 'labels: limit=2 is 200'
	is "$(jc '[.[].label]')" '["Vip","berlin"]' 'labels: limit=2 gives the first two'
	link=$(hdr Link)
	like "$link" '^</roles/customer-labels\?limit=2&cursor=[A-Za-z0-9_-]+>; rel="next"$' \
		'labels: Link rel="next" (RFC 8288) when more follow'
	next=${link#<}
	next=${next%%>*}
	req GET "$next" -H "$(bearer "$LT")"
	is "$(jc '[.[].label]')" '["vip","zürich"]' 'labels: the next page follows on'
	is "$(hdr Link)" '' 'labels: no Link on the last page'
	req GET "$next" -H "$(bearer "$B_TOK")"
	expect_error 400 BAD_REQUEST INVALID_CURSOR 'labels: a cursor of another partner is 400 INVALID_CURSOR'
	req GET "${next%?}A" -H "$(bearer "$LT")"
	expect_error 400 BAD_REQUEST INVALID_CURSOR 'labels: a tampered cursor is 400 INVALID_CURSOR'
	lget "cursor=$(hdr X-None)x"
	expect_error 400 BAD_REQUEST INVALID_CURSOR 'labels: a garbage cursor is 400 INVALID_CURSOR'
	lget "limit=0"
	expect_error 400 BAD_REQUEST VALIDATION_FAILED 'labels: limit=0 is 400'
	is "$(jb '.errorDetails[0].field')" limit 'labels: ... on field limit'
	lget "limit=1001"
	expect_error 400 BAD_REQUEST VALIDATION_FAILED 'labels: limit=1001 is 400'
	lget "limit=1000"
	expect 200 'labels: limit=1000 is 200'
	lget "labels=vip"
	expect_error 400 BAD_REQUEST VALIDATION_FAILED 'labels: an unknown parameter is 400'
	req GET /roles/customer-labels -H "$(bearer "$LR")"
	expect 200 'labels: GET needs customers:read only'
	req GET /roles/customer-labels
	expect 401 'labels: GET without a token is 401'
	store_consistent 'labels: the store agrees with itself after the counts group'
	: "$c"
}


# The audit rows of customer ID for request RQ: "before<TAB>after" compact JSON,
# byte for byte (base64 past the client's escaping of backslashes).
audit_of() { # ID RQ
	db_query "SELECT TO_BASE64(CONCAT(labels_before, X'09', labels_after)) FROM customer_audit
		WHERE customer_id = UNHEX('$(hex_of "$1")') AND request_id = '$2' AND action = 'labels'" |
		base64 -d
}

# The LABELS_UPDATE_NOTIFICATION rows of request... by their listed ids: the number of events naming ID.
events_naming() { # ID
	db_query "SELECT COUNT(*) FROM events WHERE event_type = 'LABELS_UPDATE_NOTIFICATION'
		AND JSON_CONTAINS(data, '\"$1\"', '\$.updatedCustomers')"
}

cases_labels_rename() {
	local a b c e0 m0 n0 row
	labels_partner labels-rename
	lcreate '["old","keep"]'
	a=$NEW_ID
	lcreate '["old","new"]'
	b=$NEW_ID
	lcreate '["other"]'
	c=$NEW_ID
	get_one_lt "$c"
	e0=$ETAG m0=$(jb .modifiedOn)
	n0=$(db_query "SELECT COUNT(*) FROM events WHERE event_type = 'LABELS_UPDATE_NOTIFICATION'")
	lrename old '{"name":"new"}' -H 'X-Request-ID: it-rename-1'
	expect 202 'rename: 202'
	is "$BODY" '' 'rename: no body'
	is "$(labels_of "$a")" '["keep","new"]' 'rename: a carrier of the old name carries the new one'
	is "$(labels_of "$b")" '["new"]' 'rename: a carrier of both carries the new name once (merge)'
	is "$(lcounts | tr '\n' ' ')" 'keep=1 new=2 other=1 ' 'rename: the counts follow (merge counted once)'
	get_one_lt "$c"
	is "$ETAG $(jb .modifiedOn)" "$e0 $m0" 'rename: a customer without the label keeps its ETag and modifiedOn'
	row=$(audit_of "$a" it-rename-1)
	is "$row" '["keep","old"]	["keep","new"]' 'rename: one audit row per changed customer, before and after'
	is "$(audit_of "$b" it-rename-1)" '["new","old"]	["new"]' 'rename: ... the merged one too'
	is "$(db_query "SELECT COUNT(*) FROM events WHERE event_type = 'LABELS_UPDATE_NOTIFICATION'")" \
		"$((n0 + 1))" 'rename: one LABELS_UPDATE_NOTIFICATION for the request'
	is "$(db_query "SELECT JSON_LENGTH(data, '\$.updatedCustomers') FROM events ORDER BY id DESC LIMIT 1")" 2 \
		'rename: ... listing the two changed customers'
	ok 'rename: the event reaches the feed' wait_until 100 all_sequenced
	req GET "/roles/events?eventType=LABELS_UPDATE_NOTIFICATION" -H "$(bearer "$LT")"
	ok 'rename: GET /roles/events shows it, updatedCustomers the two changed customers' \
		jq -e --arg a "$a" --arg b "$b" '.data | length == 1 and
			(.[0].data.updatedCustomers | sort) == ([$a, $b] | sort)
			and .[0].data.notificationType == "UPDATED"' <<<"$BODY"
	lrename new '{"name":"new"}'
	expect 202 'rename: to the same name is 202'
	is "$(labels_of "$a")" '["keep","new"]' 'rename: ... and changes nothing'
	lrename old '{"name":"x"}'
	expect_error 404 NOT_FOUND LABEL_NOT_FOUND 'rename: a label nobody carries any more is 404 LABEL_NOT_FOUND'
	lrename never '{"name":"x"}'
	expect_error 404 NOT_FOUND LABEL_NOT_FOUND 'rename: an unknown label is 404 LABEL_NOT_FOUND'
	req PATCH "/roles/customer-labels/new" -H "$(bearer "$B_TOK")" "${JH[@]}" \
		-H "Requestor-ID: $(uuid4)" -d '{"name":"stolen"}'
	expect_error 404 NOT_FOUND LABEL_NOT_FOUND "rename: another partner's label is 404 LABEL_NOT_FOUND"
	is "$(labels_of "$a")" '["keep","new"]' "rename: ... and the owner's customers keep it"
	lrename new '{"name":" bad"}'
	expect_error 400 BAD_REQUEST VALIDATION_FAILED 'rename: an invalid name is 400'
	is "$(jb '.errorDetails[0].field')" name 'rename: ... on field name'
	lrename new '{"name":"x","extra":1}'
	expect_error 400 BAD_REQUEST VALIDATION_FAILED 'rename: an unknown field is 400'
	is "$(jb '.errorDetails[0].field')" extra 'rename: ... on its field'
	lrename new '{}'
	is "$(jb '.errorDetails[0].field') $(jb '.errorDetails[0].errors[0].code')" 'name REQUIRED' \
		'rename: name is required'
	lrename new '["x"]'
	expect_error 400 BAD_REQUEST VALIDATION_FAILED 'rename: a body that is not an object is 400'
	req PATCH "/roles/customer-labels/new" -H "$(bearer "$LT")" "${JH[@]}" -d '{"name":"x"}'
	expect_error 400 BAD_REQUEST VALIDATION_FAILED 'rename: without Requestor-ID is 400'
	is "$(jb '.errorDetails[0].field')" Requestor-ID 'rename: ... on header Requestor-ID'
	lrename new '{"name":"x"}' -H 'Requestor-ID: nope' -H 'Requestor-ID:'
	expect_error 400 BAD_REQUEST VALIDATION_FAILED 'rename: a Requestor-ID that is not a UUID is 400'
	req PATCH "/roles/customer-labels/new" -H "$(bearer "$LT")" -H 'Content-Type: text/plain' \
		-H "Requestor-ID: $(uuid4)" -d '{"name":"x"}'
	expect 415 'rename: another content type is 415'
	lrename new "{\"name\":\"x\",\"pad\":\"$(head -c 70000 /dev/zero | tr '\0' a)\"}"
	expect 413 'rename: a body over 64 KiB is 413'
	req PATCH "/roles/customer-labels/new" -H "$(bearer "$LR")" "${JH[@]}" \
		-H "Requestor-ID: $(uuid4)" -d '{"name":"x"}'
	expect 403 'rename: a read-only token is 403'
	lrename "$(printf 'x%.0s' {1..65})" '{"name":"x"}'
	expect_error 400 BAD_REQUEST VALIDATION_FAILED 'rename: a labelName over 64 characters is 400'
	is "$(jb '.errorDetails[0].field')" labelName 'rename: ... on field labelName'
	is "$(labels_of "$a")" '["keep","new"]' 'rename: refused requests changed nothing'
	lcreate '["q\"uote\\d","ünï"]'
	a=$NEW_ID
	lrename 'q"uote\d' '{"name":"n\"ew\\ \u00e9/x"}' -H 'X-Request-ID: it-rename-2'
	expect 202 'rename: a label with a quote and a backslash'
	is "$(audit_of "$a" it-rename-2)" "$(printf '%s\t%s' '["q\"uote\\d","ünï"]' "$(labels_of "$a")")" \
		'rename: its audit JSON is the API'"'"'s (escapes, raw UTF-8)'
	store_consistent 'rename: the store agrees with itself'
}

get_one_lt() { # ID: GET one with LT; sets ETAG
	req GET "/roles/customers/$1" -H "$(bearer "$LT")"
	ETAG=$(hdr ETag)
}

cases_labels_delete() {
	local a b off
	labels_partner labels-delete
	lcreate '["gone","stay"]'
	a=$NEW_ID
	lcreate '["gone"]'
	b=$NEW_ID
	lcreate '["gone"]'
	off=$NEW_ID
	ok 'delete: set-status OFFBOARDED' set_status "$off" OFFBOARDED
	ldelete gone -H 'X-Request-ID: it-delete-1'
	expect 202 'delete: 202'
	is "$(labels_of "$a") $(labels_of "$b") $(labels_of "$off")" '["stay"] [] []' \
		'delete: every carrier loses the label, OFFBOARDED ones too'
	is "$(lcounts | tr '\n' ' ')" 'stay=1 ' 'delete: the label is gone from the page'
	is "$(audit_of "$b" it-delete-1)" '["gone"]	[]' 'delete: audited, before and after'
	is "$(events_naming "$b")" 1 'delete: a LABELS_UPDATE_NOTIFICATION names the customer'
	ldelete gone
	expect_error 404 NOT_FOUND LABEL_NOT_FOUND 'delete: again is 404 LABEL_NOT_FOUND'
	req DELETE /roles/customer-labels/stay -H "$(bearer "$LT")"
	expect_error 400 BAD_REQUEST VALIDATION_FAILED 'delete: without Requestor-ID is 400'
	req DELETE /roles/customer-labels/stay -H "$(bearer "$B_TOK")" -H "Requestor-ID: $(uuid4)"
	expect_error 404 NOT_FOUND LABEL_NOT_FOUND "delete: another partner's label is 404"
	is "$(labels_of "$a")" '["stay"]' "delete: ... and nothing changed"
	lcreate '["gone"]'
	is "$(lcounts | tr '\n' ' ')" 'gone=1 stay=1 ' 'delete: the name can be used again'
	store_consistent 'delete: the store agrees with itself'
}

cases_labels_assign() {
	local a b c full off ids sixteen i
	labels_partner labels-assign
	lcreate '["x"]'
	a=$NEW_ID
	lcreate '["bulk"]'
	b=$NEW_ID
	lcreate '[]'
	c=$NEW_ID
	sixteen=$(jq -cn '[range(16) | "l\(.)"]')
	lcreate "$sixteen"
	full=$NEW_ID
	lcreate '[]'
	off=$NEW_ID
	ok 'assign: set-status OFFBOARDED' set_status "$off" OFFBOARDED
	get_one_lt "$b"
	local eb=$ETAG
	lassign bulk "[\"$a\",\"$b\",\"$c\"]" -H 'X-Request-ID: it-assign-1'
	expect 202 'assign: 202'
	is "$(labels_of "$a") $(labels_of "$b") $(labels_of "$c")" '["bulk","x"] ["bulk"] ["bulk"]' \
		'assign: each listed customer carries the label'
	get_one_lt "$b"
	is "$ETAG" "$eb" 'assign: one that already carried it is unchanged (ETag)'
	is "$(audit_of "$a" it-assign-1)" '["x"]	["bulk","x"]' 'assign: audited, before and after'
	is "$(audit_of "$b" it-assign-1)" '' 'assign: ... not the unchanged one'
	is "$(lcounts | grep '^bulk=')" 'bulk=3' 'assign: counted'
	lassign new "[\"$a\",\"$(uuid4)\",\"$off\",\"$full\"]"
	expect_error 400 BAD_REQUEST CUSTOMERS_NOT_FOUND 'assign: an unknown id first: 400 CUSTOMERS_NOT_FOUND'
	is "$(jc '[.errorDetails[].errors[0].code]')" '["NOT_FOUND"]' 'assign: ... one entry, code NOT_FOUND'
	lassign new "[\"$a\",\"$off\",\"$full\"]"
	expect_error 400 BAD_REQUEST TOO_MANY_LABELS 'assign: then more than 16 labels: 400 TOO_MANY_LABELS'
	is "$(jc '[.errorDetails[] | .field, .errors[0].code, .errors[0].parameter]')" \
		"[\"$full\",\"TOO_MANY_LABELS\",\"16\"]" 'assign: ... the id, code TOO_MANY_LABELS, parameter 16'
	lassign l3 "[\"$full\"]"
	expect 202 'assign: a label the full customer already has is 202'
	lassign new "[\"$a\",\"$off\"]"
	expect_error 409 CONFLICT CUSTOMER_OFFBOARDED 'assign: then OFFBOARDED: 409 CUSTOMER_OFFBOARDED'
	is "$(jc '[.errorDetails[].field]')" "[\"$off\"]" 'assign: ... naming the offboarded id'
	is "$(labels_of "$a")" '["bulk","x"]' 'assign: all or nothing: a refused request changed nobody'
	is "$(lcounts | grep -c '^new=')" 0 'assign: ... and left no label behind'
	req PATCH "/roles/customer-labels/new/customers" -H "$(bearer "$B_TOK")" "${JH[@]}" \
		-H "Requestor-ID: $(uuid4)" -d "[\"$a\"]"
	expect_error 400 BAD_REQUEST CUSTOMERS_NOT_FOUND "assign: another partner's customer is not found"
	lassign new "[\"$a\",\"nope\",\"$a\",null]"
	expect_error 400 BAD_REQUEST VALIDATION_FAILED 'assign: malformed, duplicate, missing elements: 400'
	is "$(jc '[.errorDetails[].field]')" '["[1]","[2]","[3]"]' 'assign: ... on fields [i]'
	lassign new '[]'
	expect_error 400 BAD_REQUEST VALIDATION_FAILED 'assign: an empty array is 400'
	ids=$(for i in $(seq 1001); do uuid4; done | jq -Rsc 'split("\n")[:-1]')
	lassign new "$ids"
	expect_error 400 BAD_REQUEST VALIDATION_FAILED 'assign: 1001 ids is 400'
	ids=$(jq -c --arg a "$a" '.[:999] + [$a]' <<<"$ids")
	lassign new "$ids"
	expect_error 400 BAD_REQUEST CUSTOMERS_NOT_FOUND 'assign: 1000 ids is accepted for checking'
	is "$(jb '.errorDetails | length')" 999 'assign: ... every unknown id listed'
	lassign new '{"ids":[]}'
	expect_error 400 BAD_REQUEST VALIDATION_FAILED 'assign: an object body is 400'
	lassign ' new' "[\"$a\"]"
	is "$(jb '.errorDetails[0].field')" labelName 'assign: an invalid labelName is 400 on labelName'
	req PATCH "/roles/customer-labels/new/customers" -H "$(bearer "$LT")" "${JH[@]}" -d "[\"$a\"]"
	expect_error 400 BAD_REQUEST VALIDATION_FAILED 'assign: without Requestor-ID is 400'
	store_consistent 'assign: the store agrees with itself'
}

# Labels with '/', '%', spaces and non-ASCII travel through the path,
# decoded exactly once, behind every web server.
cases_labels_path() {
	local a l link
	labels_partner "labels-path-$WEB"
	lcreate '["a/b","100%","two words","ünï ✓","%2F"]'
	a=$NEW_ID
	for l in 'a/b' '100%' 'two words' 'ünï ✓' '%2F'; do
		lrename "$l" "$(jq -cn --arg n "$l!" '{name: $n}')"
		expect 202 "path: rename of '$l' through the path is 202"
	done
	is "$(labels_of "$a")" '["%2F!","100%!","a/b!","two words!","ünï ✓!"]' \
		'path: each label was decoded exactly once'
	ldelete 'a/b!'
	expect 202 "path: delete of 'a/b!' is 202"
	lassign 'c/d %41' "[\"$a\"]"
	expect 202 "path: assign of 'c/d %41' is 202"
	is "$(labels_of "$a")" '["%2F!","100%!","c/d %41","two words!","ünï ✓!"]' \
		'path: delete and assign too'
	req PATCH "/roles/customer-labels/a%2" -H "$(bearer "$LT")" "${JH[@]}" \
		-H "Requestor-ID: $(uuid4)" -d '{"name":"x"}'
	like "$STATUS" '^4' 'path: a broken escape is refused'
	lget "limit=1"
	link=$(hdr Link)
	like "$link" "^<$MOUNT/roles/customer-labels\\?limit=1&cursor=[A-Za-z0-9_-]+>; rel=\"next\"\$" \
		'path: the Link names the next page under the mount prefix'
	link=${link#<"$MOUNT"}
	req GET "${link%%>*}" -H "$(bearer "$LT")"
	is "$(jc '[.[].label]')" '["100%!"]' 'path: ... and following it gives the next label'
	store_consistent 'path: the store agrees with itself'
}

# A PATCH of a customer while a rename of its label runs: one after the
# other, never a lost update.
cases_labels_concurrent() {
	local i ids=() pids=() a
	labels_partner labels-concurrent
	for i in $(seq 200); do
		lcreate '["hot","cold"]'
		ids+=("$NEW_ID")
	done
	a=${ids[100]}
	lrename hot '{"name":"warm"}' &
	pids+=($!)
	for i in 1 2 3 4 5; do
		req PATCH "/roles/customers/$a" -H "$(bearer "$LT")" "${JH[@]}" \
			-H "Requestor-ID: $(uuid4)" -d "{\"labels\":[\"hot\",\"p$i\"]}" &
		pids+=($!)
	done
	wait "${pids[@]}"
	like "$(labels_of "$a")" '^\[("hot","p[1-5]"|"p[1-5]","warm")\]$' \
		'concurrent: the PATCHed customer holds one whole state, nothing lost'
	is "$(labels_of "${ids[0]}")" '["cold","warm"]' 'concurrent: the others were renamed'

	# Readers during a rename see the partner before it or after it, never a mix.
	local seen bad=0 rpid n
	n=$(lcounts | sed -n 's/^cold=//p')
	# The rename's own answer files: req's last.body is the reader's.
	mkdir -p "$STATE/rename-bg"
	STATE=$STATE/rename-bg lrename cold '{"name":"frozen"}' &
	rpid=$!
	while kill -0 "$rpid" 2>/dev/null; do
		lget ""
		# A reader refused under load (503) saw nothing; only answers count.
		[ "$STATUS" = 200 ] || { note "concurrent: a reader got $STATUS: $BODY"; continue; }
		seen=$(jq -c '[.[] | select(.label == "cold" or .label == "frozen")]' <<<"$BODY")
		[ "$seen" = "[{\"label\":\"cold\",\"customersCount\":$n}]" ] ||
			[ "$seen" = "[{\"label\":\"frozen\",\"customersCount\":$n}]" ] ||
			{ bad=$((bad + 1)); note "concurrent: a reader saw $seen"; }
	done
	wait "$rpid"
	is "$bad" 0 'concurrent: the page shows every carrier under the old name or all under the new one'
	is "$(lcounts | grep -c '^cold=')" 0 'concurrent: after the 202 nobody reads the old name'
	store_consistent 'concurrent: the store agrees with itself'
}

ALL_CASES+=" labels_counts labels_rename labels_delete labels_assign labels_path labels_concurrent"
# shellcheck disable=SC2034 # used by the runners (run-*.sh)
WEB_CASES+=" labels_path"
