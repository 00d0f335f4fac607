# shellcheck shell=bash
# shellcheck disable=SC2016 # jq programs name their $variables in single quotes
# cases.sh: the contract (/work/shared/contract.md, docs/openapi.yaml) as
# HTTP requests and expected answers, one TAP line per assertion.  Sourced
# by a runner (suite.sh, for run-*.sh) after lib.sh has started the stack and set
# BASE; run_cases runs every group in order.
#
# Each group makes the partners and customers it needs, so its counts hold
# whatever the other groups did; a few later groups reuse the ACME client
# and customers made by earlier ones (named in capitals).

UUID7_RE='^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
TIME_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$'
REQID_RE='^[A-Za-z0-9._-]{1,64}$'
JH=(-H 'Content-Type: application/json')
IBAN1=DE89370400440532013000
IBAN2=GB82WEST12345698765432

# ---- helpers ---------------------------------------------------------------

uuid4() { cat /proc/sys/kernel/random/uuid; }

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

b64url_decode() { # TEXT
	local s=${1//-/+}
	s=${s//_//}
	while ((${#s} % 4)); do s+='='; done
	base64 -d <<<"$s" 2>/dev/null
}

# A new OAuth client, {"client_id","client_secret"}, into VAR.  Setup: a
# failure ends the run (so never call these in a $(...) subshell).
client_add() { # VAR PARTNER [SCOPES]
	local out
	out=$(admin client add --partner "$2" ${3:+--scopes "$3"} 2>>"$STATE/admin.log") ||
		die "customers-admin client add failed; see $STATE/admin.log"
	jq -e '.client_id and .client_secret' <<<"$out" >/dev/null ||
		die "customers-admin client add printed no credentials: $out"
	printf -v "$1" '%s' "$out"
}

basic_of() { jq -r '.client_id + ":" + .client_secret' <<<"$1"; }

# Asks for a token by HTTP Basic: STATUS, BODY and TOKEN ("" on failure).
token_for() { # CLIENT_JSON [SCOPE]
	local extra=()
	[ -n "${2:-}" ] && extra=(-d "scope=$2")
	req POST /oauth2/token -u "$(basic_of "$1")" -d grant_type=client_credentials "${extra[@]}"
	TOKEN=$(jb '.access_token // empty')
}

# A token into VAR; without one the run ends, as every later case needs it.
must_token() { # VAR CLIENT_JSON [SCOPE]
	local var=$1
	shift
	token_for "$@"
	[ -n "$TOKEN" ] || die "no access token: $(last_response)"
	printf -v "$var" '%s' "$TOKEN"
}

bearer() { printf 'Authorization: Bearer %s' "$1"; }

jwt_payload() { # TOKEN
	local p=${1#*.}
	b64url_decode "${p%%.*}"
}

# Signs HEADER.PAYLOAD (JSON texts) with the service's JWT secret.
jwt_sign() { # sha256|sha512 HEADER_JSON PAYLOAD_JSON
	local h p sig
	h=$(printf '%s' "$2" | b64url)
	p=$(printf '%s' "$3" | b64url)
	sig=$(printf '%s' "$h.$p" |
		openssl dgst -"$1" -mac HMAC -macopt "key:$(cat "$STATE/jwt-secret")" -binary | b64url)
	printf '%s.%s.%s' "$h" "$p" "$sig"
}

HS256='{"alg":"HS256","typ":"JWT"}'

# A POST body; LABELS and REFS are JSON arrays.
body_of() { # ENTITY TYPE [LABELS] [REFS]
	jq -cn --arg e "$1" --arg t "$2" --argjson l "${3:-null}" --argjson r "${4:-null}" \
		'{entityId: $e, entityType: $t}
		 + (if $l == null then {} else {labels: $l} end)
		 + (if $r == null then {} else {refAccounts: $r} end)'
}

# Creates a customer: STATUS, BODY and NEW_ID ("" on failure).
create() { # TOKEN ENTITY TYPE [LABELS] [REFS]
	local tok=$1
	shift
	req POST /roles/customers -H "$(bearer "$tok")" "${JH[@]}" -d "$(body_of "$@")"
	NEW_ID=$(jb '.customerId // empty')
}

expect() { # STATUS NAME
	is "$STATUS" "$1" "$2"
}

# The error envelope: status, responseType, errorCode ("" to skip) and a
# requestId equal to the X-Request-ID header, all in one line.
# What keeps the last answer from being the error envelope of section 6 with
# STATUS and TYPE, a line each: served as JSON, a message, exactly one
# X-Request-ID, of the documented alphabet, equal to requestId.
envelope_problems() { # STATUS TYPE
	[ "$STATUS" = "$1" ] || echo "status: expected $1, got $STATUS"
	[ "$(jb .responseType)" = "$2" ] || echo "responseType: expected $2, got $(jb .responseType)"
	[[ $(hdr Content-Type) == application/json* ]] || echo "Content-Type: $(hdr Content-Type)"
	[ -n "$(jb '.message // empty')" ] || echo "no message"
	[ "$(grep -ic '^X-Request-ID:' "$STATE/last.headers")" = 1 ] || echo "not one X-Request-ID"
	[[ $(hdr X-Request-ID) =~ ^[A-Za-z0-9._-]{1,64}$ ]] && [ "$(jb .requestId)" = "$(hdr X-Request-ID)" ] ||
		echo "requestId '$(jb .requestId)' vs X-Request-ID '$(hdr X-Request-ID)'"
}

expect_error() { # STATUS TYPE CODE NAME
	local why=()
	mapfile -t why < <(envelope_problems "$1" "$2")
	[ -z "$3" ] || [ "$(jb .errorCode)" = "$3" ] ||
		why+=("errorCode: expected $3, got $(jb .errorCode)")
	if [ "${#why[@]}" = 0 ]; then
		tap_result 1 "$4"
	else
		tap_result 0 "$4" "${why[@]}" "$(last_response)"
	fi
}

has_detail() { # FIELD...: errorDetails names every FIELD
	jq -e '[.errorDetails[]?.field] as $f | $ARGS.positional | all(. as $x | $f | index($x) != null)' \
		--args "$@" <<<"$BODY" >/dev/null
}

# 400 naming FIELD among the details.
expect_invalid() { # FIELD NAME
	if [ "$STATUS" = 400 ] && has_detail "$1"; then
		tap_result 1 "$2"
	else
		tap_result 0 "$2" "expected 400 with errorDetails field '$1'" "$(last_response)"
	fi
}

# 400 with a detail whose field starts with PREFIX.
expect_invalid_under() { # PREFIX NAME
	if [ "$STATUS" = 400 ] &&
		jq -e --arg f "$1" 'any(.errorDetails[]?.field; startswith($f))' <<<"$BODY" >/dev/null; then
		tap_result 1 "$2"
	else
		tap_result 0 "$2" "expected 400 with an errorDetails field under '$1'" "$(last_response)"
	fi
}

# The ids of a list answer, one a line.
ids() { jb '.data[]?.customerId'; }

# Walks every page of QUERY (without cursor): the ids in order go to
# $STATE/walk.ids; PAGES counts the pages and WALK_OK is 0 when a page
# failed or a cursor came back on an empty page.
# Follows the cursor of QUERY to the end: PAGES, WALK_OK (every page 200,
# and none empty unless WALK_SHORT_OK=1: [list] scan_limit may cut pages),
# SHORT (pages with fewer than LIMIT customers and a cursor), the ids in
# $STATE/walk.ids.
walk() { # TOKEN QUERY
	local cursor='' q
	PAGES=0
	SHORT=0
	WALK_OK=1
	: >"$STATE/walk.ids"
	while :; do
		q=$2${cursor:+&cursor=$cursor}
		req GET "/roles/customers?$q" -H "$(bearer "$1")"
		if [ "$STATUS" != 200 ] || [ "$PAGES" -gt 200 ]; then
			WALK_OK=0
			return
		fi
		PAGES=$((PAGES + 1))
		ids >>"$STATE/walk.ids"
		cursor=$(jb '.pagination.cursor // empty')
		[ -n "$cursor" ] || return 0
		[ "$(jb '.data | length')" -lt "$(jb .pagination.limit)" ] && SHORT=$((SHORT + 1))
		[ "$(jb '.data | length')" -gt 0 ] || [ "${WALK_SHORT_OK:-0}" = 1 ] || WALK_OK=0
		sleep "${WALK_PAUSE:-0}"
	done
}

joined() { paste -sd' ' -; }

walked() { joined <"$STATE/walk.ids"; }

# ---- operations routes ----------------------------------------------------

cases_ops() {
	req GET /healthz
	is "$STATUS $(jb .status)" "200 ok" 'healthz: 200 {"status":"ok"}'
	like "$(hdr X-Request-ID)" "$REQID_RE" 'healthz: X-Request-ID present'
	req GET /metrics
	like "$STATUS $(hdr Content-Type)" '^200 text/plain' 'metrics: 200 text/plain'
	ok 'metrics: a request counter with a value' \
		grep -Eq '^[a-z_:]*request[a-z_]*(\{[^}]*\})? [0-9.e+]+$' "$STATE/last.body"
	req GET /nope/at/all -H "$(bearer "$A_TOK")"
	expect_error 404 NOT_FOUND '' 'unknown path: 404 in the error envelope'
}

# ---- token endpoint ---------------------------------------------------------

cases_token() {
	local claims
	token_for "$ACME"
	is "$STATUS $(jb .token_type) $(jb .expires_in)" "200 Bearer 3600" 'token by Basic: 200 Bearer 3600'
	is "$(jb '.scope | split(" ") | sort | join(" ")')" "customers:read customers:write" \
		'token: default scope is all of the client'"'"'s scopes'
	like "$(hdr Cache-Control)" 'no-store' 'token: Cache-Control no-store (RFC 6749 5.1)'
	claims=$(jwt_payload "$TOKEN")
	ok 'token: JWT carries iss, sub/client_id, scope, iat, exp (= iat + 3600), jti' jq -e \
		'.iss == "customers-fcgi" and ((.sub // .client_id) | type == "string") and (.scope | type == "string")
		 and (.jti | type == "string") and .exp - .iat == 3600' <<<"$claims"
	req POST /oauth2/token -d grant_type=client_credentials \
		-d "client_id=$(jq -r .client_id <<<"$ACME")" -d "client_secret=$(jq -r .client_secret <<<"$ACME")"
	is "$STATUS $(jb '.access_token | split(".") | length')" "200 3" 'token by form fields: 200 with a JWT'
	req POST /oauth2/token -d grant_type=client_credentials \
		-d "client_id=$(jq -r .client_id <<<"$ACME")" -d client_secret=wrong
	is "$STATUS $(jb .error)" "401 invalid_client" 'token: wrong secret 401 invalid_client'
	req POST /oauth2/token -u cl_nosuchclient:whatever -d grant_type=client_credentials
	is "$STATUS $(jb .error)" "401 invalid_client" 'token: unknown client 401 invalid_client'
	req POST /oauth2/token -d grant_type=client_credentials
	is "$STATUS $(jb .error)" "401 invalid_client" 'token: no client authentication 401 invalid_client'
	req POST /oauth2/token -u "$(basic_of "$ACME")" -d grant_type=password
	is "$STATUS $(jb .error)" "400 unsupported_grant_type" 'token: grant_type=password 400 unsupported_grant_type'
	req POST /oauth2/token -u "$(basic_of "$ACME")" -d grant_type=client_credentials -d 'scope=customers:admin'
	is "$STATUS $(jb .error)" "400 invalid_scope" 'token: unknown scope 400 invalid_scope'
	token_for "$ACME" customers:read
	is "$STATUS $(jb .scope)" "200 customers:read" 'token: scope subset customers:read granted as asked'
	token_for "$READER" customers:write
	is "$STATUS $(jb .error)" "400 invalid_scope" 'token: read-only client asking for write 400 invalid_scope'
	req POST /oauth2/token -d grant_type=client_credentials -d 'client_id=%C3%A9%E2%82%ACx' -d client_secret=x
	is "$STATUS $(jb .error)" "401 invalid_client" 'token: non-ASCII client_id 401 invalid_client, not 500'
	req POST /oauth2/token -H 'Content-Type: text/plain' --data-binary grant_type=client_credentials
	is "$STATUS $(jb .error) $(jb '.error_description | length > 0')" "415 invalid_request true" \
		'token: wrong Content-Type 415 invalid_request with a description'
}

# ---- bearer checks ---------------------------------------------------------

# 401 invalid_token, in the envelope, for the request made just before.
expect_invalid_token() { # NAME
	local why=()
	[ "$STATUS" = 401 ] || why+=("status: expected 401, got $STATUS")
	[[ "$(hdr WWW-Authenticate)" =~ ^Bearer.*error=\"invalid_token\" ]] ||
		why+=("WWW-Authenticate: '$(hdr WWW-Authenticate)'")
	[ "$(jb .responseType)" = UNAUTHORIZED ] || why+=("responseType: $(jb .responseType)")
	if [ "${#why[@]}" = 0 ]; then
		tap_result 1 "$1"
	else
		tap_result 0 "$1" "${why[@]}" "$(last_response)"
	fi
}

get_with() { # AUTHORIZATION-HEADER-VALUE
	req GET /roles/customers -H "Authorization: $1"
}

cases_bearer() {
	local claims now other disabled dtok
	claims=$(jwt_payload "$A_TOK")
	now=$(date +%s)
	req GET /roles/customers
	expect_invalid_token 'no Authorization header: 401 invalid_token'
	get_with "Basic $(basic_of "$ACME" | base64 -w0)"
	expect_invalid_token 'Basic scheme on the API: 401 invalid_token'
	get_with 'Bearer not.a.jwt'
	expect_invalid_token 'malformed token: 401 invalid_token'
	get_with "Bearer ${A_TOK%?????}AAAAA"
	expect_invalid_token 'bad signature: 401 invalid_token'
	get_with "Bearer $(jwt_sign sha256 "$HS256" "$claims")"
	is "$STATUS" 200 'control: a token the test signs with the same key and claims is accepted'
	get_with "Bearer $(jwt_sign sha256 "$HS256" "$(jq -c --argjson n "$now" '.iat = $n - 7200 | .exp = $n - 60' <<<"$claims")")"
	expect_invalid_token 'expired token: 401 invalid_token'
	get_with "Bearer $(jwt_sign sha256 "$HS256" "$(jq -c --argjson n "$now" '.nbf = $n + 3600' <<<"$claims")")"
	expect_invalid_token 'not yet valid (nbf) token: 401 invalid_token'
	get_with "Bearer $(printf '{"alg":"none","typ":"JWT"}' | b64url).$(printf '%s' "$claims" | b64url)."
	expect_invalid_token 'alg none: 401 invalid_token'
	get_with "Bearer $(jwt_sign sha512 '{"alg":"HS512","typ":"JWT"}' "$claims")"
	expect_invalid_token 'HS512 token (not the configured alg): 401 invalid_token'
	get_with "Bearer $(jwt_sign sha256 "$HS256" "$(jq -c '.iss = "someone-else"' <<<"$claims")")"
	expect_invalid_token 'wrong iss: 401 invalid_token'
	other=$(jq -c '.scope = "customers:read customers:write"' <<<"$claims")
	get_with "Bearer $(jwt_sign sha256 "$HS256" "$other" | tr 'A-Za-z' 'N-ZA-Mn-za-m')"
	expect_invalid_token 'garbled token: 401 invalid_token'
	client_add disabled acme
	must_token dtok "$disabled"
	admin client disable "$(jq -r .client_id <<<"$disabled")" >>"$STATE/admin.log" 2>&1 ||
		die "customers-admin client disable failed"
	get_with "Bearer $dtok"
	expect_invalid_token 'token of a disabled client: 401 invalid_token'
	token_for "$disabled"
	is "$STATUS $(jb .error)" "401 invalid_client" 'disabled client cannot get a token'

	req POST /roles/customers -H "$(bearer "$A_RO")" "${JH[@]}" -d "$(body_of "$(uuid4)" NATURAL_PERSON)"
	if [ "$STATUS" = 403 ] && [[ "$(hdr WWW-Authenticate)" =~ error=\"insufficient_scope\" ]] &&
		[ "$(jb .responseType)" = FORBIDDEN ]; then
		tap_result 1 'read-only token on POST: 403 insufficient_scope'
	else
		tap_result 0 'read-only token on POST: 403 insufficient_scope' "$(hdr WWW-Authenticate)" "$(last_response)"
	fi
	req GET /roles/customers -H "$(bearer "$A_RO")"
	expect 200 'read-only token on GET list: 200'
}

# ---- create ------------------------------------------------------------------

cases_create() {
	local e big i labels
	E1=$(uuid4)
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" -H "Requestor-ID: $(uuid4)" \
		-H 'X-Request-ID: it.create_1-A' \
		-d "$(body_of "$E1" NATURAL_PERSON '["vip","berlin","Zebra","a","\u00e9t\u00e9","B"]' \
			'[{"iban":"'$IBAN2'","ownerName":"Erika Musterfrau"},
			  {"iban":"'$IBAN1'","ownerName":"Max Mustermann","bic":"COBADEFFXXX","bankName":"Commerzbank","type":"PRIMARY"}]')"
	C1=$(jb '.customerId // empty')
	expect 200 'create: 200'
	like "$C1" "$UUID7_RE" 'create: customerId is a lower-case UUIDv7'
	is "$(hdr X-Request-ID)" it.create_1-A 'create: sane X-Request-ID is reused'

	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" -d "$(body_of "$E1" LEGAL_ENTITY)" \
		-H 'X-Request-ID: bad id!'
	expect_error 409 CONFLICT CUSTOMER_ALREADY_EXISTS 'create: same entity again 409 CUSTOMER_ALREADY_EXISTS'
	ok 'create: 409 names entityId' has_detail entityId
	like "$(jb .message)" "$C1" 'create: 409 message includes the existing customerId'
	if [ "$(hdr X-Request-ID)" != 'bad id!' ] && [[ "$(hdr X-Request-ID)" =~ $REQID_RE ]]; then
		tap_result 1 'insane X-Request-ID is replaced by a generated one'
	else
		tap_result 0 'insane X-Request-ID is replaced by a generated one' "got '$(hdr X-Request-ID)'"
	fi
	i=$(printf 'r%.0s' {1..64})
	req GET /healthz -H "X-Request-ID: $i"
	is "$(hdr X-Request-ID)" "$i" 'X-Request-ID of 64 characters is reused'
	req GET /healthz -H "X-Request-ID: ${i}r"
	isnt "$(hdr X-Request-ID)" "${i}r" 'X-Request-ID of 65 characters is replaced'

	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" \
		-d '{"entityId":"x","entityType":"ROBOT","customerStatus":"ACTIVE","labels":[" a"],
		     "refAccounts":[{"iban":"DE89370400440532013001","ownerName":""}]}'
	expect_error 400 BAD_REQUEST VALIDATION_FAILED 'invalid body: 400 VALIDATION_FAILED'
	for i in entityId entityType customerStatus 'labels[0]' 'refAccounts[0].iban' 'refAccounts[0].ownerName'; do
		ok "invalid body: $i reported (all errors at once)" has_detail "$i"
	done
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" -d '{}'
	ok 'empty object: both required fields reported' has_detail entityId entityType
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" \
		-d "$(body_of "$(uuid4)" NATURAL_PERSON null '[{"iban":"'$IBAN1'","ownerName":"A","customerId":"x"}]')"
	expect_invalid 'refAccounts[0].customerId' 'unknown field inside a ref account: 400 with its path'
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" \
		-d "$(body_of "$(uuid4)" NATURAL_PERSON null '[{"iban":"GB82WEST12345698765431","ownerName":"A"}]')"
	expect_invalid 'refAccounts[0].iban' 'IBAN with a bad mod-97 checksum: 400'
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" \
		-d "$(body_of "$(uuid4)" NATURAL_PERSON null '[{"iban":"'$IBAN1'","ownerName":"A","bic":"COBA"}]')"
	expect_invalid 'refAccounts[0].bic' 'malformed BIC: 400'
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" \
		-d "$(body_of "$(uuid4)" NATURAL_PERSON null '[{"iban":"'$IBAN1'","ownerName":"   "}]')"
	expect_invalid 'refAccounts[0].ownerName' 'blank ownerName: 400'
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" \
		-d "$(body_of "$(uuid4)" NATURAL_PERSON null \
			'[{"iban":"'$IBAN1'","ownerName":"A","type":"PRIMARY"},{"iban":"'$IBAN2'","ownerName":"B","type":"PRIMARY"}]')"
	expect_invalid_under refAccounts 'two PRIMARY ref accounts: 400'
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" \
		-d "$(body_of "$(uuid4)" NATURAL_PERSON null "$(jq -cn --arg i "$IBAN1" '[range(11) | {iban: $i, ownerName: "A"}]')")"
	expect_invalid_under refAccounts '11 ref accounts: 400'

	labels=$(jq -cn '[range(17) | "l\(.)"]')
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" -d "$(body_of "$(uuid4)" NATURAL_PERSON "$labels")"
	expect_invalid_under labels '17 labels: 400'
	labels=$(jq -cn '[range(16) | "l\(.)"]')
	create "$A_TOK" "$(uuid4)" NATURAL_PERSON "$labels"
	expect 200 '16 labels: 200'
	labels=$(jq -cn '[[range(65)] | map("x") | add]')
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" -d "$(body_of "$(uuid4)" NATURAL_PERSON "$labels")"
	expect_invalid 'labels[0]' 'label of 65 characters: 400 labels[0]'
	labels=$(jq -cn '[[range(64)] | map("\u00e4") | add]')
	create "$A_TOK" "$(uuid4)" NATURAL_PERSON "$labels"
	expect 200 'label of 64 two-byte characters (128 bytes): 200'
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" -d "$(body_of "$(uuid4)" NATURAL_PERSON '["a","b","a"]')"
	expect_invalid_under labels 'duplicate labels: 400'
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" -d "$(body_of "$(uuid4)" NATURAL_PERSON '["ok","tab\u0009in"]')"
	expect_invalid 'labels[1]' 'label with a control character: 400 labels[1]'
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" -d "$(body_of "$(uuid4)" NATURAL_PERSON '["trailing "]')"
	expect_invalid 'labels[0]' 'label with trailing white space: 400'
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" -d "$(body_of "$(uuid4)" NATURAL_PERSON '[""]')"
	expect_invalid 'labels[0]' 'empty label: 400'
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" -d '{"entityId":"'"$(uuid4)"'","entityType":7,"labels":"vip"}'
	ok 'wrong JSON types: entityType and labels reported' has_detail entityType labels
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" -d "$(jq -cn '[range(80) | {key: "u\(.)", value: 1}] | from_entries')"
	ok 'body with 82 problems: the ones past the cap are counted under TOO_MANY_ERRORS' jq -e \
		'[.errorDetails[] | select(.field == "body") | .errors[0]] | .[0].code == "TOO_MANY_ERRORS" and (.[0].parameter | tonumber) > 0' \
		"$STATE/last.body"

	req POST /roles/customers -H "$(bearer "$A_TOK")" -H 'Content-Type: text/plain' -d "$(body_of "$(uuid4)" NATURAL_PERSON)"
	expect_error 415 UNSUPPORTED_MEDIA_TYPE '' 'text/plain body: 415'
	req POST /roles/customers -H "$(bearer "$A_TOK")" -H 'Content-Type: application/json; charset=utf-8' \
		-d "$(body_of "$(uuid4)" JOINT_PERSON)"
	expect 200 'application/json; charset=utf-8: 200'
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" -d '{"entityId":'
	expect_error 400 BAD_REQUEST '' 'malformed JSON: 400'
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" -d '["not","an","object"]'
	expect_error 400 BAD_REQUEST '' 'JSON array instead of an object: 400'
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" -H 'Requestor-ID: nobody' \
		-d "$(body_of "$(uuid4)" NATURAL_PERSON)"
	expect_invalid Requestor-ID 'POST with a malformed Requestor-ID: 400 naming the header'

	# The 64 KiB limit: exactly 65536 bytes (JSON padded with spaces) pass, one more is 413.
	e=$(body_of "$(uuid4)" LEGAL_ENTITY)
	big="$STATE/body-64k"
	{ printf '%s' "$e"; printf '%*s' $((65536 - ${#e})) ''; } >"$big"
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" --data-binary @"$big"
	expect 200 'body of exactly 64 KiB: 200'
	printf ' ' >>"$big"
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" --data-binary @"$big"
	expect_error 413 PAYLOAD_TOO_LARGE '' 'body of 64 KiB + 1: 413'
}

# ---- read one ------------------------------------------------------------------

cases_get() {
	local etag
	req GET "/roles/customers/$C1" -H "$(bearer "$A_TOK")"
	expect 200 'get one: 200'
	is "$(jb 'keys | join(",")')" \
		"cancellationDate,createdOn,customerId,customerStatus,entityId,entityType,labels,modifiedOn,refAccounts" \
		'get one: exactly the contract'"'"'s fields'
	is "$(jb '[.customerId, .entityId, .entityType, .customerStatus] | join(" ")')" \
		"$C1 $E1 NATURAL_PERSON CREATED" 'get one: ids, entityType, status CREATED'
	is "$(jb '.labels | join(",")')" "B,Zebra,a,berlin,vip,$(printf '\u00e9t\u00e9')" \
		'get one: labels sorted in byte order'
	is "$(jb '[.refAccounts[] | keys | join("+")] | join(" ")')" \
		"iban+ownerName+type bankName+bic+iban+ownerName+type" \
		'get one: refAccounts in input order, absent fields omitted'
	is "$(jb '[.refAccounts[] | .iban + ":" + .type] | join(" ")')" "$IBAN2:OTHER $IBAN1:PRIMARY" \
		'get one: ref account type defaults to OTHER'
	like "$(jb .createdOn) $(jb .modifiedOn)" "^${TIME_RE:1:-1} ${TIME_RE:1}" \
		'get one: createdOn and modifiedOn are RFC 3339 UTC with milliseconds'
	is "$(jb 'has("cancellationDate") and .cancellationDate == null')" true 'get one: cancellationDate null'
	etag=$(hdr ETag)
	ok 'get one: ETag header' test -n "$etag"
	like "$(hdr X-Request-ID)" "$REQID_RE" 'get one: X-Request-ID on a 200'
	req GET "/roles/customers/${C1^^}" -H "$(bearer "$A_TOK")"
	is "$STATUS $(jb .customerId)" "200 $C1" 'get one: upper-case id accepted, echoed lower-case'
	is "$(hdr ETag)" "$etag" 'get one: ETag stable while the customer is unchanged'
	req GET /roles/customers/not-a-uuid -H "$(bearer "$A_TOK")"
	expect_error 400 BAD_REQUEST '' 'get one: malformed id 400'
	req GET "/roles/customers/$(uuid4)" -H "$(bearer "$A_TOK")"
	expect_error 404 NOT_FOUND CUSTOMER_NOT_FOUND 'get one: unknown id 404 CUSTOMER_NOT_FOUND'
}

# ---- list ------------------------------------------------------------------------

list_is() { # QUERY EXPECTED-IDS NAME
	req GET "/roles/customers?$1" -H "$(bearer "$L_TOK")"
	is "$STATUS $(ids | joined)" "200 $2" "$3"
}

list_rejects() { # QUERY FIELD NAME
	req GET "/roles/customers?$1" -H "$(bearer "$L_TOK")"
	expect_invalid "$2" "$3"
}

cursor_rejected() { # TOKEN QUERY NAME
	req GET "/roles/customers?$2" -H "$(bearer "$1")"
	expect_error 400 BAD_REQUEST INVALID_CURSOR "$3"
}

cases_list() {
	local l=() c all half
	client_add c lister
	must_token L_TOK "$c"
	# L[1] oldest .. L[7] newest: one curl after the other, milliseconds apart.
	L3_ENTITY=$(uuid4)
	create "$L_TOK" "$(uuid4)" NATURAL_PERSON '["a","b"]'
	l[1]=$NEW_ID
	create "$L_TOK" "$(uuid4)" LEGAL_ENTITY '["a"]'
	l[2]=$NEW_ID
	create "$L_TOK" "$L3_ENTITY" NATURAL_PERSON '["b"]'
	l[3]=$NEW_ID
	create "$L_TOK" "$(uuid4)" JOINT_PERSON '["a","b","c"]'
	l[4]=$NEW_ID
	create "$L_TOK" "$(uuid4)" LEGAL_ENTITY '[]'
	l[5]=$NEW_ID
	create "$L_TOK" "$(uuid4)" NATURAL_PERSON '["b","a"]'
	l[6]=$NEW_ID
	create "$L_TOK" "$(uuid4)" NATURAL_PERSON '["c"]'
	l[7]=$NEW_ID
	c=$(printf '%s\n' "${l[@]}" | grep -c .)
	[ "$c" = 7 ] || die "list setup: created $c of 7 customers: $(last_response)"
	all=$(printf '%s\n' "${l[7]}" "${l[6]}" "${l[5]}" "${l[4]}" "${l[3]}" "${l[2]}" "${l[1]}" | joined)
	req GET /roles/customers -H "$(bearer "$L_TOK")"
	is "$STATUS $(jb .pagination.limit) $(jb .pagination.cursor)" "200 20 null" 'list: default limit 20 echoed, one page'
	ok 'list: createdOn never increases (newest first)' jq -e \
		'[.data[].createdOn] as $t | $t == ($t | sort | reverse)' <<<"$BODY"
	is "$(ids | joined)" "$all" 'list: every customer, newest first'
	list_is "limit=1" "${l[7]}" 'list: limit=1 gives the newest'
	is "$(jb '.pagination.cursor | type')" string 'list: limit=1 has a next cursor'
	req GET '/roles/customers?limit=100' -H "$(bearer "$L_TOK")"
	is "$STATUS $(jb .pagination.limit)" "200 100" 'list: limit=100 accepted and echoed'
	list_rejects 'limit=0' limit 'list: limit=0 400 naming limit'
	list_rejects 'limit=101' limit 'list: limit=101 400 naming limit'
	list_rejects 'limit=abc' limit 'list: limit=abc 400 naming limit'
	req GET '/roles/customers?foo=1' -H "$(bearer "$L_TOK")"
	expect_error 400 BAD_REQUEST '' 'list: unknown parameter 400'
	list_is "entityId=$L3_ENTITY" "${l[3]}" 'list: entityId filter'
	list_rejects 'entityId=nope' entityId 'list: malformed entityId 400'
	req GET '/roles/customers?customerStatus=CREATED' -H "$(bearer "$L_TOK")"
	is "$STATUS $(jb '.data | length')" "200 7" 'list: customerStatus=CREATED matches all'
	list_is 'customerStatus=ACTIVE' '' 'list: customerStatus=ACTIVE matches none'
	list_rejects 'customerStatus=active' customerStatus 'list: unknown customerStatus 400'
	list_is 'customerType=LEGAL_ENTITY' "${l[5]} ${l[2]}" 'list: customerType filter'
	list_rejects 'customerType=ROBOT' customerType 'list: unknown customerType 400'
	list_is 'labels=a&labels=b' "${l[6]} ${l[4]} ${l[1]}" 'list: labels all-of (a and b)'
	list_is 'labels=c' "${l[7]} ${l[4]}" 'list: one label'
	list_is 'labels=a&labels=b&customerType=JOINT_PERSON' "${l[4]}" 'list: labels with customerType'
	list_is 'labels=c&labels=b' "${l[4]}" 'list: two labels given out of order'
	list_is 'labels=b&labels=c&labels=a' "${l[4]}" 'list: three labels all-of'
	list_is 'labels=a&labels=c&customerType=NATURAL_PERSON' '' 'list: two labels, a type none has'
	list_is 'labels=a&labels=zz' '' 'list: a label nobody has matches none'
	list_is "labels=a&labels=b&entityId=$L3_ENTITY" '' 'list: labels with an entity without them'
	list_rejects "$(printf 'labels=l%d&' {1..17})limit=5" labels 'list: 17 labels 400'

	walk "$L_TOK" 'limit=2'
	is "$(walked)" "$all" 'cursor walk (limit 2): every customer once, in order'
	is "$PAGES $WALK_OK" "4 1" 'cursor walk: 4 pages, the last with cursor null'
	walk "$L_TOK" 'limit=7' >/dev/null
	is "$PAGES $WALK_OK" "1 1" 'cursor walk: 7 customers at limit 7 is one page (no empty page)'
	walk "$L_TOK" 'limit=2&labels=a&labels=b'
	is "$(walked) $PAGES" "${l[6]} ${l[4]} ${l[1]} 2" 'cursor walk with a labels filter'

	req GET '/roles/customers?limit=2&labels=a' -H "$(bearer "$L_TOK")"
	c=$(jb .pagination.cursor)
	half=${c:0:$((${#c} / 2))}
	cursor_rejected "$L_TOK" "limit=2&labels=a&cursor=$half" 'truncated cursor: 400 INVALID_CURSOR'
	cursor_rejected "$L_TOK" "limit=2&labels=a&cursor=$(tamper "$c")" 'tampered cursor: 400 INVALID_CURSOR'
	cursor_rejected "$L_TOK" "limit=2&labels=b&cursor=$c" 'cursor of another filter: 400 INVALID_CURSOR'
	cursor_rejected "$L_TOK" "limit=2&cursor=$c" 'cursor without its filter: 400 INVALID_CURSOR'
	cursor_rejected "$L_TOK" 'cursor=%21%21%21' 'garbage cursor: 400 INVALID_CURSOR'
	cursor_rejected "$B_TOK" "limit=2&labels=a&cursor=$c" 'cursor of another partner: 400 INVALID_CURSOR'
	req GET "/roles/customers?limit=2&labels=a&cursor=$c" -H "$(bearer "$L_TOK")"
	is "$STATUS" 200 'control: the untouched cursor works'
}

# Flips one character in the middle of a cursor.
tamper() { # CURSOR
	local c=$1 i=$((${#1} / 2)) ch
	ch=${c:i:1}
	[ "$ch" = A ] && ch=B || ch=A
	printf '%s' "${c:0:i}$ch${c:i+1}"
}

# ---- bounded pages ([list] scan_limit = 100 in the tests' configuration) ------------

# 260 customers; x on the older half, y on the newer, both on four of them
# (S_BOTH), which are also the only JOINT_PERSONs: every sparse filter
# must walk past more than scan_limit candidates, so its pages are cut.
scan_setup() {
	local i labels type
	client_add S_CL scanner
	must_token S_TOK "$S_CL"
	S_BOTH=()
	for i in $(seq 0 259); do
		labels='["x"]' type=LEGAL_ENTITY
		[ "$i" -ge 130 ] && labels='["y"]'
		case $i in 10 | 70 | 200 | 250) labels='["x","y"]' type=JOINT_PERSON ;; esac
		create "$S_TOK" "$(uuid4)" "$type" "$labels"
		[ -n "$NEW_ID" ] || die "scan setup: create $i: $(last_response)"
		[ "$type" = JOINT_PERSON ] && S_BOTH=("$NEW_ID" "${S_BOTH[@]}")
	done
}

cases_scan() {
	local q
	scan_setup
	for q in 'labels=x&labels=y' 'customerStatus=CREATED&customerType=JOINT_PERSON'; do
		WALK_SHORT_OK=1 walk "$S_TOK" "limit=20&$q"
		is "$WALK_OK $(walked)" "1 ${S_BOTH[*]}" "scan_limit: $q walks to every match once, in order"
		ok "scan_limit: $q had pages cut short, with a cursor ($SHORT)" test "$SHORT" -gt 0
	done
	# dense where the walk starts: y is on the newer half (x's walk by the
	# type key's signatures would pass the 130 newer customers first)
	req GET '/roles/customers?labels=y&limit=20&customerType=LEGAL_ENTITY' -H "$(bearer "$S_TOK")"
	is "$STATUS $(jb '.data | length')" '200 20' 'scan_limit: a dense filter fills its page'
	req GET '/roles/customers?labels=x' -H "$(bearer "$B_TOK")"
	is "$STATUS $(jb '.data | length') $(jb .pagination.cursor)" '200 0 null' \
		"scan: another partner's label name is unknown here"
	is "$(db_query "$LABELS_MISMATCH_SQL" 2>&1)" 0 'scan: the label counts are exact'
	scan_seeded
}

# The bulk seed at the contract's limit (16 labels of 64) writes a label
# store that agrees with itself, and a two-label walk finds exactly the
# customers SQL finds.
scan_seeded() {
	local tok want
	admin seed --partner seeded --count 600 --labels 64 --per-customer 16 --seed 7 \
		>>"$STATE/admin.log" 2>&1
	is "$?" 0 'seed: 600 customers with 16 labels of 64'
	is "$(db_query "$LABELS_MISMATCH_SQL" 2>&1)" 0 'seed: label rows, read copies and counts agree'
	client_add tok seeded
	must_token tok "$tok"
	want=$(db_query "SELECT LOWER(INSERT(INSERT(INSERT(INSERT(HEX(c.id), 9, 0, '-'), 14, 0, '-'),
			19, 0, '-'), 24, 0, '-'))
		FROM customers c JOIN partners p ON p.id = c.partner_id AND p.name = 'seeded'
		WHERE EXISTS (SELECT 1 FROM customer_labels l JOIN partner_labels d USING (label_id)
			WHERE l.customer_id = c.id AND d.name = 'label-03')
		AND EXISTS (SELECT 1 FROM customer_labels l JOIN partner_labels d USING (label_id)
			WHERE l.customer_id = c.id AND d.name = 'label-17')
		ORDER BY c.id DESC" | joined)
	WALK_SHORT_OK=1 walk "$tok" 'limit=25&labels=label-03&labels=label-17'
	is "$WALK_OK $(walked)" "1 $want" 'seed: a two-label walk finds what SQL finds, in order'
	ok "seed: some customers have both labels ($(wc -w <<<"$want"))" test "$(wc -w <<<"$want")" -gt 10
}

# ---- cursor walk while others insert ----------------------------------------------

cases_walk_concurrent() {
	local tok before after seen dups i inserter
	client_add tok walker
	must_token tok "$tok"
	for i in $(seq 24); do
		create "$tok" "$(uuid4)" LEGAL_ENTITY '["w"]'
	done
	walk "$tok" 'limit=100'
	before=$(sort "$STATE/walk.ids")
	[ "$(grep -c . <<<"$before")" = 24 ] || die "walk setup: $(grep -c . <<<"$before") of 24 customers"
	(
		for i in $(seq 30); do
			curl -s --max-time 30 -o /dev/null -H "$(bearer "$tok")" "${JH[@]}" \
				-d "$(body_of "$(uuid4)" NATURAL_PERSON '["w"]')" "$BASE/roles/customers"
		done
	) &
	inserter=$!
	WALK_PAUSE=0.05 walk "$tok" 'limit=5&labels=w'
	wait "$inserter"
	seen=$(cat "$STATE/walk.ids")
	dups=$(sort <<<"$seen" | uniq -d | grep -c .)
	after=$(comm -23 <(printf '%s\n' "$before") <(sort -u <<<"$seen") | grep -c .)
	is "$WALK_OK $dups" "1 0" 'walk during inserts: every page 200, no duplicates'
	is "$after" 0 'walk during inserts: every customer of the start seen exactly once'
}

# ---- PATCH ---------------------------------------------------------------------------

patch() { # ID BODY [curl args...]
	local id=$1 b=$2
	shift 2
	req PATCH "/roles/customers/$id" -H "$(bearer "$A_TOK")" "${JH[@]}" "$@" -d "$b"
}

# GET one into BODY; sets ETAG.
get_one() { # ID
	req GET "/roles/customers/$1" -H "$(bearer "$A_TOK")"
	ETAG=$(hdr ETag)
}

cases_patch() {
	local rq e0 m0 c0 e1 m1
	create "$A_TOK" "$(uuid4)" NATURAL_PERSON '["x","y"]'
	P1=$NEW_ID
	get_one "$P1"
	e0=$ETAG m0=$(jb .modifiedOn) c0=$(jb .createdOn)
	patch "$P1" '{"labels":["n"]}'
	expect_invalid Requestor-ID 'patch without Requestor-ID: 400 naming the header'
	patch "$P1" '{"labels":["n"]}' -H 'Requestor-ID: 12345'
	expect_invalid Requestor-ID 'patch with a malformed Requestor-ID: 400'
	sleep 0.01
	rq=$(uuid4)
	PATCH_RQ=$rq
	patch "$P1" '{"labels":["new","gold"]}' -H "Requestor-ID: $rq" -H 'X-Request-ID: it-patch-1'
	is "$STATUS:$BODY" "202:" 'patch: 202 with no body'
	is "$(hdr X-Request-ID)" it-patch-1 'patch: X-Request-ID on a 202'
	get_one "$P1"
	is "$(jb '.labels | join(",")')" "gold,new" 'patch: labels replaced, not merged'
	e1=$ETAG m1=$(jb .modifiedOn)
	isnt "$e1" "$e0" 'patch: ETag changed'
	if [[ "$m1" > "$m0" ]] && [ "$(jb .createdOn)" = "$c0" ]; then
		tap_result 1 'patch: modifiedOn moved forward, createdOn kept'
	else
		tap_result 0 'patch: modifiedOn moved forward, createdOn kept' "modifiedOn $m0 -> $m1" "$(last_response)"
	fi
	req GET '/roles/customers?labels=x&labels=y&limit=100' -H "$(bearer "$A_TOK")"
	ok 'patch: the old pair of labels no longer finds the customer' \
		jq -e --arg id "$P1" '[.data[].customerId] | index($id) == null' <<<"$BODY"
	req GET '/roles/customers?labels=new&labels=gold&limit=100' -H "$(bearer "$A_TOK")"
	ok 'patch: the new pair of labels finds the customer' \
		jq -e --arg id "$P1" '[.data[].customerId] | index($id) != null' <<<"$BODY"
	patch "$P1" '{"labels":["new","gold"]}' -H "Requestor-ID: $rq"
	expect 202 'patch with the same set: 202'
	get_one "$P1"
	is "$ETAG $(jb .modifiedOn)" "$e1 $m1" 'patch with the same set: ETag and modifiedOn unchanged'
	patch "$P1" '{}' -H "Requestor-ID: $rq"
	expect 202 'patch {}: 202 no-op'
	get_one "$P1"
	is "$ETAG $(jb '.labels | join(",")')" "$e1 gold,new" 'patch {}: nothing changed'
	patch "$P1" '{"labels":["z"],"entityType":"LEGAL_ENTITY"}' -H "Requestor-ID: $rq"
	expect_invalid entityType 'patch of another field: 400'
	patch "$P1" '{"labels":["d","d"]}' -H "Requestor-ID: $rq"
	expect_invalid_under labels 'patch with duplicate labels: 400'
	patch "$P1" '{"labels":' -H "Requestor-ID: $rq"
	expect_error 400 BAD_REQUEST '' 'patch with malformed JSON: 400'
	req PATCH "/roles/customers/$P1" -H "$(bearer "$A_TOK")" -H 'Content-Type: text/plain' \
		-H "Requestor-ID: $rq" -d '{"labels":[]}'
	expect_error 415 UNSUPPORTED_MEDIA_TYPE '' 'patch text/plain: 415'
	patch "$P1" '{"labels":["stale"]}' -H "Requestor-ID: $rq" -H "If-Match: $e0"
	expect_error 412 PRECONDITION_FAILED '' 'patch with a stale If-Match: 412'
	get_one "$P1"
	is "$ETAG $(jb '.labels | join(",")')" "$e1 gold,new" 'patch 412: nothing written'
	patch "$P1" '{"labels":["fresh"]}' -H "Requestor-ID: $rq" -H "If-Match: $e1"
	expect 202 'patch with the current If-Match: 202'
	get_one "$P1"
	is "$(jb '.labels | join(",")')" fresh 'patch with If-Match: written'
	patch "$P1" '{"labels":["fresh","listed"]}' -H "Requestor-ID: $rq" -H "If-Match: $e0, $ETAG"
	expect 202 'patch with an If-Match list whose second tag is current: 202 (RFC 9110)'
	get_one "$P1"
	patch "$P1" '{"labels":[]}' -H "Requestor-ID: $rq"
	get_one "$P1"
	is "$STATUS $(jb '.labels | length')" "200 0" 'patch {"labels":[]} clears the labels'
	patch "$(uuid4)" '{"labels":["a"]}' -H "Requestor-ID: $rq"
	expect_error 404 NOT_FOUND CUSTOMER_NOT_FOUND 'patch of an unknown customer: 404'
	patch not-a-uuid '{"labels":["a"]}' -H "Requestor-ID: $rq"
	expect_error 400 BAD_REQUEST '' 'patch of a malformed id: 400'
	req PATCH "/roles/customers/$P1" -H "$(bearer "$A_RO")" "${JH[@]}" -H "Requestor-ID: $rq" -d '{}'
	is "$STATUS" 403 'patch with a read-only token: 403'
}

# ---- the client, read once per worker --------------------------------------

# Commands the server has answered so far that a request can send: its
# prepared statements and START TRANSACTION / COMMIT, one round trip each.
command_count() {
	db_query "SELECT SUM(VARIABLE_VALUE) FROM information_schema.GLOBAL_STATUS
		WHERE VARIABLE_NAME IN ('COM_STMT_EXECUTE', 'COM_BEGIN', 'COM_COMMIT')"
}

# Enough requests with the token that every worker has read its client
# (where the web server spawns workers on demand, most of them).
warm_client() { # TOKEN
	local i
	for i in $(seq 20); do
		req GET /roles/customers?limit=1 -H "$(bearer "$1")"
	done
}

# No event waits for the sequencer, whose stamp would count as commands.
events_stamped() { [ "$(db_query "SELECT COUNT(*) FROM events WHERE seq IS NULL")" = 0 ]; }

# The pids of the background tasks (sequencer, executor, deliverer) that
# logged their start; the dead ones just fail to be signalled.
task_pids() {
	cat "$STATE"/*.log 2>/dev/null |
		sed -n 's/.*\[pid \([0-9]*\)\] pool\.c:[0-9]*: task .*: started.*/\1/p' | sort -u
}

# 0 when one of up to 20 runs of CMD costs exactly WANT commands: a run
# answered by a worker that has read the client (others may not have yet).
# The background tasks are paused meanwhile (SIGSTOP), after the sequencer
# stamped the previous run's event: their polls would count too.
costs_commands() { # WANT CMD...
	local want=$1 before d pids
	shift
	for _ in $(seq 20); do
		wait_until 20 events_stamped
		mapfile -t pids < <(task_pids)
		[ "${#pids[@]}" = 0 ] || kill -STOP "${pids[@]}" 2>/dev/null
		before=$(command_count)
		"$@"
		d=$(($(command_count) - before))
		[ "${#pids[@]}" = 0 ] || kill -CONT "${pids[@]}" 2>/dev/null
		[ "$d" = "$want" ] && return 0
	done
	return 1
}

# Audit records written for a client (its JSON as client_add prints it).
audits_of() { # CLIENT_JSON
	db_query "SELECT COUNT(*) FROM customer_audit WHERE client_id = '$(jq -r .client_id <<<"$1")'"
}

cc_get() { req GET "/roles/customers/$CC_ID" -H "$(bearer "$CC_TOK")"; }
cc_post() {
	create "$CC_TOK" "$(uuid4)" NATURAL_PERSON '["w","w2","w3"]' \
		'[{"iban":"'$IBAN1'","ownerName":"Max Mustermann","type":"PRIMARY"}]'
}
# Alternates between two sets so that every run is a change.
cc_patch_to() { # LABEL
	local label=$1
	[ "$CC_LAST" = "$label" ] && label=${label}x
	CC_LAST=$label
	req PATCH "/roles/customers/$CC_ID" -H "$(bearer "$CC_TOK")" "${JH[@]}" \
		-H "Requestor-ID: $(uuid4)" -d "{\"labels\":[\"$label\"]}"
}

# A worker that has read a client lets the answering statement check it
# (router.c): one statement for a GET, and still 401 the moment the
# client is disabled, 403 the moment its scopes shrink, on every route and
# before any other error.
cases_client_check() {
	local warm wtok id narrow ntok audits
	client_add warm acme
	must_token wtok "$warm"
	create "$wtok" "$(uuid4)" NATURAL_PERSON '["w"]'
	id=$NEW_ID
	warm_client "$wtok"
	CC_TOK=$wtok CC_ID=$id CC_LAST=
	ok 'a read client: GET one is one statement' costs_commands 1 cc_get
	ok 'a read client: POST with three known labels and an account is seven commands (customer, labels, signature, counts, audit, event, COMMIT)' \
		costs_commands 7 cc_post
	ok 'PATCH of a new set: eight commands (update, delete returning, labels, signature, counts, audit, event, COMMIT)' \
		costs_commands 8 cc_patch_to w2
	req GET "/roles/customers/$id" -H "$(bearer "$wtok")"
	is "$(jb '.labels | join(",")')" "$CC_LAST" 'PATCH of a new set: written'
	req GET "/roles/customers/$(uuid4)" -H "$(bearer "$wtok")"
	expect 404 'a read client: unknown id still 404'
	req GET '/roles/customers?entityId=00000000-0000-4000-8000-000000000000' -H "$(bearer "$wtok")"
	is "$STATUS $(jb '.data | length')" "200 0" 'a read client: an empty page is still 200'

	audits=$(audits_of "$warm")
	admin client disable "$(jq -r .client_id <<<"$warm")" >>"$STATE/admin.log" 2>&1 ||
		die "customers-admin client disable failed"
	req GET "/roles/customers/$id" -H "$(bearer "$wtok")"
	expect_invalid_token 'disabled after being read: GET one 401'
	req GET /roles/customers -H "$(bearer "$wtok")"
	expect_invalid_token 'disabled after being read: list 401'
	create "$wtok" "$(uuid4)" NATURAL_PERSON '["w"]'
	expect_invalid_token 'disabled after being read: POST 401'
	req PATCH "/roles/customers/$id" -H "$(bearer "$wtok")" "${JH[@]}" \
		-H "Requestor-ID: $(uuid4)" -d '{"labels":["v"]}'
	expect_invalid_token 'disabled after being read: PATCH 401'
	req POST /roles/customers -H "$(bearer "$wtok")" "${JH[@]}" -d '{"entityId":"x"}'
	expect_invalid_token 'disabled after being read: 401 before 400 for an invalid body'
	req GET "/roles/customers/$(uuid4)" -H "$(bearer "$wtok")"
	expect_invalid_token 'disabled after being read: 401 before 404'
	is "$(audits_of "$warm")" "$audits" \
		'disabled after being read: nothing written after the disable'

	client_add narrow acme
	must_token ntok "$narrow"
	warm_client "$ntok"
	db_query "UPDATE oauth_clients SET scopes = 'customers:read' WHERE client_id = '$(jq -r .client_id <<<"$narrow")'"
	create "$ntok" "$(uuid4)" NATURAL_PERSON
	expect 403 'write scope withdrawn after being read: POST 403'
	req PATCH "/roles/customers/$id" -H "$(bearer "$ntok")" "${JH[@]}" \
		-H "Requestor-ID: $(uuid4)" -d '{"labels":["v"]}'
	expect 403 'write scope withdrawn after being read: PATCH 403'
	req GET "/roles/customers/$id" -H "$(bearer "$ntok")"
	expect 200 'write scope withdrawn: GET one still 200'
	db_query "UPDATE oauth_clients SET scopes = 'customers:write' WHERE client_id = '$(jq -r .client_id <<<"$narrow")'"
	req GET /roles/customers -H "$(bearer "$ntok")"
	expect 403 'read scope withdrawn after being read: list 403'
}

# ---- audit trail (read straight from the database) --------------------------------

hex_of() { tr -d '-' <<<"$1"; }

cases_audit() {
	local row
	row=$(db_query "SELECT LOWER(HEX(requestor_id)), request_id, labels_before, labels_after, client_id, action
		FROM customer_audit WHERE customer_id = UNHEX('$(hex_of "$P1")') AND request_id = 'it-patch-1'" 2>&1)
	is "$(cut -f1,2,5 <<<"$row")" "$(hex_of "$PATCH_RQ")	it-patch-1	$(jq -r .client_id <<<"$ACME")" \
		'audit: the PATCH row records Requestor-ID, request id and OAuth client'
	ok 'audit: labels before [x,y] and after [gold,new]' jq -e -s \
		'(.[0] | sort) == ["x","y"] and (.[1] | sort) == ["gold","new"]' \
		<<<"$(cut -f3 <<<"$row") $(cut -f4 <<<"$row")"
	row=$(db_query "SELECT COUNT(*) FROM customer_audit WHERE customer_id = UNHEX('$(hex_of "$C1")')" 2>&1)
	is "$row" 1 'audit: the create wrote one row'
	is "$(db_query "$LABELS_MISMATCH_SQL" 2>&1)" 0 \
		'labels: read copies, dictionary and exact counts agree with the label rows'
}

# An upgrade from schema version 1: customers written before the pair
# index existed went through the pair rows of version 3 and have their
# labels as dictionary ids (version 4) with exact counts, the pair,
# ref-account and intermediate tables are gone, and a second run changes
# nothing.
cases_migrate() {
	local conf="$STATE/migrate.conf" v1="$STATE/sql-v1" db=customers_upgrade id pairs
	mkdir -p "$v1" && cp "$SRCDIR/sql/001-schema.sql" "$v1/"
	sed "s/^name = .*/name = $db/" "$(APP_CONF)" >"$conf"
	mariadb_root -e "DROP DATABASE IF EXISTS $db;
		GRANT ALL ON \`$db\`.* TO '$DB_USER'@'localhost';" || die "migrate: cannot grant"
	"$BINDIR/customers-admin" -c "$conf" migrate --sql-dir "$v1" >>"$STATE/admin.log" 2>&1
	is "$?" 0 'migrate: schema version 1 alone'
	id=0190a000000070008000000000000001
	mariadb_root -D "$db" -e "INSERT INTO partners (id, name) VALUES (1, 'p');
		INSERT INTO customers (id, partner_id, entity_id, entity_type, created_at, modified_at,
			labels_text) VALUES (UNHEX('$id'), 1, UNHEX('$id'), 'NATURAL_PERSON', NOW(3), NOW(3),
			CONCAT('a', CHAR(31), 'b', CHAR(31), 'c'));
		INSERT INTO customer_labels VALUES (UNHEX('$id'), 1, 'a'), (UNHEX('$id'), 1, 'b'),
			(UNHEX('$id'), 1, 'c');" || die "migrate: cannot write version-1 rows"
	"$BINDIR/customers-admin" -c "$conf" migrate --sql-dir "$SRCDIR/sql" >>"$STATE/admin.log" 2>&1
	is "$?" 0 'migrate: version 1 to the current version'
	pairs="SELECT GROUP_CONCAT(CONCAT(d.name, '=', (SELECT SUM(n) FROM partner_label_counts k
			WHERE k.label_id = d.label_id)) ORDER BY d.name)
		FROM customer_labels l JOIN partner_labels d ON d.label_id = l.label_id
		WHERE l.customer_id = UNHEX('$id') AND d.partner_id = 1"
	is "$(mariadb_root -B -N -D "$db" -e "$pairs")" 'a=1,b=1,c=1' \
		'migrate: the customers of version 1 keep their labels, counted'
	is "$(mariadb_root -B -N -e "SELECT COUNT(*) FROM information_schema.tables
		WHERE table_schema = '$db' AND table_name IN ('customer_label_pairs',
			'customer_ref_accounts', 'customer_label_ids')")" 0 \
		'migrate: the pair, ref-account and intermediate tables are gone'
	is "$(mariadb_root -B -N -D "$db" -e "$LABELS_MISMATCH_SQL" 2>&1)" 0 \
		'migrate: the migrated label store agrees with itself'
	"$BINDIR/customers-admin" -c "$conf" migrate --sql-dir "$SRCDIR/sql" >>"$STATE/admin.log" 2>&1
	is "$?:$(mariadb_root -B -N -D "$db" -e "$pairs")" '0:a=1,b=1,c=1' \
		'migrate: a second run changes nothing'
	mariadb_root -e "DROP DATABASE $db"
}

# ---- tenancy ------------------------------------------------------------------------

cases_isolation() {
	local own
	req GET "/roles/customers/$C1" -H "$(bearer "$B_TOK")"
	expect_error 404 NOT_FOUND CUSTOMER_NOT_FOUND "other partner's customer: GET 404"
	req PATCH "/roles/customers/$C1" -H "$(bearer "$B_TOK")" "${JH[@]}" -H "Requestor-ID: $(uuid4)" \
		-d '{"labels":["mine"]}'
	expect_error 404 NOT_FOUND CUSTOMER_NOT_FOUND "other partner's customer: PATCH 404"
	req GET /roles/customers -H "$(bearer "$B_TOK")"
	is "$STATUS $(jb '.data | length')" "200 0" 'other partner: empty list'
	create "$B_TOK" "$E1" LEGAL_ENTITY
	own=$NEW_ID
	if [ "$STATUS" = 200 ] && [ -n "$own" ] && [ "$own" != "$C1" ]; then
		tap_result 1 'other partner may give the same entity the role'
	else
		tap_result 0 'other partner may give the same entity the role' "$(last_response)"
	fi
	req GET "/roles/customers?entityId=$E1" -H "$(bearer "$B_TOK")"
	is "$(ids | joined)" "$own" "other partner's entityId filter sees only its own"
	get_one "$C1"
	is "$(jb .entityType)" NATURAL_PERSON "first partner's customer untouched"
}

# ---- concurrent creates ------------------------------------------------------------

cases_race() {
	local e i codes pids=()
	e=$(uuid4)
	for i in $(seq 20); do
		curl -s --max-time 30 -o /dev/null -w '%{http_code}\n' -H "$(bearer "$A_TOK")" "${JH[@]}" \
			-d "$(body_of "$e" NATURAL_PERSON)" "$BASE/roles/customers" >"$STATE/race.$i" &
		pids+=($!)
	done
	# Not a bare wait: the servers are children of this shell too.
	wait "${pids[@]}"
	codes=$(cat "$STATE"/race.* | sort | uniq -c | awk '{print $2 "x" $1}' | joined)
	is "$codes" "200x1 409x19" '20 concurrent creates of one entity: one 200, nineteen 409'
	req GET "/roles/customers?entityId=$e" -H "$(bearer "$A_TOK")"
	is "$(jb '.data | length')" 1 'concurrent creates: one customer stored'
}

# ---- burst -------------------------------------------------------------------------------

# Busy loops on every core, four each: a loaded machine (load average about
# 4 per core), on which the pool's workers are slow to accept.  Each ends by
# itself after 120 s, so a suite that dies before cpu_hogs_stop leaves no
# spinning process behind.
cpu_hogs_start() {
	local i
	HOGS=()
	for ((i = 0; i < 4 * $(nproc); i++)); do
		(SECONDS=0 && trap 'exit 0' TERM && while [ "$SECONDS" -lt 120 ]; do :; done) &
		HOGS+=($!)
	done
}

cpu_hogs_stop() {
	kill "${HOGS[@]}" 2>/dev/null
	wait "${HOGS[@]}" 2>/dev/null
	HOGS=()
}

# N GETs of PATH, all sent at once (curl opens every connection before the
# first answer); prints each status, one per line.
burst_get() { # N PATH
	local i
	for ((i = 0; i < $1; i++)); do
		printf 'url = "%s"\noutput = "/dev/null"\n' "$BASE$2"
	done >"$STATE/burst.curl"
	curl -s -Z --parallel-immediate --parallel-max "$1" --max-time 60 -K "$STATE/burst.curl" \
		-H "$(bearer "$A_TOK")" -w '%{http_code}\n'
}

# 200 connections at once on a machine whose cores are all busy: a pool
# whose listen backlog is too short for them makes the web server answer
# 500/502 ("connection was dropped after accept()").
cases_burst() {
	local id codes
	create "$A_TOK" "$(uuid4)" NATURAL_PERSON
	id=$(jb '.customerId // empty')
	cpu_hogs_start
	codes=$(burst_get 200 "/roles/customers/$id" | sort | uniq -c | awk '{print $2 "x" $1}' | joined)
	cpu_hogs_stop
	note "burst: statuses of 200 concurrent GETs with $((4 * $(nproc))) CPU hogs: $codes"
	is "$codes" 200x200 'burst: 200 concurrent GETs on a loaded machine: all 200, no 5xx'
}

# ---- hostile URLs: whoever refuses them, the answer is the envelope ----------------------

# Escapes a web server may refuse before the application sees the request:
# control bytes, invalid UTF-8, bad escapes, an encoded slash, a path above
# the root.  Sent as they are (--path-as-is).
HOSTILE_URLS=(
	'/roles/customers/%00' '/roles/customers/%01' '/roles/customers/%7f' '/roles/customers/%0a'
	'/roles/%0acustomers' '/roles/customers/%ff' '/roles/customers/%c3%28' '/roles/customers/%zz'
	'/roles/customers/%' '/roles/customers/a%2fb' '/roles/customers/..%2f..%2fetc'
	'/roles/customers/%2e%2e/%2e%2e/x' '/roles/customers/%00/../x'
	'/roles/customers?labels=%00' '/roles/customers?labels=%01' '/roles/customers?labels=%7f'
	'/roles/customers?labels=%0a' '/roles/customers?labels=%ff' '/roles/customers?labels=%zz'
	'/roles/customers?labels=%' '/roles/customers?%00=1' '/roles/customers?limit=1%00'
)

response_type_of() { # STATUS
	case $1 in
	400) echo BAD_REQUEST ;; 403) echo FORBIDDEN ;; 404) echo NOT_FOUND ;;
	405) echo METHOD_NOT_ALLOWED ;; 411) echo LENGTH_REQUIRED ;; 413) echo PAYLOAD_TOO_LARGE ;;
	415) echo UNSUPPORTED_MEDIA_TYPE ;; 431) echo REQUEST_HEADER_FIELDS_TOO_LARGE ;;
	503) echo SERVICE_UNAVAILABLE ;;
	*) echo "status $1" ;;
	esac
}

# The last answer is a 4xx error envelope (or one of STATUS), with the
# responseType of its status.
is_envelope() {
	[[ $STATUS == 4?? ]] && is_envelope_of "$STATUS"
}

is_envelope_of() { # STATUS
	[ -z "$(envelope_problems "$1" "$(response_type_of "$1")")" ]
}

detail_code() { # the first error code of the first detail
	jb '.errorDetails[0].errors[0].code // empty'
}

cases_hostile_url() {
	local u bad=() n=0 urls=("${HOSTILE_URLS[@]}")
	# Above the root: under a mount prefix that is another site's path.
	[ -n "${MOUNT:-}" ] || urls+=('/%2e%2e/x')
	for u in "${urls[@]}"; do
		req GET "$u" -H "$(bearer "$A_TOK")" --path-as-is
		is_envelope || bad+=("$(last_response)")
		n=$((n + 1))
	done
	is "${#bad[@]}" 0 "hostile URLs: all $n answered with the JSON envelope and one X-Request-ID"
	[ "${#bad[@]}" = 0 ] || note "not the envelope: ${bad[*]}"
	req GET '/roles/customers?labels=%zz' -H "$(bearer "$A_TOK")"
	is "$STATUS $(detail_code)" '400 INVALID_ENCODING' 'labels=%zz: 400, detail INVALID_ENCODING'
	req GET '/roles/customers?labels=%' -H "$(bearer "$A_TOK")"
	is "$STATUS $(detail_code)" '400 INVALID_ENCODING' 'labels=%: 400, detail INVALID_ENCODING'
	req GET '/roles/customers/%zz' -H "$(bearer "$A_TOK")" --path-as-is
	ok 'a bad escape in the path: the envelope, from the server or the application' is_envelope
	req GET '/.customers-error' -H "$(bearer "$A_TOK")"
	ok "the web server's error page is not a route of its own" is_envelope
}

# The pool stopped behind nginx or Apache (mod_proxy_fcgi): the server's
# 502 becomes the envelope's 503 with Retry-After, as for a database down.
# lighttpd has no way to put a request id into its own pages: its 503 is
# HTML (docs/operations.md).
cases_pool_down() {
	app_stop
	req GET "/roles/customers/$C1" -H "$(bearer "$A_TOK")"
	ok 'pool down: the JSON envelope with one X-Request-ID' is_envelope_of 503
	is "$(jb .responseType) $(hdr Retry-After)" 'SERVICE_UNAVAILABLE 1' 'pool down: 503 SERVICE_UNAVAILABLE, Retry-After 1'
	app_start
	ok 'pool back: the API answers again' wait_until 100 api_and_health_ok
}

# ---- methods ---------------------------------------------------------------------------

allow_has() { # METHOD...
	local m a
	a=$(hdr Allow)
	for m in "$@"; do
		[[ ",${a// /}," == *",$m,"* ]] || return 1
	done
}

cases_methods() {
	req DELETE "/roles/customers/$C1" -H "$(bearer "$A_TOK")"
	expect_error 405 METHOD_NOT_ALLOWED '' 'DELETE a customer: 405'
	ok 'DELETE: Allow lists GET and PATCH' allow_has GET PATCH
	req PUT /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" -d '{}'
	expect_error 405 METHOD_NOT_ALLOWED '' 'PUT the collection: 405'
	ok 'PUT: Allow lists GET and POST' allow_has GET POST
}

# ---- operator status change ------------------------------------------------------------

set_status() { # ID STATUS
	admin customer set-status "$1" "$2" >>"$STATE/admin.log" 2>&1
}

cases_status() {
	local etag
	get_one "$C1"
	etag=$ETAG
	ok 'customers-admin customer set-status OFFBOARDING' set_status "$C1" OFFBOARDING
	get_one "$C1"
	is "$(jb .customerStatus)" OFFBOARDING 'set-status: customerStatus OFFBOARDING'
	like "$(jb .cancellationDate)" "$TIME_RE" 'set-status: cancellationDate set'
	isnt "$ETAG" "$etag" 'set-status: ETag changed'
	req GET '/roles/customers?customerStatus=OFFBOARDING' -H "$(bearer "$A_TOK")"
	is "$(ids | joined)" "$C1" 'filter customerStatus=OFFBOARDING finds it'
	is "$(db_query "SELECT CONCAT(status_before, '>', status_after) FROM customer_audit
		WHERE customer_id = UNHEX('$(hex_of "$C1")') AND action = 'status'" 2>&1)" \
		'CREATED>OFFBOARDING' 'set-status: audited with the statuses before and after'
}

# ---- database outage -----------------------------------------------------------------

api_and_health_ok() {
	req GET /healthz
	[ "$STATUS" = 200 ] || return 1
	req GET "/roles/customers/$C1" -H "$(bearer "$A_TOK")"
	[ "$STATUS" = 200 ]
}

cases_outage() {
	local i good=0
	mariadb_stop
	req GET /healthz
	is "$STATUS" 503 'database down: /healthz 503'
	req GET "/roles/customers/$C1" -H "$(bearer "$A_TOK")"
	expect_error 503 SERVICE_UNAVAILABLE '' 'database down: API 503 SERVICE_UNAVAILABLE'
	like "$(hdr Retry-After)" '^[0-9]+$' 'database down: Retry-After'
	req POST /oauth2/token -u "$(basic_of "$ACME")" -d grant_type=client_credentials
	is "$STATUS" 503 'database down: token endpoint 503'
	mariadb_start
	ok 'database back: API answers again within 10 s' wait_until 100 api_and_health_ok
	for i in $(seq 8); do
		req GET "/roles/customers/$C1" -H "$(bearer "$A_TOK")"
		[ "$STATUS" = 200 ] && good=$((good + 1))
	done
	is "$good" 8 'database back: every worker serves again'
}

# ---- the web server's FastCGI side ---------------------------------------------
#
# What differs between lighttpd, Apache (mod_proxy_fcgi, mod_fcgid) and
# nginx: whether Authorization is passed on, how the path is split into
# SCRIPT_NAME/PATH_INFO (the application routes on REQUEST_URI, decoded
# once), bodies without Content-Length, long headers, keep-alive, a prefix.

# What the web server refuses itself still gets the envelope: Apache by
# ErrorDocument, nginx by error_page, lighttpd by server.error-handler
# (REDIRECT_STATUS, src/request.c).
fcgi_server_refusals() {
	local big
	req POST /roles/customers -H "$(bearer "$A_TOK")"
	ok 'fcgi: a POST without Content-Length or body: the envelope' is_envelope
	[[ $WEB != lighttpd* ]] || is "$STATUS $(jb .errorCode)" '411 LENGTH_REQUIRED' \
		'fcgi: lighttpd refuses a POST without Content-Length: 411 LENGTH_REQUIRED'
	big=$(printf 'x%.0s' {1..40000})
	req GET "/roles/customers/$C1" -H "$(bearer "$A_TOK")" -H "X-Filler: $big"
	ok 'fcgi: a request header of 40 000 bytes: refused in the envelope' is_envelope
	big="$STATE/body-2m"
	head -c 2000000 /dev/zero | tr '\0' ' ' >"$big"
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" --data-binary @"$big"
	if [ "$WEB" = apache-fcgid ]; then
		# mod_fcgid hands on the body Apache cut at LimitRequestBody as an
		# empty one (docs/operations.md), which is not JSON.
		expect_error 400 BAD_REQUEST MALFORMED_JSON \
			'fcgid: a body of 2 MB, over LimitRequestBody, arrives empty: 400'
	else
		expect_error 413 PAYLOAD_TOO_LARGE '' \
			'fcgi: a body of 2 MB, over what the web server takes: 413'
	fi
}

cases_fcgi() {
	local big out
	req GET "/roles/customers/$C1" -H "$(bearer "$A_TOK")"
	is "$STATUS" 200 'fcgi: Authorization reaches the application (a bearer GET is 200)'
	req GET "/roles/%63ustomers/%$(printf %X "'${C1:0:1}")${C1:1}" -H "$(bearer "$A_TOK")"
	is "$STATUS $(jb .customerId)" "200 $C1" 'fcgi: a percent-encoded path is decoded (once) and routed'
	req GET "/roles/%2563ustomers/$C1" -H "$(bearer "$A_TOK")"
	expect_error 404 NOT_FOUND '' 'fcgi: %2563 is decoded once, to %63, not twice (404)'
	req GET "/roles/customers?entityId=$E1&labels=%C3%A9t%C3%A9" -H "$(bearer "$A_TOK")"
	is "$STATUS $(ids | joined)" "200 $C1" 'fcgi: a percent-encoded query reaches the application'
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" -H 'Transfer-Encoding: chunked' \
		-d "$(body_of "$(uuid4)" LEGAL_ENTITY '["chunked"]')"
	is "$STATUS $(jb '.customerId | length')" "200 36" 'fcgi: a chunked body (no Content-Length) is read'
	big="$STATE/body-chunked"
	{ printf '{"entityType":"LEGAL_ENTITY","entityId":"%s"}' "$(uuid4)"; printf '%*s' 65536 ''; } >"$big"
	req POST /roles/customers -H "$(bearer "$A_TOK")" "${JH[@]}" -H 'Transfer-Encoding: chunked' \
		--data-binary @"$big"
	expect_error 413 PAYLOAD_TOO_LARGE '' 'fcgi: a chunked body over 64 KiB is 413 from the application'
	big=$(printf 'x%.0s' {1..12000})
	req GET "/roles/customers/$C1" -H "$(bearer "$A_TOK")" -H "X-Filler: $big" -H "X-Filler-2: $big"
	is "$STATUS" 200 'fcgi: two request headers of 12 000 bytes each pass'
	fcgi_server_refusals
	out=$(curl -s --max-time 30 -o /dev/null -w '%{http_code} %{num_connects} ' \
		-H "$(bearer "$A_TOK")" "${JH[@]}" -d "$(body_of "$(uuid4)" NATURAL_PERSON)" "$BASE/roles/customers" \
		--next -o /dev/null -w '%{http_code} %{num_connects} ' -H "$(bearer "$A_TOK")" "$BASE/roles/customers/$C1" \
		--next -o /dev/null -w '%{http_code} %{num_connects}' "$BASE/healthz")
	is "$out" "200 1 200 0 200 0" 'fcgi: keep-alive: POST, GET, GET on one client connection'
	if [ -n "${MOUNT:-}" ]; then
		out=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "$(bearer "$A_TOK")" \
			"${BASE%"$MOUNT"}/roles/customers/$C1")
		is "$out" 404 "fcgi: mounted under $MOUNT, the path without the prefix is 404"
	fi
}

# ---- metrics count what was sent ---------------------------------------------------

# The value of the sample KEY (name and labels) in a fresh /metrics; 0 when absent.
metric() { # KEY
	curl -s --max-time 10 "$BASE/metrics" |
		awk -v k="$1" 'index($0, k " ") == 1 { v = $2 } END { print v + 0 }'
}

cases_metrics() {
	local req_key hist_key r0 h0 i
	req_key='customers_requests_total{route="/roles/customers/{id}",method="GET",status="404"}'
	hist_key='customers_request_duration_seconds_count{route="/roles/customers/{id}",method="GET"}'
	r0=$(metric "$req_key")
	h0=$(metric "$hist_key")
	for i in $(seq 9); do
		req GET "/roles/customers/$(uuid4)" -H "$(bearer "$A_TOK")"
	done
	is "$(($(metric "$req_key") - r0))" 9 'metrics: 9 GETs answered 404 count 9, summed over the workers'
	is "$(($(metric "$hist_key") - h0))" 9 'metrics: the latency histogram of the route counted 9 more'
	is "$(metric customers_pool_workers)" "$WORKERS" 'metrics: pool size is the number of workers'
}

# ---- reload under load (the pool started by the test) ---------------------------------

cases_reload() {
	local pid reloads i sent before after
	command -v wrk >/dev/null || die "wrk is missing: run scripts/deps"
	pid=$(cat "$STATE/fcgi.pid")
	reloads=$(grep -c 'reloaded' "$STATE/fcgi.log")
	before=$(pgrep -P "$pid" | sort | joined)
	wrk -t2 -c8 -d6s --timeout 10s -H "$(bearer "$A_TOK")" "$BASE/roles/customers/$C1" \
		>"$STATE/wrk.out" 2>&1 &
	local wrk_pid=$!
	sleep 0.5
	for i in 1 2 3 4 5; do
		kill -HUP "$pid"
		sleep 1
	done
	# While wrk still runs: a worker retired under load must stop too, not
	# keep taking the connections that are always waiting (epoll_pwait
	# returns them without delivering its pending SIGTERM).
	after=$(pgrep -P "$pid" | sort | joined)
	kill -0 "$wrk_pid" 2>/dev/null || note "reload: the load had ended before the workers were listed"
	wait "$wrk_pid"
	sent=$(awk '/requests in/ { print $1 }' "$STATE/wrk.out")
	is "$(($(grep -c 'reloaded' "$STATE/fcgi.log") - reloads))" 5 'reload: 5 SIGHUPs, 5 reloads logged'
	if [ "${sent:-0}" -gt 50 ] && ! grep -Eq 'Non-2xx|Socket errors' "$STATE/wrk.out"; then
		tap_result 1 "reload: $sent requests under load across 5 reloads, none failed"
	else
		tap_result 0 'reload: no request fails across 5 reloads' "$(cat "$STATE/wrk.out")"
	fi
	if [ -n "$after" ] && [ -z "$(comm -12 <(tr ' ' '\n' <<<"$before") <(tr ' ' '\n' <<<"$after"))" ]; then
		tap_result 1 'reload: every worker was replaced, under load'
	else
		tap_result 0 'reload: every worker was replaced, under load' "before: $before" "after: $after"
	fi
}

# ---- configuration checks (no HTTP) -------------------------------------------------

# customers-fcgi --check-config on $STATE/check.conf: "OUTPUT STATUS".
check_config() {
	printf '%s %s' "$("$BINDIR/customers-fcgi" --check-config -c "$STATE/check.conf" 2>&1)" "$?"
}

# The running configuration with LINES appended (a second [server] section
# is allowed; keys may still be set only once) into $STATE/check.conf.
check_conf_with() { # LINES
	{ cat "$(APP_CONF)"; printf '[server]\n%s\n' "$1"; } >"$STATE/check.conf"
}

cases_config() {
	local n
	n=$(($(wc -l <"$(APP_CONF)") + 2))
	check_conf_with ''
	like "$(check_config)" ": ok 0$" '--check-config: the running configuration is valid'
	check_conf_with 'backlog = 0'
	like "$(check_config)" "check.conf:$n: key 'backlog' in \[server\]: must be 1\.\.65535 1$" \
		'--check-config: a value out of range is named with file:line and key, exit 1'
	check_conf_with 'log_target = syslog'
	like "$(check_config)" ": ok 0$" '--check-config: log_target = syslog is valid'
	check_conf_with 'log_target = journal'
	like "$(check_config)" "check.conf:$n: key 'log_target' in \[server\]: must be stderr or syslog 1$" \
		'--check-config: log_target = journal is refused'
	check_conf_with ''
	sed -i 's/^password_file = .*/password_file = no-such-file/' "$STATE/check.conf"
	like "$(check_config)" "key 'password_file' in \[database\]: .*no-such-file: No such file or directory 1$" \
		'--check-config: an unreadable password_file is named'
}

# The groups in their order.  CASES="create get" runs a subset; get, patch,
# audit, isolation, methods, status, fcgi, reload and outage use what create
# made.  reload needs the pool the test started ($STATE/fcgi.pid).
# cases_hostile: forged and confused tokens, malformed and oversized input,
# and a brute-force burst at the token endpoint (docs/security.md).  Needs
# the groups' globals: ACME, A_TOK (run_cases makes them).  Run it last or
# on its own: its burst leaves one client id throttled for [throttle] window.
cases_hostile() {
	local id hdr pay tok i statuses big c0 c1
	hdr=$(printf '{"alg":"none","typ":"JWT"}' | b64url)
	pay=$(printf '{"iss":"customers-fcgi","sub":"%s","client_id":"%s","scope":"customers:read customers:write","iat":%d,"nbf":%d,"exp":%d}' \
		"$(jq -r .client_id <<<"$ACME")" "$(jq -r .client_id <<<"$ACME")" "$(date +%s)" "$(date +%s)" $(($(date +%s) + 600)) | b64url)
	req GET /roles/customers -H "Authorization: Bearer $hdr.$pay."
	is "$STATUS" 401 'hostile: alg none token 401'
	tok=$(printf '{"alg":"HS256","typ":"JWT","kid":"x"}' | b64url).$pay.$(printf 'sig' | b64url)
	req GET /roles/customers -H "Authorization: Bearer $tok"
	is "$STATUS" 401 'hostile: HS256 with an unknown kid 401'
	tok=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url).$pay.$(head -c 256 /dev/urandom | b64url)
	req GET /roles/customers -H "Authorization: Bearer $tok"
	is "$STATUS" 401 'hostile: RS256 token where HS256 is configured 401'
	req GET /roles/customers -H "Authorization: Bearer ${A_TOK}x"
	is "$STATUS" 401 'hostile: token with a changed signature 401'
	big=$(head -c 6000 /dev/zero | tr '\0' a)
	req GET /roles/customers -H "Authorization: Bearer $big.$big.$big"
	is "$STATUS" 401 'hostile: 18 KB bearer token 401'
	req GET "/roles/customers?labels=$(head -c 9000 /dev/zero | tr '\0' a)" -H "Authorization: Bearer $A_TOK"
	is "$STATUS $(jb .requestId | wc -c | tr -d ' ')" "400 37" 'hostile: 9000-byte query string 400 with an envelope'
	c0=$(db_query "SELECT COUNT(*) FROM customers")
	# The fuzz find: a body whose JSON error quotes a cut UTF-8 sequence.
	req POST /roles/customers "${JH[@]}" -H "Authorization: Bearer $A_TOK" \
		--data-binary "$(printf '"E8d41d\\ud\xc3\x9cvipe00"a8]}')"
	is "$STATUS $(jb .errorCode)" "400 MALFORMED_JSON" 'hostile: JSON error near a cut UTF-8 sequence renders (400)'
	req POST /roles/customers "${JH[@]}" -H "Authorization: Bearer $A_TOK" --data-binary $'{"entityId":"\xff\xfe","entityType":"NATURAL_PERSON"}'
	is "$STATUS $(jb .responseType)" "400 BAD_REQUEST" 'hostile: invalid UTF-8 in a body 400'
	req POST /roles/customers "${JH[@]}" -H "Authorization: Bearer $A_TOK" \
		--data-binary "$(printf '[%.0s' $(seq 1 5000))"
	is "$STATUS $(jb .errorCode)" "400 MALFORMED_JSON" 'hostile: 5000 nested arrays 400'
	req POST /roles/customers "${JH[@]}" -H "Authorization: Bearer $A_TOK" -H 'Requestor-ID: ../../etc/passwd' \
		-d "{\"entityId\":\"$(uuid4)\",\"entityType\":\"NATURAL_PERSON\"}"
	is "$STATUS $(jb '.errorDetails[0].field')" "400 Requestor-ID" 'hostile: Requestor-ID not a UUID 400'
	req GET /roles/customers -H "Authorization: Bearer $A_TOK" -H "X-Request-ID: $(head -c 65 /dev/zero | tr '\0' a)"
	like "$(hdr X-Request-ID)" '^[0-9a-f-]{36}$' 'hostile: a 65-char X-Request-ID is replaced'
	c1=$(db_query "SELECT COUNT(*) FROM customers")
	is "$c1" "$c0" 'hostile: no rejected request changed the data'
	req GET /oauth2/jwks.json
	is "$STATUS $(jb '.keys | length')" "200 0" 'jwks: HS256 issuer publishes an empty key set'
	# Brute force: 10 failures for one client id, then 429 even with the right secret.
	client_add c_brute brute
	id=$(jq -r .client_id <<<"$c_brute")
	statuses=
	for i in $(seq 1 10); do
		req POST /oauth2/token -u "$id:wrong$i" -d grant_type=client_credentials
		statuses+="$STATUS "
	done
	is "$statuses" "$(printf '401 %.0s' $(seq 1 10))" 'throttle: 10 wrong secrets are 401 each'
	req POST /oauth2/token -u "$(basic_of "$c_brute")" -d grant_type=client_credentials
	is "$STATUS $(jb .error) $(jb .responseType)" "429 slow_down TOO_MANY_REQUESTS" \
		'throttle: the 11th try is 429 slow_down, even with the right secret'
	like "$(hdr Retry-After)" '^[1-9][0-9]*$' 'throttle: 429 carries Retry-After'
	token_for "$ACME"
	is "$STATUS" 200 'throttle: another client from the same address still gets a token'
}

ALL_CASES="ops token bearer create get list scan walk_concurrent patch client_check audit migrate isolation race burst hostile_url methods status fcgi metrics reload config outage hostile"
# Behind the other servers: every group that crosses the web server, not
# those that test the pool and the database alone (walk_concurrent, audit,
# status, outage: lighttpd runs them).
# shellcheck disable=SC2034 # used by the runners (run-*.sh)
WEB_CASES="ops token bearer create get list patch client_check isolation race burst hostile_url methods fcgi metrics"

# Part II's groups live in files of their own (cases-<feature>.sh), each
# adding its groups to ALL_CASES and, when they cross the web server, to
# WEB_CASES.
for f in "$(dirname "${BASH_SOURCE[0]}")"/cases-*.sh; do
	# shellcheck source=/dev/null
	[ -e "$f" ] && . "$f"
done

run_cases() {
	local globex
	client_add ACME acme
	client_add READER acme 'customers:read'
	client_add globex globex
	must_token A_TOK "$ACME"
	must_token A_RO "$ACME" customers:read
	must_token B_TOK "$globex"
	local g
	for g in ${CASES:-$ALL_CASES}; do
		declare -F "cases_$g" >/dev/null || die "no case group '$g' (groups: $ALL_CASES)"
		note "--- $g"
		"cases_$g"
	done
}
