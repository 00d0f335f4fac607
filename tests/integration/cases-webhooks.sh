# shellcheck shell=bash
# shellcheck disable=SC2016 # jq programs name their $variables in single quotes
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
	expect 400 'webhooks: list takes no parameters'
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
	local both
	wh_client WHS wh-scope
	req GET /webhooks -H "$(bearer "$WHS_TOK")"
	expect 200 'webhooks scope: webhooks:manage reaches /webhooks'
	req GET /roles/customers -H "$(bearer "$WHS_TOK")"
	expect 403 'webhooks scope: webhooks:manage alone does not reach the customers'
	req GET /webhooks -H "$(bearer "$A_TOK")"
	expect_error 403 FORBIDDEN '' 'webhooks scope: customers:read+write does not reach /webhooks'
	like "$(hdr WWW-Authenticate)" 'insufficient_scope' 'webhooks scope: 403 says insufficient_scope'
	wh_client both wh-scope 'customers:read webhooks:manage'
	req GET /roles/customers -H "$(bearer "$both_TOK")"
	expect 200 'webhooks scope: granted together, both reach'
	token_for "$both" webhooks:manage
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
ALL_CASES+=" webhooks_crud webhooks_scope webhooks_isolation webhooks_ssrf"
WEB_CASES+=" webhooks_crud"
