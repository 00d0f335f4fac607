# shellcheck shell=bash
# shellcheck disable=SC2016 # jq programs name their $variables in single quotes
# shellcheck disable=SC2154,SC2153 # wh_client sets <VAR>_TOK; lib.sh sets BODY
# cases-webhooks.sh: webhook subscriptions, delivery and its safety
# (contract §13), sourced by cases.sh.
#
# The receivers run on 127.0.0.1 with a certificate of a CA made here, so
# the service under test runs with the operator's relaxation
# ([webhooks] allow_private_addresses = 1, ca_file = that CA; lib.sh
# app_conf_write).  The refusals of loopback and private addresses are
# shown with the relaxation off (cases_webhooks_ssrf_strict, which
# reloads the pool without it).

WH_URL_OK='https://127.0.0.1:9/hook'

# A client with webhooks:manage of partner P into VAR, its token into VAR_TOK.
wh_client() { # VAR PARTNER [SCOPES]
	local c
	client_add c "$2" "${3:-webhooks:manage}"
	printf -v "$1" '%s' "$c"
	must_token "$1_TOK" "$c"
}

# POST /webhooks as TOKEN with URL and TYPES (JSON array); WH_ID and WH_SECRET.
wh_create() { # TOKEN URL [TYPES] [DESCRIPTION]
	local body
	body=$(jq -nc --arg u "$2" --argjson t "${3:-[\"CUSTOMER_NOTIFICATION\"]}" --arg d "${4:-}" \
		'{url: $u, eventTypes: $t} + (if $d == "" then {} else {description: $d} end)')
	req POST /webhooks -H "$(bearer "$1")" "${JH[@]}" -d "$body"
	WH_ID=$(jb '.webhookId // empty')
	WH_SECRET=$(jb '.secret // empty')
}

cases_webhooks_crud() {
	local id n i other
	wh_client WH1 wh-crud
	wh_create "$WH1_TOK" "$WH_URL_OK" '["CUSTOMER_NOTIFICATION","LABELS_UPDATE_NOTIFICATION"]' 'first'
	expect 200 'webhooks: POST 200'
	like "$WH_ID" "$UUID7_RE" 'webhooks: webhookId is a UUIDv7'
	like "$WH_SECRET" '^whsec_[A-Za-z0-9+/]{43}=$' 'webhooks: secret is whsec_ + base64 of 32 bytes'
	is "$(printf '%s' "${WH_SECRET#whsec_}" | base64 -d | wc -c)" 32 'webhooks: the secret decodes to 32 bytes'
	id=$WH_ID
	req GET "/webhooks/$id" -H "$(bearer "$WH1_TOK")"
	is "$STATUS $(jb .url) $(jb '.eventTypes | join(",")') $(jb .description) $(jb .enabled)" \
		"200 $WH_URL_OK CUSTOMER_NOTIFICATION,LABELS_UPDATE_NOTIFICATION first true" \
		'webhooks: GET shows url, eventTypes, description, enabled'
	ok 'webhooks: GET never shows the secret' bash -c '! grep -q whsec_ "$1"' _ "$STATE/last.body"
	is "$(jb '.disabledReason') $(jb '.disabledOn')" 'null null' 'webhooks: disabledReason/On null while enabled'
	req GET /webhooks -H "$(bearer "$WH1_TOK")"
	is "$STATUS $(jb '.data | length') $(jb '.data[0].webhookId')" "200 1 $id" 'webhooks: list'
	ok 'webhooks: list never shows a secret' bash -c '! grep -q whsec_ "$1"' _ "$STATE/last.body"
	req PATCH "/webhooks/$id" -H "$(bearer "$WH1_TOK")" "${JH[@]}" \
		-d '{"description":"second","eventTypes":["OFFBOARDING_NOTIFICATION"],"enabled":false}'
	is "$STATUS $(jb .description) $(jb '.eventTypes | join(",")') $(jb .enabled)" \
		'200 second OFFBOARDING_NOTIFICATION false' 'webhooks: PATCH description, eventTypes, enabled'
	like "$(jb .disabledReason)" 'PATCH' 'webhooks: disabled by PATCH says so'
	like "$(jb .disabledOn)" "$TIME_RE" 'webhooks: disabledOn set'
	req PATCH "/webhooks/$id" -H "$(bearer "$WH1_TOK")" "${JH[@]}" -d '{"enabled":true}'
	is "$STATUS $(jb .enabled) $(jb .disabledReason) $(jb .disabledOn)" '200 true null null' \
		'webhooks: PATCH enabled true clears the reason'
	req PATCH "/webhooks/$id" -H "$(bearer "$WH1_TOK")" "${JH[@]}" -d '{"secret":"whsec_x"}'
	expect_invalid secret 'webhooks: PATCH of an unknown field 400'
	req PATCH "/webhooks/$id" -H "$(bearer "$WH1_TOK")" "${JH[@]}" -d '{"url":"http://127.0.0.1/x"}'
	expect_error 400 BAD_REQUEST URL_NOT_ALLOWED 'webhooks: PATCH to an http URL 400 URL_NOT_ALLOWED'
	req POST /webhooks -H "$(bearer "$WH1_TOK")" "${JH[@]}" -d '{"url":"https://127.0.0.1/","eventTypes":["NOPE"],"x":1}'
	if [ "$STATUS" = 400 ] && has_detail 'eventTypes[0]' x; then
		tap_result 1 'webhooks: POST reports every problem (bad type, unknown field)'
	else
		tap_result 0 'webhooks: POST reports every problem (bad type, unknown field)' "$(last_response)"
	fi
	req POST /webhooks -H "$(bearer "$WH1_TOK")" "${JH[@]}" -d '{"eventTypes":["CUSTOMER_NOTIFICATION"]}'
	expect_invalid url 'webhooks: POST without url 400'
	req POST /webhooks -H "$(bearer "$WH1_TOK")" -H 'Content-Type: text/plain' -d '{}'
	expect 415 'webhooks: POST text/plain 415'
	req GET /webhooks/not-a-uuid -H "$(bearer "$WH1_TOK")"
	expect_invalid webhookId 'webhooks: GET of a non-UUID 400'
	req GET "/webhooks/$(uuid4)" -H "$(bearer "$WH1_TOK")"
	expect_error 404 NOT_FOUND WEBHOOK_NOT_FOUND 'webhooks: GET of an unknown id 404'
	req GET '/webhooks?limit=3' -H "$(bearer "$WH1_TOK")"
	expect_invalid limit 'webhooks: list takes no parameters (detail on limit)'
	n=1
	for i in 2 3 4 5 6 7 8 9 10; do
		wh_create "$WH1_TOK" "$WH_URL_OK"
		[ "$STATUS" = 200 ] && n=$((n + 1))
	done
	is "$n" 10 'webhooks: ten subscriptions per partner'
	wh_create "$WH1_TOK" "$WH_URL_OK"
	expect_error 409 CONFLICT WEBHOOK_LIMIT_REACHED 'webhooks: the eleventh 409 WEBHOOK_LIMIT_REACHED'
	other=$WH_ID
	req DELETE "/webhooks/$id" -H "$(bearer "$WH1_TOK")"
	expect 202 'webhooks: DELETE 202'
	req GET "/webhooks/$id" -H "$(bearer "$WH1_TOK")"
	expect 404 'webhooks: gone after DELETE'
	req DELETE "/webhooks/$id" -H "$(bearer "$WH1_TOK")"
	expect 404 'webhooks: DELETE again 404'
	wh_create "$WH1_TOK" "$WH_URL_OK"
	expect 200 'webhooks: room for one again after a DELETE'
	is "$(db_query "SELECT COUNT(*) FROM webhook_audit WHERE partner_id = (SELECT id FROM partners WHERE name = 'wh-crud')")" \
		14 'webhooks: every write audited (11 creates, 2 PATCHes, 1 delete)'
	: "$other"
}

# Scopes: webhooks:manage alone reaches /webhooks and nothing else; the
# customers scopes do not reach /webhooks.
cases_webhooks_scope() {
	wh_client WHS wh-scope
	req GET /webhooks -H "$(bearer "$WHS_TOK")"
	expect 200 'webhooks scope: webhooks:manage reaches /webhooks'
	req GET /roles/customers -H "$(bearer "$WHS_TOK")"
	expect 403 'webhooks scope: webhooks:manage alone does not reach the customers'
	req GET /webhooks -H "$(bearer "$A_TOK")"
	expect_error 403 FORBIDDEN '' 'webhooks scope: customers:read+write does not reach /webhooks'
	like "$(hdr WWW-Authenticate)" 'insufficient_scope' 'webhooks scope: 403 says insufficient_scope'
	wh_client BOTH wh-scope 'customers:read webhooks:manage'
	req GET /roles/customers -H "$(bearer "$BOTH_TOK")"
	expect 200 'webhooks scope: granted together, both reach'
	token_for "$BOTH" webhooks:manage
	is "$STATUS $(jb .scope)" '200 webhooks:manage' 'webhooks scope: a token can be cut to webhooks:manage'
}

# Another partner's subscription is a 404 on every route.
cases_webhooks_isolation() {
	local id
	wh_client WHA wh-iso-a
	wh_client WHB wh-iso-b
	wh_create "$WHA_TOK" "$WH_URL_OK"
	id=$WH_ID
	req GET "/webhooks/$id" -H "$(bearer "$WHB_TOK")"
	expect 404 'webhooks isolation: GET of another partner'"'"'s id 404'
	req PATCH "/webhooks/$id" -H "$(bearer "$WHB_TOK")" "${JH[@]}" -d '{"description":"x"}'
	expect 404 'webhooks isolation: PATCH 404'
	req POST "/webhooks/$id/secret-rotation" -H "$(bearer "$WHB_TOK")" -d ''
	expect 404 'webhooks isolation: rotation 404'
	req GET "/webhooks/$id/deliveries" -H "$(bearer "$WHB_TOK")"
	expect 404 'webhooks isolation: deliveries 404'
	req POST "/webhooks/$id/replay" -H "$(bearer "$WHB_TOK")" "${JH[@]}" -d '{"since":"2020-01-01T00:00:00Z"}'
	expect 404 'webhooks isolation: replay 404'
	req DELETE "/webhooks/$id" -H "$(bearer "$WHB_TOK")"
	expect 404 'webhooks isolation: DELETE 404'
	req GET /webhooks -H "$(bearer "$WHB_TOK")"
	is "$STATUS $(jb '.data | length')" '200 0' 'webhooks isolation: the list shows none of it'
	req GET "/webhooks/$id" -H "$(bearer "$WHA_TOK")"
	expect 200 'webhooks isolation: still there for its partner'
}

# Registration refuses what the policy refuses even with the relaxation on.
cases_webhooks_ssrf() {
	local u
	wh_client WHX wh-ssrf
	for u in http://127.0.0.1/ ftp://127.0.0.1/ 'https://user:pw@127.0.0.1/' 'https://0.0.0.0/' 'https://[::]/' \
		'https://224.0.0.1/' 'https://[ff02::1]/' 'https://240.0.0.1/' 'https://255.255.255.255/' \
		'https://0.1.2.3/' 'https://192.0.2.1/' 'https://198.51.100.1/' 'https://203.0.113.1/' \
		'https://[2001:db8::1]/' 'https://198.18.0.1/' 'https://[::ffff:224.0.0.1]/' \
		'https://[64:ff9b::c000:201]/' 'https://[2002:c000:201::1]/' 'https://no-such-host.invalid/'; do
		wh_create "$WHX_TOK" "$u"
		expect_error 400 BAD_REQUEST URL_NOT_ALLOWED "webhooks ssrf: $u refused at registration"
	done
}

# ---- the receiver ---------------------------------------------------------------

WH_NODE_MODULES=${WH_NODE_MODULES:-${XDG_CACHE_HOME:-$HOME/.cache}/customers-fcgi/node/node_modules}
WH_PORT=

# A CA and a certificate for 127.0.0.1/localhost signed by it; the CA is
# the service's [webhooks] ca_file (lib.sh).  Then the receiver.
wh_receiver_start() {
	[ -n "$WH_PORT" ] && return 0
	[ -f "$WH_NODE_MODULES/standardwebhooks/package.json" ] ||
		die "npm standardwebhooks is not in $WH_NODE_MODULES: run scripts/deps"
	wh_certificates || die "openssl failed; see $STATE/openssl.log"
	WH_PORT=$(free_port)
	: >"$STATE/receiver.jsonl"
	WH_NODE_MODULES=$WH_NODE_MODULES WH_PARENT=$$ spawn "$STATE/receiver.pid" "$STATE/receiver.log" \
		node "$SRCDIR/tests/integration/webhook-receiver.js" "$WH_PORT" "$STATE/receiver.pem" \
		"$STATE/receiver.key" "$STATE/receiver.jsonl"
	wait_until 100 wh_receiver_up || die "the webhook receiver did not start; see $STATE/receiver.log"
}

wh_certificates() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=webhook-test-ca \
		-keyout "$STATE/webhook-ca.key" -out "$STATE/webhook-ca.pem" 2>>"$STATE/openssl.log" || return 1
	openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$STATE/receiver.key" \
		-out "$STATE/receiver.csr" 2>>"$STATE/openssl.log" || return 1
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$STATE/receiver.ext"
	openssl x509 -req -in "$STATE/receiver.csr" -CA "$STATE/webhook-ca.pem" \
		-CAkey "$STATE/webhook-ca.key" -CAcreateserial -days 2 -extfile "$STATE/receiver.ext" \
		-out "$STATE/receiver.pem" 2>>"$STATE/openssl.log"
}

wh_receiver_up() {
	curl -s -o /dev/null --cacert "$STATE/webhook-ca.pem" "https://127.0.0.1:$WH_PORT/ping"
}

# Configures endpoint NAME: secrets (JSON array), statuses (JSON array), [location], [delay ms].
wh_endpoint() { # NAME SECRETS STATUSES [LOCATION] [DELAY_MS]
	curl -s --cacert "$STATE/webhook-ca.pem" -H 'Content-Type: application/json' \
		-d "$(jq -nc --argjson s "$2" --argjson t "$3" --arg l "${4:-}" --argjson d "${5:-0}" \
			'{secrets: $s, statuses: $t, location: $l, delayMs: $d}')" \
		"https://127.0.0.1:$WH_PORT/_control/$1" >/dev/null
}

# The deliveries endpoint NAME received, as a JSON array (oldest first).
wh_received() { # NAME
	jq -sc --arg p "$1" '[.[] | select(.path == $p)]' "$STATE/receiver.jsonl"
}

wh_count_at_least() { # NAME N
	[ "$(wh_received "$1" | jq length)" -ge "$2" ]
}

wh_url() { echo "https://127.0.0.1:$WH_PORT/$1"; }

# jq -e without its output.
wh_jq() { jq -e "$@" >/dev/null; }

# The subscription's attempt log (first page) into BODY.
wh_attempts() { # TOKEN ID
	req GET "/webhooks/$2/deliveries?limit=100" -H "$(bearer "$1")"
}

# Rewrites the configuration (with NAME=VALUE for lib.sh app_conf_write, e.g.
# WH_ALLOW_PRIVATE=0) and reloads the pool: its deliverer is replaced too.
wh_reload() { # [NAME=VALUE]
	if [ -n "${1:-}" ]; then
		(export "${1?}" && app_conf_write)
	else
		app_conf_write
	fi
	kill -HUP "$(cat "$STATE/fcgi.pid")"
	sleep 1
}

# ---- delivery ---------------------------------------------------------------------

cases_webhooks_delivery() {
	local id secret cid got t0 lat ev
	wh_receiver_start
	wh_client WHD wh-deliv 'customers:read customers:write webhooks:manage'
	wh_create "$WHD_TOK" "$(wh_url d1)" '["CUSTOMER_NOTIFICATION","LABELS_UPDATE_NOTIFICATION"]'
	id=$WH_ID secret=$WH_SECRET
	wh_endpoint d1 "[\"$secret\"]" '[200]'
	t0=$(date +%s%3N)
	create "$WHD_TOK" "$(uuid4)" NATURAL_PERSON '["a"]'
	cid=$NEW_ID
	wait_until 100 wh_count_at_least d1 1
	got=$(wh_received d1)
	lat=$(($(jq '.[0].at' <<<"$got") - t0))
	ok "webhooks delivery: POST's event delivered within 1 s (${lat} ms, shared machine)" test "$lat" -lt 1000
	ok 'webhooks delivery: verified by the standardwebhooks library' wh_jq '.[0].verified == [true]' <<<"$got"
	ev=$(jq -r '.[0].body' <<<"$got")
	ok 'webhooks delivery: body is the event object {eventId, eventType, occurredOn, data}' wh_jq --arg c "$cid" \
		'(keys == ["data","eventId","eventType","occurredOn"]) and .eventType == "CUSTOMER_NOTIFICATION"
		 and .data.customerId == $c and .data.notificationType == "CREATED"' <<<"$ev"
	is "$(jq -r '.[0].id' <<<"$got")" "$(jq -r .eventId <<<"$ev")" 'webhooks delivery: webhook-id is the eventId'
	like "$(jq -r '.[0].userAgent' <<<"$got")" '^customers-fcgi/' 'webhooks delivery: User-Agent customers-fcgi/<version>'
	is "$(jq -r '.[0].contentType' <<<"$got")" application/json 'webhooks delivery: Content-Type application/json'
	ok 'webhooks delivery: webhook-timestamp is now (Unix seconds)' \
		test $(($(jq -r '.[0].timestamp' <<<"$got") - t0 / 1000)) -le 5
	req PATCH "/roles/customers/$cid" -H "$(bearer "$WHD_TOK")" -H "Requestor-ID: $(uuid4)" "${JH[@]}" -d '{"labels":["b"]}'
	wait_until 100 wh_count_at_least d1 2
	ok 'webhooks delivery: PATCH delivers LABELS_UPDATE_NOTIFICATION' wh_jq --arg c "$cid" \
		'.[1].body | fromjson | .eventType == "LABELS_UPDATE_NOTIFICATION" and (.data.updatedCustomers | index($c) != null)' \
		<<<"$(wh_received d1)"
	wh_attempts "$WHD_TOK" "$id"
	ok 'webhooks delivery: the attempt log shows both DELIVERED with 200, newest first' wh_jq \
		'(.data | length) == 2 and all(.data[]; .outcome == "DELIVERED" and .httpStatus == 200 and .attempt == 1
		 and (.durationMs | type == "number") and .error == null) and .data[0].attemptedOn >= .data[1].attemptedOn' <<<"$BODY"
	wh_order
}

# Per-customer order: five PATCHes of one customer in a row arrive in their order.
wh_order() {
	local cid i want got
	wh_create "$WHD_TOK" "$(wh_url order)" '["LABELS_UPDATE_NOTIFICATION"]'
	wh_endpoint order "[\"$WH_SECRET\"]" '[200]'
	create "$WHD_TOK" "$(uuid4)" NATURAL_PERSON '[]'
	cid=$NEW_ID
	for i in 1 2 3 4 5; do
		req PATCH "/roles/customers/$cid" -H "$(bearer "$WHD_TOK")" -H "Requestor-ID: $(uuid4)" "${JH[@]}" -d "{\"labels\":[\"o$i\"]}"
	done
	wait_until 100 wh_count_at_least order 5
	want=$(db_query "SELECT LOWER(INSERT(INSERT(INSERT(INSERT(HEX(event_id),9,0,'-'),14,0,'-'),19,0,'-'),24,0,'-'))
		FROM events WHERE customer_id = UNHEX('$(hex_of "$cid")') AND event_type = 'LABELS_UPDATE_NOTIFICATION' ORDER BY seq" | joined)
	got=$(wh_received order | jq -r '.[].id' | joined)
	is "$got" "$want" 'webhooks delivery: one customer'"'"'s events arrive in commit order'
}

# 500, 500, then 200: three attempts with the same webhook-id and body,
# each signed afresh and verified; the log shows FAILED_RETRYING twice.
cases_webhooks_retry() {
	local id got
	wh_receiver_start
	wh_client WHR wh-retry 'customers:write webhooks:manage'
	wh_create "$WHR_TOK" "$(wh_url r1)"
	id=$WH_ID
	wh_endpoint r1 "[\"$WH_SECRET\"]" '[500, 503, 200]'
	create "$WHR_TOK" "$(uuid4)" LEGAL_ENTITY
	wait_until 200 wh_count_at_least r1 3
	got=$(wh_received r1)
	is "$(jq length <<<"$got")" 3 'webhooks retry: 500, 503, 200: three attempts'
	ok 'webhooks retry: same webhook-id and body every time, every one verified' wh_jq \
		'(map(.id) | unique | length) == 1 and (map(.body) | unique | length) == 1 and all(.[]; .verified == [true])' <<<"$got"
	sleep 0.3
	wh_attempts "$WHR_TOK" "$id"
	is "$(jb '[.data[] | "\(.attempt):\(.httpStatus):\(.outcome)"] | join(" ")')" \
		'3:200:DELIVERED 2:503:FAILED_RETRYING 1:500:FAILED_RETRYING' 'webhooks retry: the attempt log, newest first'
	is "$(jb '.data[1].error')" 'HTTP 503' 'webhooks retry: the error names the status'
	wh_endpoint r1 "[\"$WH_SECRET\"]" '[302]' "$(wh_url r1-target)"
	create "$WHR_TOK" "$(uuid4)" LEGAL_ENTITY
	wait_until 200 wh_count_at_least r1 5
	is "$(wh_received r1-target | jq length)" 0 'webhooks retry: a 302 is not followed'
	wh_attempts "$WHR_TOK" "$id"
	is "$(jb .data[0].httpStatus) $(jb .data[0].outcome)" '302 FAILED_RETRYING' 'webhooks retry: a 302 is a failed attempt, retried'
	wh_pages "$WHR_TOK" "$id"
	wh_endpoint r1 "[\"$WH_SECRET\"]" '[410]'
	wait_until 200 wh_webhook_disabled "$WHR_TOK" "$id"
	req GET "/webhooks/$id" -H "$(bearer "$WHR_TOK")"
	is "$(jb .enabled)" false 'webhooks retry: a 410 disables the subscription at once'
	like "$(jb .disabledReason)" '410' 'webhooks retry: disabledReason names the 410'
	like "$(jb .disabledOn)" "$TIME_RE" 'webhooks retry: disabledOn set'
}

# The attempt log pages with a keyset cursor; a tampered one is refused.
# The retried 302 of the retry group may still add attempts while this
# pages: they are the newest, so "the rest" is what the whole log holds
# after the first page's last attempt, read once both pages are in.
wh_pages() { # TOKEN ID
	local first second cursor bad last n
	req GET "/webhooks/$2/deliveries?limit=2" -H "$(bearer "$1")"
	first=$(jb '[.data[] | .attemptedOn + " " + (.attempt | tostring)] | join(",")')
	last=$(jb '.data[-1] | .attemptedOn + " " + (.attempt | tostring)')
	cursor=$(jb '.pagination.cursor // empty')
	ok 'webhooks deliveries: limit=2 gives a cursor' test -n "$cursor"
	req GET "/webhooks/$2/deliveries?limit=100&cursor=$cursor" -H "$(bearer "$1")"
	second=$(jb '[.data[] | .attemptedOn + " " + (.attempt | tostring)] | join(",")')
	n=$(jb '.data | length')
	wh_attempts "$1" "$2"
	is "$n" "$(jq -r --arg l "$last" '[.data[] | .attemptedOn + " " + (.attempt | tostring)] |
		length - index($l) - 1' <<<"$BODY")" 'webhooks deliveries: the next page holds the rest'
	ok 'webhooks deliveries: no attempt on both pages' test "${second#*"$first"}" = "$second"
	bad=${cursor%?}A
	if [ "$bad" = "$cursor" ]; then bad=${cursor%?}B; fi
	req GET "/webhooks/$2/deliveries?cursor=$bad" -H "$(bearer "$1")"
	expect_error 400 BAD_REQUEST INVALID_CURSOR 'webhooks deliveries: a tampered cursor 400 INVALID_CURSOR'
	req GET "/webhooks/$2/deliveries?limit=0" -H "$(bearer "$1")"
	expect_invalid limit 'webhooks deliveries: limit=0 400'
	req GET "/webhooks/$2/deliveries?since=x" -H "$(bearer "$1")"
	expect_invalid since 'webhooks deliveries: an unknown parameter 400'
}

wh_webhook_disabled() { # TOKEN ID
	req GET "/webhooks/$2" -H "$(bearer "$1")"
	[ "$(jb .enabled)" = false ]
}

# Rotation: two signatures for 24 h, each verified by the library with its
# secret; replay sends the same eventIds again.
cases_webhooks_rotation() {
	local id old new got before ids
	wh_receiver_start
	wh_client WHT wh-rotate 'customers:write webhooks:manage'
	wh_create "$WHT_TOK" "$(wh_url rot)"
	id=$WH_ID old=$WH_SECRET
	req POST "/webhooks/$id/secret-rotation" -H "$(bearer "$WHT_TOK")" -d ''
	new=$(jb '.secret // empty')
	like "$STATUS $new" '^200 whsec_' 'webhooks rotation: 200 with a new secret'
	isnt "$new" "$old" 'webhooks rotation: a different secret'
	wh_endpoint rot "[\"$old\", \"$new\"]" '[200]'
	before=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
	create "$WHT_TOK" "$(uuid4)" NATURAL_PERSON
	wait_until 100 wh_count_at_least rot 1
	got=$(wh_received rot)
	is "$(jq -r '.[0].signatures | split(" ") | length' <<<"$got")" 2 'webhooks rotation: two signatures'
	ok 'webhooks rotation: the old secret and the new one each verify it' wh_jq '.[0].verified == [true, true]' <<<"$got"
	ids=$(jq -r '.[].id' <<<"$got")
	req POST "/webhooks/$id/replay" -H "$(bearer "$WHT_TOK")" "${JH[@]}" -d "{\"since\":\"$before\"}"
	expect 202 'webhooks replay: 202'
	wait_until 100 wh_count_at_least rot 2
	is "$(wh_received rot | jq -r '.[1].id')" "$ids" 'webhooks replay: the same eventId again'
	req POST "/webhooks/$id/replay" -H "$(bearer "$WHT_TOK")" "${JH[@]}" -d '{"since":"yesterday"}'
	expect_invalid since 'webhooks replay: since must be RFC 3339'
	req POST "/webhooks/$id/replay" -H "$(bearer "$WHT_TOK")" "${JH[@]}" -d "{\"since\":\"$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)\"}"
	expect 202 'webhooks replay: since the future: 202, nothing to send'
}

# The policy without the relaxation: loopback and private receivers are
# refused at registration, and an existing subscription to 127.0.0.1 is
# refused at connect time (the check after DNS, in the deliverer).
cases_webhooks_ssrf_strict() {
	local id u
	wh_receiver_start
	wh_client WHZ wh-strict 'customers:write webhooks:manage'
	wh_create "$WHZ_TOK" "$(wh_url strict)"
	id=$WH_ID
	wh_endpoint strict "[\"$WH_SECRET\"]" '[200]'
	wh_reload WH_ALLOW_PRIVATE=0
	for u in 'https://localhost/' 'https://127.0.0.1/' 'https://127.1.2.3/' 'https://[::1]/' 'https://10.0.0.1/' \
		'https://172.16.0.1/' 'https://192.168.0.1/' 'https://169.254.169.254/' 'https://100.64.0.1/' \
		'https://[fc00::1]/' 'https://[fe80::1]/' 'https://[::ffff:127.0.0.1]/' 'https://[::ffff:7f00:1]/' \
		'https://[64:ff9b::7f00:1]/' 'https://[2002:7f00:1::]/' 'https://[2001:0:7f00:1::]/' "$(wh_url strict)"; do
		wh_create "$WHZ_TOK" "$u"
		expect_error 400 BAD_REQUEST URL_NOT_ALLOWED "webhooks ssrf strict: $u refused at registration"
	done
	create "$WHZ_TOK" "$(uuid4)" NATURAL_PERSON
	wait_until 100 wh_attempted "$WHZ_TOK" "$id"
	wh_attempts "$WHZ_TOK" "$id"
	is "$(jb '.data[0].error')" 'address not allowed: loopback' \
		'webhooks ssrf strict: refused at connect time after DNS (registered while allowed)'
	is "$(wh_received strict | jq length)" 0 'webhooks ssrf strict: the receiver got nothing'
	wh_reload
	wait_until 300 wh_count_at_least strict 1
	is "$(wh_received strict | jq length)" 1 'webhooks ssrf strict: allowed again, the retry arrives'
}

# A receiver that takes 8 s to answer holds back only its own subscription:
# another subscription of the same partner gets the same event within 1 s.
cases_webhooks_slow() {
	local t0 lat
	wh_receiver_start
	wh_client WHL wh-slow 'customers:write webhooks:manage'
	wh_create "$WHL_TOK" "$(wh_url slow)"
	wh_endpoint slow "[\"$WH_SECRET\"]" '[200]' '' 8000
	wh_create "$WHL_TOK" "$(wh_url fast)"
	wh_endpoint fast "[\"$WH_SECRET\"]" '[200]'
	create "$WHL_TOK" "$(uuid4)" NATURAL_PERSON
	create "$WHL_TOK" "$(uuid4)" NATURAL_PERSON
	t0=$(date +%s%3N)
	create "$WHL_TOK" "$(uuid4)" NATURAL_PERSON
	wait_until 100 wh_count_at_least fast 3
	lat=$(($(wh_received fast | jq '.[2].at') - t0))
	ok "webhooks slow: a fast receiver gets its events within 1 s (${lat} ms) while another hangs" test "$lat" -lt 1000
	is "$(wh_received fast | jq length)" 3 'webhooks slow: all three at the fast receiver'
}

# The most deliveries NAME had in flight at once since AFTER (Unix ms):
# arrivals within DELAY ms of each other.
wh_peak() { # NAME DELAY_MS AFTER
	wh_received "$1" | jq --argjson d "$2" --argjson t "$3" '[.[].at | select(. > $t)] | sort as $a |
		[range(0; $a | length) as $i | [$a[] | select(. >= $a[$i] and . < $a[$i] + $d)] | length] | max'
}

# A receiver that answers 2xx within a second earns a larger share than
# [webhooks] concurrency (4 here), up to 8 times it: 40 events about 40
# customers, replayed at once to a receiver that takes 300 ms, are in
# flight more than 4 at a time, never more than 32.
cases_webhooks_share() {
	local i peak since t0 id
	wh_receiver_start
	wh_client WHS wh-share 'customers:write webhooks:manage'
	wh_create "$WHS_TOK" "$(wh_url share)"
	id=$WH_ID
	wh_endpoint share "[\"$WH_SECRET\"]" '[200]'
	since=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
	sleep 0.01
	for i in $(seq 40); do create "$WHS_TOK" "$(uuid4)" NATURAL_PERSON; done
	wait_until 300 wh_count_at_least share 40
	wh_endpoint share "[\"$WH_SECRET\"]" '[200]' '' 300
	t0=$(date +%s%3N)
	req POST "/webhooks/$id/replay" -H "$(bearer "$WHS_TOK")" "${JH[@]}" -d "{\"since\":\"$since\"}"
	is "$STATUS" 202 'webhooks share: replay of the 40 events accepted'
	wait_until 300 wh_count_at_least share 80
	peak=$(wh_peak share 300 "$t0")
	ok "webhooks share: a fast receiver gets more than 4 in flight ($peak at most)" test "$peak" -gt 4
	ok "webhooks share: and never more than 32 ($peak)" test "$peak" -le 32
}

# The metrics of §14 after the deliveries above.
cases_webhooks_metrics() {
	req GET /metrics
	ok 'webhooks metrics: deliveries by outcome' grep -Eq '^customers_webhook_deliveries_total\{outcome="DELIVERED"\} [1-9]' "$STATE/last.body"
	ok 'webhooks metrics: commit -> 2xx latency histogram' grep -Eq '^customers_webhook_delivery_latency_seconds_bucket\{le="\+Inf"\} [1-9]' "$STATE/last.body"
	ok 'webhooks metrics: oldest undelivered event age by subscription state' \
		grep -Eq '^customers_webhook_oldest_undelivered_seconds\{subscription="enabled"\} [0-9.]+$' "$STATE/last.body"
}

# No 2xx for "5 days" (time_scale 1000000: 0.43 s) disables the subscription with a reason.
cases_webhooks_dead() {
	local id
	wh_receiver_start
	wh_client WHE wh-dead 'customers:write webhooks:manage'
	wh_create "$WHE_TOK" "$(wh_url dead)"
	id=$WH_ID
	wh_endpoint dead "[\"$WH_SECRET\"]" '[500]'
	wh_reload WH_TIME_SCALE=1000000
	create "$WHE_TOK" "$(uuid4)" NATURAL_PERSON
	create "$WHE_TOK" "$(uuid4)" NATURAL_PERSON
	wait_until 300 wh_webhook_disabled "$WHE_TOK" "$id"
	req GET "/webhooks/$id" -H "$(bearer "$WHE_TOK")"
	is "$(jb .enabled) $(jb .disabledReason)" 'false no successful delivery for 5 days' \
		'webhooks dead: five days without a 2xx disable the subscription, with the reason'
	wh_attempts "$WHE_TOK" "$id"
	ok 'webhooks dead: its attempts failed and were retried' wh_jq \
		'all(.data[]; .httpStatus == 500) and (.data | map(.attempt) | max) > 1' <<<"$BODY"
	wh_reload
}

wh_attempted() { # TOKEN ID
	wh_attempts "$1" "$2"
	[ "$(jb '.data | length')" -ge 1 ]
}

ALL_CASES+=" webhooks_crud webhooks_scope webhooks_isolation webhooks_ssrf webhooks_delivery webhooks_retry"
ALL_CASES+=" webhooks_rotation webhooks_ssrf_strict webhooks_slow webhooks_share webhooks_dead webhooks_metrics"
WEB_CASES+=" webhooks_crud"

